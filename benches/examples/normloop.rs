//! Normalization cost of a deferred scan: `normloop EVENTS PASSES [cloudtrail|k8s]` generates
//! the `peers` CloudTrail lines (or the `k8s_audit_falco` bench's audit events) and times (best pass of PASSES, ns per record) a deferred scan that
//! normalizes no record, one that normalizes every record, and the eager parse.

use std::time::Instant;

use logsec_parse::{ParseOptions, parse_reader, parse_reader_deferred};

fn best(passes: usize, records: usize, mut pass: impl FnMut() -> usize) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut seen = 0;
    for _ in 0..passes {
        let start = Instant::now();
        seen = pass();
        best = best.min(start.elapsed().as_nanos() as f64 / records as f64);
    }
    (best, seen)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let events: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let passes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let input = match args.next().as_deref() {
        Some("k8s") => logsec_benches::gen_json::k8s_audit_json_lines(events * 900, 7),
        _ => logsec_benches::gen_json::cloudtrail_json_lines(events * 1400, 7),
    };
    let records = input.iter().filter(|&&b| b == b'\n').count();
    let options = ParseOptions::default();
    let deferred = |normalize: bool| {
        let mut n = 0;
        parse_reader_deferred(
            input.as_slice(),
            &options,
            |_| true,
            |pending| {
                if !normalize || pending.normalize().is_some() {
                    n += 1;
                }
            },
        )
        .map_or(0, |_| n)
    };
    let (none, a) = best(passes, records, || deferred(false));
    let (all, b) = best(passes, records, || deferred(true));
    let (eager, c) = best(passes, records, || {
        let mut n = 0;
        parse_reader(input.as_slice(), &options, |_| n += 1).map_or(0, |_| n)
    });
    println!(
        "{records} records: deferred {none:.0} ns, deferred+normalize {all:.0} ns (normalize {:.0} ns), eager {eager:.0} ns [{a} {b} {c}]",
        all - none
    );
}
