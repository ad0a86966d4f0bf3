//! Identity policies: parsing (`get-account-authorization-details` and plain documents) and
//! evaluation of one action (and, when known, one resource) against a principal's statements.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::error::IamError;
use crate::wildcard::{wildcard_match, wildcard_match_ignore_case};

/// `Effect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Effect {
    /// `Allow`.
    Allow,
    /// `Deny`.
    Deny,
}

/// `Action` or `NotAction`; `Resource`, `NotResource` or neither.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "patterns")]
pub enum Patterns {
    /// `Action` / `Resource`: matches when any pattern matches.
    Listed(Vec<String>),
    /// `NotAction` / `NotResource`: matches when no pattern matches.
    Not(Vec<String>),
    /// Absent (identity policies must name a resource; a missing one matches nothing).
    Absent,
}

impl Patterns {
    fn matches(&self, text: &str, matcher: fn(&str, &str) -> bool) -> bool {
        match self {
            Patterns::Listed(patterns) => patterns.iter().any(|p| matcher(p, text)),
            Patterns::Not(patterns) => !patterns.iter().any(|p| matcher(p, text)),
            Patterns::Absent => false,
        }
    }

    /// The patterns, whichever kind.
    pub fn patterns(&self) -> &[String] {
        match self {
            Patterns::Listed(p) | Patterns::Not(p) => p,
            Patterns::Absent => &[],
        }
    }
}

/// One policy statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// `Sid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Action` / `NotAction`.
    pub action: Patterns,
    /// `Resource` / `NotResource`.
    pub resource: Patterns,
    /// Whether the statement has a `Condition` block (not evaluated: the statement is assumed
    /// to apply, and findings relying on it say so).
    pub has_condition: bool,
}

impl Statement {
    /// Whether the statement's action part matches `action` (case-insensitive wildcards).
    pub fn matches_action(&self, action: &str) -> bool {
        self.action.matches(action, wildcard_match_ignore_case)
    }

    /// Whether the statement's resource part matches `resource`, `${aws:username}` replaced by
    /// `user_name`. A pattern with any other policy variable matches (it cannot be evaluated
    /// offline).
    pub fn matches_resource(&self, resource: &str, user_name: Option<&str>) -> bool {
        let one = |pattern: &String| {
            if pattern.contains("${") {
                match user_name {
                    Some(name) if pattern.contains("${aws:username}") => {
                        let replaced = pattern.replace("${aws:username}", name);
                        replaced.contains("${") || wildcard_match(&replaced, resource)
                    }
                    _ => true,
                }
            } else {
                wildcard_match(pattern, resource)
            }
        };
        match &self.resource {
            Patterns::Listed(patterns) => patterns.iter().any(one),
            Patterns::Not(patterns) => !patterns.iter().any(one),
            Patterns::Absent => false,
        }
    }
}

/// Where a policy came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum PolicyKind {
    /// A managed policy (AWS or customer), at its default version.
    Managed,
    /// An inline policy of the user, group or role.
    Inline,
    /// A plain policy document given directly.
    Document,
}

/// A policy attached to a principal, directly or through a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Managed, inline or a plain document.
    pub kind: PolicyKind,
    /// The policy's name.
    pub name: String,
    /// The managed policy's ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// The group it comes through, when not attached directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_group: Option<String>,
    /// Its statements.
    pub statements: Vec<Statement>,
}

impl Policy {
    /// A short label: `managed:Name`, `inline:Name`, with `(via group G)`.
    pub fn label(&self) -> String {
        let kind = match self.kind {
            PolicyKind::Managed => "managed",
            PolicyKind::Inline => "inline",
            PolicyKind::Document => "document",
        };
        match &self.via_group {
            Some(group) => format!("{kind}:{} (via group {group})", self.name),
            None => format!("{kind}:{}", self.name),
        }
    }
}

/// IAM users or roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum PrincipalKind {
    /// An IAM user.
    User,
    /// An IAM role (assumed-role sessions are folded into it).
    Role,
    /// The root user.
    Root,
    /// Anything else seen in the log (federated users, other accounts, Identity Center users).
    Other,
}

/// The identity policies of one user or role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipalGrants {
    /// The principal's ARN.
    pub arn: String,
    /// The user or role name.
    pub name: String,
    /// User or role.
    pub kind: PrincipalKind,
    /// Its groups (users only).
    pub groups: Vec<String>,
    /// Its policies: inline, attached managed, and through groups.
    pub policies: Vec<Policy>,
    /// The ARN of its permissions boundary, if any (not evaluated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
}

/// How identity policies decide one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Allowed by the listed statements (`policy#index`); none has a condition.
    Allowed(Vec<String>),
    /// Allowed only by statements with conditions, which were not evaluated.
    AllowedIfConditionsHold(Vec<String>),
    /// Explicitly denied by the listed statements.
    Denied(Vec<String>),
    /// No statement allows it (implicit deny).
    NotGranted,
}

impl PrincipalGrants {
    /// Decides `action` (and `resource` when known) against the identity policies: an explicit
    /// Deny without conditions wins; else any Allow.
    pub fn decide(&self, action: &str, resource: Option<&str>) -> Decision {
        let user = (self.kind == PrincipalKind::User).then_some(self.name.as_str());
        let mut allows = Vec::new();
        let mut conditional_allows = Vec::new();
        let mut denies = Vec::new();
        for policy in &self.policies {
            for (index, statement) in policy.statements.iter().enumerate() {
                if !statement.matches_action(action) {
                    continue;
                }
                let resource_ok = match resource {
                    Some(resource) => statement.matches_resource(resource, user),
                    None => !matches!(statement.resource, Patterns::Absent),
                };
                if !resource_ok {
                    continue;
                }
                let id = format!("{}#{}", policy.label(), index);
                match (statement.effect, statement.has_condition) {
                    (Effect::Deny, false) => denies.push(id),
                    // A conditional Deny may or may not apply; it does not change the verdict.
                    (Effect::Deny, true) => {}
                    (Effect::Allow, false) => allows.push(id),
                    (Effect::Allow, true) => conditional_allows.push(id),
                }
            }
        }
        if !denies.is_empty() {
            Decision::Denied(denies)
        } else if !allows.is_empty() {
            Decision::Allowed(allows)
        } else if !conditional_allows.is_empty() {
            Decision::AllowedIfConditionsHold(conditional_allows)
        } else {
            Decision::NotGranted
        }
    }
}

/// Everything the authorization details grant, by principal ARN.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Authorization {
    /// Users and roles by ARN.
    pub principals: BTreeMap<String, PrincipalGrants>,
    /// Policies held by every principal not listed in `principals` (from a plain policy
    /// document given instead of authorization details).
    pub default_policies: Vec<Policy>,
}

impl Authorization {
    /// Reads the JSON of `aws iam get-account-authorization-details` (`UserDetailList`,
    /// `GroupDetailList`, `RoleDetailList`, `Policies`), or a plain policy document (which then
    /// applies to every principal seen in the log: see [`Authorization::from_document`]).
    pub fn from_json_text(text: &str) -> Result<Authorization, IamError> {
        let value: Value =
            serde_json::from_str(text).map_err(|err| IamError::Authz(err.to_string()))?;
        Authorization::from_json(&value)
    }

    /// Reads parsed authorization details.
    pub fn from_json(value: &Value) -> Result<Authorization, IamError> {
        let Some(root) = value.as_object() else {
            return Err(IamError::Authz("the document is not a JSON object".into()));
        };
        if root.contains_key("Statement") {
            return Authorization::from_document("document", value);
        }
        let managed = managed_policies(root.get("Policies"))?;
        let mut groups: BTreeMap<String, Vec<Policy>> = BTreeMap::new();
        for group in array(root.get("GroupDetailList")) {
            let name = str_of(group, "GroupName").unwrap_or_default().to_owned();
            let mut policies = inline_policies(group.get("GroupPolicyList"))?;
            policies.extend(attached(group, &managed));
            for policy in &mut policies {
                policy.via_group = Some(name.clone());
            }
            groups.insert(name, policies);
        }
        let mut principals = BTreeMap::new();
        for user in array(root.get("UserDetailList")) {
            let arn = required_str(user, "Arn", "UserDetailList")?;
            let group_names: Vec<String> = array(user.get("GroupList"))
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            let mut policies = inline_policies(user.get("UserPolicyList"))?;
            policies.extend(attached(user, &managed));
            for group in &group_names {
                policies.extend(groups.get(group).into_iter().flatten().cloned());
            }
            principals.insert(
                arn.to_owned(),
                PrincipalGrants {
                    arn: arn.to_owned(),
                    name: str_of(user, "UserName").unwrap_or_default().to_owned(),
                    kind: PrincipalKind::User,
                    groups: group_names,
                    policies,
                    permissions_boundary: boundary(user),
                },
            );
        }
        for role in array(root.get("RoleDetailList")) {
            let arn = required_str(role, "Arn", "RoleDetailList")?;
            let mut policies = inline_policies(role.get("RolePolicyList"))?;
            policies.extend(attached(role, &managed));
            principals.insert(
                arn.to_owned(),
                PrincipalGrants {
                    arn: arn.to_owned(),
                    name: str_of(role, "RoleName").unwrap_or_default().to_owned(),
                    kind: PrincipalKind::Role,
                    groups: Vec::new(),
                    policies,
                    permissions_boundary: boundary(role),
                },
            );
        }
        Ok(Authorization {
            principals,
            default_policies: Vec::new(),
        })
    }

    /// A plain policy document held by every principal seen in the log.
    pub fn from_document(name: &str, document: &Value) -> Result<Authorization, IamError> {
        Ok(Authorization {
            principals: BTreeMap::new(),
            default_policies: vec![Policy {
                kind: PolicyKind::Document,
                name: name.to_owned(),
                arn: None,
                via_group: None,
                statements: parse_policy_document(document)?,
            }],
        })
    }

    /// The grants of the principal `arn` (or, with a plain document, the document's).
    pub(crate) fn grants_for(
        &self,
        arn: &str,
        name: &str,
        kind: PrincipalKind,
    ) -> Option<std::borrow::Cow<'_, PrincipalGrants>> {
        if let Some(grants) = self.principals.get(arn) {
            return Some(std::borrow::Cow::Borrowed(grants));
        }
        if self.default_policies.is_empty() {
            return None;
        }
        Some(std::borrow::Cow::Owned(PrincipalGrants {
            arn: arn.to_owned(),
            name: name.to_owned(),
            kind,
            groups: Vec::new(),
            policies: self.default_policies.clone(),
            permissions_boundary: None,
        }))
    }

    /// The grants of a principal by ARN; a role ARN given without its path (as CloudTrail
    /// request parameters name roles) is found by name.
    pub fn principal(&self, arn: &str) -> Option<&PrincipalGrants> {
        self.principals.get(arn).or_else(|| {
            let (prefix, name) = arn.rsplit_once('/')?;
            self.principals.values().find(|p| {
                p.name == name
                    && p.arn
                        .starts_with(prefix.split('/').next().unwrap_or(prefix))
            })
        })
    }
}

/// Parses one policy document: a JSON object, or a string holding JSON (URL-encoded as the IAM
/// API returns it, or plain).
pub fn parse_policy_document(document: &Value) -> Result<Vec<Statement>, IamError> {
    match document {
        Value::String(text) => {
            let decoded = if text.trim_start().starts_with('{') {
                text.clone()
            } else {
                percent_decode(text)
            };
            let value: Value = serde_json::from_str(&decoded)
                .map_err(|err| IamError::Authz(format!("policy document: {err}")))?;
            parse_policy_document(&value)
        }
        Value::Object(map) => {
            let statements = match map.get("Statement") {
                Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
                Some(single @ Value::Object(_)) => vec![single],
                _ => return Err(IamError::Authz("policy document has no Statement".into())),
            };
            statements.into_iter().map(parse_statement).collect()
        }
        _ => Err(IamError::Authz(
            "policy document is neither an object nor a string".into(),
        )),
    }
}

fn parse_statement(value: &Value) -> Result<Statement, IamError> {
    let effect = match value.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        other => {
            return Err(IamError::Authz(format!(
                "statement Effect must be Allow or Deny, found {other:?}"
            )));
        }
    };
    let patterns = |listed: &str, not: &str| -> Result<Patterns, IamError> {
        match (value.get(listed), value.get(not)) {
            (Some(v), None) => Ok(Patterns::Listed(string_list(v, listed)?)),
            (None, Some(v)) => Ok(Patterns::Not(string_list(v, not)?)),
            (None, None) => Ok(Patterns::Absent),
            (Some(_), Some(_)) => Err(IamError::Authz(format!(
                "statement has both {listed} and {not}"
            ))),
        }
    };
    Ok(Statement {
        sid: value.get("Sid").and_then(Value::as_str).map(str::to_owned),
        effect,
        action: patterns("Action", "NotAction")?,
        resource: patterns("Resource", "NotResource")?,
        has_condition: value.get("Condition").is_some_and(|c| !c.is_null()),
    })
}

fn string_list(value: &Value, field: &str) -> Result<Vec<String>, IamError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| IamError::Authz(format!("{field} holds a non-string")))
            })
            .collect(),
        _ => Err(IamError::Authz(format!(
            "{field} is neither a string nor a list"
        ))),
    }
}

/// Decodes `%XX` escapes and `+` (the IAM API URL-encodes policy documents).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|c| (*c as char).to_digit(16));
        match b {
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(hi), Some(lo)) => {
                    out.push((hi * 16 + lo) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b),
            },
            b'+' => out.push(b' '),
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn array(value: Option<&Value>) -> impl Iterator<Item = &Value> {
    value.and_then(Value::as_array).into_iter().flatten()
}

fn str_of<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value.get(key).and_then(Value::as_str)
}

fn required_str<'v>(value: &'v Value, key: &str, list: &str) -> Result<&'v str, IamError> {
    str_of(value, key).ok_or_else(|| IamError::Authz(format!("an entry of {list} has no {key}")))
}

fn boundary(value: &Value) -> Option<String> {
    value
        .get("PermissionsBoundary")
        .and_then(|b| str_of(b, "PermissionsBoundaryArn"))
        .map(str::to_owned)
}

fn managed_policies(value: Option<&Value>) -> Result<BTreeMap<String, Policy>, IamError> {
    let mut out = BTreeMap::new();
    for policy in array(value) {
        let arn = required_str(policy, "Arn", "Policies")?;
        let default_version = str_of(policy, "DefaultVersionId");
        // Only the default version is in force; older versions are kept by IAM but grant nothing.
        let version = array(policy.get("PolicyVersionList")).find(|v| {
            v.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true)
                || (default_version.is_some() && str_of(v, "VersionId") == default_version)
        });
        let statements = match version.and_then(|v| v.get("Document")) {
            Some(document) => parse_policy_document(document)?,
            None => Vec::new(),
        };
        out.insert(
            arn.to_owned(),
            Policy {
                kind: PolicyKind::Managed,
                name: str_of(policy, "PolicyName").unwrap_or(arn).to_owned(),
                arn: Some(arn.to_owned()),
                via_group: None,
                statements,
            },
        );
    }
    Ok(out)
}

fn inline_policies(value: Option<&Value>) -> Result<Vec<Policy>, IamError> {
    array(value)
        .map(|policy| {
            Ok(Policy {
                kind: PolicyKind::Inline,
                name: str_of(policy, "PolicyName").unwrap_or_default().to_owned(),
                arn: None,
                via_group: None,
                statements: match policy.get("PolicyDocument") {
                    Some(document) => parse_policy_document(document)?,
                    None => Vec::new(),
                },
            })
        })
        .collect()
}

fn attached(entity: &Value, managed: &BTreeMap<String, Policy>) -> Vec<Policy> {
    array(entity.get("AttachedManagedPolicies"))
        .filter_map(|attachment| {
            let arn = str_of(attachment, "PolicyArn")?;
            Some(managed.get(arn).cloned().unwrap_or_else(|| Policy {
                // An attached policy missing from `Policies` (AWS managed policies are omitted
                // when the caller filtered them out) grants nothing we can see.
                kind: PolicyKind::Managed,
                name: str_of(attachment, "PolicyName").unwrap_or(arn).to_owned(),
                arn: Some(arn.to_owned()),
                via_group: None,
                statements: Vec::new(),
            }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_documents_parse() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGet%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        let statements = parse_policy_document(&Value::String(encoded.into())).unwrap();
        assert_eq!(statements.len(), 1);
        assert_eq!(
            statements[0].action,
            Patterns::Listed(vec!["s3:Get*".into()])
        );
        assert_eq!(statements[0].resource, Patterns::Listed(vec!["*".into()]));
    }

    #[test]
    fn deny_wins_and_not_action_complements() {
        let statements = parse_policy_document(&serde_json::json!({
            "Statement": [
                {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::keep"},
                {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::1:user/${aws:username}",
                 "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
            ]
        }))
        .unwrap();
        let grants = PrincipalGrants {
            arn: "arn:aws:iam::1:user/u".into(),
            name: "u".into(),
            kind: PrincipalKind::User,
            groups: vec![],
            policies: vec![Policy {
                kind: PolicyKind::Document,
                name: "p".into(),
                arn: None,
                via_group: None,
                statements,
            }],
            permissions_boundary: None,
        };
        assert_eq!(
            grants.decide("s3:DeleteBucket", Some("arn:aws:s3:::keep")),
            Decision::Denied(vec!["document:p#1".into()])
        );
        assert_eq!(
            grants.decide("s3:DeleteBucket", Some("arn:aws:s3:::other")),
            Decision::Allowed(vec!["document:p#0".into()])
        );
        assert_eq!(grants.decide("iam:CreateUser", None), Decision::NotGranted);
        assert_eq!(
            grants.decide("IAM:getuser", Some("arn:aws:iam::1:user/u")),
            Decision::AllowedIfConditionsHold(vec!["document:p#2".into()])
        );
        assert_eq!(
            grants.decide("iam:GetUser", Some("arn:aws:iam::1:user/other")),
            Decision::NotGranted
        );
    }

    #[test]
    fn not_resource_and_single_statement_objects() {
        let statements = parse_policy_document(&serde_json::json!({
            "Statement": {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::private*"}
        }))
        .unwrap();
        let grants = PrincipalGrants {
            arn: "arn:aws:iam::1:role/r".into(),
            name: "r".into(),
            kind: PrincipalKind::Role,
            groups: vec![],
            policies: vec![Policy {
                kind: PolicyKind::Inline,
                name: "p".into(),
                arn: None,
                via_group: None,
                statements,
            }],
            permissions_boundary: None,
        };
        assert_eq!(
            grants.decide("s3:GetObject", Some("arn:aws:s3:::public/x")),
            Decision::Allowed(vec!["inline:p#0".into()])
        );
        assert_eq!(
            grants.decide("s3:GetObject", Some("arn:aws:s3:::private-data/x")),
            Decision::NotGranted
        );
    }

    #[test]
    fn malformed_documents_are_errors() {
        let both = serde_json::json!({"Statement": [{"Effect": "Allow", "Action": "a:b", "NotAction": "c:d", "Resource": "*"}]});
        assert_eq!(
            parse_policy_document(&both).unwrap_err().to_string(),
            "authorization details: statement has both Action and NotAction"
        );
        let effect = serde_json::json!({"Statement": [{"Effect": "Maybe", "Action": "a:b"}]});
        assert!(parse_policy_document(&effect).is_err());
        assert!(Authorization::from_json_text("[1]").is_err());
        assert!(Authorization::from_json_text(r#"{"UserDetailList":[{"UserName":"x"}]}"#).is_err());
    }

    #[test]
    fn only_default_versions_count() {
        let authz = Authorization::from_json(&serde_json::json!({
            "RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::1:role/a/r",
                "AttachedManagedPolicies": [{"PolicyName": "m", "PolicyArn": "arn:aws:iam::1:policy/m"}]}],
            "Policies": [{"PolicyName": "m", "Arn": "arn:aws:iam::1:policy/m", "DefaultVersionId": "v2",
                "PolicyVersionList": [
                    {"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
                    {"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}}]}]
        }))
        .unwrap();
        let role = authz.principal("arn:aws:iam::1:role/r").unwrap();
        assert_eq!(role.arn, "arn:aws:iam::1:role/a/r");
        assert_eq!(role.decide("iam:CreateUser", None), Decision::NotGranted);
        assert_eq!(
            role.decide("ec2:DescribeVpcs", None),
            Decision::Allowed(vec!["managed:m#0".into()])
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b+c%2"), "a b c%2");
    }
}
