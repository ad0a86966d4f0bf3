//! Framing: cutting a byte stream into records.
//!
//! The framer is a state machine fed with a buffer that grows at the end and is drained at
//! the front: [`Framer::feed`] handles every complete record in the buffer and says how many
//! leading bytes it is done with. The same code therefore serves an in-memory input (one call
//! with the whole input) and a streamed one (a call per chunk), and a large `Records` file is
//! never held whole: the envelope is entered and its array elements are cut out one by one.

use std::borrow::Cow;

use logsec_event::SourceFormat;
use memchr::memchr;

use crate::cloudtrail;
use crate::detect::{self, Framing};
use crate::document::{
    DocCtx, LogEvent, LookupEvent, Outcome, handle_document, handle_line, handle_message,
    handle_outcome, parse_record,
};
use crate::error::ParseError;
use crate::options::ParseOptions;
use crate::reject::LocationKind;
use crate::scan::{Head, Scan, Skipper, StreamKey, is_ws, scan_object_head, scan_value};
use crate::sink::{Loc, Sink, TempRoute, note, reject, should_stop};

/// How many bytes detection wants to see before deciding (less at end of input).
pub(crate) const HEAD_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone)]
enum Mode {
    /// Waiting for enough input to detect the format.
    Start,
    /// One JSON document per line (several concatenated values per line are accepted).
    JsonLines,
    /// A sequence of top-level JSON values.
    Values,
    /// Inside a streamed array.
    Array {
        key: StreamKey,
        in_envelope: bool,
        control: bool,
    },
    /// After a streamed array: the rest of the envelope object.
    EnvelopeTail(Skipper),
    /// Skipping an oversized or too-deep value, then back to `then`.
    SkipValue { skipper: Skipper, then: Box<Mode> },
    /// Skipping the rest of an oversized line.
    SkipLine { text: bool },
    /// Text lines for a line parser.
    Text,
    /// After a syntax error that cannot be resynchronized: the rest is discarded.
    Broken,
}

/// The framing state of one input.
pub(crate) struct Framer {
    ctx: DocCtx,
    mode: Mode,
    options: ParseOptions,
    /// Absolute offset of the buffer's first byte.
    base: u64,
    /// Lines consumed so far (line framings).
    line_no: u64,
    /// Records cut so far (value framings).
    index: u64,
    /// Whether a truncation reject was already emitted.
    truncated: bool,
    /// The detected (or forced) format.
    pub(crate) format: Option<SourceFormat>,
}

impl std::fmt::Debug for Framer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Framer")
            .field("mode", &self.mode)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

enum Step {
    /// Go on at this position.
    Continue(usize),
    /// Need more input; done with everything before this position.
    Wait(usize),
}

impl Framer {
    /// A framer for one input.
    pub(crate) fn new(options: &ParseOptions) -> Framer {
        Framer {
            ctx: DocCtx {
                format: SourceFormat::Cloudtrail,
                limits: options.limits,
                file: options.file_name.clone(),
                loc: Loc {
                    record: 0,
                    kind: LocationKind::Line,
                    offset: 0,
                },
                line_parser: None,
            },
            mode: Mode::Start,
            options: options.clone(),
            base: 0,
            line_no: 0,
            index: 0,
            truncated: false,
            format: None,
        }
    }

    /// Handles every complete record in `buf` (the input from the last returned position on);
    /// returns how many leading bytes of `buf` are done with. With `eof`, everything is
    /// handled and a record cut by the end of input becomes a reject.
    pub(crate) fn feed<'b>(
        &mut self,
        buf: &'b [u8],
        eof: bool,
        sink: &mut dyn Sink<'b>,
    ) -> Result<usize, ParseError> {
        let mut pos = 0usize;
        // The buffer's longest valid UTF-8 prefix, found once per call when a streamed array
        // of CloudTrail records needs it (see `array_step`).
        let mut utf8: Option<&'b str> = None;
        loop {
            if should_stop(sink) {
                self.mode = Mode::Broken;
            }
            let rest = buf.get(pos..).unwrap_or_default();
            let step = match self.mode.clone() {
                Mode::Start => {
                    if rest.len() < HEAD_BYTES && !eof {
                        Step::Wait(pos)
                    } else {
                        let skip = if rest.starts_with(b"\xEF\xBB\xBF") {
                            3
                        } else {
                            0
                        };
                        // Detect on the same head whatever the buffer holds, so streamed and
                        // in-memory parsing decide alike.
                        let head = rest.get(skip..).unwrap_or_default();
                        self.start(head.get(..HEAD_BYTES).unwrap_or(head))?;
                        Step::Continue(pos + skip)
                    }
                }
                Mode::JsonLines | Mode::Text => self.line_step(buf, &mut utf8, pos, eof, sink),
                Mode::SkipLine { text } => match memchr(b'\n', rest) {
                    Some(i) => {
                        self.mode = if text { Mode::Text } else { Mode::JsonLines };
                        Step::Continue(pos + i + 1)
                    }
                    None => Step::Wait(buf.len()),
                },
                Mode::Values => self.values_step(buf, pos, eof, sink),
                Mode::Array {
                    key,
                    in_envelope,
                    control,
                } => self.array_step(buf, &mut utf8, pos, eof, sink, (key, in_envelope, control)),
                Mode::EnvelopeTail(mut skipper) => match skipper.feed(rest) {
                    Some(n) => {
                        self.mode = Mode::Values;
                        Step::Continue(pos + n)
                    }
                    None => {
                        self.mode = Mode::EnvelopeTail(skipper);
                        Step::Wait(buf.len())
                    }
                },
                Mode::SkipValue { mut skipper, then } => match skipper.feed(rest) {
                    Some(n) => {
                        self.mode = *then;
                        Step::Continue(pos + n)
                    }
                    None => {
                        self.mode = Mode::SkipValue { skipper, then };
                        Step::Wait(buf.len())
                    }
                },
                Mode::Broken => Step::Wait(buf.len()),
            };
            match step {
                Step::Continue(next) => pos = next,
                Step::Wait(done) => {
                    if eof {
                        return Ok(buf.len());
                    }
                    self.base += done as u64;
                    return Ok(done);
                }
            }
        }
    }

    /// Ends the input: reports a document left open by the end of input, with `io_error` (a
    /// cut gzip stream) folded into the one truncation reject.
    pub(crate) fn finish<'b>(&mut self, sink: &mut dyn Sink<'b>, io_error: Option<String>) {
        let open = matches!(
            self.mode,
            Mode::Array { .. } | Mode::EnvelopeTail(_) | Mode::SkipValue { .. }
        );
        let cause = io_error.map(|e| format!(" ({e})")).unwrap_or_default();
        if self.truncated {
            if let Some(last) = sink.summary().rejects.last_mut() {
                last.reason.push_str(&cause);
            }
            return;
        }
        if open || !cause.is_empty() {
            let loc = Loc {
                record: self.index,
                kind: LocationKind::RecordIndex,
                offset: self.base,
            };
            let reason = if open {
                format!("input ends inside a JSON document (truncated){cause}")
            } else {
                format!("input truncated{cause}")
            };
            reject(sink, self.ctx.file.as_deref(), loc, "", reason);
        }
    }

    fn start(&mut self, head: &[u8]) -> Result<(), ParseError> {
        let (format, framing) = detect::detect_with_framing(
            self.options.file_name.as_deref(),
            self.options.format,
            head,
        )?;
        self.format = Some(format);
        self.ctx.format = format;
        if !format.raw_is_json() {
            let parser = crate::text::line_parser(format, &self.options)
                .ok_or(ParseError::Unsupported { format })?;
            self.ctx.line_parser = Some(parser);
        }
        self.mode = match framing {
            Framing::JsonLines => Mode::JsonLines,
            Framing::JsonValues => Mode::Values,
            Framing::Text => Mode::Text,
        };
        Ok(())
    }

    fn line_loc(&self, pos: usize) -> Loc {
        Loc {
            record: self.line_no,
            kind: LocationKind::Line,
            offset: self.base + pos as u64,
        }
    }

    fn index_loc(&self, pos: usize) -> Loc {
        Loc {
            record: self.index,
            kind: LocationKind::RecordIndex,
            offset: self.base + pos as u64,
        }
    }

    fn line_step<'b>(
        &mut self,
        buf: &'b [u8],
        utf8: &mut Option<&'b str>,
        pos: usize,
        eof: bool,
        sink: &mut dyn Sink<'b>,
    ) -> Step {
        let rest = buf.get(pos..).unwrap_or_default();
        let text_mode = matches!(self.mode, Mode::Text);
        let mut last_line = false;
        let (line, next) = match memchr(b'\n', rest) {
            Some(i) => (rest.get(..i).unwrap_or_default(), pos + i + 1),
            None if eof && !rest.is_empty() => {
                last_line = true;
                (rest, buf.len())
            }
            None => {
                if rest.len() > self.ctx.limits.max_record_bytes {
                    self.line_no += 1;
                    self.ctx.loc = self.line_loc(pos);
                    let reason = format!(
                        "line exceeds the limit of {} bytes",
                        self.ctx.limits.max_record_bytes
                    );
                    let head = String::from_utf8_lossy(rest.get(..256).unwrap_or(rest));
                    reject(sink, self.ctx.file.as_deref(), self.ctx.loc, &head, reason);
                    self.mode = Mode::SkipLine { text: text_mode };
                    return Step::Continue(buf.len());
                }
                return Step::Wait(pos);
            }
        };
        self.line_no += 1;
        self.ctx.loc = self.line_loc(pos);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(|&b| is_ws(b)) {
            return Step::Continue(next);
        }
        if line.len() > self.ctx.limits.max_record_bytes {
            let reason = format!(
                "line of {} bytes exceeds the limit of {} bytes",
                line.len(),
                self.ctx.limits.max_record_bytes
            );
            let head = String::from_utf8_lossy(line.get(..256).unwrap_or(line));
            reject(sink, self.ctx.file.as_deref(), self.ctx.loc, &head, reason);
            return Step::Continue(next);
        }
        let rejects_before = sink.summary().rejects.len();
        // The line's text from the buffer's valid UTF-8 prefix, checked once per call for all
        // its lines (a check per line costs a call and a length-dependent loop per record).
        let text = utf8
            .get_or_insert_with(|| utf8_prefix(buf))
            .get(pos..pos + line.len());
        match text {
            Some(text) if text_mode => handle_line(&mut self.ctx, text, sink),
            Some(text) => self.json_line(text, sink),
            None => self.line_record(line, text_mode, sink),
        }
        // A last line without its newline that fails is where a cut input ends: a cut gzip
        // stream's error is folded into this one reject.
        if last_line && sink.summary().rejects.len() > rejects_before {
            self.truncated = true;
        }
        Step::Continue(next)
    }

    fn line_record<'b>(&mut self, line: &'b [u8], text_mode: bool, sink: &mut dyn Sink<'b>) {
        if text_mode {
            match String::from_utf8_lossy(line) {
                Cow::Borrowed(text) => handle_line(&mut self.ctx, text, sink),
                Cow::Owned(text) => handle_line(&mut self.ctx, &text, &mut TempRoute(sink)),
            }
        } else {
            match std::str::from_utf8(line) {
                Ok(text) => self.json_line(text, sink),
                Err(_) => {
                    let lossy = String::from_utf8_lossy(line);
                    reject(
                        sink,
                        self.ctx.file.as_deref(),
                        self.ctx.loc,
                        &lossy,
                        "line is not valid UTF-8".to_owned(),
                    );
                }
            }
        }
    }

    /// One JSON line: usually one document, but Firehose concatenates objects without newlines.
    fn json_line<'b>(&mut self, line: &'b str, sink: &mut dyn Sink<'b>) {
        let bytes = line.as_bytes();
        let mut p = crate::scan::skip_ws(bytes, 0);
        // The common case, one object per line, goes straight to the record parser when a
        // cheap count bounds its depth and field count within the limits; the scanner is only
        // needed past those bounds or for several values on one line (Firehose).
        let body = line.get(p..).unwrap_or_default().trim_end();
        // A record deferred to the sink needs no count: its validating pass refuses nesting past
        // the depth limit, and its length bounds its members (see `few_fields`).
        let few = few_fields(body, &self.ctx.limits);
        if body.starts_with('{') && few && crate::document::defer(&mut self.ctx, body, sink) {
            return;
        }
        if body.starts_with('{') && within_limit_bounds(body.as_bytes(), &self.ctx.limits) {
            if !few && crate::document::defer(&mut self.ctx, body, sink) {
                return;
            }
            let outcome = parse_record(self.ctx.format, body);
            let several_values = matches!(
                &outcome,
                Outcome::Reject(reason) if reason.contains("trailing characters")
            );
            if !several_values {
                handle_outcome(&mut self.ctx, body, outcome, sink, 0);
                return;
            }
        }
        while p < bytes.len() {
            let rest = bytes.get(p..).unwrap_or_default();
            let text = line.get(p..).unwrap_or_default();
            match scan_value(rest, self.ctx.limits.max_depth) {
                Scan::Complete { end, fields, .. } => {
                    let doc = text.get(..end).unwrap_or_default();
                    if !matches!(rest.first(), Some(b'{' | b'[')) {
                        let reason =
                            json_error(text).unwrap_or_else(|| "expected a JSON object".to_owned());
                        self.ctx.reject(sink, text, reason);
                        return;
                    }
                    if fields > self.ctx.limits.max_fields {
                        let reason = format!(
                            "{fields} fields exceed the limit of {}",
                            self.ctx.limits.max_fields
                        );
                        self.ctx.reject(sink, doc, reason);
                    } else if rest.first() == Some(&b'[') {
                        self.top_level_array(doc, sink);
                    } else {
                        handle_document(&mut self.ctx, doc, sink, 0);
                    }
                    p = skip_ws_commas(bytes, p + end);
                }
                Scan::Incomplete => {
                    let reason = json_error(text)
                        .unwrap_or_else(|| "the line ends inside a JSON value".to_owned());
                    self.ctx
                        .reject(sink, text, format!("truncated record: {reason}"));
                    return;
                }
                Scan::TooDeep => {
                    let reason = format!(
                        "nesting deeper than the limit of {}",
                        self.ctx.limits.max_depth
                    );
                    self.ctx.reject(sink, text, reason);
                    return;
                }
            }
        }
    }

    /// A JSON array on one line: its elements are documents.
    fn top_level_array<'b>(&mut self, doc: &'b str, sink: &mut dyn Sink<'b>) {
        match serde_json::from_str::<Vec<&'b serde_json::value::RawValue>>(doc) {
            Ok(items) => {
                for item in items {
                    handle_document(&mut self.ctx, item.get(), sink, 1);
                }
            }
            Err(err) => self
                .ctx
                .reject(sink, doc, format!("malformed JSON array: {err}")),
        }
    }

    fn values_step<'b>(
        &mut self,
        buf: &'b [u8],
        pos: usize,
        eof: bool,
        sink: &mut dyn Sink<'b>,
    ) -> Step {
        let p = skip_ws_commas(buf, pos);
        let Some(&first) = buf.get(p) else {
            return Step::Wait(p);
        };
        let rest = buf.get(p..).unwrap_or_default();
        match first {
            b'[' => {
                self.mode = Mode::Array {
                    key: StreamKey::Records,
                    in_envelope: false,
                    control: false,
                };
                Step::Continue(p + 1)
            }
            b'{' => match scan_object_head(rest, self.ctx.limits.max_depth) {
                Head::Whole { end, fields, .. } => {
                    self.ctx.loc = self.index_loc(p);
                    self.index += 1;
                    let doc = rest.get(..end).unwrap_or_default();
                    self.emit_doc(doc, fields, sink);
                    Step::Continue(p + end)
                }
                Head::Stream {
                    key,
                    array_body,
                    message_type,
                } => {
                    self.mode = Mode::Array {
                        key,
                        in_envelope: true,
                        control: message_type.as_deref() == Some("CONTROL_MESSAGE"),
                    };
                    Step::Continue(p + array_body)
                }
                Head::Incomplete => self.incomplete(rest, p, eof, sink, Mode::Values),
                Head::Invalid(why) => {
                    self.ctx.loc = self.index_loc(p);
                    let text = String::from_utf8_lossy(rest.get(..256).unwrap_or(rest));
                    self.ctx
                        .reject(sink, &text, format!("malformed JSON: {why}"));
                    self.mode = Mode::Broken;
                    Step::Continue(buf.len())
                }
            },
            _ => {
                self.ctx.loc = self.index_loc(p);
                let text = String::from_utf8_lossy(rest.get(..256).unwrap_or(rest));
                let reason = json_error(&text)
                    .map(|e| format!("malformed JSON: {e}"))
                    .unwrap_or_else(|| "expected a JSON object or array".to_owned());
                self.ctx.reject(sink, &text, reason);
                self.mode = Mode::Broken;
                Step::Continue(buf.len())
            }
        }
    }

    fn array_step<'b>(
        &mut self,
        buf: &'b [u8],
        utf8: &mut Option<&'b str>,
        pos: usize,
        eof: bool,
        sink: &mut dyn Sink<'b>,
        (key, in_envelope, control): (StreamKey, bool, bool),
    ) -> Step {
        let p = skip_ws_commas(buf, pos);
        let Some(&first) = buf.get(p) else {
            return Step::Wait(p);
        };
        if first == b']' {
            self.mode = if in_envelope {
                Mode::EnvelopeTail(Skipper::inside(1))
            } else {
                Mode::Values
            };
            return Step::Continue(p + 1);
        }
        if key == StreamKey::Records
            && first == b'{'
            && self.ctx.format == SourceFormat::Cloudtrail
            && let Some(end) = self.cloudtrail_element(buf, utf8, p, sink)
        {
            return Step::Continue(p + end);
        }
        let rest = buf.get(p..).unwrap_or_default();
        let this = self.mode.clone();
        match scan_value(rest, self.ctx.limits.max_depth.saturating_sub(1)) {
            Scan::Complete { end, fields, .. } => {
                self.ctx.loc = self.index_loc(p);
                self.index += 1;
                let element = rest.get(..end).unwrap_or_default();
                match key {
                    StreamKey::Records => self.emit_doc(element, fields, sink),
                    StreamKey::LogEvents if control => {
                        note(sink, "CloudWatch Logs CONTROL_MESSAGE skipped");
                    }
                    StreamKey::LogEvents | StreamKey::LookupEvents => {
                        self.emit_wrapped(element, key, sink);
                    }
                }
                Step::Continue(p + end)
            }
            Scan::Incomplete => self.incomplete(rest, p, eof, sink, this),
            Scan::TooDeep => {
                self.ctx.loc = self.index_loc(p);
                self.index += 1;
                let text = String::from_utf8_lossy(rest.get(..256).unwrap_or(rest));
                let reason = format!(
                    "nesting deeper than the limit of {}",
                    self.ctx.limits.max_depth
                );
                self.ctx.reject(sink, &text, reason);
                self.mode = Mode::SkipValue {
                    skipper: Skipper::default(),
                    then: Box::new(this),
                };
                Step::Continue(p)
            }
        }
    }

    /// A CloudTrail record in a streamed array, found and parsed in one pass: the record is
    /// parsed from where it starts in the buffer, and its end is where the parse stopped. Some
    /// length when it was handled; `None` leaves it to the cutting path (a malformed, cut,
    /// oversized or too deep record, or one past invalid UTF-8), which gives the same outcome
    /// for a record that parses and the exact reject for one that does not.
    fn cloudtrail_element<'b>(
        &mut self,
        buf: &'b [u8],
        utf8: &mut Option<&'b str>,
        p: usize,
        sink: &mut dyn Sink<'b>,
    ) -> Option<usize> {
        let text = *utf8.get_or_insert_with(|| utf8_prefix(buf));
        let limits = self.ctx.limits;
        // The cutting path allows an element one level less than the limit (the array is one).
        let bounds = crate::limits::Limits {
            max_depth: limits.max_depth.saturating_sub(1),
            ..limits
        };
        // A sink that defers CloudTrail wants the record validated, not parsed: one pass
        // validates and cuts it and finds its end. One that is not valid, or past the limits,
        // takes the cutting path, which gives the exact reject.
        if sink.defers(self.ctx.format) {
            self.ctx.loc = self.index_loc(p);
            // The validating pass enforces the depth limit.
            let fits = |doc: &str| {
                doc.len() <= limits.max_record_bytes
                    && (few_fields(doc, &bounds) || within_limit_bounds(doc.as_bytes(), &bounds))
            };
            let len = crate::document::defer_prefix(
                &mut self.ctx,
                text.get(p..)?,
                bounds.max_depth,
                fits,
                sink,
            )?;
            self.index += 1;
            return Some(len);
        }
        let (doc, outcome) = cloudtrail::parse_prefix(text.get(p..)?, |doc| {
            doc.len() <= limits.max_record_bytes && within_limit_bounds(doc.as_bytes(), &bounds)
        })?;
        self.ctx.loc = self.index_loc(p);
        self.index += 1;
        handle_outcome(&mut self.ctx, doc, outcome, sink, 0);
        Some(doc.len())
    }

    /// A value that the buffer ends inside: wait for more, or reject it as too large or as
    /// truncated.
    fn incomplete<'b>(
        &mut self,
        rest: &'b [u8],
        p: usize,
        eof: bool,
        sink: &mut dyn Sink<'b>,
        then: Mode,
    ) -> Step {
        if eof {
            self.ctx.loc = self.index_loc(p);
            self.index += 1;
            let text = String::from_utf8_lossy(rest.get(..256).unwrap_or(rest));
            self.ctx.reject(
                sink,
                &text,
                format!(
                    "input ends inside a record of at least {} bytes (truncated)",
                    rest.len()
                ),
            );
            self.truncated = true;
            self.mode = Mode::Broken;
            return Step::Continue(p + rest.len());
        }
        if rest.len() > self.ctx.limits.max_record_bytes {
            self.ctx.loc = self.index_loc(p);
            self.index += 1;
            let text = String::from_utf8_lossy(rest.get(..256).unwrap_or(rest));
            let reason = format!(
                "record exceeds the limit of {} bytes",
                self.ctx.limits.max_record_bytes
            );
            self.ctx.reject(sink, &text, reason);
            self.mode = Mode::SkipValue {
                skipper: Skipper::default(),
                then: Box::new(then),
            };
            return Step::Continue(p);
        }
        Step::Wait(p)
    }

    fn emit_doc<'b>(&mut self, doc: &'b [u8], fields: usize, sink: &mut dyn Sink<'b>) {
        let text = match std::str::from_utf8(doc) {
            Ok(text) => text,
            Err(_) => {
                let lossy = String::from_utf8_lossy(doc);
                self.ctx
                    .reject(sink, &lossy, "record is not valid UTF-8".to_owned());
                return;
            }
        };
        if fields > self.ctx.limits.max_fields {
            let reason = format!(
                "{fields} fields exceed the limit of {}",
                self.ctx.limits.max_fields
            );
            self.ctx.reject(sink, text, reason);
            return;
        }
        if !text.starts_with('{') {
            let reason = json_error(text)
                .map(|e| format!("malformed JSON: {e}"))
                .unwrap_or_else(|| "expected a JSON object".to_owned());
            self.ctx.reject(sink, text, reason);
            return;
        }
        handle_document(&mut self.ctx, text, sink, 0);
    }

    /// A `logEvents` or lookup-events element: the record is a JSON string inside it.
    fn emit_wrapped<'b>(&mut self, element: &'b [u8], key: StreamKey, sink: &mut dyn Sink<'b>) {
        let Ok(text) = std::str::from_utf8(element) else {
            let lossy = String::from_utf8_lossy(element);
            self.ctx
                .reject(sink, &lossy, "record is not valid UTF-8".to_owned());
            return;
        };
        let message = match key {
            StreamKey::LogEvents => serde_json::from_str::<LogEvent<'b>>(text)
                .map(|e| Some(e.message))
                .map_err(|e| e.to_string()),
            _ => serde_json::from_str::<LookupEvent<'b>>(text)
                .map(|e| e.cloud_trail_event.0)
                .map_err(|e| e.to_string()),
        };
        match message {
            Ok(Some(message)) => {
                if message.len() > self.ctx.limits.max_record_bytes {
                    let reason = format!(
                        "record exceeds the limit of {} bytes",
                        self.ctx.limits.max_record_bytes
                    );
                    self.ctx.reject(sink, &message, reason);
                    return;
                }
                handle_message(&mut self.ctx, message, sink, 1);
            }
            Ok(None) => {
                self.ctx
                    .reject(sink, text, "entry carries no record string".to_owned());
            }
            Err(err) => self
                .ctx
                .reject(sink, text, format!("malformed entry: {err}")),
        }
    }
}

/// Whether the length of `text` alone proves it within the field limit: an object member owns
/// its name's two quotes and its colon, so `n` bytes hold at most `n / 3` members (all but
/// very large records, under the default limit of 10 000).
fn few_fields(text: &str, limits: &crate::limits::Limits) -> bool {
    text.len() / 3 <= limits.max_fields
}

/// Whether counting brackets and colons already proves a document within the depth limit
/// (depth ≤ opening brackets) and the field limit (members ≤ colons). One branch-free pass the
/// compiler vectorizes; strings that hold brackets or colons only make the bound looser.
fn within_limit_bounds(bytes: &[u8], limits: &crate::limits::Limits) -> bool {
    let mut opens = 0usize;
    let mut colons = 0usize;
    // Byte-wide counters over chunks of 192 bytes (below 256, and a multiple of the vector
    // loop's 64 bytes, so only the last chunk has a scalar tail) vectorize well; `[` (0x5B) and `{`
    // (0x7B) differ only in bit 0x20.
    for chunk in bytes.chunks(192) {
        let mut chunk_opens = 0u8;
        let mut chunk_colons = 0u8;
        for &b in chunk {
            chunk_opens = chunk_opens.wrapping_add(u8::from((b | 0x20) == b'{'));
            chunk_colons = chunk_colons.wrapping_add(u8::from(b == b':'));
        }
        opens += usize::from(chunk_opens);
        colons += usize::from(chunk_colons);
    }
    opens <= limits.max_depth && colons <= limits.max_fields
}

/// The longest prefix of `buf` that is valid UTF-8 (a buffer may end inside a character).
/// (`simdutf8` checks a buffer several times faster than `std::str::from_utf8`, which was a
/// tenth of a JSON line's framing.)
fn utf8_prefix(buf: &[u8]) -> &str {
    match simdutf8::compat::from_utf8(buf) {
        Ok(text) => text,
        Err(err) => buf
            .get(..err.valid_up_to())
            .and_then(|valid| simdutf8::compat::from_utf8(valid).ok())
            .unwrap_or_default(),
    }
}

fn skip_ws_commas(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = bytes.get(pos) {
        if !is_ws(b) && b != b',' {
            break;
        }
        pos += 1;
    }
    pos
}

/// serde_json's description of what is wrong with `text`, if anything.
fn json_error(text: &str) -> Option<String> {
    serde_json::from_str::<serde::de::IgnoredAny>(text)
        .err()
        .map(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use logsec_event::{Event, RawRecord, ocsf};

    use super::*;
    use crate::api::ParseSummary;
    use crate::limits::Limits;
    use crate::line::{LineOutcome, LineParser};
    use crate::sink::VisitorSink;

    /// A stand-in text format: `ok …` lines are events, `bad…` lines rejects, `#` comments.
    struct Dummy;

    impl LineParser for Dummy {
        fn format(&self) -> SourceFormat {
            SourceFormat::VpcFlow
        }
        fn parse_line<'a>(&mut self, line: &'a str) -> LineOutcome<'a> {
            if line.starts_with("bad") {
                LineOutcome::Reject("bad line".to_owned())
            } else if line.starts_with('#') {
                LineOutcome::Skip
            } else {
                let mut event = Event::new(&ocsf::NETWORK_ACTIVITY, 6, SourceFormat::VpcFlow);
                event.raw = RawRecord::text(line);
                LineOutcome::Event(Box::new(event))
            }
        }
    }

    fn run(input: &[u8], mode: Mode) -> (Vec<String>, ParseSummary) {
        let options = ParseOptions {
            limits: Limits {
                max_record_bytes: 200,
                ..Limits::default()
            },
            ..ParseOptions::default()
        };
        let mut framer = Framer::new(&options);
        framer.ctx.format = SourceFormat::VpcFlow;
        framer.ctx.line_parser = Some(Box::new(Dummy));
        framer.format = Some(SourceFormat::VpcFlow);
        framer.mode = mode;
        let mut seen = Vec::new();
        let mut sink = VisitorSink {
            visit: |e: &Event<'_>| seen.push(e.raw.as_str().to_owned()),
            summary: ParseSummary::default(),
            strict: false,
        };
        let done = framer.feed(input, true, &mut sink).unwrap();
        assert_eq!(done, input.len());
        framer.finish(&mut sink, None);
        let summary = sink.summary;
        (seen, summary)
    }

    #[test]
    fn text_lines_reach_the_line_parser() {
        let mut input = b"ok 1\r\nbad\n\n# comment\nok 2 ".to_vec();
        input.extend(std::iter::repeat_n(b'x', 300));
        input.extend(b"\nok \xff 3\nok 4");
        let (seen, summary) = run(&input, Mode::Text);
        assert_eq!(seen, ["ok 1", "ok \u{FFFD} 3", "ok 4"]);
        let rejects: Vec<(u64, &str)> = summary
            .rejects
            .iter()
            .map(|r| (r.record, r.reason.as_str()))
            .collect();
        assert_eq!(rejects.len(), 2, "{rejects:?}");
        assert_eq!(rejects[0], (2, "bad line"));
        assert_eq!(rejects[1].0, 5);
        assert!(rejects[1].1.contains("exceeds"), "{rejects:?}");
        assert_eq!(summary.rejects[0].byte_offset, 6);
    }

    #[test]
    fn text_records_inside_cloudwatch_payloads() {
        let line = br#"{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","message":"ok a"},{"id":"2","message":"ok b\nbad c"}]}"#;
        let mut lines = line.to_vec();
        lines.push(b'\n');
        let (seen, summary) = run(&lines, Mode::JsonLines);
        assert_eq!(seen, ["ok a", "ok b"]);
        assert_eq!(summary.rejects.len(), 1);
        let pretty = b"{\n \"messageType\": \"DATA_MESSAGE\",\n \"logEvents\": [{\"message\": \"ok z\"}]\n}\n";
        let (seen, summary) = run(pretty, Mode::Values);
        assert_eq!(seen, ["ok z"]);
        assert!(summary.rejects.is_empty());
    }
}
