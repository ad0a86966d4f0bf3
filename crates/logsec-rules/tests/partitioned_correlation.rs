//! Partitioned correlation (the Spark/Dask plan): single-event rules and correlation inputs per
//! data partition, correlations per (correlation, group) partition. The union must equal one
//! stream over the whole input, alert for alert, whatever the data partitioning.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use logsec_event::{Alert, Event, RawRecord, SourceFormat, ocsf};
use logsec_rules::sigma::{CorrelationInput, CorrelationPartition};
use logsec_rules::{Engine, EngineOptions, RuleFile, RuleStatus};

const MINUTE: i64 = 60_000;

const RULES: &str = r#"
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
id: 00000000-0000-4000-8000-00000000000c
name: data_read
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: GetObject}
  condition: sel
---
title: Failure burst
id: 00000000-0000-4000-8000-000000000001
name: failure_burst
correlation:
  type: event_count
  rules: [login_failed]
  group-by: [sourceIPAddress]
  timespan: 10m
  condition: {gte: 3}
---
title: Burst then success
id: 00000000-0000-4000-8000-000000000002
correlation:
  type: temporal_ordered
  rules: [failure_burst, login_ok]
  group-by: [sourceIPAddress]
  timespan: 30m
---
title: Many keys read
id: 00000000-0000-4000-8000-000000000003
correlation:
  type: value_count
  rules: [data_read]
  group-by: [userIdentity.userName]
  timespan: 10m
  condition: {gte: 3, field: requestParameters.key}
---
title: Login then read
id: 00000000-0000-4000-8000-000000000004
correlation:
  type: temporal_ordered
  rules: [login_ok, data_read]
  group-by: [userIdentity.userName]
  timespan: 15m
---
title: Many bytes read
id: 00000000-0000-4000-8000-000000000005
correlation:
  type: value_sum
  rules: [data_read]
  group-by: [userIdentity.userName]
  timespan: 10m
  condition: {gte: 3000, field: additionalEventData.bytesTransferredOut}
---
title: Failures and reads, any order
id: 00000000-0000-4000-8000-000000000006
correlation:
  type: temporal
  rules: [login_failed, data_read]
  group-by: [userIdentity.userName]
  timespan: 5m
"#;

/// A second outer correlation over `failure_burst`: the chain is no longer a tree.
const SECOND_OUTER: &str = r#"
---
title: Burst and success, any order
id: 00000000-0000-4000-8000-000000000007
correlation:
  type: temporal
  rules: [failure_burst, login_ok]
  group-by: [sourceIPAddress]
  timespan: 20m
"#;

fn engine(text: &str) -> Engine {
    let engine = Engine::load(
        &[RuleFile::new("rules.yml", text)],
        &EngineOptions::default(),
    );
    for line in &engine.report().rules {
        assert_eq!(line.status, RuleStatus::Compiled, "{line:?}");
    }
    engine
}

fn event(uid: &str, time: i64, json: String) -> Event<'static> {
    let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::Cloudtrail);
    event.raw = RawRecord::json(json);
    event.time = time;
    event.metadata.original_event_uid = Some(uid.to_owned().into());
    event
}

/// A deterministic pseudo-random stream: failed and successful logins from a few addresses,
/// reads of a few keys by a few users, over two hours, with ties in time.
fn events(count: usize) -> Vec<Event<'static>> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    (0..count)
        .map(|i| {
            let uid = format!("e{i:05}");
            // Whole seconds over two hours: many events share a time.
            let time = next(7_200) as i64 * 1_000;
            let ip = format!("10.0.0.{}", next(5));
            let user = ["alice", "bob", "carol", "dave"][next(4) as usize];
            let json = match next(10) {
                0..=3 => format!(
                    r#"{{"eventName":"ConsoleLogin","errorMessage":"Failed authentication","sourceIPAddress":"{ip}","userIdentity":{{"userName":"{user}"}}}}"#
                ),
                4 => format!(
                    r#"{{"eventName":"ConsoleLogin","responseElements":{{"ConsoleLogin":"Success"}},"sourceIPAddress":"{ip}","userIdentity":{{"userName":"{user}"}}}}"#
                ),
                5..=7 => format!(
                    r#"{{"eventName":"GetObject","userIdentity":{{"userName":"{user}"}},"additionalEventData":{{"bytesTransferredOut":{}}},"requestParameters":{{"key":"k{}"}}}}"#,
                    next(2_000),
                    next(6)
                ),
                _ => r#"{"eventName":"ListBuckets"}"#.to_owned(),
            };
            event(&uid, time, json)
        })
        .collect()
}

/// The single-process reference: every event through the single-event rules, then the
/// correlation-feeding ones through one correlation stream in (time, id) order — what
/// `Pipeline::scan` does.
fn single_stream(engine: &Engine, events: &[Event<'static>]) -> Vec<Alert> {
    let mut alerts = Vec::new();
    let mut scratch = Vec::new();
    let mut feeding = Vec::new();
    for e in events {
        if engine.process_single(e, &mut scratch, &mut alerts) {
            feeding.push(e);
        }
    }
    feeding.sort_by(|a, b| {
        (a.time, logsec_event::event_uid(a)).cmp(&(b.time, logsec_event::event_uid(b)))
    });
    let mut state = engine.new_state();
    for e in feeding {
        engine.correlate(e, &mut state, &mut alerts);
    }
    engine.finish(&mut state, &mut alerts);
    alerts
}

/// The partitioned plan: `parts` data partitions (round robin over the events in reverse, so
/// partitioning has nothing to do with groups or time), then one correlation run per
/// correlation partition. Returns the alerts and the number of correlation partitions.
fn partitioned(engine: &Engine, events: &[Event<'static>], parts: usize) -> (Vec<Alert>, usize) {
    let mut alerts = Vec::new();
    let mut inputs: Vec<CorrelationInput> = Vec::new();
    for part in 0..parts {
        let mut scratch = Vec::new();
        for (i, e) in events.iter().rev().enumerate() {
            if i % parts == part {
                engine.process_single_inputs(e, &mut scratch, &mut alerts, &mut inputs);
            }
        }
    }
    let partitioner = engine.correlation_partitioner();
    let mut groups: BTreeMap<CorrelationPartition, Vec<CorrelationInput>> = BTreeMap::new();
    for input in inputs {
        groups
            .entry(partitioner.partition(&input))
            .or_default()
            .push(input);
    }
    let count = groups.len();
    // Reverse partition order and reversed inputs: neither order may matter.
    for (_, mut group) in groups.into_iter().rev() {
        group.reverse();
        engine.correlate_inputs(group, &mut alerts);
    }
    (alerts, count)
}

fn sorted(mut alerts: Vec<Alert>) -> Vec<Alert> {
    alerts.sort_by(|a, b| (a.uid(), &a.unmapped.rule.id).cmp(&(b.uid(), &b.unmapped.rule.id)));
    alerts
}

fn count_by_title(alerts: &[Alert]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for alert in alerts {
        *out.entry(alert.finding_info.title.clone()).or_default() += 1;
    }
    out
}

#[test]
fn partitioned_correlation_equals_one_stream_for_every_type() {
    let engine = engine(RULES);
    let events = events(3_000);
    let reference = sorted(single_stream(&engine, &events));
    let titles = count_by_title(&reference);
    // Every correlation fires (the data exercises each type), plus the single-event rules.
    for title in [
        "Burst then success",
        "Many keys read",
        "Login then read",
        "Many bytes read",
        "Failures and reads, any order",
    ] {
        assert!(titles.get(title).copied().unwrap_or(0) > 0, "{titles:?}");
    }
    for parts in [1, 4, 7] {
        let (got, partitions) = partitioned(&engine, &events, parts);
        // 5 addresses (one chain) + 4 users × 4 correlations.
        assert_eq!(partitions, 5 + 4 * 4);
        assert_eq!(sorted(got), reference, "{parts} data partitions");
    }
}

#[test]
fn a_chain_completes_across_data_partitions_with_the_inner_events() {
    let engine = engine(RULES);
    let failed = |uid: &str, minute: i64| {
        event(
            uid,
            minute * MINUTE,
            r#"{"eventName":"ConsoleLogin","errorMessage":"Failed authentication","sourceIPAddress":"192.0.2.1","userIdentity":{"userName":"x"}}"#.to_owned(),
        )
    };
    let events = vec![
        event(
            "s1",
            5 * MINUTE,
            r#"{"eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Success"},"sourceIPAddress":"192.0.2.1","userIdentity":{"userName":"y"}}"#.to_owned(),
        ),
        failed("f3", 2),
        failed("f1", 0),
        failed("f2", 1),
    ];
    let (alerts, partitions) = partitioned(&engine, &events, 4);
    assert_eq!(partitions, 3, "one address chain, users x and y");
    let chain: Vec<&Alert> = alerts
        .iter()
        .filter(|a| a.finding_info.title == "Burst then success")
        .collect();
    assert_eq!(chain.len(), 1, "{alerts:#?}");
    let related: Vec<&str> = chain[0]
        .finding_info
        .related_events
        .iter()
        .map(|r| r.uid.as_str())
        .collect();
    assert_eq!(related, ["f1", "f2", "f3", "s1"]);
}

#[test]
fn a_chain_that_is_not_a_tree_is_one_partition_and_still_exact() {
    let engine = engine(&format!("{RULES}{SECOND_OUTER}"));
    let events = events(1_500);
    let reference = sorted(single_stream(&engine, &events));
    assert!(
        count_by_title(&reference)
            .get("Burst and success, any order")
            .is_some_and(|n| *n > 0)
    );
    let (got, partitions) = partitioned(&engine, &events, 5);
    // The whole failure_burst chain is one partition; the user correlations are per user.
    assert_eq!(partitions, 1 + 4 * 4);
    assert_eq!(sorted(got), reference);
}

/// (correlation title, input position, group-by values, value-field values).
type Seen = (String, usize, Vec<Option<String>>, Vec<Option<String>>);

#[test]
fn inputs_carry_group_values_and_the_value_field() {
    let engine = engine(RULES);
    let read = event(
        "r1",
        MINUTE,
        r#"{"eventName":"GetObject","userIdentity":{"userName":"alice"},"additionalEventData":{"bytesTransferredOut":42},"requestParameters":{"key":"k7"}}"#.to_owned(),
    );
    let (mut scratch, mut alerts, mut inputs) = (Vec::new(), Vec::new(), Vec::new());
    engine.process_single_inputs(&read, &mut scratch, &mut alerts, &mut inputs);
    let mut seen: Vec<Seen> = inputs
        .iter()
        .map(|i| {
            let spec = &engine.sigma().correlations()[i.correlation];
            (
                spec.rule.title.clone(),
                i.input,
                i.key.clone(),
                i.values.clone(),
            )
        })
        .collect();
    seen.sort();
    let alice = vec![Some("alice".to_owned())];
    assert_eq!(
        seen,
        [
            (
                "Failures and reads, any order".to_owned(),
                1,
                alice.clone(),
                vec![]
            ),
            ("Login then read".to_owned(), 1, alice.clone(), vec![]),
            (
                "Many bytes read".to_owned(),
                0,
                alice.clone(),
                vec![Some("42".to_owned())]
            ),
            (
                "Many keys read".to_owned(),
                0,
                alice.clone(),
                vec![Some("k7".to_owned())]
            ),
        ]
    );
    assert!(inputs.iter().all(|i| i.uid == "r1" && i.time == MINUTE));
    assert!(
        inputs
            .iter()
            .all(|i| i.format == Some(SourceFormat::Cloudtrail))
    );
    assert!(alerts.iter().all(|a| a.finding_info.title == "Data read"));
}
