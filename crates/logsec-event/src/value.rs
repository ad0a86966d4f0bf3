//! Typed, borrowed views of field values.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::net::IpAddr;

use chrono::{DateTime, Utc};

use crate::json::{JsonNumber, JsonValue};

/// The value a [`crate::FieldPath`] resolves to on one event, borrowed from the event.
///
/// `Missing` (the field is not in the event) and `Null` (the field is there, with the value
/// `null`) are different values: Sigma's `field: null` matches both, Falco's `exists` only
/// the second's absence, and rules depend on the difference.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'e> {
    /// The field is not present.
    Missing,
    /// The field is present with the value `null`.
    Null,
    /// A string.
    Str(Cow<'e, str>),
    /// An integer.
    Int(i64),
    /// An unsigned integer above `i64::MAX`.
    UInt(u64),
    /// A floating-point number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// An IP address.
    Ip(IpAddr),
    /// A timestamp, in milliseconds since the Unix epoch.
    Time(i64),
    /// Several values: an array, or the values a path collected while walking through arrays.
    List(Vec<FieldValue<'e>>),
    /// A JSON object (or an OCSF object rendered as JSON).
    Object(Box<JsonValue<'e>>),
}

impl<'e> FieldValue<'e> {
    /// Views a JSON value as a field value; arrays become lists of their elements' views.
    pub fn from_json(value: &'e JsonValue<'_>) -> FieldValue<'e> {
        match value {
            JsonValue::Null => FieldValue::Null,
            JsonValue::Bool(b) => FieldValue::Bool(*b),
            JsonValue::Number(JsonNumber::Int(n)) => FieldValue::Int(*n),
            JsonValue::Number(JsonNumber::UInt(n)) => FieldValue::UInt(*n),
            JsonValue::Number(JsonNumber::Float(n)) => FieldValue::Float(*n),
            JsonValue::String(text) => FieldValue::Str(Cow::Borrowed(text)),
            JsonValue::Array(items) => {
                FieldValue::List(items.iter().map(FieldValue::from_json).collect())
            }
            object @ JsonValue::Object(_) => FieldValue::Object(Box::new(shorten_object(object))),
        }
    }

    /// A string value borrowed from `text`, or `Missing` for `None`.
    pub fn opt_str(text: Option<&'e str>) -> FieldValue<'e> {
        text.map_or(FieldValue::Missing, |t| FieldValue::Str(Cow::Borrowed(t)))
    }

    /// Whether the field is absent.
    pub fn is_missing(&self) -> bool {
        matches!(self, FieldValue::Missing)
    }

    /// Whether the field is present with the value `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, FieldValue::Null)
    }

    /// Whether the field has a value (neither missing nor null).
    pub fn has_value(&self) -> bool {
        !matches!(self, FieldValue::Missing | FieldValue::Null)
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            FieldValue::Str(text) => Some(text),
            _ => None,
        }
    }

    /// The value as an integer: integers as they are, strings and floats when they hold an
    /// exact integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            FieldValue::Int(n) | FieldValue::Time(n) => Some(*n),
            FieldValue::UInt(n) => i64::try_from(*n).ok(),
            FieldValue::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            FieldValue::Str(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    /// The value as a float: numbers, and strings that parse as one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            FieldValue::Int(n) | FieldValue::Time(n) => Some(*n as f64),
            FieldValue::UInt(n) => Some(*n as f64),
            FieldValue::Float(f) => Some(*f),
            FieldValue::Str(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    /// The value as a boolean: booleans, and the strings `true`/`false` (any case).
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            FieldValue::Bool(b) => Some(*b),
            FieldValue::Str(text) if text.eq_ignore_ascii_case("true") => Some(true),
            FieldValue::Str(text) if text.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// The value as an IP address: addresses, and strings that parse as one.
    pub fn as_ip(&self) -> Option<IpAddr> {
        match self {
            FieldValue::Ip(ip) => Some(*ip),
            FieldValue::Str(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    /// The value as a UTC timestamp: timestamps, and RFC 3339 strings.
    pub fn as_time(&self) -> Option<DateTime<Utc>> {
        match self {
            FieldValue::Time(ms) => DateTime::from_timestamp_millis(*ms),
            FieldValue::Str(text) => DateTime::parse_from_rfc3339(text.trim())
                .ok()
                .map(|t| t.with_timezone(&Utc)),
            _ => None,
        }
    }

    /// The elements, if this is a list.
    pub fn as_list(&self) -> Option<&[FieldValue<'e>]> {
        match self {
            FieldValue::List(items) => Some(items),
            _ => None,
        }
    }

    /// The scalar values: the elements of a list (flattened), or the value itself; nothing for
    /// missing.
    pub fn scalars(&self) -> Vec<&FieldValue<'e>> {
        let mut out = Vec::new();
        self.collect_scalars(&mut out);
        out
    }

    fn collect_scalars<'s>(&'s self, out: &mut Vec<&'s FieldValue<'e>>) {
        match self {
            FieldValue::Missing => {}
            FieldValue::List(items) => items.iter().for_each(|item| item.collect_scalars(out)),
            other => out.push(other),
        }
    }

    /// The value as text, the way a string comparison sees it: strings as they are, numbers
    /// and booleans in their JSON spelling, IPs and times in their usual forms (RFC 3339 for
    /// times), objects and lists as compact JSON. `None` for missing and null.
    pub fn to_text(&self) -> Option<Cow<'_, str>> {
        Some(match self {
            FieldValue::Missing | FieldValue::Null => return None,
            FieldValue::Str(text) => Cow::Borrowed(text.as_ref()),
            FieldValue::Time(ms) => Cow::Owned(
                DateTime::from_timestamp_millis(*ms)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                    .unwrap_or_else(|| ms.to_string()),
            ),
            FieldValue::Int(n) => Cow::Owned(n.to_string()),
            FieldValue::UInt(n) => Cow::Owned(n.to_string()),
            FieldValue::Float(f) => Cow::Owned(format_float(*f)),
            FieldValue::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            FieldValue::Ip(ip) => Cow::Owned(ip.to_string()),
            FieldValue::List(_) | FieldValue::Object(_) => Cow::Owned(self.to_json().to_string()),
        })
    }

    /// The value as JSON (missing becomes `null`).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            FieldValue::Missing | FieldValue::Null => serde_json::Value::Null,
            FieldValue::Str(text) => serde_json::Value::String(text.to_string()),
            FieldValue::Int(n) | FieldValue::Time(n) => serde_json::Value::from(*n),
            FieldValue::UInt(n) => serde_json::Value::from(*n),
            FieldValue::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            FieldValue::Bool(b) => serde_json::Value::Bool(*b),
            FieldValue::Ip(ip) => serde_json::Value::String(ip.to_string()),
            FieldValue::List(items) => {
                serde_json::Value::Array(items.iter().map(FieldValue::to_json).collect())
            }
            FieldValue::Object(object) => object.to_serde(),
        }
    }

    /// Detaches the value from the event it was read from.
    pub fn into_owned(self) -> FieldValue<'static> {
        match self {
            FieldValue::Missing => FieldValue::Missing,
            FieldValue::Null => FieldValue::Null,
            FieldValue::Str(text) => FieldValue::Str(Cow::Owned(text.into_owned())),
            FieldValue::Int(n) => FieldValue::Int(n),
            FieldValue::UInt(n) => FieldValue::UInt(n),
            FieldValue::Float(f) => FieldValue::Float(f),
            FieldValue::Bool(b) => FieldValue::Bool(b),
            FieldValue::Ip(ip) => FieldValue::Ip(ip),
            FieldValue::Time(ms) => FieldValue::Time(ms),
            FieldValue::List(items) => {
                FieldValue::List(items.into_iter().map(FieldValue::into_owned).collect())
            }
            FieldValue::Object(object) => FieldValue::Object(Box::new(object.into_owned())),
        }
    }
}

/// Objects are viewed through a copy whose strings borrow from the tree; a reference into the
/// tree would make `FieldValue` invariant over its lifetime.
fn shorten_object<'e>(object: &'e JsonValue<'_>) -> JsonValue<'e> {
    match object {
        JsonValue::Null => JsonValue::Null,
        JsonValue::Bool(b) => JsonValue::Bool(*b),
        JsonValue::Number(n) => JsonValue::Number(*n),
        JsonValue::String(text) => JsonValue::String(Cow::Borrowed(text)),
        JsonValue::Array(items) => JsonValue::Array(items.iter().map(shorten_object).collect()),
        JsonValue::Object(members) => JsonValue::Object(
            members
                .iter()
                .map(|(key, value)| (Cow::Borrowed(key.as_ref()), shorten_object(value)))
                .collect(),
        ),
    }
}

fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.1}")
    } else {
        let mut out = String::new();
        let _ = write!(out, "{f}");
        out
    }
}

impl fmt::Display for FieldValue<'_> {
    /// Text form as in [`FieldValue::to_text`], with `<missing>` and `null` for the two absent
    /// kinds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Missing => f.write_str("<missing>"),
            FieldValue::Null => f.write_str("null"),
            other => f.write_str(&other.to_text().unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_null_differ() {
        assert!(FieldValue::Missing.is_missing());
        assert!(!FieldValue::Null.is_missing());
        assert!(FieldValue::Null.is_null());
        assert!(!FieldValue::Missing.has_value());
        assert!(!FieldValue::Null.has_value());
        assert_eq!(FieldValue::Missing.to_text(), None);
        assert_eq!(FieldValue::Missing.to_string(), "<missing>");
        assert_eq!(FieldValue::Null.to_string(), "null");
    }

    #[test]
    fn conversions_read_strings() {
        let v = FieldValue::Str(Cow::Borrowed(" 42 "));
        assert_eq!(v.as_i64(), Some(42));
        assert_eq!(FieldValue::Str(Cow::Borrowed("TRUE")).as_bool(), Some(true));
        assert_eq!(
            FieldValue::Str(Cow::Borrowed("10.0.0.1")).as_ip(),
            Some("10.0.0.1".parse().unwrap())
        );
        assert_eq!(FieldValue::Float(3.0).as_i64(), Some(3));
        assert_eq!(FieldValue::Float(3.5).as_i64(), None);
    }

    #[test]
    fn text_forms() {
        assert_eq!(FieldValue::Int(201).to_text().unwrap(), "201");
        assert_eq!(FieldValue::Bool(false).to_text().unwrap(), "false");
        assert_eq!(
            FieldValue::Time(0).to_text().unwrap(),
            "1970-01-01T00:00:00.000Z"
        );
        let list = FieldValue::List(vec![FieldValue::Int(1), FieldValue::Str("a".into())]);
        assert_eq!(list.to_text().unwrap(), r#"[1,"a"]"#);
    }

    #[test]
    fn scalars_flatten_lists() {
        let list = FieldValue::List(vec![
            FieldValue::Int(1),
            FieldValue::List(vec![FieldValue::Int(2), FieldValue::Missing]),
        ]);
        let scalars = list.scalars();
        assert_eq!(scalars, vec![&FieldValue::Int(1), &FieldValue::Int(2)]);
        assert!(FieldValue::Missing.scalars().is_empty());
    }
}
