//! Cutting one input into chunks at record boundaries, so that the records of one big file can
//! be parsed and matched on several threads.
//!
//! Only inputs whose records are independent of each other are cut: JSON lines of a JSON
//! format, and `{"Records":[…]}` envelopes (also `records` and `items`). Text formats are not
//! cut, because their line parsers keep state across lines (a VPC flow header, W3C
//! `#Fields:`, the syslog year); neither are pretty-printed documents, top-level arrays,
//! CloudWatch payloads or base64 gzip. Those go to one worker whole ([`Piece::Whole`] /
//! [`Piece::Stream`]), exactly as before.
//!
//! Every chunk is handed to `logsec_parse::parse_reader` as an input of its own, shaped so
//! that the parser frames it as it would have framed those records inside the whole file:
//!
//! - the first chunk is the start of the input, unchanged (detection sees the same head);
//! - a later chunk of JSON lines starts with the line `x`: its head is then not JSON, so with
//!   the format forced the parser frames it as JSON lines whatever the chunk's first real line
//!   looks like (a broken line, an envelope, an array). The sentinel's reject (line 1) is
//!   dropped and the other line numbers move up by one;
//! - a chunk of `Records` elements is `[` + the elements + `]` (the first one keeps the
//!   envelope and gets `]}`), which the parser reads with the same array code and the same
//!   depth limit as the envelope's array.
//!
//! The consumer then moves reject locations from the chunk to the file: byte offsets by the
//! chunk's start, line numbers by the lines before it, record indexes by the elements before
//! it.

use std::io::{self, Cursor, Read};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;
use logsec_parse::{LocationKind, ParseOptions, Reject, detect, snippet};
use memchr::{memchr, memchr2, memrchr};
use serde_json::value::RawValue;

/// How much input one chunk carries by default.
pub(crate) const DEFAULT_CHUNK_BYTES: usize = 2 << 20;

/// How many bytes of an input are looked at to choose how to cut it (the parser's detection
/// head).
const HEAD_BYTES: usize = 64 << 10;

/// The line every later chunk of JSON lines starts with (see the module docs).
pub(crate) const LINE_SENTINEL: &[u8] = b"x\n";

/// The two bytes every gzip member starts with.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Members whose array value the parser streams as records (`Records`, Azure's `records`,
/// an EventList's `items`) or as wrapped records (`logEvents`, lookup-events' `Events`).
const STREAM_KEYS: &[&str] = &["Records", "records", "items", "logEvents", "Events"];

/// A reader that moves to a worker thread.
pub(crate) type SendRead<'s> = Box<dyn Read + Send + 's>;

/// How chunk bytes are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// JSON lines: rejects carry line numbers.
    Lines,
    /// Elements of a `Records` array: rejects carry record indexes.
    Records,
}

/// A run of whole records of one input.
pub(crate) struct Chunk {
    /// The bytes handed to the parser (synthetic prefix and suffix included).
    pub(crate) data: Vec<u8>,
    /// How the records are framed.
    pub(crate) framing: Framing,
    /// Synthetic bytes at the front of `data` (the line sentinel, `[`).
    pub(crate) prefix: usize,
    /// Whether `data` starts with [`LINE_SENTINEL`].
    pub(crate) sentinel: bool,
    /// Whether this is the input's last chunk (its end is the input's end).
    pub(crate) last: bool,
    /// Array elements in the chunk (`Records` framing).
    pub(crate) elements: u64,
}

// Used by the Arrow reader (`arrow/read.rs`); the pipeline has its own copy for now.
#[cfg_attr(not(feature = "arrow"), allow(dead_code))]
impl Chunk {
    /// Lines of the input's own in the chunk (JSON lines framing), 0 for `Records` framing.
    pub(crate) fn own_lines(&self) -> u64 {
        match self.framing {
            Framing::Lines => {
                let own = self.data.get(self.prefix..).unwrap_or_default();
                memchr::memchr_iter(b'\n', own).count() as u64
            }
            Framing::Records => 0,
        }
    }

    /// Makes the summary of parsing this chunk's `data` one of the input's own records:
    /// drops the line sentinel's reject and moves line numbers back by one. Returns whether
    /// the input ends inside a record that was rejected for it (the last chunk only), as the
    /// parser's own truncation check. Reject locations stay relative to the chunk.
    pub(crate) fn settle(&self, summary: &mut logsec_parse::ParseSummary) -> bool {
        if self.sentinel {
            let before = summary.rejects.len();
            summary
                .rejects
                .retain(|r| !(r.location_kind == LocationKind::Line && r.record == 1));
            summary.records -= (before - summary.rejects.len()) as u64;
            for reject in &mut summary.rejects {
                if reject.location_kind == LocationKind::Line {
                    reject.record -= 1;
                }
            }
        }
        if !self.last {
            return false;
        }
        match self.framing {
            Framing::Lines => {
                let last_line = memrchr(b'\n', &self.data).map_or(0, |i| i + 1);
                last_line < self.data.len()
                    && summary
                        .rejects
                        .last()
                        .is_some_and(|r| r.byte_offset >= last_line as u64)
            }
            Framing::Records => summary
                .rejects
                .last()
                .is_some_and(|r| r.reason.ends_with("(truncated)")),
        }
    }
}

/// One unit of work cut from an input, in input order.
pub(crate) enum Piece<'s> {
    /// The whole input, parsed on one worker as before (an input that is not cut).
    Whole,
    /// The rest of a stream, parsed on one worker (stdin that is not cut; what follows a
    /// `Records` envelope). `prefix` synthetic bytes precede the input's byte `start`.
    Stream {
        /// The bytes.
        reader: SendRead<'s>,
        /// Synthetic bytes before the input's own.
        prefix: usize,
        /// The input offset of the first byte after the prefix.
        start: u64,
    },
    /// Whole records, parsed on any worker.
    Chunk {
        /// The records.
        chunk: Chunk,
        /// The input offset of `chunk.data[chunk.prefix]`.
        start: u64,
    },
    /// A record too large to hand to a parser, rejected here (the parser's own reason).
    TooLarge {
        /// Line or record index (filled in by the consumer, which knows what came before).
        kind: LocationKind,
        /// The input offset of the record.
        start: u64,
        /// The record's start.
        head: String,
        /// Why.
        reason: String,
    },
}

/// What the splitter says about an input as a whole, after its last piece.
#[derive(Debug, Default)]
pub(crate) struct InputEnd {
    /// Reading failed (not a damaged gzip stream, which is `cut`).
    pub(crate) error: Option<String>,
    /// A damaged or cut gzip stream: every record before the damage was handed on.
    pub(crate) cut: Option<String>,
    /// The input's length (decompressed).
    pub(crate) length: u64,
}

/// The bytes of an input, decompressed, with what happened at its end.
struct Source<'s> {
    reader: SendRead<'s>,
    compressed: bool,
    eof: bool,
    cut: Option<String>,
}

impl Source<'_> {
    /// Reads until `buf` holds `want` bytes or the input ends.
    fn fill(&mut self, buf: &mut Vec<u8>, want: usize) -> io::Result<()> {
        while !self.eof && buf.len() < want {
            let step = (want - buf.len()) as u64;
            match (&mut self.reader).take(step).read_to_end(buf) {
                Ok(0) => self.eof = true,
                Ok(_) => {}
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) if self.compressed => {
                    // Like the parser: keep every record before the damage.
                    self.cut = Some(format!("gzip: {err}"));
                    self.eof = true;
                }
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }
}

/// Cutting configuration, frozen by the pipeline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SplitConfig {
    /// Bytes per chunk (a chunk ends at the first record boundary after this many).
    pub(crate) chunk_bytes: usize,
}

/// Cuts one input into pieces, calling `emit` with each in order, together with the options
/// to parse it with (the caller's, with the detected format forced). `reader` is the input's
/// raw bytes; `reopenable` says whether a worker can read the input again from its start
/// (then an input that is not cut is handed on as [`Piece::Whole`]).
pub(crate) fn split<'s>(
    reader: SendRead<'s>,
    reopenable: bool,
    options: ParseOptions,
    config: SplitConfig,
    emit: &mut dyn FnMut(Piece<'s>, &Arc<ParseOptions>),
) -> InputEnd {
    let mut end = InputEnd::default();
    let mut options = Arc::new(options);
    match split_inner(reader, reopenable, &mut options, config, emit, &mut end) {
        Ok(()) => {}
        Err(err) => {
            let path = options
                .file_name
                .clone()
                .unwrap_or_else(|| "<input>".to_owned());
            end.error = Some(logsec_parse::ParseError::Io { path, source: err }.to_string());
        }
    }
    end
}

fn split_inner<'s>(
    mut reader: SendRead<'s>,
    reopenable: bool,
    options: &mut Arc<ParseOptions>,
    config: SplitConfig,
    emit: &mut dyn FnMut(Piece<'s>, &Arc<ParseOptions>),
    end: &mut InputEnd,
) -> io::Result<()> {
    let mut magic = Vec::with_capacity(4);
    (&mut reader).take(4).read_to_end(&mut magic)?;
    if magic.as_slice() == b"H4sI" {
        // Base64 gzip (a Kinesis or Lambda payload): a few MiB at most, read whole.
        return whole(Cursor::new(magic).chain(reader), reopenable, &mut |piece| {
            emit(piece, options)
        });
    }
    let compressed = magic.starts_with(&GZIP_MAGIC);
    let chained = Cursor::new(magic).chain(reader);
    let mut source = Source {
        reader: if compressed {
            Box::new(MultiGzDecoder::new(chained))
        } else {
            Box::new(chained)
        },
        compressed,
        eof: false,
        cut: None,
    };
    let mut data = Vec::with_capacity(config.chunk_bytes + (64 << 10));
    source.fill(&mut data, HEAD_BYTES)?;
    let plan = plan(&data, options);
    let options: &Arc<ParseOptions> = options;
    let emit = &mut |piece| emit(piece, options);
    let outcome = match plan {
        Some(Plan::Lines) => split_lines(&mut source, data, options, config, emit),
        Some(Plan::Records { array_body }) => {
            split_records(&mut source, data, array_body, options, config, emit)
        }
        None if reopenable => {
            emit(Piece::Whole);
            return Ok(());
        }
        None => {
            // Standard input, already decompressed: the worker parses plain bytes.
            let reader: SendRead<'s> = Box::new(Cursor::new(data).chain(source.reader));
            emit(Piece::Stream {
                reader,
                prefix: 0,
                start: 0,
            });
            return Ok(());
        }
    };
    end.length = outcome?;
    end.cut = source.cut.take();
    Ok(())
}

fn whole<'s>(
    reader: impl Read + Send + 's,
    reopenable: bool,
    emit: &mut dyn FnMut(Piece<'s>),
) -> io::Result<()> {
    if reopenable {
        emit(Piece::Whole);
    } else {
        emit(Piece::Stream {
            reader: Box::new(reader),
            prefix: 0,
            start: 0,
        });
    }
    Ok(())
}

/// How an input is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// At newlines.
    Lines,
    /// Between the elements of the envelope array starting at `array_body`.
    Records { array_body: usize },
}

/// Chooses how to cut an input from its head, forcing the detected format into `options` so
/// that every chunk is read as that format; `None` when the input is not cut.
fn plan(head: &[u8], options: &mut Arc<ParseOptions>) -> Option<Plan> {
    let bom = if head.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let after_bom = head.get(bom..)?;
    let format = match options.format {
        Some(format) => format,
        None => detect(
            options.file_name.as_deref(),
            after_bom.get(..HEAD_BYTES).unwrap_or(after_bom),
        )
        .ok()?,
    };
    if !format.raw_is_json() {
        return None;
    }
    let start = bom + skip_ws(after_bom, 0);
    let body = head.get(start..)?;
    let plan = match body.first() {
        None | Some(b'[') => return None,
        Some(b'{') => match envelope_array(body) {
            Some(at) => Plan::Records {
                array_body: start + at,
            },
            None if one_line_object(body) => Plan::Lines,
            None => return None,
        },
        Some(_) => Plan::Lines,
    };
    if options.format.is_none() {
        Arc::make_mut(options).format = Some(format);
    }
    Some(plan)
}

/// The offset after `[` when `body` opens with a streamed records member
/// (`{"Records":[`), as the parser's envelope scan would take it.
fn envelope_array(body: &[u8]) -> Option<usize> {
    let mut pos = skip_ws(body, 1);
    let key = ["\"Records\"", "\"records\"", "\"items\""]
        .into_iter()
        .find(|k| body.get(pos..).is_some_and(|b| b.starts_with(k.as_bytes())))?;
    pos = skip_ws(body, pos + key.len());
    (body.get(pos) == Some(&b':')).then_some(())?;
    pos = skip_ws(body, pos + 1);
    (body.get(pos) == Some(&b'[')).then_some(pos + 1)
}

/// Whether the first line is one whole JSON object with no streamed array member, so that
/// the parser frames the input as JSON lines.
fn one_line_object(body: &[u8]) -> bool {
    let Some(end) = memchr(b'\n', body) else {
        return false;
    };
    let line = body.get(..end).unwrap_or_default();
    match serde_json::from_slice::<std::collections::BTreeMap<String, Box<RawValue>>>(line) {
        Ok(members) => !members.iter().any(|(key, value)| {
            STREAM_KEYS.contains(&key.as_str()) && value.get().starts_with('[')
        }),
        Err(_) => false,
    }
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while bytes
        .get(pos)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        pos += 1;
    }
    pos
}

/// The first 256 bytes of `bytes`, as text, as the parser quotes an oversized record.
fn head_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes.get(..256).unwrap_or(bytes)).into_owned()
}

/// Cuts JSON lines at newlines; returns the input's length.
fn split_lines<'s>(
    source: &mut Source<'s>,
    mut data: Vec<u8>,
    options: &ParseOptions,
    config: SplitConfig,
    emit: &mut dyn FnMut(Piece<'s>),
) -> io::Result<u64> {
    let max_record = options.limits.max_record_bytes;
    let mut prefix = 0usize;
    let mut start = 0u64;
    let mut want = config.chunk_bytes;
    loop {
        source.fill(&mut data, prefix + want)?;
        let own = data.get(prefix..).unwrap_or_default();
        if source.eof {
            let length = start + own.len() as u64;
            if !own.is_empty() || prefix == 0 {
                emit(Piece::Chunk {
                    chunk: Chunk {
                        data,
                        framing: Framing::Lines,
                        prefix,
                        sentinel: prefix > 0,
                        last: true,
                        elements: 0,
                    },
                    start,
                });
            }
            return Ok(length);
        }
        match memrchr(b'\n', own) {
            Some(at) => {
                let cut = prefix + at + 1;
                let mut next = Vec::with_capacity(config.chunk_bytes + (64 << 10));
                next.extend_from_slice(LINE_SENTINEL);
                next.extend_from_slice(data.get(cut..).unwrap_or_default());
                data.truncate(cut);
                let consumed = (cut - prefix) as u64;
                emit(Piece::Chunk {
                    chunk: Chunk {
                        data,
                        framing: Framing::Lines,
                        prefix,
                        sentinel: prefix > 0,
                        last: false,
                        elements: 0,
                    },
                    start,
                });
                start += consumed;
                data = next;
                prefix = LINE_SENTINEL.len();
                want = config.chunk_bytes;
            }
            None if own.len() > max_record => {
                // One line longer than the record limit: rejected here, then skipped to its
                // newline, without ever holding it whole.
                emit(Piece::TooLarge {
                    kind: LocationKind::Line,
                    start,
                    head: head_text(own),
                    reason: format!("line exceeds the limit of {max_record} bytes"),
                });
                start += own.len() as u64;
                data.truncate(prefix);
                let mut scratch = Vec::with_capacity(64 << 10);
                loop {
                    scratch.clear();
                    source.fill(&mut scratch, 64 << 10)?;
                    if let Some(at) = memchr(b'\n', &scratch) {
                        start += at as u64 + 1;
                        data.extend_from_slice(scratch.get(at + 1..).unwrap_or_default());
                        break;
                    }
                    start += scratch.len() as u64;
                    if source.eof {
                        return Ok(start);
                    }
                }
                want = config.chunk_bytes;
            }
            None => want = own.len() + config.chunk_bytes,
        }
    }
}

/// Where a scan of array elements stopped.
enum Found {
    /// A comma between elements at or after the cut point, at this offset.
    Comma(usize),
    /// The array's closing bracket, at this offset.
    End(usize),
    /// The element being skipped ended just before this offset.
    ElementEnd(usize),
    /// The end of the bytes.
    Exhausted,
}

/// String- and nesting-aware scan of the elements of a JSON array.
#[derive(Debug, Default)]
struct ArrayScan {
    depth: usize,
    in_string: bool,
    escape: bool,
    in_element: bool,
    element_start: usize,
    elements: u64,
}

impl ArrayScan {
    fn element(&mut self, at: usize) {
        if self.depth == 0 && !self.in_element {
            self.in_element = true;
            self.element_start = at;
            self.elements += 1;
        }
    }

    /// Scans `data` from `*pos`, stopping at a separating comma at or after `cut_from`, at
    /// the closing bracket, at the end of `data`, or (with `skipping`) where the current
    /// element ends.
    fn scan(&mut self, data: &[u8], pos: &mut usize, cut_from: usize, skipping: bool) -> Found {
        while let Some(&byte) = data.get(*pos) {
            let at = *pos;
            *pos += 1;
            if self.in_string {
                if self.escape {
                    self.escape = false;
                } else if byte == b'"' {
                    self.in_string = false;
                    if self.depth == 0 {
                        self.in_element = false;
                    }
                } else if byte == b'\\' {
                    self.escape = true;
                } else {
                    // Jump to the next quote or backslash.
                    let rest = data.get(*pos..).unwrap_or_default();
                    *pos += memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
                }
            } else {
                match byte {
                    b'"' => {
                        self.element(at);
                        self.in_string = true;
                    }
                    b'{' | b'[' => {
                        self.element(at);
                        self.depth += 1;
                    }
                    b'}' | b']' => {
                        if self.depth == 0 {
                            return Found::End(at);
                        }
                        self.depth -= 1;
                        if self.depth == 0 {
                            self.in_element = false;
                        }
                    }
                    b',' if self.depth == 0 => {
                        self.in_element = false;
                        if at >= cut_from && !skipping {
                            return Found::Comma(at);
                        }
                    }
                    b' ' | b'\t' | b'\n' | b'\r' => {
                        if self.depth == 0 {
                            self.in_element = false;
                        }
                    }
                    _ => self.element(at),
                }
            }
            if skipping && !self.in_element {
                return Found::ElementEnd(*pos);
            }
        }
        Found::Exhausted
    }
}

/// A chunk of array elements.
fn records_chunk(data: Vec<u8>, prefix: usize, last: bool, elements: u64) -> Chunk {
    Chunk {
        data,
        framing: Framing::Records,
        prefix,
        sentinel: false,
        last,
        elements,
    }
}

/// Cuts a `Records` envelope between its array's elements; returns the input's length.
fn split_records<'s>(
    source: &mut Source<'s>,
    mut data: Vec<u8>,
    array_body: usize,
    options: &ParseOptions,
    config: SplitConfig,
    emit: &mut dyn FnMut(Piece<'s>),
) -> io::Result<u64> {
    let max_record = options.limits.max_record_bytes;
    let mut scan = ArrayScan::default();
    let mut pos = array_body;
    // `data[prefix]` is the input's byte `start`; the first chunk keeps the envelope's head
    // and later ones start with a synthetic `[`.
    let mut prefix = 0usize;
    let mut start = 0u64;
    let mut first = true;
    let fresh = |rest: &[u8]| {
        let mut next = Vec::with_capacity(config.chunk_bytes + (64 << 10));
        next.push(b'[');
        next.extend_from_slice(rest);
        next
    };
    let close = |first: bool| -> &'static [u8] { if first { b"]}" } else { b"]" } };
    loop {
        let cut_from = prefix + config.chunk_bytes;
        match scan.scan(&data, &mut pos, cut_from, false) {
            Found::Comma(at) => {
                let next = fresh(data.get(at + 1..).unwrap_or_default());
                data.truncate(at);
                data.extend_from_slice(close(first));
                let consumed = (at + 1 - prefix) as u64;
                let elements = std::mem::take(&mut scan.elements);
                emit(Piece::Chunk {
                    chunk: records_chunk(data, prefix, false, elements),
                    start,
                });
                start += consumed;
                data = next;
                prefix = 1;
                pos = 1;
                first = false;
            }
            Found::End(at) => {
                // The rest should be the envelope's `}`; read a little to see.
                let tail_from = at + 1;
                source.fill(&mut data, tail_from + 4096)?;
                let tail = data.get(tail_from..).unwrap_or_default();
                let plain_end = source.eof
                    && tail
                        .iter()
                        .filter(|b| !b" \t\r\n".contains(b))
                        .eq(b"}".iter());
                let length = start + (data.len() - prefix) as u64;
                let tail_start = start + (tail_from - prefix) as u64;
                let rest = (!plain_end).then(|| tail.to_vec());
                if !first || rest.is_some() {
                    data.truncate(tail_from);
                    if first {
                        data.push(b'}');
                    }
                }
                let elements = std::mem::take(&mut scan.elements);
                emit(Piece::Chunk {
                    chunk: records_chunk(data, prefix, rest.is_none(), elements),
                    start,
                });
                let Some(rest) = rest else {
                    return Ok(length);
                };
                // Anything after the array (more members, more documents) goes to the parser
                // behind an empty envelope, which it skips to the same place as in the file.
                let mut lead = b"{\"Records\":[]".to_vec();
                let lead_len = lead.len();
                lead.extend_from_slice(&rest);
                let reader = std::mem::replace(&mut source.reader, Box::new(io::empty()));
                emit(Piece::Stream {
                    reader: Box::new(Cursor::new(lead).chain(reader)),
                    prefix: lead_len,
                    start: tail_start,
                });
                source.eof = true;
                return Ok(tail_start);
            }
            Found::ElementEnd(_) | Found::Exhausted => {
                if source.eof {
                    let length = start + (data.len() - prefix) as u64;
                    let elements = std::mem::take(&mut scan.elements);
                    emit(Piece::Chunk {
                        chunk: records_chunk(data, prefix, true, elements),
                        start,
                    });
                    return Ok(length);
                }
                if !(scan.in_element && data.len() - scan.element_start > max_record) {
                    let target = (prefix + config.chunk_bytes).max(data.len() + (64 << 10));
                    source.fill(&mut data, target)?;
                    continue;
                }
                // One element longer than the record limit: rejected here, then skipped
                // without ever holding it whole.
                let at = scan.element_start;
                let element_start = start + (at - prefix) as u64;
                let mut next_byte = start + (data.len() - prefix) as u64;
                let head = head_text(data.get(at..).unwrap_or_default());
                scan.elements -= 1;
                data.truncate(at);
                data.extend_from_slice(close(first));
                let elements = std::mem::take(&mut scan.elements);
                if first || elements > 0 {
                    emit(Piece::Chunk {
                        chunk: records_chunk(data, prefix, false, elements),
                        start,
                    });
                }
                emit(Piece::TooLarge {
                    kind: LocationKind::RecordIndex,
                    start: element_start,
                    head,
                    reason: format!("record exceeds the limit of {max_record} bytes"),
                });
                let mut scratch = Vec::with_capacity(64 << 10);
                loop {
                    scratch.clear();
                    source.fill(&mut scratch, 64 << 10)?;
                    let mut p = 0;
                    let resume = match scan.scan(&scratch, &mut p, 0, true) {
                        Found::ElementEnd(r) | Found::End(r) | Found::Comma(r) => Some(r),
                        Found::Exhausted => None,
                    };
                    if let Some(resume) = resume {
                        start = next_byte + resume as u64;
                        data = fresh(scratch.get(resume..).unwrap_or_default());
                        break;
                    }
                    next_byte += scratch.len() as u64;
                    if source.eof {
                        start = next_byte;
                        data = fresh(&[]);
                        break;
                    }
                }
                scan = ArrayScan::default();
                prefix = 1;
                pos = 1;
                first = false;
            }
        }
    }
}

/// A reject of a [`Piece::TooLarge`], before the consumer sets its line or index.
pub(crate) fn too_large_reject(
    file: Option<&str>,
    kind: LocationKind,
    start: u64,
    head: &str,
    reason: String,
) -> Reject {
    Reject {
        file: file.map(str::to_owned),
        record: 0,
        location_kind: kind,
        byte_offset: start,
        reason,
        snippet: snippet(head),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(head: &[u8]) -> Option<Plan> {
        plan(head, &mut Arc::new(ParseOptions::default()))
    }

    const RECORD: &str = r#"{"eventVersion":"1.09","eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1"}"#;

    #[test]
    fn json_lines_and_records_envelopes_are_cut_other_shapes_are_not() {
        let lines = format!("{RECORD}\n{RECORD}\n");
        assert_eq!(plan_of(lines.as_bytes()), Some(Plan::Lines));
        let records = format!("\u{feff} {{ \"Records\" : [{RECORD}]}}");
        let at = records.find('[').unwrap() + 1;
        assert_eq!(
            plan_of(records.as_bytes()),
            Some(Plan::Records { array_body: at })
        );
        // A top-level array, a pretty-printed document, a CloudWatch payload on one line.
        assert_eq!(plan_of(format!("[{RECORD}]").as_bytes()), None);
        assert_eq!(plan_of(b"{\n \"eventVersion\": \"1.09\",\n \"eventName\": \"X\",\n \"eventSource\": \"s3.amazonaws.com\"\n}\n"), None);
        let wrapped = format!(
            "{{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{{\"id\":\"1\",\"message\":{}}}]}}\n",
            serde_json::to_string(RECORD).unwrap()
        );
        assert_eq!(plan_of(wrapped.as_bytes()), None);
        // Text formats keep state across lines.
        let auth =
            b"Jan  1 00:00:01 host sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2\n";
        assert_eq!(plan_of(auth), None);
    }

    #[test]
    fn array_scan_cuts_only_between_elements() {
        let text = br#"{"a":"x,]\"}"}, 1 ,"s,\\",[2,{"b":[3]}]]tail"#;
        let mut scan = ArrayScan::default();
        let mut pos = 0;
        let mut cuts = Vec::new();
        let end = loop {
            match scan.scan(text, &mut pos, 0, false) {
                Found::Comma(at) => cuts.push(at),
                Found::End(at) => break at,
                Found::ElementEnd(_) | Found::Exhausted => panic!("no end found"),
            }
        };
        assert_eq!(cuts, [14, 18, 25]);
        assert_eq!(&text[end..], b"]tail");
        assert_eq!(scan.elements, 4);
    }

    fn pieces(input: &[u8], chunk_bytes: usize, max_record_bytes: usize) -> Vec<String> {
        let mut options = ParseOptions::default();
        options.limits.max_record_bytes = max_record_bytes;
        let mut out = Vec::new();
        let end = split(
            Box::new(input),
            true,
            options,
            SplitConfig { chunk_bytes },
            &mut |piece, _| {
                out.push(match piece {
                    Piece::Chunk { chunk, start } => format!(
                        "{start}:{}:{}",
                        chunk.elements,
                        String::from_utf8_lossy(&chunk.data)
                    ),
                    Piece::TooLarge { start, reason, .. } => format!("{start}:{reason}"),
                    Piece::Whole => "whole".to_owned(),
                    Piece::Stream { start, prefix, .. } => format!("stream {start} {prefix}"),
                })
            },
        );
        assert_eq!(end.error, None);
        out
    }

    #[test]
    fn records_chunks_are_closed_arrays_and_oversized_elements_are_rejected() {
        let record = RECORD.replace("ListBuckets", "A");
        // Longer than the first read, so the splitter meets it incomplete.
        let big = format!("\"{}\"", "y".repeat(100_000));
        let input = format!("{{\"Records\":[{record},{big},{record},{record}]}}");
        let pieces = pieces(input.as_bytes(), 100, 1000);
        let second = 12 + record.len() + 1;
        let third = second + big.len() + 1;
        assert_eq!(
            pieces,
            [
                format!("0:1:{{\"Records\":[{record}]}}"),
                format!("{second}:record exceeds the limit of 1000 bytes"),
                format!("{}:1:[,{record}]", third - 1),
                format!("{}:1:[{record}]", third + record.len() + 1),
            ]
        );
    }

    #[test]
    fn later_line_chunks_start_with_the_sentinel_and_cover_the_input() {
        let input = format!("{RECORD}\n").repeat(2000);
        let mut options = ParseOptions::default();
        options.limits.max_record_bytes = 1 << 20;
        let mut chunks = Vec::new();
        split(
            Box::new(input.as_bytes()),
            true,
            options,
            SplitConfig {
                chunk_bytes: 10_000,
            },
            &mut |piece, _| match piece {
                Piece::Chunk { chunk, start } => chunks.push((start, chunk)),
                _ => panic!("only chunks expected"),
            },
        );
        assert!(chunks.len() > 10, "{} chunks", chunks.len());
        let mut joined = Vec::new();
        for (i, (start, chunk)) in chunks.iter().enumerate() {
            assert_eq!(*start, joined.len() as u64);
            assert_eq!(chunk.sentinel, i > 0);
            if i > 0 {
                assert!(chunk.data.starts_with(LINE_SENTINEL));
            }
            assert!(chunk.data.ends_with(b"\n"));
            joined.extend_from_slice(&chunk.data[chunk.prefix..]);
        }
        assert_eq!(joined, input.as_bytes());
        assert!(chunks.last().is_some_and(|(_, c)| c.last));
    }
}
