//! Conformance over the shared corpus: every JSON-format data file is detected as its format
//! and parses without rejects; CrowdSec's expected parser output is compared field by field.
//!
//! The corpus lives outside the repository (`<root>/../shared/corpus/logs`); without it these
//! tests print `skipping: ../shared not found` and pass, unless `LOGSEC_REQUIRE_SHARED=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use logsec_event::{Event, FieldPath, SourceFormat};
use logsec_parse::{ParseOptions, parse_path};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/logs");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("LOGSEC_REQUIRE_SHARED").as_deref() != Ok("1"),
        "LOGSEC_REQUIRE_SHARED=1 but {} is missing",
        dir.display()
    );
    println!("skipping: ../shared not found");
    None
}

/// Directories of JSON formats and the format each holds.
const JSON_DIRS: &[(&str, SourceFormat)] = &[
    ("cloudtrail", SourceFormat::Cloudtrail),
    ("k8s-audit", SourceFormat::K8sAudit),
    ("gcp-audit", SourceFormat::GcpAudit),
    ("azure-activity", SourceFormat::AzureActivity),
];

/// Files that are not JSON log data, with the reason they are left out.
const EXCLUDED: &[(&str, &str)] = &[(
    "AWS_S3_HoneyBucketLogs.csv",
    "OTRF flattened CloudTrail S3 data events into CSV columns; it is no shape CloudTrail is \
         delivered in, and its rows lack the JSON record a rule's raw paths need",
)];

/// Records that really are malformed, as (file name, record number, reason). None so far.
const KNOWN_MALFORMED: &[(&str, u64, &str)] = &[];

fn is_data_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    // Licences, CrowdSec `*.assert` expectations and OTRF `*.metadata.yaml` are not logs.
    !name.starts_with("LICENSE") && matches!(ext, "json" | "jsonl" | "log" | "gz" | "csv")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if is_data_file(&path) {
            out.push(path);
        }
    }
}

#[test]
fn conformance_corpus_json() {
    let Some(root) = corpus() else { return };
    let mut checked = 0;
    let mut events = 0;
    for (dir, expected) in JSON_DIRS {
        let mut paths = Vec::new();
        files(&root.join(dir), &mut paths);
        assert!(!paths.is_empty(), "no files under {dir}");
        for path in paths {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if EXCLUDED.iter().any(|(excluded, _)| *excluded == name) {
                continue;
            }
            let summary = parse_path(&path, &ParseOptions::default(), |_| {})
                .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            assert_eq!(summary.format, Some(*expected), "{}", path.display());
            for reject in &summary.rejects {
                let known = KNOWN_MALFORMED
                    .iter()
                    .any(|(file, record, _)| *file == name && *record == reject.record);
                assert!(known, "unexpected reject: {reject}\n{}", reject.snippet);
            }
            assert!(summary.events > 0, "{}: no events", path.display());
            checked += 1;
            events += summary.events;
        }
    }
    // 8 CloudTrail, 47 k8s audit, 5 GCP and 4 Azure files (1303 records) at the time of writing.
    assert!(checked >= 60, "only {checked} files checked");
    assert!(events >= 1300, "only {events} events");
}

/// Reads CrowdSec `parser.assert` lines `results["s01-parse"]["<parser>"][N].Evt.Meta["K"] == "V"`.
fn crowdsec_meta(assert_text: &str, parser: &str) -> Vec<(usize, String, String)> {
    let prefix = format!("results[\"s01-parse\"][\"{parser}\"][");
    let mut out = Vec::new();
    for line in assert_text.lines() {
        let Some(rest) = line.strip_prefix(&prefix) else {
            continue;
        };
        let Some((index, rest)) = rest.split_once("].Evt.Meta[\"") else {
            continue;
        };
        let Some((key, value)) = rest.split_once("\"] == ") else {
            continue;
        };
        let value: String = serde_json::from_str(value).unwrap();
        out.push((index.parse().unwrap(), key.to_owned(), value));
    }
    out
}

fn text(event: &Event<'_>, path: &str) -> Option<String> {
    event
        .get(&FieldPath::parse(path).unwrap())
        .to_text()
        .map(|t| t.into_owned())
}

#[test]
fn conformance_crowdsec_cloudtrail_parser_assert() {
    let Some(root) = corpus() else { return };
    let dir = root.join("cloudtrail/crowdsec-hub/aws-cloudtrail");
    let assert_text = std::fs::read_to_string(dir.join("parser.assert")).unwrap();
    let expected = crowdsec_meta(&assert_text, "crowdsecurity/aws-cloudtrail");
    assert!(expected.len() > 20);
    let mut events = Vec::new();
    parse_path(
        dir.join("aws-cloudtrail.log"),
        &ParseOptions::default(),
        |e| {
            events.push(e.clone().into_owned());
        },
    )
    .unwrap();
    let mut compared = 0;
    for (index, key, value) in expected {
        let event = &events[index];
        let ours = match key.as_str() {
            "source_ip" => text(event, "src_endpoint.ip"),
            "event_name" => text(event, "api.operation"),
            "event_source" => text(event, "api.service.name"),
            "region" => text(event, "cloud.region"),
            "user_type" => text(event, "actor.user.type"),
            "account_id" => text(event, "actor.user.account.uid"),
            "event_id" => text(event, "metadata.original_event_uid"),
            "user_agent" => text(event, "http_request.user_agent"),
            // CrowdSec falls back to the user name when the identity has no ARN.
            "user_arn" => text(event, "actor.user.uid").or_else(|| text(event, "actor.user.name")),
            _ => continue,
        };
        assert_eq!(
            ours.as_deref(),
            Some(value.as_str()),
            "record {index} {key}"
        );
        compared += 1;
    }
    assert!(compared >= 18, "compared only {compared}");
}
