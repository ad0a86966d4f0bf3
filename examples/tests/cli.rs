//! Integration tests: the built `logsec` binary, every subcommand, output format and exit code,
//! broken inputs, stdin, and `tail` (rotation, signals, restart from a checkpoint, the HTTP
//! endpoint). Every wait is bounded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_logsec");

/// The attack records of the fixture: three secrets listings by one service account in three
/// namespaces (a00–a02, the third completes a correlation) and an exec (a10).
const A00: &str = "7d3e9b20-5a1c-4e8f-9b6d-2c4a8e0f1a00";
const A01: &str = "7d3e9b20-5a1c-4e8f-9b6d-2c4a8e0f1a01";
const A02: &str = "7d3e9b20-5a1c-4e8f-9b6d-2c4a8e0f1a02";
const A10: &str = "7d3e9b20-5a1c-4e8f-9b6d-2c4a8e0f1a10";
const SECRETS_READ: &str = "Kubernetes Secrets Read by a Workload Service Account";
const ACROSS_NAMESPACES: &str = "Kubernetes Secrets Read Across Many Namespaces by One User";
const EXEC: &str = "Kubernetes Exec or Attach Into a Pod";

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    manifest().join("tests/fixtures").join(name)
}

fn fixture_lines() -> Vec<String> {
    std::fs::read_to_string(fixture("k8s_audit.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn line_with(id: &str) -> String {
    fixture_lines()
        .into_iter()
        .find(|l| l.contains(id))
        .unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str]) -> Output {
    run_with_stdin(args, None)
}

fn run_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(data) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let data = data.to_vec();
        std::thread::spawn(move || pipe.write_all(&data));
    }
    // Output is collected while the child runs (a full pipe would block it).
    let pid = child.id();
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || send.send(child.wait_with_output()));
    match receive.recv_timeout(Duration::from_secs(120)) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("logsec {args:?} did not finish in 120 s");
        }
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

/// (rule title, related event uids) of each JSON alert line.
fn alerts(text: &str) -> Vec<(String, Vec<String>)> {
    text.lines()
        .map(|line| {
            let alert: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON alert line: {e}: {line}"));
            let title = alert["finding_info"]["title"].as_str().unwrap().to_owned();
            let uids = alert["finding_info"]["related_events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["uid"].as_str().unwrap().to_owned())
                .collect();
            (title, uids)
        })
        .collect()
}

fn fixture_alerts() -> Vec<(String, Vec<String>)> {
    vec![
        (SECRETS_READ.into(), vec![A00.into()]),
        (SECRETS_READ.into(), vec![A01.into()]),
        (SECRETS_READ.into(), vec![A02.into()]),
        (
            ACROSS_NAMESPACES.into(),
            vec![A00.into(), A01.into(), A02.into()],
        ),
        (EXEC.into(), vec![A10.into()]),
    ]
}

fn sorted(mut v: Vec<(String, Vec<String>)>) -> Vec<(String, Vec<String>)> {
    v.sort();
    v
}

#[test]
fn scan_without_arguments_scans_the_bundled_demo() {
    let output = run(&["scan", "--output", "jsonl"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let alerts = alerts(&stdout(&output));
    // The SSRF of the demo story (Istio x-request-id).
    assert!(alerts.iter().any(|(title, ids)| {
        title == "SSRF Attempt Against a Cloud Metadata Endpoint"
            && ids == &["9a7d2c44-18e3-4f6b-8e0a-5c3b1d9f2e70"]
    }));
    assert!(stderr(&output).contains("bundled demo incident"));
    assert!(stderr(&output).contains("6 files"));
}

#[test]
fn scan_jsonl_stdout_holds_only_alert_lines_with_original_ids() {
    let path = fixture("k8s_audit.jsonl");
    let output = run(&["scan", path.to_str().unwrap(), "--output", "jsonl"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(sorted(alerts(&stdout(&output))), sorted(fixture_alerts()));
    // The summary goes to stderr.
    assert!(
        stderr(&output).contains("9 events (k8s_audit 9)"),
        "{}",
        stderr(&output)
    );
    // No progress bar when stderr is not a terminal.
    assert!(!stderr(&output).contains("B/s"), "{}", stderr(&output));
}

#[test]
fn scan_reads_stdin() {
    let data = std::fs::read(fixture("k8s_audit.jsonl")).unwrap();
    let output = run_with_stdin(&["scan", "-", "--output", "jsonl"], Some(&data));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(sorted(alerts(&stdout(&output))), sorted(fixture_alerts()));
}

#[test]
fn scan_text_json_and_html_outputs() {
    let path = fixture("k8s_audit.jsonl");
    let path = path.to_str().unwrap();
    let text = run(&["scan", path, "--output", "text"]);
    assert_eq!(code(&text), 0);
    let text = stdout(&text);
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.lines().all(|l| !l.starts_with('{')), "{text}");
    assert!(text.contains("Kubernetes Exec or Attach Into a Pod") || text.contains("exec"));

    let json = run(&["scan", path, "--output", "json"]);
    assert_eq!(code(&json), 0);
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(value.as_array().unwrap().len(), 5);

    let out = tmp("html").join("report.html");
    let html = run(&[
        "scan",
        path,
        "--output",
        "html",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&html), 0, "{}", stderr(&html));
    assert!(stdout(&html).is_empty());
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.to_ascii_lowercase().starts_with("<!doctype html"));
    assert!(page.contains(A10));
    assert!(!page.contains("src=\"http"), "the report fetches nothing");
}

#[test]
fn scan_falco_alert_format() {
    let path = fixture("k8s_audit.jsonl");
    let output = run(&[
        "scan",
        path.to_str().unwrap(),
        "--output",
        "jsonl",
        "--alert-format",
        "falco",
    ]);
    assert_eq!(code(&output), 0);
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    for line in &lines {
        for key in [
            "time",
            "rule",
            "priority",
            "output",
            "output_fields",
            "source",
        ] {
            assert!(line.get(key).is_some(), "{key} missing in {line}");
        }
        assert_eq!(line["source"], "k8s_audit", "{line}");
    }
    assert!(lines.iter().any(|l| l["rule"] == EXEC));
}

#[test]
fn exit_codes() {
    let path = fixture("k8s_audit.jsonl");
    let path = path.to_str().unwrap();
    // 0 with alerts, 0 without.
    assert_eq!(code(&run(&["scan", path, "--output", "jsonl"])), 0);
    let benign = tmp("exit").join("benign.jsonl");
    std::fs::write(&benign, fixture_lines()[..5].join("\n")).unwrap();
    let quiet = run(&["scan", benign.to_str().unwrap(), "--output", "jsonl"]);
    assert_eq!(code(&quiet), 0);
    assert!(stdout(&quiet).is_empty());
    // 1: an alert at or above --fail-on; 0 when none is.
    assert_eq!(
        code(&run(&[
            "scan",
            path,
            "--output",
            "jsonl",
            "--fail-on",
            "high"
        ])),
        1
    );
    assert_eq!(
        code(&run(&[
            "scan",
            path,
            "--output",
            "jsonl",
            "--fail-on",
            "critical"
        ])),
        0
    );
    // 2: usage errors.
    assert_eq!(code(&run(&["scan", "--no-such-flag"])), 2);
    assert_eq!(code(&run(&["scan", path, "--fail-on", "loud"])), 2);
    assert_eq!(code(&run(&["tail"])), 2);
    // 2: a rule that does not load.
    let dir = tmp("badrule");
    let rule = dir.join("broken.yml");
    std::fs::write(
        &rule,
        "title: Broken\nid: 3c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  selection: {eventName: x}\n  condition: selection and nothere\n",
    )
    .unwrap();
    let output = run(&["scan", path, "--rules", rule.to_str().unwrap()]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(stderr(&output).contains("rule error"));
    let check = run(&["rules", "check", rule.to_str().unwrap(), "--output", "json"]);
    assert_eq!(code(&check), 2);
    let report: serde_json::Value = serde_json::from_str(&stdout(&check)).unwrap();
    assert!(report.to_string().contains("Broken"));
}

fn lcg_bytes(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (x >> 56) as u8
        })
        .collect()
}

#[test]
fn scan_of_a_directory_with_broken_files_goes_on_and_reports_rejects() {
    let dir = tmp("mixed");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    // A good file with an oversized line (line 10) and a deeply nested one (line 11).
    let mut good = fixture_lines();
    good.push(format!(
        r#"{{"kind":"Event","pad":"{}"}}"#,
        "x".repeat(2 << 20)
    ));
    good.push(format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)));
    good.push(line_with(A10).replace(A10, "7d3e9b20-5a1c-4e8f-9b6d-2c4a8e0f1aff"));
    std::fs::write(input.join("a_k8s.jsonl"), good.join("\n")).unwrap();
    // A CloudTrail Records document cut in the middle of its second record.
    std::fs::write(
        input.join("b_cloudtrail.json"),
        r#"{"Records":[{"eventVersion":"1.09","eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.1","eventID":"ct-1","eventType":"AwsApiCall","recipientAccountId":"1"},{"eventVersion":"1.09","eventTime":"2026-01-"#,
    )
    .unwrap();
    // A gzip file cut short.
    let gz = std::fs::read(manifest().join("demo/auth.log.gz")).unwrap();
    std::fs::write(input.join("c_auth.log.gz"), &gz[..gz.len() / 2]).unwrap();
    // Random bytes.
    std::fs::write(input.join("d_random.bin"), lcg_bytes(4096)).unwrap();

    let rejects = dir.join("rejects.jsonl");
    let output = run(&[
        "scan",
        input.to_str().unwrap(),
        "--output",
        "jsonl",
        "--rejects",
        rejects.to_str().unwrap(),
        "-j",
        "2",
    ]);
    let err = stderr(&output);
    assert_eq!(code(&output), 0, "{err}");
    let found = alerts(&stdout(&output));
    // The good file's alerts, including the one after the broken lines.
    assert!(
        found.contains(&(EXEC.into(), vec![A10.into()])),
        "{found:?}"
    );
    assert!(found.contains(&(
        EXEC.into(),
        vec!["7d3e9b20-5a1c-4e8f-9b6d-2c4a8e0f1aff".into()]
    )));
    assert!(err.contains("d_random.bin"), "{err}");
    let rejects: Vec<serde_json::Value> = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let in_good: Vec<u64> = rejects
        .iter()
        .filter(|r| r["file"].as_str().unwrap().ends_with("a_k8s.jsonl"))
        .map(|r| r["record"].as_u64().unwrap())
        .collect();
    assert_eq!(in_good, [10, 11], "{rejects:?}");
    for name in ["b_cloudtrail.json", "c_auth.log.gz", "d_random.bin"] {
        assert!(
            rejects
                .iter()
                .any(|r| r["file"].as_str().unwrap().ends_with(name)),
            "{name} not in {rejects:?}"
        );
    }
}

#[test]
fn parse_prints_ocsf_events() {
    let path = fixture("k8s_audit.jsonl");
    let output = run(&["parse", path.to_str().unwrap(), "--output", "jsonl"]);
    assert_eq!(code(&output), 0);
    let events: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 9);
    assert!(events.iter().all(|e| e["class_uid"] == 6003));
    assert_eq!(code(&run(&["parse"])), 2);
}

#[test]
fn rules_check_and_test() {
    let rules = manifest().join("../rules/auth_log");
    let check = run(&["rules", "check", rules.to_str().unwrap()]);
    assert_eq!(code(&check), 0, "{}", stderr(&check));
    assert!(stdout(&check).contains("Sudo Attempt by a User Not in sudoers"));
    let rule = rules.join("sudo_user_not_in_sudoers.yml");
    let test = run(&["rules", "test", rule.to_str().unwrap()]);
    assert_eq!(code(&test), 0, "{}", stdout(&test));
    assert!(stdout(&test).contains("3 passed, 0 failed"));
    // A failing expectation exits 1.
    let dir = tmp("ruletest");
    std::fs::copy(&rule, dir.join("sudo.yml")).unwrap();
    std::fs::write(
        dir.join("sudo.tests.jsonl"),
        r#"{"format":"auth_log","record":"Nov 20 10:00:00 bastion-1 sudo:     alice : TTY=pts/1 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id","expect":"match"}"#,
    )
    .unwrap();
    let failing = run(&["rules", "test", dir.to_str().unwrap()]);
    assert_eq!(code(&failing), 1, "{}", stdout(&failing));
    assert!(stdout(&failing).contains("0 passed, 1 failed"));
    // The whole bundled pack, as the README tells users to run it.
    let pack = manifest().join("../rules");
    let all = run(&["rules", "test", pack.to_str().unwrap()]);
    assert_eq!(code(&all), 0, "{}", stdout(&all));
    assert!(stdout(&all).contains(" 0 failed"), "{}", stdout(&all));
}

#[test]
fn iam_report_renders_json() {
    let fixtures = manifest().join("../crates/logsec-iam/tests/fixtures");
    let output = run(&[
        "iam",
        "report",
        "--cloudtrail",
        fixtures.join("trail-a.jsonl").to_str().unwrap(),
        "--authz",
        fixtures.join("authz.json").to_str().unwrap(),
        "--output",
        "json",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["window"]["since"], "90d");
    assert_eq!(code(&run(&["iam", "report", "--authz", "x"])), 2);
}

/// A running `logsec tail` whose stdout and stderr are collected line by line.
struct Tail {
    child: Child,
    out: Arc<Mutex<Vec<String>>>,
    err: Arc<Mutex<Vec<String>>>,
}

impl Tail {
    fn start(args: &[&str]) -> Tail {
        let mut child = Command::new(BIN)
            .arg("tail")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let collect = |stream: Box<dyn Read + Send>| {
            let lines = Arc::new(Mutex::new(Vec::new()));
            let sink = Arc::clone(&lines);
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    sink.lock().unwrap().push(line);
                }
            });
            lines
        };
        let out = collect(Box::new(child.stdout.take().unwrap()));
        let err = collect(Box::new(child.stderr.take().unwrap()));
        Tail { child, out, err }
    }

    fn wait_for(&self, what: &str, done: impl Fn(&[String], &[String]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if done(&self.out.lock().unwrap(), &self.err.lock().unwrap()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "timed out waiting for {what}; stdout {:?}; stderr {:?}",
            self.out.lock().unwrap(),
            self.err.lock().unwrap()
        );
    }

    fn alerts(&self) -> Vec<(String, Vec<String>)> {
        alerts(&self.out.lock().unwrap().join("\n"))
    }

    /// Sends SIGTERM and returns the exit code.
    fn terminate(mut self) -> (i32, Vec<(String, Vec<String>)>, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        let code = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("tail did not stop after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        std::thread::sleep(Duration::from_millis(100));
        let err = self.err.lock().unwrap().join("\n");
        (code, self.alerts(), err)
    }
}

impl Drop for Tail {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn append(path: &Path, lines: &[String]) {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    for line in lines {
        writeln!(file, "{line}").unwrap();
    }
}

#[test]
fn tail_follows_rotation_stops_on_sigterm_and_resumes_from_the_checkpoint() {
    let dir = tmp("tail");
    let log = dir.join("audit.log");
    let state = dir.join("state");
    let benign: Vec<String> = fixture_lines()[..5].to_vec();
    append(&log, &benign);
    append(&log, &[line_with(A00)]);
    let args = [
        log.to_str().unwrap(),
        "--state-dir",
        state.to_str().unwrap(),
        "--format",
        "k8s_audit",
        "--poll-interval",
        "20ms",
        "--checkpoint-interval",
        "100ms",
    ];
    let tail = Tail::start(&args);
    tail.wait_for("the first alert", |out, _| !out.is_empty());
    // Rotation by rename + create; the old file gets one more line before it is renamed.
    append(&log, &[line_with(A01)]);
    std::fs::rename(&log, dir.join("audit.log.1")).unwrap();
    append(&log, &[line_with(A02)]);
    tail.wait_for("three alerts", |out, _| out.len() >= 3);
    // copytruncate: the file is emptied in place and written again.
    std::fs::File::create(&log).unwrap();
    append(&log, &benign[..1]);
    std::thread::sleep(Duration::from_millis(300));
    let (code, found, err) = tail.terminate();
    assert_eq!(code, 0, "{err}");
    assert_eq!(found, fixture_alerts()[..4].to_vec(), "{err}");
    let checkpoint: serde_json::Value =
        serde_json::from_slice(&std::fs::read(state.join("checkpoint.json")).unwrap()).unwrap();
    let key = log.to_str().unwrap();
    assert_eq!(
        checkpoint["files"][key]["offset"].as_u64().unwrap(),
        std::fs::metadata(&log).unwrap().len()
    );

    // Restart: nothing already read is evaluated again; new lines are.
    append(&log, &[line_with(A10)]);
    let tail = Tail::start(&args);
    tail.wait_for("the exec alert", |out, _| !out.is_empty());
    std::thread::sleep(Duration::from_millis(300));
    let (code, found, err) = tail.terminate();
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        found,
        vec![(EXEC.to_owned(), vec![A10.to_owned()])],
        "{err}"
    );
    assert!(err.contains("1 events"), "{err}");
}

#[test]
fn tail_reads_stdin_to_its_end() {
    let data = std::fs::read(fixture("k8s_audit.jsonl")).unwrap();
    let output = run_with_stdin(&["tail", "-"], Some(&data));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // Arrival order: the correlation fires on the event that completes it (a02), before a10.
    assert_eq!(alerts(&stdout(&output)), fixture_alerts());
}

fn post(address: &str, target: &str, body: &[u8]) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST {target} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(body).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

#[test]
fn tail_listen_takes_an_audit_webhook_event_list_and_json_lines() {
    let tail = Tail::start(&["--listen", "127.0.0.1:0"]);
    tail.wait_for("the listening address", |_, err| {
        err.iter().any(|l| l.contains("listening on http://"))
    });
    let address = tail
        .err
        .lock()
        .unwrap()
        .iter()
        .find_map(|l| l.split("http://").nth(1).map(str::to_owned))
        .unwrap();
    let body = std::fs::read(fixture("k8s_eventlist.json")).unwrap();
    let (status, answer) = post(&address, "/k8s-audit", &body);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, r#"{"events":9,"rejects":0}"#);
    // The alerts were handed to the router before the answer.
    tail.wait_for("five alerts", |out, _| out.len() >= 5);
    // JSON lines with ?format= (Vector / Fluent Bit), and an unknown format.
    let lines = fixture_lines()[..3].join("\n");
    let (status, answer) = post(&address, "/?format=k8s_audit", lines.as_bytes());
    assert_eq!(
        (status, answer.as_str()),
        (200, r#"{"events":3,"rejects":0}"#)
    );
    let (status, _) = post(&address, "/?format=nonsense", lines.as_bytes());
    assert_eq!(status, 400);
    let (code, found, err) = tail.terminate();
    assert_eq!(code, 0, "{err}");
    assert_eq!(found, fixture_alerts(), "{err}");
}
