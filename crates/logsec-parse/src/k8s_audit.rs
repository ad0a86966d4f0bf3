//! Kubernetes audit (`audit.k8s.io/v1` Event, EventList) → OCSF API Activity 6003.
//!
//! Mapping per the ecosystem notes §1.5 (the ocsf/examples EKS mapping, with `list` and
//! `deletecollection` added); every decision is listed in `docs/mappings/k8s_audit.md`.

use std::borrow::Cow;

use logsec_event::{
    Actor, Api, ApiRequest, ApiResponse, Endpoint, Event, Group, HttpRequest, RawRecord, Resource,
    Service, Session, SourceFormat, Url, User, ocsf,
};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::document::{EnvelopeMembers, Outcome};
use crate::lenient::{Arr, LInt, LStr, Obj, parse_ip, parse_time_ms};
use crate::member_de::{MemberValue, from_members};

#[derive(Deserialize, Default)]
#[serde(default)]
struct AuditEvent<'a> {
    #[serde(borrow)]
    kind: LStr<'a>,
    #[serde(rename = "apiVersion", borrow)]
    api_version: LStr<'a>,
    #[serde(borrow)]
    level: LStr<'a>,
    #[serde(rename = "auditID", borrow)]
    audit_id: LStr<'a>,
    #[serde(borrow)]
    stage: LStr<'a>,
    #[serde(rename = "requestURI", borrow)]
    request_uri: LStr<'a>,
    #[serde(borrow)]
    verb: LStr<'a>,
    #[serde(borrow)]
    user: Obj<UserInfo<'a>>,
    #[serde(rename = "impersonatedUser", borrow)]
    impersonated_user: Obj<UserInfo<'a>>,
    #[serde(rename = "sourceIPs", borrow)]
    source_ips: Arr<LStr<'a>>,
    #[serde(rename = "userAgent", borrow)]
    user_agent: LStr<'a>,
    #[serde(rename = "objectRef", borrow)]
    object_ref: Obj<ObjectRef<'a>>,
    #[serde(rename = "responseStatus", borrow)]
    response_status: Obj<ResponseStatus<'a>>,
    #[serde(rename = "requestReceivedTimestamp", borrow)]
    request_received: LStr<'a>,
    #[serde(rename = "stageTimestamp", borrow)]
    stage_timestamp: LStr<'a>,
    /// Older (v1beta1) events and Falco's trace files carry `timestamp`.
    #[serde(borrow)]
    timestamp: LStr<'a>,
    #[serde(borrow)]
    annotations: Obj<Annotations<'a>>,
    // Envelope members.
    #[serde(borrow)]
    items: Option<&'a RawValue>,
    #[serde(rename = "messageType", borrow)]
    env_message_type: LStr<'a>,
    #[serde(rename = "logEvents", borrow)]
    env_log_events: Option<&'a RawValue>,
    #[serde(rename = "Records", alias = "records", borrow)]
    env_records: Option<&'a RawValue>,
    #[serde(borrow)]
    log: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UserInfo<'a> {
    #[serde(borrow)]
    username: LStr<'a>,
    #[serde(borrow)]
    uid: LStr<'a>,
    #[serde(borrow)]
    groups: Arr<LStr<'a>>,
    #[serde(borrow)]
    extra: Obj<UserExtra<'a>>,
}

/// EKS puts the AWS identity behind a Kubernetes user in `user.extra`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct UserExtra<'a> {
    #[serde(rename = "accessKeyId", borrow)]
    access_key_id: Arr<LStr<'a>>,
    #[serde(rename = "canonicalArn", borrow)]
    canonical_arn: Arr<LStr<'a>>,
    #[serde(rename = "sessionName", borrow)]
    session_name: Arr<LStr<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ObjectRef<'a> {
    #[serde(borrow)]
    resource: LStr<'a>,
    #[serde(borrow)]
    subresource: LStr<'a>,
    #[serde(borrow)]
    namespace: LStr<'a>,
    #[serde(borrow)]
    name: LStr<'a>,
    #[serde(borrow)]
    uid: LStr<'a>,
    #[serde(rename = "apiGroup", borrow)]
    api_group: LStr<'a>,
    #[serde(rename = "apiVersion", borrow)]
    api_version: LStr<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResponseStatus<'a> {
    code: LInt,
    #[serde(borrow)]
    status: LStr<'a>,
    #[serde(borrow)]
    reason: LStr<'a>,
    #[serde(borrow)]
    message: LStr<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Annotations<'a> {
    #[serde(rename = "authorization.k8s.io/decision", borrow)]
    decision: LStr<'a>,
    #[serde(rename = "authorization.k8s.io/reason", borrow)]
    reason: LStr<'a>,
}

/// API Activity's activity for a Kubernetes verb.
pub(crate) fn activity_for_verb(verb: &str) -> u32 {
    match verb {
        "create" => 1,
        "get" | "list" | "watch" => 2,
        "update" | "patch" => 3,
        "delete" | "deletecollection" => 4,
        "" => 0,
        _ => 99,
    }
}

fn first<'a>(items: &mut Arr<LStr<'a>>) -> Option<Cow<'a, str>> {
    items.0.iter_mut().find_map(LStr::take)
}

/// Parses one audit event (or recognizes an EventList or another envelope).
pub(crate) fn parse(text: &str) -> Outcome<'_> {
    if let Some(reject) = crate::document::expect_object(text, "Kubernetes audit event") {
        return reject;
    }
    match serde_json::from_str(text) {
        Ok(a) => outcome(a, text),
        Err(err) => Outcome::Reject(format!("malformed Kubernetes audit event: {err}")),
    }
}

/// What [`parse`] makes of the audit event `text`, read from its top-level members as the
/// validating pass cut them (name, value text; see [`crate::member_de`]) instead of from the
/// text; `None` when the typed read fails (a repeated member): [`parse`] then gives the
/// reject, with its position.
pub(crate) fn parse_members<'n, 'a, V: MemberValue<'n, 'a>>(
    members: impl Iterator<Item = (&'n str, V)>,
    text: &'a str,
) -> Option<Outcome<'a>> {
    from_members(members).ok().map(|a| outcome(a, text))
}

/// What a parsed audit event is: an envelope or an event.
fn outcome<'a>(mut a: AuditEvent<'a>, text: &'a str) -> Outcome<'a> {
    let envelope = EnvelopeMembers {
        records: a.items.take().or(a.env_records.take()),
        message_type: std::mem::take(&mut a.env_message_type),
        log_events: a.env_log_events.take(),
        lookup_events: None,
        inner: a.log.take(),
    };
    if let Some(envelope) = envelope.envelope() {
        return Outcome::Envelope(envelope);
    }
    Outcome::Event(normalize(a, text))
}

fn normalize<'a>(mut a: AuditEvent<'a>, text: &'a str) -> Box<Event<'a>> {
    let verb = a.verb.take().unwrap_or_default();
    let mut event = Event::new_boxed(
        &ocsf::API_ACTIVITY,
        activity_for_verb(&verb),
        SourceFormat::K8sAudit,
    );
    let stage_time = a.stage_timestamp.get().and_then(parse_time_ms);
    let received = a.request_received.get().and_then(parse_time_ms);
    event.time = stage_time
        .or(received)
        .or_else(|| a.timestamp.get().and_then(parse_time_ms))
        .unwrap_or(0);
    event.start_time = received;
    event.message = a.stage.take();
    event.metadata.uid = a.audit_id.cloned();
    event.metadata.original_event_uid = a.audit_id.cloned();
    event.metadata.log_name = a.kind.take();
    event.metadata.product.version = a.api_version.take();
    event.metadata.event_code = Some(verb.clone());

    // Status: an HTTP error code wins, then the authorization decision.
    let mut status = a.response_status.0.take().unwrap_or_default();
    let mut annotations = a.annotations.0.take().unwrap_or_default();
    let code = status.code.0;
    let decision = annotations.decision.get().map(str::to_ascii_lowercase);
    let status_id = match (code, decision.as_deref()) {
        (Some(code), _) if code >= 400 => ocsf::status::FAILURE,
        (_, Some("forbid")) => ocsf::status::FAILURE,
        (Some(_), _) | (_, Some("allow")) => ocsf::status::SUCCESS,
        _ => ocsf::status::UNKNOWN,
    };
    event.set_status(status_id);
    event.status_code = code.map(|c| Cow::Owned(c.to_string()));
    event.status_detail = status
        .message
        .cloned()
        .or_else(|| annotations.reason.take());

    // Actor.
    let mut user_info = a.user.0.take().unwrap_or_default();
    let mut extra = user_info.extra.0.take().unwrap_or_default();
    let user = User {
        name: user_info.username.take(),
        uid: user_info.uid.take(),
        groups: user_info
            .groups
            .0
            .iter_mut()
            .filter_map(LStr::take)
            .map(|name| Group {
                name: Some(name),
                uid: None,
            })
            .collect(),
        ..User::default()
    };
    let session = Session {
        credential_uid: first(&mut extra.access_key_id),
        issuer: first(&mut extra.canonical_arn),
        uid: first(&mut extra.session_name),
        ..Session::default()
    };
    event.actor = Some(Box::new(Actor {
        user: Some(user),
        session: (session != Session::default()).then_some(session),
        ..Actor::default()
    }));
    if let Some(mut target) = a.impersonated_user.0.take() {
        event.user = Some(Box::new(User {
            name: target.username.take(),
            uid: target.uid.take(),
            ..User::default()
        }));
    }

    // Where from.
    let mut ips = a
        .source_ips
        .0
        .iter()
        .filter_map(|s| s.get().and_then(parse_ip));
    if let Some(ip) = ips.next() {
        event.src_endpoint = Some(Box::new(Endpoint {
            ip: Some(ip),
            intermediate_ips: ips.collect(),
            ..Endpoint::default()
        }));
    }
    let uri = a.request_uri.take();
    let url = uri.as_ref().map(|uri| {
        let (path, query) = match uri.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (uri.as_ref(), None),
        };
        Url {
            path: Some(Cow::Owned(path.to_owned())),
            query_string: query.map(|q| Cow::Owned(q.to_owned())),
            url_string: Some(uri.clone()),
            ..Url::default()
        }
    });
    let url = match (url, &uri) {
        // Borrow the path when there is no query string (the common case).
        (Some(mut url), Some(Cow::Borrowed(full))) if url.query_string.is_none() => {
            url.path = Some(Cow::Borrowed(full));
            Some(url)
        }
        (url, _) => url,
    };
    event.http_request = Some(Box::new(HttpRequest {
        http_method: None,
        url,
        user_agent: a.user_agent.take(),
        ..HttpRequest::default()
    }));

    // What on.
    let mut object = a.object_ref.0.take().unwrap_or_default();
    let resource_type = match (object.resource.take(), object.subresource.get()) {
        (Some(resource), Some(sub)) => Some(Cow::Owned(format!("{resource}/{sub}"))),
        (resource, _) => resource,
    };
    let group = object.api_group.take();
    let version = object.api_version.take();
    if resource_type.is_some() || object.name.get().is_some() {
        event.resources = vec![Resource {
            type_name: resource_type,
            name: object.name.take(),
            uid: object.uid.take(),
            namespace: object.namespace.take(),
            ..Resource::default()
        }];
    }
    event.api = Some(Box::new(Api {
        operation: Cow::Owned(verb.into_owned()),
        service: Some(Service {
            name: Some(Cow::Borrowed("kube-apiserver")),
        }),
        request: a.audit_id.take().map(|uid| ApiRequest { uid }),
        response: (code.is_some() || status.message.get().is_some()).then(|| ApiResponse {
            code,
            error: status.reason.take(),
            error_message: status.status.take(),
            message: status.message.take(),
        }),
        group: group.map(|name| Group {
            name: Some(name),
            uid: None,
        }),
        version,
    }));
    event.raw = RawRecord::json_validated(text);
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(text: &str) -> Event<'_> {
        parse(text).expect_event()
    }

    const EXEC: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"57a7","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/foo/pods/p/exec?command=sh","verb":"create","user":{"username":"alice","uid":"u-1","groups":["system:masters","system:authenticated"]},"sourceIPs":["192.168.49.1","10.0.0.1"],"userAgent":"kubectl/v1.26.0","objectRef":{"resource":"pods","namespace":"foo","name":"p","apiVersion":"v1","subresource":"exec"},"responseStatus":{"metadata":{},"code":101},"requestReceivedTimestamp":"2023-01-16T12:56:17.190311Z","stageTimestamp":"2023-01-16T12:56:18.234486Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}"#;

    #[test]
    fn exec_maps_to_api_activity_create() {
        let e = event(EXEC);
        assert_eq!((e.class_uid, e.activity_id), (6003, 1));
        assert_eq!(e.status_id, ocsf::status::SUCCESS);
        assert_eq!(e.time, 1_673_873_778_234);
        assert_eq!(e.start_time, Some(1_673_873_777_190));
        let user = e.actor.as_ref().unwrap().user.as_ref().unwrap();
        assert_eq!(user.name.as_deref(), Some("alice"));
        assert_eq!(user.groups.len(), 2);
        let src = e.src_endpoint.as_ref().unwrap();
        assert_eq!(src.ip.unwrap().to_string(), "192.168.49.1");
        assert_eq!(src.intermediate_ips.len(), 1);
        let url = e.http_request.as_ref().unwrap().url.as_ref().unwrap();
        assert_eq!(
            url.path.as_deref(),
            Some("/api/v1/namespaces/foo/pods/p/exec")
        );
        assert_eq!(url.query_string.as_deref(), Some("command=sh"));
        assert_eq!(e.resources[0].type_name.as_deref(), Some("pods/exec"));
        assert_eq!(e.resources[0].namespace.as_deref(), Some("foo"));
        assert_eq!(e.api.as_ref().unwrap().operation, "create");
        assert_eq!(
            e.api.as_ref().unwrap().request.as_ref().unwrap().uid,
            "57a7"
        );
        assert_eq!(e.metadata.original_event_uid.as_deref(), Some("57a7"));
    }

    #[test]
    fn verbs_map_to_activities() {
        assert_eq!(activity_for_verb("list"), 2);
        assert_eq!(activity_for_verb("watch"), 2);
        assert_eq!(activity_for_verb("patch"), 3);
        assert_eq!(activity_for_verb("deletecollection"), 4);
        assert_eq!(activity_for_verb("impersonate"), 99);
    }

    #[test]
    fn forbidden_or_error_codes_fail() {
        let forbid = EXEC.replace("\"allow\"", "\"forbid\"");
        assert_eq!(event(&forbid).status_id, ocsf::status::FAILURE);
        let error = EXEC.replace("\"code\":101", "\"code\":403");
        assert_eq!(event(&error).status_id, ocsf::status::FAILURE);
        let bare = r#"{"kind":"Event","verb":"get","timestamp":"2018-10-26T09:51:20Z"}"#;
        let e = event(bare);
        assert_eq!(e.status_id, ocsf::status::UNKNOWN);
        assert_eq!(e.time, 1_540_547_480_000);
    }

    #[test]
    fn event_lists_are_envelopes() {
        let list = r#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"kind":"Event","verb":"get"}]}"#;
        assert!(matches!(parse(list), Outcome::Envelope(_)));
    }
    /// What the member reader makes of `text`, checked to be what the text parse makes of it;
    /// `None` when the typed read fails.
    fn via_members(text: &str) -> Option<Outcome<'_>> {
        let raw = RawRecord::json(text);
        let outcome = parse_members(raw.members().expect("an object has members"), text)?;
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
        let e = event_via_members(EXEC);
        assert_eq!((e.class_uid, e.activity_id), (6003, 1));
        assert_eq!(e.resources[0].type_name.as_deref(), Some("pods/exec"));
        assert_eq!(e.time, 1_673_873_778_234);
        assert!(std::ptr::eq(e.raw.as_str(), EXEC));
        let forbid = EXEC.replace("\"allow\"", "\"forbid\"");
        assert_eq!(event_via_members(&forbid).status_id, ocsf::status::FAILURE);
        let bare = r#"{"kind":"Event","verb":"get","timestamp":"2018-10-26T09:51:20Z"}"#;
        assert_eq!(event_via_members(bare).time, 1_540_547_480_000);
    }

    #[test]
    fn members_unescape_and_read_other_types_as_the_text_parse_does() {
        let text = r#"{"kind":"Event","v\u0065rb":"d\u0065lete","user":{"username":"system:serviceaccount:kube-system:\"x\""},"sourceIPs":[7,"10.0.0.2",null,"10.0.0.3"],"objectRef":"pods","responseStatus":{"code":"403"},"stage":12,"auditID":null,"requestURI":"/api/v1/namespaces/n/secrets\/s"}"#;
        let e = event_via_members(text);
        assert_eq!(e.activity_id, 4);
        assert_eq!(
            e.actor
                .as_ref()
                .unwrap()
                .user
                .as_ref()
                .unwrap()
                .name
                .as_deref(),
            Some("system:serviceaccount:kube-system:\"x\"")
        );
        let src = e.src_endpoint.as_ref().unwrap();
        assert_eq!(src.ip.unwrap().to_string(), "10.0.0.2");
        assert_eq!(src.intermediate_ips.len(), 1);
        assert!(e.resources.is_empty());
        assert_eq!(e.status_id, ocsf::status::FAILURE);
        assert_eq!(e.message.as_deref(), Some("12"));
        assert_eq!(e.metadata.uid, None);
        let url = e.http_request.as_ref().unwrap().url.as_ref().unwrap();
        assert_eq!(url.path.as_deref(), Some("/api/v1/namespaces/n/secrets/s"));
    }

    #[test]
    fn repeated_members_fail_the_member_read_and_reject_as_the_text_parse_does() {
        let text = r#"{"kind":"Event","verb":"get","verb":"delete"}"#;
        assert!(via_members(text).is_none());
        let raw = RawRecord::json(text);
        let reason =
            crate::document::parse_members(SourceFormat::K8sAudit, raw.members().unwrap(), text)
                .render();
        assert!(
            reason.starts_with(
                "reject: malformed Kubernetes audit event: duplicate field `verb` at line 1 column "
            ),
            "{reason}"
        );
        assert_eq!(reason, parse(text).render());
    }

    #[test]
    fn members_recognize_event_lists() {
        let list = r#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"kind":"Event","verb":"get"}]}"#;
        assert_eq!(
            via_members(list).unwrap().render(),
            r#"envelope Records(RawValue([{"kind":"Event","verb":"get"}]))"#
        );
    }
}
