//! The bundled default rule pack, embedded at build time from `rules/`.

use std::collections::HashMap;

use logsec_rules::RuleFile;

include!(concat!(env!("OUT_DIR"), "/pack.rs"));

/// The name of the pack's placeholder-defaults file (configuration, not rules).
pub const PLACEHOLDERS_FILE: &str = "placeholders.yml";

/// The pack's rule files, in sorted path order, named `pack:<path>`.
pub fn default_rule_files() -> Vec<RuleFile> {
    PACK_FILES
        .iter()
        .filter(|(path, _)| *path != PLACEHOLDERS_FILE)
        .map(|(path, text)| RuleFile::new(format!("pack:{path}"), *text))
        .collect()
}

/// The pack's default values for `|expand` placeholders (`rules/placeholders.yml`).
pub fn default_placeholders() -> HashMap<String, Vec<String>> {
    PACK_FILES
        .iter()
        .find(|(path, _)| *path == PLACEHOLDERS_FILE)
        .and_then(|(_, text)| parse_placeholders(text).ok())
        .unwrap_or_default()
}

/// Reads a placeholder file: `placeholders: {name: [value, …], …}`.
pub fn parse_placeholders(text: &str) -> Result<HashMap<String, Vec<String>>, String> {
    #[derive(serde::Deserialize)]
    struct File {
        #[serde(default)]
        placeholders: HashMap<String, Vec<String>>,
    }
    serde_saphyr::from_str::<File>(text)
        .map(|file| file.placeholders)
        .map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pack_is_embedded_with_its_placeholders() {
        let files = default_rule_files();
        assert!(files.len() >= 50, "{} rule files", files.len());
        assert!(
            files
                .iter()
                .all(|f| f.name.starts_with("pack:") && !f.name.ends_with(PLACEHOLDERS_FILE))
        );
        let placeholders = default_placeholders();
        assert!(
            placeholders.contains_key("allowed_instance_types"),
            "{placeholders:?}"
        );
    }

    #[test]
    fn placeholder_files_are_validated() {
        let parsed = parse_placeholders("placeholders:\n  a: ['1', '2']\n").unwrap();
        assert_eq!(parsed["a"], ["1", "2"]);
        assert!(parse_placeholders("placeholders: [1, 2]").is_err());
    }
}
