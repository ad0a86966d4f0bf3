//! # logsec-parse
//!
//! Readers and parsers that turn log bytes into [`logsec_event::Event`]s: one module per source
//! format, format detection, and rejects that name the file, record and reason.
//! (Filled by the parsers work; this crate starts empty so the workspace builds.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
