//! The Sigma front-end's API: load report lines, warnings, alerts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use logsec_event::{Dialect, Event, RawRecord, Severity, SourceFormat, ocsf};
use logsec_rules::RuleStatus;
use logsec_rules::sigma::{SigmaConfig, SigmaLoader};

const FILE: &str = r#"
title: Trail stopped
id: 22222222-2222-4222-8222-222222222222
author: Jane Doe, John Roe
level: high
tags: [attack.defense-evasion, attack.t1562.008]
logsource: {product: aws, service: cloudtrail}
detection:
  sel:
    eventName: StopLogging
    src_country: XX
  condition: sel
---
title: Windows thing
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\evil.exe'}
  condition: sel
---
title: Old
status: deprecated
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: X}
  condition: sel
---
title: Broken
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: X}
  condition: sel and
---
logsource: {product: aws, service: cloudtrail}
"#;

#[test]
fn report_lines_statuses_and_warnings() {
    let mut loader = SigmaLoader::new(SigmaConfig::default());
    loader.add_file("mixed.yml", FILE);
    let rules = loader.load().unwrap();
    let report = rules.report();
    let statuses: Vec<(&str, RuleStatus)> = report
        .rules
        .iter()
        .map(|r| (r.title.as_str(), r.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("Trail stopped", RuleStatus::Compiled),
            ("Windows thing", RuleStatus::Compiled),
            ("Old", RuleStatus::Disabled),
            ("Broken", RuleStatus::Error),
            ("", RuleStatus::Error),
        ]
    );
    let lines: Vec<Option<&str>> = report.rules.iter().map(|r| r.location.as_deref()).collect();
    assert_eq!(
        lines,
        [
            Some("line 2"),
            Some("line 14"),
            Some("line 20"),
            Some("line 27"),
            Some("line 33")
        ]
    );
    assert!(
        report.rules[0]
            .warnings
            .iter()
            .any(|w| w.contains("src_country"))
    );
    assert!(
        report.rules[1]
            .warnings
            .iter()
            .any(|w| w.contains("can never match"))
    );
    assert!(
        report.rules[3]
            .reason
            .as_deref()
            .unwrap()
            .contains("condition")
    );
    assert!(report.rules[4].reason.as_deref().unwrap().contains("title"));
    // The Windows rule is not evaluated at all.
    assert_eq!(rules.rule_set().len(), 1);
}

#[test]
fn alerts_keep_the_rule_author_and_metadata() {
    let mut loader = SigmaLoader::new(SigmaConfig::default());
    loader.add_file("rules/trail.yml", FILE);
    let rules = loader.load().unwrap();
    let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::Cloudtrail);
    event.raw = RawRecord::json(r#"{"eventName":"StopLogging","src_country":"xx"}"#);
    event.metadata.original_event_uid = Some("ev-1".into());
    let mut matches = Vec::new();
    rules.matches(&event, &mut matches);
    assert_eq!(matches.len(), 1);
    let alert = rules.alert(matches[0], &event).unwrap();
    let rule = &alert.unmapped.rule;
    assert_eq!(rule.author.as_deref(), Some("Jane Doe, John Roe"));
    assert_eq!(rule.id, "22222222-2222-4222-8222-222222222222");
    assert_eq!(rule.dialect, Some(Dialect::Sigma));
    assert_eq!(rule.source_file.as_deref(), Some("rules/trail.yml"));
    assert_eq!(alert.severity_id, Severity::High);
    assert_eq!(alert.finding_info.related_events[0].uid, "ev-1");
    assert!(!alert.attacks.is_empty());
    // Events of another format never reach the rule.
    let mut other = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
    other.raw = RawRecord::json(r#"{"eventName":"StopLogging","src_country":"xx"}"#);
    matches.clear();
    rules.matches(&other, &mut matches);
    assert!(matches.is_empty());
}

#[test]
fn yaml_errors_are_reported_with_a_line() {
    let mut loader = SigmaLoader::new(SigmaConfig::default());
    loader.add_file("bad.yml", "title: x\ndetection: [\n");
    let rules = loader.load().unwrap();
    let line = &rules.report().rules[0];
    assert_eq!(line.status, RuleStatus::Error);
    assert!(line.reason.as_deref().unwrap().starts_with("YAML"));
    assert!(line.location.is_some(), "{line:?}");
}
