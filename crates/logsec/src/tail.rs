//! Continuous scanning: [`Tailer`] follows files (across rotation), standard input and HTTP
//! POSTs, evaluates every event in arrival order with one [`Engine`] state (so correlations
//! stream), hands alerts to a [`Router`], and checkpoints file offsets.
//!
//! Delivery: a file's offset is checkpointed only after the alerts of the records before it
//! were handed to the router and the router reported them delivered (or, at shutdown, delivered
//! or spooled durably by [`Router::close`]). After a graceful stop nothing is lost or repeated;
//! after a crash the records since the last checkpoint are read again (duplicates bounded by
//! the checkpoint interval; alert ids are deterministic, so receivers can drop them). HTTP
//! requests are answered `200` only after their alerts were handed to the router.
//!
//! Correlations see events in arrival order; the engine releases an event to them once a later
//! event time was seen (its allowed lateness, 0 by default), so a correlation's alert follows
//! the next event after the one that completed it — or the stop.
//!
//! Correlation state is **not** checkpointed: windows open at a stop are flushed (their alerts
//! raised) at the stop, and a restart begins with empty windows.

use std::io::{BufRead, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use logsec_event::{Alert, Event, Severity, SourceFormat};
use logsec_parse::{ParseOptions, parse_reader};
use logsec_rules::{Engine, EngineState};
use logsec_sinks::Router;
use serde::Deserialize;

use crate::follow::{Checkpoint, CheckpointStore, FileFollower};
use crate::pipeline::PipelineError;

/// The tail configuration file (`logsec tail --config logsec.yaml`). See `docs/tail.md`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TailConfig {
    /// Files to follow.
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
    /// Address for the HTTP endpoint (e.g. `127.0.0.1:8088`).
    #[serde(default)]
    pub listen: Option<String>,
    /// Which rules run.
    #[serde(default)]
    pub rules: RulesConfig,
    /// Where the checkpoint lives.
    #[serde(default)]
    pub state_dir: Option<PathBuf>,
    /// How often offsets are checkpointed (default `5s`).
    #[serde(default)]
    pub checkpoint_interval: Option<String>,
    /// How often files are polled for new lines (default `250ms`).
    #[serde(default)]
    pub poll_interval: Option<String>,
    /// Routes and sinks: the `logsec-sinks` configuration (see `docs/sinks.md`).
    #[serde(default)]
    pub alerts: Option<logsec_sinks::SinksConfig>,
}

/// One followed file in [`TailConfig::sources`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// The path (followed across rotation).
    pub path: PathBuf,
    /// Its format (detected from the first lines when absent).
    #[serde(default)]
    pub format: Option<String>,
}

/// `rules:` in [`TailConfig`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// Load the bundled pack (default true).
    #[serde(default = "yes")]
    pub default_rules: bool,
    /// Rule files or directories, in order.
    #[serde(default)]
    pub paths: Vec<PathBuf>,
    /// A placeholder file for `|expand`.
    #[serde(default)]
    pub placeholders: Option<PathBuf>,
    /// Alerts below this severity are dropped.
    #[serde(default)]
    pub min_severity: Option<String>,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig {
            default_rules: true,
            paths: Vec::new(),
            placeholders: None,
            min_severity: None,
        }
    }
}

fn yes() -> bool {
    true
}

impl TailConfig {
    /// Reads the YAML configuration.
    pub fn from_yaml(text: &str) -> Result<TailConfig, TailError> {
        serde_saphyr::from_str(text).map_err(|e| TailError::Config(e.to_string()))
    }

    /// The checkpoint interval (default 5 s).
    pub fn checkpoint_every(&self) -> Result<Duration, TailError> {
        duration(self.checkpoint_interval.as_deref(), Duration::from_secs(5))
    }

    /// The poll interval (default 250 ms).
    pub fn poll_every(&self) -> Result<Duration, TailError> {
        duration(self.poll_interval.as_deref(), Duration::from_millis(250))
    }
}

fn duration(text: Option<&str>, default: Duration) -> Result<Duration, TailError> {
    match text {
        None => Ok(default),
        Some(text) => logsec_sinks::parse_duration(text)
            .ok_or_else(|| TailError::Config(format!("not a duration: {text:?}"))),
    }
}

/// Errors of a tail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TailError {
    /// The configuration is invalid.
    #[error("configuration: {0}")]
    Config(String),
    /// The checkpoint could not be read or written.
    #[error("checkpoint: {0}")]
    Checkpoint(std::io::Error),
    /// The HTTP endpoint could not be opened.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address.
        address: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A followed file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Rules or inputs could not be loaded.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
}

/// One followed file given to [`Tailer::follow`].
#[derive(Debug)]
struct Followed {
    key: String,
    follower: FileFollower,
    format: Option<SourceFormat>,
}

/// A batch of records that arrived by stdin or HTTP.
struct Batch {
    data: Vec<u8>,
    name: String,
    format: Option<SourceFormat>,
    /// Answered with (events, rejects) once the alerts were handed to the router.
    reply: Option<SyncSender<(u64, usize)>>,
    /// The end of standard input.
    eof: bool,
}

/// Warnings of a running [`Tailer`]; see [`Tailer::warnings`].
#[derive(Debug, Clone)]
pub struct TailWarnings(Arc<Mutex<Vec<String>>>);

impl TailWarnings {
    /// The warnings since the last call.
    pub fn drain(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.0))
    }
}

/// What a tail did (returned by [`Tailer::run`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TailReport {
    /// Events evaluated.
    pub events: u64,
    /// Rejected records.
    pub rejects: u64,
    /// Alerts handed to the router.
    pub alerts: u64,
    /// Checkpoints written.
    pub checkpoints: u64,
}

/// Continuous scanning over files, stdin and HTTP; see the module documentation.
#[derive(Debug)]
pub struct Tailer {
    engine: Engine,
    state: EngineState,
    router: Option<Router>,
    parse: ParseOptions,
    min_severity: Severity,
    files: Vec<Followed>,
    stdin: bool,
    listen: Option<TcpListener>,
    store: Option<CheckpointStore>,
    checkpoint: Checkpoint,
    checkpoint_every: Duration,
    poll_every: Duration,
    report: TailReport,
    warnings: Arc<Mutex<Vec<String>>>,
}

impl Tailer {
    /// A tailer evaluating `engine` and routing alerts to `router`.
    pub fn new(engine: Engine, router: Router) -> Tailer {
        let state = engine.new_state();
        Tailer {
            engine,
            state,
            router: Some(router),
            parse: ParseOptions::default(),
            min_severity: Severity::Unknown,
            files: Vec::new(),
            stdin: false,
            listen: None,
            store: None,
            checkpoint: Checkpoint {
                version: 1,
                ..Checkpoint::default()
            },
            checkpoint_every: Duration::from_secs(5),
            poll_every: Duration::from_millis(250),
            report: TailReport::default(),
            warnings: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Parse options (limits, syslog year, …); a forced format applies to every source
    /// without its own.
    pub fn parse_options(mut self, options: ParseOptions) -> Self {
        self.parse = options;
        self
    }

    /// Alerts below this severity are dropped.
    pub fn min_severity(mut self, severity: Severity) -> Self {
        self.min_severity = severity;
        self
    }

    /// Keeps the checkpoint in `state_dir` and resumes from it.
    pub fn state_dir(mut self, state_dir: &Path) -> Result<Self, TailError> {
        let store = CheckpointStore::in_dir(state_dir).map_err(TailError::Checkpoint)?;
        self.checkpoint = store.load().map_err(TailError::Checkpoint)?;
        self.checkpoint.version = 1;
        self.store = Some(store);
        Ok(self)
    }

    /// How often offsets are checkpointed.
    pub fn checkpoint_every(mut self, every: Duration) -> Self {
        self.checkpoint_every = every;
        self
    }

    /// How often files are polled.
    pub fn poll_every(mut self, every: Duration) -> Self {
        self.poll_every = every.max(Duration::from_millis(1));
        self
    }

    /// Follows a file (from its checkpointed position when there is one). Call after
    /// [`Tailer::state_dir`].
    pub fn follow(mut self, path: &Path, format: Option<SourceFormat>) -> Self {
        let key = path.display().to_string();
        let resume = self.checkpoint.files.get(&key).copied();
        self.files.push(Followed {
            key,
            follower: FileFollower::new(path, resume),
            format: format.or(self.parse.format),
        });
        self
    }

    /// Also reads standard input (until its end; not checkpointed).
    pub fn stdin(mut self) -> Self {
        self.stdin = true;
        self
    }

    /// Also accepts HTTP POSTs on `address` (see [`Tailer::run`]); returns the bound address
    /// (useful with port 0).
    pub fn listen(&mut self, address: &str) -> Result<std::net::SocketAddr, TailError> {
        let listener = TcpListener::bind(address).map_err(|source| TailError::Listen {
            address: address.to_owned(),
            source,
        })?;
        let local = listener.local_addr().map_err(|source| TailError::Listen {
            address: address.to_owned(),
            source,
        })?;
        self.listen = Some(listener);
        Ok(local)
    }

    /// A handle on the warnings (unreadable records, unknown formats, bad requests, routing
    /// errors) that another thread can drain while the tail runs.
    pub fn warnings(&self) -> TailWarnings {
        TailWarnings(Arc::clone(&self.warnings))
    }

    /// Runs until `stop` is set (e.g. by a SIGTERM handler), or — when standard input is the
    /// only source — until its end. Then flushes correlation windows, closes the router
    /// (delivering or spooling every alert) and writes the final checkpoint.
    ///
    /// The HTTP endpoint takes `POST` requests on any path: a Kubernetes audit webhook batch
    /// (`EventList` JSON, as the API server's webhook backend sends it), or JSON lines / text
    /// lines (Vector's and Fluent Bit's HTTP outputs), the format detected or given as
    /// `?format=NAME`. It answers `200` with `{"events":N,"rejects":N}` once the alerts were
    /// handed to the router, `400` for an unknown format, `405` for another method.
    pub fn run(mut self, stop: &AtomicBool) -> Result<TailReport, TailError> {
        let (sender, receiver) = channel::<Batch>();
        let only_stdin = self.stdin && self.files.is_empty() && self.listen.is_none();
        if self.stdin {
            let sender = sender.clone();
            let format = self.parse.format;
            std::thread::spawn(move || read_stdin(&sender, format));
        }
        if let Some(listener) = self.listen.take() {
            let sender = sender.clone();
            let warnings = Arc::clone(&self.warnings);
            std::thread::spawn(move || serve(&listener, &sender, &warnings));
        }
        drop(sender);
        let mut last_checkpoint = Instant::now();
        let mut dirty = false;
        'outer: while !stop.load(Ordering::SeqCst) {
            let mut busy = false;
            for index in 0..self.files.len() {
                busy |= self.poll_file(index)?;
                dirty |= busy;
            }
            let wait = if busy {
                Duration::ZERO
            } else {
                self.poll_every
            };
            match receiver.recv_timeout(wait) {
                Ok(batch) => {
                    if batch.eof && only_stdin {
                        break 'outer;
                    }
                    self.process_batch(batch);
                    while let Ok(batch) = receiver.try_recv() {
                        if batch.eof && only_stdin {
                            break 'outer;
                        }
                        self.process_batch(batch);
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    if only_stdin {
                        break;
                    }
                    if !busy {
                        std::thread::sleep(self.poll_every);
                    }
                }
            }
            if dirty && last_checkpoint.elapsed() >= self.checkpoint_every {
                let delivered = self
                    .router
                    .as_ref()
                    .is_some_and(|r| r.flush(self.checkpoint_every));
                if delivered {
                    self.save_checkpoint()?;
                    dirty = false;
                }
                last_checkpoint = Instant::now();
            }
        }
        // Stop: take what is already in the files and queued requests, flush the windows.
        for index in 0..self.files.len() {
            while self.poll_file(index)? {}
        }
        while let Ok(batch) = receiver.try_recv() {
            if !batch.eof {
                self.process_batch(batch);
            }
        }
        let mut alerts = Vec::new();
        self.engine.finish(&mut self.state, &mut alerts);
        self.route(alerts);
        if let Some(router) = self.router.take() {
            router.close();
        }
        self.save_checkpoint()?;
        Ok(self.report.clone())
    }

    fn save_checkpoint(&mut self) -> Result<(), TailError> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        for followed in &self.files {
            self.checkpoint
                .files
                .insert(followed.key.clone(), followed.follower.position());
        }
        store
            .save(&self.checkpoint)
            .map_err(TailError::Checkpoint)?;
        self.report.checkpoints += 1;
        Ok(())
    }

    /// Reads and evaluates new lines of one file; returns whether there were any.
    fn poll_file(&mut self, index: usize) -> Result<bool, TailError> {
        let Some(followed) = self.files.get_mut(index) else {
            return Ok(false);
        };
        let chunk = followed.follower.poll().map_err(|source| TailError::Read {
            path: followed.follower.path().to_owned(),
            source,
        })?;
        let Some(chunk) = chunk else {
            return Ok(false);
        };
        let name = followed.key.clone();
        if followed.format.is_none() {
            match logsec_parse::detect(Some(&name), &chunk.data) {
                Ok(format) => followed.format = Some(format),
                Err(err) => {
                    lock(&self.warnings).push(format!("{name}: {err}"));
                    return Ok(true);
                }
            }
        }
        let format = followed.format;
        self.evaluate(&chunk.data, &name, format);
        Ok(true)
    }

    fn process_batch(&mut self, batch: Batch) {
        if batch.eof {
            return;
        }
        let counts = self.evaluate(&batch.data, &batch.name, batch.format);
        if let Some(reply) = batch.reply {
            let _ = reply.send(counts);
        }
    }

    /// Parses `data`, evaluates each event in order and routes the alerts; returns (events,
    /// rejects).
    fn evaluate(&mut self, data: &[u8], name: &str, format: Option<SourceFormat>) -> (u64, usize) {
        let mut options = self.parse.clone();
        options.format = format.or(options.format);
        options.file_name = Some(name.to_owned());
        let mut alerts = Vec::new();
        let engine = &self.engine;
        let state = &mut self.state;
        let result = parse_reader(data, &options, &mut |event: &Event<'_>| {
            let before = alerts.len();
            engine.process(event, state, &mut alerts);
            crate::pipeline::stamp_source(alerts.get_mut(before..).unwrap_or_default(), event);
        });
        let counts = match result {
            Ok(summary) => {
                for reject in summary.rejects.iter().take(5) {
                    lock(&self.warnings).push(format!("reject: {reject}"));
                }
                (summary.events, summary.rejects.len())
            }
            Err(err) => {
                lock(&self.warnings).push(format!("{name}: {err}"));
                (0, 1)
            }
        };
        self.report.events += counts.0;
        self.report.rejects += counts.1 as u64;
        self.route(alerts);
        counts
    }

    fn route(&mut self, alerts: Vec<Alert>) {
        let Some(router) = &self.router else { return };
        for alert in alerts {
            if !alert.severity().at_least(self.min_severity) {
                continue;
            }
            self.report.alerts += 1;
            if let Err(err) = router.send(alert) {
                lock(&self.warnings).push(format!("routing: {err}"));
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// Reads standard input in batches of whole lines.
fn read_stdin(sender: &Sender<Batch>, format: Option<SourceFormat>) {
    let mut reader = std::io::BufReader::with_capacity(1 << 20, std::io::stdin());
    let mut detected = format;
    loop {
        let mut data = Vec::new();
        // One line (blocking), then whatever else is already buffered.
        match reader.read_until(b'\n', &mut data) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        while !reader.buffer().is_empty() && data.len() < crate::follow::MAX_CHUNK_BYTES {
            if reader.read_until(b'\n', &mut data).unwrap_or(0) == 0 {
                break;
            }
        }
        if detected.is_none() {
            detected = logsec_parse::detect(Some("-"), &data).ok();
        }
        let batch = Batch {
            data,
            name: "-".to_owned(),
            format: detected,
            reply: None,
            eof: false,
        };
        if sender.send(batch).is_err() {
            return;
        }
    }
    let _ = sender.send(Batch {
        data: Vec::new(),
        name: "-".to_owned(),
        format: None,
        reply: None,
        eof: true,
    });
}

/// The largest request body accepted (64 MiB).
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// Serves HTTP/1.1 requests one connection at a time (the API server and log shippers send
/// batches sequentially; a slow client is cut off by the read timeout).
fn serve(listener: &TcpListener, sender: &Sender<Batch>, warnings: &Mutex<Vec<String>>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
        if let Err(err) = handle_connection(stream, sender) {
            lock(warnings).push(format!("http: {err}"));
        }
    }
}

/// A parsed HTTP request.
#[derive(Debug)]
struct Request {
    method: String,
    target: String,
    keep_alive: bool,
    body: Vec<u8>,
}

fn handle_connection(stream: TcpStream, sender: &Sender<Batch>) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = std::io::BufReader::new(stream);
    loop {
        let request = match read_request(&mut reader) {
            Ok(Some(request)) => request,
            Ok(None) => return Ok(()),
            Err(err) => {
                respond(
                    &mut writer,
                    400,
                    &format!("{{\"error\":{:?}}}", err.to_string()),
                )?;
                return Ok(());
            }
        };
        let (status, body) = answer(&request, sender);
        respond(&mut writer, status, &body)?;
        if !request.keep_alive {
            return Ok(());
        }
    }
}

fn answer(request: &Request, sender: &Sender<Batch>) -> (u16, String) {
    if request.method != "POST" {
        return (405, r#"{"error":"POST a batch of records"}"#.to_owned());
    }
    let query = request.target.split_once('?').map_or("", |(_, q)| q);
    let format = match query
        .split('&')
        .find_map(|pair| pair.strip_prefix("format="))
    {
        Some(name) => match name.parse::<SourceFormat>() {
            Ok(format) => Some(format),
            Err(_) => return (400, format!("{{\"error\":\"unknown format {name:?}\"}}")),
        },
        None => match logsec_parse::detect(None, &request.body) {
            Ok(format) => Some(format),
            Err(err) => return (400, format!("{{\"error\":{:?}}}", err.to_string())),
        },
    };
    let (reply, answer) = sync_channel(1);
    let batch = Batch {
        data: request.body.clone(),
        name: format!("http:{}", request.target),
        format,
        reply: Some(reply),
        eof: false,
    };
    if sender.send(batch).is_err() {
        return (503, r#"{"error":"shutting down"}"#.to_owned());
    }
    match wait(&answer) {
        Some((events, rejects)) => (
            200,
            format!("{{\"events\":{events},\"rejects\":{rejects}}}"),
        ),
        None => (503, r#"{"error":"shutting down"}"#.to_owned()),
    }
}

fn wait(answer: &Receiver<(u64, usize)>) -> Option<(u64, usize)> {
    answer.recv_timeout(Duration::from_secs(60)).ok()
}

fn respond(writer: &mut TcpStream, status: u16, body: &str) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Payload Too Large",
        _ => "Service Unavailable",
    };
    write!(
        writer,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    writer.flush()
}

fn invalid(message: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message.to_owned())
}

/// Reads one request (`None` at a clean end of the connection). Bodies come with
/// `Content-Length` or `Transfer-Encoding: chunked`; `Content-Encoding: gzip` is left to the
/// parsers, which read gzip transparently.
fn read_request(reader: &mut impl BufRead) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts
        .next()
        .ok_or_else(|| invalid("empty request line"))?
        .to_owned();
    let target = parts
        .next()
        .ok_or_else(|| invalid("no request target"))?
        .to_owned();
    let version = parts.next().unwrap_or("HTTP/1.0").to_owned();
    let mut length: Option<usize> = None;
    let mut chunked = false;
    let mut keep_alive = version == "HTTP/1.1";
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            return Err(invalid("headers cut short"));
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            return Err(invalid("malformed header"));
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => {
                length = Some(value.parse().map_err(|_| invalid("bad Content-Length"))?);
            }
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            "connection" => {
                if value.eq_ignore_ascii_case("close") {
                    keep_alive = false;
                } else if value.eq_ignore_ascii_case("keep-alive") {
                    keep_alive = true;
                }
            }
            _ => {}
        }
    }
    let body = if chunked {
        read_chunked(reader)?
    } else {
        let length = length.unwrap_or(0);
        if length > MAX_BODY_BYTES {
            return Err(invalid("body too large"));
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        body
    };
    Ok(Some(Request {
        method,
        target,
        keep_alive,
        body,
    }))
}

fn read_chunked(reader: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size)?;
        let size = size.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size, 16).map_err(|_| invalid("bad chunk size"))?;
        if body.len() + size > MAX_BODY_BYTES {
            return Err(invalid("body too large"));
        }
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                let mut trailer = String::new();
                if reader.read_line(&mut trailer)? == 0 || trailer.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(body.get_mut(start..).unwrap_or_default())?;
        let mut crlf = [0; 2];
        reader.read_exact(&mut crlf)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_content_length_and_chunked_requests() {
        let raw = b"POST /a?format=k8s_audit HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
        let request = read_request(&mut &raw[..]).unwrap().unwrap();
        assert_eq!(request.method, "POST");
        assert_eq!(request.target, "/a?format=k8s_audit");
        assert_eq!(request.body, b"abc");
        assert!(request.keep_alive);
        let raw = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        let request = read_request(&mut &raw[..]).unwrap().unwrap();
        assert_eq!(request.body, b"abcde");
        assert!(!request.keep_alive);
        assert!(read_request(&mut &b""[..]).unwrap().is_none());
        assert!(read_request(&mut &b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n"[..]).is_err());
    }

    #[test]
    fn config_parses_sources_rules_and_sinks() {
        let config = TailConfig::from_yaml(
            "sources:\n  - path: /var/log/audit.log\n    format: k8s_audit\nlisten: 127.0.0.1:0\nrules:\n  default_rules: false\n  min_severity: high\nstate_dir: /tmp/x\ncheckpoint_interval: 2s\nalerts:\n  sinks:\n    - name: out\n      type: stdout\n",
        )
        .unwrap();
        assert_eq!(config.sources.len(), 1);
        assert_eq!(config.sources[0].format.as_deref(), Some("k8s_audit"));
        assert!(!config.rules.default_rules);
        assert_eq!(config.checkpoint_every().unwrap(), Duration::from_secs(2));
        assert_eq!(config.poll_every().unwrap(), Duration::from_millis(250));
        assert_eq!(config.alerts.unwrap().sinks.len(), 1);
        assert!(TailConfig::from_yaml("bogus: 1\n").is_err());
    }
}
