//! JSON parsing throughput: bytes in → OCSF events ready for rules (one core).
//!
//! ```text
//! cargo bench -p logsec-benches --bench parse_json -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Time is the benchmark thread's own CPU time (Linux `/proc/thread-self/schedstat`), so the
//! figure is one core's throughput even on a machine shared with other jobs; elsewhere it falls
//! back to wall time.
// Benchmarks set up fixed inputs; a failed setup is a bug in the benchmark, so panicking is right.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flate2::Compression;
use flate2::write::GzEncoder;
use logsec_benches::gen_json;
use logsec_parse::{ParseOptions, parse_bytes, parse_reader, parse_reader_deferred};

const SIZE: usize = 50 << 20;

fn count_events(input: &[u8]) -> u64 {
    let mut n = 0u64;
    let summary = parse_reader(input, &ParseOptions::default(), |event| {
        black_box(event);
        n += 1;
    })
    .expect("generated input parses");
    assert!(summary.rejects.is_empty());
    n
}

/// Records ready for raw-path rules, normalization deferred (what a scan does with a record no
/// rule matches): validated, top level cut, time read.
fn count_deferred(input: &[u8]) -> u64 {
    let mut n = 0u64;
    let summary = parse_reader_deferred(
        input,
        &ParseOptions::default(),
        |_| true,
        |pending| {
            black_box(pending.event());
            n += 1;
        },
    )
    .expect("generated input parses");
    assert!(summary.rejects.is_empty());
    n
}

/// This thread's CPU time, if the OS tells.
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Runs `f` `iters` times and returns the CPU time it took (wall time as a fallback).
fn measure(iters: u64, mut f: impl FnMut() -> u64) -> Duration {
    let wall = Instant::now();
    let cpu = thread_cpu_time();
    for _ in 0..iters {
        black_box(f());
    }
    match (cpu, thread_cpu_time()) {
        (Some(start), Some(end)) => end.saturating_sub(start),
        _ => wall.elapsed(),
    }
}

/// The survey's yardstick: a typed, borrowed serde parse of a few CloudTrail fields per line,
/// nothing else. Run beside ours so that a loaded machine slows both alike.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Subset<'a> {
    #[serde(rename = "eventName", borrow)]
    event_name: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "eventSource", borrow)]
    event_source: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "eventTime", borrow)]
    event_time: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "sourceIPAddress", borrow)]
    source_ip: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "userIdentity", borrow)]
    user_identity: Option<&'a serde_json::value::RawValue>,
}

fn serde_subset_lines(input: &[u8]) -> u64 {
    let text = std::str::from_utf8(input).expect("UTF-8");
    let mut n = 0;
    for line in text.lines() {
        let record: Subset<'_> = serde_json::from_str(line).expect("valid");
        black_box(&record);
        n += 1;
    }
    n
}

fn parse_json(c: &mut Criterion) {
    let jsonl = gen_json::cloudtrail_json_lines(SIZE, 1);
    let records = gen_json::cloudtrail_records_file(SIZE, 2);
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(&records).expect("in-memory write");
    let gz = encoder.finish().expect("in-memory gzip");
    let k8s = gen_json::k8s_audit_json_lines(SIZE, 3);

    let mut group = c.benchmark_group("parse_json");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(jsonl.len() as u64));
    group.bench_function("baseline_serde_borrowed_subset_jsonl", |b| {
        b.iter_custom(|iters| measure(iters, || serde_subset_lines(black_box(&jsonl))))
    });
    group.bench_function("cloudtrail_jsonl_reader", |b| {
        b.iter_custom(|iters| measure(iters, || count_events(black_box(&jsonl))))
    });
    group.bench_function("cloudtrail_jsonl_bytes", |b| {
        b.iter_custom(|iters| {
            measure(iters, || {
                parse_bytes(black_box(&jsonl), &ParseOptions::default())
                    .expect("parses")
                    .events
                    .len() as u64
            })
        })
    });
    group.bench_function("cloudtrail_jsonl_deferred", |b| {
        b.iter_custom(|iters| measure(iters, || count_deferred(black_box(&jsonl))))
    });
    group.throughput(Throughput::Bytes(records.len() as u64));
    group.bench_function("cloudtrail_records_reader", |b| {
        b.iter_custom(|iters| measure(iters, || count_events(black_box(&records))))
    });
    group.bench_function("cloudtrail_records_deferred", |b| {
        b.iter_custom(|iters| measure(iters, || count_deferred(black_box(&records))))
    });
    // Throughput of the gzip case counts uncompressed bytes.
    group.bench_function("cloudtrail_records_gz_reader", |b| {
        b.iter_custom(|iters| measure(iters, || count_events(black_box(&gz))))
    });
    group.throughput(Throughput::Bytes(k8s.len() as u64));
    group.bench_function("k8s_audit_jsonl_reader", |b| {
        b.iter_custom(|iters| measure(iters, || count_events(black_box(&k8s))))
    });
    group.bench_function("k8s_audit_jsonl_deferred", |b| {
        b.iter_custom(|iters| measure(iters, || count_deferred(black_box(&k8s))))
    });
    group.finish();
}

criterion_group!(benches, parse_json);
criterion_main!(benches);
