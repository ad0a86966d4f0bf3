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

use logsec_event::{CutPlan, Event, RawRecord, SourceFormat, ocsf};

use crate::document::{Outcome, parse_members, parse_record};
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
    /// nested at most `max_depth` deep that is certainly one record of it (no envelope member).
    pub(crate) fn probe(
        format: SourceFormat,
        text: &'t str,
        max_depth: usize,
    ) -> Option<Pending<'t>> {
        envelope_members(format)?;
        Pending::probe_record(
            format,
            text,
            RawRecord::json(text).with_cut_plan(cut_plan(format).with_max_depth(max_depth)),
        )
    }

    /// The object at the very start of `text`, if `format` defers and it is a valid JSON
    /// object nested at most `max_depth` deep that is certainly one record of it: the pending
    /// record, validated and cut in one pass, and its length in bytes (see
    /// [`RawRecord::json_object_prefix`]).
    pub(crate) fn probe_prefix(
        format: SourceFormat,
        text: &'t str,
        max_depth: usize,
    ) -> Option<(Pending<'t>, usize)> {
        envelope_members(format)?;
        let plan = cut_plan(format).with_max_depth(max_depth);
        let (raw, len) = RawRecord::json_object_prefix(text, plan)?;
        let pending = Pending::probe_record(format, text.get(..len)?, raw)?;
        Some((pending, len))
    }

    /// [`Pending::probe`] of a record made already.
    fn probe_record(
        format: SourceFormat,
        text: &'t str,
        raw: RawRecord<'t>,
    ) -> Option<Pending<'t>> {
        let envelope_members = envelope_members(format)?;
        let mut event = Event::new_boxed(&ocsf::BASE_EVENT, 0, format);
        event.raw = raw;
        // The validating pass (no tree built): `None` for invalid JSON or a non-object.
        let is_envelope = event.raw.has_any_member(envelope_members)?;
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
    ///
    /// The format's typed struct is read from the top-level members the validating pass cut
    /// (not from the whole text again), and the normalized event keeps that raw record, its
    /// cut members included. The event is the one the eager parse makes of the record.
    pub fn normalize(&mut self) -> Option<&Event<'t>> {
        if let Some(text) = self.text.take() {
            let format = self.event.format().unwrap_or(SourceFormat::Cloudtrail);
            // The members the validating pass cut: the record is not parsed again as a whole.
            let outcome = match self.event.raw.member_nodes() {
                Some(members) => parse_members(format, members, text),
                None => parse_record(format, text),
            };
            match outcome {
                Outcome::Event(mut event) => {
                    // The same text, with its members cut already (and any member or tree a
                    // rule read): alerts read it without cutting or parsing it again.
                    event.raw = std::mem::take(&mut self.event.raw);
                    self.event = event;
                }
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
/// The nested objects of a `format` record that its validating pass cuts as well (see
/// [`RawRecord::with_cut_plan`]): those its OCSF normalization reads from every record (the
/// actor of a CloudTrail record, the user and target of a Kubernetes audit event), which most
/// rules walk into too, and a Kubernetes request object's spec and metadata, which Falco's
/// pod and workload rules read. A scan's records are read with it; a caller building
/// [`RawRecord::json`] records itself can use it the same way.
pub fn cut_plan(format: SourceFormat) -> CutPlan {
    // The object itself is cut, nothing inside it.
    const LEAF: CutPlan = CutPlan::NONE;
    const SESSION: CutPlan = CutPlan::new(&[
        ("sessionIssuer", LEAF),
        ("attributes", LEAF),
        ("webIdFederationData", LEAF),
    ]);
    const USER_IDENTITY: CutPlan =
        CutPlan::new(&[("sessionContext", SESSION), ("onBehalfOf", LEAF)]);
    const CLOUDTRAIL: CutPlan = CutPlan::new(&[
        ("userIdentity", USER_IDENTITY),
        ("useridentity", USER_IDENTITY),
    ]);
    // Pod, deployment and role rules read the request's spec and metadata.
    const REQUEST_OBJECT: CutPlan = CutPlan::new(&[("spec", LEAF), ("metadata", LEAF)]);
    const K8S_AUDIT: CutPlan = CutPlan::new(&[
        ("user", LEAF),
        ("impersonatedUser", LEAF),
        ("objectRef", LEAF),
        ("responseStatus", LEAF),
        ("requestObject", REQUEST_OBJECT),
    ]);
    match format {
        SourceFormat::Cloudtrail => CLOUDTRAIL,
        SourceFormat::K8sAudit => K8S_AUDIT,
        _ => CutPlan::NONE,
    }
}

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

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::{ParseOptions, parse_reader_deferred};

    fn json_logs(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        for entry in entries {
            let path = entry.path();
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            if path.is_dir() {
                json_logs(&path, out);
            } else if matches!(ext, "json" | "jsonl" | "log") {
                out.push(path);
            }
        }
    }

    /// Every deferred CloudTrail and Kubernetes audit record of the corpus is read from its
    /// members by the format's member reader itself (no fall-back to the text parse), and
    /// that gives exactly what the text parse gives.
    /// The OCSF JSON of the event `format`'s member reader makes of `members` (no fallback to
    /// the text parse: a failed read fails the test).
    fn read_members<'n, 'a, V: crate::member_de::MemberValue<'n, 'a>>(
        format: SourceFormat,
        members: impl Iterator<Item = (&'n str, V)>,
        text: &'a str,
    ) -> String {
        let read = match format {
            SourceFormat::Cloudtrail => crate::cloudtrail::parse_members(members, text),
            _ => crate::k8s_audit::parse_members(members, text),
        };
        match read {
            Some(Outcome::Event(event)) => event.to_ocsf_json(),
            _ => panic!("the member read made no event of {text}"),
        }
    }

    #[test]
    fn conformance_member_reads_match_text_parses() {
        let Some(root) = crate::text::conformance::corpus_dir() else {
            return;
        };
        for (dir, format) in [
            ("cloudtrail", SourceFormat::Cloudtrail),
            ("k8s-audit", SourceFormat::K8sAudit),
        ] {
            let mut paths = Vec::new();
            json_logs(&root.join(dir), &mut paths);
            let mut compared = 0;
            for path in paths {
                let input = std::fs::read_to_string(&path).unwrap();
                let options = ParseOptions {
                    format: Some(format),
                    ..ParseOptions::default()
                };
                parse_reader_deferred(
                    input.as_bytes(),
                    &options,
                    |_| true,
                    |pending| {
                        let text = pending.text.expect("the record arrives deferred");
                        let raw = &pending.event().raw;
                        let want = parse_record(format, text).render();
                        // From the value texts, then from the view's nodes (nested objects
                        // read from their cut members).
                        let texts = raw.members().expect("a deferred record has members");
                        assert_eq!(
                            read_members(format, texts, text),
                            want,
                            "{}",
                            path.display()
                        );
                        let nodes = raw.member_nodes().expect("a deferred record has members");
                        assert_eq!(
                            read_members(format, nodes, text),
                            want,
                            "{}",
                            path.display()
                        );
                        compared += 1;
                    },
                )
                .unwrap();
            }
            let at_least = if format == SourceFormat::Cloudtrail {
                590
            } else {
                240
            };
            assert!(compared >= at_least, "{dir}: {compared} records compared");
        }
    }
}
