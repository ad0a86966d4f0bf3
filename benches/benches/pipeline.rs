//! The parallel pipeline, whole scans with the bundled rule pack: one thread vs two, one big
//! file of CloudTrail JSON lines, the same records as one `{"Records":[…]}` document, and the
//! JSON lines gzip-compressed.
//!
//! ```text
//! cargo bench -p logsec-benches --bench pipeline -- --warm-up-time 2 --measurement-time 20
//! ```
//!
//! Time is wall time (the point is parallelism), so run it on an idle machine. Throughput is in
//! uncompressed bytes for every input, so `jsonl_gz` and `jsonl` compare directly. The inputs
//! (64 MiB each) are generated on demand by `logsec_benches::gen_json` and held in memory, so
//! the disk plays no part. The issue's goals: `threads/2` ≥ 1.8 × `threads/1`, and `jsonl_gz`
//! ≥ 0.6 × `jsonl` at the same thread count. `ceiling_parse` is the machine's own two-thread
//! ceiling: the parse alone on two halves in two threads that share nothing.
//!
//! Peak memory of a streaming scan is measured by the `pipeline_rss` example instead (a
//! process of its own, so that nothing else counts toward it).
// Benchmarks set up fixed inputs; a failed setup is a bug in the benchmark, so panicking is right.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use flate2::Compression;
use flate2::write::GzEncoder;
use logsec::{Input, Pipeline};
use logsec_benches::gen_json;

const SIZE: usize = 64 << 20;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(data.len() / 8), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// One scan; returns the alert count so that nothing is optimized away.
fn scan(pipeline: &Pipeline, input: &[Input]) -> u64 {
    let mut alerts = 0u64;
    let report = pipeline
        .scan(input, &mut |alert| {
            black_box(alert);
            alerts += 1;
        })
        .expect("scan");
    assert_eq!(report.rejects(), 0, "generated input is well formed");
    alerts
}

fn pipeline(c: &mut Criterion) {
    let lines = gen_json::cloudtrail_json_lines(SIZE, 42);
    let records = gen_json::cloudtrail_records_file(SIZE, 42);
    let inputs = [
        ("jsonl", "trail.jsonl", lines.clone(), lines.len()),
        ("records", "trail.json", records.clone(), records.len()),
        ("jsonl_gz", "trail.jsonl.gz", gzip(&lines), lines.len()),
    ];
    let pipelines: Vec<(usize, Pipeline)> = [1, 2]
        .into_iter()
        .map(|threads| (threads, Pipeline::builder().threads(threads).build()))
        .collect();
    // Same alerts whatever the thread count and the input's shape.
    let reference = scan(&pipelines[0].1, &[bytes("trail.jsonl", &lines)]);
    for (name, file, data, _) in &inputs {
        for (threads, pipeline) in &pipelines {
            let alerts = scan(pipeline, &[bytes(file, data)]);
            assert_eq!(alerts, reference, "{name} with {threads} threads");
        }
    }
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for (name, file, data, plain_len) in &inputs {
        group.throughput(Throughput::Bytes(*plain_len as u64));
        let input = [bytes(file, data)];
        for (threads, pipeline) in &pipelines {
            group.bench_with_input(
                BenchmarkId::new(*name, format!("threads/{threads}")),
                &input,
                |b, input| b.iter(|| scan(pipeline, input)),
            );
        }
    }
    // The machine's own ceiling for two threads: the same parse on two halves of the input,
    // in two threads that share nothing (no reader, no ordered merge, no rules), against one
    // thread over the whole. The pipeline's `threads/2 ÷ threads/1` cannot beat this ratio.
    group.throughput(Throughput::Bytes(lines.len() as u64));
    let half = lines
        .get(lines.len() / 2..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        .map_or(lines.len(), |i| lines.len() / 2 + i + 1);
    let (first, second) = lines.split_at(half);
    group.bench_function(BenchmarkId::new("ceiling_parse", "threads/1"), |b| {
        b.iter(|| parse_count(first) + parse_count(second))
    });
    group.bench_function(BenchmarkId::new("ceiling_parse", "threads/2"), |b| {
        b.iter(|| {
            std::thread::scope(|scope| {
                let other = scope.spawn(|| parse_count(second));
                parse_count(first) + other.join().expect("parse thread")
            })
        })
    });
    group.finish();
}

/// Parses `data` (CloudTrail JSON lines) and counts the events.
fn parse_count(data: &[u8]) -> u64 {
    let mut events = 0u64;
    logsec_parse::parse_reader(data, &logsec_parse::ParseOptions::default(), |_| {
        events += 1
    })
    .expect("generated input parses");
    events
}

fn bytes(name: &str, data: &[u8]) -> Input {
    Input::Bytes {
        name: name.to_owned(),
        data: data.to_vec(),
    }
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
