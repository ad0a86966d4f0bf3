//! # logsec
//!
//! The facade: re-exports the logsec crates under one name, and (as it lands) the `Pipeline`
//! that reads paths, parses, evaluates rules and routes alerts.
//!
//! ```
//! use logsec::event::{ocsf, Event, SourceFormat};
//!
//! let event = Event::new(&ocsf::API_ACTIVITY, 2, SourceFormat::Cloudtrail);
//! assert_eq!(event.type_uid, 600302);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use logsec_event as event;
pub use logsec_iam as iam;
pub use logsec_parse as parse;
pub use logsec_rules as rules;
pub use logsec_sinks as sinks;

/// The logsec version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
