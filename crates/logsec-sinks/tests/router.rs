//! Router behaviour with file and writer sinks: routes, flood control, overflow policies,
//! rotation, configuration.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{alert, closed_port, temp_dir};
use logsec_event::Severity;
use logsec_sinks::{
    Encoder, Encoding, FileSink, FloodControl, Fsync, Overflow, RetryPolicy, Route, Router,
    SinkSpec, SinksConfig, StdoutSink, WebhookSink,
};

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[test]
fn routes_split_alerts_between_sinks() {
    let high = Shared::default();
    let rule_7 = Shared::default();
    let router = Router::builder()
        .sink(
            SinkSpec::new(
                "high",
                StdoutSink::with_writer(Encoder::new(Encoding::Text, ""), high.clone()),
            )
            .route(Route::all().min_severity(Severity::Critical)),
        )
        .sink(
            SinkSpec::new(
                "seven",
                StdoutSink::with_writer(Encoder::new(Encoding::Text, ""), rule_7.clone()),
            )
            .route(Route::all().rule("Test rule 7").tag("attack.*")),
        )
        .build()
        .unwrap();
    let mut critical = alert(1);
    critical.severity_id = Severity::Critical;
    assert_eq!(router.send(critical).unwrap(), 1);
    assert_eq!(router.send(alert(7)).unwrap(), 1);
    assert_eq!(router.send(alert(8)).unwrap(), 0);
    assert!(router.flush(Duration::from_secs(5)));
    assert_eq!(router.counters().unrouted, 1);
    drop(router);
    assert_eq!(high.text(), "22:13:21.000000000: Critical alert number 1\n");
    assert_eq!(rule_7.text(), "22:13:27.000000000: Error alert number 7\n");
}

#[test]
fn flood_control_suppresses_and_reports_the_count() {
    let out = Shared::default();
    let router = Router::builder()
        .flood_control(FloodControl::new(Duration::from_secs(60), 1))
        .sink(SinkSpec::new(
            "out",
            StdoutSink::with_writer(Encoder::new(Encoding::FalcoJson, "h"), out.clone()),
        ))
        .build()
        .unwrap();
    // Same rule, event times 0 s, 10 s, 20 s, then 70 s (new window).
    for seconds in [0, 10, 20, 70] {
        let mut a = alert(1);
        a.time = 1_700_000_000_000 + seconds * 1000;
        router.send(a).unwrap();
    }
    assert!(router.flush(Duration::from_secs(5)));
    assert_eq!(router.counters().suppressed, 2);
    drop(router);
    let lines: Vec<serde_json::Value> = out
        .text()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].get("suppressed_count").is_none());
    assert_eq!(lines[1]["suppressed_count"], 2);
    assert_eq!(lines[1]["time"], "2023-11-14T22:14:30.000000000Z");
    assert_eq!(lines[1]["priority"], "Error");
    assert_eq!(lines[1]["rule"], "Test rule 1");
    assert_eq!(lines[1]["hostname"], "h");
    assert_eq!(lines[1]["source"], "logsec");
    assert_eq!(lines[1]["tags"], serde_json::json!(["attack.t1078"]));
    assert_eq!(
        lines[1]["output"],
        "22:14:30.000000000: Error alert number 1 (suppressed 2 similar)"
    );
}

#[test]
fn drop_policy_counts_and_block_policy_is_bounded() {
    let retry = RetryPolicy {
        initial: Duration::from_millis(50),
        max: Duration::from_millis(50),
        attempts_before_spool: 1,
    };
    let down = || {
        WebhookSink::builder(format!("http://127.0.0.1:{}/", closed_port()))
            .timeout(Duration::from_millis(100))
            .build()
            .unwrap()
    };
    let router = Router::builder()
        .close_timeout(Duration::from_millis(200))
        .sink(
            SinkSpec::new("dropping", down())
                .spool(false)
                .queue_capacity(2)
                .overflow(Overflow::Drop)
                .retry(retry),
        )
        .sink(
            SinkSpec::new("blocking", down())
                .spool(false)
                .queue_capacity(2)
                .overflow(Overflow::Block(Duration::from_millis(30)))
                .retry(retry),
        )
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let mut refused = 0;
    for n in 0..10 {
        if router.send(alert(n)).is_err() {
            refused += 1;
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "send never blocks unboundedly: {:?}",
        started.elapsed()
    );
    let dropping = router.sink_counters("dropping").unwrap();
    assert!(dropping.dropped >= 5, "{dropping:?}");
    let blocking = router.sink_counters("blocking").unwrap();
    assert_eq!(blocking.failed, refused, "refusals are counted");
    assert!(refused >= 5);
    drop(router);
}

#[test]
fn file_sink_rotates_by_size() {
    let dir = temp_dir("rotate");
    let path = dir.join("alerts.jsonl");
    let sink = FileSink::builder(&path)
        .rotate_bytes(2_000)
        .keep_rotated(2)
        .fsync(Fsync::EveryBatch)
        .build()
        .unwrap();
    let router = Router::builder()
        .sink(SinkSpec::new("file", sink))
        .build()
        .unwrap();
    for n in 0..20 {
        router.send(alert(n)).unwrap();
    }
    drop(router);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "current + 2 kept: {files:?}");
    assert_eq!(files[0], "alerts.jsonl");
    for name in &files {
        let size = std::fs::metadata(dir.join(name)).unwrap().len();
        assert!(size <= 2_000, "{name} is {size} bytes");
    }
    let last = std::fs::read_to_string(&path).unwrap();
    assert!(last.contains("alert number 19"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_documented_example_configuration_builds() {
    let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/sinks.md");
    let text = std::fs::read_to_string(docs).unwrap();
    let start = text.find("```yaml\n").unwrap() + "```yaml\n".len();
    let end = start + text[start..].find("```").unwrap();
    let dir = temp_dir("config");
    let yaml = text[start..end]
        .replace(
            "/var/spool/logsec",
            &dir.join("spool").display().to_string(),
        )
        .replace("/var/log/logsec", &dir.join("log").display().to_string())
        .replace(
            "siem.example.internal:6514",
            &format!("127.0.0.1:{}", closed_port()),
        )
        .replace(
            "http://proxy.internal:3128",
            &format!("http://127.0.0.1:{}", closed_port()),
        );
    // Nothing in the test may leave loopback.
    assert!(!yaml.contains("proxy.internal") && !yaml.contains("example.internal"));
    let config = SinksConfig::from_yaml(&yaml).unwrap();
    assert_eq!(config.sinks.len(), 5);
    let builder = config
        .into_builder(&|name| match name {
            "SLACK_WEBHOOK_TOKEN" => Some("t".to_owned()),
            "SLACK_WEBHOOK_URL" => Some(format!(
                "http://127.0.0.1:{}/services/T0/B0/X",
                closed_port()
            )),
            _ => None,
        })
        .unwrap();
    let router = builder.build().unwrap();
    assert_eq!(router.health().len(), 5);
    drop(router);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn file_sink_rotates_by_time() {
    let dir = temp_dir("rotate-time");
    let path = dir.join("alerts.jsonl");
    let sink = FileSink::builder(&path)
        .rotate_every(Duration::from_millis(100))
        .build()
        .unwrap();
    let router = Router::builder()
        .sink(SinkSpec::new("file", sink))
        .build()
        .unwrap();
    router.send(alert(1)).unwrap();
    assert!(router.flush(Duration::from_secs(5)));
    std::thread::sleep(Duration::from_millis(150));
    router.send(alert(2)).unwrap();
    drop(router);
    let rotated = std::fs::read_to_string(dir.join("alerts.jsonl.1")).unwrap();
    let current = std::fs::read_to_string(&path).unwrap();
    assert!(rotated.contains("alert number 1") && !rotated.contains("alert number 2"));
    assert!(current.contains("alert number 2") && !current.contains("alert number 1"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_probes_each_destination() {
    let up = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let up_url = format!("http://127.0.0.1:{}/", up.local_addr().unwrap().port());
    let down_url = format!("http://127.0.0.1:{}/", closed_port());
    let router = Router::builder()
        .sink(SinkSpec::new(
            "up",
            WebhookSink::builder(up_url).build().unwrap(),
        ))
        .sink(
            SinkSpec::new(
                "down",
                WebhookSink::builder(down_url)
                    .timeout(Duration::from_millis(300))
                    .build()
                    .unwrap(),
            )
            .spool(false),
        )
        .build()
        .unwrap();
    let health = router.check(Duration::from_secs(5));
    assert_eq!(
        health[0].state,
        logsec_sinks::HealthState::Healthy,
        "{health:?}"
    );
    assert_eq!(
        health[1].state,
        logsec_sinks::HealthState::Unhealthy,
        "{health:?}"
    );
    assert!(
        health[1]
            .last_error
            .as_deref()
            .unwrap()
            .contains("127.0.0.1:"),
        "{health:?}"
    );
}
