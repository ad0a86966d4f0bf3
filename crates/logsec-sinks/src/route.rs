//! Which alerts a sink receives, and what happens when it cannot keep up.

use std::time::Duration;

use logsec_event::{Alert, Severity, SourceFormat};
use wildmatch::WildMatch;

/// A filter on alerts: every condition that is set must hold. An empty route takes every alert.
///
/// Globs use `*` (any run of characters) and `?` (one character), case-sensitively.
#[derive(Debug, Clone, Default)]
pub struct Route {
    min_severity: Option<Severity>,
    tags: Vec<WildMatch>,
    rules: Vec<WildMatch>,
    sources: Vec<SourceFormat>,
}

impl Route {
    /// A route that takes every alert.
    pub fn all() -> Route {
        Route::default()
    }

    /// Takes only alerts at or above `severity` (by [`Severity::at_least`]).
    pub fn min_severity(mut self, severity: Severity) -> Route {
        self.min_severity = Some(severity);
        self
    }

    /// Takes alerts whose rule has at least one tag matching one of the tag globs given.
    pub fn tag(mut self, glob: &str) -> Route {
        self.tags.push(WildMatch::new(glob));
        self
    }

    /// Takes alerts whose rule title or rule id matches one of the rule globs given.
    pub fn rule(mut self, glob: &str) -> Route {
        self.rules.push(WildMatch::new(glob));
        self
    }

    /// Takes alerts from one of the source formats given.
    pub fn source(mut self, format: SourceFormat) -> Route {
        self.sources.push(format);
        self
    }

    /// Whether the route takes `alert`.
    pub fn matches(&self, alert: &Alert) -> bool {
        let rule = alert.rule();
        self.min_severity
            .is_none_or(|min| alert.severity().at_least(min))
            && (self.tags.is_empty()
                || rule
                    .tags
                    .iter()
                    .any(|tag| self.tags.iter().any(|glob| glob.matches(tag))))
            && (self.rules.is_empty()
                || self
                    .rules
                    .iter()
                    .any(|glob| glob.matches(&rule.title) || glob.matches(&rule.id)))
            && (self.sources.is_empty()
                || alert
                    .unmapped
                    .source
                    .is_some_and(|source| self.sources.contains(&source)))
    }
}

/// What [`Router::send`](crate::Router::send) does when a sink's queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overflow {
    /// Moves the queue and the alert to the sink's disk spool (the default). Without a spool
    /// directory, the alert is refused with an error.
    #[default]
    Spool,
    /// Waits up to the given time for room, then spools as [`Overflow::Spool`].
    Block(Duration),
    /// Drops the alert and counts it in `dropped`.
    Drop,
}

/// How a failed delivery is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first wait.
    pub initial: Duration,
    /// The longest wait (also caps `Retry-After`).
    pub max: Duration,
    /// Failed attempts of a batch before it (and the queue behind it) goes to the spool.
    pub attempts_before_spool: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(30),
            attempts_before_spool: 2,
        }
    }
}

/// Exponential backoff with "equal jitter": each wait is uniformly random in [d/2, d], with d
/// doubling from `initial` up to `max`. The randomness is a xorshift generator, enough to keep
/// many clients from retrying in step.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    policy: RetryPolicy,
    next: Duration,
    state: u64,
}

impl Backoff {
    pub(crate) fn new(policy: RetryPolicy, seed: u64) -> Backoff {
        Backoff {
            policy,
            next: policy.initial,
            state: seed | 1,
        }
    }

    pub(crate) fn reset(&mut self) {
        self.next = self.policy.initial;
    }

    /// The next wait; `hint` (a server's `Retry-After`) raises it, capped by `max`.
    pub(crate) fn next_wait(&mut self, hint: Option<Duration>) -> Duration {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        let full = self.next.min(self.policy.max);
        let half = full / 2;
        let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        let jitter = if nanos == 0 {
            Duration::ZERO
        } else {
            Duration::from_nanos(self.state % nanos.saturating_add(1))
        };
        self.next = self
            .next
            .checked_mul(2)
            .unwrap_or(self.policy.max)
            .min(self.policy.max);
        let wait = half + jitter;
        match hint {
            Some(hint) => wait.max(hint.min(self.policy.max)),
            None => wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logsec_event::{AlertBuilder, RuleRef};

    fn alert(severity: Severity, title: &str, tags: &[&str]) -> Alert {
        AlertBuilder::new(
            RuleRef {
                id: "id-1".into(),
                title: title.into(),
                tags: tags.iter().map(|t| (*t).to_owned()).collect(),
                ..RuleRef::default()
            },
            severity,
        )
        .build()
    }

    #[test]
    fn routes_filter_by_severity_tags_rules_and_source() {
        let a = alert(Severity::High, "AWS Root Login", &["attack.t1078"]);
        assert!(Route::all().matches(&a));
        assert!(Route::all().min_severity(Severity::Medium).matches(&a));
        assert!(!Route::all().min_severity(Severity::Critical).matches(&a));
        assert!(Route::all().tag("attack.*").matches(&a));
        assert!(!Route::all().tag("mitre_*").matches(&a));
        assert!(Route::all().rule("AWS *").matches(&a));
        assert!(Route::all().rule("id-?").matches(&a));
        assert!(!Route::all().rule("K8s*").matches(&a));
        assert!(!Route::all().source(SourceFormat::Cloudtrail).matches(&a));
    }

    #[test]
    fn backoff_grows_with_jitter_and_honours_retry_after() {
        let policy = RetryPolicy {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
            attempts_before_spool: 1,
        };
        let mut backoff = Backoff::new(policy, 42);
        let waits: Vec<Duration> = (0..6).map(|_| backoff.next_wait(None)).collect();
        assert!(waits[0] >= Duration::from_millis(50) && waits[0] <= Duration::from_millis(100));
        assert!(waits[2] >= Duration::from_millis(200) && waits[2] <= Duration::from_millis(400));
        assert!(waits[5] >= Duration::from_millis(500) && waits[5] <= Duration::from_secs(1));
        assert_eq!(
            backoff.next_wait(Some(Duration::from_secs(5))),
            Duration::from_secs(1),
            "Retry-After is capped by max"
        );
        backoff.reset();
        assert!(backoff.next_wait(Some(Duration::from_millis(700))) >= Duration::from_millis(700));
    }
}
