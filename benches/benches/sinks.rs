//! Alerts per second through the router: to a file sink, and to a local webhook with batching.
//!
//! Each iteration sends 1 000 alerts and waits until the sink has them all
//! (`Router::flush`), so the figure includes queueing, encoding and delivery.
// A benchmark that cannot set up its endpoint has nothing to measure: failing loudly is right.
#![allow(clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logsec_event::{Alert, AlertBuilder, RuleRef, Severity};
use logsec_sinks::{FileSink, Fsync, Router, SinkSpec, WebhookSink};

const ALERTS: u64 = 1_000;

fn alerts() -> Vec<Alert> {
    (0..ALERTS)
        .map(|n| {
            AlertBuilder::new(
                RuleRef {
                    id: format!("rule-{}", n % 17),
                    title: format!("Benchmark rule {}", n % 17),
                    tags: vec!["attack.t1078".into()],
                    ..RuleRef::default()
                },
                Severity::High,
            )
            .message(format!("user alice did something suspicious, n={n}"))
            .related_id(format!("event-{n}"), 1_700_000_000_000 + n as i64)
            .build()
        })
        .collect()
}

/// A minimal HTTP/1.1 server that answers 200 to every request (keep-alive).
fn start_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    port
}

fn serve(stream: TcpStream) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            if let Some((name, value)) = trimmed.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err()
            || writer
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                .is_err()
        {
            return;
        }
    }
}

fn through_router(c: &mut Criterion) {
    let alerts = alerts();
    let dir = std::env::temp_dir().join(format!("logsec-bench-sinks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut group = c.benchmark_group("router");
    group.throughput(Throughput::Elements(ALERTS));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));

    for (name, fsync) in [
        ("file_fsync_every_batch", Fsync::EveryBatch),
        ("file_no_fsync", Fsync::Never),
    ] {
        let file = FileSink::builder(dir.join(format!("{name}.jsonl")))
            .fsync(fsync)
            .rotate_bytes(64 * 1024 * 1024)
            .keep_rotated(1)
            .build()
            .expect("file sink");
        let router = Router::builder()
            .spool_dir(dir.join("spool"))
            .sink(SinkSpec::new(name, file).queue_capacity(4096))
            .build()
            .expect("router");
        group.bench_function(name, |b| {
            b.iter(|| {
                for alert in &alerts {
                    router.send(alert.clone()).expect("send");
                }
                assert!(router.flush(Duration::from_secs(60)));
            })
        });
        drop(router);
    }

    let port = start_server();
    let webhook = WebhookSink::builder(format!("http://127.0.0.1:{port}/alerts"))
        .batch(100, Duration::from_millis(5))
        .build()
        .expect("webhook");
    let router = Router::builder()
        .spool_dir(dir.join("spool"))
        .sink(SinkSpec::new("webhook", webhook).queue_capacity(4096))
        .build()
        .expect("router");
    group.bench_function("webhook_batch_100", |b| {
        b.iter(|| {
            for alert in &alerts {
                router.send(alert.clone()).expect("send");
            }
            assert!(router.flush(Duration::from_secs(60)));
        })
    });
    drop(router);
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, through_router);
criterion_main!(benches);
