//! Inputs shared by the framing and deferred-parsing tests.
#![allow(dead_code)]

use logsec_parse::{Limits, ParseOptions};

/// Limits small enough for [`records_with_bad_elements`] to cross each of them.
pub(crate) fn small_limits() -> ParseOptions {
    ParseOptions {
        limits: Limits {
            max_record_bytes: 600,
            max_depth: 5,
            max_fields: 12,
        },
        ..ParseOptions::default()
    }
}

/// A `{"Records":[…]}` file whose elements are, by index: 0 the record made by `ok("A")`, 1
/// malformed, 2 too deep, 3 nested within the limit ("Nested"), 4 too wide, 5 too large, 6 a
/// string, 7… the `extra` elements, then one that is not UTF-8 and last `ok("Z")`; under
/// [`small_limits`].
pub(crate) fn records_with_bad_elements(ok: impl Fn(&str) -> String, extra: &[&str]) -> Vec<u8> {
    let malformed = r#"{"eventName": oops}"#;
    // Depth 5 in the array: one more than an element may have under max_depth 5.
    let deep = r#"{"eventName":"Deep","a":{"b":{"c":{"d":{"e":1}}}}}"#;
    // Depth 4: allowed.
    let nested = r#"{"eventName":"Nested","a":{"b":{"c":[1]}}}"#;
    let wide = format!(
        r#"{{"eventName":"Wide",{}}}"#,
        (0..13)
            .map(|i| format!("\"k{i}\":1"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let big = format!(r#"{{"eventName":"Big","pad":"{}"}}"#, "x".repeat(700));
    let mut input = format!(
        "{{\"Records\":[{},{malformed},{deep},{nested},{wide},{big},\"text\",",
        ok("A")
    )
    .into_bytes();
    for element in extra {
        input.extend_from_slice(element.as_bytes());
        input.push(b',');
    }
    input.extend_from_slice(b"{\"eventName\":\"Bad\xff\"},");
    input.extend_from_slice(format!("{}]}}", ok("Z")).as_bytes());
    input
}
