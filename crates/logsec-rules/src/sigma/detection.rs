//! Sigma detections (search identifiers, values, modifiers, conditions) → IR expressions.

use std::collections::HashMap;

use base64::Engine as _;
use ipnet::IpNet;
use serde_json::Value;

use super::condition::{self, Cond, CondError, Quantity};
use crate::error::RulesError;
use crate::ir::{
    Accessor, Anchor, Case, CmpOp, Expr, KeywordSearch, Number, NumericCoercion, Predicate,
    RegexFlags, RegexMode, StrMatcher, Test, TimeUnit, Transform,
};

/// Why a detection did not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CompileError {
    /// The rule is wrong.
    Invalid(String),
    /// The rule uses something logsec does not support (or a configuration gap).
    Unsupported(String),
}

impl From<RulesError> for CompileError {
    fn from(err: RulesError) -> Self {
        CompileError::Invalid(err.to_string())
    }
}

type Result<T> = std::result::Result<T, CompileError>;

fn invalid<T>(message: impl Into<String>) -> Result<T> {
    Err(CompileError::Invalid(message.into()))
}

/// A part of a Sigma string value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    /// `*`.
    Many,
    /// `?`.
    One,
}

/// A Sigma string value with its wildcards.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct SigmaString(Vec<Part>);

impl SigmaString {
    /// Parses wildcards and escapes as the spec's table says: `\*`, `\?`, `\\` are literal `*`,
    /// `?`, `\`; a backslash before anything else is a literal backslash.
    fn parse(text: &str) -> SigmaString {
        let mut out = SigmaString::default();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' => out.push_many(),
                '?' => out.0.push(Part::One),
                '\\' => match chars.peek() {
                    Some(&next @ ('*' | '?' | '\\')) => {
                        chars.next();
                        out.push_char(next);
                    }
                    _ => out.push_char('\\'),
                },
                c => out.push_char(c),
            }
        }
        out
    }

    fn plain(text: &str) -> SigmaString {
        let mut out = SigmaString::default();
        if !text.is_empty() {
            out.0.push(Part::Lit(text.to_owned()));
        }
        out
    }

    fn push_char(&mut self, c: char) {
        match self.0.last_mut() {
            Some(Part::Lit(s)) => s.push(c),
            _ => self.0.push(Part::Lit(c.to_string())),
        }
    }

    fn push_many(&mut self) {
        if self.0.last() != Some(&Part::Many) {
            self.0.push(Part::Many);
        }
    }

    fn as_plain(&self) -> Option<String> {
        match self.0.as_slice() {
            [] => Some(String::new()),
            [Part::Lit(s)] => Some(s.clone()),
            _ => None,
        }
    }

    fn wrap(&mut self, start: bool, end: bool) {
        if start && self.0.first() != Some(&Part::Many) {
            self.0.insert(0, Part::Many);
        }
        if end && self.0.last() != Some(&Part::Many) {
            self.0.push(Part::Many);
        }
    }

    /// The glob form understood by [`StrMatcher::glob`].
    fn to_glob(&self) -> String {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Many => out.push('*'),
                Part::One => out.push('?'),
                Part::Lit(s) => {
                    for c in s.chars() {
                        if matches!(c, '*' | '?' | '\\') {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                }
            }
        }
        out
    }
}

/// What a Sigma string asks of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    /// `*`: any present value.
    Anything,
    Glob(String),
}

fn classify(s: &SigmaString) -> Pattern {
    match s.0.as_slice() {
        [] => Pattern::Exact(String::new()),
        [Part::Many] => Pattern::Anything,
        [Part::Lit(l)] => Pattern::Exact(l.clone()),
        [Part::Lit(l), Part::Many] => Pattern::Prefix(l.clone()),
        [Part::Many, Part::Lit(l)] => Pattern::Suffix(l.clone()),
        [Part::Many, Part::Lit(l), Part::Many] => Pattern::Contains(l.clone()),
        _ => Pattern::Glob(s.to_glob()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Base64,
    Base64Offset,
    Utf16Le,
    Utf16Be,
    Utf16,
    Windash,
}

#[derive(Debug, Default)]
struct Modifiers {
    position: Option<Position>,
    all: bool,
    cased: bool,
    re: bool,
    re_flags: RegexFlags,
    re_flag_given: bool,
    cidr: bool,
    exists: bool,
    cmp: Option<CmpOp>,
    neq: bool,
    fieldref: bool,
    expand: bool,
    time: Option<TimeUnit>,
    encodings: Vec<Encoding>,
}

fn parse_modifiers<'m>(names: impl Iterator<Item = &'m str>) -> Result<Modifiers> {
    let mut m = Modifiers::default();
    for name in names {
        let position = |m: &mut Modifiers, p| {
            if m.position.is_some() {
                return invalid("only one of contains / startswith / endswith may be used");
            }
            m.position = Some(p);
            Ok(())
        };
        let cmp = |m: &mut Modifiers, op| {
            if m.cmp.is_some() {
                return invalid("only one numeric comparison modifier may be used");
            }
            m.cmp = Some(op);
            Ok(())
        };
        match name {
            "contains" => position(&mut m, Position::Contains)?,
            "startswith" => position(&mut m, Position::StartsWith)?,
            "endswith" => position(&mut m, Position::EndsWith)?,
            "all" => m.all = true,
            "cased" => m.cased = true,
            "re" => m.re = true,
            "i" => {
                m.re_flags.case_insensitive = true;
                m.re_flag_given = true;
            }
            "m" => {
                m.re_flags.multi_line = true;
                m.re_flag_given = true;
            }
            "s" => {
                m.re_flags.dot_all = true;
                m.re_flag_given = true;
            }
            "cidr" => m.cidr = true,
            "exists" => m.exists = true,
            "gt" => cmp(&mut m, CmpOp::Gt)?,
            "gte" => cmp(&mut m, CmpOp::Ge)?,
            "lt" => cmp(&mut m, CmpOp::Lt)?,
            "lte" => cmp(&mut m, CmpOp::Le)?,
            "neq" => m.neq = true,
            "fieldref" => m.fieldref = true,
            "expand" => m.expand = true,
            "minute" => m.time = Some(TimeUnit::Minute),
            "hour" => m.time = Some(TimeUnit::Hour),
            "day" => m.time = Some(TimeUnit::Day),
            "week" => m.time = Some(TimeUnit::Week),
            "month" => m.time = Some(TimeUnit::Month),
            "year" => m.time = Some(TimeUnit::Year),
            "base64" => m.encodings.push(Encoding::Base64),
            "base64offset" => m.encodings.push(Encoding::Base64Offset),
            "utf16le" | "wide" => m.encodings.push(Encoding::Utf16Le),
            "utf16be" => m.encodings.push(Encoding::Utf16Be),
            "utf16" => m.encodings.push(Encoding::Utf16),
            "windash" => m.encodings.push(Encoding::Windash),
            other => {
                return Err(CompileError::Unsupported(format!(
                    "unknown value modifier |{other}"
                )));
            }
        }
    }
    if m.re_flag_given && !m.re {
        return invalid("regex flags |i, |m, |s need |re");
    }
    let kinds = [m.re, m.cidr, m.exists, m.cmp.is_some(), m.fieldref]
        .iter()
        .filter(|b| **b)
        .count();
    if kinds > 1 {
        return invalid(
            "|re, |cidr, |exists, |fieldref and numeric comparisons exclude each other",
        );
    }
    if kinds == 1 && (m.position.is_some() && !m.fieldref || !m.encodings.is_empty()) {
        return invalid(
            "|contains/|startswith/|endswith and encodings apply to string matches only \
             (the position modifiers also combine with |fieldref)",
        );
    }
    if m.fieldref && m.expand {
        return invalid("|expand does not combine with |fieldref (its value is a field name)");
    }
    Ok(m)
}

/// Compiles the detections of one rule for one field mapping.
pub(crate) struct DetectionCompiler<'c> {
    /// Sigma field name → accessor (the mapping of the target format).
    pub(crate) resolve: &'c mut dyn FnMut(&str) -> std::result::Result<Accessor, RulesError>,
    /// `%name%` placeholder values for `|expand`.
    pub(crate) placeholders: &'c HashMap<String, Vec<String>>,
    /// Warnings collected on the way.
    pub(crate) warnings: &'c mut Vec<String>,
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl DetectionCompiler<'_> {
    /// Compiles identifiers and the condition(s) into one expression.
    pub(crate) fn compile(
        &mut self,
        identifiers: &[(String, Value)],
        conditions: &[String],
    ) -> Result<Expr> {
        let mut compiled: Vec<(String, Expr)> = Vec::with_capacity(identifiers.len());
        for (name, value) in identifiers {
            let expr = self
                .identifier(value)
                .map_err(|err| prefix_error(err, &format!("search identifier {name:?}: ")))?;
            compiled.push((name.clone(), expr));
        }
        let mut alternatives = Vec::with_capacity(conditions.len());
        for text in conditions {
            let cond = condition::parse(text).map_err(|err| match err {
                CondError::LegacyAggregation(agg) => CompileError::Unsupported(format!(
                    "legacy Sigma 1 aggregation `| {agg}` in the condition (Sigma 2 expresses \
                     this as a correlation rule)"
                )),
                CondError::Syntax(message) => {
                    CompileError::Invalid(format!("condition {text:?}: {message}"))
                }
            })?;
            alternatives.push(lower_condition(&cond, &compiled)?);
        }
        Ok(Expr::or(alternatives))
    }

    fn identifier(&mut self, value: &Value) -> Result<Expr> {
        match value {
            Value::Object(map) => self.map(map),
            Value::Array(items) if items.iter().all(Value::is_object) => {
                let mut alternatives = Vec::with_capacity(items.len());
                for item in items {
                    if let Value::Object(map) = item {
                        alternatives.push(self.map(map)?);
                    }
                }
                Ok(Expr::or(alternatives))
            }
            Value::Array(items) => {
                let values: Vec<&Value> = items.iter().collect();
                self.keywords(&values, &Modifiers::default())
            }
            Value::String(_) | Value::Number(_) => self.keywords(&[value], &Modifiers::default()),
            Value::Null | Value::Bool(_) => {
                invalid("a search identifier must be a map, a list of maps or a list of values")
            }
        }
    }

    fn map(&mut self, map: &serde_json::Map<String, Value>) -> Result<Expr> {
        let mut terms = Vec::with_capacity(map.len());
        for (key, value) in map {
            let term = self
                .entry(key, value)
                .map_err(|err| prefix_error(err, &format!("{key:?}: ")))?;
            terms.push(term);
        }
        Ok(Expr::and(terms))
    }

    fn entry(&mut self, key: &str, value: &Value) -> Result<Expr> {
        let mut parts = key.split('|');
        let field = parts.next().unwrap_or_default();
        let mods = parse_modifiers(parts)?;
        let values: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        if field.is_empty() {
            return self.keywords(&values, &mods);
        }
        if mods.all && values.len() == 1 {
            self.warnings.push(format!(
                "{key:?}: |all on a single value (the spec forbids it; it has no effect)"
            ));
        }
        let accessor = (self.resolve)(field)?;
        if mods.exists {
            return exists(accessor, &values);
        }
        if mods.fieldref {
            return self.fieldref(accessor, &values, &mods);
        }
        if mods.cmp.is_some() || mods.time.is_some() {
            return numeric(accessor, &values, &mods);
        }
        if mods.cidr {
            return cidr(accessor, &values, &mods);
        }
        if mods.re {
            return regex(accessor, &values, &mods);
        }
        self.strings(accessor, &values, &mods)
    }

    fn fieldref(
        &mut self,
        accessor: Accessor,
        values: &[&Value],
        mods: &Modifiers,
    ) -> Result<Expr> {
        let case = if mods.cased {
            Case::Sensitive
        } else {
            Case::Insensitive
        };
        let mut terms = Vec::with_capacity(values.len());
        for value in values {
            let Some(other) = scalar_text(value) else {
                return invalid("|fieldref needs field names");
            };
            let other = (self.resolve)(&other)?;
            let anchor = match mods.position {
                None => Anchor::Whole,
                Some(Position::StartsWith) => Anchor::Start,
                Some(Position::EndsWith) => Anchor::End,
                Some(Position::Contains) => Anchor::Anywhere,
            };
            let mut p = Predicate::new(
                accessor.clone(),
                Test::FieldRef {
                    other,
                    case,
                    anchor,
                },
            );
            p.negate = mods.neq;
            terms.push(Expr::pred(p));
        }
        Ok(link(terms, mods.all || mods.neq))
    }

    /// Raw string values → Sigma strings, after `|expand` and the encodings.
    fn sigma_strings(&mut self, values: &[&Value], mods: &Modifiers) -> Result<Vec<SigmaString>> {
        let mut out = Vec::with_capacity(values.len());
        for value in values {
            let Some(text) = scalar_text(value) else {
                return invalid(format!("value {value} is not a string or number"));
            };
            let texts = if mods.expand {
                expand(&text, self.placeholders)?
            } else {
                vec![text]
            };
            for text in texts {
                let mut current = vec![Encoded::Text(SigmaString::parse(&text))];
                for encoding in &mods.encodings {
                    current = apply_encoding(*encoding, current)?;
                }
                for encoded in current {
                    let mut s = match encoded {
                        Encoded::Text(s) => s,
                        Encoded::Bytes(bytes) => SigmaString::plain(
                            &bytes.iter().map(|&b| char::from(b)).collect::<String>(),
                        ),
                    };
                    match mods.position {
                        Some(Position::Contains) => s.wrap(true, true),
                        Some(Position::StartsWith) => s.wrap(false, true),
                        Some(Position::EndsWith) => s.wrap(true, false),
                        None => {}
                    }
                    out.push(s);
                }
            }
        }
        Ok(out)
    }

    fn strings(&mut self, accessor: Accessor, values: &[&Value], mods: &Modifiers) -> Result<Expr> {
        let case = if mods.cased {
            Case::Sensitive
        } else {
            Case::Insensitive
        };
        let nulls = values.iter().filter(|v| v.is_null()).count();
        let non_null: Vec<&Value> = values.iter().copied().filter(|v| !v.is_null()).collect();
        if nulls > 0 && (!mods.encodings.is_empty() || mods.position.is_some() || mods.expand) {
            return invalid("null cannot take value modifiers");
        }
        let strings = self.sigma_strings(&non_null, mods)?;
        let patterns: Vec<Pattern> = strings.iter().map(classify).collect();
        let mut terms = Vec::new();
        if nulls > 0 {
            let mut p = Predicate::new(accessor.clone(), Test::IsNull);
            p.if_missing = true;
            p.if_null = true;
            p.negate = mods.neq;
            if mods.neq {
                // "differs from null": a present, non-null value.
                p = Predicate::new(accessor.clone(), Test::Present);
            }
            terms.push(Expr::pred(p));
        }
        let and_link = mods.all || mods.neq;
        if and_link {
            for pattern in &patterns {
                terms.push(self.pattern_predicate(
                    &accessor,
                    std::slice::from_ref(pattern),
                    case,
                    mods.neq,
                )?);
            }
            return Ok(Expr::and(terms));
        }
        // OR-linked: one set for exact values, one automaton for substrings, the rest alone.
        let exact: Vec<Pattern> = patterns
            .iter()
            .filter(|p| matches!(p, Pattern::Exact(_)))
            .cloned()
            .collect();
        let contains: Vec<Pattern> = patterns
            .iter()
            .filter(|p| matches!(p, Pattern::Contains(_)))
            .cloned()
            .collect();
        if !exact.is_empty() {
            terms.push(self.pattern_predicate(&accessor, &exact, case, false)?);
        }
        if !contains.is_empty() {
            terms.push(self.pattern_predicate(&accessor, &contains, case, false)?);
        }
        for pattern in &patterns {
            if !matches!(pattern, Pattern::Exact(_) | Pattern::Contains(_)) {
                terms.push(self.pattern_predicate(
                    &accessor,
                    std::slice::from_ref(pattern),
                    case,
                    false,
                )?);
            }
        }
        Ok(Expr::or(terms))
    }

    /// One predicate for patterns of one kind (several only for `Exact` and `Contains`).
    fn pattern_predicate(
        &mut self,
        accessor: &Accessor,
        patterns: &[Pattern],
        case: Case,
        negate: bool,
    ) -> Result<Expr> {
        let test = pattern_test(patterns, case)?;
        let mut p = Predicate::new(accessor.clone(), test);
        p.negate = negate;
        Ok(Expr::pred(p))
    }

    fn keywords(&mut self, values: &[&Value], mods: &Modifiers) -> Result<Expr> {
        if mods.exists
            || mods.fieldref
            || mods.cidr
            || mods.cmp.is_some()
            || mods.time.is_some()
            || mods.neq
        {
            return Err(CompileError::Unsupported(
                "keyword values (no field name) take only string modifiers".into(),
            ));
        }
        let case = if mods.cased {
            Case::Sensitive
        } else {
            Case::Insensitive
        };
        let mut searches = Vec::new();
        if mods.re {
            for value in values {
                let Some(text) = scalar_text(value) else {
                    return invalid("keyword values must be strings");
                };
                let matcher = StrMatcher::regex(&text, RegexMode::Search, mods.re_flags)
                    .map_err(unsupported_regex)?;
                searches.push(keyword(matcher));
            }
            return Ok(link(searches, mods.all));
        }
        let mut keyword_mods = Modifiers {
            position: Some(Position::Contains),
            expand: mods.expand,
            encodings: mods.encodings.clone(),
            ..Modifiers::default()
        };
        keyword_mods.cased = mods.cased;
        let strings = self.sigma_strings(values, &keyword_mods)?;
        let patterns: Vec<Pattern> = strings.iter().map(classify).collect();
        if mods.all {
            for pattern in &patterns {
                searches.push(keyword(pattern_matcher(
                    std::slice::from_ref(pattern),
                    case,
                )?));
            }
            return Ok(Expr::and(searches));
        }
        let contains: Vec<Pattern> = patterns
            .iter()
            .filter(|p| matches!(p, Pattern::Contains(_)))
            .cloned()
            .collect();
        if !contains.is_empty() {
            searches.push(keyword(pattern_matcher(&contains, case)?));
        }
        for pattern in patterns
            .iter()
            .filter(|p| !matches!(p, Pattern::Contains(_)))
        {
            searches.push(keyword(pattern_matcher(
                std::slice::from_ref(pattern),
                case,
            )?));
        }
        Ok(Expr::or(searches))
    }
}

fn keyword(matcher: StrMatcher) -> Expr {
    Expr::Keyword(Box::new(KeywordSearch { matcher }))
}

fn link(terms: Vec<Expr>, and: bool) -> Expr {
    if and {
        Expr::and(terms)
    } else {
        Expr::or(terms)
    }
}

fn prefix_error(err: CompileError, prefix: &str) -> CompileError {
    match err {
        CompileError::Invalid(m) => CompileError::Invalid(format!("{prefix}{m}")),
        CompileError::Unsupported(m) => CompileError::Unsupported(format!("{prefix}{m}")),
    }
}

fn unsupported_regex(err: RulesError) -> CompileError {
    CompileError::Unsupported(format!(
        "regular expression not supported by the linear-time engine: {err}"
    ))
}

fn pattern_test(patterns: &[Pattern], case: Case) -> Result<Test> {
    if let [Pattern::Anything] = patterns {
        return Ok(Test::Present);
    }
    Ok(Test::Str(pattern_matcher(patterns, case)?))
}

fn pattern_matcher(patterns: &[Pattern], case: Case) -> Result<StrMatcher> {
    let all_exact: Option<Vec<&str>> = patterns
        .iter()
        .map(|p| match p {
            Pattern::Exact(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    if let Some(values) = all_exact
        && values.len() > 1
    {
        return Ok(StrMatcher::in_set(&values, case));
    }
    let all_contains: Option<Vec<&str>> = patterns
        .iter()
        .map(|p| match p {
            Pattern::Contains(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    if let Some(values) = all_contains
        && values.len() > 1
    {
        return Ok(StrMatcher::contains_any(&values, case)?);
    }
    let [pattern] = patterns else {
        return invalid("internal: mixed pattern group");
    };
    Ok(match pattern {
        Pattern::Exact(s) => StrMatcher::equals(s, case)?,
        Pattern::Prefix(s) => StrMatcher::starts_with(s, case)?,
        Pattern::Suffix(s) => StrMatcher::ends_with(s, case)?,
        Pattern::Contains(s) => StrMatcher::contains(s, case)?,
        Pattern::Anything => StrMatcher::glob("*", case)?,
        Pattern::Glob(g) => StrMatcher::glob(g, case)?,
    })
}

fn exists(accessor: Accessor, values: &[&Value]) -> Result<Expr> {
    let wanted = match values {
        [Value::Bool(b)] => *b,
        [Value::String(s)] if s.eq_ignore_ascii_case("true") => true,
        [Value::String(s)] if s.eq_ignore_ascii_case("false") => false,
        _ => return invalid("|exists takes one boolean"),
    };
    // Presence only: a null value is present (spec: "not its value, be it empty or null").
    let mut p = Predicate::new(accessor, Test::Present);
    p.if_null = true;
    p.if_empty = true;
    let present = Expr::pred(p);
    Ok(if wanted { present } else { Expr::not(present) })
}

fn number(value: &Value) -> Option<Number> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .map(Number::Int)
            .or_else(|| n.as_f64().map(Number::Float)),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map(Number::Int)
            .ok()
            .or_else(|| s.trim().parse::<f64>().ok().map(Number::Float)),
        _ => None,
    }
}

fn numeric(accessor: Accessor, values: &[&Value], mods: &Modifiers) -> Result<Expr> {
    let op = match (mods.cmp, mods.neq) {
        (Some(op), _) => op,
        (None, true) => CmpOp::Ne,
        (None, false) => CmpOp::Eq,
    };
    let mut terms = Vec::with_capacity(values.len());
    for value in values {
        let Some(constant) = number(value) else {
            return invalid(format!("{value} is not a number"));
        };
        let mut p = Predicate::new(
            accessor.clone(),
            Test::Num {
                op,
                value: constant,
                coercion: NumericCoercion::ParseStrings,
            },
        );
        if let Some(unit) = mods.time {
            p.transforms.push(Transform::TimePart(unit));
        }
        terms.push(Expr::pred(p));
    }
    Ok(link(terms, mods.all || op == CmpOp::Ne))
}

fn cidr(accessor: Accessor, values: &[&Value], mods: &Modifiers) -> Result<Expr> {
    let mut nets = Vec::with_capacity(values.len());
    for value in values {
        let Some(text) = scalar_text(value) else {
            return invalid("|cidr takes network strings");
        };
        let net = text
            .parse::<IpNet>()
            .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
            .map_err(|_| CompileError::Invalid(format!("{text:?} is not a CIDR network")))?;
        nets.push(net);
    }
    let predicate = |nets: Vec<IpNet>| {
        let mut p = Predicate::new(accessor.clone(), Test::Cidr(nets));
        p.negate = mods.neq;
        Expr::pred(p)
    };
    if mods.all || mods.neq {
        Ok(Expr::and(
            nets.into_iter().map(|n| predicate(vec![n])).collect(),
        ))
    } else {
        Ok(predicate(nets))
    }
}

fn regex(accessor: Accessor, values: &[&Value], mods: &Modifiers) -> Result<Expr> {
    let mut terms = Vec::with_capacity(values.len());
    for value in values {
        let Some(text) = scalar_text(value) else {
            return invalid("|re takes strings");
        };
        let matcher = StrMatcher::regex(&text, RegexMode::Search, mods.re_flags)
            .map_err(unsupported_regex)?;
        let mut p = Predicate::new(accessor.clone(), Test::Str(matcher));
        p.negate = mods.neq;
        terms.push(Expr::pred(p));
    }
    Ok(link(terms, mods.all || mods.neq))
}

/// Replaces `%name%` placeholders with every configured value (cartesian product over several
/// placeholders). `\%` is a literal percent sign.
fn expand(text: &str, placeholders: &HashMap<String, Vec<String>>) -> Result<Vec<String>> {
    let mut results = vec![String::new()];
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("\\%") {
            results.iter_mut().for_each(|r| r.push('%'));
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix('%')
            && let Some(end) = after.find('%')
            && let Some(name) = after.get(..end)
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            let Some(values) = placeholders.get(name) else {
                return Err(CompileError::Unsupported(format!(
                    "placeholder %{name}% has no value in the configuration"
                )));
            };
            let mut next = Vec::with_capacity(results.len() * values.len());
            for prefix in &results {
                for value in values {
                    next.push(format!("{prefix}{value}"));
                }
            }
            if next.len() > 10_000 {
                return invalid("placeholder expansion yields more than 10000 values");
            }
            results = next;
            rest = after.get(end + 1..).unwrap_or_default();
            continue;
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            results.iter_mut().for_each(|r| r.push(c));
        }
        rest = chars.as_str();
    }
    Ok(results)
}

#[derive(Debug, Clone)]
enum Encoded {
    Text(SigmaString),
    Bytes(Vec<u8>),
}

fn plain_bytes(value: &Encoded, what: &str) -> Result<Vec<u8>> {
    match value {
        Encoded::Bytes(b) => Ok(b.clone()),
        Encoded::Text(s) => match s.as_plain() {
            Some(text) => Ok(text.into_bytes()),
            None => invalid(format!("|{what} cannot encode a value with wildcards")),
        },
    }
}

fn apply_encoding(encoding: Encoding, values: Vec<Encoded>) -> Result<Vec<Encoded>> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = Vec::with_capacity(values.len());
    for value in values {
        match encoding {
            Encoding::Base64 => {
                let bytes = plain_bytes(&value, "base64")?;
                out.push(Encoded::Text(SigmaString::plain(&b64.encode(bytes))));
            }
            Encoding::Base64Offset => {
                let bytes = plain_bytes(&value, "base64offset")?;
                // The three alignments of the value inside a longer Base64 text, with the
                // characters that depend on neighbouring bytes cut off (pySigma's table).
                const START: [usize; 3] = [0, 2, 3];
                const END_CUT: [usize; 3] = [0, 3, 2];
                for shift in 0..3 {
                    let mut padded = vec![b' '; shift];
                    padded.extend_from_slice(&bytes);
                    let encoded = b64.encode(&padded);
                    let cut = END_CUT.get((bytes.len() + shift) % 3).copied().unwrap_or(0);
                    let start = START.get(shift).copied().unwrap_or(0);
                    let end = encoded.len().saturating_sub(cut);
                    if let Some(slice) = encoded.get(start..end.max(start)) {
                        out.push(Encoded::Text(SigmaString::plain(slice)));
                    }
                }
            }
            Encoding::Utf16Le | Encoding::Utf16Be | Encoding::Utf16 => {
                let bytes = plain_bytes(&value, "utf16")?;
                let text = String::from_utf8_lossy(&bytes);
                let mut encoded = Vec::with_capacity(bytes.len() * 2 + 2);
                if encoding == Encoding::Utf16 {
                    encoded.extend_from_slice(&[0xFF, 0xFE]);
                }
                for unit in text.encode_utf16() {
                    let pair = if encoding == Encoding::Utf16Be {
                        unit.to_be_bytes()
                    } else {
                        unit.to_le_bytes()
                    };
                    encoded.extend_from_slice(&pair);
                }
                out.push(Encoded::Bytes(encoded));
            }
            Encoding::Windash => match value {
                Encoded::Text(s) => out.extend(windash(&s)?.into_iter().map(Encoded::Text)),
                Encoded::Bytes(_) => return invalid("|windash must come before encodings"),
            },
        }
    }
    Ok(out)
}

const DASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

/// Every variant of `s` with each command-line flag dash (`-` or `/` at the start of a word,
/// followed by a word character) replaced by each of the five dash characters.
fn windash(s: &SigmaString) -> Result<Vec<SigmaString>> {
    let mut variants = vec![SigmaString::default()];
    let mut previous_is_word = false;
    for part in &s.0 {
        match part {
            Part::Lit(lit) => {
                let chars: Vec<char> = lit.chars().collect();
                for (index, &c) in chars.iter().enumerate() {
                    let next_is_word = chars
                        .get(index + 1)
                        .is_some_and(|n| n.is_alphanumeric() || *n == '_');
                    if (c == '-' || c == '/') && !previous_is_word && next_is_word {
                        let mut next = Vec::with_capacity(variants.len() * DASHES.len());
                        for variant in &variants {
                            for dash in DASHES {
                                let mut v = variant.clone();
                                v.push_char(dash);
                                next.push(v);
                            }
                        }
                        if next.len() > 5usize.pow(5) {
                            return Err(CompileError::Unsupported(
                                "|windash on a value with more than five flags".into(),
                            ));
                        }
                        variants = next;
                    } else {
                        variants.iter_mut().for_each(|v| v.push_char(c));
                    }
                    previous_is_word = c.is_alphanumeric() || c == '_';
                }
            }
            Part::Many => {
                variants.iter_mut().for_each(SigmaString::push_many);
                previous_is_word = false;
            }
            Part::One => {
                variants.iter_mut().for_each(|v| v.0.push(Part::One));
                previous_is_word = false;
            }
        }
    }
    Ok(variants)
}

/// Lowers a condition tree over compiled identifiers.
fn lower_condition(cond: &Cond, identifiers: &[(String, Expr)]) -> Result<Expr> {
    Ok(match cond {
        Cond::Ident(name) => match identifiers.iter().find(|(n, _)| n == name) {
            Some((_, expr)) => expr.clone(),
            None => {
                return invalid(format!(
                    "condition names unknown search identifier {name:?}"
                ));
            }
        },
        Cond::Of(quantity, pattern) => {
            let selected: Vec<Expr> = identifiers
                .iter()
                .filter(|(name, _)| match pattern {
                    None => !name.starts_with('_'),
                    Some(p) => {
                        condition::pattern_matches(p, name)
                            && (p.starts_with('_') || !name.starts_with('_'))
                    }
                })
                .map(|(_, expr)| expr.clone())
                .collect();
            if selected.is_empty() {
                return invalid(format!(
                    "`of {}` matches no search identifier",
                    pattern.as_deref().unwrap_or("them")
                ));
            }
            match quantity {
                Quantity::One => Expr::or(selected),
                Quantity::All => Expr::and(selected),
            }
        }
        Cond::And(a, b) => Expr::and(vec![
            lower_condition(a, identifiers)?,
            lower_condition(b, identifiers)?,
        ]),
        Cond::Or(a, b) => Expr::or(vec![
            lower_condition(a, identifiers)?,
            lower_condition(b, identifiers)?,
        ]),
        Cond::Not(a) => Expr::not(lower_condition(a, identifiers)?),
    })
}

/// The field names an identifier's keys use (for mapping them before compiling), including
/// `|fieldref` targets.
pub(crate) fn fields_used(identifiers: &[(String, Value)], out: &mut Vec<String>) {
    fn visit(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    let mut parts = key.split('|');
                    let field = parts.next().unwrap_or_default();
                    if !field.is_empty() && !out.iter().any(|f| f == field) {
                        out.push(field.to_owned());
                    }
                    if parts.any(|m| m == "fieldref") {
                        let targets: Vec<&Value> = match v {
                            Value::Array(items) => items.iter().collect(),
                            other => vec![other],
                        };
                        for t in targets {
                            if let Some(t) = scalar_text(t)
                                && !out.contains(&t)
                            {
                                out.push(t);
                            }
                        }
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| visit(i, out)),
            _ => {}
        }
    }
    for (_, value) in identifiers {
        visit(value, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_spec_table() {
        assert_eq!(
            classify(&SigmaString::parse(r"a\*b")),
            Pattern::Exact("a*b".into())
        );
        assert_eq!(
            classify(&SigmaString::parse(r"a\?")),
            Pattern::Exact("a?".into())
        );
        assert_eq!(
            classify(&SigmaString::parse(r"C:\Windows")),
            Pattern::Exact(r"C:\Windows".into())
        );
        assert_eq!(
            classify(&SigmaString::parse(r"a\\*")),
            Pattern::Prefix(r"a\".into())
        );
        assert_eq!(
            classify(&SigmaString::parse(r"a\\\*")),
            Pattern::Exact(r"a\*".into())
        );
        assert_eq!(
            classify(&SigmaString::parse(r"a\\\")),
            Pattern::Exact(r"a\\".into())
        );
        assert_eq!(
            classify(&SigmaString::parse(r"a\\\\")),
            Pattern::Exact(r"a\\".into())
        );
        assert_eq!(
            classify(&SigmaString::parse("*x*")),
            Pattern::Contains("x".into())
        );
        assert_eq!(
            classify(&SigmaString::parse("a*b")),
            Pattern::Glob("a*b".into())
        );
        assert_eq!(classify(&SigmaString::parse("**")), Pattern::Anything);
    }

    #[test]
    fn base64offset_matches_pysigma() {
        let out = apply_encoding(
            Encoding::Base64Offset,
            vec![Encoded::Text(SigmaString::plain("/bin/bash"))],
        )
        .unwrap();
        let texts: Vec<String> = out
            .into_iter()
            .map(|e| match e {
                Encoded::Text(s) => s.as_plain().unwrap(),
                Encoded::Bytes(_) => unreachable!(),
            })
            .collect();
        // The values pySigma documents for `/bin/bash`.
        assert_eq!(texts, ["L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"]);
    }

    #[test]
    fn windash_permutes_flag_dashes_only() {
        let variants = windash(&SigmaString::parse("net user /add -x a-b")).unwrap();
        assert_eq!(variants.len(), 25);
        assert!(variants.contains(&SigmaString::plain("net user \u{2013}add /x a-b")));
    }

    #[test]
    fn expand_needs_every_placeholder() {
        let mut config = HashMap::new();
        config.insert(
            "Admins".to_owned(),
            vec!["root".to_owned(), "adm".to_owned()],
        );
        assert_eq!(expand("%Admins%-x", &config).unwrap(), ["root-x", "adm-x"]);
        assert_eq!(expand(r"100\%", &config).unwrap(), ["100%"]);
        assert!(matches!(
            expand("%Missing%", &config),
            Err(CompileError::Unsupported(m)) if m.contains("%Missing%")
        ));
    }
}
