//! Mapping helpers shared by the HTTP-shaped text formats (S3, Envoy/Istio, ELB, web access).

use std::borrow::Cow;

use logsec_event::Url;
use logsec_event::ocsf::status;

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

/// The longest text taken as an HTTP method.
const METHOD_MAX: usize = 24;

/// Splits an HTTP request line `METHOD TARGET VERSION` into its parts. A line that does not
/// have that shape (binary garbage, a TLS handshake sent to a plain-text port) gives no
/// method, and the whole text as the target so nothing is lost.
pub(crate) fn split_request_line(line: &str) -> (Option<&str>, Option<&str>, Option<&str>) {
    // The usual line, a method of capitals then a space, read in one pass: the method's bytes
    // are all the bytes before the first space, so this is the split below without its
    // second look at the method. A line that starts with `-` is left to it (`- - -`).
    let bytes = line.as_bytes();
    if bytes
        .first()
        .is_some_and(|b| b.is_ascii_uppercase() || *b == b'_')
    {
        let method_len = bytes
            .iter()
            .take(METHOD_MAX + 1)
            .position(|b| !(b.is_ascii_uppercase() || *b == b'_' || *b == b'-'));
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
    let method_ok = !method.is_empty()
        && method.len() <= METHOD_MAX
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

    proptest::proptest! {
        #[test]
        fn request_line_split_matches_the_reference(line in "[A-Z_ -]{0,4}[ a-zA-Z/?=\\t-]{0,30}") {
            proptest::prop_assert_eq!(split_request_line(&line), split_request_line_reference(&line));
        }
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
        assert_eq!(http_status_id(404), 2);
        assert_eq!(http_status_id(301), 1);
        assert_eq!(http_status_id(0), 0);
    }
}
