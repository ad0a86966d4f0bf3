//! A serde [`Deserializer`] over the top-level members a validating pass already cut.
//!
//! A deferred record ([`crate::deferred::Pending`]) was validated, and cut into its top-level
//! members (name, value text), by one pass. Normalizing it used to parse the whole text again
//! with the format's typed struct. [`from_members`] instead runs the same derived
//! `Deserialize` over the member list: each name goes to the struct's field visitor as it is,
//! each value through [`Value`], which hands a plain string (no escape) over as a borrowed str
//! and skips a member the struct ignores without reading it, and forwards everything else to
//! `serde_json` over that member's text alone. One struct, one field mapping, one normalizer,
//! whichever way the record came in.
//!
//! [`RawText`] is the member-level counterpart of `Option<&RawValue>` for members the mapping
//! keeps unparsed: from the member list it is the member's text, taken without a scan; from
//! `serde_json` (the eager path) it is the `&RawValue` serde_json finds.

use std::fmt;
use std::marker::PhantomData;

use logsec_event::{RawMembers, RawNode};
use serde::de::value::StrDeserializer;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::value::RawValue;

/// The newtype-struct name [`RawText`] asks for: [`Value`] answers it with the member's text.
const RAW_TEXT_TOKEN: &str = "$logsec_parse::RawText";

/// A JSON value's text, kept unparsed (a member the mapping reads only for some events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawText<'a>(&'a str);

impl<'a> RawText<'a> {
    /// The value's JSON text (no surrounding whitespace).
    pub(crate) fn get(self) -> &'a str {
        self.0
    }
}

struct RawTextVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for RawTextVisitor<'a> {
    type Value = RawText<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    /// `serde_json`: the value's text as `serde_json` cuts a `&RawValue`.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        <&'de RawValue>::deserialize(d).map(|raw| RawText(raw.get()))
    }

    /// [`Value`]: the member's text, which the validating pass cut as a whole value.
    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(RawText(text))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawText<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(RAW_TEXT_TOKEN, RawTextVisitor(PhantomData))
    }
}

/// A member's value as [`from_members`] reads it: its JSON text (one valid value, without
/// surrounding whitespace) and, for a value of a record's lazy view ([`RawNode`]), the
/// members of an object, which that view cuts once and keeps — so an object a rule already
/// walked into is read from its cut members, not parsed again.
pub(crate) trait MemberValue<'n, 'a>: Copy {
    /// The members of an object value.
    type Members: Iterator<Item = (&'n str, Self)>;

    /// The value's JSON text.
    fn text(self) -> &'a str;

    /// The members of an object value; `None` when the value is not an object, or when its
    /// members are to be read from its text.
    fn members(self) -> Option<Self::Members>;

    /// The string's contents when the value is a string without escapes: exactly what
    /// `serde_json` would hand out borrowed.
    fn plain_str(self) -> Option<&'a str> {
        let inner = self.text().strip_prefix('"')?.strip_suffix('"')?;
        (!inner.contains('\\')).then_some(inner)
    }
}

/// A value text alone: objects are read through `serde_json`.
impl<'n, 'a> MemberValue<'n, 'a> for &'a str {
    type Members = std::iter::Empty<(&'n str, &'a str)>;

    fn text(self) -> &'a str {
        self
    }

    fn members(self) -> Option<Self::Members> {
        None
    }
}

/// A value of a record's lazy view: objects are read from their (kept) cut members.
impl<'r, 'a> MemberValue<'r, 'a> for RawNode<'r, 'a> {
    type Members = RawMembers<'r, 'a>;

    fn text(self) -> &'a str {
        RawNode::text(self)
    }

    fn members(self) -> Option<Self::Members> {
        RawNode::members(self)
    }

    fn plain_str(self) -> Option<&'a str> {
        RawNode::plain_str(self)
    }
}

/// Deserializes `T` from an object's members as (name, value) pairs, in input order,
/// duplicates included, where every value is one valid JSON value (as the validating pass
/// cut it). `T` sees what it sees from `serde_json` over the object's text: the same names,
/// values, borrowed strings and errors (a repeated field is an error here too, though its
/// message carries no position). Nested objects are read the same way when the values
/// carry their members ([`RawNode`]), through `serde_json` over their text otherwise.
pub(crate) fn from_members<'n, 'a, T, I, V>(members: I) -> Result<T, serde_json::Error>
where
    T: Deserialize<'a>,
    I: Iterator<Item = (&'n str, V)>,
    V: MemberValue<'n, 'a>,
{
    T::deserialize(Members {
        members,
        _names: PhantomData,
    })
}

/// The object: a map over its members.
struct Members<'n, I> {
    members: I,
    _names: PhantomData<&'n ()>,
}

impl<'n, 'a, I, V> Deserializer<'a> for Members<'n, I>
where
    I: Iterator<Item = (&'n str, V)>,
    V: MemberValue<'n, 'a>,
{
    type Error = serde_json::Error;

    fn deserialize_any<W: Visitor<'a>>(self, visitor: W) -> Result<W::Value, Self::Error> {
        visitor.visit_map(MemberAccess {
            members: self.members,
            value: None,
        })
    }

    forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

struct MemberAccess<I, V> {
    members: I,
    /// The value of the member whose name was handed out last.
    value: Option<V>,
}

impl<'n, 'a, I, V> MapAccess<'a> for MemberAccess<I, V>
where
    I: Iterator<Item = (&'n str, V)>,
    V: MemberValue<'n, 'a>,
{
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let Some((name, value)) = self.members.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(StrDeserializer::<serde_json::Error>::new(name))
            .map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'a>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, Self::Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(Value(value, PhantomData)),
            None => Err(de::Error::custom("member value asked for before its name")),
        }
    }
}

/// One member's value.
struct Value<'n, V>(V, PhantomData<&'n ()>);

impl<'n, 'a, V: MemberValue<'n, 'a>> Value<'n, V> {
    fn is_null(&self) -> bool {
        self.0.text() == "null"
    }

    /// `serde_json` over the value's text alone.
    fn json<T>(
        self,
        read: impl FnOnce(
            &mut serde_json::Deserializer<serde_json::de::StrRead<'a>>,
        ) -> Result<T, serde_json::Error>,
    ) -> Result<T, serde_json::Error> {
        let mut json = serde_json::Deserializer::from_str(self.0.text());
        let value = read(&mut json)?;
        json.end()?;
        Ok(value)
    }

    /// The object's members as a map, when the value carries them.
    fn map<W: Visitor<'a>>(
        self,
        visitor: W,
    ) -> Result<Result<W::Value, serde_json::Error>, (Self, W)> {
        match self.0.members() {
            Some(members) => Ok(visitor.visit_map(MemberAccess {
                members,
                value: None,
            })),
            None => Err((self, visitor)),
        }
    }
}

/// Forwards `deserialize_*` methods to `serde_json` over the value's text.
macro_rules! forward_to_json {
    ($($method:ident)*) => {$(
        fn $method<W: Visitor<'a>>(self, visitor: W) -> Result<W::Value, Self::Error> {
            self.json(|json| json.$method(visitor))
        }
    )*};
}

impl<'n, 'a, V: MemberValue<'n, 'a>> Deserializer<'a> for Value<'n, V> {
    type Error = serde_json::Error;

    fn deserialize_any<W: Visitor<'a>>(self, visitor: W) -> Result<W::Value, Self::Error> {
        if let Some(text) = self.0.plain_str() {
            return visitor.visit_borrowed_str(text);
        }
        if self.is_null() {
            return visitor.visit_unit();
        }
        match self.map(visitor) {
            Ok(read) => read,
            Err((value, visitor)) => value.json(|json| json.deserialize_any(visitor)),
        }
    }

    fn deserialize_str<W: Visitor<'a>>(self, visitor: W) -> Result<W::Value, Self::Error> {
        match self.0.plain_str() {
            Some(text) => visitor.visit_borrowed_str(text),
            None => self.json(|json| json.deserialize_str(visitor)),
        }
    }

    fn deserialize_string<W: Visitor<'a>>(self, visitor: W) -> Result<W::Value, Self::Error> {
        match self.0.plain_str() {
            Some(text) => visitor.visit_borrowed_str(text),
            None => self.json(|json| json.deserialize_string(visitor)),
        }
    }

    fn deserialize_option<W: Visitor<'a>>(self, visitor: W) -> Result<W::Value, Self::Error> {
        if self.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<W: Visitor<'a>>(
        self,
        name: &'static str,
        visitor: W,
    ) -> Result<W::Value, Self::Error> {
        if name == RAW_TEXT_TOKEN {
            return visitor.visit_borrowed_str(self.0.text());
        }
        self.json(|json| json.deserialize_newtype_struct(name, visitor))
    }

    /// A member the target does not read: valid already, so nothing to read.
    fn deserialize_ignored_any<W: Visitor<'a>>(self, visitor: W) -> Result<W::Value, Self::Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<W: Visitor<'a>>(
        self,
        name: &'static str,
        visitor: W,
    ) -> Result<W::Value, Self::Error> {
        self.json(|json| json.deserialize_unit_struct(name, visitor))
    }

    fn deserialize_tuple<W: Visitor<'a>>(
        self,
        len: usize,
        visitor: W,
    ) -> Result<W::Value, Self::Error> {
        self.json(|json| json.deserialize_tuple(len, visitor))
    }

    fn deserialize_tuple_struct<W: Visitor<'a>>(
        self,
        name: &'static str,
        len: usize,
        visitor: W,
    ) -> Result<W::Value, Self::Error> {
        self.json(|json| json.deserialize_tuple_struct(name, len, visitor))
    }

    fn deserialize_map<W: Visitor<'a>>(self, visitor: W) -> Result<W::Value, Self::Error> {
        match self.map(visitor) {
            Ok(read) => read,
            Err((value, visitor)) => value.json(|json| json.deserialize_map(visitor)),
        }
    }

    fn deserialize_struct<W: Visitor<'a>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: W,
    ) -> Result<W::Value, Self::Error> {
        match self.map(visitor) {
            Ok(read) => read,
            Err((value, visitor)) => {
                value.json(|json| json.deserialize_struct(name, fields, visitor))
            }
        }
    }

    fn deserialize_enum<W: Visitor<'a>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: W,
    ) -> Result<W::Value, Self::Error> {
        self.json(|json| json.deserialize_enum(name, variants, visitor))
    }

    forward_to_json! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_bytes
        deserialize_byte_buf deserialize_unit deserialize_seq deserialize_identifier
    }
}

#[cfg(test)]
mod tests {
    use logsec_event::RawRecord;
    use serde::Deserialize;

    use super::*;
    use crate::lenient::LStr;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Target<'a> {
        n: u64,
        f: f64,
        yes: bool,
        s: &'a str,
        owned: String,
        #[serde(borrow)]
        raw: Option<RawText<'a>>,
        #[serde(borrow)]
        absent: Option<RawText<'a>>,
        #[serde(borrow)]
        list: Vec<LStr<'a>>,
        #[serde(default)]
        missing: Option<u8>,
    }

    /// `T` read from the record's members three ways, which must agree: as value texts
    /// (nested objects through `serde_json`), as the view's nodes (nested objects from their
    /// cut members), and as nodes after a walk cut the nested objects a rule would reach.
    fn from_text<'a, T>(text: &'a str) -> Result<T, serde_json::Error>
    where
        T: Deserialize<'a> + PartialEq + std::fmt::Debug,
    {
        let raw = RawRecord::json(text);
        let via_texts = from_members::<T, _, _>(raw.members().expect("an object"));
        let fresh = RawRecord::json(text);
        let via_nodes = from_members::<T, _, _>(fresh.member_nodes().expect("an object"));
        let walked = RawRecord::json(text);
        for path in ["inner.inner.name", "raw.k", "extra.ignored", "name"] {
            let path = logsec_event::FieldPath::raw(path).unwrap();
            let _ = walked.get(path.raw_path().unwrap());
        }
        let via_walked = from_members::<T, _, _>(walked.member_nodes().expect("an object"));
        match (&via_texts, &via_nodes, &via_walked) {
            (Ok(a), Ok(b), Ok(c)) => {
                assert_eq!(a, b, "{text}");
                assert_eq!(a, c, "{text}");
            }
            (Err(a), Err(b), Err(c)) => {
                // The same message; only serde_json's over a nested text names a position.
                let message = |e: &serde_json::Error| {
                    let e = e.to_string();
                    e.split(" at line").next().unwrap_or_default().to_owned()
                };
                assert_eq!(message(a), message(b), "{text}");
                assert_eq!(message(a), message(c), "{text}");
            }
            _ => panic!(
                "the reads disagree on {text}: {via_texts:?} / {via_nodes:?} / {via_walked:?}"
            ),
        }
        via_nodes
    }

    #[test]
    fn members_read_as_serde_json_reads_the_text() {
        let text = r#"{"n": 18446744073709551615, "f": -1.5e-3, "yes": true, "s": "plain",
            "owned": "tab\tand \u00e9", "raw": { "a" : [1, "x"] }, "absent": null,
            "list": ["a", 2, null, {"b": "c"}], "extra": {"ignored": [1, 2, 3]}}"#;
        let via: Target<'_> = from_text(text).unwrap();
        let json: Target<'_> = serde_json::from_str(text).unwrap();
        assert_eq!(via, json);
        assert_eq!(via.n, u64::MAX);
        assert_eq!(via.owned, "tab\tand é");
        assert_eq!(via.raw.map(RawText::get), Some(r#"{ "a" : [1, "x"] }"#));
        assert_eq!(via.absent, None);
        let list: Vec<Option<&str>> = via.list.iter().map(LStr::get).collect();
        assert_eq!(list, [Some("a"), Some("2"), None, None]);
        assert_eq!(via.missing, None);
    }

    #[test]
    fn type_errors_and_repeats_are_errors_as_with_serde_json() {
        for text in [
            r#"{"n":"1","f":1,"yes":true,"s":"a","owned":"b","list":[]}"#,
            r#"{"n":1,"f":1,"yes":true,"s":"esc\"aped","owned":"b","list":[]}"#,
            r#"{"n":1,"n":2,"f":1,"yes":true,"s":"a","owned":"b","list":[]}"#,
            r#"{"f":1,"yes":true,"s":"a","owned":"b","list":[]}"#,
        ] {
            let via = from_text::<Target<'_>>(text).unwrap_err().to_string();
            let json = serde_json::from_str::<Target<'_>>(text)
                .unwrap_err()
                .to_string();
            // The same message; only serde_json's names a position in the whole text.
            assert!(
                json.starts_with(via.split(" at line").next().unwrap()),
                "{via} / {json}"
            );
        }
        let missing =
            from_text::<Target<'_>>(r#"{"f":1,"yes":true,"s":"a","owned":"b","list":[]}"#);
        assert_eq!(missing.unwrap_err().to_string(), "missing field `n`");
    }
    #[derive(Debug, Deserialize, PartialEq, Default)]
    #[serde(default)]
    struct Nested<'a> {
        #[serde(borrow)]
        name: LStr<'a>,
        #[serde(borrow)]
        inner: crate::lenient::Obj<Box<Nested<'a>>>,
        #[serde(borrow)]
        items: crate::lenient::Arr<LStr<'a>>,
        #[serde(borrow)]
        raw: Option<RawText<'a>>,
    }

    #[test]
    fn nested_values_read_as_serde_json_reads_them() {
        let text = " {\n \"na\\u006de\" : \"top\" , \"skip\" : [ {\"}\":\"]\"} , \"\\\"\" ] ,\r\n\t\"inner\":{ \"name\":\"in\\\"ner\",\"items\":[ 1 , -2.5e3 , true , null , \"x\" , [ ] , { } ],\"inner\":{\"name\":false,\"raw\":[1, 2]}} , \"items\" : [ ] , \"raw\" : { \"k\" : \"v\" } } ";
        let via: Nested<'_> = from_text(text).unwrap();
        let json: Nested<'_> = serde_json::from_str(text).unwrap();
        assert_eq!(via, json);
        assert_eq!(via.name.get(), Some("top"));
        let inner = via.inner.0.as_ref().unwrap();
        assert_eq!(inner.name.get(), Some("in\"ner"));
        let items: Vec<Option<&str>> = inner.items.0.iter().map(LStr::get).collect();
        assert_eq!(
            items,
            [
                Some("1"),
                Some("-2500"),
                Some("true"),
                None,
                Some("x"),
                None,
                None
            ]
        );
        let deepest = inner.inner.0.as_ref().unwrap();
        assert_eq!(deepest.name.get(), Some("false"));
        assert_eq!(via.raw.map(RawText::get), Some(r#"{ "k" : "v" }"#));
        // A repeat inside a nested object is the error it is for serde_json.
        let repeat = r#"{"inner":{"name":"a","name":"b"}}"#;
        assert!(from_text::<Nested<'_>>(repeat).is_err());
        assert!(serde_json::from_str::<Nested<'_>>(repeat).is_err());
    }

    /// Short strings, some of which need escapes.
    fn text() -> proptest::string::RegexGeneratorStrategy<String> {
        proptest::string::string_regex("[a-c\"\\\\/\\n\\t\u{e9}\u{1F600} ]{0,6}").unwrap()
    }

    /// Any JSON object, with strings and member names that need escapes.
    fn json_object() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<u64>().prop_map(serde_json::Value::from),
            (-1e12f64..1e12).prop_map(serde_json::Value::from),
            text().prop_map(serde_json::Value::from),
        ];
        let value = leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::from),
                proptest::collection::vec((text(), inner), 0..5).prop_map(|members| {
                    serde_json::Value::Object(members.into_iter().collect())
                }),
            ]
        });
        let names = prop_oneof![
            Just("name".to_owned()),
            Just("inner".to_owned()),
            Just("items".to_owned()),
            Just("raw".to_owned()),
            text(),
        ];
        proptest::collection::vec((names, value), 0..6)
            .prop_map(|members| serde_json::Value::Object(members.into_iter().collect()))
    }

    proptest::proptest! {
        #[test]
        fn any_object_reads_as_serde_json_reads_it(
            object in json_object(),
            pretty in proptest::bool::ANY,
        ) {
            let text = if pretty {
                serde_json::to_string_pretty(&object).unwrap()
            } else {
                serde_json::to_string(&object).unwrap()
            };
            let via: serde_json::Value = from_text(&text).unwrap();
            proptest::prop_assert_eq!(&via, &object);
            let lenient: Nested<'_> = from_text(&text).unwrap();
            let json: Nested<'_> = serde_json::from_str(&text).unwrap();
            proptest::prop_assert_eq!(lenient, json);
        }
    }
}
