//! Where parsed events, rejects and notes go.
//!
//! Events borrow from the text they were parsed from. Text cut straight out of the caller's
//! input lives as long as that input ([`Sink::event`]); text the framework had to build itself
//! (an unescaped CloudWatch `message`, a decompressed buffer) lives shorter
//! ([`Sink::event_temp`]). A visitor sink treats both alike; a collecting sink keeps the first
//! without a copy and detaches the second.

use logsec_event::{Event, RawRecord, SourceFormat};

use crate::api::ParseSummary;
use crate::deferred::Pending;
use crate::reject::{LocationKind, Reject, snippet};

/// Receives what parsing produces.
pub(crate) trait Sink<'a> {
    /// An event that borrows from the input (`'a`). Events travel boxed: an `Event` is a few
    /// KiB, and moving it by value between parser, framer and sink costs more than the box.
    fn event(&mut self, event: Box<Event<'a>>);
    /// An event that borrows from a temporary buffer.
    fn event_temp(&mut self, event: Box<Event<'_>>);
    /// The summary being built (counts, rejects, notes).
    fn summary(&mut self) -> &mut ParseSummary;
    /// Whether to stop at the first reject.
    fn strict(&self) -> bool;
    /// Whether records of `format` may be handed over unnormalized, through
    /// [`Sink::pending`].
    fn defers(&self, _format: SourceFormat) -> bool {
        false
    }
    /// A validated record of a deferring format; normalizing it is up to the sink. The
    /// caller counts it afterwards (an event, or a reject if normalization rejected it).
    fn pending(&mut self, _pending: &mut Pending<'_>) {}
}

/// Whether parsing should stop now (strict mode after a reject).
pub(crate) fn should_stop<'a>(sink: &mut dyn Sink<'a>) -> bool {
    sink.strict() && !sink.summary().rejects.is_empty()
}

/// Where the current record sits in the input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Loc {
    /// Line number or record index.
    pub(crate) record: u64,
    /// Which of the two `record` is.
    pub(crate) kind: LocationKind,
    /// Byte offset of the record's start.
    pub(crate) offset: u64,
}

/// Records a reject at `loc`.
pub(crate) fn reject<'a>(
    sink: &mut dyn Sink<'a>,
    file: Option<&str>,
    loc: Loc,
    text: &str,
    reason: String,
) {
    let summary = sink.summary();
    summary.records += 1;
    summary.rejects.push(Reject {
        file: file.map(str::to_owned),
        record: loc.record,
        location_kind: loc.kind,
        byte_offset: loc.offset,
        reason,
        snippet: snippet(text),
    });
}

/// Records a note once (identical notes are kept once, with a count).
pub(crate) fn note<'a>(sink: &mut dyn Sink<'a>, text: &str) {
    let summary = sink.summary();
    summary.skipped += 1;
    if let Some(entry) = summary.note_counts.iter_mut().find(|(n, _)| n == text) {
        entry.1 += 1;
    } else {
        summary.note_counts.push((text.to_owned(), 1));
    }
}

/// Forwards every event of a shorter-lived text to an outer sink as a temporary event.
pub(crate) struct TempRoute<'s, 'a>(pub(crate) &'s mut dyn Sink<'a>);

impl<'m> Sink<'m> for TempRoute<'_, '_> {
    fn event(&mut self, event: Box<Event<'m>>) {
        self.0.event_temp(event);
    }
    fn event_temp(&mut self, event: Box<Event<'_>>) {
        self.0.event_temp(event);
    }
    fn summary(&mut self) -> &mut ParseSummary {
        self.0.summary()
    }
    fn strict(&self) -> bool {
        self.0.strict()
    }
    fn defers(&self, format: SourceFormat) -> bool {
        self.0.defers(format)
    }
    fn pending(&mut self, pending: &mut Pending<'_>) {
        self.0.pending(pending);
    }
}

/// Calls a visitor for every event.
pub(crate) struct VisitorSink<F> {
    pub(crate) visit: F,
    pub(crate) summary: ParseSummary,
    pub(crate) strict: bool,
}

impl<'a, F: FnMut(&Event<'_>)> Sink<'a> for VisitorSink<F> {
    fn event(&mut self, event: Box<Event<'a>>) {
        self.summary.records += 1;
        self.summary.events += 1;
        (self.visit)(&event);
    }
    fn event_temp(&mut self, event: Box<Event<'_>>) {
        self.summary.records += 1;
        self.summary.events += 1;
        (self.visit)(&event);
    }
    fn summary(&mut self) -> &mut ParseSummary {
        &mut self.summary
    }
    fn strict(&self) -> bool {
        self.strict
    }
}

/// Calls a visitor for every record, handing records of the formats `defer` names over
/// unnormalized (see [`crate::parse_reader_deferred`]).
pub(crate) struct DeferringSink<D, F> {
    pub(crate) defer: D,
    pub(crate) visit: F,
    pub(crate) summary: ParseSummary,
    pub(crate) strict: bool,
}

impl<D, F> DeferringSink<D, F>
where
    F: FnMut(&mut Pending<'_>),
{
    fn normalized(&mut self, event: Box<Event<'_>>) {
        self.summary.records += 1;
        self.summary.events += 1;
        (self.visit)(&mut Pending::normalized(event));
    }
}

impl<'a, D, F> Sink<'a> for DeferringSink<D, F>
where
    D: Fn(SourceFormat) -> bool,
    F: FnMut(&mut Pending<'_>),
{
    fn event(&mut self, event: Box<Event<'a>>) {
        self.normalized(event);
    }
    fn event_temp(&mut self, event: Box<Event<'_>>) {
        self.normalized(event);
    }
    fn summary(&mut self) -> &mut ParseSummary {
        &mut self.summary
    }
    fn strict(&self) -> bool {
        self.strict
    }
    fn defers(&self, format: SourceFormat) -> bool {
        (self.defer)(format)
    }
    fn pending(&mut self, pending: &mut Pending<'_>) {
        (self.visit)(pending);
    }
}

/// Collects events that borrow from an in-memory input.
pub(crate) struct CollectSink<'a> {
    pub(crate) events: Vec<Event<'a>>,
    pub(crate) summary: ParseSummary,
    pub(crate) strict: bool,
}

impl<'a> Sink<'a> for CollectSink<'a> {
    fn event(&mut self, event: Box<Event<'a>>) {
        self.summary.records += 1;
        self.summary.events += 1;
        self.events.push(*event);
    }
    fn event_temp(&mut self, event: Box<Event<'_>>) {
        self.summary.records += 1;
        self.summary.events += 1;
        self.events.push(detach(&event));
    }
    fn summary(&mut self) -> &mut ParseSummary {
        &mut self.summary
    }
    fn strict(&self) -> bool {
        self.strict
    }
}

/// Copies an event out of a temporary buffer. `Event` is invariant in its lifetime (its raw
/// record caches a parsed tree), so `Event::into_owned`'s `Event<'static>` cannot stand in for
/// an `Event<'a>`; a serde round trip builds one with owned strings directly.
pub(crate) fn detach<'a>(event: &Event<'_>) -> Event<'a> {
    let json = event.to_ocsf_json();
    let mut owned: Event<'a> = serde_json::from_str(&json).unwrap_or_default();
    owned.raw = if event.raw.is_json() {
        RawRecord::json(event.raw.as_str().to_owned())
    } else {
        RawRecord::text(event.raw.as_str().to_owned())
    };
    owned
}
