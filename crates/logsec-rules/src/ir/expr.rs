//! The expression tree both dialects compile to.

use std::fmt;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use ipnet::IpNet;
use logsec_event::{Event, FieldPath, FieldValue};
use memchr::memmem;
use regex::{Regex, RegexBuilder};

use super::hash::FastSet;
use crate::error::RulesError;

/// A computed field: a value derived from an event by code rather than a path (Falco's
/// `ct.user`, `ka.target.resource`, …). Implementations must be cheap and must not panic.
pub trait FieldExtractor: Send + Sync + fmt::Debug {
    /// The field's value on `event`.
    fn extract<'e>(&self, event: &'e Event<'_>) -> FieldValue<'e>;
    /// The field's name as rules write it, for diagnostics and output templates.
    fn name(&self) -> &str;
    /// Whether the field reads nothing but the event's raw record, its source format and its
    /// `time`, so it gives the same value before the record is normalized (see
    /// [`Expr::reads_raw_only`]).
    fn reads_raw_only(&self) -> bool {
        false
    }
}

/// A value test the built-in [`Test`]s do not cover (Falco `pmatch`, say); applied to one
/// scalar value.
pub trait ValueMatcher: Send + Sync + fmt::Debug {
    /// Whether `value` (never a list, never missing) passes.
    fn matches(&self, value: &FieldValue<'_>) -> bool;
    /// A short description for diagnostics.
    fn describe(&self) -> String;
}

/// How a predicate reads its field, resolved once at load time.
#[derive(Debug, Clone)]
pub enum Accessor {
    /// A field path: an OCSF attribute, a raw-record path or an `unmapped` path.
    Path(FieldPath),
    /// A computed field.
    Custom(Arc<dyn FieldExtractor>),
}

impl Accessor {
    /// The field's name, for diagnostics and output.
    pub fn name(&self) -> &str {
        match self {
            Accessor::Path(path) => path.as_str(),
            Accessor::Custom(custom) => custom.name(),
        }
    }

    /// Whether the field reads nothing but the event's raw record: a raw-record path, or a
    /// computed field that says so.
    pub fn reads_raw_only(&self) -> bool {
        match self {
            Accessor::Path(path) => path.raw_path().is_some(),
            Accessor::Custom(custom) => custom.reads_raw_only(),
        }
    }

    /// Reads the field on `event` (allocating where the event's path API does).
    pub fn get<'e>(&self, event: &'e Event<'_>) -> FieldValue<'e> {
        match self {
            Accessor::Path(path) => path.get(event),
            Accessor::Custom(custom) => custom.extract(event),
        }
    }
}

/// A function applied to a field's value before the test (Falco transformers, Sigma time
/// modifiers). Transforms apply in order; a transform that cannot apply to a value turns it
/// into `Missing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transform {
    /// Lower-case strings (Falco `tolower`).
    Lowercase,
    /// Upper-case strings (Falco `toupper`).
    Uppercase,
    /// Decode standard Base64 (Falco `b64`); undecodable or non-UTF-8 results become `Missing`.
    Base64Decode,
    /// The last `/`-separated component (Falco `basename`).
    Basename,
    /// Length: bytes of a string, elements of a list (Falco `len`).
    Length,
    /// A part of a timestamp (Sigma time modifiers): the value is read as a timestamp (number
    /// of milliseconds, or an RFC 3339 string) and replaced by the part, in UTC.
    TimePart(TimeUnit),
}

/// A part of a timestamp, for [`Transform::TimePart`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Minute of the hour, 0–59.
    Minute,
    /// Hour of the day, 0–23.
    Hour,
    /// Day of the month, 1–31.
    Day,
    /// ISO 8601 week of the year, 1–53.
    Week,
    /// Month, 1–12.
    Month,
    /// Year.
    Year,
}

/// How a predicate combines the values of a list-valued field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quantifier {
    /// The test passes when any value passes (the usual reading, Falco `intersects`).
    #[default]
    Any,
    /// The test passes when every value passes (Falco `in` on list fields).
    All,
}

/// Whether string tests ignore case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Case {
    /// Exact comparison (Falco's default, Sigma `|cased`).
    #[default]
    Sensitive,
    /// Case-insensitive comparison (Sigma's default, Falco `icontains`/`iglob`).
    Insensitive,
}

/// Whether a regular expression must match the whole value or any part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegexMode {
    /// The regex must match the whole value (Falco `regex`).
    FullMatch,
    /// The regex may match anywhere (Sigma `|re`).
    Search,
}

/// Flags of a regular expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RegexFlags {
    /// Case-insensitive (`i`).
    pub case_insensitive: bool,
    /// `^` and `$` match at line ends (`m`).
    pub multi_line: bool,
    /// `.` matches newlines (`s`).
    pub dot_all: bool,
}

/// How numbers compare with strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NumericCoercion {
    /// Strings holding a number (surrounding blanks allowed) compare as that number; other
    /// strings fail the test.
    #[default]
    ParseStrings,
    /// Only numeric values (and timestamps) compare; every string fails.
    NumbersOnly,
}

/// A numeric comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
}

impl CmpOp {
    /// Applies the operator to an ordering of `value` against the constant.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            CmpOp::Lt => ordering == Less,
            CmpOp::Le => ordering != Greater,
            CmpOp::Gt => ordering == Greater,
            CmpOp::Ge => ordering != Less,
            CmpOp::Eq => ordering == Equal,
            CmpOp::Ne => ordering != Equal,
        }
    }
}

/// A numeric constant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
}

/// A compiled string matcher.
#[derive(Debug, Clone)]
pub struct StrMatcher {
    pub(crate) kind: Box<StrKind>,
    pub(crate) text: Box<str>,
}

#[derive(Debug, Clone)]
pub(crate) enum StrKind {
    Equals(Box<str>),
    EqualsAsciiCi(Box<str>),
    StartsWith(Box<str>),
    StartsWithAsciiCi(Box<str>),
    EndsWith(Box<str>),
    EndsWithAsciiCi(Box<str>),
    Contains(Box<memmem::Finder<'static>>),
    /// One or many needles, ASCII case-insensitive or not; matches if any needle occurs (the
    /// needles are kept for the raw-bytes prefilter).
    ContainsAny(AhoCorasick, Box<[Box<str>]>),
    Regex(Regex),
    /// A case-sensitive regex every match of which contains `literal`: a value without the
    /// literal (found by a vectorized substring search) is ruled out before the regex runs
    /// (`.+:assumed-role/aws:.+`).
    GuardedRegex {
        /// The literal every match contains.
        literal: Box<memmem::Finder<'static>>,
        /// The regex.
        regex: Regex,
    },
    /// Set membership: values stored lower-cased when `insensitive`.
    Set {
        values: FastSet<Box<str>>,
        insensitive: bool,
        /// The same values when there are at most [`SMALL_SET`] of them (else empty): a few
        /// length checks and at most one comparison decide membership without hashing the
        /// value (`stage in (ResponseComplete)`, `verb in (create,update,patch)`).
        small: Box<[Box<str>]>,
    },
}

/// The most values a set test compares one by one instead of hashing the value.
const SMALL_SET: usize = 4;

fn regex_escape_ci(needle: &str, prefix: &str, suffix: &str) -> Result<Regex, RulesError> {
    let pattern = format!("(?is){prefix}{}{suffix}", regex::escape(needle));
    build_regex(&pattern, needle)
}

fn build_regex(pattern: &str, shown: &str) -> Result<Regex, RulesError> {
    RegexBuilder::new(pattern)
        .size_limit(1 << 24)
        .build()
        .map_err(|err| RulesError::Pattern {
            pattern: shown.to_owned(),
            reason: err.to_string(),
        })
}

impl StrMatcher {
    /// The value equals `needle`.
    pub fn equals(needle: &str, case: Case) -> Result<StrMatcher, RulesError> {
        let kind = match case {
            Case::Sensitive => StrKind::Equals(needle.into()),
            Case::Insensitive if needle.is_ascii() => StrKind::EqualsAsciiCi(needle.into()),
            Case::Insensitive => StrKind::Regex(regex_escape_ci(needle, r"\A", r"\z")?),
        };
        Ok(StrMatcher::new(kind, needle))
    }

    /// The value starts with `needle`.
    pub fn starts_with(needle: &str, case: Case) -> Result<StrMatcher, RulesError> {
        let kind = match case {
            Case::Sensitive => StrKind::StartsWith(needle.into()),
            Case::Insensitive if needle.is_ascii() => StrKind::StartsWithAsciiCi(needle.into()),
            Case::Insensitive => StrKind::Regex(regex_escape_ci(needle, r"\A", "")?),
        };
        Ok(StrMatcher::new(kind, needle))
    }

    /// The value ends with `needle`.
    pub fn ends_with(needle: &str, case: Case) -> Result<StrMatcher, RulesError> {
        let kind = match case {
            Case::Sensitive => StrKind::EndsWith(needle.into()),
            Case::Insensitive if needle.is_ascii() => StrKind::EndsWithAsciiCi(needle.into()),
            Case::Insensitive => StrKind::Regex(regex_escape_ci(needle, "", r"\z")?),
        };
        Ok(StrMatcher::new(kind, needle))
    }

    /// The value contains `needle`.
    pub fn contains(needle: &str, case: Case) -> Result<StrMatcher, RulesError> {
        match case {
            Case::Sensitive => Ok(StrMatcher::new(
                StrKind::Contains(Box::new(
                    memmem::Finder::new(needle.as_bytes()).into_owned(),
                )),
                needle,
            )),
            Case::Insensitive => StrMatcher::contains_any(&[needle], case),
        }
    }

    /// The value contains at least one of `needles` (one automaton for all of them).
    pub fn contains_any<S: AsRef<str>>(
        needles: &[S],
        case: Case,
    ) -> Result<StrMatcher, RulesError> {
        let shown = needles
            .iter()
            .map(|n| n.as_ref())
            .collect::<Vec<_>>()
            .join("|");
        let insensitive = case == Case::Insensitive;
        if insensitive && !needles.iter().all(|n| n.as_ref().is_ascii()) {
            let alternation = needles
                .iter()
                .map(|n| regex::escape(n.as_ref()))
                .collect::<Vec<_>>()
                .join("|");
            let regex = build_regex(&format!("(?is){alternation}"), &shown)?;
            return Ok(StrMatcher::new(StrKind::Regex(regex), &shown));
        }
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(insensitive)
            .match_kind(MatchKind::LeftmostFirst)
            .build(needles.iter().map(|n| n.as_ref().as_bytes()))
            .map_err(|err| RulesError::Pattern {
                pattern: shown.clone(),
                reason: err.to_string(),
            })?;
        let kept = needles.iter().map(|n| n.as_ref().into()).collect();
        Ok(StrMatcher::new(
            StrKind::ContainsAny(automaton, kept),
            &shown,
        ))
    }

    /// The value matches a glob: `*` any run of characters, `?` one character, `\` escapes
    /// the next character.
    pub fn glob(pattern: &str, case: Case) -> Result<StrMatcher, RulesError> {
        let mut regex = String::from(if case == Case::Insensitive {
            r"(?is)\A"
        } else {
            r"(?s)\A"
        });
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            match c {
                '*' => regex.push_str(".*"),
                '?' => regex.push('.'),
                '\\' => match chars.next() {
                    Some(next) => regex.push_str(&regex::escape(next.encode_utf8(&mut [0; 4]))),
                    None => regex.push_str(r"\\"),
                },
                other => regex.push_str(&regex::escape(other.encode_utf8(&mut [0; 4]))),
            }
        }
        regex.push_str(r"\z");
        Ok(StrMatcher::new(
            StrKind::Regex(build_regex(&regex, pattern)?),
            pattern,
        ))
    }

    /// The value matches a regular expression (the `regex` crate's syntax, linear time).
    pub fn regex(
        pattern: &str,
        mode: RegexMode,
        flags: RegexFlags,
    ) -> Result<StrMatcher, RulesError> {
        let body = match mode {
            RegexMode::FullMatch => format!(r"\A(?:{pattern})\z"),
            RegexMode::Search => pattern.to_owned(),
        };
        let regex = RegexBuilder::new(&body)
            .case_insensitive(flags.case_insensitive)
            .multi_line(flags.multi_line)
            .dot_matches_new_line(flags.dot_all)
            .size_limit(1 << 24)
            .build()
            .map_err(|err| RulesError::Pattern {
                pattern: pattern.to_owned(),
                reason: err.to_string(),
            })?;
        // The pattern's own literals are exact unless the builder folds case.
        let literal = (!flags.case_insensitive)
            .then(|| super::prefilter::required_literal(&body))
            .flatten();
        let kind = match literal {
            Some(literal) => StrKind::GuardedRegex {
                literal: Box::new(memmem::Finder::new(&literal).into_owned()),
                regex,
            },
            None => StrKind::Regex(regex),
        };
        Ok(StrMatcher::new(kind, pattern))
    }

    /// The value is one of `values` (a hash set; case-insensitive sets compare lower-cased).
    pub fn in_set<S: AsRef<str>>(values: &[S], case: Case) -> StrMatcher {
        let insensitive = case == Case::Insensitive;
        let set: FastSet<Box<str>> = values
            .iter()
            .map(|v| {
                if insensitive {
                    v.as_ref().to_lowercase().into()
                } else {
                    v.as_ref().into()
                }
            })
            .collect();
        let shown = values
            .iter()
            .map(|v| v.as_ref())
            .collect::<Vec<_>>()
            .join(", ");
        let small: Box<[Box<str>]> = if set.len() <= SMALL_SET {
            set.iter().cloned().collect()
        } else {
            Box::default()
        };
        StrMatcher::new(
            StrKind::Set {
                values: set,
                insensitive,
                small,
            },
            &format!("({shown})"),
        )
    }

    fn new(kind: StrKind, text: &str) -> StrMatcher {
        StrMatcher {
            kind: Box::new(kind),
            text: text.into(),
        }
    }

    /// The pattern as given, for diagnostics.
    pub fn pattern(&self) -> &str {
        &self.text
    }

    /// A text that is equal for two matchers exactly when they accept the same values, for
    /// the matchers whose every setting it can spell (`None` for automata and regexes, whose
    /// flags it cannot): the rule set evaluates equal tests on one field once per event.
    pub(crate) fn identity(&self) -> Option<String> {
        Some(match self.kind.as_ref() {
            StrKind::Equals(v) => format!("equals {v:?}"),
            StrKind::EqualsAsciiCi(v) => format!("equals-ci {v:?}"),
            StrKind::StartsWith(v) => format!("starts {v:?}"),
            StrKind::StartsWithAsciiCi(v) => format!("starts-ci {v:?}"),
            StrKind::EndsWith(v) => format!("ends {v:?}"),
            StrKind::EndsWithAsciiCi(v) => format!("ends-ci {v:?}"),
            StrKind::Contains(finder) => format!("contains {:?}", finder.needle()),
            StrKind::Set {
                values,
                insensitive,
                ..
            } => {
                let mut sorted: Vec<&str> = values.iter().map(AsRef::as_ref).collect();
                sorted.sort_unstable();
                format!("set {insensitive} {sorted:?}")
            }
            StrKind::ContainsAny(..) | StrKind::Regex(_) | StrKind::GuardedRegex { .. } => {
                return None;
            }
        })
    }

    /// The literal of a case-sensitive `contains` test of one literal; `None` for other
    /// matchers.
    pub(crate) fn contains_needle(&self) -> Option<&str> {
        match self.kind.as_ref() {
            StrKind::Contains(_) => Some(&self.text),
            _ => None,
        }
    }

    /// The exact values this matcher accepts when it is an equality or set test, lower-cased
    /// if it ignores case (the second item); `None` for other matchers. Used by the rule index.
    pub fn exact_values(&self) -> Option<(Vec<&str>, bool)> {
        match self.kind.as_ref() {
            StrKind::Equals(v) => Some((vec![v], false)),
            StrKind::EqualsAsciiCi(v) => Some((vec![v], true)),
            StrKind::Set {
                values,
                insensitive,
                ..
            } => Some((values.iter().map(|v| v.as_ref()).collect(), *insensitive)),
            _ => None,
        }
    }

    /// Whether `haystack` matches.
    pub fn is_match(&self, haystack: &str) -> bool {
        match self.kind.as_ref() {
            StrKind::Equals(n) => haystack == n.as_ref(),
            StrKind::EqualsAsciiCi(n) => haystack.eq_ignore_ascii_case(n),
            StrKind::StartsWith(n) => haystack.starts_with(n.as_ref()),
            StrKind::StartsWithAsciiCi(n) => haystack
                .as_bytes()
                .get(..n.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(n.as_bytes())),
            StrKind::EndsWith(n) => haystack.ends_with(n.as_ref()),
            StrKind::EndsWithAsciiCi(n) => haystack
                .len()
                .checked_sub(n.len())
                .and_then(|start| haystack.as_bytes().get(start..))
                .is_some_and(|tail| tail.eq_ignore_ascii_case(n.as_bytes())),
            StrKind::Contains(finder) => finder.find(haystack.as_bytes()).is_some(),
            StrKind::ContainsAny(automaton, _) => automaton.is_match(haystack),
            StrKind::Regex(regex) => regex.is_match(haystack),
            StrKind::GuardedRegex { literal, regex } => {
                literal.find(haystack.as_bytes()).is_some() && regex.is_match(haystack)
            }
            StrKind::Set {
                values,
                insensitive,
                small,
            } => {
                let member = |value: &str| {
                    if small.is_empty() {
                        values.contains(value)
                    } else {
                        small
                            .iter()
                            .any(|v| v.len() == value.len() && **v == *value)
                    }
                };
                if *insensitive {
                    with_lowercase(haystack, member)
                } else {
                    member(haystack)
                }
            }
        }
    }
}

/// Calls `f` with `text` lower-cased; short ASCII text is lower-cased on the stack.
pub(crate) fn with_lowercase<R>(text: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buffer = [0u8; 256];
    if let Some(lower) = ascii_lowercase(text, &mut buffer)
        && let Ok(lower) = std::str::from_utf8(lower)
    {
        return f(lower);
    }
    f(&text.to_lowercase())
}

/// `text` lower-cased into `buffer` when it is ASCII and fits; `None` otherwise. One pass
/// without an early exit, which the compiler vectorizes: each byte's case is folded, and
/// whether all were ASCII is checked once at the end.
pub(crate) fn ascii_lowercase<'b>(text: &str, buffer: &'b mut [u8; 256]) -> Option<&'b [u8]> {
    let bytes = text.as_bytes();
    let out = buffer.get_mut(..bytes.len())?;
    let mut all = 0u8;
    for (lower, &b) in out.iter_mut().zip(bytes) {
        all |= b;
        *lower = b | (u8::from(b.is_ascii_uppercase()) << 5);
    }
    all.is_ascii().then_some(out)
}

/// A test on one scalar value of a field.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Test {
    /// Passes for every present value (used for existence tests).
    Present,
    /// Passes for a `null` value (inside a list; a top-level `null` is decided by
    /// [`Predicate::if_null`]).
    IsNull,
    /// A string test. Non-string scalars are compared through their text form (`42`, `true`,
    /// compact JSON for objects); `null` fails.
    Str(StrMatcher),
    /// A numeric comparison; values that are not numbers (after coercion) fail.
    Num {
        /// The operator, `value OP constant`.
        op: CmpOp,
        /// The constant.
        value: Number,
        /// How strings are read.
        coercion: NumericCoercion,
    },
    /// A boolean equality: JSON booleans, and (with `coerce_strings`) the strings
    /// `true`/`false` in any case.
    Bool {
        /// The constant.
        value: bool,
        /// Whether strings `"true"`/`"false"` count.
        coerce_strings: bool,
    },
    /// The value is an IP address (or a string holding one) inside one of the networks.
    Cidr(Vec<IpNet>),
    /// The value equals (or, per `anchor`, starts with, ends with or contains) another field's
    /// value on the same event: compared as text (numbers in their JSON spelling); passes when
    /// any value of the other field matches. A missing or null other field fails.
    FieldRef {
        /// The other field.
        other: Accessor,
        /// Case sensitivity of the comparison.
        case: Case,
        /// Where the other field's value must sit in this field's value.
        anchor: Anchor,
    },
    /// A test written in code.
    Custom(Arc<dyn ValueMatcher>),
}

/// Where one text must sit inside another (Sigma's `|fieldref` combined with
/// `|startswith`, `|endswith` or `|contains`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Anchor {
    /// The whole value.
    #[default]
    Whole,
    /// A prefix.
    Start,
    /// A suffix.
    End,
    /// Anywhere.
    Anywhere,
}

impl Anchor {
    /// Whether `needle` sits in `haystack` at this anchor (exact bytes; fold case first for a
    /// case-insensitive test).
    #[must_use]
    pub fn holds(self, haystack: &str, needle: &str) -> bool {
        match self {
            Anchor::Whole => haystack == needle,
            Anchor::Start => haystack.starts_with(needle),
            Anchor::End => haystack.ends_with(needle),
            Anchor::Anywhere => haystack.contains(needle),
        }
    }
}

/// A field test: read a field, transform it, test its values.
///
/// The outcome for a field with no value is stated, not derived: [`Predicate::if_missing`]
/// when the field is absent, [`Predicate::if_null`] when it is `null`, [`Predicate::if_empty`]
/// when it is an empty list. These outcomes are final — [`Predicate::negate`] does not flip
/// them — so Falco's "every comparison on a missing field is false, `!=` included" and Sigma's
/// "`field: null` matches absent and null" are both one predicate.
#[derive(Debug, Clone)]
pub struct Predicate {
    /// The field.
    pub field: Accessor,
    /// Transforms applied in order before the test.
    pub transforms: Vec<Transform>,
    /// How values of a list-valued field combine.
    pub quantifier: Quantifier,
    /// The test on each scalar value.
    pub test: Test,
    /// Whether the test's result (after the quantifier) is inverted; `if_*` outcomes are not.
    pub negate: bool,
    /// The outcome when the field is absent.
    pub if_missing: bool,
    /// The outcome when the field is `null`.
    pub if_null: bool,
    /// The outcome when the field is an empty list.
    pub if_empty: bool,
}

impl Predicate {
    /// A predicate with the common defaults: no transform, any value, not negated, and
    /// `false` when the field is missing, null or an empty list.
    pub fn new(field: Accessor, test: Test) -> Predicate {
        Predicate {
            field,
            transforms: Vec::new(),
            quantifier: Quantifier::Any,
            test,
            negate: false,
            if_missing: false,
            if_null: false,
            if_empty: false,
        }
    }
}

/// Full-text search over a whole record (Sigma keywords).
///
/// For JSON records every string and number anywhere in the record is tested (numbers in their
/// JSON spelling); for text records the whole line is tested.
#[derive(Debug, Clone)]
pub struct KeywordSearch {
    /// The test applied to each value.
    pub matcher: StrMatcher,
}

/// A boolean expression over predicates.
#[derive(Debug, Clone)]
pub enum Expr {
    /// A constant.
    Const(bool),
    /// All children hold (empty: true).
    And(Vec<Expr>),
    /// At least one child holds (empty: false).
    Or(Vec<Expr>),
    /// The child does not hold.
    Not(Box<Expr>),
    /// A field test.
    Pred(Box<Predicate>),
    /// A full-text search.
    Keyword(Box<KeywordSearch>),
}

impl Expr {
    /// Whether the condition reads nothing but the event's raw record, source format and `time`
    /// (raw-record paths, computed fields over those, full-text search of the record), so it
    /// gives the same verdict on an event that is not normalized yet (which carries them) as
    /// on its normalized form.
    pub fn reads_raw_only(&self) -> bool {
        match self {
            Expr::Const(_) | Expr::Keyword(_) => true,
            Expr::And(children) | Expr::Or(children) => children.iter().all(Expr::reads_raw_only),
            Expr::Not(child) => child.reads_raw_only(),
            Expr::Pred(p) => {
                p.field.reads_raw_only()
                    && match &p.test {
                        Test::FieldRef { other, .. } => other.reads_raw_only(),
                        _ => true,
                    }
            }
        }
    }

    /// `And` of `children`, flattening nested `And`s and dropping `true`s.
    pub fn and(children: Vec<Expr>) -> Expr {
        let mut out = Vec::with_capacity(children.len());
        for child in children {
            match child {
                Expr::Const(true) => {}
                Expr::Const(false) => return Expr::Const(false),
                Expr::And(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Expr::Const(true),
            1 => out.pop().unwrap_or(Expr::Const(true)),
            _ => Expr::And(out),
        }
    }

    /// `Or` of `children`, flattening nested `Or`s and dropping `false`s.
    pub fn or(children: Vec<Expr>) -> Expr {
        let mut out = Vec::with_capacity(children.len());
        for child in children {
            match child {
                Expr::Const(false) => {}
                Expr::Const(true) => return Expr::Const(true),
                Expr::Or(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Expr::Const(false),
            1 => out.pop().unwrap_or(Expr::Const(false)),
            _ => Expr::Or(out),
        }
    }

    /// `Not` of `child`, folding constants and double negation.
    #[allow(clippy::should_implement_trait)]
    pub fn not(child: Expr) -> Expr {
        match child {
            Expr::Const(b) => Expr::Const(!b),
            Expr::Not(inner) => *inner,
            other => Expr::Not(Box::new(other)),
        }
    }

    /// A predicate expression.
    pub fn pred(predicate: Predicate) -> Expr {
        Expr::Pred(Box::new(predicate))
    }

    /// Calls `f` on every predicate in the tree.
    pub fn for_each_predicate<'s>(&'s self, f: &mut impl FnMut(&'s Predicate)) {
        match self {
            Expr::Const(_) | Expr::Keyword(_) => {}
            Expr::And(children) | Expr::Or(children) => {
                children.iter().for_each(|c| c.for_each_predicate(f))
            }
            Expr::Not(child) => child.for_each_predicate(f),
            Expr::Pred(p) => f(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Case, StrMatcher, ascii_lowercase, with_lowercase};

    /// Sets of up to four values are compared one by one, larger ones hashed: both accept
    /// exactly their values (lower-cased values for a case-insensitive set).
    #[test]
    fn small_and_large_sets_accept_exactly_their_values() {
        let small = StrMatcher::in_set(&["create", "update", "patch"], Case::Sensitive);
        let large = StrMatcher::in_set(
            &["create", "update", "patch", "delete", "get", "list"],
            Case::Sensitive,
        );
        for set in [&small, &large] {
            assert!(set.is_match("create"));
            assert!(set.is_match("patch"));
            for miss in ["Create", "creat", "createx", "", "watch"] {
                assert!(!set.is_match(miss), "{miss}");
            }
        }
        assert!(large.is_match("list"));
        assert!(!small.is_match("list"));
        let insensitive = StrMatcher::in_set(&["ResponseComplete"], Case::Insensitive);
        assert!(insensitive.is_match("responsecomplete"));
        assert!(insensitive.is_match("RESPONSECOMPLETE"));
        assert!(!insensitive.is_match("ResponseStarted"));
        let empty = StrMatcher::in_set::<&str>(&[], Case::Sensitive);
        assert!(!empty.is_match(""));
    }

    proptest! {
        #[test]
        fn ascii_text_is_lower_cased_as_std_does(text in "[ -~]{0,300}|.{0,40}") {
            let mut buffer = [0u8; 256];
            let lower = ascii_lowercase(&text, &mut buffer);
            let expected = text.to_ascii_lowercase();
            if text.is_ascii() && text.len() <= 256 {
                prop_assert_eq!(lower, Some(expected.as_bytes()));
            } else {
                prop_assert_eq!(lower, None);
            }
            prop_assert_eq!(with_lowercase(&text, str::to_owned), text.to_lowercase());
        }
    }
}
