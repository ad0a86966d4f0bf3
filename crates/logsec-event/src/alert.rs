//! Alerts: OCSF Detection Findings (class 2004) with deterministic ids.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::event::{
    Api, Cloud, Detach, Endpoint, Event, HttpRequest, HttpResponse, Resource, User,
};
use crate::format::SourceFormat;
use crate::ocsf::{self, DETECTION_FINDING};
use crate::severity::Severity;

/// The rule dialect an alert's rule was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// Sigma 2.x.
    Sigma,
    /// The Falco rules language.
    Falco,
    /// Built into logsec (e.g. privilege-creep findings).
    Logsec,
}

/// What an alert says about the rule that raised it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RuleRef {
    /// The rule's id (Sigma `id`, Falco rule name).
    pub id: String,
    /// The rule's title (Sigma `title`, Falco rule name).
    pub title: String,
    /// The rule's description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The dialect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialect: Option<Dialect>,
    /// The file the rule was loaded from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_file: Option<String>,
    /// The rule's author (kept because the Detection Rule License requires attribution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The rule's tags as written (e.g. `attack.t1078`, `mitre_persistence`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// OCSF `finding_info`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FindingInfo {
    /// `uid`: the alert id (same as [`Alert::uid`]).
    pub uid: String,
    /// `title`.
    pub title: String,
    /// `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    /// `analytic`: the rule.
    pub analytic: Analytic,
    /// `related_events`: the triggering events, by their source ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_events: Vec<RelatedEvent>,
    /// `related_events_count`: how many events triggered the alert (may exceed the list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_events_count: Option<u64>,
    /// `types`: finding categories (logsec uses the rule's dialect and source format).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    /// `first_seen_time`, milliseconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen_time: Option<i64>,
    /// `last_seen_time`, milliseconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_time: Option<i64>,
}

/// OCSF `analytic`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Analytic {
    /// `name`: the rule title.
    pub name: String,
    /// `uid`: the rule id.
    pub uid: String,
    /// `type`: always "Rule".
    #[serde(rename = "type")]
    pub type_name: String,
    /// `type_id`: 1 Rule.
    pub type_id: u32,
    /// `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
}

/// One triggering event, as OCSF `related_event`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RelatedEvent {
    /// `uid`: the source's event id (CloudTrail eventID, k8s auditID, x-request-id, …).
    pub uid: String,
    /// `type_uid` of the event (its class is `type_uid / 100`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_uid: Option<u64>,
    /// The event's `time`, written as OCSF `created_time` (milliseconds since the epoch).
    #[serde(
        rename = "created_time",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub time: Option<i64>,
}

/// OCSF `evidences`: what a triggering event showed, with its raw record.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Evidence {
    /// `uid`: the source's event id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// `name`: the event's class name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `actor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<crate::event::Actor<'static>>,
    /// `api`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<Api<'static>>,
    /// `src_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_endpoint: Option<Endpoint<'static>>,
    /// `dst_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dst_endpoint: Option<Endpoint<'static>>,
    /// `http_request`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_request: Option<HttpRequest<'static>>,
    /// `http_response`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_response: Option<HttpResponse<'static>>,
    /// `user`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User<'static>>,
    /// `resources`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource<'static>>,
    /// `data`: the raw record (parsed JSON for JSON sources, the line for text sources) and the
    /// event's time and format.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub data: serde_json::Value,
}

impl Evidence {
    /// The evidence of one event: its principal, endpoints, API and raw record.
    ///
    /// Only the attributes evidence carries are copied (a typed deep copy); the raw record's
    /// tree is read where it lies.
    pub fn from_event(event: &Event<'_>) -> Evidence {
        // A JSON record is parsed straight into the evidence's `Value` (the same value
        // `tree().to_serde()` gives) rather than through its `JsonValue` tree, which no rule
        // may have needed.
        let direct = event
            .raw
            .is_json()
            .then(|| serde_json::from_str::<serde_json::Value>(event.raw.as_str()).ok())
            .flatten();
        let raw = if let Some(value) = direct {
            value
        } else if let Some(tree) = event.raw.tree() {
            tree.to_serde()
        } else if let Some(unmapped) = &event.unmapped {
            serde_json::json!({ "line": event.raw.as_str(), "fields": unmapped.to_serde() })
        } else {
            serde_json::Value::String(event.raw.as_str().to_owned())
        };
        Evidence {
            uid: event
                .metadata
                .original_event_uid
                .as_deref()
                .map(str::to_owned),
            name: event.class_name.as_deref().map(str::to_owned),
            data: evidence_data(raw, event),
            actor: event.actor.as_deref().cloned().detach(),
            api: event.api.as_deref().cloned().detach(),
            src_endpoint: event.src_endpoint.as_deref().cloned().detach(),
            dst_endpoint: event.dst_endpoint.as_deref().cloned().detach(),
            http_request: event.http_request.as_deref().cloned().detach(),
            http_response: event.http_response.as_deref().cloned().detach(),
            user: event.user.as_deref().cloned().detach(),
            resources: event.resources.clone().detach(),
        }
    }
}

/// `{"raw", "time", "log_format"}`, built in place (`json!` would copy `raw` once more).
fn evidence_data(raw: serde_json::Value, event: &Event<'_>) -> serde_json::Value {
    let mut data = serde_json::Map::with_capacity(3);
    data.insert("raw".to_owned(), raw);
    data.insert("time".to_owned(), event.time.into());
    data.insert(
        "log_format".to_owned(),
        event
            .metadata
            .log_format
            .map_or(serde_json::Value::Null, |format| format.name().into()),
    );
    serde_json::Value::Object(data)
}

/// OCSF `attack`: a MITRE ATT&CK tactic or technique from the rule's tags.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Attack {
    /// `tactic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tactic: Option<AttackRef>,
    /// `technique`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technique: Option<AttackRef>,
    /// `sub_technique`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_technique: Option<AttackRef>,
}

/// A named ATT&CK object (`tactic`, `technique`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AttackRef {
    /// `uid` (e.g. "T1078", "TA0001").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// `name` (e.g. "Initial Access").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// ATT&CK tactics: tag spelling, id, name.
const TACTICS: &[(&str, &str, &str)] = &[
    ("reconnaissance", "TA0043", "Reconnaissance"),
    ("resource_development", "TA0042", "Resource Development"),
    ("initial_access", "TA0001", "Initial Access"),
    ("execution", "TA0002", "Execution"),
    ("persistence", "TA0003", "Persistence"),
    ("privilege_escalation", "TA0004", "Privilege Escalation"),
    ("defense_evasion", "TA0005", "Defense Evasion"),
    ("credential_access", "TA0006", "Credential Access"),
    ("discovery", "TA0007", "Discovery"),
    ("lateral_movement", "TA0008", "Lateral Movement"),
    ("collection", "TA0009", "Collection"),
    ("command_and_control", "TA0011", "Command and Control"),
    ("exfiltration", "TA0010", "Exfiltration"),
    ("impact", "TA0040", "Impact"),
];

/// Reads ATT&CK references from rule tags: Sigma's `attack.t1078.004`, `attack.initial-access`,
/// `attack.ta0001`, and Falco's `mitre_persistence`, `T1098`.
pub fn attacks_from_tags<S: AsRef<str>>(tags: &[S]) -> Vec<Attack> {
    let mut attacks = Vec::new();
    for tag in tags {
        let tag = tag.as_ref().trim().to_ascii_lowercase();
        let body = tag
            .strip_prefix("attack.")
            .or_else(|| tag.strip_prefix("mitre_"))
            .or_else(|| tag.strip_prefix("mitre."))
            .unwrap_or(&tag);
        let normalized = body.replace('-', "_");
        if let Some((_, uid, name)) = TACTICS
            .iter()
            .find(|(spelling, uid, _)| *spelling == normalized || uid.eq_ignore_ascii_case(body))
        {
            let attack = Attack {
                tactic: Some(AttackRef {
                    uid: Some((*uid).into()),
                    name: Some((*name).into()),
                }),
                ..Attack::default()
            };
            if !attacks.contains(&attack) {
                attacks.push(attack);
            }
            continue;
        }
        let is_technique = body.len() >= 5
            && body.starts_with('t')
            && body[1..5].bytes().all(|b| b.is_ascii_digit());
        if is_technique {
            let (technique, sub) = match body.split_once('.') {
                Some((technique, sub)) => (technique, Some(sub)),
                None => (body, None),
            };
            let technique_uid = technique.to_ascii_uppercase();
            let attack = Attack {
                technique: Some(AttackRef {
                    uid: Some(technique_uid.clone()),
                    name: None,
                }),
                sub_technique: sub.map(|sub| AttackRef {
                    uid: Some(format!("{technique_uid}.{sub}")),
                    name: None,
                }),
                ..Attack::default()
            };
            if !attacks.contains(&attack) {
                attacks.push(attack);
            }
        }
    }
    attacks
}

/// Metadata of an alert.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AlertMetadata {
    /// `version`: "1.8.0".
    pub version: String,
    /// `product`: logsec.
    pub product: AlertProduct,
    /// `uid`: the alert id.
    pub uid: String,
    /// `profiles`: the OCSF profiles the alert uses — `cloud` when it carries `cloud`,
    /// `security_control` when it carries `attacks`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
}

/// The product that raised the alert.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AlertProduct {
    /// `name`: "logsec".
    pub name: String,
    /// `vendor_name`: "logsec".
    pub vendor_name: String,
    /// `version`: the logsec version.
    pub version: String,
}

/// An alert: an OCSF Detection Finding (class 2004), serialized as such.
///
/// Alerts are **deterministic**: [`Alert::uid`] hashes the rule id and the triggering events'
/// ids, and [`Alert::time`] is the last triggering event's time, never the wall clock. A rerun,
/// a replay after a crash or a Spark run over the same input gives the same alerts.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Alert {
    /// `class_uid`: 2004.
    pub class_uid: u32,
    /// `class_name`.
    pub class_name: String,
    /// `category_uid`: 2.
    pub category_uid: u32,
    /// `category_name`.
    pub category_name: String,
    /// `activity_id`: 1 Create.
    pub activity_id: u32,
    /// `activity_name`.
    pub activity_name: String,
    /// `type_uid`: 200401.
    pub type_uid: u64,
    /// `severity_id`.
    pub severity_id: Severity,
    /// `severity`: the caption.
    pub severity: String,
    /// `status_id`: 1 New.
    pub status_id: u32,
    /// `time`: the (last) triggering event's time, milliseconds since the epoch.
    pub time: i64,
    /// `message`: the rendered rule output.
    pub message: String,
    /// `is_alert`: true.
    pub is_alert: bool,
    /// `metadata`.
    pub metadata: AlertMetadata,
    /// `finding_info`.
    pub finding_info: FindingInfo,
    /// `evidences`: the triggering events (capped; see `finding_info.related_events_count`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidences: Vec<Evidence>,
    /// `attacks`: ATT&CK tactics and techniques from the rule's tags (an attribute of the
    /// `security_control` profile, which `metadata.profiles` then lists).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attacks: Vec<Attack>,
    /// `cloud`: the cloud context (provider, region, account) of the first triggering event
    /// that has one (an attribute of the `cloud` profile, which `metadata.profiles` then lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<Cloud<'static>>,
    /// `unmapped`: what OCSF has no place for — the rule reference (file, author, dialect,
    /// tags), the Falco output fields, the source format, a suppressed-duplicates count.
    #[serde(default)]
    pub unmapped: AlertExtras,
}

/// The logsec-specific part of an alert, under OCSF `unmapped`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AlertExtras {
    /// The rule.
    pub rule: RuleRef,
    /// The source format of the triggering events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceFormat>,
    /// Fields named by the rule's output template, with their values (Falco `output_fields`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub output_fields: BTreeMap<String, serde_json::Value>,
    /// How many identical alerts flood control suppressed before this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed_count: Option<u64>,
}

/// Builds an [`Alert`].
#[derive(Debug, Clone)]
pub struct AlertBuilder {
    rule: RuleRef,
    severity: Severity,
    message: String,
    related: Vec<RelatedEvent>,
    evidences: Vec<Evidence>,
    max_evidences: usize,
    related_count: u64,
    source: Option<SourceFormat>,
    output_fields: BTreeMap<String, serde_json::Value>,
    first_time: Option<i64>,
    last_time: Option<i64>,
    cloud: Option<Cloud<'static>>,
}

/// The default cap on evidences carried by one alert.
pub const DEFAULT_MAX_EVIDENCES: usize = 10;

impl AlertBuilder {
    /// Starts an alert for `rule` at `severity`.
    pub fn new(rule: RuleRef, severity: Severity) -> AlertBuilder {
        AlertBuilder {
            rule,
            severity,
            message: String::new(),
            related: Vec::new(),
            evidences: Vec::new(),
            max_evidences: DEFAULT_MAX_EVIDENCES,
            related_count: 0,
            source: None,
            output_fields: BTreeMap::new(),
            first_time: None,
            last_time: None,
            cloud: None,
        }
    }

    /// Sets the rendered message.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Caps the evidences carried (the related-event ids are all kept).
    pub fn max_evidences(mut self, max: usize) -> Self {
        self.max_evidences = max;
        self
    }

    /// Sets the output fields.
    pub fn output_fields(mut self, fields: BTreeMap<String, serde_json::Value>) -> Self {
        self.output_fields = fields;
        self
    }

    /// Adds a triggering event.
    pub fn event(mut self, event: &Event<'_>) -> Self {
        self.related_count += 1;
        self.source = self.source.or(event.metadata.log_format);
        self.first_time = Some(self.first_time.map_or(event.time, |t| t.min(event.time)));
        self.last_time = Some(self.last_time.map_or(event.time, |t| t.max(event.time)));
        self.related.push(RelatedEvent {
            uid: event_uid(event),
            type_uid: Some(event.type_uid),
            time: Some(event.time),
        });
        if self.cloud.is_none() {
            self.cloud = event.cloud.as_deref().and_then(owned_cloud);
        }
        if self.evidences.len() < self.max_evidences {
            self.evidences.push(Evidence::from_event(event));
        }
        self
    }

    /// Adds a triggering event known only by its id and time (e.g. from correlation state
    /// that did not keep the event).
    pub fn related_id(mut self, uid: impl Into<String>, time: i64) -> Self {
        self.related_count += 1;
        self.first_time = Some(self.first_time.map_or(time, |t| t.min(time)));
        self.last_time = Some(self.last_time.map_or(time, |t| t.max(time)));
        self.related.push(RelatedEvent {
            uid: uid.into(),
            time: Some(time),
            ..RelatedEvent::default()
        });
        self
    }

    /// Finishes the alert: computes its deterministic id and time.
    pub fn build(self) -> Alert {
        let uid = alert_uid(&self.rule.id, self.related.iter().map(|r| r.uid.as_str()));
        let time = self.last_time.unwrap_or(0);
        let attacks = attacks_from_tags(&self.rule.tags);
        let mut profiles = Vec::new();
        if self.cloud.is_some() {
            profiles.push(ocsf::profile::CLOUD.to_owned());
        }
        if !attacks.is_empty() {
            profiles.push(ocsf::profile::SECURITY_CONTROL.to_owned());
        }
        let mut types = Vec::new();
        if let Some(dialect) = self.rule.dialect {
            types.push(format!("{dialect:?}"));
        }
        Alert {
            class_uid: DETECTION_FINDING.uid,
            class_name: DETECTION_FINDING.name.into(),
            category_uid: DETECTION_FINDING.category_uid,
            category_name: DETECTION_FINDING.category_name.into(),
            activity_id: 1,
            activity_name: "Create".into(),
            type_uid: DETECTION_FINDING.type_uid(1),
            severity_id: self.severity,
            severity: self.severity.name().into(),
            status_id: ocsf::finding_status::NEW,
            time,
            message: if self.message.is_empty() {
                self.rule.title.clone()
            } else {
                self.message
            },
            is_alert: true,
            metadata: AlertMetadata {
                version: ocsf::OCSF_VERSION.into(),
                product: AlertProduct {
                    name: "logsec".into(),
                    vendor_name: "logsec".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                },
                uid: uid.clone(),
                profiles,
            },
            finding_info: FindingInfo {
                uid,
                title: self.rule.title.clone(),
                desc: (!self.rule.description.is_empty()).then(|| self.rule.description.clone()),
                analytic: Analytic {
                    name: self.rule.title.clone(),
                    uid: self.rule.id.clone(),
                    type_name: "Rule".into(),
                    type_id: 1,
                    desc: None,
                },
                related_events_count: Some(self.related_count),
                related_events: self.related,
                types,
                first_seen_time: self.first_time,
                last_seen_time: self.last_time,
            },
            evidences: self.evidences,
            attacks,
            cloud: self.cloud,
            unmapped: AlertExtras {
                rule: self.rule,
                source: self.source,
                output_fields: self.output_fields,
                suppressed_count: None,
            },
        }
    }
}

/// Detaches a `cloud` object from its event (a typed deep copy).
fn owned_cloud(cloud: &Cloud<'_>) -> Option<Cloud<'static>> {
    Some(cloud.clone().detach())
}

/// The id an event is known by in alerts: its source id, or a hash of its raw record when the
/// source gives none (syslog lines, flow records).
pub fn event_uid(event: &Event<'_>) -> String {
    match event.metadata.original_event_uid.as_deref() {
        Some(uid) if !uid.is_empty() => uid.to_owned(),
        _ => {
            let digest = Sha256::digest(event.raw.as_str().as_bytes());
            format!("sha256:{}", hex(&digest[..16]))
        }
    }
}

/// The deterministic alert id: SHA-256 over the rule id and the event ids, in order.
pub fn alert_uid<'s>(rule_id: &str, event_ids: impl IntoIterator<Item = &'s str>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule_id.as_bytes());
    for id in event_ids {
        hasher.update([0u8]);
        hasher.update(id.as_bytes());
    }
    hex(&hasher.finalize()[..16])
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

impl Alert {
    /// The alert id.
    pub fn uid(&self) -> &str {
        &self.finding_info.uid
    }

    /// The rule that raised the alert.
    pub fn rule(&self) -> &RuleRef {
        &self.unmapped.rule
    }

    /// The severity.
    pub fn severity(&self) -> Severity {
        self.severity_id
    }

    /// The OCSF JSON form.
    pub fn to_ocsf_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads the OCSF JSON form back (e.g. from a spool).
    pub fn from_ocsf_json(text: &str) -> Result<Alert, serde_json::Error> {
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::RawRecord;

    fn rule() -> RuleRef {
        RuleRef {
            id: "r-1".into(),
            title: "Test rule".into(),
            author: Some("someone".into()),
            tags: vec!["attack.initial-access".into(), "attack.t1078.004".into()],
            dialect: Some(Dialect::Sigma),
            ..RuleRef::default()
        }
    }

    fn event(id: &str, time: i64) -> Event<'static> {
        let mut event = Event::new(&ocsf::API_ACTIVITY, 2, SourceFormat::Cloudtrail);
        event.time = time;
        event.metadata.original_event_uid = Some(id.to_owned().into());
        event.raw = RawRecord::json(format!(r#"{{"eventID":"{id}"}}"#));
        event
    }

    #[test]
    fn alerts_are_deterministic() {
        let a = AlertBuilder::new(rule(), Severity::High)
            .event(&event("e1", 5))
            .event(&event("e2", 9))
            .build();
        let b = AlertBuilder::new(rule(), Severity::High)
            .event(&event("e1", 5))
            .event(&event("e2", 9))
            .build();
        assert_eq!(a, b);
        assert_eq!(a.time, 9);
        assert_eq!(a.uid(), alert_uid("r-1", ["e1", "e2"]));
        let c = AlertBuilder::new(rule(), Severity::High)
            .event(&event("e2", 9))
            .event(&event("e1", 5))
            .build();
        assert_ne!(
            a.uid(),
            c.uid(),
            "order of triggering events is part of the identity"
        );
    }

    #[test]
    fn alert_serializes_as_detection_finding() {
        let alert = AlertBuilder::new(rule(), Severity::High)
            .event(&event("e1", 5))
            .build();
        let json: serde_json::Value = serde_json::from_str(&alert.to_ocsf_json()).unwrap();
        assert_eq!(json["class_uid"], 2004);
        assert_eq!(json["type_uid"], 200401);
        assert_eq!(json["severity_id"], 4);
        assert_eq!(json["finding_info"]["analytic"]["type_id"], 1);
        assert_eq!(json["finding_info"]["related_events"][0]["uid"], "e1");
        assert_eq!(json["evidences"][0]["data"]["raw"]["eventID"], "e1");
        assert_eq!(json["unmapped"]["rule"]["author"], "someone");
        let back = Alert::from_ocsf_json(&alert.to_ocsf_json()).unwrap();
        assert_eq!(back, alert);
    }

    #[test]
    fn evidences_are_capped_but_ids_kept() {
        let mut builder = AlertBuilder::new(rule(), Severity::Low).max_evidences(2);
        for i in 0..5 {
            builder = builder.event(&event(&format!("e{i}"), i));
        }
        let alert = builder.build();
        assert_eq!(alert.evidences.len(), 2);
        assert_eq!(alert.finding_info.related_events.len(), 5);
        assert_eq!(alert.finding_info.related_events_count, Some(5));
    }

    #[test]
    fn attack_tags_are_read() {
        let attacks = attacks_from_tags(&[
            "attack.initial-access",
            "attack.t1078.004",
            "mitre_persistence",
            "T1098",
            "cve.2021",
        ]);
        assert_eq!(attacks.len(), 4);
        assert_eq!(
            attacks[0].tactic.as_ref().unwrap().uid.as_deref(),
            Some("TA0001")
        );
        assert_eq!(
            attacks[1].technique.as_ref().unwrap().uid.as_deref(),
            Some("T1078")
        );
        assert_eq!(
            attacks[1].sub_technique.as_ref().unwrap().uid.as_deref(),
            Some("T1078.004")
        );
        assert_eq!(
            attacks[2].tactic.as_ref().unwrap().name.as_deref(),
            Some("Persistence")
        );
        assert_eq!(
            attacks[3].technique.as_ref().unwrap().uid.as_deref(),
            Some("T1098")
        );
    }

    #[test]
    fn events_without_ids_are_known_by_a_hash_of_their_raw_record() {
        let mut e = Event::new(&ocsf::AUTHENTICATION, 1, SourceFormat::AuthLog);
        e.raw = RawRecord::text("Failed password for root from 1.2.3.4");
        let uid = event_uid(&e);
        assert!(uid.starts_with("sha256:") && uid.len() == 7 + 32, "{uid}");
        assert_eq!(uid, event_uid(&e.clone()));
    }
}
