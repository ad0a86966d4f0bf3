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
