//! Shared helpers for the sink integration tests: alerts, temporary directories and a tiny
//! HTTP/1.1 server on loopback built on `std::net`.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use logsec_event::{Alert, AlertBuilder, RuleRef, Severity};

/// Alert number `n` of a test run: rule `rule-n`, time n seconds after a fixed instant.
pub fn alert(n: u32) -> Alert {
    AlertBuilder::new(
        RuleRef {
            id: format!("rule-{n}"),
            title: format!("Test rule {n}"),
            tags: vec!["attack.t1078".into()],
            ..RuleRef::default()
        },
        Severity::High,
    )
    .message(format!("alert number {n}"))
    .related_id(
        format!("event-{n}"),
        1_700_000_000_000 + i64::from(n) * 1000,
    )
    .build()
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("logsec-sinks-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The alert ids in a request body (one OCSF object or an array of them).
pub fn uids_in_body(body: &[u8]) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_slice(body).expect("JSON body");
    let items = match value {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    };
    items
        .iter()
        .map(|item| item["finding_info"]["uid"].as_str().unwrap().to_owned())
        .collect()
}

/// Keeps the first occurrence of each id, in order.
pub fn first_occurrences(ids: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    ids.iter()
        .filter(|id| seen.insert((*id).clone()))
        .cloned()
        .collect()
}

/// What the server does with request number `n` (counting from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// 200, and the body is recorded as accepted.
    Accept,
    /// This status, with an optional `Retry-After` in seconds; nothing recorded.
    Fail(u16, Option<u64>),
    /// Reads the request, waits this long, closes without answering.
    Hang(Duration),
}

/// One accepted request.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A tiny HTTP/1.1 server: one thread per connection, keep-alive, `Content-Length` bodies.
pub struct HttpServer {
    pub port: u16,
    pub accepted: Arc<Mutex<Vec<Received>>>,
    pub requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HttpServer {
    pub fn start(port: u16, reply: fn(usize) -> Reply) -> HttpServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let accepted = Arc::clone(&accepted);
            let requests = Arc::clone(&requests);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let accepted = Arc::clone(&accepted);
                    let requests = Arc::clone(&requests);
                    std::thread::spawn(move || serve(stream, reply, &accepted, &requests));
                }
            })
        };
        HttpServer {
            port,
            accepted,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/alerts", self.port)
    }

    pub fn accepted_uids(&self) -> Vec<String> {
        self.accepted
            .lock()
            .unwrap()
            .iter()
            .flat_map(|request| uids_in_body(&request.body))
            .collect()
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    stream: TcpStream,
    reply: fn(usize) -> Reply,
    accepted: &Mutex<Vec<Received>>,
    requests: &AtomicUsize,
) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(name, _)| name == "content-length")
            .map_or(0, |(_, value)| value.parse().unwrap());
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let n = requests.fetch_add(1, Ordering::SeqCst);
        match reply(n) {
            Reply::Accept => {
                accepted.lock().unwrap().push(Received { headers, body });
                let _ = writer.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
            Reply::Fail(status, retry_after) => {
                let retry = retry_after
                    .map(|s| format!("Retry-After: {s}\r\n"))
                    .unwrap_or_default();
                let _ = writer.write_all(
                    format!("HTTP/1.1 {status} Nope\r\n{retry}Content-Length: 4\r\n\r\nnope")
                        .as_bytes(),
                );
            }
            Reply::Hang(duration) => {
                std::thread::sleep(duration);
                return;
            }
        }
    }
}

/// A loopback port with nothing listening on it.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
