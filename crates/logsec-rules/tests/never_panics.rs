//! Hostile rule text and events never panic the Sigma front-end or the evaluator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use logsec_event::{Event, RawRecord, SourceFormat, ocsf};
use logsec_rules::sigma::{SigmaConfig, SigmaLoader, SigmaMappings};
use proptest::prelude::*;

fn rule_with(condition: &str, key: &str, value: &str) -> String {
    format!(
        "title: t\nlogsource: {{product: aws, service: cloudtrail}}\ndetection:\n  sel:\n    {key:?}: {value:?}\n  condition: {condition:?}\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_rule_text_is_reported_not_panicked(text in ".{0,400}") {
        let mut loader = SigmaLoader::new(config());
        loader.add_file("fuzz.yml", text);
        let rules = loader.load().unwrap();
        for line in &rules.report().rules {
            prop_assert_eq!(&line.dialect, "sigma");
        }
    }

    #[test]
    fn arbitrary_conditions_keys_and_values_compile_or_report(
        condition in "[a-z1 ()*|_]{0,40}",
        key in "[a-zA-Z.|0-9_*-]{0,30}",
        value in ".{0,30}",
        event in "[{}\\[\\]\":a-z0-9, ]{0,80}",
    ) {
        let mut loader = SigmaLoader::new(config());
        loader.add_file("fuzz.yml", rule_with(&condition, &key, &value));
        let rules = loader.load().unwrap();
        prop_assert_eq!(rules.report().rules.len(), 1);
        let mut e = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::Cloudtrail);
        e.raw = RawRecord::json(event);
        let mut out = Vec::new();
        rules.matches(&e, &mut out);
    }
}

/// The built-in mappings, parsed once for all cases.
fn config() -> SigmaConfig {
    static MAPPINGS: std::sync::OnceLock<SigmaMappings> = std::sync::OnceLock::new();
    SigmaConfig {
        mappings: Some(
            MAPPINGS
                .get_or_init(|| SigmaMappings::builtin().unwrap())
                .clone(),
        ),
        ..SigmaConfig::default()
    }
}
