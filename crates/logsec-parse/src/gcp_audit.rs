//! Google Cloud Audit Logs (`LogEntry` with an `AuditLog` `protoPayload`) → OCSF API
//! Activity 6003. Decisions are listed in `docs/mappings/gcp_audit.md`.

use std::borrow::Cow;

use logsec_event::{
    Account, Actor, Api, ApiResponse, Cloud, Endpoint, Event, HttpRequest, RawRecord, Resource,
    Service, Severity, SourceFormat, User, ocsf,
};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::cloudtrail::api_activity_for_verb;
use crate::document::{EnvelopeMembers, Outcome};
use crate::lenient::{LInt, LStr, Obj, parse_ip, parse_time_ms};

#[derive(Deserialize, Default)]
#[serde(default)]
struct LogEntry<'a> {
    #[serde(rename = "logName", borrow)]
    log_name: LStr<'a>,
    #[serde(rename = "insertId", borrow)]
    insert_id: LStr<'a>,
    #[serde(borrow)]
    timestamp: LStr<'a>,
    #[serde(rename = "receiveTimestamp", borrow)]
    receive_timestamp: LStr<'a>,
    #[serde(borrow)]
    severity: LStr<'a>,
    #[serde(borrow)]
    resource: Obj<MonitoredResource<'a>>,
    #[serde(rename = "protoPayload", borrow)]
    proto_payload: Obj<AuditLog<'a>>,
    // Envelope members.
    #[serde(borrow)]
    entries: Option<&'a RawValue>,
    #[serde(rename = "messageType", borrow)]
    env_message_type: LStr<'a>,
    #[serde(rename = "logEvents", borrow)]
    env_log_events: Option<&'a RawValue>,
    #[serde(borrow)]
    log: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MonitoredResource<'a> {
    #[serde(rename = "type", borrow)]
    type_name: LStr<'a>,
    #[serde(borrow)]
    labels: Obj<ResourceLabels<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResourceLabels<'a> {
    #[serde(borrow)]
    project_id: LStr<'a>,
    #[serde(borrow)]
    location: LStr<'a>,
    #[serde(borrow)]
    zone: LStr<'a>,
    #[serde(borrow)]
    region: LStr<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AuditLog<'a> {
    #[serde(rename = "serviceName", borrow)]
    service_name: LStr<'a>,
    #[serde(rename = "methodName", borrow)]
    method_name: LStr<'a>,
    #[serde(rename = "resourceName", borrow)]
    resource_name: LStr<'a>,
    #[serde(rename = "authenticationInfo", borrow)]
    authentication_info: Obj<AuthenticationInfo<'a>>,
    #[serde(rename = "requestMetadata", borrow)]
    request_metadata: Obj<RequestMetadata<'a>>,
    #[serde(borrow)]
    status: Obj<Status<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AuthenticationInfo<'a> {
    #[serde(rename = "principalEmail", borrow)]
    principal_email: LStr<'a>,
    #[serde(rename = "principalSubject", borrow)]
    principal_subject: LStr<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RequestMetadata<'a> {
    #[serde(rename = "callerIp", borrow)]
    caller_ip: LStr<'a>,
    #[serde(rename = "callerSuppliedUserAgent", borrow)]
    user_agent: LStr<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Status<'a> {
    code: LInt,
    #[serde(borrow)]
    message: LStr<'a>,
}

/// OCSF severity for a `LogEntry` severity name.
fn severity(name: &str) -> Severity {
    match name.to_ascii_uppercase().as_str() {
        "NOTICE" => Severity::Low,
        "WARNING" => Severity::Medium,
        "ERROR" => Severity::High,
        "CRITICAL" | "ALERT" => Severity::Critical,
        "EMERGENCY" => Severity::Fatal,
        _ => Severity::Informational,
    }
}

/// Parses one LogEntry (or recognizes an envelope).
pub(crate) fn parse(text: &str) -> Outcome<'_> {
    if let Some(reject) = crate::document::expect_object(text, "GCP LogEntry") {
        return reject;
    }
    let mut entry: LogEntry<'_> = match serde_json::from_str(text) {
        Ok(entry) => entry,
        Err(err) => return Outcome::Reject(format!("malformed GCP LogEntry: {err}")),
    };
    let envelope = EnvelopeMembers {
        records: entry.entries.take(),
        message_type: std::mem::take(&mut entry.env_message_type),
        log_events: entry.env_log_events.take(),
        lookup_events: None,
        inner: entry.log.take(),
    };
    if let Some(envelope) = envelope.envelope() {
        return Outcome::Envelope(envelope);
    }
    Outcome::Event(normalize(entry, text))
}

fn normalize<'a>(mut e: LogEntry<'a>, text: &'a str) -> Box<Event<'a>> {
    let mut payload = e.proto_payload.0.take().unwrap_or_default();
    let method = payload.method_name.take();
    // The verb is the method's last dotted segment: `google.iam.admin.v1.CreateServiceAccountKey`,
    // `io.k8s.core.v1.pods.create`, `storage.buckets.get`, `v1.compute.instances.insert`.
    let activity = method.as_deref().map_or(0, |m| {
        let verb = m.rsplit('.').next().unwrap_or(m);
        api_activity_for_verb(verb, true)
    });
    let mut event = Event::new_boxed(&ocsf::API_ACTIVITY, activity, SourceFormat::GcpAudit);
    event.time = e
        .timestamp
        .get()
        .or(e.receive_timestamp.get())
        .and_then(parse_time_ms)
        .unwrap_or(0);
    event.severity_id = e.severity.get().map_or(Severity::Informational, severity);
    event.metadata.profiles = vec![Cow::Borrowed("cloud")];
    event.metadata.uid = e.insert_id.cloned();
    event.metadata.original_event_uid = e.insert_id.take();
    event.metadata.log_name = e.log_name.take();
    event.metadata.event_code = method.clone();

    let mut status = payload.status.0.take().unwrap_or_default();
    let code = status.code.0;
    event.set_status(match code {
        Some(c) if c != 0 => ocsf::status::FAILURE,
        _ => ocsf::status::SUCCESS,
    });
    event.status_code = code.filter(|c| *c != 0).map(|c| Cow::Owned(c.to_string()));
    event.status_detail = status.message.cloned();

    let mut auth = payload.authentication_info.0.take().unwrap_or_default();
    let email = auth.principal_email.take();
    if email.is_some() || auth.principal_subject.get().is_some() {
        let is_service = email
            .as_deref()
            .is_some_and(|m| m.ends_with(".gserviceaccount.com"));
        event.actor = Some(Box::new(Actor {
            user: Some(User {
                name: email.clone(),
                email_addr: email,
                uid: auth.principal_subject.take(),
                type_id: Some(if is_service { 4 } else { 1 }),
                ..User::default()
            }),
            ..Actor::default()
        }));
    }
    let mut request = payload.request_metadata.0.take().unwrap_or_default();
    if let Some(caller) = request.caller_ip.take() {
        let mut src = Endpoint::default();
        match parse_ip(&caller) {
            Some(ip) => src.ip = Some(ip),
            None => src.domain = Some(caller),
        }
        event.src_endpoint = Some(Box::new(src));
    }
    if let Some(agent) = request.user_agent.take() {
        event.http_request = Some(Box::new(HttpRequest {
            user_agent: Some(agent),
            ..HttpRequest::default()
        }));
    }
    let mut resource = e.resource.0.take().unwrap_or_default();
    let mut labels = resource.labels.0.take().unwrap_or_default();
    let resource_type = resource.type_name.take();
    if let Some(name) = payload.resource_name.take() {
        event.resources = vec![Resource {
            uid: Some(name.clone()),
            name: Some(name),
            type_name: resource_type,
            ..Resource::default()
        }];
    }
    event.cloud = Some(Box::new(Cloud {
        provider: Cow::Borrowed("GCP"),
        region: labels.region.take().or_else(|| labels.location.take()),
        zone: labels.zone.take(),
        account: labels.project_id.take().map(|uid| Account {
            uid: Some(uid),
            ..Account::default()
        }),
    }));
    if let Some(operation) = method {
        event.api = Some(Box::new(Api {
            operation,
            service: payload
                .service_name
                .take()
                .map(|name| Service { name: Some(name) }),
            response: code.filter(|c| *c != 0).map(|c| ApiResponse {
                code: Some(c),
                message: status.message.take(),
                ..ApiResponse::default()
            }),
            ..Api::default()
        }));
    }
    event.raw = RawRecord::json_validated(text);
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(text: &str) -> Event<'_> {
        parse(text).expect_event()
    }

    #[test]
    fn audit_log_entry_maps_to_api_activity() {
        let text = r#"{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","authenticationInfo":{"principalEmail":"sa@p.iam.gserviceaccount.com"},"methodName":"google.iam.admin.v1.CreateServiceAccountKey","requestMetadata":{"callerIp":"203.0.113.7","callerSuppliedUserAgent":"gcloud"},"resourceName":"projects/p/serviceAccounts/x","serviceName":"iam.googleapis.com","status":{}},"insertId":"abc","resource":{"type":"service_account","labels":{"project_id":"p"}},"timestamp":"2023-05-01T10:00:00.5Z","severity":"NOTICE","logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity"}"#;
        let e = event(text);
        assert_eq!((e.class_uid, e.activity_id), (6003, 1));
        assert_eq!(e.status_id, ocsf::status::SUCCESS);
        assert_eq!(e.time, 1_682_935_200_500);
        assert_eq!(e.severity_id, Severity::Low);
        let user = e.actor.as_ref().unwrap().user.as_ref().unwrap();
        assert_eq!(
            user.email_addr.as_deref(),
            Some("sa@p.iam.gserviceaccount.com")
        );
        assert_eq!(user.type_id, Some(4));
        assert_eq!(
            e.src_endpoint.as_ref().unwrap().ip.unwrap().to_string(),
            "203.0.113.7"
        );
        let api = e.api.as_ref().unwrap();
        assert_eq!(api.operation, "google.iam.admin.v1.CreateServiceAccountKey");
        assert_eq!(
            api.service.as_ref().unwrap().name.as_deref(),
            Some("iam.googleapis.com")
        );
        assert_eq!(
            e.cloud
                .as_ref()
                .unwrap()
                .account
                .as_ref()
                .unwrap()
                .uid
                .as_deref(),
            Some("p")
        );
        assert_eq!(
            e.resources[0].uid.as_deref(),
            Some("projects/p/serviceAccounts/x")
        );
    }

    #[test]
    fn nonzero_status_fails_and_k8s_methods_use_their_verb() {
        let text = r#"{"protoPayload":{"methodName":"io.k8s.core.v1.pods.exec.create","status":{"code":7,"message":"PERMISSION_DENIED"},"requestMetadata":{"callerIp":"private"}}}"#;
        let e = event(text);
        assert_eq!(e.activity_id, 1);
        assert_eq!(e.status_id, ocsf::status::FAILURE);
        assert_eq!(e.status_code.as_deref(), Some("7"));
        assert_eq!(
            e.src_endpoint.as_ref().unwrap().domain.as_deref(),
            Some("private")
        );
        let get = r#"{"protoPayload":{"methodName":"storage.buckets.get"}}"#;
        assert_eq!(event(get).activity_id, 2);
        let partial = r#"{"logName":"x","severity":"ERROR"}"#;
        let e = event(partial);
        assert_eq!(e.activity_id, 0);
        assert!(e.api.is_none());
    }
}
