//! The evaluator: expressions against events, without allocating in the common path.
//!
//! Raw-record paths are walked directly over the event's borrowed JSON tree (no intermediate
//! [`FieldValue`] list); OCSF paths and computed fields go through [`Accessor::get`]. Strings are
//! compared where they lie; numbers are spelled into a stack buffer when a string test needs
//! their text.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::net::IpAddr;

use base64::Engine as _;
use logsec_event::{Event, FieldValue, JsonNumber, JsonValue, Segment};

use super::expr::{
    Accessor, Anchor, Case, Expr, KeywordSearch, Number, NumericCoercion, Predicate, Quantifier,
    Test, TimeUnit, Transform,
};

impl Expr {
    /// Evaluates the expression on `event`.
    pub fn eval(&self, event: &Event<'_>) -> bool {
        match self {
            Expr::Const(b) => *b,
            Expr::And(children) => children.iter().all(|c| c.eval(event)),
            Expr::Or(children) => children.iter().any(|c| c.eval(event)),
            Expr::Not(child) => !child.eval(event),
            Expr::Pred(p) => p.eval(event),
            Expr::Keyword(k) => k.eval(event),
        }
    }
}

/// A borrowed scalar: one value of a field, from the JSON tree or from a [`FieldValue`].
#[derive(Debug, Clone, Copy)]
enum Scalar<'v> {
    Null,
    Str(&'v str),
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool(bool),
    Ip(IpAddr),
    Time(i64),
    Object(&'v JsonValue<'v>),
}

impl<'v> Scalar<'v> {
    fn from_json(value: &'v JsonValue<'v>) -> Scalar<'v> {
        match value {
            JsonValue::Null => Scalar::Null,
            JsonValue::Bool(b) => Scalar::Bool(*b),
            JsonValue::Number(JsonNumber::Int(n)) => Scalar::Int(*n),
            JsonValue::Number(JsonNumber::UInt(n)) => Scalar::UInt(*n),
            JsonValue::Number(JsonNumber::Float(f)) => Scalar::Float(*f),
            JsonValue::String(s) => Scalar::Str(s),
            // Arrays are flattened before a scalar is taken; one reaching here is treated as
            // an opaque value, like an object.
            JsonValue::Array(_) | JsonValue::Object(_) => Scalar::Object(value),
        }
    }

    fn from_field(value: &'v FieldValue<'v>) -> Scalar<'v> {
        match value {
            FieldValue::Missing | FieldValue::Null | FieldValue::List(_) => Scalar::Null,
            FieldValue::Str(s) => Scalar::Str(s),
            FieldValue::Int(n) => Scalar::Int(*n),
            FieldValue::UInt(n) => Scalar::UInt(*n),
            FieldValue::Float(f) => Scalar::Float(*f),
            FieldValue::Bool(b) => Scalar::Bool(*b),
            FieldValue::Ip(ip) => Scalar::Ip(*ip),
            FieldValue::Time(ms) => Scalar::Time(*ms),
            FieldValue::Object(object) => Scalar::Object(object),
        }
    }

    fn to_field(self) -> FieldValue<'v> {
        match self {
            Scalar::Null => FieldValue::Null,
            Scalar::Str(s) => FieldValue::Str(Cow::Borrowed(s)),
            Scalar::Int(n) => FieldValue::Int(n),
            Scalar::UInt(n) => FieldValue::UInt(n),
            Scalar::Float(f) => FieldValue::Float(f),
            Scalar::Bool(b) => FieldValue::Bool(b),
            Scalar::Ip(ip) => FieldValue::Ip(ip),
            Scalar::Time(ms) => FieldValue::Time(ms),
            Scalar::Object(object) => FieldValue::from_json(object),
        }
    }

    /// Calls `f` with the value's text form; `None` for null.
    fn with_text<R>(self, f: impl FnOnce(&str) -> R) -> Option<R> {
        let mut buffer = StackText::default();
        match self {
            Scalar::Null => None,
            Scalar::Str(s) => Some(f(s)),
            Scalar::Bool(b) => Some(f(if b { "true" } else { "false" })),
            Scalar::Int(n) => {
                buffer.push_int(n.is_negative(), n.unsigned_abs());
                Some(f(buffer.as_str()))
            }
            Scalar::UInt(n) => {
                buffer.push_int(false, n);
                Some(f(buffer.as_str()))
            }
            Scalar::Float(x) => FieldValue::Float(x).to_text().map(|t| f(&t)),
            Scalar::Ip(ip) => Some(f(&ip.to_string())),
            Scalar::Time(ms) => FieldValue::Time(ms).to_text().map(|t| f(&t)),
            Scalar::Object(object) => Some(f(&object.to_json_string())),
        }
    }

    fn as_number(self, coercion: NumericCoercion) -> Option<Number> {
        match self {
            Scalar::Int(n) | Scalar::Time(n) => Some(Number::Int(n)),
            Scalar::UInt(n) => Some(Number::Float(n as f64)),
            Scalar::Float(f) => Some(Number::Float(f)),
            Scalar::Str(s) if coercion == NumericCoercion::ParseStrings => {
                let s = s.trim();
                s.parse::<i64>()
                    .map(Number::Int)
                    .ok()
                    .or_else(|| s.parse::<f64>().ok().map(Number::Float))
            }
            _ => None,
        }
    }
}

/// A small stack buffer for spelling numbers.
#[derive(Default)]
struct StackText {
    bytes: [u8; 32],
    len: usize,
}

impl StackText {
    /// Appends the decimal spelling of the integer of sign `negative` and magnitude
    /// `magnitude`, as `{n}` formats it, without the formatting machinery (a response code
    /// is spelled on every `ka.response.code startswith 2`).
    fn push_int(&mut self, negative: bool, mut magnitude: u64) {
        // The spellings of 00 to 99, two digits a step (an event time has 19 digits).
        const PAIRS: [u8; 200] = {
            let mut table = [0u8; 200];
            let mut i = 0;
            while i < 100 {
                table[2 * i] = b'0' + (i / 10) as u8;
                table[2 * i + 1] = b'0' + (i % 10) as u8;
                i += 1;
            }
            table
        };
        // u64::MAX has 20 digits; with the sign 21 bytes.
        let mut digits = [0u8; 21];
        let mut start = digits.len();
        while magnitude >= 100 {
            let pair = (magnitude % 100) as usize * 2;
            magnitude /= 100;
            start -= 2;
            if let (Some(slot), Some(spelled)) =
                (digits.get_mut(start..start + 2), PAIRS.get(pair..pair + 2))
            {
                slot.copy_from_slice(spelled);
            }
        }
        if magnitude >= 10 {
            let pair = magnitude as usize * 2;
            start -= 2;
            if let (Some(slot), Some(spelled)) =
                (digits.get_mut(start..start + 2), PAIRS.get(pair..pair + 2))
            {
                slot.copy_from_slice(spelled);
            }
        } else {
            start -= 1;
            if let Some(d) = digits.get_mut(start) {
                *d = b'0' + magnitude as u8;
            }
        }
        if negative {
            start -= 1;
            if let Some(d) = digits.get_mut(start) {
                *d = b'-';
            }
        }
        let spelled = digits.get(start..).unwrap_or_default();
        if let Some(slot) = self.bytes.get_mut(self.len..self.len + spelled.len()) {
            slot.copy_from_slice(spelled);
            self.len += spelled.len();
        }
    }

    fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

fn compare(value: Number, constant: Number) -> Option<Ordering> {
    match (value, constant) {
        (Number::Int(a), Number::Int(b)) => Some(a.cmp(&b)),
        (a, b) => to_f64(a).partial_cmp(&to_f64(b)),
    }
}

fn to_f64(n: Number) -> f64 {
    match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    }
}

impl Test {
    fn scalar(&self, value: Scalar<'_>, event: &Event<'_>) -> bool {
        match self {
            Test::Present => true,
            Test::IsNull => matches!(value, Scalar::Null),
            Test::Str(matcher) => value.with_text(|t| matcher.is_match(t)).unwrap_or(false),
            Test::Num {
                op,
                value: constant,
                coercion,
            } => value
                .as_number(*coercion)
                .and_then(|n| compare(n, *constant))
                .is_some_and(|ordering| op.holds(ordering)),
            Test::Bool {
                value: constant,
                coerce_strings,
            } => match value {
                Scalar::Bool(b) => b == *constant,
                Scalar::Str(s) if *coerce_strings => {
                    s.eq_ignore_ascii_case(if *constant { "true" } else { "false" })
                }
                _ => false,
            },
            Test::Cidr(nets) => {
                let ip = match value {
                    Scalar::Ip(ip) => Some(ip),
                    Scalar::Str(s) => s.trim().parse::<IpAddr>().ok(),
                    _ => None,
                };
                ip.is_some_and(|ip| nets.iter().any(|net| net.contains(&ip)))
            }
            Test::FieldRef {
                other,
                case,
                anchor,
            } => {
                let other_value = other.get(event);
                let mut found = false;
                for_each_field_scalar(&other_value, &mut |o| {
                    let matched = value
                        .with_text(|a| {
                            o.with_text(|b| match case {
                                Case::Sensitive => anchor.holds(a, b),
                                Case::Insensitive => {
                                    (*anchor == Anchor::Whole && a.eq_ignore_ascii_case(b))
                                        || anchor.holds(&a.to_lowercase(), &b.to_lowercase())
                                }
                            })
                            .unwrap_or(false)
                        })
                        .unwrap_or(false);
                    found |= matched;
                    !matched
                });
                found
            }
            Test::Custom(matcher) => matcher.matches(&value.to_field()),
        }
    }
}

/// Calls `f` on each scalar of a field value (lists flattened); `f` returns whether to go on.
/// Returns whether the walk went to the end.
fn for_each_field_scalar<'v>(
    value: &'v FieldValue<'v>,
    f: &mut dyn FnMut(Scalar<'v>) -> bool,
) -> bool {
    match value {
        FieldValue::Missing => true,
        FieldValue::List(items) => items.iter().all(|item| for_each_field_scalar(item, f)),
        other => f(Scalar::from_field(other)),
    }
}

fn for_each_json_scalar<'v>(
    value: &'v JsonValue<'v>,
    f: &mut dyn FnMut(Scalar<'v>) -> bool,
) -> bool {
    match value {
        JsonValue::Array(items) => items.iter().all(|item| for_each_json_scalar(item, f)),
        other => f(Scalar::from_json(other)),
    }
}

/// Where a raw path starts on a JSON record with a lazy view (see `RawRecord::descend`): the
/// value its leading object keys lead to (objects on the way cut into members, not parsed;
/// only that value is parsed, once per record) and the rest of the path — `Some(None, _)`
/// when a key is absent. `None` when the record has no lazy view: the caller walks the whole
/// tree.
pub(crate) fn raw_member<'e, 's>(
    event: &'e Event<'_>,
    segments: &'s [Segment],
) -> Option<(Option<&'e JsonValue<'e>>, &'s [Segment])> {
    if !event.raw.is_json() {
        return None;
    }
    event.raw.descend(segments)
}

/// The single node a path leads to, or `Err(())` when the path fans out through an array.
#[allow(clippy::result_unit_err)]
fn walk_single<'v>(
    root: &'v JsonValue<'v>,
    segments: &[Segment],
) -> Result<Option<&'v JsonValue<'v>>, ()> {
    let mut node = root;
    for segment in segments {
        node = match (segment, node) {
            (Segment::Key(key), JsonValue::Object(_)) => match node.get(key) {
                Some(child) => child,
                None => return Ok(None),
            },
            (Segment::Index(index), JsonValue::Array(items)) => match items.get(*index) {
                Some(child) => child,
                None => return Ok(None),
            },
            (Segment::Key(_) | Segment::AnyIndex, JsonValue::Array(_)) => return Err(()),
            _ => return Ok(None),
        };
    }
    Ok(Some(node))
}

/// Visits every node a fanning-out path reaches; `f` returns whether to go on.
fn visit_nodes<'v>(
    node: &'v JsonValue<'v>,
    segments: &[Segment],
    f: &mut dyn FnMut(&'v JsonValue<'v>) -> bool,
) -> bool {
    let Some((segment, rest)) = segments.split_first() else {
        return f(node);
    };
    match (segment, node) {
        (Segment::Key(key), JsonValue::Object(_)) => match node.get(key) {
            Some(child) => visit_nodes(child, rest, f),
            None => true,
        },
        (Segment::Key(_), JsonValue::Array(items)) => {
            items.iter().all(|item| visit_nodes(item, segments, f))
        }
        (Segment::AnyIndex, JsonValue::Array(items)) => {
            items.iter().all(|item| visit_nodes(item, rest, f))
        }
        (Segment::Index(index), JsonValue::Array(items)) => match items.get(*index) {
            Some(item) => visit_nodes(item, rest, f),
            None => true,
        },
        _ => true,
    }
}

/// A walk over scalar values, feeding each to a visitor that says whether to go on.
type ScalarWalk<'w, 'v> = dyn FnMut(&mut dyn FnMut(Scalar<'v>) -> bool) -> bool + 'w;

/// A predicate's field as read from one event, before any test: what [`Predicate::read`]
/// gives and [`Predicate::eval_read`] tests. Predicates reading one field without transforms
/// read it alike, so a rule set reads it once per event for all of them (see
/// `ruleset::Plan`).
#[derive(Debug)]
pub(crate) enum FieldRead<'e, 's> {
    /// A raw path: the JSON value its walk starts at (`None`: absent) and the segments left
    /// to walk from it.
    Json(Option<&'e JsonValue<'e>>, &'s [Segment]),
    /// A value read through the accessor, transforms applied.
    Value(FieldValue<'e>),
}

impl Predicate {
    /// Evaluates the predicate on `event`.
    pub fn eval(&self, event: &Event<'_>) -> bool {
        self.eval_read(&self.read(event), event)
    }

    /// Reads the predicate's field from `event` (transforms applied), without testing it.
    pub(crate) fn read<'e, 's>(&'s self, event: &'e Event<'_>) -> FieldRead<'e, 's> {
        if self.transforms.is_empty()
            && let Accessor::Path(path) = &self.field
            && let Some(segments) = path.raw_path()
        {
            if let Some((member, rest)) = raw_member(event, segments) {
                return FieldRead::Json(member, rest);
            }
            let root = if event.raw.is_json() {
                event.raw.tree()
            } else {
                event.unmapped.as_ref()
            };
            return FieldRead::Json(root, segments);
        }
        let mut value = self.field.get(event);
        for transform in &self.transforms {
            value = apply_transform(*transform, value);
        }
        FieldRead::Value(value)
    }

    /// The predicate's outcome on its field as [`Predicate::read`] read it from `event`.
    pub(crate) fn eval_read(&self, read: &FieldRead<'_, '_>, event: &Event<'_>) -> bool {
        match read {
            FieldRead::Json(Some(node), rest) => self.eval_json(node, rest, event),
            FieldRead::Json(None, _) => self.if_missing,
            FieldRead::Value(value) => self.eval_value(value, event),
        }
    }

    /// Evaluates the predicate on a value already read (transforms not applied).
    pub fn eval_value(&self, value: &FieldValue<'_>, event: &Event<'_>) -> bool {
        match value {
            FieldValue::Missing => self.if_missing,
            FieldValue::Null => self.if_null,
            FieldValue::List(items) if items.is_empty() => self.if_empty,
            // One string, most computed fields: either quantifier passes when the test does.
            FieldValue::Str(text) => self.test_scalar(Scalar::Str(text), event) != self.negate,
            _ => {
                let passed = match self.quantifier {
                    Quantifier::Any => {
                        !for_each_field_scalar(value, &mut |s| !self.test.scalar(s, event))
                    }
                    Quantifier::All => {
                        for_each_field_scalar(value, &mut |s| self.test.scalar(s, event))
                    }
                };
                passed != self.negate
            }
        }
    }

    /// The test on one scalar: [`Test::scalar`], with a string test of a string (most tests)
    /// matched directly.
    #[inline]
    fn test_scalar(&self, value: Scalar<'_>, event: &Event<'_>) -> bool {
        match (&self.test, value) {
            (Test::Str(matcher), Scalar::Str(text)) => matcher.is_match(text),
            (test, value) => test.scalar(value, event),
        }
    }

    fn eval_json<'v>(
        &self,
        root: &'v JsonValue<'v>,
        segments: &[Segment],
        event: &Event<'_>,
    ) -> bool {
        match walk_single(root, segments) {
            Ok(None) => self.if_missing,
            Ok(Some(JsonValue::Null)) => self.if_null,
            Ok(Some(JsonValue::Array(items))) if items.is_empty() => self.if_empty,
            // One string, most leaves: either quantifier passes when the test does.
            Ok(Some(JsonValue::String(text))) => {
                self.test_scalar(Scalar::Str(text), event) != self.negate
            }
            Ok(Some(node)) => self.quantify_json(&mut |f| for_each_json_scalar(node, f), event),
            Err(()) => {
                let mut found = false;
                let passed = self.quantify_json(
                    &mut |f| {
                        visit_nodes(root, segments, &mut |node| {
                            found = true;
                            for_each_json_scalar(node, f)
                        })
                    },
                    event,
                );
                if found { passed } else { self.if_missing }
            }
        }
    }

    /// Runs the quantifier over the scalars `walk` produces; returns the negated-as-asked result.
    fn quantify_json<'v>(&self, walk: &mut ScalarWalk<'_, 'v>, event: &Event<'_>) -> bool {
        let passed = match self.quantifier {
            Quantifier::Any => !walk(&mut |s| !self.test.scalar(s, event)),
            Quantifier::All => walk(&mut |s| self.test.scalar(s, event)),
        };
        passed != self.negate
    }
}

impl KeywordSearch {
    /// Whether any value of the record matches.
    pub fn eval(&self, event: &Event<'_>) -> bool {
        if let Some(tree) = event.raw.tree() {
            return !visit_leaves(tree, &mut |s| {
                !s.with_text(|t| self.matcher.is_match(t)).unwrap_or(false)
            });
        }
        if !event.raw.is_empty() {
            return self.matcher.is_match(event.raw.as_str());
        }
        if let Some(unmapped) = &event.unmapped {
            return !visit_leaves(unmapped, &mut |s| {
                !s.with_text(|t| self.matcher.is_match(t)).unwrap_or(false)
            });
        }
        event
            .message
            .as_deref()
            .is_some_and(|m| self.matcher.is_match(m))
    }
}

/// Visits every string and number leaf; `f` returns whether to go on.
fn visit_leaves<'v>(value: &'v JsonValue<'v>, f: &mut dyn FnMut(Scalar<'v>) -> bool) -> bool {
    match value {
        JsonValue::Array(items) => items.iter().all(|item| visit_leaves(item, f)),
        JsonValue::Object(members) => members.iter().all(|(_, item)| visit_leaves(item, f)),
        JsonValue::String(_) | JsonValue::Number(_) => f(Scalar::from_json(value)),
        JsonValue::Null | JsonValue::Bool(_) => true,
    }
}

/// Applies one transform to a value (lists element-wise, except [`Transform::Length`]).
pub(crate) fn apply_transform<'e>(transform: Transform, value: FieldValue<'e>) -> FieldValue<'e> {
    match (transform, value) {
        (_, FieldValue::Missing) => FieldValue::Missing,
        (Transform::Length, FieldValue::List(items)) => FieldValue::Int(items.len() as i64),
        (Transform::Length, FieldValue::Str(s)) => FieldValue::Int(s.len() as i64),
        (Transform::Length, FieldValue::Object(o)) => match *o {
            JsonValue::Object(members) => FieldValue::Int(members.len() as i64),
            _ => FieldValue::Missing,
        },
        (Transform::Length, _) => FieldValue::Missing,
        (_, FieldValue::List(items)) => {
            let mapped: Vec<FieldValue<'e>> = items
                .into_iter()
                .map(|item| apply_transform(transform, item))
                .filter(|item| !item.is_missing())
                .collect();
            if mapped.is_empty() {
                FieldValue::Missing
            } else {
                FieldValue::List(mapped)
            }
        }
        (Transform::Lowercase, FieldValue::Str(s)) => FieldValue::Str(Cow::Owned(s.to_lowercase())),
        (Transform::Uppercase, FieldValue::Str(s)) => FieldValue::Str(Cow::Owned(s.to_uppercase())),
        (Transform::Lowercase | Transform::Uppercase, other) => other,
        (Transform::Base64Decode, FieldValue::Str(s)) => {
            let engine = base64::engine::general_purpose::STANDARD;
            engine
                .decode(s.trim().as_bytes())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .map_or(FieldValue::Missing, |text| {
                    FieldValue::Str(Cow::Owned(text))
                })
        }
        (Transform::Base64Decode, _) => FieldValue::Missing,
        (Transform::Basename, FieldValue::Str(s)) => match s {
            Cow::Borrowed(b) => FieldValue::Str(Cow::Borrowed(basename(b))),
            Cow::Owned(o) => FieldValue::Str(Cow::Owned(basename(&o).to_owned())),
        },
        (Transform::Basename, _) => FieldValue::Missing,
        (Transform::TimePart(unit), value) => {
            let millis = match &value {
                FieldValue::Time(ms) => Some(*ms),
                other => other.as_time().map(|t| t.timestamp_millis()),
            };
            millis.map_or(FieldValue::Missing, |ms| {
                FieldValue::Int(time_part(ms, unit))
            })
        }
    }
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// ISO 8601 week number of the day `days` since the epoch.
fn iso_week(days: i64) -> i64 {
    // 1970-01-01 was a Thursday; ISO weekday 1 = Monday.
    let weekday = (days + 3).rem_euclid(7) + 1;
    let thursday = days - weekday + 4;
    let (year, _, _) = civil_from_days(thursday);
    let first = days_from_civil(year, 1, 1);
    (thursday - first) / 7 + 1
}

pub(crate) fn time_part(millis: i64, unit: TimeUnit) -> i64 {
    let secs = millis.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    match unit {
        TimeUnit::Minute => of_day / 60 % 60,
        TimeUnit::Hour => of_day / 3600,
        TimeUnit::Day => day,
        TimeUnit::Week => iso_week(days),
        TimeUnit::Month => month,
        TimeUnit::Year => year,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    #[test]
    fn time_parts_are_utc_civil_fields() {
        // 2024-12-30T13:45:10Z is a Monday in ISO week 1 of 2025.
        let ms = 1_735_566_310_000;
        assert_eq!(time_part(ms, TimeUnit::Year), 2024);
        assert_eq!(time_part(ms, TimeUnit::Month), 12);
        assert_eq!(time_part(ms, TimeUnit::Day), 30);
        assert_eq!(time_part(ms, TimeUnit::Hour), 13);
        assert_eq!(time_part(ms, TimeUnit::Minute), 45);
        assert_eq!(time_part(ms, TimeUnit::Week), 1);
        // 2021-01-03 (Sunday) belongs to ISO week 53 of 2020.
        assert_eq!(time_part(1_609_632_000_000, TimeUnit::Week), 53);
    }

    #[test]
    fn stack_text_spells_numbers() {
        let mut t = StackText::default();
        let _ = write!(t, "{}", i64::MIN);
        assert_eq!(t.as_str(), "-9223372036854775808");
    }

    #[test]
    fn integers_are_spelled_as_format_spells_them() {
        let signed = [
            0,
            1,
            -1,
            9,
            10,
            -10,
            200,
            201,
            404,
            99_999,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ];
        let expected_signed = [
            "0",
            "1",
            "-1",
            "9",
            "10",
            "-10",
            "200",
            "201",
            "404",
            "99999",
            "9223372036854775807",
            "-9223372036854775808",
            "-9223372036854775807",
        ];
        for (n, want) in signed.into_iter().zip(expected_signed) {
            let mut t = StackText::default();
            t.push_int(n.is_negative(), n.unsigned_abs());
            assert_eq!(t.as_str(), want, "{n}");
            assert_eq!(
                Scalar::Int(n).with_text(str::to_owned).as_deref(),
                Some(want)
            );
        }
        for (n, want) in [(0u64, "0"), (7, "7"), (u64::MAX, "18446744073709551615")] {
            assert_eq!(
                Scalar::UInt(n).with_text(str::to_owned).as_deref(),
                Some(want)
            );
        }
        // Every spelling of a range agrees with `format!`, the old way.
        for n in (-1_000i64..=1_000).chain([1_540_558_825_246_927_000, 99, 100, 101, 999_999]) {
            assert_eq!(
                Scalar::Int(n).with_text(str::to_owned),
                Some(format!("{n}"))
            );
        }
    }
}
