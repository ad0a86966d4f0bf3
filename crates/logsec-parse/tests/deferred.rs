//! `parse_reader_deferred`: records of deferring formats arrive validated but not normalized,
//! with the counts and rejects of `parse_reader`, and normalize on demand to the event
//! `parse_reader` gives.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use logsec_event::SourceFormat;

mod common;
use logsec_parse::{
    ParseOptions, ParseSummary, parse_reader, parse_reader_deferred, parse_slice_deferred,
};

/// CloudTrail JSON lines in the shapes a line may hold: plain records, a malformed line, a
/// digest document, a `Records` file on one line, an EventBridge envelope, a record that is
/// not an object, and a plain record after them.
const CLOUDTRAIL_LINES: &str = concat!(
    r#"{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","userIdentity":{"type":"IAMUser","userName":"alice"}}"#,
    "\n",
    r#"{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:01Z","eventName":"StopLogging",,}"#,
    "\n",
    r#"{"awsAccountId":"111122223333","digestS3Bucket":"trail-bucket","digestPublicKeyFingerprint":"abc"}"#,
    "\n",
    r#"{"Records":[{"eventTime":"2024-05-01T10:00:02Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser"},{"eventTime":"2024-05-01T10:00:03Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole"}]}"#,
    "\n",
    r#"{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.cloudtrail","detail":{"eventTime":"2024-05-01T10:00:04Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging"}}"#,
    "\n",
    "[1, 2]\n",
    r#"{"eventTime":"2024-05-01T10:00:05Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","sourceIPAddress":"198.51.100.7"}"#,
    "\n",
);

/// The eventName of each record of [`CLOUDTRAIL_LINES`] that is one, in order.
const EVENT_NAMES: [Option<&str>; 5] = [
    Some("GetObject"),
    Some("CreateUser"),
    Some("AssumeRole"),
    Some("StopLogging"),
    Some("RunInstances"),
];

/// The eventName of a record, read from its raw view.
fn event_name(pending: &logsec_parse::Pending<'_>) -> Option<String> {
    pending
        .event()
        .raw
        .member("eventName")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// What `visit` saw: (normalized on arrival, eventName read from the raw view, class before
/// and after normalizing, the normalized event's OCSF JSON).
type Seen = Vec<(bool, Option<String>, u32, u32, String)>;

fn deferred(input: &str, defer: bool, normalize: bool) -> (ParseSummary, Seen) {
    let mut seen = Vec::new();
    let summary = parse_reader_deferred(
        input.as_bytes(),
        &ParseOptions::default(),
        |format| defer && format == SourceFormat::Cloudtrail,
        |pending| {
            let arrived_normalized = pending.is_normalized();
            let name = event_name(pending);
            let class_before = pending.event().class_uid;
            if normalize {
                let event = pending.normalize().expect("valid records normalize");
                seen.push((
                    arrived_normalized,
                    name,
                    class_before,
                    event.class_uid,
                    event.to_ocsf_json(),
                ));
            } else {
                seen.push((arrived_normalized, name, class_before, 0, String::new()));
            }
        },
    )
    .unwrap();
    (summary, seen)
}

/// What a deferred parse of `input` gives when every record is normalized: each record's
/// eventName (read from the raw view before normalizing) and OCSF JSON, and the summary; from
/// a reader or (`slice`) straight from the bytes.
fn deferred_bytes(input: &[u8], slice: bool) -> (ParseSummary, Vec<(Option<String>, String)>) {
    let mut seen = Vec::new();
    let visit = |pending: &mut logsec_parse::Pending<'_>| {
        let name = event_name(pending);
        let json = pending
            .normalize()
            .map(|e| e.to_ocsf_json())
            .unwrap_or_default();
        seen.push((name, json));
    };
    let options = ParseOptions::default();
    let defer = |format| format == SourceFormat::Cloudtrail;
    let summary = if slice {
        parse_slice_deferred(input, &options, defer, visit)
    } else {
        parse_reader_deferred(input, &options, defer, visit)
    };
    (summary.unwrap(), seen)
}

#[test]
fn slices_parse_as_readers_do() {
    let mut gzipped = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gzipped, CLOUDTRAIL_LINES.as_bytes()).unwrap();
    let gzipped = gzipped.finish().unwrap();
    let lines = CLOUDTRAIL_LINES.as_bytes();
    let inputs: [&[u8]; 4] = [
        lines,
        &gzipped,
        // Cut inside the last record, and without the last newline.
        &lines[..lines.len() - 20],
        &lines[..lines.len() - 1],
    ];
    for input in inputs {
        let (want_summary, want) = deferred_bytes(input, false);
        let (summary, got) = deferred_bytes(input, true);
        assert_eq!(summary, want_summary);
        assert_eq!(got, want);
    }
    let (summary, seen) = deferred_bytes(lines, true);
    let names: Vec<Option<&str>> = seen.iter().map(|(name, _)| name.as_deref()).collect();
    assert_eq!(names, EVENT_NAMES);
    assert_eq!(summary.events, 5);
    // The malformed line and the array that is not a record.
    // The malformed line, and the two elements of the array line that are not records.
    let rejected: Vec<u64> = summary.rejects.iter().map(|r| r.record).collect();
    assert_eq!(rejected, [2, 6, 6]);
    let (cut, _) = deferred_bytes(&lines[..lines.len() - 20], true);
    assert_eq!(cut.events, 4);
    let last = cut.rejects.last().unwrap();
    assert_eq!(last.record, 7);
    assert!(last.reason.contains("EOF while parsing"), "{cut:?}");
}

fn eager(input: &str) -> (ParseSummary, Vec<String>) {
    let mut events = Vec::new();
    let summary = parse_reader(input.as_bytes(), &ParseOptions::default(), |event| {
        events.push(event.to_ocsf_json());
    })
    .unwrap();
    (summary, events)
}

#[test]
fn counts_and_rejects_are_those_of_the_eager_parse() {
    let (eager_summary, eager_events) = eager(CLOUDTRAIL_LINES);
    assert_eq!(eager_summary.events, 5);
    // The malformed line, and each element of the array line.
    assert_eq!(
        eager_summary.rejects.len(),
        3,
        "{:#?}",
        eager_summary.rejects
    );
    assert_eq!(eager_summary.skipped, 1);
    for normalize in [false, true] {
        let (summary, seen) = deferred(CLOUDTRAIL_LINES, true, normalize);
        assert_eq!(summary, eager_summary, "normalize: {normalize}");
        assert_eq!(seen.len(), 5);
        // Every record arrives unnormalized, those inside envelopes included, as a Base
        // Event whose raw view is read without normalizing.
        let names: Vec<Option<&str>> = seen.iter().map(|s| s.1.as_deref()).collect();
        assert_eq!(names, EVENT_NAMES);
        assert!(seen.iter().all(|s| !s.0 && s.2 == 0));
        if normalize {
            let classes: Vec<u32> = seen.iter().map(|s| s.3).collect();
            assert_eq!(classes, [6003, 3001, 3002, 6003, 6003]);
            let events: Vec<&String> = seen.iter().map(|s| &s.4).collect();
            assert_eq!(events, eager_events.iter().collect::<Vec<_>>());
        }
    }
}

#[test]
fn formats_that_do_not_defer_arrive_normalized() {
    let (summary, seen) = deferred(CLOUDTRAIL_LINES, false, true);
    assert_eq!(summary, eager(CLOUDTRAIL_LINES).0);
    assert!(seen.iter().all(|s| s.0 && s.2 == s.3 && s.2 != 0));
}

#[test]
fn a_repeated_member_is_rejected_only_when_normalized() {
    let input = concat!(
        r#"{"eventTime":"2024-05-01T10:00:00Z","eventName":"GetObject","eventName":"PutObject"}"#,
        "\n"
    );
    let (eager_summary, _) = eager(input);
    assert_eq!(eager_summary.events, 0);
    assert_eq!(eager_summary.rejects.len(), 1);
    assert!(
        eager_summary.rejects[0].reason.contains("duplicate field"),
        "{}",
        eager_summary.rejects[0].reason
    );

    let (untouched, _) = deferred(input, true, false);
    assert_eq!((untouched.events, untouched.rejects.len()), (1, 0));

    let mut normalized = Vec::new();
    let summary = parse_reader_deferred(
        input.as_bytes(),
        &ParseOptions::default(),
        |_| true,
        |pending| normalized.push(pending.normalize().is_some()),
    )
    .unwrap();
    assert_eq!(normalized, [false]);
    assert_eq!(summary.records, 1);
    assert_eq!(summary.events, 0);
    assert_eq!(summary.rejects.len(), 1);
    assert_eq!(summary.rejects[0].record, 1);
    assert_eq!(summary.rejects[0].reason, eager_summary.rejects[0].reason);
}

#[test]
fn kubernetes_event_lists_defer_their_items() {
    let input = concat!(
        r#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":["#,
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a1","stage":"ResponseComplete","verb":"get","requestURI":"/api/v1/namespaces/default/secrets/s","user":{"username":"alice"},"objectRef":{"resource":"secrets","namespace":"default","name":"s"},"stageTimestamp":"2024-05-01T10:00:00.000000Z"},"#,
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a2","stage":"ResponseComplete","verb":"create","requestURI":"/api/v1/namespaces/default/pods","user":{"username":"bob"},"objectRef":{"resource":"pods","namespace":"default"},"stageTimestamp":"2024-05-01T10:00:01.000000Z"}"#,
        "]}\n"
    );
    let mut resources = Vec::new();
    let summary = parse_reader_deferred(
        input.as_bytes(),
        &ParseOptions {
            format: Some(SourceFormat::K8sAudit),
            ..ParseOptions::default()
        },
        |format| format == SourceFormat::K8sAudit,
        |pending| {
            assert!(!pending.is_normalized());
            let resource = pending
                .event()
                .raw
                .pointer(&["objectRef", "resource"])
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            let operation = pending
                .normalize()
                .and_then(|e| e.api.as_ref().map(|a| a.operation.to_string()));
            resources.push((resource, operation));
        },
    )
    .unwrap();
    assert_eq!(summary.events, 2);
    assert_eq!(
        resources,
        [
            (Some("secrets".to_owned()), Some("get".to_owned())),
            (Some("pods".to_owned()), Some("create".to_owned()))
        ]
    );
}

#[test]
fn records_files_defer_their_elements_with_the_eager_rejects() {
    let record = |i: u32| {
        format!(
            r#"{{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:{:02}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1"}}"#,
            i % 60
        )
    };
    let mut elements: Vec<String> = (0..30).map(record).collect();
    elements[7] = r#"{"eventName":"Broken",,}"#.to_owned();
    elements[12] = "[1,2]".to_owned();
    let whole = format!("{{\"Records\":[{}]}}", elements.join(","));
    // The whole file, and the same file cut inside its last record.
    for input in [whole.clone(), whole[..whole.len() - 40].to_owned()] {
        let (eager_summary, eager_events) = eager(&input);
        let (summary, seen) = deferred(&input, true, true);
        assert_eq!(summary, eager_summary);
        assert!(!eager_summary.rejects.is_empty());
        assert!(
            seen.iter().all(|s| !s.0),
            "every element arrives unnormalized"
        );
        let events: Vec<&String> = seen.iter().map(|s| &s.4).collect();
        assert_eq!(events, eager_events.iter().collect::<Vec<_>>());
    }
}

/// The corpus log folder, or `None` (the test then passes) when `../shared` is absent.
fn corpus() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/logs");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("LOGSEC_REQUIRE_SHARED").as_deref() != Ok("1"),
        "LOGSEC_REQUIRE_SHARED=1 but {} is missing",
        dir.display()
    );
    println!("skipping: ../shared not found");
    None
}

/// The JSON log files under `dir` (not licences, expectations, metadata or the OTRF CSV).
fn json_logs(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if path.is_dir() {
            json_logs(&path, out);
        } else if matches!(ext, "json" | "jsonl" | "log") {
            out.push(path);
        }
    }
}

/// Every CloudTrail and Kubernetes audit record of the corpus, deferred and then normalized
/// (from the members its validating pass cut), gives the event, counts and rejects of the
/// eager parse.
#[test]
fn conformance_deferred_normalization_matches_eager_over_corpus() {
    let Some(root) = corpus() else { return };
    let mut totals = Vec::new();
    for (dir, format) in [
        ("cloudtrail", SourceFormat::Cloudtrail),
        ("k8s-audit", SourceFormat::K8sAudit),
    ] {
        let mut paths = Vec::new();
        json_logs(&root.join(dir), &mut paths);
        let (mut events, mut deferred_records) = (0, 0);
        for path in paths {
            let input = std::fs::read_to_string(&path).unwrap();
            let options = ParseOptions {
                format: Some(format),
                ..ParseOptions::default()
            };
            let mut eager_events = Vec::new();
            let eager_summary = parse_reader(input.as_bytes(), &options, |event| {
                eager_events.push(event.to_ocsf_json());
            })
            .unwrap();
            let mut normalized = Vec::new();
            let summary = parse_reader_deferred(
                input.as_bytes(),
                &options,
                |f| f == format,
                |pending| {
                    deferred_records += usize::from(!pending.is_normalized());
                    if let Some(event) = pending.normalize() {
                        normalized.push(event.to_ocsf_json());
                    }
                },
            )
            .unwrap();
            assert_eq!(summary, eager_summary, "{}", path.display());
            // Straight from the bytes, the same.
            let mut from_slice = Vec::new();
            let slice_summary = parse_slice_deferred(
                input.as_bytes(),
                &options,
                |f| f == format,
                |pending| {
                    if let Some(event) = pending.normalize() {
                        from_slice.push(event.to_ocsf_json());
                    }
                },
            )
            .unwrap();
            assert_eq!(slice_summary, eager_summary, "{}", path.display());
            assert_eq!(from_slice, normalized, "{}", path.display());
            assert_eq!(normalized.len(), eager_events.len(), "{}", path.display());
            for (got, want) in normalized.iter().zip(&eager_events) {
                assert_eq!(got, want, "{}", path.display());
            }
            events += eager_events.len();
        }
        totals.push((dir, events, deferred_records));
    }
    // 8 CloudTrail files (599 JSON records) and 47 Kubernetes audit files (241 records) at the
    // time of writing; every record arrives deferred, those inside envelopes included.
    for (dir, events, deferred_records) in &totals {
        assert_eq!(events, deferred_records, "{dir}");
    }
    assert!(totals[0].1 >= 590, "{totals:?}");
    assert!(totals[1].1 >= 240, "{totals:?}");
}

/// A `Records` element is validated, cut and handed over in one pass that also finds its end;
/// one that is malformed, too deep, too wide, too large, not UTF-8, not an object or an
/// envelope takes the path that scans it first, with the eager parse's exact reject, in a
/// slice and streamed.
#[test]
fn records_elements_past_the_limits_keep_the_eager_rejects_when_deferred() {
    let options = common::small_limits();
    let ok = |name: &str| {
        format!(r#"{{"eventName":"{name}","eventSource":"s3.amazonaws.com","note":"é:"}}"#)
    };
    let envelope = r#"{"Records":[{"eventName":"Inner"}]}"#;
    let input = common::records_with_bad_elements(ok, &[envelope]);
    let eager = assert_deferred_as_eager(&input, &options);
    assert!(eager.rejects.len() >= 6, "{:#?}", eager.rejects);
}

/// Parses `input` eagerly, then deferred (normalizing every pending record) from a slice and
/// from a reader, and asserts the same summary and the same OCSF events each time: the
/// eager summary.
fn assert_deferred_as_eager(input: &[u8], options: &ParseOptions) -> ParseSummary {
    let mut eager_events = Vec::new();
    let eager = parse_reader(input, options, |event| {
        eager_events.push(event.to_ocsf_json());
    })
    .unwrap();
    let defer = |format| format == SourceFormat::Cloudtrail;
    for slice in [true, false] {
        let mut events = Vec::new();
        let visit = |pending: &mut logsec_parse::Pending<'_>| {
            events.push(
                pending
                    .normalize()
                    .map(|e| e.to_ocsf_json())
                    .unwrap_or_default(),
            );
        };
        let summary = if slice {
            parse_slice_deferred(input, options, defer, visit)
        } else {
            parse_reader_deferred(input, options, defer, visit)
        }
        .unwrap();
        assert_eq!(summary, eager, "slice: {slice}");
        assert_eq!(events, eager_events, "slice: {slice}");
    }
    eager
}

/// A JSON line is deferred without counting its brackets and colons: the validating pass
/// refuses nesting past the depth limit, and a line of `n` bytes holds at most `n / 3`
/// members. Lines past a limit, and lines whose length does not bound their members, get the
/// eager parse's counts, rejects and events.
#[test]
fn json_lines_past_the_limits_keep_the_eager_rejects_when_deferred() {
    // Lines of up to 122 bytes are deferred uncounted (122 / 3 = 40 members at most).
    let mut options = common::small_limits();
    options.limits.max_fields = 40;
    let wide = format!(
        r#"{{"eventName":"Wide",{}}}"#,
        (0..40)
            .map(|i| format!("\"k{i}\":1"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let lines = [
        r#"{"eventName":"A","eventSource":"s3.amazonaws.com"}"#.to_owned(),
        // Depth 6, one past the limit of 5; then depth 5, at the limit.
        r#"{"eventName":"Deep","a":{"b":{"c":{"d":{"e":[1]}}}}}"#.to_owned(),
        r#"{"eventName":"AtLimit","a":{"b":{"c":{"d":[1]}}}}"#.to_owned(),
        // 41 members, one past the limit of 40.
        wide,
        // Three members in more than 122 bytes: counted, then deferred.
        format!(
            r#"{{"eventName":"Long","a":"{}","b":"x:y{{"}}"#,
            "z".repeat(120)
        ),
        r#"{"eventName":"Z"}"#.to_owned(),
    ];
    let input = lines.join("\n");
    let eager = assert_deferred_as_eager(input.as_bytes(), &options);
    assert_eq!(eager.events, 4, "{eager:#?}");
    assert_eq!(eager.rejects.len(), 2, "{:#?}", eager.rejects);
}
