//! Envoy and Istio access logs.
//!
//! Shapes read, in any mix within one file:
//! - Envoy's default text format and Istio's default text formats (1.1–1.4 with the Mixer
//!   status, 1.5–1.7 with the upstream transport failure reason, 1.8+ with response code
//!   details and connection termination details, route name last). The defaults are read with
//!   a quote-aware tokenizer: the four numbers (bytes received, bytes sent, duration, upstream
//!   service time) followed by five quoted fields anchor the record, whatever sits between the
//!   response flags and them, and whatever trails them.
//! - JSON lines (`json_format`), with Istio's key names or header-style keys (`:authority`,
//!   `user-agent`, `x-request-id`).
//! - A custom `text_format` given in [`ParseOptions::envoy_format`], compiled once into a
//!   sequence of literals and command operators.
//! - TCP entries (`"- - -"`) → Network Activity.
//! - containerd/CRI prefixes (`2023-…Z stdout F `) are stripped first.
//! - Envoy's own application log lines (`[2021-03-12 15:31:30.492][1][warning][runtime] …`)
//!   become Base Events with their message, so nothing in a mixed container log is lost.
//!
//! Field names in `unmapped` are those of Istio's JSON access-log encoding (`start_time`,
//! `method`, `path`, `response_code`, `upstream_host`, …); for JSON lines `unmapped` is the
//! JSON object as logged.

use std::borrow::Cow;

use logsec_event::{
    ConnectionInfo, Endpoint, Event, HttpRequest, HttpResponse, JsonNumber, JsonValue, RawRecord,
    Severity, SourceFormat, Traffic, Url, ocsf,
};

use crate::line::{LineOutcome, LineParser};
use crate::options::ParseOptions;
use crate::text::common::{http_activity, http_status_id};
use crate::text::scan::{
    Delim, Token, TokenArray, Tokens, Unmapped, absent, byte_index, civil_ms, closing_quote_short,
    forwarded_ips, parse_i64, parse_ip, parse_ipv4, parse_rfc3339, separator_at, split_host_port,
    split_query, split3_spaces,
};

/// The known fields, named as in Istio's JSON access-log encoding.
const NAMES: [&str; 25] = [
    "start_time",
    "method",
    "path",
    "protocol",
    "response_code",
    "response_flags",
    "response_code_details",
    "connection_termination_details",
    "upstream_transport_failure_reason",
    "bytes_received",
    "bytes_sent",
    "duration",
    "upstream_service_time",
    "x_forwarded_for",
    "user_agent",
    "request_id",
    "authority",
    "upstream_host",
    "upstream_cluster",
    "upstream_local_address",
    "downstream_local_address",
    "downstream_remote_address",
    "requested_server_name",
    "route_name",
    "mixer_status",
];

const START_TIME: usize = 0;
const METHOD: usize = 1;
const PATH: usize = 2;
const PROTOCOL: usize = 3;
const RESPONSE_CODE: usize = 4;
const RESPONSE_FLAGS: usize = 5;
const RESPONSE_CODE_DETAILS: usize = 6;
const CONNECTION_TERMINATION_DETAILS: usize = 7;
const UPSTREAM_TRANSPORT_FAILURE_REASON: usize = 8;
const BYTES_RECEIVED: usize = 9;
const BYTES_SENT: usize = 10;
const DURATION: usize = 11;
const UPSTREAM_SERVICE_TIME: usize = 12;
const X_FORWARDED_FOR: usize = 13;
const USER_AGENT: usize = 14;
const REQUEST_ID: usize = 15;
const AUTHORITY: usize = 16;
const UPSTREAM_HOST: usize = 17;
const UPSTREAM_CLUSTER: usize = 18;
const UPSTREAM_LOCAL_ADDRESS: usize = 19;
const DOWNSTREAM_LOCAL_ADDRESS: usize = 20;
const DOWNSTREAM_REMOTE_ADDRESS: usize = 21;
const REQUESTED_SERVER_NAME: usize = 22;
const ROUTE_NAME: usize = 23;
const MIXER_STATUS: usize = 24;

/// Istio ≥ 1.8 appends these after the five quoted fields, in this order.
const TRAILING: [usize; 6] = [
    UPSTREAM_CLUSTER,
    UPSTREAM_LOCAL_ADDRESS,
    DOWNSTREAM_LOCAL_ADDRESS,
    DOWNSTREAM_REMOTE_ADDRESS,
    REQUESTED_SERVER_NAME,
    ROUTE_NAME,
];

/// The values of the known fields of one record.
#[derive(Debug, Default)]
struct Access<'a> {
    text: [Option<Cow<'a, str>>; NAMES.len()],
    numbers: [Option<i64>; NAMES.len()],
    /// START_TIME in milliseconds when the reader already parsed it (to check the shape).
    start_ms: Option<i64>,
}

impl<'a> Access<'a> {
    fn set(&mut self, field: usize, value: &'a str) {
        if let (Some(slot), Some(value)) = (self.text.get_mut(field), absent(value)) {
            *slot = Some(Cow::Borrowed(value));
        }
    }

    fn get(&self, field: usize) -> Option<&Cow<'a, str>> {
        self.text.get(field).and_then(Option::as_ref)
    }

    fn take(&mut self, field: usize) -> Option<Cow<'a, str>> {
        self.text.get_mut(field).and_then(Option::take)
    }

    fn number(&self, field: usize) -> Option<i64> {
        self.numbers
            .get(field)
            .copied()
            .flatten()
            .or_else(|| self.get(field).and_then(|text| parse_i64(text)))
    }
}

/// The header-style and other JSON keys that mean a known field.
fn json_key_field(key: &str) -> Option<usize> {
    if let Some(i) = NAMES.iter().position(|name| *name == key) {
        return Some(i);
    }
    Some(match key {
        ":authority" | "authority" => AUTHORITY,
        "user-agent" | "useragent" | "userAgent" => USER_AGENT,
        "x-request-id" | "requestId" => REQUEST_ID,
        "x-forwarded-for" | "xForwardedFor" => X_FORWARDED_FOR,
        "x-envoy-origin-path" | "x-envoy-original-path" | ":path" => PATH,
        ":method" => METHOD,
        "x-envoy-upstream-service-time" => UPSTREAM_SERVICE_TIME,
        "status" | "responseCode" => RESPONSE_CODE,
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Custom text_format.

/// One piece of a compiled `text_format`.
#[derive(Debug, Clone)]
enum Piece {
    /// Text that must appear verbatim, with a searcher for it built once (a `str::find` would
    /// build one per operator per line).
    Literal(String, Box<memchr::memmem::Finder<'static>>),
    /// A command operator: a known field, or another operator kept under its own name
    /// (interned, see [`intern_operator_name`], so no record copies it).
    Operator {
        field: Option<usize>,
        name: Cow<'static, str>,
        /// The `unmapped` name of `field` (from [`NAMES`]), looked up once here.
        field_name: &'static str,
    },
}

/// An Envoy `text_format` compiled into literals and operators.
#[derive(Debug, Clone)]
pub(crate) struct CompiledFormat {
    pieces: Vec<Piece>,
    /// The number of operators among the pieces.
    operators: usize,
}

impl CompiledFormat {
    /// Compiles an Envoy format string (`[%START_TIME%] "%REQ(:METHOD)% …"`). Errors name the
    /// offending byte offset.
    pub(crate) fn compile(format: &str) -> Result<CompiledFormat, String> {
        let format = format
            .trim_end_matches('\n')
            .trim_end_matches("\\n")
            .trim_end_matches('\n');
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut rest = format;
        let mut offset = 0;
        while let Some(start) = rest.find('%') {
            literal.push_str(rest.get(..start).unwrap_or(""));
            let after = rest.get(start + 1..).unwrap_or("");
            let Some(end) = after.find('%') else {
                return Err(format!(
                    "unterminated command operator at byte {}",
                    offset + start
                ));
            };
            let operator = after.get(..end).unwrap_or("");
            if operator.is_empty() {
                // `%%` is a literal percent sign.
                literal.push('%');
            } else {
                if !literal.is_empty() {
                    pieces.push(literal_piece(std::mem::take(&mut literal)));
                }
                if matches!(pieces.last(), Some(Piece::Operator { .. })) {
                    return Err(format!(
                        "operators at byte {} follow each other with no text between them; \
                         such a format cannot be split",
                        offset + start
                    ));
                }
                pieces.push(operator_piece(operator));
            }
            let consumed = start + 1 + end + 1;
            offset += consumed;
            rest = rest.get(consumed..).unwrap_or("");
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            pieces.push(literal_piece(literal));
        }
        let operators = pieces
            .iter()
            .filter(|p| matches!(p, Piece::Operator { .. }))
            .count();
        if operators == 0 {
            return Err("the format has no command operator".to_owned());
        }
        Ok(CompiledFormat { pieces, operators })
    }

    /// Matches a line against the format, filling `access` and `unmapped`.
    fn apply<'a>(
        &self,
        line: &'a str,
        access: &mut Access<'a>,
        unmapped: &mut Unmapped<'a>,
    ) -> Result<(), String> {
        let mut pos = 0;
        let mut pieces = self.pieces.iter();
        while let Some(piece) = pieces.next() {
            let rest = line.get(pos..).unwrap_or("");
            match piece {
                Piece::Literal(text, _) => {
                    if !has_prefix(rest.as_bytes(), text.as_bytes()) {
                        return Err(format!(
                            "line does not match the envoy_format: expected {text:?} at byte {pos}"
                        ));
                    }
                    pos += text.len();
                }
                Piece::Operator {
                    field,
                    name,
                    field_name,
                } => {
                    // The literal after an operator is where the search found it: it is
                    // taken with the value, not compared again as the next piece.
                    let (end, literal_len) = match pieces.as_slice().first() {
                        Some(Piece::Literal(next, finder)) => {
                            let end = find_literal(rest.as_bytes(), next.as_bytes(), finder).ok_or_else(|| {
                                format!(
                                    "line does not match the envoy_format: {next:?} not found after byte {pos}"
                                )
                            })?;
                            pieces.next();
                            (end, next.len())
                        }
                        _ => (rest.len(), 0),
                    };
                    let value = rest.get(..end).unwrap_or("");
                    match field {
                        Some(field) => {
                            access.set(*field, value);
                            unmapped.str(field_name, value);
                        }
                        None => unmapped.named(name.clone(), value),
                    }
                    pos += end + literal_len;
                }
            }
        }
        Ok(())
    }
}

/// The longest literal [`find_literal`] searches itself; longer ones go to the searcher.
const SHORT_LITERAL_MAX: usize = 16;

/// The first occurrence of `literal` in `text`, as `finder` (built for it) finds it. The
/// literals between operators are a few bytes and the values a few dozen: the first byte is
/// searched eight bytes at a time and the rest compared, where a call into the searcher cost
/// more than it saved; long literals go to the searcher.
#[inline(always)]
fn find_literal(text: &[u8], literal: &[u8], finder: &memchr::memmem::Finder<'_>) -> Option<usize> {
    let (Some(&first), true) = (literal.first(), literal.len() <= SHORT_LITERAL_MAX) else {
        return finder.find(text);
    };
    let mut from = 0;
    loop {
        let at = from + byte_index(text.get(from..)?, first)?;
        if has_prefix(text.get(at..)?, literal) {
            return Some(at);
        }
        from = at + 1;
    }
}

/// Whether `text` starts with `literal`: short literals byte by byte, where the `memcmp` call
/// of `starts_with` cost more than the comparison.
#[inline(always)]
fn has_prefix(text: &[u8], literal: &[u8]) -> bool {
    if literal.len() > 8 {
        return text.starts_with(literal);
    }
    text.len() >= literal.len() && literal.iter().zip(text).all(|(a, b)| a == b)
}

/// The piece for a literal.
fn literal_piece(text: String) -> Piece {
    let finder = Box::new(memchr::memmem::Finder::new(text.as_bytes()).into_owned());
    Piece::Literal(text, finder)
}

/// The piece for one command operator (`REQ(X-REQUEST-ID)`, `START_TIME(%s)`, `REQ(:PATH):64`).
fn operator_piece(operator: &str) -> Piece {
    let (head, arg) = match operator.find('(') {
        Some(i) => (
            operator.get(..i).unwrap_or(""),
            operator
                .get(i + 1..)
                .and_then(|a| a.rfind(')').and_then(|j| a.get(..j)))
                .unwrap_or(""),
        ),
        None => (operator, ""),
    };
    let arg_upper = arg.to_ascii_uppercase();
    let field = match (head, arg_upper.as_str()) {
        ("START_TIME", _) => Some(START_TIME),
        ("REQ", ":METHOD") => Some(METHOD),
        ("REQ", p) if p.ends_with(":PATH") || p == "X-ENVOY-ORIGINAL-PATH" => Some(PATH),
        ("PROTOCOL", _) => Some(PROTOCOL),
        ("RESPONSE_CODE", _) => Some(RESPONSE_CODE),
        ("RESPONSE_FLAGS", _) => Some(RESPONSE_FLAGS),
        ("RESPONSE_CODE_DETAILS", _) => Some(RESPONSE_CODE_DETAILS),
        ("CONNECTION_TERMINATION_DETAILS", _) => Some(CONNECTION_TERMINATION_DETAILS),
        ("UPSTREAM_TRANSPORT_FAILURE_REASON", _) => Some(UPSTREAM_TRANSPORT_FAILURE_REASON),
        ("BYTES_RECEIVED", _) => Some(BYTES_RECEIVED),
        ("BYTES_SENT", _) => Some(BYTES_SENT),
        ("DURATION", _) => Some(DURATION),
        ("RESP", "X-ENVOY-UPSTREAM-SERVICE-TIME") => Some(UPSTREAM_SERVICE_TIME),
        ("REQ", "X-FORWARDED-FOR") => Some(X_FORWARDED_FOR),
        ("REQ", "USER-AGENT") => Some(USER_AGENT),
        ("REQ", "X-REQUEST-ID") => Some(REQUEST_ID),
        ("REQ", ":AUTHORITY") | ("REQ", "HOST") => Some(AUTHORITY),
        ("UPSTREAM_HOST", _) => Some(UPSTREAM_HOST),
        ("UPSTREAM_CLUSTER", _) => Some(UPSTREAM_CLUSTER),
        ("UPSTREAM_LOCAL_ADDRESS", _) => Some(UPSTREAM_LOCAL_ADDRESS),
        ("DOWNSTREAM_LOCAL_ADDRESS", _) => Some(DOWNSTREAM_LOCAL_ADDRESS),
        ("DOWNSTREAM_REMOTE_ADDRESS", _) | ("DOWNSTREAM_DIRECT_REMOTE_ADDRESS", _) => {
            Some(DOWNSTREAM_REMOTE_ADDRESS)
        }
        ("REQUESTED_SERVER_NAME", _) => Some(REQUESTED_SERVER_NAME),
        ("ROUTE_NAME", _) => Some(ROUTE_NAME),
        _ => None,
    };
    let name = if arg.is_empty() || head == "START_TIME" {
        head.to_ascii_lowercase()
    } else {
        let header = arg
            .split('?')
            .next()
            .unwrap_or("")
            .trim_start_matches(':')
            .to_ascii_lowercase()
            .replace('-', "_");
        format!("{}_{header}", head.to_ascii_lowercase())
    };
    Piece::Operator {
        field,
        name: intern_operator_name(name),
        field_name: field.and_then(|f| NAMES.get(f)).copied().unwrap_or(""),
    }
}

/// The most operator names [`intern_operator_name`] keeps.
const INTERNED_NAMES_MAX: usize = 1024;

/// The name of an operator kept under its own name, made `'static` once so that every record's
/// `unmapped` borrows it (a copy per record was an allocation, a copy and a free). The names
/// of every format compiled in the process are kept, each once; past
/// [`INTERNED_NAMES_MAX`] distinct names (formats built from untrusted text, say) a name stays
/// owned and each record copies it, as before.
fn intern_operator_name(name: String) -> Cow<'static, str> {
    static INTERNED: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut names = INTERNED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(known) = names.iter().find(|known| **known == name) {
        return Cow::Borrowed(known);
    }
    if names.len() >= INTERNED_NAMES_MAX {
        return Cow::Owned(name);
    }
    let leaked: &'static str = Box::leak(name.into_boxed_str());
    names.push(leaked);
    Cow::Borrowed(leaked)
}

// ---------------------------------------------------------------------------------------------
// The parser.

/// The Envoy / Istio access log parser.
#[derive(Debug)]
pub(crate) struct EnvoyParser {
    format: SourceFormat,
    custom: Option<Result<CompiledFormat, String>>,
    max_depth: usize,
}

impl EnvoyParser {
    /// A parser producing events of `format` (Envoy or Istio), with the custom format of
    /// `options` if any.
    pub(crate) fn new(format: SourceFormat, options: &ParseOptions) -> EnvoyParser {
        EnvoyParser {
            format,
            custom: options.envoy_format.as_deref().map(CompiledFormat::compile),
            max_depth: options.limits.max_depth,
        }
    }
}

impl LineParser for EnvoyParser {
    fn format(&self) -> SourceFormat {
        self.format
    }

    fn parse_line<'a>(&mut self, line: &'a str) -> LineOutcome<'a> {
        let (inner, cri_time) = strip_cri(line);
        let inner = inner.trim_end_matches(['\r', ' ']);
        // A line that starts with a visible ASCII byte is not blank (the Unicode-aware trim
        // is only needed for the others).
        let starts_visible = inner.as_bytes().first().is_some_and(u8::is_ascii_graphic);
        if !starts_visible && inner.trim().is_empty() {
            return LineOutcome::Skip;
        }
        let mut access = Access::default();
        let unmapped;
        if inner.starts_with('{') {
            let tree = match JsonValue::parse_with_depth(inner, self.max_depth) {
                Ok(tree) => tree,
                Err(err) => return LineOutcome::Reject(format!("invalid JSON access log: {err}")),
            };
            let JsonValue::Object(members) = &tree else {
                return LineOutcome::Reject("JSON access log line is not an object".to_owned());
            };
            for (key, value) in members {
                let Some(field) = json_key_field(key) else {
                    continue;
                };
                match value {
                    JsonValue::String(text) if absent(text).is_some() => {
                        if let Some(slot) = access.text.get_mut(field) {
                            *slot = Some(text.clone());
                        }
                    }
                    JsonValue::Number(JsonNumber::Int(n)) => {
                        if let Some(slot) = access.numbers.get_mut(field) {
                            *slot = Some(*n);
                        }
                    }
                    JsonValue::Number(JsonNumber::Float(f)) => {
                        if let Some(slot) = access.numbers.get_mut(field) {
                            *slot = Some(*f as i64);
                        }
                    }
                    _ => {}
                }
            }
            unmapped = tree;
        } else if let Some(custom) = &self.custom {
            let compiled = match custom {
                Ok(compiled) => compiled,
                Err(err) => return LineOutcome::Reject(format!("invalid envoy_format: {err}")),
            };
            // One member per operator at most (a vector of a kilobyte or more is freed
            // outside the allocator's per-thread cache, and more slowly).
            let mut fields = Unmapped::with_capacity(compiled.operators);
            if let Err(reason) = compiled.apply(inner, &mut access, &mut fields) {
                return LineOutcome::Reject(reason);
            }
            unmapped = fields.build();
        } else if let Some(event) = app_log_line(line, inner, self.format) {
            return LineOutcome::Event(event);
        } else {
            match read_default(inner, &mut access) {
                Ok(fields) => unmapped = fields.build(),
                Err(reason) => return LineOutcome::Reject(reason),
            }
        }
        let event = build_event(line, &mut access, unmapped, cri_time, self.format);
        LineOutcome::Event(event)
    }
}

/// Strips a containerd/CRI prefix `<RFC 3339 time> <stdout|stderr> <F|P> `, returning the
/// message and the prefix's time.
pub(crate) fn strip_cri(line: &str) -> (&str, Option<i64>) {
    // The prefix starts with a digit (the test `split_word` would make below, made before it
    // searches the whole line for a space).
    if !line
        .trim_start_matches(' ')
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_digit)
    {
        return (line, None);
    }
    let Some((time, rest)) = crate::text::scan::split_word(line) else {
        return (line, None);
    };
    if !time.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return (line, None);
    }
    let Some(stream_rest) = rest
        .strip_prefix("stdout ")
        .or_else(|| rest.strip_prefix("stderr "))
    else {
        return (line, None);
    };
    let Some(message) = stream_rest
        .strip_prefix("F ")
        .or_else(|| stream_rest.strip_prefix("P "))
    else {
        return (line, None);
    };
    match parse_rfc3339(time) {
        Some(ms) => (message, Some(ms)),
        None => (line, None),
    }
}

/// [`parse_rfc3339`] of a start time, with Envoy's own shape `YYYY-MM-DDTHH:MM:SS.mmmZ` read
/// at fixed offsets (no digit loops, fraction loop or zone search); any other text goes to
/// [`parse_rfc3339`].
#[inline(always)]
fn start_time_ms(text: &str) -> Option<i64> {
    let Ok(bytes) = <&[u8; 24]>::try_from(text.as_bytes()) else {
        return parse_rfc3339(text);
    };
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        mo0,
        mo1,
        b'-',
        d0,
        d1,
        b'T',
        h0,
        h1,
        b':',
        mi0,
        mi1,
        b':',
        s0,
        s1,
        b'.',
        f0,
        f1,
        f2,
        b'Z',
    ] = *bytes
    else {
        return parse_rfc3339(text);
    };
    let digits = [
        y0, y1, y2, y3, mo0, mo1, d0, d1, h0, h1, mi0, mi1, s0, s1, f0, f1, f2,
    ]
    .map(|b| u32::from(b.wrapping_sub(b'0')));
    if digits.iter().any(|d| *d > 9) {
        return parse_rfc3339(text);
    }
    let [
        y0,
        y1,
        y2,
        y3,
        mo0,
        mo1,
        d0,
        d1,
        h0,
        h1,
        mi0,
        mi1,
        s0,
        s1,
        f0,
        f1,
        f2,
    ] = digits;
    civil_ms(
        i64::from(y0 * 1000 + y1 * 100 + y2 * 10 + y3),
        mo0 * 10 + mo1,
        d0 * 10 + d1,
        h0 * 10 + h1,
        mi0 * 10 + mi1,
        s0 * 10 + s1,
        f0 * 100 + f1 * 10 + f2,
    )
}

/// The tokens of a line in Envoy's own default format, as the tokenizer reads them: the
/// bracketed start time, the quoted request line, the response code and flags, the four
/// numbers and the five quoted fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EnvoyDefaultLine<'a> {
    start: &'a str,
    request: &'a str,
    code: &'a str,
    flags: &'a str,
    rest: [&'a str; 9],
}

/// Whether `b` starts a bare token (the tokenizer skips spaces and tabs, and reads a quoted
/// string or a bracketed group from `"` and `[`).
#[inline(always)]
fn starts_bare(b: Option<&u8>) -> bool {
    matches!(b, Some(b) if !matches!(b, b' ' | b'\t' | b'"' | b'['))
}

/// The bracketed start time and the quoted request line of a default line, and the position
/// after the request's closing quote.
type Head<'a> = (&'a str, &'a str, usize);

/// The first two tokens of a default line when it starts `[…] "…"` (the first `]` followed by
/// one space and a quote, the request's closing quote inside the line), as the tokenizer reads
/// them, and the position where the tokenizer would go on.
#[inline(always)]
fn default_head(line: &str) -> Option<Head<'_>> {
    let bytes = line.as_bytes();
    if bytes.first() != Some(&b'[') {
        return None;
    }
    // The first `]` closes the group when a space follows (and then the `[` cannot open an
    // IPv6 `[address]:port`).
    let close = 1 + byte_index(bytes.get(1..)?, b']')?;
    if bytes.get(close + 1) != Some(&b' ') || bytes.get(close + 2) != Some(&b'"') {
        return None;
    }
    let start = line.get(1..close)?;
    let quote = closing_quote_short(bytes, close + 3);
    if quote >= bytes.len() {
        return None;
    }
    let request = line.get(close + 3..quote)?;
    Some((start, request, quote))
}

/// Envoy's default layout `[START] "REQUEST" CODE FLAGS N N N N "…" "…" "…" "…" "…"` read in one
/// pass, one space (or a tab after a quote) between tokens and nothing after the last quote.
/// Every such line tokenizes to exactly these thirteen tokens with the anchor at the fifth, so
/// the general reader would read the same fields; `None` for every other line (Istio's
/// layouts, other spacing, unterminated strings, …), which the general reader takes.
#[inline(always)]
fn envoy_default_fast<'a>(line: &'a str, head: Head<'a>) -> Option<EnvoyDefaultLine<'a>> {
    let bytes = line.as_bytes();
    let (start, request, quote) = head;
    // `closing_quote_short` stops only at a quote followed by a space or a tab.
    let mut pos = quote + 2;
    let bare = |pos: &mut usize| -> Option<&str> {
        if !starts_bare(bytes.get(*pos)) {
            return None;
        }
        let end = separator_at(bytes, *pos, false);
        // One space, then the next token.
        if bytes.get(end) != Some(&b' ') {
            return None;
        }
        let word = line.get(*pos..end)?;
        *pos = end + 1;
        Some(word)
    };
    let code = bare(&mut pos)?;
    let flags = bare(&mut pos)?;
    let mut rest = [""; 9];
    let (numbers, quoted) = rest.split_at_mut(4);
    for slot in numbers {
        // Istio's layouts have words here: leave them before scanning them.
        if !matches!(bytes.get(pos), Some(b'0'..=b'9' | b'-')) {
            return None;
        }
        let word = bare(&mut pos)?;
        if !(word == "-" || word.bytes().all(|b| b.is_ascii_digit())) {
            return None;
        }
        *slot = word;
    }
    for slot in quoted {
        if bytes.get(pos) != Some(&b'"') {
            return None;
        }
        let quote = closing_quote_short(bytes, pos + 1);
        if quote >= bytes.len() {
            return None;
        }
        *slot = line.get(pos + 1..quote)?;
        pos = quote + 2;
    }
    // The last quote ends the line.
    if pos != bytes.len() + 1 {
        return None;
    }
    Some(EnvoyDefaultLine {
        start,
        request,
        code,
        flags,
        rest,
    })
}

/// The fields of a default line in Envoy's own layout, as [`read_default`] puts them.
#[inline(always)]
fn put_envoy_default<'a>(
    fields: &EnvoyDefaultLine<'a>,
    access: &mut Access<'a>,
    unmapped: &mut Unmapped<'a>,
) {
    put_head(
        access,
        unmapped,
        [fields.start, fields.request, fields.code, fields.flags],
    );
    for (field, value) in DEFAULT_FIXED.iter().zip(fields.rest) {
        put_field(access, unmapped, *field, value);
    }
}

/// Sets `field` to `value` in the access record and, under its name, in `unmapped`.
#[inline(always)]
fn put_field<'a>(
    access: &mut Access<'a>,
    unmapped: &mut Unmapped<'a>,
    field: usize,
    value: &'a str,
) {
    access.set(field, value);
    if let Some(name) = NAMES.get(field) {
        unmapped.str(name, value);
    }
}

/// Puts the fields every default layout starts with: the start time, the request line
/// (method, path, protocol), the response code and flags.
#[inline(always)]
fn put_head<'a>(
    access: &mut Access<'a>,
    unmapped: &mut Unmapped<'a>,
    [start, request, code, flags]: [&'a str; 4],
) {
    put_field(access, unmapped, START_TIME, start);
    let (method, path, protocol) = split3_spaces(request);
    put_field(access, unmapped, METHOD, method);
    put_field(access, unmapped, PATH, path.unwrap_or(""));
    put_field(access, unmapped, PROTOCOL, protocol.unwrap_or(""));
    put_field(access, unmapped, RESPONSE_CODE, code);
    put_field(access, unmapped, RESPONSE_FLAGS, flags);
}

/// The fields from BYTES_RECEIVED on that every default format logs, in order.
const DEFAULT_FIXED: [usize; 9] = [
    BYTES_RECEIVED,
    BYTES_SENT,
    DURATION,
    UPSTREAM_SERVICE_TIME,
    X_FORWARDED_FOR,
    USER_AGENT,
    REQUEST_ID,
    AUTHORITY,
    UPSTREAM_HOST,
];

/// Reads Envoy's or Istio's default text format.
///
/// The `unmapped` vector is sized for the layout: Envoy's own logs fourteen named fields at
/// most, Istio's up to 23 (a vector of a kilobyte or more is freed outside the allocator's
/// per-thread cache, and more slowly).
fn read_default<'a>(line: &'a str, access: &mut Access<'a>) -> Result<Unmapped<'a>, String> {
    let head = default_head(line);
    if let Some(fields) = head.and_then(|head| envoy_default_fast(line, head)) {
        access.start_ms = start_time_ms(fields.start);
        if access.start_ms.is_some() {
            let mut unmapped = Unmapped::with_capacity(ENVOY_DEFAULT_FIELDS);
            put_envoy_default(&fields, access, &mut unmapped);
            return Ok(unmapped);
        }
    }
    let mut unmapped = Unmapped::with_capacity(NAMES.len());
    read_default_general(line, head, access, &mut unmapped).map(|()| unmapped)
}

/// The most named fields a line in Envoy's own default layout has.
const ENVOY_DEFAULT_FIELDS: usize = 14;

/// Reads Envoy's or Istio's default text format through the tokenizer, whatever the layout;
/// the tokenizer goes on after `head` when [`default_head`] has read it.
fn read_default_general<'a>(
    line: &'a str,
    head: Option<Head<'a>>,
    access: &mut Access<'a>,
    unmapped: &mut Unmapped<'a>,
) -> Result<(), String> {
    let mut array = TokenArray::<32>::new();
    match head {
        Some((start, request, quote)) => {
            array.push(Token {
                text: start,
                delim: Delim::Bracketed,
            });
            array.push(Token {
                text: request,
                delim: Delim::Quoted,
            });
            array.read(Tokens::at(line, quote + 1));
        }
        None => array.read(Tokens::new(line)),
    }
    let tokens = array.as_slice();
    let shape_error = || {
        "not an Envoy/Istio access log line: expected [START_TIME] \"METHOD PATH PROTOCOL\" \
         RESPONSE_CODE RESPONSE_FLAGS … BYTES_RECEIVED BYTES_SENT DURATION UPSTREAM_SERVICE_TIME \
         \"X-FORWARDED-FOR\" \"USER-AGENT\" \"X-REQUEST-ID\" \":AUTHORITY\" \"UPSTREAM_HOST\""
            .to_owned()
    };
    let Some(anchor) = default_anchor(tokens) else {
        return Err(shape_error());
    };
    let (Some(start), Some(request), Some(code), Some(flags)) =
        (tokens.first(), tokens.get(1), tokens.get(2), tokens.get(3))
    else {
        return Err(shape_error());
    };
    access.start_ms = start_time_ms(start.text);
    if access.start_ms.is_none() {
        return Err(format!(
            "Envoy/Istio access log line has no valid [START_TIME]: {:?}",
            start.text
        ));
    }
    put_head(
        access,
        unmapped,
        [start.text, request.text, code.text, flags.text],
    );
    let mut put = |field: usize, value: &'a str| put_field(access, unmapped, field, value);
    let middle = tokens.get(4..anchor).unwrap_or(&[]);
    let middle_fields: &[usize] = match middle
        .iter()
        .map(|t| t.delim == Delim::Quoted)
        .collect::<ArrayKinds>()
        .as_slice()
    {
        [] => &[],
        [true] => &[MIXER_STATUS],
        [true, true] => &[MIXER_STATUS, UPSTREAM_TRANSPORT_FAILURE_REASON],
        [false, false, true] => &[
            RESPONSE_CODE_DETAILS,
            CONNECTION_TERMINATION_DETAILS,
            UPSTREAM_TRANSPORT_FAILURE_REASON,
        ],
        _ => return Err(shape_error()),
    };
    for (field, token) in middle_fields.iter().zip(middle) {
        put(*field, token.text);
    }
    let fixed = DEFAULT_FIXED;
    let rest = tokens.get(anchor..).unwrap_or(&[]);
    for (field, token) in fixed.iter().zip(rest) {
        put(*field, token.text);
    }
    let trailing = rest.get(fixed.len()..).unwrap_or(&[]);
    if trailing.len() > TRAILING.len() {
        return Err(format!(
            "Envoy/Istio access log line has {} fields after UPSTREAM_HOST; at most {} expected",
            trailing.len(),
            TRAILING.len()
        ));
    }
    for (field, token) in TRAILING.iter().zip(trailing) {
        put(*field, token.text);
    }
    Ok(())
}

/// A tiny fixed-capacity list of token kinds (quoted or not) for the middle of a default line.
#[derive(Debug, Default)]
struct ArrayKinds {
    kinds: [bool; 4],
    len: usize,
}

impl ArrayKinds {
    fn as_slice(&self) -> &[bool] {
        if self.len > self.kinds.len() {
            // Too many middle tokens: a shape no default format has.
            &[false, false, false, false, false][..]
        } else {
            self.kinds.get(..self.len).unwrap_or(&[])
        }
    }
}

impl FromIterator<bool> for ArrayKinds {
    fn from_iter<I: IntoIterator<Item = bool>>(iter: I) -> Self {
        let mut kinds = ArrayKinds::default();
        for kind in iter {
            if let Some(slot) = kinds.kinds.get_mut(kinds.len) {
                *slot = kind;
            }
            kinds.len += 1;
        }
        kinds
    }
}

/// The index of BYTES_RECEIVED in a default-format line: the first position from 4 on where
/// four bare tokens (numbers or `-`) are followed by five quoted ones.
fn default_anchor(tokens: &[Token<'_>]) -> Option<usize> {
    if tokens.first()?.delim != Delim::Bracketed || tokens.get(1)?.delim != Delim::Quoted {
        return None;
    }
    let numberish = |t: &Token<'_>| {
        t.delim == Delim::Bare && (t.text == "-" || t.text.bytes().all(|b| b.is_ascii_digit()))
    };
    (4..tokens.len()).find(|&i| {
        tokens
            .get(i..i + 4)
            .is_some_and(|w| w.iter().all(numberish))
            && tokens
                .get(i + 4..i + 9)
                .is_some_and(|w| w.len() == 5 && w.iter().all(Token::is_quoted))
    })
}

/// Whether a default-format text line carries Istio's extra fields (and so is Istio's format).
pub(crate) fn default_line_kind(line: &str) -> Option<SourceFormat> {
    let (inner, _) = strip_cri(line);
    let array = Tokens::new(inner).array::<32>();
    let tokens = array.as_slice();
    let anchor = default_anchor(tokens)?;
    parse_rfc3339(tokens.first()?.text)?;
    if anchor > 4 || tokens.len() > anchor + 9 {
        Some(SourceFormat::Istio)
    } else {
        Some(SourceFormat::Envoy)
    }
}

/// Whether a JSON line (possibly CRI-prefixed) is an Envoy/Istio access log entry, and which.
pub(crate) fn json_line_kind(line: &str) -> Option<SourceFormat> {
    let (inner, _) = strip_cri(line);
    if !inner.starts_with('{') {
        return None;
    }
    let tree = JsonValue::parse(inner).ok()?;
    let JsonValue::Object(members) = &tree else {
        return None;
    };
    let known = members
        .iter()
        .filter(|(key, _)| {
            matches!(
                json_key_field(key),
                Some(
                    RESPONSE_CODE
                        | RESPONSE_FLAGS
                        | UPSTREAM_HOST
                        | UPSTREAM_CLUSTER
                        | DOWNSTREAM_REMOTE_ADDRESS
                        | BYTES_SENT
                        | BYTES_RECEIVED
                        | AUTHORITY
                        | START_TIME
                )
            )
        })
        .count();
    let has_code = members
        .iter()
        .any(|(key, _)| json_key_field(key) == Some(RESPONSE_CODE));
    if known < 3 || !has_code {
        return None;
    }
    let istio = members.iter().any(|(key, value)| {
        key == "upstream_cluster"
            && value
                .as_str()
                .is_some_and(|v| v.starts_with("outbound|") || v.starts_with("inbound|"))
    });
    Some(if istio {
        SourceFormat::Istio
    } else {
        SourceFormat::Envoy
    })
}

/// Whether a line is one of Envoy's own application log lines.
pub(crate) fn is_app_log_line(line: &str) -> bool {
    let (inner, _) = strip_cri(line);
    let bytes = inner.as_bytes();
    bytes.first() == Some(&b'[')
        && bytes.get(11) == Some(&b' ')
        && inner.get(1..24).is_some_and(|t| parse_rfc3339(t).is_some())
        && bytes.get(24) == Some(&b']')
        && bytes.get(25) == Some(&b'[')
}

/// Envoy's application log line `[time][thread][level][logger] [source] message` as a Base
/// Event, or `None` if the line is not one.
fn app_log_line<'a>(line: &'a str, inner: &'a str, format: SourceFormat) -> Option<Box<Event<'a>>> {
    if !is_app_log_line(inner) {
        return None;
    }
    let time = inner.get(1..24).and_then(parse_rfc3339)?;
    let mut rest = inner.get(25..)?;
    let mut groups: [&str; 3] = [""; 3];
    for slot in &mut groups {
        let body = rest.strip_prefix('[')?;
        let close = body.find(']')?;
        *slot = body.get(..close)?;
        rest = body.get(close + 1..)?;
    }
    let [thread, level, logger] = groups;
    let rest = rest.trim_start();
    let (source, message) = match rest.strip_prefix('[') {
        Some(body) => match body.find("] ") {
            Some(close) => (body.get(..close), body.get(close + 2..).unwrap_or("")),
            None => (None, rest),
        },
        None => (None, rest),
    };
    let mut event = Event::new_boxed(&ocsf::BASE_EVENT, 99, format);
    event.time = time;
    event.severity_id = match level {
        "critical" => Severity::Critical,
        "error" => Severity::Medium,
        "warning" | "warn" => Severity::Low,
        _ => Severity::Informational,
    };
    event.message = Some(Cow::Borrowed(message));
    let mut unmapped = Unmapped::with_capacity(6);
    unmapped.str("time", inner.get(1..24).unwrap_or(""));
    unmapped.str("thread", thread);
    unmapped.str("level", level);
    unmapped.str("logger", logger);
    unmapped.opt("source", source);
    unmapped.str("message", message);
    event.unmapped = Some(unmapped.build());
    event.raw = RawRecord::text(line);
    Some(event)
}

/// [`forwarded_ips`] of an X-Forwarded-For value; a lone dotted address (no comma, nothing
/// to trim) is read without the search for a comma and the trim.
fn forwarded_ips_of(text: &str) -> Vec<std::net::IpAddr> {
    // One IPv4 address, the usual value, read without the byte test below first.
    if let Some(v4) = parse_ipv4(text) {
        return vec![std::net::IpAddr::V4(v4)];
    }
    if text.len() <= 15 && text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return parse_ip(text)
            .or_else(|| split_host_port(text).0)
            .map_or_else(Vec::new, |ip| vec![ip]);
    }
    forwarded_ips(text)
}

/// The OCSF event of one access record.
///
/// `access` is borrowed, not moved: it is a kilobyte, and a move copied it on every record.
fn build_event<'a>(
    line: &'a str,
    access: &mut Access<'a>,
    unmapped: JsonValue<'a>,
    cri_time: Option<i64>,
    format: SourceFormat,
) -> Box<Event<'a>> {
    let method = access.take(METHOD);
    let is_tcp = method.is_none();
    let mut event = if is_tcp {
        Event::new_boxed(&ocsf::NETWORK_ACTIVITY, 6, format)
    } else {
        let activity = http_activity(method.as_deref().unwrap_or(""));
        Event::new_boxed(&ocsf::HTTP_ACTIVITY, activity, format)
    };
    let start = access
        .start_ms
        .or_else(|| access.get(START_TIME).and_then(|t| start_time_ms(t)));
    event.time = start.or(cri_time).unwrap_or(0);
    event.start_time = start;
    let duration = access.number(DURATION);
    event.duration = duration;
    if let (Some(start), Some(duration)) = (start, duration) {
        event.end_time = start.checked_add(duration);
    }
    let code = access.number(RESPONSE_CODE);
    if let Some(code) = code.filter(|c| *c > 0) {
        event.set_status(http_status_id(code));
        // The code as logged when it was text; JSON lines log it as a number.
        event.status_code = Some(match access.get(RESPONSE_CODE) {
            Some(text) => text.clone(),
            None => Cow::Owned(code.to_string()),
        });
    }
    event.status_detail = access.take(RESPONSE_FLAGS);
    let request_id = access.take(REQUEST_ID);
    event.metadata.original_event_uid = request_id.clone();
    let bytes_in = access.number(BYTES_RECEIVED);
    let bytes_out = access.number(BYTES_SENT);
    event.traffic = Some(Traffic {
        bytes_in,
        bytes_out,
        bytes: bytes_in.zip(bytes_out).map(|(a, b)| a.saturating_add(b)),
        ..Traffic::default()
    });
    // The client: the downstream peer, or — when the format does not log it (Envoy's
    // default) — the first X-Forwarded-For address.
    let xff = access
        .get(X_FORWARDED_FOR)
        .map(|x| forwarded_ips_of(x))
        .unwrap_or_default();
    let (ip, port) = match access.get(DOWNSTREAM_REMOTE_ADDRESS) {
        Some(remote) => split_host_port(remote),
        None => (xff.first().copied(), None),
    };
    // The boxed objects are filled in place on the heap: a struct literal in `Box::new` is
    // built on the stack and copied.
    if ip.is_some() || port.is_some() {
        let mut src = Box::<Endpoint<'a>>::default();
        src.ip = ip;
        src.port = port;
        event.src_endpoint = Some(src);
    }
    let upstream = access.get(UPSTREAM_HOST).map(|host| split_host_port(host));
    let cluster = access.take(UPSTREAM_CLUSTER);
    if upstream.is_some() || cluster.is_some() {
        let (ip, port) = upstream.unwrap_or((None, None));
        let mut dst = Box::<Endpoint<'a>>::default();
        dst.ip = ip;
        dst.port = port;
        dst.svc_name = cluster;
        event.dst_endpoint = Some(dst);
    }
    if is_tcp {
        event.connection_info = Some(ConnectionInfo {
            protocol_name: Some(Cow::Borrowed("tcp")),
            protocol_num: Some(6),
            ..ConnectionInfo::default()
        });
    } else {
        let path = access.take(PATH);
        let url = path.map(|target| {
            let (path, query) = match &target {
                Cow::Borrowed(text) => {
                    let (p, q) = split_query(text);
                    (Cow::Borrowed(p), q.map(Cow::Borrowed))
                }
                Cow::Owned(text) => {
                    let (p, q) = split_query(text);
                    (
                        Cow::Owned(p.to_owned()),
                        q.map(|q| Cow::Owned(q.to_owned())),
                    )
                }
            };
            Url {
                path: Some(path),
                query_string: query,
                hostname: access.get(AUTHORITY).cloned(),
                url_string: Some(target),
                ..Url::default()
            }
        });
        let mut request = Box::<HttpRequest<'a>>::default();
        request.http_method = method;
        request.url = url;
        request.user_agent = access.take(USER_AGENT);
        request.x_forwarded_for = xff;
        request.uid = request_id;
        request.version = access.take(PROTOCOL);
        request.length = bytes_in;
        event.http_request = Some(request);
        let mut response = Box::<HttpResponse<'a>>::default();
        response.code = code;
        response.length = bytes_out;
        response.latency = duration;
        response.status = access.take(RESPONSE_CODE_DETAILS);
        event.http_response = Some(response);
    }
    event.unmapped = Some(unmapped);
    event.raw = RawRecord::text(line);
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_support::{event_of, mutations_never_panic, raw};

    const ENVOY: &str = concat!(
        "[2016-04-15T20:17:00.310Z] \"POST /api/v1/locations?x=1 HTTP/2\" 204 - 154 0 226 100 ",
        "\"10.0.35.28\" \"nsq2http\" \"cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2\" \"locations\" ",
        "\"tcp://10.0.2.1:80\""
    );
    const ISTIO_18: &str = concat!(
        "[2020-11-25T21:26:18.409Z] \"GET /status/418 HTTP/1.1\" 418 - via_upstream - \"-\" ",
        "0 135 4 4 \"-\" \"curl/7.73.0-DEV\" \"84961386-6d84-929d-98bd-c5aee93b5c88\" ",
        "\"httpbin:8000\" \"10.44.1.27:80\" outbound|8000||httpbin.foo.svc.cluster.local ",
        "10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:46520 - default"
    );
    const ISTIO_11: &str = concat!(
        "[2019-03-06T09:31:27.360Z] \"GET /status/418 HTTP/1.1\" 418 - \"-\" 0 135 5 2 \"-\" ",
        "\"curl/7.60.0\" \"d209e46f-9ed5-9b61-bbdd-43e22662702a\" \"httpbin:8000\" ",
        "\"127.0.0.1:80\" inbound|8000|http|httpbin.default.svc.cluster.local - ",
        "172.30.146.73:80 172.30.146.82:38618 outbound_.8000_._.httpbin.default.svc.cluster.local"
    );
    const TCP: &str = concat!(
        "[2020-11-25T21:26:18.409Z] \"- - -\" 0 - - - \"-\" 1520 3027 12 - \"-\" \"-\" \"-\" ",
        "\"-\" \"10.44.1.30:3306\" outbound|3306||mysql.db.svc.cluster.local 10.44.1.23:51230 ",
        "10.0.33.12:3306 10.44.1.23:51228 - -"
    );

    fn parser(format: SourceFormat) -> EnvoyParser {
        EnvoyParser::new(format, &ParseOptions::default())
    }

    #[test]
    fn envoy_default_format_maps_to_http_activity() {
        let event = event_of(&mut parser(SourceFormat::Envoy), ENVOY);
        assert_eq!(event.class_uid, 4002);
        assert_eq!(event.activity_id, 6, "POST");
        assert_eq!(event.time, 1_460_751_420_310);
        assert_eq!(event.duration, Some(226));
        let request = event.http_request.as_ref().unwrap();
        assert_eq!(request.http_method.as_deref(), Some("POST"));
        let url = request.url.as_ref().unwrap();
        assert_eq!(url.path.as_deref(), Some("/api/v1/locations"));
        assert_eq!(url.query_string.as_deref(), Some("x=1"));
        assert_eq!(url.hostname.as_deref(), Some("locations"));
        assert_eq!(request.user_agent.as_deref(), Some("nsq2http"));
        assert_eq!(
            request.x_forwarded_for,
            vec!["10.0.35.28".parse::<std::net::IpAddr>().unwrap()]
        );
        assert_eq!(
            event.metadata.original_event_uid.as_deref(),
            Some("cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2")
        );
        let dst = event.dst_endpoint.as_ref().unwrap();
        assert_eq!(dst.ip, Some("10.0.2.1".parse().unwrap()));
        assert_eq!(dst.port, Some(80));
        assert_eq!(event.http_response.as_ref().unwrap().code, Some(204));
        assert_eq!(event.traffic.as_ref().unwrap().bytes_in, Some(154));
        assert_eq!(event.status_id, 1);
        assert_eq!(
            event.src_endpoint.as_ref().unwrap().ip,
            Some("10.0.35.28".parse().unwrap()),
            "no downstream address: the first X-Forwarded-For address"
        );
        assert_eq!(raw(&event, "upstream_service_time"), Some("100".into()));
        assert_eq!(raw(&event, "response_flags"), None, "`-` is absent");
    }

    #[test]
    fn istio_default_formats_map_extra_fields() {
        let event = event_of(&mut parser(SourceFormat::Istio), ISTIO_18);
        assert_eq!(event.activity_id, 3);
        assert_eq!(event.status_id, 2, "418 is a failure");
        let src = event.src_endpoint.as_ref().unwrap();
        assert_eq!(src.ip, Some("10.44.1.23".parse().unwrap()));
        assert_eq!(src.port, Some(46520));
        assert_eq!(
            event.dst_endpoint.as_ref().unwrap().svc_name.as_deref(),
            Some("outbound|8000||httpbin.foo.svc.cluster.local")
        );
        assert_eq!(
            raw(&event, "response_code_details"),
            Some("via_upstream".into())
        );
        assert_eq!(raw(&event, "route_name"), Some("default".into()));
        assert_eq!(default_line_kind(ISTIO_18), Some(SourceFormat::Istio));

        let event = event_of(&mut parser(SourceFormat::Istio), ISTIO_11);
        assert_eq!(
            raw(&event, "downstream_remote_address"),
            Some("172.30.146.82:38618".into())
        );
        assert_eq!(
            raw(&event, "requested_server_name"),
            Some("outbound_.8000_._.httpbin.default.svc.cluster.local".into())
        );
        assert_eq!(default_line_kind(ISTIO_11), Some(SourceFormat::Istio));
        assert_eq!(default_line_kind(ENVOY), Some(SourceFormat::Envoy));
    }

    #[test]
    fn tcp_entries_are_network_activity() {
        let event = event_of(&mut parser(SourceFormat::Istio), TCP);
        assert_eq!(event.class_uid, 4001);
        assert_eq!(event.activity_id, 6);
        assert!(event.http_request.is_none());
        assert_eq!(event.traffic.as_ref().unwrap().bytes_out, Some(3027));
        assert_eq!(event.dst_endpoint.as_ref().unwrap().port, Some(3306));
    }

    #[test]
    fn cri_prefix_is_stripped_and_json_lines_read() {
        let line = format!("2025-12-31T17:37:40.493035218+01:00 stdout F {ENVOY}");
        let event = event_of(&mut parser(SourceFormat::Envoy), &line);
        assert_eq!(event.time, 1_460_751_420_310);
        assert_eq!(event.raw.as_str(), line);

        let json = concat!(
            "2025-12-31T17:37:40.493035218+01:00 stdout F {\":authority\":\"www.example.com\",",
            "\"bytes_received\":0,\"bytes_sent\":121258,\"downstream_remote_address\":\"10.0.0.12:59292\",",
            "\"duration\":11,\"method\":\"GET\",\"protocol\":\"HTTP/2\",\"response_code\":200,",
            "\"response_flags\":\"-\",\"start_time\":\"2025-12-31T16:37:40.479Z\",",
            "\"upstream_host\":null,\"user-agent\":\"curl/8.5.0\",\"x-envoy-origin-path\":\"/.env\",",
            "\"x-request-id\":\"3bbc0252\"}"
        );
        let event = event_of(&mut parser(SourceFormat::Envoy), json);
        assert_eq!(event.class_uid, 4002);
        assert_eq!(event.time, 1_767_199_060_479);
        assert_eq!(event.http_response.as_ref().unwrap().code, Some(200));
        assert_eq!(event.traffic.as_ref().unwrap().bytes_out, Some(121_258));
        let request = event.http_request.as_ref().unwrap();
        assert_eq!(request.url.as_ref().unwrap().path.as_deref(), Some("/.env"));
        assert_eq!(
            request.url.as_ref().unwrap().hostname.as_deref(),
            Some("www.example.com")
        );
        assert_eq!(request.user_agent.as_deref(), Some("curl/8.5.0"));
        assert_eq!(
            event.metadata.original_event_uid.as_deref(),
            Some("3bbc0252")
        );
        assert_eq!(event.src_endpoint.as_ref().unwrap().port, Some(59292));
        assert_eq!(raw(&event, "user-agent"), Some("curl/8.5.0".into()));
        assert_eq!(json_line_kind(json), Some(SourceFormat::Envoy));
    }

    /// A parser of Envoy access logs written with the custom text format `format`.
    fn custom_parser(format: &str) -> EnvoyParser {
        let options = ParseOptions {
            envoy_format: Some(format.to_owned()),
            ..ParseOptions::default()
        };
        EnvoyParser::new(SourceFormat::Envoy, &options)
    }

    #[test]
    fn custom_text_format_is_compiled() {
        let mut parser = custom_parser(
            "%START_TIME% %DOWNSTREAM_REMOTE_ADDRESS% \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" %RESPONSE_CODE% rid=%REQ(X-REQUEST-ID)% tenant=%REQ(X-TENANT)% %DURATION%ms\n",
        );
        let line = "2024-01-02T03:04:05.006Z 192.0.2.9:5555 \"DELETE /v1/items/7 HTTP/1.1\" 403 rid=abc-1 tenant=acme 17ms";
        let event = event_of(&mut parser, line);
        assert_eq!(event.activity_id, 2, "DELETE");
        assert_eq!(event.time, 1_704_164_645_006);
        assert_eq!(event.src_endpoint.as_ref().unwrap().port, Some(5555));
        assert_eq!(event.metadata.original_event_uid.as_deref(), Some("abc-1"));
        assert_eq!(event.duration, Some(17));
        assert_eq!(event.status_id, 2);
        assert_eq!(raw(&event, "req_x_tenant"), Some("acme".into()));
        assert_eq!(raw(&event, "path"), Some("/v1/items/7".into()));
        match parser.parse_line("garbage") {
            LineOutcome::Reject(reason) => assert!(reason.contains("envoy_format"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert!(CompiledFormat::compile("%START_TIME%%DURATION%").is_err());
        assert!(CompiledFormat::compile("%START_TIME").is_err());
        assert!(CompiledFormat::compile("no operators").is_err());
    }

    #[test]
    fn forwarded_addresses_and_blank_lines() {
        let ip = |text: &str| text.parse::<std::net::IpAddr>().unwrap();
        assert_eq!(forwarded_ips_of("203.0.113.7"), vec![ip("203.0.113.7")]);
        assert_eq!(forwarded_ips_of("203.0.113.7:443"), vec![ip("203.0.113.7")]);
        assert_eq!(
            forwarded_ips_of("203.0.113.7, 10.0.0.1"),
            vec![ip("203.0.113.7"), ip("10.0.0.1")]
        );
        assert_eq!(
            forwarded_ips_of("256.0.0.1"),
            Vec::<std::net::IpAddr>::new()
        );
        assert_eq!(forwarded_ips_of("2001:db8::1"), vec![ip("2001:db8::1")]);
        let mut parser = parser(SourceFormat::Envoy);
        for blank in ["", " ", " \t ", "\u{3000}", "\r"] {
            assert!(
                matches!(parser.parse_line(blank), LineOutcome::Skip),
                "{blank:?}"
            );
        }
    }

    #[test]
    fn literals_after_operators_end_values_long_or_short() {
        let mut parser = custom_parser(
            "[%START_TIME%] %REQ(:METHOD)% \"%UPSTREAM_HOST%\" tenant=%REQ(X-TENANT)% end",
        );
        let line = "[2023-11-14T10:00:00.000Z] GET \"10.0.0.1:8080\" tenant=acme end";
        let event = event_of(&mut parser, line);
        assert_eq!(raw(&event, "method"), Some("GET".into()));
        assert_eq!(raw(&event, "upstream_host"), Some("10.0.0.1:8080".into()));
        assert_eq!(raw(&event, "req_x_tenant"), Some("acme".into()));
        assert_eq!(event.time, 1_699_956_000_000);
        for (bad, expected) in [
            (
                "[2023-11-14T10:00:00.000Z] GET \"10.0.0.1:8080\" tenant-acme end",
                "\"\\\" tenant=\" not found",
            ),
            (
                "[2023-11-14T10:00:00.000Z] GET \"10.0.0.1:8080\" tenant=acme",
                "\" end\" not found",
            ),
            ("2023-11-14T10:00:00.000Z GET", "expected \"[\" at byte 0"),
        ] {
            match parser.parse_line(bad) {
                LineOutcome::Reject(reason) => assert!(reason.contains(expected), "{reason}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn operator_names_are_interned_once_and_borrowed_by_records() {
        let names = |format: &CompiledFormat| -> Vec<Cow<'static, str>> {
            format
                .pieces
                .iter()
                .filter_map(|piece| match piece {
                    Piece::Operator {
                        field: None, name, ..
                    } => Some(name.clone()),
                    _ => None,
                })
                .collect()
        };
        let first = CompiledFormat::compile("%REQ(X-INTERN-TEST)% x %RESP(X-OTHER)%").unwrap();
        let second = CompiledFormat::compile("%RESP(X-OTHER)% y %REQ(X-INTERN-TEST)%").unwrap();
        let (first, second) = (names(&first), names(&second));
        assert_eq!(first, ["req_x_intern_test", "resp_x_other"]);
        assert_eq!(second, ["resp_x_other", "req_x_intern_test"]);
        match (&first[0], &second[1]) {
            (Cow::Borrowed(a), Cow::Borrowed(b)) => assert_eq!(a.as_ptr(), b.as_ptr()),
            other => panic!("not interned: {other:?}"),
        }
        let mut parser = custom_parser("%REQ(:METHOD)% tenant=%REQ(X-TENANT)%");
        let event = event_of(&mut parser, "GET tenant=acme");
        let Some(JsonValue::Object(members)) = &event.unmapped else {
            panic!("{:?}", event.unmapped);
        };
        let (key, value) = members.last().unwrap();
        assert!(matches!(key, Cow::Borrowed("req_x_tenant")), "{key:?}");
        assert_eq!(value, &JsonValue::String(Cow::Borrowed("acme")));
    }

    #[test]
    fn app_log_lines_are_base_events_and_junk_is_rejected() {
        let line = "[2021-03-12 15:31:30.492][1][warning][runtime] [source/common/runtime/runtime_features.cc:31] Unable to use runtime singleton";
        let event = event_of(&mut parser(SourceFormat::Envoy), line);
        assert_eq!(event.class_uid, 0);
        assert_eq!(
            event.message.as_deref(),
            Some("Unable to use runtime singleton")
        );
        assert_eq!(event.severity_id, Severity::Low);
        assert_eq!(raw(&event, "logger"), Some("runtime".into()));
        assert!(matches!(
            parser(SourceFormat::Envoy).parse_line("hello world"),
            LineOutcome::Reject(_)
        ));
        assert!(matches!(
            parser(SourceFormat::Envoy).parse_line("  "),
            LineOutcome::Skip
        ));
    }

    /// What the fast reader and the general reader make of a line the fast reader takes.
    fn both_paths(line: &str) -> Option<(String, String)> {
        default_head(line)?;
        let read = |general: bool| {
            let mut access = Access::default();
            let mut unmapped = Unmapped::with_capacity(NAMES.len());
            let outcome = if general {
                read_default_general(line, None, &mut access, &mut unmapped)
            } else {
                read_default(line, &mut access).map(|fields| unmapped = fields)
            };
            // A rejected line's fields are dropped with it.
            match outcome {
                Ok(()) => format!("{access:?} {unmapped:?}"),
                Err(reason) => reason,
            }
        };
        Some((read(false), read(true)))
    }

    const ENVOY_BENCH: &str = concat!(
        "[2023-11-14T10:00:07.007Z] \"GET /api/v1/users?limit=20&offset=40 HTTP/1.1\" 404 - 3 ",
        "99001 12 7 \"203.0.9.17\" \"curl/8.5.0\" \"00ab34cd56ef7890\" ",
        "\"shop.example.com\" \"10.44.3.4:8080\""
    );

    fn fast(line: &str) -> Option<EnvoyDefaultLine<'_>> {
        envoy_default_fast(line, default_head(line)?)
    }

    #[test]
    fn fast_path_reads_envoy_default_lines_only() {
        let fields = fast(ENVOY).unwrap();
        assert_eq!(fields.start, "2016-04-15T20:17:00.310Z");
        assert_eq!(fields.request, "POST /api/v1/locations?x=1 HTTP/2");
        assert_eq!((fields.code, fields.flags), ("204", "-"));
        assert_eq!(
            fields.rest,
            [
                "154",
                "0",
                "226",
                "100",
                "10.0.35.28",
                "nsq2http",
                "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2",
                "locations",
                "tcp://10.0.2.1:80"
            ]
        );
        assert!(fast(ENVOY_BENCH).is_some());
        for other in [ISTIO_18, ISTIO_11, TCP] {
            assert_eq!(fast(other), None, "{other}");
        }
        // Spacing, a trailing token or an unterminated string: the general reader's.
        for other in [
            ENVOY.replacen("] ", "]  ", 1),
            ENVOY.replacen(" 154 ", " 154  ", 1),
            format!("{ENVOY} x"),
            format!("{ENVOY} "),
            ENVOY.replacen("\"nsq2http\"", "\"nsq2http", 1),
            ENVOY.replacen(" 154 ", " 15a ", 1),
        ] {
            assert_eq!(fast(&other), None, "{other}");
        }
    }

    #[test]
    fn fast_path_builds_what_the_general_path_builds() {
        for line in [
            ENVOY,
            ENVOY_BENCH,
            &ENVOY.replacen("\" 204", "\"\t204", 1),
            &ENVOY.replacen("\"locations\" ", "\"locations\"\t", 1),
            &ENVOY.replacen("[2016-04-15T20:17:00.310Z]", "[2016-04-15 20:17:00]", 1),
            &ENVOY.replacen("[2016-04-15T20:17:00.310Z]", "[not a time]", 1),
            &ENVOY.replacen("nsq2http", "a \\\" b\"c", 1),
            ISTIO_18,
            ISTIO_11,
            TCP,
        ] {
            let (fast, general) = both_paths(line).expect(line);
            assert_eq!(fast, general, "{line}");
        }
    }

    #[test]
    fn start_times_read_at_fixed_offsets() {
        // 2016-04-15 is day 16906 since 1970-01-01; 20:17:00.310 is 73020310 ms into it.
        assert_eq!(
            start_time_ms("2016-04-15T20:17:00.310Z"),
            Some(16_906 * 86_400_000 + 73_020_310)
        );
        assert_eq!(
            start_time_ms("2016-04-15T20:17:00.310+01:00"),
            Some(1_460_747_820_310)
        );
        assert_eq!(start_time_ms("2016-13-15T20:17:00.310Z"), None);
        assert_eq!(start_time_ms("2016-04-15T24:17:00.310Z"), None);
        assert_eq!(start_time_ms("2016-04-15T20:17:00.3a0Z"), None);
    }

    proptest::proptest! {
        /// The fixed-offset start time reader agrees with the general one.
        #[test]
        fn start_time_agrees_with_rfc3339(
            text in "[0-9]{4}[-x][0-2][0-9]-[0-3][0-9][Tt ][0-2][0-9]:[0-6][0-9][:.][0-6][0-9][.,][0-9/:]{3}[Zz+]",
            other in ".{0,30}",
        ) {
            proptest::prop_assert_eq!(start_time_ms(&text), parse_rfc3339(&text));
            proptest::prop_assert_eq!(start_time_ms(&other), parse_rfc3339(&other));
        }

        /// The literal search finds what the searcher finds.
        #[test]
        fn find_literal_agrees_with_memmem(
            text in "[ab\" =\\]]{0,60}",
            literal in "[ab\" =\\]]{0,20}",
        ) {
            let finder = memchr::memmem::Finder::new(literal.as_bytes());
            proptest::prop_assert_eq!(
                find_literal(text.as_bytes(), literal.as_bytes(), &finder),
                finder.find(text.as_bytes())
            );
        }

        /// Wherever the fast reader takes a mutated default line, the general reader reads
        /// the same fields and outcome.
        #[test]
        fn fast_path_agrees_with_the_general_path(edits in crate::text::test_support::edits()) {
            for base in [ENVOY, ENVOY_BENCH, ISTIO_18, TCP] {
                for line in crate::text::test_support::mutations(base, &edits) {
                    if let Some((fast, general)) = both_paths(&line) {
                        proptest::prop_assert_eq!(fast, general, "{}", line);
                    }
                }
            }
        }

        #[test]
        fn never_panics(line in ".{0,300}", edits in crate::text::test_support::edits()) {
            let mut p = parser(SourceFormat::Istio);
            let _ = p.parse_line(&line);
            for base in [ENVOY, ISTIO_18, ISTIO_11, TCP] {
                mutations_never_panic(&mut p, base, &edits);
            }
            let _ = CompiledFormat::compile(&line);
        }
    }
}
