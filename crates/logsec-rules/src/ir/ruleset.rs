//! Compiled rules, the rule set, and its index.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use logsec_event::{
    Alert, AlertBuilder, Dialect, Event, FieldPath, FieldValue, RuleRef, Segment, Severity,
    SourceFormat,
};

use super::eval::FieldRead;
use super::expr::{Accessor, Expr, KeywordSearch, Predicate, Quantifier, Test, ascii_lowercase};
use super::hash::FastMap;
use super::prefilter::{Marks, RawPrefilter};

/// Renders a rule's output for a matched event (Falco `output:`); Sigma rules have none.
pub trait OutputTemplate: Send + Sync + fmt::Debug {
    /// The rendered message.
    fn render(&self, event: &Event<'_>) -> String;
    /// The fields the template names, with their values on `event`.
    fn fields(&self, _event: &Event<'_>) -> BTreeMap<String, serde_json::Value> {
        BTreeMap::new()
    }
    /// The rendered message and the fields together; templates that compute both in one pass
    /// override this so an alert reads each field once.
    fn render_with_fields(
        &self,
        event: &Event<'_>,
    ) -> (String, BTreeMap<String, serde_json::Value>) {
        (self.render(event), self.fields(event))
    }
}

/// One rule, compiled: metadata and the condition over field accessors.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    /// Sigma `id` (or title when there is none), Falco rule name.
    pub id: String,
    /// Sigma `title`, Falco rule name.
    pub title: String,
    /// The description.
    pub description: String,
    /// Sigma `level`, Falco `priority`.
    pub severity: Severity,
    /// Tags as written.
    pub tags: Vec<String>,
    /// The dialect the rule was written in.
    pub dialect: Dialect,
    /// The file the rule came from.
    pub source_file: Option<String>,
    /// The rule's author (kept in alerts: the Detection Rule License requires it).
    pub author: Option<String>,
    /// The source formats the rule applies to; empty means every format.
    pub sources: Vec<SourceFormat>,
    /// The condition.
    pub condition: Expr,
    /// The output template, if the dialect has one.
    pub output: Option<Arc<dyn OutputTemplate>>,
}

impl CompiledRule {
    /// A rule with the given id, dialect and condition; other fields empty.
    pub fn new(id: impl Into<String>, dialect: Dialect, condition: Expr) -> CompiledRule {
        let id = id.into();
        CompiledRule {
            title: id.clone(),
            id,
            description: String::new(),
            severity: Severity::Medium,
            tags: Vec::new(),
            dialect,
            source_file: None,
            author: None,
            sources: Vec::new(),
            condition,
            output: None,
        }
    }

    /// Whether the rule applies to events of `format` (`None`: unknown format).
    pub fn applies_to(&self, format: Option<SourceFormat>) -> bool {
        self.sources.is_empty() || format.is_some_and(|f| self.sources.contains(&f))
    }

    /// Whether the rule matches `event` (its source formats included).
    pub fn matches(&self, event: &Event<'_>) -> bool {
        self.applies_to(event.format()) && self.condition.eval(event)
    }

    /// What an alert says about this rule.
    pub fn rule_ref(&self) -> RuleRef {
        RuleRef {
            id: self.id.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            dialect: Some(self.dialect),
            source_file: self.source_file.clone(),
            author: self.author.clone(),
            tags: self.tags.clone(),
        }
    }

    /// An alert for this rule matching `event`.
    pub fn alert(&self, event: &Event<'_>) -> Alert {
        let mut builder = AlertBuilder::new(self.rule_ref(), self.severity).event(event);
        if let Some(output) = &self.output {
            let (message, fields) = output.render_with_fields(event);
            builder = builder.message(message).output_fields(fields);
        }
        builder.build()
    }
}

/// One rule matching one event: the rule's index in [`RuleSet::rules`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleMatch {
    /// Index of the rule in its rule set.
    pub rule: usize,
}

/// Rules of any dialect, compiled and indexed for evaluation.
///
/// The index sends an event only to the rules that can match it: by source format, then by
/// the value of a discriminating field (a rule whose condition requires `eventName` to be one of
/// a few values is tried only on events with one of those values).
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<CompiledRule>,
    any_format: Bucketed,
    /// The rules of each format (a fast hash: looked up once per event).
    by_format: FastMap<SourceFormat, Bucketed>,
}

#[derive(Debug, Clone, Default)]
struct Bucketed {
    unindexed: Vec<usize>,
    keyed: Vec<KeyedGroup>,
    /// Rules out rules by the literals they need, on the undecoded record.
    prefilter: Option<RawPrefilter>,
    /// Whether `prefilter` is used (see [`RuleSet::set_raw_prefilter`]; off by default).
    prefilter_on: bool,
    /// Whether a rule of the bucket reads more than the raw record (the normalized event).
    reads_event: bool,
    /// The predicates of the bucket's rules, equal ones once (see [`Plan`]).
    predicates: Vec<Predicate>,
    /// Per predicate, its slot in the per-event field reads ([`NO_SLOT`]: read alone).
    read_slots: Vec<u8>,
    /// Each rule's condition as a [`Plan`] over `predicates`, by rule index.
    plans: Vec<Option<Plan>>,
    /// Per keyed group, the read slot of predicates reading the group's field as it is (no
    /// transforms; [`NO_SLOT`]: none does), so the index's read of the field is the
    /// predicates' read too, and the other way round.
    group_slots: Vec<u8>,
}

/// A condition prepared for evaluation with a memo: each predicate is an index into the
/// bucket's predicates, where equal predicates of different rules are one, so a test many
/// rules share (`ka.verb=create`, the `auditID` guard, `kevt`) is evaluated once per event
/// (the memo holds its outcome for the event). A predicate reads nothing but the event, so its
/// outcome is the same every time it is asked.
///
/// Different tests of one field (`ka.user.name startswith "system:"`, `ka.user.name in
/// (...)`, `not ka.req.pod.containers.image.repository in (...)` with another list) share the
/// field's read the same way: predicates with one accessor and the same transforms have one
/// read slot ([`Bucketed::read_slots`]), and the event's field is read once
/// ([`Predicate::read`]) and then tested by each ([`Predicate::eval_read`]). A read is the
/// same every time it is made, so the outcomes are those of reading per predicate.
#[derive(Debug, Clone)]
enum Plan {
    Const(bool),
    And(Vec<Plan>),
    Or(Vec<Plan>),
    Not(Box<Plan>),
    Pred(usize),
    Keyword(Box<KeywordSearch>),
}

/// How many predicates a bucket's memo holds on the stack; a bucket with more uses the heap.
const STACK_MEMO: usize = 512;

/// How many distinct fields a bucket keeps per-event reads of (see [`Plan`]); predicates of
/// further fields read their field each.
const READ_SLOTS: usize = 32;

/// The read slot of a predicate that reads its field alone.
const NO_SLOT: u8 = u8::MAX;

/// What evaluating a bucket's plans on one event keeps: the bucket's predicates and their
/// read slots, the event, the predicates' outcomes so far (0: not evaluated yet, 1: false,
/// 2: true) and the fields read so far.
struct Evaluation<'p, 'e, 'x, 'm> {
    predicates: &'p [Predicate],
    read_slots: &'p [u8],
    event: &'e Event<'x>,
    memo: &'m mut [u8],
    reads: [Option<FieldRead<'e, 'p>>; READ_SLOTS],
}

impl Plan {
    /// The condition's outcome on the evaluation's event.
    fn eval(&self, ev: &mut Evaluation<'_, '_, '_, '_>) -> bool {
        match self {
            Plan::Const(b) => *b,
            Plan::And(children) => children.iter().all(|c| c.eval_child(ev)),
            Plan::Or(children) => children.iter().any(|c| c.eval_child(ev)),
            Plan::Not(child) => !child.eval_child(ev),
            Plan::Pred(id) => ev.predicate(*id),
            Plan::Keyword(search) => search.eval(ev.event),
        }
    }

    /// [`Plan::eval`] for an operand: a predicate, most operands, without a call.
    #[inline(always)]
    fn eval_child(&self, ev: &mut Evaluation<'_, '_, '_, '_>) -> bool {
        match self {
            Plan::Pred(id) => ev.predicate(*id),
            other => other.eval(ev),
        }
    }
}

impl Evaluation<'_, '_, '_, '_> {
    /// The outcome of predicate `id`, from the memo or evaluated now (on its field's read,
    /// made now if no predicate made it yet) and kept.
    #[inline(always)]
    fn predicate(&mut self, id: usize) -> bool {
        match self.memo.get(id) {
            Some(1) => return false,
            Some(2) => return true,
            _ => {}
        }
        let outcome = self.evaluate(id);
        if let Some(slot) = self.memo.get_mut(id) {
            *slot = 1 + u8::from(outcome);
        }
        outcome
    }

    /// Evaluates predicate `id` (not in the memo).
    fn evaluate(&mut self, id: usize) -> bool {
        let Some(predicate) = self.predicates.get(id) else {
            return false;
        };
        let slot = self.read_slots.get(id).copied().unwrap_or(NO_SLOT);
        match self.reads.get_mut(usize::from(slot)) {
            Some(cell) => {
                let read = cell.get_or_insert_with(|| predicate.read(self.event));
                predicate.eval_read(read, self.event)
            }
            None => predicate.eval(self.event),
        }
    }
}

/// The field of a predicate, as far as telling predicates apart goes: a path, or a computed
/// field by the identity of its accessor (rules reading one computed field share it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum PredicateField {
    Path(FieldPath),
    Custom(usize),
}

/// What makes two predicates equal: the field and a text spelling everything else; `None`
/// for a predicate whose test cannot be spelled completely (regexes, automata, field
/// references), which is then never taken for another.
fn predicate_key(p: &Predicate) -> Option<(PredicateField, String)> {
    let field = match &p.field {
        Accessor::Path(path) => PredicateField::Path(path.clone()),
        Accessor::Custom(custom) => PredicateField::Custom(Arc::as_ptr(custom).cast::<()>().addr()),
    };
    let test = match &p.test {
        Test::Str(matcher) => matcher.identity()?,
        Test::Custom(custom) => format!("custom {}", Arc::as_ptr(custom).cast::<()>().addr()),
        Test::Present | Test::IsNull | Test::Num { .. } | Test::Bool { .. } | Test::Cidr(_) => {
            format!("{:?}", p.test)
        }
        Test::FieldRef { .. } => return None,
    };
    Some((
        field,
        format!(
            "{test} {:?} {:?} {} {} {} {}",
            p.transforms, p.quantifier, p.negate, p.if_missing, p.if_null, p.if_empty
        ),
    ))
}

/// Builds [`Plan`]s over one list of predicates, equal predicates once, and gives
/// predicates reading one field one read slot.
#[derive(Default)]
struct Planner {
    predicates: Vec<Predicate>,
    seen: HashMap<(PredicateField, String), usize>,
    read_slots: Vec<u8>,
    fields: HashMap<(PredicateField, String), u8>,
}

/// What makes two predicates read the same: the field and the transforms.
fn read_key(p: &Predicate) -> (PredicateField, String) {
    let field = match &p.field {
        Accessor::Path(path) => PredicateField::Path(path.clone()),
        Accessor::Custom(custom) => PredicateField::Custom(Arc::as_ptr(custom).cast::<()>().addr()),
    };
    (field, format!("{:?}", p.transforms))
}

/// The [`read_key`] of a predicate reading `path` without transforms.
fn plain_read_key(path: &FieldPath) -> (PredicateField, String) {
    let none: &[super::expr::Transform] = &[];
    (PredicateField::Path(path.clone()), format!("{none:?}"))
}

impl Planner {
    fn plan(&mut self, expr: &Expr) -> Plan {
        match expr {
            Expr::Const(b) => Plan::Const(*b),
            Expr::And(children) => Plan::And(children.iter().map(|c| self.plan(c)).collect()),
            Expr::Or(children) => Plan::Or(children.iter().map(|c| self.plan(c)).collect()),
            Expr::Not(child) => Plan::Not(Box::new(self.plan(child))),
            Expr::Pred(p) => {
                let key = predicate_key(p);
                if let Some(&id) = key.as_ref().and_then(|k| self.seen.get(k)) {
                    return Plan::Pred(id);
                }
                let id = self.predicates.len();
                self.predicates.push((**p).clone());
                let next = self.fields.len();
                let slot = match self.fields.get(&read_key(p)) {
                    Some(&slot) => slot,
                    None if next < READ_SLOTS => {
                        let slot = u8::try_from(next).unwrap_or(NO_SLOT);
                        self.fields.insert(read_key(p), slot);
                        slot
                    }
                    None => NO_SLOT,
                };
                self.read_slots.push(slot);
                if let Some(key) = key {
                    self.seen.insert(key, id);
                }
                Plan::Pred(id)
            }
            Expr::Keyword(search) => Plan::Keyword(search.clone()),
        }
    }
}

#[derive(Debug, Clone)]
struct KeyedGroup {
    path: FieldPath,
    insensitive: bool,
    /// Keyed by the value's bytes (lower-cased when the group is case-insensitive), so a
    /// lower-cased probe needs no UTF-8 check.
    buckets: FastMap<Box<[u8]>, Vec<Filed>>,
    /// The byte lengths of the bucket keys below 64, as bits, and whether a key is longer:
    /// most values an event holds (a user agent, an event name no rule names) are ruled out
    /// by their length before they are lowercased and hashed.
    key_lengths: u64,
    long_keys: bool,
    all: Vec<usize>,
    /// The conditions of rules filed here, narrowed for an event reached through a bucket
    /// (see [`narrow`]); [`Filed::narrowed`] indexes this.
    narrowed: Vec<Expr>,
    /// `narrowed` as plans over the bucket's predicates.
    narrowed_plans: Vec<Plan>,
}

/// A rule filed in a bucket of a [`KeyedGroup`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Filed {
    /// The rule's index.
    rule: usize,
    /// Its narrowed condition in [`KeyedGroup::narrowed`], if the index makes a conjunct of
    /// its condition hold for every event the bucket sends to it.
    narrowed: Option<usize>,
}

/// `expr` for an event whose value at `path` is one of `filed` (how the index found the rule):
/// every conjunct predicate testing `path` for equality with one of a case-sensitive set of
/// values holding all of `filed` is then true and is left out. `None` when no conjunct is.
///
/// Such a predicate reads the value the index read (the same path, no transform, any value)
/// and its matcher accepts exactly its listed values, so on those events it is true; and a
/// condition has no side effects, so leaving a true conjunct out changes no outcome.
fn narrow(expr: &Expr, path: &FieldPath, filed: &[&str]) -> Option<Expr> {
    match expr {
        Expr::Pred(p) => {
            let req = predicate_requirement(p)?;
            let implied = !req.insensitive
                && req.path == path
                && filed.iter().all(|value| req.values.contains(value));
            implied.then_some(Expr::Const(true))
        }
        Expr::And(children) => {
            let mut changed = false;
            let mut kept: Vec<Expr> = Vec::with_capacity(children.len());
            for child in children {
                match narrow(child, path, filed) {
                    Some(Expr::Const(true)) => changed = true,
                    Some(narrowed) => {
                        changed = true;
                        kept.push(narrowed);
                    }
                    None => kept.push(child.clone()),
                }
            }
            if !changed {
                return None;
            }
            Some(match kept.len() {
                0 => Expr::Const(true),
                1 => kept.pop().unwrap_or(Expr::Const(true)),
                _ => Expr::And(kept),
            })
        }
        Expr::Const(_) | Expr::Or(_) | Expr::Not(_) | Expr::Keyword(_) => None,
    }
}

/// What a condition requires of one field: its value is one of `values`.
struct Requirement<'r> {
    path: &'r FieldPath,
    insensitive: bool,
    values: Vec<&'r str>,
}

fn predicate_requirement(p: &Predicate) -> Option<Requirement<'_>> {
    let Accessor::Path(path) = &p.field else {
        return None;
    };
    if !p.transforms.is_empty()
        || p.negate
        || p.if_missing
        || p.if_null
        || p.if_empty
        || p.quantifier != Quantifier::Any
    {
        return None;
    }
    let Test::Str(matcher) = &p.test else {
        return None;
    };
    let (values, insensitive) = matcher.exact_values()?;
    Some(Requirement {
        path,
        insensitive,
        values,
    })
}

/// Every requirement `expr` implies: each conjunct's, and for a disjunction the fields every
/// alternative requires (their values merged).
fn requirements(expr: &Expr) -> Vec<Requirement<'_>> {
    match expr {
        Expr::Pred(p) => predicate_requirement(p).into_iter().collect(),
        Expr::And(children) => children.iter().flat_map(requirements).collect(),
        Expr::Or(children) => {
            let Some((first, rest)) = children.split_first() else {
                return Vec::new();
            };
            let alternatives: Vec<Vec<Requirement<'_>>> = rest.iter().map(requirements).collect();
            let mut merged: Vec<Requirement<'_>> = Vec::new();
            for mut candidate in requirements(first) {
                let key = (candidate.path, candidate.insensitive);
                if merged.iter().any(|m| (m.path, m.insensitive) == key) {
                    continue;
                }
                let mut common = true;
                for alternative in &alternatives {
                    match alternative.iter().find(|r| (r.path, r.insensitive) == key) {
                        Some(r) => candidate.values.extend(r.values.iter().copied()),
                        None => {
                            common = false;
                            break;
                        }
                    }
                }
                if common {
                    merged.push(candidate);
                }
            }
            merged
        }
        Expr::Const(_) | Expr::Not(_) | Expr::Keyword(_) => Vec::new(),
    }
}

/// The requirement a rule is indexed by: of the fields its condition requires, the one whose
/// values best split the rules (the most distinct values among them, per value this rule
/// accepts; the first on a tie). Every requirement is a necessary condition, so the choice
/// changes which rules are tried, never which match.
fn best_requirement<'r>(
    candidates: Vec<Requirement<'r>>,
    spread: &HashMap<(&FieldPath, bool), usize>,
) -> Option<Requirement<'r>> {
    // spread / values, compared without division.
    let score = |r: &Requirement<'_>| {
        let distinct = spread.get(&(r.path, r.insensitive)).copied().unwrap_or(0);
        (distinct, r.values.len().max(1))
    };
    let mut best: Option<Requirement<'r>> = None;
    for candidate in candidates {
        let better = best.as_ref().is_none_or(|current| {
            let (a, n) = score(&candidate);
            let (b, m) = score(current);
            a.saturating_mul(m) > b.saturating_mul(n)
        });
        if better {
            best = Some(candidate);
        }
    }
    best
}

impl Bucketed {
    /// Rebuilds the index over the rules `indices` (at load time).
    fn rebuild(&mut self, indices: &[usize], rules: &[CompiledRule]) {
        self.unindexed.clear();
        self.keyed.clear();
        self.reads_event = indices
            .iter()
            .any(|&i| rules.get(i).is_some_and(|r| !r.condition.reads_raw_only()));
        // A rule whose condition is constantly false (a Falco rule disabled through an
        // `always_true` exception macro, say) can match no event: it is filed nowhere, so no
        // event tries it.
        let candidates: Vec<(usize, Vec<Requirement<'_>>)> = indices
            .iter()
            .filter_map(|&i| rules.get(i).map(|r| (i, r)))
            .filter(|(_, r)| !matches!(r.condition, Expr::Const(false)))
            .map(|(i, r)| (i, requirements(&r.condition)))
            .collect();
        let mut values: HashMap<(&FieldPath, bool), HashSet<String>> = HashMap::new();
        for (_, reqs) in &candidates {
            for req in reqs {
                let seen = values.entry((req.path, req.insensitive)).or_default();
                for value in &req.values {
                    seen.insert(if req.insensitive {
                        value.to_lowercase()
                    } else {
                        (*value).to_owned()
                    });
                }
            }
        }
        let spread: HashMap<(&FieldPath, bool), usize> =
            values.into_iter().map(|(k, v)| (k, v.len())).collect();
        let chosen: Vec<(usize, Option<Requirement<'_>>)> = candidates
            .into_iter()
            .map(|(index, reqs)| (index, best_requirement(reqs, &spread)))
            .collect();
        for (index, req) in chosen {
            match req {
                Some(req) => self.file(index, req, rules),
                None => self.unindexed.push(index),
            }
        }
        self.rebuild_prefilter(rules);
        let mut planner = Planner::default();
        self.plans = vec![None; rules.len()];
        for &index in indices {
            if let (Some(rule), Some(slot)) = (rules.get(index), self.plans.get_mut(index)) {
                *slot = Some(planner.plan(&rule.condition));
            }
        }
        for group in &mut self.keyed {
            group.narrowed_plans = group.narrowed.iter().map(|e| planner.plan(e)).collect();
        }
        self.group_slots = self
            .keyed
            .iter()
            .map(|group| {
                planner
                    .fields
                    .get(&plain_read_key(&group.path))
                    .copied()
                    .unwrap_or(NO_SLOT)
            })
            .collect();
        self.predicates = planner.predicates;
        self.read_slots = planner.read_slots;
    }

    /// Files rule `index` under the values of `req`.
    fn file(&mut self, index: usize, req: Requirement<'_>, rules: &[CompiledRule]) {
        let position = self
            .keyed
            .iter()
            .position(|g| g.path == *req.path && g.insensitive == req.insensitive);
        let group = match position.and_then(|p| self.keyed.get_mut(p)) {
            Some(group) => group,
            None => {
                self.keyed.push(KeyedGroup {
                    path: req.path.clone(),
                    insensitive: req.insensitive,
                    buckets: FastMap::default(),
                    key_lengths: 0,
                    long_keys: false,
                    all: Vec::new(),
                    narrowed: Vec::new(),
                    narrowed_plans: Vec::new(),
                });
                match self.keyed.last_mut() {
                    Some(group) => group,
                    None => return,
                }
            }
        };
        group.all.push(index);
        let narrowed = if req.insensitive {
            None
        } else {
            rules
                .get(index)
                .and_then(|rule| narrow(&rule.condition, req.path, &req.values))
        };
        let filed = Filed {
            rule: index,
            narrowed: narrowed.map(|condition| {
                group.narrowed.push(condition);
                group.narrowed.len() - 1
            }),
        };
        for value in req.values {
            let key: Box<[u8]> = if req.insensitive {
                value.to_lowercase().into_bytes().into()
            } else {
                value.as_bytes().into()
            };
            match 1u64.checked_shl(u32::try_from(key.len()).unwrap_or(u32::MAX)) {
                Some(bit) => group.key_lengths |= bit,
                None => group.long_keys = true,
            }
            let bucket = group.buckets.entry(key).or_default();
            if bucket.last() != Some(&filed) {
                bucket.push(filed);
            }
        }
    }

    /// Rebuilds the raw-bytes prefilter over the bucket's rules (at load time).
    fn rebuild_prefilter(&mut self, rules: &[CompiledRule]) {
        let mut indices: Vec<usize> = self
            .unindexed
            .iter()
            .chain(self.keyed.iter().flat_map(|g| g.all.iter()))
            .copied()
            .collect();
        indices.sort_unstable();
        indices.dedup();
        self.prefilter = RawPrefilter::build(
            indices
                .into_iter()
                .filter_map(|i| rules.get(i).map(|r| (i, &r.condition))),
        );
    }

    fn collect(&self, event: &Event<'_>, rules: &[CompiledRule], out: &mut Vec<RuleMatch>) {
        // A bucket without rules (the any-format bucket of a Falco rule set) has nothing to
        // scan or try.
        if self.unindexed.is_empty() && self.keyed.is_empty() {
            return;
        }
        let marks: Option<(&RawPrefilter, Marks)> = self
            .prefilter
            .as_ref()
            .filter(|_| self.prefilter_on)
            .and_then(|p| p.scan(event).map(|m| (p, m)));
        let possible = |index: usize| marks.as_ref().is_none_or(|(p, m)| p.possible(index, m));
        // One memo per event for the bucket's predicates, and the fields they read (see
        // `Plan`).
        let mut on_stack = [0u8; STACK_MEMO];
        let mut on_heap = Vec::new();
        let memo: &mut [u8] = match on_stack.get_mut(..self.predicates.len()) {
            Some(memo) => memo,
            None => {
                on_heap.resize(self.predicates.len(), 0u8);
                &mut on_heap
            }
        };
        let mut ev = Evaluation {
            predicates: &self.predicates,
            read_slots: &self.read_slots,
            event,
            memo,
            reads: [const { None }; READ_SLOTS],
        };
        // A rule reached through a bucket is tried with its narrowed condition when it has
        // one (see `narrow`).
        let try_rule = |ev: &mut Evaluation<'_, '_, '_, '_>,
                        out: &mut Vec<RuleMatch>,
                        index: usize,
                        narrowed: Option<&Plan>| {
            if !possible(index) {
                return;
            }
            let plan = narrowed.or_else(|| self.plans.get(index).and_then(Option::as_ref));
            let matched = match plan {
                Some(plan) => plan.eval(ev),
                None => rules.get(index).is_some_and(|r| r.condition.eval(event)),
            };
            if matched {
                out.push(RuleMatch { rule: index });
            }
        };
        for &i in &self.unindexed {
            try_rule(&mut ev, out, i, None);
        }
        for (position, group) in self.keyed.iter().enumerate() {
            if marks.is_some() && !group.all.iter().any(|&i| possible(i)) {
                continue;
            }
            // The group's field is read once for the index and the predicates reading it:
            // from the read slot when a predicate read it already, else read now and kept.
            let slot = self.group_slots.get(position).copied().unwrap_or(NO_SLOT);
            let key = match ev.reads.get_mut(usize::from(slot)) {
                Some(cell) => {
                    let read = cell.get_or_insert_with(|| read_raw(&group.path, event));
                    key_of_read(read)
                }
                None => group_key(&group.path, event),
            };
            let bucket = match key {
                Key::Absent => continue,
                Key::Str(value) => group.bucket(value),
                Key::Value(FieldValue::Str(value)) => group.bucket(&value),
                Key::Value(_) | Key::Other => {
                    for &i in &group.all {
                        try_rule(&mut ev, out, i, None);
                    }
                    continue;
                }
            };
            for filed in bucket {
                try_rule(
                    &mut ev,
                    out,
                    filed.rule,
                    filed.narrowed.and_then(|n| group.narrowed_plans.get(n)),
                );
            }
        }
    }
}

enum Key<'e> {
    /// Missing or null: no rule of the group can match.
    Absent,
    /// A single string.
    Str(&'e str),
    /// A value read through the event's path API.
    Value(FieldValue<'e>),
    /// Anything else: every rule of the group must be tried.
    Other,
}

impl KeyedGroup {
    fn bucket(&self, value: &str) -> &[Filed] {
        // An ASCII value keeps its length when lowercased, so a key of another length cannot
        // equal it (a non-ASCII one may not: it is looked up).
        let length_filed = match 1u64.checked_shl(u32::try_from(value.len()).unwrap_or(u32::MAX)) {
            Some(bit) => self.key_lengths & bit != 0,
            None => self.long_keys,
        };
        if !length_filed && (!self.insensitive || value.is_ascii()) {
            return &[];
        }
        let bucket = if self.insensitive {
            let mut buffer = [0u8; 256];
            match ascii_lowercase(value, &mut buffer) {
                Some(lower) => self.buckets.get(lower),
                None => self.buckets.get(value.to_lowercase().as_bytes()),
            }
        } else {
            self.buckets.get(value.as_bytes())
        };
        bucket.map_or(&[], Vec::as_slice)
    }
}

/// A predicate's read of `path` with no transforms ([`Predicate::read`]), for a raw path.
fn read_raw<'e, 'p>(path: &'p FieldPath, event: &'e Event<'_>) -> FieldRead<'e, 'p> {
    match path.raw_path() {
        Some(segments) => match super::eval::raw_member(event, segments) {
            Some((member, rest)) => FieldRead::Json(member, rest),
            None if event.raw.is_json() => FieldRead::Json(event.raw.tree(), segments),
            None => FieldRead::Json(event.unmapped.as_ref(), segments),
        },
        None => FieldRead::Value(path.get(event)),
    }
}

/// The index key of a field as a predicate read it.
fn key_of_read<'e>(read: &FieldRead<'e, '_>) -> Key<'e> {
    match read {
        FieldRead::Json(None, _) => Key::Absent,
        FieldRead::Json(Some(root), segments) => key_of_node(root, segments),
        FieldRead::Value(FieldValue::Missing | FieldValue::Null) => Key::Absent,
        FieldRead::Value(FieldValue::Str(value)) => match value {
            std::borrow::Cow::Borrowed(value) => Key::Str(value),
            std::borrow::Cow::Owned(value) => Key::Value(FieldValue::Str(value.clone().into())),
        },
        FieldRead::Value(_) => Key::Other,
    }
}

/// The index key of the value `segments` lead to from `node` (object keys only: a path
/// through an array fans out, and every rule of the group is tried).
fn key_of_node<'e>(mut node: &'e logsec_event::JsonValue<'e>, segments: &[Segment]) -> Key<'e> {
    for segment in segments {
        let next = match (segment, node) {
            (Segment::Key(key), logsec_event::JsonValue::Object(_)) => node.get(key),
            (_, logsec_event::JsonValue::Array(_)) => return Key::Other,
            _ => None,
        };
        match next {
            Some(child) => node = child,
            None => return Key::Absent,
        }
    }
    match node {
        logsec_event::JsonValue::String(s) => Key::Str(s),
        logsec_event::JsonValue::Null => Key::Absent,
        _ => Key::Other,
    }
}

fn group_key<'e>(path: &FieldPath, event: &'e Event<'_>) -> Key<'e> {
    if path.raw_path().is_some() {
        return key_of_read(&read_raw(path, event));
    }
    match path.get(event) {
        FieldValue::Missing | FieldValue::Null => Key::Absent,
        other => Key::Value(other),
    }
}

impl RuleSet {
    /// Compiles the index over `rules`.
    pub fn new(rules: Vec<CompiledRule>) -> RuleSet {
        let mut set = RuleSet {
            rules: Vec::new(),
            any_format: Bucketed::default(),
            by_format: FastMap::default(),
        };
        set.extend(rules);
        set
    }

    /// Adds rules (their indices continue after the existing ones).
    pub fn extend(&mut self, rules: Vec<CompiledRule>) {
        self.rules.extend(rules);
        let mut any_format = Vec::new();
        let mut by_format: HashMap<SourceFormat, Vec<usize>> = HashMap::new();
        for (index, rule) in self.rules.iter().enumerate() {
            if rule.sources.is_empty() {
                any_format.push(index);
            }
            for format in &rule.sources {
                by_format.entry(*format).or_default().push(index);
            }
        }
        self.any_format.rebuild(&any_format, &self.rules);
        for (format, indices) in by_format {
            self.by_format
                .entry(format)
                .or_default()
                .rebuild(&indices, &self.rules);
        }
    }

    /// Turns the raw-bytes literal prefilter on or off (off by default). The prefilter never
    /// changes which rules match: before building a JSON record's tree it rules out the rules
    /// needing a literal (an event name, a user agent) that the undecoded record does not
    /// contain. It pays only when most records match no rule: on the generated CloudTrail
    /// benchmark, where half the events match a SigmaHQ rule, it costs more than it saves
    /// (see `BENCHMARKS.md`), hence off by default.
    pub fn set_raw_prefilter(&mut self, enabled: bool) {
        self.any_format.prefilter_on = enabled;
        for bucketed in self.by_format.values_mut() {
            bucketed.prefilter_on = enabled;
        }
    }

    /// The rules, in load order; [`RuleMatch::rule`] indexes this slice.
    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// The rule a match refers to.
    pub fn rule(&self, index: usize) -> Option<&CompiledRule> {
        self.rules.get(index)
    }

    /// The number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Appends to `out` the rules matching `event`, in rule order. Does not clear `out`; does
    /// not allocate unless `out` grows or a rule reads a computed or list-valued field.
    pub fn matches(&self, event: &Event<'_>, out: &mut Vec<RuleMatch>) {
        let start = out.len();
        self.any_format.collect(event, &self.rules, out);
        if let Some(bucketed) = event.format().and_then(|f| self.by_format.get(&f)) {
            bucketed.collect(event, &self.rules, out);
        }
        if let Some(new) = out.get_mut(start..)
            && !new.is_sorted()
        {
            new.sort_unstable();
        }
    }

    /// Whether every rule that applies to records of `format` reads only the raw record, so
    /// [`RuleSet::matches`] gives the same matches on a record that is not normalized yet
    /// (a Base Event carrying the format, the time and the raw record) as on its normalized
    /// event.
    pub fn reads_raw_only(&self, format: SourceFormat) -> bool {
        !self.any_format.reads_event && self.by_format.get(&format).is_none_or(|b| !b.reads_event)
    }

    /// An alert for a match (`None` if the index is not from this set).
    pub fn alert(&self, matched: RuleMatch, event: &Event<'_>) -> Option<Alert> {
        self.rule(matched.rule).map(|rule| rule.alert(event))
    }

    /// How many rules the index files under a discriminating field, per format (for
    /// diagnostics and tests): `(format name or "*", field path, rules)`.
    pub fn index_summary(&self) -> Vec<(String, String, usize)> {
        let mut out = Vec::new();
        let mut push = |name: String, bucketed: &Bucketed| {
            for group in &bucketed.keyed {
                out.push((name.clone(), group.path.to_string(), group.all.len()));
            }
        };
        push("*".into(), &self.any_format);
        let mut formats: Vec<_> = self.by_format.iter().collect();
        formats.sort_by_key(|(f, _)| **f);
        for (format, bucketed) in formats {
            push(format.name().into(), bucketed);
        }
        out
    }
}
