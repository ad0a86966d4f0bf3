//! The native module `logsec._native`; the Python API lives in `python/logsec`.
use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", logsec::VERSION)?;
    Ok(())
}
