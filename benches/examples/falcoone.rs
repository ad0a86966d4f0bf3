//! One event of the `falco_k8s_audit` bench's work, repeated, to see what each event costs:
//! `falcoone PASSES LINE` loads Falco's upstream `k8s_audit_rules.yaml` from `../shared/corpus`
//! and matches line LINE (from 0, in `falcoloop`'s order) of Falco 0.34.1's k8s-audit trace
//! files PASSES times. Under cachegrind, (Ir(PASSES) − Ir(1)) ÷ (PASSES − 1) is that event's
//! instruction count; with `SUMMARY=1` the rule set's index is printed first.
//!
//! ```text
//! cargo build --release -p logsec-benches --example falcoone
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/falcoone 21 43
//! ```

use std::path::Path;

use logsec_event::{Event, RawRecord, SourceFormat, ocsf};
use logsec_rules::falco::{LoadOptions, load_paths};

fn main() {
    let mut args = std::env::args().skip(1);
    let passes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let index: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(0);
    let falco = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/falco");
    if !falco.is_dir() {
        eprintln!("skipping: ../shared not found");
        return;
    }
    let rules = load_paths(
        &[falco.join("falcosecurity-plugins/plugins/k8saudit/rules/k8s_audit_rules.yaml")],
        &LoadOptions::default(),
    );
    let set = rules.rule_set();
    if std::env::var_os("SUMMARY").is_some() {
        for row in set.index_summary() {
            eprintln!("{row:?}");
        }
    }
    let traces = falco.join("falcosecurity-falco-0.34.1-tests/test/trace_files/k8s_audit");
    let mut files: Vec<_> = std::fs::read_dir(&traces)
        .map(|dir| dir.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let line = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .flat_map(|text| {
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .nth(index);
    let Some(line) = line else {
        eprintln!("no line {index}");
        return;
    };
    let mut out = Vec::new();
    for _ in 0..passes {
        let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
        event.raw = RawRecord::json(line.as_str())
            .with_cut_plan(logsec_parse::cut_plan(SourceFormat::K8sAudit));
        out.clear();
        set.matches(&event, &mut out);
    }
    println!("line {index}: {} bytes, {} matches", line.len(), out.len());
}
