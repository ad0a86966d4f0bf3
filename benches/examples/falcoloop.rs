//! A fixed amount of the `falco_k8s_audit` bench's work, for `perf record` / `perf stat`:
//! `falcoloop PASSES [prefilter]` loads Falco's upstream `k8s_audit_rules.yaml` from `../shared/corpus`
//! and matches every line of Falco 0.34.1's k8s-audit trace files PASSES times, as the
//! bench's `all_rules_parse_included` row does, printing the matches of the last pass.
//!
//! ```text
//! cargo build --profile bench -p logsec-benches --example falcoloop
//! perf stat -e task-clock target/release/examples/falcoloop 200
//! ```

use std::path::Path;

use logsec_event::{Event, RawRecord, SourceFormat, ocsf};
use logsec_rules::falco::{LoadOptions, load_paths};

fn main() {
    let passes: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let falco = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/falco");
    if !falco.is_dir() {
        eprintln!("skipping: ../shared not found");
        return;
    }
    let rules = load_paths(
        &[falco.join("falcosecurity-plugins/plugins/k8saudit/rules/k8s_audit_rules.yaml")],
        &LoadOptions::default(),
    );
    let mut set = rules.rule_set();
    // `falcoloop PASSES prefilter`: the raw-bytes literal prefilter on.
    set.set_raw_prefilter(std::env::args().nth(2).is_some_and(|a| a == "prefilter"));
    let traces = falco.join("falcosecurity-falco-0.34.1-tests/test/trace_files/k8s_audit");
    let mut files: Vec<_> = std::fs::read_dir(&traces)
        .map(|dir| dir.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let lines: Vec<String> = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .flat_map(|text| {
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    let mut out = Vec::new();
    let mut matched = 0usize;
    for _ in 0..passes {
        matched = 0;
        for line in &lines {
            let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
            event.raw = RawRecord::json(line.as_str())
                .with_cut_plan(logsec_parse::cut_plan(SourceFormat::K8sAudit));
            out.clear();
            set.matches(&event, &mut out);
            matched += out.len();
        }
    }
    println!(
        "{} rules, {} lines, {matched} matches per pass",
        set.len(),
        lines.len()
    );
}
