//! Deferred normalization: JSON records handed over validated, normalized only on demand.
//!
//! Rules that read nothing but raw-record paths (`eventName`, `userIdentity.type`,
//! `objectRef.resource`) need a record's lazy member view, not its OCSF form. For such
//! callers [`crate::parse_reader_deferred`] hands every record of a deferring format over as
//! a [`Pending`]: one validating pass has checked it is a JSON object (and cut it into its
//! top-level members), and its OCSF event is built only when [`Pending::normalize`] is called —
//! for a scan, only for the records a rule matched.
//!
//! A record is deferred only when the eager path would certainly make it one event: it must be
//! valid JSON, an object, and carry none of the member names of the envelopes a record of its
//! format can arrive in (`Records`, `logEvents`, `detail`, digest-file members, …). Anything
//! else takes the eager path, so envelopes, digests and malformed records are handled,
//! counted and rejected exactly as without deferral.
//!
//! One difference remains, by design: the eager path's typed parse rejects a record that
//! repeats a member name its struct reads (`{"eventName":"A","eventName":"B"}`), which the
//! validating pass accepts. A deferred record is rejected for it only if it is normalized.

use logsec_event::{Event, RawRecord, SourceFormat, ocsf};

use crate::document::{Outcome, parse_record};
use crate::lenient::parse_time_ms;

/// A record of a deferring format, validated, with its normalization left to the caller.
///
/// Before [`Pending::normalize`], [`Pending::event`] is a Base Event (class 0) that carries
/// only the source format (`metadata.log_format`), the record's `time` (read from the member
/// the normalizer takes it from) and the raw record, read through its lazy member view; after
/// it, the normalized OCSF event.
#[derive(Debug)]
pub struct Pending<'t> {
    event: Box<Event<'t>>,
    /// The record's text while it is not normalized.
    text: Option<&'t str>,
    /// Why normalization rejected the record.
    rejected: Option<String>,
}

impl<'t> Pending<'t> {
    /// The record as a not yet normalized event, if `format` defers and `text` is a JSON object
    /// that is certainly one record of it (no envelope member).
    pub(crate) fn probe(format: SourceFormat, text: &'t str) -> Option<Pending<'t>> {
        let envelope_members = envelope_members(format)?;
        let mut event = Event::new_boxed(&ocsf::BASE_EVENT, 0, format);
        event.raw = RawRecord::json(text);
        // The validating pass (no tree built): `None` for invalid JSON or a non-object.
        let is_envelope = event
            .raw
            .member_names()?
            .any(|name| envelope_members.contains(&name));
        if is_envelope {
            return None;
        }
        event.time = record_time(format, &event.raw);
        Some(Pending {
            event,
            text: Some(text),
            rejected: None,
        })
    }

    /// An event the parser normalized already.
    pub(crate) fn normalized(event: Box<Event<'t>>) -> Pending<'t> {
        Pending {
            event,
            text: None,
            rejected: None,
        }
    }

    /// The event: normalized if [`Pending::normalize`] ran (or the format does not defer),
    /// otherwise a Base Event with the format and the raw record only.
    pub fn event(&self) -> &Event<'t> {
        &self.event
    }

    /// Whether [`Pending::event`] is the normalized event.
    pub fn is_normalized(&self) -> bool {
        self.text.is_none() && self.rejected.is_none()
    }

    /// Normalizes the record (once) and returns the OCSF event; `None` when normalization
    /// rejects it (the parse summary then counts it as a reject with the reason).
    pub fn normalize(&mut self) -> Option<&Event<'t>> {
        if let Some(text) = self.text.take() {
            let format = self.event.format().unwrap_or(SourceFormat::Cloudtrail);
            match parse_record(format, text) {
                Outcome::Event(event) => self.event = event,
                Outcome::Reject(reason) => self.rejected = Some(reason),
                Outcome::Skip(_) | Outcome::Envelope(_) => {
                    self.rejected = Some(format!("{format} record is not a single record"));
                }
            }
        }
        match self.rejected {
            Some(_) => None,
            None => Some(&self.event),
        }
    }

    /// Why normalization rejected the record, if it did.
    pub(crate) fn take_rejection(&mut self) -> Option<String> {
        self.rejected.take()
    }
}

/// The record's time as its format's normalizer takes it (ms since the epoch, 0 if none), read
/// from the raw members without normalizing.
fn record_time(format: SourceFormat, raw: &RawRecord<'_>) -> i64 {
    let members: &[&str] = match format {
        SourceFormat::Cloudtrail => &["eventTime", "eventtime", "@timestamp"],
        SourceFormat::K8sAudit => &["stageTimestamp", "requestReceivedTimestamp", "timestamp"],
        _ => &[],
    };
    members
        .iter()
        .find_map(|name| {
            raw.member(name)
                .and_then(|value| value.as_str())
                .and_then(parse_time_ms)
        })
        .unwrap_or(0)
}

/// The top-level member names that make a record of `format` an envelope or a non-record
/// document (as its module's parser recognizes them); `None` for formats that do not defer.
fn envelope_members(format: SourceFormat) -> Option<&'static [&'static str]> {
    match format {
        SourceFormat::Cloudtrail => Some(&[
            "Records",
            "messageType",
            "logEvents",
            "Events",
            "detail",
            "detail-type",
            "log",
            "digestPublicKeyFingerprint",
            "digestS3Bucket",
        ]),
        SourceFormat::K8sAudit => Some(&[
            "items",
            "messageType",
            "logEvents",
            "Records",
            "records",
            "log",
        ]),
        _ => None,
    }
}
