//! The one error type of this crate.

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong in a sink, the spool, the router or the configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// An I/O operation on a file or directory failed.
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        /// What was being done ("create spool directory", "write", …).
        op: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The disk spool of a sink could not keep an alert durable.
    #[error("spool of sink {sink:?} at {}: cannot {op}: {source}", path.display())]
    Spool {
        /// The sink whose spool failed.
        sink: String,
        /// What was being done.
        op: &'static str,
        /// The spool directory or file.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// A network endpoint could not be reached or the connection broke.
    #[error("{endpoint}: {reason}")]
    Network {
        /// The endpoint (URL, `host:port` or socket path).
        endpoint: String,
        /// What happened.
        reason: String,
    },
    /// An HTTP endpoint answered with an error status.
    #[error("{url} answered HTTP {status}{}", retry_after.map(|d| format!(" (retry after {} s)", d.as_secs())).unwrap_or_default())]
    HttpStatus {
        /// The URL (never with secret headers).
        url: String,
        /// The status code.
        status: u16,
        /// The `Retry-After` the server asked for, if any.
        retry_after: Option<Duration>,
    },
    /// A program sink's command could not be started or kept running.
    #[error("program {command:?}: {reason}")]
    Program {
        /// The command line.
        command: String,
        /// What happened.
        reason: String,
    },
    /// A sink had no room for an alert and the overflow policy or a spool failure refused it.
    #[error("sink {sink:?} could not accept alert {alert_uid}: {reason}")]
    Rejected {
        /// The sink.
        sink: String,
        /// The alert id.
        alert_uid: String,
        /// Why (queue full with the drop policy, spool failure, router closed).
        reason: String,
    },
    /// The configuration is invalid.
    #[error("invalid sink configuration: {0}")]
    Config(String),
    /// The YAML configuration could not be read.
    #[error("invalid sink configuration YAML: {0}")]
    Yaml(String),
    /// A webhook header (or URL) names an environment variable that is not set.
    #[error(
        "{header:?} of sink {sink:?} takes its value from environment variable {variable}, which is not set"
    )]
    MissingSecret {
        /// The sink.
        sink: String,
        /// The header name (`url` for the URL).
        header: String,
        /// The environment variable.
        variable: String,
    },
}

impl SinkError {
    /// How long the endpoint asked us to wait before retrying (HTTP `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SinkError::HttpStatus { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        SinkError::Io {
            op,
            path: path.into(),
            source,
        }
    }
}
