//! The fixture scenario (`tests/fixtures/`): an authorization-details document and CloudTrail
//! events (JSON lines plus a gzip `Records` file), with the whole expected report written out
//! by hand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use logsec_iam::{Report, ReportOptions, run_report};
use serde_json::{Value, json};

const A: &str = "111122223333";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn report() -> Report {
    let options = ReportOptions::from_durations("30d", Some("10d")).unwrap();
    run_report(
        &[fixture("trail-a.jsonl"), fixture("trail-b.json.gz")],
        &fixture("authz.json"),
        &options,
    )
    .unwrap()
}

fn principal(report: &Value, arn: &str) -> Value {
    report["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["arn"] == arn)
        .unwrap_or_else(|| panic!("no principal {arn}"))
        .clone()
}

#[test]
fn window_input_and_visibility() {
    let report = serde_json::to_value(report()).unwrap();
    assert_eq!(
        report["window"],
        json!({
            "start": "2026-03-01T12:00:00Z",
            "end": "2026-03-31T12:00:00Z",
            "since": "30d",
            "baseline": {"start": "2026-03-01T12:00:00Z", "end": "2026-03-11T12:00:00Z"},
            "recent": {"start": "2026-03-11T12:00:00Z", "end": "2026-03-31T12:00:00Z"},
        })
    );
    let input = &report["input"];
    assert_eq!(input["records"], 24);
    assert_eq!(input["rejected"], 2);
    assert_eq!(input["in_window"], 21);
    assert_eq!(input["before_window"], 1);
    assert_eq!(input["without_iam_action"], 1);
    let examples = input["rejected_examples"].as_array().unwrap();
    assert_eq!(examples.len(), 2);
    assert!(examples[0].as_str().unwrap().contains("trail-a.jsonl:19: "));
    assert!(
        examples[1]
            .as_str()
            .unwrap()
            .ends_with("CloudTrail record: eventName is missing or not a string")
    );
    assert_eq!(
        report["visibility"]["event_categories"],
        json!({"Management": 16, "Data": 6})
    );
    assert_eq!(report["visibility"]["data_event_services"], json!(["s3"]));
    assert_eq!(report["visibility"]["management_read_events"], true);
    assert_eq!(report["visibility"]["management_write_events"], true);
    let principals: Vec<&str> = report["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["arn"].as_str().unwrap())
        .collect();
    assert_eq!(
        principals,
        [
            "arn:aws:iam::111122223333:role/service/app-role",
            "arn:aws:iam::111122223333:role/unused-role",
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::111122223333:user/bob",
            "arn:aws:iam::111122223333:user/carol",
        ]
    );
    assert!(
        report["not_evaluated"]
            .as_array()
            .unwrap()
            .contains(&json!("Permissions boundaries, attached to: bob."))
    );
    assert_eq!(
        report["aws_service_calls"],
        json!([{"service": "ec2.amazonaws.com", "action": "sts:AssumeRole", "count": 1,
                "first_seen": "2026-03-29T10:00:00Z", "last_seen": "2026-03-29T10:00:00Z"}])
    );
}

#[test]
fn alice_exact() {
    let report = serde_json::to_value(report()).unwrap();
    let alice = principal(&report, &format!("arn:aws:iam::{A}:user/alice"));
    assert_eq!(
        alice,
        json!({
            "arn": "arn:aws:iam::111122223333:user/alice",
            "name": "alice",
            "kind": "user",
            "in_authorization_details": true,
            "first_seen": "2026-03-02T09:00:00Z",
            "last_seen": "2026-03-27T07:00:00Z",
            "used": [
                {"action": "iam:ChangePassword", "count": 1, "first_seen": "2026-03-24T08:00:00Z",
                 "last_seen": "2026-03-24T08:00:00Z",
                 "resources": ["arn:aws:iam::111122223333:user/alice"], "verdict": "allowed",
                 "granted_by": ["managed:IamSelfManage#0"]},
                {"action": "iam:GetUser", "count": 1, "first_seen": "2026-03-23T08:00:00Z",
                 "last_seen": "2026-03-23T08:00:00Z",
                 "resources": ["arn:aws:iam::111122223333:user/alice"], "verdict": "allowed",
                 "granted_by": ["managed:IamSelfManage#0"]},
                {"action": "s3:GetObject", "count": 4, "first_seen": "2026-03-03T10:00:00Z",
                 "last_seen": "2026-03-26T12:00:00Z",
                 "resources": ["arn:aws:s3:::app-data/reports/q1.csv",
                               "arn:aws:s3:::app-data/reports/q2.csv",
                               "arn:aws:s3:::shared-exports/dump.csv"],
                 "verdict": "not_granted_by_identity_policies",
                 "granted_by": ["inline:alice-s3#1"]},
                {"action": "s3:ListAllMyBuckets", "count": 1, "first_seen": "2026-03-02T09:00:00Z",
                 "last_seen": "2026-03-02T09:00:00Z", "resources": [], "verdict": "allowed",
                 "granted_by": ["inline:alice-s3#0"]},
                {"action": "s3:ListBucket", "count": 1, "first_seen": "2026-03-22T08:00:00Z",
                 "last_seen": "2026-03-22T08:00:00Z", "resources": ["arn:aws:s3:::app-data"],
                 "verdict": "allowed", "granted_by": ["inline:alice-s3#2"]},
                {"action": "s3:PutObject", "count": 1, "first_seen": "2026-03-25T08:00:00Z",
                 "last_seen": "2026-03-25T08:00:00Z",
                 "resources": ["arn:aws:s3:::app-data/copies/q2.csv"], "verdict": "allowed",
                 "granted_by": ["inline:alice-s3#1"]},
            ],
            "used_via_services": [
                {"action": "ec2:DescribeInstances", "invoked_by": "cloudformation.amazonaws.com",
                 "count": 1, "first_seen": "2026-03-24T09:00:00Z", "last_seen": "2026-03-24T09:00:00Z"}
            ],
            "denied": [
                {"action": "s3:GetObject", "count": 1, "first_seen": "2026-03-21T08:00:00Z",
                 "last_seen": "2026-03-21T08:00:00Z", "error_codes": ["AccessDenied"],
                 "resources": ["arn:aws:s3:::secret-bucket/x"],
                 "identity_policy_verdict": "not_granted_by_identity_policies"}
            ],
            "unused_statements": [
                {"policy": "managed:IamSelfManage",
                 "policy_arn": "arn:aws:iam::111122223333:policy/IamSelfManage",
                 "index": 1, "sid": "Keys", "action_kind": "Action",
                 "actions": ["iam:CreateAccessKey"],
                 "resources": ["arn:aws:iam::111122223333:user/${aws:username}"],
                 "has_condition": true, "status": "unused"},
                {"policy": "inline:group-logs (via group developers)", "index": 0,
                 "action_kind": "Action", "actions": ["logs:GetLogEvents", "logs:FilterLogEvents"],
                 "resources": ["*"], "status": "unused"}
            ],
            "unused_action_patterns": [
                {"pattern": "iam:CreateAccessKey", "statements": ["managed:IamSelfManage#1"],
                 "status": "unused"},
                {"pattern": "logs:FilterLogEvents",
                 "statements": ["inline:group-logs (via group developers)#0"], "status": "unused"},
                {"pattern": "logs:GetLogEvents",
                 "statements": ["inline:group-logs (via group developers)#0"], "status": "unused"}
            ],
            "suggested_policy": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Sid": "Ec2", "Effect": "Allow", "Action": ["ec2:DescribeInstances"], "Resource": "*"},
                    {"Sid": "Iam", "Effect": "Allow", "Action": ["iam:ChangePassword", "iam:GetUser"],
                     "Resource": ["arn:aws:iam::111122223333:user/alice"]},
                    {"Sid": "S3", "Effect": "Allow", "Action": ["s3:ListAllMyBuckets"], "Resource": "*"},
                    {"Sid": "S3Part2", "Effect": "Allow", "Action": ["s3:ListBucket"],
                     "Resource": ["arn:aws:s3:::app-data"]},
                    {"Sid": "S3Part3", "Effect": "Allow", "Action": ["s3:PutObject"],
                     "Resource": ["arn:aws:s3:::app-data/*"]},
                    {"Sid": "S3Part4", "Effect": "Allow", "Action": ["s3:GetObject"],
                     "Resource": ["arn:aws:s3:::app-data/*", "arn:aws:s3:::shared-exports/*"]}
                ]
            }
        })
    );
}

#[test]
fn bob_exact() {
    let report = serde_json::to_value(report()).unwrap();
    let bob = principal(&report, &format!("arn:aws:iam::{A}:user/bob"));
    assert_eq!(
        bob,
        json!({
            "arn": "arn:aws:iam::111122223333:user/bob",
            "name": "bob",
            "kind": "user",
            "in_authorization_details": true,
            "permissions_boundary": "arn:aws:iam::111122223333:policy/Boundary",
            "first_seen": "2026-03-05T10:00:00Z",
            "last_seen": "2026-03-31T12:00:00Z",
            "used": [
                {"action": "ec2:DescribeInstances", "count": 2, "first_seen": "2026-03-05T10:00:00Z",
                 "last_seen": "2026-03-31T12:00:00Z", "resources": [], "verdict": "allowed",
                 "granted_by": ["inline:bob-broad#0"]},
                {"action": "lambda:ListFunctions", "count": 1, "first_seen": "2026-03-19T10:00:00Z",
                 "last_seen": "2026-03-19T10:00:00Z", "resources": [], "verdict": "allowed",
                 "granted_by": ["inline:bob-broad#0"]}
            ],
            "used_via_services": [],
            "denied": [
                {"action": "iam:AttachUserPolicy", "count": 1, "first_seen": "2026-03-18T10:00:00Z",
                 "last_seen": "2026-03-18T10:00:00Z", "error_codes": ["AccessDenied"],
                 "resources": ["arn:aws:iam::111122223333:user/alice"],
                 "identity_policy_verdict": "not_granted_by_identity_policies"}
            ],
            "unused_statements": [],
            "unused_action_patterns": [],
            "suggested_policy": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Sid": "Ec2", "Effect": "Allow", "Action": ["ec2:DescribeInstances"], "Resource": "*"},
                    {"Sid": "Lambda", "Effect": "Allow", "Action": ["lambda:ListFunctions"], "Resource": "*"}
                ]
            }
        })
    );
}

#[test]
fn roles_root_and_unknown_user_exact() {
    let report = serde_json::to_value(report()).unwrap();
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    assert_eq!(
        principal(&report, &format!("arn:aws:iam::{A}:role/service/app-role")),
        json!({
            "arn": "arn:aws:iam::111122223333:role/service/app-role",
            "name": "app-role",
            "kind": "role",
            "in_authorization_details": true,
            "first_seen": "2026-03-04T11:00:00Z",
            "last_seen": "2026-03-26T10:00:00Z",
            "used": [
                {"action": "kms:Decrypt", "count": 2, "first_seen": "2026-03-04T11:00:00Z",
                 "last_seen": "2026-03-26T10:00:00Z", "resources": [key], "verdict": "allowed",
                 "granted_by": ["managed:AppRolePolicy#1"]},
                {"action": "sts:AssumeRole", "count": 1, "first_seen": "2026-03-25T10:00:00Z",
                 "last_seen": "2026-03-25T10:00:00Z",
                 "resources": ["arn:aws:iam::111122223333:role/reporting"], "verdict": "allowed",
                 "granted_by": ["managed:AppRolePolicy#2"]}
            ],
            "used_via_services": [],
            "denied": [],
            "unused_statements": [
                {"policy": "managed:AppRolePolicy",
                 "policy_arn": "arn:aws:iam::111122223333:policy/AppRolePolicy", "index": 0,
                 "sid": "Orders", "action_kind": "Action",
                 "actions": ["dynamodb:GetItem", "dynamodb:PutItem"],
                 "resources": ["arn:aws:dynamodb:us-east-1:111122223333:table/orders"],
                 "status": "unobserved", "reason": "no dynamodb data events in the input"},
                {"policy": "managed:AppRolePolicy",
                 "policy_arn": "arn:aws:iam::111122223333:policy/AppRolePolicy", "index": 3,
                 "sid": "Queue", "action_kind": "Action", "actions": ["sqs:SendMessage"],
                 "resources": ["*"], "status": "unobserved",
                 "reason": "no sqs data events in the input"}
            ],
            "unused_action_patterns": [
                {"pattern": "dynamodb:GetItem", "statements": ["managed:AppRolePolicy#0"],
                 "status": "unobserved", "reason": "no dynamodb data events in the input"},
                {"pattern": "dynamodb:PutItem", "statements": ["managed:AppRolePolicy#0"],
                 "status": "unobserved", "reason": "no dynamodb data events in the input"},
                {"pattern": "sqs:SendMessage", "statements": ["managed:AppRolePolicy#3"],
                 "status": "unobserved", "reason": "no sqs data events in the input"}
            ],
            "suggested_policy": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Sid": "Kms", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [key]},
                    {"Sid": "Sts", "Effect": "Allow", "Action": ["sts:AssumeRole"],
                     "Resource": ["arn:aws:iam::111122223333:role/reporting"]}
                ]
            }
        })
    );
    assert_eq!(
        principal(&report, &format!("arn:aws:iam::{A}:role/unused-role")),
        json!({
            "arn": "arn:aws:iam::111122223333:role/unused-role",
            "name": "unused-role",
            "kind": "role",
            "in_authorization_details": true,
            "used": [],
            "used_via_services": [],
            "denied": [],
            "unused_statements": [
                {"policy": "inline:everything-s3", "index": 0, "action_kind": "Action",
                 "actions": ["s3:*"], "resources": ["*"], "status": "unused"},
                {"policy": "managed:AuditRead",
                 "policy_arn": "arn:aws:iam::111122223333:policy/AuditRead", "index": 0,
                 "action_kind": "Action", "actions": ["cloudtrail:LookupEvents"],
                 "resources": ["*"], "status": "unused"}
            ],
            "unused_action_patterns": [
                {"pattern": "cloudtrail:LookupEvents", "statements": ["managed:AuditRead#0"],
                 "status": "unused"},
                {"pattern": "s3:*", "statements": ["inline:everything-s3#0"], "status": "unused"}
            ],
            "suggested_policy": null
        })
    );
    assert_eq!(
        principal(&report, &format!("arn:aws:iam::{A}:root")),
        json!({
            "arn": "arn:aws:iam::111122223333:root",
            "name": "root",
            "kind": "root",
            "in_authorization_details": false,
            "first_seen": "2026-03-15T10:00:00Z",
            "last_seen": "2026-03-15T10:00:00Z",
            "used": [
                {"action": "iam:AttachRolePolicy", "count": 1, "first_seen": "2026-03-15T10:00:00Z",
                 "last_seen": "2026-03-15T10:00:00Z",
                 "resources": ["arn:aws:iam::111122223333:role/unused-role"],
                 "verdict": "principal_not_in_authorization_details", "granted_by": []}
            ],
            "used_via_services": [],
            "denied": [],
            "unused_statements": [],
            "unused_action_patterns": [],
            "suggested_policy": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Sid": "Iam", "Effect": "Allow", "Action": ["iam:AttachRolePolicy"],
                     "Resource": ["arn:aws:iam::111122223333:role/unused-role"]}
                ]
            }
        })
    );
    let carol = principal(&report, &format!("arn:aws:iam::{A}:user/carol"));
    assert_eq!(carol["in_authorization_details"], false);
    assert_eq!(
        carol["used"],
        json!([{"action": "ec2:DescribeRegions", "count": 1, "first_seen": "2026-03-28T10:00:00Z",
                "last_seen": "2026-03-28T10:00:00Z", "resources": [],
                "verdict": "principal_not_in_authorization_details", "granted_by": []}])
    );
}

#[test]
fn privilege_creep_exact() {
    let report = report();
    let alerts: Vec<(String, String, String, String, i64)> = report
        .creep
        .alerts
        .iter()
        .map(|alert| {
            let fields = &alert.unmapped.output_fields;
            (
                alert.rule().id.clone(),
                fields["principal"].as_str().unwrap().to_owned(),
                fields["subject"].as_str().unwrap().to_owned(),
                alert.severity.clone(),
                alert.time,
            )
        })
        .collect();
    assert_eq!(
        alerts,
        vec![
            (
                "logsec.iam.privilege_creep".into(),
                "arn:aws:iam::111122223333:user/alice".into(),
                "iam:ChangePassword".into(),
                "High".into(),
                1_774_339_200_000
            ),
            (
                "logsec.iam.privilege_creep".into(),
                "arn:aws:iam::111122223333:role/service/app-role".into(),
                "sts:AssumeRole".into(),
                "Medium".into(),
                1_774_432_800_000
            ),
            (
                "logsec.iam.privilege_creep".into(),
                "arn:aws:iam::111122223333:user/alice".into(),
                "s3://shared-exports".into(),
                "Medium".into(),
                1_774_526_400_000
            ),
        ]
    );
    let first = &report.creep.alerts[0];
    assert_eq!(first.finding_info.related_events[0].uid, "e10");
    assert_eq!(
        first.unmapped.rule.dialect,
        Some(logsec_event::Dialect::Logsec)
    );
    assert_eq!(
        first.message,
        "arn:aws:iam::111122223333:user/alice: IAM write: iam:ChangePassword first used at \
         2026-03-24T08:00:00Z, not used in the baseline window"
    );
    // Deterministic: a second run gives the same alert ids.
    let again = self::report();
    assert_eq!(first.uid(), again.creep.alerts[0].uid());
    assert_eq!(
        serde_json::to_value(&report.creep.grants_grown_without_use).unwrap(),
        json!([{
            "principal": "arn:aws:iam::111122223333:role/unused-role",
            "change": "iam:AttachRolePolicy",
            "time": "2026-03-15T10:00:00Z",
            "event_id": "e19",
            "changed_by": "arn:aws:iam::111122223333:root",
            "policy": "arn:aws:iam::111122223333:policy/AuditRead",
            "verdict": "unused"
        }])
    );
    assert_eq!(
        report.creep.principals_without_baseline,
        [
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:user/carol"
        ]
    );
}

#[test]
fn ocsf_findings_and_renderings() {
    let report = report();
    let findings = report.iam_analysis_findings();
    let subjects: Vec<&str> = findings
        .iter()
        .map(|f| f["user"]["uid"].as_str().unwrap())
        .collect();
    // unused-role has unused grants; alice and bob were denied; app-role crept (its grants are
    // only unobserved); root and carol have nothing to report.
    assert_eq!(
        subjects,
        [
            "arn:aws:iam::111122223333:role/service/app-role",
            "arn:aws:iam::111122223333:role/unused-role",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::111122223333:user/bob",
        ]
    );
    let alice = &findings[2];
    assert_eq!(alice["class_uid"], 2008);
    assert_eq!(alice["type_uid"], 200801);
    assert_eq!(alice["category_uid"], 2);
    assert_eq!(alice["severity_id"], 4);
    assert_eq!(alice["time"], 1_774_958_400_000_i64);
    assert_eq!(
        alice["permission_analysis_results"][0]["unused_privileges_count"],
        3
    );
    assert_eq!(
        alice["permission_analysis_results"][0]["unused_services_count"],
        2
    );
    assert_eq!(
        alice["finding_info"]["related_analytics"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(report.iam_analysis_findings_jsonl().lines().count(), 4);

    let markdown = report.render_markdown();
    assert!(markdown.contains("| `s3:GetObject` | 4 | 2026-03-03T10:00:00Z | 2026-03-26T12:00:00Z | not granted by identity policies |"));
    assert!(markdown.contains("| `dynamodb:GetItem` | unobserved: no dynamodb data events in the input | managed:AppRolePolicy#0 |"));
    let html = report.render_html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"));
    assert!(html.contains("<code>arn:aws:iam::111122223333:user/alice</code>"));
    let round_trip: Report = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(round_trip, report);
}

#[test]
fn input_order_does_not_change_the_report() {
    let options = ReportOptions::from_durations("30d", Some("10d")).unwrap();
    let mut reversed = run_report(
        &[fixture("trail-b.json.gz"), fixture("trail-a.jsonl")],
        &fixture("authz.json"),
        &options,
    )
    .unwrap();
    let mut forward = report();
    // Only the list of files (in the order given) and the rejection examples' order differ.
    reversed.input.files.reverse();
    forward.input.rejected_examples.sort();
    reversed.input.rejected_examples.sort();
    assert_eq!(forward, reversed);
}
