//! One JSON document → events: format dispatch and the envelopes records arrive in.
//!
//! Every JSON format module parses a record with a typed, borrowed serde struct that also
//! carries the few member names of the envelopes a record can arrive in (`Records`,
//! `logEvents`, `detail`, `Events`, Panther's `log`, …). One serde pass therefore both parses a
//! plain record and recognizes an envelope, which this module then unwraps generically.

use std::borrow::Cow;

use logsec_event::{Event, SourceFormat};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::deferred::Pending;
use crate::lenient::LStr;
use crate::limits::Limits;
use crate::line::{LineOutcome, LineParser};
use crate::member_de::MemberValue;
use crate::scan::{Scan, scan_value, skip_ws};
use crate::sink::{Loc, Sink, TempRoute, note, reject};
use crate::{azure_activity, cloudtrail, falco_alert, gcp_audit, k8s_audit};

/// How deep envelopes may nest (an EventBridge event inside a Panther wrapper inside a JSON
/// array is three).
const MAX_ENVELOPE_NESTING: u8 = 6;

/// What a format module made of one JSON document.
#[derive(Debug)]
pub(crate) enum Outcome<'a> {
    /// A record, normalized.
    Event(Box<Event<'a>>),
    /// An envelope around records.
    Envelope(Envelope<'a>),
    /// A document that carries no record and is no error (a digest file), with a note.
    Skip(&'static str),
    /// A malformed record, with the reason.
    Reject(String),
}

/// The envelopes records arrive in.
#[derive(Debug)]
pub(crate) enum Envelope<'a> {
    /// An array of records (`Records`, `records`, `items`).
    Records(&'a RawValue),
    /// A CloudWatch Logs subscription payload.
    LogEvents {
        /// `messageType` (`DATA_MESSAGE` or `CONTROL_MESSAGE`).
        message_type: Option<Cow<'a, str>>,
        /// `logEvents`.
        events: &'a RawValue,
    },
    /// `aws cloudtrail lookup-events` output (`Events[].CloudTrailEvent`).
    Lookup(&'a RawValue),
    /// One record inside a wrapper (EventBridge `detail`, Panther `log`).
    Inner(&'a RawValue),
}

/// The envelope members a format's record struct recognizes, in one place so each format only
/// lists them.
#[derive(Debug, Default)]
pub(crate) struct EnvelopeMembers<'a> {
    pub(crate) records: Option<&'a RawValue>,
    pub(crate) message_type: LStr<'a>,
    pub(crate) log_events: Option<&'a RawValue>,
    pub(crate) lookup_events: Option<&'a RawValue>,
    pub(crate) inner: Option<&'a RawValue>,
}

impl<'a> EnvelopeMembers<'a> {
    /// The envelope, if any member was present with the right JSON type.
    pub(crate) fn envelope(self) -> Option<Envelope<'a>> {
        let is = |raw: &RawValue, open: u8| raw.get().as_bytes().first() == Some(&open);
        if let Some(events) = self.log_events.filter(|r| is(r, b'[')) {
            return Some(Envelope::LogEvents {
                message_type: self.message_type.0,
                events,
            });
        }
        if let Some(records) = self.records.filter(|r| is(r, b'[')) {
            return Some(Envelope::Records(records));
        }
        if let Some(events) = self.lookup_events.filter(|r| is(r, b'[')) {
            return Some(Envelope::Lookup(events));
        }
        if let Some(inner) = self.inner.filter(|r| is(r, b'{')) {
            return Some(Envelope::Inner(inner));
        }
        None
    }
}

/// Per-input state the document handler needs.
pub(crate) struct DocCtx {
    /// The format of the records.
    pub(crate) format: SourceFormat,
    /// Limits.
    pub(crate) limits: Limits,
    /// The file name reported in rejects.
    pub(crate) file: Option<String>,
    /// Where the current top-level item sits.
    pub(crate) loc: Loc,
    /// For text formats delivered inside JSON envelopes (VPC flow in CloudWatch): the line
    /// parser for the messages.
    pub(crate) line_parser: Option<Box<dyn LineParser>>,
}

impl std::fmt::Debug for DocCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocCtx")
            .field("format", &self.format)
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl DocCtx {
    pub(crate) fn reject<'a>(&self, sink: &mut dyn Sink<'a>, text: &str, reason: String) {
        reject(sink, self.file.as_deref(), self.loc, text, reason);
    }
}

/// A reject for text that is not a JSON object (serde would read an array as a struct).
pub(crate) fn expect_object<'a>(text: &str, what: &str) -> Option<Outcome<'a>> {
    let start = skip_ws(text.as_bytes(), 0);
    (text.as_bytes().get(start) != Some(&b'{'))
        .then(|| Outcome::Reject(format!("expected a JSON object as a {what}")))
}

/// Parses one record of a JSON format with its module.
pub(crate) fn parse_record<'a>(format: SourceFormat, text: &'a str) -> Outcome<'a> {
    match format {
        SourceFormat::Cloudtrail => cloudtrail::parse(text),
        SourceFormat::K8sAudit => k8s_audit::parse(text),
        SourceFormat::GcpAudit => gcp_audit::parse(text),
        SourceFormat::AzureActivity => azure_activity::parse(text),
        SourceFormat::FalcoAlert => falco_alert::parse(text),
        other => generic_envelope(other, text),
    }
}

/// What [`parse_record`] makes of the JSON object `text`, read from its top-level members
/// (name, value text, in input order, duplicates included) as a validating pass already cut
/// them, so the record is not parsed again as a whole. Formats without a member reader, and
/// records their typed read fails on (a repeated member), take [`parse_record`].
pub(crate) fn parse_members<'n, 'a, V: MemberValue<'n, 'a>>(
    format: SourceFormat,
    members: impl Iterator<Item = (&'n str, V)>,
    text: &'a str,
) -> Outcome<'a> {
    let outcome = match format {
        SourceFormat::Cloudtrail => cloudtrail::parse_members(members, text),
        SourceFormat::K8sAudit => k8s_audit::parse_members(members, text),
        _ => None,
    };
    outcome.unwrap_or_else(|| parse_record(format, text))
}

/// The envelope members any JSON wrapper of a text format may use.
#[derive(Deserialize, Default)]
#[serde(default)]
struct GenericEnvelope<'a> {
    #[serde(rename = "Records", alias = "records", borrow)]
    records: Option<&'a RawValue>,
    #[serde(rename = "messageType", borrow)]
    message_type: LStr<'a>,
    #[serde(rename = "logEvents", borrow)]
    log_events: Option<&'a RawValue>,
    #[serde(borrow)]
    log: Option<&'a RawValue>,
}

/// A text format's records inside a JSON envelope (VPC flow or EKS lines in a CloudWatch
/// payload): only the envelope is JSON.
fn generic_envelope(format: SourceFormat, text: &str) -> Outcome<'_> {
    let not_json = || {
        Outcome::Reject(format!(
            "{format} records are text lines, not JSON documents"
        ))
    };
    if expect_object(text, "envelope").is_some() {
        return not_json();
    }
    match serde_json::from_str::<GenericEnvelope<'_>>(text) {
        Ok(env) => EnvelopeMembers {
            records: env.records,
            message_type: env.message_type,
            log_events: env.log_events,
            lookup_events: None,
            inner: None,
        }
        .envelope()
        .map_or_else(not_json, Outcome::Envelope),
        Err(err) => Outcome::Reject(format!("malformed JSON envelope: {err}")),
    }
}

/// Checks the depth and field limits of a document not yet scanned; rejects it and returns
/// `false` when it is past one.
pub(crate) fn check_limits<'t>(ctx: &mut DocCtx, text: &str, sink: &mut dyn Sink<'t>) -> bool {
    let start = skip_ws(text.as_bytes(), 0);
    let body = text.as_bytes().get(start..).unwrap_or_default();
    match scan_value(body, ctx.limits.max_depth) {
        Scan::TooDeep => {
            let reason = format!("nesting deeper than the limit of {}", ctx.limits.max_depth);
            ctx.reject(sink, text, reason);
            false
        }
        Scan::Complete { fields, .. } if fields > ctx.limits.max_fields => {
            let reason = format!(
                "{fields} fields exceed the limit of {}",
                ctx.limits.max_fields
            );
            ctx.reject(sink, text, reason);
            false
        }
        _ => true,
    }
}

/// Handles one JSON document (a record or an envelope) whose text borrows for `'t`.
pub(crate) fn handle_document<'t>(
    ctx: &mut DocCtx,
    text: &'t str,
    sink: &mut dyn Sink<'t>,
    nesting: u8,
) {
    if text.len() > ctx.limits.max_record_bytes {
        let reason = format!(
            "record of {} bytes exceeds the limit of {} bytes",
            text.len(),
            ctx.limits.max_record_bytes
        );
        ctx.reject(sink, text, reason);
        return;
    }
    if nesting > MAX_ENVELOPE_NESTING {
        ctx.reject(sink, text, "envelopes nested too deeply".to_owned());
        return;
    }
    if defer(ctx, text, sink) {
        return;
    }
    let outcome = parse_record(ctx.format, text);
    handle_outcome(ctx, text, outcome, sink, nesting);
}

/// Hands `text` to the sink unnormalized when the sink defers its format and it is certainly
/// one record (see [`Pending`]), then counts it; `false` when it must take the eager path.
pub(crate) fn defer<'t>(ctx: &mut DocCtx, text: &'t str, sink: &mut dyn Sink<'t>) -> bool {
    if !sink.defers(ctx.format) {
        return false;
    }
    let Some(pending) = Pending::probe(ctx.format, text, ctx.limits.max_depth) else {
        return false;
    };
    hand_over(ctx, text, pending, sink);
    true
}

/// [`defer`] for the object at the very start of `text` (an element of a streamed array):
/// validated and cut in one pass that also finds where it ends, and handed over if `fits`
/// (the limits) accepts its text. Its length in bytes, or `None` (nothing handed over) when
/// it must take the path that scans it first, which gives the exact reject.
pub(crate) fn defer_prefix<'t>(
    ctx: &mut DocCtx,
    text: &'t str,
    max_depth: usize,
    fits: impl FnOnce(&str) -> bool,
    sink: &mut dyn Sink<'t>,
) -> Option<usize> {
    if !sink.defers(ctx.format) {
        return None;
    }
    let (pending, len) = Pending::probe_prefix(ctx.format, text, max_depth)?;
    let record = text.get(..len)?;
    if !fits(record) {
        return None;
    }
    hand_over(ctx, record, pending, sink);
    Some(len)
}

/// Hands a pending record to the sink and counts it (or its rejection).
fn hand_over<'t>(
    ctx: &mut DocCtx,
    text: &'t str,
    mut pending: Pending<'t>,
    sink: &mut dyn Sink<'t>,
) {
    sink.pending(&mut pending);
    match pending.take_rejection() {
        Some(reason) => ctx.reject(sink, text, reason),
        None => {
            let summary = sink.summary();
            summary.records += 1;
            summary.events += 1;
        }
    }
}

/// Routes what a format module made of `text`.
pub(crate) fn handle_outcome<'t>(
    ctx: &mut DocCtx,
    text: &'t str,
    outcome: Outcome<'t>,
    sink: &mut dyn Sink<'t>,
    nesting: u8,
) {
    match outcome {
        Outcome::Event(event) => sink.event(event),
        Outcome::Skip(why) => note(sink, why),
        Outcome::Reject(reason) => ctx.reject(sink, text, reason),
        Outcome::Envelope(envelope) => unwrap_envelope(ctx, text, envelope, sink, nesting),
    }
}

fn unwrap_envelope<'t>(
    ctx: &mut DocCtx,
    text: &'t str,
    envelope: Envelope<'t>,
    sink: &mut dyn Sink<'t>,
    nesting: u8,
) {
    match envelope {
        Envelope::Records(raw) => match serde_json::from_str::<Vec<&'t RawValue>>(raw.get()) {
            Ok(items) => {
                for item in items {
                    handle_document(ctx, item.get(), sink, nesting + 1);
                }
            }
            Err(err) => ctx.reject(sink, text, format!("malformed records array: {err}")),
        },
        Envelope::Inner(raw) => handle_document(ctx, raw.get(), sink, nesting + 1),
        Envelope::LogEvents {
            message_type,
            events,
        } => {
            if message_type.as_deref() == Some("CONTROL_MESSAGE") {
                note(sink, "CloudWatch Logs CONTROL_MESSAGE skipped");
                return;
            }
            match serde_json::from_str::<Vec<LogEvent<'t>>>(events.get()) {
                Ok(items) => {
                    for item in items {
                        handle_message(ctx, item.message, sink, nesting + 1);
                    }
                }
                Err(err) => ctx.reject(sink, text, format!("malformed logEvents array: {err}")),
            }
        }
        Envelope::Lookup(raw) => match serde_json::from_str::<Vec<LookupEvent<'t>>>(raw.get()) {
            Ok(items) => {
                for item in items {
                    match item.cloud_trail_event.0 {
                        Some(event) => handle_message(ctx, event, sink, nesting + 1),
                        None => ctx.reject(
                            sink,
                            text,
                            "lookup-events entry without a CloudTrailEvent string".to_owned(),
                        ),
                    }
                }
            }
            Err(err) => ctx.reject(sink, text, format!("malformed Events array: {err}")),
        },
    }
}

/// One `logEvents` element of a CloudWatch Logs subscription payload.
#[derive(Deserialize)]
pub(crate) struct LogEvent<'a> {
    #[serde(borrow, default)]
    pub(crate) message: Cow<'a, str>,
}

/// One `Events` element of `aws cloudtrail lookup-events` output.
#[derive(Deserialize)]
pub(crate) struct LookupEvent<'a> {
    #[serde(rename = "CloudTrailEvent", borrow, default)]
    pub(crate) cloud_trail_event: LStr<'a>,
}

/// Handles a record carried as a JSON string (a CloudWatch `message`, a `CloudTrailEvent`):
/// JSON text goes to the format's parser, text lines to the line parser.
pub(crate) fn handle_message<'t>(
    ctx: &mut DocCtx,
    message: Cow<'t, str>,
    sink: &mut dyn Sink<'t>,
    nesting: u8,
) {
    match message {
        Cow::Borrowed(text) => handle_message_text(ctx, text, sink, nesting),
        Cow::Owned(text) => {
            let mut route = TempRoute(sink);
            handle_message_text(ctx, &text, &mut route, nesting);
        }
    }
}

fn handle_message_text<'m>(ctx: &mut DocCtx, text: &'m str, sink: &mut dyn Sink<'m>, nesting: u8) {
    if ctx.line_parser.is_some() {
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() {
                continue;
            }
            handle_line(ctx, line, sink);
        }
    } else {
        // A record carried as a string was not scanned by the framer: check its limits here.
        if check_limits(ctx, text, sink) {
            handle_document(ctx, text, sink, nesting);
        }
    }
}

/// Hands one text line to the line parser.
pub(crate) fn handle_line<'m>(ctx: &mut DocCtx, line: &'m str, sink: &mut dyn Sink<'m>) {
    if line.len() > ctx.limits.max_record_bytes {
        let reason = format!(
            "line of {} bytes exceeds the limit of {} bytes",
            line.len(),
            ctx.limits.max_record_bytes
        );
        ctx.reject(sink, line, reason);
        return;
    }
    let Some(parser) = ctx.line_parser.as_mut() else {
        return;
    };
    match parser.parse_line(line) {
        LineOutcome::Event(event) => sink.event(event),
        LineOutcome::Skip => {}
        LineOutcome::Reject(reason) => ctx.reject(sink, line, reason),
    }
}

#[cfg(test)]
impl<'a> Outcome<'a> {
    /// The outcome as text to compare: an event's OCSF JSON, an envelope's kind and text, a
    /// skip's note, a reject's reason.
    pub(crate) fn render(self) -> String {
        match self {
            Outcome::Event(event) => event.to_ocsf_json(),
            Outcome::Envelope(envelope) => format!("envelope {envelope:?}"),
            Outcome::Skip(why) => format!("skip: {why}"),
            Outcome::Reject(reason) => format!("reject: {reason}"),
        }
    }

    /// The event of a parse outcome, failing the test otherwise: the one helper the JSON
    /// parsers' unit tests share.
    pub(crate) fn expect_event(self) -> Event<'a> {
        match self {
            Outcome::Event(event) => *event,
            other => panic!("expected an event, got {other:?}"),
        }
    }
}
