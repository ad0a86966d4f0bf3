//! A fixed amount of text parsing, for before/after comparisons on a busy host.
//!
//! ```text
//! cargo build --profile bench -p logsec-parse --example textloop
//! textloop FORMAT FILE REPS [ENVOY_FORMAT]
//! ```
//!
//! Parses every line of FILE as FORMAT (`vpc_flow`, `web_access`, `envoy`, …) REPS times through
//! `parse_lines_for_bench`, the function the `parse_text` criterion bench times, and prints the
//! number of events. Criterion's wall-clock medians drift 20–30 % between runs on a shared
//! machine; a fixed workload can be counted instead: instructions per line with
//! `valgrind --tool=cachegrind` (the difference between REPS 3 and REPS 1, divided by twice
//! the line count, is exact and repeatable), or CPU time with `perf stat -e task-clock`.
//! Write the bench's inputs with `LOGSEC_BENCH_DUMP_DIR=dir` (see `benches/benches/parse_text.rs`).

use std::process::ExitCode;

use logsec_event::SourceFormat;
use logsec_parse::{ParseOptions, parse_lines_for_bench};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(format), Some(file), Some(reps)) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("usage: textloop FORMAT FILE REPS [ENVOY_FORMAT]");
        return ExitCode::from(2);
    };
    let format: SourceFormat = match format.parse() {
        Ok(format) => format,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::from(2);
        }
    };
    let Ok(reps) = reps.parse::<usize>() else {
        eprintln!("REPS must be a number");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("{file}: {err}");
            return ExitCode::from(1);
        }
    };
    // The options of the criterion bench.
    let options = ParseOptions {
        syslog_year: Some(2023),
        envoy_format: args.get(3).cloned(),
        ..ParseOptions::default()
    };
    let mut events = 0;
    for _ in 0..reps {
        match parse_lines_for_bench(format, std::hint::black_box(&text), &options) {
            Some((count, _)) => events += count,
            None => {
                eprintln!("{format} is not a line-oriented format");
                return ExitCode::from(2);
            }
        }
    }
    println!("{events}");
    ExitCode::SUCCESS
}
