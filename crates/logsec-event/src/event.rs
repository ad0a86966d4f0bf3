//! The normalized event: OCSF 1.8 attributes plus the raw record.

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::format::SourceFormat;
use crate::json::JsonValue;
use crate::members::{Checked, CutPlan, LazyNode, RawMembers, RawNode, check, check_prefix};
use crate::ocsf::{self, OcsfClass};
use crate::path::Segment;
use crate::severity::Severity;
use crate::value::FieldValue;
use crate::view::JsonView;

/// Text that borrows from the input record where it can.
pub type Text<'a> = Cow<'a, str>;

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One normalized log record.
///
/// Strings borrow from the input buffer (`Cow<'a, str>`), so a parser fills an `Event` without
/// copying field text; [`Event::into_owned`] detaches it when it must outlive the buffer (alert
/// evidence, Python objects). Attributes follow OCSF 1.8.0 names and nesting, so serde
/// serialization *is* the OCSF JSON form. The raw record is kept: for JSON sources its text
/// (parsed lazily, once, when a rule first reads a raw path), for text sources the named fields
/// in `unmapped`.
///
/// The larger optional objects (`actor`, `user`, `session`, `api`, the endpoints, the HTTP
/// request and response, `cloud`) are boxed: a source fills only a few of them, and boxing keeps
/// an `Event` under 1 KiB, so creating and dropping one per record (parsers hand out
/// `Box<Event>`) stays cheap — a 2.9 KB event cost more than parsing a short log line. Boxes
/// serialize as their contents: the OCSF JSON form is unchanged.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Event<'a> {
    /// `class_uid`.
    pub class_uid: u32,
    /// `class_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<Text<'a>>,
    /// `category_uid`.
    pub category_uid: u32,
    /// `category_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_name: Option<Text<'a>>,
    /// `activity_id`.
    pub activity_id: u32,
    /// `activity_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_name: Option<Text<'a>>,
    /// `type_uid` = class_uid × 100 + activity_id.
    pub type_uid: u64,
    /// `severity_id`.
    pub severity_id: Severity,
    /// `status_id`: 0 Unknown, 1 Success, 2 Failure, 99 Other.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub status_id: u32,
    /// `status`: the caption of `status_id`, or the source's own word.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Text<'a>>,
    /// `status_code`: the source's status or error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<Text<'a>>,
    /// `status_detail`: the source's status or error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_detail: Option<Text<'a>>,
    /// `time`: when the event happened, in milliseconds since the Unix epoch.
    pub time: i64,
    /// `start_time`, milliseconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    /// `end_time`, milliseconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    /// `duration`, milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
    /// `message`: a human-readable description or the log line's message part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Text<'a>>,
    /// `metadata`.
    pub metadata: Metadata<'a>,
    /// `actor`: who performed the activity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Box<Actor<'a>>>,
    /// `user`: the user the activity is about (the target of Authentication / Account Change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<Box<User<'a>>>,
    /// `session`: the session an Authentication event created or used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Box<Session<'a>>>,
    /// `is_mfa` (Authentication): whether multi-factor authentication was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_mfa: Option<bool>,
    /// `service` (Authentication): the service or application the user authenticated to
    /// (e.g. "signin.amazonaws.com"); OCSF requires `service` or `dst_endpoint` there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Service<'a>>,
    /// `api`: the API call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<Box<Api<'a>>>,
    /// `src_endpoint`: where the activity came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_endpoint: Option<Box<Endpoint<'a>>>,
    /// `dst_endpoint`: where it went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dst_endpoint: Option<Box<Endpoint<'a>>>,
    /// `http_request`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_request: Option<Box<HttpRequest<'a>>>,
    /// `http_response`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_response: Option<Box<HttpResponse<'a>>>,
    /// `connection_info` (network classes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_info: Option<ConnectionInfo<'a>>,
    /// `traffic` (network classes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic: Option<Traffic>,
    /// `action_id` (security_control profile): 1 Allowed, 2 Denied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_id: Option<u32>,
    /// `action`: the caption of `action_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Text<'a>>,
    /// `cloud`: provider, region, account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<Box<Cloud<'a>>>,
    /// `resources`: what the activity acted on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource<'a>>,
    /// `unmapped`: source fields OCSF has no place for. For text sources this holds every named
    /// field of the record (mapped or not), under the names the format's documentation uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmapped: Option<JsonValue<'a>>,
    /// `raw_data`: the original record.
    #[serde(
        rename = "raw_data",
        default,
        skip_serializing_if = "RawRecord::is_empty"
    )]
    pub raw: RawRecord<'a>,
}

/// OCSF `metadata`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Metadata<'a> {
    /// `version`: the OCSF schema version, "1.8.0".
    pub version: Text<'a>,
    /// `product`: what logged the event.
    pub product: Product<'a>,
    /// `log_format`: logsec's canonical source-format name (`cloudtrail`, `k8s_audit`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_format: Option<SourceFormat>,
    /// `log_name`: the log the record came from (a file name, a CloudTrail event type, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_name: Option<Text<'a>>,
    /// `log_provider`: the service that delivered the log (e.g. "CloudTrail", "CloudWatch Logs").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_provider: Option<Text<'a>>,
    /// `uid`: the event's own id (logsec copies the source id here too, as Security Lake does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
    /// `original_event_uid`: the source's event id (CloudTrail eventID, k8s auditID,
    /// x-request-id, S3 request id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_event_uid: Option<Text<'a>>,
    /// `event_code`: the source's event name or code (e.g. the CloudTrail eventName).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_code: Option<Text<'a>>,
    /// `profiles`: the OCSF profiles applied (e.g. "cloud").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<Text<'a>>,
}

/// OCSF `product`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Product<'a> {
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text<'a>>,
    /// `vendor_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_name: Option<Text<'a>>,
    /// `version`: the source's record version (e.g. CloudTrail eventVersion).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Text<'a>>,
}

/// OCSF `actor`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Actor<'a> {
    /// `user`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User<'a>>,
    /// `session`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Session<'a>>,
    /// `app_name`: the service or application acting (CloudTrail `invokedBy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_name: Option<Text<'a>>,
    /// `idp`: the identity provider of a federated actor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp: Option<Idp<'a>>,
}

/// OCSF `idp`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Idp<'a> {
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text<'a>>,
    /// `uid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
}

/// OCSF `user`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct User<'a> {
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text<'a>>,
    /// `uid` (an ARN, a Kubernetes uid, a numeric id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
    /// `uid_alt` (e.g. the CloudTrail principalId).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid_alt: Option<Text<'a>>,
    /// `type`: the source's identity type (e.g. "AssumedRole", "IAMUser", "Root").
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_name: Option<Text<'a>>,
    /// `type_id`: 0 Unknown, 1 User, 2 Admin, 3 System, 4 Service, 99 Other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_id: Option<u32>,
    /// `account`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Account<'a>>,
    /// `groups`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group<'a>>,
    /// `domain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<Text<'a>>,
    /// `email_addr`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_addr: Option<Text<'a>>,
}

/// OCSF `account`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Account<'a> {
    /// `uid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text<'a>>,
    /// `type_id` (e.g. 10 AWS Account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_id: Option<u32>,
}

/// OCSF `group`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Group<'a> {
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text<'a>>,
    /// `uid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
}

/// OCSF `session`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Session<'a> {
    /// `uid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
    /// `issuer` (e.g. the role ARN that issued an assumed-role session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Text<'a>>,
    /// `is_mfa`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_mfa: Option<bool>,
    /// `created_time`, milliseconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_time: Option<i64>,
    /// `credential_uid` (e.g. the access key id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_uid: Option<Text<'a>>,
}

/// OCSF `api`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Api<'a> {
    /// `operation` (CloudTrail eventName, Kubernetes verb, S3 operation).
    pub operation: Text<'a>,
    /// `service`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Service<'a>>,
    /// `request`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<ApiRequest<'a>>,
    /// `response`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ApiResponse<'a>>,
    /// `group` (e.g. the Kubernetes API group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<Group<'a>>,
    /// `version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Text<'a>>,
}

/// OCSF `service`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Service<'a> {
    /// `name` (e.g. "s3.amazonaws.com").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text<'a>>,
}

/// OCSF `request` (of `api`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApiRequest<'a> {
    /// `uid`: the request id.
    pub uid: Text<'a>,
}

/// OCSF `response` (of `api`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApiResponse<'a> {
    /// `code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    /// `error`: the error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Text<'a>>,
    /// `error_message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<Text<'a>>,
    /// `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Text<'a>>,
}

/// OCSF `network_endpoint`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Endpoint<'a> {
    /// `ip`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    /// `port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `domain` (also a service name that called on a principal's behalf).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<Text<'a>>,
    /// `hostname`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<Text<'a>>,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text<'a>>,
    /// `uid` (e.g. a VPC endpoint id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
    /// `svc_name` (e.g. the cluster or upstream service name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub svc_name: Option<Text<'a>>,
    /// `instance_uid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_uid: Option<Text<'a>>,
    /// `interface_uid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface_uid: Option<Text<'a>>,
    /// `vpc_uid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_uid: Option<Text<'a>>,
    /// `subnet_uid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_uid: Option<Text<'a>>,
    /// `intermediate_ips`: further addresses on the path (e.g. the rest of `sourceIPs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intermediate_ips: Vec<IpAddr>,
}

/// OCSF `http_request`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HttpRequest<'a> {
    /// `http_method`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_method: Option<Text<'a>>,
    /// `url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Url<'a>>,
    /// `user_agent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<Text<'a>>,
    /// `referrer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<Text<'a>>,
    /// `x_forwarded_for`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub x_forwarded_for: Vec<IpAddr>,
    /// `uid`: the request id (e.g. Envoy's x-request-id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
    /// `version`: the HTTP protocol version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Text<'a>>,
    /// `length`: request size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<i64>,
}

/// OCSF `url`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Url<'a> {
    /// `path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<Text<'a>>,
    /// `query_string`, without the leading `?`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_string: Option<Text<'a>>,
    /// `hostname`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<Text<'a>>,
    /// `scheme`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<Text<'a>>,
    /// `port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `url_string`: the URL as it appeared in the log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_string: Option<Text<'a>>,
}

/// OCSF `http_response`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HttpResponse<'a> {
    /// `code`: the HTTP status code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    /// `length`: response size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<i64>,
    /// `latency`, milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<i64>,
    /// `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Text<'a>>,
    /// `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Text<'a>>,
}

/// OCSF `network_connection_info`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConnectionInfo<'a> {
    /// `protocol_num` (IANA protocol number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_num: Option<i64>,
    /// `protocol_name` (e.g. "tcp").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_name: Option<Text<'a>>,
    /// `direction_id`: 0 Unknown, 1 Inbound, 2 Outbound, 3 Lateral, 99 Other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction_id: Option<u32>,
    /// `direction`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Text<'a>>,
    /// `tcp_flags`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_flags: Option<i64>,
}

/// OCSF `network_traffic`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Traffic {
    /// `bytes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<i64>,
    /// `packets`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packets: Option<i64>,
    /// `bytes_in`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_in: Option<i64>,
    /// `bytes_out`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_out: Option<i64>,
}

/// OCSF `cloud`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Cloud<'a> {
    /// `provider` ("AWS", "GCP", "Azure").
    pub provider: Text<'a>,
    /// `region`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Text<'a>>,
    /// `zone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<Text<'a>>,
    /// `account`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Account<'a>>,
}

/// OCSF `resource_details`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Resource<'a> {
    /// `type` (e.g. "AWS::S3::Object", "pods").
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_name: Option<Text<'a>>,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text<'a>>,
    /// `uid` (an ARN, a Kubernetes uid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<Text<'a>>,
    /// `namespace` (Kubernetes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Text<'a>>,
    /// `region`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Text<'a>>,
    /// `owner`: the owning account, as a user with only `account` set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<User<'a>>,
}

/// The original record.
///
/// For JSON sources the text is parsed into a [`JsonValue`] the first time a rule reads a raw
/// path, and kept; events no rule looks into never pay for it. A parser that already built the
/// tree hands it over with [`RawRecord::json_with_tree`].
///
/// A record the parser already parsed successfully ([`RawRecord::json_validated`]) goes
/// further: [`RawRecord::member`] and raw [`crate::FieldPath`]s cut it into its top-level
/// members once and parse only the members a path walks into, never the whole tree. So does
/// a [`RawRecord::json`] record borrowed from its input, once one validating pass (no tree
/// built) has found it to be a JSON object: [`RawRecord::member`] and [`RawRecord::get`] read
/// it the same way.
#[derive(Debug, Default)]
pub struct RawRecord<'a> {
    text: Text<'a>,
    is_json: bool,
    tree: OnceLock<Option<JsonValue<'a>>>,
    /// Whether the caller parsed the record as a JSON object already
    /// ([`RawRecord::json_validated`]): its lazy view is then made without a validating pass.
    validated: bool,
    /// For a JSON record borrowed from its input: the validating pass's verdict (taken as an
    /// object for a validated record) and, for an object, its lazy view, made on first member
    /// access, so a record no raw path reads costs nothing.
    checked: OnceLock<Checked<'a>>,
    /// The nested objects the validating pass cuts as well ([`RawRecord::with_cut_plan`]).
    cut_plan: CutPlan,
}

impl<'a> RawRecord<'a> {
    /// A raw JSON record, parsed on first access.
    pub fn json(text: impl Into<Text<'a>>) -> RawRecord<'a> {
        RawRecord {
            text: text.into(),
            is_json: true,
            tree: OnceLock::new(),
            validated: false,
            checked: OnceLock::new(),
            cut_plan: CutPlan::NONE,
        }
    }

    /// A raw JSON record that the caller has already parsed successfully as one JSON object
    /// (a parser's typed pass over it succeeded), borrowed from the input.
    ///
    /// Raw paths then parse only the top-level members they walk into (see
    /// [`RawRecord::member`]); the whole tree is built only if [`RawRecord::tree`] is called.
    /// Reads give the same values as [`RawRecord::json`] for valid JSON; for text that is not
    /// valid JSON they may find members where [`RawRecord::json`] finds none.
    pub fn json_validated(text: &'a str) -> RawRecord<'a> {
        RawRecord {
            text: Cow::Borrowed(text),
            is_json: true,
            tree: OnceLock::new(),
            validated: true,
            checked: OnceLock::new(),
            cut_plan: CutPlan::NONE,
        }
    }

    /// A raw JSON record with its tree already parsed.
    pub fn json_with_tree(text: impl Into<Text<'a>>, tree: JsonValue<'a>) -> RawRecord<'a> {
        let cell = OnceLock::new();
        let _ = cell.set(Some(tree));
        RawRecord {
            text: text.into(),
            is_json: true,
            tree: cell,
            validated: false,
            checked: OnceLock::new(),
            cut_plan: CutPlan::NONE,
        }
    }

    /// A raw text record (a log line); its named fields live in the event's `unmapped`.
    pub fn text(text: impl Into<Text<'a>>) -> RawRecord<'a> {
        RawRecord {
            text: text.into(),
            is_json: false,
            tree: OnceLock::new(),
            validated: false,
            checked: OnceLock::new(),
            cut_plan: CutPlan::NONE,
        }
    }

    /// This record, whose validating pass (the first raw read of a [`RawRecord::json`] record
    /// borrowed from its input) also cuts the nested objects `plan` names, so reading them
    /// later does not scan their bytes again. What a read gives is unchanged.
    pub fn with_cut_plan(mut self, plan: CutPlan) -> RawRecord<'a> {
        self.cut_plan = plan;
        self
    }

    /// The JSON object at the very start of `text` (one element of a streamed array, say),
    /// validated and cut into members in one pass as [`RawRecord::json`]'s first raw read
    /// would (with the nested objects `plan` names): the record of the object's text, its
    /// view already made, and the object's length in bytes; `None` if `text` does not start
    /// with a valid JSON object (leading whitespace included). The text after the object is
    /// not read, so a caller finds where one record ends without scanning it twice.
    pub fn json_object_prefix(text: &'a str, plan: CutPlan) -> Option<(RawRecord<'a>, usize)> {
        let (len, node) = check_prefix(text, &plan)?;
        let checked = OnceLock::new();
        let _ = checked.set(Checked::Object(node));
        let record = RawRecord {
            text: Cow::Borrowed(text.get(..len)?),
            is_json: true,
            tree: OnceLock::new(),
            validated: false,
            checked,
            cut_plan: plan,
        };
        Some((record, len))
    }

    /// The record as it arrived.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the record is empty (no raw data kept).
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Whether the record is JSON.
    pub fn is_json(&self) -> bool {
        self.is_json
    }

    /// The parsed JSON tree, parsed now if this is the first access; `None` for text records
    /// and for text that is not valid JSON.
    pub fn tree(&self) -> Option<&JsonValue<'a>> {
        if !self.is_json {
            return None;
        }
        // A validated record's view caches the tree at its root.
        if self.validated
            && let Some(view) = self.checked_view()
        {
            return view.tree();
        }
        self.tree
            .get_or_init(|| match &self.text {
                Cow::Borrowed(text) => JsonValue::parse(text).ok(),
                Cow::Owned(text) => JsonValue::parse(text).ok().map(JsonValue::into_owned),
            })
            .as_ref()
    }

    /// The top-level member `key` of a JSON object record: the same value as
    /// `self.tree()?.get(key)`, but for a [validated](RawRecord::json_validated) record only
    /// that member is parsed (once, on first access) instead of the whole record. `None` for
    /// text records, records that are not objects, and absent members.
    pub fn member(&self, key: &str) -> Option<&JsonValue<'a>> {
        if let Some(view) = self.checked_view()
            && let Some(member) = view.member(key)
        {
            return member.and_then(LazyNode::tree);
        }
        self.tree().and_then(|tree| tree.get(key))
    }

    /// The names of the top-level members of a JSON object record with a lazy view (a
    /// [validated](RawRecord::json_validated) record, or a [`RawRecord::json`] object borrowed
    /// from its input that passed the validating pass), in input order, without parsing any
    /// value. `None` for other records.
    pub fn member_names(&self) -> Option<impl Iterator<Item = &str>> {
        self.checked_view()?.member_names()
    }

    /// The top-level members of a JSON object record with a lazy view (see
    /// [`RawRecord::member_names`]) as (name, value text) pairs, in input order, without
    /// parsing any value: a normalizer can read the members the validating pass already cut
    /// instead of parsing the record again. `None` for other records.
    pub fn members(&self) -> Option<impl Iterator<Item = (&str, &'a str)>> {
        self.checked_view()?.member_texts()
    }

    /// Whether a JSON object record with a lazy view (see [`RawRecord::member_names`]) has a
    /// top-level member named `key`, found through the view's index without reading any
    /// value; `None` for other records.
    pub fn has_member(&self, key: &str) -> Option<bool> {
        Some(self.checked_view()?.member(key)?.is_some())
    }

    /// [`RawRecord::has_member`] for several names: whether the record has a member named any
    /// of `keys` (the view is reached once, each name found through its index); `None` for
    /// other records.
    pub fn has_any_member(&self, keys: &[&str]) -> Option<bool> {
        self.checked_view()?.has_any_member(keys)
    }

    /// The top-level members of a JSON object record with a lazy view (see
    /// [`RawRecord::member_names`]) as (name, value) pairs, in input order: like
    /// [`RawRecord::members`], but each value is a [`RawNode`] whose object members are cut
    /// once and kept with the record, so objects a rule already walked into are not cut or
    /// parsed again. `None` for other records.
    pub fn member_nodes(&self) -> Option<RawMembers<'_, 'a>> {
        RawNode::new(self.checked_view()?).members()
    }

    /// The record as a [`JsonView`]: through its lazy view when it has one (a
    /// [validated](RawRecord::json_validated) record, or a [`RawRecord::json`] object borrowed
    /// from its input that passed the validating pass), else through its tree. `None` for text
    /// records and for text that is not valid JSON.
    pub fn view(&self) -> Option<JsonView<'_, 'a>> {
        if let Some(node) = self.checked_view() {
            return Some(JsonView::lazy(node));
        }
        self.tree().map(JsonView::from_tree)
    }

    /// The value at the object keys `keys` of a JSON record: `self.tree()?.pointer(keys)`,
    /// but read through the lazy view when the record has one, so the objects on the way are
    /// cut into members (once per record) and only the value at the end is parsed.
    pub fn pointer(&self, keys: &[&str]) -> Option<&JsonValue<'a>> {
        if let Some(view) = self.checked_view() {
            return view.pointer(keys);
        }
        self.tree()?.pointer(keys.iter().copied())
    }

    /// Where a walk of `segments` can start without the whole tree, for a record with a lazy
    /// view (a [validated](RawRecord::json_validated) record, or a [`RawRecord::json`] object
    /// borrowed from its input): the value reached by following the leading object keys
    /// (objects on the way cut into members once per record, only the value reached parsed;
    /// `None` when a key is absent) and the segments left to walk from it, which give what
    /// [`crate::walk`] gives from [`RawRecord::tree`]. `None` for records without the view.
    pub fn descend<'s>(
        &self,
        segments: &'s [Segment],
    ) -> Option<(Option<&JsonValue<'a>>, &'s [Segment])> {
        let view = self.checked_view()?;
        Some(view.descend(segments))
    }

    /// The value at `segments` in a JSON record, as [`crate::walk`] from [`RawRecord::tree`]
    /// gives it (a key applied to an array applies to every element; missing and null kept
    /// apart). For a [validated](RawRecord::json_validated) record only the objects the path
    /// passes through are cut into members and only the value it ends at is parsed — a plain
    /// string is read straight from the text. `Missing` for text records (their named fields
    /// live in the event's `unmapped`).
    pub fn get(&self, segments: &[Segment]) -> FieldValue<'_> {
        if let Some(lazy) = self.checked_view() {
            return lazy.get(segments);
        }
        self.tree().map_or(FieldValue::Missing, |tree| {
            crate::path::walk(tree, segments)
        })
    }

    /// Detaches the record from its input buffer.
    pub fn into_owned(self) -> RawRecord<'static> {
        let tree = OnceLock::new();
        if let Some(Some(parsed)) = self.tree.into_inner() {
            let _ = tree.set(Some(parsed.into_owned()));
        }
        RawRecord {
            text: Cow::Owned(self.text.into_owned()),
            is_json: self.is_json,
            tree,
            validated: false,
            checked: OnceLock::new(),
            cut_plan: self.cut_plan,
        }
    }

    /// The lazy view of a JSON record borrowed from its input. A
    /// [validated](RawRecord::json_validated) record always has one, made on first use. A
    /// [`RawRecord::json`] record has one when it is a valid JSON object whose view was made
    /// before its tree was built (a record whose tree came first is read through the tree,
    /// which is then cheaper): the first call validates the record in one pass that builds no
    /// tree; an invalid record settles the tree as absent. A view once made is kept, and read
    /// even after the tree is built (both give the same values).
    fn checked_view(&self) -> Option<&LazyNode<'a>> {
        // Every read after the first: the view made then (a tree built since gives the same
        // values, so the view may still be read).
        if let Some(Checked::Object(node)) = self.checked.get() {
            return Some(node);
        }
        if !self.is_json {
            return None;
        }
        let Cow::Borrowed(text) = &self.text else {
            return None;
        };
        if self.validated {
            return match self
                .checked
                .get_or_init(|| Checked::Object(LazyNode::new(text)))
            {
                Checked::Object(node) => Some(node),
                Checked::NotObject | Checked::Invalid => None,
            };
        }
        if self.tree.get().is_some() {
            return None;
        }
        match self.checked.get_or_init(|| check(text, &self.cut_plan)) {
            Checked::Object(node) => Some(node),
            Checked::Invalid => {
                let _ = self.tree.set(None);
                None
            }
            Checked::NotObject => None,
        }
    }

    /// Whether the record is JSON that parses. For an object record read through the lazy
    /// view this does not build the tree; a [validated](RawRecord::json_validated) record is
    /// taken at its word.
    pub fn is_valid_json(&self) -> bool {
        if !self.is_json {
            return false;
        }
        if self.validated || self.checked_view().is_some() {
            return true;
        }
        self.tree().is_some()
    }
}

impl Clone for RawRecord<'_> {
    fn clone(&self) -> Self {
        RawRecord {
            text: self.text.clone(),
            is_json: self.is_json,
            tree: self.tree.clone(),
            validated: self.validated,
            checked: self.checked.clone(),
            cut_plan: self.cut_plan,
        }
    }
}

impl PartialEq for RawRecord<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.is_json == other.is_json
    }
}

impl Serialize for RawRecord<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for RawRecord<'_> {
    /// Reads `raw_data` back; whether it is JSON is decided by its first non-blank byte, since
    /// OCSF JSON does not say which parser produced it.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let looks_json = matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'['));
        Ok(if looks_json {
            RawRecord::json(text)
        } else {
            RawRecord::text(text)
        })
    }
}

impl<'a> Event<'a> {
    /// A new event of `class` with `activity_id`, for a record of `format`; fills the ids,
    /// captions, `type_uid`, and `metadata` (version, product from the format registry,
    /// `log_format`).
    pub fn new(class: &OcsfClass, activity_id: u32, format: SourceFormat) -> Event<'a> {
        let info = format.info();
        Event {
            class_uid: class.uid,
            class_name: Some(Cow::Borrowed(class.name)),
            category_uid: class.category_uid,
            category_name: Some(Cow::Borrowed(class.category_name)),
            activity_id,
            activity_name: class.activity_name(activity_id).map(Cow::Borrowed),
            type_uid: class.type_uid(activity_id),
            severity_id: Severity::Informational,
            metadata: Metadata {
                version: Cow::Borrowed(ocsf::OCSF_VERSION),
                product: Product {
                    name: Some(Cow::Borrowed(info.product_name)),
                    vendor_name: Some(Cow::Borrowed(info.vendor_name)),
                    version: None,
                },
                log_format: Some(format),
                ..Metadata::default()
            },
            ..Event::default()
        }
    }

    /// [`Event::new`], built in place on the heap: parsers hand out `Box<Event>`, and
    /// `Box::new(Event::new(…))` builds the event on the stack and then copies it, reading
    /// back what was just written (a stall on every record of a fast text format).
    #[inline]
    pub fn new_boxed(class: &OcsfClass, activity_id: u32, format: SourceFormat) -> Box<Event<'a>> {
        let info = format.info();
        let mut event = Box::<Event<'a>>::default();
        event.class_uid = class.uid;
        event.class_name = Some(Cow::Borrowed(class.name));
        event.category_uid = class.category_uid;
        event.category_name = Some(Cow::Borrowed(class.category_name));
        event.activity_id = activity_id;
        event.activity_name = class.activity_name(activity_id).map(Cow::Borrowed);
        event.type_uid = class.type_uid(activity_id);
        event.severity_id = Severity::Informational;
        event.metadata.version = Cow::Borrowed(ocsf::OCSF_VERSION);
        event.metadata.product.name = Some(Cow::Borrowed(info.product_name));
        event.metadata.product.vendor_name = Some(Cow::Borrowed(info.vendor_name));
        event.metadata.log_format = Some(format);
        event
    }

    /// Changes the activity, keeping `activity_name` and `type_uid` consistent.
    pub fn set_activity(&mut self, activity_id: u32) {
        self.activity_id = activity_id;
        let class = OcsfClass::by_uid(self.class_uid);
        self.activity_name = class
            .and_then(|c| c.activity_name(activity_id))
            .map(Cow::Borrowed);
        self.type_uid = u64::from(self.class_uid) * 100 + u64::from(activity_id);
    }

    /// Lists an OCSF profile in `metadata.profiles` (once).
    pub fn add_profile(&mut self, profile: &'static str) {
        if !self
            .metadata
            .profiles
            .iter()
            .any(|listed| listed == profile)
        {
            self.metadata.profiles.push(Cow::Borrowed(profile));
        }
    }

    /// Sets `cloud` and lists the `cloud` profile, which the attribute belongs to.
    pub fn set_cloud(&mut self, cloud: Cloud<'a>) {
        self.cloud = Some(Box::new(cloud));
        self.add_profile(ocsf::profile::CLOUD);
    }

    /// Sets `action_id` and its caption `action` (1 Allowed, 2 Denied, …) and lists the
    /// `security_control` profile, which the attributes belong to.
    pub fn set_action(&mut self, action_id: u32) {
        self.action_id = Some(action_id);
        self.action = Some(Cow::Borrowed(match action_id {
            1 => "Allowed",
            2 => "Denied",
            3 => "Observed",
            4 => "Modified",
            99 => "Other",
            _ => "Unknown",
        }));
        self.add_profile(ocsf::profile::SECURITY_CONTROL);
    }

    /// Sets `status_id` and its caption `status`.
    pub fn set_status(&mut self, status_id: u32) {
        self.status_id = status_id;
        self.status = Some(Cow::Borrowed(ocsf::status::name(status_id)));
    }

    /// The source format that produced this event (from `metadata.log_format`).
    pub fn format(&self) -> Option<SourceFormat> {
        self.metadata.log_format
    }

    /// `time` as a UTC timestamp.
    pub fn timestamp(&self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp_millis(self.time)
    }

    /// The id the source gave the record (`metadata.original_event_uid`), if any.
    pub fn original_uid(&self) -> Option<&str> {
        self.metadata.original_event_uid.as_deref()
    }

    /// The OCSF JSON form.
    pub fn to_ocsf_json(&self) -> String {
        // Serializing plain data into a String cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads the OCSF JSON form back.
    pub fn from_ocsf_json(text: &str) -> Result<Event<'static>, serde_json::Error> {
        serde_json::from_str::<Event<'static>>(text)
    }

    /// Detaches the event from its input buffer: a typed deep copy of every attribute (the
    /// raw record keeps its parsed tree, if it has one).
    pub fn into_owned(self) -> Event<'static> {
        let Event {
            class_uid,
            class_name,
            category_uid,
            category_name,
            activity_id,
            activity_name,
            type_uid,
            severity_id,
            status_id,
            status,
            status_code,
            status_detail,
            time,
            start_time,
            end_time,
            duration,
            message,
            metadata,
            actor,
            user,
            session,
            is_mfa,
            service,
            api,
            src_endpoint,
            dst_endpoint,
            http_request,
            http_response,
            connection_info,
            traffic,
            action_id,
            action,
            cloud,
            resources,
            unmapped,
            raw,
        } = self;
        Event {
            class_uid,
            class_name: class_name.detach(),
            category_uid,
            category_name: category_name.detach(),
            activity_id,
            activity_name: activity_name.detach(),
            type_uid,
            severity_id,
            status_id,
            status: status.detach(),
            status_code: status_code.detach(),
            status_detail: status_detail.detach(),
            time,
            start_time,
            end_time,
            duration,
            message: message.detach(),
            metadata: metadata.detach(),
            actor: actor.detach(),
            user: user.detach(),
            session: session.detach(),
            is_mfa,
            service: service.detach(),
            api: api.detach(),
            src_endpoint: src_endpoint.detach(),
            dst_endpoint: dst_endpoint.detach(),
            http_request: http_request.detach(),
            http_response: http_response.detach(),
            connection_info: connection_info.detach(),
            traffic,
            action_id,
            action: action.detach(),
            cloud: cloud.detach(),
            resources: resources.detach(),
            unmapped: unmapped.map(JsonValue::into_owned),
            raw: raw.into_owned(),
        }
    }
}

/// A typed deep copy that detaches a value from its input buffer (borrowed strings are copied,
/// owned ones moved). Exhaustive struct literals below make adding an attribute without
/// copying it a compile error.
pub(crate) trait Detach {
    /// The same type with every borrow replaced by owned data.
    type Static;
    /// Detaches `self`.
    fn detach(self) -> Self::Static;
}

impl Detach for Text<'_> {
    type Static = Text<'static>;
    fn detach(self) -> Text<'static> {
        Cow::Owned(self.into_owned())
    }
}

impl<T: Detach> Detach for Option<T> {
    type Static = Option<T::Static>;
    fn detach(self) -> Option<T::Static> {
        self.map(Detach::detach)
    }
}

impl<T: Detach> Detach for Box<T> {
    type Static = Box<T::Static>;
    fn detach(self) -> Box<T::Static> {
        Box::new((*self).detach())
    }
}

impl<T: Detach> Detach for Vec<T> {
    type Static = Vec<T::Static>;
    fn detach(self) -> Vec<T::Static> {
        self.into_iter().map(Detach::detach).collect()
    }
}

/// `impl Detach` for a struct with a lifetime: each listed field is detached, each field after
/// `;` is moved as it is (plain data). Every field must be listed.
macro_rules! detach_struct {
    ($name:ident { $($field:ident),* $(,)? } $(; $($plain:ident),* $(,)?)?) => {
        impl Detach for $name<'_> {
            type Static = $name<'static>;
            fn detach(self) -> $name<'static> {
                $name {
                    $($field: self.$field.detach(),)*
                    $($($plain: self.$plain,)*)?
                }
            }
        }
    };
}

detach_struct!(Metadata { version, product, log_name, log_provider, uid, original_event_uid,
    event_code, profiles }; log_format);
detach_struct!(Product {
    name,
    vendor_name,
    version
});
detach_struct!(Actor {
    user,
    session,
    app_name,
    idp
});
detach_struct!(Idp { name, uid });
detach_struct!(User { name, uid, uid_alt, type_name, account, groups, domain, email_addr };
    type_id);
detach_struct!(Account { uid, name }; type_id);
detach_struct!(Group { name, uid });
detach_struct!(Session { uid, issuer, credential_uid }; is_mfa, created_time);
detach_struct!(Api {
    operation,
    service,
    request,
    response,
    group,
    version
});
detach_struct!(Service { name });
detach_struct!(ApiRequest { uid });
detach_struct!(ApiResponse { error, error_message, message }; code);
detach_struct!(Endpoint { domain, hostname, name, uid, svc_name, instance_uid, interface_uid,
    vpc_uid, subnet_uid }; ip, port, intermediate_ips);
detach_struct!(HttpRequest { http_method, url, user_agent, referrer, uid, version };
    x_forwarded_for, length);
detach_struct!(Url { path, query_string, hostname, scheme, url_string }; port);
detach_struct!(HttpResponse { message, status }; code, length, latency);
detach_struct!(ConnectionInfo { protocol_name, direction }; protocol_num, direction_id,
    tcp_flags);
detach_struct!(Cloud {
    provider,
    region,
    zone,
    account
});
detach_struct!(Resource {
    type_name,
    name,
    uid,
    namespace,
    region,
    owner
});

#[cfg(test)]
mod raw_record_tests {
    use super::*;
    use crate::path::FieldPath;

    fn segments(path: &str) -> Vec<Segment> {
        FieldPath::raw(path).unwrap().raw_path().unwrap().to_vec()
    }

    #[test]
    fn json_records_read_members_without_the_tree() {
        let text =
            r#"{"verb":"create","objectRef":{"resource":"pods"},"list":[{"k":"a"},{"k":"b"}]}"#;
        let record = RawRecord::json(text);
        assert_eq!(
            record.member("verb"),
            Some(&JsonValue::String("create".into()))
        );
        assert_eq!(
            record.get(&segments("objectRef.resource")),
            FieldValue::Str("pods".into())
        );
        assert_eq!(
            record.get(&segments("list.k")),
            FieldValue::List(vec![
                FieldValue::Str("a".into()),
                FieldValue::Str("b".into())
            ])
        );
        assert_eq!(record.member("absent"), None);
        assert_eq!(
            record.pointer(&["objectRef", "resource"]),
            Some(&JsonValue::String("pods".into()))
        );
        assert_eq!(record.pointer(&["objectRef", "absent"]), None);
        assert_eq!(record.pointer(&["verb", "x"]), None);
        assert!(record.is_valid_json());
        assert!(record.tree.get().is_none(), "no tree was built");
        // Once the tree exists, reads go through it and agree.
        assert!(record.tree().is_some());
        assert_eq!(
            record.member("verb"),
            Some(&JsonValue::String("create".into()))
        );
    }

    #[test]
    fn has_member_looks_names_up_without_reading_values() {
        // 12 members: the view indexes them.
        let names: Vec<String> = (0..11).map(|i| format!("\"m{i}\":{i}")).collect();
        let text = format!(r#"{{"detail":{{"a":[1]}},{}}}"#, names.join(","));
        let record = RawRecord::json(&text);
        assert_eq!(record.has_member("detail"), Some(true));
        assert_eq!(record.has_member("m10"), Some(true));
        assert_eq!(
            record.has_member("a"),
            Some(false),
            "nested names are not members"
        );
        assert_eq!(record.has_member("m11"), Some(false));
        let small = RawRecord::json(r#"{"log":null}"#);
        assert_eq!(small.has_member("log"), Some(true));
        assert_eq!(small.has_member("lo"), Some(false));
        assert_eq!(RawRecord::json(r#"{"log":}"#).has_member("log"), None);
        assert_eq!(RawRecord::json("[1]").has_member("log"), None);
        assert_eq!(RawRecord::text("log line").has_member("log"), None);
        // Any of several names.
        assert_eq!(record.has_any_member(&["x", "m10", "a"]), Some(true));
        assert_eq!(record.has_any_member(&["x", "a"]), Some(false));
        assert_eq!(record.has_any_member(&[]), Some(false));
        assert_eq!(small.has_any_member(&["lo", "log"]), Some(true));
        assert_eq!(
            RawRecord::json(r#"{"log":}"#).has_any_member(&["log"]),
            None
        );
        assert_eq!(RawRecord::text("log line").has_any_member(&["log"]), None);
    }

    #[test]
    fn invalid_and_non_object_json_records_read_as_the_tree_does() {
        let invalid = RawRecord::json(r#"{"verb":"create","x":}"#);
        assert_eq!(invalid.member("verb"), None);
        assert_eq!(invalid.get(&segments("verb")), FieldValue::Missing);
        assert!(!invalid.is_valid_json());
        assert!(invalid.tree().is_none());

        let array = RawRecord::json(r#"[{"verb":"get"}]"#);
        assert_eq!(array.member("verb"), None);
        assert_eq!(array.pointer(&["verb"]), None);
        assert!(matches!(array.pointer(&[]), Some(JsonValue::Array(_))));
        assert_eq!(
            array.get(&segments("verb")),
            FieldValue::List(vec![FieldValue::Str("get".into())])
        );
        assert!(array.is_valid_json());

        let text = RawRecord::text("verb=get");
        assert!(!text.is_valid_json());
        assert_eq!(text.member("verb"), None);
    }

    #[test]
    fn validated_records_read_their_view_made_on_first_use() {
        let input = r#" {"verb":"get","user":{"name":"alice","groups":["a","b"]},"n":"3"} "#;
        let record = RawRecord::json_validated(input);
        assert!(record.is_valid_json());
        assert_eq!(
            record.member("verb"),
            Some(&JsonValue::String("get".into()))
        );
        assert_eq!(
            record.get(&segments("user.groups")),
            FieldValue::List(vec![
                FieldValue::Str("a".into()),
                FieldValue::Str("b".into())
            ])
        );
        assert_eq!(
            record.pointer(&["user", "name"]),
            Some(&JsonValue::String("alice".into()))
        );
        let path = segments("user.name");
        let (value, rest) = record.descend(&path).unwrap();
        assert_eq!(value, Some(&JsonValue::String("alice".into())));
        assert!(rest.is_empty());
        let tree = record.tree().unwrap();
        assert_eq!(tree.get("n"), Some(&JsonValue::String("3".into())));
        // The tree is the one the view's root caches.
        assert!(std::ptr::eq(tree, record.pointer(&[]).unwrap()));
        // A clone reads alike; an owned copy has no view and parses its text.
        let clone = record.clone();
        assert_eq!(clone.member("n"), Some(&JsonValue::String("3".into())));
        let owned = record.into_owned();
        assert_eq!(owned.member("verb"), Some(&JsonValue::String("get".into())));
        assert!(owned.is_valid_json());
        // Taken at its word: members of text that is not valid JSON are still found.
        let broken = RawRecord::json_validated(r#"{"verb":"get","x":tru}"#);
        assert_eq!(
            broken.member("verb"),
            Some(&JsonValue::String("get".into()))
        );
        assert!(broken.is_valid_json());
        assert_eq!(
            RawRecord::json(r#"{"verb":"get","x":tru}"#).member("verb"),
            None
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_boxed_builds_what_new_builds() {
        let cases = [
            (&ocsf::HTTP_ACTIVITY, 3, SourceFormat::WebAccess),
            (&ocsf::NETWORK_ACTIVITY, 6, SourceFormat::VpcFlow),
            (&ocsf::AUTHENTICATION, 1, SourceFormat::AuthLog),
            (&ocsf::BASE_EVENT, 99, SourceFormat::Syslog),
            (&ocsf::API_ACTIVITY, 2, SourceFormat::Cloudtrail),
        ];
        for (class, activity, format) in cases {
            let boxed = Event::new_boxed(class, activity, format);
            assert_eq!(
                *boxed,
                Event::new(class, activity, format),
                "{}",
                class.name
            );
            assert_eq!(
                boxed.to_ocsf_json(),
                Event::new(class, activity, format).to_ocsf_json()
            );
        }
        let event = Event::new_boxed(&ocsf::HTTP_ACTIVITY, 1, SourceFormat::Envoy);
        assert_eq!(
            (
                event.class_uid,
                event.type_uid,
                event.metadata.version.as_ref()
            ),
            (4002, 400_201, "1.8.0")
        );
        assert_eq!(event.format(), Some(SourceFormat::Envoy));
    }

    #[test]
    fn events_stay_small() {
        // Parsers create and drop one boxed event per record; past 1 KiB the allocator's fast
        // path no longer serves it (see the `Event` docs).
        assert!(
            std::mem::size_of::<Event<'static>>() <= 1024,
            "{}",
            std::mem::size_of::<Event<'static>>()
        );
    }
}
