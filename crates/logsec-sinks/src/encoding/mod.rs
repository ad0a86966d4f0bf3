//! How an alert becomes bytes: OCSF JSON, Falco-compatible JSON, Falco-like text, or a chat
//! webhook body rendered from a template.

mod falco;
mod template;
mod text;

use logsec_event::Alert;

pub use self::falco::{falco_json, falco_source, falco_time};
pub use self::template::{DEFAULT_TEMPLATE, Template};
pub use self::text::text_line;

/// The form in which a sink writes alerts.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Encoding {
    /// The OCSF Detection Finding JSON of [`Alert::to_ocsf_json`] (the default).
    #[default]
    Ocsf,
    /// Falco's JSON output: `time`, `rule`, `priority`, `output`, `output_fields`, `source`,
    /// `tags`, `hostname`.
    FalcoJson,
    /// Falco's one-line text output: `HH:MM:SS.nnnnnnnnn: Priority message`.
    Text,
    /// A Slack/Teams-compatible `{"text": "…"}` body rendered from a [`Template`].
    Template(Template),
}

impl Encoding {
    /// Parses an encoding name: `ocsf`, `falco_json` (or `falco`), `text`, `template` (with the
    /// default template).
    pub fn from_name(name: &str) -> Option<Encoding> {
        match name.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "ocsf" | "json" => Some(Encoding::Ocsf),
            "falco_json" | "falco" => Some(Encoding::FalcoJson),
            "text" => Some(Encoding::Text),
            "template" | "slack" | "teams" => Some(Encoding::Template(Template::default())),
            _ => None,
        }
    }
}

/// Turns alerts into lines and request bodies, with the hostname Falco-style outputs carry.
#[derive(Debug, Clone, Default)]
pub struct Encoder {
    encoding: Encoding,
    hostname: String,
}

impl Encoder {
    /// An encoder for `encoding` that writes `hostname` where the form has one.
    pub fn new(encoding: Encoding, hostname: impl Into<String>) -> Encoder {
        Encoder {
            encoding,
            hostname: hostname.into(),
        }
    }

    /// The encoding.
    pub fn encoding(&self) -> &Encoding {
        &self.encoding
    }

    /// One alert as one line, without the newline. Never contains a raw newline: JSON escapes
    /// them and the text forms replace them with spaces.
    pub fn line(&self, alert: &Alert) -> String {
        match &self.encoding {
            Encoding::Ocsf => alert.to_ocsf_json(),
            Encoding::FalcoJson => falco_json(alert, &self.hostname).to_string(),
            Encoding::Text => text_line(alert),
            Encoding::Template(template) => {
                serde_json::json!({ "text": template.render(alert, &self.hostname) }).to_string()
            }
        }
    }

    /// A request body for a batch of alerts: for the JSON forms one object when the batch has
    /// one alert and a JSON array otherwise; for text, one line per alert; for a template, one
    /// `{"text": …}` object whose text joins the rendered alerts with newlines (chat webhooks
    /// take one message per request).
    pub fn body(&self, alerts: &[Alert]) -> Vec<u8> {
        match (&self.encoding, alerts) {
            (Encoding::Ocsf, [one]) => one.to_ocsf_json().into_bytes(),
            (Encoding::FalcoJson, [one]) => {
                falco_json(one, &self.hostname).to_string().into_bytes()
            }
            (Encoding::Ocsf, _) => serde_json::to_vec(alerts).unwrap_or_else(|_| b"[]".to_vec()),
            (Encoding::FalcoJson, _) => serde_json::Value::Array(
                alerts
                    .iter()
                    .map(|alert| falco_json(alert, &self.hostname))
                    .collect(),
            )
            .to_string()
            .into_bytes(),
            (Encoding::Text, _) => {
                let mut out = String::new();
                for alert in alerts {
                    out.push_str(&text_line(alert));
                    out.push('\n');
                }
                out.into_bytes()
            }
            (Encoding::Template(template), _) => {
                let text: Vec<String> = alerts
                    .iter()
                    .map(|alert| template.render(alert, &self.hostname))
                    .collect();
                serde_json::json!({ "text": text.join("\n") })
                    .to_string()
                    .into_bytes()
            }
        }
    }

    /// The `Content-Type` of [`Encoder::body`].
    pub fn content_type(&self) -> &'static str {
        match self.encoding {
            Encoding::Text => "text/plain; charset=utf-8",
            _ => "application/json",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logsec_event::{AlertBuilder, RuleRef, Severity, SourceFormat};
    use std::collections::BTreeMap;

    fn alert() -> Alert {
        let mut fields = BTreeMap::new();
        fields.insert("ct.user".to_owned(), serde_json::json!("alice"));
        fields.insert("ct.count".to_owned(), serde_json::json!(3));
        let mut alert = AlertBuilder::new(
            RuleRef {
                id: "r-1".into(),
                title: "Console login without MFA".into(),
                tags: vec!["aws".into(), "mitre_initial_access".into()],
                ..RuleRef::default()
            },
            Severity::Critical,
        )
        .message("login by alice\nfrom 1.2.3.4")
        .output_fields(fields)
        .related_id("e-1", 1_700_000_000_123)
        .build();
        alert.unmapped.source = Some(SourceFormat::Cloudtrail);
        alert
    }

    #[test]
    fn falco_json_has_falco_fields_and_time_format() {
        let value = falco_json(&alert(), "host-1");
        assert_eq!(value["time"], "2023-11-14T22:13:20.123000000Z");
        assert_eq!(value["rule"], "Console login without MFA");
        assert_eq!(value["priority"], "Critical");
        assert_eq!(value["source"], "aws_cloudtrail");
        assert_eq!(value["hostname"], "host-1");
        assert_eq!(
            value["tags"],
            serde_json::json!(["aws", "mitre_initial_access"])
        );
        assert_eq!(value["output_fields"]["ct.user"], "alice");
        assert_eq!(
            value["output"],
            "22:13:20.123000000: Critical login by alice from 1.2.3.4"
        );
    }

    #[test]
    fn text_is_one_line() {
        assert_eq!(
            text_line(&alert()),
            "22:13:20.123000000: Critical login by alice from 1.2.3.4"
        );
    }

    #[test]
    fn templates_substitute_escape_and_keep_unknown_names() {
        let template = Template::new(
            "{{{severity}}} {rule} ({rule_id}, {priority}) {field:ct.user}/{field:ct.count}/{field:none}| {tags} {source} {hostname} {count} {suppressed} {bogus} {unclosed",
        );
        assert_eq!(
            template.render(&alert(), "h"),
            "{Critical} Console login without MFA (r-1, Critical) alice/3/| aws, mitre_initial_access aws_cloudtrail h 1 0 {bogus} {unclosed"
        );
        assert_eq!(Template::new("a}b").render(&alert(), ""), "a}b");
    }

    #[test]
    fn bodies_batch_as_arrays_or_joined_text() {
        let alerts = [alert(), alert()];
        let ocsf = Encoder::new(Encoding::Ocsf, "h");
        let one: serde_json::Value = serde_json::from_slice(&ocsf.body(&alerts[..1])).unwrap();
        assert_eq!(one["class_uid"], 2004);
        let many: serde_json::Value = serde_json::from_slice(&ocsf.body(&alerts)).unwrap();
        assert_eq!(many.as_array().map(Vec::len), Some(2));
        let chat = Encoder::new(Encoding::Template(Template::new("{rule}")), "h");
        let body: serde_json::Value = serde_json::from_slice(&chat.body(&alerts)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"text": "Console login without MFA\nConsole login without MFA"})
        );
        let text = Encoder::new(Encoding::Text, "h");
        assert_eq!(
            text.body(&alerts).iter().filter(|&&b| b == b'\n').count(),
            2
        );
        assert_eq!(text.content_type(), "text/plain; charset=utf-8");
        assert_eq!(Encoding::from_name("Falco-JSON"), Some(Encoding::FalcoJson));
        assert_eq!(Encoding::from_name("xml"), None);
    }
}
