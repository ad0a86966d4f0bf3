//! Serde helpers that never fail on an unexpected JSON type.
//!
//! Real logs (and hand-written test logs) put numbers where strings belong, `null` where an
//! object belongs, and objects where a string belongs. A mapped field of the wrong type must not
//! reject the whole record: the record is kept raw, and the field is simply not mapped.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A string field that borrows from the input, accepts numbers and booleans (as text) and
/// treats `null`, objects and arrays as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LStr<'a>(pub(crate) Option<Cow<'a, str>>);

impl<'a> LStr<'a> {
    /// The text, if present and not empty.
    pub(crate) fn get(&self) -> Option<&str> {
        self.0.as_deref().filter(|s| !s.is_empty())
    }

    /// The text as an event string, if present and not empty.
    pub(crate) fn take(&mut self) -> Option<Cow<'a, str>> {
        match self.0.take() {
            Some(text) if !text.is_empty() => Some(text),
            _ => None,
        }
    }

    /// A copy of the text as an event string, if present and not empty.
    pub(crate) fn cloned(&self) -> Option<Cow<'a, str>> {
        self.0.clone().filter(|s| !s.is_empty())
    }
}

struct LStrVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for LStrVisitor<'a> {
    type Value = LStr<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(LStr(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(LStr(Some(Cow::Owned(v.to_owned()))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(LStr(Some(Cow::Owned(v))))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(LStr(Some(Cow::Borrowed(if v { "true" } else { "false" }))))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(LStr(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(LStr(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(LStr(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(LStr(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(LStr(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        IgnoredAny::deserialize(MapAccessDeserializer::new(map))?;
        Ok(LStr(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        IgnoredAny::deserialize(SeqAccessDeserializer::new(seq))?;
        Ok(LStr(None))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for LStr<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LStrVisitor(PhantomData))
    }
}

/// An object field parsed into `T` when it is an object; any other JSON type is absent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Obj<T>(pub(crate) Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

struct ObjVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjVisitor<T> {
    type Value = Obj<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(|v| Obj(Some(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        IgnoredAny::deserialize(SeqAccessDeserializer::new(seq))?;
        Ok(Obj(None))
    }
    fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ObjVisitor(PhantomData))
    }
}

/// An array field whose elements are parsed as `T` when it is an array; any other JSON type
/// is empty.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Arr<T>(pub(crate) Vec<T>);

impl<T> Default for Arr<T> {
    fn default() -> Self {
        Arr(Vec::new())
    }
}

struct ArrVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ArrVisitor<T> {
    type Value = Arr<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<T>()? {
            items.push(item);
        }
        Ok(Arr(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        IgnoredAny::deserialize(MapAccessDeserializer::new(map))?;
        Ok(Arr(Vec::new()))
    }
    fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Self::Value, E> {
        Ok(Arr(Vec::new()))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Arr(Vec::new()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Arr(Vec::new()))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Arr(Vec::new()))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Arr(Vec::new()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Arr(Vec::new()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Arr(Vec::new()))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Arr(Vec::new()))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Arr<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ArrVisitor(PhantomData))
    }
}

/// An integer field that also accepts numeric strings; anything else is absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LInt(pub(crate) Option<i64>);

impl<'de> Deserialize<'de> for LInt {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = LStr::deserialize(deserializer)?;
        Ok(LInt(text.get().and_then(|s| s.trim().parse::<i64>().ok())))
    }
}

/// Milliseconds since the epoch of an RFC 3339 timestamp (`2023-04-11T15:24:00Z`, with any
/// fraction and offset), or `None`.
pub(crate) fn parse_time_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Some(ms) = fast_utc_time(text.as_bytes()) {
        return Some(ms);
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
        .or_else(|| {
            // Some exporters write a space instead of `T`, or omit the zone (taken as UTC).
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
                .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f"))
                .ok()
                .map(|t| t.and_utc().timestamp_millis())
        })
}

/// The common CloudTrail / Kubernetes shape `YYYY-MM-DDTHH:MM:SS[.fff…]Z`, without chrono's
/// general parser.
fn fast_utc_time(b: &[u8]) -> Option<i64> {
    if b.len() < 20 || b.last() != Some(&b'Z') {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let mut n = 0u32;
        for &c in b.get(range)? {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
        }
        Some(n)
    };
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't'))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let year = digits(0..4)?;
    let month = digits(5..7)?;
    let day = digits(8..10)?;
    let hour = digits(11..13)?;
    let minute = digits(14..16)?;
    let second = digits(17..19)?;
    let mut millis = 0u32;
    let rest = b.get(19..b.len() - 1)?;
    if !rest.is_empty() {
        let (dot, frac) = rest.split_first()?;
        if *dot != b'.' || frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
        for i in 0..3 {
            millis = millis * 10 + frac.get(i).map_or(0, |c| u32::from(c - b'0'));
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let days = i64::from(date.num_days_from_ce()) - 719_163;
    Some(
        days * 86_400_000
            + i64::from(hour) * 3_600_000
            + i64::from(minute) * 60_000
            + i64::from(second) * 1000
            + i64::from(millis),
    )
}

use chrono::Datelike;

/// Parses `text` as an IP address (IPv6 brackets and a trailing `:port` on IPv4 tolerated).
pub(crate) fn parse_ip(text: &str) -> Option<std::net::IpAddr> {
    let text = text.trim();
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    let unbracketed = text.strip_prefix('[').and_then(|t| t.split(']').next());
    if let Some(inner) = unbracketed {
        return inner.parse().ok();
    }
    let (host, port) = text.rsplit_once(':')?;
    if port.bytes().all(|c| c.is_ascii_digit()) && !host.contains(':') {
        return host.parse().ok();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_to_millis() {
        assert_eq!(
            parse_time_ms("2023-04-11T15:24:00Z"),
            Some(1_681_226_640_000)
        );
        assert_eq!(
            parse_time_ms("2018-10-26T09:51:20.713631Z"),
            Some(1_540_547_480_713)
        );
        assert_eq!(
            parse_time_ms("2023-04-11T17:24:00+02:00"),
            Some(1_681_226_640_000)
        );
        assert_eq!(
            parse_time_ms("2020-09-14T00:44:23.000Z"),
            Some(1_600_044_263_000)
        );
        assert_eq!(parse_time_ms("yesterday"), None);
        assert_eq!(parse_time_ms("2023-13-11T15:24:00Z"), None);
    }

    #[test]
    fn lenient_types_never_fail() {
        #[derive(serde::Deserialize)]
        struct T<'a> {
            #[serde(borrow, default)]
            a: LStr<'a>,
            #[serde(default)]
            b: Obj<std::collections::BTreeMap<String, i64>>,
            #[serde(default)]
            c: Arr<i64>,
            #[serde(default)]
            d: LInt,
        }
        let t: T<'_> =
            serde_json::from_str(r#"{"a":{"x":[1]},"b":"s","c":{"k":1},"d":"42"}"#).unwrap();
        assert_eq!(t.a, LStr(None));
        assert_eq!(t.b, Obj(None));
        assert!(t.c.0.is_empty());
        assert_eq!(t.d, LInt(Some(42)));
        let t: T<'_> = serde_json::from_str(r#"{"a":12,"b":{"k":1},"c":[1,2],"d":null}"#).unwrap();
        assert_eq!(t.a.get(), Some("12"));
        assert_eq!(t.b.0.unwrap().get("k"), Some(&1));
        assert_eq!(t.c.0, vec![1, 2]);
        assert_eq!(t.d, LInt(None));
    }

    #[test]
    fn ips_parse_with_ports_and_brackets() {
        assert_eq!(parse_ip("1.2.3.4").unwrap().to_string(), "1.2.3.4");
        assert_eq!(parse_ip("1.2.3.4:443").unwrap().to_string(), "1.2.3.4");
        assert_eq!(parse_ip("[::1]:80").unwrap().to_string(), "::1");
        assert_eq!(parse_ip("ec2.amazonaws.com"), None);
    }
}
