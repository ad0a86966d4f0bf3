//! Writes synthetic CloudTrail JSON lines for throughput runs of the CLI:
//! `cargo run --release -p logsec-benches --example write_cloudtrail -- DIR TOTAL_MB FILES`
//! writes FILES files of TOTAL_MB / FILES MiB each (`ct-0.jsonl`, …) into DIR.

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "ct-bench".into()));
    let total_mb: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let files: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4).max(1);
    std::fs::create_dir_all(&dir)?;
    for i in 0..files {
        let data =
            logsec_benches::gen_json::cloudtrail_json_lines((total_mb << 20) / files, i as u64 + 1);
        let path = dir.join(format!("ct-{i}.jsonl"));
        std::fs::write(&path, &data)?;
        println!("{} {} bytes", path.display(), data.len());
    }
    Ok(())
}
