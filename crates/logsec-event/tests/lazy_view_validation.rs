//! The validating pass behind a borrowed `RawRecord::json` object (its lazy member view)
//! accepts exactly the JSON objects `serde_json` parses into a `serde_json::Value`, and its
//! members are the object's members: differential tests against serde_json on generated
//! objects, on mutations of them, and on hand-picked edge cases — with and without a
//! [`CutPlan`] (nested objects cut in the validating pass), which must not change any verdict
//! or read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use logsec_event::{CutPlan, JsonValue, RawRecord};
use proptest::prelude::*;

mod common;
use common::{json_value, object, ws};

/// serde_json's verdict: the text parses into a `Value` and that value is an object.
fn serde_accepts(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.is_object())
}

/// A plan naming keys the keyed generator ([`keyed_object`]) uses, nested three deep.
const PLAN: CutPlan = CutPlan::new(&[
    (
        "a",
        CutPlan::new(&[
            ("b", CutPlan::new(&[("a", CutPlan::NONE)])),
            ("c", CutPlan::NONE),
        ]),
    ),
    ("c", CutPlan::NONE),
]);

/// [`check_with`] without a cut plan and with [`PLAN`].
fn check(text: &str) {
    check_with(text, CutPlan::NONE);
    check_with(text, PLAN);
}

/// The value at `keys` read through the lazy view equals the tree's, for every path of up to
/// four keys the tree holds.
fn same_reads(raw: &RawRecord<'_>, tree: &JsonValue<'_>, keys: &mut Vec<String>, text: &str) {
    let JsonValue::Object(pairs) = tree else {
        return;
    };
    for (key, _) in pairs.iter() {
        keys.push(key.to_string());
        let path: Vec<&str> = keys.iter().map(String::as_str).collect();
        // Repeated keys: both sides read the first member of a name.
        let expected = tree.get(key);
        assert_eq!(raw.pointer(&path), expected, "{text:?} at {path:?}");
        if keys.len() < 4
            && let Some(inner) = expected
        {
            same_reads(raw, inner, keys, text);
        }
        keys.pop();
    }
}

/// Checks the verdict (for text that starts as an object: the lazy view exists exactly when
/// serde_json accepts it), and for an accepted object that the member names are the object's
/// keys in order and every member holds the value parsed at that place; the record's
/// validating pass follows `plan`.
fn check_with(text: &str, plan: CutPlan) {
    let raw = RawRecord::json(text).with_cut_plan(plan);
    let names: Option<Vec<String>> = raw
        .member_names()
        .map(|names| names.map(str::to_owned).collect());
    if text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .starts_with('{')
    {
        assert_eq!(
            names.is_some(),
            serde_accepts(text),
            "verdicts differ on {text:?}"
        );
        assert_eq!(raw.is_valid_json(), serde_accepts(text), "{text:?}");
    } else {
        assert!(names.is_none(), "{text:?}");
    }
    if let Some(names) = names {
        let tree = JsonValue::parse(text).unwrap();
        let JsonValue::Object(pairs) = &tree else {
            panic!("an accepted object parses as one: {text:?}");
        };
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(names, keys, "{text:?}");
        for (key, _) in pairs.iter() {
            assert_eq!(raw.member(key), tree.get(key), "{text:?} member {key}");
        }
        same_reads(&raw, &tree, &mut Vec::new(), text);
    }
}

/// An object whose keys come from a few names (`a`, `b`, `c`, also escaped), nested up to
/// four deep, so [`PLAN`]'s names meet objects, other values and repeats.
fn keyed_object() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("\"a\""),
        Just("\"b\""),
        Just("\"c\""),
        Just("\"\\u0061\""),
        Just("\"d\"")
    ];
    let leaf = prop_oneof![json_value(), Just("{}".to_owned())];
    leaf.prop_recursive(4, 40, 5, move |inner| {
        prop::collection::vec((ws(), key.clone(), ws(), inner), 0..5).prop_map(|members| {
            let members: Vec<String> = members
                .into_iter()
                .map(|(a, k, b, v)| format!("{a}{k}:{b}{v}"))
                .collect();
            format!("{{{}}}", members.join(","))
        })
    })
}

/// Edits that break JSON in the ways a cutter could overlook.
const TOKENS: &[&str] = &[
    "\"", "\\", ",", ":", "{", "}", "[", "]", "0", "-", "e", ".", "+", "\u{1}", "\u{1f}", "\\u",
    "\\uD800", "\\uDC00", "x", " ", "1e400", "tru", "nul", "\"a\":1", "\t", "\u{7f}", "é",
];

fn mutate(text: &str, edits: &[(usize, usize, bool)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(at, token, delete) in edits {
        let at = at % (chars.len() + 1);
        if delete && at < chars.len() {
            chars.remove(at);
        } else {
            let token = TOKENS[token % TOKENS.len()];
            for (i, c) in token.chars().enumerate() {
                chars.insert(at + i, c);
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_objects_are_accepted_with_their_members(
        text in object(json_value()),
        lead in ws(),
        trail in ws(),
    ) {
        let text = format!("{lead}{text}{trail}");
        prop_assert!(serde_accepts(&text), "the generator makes valid JSON: {text}");
        check(&text);
    }

    #[test]
    fn mutated_objects_get_serde_json_s_verdict(
        text in object(json_value()),
        edits in prop::collection::vec((any::<usize>(), any::<usize>(), any::<bool>()), 1..4),
    ) {
        check(&mutate(&text, &edits));
    }

    #[test]
    fn keyed_objects_read_alike_cut_in_the_pass_or_later(
        text in keyed_object(),
        edits in prop::collection::vec((any::<usize>(), any::<usize>(), any::<bool>()), 0..3),
    ) {
        check(&text);
        check(&mutate(&text, &edits));
    }

    #[test]
    fn arbitrary_text_gets_serde_json_s_verdict(text in "[{}\\[\\]\",:0-9a-z\\\\ .eE+-]{0,40}") {
        check(&text);
    }
}

#[test]
fn edge_cases_get_serde_json_s_verdict() {
    let cases = [
        "{}",
        " { } ",
        "{} x",
        "{},",
        "{}{}",
        "[]",
        "\"s\"",
        "1",
        "",
        "{",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{,\"a\":1}",
        "{\"a\" 1}",
        "{a:1}",
        "{'a':1}",
        "{\"a\":01}",
        "{\"a\":-0}",
        "{\"a\":-}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":1e}",
        "{\"a\":1e+}",
        "{\"a\":1E-7}",
        "{\"a\":+1}",
        "{\"a\":1e308}",
        "{\"a\":1e309}",
        "{\"a\":-1e309}",
        "{\"a\":1e-400}",
        "{\"a\":0e99999999999}",
        "{\"a\":123456789012345678901234567890}",
        "{\"a\":NaN}",
        "{\"a\":Infinity}",
        "{\"a\":tru}",
        "{\"a\":truex}",
        "{\"a\":nulll}",
        "{\"a\":[1,]}",
        "{\"a\":[,1]}",
        "{\"a\":[1 2]}",
        "{\"a\":{\"b\":[{}]}}",
        "{\"a\":\"\u{1}\"}",
        "{\"a\":\"\t\"}",
        "{\"a\":\"\u{7f}\"}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\u12G4\"}",
        "{\"a\":\"\\uD800\"}",
        "{\"a\":\"\\uDC00\"}",
        "{\"a\":\"\\uD800\\u0041\"}",
        "{\"a\":\"\\uD800\\n\"}",
        "{\"a\":\"\\uD800\\uDBFF\"}",
        "{\"a\":\"\\uDBFF\\uDFFF\"}",
        "{\"\\uD800\":1}",
        "{\"\\u0041\":1,\"A\":2}",
        "{\"a\":\"x\" \"y\"}",
        "{\"a\":\"unterminated}",
        "{\"a\":\"abcdefgh\\\"ijklmnop\"}",
        "{\"k\":1,\"k\":2}",
        "\u{feff}{}",
    ];
    for case in cases {
        check(case);
    }
}

/// The string scans test sixteen bytes at a time and finish a text's last bytes one by one:
/// a stop byte (quote, backslash, control character) at every offset of keys and values of
/// every length up to three blocks, near and at the end of the text, gets serde_json's verdict.
#[test]
fn stop_bytes_at_every_offset_of_a_block_get_serde_json_s_verdict() {
    let stops = [
        "\"", "\\", "\\n", "\\u00e9", "\\x", "\n", "\u{1}", "\u{1f}", "\u{7f}", "é",
    ];
    for len in 0..48 {
        for at in 0..=len {
            for stop in stops {
                let mut body = "a".repeat(len);
                body.insert_str(at, stop);
                check(&format!("{{\"{body}\":1}}"));
                check(&format!("{{\"k\":\"{body}\"}}"));
                check(&format!(
                    "{{\"k\":[\"{body}\",\"{body}\"],\"n\":{{\"m\":\"{body}\"}}}}"
                ));
            }
        }
    }
}

#[test]
fn nesting_is_limited_where_serde_json_limits_it() {
    for depth in [1usize, 2, 64, 126, 127, 128, 129, 200] {
        // `depth` levels in all, the outer object included.
        let inner = depth - 1;
        let text = format!("{{\"a\":{}1{}}}", "[".repeat(inner), "]".repeat(inner));
        check(&text);
        let text = format!(
            "{{\"a\":{}{{}}{}}}",
            "{\"b\":".repeat(inner.saturating_sub(1)),
            "}".repeat(inner.saturating_sub(1))
        );
        check(&text);
    }
    let limit = format!("{{\"a\":{}1{}}}", "[".repeat(126), "]".repeat(126));
    assert!(RawRecord::json(limit.as_str()).member_names().is_some());
    let past = format!("{{\"a\":{}1{}}}", "[".repeat(127), "]".repeat(127));
    assert!(RawRecord::json(past.as_str()).member_names().is_none());
}
