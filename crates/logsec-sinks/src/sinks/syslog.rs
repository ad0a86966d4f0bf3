//! The syslog sink: RFC 5424 messages over UDP (RFC 5426), TCP with octet counting
//! (RFC 6587) or a unix datagram socket.

use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::Duration;

use logsec_event::{Alert, FalcoPriority};

use crate::encoding::{Encoder, Encoding};
use crate::error::SinkError;
use crate::sink::{Batching, Sink};

/// How syslog messages travel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyslogTransport {
    /// One datagram per message to `host:port`.
    Udp(String),
    /// A TCP stream to `host:port`, each message framed as `<length> <message>`.
    Tcp(String),
    /// A unix datagram socket (such as `/dev/log`).
    Unix(PathBuf),
}

/// The syslog facility `local0`, the default.
pub const FACILITY_LOCAL0: u8 = 16;

/// The IANA private enterprise number reserved for documentation (RFC 5612), used as the
/// structured-data id `logsec@32473`.
const SD_ID: &str = "logsec@32473";

/// Builds a [`SyslogSink`].
#[derive(Debug, Clone)]
pub struct SyslogSinkBuilder {
    transport: SyslogTransport,
    encoder: Encoder,
    facility: u8,
    hostname: String,
    app_name: String,
    max_datagram_bytes: usize,
    timeout: Duration,
}

impl SyslogSinkBuilder {
    /// Sets the encoding of the message part (default: the Falco-like text line).
    pub fn encoder(mut self, encoder: Encoder) -> Self {
        self.encoder = encoder;
        self
    }

    /// Sets the facility (0–23; default [`FACILITY_LOCAL0`]).
    pub fn facility(mut self, facility: u8) -> Self {
        self.facility = facility.min(23);
        self
    }

    /// Sets the HOSTNAME field (default `-`, the RFC 5424 nil value).
    pub fn hostname(mut self, hostname: impl Into<String>) -> Self {
        self.hostname = hostname.into();
        self
    }

    /// Sets the APP-NAME field (default `logsec`).
    pub fn app_name(mut self, app_name: impl Into<String>) -> Self {
        self.app_name = app_name.into();
        self
    }

    /// Truncates datagram messages to this many bytes (default 65 000; RFC 5426 asks
    /// receivers to take at least 2 048).
    pub fn max_datagram_bytes(mut self, bytes: usize) -> Self {
        self.max_datagram_bytes = bytes.max(480);
        self
    }

    /// Sets the connect and write timeout (default 5 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the sink; connections are opened on first use.
    pub fn build(self) -> SyslogSink {
        SyslogSink {
            config: self,
            udp: None,
            tcp: None,
            unix: None,
        }
    }
}

/// Sends each alert as an RFC 5424 message:
/// `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID alert [logsec@32473 uid="…" rule="…"] BOM MSG`.
/// PRI is the facility times 8 plus the syslog severity of the alert's Falco priority
/// (Emergency 0 … Debug 7).
#[derive(Debug)]
pub struct SyslogSink {
    config: SyslogSinkBuilder,
    udp: Option<UdpSocket>,
    tcp: Option<TcpStream>,
    unix: Option<UnixDatagram>,
}

impl SyslogSink {
    /// Starts a builder for `transport`.
    pub fn builder(transport: SyslogTransport) -> SyslogSinkBuilder {
        SyslogSinkBuilder {
            transport,
            encoder: Encoder::new(Encoding::Text, ""),
            facility: FACILITY_LOCAL0,
            hostname: String::new(),
            app_name: "logsec".into(),
            max_datagram_bytes: 65_000,
            timeout: Duration::from_secs(5),
        }
    }

    /// The RFC 5424 message of one alert.
    pub fn format(&self, alert: &Alert) -> String {
        let severity = match alert.severity().to_falco() {
            FalcoPriority::Emergency => 0,
            FalcoPriority::Alert => 1,
            FalcoPriority::Critical => 2,
            FalcoPriority::Error => 3,
            FalcoPriority::Warning => 4,
            FalcoPriority::Notice => 5,
            FalcoPriority::Informational => 6,
            FalcoPriority::Debug => 7,
        };
        let pri = u16::from(self.config.facility) * 8 + severity;
        let time = chrono::DateTime::from_timestamp_millis(alert.time)
            .unwrap_or_default()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ");
        format!(
            "<{pri}>1 {time} {} {} {} alert [{SD_ID} uid=\"{}\" rule=\"{}\" severity=\"{}\"] \u{feff}{}",
            header_field(&self.config.hostname, 255),
            header_field(&self.config.app_name, 48),
            std::process::id(),
            sd_escape(alert.uid()),
            sd_escape(&alert.rule().id),
            alert.severity().name(),
            self.config.encoder.line(alert),
        )
    }

    fn endpoint(&self) -> String {
        match &self.config.transport {
            SyslogTransport::Udp(address) | SyslogTransport::Tcp(address) => address.clone(),
            SyslogTransport::Unix(path) => path.display().to_string(),
        }
    }

    fn error(&self, reason: impl std::fmt::Display) -> SinkError {
        SinkError::Network {
            endpoint: self.endpoint(),
            reason: reason.to_string(),
        }
    }

    fn connect_tcp(&self, address: &str) -> Result<TcpStream, SinkError> {
        let mut last = None;
        for socket in address.to_socket_addrs().map_err(|e| self.error(e))? {
            match TcpStream::connect_timeout(&socket, self.config.timeout) {
                Ok(stream) => {
                    stream
                        .set_write_timeout(Some(self.config.timeout))
                        .map_err(|e| self.error(e))?;
                    let _ = stream.set_nodelay(true);
                    return Ok(stream);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(self.error(last.map_or_else(|| "no address".to_owned(), |e| e.to_string())))
    }

    fn truncate(&self, message: &str) -> usize {
        let mut end = message.len().min(self.config.max_datagram_bytes);
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        end
    }
}

/// A header field: printable US-ASCII without spaces, at most `max` bytes, `-` when empty.
fn header_field(text: &str, max: usize) -> String {
    let cleaned: String = text
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(max)
        .collect();
    if cleaned.is_empty() {
        "-".to_owned()
    } else {
        cleaned
    }
}

/// Escapes `"`, `\` and `]` in a structured-data parameter value.
fn sd_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Sink for SyslogSink {
    fn kind(&self) -> &'static str {
        "syslog"
    }

    fn send(&mut self, alerts: &[Alert]) -> Result<(), SinkError> {
        match self.config.transport.clone() {
            SyslogTransport::Udp(address) => {
                if self.udp.is_none() {
                    let target = address
                        .to_socket_addrs()
                        .map_err(|e| self.error(e))?
                        .next()
                        .ok_or_else(|| self.error("no address"))?;
                    let bind = if target.is_ipv4() {
                        "0.0.0.0:0"
                    } else {
                        "[::]:0"
                    };
                    let socket = UdpSocket::bind(bind).map_err(|e| self.error(e))?;
                    socket.connect(target).map_err(|e| self.error(e))?;
                    self.udp = Some(socket);
                }
                for alert in alerts {
                    let message = self.format(alert);
                    let end = self.truncate(&message);
                    let sent = self.udp.as_ref().map(|socket| {
                        socket.send(message.as_bytes().get(..end).unwrap_or_default())
                    });
                    if let Some(Err(e)) = sent {
                        self.udp = None;
                        return Err(self.error(e));
                    }
                }
                Ok(())
            }
            SyslogTransport::Tcp(address) => {
                let mut buffer = Vec::new();
                for alert in alerts {
                    let message = self.format(alert);
                    buffer.extend_from_slice(format!("{} ", message.len()).as_bytes());
                    buffer.extend_from_slice(message.as_bytes());
                }
                if self.tcp.is_none() {
                    self.tcp = Some(self.connect_tcp(&address)?);
                }
                let written = self
                    .tcp
                    .as_mut()
                    .map(|stream| stream.write_all(&buffer).and_then(|()| stream.flush()));
                match written {
                    Some(Ok(())) => Ok(()),
                    Some(Err(e)) => {
                        self.tcp = None;
                        Err(self.error(e))
                    }
                    None => Err(self.error("not connected")),
                }
            }
            SyslogTransport::Unix(path) => {
                if self.unix.is_none() {
                    let socket = UnixDatagram::unbound().map_err(|e| self.error(e))?;
                    socket.connect(&path).map_err(|e| self.error(e))?;
                    socket
                        .set_write_timeout(Some(self.config.timeout))
                        .map_err(|e| self.error(e))?;
                    self.unix = Some(socket);
                }
                for alert in alerts {
                    let message = self.format(alert);
                    let end = self.truncate(&message);
                    let sent = self.unix.as_ref().map(|socket| {
                        socket.send(message.as_bytes().get(..end).unwrap_or_default())
                    });
                    if let Some(Err(e)) = sent {
                        self.unix = None;
                        return Err(self.error(e));
                    }
                }
                Ok(())
            }
        }
    }

    fn batching(&self) -> Batching {
        Batching {
            max_alerts: 64,
            max_wait: Duration::ZERO,
        }
    }

    /// TCP: connects (keeping the connection); UDP: resolves the address; unix: connects to
    /// the socket.
    fn check(&mut self) -> Result<(), SinkError> {
        match self.config.transport.clone() {
            SyslogTransport::Tcp(address) => {
                if self.tcp.is_none() {
                    self.tcp = Some(self.connect_tcp(&address)?);
                }
            }
            SyslogTransport::Udp(address) => {
                address
                    .to_socket_addrs()
                    .map_err(|e| self.error(e))?
                    .next()
                    .ok_or_else(|| self.error("no address"))?;
            }
            SyslogTransport::Unix(path) => {
                let socket = UnixDatagram::unbound().map_err(|e| self.error(e))?;
                socket.connect(&path).map_err(|e| self.error(e))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logsec_event::{AlertBuilder, RuleRef, Severity};

    #[test]
    fn message_follows_rfc5424() {
        let sink = SyslogSink::builder(SyslogTransport::Udp("127.0.0.1:514".into()))
            .hostname("host 1")
            .build();
        let mut alert = AlertBuilder::new(
            RuleRef {
                id: "r\"1]".into(),
                title: "T".into(),
                ..RuleRef::default()
            },
            Severity::High,
        )
        .message("hello")
        .build();
        alert.time = 1_700_000_000_123;
        let message = sink.format(&alert);
        let expected_head = "<131>1 2023-11-14T22:13:20.123Z host1 logsec ";
        assert!(message.starts_with(expected_head), "{message}");
        assert!(message.contains(" alert [logsec@32473 uid=\""), "{message}");
        assert!(
            message.contains(
                "rule=\"r\\\"1\\]\" severity=\"High\"] \u{feff}22:13:20.123000000: Error hello"
            ),
            "{message}"
        );
    }
}
