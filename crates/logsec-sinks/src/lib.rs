//! # logsec-sinks
//!
//! Where alerts go: a [`Router`] in front of [`Sink`]s, with a disk spool so that an alert is
//! never lost silently when a sink is slow or down.
//!
//! - **Encodings** ([`Encoding`], [`Encoder`]): OCSF Detection Finding JSON (default),
//!   Falco-compatible JSON, Falco-like text lines, and Slack/Teams `{"text": …}` bodies from a
//!   [`Template`].
//! - **Sinks**, one module each: [`StdoutSink`], [`FileSink`] (JSON lines, rotation by size and
//!   time, configurable fsync), [`WebhookSink`] (HTTP POST with ureq + rustls, batching, gzip,
//!   secret headers from environment variables, `Retry-After`), [`SyslogSink`] (RFC 5424 over
//!   UDP, TCP with octet counting, unix socket), [`ProgramSink`] (JSON lines to a child's stdin,
//!   restarted when it exits). Write your own by implementing [`Sink`].
//! - **Router** ([`Router`], [`RouterBuilder`], [`SinkSpec`], [`Route`]): redaction
//!   ([`Redactor`]) and flood control ([`FloodControl`]) first, then routes by severity, tags,
//!   rule glob and source; one worker thread and bounded queue per sink; retries with
//!   exponential backoff and jitter ([`RetryPolicy`]); a per-sink disk spool replayed in order
//!   when the sink recovers or on the next start; an [`Overflow`] policy; counters and health.
//! - **Configuration** as YAML ([`SinksConfig`]; see `docs/sinks.md`) or as builders.
//!
//! ```
//! use logsec_event::{AlertBuilder, RuleRef, Severity};
//! use logsec_sinks::{Encoder, Encoding, FileSink, Route, Router, SinkSpec};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = std::env::temp_dir().join(format!("logsec-doc-{}", std::process::id()));
//! let file = FileSink::builder(dir.join("alerts.jsonl"))
//!     .encoder(Encoder::new(Encoding::FalcoJson, "host-1"))
//!     .build()?;
//! let router = Router::builder()
//!     .spool_dir(dir.join("spool"))
//!     .sink(SinkSpec::new("file", file).route(Route::all().min_severity(Severity::Medium)))
//!     .build()?;
//! let rule = RuleRef { id: "r1".into(), title: "Root login".into(), ..RuleRef::default() };
//! let alert = AlertBuilder::new(rule, Severity::High).message("root logged in").build();
//! assert_eq!(router.send(alert)?, 1);
//! let health = router.close();
//! assert_eq!(health[0].counters.sent, 1);
//! let written = std::fs::read_to_string(dir.join("alerts.jsonl"))?;
//! assert!(written.contains(r#""priority":"Error""#));
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod config;
mod counters;
mod encoding;
mod error;
mod flood;
mod redact;
mod route;
mod router;
mod sink;
mod sinks;
mod spool;

pub use crate::config::{
    BatchConfig, FloodConfig, HeaderConfig, QueueConfig, RedactionConfig, RetryConfig, RouteConfig,
    SinkConfig, SinksConfig, SpoolConfig, parse_duration,
};
pub use crate::counters::{HealthState, SinkCounters, SinkHealth};
pub use crate::encoding::{
    DEFAULT_TEMPLATE, Encoder, Encoding, Template, falco_json, falco_source, falco_time, text_line,
};
pub use crate::error::SinkError;
pub use crate::flood::{DEFAULT_MAX_KEYS, FloodControl};
pub use crate::redact::{DEFAULT_QUERY_PARAMS, DEFAULT_REDACT_PATHS, REDACTED, Redactor};
pub use crate::route::{Overflow, RetryPolicy, Route};
pub use crate::router::{DEFAULT_QUEUE_CAPACITY, Router, RouterBuilder, RouterCounters, SinkSpec};
pub use crate::sink::{Batching, Sink};
pub use crate::sinks::file::{FileSink, FileSinkBuilder, Fsync};
pub use crate::sinks::program::{ProgramSink, ProgramSinkBuilder};
pub use crate::sinks::stdout::StdoutSink;
pub use crate::sinks::syslog::{FACILITY_LOCAL0, SyslogSink, SyslogSinkBuilder, SyslogTransport};
pub use crate::sinks::webhook::{DEFAULT_WEBHOOK_TIMEOUT, Secret, WebhookSink, WebhookSinkBuilder};
pub use crate::spool::DEFAULT_SEGMENT_BYTES;
