//! The crate's one error type.

use std::path::PathBuf;

/// What can go wrong reading CloudTrail, authorization details or options.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IamError {
    /// A file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file is not the JSON it should be.
    #[error("{path}: invalid JSON{}: {message}", location.map(|l| format!(" at record {l}")).unwrap_or_default())]
    Json {
        /// The file.
        path: PathBuf,
        /// The record (line or `Records` index, from 1) when known.
        location: Option<u64>,
        /// What the JSON parser said.
        message: String,
    },
    /// A CloudTrail record lacks a field the analysis needs or has it in the wrong shape.
    #[error("CloudTrail record: {field} {problem}")]
    Record {
        /// The CloudTrail field (`eventTime`, `eventSource`, `eventName`, …).
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// An authorization-details document or a policy document has an unexpected shape.
    #[error("authorization details: {0}")]
    Authz(String),
    /// A window duration such as `90d` could not be read.
    #[error("invalid duration {text:?}: {reason}")]
    Duration {
        /// The text given.
        text: String,
        /// Why it was refused.
        reason: String,
    },
    /// The window options are inconsistent.
    #[error("invalid window: {0}")]
    Window(String),
    /// The input held no CloudTrail record with a time, so no window can be measured.
    #[error("no CloudTrail records with an eventTime in the input")]
    NoEvents,
}
