//! The contract every line-oriented (text) format implements.

use logsec_event::{Event, SourceFormat};

/// What one line turned into.
#[derive(Debug)]
pub enum LineOutcome<'a> {
    /// An event.
    Event(Box<Event<'a>>),
    /// A line that carries no record and is not an error: a blank line, a comment, a header
    /// that declares the field order (VPC flow logs), a digest note.
    Skip,
    /// A malformed line, with the reason (the caller adds file, line and offset).
    Reject(String),
}

/// A parser for one line-oriented format. It may keep state across lines (a VPC flow header,
/// the year of RFC 3164 timestamps), so `parse_line` takes `&mut self`; one instance reads one
/// file.
pub trait LineParser: Send {
    /// The format this parser produces events of.
    fn format(&self) -> SourceFormat;

    /// Parses one line (without its line terminator). The event borrows from `line`.
    fn parse_line<'a>(&mut self, line: &'a str) -> LineOutcome<'a>;
}
