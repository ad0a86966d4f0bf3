//! Helpers for the text-format unit tests: run a parser, read raw fields, mutate lines.

use logsec_event::{Event, FieldPath};
use proptest::prelude::*;

use crate::line::{LineOutcome, LineParser};

/// Parses `line` and returns its event, failing the test otherwise.
pub(crate) fn event_of<'a>(parser: &mut dyn LineParser, line: &'a str) -> Event<'a> {
    match parser.parse_line(line) {
        LineOutcome::Event(event) => *event,
        other => panic!("expected an event for {line:?}, got {other:?}"),
    }
}

/// The raw (unmapped) field `name` rendered as a string, if present.
pub(crate) fn raw(event: &Event<'_>, name: &str) -> Option<String> {
    let path = FieldPath::raw(name).ok()?;
    let value = event.get(&path);
    if value.is_missing() {
        return None;
    }
    Some(match value.as_str() {
        Some(text) => text.to_owned(),
        None => match value.as_i64() {
            Some(n) => n.to_string(),
            None => match value.as_bool() {
                Some(b) => b.to_string(),
                None => format!("{value:?}"),
            },
        },
    })
}

/// One edit of a line: insert, delete or replace a character at a position (taken modulo
/// the line's length).
#[derive(Debug, Clone)]
pub(crate) enum Edit {
    Insert(usize, char),
    Delete(usize),
    Replace(usize, char),
    Truncate(usize),
}

/// A strategy of edit lists that bias towards the delimiters text parsers care about.
pub(crate) fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let ch = prop_oneof![
        Just(' '),
        Just('"'),
        Just('['),
        Just(']'),
        Just('-'),
        Just(':'),
        Just('{'),
        Just('\\'),
        Just('%'),
        Just('\t'),
        Just('1'),
        any::<char>(),
    ];
    let edit = prop_oneof![
        (any::<usize>(), ch.clone()).prop_map(|(i, c)| Edit::Insert(i, c)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), ch).prop_map(|(i, c)| Edit::Replace(i, c)),
        any::<usize>().prop_map(Edit::Truncate),
    ];
    proptest::collection::vec(edit, 0..8)
}

/// Applies `edits` to `base` one by one and feeds every intermediate line to `parser`.
pub(crate) fn mutations_never_panic(parser: &mut dyn LineParser, base: &str, edits: &[Edit]) {
    for line in mutations(base, edits) {
        let _ = parser.parse_line(&line);
    }
}

/// The lines `edits` make of `base`, applied one by one: every intermediate line.
pub(crate) fn mutations(base: &str, edits: &[Edit]) -> Vec<String> {
    let mut lines = Vec::with_capacity(edits.len());
    let mut chars: Vec<char> = base.chars().collect();
    for edit in edits {
        let len = chars.len().max(1);
        match *edit {
            Edit::Insert(i, c) => chars.insert(i % (chars.len() + 1), c),
            Edit::Delete(i) if !chars.is_empty() => {
                chars.remove(i % len);
            }
            Edit::Replace(i, c) if !chars.is_empty() => chars[i % len] = c,
            Edit::Truncate(i) => chars.truncate(i % len),
            _ => {}
        }
        lines.push(chars.iter().collect());
    }
    lines
}
