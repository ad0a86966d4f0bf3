//! Rejects: records that could not be parsed, with where and why.

use std::fmt;

/// A record that could not be turned into an event. Rejects are counted per file and kept, so
/// nothing is dropped silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// The file (or `-` for stdin, or a caller-chosen name for in-memory input).
    pub file: Option<String>,
    /// 1-based line number for line-oriented input, or 0-based record index inside a JSON
    /// document (see [`Reject::location_kind`]).
    pub record: u64,
    /// Whether `record` is a line number or a record index.
    pub location_kind: LocationKind,
    /// Byte offset of the record's start in the (decompressed) input.
    pub byte_offset: u64,
    /// Why the record was rejected.
    pub reason: String,
    /// The start of the record (at most [`SNIPPET_BYTES`] bytes, cut on a char boundary).
    pub snippet: String,
}

/// How a reject's `record` number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocationKind {
    /// A 1-based line number.
    Line,
    /// A 0-based index of a record inside a JSON document (e.g. `Records[i]`).
    RecordIndex,
}

/// How many bytes of a rejected record are kept as its snippet.
pub const SNIPPET_BYTES: usize = 200;

/// The first [`SNIPPET_BYTES`] bytes of `text`, cut on a char boundary.
pub fn snippet(text: &str) -> String {
    if text.len() <= SNIPPET_BYTES {
        return text.to_owned();
    }
    let mut end = SNIPPET_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.as_deref().unwrap_or("<input>");
        match self.location_kind {
            LocationKind::Line => write!(f, "{file}:{}", self.record)?,
            LocationKind::RecordIndex => write!(f, "{file}: record {}", self.record)?,
        }
        write!(f, " (byte {}): {}", self.byte_offset, self.reason)
    }
}
