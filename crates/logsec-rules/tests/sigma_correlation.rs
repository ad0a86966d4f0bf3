//! Sigma correlation rules on hand-written events: every type, group-by, window edges,
//! out-of-order input, eviction, chaining, aliases, generate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use logsec_event::{Event, RawRecord, SourceFormat, ocsf};
use logsec_rules::RuleStatus;
use logsec_rules::sigma::{
    CorrelationConfig, CorrelationEngine, CorrelationMatch, SigmaConfig, SigmaLoader, SigmaRules,
};

const MINUTE: i64 = 60_000;

const BASE: &str = r#"
title: Console login failed
id: 00000000-0000-4000-8000-00000000000a
name: login_failed
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: ConsoleLogin, errorMessage: Failed authentication}
  condition: sel
---
title: Console login succeeded
id: 00000000-0000-4000-8000-00000000000b
name: login_ok
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: ConsoleLogin, responseElements.ConsoleLogin: Success}
  condition: sel
---
title: Data read
name: data_read
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: GetObject}
  condition: sel
"#;

fn load(correlations: &str) -> SigmaRules {
    let mut loader = SigmaLoader::new(SigmaConfig::default());
    loader.add_file("corr.yml", format!("{BASE}---\n{correlations}"));
    let rules = loader.load().unwrap();
    for line in &rules.report().rules {
        assert_eq!(line.status, RuleStatus::Compiled, "{line:?}");
    }
    rules
}

fn failed(uid: &str, minute: i64, ip: &str, user: &str) -> Event<'static> {
    event(
        uid,
        minute * MINUTE,
        &format!(
            r#"{{"eventName":"ConsoleLogin","errorMessage":"Failed authentication","sourceIPAddress":"{ip}","userIdentity":{{"userName":"{user}"}}}}"#
        ),
    )
}

fn success(uid: &str, minute: i64, ip: &str, user: &str) -> Event<'static> {
    event(
        uid,
        minute * MINUTE,
        &format!(
            r#"{{"eventName":"ConsoleLogin","responseElements":{{"ConsoleLogin":"Success"}},"sourceIPAddress":"{ip}","userIdentity":{{"userName":"{user}"}}}}"#
        ),
    )
}

fn read(uid: &str, minute: i64, user: &str, bytes: i64, key: &str) -> Event<'static> {
    event(
        uid,
        minute * MINUTE,
        &format!(
            r#"{{"eventName":"GetObject","userIdentity":{{"userName":"{user}"}},"additionalEventData":{{"bytesTransferredOut":{bytes}}},"requestParameters":{{"key":"{key}"}}}}"#
        ),
    )
}

fn event(uid: &str, time: i64, json: &str) -> Event<'static> {
    let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::Cloudtrail);
    event.raw = RawRecord::json(json.to_owned());
    event.time = time;
    event.metadata.original_event_uid = Some(uid.to_owned().into());
    event
}

/// Streams `events` in the given order.
fn stream(
    rules: &SigmaRules,
    config: CorrelationConfig,
    events: &[Event<'static>],
) -> (Vec<CorrelationMatch>, CorrelationEngine) {
    let mut engine = CorrelationEngine::new(rules, config);
    let mut out = Vec::new();
    let mut matches = Vec::new();
    for e in events {
        matches.clear();
        rules.matches(e, &mut matches);
        engine.process(rules, e, &matches, &mut out);
    }
    engine.flush(rules, &mut out);
    (out, engine)
}

fn ids(m: &CorrelationMatch) -> Vec<&str> {
    m.events.iter().map(|(uid, _)| uid.as_str()).collect()
}

const EVENT_COUNT: &str = r#"
title: Brute force
id: 00000000-0000-4000-8000-0000000000c1
level: high
author: tester
correlation:
  type: event_count
  rules: [login_failed]
  group-by: [sourceIPAddress]
  timespan: 10m
  condition: {gte: 3}
"#;

#[test]
fn event_count_groups_and_fires_once_per_window() {
    let rules = load(EVENT_COUNT);
    let events = [
        failed("e1", 0, "1.1.1.1", "a"),
        failed("e2", 1, "2.2.2.2", "a"),
        failed("e3", 2, "1.1.1.1", "a"),
        failed("e4", 3, "2.2.2.2", "a"),
        failed("e5", 4, "1.1.1.1", "b"),
        failed("e6", 5, "1.1.1.1", "b"),
    ];
    let (out, engine) = stream(&rules, CorrelationConfig::default(), &events);
    assert_eq!(out.len(), 1, "{out:?}");
    let fired = &out[0];
    assert_eq!(ids(fired), ["e1", "e3", "e5"]);
    assert_eq!(
        fired.group,
        [("sourceIPAddress".to_owned(), Some("1.1.1.1".to_owned()))]
    );
    assert_eq!(fired.value, 3.0);
    assert_eq!((fired.first_time, fired.last_time), (0, 4 * MINUTE));
    assert_eq!(engine.stats().fired, 1);
    // The base rule feeds the correlation only: no alert of its own.
    let mut matches = Vec::new();
    rules.matches(&events[0], &mut matches);
    assert_eq!(matches.len(), 1);
    assert!(rules.alert(matches[0], &events[0]).is_none());
    let alert = rules.correlation_alert(fired).unwrap();
    assert_eq!(alert.finding_info.title, "Brute force");
    assert_eq!(alert.unmapped.rule.author.as_deref(), Some("tester"));
    let related: Vec<&str> = alert
        .finding_info
        .related_events
        .iter()
        .map(|r| r.uid.as_str())
        .collect();
    assert_eq!(related, ["e1", "e3", "e5"]);
    assert_eq!(alert.message, "Brute force (sourceIPAddress=1.1.1.1)");
}

#[test]
fn window_edges_are_inclusive() {
    let rules = load(EVENT_COUNT);
    let inside = [
        failed("e1", 0, "1.1.1.1", "a"),
        failed("e2", 5, "1.1.1.1", "a"),
        failed("e3", 10, "1.1.1.1", "a"),
    ];
    assert_eq!(
        stream(&rules, CorrelationConfig::default(), &inside)
            .0
            .len(),
        1
    );
    let mut outside = inside.clone();
    outside[2].time = 10 * MINUTE + 1;
    assert!(
        stream(&rules, CorrelationConfig::default(), &outside)
            .0
            .is_empty()
    );
}

#[test]
fn value_count_counts_distinct_values() {
    let rules = load(
        r#"
title: Password spraying
correlation:
  type: value_count
  rules: [login_failed]
  group-by: [sourceIPAddress]
  timespan: 1h
  condition: {field: userIdentity.userName, gte: 3}
"#,
    );
    let repeated = [
        failed("e1", 0, "1.1.1.1", "a"),
        failed("e2", 1, "1.1.1.1", "a"),
        failed("e3", 2, "1.1.1.1", "b"),
        failed("e4", 3, "1.1.1.1", "b"),
    ];
    assert!(
        stream(&rules, CorrelationConfig::default(), &repeated)
            .0
            .is_empty()
    );
    let mut sprayed = repeated.to_vec();
    sprayed.push(failed("e5", 4, "1.1.1.1", "c"));
    let out = stream(&rules, CorrelationConfig::default(), &sprayed).0;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].value, 3.0);
    assert_eq!(ids(&out[0]), ["e1", "e2", "e3", "e4", "e5"]);
}

#[test]
fn temporal_any_order_and_temporal_ordered() {
    let temporal = load(
        r#"
title: Failure and success
correlation:
  type: temporal
  rules: [login_failed, login_ok]
  group-by: [userIdentity.userName]
  timespan: 5m
"#,
    );
    let success_first = [
        success("s", 0, "1.1.1.1", "a"),
        failed("f", 1, "1.1.1.1", "a"),
    ];
    assert_eq!(
        stream(&temporal, CorrelationConfig::default(), &success_first)
            .0
            .len(),
        1
    );
    let other_user = [
        success("s", 0, "1.1.1.1", "a"),
        failed("f", 1, "1.1.1.1", "b"),
    ];
    assert!(
        stream(&temporal, CorrelationConfig::default(), &other_user)
            .0
            .is_empty()
    );
    let ordered = load(
        r#"
title: Failure then success
correlation:
  type: temporal_ordered
  rules: [login_failed, login_ok]
  group-by: [userIdentity.userName]
  timespan: 5m
"#,
    );
    assert!(
        stream(&ordered, CorrelationConfig::default(), &success_first)
            .0
            .is_empty()
    );
    let in_order = [
        failed("f", 0, "1.1.1.1", "a"),
        success("s", 1, "1.1.1.1", "a"),
    ];
    let out = stream(&ordered, CorrelationConfig::default(), &in_order).0;
    assert_eq!(out.len(), 1);
    assert_eq!(ids(&out[0]), ["f", "s"]);
    let too_late = [
        failed("f", 0, "1.1.1.1", "a"),
        success("s", 6, "1.1.1.1", "a"),
    ];
    assert!(
        stream(&ordered, CorrelationConfig::default(), &too_late)
            .0
            .is_empty()
    );
}

#[test]
fn value_sum_avg_and_percentile() {
    let sum = load(
        r#"
title: Exfiltration
correlation:
  type: value_sum
  rules: [data_read]
  group-by: [userIdentity.userName]
  timespan: 1h
  condition: {field: additionalEventData.bytesTransferredOut, gt: 1000}
"#,
    );
    let reads = [
        read("r1", 0, "a", 400, "k1"),
        read("r2", 1, "a", 500, "k2"),
        read("r3", 2, "b", 900, "k1"),
        read("r4", 3, "a", 200, "k1"),
    ];
    let out = stream(&sum, CorrelationConfig::default(), &reads).0;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].value, 1100.0);
    assert_eq!(ids(&out[0]), ["r1", "r2", "r4"]);

    let avg = load(
        r#"
title: Large reads
correlation:
  type: value_avg
  rules: [data_read]
  group-by: [userIdentity.userName]
  timespan: 1h
  condition: {field: additionalEventData.bytesTransferredOut, gte: 450}
"#,
    );
    let out = stream(&avg, CorrelationConfig::default(), &reads).0;
    // a: 400 → 400 (no), 400,500 → 450 (fires, resets); b: 900 fires.
    let values: Vec<f64> = out.iter().map(|m| m.value).collect();
    assert_eq!(values, [450.0, 900.0]);

    let percentile = load(
        r#"
title: Rare key
correlation:
  type: value_percentile
  rules: [data_read]
  group-by: [userIdentity.userName]
  timespan: 1h
  condition: {field: requestParameters.key, lte: 25}
"#,
    );
    let keys = [
        read("r1", 0, "a", 1, "common"),
        read("r2", 1, "a", 1, "common"),
        read("r3", 2, "a", 1, "common"),
        read("r4", 3, "a", 1, "rare"),
    ];
    let out = stream(&percentile, CorrelationConfig::default(), &keys).0;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].value, 25.0);
    assert_eq!(out[0].last_time, 3 * MINUTE);
}

#[test]
fn out_of_order_input_within_lateness_matches_sorted_input() {
    let rules = load(EVENT_COUNT);
    let sorted = [
        failed("e1", 0, "1.1.1.1", "a"),
        failed("e2", 1, "1.1.1.1", "a"),
        failed("e3", 2, "1.1.1.1", "a"),
        failed("e4", 9, "1.1.1.1", "a"),
        failed("e5", 12, "1.1.1.1", "a"),
        failed("e6", 13, "1.1.1.1", "a"),
        failed("e7", 14, "1.1.1.1", "a"),
    ];
    let config = CorrelationConfig {
        allowed_lateness_ms: 5 * MINUTE,
        ..CorrelationConfig::default()
    };
    let batch = CorrelationEngine::evaluate_batch(&rules, config, &sorted);
    assert_eq!(batch.len(), 2);
    assert_eq!(ids(&batch[0]), ["e1", "e2", "e3"]);
    assert_eq!(ids(&batch[1]), ["e4", "e5", "e6"]);
    let shuffled = [
        sorted[2].clone(),
        sorted[0].clone(),
        sorted[1].clone(),
        sorted[4].clone(),
        sorted[3].clone(),
        sorted[6].clone(),
        sorted[5].clone(),
    ];
    let (streamed, engine) = stream(&rules, config, &shuffled);
    assert_eq!(streamed, batch);
    assert_eq!(engine.stats().late_dropped, 0);
    // Without lateness the same disorder drops late matches and says so.
    let (strict, engine) = stream(&rules, CorrelationConfig::default(), &shuffled);
    assert!(engine.stats().late_dropped > 0);
    assert_ne!(strict, batch);
}

#[test]
fn group_state_is_bounded_and_evictions_are_counted() {
    let rules = load(EVENT_COUNT);
    let config = CorrelationConfig {
        max_groups: 2,
        ..CorrelationConfig::default()
    };
    let events = [
        failed("a1", 0, "1.1.1.1", "x"),
        failed("b1", 1, "2.2.2.2", "x"),
        failed("c1", 2, "3.3.3.3", "x"),
        failed("a2", 3, "1.1.1.1", "x"),
        failed("a3", 4, "1.1.1.1", "x"),
    ];
    let (out, engine) = stream(&rules, config, &events);
    // 1.1.1.1 was evicted by 3.3.3.3, so its count restarted at a2 and never reached 3.
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(engine.stats().groups_evicted, 2);
    let config = CorrelationConfig {
        max_events_per_group: 2,
        ..CorrelationConfig::default()
    };
    let (out, engine) = stream(&rules, config, &events);
    assert!(out.is_empty());
    assert_eq!(engine.stats().events_dropped, 1);
}

#[test]
fn without_lateness_a_correlation_fires_on_the_event_that_completes_it() {
    // No flush: the match must come out while the threshold event itself is processed, and a
    // chained temporal_ordered must complete on the following event, not at end of input.
    let rules = load(
        r#"
title: Many failures
name: many_failures
correlation:
  type: event_count
  rules: [login_failed]
  group-by: [userIdentity.userName]
  timespan: 10m
  condition: {gte: 2}
---
title: Successful brute force
correlation:
  type: temporal_ordered
  rules: [many_failures, login_ok]
  group-by: [userIdentity.userName]
  timespan: 10m
"#,
    );
    let mut engine = CorrelationEngine::new(&rules, CorrelationConfig::default());
    let mut matches = Vec::new();
    let mut fired_per_event = Vec::new();
    for e in [
        failed("f1", 0, "1.1.1.1", "alice"),
        failed("f2", 1, "1.1.1.1", "alice"),
        success("s1", 2, "1.1.1.1", "alice"),
    ] {
        let mut out = Vec::new();
        matches.clear();
        rules.matches(&e, &mut matches);
        engine.process(&rules, &e, &matches, &mut out);
        fired_per_event.push(
            out.iter()
                .map(|m| rules.correlations()[m.correlation].rule.title.clone())
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(
        fired_per_event,
        [
            vec![],
            vec!["Many failures".to_owned()],
            vec!["Successful brute force".to_owned()]
        ]
    );
    // Two events with the same time: the second still counts (it is not late).
    let mut engine = CorrelationEngine::new(&rules, CorrelationConfig::default());
    let mut out = Vec::new();
    for e in [
        failed("g1", 5, "1.1.1.1", "carol"),
        failed("g2", 5, "1.1.1.1", "carol"),
    ] {
        matches.clear();
        rules.matches(&e, &mut matches);
        engine.process(&rules, &e, &matches, &mut out);
    }
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(ids(&out[0]), ["g1", "g2"]);
    assert_eq!(engine.stats().late_dropped, 0);
}

#[test]
fn chained_correlation_and_generate() {
    // The spec's example: many failed logins followed by a successful one.
    let rules = load(
        r#"
title: Many failures
name: many_failures
correlation:
  type: event_count
  rules: [login_failed]
  group-by: [userIdentity.userName]
  timespan: 10m
  condition: {gte: 2}
---
title: Successful brute force
correlation:
  type: temporal_ordered
  rules: [many_failures, login_ok]
  group-by: [userIdentity.userName]
  timespan: 10m
generate: true
"#,
    );
    let events = [
        failed("f1", 0, "1.1.1.1", "alice"),
        failed("f2", 1, "1.1.1.1", "alice"),
        success("s1", 2, "1.1.1.1", "alice"),
        success("s2", 3, "1.1.1.1", "bob"),
    ];
    let out = CorrelationEngine::evaluate_batch(&rules, CorrelationConfig::default(), &events);
    let titles: Vec<&str> = out
        .iter()
        .map(|m| rules.correlations()[m.correlation].rule.title.as_str())
        .collect();
    assert_eq!(titles, ["Many failures", "Successful brute force"]);
    assert_eq!(ids(&out[1]), ["f1", "f2", "s1"]);
    // generate: true keeps the referenced detection rules alerting.
    let mut matches = Vec::new();
    rules.matches(&events[2], &mut matches);
    assert!(rules.alert(matches[0], &events[2]).is_some());
}

#[test]
fn aliases_join_different_fields() {
    let rules = load(
        r#"
title: Same address
correlation:
  type: temporal
  rules: [login_failed, data_read]
  group-by: [who]
  timespan: 10m
  aliases:
    who:
      login_failed: userIdentity.userName
      data_read: requestParameters.key
"#,
    );
    let events = [
        failed("f", 0, "1.1.1.1", "k9"),
        read("r", 1, "other", 1, "k9"),
    ];
    let out = CorrelationEngine::evaluate_batch(&rules, CorrelationConfig::default(), &events);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].group, [("who".to_owned(), Some("k9".to_owned()))]);
    let events = [
        failed("f", 0, "1.1.1.1", "k9"),
        read("r", 1, "other", 1, "k8"),
    ];
    assert!(
        CorrelationEngine::evaluate_batch(&rules, CorrelationConfig::default(), &events).is_empty()
    );
}

#[test]
fn bad_correlations_are_reported() {
    let mut loader = SigmaLoader::new(SigmaConfig::default());
    loader.add_file(
        "bad.yml",
        r#"
title: No timespan unit
correlation: {type: event_count, rules: [x], group-by: [a], timespan: 10, condition: {gte: 1}}
---
title: Unknown type
correlation: {type: event_sum, rules: [x], group-by: [a], timespan: 1m, condition: {gte: 1}}
---
title: Missing field
correlation: {type: value_count, rules: [x], group-by: [a], timespan: 1m, condition: {gte: 1}}
---
title: Self
name: self
correlation: {type: event_count, rules: [self], group-by: [a], timespan: 1m, condition: {gte: 1}}
"#,
    );
    let rules = loader.load().unwrap();
    let statuses: Vec<(RuleStatus, String)> = rules
        .report()
        .rules
        .iter()
        .map(|r| (r.status, r.reason.clone().unwrap_or_default()))
        .collect();
    assert_eq!(statuses[0].0, RuleStatus::Error);
    assert!(statuses[0].1.contains("timespan"));
    assert_eq!(statuses[1].0, RuleStatus::Unsupported);
    assert!(statuses[1].1.contains("event_sum"));
    assert_eq!(statuses[2].0, RuleStatus::Error);
    assert!(statuses[2].1.contains("condition.field"));
    assert_eq!(statuses[3].0, RuleStatus::Error);
    assert!(statuses[3].1.contains("itself"), "{}", statuses[3].1);
}

#[test]
fn an_inner_match_is_emitted_before_the_outer_match_it_completes() {
    let rules = load(
        r#"
title: Two failures
name: two_failures
correlation:
  type: event_count
  rules: [login_failed]
  group-by: [sourceIPAddress]
  timespan: 10m
  condition: {gte: 2}
---
title: Any burst
correlation:
  type: event_count
  rules: [two_failures]
  group-by: [sourceIPAddress]
  timespan: 1h
  condition: {gte: 1}
"#,
    );
    let events = [
        failed("f1", 0, "1.1.1.1", "a"),
        failed("f2", 1, "1.1.1.1", "a"),
    ];
    let out = CorrelationEngine::evaluate_batch(&rules, CorrelationConfig::default(), &events);
    let titles: Vec<&str> = out
        .iter()
        .map(|m| rules.correlations()[m.correlation].rule.title.as_str())
        .collect();
    assert_eq!(titles, ["Two failures", "Any burst"]);
    // The inner correlation feeds the outer one only.
    assert!(rules.correlation_alert(&out[0]).is_none());
    assert!(rules.correlation_alert(&out[1]).is_some());
    assert_eq!(ids(&out[1]), ["f1", "f2"]);
    assert_eq!(
        out[1].group,
        [("sourceIPAddress".to_owned(), Some("1.1.1.1".to_owned()))]
    );
}

#[test]
fn process_and_finish_produce_detection_and_correlation_alerts() {
    let rules = load(
        r#"
title: Brute force
correlation:
  type: event_count
  rules: [login_failed]
  group-by: [sourceIPAddress]
  timespan: 10m
  condition: {gte: 2}
"#,
    );
    let mut engine = CorrelationEngine::new(&rules, CorrelationConfig::default());
    let mut scratch = Vec::new();
    let mut alerts = Vec::new();
    for e in [
        failed("f1", 0, "1.1.1.1", "a"),
        success("s1", 1, "1.1.1.1", "a"),
        failed("f2", 2, "1.1.1.1", "a"),
    ] {
        rules.process(&e, &mut engine, &mut scratch, &mut alerts);
    }
    rules.finish(&mut engine, &mut alerts);
    let titles: Vec<&str> = alerts
        .iter()
        .map(|a| a.finding_info.title.as_str())
        .collect();
    // login_failed feeds the correlation only; login_ok alerts on its own.
    assert_eq!(titles, ["Console login succeeded", "Brute force"]);
}

#[test]
fn compiled_rules_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SigmaRules>();
    assert_send_sync::<logsec_rules::ir::RuleSet>();
    assert_send_sync::<CorrelationEngine>();
}

mod streaming_equals_batch {
    use super::*;
    use proptest::prelude::*;

    const ALL_TYPES: &str = r#"
title: Count
correlation:
  type: event_count
  rules: [login_failed]
  group-by: [sourceIPAddress]
  timespan: 5m
  condition: {gte: 2}
---
title: Users
correlation:
  type: value_count
  rules: [login_failed, login_ok]
  group-by: [sourceIPAddress]
  timespan: 10m
  condition: {field: userIdentity.userName, gte: 2}
---
title: Ordered
correlation:
  type: temporal_ordered
  rules: [login_failed, login_ok]
  group-by: [userIdentity.userName]
  timespan: 3m
"#;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Any arrival order whose disorder stays within the allowed lateness gives the
        /// correlation matches of the sorted batch, and drops nothing.
        #[test]
        fn jittered_arrival_within_lateness(
            specs in proptest::collection::vec((0i64..40, 0usize..3, 0usize..3, any::<bool>(), 0i64..4), 1..40),
        ) {
            let rules = load(ALL_TYPES);
            let lateness = 4 * MINUTE;
            let mut events = Vec::new();
            let mut arrival = Vec::new();
            for (i, (minute, ip, user, ok, jitter)) in specs.iter().enumerate() {
                let ip = ["1.1.1.1", "2.2.2.2", "3.3.3.3"][*ip];
                let user = ["a", "b", "c"][*user];
                let uid = format!("e{i:03}");
                let e = if *ok { success(&uid, *minute, ip, user) } else { failed(&uid, *minute, ip, user) };
                arrival.push((minute * MINUTE + jitter * MINUTE, i));
                events.push(e);
            }
            arrival.sort();
            let config = CorrelationConfig { allowed_lateness_ms: lateness, ..CorrelationConfig::default() };
            let batch = CorrelationEngine::evaluate_batch(&rules, config, &events);
            let ordered: Vec<Event<'static>> = arrival.iter().map(|(_, i)| events[*i].clone()).collect();
            let (streamed, engine) = stream(&rules, config, &ordered);
            prop_assert_eq!(engine.stats().late_dropped, 0);
            prop_assert_eq!(streamed, batch);
        }
    }
}
