//! The rule-semantics corpus (`testdata/semantics/*.yaml`, format in its README), the cases
//! with `dialect: falco`, run through the Falco front-end and the shared IR.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use logsec_event::{Event, JsonValue, RawRecord, SourceFormat, ocsf};
use logsec_rules::falco::{LoadOptions, RuleFile, load};

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    dialect: String,
    rule: String,
    format: String,
    event: serde_json::Value,
    #[serde(default)]
    fields: Option<serde_json::Value>,
    /// OCSF attributes a Sigma case sets on its event; no Falco case uses them.
    #[serde(default)]
    #[allow(dead_code)]
    ocsf: Option<serde_json::Value>,
    expect: String,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

fn verdict(case: &Case) -> String {
    let rules = load(
        &[RuleFile::new(case.name.clone(), case.rule.clone())],
        &LoadOptions::default(),
    );
    if rules.has_errors() {
        return "error".into();
    }
    let format: SourceFormat = case.format.parse().unwrap();
    let mut event = Event::new(&ocsf::API_ACTIVITY, 0, format);
    match &case.event {
        serde_json::Value::String(line) => {
            event.raw = RawRecord::text(line.clone());
            if let Some(fields) = &case.fields {
                event.unmapped = Some(JsonValue::from_serde(fields));
            }
        }
        object => event.raw = RawRecord::json(object.to_string()),
    }
    let mut matches = Vec::new();
    rules.rule_set().matches(&event, &mut matches);
    if matches.is_empty() {
        "no_match".into()
    } else {
        "match".into()
    }
}

#[test]
fn falco_semantics_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/semantics");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in &files {
        let cases: Vec<Case> = serde_saphyr::from_str(&std::fs::read_to_string(file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in cases.iter().filter(|c| c.dialect == "falco") {
            ran += 1;
            let got = verdict(case);
            if got != case.expect {
                failures.push(format!(
                    "{}: {}: expected {}, got {got}",
                    file.display(),
                    case.name,
                    case.expect
                ));
            }
        }
    }
    assert!(ran >= 100, "only {ran} falco cases");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
