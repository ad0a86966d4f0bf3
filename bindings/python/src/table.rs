//! `logsec._native.Table`: Arrow record batches held in Rust, exported zero-copy through the
//! Arrow PyCapsule stream interface (`__arrow_c_stream__`).
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StructArray};
use arrow_schema::{Field, SchemaRef};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use pyo3_arrow::ffi::{ArrayIterator, to_stream_pycapsule};
use pyo3_arrow::input::AnyRecordBatch;

/// An immutable Arrow table (a schema and record batches).
#[pyclass(frozen, module = "logsec._native", name = "Table")]
pub(crate) struct Table {
    pub(crate) schema: SchemaRef,
    pub(crate) batches: Arc<Vec<RecordBatch>>,
}

impl Table {
    pub(crate) fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Table {
        let batches = batches.into_iter().filter(|b| b.num_rows() > 0).collect();
        Table {
            schema,
            batches: Arc::new(batches),
        }
    }

    pub(crate) fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

#[pymethods]
impl Table {
    fn __len__(&self) -> usize {
        self.rows()
    }

    /// The column names, in schema order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// The tables' rows one after the other (they must share a schema); no copy.
    #[staticmethod]
    fn concat(py: Python<'_>, tables: Vec<PyRef<'_, Table>>) -> PyResult<Table> {
        let Some(first) = tables.first() else {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "concat needs at least one table",
            ));
        };
        let schema = first.schema.clone();
        let mut batches = Vec::new();
        for table in &tables {
            if table.schema != schema {
                return Err(crate::errors::internal_message(
                    py,
                    "cannot concatenate tables with different schemas",
                ));
            }
            batches.extend(table.batches.iter().cloned());
        }
        Ok(Table::new(schema, batches))
    }

    /// A table holding the batches of any Arrow data (an object with `__arrow_c_stream__` or
    /// `__arrow_c_array__`: pyarrow, polars, …); the schema is the data's own, no copy.
    #[staticmethod]
    fn from_arrow(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Table> {
        if let Ok(table) = data.cast::<Table>() {
            let table = table.get();
            return Ok(Table::new(
                table.schema.clone(),
                table.batches.as_ref().clone(),
            ));
        }
        let any: AnyRecordBatch = data.extract()?;
        let reader = any.into_reader()?;
        let schema = reader.schema();
        let batches: Result<Vec<RecordBatch>, _> = reader.collect();
        let batches = batches.map_err(|err| crate::errors::arrow_input(py, &err))?;
        Ok(Table::new(schema, batches))
    }

    /// The rows `offset .. offset + length` (clamped to the table) as a new table; no copy.
    fn slice(&self, offset: usize, length: usize) -> Table {
        let mut out = Vec::new();
        let mut skip = offset;
        let mut left = length;
        for batch in self.batches.iter() {
            if left == 0 {
                break;
            }
            let rows = batch.num_rows();
            if skip >= rows {
                skip -= rows;
                continue;
            }
            let take = left.min(rows - skip);
            out.push(batch.slice(skip, take));
            left -= take;
            skip = 0;
        }
        Table::new(self.schema.clone(), out)
    }

    /// The Arrow PyCapsule stream export (consumed by `pyarrow.table`, `polars.DataFrame`, …).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let field = Field::new_struct("", self.schema.fields().clone(), false)
            .with_metadata(self.schema.metadata().clone());
        let batches: Vec<RecordBatch> = self.batches.as_ref().clone();
        let arrays = batches.into_iter().map(|batch| {
            let array: ArrayRef = Arc::new(StructArray::from(batch));
            Ok(array)
        });
        let reader = Box::new(ArrayIterator::new(arrays, field.into()));
        Ok(to_stream_pycapsule(py, reader, requested_schema)?)
    }

    fn __repr__(&self) -> String {
        format!(
            "Table(rows={}, columns={})",
            self.rows(),
            self.schema.fields().len()
        )
    }
}
