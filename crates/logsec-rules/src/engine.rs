//! One engine over rule files of both dialects.
//!
//! [`Engine::load`] takes rule files in order, decides each file's dialect from its text, loads
//! every Sigma file together (correlations reference rules across files) and every Falco file
//! into one namespace in the order given (so an override file extends the files before it),
//! and merges both load reports. Evaluation is [`Engine::process`] per event with a per-stream
//! [`EngineState`], then [`Engine::finish`] at end of input.

use std::collections::HashMap;

use logsec_event::{Alert, Event, SourceFormat};

use crate::falco::{self, FalcoRules, Level, LoadOptions, RuleFile};
use crate::ir::{RuleMatch, RuleSet};
use crate::report::{LoadReport, RuleReport, RuleStatus};
use crate::sigma::{
    CorrelationConfig, CorrelationEngine, CorrelationInput, CorrelationPartitioner, SigmaConfig,
    SigmaLoader, SigmaRules,
};

/// The dialect of a rules file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileDialect {
    /// Falco rules language: a YAML sequence of `rule`/`macro`/`list` items.
    Falco,
    /// Sigma: YAML documents with `detection`, `correlation` or `filter`.
    Sigma,
    /// A YAML file that holds no rules (a configuration file, say).
    NotRules,
}

/// Decides a file's dialect from its text: Falco files are YAML sequences (their first content
/// line starts with `- `), Sigma documents are mappings with a `detection:`, `correlation:` or
/// `filter:` key at the top level.
pub fn detect_dialect(text: &str) -> FileDialect {
    let mut saw_sigma_key = false;
    let mut first_content: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_end();
        let content = trimmed.trim_start();
        if content.is_empty() || content.starts_with('#') || content == "---" || content == "..." {
            continue;
        }
        if first_content.is_none() {
            first_content = Some(trimmed);
        }
        let top_level = !trimmed.starts_with([' ', '\t']);
        if top_level
            && ["detection:", "correlation:", "filter:"]
                .iter()
                .any(|key| trimmed.starts_with(key))
        {
            saw_sigma_key = true;
        }
    }
    match first_content {
        Some(first) if first.starts_with("- ") || first == "-" => FileDialect::Falco,
        Some(_) if saw_sigma_key => FileDialect::Sigma,
        _ => FileDialect::NotRules,
    }
}

/// How to load an [`Engine`].
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// Sigma configuration (placeholder values for `|expand`, mappings).
    pub sigma: SigmaConfig,
    /// Falco loader options (sources, plugin versions).
    pub falco: LoadOptions,
    /// Correlation windows and state bounds.
    pub correlation: CorrelationConfig,
}

/// Rules of both dialects, compiled, with their load report.
#[derive(Debug, Clone)]
pub struct Engine {
    sigma: SigmaRules,
    falco: Option<FalcoRules>,
    falco_set: RuleSet,
    report: LoadReport,
    skipped_files: Vec<String>,
    correlation: CorrelationConfig,
}

/// Per-stream evaluation state: correlation windows and scratch space.
#[derive(Debug)]
pub struct EngineState {
    correlation: CorrelationEngine,
    scratch: Vec<RuleMatch>,
}

impl Engine {
    /// Loads `files` (name and text, in order). Rule-level problems are in [`Engine::report`];
    /// a Sigma file that is not YAML at all is an error entry too, so loading never fails.
    pub fn load(files: &[RuleFile], options: &EngineOptions) -> Engine {
        let mut sigma_loader = SigmaLoader::new(options.sigma.clone());
        let mut falco_files = Vec::new();
        let mut skipped_files = Vec::new();
        for file in files {
            match detect_dialect(&file.text) {
                FileDialect::Sigma => {
                    sigma_loader.add_file(file.name.clone(), file.text.clone());
                }
                FileDialect::Falco => falco_files.push(file.clone()),
                FileDialect::NotRules => skipped_files.push(file.name.clone()),
            }
        }
        let mut report = LoadReport::default();
        let sigma = match sigma_loader.load() {
            Ok(rules) => rules,
            Err(err) => {
                report.rules.push(RuleReport {
                    path: String::new(),
                    id: None,
                    title: "Sigma rules".into(),
                    dialect: "sigma".into(),
                    status: RuleStatus::Error,
                    reason: Some(err.to_string()),
                    location: None,
                    warnings: Vec::new(),
                });
                SigmaRules::default()
            }
        };
        report.extend(sigma.report().clone());
        let falco = (!falco_files.is_empty()).then(|| falco::load(&falco_files, &options.falco));
        let falco_set = falco.as_ref().map(FalcoRules::rule_set).unwrap_or_default();
        if let Some(falco) = &falco {
            report.extend(falco_report(falco));
        }
        Engine {
            sigma,
            falco,
            falco_set,
            report,
            skipped_files,
            correlation: options.correlation,
        }
    }

    /// What happened to every rule.
    pub fn report(&self) -> &LoadReport {
        &self.report
    }

    /// Files that held no rules and were skipped.
    pub fn skipped_files(&self) -> &[String] {
        &self.skipped_files
    }

    /// Whether any rule failed to load (an `error` entry in the report).
    pub fn has_errors(&self) -> bool {
        self.report.count(RuleStatus::Error) > 0
    }

    /// The Sigma rules.
    pub fn sigma(&self) -> &SigmaRules {
        &self.sigma
    }

    /// The Falco rules, if any Falco file was loaded.
    pub fn falco(&self) -> Option<&FalcoRules> {
        self.falco.as_ref()
    }

    /// How many rules run (compiled, enabled), both dialects.
    pub fn active_rules(&self) -> usize {
        self.sigma.rule_set().len() + self.falco_set.len() + self.sigma.correlations().len()
    }

    /// Whether any Sigma correlation is loaded.
    pub fn has_correlations(&self) -> bool {
        !self.sigma.correlations().is_empty()
    }

    /// Whether every single-event rule (both dialects) that applies to records of `format`
    /// reads only the raw record, so matching a record does not need its normalized event (see
    /// [`RuleSet::reads_raw_only`]); a scan then normalizes only the records that match.
    pub fn reads_raw_only(&self, format: SourceFormat) -> bool {
        self.sigma.rule_set().reads_raw_only(format) && self.falco_set.reads_raw_only(format)
    }

    /// Whether any single-event rule of either dialect matches `event` (`scratch` is
    /// overwritten with the last dialect's matches). Rules that only feed a correlation count.
    pub fn matches_any(&self, event: &Event<'_>, scratch: &mut Vec<RuleMatch>) -> bool {
        scratch.clear();
        self.sigma.matches(event, scratch);
        if !scratch.is_empty() {
            return true;
        }
        self.falco_set.matches(event, scratch);
        !scratch.is_empty()
    }

    /// A fresh evaluation state for one stream of events.
    pub fn new_state(&self) -> EngineState {
        EngineState {
            correlation: CorrelationEngine::new(&self.sigma, self.correlation),
            scratch: Vec::new(),
        }
    }

    /// Evaluates one event: appends the alerts of matching single-event rules and of
    /// correlations that became final.
    pub fn process(&self, event: &Event<'_>, state: &mut EngineState, alerts: &mut Vec<Alert>) {
        self.sigma
            .process(event, &mut state.correlation, &mut state.scratch, alerts);
        self.falco_alerts(event, &mut state.scratch, alerts);
    }

    /// Single-event rules only (no correlation state): appends their alerts, and returns
    /// whether the event matched a rule that feeds a correlation — such an event must then go
    /// through [`Engine::correlate`] in event-time order. Used by parallel scans.
    pub fn process_single(
        &self,
        event: &Event<'_>,
        scratch: &mut Vec<RuleMatch>,
        alerts: &mut Vec<Alert>,
    ) -> bool {
        scratch.clear();
        self.sigma.matches(event, scratch);
        let mut feeds_correlation = false;
        for matched in scratch.iter() {
            alerts.extend(self.sigma.alert(*matched, event));
            feeds_correlation |= self
                .sigma
                .detection_of(*matched)
                .is_some_and(|d| !self.sigma.correlation_inputs(d).is_empty());
        }
        self.falco_alerts(event, scratch, alerts);
        feeds_correlation
    }

    /// Feeds one event to the correlations only (its single-event alerts were already raised
    /// by [`Engine::process_single`]).
    pub fn correlate(&self, event: &Event<'_>, state: &mut EngineState, alerts: &mut Vec<Alert>) {
        state.scratch.clear();
        self.sigma.matches(event, &mut state.scratch);
        let mut fired = Vec::new();
        state
            .correlation
            .process(&self.sigma, event, &state.scratch, &mut fired);
        alerts.extend(fired.iter().filter_map(|f| self.sigma.correlation_alert(f)));
    }

    /// End of input: flushes correlation windows.
    pub fn finish(&self, state: &mut EngineState, alerts: &mut Vec<Alert>) {
        self.sigma.finish(&mut state.correlation, alerts);
    }

    fn falco_alerts(
        &self,
        event: &Event<'_>,
        scratch: &mut Vec<RuleMatch>,
        alerts: &mut Vec<Alert>,
    ) {
        if self.falco_set.is_empty() {
            return;
        }
        scratch.clear();
        self.falco_set.matches(event, scratch);
        for matched in scratch.iter() {
            alerts.extend(self.falco_set.alert(*matched, event));
        }
    }
}

/// Partitioned evaluation (Spark, Dask): single-event rules and correlation inputs per data
/// partition, then the correlations per correlation partition (see
/// [`crate::sigma::CorrelationPartition`]). Gives the alerts of [`Engine::process_single`] plus
/// [`Engine::correlate`] over the whole stream.
impl Engine {
    /// Single-event rules only: appends their alerts (as [`Engine::process_single`] does) and
    /// the correlation inputs of the event to `inputs`.
    pub fn process_single_inputs(
        &self,
        event: &Event<'_>,
        scratch: &mut Vec<RuleMatch>,
        alerts: &mut Vec<Alert>,
        inputs: &mut Vec<CorrelationInput>,
    ) {
        scratch.clear();
        self.sigma.matches(event, scratch);
        for matched in scratch.iter() {
            alerts.extend(self.sigma.alert(*matched, event));
        }
        self.sigma
            .correlation_inputs_of_event(event, scratch, inputs);
        self.falco_alerts(event, scratch, alerts);
    }

    /// Which partition each correlation input belongs to.
    pub fn correlation_partitioner(&self) -> CorrelationPartitioner {
        self.sigma.correlation_partitioner()
    }

    /// Runs the correlations over `inputs` (one partition's, or any union of partitions', in
    /// any order) with this engine's correlation settings, end-of-input flush included, and
    /// appends the alerts.
    pub fn correlate_inputs(&self, inputs: Vec<CorrelationInput>, alerts: &mut Vec<Alert>) {
        let fired = CorrelationEngine::evaluate_inputs(&self.sigma, self.correlation, inputs);
        alerts.extend(fired.iter().filter_map(|f| self.sigma.correlation_alert(f)));
    }
}

/// The Falco part of the load report: every compiled rule, every skipped rule, and every
/// error not tied to a rule.
fn falco_report(falco: &FalcoRules) -> LoadReport {
    let mut warnings_by_rule: HashMap<&str, Vec<String>> = HashMap::new();
    let mut report = LoadReport::default();
    for diagnostic in &falco.diagnostics {
        if diagnostic.item_type == "rule" && diagnostic.level == Level::Warning {
            warnings_by_rule
                .entry(diagnostic.item_name.as_str())
                .or_default()
                .push(diagnostic.to_string());
        }
    }
    for rule in &falco.rules {
        report.rules.push(RuleReport {
            path: rule.file.clone(),
            id: Some(rule.name.clone()),
            title: rule.name.clone(),
            dialect: "falco".into(),
            status: if rule.enabled {
                RuleStatus::Compiled
            } else {
                RuleStatus::Disabled
            },
            reason: (!rule.enabled).then(|| "enabled: false".to_owned()),
            location: Some(format!("line {}", rule.position.line)),
            warnings: warnings_by_rule
                .remove(rule.name.as_str())
                .unwrap_or_default(),
        });
    }
    for skipped in &falco.skipped {
        report.rules.push(RuleReport {
            path: skipped.file.clone(),
            id: Some(skipped.name.clone()),
            title: skipped.name.clone(),
            dialect: "falco".into(),
            status: RuleStatus::Unsupported,
            reason: Some(skipped.reason.clone()),
            location: Some(format!("line {}", skipped.position.line)),
            warnings: Vec::new(),
        });
    }
    for diagnostic in falco.errors() {
        report.rules.push(RuleReport {
            path: diagnostic.file.clone(),
            id: (!diagnostic.item_name.is_empty()).then(|| diagnostic.item_name.clone()),
            title: if diagnostic.item_name.is_empty() {
                diagnostic.item_type.to_owned()
            } else {
                diagnostic.item_name.clone()
            },
            dialect: "falco".into(),
            status: RuleStatus::Error,
            reason: Some(diagnostic.to_string()),
            location: Some(format!(
                "{}:{}:{}",
                diagnostic.file, diagnostic.position.line, diagnostic.position.column
            )),
            warnings: Vec::new(),
        });
    }
    report
}

#[cfg(test)]
mod tests {
    use logsec_event::{RawRecord, SourceFormat, ocsf};

    use super::*;

    const SIGMA: &str = r#"
title: Root console login
id: 6a4f1c2e-0b7d-4e3a-9f21-8c5d4b3a2e10
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: ConsoleLogin, userIdentity.type: Root}
  condition: selection
level: high
"#;

    const FALCO: &str = r#"
- rule: Delete bucket
  desc: a bucket was deleted
  condition: ct.name = "DeleteBucket"
  output: "%ct.user deleted a bucket"
  priority: WARNING
  source: aws_cloudtrail
"#;

    fn event(raw: &'static str) -> Event<'static> {
        let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::Cloudtrail);
        event.raw = RawRecord::json(raw);
        event
    }

    #[test]
    fn dialects_are_detected_from_text() {
        assert_eq!(detect_dialect(SIGMA), FileDialect::Sigma);
        assert_eq!(detect_dialect(FALCO), FileDialect::Falco);
        assert_eq!(
            detect_dialect("# c\nallowed_accounts: [1]\n"),
            FileDialect::NotRules
        );
        assert_eq!(detect_dialect(""), FileDialect::NotRules);
    }

    #[test]
    fn both_dialects_raise_alerts_through_one_engine() {
        let files = [
            RuleFile::new("sigma.yml", SIGMA),
            RuleFile::new("falco.yaml", FALCO),
            RuleFile::new("placeholders.yml", "names: [a]\n"),
        ];
        let engine = Engine::load(&files, &EngineOptions::default());
        assert!(!engine.has_errors(), "{:?}", engine.report());
        assert_eq!(engine.report().count(RuleStatus::Compiled), 2);
        assert_eq!(engine.skipped_files(), ["placeholders.yml"]);
        let mut state = engine.new_state();
        let mut alerts = Vec::new();
        let root = event(
            r#"{"eventID":"e1","eventTime":"2026-01-01T00:00:00Z","eventName":"ConsoleLogin","userIdentity":{"type":"Root"}}"#,
        );
        let delete = event(
            r#"{"eventID":"e2","eventTime":"2026-01-01T00:00:00Z","eventName":"DeleteBucket","eventType":"AwsApiCall","userIdentity":{"type":"IAMUser","userName":"bob"}}"#,
        );
        let quiet =
            event(r#"{"eventID":"e3","eventName":"ListBuckets","userIdentity":{"type":"Root"}}"#);
        for e in [&root, &delete, &quiet] {
            engine.process(e, &mut state, &mut alerts);
        }
        engine.finish(&mut state, &mut alerts);
        let titles: Vec<&str> = alerts
            .iter()
            .map(|a| a.finding_info.title.as_str())
            .collect();
        assert_eq!(titles, ["Root console login", "Delete bucket"]);
        assert_eq!(alerts[1].message, "bob deleted a bucket");
    }

    #[test]
    fn falco_load_errors_are_report_entries() {
        let broken = "- rule: Broken\n  desc: x\n  condition: ct.name =\n  output: x\n  priority: INFO\n  source: aws_cloudtrail\n";
        let engine = Engine::load(
            &[RuleFile::new("bad.yaml", broken)],
            &EngineOptions::default(),
        );
        assert!(engine.has_errors());
        let entry = engine
            .report()
            .rules
            .iter()
            .find(|r| r.status == RuleStatus::Error)
            .expect("an error entry");
        assert_eq!(entry.dialect, "falco");
        assert!(
            entry
                .location
                .as_deref()
                .unwrap_or("")
                .starts_with("bad.yaml:"),
            "{entry:?}"
        );
    }
}
