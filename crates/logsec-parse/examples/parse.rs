//! Parses log files and prints OCSF JSON lines to stdout and a per-file summary to stderr.
//!
//! ```text
//! cargo run -p logsec-parse --example parse -- [--format NAME] [--quiet] FILE…
//! ```
//!
//! `-` reads stdin. `--quiet` prints only the summaries.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use logsec_event::SourceFormat;
use logsec_parse::{ParseOptions, parse_path};

fn main() -> ExitCode {
    let mut format = None;
    let mut quiet = false;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--format" => match args.next().map(|name| name.parse::<SourceFormat>()) {
                Some(Ok(f)) => format = Some(f),
                Some(Err(err)) => {
                    eprintln!("{err}");
                    return ExitCode::from(2);
                }
                None => {
                    eprintln!("--format needs a name");
                    return ExitCode::from(2);
                }
            },
            "--quiet" | "-q" => quiet = true,
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        eprintln!("usage: parse [--format NAME] [--quiet] FILE…");
        return ExitCode::from(2);
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed = false;
    for file in &files {
        let options = ParseOptions {
            format,
            ..ParseOptions::default()
        };
        let result = parse_path(file, &options, |event| {
            if !quiet {
                let _ = writeln!(out, "{}", event.to_ocsf_json());
            }
        });
        match result {
            Ok(summary) => {
                let format = summary.format.map_or("-", SourceFormat::name);
                eprintln!(
                    "{file}: format {format}, {} records, {} events, {} rejects, {} skipped",
                    summary.records,
                    summary.events,
                    summary.rejects.len(),
                    summary.skipped
                );
                for note in &summary.notes {
                    eprintln!("  note: {} (×{})", note.message, note.count);
                }
                for reject in &summary.rejects {
                    eprintln!("  reject: {reject}");
                    eprintln!("          {:?}", reject.snippet);
                }
            }
            Err(err) => {
                eprintln!("{file}: error: {err}");
                failed = true;
            }
        }
    }
    let _ = out.flush();
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
