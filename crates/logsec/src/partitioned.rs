//! Scans over data partitioned by someone else (Spark, Dask): the two stages of
//! [`Pipeline::scan`](crate::Pipeline::scan) split so that each runs where the data is.
//!
//! **Stage 1**, per data partition, any partitioning: [`detect_partition_event`] gives each
//! event's single-event alerts and its [`CorrelationInput`]s (the base-rule matches that feed a
//! correlation). **Stage 2**, per correlation partition: route the inputs by
//! [`Engine::correlation_partitioner`] and run [`correlate_partition`] once per
//! [`CorrelationPartition`](crate::rules::sigma::CorrelationPartition). The union of both
//! stages' alerts equals the alerts of `Pipeline::scan` over the same events — same ids, same
//! content, `unmapped.source` included — because a correlation's state lives in one group
//! and the inputs of each group are processed in the scan's order.
//!
//! ```
//! use logsec::rules::{Engine, EngineOptions, RuleFile};
//! use logsec::{correlate_partition, detect_partition_event};
//!
//! let engine = Engine::load(&logsec::default_rule_files(), &EngineOptions::default());
//! let (mut scratch, mut alerts, mut inputs) = (Vec::new(), Vec::new(), Vec::new());
//! # let events: Vec<logsec::event::Event<'static>> = Vec::new();
//! for event in &events {
//!     detect_partition_event(&engine, event, &mut scratch, &mut alerts, &mut inputs);
//! }
//! // … ship `inputs` to their partitions (engine.correlation_partitioner()), then per partition:
//! alerts.extend(correlate_partition(&engine, inputs));
//! assert!(alerts.is_empty());
//! ```

use std::collections::HashMap;

use logsec_event::{Alert, Event, SourceFormat};
use logsec_parse::Pending;
use logsec_rules::Engine;
use logsec_rules::ir::RuleMatch;
use logsec_rules::sigma::CorrelationInput;

use crate::pipeline::{stamp_correlation_source, stamp_source};

/// Stage 1 for one event: appends its single-event alerts (with the event's source format, as a
/// scan stamps it) to `alerts` and the correlation inputs it feeds to `inputs`.
pub fn detect_partition_event(
    engine: &Engine,
    event: &Event<'_>,
    scratch: &mut Vec<RuleMatch>,
    alerts: &mut Vec<Alert>,
    inputs: &mut Vec<CorrelationInput>,
) {
    let before = alerts.len();
    engine.process_single_inputs(event, scratch, alerts, inputs);
    stamp_source(alerts.get_mut(before..).unwrap_or_default(), event);
}

/// Stage 1 for one record from [`logsec_parse::parse_reader_deferred`]: a record that is not
/// normalized yet is matched as it is (the engine must [read only the raw
/// record](Engine::reads_raw_only) for its format, which is what the scan's `defer` asks) and
/// normalized only when a rule matched; then as [`detect_partition_event`]. A record whose
/// normalization rejects it raises nothing (the parse summary counts the reject).
pub fn detect_partition_pending(
    engine: &Engine,
    pending: &mut Pending<'_>,
    scratch: &mut Vec<RuleMatch>,
    alerts: &mut Vec<Alert>,
    inputs: &mut Vec<CorrelationInput>,
) {
    if !pending.is_normalized() && !engine.matches_any(pending.event(), scratch) {
        return;
    }
    if let Some(event) = pending.normalize() {
        detect_partition_event(engine, event, scratch, alerts, inputs);
    }
}

/// Stage 2 for one correlation partition (or any union of partitions): the correlation
/// alerts over `inputs`, in any order, as a scan gives them (source format included).
pub fn correlate_partition(engine: &Engine, inputs: Vec<CorrelationInput>) -> Vec<Alert> {
    let formats: HashMap<String, SourceFormat> = inputs
        .iter()
        .filter_map(|input| Some((input.uid.clone(), input.format?)))
        .collect();
    let mut alerts = Vec::new();
    engine.correlate_inputs(inputs, &mut alerts);
    let formats: HashMap<&str, SourceFormat> =
        formats.iter().map(|(uid, f)| (uid.as_str(), *f)).collect();
    stamp_correlation_source(&mut alerts, &formats);
    alerts
}
