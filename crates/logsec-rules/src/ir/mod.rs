//! The rule IR shared by both dialects, its compiler and its evaluator.
//!
//! A rule compiles to an [`Expr`]: `And` / `Or` / `Not` / `Const` over [`Predicate`]s and
//! [`KeywordSearch`]es. A predicate reads one field through an [`Accessor`] resolved at load time
//! (a [`logsec_event::FieldPath`] or a computed [`FieldExtractor`]), applies optional
//! [`Transform`]s, and runs a [`Test`] on each of its values, combined by a [`Quantifier`].
//!
//! **Missing and null are explicit.** Every predicate states its outcome for a missing field
//! ([`Predicate::if_missing`]), a `null` field ([`Predicate::if_null`]) and an empty list
//! ([`Predicate::if_empty`]); [`Predicate::negate`] flips only the test's result, never these
//! outcomes. Each front-end lowers its own semantics onto them: Falco sets all three to `false`
//! for every comparison, `!=` included (`negate = true`); Sigma's `field: null` is
//! `Test::IsNull` with `if_missing = if_null = true`.
//!
//! **Strings** are matched by a compiled [`StrMatcher`]: equals, contains (one needle or an
//! Aho-Corasick automaton of many), starts/ends with, glob, regex (full match or search, with
//! flags), set membership (a hash set). [`Case`] picks case sensitivity. Non-string values are
//! compared through their text form (`404`, `true`, compact JSON for objects).
//!
//! **Numbers** compare with [`CmpOp`] against a [`Number`]; [`NumericCoercion`] says whether
//! strings holding numbers count.
//!
//! A [`RuleSet`] holds [`CompiledRule`]s of any dialect, indexed by source format and by the
//! value of a discriminating field, and evaluates them with [`RuleSet::matches`] — no I/O, no
//! threads, no clock, no allocation in the common path.
//!
//! ```
//! use logsec_event::{ocsf, Dialect, Event, FieldPath, RawRecord, SourceFormat};
//! use logsec_rules::ir::{Accessor, Case, CompiledRule, Expr, Predicate, RuleSet, StrMatcher, Test};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let field = Accessor::Path(FieldPath::raw("eventName")?);
//! let test = Test::Str(StrMatcher::equals("DeleteTrail", Case::Insensitive)?);
//! let mut rule = CompiledRule::new("trail-deleted", Dialect::Sigma, Expr::pred(Predicate::new(field, test)));
//! rule.sources = vec![SourceFormat::Cloudtrail];
//! let rules = RuleSet::new(vec![rule]);
//!
//! let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::Cloudtrail);
//! event.raw = RawRecord::json(r#"{"eventName":"deletetrail"}"#);
//! let mut matches = Vec::new();
//! rules.matches(&event, &mut matches);
//! assert_eq!(matches.len(), 1);
//! # Ok(())
//! # }
//! ```

mod eval;
mod expr;
mod hash;
mod prefilter;
mod ruleset;

pub use self::expr::{
    Accessor, Anchor, Case, CmpOp, Expr, FieldExtractor, KeywordSearch, Number, NumericCoercion,
    Predicate, Quantifier, RegexFlags, RegexMode, StrMatcher, Test, TimeUnit, Transform,
    ValueMatcher,
};
pub use self::ruleset::{CompiledRule, OutputTemplate, RuleMatch, RuleSet};
