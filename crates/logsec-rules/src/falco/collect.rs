//! The collector: YAML items → lists, macros and rules in one namespace, with Falco's
//! define / append / override / enable semantics (`rule_loader_reader.cpp`,
//! `rule_loader_collector.cpp`). Conditions stay text here; the compiler parses them.

use std::collections::{BTreeSet, HashMap};

use super::ast::{CmpOp, Modifier};
use super::diag::{Code, Diagnostic};
use super::fields;
use super::yaml::{Node, NodeValue, Position};

/// The item kinds, as Falco names them in diagnostics.
pub(crate) const ITEM_RULE: &str = "rule";
pub(crate) const ITEM_MACRO: &str = "macro";
pub(crate) const ITEM_LIST: &str = "list";
pub(crate) const ITEM_EXCEPTION: &str = "exception";
pub(crate) const ITEM_ENGINE: &str = "required_engine_version";
pub(crate) const ITEM_PLUGINS: &str = "required_plugin_versions";
pub(crate) const ITEM_CONTENT: &str = "rules content";

pub(crate) const ERROR_OVERRIDE_APPEND: &str = "ERROR_OVERRIDE_APPEND";
pub(crate) const ERROR_NO_PREVIOUS_LIST: &str = "ERROR_NO_PREVIOUS_LIST";
pub(crate) const ERROR_NO_PREVIOUS_MACRO: &str = "ERROR_NO_PREVIOUS_MACRO";
pub(crate) const ERROR_NO_PREVIOUS_RULE: &str = "ERROR_NO_PREVIOUS_RULE";
pub(crate) const ERROR_NO_PREVIOUS_RULE_ENABLE: &str = "ERROR_NO_PREVIOUS_RULE_ENABLE";
pub(crate) const WARNING_APPEND: &str = "WARNING_APPEND";
pub(crate) const WARNING_ENABLED: &str = "WARNING_ENABLED";

/// Where an item came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) file: String,
    pub(crate) position: Position,
}

#[derive(Debug, Clone)]
pub(crate) struct ListInfo {
    pub(crate) name: String,
    pub(crate) items: Vec<String>,
    pub(crate) origin: Origin,
}

#[derive(Debug, Clone)]
pub(crate) struct MacroInfo {
    pub(crate) name: String,
    pub(crate) condition: String,
    pub(crate) origin: Origin,
    pub(crate) condition_origin: Origin,
}

/// A scalar-or-list YAML value (exception `fields` and `comps`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// One element of an exception value tuple.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExItem {
    Scalar(String),
    List(Vec<String>),
}

/// One element of an exception's `values`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExValue {
    Scalar(String),
    Tuple(Vec<ExItem>),
}

#[derive(Debug, Clone)]
pub(crate) struct ExceptionInfo {
    pub(crate) name: String,
    pub(crate) fields: Option<OneOrMany>,
    pub(crate) comps: Option<OneOrMany>,
    pub(crate) values: Vec<ExValue>,
    pub(crate) origin: Origin,
}

#[derive(Debug, Clone)]
pub(crate) struct RuleInfo {
    pub(crate) name: String,
    pub(crate) condition: String,
    pub(crate) condition_origin: Origin,
    pub(crate) output: String,
    pub(crate) desc: String,
    pub(crate) priority: String,
    pub(crate) source: String,
    pub(crate) source_known: bool,
    pub(crate) enabled: bool,
    pub(crate) tags: BTreeSet<String>,
    pub(crate) exceptions: Vec<ExceptionInfo>,
    pub(crate) skip_if_unknown_filter: bool,
    pub(crate) origin: Origin,
}

/// A `required_plugin_versions` entry: any alternative satisfies it.
#[derive(Debug, Clone)]
pub(crate) struct PluginRequirement {
    pub(crate) alternatives: Vec<(String, String)>,
    pub(crate) origin: Origin,
}

/// The namespace built from every file, in order.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    pub(crate) lists: Vec<ListInfo>,
    pub(crate) macros: Vec<MacroInfo>,
    pub(crate) rules: Vec<RuleInfo>,
    list_index: HashMap<String, usize>,
    macro_index: HashMap<String, usize>,
    rule_index: HashMap<String, usize>,
    pub(crate) required_engine: Option<((u64, u64, u64), String, Origin)>,
    pub(crate) plugin_requirements: Vec<PluginRequirement>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Sources whose rules are compiled.
    pub(crate) sources: Vec<String>,
}

/// Parses a semver `X.Y.Z` (an integer `N` means `0.N.0`).
pub(crate) fn parse_version(node_text: &str, integer_form: bool) -> Option<(u64, u64, u64)> {
    let text = node_text.trim();
    if integer_form {
        return text.parse::<u64>().ok().map(|n| (0, n, 0));
    }
    let core = text.split(['-', '+']).next().unwrap_or(text);
    let mut parts = core.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |p| p.parse().ok())?;
    let patch = parts.next().map_or(Some(0), |p| p.parse().ok())?;
    if parts.next().is_some() {
        return None;
    }
    Some((major, minor, patch))
}

/// Semver compatibility: same major and `have >= want`.
pub(crate) fn compatible(have: (u64, u64, u64), want: (u64, u64, u64)) -> bool {
    have.0 == want.0 && have >= want
}

fn is_list_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| !c.is_whitespace() && !"()\"'=,".contains(c))
}

fn is_macro_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

const LIST_KEYS: &[&str] = &["list", "items", "append", "override"];
const MACRO_KEYS: &[&str] = &["macro", "condition", "append", "override"];
const RULE_KEYS: &[&str] = &[
    "rule",
    "condition",
    "output",
    "desc",
    "priority",
    "source",
    "enabled",
    "tags",
    "exceptions",
    "skip-if-unknown-filter",
    "append",
    "override",
    "capture",
    "capture_duration",
    "warn_evttypes",
];

const LIST_APPENDABLE: &[&str] = &["items"];
const LIST_REPLACEABLE: &[&str] = &["items"];
const MACRO_APPENDABLE: &[&str] = &["condition"];
const MACRO_REPLACEABLE: &[&str] = &["condition"];
const RULE_APPENDABLE: &[&str] = &["condition", "output", "desc", "tags", "exceptions"];
const RULE_REPLACEABLE: &[&str] = &[
    "condition",
    "output",
    "desc",
    "priority",
    "tags",
    "exceptions",
    "enabled",
    "capture",
    "capture_duration",
    "warn_evttypes",
    "skip-if-unknown-filter",
];

/// An error while reading one item; the item is dropped with this diagnostic.
struct ItemError {
    code: Code,
    message_id: Option<&'static str>,
    message: String,
    position: Position,
    item_type: &'static str,
    item_name: String,
}

fn validate_err(
    message: impl Into<String>,
    node: &Node,
    item_type: &'static str,
    name: &str,
) -> ItemError {
    ItemError {
        code: Code::ErrYamlValidate,
        message_id: None,
        message: message.into(),
        position: node.pos,
        item_type,
        item_name: name.to_owned(),
    }
}

fn scalar(
    node: &Node,
    key: &str,
    item_type: &'static str,
    name: &str,
) -> Result<String, ItemError> {
    node.scalar_text().ok_or_else(|| {
        validate_err(
            format!(
                "Value of '{key}' must be a scalar, not {}",
                node.kind_name()
            ),
            node,
            item_type,
            name,
        )
    })
}

fn required<'n>(
    item: &'n Node,
    key: &str,
    item_type: &'static str,
    name: &str,
) -> Result<&'n Node, ItemError> {
    match item.get(key) {
        Some(node) if !node.is_null() => Ok(node),
        _ => Err(validate_err(
            format!("Item has no mapping for key '{key}'"),
            item,
            item_type,
            name,
        )),
    }
}

fn bool_value(
    node: &Node,
    key: &str,
    item_type: &'static str,
    name: &str,
) -> Result<bool, ItemError> {
    match &node.value {
        NodeValue::Bool(b) => Ok(*b),
        NodeValue::Str(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        NodeValue::Str(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(validate_err(
            format!("Value of '{key}' must be a boolean"),
            node,
            item_type,
            name,
        )),
    }
}

fn string_seq(
    node: &Node,
    key: &str,
    item_type: &'static str,
    name: &str,
) -> Result<Vec<String>, ItemError> {
    let Some(items) = node.as_seq() else {
        return Err(validate_err(
            format!("Value of '{key}' must be a sequence"),
            node,
            item_type,
            name,
        ));
    };
    items
        .iter()
        .map(|i| scalar(i, key, item_type, name))
        .collect()
}

fn one_or_many(node: &Node, key: &str, name: &str) -> Result<OneOrMany, ItemError> {
    match &node.value {
        NodeValue::Seq(_) => Ok(OneOrMany::Many(string_seq(
            node,
            key,
            ITEM_EXCEPTION,
            name,
        )?)),
        _ => Ok(OneOrMany::One(scalar(node, key, ITEM_EXCEPTION, name)?)),
    }
}

fn read_exceptions(node: &Node, append: bool, file: &str) -> Result<Vec<ExceptionInfo>, ItemError> {
    let Some(items) = node.as_seq() else {
        return Err(validate_err(
            "Rule exceptions must be a sequence",
            node,
            ITEM_EXCEPTION,
            "",
        ));
    };
    let mut out = Vec::new();
    for ex in items {
        if ex.as_map().is_none() {
            return Err(validate_err(
                "Rule exception must be a mapping",
                ex,
                ITEM_EXCEPTION,
                "",
            ));
        }
        let name_node = required(ex, "name", ITEM_EXCEPTION, "")?;
        let name = scalar(name_node, "name", ITEM_EXCEPTION, "")?;
        let fields = match ex.get("fields") {
            Some(f) if !f.is_null() => Some(one_or_many(f, "fields", &name)?),
            _ if !append => {
                return Err(validate_err(
                    "Item has no mapping for key 'fields'",
                    ex,
                    ITEM_EXCEPTION,
                    &name,
                ));
            }
            _ => None,
        };
        let comps = match ex.get("comps") {
            Some(c) if !c.is_null() => Some(one_or_many(c, "comps", &name)?),
            _ => None,
        };
        let mut values = Vec::new();
        if let Some(v) = ex.get("values").filter(|v| !v.is_null()) {
            let Some(seq) = v.as_seq() else {
                return Err(validate_err(
                    "Rule exception values must be a sequence",
                    v,
                    ITEM_EXCEPTION,
                    &name,
                ));
            };
            for value in seq {
                values.push(match &value.value {
                    NodeValue::Seq(tuple) => {
                        let mut items = Vec::new();
                        for item in tuple {
                            items.push(match &item.value {
                                NodeValue::Seq(_) => {
                                    ExItem::List(string_seq(item, "values", ITEM_EXCEPTION, &name)?)
                                }
                                _ => ExItem::Scalar(scalar(item, "values", ITEM_EXCEPTION, &name)?),
                            });
                        }
                        ExValue::Tuple(items)
                    }
                    _ => ExValue::Scalar(scalar(value, "values", ITEM_EXCEPTION, &name)?),
                });
            }
        }
        for (key, _) in ex.as_map().unwrap_or(&[]) {
            if let NodeValue::Str(k) = &key.value
                && !["name", "fields", "comps", "values"].contains(&k.as_str())
            {
                return Err(validate_err(
                    format!("Unexpected key '{k}' in rule exception"),
                    key,
                    ITEM_EXCEPTION,
                    &name,
                ));
            }
        }
        out.push(ExceptionInfo {
            name,
            fields,
            comps,
            values,
            origin: Origin {
                file: file.to_owned(),
                position: ex.pos,
            },
        });
    }
    Ok(out)
}

/// Whether `comp` is an operator exceptions accept, with its modifier form.
pub(crate) fn parse_comp(comp: &str) -> Option<(CmpOp, Option<Modifier>)> {
    let mut words = comp.split_whitespace();
    let op = CmpOp::parse(words.next()?)?;
    if op == CmpOp::Exists {
        return None;
    }
    let modifier = match words.next() {
        None => None,
        Some("oneof") => Some(Modifier::OneOf),
        Some("anyof") => Some(Modifier::AnyOf),
        Some("allof") => Some(Modifier::AllOf),
        Some(_) => return None,
    };
    if words.next().is_some() {
        return None;
    }
    Some((op, modifier))
}

/// Checks an exception (`validate_exception_info`); field names are checked when the rule's
/// source is one logsec reads. Defaults `comps` as Falco does.
fn validate_exception(ex: &mut ExceptionInfo, source: Option<&str>) -> Result<(), ItemError> {
    let err = |message: String| ItemError {
        code: Code::ErrValidate,
        message_id: None,
        message,
        position: ex.origin.position,
        item_type: ITEM_EXCEPTION,
        item_name: ex.name.clone(),
    };
    let check_field = |field: &str| -> Result<(), ItemError> {
        if let Some(source) = source
            && let Err(e) = check_field_name(field, source)
        {
            return Err(err(format!("'{field}' {e}")));
        }
        Ok(())
    };
    match ex.fields.clone() {
        Some(OneOrMany::Many(fields)) => {
            let comps = match ex.comps.clone() {
                None => vec!["=".to_owned(); fields.len()],
                Some(OneOrMany::Many(c)) => c,
                Some(OneOrMany::One(_)) => {
                    return Err(err("Fields and comps lists must have equal length".into()));
                }
            };
            if comps.len() != fields.len() {
                return Err(err("Fields and comps lists must have equal length".into()));
            }
            for comp in &comps {
                if parse_comp(comp).is_none() {
                    return Err(err(format!(
                        "'{comp}' is not a supported comparison operator"
                    )));
                }
            }
            for field in &fields {
                check_field(field)?;
            }
            for value in &ex.values {
                match value {
                    ExValue::Tuple(items) if items.len() == fields.len() => {}
                    _ => return Err(err("Fields and values lists must have equal length".into())),
                }
            }
            ex.comps = Some(OneOrMany::Many(comps));
        }
        Some(OneOrMany::One(field)) => {
            let comp = match ex.comps.clone() {
                None => "in".to_owned(),
                Some(OneOrMany::One(c)) => c,
                Some(OneOrMany::Many(_)) => {
                    return Err(err("Fields and comps must both be strings".into()));
                }
            };
            let list_op = matches!(
                parse_comp(&comp),
                Some((CmpOp::In | CmpOp::Intersects | CmpOp::Pmatch, None))
            ) || parse_comp(&comp).is_some_and(|(_, m)| m.is_some());
            if !list_op {
                return Err(err(
                    "When fields is a single value, comps must be one of (in, pmatch, intersects)"
                        .into(),
                ));
            }
            check_field(&field)?;
            if ex.values.iter().any(|v| !matches!(v, ExValue::Scalar(_))) {
                return Err(err(
                    "Expected values array to contain a list of strings".into()
                ));
            }
            ex.comps = Some(OneOrMany::One(comp));
        }
        None => {
            return Err(err(
                "Rule exception must have fields property with a list of fields".into(),
            ));
        }
    }
    Ok(())
}

/// Whether a field name (with optional `[arg]`) is known for `source`.
pub(crate) fn check_field_name(field: &str, source: &str) -> Result<(), fields::FieldError> {
    let (name, arg) = match field.split_once('[') {
        Some((name, rest)) => (name, Some(rest.strip_suffix(']').unwrap_or(rest))),
        None => (field, None),
    };
    fields::resolve(name, arg, source).map(|_| ())
}

struct Overrides {
    append: Vec<String>,
    replace: Vec<String>,
}

fn read_overrides(
    item: &Node,
    keys_allowed: (&[&str], &[&str]),
    item_type: &'static str,
    name: &str,
) -> Result<Option<Overrides>, ItemError> {
    let Some(node) = item.get("override") else {
        return Ok(None);
    };
    let Some(map) = node.as_map() else {
        return Err(validate_err(
            "Value of 'override' must be a mapping",
            node,
            item_type,
            name,
        ));
    };
    let (appendable, replaceable) = keys_allowed;
    let mut out = Overrides {
        append: Vec::new(),
        replace: Vec::new(),
    };
    for (key, value) in map {
        let key_text = scalar(key, "override", item_type, name)?;
        let how = scalar(value, "override", item_type, name)?;
        match how.as_str() {
            "append" if appendable.contains(&key_text.as_str()) => out.append.push(key_text),
            "replace" if replaceable.contains(&key_text.as_str()) => out.replace.push(key_text),
            "append" | "replace" => {
                let verb = if how == "append" {
                    "appended"
                } else {
                    "replaced"
                };
                return Err(validate_err(
                    format!("Key '{key_text}' cannot be {verb}"),
                    key,
                    item_type,
                    name,
                ));
            }
            _ => {
                return Err(validate_err(
                    format!(
                        "Invalid override operation for key '{key_text}': '{how}'. Allowed values are: append, replace"
                    ),
                    value,
                    item_type,
                    name,
                ));
            }
        }
    }
    // Every overridable key present must have an override entry, and vice versa.
    for (key, _) in item.as_map().unwrap_or(&[]) {
        if let NodeValue::Str(k) = &key.value
            && (appendable.contains(&k.as_str()) || replaceable.contains(&k.as_str()))
            && !out.append.contains(k)
            && !out.replace.contains(k)
        {
            return Err(validate_err(
                format!(
                    "Unexpected key '{k}': no corresponding entry under 'override' is defined."
                ),
                key,
                item_type,
                name,
            ));
        }
    }
    for (how, keys) in [("append", &out.append), ("replace", &out.replace)] {
        for k in keys {
            if item.get(k).is_none() {
                return Err(validate_err(
                    format!("An {how} override for '{k}' was specified but '{k}' is not defined"),
                    node,
                    item_type,
                    name,
                ));
            }
        }
    }
    Ok(Some(out))
}

impl Collector {
    pub(crate) fn new(sources: Vec<String>) -> Collector {
        Collector {
            sources,
            ..Collector::default()
        }
    }

    fn push(&mut self, file: &str, e: ItemError) {
        self.diagnostics.push(Diagnostic {
            level: e.code.level(),
            code: e.code,
            message_id: e.message_id,
            message: e.message,
            file: file.to_owned(),
            position: e.position,
            item_type: e.item_type,
            item_name: e.item_name,
        });
    }

    // The diagnostic's parts are passed flat: a builder would add more code than it saves.
    #[allow(clippy::too_many_arguments)]
    fn warn(
        &mut self,
        file: &str,
        code: Code,
        message_id: Option<&'static str>,
        message: String,
        position: Position,
        item_type: &'static str,
        item_name: &str,
    ) {
        self.push(
            file,
            ItemError {
                code,
                message_id,
                message,
                position,
                item_type,
                item_name: item_name.to_owned(),
            },
        );
    }

    /// Reads one rules file into the namespace.
    pub(crate) fn read_file(&mut self, file: &str, text: &str) {
        let documents = match super::yaml::parse_documents(text) {
            Ok(docs) => docs,
            Err((message, position)) => {
                self.push(
                    file,
                    ItemError {
                        code: Code::ErrYamlParse,
                        message_id: None,
                        message,
                        position,
                        item_type: ITEM_CONTENT,
                        item_name: String::new(),
                    },
                );
                return;
            }
        };
        for doc in &documents {
            if doc.is_null() {
                continue;
            }
            let Some(items) = doc.as_seq() else {
                self.push(
                    file,
                    validate_err(
                        "Rules content is not yaml array of objects",
                        doc,
                        ITEM_CONTENT,
                        "",
                    ),
                );
                continue;
            };
            // A bare `-` (null item) is skipped, as the 0.34-era files rely on.
            for item in items.iter().filter(|item| !item.is_null()) {
                if let Err(e) = self.read_item(file, item) {
                    self.push(file, e);
                }
            }
        }
    }

    fn warn_unknown_keys(
        &mut self,
        file: &str,
        item: &Node,
        allowed: &[&str],
        item_type: &'static str,
        name: &str,
    ) {
        for (key, _) in item.as_map().unwrap_or(&[]) {
            let text = key.scalar_text().unwrap_or_default();
            if !allowed.contains(&text.as_str()) {
                self.warn(
                    file,
                    Code::UnknownKey,
                    None,
                    format!("Unknown key '{text}'. The key will be ignored."),
                    key.pos,
                    item_type,
                    name,
                );
            }
        }
    }

    fn read_item(&mut self, file: &str, item: &Node) -> Result<(), ItemError> {
        if item.as_map().is_none() {
            return Err(validate_err(
                "Unexpected element type. Each element should be a yaml associative array.",
                item,
                ITEM_CONTENT,
                "",
            ));
        }
        let origin = Origin {
            file: file.to_owned(),
            position: item.pos,
        };
        if let Some(node) = item.get("required_engine_version") {
            let text = scalar(node, "required_engine_version", ITEM_ENGINE, "")?;
            let integer = matches!(node.value, NodeValue::Int(_));
            let version = parse_version(&text, integer).ok_or_else(|| {
                validate_err(
                    format!("Unable to parse engine version '{text}' as a semver string. Expected \"x.y.z\" semver format."),
                    node,
                    ITEM_ENGINE,
                    "",
                )
            })?;
            if self
                .required_engine
                .as_ref()
                .is_none_or(|(v, _, _)| version > *v)
            {
                self.required_engine = Some((version, text, origin));
            }
            return Ok(());
        }
        if let Some(node) = item.get("required_plugin_versions") {
            return self.read_plugin_versions(node, &origin);
        }
        if let Some(node) = item.get("list") {
            return self.read_list(file, item, node, origin);
        }
        if let Some(node) = item.get("macro") {
            return self.read_macro(file, item, node, origin);
        }
        if let Some(node) = item.get("rule") {
            return self.read_rule(file, item, node, origin);
        }
        self.warn(
            file,
            Code::UnknownItem,
            None,
            "Unknown top level item".into(),
            item.pos,
            ITEM_CONTENT,
            "",
        );
        Ok(())
    }

    fn read_plugin_versions(&mut self, node: &Node, origin: &Origin) -> Result<(), ItemError> {
        let Some(entries) = node.as_seq() else {
            return Err(validate_err(
                "Value of 'required_plugin_versions' must be a sequence",
                node,
                ITEM_PLUGINS,
                "",
            ));
        };
        for entry in entries {
            let name = scalar(
                required(entry, "name", ITEM_PLUGINS, "")?,
                "name",
                ITEM_PLUGINS,
                "",
            )?;
            let version = scalar(
                required(entry, "version", ITEM_PLUGINS, &name)?,
                "version",
                ITEM_PLUGINS,
                &name,
            )?;
            let mut alternatives = vec![(name.clone(), version)];
            if let Some(alts) = entry.get("alternatives").and_then(Node::as_seq) {
                for alt in alts {
                    let alt_name = scalar(
                        required(alt, "name", ITEM_PLUGINS, &name)?,
                        "name",
                        ITEM_PLUGINS,
                        &name,
                    )?;
                    let alt_version = scalar(
                        required(alt, "version", ITEM_PLUGINS, &name)?,
                        "version",
                        ITEM_PLUGINS,
                        &name,
                    )?;
                    if alternatives.iter().any(|(n, _)| *n == alt_name) {
                        return Err(ItemError {
                            code: Code::ErrValidate,
                            message_id: None,
                            message: format!(
                                "Defined multiple alternative version requirements for plugin '{alt_name}'"
                            ),
                            position: alt.pos,
                            item_type: ITEM_PLUGINS,
                            item_name: name.clone(),
                        });
                    }
                    alternatives.push((alt_name, alt_version));
                }
            }
            self.plugin_requirements.push(PluginRequirement {
                alternatives,
                origin: Origin {
                    file: origin.file.clone(),
                    position: entry.pos,
                },
            });
        }
        Ok(())
    }

    fn read_list(
        &mut self,
        file: &str,
        item: &Node,
        name_node: &Node,
        origin: Origin,
    ) -> Result<(), ItemError> {
        let name = scalar(name_node, "list", ITEM_LIST, "")?;
        if name.is_empty() {
            return Err(validate_err("List name is empty", item, ITEM_LIST, ""));
        }
        self.warn_unknown_keys(file, item, LIST_KEYS, ITEM_LIST, &name);
        if !is_list_name(&name) {
            self.warn(file, Code::InvalidListName, None, "List has an invalid name. List names should match a regular expression: [^()\"'[:space:]=,]+".to_owned(), item.pos, ITEM_LIST, &name);
        }
        let items_node = required(item, "items", ITEM_LIST, &name)?;
        let items = string_seq(items_node, "items", ITEM_LIST, &name)?;
        let append = match item.get("append") {
            Some(node) => bool_value(node, "append", ITEM_LIST, &name)?,
            None => false,
        };
        let overrides =
            read_overrides(item, (LIST_APPENDABLE, LIST_REPLACEABLE), ITEM_LIST, &name)?;
        if append && overrides.is_some() {
            return Err(override_append_error(item, ITEM_LIST, &name));
        }
        let is_append = append || overrides.as_ref().is_some_and(|o| !o.append.is_empty());
        if append {
            self.warn(file, Code::DeprecatedItem, Some(WARNING_APPEND), "The 'append' key is deprecated. Add an 'append' entry (e.g. 'items: append') under 'override' instead.".into(), item.pos, ITEM_LIST, &name);
        }
        if append || overrides.is_some() {
            let Some(&index) = self.list_index.get(&name) else {
                return Err(no_previous(
                    item,
                    ITEM_LIST,
                    &name,
                    ERROR_NO_PREVIOUS_LIST,
                    "List uses 'append' or 'override' but no list by that name already exists",
                ));
            };
            if let Some(list) = self.lists.get_mut(index) {
                if is_append {
                    list.items.extend(items);
                } else {
                    list.items = items;
                }
            }
            return Ok(());
        }
        let info = ListInfo {
            name: name.clone(),
            items,
            origin,
        };
        define_in_place(&mut self.list_index, &mut self.lists, name, info);
        Ok(())
    }

    fn read_macro(
        &mut self,
        file: &str,
        item: &Node,
        name_node: &Node,
        origin: Origin,
    ) -> Result<(), ItemError> {
        let name = scalar(name_node, "macro", ITEM_MACRO, "")?;
        if name.is_empty() {
            return Err(validate_err("Macro name is empty", item, ITEM_MACRO, ""));
        }
        self.warn_unknown_keys(file, item, MACRO_KEYS, ITEM_MACRO, &name);
        if !is_macro_name(&name) {
            self.warn(file, Code::InvalidMacroName, None, "Macro has an invalid name. Macro names should match a regular expression: [a-zA-Z]+[a-zA-Z0-9_]*".into(), item.pos, ITEM_MACRO, &name);
        }
        let cond_node = required(item, "condition", ITEM_MACRO, &name)?;
        let condition = scalar(cond_node, "condition", ITEM_MACRO, &name)?;
        let condition_origin = Origin {
            file: file.to_owned(),
            position: cond_node.pos,
        };
        let append = match item.get("append") {
            Some(node) => bool_value(node, "append", ITEM_MACRO, &name)?,
            None => false,
        };
        let overrides = read_overrides(
            item,
            (MACRO_APPENDABLE, MACRO_REPLACEABLE),
            ITEM_MACRO,
            &name,
        )?;
        if append && overrides.is_some() {
            return Err(override_append_error(item, ITEM_MACRO, &name));
        }
        if append {
            self.warn(file, Code::DeprecatedItem, Some(WARNING_APPEND), "The 'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.".into(), item.pos, ITEM_MACRO, &name);
        }
        if append || overrides.is_some() {
            let is_append = append || overrides.as_ref().is_some_and(|o| !o.append.is_empty());
            let Some(&index) = self.macro_index.get(&name) else {
                return Err(no_previous(
                    item,
                    ITEM_MACRO,
                    &name,
                    ERROR_NO_PREVIOUS_MACRO,
                    "Macro uses 'append' or 'override' but no macro by that name already exists",
                ));
            };
            if let Some(m) = self.macros.get_mut(index) {
                if is_append {
                    m.condition = format!("{} {}", m.condition, condition);
                } else {
                    m.condition = condition;
                    m.condition_origin = condition_origin;
                }
            }
            return Ok(());
        }
        let info = MacroInfo {
            name: name.clone(),
            condition,
            origin,
            condition_origin,
        };
        define_in_place(&mut self.macro_index, &mut self.macros, name, info);
        Ok(())
    }

    fn read_rule(
        &mut self,
        file: &str,
        item: &Node,
        name_node: &Node,
        origin: Origin,
    ) -> Result<(), ItemError> {
        let name = scalar(name_node, "rule", ITEM_RULE, "")?;
        if name.is_empty() {
            return Err(validate_err("Rule name is empty", item, ITEM_RULE, ""));
        }
        self.warn_unknown_keys(file, item, RULE_KEYS, ITEM_RULE, &name);
        let append = match item.get("append") {
            Some(node) => bool_value(node, "append", ITEM_RULE, &name)?,
            None => false,
        };
        let overrides =
            read_overrides(item, (RULE_APPENDABLE, RULE_REPLACEABLE), ITEM_RULE, &name)?;
        if append && overrides.is_some() {
            return Err(override_append_error(item, ITEM_RULE, &name));
        }
        let exceptions = match item.get("exceptions").filter(|n| !n.is_null()) {
            Some(node) => read_exceptions(node, append || overrides.is_some(), file)?,
            None => Vec::new(),
        };
        let text = |key: &str| -> Result<Option<(String, Position)>, ItemError> {
            match item.get(key) {
                Some(node) if !node.is_null() => {
                    Ok(Some((scalar(node, key, ITEM_RULE, &name)?, node.pos)))
                }
                _ => Ok(None),
            }
        };
        let condition = text("condition")?;
        let output = text("output")?;
        let desc = text("desc")?;
        let priority = text("priority")?;
        let source = text("source")?.map(|(s, _)| s);
        let enabled = match item.get("enabled") {
            Some(node) => Some(bool_value(node, "enabled", ITEM_RULE, &name)?),
            None => None,
        };
        let skip = match item.get("skip-if-unknown-filter") {
            Some(node) => Some(bool_value(
                node,
                "skip-if-unknown-filter",
                ITEM_RULE,
                &name,
            )?),
            None => None,
        };
        let tags = match item.get("tags").filter(|n| !n.is_null()) {
            Some(node) => Some(string_seq(node, "tags", ITEM_RULE, &name)?),
            None => None,
        };
        if let Some(node) = item.get("priority").filter(|n| !n.is_null())
            && let Some((p, _)) = &priority
            && logsec_event::FalcoPriority::parse(p).is_none()
        {
            return Err(validate_err(
                format!("Invalid priority '{p}'"),
                node,
                ITEM_RULE,
                &name,
            ));
        }

        if let Some(ov) = overrides {
            let Some(&index) = self.rule_index.get(&name) else {
                return Err(no_previous(
                    item,
                    ITEM_RULE,
                    &name,
                    ERROR_NO_PREVIOUS_RULE,
                    "Rule uses 'append' or 'override' but no rule by that name already exists",
                ));
            };
            let source_known = self.rules.get(index).is_some_and(|r| r.source_known);
            let rule_source = self
                .rules
                .get(index)
                .map(|r| r.source.clone())
                .unwrap_or_default();
            let mut exceptions = exceptions;
            // Appends first, then replaces (one item may carry both).
            if ov.append.iter().any(|k| k == "exceptions") {
                self.append_exceptions(
                    index,
                    std::mem::take(&mut exceptions),
                    source_known.then_some(rule_source.as_str()),
                    file,
                )?;
            }
            let Some(rule) = self.rules.get_mut(index) else {
                return Ok(());
            };
            for key in &ov.append {
                match key.as_str() {
                    "condition" => {
                        if let Some((c, _)) = &condition {
                            rule.condition = format!("{} {}", rule.condition, c)
                        }
                    }
                    "output" => {
                        if let Some((o, _)) = &output {
                            rule.output = format!("{} {}", rule.output, o)
                        }
                    }
                    "desc" => {
                        if let Some((d, _)) = &desc {
                            rule.desc = format!("{} {}", rule.desc, d)
                        }
                    }
                    "tags" => rule.tags.extend(tags.clone().unwrap_or_default()),
                    _ => {}
                }
            }
            for key in &ov.replace {
                match key.as_str() {
                    "condition" => {
                        if let Some((c, pos)) = &condition {
                            rule.condition = c.clone();
                            rule.condition_origin = Origin {
                                file: file.to_owned(),
                                position: *pos,
                            };
                        }
                    }
                    "output" => {
                        if let Some((o, _)) = &output {
                            rule.output = o.clone()
                        }
                    }
                    "desc" => {
                        if let Some((d, _)) = &desc {
                            rule.desc = d.clone()
                        }
                    }
                    "priority" => {
                        if let Some((p, _)) = &priority {
                            rule.priority = p.clone()
                        }
                    }
                    "tags" => rule.tags = tags.clone().unwrap_or_default().into_iter().collect(),
                    "enabled" => {
                        if let Some(e) = enabled {
                            rule.enabled = e
                        }
                    }
                    "skip-if-unknown-filter" => {
                        if let Some(s) = skip {
                            rule.skip_if_unknown_filter = s
                        }
                    }
                    "exceptions" => {
                        let mut replaced = std::mem::take(&mut exceptions);
                        for ex in &mut replaced {
                            validate_exception(ex, source_known.then_some(rule_source.as_str()))?;
                        }
                        rule.exceptions = replaced;
                    }
                    _ => {}
                }
            }
            return Ok(());
        }

        if append {
            self.warn(file, Code::DeprecatedItem, Some(WARNING_APPEND), "The 'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.".into(), item.pos, ITEM_RULE, &name);
            let Some(&index) = self.rule_index.get(&name) else {
                return Err(no_previous(
                    item,
                    ITEM_RULE,
                    &name,
                    ERROR_NO_PREVIOUS_RULE,
                    "Rule uses 'append' or 'override' but no rule by that name already exists",
                ));
            };
            if condition.is_none() && exceptions.is_empty() {
                return Err(validate_err(
                    "Appended rule must have exceptions or condition property",
                    item,
                    ITEM_RULE,
                    &name,
                ));
            }
            let source_known = self.rules.get(index).is_some_and(|r| r.source_known);
            let rule_source = self
                .rules
                .get(index)
                .map(|r| r.source.clone())
                .unwrap_or_default();
            self.append_exceptions(
                index,
                exceptions,
                source_known.then_some(rule_source.as_str()),
                file,
            )?;
            if let Some((c, _)) = condition
                && let Some(rule) = self.rules.get_mut(index)
            {
                rule.condition = format!("{} {}", rule.condition, c);
            }
            return Ok(());
        }

        if condition.is_none()
            && output.is_none()
            && desc.is_none()
            && priority.is_none()
            && let Some(enabled) = enabled
        {
            {
                self.warn(file, Code::DeprecatedItem, Some(WARNING_ENABLED), "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').".into(), item.pos, ITEM_RULE, &name);
                let Some(&index) = self.rule_index.get(&name) else {
                    return Err(no_previous(
                        item,
                        ITEM_RULE,
                        &name,
                        ERROR_NO_PREVIOUS_RULE_ENABLE,
                        "Rule has 'enabled' key but no other keys, and no rule by that name already exists",
                    ));
                };
                if let Some(rule) = self.rules.get_mut(index) {
                    rule.enabled = enabled;
                }
                return Ok(());
            }
        }

        let (condition, cond_pos) = condition.ok_or_else(|| {
            validate_err(
                "Item has no mapping for key 'condition'",
                item,
                ITEM_RULE,
                &name,
            )
        })?;
        let (output, _) = output.ok_or_else(|| {
            validate_err(
                "Item has no mapping for key 'output'",
                item,
                ITEM_RULE,
                &name,
            )
        })?;
        let (desc, _) = desc.ok_or_else(|| {
            validate_err("Item has no mapping for key 'desc'", item, ITEM_RULE, &name)
        })?;
        let (priority, _) = priority.ok_or_else(|| {
            validate_err(
                "Item has no mapping for key 'priority'",
                item,
                ITEM_RULE,
                &name,
            )
        })?;
        let source = source.unwrap_or_else(|| "syscall".to_owned());
        if let Some(&index) = self.rule_index.get(&name)
            && item.get("source").is_some()
            && self
                .rules
                .get(index)
                .is_some_and(|prev| prev.source != source)
        {
            return Err(ItemError {
                code: Code::ErrValidate,
                message_id: None,
                message: "Rule has been re-defined with a different source".into(),
                position: item.pos,
                item_type: ITEM_RULE,
                item_name: name,
            });
        }
        let source_known = self.sources.contains(&source);
        let mut exceptions = exceptions;
        let mut seen = BTreeSet::new();
        for ex in &mut exceptions {
            if !seen.insert(ex.name.clone()) {
                self.warn(
                    file,
                    Code::ExceptionNameNotUnique,
                    None,
                    format!(
                        "Multiple definitions of exception '{}' in the same rule",
                        ex.name
                    ),
                    ex.origin.position,
                    ITEM_EXCEPTION,
                    &ex.name,
                );
            }
            validate_exception(ex, source_known.then_some(source.as_str()))?;
        }
        if !source_known {
            self.warn(
                file,
                Code::UnknownSource,
                None,
                format!("Unknown source {source}, skipping"),
                item.pos,
                ITEM_RULE,
                &name,
            );
        }
        let info = RuleInfo {
            name: name.clone(),
            condition,
            condition_origin: Origin {
                file: file.to_owned(),
                position: cond_pos,
            },
            output,
            desc,
            priority,
            source,
            source_known,
            enabled: enabled.unwrap_or(true),
            tags: tags.unwrap_or_default().into_iter().collect(),
            exceptions,
            skip_if_unknown_filter: skip.unwrap_or(false),
            origin,
        };
        define_in_place(&mut self.rule_index, &mut self.rules, name, info);
        Ok(())
    }

    fn append_exceptions(
        &mut self,
        index: usize,
        exceptions: Vec<ExceptionInfo>,
        source: Option<&str>,
        file: &str,
    ) -> Result<(), ItemError> {
        for mut ex in exceptions {
            let err = |message: &str, ex: &ExceptionInfo| ItemError {
                code: Code::ErrValidate,
                message_id: None,
                message: message.to_owned(),
                position: ex.origin.position,
                item_type: ITEM_EXCEPTION,
                item_name: ex.name.clone(),
            };
            let Some(rule) = self.rules.get_mut(index) else {
                return Ok(());
            };
            match rule.exceptions.iter_mut().find(|prev| prev.name == ex.name) {
                Some(prev) => {
                    if ex.fields.is_some() {
                        return Err(err(
                            "Can not append exception fields to existing exception, only values",
                            &ex,
                        ));
                    }
                    if ex.comps.is_some() {
                        return Err(err(
                            "Can not append exception comps to existing exception, only values",
                            &ex,
                        ));
                    }
                    let mut merged = prev.clone();
                    merged.values.extend(ex.values.clone());
                    validate_exception(&mut merged, source)?;
                    *prev = merged;
                }
                None => {
                    if ex.fields.is_none() {
                        return Err(err(
                            "Rule exception must have fields property with a list of fields",
                            &ex,
                        ));
                    }
                    if ex.values.is_empty() {
                        let (pos, name) = (ex.origin.position, ex.name.clone());
                        self.warn(
                            file,
                            Code::AppendNoValues,
                            None,
                            "Overriding/appending exception with no values".into(),
                            pos,
                            ITEM_EXCEPTION,
                            &name,
                        );
                    }
                    validate_exception(&mut ex, source)?;
                    if let Some(rule) = self.rules.get_mut(index) {
                        rule.exceptions.push(ex);
                    }
                }
            }
        }
        Ok(())
    }
}

fn override_append_error(item: &Node, item_type: &'static str, name: &str) -> ItemError {
    ItemError {
        code: Code::ErrYamlValidate,
        message_id: Some(ERROR_OVERRIDE_APPEND),
        message: "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.".into(),
        position: item.pos,
        item_type,
        item_name: name.to_owned(),
    }
}

fn no_previous(
    item: &Node,
    item_type: &'static str,
    name: &str,
    id: &'static str,
    message: &str,
) -> ItemError {
    ItemError {
        code: Code::ErrValidate,
        message_id: Some(id),
        message: message.to_owned(),
        position: item.pos,
        item_type,
        item_name: name.to_owned(),
    }
}

/// Falco's redefinition rule: a second definition of a name replaces the first in place (it
/// keeps the first one's position in load order); a new name goes to the end.
fn define_in_place<T>(
    index: &mut HashMap<String, usize>,
    items: &mut Vec<T>,
    name: String,
    item: T,
) {
    match index.get(&name) {
        Some(&at) => {
            if let Some(slot) = items.get_mut(at) {
                *slot = item;
            }
        }
        None => {
            index.insert(name, items.len());
            items.push(item);
        }
    }
}
