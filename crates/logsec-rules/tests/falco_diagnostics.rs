//! Load diagnostics of the Falco front-end: codes, positions, item names, suggestions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use logsec_rules::falco::{Code, FalcoRules, Level, LoadOptions, Position, RuleFile, load};

fn load_one(text: &str) -> FalcoRules {
    load(
        &[RuleFile::new("rules.yaml", text)],
        &LoadOptions::default(),
    )
}

fn codes(rules: &FalcoRules) -> Vec<(Code, String)> {
    rules
        .diagnostics
        .iter()
        .map(|d| (d.code, d.item_name.clone()))
        .collect()
}

const RULE: &str = "- rule: r\n  desc: d\n  condition: ct.name = X\n  output: o\n  priority: INFO\n  source: aws_cloudtrail\n";

#[test]
fn unknown_field_error_names_the_field_suggests_and_points_at_the_condition() {
    let rules = load_one(
        "- rule: r\n  desc: d\n  condition: ct.nmae = X\n  output: o\n  priority: INFO\n  source: aws_cloudtrail\n",
    );
    let err = rules.errors().next().unwrap();
    assert_eq!(err.code, Code::ErrCompileCondition);
    assert_eq!(err.item_type, "rule");
    assert_eq!(err.item_name, "r");
    assert_eq!(
        err.position,
        Position {
            line: 3,
            column: 14
        }
    );
    assert_eq!(
        err.message,
        "'ct.nmae' is not a supported filter field (did you mean 'ct.name'?)"
    );
    assert_eq!(
        err.to_string(),
        "rules.yaml:3:14: error LOAD_ERR_COMPILE_CONDITION: rule 'r': 'ct.nmae' is not a supported filter field (did you mean 'ct.name'?)"
    );
    assert_eq!(rules.skipped.len(), 1);
    assert_eq!(rules.skipped[0].code, Code::ErrCompileCondition);
}

#[test]
fn skip_if_unknown_filter_turns_the_error_into_a_warning() {
    let text = RULE.replace("ct.name = X", "ct.nmae = X") + "  skip-if-unknown-filter: true\n";
    let rules = load_one(&text);
    assert!(!rules.has_errors());
    assert_eq!(codes(&rules), [(Code::UnknownFilter, "r".to_owned())]);
    assert!(rules.rules.is_empty());
    assert_eq!(rules.skipped[0].code, Code::UnknownFilter);
}

#[test]
fn unknown_output_field_is_a_compile_output_error() {
    let rules = load_one(&RULE.replace("output: o", "output: user=%ct.usr"));
    let err = rules.errors().next().unwrap();
    assert_eq!(err.code, Code::ErrCompileOutput);
    assert!(
        err.message.contains("did you mean 'ct.user'"),
        "{}",
        err.message
    );
}

#[test]
fn unused_lists_and_macros_are_warned_and_used_ones_are_not() {
    let text = format!(
        "- list: used_l\n  items: [X]\n- list: unused_l\n  items: [Y]\n- macro: used_m\n  condition: ct.name in (used_l)\n- macro: unused_m\n  condition: ct.name = Z\n{}",
        RULE.replace("ct.name = X", "used_m")
    );
    let rules = load_one(&text);
    assert_eq!(
        codes(&rules),
        [
            (Code::UnusedList, "unused_l".to_owned()),
            (Code::UnusedMacro, "unused_m".to_owned())
        ]
    );
    let unused = rules.warnings().next().unwrap();
    assert_eq!(unused.position, Position { line: 3, column: 3 });
}

#[test]
fn unknown_keys_items_and_invalid_names_warn() {
    let text = format!(
        "- list: \"bad name\"\n  items: [a]\n- macro: 9bad\n  condition: ct.name = X\n- something: else\n{}  colour: red\n",
        RULE
    );
    let rules = load_one(&text);
    let got = codes(&rules);
    assert!(
        got.contains(&(Code::InvalidListName, "bad name".to_owned())),
        "{got:?}"
    );
    assert!(
        got.contains(&(Code::InvalidMacroName, "9bad".to_owned())),
        "{got:?}"
    );
    assert!(got.contains(&(Code::UnknownItem, String::new())), "{got:?}");
    assert!(got.contains(&(Code::UnknownKey, "r".to_owned())), "{got:?}");
    assert!(!rules.has_errors());
}

#[test]
fn override_and_append_together_is_error_override_append() {
    let text = format!(
        "{RULE}- rule: r\n  condition: and ct.user = a\n  append: true\n  override:\n    condition: append\n"
    );
    let rules = load_one(&text);
    let err = rules.errors().next().unwrap();
    assert_eq!(err.code, Code::ErrYamlValidate);
    assert_eq!(err.message_id, Some("ERROR_OVERRIDE_APPEND"));
    assert_eq!(err.position.line, 7);
}

#[test]
fn override_rules_for_keys() {
    // A key present without an override entry.
    let rules = load_one(&format!(
        "{RULE}- rule: r\n  condition: and ct.user = a\n  desc: x\n  override:\n    condition: append\n"
    ));
    assert_eq!(
        rules.errors().next().unwrap().message,
        "Unexpected key 'desc': no corresponding entry under 'override' is defined."
    );
    // An override entry without its key.
    let rules = load_one(&format!(
        "{RULE}- rule: r\n  condition: and ct.user = a\n  override:\n    condition: append\n    output: append\n"
    ));
    assert_eq!(
        rules.errors().next().unwrap().message,
        "An append override for 'output' was specified but 'output' is not defined"
    );
    // Keys that cannot be appended.
    let rules = load_one(&format!(
        "{RULE}- rule: r\n  enabled: false\n  override:\n    enabled: append\n"
    ));
    assert_eq!(
        rules.errors().next().unwrap().message,
        "Key 'enabled' cannot be appended"
    );
    // No previous definition.
    let rules = load_one("- macro: m\n  condition: or x\n  override:\n    condition: append\n");
    assert_eq!(
        rules.errors().next().unwrap().message_id,
        Some("ERROR_NO_PREVIOUS_MACRO")
    );
    let rules = load_one("- list: l\n  items: [a]\n  append: true\n");
    assert_eq!(
        rules.errors().next().unwrap().message_id,
        Some("ERROR_NO_PREVIOUS_LIST")
    );
}

#[test]
fn legacy_append_and_enable_only_forms_warn_as_deprecated() {
    let rules = load_one(&format!(
        "{RULE}- rule: r\n  condition: or ct.name = Y\n  append: true\n- rule: r\n  enabled: false\n"
    ));
    assert!(!rules.has_errors());
    let deprecated: Vec<_> = rules
        .warnings()
        .filter(|d| d.code == Code::DeprecatedItem)
        .map(|d| d.message_id)
        .collect();
    assert_eq!(
        deprecated,
        [Some("WARNING_APPEND"), Some("WARNING_ENABLED")]
    );
    let rule = rules.rule("r").unwrap();
    assert!(!rule.enabled);
    assert_eq!(rule.condition_text, "ct.name = X or ct.name = Y");
}

#[test]
fn redefinition_keeps_the_original_position_in_load_order() {
    let second = RULE.replace("rule: r", "rule: s");
    let text = format!(
        "{RULE}{second}{}",
        RULE.replace("ct.name = X", "ct.name = Z")
    );
    let rules = load_one(&text);
    let names: Vec<&str> = rules.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["r", "s"]);
    assert_eq!(rules.rule("r").unwrap().condition_text, "ct.name = Z");
}

#[test]
fn redefinition_with_a_different_source_is_an_error() {
    let text = format!(
        "{RULE}{}",
        RULE.replace("aws_cloudtrail", "k8s_audit")
            .replace("ct.name = X", "ka.verb = get")
    );
    let rules = load_one(&text);
    assert_eq!(
        rules.errors().next().unwrap().message,
        "Rule has been re-defined with a different source"
    );
}

#[test]
fn several_files_share_one_namespace() {
    let base = RuleFile::new(
        "base.yaml",
        format!(
            "- list: names\n  items: [X]\n{}",
            RULE.replace("ct.name = X", "ct.name in (names)")
        ),
    );
    let local = RuleFile::new(
        "local.yaml",
        "- list: names\n  items: [Y]\n  override:\n    items: append\n",
    );
    let rules = load(&[base, local], &LoadOptions::default());
    assert!(!rules.has_errors());
    assert!(rules.rule("r").unwrap().condition_text.contains("X, Y"));
}

#[test]
fn yaml_errors_and_wrong_shapes() {
    let rules = load_one("- rule: [unclosed\n");
    let err = rules.errors().next().unwrap();
    assert_eq!(err.code, Code::ErrYamlParse);
    assert!(err.position.line >= 1);
    let rules = load_one("rule: r\n");
    assert_eq!(
        rules.errors().next().unwrap().message,
        "Rules content is not yaml array of objects"
    );
    let rules = load_one("- rule: r\n  desc: d\n  output: o\n  priority: INFO\n");
    assert_eq!(
        rules.errors().next().unwrap().message,
        "Item has no mapping for key 'condition'"
    );
    let rules = load_one(&RULE.replace("INFO", "LOUD"));
    assert_eq!(
        rules.errors().next().unwrap().message,
        "Invalid priority 'LOUD'"
    );
}

#[test]
fn every_rule_is_loaded_skipped_or_an_error() {
    let text = format!(
        "{RULE}{}{}{}",
        RULE.replace("rule: r", "rule: broken")
            .replace("ct.name = X", "ct.name = "),
        RULE.replace("rule: r", "rule: sys")
            .replace("source: aws_cloudtrail", "source: syscall"),
        RULE.replace("rule: r", "rule: off") + "  enabled: false\n",
    );
    let rules = load_one(&text);
    let loaded: Vec<(&str, bool)> = rules
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r.enabled))
        .collect();
    assert_eq!(loaded, [("r", true), ("off", false)]);
    let skipped: Vec<(&str, Code)> = rules
        .skipped
        .iter()
        .map(|s| (s.name.as_str(), s.code))
        .collect();
    assert_eq!(
        skipped,
        [
            ("broken", Code::ErrCompileCondition),
            ("sys", Code::UnknownSource)
        ]
    );
    assert_eq!(rules.rule_set().len(), 1);
    assert!(
        rules
            .diagnostics
            .iter()
            .all(|d| d.level == Level::Error || d.code == Code::UnknownSource)
    );
}

#[test]
fn macro_loops_and_undefined_macros() {
    let rules = load_one(&format!(
        "- macro: a\n  condition: b\n- macro: b\n  condition: a\n{}",
        RULE.replace("ct.name = X", "b")
    ));
    assert_eq!(
        rules.errors().next().unwrap().message,
        "Undefined macro 'b' used in filter."
    );
}

#[test]
fn alerts_carry_the_rendered_output_and_severity() {
    use logsec_event::{Event, RawRecord, Severity, SourceFormat, ocsf};
    let rules = load_one(
        &RULE
            .replace(
                "output: o",
                "output: \"%ct.user did %ct.name (%10ct.region|)\"",
            )
            .replace("INFO", "CRITICAL"),
    );
    let set = rules.rule_set();
    let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::Cloudtrail);
    event.raw =
        RawRecord::json(r#"{"eventName":"X","userIdentity":{"type":"Root","userName":"root"}}"#);
    let mut matches = Vec::new();
    set.matches(&event, &mut matches);
    let alert = set.alert(matches[0], &event).unwrap();
    assert_eq!(alert.message, "root did X (<NA>      |)");
    assert_eq!(alert.severity_id, Severity::Critical);
}

#[test]
fn directories_load_their_yaml_files_in_sorted_order() {
    use logsec_rules::falco::load_paths;
    let dir = std::env::temp_dir().join(format!("logsec-falco-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // b.yaml overrides the list a.yml defines: only correct if a.yml loads first.
    std::fs::write(
        dir.join("b.yaml"),
        "- list: names\n  items: [Y]\n  override:\n    items: append\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("a.yml"),
        format!(
            "- list: names\n  items: [X]\n{}",
            RULE.replace("ct.name = X", "ct.name in (names)")
        ),
    )
    .unwrap();
    std::fs::write(dir.join("c.txt"), "not yaml: [").unwrap();
    let missing = dir.join("missing.yaml");
    let rules = load_paths(&[dir.clone(), missing], &LoadOptions::default());
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(rules.rule("r").unwrap().condition_text.contains("X, Y"));
    let errs: Vec<Code> = rules.errors().map(|d| d.code).collect();
    assert_eq!(errs, [Code::ErrFileRead]);
}

#[test]
fn na_checks_and_duplicate_exception_names_warn() {
    let text = RULE
        .replace("ct.name = X", "ka.verb != \"<NA>\"")
        .replace("aws_cloudtrail", "k8s_audit")
        + "  exceptions:\n    - name: e\n      fields: [ka.user.name]\n    - name: e\n      fields: [ka.verb]\n";
    let rules = load_one(&text);
    assert!(!rules.has_errors(), "{:?}", rules.errors().next());
    let got: Vec<Code> = rules.warnings().map(|d| d.code).collect();
    assert_eq!(got, [Code::ExceptionNameNotUnique, Code::UnsafeNaCheck]);
}

#[test]
fn output_fields_are_typed() {
    use logsec_event::{Event, RawRecord, SourceFormat, ocsf};
    let rules = load_one(&RULE.replace(
        "output: o",
        "output: \"%s3.bytes %ec2.imageids %ct.error %toupper(ct.name)\"",
    ));
    let rule = rules.rule("r").unwrap();
    let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::Cloudtrail);
    event.raw = RawRecord::json(
        r#"{"eventName":"X","additionalEventData":{"bytesTransferredIn":7},"responseElements":{"instancesSet":{"items":[{"imageId":"ami-1"},{"imageId":"ami-2"}]}}}"#,
    );
    let (message, fields) = rule.output.render(&event);
    assert_eq!(message, "7 (ami-1,ami-2) <NA> X");
    assert_eq!(
        serde_json::Value::Object(fields),
        serde_json::json!({"s3.bytes": 7, "ec2.imageids": ["ami-1", "ami-2"], "ct.error": null})
    );
}
