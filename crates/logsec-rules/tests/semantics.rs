//! The data-driven rule-semantics corpus (`testdata/semantics/*.yaml`), run through the
//! front-end each case names. The format is described in `testdata/semantics/README.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use logsec_event::{Event, JsonValue, RawRecord, SourceFormat, ocsf};
use logsec_rules::RuleStatus;
use logsec_rules::ir::RuleSet;
use logsec_rules::sigma::{SigmaConfig, SigmaLoader, SigmaMappings};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    dialect: String,
    rule: String,
    format: String,
    event: serde_json::Value,
    #[serde(default)]
    fields: Option<serde_json::Value>,
    #[serde(default)]
    ocsf: Option<serde_json::Value>,
    expect: String,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

/// Compiles `rule` with the front-end for `dialect`; `None` when this build has no such
/// front-end yet.
fn compile(dialect: &str, rule: &str) -> Option<Result<RuleSet, String>> {
    match dialect {
        "sigma" => Some(compile_sigma(rule)),
        "falco" => Some(compile_falco(rule)),
        _ => None,
    }
}

fn compile_falco(rule: &str) -> Result<RuleSet, String> {
    let rules = logsec_rules::falco::load(
        &[logsec_rules::falco::RuleFile::new("case.yaml", rule)],
        &logsec_rules::falco::LoadOptions::default(),
    );
    match rules.errors().next() {
        Some(err) => Err(err.to_string()),
        None => Ok(rules.rule_set()),
    }
}

fn compile_sigma(rule: &str) -> Result<RuleSet, String> {
    let mut loader = SigmaLoader::new(config());
    loader.add_file("case.yml", rule);
    let rules = loader.load().map_err(|err| err.to_string())?;
    for line in &rules.report().rules {
        if line.status != RuleStatus::Compiled {
            return Err(format!("{:?}: {:?}", line.status, line.reason));
        }
    }
    Ok(rules.rule_set().clone())
}

fn build_event(case: &Case) -> Result<Event<'static>, String> {
    let format: SourceFormat = case
        .format
        .parse()
        .map_err(|err| format!("bad format {:?}: {err}", case.format))?;
    let mut event = Event::new(&ocsf::API_ACTIVITY, 0, format);
    if let Some(attributes) = &case.ocsf {
        // OCSF attributes given by the case, merged over the new event's JSON form.
        let mut json: serde_json::Value =
            serde_json::from_str(&event.to_ocsf_json()).map_err(|e| e.to_string())?;
        merge(&mut json, attributes);
        event = Event::from_ocsf_json(&json.to_string()).map_err(|e| format!("ocsf: {e}"))?;
        event.metadata.log_format = Some(format);
    }
    match &case.event {
        serde_json::Value::String(line) => {
            event.raw = RawRecord::text(line.clone());
            if let Some(fields) = &case.fields {
                event.unmapped = Some(JsonValue::from_serde(fields));
            }
        }
        object => {
            event.raw = RawRecord::json(object.to_string());
        }
    }
    Ok(event)
}

fn merge(target: &mut serde_json::Value, source: &serde_json::Value) {
    match (target, source) {
        (serde_json::Value::Object(t), serde_json::Value::Object(s)) => {
            for (key, value) in s {
                merge(
                    t.entry(key.clone()).or_insert(serde_json::Value::Null),
                    value,
                );
            }
        }
        (t, s) => *t = s.clone(),
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/semantics")
}

#[test]
fn semantics_corpus() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("testdata/semantics exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no semantics cases found");
    let mut failures = Vec::new();
    let (mut ran, mut skipped) = (0, 0);
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable case file");
        let cases: Vec<Case> =
            serde_saphyr::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        for case in cases {
            let label = format!("{}: {}", file.display(), case.name);
            let Some(compiled) = compile(&case.dialect, &case.rule) else {
                skipped += 1;
                continue;
            };
            ran += 1;
            match (case.expect.as_str(), compiled) {
                ("error", Err(_)) => {}
                ("error", Ok(_)) => failures.push(format!("{label}: compiled, expected an error")),
                (_, Err(err)) => failures.push(format!("{label}: did not compile: {err}")),
                (expect, Ok(rules)) => {
                    let event = match build_event(&case) {
                        Ok(event) => event,
                        Err(err) => {
                            failures.push(format!("{label}: {err}"));
                            continue;
                        }
                    };
                    let mut matches = Vec::new();
                    rules.matches(&event, &mut matches);
                    let matched = !matches.is_empty();
                    // The index must never hide a rule: the indexed path agrees with trying
                    // every rule on its own.
                    let brute = rules.rules().iter().any(|rule| rule.matches(&event));
                    if brute != matched {
                        failures.push(format!(
                            "{label}: indexed evaluation says {matched}, rule by rule says {brute}"
                        ));
                    }
                    let wanted = match expect {
                        "match" => true,
                        "no_match" => false,
                        other => {
                            failures.push(format!("{label}: bad expect {other:?}"));
                            continue;
                        }
                    };
                    if matched != wanted {
                        failures.push(format!("{label}: expected {expect}, got the opposite"));
                    }
                }
            }
        }
    }
    eprintln!("semantics corpus: {ran} cases run, {skipped} skipped (front-end not built)");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The built-in mappings, parsed once for all cases.
fn config() -> SigmaConfig {
    static MAPPINGS: std::sync::OnceLock<SigmaMappings> = std::sync::OnceLock::new();
    SigmaConfig {
        mappings: Some(
            MAPPINGS
                .get_or_init(|| SigmaMappings::builtin().unwrap())
                .clone(),
        ),
        ..SigmaConfig::default()
    }
}
