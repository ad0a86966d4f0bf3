//! Web server logs (nginx, Apache): access logs in the common, combined and vhost-combined
//! formats (also when carried in syslog, and without the time when the syslog header has
//! it), and the error logs of both servers.
//!
//! Access lines → OCSF HTTP Activity (4002), activity from the method. nginx error lines that
//! name a request → HTTP Activity with status Failure; other error lines → Base Event with the
//! message and the level as severity. Field names in `unmapped` are nginx's variable names
//! (`remote_addr`, `time_local`, `request`, `status`, `body_bytes_sent`, `http_referer`,
//! `http_user_agent`, …); see `docs/mappings/web_access.md`.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr};

use logsec_event::{
    Actor, Endpoint, Event, HttpRequest, HttpResponse, RawRecord, Severity, SourceFormat, User,
    ocsf,
};

use crate::line::{LineOutcome, LineParser};
use crate::options::ParseOptions;
use crate::text::common::{
    http_activity, http_status_id, set_status, set_url_of_inline, split_request_line,
    split_request_line_inline, url_of,
};
use crate::text::scan::{
    CLF_TIME_LEN, ClfDayCache, Delim, Token, TokenArray, Tokens, Unmapped, absent, civil_ms,
    closing_quote_short_inline, digits_ending_at, ipv4_exact_at, month_from_abbr, parse_clf_time,
    parse_clf_time_fixed_cached, parse_i64, parse_ip, parse_ipv4, separator_at, span,
    split_host_port,
};
use crate::text::syslog::{self, Clock};

/// Names for fields logged after the user agent (nginx's `$http_x_forwarded_for`, request
/// times, …), which have no fixed meaning.
const EXTRA: [&str; 8] = [
    "extra_1", "extra_2", "extra_3", "extra_4", "extra_5", "extra_6", "extra_7", "extra_8",
];

/// Programs whose syslog messages are web server access lines.
pub(crate) fn is_access_program(app: Option<&str>) -> bool {
    matches!(
        app,
        Some("nginx" | "apache" | "apache2" | "httpd" | "lighttpd")
    )
}

/// Where the fields of an access line sit.
struct Layout<'t, 'a> {
    vhost: Option<&'t Token<'a>>,
    remote: &'t Token<'a>,
    ident: &'t Token<'a>,
    user: &'t Token<'a>,
    time: Option<&'t Token<'a>>,
    request: &'t Token<'a>,
    status: &'t Token<'a>,
    rest: &'t [Token<'a>],
}

/// The ident field of lines that do not log it.
static NO_IDENT: Token<'static> = Token {
    text: "-",
    delim: Delim::Bare,
};

fn status_token_ok(status: &Token<'_>) -> bool {
    status.delim == Delim::Bare
        && (status.text == "-"
            || (status.text.len() == 3 && status.text.bytes().all(|b| b.is_ascii_digit())))
}

fn layout<'t, 'a>(tokens: &'t [Token<'a>]) -> Option<Layout<'t, 'a>> {
    let is_bracketed = |i: usize| tokens.get(i).is_some_and(|t| t.delim == Delim::Bracketed);
    if is_bracketed(2) && !is_bracketed(3) {
        // `host user [time] …` without the ident field, as some nginx log_formats write.
        let request = tokens.get(3)?;
        let status = tokens.get(4)?;
        if tokens.first()?.delim != Delim::Bare
            || request.delim != Delim::Quoted
            || !status_token_ok(status)
        {
            return None;
        }
        return Some(Layout {
            vhost: None,
            remote: tokens.first()?,
            ident: &NO_IDENT,
            user: tokens.get(1)?,
            time: tokens.get(2),
            request,
            status,
            rest: tokens.get(5..).unwrap_or(&[]),
        });
    }
    let start = usize::from(!is_bracketed(3) && is_bracketed(4));
    let remote = tokens.get(start)?;
    let (time, request_at) = if is_bracketed(start + 3) {
        (tokens.get(start + 3), start + 4)
    } else {
        (None, start + 3)
    };
    let request = tokens.get(request_at)?;
    let status = tokens.get(request_at + 1)?;
    if remote.delim != Delim::Bare || request.delim != Delim::Quoted || !status_token_ok(status) {
        return None;
    }
    Some(Layout {
        vhost: (start == 1).then(|| tokens.first()).flatten(),
        remote,
        ident: tokens.get(start + 1)?,
        user: tokens.get(start + 2)?,
        time,
        request,
        status,
        rest: tokens.get(request_at + 2..).unwrap_or(&[]),
    })
}

/// Whether a text is an access line (for detection and for syslog messages).
pub(crate) fn looks_like_access(text: &str) -> bool {
    // Every layout has a quoted request: one byte search rules out most syslog messages
    // before they are tokenized.
    if memchr::memchr(b'"', text.as_bytes()).is_none() {
        return false;
    }
    let array = Tokens::new(text).array::<24>();
    layout(array.as_slice())
        .is_some_and(|l| l.time.is_none_or(|t| parse_clf_time(t.text).is_some()))
}

/// The fields of an access line before the response size: where they sit depends on the
/// layout (see [`layout`]).
struct AccessHead<'a> {
    vhost: Option<&'a str>,
    remote: &'a str,
    /// The remote address read as IPv4 when the fast path has read it (`Some(None)`: not an
    /// IPv4 address).
    remote_ipv4: Option<Option<Ipv4Addr>>,
    ident: &'a str,
    user: &'a str,
    /// The `[time]` text and its value, when the line has one.
    time: Option<(&'a str, i64)>,
    request: &'a str,
    status: &'a str,
    /// The status as a number.
    status_code: Option<i64>,
    /// The response size and its value, when the fast path read it (the general path leaves
    /// it among the tokens after the status).
    size: Option<(&'a str, Option<i64>)>,
}

/// Whether a token that starts at `at` is bare (a run of non-space bytes): not a quoted
/// string, not a bracketed group, not a separator.
#[inline(always)]
fn bare_start(bytes: &[u8], at: usize) -> bool {
    /// Whether a token may start with each byte: one load instead of four comparisons.
    const BARE: [bool; 256] = {
        let mut table = [true; 256];
        table[b' ' as usize] = false;
        table[b'\t' as usize] = false;
        table[b'"' as usize] = false;
        table[b'[' as usize] = false;
        table
    };
    bytes.get(at).is_some_and(|b| BARE[usize::from(*b)])
}

/// Reads the head of an access line in the usual layouts, `HOST IDENT USER [TIME] "REQUEST"
/// STATUS` and the same after a virtual host, fields one space apart and the time in its
/// fixed-width shape, without the general tokenizer; returns the head and the tokens after
/// the status.
///
/// `None` for anything else, which the general path ([`Tokens`] and [`layout`]) then reads.
/// Wherever this answers, it answers what the general path would: it accepts only tokens the
/// tokenizer reads the same way (bare words end at the first space; the time holds no `]`, so
/// its group ends at the `]` after it; a quoted request ends where the tokenizer ends it), in
/// the positions [`layout`] gives them.
#[inline(always)]
fn fast_head<'a>(
    text: &'a str,
    day_cache: &mut ClfDayCache,
) -> Option<(AccessHead<'a>, Tokens<'a>)> {
    let bytes = text.as_bytes();
    // Up to four bare words, one space apart, then the `[`.
    let mut words = [(0usize, 0usize); 4];
    let mut count = 0;
    let mut at = 0;
    loop {
        if !bare_start(bytes, at) {
            return None;
        }
        let end = separator_at(bytes, at, false);
        *words.get_mut(count)? = (at, end);
        count += 1;
        if bytes.get(end) != Some(&b' ') {
            return None;
        }
        at = end + 1;
        if bytes.get(at) == Some(&b'[') && count >= 3 {
            break;
        }
    }
    let word = |i: usize| -> Option<&str> {
        let (from, to) = *words.get(i)?;
        span(text, from, to)
    };
    let (vhost, first) = if count == 4 {
        (Some(word(0)?), 1)
    } else {
        (None, 0)
    };
    let time_at = at + 1;
    let time_bytes: &[u8; CLF_TIME_LEN] = bytes
        .get(time_at..time_at + CLF_TIME_LEN)?
        .try_into()
        .ok()?;
    let time_ms = parse_clf_time_fixed_cached(time_bytes, day_cache)?;
    let close = time_at + CLF_TIME_LEN;
    if bytes.get(close) != Some(&b']')
        || bytes.get(close + 1) != Some(&b' ')
        || bytes.get(close + 2) != Some(&b'"')
    {
        return None;
    }
    let request_at = close + 3;
    let request_end = closing_quote_short_inline(bytes, request_at);
    // The request is followed by one space and a bare status.
    if bytes.get(request_end + 1) != Some(&b' ') || !bare_start(bytes, request_end + 2) {
        return None;
    }
    let status_at = request_end + 2;
    let status_end = separator_at(bytes, status_at, false);
    let status = span(text, status_at, status_end)?;
    let status_code = match status.as_bytes() {
        [b'-'] => None,
        [a, b, c] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            Some(i64::from(a - b'0') * 100 + i64::from(b - b'0') * 10 + i64::from(c - b'0'))
        }
        _ => return None,
    };
    // The response size, a bare word one space after the status.
    let mut tail_at = status_end;
    let mut size = None;
    if bytes.get(status_end) == Some(&b' ') && bare_start(bytes, status_end + 1) {
        let size_end = separator_at(bytes, status_end + 1, false);
        let size_text = span(text, status_end + 1, size_end)?;
        let value = match digits_ending_at(bytes, size_end, size_text.len()) {
            Some(value) => i64::try_from(value).ok(),
            None => parse_i64(size_text),
        };
        size = Some((size_text, value));
        tail_at = size_end;
    }
    let (remote_from, remote_to) = *words.get(first)?;
    let remote_ipv4 = ipv4_exact_at(bytes.get(remote_from..)?, remote_to - remote_from);
    let head = AccessHead {
        vhost,
        remote: word(first)?,
        remote_ipv4: Some(remote_ipv4),
        ident: word(first + 1)?,
        user: word(first + 2)?,
        time: Some((span(text, time_at, close)?, time_ms)),
        request: span(text, request_at, request_end)?,
        status,
        status_code,
        size,
    };
    Some((head, Tokens::at(text, tail_at)))
}

/// The HTTP Activity event of an access line `text` (the whole line, or a syslog message).
/// `fallback_time` is used when the access line has no time of its own; `unmapped` may
/// already hold the syslog header's fields.
pub(crate) fn access_event<'a>(
    line: &'a str,
    text: &'a str,
    fallback_time: Option<i64>,
    unmapped: Unmapped<'a>,
    format: SourceFormat,
    _offset_secs: i64,
) -> Result<Box<Event<'a>>, String> {
    let mut day_cache = ClfDayCache::default();
    access_event_with(line, text, fallback_time, unmapped, format, &mut day_cache)
}

/// [`access_event`] with the day of the previous line's time kept in `day_cache`.
#[inline(always)]
fn access_event_with<'a>(
    line: &'a str,
    text: &'a str,
    fallback_time: Option<i64>,
    unmapped: Unmapped<'a>,
    format: SourceFormat,
    day_cache: &mut ClfDayCache,
) -> Result<Box<Event<'a>>, String> {
    match fast_head(text, day_cache) {
        Some((head, rest)) => {
            let time = head.time.map_or(0, |(_, ms)| ms);
            Ok(build_access_event(line, head, time, rest, unmapped, format))
        }
        None => access_event_general(line, text, fallback_time, unmapped, format),
    }
}

/// [`access_event`] for every layout, through the general tokenizer.
fn access_event_general<'a>(
    line: &'a str,
    text: &'a str,
    fallback_time: Option<i64>,
    unmapped: Unmapped<'a>,
    format: SourceFormat,
) -> Result<Box<Event<'a>>, String> {
    let mut array = TokenArray::<24>::new();
    array.read(Tokens::new(text));
    let tokens = array.as_slice();
    let Some(l) = layout(tokens) else {
        return Err(
            "not a web access log line: expected HOST IDENT USER [TIME] \"REQUEST\" STATUS BYTES"
                .to_owned(),
        );
    };
    let (time, time_text) = match l.time {
        Some(token) => (
            parse_clf_time(token.text)
                .ok_or_else(|| format!("invalid access log time [{}]", token.text))?,
            Some(token.text),
        ),
        None => (
            fallback_time.ok_or("access log line without a [time]")?,
            None,
        ),
    };
    let head = AccessHead {
        vhost: l.vhost.map(|t| t.text),
        remote: l.remote.text,
        remote_ipv4: None,
        ident: l.ident.text,
        user: l.user.text,
        time: time_text.map(|text| (text, time)),
        request: l.request.text,
        status: l.status.text,
        status_code: parse_i64(l.status.text),
        size: None,
    };
    Ok(build_access_event(
        line,
        head,
        time,
        l.rest.iter().copied(),
        unmapped,
        format,
    ))
}

/// The event of an access line whose head is read; `rest` are the tokens after the status.
#[inline(always)]
fn build_access_event<'a>(
    line: &'a str,
    head: AccessHead<'a>,
    time: i64,
    rest: impl Iterator<Item = Token<'a>>,
    mut unmapped: Unmapped<'a>,
    format: SourceFormat,
) -> Box<Event<'a>> {
    // The size if the next token is bare, then the referer and the user agent if quoted;
    // `next` is the first token not taken. (Written out: `Peekable::next_if` kept its peeked
    // token in a nested option it stored and reloaded on every call.)
    let mut rest = rest;
    let mut next = rest.next();
    let mut take_if = |wanted: Delim| match next {
        Some(token) if token.delim == wanted => {
            next = rest.next();
            Some(token.text)
        }
        _ => None,
    };
    let (bytes, length) = match head.size {
        Some((text, value)) => (Some(text), value),
        None => {
            let bytes = take_if(Delim::Bare);
            (bytes, bytes.and_then(parse_i64))
        }
    };
    let referer = take_if(Delim::Quoted);
    let user_agent = if referer.is_some() {
        take_if(Delim::Quoted)
    } else {
        None
    };
    let (method, target, version) = split_request_line_inline(head.request);
    let status = head.status_code;

    unmapped.opt("server_name", head.vhost);
    unmapped.str("remote_addr", head.remote);
    unmapped.str("remote_logname", head.ident);
    unmapped.str("remote_user", head.user);
    unmapped.opt("time_local", head.time.map(|(text, _)| text));
    unmapped.str("request", head.request);
    unmapped.opt("request_method", method);
    unmapped.opt("request_uri", target);
    unmapped.opt("server_protocol", version);
    unmapped.str("status", head.status);
    unmapped.opt("body_bytes_sent", bytes);
    unmapped.opt("http_referer", referer);
    unmapped.opt("http_user_agent", user_agent);
    // Most lines end with the user agent: no iterator is set up for them.
    if let Some(first) = next {
        for (name, token) in EXTRA.iter().zip(std::iter::once(first).chain(rest)) {
            unmapped.str(name, token.text);
        }
    }

    let activity = http_activity(method.unwrap_or(""));
    let mut event = Event::new_boxed(&ocsf::HTTP_ACTIVITY, activity, format);
    event.time = time;
    if let Some(status) = status {
        set_status(&mut event, http_status_id(status));
        event.status_code = Some(Cow::Borrowed(head.status));
    }
    // The boxed objects are filled in place on the heap: a struct literal in `Box::new` is
    // built on the stack and copied, and the copy stalls on the stores that just built it.
    let remote = head.remote;
    let mut src = Box::<Endpoint<'a>>::default();
    // An IPv4 address comes back in a register (the general `parse_ip` returns through
    // memory, and storing its answer stalled on the narrow stores that wrote it).
    let ipv4 = match head.remote_ipv4 {
        Some(known) => known,
        None => parse_ipv4(remote),
    };
    match ipv4 {
        Some(v4) => src.ip = Some(IpAddr::V4(v4)),
        None => match parse_ip(remote) {
            Some(ip) => src.ip = Some(ip),
            None => src.hostname = Some(Cow::Borrowed(remote)),
        },
    }
    event.src_endpoint = Some(src);
    if let Some(user) = absent(head.user) {
        let mut actor = Box::<Actor<'a>>::default();
        actor.user = Some(User {
            name: Some(Cow::Borrowed(user)),
            ..User::default()
        });
        event.actor = Some(actor);
    }
    let (vhost_name, vhost_port) = match head.vhost {
        Some(vhost) => match vhost.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => {
                (Some(host), port.parse().ok())
            }
            _ => (Some(vhost), None),
        },
        None => (None, None),
    };
    let mut request = Box::<HttpRequest<'a>>::default();
    request.http_method = method.map(Cow::Borrowed);
    if let Some(target) = target {
        set_url_of_inline(&mut request.url, target, vhost_name, vhost_port);
    }
    request.user_agent = user_agent.filter(|u| *u != "-").map(Cow::Borrowed);
    request.referrer = referer.filter(|r| *r != "-").map(Cow::Borrowed);
    request.version = version.map(Cow::Borrowed);
    event.http_request = Some(request);
    let mut response = Box::<HttpResponse<'a>>::default();
    response.code = status;
    response.length = length;
    event.http_response = Some(response);
    unmapped.store_in(&mut event.unmapped);
    event.raw = RawRecord::text(line);
    event
}

/// OCSF severity of an nginx/Apache error level.
fn level_severity(level: &str) -> Severity {
    match level {
        "emerg" => Severity::Fatal,
        "alert" => Severity::Critical,
        "crit" => Severity::High,
        "error" => Severity::Medium,
        "warn" | "warning" => Severity::Low,
        _ => Severity::Informational,
    }
}

/// Whether a line is an nginx error log line (`2021/09/30 09:23:53 [error] …`).
pub(crate) fn is_nginx_error(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() > 22
        && b.get(4) == Some(&b'/')
        && b.get(7) == Some(&b'/')
        && b.get(10) == Some(&b' ')
        && b.get(13) == Some(&b':')
        && b.get(19) == Some(&b' ')
        && b.get(20) == Some(&b'[')
        && b.get(..4).is_some_and(|y| y.iter().all(u8::is_ascii_digit))
}

/// Whether a line is an Apache error log line (`[Fri Oct 08 17:08:41.203277 2021] [core:error] …`).
pub(crate) fn is_apache_error(line: &str) -> bool {
    apache_time(line).is_some()
}

/// Parses `[Www Mmm dd hh:mm:ss[.ffffff] yyyy]` at the start of a line: the time text and the
/// rest after `] `.
fn apache_time(line: &str) -> Option<(&str, i64, &str)> {
    let body = line.strip_prefix('[')?;
    let close = body.find(']')?;
    let text = body.get(..close)?;
    let mut parts = text.split(' ').filter(|p| !p.is_empty());
    let (_weekday, month, day, clock, year) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let month = month_from_abbr(month.as_bytes())?;
    let day: u32 = day.parse().ok()?;
    let year: i64 = year.parse().ok()?;
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let mut hms_parts = hms.split(':');
    let hour: u32 = hms_parts.next()?.parse().ok()?;
    let minute: u32 = hms_parts.next()?.parse().ok()?;
    let second: u32 = hms_parts.next()?.parse().ok()?;
    let millis = frac
        .get(..frac.len().min(3))
        .and_then(|f| format!("{f:0<3}").parse::<u32>().ok())
        .unwrap_or(0);
    let ms = civil_ms(year, month, day, hour, minute, second, millis)?;
    Some((text, ms, body.get(close + 1..)?.trim_start()))
}

/// The event of an nginx error log line `text` (the whole line, or a syslog message):
/// HTTP Activity (status Failure) when it names a request, a Base Event otherwise.
pub(crate) fn nginx_error_event<'a>(
    line: &'a str,
    text: &'a str,
    offset_secs: i64,
    mut unmapped: Unmapped<'a>,
    format: SourceFormat,
) -> Result<Box<Event<'a>>, String> {
    let num = |from: usize, len: usize| -> Option<u32> { text.get(from..from + len)?.parse().ok() };
    let time = (|| {
        civil_ms(
            i64::from(num(0, 4)?),
            num(5, 2)?,
            num(8, 2)?,
            num(11, 2)?,
            num(14, 2)?,
            num(17, 2)?,
            0,
        )
    })()
    .ok_or("nginx error log line with an invalid time")?
        - offset_secs * 1000;
    let after = text.get(21..).unwrap_or("");
    let (level, rest) = after
        .split_once("] ")
        .ok_or("nginx error log line without a [level]")?;
    let (pid_tid, rest) = match rest.split_once(": ") {
        Some((head, tail)) if head.contains('#') => (Some(head), tail),
        _ => (None, rest),
    };
    let (pid, tid) = pid_tid.map_or((None, None), |p| match p.split_once('#') {
        Some((pid, tid)) => (Some(pid), Some(tid)),
        None => (Some(p), None),
    });
    let (cid, rest) = match rest.strip_prefix('*').and_then(|r| r.split_once(' ')) {
        Some((cid, tail)) if cid.bytes().all(|c| c.is_ascii_digit()) => (Some(cid), tail),
        _ => (None, rest),
    };
    // The context after the message: `, client: …, server: …, request: "…", host: "…"`.
    let context_at = rest.find(", client: ").unwrap_or(rest.len());
    let message = rest.get(..context_at).unwrap_or(rest);
    let context = rest.get(context_at..).unwrap_or("");
    let mut keys: Vec<(usize, &'static str)> = [
        "client",
        "server",
        "request",
        "subrequest",
        "upstream",
        "host",
        "referrer",
    ]
    .iter()
    .filter_map(|key| {
        let pattern = format!(", {key}: ");
        context.find(&pattern).map(|at| (at, *key))
    })
    .collect();
    keys.sort_unstable();
    unmapped.str("time", text.get(..19).unwrap_or(""));
    unmapped.str("level", level);
    unmapped.opt("pid", pid);
    unmapped.opt("tid", tid);
    unmapped.opt("cid", cid);
    unmapped.str("message", message);
    let mut values: [Option<&'a str>; 7] = [None; 7];
    for (index, (at, key)) in keys.iter().enumerate() {
        let start = at + key.len() + 4;
        let end = keys.get(index + 1).map_or(context.len(), |(next, _)| *next);
        let value = context.get(start..end).unwrap_or("");
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        unmapped.str(key, value);
        let slot = match *key {
            "client" => 0,
            "server" => 1,
            "request" => 2,
            "host" => 3,
            "upstream" => 4,
            "referrer" => 5,
            _ => 6,
        };
        if let Some(v) = values.get_mut(slot) {
            *v = Some(value);
        }
    }
    let [client, _server, request, host, _upstream, referrer, _] = values;
    let (method, target, version) = request.map_or((None, None, None), split_request_line);
    let mut event = if method.is_some() || target.is_some() {
        let activity = ocsf::http_activity_for_method(method.unwrap_or(""));
        let mut event = Event::new_boxed(&ocsf::HTTP_ACTIVITY, activity, format);
        event.set_status(ocsf::status::FAILURE);
        event.http_request = Some(Box::new(HttpRequest {
            http_method: method.map(Cow::Borrowed),
            url: target.map(|target| url_of(target, host, None)),
            referrer: referrer.map(Cow::Borrowed),
            version: version.map(Cow::Borrowed),
            ..HttpRequest::default()
        }));
        event.status_detail = Some(Cow::Borrowed(message));
        // Basic-auth failures name the user: `user "foo" was not found in …`,
        // `user "foo": password mismatch`.
        if let Some(user) = message
            .strip_prefix("user \"")
            .and_then(|rest| rest.split('"').next())
        {
            unmapped.str("user", user);
            event.actor = Some(Box::new(Actor {
                user: Some(User {
                    name: Some(Cow::Borrowed(user)),
                    ..User::default()
                }),
                ..Actor::default()
            }));
        }
        event
    } else {
        Event::new_boxed(&ocsf::BASE_EVENT, 99, format)
    };
    event.time = time;
    event.severity_id = level_severity(level);
    event.message = Some(Cow::Borrowed(message));
    if let Some(ip) = client.and_then(parse_ip) {
        event.src_endpoint = Some(Box::new(Endpoint {
            ip: Some(ip),
            ..Endpoint::default()
        }));
    }
    event.metadata.log_name = Some(Cow::Borrowed("error"));
    event.unmapped = Some(unmapped.build());
    event.raw = RawRecord::text(line);
    Ok(event)
}

/// The user of an Apache basic-auth failure: `AH01618: user sss not found: /`,
/// `AH01617: user bob: authentication failure for "/": Password Mismatch`.
fn apache_auth_failure_user(message: &str) -> Option<&str> {
    let rest = message
        .strip_prefix("AH01618: user ")
        .or_else(|| message.strip_prefix("AH01617: user "))?;
    let end = rest
        .find(" not found")
        .or_else(|| rest.find(": authentication failure"))?;
    rest.get(..end).filter(|user| !user.is_empty())
}

/// `line` without the carriage returns, spaces and tabs at its end, as
/// `line.trim_end_matches(['\r', ' ', '\t'])` gives it, from a byte loop.
fn trim_line_end(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut end = bytes.len();
    while let Some(b'\r' | b' ' | b'\t') = bytes.get(end.wrapping_sub(1)) {
        end -= 1;
    }
    line.get(..end).unwrap_or(line)
}

/// The web server log parser.
#[derive(Debug)]
pub(crate) struct WebAccessParser {
    clock: Clock,
    /// The day of the last access line's time.
    day_cache: ClfDayCache,
}

impl WebAccessParser {
    /// A parser configured from `options` (the syslog clock for access lines in syslog, the
    /// UTC offset for error-log times, which carry no zone).
    pub(crate) fn new(options: &ParseOptions) -> WebAccessParser {
        WebAccessParser {
            clock: Clock::new(options),
            day_cache: ClfDayCache::default(),
        }
    }

    fn apache_error<'a>(&self, line: &'a str) -> Result<Box<Event<'a>>, String> {
        let (time_text, time, mut rest) =
            apache_time(line).ok_or("Apache error log line with an invalid [time]")?;
        let mut unmapped = Unmapped::with_capacity(8);
        unmapped.str("time", time_text);
        let mut level = "";
        let mut client = None;
        while let Some(body) = rest.strip_prefix('[') {
            let Some(close) = body
                .find("] ")
                .or_else(|| body.ends_with(']').then(|| body.len() - 1))
            else {
                break;
            };
            let group = body.get(..close).unwrap_or("");
            rest = body.get(close + 1..).unwrap_or("").trim_start();
            if let Some(pid) = group.strip_prefix("pid ") {
                match pid.split_once(":tid ") {
                    Some((pid, tid)) => {
                        unmapped.str("pid", pid);
                        unmapped.str("tid", tid);
                    }
                    None => unmapped.str("pid", pid),
                }
            } else if let Some(addr) = group.strip_prefix("client ") {
                unmapped.str("client", addr);
                client = Some(addr);
            } else if let Some(addr) = group.strip_prefix("remote ") {
                unmapped.str("remote", addr);
            } else if let Some((module, lvl)) = group.split_once(':') {
                unmapped.str("module", module);
                unmapped.str("level", lvl);
                level = lvl;
            } else {
                unmapped.str("level", group);
                level = group;
            }
        }
        let message = rest.trim_end();
        unmapped.str("message", message);
        let auth_user = apache_auth_failure_user(message);
        let mut event = match auth_user {
            Some(user) => {
                unmapped.str("user", user);
                let mut event = Event::new_boxed(&ocsf::AUTHENTICATION, 1, SourceFormat::WebAccess);
                event.set_status(ocsf::status::FAILURE);
                event.status_detail = Some(Cow::Borrowed(message));
                event.user = Some(Box::new(User {
                    name: Some(Cow::Borrowed(user)),
                    ..User::default()
                }));
                event
            }
            None => Event::new_boxed(&ocsf::BASE_EVENT, 99, SourceFormat::WebAccess),
        };
        event.time = time - self.clock.offset_secs() * 1000;
        event.severity_id = level_severity(level);
        event.message = Some(Cow::Borrowed(message));
        if let Some(client) = client {
            let (ip, port) = split_host_port(client);
            event.src_endpoint = Some(Box::new(Endpoint {
                ip,
                port,
                ..Endpoint::default()
            }));
        }
        event.metadata.log_name = Some(Cow::Borrowed("error"));
        event.unmapped = Some(unmapped.build());
        event.raw = RawRecord::text(line);
        Ok(event)
    }
}

impl LineParser for WebAccessParser {
    fn format(&self) -> SourceFormat {
        SourceFormat::WebAccess
    }

    fn parse_line<'a>(&mut self, line: &'a str) -> LineOutcome<'a> {
        let text = trim_line_end(line);
        // A line that starts with a visible ASCII byte is not blank (the Unicode-aware trim
        // is only needed for the others).
        let starts_visible = text.as_bytes().first().is_some_and(u8::is_ascii_graphic);
        if !starts_visible && text.trim_start().is_empty() {
            return LineOutcome::Skip;
        }
        // Apache error lines start with `[`: the test is skipped on the others.
        let result = if is_nginx_error(text) {
            nginx_error_event(
                line,
                text,
                self.clock.offset_secs(),
                Unmapped::with_capacity(12),
                SourceFormat::WebAccess,
            )
        } else if text.starts_with('[') && is_apache_error(text) {
            self.apache_error(line)
        } else {
            match access_event_with(
                line,
                text,
                None,
                Unmapped::with_capacity(16),
                SourceFormat::WebAccess,
                &mut self.day_cache,
            ) {
                Ok(event) => Ok(event),
                Err(reason) => match syslog::parse_header(text, &mut self.clock) {
                    Some(header) => Ok(syslog::event_for(
                        line,
                        &header,
                        SourceFormat::WebAccess,
                        self.clock.offset_secs(),
                    )),
                    None => Err(reason),
                },
            }
        };
        match result {
            Ok(event) => LineOutcome::Event(event),
            Err(reason) => LineOutcome::Reject(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_support::{event_of, mutations_never_panic, raw};

    const COMBINED: &str = r#"81.150.104.130 - frank [15/Sep/2021:16:13:46 +0000] "POST /wp-login.php?a=1 HTTP/1.1" 200 5364 "https://ref.example/" "Mozilla/5.0 (X11)" "10.0.0.1""#;

    fn parser() -> WebAccessParser {
        WebAccessParser::new(&ParseOptions {
            syslog_year: Some(2021),
            ..ParseOptions::default()
        })
    }

    #[test]
    fn combined_line_maps_to_http_activity() {
        let event = event_of(&mut parser(), COMBINED);
        assert_eq!((event.class_uid, event.activity_id), (4002, 6));
        assert_eq!(event.time, 1_631_722_426_000);
        assert_eq!(
            event.src_endpoint.as_ref().unwrap().ip,
            Some("81.150.104.130".parse().unwrap())
        );
        assert_eq!(
            event
                .actor
                .as_ref()
                .unwrap()
                .user
                .as_ref()
                .unwrap()
                .name
                .as_deref(),
            Some("frank")
        );
        let request = event.http_request.as_ref().unwrap();
        assert_eq!(
            request.url.as_ref().unwrap().path.as_deref(),
            Some("/wp-login.php")
        );
        assert_eq!(
            request.url.as_ref().unwrap().query_string.as_deref(),
            Some("a=1")
        );
        assert_eq!(request.referrer.as_deref(), Some("https://ref.example/"));
        assert_eq!(request.user_agent.as_deref(), Some("Mozilla/5.0 (X11)"));
        assert_eq!(request.version.as_deref(), Some("HTTP/1.1"));
        assert_eq!(event.http_response.as_ref().unwrap().length, Some(5364));
        assert_eq!(
            raw(&event, "http_user_agent"),
            Some("Mozilla/5.0 (X11)".into())
        );
        assert_eq!(raw(&event, "extra_1"), Some("10.0.0.1".into()));
        assert_eq!(raw(&event, "remote_logname"), None);
    }

    #[test]
    fn common_vhost_and_malformed_requests() {
        let event = event_of(
            &mut parser(),
            r#"172.17.0.1 - - [29/Sep/2021:12:37:05 +0000] "GET /start.php?lang=x HTTP/1.1" 404 196"#,
        );
        assert_eq!(event.status_id, 2);
        assert!(event.http_request.as_ref().unwrap().user_agent.is_none());
        let event = event_of(
            &mut parser(),
            r#"www.example.com:443 2001:db8::1 - - [29/Sep/2021:12:37:05 +0200] "GET / HTTP/2.0" 301 0 "-" "curl/8""#,
        );
        let url = event
            .http_request
            .as_ref()
            .unwrap()
            .url
            .as_ref()
            .unwrap()
            .clone();
        assert_eq!(url.hostname.as_deref(), Some("www.example.com"));
        assert_eq!(url.port, Some(443));
        assert_eq!(event.time, 1_632_911_825_000);
        assert_eq!(
            raw(&event, "server_name"),
            Some("www.example.com:443".into())
        );
        let event = event_of(
            &mut parser(),
            r#"1.2.3.4 - - [17/Oct/2023:05:57:49 +1100] "\x16\x03\x01\x01 \x02" 400 226 "-" "-""#,
        );
        assert_eq!(event.activity_id, 0);
        assert_eq!(
            event
                .http_request
                .as_ref()
                .unwrap()
                .url
                .as_ref()
                .unwrap()
                .url_string
                .as_deref(),
            Some(r"\x16\x03\x01\x01 \x02")
        );
        assert!(matches!(
            parser().parse_line("not a log line"),
            LineOutcome::Reject(_)
        ));
    }

    #[test]
    fn access_lines_in_syslog() {
        let line = r#"Sep 15 16:13:46 ip-172-31-43-28 nginx[2869]: 81.150.104.130 - - [15/Sep/2021:16:13:46 +0000] "POST /wp-login.php HTTP/1.1" 200 5364 "-" "Mozilla/5.0""#;
        let event = event_of(&mut parser(), line);
        assert_eq!(event.class_uid, 4002);
        assert_eq!(event.format(), Some(SourceFormat::WebAccess));
        assert_eq!(raw(&event, "hostname"), Some("ip-172-31-43-28".into()));
        assert_eq!(raw(&event, "remote_addr"), Some("81.150.104.130".into()));
        // No [time] in the access line: the syslog header's time is used.
        let line = r#"Mar 24 14:02:50 web1 tomcat.log: 127.0.0.1 - - "GET /bad.foo HTTP/1.1" 404 65508 4.386"#;
        let event = event_of(&mut parser(), line);
        assert_eq!(event.class_uid, 4002);
        assert_eq!(event.time, 1_616_594_570_000);
        assert_eq!(raw(&event, "extra_1"), Some("4.386".into()));
    }

    #[test]
    fn nginx_and_apache_error_lines() {
        let line = r#"2021/09/30 09:23:53 [error] 1925800#1925800: *17 user "foo" was not found in "/tmp/a.htpasswd", client: 127.0.0.1, server: _, request: "GET /admin HTTP/1.1", host: "localhost""#;
        let event = event_of(&mut parser(), line);
        assert_eq!(
            (event.class_uid, event.activity_id, event.status_id),
            (4002, 3, 2)
        );
        assert_eq!(event.time, 1_632_993_833_000);
        assert_eq!(event.severity_id, Severity::Medium);
        assert_eq!(
            event.message.as_deref(),
            Some(r#"user "foo" was not found in "/tmp/a.htpasswd""#)
        );
        assert_eq!(raw(&event, "server"), Some("_".into()));
        assert_eq!(raw(&event, "host"), Some("localhost".into()));
        assert_eq!(
            event
                .actor
                .as_ref()
                .unwrap()
                .user
                .as_ref()
                .unwrap()
                .name
                .as_deref(),
            Some("foo")
        );
        assert_eq!(
            event.src_endpoint.as_ref().unwrap().ip,
            Some("127.0.0.1".parse().unwrap())
        );
        let no_request = "2021/12/02 11:53:15 [warn] 1#1: worker process 2 exited";
        let event = event_of(&mut parser(), no_request);
        assert_eq!((event.class_uid, event.severity_id), (0, Severity::Low));

        let line = "[Fri Oct 08 17:08:41.203277 2021] [core:error] [pid 7005:tid 140667133085440] [client 88.168.206.87:14532] AH00126: Invalid URI in request GET /cgi-bin/.%2E/etc/passwd HTTP/1.1 ";
        let event = event_of(&mut parser(), line);
        assert_eq!(event.class_uid, 0);
        assert_eq!(event.time, 1_633_712_921_203);
        assert_eq!(raw(&event, "module"), Some("core".into()));
        assert_eq!(raw(&event, "tid"), Some("140667133085440".into()));
        assert_eq!(event.src_endpoint.as_ref().unwrap().port, Some(14532));
        assert!(event.message.as_deref().unwrap().starts_with("AH00126"));
        let auth = "[Thu Oct 13 12:24:49.880562 2022] [auth_basic:error] [pid 10:tid 1] [client 31.33.58.75:50229] AH01618: user sss not found: /";
        let event = event_of(&mut parser(), auth);
        assert_eq!((event.class_uid, event.status_id), (3002, 2));
        assert_eq!(event.user.as_ref().unwrap().name.as_deref(), Some("sss"));
        let line = r#"2022/07/28 16:37:00 [error] 1#1: *5 limiting requests, excess: 5.459 by zone "z", client: 192.168.1.1, server: example.com, request: "POST https://example.com/a?b", host: "example.com""#;
        let url = event_of(&mut parser(), line)
            .http_request
            .unwrap()
            .url
            .unwrap();
        assert_eq!(
            (
                url.scheme.as_deref(),
                url.path.as_deref(),
                url.query_string.as_deref()
            ),
            (Some("https"), Some("/a"), Some("b"))
        );
        // A URL inside the query string does not make the target absolute (SSRF probes).
        let ssrf = r#"198.51.100.42 - - [20/Nov/2026:10:00:00 +0000] "GET /preview?src=http://metadata.google.internal/computeMetadata/v1/ HTTP/1.1" 200 5120 "-" "curl/8""#;
        let url = event_of(&mut parser(), ssrf)
            .http_request
            .unwrap()
            .url
            .unwrap();
        assert_eq!(
            (
                url.scheme.as_deref(),
                url.path.as_deref(),
                url.query_string.as_deref()
            ),
            (
                None,
                Some("/preview"),
                Some("src=http://metadata.google.internal/computeMetadata/v1/")
            )
        );
        let no_ident = r#"192.168.1.1 - [08/Jun/2020:08:04:43 +0000] "GET /api/test HTTP/1.1" 200 100 "-" "curl/7.68.0""#;
        let event = event_of(&mut parser(), no_ident);
        assert_eq!(event.http_response.as_ref().unwrap().length, Some(100));
    }

    /// Access lines in every layout the fast path reads, and some it leaves to the general one.
    const ACCESS_BASES: [&str; 8] = [
        COMBINED,
        r#"192.0.3.60 - frank [14/Nov/2023:10:00:00 +0000] "GET /static/app.js HTTP/1.1" 404 22897"#,
        r#"www.example.com:443 2001:db8::1 - - [29/Sep/2021:12:37:05 +0200] "GET / HTTP/2.0" 301 0 "-" "curl/8""#,
        r#"1.2.3.4 - - [17/Oct/2023:05:57:49 +1100] "\x16\x03\x01 \"x\" \x02" - - "-" "-" a b c d e f g h i j"#,
        r#"192.168.1.1 - [08/Jun/2020:08:04:43 +0000] "GET /api/test HTTP/1.1" 200 100 "-" "curl/7.68.0""#,
        r#"10.0.0.1 - - [08/Jun/2020:08:04:43.120 +0000] "PATCH http://h:8080/a?b HTTP/1.0" 200 - "r" "u" "x""#,
        r#"1.2.3.4 - - [17/Oct/2023:05:57:49 +1100] "GET / HTTP/1.1" 200 123456789012 "-" "-""#,
        r#"1.2.3.4 - - [17/Oct/2023:05:57:49 +1100] "GET / HTTP/1.1" 200 -12"#,
    ];

    #[test]
    fn bare_start_table_refuses_separators_quotes_and_brackets() {
        for b in 0..=255u8 {
            let expected = !matches!(b, b' ' | b'\t' | b'"' | b'[');
            assert_eq!(bare_start(&[b'x', b], 1), expected, "{b}");
        }
        assert!(!bare_start(b"x", 1));
    }

    #[test]
    fn fast_path_reads_the_usual_layouts() {
        // The fast path must take the usual lines (else the speed is lost silently) and leave
        // the others to the general path.
        let taken: Vec<bool> = ACCESS_BASES
            .iter()
            .map(|line| fast_head(line, &mut ClfDayCache::default()).is_some())
            .collect();
        assert_eq!(taken, [true, true, true, true, false, false, true, true]);
        // Response sizes the eight-byte reader leaves to `parse_i64`.
        let length = |line| {
            event_of(&mut parser(), line)
                .http_response
                .as_ref()
                .unwrap()
                .length
        };
        assert_eq!(length(ACCESS_BASES[6]), Some(123_456_789_012));
        assert_eq!(length(ACCESS_BASES[7]), Some(-12));
        assert_eq!(length(ACCESS_BASES[1]), Some(22_897));
        let (head, _) = fast_head(ACCESS_BASES[2], &mut ClfDayCache::default()).unwrap();
        assert_eq!(
            (head.vhost, head.remote, head.user, head.status),
            (Some("www.example.com:443"), "2001:db8::1", "-", "301")
        );
        assert_eq!(
            head.time,
            Some(("29/Sep/2021:12:37:05 +0200", 1_632_911_825_000))
        );
        assert_eq!(head.request, "GET / HTTP/2.0");
        let event = event_of(&mut parser(), ACCESS_BASES[3]);
        assert_eq!(raw(&event, "extra_8"), Some("h".into()));
        assert_eq!(raw(&event, "extra_9"), None);
        assert_eq!(raw(&event, "status"), None);
        assert_eq!(event.http_response.as_ref().unwrap().length, None);
        assert_eq!(
            raw(&event, "request"),
            Some(r#"\x16\x03\x01 \"x\" \x02"#.into())
        );
    }

    /// What [`access_event`] returns.
    type AccessResult<'a> = Result<Box<Event<'a>>, String>;

    /// The event of an access line through the fast path and through the general path.
    fn both_paths(line: &str) -> Option<(Box<Event<'_>>, AccessResult<'_>)> {
        let (head, rest) = fast_head(line, &mut ClfDayCache::default())?;
        let time = head.time.map_or(0, |(_, ms)| ms);
        let fast = build_access_event(
            line,
            head,
            time,
            rest,
            Unmapped::with_capacity(16),
            SourceFormat::WebAccess,
        );
        let general = access_event_general(
            line,
            line,
            None,
            Unmapped::with_capacity(16),
            SourceFormat::WebAccess,
        );
        Some((fast, general))
    }

    #[test]
    fn fast_path_builds_what_the_general_path_builds() {
        for line in ACCESS_BASES {
            if let Some((fast, general)) = both_paths(line) {
                assert_eq!(Ok(fast), general, "{line}");
            }
        }
    }

    proptest::proptest! {
        /// Wherever the fast path reads a mutated access line, the general path builds the
        /// same event from it.
        #[test]
        fn fast_path_agrees_with_the_general_path(edits in crate::text::test_support::edits()) {
            for base in ACCESS_BASES {
                for line in crate::text::test_support::mutations(base, &edits) {
                    if let Some((fast, general)) = both_paths(&line) {
                        proptest::prop_assert_eq!(Ok(fast), general, "{}", line);
                    }
                }
            }
        }

        #[test]
        fn never_panics(line in ".{0,300}", edits in crate::text::test_support::edits()) {
            let mut p = parser();
            let _ = p.parse_line(&line);
            for base in [
                COMBINED,
                r#"2021/09/30 09:23:53 [error] 1#1: *17 x, client: 127.0.0.1, server: _, request: "GET / HTTP/1.1", host: "h""#,
                "[Fri Oct 08 17:08:41.203277 2021] [core:error] [pid 7005:tid 1] [client 1.2.3.4:1] AH00126: x",
                r#"Sep 15 16:13:46 h nginx[1]: 1.2.3.4 - - [15/Sep/2021:16:13:46 +0000] "GET / HTTP/1.1" 200 5 "-" "x""#,
            ] {
                mutations_never_panic(&mut p, base, &edits);
            }
        }
    }
}
