//! Load diagnostics with Falco's result codes (`falco_load_result.h`).

use std::fmt;

use super::yaml::Position;

/// Whether a diagnostic stops the rule (error) or only informs (warning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// A warning: the item still loads (or is skipped with this reason).
    Warning,
    /// An error: the item does not load.
    Error,
}

/// Falco's load result codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// `LOAD_ERR_FILE_READ`.
    ErrFileRead,
    /// `LOAD_ERR_YAML_PARSE`.
    ErrYamlParse,
    /// `LOAD_ERR_YAML_VALIDATE`.
    ErrYamlValidate,
    /// `LOAD_ERR_COMPILE_CONDITION`.
    ErrCompileCondition,
    /// `LOAD_ERR_COMPILE_OUTPUT`.
    ErrCompileOutput,
    /// `LOAD_ERR_VALIDATE`.
    ErrValidate,
    /// `LOAD_UNKNOWN_SOURCE`.
    UnknownSource,
    /// `LOAD_UNSAFE_NA_CHECK`.
    UnsafeNaCheck,
    /// `LOAD_UNKNOWN_FILTER`.
    UnknownFilter,
    /// `LOAD_UNUSED_MACRO`.
    UnusedMacro,
    /// `LOAD_UNUSED_LIST`.
    UnusedList,
    /// `LOAD_UNKNOWN_ITEM`.
    UnknownItem,
    /// `LOAD_DEPRECATED_ITEM`.
    DeprecatedItem,
    /// `LOAD_APPEND_NO_VALUES`.
    AppendNoValues,
    /// `LOAD_EXCEPTION_NAME_NOT_UNIQUE`.
    ExceptionNameNotUnique,
    /// `LOAD_INVALID_MACRO_NAME`.
    InvalidMacroName,
    /// `LOAD_INVALID_LIST_NAME`.
    InvalidListName,
    /// `LOAD_UNKNOWN_KEY`.
    UnknownKey,
    /// `LOAD_COMPILE_CONDITION` (a warning about a condition that still compiles).
    CompileConditionWarning,
}

impl Code {
    /// Falco's name for the code.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::ErrFileRead => "LOAD_ERR_FILE_READ",
            Code::ErrYamlParse => "LOAD_ERR_YAML_PARSE",
            Code::ErrYamlValidate => "LOAD_ERR_YAML_VALIDATE",
            Code::ErrCompileCondition => "LOAD_ERR_COMPILE_CONDITION",
            Code::ErrCompileOutput => "LOAD_ERR_COMPILE_OUTPUT",
            Code::ErrValidate => "LOAD_ERR_VALIDATE",
            Code::UnknownSource => "LOAD_UNKNOWN_SOURCE",
            Code::UnsafeNaCheck => "LOAD_UNSAFE_NA_CHECK",
            Code::UnknownFilter => "LOAD_UNKNOWN_FILTER",
            Code::UnusedMacro => "LOAD_UNUSED_MACRO",
            Code::UnusedList => "LOAD_UNUSED_LIST",
            Code::UnknownItem => "LOAD_UNKNOWN_ITEM",
            Code::DeprecatedItem => "LOAD_DEPRECATED_ITEM",
            Code::AppendNoValues => "LOAD_APPEND_NO_VALUES",
            Code::ExceptionNameNotUnique => "LOAD_EXCEPTION_NAME_NOT_UNIQUE",
            Code::InvalidMacroName => "LOAD_INVALID_MACRO_NAME",
            Code::InvalidListName => "LOAD_INVALID_LIST_NAME",
            Code::UnknownKey => "LOAD_UNKNOWN_KEY",
            Code::CompileConditionWarning => "LOAD_COMPILE_CONDITION",
        }
    }

    /// Whether the code is an error (`LOAD_ERR_*`).
    pub fn level(self) -> Level {
        match self {
            Code::ErrFileRead
            | Code::ErrYamlParse
            | Code::ErrYamlValidate
            | Code::ErrCompileCondition
            | Code::ErrCompileOutput
            | Code::ErrValidate => Level::Error,
            _ => Level::Warning,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One load error or warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub level: Level,
    /// Falco's result code.
    pub code: Code,
    /// Falco's message identifier when it has one (`ERROR_OVERRIDE_APPEND`,
    /// `ERROR_NO_PREVIOUS_MACRO`, …).
    pub message_id: Option<&'static str>,
    /// The message.
    pub message: String,
    /// The rules file (as named by the caller).
    pub file: String,
    /// Line and column of the item or key (1-based; 0 when unknown).
    pub position: Position,
    /// The kind of item: `rule`, `macro`, `list`, `exception`, `required_engine_version`,
    /// `required_plugin_versions`, `rules content`.
    pub item_type: &'static str,
    /// The item's name (empty when it has none).
    pub item_name: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {level} {}: {} '{}': {}",
            self.file,
            self.position.line,
            self.position.column,
            self.code,
            self.item_type,
            self.item_name,
            self.message
        )
    }
}
