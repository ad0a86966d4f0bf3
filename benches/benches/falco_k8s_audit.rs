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
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logsec_event::{Event, RawRecord, SourceFormat, ocsf};
use logsec_rules::falco::{LoadOptions, load_paths};

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
    let falco = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/falco");
    if !falco.is_dir() {
        eprintln!("skipping: ../shared not found");
        return;
    }
    let rules = load_paths(
        &[falco.join("falcosecurity-plugins/plugins/k8saudit/rules/k8s_audit_rules.yaml")],
        &LoadOptions::default(),
    );
    assert!(!rules.has_errors(), "the upstream rules load");
    let set = rules.rule_set();
    let traces = falco.join("falcosecurity-falco-0.34.1-tests/test/trace_files/k8s_audit");
    let mut files: Vec<_> = std::fs::read_dir(&traces)
        .expect("trace files")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let lines: Vec<String> = files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .expect("readable trace")
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
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
                    let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
                    event.raw = RawRecord::json(line.as_str())
                        .with_cut_plan(logsec_parse::cut_plan(SourceFormat::K8sAudit));
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
                    let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
                    event.raw = RawRecord::json(line.as_str())
                        .with_cut_plan(logsec_parse::cut_plan(SourceFormat::K8sAudit));
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
