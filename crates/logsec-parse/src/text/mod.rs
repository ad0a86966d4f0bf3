//! Line-oriented (text) formats: detection and parser construction.
//!
//! The framework (readers, detection) calls exactly these two functions; each text format
//! lives in its own module below.

use logsec_event::SourceFormat;

use crate::line::LineParser;
use crate::options::ParseOptions;

/// Detects a text format from the first lines of an input (without line terminators), or
/// `None` if no text format recognizes them.
pub(crate) fn sniff(_first_lines: &[&str]) -> Option<SourceFormat> {
    None
}

/// A line parser for `format`, or `None` if `format` is not a line-oriented format.
pub(crate) fn line_parser(
    _format: SourceFormat,
    _options: &ParseOptions,
) -> Option<Box<dyn LineParser>> {
    None
}
