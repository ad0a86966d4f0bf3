//! Conformance of the Falco front-end against Falco's own rule files and golden cases in
//! `../shared/corpus/falco` (skipped when the shared folder is absent, unless
//! `LOGSEC_REQUIRE_SHARED=1`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use logsec_event::{Event, RawRecord, SourceFormat, ocsf};
use logsec_rules::falco::{Code, FalcoRules, LoadOptions, load_paths};

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.join("corpus/falco").is_dir() {
        return Some(dir);
    }
    if std::env::var("LOGSEC_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!("../shared not found and LOGSEC_REQUIRE_SHARED=1");
    }
    eprintln!("skipping: ../shared not found");
    None
}

fn falco(shared: &Path) -> PathBuf {
    shared.join("corpus/falco")
}

fn errors(rules: &FalcoRules) -> Vec<String> {
    rules.errors().map(|d| d.to_string()).collect()
}

#[test]
fn conformance_upstream_cloudtrail_rules_load_without_errors() {
    let Some(shared) = shared() else { return };
    let path = falco(&shared)
        .join("falcosecurity-plugins/plugins/cloudtrail/rules/aws_cloudtrail_rules.yaml");
    let rules = load_paths(&[path], &LoadOptions::default());
    assert_eq!(errors(&rules), Vec::<String>::new());
    assert_eq!(rules.rules.len(), 22, "skipped: {:?}", rules.skipped);
    assert!(rules.skipped.is_empty());
    let disabled: Vec<&str> = rules
        .rules
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(disabled, ["All Cloudtrail Events", "List Buckets"]);
}

#[test]
fn conformance_upstream_k8s_rules_and_gke_overrides_load_without_errors() {
    let Some(shared) = shared() else { return };
    let base = falco(&shared).join("falcosecurity-plugins/plugins");
    let k8s = base.join("k8saudit/rules/k8s_audit_rules.yaml");
    let rules = load_paths(&[&k8s], &LoadOptions::default());
    assert_eq!(errors(&rules), Vec::<String>::new());
    assert_eq!(rules.rules.len(), 48);
    let gke = base.join("k8saudit-gke/rules/k8s_audit_rules_gke.yaml");
    let with_gke = load_paths(&[&k8s, &gke], &LoadOptions::default());
    assert_eq!(errors(&with_gke), Vec::<String>::new());
    let user_rule = with_gke.rule("Disallowed K8s User").unwrap();
    assert_eq!(user_rule.exception_fields, ["ka.user.name"]);
    assert!(
        user_rule.condition_text.ends_with(
            "and not (( ka.user.name endswith @container-engine-robot.iam.gserviceaccount.com))"
        ),
        "{}",
        user_rule.condition_text
    );
}

#[test]
fn conformance_pinned_rule_files_load_without_errors() {
    let Some(shared) = shared() else { return };
    let f = falco(&shared);
    let rules = load_paths(
        &[
            f.join("falcosecurity-rules-0.1.0/rules/falco_rules.yaml"),
            f.join("falcosecurity-plugins-falco-0.34.1-pins/plugins/k8saudit/rules/k8s_audit_rules.yaml"),
            f.join("falcosecurity-plugins-falco-0.34.1-pins/plugins/cloudtrail/rules/aws_cloudtrail_rules.yaml"),
        ],
        &LoadOptions::default(),
    );
    assert_eq!(errors(&rules), Vec::<String>::new());
    assert!(rules.skipped.iter().all(|s| s.code == Code::UnknownSource));
    assert!(!rules.skipped.is_empty());
}

#[derive(Debug, serde::Deserialize)]
struct GoldenSuite {
    trace_files: BTreeMap<String, GoldenCase>,
}

#[derive(Debug, serde::Deserialize)]
struct GoldenCase {
    detect: serde_json::Value,
    rules_file: Vec<String>,
    #[serde(default)]
    detect_counts: Vec<BTreeMap<String, u64>>,
    addl_cmdline_opts: String,
}

fn truthy(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Maps a rules-file entry of the 0.34.1 test suite to the corpus copy.
fn rules_path(falco: &Path, entry: &str) -> PathBuf {
    let tests = falco.join("falcosecurity-falco-0.34.1-tests/test");
    if entry.ends_with("falcosecurity-rules-falco/falco_rules.yaml") {
        return falco.join("falcosecurity-rules-0.1.0/rules/falco_rules.yaml");
    }
    if entry.ends_with("k8saudit-rules/k8s_audit_rules.yaml") {
        return falco.join(
            "falcosecurity-plugins-falco-0.34.1-pins/plugins/k8saudit/rules/k8s_audit_rules.yaml",
        );
    }
    tests.join(entry.trim_start_matches("./"))
}

/// Runs the rules over every line of a trace file, as Falco 0.34.1 did: `rule_matching:
/// first` (the first matching enabled rule, in load order, takes the event).
fn detections(rules: &FalcoRules, trace: &Path) -> BTreeMap<String, u64> {
    let set = rules.rule_set();
    let text = std::fs::read_to_string(trace).unwrap();
    let mut counts = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
        event.raw = RawRecord::json(line);
        let mut matches = Vec::new();
        set.matches(&event, &mut matches);
        if let Some(first) = matches.first() {
            let rule = set.rule(first.rule).unwrap();
            *counts.entry(rule.id.clone()).or_insert(0) += 1;
        }
    }
    counts
}

#[test]
fn conformance_falco_0_34_1_k8s_audit_golden_cases() {
    let Some(shared) = shared() else { return };
    let falco = falco(&shared);
    let tests = falco.join("falcosecurity-falco-0.34.1-tests/test");
    let suite: GoldenSuite = serde_saphyr::from_str(
        &std::fs::read_to_string(tests.join("falco_k8s_audit_tests.yaml")).unwrap(),
    )
    .unwrap();
    assert_eq!(suite.trace_files.len(), 66);
    let mut failures = Vec::new();
    for (name, case) in &suite.trace_files {
        let paths: Vec<PathBuf> = case
            .rules_file
            .iter()
            .map(|r| rules_path(&falco, r))
            .collect();
        let rules = load_paths(&paths, &LoadOptions::default());
        let errs = errors(&rules);
        if !errs.is_empty() {
            failures.push(format!("{name}: load errors {errs:?}"));
            continue;
        }
        let trace = case
            .addl_cmdline_opts
            .split("open_params=")
            .nth(1)
            .unwrap()
            .trim();
        let got = detections(&rules, &tests.join(trace));
        let expected: BTreeMap<String, u64> = case
            .detect_counts
            .iter()
            .flat_map(|m| m.iter().map(|(k, v)| (k.clone(), *v)))
            .collect();
        if truthy(&case.detect) {
            let relevant: BTreeMap<String, u64> = expected
                .keys()
                .map(|k| (k.clone(), got.get(k).copied().unwrap_or(0)))
                .collect();
            if relevant != expected || got.is_empty() {
                failures.push(format!("{name}: expected {expected:?}, got {got:?}"));
            }
        } else if !got.is_empty() {
            failures.push(format!("{name}: expected no detection, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
