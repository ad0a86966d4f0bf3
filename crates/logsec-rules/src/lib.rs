//! # logsec-rules
//!
//! The rule engine: the Falco rules language and Sigma 2.1 compiled to one IR over
//! [`logsec_event::FieldPath`] accessors, evaluated against [`logsec_event::Event`]s.
//! (Filled by the rule-engine work; this crate starts empty so the workspace builds.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
