//! Grants logged in the window (group membership, group policies) and not used since.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use logsec_event::JsonValue;
use logsec_iam::{Analyzer, Authorization, CloudTrailCall, ReportOptions, Windows};
use serde_json::json;

fn call(id: &str, time: &str, user: &str, name: &str, params: serde_json::Value) -> String {
    json!({"eventTime": time, "eventSource": "iam.amazonaws.com", "eventName": name, "eventID": id,
        "readOnly": false, "recipientAccountId": "1",
        "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::1:user/{user}"), "userName": user},
        "requestParameters": params})
    .to_string()
}

#[test]
fn group_grants_are_checked_per_member() {
    let authz = Authorization::from_json(&json!({
        "UserDetailList": [
            {"UserName": "ann", "Arn": "arn:aws:iam::1:user/ann", "GroupList": ["ops"]},
            {"UserName": "ben", "Arn": "arn:aws:iam::1:user/ben", "GroupList": ["ops"]},
            {"UserName": "admin", "Arn": "arn:aws:iam::1:user/admin",
             "UserPolicyList": [{"PolicyName": "all", "PolicyDocument": {"Statement": [
                 {"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]}],
        "GroupDetailList": [{"GroupName": "ops",
            "GroupPolicyList": [{"PolicyName": "ops-inline", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}]}}],
            "AttachedManagedPolicies": [{"PolicyName": "Ec2", "PolicyArn": "arn:aws:iam::1:policy/Ec2"}]}],
        "Policies": [{"PolicyName": "Ec2", "Arn": "arn:aws:iam::1:policy/Ec2", "DefaultVersionId": "v1",
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true,
                "Document": {"Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}}]}]
    }))
    .unwrap();
    let records = [
        call("g1", "2026-02-01T00:00:00Z", "admin", "AttachGroupPolicy",
             json!({"groupName": "ops", "policyArn": "arn:aws:iam::1:policy/Ec2"})),
        call("g2", "2026-02-02T00:00:00Z", "admin", "AddUserToGroup",
             json!({"groupName": "ops", "userName": "ben"})),
        // ann uses the attached policy afterwards; ben uses nothing.
        json!({"eventTime": "2026-02-03T00:00:00Z", "eventSource": "ec2.amazonaws.com",
               "eventName": "DescribeVpcs", "readOnly": true, "recipientAccountId": "1",
               "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/ann", "userName": "ann"}})
        .to_string(),
    ];
    let windows = Windows::new(1_770_076_800_000, &ReportOptions::default()).unwrap();
    let mut analyzer = Analyzer::new(authz, windows);
    for text in &records {
        let tree = JsonValue::parse(text).unwrap();
        analyzer.add(&CloudTrailCall::from_json(&tree).unwrap());
    }
    let report = analyzer.finish(vec![]);
    let grown: Vec<(String, String, String, String)> = report
        .creep
        .grants_grown_without_use
        .iter()
        .map(|g| {
            (
                g.principal.clone(),
                g.change.clone(),
                g.policy.clone(),
                g.verdict.clone(),
            )
        })
        .collect();
    assert_eq!(
        grown,
        [
            (
                "arn:aws:iam::1:user/ben".to_owned(),
                "iam:AttachGroupPolicy".to_owned(),
                "arn:aws:iam::1:policy/Ec2".to_owned(),
                "unused".to_owned()
            ),
            (
                "arn:aws:iam::1:user/ben".to_owned(),
                "iam:AddUserToGroup".to_owned(),
                "group ops".to_owned(),
                "unused".to_owned()
            ),
        ]
    );
}
