//! A program sink whose real subprocess exits midway.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{alert, first_occurrences, temp_dir};
use logsec_event::Alert;
use logsec_sinks::{ProgramSink, Router, SinkSpec};

#[test]
fn a_program_that_exits_after_three_lines_is_restarted_and_nothing_is_lost() {
    let dir = temp_dir("program");
    let output = dir.join("out.jsonl");
    let starts = dir.join("starts");
    let script = format!(
        "echo started >> '{}'; head -n 3 >> '{}'",
        starts.display(),
        output.display()
    );
    let sink = ProgramSink::builder(["sh", "-c", script.as_str()])
        .batch(8, Duration::from_millis(5))
        .build()
        .unwrap();
    let router = Router::builder()
        .spool_dir(dir.join("spool"))
        .sink(SinkSpec::new("program", sink))
        .build()
        .unwrap();
    let sent: Vec<Alert> = (0..20).map(alert).collect();
    for alert in &sent {
        router.send(alert.clone()).unwrap();
    }
    assert!(
        router.flush(Duration::from_secs(20)),
        "{:?}",
        router.health()
    );
    let health = router.close();
    assert_eq!(health[0].counters.failed, 0);
    let text = std::fs::read_to_string(&output).unwrap();
    let received: Vec<String> = text
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            value["finding_info"]["uid"].as_str().unwrap().to_owned()
        })
        .collect();
    let expected: Vec<String> = sent.iter().map(|a| a.uid().to_owned()).collect();
    assert_eq!(first_occurrences(&received), expected);
    let runs = std::fs::read_to_string(&starts).unwrap().lines().count();
    assert!(
        runs >= 7,
        "20 alerts at 3 per run need at least 7 runs, saw {runs}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_program_that_stops_reading_cannot_block_the_router() {
    let dir = temp_dir("program-hung");
    // `sleep` never reads its stdin: once the pipe is full, writes block.
    let sink = ProgramSink::builder(["sleep", "3"])
        .write_timeout(Duration::from_millis(200))
        .max_restarts_per_batch(2)
        .batch(64, Duration::ZERO)
        .build()
        .unwrap();
    let router = Router::builder()
        .spool_dir(dir.join("spool"))
        .close_timeout(Duration::from_millis(500))
        .sink(SinkSpec::new("program", sink).queue_capacity(16))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    for n in 0..400 {
        let mut a = alert(n);
        a.message = "x".repeat(2_000);
        router.send(a).unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "send stays bounded: {:?}",
        started.elapsed()
    );
    std::thread::sleep(Duration::from_millis(1_500));
    let started = std::time::Instant::now();
    let health = router.close();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "close stays bounded: {:?}",
        started.elapsed()
    );
    let counters = health[0].counters;
    assert!(counters.retried > 0, "{counters:?}");
    assert!(counters.spooled > 0, "{counters:?}");
    assert_eq!(counters.failed, 0, "{counters:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
