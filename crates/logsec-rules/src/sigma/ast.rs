//! Sigma YAML documents → typed documents (syntax only; nothing is compiled here).

use serde_json::{Map, Value};

use super::mapping::Logsource;

/// Metadata common to every Sigma document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meta {
    pub(crate) title: String,
    pub(crate) id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) description: String,
    pub(crate) author: Option<String>,
    pub(crate) level: Option<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) taxonomy: Option<String>,
}

impl Meta {
    /// The id if there is one, else the name, else the title.
    pub(crate) fn handle(&self) -> String {
        self.id
            .clone()
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| self.title.clone())
    }

    /// Whether `reference` (an id or a name) names this document.
    pub(crate) fn is_named(&self, reference: &str) -> bool {
        self.id.as_deref() == Some(reference) || self.name.as_deref() == Some(reference)
    }
}

/// A detection rule.
#[derive(Debug, Clone)]
pub(crate) struct DetectionDoc {
    pub(crate) meta: Meta,
    pub(crate) logsource: Logsource,
    /// Search identifiers in document order.
    pub(crate) identifiers: Vec<(String, Value)>,
    /// One or more conditions (a list is OR-ed).
    pub(crate) conditions: Vec<String>,
    /// Sigma 1 `timeframe` inside `detection` (legacy aggregation).
    pub(crate) legacy_timeframe: bool,
}

/// A correlation rule.
#[derive(Debug, Clone)]
pub(crate) struct CorrelationDoc {
    pub(crate) meta: Meta,
    pub(crate) kind: String,
    pub(crate) rules: Vec<String>,
    pub(crate) group_by: Vec<String>,
    pub(crate) timespan: String,
    pub(crate) condition: Option<Map<String, Value>>,
    /// alias → (rule reference → field).
    pub(crate) aliases: Vec<(String, Vec<(String, String)>)>,
    pub(crate) generate: bool,
}

/// A filter (meta filter rule).
#[derive(Debug, Clone)]
pub(crate) struct FilterDoc {
    pub(crate) meta: Meta,
    pub(crate) logsource: Logsource,
    /// Referenced rules; empty means every rule of the logsource.
    pub(crate) rules: Vec<String>,
    pub(crate) identifiers: Vec<(String, Value)>,
    pub(crate) condition: String,
}

/// One YAML document of a Sigma file.
#[derive(Debug, Clone)]
pub(crate) enum Document {
    Detection(DetectionDoc),
    Correlation(CorrelationDoc),
    Filter(FilterDoc),
}

/// A document that could not be read, with what is known of it.
#[derive(Debug, Clone)]
pub(crate) struct BadDocument {
    pub(crate) title: String,
    pub(crate) id: Option<String>,
    pub(crate) reason: String,
}

fn string(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(|i| string(Some(i))).collect(),
        Some(other) => string(Some(other)).into_iter().collect(),
        None => Vec::new(),
    }
}

fn meta(map: &Map<String, Value>) -> Meta {
    Meta {
        title: string(map.get("title")).unwrap_or_default(),
        id: string(map.get("id")),
        name: string(map.get("name")),
        status: string(map.get("status")),
        description: string(map.get("description")).unwrap_or_default(),
        author: string(map.get("author")),
        level: string(map.get("level")),
        tags: string_list(map.get("tags")),
        taxonomy: string(map.get("taxonomy")),
    }
}

fn logsource(map: &Map<String, Value>) -> Result<Logsource, String> {
    let Some(Value::Object(ls)) = map.get("logsource") else {
        return Err("missing or malformed `logsource` (a map is required)".into());
    };
    Ok(Logsource {
        category: string(ls.get("category")),
        product: string(ls.get("product")),
        service: string(ls.get("service")),
    })
}

fn identifiers(map: &Map<String, Value>, skip: &[&str]) -> Vec<(String, Value)> {
    map.iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Reads one parsed YAML document.
pub(crate) fn read_document(value: &Value) -> Result<Document, BadDocument> {
    let Value::Object(map) = value else {
        return Err(BadDocument {
            title: String::new(),
            id: None,
            reason: "a Sigma document must be a YAML map".into(),
        });
    };
    let meta = meta(map);
    let bad = |reason: String| BadDocument {
        title: meta.title.clone(),
        id: meta.id.clone(),
        reason,
    };
    if meta.title.is_empty() {
        return Err(bad("missing `title`".into()));
    }
    if let Some(correlation) = map.get("correlation") {
        let Value::Object(c) = correlation else {
            return Err(bad("`correlation` must be a map".into()));
        };
        let kind = string(c.get("type")).ok_or_else(|| bad("correlation without `type`".into()))?;
        let rules = string_list(c.get("rules"));
        if rules.is_empty() {
            return Err(bad("correlation without `rules`".into()));
        }
        let timespan = string(c.get("timespan"))
            .or_else(|| string(c.get("timeframe")))
            .ok_or_else(|| bad("correlation without `timespan`".into()))?;
        let condition = match c.get("condition") {
            None => None,
            Some(Value::Object(cond)) => Some(cond.clone()),
            Some(_) => return Err(bad("correlation `condition` must be a map".into())),
        };
        let mut aliases = Vec::new();
        if let Some(Value::Object(a)) = c.get("aliases") {
            for (alias, targets) in a {
                let Value::Object(targets) = targets else {
                    return Err(bad(format!(
                        "alias {alias:?} must map rule names to fields"
                    )));
                };
                let pairs = targets
                    .iter()
                    .filter_map(|(rule, field)| string(Some(field)).map(|f| (rule.clone(), f)))
                    .collect();
                aliases.push((alias.clone(), pairs));
            }
        }
        let generate = [map.get("generate"), c.get("generate")]
            .into_iter()
            .flatten()
            .any(|g| g.as_bool() == Some(true));
        return Ok(Document::Correlation(CorrelationDoc {
            meta,
            kind,
            rules,
            group_by: string_list(c.get("group-by")),
            timespan,
            condition,
            aliases,
            generate,
        }));
    }
    if let Some(filter) = map.get("filter") {
        let Value::Object(f) = filter else {
            return Err(bad("`filter` must be a map".into()));
        };
        let logsource = logsource(map).map_err(bad)?;
        let rules = match f.get("rules") {
            Some(Value::String(any)) if any == "any" => Vec::new(),
            other => string_list(other),
        };
        let condition =
            string(f.get("condition")).ok_or_else(|| bad("filter without `condition`".into()))?;
        return Ok(Document::Filter(FilterDoc {
            meta,
            logsource,
            rules,
            identifiers: identifiers(f, &["rules", "condition"]),
            condition,
        }));
    }
    let Some(Value::Object(detection)) = map.get("detection") else {
        return Err(bad(
            "not a detection rule, correlation or filter: no `detection`, `correlation` or `filter` map"
                .into(),
        ));
    };
    let logsource = logsource(map).map_err(bad)?;
    let conditions = match detection.get("condition") {
        Some(Value::String(c)) => vec![c.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(|i| string(Some(i))).collect(),
        _ => Vec::new(),
    };
    if conditions.is_empty() {
        return Err(bad("`detection` has no `condition`".into()));
    }
    Ok(Document::Detection(DetectionDoc {
        meta,
        logsource,
        identifiers: identifiers(detection, &["condition", "timeframe"]),
        conditions,
        legacy_timeframe: detection.contains_key("timeframe"),
    }))
}

/// The 1-based line of the first content line of each non-empty YAML document of `text`.
pub(crate) fn document_lines(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut first_content: Option<usize> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed.starts_with("--- ") {
            starts.extend(first_content.take());
        } else {
            let content = trimmed.trim_start();
            if !content.is_empty() && !content.starts_with('#') && first_content.is_none() {
                first_content = Some(index + 1);
            }
        }
    }
    starts.extend(first_content);
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_lines_follow_separators() {
        let text = "title: a\n---\ntitle: b\n---\n\n---\n# c\ntitle: c\n";
        assert_eq!(document_lines(text), vec![1, 3, 8]);
    }
}
