//! A borrowed view of one value of a JSON record that walks the record's lazy view when it has
//! one, so a reader of a few members deep inside arrays of objects (a pod's containers'
//! images) parses only those members, never the arrays around them.

use crate::json::JsonValue;
use crate::members::{Elements, LazyNode};

/// One value of a JSON record, read through the record's lazy view when it has one
/// ([`crate::RawRecord::view`]) or through a parsed tree ([`JsonView::from_tree`]).
///
/// Every read gives what the same read on the parsed tree gives: [`JsonView::get`] is
/// [`JsonValue::get`] (the first member of a repeated name), [`JsonView::elements`] the items of
/// an array, [`JsonView::value`] the value's tree. On the lazy view objects and arrays are cut
/// into members and elements once per record, and a value is parsed only when its tree is asked
/// for (a string without escapes not even then).
///
/// ```
/// use logsec_event::RawRecord;
///
/// let raw = RawRecord::json(r#"{"spec":{"containers":[{"image":"nginx"},{"image":"busybox"}]}}"#);
/// let view = raw.view().expect("a JSON record");
/// let images: Vec<&str> = view
///     .pointer(&["spec", "containers"])
///     .and_then(|containers| containers.elements())
///     .into_iter()
///     .flatten()
///     .filter_map(|container| container.get("image")?.as_str())
///     .collect();
/// assert_eq!(images, ["nginx", "busybox"]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct JsonView<'n, 'a> {
    inner: Inner<'n, 'a>,
}

#[derive(Debug, Clone, Copy)]
enum Inner<'n, 'a> {
    Lazy(&'n LazyNode<'a>),
    Tree(&'n JsonValue<'a>),
}

impl<'n, 'a> JsonView<'n, 'a> {
    /// The view of a node of a record's lazy view.
    pub(crate) fn lazy(node: &'n LazyNode<'a>) -> JsonView<'n, 'a> {
        JsonView {
            inner: Inner::Lazy(node),
        }
    }

    /// The view of a parsed tree.
    pub fn from_tree(tree: &'n JsonValue<'a>) -> JsonView<'n, 'a> {
        JsonView {
            inner: Inner::Tree(tree),
        }
    }

    /// The member `key` of an object (the first, if repeated); `None` if this is not an object
    /// or it has no such member.
    pub fn get(self, key: &str) -> Option<JsonView<'n, 'a>> {
        match self.inner {
            Inner::Lazy(node) => node.member(key)?.map(JsonView::lazy),
            Inner::Tree(tree) => tree.get(key).map(JsonView::from_tree),
        }
    }

    /// Walks a sequence of object keys, as [`JsonValue::pointer`] does.
    pub fn pointer(self, keys: &[&str]) -> Option<JsonView<'n, 'a>> {
        keys.iter().try_fold(self, |view, key| view.get(key))
    }

    /// The value's tree (parsed now if this is the first access; a string without escapes
    /// and the literals are made without parsing).
    pub fn value(self) -> Option<&'n JsonValue<'a>> {
        match self.inner {
            Inner::Lazy(node) => node.tree(),
            Inner::Tree(tree) => Some(tree),
        }
    }

    /// The string, if this is one.
    pub fn as_str(self) -> Option<&'n str> {
        match self.value()? {
            JsonValue::String(text) => Some(text),
            _ => None,
        }
    }

    /// The elements of an array, in order; `None` if this is not an array.
    pub fn elements(self) -> Option<JsonViewElements<'n, 'a>> {
        let elements = match self.inner {
            Inner::Lazy(node) => node.elements()?,
            Inner::Tree(JsonValue::Array(items)) => Elements::Trees(items),
            Inner::Tree(_) => return None,
        };
        Some(JsonViewElements {
            elements,
            position: 0,
        })
    }
}

/// The elements of an array seen through a [`JsonView`] ([`JsonView::elements`]).
#[derive(Debug, Clone)]
pub struct JsonViewElements<'n, 'a> {
    elements: Elements<'n, 'a>,
    position: usize,
}

impl<'n, 'a> Iterator for JsonViewElements<'n, 'a> {
    type Item = JsonView<'n, 'a>;

    fn next(&mut self) -> Option<JsonView<'n, 'a>> {
        let item = match self.elements {
            Elements::Nodes(nodes) => nodes.get(self.position).map(JsonView::lazy),
            Elements::Trees(items) => items.get(self.position).map(JsonView::from_tree),
        };
        self.position += usize::from(item.is_some());
        item
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = match self.elements {
            Elements::Nodes(nodes) => nodes.len(),
            Elements::Trees(items) => items.len(),
        };
        let left = len.saturating_sub(self.position);
        (left, Some(left))
    }
}

impl ExactSizeIterator for JsonViewElements<'_, '_> {}
