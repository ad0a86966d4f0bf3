//! Run a Sigma rule over events: load it into an `Engine`, feed parsed CloudTrail records.
use logsec::event::{Alert, Event};
use logsec::parse::{ParseOptions, parse_reader};
use logsec::rules::{Engine, EngineOptions, RuleFile};

const RULE: &str = r#"
title: Bucket listing from outside the VPC
id: 0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: ListBuckets}
  filter: {sourceIPAddress|cidr: 10.0.0.0/8}
  condition: selection and not filter
level: medium
"#;

const LOGS: &str = r#"{"eventVersion":"1.09","eventTime":"2026-01-01T00:01:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","eventID":"ev-1","eventType":"AwsApiCall","recipientAccountId":"1"}
{"eventVersion":"1.09","eventTime":"2026-01-01T00:02:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.5","eventID":"ev-2","eventType":"AwsApiCall","recipientAccountId":"1"}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::load(
        &[RuleFile::new("rule.yml", RULE)],
        &EngineOptions::default(),
    );
    assert!(!engine.has_errors(), "{:?}", engine.report());
    let (mut state, mut alerts) = (engine.new_state(), Vec::<Alert>::new());
    parse_reader(
        LOGS.as_bytes(),
        &ParseOptions::default(),
        &mut |event: &Event<'_>| engine.process(event, &mut state, &mut alerts),
    )?;
    engine.finish(&mut state, &mut alerts);
    for alert in &alerts {
        let ids: Vec<&str> = alert
            .finding_info
            .related_events
            .iter()
            .map(|r| r.uid.as_str())
            .collect();
        println!(
            "{}: {} {ids:?}",
            alert.severity().name(),
            alert.finding_info.title
        );
    }
    assert_eq!(alerts.len(), 1);
    Ok(())
}

#[cfg(test)]
#[test]
fn runs() {
    assert!(main().is_ok());
}
