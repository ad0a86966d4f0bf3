//! A self-contained HTML report of a scan: no scripts or styles fetched from anywhere, so it
//! opens offline and can be mailed as one file.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use logsec_event::{Alert, Severity};

use crate::pipeline::ScanReport;

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn severity_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Fatal | Severity::Critical => "#7f1d1d",
        Severity::High => "#dc2626",
        Severity::Medium => "#f59e0b",
        Severity::Low => "#2563eb",
        _ => "#6b7280",
    }
}

fn time_text(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| ms.to_string())
}

/// The principal an alert is about: the first evidence's actor (name, else uid), else its
/// source address.
pub fn alert_principal(alert: &Alert) -> Option<String> {
    alert.evidences.iter().find_map(|evidence| {
        let user = evidence
            .actor
            .as_ref()
            .and_then(|a| a.user.as_ref())
            .or(evidence.user.as_ref());
        user.and_then(|u| u.name.as_deref().or(u.uid.as_deref()).map(str::to_owned))
    })
}

/// The source IP of an alert's first evidence that has one.
pub fn alert_source_ip(alert: &Alert) -> Option<String> {
    alert.evidences.iter().find_map(|e| {
        e.src_endpoint
            .as_ref()
            .and_then(|s| s.ip)
            .map(|ip| ip.to_string())
    })
}

/// Renders the alerts of a scan as one HTML page: a timeline by severity, tables per rule and
/// per principal, and each alert with its evidence.
pub fn render_html(alerts: &[Alert], report: &ScanReport) -> String {
    let mut html = String::new();
    html.push_str(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>logsec report</title><style>\
         body{font-family:system-ui,sans-serif;margin:2em;color:#111}table{border-collapse:collapse;margin:1em 0}\
         td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f4f6}\
         .sev{color:#fff;border-radius:3px;padding:1px 6px;font-size:90%}details{margin:.5em 0}\
         pre{background:#f9fafb;padding:8px;overflow:auto;max-height:24em;font-size:85%}</style></head><body>",
    );
    let _ = write!(
        html,
        "<h1>logsec report</h1><p>{} events from {} inputs, {} rejects, <b>{} alerts</b>, scanned in {:.2} s.</p>",
        report.events(),
        report.files.len(),
        report.rejects(),
        alerts.len(),
        report.elapsed.as_secs_f64()
    );
    render_timeline(&mut html, alerts);
    render_counts(&mut html, "Alerts per rule", alerts, |a| {
        Some(a.finding_info.title.clone())
    });
    render_counts(&mut html, "Alerts per principal", alerts, alert_principal);
    html.push_str("<h2>Alerts</h2>");
    for alert in alerts {
        let _ = write!(
            html,
            "<details><summary><span class=\"sev\" style=\"background:{}\">{}</span> {} — <b>{}</b> — {}</summary>",
            severity_color(alert.severity()),
            escape_html(alert.severity().name()),
            escape_html(&time_text(alert.time)),
            escape_html(&alert.finding_info.title),
            escape_html(&alert.message)
        );
        let ids: Vec<&str> = alert
            .finding_info
            .related_events
            .iter()
            .map(|r| r.uid.as_str())
            .collect();
        let _ = write!(
            html,
            "<p>Rule <code>{}</code>{}; related events: {}</p>",
            escape_html(&alert.rule().id),
            alert
                .rule()
                .author
                .as_deref()
                .map(|a| format!(" by {}", escape_html(a)))
                .unwrap_or_default(),
            escape_html(&ids.join(", "))
        );
        for evidence in &alert.evidences {
            let json = serde_json::to_string_pretty(&evidence.data).unwrap_or_default();
            let _ = write!(html, "<pre>{}</pre>", escape_html(&json));
        }
        html.push_str("</details>");
    }
    html.push_str("</body></html>\n");
    html
}

fn render_timeline(html: &mut String, alerts: &[Alert]) {
    let (Some(first), Some(last)) = (
        alerts.iter().map(|a| a.time).min(),
        alerts.iter().map(|a| a.time).max(),
    ) else {
        return;
    };
    let span = (last - first).max(1) as f64;
    let width = 900.0;
    html.push_str("<h2>Timeline</h2><svg width=\"960\" height=\"120\" role=\"img\" aria-label=\"alerts over time\">");
    let rows = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Informational,
    ];
    for (row, severity) in rows.iter().enumerate() {
        let y = 12 + row * 22;
        let _ = write!(
            html,
            "<text x=\"0\" y=\"{}\" font-size=\"10\">{}</text>",
            y + 4,
            severity.name()
        );
        for alert in alerts.iter().filter(|a| {
            let rank = a.severity().rank().min(Severity::Critical.rank());
            rank == severity.rank()
        }) {
            let x = 60.0 + (alert.time - first) as f64 / span * (width - 70.0);
            let _ = write!(
                html,
                "<circle cx=\"{x:.1}\" cy=\"{y}\" r=\"5\" fill=\"{}\"><title>{} {}</title></circle>",
                severity_color(*severity),
                escape_html(&time_text(alert.time)),
                escape_html(&alert.finding_info.title)
            );
        }
    }
    let _ = write!(
        html,
        "<text x=\"60\" y=\"118\" font-size=\"10\">{}</text><text x=\"800\" y=\"118\" font-size=\"10\">{}</text></svg>",
        escape_html(&time_text(first)),
        escape_html(&time_text(last))
    );
}

fn render_counts(
    html: &mut String,
    heading: &str,
    alerts: &[Alert],
    key: impl Fn(&Alert) -> Option<String>,
) {
    let mut counts: BTreeMap<String, (u64, Severity)> = BTreeMap::new();
    for alert in alerts {
        let entry = counts
            .entry(key(alert).unwrap_or_else(|| "—".into()))
            .or_insert((0, Severity::Unknown));
        entry.0 += 1;
        if alert.severity().rank() > entry.1.rank() {
            entry.1 = alert.severity();
        }
    }
    let _ = write!(
        html,
        "<h2>{}</h2><table><tr><th>name</th><th>alerts</th><th>highest severity</th></tr>",
        escape_html(heading)
    );
    for (name, (count, severity)) in counts {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{count}</td><td>{}</td></tr>",
            escape_html(&name),
            severity.name()
        );
    }
    html.push_str("</table>");
}

#[cfg(test)]
mod tests {
    use logsec_event::{AlertBuilder, RuleRef};

    use super::*;

    #[test]
    fn html_is_escaped_and_self_contained() {
        let rule = RuleRef {
            id: "r".into(),
            title: "<script>x</script>".into(),
            ..RuleRef::default()
        };
        let alert = AlertBuilder::new(rule, Severity::High)
            .message("a & b")
            .build();
        let html = render_html(&[alert], &ScanReport::default());
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("a &amp; b"));
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "no external fetches"
        );
        assert!(html.contains("Alerts per rule") && html.contains("<svg"));
    }
}
