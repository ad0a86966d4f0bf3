//! Severity: OCSF `severity_id`, Falco priorities and Sigma levels in one table.
//!
//! | OCSF `severity_id` | name          | Falco priority (in)                 | Falco priority (out) | Sigma level (in) | Sigma level (out) |
//! |--------------------|---------------|-------------------------------------|----------------------|------------------|-------------------|
//! | 0                  | Unknown       | —                                   | Debug                | —                | informational     |
//! | 1                  | Informational | Informational, Info, Debug          | Informational        | informational    | informational     |
//! | 2                  | Low           | Notice                              | Notice               | low              | low               |
//! | 3                  | Medium        | Warning, Warn                       | Warning              | medium           | medium            |
//! | 4                  | High          | Error, Err                          | Error                | high             | high              |
//! | 5                  | Critical      | Critical, Crit, Alert               | Critical             | critical         | critical          |
//! | 6                  | Fatal         | Emergency, Emerg                    | Emergency            | —                | critical          |
//! | 99                 | Other         | —                                   | Informational        | —                | informational     |
//!
//! Falco has eight priorities and Sigma five levels; OCSF sits between. Falco's `Alert` and
//! `Critical` both become Critical (Falco documents Alert as "action must be taken immediately",
//! which is what Critical means in OCSF), Falco's `Debug` folds into Informational, and only
//! `Emergency` reaches Fatal. Going out, each OCSF value picks the closest name of the dialect.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The OCSF severity of an event or alert (`severity_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Severity {
    /// 0: the severity is not known.
    #[default]
    Unknown,
    /// 1: informational.
    Informational,
    /// 2: low.
    Low,
    /// 3: medium.
    Medium,
    /// 4: high.
    High,
    /// 5: critical.
    Critical,
    /// 6: fatal.
    Fatal,
    /// 99: a source-specific severity with no OCSF equivalent.
    Other,
}

/// Falco's rule priorities, from most to least severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FalcoPriority {
    /// `EMERGENCY`.
    Emergency,
    /// `ALERT`.
    Alert,
    /// `CRITICAL`.
    Critical,
    /// `ERROR`.
    Error,
    /// `WARNING`.
    Warning,
    /// `NOTICE`.
    Notice,
    /// `INFORMATIONAL` (also `INFO`).
    Informational,
    /// `DEBUG`.
    Debug,
}

impl Severity {
    /// Every severity, in `severity_id` order.
    pub const ALL: [Severity; 8] = [
        Severity::Unknown,
        Severity::Informational,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
        Severity::Fatal,
        Severity::Other,
    ];

    /// The OCSF `severity_id`.
    pub fn id(self) -> u8 {
        match self {
            Severity::Unknown => 0,
            Severity::Informational => 1,
            Severity::Low => 2,
            Severity::Medium => 3,
            Severity::High => 4,
            Severity::Critical => 5,
            Severity::Fatal => 6,
            Severity::Other => 99,
        }
    }

    /// The severity with this OCSF `severity_id`, if it is one.
    pub fn from_id(id: i64) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|severity| i64::from(severity.id()) == id)
    }

    /// The OCSF caption (`severity`): "Informational", "High", ….
    pub fn name(self) -> &'static str {
        match self {
            Severity::Unknown => "Unknown",
            Severity::Informational => "Informational",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
            Severity::Fatal => "Fatal",
            Severity::Other => "Other",
        }
    }

    /// Rank for "at least" comparisons: Other ranks with Informational, since it carries no
    /// claim of importance.
    pub fn rank(self) -> u8 {
        match self {
            Severity::Other => 1,
            other => other.id(),
        }
    }

    /// Whether this severity is at or above `min` (by [`Severity::rank`]).
    pub fn at_least(self, min: Severity) -> bool {
        self.rank() >= min.rank()
    }

    /// The severity of a Falco priority, as in the module table.
    pub fn from_falco(priority: FalcoPriority) -> Severity {
        match priority {
            FalcoPriority::Emergency => Severity::Fatal,
            FalcoPriority::Alert | FalcoPriority::Critical => Severity::Critical,
            FalcoPriority::Error => Severity::High,
            FalcoPriority::Warning => Severity::Medium,
            FalcoPriority::Notice => Severity::Low,
            FalcoPriority::Informational | FalcoPriority::Debug => Severity::Informational,
        }
    }

    /// The closest Falco priority, as in the module table.
    pub fn to_falco(self) -> FalcoPriority {
        match self {
            Severity::Fatal => FalcoPriority::Emergency,
            Severity::Critical => FalcoPriority::Critical,
            Severity::High => FalcoPriority::Error,
            Severity::Medium => FalcoPriority::Warning,
            Severity::Low => FalcoPriority::Notice,
            Severity::Informational | Severity::Other => FalcoPriority::Informational,
            Severity::Unknown => FalcoPriority::Debug,
        }
    }

    /// The severity of a Sigma `level`, ignoring ASCII case.
    pub fn from_sigma_level(level: &str) -> Option<Severity> {
        let level = level.trim();
        [
            ("informational", Severity::Informational),
            ("low", Severity::Low),
            ("medium", Severity::Medium),
            ("high", Severity::High),
            ("critical", Severity::Critical),
        ]
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(level))
        .map(|(_, severity)| severity)
    }

    /// The closest Sigma level, as in the module table.
    pub fn to_sigma_level(self) -> &'static str {
        match self {
            Severity::Fatal | Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Informational | Severity::Unknown | Severity::Other => "informational",
        }
    }
}

impl FalcoPriority {
    /// The name Falco writes in its alerts ("Critical", "Warning", …).
    pub fn name(self) -> &'static str {
        match self {
            FalcoPriority::Emergency => "Emergency",
            FalcoPriority::Alert => "Alert",
            FalcoPriority::Critical => "Critical",
            FalcoPriority::Error => "Error",
            FalcoPriority::Warning => "Warning",
            FalcoPriority::Notice => "Notice",
            FalcoPriority::Informational => "Informational",
            FalcoPriority::Debug => "Debug",
        }
    }

    /// Parses a priority the way Falco does: case-insensitive, with its short spellings.
    pub fn parse(text: &str) -> Option<FalcoPriority> {
        let text = text.trim();
        [
            ("emergency", FalcoPriority::Emergency),
            ("emerg", FalcoPriority::Emergency),
            ("alert", FalcoPriority::Alert),
            ("critical", FalcoPriority::Critical),
            ("crit", FalcoPriority::Critical),
            ("error", FalcoPriority::Error),
            ("err", FalcoPriority::Error),
            ("warning", FalcoPriority::Warning),
            ("warn", FalcoPriority::Warning),
            ("notice", FalcoPriority::Notice),
            ("informational", FalcoPriority::Informational),
            ("info", FalcoPriority::Informational),
            ("debug", FalcoPriority::Debug),
        ]
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text))
        .map(|(_, priority)| priority)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing a severity name that no table knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown severity {0:?}; use an OCSF name (informational, low, medium, high, critical, fatal), a Falco priority or a number"
)]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;

    /// Accepts OCSF captions, Sigma levels, Falco priorities and numeric ids.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        if let Ok(id) = text.parse::<i64>() {
            return Severity::from_id(id).ok_or_else(|| UnknownSeverity(s.to_owned()));
        }
        if let Some(severity) = Severity::ALL
            .into_iter()
            .find(|severity| severity.name().eq_ignore_ascii_case(text))
        {
            return Ok(severity);
        }
        if let Some(severity) = Severity::from_sigma_level(text) {
            return Ok(severity);
        }
        FalcoPriority::parse(text)
            .map(Severity::from_falco)
            .ok_or_else(|| UnknownSeverity(s.to_owned()))
    }
}

impl Serialize for Severity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.id())
    }
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = i64::deserialize(deserializer)?;
        Severity::from_id(id)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid OCSF severity_id {id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocsf_ids_match_the_schema_enum() {
        let ids: Vec<u8> = Severity::ALL.iter().map(|s| s.id()).collect();
        assert_eq!(ids, [0, 1, 2, 3, 4, 5, 6, 99]);
    }

    #[test]
    fn falco_priorities_map_as_documented() {
        let table = [
            ("EMERGENCY", Severity::Fatal),
            ("ALERT", Severity::Critical),
            ("CRITICAL", Severity::Critical),
            ("ERROR", Severity::High),
            ("WARNING", Severity::Medium),
            ("NOTICE", Severity::Low),
            ("INFORMATIONAL", Severity::Informational),
            ("INFO", Severity::Informational),
            ("DEBUG", Severity::Informational),
        ];
        for (name, expected) in table {
            let priority = FalcoPriority::parse(name).unwrap();
            assert_eq!(Severity::from_falco(priority), expected, "{name}");
        }
        assert_eq!(Severity::High.to_falco(), FalcoPriority::Error);
        assert_eq!(Severity::Fatal.to_falco(), FalcoPriority::Emergency);
        assert_eq!(Severity::Unknown.to_falco(), FalcoPriority::Debug);
    }

    #[test]
    fn sigma_levels_map_both_ways() {
        for (level, id) in [
            ("informational", 1),
            ("low", 2),
            ("medium", 3),
            ("high", 4),
            ("critical", 5),
        ] {
            let severity = Severity::from_sigma_level(level).unwrap();
            assert_eq!(severity.id(), id);
            assert_eq!(severity.to_sigma_level(), level);
        }
        assert_eq!(Severity::Fatal.to_sigma_level(), "critical");
        assert_eq!(Severity::from_sigma_level("severe"), None);
    }

    #[test]
    fn parse_accepts_every_spelling() {
        assert_eq!("high".parse::<Severity>().unwrap(), Severity::High);
        assert_eq!("Warning".parse::<Severity>().unwrap(), Severity::Medium);
        assert_eq!("4".parse::<Severity>().unwrap(), Severity::High);
        assert_eq!("fatal".parse::<Severity>().unwrap(), Severity::Fatal);
        assert!("7".parse::<Severity>().is_err());
        assert!("loud".parse::<Severity>().is_err());
    }

    #[test]
    fn at_least_orders_by_rank() {
        assert!(Severity::Critical.at_least(Severity::High));
        assert!(!Severity::Low.at_least(Severity::Medium));
        assert!(Severity::Other.at_least(Severity::Informational));
        assert!(!Severity::Other.at_least(Severity::Low));
    }
}
