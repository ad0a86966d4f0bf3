//! The native module `logsec._native`; the public Python API is the package `logsec`
//! (`python/logsec`), which re-exports what is here.
//!
//! This crate stays thin: module declarations here, Rust ↔ Python value conversions in
//! `convert`, and the mapping of Rust errors to the `logsec.LogsecError` hierarchy in
//! `errors`. Logic belongs in the core crates.
use pyo3::prelude::*;

mod api;
mod convert;
mod errors;
mod evaluate;
mod event;
mod formats;
mod spark;
mod table;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", logsec::VERSION)?;
    m.add_class::<event::PyEvent>()?;
    m.add_class::<table::Table>()?;
    m.add_class::<api::Sources>()?;
    m.add_class::<api::BatchReader>()?;
    m.add_class::<api::Rules>()?;
    m.add_function(wrap_pyfunction!(api::read, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::empty_rejects, m)?)?;
    m.add_function(wrap_pyfunction!(api::iam_report, m)?)?;
    m.add_function(wrap_pyfunction!(formats::formats, m)?)?;
    m.add_function(wrap_pyfunction!(formats::resolve_format, m)?)?;
    spark::register(m)?;
    Ok(())
}
