//! [`CloudTrailCall`]: the few fields of one CloudTrail record the analysis reads.

use logsec_event::{Event, JsonValue};

use crate::error::IamError;

/// CloudTrail's `eventCategory`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum EventCategory {
    /// Control-plane calls (logged by default).
    Management,
    /// Data-plane calls (S3 objects, Lambda invocations, DynamoDB items, …), logged only when a
    /// trail selects them.
    Data,
    /// CloudTrail Insights events (not calls).
    Insight,
    /// VPC endpoint network activity events.
    NetworkActivity,
    /// A category this crate does not know.
    Other,
}

impl EventCategory {
    /// Reads CloudTrail's spelling; a missing category is `Management` (records from before the
    /// field existed were all management events).
    pub fn from_cloudtrail(text: Option<&str>) -> EventCategory {
        match text {
            None | Some("Management") => EventCategory::Management,
            Some("Data") => EventCategory::Data,
            Some("Insight") => EventCategory::Insight,
            Some("NetworkActivity") => EventCategory::NetworkActivity,
            Some(_) => EventCategory::Other,
        }
    }
}

/// CloudTrail's `userIdentity.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum PrincipalType {
    /// The account's root user.
    Root,
    /// An IAM user.
    IamUser,
    /// A session of an assumed role.
    AssumedRole,
    /// A federated user (`GetFederationToken`).
    FederatedUser,
    /// An AWS service acting itself (`AWSService`).
    AwsService,
    /// Another account (`AWSAccount`).
    AwsAccount,
    /// An IAM Identity Center user.
    IdentityCenterUser,
    /// Missing or unknown.
    Unknown,
}

impl PrincipalType {
    /// Reads CloudTrail's spelling.
    pub fn from_cloudtrail(text: Option<&str>) -> PrincipalType {
        match text {
            Some("Root") => PrincipalType::Root,
            Some("IAMUser") => PrincipalType::IamUser,
            Some("AssumedRole") => PrincipalType::AssumedRole,
            Some("FederatedUser") => PrincipalType::FederatedUser,
            Some("AWSService") => PrincipalType::AwsService,
            Some("AWSAccount") => PrincipalType::AwsAccount,
            Some("IdentityCenterUser") => PrincipalType::IdentityCenterUser,
            _ => PrincipalType::Unknown,
        }
    }
}

/// `userIdentity` of a CloudTrail record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallPrincipal<'t> {
    /// `type`.
    pub kind: PrincipalType,
    /// `arn` (for an assumed role, the session ARN).
    pub arn: Option<&'t str>,
    /// `accountId`.
    pub account_id: Option<&'t str>,
    /// `sessionContext.sessionIssuer.arn`: the role behind an assumed-role session.
    pub session_issuer_arn: Option<&'t str>,
    /// `userName`, or `sessionContext.sessionIssuer.userName` for a role session.
    pub user_name: Option<&'t str>,
}

/// The fields of one CloudTrail record that least-privilege analysis reads, borrowed from the
/// record's parsed JSON.
///
/// Build it with [`CloudTrailCall::from_json`] (a parsed record), [`CloudTrailCall::from_event`]
/// (an [`Event`] whose raw record is the CloudTrail JSON), or by hand.
#[derive(Debug, Clone, PartialEq)]
pub struct CloudTrailCall<'t> {
    /// `eventTime`, milliseconds since the epoch.
    pub time_ms: i64,
    /// `eventID`.
    pub event_id: Option<&'t str>,
    /// `eventSource` (`s3.amazonaws.com`).
    pub event_source: &'t str,
    /// `eventName` (`GetObject`).
    pub event_name: &'t str,
    /// `awsRegion`.
    pub aws_region: Option<&'t str>,
    /// `recipientAccountId`.
    pub recipient_account_id: Option<&'t str>,
    /// `userIdentity`.
    pub principal: CallPrincipal<'t>,
    /// `userIdentity.invokedBy`: the AWS service that made the call on the principal's behalf.
    pub invoked_by: Option<&'t str>,
    /// `sourceIPAddress`.
    pub source_ip: Option<&'t str>,
    /// `eventType` (`AwsApiCall`, `AwsServiceEvent`, `AwsConsoleSignIn`, …).
    pub event_type: Option<&'t str>,
    /// `errorCode`.
    pub error_code: Option<&'t str>,
    /// `readOnly`.
    pub read_only: Option<bool>,
    /// `eventCategory`.
    pub event_category: EventCategory,
    /// `resources[].ARN`.
    pub resources: Vec<&'t str>,
    /// `requestParameters`.
    pub request_parameters: Option<&'t JsonValue<'t>>,
}

impl<'t> CloudTrailCall<'t> {
    /// Reads a CloudTrail record already parsed into a [`JsonValue`].
    ///
    /// ```
    /// use logsec_event::JsonValue;
    /// use logsec_iam::CloudTrailCall;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let text = r#"{"eventTime":"2026-01-02T03:04:05Z","eventSource":"s3.amazonaws.com",
    ///   "eventName":"ListBuckets","userIdentity":{"type":"IAMUser","userName":"alice"}}"#;
    /// let tree = JsonValue::parse(text)?;
    /// let call = CloudTrailCall::from_json(&tree)?;
    /// assert_eq!(call.event_name, "ListBuckets");
    /// assert_eq!(call.time_ms, 1_767_323_045_000);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_json(record: &'t JsonValue<'t>) -> Result<CloudTrailCall<'t>, IamError> {
        let str_field = |name: &str| record.get(name).and_then(JsonValue::as_str);
        // Logstash exports replace `eventTime` by `@timestamp` (set from it).
        let time_text = str_field("eventTime")
            .or_else(|| str_field("@timestamp"))
            .ok_or(IamError::Record {
                field: "eventTime",
                problem: "is missing or not a string".into(),
            })?;
        let time_ms = parse_time_ms(time_text).ok_or_else(|| IamError::Record {
            field: "eventTime",
            problem: format!("{time_text:?} is not an RFC 3339 time"),
        })?;
        let event_category = EventCategory::from_cloudtrail(str_field("eventCategory"));
        // Insight records name no call; they are kept (as non-calls) rather than rejected.
        let fallback = (event_category == EventCategory::Insight).then_some("");
        let event_source = str_field("eventSource")
            .or(fallback)
            .ok_or(IamError::Record {
                field: "eventSource",
                problem: "is missing or not a string".into(),
            })?;
        let event_name = str_field("eventName")
            .or(fallback)
            .ok_or(IamError::Record {
                field: "eventName",
                problem: "is missing or not a string".into(),
            })?;
        let identity = record.get("userIdentity");
        let id_str = |name: &str| {
            identity
                .and_then(|i| i.get(name))
                .and_then(JsonValue::as_str)
        };
        let issuer = identity.and_then(|i| i.pointer(["sessionContext", "sessionIssuer"]));
        let issuer_str = |name: &str| issuer.and_then(|i| i.get(name)).and_then(JsonValue::as_str);
        let kind = PrincipalType::from_cloudtrail(id_str("type"));
        let principal = CallPrincipal {
            kind,
            arn: id_str("arn"),
            account_id: id_str("accountId"),
            session_issuer_arn: issuer_str("arn"),
            user_name: id_str("userName").or_else(|| issuer_str("userName")),
        };
        let resources = match record.get("resources") {
            Some(JsonValue::Array(items)) => items
                .iter()
                .filter_map(|item| item.get("ARN").and_then(JsonValue::as_str))
                .collect(),
            _ => Vec::new(),
        };
        let request_parameters = record
            .get("requestParameters")
            .filter(|value| matches!(value, JsonValue::Object(_)));
        Ok(CloudTrailCall {
            time_ms,
            event_id: str_field("eventID"),
            event_source,
            event_name,
            aws_region: str_field("awsRegion"),
            recipient_account_id: str_field("recipientAccountId"),
            principal,
            invoked_by: id_str("invokedBy"),
            source_ip: str_field("sourceIPAddress"),
            event_type: str_field("eventType"),
            error_code: str_field("errorCode").filter(|code| !code.is_empty()),
            read_only: record.get("readOnly").and_then(|value| match value {
                JsonValue::Bool(b) => Some(*b),
                JsonValue::String(text) => text.parse().ok(),
                _ => None,
            }),
            event_category,
            resources,
            request_parameters,
        })
    }

    /// Reads the CloudTrail record an [`Event`] was parsed from (`event.raw`).
    pub fn from_event<'e>(event: &'t Event<'e>) -> Result<CloudTrailCall<'t>, IamError>
    where
        'e: 't,
    {
        let tree = event.raw.tree().ok_or(IamError::Record {
            field: "raw",
            problem: "is not a JSON record".into(),
        })?;
        CloudTrailCall::from_json(tree)
    }

    /// The account the call was made in: `recipientAccountId`, else the principal's account.
    pub fn account(&self) -> Option<&'t str> {
        self.recipient_account_id.or(self.principal.account_id)
    }

    /// A string member of `requestParameters`.
    pub fn request_str(&self, name: &str) -> Option<&'t str> {
        self.request_parameters
            .and_then(|params| params.get(name))
            .and_then(JsonValue::as_str)
    }
}

/// Parses an RFC 3339 time into milliseconds since the epoch; CloudTrail's usual
/// `YYYY-MM-DDTHH:MM:SSZ` takes a fast path.
pub(crate) fn parse_time_ms(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() == 20 && b.get(19) == Some(&b'Z') && b.get(10) == Some(&b'T') {
        let num =
            |range: std::ops::Range<usize>| -> Option<u32> { text.get(range)?.parse::<u32>().ok() };
        let date = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
        let time = date.and_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)?;
        return Some(time.and_utc().timestamp_millis());
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|time| time.timestamp_millis())
}

/// Formats milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (with `.mmm` when needed).
pub(crate) fn format_time_ms(ms: i64) -> String {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(time) if ms % 1000 == 0 => time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(time) => time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => ms.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_on_both_paths() {
        assert_eq!(parse_time_ms("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_time_ms("1970-01-01T00:00:01.500Z"), Some(1500));
        assert_eq!(parse_time_ms("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_time_ms("1970-13-01T00:00:00Z"), None);
        assert_eq!(parse_time_ms("yesterday"), None);
        assert_eq!(format_time_ms(1500), "1970-01-01T00:00:01.500Z");
        assert_eq!(format_time_ms(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn reads_identity_and_parameters() {
        let text = r#"{"eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com",
            "eventName":"GetObject","eventCategory":"Data","readOnly":true,"errorCode":"AccessDenied",
            "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s","accountId":"1",
              "invokedBy":"athena.amazonaws.com",
              "sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/r","userName":"r"}}},
            "requestParameters":{"bucketName":"b","key":"k"},
            "resources":[{"ARN":"arn:aws:s3:::b/k"},{"type":"x"}]}"#;
        let tree = JsonValue::parse(text).unwrap();
        let call = CloudTrailCall::from_json(&tree).unwrap();
        assert_eq!(call.principal.kind, PrincipalType::AssumedRole);
        assert_eq!(
            call.principal.session_issuer_arn,
            Some("arn:aws:iam::1:role/r")
        );
        assert_eq!(call.principal.user_name, Some("r"));
        assert_eq!(call.invoked_by, Some("athena.amazonaws.com"));
        assert_eq!(call.event_category, EventCategory::Data);
        assert_eq!(call.read_only, Some(true));
        assert_eq!(call.error_code, Some("AccessDenied"));
        assert_eq!(call.resources, vec!["arn:aws:s3:::b/k"]);
        assert_eq!(call.request_str("key"), Some("k"));
    }

    #[test]
    fn missing_fields_are_errors() {
        let tree = JsonValue::parse(r#"{"eventSource":"s3.amazonaws.com"}"#).unwrap();
        let err = CloudTrailCall::from_json(&tree).unwrap_err();
        assert_eq!(
            err.to_string(),
            "CloudTrail record: eventTime is missing or not a string"
        );
    }
}
