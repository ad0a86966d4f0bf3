//! A located YAML tree: every node keeps the line and column it came from, so that load
//! diagnostics can point at the exact item and key.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A position in a rules file (1-based; 0 when unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Line, 1-based.
    pub line: u64,
    /// Column, 1-based.
    pub column: u64,
}

/// A YAML node with its position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) pos: Position,
    pub(crate) value: NodeValue,
}

/// The node kinds Falco rule files use.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The scalar text of this node (strings, numbers, booleans), as Falco reads scalars.
    pub(crate) fn scalar_text(&self) -> Option<String> {
        match &self.value {
            NodeValue::Str(text) => Some(text.clone()),
            NodeValue::Int(n) => Some(n.to_string()),
            NodeValue::Float(f) => Some(f.to_string()),
            NodeValue::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub(crate) fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            NodeValue::Map(members) => Some(members),
            _ => None,
        }
    }

    pub(crate) fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            NodeValue::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The value under `key` of a mapping node.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| matches!(&k.value, NodeValue::Str(s) if s == key))
            .map(|(_, v)| v)
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self.value, NodeValue::Null)
    }

    pub(crate) fn kind_name(&self) -> &'static str {
        match self.value {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Int(_) | NodeValue::Float(_) => "a number",
            NodeValue::Str(_) => "a string",
            NodeValue::Seq(_) => "a sequence",
            NodeValue::Map(_) => "a mapping",
        }
    }
}

struct NodeValueVisitor;

impl<'de> Visitor<'de> for NodeValueVisitor {
    type Value = NodeValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<NodeValue, E> {
        Ok(NodeValue::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NodeValue, E> {
        Ok(NodeValue::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NodeValue, E> {
        Ok(i64::try_from(v).map_or(NodeValue::Str(v.to_string()), NodeValue::Int))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<NodeValue, E> {
        Ok(NodeValue::Str(v.to_string()))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<NodeValue, E> {
        Ok(NodeValue::Str(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NodeValue, E> {
        Ok(NodeValue::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<NodeValue, E> {
        Ok(NodeValue::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<NodeValue, E> {
        Ok(NodeValue::Str(v))
    }
    fn visit_none<E: de::Error>(self) -> Result<NodeValue, E> {
        Ok(NodeValue::Null)
    }
    fn visit_unit<E: de::Error>(self) -> Result<NodeValue, E> {
        Ok(NodeValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<NodeValue, D::Error> {
        d.deserialize_any(NodeValueVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NodeValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(NodeValue::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeValue, A::Error> {
        let mut members = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            members.push((key, value));
        }
        Ok(NodeValue::Map(members))
    }
}

impl<'de> Deserialize<'de> for NodeValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeValueVisitor)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<NodeValue>::deserialize(d)?;
        Ok(Node {
            pos: Position {
                line: spanned.referenced.line(),
                column: spanned.referenced.column(),
            },
            value: spanned.value,
        })
    }
}

/// Parses every YAML document of `text`; empty documents are skipped.
pub(crate) fn parse_documents(text: &str) -> Result<Vec<Node>, (String, Position)> {
    // YAML 1.2 booleans only: yaml-cpp (Falco) reads `off`, `yes`, `n` as the strings they
    // are when a string is expected, and rule names and list items are strings.
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_anchors: 10_000,
        },
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
    };
    serde_saphyr::from_multiple_with_options::<Node>(text, options).map_err(|err| {
        let pos = err.location().map_or(Position::default(), |loc| Position {
            line: loc.line(),
            column: loc.column(),
        });
        (err.to_string(), pos)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_booleans_stay_strings() {
        let docs = parse_documents("- [off, yes, n, true, 0777]\n").unwrap();
        let items: Vec<Option<String>> = docs[0].as_seq().unwrap()[0]
            .as_seq()
            .unwrap()
            .iter()
            .map(Node::scalar_text)
            .collect();
        let expected = ["off", "yes", "n", "true", "0777"].map(|s| Some(s.to_owned()));
        assert_eq!(items, expected);
    }

    #[test]
    fn nodes_keep_line_and_column() {
        let docs = parse_documents("- rule: a\n  enabled: false\n  items: [1, x]\n").unwrap();
        assert_eq!(docs.len(), 1);
        let seq = docs[0].as_seq().unwrap();
        let item = &seq[0];
        assert_eq!(item.pos.line, 1);
        let enabled = item.get("enabled").unwrap();
        assert_eq!(enabled.value, NodeValue::Bool(false));
        assert_eq!(
            enabled.pos,
            Position {
                line: 2,
                column: 12
            }
        );
        let items = item.get("items").unwrap().as_seq().unwrap();
        assert_eq!(items[0].value, NodeValue::Int(1));
        assert_eq!(
            items[1].pos,
            Position {
                line: 3,
                column: 14
            }
        );
    }
}
