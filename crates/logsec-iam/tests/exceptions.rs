//! The bundled exceptions tables, row by row, plus specific cases written out by hand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use logsec_iam::{
    ACTION_EXCEPTIONS_TSV, SERVICE_PREFIXES_TSV, action_exceptions, iam_actions, service_prefix,
    service_prefix_exceptions,
};

/// Reads the raw TSV independently of the crate's parser, so a row the parser drops is caught.
fn raw_rows(text: &str) -> Vec<Vec<String>> {
    text.split('\n')
        .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect()
}

#[test]
fn every_action_exception_row_is_parsed_and_applied() {
    let rows = raw_rows(ACTION_EXCEPTIONS_TSV);
    assert_eq!(rows.len(), action_exceptions().len());
    assert!(rows.len() >= 60, "the table shrank to {} rows", rows.len());
    for row in &rows {
        assert_eq!(row.len(), 4, "row {row:?} must have 4 columns");
        let (source, name, actions, note) = (&row[0], &row[1], &row[2], &row[3]);
        assert!(source.ends_with(".amazonaws.com"), "{row:?}");
        assert!(!note.trim().is_empty(), "row {row:?} must say why");
        let expected: Vec<String> = if actions == "-" {
            vec![]
        } else {
            actions.split(',').map(|a| a.trim().to_owned()).collect()
        };
        for action in &expected {
            let (prefix, verb) = action.split_once(':').expect("prefix:Action");
            assert!(!prefix.is_empty() && verb.chars().next().unwrap().is_ascii_uppercase());
        }
        assert_eq!(iam_actions(source, name, false), expected, "row {row:?}");
    }
}

#[test]
fn action_exception_rows_are_unique() {
    let rows = raw_rows(ACTION_EXCEPTIONS_TSV);
    let mut keys: Vec<(String, String)> =
        rows.iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    keys.sort();
    let before = keys.len();
    keys.dedup();
    assert_eq!(
        before,
        keys.len(),
        "duplicate (eventSource, eventName) rows"
    );
}

#[test]
fn every_service_prefix_row_is_applied() {
    let rows = raw_rows(SERVICE_PREFIXES_TSV);
    assert_eq!(rows.len(), service_prefix_exceptions().len());
    for row in &rows {
        assert_eq!(row.len(), 3, "row {row:?}");
        assert_eq!(service_prefix(&row[0]), row[1], "row {row:?}");
        // A call on that source without an action exception uses the mapped prefix.
        assert_eq!(
            iam_actions(&row[0], "SomeCall", false),
            vec![format!("{}:SomeCall", row[1])]
        );
    }
}

#[test]
fn specific_mappings() {
    let one = |source: &str, name: &str| iam_actions(source, name, false);
    assert_eq!(
        one("s3.amazonaws.com", "ListBuckets"),
        ["s3:ListAllMyBuckets"]
    );
    assert_eq!(one("s3.amazonaws.com", "ListObjects"), ["s3:ListBucket"]);
    assert_eq!(one("s3.amazonaws.com", "ListObjectsV2"), ["s3:ListBucket"]);
    assert_eq!(one("s3.amazonaws.com", "HeadObject"), ["s3:GetObject"]);
    assert_eq!(one("s3.amazonaws.com", "HeadBucket"), ["s3:ListBucket"]);
    assert_eq!(
        one("s3.amazonaws.com", "CopyObject"),
        ["s3:GetObject", "s3:PutObject"]
    );
    assert_eq!(one("s3.amazonaws.com", "GetObjectAcl"), ["s3:GetObjectAcl"]);
    assert_eq!(
        iam_actions("s3.amazonaws.com", "GetObjectAcl", true),
        ["s3:GetObjectVersionAcl"]
    );
    assert_eq!(
        iam_actions("s3.amazonaws.com", "HeadObject", true),
        ["s3:GetObjectVersion"]
    );
    assert_eq!(
        iam_actions("s3.amazonaws.com", "PutObject", true),
        ["s3:PutObject"]
    );
    assert_eq!(
        one("lambda.amazonaws.com", "ListFunctions20150331"),
        ["lambda:ListFunctions"]
    );
    assert_eq!(
        one(
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2"
        ),
        ["lambda:UpdateFunctionConfiguration"]
    );
    assert_eq!(
        one("lambda.amazonaws.com", "Invoke"),
        ["lambda:InvokeFunction"]
    );
    assert_eq!(
        one("cloudfront.amazonaws.com", "CreateInvalidation2019_03_26"),
        ["cloudfront:CreateInvalidation"]
    );
    assert_eq!(
        one("monitoring.amazonaws.com", "PutMetricAlarm"),
        ["cloudwatch:PutMetricAlarm"]
    );
    assert_eq!(one("email.amazonaws.com", "SendEmail"), ["ses:SendEmail"]);
    assert_eq!(one("iam.amazonaws.com", "CreateUser"), ["iam:CreateUser"]);
    assert_eq!(
        one("ec2.amazonaws.com", "RunInstances"),
        ["ec2:RunInstances"]
    );
    assert!(one("signin.amazonaws.com", "ConsoleLogin").is_empty());
    assert!(one("sts.amazonaws.com", "GetCallerIdentity").is_empty());
}
