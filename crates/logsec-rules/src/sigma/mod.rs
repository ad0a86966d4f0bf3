//! The Sigma 2.1 front-end: YAML documents → AST → IR, correlations, filters.
//!
//! [`SigmaLoader`] reads Sigma files (multi-document YAML mixing detection rules, correlation
//! rules and filters) and builds [`SigmaRules`]: the detection rules compiled to one
//! [`crate::ir::RuleSet`] for the source formats their `logsource` maps to (see
//! `mappings/sigma/`), the correlation rules for a [`CorrelationEngine`], and a
//! [`crate::LoadReport`] with one line per document. Semantics where the spec is silent are
//! written down in `docs/semantics.md`.
//!
//! ```
//! use logsec_event::{ocsf, Event, RawRecord, SourceFormat};
//! use logsec_rules::sigma::{SigmaConfig, SigmaLoader};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let rule = r#"
//! title: S3 bucket deleted
//! id: 00000000-0000-4000-8000-000000000001
//! logsource: {product: aws, service: cloudtrail}
//! detection:
//!   selection:
//!     eventSource: s3.amazonaws.com
//!     eventName: DeleteBucket
//!     errorCode: null
//!   condition: selection
//! level: medium
//! "#;
//! let mut loader = SigmaLoader::new(SigmaConfig::default());
//! loader.add_file("bucket.yml", rule);
//! let rules = loader.load()?;
//! assert_eq!(rules.report().rules[0].status, logsec_rules::RuleStatus::Compiled);
//!
//! let mut event = Event::new(&ocsf::API_ACTIVITY, 4, SourceFormat::Cloudtrail);
//! event.raw = RawRecord::json(r#"{"eventSource":"s3.amazonaws.com","eventName":"DeleteBucket"}"#);
//! let mut matches = Vec::new();
//! rules.matches(&event, &mut matches);
//! let alert = rules.alert(matches[0], &event).expect("the rule raises alerts");
//! assert_eq!(alert.finding_info.title, "S3 bucket deleted");
//! # Ok(())
//! # }
//! ```

mod ast;
mod condition;
mod correlation;
mod detection;
mod mapping;
mod partition;

use std::collections::HashMap;

use logsec_event::{Alert, Dialect, Event, RuleRef, Severity, SourceFormat};
use serde_json::Value;

pub use self::correlation::{
    CorrelationConfig, CorrelationEngine, CorrelationMatch, CorrelationSpec, CorrelationStats,
    CorrelationType,
};
pub use self::mapping::{Logsource, SigmaMappings, SourceMapping};
pub use self::partition::{CorrelationInput, CorrelationPartition, CorrelationPartitioner};

use self::ast::{CorrelationDoc, DetectionDoc, Document, FilterDoc, Meta};
use self::correlation::{Input, InputFields};
use self::detection::{CompileError, DetectionCompiler};
use crate::error::RulesError;
use crate::ir::{Accessor, CmpOp, CompiledRule, Expr, RuleMatch, RuleSet};
use crate::report::{LoadReport, RuleReport, RuleStatus};

/// Configuration of the Sigma front-end.
#[derive(Debug, Clone, Default)]
pub struct SigmaConfig {
    /// Values of `%name%` placeholders for the `|expand` modifier (name without `%`).
    pub placeholders: HashMap<String, Vec<String>>,
    /// Logsource and field mappings; `None` uses the built-in ones (`mappings/sigma/`).
    pub mappings: Option<SigmaMappings>,
    /// Whether rules with `status: deprecated` are compiled (otherwise they are `disabled`).
    pub include_deprecated: bool,
}

/// Reads Sigma files and compiles them.
#[derive(Debug, Clone, Default)]
pub struct SigmaLoader {
    config: SigmaConfig,
    files: Vec<(String, String)>,
}

/// One compiled Sigma detection rule (possibly several [`CompiledRule`]s, one per group of
/// source formats that map its fields alike).
#[derive(Debug, Clone)]
pub struct SigmaDetection {
    /// `id`, or `name`, or `title`.
    pub id: String,
    /// `name`, if any.
    pub name: Option<String>,
    /// `title`.
    pub title: String,
    /// Whether a match raises an alert of its own (false when only correlations use it).
    pub alerting: bool,
    /// The formats it applies to (empty: none of ours produces its logsource).
    pub sources: Vec<SourceFormat>,
}

/// Sigma rules compiled for evaluation, with their load report.
#[derive(Debug, Clone, Default)]
pub struct SigmaRules {
    rule_set: RuleSet,
    owners: Vec<usize>,
    detections: Vec<SigmaDetection>,
    correlations: Vec<CorrelationSpec>,
    /// detection index → (correlation, input position).
    detection_inputs: Vec<Vec<(usize, usize)>>,
    /// correlation index → (outer correlation, input position).
    correlation_inputs: Vec<Vec<(usize, usize)>>,
    report: LoadReport,
}

/// What compiling one correlation rule gave: the spec and its warnings, or a status and reason.
type CorrelationOutcome = Result<(CorrelationSpec, Vec<String>), (RuleStatus, String)>;

/// What compiling one detection rule gave.
struct DetectionOutcome {
    status: RuleStatus,
    reason: Option<String>,
    warnings: Vec<String>,
    /// One compiled rule per group of formats that map its fields alike.
    rules: Vec<CompiledRule>,
    sources: Vec<SourceFormat>,
}

impl DetectionOutcome {
    fn not_compiled(status: RuleStatus, reason: String, warnings: Vec<String>) -> Self {
        DetectionOutcome {
            status,
            reason: Some(reason),
            warnings,
            rules: Vec::new(),
            sources: Vec::new(),
        }
    }
}

/// A document with its origin.
struct Located<T> {
    path: String,
    line: usize,
    /// (file index, document index): the report keeps this order.
    order: (usize, usize),
    doc: T,
}

fn severity(level: Option<&str>) -> Severity {
    level
        .and_then(Severity::from_sigma_level)
        .unwrap_or(Severity::Medium)
}

fn rule_ref(meta: &Meta, path: &str) -> RuleRef {
    RuleRef {
        id: meta.handle(),
        title: meta.title.clone(),
        description: meta.description.clone(),
        dialect: Some(Dialect::Sigma),
        source_file: Some(path.to_owned()),
        author: meta.author.clone(),
        tags: meta.tags.clone(),
    }
}

fn report_line(
    path: &str,
    line: usize,
    meta: &Meta,
    status: RuleStatus,
    reason: Option<String>,
    warnings: Vec<String>,
) -> RuleReport {
    RuleReport {
        path: path.to_owned(),
        id: meta.id.clone().or_else(|| meta.name.clone()),
        title: meta.title.clone(),
        dialect: "sigma".to_owned(),
        status,
        reason,
        location: Some(format!("line {line}")),
        warnings,
    }
}

fn yaml_line(message: &str) -> Option<String> {
    let rest = message.split("line ").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then(|| format!("line {digits}"))
}

impl SigmaLoader {
    /// A loader with `config`.
    pub fn new(config: SigmaConfig) -> SigmaLoader {
        SigmaLoader {
            config,
            files: Vec::new(),
        }
    }

    /// Adds a file's text; `path` is used in the report and in alerts.
    pub fn add_file(&mut self, path: impl Into<String>, text: impl Into<String>) -> &mut Self {
        self.files.push((path.into(), text.into()));
        self
    }

    /// Compiles everything added. Only a broken mapping configuration is an error; problems
    /// with rules are reported per rule in [`SigmaRules::report`].
    pub fn load(&self) -> Result<SigmaRules, RulesError> {
        let builtin;
        let mappings = match &self.config.mappings {
            Some(m) => m,
            None => {
                builtin = SigmaMappings::builtin()?;
                &builtin
            }
        };
        let mut report: Vec<((usize, usize), RuleReport)> = Vec::new();
        let mut detections_docs: Vec<Located<DetectionDoc>> = Vec::new();
        let mut correlation_docs: Vec<Located<CorrelationDoc>> = Vec::new();
        let mut filter_docs: Vec<Located<FilterDoc>> = Vec::new();
        for (file_index, (path, text)) in self.files.iter().enumerate() {
            let values: Vec<Value> = match serde_saphyr::from_multiple(text) {
                Ok(values) => values,
                Err(err) => {
                    let message = err.to_string();
                    report.push((
                        (file_index, 0),
                        RuleReport {
                            path: path.clone(),
                            id: None,
                            title: String::new(),
                            dialect: "sigma".into(),
                            status: RuleStatus::Error,
                            location: yaml_line(&message),
                            reason: Some(format!(
                                "YAML: {}",
                                message.lines().next().unwrap_or_default()
                            )),
                            warnings: Vec::new(),
                        },
                    ));
                    continue;
                }
            };
            let lines = ast::document_lines(text);
            let non_empty = values.iter().filter(|v| !v.is_null());
            for (index, value) in non_empty.enumerate() {
                let line = lines.get(index).copied().unwrap_or(1);
                let order = (file_index, index);
                match ast::read_document(value) {
                    Ok(Document::Detection(doc)) => detections_docs.push(Located {
                        path: path.clone(),
                        line,
                        order,
                        doc,
                    }),
                    Ok(Document::Correlation(doc)) => correlation_docs.push(Located {
                        path: path.clone(),
                        line,
                        order,
                        doc,
                    }),
                    Ok(Document::Filter(doc)) => filter_docs.push(Located {
                        path: path.clone(),
                        line,
                        order,
                        doc,
                    }),
                    Err(bad) => report.push((
                        order,
                        RuleReport {
                            path: path.clone(),
                            id: bad.id,
                            title: bad.title,
                            dialect: "sigma".into(),
                            status: RuleStatus::Error,
                            reason: Some(bad.reason),
                            location: Some(format!("line {line}")),
                            warnings: Vec::new(),
                        },
                    )),
                }
            }
        }
        let mut out = SigmaRules::default();
        let mut compiled = Vec::new();
        // Rules that correlations reference raise no alert of their own, unless one of those
        // correlations says `generate: true`.
        let alerting = |meta: &Meta| {
            let referencing = correlation_docs
                .iter()
                .filter(|c| c.doc.rules.iter().any(|r| meta.is_named(r)));
            let mut referenced = false;
            let mut generated = false;
            for c in referencing {
                referenced = true;
                generated |= c.doc.generate;
            }
            !referenced || generated
        };
        let mut filter_uses = vec![0usize; filter_docs.len()];
        for located in &detections_docs {
            let doc = &located.doc;
            let detection_index = out.detections.len();
            let DetectionOutcome {
                status,
                reason,
                warnings,
                rules,
                sources,
            } = self.compile_detection(located, mappings, &filter_docs, &mut filter_uses);
            report.push((
                located.order,
                report_line(
                    &located.path,
                    located.line,
                    &doc.meta,
                    status,
                    reason,
                    warnings,
                ),
            ));
            out.detections.push(SigmaDetection {
                id: doc.meta.handle(),
                name: doc.meta.name.clone(),
                title: doc.meta.title.clone(),
                alerting: alerting(&doc.meta),
                sources,
            });
            for rule in rules {
                compiled.push(rule);
                out.owners.push(detection_index);
            }
        }
        out.rule_set = RuleSet::new(compiled);
        out.detection_inputs = vec![Vec::new(); out.detections.len()];
        out.correlation_inputs = vec![Vec::new(); correlation_docs.len()];
        for located in &correlation_docs {
            let line = located.line;
            let spec =
                self.compile_correlation(located, &detections_docs, &correlation_docs, mappings);
            match spec {
                Ok((mut spec, warnings)) => {
                    spec.alerting = alerting(&located.doc.meta);
                    let index = out.correlations.len();
                    for (position, input) in spec.inputs.iter().enumerate() {
                        match input {
                            Input::Detection(d) => {
                                if let Some(list) = out.detection_inputs.get_mut(*d) {
                                    list.push((index, position));
                                }
                            }
                            Input::Correlation(c) => {
                                if let Some(list) = out.correlation_inputs.get_mut(*c) {
                                    list.push((index, position));
                                }
                            }
                            Input::Unresolved => {}
                        }
                    }
                    out.correlations.push(spec);
                    report.push((
                        located.order,
                        report_line(
                            &located.path,
                            line,
                            &located.doc.meta,
                            RuleStatus::Compiled,
                            None,
                            warnings,
                        ),
                    ));
                }
                Err((status, reason)) => {
                    // Keep indices aligned with `correlation_docs` for chaining: a placeholder
                    // that never fires.
                    out.correlations.push(CorrelationSpec {
                        id: located.doc.meta.handle(),
                        name: located.doc.meta.name.clone(),
                        rule: rule_ref(&located.doc.meta, &located.path),
                        severity: severity(located.doc.meta.level.as_deref()),
                        kind: CorrelationType::EventCount,
                        timespan_ms: 1,
                        group_by: Vec::new(),
                        condition: vec![(CmpOp::Lt, 0.0)],
                        generate: false,
                        alerting: false,
                        inputs: Vec::new(),
                        fields: Vec::new(),
                        value_fields: 0,
                    });
                    report.push((
                        located.order,
                        report_line(
                            &located.path,
                            line,
                            &located.doc.meta,
                            status,
                            Some(reason),
                            Vec::new(),
                        ),
                    ));
                }
            }
        }
        for (index, located) in filter_docs.iter().enumerate() {
            let mut warnings = Vec::new();
            for reference in &located.doc.rules {
                if !detections_docs
                    .iter()
                    .any(|d| d.doc.meta.is_named(reference))
                {
                    warnings.push(format!(
                        "filter references rule {reference:?}, which is not loaded"
                    ));
                }
            }
            if filter_uses.get(index).copied().unwrap_or(0) == 0 {
                warnings.push("filter applies to no loaded rule".into());
            }
            // A filter's own detection must compile even when it applies to nothing.
            let status = match self.compile_standalone(&located.doc) {
                Ok(()) => (RuleStatus::Compiled, None),
                Err(CompileError::Invalid(m)) => (RuleStatus::Error, Some(m)),
                Err(CompileError::Unsupported(m)) => (RuleStatus::Unsupported, Some(m)),
            };
            report.push((
                located.order,
                report_line(
                    &located.path,
                    located.line,
                    &located.doc.meta,
                    status.0,
                    status.1,
                    warnings,
                ),
            ));
        }
        report.sort_by_key(|(order, _)| *order);
        out.report = LoadReport {
            rules: report.into_iter().map(|(_, line)| line).collect(),
        };
        Ok(out)
    }

    fn compile_standalone(&self, filter: &FilterDoc) -> Result<(), CompileError> {
        let mut warnings = Vec::new();
        let mut resolve = |field: &str| FieldPathRaw::resolve(field);
        let mut compiler = DetectionCompiler {
            resolve: &mut resolve,
            placeholders: &self.config.placeholders,
            warnings: &mut warnings,
        };
        compiler
            .compile(&filter.identifiers, std::slice::from_ref(&filter.condition))
            .map(|_| ())
    }

    fn compile_detection(
        &self,
        located: &Located<DetectionDoc>,
        mappings: &SigmaMappings,
        filters: &[Located<FilterDoc>],
        filter_uses: &mut [usize],
    ) -> DetectionOutcome {
        let doc = &located.doc;
        let status = doc.meta.status.as_deref().unwrap_or_default();
        if status.eq_ignore_ascii_case("deprecated") && !self.config.include_deprecated {
            return DetectionOutcome::not_compiled(
                RuleStatus::Disabled,
                "status: deprecated".into(),
                Vec::new(),
            );
        }
        let applicable: Vec<usize> = filters
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.doc.logsource.same_as(&doc.logsource)
                    && (f.doc.rules.is_empty() || f.doc.rules.iter().any(|r| doc.meta.is_named(r)))
            })
            .map(|(i, _)| i)
            .collect();
        let mut fields = Vec::new();
        detection::fields_used(&doc.identifiers, &mut fields);
        for &i in &applicable {
            if let Some(f) = filters.get(i) {
                detection::fields_used(&f.doc.identifiers, &mut fields);
            }
        }
        let sources = mappings.formats_for(&doc.logsource);
        let mut warnings: Vec<String> = Vec::new();
        let mut rules = Vec::new();
        let mut formats = Vec::new();
        let fail = |err: CompileError, warnings: Vec<String>| match err {
            CompileError::Invalid(m) => {
                DetectionOutcome::not_compiled(RuleStatus::Error, m, warnings)
            }
            CompileError::Unsupported(m) => {
                DetectionOutcome::not_compiled(RuleStatus::Unsupported, m, warnings)
            }
        };
        if sources.is_empty() {
            // Compile against raw paths to validate the rule; it cannot run on our sources.
            let mut resolve = |field: &str| FieldPathRaw::resolve(field);
            let mut compiler = DetectionCompiler {
                resolve: &mut resolve,
                placeholders: &self.config.placeholders,
                warnings: &mut warnings,
            };
            if let Err(err) = compiler.compile(&doc.identifiers, &doc.conditions) {
                return fail(err, warnings);
            }
            warnings.push(format!(
                "logsource {} is produced by no logsec source format; this rule can never match",
                doc.logsource
            ));
            return self.finish_status(doc, warnings, rules, formats);
        }
        // Formats whose mapping resolves every field alike share one compiled rule.
        let mut groups: Vec<(Vec<String>, Vec<&SourceMapping>)> = Vec::new();
        for source in &sources {
            let mut signature: Vec<String> = fields
                .iter()
                .map(|f| {
                    source
                        .resolve(f)
                        .map(|r| r.accessor.name().to_owned())
                        .unwrap_or_else(|e| format!("!{e}"))
                })
                .collect();
            // A logsource that selects only some events of the format adds its condition.
            if let Some((text, _)) = source.restriction(&doc.logsource) {
                signature.push(format!("only_if {text}"));
            }
            match groups.iter_mut().find(|(s, _)| *s == signature) {
                Some((_, members)) => members.push(source),
                None => groups.push((signature, vec![source])),
            }
        }
        for (_, members) in &groups {
            let Some(first) = members.first() else {
                continue;
            };
            let mut resolve = |field: &str| -> Result<Accessor, RulesError> {
                let resolved = first.resolve(field)?;
                Ok(resolved.accessor)
            };
            let mut local_warnings = Vec::new();
            let mut compiler = DetectionCompiler {
                resolve: &mut resolve,
                placeholders: &self.config.placeholders,
                warnings: &mut local_warnings,
            };
            let condition = match compiler.compile(&doc.identifiers, &doc.conditions) {
                Ok(expr) => expr,
                Err(err) => return fail(err, warnings),
            };
            let mut terms = vec![condition];
            if let Some((_, restriction)) = first.restriction(&doc.logsource) {
                terms.push(restriction);
            }
            for &i in &applicable {
                let Some(filter) = filters.get(i) else {
                    continue;
                };
                match compiler.compile(
                    &filter.doc.identifiers,
                    std::slice::from_ref(&filter.doc.condition),
                ) {
                    Ok(expr) => {
                        terms.push(expr);
                        if let Some(uses) = filter_uses.get_mut(i) {
                            *uses += 1;
                        }
                    }
                    Err(err) => {
                        compiler.warnings.push(format!(
                            "filter {:?} not applied: {}",
                            filter.doc.meta.title,
                            match err {
                                CompileError::Invalid(m) | CompileError::Unsupported(m) => m,
                            }
                        ));
                    }
                }
                warnings.push(format!("filter {:?} applied", filter.doc.meta.title));
            }
            for warning in local_warnings {
                if !warnings.contains(&warning) {
                    warnings.push(warning);
                }
            }
            for member in members {
                for field in &fields {
                    if let Ok(resolved) = member.resolve(field)
                        && let Some(w) = resolved.warning
                        && !warnings.contains(&w)
                    {
                        warnings.push(w);
                    }
                }
            }
            let group_formats: Vec<SourceFormat> = members.iter().map(|m| m.format).collect();
            formats.extend(group_formats.iter().copied());
            let meta = &doc.meta;
            rules.push(CompiledRule {
                id: meta.handle(),
                title: meta.title.clone(),
                description: meta.description.clone(),
                severity: severity(meta.level.as_deref()),
                tags: meta.tags.clone(),
                dialect: Dialect::Sigma,
                source_file: Some(located.path.clone()),
                author: meta.author.clone(),
                sources: group_formats,
                condition: Expr::and(terms),
                output: None,
            });
        }
        warnings.dedup();
        self.finish_status(doc, warnings, rules, formats)
    }

    fn finish_status(
        &self,
        doc: &DetectionDoc,
        mut warnings: Vec<String>,
        rules: Vec<CompiledRule>,
        formats: Vec<SourceFormat>,
    ) -> DetectionOutcome {
        if let Some(taxonomy) = doc
            .meta
            .taxonomy
            .as_deref()
            .filter(|t| !t.eq_ignore_ascii_case("sigma"))
        {
            warnings.push(format!(
                "taxonomy {taxonomy:?} is not translated; field names are used as written"
            ));
        }
        if doc.legacy_timeframe {
            return DetectionOutcome::not_compiled(
                RuleStatus::Unsupported,
                "legacy Sigma 1 aggregation: `timeframe` in `detection` asks for a time window \
                 (Sigma 2 expresses this as a correlation rule)"
                    .into(),
                warnings,
            );
        }
        if doc
            .meta
            .status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("unsupported"))
        {
            return DetectionOutcome::not_compiled(
                RuleStatus::Disabled,
                "status: unsupported".into(),
                warnings,
            );
        }
        DetectionOutcome {
            status: RuleStatus::Compiled,
            reason: None,
            warnings,
            rules,
            sources: formats,
        }
    }

    fn compile_correlation(
        &self,
        located: &Located<CorrelationDoc>,
        detections: &[Located<DetectionDoc>],
        correlations: &[Located<CorrelationDoc>],
        mappings: &SigmaMappings,
    ) -> CorrelationOutcome {
        let doc = &located.doc;
        let invalid = |m: String| Err((RuleStatus::Error, m));
        let Some(kind) = CorrelationType::parse(&doc.kind) else {
            return Err((
                RuleStatus::Unsupported,
                format!("unknown correlation type {:?}", doc.kind),
            ));
        };
        let Some(timespan_ms) = correlation::parse_timespan(&doc.timespan) else {
            return invalid(format!("bad timespan {:?}", doc.timespan));
        };
        let mut condition = Vec::new();
        let mut value_field_names: Vec<String> = Vec::new();
        if let Some(map) = &doc.condition {
            for (key, value) in map {
                let op = match key.as_str() {
                    "gt" => CmpOp::Gt,
                    "gte" => CmpOp::Ge,
                    "lt" => CmpOp::Lt,
                    "lte" => CmpOp::Le,
                    "eq" => CmpOp::Eq,
                    "neq" => CmpOp::Ne,
                    "field" => {
                        value_field_names = match value {
                            Value::String(s) => vec![s.clone()],
                            Value::Array(items) => items
                                .iter()
                                .filter_map(|i| i.as_str().map(str::to_owned))
                                .collect(),
                            _ => Vec::new(),
                        };
                        continue;
                    }
                    other => {
                        return invalid(format!("unknown condition operator {other:?}"));
                    }
                };
                let Some(bound) = value
                    .as_f64()
                    .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
                else {
                    return invalid(format!("condition {key}: {value} is not a number"));
                };
                condition.push((op, bound));
            }
        }
        let is_temporal = matches!(
            kind,
            CorrelationType::Temporal | CorrelationType::TemporalOrdered
        );
        if condition.is_empty() && !is_temporal {
            return invalid(format!("{} needs a `condition`", doc.kind));
        }
        if kind.needs_field() && value_field_names.is_empty() {
            return invalid(format!("{} needs `condition.field`", doc.kind));
        }
        let mut warnings = Vec::new();
        let mut inputs = Vec::new();
        let mut fields = Vec::new();
        for reference in &doc.rules {
            let detection = detections
                .iter()
                .position(|d| d.doc.meta.is_named(reference));
            let correlation = correlations
                .iter()
                .position(|c| c.doc.meta.is_named(reference));
            let name_of_input = |names: &Meta| names.name.clone();
            // Field names for this input, through aliases.
            let resolve_names = |rule_name: Option<String>| -> Vec<String> {
                doc.group_by
                    .iter()
                    .chain(value_field_names.iter())
                    .map(|field| {
                        doc.aliases
                            .iter()
                            .find(|(alias, _)| alias == field)
                            .and_then(|(_, targets)| {
                                targets
                                    .iter()
                                    .find(|(rule, _)| {
                                        Some(rule) == rule_name.as_ref() || rule == reference
                                    })
                                    .map(|(_, f)| f.clone())
                            })
                            .unwrap_or_else(|| field.clone())
                    })
                    .collect()
            };
            match (detection, correlation) {
                (Some(d), _) => {
                    let Some(target) = detections.get(d) else {
                        continue;
                    };
                    let names = resolve_names(name_of_input(&target.doc.meta));
                    let mut by_format = Vec::new();
                    for source in mappings.formats_for(&target.doc.logsource) {
                        let mut accessors = Vec::new();
                        for name in &names {
                            match source.resolve(name) {
                                Ok(r) => accessors.push(r.accessor),
                                Err(err) => return invalid(err.to_string()),
                            }
                        }
                        by_format.push((source.format, accessors));
                    }
                    inputs.push(Input::Detection(d));
                    fields.push(InputFields { by_format, names });
                }
                (None, Some(c)) => {
                    if correlations
                        .get(c)
                        .is_some_and(|c| std::ptr::eq(&c.doc, doc))
                    {
                        return invalid("a correlation cannot reference itself".into());
                    }
                    let names =
                        resolve_names(correlations.get(c).and_then(|t| name_of_input(&t.doc.meta)));
                    if reaches(correlations, c, doc, 0) {
                        return invalid("correlation rules reference each other in a cycle".into());
                    }
                    inputs.push(Input::Correlation(c));
                    fields.push(InputFields {
                        by_format: Vec::new(),
                        names,
                    });
                }
                (None, None) => {
                    warnings.push(format!(
                        "references rule {reference:?}, which is not loaded; that input never matches"
                    ));
                    inputs.push(Input::Unresolved);
                    fields.push(InputFields::default());
                }
            }
        }
        if inputs.iter().all(|i| *i == Input::Unresolved) {
            warnings.push("no referenced rule is loaded: this correlation can never fire".into());
        }
        let meta = &doc.meta;
        let spec = CorrelationSpec {
            id: meta.handle(),
            name: meta.name.clone(),
            rule: rule_ref(meta, &located.path),
            severity: severity(meta.level.as_deref()),
            kind,
            timespan_ms,
            group_by: doc.group_by.clone(),
            condition,
            generate: doc.generate,
            alerting: true,
            inputs,
            fields,
            value_fields: value_field_names.len(),
        };
        Ok((spec, warnings))
    }
}

/// Whether correlation `from` (transitively) references `target`.
fn reaches(
    correlations: &[Located<CorrelationDoc>],
    from: usize,
    target: &CorrelationDoc,
    depth: usize,
) -> bool {
    if depth > correlations.len() {
        return true;
    }
    let Some(current) = correlations.get(from) else {
        return false;
    };
    if std::ptr::eq(&current.doc, target) {
        return true;
    }
    current.doc.rules.iter().any(|reference| {
        correlations
            .iter()
            .position(|c| c.doc.meta.is_named(reference))
            .is_some_and(|next| reaches(correlations, next, target, depth + 1))
    })
}

/// The resolver for rules no source of ours produces: Sigma field names as raw paths.
struct FieldPathRaw;

impl FieldPathRaw {
    fn resolve(field: &str) -> Result<Accessor, RulesError> {
        logsec_event::FieldPath::raw(field)
            .map(Accessor::Path)
            .map_err(|err| RulesError::Field {
                field: field.to_owned(),
                reason: err.to_string(),
            })
    }
}

impl SigmaRules {
    /// The load report: one line per document seen.
    pub fn report(&self) -> &LoadReport {
        &self.report
    }

    /// The compiled detection rules.
    pub fn rule_set(&self) -> &RuleSet {
        &self.rule_set
    }

    /// Turns the raw-bytes literal prefilter of the detection rules on or off (see
    /// [`RuleSet::set_raw_prefilter`]; off by default, never changes the verdicts).
    pub fn set_raw_prefilter(&mut self, enabled: bool) {
        self.rule_set.set_raw_prefilter(enabled);
    }

    /// The detection rules, in load order.
    pub fn detections(&self) -> &[SigmaDetection] {
        &self.detections
    }

    /// The correlation rules, in load order.
    pub fn correlations(&self) -> &[CorrelationSpec] {
        &self.correlations
    }

    /// Appends the detection-rule matches of `event` to `out` (see [`RuleSet::matches`]).
    pub fn matches(&self, event: &Event<'_>, out: &mut Vec<RuleMatch>) {
        self.rule_set.matches(event, out);
    }

    /// The detection (index into [`SigmaRules::detections`]) a match belongs to.
    pub fn detection_of(&self, matched: RuleMatch) -> Option<usize> {
        self.owners.get(matched.rule).copied()
    }

    pub(crate) fn correlation_inputs(&self, detection: usize) -> &[(usize, usize)] {
        self.detection_inputs
            .get(detection)
            .map_or(&[], Vec::as_slice)
    }

    pub(crate) fn correlation_inputs_of_correlation(
        &self,
        correlation: usize,
    ) -> &[(usize, usize)] {
        self.correlation_inputs
            .get(correlation)
            .map_or(&[], Vec::as_slice)
    }

    /// The alert for a detection match, or `None` when the rule only feeds correlations
    /// (referenced without `generate: true`).
    pub fn alert(&self, matched: RuleMatch, event: &Event<'_>) -> Option<Alert> {
        let detection = self.detections.get(self.detection_of(matched)?)?;
        if !detection.alerting {
            return None;
        }
        self.rule_set.alert(matched, event)
    }

    /// One step of a pipeline: matches `event`, appends the alerts of alerting detection rules
    /// and of correlations that became final to `alerts`. `scratch` is reused between calls so
    /// the common path does not allocate. Call [`SigmaRules::finish`] at end of input.
    pub fn process(
        &self,
        event: &Event<'_>,
        engine: &mut CorrelationEngine,
        scratch: &mut Vec<RuleMatch>,
        alerts: &mut Vec<Alert>,
    ) {
        scratch.clear();
        self.matches(event, scratch);
        for matched in scratch.iter() {
            alerts.extend(self.alert(*matched, event));
        }
        if !self.correlations.is_empty() {
            let mut fired = Vec::new();
            engine.process(self, event, scratch, &mut fired);
            alerts.extend(fired.iter().filter_map(|f| self.correlation_alert(f)));
        }
    }

    /// End of input: flushes the correlation engine and appends the resulting alerts.
    pub fn finish(&self, engine: &mut CorrelationEngine, alerts: &mut Vec<Alert>) {
        let mut fired = Vec::new();
        engine.flush(self, &mut fired);
        alerts.extend(fired.iter().filter_map(|f| self.correlation_alert(f)));
    }

    /// The alert for a correlation match, or `None` when the correlation only feeds other
    /// correlations (referenced without `generate: true`).
    pub fn correlation_alert(&self, fired: &CorrelationMatch) -> Option<Alert> {
        self.correlations
            .get(fired.correlation)
            .filter(|spec| spec.alerting)
            .map(|spec| spec.alert(fired))
    }
}
