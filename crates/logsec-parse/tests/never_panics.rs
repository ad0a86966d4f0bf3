//! Property tests: no input, arbitrary or mutated from a valid one, makes a reader or a parser
//! panic, and the summary's counts stay consistent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use logsec_event::SourceFormat;
use logsec_parse::{Limits, ParseOptions, parse_bytes, parse_reader};
use proptest::prelude::*;

const SEEDS: &[&str] = &[
    r#"{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/R/s","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/R"},"attributes":{"mfaAuthenticated":"true","creationDate":"2023-01-01T00:00:00Z"}}},"eventTime":"2023-01-01T00:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","sourceIPAddress":"1.2.3.4","requestParameters":{"userName":"x"},"responseElements":{"user":{"arn":"a","userId":"u"}},"resources":[{"ARN":"a","type":"t","accountId":"1"}]},{"eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No"}}]}"#,
    "{\"eventName\":\"AssumeRole\",\"requestParameters\":{\"roleArn\":\"r\"}}\n{\"eventName\":\"GetObject\",\"errorCode\":\"AccessDenied\"}\n",
    r#"{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","message":"{\"eventName\":\"PutObject\",\"eventSource\":\"s3.amazonaws.com\"}"}]}"#,
    r#"{"Events":[{"CloudTrailEvent":"{\"eventName\":\"StopLogging\",\"eventSource\":\"cloudtrail.amazonaws.com\"}"}]}"#,
    r#"{"version":"0","detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"DeleteTrail","eventSource":"cloudtrail.amazonaws.com"}}"#,
    r#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"kind":"Event","auditID":"a","verb":"create","user":{"username":"u","groups":["g"]},"sourceIPs":["1.2.3.4","::1"],"objectRef":{"resource":"pods","subresource":"exec"},"responseStatus":{"code":403},"requestURI":"/api?x=1","annotations":{"authorization.k8s.io/decision":"forbid"}}]}"#,
    r#"{"protoPayload":{"methodName":"storage.buckets.delete","serviceName":"storage.googleapis.com","authenticationInfo":{"principalEmail":"a@b"},"requestMetadata":{"callerIp":"1.2.3.4"},"status":{"code":7}},"insertId":"i","timestamp":"2023-01-01T00:00:00Z","logName":"projects/p/logs/cloudaudit","resource":{"labels":{"project_id":"p"}}}"#,
    r#"{"records":[{"time":"2023-01-01T00:00:00Z","operationName":"MICROSOFT.X/Y/WRITE","resultType":"Success","callerIpAddress":"1.2.3.4","resourceId":"/SUBSCRIPTIONS/s/x","correlationId":"c","identity":{"claims":{"name":"n"}}}]}"#,
    r#"{"output":"o","priority":"Critical","rule":"r","time":"2023-01-01T00:00:00Z","output_fields":{"a":1},"tags":["t"]}"#,
    "[{\"eventName\":\"ListBuckets\",\"eventSource\":\"s3.amazonaws.com\"},{\"eventName\":\"GetObject\",\"eventSource\":\"s3.amazonaws.com\"}]",
];

const JSON_FORMATS: &[SourceFormat] = &[
    SourceFormat::Cloudtrail,
    SourceFormat::K8sAudit,
    SourceFormat::GcpAudit,
    SourceFormat::AzureActivity,
    SourceFormat::FalcoAlert,
];

fn tight() -> Limits {
    Limits {
        max_record_bytes: 300,
        max_depth: 5,
        max_fields: 20,
    }
}

fn check(bytes: &[u8], format: Option<SourceFormat>, limits: Limits) {
    let options = ParseOptions {
        format,
        limits,
        ..ParseOptions::default()
    };
    if let Ok(parsed) = parse_bytes(bytes, &options) {
        let summary = &parsed.summary;
        assert_eq!(summary.events, parsed.events.len() as u64);
        assert_eq!(
            summary.records,
            summary.events + summary.rejects.len() as u64
        );
    }
    let mut seen = 0u64;
    if let Ok(summary) = parse_reader(bytes, &options, |_| seen += 1) {
        assert_eq!(summary.events, seen);
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let structural = prop::sample::select(vec![
        b'{', b'}', b'[', b']', b'"', b'\\', b',', b':', b'\n', 0xff, b'0',
    ]);
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), structural).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for m in mutations {
        let len = bytes.len().max(1);
        match *m {
            Mutation::Flip(i, b) => {
                if let Some(slot) = bytes.get_mut(i % len) {
                    *slot = b;
                }
            }
            Mutation::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
            Mutation::Delete(i) => {
                if !bytes.is_empty() {
                    bytes.remove(i % len);
                }
            }
            Mutation::Truncate(i) => bytes.truncate(i % (bytes.len() + 1)),
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check(&bytes, None, Limits::default());
        for format in JSON_FORMATS {
            check(&bytes, Some(*format), tight());
        }
    }

    #[test]
    fn mutated_records_never_panic(
        seed in 0..SEEDS.len(),
        mutations in prop::collection::vec(mutation(), 1..8),
    ) {
        let bytes = apply(SEEDS[seed].as_bytes(), &mutations);
        check(&bytes, None, Limits::default());
        check(&bytes, None, tight());
        for format in JSON_FORMATS {
            check(&bytes, Some(*format), Limits::default());
        }
    }

    #[test]
    fn mutated_gzip_never_panics(
        seed in 0..SEEDS.len(),
        mutations in prop::collection::vec(mutation(), 0..4),
    ) {
        let gz = gzip(SEEDS[seed].as_bytes());
        let bytes = apply(&gz, &mutations);
        check(&bytes, None, Limits::default());
    }
}

#[test]
fn every_seed_parses_cleanly() {
    for seed in SEEDS {
        let parsed = parse_bytes(seed.as_bytes(), &ParseOptions::default())
            .unwrap_or_else(|err| panic!("{seed}: {err}"));
        assert!(!parsed.events.is_empty(), "{seed}");
        assert!(
            parsed.rejects().is_empty(),
            "{seed}: {:?}",
            parsed.rejects()
        );
    }
}
