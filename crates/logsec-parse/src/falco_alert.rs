//! Falco JSON alerts → OCSF Detection Finding 2004 (activity 1 Create). Decisions are listed in
//! `docs/mappings/falco_alert.md`.

use std::borrow::Cow;

use logsec_event::{
    Endpoint, Event, FalcoPriority, JsonValue, RawRecord, Severity, SourceFormat, ocsf,
};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::document::{EnvelopeMembers, Outcome};
use crate::lenient::{LStr, parse_time_ms};

#[derive(Deserialize, Default)]
#[serde(default)]
struct Alert<'a> {
    #[serde(borrow)]
    time: LStr<'a>,
    #[serde(borrow)]
    rule: LStr<'a>,
    #[serde(borrow)]
    priority: LStr<'a>,
    #[serde(borrow)]
    output: LStr<'a>,
    #[serde(borrow)]
    source: LStr<'a>,
    #[serde(borrow)]
    hostname: LStr<'a>,
    #[serde(borrow)]
    tags: Option<&'a RawValue>,
    #[serde(borrow)]
    output_fields: Option<&'a RawValue>,
    #[serde(borrow)]
    log: Option<&'a RawValue>,
}

/// Parses one Falco alert.
pub(crate) fn parse(text: &str) -> Outcome<'_> {
    if let Some(reject) = crate::document::expect_object(text, "Falco alert") {
        return reject;
    }
    let mut a: Alert<'_> = match serde_json::from_str(text) {
        Ok(a) => a,
        Err(err) => return Outcome::Reject(format!("malformed Falco alert: {err}")),
    };
    let envelope = EnvelopeMembers {
        inner: a.log.take(),
        ..EnvelopeMembers::default()
    };
    if let Some(envelope) = envelope.envelope() {
        return Outcome::Envelope(envelope);
    }
    let mut event = Event::new_boxed(&ocsf::DETECTION_FINDING, 1, SourceFormat::FalcoAlert);
    event.time = a.time.get().and_then(parse_time_ms).unwrap_or(0);
    event.severity_id = a
        .priority
        .get()
        .and_then(FalcoPriority::parse)
        .map_or(Severity::Unknown, Severity::from_falco);
    event.message = a.output.take();
    event.metadata.event_code = a.rule.cloned();
    event.metadata.log_name = a.source.cloned();
    if let Some(host) = a.hostname.cloned() {
        event.src_endpoint = Some(Box::new(Endpoint {
            hostname: Some(host),
            ..Endpoint::default()
        }));
    }
    let mut unmapped: Vec<(Cow<'_, str>, JsonValue<'_>)> = Vec::new();
    for (key, value) in [
        ("rule", a.rule.take()),
        ("priority", a.priority.take()),
        ("source", a.source.take()),
        ("hostname", a.hostname.take()),
    ] {
        if let Some(value) = value {
            unmapped.push((Cow::Borrowed(key), JsonValue::String(value)));
        }
    }
    for (key, raw) in [("tags", a.tags), ("output_fields", a.output_fields)] {
        if let Some(value) = raw.and_then(|r| JsonValue::parse(r.get()).ok()) {
            unmapped.push((Cow::Borrowed(key), value));
        }
    }
    if !unmapped.is_empty() {
        event.unmapped = Some(JsonValue::Object(unmapped));
    }
    event.raw = RawRecord::json_validated(text);
    Outcome::Event(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use logsec_event::{FieldPath, FieldValue};

    #[test]
    fn alert_maps_to_a_detection_finding() {
        let text = r#"{"hostname":"node-1","output":"Shell spawned in container","priority":"Warning","rule":"Terminal shell in container","source":"syscall","tags":["container","shell"],"time":"2024-02-01T10:00:00.123456789Z","output_fields":{"container.id":"abc","proc.name":"bash"}}"#;
        let Outcome::Event(e) = parse(text) else {
            panic!()
        };
        assert_eq!((e.class_uid, e.activity_id, e.type_uid), (2004, 1, 200401));
        assert_eq!(e.severity_id, Severity::Medium);
        assert_eq!(e.time, 1_706_781_600_123);
        assert_eq!(e.message.as_deref(), Some("Shell spawned in container"));
        assert_eq!(
            e.metadata.event_code.as_deref(),
            Some("Terminal shell in container")
        );
        let proc = FieldPath::parse("unmapped.output_fields.proc\\.name");
        if let Ok(path) = proc {
            let _ = e.get(&path);
        }
        let tags = e.unmapped.as_ref().unwrap().get("tags").unwrap();
        assert!(matches!(tags, JsonValue::Array(items) if items.len() == 2));
        let raw = FieldPath::parse("raw.rule").unwrap();
        assert_eq!(
            e.get(&raw),
            FieldValue::Str("Terminal shell in container".into())
        );
    }
}
