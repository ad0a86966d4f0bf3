//! The one place where Rust errors become Python exceptions.
//!
//! The exception classes are defined in Python (`logsec/_errors.py`) so they can inherit from
//! both `logsec.LogsecError` and the matching built-in (`ValueError`, `KeyError`); here each Rust
//! error type is mapped to its class, with the Rust `Display` text as the message.
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyType;

use logsec::event::{PathError, UnknownFormat};

/// Builds an exception of the class `name` from `logsec._errors`. If that module cannot be
/// imported (a broken installation), a `RuntimeError` carrying the message is raised instead.
fn logsec_error(py: Python<'_>, name: &str, message: String) -> PyErr {
    let class = py
        .import("logsec._errors")
        .and_then(|module| module.getattr(name))
        .and_then(|class| class.cast_into::<PyType>().map_err(PyErr::from));
    match class {
        Ok(class) => PyErr::from_type(class, message),
        Err(_) => PyRuntimeError::new_err(format!("logsec.{name}: {message}")),
    }
}

/// Input that is not valid OCSF JSON → `logsec.ParseError` (a `ValueError`).
pub(crate) fn parse_error(py: Python<'_>, err: &serde_json::Error) -> PyErr {
    logsec_error(py, "ParseError", format!("invalid OCSF event JSON: {err}"))
}

/// A field path that cannot be parsed or names no known field → `logsec.FieldError`
/// (a `KeyError`).
pub(crate) fn field_error(py: Python<'_>, err: &PathError) -> PyErr {
    logsec_error(py, "FieldError", err.to_string())
}

/// An unknown source-format name → `logsec.UnknownFormatError` (a `ValueError`).
pub(crate) fn unknown_format(py: Python<'_>, err: &UnknownFormat) -> PyErr {
    logsec_error(py, "UnknownFormatError", err.to_string())
}

/// A pipeline error: unreadable inputs → `logsec.InputError` (also an `OSError`), rule files
/// and placeholders → `logsec.RulesError`, anything else → `logsec.LogsecError`.
pub(crate) fn pipeline(py: Python<'_>, err: &logsec::PipelineError) -> PyErr {
    let class = match err {
        logsec::PipelineError::Input { .. } => "InputError",
        logsec::PipelineError::RuleRead { .. } | logsec::PipelineError::Placeholders { .. } => {
            "RulesError"
        }
        _ => "LogsecError",
    };
    logsec_error(py, class, err.to_string())
}

/// Input that could not be parsed at all → `logsec.ParseError`.
pub(crate) fn parse_failure(py: Python<'_>, message: &str) -> PyErr {
    logsec_error(py, "ParseError", message.to_owned())
}

/// An IAM report error → `logsec.IamError`.
pub(crate) fn iam(py: Python<'_>, err: &logsec::iam::IamError) -> PyErr {
    logsec_error(py, "IamError", err.to_string())
}

/// An Arrow conversion error (a bug: the schema is fixed) → `logsec.LogsecError`.
pub(crate) fn arrow(py: Python<'_>, err: &arrow_schema::ArrowError) -> PyErr {
    logsec_error(
        py,
        "LogsecError",
        format!("internal error building Arrow data: {err}"),
    )
}

/// Arrow data given by the caller that lacks a needed column or has one of an unusable type →
/// `logsec.SchemaError` (a `ValueError`).
pub(crate) fn arrow_input(py: Python<'_>, err: &arrow_schema::ArrowError) -> PyErr {
    let message = match err {
        arrow_schema::ArrowError::SchemaError(message) => message.clone(),
        other => other.to_string(),
    };
    logsec_error(py, "SchemaError", message)
}

/// A caught Rust panic → `logsec.LogsecError` (never a `PanicException`).
pub(crate) fn internal(py: Python<'_>, panic: &Box<dyn std::any::Any + Send>) -> PyErr {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    internal_message(py, &format!("the Rust engine panicked: {detail}"))
}

/// An internal failure → `logsec.LogsecError` with "internal error: …; please report it".
pub(crate) fn internal_message(py: Python<'_>, message: &str) -> PyErr {
    logsec_error(
        py,
        "LogsecError",
        format!("internal error: {message}; please report it"),
    )
}
