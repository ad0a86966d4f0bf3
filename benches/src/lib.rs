//! Benchmark support: deterministic corpus generators (never committed, generated on demand).
#![forbid(unsafe_code)]
