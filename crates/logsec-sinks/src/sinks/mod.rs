//! The sinks, one module each.

pub(crate) mod file;
pub(crate) mod program;
pub(crate) mod stdout;
pub(crate) mod syslog;
pub(crate) mod webhook;
