//! The data-driven rule-semantics corpus (`testdata/semantics/*.yaml`), run through the
//! front-end each case names. The format is described in `testdata/semantics/README.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use logsec_event::{Event, JsonValue, RawRecord, SourceFormat, ocsf};
use logsec_rules::ir::RuleSet;
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
    expect: String,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

/// Compiles `rule` with the front-end for `dialect`; `None` when this build has no such
/// front-end yet.
fn compile(dialect: &str, rule: &str) -> Option<Result<RuleSet, String>> {
    // The Sigma and Falco front-ends wire themselves in here.
    let _ = (dialect, rule);
    None::<Result<RuleSet, String>>
}

fn build_event(case: &Case) -> Result<Event<'static>, String> {
    let format: SourceFormat = case
        .format
        .parse()
        .map_err(|err| format!("bad format {:?}: {err}", case.format))?;
    let mut event = Event::new(&ocsf::API_ACTIVITY, 0, format);
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
