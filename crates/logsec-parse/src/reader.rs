//! Reading: chunked input, gzip (multi-member) and base64-wrapped gzip, feeding the framer.

use std::io::{self, Cursor, Read};

use base64::Engine as _;
use flate2::read::MultiGzDecoder;

use crate::error::ParseError;
use crate::framer::Framer;
use crate::sink::{Sink, should_stop};

/// The two bytes every gzip member starts with.
pub(crate) const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// How much is read per step. Records straddling a chunk boundary are scanned twice, so a
/// chunk much larger than a typical record keeps that cost negligible.
const CHUNK: usize = 1 << 20;

/// The first read's size.
const FIRST_CHUNK: usize = 64 << 10;

/// The largest base64 body decoded (Kinesis and Lambda payloads are a few MiB at most).
const MAX_BASE64_BYTES: u64 = 256 << 20;

/// Whether `head` is base64 text of a gzip stream (`H4sI` is base64 for `1f 8b 08`), as
/// Kinesis and Lambda deliver CloudWatch Logs subscription payloads.
pub(crate) fn is_base64_gzip(head: &[u8]) -> bool {
    let start = crate::scan::skip_ws(head, 0);
    head.get(start..).is_some_and(|h| h.starts_with(b"H4sI"))
}

/// Decodes base64 text, ignoring whitespace (and a surrounding pair of JSON quotes).
pub(crate) fn decode_base64(data: &[u8]) -> Option<Vec<u8>> {
    let cleaned: Vec<u8> = data
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'"')
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(&cleaned)
        .ok()
}

/// Reads `reader` to the end through `framer`, handing everything to `sink`.
pub(crate) fn run<R: Read>(
    reader: R,
    framer: &mut Framer,
    sink: &mut dyn for<'m> Sink<'m>,
    label: &str,
) -> Result<(), ParseError> {
    run_body(reader, framer, sink, label, true)
}

/// `run`, with base64 unwrapping allowed once: decoded (or undecodable) text is never looked
/// at as base64 again, so `H4sI` followed by garbage cannot recurse.
fn run_body<R: Read>(
    reader: R,
    framer: &mut Framer,
    sink: &mut dyn for<'m> Sink<'m>,
    label: &str,
    allow_base64: bool,
) -> Result<(), ParseError> {
    let io_err = |source: io::Error| ParseError::Io {
        path: label.to_owned(),
        source,
    };
    let mut reader = reader;
    let mut peek = Vec::with_capacity(4);
    (&mut reader)
        .take(4)
        .read_to_end(&mut peek)
        .map_err(io_err)?;
    if allow_base64 && peek.as_slice() == b"H4sI" {
        let mut text = peek;
        reader
            .take(MAX_BASE64_BYTES)
            .read_to_end(&mut text)
            .map_err(io_err)?;
        return match decode_base64(&text) {
            Some(decoded) => run_body(Cursor::new(decoded), framer, sink, label, false),
            None => run_body(Cursor::new(text), framer, sink, label, false),
        };
    }
    let chained = Cursor::new(peek.clone()).chain(reader);
    if peek.starts_with(&GZIP_MAGIC) {
        pump(MultiGzDecoder::new(chained), true, framer, sink, label)
    } else {
        pump(chained, false, framer, sink, label)
    }
}

fn pump<R: Read>(
    mut reader: R,
    compressed: bool,
    framer: &mut Framer,
    sink: &mut dyn for<'m> Sink<'m>,
    label: &str,
) -> Result<(), ParseError> {
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK * 2);
    let mut eof = false;
    let mut cut: Option<String> = None;
    // Start small so that small inputs do not pay for a large buffer.
    let mut chunk = FIRST_CHUNK;
    loop {
        if !eof {
            // `read_to_end` on a `take` fills up to `chunk` bytes without zeroing the buffer
            // first, and keeps what it read before an error.
            match (&mut reader).take(chunk as u64).read_to_end(&mut buf) {
                Ok(n) => eof = n < chunk,
                Err(err) if compressed => {
                    // A cut or corrupt gzip stream: keep every record before the damage and
                    // report the rest as one reject.
                    cut = Some(format!("gzip: {err}"));
                    eof = true;
                }
                Err(source) => {
                    return Err(ParseError::Io {
                        path: label.to_owned(),
                        source,
                    });
                }
            }
            chunk = (chunk * 2).min(CHUNK);
        }
        let sink_ref: &mut dyn Sink<'_> = sink;
        let done = framer.feed(&buf, eof, sink_ref)?;
        if eof {
            framer.finish(sink, cut);
            return Ok(());
        }
        if should_stop(sink) {
            return Ok(());
        }
        buf.drain(..done.min(buf.len()));
    }
}
