//! Real CloudTrail samples from `../shared/corpus` (skipped when absent, unless
//! `LOGSEC_REQUIRE_SHARED=1`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use logsec_iam::{Report, ReportOptions, run_report};

fn corpus() -> Option<PathBuf> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/logs/cloudtrail");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("LOGSEC_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!("../shared not found and LOGSEC_REQUIRE_SHARED=1");
    }
    println!("skipping: ../shared not found");
    None
}

fn report_of(files: &[PathBuf]) -> Report {
    // One authorization file per call: the tests run in parallel threads, and a
    // shared path would let one test read the file while another rewrites it.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("logsec-iam-conf-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let authz = dir.join("empty-authz.json");
    std::fs::write(&authz, r#"{"UserDetailList":[],"RoleDetailList":[]}"#).unwrap();
    let options = ReportOptions::from_durations("5000d", None).unwrap();
    run_report(files, &authz, &options).unwrap()
}

fn used(report: &Report, arn: &str) -> Vec<(String, u64)> {
    report
        .principals
        .iter()
        .find(|p| p.arn == arn)
        .unwrap_or_else(|| panic!("no principal {arn}"))
        .used
        .iter()
        .map(|u| (u.action.clone(), u.count))
        .collect()
}

#[test]
fn conformance_otel_records_file() {
    let Some(dir) = corpus() else { return };
    let report = report_of(&[dir.join("otel-collector-contrib/cloudtrail_log.json")]);
    assert_eq!(report.input.records, 7);
    assert_eq!(report.input.rejected, 0);
    // The Insight record and the KMS RotateKey service event are not calls.
    assert_eq!(report.input.not_api_calls, 2);
    // The Identity Center console sign-in needs no IAM action.
    assert_eq!(report.input.without_iam_action, 1);
    let actions: Vec<String> = report
        .principals
        .iter()
        .flat_map(|p| p.used.iter().map(|u| u.action.clone()))
        .collect();
    let mut sorted = actions.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "cloudtrail:UpdateTrail",
            "ec2:StartInstances",
            "iam:CreateUser",
            "sns:Publish"
        ]
    );
    assert_eq!(report.visibility.data_event_services, ["sns"]);
}

#[test]
fn conformance_ec2_proxy_exfiltration() {
    let Some(dir) = corpus() else { return };
    let report = report_of(&[
        dir.join("otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json")
    ]);
    assert_eq!(report.input.records, 103);
    assert_eq!(report.input.rejected, 0);
    assert_eq!(
        used(
            &report,
            "arn:aws:iam::123456789123:role/MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0"
        ),
        [
            ("s3:GetObject".to_owned(), 2),
            ("s3:ListAllMyBuckets".to_owned(), 2),
            ("s3:ListBucket".to_owned(), 7)
        ]
    );
    let pedro = used(&report, "arn:aws:iam::123456789123:user/pedro");
    assert!(pedro.contains(&("ec2:DescribeInstances".to_owned(), 11)));
    assert!(pedro.contains(&("cloudwatch:DescribeAlarms".to_owned(), 2)));
    assert_eq!(report.aws_service_calls.len(), 1);
    assert_eq!(report.aws_service_calls[0].service, "ec2.amazonaws.com");
    assert_eq!(report.aws_service_calls[0].action, "sts:AssumeRole");
    assert_eq!(report.aws_service_calls[0].count, 5);
}

#[test]
fn conformance_crowdsec_ndjson() {
    let Some(dir) = corpus() else { return };
    let files: Vec<PathBuf> = [
        "aws-bf/aws-bf.log",
        "aws-cloudtrail-postexploit/aws-cloudtrail-postexploit.log",
        "aws-cloudtrail/aws-cloudtrail.log",
        "aws-nwo-login/aws-nwo-login.log",
    ]
    .iter()
    .map(|f| dir.join("crowdsec-hub").join(f))
    .collect();
    let report = report_of(&files);
    assert_eq!(report.input.records, 13);
    assert_eq!(report.input.rejected, 0);
    assert_eq!(report.input.in_window + report.input.before_window, 13);
}
