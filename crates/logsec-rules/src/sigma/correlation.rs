//! Sigma correlation rules: compiled specs and the streaming [`CorrelationEngine`].
//!
//! **Event time, sliding windows.** Two events fall in one window when their times differ by
//! at most `timespan` (both edges inclusive). Windows slide: a group keeps the matching events
//! of the last `timespan` before the newest one.
//!
//! **Out-of-order input.** Matches are buffered and processed in event-time order once the
//! watermark (the newest time seen minus the allowed lateness) reaches them; a match older than
//! the watermark when it arrives is dropped and counted. [`CorrelationEngine::flush`] processes
//! everything still buffered. Ties are broken by the event id, so any arrival order within the
//! allowed lateness gives the same correlation matches as sorted input — batch and streaming
//! evaluation are the same code and give the same results.
//!
//! **Firing.** When a group's window satisfies the condition, one correlation match is emitted
//! with the ids of the events in the window, and the group starts afresh.
//!
//! **Bounded state.** At most [`CorrelationConfig::max_groups`] groups per correlation (the
//! group seen least recently is evicted first) and [`CorrelationConfig::max_events_per_group`]
//! events per group (the oldest are dropped); both are counted in [`CorrelationStats`].

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use logsec_event::{
    Alert, AlertBuilder, Event, FieldValue, RuleRef, Severity, SourceFormat, event_uid,
};

use crate::ir::{Accessor, CmpOp, RuleMatch};

/// Limits and lateness for correlation state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorrelationConfig {
    /// How far behind the newest event time (ms) a match may arrive and still count.
    pub allowed_lateness_ms: i64,
    /// Groups kept per correlation before the least recently seen one is evicted.
    pub max_groups: usize,
    /// Events kept per group before the oldest is dropped.
    pub max_events_per_group: usize,
}

impl Default for CorrelationConfig {
    fn default() -> Self {
        CorrelationConfig {
            allowed_lateness_ms: 0,
            max_groups: 100_000,
            max_events_per_group: 10_000,
        }
    }
}

/// The correlation types of Sigma 2.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrelationType {
    /// Number of matching events.
    EventCount,
    /// Number of distinct values of a field.
    ValueCount,
    /// All referenced rules matched, in any order.
    Temporal,
    /// All referenced rules matched, in the listed order.
    TemporalOrdered,
    /// Sum of a numeric field.
    ValueSum,
    /// Average of a numeric field.
    ValueAvg,
    /// Share (in percent) of the window's values equal to the newest event's value.
    ValuePercentile,
}

impl CorrelationType {
    pub(crate) fn parse(name: &str) -> Option<CorrelationType> {
        Some(match name {
            "event_count" => CorrelationType::EventCount,
            "value_count" => CorrelationType::ValueCount,
            "temporal" => CorrelationType::Temporal,
            "temporal_ordered" => CorrelationType::TemporalOrdered,
            "value_sum" => CorrelationType::ValueSum,
            "value_avg" => CorrelationType::ValueAvg,
            "value_percentile" => CorrelationType::ValuePercentile,
            _ => return None,
        })
    }

    pub(crate) fn needs_field(self) -> bool {
        matches!(
            self,
            CorrelationType::ValueCount
                | CorrelationType::ValueSum
                | CorrelationType::ValueAvg
                | CorrelationType::ValuePercentile
        )
    }
}

/// Where a correlation's input comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input {
    /// A detection rule (index into the collection's detections).
    Detection(usize),
    /// Another correlation (index into the collection's correlations).
    Correlation(usize),
    /// A reference that names nothing loaded.
    Unresolved,
}

/// How one input reads the group-by fields and the value field, per source format.
#[derive(Debug, Clone, Default)]
pub(crate) struct InputFields {
    /// Per format: one accessor per group-by field, then the value field(s).
    pub(crate) by_format: Vec<(SourceFormat, Vec<Accessor>)>,
    /// For correlation inputs: the field names to read from the inner match's group.
    pub(crate) names: Vec<String>,
}

/// A compiled correlation rule.
#[derive(Debug, Clone)]
pub struct CorrelationSpec {
    /// The rule's id (or name, or title).
    pub id: String,
    /// The rule's `name`, if any.
    pub name: Option<String>,
    /// What alerts say about the rule.
    pub rule: RuleRef,
    /// Severity of its alerts.
    pub severity: Severity,
    /// The type.
    pub kind: CorrelationType,
    /// The window, in milliseconds.
    pub timespan_ms: i64,
    /// The group-by field names (aliases as written).
    pub group_by: Vec<String>,
    /// Conditions, AND-ed, on the aggregate.
    pub condition: Vec<(CmpOp, f64)>,
    /// Whether the referenced rules also raise their own alerts.
    pub generate: bool,
    /// Whether its matches raise alerts (false when another correlation references it without
    /// `generate: true`).
    pub alerting: bool,
    pub(crate) inputs: Vec<Input>,
    pub(crate) fields: Vec<InputFields>,
    /// Number of value fields after the group-by fields in [`InputFields`].
    pub(crate) value_fields: usize,
}

/// Parses a timespan such as `90s`, `5m`, `1h`, `7d`, `2w` (also `M` = 30 days, `y` = 365 days).
pub(crate) fn parse_timespan(text: &str) -> Option<i64> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let number: i64 = text
        .get(..text.len() - unit.len_utf8())?
        .trim()
        .parse()
        .ok()?;
    let unit_ms: i64 = match unit {
        's' => 1_000,
        'm' => 60_000,
        'h' => 3_600_000,
        'd' => 86_400_000,
        'w' => 7 * 86_400_000,
        'M' => 30 * 86_400_000,
        'y' => 365 * 86_400_000,
        _ => return None,
    };
    number.checked_mul(unit_ms).filter(|ms| *ms > 0)
}

/// A correlation rule firing.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationMatch {
    /// Index of the correlation in [`super::SigmaRules::correlations`].
    pub correlation: usize,
    /// The group-by values (`None` for a missing field).
    pub group: Vec<(String, Option<String>)>,
    /// The aggregate the condition was checked on (count, distinct count, sum, …).
    pub value: f64,
    /// Time of the first event in the window (ms).
    pub first_time: i64,
    /// Time of the event that completed the match (ms).
    pub last_time: i64,
    /// The events in the window: (event id, time), oldest first.
    pub events: Vec<(String, i64)>,
}

/// Counters of what the engine dropped or evicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CorrelationStats {
    /// Matches that arrived behind the watermark and were dropped.
    pub late_dropped: u64,
    /// Groups evicted because a correlation had `max_groups` groups.
    pub groups_evicted: u64,
    /// Events dropped because a group had `max_events_per_group` events.
    pub events_dropped: u64,
    /// Correlation matches emitted.
    pub fired: u64,
}

/// One input occurrence waiting to be processed in time order.
#[derive(Debug, Clone, PartialEq)]
struct Pending {
    time: i64,
    uid: String,
    correlation: usize,
    input: usize,
    key: Vec<Option<String>>,
    values: Vec<Option<String>>,
    /// For chained inputs: the inner match's events.
    events: Vec<(String, i64)>,
}

impl Eq for Pending {}

impl Ord for Pending {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and the oldest must come out first.
        (other.time, &other.uid, other.correlation, other.input)
            .cmp(&(self.time, &self.uid, self.correlation, self.input))
            .then_with(|| other.key.cmp(&self.key))
            .then_with(|| other.values.cmp(&self.values))
    }
}

impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Clone)]
struct Entry {
    time: i64,
    uid: String,
    input: usize,
    values: Vec<Option<String>>,
    events: Vec<(String, i64)>,
}

#[derive(Debug, Clone, Default)]
struct Group {
    entries: std::collections::VecDeque<Entry>,
    last_seen: i64,
}

/// Streaming correlation over rule matches, in event-time order.
#[derive(Debug, Clone)]
pub struct CorrelationEngine {
    config: CorrelationConfig,
    pending: BinaryHeap<Pending>,
    groups: Vec<HashMap<Vec<Option<String>>, Group>>,
    max_time: Option<i64>,
    watermark: Option<i64>,
    stats: CorrelationStats,
}

pub(super) fn field_text(value: &FieldValue<'_>) -> Option<String> {
    match value {
        FieldValue::Missing | FieldValue::Null => None,
        FieldValue::List(items) if items.len() == 1 => items.first().and_then(field_text),
        other => other.to_text().map(|t| t.into_owned()),
    }
}

impl CorrelationEngine {
    /// An engine for the correlations of `rules`.
    pub fn new(rules: &super::SigmaRules, config: CorrelationConfig) -> CorrelationEngine {
        CorrelationEngine {
            config,
            pending: BinaryHeap::new(),
            groups: vec![HashMap::new(); rules.correlations().len()],
            max_time: None,
            watermark: None,
            stats: CorrelationStats::default(),
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> CorrelationStats {
        self.stats
    }

    /// Feeds the detection-rule matches of one event (from [`super::SigmaRules::matches`]) and
    /// appends the correlation matches that became final to `out`.
    pub fn process(
        &mut self,
        rules: &super::SigmaRules,
        event: &Event<'_>,
        matches: &[RuleMatch],
        out: &mut Vec<CorrelationMatch>,
    ) {
        let mut inputs = Vec::new();
        rules.correlation_inputs_of_event(event, matches, &mut inputs);
        for input in inputs {
            self.push(Pending::from(input));
        }
        self.max_time = Some(self.max_time.map_or(event.time, |t| t.max(event.time)));
        let watermark = self
            .max_time
            .map(|t| t.saturating_sub(self.config.allowed_lateness_ms));
        self.release(rules, watermark, out);
    }

    /// Evaluates a whole batch of events: sorted by time (then event id), matched, correlated,
    /// flushed. Gives the same correlation matches as streaming the events in any order whose
    /// disorder stays within the allowed lateness.
    pub fn evaluate_batch(
        rules: &super::SigmaRules,
        config: CorrelationConfig,
        events: &[Event<'_>],
    ) -> Vec<CorrelationMatch> {
        let mut order: Vec<(i64, String, usize)> = events
            .iter()
            .enumerate()
            .map(|(i, e)| (e.time, event_uid(e), i))
            .collect();
        order.sort();
        let mut engine = CorrelationEngine::new(rules, config);
        let mut out = Vec::new();
        let mut matches = Vec::new();
        for (_, _, index) in order {
            let Some(event) = events.get(index) else {
                continue;
            };
            matches.clear();
            rules.matches(event, &mut matches);
            engine.process(rules, event, &matches, &mut out);
        }
        engine.flush(rules, &mut out);
        out
    }

    /// Processes everything still buffered (end of input).
    pub fn flush(&mut self, rules: &super::SigmaRules, out: &mut Vec<CorrelationMatch>) {
        self.release(rules, Some(i64::MAX), out);
    }

    fn push(&mut self, pending: Pending) {
        if self.watermark.is_some_and(|w| pending.time < w) {
            self.stats.late_dropped += 1;
            return;
        }
        self.pending.push(pending);
    }

    fn release(
        &mut self,
        rules: &super::SigmaRules,
        watermark: Option<i64>,
        out: &mut Vec<CorrelationMatch>,
    ) {
        let Some(watermark) = watermark else {
            return;
        };
        // Inclusive: with no lateness a match is processed while its own event is, so a
        // correlation fires on the event that reaches its threshold.
        while self.pending.peek().is_some_and(|p| p.time <= watermark) {
            let Some(next) = self.pending.pop() else {
                break;
            };
            self.apply(rules, next, out, 0);
        }
        if watermark != i64::MAX {
            self.watermark = Some(self.watermark.map_or(watermark, |w| w.max(watermark)));
        }
    }

    fn apply(
        &mut self,
        rules: &super::SigmaRules,
        item: Pending,
        out: &mut Vec<CorrelationMatch>,
        depth: usize,
    ) {
        let Some(spec) = rules.correlations().get(item.correlation) else {
            return;
        };
        let Some(groups) = self.groups.get_mut(item.correlation) else {
            return;
        };
        if !groups.contains_key(&item.key) && groups.len() >= self.config.max_groups {
            let victim = groups
                .iter()
                .min_by(|a, b| a.1.last_seen.cmp(&b.1.last_seen).then_with(|| a.0.cmp(b.0)))
                .map(|(k, _)| k.clone());
            if let Some(victim) = victim {
                groups.remove(&victim);
                self.stats.groups_evicted += 1;
            }
        }
        let group = groups.entry(item.key.clone()).or_default();
        group.last_seen = group.last_seen.max(item.time);
        let horizon = item.time.saturating_sub(spec.timespan_ms);
        while group.entries.front().is_some_and(|e| e.time < horizon) {
            group.entries.pop_front();
        }
        if group.entries.len() >= self.config.max_events_per_group {
            group.entries.pop_front();
            self.stats.events_dropped += 1;
        }
        let current_values = item.values.clone();
        group.entries.push_back(Entry {
            time: item.time,
            uid: item.uid,
            input: item.input,
            values: item.values,
            events: item.events,
        });
        let Some(aggregate) = aggregate(spec, &group.entries, &current_values) else {
            return;
        };
        if !spec.condition.iter().all(|(op, bound)| {
            aggregate
                .partial_cmp(bound)
                .is_some_and(|ordering| op.holds(ordering))
        }) {
            return;
        }
        let mut events: Vec<(String, i64)> = Vec::new();
        for entry in &group.entries {
            if entry.events.is_empty() {
                events.push((entry.uid.clone(), entry.time));
            } else {
                events.extend(entry.events.iter().cloned());
            }
        }
        let first_time = group.entries.front().map_or(item.time, |e| e.time);
        group.entries.clear();
        self.stats.fired += 1;
        let fired = CorrelationMatch {
            correlation: item.correlation,
            group: spec
                .group_by
                .iter()
                .cloned()
                .zip(item.key.iter().cloned())
                .collect(),
            value: aggregate,
            first_time,
            last_time: item.time,
            events,
        };
        // Chained correlations consume this match right away (it is already in time order),
        // after it is emitted.
        let mut chained = Vec::new();
        if depth < 16 {
            for &(outer, input) in rules.correlation_inputs_of_correlation(item.correlation) {
                let Some(outer_spec) = rules.correlations().get(outer) else {
                    continue;
                };
                let names = outer_spec
                    .fields
                    .get(input)
                    .map(|f| f.names.as_slice())
                    .unwrap_or(&[]);
                let lookup = |name: &String| {
                    fired
                        .group
                        .iter()
                        .find(|(n, _)| n == name)
                        .and_then(|(_, v)| v.clone())
                };
                chained.push(Pending {
                    time: fired.last_time,
                    uid: format!("correlation:{}:{}", spec.id, fired.last_time),
                    correlation: outer,
                    input,
                    key: names
                        .iter()
                        .take(outer_spec.group_by.len())
                        .map(lookup)
                        .collect(),
                    values: names
                        .iter()
                        .skip(outer_spec.group_by.len())
                        .map(lookup)
                        .collect(),
                    events: fired.events.clone(),
                });
            }
        }
        out.push(fired);
        for item in chained {
            self.apply(rules, item, out, depth + 1);
        }
    }
}

/// Partitioned evaluation (see [`super::CorrelationInput`]): kept apart from the streaming
/// path above so that path stays as it is.
impl CorrelationEngine {
    /// Feeds one correlation input (from [`super::SigmaRules::correlation_inputs_of_event`])
    /// and appends the correlation matches that became final to `out`. Fed in the order of
    /// [`super::CorrelationInput`]'s `Ord`, the inputs of any subset of a stream give exactly
    /// the matches [`CorrelationEngine::process`] gives for that subset's groups.
    pub fn process_input(
        &mut self,
        rules: &super::SigmaRules,
        input: super::CorrelationInput,
        out: &mut Vec<CorrelationMatch>,
    ) {
        let time = input.time;
        self.push(Pending::from(input));
        self.max_time = Some(self.max_time.map_or(time, |t| t.max(time)));
        let watermark = self
            .max_time
            .map(|t| t.saturating_sub(self.config.allowed_lateness_ms));
        self.release(rules, watermark, out);
    }
}

impl From<super::CorrelationInput> for Pending {
    fn from(input: super::CorrelationInput) -> Pending {
        Pending {
            time: input.time,
            uid: input.uid,
            correlation: input.correlation,
            input: input.input,
            key: input.key,
            values: input.values,
            events: Vec::new(),
        }
    }
}

fn numeric(value: &Option<String>) -> Option<f64> {
    value.as_deref().and_then(|v| v.trim().parse::<f64>().ok())
}

/// The aggregate of a window; `None` when the type has nothing to say yet (a temporal
/// correlation before all its rules were seen, a metric with no numeric value).
fn aggregate(
    spec: &CorrelationSpec,
    entries: &std::collections::VecDeque<Entry>,
    current: &[Option<String>],
) -> Option<f64> {
    match spec.kind {
        CorrelationType::EventCount => Some(entries.len() as f64),
        CorrelationType::ValueCount => {
            let distinct: std::collections::BTreeSet<&Vec<Option<String>>> = entries
                .iter()
                .filter(|e| e.values.iter().all(Option::is_some))
                .map(|e| &e.values)
                .collect();
            Some(distinct.len() as f64)
        }
        CorrelationType::Temporal => {
            let distinct: std::collections::BTreeSet<usize> =
                entries.iter().map(|e| e.input).collect();
            if spec.condition.is_empty() && distinct.len() < spec.inputs.len() {
                return None;
            }
            Some(distinct.len() as f64)
        }
        CorrelationType::TemporalOrdered => {
            // Entries are in time order; find the inputs as a subsequence.
            let mut next = 0;
            for entry in entries {
                if entry.input == next {
                    next += 1;
                }
            }
            if next < spec.inputs.len() {
                return None;
            }
            Some(next as f64)
        }
        CorrelationType::ValueSum | CorrelationType::ValueAvg => {
            let numbers: Vec<f64> = entries
                .iter()
                .filter_map(|e| e.values.first().and_then(numeric))
                .collect();
            if numbers.is_empty() {
                return None;
            }
            let sum: f64 = numbers.iter().sum();
            Some(if spec.kind == CorrelationType::ValueSum {
                sum
            } else {
                sum / numbers.len() as f64
            })
        }
        CorrelationType::ValuePercentile => {
            let current = current.first()?.as_ref()?;
            let with_value = entries
                .iter()
                .filter(|e| e.values.first().is_some_and(Option::is_some))
                .count();
            if with_value == 0 {
                return None;
            }
            let same = entries
                .iter()
                .filter(|e| e.values.first().and_then(Option::as_ref) == Some(current))
                .count();
            Some(same as f64 * 100.0 / with_value as f64)
        }
    }
}

impl CorrelationSpec {
    /// An alert for a firing of this correlation.
    pub fn alert(&self, fired: &CorrelationMatch) -> Alert {
        let mut fields = BTreeMap::new();
        for (name, value) in &fired.group {
            fields.insert(
                name.clone(),
                value.as_ref().map_or(serde_json::Value::Null, |v| {
                    serde_json::Value::String(v.clone())
                }),
            );
        }
        fields.insert(
            "correlation.value".to_owned(),
            serde_json::Number::from_f64(fired.value)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
        );
        let group_text = fired
            .group
            .iter()
            .map(|(n, v)| format!("{n}={}", v.as_deref().unwrap_or("<missing>")))
            .collect::<Vec<_>>()
            .join(", ");
        let message = if group_text.is_empty() {
            self.rule.title.clone()
        } else {
            format!("{} ({group_text})", self.rule.title)
        };
        let mut builder = AlertBuilder::new(self.rule.clone(), self.severity)
            .message(message)
            .output_fields(fields);
        for (uid, time) in &fired.events {
            builder = builder.related_id(uid.clone(), *time);
        }
        builder.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("90s"), Some(90_000));
        assert_eq!(parse_timespan("5m"), Some(300_000));
        assert_eq!(parse_timespan("1h"), Some(3_600_000));
        assert_eq!(parse_timespan("1d"), Some(86_400_000));
        assert_eq!(parse_timespan("2w"), Some(14 * 86_400_000));
        assert_eq!(parse_timespan("0m"), None);
        assert_eq!(parse_timespan("5x"), None);
        assert_eq!(parse_timespan("m"), None);
        assert_eq!(parse_timespan("99999999999999999d"), None);
    }
}
