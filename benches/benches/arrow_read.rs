//! `logsec.read` without Python: CloudTrail JSON lines parsed into the Arrow event schema
//! (`logsec::arrow::read_event_batches`, one thread), next to the same parse without Arrow, so
//! the difference is what building the record batches costs.
//!
//! ```text
//! cargo bench -p logsec-benches --bench arrow_read -- --warm-up-time 1 --measurement-time 5
//! ```
//!
//! Time is wall time (the read runs on a rayon pool thread of its own), so run it on an idle
//! machine. `LOGSEC_BENCH_MIB` sets the input size (default 32 MiB).
// Benchmarks set up fixed inputs; a failed setup is a bug in the benchmark, so panicking is right.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logsec::Input;
use logsec::arrow::{ReadOptions, read_event_batches};
use logsec_benches::gen_json;
use logsec_parse::{ParseOptions, parse_reader};

fn arrow_read(c: &mut Criterion) {
    let mib: usize = std::env::var("LOGSEC_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let lines = gen_json::cloudtrail_json_lines(mib << 20, 42);
    let events = lines.iter().filter(|&&b| b == b'\n').count() as u64;
    let input = [Input::Bytes {
        name: "trail.jsonl".into(),
        data: lines.clone(),
    }];
    let options = ReadOptions {
        threads: 1,
        ..ReadOptions::default()
    };
    let rows = |read: &logsec::arrow::EventBatches| {
        read.batches.iter().map(|b| b.num_rows()).sum::<usize>() as u64
    };
    assert_eq!(
        rows(&read_event_batches(&input, &options).unwrap()),
        events,
        "every generated record becomes a row"
    );

    let mut group = c.benchmark_group("arrow_read_cloudtrail");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events));
    group.bench_function("parse_only", |b| {
        b.iter(|| {
            let mut n = 0u64;
            parse_reader(black_box(&lines[..]), &ParseOptions::default(), |e| {
                n += u64::from(e.time != 0);
            })
            .unwrap();
            n
        })
    });
    group.bench_function("read_event_batches", |b| {
        b.iter(|| rows(&read_event_batches(black_box(&input), &options).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, arrow_read);
criterion_main!(benches);
