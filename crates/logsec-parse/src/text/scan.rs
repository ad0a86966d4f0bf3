//! Byte scanners shared by the text formats: a quote- and bracket-aware tokenizer, timestamp
//! parsers that do no allocation, address helpers, and the builder of `unmapped` objects.
//!
//! Every function here works on `&str` slices and returns sub-slices of its input, so events
//! borrow from the line; none of them can panic on any input (slicing happens only at
//! boundaries found by searching for ASCII bytes, which are always char boundaries).

use std::borrow::Cow;
use std::net::IpAddr;

use logsec_event::{Endpoint, JsonNumber, JsonValue};

use crate::text::block::{eq_mask, eq_masks2};

/// How a token was delimited in the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delim {
    /// Delimited by spaces.
    Bare,
    /// Between double quotes (the quotes are not part of the text).
    Quoted,
    /// Between square brackets (the brackets are not part of the text).
    Bracketed,
}

/// One token of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// The text, without quotes or brackets.
    pub(crate) text: &'a str,
    /// How it was delimited.
    pub(crate) delim: Delim,
}

impl<'a> Token<'a> {
    /// The text, or `None` for the absent marker `-` (and for an empty quoted string).
    pub(crate) fn value(&self) -> Option<&'a str> {
        absent(self.text)
    }

    /// Whether the token was quoted.
    pub(crate) fn is_quoted(&self) -> bool {
        self.delim == Delim::Quoted
    }
}

/// `None` for the absent markers `-` and the empty string, the text otherwise.
pub(crate) fn absent(text: &str) -> Option<&str> {
    if matches!(text.as_bytes(), [] | [b'-']) {
        None
    } else {
        Some(text)
    }
}

const EMPTY_TOKEN: Token<'static> = Token {
    text: "",
    delim: Delim::Bare,
};

/// Up to `N` tokens of a line, on the stack.
#[derive(Debug, Clone)]
pub(crate) struct TokenArray<'a, const N: usize> {
    items: [Token<'a>; N],
    len: usize,
    overflow: bool,
}

impl<'a, const N: usize> TokenArray<'a, N> {
    /// An empty array.
    #[inline(always)]
    pub(crate) fn new() -> TokenArray<'a, N> {
        TokenArray {
            items: [EMPTY_TOKEN; N],
            len: 0,
            overflow: false,
        }
    }

    /// Reads up to `N` tokens of `tokens` into this (empty) array, in place.
    ///
    /// Hot parsers declare the array and fill it with this rather than take the value
    /// [`Tokens::array`] returns: a returned array of a few hundred bytes was copied twice on
    /// its way to the caller's frame (a twentieth of the time of a short access-log line).
    #[inline(always)]
    pub(crate) fn read(&mut self, tokens: Tokens<'a>) {
        for token in tokens {
            match self.items.get_mut(self.len) {
                Some(slot) => {
                    *slot = token;
                    self.len += 1;
                }
                None => {
                    self.overflow = true;
                    break;
                }
            }
        }
    }

    /// Appends a token the caller read itself (dropped, and the array marked overflowed, when
    /// full), for a parser that reads the first tokens of a line and then resumes the
    /// tokenizer with [`Tokens::at`].
    #[inline(always)]
    pub(crate) fn push(&mut self, token: Token<'a>) {
        match self.items.get_mut(self.len) {
            Some(slot) => {
                *slot = token;
                self.len += 1;
            }
            None => self.overflow = true,
        }
    }

    /// The tokens read.
    pub(crate) fn as_slice(&self) -> &[Token<'a>] {
        self.items.get(..self.len).unwrap_or(&[])
    }

    /// Whether the line had more than `N` tokens.
    pub(crate) fn overflowed(&self) -> bool {
        self.overflow
    }
}

/// Splits a line into tokens: runs of non-space bytes, `"…"` strings (a quote closes only when
/// followed by a space or the end of the line, so unescaped quotes inside values survive; a
/// backslash escapes the next byte) and `[…]` groups (closed by the first `]` followed by a space
/// or the end). An unterminated quote or bracket takes the rest of the line.
#[derive(Debug, Clone)]
pub(crate) struct Tokens<'a> {
    line: &'a str,
    pos: usize,
}

impl<'a> Tokens<'a> {
    /// Tokens of `line`.
    pub(crate) fn new(line: &'a str) -> Tokens<'a> {
        Tokens { line, pos: 0 }
    }

    /// Tokens of `line` from byte `pos` on, for a parser that read the tokens before `pos`
    /// itself. The tokenizer keeps no state between tokens, so from the end of a token this
    /// yields exactly what [`Tokens::new`] yields after that token.
    pub(crate) fn at(line: &'a str, pos: usize) -> Tokens<'a> {
        Tokens { line, pos }
    }

    /// The unread rest of the line, leading spaces skipped.
    pub(crate) fn rest(&self) -> &'a str {
        self.line
            .get(self.pos..)
            .unwrap_or("")
            .trim_start_matches(' ')
    }

    /// Collects up to `N` remaining tokens into a fixed array (no allocation).
    #[inline]
    pub(crate) fn array<const N: usize>(self) -> TokenArray<'a, N> {
        let mut array = TokenArray::new();
        array.read(self);
        array
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    // Always inlined: called out of line, the token came back through memory and the caller's
    // wide load of it stalled on the narrow stores that had just written it.
    #[inline(always)]
    fn next(&mut self) -> Option<Token<'a>> {
        let bytes = self.line.as_bytes();
        let mut start = self.pos;
        while start < bytes.len() && (bytes[start] == b' ' || bytes[start] == b'\t') {
            start += 1;
        }
        if start >= bytes.len() {
            self.pos = bytes.len();
            return None;
        }
        // The kind is decided once (the bracket test scans the token).
        // Quoted strings and bare words are searched eight bytes at a time: most are a few
        // dozen bytes, where a `memchr` call costs more than it saves.
        let (text_start, text_end, next, delim) = match bytes[start] {
            b'"' => {
                let end = closing_quote_short(bytes, start + 1);
                (start + 1, end, (end + 1).min(bytes.len()), Delim::Quoted)
            }
            b'[' if !is_bracketed_address(bytes, start) => {
                let end = closing_bracket(bytes, start + 1);
                (start + 1, end, (end + 1).min(bytes.len()), Delim::Bracketed)
            }
            _ => {
                let end = separator_at(bytes, start, false);
                (start, end, end, Delim::Bare)
            }
        };
        self.pos = next;
        let text = self.line.get(text_start..text_end).unwrap_or("");
        Some(Token { text, delim })
    }
}

/// A mask with the high bit set in every byte of `word` that is zero. Bytes above the lowest
/// zero byte may be flagged wrongly (a borrow runs into them); the lowest flag is exact, which
/// is all the searches below use.
#[inline(always)]
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(0x0101_0101_0101_0101) & !word & 0x8080_8080_8080_8080
}

/// `text.parse::<u16>().ok()`, with the usual one to five digits read inline.
#[inline]
pub(crate) fn parse_port(text: &str) -> Option<u16> {
    let bytes = text.as_bytes();
    if (1..=5).contains(&bytes.len()) && bytes.iter().all(u8::is_ascii_digit) {
        let value = bytes
            .iter()
            .fold(0u32, |n, &b| n * 10 + u32::from(b - b'0'));
        return u16::try_from(value).ok();
    }
    text.parse().ok()
}

/// `text.get(from..to)`, from two splits: the range's `get` was called out of line from the
/// fast paths (six calls a web access line), the splits are inlined.
#[inline(always)]
pub(crate) fn span(text: &str, from: usize, to: usize) -> Option<&str> {
    let (head, _) = text.split_at_checked(to)?;
    head.split_at_checked(from).map(|(_, tail)| tail)
}

/// The index of the first byte at or after `from` that is a space, or also a tab when `tabs`,
/// or the length of `bytes`. Sixteen bytes at a time (the fields of flow logs and access logs
/// are a few bytes long: a `memchr` call per field costs more than it saves).
#[inline(always)]
pub(crate) fn separator_at(bytes: &[u8], from: usize, tabs: bool) -> usize {
    first_marked(
        bytes,
        from,
        |block| {
            let (spaces, tab_bytes) = eq_masks2(block, b' ', b'\t');
            if tabs { spaces | tab_bytes } else { spaces }
        },
        |b| b == b' ' || (tabs && b == b'\t'),
    )
}

/// The index of the first byte at or after `from` that `marks` flags in its sixteen-byte block
/// (bit `i` for the block's byte `i`) or, in a text shorter than a block, that `is` accepts;
/// the length of `bytes` if there is none (`from` itself if it is past the end).
///
/// The bytes after the last whole block are read as the text's last sixteen bytes, with the
/// flags of the bytes already read shifted out: no byte loop for the tail of a field.
#[inline(always)]
fn first_marked(
    bytes: &[u8],
    from: usize,
    marks: impl Fn(&[u8; 16]) -> u32,
    is: impl Fn(u8) -> bool,
) -> usize {
    let mut at = from;
    while let Some(block) = bytes
        .get(at..at + 16)
        .and_then(|block| <&[u8; 16]>::try_from(block).ok())
    {
        let found = marks(block);
        if found != 0 {
            return at + found.trailing_zeros() as usize;
        }
        at += 16;
    }
    if at >= bytes.len() {
        return at;
    }
    let last = bytes.len().checked_sub(16).and_then(|base| {
        let block = <&[u8; 16]>::try_from(bytes.get(base..)?).ok()?;
        Some((base, block))
    });
    match last {
        // A whole block ended at `at` (or `at` is `from`, past `base`): `at - base` < 16.
        Some((base, block)) if base <= at => {
            let found = marks(block) >> (at - base);
            if found != 0 {
                at + found.trailing_zeros() as usize
            } else {
                bytes.len()
            }
        }
        _ => {
            let tail = bytes.get(at..).unwrap_or(&[]);
            at + tail.iter().position(|&b| is(b)).unwrap_or(tail.len())
        }
    }
}

/// Whether the `[` at `start` opens an IPv6 `[address]:port` (a bare token), not a group.
///
/// That is: within the next 48 bytes, the first `]` is followed by `:` and every byte before
/// it is a hex digit, `:` or `.`. Read as one scan that stops at the first byte an address
/// cannot hold (the `/` of a bracketed time comes within a few bytes), not as a search for
/// the `]` first.
fn is_bracketed_address(bytes: &[u8], start: usize) -> bool {
    let Some(rest) = bytes.get(start + 1..) else {
        return false;
    };
    let head = rest.get(..rest.len().min(48)).unwrap_or(&[]);
    match head
        .iter()
        .position(|b| !(b.is_ascii_hexdigit() || *b == b':' || *b == b'.'))
    {
        Some(close) => head.get(close) == Some(&b']') && rest.get(close + 1) == Some(&b':'),
        None => false,
    }
}

/// The index of the quote closing a string that starts at `from`: a `"` not escaped by a
/// backslash and followed by a space, a tab or the end of the line; the line's length if none.
/// The `memchr2` search the eight-byte one ([`closing_quote_short`]) is held to.
#[cfg(test)]
fn closing_quote(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() {
        match memchr::memchr2(b'"', b'\\', &bytes[i..]) {
            None => return bytes.len(),
            Some(offset) => {
                let at = i + offset;
                if bytes[at] == b'\\' {
                    i = at + 2;
                    continue;
                }
                if at + 1 == bytes.len() || bytes[at + 1] == b' ' || bytes[at + 1] == b'\t' {
                    return at;
                }
                i = at + 1;
            }
        }
    }
    bytes.len()
}

/// [`closing_quote`] for a string that is usually short (the request line of an access log):
/// the quote or backslash is searched eight bytes at a time, where a `memchr2` call costs more
/// than it saves on a few dozen bytes.
pub(crate) fn closing_quote_short(bytes: &[u8], from: usize) -> usize {
    closing_quote_short_inline(bytes, from)
}

/// [`closing_quote_short`] inlined into the caller: the web access fast path (which saves
/// the call); other callers keep the call, which their own code lays out better around.
#[inline(always)]
pub(crate) fn closing_quote_short_inline(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() {
        let at = quote_or_backslash(bytes, i);
        match bytes.get(at) {
            None => return bytes.len(),
            Some(b'\\') => i = at + 2,
            Some(_) => {
                if matches!(bytes.get(at + 1), None | Some(b' ' | b'\t')) {
                    return at;
                }
                i = at + 1;
            }
        }
    }
    bytes.len()
}

/// The index of the first `"` or `\` at or after `from`, or the length of `bytes`.
#[inline(always)]
fn quote_or_backslash(bytes: &[u8], from: usize) -> usize {
    first_marked(
        bytes,
        from,
        |block| {
            let (quotes, backslashes) = eq_masks2(block, b'"', b'\\');
            quotes | backslashes
        },
        |b| b == b'"' || b == b'\\',
    )
}

/// The index of the `]` closing a group that starts at `from`: the first `]` followed by a
/// space or the end of the line; the line's length if none.
/// The `]` is searched sixteen bytes at a time (a bracketed time is some thirty bytes).
fn closing_bracket(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() {
        let at = first_marked(bytes, i, |block| eq_mask(block, b']'), |b| b == b']');
        match bytes.get(at + 1) {
            _ if at >= bytes.len() => return bytes.len(),
            None | Some(b' ') => return at,
            Some(_) => i = at + 1,
        }
    }
    bytes.len()
}

/// The `memchr` search [`closing_bracket`] is held to.
#[cfg(test)]
fn closing_bracket_reference(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() {
        match memchr::memchr(b']', &bytes[i..]) {
            None => return bytes.len(),
            Some(offset) => {
                let at = i + offset;
                if at + 1 == bytes.len() || bytes[at + 1] == b' ' {
                    return at;
                }
                i = at + 1;
            }
        }
    }
    bytes.len()
}

/// The index of the first `needle` in `bytes`, eight bytes at a time: request targets are a
/// few dozen bytes, where a `memchr` call costs more than it saves.
#[inline(always)]
pub(crate) fn byte_index(bytes: &[u8], needle: u8) -> Option<usize> {
    let pattern = u64::from_le_bytes([needle; 8]);
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        let found = zero_bytes(u64::from_le_bytes(eight) ^ pattern);
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let tail = bytes.get(at..).unwrap_or(&[]);
    tail.iter().position(|&b| b == needle).map(|i| at + i)
}

/// Splits off the first space-delimited word: `(word, rest)` with the rest's leading spaces
/// skipped; `None` for an empty input.
pub(crate) fn split_word(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start_matches(' ');
    if text.is_empty() {
        return None;
    }
    match memchr::memchr(b' ', text.as_bytes()) {
        Some(i) => Some((
            text.get(..i).unwrap_or(""),
            text.get(i + 1..).unwrap_or("").trim_start_matches(' '),
        )),
        None => Some((text, "")),
    }
}

/// Splits at the first two spaces, as `text.splitn(3, ' ')` does: the text before the first
/// space (all of it when there is none), the text between the first and second space (`None`
/// without a first space), and the rest after the second space (`None` without a second). A
/// byte search; `splitn` with a `char` pattern decodes every char (request lines are split on
/// every line of the HTTP formats).
pub(crate) fn split3_spaces(text: &str) -> (&str, Option<&str>, Option<&str>) {
    let bytes = text.as_bytes();
    let Some(first) = space_in(bytes) else {
        return (text, None, None);
    };
    let head = text.get(..first).unwrap_or("");
    let rest = text.get(first + 1..).unwrap_or("");
    match space_in(rest.as_bytes()) {
        Some(second) => (
            head,
            Some(rest.get(..second).unwrap_or("")),
            Some(rest.get(second + 1..).unwrap_or("")),
        ),
        None => (head, Some(rest), None),
    }
}

/// The index of the first space of `bytes`, eight bytes at a time (a request line's method
/// and target are a few words long: a `memchr` call costs more than it saves).
#[inline(always)]
fn space_in(bytes: &[u8]) -> Option<usize> {
    let at = separator_at(bytes, 0, false);
    (at < bytes.len()).then_some(at)
}

/// A mask with the high bit set in exactly the bytes of `word` equal to `byte` (no borrow runs
/// between bytes, unlike [`zero_bytes`]: every flag is exact, so the searches below can walk
/// all of them, from either end).
#[inline(always)]
fn bytes_equal(word: u64, byte: u8) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let x = word ^ (u64::from(byte) * 0x0101_0101_0101_0101);
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// The eight bytes of `bytes` at `at` as a little-endian word, if there are eight.
#[inline(always)]
fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    bytes
        .get(at..)
        .and_then(|tail| tail.first_chunk::<8>())
        .map(|eight| u64::from_le_bytes(*eight))
}

/// The spaces among the eight bytes at `at`, as [`bytes_equal`] flags them; `None` without
/// eight bytes at `at`. (Keeping only the spaces followed by the needle's second byte was
/// tried: the second load cost more than the candidates it saved on log messages.)
#[inline(always)]
fn spaces_at(bytes: &[u8], at: usize) -> Option<u64> {
    word_at(bytes, at).map(|word| bytes_equal(word, b' '))
}

/// Whether `needle` (which starts with a space) occurs in `bytes` at `at`, the space there
/// known: the byte after it is compared first, inline (most spaces start a different word;
/// the whole comparison of a needle whose length is not known at compile time is a `memcmp`
/// call).
#[inline(always)]
fn matches_spaced(bytes: &[u8], at: usize, needle: &[u8]) -> bool {
    needle
        .get(1)
        .is_none_or(|second| bytes.get(at + 1) == Some(second))
        && bytes.get(at..).is_some_and(|tail| tail.starts_with(needle))
}

/// `text.find(needle)` for a `needle` that starts with a space: only the spaces of `text` can
/// start a match, and they are found eight bytes at a time. On the short messages of a log
/// line this is much cheaper than a general substring search, which builds its tables on
/// every call, and than a `memchr` call per space.
pub(crate) fn find_spaced(text: &str, needle: &str) -> Option<usize> {
    if !needle.starts_with(' ') {
        return text.find(needle);
    }
    let bytes = text.as_bytes();
    let matches_at = |at: usize| matches_spaced(bytes, at, needle.as_bytes());
    let mut at = 0;
    while let Some(mut candidates) = spaces_at(bytes, at) {
        while candidates != 0 {
            let space = at + (candidates.trailing_zeros() / 8) as usize;
            if matches_at(space) {
                return Some(space);
            }
            candidates &= candidates - 1;
        }
        at += 8;
    }
    // The last few bytes: the eight that end the text, less those already searched.
    if at < bytes.len()
        && let Some(start) = bytes.len().checked_sub(8)
    {
        let searched = (at - start) * 8;
        let mut candidates = spaces_at(bytes, start).unwrap_or(0) & (u64::MAX << searched);
        while candidates != 0 {
            let space = start + (candidates.trailing_zeros() / 8) as usize;
            if matches_at(space) {
                return Some(space);
            }
            candidates &= candidates - 1;
        }
        return None;
    }
    (at..bytes.len()).find(|&i| bytes.get(i) == Some(&b' ') && matches_at(i))
}

/// `text.rfind(needle)` for a `needle` that starts with a space (see [`find_spaced`]): the
/// spaces from the end, eight bytes at a time.
pub(crate) fn rfind_spaced(text: &str, needle: &str) -> Option<usize> {
    if !needle.starts_with(' ') {
        return text.rfind(needle);
    }
    let bytes = text.as_bytes();
    let matches_at = |at: usize| matches_spaced(bytes, at, needle.as_bytes());
    let mut end = bytes.len();
    while end >= 8 {
        let start = end - 8;
        let mut candidates = spaces_at(bytes, start).unwrap_or(0);
        while candidates != 0 {
            let high = 63 - candidates.leading_zeros();
            let space = start + (high / 8) as usize;
            if matches_at(space) {
                return Some(space);
            }
            candidates &= !(1u64 << high);
        }
        end = start;
    }
    (0..end)
        .rev()
        .find(|&i| bytes.get(i) == Some(&b' ') && matches_at(i))
}

/// `text.split_once(needle)` for a `needle` that starts with a space (see [`find_spaced`]).
pub(crate) fn split_once_spaced<'t>(text: &'t str, needle: &str) -> Option<(&'t str, &'t str)> {
    let at = find_spaced(text, needle)?;
    Some((text.get(..at)?, text.get(at + needle.len()..)?))
}

// ---------------------------------------------------------------------------------------------
// Numbers and time.

/// Parses an unsigned decimal of up to 18 digits.
pub(crate) fn parse_u64(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > 18 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    Some(n)
}

/// Parses a signed decimal integer of up to 18 digits.
pub(crate) fn parse_i64(text: &str) -> Option<i64> {
    match text.strip_prefix('-') {
        Some(rest) => parse_u64(rest)
            .and_then(|n| i64::try_from(n).ok())
            .map(|n| -n),
        None => parse_u64(text).and_then(|n| i64::try_from(n).ok()),
    }
}

/// Parses a decimal number of seconds (`0.086`, `12`) into milliseconds, rounding down; negative
/// values (ELB's `-1` for "no target") give `None`.
pub(crate) fn parse_seconds_ms(text: &str) -> Option<i64> {
    let (whole, frac) = match memchr::memchr(b'.', text.as_bytes()) {
        Some(i) => (text.get(..i)?, text.get(i + 1..)?),
        None => (text, ""),
    };
    let secs = i64::try_from(parse_u64(whole)?).ok()?;
    let mut ms = 0i64;
    let mut scale = 100;
    for &b in frac.as_bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        ms += i64::from(b - b'0') * scale;
        scale /= 10;
    }
    secs.checked_mul(1000)?.checked_add(ms)
}

///
/// The count is a constant, so the loop unrolls into straight code (the times of every text
/// format are read with this, several fields per record).
#[inline(always)]
fn digits<const N: usize>(bytes: &[u8], from: usize) -> Option<u32> {
    let slice: &[u8; N] = bytes.get(from..from + N)?.try_into().ok()?;
    let mut n = 0u32;
    for &b in slice {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(b - b'0');
    }
    Some(n)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month) of a time in milliseconds since the epoch.
pub(crate) fn year_month_of(ms: i64) -> (i64, u32) {
    let days = ms.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, u32::try_from(month).unwrap_or(1))
}

/// Milliseconds since the epoch of a civil date and time in UTC; `None` for out-of-range parts.
pub(crate) fn civil_ms(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    millis: u32,
) -> Option<i64> {
    civil_ms_with(
        (year, month, day),
        (hour, minute, second, millis),
        days_from_civil,
    )
}

/// [`civil_ms`] with the day number of a valid date taken from `days` (given year, month and
/// day; a caller may answer from a cache of the previous day).
#[inline]
pub(crate) fn civil_ms_with(
    (year, month, day): (i64, u32, u32),
    (hour, minute, second, millis): (u32, u32, u32, u32),
    days: impl FnOnce(i64, u32, u32) -> i64,
) -> Option<i64> {
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
        || !(0..=9999).contains(&year)
    {
        return None;
    }
    let days = days(year, month, day);
    Some(
        ((days * 24 + i64::from(hour)) * 60 + i64::from(minute)) * 60_000
            + i64::from(second) * 1000
            + i64::from(millis),
    )
}

/// The month number (1–12) of an English three-letter abbreviation (`Jan`, any case).
pub(crate) fn month_from_abbr(text: &[u8]) -> Option<u32> {
    let [a, b, c] = text else { return None };
    let key = [
        a.to_ascii_lowercase(),
        b.to_ascii_lowercase(),
        c.to_ascii_lowercase(),
    ];
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    MONTHS
        .iter()
        .position(|m| **m == key)
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// Parses a fractional-seconds part (after the dot) into milliseconds; returns the value and the
/// number of bytes consumed.
fn fraction_ms(bytes: &[u8], from: usize) -> (u32, usize) {
    let mut i = from;
    let mut ms = 0u32;
    let mut scale = 100u32;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        ms += u32::from(bytes[i] - b'0') * scale;
        scale /= 10;
        i += 1;
    }
    (ms, i - from)
}

/// Parses a zone suffix `Z`, `+hh:mm`, `+hhmm` or `+hh` into seconds east of UTC; returns the
/// offset and the bytes consumed. No suffix is UTC.
fn zone_offset(bytes: &[u8], from: usize) -> Option<(i64, usize)> {
    match bytes.get(from) {
        None => Some((0, 0)),
        Some(b'Z' | b'z') => Some((0, 1)),
        Some(&sign @ (b'+' | b'-')) => {
            let hours = digits::<2>(bytes, from + 1)?;
            let (minutes, used) = if bytes.get(from + 3) == Some(&b':') {
                (digits::<2>(bytes, from + 4)?, 6)
            } else if let Some(m) = digits::<2>(bytes, from + 3) {
                (m, 5)
            } else {
                (0, 3)
            };
            let secs = i64::from(hours * 3600 + minutes * 60);
            Some((if sign == b'-' { -secs } else { secs }, used))
        }
        Some(_) => None,
    }
}

/// Parses an RFC 3339 / ISO 8601 timestamp (`2018-07-02T22:23:00.186641Z`,
/// `2023-10-05T11:47:20.799042+02:00`, a space instead of `T`, no zone = UTC) into milliseconds
/// since the epoch. The whole text must be consumed.
pub(crate) fn parse_rfc3339(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let year = digits::<4>(bytes, 0)?;
    if bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let month = digits::<2>(bytes, 5)?;
    let day = digits::<2>(bytes, 8)?;
    if !matches!(bytes.get(10), Some(b'T' | b't' | b' ')) || bytes.get(13) != Some(&b':') {
        return None;
    }
    let hour = digits::<2>(bytes, 11)?;
    let minute = digits::<2>(bytes, 14)?;
    let (second, mut i) = if bytes.get(16) == Some(&b':') {
        (digits::<2>(bytes, 17)?, 19)
    } else {
        (0, 16)
    };
    let mut millis = 0;
    if matches!(bytes.get(i), Some(b'.' | b',')) {
        let (ms, used) = fraction_ms(bytes, i + 1);
        millis = ms;
        i += 1 + used;
    }
    let (offset, used) = zone_offset(bytes, i)?;
    if i + used != bytes.len() {
        return None;
    }
    let ms = civil_ms(i64::from(year), month, day, hour, minute, second, millis)?;
    Some(ms - offset * 1000)
}

/// Whether the eight bytes at `from` are ASCII digits wherever `mask` has a `0xFF` byte
/// (little-endian: the mask's lowest byte is the first byte). `false` also when fewer than
/// eight bytes are left.
#[inline(always)]
fn all_digits(bytes: &[u8], from: usize, mask: u64) -> bool {
    let Some(chunk) = bytes.get(from..from + 8) else {
        return false;
    };
    let mut eight = [0u8; 8];
    eight.copy_from_slice(chunk);
    let word = u64::from_le_bytes(eight);
    // A digit is `0x30..=0x39`: its high nibble is 3, and adding 6 keeps it 3. Adding 6 to a
    // byte of `0xFA` or more carries into the next byte; that byte may then fail the second
    // test although it is a digit (a refusal, never a false digit), and the first byte already
    // failed the first test.
    let high = 0xF0F0_F0F0_F0F0_F0F0 & mask;
    let threes = 0x3030_3030_3030_3030 & mask;
    word & high == threes && word.wrapping_add(0x0606_0606_0606_0606) & high == threes
}

/// The value of the `len` decimal digits that end at `end` in `bytes`, for `len` from 1 to 8:
/// read as one word (the eight bytes before `end`), checked and combined without a branch
/// per digit (a byte loop mispredicted at the end of every response size, whose length varies
/// from line to line). `None` when `end < 8`, `len` is out of range or a byte is not a digit;
/// callers then use [`parse_i64`].
#[inline(always)]
pub(crate) fn digits_ending_at(bytes: &[u8], end: usize, len: usize) -> Option<u64> {
    if !(1..=8).contains(&len) {
        return None;
    }
    let chunk = bytes.get(end.checked_sub(8)?..end)?;
    let mut eight = [0u8; 8];
    eight.copy_from_slice(chunk);
    let word = u64::from_le_bytes(eight);
    // The number's bytes are the last `len` (the high bytes of the little-endian word); the
    // bytes before it become `0` digits.
    let mine = u64::MAX << (8 * (8 - len));
    let word = (word & mine) | (0x3030_3030_3030_3030 & !mine);
    let high = 0xF0F0_F0F0_F0F0_F0F0;
    let threes = 0x3030_3030_3030_3030;
    if word & high != threes || word.wrapping_add(0x0606_0606_0606_0606) & high != threes {
        return None;
    }
    // Pairs, then fours, then the eight: the first byte is the most significant digit.
    let mut value = word & 0x0F0F_0F0F_0F0F_0F0F;
    // The products overflow on purpose: what is kept is the middle of each.
    value = value.wrapping_mul(10 << 8 | 1) >> 8;
    value = (value & 0x00FF_00FF_00FF_00FF).wrapping_mul(100 << 16 | 1) >> 16;
    value = (value & 0x0000_FFFF_0000_FFFF).wrapping_mul(10_000 << 32 | 1) >> 32;
    Some(value)
}

/// The value of the `len` decimal digits that end at `end` in `bytes`, for `len` from 1 to 16:
/// [`digits_ending_at`] for up to eight, and for more the eight before the last eight times
/// 10⁸ plus the last eight (an epoch time in seconds is ten digits). `None` as for
/// [`digits_ending_at`] (also when fewer than sixteen bytes end at `end` for a number of more
/// than eight digits); callers then use [`parse_i64`].
#[inline(always)]
pub(crate) fn number_ending_at(bytes: &[u8], end: usize, len: usize) -> Option<u64> {
    if len <= 8 {
        return digits_ending_at(bytes, end, len);
    }
    let high = digits_ending_at(bytes, end.checked_sub(8)?, len.checked_sub(8)?)?;
    let low = digits_ending_at(bytes, end, 8)?;
    Some(high * 100_000_000 + low)
}

/// The length of the usual Common Log Format time, `10/Oct/2000:13:55:36 -0700`.
pub(crate) const CLF_TIME_LEN: usize = 26;

/// The month number (1–12) of an English three-letter abbreviation in any case, as
/// [`month_from_abbr`] gives it, from one comparison of the three bytes read as a number
/// (`| 0x20` lower-cases a letter and maps no other byte onto a lower-case letter).
#[inline(always)]
pub(crate) fn month_from_abbr_fast(a: u8, b: u8, c: u8) -> Option<u32> {
    let key = u32::from_le_bytes([a | 0x20, b | 0x20, c | 0x20, 0]);
    let key_of = |m: &[u8; 3]| u32::from_le_bytes([m[0], m[1], m[2], 0]);
    Some(match key {
        k if k == key_of(b"jan") => 1,
        k if k == key_of(b"feb") => 2,
        k if k == key_of(b"mar") => 3,
        k if k == key_of(b"apr") => 4,
        k if k == key_of(b"may") => 5,
        k if k == key_of(b"jun") => 6,
        k if k == key_of(b"jul") => 7,
        k if k == key_of(b"aug") => 8,
        k if k == key_of(b"sep") => 9,
        k if k == key_of(b"oct") => 10,
        k if k == key_of(b"nov") => 11,
        k if k == key_of(b"dec") => 12,
        _ => return None,
    })
}

/// Parses the usual shape of the Common Log Format time, exactly `dd/Mmm/yyyy:hh:mm:ss ±hhmm`
/// (26 bytes, no fraction), into milliseconds since the epoch, as [`parse_clf_time`] does.
///
/// `None` for any other shape and for out-of-range parts; callers then ask the general
/// [`parse_clf_time`], which decides (so `Some` here always equals its answer). Written for
/// the one shape web servers log: fixed offsets, no searching, the month from one
/// comparison chain, and the range checks of [`civil_ms`] (a day up to 31 in any month,
/// rolled into the next month as the general parser does; no bound on the zone's digits).
#[inline]
pub(crate) fn parse_clf_time_fixed(bytes: &[u8; CLF_TIME_LEN]) -> Option<i64> {
    parse_clf_time_fixed_cached(bytes, &mut ClfDayCache::default())
}

/// The date of the last Common Log Format time read and its day number, so that the next
/// time on the same day (nearly every line of a log, which is in time order) skips the
/// month lookup and the calendar arithmetic; and the minute and zone of the last time with
/// its value, so that the next time in the same minute (most lines of a busy log) reads only
/// its seconds.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ClfDayCache {
    /// Bytes 0–7 and 7–10 of the time (`dd/Mmm/y`, `yyyy`); zero (never a date) when empty.
    key: (u64, u32),
    /// Days since 1970-01-01 of that date.
    days: i64,
    /// Every byte of the last valid time but its seconds (bytes 0–7, 8–15, and 16–25 with the
    /// two second digits zeroed), when `minute_valid`.
    minute_key: (u64, u64, u64),
    /// Whether `minute_key` and `minute_ms` hold a time read before.
    minute_valid: bool,
    /// The value of that time at second 0 of its minute.
    minute_ms: i64,
}

/// The bytes of a Common Log Format time that [`ClfDayCache`] compares for the minute: all
/// but the second digits (bytes 18 and 19), as three words.
#[inline(always)]
fn clf_minute_key(bytes: &[u8; CLF_TIME_LEN]) -> (u64, u64, u64) {
    let word = |from: usize| {
        let mut eight = [0u8; 8];
        if let Some(chunk) = bytes.get(from..from + 8) {
            eight.copy_from_slice(chunk);
        }
        u64::from_le_bytes(eight)
    };
    // Bytes 18–25 read as one word with the seconds (its two lowest bytes) cleared, and bytes
    // 16–17 added below them.
    let [.., minute2, colon, _, _, _, _, _, _, _, _] = *bytes;
    let tail = (word(18) & !0xFFFF) | u64::from(u16::from_le_bytes([minute2, colon]));
    (word(0), word(8), tail)
}

/// [`parse_clf_time_fixed`] with the day of the previous call kept in `cache`; the answer is
/// the same. Always inlined: as a call it cost the web access fast path instructions.
#[inline(always)]
pub(crate) fn parse_clf_time_fixed_cached(
    bytes: &[u8; CLF_TIME_LEN],
    cache: &mut ClfDayCache,
) -> Option<i64> {
    // The same minute and zone as the last time: only the seconds are new (every other byte
    // was checked when the minute was cached).
    let minute_key = clf_minute_key(bytes);
    if cache.minute_valid && minute_key == cache.minute_key {
        let [.., tens, units, _, _, _, _, _, _] = *bytes;
        let (tens, units) = (
            u32::from(tens.wrapping_sub(b'0')),
            u32::from(units.wrapping_sub(b'0')),
        );
        let second = tens * 10 + units;
        if tens > 9 || units > 9 || second > 60 {
            return None;
        }
        return Some(cache.minute_ms + i64::from(second) * 1000);
    }
    let [
        day1,
        day2,
        slash1,
        m1,
        m2,
        m3,
        slash2,
        year1,
        year2,
        year3,
        year4,
        colon1,
        hour1,
        hour2,
        colon2,
        minute1,
        minute2,
        colon3,
        second1,
        second2,
        space,
        sign,
        zone1,
        zone2,
        zone3,
        zone4,
    ] = *bytes;
    if slash1 != b'/'
        || slash2 != b'/'
        || colon1 != b':'
        || colon2 != b':'
        || colon3 != b':'
        || space != b' '
    {
        return None;
    }
    // The sixteen digits checked in three words and a byte (four tests, not sixteen
    // branches): bytes 0–7 (day, first year digit), 8–15 (year, hour, first minute digit),
    // the second minute digit, 18–25 (second, zone).
    if !all_digits(bytes, 0, 0xFF00_0000_0000_FFFF)
        || !all_digits(bytes, 8, 0xFF00_FFFF_00FF_FFFF)
        || !minute2.is_ascii_digit()
        || !all_digits(bytes, 18, 0xFFFF_FFFF_0000_FFFF)
    {
        return None;
    }
    // The date's bytes, `dd/Mmm/y` and `yyyy`.
    let key = (
        u64::from_le_bytes([day1, day2, slash1, m1, m2, m3, slash2, year1]),
        u32::from_le_bytes([year1, year2, year3, year4]),
    );
    let [
        day1,
        day2,
        year1,
        year2,
        year3,
        year4,
        hour1,
        hour2,
        minute1,
        minute2,
        second1,
        second2,
        zone1,
        zone2,
        zone3,
        zone4,
    ] = [
        day1, day2, year1, year2, year3, year4, hour1, hour2, minute1, minute2, second1, second2,
        zone1, zone2, zone3, zone4,
    ]
    .map(|b| u32::from(b.wrapping_sub(b'0')));
    // A date that equals the cached one had its month and day checked when it was cached.
    let days = if key == cache.key {
        cache.days
    } else {
        let month = month_from_abbr_fast(m1, m2, m3)?;
        let day = day1 * 10 + day2;
        if !(1..=31).contains(&day) {
            return None;
        }
        let year = year1 * 1000 + year2 * 100 + year3 * 10 + year4;
        let days = days_from_civil(i64::from(year), month, day);
        cache.key = key;
        cache.days = days;
        days
    };
    let hour = hour1 * 10 + hour2;
    let minute = minute1 * 10 + minute2;
    let second = second1 * 10 + second2;
    let zone = i64::from((zone1 * 10 + zone2) * 3600 + (zone3 * 10 + zone4) * 60);
    let offset = match sign {
        b'+' => zone,
        b'-' => -zone,
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let minute_secs = (days * 24 + i64::from(hour)) * 60 * 60 + i64::from(minute) * 60;
    let minute_ms = (minute_secs - offset) * 1000;
    cache.minute_key = minute_key;
    cache.minute_ms = minute_ms;
    cache.minute_valid = true;
    Some(minute_ms + i64::from(second) * 1000)
}

/// Parses the Common Log Format time `10/Oct/2000:13:55:36 -0700` (the brackets already
/// removed) into milliseconds since the epoch.
pub(crate) fn parse_clf_time(text: &str) -> Option<i64> {
    match <&[u8; CLF_TIME_LEN]>::try_from(text.as_bytes())
        .ok()
        .and_then(parse_clf_time_fixed)
    {
        Some(ms) => Some(ms),
        None => parse_clf_time_any_shape(text),
    }
}

/// [`parse_clf_time`] for every shape it takes: a fraction of a second, a zone written `Z`,
/// `±hh`, `±hh:mm` or `±hhmm`, or no zone (UTC).
fn parse_clf_time_any_shape(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let day = digits::<2>(bytes, 0)?;
    if bytes.get(2) != Some(&b'/') || bytes.get(6) != Some(&b'/') || bytes.get(11) != Some(&b':') {
        return None;
    }
    let month = month_from_abbr(bytes.get(3..6)?)?;
    let year = digits::<4>(bytes, 7)?;
    let hour = digits::<2>(bytes, 12)?;
    let minute = digits::<2>(bytes, 15)?;
    let second = digits::<2>(bytes, 18)?;
    let mut i = 20;
    let mut millis = 0;
    if bytes.get(i) == Some(&b'.') {
        let (ms, used) = fraction_ms(bytes, i + 1);
        millis = ms;
        i += 1 + used;
    }
    let offset = if bytes.get(i) == Some(&b' ') {
        let (offset, used) = zone_offset(bytes, i + 1)?;
        if i + 1 + used != bytes.len() {
            return None;
        }
        offset
    } else if i == bytes.len() {
        0
    } else {
        return None;
    };
    let ms = civil_ms(i64::from(year), month, day, hour, minute, second, millis)?;
    Some(ms - offset * 1000)
}

// ---------------------------------------------------------------------------------------------
// Addresses.

/// Parses a dotted-quad IPv4 address without the general parser (the common case on hot
/// paths); `None` for anything else.
pub(crate) fn parse_ipv4(text: &str) -> Option<std::net::Ipv4Addr> {
    match ipv4_prefix(text.as_bytes()) {
        Some((ip, len)) if len == text.len() => Some(ip),
        _ => None,
    }
}

/// Reads a dotted-quad IPv4 address (four groups of one to three digits, each at most 255,
/// separated by dots) at the start of `bytes`: the address and the bytes it took. The caller
/// decides what may follow.
///
/// With sixteen bytes or more to read (an address inside a line: enough for the longest
/// address and the byte after it), no branch depends on the digits: the sixteen bytes are
/// copied at once, every group reads three bytes, and its length and value are selected
/// arithmetically. A branch per digit mispredicted whenever an octet's length differed from
/// the last address's (random client addresses: once or twice a line). A shorter input (a
/// field already cut out) is read a digit at a time, where the copy would cost a `memcpy`
/// call.
#[inline]
pub(crate) fn ipv4_prefix(bytes: &[u8]) -> Option<(std::net::Ipv4Addr, usize)> {
    match bytes.first_chunk::<IPV4_WINDOW>() {
        Some(window) => ipv4_prefix_window(window),
        None => ipv4_prefix_short(bytes),
    }
}

/// The bytes [`ipv4_prefix_window`] reads: the longest address, `255.255.255.255`, and the
/// byte after it.
const IPV4_WINDOW: usize = 16;

/// [`ipv4_prefix`] over a window of sixteen bytes, without a branch per digit.
///
/// Kept out of line (as the compiler chose for it before [`ipv4_prefix_window_inline`] was
/// split off): inlined into `parse_ipv4`, it cost the Envoy parser instructions.
#[inline(never)]
fn ipv4_prefix_window(window: &[u8; IPV4_WINDOW]) -> Option<(std::net::Ipv4Addr, usize)> {
    ipv4_prefix_window_inline(window)
}

/// [`ipv4_prefix_window`] inlined into the caller: for [`ipv4_exact_at`] (the web access and
/// auth.log fast paths save the call); other callers keep the call.
#[inline(always)]
fn ipv4_prefix_window_inline(window: &[u8; IPV4_WINDOW]) -> Option<(std::net::Ipv4Addr, usize)> {
    // Two bytes of padding (non-digits) for the reads past the last group.
    let mut buf = [0xFFu8; IPV4_WINDOW + 2];
    buf.get_mut(..IPV4_WINDOW)?.copy_from_slice(window);
    // The value of the digit at `at`; 10 or more for anything else.
    let digit = |at: usize| u32::from(buf.get(at).map_or(0xFF, |b| b.wrapping_sub(b'0')));
    let mut octets = [0u8; 4];
    let mut pos = 0;
    for (i, slot) in octets.iter_mut().enumerate() {
        if i > 0 {
            if buf.get(pos) != Some(&b'.') {
                return None;
            }
            pos += 1;
        }
        let first = digit(pos);
        if first > 9 {
            return None;
        }
        let (second, third) = (digit(pos + 1), digit(pos + 2));
        let has_second = second <= 9;
        let has_third = has_second & (third <= 9);
        let two = first * 10 + second;
        let value = if has_third {
            two * 10 + third
        } else if has_second {
            two
        } else {
            first
        };
        pos += 1 + usize::from(has_second) + usize::from(has_third);
        *slot = u8::try_from(value).ok()?;
    }
    // A fourth digit (`1.2.3.4567`) or a fifth group is not a dotted quad.
    if digit(pos) <= 9 {
        return None;
    }
    Some((std::net::Ipv4Addr::from(octets), pos))
}

/// [`ipv4_prefix`] over fewer than sixteen bytes, a digit at a time (one unrolled pass).
#[inline]
fn ipv4_prefix_short(bytes: &[u8]) -> Option<(std::net::Ipv4Addr, usize)> {
    let digit_at = |at: usize| match bytes.get(at) {
        Some(b @ b'0'..=b'9') => Some(u32::from(b - b'0')),
        _ => None,
    };
    let mut octets = [0u8; 4];
    let mut pos = 0;
    for (i, slot) in octets.iter_mut().enumerate() {
        if i > 0 {
            if bytes.get(pos) != Some(&b'.') {
                return None;
            }
            pos += 1;
        }
        let mut value = digit_at(pos)?;
        pos += 1;
        if let Some(d) = digit_at(pos) {
            value = value * 10 + d;
            pos += 1;
            if let Some(d) = digit_at(pos) {
                value = value * 10 + d;
                pos += 1;
            }
        }
        *slot = u8::try_from(value).ok()?;
    }
    // A fourth digit (`1.2.3.4567`) or a fifth group is not a dotted quad.
    if digit_at(pos).is_some() {
        return None;
    }
    Some((std::net::Ipv4Addr::from(octets), pos))
}

/// The dotted-quad IPv4 address at the start of `bytes` that takes exactly `len` bytes, as
/// [`parse_ipv4`] reads the first `len` bytes when the byte after them (if any) is not a digit
/// or a dot that continues the address. For a parser that knows where a field ends within
/// the line: the address is read from the line, sixteen bytes at once.
#[inline(always)]
pub(crate) fn ipv4_exact_at(bytes: &[u8], len: usize) -> Option<std::net::Ipv4Addr> {
    let prefix = match bytes.first_chunk::<IPV4_WINDOW>() {
        Some(window) => ipv4_prefix_window_inline(window),
        None => ipv4_prefix_short(bytes),
    };
    match prefix {
        Some((ip, taken)) if taken == len => Some(ip),
        _ => None,
    }
}

/// Parses an IP address, also in `[v6]` form.
pub(crate) fn parse_ip(text: &str) -> Option<IpAddr> {
    if let Some(v4) = parse_ipv4(text) {
        return Some(IpAddr::V4(v4));
    }
    let text = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    if text.len() < 2 || text.len() > 45 || !text.contains(':') {
        return None;
    }
    text.parse().ok()
}

/// Splits `ip:port`, `[v6]:port`, a bare address or a `tcp://`-style URL into an address and a
/// port; either may be missing.
pub(crate) fn split_host_port(text: &str) -> (Option<IpAddr>, Option<u16>) {
    // The common case, `a.b.c.d` or `a.b.c.d:port` with a decimal port, read in one pass; it
    // gives what the general split below gives for those shapes.
    let bytes = text.as_bytes();
    if let Some((ip, len)) = ipv4_prefix(bytes) {
        match bytes.get(len) {
            None => return (Some(IpAddr::V4(ip)), None),
            Some(b':') => {
                let port = bytes.get(len + 1..).unwrap_or(&[]);
                if !port.is_empty() && port.len() <= 5 && port.iter().all(u8::is_ascii_digit) {
                    let port = port.iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
                    return (Some(IpAddr::V4(ip)), u16::try_from(port).ok());
                }
            }
            Some(_) => {}
        }
    }
    let text = after_scheme(text).unwrap_or(text);
    let bytes = text.as_bytes();
    let colons = bytes.iter().filter(|b| **b == b':').count();
    let split = |at: usize| -> (Option<IpAddr>, Option<u16>) {
        let host = text.get(..at).unwrap_or("");
        let port = text.get(at + 1..).unwrap_or("");
        (parse_ip(host), port.parse().ok())
    };
    match (bytes.first(), colons) {
        (Some(b'['), _) => match text.rfind("]:") {
            Some(close) => split(close + 1),
            None => (parse_ip(text), None),
        },
        (_, 1) => split(text.find(':').unwrap_or(0)),
        _ => (parse_ip(text), None),
    }
}

/// An endpoint with the address and port of `text` (see [`split_host_port`]); `None` if
/// neither parses.
pub(crate) fn endpoint_from_host_port<'a>(text: &str) -> Option<Endpoint<'a>> {
    let (ip, port) = split_host_port(text);
    if ip.is_none() && port.is_none() {
        return None;
    }
    Some(Endpoint {
        ip,
        port,
        ..Endpoint::default()
    })
}

/// The addresses of a comma-separated `X-Forwarded-For` value that parse (ports dropped).
pub(crate) fn forwarded_ips(text: &str) -> Vec<IpAddr> {
    if memchr::memchr(b',', text.as_bytes()).is_none() {
        // One address (the common case): no splitting.
        let part = text.trim();
        return parse_ip(part)
            .or_else(|| split_host_port(part).0)
            .map_or_else(Vec::new, |ip| vec![ip]);
    }
    text.split(',')
        .filter_map(|part| {
            let part = part.trim();
            parse_ip(part).or_else(|| split_host_port(part).0)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// URLs.

/// Splits a request target into path and query string (without the `?`), both borrowed.
pub(crate) fn split_query(target: &str) -> (&str, Option<&str>) {
    match byte_index(target.as_bytes(), b'?') {
        Some(i) => (
            target.get(..i).unwrap_or(""),
            target.get(i + 1..).filter(|q| !q.is_empty()),
        ),
        None => (target, None),
    }
}

/// The length of the scheme of a text that starts with `scheme://` (RFC 3986: a letter, then
/// letters, digits, `+`, `-`, `.`), or `None`. A byte scan from the start: no substring search
/// runs over the text (request targets and addresses are parsed on every line).
fn scheme_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let len = bytes
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))?;
    (bytes.get(len..len + 3) == Some(b"://")).then_some(len)
}

/// The text after a leading `scheme://`, if there is one.
fn after_scheme(text: &str) -> Option<&str> {
    scheme_len(text).and_then(|len| text.get(len + 3..))
}

/// The parts of an absolute URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AbsoluteUrl<'a> {
    pub(crate) scheme: &'a str,
    pub(crate) host: &'a str,
    pub(crate) port: Option<u16>,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
}

/// Splits an absolute URL `scheme://host[:port]/path?query` (ALB logs the full URL).
/// Only a URL that starts with a scheme (RFC 3986: a letter, then letters, digits, `+`, `-`,
/// `.`) is absolute; an origin-form target such as `/preview?src=http://host/` is not, even
/// though `://` occurs in it. Always inlined: as a call it cost the web access path
/// instructions.
#[inline(always)]
pub(crate) fn split_absolute_url(url: &str) -> Option<AbsoluteUrl<'_>> {
    let sep = scheme_len(url)?;
    let scheme = url.get(..sep)?;
    let rest = url.get(sep + 3..)?;
    let path_start = memchr::memchr2(b'/', b'?', rest.as_bytes()).unwrap_or(rest.len());
    let authority = rest.get(..path_start)?;
    let target = rest.get(path_start..)?;
    let (host, port) = if authority.starts_with('[') {
        match authority.find("]:") {
            Some(i) => (authority.get(..=i)?, authority.get(i + 2..)?.parse().ok()),
            None => (authority, None),
        }
    } else {
        match authority.rfind(':') {
            Some(i) => (authority.get(..i)?, authority.get(i + 1..)?.parse().ok()),
            None => (authority, None),
        }
    };
    let (path, query) = split_query(target);
    Some(AbsoluteUrl {
        scheme,
        host,
        port,
        path,
        query,
    })
}

// ---------------------------------------------------------------------------------------------
// The `unmapped` object.

/// Builds the `unmapped` object of a text record: named fields, in record order, values borrowed
/// from the line. Absent values (`-`) are left out, so a rule sees them as missing.
#[derive(Debug, Default)]
pub(crate) struct Unmapped<'a> {
    members: Vec<(Cow<'a, str>, JsonValue<'a>)>,
}

impl<'a> Unmapped<'a> {
    /// An empty object with room for `capacity` members.
    pub(crate) fn with_capacity(capacity: usize) -> Unmapped<'a> {
        Unmapped {
            members: Vec::with_capacity(capacity),
        }
    }

    /// Adds a string field unless it is absent (`-` or empty).
    #[inline]
    pub(crate) fn str(&mut self, name: &'static str, value: &'a str) {
        if absent(value).is_some() {
            self.push_with(|| (Cow::Borrowed(name), JsonValue::String(Cow::Borrowed(value))));
        }
    }

    /// Adds a string field the caller found present (neither `-` nor empty).
    #[inline]
    pub(crate) fn present(&mut self, name: &'static str, value: &'a str) {
        self.push_with(|| (Cow::Borrowed(name), JsonValue::String(Cow::Borrowed(value))));
    }

    /// The object of `N` string fields, all present, in one allocation of exactly their size:
    /// the members are written straight into the vector, in order, with no test of the room
    /// left per member (a zip of two slices has a known length).
    pub(crate) fn all_present<const N: usize>(
        names: &[&'static str; N],
        values: &[&'a str; N],
    ) -> Unmapped<'a> {
        let mut members = Vec::with_capacity(N);
        members.extend(names.iter().zip(values).map(|(name, value)| {
            (
                Cow::Borrowed(*name),
                JsonValue::String(Cow::Borrowed(*value)),
            )
        }));
        Unmapped { members }
    }

    /// Adds an optional string field.
    #[inline]
    pub(crate) fn opt(&mut self, name: &'static str, value: Option<&'a str>) {
        if let Some(value) = value {
            self.str(name, value);
        }
    }

    /// Adds a string field whose name borrows from the line (custom formats, JSON keys).
    #[inline]
    pub(crate) fn named(&mut self, name: Cow<'a, str>, value: &'a str) {
        if absent(value).is_some() {
            self.push_with(|| (name, JsonValue::String(Cow::Borrowed(value))));
        }
    }

    /// Appends the member `make` builds, building it only after room is made.
    ///
    /// `Vec::push(member)` builds the member first and keeps it on the stack across the
    /// possible growth of the vector, then copies it over with wide loads that straddle the
    /// narrow stores that just built it: a store-forwarding stall on every field of every
    /// record (a tenth of the time of a VPC flow record). `resize_with` makes room first and
    /// then writes the member straight into the vector.
    #[inline]
    fn push_with(&mut self, make: impl FnOnce() -> (Cow<'a, str>, JsonValue<'a>)) {
        let mut make = Some(make);
        let len = self.members.len();
        self.members.resize_with(len + 1, || match make.take() {
            Some(make) => make(),
            None => (Cow::Borrowed(""), JsonValue::Null),
        });
    }

    /// Adds an integer field.
    pub(crate) fn int(&mut self, name: &'static str, value: i64) {
        self.members.push((
            Cow::Borrowed(name),
            JsonValue::Number(JsonNumber::Int(value)),
        ));
    }

    /// Adds a boolean field.
    pub(crate) fn bool(&mut self, name: &'static str, value: bool) {
        self.members
            .push((Cow::Borrowed(name), JsonValue::Bool(value)));
    }

    /// Adds any value.
    pub(crate) fn value(&mut self, name: Cow<'a, str>, value: JsonValue<'a>) {
        self.members.push((name, value));
    }

    /// The number of members.
    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }

    /// The finished object.
    pub(crate) fn build(self) -> JsonValue<'a> {
        JsonValue::Object(self.members)
    }

    /// Stores the finished object in `slot` (an event's `unmapped`) as `Some(self.build())`
    /// does, but the vector moves field by field into an object already in place: a whole
    /// `JsonValue` built on the stack and copied was read back with wide loads that straddled
    /// the vector's narrow stores (a store-forwarding stall on every record).
    #[inline(always)]
    pub(crate) fn store_in(self, slot: &mut Option<JsonValue<'a>>) {
        match slot.insert(JsonValue::Object(Vec::new())) {
            JsonValue::Object(members) => *members = self.members,
            other => *other = JsonValue::Object(self.members),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<(&str, Delim)> {
        Tokens::new(line).map(|t| (t.text, t.delim)).collect()
    }

    #[test]
    fn block_searches_agree_with_a_byte_search_at_every_length_and_start() {
        // Separators, quotes and backslashes at irregular offsets, so every block and tail
        // position (and the shifted last block) is tried.
        let text: Vec<u8> = (0..70u8)
            .map(|i| match (i % 11, i % 13, i % 17) {
                (3, _, _) => b' ',
                (_, 5, _) => b'\t',
                (_, _, 7) => b'"',
                (_, _, 9) => b'\\',
                _ => b'a' + i % 26,
            })
            .collect();
        let naive = |bytes: &[u8], from: usize, is: &dyn Fn(u8) -> bool| {
            bytes
                .get(from..)
                .and_then(|tail| tail.iter().position(|&b| is(b)))
                .map_or(bytes.len().max(from), |i| from + i)
        };
        for len in 0..=text.len() {
            let bytes = &text[..len];
            for from in 0..=len + 1 {
                assert_eq!(
                    separator_at(bytes, from, false),
                    naive(bytes, from, &|b| b == b' '),
                    "{len} {from}"
                );
                assert_eq!(
                    separator_at(bytes, from, true),
                    naive(bytes, from, &|b| b == b' ' || b == b'\t'),
                    "{len} {from}"
                );
                assert_eq!(
                    quote_or_backslash(bytes, from),
                    naive(bytes, from, &|b| b == b'"' || b == b'\\'),
                    "{len} {from}"
                );
            }
        }
    }

    #[test]
    fn bracketed_addresses_are_bare_tokens_and_other_brackets_are_groups() {
        assert_eq!(
            texts("[2001:db8::1]:443 [14/Nov/2023:10:00:00 +0000] [1.2.3.4]:80 [ab]"),
            vec![
                ("[2001:db8::1]:443", Delim::Bare),
                ("14/Nov/2023:10:00:00 +0000", Delim::Bracketed),
                ("[1.2.3.4]:80", Delim::Bare),
                ("ab", Delim::Bracketed),
            ]
        );
    }

    #[test]
    fn host_port_fast_path_agrees_with_the_general_split() {
        let v4 = |a: u8, b: u8, c: u8, d: u8| Some(IpAddr::from([a, b, c, d]));
        let cases: [(&str, Option<IpAddr>, Option<u16>); 13] = [
            ("10.0.0.1:8080", v4(10, 0, 0, 1), Some(8080)),
            ("10.0.0.1", v4(10, 0, 0, 1), None),
            ("10.0.0.1:99999", v4(10, 0, 0, 1), None),
            ("10.0.0.1:", v4(10, 0, 0, 1), None),
            ("10.0.0.1:80:90", None, None),
            ("1.2.3.4567", None, None),
            ("256.1.1.1:80", None, Some(80)),
            ("1.2.3.4.5:80", None, Some(80)),
            ("010.1.1.1:80", v4(10, 1, 1, 1), Some(80)),
            ("tcp://10.0.2.1:80", v4(10, 0, 2, 1), Some(80)),
            ("1.2.3.4:+80", v4(1, 2, 3, 4), Some(80)),
            ("[::1]:443", Some("::1".parse().unwrap()), Some(443)),
            ("1.2..4:80", None, Some(80)),
        ];
        for (text, ip, port) in cases {
            assert_eq!(split_host_port(text), (ip, port), "{text}");
        }
        assert_eq!(parse_ip("1.2.3.04"), v4(1, 2, 3, 4));
        assert_eq!(parse_ip("1.2.3"), None);
        assert_eq!(parse_ip("1.2.3.4 "), None);
        assert_eq!(
            forwarded_ips(" 203.0.113.9 "),
            vec!["203.0.113.9".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(
            forwarded_ips("203.0.113.9, 10.0.0.1:80"),
            vec![v4(203, 0, 113, 9).unwrap(), v4(10, 0, 0, 1).unwrap()]
        );
        assert!(forwarded_ips("unknown").is_empty());
    }

    #[test]
    fn separator_scans_find_the_first_separator() {
        let texts = [
            "",
            " ",
            "a",
            "abcdefgh",
            "abcdefgh ",
            "abcdefghi j",
            "a\tb c",
            "0123456789abcdef0123456789 x",
            "\u{80}\u{80}\u{ff} \t",
            "\x01\x01\x01\x01\x01\x01\x01\x01\x01 ",
            "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!! x",
        ];
        for text in texts {
            let bytes = text.as_bytes();
            for from in 0..=bytes.len() {
                let find = |tabs: bool| {
                    bytes[from..]
                        .iter()
                        .position(|&b| b == b' ' || (tabs && b == b'\t'))
                        .map_or(bytes.len(), |i| from + i)
                };
                assert_eq!(
                    separator_at(bytes, from, true),
                    find(true),
                    "{text:?} {from}"
                );
                assert_eq!(
                    separator_at(bytes, from, false),
                    find(false),
                    "{text:?} {from}"
                );
            }
            for needle in [b'?', b' ', b'\t'] {
                assert_eq!(
                    byte_index(bytes, needle),
                    bytes.iter().position(|&b| b == needle),
                    "{text:?} {needle}"
                );
            }
        }
        assert_eq!(byte_index(b"/a/b/c/d/e/f?x=1", b'?'), Some(12));
        assert_eq!(byte_index(b"/p?", b'?'), Some(2));
        // Bytes one away from the needle (a borrow in the word trick) are not matches.
        assert_eq!(byte_index(b">>>>>>>>@@>@?", b'?'), Some(12));
        assert_eq!(byte_index(b">@>@>@>@?", b'?'), Some(8));
        assert_eq!(byte_index(b"/path/without/query", b'?'), None);
    }

    #[test]
    fn month_from_abbr_fast_matches_month_from_abbr() {
        // Every printable ASCII triple, and the bytes around the case bit.
        let bytes: Vec<u8> = (0x20..0x7F).chain([0x00, 0x80, 0xC1, 0xE1, 0xFF]).collect();
        for &a in &bytes {
            for &b in &bytes {
                for &c in &bytes {
                    assert_eq!(
                        month_from_abbr_fast(a, b, c),
                        month_from_abbr(&[a, b, c]),
                        "{a:#x} {b:#x} {c:#x}"
                    );
                }
            }
        }
        assert_eq!(month_from_abbr_fast(b'S', b'e', b'P'), Some(9));
    }

    #[test]
    fn spaced_searches_match_std() {
        let texts = [
            "",
            " ",
            "for",
            " for ",
            "Accepted publickey for deploy from 203.0.48.110 port 32041 ssh2",
            "a from  from b from c",
            "x  for  for ",
            "é for ü from ö port 1",
            "user from",
            "from x",
        ];
        for text in texts {
            for needle in [" for ", " from ", " port ", " : ", "  ", " ", "from"] {
                assert_eq!(
                    find_spaced(text, needle),
                    text.find(needle),
                    "{text:?} {needle:?}"
                );
                assert_eq!(
                    rfind_spaced(text, needle),
                    text.rfind(needle),
                    "{text:?} {needle:?}"
                );
                assert_eq!(
                    split_once_spaced(text, needle),
                    text.split_once(needle),
                    "{text:?} {needle:?}"
                );
            }
        }
    }

    #[test]
    fn split3_spaces_matches_splitn() {
        for text in [
            "",
            " ",
            "  ",
            "GET",
            "GET /",
            "GET / HTTP/1.1",
            "GET /a b HTTP/1.1",
            "GET  /",
            "a b c d e",
            " lead",
            "trail ",
            "é ü ö",
        ] {
            let mut parts = text.splitn(3, ' ');
            let expected = (parts.next().unwrap_or(""), parts.next(), parts.next());
            assert_eq!(split3_spaces(text), expected, "{text:?}");
        }
        assert_eq!(
            split3_spaces("GET /a b HTTP/1.1"),
            ("GET", Some("/a"), Some("b HTTP/1.1"))
        );
    }

    #[test]
    fn tokens_respect_quotes_and_brackets() {
        assert_eq!(
            texts(r#"a [06/Feb/2019:00:00:38 +0000] "GET / HTTP/1.1" - "x \"y\" z""#),
            vec![
                ("a", Delim::Bare),
                ("06/Feb/2019:00:00:38 +0000", Delim::Bracketed),
                ("GET / HTTP/1.1", Delim::Quoted),
                ("-", Delim::Bare),
                (r#"x \"y\" z"#, Delim::Quoted),
            ]
        );
        // An unescaped quote inside a value does not end it unless a space follows.
        assert_eq!(
            texts(r#""a"b c" d"#),
            vec![(r#"a"b c"#, Delim::Quoted), ("d", Delim::Bare)]
        );
        assert_eq!(texts(r#""open"#), vec![("open", Delim::Quoted)]);
        assert_eq!(
            texts("[fe80::1]:443 [a b]"),
            vec![("[fe80::1]:443", Delim::Bare), ("a b", Delim::Bracketed)]
        );
        assert_eq!(texts("   "), vec![]);
    }

    /// The fixed-width reader and the general one, which must agree.
    fn clf_both(text: &str) -> (Option<i64>, Option<i64>) {
        let fixed = <&[u8; CLF_TIME_LEN]>::try_from(text.as_bytes())
            .ok()
            .and_then(parse_clf_time_fixed);
        (fixed, parse_clf_time_any_shape(text))
    }

    #[test]
    fn clf_fixed_width_times() {
        // Expected values from Python's `calendar.timegm`, not from this code.
        let months = [
            ("Jan", 1_609_459_200_000),
            ("feb", 1_612_137_600_000),
            ("MAR", 1_614_556_800_000),
            ("Apr", 1_617_235_200_000),
            ("May", 1_619_827_200_000),
            ("jUN", 1_622_505_600_000),
            ("Jul", 1_625_097_600_000),
            ("Aug", 1_627_776_000_000),
            ("Sep", 1_630_454_400_000),
            ("Oct", 1_633_046_400_000),
            ("Nov", 1_635_724_800_000),
            ("Dec", 1_638_316_800_000),
        ];
        for (month, ms) in months {
            let text = format!("01/{month}/2021:00:00:00 +0000");
            assert_eq!(clf_both(&text), (Some(ms), Some(ms)), "{text}");
            assert_eq!(parse_clf_time(&text), Some(ms), "{text}");
        }
        let cases = [
            // Leap days: 2024 and 2000 are leap years, 1900 is not (29 Feb 1900 rolls over
            // to 1 March, as the general parser has always done).
            ("29/Feb/2024:23:59:59 +0000", 1_709_251_199_000),
            ("29/Feb/2000:12:00:00 +0000", 951_825_600_000),
            ("29/Feb/1900:00:00:00 +0000", -2_203_891_200_000),
            // A day past the month's end is rolled into the next month, not rejected.
            ("31/Feb/2023:00:00:00 +0000", 1_677_801_600_000),
            ("31/Feb/2024:00:00:00 +0000", 1_709_337_600_000),
            // A leap second is accepted and counted as the next second.
            ("31/Dec/1999:23:59:60 +0000", 946_684_800_000),
            // Zones east and west, with minutes.
            ("05/Nov/2021:10:20:30 +1400", 1_636_057_230_000),
            ("05/Nov/2021:10:20:30 -0930", 1_636_141_830_000),
            ("10/Oct/2000:13:55:36 -0700", 971_211_336_000),
            ("10/oct/2000:13:55:36 +0530", 971_166_336_000),
            // Year zero (a leap year): 719,528 days before 1970.
            ("01/Jan/0000:00:00:00 +0000", -62_167_219_200_000),
        ];
        for (text, ms) in cases {
            assert_eq!(clf_both(text), (Some(ms), Some(ms)), "{text}");
        }
        // Out of range or malformed: both readers refuse.
        for text in [
            "00/Jan/2021:00:00:00 +0000",
            "32/Jan/2021:00:00:00 +0000",
            "10/Foo/2021:00:00:00 +0000",
            "10/J4n/2021:00:00:00 +0000",
            "10/Jan/2021:24:00:00 +0000",
            "10/Jan/2021:23:60:00 +0000",
            "10/Jan/2021:23:59:61 +0000",
            "10/Jan/2021:23:59:59 *0000",
            "10/Jan/2021:23:59:59 +00x0",
            "1x/Jan/2021:23:59:59 +0000",
            "10/Jan/20x1:23:59:59 +0000",
            "10-Jan/2021:23:59:59 +0000",
            "10/Jan/2021 23:59:59 +0000",
            "10/Jan/2021:23:59:59_+0000",
        ] {
            assert_eq!(clf_both(text), (None, None), "{text}");
        }
        // Shapes only the general reader takes.
        assert_eq!(
            clf_both("10/Oct/2000:13-55-36 -0700"),
            (None, Some(971_211_336_000))
        );
        assert_eq!(
            parse_clf_time("10/Oct/2000:13-55-36 -0700"),
            Some(971_211_336_000)
        );
        assert_eq!(
            clf_both("10/Oct/2000:13:55:36 -07"),
            (None, Some(971_211_336_000))
        );
    }

    #[test]
    fn clf_fixed_refuses_a_non_digit_in_every_digit_position() {
        let good = *b"10/Oct/2000:13:55:36 -0700";
        assert_eq!(parse_clf_time_fixed(&good), Some(971_211_336_000));
        let digit_positions = [0, 1, 7, 8, 9, 10, 12, 13, 15, 16, 18, 19, 22, 23, 24, 25];
        for at in digit_positions {
            // Bytes on both sides of the digit range, and ones whose `+ 6` carries.
            for bad in [b'/', b':', b'@', b'x', b'\xFA', b'\xFF'] {
                let mut time = good;
                time[at] = bad;
                assert_eq!(parse_clf_time_fixed(&time), None, "{at} {bad}");
            }
        }
        // A carry out of a non-digit byte never makes a digit out of the next one, and every
        // digit is accepted in every position.
        for at in digit_positions {
            for digit in b'0'..=b'9' {
                let mut time = good;
                time[at] = digit;
                let accepted = parse_clf_time_fixed(&time).is_some();
                let in_range = std::str::from_utf8(&time)
                    .ok()
                    .and_then(parse_clf_time_any_shape)
                    .is_some();
                assert_eq!(accepted, in_range, "{at} {digit}");
            }
        }
    }

    #[test]
    fn digits_ending_at_reads_the_number_before_end() {
        let line = b"GET / HTTP/1.1\" 404 22897";
        assert_eq!(digits_ending_at(line, line.len(), 5), Some(22_897));
        assert_eq!(digits_ending_at(line, line.len(), 1), Some(7));
        assert_eq!(digits_ending_at(line, line.len() - 6, 3), Some(404));
        // The space before the number is not a digit.
        assert_eq!(digits_ending_at(line, line.len(), 6), None);
        assert_eq!(digits_ending_at(b"x 12345678", 10, 8), Some(12_345_678));
        assert_eq!(digits_ending_at(b"x 00000001", 10, 8), Some(1));
        assert_eq!(digits_ending_at(b"x 99999999", 10, 8), Some(99_999_999));
        assert_eq!(digits_ending_at(b"x 123456789", 11, 9), None);
        assert_eq!(digits_ending_at(b"x 1234:678", 10, 8), None);
        assert_eq!(digits_ending_at(b"1234567", 7, 3), None);
        assert_eq!(digits_ending_at(b"xxxxxxx 5", 9, 0), None);
        assert_eq!(
            number_ending_at(b"start 1700000060", 16, 10),
            Some(1_700_000_060)
        );
        assert_eq!(
            number_ending_at(b"1700000060", 10, 10),
            None,
            "too few bytes"
        );
        assert_eq!(number_ending_at(b"start 17000-0060", 16, 10), None);
    }

    proptest::proptest! {
        /// Every digit string of one to eight digits reads as `parse_u64` reads it.
        #[test]
        fn digits_ending_at_matches_parse_u64(prefix in "[ -~]{8}", number in "[0-9/:a]{1,8}") {
            let text = format!("{prefix}{number}");
            proptest::prop_assert_eq!(
                digits_ending_at(text.as_bytes(), text.len(), number.len()),
                parse_u64(&number)
            );
        }

        /// Every digit string of one to sixteen digits (after sixteen other bytes) reads as
        /// `parse_u64` reads it; other strings are refused.
        #[test]
        fn number_ending_at_matches_parse_u64(prefix in "[ -~]{16}", number in "[0-9/:a]{1,16}") {
            let text = format!("{prefix}{number}");
            proptest::prop_assert_eq!(
                number_ending_at(text.as_bytes(), text.len(), number.len()),
                parse_u64(&number)
            );
        }

        /// The word-at-a-time spaced searches find what `str::find` and `str::rfind` find,
        /// at every length and alignment (spaces in the first, middle and last word, `!` bytes
        /// next to spaces, multi-byte characters).
        #[test]
        fn spaced_searches_agree_with_std(text in "[a !fromport:\u{e9}]{0,40}") {
            for needle in [" from ", " port ", " for ", " : ", "  ", " ", " f"] {
                proptest::prop_assert_eq!(find_spaced(&text, needle), text.find(needle));
                proptest::prop_assert_eq!(rfind_spaced(&text, needle), text.rfind(needle));
            }
        }
    }

    #[test]
    fn clf_day_cache_gives_what_a_fresh_parse_gives() {
        let mut cache = ClfDayCache::default();
        let mut cached = |text: &str| {
            let bytes: &[u8; CLF_TIME_LEN] = text.as_bytes().try_into().unwrap();
            parse_clf_time_fixed_cached(bytes, &mut cache)
        };
        // Expected values from Python's `calendar.timegm`.
        assert_eq!(cached("10/Oct/2000:13:55:36 -0700"), Some(971_211_336_000));
        // Same day: from the cache; another time and zone.
        assert_eq!(cached("10/Oct/2000:23:59:59 +0000"), Some(971_222_399_000));
        // An invalid time on the cached day is still refused.
        assert_eq!(cached("10/Oct/2000:24:00:00 +0000"), None);
        // The same day in lower case is another key, and the same day.
        assert_eq!(cached("10/oct/2000:13:55:36 -0700"), Some(971_211_336_000));
        // Another day, then an invalid day, then the previous day again.
        assert_eq!(
            cached("29/Feb/2024:23:59:59 +0000"),
            Some(1_709_251_199_000)
        );
        assert_eq!(cached("32/Feb/2024:23:59:59 +0000"), None);
        assert_eq!(cached("00/Feb/2024:23:59:59 +0000"), None);
        assert_eq!(
            cached("29/Feb/2024:00:00:00 +0000"),
            Some(1_709_164_800_000)
        );
    }

    #[test]
    fn clf_minute_cache_reads_the_seconds_of_a_cached_minute() {
        let mut cache = ClfDayCache::default();
        let mut cached = |text: &str| {
            let bytes: &[u8; CLF_TIME_LEN] = text.as_bytes().try_into().unwrap();
            parse_clf_time_fixed_cached(bytes, &mut cache)
        };
        // Expected values from Python's `calendar.timegm`.
        assert_eq!(cached("10/Oct/2000:13:55:36 -0700"), Some(971_211_336_000));
        // The same minute: only the seconds differ.
        assert_eq!(cached("10/Oct/2000:13:55:00 -0700"), Some(971_211_300_000));
        assert_eq!(cached("10/Oct/2000:13:55:60 -0700"), Some(971_211_360_000));
        // Invalid seconds in the cached minute are refused.
        assert_eq!(cached("10/Oct/2000:13:55:61 -0700"), None);
        assert_eq!(cached("10/Oct/2000:13:55:7a -0700"), None);
        assert_eq!(cached("10/Oct/2000:13:55:/0 -0700"), None);
        // Another zone is another minute.
        assert_eq!(cached("10/Oct/2000:13:55:36 +0000"), Some(971_186_136_000));
        // The next minute, then the cached one again.
        assert_eq!(cached("10/Oct/2000:13:56:00 +0000"), Some(971_186_160_000));
        assert_eq!(cached("10/Oct/2000:13:56:01 +0000"), Some(971_186_161_000));
        // A separator changed around the seconds is no cache hit and is refused.
        assert_eq!(cached("10/Oct/2000:13:56;01 +0000"), None);
        assert_eq!(cached("10/Oct/2000:13:56:01_+0000"), None);
        assert_eq!(cached("10/Oct/2000:13:56:02 +0000"), Some(971_186_162_000));
    }

    #[test]
    fn ipv4_prefixes() {
        // A text and the octets and length read from it.
        type Case<'t> = (&'t str, Option<([u8; 4], usize)>);
        let cases: [Case<'_>; 18] = [
            // Sixteen bytes or more: the branch-free reader.
            ("192.0.3.60 - - [14/Nov", Some(([192, 0, 3, 60], 10))),
            ("001.02.3.004 xxxxxxx", Some(([1, 2, 3, 4], 12))),
            ("1.2.3.256 xxxxxxxxxx", None),
            ("1.2.3.4567 xxxxxxxxx", None),
            // Shorter: the digit-at-a-time reader.
            ("192.0.3.60", Some(([192, 0, 3, 60], 10))),
            ("255.255.255.255", Some(([255, 255, 255, 255], 15))),
            ("255.255.255.255 x", Some(([255, 255, 255, 255], 15))),
            ("0.0.0.0:80", Some(([0, 0, 0, 0], 7))),
            ("001.02.3.004", Some(([1, 2, 3, 4], 12))),
            ("1.2.3.4.5", Some(([1, 2, 3, 4], 7))),
            ("1.2.3.256", None),
            ("1.2.3.4567", None),
            ("1.2.3", None),
            ("1.2.3.", None),
            ("1..2.3", None),
            ("1234.1.1.1", None),
            ("a.b.c.d", None),
            ("", None),
        ];
        for (text, expected) in cases {
            let got = ipv4_prefix(text.as_bytes()).map(|(ip, len)| (ip.octets(), len));
            assert_eq!(got, expected, "{text}");
        }
    }

    #[test]
    fn ipv4_exact_at_reads_addresses_of_the_given_length() {
        let v4 = |a, b, c, d| Some(std::net::Ipv4Addr::new(a, b, c, d));
        let cases = [
            ("192.0.3.60 - - [14/Nov", 10, v4(192, 0, 3, 60)),
            ("255.255.255.255 xxxxxx", 15, v4(255, 255, 255, 255)),
            ("1.2.3.4 xxxxxxxxxxxxxxx", 7, v4(1, 2, 3, 4)),
            ("001.02.3.004 xxxxxxx", 12, v4(1, 2, 3, 4)),
            // A dot may follow; a digit may not.
            ("1.2.3.4.5 xxxxxxxxxxxx", 7, v4(1, 2, 3, 4)),
            ("1.2.3.45 xxxxxxxxxxxxx", 7, None),
            ("1.2.3.4.5 xxxxxxxxxxxx", 9, None),
            ("1.2.3.256 xxxxxxxxxxxx", 9, None),
            ("1.2.3.4567 xxxxxxxxxxx", 10, None),
            ("1234.2.3.4 xxxxxxxxxxx", 10, None),
            ("1..3.4 xxxxxxxxxxxxxxx", 6, None),
            ("1.2..4 xxxxxxxxxxxxxxx", 7, None),
            (".1.2.3 xxxxxxxxxxxxxxx", 7, None),
            ("1.2.3. xxxxxxxxxxxxxxx", 7, None),
            ("1.2.3.a xxxxxxxxxxxxxx", 7, None),
            ("1.2.3.4 xxxxxxxxxxxxxxx", 8, None),
            ("1.2.3.4 xxxxxxxxxxxxxxx", 16, None),
            ("1.2.3.4 xxxxxxxxxxxxxxx", 0, None),
            // Fewer than sixteen bytes: the digit-at-a-time reader.
            ("10.0.0.1", 8, v4(10, 0, 0, 1)),
            ("10.0.0.1", 7, None),
        ];
        for (text, len, expected) in cases {
            assert_eq!(
                ipv4_exact_at(text.as_bytes(), len),
                expected,
                "{text} {len}"
            );
        }
    }

    proptest::proptest! {
        /// The branch-free dotted-quad reader reads what the branching one reads.
        #[test]
        fn ipv4_prefix_matches_the_reference(text in "[0-9.:a ]{0,20}|([0-9]{1,4}\\.){3}[0-9]{1,4}[0-9.: ]{0,3}") {
            proptest::prop_assert_eq!(
                ipv4_prefix(text.as_bytes()),
                ipv4_prefix_short(text.as_bytes()),
                "{}", text
            );
        }

        /// A cache kept across any sequence of times changes no answer.
        #[test]
        fn clf_day_cache_changes_no_answer(
            texts in proptest::collection::vec(
                "(10|11|00|32)/(Jan|feb|Foo)/(2000|2024):[0-2][0-9]:[0-6][0-9]:[0-6][0-9] [-+][0-9]{4}",
                1..12,
            )
        ) {
            let mut cache = ClfDayCache::default();
            for text in &texts {
                let bytes: &[u8; CLF_TIME_LEN] = text.as_bytes().try_into().unwrap();
                proptest::prop_assert_eq!(
                    parse_clf_time_fixed_cached(bytes, &mut cache),
                    parse_clf_time_any_shape(text),
                    "{}", text
                );
            }
        }

        /// A cache kept across times that mostly share their minute (cache hits) changes no
        /// answer either: invalid seconds, another zone or a changed byte anywhere else
        /// are still read as a fresh parse reads them.
        #[test]
        fn clf_minute_cache_changes_no_answer(
            texts in proptest::collection::vec(
                "(10|1x)/(Jan|Foo)/2000:(00|24):(00|60)[:;][0-6][0-9a] [-+]000[05]",
                1..24,
            )
        ) {
            let mut cache = ClfDayCache::default();
            for text in &texts {
                let bytes: &[u8; CLF_TIME_LEN] = text.as_bytes().try_into().unwrap();
                let cached = parse_clf_time_fixed_cached(bytes, &mut cache);
                // What a fresh cache answers (the general reader decides where that is
                // `None`: it does not look at every separator).
                let fresh = parse_clf_time_fixed_cached(bytes, &mut ClfDayCache::default());
                proptest::prop_assert_eq!(cached, fresh, "{}", text);
                if fresh.is_some() {
                    proptest::prop_assert_eq!(fresh, parse_clf_time_any_shape(text), "{}", text);
                }
            }
        }

        /// The eight-byte bracket search finds what the `memchr` one finds.
        #[test]
        fn closing_bracket_agrees(text in "[a \\]\\[\t]{0,40}", from in 0usize..42) {
            let bytes = text.as_bytes();
            proptest::prop_assert_eq!(closing_bracket(bytes, from), closing_bracket_reference(bytes, from));
        }

        /// The eight-byte quote search finds what the `memchr2` one finds.
        #[test]
        fn closing_quote_short_agrees(text in "[a \"\\\\\t]{0,40}", from in 0usize..42) {
            let bytes = text.as_bytes();
            proptest::prop_assert_eq!(closing_quote_short(bytes, from), closing_quote(bytes, from));
        }

        /// Wherever the fixed-width reader answers, the general reader gives the same answer.
        #[test]
        fn clf_fixed_agrees_with_general(
            text in "[0-3x][0-9]/(Jan|feb|MAY|Dec|Foo|j4n)/[0-9]{4}:[0-2][0-9][:x][0-6][0-9][:-][0-6][0-9][ _][-+*][0-9]{2}[0-9:x][0-9]"
        ) {
            let (fixed, general) = clf_both(&text);
            if fixed.is_some() {
                proptest::prop_assert_eq!(fixed, general);
            }
            proptest::prop_assert_eq!(parse_clf_time(&text), general);
        }
    }

    #[test]
    fn times_parse() {
        assert_eq!(
            parse_clf_time("06/Feb/2019:00:00:38 +0000"),
            Some(1_549_411_238_000)
        );
        assert_eq!(
            parse_clf_time("10/Oct/2000:13:55:36 -0700"),
            Some(971_211_336_000)
        );
        assert_eq!(parse_clf_time("10/Foo/2000:13:55:36 -0700"), None);
        assert_eq!(
            parse_clf_time("10/oct/2000:13:55:36 +0530"),
            Some(971_166_336_000)
        );
        assert_eq!(
            parse_clf_time("10/Oct/2000:13:55:36.250 -0700"),
            Some(971_211_336_250)
        );
        assert_eq!(
            parse_clf_time("10/Oct/2000:13:55:36"),
            Some(971_186_136_000)
        );
        assert_eq!(parse_clf_time("1x/Oct/2000:13:55:36 -0700"), None);
        assert_eq!(parse_clf_time("10/Oct/2000:24:55:36 -0700"), None);
        assert_eq!(parse_clf_time("10/Oct/2000:13:55:36 -07x0"), None);
        assert_eq!(
            parse_rfc3339("2018-07-02T22:23:00.186641Z"),
            Some(1_530_570_180_186)
        );
        assert_eq!(
            parse_rfc3339("2023-10-05T11:47:20.799+02:00"),
            Some(1_696_499_240_799)
        );
        assert_eq!(
            parse_rfc3339("2020-04-01T08:51:42"),
            Some(1_585_731_102_000)
        );
        assert_eq!(parse_rfc3339("2020-04-01T08:51:42Zjunk"), None);
        assert_eq!(parse_seconds_ms("0.086"), Some(86));
        assert_eq!(parse_seconds_ms("-1"), None);
        assert_eq!(year_month_of(1_549_411_238_000), (2019, 2));
        assert_eq!(year_month_of(0), (1970, 1));
    }

    #[test]
    fn addresses_split() {
        assert_eq!(
            split_host_port("[fe80::1]:443"),
            (Some("fe80::1".parse().unwrap()), Some(443))
        );
        assert_eq!(
            split_host_port("tcp://10.0.2.1:80"),
            (Some("10.0.2.1".parse().unwrap()), Some(80))
        );
        assert_eq!(
            split_host_port("fd00::1"),
            (Some("fd00::1".parse().unwrap()), None)
        );
        assert_eq!(split_host_port("-"), (None, None));
        assert_eq!(split_host_port("a.b:80"), (None, Some(80)));
        assert_eq!(parse_ip("1.2.3.4"), Some("1.2.3.4".parse().unwrap()));
        assert_eq!(parse_ip("1.2.3.256"), None);
        assert_eq!(parse_ip("1.2.3"), None);
        assert_eq!(parse_ip("1..2.3"), None);
        assert_eq!(parse_ip("[::1]"), Some("::1".parse().unwrap()));
        assert_eq!(forwarded_ips("1.2.3.4, [::1]:5, junk").len(), 2);
        assert_eq!(
            split_absolute_url("https://www.example.com:443/a?b=1"),
            Some(AbsoluteUrl {
                scheme: "https",
                host: "www.example.com",
                port: Some(443),
                path: "/a",
                query: Some("b=1")
            })
        );
        // `://` inside the query of an origin-form target does not make it absolute.
        assert_eq!(
            split_absolute_url("/preview?src=http://metadata.google.internal/x"),
            None
        );
        assert_eq!(split_absolute_url("://host/a"), None);
        assert_eq!(split_absolute_url("1http://host/a"), None);
        assert_eq!(
            split_absolute_url("svn+ssh://host/a").map(|u| (u.scheme, u.host, u.path)),
            Some(("svn+ssh", "host", "/a"))
        );
    }
}
