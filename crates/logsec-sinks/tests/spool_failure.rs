//! A spool that cannot be written: a clear error and a nonzero counter, never a silent loss.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{alert, closed_port, temp_dir};
use logsec_sinks::{HealthState, RetryPolicy, Router, SinkSpec, WebhookSink};

fn down_webhook() -> WebhookSink {
    WebhookSink::builder(format!("http://127.0.0.1:{}/", closed_port()))
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap()
}

#[test]
fn a_spool_directory_under_a_regular_file_fails_the_build_clearly() {
    let dir = temp_dir("enotdir-build");
    let file = dir.join("not-a-directory");
    std::fs::write(&file, "x").unwrap();
    let error = Router::builder()
        .spool_dir(file.join("spool"))
        .sink(SinkSpec::new("hook", down_webhook()))
        .build()
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("cannot create spool directory"),
        "{message}"
    );
    assert!(message.contains("not-a-directory/spool/hook"), "{message}");
    assert!(message.contains("Not a directory"), "{message}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_spool_that_breaks_at_run_time_is_counted_and_reported() {
    let dir = temp_dir("enotdir-run");
    let root = dir.join("spool");
    let router = Router::builder()
        .spool_dir(&root)
        .close_timeout(Duration::from_millis(500))
        .sink(
            SinkSpec::new("hook", down_webhook())
                .queue_capacity(2)
                .retry(RetryPolicy {
                    initial: Duration::from_millis(5),
                    max: Duration::from_millis(20),
                    attempts_before_spool: 1,
                }),
        )
        .build()
        .unwrap();
    // Replace the sink's spool directory with a regular file: every spool write now fails
    // with ENOTDIR.
    std::fs::remove_dir_all(root.join("hook")).unwrap();
    std::fs::write(root.join("hook"), "x").unwrap();
    let mut errors = Vec::new();
    for n in 0..10 {
        if let Err(error) = router.send(alert(n)) {
            errors.push(error.to_string());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !errors.is_empty(),
        "a full queue with a broken spool refuses alerts"
    );
    assert!(errors[0].contains("Not a directory"), "{errors:?}");
    let health = router.health();
    assert_eq!(health[0].state, HealthState::Unhealthy);
    assert!(
        health[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("Not a directory"),
        "{health:?}"
    );
    let health = router.close();
    let counters = health[0].counters;
    assert!(counters.failed > 0, "{counters:?}");
    assert_eq!(counters.sent, 0);
    assert_eq!(
        counters.failed + counters.spooled + counters.dropped,
        10,
        "every alert is accounted for: {counters:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
