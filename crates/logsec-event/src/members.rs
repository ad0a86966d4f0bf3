//! A lazy view of a JSON record: objects are cut into members only when a path walks into
//! them, and values are parsed only when read.
//!
//! Rules read a handful of raw paths per record (`eventName`, `userIdentity.type`,
//! `requestParameters.bucketName`, `objectRef.resource`). Building the whole [`JsonValue`] tree
//! for that costs about as much as the record's typed parse. Here a cheap structural pass cuts
//! an object into its members (key and value text) the first time a path enters it; a plain
//! string leaf is read straight from the text, and only a value that must be handed out as a
//! tree (an array a path fans out over, an object, a number) is parsed — that value alone.
//!
//! The passes only find boundaries; they do not validate. The view is used for records the
//! caller has already parsed successfully (see [`crate::RawRecord::json_validated`]), where the
//! text of every value is valid JSON.

use std::borrow::Cow;
use std::mem::ManuallyDrop;

use once_cell::race::OnceBox;
use serde::de::{self, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::block::{first_stop, has_control_byte};
use crate::json::{BorrowingKey, JsonNumber, JsonValue};
use crate::path::{Segment, walk};
use crate::value::FieldValue;

/// One member of an object: its name and its value.
#[derive(Debug, Clone)]
struct Member<'a> {
    /// The name's first eight bytes as a word ([`key_prefix`]): a look-up compares it before
    /// the name, so passing a member costs one comparison, even among names that share a
    /// length and a first byte (`eventName`, `eventTime`, `eventType`).
    prefix: u64,
    /// The name, unescaped.
    name: Cow<'a, str>,
    /// The value.
    node: LazyNode<'a>,
}

impl<'a> Member<'a> {
    fn new(name: Cow<'a, str>, node: LazyNode<'a>) -> Member<'a> {
        Member {
            prefix: key_prefix(&name),
            name,
            node,
        }
    }
}

impl Member<'_> {
    /// Whether the member is named `key`, whose [`key_prefix`] is `prefix`.
    #[inline]
    fn is_named(&self, prefix: u64, key: &str) -> bool {
        // Names of at most eight bytes are equal when their lengths and prefixes are.
        self.prefix == prefix
            && self.name.len() == key.len()
            && (key.len() <= 8 || same_tail(self.name.as_bytes(), key.as_bytes()))
    }
}

/// Whether two names of one length above eight bytes, whose first eight bytes are equal,
/// are equal: up to sixteen bytes their last eight (overlapping the first) decide in one
/// comparison, without a `memcmp` call (`objectRef`, `requestObject`, `annotations`).
#[inline]
fn same_tail(name: &[u8], key: &[u8]) -> bool {
    if key.len() <= 16
        && let (Some(a), Some(b)) = (name.last_chunk::<8>(), key.last_chunk::<8>())
    {
        return a == b;
    }
    name.get(8..) == key.get(8..)
}

/// The first eight bytes of `key` (zero-padded) as a little-endian word.
#[inline]
fn key_prefix(key: &str) -> u64 {
    let bytes = key.as_bytes();
    if let Some(head) = bytes.first_chunk::<8>() {
        return u64::from_le_bytes(*head);
    }
    // Four to seven bytes: two overlapping four-byte loads (the overlap holds equal bytes).
    if let (Some(low), Some(high)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        let shift = 8 * (bytes.len() - 4);
        return u64::from(u32::from_le_bytes(*low))
            | (u64::from(u32::from_le_bytes(*high)) << shift);
    }
    let mut word = 0u64;
    for (i, &b) in bytes.iter().enumerate() {
        word |= u64::from(b) << (8 * i);
    }
    word
}

/// Objects with fewer members are searched in order: a short scan costs less than a hash.
const INDEX_MIN: usize = 9;
/// Objects with more members are searched in order too (rare in log records).
const INDEX_MAX: usize = 48;
/// Slots of an object's index: at most three quarters used, so a probe ends soon.
const INDEX_SLOTS: usize = 64;

/// Where the probe for a name with this [`key_prefix`] and length starts in an index.
#[inline]
fn index_slot(prefix: u64, len: usize) -> usize {
    let hash = (prefix ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (hash >> 58) as usize
}

/// An open-addressing index of `members` (slot: 1 + the member's position, 0 empty), for
/// objects of [`INDEX_MIN`] to [`INDEX_MAX`] members: a record's top level is looked up
/// dozens of times (every rule reads a few paths from it), and scanning 15 to 26 members each
/// time cost more than the index does to build. Members are inserted in input order, so the
/// probe meets the first of repeated names first.
fn build_index(members: &[Member<'_>]) -> Option<[u8; INDEX_SLOTS]> {
    if !(INDEX_MIN..=INDEX_MAX).contains(&members.len()) {
        return None;
    }
    let mut table = [0u8; INDEX_SLOTS];
    for (position, member) in members.iter().enumerate() {
        let mut slot = index_slot(member.prefix, member.name.len());
        // The table has free slots (INDEX_MAX < INDEX_SLOTS), so the probe ends.
        while table.get(slot).is_some_and(|&taken| taken != 0) {
            slot = (slot + 1) % INDEX_SLOTS;
        }
        *table.get_mut(slot)? = u8::try_from(position + 1).ok()?;
    }
    Some(table)
}

/// The first of `members` named `key`, through `index` when the object has one.
#[inline]
fn find_member<'m, 'a>(
    members: &'m [Member<'a>],
    index: Option<&[u8; INDEX_SLOTS]>,
    key: &str,
) -> Option<&'m LazyNode<'a>> {
    let prefix = key_prefix(key);
    let Some(table) = index else {
        return members
            .iter()
            .find(|m| m.is_named(prefix, key))
            .map(|m| &m.node);
    };
    let mut slot = index_slot(prefix, key.len());
    loop {
        let position = usize::from(*table.get(slot)?);
        let member = members.get(position.checked_sub(1)?)?;
        if member.is_named(prefix, key) {
            return Some(&member.node);
        }
        slot = (slot + 1) % INDEX_SLOTS;
    }
}

/// An object's members, in input order.
type Members<'a> = Vec<Member<'a>>;

/// Containers may nest this deep at most: `serde_json` refuses the 128th level.
const MAX_DEPTH: usize = 127;

/// How many members a nested object's cut makes room for at first: most nested objects of
/// log records (`userIdentity`, `objectRef`, `user`) hold a handful.
const NESTED_CAPACITY: usize = 8;

/// How many members the record's own cut makes room for at first: a CloudTrail record has
/// 20 to 26 top-level members, a Kubernetes audit record about 15.
const TOP_CAPACITY: usize = 32;

/// One JSON value of a validated record: its text and what has been made of it so far.
///
/// Most leaves a rule reads are strings without escapes: their tree is made when the object
/// holding them is cut (borrowing the text, no allocation), so reading one fills no cell. Any
/// other value has a cell, a race-free pointer set once ([`OnceBox`]): a value never read
/// costs nothing to make or drop.
#[derive(Debug, Clone)]
pub(crate) struct LazyNode<'a> {
    /// The value's JSON text.
    raw: &'a str,
    /// The value's tree, or the cell for what is made of it on first access.
    slot: Slot<'a>,
}

/// A [`LazyNode`]'s tree, made with the node or on first access.
#[derive(Debug, Clone)]
enum Slot<'a> {
    /// A string without escapes or a literal, made with the node. Such a tree owns nothing
    /// (the string is borrowed), so it needs no dropping: kept in a `ManuallyDrop`, it spares
    /// every member of a dropped record a call into `JsonValue`'s drop glue (a tenth of a
    /// record's scan went to dropping its member lists).
    Ready(ManuallyDrop<JsonValue<'a>>),
    /// A small object cut by the validating pass (a cut plan's `userIdentity`, `objectRef`):
    /// its members kept in the node, so no cell is allocated and freed per record.
    Cut(CutObject<'a>),
    /// Made on first access: an object's members, or another value's tree.
    Lazy(OnceBox<State<'a>>),
}

/// An object cut into members when its node was made, of fewer than [`INDEX_MIN`] members
/// (no index).
#[derive(Debug, Clone)]
struct CutObject<'a> {
    members: Members<'a>,
    /// The object's tree, when asked for.
    tree: OnceBox<Option<JsonValue<'a>>>,
}

impl Drop for CutObject<'_> {
    fn drop(&mut self) {
        spare_members(std::mem::take(&mut self.members));
    }
}

/// What a [`LazyNode`] has made of its text.
#[derive(Debug, Clone)]
enum State<'a> {
    /// An object: its members (`None` if its structure is broken), and its tree when asked
    /// for (an object is walked into far more often than handed out whole).
    Object {
        members: Option<Members<'a>>,
        /// For an object of [`INDEX_MIN`] to [`INDEX_MAX`] members, where each name's
        /// [`index_slot`] leads (see [`find_member`]).
        index: Option<[u8; INDEX_SLOTS]>,
        tree: OnceBox<Option<JsonValue<'a>>>,
    },
    /// Any other value, parsed (`None` if the text does not parse, which a validated record
    /// rules out).
    Value(Option<JsonValue<'a>>),
    /// An array walked element by element ([`LazyNode::elements`]): its elements (`None` if
    /// its structure is broken), and its tree when asked for.
    Array {
        elements: Option<Vec<LazyNode<'a>>>,
        tree: OnceBox<Option<JsonValue<'a>>>,
    },
}

impl Drop for State<'_> {
    fn drop(&mut self) {
        if let State::Object {
            members: Some(members),
            ..
        } = self
        {
            spare_members(std::mem::take(members));
        }
    }
}

/// Emptied member lists of records' top levels kept for the next cuts on this thread: a scan
/// cuts and drops one per record, and such a list (some 2.5 KB) is past the sizes the
/// allocator serves from its per-thread cache.
struct Spare {
    top: Vec<Members<'static>>,
}

/// Lists kept at most (some 20 KB per thread).
const SPARE_MAX: usize = 8;

thread_local! {
    static SPARE: std::cell::RefCell<Spare> = const {
        std::cell::RefCell::new(Spare { top: Vec::new() })
    };
}

/// `members`, emptied, with its lifetime changed: collecting an empty `vec::IntoIter` into a
/// vector of an element of the same layout reuses the allocation (std's in-place collection),
/// so the capacity is kept without any `unsafe`.
// `filter` would keep the element type; changing it is the point.
#[allow(clippy::unnecessary_filter_map)]
fn relabel<'b>(mut members: Members<'_>) -> Members<'b> {
    members.clear();
    members.into_iter().filter_map(|_| None).collect()
}

/// An empty member list with room for at least `capacity` members: for a record's top level
/// one kept on this thread, or a new one. A nested object's small list is allocated: the
/// allocator's per-thread cache serves it for less than the kept lists' bookkeeping.
fn members_with_capacity<'a>(capacity: usize) -> Members<'a> {
    if capacity <= NESTED_CAPACITY {
        return Vec::with_capacity(capacity);
    }
    let kept = SPARE
        .try_with(|spare| spare.try_borrow_mut().ok()?.top.pop())
        .ok()
        .flatten();
    match kept {
        Some(members) if members.capacity() >= capacity => relabel(members),
        _ => Vec::with_capacity(capacity),
    }
}

/// Keeps `members` (emptied) for a later cut on this thread, if there is room and it is the
/// list of a record's top level (not a small nested one, nor one of an unusually large
/// object).
fn spare_members(members: Members<'_>) {
    let capacity = members.capacity();
    if !(TOP_CAPACITY..=2 * TOP_CAPACITY).contains(&capacity) {
        return;
    }
    let members = relabel(members);
    let _ = SPARE.try_with(|spare| {
        if let Ok(mut spare) = spare.try_borrow_mut()
            && spare.top.len() < SPARE_MAX
        {
            spare.top.push(members);
        }
    });
}

impl<'a> State<'a> {
    fn object(members: Option<Members<'a>>) -> Box<State<'a>> {
        Box::new(State::Object {
            index: members.as_deref().and_then(build_index),
            members,
            tree: OnceBox::new(),
        })
    }
}

impl<'a> LazyNode<'a> {
    /// The node for the value whose text is `raw` (surrounding whitespace allowed).
    pub(crate) fn new(raw: &'a str) -> LazyNode<'a> {
        LazyNode::bare(raw.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r')))
    }

    /// The node for the value whose text is exactly `raw`.
    fn bare(raw: &'a str) -> LazyNode<'a> {
        LazyNode {
            raw,
            slot: Slot::Lazy(OnceBox::new()),
        }
    }

    /// The node for a member's value whose text is exactly `raw`; `plain_string` says it is a
    /// string without escapes. Such a string and the literals get their tree now.
    #[inline]
    fn member_value(raw: &'a str, plain_string: bool) -> LazyNode<'a> {
        let ready = if plain_string {
            raw.get(1..raw.len().saturating_sub(1))
                .map(|inner| JsonValue::String(Cow::Borrowed(inner)))
        } else {
            match raw {
                "true" => Some(JsonValue::Bool(true)),
                "false" => Some(JsonValue::Bool(false)),
                "null" => Some(JsonValue::Null),
                _ => small_natural(raw).map(|n| JsonValue::Number(JsonNumber::Int(n))),
            }
        };
        match ready {
            // Only trees that own nothing: nothing is leaked by not dropping them.
            Some(tree) => LazyNode {
                raw,
                slot: Slot::Ready(ManuallyDrop::new(tree)),
            },
            None => LazyNode::bare(raw),
        }
    }

    /// The node for the object whose text is `raw`, already cut into `members`.
    fn with_members(raw: &'a str, members: Members<'a>) -> LazyNode<'a> {
        let slot = if members.len() < INDEX_MIN {
            Slot::Cut(CutObject {
                members,
                tree: OnceBox::new(),
            })
        } else {
            Slot::Lazy(OnceBox::with_value(State::object(Some(members))))
        };
        LazyNode { raw, slot }
    }

    /// Whether the value is a JSON object.
    pub(crate) fn is_object(&self) -> bool {
        self.raw.starts_with('{')
    }

    /// What has been made of the value, made now if this is the first access: an object is
    /// cut into members, another value parsed. `None` for a value made with its node.
    fn state(&self) -> Option<&State<'a>> {
        let Slot::Lazy(cell) = &self.slot else {
            return None;
        };
        Some(cell.get_or_init(|| {
            if self.is_object() {
                State::object(cut_members(self.raw))
            } else {
                Box::new(State::Value(parse_value(self.raw)))
            }
        }))
    }

    /// The value as a tree, parsed now if this is the first access.
    pub(crate) fn tree(&self) -> Option<&JsonValue<'a>> {
        match &self.slot {
            Slot::Ready(tree) => Some(tree),
            Slot::Cut(cut) => cut
                .tree
                .get_or_init(|| Box::new(JsonValue::parse(self.raw).ok()))
                .as_ref(),
            Slot::Lazy(_) => match self.state()? {
                State::Object { tree, .. } | State::Array { tree, .. } => tree
                    .get_or_init(|| Box::new(JsonValue::parse(self.raw).ok()))
                    .as_ref(),
                State::Value(tree) => tree.as_ref(),
            },
        }
    }

    /// This object's members (cut on first access); `None` if this is not an object (or one
    /// whose structure could not be cut).
    fn members(&self) -> Option<&[Member<'a>]> {
        Some(self.members_and_index()?.0)
    }

    /// This object's members and their index, if it has one.
    fn members_and_index(&self) -> Option<(&[Member<'a>], Option<&[u8; INDEX_SLOTS]>)> {
        if let Slot::Cut(cut) = &self.slot {
            return Some((&cut.members, None));
        }
        if !self.is_object() {
            return None;
        }
        match self.state()? {
            State::Object { members, index, .. } => Some((members.as_deref()?, index.as_ref())),
            State::Value(_) | State::Array { .. } => None,
        }
    }

    /// The first member named `key` of this object (cut into members on first access):
    /// `Some(None)` if the object has no such member, `None` if this is not an object (or one
    /// whose structure could not be cut).
    pub(crate) fn member(&self, key: &str) -> Option<Option<&LazyNode<'a>>> {
        let (members, index) = self.members_and_index()?;
        Some(find_member(members, index, key))
    }

    /// Whether this object (cut into members on first access) has a member named any of
    /// `keys`: its members and index reached once for all the names; `None` if this is not
    /// an object (or one whose structure could not be cut).
    pub(crate) fn has_any_member(&self, keys: &[&str]) -> Option<bool> {
        let (members, index) = self.members_and_index()?;
        Some(
            keys.iter()
                .any(|key| find_member(members, index, key).is_some()),
        )
    }

    /// The names of this object's members, in input order (cut into members on first
    /// access); `None` if this is not an object (or one whose structure could not be cut).
    pub(crate) fn member_names(&self) -> Option<impl Iterator<Item = &str>> {
        Some(self.members()?.iter().map(|m| m.name.as_ref()))
    }

    /// This object's members as (name, value text) pairs, in input order (cut into members
    /// on first access); `None` if this is not an object (or one whose structure could not be
    /// cut).
    pub(crate) fn member_texts(&self) -> Option<impl Iterator<Item = (&str, &'a str)>> {
        Some(
            self.members()?
                .iter()
                .map(|m| (m.name.as_ref(), m.node.raw)),
        )
    }

    /// The value at the object keys `keys` from this value, as `self.tree()?.pointer(keys)`
    /// gives it: the objects on the way are cut into members (once), and only the value at
    /// the end is parsed.
    pub(crate) fn pointer(&self, keys: &[&str]) -> Option<&JsonValue<'a>> {
        let mut node = self;
        for key in keys {
            // Not an object: `JsonValue::get` finds nothing either.
            node = node.member(key)??;
        }
        node.tree()
    }

    /// Follows the leading object keys of `segments` through members (objects cut once, not
    /// parsed): the value reached, parsed now (`None` when a key is absent), and the segments
    /// left, starting at the first that does not step into an object's member. Walking the
    /// rest from the value gives what [`walk`] gives from the whole tree.
    pub(crate) fn descend<'s>(
        &self,
        segments: &'s [Segment],
    ) -> (Option<&JsonValue<'a>>, &'s [Segment]) {
        let mut node = self;
        let mut rest = segments;
        while let Some((Segment::Key(key), tail)) = rest.split_first() {
            match node.member(key) {
                Some(Some(child)) => {
                    node = child;
                    rest = tail;
                }
                Some(None) => return (None, rest),
                None => break,
            }
        }
        (node.tree(), rest)
    }

    /// Whether the value is a JSON array.
    pub(crate) fn is_array(&self) -> bool {
        self.raw.starts_with('[')
    }

    /// This array's elements, as nodes of their own, or its tree when it was parsed before
    /// (then the elements are its items); `None` if this is not an array (or one whose
    /// structure could not be cut). The first call on an array not parsed yet cuts it into
    /// element texts (no value parsed), so a reader of one member per element (a container's
    /// `image`) parses nothing but that member.
    pub(crate) fn elements(&self) -> Option<Elements<'_, 'a>> {
        if !self.is_array() {
            return None;
        }
        let Slot::Lazy(cell) = &self.slot else {
            return None;
        };
        let state = cell.get_or_init(|| {
            Box::new(State::Array {
                elements: cut_elements(self.raw),
                tree: OnceBox::new(),
            })
        });
        match state {
            State::Array { elements, .. } => elements.as_deref().map(Elements::Nodes),
            State::Value(Some(JsonValue::Array(items))) => Some(Elements::Trees(items)),
            State::Value(_) | State::Object { .. } => None,
        }
    }

    /// A string without escapes, read straight from the text.
    fn plain_str(&self) -> Option<&'a str> {
        let inner = self.raw.strip_prefix('"')?.strip_suffix('"')?;
        (!inner.contains('\\')).then_some(inner)
    }

    /// Resolves `segments` from this value, with [`walk`]'s semantics (a key applied to an
    /// array applies to every element; Missing and Null kept apart).
    pub(crate) fn get(&self, segments: &[Segment]) -> FieldValue<'_> {
        let mut node = self;
        let mut rest = segments;
        // Key steps through objects neither fan out nor collect, so walking the member gives
        // what walking the whole object would.
        while let Some((Segment::Key(key), tail)) = rest.split_first() {
            match node.member(key) {
                Some(Some(child)) => {
                    node = child;
                    rest = tail;
                }
                Some(None) => return FieldValue::Missing,
                // Not an object: the tree walk below decides (arrays fan out).
                None => break,
            }
        }
        if rest.is_empty()
            && let Some(text) = node.plain_str()
        {
            return FieldValue::Str(Cow::Borrowed(text));
        }
        node.tree()
            .map_or(FieldValue::Missing, |tree| walk(tree, rest))
    }
}

/// An array's elements: nodes cut from its text, or the items of its tree when it was parsed
/// first.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Elements<'n, 'a> {
    /// Cut from the text.
    Nodes(&'n [LazyNode<'a>]),
    /// The parsed array's items.
    Trees(&'n [JsonValue<'a>]),
}

/// Cuts the array `text` into its elements; `None` if it is not an array or its structure is
/// broken.
fn cut_elements<'a>(text: &'a str) -> Option<Vec<LazyNode<'a>>> {
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, 0);
    if bytes.get(pos) != Some(&b'[') {
        return None;
    }
    pos = skip_ws(bytes, pos + 1);
    let mut elements = Vec::new();
    if bytes.get(pos) == Some(&b']') {
        return Some(elements);
    }
    loop {
        let (end, plain_string) = if bytes.get(pos) == Some(&b'"') {
            let (end, escaped) = string_end(bytes, pos + 1)?;
            (end, !escaped)
        } else {
            (value_end(bytes, pos)?, false)
        };
        elements.push(LazyNode::member_value(text.get(pos..end)?, plain_string));
        pos = skip_ws(bytes, end);
        match bytes.get(pos) {
            Some(b',') => pos = skip_ws(bytes, pos + 1),
            Some(b']') => return Some(elements),
            _ => return None,
        }
    }
}

/// The tree of a value that is not an object. A plain string (no escapes) and the literals,
/// nearly every leaf a rule reads, are made straight from the text; anything else is parsed.
fn parse_value(raw: &str) -> Option<JsonValue<'_>> {
    match raw {
        "true" => return Some(JsonValue::Bool(true)),
        "false" => return Some(JsonValue::Bool(false)),
        "null" => return Some(JsonValue::Null),
        _ => {}
    }
    // The text of a validated record's string holds no raw control character (and a string
    // read through `LazyNode::get` is taken straight from the text the same way).
    if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"'))
        && !inner.contains('\\')
    {
        return Some(JsonValue::String(Cow::Borrowed(inner)));
    }
    if let Some(n) = small_natural(raw) {
        return Some(JsonValue::Number(JsonNumber::Int(n)));
    }
    JsonValue::parse(raw).ok()
}

/// The value of `raw` when it is a JSON integer of 1 to 18 digits without sign or leading
/// zero (a response code, a port): what parsing gives (`JsonNumber::Int`, every such value
/// fits an `i64`), without a parser. `None` for any other text.
fn small_natural(raw: &str) -> Option<i64> {
    let bytes = raw.as_bytes();
    if bytes.is_empty() || bytes.len() > 18 || (bytes.len() > 1 && bytes.first() == Some(&b'0')) {
        return None;
    }
    bytes.iter().try_fold(0i64, |value, &b| {
        b.is_ascii_digit().then(|| value * 10 + i64::from(b - b'0'))
    })
}

/// What one validating pass over a record found.
#[derive(Debug, Clone)]
pub(crate) enum Checked<'a> {
    /// Valid JSON, an object: its lazy view with the top-level members already cut.
    Object(LazyNode<'a>),
    /// Valid JSON that is not an object.
    NotObject,
    /// Not valid JSON.
    Invalid,
}

/// Validates `text` as JSON (serde_json's grammar, without building a tree) and, when it is
/// an object, cuts it into its top-level members in the same pass.
pub(crate) fn check<'a>(text: &'a str, plan: &CutPlan) -> Checked<'a> {
    // Objects, nearly every record, in one hand-written pass; other values through serde.
    if text.as_bytes().get(skip_ws(text.as_bytes(), 0)) == Some(&b'{') {
        return match validate_and_cut(text, plan) {
            Some((raw, members)) => Checked::Object(LazyNode::with_members(raw, members)),
            None => Checked::Invalid,
        };
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let members = match deserializer.deserialize_any(CutVisitor) {
        Ok(members) => members,
        Err(_) => return Checked::Invalid,
    };
    if deserializer.end().is_err() {
        return Checked::Invalid;
    }
    match members {
        Some(members) => Checked::Object(LazyNode::with_members(
            text.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r')),
            members,
        )),
        None => Checked::NotObject,
    }
}

/// The JSON object at the very start of `text` (no leading whitespace), validated and cut in
/// one pass (with the nested objects `plan` names): its length in bytes and its view; `None`
/// if `text` does not start with a valid JSON object. What follows the object is not read.
pub(crate) fn check_prefix<'a>(text: &'a str, plan: &CutPlan) -> Option<(usize, LazyNode<'a>)> {
    // Control bytes are looked for inside strings as they are met: a pre-scan would read on
    // past the object.
    let (end, members) = valid_object_cut::<true>(text, 0, plan.start_depth(), TOP_CAPACITY, plan)?;
    Some((end, LazyNode::with_members(text.get(..end)?, members)))
}

/// Skips any JSON value; collects an object's members (key, value text) on the way.
struct CutVisitor;

impl<'de> Visitor<'de> for CutVisitor {
    type Value = Option<Members<'de>>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = members_with_capacity(NESTED_CAPACITY);
        while let Some(BorrowingKey(key)) = map.next_key::<BorrowingKey<'de>>()? {
            let value: &'de RawValue = map.next_value()?;
            members.push(Member::new(key, LazyNode::new(value.get())));
        }
        Ok(Some(members))
    }
}

/// Cuts the object `text` into its members; `None` if it is not an object or its structure
/// is broken.
fn cut_members<'a>(text: &'a str) -> Option<Members<'a>> {
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, 0);
    if bytes.get(pos) != Some(&b'{') {
        return None;
    }
    pos = skip_ws(bytes, pos + 1);
    let mut members = members_with_capacity(NESTED_CAPACITY);
    if bytes.get(pos) == Some(&b'}') {
        return Some(members);
    }
    loop {
        if bytes.get(pos) != Some(&b'"') {
            return None;
        }
        let (key_end, escaped) = string_end(bytes, pos + 1)?;
        let key = member_name(text, pos, key_end, escaped)?;
        pos = skip_ws(bytes, key_end);
        if bytes.get(pos) != Some(&b':') {
            return None;
        }
        let start = skip_ws(bytes, pos + 1);
        let (end, plain_string) = if bytes.get(start) == Some(&b'"') {
            let (end, escaped) = string_end(bytes, start + 1)?;
            (end, !escaped)
        } else {
            (value_end(bytes, start)?, false)
        };
        members.push(Member::new(
            key,
            LazyNode::member_value(text.get(start..end)?, plain_string),
        ));
        pos = skip_ws(bytes, end);
        match bytes.get(pos) {
            Some(b',') => pos = skip_ws(bytes, pos + 1),
            Some(b'}') => return Some(members),
            _ => return None,
        }
    }
}

/// Which nested objects a record's validating pass cuts into members while it validates them,
/// besides the top level it always cuts: the objects nearly every reader of a format walks
/// into (a CloudTrail record's `userIdentity` and its `sessionContext`, which the rules and the
/// OCSF actor mapping read). Cutting them in that pass spares the second scan of their bytes
/// (and of everything nested in them) that cutting them on first access would take. Objects
/// the plan does not name are validated only, and cut on first access as before; a member of
/// the plan's name whose value is not an object is validated as any value.
#[derive(Debug, Clone, Copy)]
pub struct CutPlan {
    nested: &'static [(&'static str, CutPlan)],
    /// The deepest nesting the validating pass accepts (see [`CutPlan::with_max_depth`]).
    max_depth: usize,
}

impl Default for CutPlan {
    /// [`CutPlan::NONE`].
    fn default() -> CutPlan {
        CutPlan::NONE
    }
}

impl CutPlan {
    /// Cut nothing below the top level.
    pub const NONE: CutPlan = CutPlan::new(&[]);

    /// Cut the objects that are the values of the members named in `nested` (at this level),
    /// and inside each, what its own plan names.
    pub const fn new(nested: &'static [(&'static str, CutPlan)]) -> CutPlan {
        CutPlan {
            nested,
            max_depth: MAX_DEPTH,
        }
    }

    /// This plan, with the validating pass refusing a record nested deeper than `depth`
    /// containers (the record's own object is at depth 1; at most 127, the depth `serde_json`
    /// accepts, which is also the default). A reader with a depth limit has the pass enforce
    /// it instead of counting the record's brackets first. Only the plan a record is checked
    /// with counts, not those of the nested objects it names.
    pub const fn with_max_depth(self, depth: usize) -> CutPlan {
        CutPlan {
            max_depth: if depth < MAX_DEPTH { depth } else { MAX_DEPTH },
            ..self
        }
    }

    /// The depth the validating pass starts a record's own object at: [`MAX_DEPTH`] less the
    /// plan's limit, so the pass's checks against [`MAX_DEPTH`] refuse what is deeper than
    /// the limit.
    fn start_depth(&self) -> usize {
        MAX_DEPTH.saturating_sub(self.max_depth)
    }

    /// The plan for the value of the member named `name`, if it is one to cut.
    #[inline]
    fn child(&self, name: &str) -> Option<&'static CutPlan> {
        // Lengths and first bytes rule out nearly every name without a `memcmp` call.
        self.nested
            .iter()
            .find(|(key, _)| {
                key.len() == name.len()
                    && key.as_bytes().first() == name.as_bytes().first()
                    && *key == name
            })
            .map(|(_, plan)| plan)
    }
}

/// Validates `text` as one JSON object and cuts it into members (and the nested objects
/// `plan` names): the object's text (without the surrounding whitespace) and its members;
/// `None` if the text is not valid.
fn validate_and_cut<'a>(text: &'a str, plan: &CutPlan) -> Option<(&'a str, Members<'a>)> {
    // Most records hold no byte below 0x20 at all (a JSON line has no raw newline): then no
    // string can hold a raw control character, and the string scans look for two bytes, not
    // three.
    if has_control_byte(text.as_bytes()) {
        validate_and_cut_with::<true>(text, plan)
    } else {
        validate_and_cut_with::<false>(text, plan)
    }
}

/// [`validate_and_cut`]; `CONTROLS` is whether the text may hold bytes below 0x20.
fn validate_and_cut_with<'a, const CONTROLS: bool>(
    text: &'a str,
    plan: &CutPlan,
) -> Option<(&'a str, Members<'a>)> {
    let bytes = text.as_bytes();
    let start = skip_ws(bytes, 0);
    let (end, members) =
        valid_object_cut::<CONTROLS>(text, start, plan.start_depth(), TOP_CAPACITY, plan)?;
    if skip_ws(bytes, end) != bytes.len() {
        return None;
    }
    Some((text.get(start..end)?, members))
}

/// Validates the object starting at `pos` (its `{`), inside `depth` enclosing containers, and
/// cuts it into members, cutting the nested objects `plan` names on the way: the end
/// (exclusive) of the object and its members; `None` if it is not a valid object.
fn valid_object_cut<'a, const CONTROLS: bool>(
    text: &'a str,
    pos: usize,
    depth: usize,
    capacity: usize,
    plan: &CutPlan,
) -> Option<(usize, Members<'a>)> {
    let bytes = text.as_bytes();
    if bytes.get(pos) != Some(&b'{') || depth >= MAX_DEPTH {
        return None;
    }
    let mut pos = skip_ws(bytes, pos + 1);
    let mut members = members_with_capacity(capacity);
    if bytes.get(pos) == Some(&b'}') {
        return Some((pos + 1, members));
    }
    loop {
        if bytes.get(pos) != Some(&b'"') {
            return None;
        }
        let (key_end, escaped) = valid_string_end::<CONTROLS>(bytes, pos + 1)?;
        let key = member_name(text, pos, key_end, escaped)?;
        pos = skip_ws(bytes, key_end);
        if bytes.get(pos) != Some(&b':') {
            return None;
        }
        let value_start = skip_ws(bytes, pos + 1);
        let cut = match plan.child(&key) {
            Some(sub) if bytes.get(value_start) == Some(&b'{') => Some(
                valid_object_cut::<CONTROLS>(text, value_start, depth + 1, NESTED_CAPACITY, sub)?,
            ),
            _ => None,
        };
        let (value_end, node) = match cut {
            Some((value_end, nested)) => (
                value_end,
                LazyNode::with_members(text.get(value_start..value_end)?, nested),
            ),
            None => {
                let (value_end, plain_string) =
                    valid_element_end::<CONTROLS>(bytes, value_start, depth + 1)?;
                (
                    value_end,
                    LazyNode::member_value(text.get(value_start..value_end)?, plain_string),
                )
            }
        };
        members.push(Member::new(key, node));
        pos = skip_ws(bytes, value_end);
        match bytes.get(pos) {
            Some(b',') => pos = skip_ws(bytes, pos + 1),
            Some(b'}') => return Some((pos + 1, members)),
            _ => return None,
        }
    }
}

/// [`valid_value_end`] for a member's value or an array's element, and whether it is a
/// string without escapes: a string, most of them, is scanned in place instead of through a
/// call.
#[inline(always)]
fn valid_element_end<const CONTROLS: bool>(
    bytes: &[u8],
    pos: usize,
    depth: usize,
) -> Option<(usize, bool)> {
    if bytes.get(pos) == Some(&b'"') {
        return valid_string_end::<CONTROLS>(bytes, pos + 1).map(|(end, escaped)| (end, !escaped));
    }
    Some((valid_value_end::<CONTROLS>(bytes, pos, depth)?, false))
}

/// The end (exclusive) of the valid JSON value starting at `pos`, inside `depth` enclosing
/// containers; `None` if the value is not valid.
fn valid_value_end<const CONTROLS: bool>(bytes: &[u8], pos: usize, depth: usize) -> Option<usize> {
    match *bytes.get(pos)? {
        b'"' => valid_string_end::<CONTROLS>(bytes, pos + 1).map(|(end, _)| end),
        b'{' => {
            if depth >= MAX_DEPTH {
                return None;
            }
            let mut p = skip_ws(bytes, pos + 1);
            if bytes.get(p) == Some(&b'}') {
                return Some(p + 1);
            }
            loop {
                if bytes.get(p) != Some(&b'"') {
                    return None;
                }
                let (key_end, _) = valid_string_end::<CONTROLS>(bytes, p + 1)?;
                p = skip_ws(bytes, key_end);
                if bytes.get(p) != Some(&b':') {
                    return None;
                }
                p = skip_ws(bytes, p + 1);
                p = skip_ws(bytes, valid_element_end::<CONTROLS>(bytes, p, depth + 1)?.0);
                match bytes.get(p) {
                    Some(b',') => p = skip_ws(bytes, p + 1),
                    Some(b'}') => return Some(p + 1),
                    _ => return None,
                }
            }
        }
        b'[' => {
            if depth >= MAX_DEPTH {
                return None;
            }
            let mut p = skip_ws(bytes, pos + 1);
            if bytes.get(p) == Some(&b']') {
                return Some(p + 1);
            }
            loop {
                p = skip_ws(bytes, valid_element_end::<CONTROLS>(bytes, p, depth + 1)?.0);
                match bytes.get(p) {
                    Some(b',') => p = skip_ws(bytes, p + 1),
                    Some(b']') => return Some(p + 1),
                    _ => return None,
                }
            }
        }
        b't' => literal_end(bytes, pos, b"true"),
        b'f' => literal_end(bytes, pos, b"false"),
        b'n' => literal_end(bytes, pos, b"null"),
        b'-' | b'0'..=b'9' => valid_number_end(bytes, pos),
        _ => None,
    }
}

fn literal_end(bytes: &[u8], pos: usize, literal: &[u8]) -> Option<usize> {
    let end = pos.checked_add(literal.len())?;
    (bytes.get(pos..end)? == literal).then_some(end)
}

/// The end of the number starting at `pos`: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`,
/// and finite as an `f64` (`serde_json` refuses `1e400`).
fn valid_number_end(bytes: &[u8], pos: usize) -> Option<usize> {
    let digits = |mut p: usize| {
        while bytes.get(p).is_some_and(u8::is_ascii_digit) {
            p += 1;
        }
        p
    };
    let mut p = pos;
    if bytes.get(p) == Some(&b'-') {
        p += 1;
    }
    let int_start = p;
    match *bytes.get(p)? {
        b'0' => p += 1,
        b'1'..=b'9' => p = digits(p + 1),
        _ => return None,
    }
    let int_digits = p - int_start;
    if bytes.get(p) == Some(&b'.') {
        let frac_start = p + 1;
        p = digits(frac_start);
        if p == frac_start {
            return None;
        }
    }
    let mut exponent = false;
    if let Some(b'e' | b'E') = bytes.get(p) {
        exponent = true;
        p += 1;
        if let Some(b'+' | b'-') = bytes.get(p) {
            p += 1;
        }
        let exp_start = p;
        p = digits(exp_start);
        if p == exp_start {
            return None;
        }
    }
    // Without an exponent a number needs 309 integer digits to pass f64::MAX; only then, or
    // with an exponent, is the value worth computing.
    if exponent || int_digits > 308 {
        let text = std::str::from_utf8(bytes.get(pos..p)?).ok()?;
        if !text.parse::<f64>().ok()?.is_finite() {
            return None;
        }
    }
    Some(p)
}

/// The index after the closing quote of the string whose body starts at `pos`, and whether it
/// holds escapes; `None` if the string is not valid JSON (a raw control character, a bad
/// escape, an unpaired surrogate escape, no closing quote). `CONTROLS`: the text may hold
/// bytes below 0x20 ([`next_stop`]).
#[inline(always)]
fn valid_string_end<const CONTROLS: bool>(bytes: &[u8], mut pos: usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    loop {
        pos = next_stop::<CONTROLS>(bytes, pos)?;
        match *bytes.get(pos)? {
            b'"' => return Some((pos + 1, escaped)),
            b'\\' => {
                escaped = true;
                pos = escape_end(bytes, pos + 1)?;
            }
            _ => return None,
        }
    }
}

/// The position of the first quote, backslash or (if `CONTROLS`) byte below 0x20 at or after
/// `pos`; `None` if there is none. Sixteen bytes are tested at a time ([`first_stop`]), the
/// last few of the text one by one.
#[inline(always)]
fn next_stop<const CONTROLS: bool>(bytes: &[u8], mut pos: usize) -> Option<usize> {
    while let Some(block) = bytes.get(pos..pos + 16) {
        let block: &[u8; 16] = block.try_into().ok()?;
        if let Some(offset) = first_stop::<CONTROLS>(block) {
            return Some(pos + offset);
        }
        pos += 16;
    }
    loop {
        match *bytes.get(pos)? {
            b'"' | b'\\' => return Some(pos),
            0..0x20 if CONTROLS => return Some(pos),
            _ => pos += 1,
        }
    }
}

/// The end of the escape whose letter is at `pos` (after the backslash): surrogate escapes
/// must come in a leading–trailing pair, as `serde_json` requires to make a Rust string.
fn escape_end(bytes: &[u8], pos: usize) -> Option<usize> {
    match *bytes.get(pos)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(pos + 1),
        b'u' => {
            let unit = hex4(bytes, pos + 1)?;
            match unit {
                0xDC00..=0xDFFF => None,
                0xD800..=0xDBFF => {
                    if bytes.get(pos + 5..pos + 7)? != b"\\u" {
                        return None;
                    }
                    let low = hex4(bytes, pos + 7)?;
                    (0xDC00..=0xDFFF).contains(&low).then_some(pos + 11)
                }
                _ => Some(pos + 5),
            }
        }
        _ => None,
    }
}

fn hex4(bytes: &[u8], pos: usize) -> Option<u32> {
    let mut unit = 0u32;
    for &b in bytes.get(pos..pos + 4)? {
        unit = unit * 16 + char::from(b).to_digit(16)?;
    }
    Some(unit)
}

/// `name == key`, with the length and the first byte compared inline: most members a lookup
/// passes differ in one of them, and a `memcmp` call per member costs more than the test.
#[inline]
pub(crate) fn same_key(name: &str, key: &str) -> bool {
    name.len() == key.len() && name.as_bytes().first() == key.as_bytes().first() && name == key
}

/// The name of the member whose quoted name spans `start..end` of `text`: borrowed, or
/// unescaped when it holds escapes.
/// Inlined into the cutting loops (a call per member cost a tenth of a cut); the rare name
/// with escapes goes through [`unescaped_name`].
#[inline(always)]
fn member_name(text: &str, start: usize, end: usize, escaped: bool) -> Option<Cow<'_, str>> {
    if escaped {
        unescaped_name(text, start, end)
    } else {
        text.get(start + 1..end - 1).map(Cow::Borrowed)
    }
}

/// [`member_name`] for a name with escapes.
#[cold]
#[inline(never)]
fn unescaped_name(text: &str, start: usize, end: usize) -> Option<Cow<'_, str>> {
    serde_json::from_str::<String>(text.get(start..end)?)
        .ok()
        .map(Cow::Owned)
}

#[inline(always)]
fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    // Compact JSON, the common case, has nothing to skip: one test.
    if bytes.get(pos).is_some_and(|&b| b > b' ') {
        return pos;
    }
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(pos) {
        pos += 1;
    }
    pos
}

/// The index after the closing quote of the string whose body starts at `pos`, and whether
/// it holds escapes (the text is valid JSON: no escape is checked).
#[inline]
fn string_end(bytes: &[u8], mut pos: usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    loop {
        pos = next_stop::<false>(bytes, pos)?;
        match *bytes.get(pos)? {
            b'"' => return Some((pos + 1, escaped)),
            _ => {
                escaped = true;
                pos += 2;
            }
        }
    }
}

/// Byte classes for skipping a container (0: nothing to do).
const CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b'"' as usize] = 1;
    table[b'{' as usize] = 2;
    table[b'[' as usize] = 2;
    table[b'}' as usize] = 3;
    table[b']' as usize] = 3;
    table
};

/// The end (exclusive) of the value starting at `pos`.
fn value_end(bytes: &[u8], pos: usize) -> Option<usize> {
    match *bytes.get(pos)? {
        b'"' => string_end(bytes, pos + 1).map(|(end, _)| end),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut p = pos;
            loop {
                match CLASSES[usize::from(*bytes.get(p)?)] {
                    1 => {
                        p = string_end(bytes, p + 1)?.0;
                        continue;
                    }
                    2 => depth += 1,
                    3 => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(p + 1);
                        }
                    }
                    _ => {}
                }
                p += 1;
            }
        }
        _ => {
            let mut p = pos;
            while let Some(&b) = bytes.get(p) {
                if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                p += 1;
            }
            (p > pos).then_some(p)
        }
    }
}

/// One value of a record's lazy view (see [`crate::RawRecord::member_nodes`]): its text, and
/// for an object its members, cut on first access and kept with the record, so a normalizer
/// reading the record after the rules reuses the objects they walked into instead of parsing
/// them again.
#[derive(Debug, Clone, Copy)]
pub struct RawNode<'r, 'a> {
    node: &'r LazyNode<'a>,
}

impl<'r, 'a> RawNode<'r, 'a> {
    pub(crate) fn new(node: &'r LazyNode<'a>) -> RawNode<'r, 'a> {
        RawNode { node }
    }

    /// The value's JSON text, without surrounding whitespace.
    pub fn text(self) -> &'a str {
        self.node.raw
    }

    /// The contents of a string value without escapes, borrowed from the text; `None` for
    /// any other value.
    pub fn plain_str(self) -> Option<&'a str> {
        match &self.node.slot {
            Slot::Ready(tree) => match &**tree {
                JsonValue::String(Cow::Borrowed(text)) => Some(text),
                _ => None,
            },
            Slot::Cut(_) => None,
            Slot::Lazy(_) => self.node.plain_str(),
        }
    }

    /// The members of an object value as (name, value) pairs, in input order, duplicates
    /// included: cut on first access (once per record); `None` if the value is not an object.
    pub fn members(self) -> Option<RawMembers<'r, 'a>> {
        Some(RawMembers {
            members: self.node.members()?.iter(),
        })
    }
}

/// The members of an object of a record's lazy view (see [`RawNode::members`]).
#[derive(Debug, Clone)]
pub struct RawMembers<'r, 'a> {
    members: std::slice::Iter<'r, Member<'a>>,
}

impl<'r, 'a> Iterator for RawMembers<'r, 'a> {
    type Item = (&'r str, RawNode<'r, 'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.members
            .next()
            .map(|member| (member.name.as_ref(), RawNode::new(&member.node)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.members.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::JsonNumber;
    use crate::path::FieldPath;

    impl LazyNode<'_> {
        /// Whether the value's tree has been made.
        fn is_parsed(&self) -> bool {
            let cell = match &self.slot {
                Slot::Lazy(cell) => cell,
                Slot::Cut(cut) => return cut.tree.get().is_some(),
                Slot::Ready(_) => return true,
            };
            match cell.get() {
                Some(State::Object { tree, .. }) => tree.get().is_some(),
                Some(State::Value(_)) => true,
                Some(State::Array { tree, .. }) => tree.get().is_some(),
                None => false,
            }
        }
    }

    fn segments(path: &str) -> Vec<Segment> {
        FieldPath::raw(path).unwrap().raw_path().unwrap().to_vec()
    }

    impl LazyNode<'_> {
        /// Whether the object has been cut into members.
        fn is_cut(&self) -> bool {
            match &self.slot {
                Slot::Cut(_) => true,
                Slot::Lazy(cell) => matches!(cell.get(), Some(State::Object { .. })),
                Slot::Ready(_) => false,
            }
        }
    }

    #[test]
    fn member_lists_are_kept_for_the_next_cut_on_the_thread() {
        let top: Members<'_> = Vec::with_capacity(TOP_CAPACITY);
        let top_at = top.as_ptr() as usize;
        spare_members(top);
        // It comes back for a top-level cut, its allocation and capacity kept.
        let again: Members<'_> = members_with_capacity(TOP_CAPACITY);
        assert_eq!(again.as_ptr() as usize, top_at);
        assert!(again.capacity() >= TOP_CAPACITY);
        // Lists of nested objects and of unusually large objects are not kept.
        let kept = || SPARE.with(|spare| spare.borrow().top.len());
        assert_eq!(kept(), 0);
        spare_members(Vec::with_capacity(NESTED_CAPACITY));
        assert_eq!(kept(), 0);
        spare_members(Vec::with_capacity(4 * TOP_CAPACITY));
        assert_eq!(kept(), 0);
        spare_members(Vec::with_capacity(TOP_CAPACITY));
        assert_eq!(kept(), 1);
        drop(members_with_capacity(TOP_CAPACITY));
        // A dropped view hands its lists back: the next record's cut reuses them.
        let cut = || {
            let Checked::Object(root) = check(TEXT, &CutPlan::NONE) else {
                panic!("TEXT is an object");
            };
            root
        };
        let top_list_at = |root: &LazyNode<'_>| match root.members_and_index() {
            Some((members, _)) => members.as_ptr() as usize,
            None => panic!("the top level is cut"),
        };
        let root = cut();
        let root_at = top_list_at(&root);
        drop(root);
        assert_eq!(top_list_at(&cut()), root_at);
    }

    #[test]
    fn the_plan_s_depth_limit_refuses_deeper_records() {
        // Depth 3: the record's object, `a`'s object, `b`'s array.
        let text = r#"{"a":{"b":[1]},"c":"x"}"#;
        let checks = |depth: usize| {
            matches!(
                check(text, &CutPlan::NONE.with_max_depth(depth)),
                Checked::Object(_)
            )
        };
        assert!(checks(3));
        assert!(checks(64));
        assert!(!checks(2));
        assert!(!checks(0));
        // The default is serde_json's: 127 levels pass, 128 do not; a larger limit is capped.
        let nested =
            |levels: usize| format!("{}{}", "[".repeat(levels - 1), "]".repeat(levels - 1));
        let deep = |levels| format!(r#"{{"a":{}}}"#, nested(levels));
        let valid = |text: &str, plan: CutPlan| matches!(check(text, &plan), Checked::Object(_));
        assert!(valid(&deep(127), CutPlan::NONE));
        assert!(!valid(&deep(128), CutPlan::NONE));
        assert!(!valid(&deep(128), CutPlan::NONE.with_max_depth(1000)));
        assert!(valid(&deep(10), CutPlan::NONE.with_max_depth(10)));
        assert!(!valid(&deep(11), CutPlan::NONE.with_max_depth(10)));
        // The same limit for an object read at the start of a longer text.
        assert!(
            check_prefix(
                &format!("{} rest", deep(10)),
                &CutPlan::NONE.with_max_depth(10)
            )
            .is_some()
        );
        assert!(
            check_prefix(
                &format!("{} rest", deep(11)),
                &CutPlan::NONE.with_max_depth(10)
            )
            .is_none()
        );
    }

    #[test]
    fn the_plan_cuts_the_objects_it_names_in_the_validating_pass() {
        const PLAN: CutPlan = CutPlan::new(&[
            (
                "b",
                CutPlan::new(&[("n", CutPlan::NONE), ("c", CutPlan::NONE)]),
            ),
            ("a", CutPlan::NONE),
        ]);
        let Checked::Object(root) = check(TEXT, &PLAN) else {
            panic!("TEXT is an object");
        };
        let b = root.member("b").unwrap().unwrap();
        assert!(b.is_cut());
        assert!(b.member("n").unwrap().unwrap().is_cut());
        // `c` is an array and `a` a string: validated, not cut.
        assert!(!b.member("c").unwrap().unwrap().is_cut());
        assert_eq!(root.member("a").unwrap().unwrap().plain_str(), Some("x"));
        // Without the plan only the top level is cut.
        let Checked::Object(root) = check(TEXT, &CutPlan::NONE) else {
            panic!("TEXT is an object");
        };
        let b = root.member("b").unwrap().unwrap();
        assert!(!b.is_cut());
        assert!(!b.member("n").unwrap().unwrap().is_cut());
        assert!(b.is_cut());
        // An invalid object under a planned name fails the record as before.
        assert!(matches!(
            check(r#"{"b":{"n":{"x":}}}"#, &PLAN),
            Checked::Invalid
        ));
    }

    const TEXT: &str = r#" { "a" : "x" , "b":{"c":[1,{"d":"}"}],"n":{"m":"deep"}},"e\"q":-1.5e3,"f":null,"g":[],"h":"esc\"aped", "r":[{"k":"1"},{"k":"2"},{"j":3}] } "#;

    #[test]
    fn members_are_cut_at_their_own_level_only() {
        let root = LazyNode::new(TEXT);
        let member = |key: &str| root.member(key).unwrap();
        assert_eq!(member("a").unwrap().raw, r#""x""#);
        assert_eq!(
            member("b").unwrap().raw,
            r#"{"c":[1,{"d":"}"}],"n":{"m":"deep"}}"#
        );
        assert_eq!(member("e\"q").unwrap().raw, "-1.5e3");
        assert!(member("c").is_none());
        assert!(member("a").unwrap().member("x").is_none());
    }

    #[test]
    fn small_naturals_are_made_as_parsing_makes_them() {
        for raw in [
            "0",
            "7",
            "201",
            "65535",
            "123456789012345678",
            "1234567890123456789",
            "-0",
            "-7",
            "01",
            "00",
            "1e2",
            "1.0",
            "1E2",
            "",
            "+1",
            "9223372036854775807",
            "18446744073709551616",
            " 1",
            "1 ",
            "\"1\"",
            "12a",
        ] {
            assert_eq!(parse_value(raw), JsonValue::parse(raw).ok(), "{raw:?}");
            let text = format!(r#"{{"n":{raw},"m":1}}"#);
            if let Ok(tree) = JsonValue::parse(&text) {
                let root = LazyNode::new(&text);
                assert_eq!(
                    root.member("n").flatten().and_then(LazyNode::tree),
                    tree.get("n"),
                    "{raw:?}"
                );
            }
        }
        assert_eq!(small_natural("201"), Some(201));
        assert_eq!(small_natural("0"), Some(0));
        assert_eq!(small_natural("01"), None);
        assert_eq!(small_natural("1234567890123456789"), None);
    }

    #[test]
    fn lazy_reads_equal_tree_walks() {
        let root = LazyNode::new(TEXT);
        let tree = JsonValue::parse(TEXT).unwrap();
        for path in [
            "a", "b", "b.c", "b.c.d", "b.n.m", "b.n.x", "e\"q", "f", "g", "h", "r", "r.k",
            "r[1].k", "r[*].j", "r.k.z", "a.x", "zz", "b.c[1].d",
        ] {
            let segments = segments(path);
            assert_eq!(root.get(&segments), walk(&tree, &segments), "{path}");
        }
        assert_eq!(
            root.get(&segments("a")),
            FieldValue::Str(Cow::Borrowed("x"))
        );
        assert_eq!(root.get(&segments("e\"q")), FieldValue::Float(-1500.0));
        assert_eq!(root.get(&segments("f")), FieldValue::Null);
        assert_eq!(root.get(&segments("zz")), FieldValue::Missing);
        assert_eq!(
            root.member("e\"q").flatten().and_then(LazyNode::tree),
            Some(&JsonValue::Number(JsonNumber::Float(-1500.0)))
        );
    }

    #[test]
    fn look_ups_tell_apart_names_sharing_a_prefix() {
        let text = r#"{"eventName":1,"eventNameX":2,"eventNam":3,"event":4,"a\u0000":5,"a":6,"":7,"eventNamf":8,"sourceIPAddress":9,"sourceIPAddresses":10,"sourceIPAddresset":11,"\u00e9t\u00e9":12}"#;
        for root in [LazyNode::new(text), {
            let Checked::Object(root) = check(text, &CutPlan::NONE) else {
                panic!("an object");
            };
            root
        }] {
            let int = |key: &str| match root.member(key).unwrap().and_then(LazyNode::tree) {
                Some(JsonValue::Number(JsonNumber::Int(i))) => Some(*i),
                _ => None,
            };
            assert_eq!(int("eventName"), Some(1));
            assert_eq!(int("eventNameX"), Some(2));
            assert_eq!(int("eventNam"), Some(3));
            assert_eq!(int("event"), Some(4));
            assert_eq!(int("a\u{0}"), Some(5));
            assert_eq!(int("a"), Some(6));
            assert_eq!(int(""), Some(7));
            assert_eq!(int("eventNamf"), Some(8));
            assert_eq!(int("sourceIPAddress"), Some(9));
            assert_eq!(int("sourceIPAddresses"), Some(10));
            assert_eq!(int("sourceIPAddresset"), Some(11));
            assert_eq!(int("été"), Some(12));
            for absent in [
                "eventNa",
                "eventNameY",
                "a\u{0}\u{0}",
                "b",
                "sourceIPAddressez",
                "ét",
            ] {
                assert!(root.member(absent).unwrap().is_none(), "{absent:?}");
            }
        }
        assert_eq!(key_prefix(""), 0);
        assert_eq!(key_prefix("ab"), 0x6261);
        assert_eq!(key_prefix("abcdefghij"), u64::from_le_bytes(*b"abcdefgh"));
    }

    #[test]
    fn indexed_and_scanned_objects_find_the_first_member_of_each_name() {
        for count in [3, INDEX_MIN, 20, INDEX_MAX - 1, INDEX_MAX + 5] {
            // `count` members named k0, k1, … holding their number, then a repeat of k1.
            let mut text = String::from("{");
            for i in 0..count {
                text.push_str(&format!("\"k{i}\":{i},"));
            }
            text.push_str("\"k1\":-1}");
            let Checked::Object(root) = check(&text, &CutPlan::NONE) else {
                panic!("an object");
            };
            let cut = LazyNode::new(&text);
            for node in [&root, &cut] {
                let (_, index) = node.members_and_index().expect("an object's members");
                assert_eq!(
                    index.is_some(),
                    (INDEX_MIN..=INDEX_MAX).contains(&(count + 1))
                );
                for i in 0..count {
                    let value = node
                        .member(&format!("k{i}"))
                        .unwrap()
                        .and_then(LazyNode::tree);
                    assert_eq!(
                        value,
                        Some(&JsonValue::Number(JsonNumber::Int(i as i64))),
                        "{count} k{i}"
                    );
                }
                assert!(node.member(&format!("k{count}")).unwrap().is_none());
                assert!(node.member("k").unwrap().is_none());
            }
        }
    }

    #[test]
    fn plain_strings_and_literals_are_made_with_their_node() {
        let text = r#"{"s":"plain","e":"esc\"aped","t":true,"f":false,"n":null,"i":12,"d":-1.5,"o":{"s":"in","u":"\u0041"},"a":["x"],"z":""}"#;
        let tree = JsonValue::parse(text).unwrap();
        let Checked::Object(checked) = check(text, &CutPlan::NONE) else {
            panic!("an object");
        };
        for root in [checked, LazyNode::new(text)] {
            let node = |key: &str| root.member(key).unwrap().unwrap();
            let ready = |node: &LazyNode<'_>| matches!(node.slot, Slot::Ready(_));
            // Small naturals (response codes, ports) too.
            for key in ["s", "t", "f", "n", "z", "i"] {
                assert!(ready(node(key)), "{key}");
            }
            for key in ["e", "d", "o", "a"] {
                assert!(!ready(node(key)), "{key}");
            }
            assert!(ready(node("o").member("s").unwrap().unwrap()));
            assert!(!ready(node("o").member("u").unwrap().unwrap()));
            for key in ["s", "e", "t", "f", "n", "i", "d", "o", "a", "z"] {
                assert_eq!(node(key).tree(), tree.get(key), "{key}");
            }
            assert_eq!(node("z").tree(), Some(&JsonValue::String("".into())));
            assert_eq!(
                root.pointer(&["o", "u"]),
                Some(&JsonValue::String("A".into()))
            );
        }
    }

    /// Events are matched from several threads: the view's cells must keep them `Send + Sync`
    /// (this fails to compile otherwise).
    #[test]
    fn raw_nodes_read_members_and_reuse_the_cuts_of_walks() {
        let text = r#"{"a":{"b":{"c":"deep"},"s":"plain","e":"es\"c","n":1},"t":[1]}"#;
        let root = LazyNode::new(text);
        let top: Vec<(&str, &str)> = RawNode::new(&root)
            .members()
            .unwrap()
            .map(|(name, node)| (name, node.text()))
            .collect();
        assert_eq!(
            top,
            [
                ("a", r#"{"b":{"c":"deep"},"s":"plain","e":"es\"c","n":1}"#),
                ("t", "[1]")
            ]
        );
        // A walk cuts `a` and `a.b`; the nodes then hand out those very members.
        assert_eq!(
            root.get(&segments("a.b.c")),
            FieldValue::Str(Cow::Borrowed("deep"))
        );
        let a = RawNode::new(&root).members().unwrap().next().unwrap().1;
        let walked_b = root
            .member("a")
            .unwrap()
            .unwrap()
            .member("b")
            .unwrap()
            .unwrap();
        let b = a.members().unwrap().next().unwrap().1;
        assert!(std::ptr::eq(b.node, walked_b), "the walk's cut is reused");
        let leaves: Vec<(&str, Option<&str>)> = a
            .members()
            .unwrap()
            .map(|(name, node)| (name, node.plain_str()))
            .collect();
        assert_eq!(
            leaves,
            [("b", None), ("s", Some("plain")), ("e", None), ("n", None)]
        );
        assert!(b.members().unwrap().next().unwrap().1.members().is_none());
        assert_eq!(
            RawNode::new(&LazyNode::new("[1]"))
                .members()
                .map(|m| m.count()),
            None
        );
    }

    #[test]
    fn the_view_keeps_events_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<LazyNode<'static>>();
        send_sync::<crate::RawRecord<'static>>();
        send_sync::<crate::Event<'static>>();
    }

    #[test]
    fn key_prefixes_are_the_first_eight_bytes() {
        let name = "abcdefghijkl";
        for len in 0..=name.len() {
            let key = &name[..len];
            let mut word = [0u8; 8];
            for (i, b) in key.bytes().take(8).enumerate() {
                word[i] = b;
            }
            assert_eq!(key_prefix(key), u64::from_le_bytes(word), "{key}");
        }
        assert_eq!(key_prefix("abcde"), 0x65_6463_6261);
    }

    #[test]
    fn leaves_are_made_without_a_parse_as_serde_makes_them() {
        for raw in [
            r#""plain""#,
            r#""""#,
            r#""esc\"aped""#,
            r#""\u00e9""#,
            "true",
            "false",
            "null",
            "-0",
            "12",
            "1.5e3",
            "[1,\"a\"]",
        ] {
            assert_eq!(parse_value(raw), JsonValue::parse(raw).ok(), "{raw}");
        }
        assert_eq!(
            parse_value(r#""plain""#),
            Some(JsonValue::String(Cow::Borrowed("plain")))
        );
        assert_eq!(
            parse_value(r#""esc\"aped""#),
            Some(JsonValue::String("esc\"aped".into()))
        );
        assert_eq!(parse_value("tru"), None);
    }

    #[test]
    fn the_first_of_repeated_keys_wins() {
        let root = LazyNode::new(r#"{"k":1,"k":2}"#);
        assert_eq!(root.get(&segments("k")), FieldValue::Int(1));
    }

    #[test]
    fn non_objects_and_broken_structure_are_not_cut() {
        for text in [
            "[1]",
            "\"s\"",
            "",
            "{",
            r#"{"a"}"#,
            r#"{"a":1"#,
            r#"{"a":"x}"#,
            "{a:1}",
        ] {
            assert!(cut_members(text).is_none(), "{text}");
        }
        assert_eq!(cut_members("{ }").unwrap().len(), 0);
        // A record that is an array is walked through its tree.
        let array = LazyNode::new(r#"[{"k":"a"},{"k":"b"}]"#);
        assert_eq!(
            array.get(&segments("k")),
            FieldValue::List(vec![
                FieldValue::Str("a".into()),
                FieldValue::Str("b".into())
            ])
        );
    }

    #[test]
    fn member_texts_are_names_and_value_texts_in_order() {
        let node = LazyNode::new(r#" {"a" : 1 ,"b\u0063":{"x":[true]}, "a":"s\n"} "#);
        let pairs: Vec<(&str, &str)> = node.member_texts().unwrap().collect();
        assert_eq!(
            pairs,
            vec![("a", "1"), ("bc", r#"{"x":[true]}"#), ("a", r#""s\n""#)]
        );
        assert!(LazyNode::new("[1]").member_texts().is_none());
        assert!(LazyNode::new(r#"{"a":"#).member_texts().is_none());
    }

    #[test]
    fn one_checked_pass_validates_and_cuts() {
        let Checked::Object(root) = check(TEXT, &CutPlan::NONE) else {
            panic!("an object");
        };
        let tree = JsonValue::parse(TEXT).unwrap();
        for path in [
            "a", "b.c", "b.c.d", "b.n.m", "e\"q", "f", "g", "h", "r.k", "zz",
        ] {
            let segments = segments(path);
            assert_eq!(root.get(&segments), walk(&tree, &segments), "{path}");
        }
        assert_eq!(
            root.member("b").unwrap().unwrap().raw,
            r#"{"c":[1,{"d":"}"}],"n":{"m":"deep"}}"#
        );
        assert!(matches!(check("[1,2]", &CutPlan::NONE), Checked::NotObject));
        assert!(matches!(
            check(" \"s\" ", &CutPlan::NONE),
            Checked::NotObject
        ));
        for text in [
            "",
            "{",
            r#"{"a":1"#,
            r#"{"a":1}x"#,
            r#"{"a":"x}"#,
            "{a:1}",
            r#"{"a":01}"#,
            r#"{"a":[1,]}"#,
        ] {
            assert!(
                matches!(check(text, &CutPlan::NONE), Checked::Invalid),
                "{text}"
            );
        }
    }

    #[test]
    fn pointers_parse_only_the_value_they_reach() {
        let root = LazyNode::new(TEXT);
        let tree = JsonValue::parse(TEXT).unwrap();
        for keys in [
            &["b", "n", "m"][..],
            &["b", "c"],
            &["b", "c", "d"],
            &["a", "x"],
            &["zz"],
            &["r", "k"],
            &[],
        ] {
            assert_eq!(
                root.pointer(keys),
                tree.pointer(keys.iter().copied()),
                "{keys:?}"
            );
        }
        assert_eq!(
            root.pointer(&["b", "n", "m"]),
            Some(&JsonValue::String("deep".into()))
        );
        // Only `m` was parsed: `b` and `n` were cut, not parsed.
        let b = root.member("b").unwrap().unwrap();
        assert!(!b.is_parsed());
        assert!(!b.member("n").unwrap().unwrap().is_parsed());
        assert!(
            b.member("n")
                .unwrap()
                .unwrap()
                .member("m")
                .unwrap()
                .unwrap()
                .is_parsed()
        );
    }

    #[test]
    fn descending_then_walking_equals_the_tree_walk() {
        let root = LazyNode::new(TEXT);
        let tree = JsonValue::parse(TEXT).unwrap();
        for path in [
            "a", "b", "b.c", "b.c.d", "b.n.m", "b.n.x", "e\"q", "f", "g", "h", "r", "r.k",
            "r[1].k", "r[*].j", "r.k.z", "a.x", "zz", "b.c[1].d",
        ] {
            let segments = segments(path);
            let (node, rest) = root.descend(&segments);
            let lazy = node.map_or(FieldValue::Missing, |n| walk(n, rest));
            assert_eq!(lazy, walk(&tree, &segments), "{path}");
        }
        let segments = segments("b.n.m");
        let (node, rest) = root.descend(&segments);
        assert_eq!(node, Some(&JsonValue::String("deep".into())));
        assert!(rest.is_empty());
    }
}
