//! The Falco rules language front-end: YAML items → AST → IR.
//!
//! Rule files are read in order into one namespace ([`load`], [`load_paths`]): lists, macros
//! and rules, with Falco's redefinition, `append`, `override` and enable semantics. Conditions
//! are expanded textually with lists (Falco's quirks included), parsed with the libs grammar
//! into an [`Expr`], macros are substituted into the tree, exceptions are appended as Falco
//! builds them, and fields resolve once to extractors over the raw record. Each rule is lowered
//! to an [`crate::ir::CompiledRule`]; [`FalcoRules::rule_set`] indexes the
//! enabled ones by source and discriminating field.
//!
//! Every rule is accounted for: loaded ([`FalcoRules::rules`]), or skipped with a reason
//! ([`FalcoRules::skipped`]); every problem is a [`Diagnostic`] with file, line, column, item
//! and Falco's code name.
//!
//! **Fields.** The cloudtrail plugin's `ct.*`, `s3.*`, `ec2.*`, `ecr.*`, `iam.*`; the k8saudit
//! plugin's `ka.*`; `json.value[/pointer]` / `jevt.value[/pointer]`, `json.obj`, `json.rawtime`;
//! `evt.*`; and logsec's normalized OCSF attributes under the [`OCSF_FIELD_PREFIX`]
//! (`ocsf.actor.user.name`, `ocsf.api.operation`, … — any path `FieldPath::parse` accepts).
//! `evt.num` is always 1: logsec events carry no stream position.
//!
//! ```
//! use logsec_event::{ocsf, Event, RawRecord, SourceFormat};
//! use logsec_rules::falco::{load, LoadOptions, RuleFile};
//!
//! let text = r#"
//! - list: sensitive_verbs
//!   items: [delete, patch]
//! - rule: Sensitive verb
//!   desc: a sensitive verb
//!   condition: ka.verb in (sensitive_verbs)
//!   output: "%ka.user.name ran %ka.verb"
//!   priority: WARNING
//!   source: k8s_audit
//! "#;
//! let rules = load(&[RuleFile::new("rules.yaml", text)], &LoadOptions::default());
//! assert!(!rules.has_errors());
//! let set = rules.rule_set();
//! let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
//! event.raw = RawRecord::json(r#"{"auditID":"1","verb":"delete","user":{"username":"bob"}}"#);
//! let mut matches = Vec::new();
//! set.matches(&event, &mut matches);
//! assert_eq!(matches.len(), 1);
//! ```

mod ast;
mod collect;
mod compile;
mod diag;
mod fields;
mod lists;
mod output;
mod parser;
mod yaml;

use std::path::{Path, PathBuf};

pub use self::ast::{CmpOp, Expr, FieldExpr, Modifier, Rhs, Transformer};
pub use self::compile::{FalcoRule, SkippedRule};
pub use self::diag::{Code, Diagnostic, Level};
pub use self::fields::{
    ArgKind, FieldInfo, FieldType, OCSF_FIELD_PREFIX, SOURCE_CLOUDTRAIL, SOURCE_K8S_AUDIT,
    all_fields, field_info, suggest_fields,
};
pub use self::output::OutputTemplate;
pub use self::parser::{SyntaxError, parse_condition};
pub use self::yaml::Position;
use crate::ir;

/// The Falco engine version logsec declares for `required_engine_version` checks.
pub const ENGINE_VERSION: (u64, u64, u64) = (0, 62, 0);

/// One rules file: a name for diagnostics and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFile {
    /// The name diagnostics use (usually the path).
    pub name: String,
    /// The YAML text.
    pub text: String,
}

impl RuleFile {
    /// A rules file from a name and its text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> RuleFile {
        RuleFile {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// What the loader provides: the event sources whose rules are compiled, the plugin versions
/// `required_plugin_versions` is checked against, and the engine version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// Falco source names whose rules are compiled; rules of other sources (`syscall`) are
    /// skipped with `LOAD_UNKNOWN_SOURCE`, while their lists and macros still load.
    pub sources: Vec<String>,
    /// `(plugin name, version)` pairs logsec's field layer is compatible with.
    pub plugins: Vec<(String, String)>,
    /// The engine version `required_engine_version` is checked against.
    pub engine_version: (u64, u64, u64),
}

impl Default for LoadOptions {
    fn default() -> LoadOptions {
        let plugins = [
            ("cloudtrail", "0.17.1"),
            ("k8saudit", "0.18.0"),
            ("k8saudit-aks", "0.6.0"),
            ("k8saudit-eks", "0.12.0"),
            ("k8saudit-gke", "0.9.0"),
            ("k8saudit-ovh", "0.6.0"),
            ("json", "0.7.3"),
        ];
        LoadOptions {
            sources: vec![SOURCE_CLOUDTRAIL.to_owned(), SOURCE_K8S_AUDIT.to_owned()],
            plugins: plugins
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            engine_version: ENGINE_VERSION,
        }
    }
}

/// The result of loading Falco rule files.
#[derive(Debug, Clone)]
pub struct FalcoRules {
    /// Compiled rules, in load order (enabled or not).
    pub rules: Vec<FalcoRule>,
    /// Rules not compiled, with the reason.
    pub skipped: Vec<SkippedRule>,
    /// Every error and warning, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl FalcoRules {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.level == Level::Error)
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.level == Level::Error)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.level == Level::Warning)
    }

    /// A compiled rule by name.
    pub fn rule(&self, name: &str) -> Option<&FalcoRule> {
        self.rules.iter().find(|r| r.name == name)
    }

    /// The enabled rules as an indexed IR rule set (rule order = load order). Falco's
    /// `rule_matching: first` is the first match of [`ir::RuleSet::matches`].
    pub fn rule_set(&self) -> ir::RuleSet {
        ir::RuleSet::new(
            self.rules
                .iter()
                .filter(|r| r.enabled)
                .map(|r| r.compiled.clone())
                .collect(),
        )
    }
}

/// Loads rule files, in order, into one namespace.
pub fn load(files: &[RuleFile], options: &LoadOptions) -> FalcoRules {
    let mut collector = collect::Collector::new(options.sources.clone());
    for file in files {
        collector.read_file(&file.name, &file.text);
    }
    let compiled = compile::compile(
        collector,
        &compile::CompileOptions {
            engine_version: options.engine_version,
            plugins: options.plugins.clone(),
        },
    );
    FalcoRules {
        rules: compiled.rules,
        skipped: compiled.skipped,
        diagnostics: compiled.diagnostics,
    }
}

/// Reads rule files and directories (their `.yaml`/`.yml` files in sorted order) and loads
/// them as [`load`] does; unreadable paths are `LOAD_ERR_FILE_READ` errors.
pub fn load_paths<P: AsRef<Path>>(paths: &[P], options: &LoadOptions) -> FalcoRules {
    let mut files = Vec::new();
    let mut read_errors = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let mut targets: Vec<PathBuf> = Vec::new();
        if path.is_dir() {
            match std::fs::read_dir(path) {
                Ok(entries) => {
                    targets = entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| {
                            p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml")
                        })
                        .collect();
                    targets.sort();
                }
                Err(err) => read_errors.push((path.display().to_string(), err.to_string())),
            }
        } else {
            targets.push(path.to_path_buf());
        }
        for target in targets {
            match std::fs::read_to_string(&target) {
                Ok(text) => files.push(RuleFile::new(target.display().to_string(), text)),
                Err(err) => read_errors.push((target.display().to_string(), err.to_string())),
            }
        }
    }
    let mut rules = load(&files, options);
    for (file, message) in read_errors {
        rules.diagnostics.push(Diagnostic {
            level: Level::Error,
            code: Code::ErrFileRead,
            message_id: None,
            message,
            file,
            position: Position::default(),
            item_type: "rules content",
            item_name: String::new(),
        });
    }
    rules
}
