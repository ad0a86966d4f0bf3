//! The load report: what happened to every rule, in a JSON form tools can rely on.
//!
//! ```json
//! {"rules": [{"path": "rules/x.yml", "id": "…", "title": "…", "dialect": "sigma",
//!             "status": "compiled", "reason": null, "location": null, "warnings": []}]}
//! ```

use serde::{Deserialize, Serialize};

/// What happened to one rule at load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleStatus {
    /// Compiled; it runs (or, with a warning, can never match).
    Compiled,
    /// Uses a construct logsec does not support; `reason` says which.
    Unsupported,
    /// Malformed or invalid; `reason` and `location` say where and why.
    Error,
    /// Present but switched off (`enabled: false`, a deprecated status, …).
    Disabled,
}

/// One rule's line in the [`LoadReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleReport {
    /// The file the rule came from.
    pub path: String,
    /// The rule's id (Sigma `id`, Falco rule name), if it has one.
    pub id: Option<String>,
    /// The rule's title.
    pub title: String,
    /// `sigma` or `falco`.
    pub dialect: String,
    /// The outcome.
    pub status: RuleStatus,
    /// Why the rule is not compiled (or was disabled); `None` when compiled.
    pub reason: Option<String>,
    /// Where in the file (`line N`, a YAML path), for errors.
    pub location: Option<String>,
    /// Things that compiled but deserve attention: unmapped fields, a logsource no source
    /// produces, …
    pub warnings: Vec<String>,
}

/// Every rule seen at load, compiled or not. No rule is dropped silently.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LoadReport {
    /// One entry per rule, in load order.
    pub rules: Vec<RuleReport>,
}

impl LoadReport {
    /// The report as JSON, in its fixed form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// How many rules have `status`.
    pub fn count(&self, status: RuleStatus) -> usize {
        self.rules.iter().filter(|r| r.status == status).count()
    }

    /// Appends another report's entries.
    pub fn extend(&mut self, other: LoadReport) {
        self.rules.extend(other.rules);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_form_is_fixed() {
        let report = LoadReport {
            rules: vec![RuleReport {
                path: "r.yml".into(),
                id: None,
                title: "T".into(),
                dialect: "sigma".into(),
                status: RuleStatus::Unsupported,
                reason: Some("why".into()),
                location: None,
                warnings: vec!["w".into()],
            }],
        };
        assert_eq!(
            report.to_json(),
            r#"{"rules":[{"path":"r.yml","id":null,"title":"T","dialect":"sigma","status":"unsupported","reason":"why","location":null,"warnings":["w"]}]}"#
        );
        assert_eq!(report.count(RuleStatus::Unsupported), 1);
        let back: LoadReport = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(back, report);
    }
}
