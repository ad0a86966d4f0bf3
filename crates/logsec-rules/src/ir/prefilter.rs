//! The raw-bytes literal prefilter: one Aho-Corasick pass over an event's undecoded JSON record
//! rules out the rules that need a literal the record does not contain, before the record's
//! JSON tree is built.
//!
//! A rule's condition is reduced to clauses (an AND of ORs of literals): a predicate on a raw
//! path whose string test can only pass when the value contains one of some literals gives one
//! clause; `and` joins its children's clauses; `or` merges one clause of each child; `not`,
//! keywords and anything else give none. A rule is tried only when every clause has a literal in
//! the record.
//!
//! Why this is sound, for a record that is ASCII and has no `\u` or `\/` escape (other records
//! are not filtered): every string of the record then appears verbatim in its text, except the
//! characters `"`, `\` and control characters, which JSON escapes. A literal is cut down to its
//! longest run without those characters and without the structural characters `: , { } [ ]`, so
//! it cannot straddle two JSON tokens of the value's text (objects are tested as compact JSON),
//! and a run made only of number characters is not used (numbers are re-spelled). Literals are
//! matched ASCII case-insensitively, a superset of every test's case rule on ASCII text.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use logsec_event::Event;
use regex_syntax::hir::{Hir, HirKind};

use super::expr::{Accessor, Expr, Predicate, StrKind, StrMatcher, Test};

/// At most this many clauses per rule set bucket (the per-event marks live on the stack).
const MAX_CLAUSES: usize = 64 * WORDS;
const WORDS: usize = 16;
/// Literal runs shorter than this are not worth a pattern.
const MIN_LITERAL: usize = 3;

/// Per-event clause marks.
pub(crate) type Marks = [u64; WORDS];

/// The prefilter of one index bucket.
#[derive(Debug, Clone)]
pub(crate) struct RawPrefilter {
    automaton: AhoCorasick,
    /// Pattern index → the clauses it satisfies.
    pattern_clauses: Vec<Vec<u16>>,
    /// Rule index (into the rule set) → its clauses (empty: always tried).
    rule_clauses: Vec<Box<[u16]>>,
}

impl RawPrefilter {
    /// Builds the prefilter over `(rule index, condition)` pairs; `None` when no rule has a
    /// clause.
    pub(crate) fn build<'r>(rules: impl Iterator<Item = (usize, &'r Expr)>) -> Option<Self> {
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_clauses: Vec<Vec<u16>> = Vec::new();
        let mut rule_clauses: Vec<Box<[u16]>> = Vec::new();
        let mut next_clause = 0usize;
        for (index, condition) in rules {
            let mut ids = Vec::new();
            for clause in clauses(condition) {
                if next_clause >= MAX_CLAUSES {
                    break;
                }
                let Ok(id) = u16::try_from(next_clause) else {
                    break;
                };
                next_clause += 1;
                ids.push(id);
                for literal in clause {
                    let lower = literal.to_ascii_lowercase();
                    match patterns.iter().position(|p| *p == lower) {
                        Some(p) => {
                            if let Some(list) = pattern_clauses.get_mut(p)
                                && list.last() != Some(&id)
                            {
                                list.push(id);
                            }
                        }
                        None => {
                            patterns.push(lower);
                            pattern_clauses.push(vec![id]);
                        }
                    }
                }
            }
            if rule_clauses.len() <= index {
                rule_clauses.resize(index + 1, Box::default());
            }
            if let Some(slot) = rule_clauses.get_mut(index) {
                *slot = ids.into_boxed_slice();
            }
        }
        if patterns.is_empty() {
            return None;
        }
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .or_else(|_| {
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
            })
            .ok()?;
        Some(RawPrefilter {
            automaton,
            pattern_clauses,
            rule_clauses,
        })
    }

    /// Scans `event`'s raw record; returns the satisfied clauses, or `None` when the record
    /// cannot be filtered (not JSON, not ASCII, or with `\u` / `\/` escapes).
    pub(crate) fn scan(&self, event: &Event<'_>) -> Option<Marks> {
        if !event.raw.is_json() {
            return None;
        }
        let text = event.raw.as_str();
        let bytes = text.as_bytes();
        if !bytes.is_ascii()
            || memchr::memchr_iter(b'\\', bytes)
                .any(|i| matches!(bytes.get(i + 1), Some(b'u' | b'/')))
        {
            return None;
        }
        let mut marks = [0u64; WORDS];
        for found in self.automaton.find_overlapping_iter(text) {
            if let Some(ids) = self.pattern_clauses.get(found.pattern().as_usize()) {
                for &id in ids {
                    if let Some(word) = marks.get_mut(usize::from(id) / 64) {
                        *word |= 1 << (id % 64);
                    }
                }
            }
        }
        Some(marks)
    }

    /// Whether rule `index` may match given the clauses the record satisfies.
    pub(crate) fn possible(&self, index: usize, marks: &Marks) -> bool {
        self.rule_clauses.get(index).is_none_or(|ids| {
            ids.iter().all(|&id| {
                marks
                    .get(usize::from(id) / 64)
                    .is_some_and(|word| word & (1 << (id % 64)) != 0)
            })
        })
    }
}

/// A condition as an AND of ORs of literals (empty: nothing known).
fn clauses(expr: &Expr) -> Vec<Vec<String>> {
    match expr {
        Expr::Pred(p) => predicate_literals(p).map(|l| vec![l]).unwrap_or_default(),
        Expr::And(children) => children.iter().flat_map(clauses).collect(),
        Expr::Or(children) => {
            let mut merged = Vec::new();
            for child in children {
                let Some(best) = best_clause(clauses(child)) else {
                    return Vec::new();
                };
                merged.extend(best);
            }
            merged.sort();
            merged.dedup();
            if merged.is_empty() {
                Vec::new()
            } else {
                vec![merged]
            }
        }
        Expr::Const(_) | Expr::Not(_) | Expr::Keyword(_) => Vec::new(),
    }
}

/// The most selective clause: the one whose shortest literal is longest.
fn best_clause(clauses: Vec<Vec<String>>) -> Option<Vec<String>> {
    clauses
        .into_iter()
        .max_by_key(|c| c.iter().map(String::len).min().unwrap_or(0))
}

/// The literals one of which a value must contain for `p` to pass, if `p` needs one.
fn predicate_literals(p: &Predicate) -> Option<Vec<String>> {
    let Accessor::Path(path) = &p.field else {
        return None;
    };
    path.raw_path()?;
    if !p.transforms.is_empty() || p.negate || p.if_missing || p.if_null || p.if_empty {
        return None;
    }
    let Test::Str(matcher) = &p.test else {
        return None;
    };
    matcher_literals(matcher)?
        .iter()
        .map(|l| safe_run(l))
        .collect()
}

fn matcher_literals(matcher: &StrMatcher) -> Option<Vec<String>> {
    match matcher.kind.as_ref() {
        StrKind::Equals(n)
        | StrKind::EqualsAsciiCi(n)
        | StrKind::StartsWith(n)
        | StrKind::StartsWithAsciiCi(n)
        | StrKind::EndsWith(n)
        | StrKind::EndsWithAsciiCi(n) => Some(vec![n.to_string()]),
        StrKind::Contains(finder) => std::str::from_utf8(finder.needle())
            .ok()
            .map(|n| vec![n.to_owned()]),
        StrKind::ContainsAny(_, needles) => Some(needles.iter().map(|n| n.to_string()).collect()),
        StrKind::Regex(regex) | StrKind::GuardedRegex { regex, .. } => {
            let hir = regex_syntax::Parser::new().parse(regex.as_str()).ok()?;
            let bytes = hir_literals(&hir)?;
            bytes
                .into_iter()
                .map(|b| String::from_utf8(b).ok())
                .collect()
        }
        StrKind::Set { values, .. } => Some(values.iter().map(|v| v.to_string()).collect()),
    }
}

/// A literal of at least three bytes that every match of `pattern` contains, case as written
/// (exact when the pattern is matched case-sensitively: a case-insensitive group or flag in
/// the pattern turns its letters into classes, which are not literals).
pub(crate) fn required_literal(pattern: &str) -> Option<Vec<u8>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    match hir_literals(&hir)?.as_slice() {
        [literal] if literal.len() >= 3 => Some(literal.clone()),
        _ => None,
    }
}

/// Literals one of which every match of `hir` contains (case as written: the caller matches
/// them ignoring ASCII case, which covers case-insensitive regexes on ASCII text).
fn hir_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Literal(literal) => Some(vec![literal.0.to_vec()]),
        HirKind::Capture(capture) => hir_literals(&capture.sub),
        HirKind::Repetition(rep) if rep.min >= 1 => hir_literals(&rep.sub),
        HirKind::Concat(children) => children
            .iter()
            .filter_map(hir_literals)
            .max_by_key(|set| set.iter().map(Vec::len).min().unwrap_or(0)),
        HirKind::Alternation(children) => {
            let mut all = Vec::new();
            for child in children {
                all.extend(hir_literals(child)?);
            }
            Some(all)
        }
        _ => None,
    }
}

/// The longest run of `literal` that can only occur verbatim in the record's text (see the
/// module documentation), if it is long enough and not made of number characters only.
fn safe_run(literal: &str) -> Option<String> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '"' | '\\' | ':' | ',' | '{' | '}' | '[' | ']');
    let run = literal.split(unsafe_char).max_by_key(|run| run.len())?;
    let numeric = run
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'));
    (run.len() >= MIN_LITERAL && !numeric).then(|| run.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_runs_avoid_structure_escapes_and_numbers() {
        assert_eq!(
            safe_run(":assumed-role/aws:").as_deref(),
            Some("assumed-role/aws")
        );
        assert_eq!(safe_run("\"s3:GetObject\"").as_deref(), Some("GetObject"));
        assert_eq!(safe_run("404"), None);
        assert_eq!(safe_run("1.5e3"), None);
        assert_eq!(safe_run("ab"), None);
        assert_eq!(safe_run("a\"b"), None);
    }

    #[test]
    fn regex_literals_come_from_concatenations_and_alternations() {
        let hir = regex_syntax::Parser::new()
            .parse(".+:assumed-role/aws:.+")
            .unwrap_or_else(|_| Hir::empty());
        assert_eq!(
            hir_literals(&hir),
            Some(vec![b":assumed-role/aws:".to_vec()])
        );
        let hir = regex_syntax::Parser::new()
            .parse("(foo|barbaz)x*")
            .unwrap_or_else(|_| Hir::empty());
        assert_eq!(
            hir_literals(&hir),
            Some(vec![b"foo".to_vec(), b"barbaz".to_vec()])
        );
        let hir = regex_syntax::Parser::new()
            .parse("(foo)?bar|[a-z]+")
            .unwrap_or_else(|_| Hir::empty());
        assert_eq!(hir_literals(&hir), None);
    }
}
