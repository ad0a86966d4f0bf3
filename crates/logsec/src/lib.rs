//! # logsec
//!
//! The facade: re-exports the logsec crates under one name, the bundled rule pack, and the
//! [`Pipeline`] that reads paths, parses (in parallel over files), evaluates rules of both
//! dialects and hands alerts to a callback, in a deterministic order.
//!
//! ```
//! use logsec::event::{ocsf, Event, SourceFormat};
//!
//! let event = Event::new(&ocsf::API_ACTIVITY, 2, SourceFormat::Cloudtrail);
//! assert_eq!(event.type_uid, 600302);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "arrow")]
pub mod arrow;
mod chunk;
mod follow;
mod html;
mod pack;
mod partitioned;
mod pipeline;
mod rule_tests;
mod tail;

pub use crate::follow::{
    Checkpoint, CheckpointStore, Chunk, FileFollower, FilePosition, MAX_CHUNK_BYTES,
};
pub use crate::html::{alert_principal, alert_source_ip, escape_html, render_html};
pub use crate::pack::{
    PLACEHOLDERS_FILE, default_placeholders, default_rule_files, parse_placeholders,
};
pub use crate::partitioned::{
    correlate_partition, detect_partition_event, detect_partition_pending,
};
pub use crate::pipeline::{
    FileReport, Input, Pipeline, PipelineBuilder, PipelineError, ScanReport, rule_files_under,
};
pub use crate::rule_tests::{RuleTestFailure, RuleTestReport, run_rule_tests};
pub use crate::tail::{
    MAX_BODY_BYTES, RulesConfig, SourceConfig, TailConfig, TailError, TailReport, TailWarnings,
    Tailer,
};
pub use logsec_event as event;
pub use logsec_iam as iam;
pub use logsec_parse as parse;
pub use logsec_rules as rules;
pub use logsec_sinks as sinks;

/// The logsec version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
