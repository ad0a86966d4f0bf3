//! Flood control: at most N alerts per rule and key within a window of event time.

use std::collections::HashMap;
use std::time::Duration;

use logsec_event::Alert;

/// The default number of (rule, key) pairs flood control remembers.
pub const DEFAULT_MAX_KEYS: usize = 100_000;

/// Deduplication and rate limiting of alerts.
///
/// Alerts are grouped by rule id and the values of the key fields; each group passes at most
/// `max_per_window` alerts per window (1 = deduplication). Windows are measured in **event
/// time** (the alert's `time`), so a replay of old logs is limited as it would have been live;
/// an alert without a time (0) uses the wall clock. A window opens with the first alert of a
/// group and closes `window` later.
///
/// Suppressed alerts are counted; the next alert of the group that passes carries the count in
/// `unmapped.suppressed_count`. Key fields are looked up in the alert's output fields first
/// (`user.name`, `ct.user`), then as a dotted path in the first evidence's raw record
/// (`userIdentity.arn`).
///
/// State is bounded: past `max_keys` groups, expired groups are forgotten first, then the
/// oldest (their pending suppressed counts are lost; the router's `suppressed` counter keeps
/// the total).
#[derive(Debug, Clone)]
pub struct FloodControl {
    window_ms: i64,
    max_per_window: u32,
    key_fields: Vec<String>,
    max_keys: usize,
    groups: HashMap<(String, Vec<String>), Group>,
    latest: i64,
}

#[derive(Debug, Clone, Copy)]
struct Group {
    start: i64,
    passed: u32,
    suppressed: u64,
}

impl FloodControl {
    /// Lets through at most `max_per_window` alerts per rule and key per `window`.
    pub fn new(window: Duration, max_per_window: u32) -> FloodControl {
        FloodControl {
            window_ms: i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1),
            max_per_window: max_per_window.max(1),
            key_fields: Vec::new(),
            max_keys: DEFAULT_MAX_KEYS,
            groups: HashMap::new(),
            latest: i64::MIN,
        }
    }

    /// Adds a key field (see the type documentation).
    pub fn key_field(mut self, field: impl Into<String>) -> FloodControl {
        self.key_fields.push(field.into());
        self
    }

    /// Bounds the number of groups remembered.
    pub fn max_keys(mut self, max: usize) -> FloodControl {
        self.max_keys = max.max(1);
        self
    }

    /// Decides whether `alert` passes; if it does and earlier ones of its group were
    /// suppressed, sets `unmapped.suppressed_count`.
    pub fn admit(&mut self, alert: &mut Alert) -> bool {
        let time = if alert.time != 0 {
            alert.time
        } else {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        };
        self.latest = self.latest.max(time);
        let key = (
            alert.rule().id.clone(),
            self.key_fields
                .iter()
                .map(|field| key_value(alert, field))
                .collect::<Vec<_>>(),
        );
        if !self.groups.contains_key(&key) && self.groups.len() >= self.max_keys {
            self.evict();
        }
        let window_ms = self.window_ms;
        let group = self.groups.entry(key).or_insert(Group {
            start: time,
            passed: 0,
            suppressed: 0,
        });
        if time >= group.start.saturating_add(window_ms)
            || time < group.start.saturating_sub(window_ms)
        {
            group.start = time;
            group.passed = 0;
        }
        if group.passed < self.max_per_window {
            group.passed += 1;
            if group.suppressed > 0 {
                let earlier = alert.unmapped.suppressed_count.unwrap_or(0);
                alert.unmapped.suppressed_count = Some(earlier + group.suppressed);
                group.suppressed = 0;
            }
            true
        } else {
            group.suppressed += 1 + alert.unmapped.suppressed_count.unwrap_or(0);
            false
        }
    }

    fn evict(&mut self) {
        let horizon = self.latest.saturating_sub(self.window_ms);
        self.groups.retain(|_, group| group.start >= horizon);
        if self.groups.len() >= self.max_keys
            && let Some(oldest) = self
                .groups
                .iter()
                .min_by_key(|(_, group)| group.start)
                .map(|(key, _)| key.clone())
        {
            self.groups.remove(&oldest);
        }
    }
}

fn key_value(alert: &Alert, field: &str) -> String {
    if let Some(value) = alert.unmapped.output_fields.get(field) {
        return scalar(value);
    }
    let mut node = match alert.evidences.first() {
        Some(evidence) => &evidence.data["raw"],
        None => return String::new(),
    };
    for part in field.split('.') {
        node = &node[part];
    }
    scalar(node)
}

fn scalar(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logsec_event::{AlertBuilder, RuleRef, Severity};

    fn alert(rule: &str, user: &str, time: i64) -> Alert {
        let mut fields = std::collections::BTreeMap::new();
        fields.insert("user.name".to_owned(), serde_json::json!(user));
        AlertBuilder::new(
            RuleRef {
                id: rule.into(),
                title: rule.into(),
                ..RuleRef::default()
            },
            Severity::High,
        )
        .output_fields(fields)
        .related_id(format!("{rule}-{user}-{time}"), time)
        .build()
    }

    #[test]
    fn dedup_per_rule_and_key_in_event_time_carries_the_count() {
        let mut flood = FloodControl::new(Duration::from_secs(60), 1).key_field("user.name");
        assert!(flood.admit(&mut alert("r1", "alice", 1_000)));
        assert!(!flood.admit(&mut alert("r1", "alice", 2_000)));
        assert!(!flood.admit(&mut alert("r1", "alice", 30_000)));
        assert!(flood.admit(&mut alert("r1", "bob", 30_000)), "other key");
        assert!(flood.admit(&mut alert("r2", "alice", 30_000)), "other rule");
        let mut next = alert("r1", "alice", 61_000);
        assert!(flood.admit(&mut next), "new window");
        assert_eq!(next.unmapped.suppressed_count, Some(2));
        let mut after = alert("r1", "alice", 61_500);
        assert!(!flood.admit(&mut after));
    }

    #[test]
    fn rate_limit_lets_n_per_window() {
        let mut flood = FloodControl::new(Duration::from_secs(10), 3);
        let passed = (0..10)
            .filter(|i| flood.admit(&mut alert("r", "u", 1_000 + i * 100)))
            .count();
        assert_eq!(passed, 3);
    }

    #[test]
    fn state_stays_bounded() {
        let mut flood = FloodControl::new(Duration::from_secs(10), 1)
            .key_field("user.name")
            .max_keys(5);
        for i in 0..50 {
            assert!(flood.admit(&mut alert("r", &format!("u{i}"), 1_000 + i)));
        }
        assert!(flood.groups.len() <= 5);
    }
}
