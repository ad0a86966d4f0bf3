//! The YAML configuration (documented in `docs/sinks.md`).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use logsec_event::{Severity, SourceFormat};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::encoding::{Encoder, Encoding, Template};
use crate::error::SinkError;
use crate::flood::FloodControl;
use crate::redact::Redactor;
use crate::route::{Overflow, RetryPolicy, Route};
use crate::router::{Router, RouterBuilder, SinkSpec};
use crate::sinks::file::{FileSink, Fsync};
use crate::sinks::program::ProgramSink;
use crate::sinks::stdout::StdoutSink;
use crate::sinks::syslog::{SyslogSink, SyslogTransport};
use crate::sinks::webhook::WebhookSink;

/// Parses a duration: an integer number of seconds, or a number with a unit `ms`, `s`, `m`,
/// `h` or `d` (`250ms`, `10s`, `5m`, `1h`).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let millis = match unit.trim() {
        "ms" => number,
        "" | "s" => number.checked_mul(1_000)?,
        "m" => number.checked_mul(60_000)?,
        "h" => number.checked_mul(3_600_000)?,
        "d" => number.checked_mul(86_400_000)?,
        _ => return None,
    };
    Some(Duration::from_millis(millis))
}

/// A duration written as in [`parse_duration`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DurationText(Duration);

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DurationVisitor;
        impl Visitor<'_> for DurationVisitor {
            type Value = DurationText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as 500ms, 10s, 5m, 1h, or a number of seconds")
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<DurationText, E> {
                Ok(DurationText(Duration::from_secs(value)))
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<DurationText, E> {
                u64::try_from(value)
                    .map(|v| DurationText(Duration::from_secs(v)))
                    .map_err(|_| E::custom("a duration cannot be negative"))
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<DurationText, E> {
                parse_duration(value)
                    .map(DurationText)
                    .ok_or_else(|| E::custom(format!("invalid duration {value:?}")))
            }
        }
        deserializer.deserialize_any(DurationVisitor)
    }
}

/// The sink configuration file: router settings and a list of sinks.
///
/// ```
/// use logsec_sinks::SinksConfig;
/// let config = SinksConfig::from_yaml(r#"
/// hostname: host-1
/// sinks:
///   - name: console
///     type: stdout
///     encoding: text
///     route: { min_severity: high }
/// "#)?;
/// assert_eq!(config.sinks.len(), 1);
/// let router = config.build()?;
/// router.close();
/// # Ok::<(), logsec_sinks::SinkError>(())
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinksConfig {
    /// The hostname written in Falco JSON, templates and syslog headers.
    #[serde(default)]
    pub hostname: String,
    /// The spool.
    #[serde(default)]
    pub spool: Option<SpoolConfig>,
    /// How long closing may take before queued alerts are spooled (default 5 s).
    #[serde(default)]
    close_timeout: Option<DurationText>,
    /// Redaction.
    #[serde(default)]
    pub redaction: Option<RedactionConfig>,
    /// Flood control.
    #[serde(default)]
    pub flood_control: Option<FloodConfig>,
    /// The sinks.
    #[serde(default)]
    pub sinks: Vec<SinkConfig>,
}

/// `spool:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpoolConfig {
    /// The spool root; each sink spools to `<directory>/<sink name>`.
    pub directory: PathBuf,
    /// Segment file size (default 16 MiB).
    #[serde(default)]
    pub segment_bytes: Option<u64>,
}

/// `redaction:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedactionConfig {
    /// Whether the default paths and query parameters apply (default true).
    #[serde(default = "yes")]
    pub defaults: bool,
    /// More paths, relative to the raw record.
    #[serde(default)]
    pub paths: Vec<String>,
    /// More query parameters.
    #[serde(default)]
    pub query_params: Vec<String>,
    /// The evidence cap (default 10).
    #[serde(default)]
    pub max_evidences: Option<usize>,
}

fn yes() -> bool {
    true
}

/// `flood_control:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FloodConfig {
    window: DurationText,
    /// Alerts let through per rule and key per window (default 1: deduplication).
    #[serde(default)]
    pub max_per_window: Option<u32>,
    /// Key fields.
    #[serde(default)]
    pub key_fields: Vec<String>,
    /// Bound on remembered groups.
    #[serde(default)]
    pub max_keys: Option<usize>,
}

/// One entry of `sinks:`. Which fields apply depends on `type`; see `docs/sinks.md`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinkConfig {
    /// The sink name (names its spool directory).
    pub name: String,
    /// `stdout`, `file`, `webhook`, `syslog` or `program`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `ocsf` (default; `text` for syslog), `falco_json`, `text`, `template`.
    #[serde(default)]
    pub encoding: Option<String>,
    /// The template of the `template` encoding.
    #[serde(default)]
    pub template: Option<String>,
    /// file: the path.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// file: rotate at this size.
    #[serde(default)]
    pub rotate_bytes: Option<u64>,
    #[serde(default)]
    rotate_every: Option<DurationText>,
    /// file: rotated files kept.
    #[serde(default)]
    pub keep_rotated: Option<usize>,
    /// file: `every_batch` (default), `never`, or a duration.
    #[serde(default)]
    pub fsync: Option<String>,
    /// webhook: the URL.
    #[serde(default)]
    pub url: Option<String>,
    /// webhook: the environment variable holding the URL instead (chat webhook URLs carry
    /// their secret in the path).
    #[serde(default)]
    pub url_env: Option<String>,
    /// webhook: headers.
    #[serde(default)]
    pub headers: Vec<HeaderConfig>,
    /// webhook / program: batching.
    #[serde(default)]
    pub batch: Option<BatchConfig>,
    /// webhook: gzip bodies.
    #[serde(default)]
    pub gzip: bool,
    #[serde(default)]
    timeout: Option<DurationText>,
    /// webhook: verify TLS certificates (default true).
    #[serde(default = "yes")]
    pub tls_verify: bool,
    /// webhook: an HTTP or SOCKS proxy URL (default none).
    #[serde(default)]
    pub proxy: Option<String>,
    /// syslog: `udp`, `tcp` or `unix`.
    #[serde(default)]
    pub transport: Option<String>,
    /// syslog: `host:port` or socket path.
    #[serde(default)]
    pub address: Option<String>,
    /// syslog: facility number (default 16, local0).
    #[serde(default)]
    pub facility: Option<u8>,
    /// program: argv.
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    settle: Option<DurationText>,
    /// Which alerts the sink takes.
    #[serde(default)]
    pub route: Option<RouteConfig>,
    /// The queue.
    #[serde(default)]
    pub queue: Option<QueueConfig>,
    /// Retries.
    #[serde(default)]
    pub retry: Option<RetryConfig>,
    /// Whether this sink uses the spool (default true).
    #[serde(default = "yes")]
    pub spool: bool,
    /// Write-ahead mode: every alert is spooled before `send` returns (default: on when the
    /// sink has a spool).
    #[serde(default)]
    pub durable: Option<bool>,
}

/// A webhook header: a plain `value`, or a secret read from the environment variable `env`
/// (with an optional `prefix` such as `"Bearer "`).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderConfig {
    /// The header name.
    pub name: String,
    /// A plain value.
    #[serde(default)]
    pub value: Option<String>,
    /// The environment variable holding a secret value.
    #[serde(default)]
    pub env: Option<String>,
    /// Prepended to the secret.
    #[serde(default)]
    pub prefix: String,
}

impl fmt::Debug for HeaderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderConfig")
            .field("name", &self.name)
            .field("value", &self.value)
            .field("env", &self.env)
            .finish()
    }
}

/// `batch:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchConfig {
    /// Alerts per request.
    pub max_alerts: usize,
    #[serde(default)]
    max_wait: Option<DurationText>,
}

/// `route:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// Minimum severity (OCSF name, Sigma level, Falco priority or id).
    #[serde(default)]
    pub min_severity: Option<String>,
    /// Tag globs (any).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Rule title or id globs (any).
    #[serde(default)]
    pub rules: Vec<String>,
    /// Source format names (any).
    #[serde(default)]
    pub sources: Vec<String>,
}

/// `queue:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// Capacity (default 1024).
    #[serde(default)]
    pub capacity: Option<usize>,
    /// `spool` (default), `block` or `drop`.
    #[serde(default)]
    pub overflow: Option<String>,
    #[serde(default)]
    block_timeout: Option<DurationText>,
}

/// `retry:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryConfig {
    #[serde(default)]
    initial: Option<DurationText>,
    #[serde(default)]
    max: Option<DurationText>,
    /// Failed attempts before spooling (default 2).
    #[serde(default)]
    pub attempts_before_spool: Option<u32>,
}

impl SinksConfig {
    /// Reads the YAML configuration.
    pub fn from_yaml(text: &str) -> Result<SinksConfig, SinkError> {
        serde_saphyr::from_str(text).map_err(|e| SinkError::Yaml(e.to_string()))
    }

    /// Builds the router, reading secret headers from the process environment.
    pub fn build(self) -> Result<Router, SinkError> {
        self.into_builder(&|variable| std::env::var(variable).ok())?
            .build()
    }

    /// The router builder this configuration describes, with secret headers read through
    /// `lookup` (variable name → value).
    pub fn into_builder(
        self,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<RouterBuilder, SinkError> {
        let mut builder = RouterBuilder::new();
        if let Some(spool) = &self.spool {
            builder = builder.spool_dir(&spool.directory);
            if let Some(bytes) = spool.segment_bytes {
                builder = builder.spool_segment_bytes(bytes);
            }
        }
        if let Some(timeout) = self.close_timeout {
            builder = builder.close_timeout(timeout.0);
        }
        if let Some(redaction) = &self.redaction {
            let mut redactor = if redaction.defaults {
                Redactor::default()
            } else {
                Redactor::none()
            };
            for path in &redaction.paths {
                redactor = redactor.path(path);
            }
            for name in &redaction.query_params {
                redactor = redactor.query_param(name);
            }
            if let Some(max) = redaction.max_evidences {
                redactor = redactor.max_evidences(max);
            }
            builder = builder.redactor(redactor);
        }
        if let Some(flood) = &self.flood_control {
            let mut control = FloodControl::new(flood.window.0, flood.max_per_window.unwrap_or(1));
            for field in &flood.key_fields {
                control = control.key_field(field);
            }
            if let Some(max) = flood.max_keys {
                control = control.max_keys(max);
            }
            builder = builder.flood_control(control);
        }
        for sink in &self.sinks {
            builder = builder.sink(sink.to_spec(&self.hostname, lookup)?);
        }
        Ok(builder)
    }
}

impl SinkConfig {
    fn invalid(&self, what: impl fmt::Display) -> SinkError {
        SinkError::Config(format!("sink {:?}: {what}", self.name))
    }

    fn encoder(&self, hostname: &str, default: Encoding) -> Result<Encoder, SinkError> {
        let mut encoding = match &self.encoding {
            Some(name) => Encoding::from_name(name).ok_or_else(|| {
                self.invalid(format!(
                    "unknown encoding {name:?} (use ocsf, falco_json, text or template)"
                ))
            })?,
            None if self.template.is_some() => Encoding::Template(Template::default()),
            None => default,
        };
        if let (Encoding::Template(_), Some(text)) = (&encoding, &self.template) {
            encoding = Encoding::Template(Template::new(text.clone()));
        }
        Ok(Encoder::new(encoding, hostname))
    }

    fn to_spec(
        &self,
        hostname: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<SinkSpec, SinkError> {
        let spec = match self.kind.as_str() {
            "stdout" => SinkSpec::new(
                &self.name,
                StdoutSink::new(self.encoder(hostname, Encoding::Ocsf)?),
            ),
            "file" => {
                let path = self
                    .path
                    .clone()
                    .ok_or_else(|| self.invalid("file needs path"))?;
                let mut file =
                    FileSink::builder(path).encoder(self.encoder(hostname, Encoding::Ocsf)?);
                if let Some(bytes) = self.rotate_bytes {
                    file = file.rotate_bytes(bytes);
                }
                if let Some(age) = self.rotate_every {
                    file = file.rotate_every(age.0);
                }
                if let Some(keep) = self.keep_rotated {
                    file = file.keep_rotated(keep);
                }
                if let Some(fsync) = &self.fsync {
                    file = file.fsync(match fsync.as_str() {
                        "every_batch" => Fsync::EveryBatch,
                        "never" => Fsync::Never,
                        other => Fsync::Interval(parse_duration(other).ok_or_else(|| {
                            self.invalid(format!(
                                "fsync {other:?} is not every_batch, never or a duration"
                            ))
                        })?),
                    });
                }
                SinkSpec::new(&self.name, file.build()?)
            }
            "webhook" => {
                let url = match (&self.url, &self.url_env) {
                    (Some(url), None) => url.clone(),
                    (None, Some(variable)) => {
                        lookup(variable).ok_or_else(|| SinkError::MissingSecret {
                            sink: self.name.clone(),
                            header: "url".into(),
                            variable: variable.clone(),
                        })?
                    }
                    _ => return Err(self.invalid("webhook needs exactly one of url and url_env")),
                };
                let mut webhook = WebhookSink::builder(url)
                    .name(&self.name)
                    .encoder(self.encoder(hostname, Encoding::Ocsf)?)
                    .gzip(self.gzip);
                if !self.tls_verify {
                    webhook = webhook.danger_disable_tls_verification();
                }
                if let Some(timeout) = self.timeout {
                    webhook = webhook.timeout(timeout.0);
                }
                if let Some(proxy) = &self.proxy {
                    webhook = webhook.proxy(proxy);
                }
                if let Some(batch) = &self.batch {
                    webhook = webhook.batch(
                        batch.max_alerts,
                        batch.max_wait.map_or(Duration::ZERO, |d| d.0),
                    );
                }
                for header in &self.headers {
                    webhook = match (&header.value, &header.env) {
                        (Some(value), None) => webhook.header(&header.name, value),
                        (None, Some(variable)) => {
                            webhook.header_from_env(&header.name, variable, &header.prefix)
                        }
                        _ => {
                            return Err(self.invalid(format!(
                                "header {:?} needs exactly one of value and env",
                                header.name
                            )));
                        }
                    };
                }
                SinkSpec::new(&self.name, webhook.build_with_env(lookup)?)
            }
            "syslog" => {
                let address = self
                    .address
                    .clone()
                    .ok_or_else(|| self.invalid("syslog needs address"))?;
                let transport = match self.transport.as_deref().unwrap_or("udp") {
                    "udp" => SyslogTransport::Udp(address),
                    "tcp" => SyslogTransport::Tcp(address),
                    "unix" => SyslogTransport::Unix(PathBuf::from(address)),
                    other => {
                        return Err(
                            self.invalid(format!("transport {other:?} is not udp, tcp or unix"))
                        );
                    }
                };
                let mut syslog = SyslogSink::builder(transport)
                    .hostname(hostname)
                    .encoder(self.encoder(hostname, Encoding::Text)?);
                if let Some(facility) = self.facility {
                    syslog = syslog.facility(facility);
                }
                if let Some(timeout) = self.timeout {
                    syslog = syslog.timeout(timeout.0);
                }
                SinkSpec::new(&self.name, syslog.build())
            }
            "program" => {
                let mut program = ProgramSink::builder(self.command.clone())
                    .encoder(self.encoder(hostname, Encoding::Ocsf)?);
                if let Some(settle) = self.settle {
                    program = program.settle(settle.0);
                }
                if let Some(batch) = &self.batch {
                    program = program.batch(
                        batch.max_alerts,
                        batch.max_wait.map_or(Duration::ZERO, |d| d.0),
                    );
                }
                SinkSpec::new(&self.name, program.build().map_err(|e| self.invalid(e))?)
            }
            other => {
                return Err(self.invalid(format!(
                    "unknown type {other:?} (use stdout, file, webhook, syslog or program)"
                )));
            }
        };
        let mut spec = spec.spool(self.spool);
        if let Some(durable) = self.durable {
            spec = spec.durable(durable);
        }
        if let Some(route) = &self.route {
            let mut built = Route::all();
            if let Some(severity) = &route.min_severity {
                let severity: Severity = severity.parse().map_err(|e| self.invalid(e))?;
                built = built.min_severity(severity);
            }
            for tag in &route.tags {
                built = built.tag(tag);
            }
            for rule in &route.rules {
                built = built.rule(rule);
            }
            for source in &route.sources {
                let format: SourceFormat = source.parse().map_err(|e| self.invalid(e))?;
                built = built.source(format);
            }
            spec = spec.route(built);
        }
        if let Some(queue) = &self.queue {
            if let Some(capacity) = queue.capacity {
                spec = spec.queue_capacity(capacity);
            }
            let overflow = match queue.overflow.as_deref().unwrap_or("spool") {
                "spool" => Overflow::Spool,
                "drop" => Overflow::Drop,
                "block" => {
                    Overflow::Block(queue.block_timeout.map_or(Duration::from_secs(1), |d| d.0))
                }
                other => {
                    return Err(
                        self.invalid(format!("overflow {other:?} is not spool, block or drop"))
                    );
                }
            };
            spec = spec.overflow(overflow);
        }
        if let Some(retry) = &self.retry {
            let defaults = RetryPolicy::default();
            spec = spec.retry(RetryPolicy {
                initial: retry.initial.map_or(defaults.initial, |d| d.0),
                max: retry.max.map_or(defaults.max, |d| d.0),
                attempts_before_spool: retry
                    .attempts_before_spool
                    .unwrap_or(defaults.attempts_before_spool)
                    .max(1),
            });
        }
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("10s"), Some(Duration::from_secs(10)));
        assert_eq!(parse_duration("5m"), Some(Duration::from_secs(300)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_duration("3 weeks"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn unknown_keys_and_types_are_reported() {
        let error =
            SinksConfig::from_yaml("sinks:\n  - name: a\n    type: stdout\n    colour: red\n")
                .unwrap_err();
        assert!(error.to_string().contains("colour"), "{error}");
        let error = SinksConfig::from_yaml("sinks:\n  - name: a\n    type: pigeon\n")
            .unwrap()
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("pigeon"), "{error}");
    }

    #[test]
    fn missing_secret_env_is_a_clear_error() {
        let config = SinksConfig::from_yaml(
            "sinks:\n  - name: hook\n    type: webhook\n    url: http://127.0.0.1:9/\n    headers:\n      - name: Authorization\n        env: LOGSEC_NOT_SET_ANYWHERE\n        prefix: 'Bearer '\n",
        )
        .unwrap();
        let error = config.into_builder(&|_| None).unwrap_err();
        assert!(
            error.to_string().contains("LOGSEC_NOT_SET_ANYWHERE"),
            "{error}"
        );
    }
}
