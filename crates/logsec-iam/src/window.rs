//! Time windows, measured back from the newest event in the input (never the wall clock, so an
//! archive from last year analyses the same as today's logs).

use serde::{Deserialize, Serialize};

use crate::error::IamError;

const SECOND_MS: i64 = 1000;

/// Reads a duration such as `90d`, `12h`, `30m`, `45s` or `2w` into milliseconds.
///
/// ```
/// use logsec_iam::parse_duration_ms;
/// assert_eq!(parse_duration_ms("90d")?, 90 * 86_400_000);
/// assert_eq!(parse_duration_ms("12h")?, 12 * 3_600_000);
/// assert!(parse_duration_ms("90").is_err());
/// # Ok::<(), logsec_iam::IamError>(())
/// ```
pub fn parse_duration_ms(text: &str) -> Result<i64, IamError> {
    let error = |reason: &str| IamError::Duration {
        text: text.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| error("needs a unit: s, m, h, d or w"))?;
    let (number, unit) = trimmed.split_at(split);
    let number: i64 = number
        .parse()
        .map_err(|_| error("needs a whole number before the unit"))?;
    let unit_ms = match unit {
        "s" => SECOND_MS,
        "m" => 60 * SECOND_MS,
        "h" => 3600 * SECOND_MS,
        "d" => 86_400 * SECOND_MS,
        "w" => 7 * 86_400 * SECOND_MS,
        _ => return Err(error("unknown unit; use s, m, h, d or w")),
    };
    if number == 0 {
        return Err(error("must be greater than zero"));
    }
    number
        .checked_mul(unit_ms)
        .ok_or_else(|| error("is too long"))
}

/// What to analyse: the window lengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// Length of the analysis window ending at the newest event (default 90 days).
    pub since_ms: i64,
    /// Length of the baseline: the first part of the analysis window, against which the rest
    /// (the recent window) is compared for privilege creep. `None` turns creep analysis off.
    pub baseline_ms: Option<i64>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            since_ms: 90 * 86_400 * SECOND_MS,
            baseline_ms: Some(30 * 86_400 * SECOND_MS),
        }
    }
}

impl ReportOptions {
    /// Options from CLI-style durations (`--since 90d --baseline 30d`).
    pub fn from_durations(since: &str, baseline: Option<&str>) -> Result<ReportOptions, IamError> {
        Ok(ReportOptions {
            since_ms: parse_duration_ms(since)?,
            baseline_ms: baseline.map(parse_duration_ms).transpose()?,
        })
    }
}

/// The windows of one analysis, in milliseconds since the epoch (start inclusive, end
/// inclusive: the end is the newest event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Windows {
    /// Start of the analysis window (`end - since`).
    pub start_ms: i64,
    /// The newest event in the input.
    pub end_ms: i64,
    /// Where the recent window starts (`start + baseline`); `None` when there is no baseline.
    /// The baseline window is `[start, recent_start)`, the recent window `[recent_start, end]`.
    pub recent_start_ms: Option<i64>,
}

impl Windows {
    /// The windows ending at `newest_ms`.
    pub fn new(newest_ms: i64, options: &ReportOptions) -> Result<Windows, IamError> {
        if options.since_ms <= 0 {
            return Err(IamError::Window("since must be positive".into()));
        }
        let start_ms = newest_ms.saturating_sub(options.since_ms);
        let recent_start_ms = match options.baseline_ms {
            Some(baseline) if baseline <= 0 || baseline >= options.since_ms => {
                return Err(IamError::Window(format!(
                    "the baseline ({}) must be shorter than the analysis window ({}): it is \
                     the first part of that window",
                    describe_ms(baseline),
                    describe_ms(options.since_ms)
                )));
            }
            Some(baseline) => Some(start_ms.saturating_add(baseline)),
            None => None,
        };
        Ok(Windows {
            start_ms,
            end_ms: newest_ms,
            recent_start_ms,
        })
    }

    /// Whether a time falls in the analysis window.
    pub fn contains(&self, time_ms: i64) -> bool {
        time_ms >= self.start_ms && time_ms <= self.end_ms
    }

    /// Whether a time falls in the baseline window.
    pub fn in_baseline(&self, time_ms: i64) -> bool {
        self.recent_start_ms
            .is_some_and(|recent| time_ms >= self.start_ms && time_ms < recent)
    }

    /// Whether a time falls in the recent window.
    pub fn in_recent(&self, time_ms: i64) -> bool {
        self.recent_start_ms
            .is_some_and(|recent| time_ms >= recent && time_ms <= self.end_ms)
    }
}

/// `90d`, `12h`, `1500ms`: the largest whole unit.
pub(crate) fn describe_ms(ms: i64) -> String {
    for (unit, size) in [
        ("w", 7 * 86_400_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
    ] {
        if ms % size == 0 && ms != 0 {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("2w").unwrap(), 14 * 86_400_000);
        assert_eq!(parse_duration_ms("45s").unwrap(), 45_000);
        assert!(parse_duration_ms("0d").is_err());
        assert!(parse_duration_ms("5y").is_err());
        assert!(parse_duration_ms("d").is_err());
        assert!(parse_duration_ms("99999999999999999999d").is_err());
        assert_eq!(describe_ms(90 * 86_400_000), "90d");
        assert_eq!(describe_ms(14 * 86_400_000), "2w");
    }

    #[test]
    fn windows_from_newest_event() {
        let options = ReportOptions::from_durations("10d", Some("4d")).unwrap();
        let day = 86_400_000;
        let w = Windows::new(100 * day, &options).unwrap();
        assert_eq!(w.start_ms, 90 * day);
        assert_eq!(w.recent_start_ms, Some(94 * day));
        assert!(w.in_baseline(90 * day) && !w.in_baseline(94 * day));
        assert!(w.in_recent(94 * day) && w.in_recent(100 * day));
        assert!(!w.contains(90 * day - 1));
        let bad = ReportOptions::from_durations("10d", Some("10d")).unwrap();
        assert!(Windows::new(0, &bad).is_err());
    }
}
