//! The analysis keeps aggregates, not events: many calls with distinct resources leave bounded
//! state, and the analyzer can be fed from parsed `Event`s as well as raw records.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use logsec_event::{Event, JsonValue, RawRecord, SourceFormat, ocsf};
use logsec_iam::{
    Analyzer, Authorization, CloudTrailCall, MAX_RESOURCES_PER_ACTION, ReportOptions, Windows,
};
use serde_json::json;

fn record(i: u64, bucket: u64) -> String {
    // 2026-01-01T00:00:00Z plus one minute per call.
    let time = chrono::DateTime::from_timestamp(1_767_225_600 + 60 * i as i64, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ");
    format!(
        r#"{{"eventTime":"{time}","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"id-{i}",
        "eventCategory":"Data","readOnly":true,"recipientAccountId":"1",
        "userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::1:user/u","userName":"u"}},
        "requestParameters":{{"bucketName":"b{bucket}","key":"k/{i}"}}}}"#
    )
}

#[test]
fn distinct_resources_do_not_grow_state() {
    let authz = Authorization::from_json(&json!({"Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b*"}]}))
    .unwrap();
    let calls = 20_000u64;
    let newest = 1_767_225_600_000 + 60_000 * (calls as i64 - 1);
    let windows = Windows::new(newest, &ReportOptions::default()).unwrap();
    let mut analyzer = Analyzer::new(authz, windows);
    for i in 0..calls {
        let text = record(i, i % 3);
        let tree = JsonValue::parse(&text).unwrap();
        analyzer.add(&CloudTrailCall::from_json(&tree).unwrap());
    }
    let report = analyzer.finish(vec![]);
    assert_eq!(report.input.records, calls);
    let used = &report.principals[0].used[0];
    assert_eq!(used.action, "s3:GetObject");
    assert_eq!(used.count, calls);
    assert_eq!(used.resources.len(), MAX_RESOURCES_PER_ACTION);
    assert!(used.resources_truncated);
    // The suggested policy widens object ARNs to their buckets, so it stays exact.
    assert_eq!(
        report.principals[0].suggested_policy["Statement"][0]["Resource"],
        json!([
            "arn:aws:s3:::b0/*",
            "arn:aws:s3:::b1/*",
            "arn:aws:s3:::b2/*"
        ])
    );
    // The plain document applies to the principal seen in the log.
    assert_eq!(used.granted_by, ["document:document#0"]);
}

#[test]
fn calls_from_events_equal_calls_from_records() {
    let text = record(7, 1);
    let mut event = Event::new(&ocsf::API_ACTIVITY, 2, SourceFormat::Cloudtrail);
    event.raw = RawRecord::json(text.clone());
    let from_event = CloudTrailCall::from_event(&event).unwrap();
    let tree = JsonValue::parse(&text).unwrap();
    let from_record = CloudTrailCall::from_json(&tree).unwrap();
    assert_eq!(from_event, from_record);
    assert_eq!(from_event.event_id, Some("id-7"));
    assert_eq!(from_event.request_str("bucketName"), Some("b1"));

    let mut text_event = Event::new(&ocsf::API_ACTIVITY, 2, SourceFormat::Cloudtrail);
    text_event.raw = RawRecord::text("not json");
    assert_eq!(
        CloudTrailCall::from_event(&text_event)
            .unwrap_err()
            .to_string(),
        "CloudTrail record: raw is not a JSON record"
    );
}
