//! The report: what each principal used, was granted and was refused, serialized as JSON or
//! rendered as Markdown or self-contained HTML.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use logsec_event::Alert;
use serde::{Deserialize, Serialize};

/// A least-privilege report over one analysis window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The windows analysed.
    pub window: WindowReport,
    /// What was read.
    pub input: InputStats,
    /// Which kinds of events the input holds, and what that hides.
    pub visibility: Visibility,
    /// What the analysis does not evaluate, so its verdicts are read with care.
    pub not_evaluated: Vec<String>,
    /// One entry per user or role (in the authorization details or seen in the log), by ARN.
    pub principals: Vec<PrincipalReport>,
    /// Calls AWS services made as themselves (`userIdentity.type` = `AWSService`).
    pub aws_service_calls: Vec<ServiceCall>,
    /// Privilege creep: new sensitive use in the recent window, grants that grew without use.
    pub creep: CreepReport,
}

/// The windows, as RFC 3339 times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowReport {
    /// Start of the analysis window.
    pub start: String,
    /// End of the analysis window: the newest event in the input.
    pub end: String,
    /// Its length (`90d`).
    pub since: String,
    /// The baseline window (the first part of the analysis window), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Span>,
    /// The recent window (the rest), if a baseline was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recent: Option<Span>,
}

/// A time span, as RFC 3339 times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Start (inclusive).
    pub start: String,
    /// End (the baseline's end is exclusive, the recent window's inclusive).
    pub end: String,
}

/// Counts of what was read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputStats {
    /// The files read.
    pub files: Vec<String>,
    /// CloudTrail records read.
    pub records: u64,
    /// Records that were not valid JSON or lacked `eventTime` / `eventSource` / `eventName`.
    pub rejected: u64,
    /// The first few rejection reasons, with their location.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected_examples: Vec<String>,
    /// Records inside the analysis window.
    pub in_window: u64,
    /// Records older than the analysis window (ignored).
    pub before_window: u64,
    /// Records newer than the window end (only when the windows were given rather than
    /// measured from the input; ignored).
    #[serde(default)]
    pub after_window: u64,
    /// Records in the window that no IAM action authorizes (console sign-in, GetCallerIdentity).
    pub without_iam_action: u64,
    /// Records in the window that are not API calls (Insight and network-activity events,
    /// `AwsServiceEvent`s).
    #[serde(default)]
    pub not_api_calls: u64,
    /// Calls dropped because a principal or action limit was reached (see
    /// `MAX_PRINCIPALS`, `MAX_ACTIONS_PER_PRINCIPAL`).
    #[serde(default)]
    pub dropped_over_limits: u64,
}

/// What the input can show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visibility {
    /// Records per CloudTrail `eventCategory`.
    pub event_categories: BTreeMap<String, u64>,
    /// Service prefixes with data events in the input.
    pub data_event_services: Vec<String>,
    /// Whether read-only management events appear (a trail can log writes only).
    pub management_read_events: bool,
    /// Whether write management events appear.
    pub management_write_events: bool,
    /// What follows for "unused" verdicts.
    pub notes: Vec<String>,
}

/// The least-privilege view of one user or role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrincipalReport {
    /// ARN (a role's, for its assumed-role sessions).
    pub arn: String,
    /// User or role name.
    pub name: String,
    /// `user`, `role`, `root` or `other`.
    pub kind: String,
    /// Whether the authorization details describe it (if not, nothing is known of its grants).
    pub in_authorization_details: bool,
    /// Its permissions boundary (not evaluated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    /// First call in the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// Last call in the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// Actions it called itself and that were not refused.
    pub used: Vec<UsedAction>,
    /// Actions AWS services called on its behalf (`invokedBy`).
    pub used_via_services: Vec<ServiceUse>,
    /// Actions it attempted and was refused (attempted, not granted).
    pub denied: Vec<DeniedAction>,
    /// Allow statements no used action needed.
    pub unused_statements: Vec<UnusedStatement>,
    /// Action patterns of Allow statements no used action matched.
    pub unused_action_patterns: Vec<UnusedPattern>,
    /// A policy with exactly the used actions (own and via services), grouped by service;
    /// `null` when nothing was used.
    pub suggested_policy: serde_json::Value,
}

/// How identity policies judge a use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// An Allow statement without conditions grants it.
    Allowed,
    /// Only Allow statements with (unevaluated) conditions grant it.
    AllowedIfConditionsHold,
    /// No identity policy grants it (a resource-based policy, a group not in the snapshot or a
    /// policy changed since may have).
    NotGrantedByIdentityPolicies,
    /// An identity policy explicitly denies it.
    ExplicitlyDenied,
    /// The principal is not in the authorization details.
    PrincipalNotInAuthorizationDetails,
}

/// One used action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsedAction {
    /// `service:Action`.
    pub action: String,
    /// Calls.
    pub count: u64,
    /// First call.
    pub first_seen: String,
    /// Last call.
    pub last_seen: String,
    /// Resources named in the calls (at most 32 kept).
    pub resources: Vec<String>,
    /// Whether more resources were seen than kept.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resources_truncated: bool,
    /// The identity-policy verdict.
    pub verdict: Verdict,
    /// The statements that allow it (`policy#index`).
    pub granted_by: Vec<String>,
}

/// One action called by an AWS service on the principal's behalf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceUse {
    /// `service:Action`.
    pub action: String,
    /// `invokedBy`.
    pub invoked_by: String,
    /// Calls.
    pub count: u64,
    /// First call.
    pub first_seen: String,
    /// Last call.
    pub last_seen: String,
}

/// One refused action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeniedAction {
    /// `service:Action`.
    pub action: String,
    /// Attempts.
    pub count: u64,
    /// First attempt.
    pub first_seen: String,
    /// Last attempt.
    pub last_seen: String,
    /// The error codes CloudTrail recorded.
    pub error_codes: Vec<String>,
    /// Resources named.
    pub resources: Vec<String>,
    /// What the identity policies say (when `allowed`, something not evaluated refused it: an
    /// SCP, a boundary, a session or resource policy).
    pub identity_policy_verdict: Verdict,
}

/// Whether a grant is unused or merely unobservable in this input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantStatus {
    /// The input would show its use, and shows none.
    Unused,
    /// The input cannot show its use (e.g. S3 object reads without S3 data events).
    Unobserved,
}

/// An Allow statement nothing used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusedStatement {
    /// The policy's label (`managed:Name`, `inline:Name (via group G)`).
    pub policy: String,
    /// The managed policy's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_arn: Option<String>,
    /// The statement's index in its policy.
    pub index: usize,
    /// `Sid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Action` or `NotAction`.
    pub action_kind: String,
    /// The action patterns.
    pub actions: Vec<String>,
    /// The resource patterns (`NotResource` ones prefixed with `not:`).
    pub resources: Vec<String>,
    /// Whether it has a `Condition` block.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub has_condition: bool,
    /// Unused or unobserved.
    pub status: GrantStatus,
    /// Why unobserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// An action pattern nothing used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusedPattern {
    /// The pattern (`s3:Get*`).
    pub pattern: String,
    /// The statements granting it (`policy#index`).
    pub statements: Vec<String>,
    /// Unused or unobserved.
    pub status: GrantStatus,
    /// Why unobserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Calls an AWS service made as itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceCall {
    /// The service (`invokedBy`, else the identity's ARN).
    pub service: String,
    /// `service:Action`.
    pub action: String,
    /// Calls.
    pub count: u64,
    /// First call.
    pub first_seen: String,
    /// Last call.
    pub last_seen: String,
}

/// Privilege creep.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreepReport {
    /// One alert per principal and newly used sensitive action (or newly read bucket).
    pub alerts: Vec<Alert>,
    /// Grants given in the window that the principal has not used since.
    pub grants_grown_without_use: Vec<GrantGrowth>,
    /// Principals active in the recent window with no activity in the baseline (nothing to
    /// compare with).
    pub principals_without_baseline: Vec<String>,
}

/// A grant logged in the window and not used since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantGrowth {
    /// Who received it.
    pub principal: String,
    /// The call that granted it (`iam:AttachRolePolicy`).
    pub change: String,
    /// When.
    pub time: String,
    /// `eventID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// Who made the change.
    pub changed_by: String,
    /// The policy (ARN, inline name, or group).
    pub policy: String,
    /// `unused` when the policy is known and none of its allowed actions was used since;
    /// `policy_not_in_authorization_details` when its content is unknown and the principal
    /// used nothing since.
    pub verdict: String,
}

impl Report {
    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The report as Markdown.
    pub fn render_markdown(&self) -> String {
        let mut out = String::new();
        let w = &self.window;
        let _ = writeln!(out, "# Least-privilege report\n");
        let _ = writeln!(
            out,
            "Analysis window: {} to {} ({}), measured back from the newest event.",
            w.start, w.end, w.since
        );
        if let (Some(b), Some(r)) = (&w.baseline, &w.recent) {
            let _ = writeln!(
                out,
                "Baseline: {} to {}; recent: {} to {}.",
                b.start, b.end, r.start, r.end
            );
        }
        let i = &self.input;
        let _ = writeln!(
            out,
            "\nRead {} records from {} file(s): {} in the window, {} older, {} rejected, {} without an IAM action.\n",
            i.records,
            i.files.len(),
            i.in_window,
            i.before_window,
            i.rejected,
            i.without_iam_action
        );
        let _ = writeln!(out, "## Visibility\n");
        for note in &self.visibility.notes {
            let _ = writeln!(out, "- {}", md(note));
        }
        let _ = writeln!(out, "\n## Not evaluated\n");
        for note in &self.not_evaluated {
            let _ = writeln!(out, "- {}", md(note));
        }
        let _ = writeln!(out, "\n## Privilege creep\n");
        if self.creep.alerts.is_empty() && self.creep.grants_grown_without_use.is_empty() {
            let _ = writeln!(out, "None found.");
        }
        for alert in &self.creep.alerts {
            let _ = writeln!(out, "- **{}** {}", alert.severity, md(&alert.message));
        }
        for growth in &self.creep.grants_grown_without_use {
            let _ = writeln!(
                out,
                "- Grant grew without use: `{}` got `{}` by {} at {} from {} ({})",
                growth.principal,
                growth.policy,
                growth.change,
                growth.time,
                md(&growth.changed_by),
                growth.verdict
            );
        }
        for principal in &self.principals {
            let _ = writeln!(out, "\n## {} `{}`\n", principal.kind, principal.arn);
            if !principal.in_authorization_details {
                let _ = writeln!(out, "Not in the authorization details: grants unknown.\n");
            }
            if let (Some(first), Some(last)) = (&principal.first_seen, &principal.last_seen) {
                let _ = writeln!(out, "Active from {first} to {last}.\n");
            } else {
                let _ = writeln!(out, "No calls in the window.\n");
            }
            if !principal.used.is_empty() {
                let _ = writeln!(
                    out,
                    "### Used\n\n| action | calls | first | last | verdict |\n|---|---|---|---|---|"
                );
                for used in &principal.used {
                    let _ = writeln!(
                        out,
                        "| `{}` | {} | {} | {} | {} |",
                        used.action,
                        used.count,
                        used.first_seen,
                        used.last_seen,
                        verdict_text(used.verdict)
                    );
                }
                let _ = writeln!(out);
            }
            if !principal.used_via_services.is_empty() {
                let _ = writeln!(
                    out,
                    "### Used through AWS services\n\n| action | invoked by | calls |\n|---|---|---|"
                );
                for used in &principal.used_via_services {
                    let _ = writeln!(
                        out,
                        "| `{}` | {} | {} |",
                        used.action, used.invoked_by, used.count
                    );
                }
                let _ = writeln!(out);
            }
            if !principal.denied.is_empty() {
                let _ = writeln!(
                    out,
                    "### Denied (attempted, not granted)\n\n| action | attempts | error codes | identity policies |\n|---|---|---|---|"
                );
                for denied in &principal.denied {
                    let _ = writeln!(
                        out,
                        "| `{}` | {} | {} | {} |",
                        denied.action,
                        denied.count,
                        denied.error_codes.join(", "),
                        verdict_text(denied.identity_policy_verdict)
                    );
                }
                let _ = writeln!(out);
            }
            if !principal.unused_action_patterns.is_empty() {
                let _ = writeln!(
                    out,
                    "### Granted, not used\n\n| pattern | status | granted by |\n|---|---|---|"
                );
                for unused in &principal.unused_action_patterns {
                    let status = match (&unused.status, &unused.reason) {
                        (GrantStatus::Unused, _) => "unused".to_owned(),
                        (GrantStatus::Unobserved, Some(reason)) => format!("unobserved: {reason}"),
                        (GrantStatus::Unobserved, None) => "unobserved".to_owned(),
                    };
                    let _ = writeln!(
                        out,
                        "| `{}` | {} | {} |",
                        unused.pattern,
                        md(&status),
                        md(&unused.statements.join(", "))
                    );
                }
                let _ = writeln!(out);
            }
            if !principal.unused_statements.is_empty() {
                let _ = writeln!(
                    out,
                    "Unused statements: {}.\n",
                    principal
                        .unused_statements
                        .iter()
                        .map(|s| format!(
                            "{}#{} ({})",
                            md(&s.policy),
                            s.index,
                            status_text(s.status)
                        ))
                        .collect::<Vec<_>>()
                        .join("; ")
                );
            }
            if !principal.suggested_policy.is_null() {
                let policy =
                    serde_json::to_string_pretty(&principal.suggested_policy).unwrap_or_default();
                let _ = writeln!(out, "### Suggested policy\n\n```json\n{policy}\n```");
            }
        }
        if !self.aws_service_calls.is_empty() {
            let _ = writeln!(
                out,
                "\n## Calls by AWS services\n\n| service | action | calls |\n|---|---|---|"
            );
            for call in &self.aws_service_calls {
                let _ = writeln!(
                    out,
                    "| {} | `{}` | {} |",
                    call.service, call.action, call.count
                );
            }
        }
        out
    }

    /// The report as one self-contained HTML page (inline CSS, no scripts, no fetches).
    pub fn render_html(&self) -> String {
        let mut out = String::from(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>logsec least-privilege report</title><style>\
             body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}\
             table{border-collapse:collapse;margin:.5em 0 1.5em}\
             td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}\
             th{background:#f3f3f3}code,pre{font-family:ui-monospace,monospace}\
             pre{background:#f7f7f7;padding:.8em;overflow:auto}\
             .unused{color:#a40000}.unobserved{color:#8a6d00}.high{color:#a40000;font-weight:bold}\
             </style></head><body>\n",
        );
        let w = &self.window;
        let _ = writeln!(out, "<h1>Least-privilege report</h1>");
        let _ = writeln!(
            out,
            "<p>Analysis window {} to {} ({}), measured back from the newest event.</p>",
            esc(&w.start),
            esc(&w.end),
            esc(&w.since)
        );
        let i = &self.input;
        let _ = writeln!(
            out,
            "<p>{} records from {} file(s): {} in the window, {} older, {} rejected.</p>",
            i.records,
            i.files.len(),
            i.in_window,
            i.before_window,
            i.rejected
        );
        let list = |out: &mut String, title: &str, items: &[String]| {
            let _ = writeln!(out, "<h2>{}</h2><ul>", esc(title));
            for item in items {
                let _ = writeln!(out, "<li>{}</li>", esc(item));
            }
            let _ = writeln!(out, "</ul>");
        };
        list(&mut out, "Visibility", &self.visibility.notes);
        list(&mut out, "Not evaluated", &self.not_evaluated);
        let creep: Vec<String> = self
            .creep
            .alerts
            .iter()
            .map(|a| format!("[{}] {}", a.severity, a.message))
            .chain(self.creep.grants_grown_without_use.iter().map(|g| {
                format!(
                    "Grant grew without use: {} got {} by {} at {} ({})",
                    g.principal, g.policy, g.change, g.time, g.verdict
                )
            }))
            .collect();
        list(&mut out, "Privilege creep", &creep);
        for principal in &self.principals {
            let _ = writeln!(
                out,
                "<h2>{} <code>{}</code></h2>",
                esc(&principal.kind),
                esc(&principal.arn)
            );
            if !principal.used.is_empty() {
                let _ = writeln!(
                    out,
                    "<h3>Used</h3><table><tr><th>action</th><th>calls</th><th>first</th><th>last</th><th>verdict</th></tr>"
                );
                for used in &principal.used {
                    let _ = writeln!(
                        out,
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        esc(&used.action),
                        used.count,
                        esc(&used.first_seen),
                        esc(&used.last_seen),
                        verdict_text(used.verdict)
                    );
                }
                let _ = writeln!(out, "</table>");
            }
            if !principal.denied.is_empty() {
                let _ = writeln!(
                    out,
                    "<h3>Denied</h3><table><tr><th>action</th><th>attempts</th><th>error codes</th></tr>"
                );
                for denied in &principal.denied {
                    let _ = writeln!(
                        out,
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                        esc(&denied.action),
                        denied.count,
                        esc(&denied.error_codes.join(", "))
                    );
                }
                let _ = writeln!(out, "</table>");
            }
            if !principal.unused_action_patterns.is_empty() {
                let _ = writeln!(
                    out,
                    "<h3>Granted, not used</h3><table><tr><th>pattern</th><th>status</th><th>granted by</th></tr>"
                );
                for unused in &principal.unused_action_patterns {
                    let _ = writeln!(
                        out,
                        "<tr><td><code>{}</code></td><td class=\"{}\">{}</td><td>{}</td></tr>",
                        esc(&unused.pattern),
                        status_text(unused.status),
                        esc(&match &unused.reason {
                            Some(reason) => format!("{}: {reason}", status_text(unused.status)),
                            None => status_text(unused.status).to_owned(),
                        }),
                        esc(&unused.statements.join(", "))
                    );
                }
                let _ = writeln!(out, "</table>");
            }
            if !principal.suggested_policy.is_null() {
                let policy =
                    serde_json::to_string_pretty(&principal.suggested_policy).unwrap_or_default();
                let _ = writeln!(out, "<h3>Suggested policy</h3><pre>{}</pre>", esc(&policy));
            }
        }
        out.push_str("</body></html>\n");
        out
    }
}

fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Allowed => "allowed",
        Verdict::AllowedIfConditionsHold => "allowed if conditions hold",
        Verdict::NotGrantedByIdentityPolicies => "not granted by identity policies",
        Verdict::ExplicitlyDenied => "explicitly denied",
        Verdict::PrincipalNotInAuthorizationDetails => "principal not in authorization details",
    }
}

fn status_text(status: GrantStatus) -> &'static str {
    match status {
        GrantStatus::Unused => "unused",
        GrantStatus::Unobserved => "unobserved",
    }
}

/// Escapes text for HTML element content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Keeps log-supplied text from breaking Markdown tables or injecting markup.
fn md(text: &str) -> String {
    esc(text).replace('|', "\\|").replace('\n', " ")
}
