//! Field access and OCSF serialization on the normalized event.
// Benchmarks set up fixed inputs; a failed setup is a bug in the benchmark, so panicking is right.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logsec_event::{Actor, Event, FieldPath, RawRecord, SourceFormat, User, ocsf};

fn field_access(c: &mut Criterion) {
    let raw = r#"{"eventName":"GetObject","requestParameters":{"bucketName":"b1","key":"k"},"userIdentity":{"type":"IAMUser"}}"#;
    let mut event = Event::new(&ocsf::API_ACTIVITY, 2, SourceFormat::Cloudtrail);
    event.actor = Some(Box::new(Actor {
        user: Some(User {
            name: Some("alice".into()),
            ..User::default()
        }),
        ..Actor::default()
    }));
    event.raw = RawRecord::json(raw);
    let ocsf_path = FieldPath::parse("actor.user.name").expect("valid path");
    let raw_path = FieldPath::raw("requestParameters.bucketName").expect("valid path");
    let mut group = c.benchmark_group("field_access");
    group.throughput(Throughput::Elements(1));
    group.bench_function("ocsf_leaf", |b| {
        b.iter(|| black_box(event.get(black_box(&ocsf_path))))
    });
    group.bench_function("raw_cached_tree", |b| {
        b.iter(|| black_box(event.get(black_box(&raw_path))))
    });
    group.bench_function("to_ocsf_json", |b| {
        b.iter(|| black_box(event.to_ocsf_json()))
    });
    group.finish();
}

criterion_group!(benches, field_access);
criterion_main!(benches);
