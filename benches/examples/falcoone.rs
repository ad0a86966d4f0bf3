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

fn main() {
    let mut args = std::env::args().skip(1);
    let passes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let index: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(0);
    let Some((rules, lines)) = logsec_benches::falco_k8s_workload() else {
        eprintln!("skipping: ../shared not found");
        return;
    };
    let set = rules.rule_set();
    if std::env::var_os("SUMMARY").is_some() {
        for row in set.index_summary() {
            eprintln!("{row:?}");
        }
    }
    let Some(line) = lines.get(index) else {
        eprintln!("no line {index}");
        return;
    };
    let mut out = Vec::new();
    for _ in 0..passes {
        let event = logsec_benches::k8s_audit_event(line);
        out.clear();
        set.matches(&event, &mut out);
    }
    println!("line {index}: {} bytes, {} matches", line.len(), out.len());
}
