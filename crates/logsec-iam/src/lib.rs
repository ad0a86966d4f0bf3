//! # logsec-iam
//!
//! Least privilege from CloudTrail.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod action;
mod call;
mod error;
mod policy;
mod wildcard;

pub use crate::action::{
    ACCESS_DENIED_CODES, ACTION_EXCEPTIONS_TSV, ActionException, DATA_EVENT_ACTIONS,
    SERVICE_PREFIXES_TSV, ServicePrefixException, action_exceptions, call_actions, call_resource,
    iam_actions, is_access_denied, is_read_action, service_prefix, service_prefix_exceptions,
    strip_version_suffix,
};
pub use crate::call::{CallPrincipal, CloudTrailCall, EventCategory, PrincipalType};
pub use crate::error::IamError;
pub use crate::policy::{
    Authorization, Decision, Effect, Patterns, Policy, PolicyKind, PrincipalGrants, PrincipalKind,
    Statement, parse_policy_document, percent_decode,
};
pub use crate::wildcard::{wildcard_match, wildcard_match_ignore_case};
