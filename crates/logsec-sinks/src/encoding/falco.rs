//! Falco-compatible JSON output.

use chrono::{DateTime, Utc};
use logsec_event::{Alert, SourceFormat};
use serde_json::{Map, Value, json};

use super::text::text_line;

/// The alert time as Falco writes it: RFC 3339, UTC, nanoseconds
/// (`2026-11-28T17:01:02.345000000Z`). Alert times are milliseconds, so the last six digits
/// are zero.
pub fn falco_time(alert: &Alert) -> String {
    utc(alert.time).format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}

pub(crate) fn utc(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or_default()
}

/// Falco's name for the event source of an alert: `aws_cloudtrail` and `k8s_audit` as in the
/// Falco plugins, the logsec format name otherwise, `logsec` when unknown.
pub fn falco_source(alert: &Alert) -> String {
    match alert.unmapped.source {
        Some(SourceFormat::Cloudtrail) => "aws_cloudtrail".to_owned(),
        Some(SourceFormat::K8sAudit) => "k8s_audit".to_owned(),
        Some(other) => other.name().to_owned(),
        None => "logsec".to_owned(),
    }
}

/// The Falco JSON object of an alert (what Falco writes with `json_output: true` and
/// `json_include_output_property`, `json_include_tags_property` on). `output` is the text line,
/// with Falco's time and priority prefix; `uid` is added so that downstream can recognise a
/// replayed alert.
pub fn falco_json(alert: &Alert, hostname: &str) -> Value {
    let rule = alert.rule();
    let output_fields: Map<String, Value> = alert
        .unmapped
        .output_fields
        .iter()
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let mut object = json!({
        "time": falco_time(alert),
        "rule": rule.title,
        "priority": alert.severity().to_falco().name(),
        "output": text_line(alert),
        "output_fields": output_fields,
        "source": falco_source(alert),
        "tags": rule.tags,
        "hostname": hostname,
        "uid": alert.uid(),
    });
    if let (Some(count), Some(map)) = (alert.unmapped.suppressed_count, object.as_object_mut()) {
        map.insert("suppressed_count".to_owned(), json!(count));
    }
    object
}
