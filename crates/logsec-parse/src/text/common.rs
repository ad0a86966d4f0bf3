//! Mapping helpers shared by the HTTP-shaped text formats (S3, Envoy/Istio, ELB, web access).

use std::borrow::Cow;

use logsec_event::Url;
use logsec_event::ocsf::status;

use crate::text::scan::{split_absolute_url, split_query, split3_spaces};

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

/// Splits an HTTP request line `METHOD TARGET VERSION` into its parts. A line that does not
/// have that shape (binary garbage, a TLS handshake sent to a plain-text port) gives no
/// method, and the whole text as the target so nothing is lost.
pub(crate) fn split_request_line(line: &str) -> (Option<&str>, Option<&str>, Option<&str>) {
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
        assert_eq!(http_status_id(404), 2);
        assert_eq!(http_status_id(301), 1);
        assert_eq!(http_status_id(0), 0);
    }
}
