//! The bundled pack: every rule loads, and every rule's own test events hold.

use std::path::PathBuf;

#[test]
fn every_pack_rule_compiles() {
    let pipeline = logsec::Pipeline::builder().build();
    let report = pipeline.engine().report();
    let broken: Vec<_> = report
        .rules
        .iter()
        .filter(|r| r.status != logsec::rules::RuleStatus::Compiled)
        .map(|r| format!("{} {}: {:?} {:?}", r.path, r.title, r.status, r.reason))
        .collect();
    assert!(broken.is_empty(), "{broken:#?}");
    assert!(report.rules.len() >= 70, "{} rules", report.rules.len());
}

#[test]
fn every_pack_rule_passes_its_tests() {
    let rules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let report = logsec::run_rule_tests(&[rules], &logsec::default_placeholders()).unwrap();
    let failures: Vec<String> = report
        .failures
        .iter()
        .map(|f| format!("{}:{}: {}", f.file.display(), f.line, f.message))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        report.expectations,
        failures.join("\n")
    );
    assert!(report.untested.is_empty(), "{:?}", report.untested);
    assert!(report.expectations >= 200, "{}", report.expectations);
}
