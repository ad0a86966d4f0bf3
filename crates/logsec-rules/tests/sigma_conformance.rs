//! Conformance against the shared Sigma corpus: SigmaHQ rules and the specification's schema
//! examples. Skips (passes) when `../shared` is absent, unless `LOGSEC_REQUIRE_SHARED=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use logsec_rules::sigma::{SigmaConfig, SigmaLoader, SigmaRules};
use logsec_rules::{RuleReport, RuleStatus};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/sigma");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("LOGSEC_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!("../shared not found and LOGSEC_REQUIRE_SHARED=1");
    }
    eprintln!("skipping: ../shared not found");
    None
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(path);
        }
    }
    out.sort();
}

fn load(files: &[PathBuf]) -> SigmaRules {
    let mut loader = SigmaLoader::new(SigmaConfig::default());
    for file in files {
        loader.add_file(
            file.display().to_string(),
            std::fs::read_to_string(file).unwrap(),
        );
    }
    loader.load().unwrap()
}

fn describe(line: &RuleReport) -> String {
    format!(
        "{} [{}] {:?}: {:?}",
        line.path, line.title, line.status, line.reason
    )
}

#[test]
fn conformance_sigmahq_rules_load_and_compile() {
    let Some(root) = corpus() else { return };
    let mut files = Vec::new();
    for set in [
        "rules",
        "rules-emerging-threats",
        "rules-placeholder",
        "rules-threat-hunting",
    ] {
        yaml_files(&root.join(set), &mut files);
    }
    assert!(files.len() > 240, "{} rule files", files.len());
    let rules = load(&files);
    let report = rules.report();
    assert_eq!(report.rules.len(), files.len(), "one report line per rule");
    let compiled = report.count(RuleStatus::Compiled);
    let others: Vec<String> = report
        .rules
        .iter()
        .filter(|r| r.status != RuleStatus::Compiled)
        .map(describe)
        .collect();
    eprintln!(
        "SigmaHQ corpus: {compiled}/{} compiled; not compiled:\n{}",
        report.rules.len(),
        others.join("\n")
    );
    assert!(
        compiled * 100 >= report.rules.len() * 99,
        "only {compiled} of {} compiled:\n{}",
        report.rules.len(),
        others.join("\n")
    );
    for line in &report.rules {
        if line.status != RuleStatus::Compiled {
            assert!(
                line.reason.as_deref().is_some_and(|r| r.len() > 10),
                "no precise reason: {}",
                describe(line)
            );
        }
    }
    // The placeholder rule is rejected for its missing placeholders, by name.
    let placeholder = report
        .rules
        .iter()
        .find(|r| r.path.contains("rules-placeholder"))
        .unwrap();
    assert_eq!(placeholder.status, RuleStatus::Unsupported);
    assert!(
        placeholder
            .reason
            .as_deref()
            .unwrap()
            .contains("%Legitimate_Countries%")
    );
    // Every compiled SigmaHQ rule targets a logsec source (Windows / Cisco convention examples
    // excepted), so it can run.
    let never = report
        .rules
        .iter()
        .filter(|r| r.warnings.iter().any(|w| w.contains("can never match")))
        .count();
    assert!(never <= 2, "{never} rules with no logsec source");
    assert!(rules.rule_set().len() >= compiled - never);
}

#[test]
fn conformance_sigmahq_placeholder_rule_compiles_with_placeholders() {
    let Some(root) = corpus() else { return };
    let mut files = Vec::new();
    yaml_files(&root.join("rules-placeholder"), &mut files);
    let mut config = SigmaConfig::default();
    config.placeholders.insert(
        "Legitimate_Countries".into(),
        vec!["DE".into(), "FR".into()],
    );
    config
        .placeholders
        .insert("Legitimate_IP_Ranges".into(), vec!["10.*".into()]);
    let mut loader = SigmaLoader::new(config);
    for file in &files {
        loader.add_file(
            file.display().to_string(),
            std::fs::read_to_string(file).unwrap(),
        );
    }
    let rules = loader.load().unwrap();
    let line = &rules.report().rules[0];
    assert_eq!(line.status, RuleStatus::Compiled, "{}", describe(line));
    assert!(
        line.warnings.iter().any(|w| w.contains("src_country")),
        "unmapped field reported: {:?}",
        line.warnings
    );
}

#[test]
fn conformance_legacy_aggregation_rules_are_unsupported() {
    let Some(root) = corpus() else { return };
    let mut files = Vec::new();
    yaml_files(&root.join("unsupported"), &mut files);
    assert_eq!(files.len(), 10);
    let rules = load(&files);
    for line in &rules.report().rules {
        assert_eq!(line.status, RuleStatus::Unsupported, "{}", describe(line));
        let reason = line.reason.as_deref().unwrap();
        assert!(reason.contains("legacy Sigma 1 aggregation"), "{reason}");
    }
}

#[test]
fn conformance_spec_schema_examples_compile() {
    let Some(root) = corpus() else { return };
    let mut files = Vec::new();
    yaml_files(&root.join("spec/tests/schema"), &mut files);
    assert!(files.len() >= 12, "{}", files.len());
    let rules = load(&files);
    let report = rules.report();
    assert_eq!(report.rules.len(), files.len());
    for line in &report.rules {
        assert_eq!(line.status, RuleStatus::Compiled, "{}", describe(line));
    }
    assert_eq!(rules.correlations().len(), 8);
    let ecs = report
        .rules
        .iter()
        .find(|r| r.path.ends_with("rule_ecs.yml"))
        .unwrap();
    assert!(
        ecs.warnings.iter().any(|w| w.contains("taxonomy \"ecs\"")),
        "{ecs:?}"
    );
}

/// SigmaHQ rules over Panther's labelled CloudTrail and EKS audit events (raw records): the
/// events Panther labels as true positives of the same behaviour are matched by the Sigma rule.
/// (Not every pair fits: SigmaHQ's TruffleHog rule wants the whole user agent `TruffleHog`,
/// Panther's sample says `trufflehog/3.63.0` — a whole-value mismatch by the spec.)
#[test]
fn conformance_sigmahq_rules_on_labelled_events() {
    use logsec_event::{Event, RawRecord, SourceFormat, ocsf};
    let Some(root) = corpus() else { return };
    let logs = root.join("../logs");
    let mut files = Vec::new();
    yaml_files(&root.join("rules/cloud/aws"), &mut files);
    yaml_files(&root.join("rules/application/kubernetes"), &mut files);
    let rules = load(&files);
    let pairs = [
        ("Restore Public AWS RDS Instance", "AWS.RDS.PublicRestore"),
        (
            "Potential Malicious Usage of CloudTrail System Manager",
            "AWS.SSM.DistributedCommand",
        ),
        (
            "Potential Remote Command Execution In Pod Container",
            "Kubernetes.Pod.Exec",
        ),
        (
            "Kubernetes Admission Controller Modification",
            "Kubernetes.AdmissionController.Created",
        ),
    ];
    let mut checked = 0;
    for (file, format) in [
        (
            "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl",
            SourceFormat::Cloudtrail,
        ),
        (
            "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl",
            SourceFormat::K8sAudit,
        ),
    ] {
        let text = std::fs::read_to_string(logs.join(file)).unwrap();
        for line in text.lines() {
            let labelled: serde_json::Value = serde_json::from_str(line).unwrap();
            let mut event = Event::new(&ocsf::API_ACTIVITY, 0, format);
            event.raw = RawRecord::json(labelled["log"].to_string());
            let mut matches = Vec::new();
            rules.matches(&event, &mut matches);
            let titles: Vec<&str> = matches
                .iter()
                .map(|m| rules.rule_set().rules()[m.rule].title.as_str())
                .collect();
            for (title, panther) in pairs {
                if labelled["rule_id"] == panther && labelled["expected_result"] == true {
                    checked += 1;
                    assert!(
                        titles.contains(&title),
                        "{title} missed {panther}: {}",
                        labelled["test_name"]
                    );
                }
            }
        }
    }
    assert_eq!(checked, 5);
}
