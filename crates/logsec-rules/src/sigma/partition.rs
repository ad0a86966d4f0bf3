//! Correlation over partitioned data (Spark, Dask): what an event feeds into correlations, which
//! independent piece of correlation state each such input belongs to, and the evaluation of
//! one piece.
//!
//! A correlation keeps its state per group (its group-by values), and groups never look at each
//! other: a window, a distinct-value set or a temporal sequence is built from the inputs of one
//! group alone. So a stream can be split into *partitions* by (correlation, group), each
//! partition evaluated alone over its inputs in time order, and the union of the matches is the
//! matches of the whole stream. Chained correlations (one correlation referencing another) are
//! handled by partitioning by the *outermost* correlation's group, computed from the inner
//! group's values the way the engine forwards them; a chain that is not a tree (a correlation
//! referenced by two others) becomes one partition.
//!
//! The one thing partitioning changes is [`super::CorrelationConfig::max_groups`]: a partition
//! holds one group, so the least-recently-seen eviction of a single stream (only beyond that
//! many live groups of one correlation) does not happen.
//!
//! ```
//! use logsec_rules::sigma::{CorrelationConfig, CorrelationEngine, SigmaLoader, SigmaConfig};
//!
//! let mut loader = SigmaLoader::new(SigmaConfig::default());
//! loader.add_file("r.yml", "title: t\nname: base\nlogsource: {product: aws, service: cloudtrail}\n\
//!     detection: {sel: {eventName: X}, condition: sel}\n---\ntitle: c\n\
//!     correlation: {type: event_count, rules: [base], group-by: [userName], timespan: 5m, \
//!     condition: {gte: 2}}\n");
//! let rules = loader.load()?;
//! let partitioner = rules.correlation_partitioner();
//! // Stage 1 (per data partition): rules.correlation_inputs_of_event(&event, &matches, &mut inputs),
//! // then route each input by partitioner.partition(&input). Stage 2 (per correlation partition):
//! let matches = CorrelationEngine::evaluate_inputs(&rules, CorrelationConfig::default(), Vec::new());
//! assert!(matches.is_empty());
//! # Ok::<(), logsec_rules::RulesError>(())
//! ```

use logsec_event::{Event, SourceFormat, event_uid};

use super::correlation::field_text;
use super::{CorrelationConfig, CorrelationEngine, CorrelationMatch, SigmaRules};
use crate::ir::RuleMatch;

/// One detection-rule match that feeds one correlation: all the correlation engine keeps of the
/// event. Its `Ord` (time, event id, correlation, input, key, values) is the order the engine
/// processes inputs in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CorrelationInput {
    /// Event time (ms since the epoch).
    pub time: i64,
    /// The event id ([`logsec_event::event_uid`]).
    pub uid: String,
    /// Index of the correlation in [`SigmaRules::correlations`].
    pub correlation: usize,
    /// Position of the matching rule in the correlation's `rules`.
    pub input: usize,
    /// The group-by values, in the correlation's `group-by` order (`None`: field missing).
    pub key: Vec<Option<String>>,
    /// The values of the correlation's value field (`value_count`, `value_sum`, …), if any.
    pub values: Vec<Option<String>>,
    /// The event's source format (alerts of a correlation over one format name it).
    pub format: Option<SourceFormat>,
}

/// The independent piece of correlation state an input belongs to: evaluate the inputs of each
/// partition alone ([`CorrelationEngine::evaluate_inputs`]) and the union of the matches is the
/// matches of the whole stream.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CorrelationPartition {
    /// The correlation whose groups the partition holds (the outermost one of a chain).
    pub correlation: usize,
    /// That correlation's group-by values; empty when the partition holds all its groups.
    pub key: Vec<Option<String>>,
}

/// How inputs of one correlation find their partition.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    /// Up a chain of correlations: per step, the outer correlation and, per outer group-by
    /// field, the position of the inner group-by value it takes (`None`: no such field).
    /// Empty: the correlation is referenced by no other.
    Chain(Vec<(usize, Vec<Option<usize>>)>),
    /// The correlation is part of a chain that is not a tree: one partition for the whole
    /// chain, named by its first correlation.
    Whole(usize),
}

/// Assigns [`CorrelationInput`]s to [`CorrelationPartition`]s; built once per rule set by
/// [`SigmaRules::correlation_partitioner`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CorrelationPartitioner {
    routes: Vec<Route>,
}

impl CorrelationPartitioner {
    /// The partition of `input`.
    pub fn partition(&self, input: &CorrelationInput) -> CorrelationPartition {
        match self.routes.get(input.correlation) {
            None => CorrelationPartition {
                correlation: input.correlation,
                key: input.key.clone(),
            },
            Some(Route::Whole(first)) => CorrelationPartition {
                correlation: *first,
                key: Vec::new(),
            },
            Some(Route::Chain(steps)) => {
                let mut correlation = input.correlation;
                let mut key = input.key.clone();
                for (outer, positions) in steps {
                    key = positions
                        .iter()
                        .map(|p| p.and_then(|p| key.get(p).cloned().flatten()))
                        .collect();
                    correlation = *outer;
                }
                CorrelationPartition { correlation, key }
            }
        }
    }
}

fn find(parent: &mut [usize], mut node: usize) -> usize {
    while let Some(&up) = parent.get(node) {
        if up == node {
            break;
        }
        node = up;
    }
    node
}

impl SigmaRules {
    /// Appends the correlation inputs of one event to `out`: one per (detection match in
    /// `matches`, correlation it feeds), with the group-by and value fields read as
    /// [`CorrelationEngine::process`] reads them.
    pub fn correlation_inputs_of_event(
        &self,
        event: &Event<'_>,
        matches: &[RuleMatch],
        out: &mut Vec<CorrelationInput>,
    ) {
        let mut uid: Option<String> = None;
        let format = event.format();
        for m in matches {
            let Some(detection) = self.detection_of(*m) else {
                continue;
            };
            for &(correlation, input) in self.correlation_inputs(detection) {
                let Some(spec) = self.correlations().get(correlation) else {
                    continue;
                };
                let Some(fields) = spec.fields.get(input) else {
                    continue;
                };
                let accessors = fields
                    .by_format
                    .iter()
                    .find(|(f, _)| Some(*f) == format)
                    .map(|(_, a)| a.as_slice())
                    .unwrap_or(&[]);
                let read = |i: usize| accessors.get(i).and_then(|a| field_text(&a.get(event)));
                let groups = spec.group_by.len();
                out.push(CorrelationInput {
                    time: event.time,
                    uid: uid.get_or_insert_with(|| event_uid(event)).clone(),
                    correlation,
                    input,
                    key: (0..groups).map(read).collect(),
                    values: (groups..groups + spec.value_fields).map(read).collect(),
                    format,
                });
            }
        }
    }

    /// The partitioner of these rules' correlations (see [`CorrelationPartition`]).
    pub fn correlation_partitioner(&self) -> CorrelationPartitioner {
        let count = self.correlations().len();
        let mut parent: Vec<usize> = (0..count).collect();
        for inner in 0..count {
            for &(outer, _) in self.correlation_inputs_of_correlation(inner) {
                let (a, b) = (find(&mut parent, inner), find(&mut parent, outer));
                if let Some(slot) = parent.get_mut(a.max(b)) {
                    *slot = a.min(b);
                }
            }
        }
        // A component is a tree when every member feeds at most one other correlation.
        let mut tree = vec![true; count];
        for inner in 0..count {
            if self.correlation_inputs_of_correlation(inner).len() > 1 {
                let root = find(&mut parent, inner);
                if let Some(flag) = tree.get_mut(root) {
                    *flag = false;
                }
            }
        }
        let routes = (0..count)
            .map(|correlation| {
                let root = find(&mut parent, correlation);
                if !tree.get(root).copied().unwrap_or(false) {
                    return Route::Whole(root);
                }
                self.chain_route(correlation).unwrap_or(Route::Whole(root))
            })
            .collect();
        CorrelationPartitioner { routes }
    }

    /// The steps from `correlation` up to the correlation no other references, or `None` when
    /// the chain does not end (the loader rejects cycles; this is a guard).
    fn chain_route(&self, correlation: usize) -> Option<Route> {
        let mut steps = Vec::new();
        let mut current = correlation;
        for _ in 0..=self.correlations().len() {
            let &[(outer, position)] = self.correlation_inputs_of_correlation(current) else {
                return Some(Route::Chain(steps));
            };
            let inner_spec = self.correlations().get(current)?;
            let outer_spec = self.correlations().get(outer)?;
            // The engine forwards a firing to the outer correlation with the outer group-by
            // values looked up by name among the inner group-by fields.
            let names = outer_spec
                .fields
                .get(position)
                .map(|f| f.names.as_slice())
                .unwrap_or(&[]);
            let positions = names
                .iter()
                .take(outer_spec.group_by.len())
                .map(|name| inner_spec.group_by.iter().position(|n| n == name))
                .collect();
            steps.push((outer, positions));
            current = outer;
        }
        None
    }
}

impl CorrelationEngine {
    /// Evaluates the inputs of one partition (or of a whole stream, or any union of
    /// partitions): sorted into the engine's order, fed with [`CorrelationEngine::process_input`]
    /// and flushed. Gives the matches a single stream of the same events gives for these
    /// inputs' groups.
    pub fn evaluate_inputs(
        rules: &SigmaRules,
        config: CorrelationConfig,
        mut inputs: Vec<CorrelationInput>,
    ) -> Vec<CorrelationMatch> {
        inputs.sort();
        let mut engine = CorrelationEngine::new(rules, config);
        let mut out = Vec::new();
        for input in inputs {
            engine.process_input(rules, input, &mut out);
        }
        engine.flush(rules, &mut out);
        out
    }
}
