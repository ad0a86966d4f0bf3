//! # logsec-parse
//!
//! Readers and parsers that turn log bytes into [`logsec_event::Event`]s: one module per source
//! format, format detection, and [`Reject`]s that name the file, record and reason.
//!
//! - [`parse_reader`] / [`parse_path`] stream an input (plain, gzip, base64 gzip) through a
//!   visitor; memory stays bounded whatever the input's size.
//! - [`parse_bytes`] parses an in-memory input into events that borrow from it.
//! - The `_strict` variants turn the first [`Reject`] into a [`ParseError`].
//! - [`detect`] names the format of an input from its first bytes.
//!
//! JSON inputs may be JSON lines, a top-level array, CloudTrail `{"Records":[…]}` files,
//! concatenated objects (Firehose), CloudWatch Logs subscription payloads, EventBridge
//! envelopes, `aws cloudtrail lookup-events` output, Kubernetes EventLists, Azure `records`
//! exports and Panther-style `{"log":{…}}` wrappers, in any mix the format allows.
//!
//! ```
//! use logsec_parse::{parse_bytes, ParseOptions};
//! use logsec_event::SourceFormat;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let input = br#"{"Records":[
//!   {"eventVersion":"1.08","eventTime":"2023-04-11T15:24:00Z","eventSource":"s3.amazonaws.com",
//!    "eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1"},
//!   {"eventVersion":"1.08","eventTime":"2023-04-11T15:25:00Z","eventSource":"iam.amazonaws.com",
//!    "eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1"}
//! ]}"#;
//! let parsed = parse_bytes(input, &ParseOptions::default())?;
//! assert_eq!(parsed.summary.format, Some(SourceFormat::Cloudtrail));
//! assert_eq!(parsed.events.len(), 2);
//! assert_eq!(parsed.events[0].class_uid, 6003); // API Activity, Read
//! assert_eq!(parsed.events[1].class_uid, 3001); // Account Change, Create
//! assert!(parsed.rejects().is_empty());
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
mod azure_activity;
mod cloudtrail;
mod deferred;
mod detect;
mod document;
mod error;
mod falco_alert;
mod framer;
mod gcp_audit;
mod k8s_audit;
mod lenient;
mod limits;
mod line;
mod member_de;
mod options;
mod reader;
mod reject;
mod scan;
mod sink;
#[allow(dead_code)]
mod text;

pub use crate::api::{
    Note, ParseSummary, Parsed, parse_bytes, parse_bytes_strict, parse_path, parse_path_strict,
    parse_reader, parse_reader_deferred, parse_reader_strict, parse_slice, parse_slice_deferred,
};
pub use crate::deferred::{Pending, cut_plan};
pub use crate::detect::detect;
pub use crate::error::ParseError;
pub use crate::limits::Limits;
pub use crate::line::{LineOutcome, LineParser};
pub use crate::options::ParseOptions;
pub use crate::reject::{LocationKind, Reject, SNIPPET_BYTES, snippet};
pub use crate::text::parse_lines_for_bench;
