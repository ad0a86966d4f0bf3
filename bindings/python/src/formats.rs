//! The source-format registry, for `format=` arguments.
use pyo3::prelude::*;

use logsec::event::{FORMATS, SourceFormat};

use crate::errors;

/// The canonical names of every source format logsec knows, in registry order.
#[pyfunction]
pub(crate) fn formats() -> Vec<&'static str> {
    FORMATS.iter().map(|info| info.name).collect()
}

/// The canonical name for a format name or alias (case-insensitive, `-` same as `_`).
#[pyfunction]
pub(crate) fn resolve_format(py: Python<'_>, name: &str) -> PyResult<&'static str> {
    name.parse::<SourceFormat>()
        .map(SourceFormat::name)
        .map_err(|err| errors::unknown_format(py, &err))
}
