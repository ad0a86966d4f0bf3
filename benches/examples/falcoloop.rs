//! A fixed amount of the `falco_k8s_audit` bench's work, for `perf record` / `perf stat`:
//! `falcoloop PASSES [prefilter]` loads Falco's upstream `k8s_audit_rules.yaml` from `../shared/corpus`
//! and matches every line of Falco 0.34.1's k8s-audit trace files PASSES times, as the
//! bench's `all_rules_parse_included` row does, printing the matches of the last pass.
//!
//! ```text
//! cargo build --profile bench -p logsec-benches --example falcoloop
//! perf stat -e task-clock target/release/examples/falcoloop 200
//! ```

fn main() {
    let passes: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let Some((rules, lines)) = logsec_benches::falco_k8s_workload() else {
        eprintln!("skipping: ../shared not found");
        return;
    };
    let mut set = rules.rule_set();
    // `falcoloop PASSES prefilter`: the raw-bytes literal prefilter on.
    set.set_raw_prefilter(std::env::args().nth(2).is_some_and(|a| a == "prefilter"));
    let mut out = Vec::new();
    let mut matched = 0usize;
    for _ in 0..passes {
        matched = 0;
        for line in &lines {
            let event = logsec_benches::k8s_audit_event(line);
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
