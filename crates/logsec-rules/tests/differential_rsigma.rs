//! Differential test against rsigma (`rsigma-eval` / `rsigma-parser` `=0.23`): the SigmaHQ AWS
//! CloudTrail, Kubernetes audit and web rules over the logs of `../shared/corpus/logs` must give
//! the same verdict per (rule, event) in logsec and in rsigma, except the documented semantic
//! choices listed in [`EXPECTED_DIFFERENCES`] (see `docs/semantics.md`).
//!
//! What each engine sees:
//! - CloudTrail and Kubernetes audit: logsec parses the files with `logsec-parse` and evaluates
//!   its compiled rules on the events; rsigma gets the raw JSON record of each event
//!   (`event.raw`), the same record logsec's raw paths read.
//! - Web access logs are text, so there is no record rsigma could read as is. rsigma gets a JSON
//!   object with the W3C field names the SigmaHQ `webserver` / `proxy` rules use, filled from the
//!   values logsec parsed (method, path, query, user agent, status, ...). The comparison therefore
//!   tests the evaluators on the same field values, not the text parser. Keyword rules (lists of
//!   plain values) are left out of the web comparison: logsec searches the raw line, rsigma the
//!   values of the object it is given, which are not the same text by construction.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use logsec_event::{Event, FieldPath, FieldValue};
use logsec_parse::{ParseOptions, parse_path};
use logsec_rules::sigma::{SigmaConfig, SigmaLoader, SigmaRules};
use rsigma_eval::event::JsonEvent;

/// Documented differences: (rule id, event label, why). Each must actually differ.
/// Rule `aws_disable_bucket_versioning` (`requestParameters|contains: 'Suspended'`).
const OBJECT_TEXT: &str = "docs/semantics.md#fields (Objects): a test on an object sees its compact JSON, so requestParameters|contains: Suspended matches {\"status\":\"Suspended\"}; rsigma does not match objects";
/// Rule `kubernetes_audit_hostpath_mount` (`hostPath: '*'`).
const K8S_HOSTPATH: &str = "docs/semantics.md#logsources-and-fields + #values ('*' alone): the Kubernetes field hostPath maps to requestObject.spec.volumes.hostPath and '*' matches any present value, objects included; rsigma reads a top-level hostPath, which audit events do not have";
/// Rule `kubernetes_audit_privileged_pod_creation` (`capabilities: '*'`).
const K8S_CAPABILITIES: &str = "docs/semantics.md#logsources-and-fields + #values ('*' alone): the Kubernetes field capabilities maps to requestObject.spec.containers.securityContext.capabilities.add; rsigma reads a top-level capabilities, which audit events do not have";

/// Documented differences, all where logsec matches and rsigma does not:
/// (rule id, event as `file#n` under `corpus/logs`, the semantic choice in `docs/semantics.md`).
/// Each must actually differ (the test fails on a stale entry).
const EXPECTED_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "a136ac98-b2bc-4189-a14d-f0d0388e57a7",
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl#374",
        OBJECT_TEXT,
    ),
    (
        "a136ac98-b2bc-4189-a14d-f0d0388e57a7",
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl#377",
        OBJECT_TEXT,
    ),
    (
        "a136ac98-b2bc-4189-a14d-f0d0388e57a7",
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl#383",
        OBJECT_TEXT,
    ),
    (
        "a136ac98-b2bc-4189-a14d-f0d0388e57a7",
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl#385",
        OBJECT_TEXT,
    ),
    (
        "402b955c-8fe0-4a8c-b635-622b4ac5f902",
        "k8s-audit/falco-trace-files/create_nginx_pod_sensitive_mount.json#1",
        K8S_HOSTPATH,
    ),
    (
        "402b955c-8fe0-4a8c-b635-622b4ac5f902",
        "k8s-audit/falco-trace-files/create_nginx_pod_sensitive_mount_2nd_container.json#1",
        K8S_HOSTPATH,
    ),
    (
        "402b955c-8fe0-4a8c-b635-622b4ac5f902",
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl#95",
        K8S_HOSTPATH,
    ),
    (
        "402b955c-8fe0-4a8c-b635-622b4ac5f902",
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl#97",
        K8S_HOSTPATH,
    ),
    (
        "402b955c-8fe0-4a8c-b635-622b4ac5f902",
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl#98",
        K8S_HOSTPATH,
    ),
    (
        "c5cd1b20-36bb-488d-8c05-486be3d0cb97",
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl#80",
        K8S_CAPABILITIES,
    ),
    (
        "c5cd1b20-36bb-488d-8c05-486be3d0cb97",
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl#81",
        K8S_CAPABILITIES,
    ),
    (
        "c5cd1b20-36bb-488d-8c05-486be3d0cb97",
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl#83",
        K8S_CAPABILITIES,
    ),
];

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.join("sigma").is_dir() && dir.join("logs").is_dir() {
        return Some(dir);
    }
    if std::env::var("LOGSEC_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!("../shared not found and LOGSEC_REQUIRE_SHARED=1");
    }
    eprintln!("skipping: ../shared not found");
    None
}

fn files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, exts, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
        {
            out.push(path);
        }
    }
    out.sort();
}

/// Both engines compiled from the same rule files; only rules both compiled are compared.
struct Engines {
    logsec: SigmaRules,
    /// The same rules with the raw-bytes prefilter on: must give the same verdicts.
    logsec_prefiltered: SigmaRules,
    rsigma: rsigma_eval::Engine,
    /// Rule ids compared.
    compared: BTreeSet<String>,
}

fn engines(rule_files: &[PathBuf], keep: impl Fn(&str) -> bool) -> Engines {
    let mut loader = SigmaLoader::new(SigmaConfig::default());
    let mut rsigma = rsigma_eval::Engine::new();
    let mut rsigma_ids = BTreeSet::new();
    for file in rule_files {
        let text = std::fs::read_to_string(file).unwrap();
        if !keep(&text) {
            continue;
        }
        loader.add_file(file.display().to_string(), text.clone());
        match rsigma_parser::parse_sigma_yaml(&text) {
            Ok(collection) => {
                for rule in &collection.rules {
                    if rsigma.add_rule(rule).is_ok() {
                        rsigma_ids.insert(rule.id.clone().unwrap_or_else(|| rule.title.clone()));
                    } else {
                        eprintln!("rsigma does not compile {}", file.display());
                    }
                }
            }
            Err(err) => eprintln!("rsigma does not parse {}: {err}", file.display()),
        }
    }
    let logsec = loader.load().unwrap();
    let logsec_ids: BTreeSet<String> = logsec.detections().iter().map(|d| d.id.clone()).collect();
    for id in rsigma_ids.symmetric_difference(&logsec_ids) {
        eprintln!("compiled by one engine only, not compared: {id}");
    }
    let compared = rsigma_ids.intersection(&logsec_ids).cloned().collect();
    let mut logsec_prefiltered = logsec.clone();
    logsec_prefiltered.set_raw_prefilter(true);
    Engines {
        logsec,
        logsec_prefiltered,
        rsigma,
        compared,
    }
}

fn logsec_verdicts(rules: &SigmaRules, event: &Event<'_>) -> BTreeSet<String> {
    let mut out = Vec::new();
    rules.matches(event, &mut out);
    out.iter()
        .filter_map(|m| rules.detection_of(*m))
        .filter_map(|d| rules.detections().get(d))
        .map(|d| d.id.clone())
        .collect()
}

fn rsigma_verdicts(engine: &rsigma_eval::Engine, record: &serde_json::Value) -> BTreeSet<String> {
    engine
        .evaluate(&JsonEvent::borrow(record))
        .into_iter()
        .map(|r| r.header.rule_id.unwrap_or(r.header.rule_title))
        .collect()
}

/// The W3C fields rsigma sees for a web access event, from the values logsec parsed.
fn web_record(event: &Event<'_>) -> serde_json::Value {
    let get = |path: &str| event.get(&FieldPath::parse(path).unwrap());
    let mut object = serde_json::Map::new();
    let mut put = |names: &[&str], value: &FieldValue<'_>| {
        if value.has_value() {
            for name in names {
                object.insert((*name).to_owned(), value.to_json());
            }
        }
    };
    put(&["c-ip", "src_ip", "clientip"], &get("src_endpoint.ip"));
    put(&["cs-method"], &get("http_request.http_method"));
    put(
        &["cs-uri-stem", "c-uri-stem"],
        &get("http_request.url.path"),
    );
    put(
        &["cs-uri-query", "c-uri-query"],
        &get("http_request.url.query_string"),
    );
    put(&["cs-host", "r-dns"], &get("http_request.url.hostname"));
    put(
        &["cs-user-agent", "c-useragent"],
        &get("http_request.user_agent"),
    );
    put(
        &["cs-referer", "cs-referrer"],
        &get("http_request.referrer"),
    );
    put(&["sc-status"], &get("http_response.code"));
    put(&["cs-version"], &get("http_request.version"));
    put(&["cs-username"], &get("actor.user.name"));
    let path = get("http_request.url.path");
    if let Some(path) = path.as_str() {
        let query = get("http_request.url.query_string");
        let uri = match query.as_str() {
            Some(q) if !q.is_empty() => format!("{path}?{q}"),
            _ => path.to_owned(),
        };
        object.insert("c-uri".into(), uri.clone().into());
        object.insert("cs-uri".into(), uri.into());
    }
    serde_json::Value::Object(object)
}

/// Runs both engines over every event of `logs` and returns the differing (rule, event) pairs
/// with which engine matched: (rule id, event label) → "logsec" or "rsigma".
fn compare(
    engines: &Engines,
    logs: &[PathBuf],
    root: &Path,
    record: impl Fn(&Event<'_>) -> Option<serde_json::Value>,
    events_seen: &mut usize,
    matches_seen: &mut usize,
) -> BTreeMap<(String, String), &'static str> {
    let mut diffs = BTreeMap::new();
    for log in logs {
        let label_base = log.strip_prefix(root).unwrap_or(log).display().to_string();
        let mut index = 0usize;
        let result = parse_path(log, &ParseOptions::default(), |event| {
            index += 1;
            let Some(record) = record(event) else { return };
            *events_seen += 1;
            let all = logsec_verdicts(&engines.logsec, event);
            assert_eq!(
                all,
                logsec_verdicts(&engines.logsec_prefiltered, event),
                "the raw prefilter changed a verdict on {label_base}#{index}"
            );
            let ours: BTreeSet<String> = all
                .into_iter()
                .filter(|id| engines.compared.contains(id))
                .collect();
            let theirs: BTreeSet<String> = rsigma_verdicts(&engines.rsigma, &record)
                .into_iter()
                .filter(|id| engines.compared.contains(id))
                .collect();
            *matches_seen += ours.len();
            let label = format!("{label_base}#{index}");
            for id in ours.difference(&theirs) {
                diffs.insert((id.clone(), label.clone()), "logsec");
            }
            for id in theirs.difference(&ours) {
                diffs.insert((id.clone(), label.clone()), "rsigma");
            }
        });
        if let Err(err) = result {
            eprintln!("not parsed, skipped: {}: {err}", log.display());
        }
    }
    diffs
}

fn raw_json(event: &Event<'_>) -> Option<serde_json::Value> {
    event
        .raw
        .is_json()
        .then(|| serde_json::from_str(event.raw.as_str()).ok())
        .flatten()
}

#[test]
fn conformance_differential_rsigma() {
    let Some(root) = shared() else { return };
    let sigma = root.join("sigma/rules");
    let logs = root.join("logs");
    let log_exts = ["log", "json", "jsonl"];
    let mut diffs = BTreeMap::new();
    let mut summary = Vec::new();

    // (rule dir, log dir, record rsigma sees, rule filter)
    type Record = fn(&Event<'_>) -> Option<serde_json::Value>;
    let groups: [(&str, &str, Record, bool); 3] = [
        ("cloud/aws", "cloudtrail", raw_json, false),
        ("application/kubernetes", "k8s-audit", raw_json, false),
        ("web", "web-access", |e| Some(web_record(e)), true),
    ];
    for (rule_dir, log_dir, record, fields_only) in groups {
        let mut rule_files = Vec::new();
        files(&sigma.join(rule_dir), &["yml", "yaml"], &mut rule_files);
        // Keyword rules are left out of the web comparison (see the module documentation).
        let engines = engines(&rule_files, |text| !fields_only || !has_keywords(text));
        let mut log_files = Vec::new();
        files(&logs.join(log_dir), &log_exts, &mut log_files);
        let (mut events, mut matches) = (0, 0);
        let found = compare(
            &engines,
            &log_files,
            &logs,
            record,
            &mut events,
            &mut matches,
        );
        summary.push(format!(
            "{rule_dir} × {log_dir}: {} rules compared, {events} events, {matches} logsec matches, {} differences",
            engines.compared.len(),
            found.len()
        ));
        assert!(engines.compared.len() >= 10, "{rule_dir}: too few rules");
        assert!(events >= 10, "{log_dir}: too few events");
        diffs.extend(found);
    }
    eprintln!("{}", summary.join("\n"));

    let expected: BTreeSet<(String, String)> = EXPECTED_DIFFERENCES
        .iter()
        .map(|(rule, event, _)| ((*rule).to_owned(), (*event).to_owned()))
        .collect();
    let unexpected: Vec<String> = diffs
        .iter()
        .filter(|(key, who)| !expected.contains(*key) || **who != "logsec")
        .map(|((rule, event), who)| format!("{rule} {event}: only {who} matches"))
        .collect();
    let stale: Vec<&(String, String)> = expected
        .iter()
        .filter(|key| !diffs.contains_key(*key))
        .collect();
    assert!(
        unexpected.is_empty(),
        "undocumented differences with rsigma:\n{}",
        unexpected.join("\n")
    );
    assert!(
        stale.is_empty(),
        "documented but no longer differing: {stale:?}"
    );
}

/// Whether a rule has a keyword search identifier (a list of plain values).
fn has_keywords(text: &str) -> bool {
    fn keywords(detection: &rsigma_parser::Detection) -> bool {
        match detection {
            rsigma_parser::Detection::Keywords(_) => true,
            rsigma_parser::Detection::AnyOf(items) => items.iter().any(keywords),
            _ => false,
        }
    }
    rsigma_parser::parse_sigma_yaml(text).is_ok_and(|c| {
        c.rules
            .iter()
            .any(|rule| rule.detection.named.values().any(keywords))
    })
}
