//! One input cut into many chunks gives the same alerts, in the same order, and the same
//! reject locations, whatever the thread count and the chunk size.
#![allow(clippy::unwrap_used)]

use std::io::Write;

use logsec::parse::{LocationKind, Reject};
use logsec::rules::RuleFile;
use logsec::{Input, Pipeline, ScanReport};

const RULES: &str = concat!(
    include_str!("fixtures/bucket_listing.yml"),
    "---\n",
    include_str!("fixtures/bucket_listings_count.yml")
);

/// One CloudTrail record; every seventh is a bucket listing from one of three addresses.
fn record(i: usize) -> String {
    let name = if i.is_multiple_of(7) {
        "ListBuckets"
    } else {
        "GetObject"
    };
    let ip = match i % 3 {
        0 => "198.51.100.1",
        1 => "10.0.0.5",
        _ => "203.0.113.9",
    };
    let (minute, second) = ((i / 60) % 60, i % 60);
    format!(
        r#"{{"eventVersion":"1.09","eventTime":"2026-01-01T03:{minute:02}:{second:02}Z","eventSource":"s3.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"{ip}","userAgent":"aws-cli/2 \"quoted\" {{brace}} [bracket],","eventID":"id-{i:05}","eventType":"AwsApiCall","recipientAccountId":"123456789012"}}"#
    )
}

/// Lines that the parser rejects, by record number.
fn bad(i: usize) -> Option<&'static str> {
    match i {
        5 => Some(r#"{"eventVersion":"1.09","eventTime":"#),
        333 => Some("not json at all"),
        901 => Some(r#"[1, 2, 3]"#),
        _ => None,
    }
}

const RECORDS: usize = 1200;

/// JSON lines with three bad lines; also returns (line number, byte offset) of each reject
/// (the array line is three rejects, one per element).
fn json_lines() -> (Vec<u8>, Vec<(u64, u64)>) {
    let mut out = Vec::new();
    let mut bad_at = Vec::new();
    for i in 0..RECORDS {
        match bad(i) {
            Some(text) => {
                let rejects = if text.starts_with('[') { 3 } else { 1 };
                bad_at.extend(std::iter::repeat_n(
                    (i as u64 + 1, out.len() as u64),
                    rejects,
                ));
                out.extend_from_slice(text.as_bytes());
            }
            None => out.extend_from_slice(record(i).as_bytes()),
        }
        out.push(b'\n');
    }
    (out, bad_at)
}

/// The same records as one `{"Records":[…]}` document, with two elements the parser rejects;
/// also returns (record index, byte offset) of each.
fn records_file() -> (Vec<u8>, Vec<(u64, u64)>) {
    let mut out = b"{\"Records\": [\n".to_vec();
    let mut bad_at = Vec::new();
    for i in 0..RECORDS {
        if i > 0 {
            out.extend_from_slice(b",\n  ");
        }
        match i {
            77 | 1001 => {
                bad_at.push((i as u64, out.len() as u64));
                out.extend_from_slice(b"\"a string, not a record\"");
            }
            _ => out.extend_from_slice(record(i).as_bytes()),
        }
    }
    out.extend_from_slice(b"\n]}\n");
    (out, bad_at)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// Scans `data` and returns the alerts as OCSF JSON lines, and the report.
fn scan(data: &[u8], threads: usize, chunk_bytes: usize) -> (String, ScanReport) {
    let pipeline = Pipeline::builder()
        .default_rules(false)
        .rule_file(RuleFile::new("rules.yml", RULES))
        .threads(threads)
        .chunk_bytes(chunk_bytes)
        .build();
    assert_eq!(pipeline.rule_errors(), 0);
    let input = Input::Bytes {
        name: "trail.json".into(),
        data: data.to_vec(),
    };
    let mut out = String::new();
    let report = pipeline
        .scan(&[input], &mut |alert| {
            out.push_str(&serde_json::to_string(alert).unwrap());
            out.push('\n');
        })
        .unwrap();
    (out, report)
}

fn locations(rejects: &[Reject]) -> Vec<(LocationKind, u64, u64)> {
    rejects
        .iter()
        .map(|r| (r.location_kind, r.record, r.byte_offset))
        .collect()
}

/// Single-event alerts: records 0, 7, 14, … that are listings, minus the 10.0.0.0/8 ones.
fn expected_single_alerts() -> usize {
    (0..RECORDS)
        .filter(|i| i.is_multiple_of(7) && i % 3 != 1 && bad(*i).is_none())
        .count()
}

#[test]
fn a_multi_chunk_json_lines_file_gives_byte_identical_alerts_with_1_and_4_threads() {
    let (data, bad_at) = json_lines();
    assert!(data.len() > 200 * 1024, "{} bytes", data.len());
    let (one, one_report) = scan(&data, 1, 16 << 10);
    let (four, four_report) = scan(&data, 4, 16 << 10);
    let (whole, _) = scan(&data, 1, 1 << 30);
    assert_eq!(one, four);
    assert_eq!(one, whole, "cutting into chunks changed the alerts");
    let titles: Vec<&str> = one
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            if v["finding_info"]["title"] == "Three listings by one address" {
                "correlation"
            } else {
                "single"
            }
        })
        .collect();
    let singles = titles.iter().take_while(|t| **t == "single").count();
    assert_eq!(singles, expected_single_alerts());
    assert!(titles.len() > singles, "no correlation alert");
    assert!(titles[singles..].iter().all(|t| *t == "correlation"));

    let file = &four_report.files[0];
    assert_eq!(file.error, None);
    assert_eq!(file.events, (RECORDS - 3) as u64);
    assert_eq!(file.records, RECORDS as u64 + 2);
    let expected: Vec<(LocationKind, u64, u64)> = bad_at
        .iter()
        .map(|&(line, offset)| (LocationKind::Line, line, offset))
        .collect();
    assert_eq!(locations(&file.rejects), expected);
    assert_eq!(
        locations(&one_report.files[0].rejects),
        expected,
        "one thread"
    );
}

#[test]
fn a_multi_chunk_records_file_gives_the_same_alerts_and_record_indexes() {
    let (data, bad_at) = records_file();
    let (one, one_report) = scan(&data, 1, 8 << 10);
    let (four, four_report) = scan(&data, 4, 8 << 10);
    let (whole, whole_report) = scan(&data, 1, 1 << 30);
    assert_eq!(one, four);
    assert_eq!(one, whole, "cutting into chunks changed the alerts");
    assert!(one.lines().count() > expected_single_alerts());
    let expected: Vec<(LocationKind, u64, u64)> = bad_at
        .iter()
        .map(|&(index, offset)| (LocationKind::RecordIndex, index, offset))
        .collect();
    for report in [&one_report, &four_report, &whole_report] {
        let file = &report.files[0];
        assert_eq!(file.error, None);
        assert_eq!(file.events, (RECORDS - 2) as u64);
        assert_eq!(locations(&file.rejects), expected);
    }
}

#[test]
fn gzip_input_gives_the_same_alerts_and_rejects_as_plain() {
    let (data, bad_at) = json_lines();
    let (plain, _) = scan(&data, 2, 16 << 10);
    let (gz, report) = scan(&gzip(&data), 2, 16 << 10);
    assert_eq!(plain, gz);
    let lines: Vec<u64> = report.files[0].rejects.iter().map(|r| r.record).collect();
    assert_eq!(lines, bad_at.iter().map(|b| b.0).collect::<Vec<_>>());

    let (records, _) = records_file();
    assert_eq!(
        scan(&records, 1, 8 << 10).0,
        scan(&gzip(&records), 3, 8 << 10).0
    );
}

#[test]
fn a_cut_gzip_stream_keeps_the_records_before_the_cut() {
    let (data, _) = json_lines();
    let compressed = gzip(&data);
    let cut = &compressed[..compressed.len() / 2];
    let (_, one) = scan(cut, 1, 16 << 10);
    let (_, four) = scan(cut, 4, 16 << 10);
    let (a, b) = (&one.files[0], &four.files[0]);
    assert!(a.events > 100 && a.events < RECORDS as u64, "{a:?}");
    assert_eq!(a.events, b.events);
    assert_eq!(locations(&a.rejects), locations(&b.rejects));
    let last = a.rejects.last().unwrap();
    assert!(last.reason.contains("gzip"), "{last:?}");
}

#[test]
fn an_oversized_line_is_rejected_at_its_line_without_being_read_whole() {
    let (mut data, _) = json_lines();
    let line_start = data.len() as u64;
    data.extend(std::iter::repeat_n(b'x', (1 << 20) + 10));
    data.push(b'\n');
    data.extend_from_slice(record(0).replace("id-00000", "after").as_bytes());
    data.push(b'\n');
    let (alerts, report) = scan(&data, 2, 16 << 10);
    let file = &report.files[0];
    let last = file.rejects.last().unwrap();
    assert_eq!(
        (last.location_kind, last.record, last.byte_offset),
        (LocationKind::Line, RECORDS as u64 + 1, line_start)
    );
    assert!(last.reason.contains("exceeds the limit"), "{last:?}");
    assert!(alerts.contains("\"after\""), "the record after it was lost");
}
