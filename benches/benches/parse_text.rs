//! Text-format parsing throughput, one core: generated Istio, S3, web access, auth.log and VPC
//! flow logs through `logsec_parse::parse_lines_for_bench` (line parser → OCSF events).
// Benchmarks set up fixed inputs; a failed setup is a bug in the benchmark, so panicking is right.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logsec::event::SourceFormat;
use logsec::parse::{ParseOptions, parse_lines_for_bench};
use logsec_benches::gen_text;

const LINES: usize = 20_000;

fn parse_text(c: &mut Criterion) {
    let options = ParseOptions {
        syslog_year: Some(2023),
        ..ParseOptions::default()
    };
    let inputs = [
        (
            "istio",
            SourceFormat::Istio,
            gen_text::istio_access_log(LINES, 1),
        ),
        (
            "s3_access",
            SourceFormat::S3Access,
            gen_text::s3_access_log(LINES, 2),
        ),
        (
            "web_access",
            SourceFormat::WebAccess,
            gen_text::web_access_log(LINES, 3),
        ),
        (
            "auth_log",
            SourceFormat::AuthLog,
            gen_text::auth_log(LINES, 4),
        ),
        (
            "vpc_flow",
            SourceFormat::VpcFlow,
            gen_text::vpc_flow_log(LINES, 5),
        ),
    ];
    let mut group = c.benchmark_group("parse_text");
    for (name, format, text) in &inputs {
        // `None` (not a text format) shows up as a failed count below.
        let (events, rejects) =
            parse_lines_for_bench(*format, text, &options).unwrap_or((0, usize::MAX));
        assert_eq!(
            (events, rejects),
            (LINES, 0),
            "{name}: generated lines must all parse"
        );
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| black_box(parse_lines_for_bench(*format, black_box(text), &options)))
        });
    }
    group.finish();
}

criterion_group!(benches, parse_text);
criterion_main!(benches);
