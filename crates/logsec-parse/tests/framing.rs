//! The shapes JSON logs arrive in, each read through the public API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;

use base64::Engine as _;
use flate2::Compression;
use flate2::write::GzEncoder;
use logsec_event::{Event, SourceFormat};
use logsec_parse::{
    LocationKind, ParseError, ParseOptions, Parsed, detect, parse_bytes, parse_bytes_strict,
    parse_path, parse_reader, parse_reader_strict, parse_slice,
};

mod common;

fn ct(name: &str, i: usize) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::1:user/u{i}","userName":"u{i}"}},"eventTime":"2023-04-11T15:24:0{}Z","eventSource":"s3.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.{}","eventID":"id-{i}","requestParameters":{{"bucketName":"b{i}","note":"a \"quoted\" ] }} string"}}}}"#,
        i % 10,
        i % 250
    )
}

fn names(events: &[Event<'_>]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            e.api
                .as_ref()
                .map(|a| a.operation.to_string())
                .unwrap_or_default()
        })
        .collect()
}

fn parse(bytes: &[u8]) -> Parsed<'_> {
    parse_bytes(bytes, &ParseOptions::default()).unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Streams through `parse_reader` and returns (operations, summary).
fn stream(bytes: &[u8], options: &ParseOptions) -> (Vec<String>, logsec_parse::ParseSummary) {
    let mut seen = Vec::new();
    let summary = parse_reader(bytes, options, |e| {
        seen.push(
            e.api
                .as_ref()
                .map(|a| a.operation.to_string())
                .unwrap_or_default(),
        );
    })
    .unwrap();
    (seen, summary)
}

#[test]
fn json_lines_with_blank_and_crlf_lines() {
    let input = format!("{}\r\n\n{}\n", ct("GetObject", 1), ct("PutObject", 2));
    let parsed = parse(input.as_bytes());
    assert_eq!(parsed.summary.format, Some(SourceFormat::Cloudtrail));
    assert_eq!(names(&parsed.events), ["GetObject", "PutObject"]);
    assert!(parsed.rejects().is_empty());
    // Events borrow from the input: no copy of the raw record.
    let raw = parsed.events[0].raw.as_str();
    let start = input.as_ptr() as usize;
    assert!((raw.as_ptr() as usize) >= start && (raw.as_ptr() as usize) < start + input.len());
}

/// Lines are read from the buffer's checked UTF-8 prefix; a line that is not UTF-8 is
/// rejected on its own, and the lines after it (past the prefix) still parse, non-ASCII text
/// included, in one buffer and streamed.
#[test]
fn json_lines_after_a_line_that_is_not_utf8_still_parse() {
    let mut input = format!("{}\n", ct("GetObject", 1)).into_bytes();
    input.extend_from_slice(b"{\"eventName\":\"Bad\xff\"}\n");
    input.extend_from_slice(format!("{}\r\n", ct("Put\u{e9}Object", 2)).as_bytes());
    input.extend_from_slice(ct("ListObjects", 3).as_bytes());
    let parsed = parse(&input);
    assert_eq!(
        names(&parsed.events),
        ["GetObject", "Put\u{e9}Object", "ListObjects"]
    );
    let rejects: Vec<(u64, &str)> = parsed
        .rejects()
        .iter()
        .map(|r| (r.record, r.reason.as_str()))
        .collect();
    assert_eq!(rejects, [(2, "line is not valid UTF-8")]);
    let (seen, summary) = stream(&input, &ParseOptions::default());
    assert_eq!(seen, ["GetObject", "Put\u{e9}Object", "ListObjects"]);
    assert_eq!(summary.rejects, parsed.summary.rejects);
}

#[test]
fn records_file_pretty_printed_and_top_level_array() {
    let records = format!(
        "{{\n  \"Records\": [\n    {},\n    {}\n  ]\n}}\n",
        ct("GetObject", 1),
        ct("DeleteObject", 2)
    );
    let parsed = parse(records.as_bytes());
    assert_eq!(names(&parsed.events), ["GetObject", "DeleteObject"]);
    assert_eq!(parsed.events[1].activity_id, 4);
    let array = format!("[{}, {}]", ct("ListBuckets", 1), ct("GetObject", 2));
    assert_eq!(
        names(&parse(array.as_bytes()).events),
        ["ListBuckets", "GetObject"]
    );
}

#[test]
fn large_records_file_streams_across_chunks_with_bounded_buffers() {
    // ~3 MB: several 1 MiB read chunks, records cut at chunk boundaries.
    let body: Vec<String> = (0..6000).map(|i| ct("GetObject", i)).collect();
    let input = format!("{{\"Records\":[{}]}}", body.join(","));
    assert!(input.len() > 2 << 20);
    let (seen, summary) = stream(input.as_bytes(), &ParseOptions::default());
    assert_eq!(seen.len(), 6000);
    assert_eq!(summary.events, 6000);
    assert!(summary.rejects.is_empty(), "{:?}", summary.rejects.first());
    // The same through gzip, in two concatenated members.
    let half = input.len() / 2;
    let mut gz = gzip(input.as_bytes().get(..half).unwrap());
    gz.extend(gzip(input.as_bytes().get(half..).unwrap()));
    let (seen, summary) = stream(&gz, &ParseOptions::default());
    assert_eq!(seen.len(), 6000);
    assert!(summary.rejects.is_empty());
}

#[test]
fn firehose_concatenated_objects() {
    let input = format!(
        "{}{}{}",
        ct("GetObject", 1),
        ct("PutObject", 2),
        ct("ListBuckets", 3)
    );
    let parsed = parse(input.as_bytes());
    assert_eq!(
        names(&parsed.events),
        ["GetObject", "PutObject", "ListBuckets"]
    );
    assert!(parsed.rejects().is_empty());
}

fn cloudwatch(message_type: &str, messages: &[String]) -> String {
    let events: Vec<String> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            format!(
                r#"{{"id":"{i}","timestamp":1,"message":{}}}"#,
                serde_json::to_string(m).unwrap()
            )
        })
        .collect();
    format!(
        r#"{{"messageType":"{message_type}","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":["f"],"logEvents":[{}]}}"#,
        events.join(",")
    )
}

#[test]
fn cloudwatch_subscription_payloads_plain_gzip_base64() {
    let payload = cloudwatch("DATA_MESSAGE", &[ct("GetObject", 1), ct("PutObject", 2)]);
    let parsed = parse(payload.as_bytes());
    assert_eq!(names(&parsed.events), ["GetObject", "PutObject"]);
    // The message was unescaped into a temporary: the collected event owns its raw record.
    assert!(parsed.events[0].raw.as_str().contains("\"GetObject\""));
    let gz = gzip(payload.as_bytes());
    assert_eq!(names(&parse(&gz).events), ["GetObject", "PutObject"]);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&gz);
    assert_eq!(
        names(&parse(b64.as_bytes()).events),
        ["GetObject", "PutObject"]
    );
    // One payload per line, as Firehose writes them to S3, one of them a control message.
    let lines = format!(
        "{}\n{}\n",
        payload,
        cloudwatch(
            "CONTROL_MESSAGE",
            &["CWL CONTROL MESSAGE: Checking health of destination".to_owned()]
        )
    );
    let parsed = parse(lines.as_bytes());
    assert_eq!(parsed.events.len(), 2);
    assert_eq!(parsed.summary.skipped, 1);
    assert_eq!(
        parsed.summary.notes[0].message,
        "CloudWatch Logs CONTROL_MESSAGE skipped"
    );
}

#[test]
fn cloudwatch_payload_of_eks_audit_events() {
    let audit = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a1","stage":"ResponseComplete","requestURI":"/api/v1/secrets","verb":"list","user":{"username":"kube-admin"},"sourceIPs":["10.0.0.1"],"stageTimestamp":"2023-01-01T00:00:00Z"}"#;
    let payload = cloudwatch("DATA_MESSAGE", &[audit.to_owned()]);
    let parsed = parse(payload.as_bytes());
    assert_eq!(parsed.summary.format, Some(SourceFormat::K8sAudit));
    assert_eq!(parsed.events.len(), 1);
    assert_eq!(parsed.events[0].activity_id, 2);
}

#[test]
fn eventbridge_lookup_events_and_panther_wrappers() {
    let eventbridge = format!(
        r#"{{"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail","source":"aws.s3","account":"1","time":"2023-01-01T00:00:00Z","region":"us-east-1","resources":["arn:x"],"detail":{}}}"#,
        ct("PutBucketPolicy", 1)
    );
    let parsed = parse(eventbridge.as_bytes());
    assert_eq!(names(&parsed.events), ["PutBucketPolicy"]);
    let lookup = format!(
        r#"{{"Events":[{{"EventId":"1","EventName":"GetObject","CloudTrailEvent":{}}},{{"EventId":"2","CloudTrailEvent":{}}}]}}"#,
        serde_json::to_string(&ct("GetObject", 1)).unwrap(),
        serde_json::to_string(&ct("StopLogging", 2)).unwrap()
    );
    let parsed = parse(lookup.as_bytes());
    assert_eq!(names(&parsed.events), ["GetObject", "StopLogging"]);
    let panther = format!(
        "{{\"rule_id\":\"R\",\"expected_result\":true,\"log\":{}}}\n",
        ct("ConsoleLogin", 1)
    );
    let parsed = parse(panther.as_bytes());
    assert_eq!(parsed.events[0].class_uid, 3002);
}

#[test]
fn digest_files_are_skipped_with_a_note() {
    let digest = r#"{"awsAccountId":"111122223333","digestStartTime":"2023-01-01T00:00:00Z","digestS3Bucket":"b","digestPublicKeyFingerprint":"f","digestSignatureAlgorithm":"SHA256withRSA","logFiles":[]}"#;
    let parsed = parse(digest.as_bytes());
    assert!(parsed.events.is_empty());
    assert!(parsed.rejects().is_empty());
    assert_eq!(
        parsed.summary.notes[0].message,
        "CloudTrail digest file skipped"
    );
}

#[test]
fn truncated_records_file_keeps_intact_records_and_rejects_once() {
    let full = format!(
        "{{\"Records\":[{},{},{}]}}",
        ct("A1", 1),
        ct("B2", 2),
        ct("C3", 3)
    );
    let cut = full.get(..full.len() - 60).unwrap();
    let parsed = parse(cut.as_bytes());
    assert_eq!(names(&parsed.events), ["A1", "B2"]);
    assert_eq!(parsed.rejects().len(), 1);
    let reject = &parsed.rejects()[0];
    assert_eq!(reject.location_kind, LocationKind::RecordIndex);
    assert_eq!(reject.record, 2);
    assert!(reject.reason.contains("truncated"), "{}", reject.reason);
    // Cut exactly after a record: the open document is the one reject.
    let cut = format!("{{\"Records\":[{},{}", ct("A1", 1), ct("B2", 2));
    let parsed = parse(cut.as_bytes());
    assert_eq!(parsed.events.len(), 2);
    assert_eq!(parsed.rejects().len(), 1);
}

#[test]
fn truncated_gzip_keeps_intact_records_and_rejects_once() {
    let body: Vec<String> = (0..400).map(|i| ct("GetObject", i)).collect();
    let input = format!("{{\"Records\":[{}]}}", body.join(","));
    let gz = gzip(input.as_bytes());
    let cut = gz.get(..gz.len() / 2).unwrap();
    let (seen, summary) = stream(cut, &ParseOptions::default());
    assert!(seen.len() > 50 && seen.len() < 400, "{}", seen.len());
    assert_eq!(summary.rejects.len(), 1, "{:?}", summary.rejects);
    assert!(
        summary.rejects[0].reason.contains("gzip"),
        "{}",
        summary.rejects[0].reason
    );
}

#[test]
fn malformed_lines_are_rejected_with_line_numbers_and_offsets() {
    let good = ct("GetObject", 1);
    let input = format!("{good}\n{{\"eventName\": oops}}\n{good}\n");
    let options = ParseOptions {
        file_name: Some("trail.jsonl".to_owned()),
        ..ParseOptions::default()
    };
    let parsed = parse_bytes(input.as_bytes(), &options).unwrap();
    assert_eq!(parsed.events.len(), 2);
    let reject = &parsed.rejects()[0];
    assert_eq!(reject.file.as_deref(), Some("trail.jsonl"));
    assert_eq!(reject.record, 2);
    assert_eq!(reject.location_kind, LocationKind::Line);
    assert_eq!(reject.byte_offset, good.len() as u64 + 1);
    assert!(reject.snippet.starts_with("{\"eventName\": oops"));
    assert!(
        reject.to_string().starts_with("trail.jsonl:2 (byte"),
        "{reject}"
    );
    assert_eq!(parsed.summary.records, 3);
}

#[test]
fn limits_reject_large_deep_and_wide_records() {
    let small = ParseOptions {
        limits: logsec_parse::Limits {
            max_record_bytes: 600,
            max_depth: 4,
            max_fields: 12,
        },
        ..ParseOptions::default()
    };
    let big = format!(
        r#"{{"eventName":"GetObject","eventSource":"s3.amazonaws.com","pad":"{}"}}"#,
        "x".repeat(700)
    );
    let deep = r#"{"eventName":"GetObject","eventSource":"s","a":{"b":{"c":{"d":{"e":1}}}}}"#;
    let wide = format!(
        r#"{{"eventName":"GetObject","eventSource":"s",{}}}"#,
        (0..20)
            .map(|i| format!("\"k{i}\":1"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let ok = r#"{"eventName":"GetObject","eventSource":"s3.amazonaws.com"}"#;
    let input = format!("{big}\n{deep}\n{wide}\n{ok}\n");
    let parsed = parse_bytes(input.as_bytes(), &small).unwrap();
    assert_eq!(parsed.events.len(), 1);
    let reasons: Vec<&str> = parsed.rejects().iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons[0].contains("exceeds the limit"), "{reasons:?}");
    assert!(reasons[1].contains("nesting"), "{reasons:?}");
    assert!(reasons[2].contains("fields"), "{reasons:?}");
    // The same limits hold inside a streamed Records array.
    let records = format!("{{\"Records\":[{big},{ok}]}}");
    let (seen, summary) = stream(records.as_bytes(), &small);
    assert_eq!(seen, ["GetObject"]);
    assert_eq!(summary.rejects.len(), 1);
}

#[test]
fn strict_apis_return_the_first_reject() {
    let input = format!("{}\nnot json\n{}\n", ct("GetObject", 1), ct("GetObject", 2));
    let err = parse_bytes_strict(input.as_bytes(), &ParseOptions::default()).unwrap_err();
    match err {
        ParseError::Rejected(reject) => assert_eq!(reject.record, 2),
        other => panic!("{other}"),
    }
    let mut seen = 0;
    let err = parse_reader_strict(input.as_bytes(), &ParseOptions::default(), |_| seen += 1);
    assert!(matches!(err, Err(ParseError::Rejected(_))));
    assert_eq!(seen, 1);
    assert!(parse_bytes_strict(ct("GetObject", 1).as_bytes(), &ParseOptions::default()).is_ok());
}

#[test]
fn unknown_input_and_missing_files_are_errors() {
    let err = parse_bytes(b"\x00\x01\x02 binary", &ParseOptions::default()).unwrap_err();
    assert!(matches!(err, ParseError::UnknownFormat { .. }), "{err}");
    let err = parse_path("/nonexistent/trail.json", &ParseOptions::default(), |_| {}).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/trail.json"), "{err}");
    assert_eq!(
        detect(Some("x.json"), ct("GetObject", 1).as_bytes()).unwrap(),
        SourceFormat::Cloudtrail
    );
    // Detection sees through gzip.
    assert_eq!(
        detect(None, &gzip(ct("GetObject", 1).as_bytes())).unwrap(),
        SourceFormat::Cloudtrail
    );
}

#[test]
fn forced_format_overrides_detection() {
    let options = ParseOptions {
        format: Some(SourceFormat::K8sAudit),
        ..ParseOptions::default()
    };
    let input = ct("GetObject", 1);
    let parsed = parse_bytes(input.as_bytes(), &options).unwrap();
    assert_eq!(parsed.summary.format, Some(SourceFormat::K8sAudit));
    assert_eq!(
        parsed.events[0].metadata.log_format,
        Some(SourceFormat::K8sAudit)
    );
}

#[test]
fn k8s_event_lists_and_arrays() {
    let event = |verb: &str| {
        format!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"{verb}","verb":"{verb}","requestURI":"/api","stageTimestamp":"2023-01-01T00:00:00Z"}}"#
        )
    };
    let list = format!(
        "{{\n\"kind\": \"EventList\", \"apiVersion\": \"audit.k8s.io/v1\", \"metadata\": {{}},\n\"items\": [{}, {}]\n}}",
        event("get"),
        event("deletecollection")
    );
    let parsed = parse(list.as_bytes());
    assert_eq!(parsed.summary.format, Some(SourceFormat::K8sAudit));
    let activities: Vec<u32> = parsed.events.iter().map(|e| e.activity_id).collect();
    assert_eq!(activities, [2, 4]);
    let array = format!("[{},{}]\n", event("create"), event("watch"));
    let activities: Vec<u32> = parse(array.as_bytes())
        .events
        .iter()
        .map(|e| e.activity_id)
        .collect();
    assert_eq!(activities, [1, 2]);
}

#[test]
fn reader_and_bytes_agree() {
    let input = format!("{}\n{}\n{{broken\n", ct("GetObject", 1), ct("PutObject", 2));
    let parsed = parse(input.as_bytes());
    let (seen, summary) = stream(input.as_bytes(), &ParseOptions::default());
    assert_eq!(seen, names(&parsed.events));
    assert_eq!(summary.rejects, parsed.summary.rejects);
    assert_eq!(summary.records, parsed.summary.records);
}

#[test]
fn truncated_gzip_json_lines_rejects_once() {
    let body: String = (0..300).map(|i| ct("GetObject", i) + "\n").collect();
    let gz = gzip(body.as_bytes());
    let cut = gz.get(..gz.len() * 2 / 3).unwrap();
    let (seen, summary) = stream(cut, &ParseOptions::default());
    assert!(seen.len() > 50 && seen.len() < 300, "{}", seen.len());
    assert_eq!(summary.rejects.len(), 1, "{:?}", summary.rejects);
    assert!(
        summary.rejects[0].reason.contains("gzip"),
        "{}",
        summary.rejects[0].reason
    );
}

#[test]
fn base64_marker_with_garbage_does_not_recurse() {
    // Found by the parse_detect fuzz target: `H4sI` then bytes that are not base64.
    let input = b"H4sI\x97";
    let result = parse_bytes(input, &ParseOptions::default());
    assert!(
        matches!(result, Err(ParseError::UnknownFormat { .. })),
        "{result:?}"
    );
    let result = parse_reader(&input[..], &ParseOptions::default(), |_| {});
    assert!(result.is_err());
}

/// Records elements are found and parsed in one pass when they parse; every other element
/// (malformed, too deep, too wide, too large, not UTF-8, not an object) gets the reject the
/// cutting path gives, at its own index and offset, and the records after it still parse.
#[test]
fn records_array_elements_that_do_not_parse_keep_their_exact_rejects() {
    let small = common::small_limits();
    let ok = |name: &str| format!(r#"{{"eventName":"{name}","eventSource":"s3.amazonaws.com"}}"#);
    let input = common::records_with_bad_elements(ok, &[]);
    let parsed = parse_bytes(&input, &small).unwrap();
    assert_eq!(names(&parsed.events), ["A", "Nested", "Z"]);
    let rejects: Vec<(u64, &str)> = parsed
        .rejects()
        .iter()
        .map(|r| (r.record, r.reason.as_str()))
        .collect();
    assert_eq!(
        rejects,
        [
            (
                1,
                "malformed CloudTrail record: expected value at line 1 column 15"
            ),
            (2, "nesting deeper than the limit of 5"),
            (4, "14 fields exceed the limit of 12"),
            (5, "record of 728 bytes exceeds the limit of 600 bytes"),
            (6, "expected a JSON object"),
            (7, "record is not valid UTF-8"),
        ]
    );
    let first = ok("A");
    assert_eq!(
        parsed.rejects()[0].byte_offset,
        ("{\"Records\":[".len() + first.len() + 1) as u64
    );
    assert!(
        parsed
            .rejects()
            .iter()
            .all(|r| r.location_kind == LocationKind::RecordIndex)
    );
    assert_eq!(parsed.summary.records, 9);
    // Streamed in small reads, the same.
    let (seen, summary) = stream(&input, &small);
    assert_eq!(seen, ["A", "Nested", "Z"]);
    assert_eq!(summary.rejects, parsed.summary.rejects);
}

#[test]
fn parse_slice_gives_what_parse_reader_gives() {
    let lines: Vec<String> = (0..40).map(|i| ct("GetObject", i)).collect();
    let mut jsonl = lines.join("\n");
    jsonl.push_str("\n{\"eventVersion\": broken\n");
    jsonl.push_str(&ct("PutObject", 40));
    let records = format!("{{\"Records\":[{}]}}", lines[..5].join(","));
    let syslog = "Nov 20 03:19:02 web1 sshd[811]: Failed password for deploy from 198.51.100.42 port 50122 ssh2\n";
    let inputs: Vec<Vec<u8>> = vec![
        jsonl.clone().into_bytes(),
        records.into_bytes(),
        gzip(jsonl.as_bytes()),
        syslog.as_bytes().to_vec(),
        // Cut in the middle of a record.
        jsonl.as_bytes()[..jsonl.len() - 30].to_vec(),
    ];
    let options = ParseOptions {
        syslog_year: Some(2026),
        ..ParseOptions::default()
    };
    for input in &inputs {
        let (expected, expected_summary) = stream(input, &options);
        let mut seen = Vec::new();
        let summary = parse_slice(input, &options, |e| {
            seen.push(
                e.api
                    .as_ref()
                    .map(|a| a.operation.to_string())
                    .unwrap_or_default(),
            );
        })
        .unwrap();
        assert_eq!(seen, expected);
        assert_eq!(summary, expected_summary);
    }
    // The JSON lines: 41 events, the broken line rejected as line 41.
    let mut operations = Vec::new();
    let summary = parse_slice(jsonl.as_bytes(), &options, |e| {
        operations.push(e.api.as_ref().unwrap().operation.to_string());
    })
    .unwrap();
    assert_eq!(summary.events, 41);
    assert_eq!(operations.last().map(String::as_str), Some("PutObject"));
    assert_eq!(summary.rejects.len(), 1);
    assert_eq!(summary.rejects[0].record, 41);
    assert_eq!(summary.rejects[0].location_kind, LocationKind::Line);
}
