//! Benchmark support: deterministic corpus generators (generated on demand, never committed).
#![forbid(unsafe_code)]

pub mod gen_json;
pub mod gen_text;
