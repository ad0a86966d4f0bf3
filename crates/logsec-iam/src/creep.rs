//! Privilege creep: sensitive actions a principal starts using after the baseline, and grants
//! that grow without use. Also the OCSF IAM Analysis Findings of a report.

use std::collections::BTreeMap;

use logsec_event::{AlertBuilder, Dialect, RuleRef, Severity, alert_uid, ocsf};
use serde_json::json;

use crate::analysis::{AggView, GrantChange};
use crate::call::format_time_ms;
use crate::policy::{Authorization, Effect, Policy, PolicyKind};
use crate::report::{GrantGrowth, GrantStatus, PrincipalReport, Report};
use crate::window::Windows;

/// The rule id of privilege-creep alerts.
pub const PRIVILEGE_CREEP_RULE_ID: &str = "logsec.iam.privilege_creep";

/// The rule id of least-privilege IAM Analysis Findings.
pub const LEAST_PRIVILEGE_RULE_ID: &str = "logsec.iam.least_privilege";

/// The first use of something in the recent window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FirstUse {
    pub(crate) time: i64,
    pub(crate) event_id: Option<String>,
}

/// KMS calls that use a key rather than change one.
const KMS_CRYPTO: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateMac",
    "GenerateRandom",
    "ReEncrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "VerifyMac",
];

/// Why an action is sensitive for privilege creep, if it is: IAM, STS, KMS and Organizations
/// writes, and policy, ACL or permission changes in any service.
///
/// ```
/// use logsec_iam::sensitive_reason;
/// assert!(sensitive_reason("iam:AttachUserPolicy").is_some());
/// assert!(sensitive_reason("sts:AssumeRole").is_some());
/// assert!(sensitive_reason("s3:PutBucketPolicy").is_some());
/// assert!(sensitive_reason("iam:ListUsers").is_none());
/// assert!(sensitive_reason("kms:Decrypt").is_none());
/// ```
pub fn sensitive_reason(action: &str) -> Option<&'static str> {
    let (service, verb) = action.split_once(':')?;
    let read = crate::action::is_read_action(action);
    if read {
        return None;
    }
    match service {
        "iam" => Some("IAM write"),
        "sts" => Some("STS credential issue"),
        "organizations" => Some("Organizations write"),
        "kms" if !KMS_CRYPTO.contains(&verb) => Some("KMS key administration"),
        _ if verb.contains("Policy") || verb.contains("Acl") || verb.contains("Permission") => {
            Some("policy change")
        }
        _ => None,
    }
}

fn severity_of(action: &str) -> Severity {
    match action.split_once(':').map(|(s, _)| s) {
        Some("iam" | "organizations") => Severity::High,
        _ if sensitive_reason(action) == Some("policy change") => Severity::High,
        _ => Severity::Medium,
    }
}

/// Object reads, for "reads from buckets never read before".
pub(crate) fn is_object_read(action: &str) -> bool {
    matches!(action, "s3:GetObject" | "s3:GetObjectVersion")
}

/// Calls that grant permissions to a user, group or role.
pub(crate) fn is_grant_change(action: &str) -> bool {
    matches!(
        action,
        "iam:AttachUserPolicy"
            | "iam:AttachRolePolicy"
            | "iam:AttachGroupPolicy"
            | "iam:PutUserPolicy"
            | "iam:PutRolePolicy"
            | "iam:PutGroupPolicy"
            | "iam:AddUserToGroup"
    )
}

fn creep_rule() -> RuleRef {
    RuleRef {
        id: PRIVILEGE_CREEP_RULE_ID.into(),
        title: "Privilege creep: sensitive action newly used".into(),
        description: "A principal used a sensitive action (IAM, STS, KMS or Organizations write, \
                      policy change) or read from a bucket it had not used or read during the \
                      baseline window."
            .into(),
        dialect: Some(Dialect::Logsec),
        tags: vec![
            "attack.privilege_escalation".into(),
            "attack.t1078.004".into(),
        ],
        ..RuleRef::default()
    }
}

fn creep_alert(
    principal: &str,
    subject: &str,
    reason: &str,
    severity: Severity,
    first: &FirstUse,
    windows: &Windows,
) -> logsec_event::Alert {
    let event_uid = first
        .event_id
        .clone()
        .unwrap_or_else(|| format!("{principal}|{subject}|{}", first.time));
    let mut fields = BTreeMap::new();
    fields.insert("principal".to_owned(), json!(principal));
    fields.insert("subject".to_owned(), json!(subject));
    fields.insert("reason".to_owned(), json!(reason));
    fields.insert("first_seen".to_owned(), json!(format_time_ms(first.time)));
    fields.insert(
        "baseline".to_owned(),
        json!({
            "start": format_time_ms(windows.start_ms),
            "end": windows.recent_start_ms.map(format_time_ms),
        }),
    );
    AlertBuilder::new(creep_rule(), severity)
        .message(format!(
            "{principal}: {reason}: {subject} first used at {}, not used in the baseline window",
            format_time_ms(first.time)
        ))
        .output_fields(fields)
        .related_id(event_uid, first.time)
        .build()
}

pub(crate) fn alerts_for(
    principal: &str,
    agg: AggView<'_>,
    windows: &Windows,
) -> Vec<logsec_event::Alert> {
    let mut alerts = Vec::new();
    for (action, first) in agg.recent_sensitive {
        if agg.baseline_sensitive.contains(action) {
            continue;
        }
        let reason = sensitive_reason(action).unwrap_or("sensitive action");
        alerts.push(creep_alert(
            principal,
            action,
            reason,
            severity_of(action),
            first,
            windows,
        ));
    }
    for (bucket, first) in agg.recent_bucket_reads {
        if agg.baseline_buckets_read.contains(bucket) {
            continue;
        }
        alerts.push(creep_alert(
            principal,
            &format!("s3://{bucket}"),
            "read from a bucket not read before",
            Severity::Medium,
            first,
            windows,
        ));
    }
    alerts
}

/// The policies a grant change added, as the authorization details describe them now.
fn granted_policies<'a>(
    change: &GrantChange,
    authz: &'a Authorization,
) -> (Vec<String>, Vec<&'a Policy>) {
    let mut targets = Vec::new();
    let prefix = format!("arn:aws:iam::{}:", change.account);
    if let Some(user) = &change.user {
        targets.push(format!("{prefix}user/{user}"));
    }
    if let Some(role) = &change.role {
        targets.push(format!("{prefix}role/{role}"));
    }
    let mut policies = Vec::new();
    let mut resolved = Vec::new();
    if let Some(group) = &change.group {
        // Attaching to a group (or adding a user to it) grants every member.
        let members: Vec<String> = if change.action == "iam:AddUserToGroup" {
            targets.clone()
        } else {
            authz
                .principals
                .values()
                .filter(|p| p.groups.contains(group))
                .map(|p| p.arn.clone())
                .collect()
        };
        for member in members {
            if let Some(grants) = authz.principal(&member) {
                policies.extend(grants.policies.iter().filter(|p| {
                    p.via_group.as_deref() == Some(group.as_str()) && matches_change(p, change)
                }));
                resolved.push(grants.arn.clone());
            } else {
                resolved.push(member);
            }
        }
        return (resolved, policies);
    }
    for target in targets {
        if let Some(grants) = authz.principal(&target) {
            policies.extend(
                grants
                    .policies
                    .iter()
                    .filter(|p| p.via_group.is_none() && matches_change(p, change)),
            );
            resolved.push(grants.arn.clone());
        } else {
            resolved.push(target);
        }
    }
    (resolved, policies)
}

fn matches_change(policy: &Policy, change: &GrantChange) -> bool {
    if change.action == "iam:AddUserToGroup" {
        return true;
    }
    match (&change.policy_arn, &change.policy_name) {
        (Some(arn), _) => policy.arn.as_deref() == Some(arn.as_str()),
        (None, Some(name)) => policy.kind == PolicyKind::Inline && &policy.name == name,
        (None, None) => false,
    }
}

/// Each used action of a principal with its last use.
pub(crate) type UsedSince<'a> = dyn Fn(&str) -> Option<Vec<(String, i64)>> + 'a;

pub(crate) fn grants_grown_without_use(
    changes: &[GrantChange],
    authz: &Authorization,
    used: &UsedSince<'_>,
) -> Vec<GrantGrowth> {
    let mut out = Vec::new();
    for change in changes {
        let (principals, policies) = granted_policies(change, authz);
        let policy_label = change
            .policy_arn
            .clone()
            .or_else(|| change.policy_name.clone())
            .or_else(|| change.group.as_ref().map(|g| format!("group {g}")))
            .unwrap_or_default();
        for principal in principals {
            let used_since: Vec<String> = used(&principal)
                .unwrap_or_default()
                .into_iter()
                .filter(|(_, last)| *last >= change.time)
                .map(|(action, _)| action)
                .collect();
            let verdict = if policies.is_empty() {
                if !used_since.is_empty() {
                    continue;
                }
                "policy_not_in_authorization_details"
            } else {
                let any_used = policies.iter().any(|policy| {
                    policy.statements.iter().any(|statement| {
                        statement.effect == Effect::Allow
                            && used_since.iter().any(|a| statement.matches_action(a))
                    })
                });
                if any_used {
                    continue;
                }
                "unused"
            };
            out.push(GrantGrowth {
                principal,
                change: change.action.clone(),
                time: format_time_ms(change.time),
                event_id: change.event_id.clone(),
                changed_by: change.actor.clone(),
                policy: policy_label.clone(),
                verdict: verdict.into(),
            });
        }
    }
    out.sort_by(|a, b| (&a.time, &a.principal, &a.policy).cmp(&(&b.time, &b.principal, &b.policy)));
    out.dedup();
    out
}

impl Report {
    /// One OCSF IAM Analysis Finding (class 2008) per principal with unused grants, denied
    /// attempts or privilege creep, as JSON values. Deterministic: ids hash the principal and
    /// the window end.
    pub fn iam_analysis_findings(&self) -> Vec<serde_json::Value> {
        let end_ms = crate::call::parse_time_ms(&self.window.end).unwrap_or(0);
        self.principals
            .iter()
            .filter_map(|principal| self.finding_for(principal, end_ms))
            .collect()
    }

    /// [`Report::iam_analysis_findings`] as JSON lines (one finding per line).
    pub fn iam_analysis_findings_jsonl(&self) -> String {
        self.iam_analysis_findings()
            .iter()
            .map(|finding| finding.to_string() + "\n")
            .collect()
    }

    fn finding_for(&self, p: &PrincipalReport, end_ms: i64) -> Option<serde_json::Value> {
        let unused = p
            .unused_action_patterns
            .iter()
            .filter(|u| u.status == GrantStatus::Unused)
            .count();
        let unobserved = p.unused_action_patterns.len() - unused;
        let creep: Vec<&logsec_event::Alert> = self
            .creep
            .alerts
            .iter()
            .filter(|a| {
                a.unmapped
                    .output_fields
                    .get("principal")
                    .and_then(|v| v.as_str())
                    == Some(p.arn.as_str())
            })
            .collect();
        if unused == 0 && p.denied.is_empty() && creep.is_empty() {
            return None;
        }
        let uid = alert_uid(
            LEAST_PRIVILEGE_RULE_ID,
            [p.arn.as_str(), self.window.end.as_str()],
        );
        let severity = if !creep.is_empty() {
            Severity::High
        } else if unused > 0 {
            Severity::Medium
        } else {
            Severity::Low
        };
        let class = &ocsf::IAM_ANALYSIS_FINDING;
        let unused_services: std::collections::BTreeSet<&str> = p
            .unused_action_patterns
            .iter()
            .filter(|u| u.status == GrantStatus::Unused)
            .filter_map(|u| u.pattern.split_once(':').map(|(s, _)| s))
            .collect();
        let granted: Vec<String> = p
            .used
            .iter()
            .map(|u| u.action.clone())
            .chain(p.unused_action_patterns.iter().map(|u| u.pattern.clone()))
            .collect();
        let title = format!("Least privilege: {} {}", p.kind, p.name);
        let desc = format!(
            "{} used action(s), {} unused and {} unobserved granted pattern(s), {} denied action(s), {} privilege-creep alert(s) between {} and {}.",
            p.used.len(),
            unused,
            unobserved,
            p.denied.len(),
            creep.len(),
            self.window.start,
            self.window.end
        );
        Some(json!({
            "class_uid": class.uid,
            "class_name": class.name,
            "category_uid": class.category_uid,
            "category_name": class.category_name,
            "activity_id": 1,
            "activity_name": "Create",
            "type_uid": class.type_uid(1),
            "severity_id": severity,
            "severity": severity.name(),
            "status_id": ocsf::finding_status::NEW,
            "time": end_ms,
            "message": desc,
            "metadata": {
                "version": ocsf::OCSF_VERSION,
                "product": {"name": "logsec", "vendor_name": "logsec", "version": env!("CARGO_PKG_VERSION")},
                "uid": uid,
            },
            "finding_info": {
                "uid": uid,
                "title": title,
                "desc": desc,
                "analytic": {"name": "Least privilege from CloudTrail", "uid": LEAST_PRIVILEGE_RULE_ID, "type": "Rule", "type_id": 1},
                "types": ["Logsec"],
                "first_seen_time": p.first_seen.as_deref().and_then(crate::call::parse_time_ms),
                "last_seen_time": p.last_seen.as_deref().and_then(crate::call::parse_time_ms),
                "related_analytics": creep.iter().map(|a| json!({"uid": a.uid(), "name": a.message})).collect::<Vec<_>>(),
            },
            "user": {
                "name": p.name,
                "uid": p.arn,
                "type": p.kind,
            },
            "identity_activity_metrics": {
                "first_seen_time": p.first_seen.as_deref().and_then(crate::call::parse_time_ms),
                "last_seen_time": p.last_seen.as_deref().and_then(crate::call::parse_time_ms),
            },
            "permission_analysis_results": [{
                "policy": {
                    "name": format!("suggested least-privilege policy for {}", p.name),
                    "data": p.suggested_policy,
                    "is_applied": false,
                },
                "analyzed_privileges_count": p.used.len() + p.unused_action_patterns.len(),
                "granted_privileges": granted,
                "unused_privileges_count": unused,
                "unused_services_count": unused_services.len(),
            }],
        }))
    }
}
