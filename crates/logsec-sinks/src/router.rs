//! The router: filters, flood control and redaction in front; one worker thread, one bounded
//! queue and one disk spool per sink behind.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use logsec_event::Alert;

use crate::counters::{Counters, HealthState, SinkCounters, SinkHealth};
use crate::error::SinkError;
use crate::flood::FloodControl;
use crate::redact::Redactor;
use crate::route::{Backoff, Overflow, RetryPolicy, Route};
use crate::sink::Sink;
use crate::spool::{DEFAULT_SEGMENT_BYTES, Peeked, Spool};

/// The default capacity of a sink's in-memory queue.
pub const DEFAULT_QUEUE_CAPACITY: usize = 1024;

/// One sink with its name, route, queue and retry settings, ready to hand to a
/// [`RouterBuilder`].
#[derive(Debug)]
pub struct SinkSpec {
    name: String,
    sink: Box<dyn Sink>,
    route: Route,
    capacity: usize,
    overflow: Overflow,
    retry: RetryPolicy,
    spool: bool,
    durable: Option<bool>,
}

impl SinkSpec {
    /// A sink named `name` (letters, digits, `-`, `_`, `.`; it names the spool directory) that
    /// takes every alert, with a queue of [`DEFAULT_QUEUE_CAPACITY`], the spool overflow policy
    /// and the default retry policy.
    pub fn new(name: impl Into<String>, sink: impl Sink + 'static) -> SinkSpec {
        SinkSpec {
            name: name.into(),
            sink: Box::new(sink),
            route: Route::all(),
            capacity: DEFAULT_QUEUE_CAPACITY,
            overflow: Overflow::default(),
            retry: RetryPolicy::default(),
            spool: true,
            durable: None,
        }
    }

    /// Sets the route.
    pub fn route(mut self, route: Route) -> SinkSpec {
        self.route = route;
        self
    }

    /// Sets the queue capacity (at least 1).
    pub fn queue_capacity(mut self, capacity: usize) -> SinkSpec {
        self.capacity = capacity.max(1);
        self
    }

    /// Sets the overflow policy.
    pub fn overflow(mut self, overflow: Overflow) -> SinkSpec {
        self.overflow = overflow;
        self
    }

    /// Sets the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> SinkSpec {
        self.retry = retry;
        self
    }

    /// Whether this sink uses the router's spool directory (on by default; a sink without a
    /// spool keeps retrying in memory and refuses alerts, with an error, once its queue is full).
    pub fn spool(mut self, enabled: bool) -> SinkSpec {
        self.spool = enabled;
        self
    }

    /// Write-ahead mode: [`Router::send`] writes every alert to the spool (and `fsync`s it)
    /// before returning, and the worker delivers from the spool, so an alert is durable the
    /// moment it is handed over, even across a crash. Costs one `fsync` per alert; needs a
    /// spool directory. On by default whenever the sink has a spool (a router with a spool
    /// directory and `spool(true)`); `durable(false)` trades that guarantee for speed.
    pub fn durable(mut self, enabled: bool) -> SinkSpec {
        self.durable = Some(enabled);
        self
    }

    /// The sink's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Builds a [`Router`]; the configuration is frozen at [`RouterBuilder::build`].
#[derive(Debug, Default)]
pub struct RouterBuilder {
    sinks: Vec<SinkSpec>,
    spool_dir: Option<PathBuf>,
    segment_bytes: Option<u64>,
    redactor: Option<Redactor>,
    flood: Option<FloodControl>,
    close_timeout: Option<Duration>,
}

impl RouterBuilder {
    /// A router with no sinks, no spool, default redaction and no flood control.
    pub fn new() -> RouterBuilder {
        RouterBuilder::default()
    }

    /// Adds a sink.
    pub fn sink(mut self, spec: SinkSpec) -> RouterBuilder {
        self.sinks.push(spec);
        self
    }

    /// The spool root: each sink spools to `<dir>/<sink name>`.
    pub fn spool_dir(mut self, dir: impl Into<PathBuf>) -> RouterBuilder {
        self.spool_dir = Some(dir.into());
        self
    }

    /// The size at which a spool starts a new segment file (default 16 MiB).
    pub fn spool_segment_bytes(mut self, bytes: u64) -> RouterBuilder {
        self.segment_bytes = Some(bytes);
        self
    }

    /// Sets the redaction applied before any sink (default: [`Redactor::default`]).
    pub fn redactor(mut self, redactor: Redactor) -> RouterBuilder {
        self.redactor = Some(redactor);
        self
    }

    /// Enables flood control.
    pub fn flood_control(mut self, flood: FloodControl) -> RouterBuilder {
        self.flood = Some(flood);
        self
    }

    /// How long [`Router::close`] (and dropping the router) lets workers deliver what is
    /// queued before spooling the rest (default 5 s).
    pub fn close_timeout(mut self, timeout: Duration) -> RouterBuilder {
        self.close_timeout = Some(timeout);
        self
    }

    /// Opens the spools (replaying what a previous run left there) and starts one worker per
    /// sink. Fails if two sinks share a name, a name is unusable as a directory name, or a
    /// spool directory cannot be created or read.
    pub fn build(self) -> Result<Router, SinkError> {
        let mut names = std::collections::HashSet::new();
        for spec in &self.sinks {
            let valid = !spec.name.is_empty()
                && !spec.name.starts_with('.')
                && spec
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
            if !valid {
                return Err(SinkError::Config(format!(
                    "sink name {:?} must be letters, digits, '-', '_' or '.' and not start with '.'",
                    spec.name
                )));
            }
            if !names.insert(spec.name.clone()) {
                return Err(SinkError::Config(format!(
                    "two sinks are named {:?}",
                    spec.name
                )));
            }
        }
        let segment_bytes = self.segment_bytes.unwrap_or(DEFAULT_SEGMENT_BYTES);
        let mut prepared = Vec::new();
        for spec in self.sinks {
            let has_spool = self.spool_dir.is_some() && spec.spool;
            if spec.durable == Some(true) && !has_spool {
                return Err(SinkError::Config(format!(
                    "sink {:?} is durable but has no spool directory",
                    spec.name
                )));
            }
            let spool = match (&self.spool_dir, spec.spool) {
                (Some(root), true) => Some(Spool::open(
                    &spec.name,
                    &root.join(&spec.name),
                    segment_bytes,
                )?),
                _ => None,
            };
            let durable = spec.durable.unwrap_or(has_spool);
            prepared.push((spec, spool, durable));
        }
        let mut handles = Vec::new();
        for (spec, spool, durable) in prepared {
            let shared = Arc::new(Shared {
                name: spec.name.clone(),
                capacity: spec.capacity,
                durable,
                state: Mutex::new(State {
                    queue: VecDeque::with_capacity(spec.capacity.min(4096)),
                    spool,
                    closing: None,
                    last_error: None,
                    spool_error: None,
                    held: None,
                    held_counted: false,
                    probe_requested: 0,
                    probe_done: 0,
                    probe_error: None,
                }),
                wake_worker: Condvar::new(),
                room: Condvar::new(),
                counters: Counters::default(),
                busy: AtomicBool::new(false),
                batch_max: AtomicUsize::new(spec.sink.batching().max_alerts.max(1)),
            });
            let worker = Worker {
                shared: Arc::clone(&shared),
                sink: spec.sink,
                backoff: Backoff::new(spec.retry, seed(&spec.name)),
                retry: spec.retry,
            };
            let thread = std::thread::Builder::new()
                .name(format!("logsec-sink-{}", spec.name))
                .spawn(move || worker.run())
                .map_err(|e| SinkError::Config(format!("cannot start sink worker: {e}")))?;
            handles.push(SinkHandle {
                shared,
                route: spec.route,
                overflow: spec.overflow,
                thread: Some(thread),
            });
        }
        Ok(Router {
            sinks: handles,
            redactor: self.redactor.unwrap_or_default(),
            flood: self.flood.map(Mutex::new),
            close_timeout: self.close_timeout.unwrap_or(Duration::from_secs(5)),
            received: AtomicU64::new(0),
            suppressed: AtomicU64::new(0),
            unrouted: AtomicU64::new(0),
        })
    }
}

fn seed(name: &str) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    name.bytes()
        .fold(u64::from(nanos) ^ 0x9e37_79b9_7f4a_7c15, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// Router-wide counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RouterCounters {
    /// Alerts given to [`Router::send`].
    pub received: u64,
    /// Alerts suppressed by flood control.
    pub suppressed: u64,
    /// Alerts no route took.
    pub unrouted: u64,
}

/// Routes alerts to sinks. Each sink has a worker thread and a bounded queue; when a sink is
/// slow or down its alerts go to its disk spool and are replayed in order once it recovers, or
/// on the next start.
///
/// [`Router::send`] never blocks unboundedly: it waits at most for a queue slot under the
/// `block` policy's timeout, or for one `fsync` of the spool.
///
/// **Delivery guarantee.** An alert is handed over once it is in a sink's queue; it is durable
/// once the sink acknowledged it or it is in the spool. Closing the router (or dropping it)
/// delivers or spools everything queued; only a crash loses what was queued in memory
/// (bounded by the queue capacity), unless the sink is [durable](SinkSpec::durable), in which
/// case every alert is in the spool before `send` returns. Alerts may arrive more than once
/// (after a retry of a batch the endpoint did receive, or a replay after a crash); their
/// deterministic `uid` lets the receiver tell.
#[derive(Debug)]
pub struct Router {
    sinks: Vec<SinkHandle>,
    redactor: Redactor,
    flood: Option<Mutex<FloodControl>>,
    close_timeout: Duration,
    received: AtomicU64,
    suppressed: AtomicU64,
    unrouted: AtomicU64,
}

#[derive(Debug)]
struct SinkHandle {
    shared: Arc<Shared>,
    route: Route,
    overflow: Overflow,
    thread: Option<JoinHandle<()>>,
}

#[derive(Debug)]
struct Shared {
    name: String,
    capacity: usize,
    /// Write-ahead mode (see [`SinkSpec::durable`]).
    durable: bool,
    state: Mutex<State>,
    wake_worker: Condvar,
    room: Condvar,
    counters: Counters,
    /// Set while the worker holds a batch taken from the queue or spool.
    busy: AtomicBool,
    /// The sink's batch size, for deciding when to wake the worker.
    batch_max: AtomicUsize,
}

#[derive(Debug)]
struct State {
    queue: VecDeque<Alert>,
    spool: Option<Spool>,
    /// Set by close: the deadline after which the worker spools instead of delivering.
    closing: Option<Instant>,
    last_error: Option<String>,
    spool_error: Option<String>,
    /// The batch the worker took from the queue and has not delivered yet (in flight, or
    /// waiting for a retry). It is older than the queue, so whoever spools the queue spools it
    /// first; the worker notices it is gone and replays it from the spool.
    held: Option<Arc<Vec<Alert>>>,
    /// Whether `held` is already counted in `failed`.
    held_counted: bool,
    /// Probes requested by [`Router::check`] and probes done by the worker.
    probe_requested: u64,
    probe_done: u64,
    /// The outcome of the last probe: `None` before any, `Some(None)` when it passed.
    probe_error: Option<Option<String>>,
}

impl State {
    fn spool_pending(&self) -> u64 {
        self.spool.as_ref().map_or(0, Spool::pending)
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A worker that panicked leaves consistent state behind (every update is one
        // assignment), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Moves the held batch, the whole queue and `tail`, in that order, to the spool. On
    /// failure nothing is removed.
    fn spool_with_queue(
        &self,
        state: &mut State,
        tail: Option<&Alert>,
    ) -> Result<usize, SinkError> {
        let State {
            spool, queue, held, ..
        } = state;
        let Some(spool) = spool.as_mut() else {
            return Err(SinkError::Rejected {
                sink: self.name.clone(),
                alert_uid: held
                    .as_ref()
                    .and_then(|batch| batch.first())
                    .or(queue.front())
                    .or(tail)
                    .map(|a| a.uid().to_owned())
                    .unwrap_or_default(),
                reason: "the sink cannot take alerts now and has no spool".into(),
            });
        };
        let head = held.as_deref().map_or(&[][..], Vec::as_slice);
        match spool.append(head.iter().chain(queue.iter()).chain(tail)) {
            Ok(count) => {
                state.queue.clear();
                state.held = None;
                state.held_counted = false;
                state.spool_error = None;
                Counters::add(&self.counters.spooled, count);
                self.room.notify_all();
                Ok(count)
            }
            Err(error) => {
                state.spool_error = Some(error.to_string());
                Err(error)
            }
        }
    }

    fn enqueue(&self, alert: Alert, overflow: Overflow) -> Result<(), SinkError> {
        let mut state = self.lock();
        if state.closing.is_some() {
            Counters::add(&self.counters.failed, 1);
            return Err(SinkError::Rejected {
                sink: self.name.clone(),
                alert_uid: alert.uid().to_owned(),
                reason: "the router is closing".into(),
            });
        }
        if self.durable {
            let result = self.spool_with_queue(&mut state, Some(&alert));
            self.wake_worker.notify_one();
            return result.map(|_| ()).inspect_err(|_| {
                Counters::add(&self.counters.failed, 1);
            });
        }
        if let Overflow::Block(timeout) = overflow {
            let deadline = deadline_after(timeout);
            while state.queue.len() >= self.capacity {
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                state = self
                    .room
                    .wait_timeout(state, deadline - now)
                    .map_or_else(|poison| poison.into_inner().0, |(guard, _)| guard);
            }
        }
        if state.queue.len() < self.capacity {
            state.queue.push_back(alert);
            // The worker waits for the first alert, or lingers for a full batch; waking it
            // for every alert in between only costs context switches.
            let length = state.queue.len();
            if length == 1 || length >= self.batch_max.load(Ordering::Relaxed) {
                self.wake_worker.notify_one();
            }
            return Ok(());
        }
        if overflow == Overflow::Drop {
            Counters::add(&self.counters.dropped, 1);
            return Ok(());
        }
        let result = self.spool_with_queue(&mut state, Some(&alert));
        self.wake_worker.notify_one();
        match result {
            Ok(_) => Ok(()),
            Err(error) => {
                Counters::add(&self.counters.failed, 1);
                Err(error)
            }
        }
    }

    fn health(&self) -> SinkHealth {
        let state = self.lock();
        let pending = state.spool_pending();
        let probe_failed = matches!(state.probe_error, Some(Some(_)));
        let state_name = if state.spool_error.is_some()
            || ((state.last_error.is_some() || probe_failed) && state.spool.is_none())
        {
            HealthState::Unhealthy
        } else if state.last_error.is_some() || probe_failed || pending > 0 {
            HealthState::Degraded
        } else {
            HealthState::Healthy
        };
        SinkHealth {
            name: self.name.clone(),
            state: state_name,
            last_error: state
                .spool_error
                .clone()
                .or_else(|| state.last_error.clone())
                .or_else(|| state.probe_error.clone().flatten()),
            queued: state.queue.len(),
            spooled_pending: pending,
            counters: self.counters.snapshot(),
        }
    }
}

impl Router {
    /// Starts a [`RouterBuilder`].
    pub fn builder() -> RouterBuilder {
        RouterBuilder::new()
    }

    /// Redacts the alert, applies flood control, and hands it to every sink whose route takes
    /// it. Returns how many sinks took it (0 when suppressed or unrouted).
    ///
    /// An error means at least one sink could neither queue nor spool the alert (its spool is
    /// broken, or it has none and its queue is full); the alert still went to the other sinks,
    /// and the sink's `failed` counter and health record the failure.
    pub fn send(&self, mut alert: Alert) -> Result<usize, SinkError> {
        self.received.fetch_add(1, Ordering::Relaxed);
        self.redactor.apply(&mut alert);
        if let Some(flood) = &self.flood {
            let mut flood = flood.lock().unwrap_or_else(|poison| poison.into_inner());
            if !flood.admit(&mut alert) {
                self.suppressed.fetch_add(1, Ordering::Relaxed);
                return Ok(0);
            }
        }
        let targets: Vec<&SinkHandle> = self
            .sinks
            .iter()
            .filter(|handle| handle.route.matches(&alert))
            .collect();
        if targets.is_empty() {
            self.unrouted.fetch_add(1, Ordering::Relaxed);
            return Ok(0);
        }
        let mut first_error = None;
        let mut taken = 0;
        let last = targets.len() - 1;
        let mut alert = Some(alert);
        for (index, handle) in targets.into_iter().enumerate() {
            let copy = if index == last {
                alert.take()
            } else {
                alert.clone()
            };
            let Some(copy) = copy else { break };
            match handle.shared.enqueue(copy, handle.overflow) {
                Ok(()) => taken += 1,
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok(taken),
        }
    }

    /// The router-wide counters.
    pub fn counters(&self) -> RouterCounters {
        RouterCounters {
            received: self.received.load(Ordering::Relaxed),
            suppressed: self.suppressed.load(Ordering::Relaxed),
            unrouted: self.unrouted.load(Ordering::Relaxed),
        }
    }

    /// The counters of the sink named `name`.
    pub fn sink_counters(&self, name: &str) -> Option<SinkCounters> {
        self.sinks
            .iter()
            .find(|handle| handle.shared.name == name)
            .map(|handle| handle.shared.counters.snapshot())
    }

    /// Asks every sink's worker to probe its destination ([`Sink::check`]: connect to the
    /// webhook or syslog endpoint, start the program, …) between deliveries, waits up to
    /// `timeout` for the answers, and returns the health of every sink with the probe's
    /// outcome folded in (a failed probe makes a sink `Degraded`, or `Unhealthy` without a
    /// spool, and shows as its `last_error` when nothing else failed).
    pub fn check(&self, timeout: Duration) -> Vec<SinkHealth> {
        let deadline = deadline_after(timeout);
        let targets: Vec<u64> = self
            .sinks
            .iter()
            .map(|handle| {
                let mut state = handle.shared.lock();
                state.probe_requested += 1;
                handle.shared.wake_worker.notify_all();
                state.probe_requested
            })
            .collect();
        for (handle, target) in self.sinks.iter().zip(targets) {
            let mut state = handle.shared.lock();
            while state.probe_done < target {
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                state = handle
                    .shared
                    .room
                    .wait_timeout(state, deadline - now)
                    .map_or_else(|poison| poison.into_inner().0, |(guard, _)| guard);
            }
        }
        self.health()
    }

    /// The health of every sink, in configuration order.
    pub fn health(&self) -> Vec<SinkHealth> {
        self.sinks
            .iter()
            .map(|handle| handle.shared.health())
            .collect()
    }

    /// Waits until every queue and spool is empty (everything delivered) or `timeout` passes;
    /// returns whether everything was delivered.
    pub fn flush(&self, timeout: Duration) -> bool {
        let deadline = deadline_after(timeout);
        loop {
            let idle = self.sinks.iter().all(|handle| {
                let state = handle.shared.lock();
                state.queue.is_empty() && state.spool_pending() == 0 && !handle_busy(handle)
            });
            if idle {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            // Workers signal `room` after every batch; the short timeout covers a signal that
            // came between the check above and the wait.
            if let Some(handle) = self.sinks.iter().find(|handle| {
                let state = handle.shared.lock();
                !(state.queue.is_empty() && state.spool_pending() == 0 && !handle_busy(handle))
            }) {
                let state = handle.shared.lock();
                let _ = handle
                    .shared
                    .room
                    .wait_timeout(state, Duration::from_millis(2));
            }
        }
    }

    /// Stops the router: workers deliver what is queued until the close timeout, then spool
    /// the rest; spooled alerts stay for the next start. Returns the final health of every
    /// sink.
    pub fn close(mut self) -> Vec<SinkHealth> {
        self.shutdown();
        self.health()
    }

    fn shutdown(&mut self) {
        let deadline = deadline_after(self.close_timeout);
        for handle in &self.sinks {
            let mut state = handle.shared.lock();
            if state.closing.is_none() {
                state.closing = Some(deadline);
            }
            handle.shared.wake_worker.notify_all();
            handle.shared.room.notify_all();
        }
        for handle in &mut self.sinks {
            if let Some(thread) = handle.thread.take() {
                // A worker that panicked has already left its state consistent; there is
                // nothing more to recover from the panic payload.
                let _ = thread.join();
            }
        }
    }
}

fn handle_busy(handle: &SinkHandle) -> bool {
    handle.shared.busy.load(Ordering::Acquire)
}

impl Drop for Router {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The worker thread of one sink.
#[derive(Debug)]
struct Worker {
    shared: Arc<Shared>,
    sink: Box<dyn Sink>,
    backoff: Backoff,
    retry: RetryPolicy,
}

/// Where a batch came from.
#[derive(Debug)]
enum Batch {
    Queue(Arc<Vec<Alert>>),
    Spool(Peeked),
}

impl Worker {
    fn run(mut self) {
        if let Err(error) = self.sink.check() {
            self.shared.lock().last_error = Some(error.to_string());
        }
        let batching = self.sink.batching();
        let max_alerts = batching.max_alerts.max(1);
        let mut attempts: u32 = 0;
        let mut dirty = false;
        while let Some(batch) = self.next_batch(max_alerts, batching.max_wait, &mut dirty) {
            let alerts: &[Alert] = match &batch {
                Batch::Queue(alerts) => alerts,
                Batch::Spool(peeked) => &peeked.alerts,
            };
            let closing_past_deadline = self
                .shared
                .lock()
                .closing
                .is_some_and(|deadline| Instant::now() >= deadline);
            let result = if alerts.is_empty() {
                Ok(())
            } else if closing_past_deadline {
                Err(SinkError::Rejected {
                    sink: self.shared.name.clone(),
                    alert_uid: alerts
                        .first()
                        .map(|a| a.uid().to_owned())
                        .unwrap_or_default(),
                    reason: "close timeout reached".into(),
                })
            } else {
                self.sink.send(alerts)
            };
            let mut state = self.shared.lock();
            match result {
                Ok(()) => {
                    attempts = 0;
                    dirty = true;
                    self.backoff.reset();
                    Counters::add(&self.shared.counters.sent, alerts.len());
                    state.last_error = None;
                    match &batch {
                        Batch::Queue(_) => {
                            // If a producer spooled it meanwhile, the spool replays it again:
                            // a duplicate, never a loss.
                            state.held = None;
                            state.held_counted = false;
                        }
                        Batch::Spool(peeked) => {
                            Counters::add(&self.shared.counters.replayed, peeked.alerts.len());
                            Counters::add(&self.shared.counters.failed, peeked.unreadable);
                            if let Some(spool) = state.spool.as_mut()
                                && let Err(error) = spool.commit(peeked)
                            {
                                // The batch was delivered; it will be delivered again.
                                state.spool_error = Some(error.to_string());
                            }
                        }
                    }
                    self.shared.busy.store(false, Ordering::Release);
                    self.shared.room.notify_all();
                }
                Err(error) => {
                    attempts += 1;
                    Counters::add(&self.shared.counters.retried, alerts.len());
                    state.last_error = Some(error.to_string());
                    let closing = state.closing.is_some();
                    let holding = state.held.is_some();
                    let may_spool = closing
                        || (state.spool.is_some() && attempts >= self.retry.attempts_before_spool);
                    // Spool what waits in memory: the held batch (if a producer has not spooled
                    // it already) and the queue behind it.
                    if may_spool && (holding || !state.queue.is_empty()) {
                        match self.shared.spool_with_queue(&mut state, None) {
                            Ok(_) => attempts = 0,
                            Err(spool_error) if closing => {
                                // Nowhere left to put them: count them and say so.
                                let held = state.held.as_ref().map_or(0, |batch| batch.len());
                                let uncounted = if state.held_counted { 0 } else { held };
                                Counters::add(
                                    &self.shared.counters.failed,
                                    uncounted + state.queue.len(),
                                );
                                state.last_error = Some(format!(
                                    "{} alerts undelivered at close ({error}); {spool_error}",
                                    held + state.queue.len()
                                ));
                                state.queue.clear();
                                state.held = None;
                            }
                            Err(_) => {
                                if holding && !state.held_counted {
                                    let held = state.held.as_ref().map_or(0, |batch| batch.len());
                                    Counters::add(&self.shared.counters.failed, held);
                                    state.held_counted = true;
                                }
                            }
                        }
                    }
                    if state.held.is_none() {
                        self.shared.busy.store(false, Ordering::Release);
                        self.shared.room.notify_all();
                    }
                    if closing {
                        // Nothing more is tried once closing: what could not go is spooled
                        // or counted.
                        if state.held.is_none()
                            && (state.spool_pending() > 0 || state.queue.is_empty())
                        {
                            break;
                        }
                        continue;
                    }
                    let wait = self.backoff.next_wait(error.retry_after());
                    drop(state);
                    self.sleep(wait);
                }
            }
        }
        if let Err(error) = self.sink.close() {
            self.shared.lock().last_error = Some(error.to_string());
        }
    }

    /// Waits for the next batch: spooled alerts first (they are older), then the queue.
    /// Returns `None` when the router is closing and nothing is left to deliver.
    fn next_batch(&mut self, max: usize, max_wait: Duration, dirty: &mut bool) -> Option<Batch> {
        let mut state = self.shared.lock();
        loop {
            if state.probe_requested > state.probe_done {
                let target = state.probe_requested;
                drop(state);
                let outcome = self.sink.check().err().map(|error| error.to_string());
                state = self.shared.lock();
                state.probe_done = target;
                state.probe_error = Some(outcome);
                self.shared.room.notify_all();
                continue;
            }
            if let Some(held) = &state.held {
                self.shared.busy.store(true, Ordering::Release);
                return Some(Batch::Queue(Arc::clone(held)));
            }
            if state.spool_pending() > 0 {
                // While closing, replay goes on as long as the sink delivers and time is left;
                // otherwise the spool waits for the next start.
                let keep_replaying = state.last_error.is_none()
                    && state
                        .closing
                        .is_none_or(|deadline| Instant::now() < deadline);
                if !keep_replaying && state.closing.is_some() {
                    // Keep the spool for the next start; queue behind it goes there too.
                    if !state.queue.is_empty()
                        && self.shared.spool_with_queue(&mut state, None).is_err()
                    {
                        let lost = state.queue.len();
                        Counters::add(&self.shared.counters.failed, lost);
                        state.queue.clear();
                    }
                    return None;
                }
                let peeked = state.spool.as_ref().map(|spool| spool.peek(max));
                match peeked {
                    Some(Ok(peeked)) => {
                        self.shared.busy.store(true, Ordering::Release);
                        return Some(Batch::Spool(peeked));
                    }
                    Some(Err(error)) => {
                        state.spool_error = Some(error.to_string());
                        state.last_error = Some(error.to_string());
                        drop(state);
                        let wait = self.backoff.next_wait(None);
                        self.sleep(wait);
                        state = self.shared.lock();
                        continue;
                    }
                    None => {}
                }
            }
            if !state.queue.is_empty() {
                if state.queue.len() < max && !max_wait.is_zero() && state.closing.is_none() {
                    let deadline = deadline_after(max_wait);
                    while state.queue.len() < max && state.closing.is_none() {
                        let now = Instant::now();
                        if now >= deadline {
                            break;
                        }
                        state = self
                            .shared
                            .wake_worker
                            .wait_timeout(state, deadline - now)
                            .map_or_else(|poison| poison.into_inner().0, |(guard, _)| guard);
                    }
                }
                let take = state.queue.len().min(max);
                let alerts: Arc<Vec<Alert>> = Arc::new(state.queue.drain(..take).collect());
                state.held = Some(Arc::clone(&alerts));
                state.held_counted = false;
                self.shared.busy.store(true, Ordering::Release);
                self.shared.room.notify_all();
                return Some(Batch::Queue(alerts));
            }
            if *dirty {
                drop(state);
                if let Err(error) = self.sink.flush() {
                    self.shared.lock().last_error = Some(error.to_string());
                }
                *dirty = false;
                state = self.shared.lock();
                continue;
            }
            if state.closing.is_some() {
                return None;
            }
            state = self
                .shared
                .wake_worker
                .wait_timeout(state, Duration::from_millis(500))
                .map_or_else(|poison| poison.into_inner().0, |(guard, _)| guard);
        }
    }

    /// Sleeps for `wait`, waking early when the router closes.
    fn sleep(&self, wait: Duration) {
        let deadline = deadline_after(wait);
        let mut state = self.shared.lock();
        loop {
            let now = Instant::now();
            if now >= deadline
                || state.closing.is_some()
                || state.probe_requested > state.probe_done
            {
                return;
            }
            state = self
                .shared
                .wake_worker
                .wait_timeout(state, deadline - now)
                .map_or_else(|poison| poison.into_inner().0, |(guard, _)| guard);
        }
    }
}

/// `now + wait`, saturating instead of panicking on absurdly long configured durations.
fn deadline_after(wait: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(wait)
        .or_else(|| now.checked_add(Duration::from_secs(86_400 * 365)))
        .unwrap_or(now)
}
