//! Arrow-batch functions for distributed engines (Spark `mapInArrow` / `applyInArrow`, Dask
//! `map_partitions`): `logsec.spark` and `logsec.dask` call these on every partition.
//!
//! Every function takes and returns an Arrow record batch (through the PyCapsule interface)
//! and releases the GIL while it works. Rules travel as text and are compiled once per
//! process: a cache keyed by a hash of the rules text keeps the compiled [`Pipeline`].
//!
//! Correlations run in two stages (see `docs/spark.md`): [`detect_feed_batch`] raises the
//! alerts of single-event rules and emits every base-rule match that feeds a correlation as a
//! row tagged with its correlation partition (correlation, group-by values); after a shuffle
//! by that partition, [`correlate_batch`] runs the correlation engine over each partition's
//! rows in event-time order. The core of both is `logsec::{detect_partition_event,
//! correlate_partition}`; this file only converts Arrow rows.
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use arrow_array::builder::{Int32Builder, Int64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use logsec::arrow::{AlertBatchBuilder, EventBatchBuilder, alert_schema, event_schema};
use logsec::event::{Alert, Event, SourceFormat};
use logsec::parse::{ParseOptions, parse_bytes};
use logsec::rules::RuleFile;
use logsec::rules::sigma::{CorrelationInput, CorrelationPartitioner};
use logsec::{Pipeline, correlate_partition, detect_partition_event};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3_arrow::PyRecordBatch;

/// The schema of the correlation-input rows [`detect_feed_batch`] emits: the correlation
/// partition (`partition`: the index of its correlation, `group_key`: its group-by values as a
/// JSON list), then the input (`correlation`, `input` position, `event_time` in ms, `event_uid`,
/// `event_format`, `group_values` and `field_values` as JSON lists).
fn input_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Arc::new(Schema::new(vec![
                Field::new("partition", DataType::Int32, false),
                Field::new("group_key", DataType::Utf8, false),
                Field::new("correlation", DataType::Int32, false),
                Field::new("input", DataType::Int32, false),
                Field::new("event_time", DataType::Int64, false),
                Field::new("event_uid", DataType::Utf8, false),
                Field::new("event_format", DataType::Utf8, true),
                Field::new("group_values", DataType::Utf8, false),
                Field::new("field_values", DataType::Utf8, false),
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

/// Stage 1 over the events of `batch` (see [`parse_batch`] for the input): the alerts of the
/// single-event rules; the correlation inputs are appended to `inputs` when `keep_inputs`.
fn stage_one(
    batch: &RecordBatch,
    column: &str,
    format: Option<SourceFormat>,
    pipeline: &Pipeline,
    name_column: Option<&str>,
    inputs: &mut Vec<CorrelationInput>,
    keep_inputs: bool,
) -> Result<RecordBatch, String> {
    let rows = Rows::new(batch, column, name_column)?;
    let engine = pipeline.engine();
    let mut scratch = Vec::new();
    let mut alerts = Vec::new();
    rows.each_event(format, &mut |event| {
        let before = inputs.len();
        detect_partition_event(engine, event, &mut scratch, &mut alerts, inputs);
        if !keep_inputs {
            inputs.truncate(before);
        }
        Ok(())
    })?;
    alerts_batch(&alerts)
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
        .detach(|| {
            stage_one(
                &batch,
                column,
                format,
                &pipeline,
                name_column,
                &mut Vec::new(),
                false,
            )
        })
        .map_err(value_error)?;
    Ok(PyRecordBatch::new(out).into_pyarrow(py)?.unbind())
}

/// Stage 1 of a distributed detect: `(alerts, inputs)`, the alerts of the single-event rules
/// over the events of `batch` and one [`input_schema`] row per base-rule match that feeds a
/// correlation, with the correlation partition (`partition`, `group_key`) it belongs to.
#[pyfunction]
#[pyo3(name = "_spark_detect_feed_batch", signature = (batch, column="value", format=None, rules="pack", name_column=None))]
pub fn detect_feed_batch(
    py: Python<'_>,
    batch: PyRecordBatch,
    column: &str,
    format: Option<&str>,
    rules: &str,
    name_column: Option<&str>,
) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let format = resolve_format(format)?;
    let pipeline = pipeline_for(rules)?;
    let batch = batch.into_inner();
    let (alerts, inputs) = py
        .detach(|| -> Result<(RecordBatch, RecordBatch), String> {
            let mut inputs = Vec::new();
            let alerts = stage_one(
                &batch,
                column,
                format,
                &pipeline,
                name_column,
                &mut inputs,
                true,
            )?;
            let partitioner = pipeline.engine().correlation_partitioner();
            Ok((alerts, inputs_batch(&partitioner, &inputs)?))
        })
        .map_err(value_error)?;
    Ok((
        PyRecordBatch::new(alerts).into_pyarrow(py)?.unbind(),
        PyRecordBatch::new(inputs).into_pyarrow(py)?.unbind(),
    ))
}

fn json_text(values: &[Option<String>]) -> Result<String, String> {
    serde_json::to_string(values).map_err(|e| e.to_string())
}

/// The [`input_schema`] rows of `inputs`.
fn inputs_batch(
    partitioner: &CorrelationPartitioner,
    inputs: &[CorrelationInput],
) -> Result<RecordBatch, String> {
    let index = |i: usize| i32::try_from(i).map_err(|e| e.to_string());
    let mut partition = Int32Builder::new();
    let mut group = StringBuilder::new();
    let mut correlation = Int32Builder::new();
    let mut input_position = Int32Builder::new();
    let mut time = Int64Builder::new();
    let mut uid = StringBuilder::new();
    let mut format = StringBuilder::new();
    let mut key = StringBuilder::new();
    let mut values = StringBuilder::new();
    for input in inputs {
        let part = partitioner.partition(input);
        partition.append_value(index(part.correlation)?);
        group.append_value(json_text(&part.key)?);
        correlation.append_value(index(input.correlation)?);
        input_position.append_value(index(input.input)?);
        time.append_value(input.time);
        uid.append_value(&input.uid);
        format.append_option(input.format.map(SourceFormat::name));
        key.append_value(json_text(&input.key)?);
        values.append_value(json_text(&input.values)?);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(partition.finish()),
        Arc::new(group.finish()),
        Arc::new(correlation.finish()),
        Arc::new(input_position.finish()),
        Arc::new(time.finish()),
        Arc::new(uid.finish()),
        Arc::new(format.finish()),
        Arc::new(key.finish()),
        Arc::new(values.finish()),
    ];
    RecordBatch::try_new(input_schema(), columns).map_err(|e| e.to_string())
}

/// Correlation inputs by correlation partition (`partition`, `group_key` bytes).
type PartitionedInputs = BTreeMap<(i32, Vec<u8>), Vec<CorrelationInput>>;

/// The correlation inputs of [`input_schema`] rows, grouped by correlation partition.
fn read_inputs(batch: &RecordBatch) -> Result<PartitionedInputs, String> {
    let column = |name: &str| {
        batch
            .column_by_name(name)
            .ok_or_else(|| format!("no column {name:?} in the batch"))
    };
    let int32 = |name: &str| -> Result<&arrow_array::Int32Array, String> {
        column(name)?
            .as_primitive_opt::<Int32Type>()
            .ok_or_else(|| format!("column {name:?} is not int32"))
    };
    let (partitions, correlations, positions) =
        (int32("partition")?, int32("correlation")?, int32("input")?);
    let times = column("event_time")?
        .as_primitive_opt::<Int64Type>()
        .ok_or("column \"event_time\" is not int64")?;
    let groups = Column::of(column("group_key")?)?;
    let uids = Column::of(column("event_uid")?)?;
    let formats = Column::of(column("event_format")?)?;
    let keys = Column::of(column("group_values")?)?;
    let values = Column::of(column("field_values")?)?;
    let json = |bytes: Option<&[u8]>| -> Result<Vec<Option<String>>, String> {
        serde_json::from_slice(bytes.unwrap_or(b"[]")).map_err(|e| e.to_string())
    };
    let usize_of = |array: &arrow_array::Int32Array, row: usize| {
        usize::try_from(array.value(row)).map_err(|e| e.to_string())
    };
    let mut out = PartitionedInputs::new();
    for row in 0..batch.num_rows() {
        let input = CorrelationInput {
            time: times.value(row),
            uid: String::from_utf8_lossy(uids.get(row).unwrap_or_default()).into_owned(),
            correlation: usize_of(correlations, row)?,
            input: usize_of(positions, row)?,
            key: json(keys.get(row))?,
            values: json(values.get(row))?,
            format: formats
                .get(row)
                .and_then(|f| std::str::from_utf8(f).ok())
                .and_then(SourceFormat::from_name),
        };
        let partition = (
            partitions.value(row),
            groups.get(row).unwrap_or_default().to_vec(),
        );
        out.entry(partition).or_default().push(input);
    }
    Ok(out)
}

/// Stage 2 of a distributed detect: the correlation alerts over [`input_schema`] rows from
/// [`detect_feed_batch`] (any order, any number of whole correlation partitions: each
/// partition is evaluated alone), the end-of-input flush included.
#[pyfunction]
#[pyo3(name = "_spark_correlate_batch", signature = (batch, rules="pack"))]
pub fn correlate_batch(py: Python<'_>, batch: PyRecordBatch, rules: &str) -> PyResult<Py<PyAny>> {
    let pipeline = pipeline_for(rules)?;
    let batch = batch.into_inner();
    let out = py
        .detach(|| -> Result<RecordBatch, String> {
            let mut alerts = Vec::new();
            for (_, inputs) in read_inputs(&batch)? {
                alerts.extend(correlate_partition(pipeline.engine(), inputs));
            }
            alerts_batch(&alerts)
        })
        .map_err(value_error)?;
    Ok(PyRecordBatch::new(out).into_pyarrow(py)?.unbind())
}

/// Whether `rules` hold a correlation (then [`detect_feed_batch`] and [`correlate_batch`] run).
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
        to_py(input_schema())?,
    ))
}

/// Registers the functions of this file in the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(parse_batch, m)?)?;
    m.add_function(wrap_pyfunction!(detect_batch, m)?)?;
    m.add_function(wrap_pyfunction!(detect_feed_batch, m)?)?;
    m.add_function(wrap_pyfunction!(correlate_batch, m)?)?;
    m.add_function(wrap_pyfunction!(spark_schemas, m)?)?;
    m.add_function(wrap_pyfunction!(has_correlations, m)?)?;
    Ok(())
}
