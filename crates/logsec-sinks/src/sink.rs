//! The [`Sink`] trait: one method to implement, hooks with defaults for the rest.

use std::fmt;
use std::time::Duration;

use logsec_event::Alert;

use crate::error::SinkError;

/// How a sink wants alerts grouped before [`Sink::send`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batching {
    /// At most this many alerts per call (at least 1).
    pub max_alerts: usize,
    /// How long the worker may wait for more alerts once it has one (0: send at once).
    pub max_wait: Duration,
}

impl Default for Batching {
    fn default() -> Self {
        Batching {
            max_alerts: 1,
            max_wait: Duration::ZERO,
        }
    }
}

/// Where alerts go. The router calls a sink from one worker thread only, so implementations
/// need no locking; they must be `Send` to move to that thread.
///
/// A sink only has to implement [`Sink::kind`] and [`Sink::send`]. `send` must return `Ok` only
/// once the alerts are handed over to the destination as durably as it allows (written and,
/// if configured, synced; acknowledged with a 2xx; written to the socket or pipe). On `Err`
/// the router retries the same batch later (with backoff) or spools it, so a sink never drops
/// alerts itself and may see the same batch again.
///
/// ```
/// use logsec_event::Alert;
/// use logsec_sinks::{Sink, SinkError};
///
/// #[derive(Debug, Default)]
/// struct Collect(Vec<String>);
///
/// impl Sink for Collect {
///     fn kind(&self) -> &'static str { "collect" }
///     fn send(&mut self, alerts: &[Alert]) -> Result<(), SinkError> {
///         self.0.extend(alerts.iter().map(|a| a.uid().to_owned()));
///         Ok(())
///     }
/// }
/// let mut sink = Collect::default();
/// sink.send(&[Alert::default()]).unwrap();
/// assert_eq!(sink.0.len(), 1);
/// ```
pub trait Sink: Send + fmt::Debug {
    /// A short name of the kind of sink (`file`, `webhook`, …), for messages.
    fn kind(&self) -> &'static str;

    /// Delivers a batch of alerts, in order.
    fn send(&mut self, alerts: &[Alert]) -> Result<(), SinkError>;

    /// How alerts should be grouped; one at a time by default.
    fn batching(&self) -> Batching {
        Batching::default()
    }

    /// Flushes buffered output. Called when the queue runs empty and before closing.
    fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    /// Probes the destination without sending an alert (e.g. connects). The default assumes
    /// the destination is healthy; the router also reports the outcome of the last delivery.
    fn check(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    /// Releases resources (closes files and sockets, waits for a child process). The default
    /// flushes.
    fn close(&mut self) -> Result<(), SinkError> {
        self.flush()
    }
}

impl<S: Sink + ?Sized> Sink for Box<S> {
    fn kind(&self) -> &'static str {
        (**self).kind()
    }
    fn send(&mut self, alerts: &[Alert]) -> Result<(), SinkError> {
        (**self).send(alerts)
    }
    fn batching(&self) -> Batching {
        (**self).batching()
    }
    fn flush(&mut self) -> Result<(), SinkError> {
        (**self).flush()
    }
    fn check(&mut self) -> Result<(), SinkError> {
        (**self).check()
    }
    fn close(&mut self) -> Result<(), SinkError> {
        (**self).close()
    }
}
