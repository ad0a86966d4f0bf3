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

    let windows = Windows::new(from_event.time_ms, &ReportOptions::default()).unwrap();
    let mut analyzer = Analyzer::new(Authorization::default(), windows);
    analyzer.add_event(&event);
    analyzer.add_json(&tree);
    let mut text_event = Event::new(&ocsf::API_ACTIVITY, 2, SourceFormat::Cloudtrail);
    text_event.raw = RawRecord::text("not json");
    analyzer.add_event(&text_event);
    let report = analyzer.finish(vec![]);
    assert_eq!(report.input.records, 3);
    assert_eq!(report.input.rejected, 1);
    assert_eq!(report.principals[0].used[0].count, 2);

    assert_eq!(
        CloudTrailCall::from_event(&text_event)
            .unwrap_err()
            .to_string(),
        "CloudTrail record: raw is not a JSON record"
    );
}

#[test]
fn insight_and_service_events_are_not_calls() {
    let base = json!({"eventTime": "2026-01-01T00:00:00Z", "eventSource": "ec2.amazonaws.com",
        "eventName": "RunInstances", "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/u"}});
    let mut insight = base.clone();
    insight["eventCategory"] = json!("Insight");
    let mut service_event = base.clone();
    service_event["eventType"] = json!("AwsServiceEvent");
    let mut call = base.clone();
    call["eventType"] = json!("AwsApiCall");
    let windows = Windows::new(1_767_225_600_000, &ReportOptions::default()).unwrap();
    let mut analyzer = Analyzer::new(Authorization::default(), windows);
    for record in [insight, service_event, call] {
        let text = record.to_string();
        let tree = JsonValue::parse(&text).unwrap();
        analyzer.add(&CloudTrailCall::from_json(&tree).unwrap());
    }
    let report = analyzer.finish(vec![]);
    assert_eq!(report.input.in_window, 3);
    assert_eq!(report.input.not_api_calls, 2);
    assert_eq!(report.principals.len(), 1);
    assert_eq!(report.principals[0].used[0].action, "ec2:RunInstances");
    assert_eq!(report.principals[0].used[0].count, 1);
    assert_eq!(
        report.principals[0].used[0].verdict,
        logsec_iam::Verdict::PrincipalNotInAuthorizationDetails
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn arbitrary_record() -> impl Strategy<Value = String> {
        (
            "\\PC{0,12}",
            "[a-z0-9.-]{0,20}",
            "\\PC{0,20}",
            prop_oneof!["IAMUser", "AssumedRole", "AWSService", "Root", "\\PC{0,8}"],
            "\\PC{0,30}",
            "\\PC{0,30}",
            prop_oneof!["Management", "Data", "Insight", "\\PC{0,6}"],
            any::<bool>(),
        )
            .prop_map(
                |(name, source, error, kind, arn, key, category, read_only)| {
                    json!({
                        "eventTime": "2026-01-01T00:00:00Z",
                        "eventSource": source,
                        "eventName": name,
                        "errorCode": error,
                        "eventCategory": category,
                        "readOnly": read_only,
                        "userIdentity": {"type": kind, "arn": arn, "invokedBy": key,
                            "sessionContext": {"sessionIssuer": {"arn": arn}}},
                        "requestParameters": {"bucketName": key, "key": name, "roleArn": arn,
                            "userName": key, "queueUrl": arn, "keyId": arn, "versionId": error,
                            "x-amz-copy-source": key},
                        "resources": [{"ARN": arn}],
                    })
                    .to_string()
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn arbitrary_records_analyse_and_render(records in proptest::collection::vec(arbitrary_record(), 1..8)) {
            let authz = Authorization::from_json(&json!({"Statement": [
                {"Effect": "Allow", "Action": ["*:Get*", "s3:?ut*"], "Resource": "arn:aws:s3:::${aws:username}/*"},
                {"Effect": "Deny", "NotAction": "iam:*", "NotResource": "*"}]})).unwrap();
            let windows = Windows::new(1_767_225_600_000, &ReportOptions::default()).unwrap();
            let mut analyzer = Analyzer::new(authz, windows);
            for text in &records {
                let tree = JsonValue::parse(text).unwrap();
                analyzer.add(&CloudTrailCall::from_json(&tree).unwrap());
            }
            let report = analyzer.finish(vec![]);
            prop_assert_eq!(report.input.records, records.len() as u64);
            let _ = report.render_html();
            let _ = report.render_markdown();
            let _ = report.iam_analysis_findings();
        }
    }
}
