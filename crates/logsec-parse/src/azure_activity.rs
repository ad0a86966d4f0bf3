//! Azure Activity logs (`records` arrays of diagnostic-settings exports) → OCSF API Activity
//! 6003. Decisions are listed in `docs/mappings/azure_activity.md`.

use std::borrow::Cow;

use logsec_event::{
    Account, Actor, Api, ApiRequest, Cloud, Endpoint, Event, RawRecord, Resource, Service,
    Severity, SourceFormat, User, ocsf,
};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::cloudtrail::api_activity_for_verb;
use crate::document::{EnvelopeMembers, Outcome};
use crate::lenient::{LStr, Obj, parse_ip, parse_time_ms};

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActivityRecord<'a> {
    #[serde(borrow)]
    time: LStr<'a>,
    #[serde(rename = "resourceId", borrow)]
    resource_id: LStr<'a>,
    #[serde(rename = "operationName", borrow)]
    operation_name: LStr<'a>,
    #[serde(rename = "operationVersion", borrow)]
    operation_version: LStr<'a>,
    #[serde(borrow)]
    category: LStr<'a>,
    #[serde(rename = "resultType", borrow)]
    result_type: LStr<'a>,
    #[serde(rename = "resultSignature", borrow)]
    result_signature: LStr<'a>,
    #[serde(rename = "callerIpAddress", borrow)]
    caller_ip: LStr<'a>,
    #[serde(rename = "correlationId", borrow)]
    correlation_id: LStr<'a>,
    #[serde(borrow)]
    caller: LStr<'a>,
    #[serde(borrow)]
    level: LStr<'a>,
    #[serde(borrow)]
    location: LStr<'a>,
    #[serde(rename = "tenantId", borrow)]
    tenant_id: LStr<'a>,
    #[serde(borrow)]
    identity: Obj<Identity<'a>>,
    // Envelope members.
    #[serde(rename = "records", alias = "Records", borrow)]
    env_records: Option<&'a RawValue>,
    #[serde(borrow)]
    log: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Identity<'a> {
    #[serde(borrow)]
    claims: Obj<Claims<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Claims<'a> {
    #[serde(
        rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
        alias = "upn",
        borrow
    )]
    upn: LStr<'a>,
    #[serde(rename = "name", borrow)]
    name: LStr<'a>,
    #[serde(
        rename = "http://schemas.microsoft.com/identity/claims/objectidentifier",
        alias = "oid",
        borrow
    )]
    object_id: LStr<'a>,
    #[serde(rename = "appid", borrow)]
    app_id: LStr<'a>,
}

/// API Activity's activity for an operation name: the last segment of
/// `MICROSOFT.X/Y/WRITE` (write → 3 Update, because Azure writes create *or* update, read → 2,
/// delete → 4, action → 99), else the first word's verb (`Remove member from role` → 3).
fn activity(operation: &str) -> u32 {
    if operation.contains('/') {
        let last = operation.rsplit('/').next().unwrap_or_default();
        return match last.to_ascii_lowercase().as_str() {
            "write" => 3,
            "read" | "list" => 2,
            "delete" => 4,
            _ => 99,
        };
    }
    let word = operation.split_whitespace().next().unwrap_or_default();
    api_activity_for_verb(word, true)
}

fn severity(level: &str) -> Severity {
    match level.to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "error" => Severity::High,
        "warning" => Severity::Medium,
        _ => Severity::Informational,
    }
}

/// The subscription id in a resource id (`/SUBSCRIPTIONS/<id>/…`).
fn subscription(resource_id: &str) -> Option<&str> {
    let mut parts = resource_id.split('/');
    while let Some(part) = parts.next() {
        if part.eq_ignore_ascii_case("subscriptions") {
            return parts.next().filter(|s| !s.is_empty());
        }
    }
    None
}

/// Parses one Activity log record (or recognizes a `records` envelope).
pub(crate) fn parse(text: &str) -> Outcome<'_> {
    if let Some(reject) = crate::document::expect_object(text, "Azure Activity record") {
        return reject;
    }
    let mut r: ActivityRecord<'_> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(err) => return Outcome::Reject(format!("malformed Azure Activity record: {err}")),
    };
    let envelope = EnvelopeMembers {
        records: r.env_records.take(),
        inner: r.log.take(),
        ..EnvelopeMembers::default()
    };
    if let Some(envelope) = envelope.envelope() {
        return Outcome::Envelope(envelope);
    }
    Outcome::Event(normalize(r, text))
}

fn normalize<'a>(mut r: ActivityRecord<'a>, text: &'a str) -> Box<Event<'a>> {
    let operation = r.operation_name.take();
    let mut event = Event::new_boxed(
        &ocsf::API_ACTIVITY,
        operation.as_deref().map_or(0, activity),
        SourceFormat::AzureActivity,
    );
    event.time = r.time.get().and_then(parse_time_ms).unwrap_or(0);
    event.severity_id = r.level.get().map_or(Severity::Informational, severity);
    event.metadata.profiles = vec![Cow::Borrowed("cloud")];
    event.metadata.uid = r.correlation_id.cloned();
    event.metadata.original_event_uid = r.correlation_id.cloned();
    event.metadata.log_name = r.category.take();
    event.metadata.event_code = operation.clone();
    event.metadata.product.version = r.operation_version.take();
    let status = match r.result_type.get().map(str::to_ascii_lowercase).as_deref() {
        Some("success" | "succeeded") => ocsf::status::SUCCESS,
        Some("failure" | "failed") => ocsf::status::FAILURE,
        Some(_) => ocsf::status::OTHER,
        None => ocsf::status::UNKNOWN,
    };
    event.set_status(status);
    if status == ocsf::status::OTHER {
        event.status = r.result_type.cloned();
    }
    event.status_code = r.result_signature.take();

    let mut identity = r.identity.0.take().unwrap_or_default();
    let mut claims = identity.claims.0.take().unwrap_or_default();
    let name = r
        .caller
        .take()
        .or_else(|| claims.upn.take())
        .or_else(|| claims.name.take());
    let uid = claims.object_id.take();
    if name.is_some() || uid.is_some() {
        let email = name.as_ref().filter(|n| n.contains('@')).cloned();
        event.actor = Some(Box::new(Actor {
            user: Some(User {
                name,
                uid,
                email_addr: email,
                ..User::default()
            }),
            app_name: claims.app_id.take(),
            ..Actor::default()
        }));
    }
    if let Some(caller) = r.caller_ip.take() {
        let mut src = Endpoint::default();
        match parse_ip(&caller) {
            Some(ip) => src.ip = Some(ip),
            None => src.domain = Some(caller),
        }
        event.src_endpoint = Some(Box::new(src));
    }
    let resource_id = r.resource_id.take();
    let subscription_id = resource_id
        .as_deref()
        .and_then(subscription)
        .map(|s| Cow::Owned(s.to_owned()));
    if let Some(id) = resource_id {
        event.resources = vec![Resource {
            uid: Some(id),
            ..Resource::default()
        }];
    }
    event.cloud = Some(Box::new(Cloud {
        provider: Cow::Borrowed("Azure"),
        region: r.location.take(),
        zone: None,
        account: subscription_id.map(|uid| Account {
            uid: Some(uid),
            ..Account::default()
        }),
    }));
    if let Some(operation) = operation {
        let provider = operation
            .split('/')
            .next()
            .filter(|p| operation.contains('/') && !p.is_empty())
            .map(|p| Cow::Owned(p.to_owned()));
        event.api = Some(Box::new(Api {
            operation,
            service: provider.map(|name| Service { name: Some(name) }),
            request: r.correlation_id.take().map(|uid| ApiRequest { uid }),
            ..Api::default()
        }));
    }
    let _ = r.tenant_id.take();
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
    fn administrative_record_maps_to_api_activity() {
        let text = r#"{"time":"2026-04-10T21:43:40.2657554Z","resourceId":"/SUBSCRIPTIONS/sub-1/RESOURCEGROUPS/rg/PROVIDERS/MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/x","operationName":"MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/DELETE","category":"Administrative","resultType":"Failure","resultSignature":"Failed.Forbidden","callerIpAddress":"198.51.100.4","correlationId":"c-1","level":"Error","location":"global","identity":{"claims":{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":"eve@example.com","http://schemas.microsoft.com/identity/claims/objectidentifier":"oid-1"}}}"#;
        let e = event(text);
        assert_eq!((e.class_uid, e.activity_id), (6003, 4));
        assert_eq!(e.status_id, ocsf::status::FAILURE);
        assert_eq!(e.status_code.as_deref(), Some("Failed.Forbidden"));
        assert_eq!(e.severity_id, Severity::High);
        assert_eq!(e.time, 1_775_857_420_265);
        let user = e.actor.as_ref().unwrap().user.as_ref().unwrap();
        assert_eq!(user.name.as_deref(), Some("eve@example.com"));
        assert_eq!(user.uid.as_deref(), Some("oid-1"));
        assert_eq!(
            e.cloud
                .as_ref()
                .unwrap()
                .account
                .as_ref()
                .unwrap()
                .uid
                .as_deref(),
            Some("sub-1")
        );
        assert_eq!(
            e.api
                .as_ref()
                .unwrap()
                .service
                .as_ref()
                .unwrap()
                .name
                .as_deref(),
            Some("MICROSOFT.INSIGHTS")
        );
        assert_eq!(e.metadata.log_name.as_deref(), Some("Administrative"));
    }

    #[test]
    fn operations_map_to_activities() {
        assert_eq!(activity("Microsoft.Authorization/roleAssignments/write"), 3);
        assert_eq!(activity("MICROSOFT.KEYVAULT/VAULTS/SECRETS/READ"), 2);
        assert_eq!(
            activity("MICROSOFT.SECURITY/LOCATIONS/ALERTS/ACTIVATE/ACTION"),
            99
        );
        assert_eq!(
            activity("Remove member from role (PIM activation expired)"),
            3
        );
        let other = r#"{"operationName":"x/action","resultType":"Active"}"#;
        let e = event(other);
        assert_eq!(e.status_id, ocsf::status::OTHER);
        assert_eq!(e.status.as_deref(), Some("Active"));
    }
}
