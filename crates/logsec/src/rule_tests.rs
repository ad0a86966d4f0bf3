//! Rule tests: each rule file `<rule>.yml` may have a sibling `<rule>.tests.jsonl` of true
//! positives and near misses (format in `rules/README.md`). [`run_rule_tests`] loads each rule
//! file alone (with the placeholder defaults), feeds its test records through the real parser of
//! their format and the engine, and checks every expectation.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use logsec_event::{Event, SourceFormat};
use logsec_parse::{ParseOptions, parse_bytes};
use logsec_rules::sigma::CorrelationConfig;
use logsec_rules::{Engine, EngineOptions, RuleFile};
use serde::Deserialize;

use crate::pipeline::{PipelineError, rule_files_under};

/// One test line.
#[derive(Debug, Clone, Deserialize)]
struct TestLine {
    format: String,
    record: serde_json::Value,
    #[serde(default)]
    expect: Option<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    sequence: Option<String>,
    #[serde(default)]
    rule: Option<String>,
}

/// One failed expectation or unusable test line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleTestFailure {
    /// The test file.
    pub file: PathBuf,
    /// 1-based line number in the test file.
    pub line: usize,
    /// What went wrong.
    pub message: String,
}

/// The outcome of a rule-test run.
#[derive(Debug, Clone, Default)]
pub struct RuleTestReport {
    /// Rule files that had a tests file.
    pub rule_files: usize,
    /// Rule files without a tests file.
    pub untested: Vec<PathBuf>,
    /// Expectations checked.
    pub expectations: usize,
    /// Expectations that held.
    pub passed: usize,
    /// Everything that failed.
    pub failures: Vec<RuleTestFailure>,
}

impl RuleTestReport {
    /// Whether every expectation held.
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs the tests of every rule file under `paths` (files or directories), with `placeholders`
/// for `|expand`.
pub fn run_rule_tests<P: AsRef<Path>>(
    paths: &[P],
    placeholders: &HashMap<String, Vec<String>>,
) -> Result<RuleTestReport, PipelineError> {
    let mut report = RuleTestReport::default();
    for path in paths {
        for rule_path in rule_files_under(path.as_ref())? {
            let tests_path = tests_file_for(&rule_path);
            let text =
                std::fs::read_to_string(&rule_path).map_err(|source| PipelineError::RuleRead {
                    path: rule_path.clone(),
                    source,
                })?;
            if logsec_rules::detect_dialect(&text) == logsec_rules::FileDialect::NotRules {
                continue;
            }
            let Ok(tests) = std::fs::read_to_string(&tests_path) else {
                report.untested.push(rule_path);
                continue;
            };
            report.rule_files += 1;
            run_file(
                &rule_path,
                &text,
                &tests_path,
                &tests,
                placeholders,
                &mut report,
            );
        }
    }
    Ok(report)
}

fn tests_file_for(rule_path: &Path) -> PathBuf {
    let stem = rule_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    rule_path.with_file_name(format!("{stem}.tests.jsonl"))
}

struct Target<'e> {
    engine: &'e Engine,
    /// `None`: the file's alerting document; `Some(name)`: a named rule or correlation.
    rule: Option<String>,
}

impl Target<'_> {
    /// Whether the target fired on `event`, given the alerts the engine raised on it.
    fn fired(&self, event: &Event<'_>, alerts: &[logsec_event::Alert]) -> bool {
        let sigma = self.engine.sigma();
        match &self.rule {
            // The file holds one alerting rule (its first document); its other documents only
            // feed correlations and raise no alerts, so any alert is the target's.
            None => !alerts.is_empty(),
            Some(name) => {
                if alerts
                    .iter()
                    .any(|a| &a.rule().id == name || a.rule().title == *name)
                {
                    return true;
                }
                let mut matches = Vec::new();
                sigma.matches(event, &mut matches);
                matches.iter().any(|m| {
                    sigma
                        .detection_of(*m)
                        .and_then(|d| sigma.detections().get(d))
                        .is_some_and(|d| d.name.as_deref() == Some(name.as_str()) || d.id == *name)
                })
            }
        }
    }
}

fn run_file(
    rule_path: &Path,
    rule_text: &str,
    tests_path: &Path,
    tests: &str,
    placeholders: &HashMap<String, Vec<String>>,
    report: &mut RuleTestReport,
) {
    let mut options = EngineOptions::default();
    options.sigma.placeholders = placeholders.clone();
    // Test expectations are per line, so correlations must fire on the line that completes
    // them: no lateness.
    options.correlation = CorrelationConfig {
        allowed_lateness_ms: 0,
        ..CorrelationConfig::default()
    };
    let engine = Engine::load(
        &[RuleFile::new(rule_path.display().to_string(), rule_text)],
        &options,
    );
    let fail = |report: &mut RuleTestReport, line: usize, message: String| {
        report.failures.push(RuleTestFailure {
            file: tests_path.to_owned(),
            line,
            message,
        });
    };
    if engine.has_errors() {
        let reasons: Vec<String> = engine
            .report()
            .rules
            .iter()
            .filter_map(|r| r.reason.clone())
            .collect();
        fail(
            report,
            0,
            format!("rule file does not load: {}", reasons.join("; ")),
        );
        return;
    }
    // Lines grouped by sequence (in file order); lines without a sequence stand alone.
    let mut groups: BTreeMap<String, Vec<(usize, TestLine)>> = BTreeMap::new();
    let mut singles = Vec::new();
    for (index, text) in tests.lines().enumerate() {
        let line = index + 1;
        if text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<TestLine>(text) {
            Ok(test) => match &test.sequence {
                Some(name) => groups.entry(name.clone()).or_default().push((line, test)),
                None => singles.push(vec![(line, test)]),
            },
            Err(err) => fail(report, line, format!("not a test line: {err}")),
        }
    }
    for group in singles.into_iter().chain(groups.into_values()) {
        run_sequence(&engine, &group, tests_path, report);
    }
}

fn run_sequence(
    engine: &Engine,
    lines: &[(usize, TestLine)],
    tests_path: &Path,
    report: &mut RuleTestReport,
) {
    let mut state = engine.new_state();
    let mut fired_before: HashMap<Option<String>, bool> = HashMap::new();
    for (line, test) in lines {
        let Some(format) = SourceFormat::from_name(&test.format) else {
            report.failures.push(RuleTestFailure {
                file: tests_path.to_owned(),
                line: *line,
                message: format!("unknown format {:?}", test.format),
            });
            continue;
        };
        let bytes = match &test.record {
            serde_json::Value::String(text) => text.clone().into_bytes(),
            other => other.to_string().into_bytes(),
        };
        let parse_options = ParseOptions {
            format: Some(format),
            ..ParseOptions::default()
        };
        let parsed = match parse_bytes(&bytes, &parse_options) {
            Ok(parsed) if parsed.events.len() == 1 && parsed.rejects().is_empty() => parsed,
            Ok(parsed) => {
                report.failures.push(RuleTestFailure {
                    file: tests_path.to_owned(),
                    line: *line,
                    message: format!(
                        "the record gave {} events and {} rejects, not one event ({})",
                        parsed.events.len(),
                        parsed.rejects().len(),
                        parsed
                            .rejects()
                            .iter()
                            .map(|r| r.reason.clone())
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                });
                continue;
            }
            Err(err) => {
                report.failures.push(RuleTestFailure {
                    file: tests_path.to_owned(),
                    line: *line,
                    message: format!("the record does not parse as {format}: {err}"),
                });
                continue;
            }
        };
        let Some(event) = parsed.events.first() else {
            continue;
        };
        let mut alerts = Vec::new();
        engine.process(event, &mut state, &mut alerts);
        let target = Target {
            engine,
            rule: test.rule.clone(),
        };
        let fired = target.fired(event, &alerts);
        let seen = fired_before.entry(test.rule.clone()).or_insert(false);
        if let Some(expect) = &test.expect {
            report.expectations += 1;
            let ok = match expect.as_str() {
                "match" => fired,
                "no_match" => !fired && !*seen,
                other => {
                    report.failures.push(RuleTestFailure {
                        file: tests_path.to_owned(),
                        line: *line,
                        message: format!("expect must be match or no_match, not {other:?}"),
                    });
                    continue;
                }
            };
            if ok {
                report.passed += 1;
            } else {
                report.failures.push(RuleTestFailure {
                    file: tests_path.to_owned(),
                    line: *line,
                    message: format!(
                        "expected {expect}{} but the rule {}: {}",
                        test.rule
                            .as_deref()
                            .map(|r| format!(" of {r}"))
                            .unwrap_or_default(),
                        if fired || *seen {
                            "fired"
                        } else {
                            "did not fire"
                        },
                        test.note
                    ),
                });
            }
        }
        *seen |= fired;
    }
}
