//! logsec next to its peers, in one run, on the same generated CloudTrail JSON lines × all
//! SigmaHQ AWS CloudTrail rules (read from `../shared/corpus/sigma`; skipped with a message
//! when absent), plus the parse-only baselines and logsec with Falco's k8s-audit rules.
//!
//! ```text
//! cargo bench -p logsec-benches --bench peers -- --warm-up-time 2 --measurement-time 5
//! python3 benches/report.py > BENCHMARKS.md
//! ```
//!
//! Every figure is events per second of one core: time is the benchmark thread's own CPU time
//! (Linux `/proc/thread-self/schedstat`), so a busy shared machine slows the run down but does
//! not skew the figures much; elsewhere it falls back to wall time. Each engine starts from the
//! same bytes (one JSON record per line) and does its own JSON parsing.
//!
//! `LOGSEC_BENCH_EVENTS` sets the number of generated events (default 20 000).
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logsec_benches::gen_json;
use logsec_parse::{ParseOptions, parse_slice, parse_slice_deferred};
use logsec_rules::falco::RuleFile;
use logsec_rules::sigma::{SigmaConfig, SigmaLoader, SigmaRules};
use logsec_rules::{Engine, EngineOptions};

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: ../shared not found");
        None
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(path);
        }
    }
    out.sort();
}

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

fn lines(bytes: &[u8]) -> Vec<&str> {
    std::str::from_utf8(bytes)
        .expect("generated input is UTF-8")
        .lines()
        .filter(|l| !l.is_empty())
        .collect()
}

/// [`logsec_benches::sigma_scan`]: the headline, as a scan runs it.
fn logsec_sigma(rules: &SigmaRules, input: &[u8]) -> usize {
    logsec_benches::sigma_scan(rules, input).expect("generated input parses")
}

/// Parse + normalize every record, then rules: the number of (rule, event) matches.
fn logsec_sigma_eager(rules: &SigmaRules, input: &[u8]) -> usize {
    let mut scratch = Vec::new();
    let mut matches = 0;
    parse_slice(input, &ParseOptions::default(), |event| {
        scratch.clear();
        rules.matches(event, &mut scratch);
        matches += scratch.len();
    })
    .expect("generated input parses");
    matches
}

/// Parse + normalize only, no rules: logsec's own ceiling for the rows with rules.
fn logsec_parse_only(input: &[u8]) -> usize {
    let mut events = 0;
    parse_slice(input, &ParseOptions::default(), |event| {
        events += usize::from(event.api.is_some());
    })
    .expect("generated input parses");
    events
}

/// Parse + normalize + the raw record's JSON tree (what any rule reading a raw path needs
/// today), no rules.
fn logsec_parse_tree(input: &[u8]) -> usize {
    let mut events = 0;
    parse_slice(input, &ParseOptions::default(), |event| {
        events += usize::from(event.raw.tree().is_some());
    })
    .expect("generated input parses");
    events
}

/// The same, building the OCSF Detection Finding alert of every match from the normalized
/// event.
fn logsec_sigma_alerts(rules: &SigmaRules, input: &[u8]) -> usize {
    let mut alerts = Vec::new();
    logsec_benches::sigma_scan_each(rules, input, |matched, event| {
        for one in matched {
            alerts.extend(rules.alert(*one, event));
        }
    })
    .expect("generated input parses");
    alerts.len()
}

fn sigma_rust_matches(rules: &[sigma_rust::Rule], records: &[&str]) -> usize {
    records
        .iter()
        .map(|l| {
            let event = sigma_rust::event_from_json(l).expect("valid JSON");
            rules.iter().filter(|r| r.is_match(&event)).count()
        })
        .sum()
}

fn peers(c: &mut Criterion) {
    let Some(shared) = shared() else { return };
    let events: usize = std::env::var("LOGSEC_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    // About 1.3 KB per generated record; generate a little more and keep `events` lines.
    let bytes = gen_json::cloudtrail_json_lines(events * 1500, 7);
    let all = lines(&bytes);
    let records: Vec<&str> = all.iter().take(events).copied().collect();
    let mut jsonl = records.join("\n").into_bytes();
    jsonl.push(b'\n');
    let n = records.len() as u64;

    let mut rule_files = Vec::new();
    yaml_files(
        &shared.join("sigma/rules/cloud/aws/cloudtrail"),
        &mut rule_files,
    );
    let texts: Vec<(String, String)> = rule_files
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap()))
        .collect();
    eprintln!(
        "peers: {n} CloudTrail events ({} bytes), {} SigmaHQ AWS rules",
        jsonl.len(),
        texts.len()
    );

    let mut loader = SigmaLoader::new(SigmaConfig::default());
    for (path, text) in &texts {
        loader.add_file(path.clone(), text.clone());
    }
    let mut sigma = loader.load().expect("SigmaHQ AWS rules load");
    // `logsec_parse_normalize_rules` measures the raw-bytes prefilter on, `logsec_no_prefilter`
    // off (the default, as the first run showed the prefilter does not pay on this data).
    sigma.set_raw_prefilter(true);
    let mut sigma_unfiltered = sigma.clone();
    sigma_unfiltered.set_raw_prefilter(false);

    let rsigma = logsec_benches::rsigma_engine(&texts);
    let sigma_rust: Vec<sigma_rust::Rule> = texts
        .iter()
        .filter_map(|(path, text)| match sigma_rust::rule_from_yaml(text) {
            Ok(rule) => Some(rule),
            Err(err) => {
                eprintln!("sigma-rust does not parse {path}: {err}");
                None
            }
        })
        .collect();
    eprintln!(
        "rules compiled: logsec {}, rsigma-eval {}, sigma-rust {}",
        sigma.rule_set().len(),
        rsigma.rule_count(),
        sigma_rust.len()
    );

    eprintln!("logsec index: {:?}", sigma.rule_set().index_summary());
    eprintln!(
        "matches per pass: logsec {} (prefilter off: {}, eager normalization: {}), rsigma-eval {}, sigma-rust {}",
        logsec_sigma(&sigma, &jsonl),
        logsec_sigma(&sigma_unfiltered, &jsonl),
        logsec_sigma_eager(&sigma_unfiltered, &jsonl),
        logsec_benches::rsigma_matches(&rsigma, &records),
        sigma_rust_matches(&sigma_rust, &records)
    );

    let mut group = c.benchmark_group("cloudtrail_sigmahq_aws");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n));
    group.bench_function("serde_json_value_parse", |b| {
        b.iter_custom(|iters| {
            measure(iters, || {
                records
                    .iter()
                    .map(|l| {
                        let v: serde_json::Value = serde_json::from_str(l).expect("valid JSON");
                        usize::from(v.is_object())
                    })
                    .sum()
            })
        })
    });
    group.bench_function("typed_borrowed_parse", |b| {
        b.iter_custom(|iters| {
            measure(iters, || {
                records
                    .iter()
                    .map(|l| usize::from(logsec_benches::typed_parse(l)))
                    .sum()
            })
        })
    });
    group.bench_function("logsec_parse_only", |b| {
        b.iter_custom(|iters| measure(iters, || logsec_parse_only(black_box(&jsonl))))
    });
    group.bench_function("logsec_parse_tree", |b| {
        b.iter_custom(|iters| measure(iters, || logsec_parse_tree(black_box(&jsonl))))
    });
    group.bench_function("logsec_parse_normalize_rules", |b| {
        b.iter_custom(|iters| measure(iters, || logsec_sigma(&sigma, black_box(&jsonl))))
    });
    group.bench_function("logsec_no_prefilter", |b| {
        b.iter_custom(|iters| measure(iters, || logsec_sigma(&sigma_unfiltered, black_box(&jsonl))))
    });
    group.bench_function("logsec_eager_normalize", |b| {
        b.iter_custom(|iters| {
            measure(iters, || {
                logsec_sigma_eager(&sigma_unfiltered, black_box(&jsonl))
            })
        })
    });
    group.bench_function("logsec_with_alerts", |b| {
        b.iter_custom(|iters| {
            measure(iters, || {
                logsec_sigma_alerts(&sigma_unfiltered, black_box(&jsonl))
            })
        })
    });
    group.bench_function("rsigma_eval", |b| {
        b.iter_custom(|iters| {
            measure(iters, || {
                logsec_benches::rsigma_matches(&rsigma, black_box(&records))
            })
        })
    });
    group.bench_function("sigma_rust", |b| {
        b.iter_custom(|iters| {
            measure(iters, || {
                sigma_rust_matches(&sigma_rust, black_box(&records))
            })
        })
    });
    group.finish();

    // logsec with Falco's k8s-audit rules on generated Kubernetes audit events.
    let falco_rules =
        shared.join("falco/falcosecurity-plugins/plugins/k8saudit/rules/k8s_audit_rules.yaml");
    let Ok(text) = std::fs::read_to_string(&falco_rules) else {
        eprintln!("skipping k8s audit: {} not found", falco_rules.display());
        return;
    };
    let engine = Engine::load(
        &[RuleFile::new(falco_rules.display().to_string(), text)],
        &EngineOptions::default(),
    );
    let k8s_bytes = gen_json::k8s_audit_json_lines(events * 1000, 11);
    let k8s_lines = lines(&k8s_bytes);
    let k8s_records: Vec<&str> = k8s_lines.iter().take(events).copied().collect();
    let mut k8s = k8s_records.join("\n").into_bytes();
    k8s.push(b'\n');
    eprintln!(
        "k8s audit: {} events, {} Falco rules active",
        k8s_records.len(),
        engine.active_rules()
    );
    let mut group = c.benchmark_group("k8s_audit_falco");
    group.sample_size(10);
    group.throughput(Throughput::Elements(k8s_records.len() as u64));
    group.bench_function("logsec_parse_normalize_rules", |b| {
        b.iter_custom(|iters| {
            measure(iters, || {
                // As a scan runs them: records matched through their raw view, the matched
                // ones normalized and processed (alerts built).
                let mut state = engine.new_state();
                let mut alerts = Vec::new();
                let mut scratch = Vec::new();
                parse_slice_deferred(
                    black_box(&k8s[..]),
                    &ParseOptions::default(),
                    |format| engine.reads_raw_only(format),
                    |pending| {
                        if !pending.is_normalized()
                            && !engine.matches_any(pending.event(), &mut scratch)
                        {
                            return;
                        }
                        if let Some(event) = pending.normalize() {
                            engine.process(event, &mut state, &mut alerts);
                        }
                    },
                )
                .expect("generated input parses");
                alerts.len()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, peers);
criterion_main!(benches);
