//! Per-sink counters and health.

use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters of one sink, updated by the router and its worker.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) sent: AtomicU64,
    pub(crate) retried: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) spooled: AtomicU64,
    pub(crate) replayed: AtomicU64,
    pub(crate) dropped: AtomicU64,
}

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: usize) {
        counter.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> SinkCounters {
        SinkCounters {
            sent: self.sent.load(Ordering::Relaxed),
            retried: self.retried.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            spooled: self.spooled.load(Ordering::Relaxed),
            replayed: self.replayed.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
        }
    }
}

/// A snapshot of one sink's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SinkCounters {
    /// Alerts the sink accepted (including replayed ones).
    pub sent: u64,
    /// Delivery attempts that failed and were (or will be) retried.
    pub retried: u64,
    /// Alerts that could be neither delivered nor made durable at some point (a spool write
    /// failed, a spooled record was unreadable, the queue refused them). Each is also reported:
    /// as an error from [`Router::send`](crate::Router::send) or in the sink's health.
    pub failed: u64,
    /// Alerts written durably to the sink's disk spool.
    pub spooled: u64,
    /// Spooled alerts later delivered (a subset of `sent`).
    pub replayed: u64,
    /// Alerts dropped by the `drop` overflow policy.
    pub dropped: u64,
}

/// The state of a sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthState {
    /// The last delivery succeeded and nothing waits in the spool.
    Healthy,
    /// Alerts wait in the spool or deliveries are being retried.
    Degraded,
    /// The sink cannot deliver and its spool cannot take alerts either.
    Unhealthy,
}

/// The health of one sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkHealth {
    /// The sink's name.
    pub name: String,
    /// The state.
    pub state: HealthState,
    /// The last error, if the last operation failed.
    pub last_error: Option<String>,
    /// Alerts waiting in memory.
    pub queued: usize,
    /// Alerts waiting in the spool.
    pub spooled_pending: u64,
    /// The counters.
    pub counters: SinkCounters,
}
