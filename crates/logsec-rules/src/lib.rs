//! # logsec-rules
//!
//! The rule engine: the Falco rules language and Sigma 2.1 compiled to one IR over
//! [`logsec_event::FieldPath`] accessors, evaluated against [`logsec_event::Event`]s.
//!
//! - [`ir`]: the shared expression tree, rule metadata, the indexed [`ir::RuleSet`] and its
//!   evaluator.
//! - [`sigma`]: Sigma 2.1 detection rules, correlations and filters.
//! - [`falco`]: the Falco rules language.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
pub mod falco;
pub mod ir;
mod report;
pub mod sigma;

pub use crate::error::RulesError;
pub use crate::report::{LoadReport, RuleReport, RuleStatus};
