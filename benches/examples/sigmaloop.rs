//! A fixed amount of the `peers` headline work, for `perf record` / `perf stat` on a busy host:
//! `sigmaloop EVENTS REPS [eager|deferred|records|parse|typed|index|rsigma|probe|rules]` generates EVENTS CloudTrail JSON lines
//! (the `peers` bench's generator and seed), loads the SigmaHQ AWS CloudTrail rules from
//! `../shared/corpus`, and runs the scan path (deferred: validated, matched through the raw
//! view, matched records normalized) REPS times, printing the matches of one pass. `probe`
//! stops the scan path after the validating pass, `rules` after matching (no normalization):
//! the differences split a record's cost into its three stages.
//!
//! ```text
//! cargo build --profile bench -p logsec-benches --example sigmaloop
//! perf stat -e task-clock,instructions target/release/examples/sigmaloop 20000 10
//! ```

use std::path::{Path, PathBuf};

use logsec_parse::{ParseOptions, parse_slice};
use logsec_rules::sigma::{SigmaConfig, SigmaLoader, SigmaRules};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(path);
        }
    }
}

fn deferred(rules: &SigmaRules, input: &[u8]) -> usize {
    logsec_benches::sigma_scan(rules, input).unwrap_or_else(|err| {
        eprintln!("parse error: {err}");
        0
    })
}

fn eager(rules: Option<&SigmaRules>, input: &[u8]) -> usize {
    let mut scratch = Vec::new();
    let mut matches = 0;
    let result = parse_slice(input, &ParseOptions::default(), |event| {
        if let Some(rules) = rules {
            scratch.clear();
            rules.matches(event, &mut scratch);
            matches += scratch.len();
        } else {
            matches += 1;
        }
    });
    if let Err(err) = result {
        eprintln!("parse error: {err}");
    }
    matches
}

fn main() {
    let mut args = std::env::args().skip(1);
    let events: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let reps: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let mode = args.next().unwrap_or_else(|| "deferred".into());
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    let mut files = Vec::new();
    yaml_files(&shared.join("sigma/rules/cloud/aws/cloudtrail"), &mut files);
    if files.is_empty() {
        eprintln!("skipping: ../shared not found");
        return;
    }
    let texts: Vec<(String, String)> = files
        .iter()
        .filter_map(|path| {
            Some((
                path.display().to_string(),
                std::fs::read_to_string(path).ok()?,
            ))
        })
        .collect();
    let mut loader = SigmaLoader::new(SigmaConfig::default());
    for (path, text) in &texts {
        loader.add_file(path.clone(), text.clone());
    }
    let rules = match loader.load() {
        Ok(rules) => rules,
        Err(err) => {
            eprintln!("rules do not load: {err}");
            return;
        }
    };
    if mode == "index" {
        eprintln!("{:?}", rules.rule_set().index_summary());
    }
    let bytes = logsec_benches::gen_json::cloudtrail_json_lines(events * 1500, 7);
    let text = String::from_utf8_lossy(&bytes);
    let mut input: Vec<u8> = text
        .lines()
        .filter(|l| !l.is_empty())
        .take(events)
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes();
    input.push(b'\n');
    if mode == "records" {
        // The same records as one `{"Records":[…]}` file, as S3 delivers them.
        let text = String::from_utf8_lossy(&input);
        let records: Vec<&str> = text.lines().collect();
        input = format!("{{\"Records\":[{}]}}\n", records.join(",")).into_bytes();
    }
    // The peer, on the same lines (`rsigma` mode).
    let rsigma = (mode == "rsigma").then(|| logsec_benches::rsigma_engine(&texts));
    let lines: Vec<String> = String::from_utf8_lossy(&input)
        .lines()
        .map(str::to_owned)
        .collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let mut last = 0;
    for _ in 0..reps {
        last = match mode.as_str() {
            "eager" => eager(Some(&rules), &input),
            "parse" => eager(None, &input),
            "rsigma" => rsigma
                .as_ref()
                .map_or(0, |engine| logsec_benches::rsigma_matches(engine, &lines)),
            "typed" => std::str::from_utf8(&input)
                .map(|text| {
                    text.lines()
                        .filter(|l| logsec_benches::typed_parse(l))
                        .count()
                })
                .unwrap_or(0),
            "probe" | "rules" => {
                let mut n = 0;
                let mut scratch = Vec::new();
                let with_rules = mode == "rules";
                let _ = logsec_parse::parse_slice_deferred(
                    &input,
                    &ParseOptions::default(),
                    |format| rules.rule_set().reads_raw_only(format),
                    |pending| {
                        if with_rules {
                            scratch.clear();
                            rules.matches(pending.event(), &mut scratch);
                            n += scratch.len();
                        } else {
                            n += 1;
                        }
                    },
                );
                n
            }
            _ => deferred(&rules, &input),
        };
    }
    println!("{mode}: {last} per pass, {} bytes", input.len());
}
