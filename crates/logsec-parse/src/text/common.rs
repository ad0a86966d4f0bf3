//! Mapping helpers shared by the HTTP-shaped text formats (S3, Envoy/Istio, ELB, web access).

use std::borrow::Cow;

use logsec_event::ocsf::{self, status};
use logsec_event::{Event, Url};

use crate::text::scan::{separator_at, split_absolute_url, split_query, split3_spaces};

/// The OCSF `url` of a request target: an absolute-form target (`https://host:443/p?q`) is
/// split into scheme, host, port, path and query; an origin-form target (`/p?q`) into path and
/// query, with `host` (a Host header, a virtual host) as the host name.
pub(crate) fn url_of<'a>(target: &'a str, host: Option<&'a str>, port: Option<u16>) -> Url<'a> {
    match split_absolute_url(target) {
        Some(parts) => Url {
            scheme: Some(Cow::Borrowed(parts.scheme)),
            hostname: Some(Cow::Borrowed(parts.host)),
            port: parts.port,
            path: Some(Cow::Borrowed(parts.path)),
            query_string: parts.query.map(Cow::Borrowed),
            url_string: Some(Cow::Borrowed(target)),
        },
        None => {
            let (path, query) = split_query(target);
            Url {
                path: Some(Cow::Borrowed(path)),
                query_string: query.map(Cow::Borrowed),
                hostname: host.map(Cow::Borrowed),
                port,
                url_string: Some(Cow::Borrowed(target)),
                ..Url::default()
            }
        }
    }
}

/// Whether a byte may be part of an HTTP method: a capital, `_` or `-`.
fn is_method_byte(b: u8) -> bool {
    b.is_ascii_uppercase() || b == b'_' || b == b'-'
}

/// The number of method bytes ([`is_method_byte`]) at the start of `bytes`, when a
/// non-method byte comes within the first eight; `None` when fewer than eight bytes are left
/// or all eight are method bytes.
///
/// The eight bytes are classified at once (a byte loop mispredicted at the end of every
/// method, whose length varies from line to line): for a byte `x` below `0x80`, `x + 0x3F`
/// has its high bit set when `x >= b'A'` and `x + 0x25` when `x > b'Z'`, without a carry into
/// the next byte; equality with `_` or `-` is an XOR that is zero, and `y + 0x7F` has its high
/// bit clear exactly when `y` is zero. Bytes from `0x80` up are never method bytes.
#[inline(always)]
fn method_bytes_len(bytes: &[u8]) -> Option<usize> {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const fn each(b: u8) -> u64 {
        u64::from_le_bytes([b; 8])
    }
    let chunk = bytes.get(..8)?;
    let mut eight = [0u8; 8];
    eight.copy_from_slice(chunk);
    let word = u64::from_le_bytes(eight);
    let low = word & LOW7;
    let at_least_a = low + each(0x80 - b'A');
    let above_z = low + each(0x80 - b'Z' - 1);
    let capital = at_least_a & !above_z;
    let underscore = !((low ^ each(b'_')) + LOW7);
    let dash = !((low ^ each(b'-')) + LOW7);
    let method = (capital | underscore | dash) & !word & HIGH;
    let other = !method & HIGH;
    (other != 0).then(|| (other.trailing_zeros() / 8) as usize)
}

/// The longest text taken as an HTTP method.
const METHOD_MAX: usize = 24;

/// [`url_of`] written into `slot` where it stays (a boxed request's `url`): a returned `Url`
/// of some 150 bytes is copied on its way there, and the copy stalls on the stores that just
/// built it.
pub(crate) fn set_url_of<'a>(
    slot: &mut Option<Url<'a>>,
    target: &'a str,
    host: Option<&'a str>,
    port: Option<u16>,
) {
    set_url_of_inline(slot, target, host, port);
}

/// [`set_url_of`] inlined into the caller: the web access fast path (which saves the call);
/// other callers keep the call, which their own code lays out better around.
#[inline(always)]
pub(crate) fn set_url_of_inline<'a>(
    slot: &mut Option<Url<'a>>,
    target: &'a str,
    host: Option<&'a str>,
    port: Option<u16>,
) {
    let url = slot.insert(Url::default());
    url.url_string = Some(Cow::Borrowed(target));
    match split_absolute_url(target) {
        Some(parts) => {
            url.scheme = Some(Cow::Borrowed(parts.scheme));
            url.hostname = Some(Cow::Borrowed(parts.host));
            url.port = parts.port;
            url.path = Some(Cow::Borrowed(parts.path));
            url.query_string = parts.query.map(Cow::Borrowed);
        }
        None => {
            let (path, query) = split_query(target);
            url.path = Some(Cow::Borrowed(path));
            url.query_string = query.map(Cow::Borrowed);
            url.hostname = host.map(Cow::Borrowed);
            url.port = port;
        }
    }
}

/// Splits an HTTP request line `METHOD TARGET VERSION` into its parts. A line that does not
/// have that shape (binary garbage, a TLS handshake sent to a plain-text port) gives no
/// method, and the whole text as the target so nothing is lost.
pub(crate) fn split_request_line(line: &str) -> (Option<&str>, Option<&str>, Option<&str>) {
    split_request_line_inline(line)
}

/// [`split_request_line`] inlined into the caller: the web access fast path (which saves the
/// call); other callers keep the call, which their own code lays out better around.
#[inline(always)]
pub(crate) fn split_request_line_inline(line: &str) -> (Option<&str>, Option<&str>, Option<&str>) {
    // The usual line, a method of capitals then a space, read in one pass: the method's bytes
    // are all the bytes before the first space, so this is the split below without its
    // second look at the method. A line that starts with `-` is left to it (`- - -`).
    let bytes = line.as_bytes();
    if bytes
        .first()
        .is_some_and(|b| b.is_ascii_uppercase() || *b == b'_')
    {
        let method_len = method_bytes_len(bytes).or_else(|| {
            bytes
                .iter()
                .take(METHOD_MAX + 1)
                .position(|b| !is_method_byte(*b))
        });
        if let Some(len) = method_len.filter(|len| *len <= METHOD_MAX)
            && bytes.get(len) == Some(&b' ')
            && let (Some(method), Some(rest)) = (line.get(..len), line.get(len + 1..))
        {
            let end = separator_at(rest.as_bytes(), 0, false);
            let target = rest.get(..end).unwrap_or(rest);
            let version = rest.get(end + 1..).filter(|v| !v.is_empty());
            if !target.is_empty() {
                return (Some(method), Some(target), version);
            }
        }
    }
    // Only a line that does not start like a method can trim to `- - -` (the test is skipped
    // on the usual lines: a Unicode-aware trim costs as much as the split).
    let method_start = line
        .as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_uppercase() || *b == b'_');
    if !method_start && line.trim() == "- - -" {
        // A TCP/SSL listener entry of a load balancer: no HTTP request at all.
        return (None, None, None);
    }
    let (method, target, version) = split3_spaces(line);
    let method_ok =
        !method.is_empty() && method.len() <= METHOD_MAX && method.bytes().all(is_method_byte);
    match (method_ok, target) {
        (true, Some(target)) if !target.is_empty() => (
            Some(method),
            Some(target),
            version.filter(|v| !v.is_empty()),
        ),
        _ if line.is_empty() || line == "-" => (None, None, None),
        _ => (None, Some(line), None),
    }
}

/// The OCSF activity of an HTTP method: the usual methods, as they are written, without the
/// case-insensitive search of [`ocsf::http_activity_for_method`], which decides the rest.
#[inline(always)]
pub(crate) fn http_activity(method: &str) -> u32 {
    match method {
        "GET" => 3,
        "POST" => 6,
        "HEAD" => 4,
        "PUT" => 7,
        "DELETE" => 2,
        _ => ocsf::http_activity_for_method(method),
    }
}

/// Sets `status_id` and its caption `status`, as `Event::set_status` does, inlined into the
/// caller (the call across crates stayed a call on every record).
#[inline(always)]
pub(crate) fn set_status(event: &mut Event<'_>, status_id: u32) {
    event.status_id = status_id;
    event.status = Some(Cow::Borrowed(status::name(status_id)));
}

/// OCSF `status_id` of an HTTP status code: Success below 400, Failure from 400.
pub(crate) fn http_status_id(code: i64) -> u32 {
    if (100..400).contains(&code) {
        status::SUCCESS
    } else if code >= 400 {
        status::FAILURE
    } else {
        status::UNKNOWN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The split as first written, on `str::splitn`, to hold the byte-scanning one to.
    fn split_request_line_reference(line: &str) -> (Option<&str>, Option<&str>, Option<&str>) {
        if line.trim() == "- - -" {
            return (None, None, None);
        }
        let mut parts = line.splitn(3, ' ');
        let method = parts.next().unwrap_or("");
        let target = parts.next();
        let version = parts.next();
        let method_ok = !method.is_empty()
            && method.len() <= 24
            && method
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b == b'_' || b == b'-');
        match (method_ok, target) {
            (true, Some(target)) if !target.is_empty() => (
                Some(method),
                Some(target),
                version.filter(|v| !v.is_empty()),
            ),
            _ if line.is_empty() || line == "-" => (None, None, None),
            _ => (None, Some(line), None),
        }
    }

    #[test]
    fn method_bytes_are_classified_eight_at_a_time() {
        for b in 0..=u8::MAX {
            // The byte alone after seven method bytes, and first before seven of them.
            let mut after = *b"GETPOST_";
            after[7] = b;
            let expected = if is_method_byte(b) { None } else { Some(7) };
            assert_eq!(method_bytes_len(&after), expected, "{b:#x} last");
            let mut first = *b"-ABCDEFG";
            first[0] = b;
            let expected = if is_method_byte(b) { None } else { Some(0) };
            assert_eq!(method_bytes_len(&first), expected, "{b:#x} first");
        }
        assert_eq!(method_bytes_len(b"GET /a HTTP/1.1"), Some(3));
        assert_eq!(method_bytes_len(b"M-SEARCH *"), None);
        assert_eq!(method_bytes_len(b"GET /"), None);
        assert_eq!(method_bytes_len(b"OPTIONS\t*"), Some(7));
        assert_eq!(method_bytes_len(b"A\xc3\xa9 xxxxx"), Some(1));
    }

    proptest::proptest! {
        #[test]
        fn method_bytes_len_matches_a_byte_loop(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 8..12)) {
            let expected = bytes.iter().take(8).position(|b| !is_method_byte(*b));
            proptest::prop_assert_eq!(method_bytes_len(&bytes), expected);
        }

        #[test]
        fn request_line_split_matches_the_reference(line in "[A-Z_ -]{0,4}[ a-zA-Z/?=\\t-]{0,30}") {
            proptest::prop_assert_eq!(split_request_line(&line), split_request_line_reference(&line));
        }
    }

    #[test]
    fn urls_written_in_place_equal_returned_ones() {
        let cases = [
            ("https://www.example.com:443/a?b=1", None, None),
            ("http://h/p", Some("vhost"), Some(8080)),
            ("/p?q=1&r", Some("www.example.com"), Some(443)),
            ("/p?", None, None),
            ("*", Some("h"), None),
            ("/preview?src=http://x/", None, None),
        ];
        for (target, host, port) in cases {
            let mut slot = None;
            set_url_of(&mut slot, target, host, port);
            assert_eq!(slot, Some(url_of(target, host, port)), "{target}");
        }
        let mut slot = None;
        set_url_of(&mut slot, "/p?q=1", Some("h"), Some(8443));
        let url = slot.unwrap();
        assert_eq!(
            (
                url.path.as_deref(),
                url.query_string.as_deref(),
                url.hostname.as_deref(),
                url.port,
                url.scheme.as_deref(),
                url.url_string.as_deref()
            ),
            (
                Some("/p"),
                Some("q=1"),
                Some("h"),
                Some(8443),
                None,
                Some("/p?q=1")
            )
        );
    }

    #[test]
    fn request_lines_split() {
        assert_eq!(
            split_request_line("GET /a?b HTTP/1.1"),
            (Some("GET"), Some("/a?b"), Some("HTTP/1.1"))
        );
        assert_eq!(split_request_line("GET /"), (Some("GET"), Some("/"), None));
        assert_eq!(
            split_request_line("\\x16\\x03\\x01"),
            (None, Some("\\x16\\x03\\x01"), None)
        );
        assert_eq!(split_request_line("-"), (None, None, None));
        assert_eq!(split_request_line("- - -"), (None, None, None));
        assert_eq!(split_request_line(" - - - "), (None, None, None));
        assert_eq!(
            split_request_line("M-SEARCH * HTTP/1.1"),
            (Some("M-SEARCH"), Some("*"), Some("HTTP/1.1"))
        );
        assert_eq!(
            split_request_line("GET  /two-spaces HTTP/1.1"),
            (None, Some("GET  /two-spaces HTTP/1.1"), None)
        );
        assert_eq!(
            split_request_line("GET /x "),
            (Some("GET"), Some("/x"), None)
        );
        assert_eq!(
            split_request_line("GET /x HTTP/1.1 extra"),
            (Some("GET"), Some("/x"), Some("HTTP/1.1 extra"))
        );
        assert_eq!(
            split_request_line("GeT /x HTTP/1.1"),
            (None, Some("GeT /x HTTP/1.1"), None)
        );
        assert_eq!(split_request_line("GET "), (None, Some("GET "), None));
        assert_eq!(
            split_request_line("ABCDEFGHIJKLMNOPQRSTUVWX /"),
            (Some("ABCDEFGHIJKLMNOPQRSTUVWX"), Some("/"), None)
        );
        assert_eq!(
            split_request_line("ABCDEFGHIJKLMNOPQRSTUVWXY /"),
            (None, Some("ABCDEFGHIJKLMNOPQRSTUVWXY /"), None)
        );
        for method in [
            "GET", "POST", "HEAD", "PUT", "DELETE", "get", "PATCH", "-", "", "X",
        ] {
            assert_eq!(
                http_activity(method),
                ocsf::http_activity_for_method(method),
                "{method}"
            );
        }
        assert_eq!(http_status_id(404), 2);
        assert_eq!(http_status_id(301), 1);
        assert_eq!(http_status_id(0), 0);
    }
}
