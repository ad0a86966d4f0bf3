//! Conformance of the text formats against the shared corpus (`../shared/corpus/logs`).
//!
//! Every data file of the text formats listed in the corpus's `INVENTORY.md` must be detected
//! as its format by [`super::sniff`] from its first lines and parse with zero rejects, except
//! the lines listed in [`ALLOWED_REJECTS`] with the reason. Where the corpus ships expected
//! outputs, the test compares the fields we extract with them:
//! - CrowdSec `parser.assert` (stage `s01-parse`): every asserted value of a field we map
//!   (see [`crowdsec_candidates`]) must be among the values we extract from the same file's
//!   events. CrowdSec numbers results per parser, not per line, so the comparison is by value
//!   set, not by line index.
//! - OpenTelemetry `valid_s3_access_log_expected.yaml`: the S3 attributes, line by line.
//! - Datadog `envoy_tests.yaml`: time, method, path, status, request id, user agent,
//!   authority and byte counts of the access-log samples, line by line with
//!   `envoy_samples.log`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use logsec_event::{Event, FieldPath, SourceFormat};

use super::{line_parser, sniff};
use crate::line::LineOutcome;
use crate::options::ParseOptions;

/// Lines that really are malformed: (file path suffix, 1-based line number, reason).
const ALLOWED_REJECTS: &[(&str, usize, &str)] = &[];

/// Data files deliberately not read here, with the reason.
const EXCLUDED: &[(&str, &str)] = &[];

/// Mapping decisions checked on real files: `(path suffix, class_uid and status_id of each
/// event in order)`.
const CLASS_EXPECTATIONS: &[(&str, &[(u32, u32)])] = &[
    // Accepted publickey / password → Authentication, Success.
    (
        "sshd-success-logs.log",
        &[(3002, 1), (3002, 1), (3002, 1), (3002, 1)],
    ),
    // pam_tally2 and pam_unix authentication failure → Authentication, Failure.
    ("pam-logs.log", &[(3002, 2), (3002, 2)]),
    // sudo COMMAND → Authentication (Account Switch); access lines in syslog → HTTP
    // Activity (404 Failure); other lines → Base Event.
    (
        "logfile_syslog_with_access_log.0",
        &[(3002, 1), (4002, 1), (4002, 2), (0, 0), (0, 0)],
    ),
    // Istio/Envoy access lines → HTTP Activity; Envoy's own log line → Base Event.
    (
        "envoy_samples.log",
        &[(4002, 2), (4002, 2), (4002, 1), (4002, 1), (0, 0)],
    ),
    // An Apache error line, then access lines.
    ("apache-cve-2021-41773.log", &[(0, 0), (4002, 1), (4002, 1)]),
    // ACCEPT and REJECT flows → Network Activity.
    ("valid_vpc_flow_log_multi.log", &[(4001, 0), (4001, 0)]),
    // NLB TLS connection → Network Activity, Success.
    ("nlb_al_valid_logs.log", &[(4001, 1)]),
];

/// The folders of the text formats.
const TEXT_FOLDERS: &[&str] = &[
    "s3-access",
    "envoy-istio",
    "vpc-flow",
    "elb-alb",
    "syslog-auth",
    "web-access",
];

/// The shared corpus's `logs` folder; `None` (with the skip message) when `../shared` is
/// absent, a failure when `LOGSEC_REQUIRE_SHARED=1`.
pub(crate) fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/logs");
    if dir.join("INVENTORY.md").is_file() {
        return Some(dir);
    }
    if std::env::var("LOGSEC_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!(
            "../shared not found at {} and LOGSEC_REQUIRE_SHARED=1",
            dir.display()
        );
    }
    println!("skipping: ../shared not found");
    None
}

/// The formats a corpus shape may be detected as.
fn expected_formats(shape: &str) -> Option<&'static [SourceFormat]> {
    use SourceFormat as F;
    Some(match shape {
        "s3-server-access" => &[F::S3Access],
        "alb-access" | "clb-access" | "nlb-access" => &[F::Elb],
        "envoy-text-in-containerd-cri" => &[F::Envoy],
        "envoy-text" => &[F::Istio],
        s if s.starts_with("vpcflow") || s.starts_with("tgw-flow") => &[F::VpcFlow],
        s if s.starts_with("syslog-") => &[F::Syslog, F::AuthLog],
        "combined-access"
        | "common-access"
        | "combined-access-in-syslog"
        | "nginx-error"
        | "apache-error" => &[F::WebAccess],
        _ => return None,
    })
}

/// `(path, shape)` of every text-format data file in the inventory.
fn inventory(dir: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dir.join("INVENTORY.md")).expect("read INVENTORY.md");
    text.lines()
        .filter_map(|row| {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let path = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let shape = cells.get(4)?;
            let folder = path.split('/').next()?;
            (TEXT_FOLDERS.contains(&folder) && *shape != "expected-output" && *shape != "metadata")
                .then(|| (path.to_owned(), (*shape).to_owned()))
        })
        .collect()
}

fn lines_of(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    lines
}

fn options() -> ParseOptions {
    ParseOptions {
        syslog_year: Some(2024),
        ..ParseOptions::default()
    }
}

#[test]
fn conformance_corpus_text() {
    let Some(dir) = corpus_dir() else { return };
    let files = inventory(&dir);
    assert!(
        files.len() >= 100,
        "inventory lists {} text files",
        files.len()
    );
    let mut failures = Vec::new();
    let mut totals = (0usize, 0usize, 0usize, 0usize);
    let mut compared = 0usize;
    for (path, shape) in &files {
        if let Some((_, reason)) = EXCLUDED.iter().find(|(p, _)| p == path) {
            println!("excluded {path}: {reason}");
            continue;
        }
        let Some(expected) = expected_formats(shape) else {
            failures.push(format!("{path}: unknown shape {shape}"));
            continue;
        };
        let bytes = std::fs::read(dir.join(path)).expect("read corpus file");
        let text = String::from_utf8_lossy(&bytes);
        let lines = lines_of(&text);
        let head: Vec<&str> = lines.iter().take(20).copied().collect();
        let detected = sniff(&head);
        let Some(format) = detected.filter(|f| expected.contains(f)) else {
            failures.push(format!(
                "{path}: detected {detected:?}, expected one of {expected:?}"
            ));
            continue;
        };
        let mut parser = line_parser(format, &options()).expect("a line parser");
        let mut events = Vec::new();
        let (mut skips, mut rejects) = (0, 0);
        for (index, line) in lines.iter().enumerate() {
            match parser.parse_line(line) {
                LineOutcome::Event(event) => events.push(*event),
                LineOutcome::Skip => skips += 1,
                LineOutcome::Reject(reason) => {
                    let allowed = ALLOWED_REJECTS
                        .iter()
                        .any(|(p, n, _)| path.ends_with(p) && *n == index + 1);
                    if allowed {
                        rejects += 1;
                    } else {
                        failures.push(format!(
                            "{path}:{}: rejected: {reason}: {:?}",
                            index + 1,
                            crate::snippet(line)
                        ));
                    }
                }
            }
        }
        for event in &events {
            if event.time <= 0 {
                failures.push(format!(
                    "{path}: event without a time: {:?}",
                    event.raw.as_str()
                ));
            }
        }
        totals.0 += 1;
        totals.1 += events.len();
        totals.2 += skips;
        totals.3 += rejects;
        println!(
            "{path}: {format} — {} events, {skips} skipped, {rejects} allowed rejects",
            events.len()
        );
        if let Some((_, expected)) = CLASS_EXPECTATIONS.iter().find(|(p, _)| path.ends_with(p)) {
            let ours: Vec<(u32, u32)> = events.iter().map(|e| (e.class_uid, e.status_id)).collect();
            if ours != *expected {
                failures.push(format!(
                    "{path}: (class, status) {ours:?}, expected {expected:?}"
                ));
            }
        }
        let assert_path = dir.join(path).with_file_name("parser.assert");
        if assert_path.is_file() {
            let (count, mut errors) = compare_crowdsec(&assert_path, &events);
            compared += count;
            failures.append(&mut errors);
        }
        if path.ends_with("valid_s3_access_log.log") {
            compared += compare_otel_s3(&dir, &events, &mut failures);
        }
        if path.ends_with("envoy_samples.log") {
            compared += compare_datadog_envoy(&dir, &events, &mut failures);
        }
    }
    println!(
        "{} files, {} events, {} skipped, {} allowed rejects, {compared} expected values compared",
        totals.0, totals.1, totals.2, totals.3
    );
    assert!(compared >= 200, "only {compared} expected values compared");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// CrowdSec parser.assert.

/// Unescapes a Go double-quoted string body (the escapes CrowdSec's asserts use).
fn go_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn field_str(event: &Event<'_>, path: &str) -> Option<String> {
    let value = event.get(&FieldPath::parse(path).ok()?);
    if let Some(text) = value.as_str() {
        return Some(text.to_owned());
    }
    if let Some(ip) = value.as_ip() {
        return Some(ip.to_string());
    }
    value.as_i64().map(|n| n.to_string())
}

/// Our values that a CrowdSec `Parsed` key corresponds to, or `None` for keys we do not map.
fn crowdsec_candidates(event: &Event<'_>, key: &str) -> Option<Vec<String>> {
    let paths: &[&str] = match key {
        "remote_addr" | "clientip" | "sshd_client_ip" | "source_ip" => &["src_endpoint.ip"],
        "remote_port" | "sshd_client_port" => &["src_endpoint.port"],
        "verb" | "http_method" => &["http_request.http_method"],
        "request" => &["http_request.url.path", "http_request.url.url_string"],
        "status" | "response" | "elb_status_code" => &["http_response.code"],
        "http_user_agent" => &["http_request.user_agent"],
        "http_referer" | "referrer" => &["http_request.referrer"],
        "body_bytes_sent" | "bytes" => &["http_response.length"],
        "time_local" => &["raw.time_local"],
        "target_fqdn" | "host" => &["http_request.url.hostname"],
        "sshd_invalid_user" | "sshd_auth_user" | "username" => &["user.name"],
        "remote_user" | "auth" => &["actor.user.name"],
        "request_id" => &["metadata.original_event_uid"],
        "http_version" | "httpversion" => &["http_request.version"],
        _ => return None,
    };
    let mut values: Vec<String> = paths
        .iter()
        .filter_map(|p| field_str(event, p))
        .map(|v| v.strip_prefix("HTTP/").map(str::to_owned).unwrap_or(v))
        .collect();
    if key == "request" {
        // CrowdSec's request is the path with its query string.
        if let (Some(path), Some(query)) = (
            field_str(event, "http_request.url.path"),
            field_str(event, "http_request.url.query_string"),
        ) {
            values.push(format!("{path}?{query}"));
        }
    }
    Some(values)
}

/// Compares the `s01-parse` values of a `parser.assert` with the events; returns the number
/// of values compared and the mismatches.
fn compare_crowdsec(path: &Path, events: &[Event<'_>]) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(path).expect("read parser.assert");
    let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("results[\"s01-parse\"]") else {
            continue;
        };
        let Some(at) = rest.find(".Evt.Parsed[\"") else {
            continue;
        };
        let rest = &rest[at + ".Evt.Parsed[\"".len()..];
        let Some((key, rest)) = rest.split_once("\"] == \"") else {
            continue;
        };
        let Some(value) = rest.strip_suffix('"') else {
            continue;
        };
        expected
            .entry(key.to_owned())
            .or_default()
            .push(go_unescape(value));
    }
    let mut count = 0;
    let mut errors = Vec::new();
    for (key, values) in &expected {
        let mut ours: Vec<String> = Vec::new();
        let mut mapped = false;
        for event in events {
            if let Some(candidates) = crowdsec_candidates(event, key) {
                mapped = true;
                ours.extend(candidates);
            }
        }
        if !mapped {
            continue;
        }
        for value in values {
            // `-` is CrowdSec's absent value; a request starting with `//` is its grok
            // pattern's reading of an absolute-form target (`https://host/…`), which we split
            // into scheme, host and path instead.
            if value.is_empty() || value == "-" || value.starts_with("//") {
                continue;
            }
            count += 1;
            if !ours.iter().any(|ours| ours == value) {
                errors.push(format!(
                    "{}: CrowdSec {key} = {value:?} not among our values {:?}",
                    path.display(),
                    ours.iter().take(40).collect::<Vec<_>>()
                ));
            }
        }
    }
    (count, errors)
}

// ---------------------------------------------------------------------------------------------
// OpenTelemetry S3 expected output.

/// `(key, value)` attribute pairs of an OTel expected YAML, in order (values unquoted).
fn otel_attributes(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut key: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(k) = line.strip_prefix("- key: ") {
            key = Some(k.to_owned());
        } else if let Some((kind, value)) = line.split_once(": ") {
            if matches!(kind, "stringValue" | "intValue" | "boolValue") {
                if let Some(k) = key.take() {
                    pairs.push((k, value.trim_matches('"').to_owned()));
                }
            } else if kind == "timeUnixNano" {
                pairs.push((
                    "timeUnixNano".to_owned(),
                    value.trim_matches('"').to_owned(),
                ));
            }
        }
    }
    pairs
}

fn compare_otel_s3(dir: &Path, events: &[Event<'_>], failures: &mut Vec<String>) -> usize {
    let path = dir.join("s3-access/otel-collector-contrib/valid_s3_access_log_expected.yaml");
    let text = std::fs::read_to_string(path).expect("read S3 expected yaml");
    let Some(event) = events.first() else {
        failures.push("S3 expected output: no event".to_owned());
        return 0;
    };
    let mut count = 0;
    for (key, value) in otel_attributes(&text) {
        let ours = match key.as_str() {
            "aws.s3.bucket" => field_str(event, "raw.bucket"),
            "aws.s3.owner" => field_str(event, "raw.bucket_owner"),
            "source.address" => field_str(event, "src_endpoint.ip"),
            "user.id" => field_str(event, "actor.user.uid"),
            "aws.request_id" => field_str(event, "metadata.original_event_uid"),
            "rpc.method" => field_str(event, "api.operation"),
            "http.request.method" => field_str(event, "http_request.http_method"),
            "url.path" => field_str(event, "http_request.url.url_string"),
            "http.response.status_code" => field_str(event, "http_response.code"),
            "http.response.body.size" => field_str(event, "http_response.length"),
            "duration" => field_str(event, "duration"),
            "user_agent.original" => field_str(event, "http_request.user_agent"),
            "aws.extended_request_id" => field_str(event, "raw.host_id"),
            "aws.signature.version" => field_str(event, "raw.signature_version"),
            "tls.cipher" => field_str(event, "raw.cipher_suite"),
            "aws.s3.auth_type" => field_str(event, "raw.authentication_type"),
            "http.request.header.host" => field_str(event, "http_request.url.hostname"),
            "tls.protocol.version" => field_str(event, "raw.tls_version"),
            "aws.s3.access_point.arn" => field_str(event, "raw.access_point_arn"),
            "aws.s3.acl_required" => event
                .get(&FieldPath::raw("acl_required").expect("path"))
                .as_bool()
                .map(|b| b.to_string()),
            "timeUnixNano" => Some((i128::from(event.time) * 1_000_000).to_string()),
            // OTel reads the request's protocol into url.scheme; we keep it as the version.
            "url.scheme" => field_str(event, "http_request.version"),
            "cloud.provider" => Some("aws".to_owned()),
            _ => continue,
        };
        count += 1;
        if ours.as_deref() != Some(value.as_str()) {
            failures.push(format!(
                "S3 expected output: {key} = {value:?}, ours {ours:?}"
            ));
        }
    }
    count
}

// ---------------------------------------------------------------------------------------------
// Datadog Envoy expected output.

fn compare_datadog_envoy(dir: &Path, events: &[Event<'_>], failures: &mut Vec<String>) -> usize {
    let path = dir.join("envoy-istio/datadog-integrations-core/envoy_tests.yaml");
    let text = std::fs::read_to_string(path).expect("read envoy_tests.yaml");
    let mut tests: Vec<Vec<(String, String)>> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("sample:") {
            tests.push(Vec::new());
            continue;
        }
        let Some(current) = tests.last_mut() else {
            continue;
        };
        if let Some((key, value)) = trimmed.split_once(": ") {
            current.push((key.to_owned(), value.trim_matches('"').to_owned()));
        }
    }
    let mut count = 0;
    for (index, (expected, event)) in tests.iter().zip(events).enumerate() {
        for (key, value) in expected {
            let ours = match key.as_str() {
                "timestamp" => Some(event.time.to_string()),
                "method" => field_str(event, "http_request.http_method"),
                "url" => field_str(event, "http_request.url.url_string"),
                "status_code" => field_str(event, "http_response.code"),
                "request_id" => field_str(event, "metadata.original_event_uid"),
                "useragent" => field_str(event, "http_request.user_agent"),
                "authority" => field_str(event, "http_request.url.hostname"),
                "bytes_read" => field_str(event, "traffic.bytes_in"),
                "bytes_written" => field_str(event, "traffic.bytes_out"),
                "protocol" => field_str(event, "http_request.version"),
                _ => continue,
            };
            count += 1;
            if ours.as_deref() != Some(value.as_str()) {
                failures.push(format!(
                    "Datadog envoy sample {index}: {key} = {value:?}, ours {ours:?}"
                ));
            }
        }
    }
    count
}
