//! The crate's one error type.

/// Why rule text could not be loaded or compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// The rule text is not well-formed (YAML syntax, wrong shape).
    #[error("{location}: {message}")]
    Syntax {
        /// Where: file and line, or rule id.
        location: String,
        /// What is wrong.
        message: String,
    },
    /// The rule is well-formed but cannot be compiled (bad value, bad regex, unknown identifier).
    #[error("rule {rule}: {reason}")]
    Invalid {
        /// The rule's id or title.
        rule: String,
        /// Why.
        reason: String,
    },
    /// The rule uses a construct logsec does not support.
    #[error("rule {rule}: unsupported: {reason}")]
    Unsupported {
        /// The rule's id or title.
        rule: String,
        /// Which construct, and why.
        reason: String,
    },
    /// A regular expression, glob or other pattern did not compile.
    #[error("bad pattern {pattern:?}: {reason}")]
    Pattern {
        /// The pattern as written.
        pattern: String,
        /// The compiler's message.
        reason: String,
    },
    /// A field name could not be resolved to a path.
    #[error("bad field {field:?}: {reason}")]
    Field {
        /// The field as written.
        field: String,
        /// Why.
        reason: String,
    },
}
