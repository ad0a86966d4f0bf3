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
    let hack = base.join("k8saudit-gke/hack/rules.yaml");
    let samples = load_paths(&[&hack], &LoadOptions::default());
    assert_eq!(errors(&samples), Vec::<String>::new());
    assert_eq!(samples.rules.len(), 2);
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
    // Many cases share their rule files: load each combination once.
    let mut loaded: BTreeMap<Vec<String>, FalcoRules> = BTreeMap::new();
    for (name, case) in &suite.trace_files {
        let rules = loaded.entry(case.rules_file.clone()).or_insert_with(|| {
            let paths: Vec<PathBuf> = case
                .rules_file
                .iter()
                .map(|r| rules_path(&falco, r))
                .collect();
            load_paths(&paths, &LoadOptions::default())
        });
        let rules = &*rules;
        let errs = errors(rules);
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
        let got = detections(rules, &tests.join(trace));
        let expected: BTreeMap<String, u64> = case
            .detect_counts
            .iter()
            .flat_map(|m| m.iter().map(|(k, v)| (k.clone(), *v)))
            .collect();
        if truthy(&case.detect) {
            // Exactly the expected detections: no other rule fires on these traces either.
            if got != expected {
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

#[derive(Debug, serde::Deserialize)]
struct ExceptionSuite {
    trace_files: BTreeMap<String, ExceptionCase>,
}

#[derive(Debug, serde::Deserialize)]
struct ExpectedDiagnostic {
    item_type: String,
    item_name: String,
    code: String,
    message: String,
}

#[derive(Debug, serde::Deserialize)]
struct ExceptionCase {
    #[serde(default)]
    validate_errors: Vec<ExpectedDiagnostic>,
    #[serde(default)]
    validate_warnings: Vec<ExpectedDiagnostic>,
    #[serde(default)]
    validate_rules_file: Vec<String>,
    #[serde(default)]
    rules_file: Vec<String>,
}

/// Exception cases whose outcome depends on the syscall field table (out of scope: logsec
/// does not read syscall events, so it cannot tell `not.exist` from a real syscall field).
const SYSCALL_FIELD_CASES: &[&str] = &["rule_exception_unknown_fields"];

#[test]
fn conformance_falco_0_34_1_exception_loader_cases() {
    let Some(shared) = shared() else { return };
    let tests = falco(&shared).join("falcosecurity-falco-0.34.1-tests/test");
    let suite: ExceptionSuite = serde_saphyr::from_str(
        &std::fs::read_to_string(tests.join("falco_tests_exceptions.yaml")).unwrap(),
    )
    .unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, case) in &suite.trace_files {
        if SYSCALL_FIELD_CASES.contains(&name.as_str()) {
            continue;
        }
        let files = if case.validate_rules_file.is_empty() {
            &case.rules_file
        } else {
            &case.validate_rules_file
        };
        let paths: Vec<PathBuf> = files.iter().map(|f| tests.join(f)).collect();
        let rules = load_paths(&paths, &LoadOptions::default());
        let got: Vec<(String, String, String, String)> = rules
            .errors()
            .map(|d| {
                (
                    d.item_type.to_owned(),
                    d.item_name.clone(),
                    d.code.as_str().to_owned(),
                    d.message.clone(),
                )
            })
            .collect();
        let expected: Vec<(String, String, String, String)> = case
            .validate_errors
            .iter()
            .map(|e| {
                (
                    e.item_type.clone(),
                    e.item_name.clone(),
                    e.code.clone(),
                    e.message.clone(),
                )
            })
            .collect();
        if got != expected {
            failures.push(format!("{name}: expected errors {expected:?}, got {got:?}"));
        }
        for warning in &case.validate_warnings {
            let found = rules.warnings().any(|d| {
                d.item_type == warning.item_type
                    && d.item_name == warning.item_name
                    && d.code.as_str() == warning.code
                    && d.message == warning.message
            });
            if !found {
                failures.push(format!("{name}: missing warning {warning:?}"));
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 29, "cases checked");
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// One event per element of a CloudTrail `{"Records": [...]}` file, as the cloudtrail plugin
/// frames them.
fn cloudtrail_records(path: &Path) -> Vec<String> {
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    value["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.to_string())
        .collect()
}

fn cloudtrail_detections(
    rules: &FalcoRules,
    records: &[String],
) -> (BTreeMap<String, u64>, Vec<String>) {
    let set = rules.rule_set();
    let mut counts = BTreeMap::new();
    let mut messages = Vec::new();
    for record in records {
        let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::Cloudtrail);
        event.raw = RawRecord::json(record.as_str());
        let mut matches = Vec::new();
        set.matches(&event, &mut matches);
        if let Some(first) = matches.first() {
            let alert = set.alert(*first, &event).unwrap();
            *counts
                .entry(set.rule(first.rule).unwrap().id.clone())
                .or_insert(0) += 1;
            messages.push(alert.message.clone());
        }
    }
    (counts, messages)
}

#[test]
fn conformance_falco_0_34_1_cloudtrail_plugin_cases() {
    let Some(shared) = shared() else { return };
    let tests = falco(&shared).join("falcosecurity-falco-0.34.1-tests/test");
    let rules_file = tests.join("rules/plugins/cloudtrail_create_instances.yaml");

    // detect_create_instance and detect_create_instance_bigevent.
    let rules = load_paths(&[&rules_file], &LoadOptions::default());
    assert_eq!(errors(&rules), Vec::<String>::new());
    for trace in [
        "alice_start_instances.json",
        "alice_start_instances_bigevent.json",
    ] {
        let records = cloudtrail_records(&tests.join("trace_files/plugins").join(trace));
        let (counts, messages) = cloudtrail_detections(&rules, &records);
        assert_eq!(
            counts,
            BTreeMap::from([("Cloudtrail Create Instance".to_owned(), 1)]),
            "{trace}"
        );
        assert_eq!(
            rules.rule("Cloudtrail Create Instance").unwrap().priority,
            logsec_event::FalcoPriority::Informational
        );
        let message = messages.first().unwrap();
        assert!(message.starts_with("EC2 Instance Created (evtnum=1 info=us-east-2 Alice ec2 StartInstances Alice via 205.251.233.176"), "{message}");
        assert!(message.ends_with("user name=Alice)"), "{message}");
    }

    // no_plugins_unknown_source and no_plugins_unknown_source_rule_exception.
    let no_plugins = LoadOptions {
        sources: Vec::new(),
        ..LoadOptions::default()
    };
    for file in [
        "cloudtrail_create_instances.yaml",
        "cloudtrail_create_instances_exceptions.yaml",
    ] {
        let rules = load_paths(&[tests.join("rules/plugins").join(file)], &no_plugins);
        assert_eq!(errors(&rules), Vec::<String>::new(), "{file}");
        let warning = rules
            .warnings()
            .find(|d| d.code == Code::UnknownSource)
            .unwrap();
        assert_eq!(warning.item_type, "rule");
        assert_eq!(warning.item_name, "Cloudtrail Create Instance");
        assert_eq!(warning.message, "Unknown source aws_cloudtrail, skipping");
        assert_eq!(rules.skipped.len(), 1);
    }

    // incompat_plugin_rules_version.
    let rules = load_paths(
        &[tests.join("rules/plugins/cloudtrail_incompat_plugin_version.yaml")],
        &LoadOptions::default(),
    );
    let errs: Vec<&str> = rules.errors().map(|d| d.message.as_str()).collect();
    assert_eq!(
        errs,
        [
            "Plugin 'cloudtrail' version '0.17.1' is not compatible with required plugin version '100000.0.0'"
        ]
    );

    // With the cloudtrail source enabled, the exceptions variant names fields the plugin does
    // not have: a load error naming the field.
    let rules = load_paths(
        &[tests.join("rules/plugins/cloudtrail_create_instances_exceptions.yaml")],
        &LoadOptions::default(),
    );
    let errs: Vec<String> = rules
        .errors()
        .map(|d| format!("{} {}: {}", d.code, d.item_name, d.message))
        .collect();
    assert_eq!(
        errs,
        ["LOAD_ERR_VALIDATE user_secreid: 'aws.user' is not a supported filter field"]
    );
}

#[test]
fn conformance_upstream_rules_are_indexed_by_discriminating_fields() {
    let Some(shared) = shared() else { return };
    let base = falco(&shared).join("falcosecurity-plugins/plugins");
    let rules = load_paths(
        &[
            base.join("cloudtrail/rules/aws_cloudtrail_rules.yaml"),
            base.join("k8saudit/rules/k8s_audit_rules.yaml"),
        ],
        &LoadOptions::default(),
    );
    assert!(!rules.has_errors());
    let summary = rules.rule_set().index_summary();
    let indexed = |format: &str, field: &str| {
        summary
            .iter()
            .find(|(f, p, _)| f == format && p == field)
            .map_or(0, |(_, _, n)| *n)
    };
    // All 20 enabled CloudTrail rules are indexed on ct.name, the most discriminating field
    // they require (the two ECS rules also require ct.src, which has fewer values).
    assert_eq!(indexed("cloudtrail", "raw.eventName"), 20, "{summary:?}");
    assert_eq!(indexed("cloudtrail", "raw.eventSource"), 0, "{summary:?}");
    // The k8s rules that require both a verb and a resource are filed under the resource
    // (a dozen values against a handful of verbs).
    assert!(
        indexed("k8s_audit", "raw.objectRef.resource") >= 38,
        "{summary:?}"
    );
    let k8s: usize = summary
        .iter()
        .filter(|(f, _, _)| f == "k8s_audit")
        .map(|(_, _, n)| n)
        .sum();
    // 42 of 48 k8s rules are indexed; four of the others fold to `false` at compile time
    // (`not allowed_k8s_containers`, … where those macros default to "always true").
    assert!(k8s >= 42, "{summary:?}");
    let constant_false = rules
        .rules
        .iter()
        .filter(|r| matches!(r.compiled.condition, logsec_rules::ir::Expr::Const(false)))
        .count();
    assert_eq!(constant_false, 4);
}
