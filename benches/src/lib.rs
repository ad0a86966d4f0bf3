//! Benchmark support: deterministic corpus generators (generated on demand, never committed).
#![forbid(unsafe_code)]

/// The bench binaries allocate with mimalloc, as the `logsec` binary and the Python module
/// do, so the figures are those of the shipped programs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod gen_json;
pub mod gen_text;
