//! A borrowed JSON tree: strings point into the input unless they had escapes.
//!
//! `serde_json::Value` allocates every string and builds a map per object; for a raw record that
//! rules read a handful of fields from, that costs more than the parse. [`JsonValue`] keeps
//! strings as `Cow<'a, str>` borrowed from the input and objects as a vector of pairs in input
//! order (records have few keys, so a linear scan beats hashing).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

/// A JSON number, kept as the narrowest exact type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JsonNumber {
    /// A number that fits `i64`.
    Int(i64),
    /// A non-negative integer above `i64::MAX`.
    UInt(u64),
    /// Any other number.
    Float(f64),
}

/// A JSON value whose strings borrow from the input where they can.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum JsonValue<'a> {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(JsonNumber),
    /// A string.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<JsonValue<'a>>),
    /// An object, its members in input order.
    Object(Vec<(Cow<'a, str>, JsonValue<'a>)>),
}

impl<'a> JsonValue<'a> {
    /// Parses JSON text, borrowing strings from it.
    pub fn parse(text: &'a str) -> Result<JsonValue<'a>, serde_json::Error> {
        serde_json::from_str::<Borrowing<'a>>(text).map(|b| b.0)
    }

    /// Parses JSON bytes (which must be UTF-8), borrowing strings from them.
    pub fn parse_slice(bytes: &'a [u8]) -> Result<JsonValue<'a>, serde_json::Error> {
        serde_json::from_slice::<Borrowing<'a>>(bytes).map(|b| b.0)
    }

    /// Parses JSON text with a nesting-depth limit, borrowing strings from it.
    ///
    /// serde_json already refuses more than 128 levels; `max_depth` lowers that bound.
    pub fn parse_with_depth(text: &'a str, max_depth: usize) -> Result<JsonValue<'a>, String> {
        let value = Self::parse(text).map_err(|err| err.to_string())?;
        let depth = value.depth();
        if depth > max_depth {
            return Err(format!(
                "nesting depth {depth} exceeds the limit of {max_depth}"
            ));
        }
        Ok(value)
    }

    /// The member `key` of an object (the first, if repeated).
    pub fn get(&self, key: &str) -> Option<&JsonValue<'a>> {
        match self {
            JsonValue::Object(members) => members
                .iter()
                .find(|(name, _)| crate::members::same_key(name, key))
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// Walks a sequence of object keys.
    pub fn pointer<'k>(&self, keys: impl IntoIterator<Item = &'k str>) -> Option<&JsonValue<'a>> {
        keys.into_iter().try_fold(self, |value, key| value.get(key))
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            JsonValue::String(text) => Some(text),
            _ => None,
        }
    }

    /// The integer, if this is one that fits `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            JsonValue::Number(JsonNumber::Int(n)) => Some(*n),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            JsonValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, JsonValue::Null)
    }

    /// Nesting depth: scalars are 0, `[]` and `{}` are 1.
    pub fn depth(&self) -> usize {
        match self {
            JsonValue::Array(items) => 1 + items.iter().map(JsonValue::depth).max().unwrap_or(0),
            JsonValue::Object(members) => {
                1 + members
                    .iter()
                    .map(|(_, value)| value.depth())
                    .max()
                    .unwrap_or(0)
            }
            _ => 0,
        }
    }

    /// Copies every borrowed string, detaching the value from its input.
    pub fn into_owned(self) -> JsonValue<'static> {
        match self {
            JsonValue::Null => JsonValue::Null,
            JsonValue::Bool(b) => JsonValue::Bool(b),
            JsonValue::Number(n) => JsonValue::Number(n),
            JsonValue::String(text) => JsonValue::String(Cow::Owned(text.into_owned())),
            JsonValue::Array(items) => {
                JsonValue::Array(items.into_iter().map(JsonValue::into_owned).collect())
            }
            JsonValue::Object(members) => JsonValue::Object(
                members
                    .into_iter()
                    .map(|(key, value)| (Cow::Owned(key.into_owned()), value.into_owned()))
                    .collect(),
            ),
        }
    }

    /// Compact JSON text.
    pub fn to_json_string(&self) -> String {
        // Serializing a tree of strings, numbers and vectors into a String cannot fail; an
        // empty string is returned for completeness rather than a panic.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Converts to a `serde_json::Value` (owned).
    pub fn to_serde(&self) -> serde_json::Value {
        match self {
            JsonValue::Null => serde_json::Value::Null,
            JsonValue::Bool(b) => serde_json::Value::Bool(*b),
            JsonValue::Number(JsonNumber::Int(n)) => serde_json::Value::from(*n),
            JsonValue::Number(JsonNumber::UInt(n)) => serde_json::Value::from(*n),
            JsonValue::Number(JsonNumber::Float(n)) => serde_json::Number::from_f64(*n)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            JsonValue::String(text) => serde_json::Value::String(text.to_string()),
            JsonValue::Array(items) => {
                serde_json::Value::Array(items.iter().map(JsonValue::to_serde).collect())
            }
            JsonValue::Object(members) => serde_json::Value::Object(
                members
                    .iter()
                    .map(|(key, value)| (key.to_string(), value.to_serde()))
                    .collect(),
            ),
        }
    }

    /// Converts from a `serde_json::Value`.
    pub fn from_serde(value: &serde_json::Value) -> JsonValue<'static> {
        match value {
            serde_json::Value::Null => JsonValue::Null,
            serde_json::Value::Bool(b) => JsonValue::Bool(*b),
            serde_json::Value::Number(n) => JsonValue::Number(if let Some(i) = n.as_i64() {
                JsonNumber::Int(i)
            } else if let Some(u) = n.as_u64() {
                JsonNumber::UInt(u)
            } else {
                JsonNumber::Float(n.as_f64().unwrap_or(f64::NAN))
            }),
            serde_json::Value::String(text) => JsonValue::String(Cow::Owned(text.clone())),
            serde_json::Value::Array(items) => {
                JsonValue::Array(items.iter().map(JsonValue::from_serde).collect())
            }
            serde_json::Value::Object(members) => JsonValue::Object(
                members
                    .iter()
                    .map(|(key, value)| (Cow::Owned(key.clone()), JsonValue::from_serde(value)))
                    .collect(),
            ),
        }
    }
}

impl fmt::Display for JsonValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json_string())
    }
}

impl Serialize for JsonValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            JsonValue::Null => serializer.serialize_unit(),
            JsonValue::Bool(b) => serializer.serialize_bool(*b),
            JsonValue::Number(JsonNumber::Int(n)) => serializer.serialize_i64(*n),
            JsonValue::Number(JsonNumber::UInt(n)) => serializer.serialize_u64(*n),
            JsonValue::Number(JsonNumber::Float(n)) => serializer.serialize_f64(*n),
            JsonValue::String(text) => serializer.serialize_str(text),
            JsonValue::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            JsonValue::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (key, value) in members {
                    map.serialize_entry(key.as_ref(), value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de, 'a> Deserialize<'de> for JsonValue<'a> {
    /// Deserializes with owned strings; [`JsonValue::parse`] borrows from its input instead.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OwnedVisitor(std::marker::PhantomData))
    }
}

/// A JSON value deserialized with strings borrowed from the input.
struct Borrowing<'a>(JsonValue<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for Borrowing<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(BorrowingVisitor(std::marker::PhantomData))
            .map(Borrowing)
    }
}

/// An object key that borrows when the input lets it.
pub(crate) struct BorrowingKey<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for BorrowingKey<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for KeyVisitor<'a> {
            type Value = BorrowingKey<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(BorrowingKey(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(BorrowingKey(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(BorrowingKey(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor(std::marker::PhantomData))
    }
}

/// The scalar half of both visitors; only strings, arrays and objects differ.
macro_rules! scalar_visits {
    () => {
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(JsonValue::Null)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(JsonValue::Null)
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(JsonValue::Bool(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(JsonValue::Number(JsonNumber::Int(v)))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(JsonValue::Number(match i64::try_from(v) {
                Ok(i) => JsonNumber::Int(i),
                Err(_) => JsonNumber::UInt(v),
            }))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(JsonValue::Number(JsonNumber::Float(v)))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(JsonValue::String(Cow::Owned(v.to_owned())))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(JsonValue::String(Cow::Owned(v)))
        }
    };
}

struct OwnedVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de, 'a> Visitor<'de> for OwnedVisitor<'a> {
    type Value = JsonValue<'a>;

    scalar_visits!();

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        JsonValue::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(JsonValue::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some((key, value)) = map.next_entry::<String, JsonValue<'a>>()? {
            members.push((Cow::Owned(key), value));
        }
        Ok(JsonValue::Object(members))
    }
}

struct BorrowingVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for BorrowingVisitor<'a> {
    type Value = JsonValue<'a>;

    scalar_visits!();

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(JsonValue::String(Cow::Borrowed(v)))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Borrowing::deserialize(d).map(|b| b.0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(Borrowing(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(JsonValue::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some((BorrowingKey(key), Borrowing(value))) =
            map.next_entry::<BorrowingKey<'a>, Borrowing<'a>>()?
        {
            members.push((key, value));
        }
        Ok(JsonValue::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_without_escapes_borrow() {
        let text = r#"{"a":"plain","b":"esc\"aped","c":[1,-2,3.5,18446744073709551615],"d":null}"#;
        let value = JsonValue::parse(text).unwrap();
        assert!(matches!(
            value.get("a"),
            Some(JsonValue::String(Cow::Borrowed("plain")))
        ));
        assert!(
            matches!(value.get("b"), Some(JsonValue::String(Cow::Owned(s))) if s == "esc\"aped")
        );
        assert_eq!(
            value.get("c"),
            Some(&JsonValue::Array(vec![
                JsonValue::Number(JsonNumber::Int(1)),
                JsonValue::Number(JsonNumber::Int(-2)),
                JsonValue::Number(JsonNumber::Float(3.5)),
                JsonValue::Number(JsonNumber::UInt(u64::MAX)),
            ]))
        );
        assert_eq!(value.get("d"), Some(&JsonValue::Null));
        assert_eq!(value.get("e"), None);
    }

    #[test]
    fn round_trips_through_text_and_serde_value() {
        let text = r#"{"k":[true,{"x":"y"}],"n":7}"#;
        let value = JsonValue::parse(text).unwrap();
        assert_eq!(value.to_json_string(), text);
        let serde = value.to_serde();
        assert_eq!(JsonValue::from_serde(&serde), value);
    }

    #[test]
    fn depth_limit_is_enforced() {
        let deep = format!("{}{}", "[".repeat(20), "]".repeat(20));
        assert!(
            JsonValue::parse_with_depth(&deep, 10)
                .unwrap_err()
                .contains("depth 20")
        );
        assert!(JsonValue::parse_with_depth(&deep, 20).is_ok());
    }
}
