//! Arrow-batch functions for distributed engines (Spark `mapInArrow` / `applyInArrow`, Dask
//! `map_partitions`): `logsec.spark` and `logsec.dask` call these on every partition.
//!
//! Every function takes and returns an Arrow record batch (through the PyCapsule interface)
//! and releases the GIL while it works. Rules travel as text and are compiled once per
//! process: a cache keyed by a hash of the rules text keeps the compiled [`Pipeline`].
//!
//! Correlations run in two stages (see `docs/spark.md`): [`detect_batch`] raises the alerts
//! of single-event rules, [`feed_batch`] emits the events that feed a correlation as rows
//! (`key`, `time`, `uid`, `format`, `raw`), and [`correlate_batch`] runs the correlation
//! engine over one group of such rows in event-time order.
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use arrow_array::builder::{Int64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use logsec::arrow::{AlertBatchBuilder, EventBatchBuilder, alert_schema, event_schema};
use logsec::event::{Alert, Event, SourceFormat, event_uid};
use logsec::parse::{ParseOptions, parse_bytes};
use logsec::rules::RuleFile;
use logsec::{Input, Pipeline};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3_arrow::PyRecordBatch;

/// The schema of the rows [`feed_batch`] emits.
fn feed_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Arc::new(Schema::new(vec![
                Field::new("key", DataType::Utf8, false),
                Field::new("time", DataType::Int64, false),
                Field::new("uid", DataType::Utf8, false),
                Field::new("format", DataType::Utf8, false),
                Field::new("raw", DataType::Utf8, false),
            ]))
        })
        .clone()
}

fn value_error(err: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(err.to_string())
}

/// The compiled rules for `rules` ("pack", or a JSON list of `[name, text]` pairs), compiled
/// at most once per process.
fn pipeline_for(rules: &str) -> PyResult<Arc<Pipeline>> {
    static CACHE: OnceLock<Mutex<HashMap<u64, Arc<Pipeline>>>> = OnceLock::new();
    let mut hasher = DefaultHasher::new();
    rules.hash(&mut hasher);
    let key = hasher.finish();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(found) = cache
        .lock()
        .map_err(|_| PyRuntimeError::new_err("rule cache poisoned"))?
        .get(&key)
    {
        return Ok(found.clone());
    }
    let mut builder = Pipeline::builder().threads(1);
    if rules.trim() != "pack" {
        let files: Vec<(String, String)> = serde_json::from_str(rules).map_err(|err| {
            value_error(format!(
                "rules must be \"pack\" or a JSON list of [name, text]: {err}"
            ))
        })?;
        builder = builder.default_rules(false);
        for (name, text) in files {
            builder = builder.rule_file(RuleFile::new(name, text));
        }
    }
    let pipeline = Arc::new(builder.build());
    cache
        .lock()
        .map_err(|_| PyRuntimeError::new_err("rule cache poisoned"))?
        .insert(key, pipeline.clone());
    Ok(pipeline)
}

fn resolve_format(format: Option<&str>) -> PyResult<Option<SourceFormat>> {
    match format {
        None | Some("auto") | Some("") => Ok(None),
        Some(name) => SourceFormat::from_name(name)
            .map(Some)
            .ok_or_else(|| value_error(format!("unknown format {name:?}"))),
    }
}

/// Byte access to one input column of any string or binary type.
enum Column<'b> {
    Utf8(&'b arrow_array::StringArray),
    LargeUtf8(&'b arrow_array::LargeStringArray),
    Utf8View(&'b arrow_array::StringViewArray),
    Binary(&'b arrow_array::BinaryArray),
    LargeBinary(&'b arrow_array::LargeBinaryArray),
    BinaryView(&'b arrow_array::BinaryViewArray),
}

impl<'b> Column<'b> {
    fn of(array: &'b ArrayRef) -> Result<Column<'b>, String> {
        Ok(match array.data_type() {
            DataType::Utf8 => Column::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => Column::LargeUtf8(array.as_string::<i64>()),
            DataType::Utf8View => Column::Utf8View(array.as_string_view()),
            DataType::Binary => Column::Binary(array.as_binary::<i32>()),
            DataType::LargeBinary => Column::LargeBinary(array.as_binary::<i64>()),
            DataType::BinaryView => Column::BinaryView(array.as_binary_view()),
            other => return Err(format!("column type {other} is neither string nor binary")),
        })
    }

    fn get(&self, row: usize) -> Option<&'b [u8]> {
        macro_rules! at {
            ($a:expr, $conv:expr) => {
                if row < $a.len() && $a.is_valid(row) {
                    Some($conv($a.value(row)))
                } else {
                    None
                }
            };
        }
        match self {
            Column::Utf8(a) => at!(a, str::as_bytes),
            Column::LargeUtf8(a) => at!(a, str::as_bytes),
            Column::Utf8View(a) => at!(a, str::as_bytes),
            Column::Binary(a) => at!(a, |b| b),
            Column::LargeBinary(a) => at!(a, |b| b),
            Column::BinaryView(a) => at!(a, |b| b),
        }
    }
}

/// The input rows of one batch: their bytes, and the optional file name of each (used for
/// format detection when no format is forced).
struct Rows<'b> {
    data: Column<'b>,
    names: Option<Column<'b>>,
    len: usize,
}

impl<'b> Rows<'b> {
    fn new(
        batch: &'b RecordBatch,
        column: &str,
        name_column: Option<&str>,
    ) -> Result<Rows<'b>, String> {
        let find = |name: &str| {
            batch
                .column_by_name(name)
                .ok_or_else(|| format!("no column {name:?} in the batch"))
        };
        let data = Column::of(find(column)?)?;
        let names = match name_column {
            Some(name) => Some(Column::of(find(name)?)?),
            None => None,
        };
        Ok(Rows {
            data,
            names,
            len: batch.num_rows(),
        })
    }

    /// Parses every row, calling `visit` with each event.
    fn each_event(
        &self,
        format: Option<SourceFormat>,
        visit: &mut dyn FnMut(&Event<'_>) -> Result<(), String>,
    ) -> Result<(), String> {
        for row in 0..self.len {
            let Some(bytes) = self.data.get(row) else {
                continue;
            };
            let options = ParseOptions {
                format,
                file_name: self
                    .names
                    .as_ref()
                    .and_then(|names| names.get(row))
                    .map(|name| String::from_utf8_lossy(name).into_owned()),
                ..ParseOptions::default()
            };
            let parsed = parse_bytes(bytes, &options).map_err(|err| err.to_string())?;
            for event in &parsed.events {
                visit(event)?;
            }
        }
        Ok(())
    }
}

/// Parses the `column` of `batch` (strings or bytes; a row may be one line or a whole file,
/// plain or gzip) into OCSF event rows (the schema of `logsec` event tables).
#[pyfunction]
#[pyo3(name = "_spark_parse_batch", signature = (batch, column="value", format=None, name_column=None))]
pub fn parse_batch(
    py: Python<'_>,
    batch: PyRecordBatch,
    column: &str,
    format: Option<&str>,
    name_column: Option<&str>,
) -> PyResult<Py<PyAny>> {
    let format = resolve_format(format)?;
    let batch = batch.into_inner();
    let out = py
        .detach(|| -> Result<RecordBatch, String> {
            let rows = Rows::new(&batch, column, name_column)?;
            let mut builder = EventBatchBuilder::new(usize::MAX);
            rows.each_event(format, &mut |event| {
                builder.append(event).map(|_| ()).map_err(|e| e.to_string())
            })?;
            Ok(builder
                .finish()
                .map_err(|e| e.to_string())?
                .unwrap_or_else(|| RecordBatch::new_empty(event_schema())))
        })
        .map_err(value_error)?;
    Ok(PyRecordBatch::new(out).into_pyarrow(py)?.unbind())
}

fn alerts_batch(alerts: &[Alert]) -> Result<RecordBatch, String> {
    let mut builder = AlertBatchBuilder::new();
    for alert in alerts {
        builder.append(alert);
    }
    builder.finish().map_err(|e| e.to_string())
}

/// The alerts of the single-event rules over the events of `batch` (see [`parse_batch`] for
/// the input). `rules` is `"pack"` or a JSON list of `[name, text]` rule files.
#[pyfunction]
#[pyo3(name = "_spark_detect_batch", signature = (batch, column="value", format=None, rules="pack", name_column=None))]
pub fn detect_batch(
    py: Python<'_>,
    batch: PyRecordBatch,
    column: &str,
    format: Option<&str>,
    rules: &str,
    name_column: Option<&str>,
) -> PyResult<Py<PyAny>> {
    let format = resolve_format(format)?;
    let pipeline = pipeline_for(rules)?;
    let batch = batch.into_inner();
    let out = py
        .detach(|| -> Result<RecordBatch, String> {
            let rows = Rows::new(&batch, column, name_column)?;
            let engine = pipeline.engine();
            let mut scratch = Vec::new();
            let mut alerts = Vec::new();
            rows.each_event(format, &mut |event| {
                engine.process_single(event, &mut scratch, &mut alerts);
                Ok(())
            })?;
            alerts_batch(&alerts)
        })
        .map_err(value_error)?;
    Ok(PyRecordBatch::new(out).into_pyarrow(py)?.unbind())
}

/// The events of `batch` that feed a correlation of `rules`, one row each: `key` (the group
/// the correlation stage runs in), `time` (ms), `uid` (the event id), `format` and `raw`.
#[pyfunction]
#[pyo3(name = "_spark_feed_batch", signature = (batch, column="value", format=None, rules="pack", name_column=None))]
pub fn feed_batch(
    py: Python<'_>,
    batch: PyRecordBatch,
    column: &str,
    format: Option<&str>,
    rules: &str,
    name_column: Option<&str>,
) -> PyResult<Py<PyAny>> {
    let format = resolve_format(format)?;
    let pipeline = pipeline_for(rules)?;
    let batch = batch.into_inner();
    let out = py
        .detach(|| -> Result<RecordBatch, String> {
            let rows = Rows::new(&batch, column, name_column)?;
            let engine = pipeline.engine();
            let mut scratch = Vec::new();
            let mut ignored = Vec::new();
            let (mut key, mut time, mut uid, mut fmt, mut raw) = (
                StringBuilder::new(),
                Int64Builder::new(),
                StringBuilder::new(),
                StringBuilder::new(),
                StringBuilder::new(),
            );
            if engine.has_correlations() {
                rows.each_event(format, &mut |event| {
                    ignored.clear();
                    if engine.process_single(event, &mut scratch, &mut ignored) {
                        key.append_value(correlation_key(event));
                        time.append_value(event.time);
                        uid.append_value(event_uid(event));
                        fmt.append_value(event.format().map_or("", SourceFormat::name));
                        raw.append_value(event.raw.as_str());
                    }
                    Ok(())
                })?;
            }
            let columns: Vec<ArrayRef> = vec![
                Arc::new(key.finish()),
                Arc::new(time.finish()),
                Arc::new(uid.finish()),
                Arc::new(fmt.finish()),
                Arc::new(raw.finish()),
            ];
            RecordBatch::try_new(feed_schema(), columns).map_err(|e| e.to_string())
        })
        .map_err(value_error)?;
    Ok(PyRecordBatch::new(out).into_pyarrow(py)?.unbind())
}

/// The group a correlation-feeding event is correlated in. A correlation's window, its
/// group-by values and (for temporal rules) the order of its base rules all live within one
/// stream of events, so one group is correct for every correlation type; see `docs/spark.md`
/// for why and for the per-key refinement.
fn correlation_key(_event: &Event<'_>) -> &'static str {
    "all"
}

/// Runs the correlations of `rules` over one group of rows from [`feed_batch`] (any order:
/// they are sorted by time, then event id, as the single-process scan does) and returns the
/// alerts, the end-of-input flush included.
#[pyfunction]
#[pyo3(name = "_spark_correlate_batch", signature = (batch, rules="pack"))]
pub fn correlate_batch(py: Python<'_>, batch: PyRecordBatch, rules: &str) -> PyResult<Py<PyAny>> {
    let pipeline = pipeline_for(rules)?;
    let batch = batch.into_inner();
    let out = py
        .detach(|| -> Result<RecordBatch, String> {
            let column = |name: &str| {
                batch
                    .column_by_name(name)
                    .ok_or_else(|| format!("no column {name:?} in the batch"))
            };
            let times = column("time")?
                .as_primitive_opt::<arrow_array::types::Int64Type>()
                .ok_or("column \"time\" is not int64")?;
            let uids = Column::of(column("uid")?)?;
            let formats = Column::of(column("format")?)?;
            let raws = Column::of(column("raw")?)?;
            let mut order: Vec<(i64, &[u8], usize)> = (0..batch.num_rows())
                .map(|row| (times.value(row), uids.get(row).unwrap_or_default(), row))
                .collect();
            order.sort();
            let engine = pipeline.engine();
            let mut state = engine.new_state();
            let mut alerts = Vec::new();
            for (_, _, row) in order {
                let format = formats
                    .get(row)
                    .and_then(|f| std::str::from_utf8(f).ok())
                    .and_then(SourceFormat::from_name);
                let Some(raw) = raws.get(row) else { continue };
                let options = ParseOptions {
                    format,
                    ..ParseOptions::default()
                };
                let parsed = parse_bytes(raw, &options).map_err(|err| err.to_string())?;
                for event in &parsed.events {
                    engine.correlate(event, &mut state, &mut alerts);
                }
            }
            engine.finish(&mut state, &mut alerts);
            alerts_batch(&alerts)
        })
        .map_err(value_error)?;
    Ok(PyRecordBatch::new(out).into_pyarrow(py)?.unbind())
}

/// The alerts of a single-process scan of `paths` with `rules` (the reference the
/// distributed results are compared with), as one batch in the scan's order.
#[pyfunction]
#[pyo3(name = "_spark_scan_paths", signature = (paths, rules="pack"))]
pub fn scan_paths(py: Python<'_>, paths: Vec<String>, rules: &str) -> PyResult<Py<PyAny>> {
    let pipeline = pipeline_for(rules)?;
    let out = py
        .detach(|| -> Result<RecordBatch, String> {
            let inputs: Vec<Input> = paths.iter().map(|p| Input::from_arg(p)).collect();
            let mut alerts = Vec::new();
            pipeline
                .scan(&inputs, &mut |alert| alerts.push(alert.clone()))
                .map_err(|e| e.to_string())?;
            alerts_batch(&alerts)
        })
        .map_err(value_error)?;
    Ok(PyRecordBatch::new(out).into_pyarrow(py)?.unbind())
}

/// Whether `rules` hold a correlation (then [`feed_batch`] and [`correlate_batch`] run).
#[pyfunction]
#[pyo3(name = "_spark_has_correlations")]
pub fn has_correlations(rules: &str) -> PyResult<bool> {
    Ok(pipeline_for(rules)?.engine().has_correlations())
}

/// The Arrow schemas of the batches above, for declaring Spark output schemas.
#[pyfunction]
#[pyo3(name = "_spark_schemas")]
pub fn spark_schemas(py: Python<'_>) -> PyResult<(Py<PyAny>, Py<PyAny>, Py<PyAny>)> {
    let to_py = |schema: SchemaRef| -> PyResult<Py<PyAny>> {
        Ok(PyRecordBatch::new(RecordBatch::new_empty(schema))
            .into_pyarrow(py)?
            .getattr("schema")?
            .unbind())
    };
    Ok((
        to_py(event_schema())?,
        to_py(alert_schema())?,
        to_py(feed_schema())?,
    ))
}

/// Registers the functions of this file in the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(parse_batch, m)?)?;
    m.add_function(wrap_pyfunction!(detect_batch, m)?)?;
    m.add_function(wrap_pyfunction!(feed_batch, m)?)?;
    m.add_function(wrap_pyfunction!(correlate_batch, m)?)?;
    m.add_function(wrap_pyfunction!(scan_paths, m)?)?;
    m.add_function(wrap_pyfunction!(spark_schemas, m)?)?;
    m.add_function(wrap_pyfunction!(has_correlations, m)?)?;
    Ok(())
}
