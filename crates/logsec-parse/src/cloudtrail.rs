//! AWS CloudTrail → OCSF (API Activity 6003, Authentication 3002, Account Change 3001).
//!
//! Follows the AWS Security Lake mapping (ecosystem notes §1.6); every decision is listed in
//! `docs/mappings/cloudtrail.md`. A record is parsed once with a typed, borrowed serde struct
//! (strings point into the input); nested objects the mapping does not need stay raw
//! (their JSON text) and are only parsed for the rare Authentication and Account Change events.
//! A deferred record runs the same struct over the members its validating pass cut
//! ([`parse_members`], see [`crate::member_de`]).

use std::borrow::Cow;

use logsec_event::{
    Account, Actor, Api, ApiRequest, ApiResponse, Cloud, Endpoint, Event, HttpRequest, Idp,
    RawRecord, Resource, Service, Session, SourceFormat, User, ocsf,
};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::document::{EnvelopeMembers, Outcome};
use crate::lenient::{Arr, LStr, Obj, parse_ip, parse_time_ms};
use crate::member_de::{MemberValue, RawText, from_members};

/// OCSF `account.type_id` 10: AWS Account.
const AWS_ACCOUNT_TYPE_ID: u32 = 10;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Record<'a> {
    #[serde(rename = "eventVersion", alias = "eventversion", borrow)]
    event_version: LStr<'a>,
    #[serde(rename = "userIdentity", alias = "useridentity", borrow)]
    user_identity: Obj<UserIdentity<'a>>,
    #[serde(rename = "eventTime", alias = "eventtime", borrow)]
    event_time: LStr<'a>,
    #[serde(rename = "@timestamp", borrow)]
    at_timestamp: LStr<'a>,
    #[serde(rename = "eventSource", alias = "eventsource", borrow)]
    event_source: LStr<'a>,
    #[serde(rename = "eventName", alias = "eventname", borrow)]
    event_name: LStr<'a>,
    #[serde(rename = "awsRegion", alias = "awsregion", borrow)]
    aws_region: LStr<'a>,
    #[serde(rename = "sourceIPAddress", alias = "sourceipaddress", borrow)]
    source_ip: LStr<'a>,
    #[serde(rename = "userAgent", alias = "useragent", borrow)]
    user_agent: LStr<'a>,
    #[serde(rename = "errorCode", alias = "errorcode", borrow)]
    error_code: LStr<'a>,
    #[serde(rename = "errorMessage", alias = "errormessage", borrow)]
    error_message: LStr<'a>,
    #[serde(rename = "requestParameters", borrow)]
    request_parameters: Option<RawText<'a>>,
    #[serde(rename = "responseElements", borrow)]
    response_elements: Option<RawText<'a>>,
    #[serde(rename = "additionalEventData", borrow)]
    additional_event_data: Option<RawText<'a>>,
    #[serde(rename = "requestID", alias = "requestid", borrow)]
    request_id: LStr<'a>,
    #[serde(rename = "eventID", alias = "eventid", borrow)]
    event_id: LStr<'a>,
    #[serde(rename = "eventType", alias = "eventtype", borrow)]
    event_type: LStr<'a>,
    #[serde(rename = "apiVersion", alias = "apiversion", borrow)]
    api_version: LStr<'a>,
    #[serde(rename = "recipientAccountId", alias = "recipientaccountid", borrow)]
    recipient_account_id: LStr<'a>,
    #[serde(rename = "vpcEndpointId", borrow)]
    vpc_endpoint_id: LStr<'a>,
    #[serde(borrow)]
    resources: Option<RawText<'a>>,
    // Envelope members (see `document`).
    #[serde(rename = "Records", borrow)]
    env_records: Option<&'a RawValue>,
    #[serde(rename = "messageType", borrow)]
    env_message_type: LStr<'a>,
    #[serde(rename = "logEvents", borrow)]
    env_log_events: Option<&'a RawValue>,
    #[serde(rename = "Events", borrow)]
    env_lookup_events: Option<&'a RawValue>,
    #[serde(borrow)]
    detail: Option<&'a RawValue>,
    #[serde(rename = "detail-type", borrow)]
    detail_type: LStr<'a>,
    #[serde(borrow)]
    log: Option<&'a RawValue>,
    #[serde(rename = "digestPublicKeyFingerprint", borrow)]
    digest_fingerprint: LStr<'a>,
    #[serde(rename = "digestS3Bucket", borrow)]
    digest_bucket: LStr<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UserIdentity<'a> {
    #[serde(rename = "type", borrow)]
    type_name: LStr<'a>,
    #[serde(rename = "principalId", alias = "principalid", borrow)]
    principal_id: LStr<'a>,
    #[serde(borrow)]
    arn: LStr<'a>,
    #[serde(rename = "accountId", alias = "accountid", borrow)]
    account_id: LStr<'a>,
    #[serde(rename = "accessKeyId", alias = "accesskeyid", borrow)]
    access_key_id: LStr<'a>,
    #[serde(rename = "userName", alias = "username", borrow)]
    user_name: LStr<'a>,
    #[serde(rename = "invokedBy", borrow)]
    invoked_by: LStr<'a>,
    #[serde(rename = "identityProvider", borrow)]
    identity_provider: LStr<'a>,
    #[serde(rename = "sessionContext", alias = "sessioncontext", borrow)]
    session_context: Obj<SessionContext<'a>>,
    #[serde(rename = "onBehalfOf", borrow)]
    on_behalf_of: Obj<OnBehalfOf<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SessionContext<'a> {
    #[serde(rename = "sessionIssuer", borrow)]
    session_issuer: Obj<SessionIssuer<'a>>,
    #[serde(rename = "webIdFederationData", borrow)]
    web_id_federation_data: Obj<WebIdFederation<'a>>,
    #[serde(borrow)]
    attributes: Obj<SessionAttributes<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SessionIssuer<'a> {
    #[serde(borrow)]
    arn: LStr<'a>,
    #[serde(rename = "userName", borrow)]
    user_name: LStr<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WebIdFederation<'a> {
    #[serde(rename = "federatedProvider", borrow)]
    federated_provider: LStr<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SessionAttributes<'a> {
    #[serde(rename = "creationDate", borrow)]
    creation_date: LStr<'a>,
    #[serde(rename = "mfaAuthenticated", borrow)]
    mfa_authenticated: LStr<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OnBehalfOf<'a> {
    #[serde(rename = "identityStoreArn", borrow)]
    identity_store_arn: LStr<'a>,
}

/// A resource of the usual shape, for the strict borrowed parse of [`resources`]: any other
/// shape (an escaped or non-string value, a repeated member) fails it.
#[derive(Deserialize)]
struct PlainResource<'a> {
    #[serde(rename = "ARN", alias = "arn", borrow, default)]
    arn: Option<&'a str>,
    #[serde(rename = "type", borrow, default)]
    type_name: Option<&'a str>,
    #[serde(rename = "accountId", borrow, default)]
    account_id: Option<&'a str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CtResource<'a> {
    #[serde(rename = "ARN", alias = "arn", borrow)]
    arn: LStr<'a>,
    #[serde(rename = "type", borrow)]
    type_name: LStr<'a>,
    #[serde(rename = "accountId", borrow)]
    account_id: LStr<'a>,
}

/// The request parameters the Authentication and Account Change mappings read.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RequestParameters<'a> {
    #[serde(rename = "roleArn", borrow)]
    role_arn: LStr<'a>,
    #[serde(rename = "roleSessionName", borrow)]
    role_session_name: LStr<'a>,
    #[serde(rename = "userName", borrow)]
    user_name: LStr<'a>,
    #[serde(rename = "roleName", borrow)]
    role_name: LStr<'a>,
    #[serde(rename = "groupName", borrow)]
    group_name: LStr<'a>,
    #[serde(borrow)]
    status: LStr<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResponseElements<'a> {
    #[serde(rename = "ConsoleLogin", borrow)]
    console_login: LStr<'a>,
    #[serde(borrow)]
    credentials: Obj<Credentials<'a>>,
    #[serde(rename = "assumedRoleUser", borrow)]
    assumed_role_user: Obj<AssumedRoleUser<'a>>,
    #[serde(borrow)]
    user: Obj<Principal<'a>>,
    #[serde(borrow)]
    role: Obj<Principal<'a>>,
    #[serde(rename = "accessKey", borrow)]
    access_key: Obj<Principal<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Credentials<'a> {
    #[serde(rename = "accessKeyId", borrow)]
    access_key_id: LStr<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AssumedRoleUser<'a> {
    #[serde(borrow)]
    arn: LStr<'a>,
    #[serde(rename = "assumedRoleId", borrow)]
    assumed_role_id: LStr<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Principal<'a> {
    #[serde(borrow)]
    arn: LStr<'a>,
    #[serde(rename = "userId", alias = "roleId", borrow)]
    id: LStr<'a>,
    #[serde(rename = "userName", alias = "roleName", borrow)]
    name: LStr<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AdditionalEventData<'a> {
    #[serde(rename = "LoginTo", borrow)]
    login_to: LStr<'a>,
    #[serde(rename = "MFAUsed", borrow)]
    mfa_used: LStr<'a>,
    #[serde(rename = "UserName", borrow)]
    user_name: LStr<'a>,
}

fn sub<'a, T: Deserialize<'a> + Default>(raw: Option<RawText<'a>>) -> T {
    raw.and_then(|r| serde_json::from_str::<Obj<T>>(r.get()).ok())
        .and_then(|o| o.0)
        .unwrap_or_default()
}

/// The OCSF class and activity of a CloudTrail event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// API Activity with its activity id.
    Api(u32),
    /// Authentication with its activity id.
    Authentication(u32),
    /// Account Change with its activity id.
    AccountChange(u32),
}

/// Event names that are Authentication (3002), all activity 1 Logon.
const AUTHENTICATION_EVENTS: &[&str] = &[
    "ConsoleLogin",
    "ExternalIdPDirectoryLogin",
    "CheckMfa",
    "CredentialChallenge",
    "CredentialVerification",
    "UserAuthentication",
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
];

/// Account Change (3001) event names (IAM and sign-in account mutations) with their activity.
const ACCOUNT_CHANGE_EVENTS: &[(&str, u32)] = &[
    ("CreateUser", 1),
    ("CreateAccessKey", 1),
    ("CreateLoginProfile", 1),
    ("CreateVirtualMFADevice", 1),
    ("CreateRole", 1),
    ("CreateServiceLinkedRole", 1),
    ("CreateGroup", 1),
    ("CreateAccountAlias", 1),
    ("EnableMFADevice", 10),
    ("DeactivateMFADevice", 11),
    ("ResyncMFADevice", 99),
    ("ChangePassword", 3),
    ("PasswordUpdated", 3),
    ("UpdateLoginProfile", 4),
    ("AttachUserPolicy", 7),
    ("AttachGroupPolicy", 7),
    ("AttachRolePolicy", 7),
    ("PutUserPolicy", 7),
    ("PutGroupPolicy", 7),
    ("PutRolePolicy", 7),
    ("PutUserPermissionsBoundary", 7),
    ("PutRolePermissionsBoundary", 7),
    ("AddUserToGroup", 7),
    ("DetachUserPolicy", 8),
    ("DetachGroupPolicy", 8),
    ("DetachRolePolicy", 8),
    ("DeleteUserPolicy", 8),
    ("DeleteGroupPolicy", 8),
    ("DeleteRolePolicy", 8),
    ("DeleteUserPermissionsBoundary", 8),
    ("DeleteRolePermissionsBoundary", 8),
    ("RemoveUserFromGroup", 8),
    ("DeleteUser", 6),
    ("DeleteAccessKey", 6),
    ("DeleteLoginProfile", 6),
    ("DeleteVirtualMFADevice", 6),
    ("DeleteRole", 6),
    ("DeleteServiceLinkedRole", 6),
    ("DeleteGroup", 6),
    ("DeleteAccountAlias", 6),
    ("DeleteAccountPasswordPolicy", 99),
    ("UpdateAccountPasswordPolicy", 99),
    ("UpdateUser", 99),
    ("UpdateAccessKey", 99),
    ("UpdateRole", 99),
    ("UpdateAssumeRolePolicy", 99),
    ("UpdateGroup", 99),
    ("TagUser", 99),
    ("UntagUser", 99),
    ("TagRole", 99),
    ("UntagRole", 99),
    ("EmailUpdated", 99),
];

/// API Activity's activity from the verb that starts an operation name: 1 Create, 2 Read,
/// 3 Update, 4 Delete, 99 Other. The verb must end at an upper-case letter, a digit or the end
/// (`Describe` matches `DescribeInstances`, `Add` does not match `Address…`); `ignore_case`
/// compares the verb case-insensitively and also accepts any non-letter after it.
pub(crate) fn api_activity_for_verb(name: &str, ignore_case: bool) -> u32 {
    const VERBS: &[(&str, u32)] = &[
        ("Create", 1),
        ("Run", 1),
        ("Generate", 1),
        ("Insert", 1),
        ("Get", 2),
        ("List", 2),
        ("Describe", 2),
        ("Search", 2),
        ("Lookup", 2),
        ("Watch", 2),
        ("Update", 3),
        ("Put", 3),
        ("Modify", 3),
        ("Add", 3),
        ("Remove", 3),
        ("Start", 3),
        ("Stop", 3),
        ("Attach", 3),
        ("Detach", 3),
        ("Associate", 3),
        ("Disassociate", 3),
        ("Tag", 3),
        ("Untag", 3),
        ("Enable", 3),
        ("Disable", 3),
        ("Register", 3),
        ("Deregister", 3),
        ("Patch", 3),
        ("Set", 3),
        ("Delete", 4),
        ("Terminate", 4),
    ];
    for (verb, activity) in VERBS {
        let Some(head) = name.get(..verb.len()) else {
            continue;
        };
        let same = if ignore_case {
            head.eq_ignore_ascii_case(verb)
        } else {
            head == *verb
        };
        if !same {
            continue;
        }
        let next = name.as_bytes().get(verb.len()).copied();
        let boundary = match next {
            None => true,
            Some(c) if c.is_ascii_uppercase() || c.is_ascii_digit() => true,
            Some(c) => ignore_case && !c.is_ascii_alphabetic(),
        };
        if boundary {
            return *activity;
        }
    }
    99
}

/// The class of a CloudTrail event name from its event source.
pub(crate) fn classify(event_name: &str, event_source: Option<&str>) -> Class {
    if AUTHENTICATION_EVENTS.contains(&event_name) {
        return Class::Authentication(1);
    }
    let iam_source = matches!(
        event_source,
        None | Some("iam.amazonaws.com" | "signin.amazonaws.com")
    );
    if iam_source
        && let Some((_, activity)) = ACCOUNT_CHANGE_EVENTS.iter().find(|(n, _)| *n == event_name)
    {
        return Class::AccountChange(*activity);
    }
    Class::Api(api_activity_for_verb(event_name, false))
}

/// OCSF `user.type_id` for a CloudTrail identity type: Root 2 Admin, AWSService 4 Service,
/// the human or role identities 1 User, anything else 99 Other.
fn user_type_id(identity_type: &str) -> u32 {
    match identity_type {
        "Root" => 2,
        "AWSService" => 4,
        "IAMUser" | "AssumedRole" | "FederatedUser" | "IdentityCenterUser" | "AWSAccount"
        | "SAMLUser" | "WebIdentityUser" | "Role" => 1,
        "Unknown" => 0,
        _ => 99,
    }
}

fn yes_no(text: Option<&str>) -> Option<bool> {
    match text?.trim() {
        t if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("yes") => Some(true),
        t if t.eq_ignore_ascii_case("false") || t.eq_ignore_ascii_case("no") => Some(false),
        _ => None,
    }
}

fn aws_account<'a>(uid: Option<Cow<'a, str>>) -> Option<Account<'a>> {
    uid.map(|uid| Account {
        uid: Some(uid),
        type_id: Some(AWS_ACCOUNT_TYPE_ID),
        ..Account::default()
    })
}

/// Parses one CloudTrail record (or recognizes an envelope around records).
pub(crate) fn parse(text: &str) -> Outcome<'_> {
    if let Some(reject) = crate::document::expect_object(text, "CloudTrail record") {
        return reject;
    }
    match serde_json::from_str(text) {
        Ok(mut record) => outcome(&mut record, text),
        Err(err) => Outcome::Reject(format!("malformed CloudTrail record: {err}")),
    }
}

/// What [`parse`] makes of the record `text`, read from its top-level members as the
/// validating pass cut them (name, value text; see [`crate::member_de`]) instead of from the
/// text; `None` when the typed read fails (a repeated member): [`parse`] then gives the
/// reject, with its position.
pub(crate) fn parse_members<'n, 'a, V: MemberValue<'n, 'a>>(
    members: impl Iterator<Item = (&'n str, V)>,
    text: &'a str,
) -> Option<Outcome<'a>> {
    from_members(members)
        .ok()
        .map(|mut record| outcome(&mut record, text))
}

/// Parses the CloudTrail record (or envelope) that `text` starts with, where `text` goes on
/// past it (the rest of a `Records` array): the record's text and what [`parse`] makes of it,
/// so the record is found and parsed in one pass instead of being cut out first.
///
/// `None` when the record does not parse (malformed, or cut by the end of `text`) or when
/// `accept` turns its text down: the caller then cuts and parses it the slow way, which gives
/// the exact reject. On success the outcome is the one [`parse`] gives for the record's text,
/// as serde reads the same value from a prefix as from the value alone.
pub(crate) fn parse_prefix<'a>(
    text: &'a str,
    accept: impl FnOnce(&'a str) -> bool,
) -> Option<(&'a str, Outcome<'a>)> {
    if !text.starts_with('{') {
        return None;
    }
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Record<'a>>();
    let mut record = stream.next()?.ok()?;
    let doc = text.get(..stream.byte_offset())?;
    accept(doc).then(|| (doc, outcome(&mut record, doc)))
}

/// What a parsed record is: an envelope, a skipped digest file, or an event.
///
/// The record is read in place (taken from), not moved: it is about a kilobyte.
fn outcome<'a>(record: &mut Record<'a>, text: &'a str) -> Outcome<'a> {
    let envelope = EnvelopeMembers {
        records: record.env_records.take(),
        message_type: std::mem::take(&mut record.env_message_type),
        log_events: record.env_log_events.take(),
        lookup_events: record.env_lookup_events.take(),
        inner: if record.detail_type.get().is_some() {
            record.detail.take()
        } else {
            record.log.take()
        },
    };
    if let Some(envelope) = envelope.envelope() {
        return Outcome::Envelope(envelope);
    }
    if record.digest_fingerprint.get().is_some() || record.digest_bucket.get().is_some() {
        return Outcome::Skip("CloudTrail digest file skipped");
    }
    Outcome::Event(normalize(record, text))
}

fn normalize<'a>(r: &mut Record<'a>, text: &'a str) -> Box<Event<'a>> {
    let event_name = r.event_name.take();
    let name_owned = event_name.clone().unwrap_or_default();
    let name: &str = &name_owned;
    let is_insight = r.event_type.get() == Some("AwsCloudTrailInsight");
    let class = if is_insight {
        Class::Api(99)
    } else {
        classify(name, r.event_source.get())
    };
    let (ocsf_class, activity) = match class {
        Class::Api(a) => (&ocsf::API_ACTIVITY, a),
        Class::Authentication(a) => (&ocsf::AUTHENTICATION, a),
        Class::AccountChange(a) => (&ocsf::ACCOUNT_CHANGE, a),
    };
    let mut event = Event::new_boxed(ocsf_class, activity, SourceFormat::Cloudtrail);
    event.time = r
        .event_time
        .get()
        .or(r.at_timestamp.get())
        .and_then(parse_time_ms)
        .unwrap_or(0);
    event.metadata.profiles = vec![Cow::Borrowed("cloud")];
    event.metadata.uid = r.event_id.cloned();
    event.metadata.original_event_uid = r.event_id.take();
    event.metadata.event_code = event_name.clone();
    event.metadata.product.version = r.event_version.take();
    event.metadata.log_name = r.event_type.take();
    if is_insight {
        event.message = Some(Cow::Borrowed("CloudTrail Insights event"));
    }

    // Actor.
    let mut identity = r.user_identity.0.take().unwrap_or_default();
    let mut session_context = identity.session_context.0.take().unwrap_or_default();
    let attributes = session_context.attributes.0.take().unwrap_or_default();
    let mut issuer = session_context.session_issuer.0.take().unwrap_or_default();
    let identity_type = identity.type_name.take();
    let mut actor_user = User {
        type_id: identity_type.as_deref().map(user_type_id),
        type_name: identity_type,
        uid: identity.arn.take(),
        uid_alt: identity.principal_id.take(),
        name: identity
            .user_name
            .take()
            .or_else(|| issuer.user_name.take()),
        account: aws_account(identity.account_id.take()),
        ..User::default()
    };
    let session = Session {
        issuer: issuer.arn.take(),
        is_mfa: yes_no(attributes.mfa_authenticated.get()),
        created_time: attributes.creation_date.get().and_then(parse_time_ms),
        credential_uid: identity.access_key_id.take(),
        ..Session::default()
    };
    let has_session = session.issuer.is_some()
        || session.is_mfa.is_some()
        || session.created_time.is_some()
        || session.credential_uid.is_some();
    let idp_name = identity.identity_provider.take().or_else(|| {
        session_context
            .web_id_federation_data
            .0
            .as_mut()
            .and_then(|w| w.federated_provider.take())
    });
    let idp_uid = identity
        .on_behalf_of
        .0
        .as_mut()
        .and_then(|o| o.identity_store_arn.take());
    let idp = (idp_name.is_some() || idp_uid.is_some()).then_some(Idp {
        name: idp_name,
        uid: idp_uid,
    });
    // The fields set above are all the user has (`type_id` goes with `type_name`).
    let has_user = actor_user.type_name.is_some()
        || actor_user.uid.is_some()
        || actor_user.uid_alt.is_some()
        || actor_user.name.is_some()
        || actor_user.account.is_some();
    // Only the Authentication and Account Change mappings read the actor's user again.
    let user_again = !matches!(class, Class::Api(_));
    event.actor = Some(Box::new(Actor {
        user: has_user.then(|| {
            if user_again {
                actor_user.clone()
            } else {
                std::mem::take(&mut actor_user)
            }
        }),
        session: has_session.then_some(session),
        app_name: identity.invoked_by.take(),
        idp,
    }));

    // Where from.
    let mut src = Endpoint {
        uid: r.vpc_endpoint_id.take(),
        ..Endpoint::default()
    };
    if let Some(source) = r.source_ip.take() {
        match parse_ip(&source) {
            Some(ip) => src.ip = Some(ip),
            None => src.domain = Some(source),
        }
    }
    event.src_endpoint = Some(Box::new(src));
    if let Some(agent) = r.user_agent.take() {
        event.http_request = Some(Box::new(HttpRequest {
            user_agent: Some(agent),
            ..HttpRequest::default()
        }));
    }
    event.cloud = Some(Box::new(Cloud {
        provider: Cow::Borrowed("AWS"),
        region: r.aws_region.take(),
        account: aws_account(r.recipient_account_id.take()),
        zone: None,
    }));

    // Status.
    let error_code = r.error_code.take();
    let error_message = r.error_message.take();
    let failed = error_code.is_some();
    event.set_status(if failed {
        ocsf::status::FAILURE
    } else {
        ocsf::status::SUCCESS
    });
    event.status_code = error_code.clone();
    event.status_detail = error_message.clone();
    event.api = Some(Box::new(Api {
        operation: event_name.unwrap_or_default(),
        service: r
            .event_source
            .take()
            .map(|name| Service { name: Some(name) }),
        request: r.request_id.take().map(|uid| ApiRequest { uid }),
        response: (error_code.is_some() || error_message.is_some()).then(|| ApiResponse {
            error: error_code,
            message: error_message,
            ..ApiResponse::default()
        }),
        group: None,
        version: r.api_version.take(),
    }));

    // Resources.
    if let Some(raw) = r.resources {
        event.resources = resources(raw.get());
    }

    match class {
        Class::Authentication(_) => authentication(&mut event, r, actor_user, name),
        Class::AccountChange(_) => account_change(&mut event, r, actor_user, name),
        Class::Api(_) => {}
    }
    event.raw = RawRecord::json_validated(text);
    event
}

/// The `resources` array as OCSF resources. The usual array (objects whose members are
/// strings without escapes, or null) is read by a strict borrowed parse, less than half the
/// cost of the lenient one, which reads everything else.
fn resources(text: &str) -> Vec<Resource<'_>> {
    let resource = |arn, type_name, account_id| Resource {
        uid: arn,
        type_name,
        owner: aws_account(account_id).map(|account| User {
            account: Some(account),
            ..User::default()
        }),
        ..Resource::default()
    };
    let plain =
        plain_resources(text).or_else(|| serde_json::from_str::<Vec<PlainResource<'_>>>(text).ok());
    if let Some(items) = plain {
        return items
            .into_iter()
            .map(|res| {
                resource(
                    res.arn.map(Cow::Borrowed),
                    res.type_name.map(Cow::Borrowed),
                    res.account_id.map(Cow::Borrowed),
                )
            })
            .collect();
    }
    match serde_json::from_str::<Arr<Obj<CtResource<'_>>>>(text) {
        Ok(Arr(items)) => items
            .into_iter()
            .filter_map(|o| o.0)
            .map(|mut res| resource(res.arn.take(), res.type_name.take(), res.account_id.take()))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The usual `resources` array read by hand: objects whose members are strings without
/// escapes or null, each name at most once. `None` for anything else (an escape, a number, a
/// nested value, a repeated name), which the serde parses then read. `text` is one valid JSON
/// value (the validating pass checked it), so this only follows its structure: a third of
/// the cost of `serde_json`'s strict parse of the same array.
fn plain_resources(text: &str) -> Option<Vec<PlainResource<'_>>> {
    let bytes = text.as_bytes();
    let ws = |mut pos: usize| {
        while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
            pos += 1;
        }
        pos
    };
    // The string whose opening quote is at `pos`: its contents and the index past it;
    // `None` if it holds an escape.
    let string = |pos: usize| -> Option<(&str, usize)> {
        let body = pos + 1;
        let end = body + memchr::memchr2(b'"', b'\\', bytes.get(body..)?)?;
        (bytes.get(end) == Some(&b'"')).then_some(())?;
        Some((text.get(body..end)?, end + 1))
    };
    let mut items = Vec::new();
    let mut pos = ws(0);
    (bytes.get(pos) == Some(&b'[')).then_some(())?;
    pos = ws(pos + 1);
    if bytes.get(pos) == Some(&b']') {
        return (ws(pos + 1) == bytes.len()).then_some(items);
    }
    loop {
        (bytes.get(pos) == Some(&b'{')).then_some(())?;
        pos = ws(pos + 1);
        let mut item = PlainResource {
            arn: None,
            type_name: None,
            account_id: None,
        };
        let mut seen = [false; 3];
        if bytes.get(pos) == Some(&b'}') {
            pos += 1;
        } else {
            loop {
                (bytes.get(pos) == Some(&b'"')).then_some(())?;
                let (name, after) = string(pos)?;
                pos = ws(after);
                (bytes.get(pos) == Some(&b':')).then_some(())?;
                pos = ws(pos + 1);
                let value = match bytes.get(pos)? {
                    b'"' => {
                        let (value, after) = string(pos)?;
                        pos = after;
                        Some(value)
                    }
                    b'n' if bytes.get(pos..pos + 4) == Some(b"null") => {
                        pos += 4;
                        None
                    }
                    _ => return None,
                };
                let (at, field) = match name {
                    "ARN" | "arn" => (0, &mut item.arn),
                    "type" => (1, &mut item.type_name),
                    "accountId" => (2, &mut item.account_id),
                    _ => (usize::MAX, &mut None),
                };
                if let Some(seen) = seen.get_mut(at) {
                    if std::mem::replace(seen, true) {
                        return None;
                    }
                    *field = value;
                }
                pos = ws(pos);
                match bytes.get(pos)? {
                    b',' => pos = ws(pos + 1),
                    b'}' => {
                        pos += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        items.push(item);
        pos = ws(pos);
        match bytes.get(pos)? {
            b',' => pos = ws(pos + 1),
            b']' => return (ws(pos + 1) == bytes.len()).then_some(items),
            _ => return None,
        }
    }
}

fn authentication<'a>(event: &mut Event<'a>, r: &Record<'a>, actor_user: User<'a>, name: &str) {
    let request: RequestParameters<'a> = sub(r.request_parameters);
    let mut response: ResponseElements<'a> = sub(r.response_elements);
    let mut extra: AdditionalEventData<'a> = sub(r.additional_event_data);
    if let Some(outcome) = response.console_login.get() {
        if outcome.eq_ignore_ascii_case("Success") {
            event.set_status(ocsf::status::SUCCESS);
        } else if outcome.eq_ignore_ascii_case("Failure") {
            event.set_status(ocsf::status::FAILURE);
        }
    }
    event.is_mfa = yes_no(extra.mfa_used.get());
    if let Some(login_to) = extra.login_to.take() {
        event.dst_endpoint = Some(Box::new(Endpoint {
            svc_name: Some(login_to),
            ..Endpoint::default()
        }));
    }
    if name.starts_with("AssumeRole") {
        let mut request = request;
        event.user = Some(Box::new(User {
            uid: request.role_arn.take(),
            name: request.role_session_name.take(),
            ..User::default()
        }));
        let mut role_user = response.assumed_role_user.0.take().unwrap_or_default();
        let credential = response
            .credentials
            .0
            .as_mut()
            .and_then(|c| c.access_key_id.take());
        let session = Session {
            uid: role_user.arn.take(),
            credential_uid: credential,
            is_mfa: event.is_mfa,
            ..Session::default()
        };
        if session != Session::default() {
            event.session = Some(Box::new(session));
        }
    } else {
        let mut user = actor_user;
        if user.name.is_none() {
            user.name = extra.user_name.take();
        }
        event.user = Some(Box::new(user));
    }
}

fn account_change<'a>(event: &mut Event<'a>, r: &Record<'a>, actor_user: User<'a>, name: &str) {
    let mut request: RequestParameters<'a> = sub(r.request_parameters);
    let mut response: ResponseElements<'a> = sub(r.response_elements);
    if name == "UpdateAccessKey" {
        match request.status.get() {
            Some(s) if s.eq_ignore_ascii_case("Active") => event.set_activity(2),
            Some(s) if s.eq_ignore_ascii_case("Inactive") => event.set_activity(5),
            _ => {}
        }
    }
    let mut target = response
        .user
        .0
        .take()
        .or_else(|| response.role.0.take())
        .unwrap_or_default();
    let target_name = request
        .user_name
        .take()
        .or_else(|| request.role_name.take())
        .or_else(|| target.name.take())
        .or_else(|| response.access_key.0.as_mut().and_then(|k| k.name.take()));
    let user = if target_name.is_none() && target.arn.get().is_none() {
        // The actor changed itself (ChangePassword, EnableMFADevice without a user name).
        actor_user
    } else {
        User {
            name: target_name,
            uid: target.arn.take(),
            uid_alt: target.id.take(),
            ..User::default()
        }
    };
    event.user = Some(Box::new(user));
    if let Some(group) = request.group_name.take() {
        event.user.get_or_insert_with(Box::default).groups = vec![logsec_event::Group {
            name: Some(group),
            uid: None,
        }];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logsec_event::{FieldPath, FieldValue};

    fn event(text: &str) -> Event<'_> {
        parse(text).expect_event()
    }

    const ASSUMED_ROLE_API: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROA:alice","arn":"arn:aws:sts::111122223333:assumed-role/Admin/alice","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/Admin","userName":"Admin"},"attributes":{"creationDate":"2023-07-19T21:11:57Z","mfaAuthenticated":"true"}}},"eventTime":"2023-07-19T21:17:28Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.10","userAgent":"aws-cli/2.13.5","requestParameters":{"instanceType":"t3.micro"},"responseElements":null,"requestID":"req-1","eventID":"ev-1","eventType":"AwsApiCall","apiVersion":"2016-11-15","recipientAccountId":"111122223333","vpcEndpointId":"vpce-123","resources":[{"ARN":"arn:aws:ec2:us-east-1:111122223333:instance/i-1","type":"AWS::EC2::Instance","accountId":"111122223333"}]}"#;

    #[test]
    fn api_call_maps_to_api_activity_with_actor_session_and_cloud() {
        let e = event(ASSUMED_ROLE_API);
        assert_eq!((e.class_uid, e.activity_id, e.type_uid), (6003, 1, 600301));
        assert_eq!(e.time, 1_689_801_448_000);
        assert_eq!(e.status_id, ocsf::status::SUCCESS);
        let actor = e.actor.as_ref().unwrap();
        let user = actor.user.as_ref().unwrap();
        assert_eq!(user.type_name.as_deref(), Some("AssumedRole"));
        assert_eq!(user.type_id, Some(1));
        assert_eq!(
            user.uid.as_deref(),
            Some("arn:aws:sts::111122223333:assumed-role/Admin/alice")
        );
        assert_eq!(user.uid_alt.as_deref(), Some("AROA:alice"));
        assert_eq!(user.name.as_deref(), Some("Admin"));
        assert_eq!(
            user.account.as_ref().unwrap().uid.as_deref(),
            Some("111122223333")
        );
        let session = actor.session.as_ref().unwrap();
        assert_eq!(
            session.issuer.as_deref(),
            Some("arn:aws:iam::111122223333:role/Admin")
        );
        assert_eq!(session.is_mfa, Some(true));
        assert_eq!(session.created_time, Some(1_689_801_117_000));
        assert_eq!(session.credential_uid.as_deref(), Some("ASIAEXAMPLE"));
        let src = e.src_endpoint.as_ref().unwrap();
        assert_eq!(src.ip.unwrap().to_string(), "192.0.2.10");
        assert_eq!(src.uid.as_deref(), Some("vpce-123"));
        let api = e.api.as_ref().unwrap();
        assert_eq!(api.operation, "RunInstances");
        assert_eq!(
            api.service.as_ref().unwrap().name.as_deref(),
            Some("ec2.amazonaws.com")
        );
        assert_eq!(api.request.as_ref().unwrap().uid, "req-1");
        assert_eq!(api.version.as_deref(), Some("2016-11-15"));
        let cloud = e.cloud.as_ref().unwrap();
        assert_eq!(cloud.provider, "AWS");
        assert_eq!(cloud.region.as_deref(), Some("us-east-1"));
        assert_eq!(e.metadata.uid.as_deref(), Some("ev-1"));
        assert_eq!(e.metadata.original_event_uid.as_deref(), Some("ev-1"));
        assert_eq!(e.metadata.event_code.as_deref(), Some("RunInstances"));
        assert_eq!(e.metadata.product.version.as_deref(), Some("1.08"));
        assert_eq!(e.metadata.log_name.as_deref(), Some("AwsApiCall"));
        assert_eq!(e.resources.len(), 1);
        assert_eq!(
            e.resources[0].type_name.as_deref(),
            Some("AWS::EC2::Instance")
        );
        assert_eq!(
            e.http_request.as_ref().unwrap().user_agent.as_deref(),
            Some("aws-cli/2.13.5")
        );
        // The raw record is the input slice itself.
        assert!(std::ptr::eq(e.raw.as_str(), ASSUMED_ROLE_API));
        let path = FieldPath::parse("raw.requestParameters.instanceType").unwrap();
        assert_eq!(e.get(&path), FieldValue::Str("t3.micro".into()));
    }

    #[test]
    fn strings_borrow_from_the_input() {
        let e = event(ASSUMED_ROLE_API);
        assert!(matches!(
            e.api.as_ref().unwrap().operation,
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            e.cloud.as_ref().unwrap().region,
            Some(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn verbs_map_to_api_activities() {
        assert_eq!(api_activity_for_verb("CreateBucket", false), 1);
        assert_eq!(api_activity_for_verb("GetObject", false), 2);
        assert_eq!(api_activity_for_verb("DescribeInstances", false), 2);
        assert_eq!(api_activity_for_verb("PutBucketPolicy", false), 3);
        assert_eq!(api_activity_for_verb("StopLogging", false), 3);
        assert_eq!(api_activity_for_verb("DeleteTrail", false), 4);
        assert_eq!(api_activity_for_verb("TerminateInstances", false), 4);
        assert_eq!(api_activity_for_verb("AddressSomething", false), 99);
        assert_eq!(api_activity_for_verb("Publish", false), 99);
        assert_eq!(api_activity_for_verb("pods.create", true), 99);
        assert_eq!(api_activity_for_verb("create", true), 1);
        assert_eq!(api_activity_for_verb("deletecollection", true), 99);
    }

    #[test]
    fn iam_mutations_are_account_changes() {
        assert_eq!(
            classify("CreateUser", Some("iam.amazonaws.com")),
            Class::AccountChange(1)
        );
        assert_eq!(
            classify("ChangePassword", Some("iam.amazonaws.com")),
            Class::AccountChange(3)
        );
        assert_eq!(classify("AttachUserPolicy", None), Class::AccountChange(7));
        assert_eq!(classify("DetachRolePolicy", None), Class::AccountChange(8));
        assert_eq!(classify("DeleteAccessKey", None), Class::AccountChange(6));
        assert_eq!(classify("EnableMFADevice", None), Class::AccountChange(10));
        assert_eq!(
            classify("DeactivateMFADevice", None),
            Class::AccountChange(11)
        );
        // Same name, other service: an ordinary API call.
        assert_eq!(
            classify("CreateUser", Some("transfer.amazonaws.com")),
            Class::Api(1)
        );
        assert_eq!(
            classify("ConsoleLogin", Some("signin.amazonaws.com")),
            Class::Authentication(1)
        );
        assert_eq!(
            classify("AssumeRoleWithSAML", None),
            Class::Authentication(1)
        );
    }

    #[test]
    fn console_login_failure_is_a_failed_logon_with_mfa_and_target_user() {
        let text = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA1","arn":"arn:aws:iam::1:user/bob","accountId":"1","userName":"bob"},"eventTime":"2023-04-11T15:24:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"1.2.3.4","errorMessage":"Failed authentication","responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com","MFAUsed":"No"},"eventID":"e","eventType":"AwsConsoleSignIn"}"#;
        let e = event(text);
        assert_eq!((e.class_uid, e.activity_id), (3002, 1));
        assert_eq!(e.status_id, ocsf::status::FAILURE);
        assert_eq!(e.status.as_deref(), Some("Failure"));
        assert_eq!(e.status_detail.as_deref(), Some("Failed authentication"));
        assert_eq!(e.is_mfa, Some(false));
        assert_eq!(e.user.as_ref().unwrap().name.as_deref(), Some("bob"));
        assert_eq!(
            e.dst_endpoint.as_ref().unwrap().svc_name.as_deref(),
            Some("https://console.aws.amazon.com")
        );
        let ok = text
            .replace("\"Failure\"", "\"Success\"")
            .replace("\"errorMessage\":\"Failed authentication\",", "");
        assert_eq!(event(&ok).status_id, ocsf::status::SUCCESS);
    }

    #[test]
    fn assume_role_targets_the_role_and_records_the_new_session() {
        let text = r#"{"eventName":"AssumeRole","eventSource":"sts.amazonaws.com","eventTime":"2023-01-01T00:00:00Z","userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"},"sourceIPAddress":"ec2.amazonaws.com","requestParameters":{"roleArn":"arn:aws:iam::1:role/R","roleSessionName":"i-123"},"responseElements":{"credentials":{"accessKeyId":"ASIANEW"},"assumedRoleUser":{"arn":"arn:aws:sts::1:assumed-role/R/i-123","assumedRoleId":"AROA:i-123"}}}"#;
        let e = event(text);
        assert_eq!(e.class_uid, 3002);
        let user = e.user.as_ref().unwrap();
        assert_eq!(user.uid.as_deref(), Some("arn:aws:iam::1:role/R"));
        assert_eq!(user.name.as_deref(), Some("i-123"));
        let session = e.session.as_ref().unwrap();
        assert_eq!(session.credential_uid.as_deref(), Some("ASIANEW"));
        assert_eq!(
            session.uid.as_deref(),
            Some("arn:aws:sts::1:assumed-role/R/i-123")
        );
        let actor = e.actor.as_ref().unwrap();
        assert_eq!(actor.app_name.as_deref(), Some("ec2.amazonaws.com"));
        assert_eq!(actor.user.as_ref().unwrap().type_id, Some(4));
        // A service name is not an IP: it becomes the source domain.
        let src = e.src_endpoint.as_ref().unwrap();
        assert_eq!(src.ip, None);
        assert_eq!(src.domain.as_deref(), Some("ec2.amazonaws.com"));
    }

    #[test]
    fn account_change_targets_the_changed_user() {
        let text = r#"{"eventName":"CreateAccessKey","eventSource":"iam.amazonaws.com","eventTime":"2023-01-01T00:00:00Z","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root","accountId":"1"},"requestParameters":{"userName":"mallory"},"responseElements":{"accessKey":{"userName":"mallory","accessKeyId":"AKIA"}}}"#;
        let e = event(text);
        assert_eq!((e.class_uid, e.activity_id), (3001, 1));
        assert_eq!(e.user.as_ref().unwrap().name.as_deref(), Some("mallory"));
        assert_eq!(
            e.actor.as_ref().unwrap().user.as_ref().unwrap().type_id,
            Some(2)
        );
        let disable = r#"{"eventName":"UpdateAccessKey","eventSource":"iam.amazonaws.com","requestParameters":{"userName":"u","status":"Inactive"}}"#;
        assert_eq!(event(disable).activity_id, 5);
        let self_change = r#"{"eventName":"ChangePassword","eventSource":"iam.amazonaws.com","userIdentity":{"type":"IAMUser","userName":"carol","arn":"arn:aws:iam::1:user/carol"}}"#;
        let e = event(self_change);
        assert_eq!(e.activity_id, 3);
        assert_eq!(e.user.as_ref().unwrap().name.as_deref(), Some("carol"));
    }

    #[test]
    fn errors_fail_the_event() {
        let text = r#"{"eventName":"UpdateTrail","eventSource":"cloudtrail.amazonaws.com","errorCode":"TrailNotFoundException","errorMessage":"Unknown trail"}"#;
        let e = event(text);
        assert_eq!(e.status_id, ocsf::status::FAILURE);
        assert_eq!(e.status_code.as_deref(), Some("TrailNotFoundException"));
        let response = e.api.as_ref().unwrap().response.as_ref().unwrap();
        assert_eq!(response.error.as_deref(), Some("TrailNotFoundException"));
        assert_eq!(response.message.as_deref(), Some("Unknown trail"));
        assert_eq!(e.activity_id, 3);
    }

    #[test]
    fn wrong_types_do_not_reject_and_logstash_timestamps_are_used() {
        let text = r#"{"eventName":"ListBuckets","userIdentity":"weird","readOnly":"true","resources":"none","requestParameters":"x","@timestamp":"2020-09-14T00:44:23.000Z","awsRegion":5}"#;
        let e = event(text);
        assert_eq!(e.activity_id, 2);
        assert_eq!(e.time, 1_600_044_263_000);
        assert_eq!(e.cloud.as_ref().unwrap().region.as_deref(), Some("5"));
        assert!(e.resources.is_empty());
    }

    #[test]
    fn envelopes_and_digests_are_recognized() {
        assert!(matches!(
            parse(r#"{"Records":[{"eventName":"A"}]}"#),
            Outcome::Envelope(crate::document::Envelope::Records(_))
        ));
        assert!(matches!(
            parse(
                r#"{"version":"0","detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"A"}}"#
            ),
            Outcome::Envelope(crate::document::Envelope::Inner(_))
        ));
        assert!(matches!(
            parse(r#"{"rule_id":"R","log":{"eventName":"A"}}"#),
            Outcome::Envelope(crate::document::Envelope::Inner(_))
        ));
        assert!(matches!(
            parse(
                r#"{"awsAccountId":"1","digestS3Bucket":"b","digestPublicKeyFingerprint":"f","logFiles":[]}"#
            ),
            Outcome::Skip(_)
        ));
        assert!(matches!(parse("[1,2]"), Outcome::Reject(_)));
        assert!(matches!(parse(r#"{"eventName":"#), Outcome::Reject(_)));
    }

    #[test]
    fn insights_events_are_api_activity_other() {
        let text = r#"{"eventVersion":"1.08","eventTime":"2023-01-01T00:00:00Z","awsRegion":"us-east-1","eventID":"i","eventType":"AwsCloudTrailInsight","recipientAccountId":"1","sharedEventID":"s","insightDetails":{"state":"Start","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","insightType":"ApiCallRateInsight"},"eventCategory":"Insight"}"#;
        let e = event(text);
        assert_eq!((e.class_uid, e.activity_id), (6003, 99));
        assert_eq!(e.message.as_deref(), Some("CloudTrail Insights event"));
    }
    /// What the member reader makes of `text` (cut into members as a deferred record is),
    /// checked to be what the text parse makes of it; `None` when the typed read fails.
    fn via_members(text: &str) -> Option<Outcome<'_>> {
        let raw = RawRecord::json(text);
        let members = raw.members().expect("a JSON object is cut into members");
        let outcome = parse_members(members, text)?;
        let again = parse_members(raw.members().unwrap(), text).unwrap();
        assert_eq!(again.render(), parse(text).render(), "{text}");
        Some(outcome)
    }

    fn event_via_members(text: &str) -> Event<'_> {
        via_members(text)
            .expect("typed read succeeds")
            .expect_event()
    }

    #[test]
    fn members_give_the_events_of_the_text_parse() {
        let records = [
            ASSUMED_ROLE_API,
            r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA1","arn":"arn:aws:iam::1:user/bob","accountId":"1","userName":"bob"},"eventTime":"2023-04-11T15:24:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"1.2.3.4","errorMessage":"Failed authentication","responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com","MFAUsed":"No"},"eventID":"e","eventType":"AwsConsoleSignIn"}"#,
            r#"{"eventName":"AssumeRole","eventSource":"sts.amazonaws.com","eventTime":"2023-01-01T00:00:00Z","userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"},"sourceIPAddress":"ec2.amazonaws.com","requestParameters":{"roleArn":"arn:aws:iam::1:role/R","roleSessionName":"i-123"},"responseElements":{"credentials":{"accessKeyId":"ASIANEW"},"assumedRoleUser":{"arn":"arn:aws:sts::1:assumed-role/R/i-123","assumedRoleId":"AROA:i-123"}}}"#,
            r#"{"eventName":"CreateAccessKey","eventSource":"iam.amazonaws.com","eventTime":"2023-01-01T00:00:00Z","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root","accountId":"1"},"requestParameters":{"userName":"mallory"},"responseElements":{"accessKey":{"userName":"mallory","accessKeyId":"AKIA"}}}"#,
            r#"{"eventName":"UpdateTrail","eventSource":"cloudtrail.amazonaws.com","errorCode":"TrailNotFoundException","errorMessage":"Unknown trail"}"#,
            "{}",
        ];
        let classes: Vec<(u32, u32)> = records
            .iter()
            .map(|text| {
                let e = event_via_members(text);
                (e.class_uid, e.activity_id)
            })
            .collect();
        assert_eq!(
            classes,
            [
                (6003, 1),
                (3002, 1),
                (3002, 1),
                (3001, 1),
                (6003, 3),
                (6003, 99)
            ]
        );
        let e = event_via_members(ASSUMED_ROLE_API);
        assert_eq!(
            e.resources[0].uid.as_deref(),
            Some("arn:aws:ec2:us-east-1:111122223333:instance/i-1")
        );
        assert!(std::ptr::eq(e.raw.as_str(), ASSUMED_ROLE_API));
        // Plain strings are borrowed from the record, as the text parse borrows them.
        assert!(matches!(
            e.api.as_ref().unwrap().operation,
            Cow::Borrowed(_)
        ));
        let login = event_via_members(records[1]);
        assert_eq!(login.status_id, ocsf::status::FAILURE);
        assert_eq!(login.is_mfa, Some(false));
        let assume = event_via_members(records[2]);
        assert_eq!(
            assume.session.as_ref().unwrap().credential_uid.as_deref(),
            Some("ASIANEW")
        );
    }

    #[test]
    fn members_unescape_names_and_strings() {
        let text = r#"{"event\u004eame":"Get\u004fbject","eventSource":"s3.amazonaws.com","userAgent":"a \"quoted\" agent\/1","awsRegion":"eu-west-1","userIdentity":{"type":"IAMUser","user\u004eame":"b\u00f6b"},"requestParameters":{"bucketName":"b\"k"}}"#;
        let e = event_via_members(text);
        assert_eq!(e.api.as_ref().unwrap().operation, "GetObject");
        assert_eq!(
            e.http_request.as_ref().unwrap().user_agent.as_deref(),
            Some(r#"a "quoted" agent/1"#)
        );
        let user = e.actor.as_ref().unwrap().user.as_ref().unwrap();
        assert_eq!(user.name.as_deref(), Some("böb"));
        assert_eq!(e.activity_id, 2);
    }

    #[test]
    fn repeated_members_fail_the_member_read_and_reject_as_the_text_parse_does() {
        for text in [
            r#"{"eventName":"GetObject","eventName":"PutObject"}"#,
            r#"{"eventName":"GetObject","eventname":"PutObject"}"#,
            r#"{"eventName":"GetObject","event\u004eame":"PutObject"}"#,
            r#"{"requestParameters":{},"eventName":"A","requestParameters":null}"#,
        ] {
            assert!(via_members(text).is_none(), "{text}");
            let raw = RawRecord::json(text);
            let outcome = crate::document::parse_members(
                SourceFormat::Cloudtrail,
                raw.members().unwrap(),
                text,
            );
            let reason = outcome.render();
            assert!(
                reason.starts_with("reject: malformed CloudTrail record: duplicate field `"),
                "{reason}"
            );
            assert!(reason.contains(" at line 1 column "), "{reason}");
            assert_eq!(reason, parse(text).render());
        }
        // A member the record does not read may repeat.
        let e =
            event_via_members(r#"{"readOnly":true,"readOnly":false,"eventName":"ListBuckets"}"#);
        assert_eq!(e.activity_id, 2);
    }

    #[test]
    fn null_members_are_absent() {
        let text = r#"{"eventName":"ConsoleLogin","userIdentity":null,"requestParameters":null,"responseElements":null,"additionalEventData":null,"resources":null,"errorCode":null,"awsRegion":null,"eventTime":null,"@timestamp":"2020-09-14T00:44:23.000Z"}"#;
        let e = event_via_members(text);
        assert_eq!((e.class_uid, e.activity_id), (3002, 1));
        assert_eq!(e.status_id, ocsf::status::SUCCESS);
        assert_eq!(e.cloud.as_ref().unwrap().region, None);
        assert_eq!(e.time, 1_600_044_263_000);
        assert!(e.resources.is_empty());
        assert_eq!(e.actor.as_ref().unwrap().user, None);
    }

    #[test]
    fn resources_of_every_shape_are_read() {
        let uids = |resources: &str| {
            let text = format!(r#"{{"eventName":"GetObject","resources":{resources}}}"#);
            let e = event_via_members(&text);
            e.resources
                .iter()
                .map(|r| {
                    let account = r.owner.as_ref().and_then(|o| o.account.as_ref());
                    (
                        r.uid.as_deref().map(str::to_owned),
                        r.type_name.as_deref().map(str::to_owned),
                        account.and_then(|a| a.uid.as_deref()).map(str::to_owned),
                    )
                })
                .collect::<Vec<_>>()
        };
        let some = |s: &str| Some(s.to_owned());
        // The usual shape (the strict parse), the lower-case alias, absent members.
        assert_eq!(
            uids(r#"[{"ARN":"arn:a","type":"AWS::S3::Object","accountId":"1"},{"arn":"arn:b"}]"#),
            vec![
                (some("arn:a"), some("AWS::S3::Object"), some("1")),
                (some("arn:b"), None, None)
            ]
        );
        // Escapes, nulls, numbers and non-object elements (the lenient parse).
        assert_eq!(
            uids(r#"[{"ARN":"arn:a\/b","type":null,"accountId":12},3,null,{"type":"T"}]"#),
            vec![(some("arn:a/b"), None, some("12")), (None, some("T"), None)]
        );
        // Not an array, or a member named twice: no resources.
        assert!(uids(r#"{"ARN":"arn:a"}"#).is_empty());
        assert!(uids(r#"[{"ARN":"arn:a","arn":"arn:b"}]"#).is_empty());
    }

    #[test]
    fn the_hand_read_resources_are_the_strict_parse_or_nothing() {
        type Triple<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>);
        fn triples(v: Vec<PlainResource<'_>>) -> Vec<Triple<'_>> {
            v.into_iter()
                .map(|r| (r.arn, r.type_name, r.account_id))
                .collect()
        }
        let by_hand = |text| plain_resources(text).map(triples);
        let strict = |text| {
            serde_json::from_str::<Vec<PlainResource<'_>>>(text)
                .ok()
                .map(triples)
        };
        // Read by hand, as the strict parse reads them.
        for text in [
            "[]",
            " [ ] ",
            r#"[{}]"#,
            r#"[{"ARN":"arn:a","type":"AWS::S3::Object","accountId":"1"},{"arn":"arn:b"}]"#,
            "[ { \"type\" : \"T\" , \"ARN\" : null } ,\n {\"other\":\"x\",\"accountId\":\"2\"} ]",
        ] {
            assert!(by_hand(text).is_some(), "{text}");
            assert_eq!(by_hand(text), strict(text), "{text}");
        }
        assert_eq!(
            by_hand(r#"[{"type":"T","ARN":"a"},{"accountId":"9"}]"#),
            Some(vec![(Some("a"), Some("T"), None), (None, None, Some("9"))])
        );
        // Left to the serde parses: escapes, other values, repeated names, other shapes.
        for text in [
            r#"[{"ARN":"arn:a\/b"}]"#,
            r#"[{"ARN\u0041":"x"}]"#,
            r#"[{"accountId":12}]"#,
            r#"[{"other":{"a":1}}]"#,
            r#"[{"ARN":"a","arn":"b"}]"#,
            r#"[{"type":"a","type":"b"}]"#,
            r#"[3]"#,
            r#"[null]"#,
            r#"{"ARN":"a"}"#,
            r#"[{"ARN":"a"}] x"#,
        ] {
            assert_eq!(by_hand(text), None, "{text}");
        }
    }

    #[test]
    fn members_of_other_types_read_as_the_text_parse_reads_them() {
        let text = r#"{"eventName":"ListBuckets","awsRegion":5,"eventVersion":1.08,"sourceIPAddress":true,"errorCode":{"a":"b"},"errorMessage":[1,2],"recipientAccountId":123456789012,"eventID":-1.5e3,"userIdentity":"weird","resources":"none","requestParameters":7}"#;
        let e = event_via_members(text);
        assert_eq!(e.cloud.as_ref().unwrap().region.as_deref(), Some("5"));
        assert_eq!(e.metadata.product.version.as_deref(), Some("1.08"));
        assert_eq!(
            e.src_endpoint.as_ref().unwrap().domain.as_deref(),
            Some("true")
        );
        assert_eq!(e.status_id, ocsf::status::SUCCESS);
        assert_eq!(e.status_detail, None);
        let account = e.cloud.as_ref().unwrap().account.as_ref().unwrap();
        assert_eq!(account.uid.as_deref(), Some("123456789012"));
        assert_eq!(e.metadata.uid.as_deref(), Some("-1500"));
        assert!(e.resources.is_empty());
    }

    #[test]
    fn members_with_whitespace_around_them_read_as_the_text_parse_reads_them() {
        let text = "{ \"eventName\" : \"ConsoleLogin\" ,\n  \"responseElements\" :\t{ \"ConsoleLogin\" : \"Failure\" } ,\r\n  \"resources\" : [ { \"ARN\" : \"arn:x\" } , 3 ] }";
        let e = event_via_members(text);
        assert_eq!(e.status_id, ocsf::status::FAILURE);
        assert_eq!(e.resources.len(), 1);
        assert_eq!(e.resources[0].uid.as_deref(), Some("arn:x"));
    }

    #[test]
    fn members_recognize_envelopes_digests_and_insights() {
        let records = via_members(r#"{"Records":[{"eventName":"A"}]}"#).unwrap();
        assert_eq!(
            records.render(),
            r#"envelope Records(RawValue([{"eventName":"A"}]))"#
        );
        let bridge = via_members(
            r#"{"version":"0","detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"A"}}"#,
        )
        .unwrap();
        assert_eq!(
            bridge.render(),
            r#"envelope Inner(RawValue({"eventName":"A"}))"#
        );
        let digest = via_members(
            r#"{"awsAccountId":"1","digestS3Bucket":"b","digestPublicKeyFingerprint":"f","logFiles":[]}"#,
        )
        .unwrap();
        assert_eq!(digest.render(), "skip: CloudTrail digest file skipped");
        let insight = r#"{"eventVersion":"1.08","eventTime":"2023-01-01T00:00:00Z","awsRegion":"us-east-1","eventID":"i","eventType":"AwsCloudTrailInsight","recipientAccountId":"1","sharedEventID":"s","insightDetails":{"state":"Start","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","insightType":"ApiCallRateInsight"},"eventCategory":"Insight"}"#;
        let e = event_via_members(insight);
        assert_eq!((e.class_uid, e.activity_id), (6003, 99));
        assert_eq!(e.message.as_deref(), Some("CloudTrail Insights event"));
    }
}
