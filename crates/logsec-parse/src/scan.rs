//! A small JSON boundary scanner: finds where one JSON value ends without parsing it.
//!
//! It tracks strings, escapes and nesting depth only; the record's own parser validates the
//! rest. The framer uses it to cut records out of a stream (a `Records` array, concatenated
//! objects) and to enforce the depth and field limits before the record is parsed.

use memchr::memchr2;

/// The result of scanning for the end of one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scan {
    /// The value ends at `end` (exclusive); `depth` is its deepest nesting, `fields` the number
    /// of object members it holds at any depth.
    Complete {
        /// End offset, exclusive.
        end: usize,
        /// Deepest nesting (scalars 0).
        depth: usize,
        /// Object members at any depth.
        fields: usize,
    },
    /// The input ends inside the value.
    Incomplete,
    /// Nesting deeper than the limit.
    TooDeep,
}

/// Whether `b` is JSON whitespace.
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The index of the first non-whitespace byte at or after `pos`, or `bytes.len()`.
pub(crate) fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = bytes.get(pos) {
        if !is_ws(b) {
            break;
        }
        pos += 1;
    }
    pos
}

/// The end of the string whose opening quote is at `bytes[0]`: the index after its closing
/// quote, or `None` if the input ends first.
pub(crate) fn string_end(bytes: &[u8]) -> Option<usize> {
    string_end_from(bytes, 1)
}

/// Like [`string_end`], with the string's body starting at `pos`. Eight bytes are tested at a
/// time for a quote or a backslash (SWAR); most strings in logs are short, where this beats
/// the setup of a vectorized search, which takes over for long strings.
fn string_end_from(bytes: &[u8], mut pos: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has = |word: u64, byte: u8| {
        let x = word ^ (ONES * u64::from(byte));
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    let swar_end = pos.saturating_add(64);
    loop {
        if pos < swar_end {
            if let Some(chunk) = bytes.get(pos..pos + 8) {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                let word = u64::from_le_bytes(word);
                let hits = has(word, b'"') | has(word, b'\\');
                if hits == 0 {
                    pos += 8;
                    continue;
                }
                // The lowest flagged byte is always a true match.
                pos += (hits.trailing_zeros() / 8) as usize;
            } else {
                // Fewer than eight bytes left: one at a time.
                while !matches!(*bytes.get(pos)?, b'"' | b'\\') {
                    pos += 1;
                }
            }
        } else {
            let rest = bytes.get(pos..)?;
            pos += memchr2(b'"', b'\\', rest)?;
        }
        match *bytes.get(pos)? {
            b'"' => return Some(pos + 1),
            _ => pos += 2,
        }
    }
}

/// Byte classes for the structural scan (0: nothing to do).
const QUOTE: u8 = 1;
const OPEN: u8 = 2;
const CLOSE: u8 = 3;
const COLON: u8 = 4;

const CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b'"' as usize] = QUOTE;
    table[b'{' as usize] = OPEN;
    table[b'[' as usize] = OPEN;
    table[b'}' as usize] = CLOSE;
    table[b']' as usize] = CLOSE;
    table[b':' as usize] = COLON;
    table
};

/// Scans one value starting at `bytes[0]` (which must not be whitespace).
pub(crate) fn scan_value(bytes: &[u8], max_depth: usize) -> Scan {
    match bytes.first() {
        None => Scan::Incomplete,
        Some(b'"') => match string_end(bytes) {
            Some(end) => Scan::Complete {
                end,
                depth: 0,
                fields: 0,
            },
            None => Scan::Incomplete,
        },
        Some(b'{' | b'[') => scan_container(bytes, max_depth),
        Some(_) => {
            // A scalar: it ends at the first delimiter.
            match bytes
                .iter()
                .position(|&b| is_ws(b) || matches!(b, b',' | b']' | b'}' | b'{' | b'[' | b'"'))
            {
                Some(end) if end > 0 => Scan::Complete {
                    end,
                    depth: 0,
                    fields: 0,
                },
                Some(_) => Scan::Complete {
                    end: 1,
                    depth: 0,
                    fields: 0,
                },
                None => Scan::Incomplete,
            }
        }
    }
}

fn scan_container(bytes: &[u8], max_depth: usize) -> Scan {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut fields = 0usize;
    let mut pos = 0usize;
    while let Some(&b) = bytes.get(pos) {
        match CLASSES[usize::from(b)] {
            0 => {}
            QUOTE => match string_end_from(bytes, pos + 1) {
                Some(end) => {
                    pos = end;
                    continue;
                }
                None => return Scan::Incomplete,
            },
            OPEN => {
                depth += 1;
                if depth > max_depth {
                    return Scan::TooDeep;
                }
                deepest = deepest.max(depth);
            }
            CLOSE => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Scan::Complete {
                        end: pos + 1,
                        depth: deepest,
                        fields,
                    };
                }
            }
            _ => fields += 1,
        }
        pos += 1;
    }
    Scan::Incomplete
}

/// A resumable skipper for a value too large (or too deep) to keep: it consumes bytes chunk by
/// chunk, keeping only its state, until the value closes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Skipper {
    depth: usize,
    in_string: bool,
    escaped: bool,
    started: bool,
}

impl Skipper {
    /// A skipper for the rest of a container we are already `depth` levels inside.
    pub(crate) fn inside(depth: usize) -> Skipper {
        Skipper {
            depth,
            started: true,
            ..Skipper::default()
        }
    }

    /// Feeds `bytes`; returns `Some(n)` when the value ended after `n` bytes, or `None` when
    /// all of `bytes` was consumed and the value continues.
    pub(crate) fn feed(&mut self, bytes: &[u8]) -> Option<usize> {
        for (i, &b) in bytes.iter().enumerate() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                    if self.depth == 0 {
                        return Some(i + 1);
                    }
                }
                continue;
            }
            match b {
                b'"' => {
                    self.in_string = true;
                    self.started = true;
                }
                b'{' | b'[' => {
                    self.depth += 1;
                    self.started = true;
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ if self.depth == 0 && self.started && (is_ws(b) || b == b',') => {
                    return Some(i);
                }
                _ => self.started = true,
            }
        }
        None
    }
}

/// Which array member of an envelope object is streamed element by element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamKey {
    /// CloudTrail `Records`, Azure `records`, Kubernetes EventList `items`: records.
    Records,
    /// CloudWatch Logs subscription `logEvents`: `{id, timestamp, message}` elements.
    LogEvents,
    /// `aws cloudtrail lookup-events` `Events`: `{…, CloudTrailEvent: "<json>"}` elements.
    LookupEvents,
}

fn stream_key(key: &[u8]) -> Option<StreamKey> {
    match key {
        b"Records" | b"records" | b"items" => Some(StreamKey::Records),
        b"logEvents" => Some(StreamKey::LogEvents),
        b"Events" => Some(StreamKey::LookupEvents),
        _ => None,
    }
}

/// What the head of a top-level object turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Head {
    /// A whole object (a record or a small envelope), `end` exclusive.
    Whole {
        /// End offset, exclusive.
        end: usize,
        /// Deepest nesting.
        depth: usize,
        /// Object members at any depth.
        fields: usize,
    },
    /// An envelope whose array member `key` starts (after its `[`) at `array_body`.
    Stream {
        /// Which array.
        key: StreamKey,
        /// Offset just after the array's `[`.
        array_body: usize,
        /// The envelope's `messageType`, if it came before the array.
        message_type: Option<String>,
    },
    /// The input ends inside the object head.
    Incomplete,
    /// Not a well-formed object head, or nesting too deep.
    Invalid(&'static str),
}

/// Scans a top-level object starting at `bytes[0] == b'{'` member by member, stopping at the
/// first streamable array member (see [`StreamKey`]).
pub(crate) fn scan_object_head(bytes: &[u8], max_depth: usize) -> Head {
    let mut pos = 1;
    let mut deepest = 1;
    let mut fields = 0;
    let mut message_type = None;
    loop {
        pos = skip_ws(bytes, pos);
        match bytes.get(pos) {
            None => return Head::Incomplete,
            Some(b'}') => {
                return Head::Whole {
                    end: pos + 1,
                    depth: deepest,
                    fields,
                };
            }
            Some(b',') => {
                pos += 1;
                continue;
            }
            Some(b'"') => {}
            Some(_) => return Head::Invalid("expected an object member name"),
        }
        let Some(key_len) = bytes.get(pos..).and_then(string_end) else {
            return Head::Incomplete;
        };
        let key = bytes.get(pos + 1..pos + key_len - 1).unwrap_or_default();
        pos = skip_ws(bytes, pos + key_len);
        match bytes.get(pos) {
            None => return Head::Incomplete,
            Some(b':') => pos += 1,
            Some(_) => return Head::Invalid("expected `:` after an object member name"),
        }
        fields += 1;
        pos = skip_ws(bytes, pos);
        let Some(&first) = bytes.get(pos) else {
            return Head::Incomplete;
        };
        if first == b'['
            && let Some(key) = stream_key(key)
        {
            return Head::Stream {
                key,
                array_body: pos + 1,
                message_type,
            };
        }
        let rest = bytes.get(pos..).unwrap_or_default();
        match scan_value(rest, max_depth.saturating_sub(1)) {
            Scan::Complete {
                end,
                depth,
                fields: inner,
            } => {
                if key == b"messageType" {
                    message_type = rest
                        .get(..end)
                        .and_then(|v| serde_json::from_slice::<String>(v).ok());
                }
                deepest = deepest.max(depth + 1);
                fields += inner;
                pos += end;
            }
            Scan::Incomplete => return Head::Incomplete,
            Scan::TooDeep => return Head::Invalid("nesting deeper than the depth limit"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_end_of_objects_with_tricky_strings() {
        let text = br#"{"a":"x}\"{","b":[1,{"c":"]"}]} {"next":1}"#;
        match scan_value(text, 64) {
            Scan::Complete { end, depth, fields } => {
                assert_eq!(&text[..end], br#"{"a":"x}\"{","b":[1,{"c":"]"}]}"#);
                assert_eq!(depth, 3);
                assert_eq!(fields, 3);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(scan_value(br#"{"a":"x"#, 64), Scan::Incomplete);
        assert_eq!(scan_value(b"[[[[1]]]]", 3), Scan::TooDeep);
        assert_eq!(
            scan_value(b"123 ", 64),
            Scan::Complete {
                end: 3,
                depth: 0,
                fields: 0
            }
        );
    }

    #[test]
    fn object_heads_stop_at_streamable_arrays() {
        let text = br#"{"messageType":"DATA_MESSAGE","owner":"1","logEvents":[{"id":"1"}]}"#;
        match scan_object_head(text, 64) {
            Head::Stream {
                key,
                array_body,
                message_type,
            } => {
                assert_eq!(key, StreamKey::LogEvents);
                assert_eq!(&text[array_body..array_body + 4], br#"{"id"#);
                assert_eq!(message_type.as_deref(), Some("DATA_MESSAGE"));
            }
            other => panic!("{other:?}"),
        }
        let text = br#"{"eventName":"X","resources":[{"ARN":"a"}]}"#;
        assert!(matches!(scan_object_head(text, 64), Head::Whole { end, .. } if end == text.len()));
        assert_eq!(scan_object_head(br#"{"Records":"#, 64), Head::Incomplete);
        assert!(matches!(scan_object_head(b"{1}", 64), Head::Invalid(_)));
    }

    #[test]
    fn skipper_resumes_across_chunks() {
        let mut skipper = Skipper::default();
        assert_eq!(skipper.feed(br#"{"a":"}"#), None);
        assert_eq!(skipper.feed(br#"\"","b":[1]"#), None);
        assert_eq!(skipper.feed(b"}, next"), Some(1));
        let mut tail = Skipper::inside(1);
        assert_eq!(tail.feed(br#","x":{"y":1}} {"#), Some(13));
    }
}

#[cfg(test)]
mod string_tests {
    use super::*;

    #[test]
    fn string_ends_are_found_at_every_alignment() {
        for pad in 0..80 {
            let body = "x".repeat(pad);
            for tail in ["\"", "\\\"\"", "\\\\\"", "é\""] {
                let text = format!("\"{body}{tail}rest");
                let expected = text.len() - "rest".len();
                assert_eq!(string_end(text.as_bytes()), Some(expected), "{text:?}");
            }
            let open = format!("\"{body}\\");
            assert_eq!(string_end(open.as_bytes()), None);
            let unterminated = format!("\"{body}");
            assert_eq!(string_end(unterminated.as_bytes()), None);
        }
    }
}
