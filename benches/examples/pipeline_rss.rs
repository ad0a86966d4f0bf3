//! Peak memory (RSS) of a streaming scan of a big CloudTrail file through `logsec::Pipeline`.
//!
//! Two steps, two processes, so that writing the file counts for nothing in the scan's peak:
//!
//! ```text
//! cargo run --release -p logsec-benches --example pipeline_rss -- write /tmp/trail-1300.jsonl 1300
//! cargo run --release -p logsec-benches --example pipeline_rss -- scan /tmp/trail-1300.jsonl 2
//! ```
//!
//! `write PATH MIB` streams about MIB MiB of generated CloudTrail JSON lines to PATH (gzip if
//! PATH ends in `.gz`; a `{"Records":[…]}` document if it ends in `.json`). `scan PATH
//! [THREADS]` scans it with the bundled rule pack and prints events, alerts, wall time and the
//! process's peak resident set (`VmHWM` in `/proc/self/status`, Linux). The issue's goal is a
//! peak of at most 64 MiB for a 1.3 GB file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use logsec_benches::gen_json::{Rng, cloudtrail_record};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("write") => {
            let path = args.get(1).ok_or("write PATH MIB")?;
            let mib: u64 = args.get(2).ok_or("write PATH MIB")?.parse()?;
            write(path, mib << 20)
        }
        Some("scan") => {
            let path = args.get(1).ok_or("scan PATH [THREADS]")?;
            let threads: usize = match args.get(2) {
                Some(t) => t.parse()?,
                None => 2,
            };
            scan(path, threads)
        }
        _ => Err("usage: pipeline_rss write PATH MIB | scan PATH [THREADS]".into()),
    }
}

fn write(path: &str, target: u64) -> Result<(), Box<dyn std::error::Error>> {
    let file = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut out: Box<dyn Write> = if path.ends_with(".gz") {
        Box::new(flate2::write::GzEncoder::new(
            file,
            flate2::Compression::fast(),
        ))
    } else {
        Box::new(file)
    };
    let records = path.ends_with(".json");
    let (open, separator, close): (&[u8], &[u8], &[u8]) = if records {
        (b"{\"Records\":[", b",", b"]}")
    } else {
        (b"", b"", b"")
    };
    out.write_all(open)?;
    let mut rng = Rng::new(7);
    let (mut written, mut i) = (0u64, 0usize);
    while written < target {
        if i > 0 {
            out.write_all(separator)?;
        }
        let record = cloudtrail_record(&mut rng, i);
        out.write_all(record.as_bytes())?;
        if !records {
            out.write_all(b"\n")?;
        }
        written += record.len() as u64 + 1;
        i += 1;
    }
    out.write_all(close)?;
    out.flush()?;
    drop(out);
    println!("{path}: {i} records, {written} bytes of JSON");
    Ok(())
}

fn scan(path: &str, threads: usize) -> Result<(), Box<dyn std::error::Error>> {
    let pipeline = logsec::Pipeline::builder().threads(threads).build();
    let started = Instant::now();
    let mut alerts = 0u64;
    let report = pipeline.scan(&[logsec::Input::Path(path.into())], &mut |_| alerts += 1)?;
    let elapsed = started.elapsed();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap_or("VmHWM: unknown (not Linux)");
    println!(
        "{path}: {} events, {} rejects, {alerts} alerts, {threads} threads, {:.2} s, peak {}",
        report.events(),
        report.rejects(),
        elapsed.as_secs_f64(),
        peak.trim_start_matches("VmHWM:").trim()
    );
    Ok(())
}
