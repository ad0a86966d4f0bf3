//! The public entry points: streaming visitor, paths, in-memory bytes, strict wrappers.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use logsec_event::{Event, SourceFormat};

use crate::deferred::Pending;
use crate::error::ParseError;
use crate::framer::Framer;
use crate::options::ParseOptions;
use crate::reject::Reject;
use crate::sink::{CollectSink, DeferringSink, Sink, TempRoute, VisitorSink};

/// What parsing one input produced besides its events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParseSummary {
    /// The input's name (a path, `-` for stdin, or the caller's `file_name`).
    pub file: Option<String>,
    /// The detected (or forced) format; `None` if parsing stopped before detection.
    pub format: Option<SourceFormat>,
    /// Records seen: events plus rejects (envelopes and skipped documents not counted).
    pub records: u64,
    /// Events produced.
    pub events: u64,
    /// Documents skipped on purpose (digest files, CloudWatch control messages), see `notes`.
    pub skipped: u64,
    /// Every rejected record, in input order.
    pub rejects: Vec<Reject>,
    /// Why documents were skipped: each distinct note once, with how often it applied.
    pub notes: Vec<Note>,
    pub(crate) note_counts: Vec<(String, u64)>,
}

/// A note about skipped input (e.g. "CloudTrail digest file skipped").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// What was skipped and why.
    pub message: String,
    /// How many documents it applied to.
    pub count: u64,
}

impl ParseSummary {
    fn finish(mut self, format: Option<SourceFormat>) -> ParseSummary {
        self.format = format;
        self.notes = std::mem::take(&mut self.note_counts)
            .into_iter()
            .map(|(message, count)| Note { message, count })
            .collect();
        self
    }
}

/// The result of [`parse_bytes`]: events that borrow from the input, and the summary (with the
/// rejects).
#[derive(Debug)]
pub struct Parsed<'a> {
    /// The events, in input order.
    pub events: Vec<Event<'a>>,
    /// Counts, rejects and notes.
    pub summary: ParseSummary,
}

impl Parsed<'_> {
    /// The rejected records.
    pub fn rejects(&self) -> &[Reject] {
        &self.summary.rejects
    }
}

fn label(options: &ParseOptions) -> String {
    options
        .file_name
        .clone()
        .unwrap_or_else(|| "<input>".to_owned())
}

fn visitor_run<R: Read, F: FnMut(&Event<'_>)>(
    reader: R,
    options: &ParseOptions,
    visit: F,
    strict: bool,
) -> Result<ParseSummary, ParseError> {
    let mut framer = Framer::new(options);
    let mut sink = VisitorSink {
        visit,
        summary: summary_for(options),
        strict,
    };
    crate::reader::run(reader, &mut framer, &mut sink, &label(options))?;
    Ok(sink.summary.finish(framer.format))
}

fn first_reject(summary: ParseSummary) -> Result<ParseSummary, ParseError> {
    match summary.rejects.first() {
        Some(first) => Err(ParseError::Rejected(Box::new(first.clone()))),
        None => Ok(summary),
    }
}

/// Parses an input from a reader (a file, stdin, a socket), calling `visit` with every event.
///
/// The input may be plain, gzip (multi-member) or base64 gzip; its format is detected from
/// `options.file_name` and its first 64 KiB unless `options.format` forces one. It is read in
/// chunks: memory stays bounded by `options.limits.max_record_bytes` plus a chunk, whatever
/// the input's size. Each event borrows from the read buffer and is valid only during its
/// `visit` call (use [`Event::into_owned`] to keep one).
///
/// Records that cannot be parsed become [`Reject`]s in the returned summary; a cut input
/// yields every intact record before the cut plus one reject.
///
/// # Errors
///
/// [`ParseError::Io`] when reading fails, [`ParseError::UnknownFormat`] when detection fails,
/// [`ParseError::Unsupported`] for a format without a parser in this build.
pub fn parse_reader<R: Read, F: FnMut(&Event<'_>)>(
    reader: R,
    options: &ParseOptions,
    visit: F,
) -> Result<ParseSummary, ParseError> {
    visitor_run(reader, options, visit, false)
}

/// Like [`parse_reader`], but records of the formats for which `defer` returns `true` are
/// handed to `visit` validated and **not yet normalized**: a [`Pending`] whose
/// [`Pending::event`] carries the format and the raw record (read through its lazy member
/// view) until [`Pending::normalize`] builds the OCSF event. Records of other formats arrive
/// normalized. Only CloudTrail and Kubernetes audit records defer today.
///
/// For callers that look at most records only through raw-record paths — rules over
/// `eventName`, `userIdentity.type` — and need the OCSF form of a few (the ones that matched),
/// this skips the typed parse and normalization of all the others. Counts and rejects are those
/// of [`parse_reader`], except that a deferred record whose only defect is a repeated member
/// name is rejected only if it is normalized (see [`Pending`]).
///
/// ```
/// use logsec_event::SourceFormat;
/// use logsec_parse::{parse_reader_deferred, ParseOptions};
///
/// let input = br#"{"eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}
/// {"eventTime":"2024-05-01T10:00:01Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging"}
/// "#;
/// let mut stopped = Vec::new();
/// let summary = parse_reader_deferred(
///     &input[..],
///     &ParseOptions::default(),
///     |format| format == SourceFormat::Cloudtrail,
///     |pending| {
///         let name = pending.event().raw.member("eventName").and_then(|v| v.as_str());
///         if name == Some("StopLogging") {
///             let event = pending.normalize().expect("a valid record");
///             stopped.push(event.api.as_ref().map(|api| api.operation.to_string()));
///         }
///     },
/// )
/// .unwrap();
/// assert_eq!(summary.events, 2);
/// assert_eq!(stopped, vec![Some("StopLogging".to_owned())]);
/// ```
///
/// # Errors
///
/// As [`parse_reader`].
pub fn parse_reader_deferred<R, D, F>(
    reader: R,
    options: &ParseOptions,
    defer: D,
    visit: F,
) -> Result<ParseSummary, ParseError>
where
    R: Read,
    D: Fn(SourceFormat) -> bool,
    F: FnMut(&mut Pending<'_>),
{
    let mut framer = Framer::new(options);
    let mut sink = DeferringSink {
        defer,
        visit,
        summary: summary_for(options),
        strict: false,
    };
    crate::reader::run(reader, &mut framer, &mut sink, &label(options))?;
    Ok(sink.summary.finish(framer.format))
}

/// [`parse_reader_deferred`] over an in-memory input, without first copying the bytes into a
/// read buffer (as [`parse_slice`] is to [`parse_reader`]): the records borrow from `bytes`.
/// Detection, limits, counts and rejects are those of [`parse_reader_deferred`]; a compressed
/// input is decompressed as there.
///
/// ```
/// use logsec_event::SourceFormat;
/// use logsec_parse::{parse_slice_deferred, ParseOptions};
///
/// let input = br#"{"eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}
/// {"eventTime":"2024-05-01T10:00:01Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging"}
/// "#;
/// let mut names = Vec::new();
/// let summary = parse_slice_deferred(
///     input,
///     &ParseOptions::default(),
///     |format| format == SourceFormat::Cloudtrail,
///     |pending| {
///         let name = pending.event().raw.member("eventName").and_then(|v| v.as_str());
///         names.push(name.map(str::to_owned));
///     },
/// )
/// .unwrap();
/// assert_eq!(summary.events, 2);
/// assert_eq!(names, [Some("GetObject".to_owned()), Some("StopLogging".to_owned())]);
/// ```
///
/// # Errors
///
/// As [`parse_reader`].
pub fn parse_slice_deferred<D, F>(
    bytes: &[u8],
    options: &ParseOptions,
    defer: D,
    visit: F,
) -> Result<ParseSummary, ParseError>
where
    D: Fn(SourceFormat) -> bool,
    F: FnMut(&mut Pending<'_>),
{
    if is_compressed(bytes) {
        return parse_reader_deferred(bytes, options, defer, visit);
    }
    let mut sink = DeferringSink {
        defer,
        visit,
        summary: summary_for(options),
        strict: false,
    };
    let format = feed_whole(bytes, options, &mut sink)?;
    Ok(sink.summary.finish(format))
}

/// The empty summary of a parse with `options` (named after its file).
fn summary_for(options: &ParseOptions) -> ParseSummary {
    ParseSummary {
        file: options.file_name.clone(),
        ..ParseSummary::default()
    }
}

/// Whether `bytes` is a gzip or base64-gzip input (which the reader path decompresses).
fn is_compressed(bytes: &[u8]) -> bool {
    bytes.starts_with(&crate::reader::GZIP_MAGIC) || crate::reader::is_base64_gzip(bytes)
}

/// Frames the whole in-memory input `bytes` into `sink` in place; the format it was read as.
fn feed_whole<'b>(
    bytes: &'b [u8],
    options: &ParseOptions,
    sink: &mut dyn Sink<'b>,
) -> Result<Option<SourceFormat>, ParseError> {
    let mut framer = Framer::new(options);
    framer.feed(bytes, true, sink)?;
    framer.finish(sink, None);
    Ok(framer.format)
}

/// Parses an in-memory input, calling `visit` with every event, as [`parse_reader`] does but
/// without first copying the bytes into a read buffer: the events borrow from `bytes`, and
/// nothing is collected (unlike [`parse_bytes`]). Detection, limits and rejects are as for
/// [`parse_reader`]; a compressed input is decompressed as there.
///
/// # Errors
///
/// As [`parse_reader`].
pub fn parse_slice<F: FnMut(&Event<'_>)>(
    bytes: &[u8],
    options: &ParseOptions,
    visit: F,
) -> Result<ParseSummary, ParseError> {
    if is_compressed(bytes) {
        return visitor_run(bytes, options, visit, false);
    }
    let mut sink = VisitorSink {
        visit,
        summary: summary_for(options),
        strict: false,
    };
    let format = feed_whole(bytes, options, &mut sink)?;
    Ok(sink.summary.finish(format))
}

/// Like [`parse_reader`], but stops at the first rejected record and returns it as
/// [`ParseError::Rejected`] (events before it were already visited).
///
/// # Errors
///
/// As [`parse_reader`], plus [`ParseError::Rejected`].
pub fn parse_reader_strict<R: Read, F: FnMut(&Event<'_>)>(
    reader: R,
    options: &ParseOptions,
    visit: F,
) -> Result<ParseSummary, ParseError> {
    visitor_run(reader, options, visit, true).and_then(first_reject)
}

fn open(path: &Path, options: &ParseOptions) -> Result<(Box<dyn Read>, ParseOptions), ParseError> {
    let name = path.to_string_lossy().into_owned();
    let mut options = options.clone();
    if options.file_name.is_none() {
        options.file_name = Some(name.clone());
    }
    if name == "-" {
        return Ok((Box::new(io::stdin().lock()), options));
    }
    let file = File::open(path).map_err(|source| ParseError::Io { path: name, source })?;
    Ok((Box::new(file), options))
}

/// Parses a file (`-` is stdin), calling `visit` with every event; see [`parse_reader`].
/// `file_name` in rejects defaults to the path; `.gz` files are detected by their bytes.
///
/// # Errors
///
/// As [`parse_reader`].
pub fn parse_path<P: AsRef<Path>, F: FnMut(&Event<'_>)>(
    path: P,
    options: &ParseOptions,
    visit: F,
) -> Result<ParseSummary, ParseError> {
    let (reader, options) = open(path.as_ref(), options)?;
    visitor_run(reader, &options, visit, false)
}

/// Like [`parse_path`], but stops at the first rejected record and returns it as an error.
///
/// # Errors
///
/// As [`parse_path`], plus [`ParseError::Rejected`].
pub fn parse_path_strict<P: AsRef<Path>, F: FnMut(&Event<'_>)>(
    path: P,
    options: &ParseOptions,
    visit: F,
) -> Result<ParseSummary, ParseError> {
    let (reader, options) = open(path.as_ref(), options)?;
    visitor_run(reader, &options, visit, true).and_then(first_reject)
}

fn bytes_run<'a>(
    bytes: &'a [u8],
    options: &ParseOptions,
    strict: bool,
) -> Result<Parsed<'a>, ParseError> {
    let mut framer = Framer::new(options);
    let mut sink = CollectSink {
        events: Vec::new(),
        summary: summary_for(options),
        strict,
    };
    let compressed =
        bytes.starts_with(&crate::reader::GZIP_MAGIC) || crate::reader::is_base64_gzip(bytes);
    if compressed {
        // Decompressed text lives in the reader's buffer, so these events are detached.
        let mut route = TempRoute(&mut sink);
        crate::reader::run(bytes, &mut framer, &mut route, &label(options))?;
    } else {
        let dyn_sink: &mut dyn Sink<'a> = &mut sink;
        framer.feed(bytes, true, dyn_sink)?;
        framer.finish(dyn_sink, None);
    }
    Ok(Parsed {
        events: sink.events,
        summary: sink.summary.finish(framer.format),
    })
}

/// Parses an in-memory input; the events borrow from `bytes` (no copy) unless it is
/// compressed. Detection, limits and rejects are as for [`parse_reader`].
///
/// # Errors
///
/// [`ParseError::UnknownFormat`] when detection fails, [`ParseError::Unsupported`] for a
/// format without a parser in this build.
pub fn parse_bytes<'a>(bytes: &'a [u8], options: &ParseOptions) -> Result<Parsed<'a>, ParseError> {
    bytes_run(bytes, options, false)
}

/// Like [`parse_bytes`], but the first rejected record is an error.
///
/// # Errors
///
/// As [`parse_bytes`], plus [`ParseError::Rejected`].
pub fn parse_bytes_strict<'a>(
    bytes: &'a [u8],
    options: &ParseOptions,
) -> Result<Parsed<'a>, ParseError> {
    let parsed = bytes_run(bytes, options, true)?;
    match parsed.summary.rejects.first() {
        Some(first) => Err(ParseError::Rejected(Box::new(first.clone()))),
        None => Ok(parsed),
    }
}
