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
