//! # logsec-iam
//!
//! Least privilege from CloudTrail, offline: which IAM actions each user and role **used**,
//! which their identity policies **grant**, what they were **refused**, what grew since a
//! baseline (**privilege creep**), and a **suggested policy** holding exactly what was used.
//!
//! - [`CloudTrailCall`] is the handful of CloudTrail fields the analysis reads, borrowed from a
//!   parsed record ([`CloudTrailCall::from_json`]) or from a parsed [`logsec_event::Event`]
//!   ([`CloudTrailCall::from_event`]).
//! - [`iam_actions`] maps a call to its IAM actions through two bundled, tested tables
//!   ([`ACTION_EXCEPTIONS_TSV`], [`SERVICE_PREFIXES_TSV`]).
//! - [`Authorization`] reads `aws iam get-account-authorization-details` output (or a plain
//!   policy document) and [`PrincipalGrants::decide`] evaluates an action against it.
//! - [`Analyzer`] streams calls into per-principal aggregates over [`Windows`] measured back
//!   from the newest event; [`Analyzer::finish`] gives a [`Report`] (JSON, Markdown, HTML,
//!   OCSF IAM Analysis Findings, privilege-creep [`logsec_event::Alert`]s).
//! - [`run_report`] does it all from files.
//!
//! ```
//! use logsec_iam::{ReportOptions, run_report};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = std::env::temp_dir().join(format!("logsec-iam-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let trail = dir.join("trail.jsonl");
//! std::fs::write(&trail, r#"{"eventTime":"2026-01-02T03:04:05Z","eventSource":"iam.amazonaws.com","eventName":"ListUsers","readOnly":true,"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","userName":"alice"}}"#)?;
//! let authz = dir.join("authz.json");
//! std::fs::write(&authz, r#"{"UserDetailList":[{"UserName":"alice","Arn":"arn:aws:iam::111122223333:user/alice",
//!   "UserPolicyList":[{"PolicyName":"admin","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}}]}]}"#)?;
//! let report = run_report(&[trail], &authz, &ReportOptions::from_durations("90d", None)?)?;
//! let alice = &report.principals[0];
//! assert_eq!(alice.used[0].action, "iam:ListUsers");
//! assert_eq!(alice.suggested_policy["Statement"][0]["Action"][0], "iam:ListUsers");
//! assert!(report.render_markdown().contains("iam:ListUsers"));
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod action;
mod analysis;
mod call;
mod creep;
mod error;
mod policy;
mod reader;
mod report;
mod wildcard;
mod window;

use std::path::{Path, PathBuf};

pub use crate::action::{
    ACCESS_DENIED_CODES, ACTION_EXCEPTIONS_TSV, ActionException, DATA_EVENT_ACTIONS,
    SERVICE_PREFIXES_TSV, ServicePrefixException, action_exceptions, call_actions, call_resource,
    iam_actions, is_access_denied, is_read_action, service_prefix, service_prefix_exceptions,
    strip_version_suffix,
};
pub use crate::analysis::{
    Analyzer, MAX_ACTIONS_PER_PRINCIPAL, MAX_PRINCIPALS, MAX_RESOURCES_PER_ACTION,
};
pub use crate::call::{CallPrincipal, CloudTrailCall, EventCategory, PrincipalType};
pub use crate::creep::{LEAST_PRIVILEGE_RULE_ID, PRIVILEGE_CREEP_RULE_ID, sensitive_reason};
pub use crate::error::IamError;
pub use crate::policy::{
    Authorization, Decision, Effect, Patterns, Policy, PolicyKind, PrincipalGrants, PrincipalKind,
    Statement, parse_policy_document, percent_decode,
};
pub use crate::reader::{MAX_DOCUMENT_BYTES, MAX_LINE_BYTES, cloudtrail_files, for_each_record};
pub use crate::report::{
    CreepReport, DeniedAction, GrantGrowth, GrantStatus, InputStats, PrincipalReport, Report,
    ServiceCall, ServiceUse, Span, UnusedPattern, UnusedStatement, UsedAction, Verdict, Visibility,
    WindowReport,
};
pub use crate::wildcard::{wildcard_match, wildcard_match_ignore_case};
pub use crate::window::{ReportOptions, Windows, parse_duration_ms};

/// Reads an authorization-details document (or a plain policy document), plain or gzip.
pub fn read_authorization(path: &Path) -> Result<Authorization, IamError> {
    let mut text = String::new();
    let io = |source| IamError::Io {
        path: path.to_owned(),
        source,
    };
    let bytes = std::fs::read(path).map_err(io)?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        use std::io::Read as _;
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_string(&mut text)
            .map_err(io)?;
    } else {
        text = String::from_utf8(bytes).map_err(|err| IamError::Authz(err.to_string()))?;
    }
    Authorization::from_json_text(&text)
}

/// The newest `eventTime` among the records of `files` (the end of every window).
pub fn newest_event_time(files: &[PathBuf]) -> Result<Option<i64>, IamError> {
    let mut newest: Option<i64> = None;
    for file in files {
        reader::for_each_event_time(file, &mut |text| {
            if let Some(time) = call::parse_time_ms(text) {
                newest = Some(newest.map_or(time, |n| n.max(time)));
            }
        })?;
    }
    Ok(newest)
}

/// Builds the report for `logsec iam report`: reads the CloudTrail files and directories
/// (JSON lines or `Records` documents, plain or gzip) twice — once for the newest event time,
/// once to analyse — keeping only per-principal aggregates in memory.
pub fn run_report(
    cloudtrail_paths: &[PathBuf],
    authz_path: &Path,
    options: &ReportOptions,
) -> Result<Report, IamError> {
    let authz = read_authorization(authz_path)?;
    let files = cloudtrail_files(cloudtrail_paths)?;
    let newest = newest_event_time(&files)?.ok_or(IamError::NoEvents)?;
    let windows = Windows::new(newest, options)?;
    let mut analyzer = Analyzer::new(authz, windows);
    for file in &files {
        let mut index = 0u64;
        for_each_record(file, &mut |record| {
            index += 1;
            match record {
                Ok(tree) => match CloudTrailCall::from_json(tree) {
                    Ok(call) => analyzer.add(&call),
                    Err(err) => analyzer.reject(format!("{}#{index}: {err}", file.display())),
                },
                Err(reason) => analyzer.reject(reason),
            }
        })?;
    }
    Ok(analyzer.finish(files.iter().map(|f| f.display().to_string()).collect()))
}
