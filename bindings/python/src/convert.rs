//! Conversions from logsec values to Python objects, in one place.
use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use logsec::event::FieldValue;

/// A timestamp in milliseconds since the Unix epoch as a timezone-aware UTC `datetime`,
/// computed as epoch + timedelta so no float rounding creeps in.
pub(crate) fn millis_to_datetime(py: Python<'_>, millis: i64) -> PyResult<Bound<'_, PyAny>> {
    let datetime = py.import("datetime")?;
    let utc = datetime.getattr("timezone")?.getattr("utc")?;
    let epoch = datetime
        .getattr("datetime")?
        .call1((1970, 1, 1, 0, 0, 0, 0, utc))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("milliseconds", millis)?;
    let delta = datetime.getattr("timedelta")?.call((), Some(&kwargs))?;
    epoch.add(delta)
}

/// A field value as a Python value: `None` for null (and missing), `str`, `int`, `float`,
/// `bool`, IP addresses as `str`, timestamps as UTC `datetime`, lists as `list`, objects as
/// `dict`.
pub(crate) fn field_value_to_py<'py>(
    py: Python<'py>,
    value: &FieldValue<'_>,
) -> PyResult<Bound<'py, PyAny>> {
    match value {
        FieldValue::Missing | FieldValue::Null => Ok(py.None().into_bound(py)),
        FieldValue::Str(text) => text.as_ref().into_bound_py_any(py),
        FieldValue::Int(n) => n.into_bound_py_any(py),
        FieldValue::UInt(n) => n.into_bound_py_any(py),
        FieldValue::Float(f) => f.into_bound_py_any(py),
        FieldValue::Bool(b) => b.into_bound_py_any(py),
        FieldValue::Ip(ip) => ip.to_string().into_bound_py_any(py),
        FieldValue::Time(millis) => millis_to_datetime(py, *millis),
        FieldValue::List(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(field_value_to_py(py, item)?)?;
            }
            Ok(list.into_any())
        }
        FieldValue::Object(object) => json_to_py(py, &object.to_serde()),
    }
}

/// A JSON value as plain Python data (`dict`, `list`, `str`, `int`, `float`, `bool`, `None`),
/// as `json.loads` would build it.
pub(crate) fn json_to_py<'py>(
    py: Python<'py>,
    value: &serde_json::Value,
) -> PyResult<Bound<'py, PyAny>> {
    match value {
        serde_json::Value::Null => Ok(py.None().into_bound(py)),
        serde_json::Value::Bool(b) => b.into_bound_py_any(py),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_bound_py_any(py)
            } else if let Some(u) = n.as_u64() {
                u.into_bound_py_any(py)
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)
            }
        }
        serde_json::Value::String(text) => text.as_str().into_bound_py_any(py),
        serde_json::Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            Ok(list.into_any())
        }
        serde_json::Value::Object(members) => {
            let dict = PyDict::new(py);
            for (key, member) in members {
                dict.set_item(key, json_to_py(py, member)?)?;
            }
            Ok(dict.into_any())
        }
    }
}
