//! Every upstream CloudTrail rule (current and cloudtrail 0.7.0) fires on a true-positive record
//! and not on near misses. Cases: `testdata/falco/cloudtrail_rule_cases.yaml` (written for
//! logsec); rules: `../shared/corpus/falco` (skipped when absent, unless
//! `LOGSEC_REQUIRE_SHARED=1`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use logsec_event::{Event, RawRecord, SourceFormat, ocsf};
use logsec_rules::falco::{FalcoRules, LoadOptions, load_paths};

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    rule: String,
    base: serde_json::Value,
    #[serde(rename = "match")]
    matches: Vec<serde_json::Value>,
    #[serde(default)]
    no_match: Vec<serde_json::Value>,
    #[serde(default)]
    no_match_other_source: bool,
}

fn merged(base: &serde_json::Value, overlay: &serde_json::Value) -> String {
    let mut out = base.as_object().unwrap().clone();
    for (k, v) in overlay.as_object().unwrap() {
        out.insert(k.clone(), v.clone());
    }
    serde_json::Value::Object(out).to_string()
}

fn fires(rules: &FalcoRules, rule: &str, record: &str, format: SourceFormat) -> bool {
    let mut event = Event::new(&ocsf::API_ACTIVITY, 0, format);
    event.raw = RawRecord::json(record);
    rules
        .rule(rule)
        .unwrap_or_else(|| panic!("no rule {rule:?}"))
        .compiled
        .matches(&event)
}

fn rule_files() -> Option<Vec<PathBuf>> {
    let falco = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco");
    if !falco.is_dir() {
        if std::env::var("LOGSEC_REQUIRE_SHARED").as_deref() == Ok("1") {
            panic!("../shared not found and LOGSEC_REQUIRE_SHARED=1");
        }
        eprintln!("skipping: ../shared not found");
        return None;
    }
    Some(vec![
        falco.join("falcosecurity-plugins/plugins/cloudtrail/rules/aws_cloudtrail_rules.yaml"),
        falco.join("falcosecurity-plugins-falco-0.34.1-pins/plugins/cloudtrail/rules/aws_cloudtrail_rules.yaml"),
    ])
}

#[test]
fn conformance_every_upstream_cloudtrail_rule_fires_on_a_true_positive_only() {
    let Some(files) = rule_files() else { return };
    let cases: Vec<Case> = serde_saphyr::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/falco/cloudtrail_rule_cases.yaml"),
        )
        .unwrap(),
    )
    .unwrap();
    for file in files {
        let rules = load_paths(&[&file], &LoadOptions::default());
        assert!(!rules.has_errors(), "{}", file.display());
        let names: BTreeSet<&str> = rules.rules.iter().map(|r| r.name.as_str()).collect();
        let covered: BTreeSet<&str> = cases.iter().map(|c| c.rule.as_str()).collect();
        assert_eq!(
            names,
            covered,
            "every rule of {} has a case",
            file.display()
        );
        for case in &cases {
            for overlay in &case.matches {
                let record = merged(&case.base, overlay);
                assert!(
                    fires(&rules, &case.rule, &record, SourceFormat::Cloudtrail),
                    "{}: should fire on {record}",
                    case.rule
                );
            }
            for overlay in &case.no_match {
                let record = merged(&case.base, overlay);
                assert!(
                    !fires(&rules, &case.rule, &record, SourceFormat::Cloudtrail),
                    "{}: should not fire on {record}",
                    case.rule
                );
            }
            if case.no_match_other_source {
                let record = merged(&case.base, &serde_json::json!({}));
                assert!(
                    !fires(&rules, &case.rule, &record, SourceFormat::K8sAudit),
                    "{}: fired on a k8s event",
                    case.rule
                );
            }
            assert!(
                !case.no_match.is_empty() || case.no_match_other_source,
                "{}: no near miss",
                case.rule
            );
        }
    }
}
