//! The compiler: collected lists, macros and rules → conditions with lists expanded
//! textually, exceptions appended as Falco builds them, macros substituted into the tree, fields
//! resolved, operators checked, and everything lowered to the shared IR.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use logsec_event::{
    Dialect, Event, FalcoPriority, FieldPath, FieldValue, Segment, Severity, SourceFormat,
};

use super::ast::{CmpOp, Expr, FieldExpr, Modifier, Rhs, Transformer};
use super::collect::{
    Collector, ExItem, ExValue, ExceptionInfo, ITEM_LIST, ITEM_MACRO, ITEM_RULE, OneOrMany, Origin,
    RuleInfo, parse_comp,
};
use super::diag::{Code, Diagnostic};
use super::fields::{self, EvalContext, FieldError, FieldType, ResolvedField, Val};
use super::lists::{paren_item, quote_item, resolve_list};
use super::output::{OutputTemplate, apply_transform};
use super::parser::parse_condition;
use super::yaml::Position;
use crate::ir;

/// A Falco rule, loaded and compiled.
#[derive(Debug, Clone)]
pub struct FalcoRule {
    /// The rule name.
    pub name: String,
    /// `desc`.
    pub desc: String,
    /// `source` (`aws_cloudtrail`, `k8s_audit`).
    pub source: String,
    /// `priority`.
    pub priority: FalcoPriority,
    /// Whether the rule is enabled (`enabled: false` rules are compiled and validated but left
    /// out of [`super::FalcoRules::rule_set`]).
    pub enabled: bool,
    /// `tags`, sorted (Falco keeps them as a set).
    pub tags: Vec<String>,
    /// The effective condition after list expansion, exceptions and macro substitution.
    pub condition: Expr,
    /// The condition text that was parsed (lists expanded, exceptions appended).
    pub condition_text: String,
    /// The fields used by the rule's exceptions.
    pub exception_fields: Vec<String>,
    /// The output template.
    pub output: OutputTemplate,
    /// The file the rule was defined in.
    pub file: String,
    /// Where in that file.
    pub position: Position,
    /// The rule lowered to the shared IR.
    pub compiled: ir::CompiledRule,
}

/// A rule that is not part of the rule set, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRule {
    /// The rule name.
    pub name: String,
    /// The reason, with the Falco code that reported it.
    pub code: Code,
    /// A readable reason.
    pub reason: String,
    /// The file.
    pub file: String,
    /// Where.
    pub position: Position,
}

/// The logsec field extractor behind every Falco plugin field the IR cannot read as a path.
#[derive(Debug)]
struct FalcoExtractor {
    field: ResolvedField,
    transforms: Vec<Transformer>,
    source: String,
    name: String,
}

impl ir::FieldExtractor for FalcoExtractor {
    fn extract<'e>(&self, event: &'e Event<'_>) -> FieldValue<'e> {
        let ctx = EvalContext {
            event_number: 1,
            source: &self.source,
        };
        if self.transforms.is_empty() {
            return self.field.extract_value(event, &ctx);
        }
        let mut values = self.field.extract(event, &ctx);
        let mut is_list = self.field.is_list();
        for t in &self.transforms {
            values = apply_transform(*t, values, is_list);
            if *t == Transformer::Len {
                is_list = false;
            }
        }
        to_field_value(values, is_list)
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn reads_raw_only(&self) -> bool {
        self.field.reads_raw_only()
    }
}

fn convert(v: Val<'_>) -> FieldValue<'_> {
    match v {
        Val::Str(s) => FieldValue::Str(s),
        Val::Num(n) => FieldValue::UInt(n),
    }
}

fn to_field_value(values: Vec<Val<'_>>, is_list: bool) -> FieldValue<'_> {
    if values.is_empty() {
        return FieldValue::Missing;
    }
    if is_list {
        return FieldValue::List(values.into_iter().map(convert).collect());
    }
    values
        .into_iter()
        .next()
        .map_or(FieldValue::Missing, convert)
}

/// Falco's output rendered for the IR's alerts.
#[derive(Debug)]
struct FalcoOutput {
    template: OutputTemplate,
}

impl ir::OutputTemplate for FalcoOutput {
    fn render(&self, event: &Event<'_>) -> String {
        self.template.render(event).0
    }

    fn fields(&self, event: &Event<'_>) -> BTreeMap<String, serde_json::Value> {
        self.template.render(event).1.into_iter().collect()
    }

    fn render_with_fields(
        &self,
        event: &Event<'_>,
    ) -> (String, BTreeMap<String, serde_json::Value>) {
        let (message, fields) = self.template.render(event);
        (message, fields.into_iter().collect())
    }
}

/// String ordering (`<`, `>`… on string fields compare with `strcmp`, as libs does).
#[derive(Debug)]
struct StrOrder {
    op: ir::CmpOp,
    rhs: String,
}

impl ir::ValueMatcher for StrOrder {
    fn matches(&self, value: &FieldValue<'_>) -> bool {
        value
            .to_text()
            .is_some_and(|text| self.op.holds(text.as_ref().cmp(self.rhs.as_str())))
    }
    fn describe(&self) -> String {
        format!("string order {:?} {:?}", self.op, self.rhs)
    }
}

/// Passes for string values only.
#[derive(Debug)]
struct IsString;

impl ir::ValueMatcher for IsString {
    fn matches(&self, value: &FieldValue<'_>) -> bool {
        matches!(value, FieldValue::Str(_))
    }
    fn describe(&self) -> String {
        "is a string".into()
    }
}

/// `pmatch`: path-prefix match, component-wise, with per-component globs.
#[derive(Debug)]
struct PathPrefix {
    prefixes: Vec<Vec<regex::Regex>>,
    shown: String,
}

impl ir::ValueMatcher for PathPrefix {
    fn matches(&self, value: &FieldValue<'_>) -> bool {
        let Some(text) = value.to_text() else {
            return false;
        };
        let components: Vec<&str> = text.split('/').collect();
        self.prefixes.iter().any(|prefix| {
            prefix.len() <= components.len()
                && prefix
                    .iter()
                    .zip(&components)
                    .all(|(re, component)| re.is_match(component))
        })
    }
    fn describe(&self) -> String {
        format!("pmatch ({})", self.shown)
    }
}

/// Translates a Falco glob (`*`, `?`, `[...]`, `\` escapes) to an anchored regex.
fn glob_regex(pattern: &str) -> String {
    let mut out = String::from(r"\A");
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            '[' => {
                let mut class = String::new();
                let mut closed = false;
                if chars.peek() == Some(&'!') || chars.peek() == Some(&'^') {
                    chars.next();
                    class.push('^');
                }
                for d in chars.by_ref() {
                    if d == ']' && !(class.is_empty() || class == "^") {
                        closed = true;
                        break;
                    }
                    if d == '\\' || d == '[' {
                        class.push('\\');
                    }
                    class.push(d);
                }
                if closed {
                    out.push('[');
                    out.push_str(&class);
                    out.push(']');
                } else {
                    out.push_str(r"\[");
                    out.push_str(&regex::escape(&class));
                }
            }
            '\\' => match chars.next() {
                Some(n) => out.push_str(&regex::escape(n.encode_utf8(&mut [0; 4]))),
                None => out.push_str(r"\\"),
            },
            other => out.push_str(&regex::escape(other.encode_utf8(&mut [0; 4]))),
        }
    }
    out.push_str(r"\z");
    out
}

fn source_format(source: &str) -> Option<SourceFormat> {
    match source {
        fields::SOURCE_CLOUDTRAIL => Some(SourceFormat::Cloudtrail),
        fields::SOURCE_K8S_AUDIT => Some(SourceFormat::K8sAudit),
        _ => None,
    }
}

/// Builds the exception part of a condition exactly as `build_rule_exception_infos` does.
fn exception_condition(exceptions: &[ExceptionInfo], fields_used: &mut Vec<String>) -> String {
    let mut condition = String::new();
    for ex in exceptions {
        let mut icond = String::new();
        match (&ex.fields, &ex.comps) {
            (Some(OneOrMany::One(field)), comps) => {
                let comp = match comps {
                    Some(OneOrMany::One(c)) => c.as_str(),
                    _ => "in",
                };
                for value in &ex.values {
                    let ExValue::Scalar(v) = value else { continue };
                    if icond.is_empty() {
                        icond = format!("({field} {comp} (");
                    } else {
                        icond.push_str(", ");
                    }
                    icond.push_str(&quote_item(v));
                }
                if !icond.is_empty() {
                    icond.push_str("))");
                    fields_used.push(field.clone());
                }
            }
            (Some(OneOrMany::Many(fields)), comps) => {
                let comps: Vec<String> = match comps {
                    Some(OneOrMany::Many(c)) => c.clone(),
                    _ => vec!["=".to_owned(); fields.len()],
                };
                icond.push('(');
                for value in &ex.values {
                    let ExValue::Tuple(items) = value else {
                        continue;
                    };
                    if icond != "(" {
                        icond.push_str(" or ");
                    }
                    icond.push('(');
                    for (k, (field, item)) in fields.iter().zip(items).enumerate() {
                        if k > 0 {
                            icond.push_str(" and ");
                        }
                        let comp = comps.get(k).map_or("=", String::as_str);
                        let istr = match item {
                            ExItem::List(values) => format!(
                                "({})",
                                values
                                    .iter()
                                    .map(|v| quote_item(v))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                            ExItem::Scalar(v) => {
                                let list_op = parse_comp(comp)
                                    .is_some_and(|(op, m)| op.takes_list() || m.is_some());
                                if list_op {
                                    paren_item(v)
                                } else {
                                    quote_item(v)
                                }
                            }
                        };
                        icond.push_str(&format!(" {field} {comp} {istr}"));
                        if !fields_used.contains(field) {
                            fields_used.push(field.clone());
                        }
                    }
                    icond.push(')');
                }
                icond.push(')');
                if icond == "()" {
                    icond.clear();
                }
            }
            (None, _) => {}
        }
        if !icond.is_empty() {
            condition.push_str(" and not ");
            condition.push_str(&icond);
        }
    }
    condition
}

struct CompiledMacro {
    name: String,
    ast: Option<Expr>,
}

/// Options the compiler needs.
pub(crate) struct CompileOptions {
    pub(crate) engine_version: (u64, u64, u64),
    pub(crate) plugins: Vec<(String, String)>,
}

/// Everything a load produced.
pub(crate) struct Compiled {
    pub(crate) rules: Vec<FalcoRule>,
    pub(crate) skipped: Vec<SkippedRule>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

struct RuleError {
    code: Code,
    message: String,
    unknown_field: bool,
}

fn rule_err(code: Code, message: impl Into<String>) -> RuleError {
    RuleError {
        code,
        message: message.into(),
        unknown_field: false,
    }
}

pub(crate) fn compile(mut collector: Collector, options: &CompileOptions) -> Compiled {
    let mut diagnostics = std::mem::take(&mut collector.diagnostics);
    let mut extractors = Extractors::new();
    check_versions(&collector, options, &mut diagnostics);

    // Lists: items naming an earlier list are spliced in.
    let mut list_used = vec![false; collector.lists.len()];
    let mut list_items: Vec<Vec<String>> = Vec::with_capacity(collector.lists.len());
    for (i, list) in collector.lists.iter().enumerate() {
        let mut items = Vec::new();
        for item in &list.items {
            match collector
                .lists
                .get(..i)
                .and_then(|earlier| earlier.iter().position(|l| l.name == *item))
            {
                Some(j) => {
                    if let Some(u) = list_used.get_mut(j) {
                        *u = true;
                    }
                    items.extend(list_items.get(j).cloned().unwrap_or_default());
                }
                None => items.push(item.clone()),
            }
            if items.len() > MAX_LIST_ITEMS {
                break;
            }
        }
        if items.len() > MAX_LIST_ITEMS {
            diagnostics.push(diag(
                Code::ErrValidate,
                format!("List expands to more than {MAX_LIST_ITEMS} items; it is left empty"),
                &list.origin,
                ITEM_LIST,
                &list.name,
            ));
            items.clear();
        }
        list_items.push(items);
    }
    let expand = |text: &str, used: &mut Vec<bool>| -> String {
        let mut cond = text.to_owned();
        for (i, list) in collector.lists.iter().enumerate() {
            if !cond.contains(list.name.as_str()) {
                continue;
            }
            let items = list_items.get(i).map_or(&[][..], Vec::as_slice);
            match resolve_list(&mut cond, &list.name, items) {
                Ok(true) => {
                    if let Some(u) = used.get_mut(i) {
                        *u = true;
                    }
                }
                Ok(false) => {}
                // An unparsable marker: the caller reports the parse error with this text.
                Err(()) => return TOO_LONG.to_owned(),
            }
        }
        cond
    };

    // Macros: parsed with lists expanded.
    let mut macros = Vec::with_capacity(collector.macros.len());
    for m in &collector.macros {
        let text = expand(&m.condition, &mut list_used);
        let ast = match parse_condition(&text) {
            Ok(ast) => Some(ast),
            Err(e) => {
                diagnostics.push(diag(
                    Code::ErrCompileCondition,
                    format!(
                        "{} (at offset {} of '{}')",
                        e.message,
                        e.offset,
                        text.trim()
                    ),
                    &m.condition_origin,
                    ITEM_MACRO,
                    &m.name,
                ));
                None
            }
        };
        macros.push(CompiledMacro {
            name: m.name.clone(),
            ast,
        });
    }
    let macro_index: HashMap<&str, usize> = macros
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name.as_str(), i))
        .collect();
    let mut macro_used = vec![false; macros.len()];

    let mut rules = Vec::new();
    let mut skipped = Vec::new();
    for info in &collector.rules {
        let mut exception_fields = Vec::new();
        let mut text = if info.exceptions.iter().any(|e| !e.values.is_empty()) {
            format!("({})", info.condition)
        } else {
            info.condition.clone()
        };
        text.push_str(&exception_condition(
            &info.exceptions,
            &mut exception_fields,
        ));
        let text = expand(&text, &mut list_used);
        let result = parse_condition(&text)
            .map_err(|e| {
                rule_err(
                    Code::ErrCompileCondition,
                    format!(
                        "{} (at offset {} of '{}')",
                        e.message,
                        e.offset,
                        text.trim()
                    ),
                )
            })
            .and_then(|ast| {
                substitute(
                    ast,
                    &macros,
                    &macro_index,
                    macros.len(),
                    &mut macro_used,
                    &mut Vec::new(),
                )
            });
        if !info.source_known {
            skipped.push(SkippedRule {
                name: info.name.clone(),
                code: Code::UnknownSource,
                reason: format!("Unknown source {}, skipping", info.source),
                file: info.origin.file.clone(),
                position: info.origin.position,
            });
            continue;
        }
        let built = result.and_then(|ast| {
            build_rule(
                info,
                ast,
                text.clone(),
                exception_fields,
                &mut diagnostics,
                &mut extractors,
            )
        });
        match built {
            Ok(rule) => rules.push(rule),
            Err(e) if e.unknown_field && info.skip_if_unknown_filter => {
                diagnostics.push(diag(
                    Code::UnknownFilter,
                    format!(
                        "{}; the rule is skipped (skip-if-unknown-filter)",
                        e.message
                    ),
                    &info.condition_origin,
                    ITEM_RULE,
                    &info.name,
                ));
                skipped.push(SkippedRule {
                    name: info.name.clone(),
                    code: Code::UnknownFilter,
                    reason: e.message,
                    file: info.origin.file.clone(),
                    position: info.origin.position,
                });
            }
            Err(e) => {
                let origin = if e.code == Code::ErrCompileCondition {
                    &info.condition_origin
                } else {
                    &info.origin
                };
                diagnostics.push(diag(
                    e.code,
                    e.message.clone(),
                    origin,
                    ITEM_RULE,
                    &info.name,
                ));
                skipped.push(SkippedRule {
                    name: info.name.clone(),
                    code: e.code,
                    reason: e.message,
                    file: info.origin.file.clone(),
                    position: info.origin.position,
                });
            }
        }
    }

    for (i, list) in collector.lists.iter().enumerate() {
        if !list_used.get(i).copied().unwrap_or(true) {
            diagnostics.push(diag(
                Code::UnusedList,
                "List not referred to by any other rule/macro".into(),
                &list.origin,
                ITEM_LIST,
                &list.name,
            ));
        }
    }
    for (i, m) in collector.macros.iter().enumerate() {
        if !macro_used.get(i).copied().unwrap_or(true) {
            diagnostics.push(diag(
                Code::UnusedMacro,
                "Macro not referred to by any other rule/macro".into(),
                &m.origin,
                ITEM_MACRO,
                &m.name,
            ));
        }
    }
    Compiled {
        rules,
        skipped,
        diagnostics,
    }
}

fn diag(
    code: Code,
    message: String,
    origin: &Origin,
    item_type: &'static str,
    name: &str,
) -> Diagnostic {
    Diagnostic {
        level: code.level(),
        code,
        message_id: None,
        message,
        file: origin.file.clone(),
        position: origin.position,
        item_type,
        item_name: name.to_owned(),
    }
}

fn check_versions(
    collector: &Collector,
    options: &CompileOptions,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if let Some((required, text, origin)) = &collector.required_engine
        && !super::collect::compatible(options.engine_version, *required)
    {
        let (a, b, c) = options.engine_version;
        diagnostics.push(diag(
            Code::ErrValidate,
            format!("Rules require engine version {text}, but engine version is {a}.{b}.{c}"),
            origin,
            super::collect::ITEM_ENGINE,
            "",
        ));
    }
    for req in &collector.plugin_requirements {
        let mut satisfied = false;
        let mut detail = None;
        for (name, version) in &req.alternatives {
            let Some((_, have)) = options.plugins.iter().find(|(n, _)| n == name) else {
                continue;
            };
            let want = super::collect::parse_version(version, false);
            let have_v = super::collect::parse_version(have, false);
            match (have_v, want) {
                (Some(h), Some(w)) if super::collect::compatible(h, w) => satisfied = true,
                _ => {
                    detail.get_or_insert_with(|| format!("Plugin '{name}' version '{have}' is not compatible with required plugin version '{version}'"));
                }
            }
        }
        if !satisfied {
            let first = req.alternatives.first().map_or("", |(n, _)| n.as_str());
            let message =
                detail.unwrap_or_else(|| format!("Plugin '{first}' is required but not loaded"));
            diagnostics.push(diag(
                Code::ErrValidate,
                message,
                &req.origin,
                super::collect::ITEM_PLUGINS,
                first,
            ));
        }
    }
}

/// Most list items after nested lists are spliced in.
const MAX_LIST_ITEMS: usize = 100_000;
/// The text a condition becomes when list expansion exceeds the size limit.
const TOO_LONG: &str = "( condition too long after list expansion";
/// Most nodes and nesting a rule's tree may reach once macros are substituted.
const MAX_TREE_NODES: usize = 200_000;
const MAX_TREE_DEPTH: usize = 1000;

/// Substitutes macros into the tree; a macro sees only macros defined before it.
fn substitute(
    expr: Expr,
    macros: &[CompiledMacro],
    index: &HashMap<&str, usize>,
    visible: usize,
    used: &mut Vec<bool>,
    stack: &mut Vec<usize>,
) -> Result<Expr, RuleError> {
    let mut budget = Budget {
        nodes: MAX_TREE_NODES,
        depth: 0,
    };
    substitute_in(expr, macros, index, visible, used, stack, &mut budget)
}

struct Budget {
    nodes: usize,
    depth: usize,
}

// The recursion carries the macro table and the usage and loop state; bundling them would not
// make it clearer.
#[allow(clippy::too_many_arguments)]
fn substitute_in(
    expr: Expr,
    macros: &[CompiledMacro],
    index: &HashMap<&str, usize>,
    visible: usize,
    used: &mut Vec<bool>,
    stack: &mut Vec<usize>,
    budget: &mut Budget,
) -> Result<Expr, RuleError> {
    budget.nodes = budget.nodes.checked_sub(1).ok_or_else(|| {
        rule_err(
            Code::ErrCompileCondition,
            format!("condition has more than {MAX_TREE_NODES} nodes once macros are substituted"),
        )
    })?;
    if budget.depth >= MAX_TREE_DEPTH {
        return Err(rule_err(
            Code::ErrCompileCondition,
            format!(
                "condition nests deeper than {MAX_TREE_DEPTH} levels once macros are substituted"
            ),
        ));
    }
    budget.depth += 1;
    let out = substitute_node(expr, macros, index, visible, used, stack, budget);
    budget.depth -= 1;
    out
}

#[allow(clippy::too_many_arguments)]
fn substitute_node(
    expr: Expr,
    macros: &[CompiledMacro],
    index: &HashMap<&str, usize>,
    visible: usize,
    used: &mut Vec<bool>,
    stack: &mut Vec<usize>,
    budget: &mut Budget,
) -> Result<Expr, RuleError> {
    Ok(match expr {
        Expr::And(items) => Expr::And(
            items
                .into_iter()
                .map(|e| substitute_in(e, macros, index, visible, used, stack, budget))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Or(items) => Expr::Or(
            items
                .into_iter()
                .map(|e| substitute_in(e, macros, index, visible, used, stack, budget))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Not(inner) => Expr::Not(Box::new(substitute_in(
            *inner, macros, index, visible, used, stack, budget,
        )?)),
        Expr::Macro(name, offset) => {
            let Some(&i) = index.get(name.as_str()).filter(|i| **i < visible) else {
                return Err(rule_err(
                    Code::ErrCompileCondition,
                    format!("Undefined macro '{name}' used in filter."),
                ));
            };
            if stack.contains(&i) {
                return Err(rule_err(
                    Code::ErrCompileCondition,
                    format!("Reference loop in macro '{name}'"),
                ));
            }
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
            let Some(ast) = macros.get(i).and_then(|m| m.ast.clone()) else {
                return Err(rule_err(
                    Code::ErrCompileCondition,
                    format!("Macro '{name}' (offset {offset}) has an invalid condition"),
                ));
            };
            stack.push(i);
            let out = substitute_in(ast, macros, index, i, used, stack, budget);
            stack.pop();
            out?
        }
        check @ Expr::Check { .. } => check,
    })
}

fn build_rule(
    info: &RuleInfo,
    ast: Expr,
    text: String,
    exception_fields: Vec<String>,
    diagnostics: &mut Vec<Diagnostic>,
    extractors: &mut Extractors,
) -> Result<FalcoRule, RuleError> {
    let priority = FalcoPriority::parse(&info.priority).ok_or_else(|| {
        rule_err(
            Code::ErrValidate,
            format!("Invalid priority '{}'", info.priority),
        )
    })?;
    let mut lowering = Lowering {
        source: &info.source,
        warnings: Vec::new(),
        extractors,
    };
    let condition = order_by_cost(merge_contains(lowering.lower(&ast)?));
    for (code, w) in lowering.warnings {
        diagnostics.push(diag(code, w, &info.condition_origin, ITEM_RULE, &info.name));
    }
    let output = OutputTemplate::compile(&info.output, &info.source).map_err(|e| RuleError {
        code: Code::ErrCompileOutput,
        message: e.message,
        unknown_field: e.unknown_field,
    })?;
    let tags: Vec<String> = info.tags.iter().cloned().collect();
    let mut compiled = ir::CompiledRule::new(info.name.clone(), Dialect::Falco, condition);
    compiled.description = info.desc.clone();
    compiled.severity = Severity::from_falco(priority);
    compiled.tags = tags.clone();
    compiled.source_file = Some(info.origin.file.clone());
    compiled.sources = source_format(&info.source).into_iter().collect();
    compiled.output = Some(Arc::new(FalcoOutput {
        template: output.clone(),
    }));
    Ok(FalcoRule {
        name: info.name.clone(),
        desc: info.desc.clone(),
        source: info.source.clone(),
        priority,
        enabled: info.enabled,
        tags,
        condition: ast,
        condition_text: text,
        exception_fields,
        output,
        file: info.origin.file.clone(),
        position: info.origin.position,
        compiled,
    })
}

struct Lowering<'s> {
    source: &'s str,
    warnings: Vec<(Code, String)>,
    extractors: &'s mut Extractors,
}

/// The computed-field accessors made so far, by source and field text (field, argument and
/// transformers): rules reading one field share one accessor, so the rule set can tell their
/// tests apart from others only by what they test, and read each once per event.
type Extractors = HashMap<(String, String), Arc<FalcoExtractor>>;

/// An operand: the accessor plus what the compiler needs to know about it.
struct Operand {
    accessor: ir::Accessor,
    ty: FieldType,
    is_list: bool,
    /// The k8saudit `auditID` prerequisite, when the accessor is a raw path.
    needs_audit_id: bool,
    /// A cloudtrail string field read as a raw path: only JSON strings compare (the plugin
    /// turns other values into `""`, which the caller has ruled out).
    string_only: bool,
    text: String,
}

fn unknown(field: &str, e: &FieldError) -> RuleError {
    RuleError {
        code: Code::ErrCompileCondition,
        message: format!("'{field}' {e}"),
        unknown_field: matches!(e, FieldError::Unknown { .. } | FieldError::WrongSource),
    }
}

impl Lowering<'_> {
    fn operand(
        &mut self,
        expr: &FieldExpr,
        cloudtrail_path_ok: bool,
    ) -> Result<Operand, RuleError> {
        let mut transforms = Vec::new();
        let mut inner = expr;
        while let FieldExpr::Transform(t, e) = inner {
            transforms.push(*t);
            inner = e;
        }
        transforms.reverse();
        let FieldExpr::Field { name, arg } = inner else {
            return Err(rule_err(Code::ErrCompileCondition, "expected a field"));
        };
        let field = fields::resolve(name, arg.as_deref(), self.source)
            .map_err(|e| unknown(&inner.to_string(), &e))?;
        let mut is_list = field.is_list();
        let mut ty = field.ty();
        for t in &transforms {
            if *t == Transformer::Len {
                is_list = false;
                ty = FieldType::Uint64;
            }
        }
        if transforms.is_empty()
            && let Some((path, audit)) = field.simple_raw_path()
            && (audit || cloudtrail_path_ok)
        {
            let segments = path.iter().map(|s| Segment::Key((*s).into())).collect();
            return Ok(Operand {
                accessor: ir::Accessor::Path(FieldPath::raw_segments(segments)),
                ty,
                is_list,
                needs_audit_id: audit,
                string_only: !audit,
                text: expr.to_string(),
            });
        }
        let text = expr.to_string();
        let extractor = self
            .extractors
            .entry((self.source.to_owned(), text.clone()))
            .or_insert_with(|| {
                Arc::new(FalcoExtractor {
                    field,
                    transforms,
                    source: self.source.to_owned(),
                    name: text.clone(),
                })
            });
        Ok(Operand {
            accessor: ir::Accessor::Custom(extractor.clone()),
            ty,
            is_list,
            needs_audit_id: false,
            string_only: false,
            text,
        })
    }

    fn lower(&mut self, expr: &Expr) -> Result<ir::Expr, RuleError> {
        match expr {
            Expr::And(items) => Ok(ir::Expr::and(
                items
                    .iter()
                    .map(|e| self.lower(e))
                    .collect::<Result<_, _>>()?,
            )),
            Expr::Or(items) => Ok(ir::Expr::or(
                items
                    .iter()
                    .map(|e| self.lower(e))
                    .collect::<Result<_, _>>()?,
            )),
            Expr::Not(inner) => Ok(ir::Expr::not(self.lower(inner)?)),
            Expr::Macro(name, _) => Err(rule_err(
                Code::ErrCompileCondition,
                format!("Undefined macro '{name}' used in filter."),
            )),
            Expr::Check {
                lhs,
                op,
                modifier,
                rhs,
                ..
            } => self.lower_check(lhs, *op, *modifier, rhs),
        }
    }

    fn lower_check(
        &mut self,
        lhs: &FieldExpr,
        op: CmpOp,
        modifier: Option<Modifier>,
        rhs: &Rhs,
    ) -> Result<ir::Expr, RuleError> {
        // `jevt.rawtime exists` is Falco's "always true" idiom: every event has a time.
        if op == CmpOp::Exists
            && let FieldExpr::Field { name, arg: None } = lhs
            && (name == "jevt.rawtime" || name == "json.rawtime")
        {
            return Ok(ir::Expr::Const(true));
        }
        // Cloudtrail string fields become indexable raw paths for `exists` and for equality
        // with non-empty literals, where the plugin's "non-string is \"\"" rule cannot change
        // the outcome; every other use goes through the exact extractor.
        let path_ok = modifier.is_none()
            && match (op, rhs) {
                (CmpOp::Exists, _) => true,
                (CmpOp::Eq | CmpOp::In | CmpOp::Intersects, Rhs::Value(v)) => !v.is_empty(),
                (CmpOp::Eq | CmpOp::In | CmpOp::Intersects, Rhs::List(items)) => {
                    items.iter().all(|v| !v.is_empty())
                }
                _ => false,
            };
        let mut left = self.operand(lhs, path_ok)?;
        if op == CmpOp::Exists {
            // A non-string value is still a value (`""`) for the plugin.
            left.string_only = false;
        }
        let field_text = left.text.clone();
        if matches!(op, CmpOp::BContains | CmpOp::BStartsWith) {
            return Err(rule_err(
                Code::ErrCompileCondition,
                format!(
                    "'{}' is only supported on buffer fields, and '{field_text}' is a string field; use '{}' instead",
                    op.as_str(),
                    if op == CmpOp::BContains {
                        "contains"
                    } else {
                        "startswith"
                    }
                ),
            ));
        }
        if left.is_list && !matches!(op, CmpOp::Exists | CmpOp::In | CmpOp::Intersects) {
            // libs rejects this when the event is evaluated; the engine-v4 era rules still use
            // it, so logsec loads it, tests each value (any value passing), and warns.
            self.warnings.push((Code::CompileConditionWarning, format!(
                "list field '{field_text}' only supports operators 'exists', 'in' and 'intersects' in Falco (found '{}'); logsec passes when any value matches",
                op.as_str()
            )));
        }
        if let Rhs::Value(v) = rhs
            && v == "<NA>"
            && (field_text.starts_with("ka.") || field_text.starts_with("jevt."))
        {
            self.warnings.push((Code::UnsafeNaCheck, format!("Comparing '{field_text}' with \"<NA>\" is unsafe: plugin fields have no value instead of \"<NA>\"; use 'exists'")));
        }
        if let Some(m) = modifier {
            let Rhs::List(items) = rhs else {
                return Err(rule_err(
                    Code::ErrCompileCondition,
                    "a modifier needs a list",
                ));
            };
            if left.is_list {
                return Err(rule_err(
                    Code::ErrCompileCondition,
                    format!(
                        "modifier '{}' needs a single-valued field; '{field_text}' is a list field",
                        m.as_str()
                    ),
                ));
            }
            let preds = items
                .iter()
                .map(|v| self.lower_check(lhs, op, None, &Rhs::Value(v.clone())))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(match m {
                Modifier::AnyOf => ir::Expr::or(preds),
                Modifier::AllOf if preds.is_empty() => ir::Expr::Const(false),
                Modifier::AllOf => ir::Expr::and(preds),
                Modifier::OneOf => {
                    let mut alternatives = Vec::new();
                    for (i, p) in preds.iter().enumerate() {
                        let mut all = vec![p.clone()];
                        for (j, q) in preds.iter().enumerate() {
                            if i != j {
                                all.push(ir::Expr::not(q.clone()));
                            }
                        }
                        alternatives.push(ir::Expr::and(all));
                    }
                    ir::Expr::or(alternatives)
                }
            });
        }
        let invalid = |message: String| rule_err(Code::ErrCompileCondition, message);
        let pattern_err = |e: crate::RulesError| {
            rule_err(Code::ErrCompileCondition, format!("'{field_text}': {e}"))
        };
        let mut negate = false;
        let mut quantifier = ir::Quantifier::Any;
        let test = match (op, rhs) {
            (CmpOp::Exists, _) => ir::Test::Present,
            (_, Rhs::Field(other)) => {
                if !matches!(op, CmpOp::Eq | CmpOp::Ne | CmpOp::In | CmpOp::Intersects) {
                    return Err(RuleError {
                        code: Code::ErrCompileCondition,
                        message: format!(
                            "val()/transformer right-hand sides are supported with '=', '!=', 'in' and 'intersects' only (found '{}')",
                            op.as_str()
                        ),
                        unknown_field: false,
                    });
                }
                let right = self.operand(other, false)?;
                if right.is_list != left.is_list && matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    return Err(invalid(format!(
                        "'{field_text}' and '{}' must both be list fields or both single-valued",
                        right.text
                    )));
                }
                if op == CmpOp::Ne {
                    // Falco: a missing right-hand field makes `!=` false too.
                    let mut p = ir::Predicate::new(
                        left.accessor.clone(),
                        ir::Test::FieldRef {
                            other: right.accessor.clone(),
                            case: ir::Case::Sensitive,
                            anchor: ir::Anchor::Whole,
                        },
                    );
                    p.negate = true;
                    return Ok(ir::Expr::and(vec![
                        self.guard(&left, ir::Expr::pred(p)),
                        ir::Expr::pred(ir::Predicate::new(right.accessor, ir::Test::Present)),
                    ]));
                }
                if op == CmpOp::In {
                    quantifier = ir::Quantifier::All;
                }
                ir::Test::FieldRef {
                    other: right.accessor,
                    case: ir::Case::Sensitive,
                    anchor: ir::Anchor::Whole,
                }
            }
            (CmpOp::In | CmpOp::Intersects, Rhs::List(_) | Rhs::Value(_)) => {
                let items = match rhs {
                    Rhs::List(items) => items.clone(),
                    Rhs::Value(v) => vec![v.clone()],
                    _ => Vec::new(),
                };
                if op == CmpOp::In && left.is_list {
                    quantifier = ir::Quantifier::All;
                }
                if left.ty == FieldType::Uint64 {
                    let numbers = items
                        .iter()
                        .map(|v| {
                            parse_number(v).ok_or_else(|| {
                                invalid(format!(
                                    "'{v}' is not a number (field '{field_text}' is numeric)"
                                ))
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    let preds = numbers
                        .into_iter()
                        .map(|n| {
                            ir::Expr::pred(self.predicate(
                                &left,
                                ir::Test::Num {
                                    op: ir::CmpOp::Eq,
                                    value: n,
                                    coercion: ir::NumericCoercion::ParseStrings,
                                },
                                quantifier,
                                false,
                            ))
                        })
                        .collect();
                    return Ok(self.guard(&left, ir::Expr::or(preds)));
                }
                ir::Test::Str(ir::StrMatcher::in_set(&items, ir::Case::Sensitive))
            }
            (CmpOp::Pmatch, Rhs::List(_) | Rhs::Value(_)) => {
                let items = match rhs {
                    Rhs::List(items) => items.clone(),
                    Rhs::Value(v) => vec![v.clone()],
                    _ => Vec::new(),
                };
                let mut prefixes = Vec::new();
                for item in &items {
                    let mut components = Vec::new();
                    for component in item.split('/') {
                        let re = regex::RegexBuilder::new(&glob_regex(component))
                            .size_limit(1 << 20)
                            .build()
                            .map_err(|e| invalid(format!("bad pmatch pattern '{item}': {e}")))?;
                        components.push(re);
                    }
                    prefixes.push(components);
                }
                ir::Test::Custom(Arc::new(PathPrefix {
                    prefixes,
                    shown: items.join(", "),
                }))
            }
            (_, Rhs::List(_)) => {
                return Err(invalid(format!(
                    "operator '{}' needs a single value, not a list",
                    op.as_str()
                )));
            }
            (_, Rhs::None) => {
                return Err(invalid(format!("operator '{}' needs a value", op.as_str())));
            }
            (_, Rhs::Value(v)) => {
                let numeric = left.ty == FieldType::Uint64
                    || (left.ty == FieldType::Dynamic
                        && parse_number(v).is_some()
                        && matches!(op, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge));
                match op {
                    CmpOp::Eq | CmpOp::Ne | CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge
                        if numeric =>
                    {
                        let n = parse_number(v).ok_or_else(|| {
                            invalid(format!(
                                "'{v}' is not a number (field '{field_text}' is numeric)"
                            ))
                        })?;
                        let ir_op = match op {
                            CmpOp::Eq => ir::CmpOp::Eq,
                            CmpOp::Ne => ir::CmpOp::Ne,
                            CmpOp::Lt => ir::CmpOp::Lt,
                            CmpOp::Le => ir::CmpOp::Le,
                            CmpOp::Gt => ir::CmpOp::Gt,
                            _ => ir::CmpOp::Ge,
                        };
                        ir::Test::Num {
                            op: ir_op,
                            value: n,
                            coercion: ir::NumericCoercion::ParseStrings,
                        }
                    }
                    CmpOp::Eq => ir::Test::Str(
                        ir::StrMatcher::equals(v, ir::Case::Sensitive).map_err(pattern_err)?,
                    ),
                    CmpOp::Ne => {
                        negate = true;
                        ir::Test::Str(
                            ir::StrMatcher::equals(v, ir::Case::Sensitive).map_err(pattern_err)?,
                        )
                    }
                    CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => {
                        let ir_op = match op {
                            CmpOp::Lt => ir::CmpOp::Lt,
                            CmpOp::Le => ir::CmpOp::Le,
                            CmpOp::Gt => ir::CmpOp::Gt,
                            _ => ir::CmpOp::Ge,
                        };
                        ir::Test::Custom(Arc::new(StrOrder {
                            op: ir_op,
                            rhs: v.clone(),
                        }))
                    }
                    CmpOp::Contains => ir::Test::Str(
                        ir::StrMatcher::contains(v, ir::Case::Sensitive).map_err(pattern_err)?,
                    ),
                    CmpOp::IContains => ir::Test::Str(
                        ir::StrMatcher::contains(v, ir::Case::Insensitive).map_err(pattern_err)?,
                    ),
                    CmpOp::StartsWith => ir::Test::Str(
                        ir::StrMatcher::starts_with(v, ir::Case::Sensitive).map_err(pattern_err)?,
                    ),
                    CmpOp::EndsWith => ir::Test::Str(
                        ir::StrMatcher::ends_with(v, ir::Case::Sensitive).map_err(pattern_err)?,
                    ),
                    CmpOp::Glob | CmpOp::IGlob => {
                        let flags = ir::RegexFlags {
                            case_insensitive: op == CmpOp::IGlob,
                            multi_line: false,
                            dot_all: true,
                        };
                        ir::Test::Str(
                            ir::StrMatcher::regex(&glob_regex(v), ir::RegexMode::Search, flags)
                                .map_err(pattern_err)?,
                        )
                    }
                    CmpOp::Regex => ir::Test::Str(
                        ir::StrMatcher::regex(
                            v,
                            ir::RegexMode::FullMatch,
                            ir::RegexFlags::default(),
                        )
                        .map_err(pattern_err)?,
                    ),
                    _ => {
                        return Err(invalid(format!(
                            "operator '{}' is not supported here",
                            op.as_str()
                        )));
                    }
                }
            }
        };
        Ok(self.guard(
            &left,
            ir::Expr::pred(self.predicate(&left, test, quantifier, negate)),
        ))
    }

    fn predicate(
        &self,
        left: &Operand,
        test: ir::Test,
        quantifier: ir::Quantifier,
        negate: bool,
    ) -> ir::Predicate {
        let mut p = ir::Predicate::new(left.accessor.clone(), test);
        p.quantifier = quantifier;
        p.negate = negate;
        p
    }

    /// k8saudit fields read as raw paths still need the event's `auditID`; cloudtrail string
    /// fields read as raw paths compare JSON strings only.
    fn guard(&self, left: &Operand, expr: ir::Expr) -> ir::Expr {
        if left.string_only {
            let is_string =
                ir::Predicate::new(left.accessor.clone(), ir::Test::Custom(Arc::new(IsString)));
            return ir::Expr::and(vec![expr, ir::Expr::pred(is_string)]);
        }
        if !left.needs_audit_id {
            return expr;
        }
        let audit = ir::Predicate::new(
            ir::Accessor::Path(FieldPath::raw_segments(vec![Segment::Key(
                "auditID".into(),
            )])),
            ir::Test::Present,
        );
        ir::Expr::and(vec![expr, ir::Expr::pred(audit)])
    }
}

/// A rough evaluation cost of a lowered condition: a raw-path read is cheap, a computed field
/// (an extractor that may walk arrays or build strings) dearer, a custom test or a field
/// comparison dearer still.
fn cost(expr: &ir::Expr) -> u32 {
    match expr {
        ir::Expr::Const(_) => 0,
        ir::Expr::Pred(p) => {
            let read = match &p.field {
                ir::Accessor::Path(_) => 2,
                ir::Accessor::Custom(_) => 8,
            };
            let test = match &p.test {
                ir::Test::Present | ir::Test::IsNull => 0,
                ir::Test::FieldRef { .. } => 8,
                ir::Test::Custom(_) => 4,
                _ => 1,
            };
            read + test + 2 * u32::try_from(p.transforms.len()).unwrap_or(u32::MAX / 4)
        }
        ir::Expr::Keyword(_) => 64,
        ir::Expr::Not(inner) => cost(inner),
        ir::Expr::And(children) | ir::Expr::Or(children) => {
            children.iter().map(cost).fold(0u32, u32::saturating_add)
        }
    }
}

/// Orders the operands of every `and` and `or` cheapest first. Conditions have no side
/// effects and every predicate states its own missing-value outcome, so the order changes
/// only how soon evaluation short-circuits, never the result; most rules then fail on a cheap
/// `ka.verb` or `ka.target.resource` comparison before any computed field is read.
///
/// In an `and`, the k8saudit `auditID` guard that every raw-path `ka.*` test carries is kept
/// once (`a and a` is `a`): a rule testing five `ka.*` fields reads `auditID` once, not five
/// times.
fn order_by_cost(expr: ir::Expr) -> ir::Expr {
    match expr {
        ir::Expr::And(children) => {
            let mut children: Vec<ir::Expr> = children.into_iter().map(order_by_cost).collect();
            let mut guarded = false;
            children.retain(|child| {
                if !is_audit_guard(child) {
                    return true;
                }
                !std::mem::replace(&mut guarded, true)
            });
            children.sort_by_cached_key(cost);
            ir::Expr::And(children)
        }
        ir::Expr::Or(children) => {
            let mut children: Vec<ir::Expr> = children.into_iter().map(order_by_cost).collect();
            children.sort_by_cached_key(cost);
            ir::Expr::Or(children)
        }
        ir::Expr::Not(inner) => ir::Expr::Not(Box::new(order_by_cost(*inner))),
        other => other,
    }
}

/// In an `or`, the alternatives that test one field for containing a literal (case-sensitive,
/// any value passing, no transform, false when missing or null) become one test for containing
/// any of the literals: the field is read once and searched by one automaton, instead of once
/// per literal (`ka.req.configmap.obj contains "password" or … contains "passphrase"`, where
/// each read serializes the configmap's data). Raw-path `ka.*` alternatives each carry the same
/// `auditID` guard: `(a and g) or (b and g)` is `(a or b) and g`. A value contains one of the
/// literals exactly when it contains the first, or the second, …, so matches do not change.
fn merge_contains(expr: ir::Expr) -> ir::Expr {
    match expr {
        ir::Expr::Or(children) => {
            let children: Vec<ir::Expr> = children.into_iter().map(merge_contains).collect();
            let keys: Vec<Option<(String, bool, String)>> =
                children.iter().map(contains_alternative).collect();
            // The alternatives of each (field, guarded) pair, in order.
            let mut groups: Vec<(&str, bool, Vec<usize>)> = Vec::new();
            for (i, key) in keys.iter().enumerate() {
                let Some((field, guarded, _)) = key else {
                    continue;
                };
                match groups
                    .iter_mut()
                    .find(|(f, g, _)| *f == field.as_str() && g == guarded)
                {
                    Some((_, _, members)) => members.push(i),
                    None => groups.push((field.as_str(), *guarded, vec![i])),
                }
            }
            // The first alternative of a group takes the merged test; the others go.
            let mut merged: Vec<(usize, ir::StrMatcher)> = Vec::new();
            let mut dropped: Vec<usize> = Vec::new();
            for (_, _, members) in &groups {
                let Some((&first, rest)) = members.split_first() else {
                    continue;
                };
                if rest.is_empty() {
                    continue;
                }
                let needles: Vec<&str> = members
                    .iter()
                    .filter_map(|&i| keys.get(i)?.as_ref().map(|(_, _, n)| n.as_str()))
                    .collect();
                if let Ok(matcher) = ir::StrMatcher::contains_any(&needles, ir::Case::Sensitive) {
                    merged.push((first, matcher));
                    dropped.extend_from_slice(rest);
                }
            }
            let out = children
                .into_iter()
                .enumerate()
                .filter(|(i, _)| !dropped.contains(i))
                .map(
                    |(i, child)| match merged.iter().position(|(first, _)| *first == i) {
                        Some(at) => with_matcher(child, merged.swap_remove(at).1),
                        None => child,
                    },
                )
                .collect();
            ir::Expr::Or(out)
        }
        ir::Expr::And(children) => {
            ir::Expr::And(children.into_iter().map(merge_contains).collect())
        }
        ir::Expr::Not(inner) => ir::Expr::Not(Box::new(merge_contains(*inner))),
        other => other,
    }
}

/// For an `or` alternative [`merge_contains`] can merge: the field's identity, whether it
/// carries the `auditID` guard, and the literal.
fn contains_alternative(expr: &ir::Expr) -> Option<(String, bool, String)> {
    let (predicate, guarded) = match expr {
        ir::Expr::Pred(p) => (p, false),
        ir::Expr::And(children) => match children.as_slice() {
            [ir::Expr::Pred(p), guard] if is_audit_guard(guard) => (p, true),
            _ => return None,
        },
        _ => return None,
    };
    let plain = predicate.transforms.is_empty()
        && predicate.quantifier == ir::Quantifier::Any
        && !predicate.negate
        && !predicate.if_missing
        && !predicate.if_null
        && !predicate.if_empty;
    let ir::Test::Str(matcher) = &predicate.test else {
        return None;
    };
    if !plain {
        return None;
    }
    let needle = matcher.contains_needle()?;
    // Paths and computed fields kept apart; a computed field is named by its Falco text
    // (field, argument and transformers), so equal names read equal values.
    let field = match &predicate.field {
        ir::Accessor::Path(path) => format!("path {path}"),
        ir::Accessor::Custom(custom) => format!("field {}", custom.name()),
    };
    Some((field, guarded, needle.to_owned()))
}

/// The alternative `expr` (see [`contains_alternative`]) with its test replaced by `matcher`.
fn with_matcher(expr: ir::Expr, matcher: ir::StrMatcher) -> ir::Expr {
    match expr {
        ir::Expr::Pred(mut p) => {
            p.test = ir::Test::Str(matcher);
            ir::Expr::Pred(p)
        }
        ir::Expr::And(mut children) => {
            if let Some(ir::Expr::Pred(p)) = children.first_mut() {
                p.test = ir::Test::Str(matcher);
            }
            ir::Expr::And(children)
        }
        other => other,
    }
}

/// Whether `expr` is the `auditID` guard [`Lowering::guard`] adds to raw-path `ka.*` tests.
fn is_audit_guard(expr: &ir::Expr) -> bool {
    let ir::Expr::Pred(p) = expr else {
        return false;
    };
    matches!(p.test, ir::Test::Present)
        && p.transforms.is_empty()
        && !p.negate
        && !p.if_missing
        && !p.if_null
        && !p.if_empty
        && p.quantifier == ir::Quantifier::Any
        && matches!(&p.field, ir::Accessor::Path(path)
            if matches!(path.raw_path(), Some([Segment::Key(key)]) if key.as_ref() == "auditID"))
}

fn parse_number(text: &str) -> Option<ir::Number> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return i64::from_str_radix(hex, 16).ok().map(ir::Number::Int);
    }
    if let Ok(n) = t.parse::<i64>() {
        return Some(ir::Number::Int(n));
    }
    t.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(ir::Number::Float)
}

#[cfg(test)]
mod tests {
    use super::*;
    use logsec_event::{RawRecord, ocsf};

    fn lowered(condition: &str, source: &str) -> ir::Expr {
        let ast = parse_condition(condition).unwrap();
        let mut extractors = Extractors::new();
        let mut lowering = Lowering {
            source,
            warnings: Vec::new(),
            extractors: &mut extractors,
        };
        match lowering.lower(&ast) {
            Ok(expr) => expr,
            Err(e) => panic!("{condition}: {}", e.message),
        }
    }

    fn alternatives(expr: &ir::Expr) -> usize {
        match expr {
            ir::Expr::Or(children) => children.len(),
            _ => 1,
        }
    }

    /// Merged `contains` alternatives match exactly where the separate ones do: on strings,
    /// objects (serialized), lists, numbers, null, missing fields and records without an
    /// `auditID` (the guard), for plain and raw-path fields alike.
    #[test]
    fn merged_contains_alternatives_match_as_the_separate_ones() {
        let conditions = [
            // Raw-path k8saudit fields, each alternative with the auditID guard.
            r#"ka.req.configmap.obj contains "password" or ka.req.configmap.obj contains "aws_key" or ka.verb=get or ka.req.configmap.obj contains "pass""#,
            // A computed list field, no guard, and an alternative on another field.
            r#"ka.user.groups contains "adm" or ka.user.groups contains "sys" or ka.uri contains "x""#,
            // Transforms and negations are not merged.
            r#"tolower(ka.uri) contains "api" or ka.uri contains "API" or not ka.uri contains "zz""#,
            // Nested under and/not.
            r#"ka.verb=create and not (ka.uri contains "/a" or ka.uri contains "/b")"#,
        ];
        let records = [
            r#"{"auditID":"1","verb":"create","requestURI":"/api/x","requestObject":{"data":{"password":"p","k":"aws_key"}},"user":{"groups":["system:admin","dev"]}}"#,
            r#"{"auditID":"1","verb":"get","requestURI":"/b/c","requestObject":{"data":"passphrase"},"user":{"groups":"adm"}}"#,
            r#"{"auditID":"1","verb":"create","requestURI":"/API","requestObject":{"data":null},"user":{"groups":[1,null,"nope"]}}"#,
            r#"{"auditID":"1","requestObject":{"data":["pass",7]},"user":{}}"#,
            r#"{"verb":"create","requestURI":"/a","requestObject":{"data":{"password":"p"}}}"#,
            r#"{"auditID":"1","requestObject":{"data":{"x":"y"}},"requestURI":5}"#,
            "not json",
        ];
        let mut merges = 0;
        let mut outcomes = [0usize; 2];
        for condition in conditions {
            let separate = lowered(condition, fields::SOURCE_K8S_AUDIT);
            let merged = merge_contains(separate.clone());
            let ordered = order_by_cost(merge_contains(separate.clone()));
            if alternatives(&merged) < alternatives(&separate) {
                merges += 1;
            }
            for record in records {
                let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
                event.raw = RawRecord::json(record);
                let expected = separate.eval(&event);
                assert_eq!(merged.eval(&event), expected, "{condition} on {record}");
                assert_eq!(ordered.eval(&event), expected, "{condition} on {record}");
                outcomes[usize::from(expected)] += 1;
            }
        }
        // The first two conditions merge at the top; the third does not (a transform).
        assert_eq!(merges, 2);
        assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
        // The fourth merges under `not`.
        let nested = merge_contains(lowered(conditions[3], fields::SOURCE_K8S_AUDIT));
        let mut contains_tests = 0;
        nested.for_each_predicate(&mut |p| {
            if let ir::Test::Str(m) = &p.test
                && m.pattern().contains('|')
            {
                contains_tests += 1;
            }
        });
        assert_eq!(contains_tests, 1);
    }
}
