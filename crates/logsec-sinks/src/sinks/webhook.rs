//! The webhook sink: HTTP POST with batching, gzip, secret headers, retries and TLS.

use std::fmt;
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;
use logsec_event::Alert;

use crate::encoding::Encoder;
use crate::error::SinkError;
use crate::sink::{Batching, Sink};

/// A secret string (a header value): its `Debug` output never shows the value, and it has no
/// `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Clone, PartialEq, Eq)]
enum HeaderSource {
    Plain(String),
    Secret(Secret),
    Env { variable: String, prefix: String },
}

impl fmt::Debug for HeaderSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderSource::Plain(value) => write!(f, "{value:?}"),
            HeaderSource::Secret(_) => f.write_str("<secret>"),
            HeaderSource::Env { variable, .. } => write!(f, "<secret from ${variable}>"),
        }
    }
}

/// Builds a [`WebhookSink`]; the configuration is frozen at [`WebhookSinkBuilder::build`].
#[derive(Debug, Clone)]
pub struct WebhookSinkBuilder {
    name: String,
    url: String,
    encoder: Encoder,
    headers: Vec<(String, HeaderSource)>,
    batching: Batching,
    gzip: bool,
    timeout: Duration,
    tls_verify: bool,
    proxy: Option<String>,
}

/// The default per-request timeout of the webhook sink.
pub const DEFAULT_WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

impl WebhookSinkBuilder {
    /// Sets the encoding (default OCSF JSON; use [`crate::Encoding::Template`] for Slack/Teams).
    pub fn encoder(mut self, encoder: Encoder) -> Self {
        self.encoder = encoder;
        self
    }

    /// Adds a header with a plain value.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers
            .push((name.into(), HeaderSource::Plain(value.into())));
        self
    }

    /// Adds a header with a secret value.
    pub fn secret_header(mut self, name: impl Into<String>, value: Secret) -> Self {
        self.headers
            .push((name.into(), HeaderSource::Secret(value)));
        self
    }

    /// Adds a header whose value is `prefix` followed by the value of the environment variable
    /// `variable`, read once at [`WebhookSinkBuilder::build`] (or given by the lookup of
    /// [`WebhookSinkBuilder::build_with_env`]). The value is never logged or printed.
    pub fn header_from_env(
        mut self,
        name: impl Into<String>,
        variable: impl Into<String>,
        prefix: impl Into<String>,
    ) -> Self {
        self.headers.push((
            name.into(),
            HeaderSource::Env {
                variable: variable.into(),
                prefix: prefix.into(),
            },
        ));
        self
    }

    /// Sends batches of up to `max_alerts`, waiting up to `max_wait` to fill one
    /// (default: 1 alert, no wait).
    pub fn batch(mut self, max_alerts: usize, max_wait: Duration) -> Self {
        self.batching = Batching {
            max_alerts: max_alerts.max(1),
            max_wait,
        };
        self
    }

    /// Compresses request bodies with gzip (`Content-Encoding: gzip`).
    pub fn gzip(mut self, enabled: bool) -> Self {
        self.gzip = enabled;
        self
    }

    /// Sets the per-request timeout (whole request, connect to last byte; default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Turns TLS certificate verification off (on by default). Only for test endpoints.
    pub fn danger_disable_tls_verification(mut self) -> Self {
        self.tls_verify = false;
        self
    }

    /// Sends requests through an HTTP or SOCKS proxy (`http://host:port`,
    /// `socks5://host:port`). No proxy by default: the library does not read `HTTPS_PROXY`
    /// from the environment; the caller decides.
    pub fn proxy(mut self, proxy: impl Into<String>) -> Self {
        self.proxy = Some(proxy.into());
        self
    }

    /// Names the sink in error messages about missing secrets.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Builds the sink, reading secret headers from the process environment.
    pub fn build(self) -> Result<WebhookSink, SinkError> {
        self.build_with_env(&|variable| std::env::var(variable).ok())
    }

    /// Builds the sink, reading secret headers through `lookup` (variable name → value).
    pub fn build_with_env(
        self,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<WebhookSink, SinkError> {
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err(SinkError::Config(format!(
                "webhook url {:?} must start with http:// or https://",
                shown_url(&self.url)
            )));
        }
        let shown = shown_url(&self.url);
        let mut headers = Vec::new();
        for (name, source) in &self.headers {
            let value = match source {
                HeaderSource::Plain(value) => Secret::new(value.clone()),
                HeaderSource::Secret(secret) => secret.clone(),
                HeaderSource::Env { variable, prefix } => match lookup(variable) {
                    Some(value) => Secret::new(format!("{prefix}{value}")),
                    None => {
                        return Err(SinkError::MissingSecret {
                            sink: self.name.clone(),
                            header: name.clone(),
                            variable: variable.clone(),
                        });
                    }
                },
            };
            headers.push((name.clone(), value));
        }
        let proxy = match &self.proxy {
            Some(text) => Some(
                ureq::Proxy::new(text)
                    .map_err(|e| SinkError::Config(format!("webhook proxy {text:?}: {e}")))?,
            ),
            None => None,
        };
        let tls = ureq::tls::TlsConfig::builder()
            .disable_verification(!self.tls_verify)
            .build();
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(self.timeout))
            .http_status_as_error(false)
            .tls_config(tls)
            .proxy(proxy)
            // A redirect is answered like any other non-2xx status: retried and reported,
            // never silently turned into a GET elsewhere.
            .max_redirects(0)
            .user_agent(concat!("logsec/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Ok(WebhookSink {
            config: self,
            shown_url: shown,
            headers,
            agent,
        })
    }
}

/// POSTs alerts to an HTTP endpoint. A 2xx answer acknowledges the batch; anything else
/// (including timeouts and 4xx, since dropping alerts is worse than retrying) is an error the
/// router retries with backoff, honouring `Retry-After`, and spools meanwhile.
pub struct WebhookSink {
    config: WebhookSinkBuilder,
    /// The URL as it may appear in messages: without its path, query or credentials.
    shown_url: String,
    headers: Vec<(String, Secret)>,
    agent: ureq::Agent,
}

impl fmt::Debug for WebhookSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSink")
            .field("url", &self.shown_url)
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .field("batching", &self.config.batching)
            .field("gzip", &self.config.gzip)
            .field("timeout", &self.config.timeout)
            .field("tls_verify", &self.config.tls_verify)
            .field("proxy", &self.config.proxy.is_some())
            .finish()
    }
}

impl WebhookSink {
    /// Starts a builder for a sink posting to `url`.
    pub fn builder(url: impl Into<String>) -> WebhookSinkBuilder {
        WebhookSinkBuilder {
            name: "webhook".into(),
            url: url.into(),
            encoder: Encoder::default(),
            headers: Vec::new(),
            batching: Batching::default(),
            gzip: false,
            timeout: DEFAULT_WEBHOOK_TIMEOUT,
            tls_verify: true,
            proxy: None,
        }
    }

    fn network_error(&self, reason: impl fmt::Display) -> SinkError {
        SinkError::Network {
            endpoint: self.shown_url.clone(),
            reason: reason.to_string(),
        }
    }
}

impl Sink for WebhookSink {
    fn kind(&self) -> &'static str {
        "webhook"
    }

    fn send(&mut self, alerts: &[Alert]) -> Result<(), SinkError> {
        let mut body = self.config.encoder.body(alerts);
        let mut request = self
            .agent
            .post(&self.config.url)
            .header("Content-Type", self.config.encoder.content_type());
        if self.config.gzip {
            let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
            body = encoder
                .write_all(&body)
                .and_then(|()| encoder.finish())
                .map_err(|e| self.network_error(format!("gzip: {e}")))?;
            request = request.header("Content-Encoding", "gzip");
        }
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.expose());
        }
        let mut response = request.send(&body).map_err(|e| self.network_error(e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(parse_retry_after);
        // Read the (small) answer so the connection can be reused.
        let _ = response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_vec();
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(SinkError::HttpStatus {
                url: self.shown_url.clone(),
                status,
                retry_after,
            })
        }
    }

    fn batching(&self) -> Batching {
        self.config.batching
    }

    /// Opens a TCP connection to the endpoint (or to the proxy, when one is set).
    fn check(&mut self) -> Result<(), SinkError> {
        let target = self.config.proxy.as_deref().unwrap_or(&self.config.url);
        let address =
            socket_address(target).ok_or_else(|| self.network_error("no host in the URL"))?;
        let mut last = None;
        for socket in address
            .to_socket_addrs()
            .map_err(|e| self.network_error(e))?
        {
            match TcpStream::connect_timeout(&socket, self.config.timeout) {
                Ok(_) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        Err(self.network_error(last.map_or_else(|| "no address".to_owned(), |e| e.to_string())))
    }
}

/// `host:port` of a URL, with the scheme's default port.
fn socket_address(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    if host_port.is_empty() {
        return None;
    }
    let has_port = match host_port.rfind(']') {
        Some(bracket) => host_port
            .get(bracket..)
            .is_some_and(|tail| tail.contains(':')),
        None => host_port.contains(':'),
    };
    if has_port {
        return Some(host_port.to_owned());
    }
    let port = match scheme {
        "https" => 443,
        "socks5" | "socks4" | "socks4a" | "socks5h" => 1080,
        _ => 80,
    };
    Some(format!("{host_port}:{port}"))
}

/// The URL without what can be secret: user info, path and query (chat webhook URLs carry
/// their token in the path). `https://hooks.slack.com/services/T0/B0/XYZ` shows as
/// `https://hooks.slack.com/…`.
pub(crate) fn shown_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let elided = if rest.len() > authority.len() {
        "/…"
    } else {
        ""
    };
    if scheme.is_empty() {
        format!("{host}{elided}")
    } else {
        format!("{scheme}://{host}{elided}")
    }
}

/// `Retry-After`: delay-seconds or an HTTP date.
pub(crate) fn parse_retry_after(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let target = u64::try_from(date.timestamp()).ok()?;
    Some(Duration::from_secs(target.saturating_sub(now.as_secs())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_past_dates() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn socket_addresses_come_from_urls() {
        assert_eq!(
            socket_address("https://hooks.slack.com/x").as_deref(),
            Some("hooks.slack.com:443")
        );
        assert_eq!(
            socket_address("http://u:p@127.0.0.1:8080/x").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            socket_address("http://[::1]/x").as_deref(),
            Some("[::1]:80")
        );
        assert_eq!(
            socket_address("http://[::1]:9000").as_deref(),
            Some("[::1]:9000")
        );
        assert_eq!(socket_address("nonsense"), None);
    }

    #[test]
    fn urls_are_shown_without_path_query_or_credentials() {
        assert_eq!(
            shown_url("https://hooks.slack.com/services/T0/B0/XYZ"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            shown_url("http://user:pw@127.0.0.1:8080?token=1"),
            "http://127.0.0.1:8080/…"
        );
        assert_eq!(shown_url("http://example.org"), "http://example.org");
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let sink = WebhookSink::builder("http://127.0.0.1:9/x")
            .header_from_env("Authorization", "LOGSEC_TEST_TOKEN", "Bearer ")
            .secret_header("X-Key", Secret::new("key-value-123"))
            .build_with_env(&|_| Some("tok-abcdef-999".into()))
            .unwrap();
        let printed = format!("{sink:?}");
        assert!(printed.contains("Authorization"));
        assert!(!printed.contains("tok-abcdef-999"), "{printed}");
        assert!(!printed.contains("key-value-123"), "{printed}");
        let missing = WebhookSink::builder("http://127.0.0.1:9/x")
            .header_from_env("Authorization", "LOGSEC_UNSET", "")
            .build_with_env(&|_| None)
            .unwrap_err();
        assert!(missing.to_string().contains("LOGSEC_UNSET"), "{missing}");
    }
}
