//! The crate's error type.

use crate::reject::Reject;

/// Why parsing an input failed as a whole (as opposed to one record, which becomes a
/// [`Reject`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Reading the input failed (the file could not be opened or read).
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path, or `-` for stdin, or `<input>` for a caller's reader.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// No format recognized the input and none was forced.
    #[error("cannot detect the log format of {input}: {reason}; formats tried: {tried}")]
    UnknownFormat {
        /// The file name, or `<input>`.
        input: String,
        /// What the input looked like.
        reason: String,
        /// The formats that were tried, comma separated.
        tried: String,
    },
    /// The format is known but this build has no parser for it yet.
    #[error("no parser is available for the {format} format in this build")]
    Unsupported {
        /// The format.
        format: logsec_event::SourceFormat,
    },
    /// A strict parse met a record that could not be parsed.
    #[error("{0}")]
    Rejected(Box<Reject>),
}
