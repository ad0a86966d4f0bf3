//! # logsec-parse
//!
//! Readers and parsers that turn log bytes into [`logsec_event::Event`]s: one module per source
//! format, format detection, and [`Reject`]s that name the file, record and reason.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod limits;
mod line;
mod options;
mod reject;
#[allow(dead_code)]
mod text;

pub use crate::limits::Limits;
pub use crate::line::{LineOutcome, LineParser};
pub use crate::options::ParseOptions;
pub use crate::reject::{LocationKind, Reject, SNIPPET_BYTES, snippet};
pub use crate::text::parse_lines_for_bench;
