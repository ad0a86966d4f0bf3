//! Falco's k8s-audit rules over a Kubernetes audit stream: all 48 rules of the upstream
//! `k8s_audit_rules.yaml` (plugins HEAD), `rule_matching: all`, over the 52 audit events of
//! Falco's k8s-audit trace files (Apache-2.0, `../shared/corpus/falco`). Per event: build the
//! event from the JSON line (the JSON is parsed on first field access, so parsing is included),
//! then evaluate every rule the index selects. Skipped when `../shared` is absent.

// A benchmark may stop on an unreadable fixture.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logsec_event::{Event, RawRecord, SourceFormat, ocsf};
use logsec_rules::falco::{LoadOptions, load_paths};

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
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("all_rules_parse_included", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            let mut matched = 0usize;
            for line in &lines {
                let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
                event.raw = RawRecord::json(line.as_str());
                out.clear();
                set.matches(&event, &mut out);
                matched += out.len();
            }
            black_box(matched)
        })
    });
    // The floor: building the events and parsing their JSON, no rules.
    group.bench_function("parse_only", |b| {
        b.iter(|| {
            let mut members = 0usize;
            for line in &lines {
                let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
                event.raw = RawRecord::json(line.as_str());
                members += event.raw.tree().map_or(0, |t| t.depth());
            }
            black_box(members)
        })
    });
    group.finish();
}

criterion_group!(benches, k8s_audit_rules);
criterion_main!(benches);
