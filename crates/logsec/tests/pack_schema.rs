//! The bundled pack's YAML against the Sigma JSON schemas (conformance, needs `../shared`) and
//! the pack's own conventions (`rules/README.md`): unique UUID ids, full metadata on every
//! alerting document, ATT&CK tags, a sibling `.tests.jsonl` for every rule file.
// Test helpers (corpus walk, YAML loading) fail the test on a broken setup.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

fn pack_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules")
}

fn shared_dir() -> Option<PathBuf> {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if shared.is_dir() {
        return Some(shared);
    }
    assert!(
        std::env::var("LOGSEC_REQUIRE_SHARED").as_deref() != Ok("1"),
        "LOGSEC_REQUIRE_SHARED=1 but {} is missing",
        shared.display()
    );
    println!("skipping: ../shared not found");
    None
}

/// Every `*.yml` under `rules/` except `rules/placeholders.yml`, sorted.
fn rule_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "yml") {
                out.push(path);
            }
        }
    }
    let root = pack_dir();
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.retain(|path| path != &root.join("placeholders.yml"));
    assert!(files.len() >= 70, "only {} rule files", files.len());
    files
}

fn rel(path: &Path) -> String {
    path.strip_prefix(pack_dir())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The YAML documents of one rule file, as JSON values.
fn documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    let docs: Vec<Value> = serde_saphyr::from_multiple(&text)
        .unwrap_or_else(|err| panic!("{}: YAML: {err}", rel(path)));
    assert!(!docs.is_empty(), "{}: no YAML document", rel(path));
    docs
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Detection,
    Correlation,
    Filter,
}

fn kind(doc: &Value) -> Option<Kind> {
    let has = |key: &str| doc.get(key).is_some();
    match (has("correlation"), has("filter"), has("detection")) {
        (true, false, false) => Some(Kind::Correlation),
        (false, true, false) => Some(Kind::Filter),
        (false, false, true) => Some(Kind::Detection),
        _ => None,
    }
}

/// Names of the rules a correlation document refers to.
fn correlation_refs(doc: &Value) -> Vec<String> {
    doc.pointer("/correlation/rules")
        .and_then(Value::as_array)
        .map(|rules| {
            rules
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn conformance_pack_rules_validate_against_sigma_schema() {
    let Some(shared) = shared_dir() else {
        return;
    };
    let schema_dir = shared.join("corpus/sigma/spec/json-schema");
    let validator = |file: &str| {
        let text = std::fs::read_to_string(schema_dir.join(file))
            .unwrap_or_else(|err| panic!("{file}: {err}"));
        let schema: Value = serde_json::from_str(&text).unwrap();
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|err| panic!("{file}: {err}"))
    };
    let detection = validator("sigma-detection-rule-schema.json");
    let correlation = validator("sigma-correlation-rules-schema.json");
    let filter = validator("sigma-filters-schema.json");

    let mut failures = Vec::new();
    let mut checked = BTreeMap::<&str, usize>::new();
    for path in rule_files() {
        for (index, doc) in documents(&path).iter().enumerate() {
            let (name, schema) = match kind(doc) {
                Some(Kind::Detection) => ("detection", &detection),
                Some(Kind::Correlation) => ("correlation", &correlation),
                Some(Kind::Filter) => ("filter", &filter),
                None => {
                    failures.push(format!(
                        "{} doc {}: not exactly one of detection/correlation/filter",
                        rel(&path),
                        index + 1
                    ));
                    continue;
                }
            };
            *checked.entry(name).or_default() += 1;
            for error in schema.iter_errors(doc) {
                failures.push(format!(
                    "{} doc {} ({name}): {}: {error}",
                    rel(&path),
                    index + 1,
                    error.instance_path()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} schema violations:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        checked.get("detection").copied().unwrap_or(0) >= 70,
        "{checked:?}"
    );
    assert!(
        checked.get("correlation").copied().unwrap_or(0) >= 10,
        "{checked:?}"
    );
}

/// The schema itself must reject what it should, so the conformance test above can fail.
#[test]
fn conformance_sigma_schema_rejects_a_broken_rule() {
    let Some(shared) = shared_dir() else {
        return;
    };
    let path = shared.join("corpus/sigma/spec/json-schema/sigma-detection-rule-schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let good: Value = serde_saphyr::from_str(
        "title: t\nid: 0b8c7a52-3f0e-4c3e-9a55-1f6f2b3c4d5e\nlevel: high\n\
         logsource: {product: aws}\ndetection: {sel: {a: b}, condition: sel}\n",
    )
    .unwrap();
    assert!(validator.is_valid(&good));
    for broken in [
        "title: t\nlevel: severe\nlogsource: {product: aws}\ndetection: {sel: {a: b}, condition: sel}\n",
        "title: t\nid: not-a-uuid\nlogsource: {product: aws}\ndetection: {sel: {a: b}, condition: sel}\n",
        "title: t\nlogsource: {product: aws}\n",
    ] {
        let doc: Value = serde_saphyr::from_str(broken).unwrap();
        assert!(!validator.is_valid(&doc), "accepted: {broken}");
    }
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

fn is_tactic(tag: &str) -> bool {
    const TACTICS: [&str; 14] = [
        "reconnaissance",
        "resource-development",
        "initial-access",
        "execution",
        "persistence",
        "privilege-escalation",
        "defense-evasion",
        "credential-access",
        "discovery",
        "lateral-movement",
        "collection",
        "command-and-control",
        "exfiltration",
        "impact",
    ];
    tag.strip_prefix("attack.")
        .is_some_and(|name| TACTICS.contains(&name))
}

fn is_technique(tag: &str) -> bool {
    let Some(id) = tag.strip_prefix("attack.t") else {
        return false;
    };
    let (main, sub) = id.split_once('.').unwrap_or((id, ""));
    main.len() == 4
        && main.chars().all(|c| c.is_ascii_digit())
        && (sub.is_empty() || (sub.len() == 3 && sub.chars().all(|c| c.is_ascii_digit())))
}

#[test]
fn pack_ids_are_unique_uuids() {
    let mut seen = BTreeMap::<String, String>::new();
    let mut failures = Vec::new();
    let mut count = 0;
    for path in rule_files() {
        for (index, doc) in documents(&path).iter().enumerate() {
            let at = format!("{} doc {}", rel(&path), index + 1);
            count += 1;
            match doc.get("id").and_then(Value::as_str) {
                None => failures.push(format!("{at}: no id")),
                Some(id) if !is_uuid(id) => failures.push(format!("{at}: id {id} is not a UUID")),
                Some(id) => {
                    if let Some(first) = seen.insert(id.to_ascii_lowercase(), at.clone()) {
                        failures.push(format!("{at}: id {id} already used by {first}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(seen.len(), count);
}

#[test]
fn pack_alerting_documents_carry_full_metadata() {
    let mut failures = Vec::new();
    let mut alerting_count = 0;
    for path in rule_files() {
        let docs = documents(&path);
        let referenced: BTreeSet<String> = docs.iter().flat_map(correlation_refs).collect();
        let mut alerting = 0;
        for (index, doc) in docs.iter().enumerate() {
            let at = format!("{} doc {}", rel(&path), index + 1);
            let name = doc.get("name").and_then(Value::as_str);
            if name.is_some_and(|name| referenced.contains(name)) {
                // A base rule or an intermediate correlation: does not alert on its own.
                if doc.get("generate").and_then(Value::as_bool) == Some(true) {
                    failures.push(format!("{at}: generate: true is not used in the pack"));
                }
                continue;
            }
            if index != 0 {
                failures.push(format!(
                    "{at}: alerting document is not the first of its file"
                ));
            }
            alerting += 1;
            for key in ["title", "author", "level", "description", "date", "status"] {
                let present = doc
                    .get(key)
                    .and_then(Value::as_str)
                    .is_some_and(|value| !value.trim().is_empty());
                if !present {
                    failures.push(format!("{at}: no {key}"));
                }
            }
            if doc.get("author").and_then(Value::as_str) != Some("logsec") {
                failures.push(format!("{at}: author is not logsec"));
            }
            let level = doc.get("level").and_then(Value::as_str).unwrap_or("");
            if !["informational", "low", "medium", "high", "critical"].contains(&level) {
                failures.push(format!("{at}: level {level:?}"));
            }
            let tags: Vec<&str> = doc
                .get("tags")
                .and_then(Value::as_array)
                .map(|tags| tags.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if !tags.iter().any(|tag| is_tactic(tag)) {
                failures.push(format!("{at}: no ATT&CK tactic tag in {tags:?}"));
            }
            if !tags.iter().any(|tag| is_technique(tag)) {
                failures.push(format!("{at}: no ATT&CK technique tag in {tags:?}"));
            }
            for tag in tags.iter().filter(|tag| tag.starts_with("attack.")) {
                if !is_tactic(tag) && !is_technique(tag) {
                    failures.push(format!("{at}: malformed ATT&CK tag {tag}"));
                }
            }
        }
        if alerting == 0 {
            failures.push(format!("{}: no alerting document", rel(&path)));
        }
        alerting_count += alerting;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(alerting_count >= 70, "{alerting_count} alerting documents");
}

#[test]
fn pack_rule_files_have_sibling_tests() {
    let missing: Vec<String> = rule_files()
        .iter()
        .filter(|path| !path.with_extension("tests.jsonl").is_file())
        .map(|path| rel(path))
        .collect();
    assert!(missing.is_empty(), "no .tests.jsonl for {missing:?}");
}

#[test]
fn attack_tag_checks_reject_malformed_tags() {
    assert!(is_tactic("attack.defense-evasion"));
    assert!(!is_tactic("attack.defense_evasion"));
    assert!(is_technique("attack.t1078.004"));
    assert!(is_technique("attack.t1190"));
    assert!(!is_technique("attack.t1078.4"));
    assert!(!is_technique("attack.T1190"));
    assert!(is_uuid("b5a12b35-dedf-43d6-96d7-48fa5b3fcec3"));
    assert!(!is_uuid("b5a12b35-dedf-43d6-96d7-48fa5b3fcec"));
}
