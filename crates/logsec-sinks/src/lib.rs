//! # logsec-sinks
//!
//! Alert sinks (stdout, file, webhook, syslog, program), the router between them, and the disk
//! spool that keeps undeliverable [`logsec_event::Alert`]s.
//! (Filled by the sinks work; this crate starts empty so the workspace builds.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
