//! The demo incident (`examples/demo/`): the bundled pack raises exactly the alerts listed in
//! `examples/demo/expected_alerts.json` — same rules, same related records, in the order the
//! pipeline emits them — and nothing on the benign records around them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use logsec::event::{Alert, Event, event_uid};
use logsec::{Input, Pipeline};

/// The demo files, in the order they are given to the pipeline.
const FILES: [&str; 6] = [
    "istio.log.gz",
    "cloudtrail.jsonl.gz",
    "cloudtrail_records.json.gz",
    "s3_access.log.gz",
    "k8s_audit.jsonl.gz",
    "auth.log.gz",
];

fn demo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo")
}

/// (rule title, related record ids) of one alert.
type Summary = (String, Vec<String>);

#[derive(Debug, serde::Deserialize)]
struct Expected {
    alerts: Vec<ExpectedAlert>,
}

#[derive(Debug, serde::Deserialize)]
struct ExpectedAlert {
    title: String,
    kind: String,
    source_file: String,
    fired_at: String,
    trigger_record: String,
    records: Vec<String>,
}

/// Event uid → the record id the expected list uses: the source's own id, or
/// `auth.log:<line>` (1-based) for auth.log lines, which have none.
fn record_names(pipeline: &Pipeline) -> HashMap<String, String> {
    let dir = demo_dir();
    let mut gz =
        flate2::read::GzDecoder::new(std::fs::File::open(dir.join("auth.log.gz")).unwrap());
    let mut text = String::new();
    gz.read_to_string(&mut text).unwrap();
    let mut line_of: HashMap<String, usize> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        line_of.entry(line.to_owned()).or_insert(i + 1);
    }
    let mut names = HashMap::new();
    let inputs: Vec<Input> = FILES.iter().map(|f| Input::Path(dir.join(f))).collect();
    pipeline
        .parse(&inputs, &mut |event: &Event<'_>| {
            let uid = event_uid(event);
            let name = match event.metadata.original_event_uid.as_deref() {
                Some(id) if !id.is_empty() => id.to_owned(),
                _ => match line_of.get(event.raw.as_str()) {
                    Some(line) => format!("auth.log:{line}"),
                    None => uid.clone(),
                },
            };
            names.insert(uid, name);
        })
        .unwrap();
    names
}

#[test]
fn demo_incident_raises_exactly_the_expected_alerts() {
    let pipeline = Pipeline::builder().build();
    let dir = demo_dir();
    let inputs: Vec<Input> = FILES.iter().map(|f| Input::Path(dir.join(f))).collect();
    let mut alerts: Vec<Alert> = Vec::new();
    let report = pipeline
        .scan(&inputs, &mut |alert: &Alert| alerts.push(alert.clone()))
        .unwrap();
    for file in &report.files {
        assert!(file.error.is_none(), "{}: {:?}", file.name, file.error);
        assert!(file.rejects.is_empty(), "{}: {:?}", file.name, file.rejects);
        assert!(file.events > 0, "{}: no events", file.name);
    }
    let names = record_names(&pipeline);
    let got: Vec<Summary> = alerts
        .iter()
        .map(|alert| {
            let records = alert
                .finding_info
                .related_events
                .iter()
                .map(|r| names.get(&r.uid).cloned().unwrap_or_else(|| r.uid.clone()))
                .collect();
            (alert.rule().title.clone(), records)
        })
        .collect();

    let text = std::fs::read_to_string(dir.join("expected_alerts.json")).unwrap();
    let expected: Expected = serde_json::from_str(&text).unwrap();
    assert_eq!(expected.alerts.len(), 44, "the demo lists 44 alerts");
    // The pipeline's order: detection alerts file by file (in input order), each file's in
    // record order; then correlation alerts in the time order of the record that completed
    // them (ties by that record's id).
    let file_index = |name: &str| FILES.iter().position(|f| *f == name).unwrap();
    let mut ordered: Vec<&ExpectedAlert> = expected.alerts.iter().collect();
    ordered.sort_by_key(|a| {
        if a.kind == "correlation" {
            (1, 0, a.fired_at.clone(), a.trigger_record.clone())
        } else {
            (0, file_index(&a.source_file), String::new(), String::new())
        }
    });
    let want: Vec<Summary> = ordered
        .iter()
        .map(|a| (a.title.clone(), a.records.clone()))
        .collect();
    if got != want {
        let missing: Vec<&Summary> = want.iter().filter(|w| !got.contains(w)).collect();
        let extra: Vec<&Summary> = got.iter().filter(|g| !want.contains(g)).collect();
        panic!(
            "{} alerts, {} expected\nmissing: {missing:#?}\nunexpected: {extra:#?}\ngot (in order): {got:#?}",
            got.len(),
            want.len()
        );
    }
    assert_eq!(report.alerts, 44);
}
