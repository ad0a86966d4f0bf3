//! The partitioned plan (`detect_partition_event` per data partition, `correlate_partition` per
//! correlation partition) over the demo incident with the bundled pack equals `Pipeline::scan`,
//! alert for alert and field for field, whatever way the events are split.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use logsec::event::{Alert, Event};
use logsec::rules::sigma::{CorrelationInput, CorrelationPartition};
use logsec::{Input, Pipeline, correlate_partition, detect_partition_event};

fn demo_inputs() -> Vec<Input> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "gz"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 6);
    files.into_iter().map(Input::Path).collect()
}

fn key(alert: &Alert) -> (String, String) {
    (alert.uid().to_owned(), alert.unmapped.rule.id.clone())
}

#[test]
fn partitioned_scan_of_the_demo_equals_the_pipeline_scan() {
    let pipeline = Pipeline::builder().threads(1).build();
    let inputs = demo_inputs();
    let mut expected = Vec::new();
    pipeline
        .scan(&inputs, &mut |alert| expected.push(alert.clone()))
        .unwrap();
    expected.sort_by_key(key);
    let correlation_alerts = expected
        .iter()
        .filter(|a| a.finding_info.related_events.len() > 1)
        .count();
    assert!(correlation_alerts >= 5, "{correlation_alerts}");

    let mut events: Vec<Event<'static>> = Vec::new();
    pipeline
        .parse(&inputs, &mut |event| {
            events.push(event.clone().into_owned())
        })
        .unwrap();
    let engine = pipeline.engine();
    for parts in [3, 8] {
        // Round robin: every correlation group is spread over all data partitions.
        let mut alerts = Vec::new();
        let mut inputs: Vec<CorrelationInput> = Vec::new();
        for part in 0..parts {
            let mut scratch = Vec::new();
            for (i, event) in events.iter().enumerate() {
                if i % parts == part {
                    detect_partition_event(engine, event, &mut scratch, &mut alerts, &mut inputs);
                }
            }
        }
        let partitioner = engine.correlation_partitioner();
        let mut groups: BTreeMap<CorrelationPartition, Vec<CorrelationInput>> = BTreeMap::new();
        for input in inputs {
            groups
                .entry(partitioner.partition(&input))
                .or_default()
                .push(input);
        }
        assert!(groups.len() > 10, "{} correlation partitions", groups.len());
        for (_, group) in groups {
            alerts.extend(correlate_partition(engine, group));
        }
        alerts.sort_by_key(key);
        assert_eq!(alerts, expected, "{parts} data partitions");
    }
}
