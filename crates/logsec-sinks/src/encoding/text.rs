//! Falco-like one-line text output.

use logsec_event::Alert;

use super::falco::utc;

/// `HH:MM:SS.nnnnnnnnn: Priority message` in UTC, as Falco prints alerts, with line breaks in
/// the message replaced by spaces so that one alert is one line. A suppressed count is appended
/// as ` (suppressed N similar)`.
pub fn text_line(alert: &Alert) -> String {
    let time = utc(alert.time).format("%H:%M:%S%.9f");
    let message: String = alert
        .message
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let mut line = format!("{time}: {} {message}", alert.severity().to_falco().name());
    if let Some(count) = alert.unmapped.suppressed_count {
        line.push_str(&format!(" (suppressed {count} similar)"));
    }
    line
}
