//! Reading, scanning and rules: thin wrappers over `logsec::Pipeline` with the GIL released
//! around all Rust work and every panic caught before it can reach Python.
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use arrow_array::RecordBatch;
use arrow_array::builder::{StringBuilder, UInt64Builder};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use logsec::arrow::{
    AlertBatchBuilder, DEFAULT_CHUNK_BYTES, EventBatchBuilder, ReadOptions, alert_schema,
    event_schema, read_event_batches,
};
use logsec::event::{Alert, SourceFormat};
use logsec::parse::LocationKind;
use logsec::parse::ParseOptions;
use logsec::rules::{RuleFile, RuleStatus};
use logsec::{FileReport, Input, Pipeline, ScanReport};

use crate::errors;
use crate::table::Table;

/// Runs `work` with the GIL released; a panic becomes `logsec.LogsecError`.
pub(crate) fn detached<T: Send>(py: Python<'_>, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    py.detach(|| catch_unwind(AssertUnwindSafe(work)))
        .map_err(|panic| errors::internal(py, &panic))
}

/// The inputs of a read or a scan: files (directories expanded), or in-memory bytes.
#[pyclass(frozen, module = "logsec._native", name = "Sources")]
pub(crate) struct Sources {
    inputs: Vec<Input>,
    format: Option<SourceFormat>,
}

fn list_dir(path: &std::path::Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    entries.sort();
    Ok(entries)
}

#[pymethods]
impl Sources {
    /// `inputs`: paths (`str`) and in-memory contents (`bytes`); `format`: a format name or
    /// `None` to detect per file.
    #[new]
    #[pyo3(signature = (inputs, format=None, recursive=true))]
    fn new(
        py: Python<'_>,
        inputs: Vec<Bound<'_, PyAny>>,
        format: Option<&str>,
        recursive: bool,
    ) -> PyResult<Sources> {
        let format = match format {
            None => None,
            Some(name) => Some(
                name.parse::<SourceFormat>()
                    .map_err(|err| errors::unknown_format(py, &err))?,
            ),
        };
        let mut given = Vec::new();
        for (index, item) in inputs.iter().enumerate() {
            if let Ok(bytes) = item.cast::<PyBytes>() {
                given.push(Input::Bytes {
                    name: format!("<bytes {index}>"),
                    data: bytes.as_bytes().to_vec(),
                });
            } else {
                let path: PathBuf = item.extract().map_err(|_| {
                    pyo3::exceptions::PyTypeError::new_err(format!(
                        "inputs must be paths (str or os.PathLike) or bytes, not {}",
                        item.get_type()
                            .name()
                            .map_or_else(|_| "?".to_owned(), |n| n.to_string())
                    ))
                })?;
                given.push(Input::Path(path));
            }
        }
        let inputs = if recursive {
            Pipeline::expand_inputs(&given).map_err(|err| errors::pipeline(py, &err))?
        } else {
            let mut out = Vec::new();
            for input in given {
                match &input {
                    Input::Path(path) if path.is_dir() => {
                        let files = list_dir(path).map_err(|source| {
                            errors::pipeline(
                                py,
                                &logsec::PipelineError::Input {
                                    path: path.clone(),
                                    source,
                                },
                            )
                        })?;
                        out.extend(files.into_iter().map(Input::Path));
                    }
                    Input::Path(path) if !path.exists() => {
                        return Err(errors::pipeline(
                            py,
                            &logsec::PipelineError::Input {
                                path: path.clone(),
                                source: std::io::Error::from(std::io::ErrorKind::NotFound),
                            },
                        ));
                    }
                    _ => out.push(input),
                }
            }
            out
        };
        Ok(Sources { inputs, format })
    }

    /// The input names (paths, or `<bytes N>`), one per file.
    fn names(&self) -> Vec<String> {
        self.inputs.iter().map(Input::name).collect()
    }

    /// One `Sources` per file (for progress reporting).
    fn split(&self) -> Vec<Sources> {
        self.inputs
            .iter()
            .map(|input| Sources {
                inputs: vec![input.clone()],
                format: self.format,
            })
            .collect()
    }

    fn __len__(&self) -> usize {
        self.inputs.len()
    }
}

impl Sources {
    fn options(&self) -> ParseOptions {
        ParseOptions {
            format: self.format,
            ..ParseOptions::default()
        }
    }
}

pub(crate) fn reject_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("file", DataType::Utf8, true),
        Field::new("record", DataType::UInt64, false),
        Field::new("location_kind", DataType::Utf8, false),
        Field::new("byte_offset", DataType::UInt64, false),
        Field::new("reason", DataType::Utf8, false),
        Field::new("snippet", DataType::Utf8, false),
    ]))
}

/// Rejected records, and files that could not be read at all (`location_kind` "file").
pub(crate) fn rejects_batch(files: &[FileReport]) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let mut file = StringBuilder::new();
    let mut record = UInt64Builder::new();
    let mut kind = StringBuilder::new();
    let mut offset = UInt64Builder::new();
    let mut reason = StringBuilder::new();
    let mut snippet = StringBuilder::new();
    for report in files {
        if let Some(error) = &report.error {
            file.append_value(&report.name);
            record.append_value(0);
            kind.append_value("file");
            offset.append_value(0);
            reason.append_value(error);
            snippet.append_value("");
        }
        for reject in &report.rejects {
            file.append_option(reject.file.as_deref().or(Some(report.name.as_str())));
            record.append_value(reject.record);
            kind.append_value(match reject.location_kind {
                LocationKind::Line => "line",
                LocationKind::RecordIndex => "record_index",
            });
            offset.append_value(reject.byte_offset);
            reason.append_value(&reject.reason);
            snippet.append_value(&reject.snippet);
        }
    }
    RecordBatch::try_new(
        reject_schema(),
        vec![
            Arc::new(file.finish()),
            Arc::new(record.finish()),
            Arc::new(kind.finish()),
            Arc::new(offset.finish()),
            Arc::new(reason.finish()),
            Arc::new(snippet.finish()),
        ],
    )
}

/// Per-file summaries as Python dicts.
pub(crate) fn file_dicts<'py>(
    py: Python<'py>,
    report: &ScanReport,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for file in &report.files {
        let dict = PyDict::new(py);
        dict.set_item("name", &file.name)?;
        dict.set_item("format", file.format.map(SourceFormat::name))?;
        dict.set_item("records", file.records)?;
        dict.set_item("events", file.events)?;
        dict.set_item("skipped", file.skipped)?;
        dict.set_item("rejects", file.rejects.len())?;
        dict.set_item("error", file.error.as_deref())?;
        list.append(dict)?;
    }
    Ok(list)
}

type ReadOutput<'py> = (Table, Table, Bound<'py, PyList>);

/// Parses every input into an events table (batches of at most `batch_size` rows), a rejects
/// table and per-file summaries (with `strict`, inputs of which none gave an event and one
/// could not be read raise `logsec.ParseError`). Files, and chunks of JSON-lines and `Records`
/// inputs (`chunk_bytes` each, 1 KiB to 1 GiB), are parsed on `threads` worker threads (0: one
/// per core) while the input is still being read, with the GIL released; the rows keep input
/// order.
#[pyfunction]
#[pyo3(signature = (sources, batch_size=65536, threads=0, strict=true, chunk_bytes=DEFAULT_CHUNK_BYTES))]
pub(crate) fn read<'py>(
    py: Python<'py>,
    sources: &Sources,
    batch_size: usize,
    threads: usize,
    strict: bool,
    chunk_bytes: usize,
) -> PyResult<ReadOutput<'py>> {
    let options = ReadOptions {
        parse: sources.options(),
        batch_size,
        threads,
        chunk_bytes,
    };
    let outcome = detached(py, || {
        let read = read_event_batches(&sources.inputs, &options)?;
        Ok((rejects_batch(&read.report.files), read))
    })?;
    let (rejects, read) = outcome.map_err(|err| errors::pipeline(py, &err))?;
    let rejects = rejects.map_err(|err| errors::arrow(py, &err))?;
    if strict {
        check_unreadable(py, &read.report)?;
    }
    Ok((
        Table::new(event_schema(), read.batches),
        Table::new(reject_schema(), vec![rejects]),
        file_dicts(py, &read.report)?,
    ))
}

/// When no input gave an event and some input could not be read at all, that is an error
/// (`logsec.ParseError`), not an empty table.
fn check_unreadable(py: Python<'_>, report: &ScanReport) -> PyResult<()> {
    if report.events() > 0 {
        return Ok(());
    }
    match report.files.iter().find(|f| f.error.is_some()) {
        Some(file) => Err(errors::parse_failure(
            py,
            &format!(
                "{}: {}",
                file.name,
                file.error.as_deref().unwrap_or("cannot be read")
            ),
        )),
        None => Ok(()),
    }
}

/// A stream of event record batches, parsed on a background thread; memory is bounded by
/// two batches in flight. Not frozen: pyo3's borrow flag makes concurrent `__next__` calls from
/// two threads fail cleanly instead of racing.
#[pyclass(module = "logsec._native", name = "BatchReader")]
pub(crate) struct BatchReader {
    receiver: Option<Mutex<Receiver<Result<RecordBatch, String>>>>,
    worker: Option<JoinHandle<()>>,
    cancel: Arc<AtomicBool>,
}

fn produce(
    sources: Vec<Input>,
    options: ParseOptions,
    batch_size: usize,
    sender: SyncSender<Result<RecordBatch, String>>,
    cancel: Arc<AtomicBool>,
) {
    let pipeline = Pipeline::builder()
        .default_rules(false)
        .parse_options(options)
        .threads(1)
        .build();
    let mut builder = EventBatchBuilder::new(batch_size);
    let send = |item: Result<RecordBatch, String>| {
        if sender.send(item).is_err() {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let report = pipeline.parse(&sources, &mut |event| {
            if cancel.load(Ordering::Relaxed) {
                return;
            }
            match builder.append(event) {
                Ok(Some(batch)) => send(Ok(batch)),
                Ok(None) => {}
                Err(err) => send(Err(err.to_string())),
            }
        });
        match report {
            Ok(_) => match builder.finish() {
                Ok(Some(batch)) => send(Ok(batch)),
                Ok(None) => {}
                Err(err) => send(Err(err.to_string())),
            },
            Err(err) => send(Err(err.to_string())),
        }
    }));
    if outcome.is_err() {
        send(Err("internal error: the parser panicked".to_owned()));
    }
}

#[pymethods]
impl BatchReader {
    #[new]
    #[pyo3(signature = (sources, batch_size=65536))]
    fn new(sources: &Sources, batch_size: usize) -> BatchReader {
        let (sender, receiver) = sync_channel(2);
        let cancel = Arc::new(AtomicBool::new(false));
        let inputs = sources.inputs.clone();
        let options = sources.options();
        let flag = cancel.clone();
        let worker = std::thread::spawn(move || {
            produce(inputs, options, batch_size, sender, flag);
        });
        BatchReader {
            receiver: Some(Mutex::new(receiver)),
            worker: Some(worker),
            cancel,
        }
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The next batch as a one-batch `Table`; `None` (StopIteration) at the end.
    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<Table>> {
        let Some(receiver) = self.receiver.as_mut() else {
            return Ok(None);
        };
        // A poisoned lock only means an earlier panic; the receiver itself is intact.
        let receiver = receiver.get_mut().unwrap_or_else(|e| e.into_inner());
        let next = py.detach(move || receiver.recv());
        match next {
            Ok(Ok(batch)) => Ok(Some(Table::new(event_schema(), vec![batch]))),
            Ok(Err(message)) => {
                self.close(py);
                Err(errors::parse_failure(py, &message))
            }
            Err(_) => {
                self.close(py);
                Ok(None)
            }
        }
    }

    /// Stops the background parse and releases its memory.
    fn close(&mut self, py: Python<'_>) {
        self.cancel.store(true, Ordering::Relaxed);
        self.receiver.take();
        if let Some(worker) = self.worker.take() {
            py.detach(|| {
                let _ = worker.join();
            });
        }
    }
}

/// A loaded rule set (the bundled pack and/or given files) ready to scan.
#[pyclass(frozen, module = "logsec._native", name = "Rules")]
pub(crate) struct Rules {
    pub(crate) pipeline: Pipeline,
}

#[pymethods]
impl Rules {
    /// `texts`: (name, YAML text) pairs; `paths`: rule files and directories; `default_pack`:
    /// whether the bundled pack comes first; `placeholders`: values for Sigma `|expand`.
    #[new]
    #[pyo3(signature = (texts, paths, default_pack, placeholders=None))]
    fn new(
        py: Python<'_>,
        texts: Vec<(String, String)>,
        paths: Vec<PathBuf>,
        default_pack: bool,
        placeholders: Option<HashMap<String, Vec<String>>>,
    ) -> PyResult<Rules> {
        let mut builder = Pipeline::builder()
            .default_rules(default_pack)
            .placeholders(placeholders.unwrap_or_default());
        builder = builder
            .rule_paths(&paths)
            .map_err(|err| errors::pipeline(py, &err))?;
        for (name, text) in texts {
            builder = builder.rule_file(RuleFile::new(name, text));
        }
        let pipeline = detached(py, move || builder.build())?;
        Ok(Rules { pipeline })
    }

    /// The load report: one dict per rule (path, id, title, dialect, status, reason,
    /// location, warnings).
    fn report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for rule in &self.pipeline.engine().report().rules {
            let dict = PyDict::new(py);
            dict.set_item("path", &rule.path)?;
            dict.set_item("id", rule.id.as_deref())?;
            dict.set_item("title", &rule.title)?;
            dict.set_item("dialect", &rule.dialect)?;
            dict.set_item(
                "status",
                match rule.status {
                    RuleStatus::Compiled => "compiled",
                    RuleStatus::Unsupported => "unsupported",
                    RuleStatus::Error => "error",
                    RuleStatus::Disabled => "disabled",
                },
            )?;
            dict.set_item("reason", rule.reason.as_deref())?;
            dict.set_item("location", rule.location.as_deref())?;
            dict.set_item("warnings", rule.warnings.clone())?;
            list.append(dict)?;
        }
        Ok(list)
    }

    /// Scans `sources` exactly as `logsec scan` does; returns the alerts table, the rejected
    /// records and the per-file summaries.
    fn scan<'py>(&self, py: Python<'py>, sources: &Sources) -> PyResult<ReadOutput<'py>> {
        let outcome = detached(py, || {
            let mut builder = AlertBatchBuilder::new();
            let report = self.pipeline.scan_with_options(
                &sources.inputs,
                &sources.options(),
                &mut |alert: &Alert| builder.append(alert),
            );
            report.map(|report| (builder.finish(), rejects_batch(&report.files), report))
        })?;
        let (batch, rejects, report) = outcome.map_err(|err| errors::pipeline(py, &err))?;
        let batch = batch.map_err(|err| errors::arrow(py, &err))?;
        let rejects = rejects.map_err(|err| errors::arrow(py, &err))?;
        check_unreadable_scan(py, &report)?;
        Ok((
            Table::new(alert_schema(), vec![batch]),
            Table::new(reject_schema(), vec![rejects]),
            file_dicts(py, &report)?,
        ))
    }
}

fn check_unreadable_scan(py: Python<'_>, report: &ScanReport) -> PyResult<()> {
    check_unreadable(py, report)
}

/// The least-privilege report as (JSON text, Markdown, HTML).
#[pyfunction]
#[pyo3(signature = (cloudtrail, authz, since="90d", baseline=Some("30d")))]
pub(crate) fn iam_report(
    py: Python<'_>,
    cloudtrail: Vec<PathBuf>,
    authz: PathBuf,
    since: &str,
    baseline: Option<&str>,
) -> PyResult<(String, String, String)> {
    let options = logsec::iam::ReportOptions::from_durations(since, baseline)
        .map_err(|err| errors::iam(py, &err))?;
    let outcome = detached(py, || {
        logsec::iam::run_report(&cloudtrail, &authz, &options).map(|report| {
            (
                serde_json::to_string(&report).unwrap_or_else(|_| "{}".to_owned()),
                report.render_markdown(),
                report.render_html(),
            )
        })
    })?;
    outcome.map_err(|err| errors::iam(py, &err))
}
