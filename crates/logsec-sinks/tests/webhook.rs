//! Webhook delivery against a real HTTP server on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::{HttpServer, Reply, alert, closed_port, first_occurrences, temp_dir};
use logsec_event::Alert;
use logsec_sinks::{Encoder, Encoding, RetryPolicy, Router, SinkSpec, WebhookSink};

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        initial: Duration::from_millis(10),
        max: Duration::from_millis(80),
        attempts_before_spool: 2,
    }
}

fn flaky(n: usize) -> Reply {
    if n % 7 == 3 {
        Reply::Hang(Duration::from_millis(500))
    } else if n % 2 == 1 {
        Reply::Fail(500, None)
    } else {
        Reply::Accept
    }
}

#[test]
fn flaky_server_gets_every_alert_at_least_once_in_order() {
    let server = HttpServer::start(0, flaky);
    let dir = temp_dir("flaky");
    let webhook = WebhookSink::builder(server.url())
        .timeout(Duration::from_millis(200))
        .batch(5, Duration::from_millis(5))
        .build()
        .unwrap();
    let router = Router::builder()
        .spool_dir(dir.join("spool"))
        .sink(
            SinkSpec::new("hook", webhook)
                .retry(fast_retry())
                .queue_capacity(8),
        )
        .build()
        .unwrap();
    let sent: Vec<Alert> = (0..60).map(alert).collect();
    for alert in &sent {
        router.send(alert.clone()).unwrap();
    }
    assert!(
        router.flush(Duration::from_secs(20)),
        "{:?}",
        router.health()
    );
    let health = router.close();
    let expected: Vec<String> = sent.iter().map(|a| a.uid().to_owned()).collect();
    let received = server.accepted_uids();
    assert_eq!(
        first_occurrences(&received),
        expected,
        "every alert, in order"
    );
    let counters = health[0].counters;
    assert_eq!(counters.sent, received.len() as u64, "{counters:?}");
    assert_eq!(counters.failed, 0);
    assert!(counters.retried > 0, "{counters:?}");
    assert!(server.requests.load(std::sync::atomic::Ordering::SeqCst) > received.len() / 5);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn server_down_for_a_whole_run_gets_everything_on_the_next_start() {
    let port = closed_port();
    let dir = temp_dir("down-then-up");
    let url = format!("http://127.0.0.1:{port}/alerts");
    let build = || {
        Router::builder()
            .spool_dir(dir.join("spool"))
            .close_timeout(Duration::from_secs(1))
            .sink(
                SinkSpec::new(
                    "hook",
                    WebhookSink::builder(&url)
                        .timeout(Duration::from_millis(300))
                        .batch(4, Duration::ZERO)
                        .build()
                        .unwrap(),
                )
                .retry(fast_retry()),
            )
            .build()
            .unwrap()
    };
    let sent: Vec<Alert> = (0..25).map(alert).collect();
    let first_run = build();
    for alert in &sent {
        first_run.send(alert.clone()).unwrap();
    }
    std::thread::sleep(Duration::from_millis(100));
    let health = first_run.close();
    assert_eq!(health[0].counters.sent, 0);
    assert_eq!(health[0].spooled_pending, 25, "{health:?}");
    assert!(health[0].counters.spooled >= 25);

    let server = HttpServer::start(port, |_| Reply::Accept);
    let second_run = build();
    assert!(
        second_run.flush(Duration::from_secs(10)),
        "{:?}",
        second_run.health()
    );
    let health = second_run.close();
    let expected: Vec<String> = sent.iter().map(|a| a.uid().to_owned()).collect();
    assert_eq!(server.accepted_uids(), expected);
    assert_eq!(health[0].counters.replayed, 25);
    assert_eq!(health[0].spooled_pending, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn retry_after_is_honoured() {
    fn busy_then_ok(n: usize) -> Reply {
        if n == 0 {
            Reply::Fail(429, Some(1))
        } else {
            Reply::Accept
        }
    }
    let server = HttpServer::start(0, busy_then_ok);
    let router = Router::builder()
        .sink(
            SinkSpec::new("hook", WebhookSink::builder(server.url()).build().unwrap())
                .retry(fast_retry()),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    router.send(alert(1)).unwrap();
    assert!(router.flush(Duration::from_secs(5)));
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(80), "{elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(2),
        "Retry-After capped by max: {elapsed:?}"
    );
    drop(router);
    // A 1 s Retry-After above a retry max of 80 ms is capped; with a larger max it is honoured.
    let server = HttpServer::start(0, busy_then_ok);
    let router = Router::builder()
        .sink(
            SinkSpec::new("hook", WebhookSink::builder(server.url()).build().unwrap()).retry(
                RetryPolicy {
                    max: Duration::from_secs(5),
                    ..fast_retry()
                },
            ),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    router.send(alert(1)).unwrap();
    assert!(router.flush(Duration::from_secs(5)));
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.accepted_uids().len(), 1);
}

#[test]
fn gzip_batches_and_secret_headers_reach_the_server() {
    let server = HttpServer::start(0, |_| Reply::Accept);
    let webhook = WebhookSink::builder(server.url())
        .encoder(Encoder::new(
            Encoding::Template(logsec_sinks::Template::new("{priority}: {rule}")),
            "h",
        ))
        .gzip(true)
        .batch(3, Duration::from_millis(200))
        .header("X-Team", "secops")
        .header_from_env("Authorization", "HOOK_TOKEN", "Bearer ")
        .build_with_env(&|name| (name == "HOOK_TOKEN").then(|| "s3cr3t-token".to_owned()))
        .unwrap();
    let router = Router::builder()
        .sink(SinkSpec::new("chat", webhook))
        .build()
        .unwrap();
    for n in 0..3 {
        router.send(alert(n)).unwrap();
    }
    assert!(router.flush(Duration::from_secs(5)));
    drop(router);
    let accepted = server.accepted.lock().unwrap();
    assert_eq!(accepted.len(), 1, "one batched request");
    let request = &accepted[0];
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("content-encoding").as_deref(), Some("gzip"));
    assert_eq!(
        header("authorization").as_deref(),
        Some("Bearer s3cr3t-token")
    );
    assert_eq!(header("x-team").as_deref(), Some("secops"));
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(request.body.as_slice()),
        &mut text,
    )
    .unwrap();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        body["text"],
        "Error: Test rule 0\nError: Test rule 1\nError: Test rule 2"
    );
}

#[test]
fn order_holds_when_producers_spool_while_a_batch_is_held_for_retry() {
    // Down for the first ten requests: the worker holds its first batch for retries while
    // the producer overflows the small queue into the spool.
    fn mostly_failing(n: usize) -> Reply {
        if n < 10 {
            Reply::Fail(503, None)
        } else {
            Reply::Accept
        }
    }
    let server = HttpServer::start(0, mostly_failing);
    let dir = temp_dir("held-order");
    let webhook = WebhookSink::builder(server.url())
        .timeout(Duration::from_millis(300))
        .batch(3, Duration::ZERO)
        .build()
        .unwrap();
    let router = Router::builder()
        .spool_dir(dir.join("spool"))
        .sink(
            SinkSpec::new("hook", webhook)
                .queue_capacity(2)
                .retry(RetryPolicy {
                    initial: Duration::from_millis(5),
                    max: Duration::from_millis(20),
                    attempts_before_spool: 3,
                }),
        )
        .build()
        .unwrap();
    let sent: Vec<Alert> = (0..40).map(alert).collect();
    for alert in &sent {
        router.send(alert.clone()).unwrap();
    }
    assert!(
        router.flush(Duration::from_secs(20)),
        "{:?}",
        router.health()
    );
    let health = router.close();
    assert!(health[0].counters.spooled > 0, "{health:?}");
    let expected: Vec<String> = sent.iter().map(|a| a.uid().to_owned()).collect();
    assert_eq!(first_occurrences(&server.accepted_uids()), expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn durable_sinks_have_every_alert_on_disk_when_send_returns() {
    let port = closed_port();
    let dir = temp_dir("durable");
    let url = format!("http://127.0.0.1:{port}/alerts");
    let build = || {
        Router::builder()
            .spool_dir(dir.join("spool"))
            .close_timeout(Duration::from_secs(2))
            .sink(
                SinkSpec::new(
                    "hook",
                    WebhookSink::builder(&url)
                        .timeout(Duration::from_millis(300))
                        .batch(4, Duration::ZERO)
                        .build()
                        .unwrap(),
                )
                .durable(true)
                .retry(fast_retry()),
            )
            .build()
            .unwrap()
    };
    let sent: Vec<Alert> = (0..12).map(alert).collect();
    let router = build();
    for alert in &sent {
        router.send(alert.clone()).unwrap();
    }
    // No waiting: durability is part of the hand-over.
    let health = router.health();
    assert_eq!(health[0].spooled_pending, 12, "{health:?}");
    assert_eq!(health[0].counters.spooled, 12);
    drop(router);

    let server = HttpServer::start(port, |_| Reply::Accept);
    let router = build();
    for alert in (12..20).map(alert) {
        router.send(alert).unwrap();
    }
    assert!(
        router.flush(Duration::from_secs(10)),
        "{:?}",
        router.health()
    );
    let health = router.close();
    let expected: Vec<String> = (0..20).map(|n| alert(n).uid().to_owned()).collect();
    assert_eq!(server.accepted_uids(), expected);
    assert_eq!(health[0].counters.replayed, 20);
    assert_eq!(health[0].spooled_pending, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}
