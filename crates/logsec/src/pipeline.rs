//! The pipeline: paths → reader → parser → engine → alerts, parallel over files and over
//! chunks of one file, with a deterministic output order.
//!
//! A scan has two phases. **Phase 1** runs on worker threads: each input is cut into chunks
//! of whole records (a few MiB each; see `chunk.rs` for which inputs are cut and how); one
//! reader thread reads and decompresses while the workers parse the chunks and run the
//! single-event rules on their events. **Phase 2** runs on the calling thread, which takes
//! the results back **in input order** (chunk by chunk, file by file): single-event alerts go
//! to the callback as soon as every chunk before theirs is done, reject locations are moved
//! from the chunk to the file, and the correlation inputs of the (few) events that feed a
//! correlation (time, event id, group-by and value fields — not the events) are kept. At the
//! end they go through the correlation engine in (event time, event id) order, and the
//! correlation alerts follow the single-event ones. Nothing depends on which
//! worker finished first, so one thread and N threads give the same alerts in the same order.
//!
//! Memory stays bounded: at most `2 × threads + 2` pieces are in flight (the reader waits for
//! the consumer), no input is read whole, and no event is kept past its piece; what grows
//! with the input is one small [`CorrelationInput`] per base-rule match that feeds a
//! correlation, and the correlation engine's own (bounded) state.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use logsec_event::{Alert, Event, Severity, SourceFormat};
use logsec_parse::{
    LocationKind, Note, ParseError, ParseOptions, ParseSummary, Pending, Reject,
    parse_reader_deferred, parse_slice_deferred,
};
use logsec_rules::sigma::CorrelationInput;
use logsec_rules::{Engine, EngineOptions, RuleFile, RuleStatus};

use crate::chunk::{self, Chunk, InputEnd, Piece, SendRead, SplitConfig};
use crate::pack;
use crate::partitioned::{correlate_partition, detect_partition_pending};

/// What matching one input or chunk gives: the parse's outcome, the alerts and the
/// correlation inputs.
type Matched = (
    Result<ParseSummary, ParseError>,
    Vec<Alert>,
    Vec<CorrelationInput>,
);

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
    /// Adds the summary of one chunk of this file: counts, notes, and rejects moved from the
    /// chunk to the file (`start`: the file offset of the chunk's first own byte, after
    /// `prefix` synthetic bytes; `lines` and `elements`: the file's lines and `Records`
    /// elements before the chunk).
    pub(crate) fn add_chunk(
        &mut self,
        summary: ParseSummary,
        start: u64,
        prefix: usize,
        lines: u64,
        elements: u64,
    ) {
        self.format = self.format.or(summary.format);
        self.records += summary.records;
        self.events += summary.events;
        self.skipped += summary.skipped;
        for mut reject in summary.rejects {
            reject.byte_offset = start + reject.byte_offset.saturating_sub(prefix as u64);
            reject.record += match reject.location_kind {
                LocationKind::Line => lines,
                LocationKind::RecordIndex => elements,
            };
            self.rejects.push(reject);
        }
        for note in summary.notes {
            match self.notes.iter_mut().find(|n| n.message == note.message) {
                Some(seen) => seen.count += note.count,
                None => self.notes.push(note),
            }
        }
    }

    /// Adds the reject of a record too large to cut into a chunk, the next record of the file
    /// after `lines` lines or `elements` `Records` elements (the one it counts is advanced).
    pub(crate) fn add_too_large(
        &mut self,
        mut reject: Reject,
        lines: &mut u64,
        elements: &mut u64,
    ) {
        match reject.location_kind {
            LocationKind::Line => {
                *lines += 1;
                reject.record = *lines;
            }
            LocationKind::RecordIndex => {
                reject.record = *elements;
                *elements += 1;
            }
        }
        self.records += 1;
        self.rejects.push(reject);
    }

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
    chunk_bytes: usize,
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
            chunk_bytes: chunk::DEFAULT_CHUNK_BYTES,
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

    /// How much of one input a worker takes at a time (default 2 MiB; 1 KiB to 1 GiB). A
    /// chunk ends at the first record boundary after this many bytes. Smaller chunks spread a
    /// small file over more threads; larger ones cost more memory. The alerts do not depend
    /// on it.
    pub fn chunk_bytes(mut self, bytes: usize) -> Self {
        self.chunk_bytes = bytes.clamp(1 << 10, 1 << 30);
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
            chunk_bytes: self.chunk_bytes,
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
    chunk_bytes: usize,
    min_severity: Severity,
}

/// What phase 1 keeps of one file read whole.
struct FileOutcome {
    report: FileReport,
    alerts: Vec<Alert>,
    correlation_inputs: Vec<CorrelationInput>,
}

/// A unit of phase 1, in input order.
enum Work<'s> {
    /// A piece of the input, with the options to parse it with.
    Piece(Piece<'s>, Arc<ParseOptions>),
    /// The input is done.
    End(InputEnd),
}

/// What phase 1 made of a unit.
enum Done {
    /// A whole input.
    Whole(Box<FileOutcome>),
    /// A piece of an input.
    Part(Box<Part>),
    /// A record too large to parse.
    TooLarge(Reject),
    /// The input is done.
    End(InputEnd),
}

/// What phase 1 made of a chunk or a stream.
struct Part {
    result: Result<ParseSummary, String>,
    alerts: Vec<Alert>,
    correlation_inputs: Vec<CorrelationInput>,
    /// Lines in the chunk (JSON lines framing).
    lines: u64,
    /// Array elements in the chunk (`Records` framing).
    elements: u64,
    /// Synthetic bytes before the input's own.
    prefix: usize,
    /// The input offset of the first byte after the prefix.
    start: u64,
    /// The input ends inside a record that was rejected for it.
    truncated_tail: bool,
}

/// One input being put back together from its pieces.
struct Assembly {
    report: FileReport,
    lines: u64,
    elements: u64,
    error: Option<String>,
    truncated_tail: bool,
}

/// The consumer of phase 1: takes units back in input order, emits single-event alerts,
/// builds the file reports and keeps the correlation inputs.
struct Merge<'p, 'c> {
    pipeline: &'p Pipeline,
    inputs: &'p [Cow<'p, Input>],
    on_alert: &'c mut dyn FnMut(&Alert),
    on_file_done: &'c (dyn Fn(&FileReport) + Sync),
    report: ScanReport,
    /// The events that feed a correlation, kept (without their parsed raw tree) for the
    /// correlation pass at the end.
    correlation_inputs: Vec<CorrelationInput>,
    current: Option<Assembly>,
}

impl Merge<'_, '_> {
    fn correlate(&mut self, inputs: Vec<CorrelationInput>) {
        if self.pipeline.engine.has_correlations() {
            self.correlation_inputs.extend(inputs);
        }
    }

    /// The correlation pass: the correlation inputs in event-time order (then event id), so
    /// that records of several files interleave as they happened; its alerts follow every
    /// single-event alert. Only the inputs were kept (time, id, group and value fields), not
    /// the events, so a scan's memory grows by little per correlation-feeding event.
    fn finish(mut self) -> ScanReport {
        if !self.pipeline.engine.has_correlations() {
            return self.report;
        }
        let inputs = std::mem::take(&mut self.correlation_inputs);
        for alert in &correlate_partition(&self.pipeline.engine, inputs) {
            self.pipeline
                .emit(alert, &mut self.report, &mut *self.on_alert);
        }
        self.report
    }

    fn take(&mut self, index: usize, done: Done) {
        match done {
            Done::Whole(outcome) => {
                let FileOutcome {
                    report,
                    alerts,
                    correlation_inputs,
                } = *outcome;
                for alert in &alerts {
                    self.pipeline
                        .emit(alert, &mut self.report, &mut *self.on_alert);
                }
                self.correlate(correlation_inputs);
                (self.on_file_done)(&report);
                self.report.files.push(report);
                // The input's `End` follows and finds nothing to finish.
                self.current = None;
            }
            Done::Part(part) => self.take_part(index, *part),
            Done::TooLarge(reject) => {
                let assembly = self.assembly(index);
                assembly
                    .report
                    .add_too_large(reject, &mut assembly.lines, &mut assembly.elements);
                assembly.truncated_tail = false;
            }
            Done::End(end) => {
                let Some(mut assembly) = self.current.take() else {
                    return;
                };
                if let Some(error) = end.error.or(assembly.error) {
                    assembly.report = FileReport {
                        name: assembly.report.name,
                        error: Some(error),
                        ..FileReport::default()
                    };
                } else if let Some(cut) = end.cut {
                    let cause = format!(" ({cut})");
                    match assembly.report.rejects.last_mut() {
                        Some(last) if assembly.truncated_tail => last.reason.push_str(&cause),
                        _ => {
                            assembly.report.records += 1;
                            assembly.report.rejects.push(Reject {
                                file: assembly
                                    .report
                                    .rejects
                                    .first()
                                    .and_then(|r| r.file.clone())
                                    .or_else(|| Some(assembly.report.name.clone())),
                                record: assembly.elements,
                                location_kind: LocationKind::RecordIndex,
                                byte_offset: end.length,
                                reason: format!("input truncated{cause}"),
                                snippet: String::new(),
                            });
                        }
                    }
                }
                (self.on_file_done)(&assembly.report);
                self.report.files.push(assembly.report);
            }
        }
    }

    fn assembly(&mut self, index: usize) -> &mut Assembly {
        let name = self.inputs.get(index).map(|i| i.name()).unwrap_or_default();
        self.current.get_or_insert_with(|| Assembly {
            report: FileReport {
                name,
                ..FileReport::default()
            },
            lines: 0,
            elements: 0,
            error: None,
            truncated_tail: false,
        })
    }

    fn take_part(&mut self, index: usize, part: Part) {
        for alert in &part.alerts {
            self.pipeline
                .emit(alert, &mut self.report, &mut *self.on_alert);
        }
        self.correlate(part.correlation_inputs);
        let assembly = self.assembly(index);
        match part.result {
            Ok(summary) => assembly.report.add_chunk(
                summary,
                part.start,
                part.prefix,
                assembly.lines,
                assembly.elements,
            ),
            Err(error) => {
                assembly.error.get_or_insert(error);
            }
        }
        assembly.lines += part.lines;
        assembly.elements += part.elements;
        assembly.truncated_tail = part.truncated_tail;
    }
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
        Ok(Self::expand_borrowed(inputs)?
            .into_iter()
            .map(Cow::into_owned)
            .collect())
    }

    /// [`Pipeline::expand_inputs`] without copying in-memory inputs (a scan of
    /// [`Input::Bytes`] reads the caller's buffer).
    pub(crate) fn expand_borrowed(inputs: &[Input]) -> Result<Vec<Cow<'_, Input>>, PipelineError> {
        let mut out = Vec::new();
        for input in inputs {
            match input {
                Input::Path(path) => {
                    let mut files = Vec::new();
                    walk(path, &mut files, &|_| true).map_err(|source| PipelineError::Input {
                        path: path.clone(),
                        source,
                    })?;
                    out.extend(files.into_iter().map(|f| Cow::Owned(Input::Path(f))));
                }
                other => out.push(Cow::Borrowed(other)),
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
        let inputs = Self::expand_borrowed(inputs)?;
        let mut merge = Merge {
            pipeline: self,
            inputs: &inputs,
            on_alert,
            on_file_done,
            report: ScanReport::default(),
            correlation_inputs: Vec::new(),
            current: None,
        };
        if self.threads <= 1 {
            // One thread: the same pieces, read, parsed and taken in turn.
            for (index, input) in inputs.iter().enumerate() {
                self.split_input(input, parse, &mut |work| {
                    merge.take(index, self.work(&inputs, index, parse, work));
                });
            }
        } else {
            self.run_threads(&inputs, parse, &mut merge);
        }
        let mut report = merge.finish();
        report.elapsed = started.elapsed();
        Ok(report)
    }

    /// Phase 1 on threads: one reader cuts the inputs into pieces, `threads` workers parse
    /// and match them, and this thread takes the results back in input order. The reader
    /// waits for a token before each piece and the consumer returns one per piece taken, so
    /// at most `2 × threads + 2` pieces are in flight however slow one of them is.
    fn run_threads(
        &self,
        inputs: &[Cow<'_, Input>],
        parse: &ParseOptions,
        merge: &mut Merge<'_, '_>,
    ) {
        let in_flight = 2 * self.threads + 2;
        let (work_tx, work_rx) = mpsc::sync_channel::<(u64, usize, Work<'_>)>(self.threads);
        let work_rx = Mutex::new(work_rx);
        let (done_tx, done_rx) = mpsc::channel::<(u64, usize, Done)>();
        let (token_tx, token_rx) = mpsc::sync_channel::<()>(in_flight);
        for _ in 0..in_flight {
            let _ = token_tx.send(());
        }
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let mut seq = 0u64;
                for (index, input) in inputs.iter().enumerate() {
                    self.split_input(input, parse, &mut |work| {
                        // Both fail only once the consumer is gone (a panic elsewhere).
                        if token_rx.recv().is_ok() && work_tx.send((seq, index, work)).is_ok() {
                            seq += 1;
                        }
                    });
                }
            });
            for _ in 0..self.threads {
                let done_tx = done_tx.clone();
                let work_rx = &work_rx;
                scope.spawn(move || {
                    loop {
                        // The lock is held while waiting, so one worker waits at a time.
                        let next = match work_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => break,
                        };
                        let Ok((seq, index, work)) = next else { break };
                        let done = self.work(inputs, index, parse, work);
                        if done_tx.send((seq, index, done)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(done_tx);
            let mut waiting: BTreeMap<u64, (usize, Done)> = BTreeMap::new();
            let mut next = 0u64;
            for (seq, index, done) in done_rx {
                waiting.insert(seq, (index, done));
                while let Some((index, done)) = waiting.remove(&next) {
                    merge.take(index, done);
                    next += 1;
                    let _ = token_tx.send(());
                }
            }
        });
    }

    /// Cuts one input into pieces (see `chunk.rs`), then ends it.
    fn split_input<'s>(
        &self,
        input: &'s Input,
        parse: &ParseOptions,
        emit: &mut dyn FnMut(Work<'s>),
    ) {
        let mut options = parse.clone();
        options.file_name = Some(input.name());
        let (reader, reopenable): (SendRead<'s>, bool) = match input {
            Input::Path(path) => match File::open(path) {
                Ok(file) => {
                    if options.reference_time_ms.is_none() {
                        options.reference_time_ms = modified_ms(&file);
                    }
                    (Box::new(file), true)
                }
                Err(_) => {
                    // The worker reports the error as a whole-file read would.
                    emit(Work::Piece(Piece::Whole, Arc::new(options)));
                    emit(Work::End(InputEnd::default()));
                    return;
                }
            },
            Input::Stdin => (Box::new(std::io::stdin()), false),
            Input::Bytes { data, .. } => (Box::new(data.as_slice()), true),
        };
        let config = SplitConfig {
            chunk_bytes: self.chunk_bytes,
        };
        let end = chunk::split(
            reader,
            reopenable,
            options,
            config,
            &mut |piece, options| {
                emit(Work::Piece(piece, Arc::clone(options)));
            },
        );
        emit(Work::End(end));
    }

    /// Phase 1 for one piece (on a worker thread).
    fn work(
        &self,
        inputs: &[Cow<'_, Input>],
        index: usize,
        parse: &ParseOptions,
        work: Work<'_>,
    ) -> Done {
        match work {
            Work::Piece(Piece::Whole, _) => match inputs.get(index) {
                Some(input) => Done::Whole(Box::new(self.scan_one(input, parse))),
                None => Done::End(InputEnd::default()),
            },
            Work::Piece(Piece::Chunk { chunk, start }, options) => {
                Done::Part(Box::new(self.scan_chunk(&chunk, start, &options)))
            }
            Work::Piece(
                Piece::Stream {
                    reader,
                    prefix,
                    start,
                },
                options,
            ) => {
                let (result, alerts, correlation_inputs) = self.match_reader(reader, &options);
                Done::Part(Box::new(Part {
                    result: result.map_err(|e| e.to_string()),
                    alerts,
                    correlation_inputs,
                    lines: 0,
                    elements: 0,
                    prefix,
                    start,
                    truncated_tail: false,
                }))
            }
            Work::Piece(
                Piece::TooLarge {
                    kind,
                    start,
                    head,
                    reason,
                },
                options,
            ) => Done::TooLarge(chunk::too_large_reject(
                options.file_name.as_deref(),
                kind,
                start,
                &head,
                reason,
            )),
            Work::End(end) => Done::End(end),
        }
    }

    /// Parses and matches one chunk; reject locations are left relative to the chunk (minus
    /// the line sentinel).
    fn scan_chunk(&self, chunk: &Chunk, start: u64, options: &ParseOptions) -> Part {
        let (result, alerts, correlation_inputs) = self.match_slice(&chunk.data[..], options);
        let lines = chunk.own_lines();
        let mut truncated_tail = false;
        let result = result.map(|mut summary| {
            truncated_tail = chunk.settle(&mut summary);
            summary
        });
        Part {
            result: result.map_err(|e| e.to_string()),
            alerts,
            correlation_inputs,
            lines,
            elements: chunk.elements,
            prefix: chunk.prefix,
            start,
            truncated_tail,
        }
    }

    /// Parses a reader and runs the single-event rules on its events.
    fn match_reader(&self, reader: impl Read, options: &ParseOptions) -> Matched {
        self.match_with(|defer, visit| parse_reader_deferred(reader, options, defer, visit))
    }

    /// Parses an in-memory chunk (without copying it into a read buffer) and runs the
    /// single-event rules on its events.
    fn match_slice(&self, bytes: &[u8], options: &ParseOptions) -> Matched {
        self.match_with(|defer, visit| parse_slice_deferred(bytes, options, defer, visit))
    }

    /// Runs the single-event rules on the records `parse` hands to its visitor.
    fn match_with(
        &self,
        parse: impl FnOnce(
            &dyn Fn(SourceFormat) -> bool,
            &mut dyn FnMut(&mut Pending<'_>),
        ) -> Result<ParseSummary, ParseError>,
    ) -> Matched {
        let mut alerts = Vec::new();
        let mut correlation_inputs = Vec::new();
        let mut scratch = Vec::new();
        let result = parse(
            &|format| self.engine.reads_raw_only(format),
            &mut |pending: &mut Pending<'_>| {
                detect_partition_pending(
                    &self.engine,
                    pending,
                    &mut scratch,
                    &mut alerts,
                    &mut correlation_inputs,
                );
            },
        );
        (result, alerts, correlation_inputs)
    }

    /// Parses `inputs` in order (one thread) and calls `on_event` for every event; no rules run.
    pub fn parse(
        &self,
        inputs: &[Input],
        on_event: &mut dyn FnMut(&Event<'_>),
    ) -> Result<ScanReport, PipelineError> {
        let started = Instant::now();
        let inputs = Self::expand_borrowed(inputs)?;
        let mut report = ScanReport::default();
        for input in &inputs {
            report.files.push(
                self.read_input(input, &self.parse, &|_| false, &mut |pending| {
                    on_event(pending.event())
                }),
            );
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
        let mut correlation_inputs = Vec::new();
        let mut scratch = Vec::new();
        let defer = |format| self.engine.reads_raw_only(format);
        let report = self.read_input(input, parse, &defer, &mut |pending| {
            detect_partition_pending(
                &self.engine,
                pending,
                &mut scratch,
                &mut alerts,
                &mut correlation_inputs,
            );
        });
        FileOutcome {
            report,
            alerts,
            correlation_inputs,
        }
    }

    fn read_input(
        &self,
        input: &Input,
        parse: &ParseOptions,
        defer: &dyn Fn(SourceFormat) -> bool,
        visit: &mut dyn FnMut(&mut Pending<'_>),
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
                    parse_reader_deferred(file, &options, defer, &mut *visit)
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
                parse_reader_deferred(std::io::stdin().lock(), &options, defer, &mut *visit)
            }
            Input::Bytes { data, .. } => {
                parse_slice_deferred(data.as_slice(), &options, defer, &mut *visit)
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

    const RULE: &str = include_str!("../tests/fixtures/bucket_listing.yml");

    const COUNT: &str = include_str!("../tests/fixtures/bucket_listings_count.yml");

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
