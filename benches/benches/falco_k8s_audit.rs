//! Falco's k8s-audit rules over a Kubernetes audit stream: all 48 rules of the upstream
//! `k8s_audit_rules.yaml` (plugins HEAD), `rule_matching: all`, over the 52 audit events of
//! Falco's k8s-audit trace files (Apache-2.0, `../shared/corpus/falco`). Per event: build the
//! event from the JSON line (the JSON is validated and read on first field access, so parsing
//! is included), then evaluate every rule the index selects. Skipped when `../shared` is absent.
//!
//! Time is the benchmark thread's own CPU time (Linux `/proc/thread-self/schedstat`, as in
//! `peers.rs`), so a busy shared machine slows the run without skewing the figures much;
//! elsewhere it falls back to wall time. That clock advances in scheduler ticks, so one
//! iteration goes over the trace events [`PASSES`] times (tens of milliseconds), not once.

// A benchmark may stop on an unreadable fixture.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// How many times one iteration goes over the 52 trace events.
const PASSES: usize = 64;

/// This thread's CPU time, if the OS tells.
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Runs `f` `iters` times and returns the CPU time it took (wall time as a fallback).
fn measure(iters: u64, mut f: impl FnMut() -> usize) -> Duration {
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

fn k8s_audit_rules(c: &mut Criterion) {
    let Some((rules, lines)) = logsec_benches::falco_k8s_workload() else {
        eprintln!("skipping: ../shared not found");
        return;
    };
    assert!(!rules.has_errors(), "the upstream rules load");
    assert!(!lines.is_empty(), "the trace files are read");
    let set = rules.rule_set();
    let bytes: usize = lines.iter().map(String::len).sum();
    eprintln!(
        "{} rules, {} events, {} bytes",
        set.len(),
        lines.len(),
        bytes
    );

    let mut group = c.benchmark_group("falco_k8s_audit");
    group.sample_size(10);
    group.throughput(Throughput::Elements((lines.len() * PASSES) as u64));
    group.bench_function("all_rules_parse_included", |b| {
        let mut out = Vec::new();
        b.iter_custom(|iters| {
            measure(iters, || {
                let mut matched = 0usize;
                for line in lines.iter().cycle().take(lines.len() * PASSES) {
                    let event = logsec_benches::k8s_audit_event(line);
                    out.clear();
                    set.matches(&event, &mut out);
                    matched += out.len();
                }
                matched
            })
        })
    });
    // Building the events and parsing their whole JSON tree, no rules. The rules no longer
    // build the tree (they validate the record in one pass and parse only the members they
    // read), so this is a reference point, not a floor.
    group.bench_function("parse_only", |b| {
        b.iter_custom(|iters| {
            measure(iters, || {
                let mut members = 0usize;
                for line in lines.iter().cycle().take(lines.len() * PASSES) {
                    let event = logsec_benches::k8s_audit_event(line);
                    members += event.raw.tree().map_or(0, |t| t.depth());
                }
                members
            })
        })
    });
    group.finish();
}

criterion_group!(benches, k8s_audit_rules);
criterion_main!(benches);
