//! Hostile rule text: exponential lists and macros are bounded, and no input panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use logsec_rules::falco::{Code, LoadOptions, RuleFile, load, parse_condition};
use proptest::prelude::*;

const RULE_TAIL: &str = "  desc: d\n  output: o\n  priority: INFO\n  source: aws_cloudtrail\n";

#[test]
fn exponential_macro_chains_are_rejected_not_expanded() {
    let mut text = String::from("- macro: m0\n  condition: ct.name = X\n");
    for i in 1..40 {
        text.push_str(&format!(
            "- macro: m{i}\n  condition: m{p} and m{p}\n",
            p = i - 1
        ));
    }
    text.push_str(&format!("- rule: r\n  condition: m39\n{RULE_TAIL}"));
    let rules = load(&[RuleFile::new("x.yaml", text)], &LoadOptions::default());
    let err = rules.errors().next().unwrap();
    assert_eq!(err.code, Code::ErrCompileCondition);
    assert!(
        err.message.contains("nodes once macros are substituted"),
        "{}",
        err.message
    );
}

#[test]
fn exponential_lists_are_rejected_not_expanded() {
    let mut text = String::from("- list: l0\n  items: [a, b]\n");
    for i in 1..40 {
        text.push_str(&format!("- list: l{i}\n  items: [l{p}, l{p}]\n", p = i - 1));
    }
    text.push_str(&format!(
        "- rule: r\n  condition: ct.name in (l39)\n{RULE_TAIL}"
    ));
    let rules = load(&[RuleFile::new("x.yaml", text)], &LoadOptions::default());
    assert!(
        rules
            .errors()
            .any(|d| d.item_name == "l16" && d.message.contains("more than 100000 items"))
    );
}

#[test]
fn deep_nesting_is_an_error() {
    let cond = format!("{}ct.name = X{}", "(".repeat(5000), ")".repeat(5000));
    assert!(parse_condition(&cond).is_err());
    let text = format!("- rule: r\n  condition: \"{cond}\"\n{RULE_TAIL}");
    let rules = load(&[RuleFile::new("x.yaml", text)], &LoadOptions::default());
    assert!(rules.has_errors());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_condition_never_panics(text in "[ -~\\n]{0,80}") {
        let _ = parse_condition(&text);
    }

    #[test]
    fn conditions_from_tokens_never_panic(tokens in proptest::collection::vec(
        prop_oneof![
            Just("ct.name"), Just("ka.req.pod.containers.image"), Just("json.value[/a/b]"),
            Just("and"), Just("or"), Just("not"), Just("("), Just(")"), Just("="), Just("!="),
            Just("in"), Just("intersects"), Just("pmatch"), Just("exists"), Just("contains"),
            Just("glob"), Just("regex"), Just("\"[\""), Just("x"), Just(","), Just("tolower("),
            Just("val("), Just("anyof"), Just("m"), Just("l"), Just("<"), Just("len("),
        ],
        0..16,
    )) {
        let cond = tokens.join(" ");
        let text = format!(
            "- list: l\n  items: [a, \"b c\"]\n- macro: m\n  condition: ct.name in (l)\n- rule: r\n  condition: {cond:?}\n{RULE_TAIL}"
        );
        let _ = load(&[RuleFile::new("x.yaml", text)], &LoadOptions::default());
    }

    #[test]
    fn arbitrary_yaml_never_panics(text in "[ -~\\n]{0,200}") {
        let _ = load(&[RuleFile::new("x.yaml", text)], &LoadOptions::default());
    }
}

/// A rule per source that reads every field of the table, in the condition and the output.
fn every_field_rules() -> logsec_rules::falco::FalcoRules {
    use logsec_rules::falco::{ArgKind, all_fields};
    let mut text = String::new();
    for source in ["aws_cloudtrail", "k8s_audit"] {
        let names: Vec<String> = all_fields()
            .filter(|f| f.serves(source))
            .map(|f| match f.arg {
                ArgKind::Key if f.name.ends_with(".value") => format!("{}[/a/0/b]", f.name),
                ArgKind::Key => format!("{}[a]", f.name),
                _ => f.name.to_owned(),
            })
            .collect();
        let condition = names
            .iter()
            .map(|n| format!("{n} exists"))
            .collect::<Vec<_>>()
            .join(" or ");
        let output = names
            .iter()
            .map(|n| format!("%{n}"))
            .collect::<Vec<_>>()
            .join(" ");
        text.push_str(&format!(
            "- rule: every {source} field\n  desc: d\n  condition: {condition:?}\n  output: {output:?}\n  priority: INFO\n  source: {source}\n"
        ));
    }
    let rules = load(&[RuleFile::new("all.yaml", text)], &LoadOptions::default());
    assert!(!rules.has_errors(), "{:?}", rules.errors().next());
    assert_eq!(rules.rules.len(), 2);
    rules
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "[a-zA-Z0-9:/@._ -]{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("auditID".to_owned()),
                    Just("requestObject".to_owned()),
                    Just("spec".to_owned()),
                    Just("containers".to_owned()),
                    Just("securityContext".to_owned()),
                    Just("userIdentity".to_owned()),
                    Just("type".to_owned()),
                    Just("requestParameters".to_owned()),
                    Just("rules".to_owned()),
                    Just("subjects".to_owned()),
                    Just("volumes".to_owned()),
                    Just("eventTime".to_owned()),
                    Just("a".to_owned()),
                    Just("b".to_owned()),
                    Just("0".to_owned()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..5,
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_field_on_arbitrary_records_never_panics(record in json_value()) {
        use logsec_event::{Event, RawRecord, SourceFormat, ocsf};
        static SET: std::sync::OnceLock<logsec_rules::ir::RuleSet> = std::sync::OnceLock::new();
        let set = SET.get_or_init(|| every_field_rules().rule_set());
        for format in [SourceFormat::Cloudtrail, SourceFormat::K8sAudit] {
            let mut event = Event::new(&ocsf::API_ACTIVITY, 0, format);
            event.raw = RawRecord::json(record.to_string());
            let mut matches = Vec::new();
            set.matches(&event, &mut matches);
            for m in matches {
                let _ = set.alert(m, &event);
            }
        }
    }
}
