//! CloudTrail call → IAM action(s) and the resource they act on.
//!
//! The rule is `<service prefix>:<eventName>`, where the prefix is the first label of the
//! `eventSource` host. Two bundled tables hold the exceptions (see `data/*.tsv`, documented in
//! `docs/iam.md`): calls whose IAM action has another name, and event sources whose prefix
//! differs from their host. Versioned API names lose their date suffix, and S3 object calls on a
//! specific `versionId` use the `…Version…` permission.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::call::CloudTrailCall;

/// The bundled table of calls whose IAM action is not `<prefix>:<eventName>`.
pub const ACTION_EXCEPTIONS_TSV: &str = include_str!("../data/action_exceptions.tsv");

/// The bundled table of event sources whose IAM prefix is not the host's first label.
pub const SERVICE_PREFIXES_TSV: &str = include_str!("../data/service_prefixes.tsv");

/// One row of the action exceptions table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionException {
    /// `eventSource`.
    pub event_source: &'static str,
    /// `eventName`.
    pub event_name: &'static str,
    /// The IAM actions the call needs (empty: no IAM action authorizes it).
    pub actions: Vec<&'static str>,
    /// Why.
    pub note: &'static str,
}

/// One row of the service prefix table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePrefixException {
    /// `eventSource`.
    pub event_source: &'static str,
    /// The IAM service prefix.
    pub prefix: &'static str,
    /// What the service is.
    pub note: &'static str,
}

fn table_rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| line.split('\t').collect())
}

/// The rows of [`ACTION_EXCEPTIONS_TSV`].
pub fn action_exceptions() -> &'static [ActionException] {
    static ROWS: OnceLock<Vec<ActionException>> = OnceLock::new();
    ROWS.get_or_init(|| {
        table_rows(ACTION_EXCEPTIONS_TSV)
            .filter_map(|cols| {
                let (source, name, actions) = (cols.first()?, cols.get(1)?, cols.get(2)?);
                Some(ActionException {
                    event_source: source,
                    event_name: name,
                    actions: if *actions == "-" {
                        Vec::new()
                    } else {
                        actions.split(',').map(str::trim).collect()
                    },
                    note: cols.get(3).copied().unwrap_or(""),
                })
            })
            .collect()
    })
}

/// The rows of [`SERVICE_PREFIXES_TSV`].
pub fn service_prefix_exceptions() -> &'static [ServicePrefixException] {
    static ROWS: OnceLock<Vec<ServicePrefixException>> = OnceLock::new();
    ROWS.get_or_init(|| {
        table_rows(SERVICE_PREFIXES_TSV)
            .filter_map(|cols| {
                Some(ServicePrefixException {
                    event_source: cols.first()?,
                    prefix: cols.get(1)?,
                    note: cols.get(2).copied().unwrap_or(""),
                })
            })
            .collect()
    })
}

fn exception_index() -> &'static HashMap<(&'static str, &'static str), &'static ActionException> {
    static INDEX: OnceLock<HashMap<(&'static str, &'static str), &'static ActionException>> =
        OnceLock::new();
    INDEX.get_or_init(|| {
        action_exceptions()
            .iter()
            .map(|row| ((row.event_source, row.event_name), row))
            .collect()
    })
}

/// The IAM service prefix of a CloudTrail `eventSource`.
///
/// ```
/// use logsec_iam::service_prefix;
/// assert_eq!(service_prefix("kms.amazonaws.com"), "kms");
/// assert_eq!(service_prefix("monitoring.amazonaws.com"), "cloudwatch");
/// ```
pub fn service_prefix(event_source: &str) -> &str {
    if let Some(row) = service_prefix_exceptions()
        .iter()
        .find(|row| row.event_source == event_source)
    {
        return row.prefix;
    }
    event_source.split('.').next().unwrap_or(event_source)
}

/// Removes a date suffix from a versioned API name: Lambda's `ListFunctions20150331` and
/// `GetFunction20150331v2`, CloudFront's `CreateInvalidation2019_03_26`.
pub fn strip_version_suffix(event_name: &str) -> &str {
    let bytes = event_name.as_bytes();
    let mut end = bytes.len();
    // `v2`, `v3`, … after the date.
    let digits_at_end = bytes
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits_at_end > 0 && digits_at_end < end && bytes.get(end - digits_at_end - 1) == Some(&b'v')
    {
        let candidate = end - digits_at_end - 1;
        if ends_with_date(bytes.get(..candidate).unwrap_or(&[])).is_some() {
            end = candidate;
        }
    }
    match ends_with_date(bytes.get(..end).unwrap_or(&[])) {
        Some(date_len) if end > date_len => event_name.get(..end - date_len).unwrap_or(event_name),
        _ => event_name,
    }
}

/// The length of a trailing `YYYYMMDD` or `YYYY_MM_DD` (years 19xx/20xx) after a letter.
fn ends_with_date(bytes: &[u8]) -> Option<usize> {
    let is_year = |y: &[u8]| matches!(y, [b'1', b'9', _, _] | [b'2', b'0', _, _]);
    for (len, shape) in [(8usize, "dddddddd"), (10, "dddd_dd_dd")] {
        let start = bytes.len().checked_sub(len)?;
        let tail = bytes.get(start..)?;
        let fits = tail.iter().zip(shape.bytes()).all(|(b, s)| match s {
            b'd' => b.is_ascii_digit(),
            _ => *b == b'_',
        });
        let after_letter = start
            .checked_sub(1)
            .and_then(|i| bytes.get(i))
            .is_some_and(u8::is_ascii_alphabetic);
        if fits && after_letter && is_year(tail.get(..4)?) {
            return Some(len);
        }
    }
    None
}

/// S3 object calls that, given a `versionId`, are authorized by a `…Version…` action.
const S3_VERSIONED: &[(&str, &str)] = &[
    ("s3:GetObject", "s3:GetObjectVersion"),
    ("s3:DeleteObject", "s3:DeleteObjectVersion"),
    ("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
    ("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
    ("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
    ("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
    ("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),
];

/// The IAM actions a CloudTrail call needs (empty when no IAM action authorizes it, like
/// `signin:ConsoleLogin` or `sts:GetCallerIdentity`).
///
/// ```
/// use logsec_iam::iam_actions;
/// assert_eq!(iam_actions("s3.amazonaws.com", "ListBuckets", false), ["s3:ListAllMyBuckets"]);
/// assert_eq!(iam_actions("lambda.amazonaws.com", "ListFunctions20150331", false), ["lambda:ListFunctions"]);
/// assert_eq!(iam_actions("s3.amazonaws.com", "GetObject", true), ["s3:GetObjectVersion"]);
/// assert!(iam_actions("signin.amazonaws.com", "ConsoleLogin", false).is_empty());
/// ```
pub fn iam_actions(event_source: &str, event_name: &str, has_version_id: bool) -> Vec<String> {
    let name = strip_version_suffix(event_name);
    let mut actions: Vec<String> = match exception_index().get(&(event_source, name)) {
        Some(row) => row.actions.iter().map(|a| (*a).to_owned()).collect(),
        None => vec![format!("{}:{}", service_prefix(event_source), name)],
    };
    if has_version_id && event_source == "s3.amazonaws.com" {
        for action in &mut actions {
            if let Some((_, versioned)) = S3_VERSIONED.iter().find(|(plain, _)| plain == action) {
                *action = (*versioned).to_owned();
            }
        }
    }
    actions
}

/// The IAM actions of a call, reading `versionId` from its request parameters.
pub fn call_actions(call: &CloudTrailCall<'_>) -> Vec<String> {
    let has_version = call.request_str("versionId").is_some_and(|v| !v.is_empty());
    iam_actions(call.event_source, call.event_name, has_version)
}

/// Error codes CloudTrail records for calls refused by authorization.
pub const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "Client.UnauthorizedOperation",
    "UnauthorizedOperation",
    "Client.AccessDenied",
    "UnauthorizedAccess",
    "UnauthorizedException",
    "Unauthorized",
    "AuthorizationError",
    "AuthorizationErrorException",
    "AccessDeniedFault",
    "Forbidden",
    "ForbiddenException",
];

/// Whether a CloudTrail `errorCode` means the call was refused by authorization (as opposed to
/// failing for another reason, such as `NoSuchBucket`).
///
/// ```
/// use logsec_iam::is_access_denied;
/// assert!(is_access_denied("Client.UnauthorizedOperation"));
/// assert!(!is_access_denied("NoSuchEntity"));
/// ```
pub fn is_access_denied(error_code: &str) -> bool {
    ACCESS_DENIED_CODES.contains(&error_code)
        || error_code.contains("AccessDenied")
        || error_code.contains("UnauthorizedOperation")
}

/// The resource a call's action is authorized on, when the record names it: an ARN built from
/// `requestParameters` (S3 bucket and key, IAM user/role/group names, role and policy ARNs,
/// Lambda functions, DynamoDB tables, KMS keys, SNS topics, SQS queues, secrets), else the only
/// ARN in `resources[]`.
pub fn call_resource(call: &CloudTrailCall<'_>, action: &str) -> Option<String> {
    let account = call.account().unwrap_or("");
    let region = call.aws_region.unwrap_or("");
    let partition = call
        .principal
        .arn
        .and_then(|arn| arn.split(':').nth(1))
        .filter(|p| p.starts_with("aws"))
        .unwrap_or("aws");
    let param = |name: &str| call.request_str(name).filter(|v| !v.is_empty());
    let (service, verb) = action.split_once(':').unwrap_or((action, ""));
    let found = match service {
        "s3" => s3_resource(call, partition, verb),
        "iam" => {
            if let Some(name) = param("userName") {
                Some(format!("arn:{partition}:iam::{account}:user/{name}"))
            } else if let Some(name) = param("roleName") {
                Some(format!("arn:{partition}:iam::{account}:role/{name}"))
            } else if let Some(name) = param("groupName") {
                Some(format!("arn:{partition}:iam::{account}:group/{name}"))
            } else if let Some(name) = param("instanceProfileName") {
                Some(format!(
                    "arn:{partition}:iam::{account}:instance-profile/{name}"
                ))
            } else if let Some(arn) = param("policyArn") {
                Some(arn.to_owned())
            } else if call.principal.kind == crate::call::PrincipalType::IamUser
                && IAM_SELF_ACTIONS.contains(&verb)
            {
                // Without a user name these calls act on the calling user.
                call.principal.arn.map(str::to_owned)
            } else {
                None
            }
        }
        "sts" => param("roleArn").map(str::to_owned),
        "lambda" => param("functionName").map(|name| {
            if name.starts_with("arn:") {
                name.to_owned()
            } else {
                format!("arn:{partition}:lambda:{region}:{account}:function:{name}")
            }
        }),
        "dynamodb" => param("tableName").map(|name| {
            if name.starts_with("arn:") {
                name.to_owned()
            } else {
                format!("arn:{partition}:dynamodb:{region}:{account}:table/{name}")
            }
        }),
        "kms" => param("keyId")
            .filter(|k| k.starts_with("arn:"))
            .map(str::to_owned),
        "sns" => param("topicArn").map(str::to_owned),
        "secretsmanager" => param("secretId")
            .filter(|k| k.starts_with("arn:"))
            .map(str::to_owned),
        "sqs" => param("queueUrl").and_then(|url| {
            let mut parts = url.rsplit('/');
            let name = parts.next()?;
            let owner = parts.next()?;
            Some(format!("arn:{partition}:sqs:{region}:{owner}:{name}"))
        }),
        _ => None,
    };
    found.or_else(|| match call.resources.as_slice() {
        [only] if only.starts_with("arn:") => Some((*only).to_owned()),
        _ => None,
    })
}

fn s3_resource(call: &CloudTrailCall<'_>, partition: &str, verb: &str) -> Option<String> {
    if verb == "ListAllMyBuckets" {
        return None;
    }
    // CopyObject's read is of the source, named in `x-amz-copy-source` as `bucket/key`.
    if verb == "GetObject" && matches!(call.event_name, "CopyObject" | "UploadPartCopy") {
        let source = call.request_str("x-amz-copy-source")?;
        let source = source.trim_start_matches('/');
        let source = source.split('?').next().unwrap_or(source);
        return Some(format!("arn:{partition}:s3:::{source}"));
    }
    let bucket = call.request_str("bucketName").filter(|b| !b.is_empty())?;
    let is_bucket_level = verb.starts_with("ListBucket") || !verb.contains("Object");
    match call.request_str("key").filter(|k| !k.is_empty()) {
        Some(key) if !is_bucket_level => Some(format!("arn:{partition}:s3:::{bucket}/{key}")),
        _ if verb == "DeleteObject" || verb.starts_with("Abort") || verb == "RestoreObject" => {
            Some(format!("arn:{partition}:s3:::{bucket}/*"))
        }
        _ => Some(format!("arn:{partition}:s3:::{bucket}")),
    }
}

/// IAM calls that, without `userName`, act on the calling IAM user.
const IAM_SELF_ACTIONS: &[&str] = &[
    "GetUser",
    "ChangePassword",
    "CreateAccessKey",
    "ListAccessKeys",
    "UpdateAccessKey",
    "DeleteAccessKey",
    "ListMFADevices",
    "ListSigningCertificates",
    "UploadSigningCertificate",
    "UpdateSigningCertificate",
    "DeleteSigningCertificate",
    "ListSSHPublicKeys",
    "ListServiceSpecificCredentials",
];

/// Actions CloudTrail logs only as *data events* (off by default), per service prefix. A grant
/// of one of these is only "unused" when the input holds data events of that service.
pub const DATA_EVENT_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectAcl",
    "s3:GetObjectVersionAcl",
    "s3:GetObjectTagging",
    "s3:GetObjectVersionTagging",
    "s3:GetObjectAttributes",
    "s3:GetObjectRetention",
    "s3:GetObjectLegalHold",
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:PutObjectVersionAcl",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:PutObjectRetention",
    "s3:PutObjectLegalHold",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:DeleteObjectTagging",
    "s3:DeleteObjectVersionTagging",
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:ListBucketMultipartUploads",
    "s3:ListMultipartUploadParts",
    "s3:AbortMultipartUpload",
    "s3:RestoreObject",
    "lambda:InvokeFunction",
    "lambda:InvokeFunctionUrl",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "sns:Publish",
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "s3-object-lambda:GetObject",
    "s3-object-lambda:PutObject",
    "cloudtrail-data:PutAuditEvents",
];

/// Whether an action name reads (by its verb: `Get`, `List`, `Describe`, `Head`, `Lookup`,
/// `Search`, `Select`, `BatchGet`, `Query`, `Scan`).
///
/// CloudTrail's own `readOnly` is used for logged calls; this heuristic is only for granted
/// actions nobody called, to tell whether a trail that logs only writes could have seen them.
pub fn is_read_action(action: &str) -> bool {
    let verb = action.split_once(':').map_or(action, |(_, verb)| verb);
    const READ_VERBS: &[&str] = &[
        "Get", "List", "Describe", "Head", "Lookup", "Search", "Select", "BatchGet", "Query",
        "Scan", "View",
    ];
    READ_VERBS.iter().any(|prefix| verb.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_suffixes() {
        assert_eq!(
            strip_version_suffix("ListFunctions20150331"),
            "ListFunctions"
        );
        assert_eq!(strip_version_suffix("GetFunction20150331v2"), "GetFunction");
        assert_eq!(
            strip_version_suffix("CreateInvalidation2019_03_26"),
            "CreateInvalidation"
        );
        assert_eq!(strip_version_suffix("GetObject"), "GetObject");
        assert_eq!(strip_version_suffix("Ec2V2"), "Ec2V2");
        assert_eq!(strip_version_suffix("20150331"), "20150331");
        assert_eq!(strip_version_suffix("Get12345678"), "Get12345678");
    }

    #[test]
    fn denied_codes() {
        for code in ACCESS_DENIED_CODES {
            assert!(is_access_denied(code), "{code}");
        }
        assert!(is_access_denied("KMS.AccessDeniedException"));
        assert!(!is_access_denied("ThrottlingException"));
    }

    #[test]
    fn read_verbs() {
        assert!(is_read_action("ec2:DescribeInstances"));
        assert!(!is_read_action("iam:CreateUser"));
    }
}
