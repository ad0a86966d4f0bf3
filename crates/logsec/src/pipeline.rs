//! The pipeline: paths → reader → parser → engine → alerts, parallel over files, with a
//! deterministic output order.
//!
//! A scan runs in two phases. **Phase 1**, in parallel over input files (rayon, ordered
//! collect): each file is parsed as a stream and every event meets the single-event rules; the
//! alerts and the (few) events that feed a correlation are kept per file. **Phase 2**, on one
//! thread: the single-event alerts are emitted in input order (file by file, event by event),
//! then the correlation-feeding events go through the correlation engine sorted by event time
//! (then event id), and the correlation alerts follow. Because nothing depends on which thread
//! finished first, one thread and N threads give the same alerts in the same order.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use logsec_event::{Alert, Event, Severity, SourceFormat, event_uid};
use logsec_parse::{Note, ParseError, ParseOptions, ParseSummary, Reject, parse_reader};
use logsec_rules::{Engine, EngineOptions, RuleFile, RuleStatus};
use rayon::prelude::*;

use crate::pack;

/// An input to a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or a directory (read recursively, in sorted order).
    Path(PathBuf),
    /// Standard input.
    Stdin,
    /// Bytes already in memory, with a name for reports.
    Bytes {
        /// The name rejects and summaries use.
        name: String,
        /// The content (plain or gzip).
        data: Vec<u8>,
    },
}

impl Input {
    /// `-` is standard input; anything else is a path.
    pub fn from_arg(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }

    /// The name used in reports.
    pub fn name(&self) -> String {
        match self {
            Input::Path(path) => path.display().to_string(),
            Input::Stdin => "-".to_owned(),
            Input::Bytes { name, .. } => name.clone(),
        }
    }
}

/// Errors of the pipeline.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// A rule file or directory could not be read.
    #[error("cannot read rules {path}: {source}")]
    RuleRead {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An input path does not exist or cannot be listed.
    #[error("cannot read input {path}: {source}")]
    Input {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A placeholder file is malformed.
    #[error("placeholder file {path}: {reason}")]
    Placeholders {
        /// The path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The worker pool could not be started.
    #[error("cannot start {threads} worker threads: {reason}")]
    Threads {
        /// Requested threads.
        threads: usize,
        /// Why.
        reason: String,
    },
}

/// The outcome of one input file.
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    /// The input's name.
    pub name: String,
    /// The format detected (or forced).
    pub format: Option<SourceFormat>,
    /// Records read.
    pub records: u64,
    /// Events produced.
    pub events: u64,
    /// Records skipped on purpose (headers, control messages, digests).
    pub skipped: u64,
    /// Malformed records, with their location.
    pub rejects: Vec<Reject>,
    /// Notes (e.g. "digest file skipped").
    pub notes: Vec<Note>,
    /// Why the file could not be read at all (unknown format, I/O error), if so.
    pub error: Option<String>,
}

impl FileReport {
    fn from_summary(name: String, summary: ParseSummary) -> FileReport {
        FileReport {
            name,
            format: summary.format,
            records: summary.records,
            events: summary.events,
            skipped: summary.skipped,
            rejects: summary.rejects,
            notes: summary.notes,
            error: None,
        }
    }
}

/// What a scan did.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    /// One entry per input file, in input order.
    pub files: Vec<FileReport>,
    /// Alerts emitted (at or above the minimum severity).
    pub alerts: u64,
    /// Alerts by severity.
    pub alerts_by_severity: BTreeMap<Severity, u64>,
    /// Alerts by rule title.
    pub alerts_by_rule: BTreeMap<String, u64>,
    /// Wall-clock time of the scan.
    pub elapsed: Duration,
}

impl ScanReport {
    /// Events over all files.
    pub fn events(&self) -> u64 {
        self.files.iter().map(|f| f.events).sum()
    }

    /// Rejects over all files.
    pub fn rejects(&self) -> usize {
        self.files.iter().map(|f| f.rejects.len()).sum()
    }

    /// Events per format, in format order.
    pub fn events_by_format(&self) -> BTreeMap<SourceFormat, u64> {
        let mut out = BTreeMap::new();
        for file in &self.files {
            if let Some(format) = file.format {
                *out.entry(format).or_insert(0) += file.events;
            }
        }
        out
    }

    /// The highest severity among emitted alerts.
    pub fn max_severity(&self) -> Option<Severity> {
        self.alerts_by_severity
            .keys()
            .max_by_key(|s| s.rank())
            .copied()
    }

    fn count(&mut self, alert: &Alert) {
        self.alerts += 1;
        *self.alerts_by_severity.entry(alert.severity()).or_insert(0) += 1;
        *self
            .alerts_by_rule
            .entry(alert.finding_info.title.clone())
            .or_insert(0) += 1;
    }
}

/// Builds a [`Pipeline`]; configuration is frozen at [`PipelineBuilder::build`].
#[derive(Debug, Clone)]
pub struct PipelineBuilder {
    default_rules: bool,
    rule_files: Vec<RuleFile>,
    placeholders: HashMap<String, Vec<String>>,
    parse: ParseOptions,
    threads: usize,
    min_severity: Severity,
}

impl Default for PipelineBuilder {
    fn default() -> Self {
        PipelineBuilder {
            default_rules: true,
            rule_files: Vec::new(),
            placeholders: HashMap::new(),
            parse: ParseOptions::default(),
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            min_severity: Severity::Unknown,
        }
    }
}

impl PipelineBuilder {
    /// Whether the bundled pack is loaded (default true).
    pub fn default_rules(mut self, enabled: bool) -> Self {
        self.default_rules = enabled;
        self
    }

    /// Adds one rule file (after the ones added before).
    pub fn rule_file(mut self, file: RuleFile) -> Self {
        self.rule_files.push(file);
        self
    }

    /// Adds rule files and directories, in the order given (a directory's `.yml`/`.yaml` files
    /// recursively, in sorted order).
    pub fn rule_paths<P: AsRef<Path>>(mut self, paths: &[P]) -> Result<Self, PipelineError> {
        for path in paths {
            for file in rule_files_under(path.as_ref())? {
                let text =
                    std::fs::read_to_string(&file).map_err(|source| PipelineError::RuleRead {
                        path: file.clone(),
                        source,
                    })?;
                self.rule_files
                    .push(RuleFile::new(file.display().to_string(), text));
            }
        }
        Ok(self)
    }

    /// Sets placeholder values for `|expand` (they override the pack's defaults by name).
    pub fn placeholders(mut self, values: HashMap<String, Vec<String>>) -> Self {
        self.placeholders.extend(values);
        self
    }

    /// Reads placeholder values from a file (`placeholders: {name: [values]}`).
    pub fn placeholder_file(self, path: &Path) -> Result<Self, PipelineError> {
        let text = std::fs::read_to_string(path).map_err(|source| PipelineError::RuleRead {
            path: path.to_owned(),
            source,
        })?;
        let values =
            pack::parse_placeholders(&text).map_err(|reason| PipelineError::Placeholders {
                path: path.to_owned(),
                reason,
            })?;
        Ok(self.placeholders(values))
    }

    /// Parse options (forced format, limits, syslog year, …).
    pub fn parse_options(mut self, options: ParseOptions) -> Self {
        self.parse = options;
        self
    }

    /// Worker threads for parsing and single-event matching (default: the available cores).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// Alerts below this severity are not emitted.
    pub fn min_severity(mut self, severity: Severity) -> Self {
        self.min_severity = severity;
        self
    }

    /// Loads the rules and freezes the configuration. Rule-level problems are in
    /// `pipeline.engine().report()`, not an error here.
    pub fn build(self) -> Pipeline {
        let mut files = Vec::new();
        let mut placeholders = HashMap::new();
        if self.default_rules {
            files.extend(pack::default_rule_files());
            placeholders.extend(pack::default_placeholders());
        }
        placeholders.extend(self.placeholders);
        files.extend(self.rule_files);
        let mut options = EngineOptions::default();
        options.sigma.placeholders = placeholders;
        let engine = Engine::load(&files, &options);
        Pipeline {
            engine,
            parse: self.parse,
            threads: self.threads,
            min_severity: self.min_severity,
        }
    }
}

/// Rule files under `path`: the path itself if it is a file, else the `.yml`/`.yaml` files below
/// it, recursively, in sorted order.
pub fn rule_files_under(path: &Path) -> Result<Vec<PathBuf>, PipelineError> {
    let mut out = Vec::new();
    walk(path, &mut out, &|p| {
        p.extension().is_some_and(|e| e == "yml" || e == "yaml")
    })
    .map_err(|source| PipelineError::RuleRead {
        path: path.to_owned(),
        source,
    })?;
    Ok(out)
}

fn walk(path: &Path, out: &mut Vec<PathBuf>, keep: &dyn Fn(&Path) -> bool) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_dir() {
        out.push(path.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        let hidden = entry
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if entry.is_dir() {
            walk(&entry, out, keep)?;
        } else if keep(&entry) {
            out.push(entry);
        }
    }
    Ok(())
}

/// The scan pipeline shared by the CLI, the Python bindings and the Spark helpers.
#[derive(Debug)]
pub struct Pipeline {
    engine: Engine,
    parse: ParseOptions,
    threads: usize,
    min_severity: Severity,
}

/// What phase 1 keeps of one file.
struct FileOutcome {
    report: FileReport,
    alerts: Vec<Alert>,
    correlation_events: Vec<Event<'static>>,
}

impl Pipeline {
    /// A builder with the bundled pack, default parse options and all cores.
    pub fn builder() -> PipelineBuilder {
        PipelineBuilder::default()
    }

    /// The loaded rules.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The loaded rules, taking the pipeline apart (e.g. for a [`crate::Tailer`]).
    pub fn into_engine(self) -> Engine {
        self.engine
    }

    /// How many rules loaded with an error.
    pub fn rule_errors(&self) -> usize {
        self.engine.report().count(RuleStatus::Error)
    }

    /// Expands directories into their files (recursively, sorted, hidden files skipped).
    pub fn expand_inputs(inputs: &[Input]) -> Result<Vec<Input>, PipelineError> {
        let mut out = Vec::new();
        for input in inputs {
            match input {
                Input::Path(path) => {
                    let mut files = Vec::new();
                    walk(path, &mut files, &|_| true).map_err(|source| PipelineError::Input {
                        path: path.clone(),
                        source,
                    })?;
                    out.extend(files.into_iter().map(Input::Path));
                }
                other => out.push(other.clone()),
            }
        }
        Ok(out)
    }

    /// Scans `inputs`, calling `on_alert` for every alert at or above the minimum severity, in
    /// a deterministic order (see the module docs). A file that cannot be read or recognized
    /// is reported in its [`FileReport`] and the others are scanned.
    pub fn scan(
        &self,
        inputs: &[Input],
        on_alert: &mut dyn FnMut(&Alert),
    ) -> Result<ScanReport, PipelineError> {
        self.scan_full(inputs, &self.parse, on_alert, &|_| {})
    }

    /// [`Pipeline::scan`], calling `on_file_done` (from a worker thread, in completion order)
    /// each time an input file was parsed and matched — for a progress bar.
    pub fn scan_with_progress(
        &self,
        inputs: &[Input],
        on_alert: &mut dyn FnMut(&Alert),
        on_file_done: &(dyn Fn(&FileReport) + Sync),
    ) -> Result<ScanReport, PipelineError> {
        self.scan_full(inputs, &self.parse, on_alert, on_file_done)
    }

    /// [`Pipeline::scan`] with other parse options (e.g. a forced format) than the ones the
    /// pipeline was built with; the loaded rules are reused.
    pub fn scan_with_options(
        &self,
        inputs: &[Input],
        parse: &ParseOptions,
        on_alert: &mut dyn FnMut(&Alert),
    ) -> Result<ScanReport, PipelineError> {
        self.scan_full(inputs, parse, on_alert, &|_| {})
    }

    fn scan_full(
        &self,
        inputs: &[Input],
        parse: &ParseOptions,
        on_alert: &mut dyn FnMut(&Alert),
        on_file_done: &(dyn Fn(&FileReport) + Sync),
    ) -> Result<ScanReport, PipelineError> {
        let started = Instant::now();
        let inputs = Self::expand_inputs(inputs)?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .map_err(|err| PipelineError::Threads {
                threads: self.threads,
                reason: err.to_string(),
            })?;
        let outcomes: Vec<FileOutcome> = pool.install(|| {
            inputs
                .par_iter()
                .map(|input| {
                    let outcome = self.scan_one(input, parse);
                    on_file_done(&outcome.report);
                    outcome
                })
                .collect()
        });
        let mut report = ScanReport::default();
        let mut correlation_events = Vec::new();
        for outcome in outcomes {
            for alert in &outcome.alerts {
                self.emit(alert, &mut report, on_alert);
            }
            correlation_events.extend(outcome.correlation_events);
            report.files.push(outcome.report);
        }
        if self.engine.has_correlations() {
            let mut keyed: Vec<(i64, String, Event<'static>)> = correlation_events
                .into_iter()
                .map(|event| (event.time, event_uid(&event), event))
                .collect();
            keyed.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
            let mut state = self.engine.new_state();
            let mut alerts = Vec::new();
            for (_, _, event) in &keyed {
                self.engine.correlate(event, &mut state, &mut alerts);
            }
            self.engine.finish(&mut state, &mut alerts);
            let formats: HashMap<&str, SourceFormat> = keyed
                .iter()
                .filter_map(|(_, uid, event)| Some((uid.as_str(), event.format()?)))
                .collect();
            stamp_correlation_source(&mut alerts, &formats);
            for alert in &alerts {
                self.emit(alert, &mut report, on_alert);
            }
        }
        report.elapsed = started.elapsed();
        Ok(report)
    }

    /// Parses `inputs` in order (one thread) and calls `on_event` for every event; no rules run.
    pub fn parse(
        &self,
        inputs: &[Input],
        on_event: &mut dyn FnMut(&Event<'_>),
    ) -> Result<ScanReport, PipelineError> {
        let started = Instant::now();
        let inputs = Self::expand_inputs(inputs)?;
        let mut report = ScanReport::default();
        for input in &inputs {
            report
                .files
                .push(self.read_input(input, &self.parse, &mut |event| on_event(event)));
        }
        report.elapsed = started.elapsed();
        Ok(report)
    }

    fn emit(&self, alert: &Alert, report: &mut ScanReport, on_alert: &mut dyn FnMut(&Alert)) {
        if alert.severity().at_least(self.min_severity) {
            report.count(alert);
            on_alert(alert);
        }
    }

    fn scan_one(&self, input: &Input, parse: &ParseOptions) -> FileOutcome {
        let mut alerts = Vec::new();
        let mut correlation_events = Vec::new();
        let mut scratch = Vec::new();
        let report = self.read_input(input, parse, &mut |event| {
            let before = alerts.len();
            if self.engine.process_single(event, &mut scratch, &mut alerts) {
                correlation_events.push(event.clone().into_owned());
            }
            stamp_source(alerts.get_mut(before..).unwrap_or_default(), event);
        });
        FileOutcome {
            report,
            alerts,
            correlation_events,
        }
    }

    fn read_input(
        &self,
        input: &Input,
        parse: &ParseOptions,
        visit: &mut dyn FnMut(&Event<'_>),
    ) -> FileReport {
        let name = input.name();
        let mut options = parse.clone();
        options.file_name = Some(name.clone());
        let result: Result<ParseSummary, ParseError> = match input {
            Input::Path(path) => match File::open(path) {
                Ok(file) => {
                    if options.reference_time_ms.is_none() {
                        options.reference_time_ms = modified_ms(&file);
                    }
                    parse_reader(file, &options, &mut |e: &Event<'_>| visit(e))
                }
                Err(err) => {
                    return FileReport {
                        name,
                        error: Some(format!("cannot open: {err}")),
                        ..FileReport::default()
                    };
                }
            },
            Input::Stdin => {
                parse_reader(std::io::stdin().lock(), &options, &mut |e: &Event<'_>| {
                    visit(e)
                })
            }
            Input::Bytes { data, .. } => {
                parse_reader(data.as_slice(), &options, &mut |e: &Event<'_>| visit(e))
            }
        };
        match result {
            Ok(summary) => FileReport::from_summary(name, summary),
            Err(err) => FileReport {
                name,
                error: Some(err.to_string()),
                ..FileReport::default()
            },
        }
    }
}

/// Fills `unmapped.source` (Falco JSON's `source`, the `sources` of routes) of alerts a rule
/// raised without it, from the event that made them fire.
pub(crate) fn stamp_source(alerts: &mut [Alert], event: &Event<'_>) {
    for alert in alerts {
        if alert.unmapped.source.is_none() && alert.finding_info.related_events.len() <= 1 {
            alert.unmapped.source = event.format();
        }
    }
}

/// Fills `unmapped.source` of correlation alerts whose events all come from one format.
pub(crate) fn stamp_correlation_source(
    alerts: &mut [Alert],
    formats: &HashMap<&str, SourceFormat>,
) {
    for alert in alerts {
        if alert.unmapped.source.is_some() {
            continue;
        }
        let mut seen = alert
            .finding_info
            .related_events
            .iter()
            .map(|r| formats.get(r.uid.as_str()).copied());
        let first = seen.next().flatten();
        if first.is_some() && seen.all(|f| f == first) {
            alert.unmapped.source = first;
        }
    }
}

fn modified_ms(file: &File) -> Option<i64> {
    let modified = file.metadata().ok()?.modified().ok()?;
    let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    i64::try_from(since.as_millis()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = r#"
title: Bucket listing from the internet
id: 0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: ListBuckets}
  filter: {sourceIPAddress|cidr: 10.0.0.0/8}
  condition: selection and not filter
level: medium
"#;

    const COUNT: &str = r#"
title: Many listings
name: many_listings_base
id: 1c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: ListBuckets}
  condition: selection
---
title: Three listings by one address
id: 2c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f
correlation:
  type: event_count
  rules: [many_listings_base]
  group-by: [sourceIPAddress]
  timespan: 10m
  condition: {gte: 3}
level: high
"#;

    fn line(id: &str, minute: u32, ip: &str) -> String {
        format!(
            r#"{{"eventVersion":"1.09","eventTime":"2026-01-01T00:{minute:02}:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"{ip}","eventID":"{id}","eventType":"AwsApiCall","recipientAccountId":"1"}}"#
        )
    }

    fn inputs() -> Vec<Input> {
        let a = [line("a1", 1, "198.51.100.1"), line("a2", 2, "10.0.0.5")].join("\n");
        let b = [line("b1", 3, "198.51.100.1"), line("b2", 4, "198.51.100.1")].join("\n");
        vec![
            Input::Bytes {
                name: "a.jsonl".into(),
                data: a.into_bytes(),
            },
            Input::Bytes {
                name: "b.jsonl".into(),
                data: b.into_bytes(),
            },
            Input::Bytes {
                name: "junk.bin".into(),
                data: vec![0xff, 0x00, 0x13],
            },
        ]
    }

    fn run(threads: usize) -> (Vec<(String, Vec<String>)>, ScanReport) {
        let pipeline = Pipeline::builder()
            .default_rules(false)
            .rule_file(RuleFile::new("r.yml", RULE))
            .rule_file(RuleFile::new("c.yml", COUNT))
            .threads(threads)
            .build();
        assert_eq!(
            pipeline.rule_errors(),
            0,
            "{:?}",
            pipeline.engine().report()
        );
        let mut alerts = Vec::new();
        let report = pipeline
            .scan(&inputs(), &mut |alert| {
                let ids = alert
                    .finding_info
                    .related_events
                    .iter()
                    .map(|r| r.uid.clone())
                    .collect();
                alerts.push((alert.finding_info.title.clone(), ids));
            })
            .unwrap();
        (alerts, report)
    }

    #[test]
    fn scan_gives_single_event_then_correlation_alerts_in_input_order() {
        let (alerts, report) = run(1);
        let expected: Vec<(String, Vec<String>)> = vec![
            ("Bucket listing from the internet".into(), vec!["a1".into()]),
            ("Bucket listing from the internet".into(), vec!["b1".into()]),
            ("Bucket listing from the internet".into(), vec!["b2".into()]),
            (
                "Three listings by one address".into(),
                vec!["a1".into(), "b1".into(), "b2".into()],
            ),
        ];
        assert_eq!(alerts, expected);
        assert_eq!(report.events(), 4);
        assert_eq!(report.alerts, 4);
        let junk = &report.files[2];
        assert!(junk.error.is_some(), "{junk:?}");
    }

    #[test]
    fn threads_do_not_change_the_alerts_or_their_order() {
        assert_eq!(run(1).0, run(4).0);
    }

    #[test]
    fn min_severity_filters_alerts() {
        let pipeline = Pipeline::builder()
            .default_rules(false)
            .rule_file(RuleFile::new("r.yml", RULE))
            .rule_file(RuleFile::new("c.yml", COUNT))
            .min_severity(Severity::High)
            .build();
        let mut titles = Vec::new();
        pipeline
            .scan(&inputs(), &mut |a| {
                titles.push(a.finding_info.title.clone())
            })
            .unwrap();
        assert_eq!(titles, ["Three listings by one address"]);
    }
}
