//! # logsec-rules
//!
//! The rule engine: the Falco rules language and Sigma 2.1 compiled to one IR over
//! [`logsec_event::FieldPath`] accessors, evaluated against [`logsec_event::Event`]s.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod falco;
pub mod ir;
pub mod sigma;
