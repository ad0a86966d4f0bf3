//! JSON text generators shared by the lazy-view property tests: values of every kind, with
//! whitespace, escapes (surrogate pairs included) and numbers in every notation.
#![allow(dead_code)]

use proptest::prelude::*;

/// Whitespace between tokens, mostly none.
pub(crate) fn ws() -> impl Strategy<Value = &'static str> {
    prop_oneof![4 => Just(""), 1 => Just(" "), 1 => Just("\n\t"), 1 => Just("\r ")]
}

/// A JSON string literal, with escapes and non-ASCII text.
pub(crate) fn json_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => "[a-zA-Z0-9 :/._-]{1,6}",
        1 => Just("é€".to_owned()),
        1 => Just("\\n".to_owned()),
        1 => Just("\\\"".to_owned()),
        1 => Just("\\\\".to_owned()),
        1 => Just("\\/".to_owned()),
        1 => "\\\\u[0-7a-cA-CeEfF][0-9a-fA-F]{3}",
        1 => Just("\\uD83D\\uDE00".to_owned()),
        1 => Just("\\ud800\\udc00".to_owned()),
    ];
    prop::collection::vec(piece, 0..5).prop_map(|pieces| format!("\"{}\"", pieces.concat()))
}

/// A JSON number literal.
pub(crate) fn json_number() -> impl Strategy<Value = String> {
    "-?(0|[1-9][0-9]{0,20})(\\.[0-9]{1,4})?([eE][+-]?[0-9]{1,2})?"
}

/// Any JSON value, nested up to five deep.
pub(crate) fn json_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        json_number(),
        json_string(),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec((ws(), inner.clone(), ws()), 0..5).prop_map(|items| {
                let items: Vec<String> = items
                    .into_iter()
                    .map(|(a, v, b)| format!("{a}{v}{b}"))
                    .collect();
                format!("[{}]", items.join(","))
            }),
            object(inner),
        ]
    })
}

/// A JSON object whose members are `value`s.
pub(crate) fn object(value: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    prop::collection::vec((ws(), json_string(), ws(), ws(), value), 0..6).prop_map(|members| {
        let members: Vec<String> = members
            .into_iter()
            .map(|(a, k, b, c, v)| format!("{a}{k}{b}:{c}{v}"))
            .collect();
        format!("{{{}}}", members.join(","))
    })
}
