//! Line-oriented (text) formats: detection and parser construction.
//!
//! The framework (readers, detection) calls exactly [`sniff`] and [`line_parser`]; each text
//! format lives in its own module below, and shared byte scanners live in `scan`.

mod auth;
mod common;
#[cfg(test)]
mod conformance;
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
        SourceFormat::S3Access => Box::new(s3_access::S3AccessParser),
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
    for line in text.split('\n') {
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
