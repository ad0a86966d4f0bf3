//! `RawRecord::view` reads what the parsed tree holds: every member and every array element of
//! generated records, walked through the lazy view in either order (elements before the
//! array's tree, or the tree first), equals the tree's value at the same place.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use logsec_event::{JsonValue, JsonView, RawRecord};
use proptest::prelude::*;

mod common;
use common::{json_value, object};

/// Whether to ask for a container's tree before walking into it.
#[derive(Clone, Copy, Debug)]
enum Order {
    ElementsFirst,
    TreeFirst,
}

/// Checks that `view` holds `tree`, walking every member and element.
fn same(view: JsonView<'_, '_>, tree: &JsonValue<'_>, order: Order) {
    if matches!(order, Order::TreeFirst) {
        assert_eq!(view.value(), Some(tree));
    }
    match tree {
        JsonValue::Object(members) => {
            assert!(view.elements().is_none());
            for (key, _) in members {
                // Repeated names: both read the first.
                let first = tree.get(key).unwrap();
                same(view.get(key).expect("member"), first, order);
            }
            assert!(view.get("\u{0}absent").is_none());
        }
        JsonValue::Array(items) => {
            let elements: Vec<JsonView<'_, '_>> = view.elements().expect("an array").collect();
            assert_eq!(elements.len(), items.len());
            assert_eq!(view.elements().unwrap().len(), items.len());
            for (element, item) in elements.into_iter().zip(items) {
                same(element, item, order);
            }
            assert!(view.get("0").is_none());
        }
        other => {
            assert!(view.elements().is_none());
            assert!(view.get("a").is_none());
            assert_eq!(view.as_str(), other.as_str());
        }
    }
    assert_eq!(view.value(), Some(tree));
}

fn check(text: &str) {
    let tree = JsonValue::parse(text).unwrap();
    for order in [Order::ElementsFirst, Order::TreeFirst] {
        let raw = RawRecord::json(text);
        same(raw.view().expect("valid JSON"), &tree, order);
        let raw = RawRecord::json_validated(text);
        same(raw.view().expect("valid JSON"), &tree, order);
        same(JsonView::from_tree(&tree), &tree, order);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn views_of_generated_records_equal_their_trees(text in object(json_value())) {
        check(&text);
    }

    #[test]
    fn views_of_generated_values_equal_their_trees(text in json_value()) {
        check(&text);
    }
}

#[test]
fn tricky_records_read_the_same_through_the_view() {
    for text in [
        r#"{"spec":{"containers":[{"image":"nginx","securityContext":{"privileged":true}},{"image":"a\"b"}]}}"#,
        r#" { "a" : [ "x" , "y\\z" , [ ] , { } , [ 1 , [ "]" ] ] , null , true , -1.5e3 ] , "a" : 2 } "#,
        r#"{"a":[],"b":[[]],"c":[{"k":1},{"k":2},{"j":3}],"d":"[not an array]"}"#,
        r#"[{"image":"x"},"y",3]"#,
        r#""just a string""#,
        "[]",
    ] {
        check(text);
    }
}

#[test]
fn an_array_parsed_first_still_gives_its_elements() {
    let text = r#"{"c":[{"image":"nginx"},{"image":"busybox"}]}"#;
    let raw = RawRecord::json(text);
    let containers = raw.view().unwrap().get("c").unwrap();
    // The tree first: the elements are then the tree's items.
    let tree = containers.value().unwrap();
    assert!(matches!(tree, JsonValue::Array(items) if items.len() == 2));
    let images: Vec<&str> = containers
        .elements()
        .unwrap()
        .filter_map(|c| c.get("image")?.as_str())
        .collect();
    assert_eq!(images, ["nginx", "busybox"]);
}

#[test]
fn records_without_a_view() {
    assert!(RawRecord::text("a b c").view().is_none());
    assert!(RawRecord::json("{\"a\":").view().is_none());
    assert!(RawRecord::json("[1,").view().is_none());
}
