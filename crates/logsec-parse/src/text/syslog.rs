//! Syslog: RFC 3164 (BSD), RFC 5424 (with structured data), rsyslog's RFC 3339-stamped
//! lines, and journald's JSON export (`journalctl -o json`), one record a line.
//!
//! RFC 3164 timestamps have neither year nor zone: the year comes from
//! [`ParseOptions::syslog_year`], else from [`ParseOptions::reference_time_ms`] (a line later
//! than the reference by more than a day belongs to the year before), else from the system
//! clock; the zone from [`ParseOptions::syslog_utc_offset_secs`] (UTC by default). With an
//! explicit year the parser follows the file: a month that jumps back by more than six months
//! (December → January) starts the next year.
//!
//! On top of the framing, lines from sshd/sshd-session, sudo, su, PAM and login become OCSF
//! Authentication events (see `auth`); nginx/Apache access lines carried in syslog become HTTP
//! Activity (see `web_access`); the rest are Base Events with the message. Lines that start
//! with white space continue the previous record (macOS syslogd, multi-line messages) and are
//! kept as Base Events of their own, with the previous line's time and host.

use std::borrow::Cow;

use logsec_event::{Endpoint, Event, JsonValue, RawRecord, Severity, SourceFormat, ocsf};

use crate::line::{LineOutcome, LineParser};
use crate::options::ParseOptions;
use crate::text::auth;
use crate::text::scan::{
    Unmapped, byte_index, civil_ms, civil_ms_with, days_from_civil, month_from_abbr,
    month_from_abbr_fast, parse_i64, parse_rfc3339, separator_at, split_word, year_month_of,
};
use crate::text::web_access;

/// Which syslog framing a line used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// RFC 3164: `Mmm dd hh:mm:ss host tag: msg`.
    Bsd,
    /// RFC 5424: `<pri>1 timestamp host app procid msgid sd msg`.
    Rfc5424,
    /// An RFC 3339 timestamp in place of the BSD one (rsyslog's high-precision format).
    Rfc3339,
}

/// The parsed syslog header of one line; every slice borrows from the line.
#[derive(Debug, Clone)]
pub(crate) struct Header<'a> {
    pub(crate) framing: Framing,
    pub(crate) pri: Option<u32>,
    pub(crate) version: Option<&'a str>,
    pub(crate) timestamp: &'a str,
    pub(crate) time: i64,
    pub(crate) hostname: Option<&'a str>,
    pub(crate) app_name: Option<&'a str>,
    pub(crate) procid: Option<&'a str>,
    pub(crate) msgid: Option<&'a str>,
    pub(crate) structured_data: Option<&'a str>,
    pub(crate) msg: &'a str,
}

impl<'a> Header<'a> {
    /// Adds the header's fields to `unmapped` under RFC 5424's names. Always inlined: as a
    /// call it cost `event_for` instructions.
    #[inline(always)]
    pub(crate) fn add_fields(&self, unmapped: &mut Unmapped<'a>) {
        if let Some(pri) = self.pri {
            unmapped.int("facility", i64::from(pri / 8));
            unmapped.int("severity", i64::from(pri % 8));
        }
        unmapped.opt("version", self.version);
        unmapped.str("timestamp", self.timestamp);
        unmapped.opt("hostname", self.hostname);
        unmapped.opt("app_name", self.app_name);
        unmapped.opt("procid", self.procid);
        unmapped.opt("msgid", self.msgid);
        unmapped.opt("structured_data", self.structured_data);
        unmapped.str("msg", self.msg);
    }
}

/// Resolves RFC 3164 timestamps, which carry no year or zone.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    year: Option<i64>,
    reference_ms: Option<i64>,
    offset_secs: i64,
    last_month: Option<u32>,
    year_bump: i64,
    /// The (year, month, day) of the last time resolved and its day number: nearly every line
    /// of a log falls on the day of the line before it.
    day_key: (i64, u32, u32),
    day_number: i64,
}

impl Clock {
    /// A clock configured from `options`.
    pub(crate) fn new(options: &ParseOptions) -> Clock {
        Clock {
            year: options.syslog_year.map(i64::from),
            reference_ms: options.reference_time_ms,
            offset_secs: i64::from(options.syslog_utc_offset_secs.unwrap_or(0)),
            last_month: None,
            year_bump: 0,
            day_key: (i64::MIN, 0, 0),
            day_number: 0,
        }
    }

    /// [`civil_ms`] with the day number of the previous call kept: the same answer.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn civil_ms(
        &mut self,
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
            |year, month, day| {
                if (year, month, day) != self.day_key {
                    self.day_key = (year, month, day);
                    self.day_number = days_from_civil(year, month, day);
                }
                self.day_number
            },
        )
    }

    /// The UTC offset applied to zone-less times, in seconds.
    pub(crate) fn offset_secs(&self) -> i64 {
        self.offset_secs
    }

    /// Milliseconds since the epoch of a zone-less, year-less time.
    fn resolve(&mut self, month: u32, day: u32, hms: (u32, u32, u32), millis: u32) -> Option<i64> {
        let (hour, minute, second) = hms;
        let offset_ms = self.offset_secs * 1000;
        let ms = match (self.year, self.reference_ms) {
            (None, Some(reference)) => {
                let (year, _) = year_month_of(reference);
                let ms = civil_ms(year, month, day, hour, minute, second, millis)? - offset_ms;
                if ms > reference.saturating_add(86_400_000) {
                    civil_ms(year - 1, month, day, hour, minute, second, millis)? - offset_ms
                } else {
                    ms
                }
            }
            (year, _) => {
                let base = year.unwrap_or_else(current_year);
                if let Some(last) = self.last_month
                    && month + 6 < last
                {
                    self.year_bump += 1;
                }
                self.civil_ms(
                    base + self.year_bump,
                    month,
                    day,
                    hour,
                    minute,
                    second,
                    millis,
                )? - offset_ms
            }
        };
        self.last_month = Some(month);
        Some(ms)
    }
}

/// The current year, the last resort for RFC 3164 lines when neither a year nor a reference
/// time was given (what rsyslog and journald do too).
fn current_year() -> i64 {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0));
    year_month_of(now_ms).0
}

/// Parses `<pri>` at the start of a line.
fn strip_pri(line: &str) -> (Option<u32>, &str) {
    let Some(rest) = line.strip_prefix('<') else {
        return (None, line);
    };
    let Some(close) = rest.get(..4).and_then(|head| head.find('>')) else {
        return (None, line);
    };
    match rest.get(..close).and_then(|d| d.parse::<u32>().ok()) {
        Some(pri) if pri <= 191 && close > 0 => (Some(pri), rest.get(close + 1..).unwrap_or("")),
        _ => (None, line),
    }
}

/// Parses a BSD timestamp `Mmm dd hh:mm:ss[.fff]` (day space-padded or not) at the start of
/// `text`: `(month, day, (h, m, s), millis, bytes used)`.
#[allow(clippy::type_complexity)]
fn bsd_timestamp(text: &str) -> Option<(u32, u32, (u32, u32, u32), u32, usize)> {
    let bytes = text.as_bytes();
    // The usual shape, `Mmm dd hh:mm:ss` (day space-padded or not) and no fraction, read at
    // fixed offsets; the general reader below gives the same for it.
    if let Some(
        &[
            m1,
            m2,
            m3,
            b' ',
            d1,
            d2,
            b' ',
            h1,
            h2,
            b':',
            n1,
            n2,
            b':',
            s1,
            s2,
        ],
    ) = bytes.first_chunk::<15>()
        && matches!(bytes.get(15), None | Some(b' '))
        && (d1 == b' ' || d1.is_ascii_digit())
        && [d2, h1, h2, n1, n2, s1, s2].iter().all(u8::is_ascii_digit)
    {
        let month = month_from_abbr_fast(m1, m2, m3)?;
        let digit = |b: u8| u32::from(b - b'0');
        let day = if d1 == b' ' {
            digit(d2)
        } else {
            digit(d1) * 10 + digit(d2)
        };
        let hms = (
            digit(h1) * 10 + digit(h2),
            digit(n1) * 10 + digit(n2),
            digit(s1) * 10 + digit(s2),
        );
        return Some((month, day, hms, 0, 15));
    }
    bsd_timestamp_general(text)
}

/// [`bsd_timestamp`] for every shape: a fraction, a one-digit day without padding, ….
#[allow(clippy::type_complexity)]
fn bsd_timestamp_general(text: &str) -> Option<(u32, u32, (u32, u32, u32), u32, usize)> {
    let bytes = text.as_bytes();
    let month = month_from_abbr(bytes.get(..3)?)?;
    if bytes.get(3) != Some(&b' ') {
        return None;
    }
    let mut i = 4;
    if bytes.get(i) == Some(&b' ') {
        i += 1;
    }
    let day_start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() && i - day_start < 2 {
        i += 1;
    }
    let day: u32 = text.get(day_start..i)?.parse().ok()?;
    if bytes.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    let two = |at: usize| -> Option<u32> {
        let d = bytes.get(at..at + 2)?;
        if d.iter().all(u8::is_ascii_digit) {
            Some(u32::from(d[0] - b'0') * 10 + u32::from(d[1] - b'0'))
        } else {
            None
        }
    };
    let hour = two(i)?;
    let minute = two(i + 3)?;
    let second = two(i + 6)?;
    if bytes.get(i + 2) != Some(&b':') || bytes.get(i + 5) != Some(&b':') {
        return None;
    }
    i += 8;
    let mut millis = 0;
    if bytes.get(i) == Some(&b'.') {
        let mut scale = 100;
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            millis += u32::from(bytes[i] - b'0') * scale;
            scale /= 10;
            i += 1;
        }
    }
    match bytes.get(i) {
        None | Some(b' ') => Some((month, day, (hour, minute, second), millis, i)),
        _ => None,
    }
}

/// Splits an RFC 3164 tag `app[pid]:` (or `app:`) into app name and process id.
fn split_tag(word: &str) -> Option<(&str, Option<&str>)> {
    let tag = word.strip_suffix(':')?;
    if tag.is_empty() {
        return None;
    }
    // A byte scan, not a `memchr` call: tags are a few bytes long.
    match byte_index(tag.as_bytes(), b'[') {
        Some(open) if tag.ends_with(']') => Some((
            tag.get(..open)?,
            tag.get(open + 1..tag.len() - 1).filter(|p| !p.is_empty()),
        )),
        _ => Some((tag, None)),
    }
}

/// [`split_word`] for the host and tag of a header: their end found eight bytes at a time
/// (a `memchr` call costs more than it saves on words this short).
#[inline]
fn split_short_word(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start_matches(' ');
    if text.is_empty() {
        return None;
    }
    let at = separator_at(text.as_bytes(), 0, false);
    match text.get(..at) {
        Some(word) if at < text.len() => Some((
            word,
            text.get(at + 1..).unwrap_or("").trim_start_matches(' '),
        )),
        _ => Some((text, "")),
    }
}

/// Parses the syslog header of a line; `None` if the line is not syslog-framed.
pub(crate) fn parse_header<'a>(line: &'a str, clock: &mut Clock) -> Option<Header<'a>> {
    let (pri, rest) = strip_pri(line);
    if pri.is_some()
        && let Some(after) = rest.strip_prefix("1 ")
        && let Some(header) = parse_5424(pri, after)
    {
        return Some(header);
    }
    let (framing, timestamp, time, rest) =
        if let Some((month, day, hms, millis, used)) = bsd_timestamp(rest) {
            let timestamp = rest.get(..used)?;
            let time = clock.resolve(month, day, hms, millis)?;
            (Framing::Bsd, timestamp, time, rest.get(used..)?)
        } else {
            let (word, after) = split_word(rest)?;
            let time = parse_rfc3339(word)?;
            let after_at = rest.len() - after.len();
            (Framing::Rfc3339, word, time, rest.get(after_at..)?)
        };
    let rest = rest.trim_start_matches(' ');
    let (hostname, app_name, procid, msg) = host_and_tag(rest);
    Some(Header {
        framing,
        pri,
        version: None,
        timestamp,
        time,
        hostname,
        app_name,
        procid,
        msgid: None,
        structured_data: None,
        msg,
    })
}

/// What follows the time of an RFC 3164 line: `(hostname, app_name, procid, msg)`.
type HostTag<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, &'a str);

/// Splits the host, the tag and the message after the time (leading spaces already skipped).
#[inline]
fn host_and_tag(rest: &str) -> HostTag<'_> {
    host_and_tag_usual(rest).unwrap_or_else(|| host_and_tag_general(rest))
}

/// [`host_and_tag`] for every shape: a tag without a host, a host without a tag, runs of
/// spaces, `--- last message repeated … ---`.
fn host_and_tag_general(rest: &str) -> HostTag<'_> {
    // "--- last message repeated N times ---" and similar carry no host.
    if rest.starts_with("---") || rest.starts_with("last message repeated") {
        return (None, None, None, rest);
    }
    let Some((first, after_first)) = split_short_word(rest) else {
        return (None, None, None, rest);
    };
    if let Some((app, pid)) = split_tag(first) {
        // A tag right after the time: a local log without a host name.
        return (None, Some(app), pid, after_first);
    }
    if let Some((second, after_second)) = split_short_word(after_first)
        && let Some((app, pid)) = split_tag(second)
    {
        return (Some(first), Some(app), pid, after_second);
    }
    (Some(first), None, None, after_first)
}

/// [`host_and_tag`] for the usual shape, `host app[pid]: msg` with one space after the host:
/// both words read straight from the text, without the trimming and re-splitting of the
/// general reader; `None` (the general reader's turn) for any other shape.
#[inline]
fn host_and_tag_usual(rest: &str) -> Option<HostTag<'_>> {
    let bytes = rest.as_bytes();
    let host_end = separator_at(bytes, 0, false);
    // A host of one byte or more, one space after it, then the tag.
    let tag_start = host_end + 1;
    if host_end == 0 || bytes.get(tag_start).is_none_or(|&b| b == b' ') {
        return None;
    }
    let host = rest.get(..host_end)?;
    if host.ends_with(':') || host.starts_with("---") || rest.starts_with("last message repeated") {
        return None;
    }
    let tag_end = separator_at(bytes, tag_start, false);
    // Two splits, not a range's `get` (which stayed a call), and the spaces before the
    // message counted inline (`trim_start_matches` stayed a call too).
    let (head, after_tag) = rest.split_at_checked(tag_end)?;
    let (_, tag) = head.split_at_checked(tag_start)?;
    let (app, pid) = split_tag(tag)?;
    let spaces = after_tag.bytes().skip(1).take_while(|&b| b == b' ').count();
    let msg = after_tag.get(1 + spaces..).unwrap_or("");
    Some((Some(host), Some(app), pid, msg))
}

/// Parses the rest of an RFC 5424 line after `<pri>1 `.
fn parse_5424(pri: Option<u32>, rest: &str) -> Option<Header<'_>> {
    let (timestamp, rest) = split_word(rest)?;
    let time = if timestamp == "-" {
        0
    } else {
        parse_rfc3339(timestamp)?
    };
    let (hostname, rest) = split_word(rest)?;
    let (app_name, rest) = split_word(rest)?;
    let (procid, rest) = split_word(rest)?;
    let (msgid, rest) = split_word(rest)?;
    let (structured_data, msg) = if let Some(after) = rest.strip_prefix('-') {
        (None, after.strip_prefix(' ').unwrap_or(after))
    } else if rest.starts_with('[') {
        let end = structured_data_end(rest)?;
        let msg = rest.get(end..)?;
        (rest.get(..end), msg.strip_prefix(' ').unwrap_or(msg))
    } else if rest.is_empty() {
        (None, "")
    } else {
        return None;
    };
    let msg = msg.strip_prefix('\u{feff}').unwrap_or(msg);
    fn opt(s: &str) -> Option<&str> {
        (s != "-").then_some(s)
    }
    Some(Header {
        framing: Framing::Rfc5424,
        pri,
        version: Some("1"),
        timestamp,
        time,
        hostname: opt(hostname),
        app_name: opt(app_name),
        procid: opt(procid),
        msgid: opt(msgid),
        structured_data,
        msg,
    })
}

/// The end of RFC 5424 structured data (one or more `[id k="v" …]` elements; `\]`, `\"` and
/// `\\` are escapes inside values).
fn structured_data_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while bytes.get(i) == Some(&b'[') {
        let mut in_value = false;
        i += 1;
        loop {
            match bytes.get(i)? {
                b'\\' if in_value => i += 2,
                b'"' => {
                    in_value = !in_value;
                    i += 1;
                }
                b']' if !in_value => {
                    i += 1;
                    break;
                }
                _ => i += 1,
            }
        }
    }
    Some(i)
}

/// OCSF severity of a syslog severity (PRI mod 8).
fn severity_of(pri: Option<u32>) -> Severity {
    match pri.map(|p| p % 8) {
        Some(0) => Severity::Fatal,
        Some(1) => Severity::Critical,
        Some(2) => Severity::High,
        Some(3) => Severity::Medium,
        Some(4) => Severity::Low,
        _ => Severity::Informational,
    }
}

/// `line.trim_end_matches(['\r', ' '])` as a byte loop (the `char` pattern decodes from the
/// end; both bytes are ASCII, which no byte of a multi-byte character equals).
#[inline]
fn trim_end_cr_space(line: &str) -> &str {
    let end = line
        .as_bytes()
        .iter()
        .rposition(|&b| b != b'\r' && b != b' ')
        .map_or(0, |last| last + 1);
    line.get(..end).unwrap_or(line)
}

/// `text.trim_start().is_empty()`, answered by the first byte when it is visible ASCII (a
/// syslog line starts with its time or `<pri>`).
#[inline]
fn is_blank(text: &str) -> bool {
    match text.as_bytes().first() {
        Some(first) if first.is_ascii_graphic() => false,
        _ => text.trim_start().is_empty(),
    }
}

/// The syslog (and auth.log) parser.
#[derive(Debug)]
pub(crate) struct SyslogParser {
    format: SourceFormat,
    clock: Clock,
    max_depth: usize,
    /// Time of the previous record, for continuation lines.
    last_time: Option<i64>,
}

impl SyslogParser {
    /// A parser producing events of `format` (`Syslog` or `AuthLog`).
    pub(crate) fn new(format: SourceFormat, options: &ParseOptions) -> SyslogParser {
        SyslogParser {
            format,
            clock: Clock::new(options),
            max_depth: options.limits.max_depth,
            last_time: None,
        }
    }
}

impl LineParser for SyslogParser {
    fn format(&self) -> SourceFormat {
        self.format
    }

    fn parse_line<'a>(&mut self, line: &'a str) -> LineOutcome<'a> {
        let trimmed = trim_end_cr_space(line);
        if is_blank(trimmed) {
            return LineOutcome::Skip;
        }
        if trimmed.starts_with('{') {
            return self.journald(line, trimmed);
        }
        if trimmed.starts_with([' ', '\t']) {
            // A continuation of the previous record.
            let Some(time) = self.last_time else {
                return LineOutcome::Reject(
                    "continuation line (leading white space) before any syslog record".to_owned(),
                );
            };
            let mut event = Event::new_boxed(&ocsf::BASE_EVENT, 99, self.format);
            event.time = time;
            let text = trimmed.trim_start();
            event.message = Some(Cow::Borrowed(text));
            let mut unmapped = Unmapped::with_capacity(2);
            unmapped.str("msg", text);
            unmapped.bool("continuation", true);
            event.unmapped = Some(unmapped.build());
            event.raw = RawRecord::text(line);
            return LineOutcome::Event(event);
        }
        // Bound by reference: moving the header out of the `Option` copied it.
        let parsed = parse_header(trimmed, &mut self.clock);
        let Some(header) = &parsed else {
            return LineOutcome::Reject(
                "not a syslog line: no RFC 3164, RFC 5424 or RFC 3339 timestamp header".to_owned(),
            );
        };
        self.last_time = Some(header.time);
        LineOutcome::Event(event_for(
            line,
            header,
            self.format,
            self.clock.offset_secs(),
        ))
    }
}

/// The event of one syslog record: Authentication for auth programs, HTTP Activity for access
/// lines carried in syslog, a Base Event otherwise.
pub(crate) fn event_for<'a>(
    line: &'a str,
    header: &Header<'a>,
    format: SourceFormat,
    offset_secs: i64,
) -> Box<Event<'a>> {
    let mut unmapped = Unmapped::with_capacity(16);
    header.add_fields(&mut unmapped);
    if let Some(info) = auth::recognize(header.app_name, header.msg) {
        return auth::build_event(line, header, info, unmapped, format);
    }
    if web_access::is_nginx_error(header.msg) {
        if let Ok(event) =
            web_access::nginx_error_event(line, header.msg, offset_secs, unmapped, format)
        {
            return event;
        }
        unmapped = Unmapped::with_capacity(16);
        header.add_fields(&mut unmapped);
    }
    if web_access::is_access_program(header.app_name) || web_access::looks_like_access(header.msg) {
        if let Ok(event) = web_access::access_event(
            line,
            header.msg,
            Some(header.time),
            unmapped,
            format,
            offset_secs,
        ) {
            return event;
        }
        unmapped = Unmapped::with_capacity(16);
        header.add_fields(&mut unmapped);
    }
    let mut event = Event::new_boxed(&ocsf::BASE_EVENT, 99, format);
    event.time = header.time;
    event.severity_id = severity_of(header.pri);
    event.message = Some(Cow::Borrowed(header.msg));
    event.metadata.log_name = header.app_name.map(Cow::Borrowed);
    // sshd's pre-authentication messages name the peer: `Unable to negotiate with IP port P`,
    // `Timeout before authentication for IP port P`, `Connection closed by IP port P`, ….
    if header.app_name.is_some_and(|app| app.starts_with("sshd"))
        && let Some((ip, port)) = auth::peer_address(header.msg)
    {
        unmapped.str("src_ip", ip);
        unmapped.opt("src_port", port);
        event.src_endpoint = Some(Box::new(Endpoint {
            ip: crate::text::scan::parse_ip(ip),
            port: port.and_then(|p| p.parse().ok()),
            ..Endpoint::default()
        }));
        event.dst_endpoint = header
            .hostname
            .map(|host| Endpoint {
                hostname: Some(Cow::Borrowed(host)),
                ..Endpoint::default()
            })
            .map(Box::new);
    }
    event.unmapped = Some(unmapped.build());
    event.raw = RawRecord::text(line);
    event
}

impl SyslogParser {
    /// One journald JSON export record (`journalctl -o json`).
    fn journald<'a>(&mut self, line: &'a str, text: &'a str) -> LineOutcome<'a> {
        let tree = match JsonValue::parse_with_depth(text, self.max_depth) {
            Ok(tree) => tree,
            Err(err) => return LineOutcome::Reject(format!("invalid journald JSON: {err}")),
        };
        let get = |key: &str| tree.get(key).and_then(JsonValue::as_str);
        let Some(realtime) = get("__REALTIME_TIMESTAMP").and_then(parse_i64) else {
            return LineOutcome::Reject(
                "journald JSON record without a numeric __REALTIME_TIMESTAMP".to_owned(),
            );
        };
        let time = realtime / 1000;
        self.last_time = Some(time);
        // The borrowed strings of the tree live as long as the line where they had no escapes;
        // escaped ones are owned by the tree, so copy those few out.
        let owned = |key: &str| -> Option<Cow<'a, str>> {
            match tree.get(key) {
                Some(JsonValue::String(Cow::Borrowed(s))) => Some(Cow::Borrowed(*s)),
                Some(JsonValue::String(Cow::Owned(s))) => Some(Cow::Owned(s.clone())),
                _ => None,
            }
        };
        let message = owned("MESSAGE").unwrap_or(Cow::Borrowed(""));
        let identifier = owned("SYSLOG_IDENTIFIER").or_else(|| owned("_COMM"));
        let hostname = owned("_HOSTNAME");
        let pid = owned("_PID").or_else(|| owned("SYSLOG_PID"));
        let priority = get("PRIORITY").and_then(|p| p.parse::<u32>().ok());
        let facility = get("SYSLOG_FACILITY").and_then(|p| p.parse::<u32>().ok());
        let pri = priority.map(|p| facility.unwrap_or(1) * 8 + p);

        // Auth semantics and embedded access lines apply when the message borrows from the
        // line (no JSON escapes); otherwise the record stays a Base Event.
        if let Cow::Borrowed(msg) = &message {
            let ident_borrowed = match &identifier {
                Some(Cow::Borrowed(s)) => Some(*s),
                _ => None,
            };
            let header = Header {
                framing: Framing::Rfc3339,
                pri,
                version: None,
                timestamp: get_borrowed(&tree, "__REALTIME_TIMESTAMP").unwrap_or(""),
                time,
                hostname: match &hostname {
                    Some(Cow::Borrowed(s)) => Some(*s),
                    _ => None,
                },
                app_name: ident_borrowed,
                procid: match &pid {
                    Some(Cow::Borrowed(s)) => Some(*s),
                    _ => None,
                },
                msgid: None,
                structured_data: None,
                msg,
            };
            if let Some(info) = auth::recognize(header.app_name, header.msg) {
                let mut event =
                    auth::build_event(line, &header, info, Unmapped::default(), self.format);
                event.unmapped = Some(tree);
                return LineOutcome::Event(event);
            }
        }
        let mut event = Event::new_boxed(&ocsf::BASE_EVENT, 99, self.format);
        event.time = time;
        event.severity_id = severity_of(pri);
        event.message = Some(message);
        event.metadata.log_name = identifier;
        event.unmapped = Some(tree);
        event.raw = RawRecord::text(line);
        LineOutcome::Event(event)
    }
}

fn get_borrowed<'a>(tree: &JsonValue<'a>, key: &str) -> Option<&'a str> {
    match tree.get(key) {
        Some(JsonValue::String(Cow::Borrowed(s))) => Some(*s),
        _ => None,
    }
}

/// Whether a line is framed as syslog (for detection); returns the header's app name and message.
pub(crate) fn sniff_line(line: &str) -> Option<(Option<&str>, &str)> {
    let mut clock = Clock {
        year: Some(2000),
        reference_ms: None,
        offset_secs: 0,
        last_month: None,
        year_bump: 0,
        day_key: (i64::MIN, 0, 0),
        day_number: 0,
    };
    let header = parse_header(line, &mut clock)?;
    // A bare RFC 3339 time followed by anything is too loose: require a host and a tag.
    if header.framing == Framing::Rfc3339 && header.app_name.is_none() {
        return None;
    }
    Some((header.app_name, header.msg))
}

/// Whether a line is a journald JSON export record.
pub(crate) fn is_journald_line(line: &str) -> bool {
    line.starts_with('{')
        && line.contains("\"__REALTIME_TIMESTAMP\"")
        && JsonValue::parse(line).is_ok_and(|tree| {
            tree.get("__REALTIME_TIMESTAMP").is_some() && tree.get("MESSAGE").is_some()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_support::{event_of, mutations_never_panic, raw};

    fn parser_with_year(year: i32) -> SyslogParser {
        SyslogParser::new(
            SourceFormat::Syslog,
            &ParseOptions {
                syslog_year: Some(year),
                ..ParseOptions::default()
            },
        )
    }

    #[test]
    fn rfc3164_lines_parse_with_year_and_zone_from_options() {
        let options = ParseOptions {
            syslog_year: Some(2023),
            syslog_utc_offset_secs: Some(3600),
            ..ParseOptions::default()
        };
        let mut parser = SyslogParser::new(SourceFormat::Syslog, &options);
        let event = event_of(
            &mut parser,
            "Nov  3 09:23:38 veridian automount[7998]: lookup(file): lookup for foobar failed",
        );
        assert_eq!(event.class_uid, 0);
        // 2023-11-03T09:23:38+01:00
        assert_eq!(event.time, 1_698_999_818_000);
        assert_eq!(
            event.message.as_deref(),
            Some("lookup(file): lookup for foobar failed")
        );
        assert_eq!(raw(&event, "hostname"), Some("veridian".into()));
        assert_eq!(raw(&event, "app_name"), Some("automount".into()));
        assert_eq!(raw(&event, "procid"), Some("7998".into()));
    }

    #[test]
    fn december_to_january_rolls_the_year_over() {
        let mut parser = parser_with_year(2024);
        let dec = event_of(&mut parser, "Dec 31 23:59:59 h app: a");
        let jan = event_of(&mut parser, "Jan  1 00:00:01 h app: b");
        assert_eq!(dec.time, 1_735_689_599_000); // 2024-12-31T23:59:59Z
        assert_eq!(jan.time, 1_735_689_601_000); // 2025-01-01T00:00:01Z
        // Out-of-order lines within a few months do not roll over.
        let mut parser = parser_with_year(2024);
        let _ = event_of(&mut parser, "Sep 13 03:12:04 h k: a");
        let back = event_of(&mut parser, "Sep 13 01:25:39 h k: b");
        assert_eq!(back.time, 1_726_190_739_000);
    }

    #[test]
    fn reference_time_picks_the_year_before_for_later_dates() {
        let options = ParseOptions {
            // 2025-01-02T00:00:00Z, e.g. the file's modification time.
            reference_time_ms: Some(1_735_776_000_000),
            ..ParseOptions::default()
        };
        let mut parser = SyslogParser::new(SourceFormat::Syslog, &options);
        let dec = event_of(&mut parser, "Dec 31 10:00:00 h app: a");
        assert_eq!(dec.time, 1_735_639_200_000); // 2024-12-31T10:00:00Z
        let jan = event_of(&mut parser, "Jan  1 10:00:00 h app: a");
        assert_eq!(jan.time, 1_735_725_600_000); // 2025-01-01T10:00:00Z
    }

    #[test]
    fn rfc5424_with_structured_data() {
        let line = r#"<38>1 2022-01-19T14:23:55+00:00 OPNsense.localdomain sshd 44255 ID47 [meta sequenceId="1" note="a\]b"] Invalid user tutu from 1.2.3.4 port 33166"#;
        let event = event_of(&mut parser_with_year(2020), line);
        assert_eq!(
            event.class_uid, 3002,
            "sshd semantics apply to RFC 5424 too"
        );
        assert_eq!(event.time, 1_642_602_235_000);
        assert_eq!(
            raw(&event, "structured_data"),
            Some(r#"[meta sequenceId="1" note="a\]b"]"#.into())
        );
        assert_eq!(raw(&event, "msgid"), Some("ID47".into()));
        assert_eq!(raw(&event, "facility"), Some("4".into()));
        assert_eq!(raw(&event, "severity"), Some("6".into()));
        let plain = "<134>1 2025-11-06T11:32:42.868451+00:00 firewall.lan filterlog 92653 - - 7,,,1000000102,vtnet0.5,match";
        let event = event_of(&mut parser_with_year(2020), plain);
        assert_eq!(
            event.message.as_deref(),
            Some("7,,,1000000102,vtnet0.5,match")
        );
        assert_eq!(event.time, 1_762_428_762_868);
        assert_eq!(event.severity_id, Severity::Informational);
    }

    #[test]
    fn rsyslog_rfc3339_and_odd_bsd_lines() {
        let mut parser = parser_with_year(2020);
        let event = event_of(
            &mut parser,
            "2023-10-05T11:47:20.799042+02:00 leto kernel: [869507.505196] su[1433535]: segfault",
        );
        assert_eq!(event.time, 1_696_499_240_799);
        assert_eq!(raw(&event, "app_name"), Some("kernel".into()));
        let event = event_of(
            &mut parser,
            "Nov  3 09:23:38 veridian lookup for opt failed",
        );
        assert_eq!(event.message.as_deref(), Some("lookup for opt failed"));
        assert_eq!(raw(&event, "app_name"), None);
        let event = event_of(
            &mut parser,
            "Mar 24 14:26:01 --- last message repeated 2 times ---",
        );
        assert_eq!(raw(&event, "hostname"), None);
        let event = event_of(&mut parser, "Nov 2 15:40:14 workshop app: single-digit day");
        assert_eq!(raw(&event, "hostname"), Some("workshop".into()));
        let cont = event_of(
            &mut parser,
            "\tASL Module \"com.apple.authd\" claims selected messages.",
        );
        assert_eq!(cont.time, event.time);
        assert_eq!(raw(&cont, "continuation"), Some("true".into()));
        assert!(matches!(
            parser.parse_line("just text"),
            LineOutcome::Reject(_)
        ));
        assert!(matches!(parser.parse_line(""), LineOutcome::Skip));
    }

    #[test]
    fn journald_json_export() {
        let line = r#"{"__REALTIME_TIMESTAMP":"1700000000123456","_HOSTNAME":"web1","SYSLOG_IDENTIFIER":"sshd","_PID":"812","PRIORITY":"6","SYSLOG_FACILITY":"4","MESSAGE":"Failed password for root from 203.0.113.5 port 50022 ssh2"}"#;
        let event = event_of(&mut parser_with_year(2020), line);
        assert_eq!(event.class_uid, 3002);
        assert_eq!(event.time, 1_700_000_000_123);
        assert_eq!(event.status_id, 2);
        assert_eq!(raw(&event, "_HOSTNAME"), Some("web1".into()));
        let plain = r#"{"__REALTIME_TIMESTAMP":"1700000000000000","MESSAGE":"Started \"x\"","SYSLOG_IDENTIFIER":"systemd","PRIORITY":"3"}"#;
        let event = event_of(&mut parser_with_year(2020), plain);
        assert_eq!(event.class_uid, 0);
        assert_eq!(event.message.as_deref(), Some("Started \"x\""));
        assert_eq!(event.severity_id, Severity::Medium);
        assert!(is_journald_line(plain));
        assert!(matches!(
            parser_with_year(2020).parse_line(r#"{"MESSAGE":"x"}"#),
            LineOutcome::Reject(_)
        ));
    }

    #[test]
    fn bsd_timestamp_fast_shapes_and_fallbacks() {
        assert_eq!(
            bsd_timestamp("Nov 14 10:02:03 host"),
            Some((11, 14, (10, 2, 3), 0, 15))
        );
        assert_eq!(
            bsd_timestamp("sep  6 09:57:21"),
            Some((9, 6, (9, 57, 21), 0, 15))
        );
        assert_eq!(
            bsd_timestamp("Sep 6 09:57:21.25 x"),
            Some((9, 6, (9, 57, 21), 250, 17))
        );
        assert_eq!(
            bsd_timestamp("Jan 31 23:59:59.5 x"),
            Some((1, 31, (23, 59, 59), 500, 17))
        );
        assert_eq!(bsd_timestamp("Foo 14 10:02:03 host"), None);
        assert_eq!(bsd_timestamp("Nov 14 10:02:03x"), None);
        assert_eq!(bsd_timestamp("Nov 14 10:0:03 h"), None);
    }

    #[test]
    fn short_word_split_matches_split_word() {
        for text in [
            "",
            "   ",
            "host sshd[1]: x",
            "  host   tag: y",
            "averyveryverylonghostname tag",
            "word",
            "word ",
            "a b",
        ] {
            assert_eq!(split_short_word(text), split_word(text), "{text:?}");
        }
    }

    #[test]
    fn usual_host_and_tag_reader_agrees_with_the_general_one() {
        let cases: [(&str, HostTag<'_>); 12] = [
            (
                "web1 sshd[812]: Accepted x",
                (Some("web1"), Some("sshd"), Some("812"), "Accepted x"),
            ),
            (
                "web1 sudo:    alice : TTY=pts/0",
                (Some("web1"), Some("sudo"), None, "alice : TTY=pts/0"),
            ),
            ("h app:", (Some("h"), Some("app"), None, "")),
            ("h app: ", (Some("h"), Some("app"), None, "")),
            (
                "h sshd-session[]: x",
                (Some("h"), Some("sshd-session"), None, "x"),
            ),
            ("h [1]: x", (Some("h"), Some(""), Some("1"), "x")),
            // Shapes the usual reader leaves to the general one.
            ("sshd[1]: local", (None, Some("sshd"), Some("1"), "local")),
            (
                "h  app: two spaces",
                (Some("h"), Some("app"), None, "two spaces"),
            ),
            (
                "h lookup for opt",
                (Some("h"), None, None, "lookup for opt"),
            ),
            ("h :", (Some("h"), None, None, ":")),
            (
                "--- last message repeated 2 times ---",
                (None, None, None, "--- last message repeated 2 times ---"),
            ),
            ("host", (Some("host"), None, None, "")),
        ];
        for (rest, expected) in cases {
            assert_eq!(host_and_tag(rest), expected, "{rest:?}");
            assert_eq!(host_and_tag_general(rest), expected, "{rest:?}");
        }
        assert_eq!(host_and_tag_usual("sshd[1]: local"), None);
        assert_eq!(host_and_tag_usual("h  app: x"), None);
        assert_eq!(host_and_tag_usual("h app"), None);
    }

    #[test]
    fn line_trims_match_str_trims() {
        for text in [
            "",
            " ",
            "\r",
            "a \r",
            "a\r\n",
            " \t ",
            "\u{a0}",
            "x \r \r",
            "é \r",
            "\u{2003}x",
            "{\"a\":1} \r",
        ] {
            assert_eq!(
                trim_end_cr_space(text),
                text.trim_end_matches(['\r', ' ']),
                "{text:?}"
            );
            assert_eq!(is_blank(text), text.trim_start().is_empty(), "{text:?}");
        }
    }

    #[test]
    fn clock_day_cache_gives_civil_ms() {
        let mut clock = Clock::new(&ParseOptions::default());
        for (year, month, day, hms) in [
            (2024, 2, 29, (23, 59, 60)),
            (2024, 2, 29, (0, 0, 0)),
            (2024, 3, 1, (12, 30, 5)),
            (2023, 3, 1, (12, 30, 5)),
            (2023, 3, 1, (24, 0, 0)),
            (2023, 13, 1, (1, 0, 0)),
            (2023, 12, 0, (1, 0, 0)),
            (10_000, 1, 1, (1, 0, 0)),
            (1970, 1, 1, (0, 0, 0)),
        ] {
            let (h, m, s) = hms;
            assert_eq!(
                clock.civil_ms(year, month, day, h, m, s, 7),
                civil_ms(year, month, day, h, m, s, 7),
                "{year}-{month}-{day} {hms:?}"
            );
        }
        assert_eq!(
            clock.civil_ms(1970, 1, 2, 0, 0, 1, 0),
            Some(86_401_000),
            "a day and a second"
        );
    }

    proptest::proptest! {
        #[test]
        fn bsd_timestamp_fast_path_agrees_with_the_general_reader(
            edits in crate::text::test_support::edits(),
        ) {
            for base in ["Nov 14 10:02:03 web1 sshd[1]: x", "Dec  7 14:53:04", "Jan 1 00:00:00.123 h"] {
                for line in crate::text::test_support::mutations(base, &edits) {
                    proptest::prop_assert_eq!(
                        bsd_timestamp(&line),
                        bsd_timestamp_general(&line),
                        "{:?}",
                        line
                    );
                }
            }
        }

        #[test]
        fn usual_host_and_tag_reader_agrees_with_the_general_one_on_mutations(
            edits in crate::text::test_support::edits(),
            text in "[a1 :\\[\\]\u{e9}-]{0,24}",
        ) {
            if let Some(usual) = host_and_tag_usual(&text) {
                proptest::prop_assert_eq!(usual, host_and_tag_general(&text), "{:?}", text);
            }
            for base in [
                "web1 sshd[812]: Accepted publickey for a from 1.2.3.4 port 5 ssh2",
                "web1 sudo:    alice : TTY=pts/0 ; USER=root ; COMMAND=/bin/sh",
                "h app: x",
            ] {
                for rest in crate::text::test_support::mutations(base, &edits) {
                    let rest = rest.trim_start_matches(' ');
                    if let Some(usual) = host_and_tag_usual(rest) {
                        proptest::prop_assert_eq!(usual, host_and_tag_general(rest), "{:?}", rest);
                    }
                }
            }
        }

        #[test]
        fn line_trims_agree_with_str_trims(text in "[a \r\t\n\u{a0}\u{e9}{]{0,8}") {
            proptest::prop_assert_eq!(trim_end_cr_space(&text), text.trim_end_matches(['\r', ' ']));
            proptest::prop_assert_eq!(is_blank(&text), text.trim_start().is_empty());
        }

        #[test]
        fn short_word_split_agrees_with_split_word(text in "[a :\t\u{e9}]{0,30}") {
            proptest::prop_assert_eq!(split_short_word(&text), split_word(&text));
        }

        #[test]
        fn clock_day_cache_agrees_over_sequences(
            days in proptest::collection::vec((1990i64..2030, 0u32..14, 0u32..33, 0u32..25), 1..20),
        ) {
            let mut clock = Clock::new(&ParseOptions::default());
            for (year, month, day, hour) in days {
                proptest::prop_assert_eq!(
                    clock.civil_ms(year, month, day, hour, 59, 58, 1),
                    civil_ms(year, month, day, hour, 59, 58, 1)
                );
            }
        }

        #[test]
        fn never_panics(line in ".{0,300}", edits in crate::text::test_support::edits()) {
            let mut parser = parser_with_year(2024);
            let _ = parser.parse_line(&line);
            for base in [
                "<38>1 2022-01-19T14:23:55+00:00 host sshd 1 - [meta a=\"1\"] Invalid user x from 1.2.3.4 port 3",
                "Dec  7 14:53:04 host sudo: alice : TTY=pts/1 ; PWD=/ ; USER=root ; COMMAND=/bin/sh",
                "Sep 15 16:13:46 host nginx[2869]: 1.2.3.4 - - [15/Sep/2021:16:13:46 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"",
                r#"{"__REALTIME_TIMESTAMP":"1700000000000000","MESSAGE":"Accepted password for a from 1.2.3.4 port 2 ssh2","SYSLOG_IDENTIFIER":"sshd"}"#,
            ] {
                mutations_never_panic(&mut parser, base, &edits);
            }
        }
    }
}
