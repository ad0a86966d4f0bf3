//! Parse a log file (format detected, gzip read transparently) into OCSF events.
//!
//! `cargo run -p logsec --example parse_file -- PATH` (default: the demo's CloudTrail file).
use logsec::event::event_uid;
use logsec::parse::{ParseOptions, parse_path};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let demo = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/demo/cloudtrail.jsonl.gz"
    );
    let path = std::env::args().nth(1).unwrap_or_else(|| demo.to_owned());
    let mut events = 0;
    let summary = parse_path(&path, &ParseOptions::default(), |event| {
        events += 1;
        if events <= 3 {
            println!(
                "{} type_uid {} id {}",
                event.time,
                event.type_uid,
                event_uid(event)
            );
        }
    })?;
    println!(
        "{path}: {:?}, {events} events, {} rejects",
        summary.format,
        summary.rejects.len()
    );
    assert!(events > 0);
    Ok(())
}

#[cfg(test)]
#[test]
fn runs() {
    assert!(main().is_ok());
}
