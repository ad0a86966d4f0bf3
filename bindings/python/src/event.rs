//! `logsec.Event`: one normalized (OCSF 1.8) event, read-only.
use pyo3::prelude::*;
use pyo3::types::PyType;

use logsec::event::{Event, FieldPath, FieldValue};

use crate::{convert, errors};

/// One normalized log record (an OCSF 1.8 event) with its raw record.
#[pyclass(frozen, module = "logsec", name = "Event")]
pub(crate) struct PyEvent {
    inner: Event<'static>,
}

impl PyEvent {
    fn path(py: Python<'_>, path: &str) -> PyResult<FieldPath> {
        FieldPath::parse(path).map_err(|err| errors::field_error(py, &err))
    }

    /// The value at `path`; a panic in the lookup (a bug) becomes `logsec.LogsecError`.
    fn lookup(&self, py: Python<'_>, path: &FieldPath) -> PyResult<FieldValue<'_>> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.inner.get(path)))
            .map_err(|panic| errors::internal(py, &panic))
    }
}

#[pymethods]
impl PyEvent {
    /// Reads an event from its OCSF JSON form.
    #[classmethod]
    fn from_ocsf_json(_cls: &Bound<'_, PyType>, py: Python<'_>, text: &str) -> PyResult<Self> {
        crate::api::detached(py, || Event::from_ocsf_json(text))?
            .map(|inner| PyEvent { inner })
            .map_err(|err| errors::parse_error(py, &err))
    }

    /// The OCSF JSON form (compact).
    fn to_ocsf_json(&self) -> String {
        self.inner.to_ocsf_json()
    }

    /// The OCSF form as plain Python data (what `json.loads(event.to_ocsf_json())` gives).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let value = serde_json::to_value(&self.inner)
            .map_err(|err| pyo3::exceptions::PyRuntimeError::new_err(err.to_string()))?;
        convert::json_to_py(py, &value)
    }

    /// The value at a field path, or `default` when the field is missing. A field that is
    /// present with the value null gives `None`; use `has` to tell the two apart.
    #[pyo3(signature = (path, default=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        path: &str,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let path = Self::path(py, path)?;
        let value = self.lookup(py, &path)?;
        match (value.is_missing(), default) {
            (true, Some(default)) => Ok(default),
            _ => convert::field_value_to_py(py, &value),
        }
    }

    /// Whether the field is present (with any value, null included).
    fn has(&self, py: Python<'_>, path: &str) -> PyResult<bool> {
        let path = Self::path(py, path)?;
        Ok(!self.lookup(py, &path)?.is_missing())
    }

    /// `class_uid`.
    #[getter]
    fn class_uid(&self) -> u32 {
        self.inner.class_uid
    }

    /// `activity_id`.
    #[getter]
    fn activity_id(&self) -> u32 {
        self.inner.activity_id
    }

    /// `time` as a timezone-aware UTC `datetime`.
    #[getter]
    fn time<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::millis_to_datetime(py, self.inner.time)
    }

    /// The canonical name of the source format (`metadata.log_format`), or `None`.
    #[getter]
    fn format(&self) -> Option<&'static str> {
        self.inner.format().map(|format| format.name())
    }

    fn __repr__(&self) -> String {
        format!(
            "Event(class_uid={}, activity_id={}, time={}, format={})",
            self.inner.class_uid,
            self.inner.activity_id,
            self.inner.time,
            self.inner
                .format()
                .map_or_else(|| "None".to_owned(), |format| format!("'{format}'")),
        )
    }
}
