//! Chat webhook templates (Slack, Microsoft Teams, Mattermost, Discord-style `{"text": …}`).

use logsec_event::Alert;

use super::falco::{falco_source, falco_time};

/// A message template with `{placeholder}` substitution.
///
/// | placeholder | value |
/// |---|---|
/// | `{rule}` | the rule title |
/// | `{rule_id}` | the rule id |
/// | `{severity}` | the OCSF severity caption (`High`) |
/// | `{priority}` | the Falco priority (`Error`) |
/// | `{message}` | the rendered rule output |
/// | `{time}` | the alert time, RFC 3339 with nanoseconds |
/// | `{uid}` | the alert id |
/// | `{source}` | the event source (`aws_cloudtrail`, `k8s_audit`, format name) |
/// | `{tags}` | the rule tags, comma-separated |
/// | `{hostname}` | the configured hostname |
/// | `{count}` | how many events triggered the alert |
/// | `{suppressed}` | how many similar alerts flood control suppressed before this one (0 if none) |
/// | `{field:NAME}` | the output field `NAME` (e.g. `{field:ct.user}`), empty when absent |
///
/// `{{` and `}}` write literal braces; an unknown placeholder is written back unchanged so that
/// a typo shows in the message instead of vanishing.
///
/// ```
/// use logsec_sinks::Template;
/// let template = Template::new("*{severity}* {rule}: {message}");
/// assert_eq!(template.as_str(), "*{severity}* {rule}: {message}");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    text: String,
}

/// The default chat template.
pub const DEFAULT_TEMPLATE: &str = "[{severity}] {rule}: {message}";

impl Default for Template {
    fn default() -> Self {
        Template::new(DEFAULT_TEMPLATE)
    }
}

impl Template {
    /// A template from its text.
    pub fn new(text: impl Into<String>) -> Template {
        Template { text: text.into() }
    }

    /// The template text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Renders the template for one alert.
    pub fn render(&self, alert: &Alert, hostname: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + alert.message.len());
        let mut rest = self.text.as_str();
        while let Some(position) = rest.find(['{', '}']) {
            let (before, after) = rest.split_at(position);
            out.push_str(before);
            if let Some(tail) = after.strip_prefix("{{") {
                out.push('{');
                rest = tail;
            } else if let Some(tail) = after.strip_prefix("}}") {
                out.push('}');
                rest = tail;
            } else if let Some(tail) = after.strip_prefix('{') {
                match tail.find('}') {
                    Some(end) => {
                        let name = &tail[..end];
                        match placeholder(name, alert, hostname) {
                            Some(value) => out.push_str(&value),
                            None => {
                                out.push('{');
                                out.push_str(name);
                                out.push('}');
                            }
                        }
                        rest = &tail[end + 1..];
                    }
                    None => {
                        out.push_str(after);
                        rest = "";
                    }
                }
            } else {
                // A lone `}`.
                out.push('}');
                rest = &after[1..];
            }
        }
        out.push_str(rest);
        out
    }
}

fn placeholder(name: &str, alert: &Alert, hostname: &str) -> Option<String> {
    let rule = alert.rule();
    Some(match name.trim() {
        "rule" => rule.title.clone(),
        "rule_id" => rule.id.clone(),
        "severity" => alert.severity().name().to_owned(),
        "priority" => alert.severity().to_falco().name().to_owned(),
        "message" => alert.message.clone(),
        "time" => falco_time(alert),
        "uid" => alert.uid().to_owned(),
        "source" => falco_source(alert),
        "tags" => rule.tags.join(", "),
        "hostname" => hostname.to_owned(),
        "count" => alert
            .finding_info
            .related_events_count
            .unwrap_or(alert.finding_info.related_events.len() as u64)
            .to_string(),
        "suppressed" => alert.unmapped.suppressed_count.unwrap_or(0).to_string(),
        other => {
            let field = other.strip_prefix("field:")?;
            match alert.unmapped.output_fields.get(field) {
                Some(serde_json::Value::String(text)) => text.clone(),
                Some(serde_json::Value::Null) | None => String::new(),
                Some(value) => value.to_string(),
            }
        }
    })
}
