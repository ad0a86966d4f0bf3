//! Line-oriented (text) formats: detection and parser construction.
//!
//! The framework (readers, detection) calls exactly [`sniff`] and [`line_parser`]; each text
//! format lives in its own module below, and shared byte scanners live in `scan`.

mod auth;
mod block;
mod common;
#[cfg(test)]
pub(crate) mod conformance;
mod elb;
mod envoy;
mod s3_access;
mod scan;
mod syslog;
#[cfg(test)]
mod test_support;
mod vpc_flow;
mod web_access;

use logsec_event::SourceFormat;

use crate::line::{LineOutcome, LineParser};
use crate::options::ParseOptions;

/// Detects a text format from the first lines of an input (without line terminators), or
/// `None` if no text format recognizes them.
pub(crate) fn sniff(first_lines: &[&str]) -> Option<SourceFormat> {
    let mut votes: Vec<(SourceFormat, usize)> = Vec::new();
    for line in first_lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .take(32)
    {
        if let Some(format) = classify(line) {
            match votes.iter_mut().find(|(f, _)| *f == format) {
                Some((_, count)) => *count += 1,
                None => votes.push((format, 1)),
            }
        }
    }
    // Syslog and auth.log lines mix in one file, as do Envoy's application lines and Istio's
    // access lines: the wider format absorbs the narrower one's votes.
    merge_votes(&mut votes, SourceFormat::AuthLog, SourceFormat::Syslog);
    merge_votes(&mut votes, SourceFormat::Envoy, SourceFormat::Istio);
    // The most common verdict wins; ties go to the format seen first.
    let mut best: Option<(SourceFormat, usize)> = None;
    for (format, count) in votes {
        if best.is_none_or(|(_, c)| count > c) {
            best = Some((format, count));
        }
    }
    best.map(|(format, _)| format)
}

/// Moves the votes of `from` to `into` when both have some.
fn merge_votes(votes: &mut Vec<(SourceFormat, usize)>, from: SourceFormat, into: SourceFormat) {
    let from_count = votes.iter().find(|(f, _)| *f == from).map(|(_, c)| *c);
    if let (Some(count), Some(target)) = (from_count, votes.iter_mut().find(|(f, _)| *f == into)) {
        target.1 += count;
        votes.retain(|(f, _)| *f != from);
    }
}

/// The format one line looks like. The checks run from the most specific shape to the most
/// generic so a line is never claimed by a looser format first.
fn classify(line: &str) -> Option<SourceFormat> {
    if s3_access::looks_like(line) {
        return Some(SourceFormat::S3Access);
    }
    if let Some(format) = envoy::default_line_kind(line).or_else(|| envoy::json_line_kind(line)) {
        return Some(format);
    }
    if envoy::is_app_log_line(line) {
        return Some(SourceFormat::Envoy);
    }
    if vpc_flow::is_header(line) || vpc_flow::looks_like_v2_record(line) {
        return Some(SourceFormat::VpcFlow);
    }
    if elb::looks_like(line) {
        return Some(SourceFormat::Elb);
    }
    if syslog::is_journald_line(line) {
        return Some(SourceFormat::Syslog);
    }
    if web_access::is_nginx_error(line)
        || web_access::is_apache_error(line)
        || web_access::looks_like_access(line)
    {
        return Some(SourceFormat::WebAccess);
    }
    if let Some((app, msg)) = syslog::sniff_line(line) {
        if web_access::is_access_program(app) && web_access::looks_like_access(msg) {
            return Some(SourceFormat::WebAccess);
        }
        if auth::recognize(app, msg).is_some() || auth::is_auth_program(app.unwrap_or("")) {
            return Some(SourceFormat::AuthLog);
        }
        return Some(SourceFormat::Syslog);
    }
    None
}

/// A line parser for `format`, or `None` if `format` is not a line-oriented format.
pub(crate) fn line_parser(
    format: SourceFormat,
    options: &ParseOptions,
) -> Option<Box<dyn LineParser>> {
    let max_record_bytes = options.limits.max_record_bytes;
    let inner: Box<dyn LineParser> = match format {
        SourceFormat::S3Access => Box::new(s3_access::S3AccessParser::default()),
        SourceFormat::Syslog | SourceFormat::AuthLog => {
            Box::new(syslog::SyslogParser::new(format, options))
        }
        SourceFormat::WebAccess => Box::new(web_access::WebAccessParser::new(options)),
        SourceFormat::VpcFlow => Box::new(vpc_flow::VpcFlowParser::new(options)),
        SourceFormat::Elb => Box::new(elb::ElbParser),
        SourceFormat::Envoy | SourceFormat::Istio => {
            Box::new(envoy::EnvoyParser::new(format, options))
        }
        _ => return None,
    };
    Some(Box::new(Limited {
        inner,
        max_record_bytes,
    }))
}

/// Parses every line of `text` (split on `\n`) as `format` and counts the outcome:
/// `(events, rejects)`. Skipped lines (blank lines, headers) count as neither.
///
/// This exists for the criterion benchmarks in `benches/` and for quick measurements: it drives
/// a text format's line parser directly, without readers or detection. It returns `None` when
/// `format` is not a line-oriented format. Use the crate's reading API for real work.
pub fn parse_lines_for_bench(
    format: SourceFormat,
    text: &str,
    options: &ParseOptions,
) -> Option<(usize, usize)> {
    let mut parser = line_parser(format, options)?;
    let (mut events, mut rejects) = (0, 0);
    let mut start = 0;
    let bytes = text.as_bytes();
    let newline = NewlineFinder::new();
    while start <= bytes.len() {
        let end = newline.find(bytes, start).unwrap_or(bytes.len());
        let line = text.get(start..end).unwrap_or("");
        start = end + 1;
        match parser.parse_line(line) {
            LineOutcome::Event(event) => {
                events += 1;
                drop(std::hint::black_box(event));
            }
            LineOutcome::Skip => {}
            LineOutcome::Reject(_) => rejects += 1,
        }
    }
    Some((events, rejects))
}

/// The search for the next newline, made once: on x86-64 with AVX2, `memchr`'s AVX2 searcher
/// called directly (a `memchr_iter` step costs a call through `memchr`'s function pointer and
/// the iterator's bookkeeping per line, a tenth of a short line's instructions); `memchr`
/// elsewhere.
struct NewlineFinder {
    #[cfg(target_arch = "x86_64")]
    avx2: Option<memchr::arch::x86_64::avx2::memchr::One>,
}

impl NewlineFinder {
    fn new() -> NewlineFinder {
        NewlineFinder {
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::One::new(b'\n'),
        }
    }

    /// The offset of the first newline at or after `from`.
    #[inline(always)]
    fn find(&self, bytes: &[u8], from: usize) -> Option<usize> {
        let haystack = bytes.get(from..)?;
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = &self.avx2 {
            return avx2.find(haystack).map(|offset| from + offset);
        }
        memchr::memchr(b'\n', haystack).map(|offset| from + offset)
    }
}

/// Rejects lines longer than the record limit before a format parser sees them.
struct Limited {
    inner: Box<dyn LineParser>,
    max_record_bytes: usize,
}

impl LineParser for Limited {
    fn format(&self) -> SourceFormat {
        self.inner.format()
    }

    fn parse_line<'a>(&mut self, line: &'a str) -> LineOutcome<'a> {
        if line.len() > self.max_record_bytes {
            return LineOutcome::Reject(format!(
                "line of {} bytes exceeds the record limit of {} bytes",
                line.len(),
                self.max_record_bytes
            ));
        }
        self.inner.parse_line(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &[(&str, SourceFormat)] = &[
        (
            "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be b [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57 REST.GET.OBJECT k \"GET /b/k HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"x\" -",
            SourceFormat::S3Access,
        ),
        (
            "[2016-04-15T20:17:00.310Z] \"POST /a HTTP/2\" 204 - 154 0 226 100 \"10.0.35.28\" \"ua\" \"id\" \"auth\" \"tcp://10.0.2.1:80\"",
            SourceFormat::Envoy,
        ),
        (
            "[2020-11-25T21:26:18.409Z] \"GET / HTTP/1.1\" 418 - via_upstream - \"-\" 0 135 4 4 \"-\" \"ua\" \"id\" \"h:8000\" \"10.44.1.27:80\" outbound|8000||h.svc 10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:46520 - default",
            SourceFormat::Istio,
        ),
        (
            "2025-12-31T17:37:40.49+01:00 stdout F {\"start_time\":\"2025-12-31T16:37:40.479Z\",\"method\":\"GET\",\"response_code\":404,\"downstream_remote_address\":\"10.0.0.12:59292\"}",
            SourceFormat::Envoy,
        ),
        (
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
            SourceFormat::VpcFlow,
        ),
        (
            "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
            SourceFormat::VpcFlow,
        ),
        (
            "2015-05-13T23:39:43.945958Z my-lb 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 200 200 0 57 \"GET https://www.example.com:443/ HTTP/1.1\" \"curl/7.38.0\" DHE-RSA-AES128-SHA TLSv1.2",
            SourceFormat::Elb,
        ),
        (
            "Feb 12 14:10:21 sd-126005 sshd[16378]: Invalid user pascal from 35.188.49.176 port 53502",
            SourceFormat::AuthLog,
        ),
        (
            "Nov  3 09:23:38 veridian automount[7998]: lookup(file): lookup for foobar failed",
            SourceFormat::Syslog,
        ),
        (
            "<134>1 2025-11-06T11:32:42.868451+00:00 firewall.lan filterlog 92653 - - 7,,,1000000102,vtnet0.5",
            SourceFormat::Syslog,
        ),
        (
            r#"{"__REALTIME_TIMESTAMP":"1700000000000000","MESSAGE":"x","_HOSTNAME":"h"}"#,
            SourceFormat::Syslog,
        ),
        (
            "172.17.0.1 - - [29/Sep/2021:12:37:05 +0000] \"GET /start.php HTTP/1.1\" 404 196",
            SourceFormat::WebAccess,
        ),
        (
            "Sep 15 16:13:46 ip-172-31-43-28 nginx[2869]: 81.150.104.130 - - [15/Sep/2021:16:13:46 +0000] \"POST /wp-login.php HTTP/1.1\" 200 5364 \"-\" \"ua\"",
            SourceFormat::WebAccess,
        ),
        (
            "2021/09/30 09:23:53 [error] 1925800#1925800: *17 user \"foo\" was not found, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", host: \"localhost\"",
            SourceFormat::WebAccess,
        ),
    ];

    #[test]
    fn every_sample_is_detected_as_its_own_format_only() {
        for (line, format) in SAMPLES {
            assert_eq!(sniff(&[line]), Some(*format), "{line}");
        }
    }

    #[test]
    fn other_inputs_are_not_claimed() {
        for line in [
            "",
            "hello world",
            r#"{"eventVersion":"1.08","eventName":"GetObject","eventSource":"s3.amazonaws.com"}"#,
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get"}"#,
            "a,b,c,d",
            "2023-01-01T00:00:00Z something without a tag",
        ] {
            assert_eq!(sniff(&[line]), None, "{line}");
        }
    }

    #[test]
    fn mixed_files_vote_and_merge() {
        let lines = [
            "Feb 12 14:10:21 h sshd[1]: Invalid user a from 1.2.3.4 port 5",
            "Feb 12 14:10:22 h cron[2]: job done",
            "",
        ];
        assert_eq!(sniff(&lines), Some(SourceFormat::Syslog));
        let lines = [
            "[2021-03-12 15:31:30.492][1][warning][runtime] [x.cc:31] msg",
            SAMPLES[2].0,
        ];
        assert_eq!(sniff(&lines), Some(SourceFormat::Istio));
    }

    #[test]
    fn parsers_exist_for_text_formats_only_and_enforce_the_record_limit() {
        let options = ParseOptions {
            limits: crate::limits::Limits {
                max_record_bytes: 64,
                ..crate::limits::Limits::default()
            },
            ..ParseOptions::default()
        };
        for (_, format) in SAMPLES {
            let mut parser = line_parser(*format, &options).expect("a text parser");
            assert_eq!(parser.format(), *format);
            let long = "x".repeat(65);
            match parser.parse_line(&long) {
                LineOutcome::Reject(reason) => assert!(reason.contains("limit"), "{reason}"),
                other => panic!("{other:?}"),
            }
        }
        assert!(line_parser(SourceFormat::Cloudtrail, &options).is_none());
        assert!(line_parser(SourceFormat::K8sAudit, &options).is_none());
        let counts = parse_lines_for_bench(
            SourceFormat::WebAccess,
            "1.2.3.4 - - [29/Sep/2021:12:37:05 +0000] \"GET / HTTP/1.1\" 200 1\n\njunk\n",
            &ParseOptions::default(),
        );
        assert_eq!(counts, Some((1, 1)));
    }
}
