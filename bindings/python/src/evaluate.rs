//! `Rules.evaluate` over Arrow data: an events `Table` of ours (any slice or concatenation),
//! or anything exporting an Arrow stream or batch (`pyarrow.Table`, `RecordBatchReader`,
//! `polars.DataFrame`, …) with the events schema's `raw`, `metadata_log_format` and `time`.
use arrow_array::RecordBatch;
use pyo3::prelude::*;
use pyo3::types::PyList;
use pyo3_arrow::input::AnyRecordBatch;

use logsec::arrow::{AlertBatchBuilder, alert_schema, evaluate_event_batches};
use logsec::event::{Alert, SourceFormat};
use logsec::parse::ParseOptions;

use crate::api::{Rules, detached, file_dicts, reject_schema, rejects_batch};
use crate::errors;
use crate::table::Table;

/// The batches of `data`: ours without a copy, others through the Arrow PyCapsule interface.
fn batches_of(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Vec<RecordBatch>> {
    if let Ok(table) = data.cast::<Table>() {
        return Ok(table.get().batches.as_ref().clone());
    }
    let any: AnyRecordBatch = data.extract().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "cannot evaluate a {}: pass logsec.Events or an Arrow table, batch or stream \
             (pyarrow, polars) with the events columns",
            data.get_type()
                .name()
                .map_or_else(|_| "?".to_owned(), |n| n.to_string())
        ))
    })?;
    let reader = any.into_reader()?;
    let batches: Result<Vec<RecordBatch>, _> = reader.collect();
    batches.map_err(|err| errors::arrow_input(py, &err))
}

type EvaluateOutput<'py> = (Table, Table, Bound<'py, PyList>);

/// Runs `rules` over the events in `data` (see the module docs): the alerts, the rows whose
/// raw record could not be parsed again, and a one-entry file summary. `format` is used for
/// rows without a `metadata_log_format`.
#[pyfunction]
#[pyo3(signature = (rules, data, format=None))]
pub(crate) fn evaluate<'py>(
    py: Python<'py>,
    rules: &Rules,
    data: &Bound<'py, PyAny>,
    format: Option<&str>,
) -> PyResult<EvaluateOutput<'py>> {
    let format = match format {
        None => None,
        Some(name) => Some(
            name.parse::<SourceFormat>()
                .map_err(|err| errors::unknown_format(py, &err))?,
        ),
    };
    let batches = batches_of(py, data)?;
    let options = ParseOptions {
        format,
        ..ParseOptions::default()
    };
    let outcome = detached(py, || {
        let mut builder = AlertBatchBuilder::new();
        let report =
            evaluate_event_batches(&rules.pipeline, &batches, &options, &mut |alert: &Alert| {
                builder.append(alert)
            })?;
        let alerts = builder.finish()?;
        let rejects = rejects_batch(&report.files)?;
        Ok((alerts, rejects, report))
    })?;
    let (alerts, rejects, report) =
        outcome.map_err(|err: arrow_schema::ArrowError| errors::arrow_input(py, &err))?;
    Ok((
        Table::new(alert_schema(), vec![alerts]),
        Table::new(reject_schema(), vec![rejects]),
        file_dicts(py, &report)?,
    ))
}

/// An empty rejects table (for events that did not come from a read).
#[pyfunction]
pub(crate) fn empty_rejects() -> Table {
    Table::new(reject_schema(), Vec::new())
}
