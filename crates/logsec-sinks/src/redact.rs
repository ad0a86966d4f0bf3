//! Redaction of secrets in alert evidence, and the cap on evidences per alert.

use std::borrow::Cow;

use logsec_event::{Alert, DEFAULT_MAX_EVIDENCES};
use serde_json::Value;

/// What a redacted value is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// The default redacted paths, relative to each evidence's raw record
/// (`evidences[].data.raw`). Keys match ASCII-case-insensitively; `*` is any one key, `**` any
/// number of levels; arrays are walked through.
///
/// - CloudTrail temporary credentials returned by STS `AssumeRole*`, `GetSessionToken`,
///   `GetFederationToken`, SSO `GetRoleCredentials`: `responseElements.credentials.sessionToken`,
///   `.secretAccessKey` and `.accessKeyId`.
/// - HTTP secrets anywhere in the record: `authorization`, `proxy-authorization`, `cookie`,
///   `set-cookie`, `x-api-key`, `x-amz-security-token` headers, and `password` fields.
pub const DEFAULT_REDACT_PATHS: &[&str] = &[
    "responseElements.credentials.sessionToken",
    "responseElements.credentials.secretAccessKey",
    "responseElements.credentials.accessKeyId",
    "**.authorization",
    "**.proxy-authorization",
    "**.cookie",
    "**.set-cookie",
    "**.x-api-key",
    "**.x-amz-security-token",
    "**.password",
];

/// The default query-string parameters whose values are redacted in every string of the
/// evidence (raw lines, URLs), in the message and in the output fields: `name=value` preceded
/// by the start of the text, `?`, `&`, `;` or a space. Names match ASCII-case-insensitively.
pub const DEFAULT_QUERY_PARAMS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "client_secret",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "api_key",
    "apikey",
    "auth",
    "signature",
    "sig",
    "x-amz-signature",
    "x-amz-security-token",
    "x-amz-credential",
];

/// Secrets shorter than this are not searched for elsewhere in the alert (they would match
/// innocent text).
const MIN_ECHOED_SECRET: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    AnyKey,
    AnyDepth,
}

/// Removes secrets from alerts before any sink sees them, and caps the evidences an alert
/// carries.
///
/// For each evidence: values at the redaction paths are replaced by [`REDACTED`]; then the
/// values of sensitive query parameters are redacted in every string. Any secret value found at
/// a path (8 characters or more) is also replaced wherever else it appears in the alert (the
/// message, output fields, other strings), so a rule output that echoes it does not leak it.
///
/// ```
/// use logsec_sinks::Redactor;
/// let redactor = Redactor::default().path("requestParameters.privateKey").max_evidences(3);
/// assert!(redactor.paths().any(|p| p == "requestParameters.privateKey"));
/// ```
#[derive(Debug, Clone)]
pub struct Redactor {
    paths: Vec<(String, Vec<Segment>)>,
    query_params: Vec<String>,
    max_evidences: usize,
}

impl Default for Redactor {
    /// The default paths and query parameters, and [`DEFAULT_MAX_EVIDENCES`] evidences.
    fn default() -> Self {
        let mut redactor = Redactor::none();
        for path in DEFAULT_REDACT_PATHS {
            redactor = redactor.path(path);
        }
        for name in DEFAULT_QUERY_PARAMS {
            redactor = redactor.query_param(name);
        }
        redactor
    }
}

impl Redactor {
    /// Redacts nothing (keeps the evidence cap at [`DEFAULT_MAX_EVIDENCES`]).
    pub fn none() -> Redactor {
        Redactor {
            paths: Vec::new(),
            query_params: Vec::new(),
            max_evidences: DEFAULT_MAX_EVIDENCES,
        }
    }

    /// Adds a path to redact (syntax as in [`DEFAULT_REDACT_PATHS`]).
    pub fn path(mut self, path: &str) -> Redactor {
        let segments = path
            .split('.')
            .filter(|part| !part.is_empty())
            .map(|part| match part {
                "*" => Segment::AnyKey,
                "**" => Segment::AnyDepth,
                key => Segment::Key(key.to_owned()),
            })
            .collect();
        self.paths.push((path.to_owned(), segments));
        self
    }

    /// Adds a query parameter whose value is redacted.
    pub fn query_param(mut self, name: &str) -> Redactor {
        self.query_params.push(name.to_ascii_lowercase());
        self
    }

    /// Caps the evidences per alert; `finding_info.related_events_count` keeps the full count.
    pub fn max_evidences(mut self, max: usize) -> Redactor {
        self.max_evidences = max;
        self
    }

    /// The configured paths.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.paths.iter().map(|(text, _)| text.as_str())
    }

    /// Redacts `alert` in place.
    pub fn apply(&self, alert: &mut Alert) {
        if alert.evidences.len() > self.max_evidences {
            let total = (alert.evidences.len() as u64)
                .max(alert.finding_info.related_events.len() as u64)
                .max(alert.finding_info.related_events_count.unwrap_or(0));
            alert.evidences.truncate(self.max_evidences);
            alert.finding_info.related_events_count = Some(total);
        }
        let mut secrets = Vec::new();
        for evidence in &mut alert.evidences {
            if let Some(raw) = evidence.data.get_mut("raw") {
                for (_, segments) in &self.paths {
                    redact_path(raw, segments, &mut secrets);
                }
            }
        }
        secrets.retain(|secret: &String| secret.len() >= MIN_ECHOED_SECRET);
        secrets.sort_unstable();
        secrets.dedup();
        let scrub = |text: &str| -> Option<String> {
            let mut out: Cow<'_, str> = Cow::Borrowed(text);
            if let Some(changed) = scrub_query(&out, &self.query_params) {
                out = Cow::Owned(changed);
            }
            for secret in &secrets {
                if out.contains(secret.as_str()) {
                    out = Cow::Owned(out.replace(secret.as_str(), REDACTED));
                }
            }
            match out {
                Cow::Owned(changed) => Some(changed),
                Cow::Borrowed(_) => None,
            }
        };
        for evidence in &mut alert.evidences {
            scrub_value(&mut evidence.data, &scrub);
            if let Some(url) = evidence
                .http_request
                .as_mut()
                .and_then(|request| request.url.as_mut())
            {
                for text in [&mut url.query_string, &mut url.url_string, &mut url.path]
                    .into_iter()
                    .flatten()
                {
                    if let Some(changed) = scrub(text) {
                        *text = Cow::Owned(changed);
                    }
                }
            }
        }
        if let Some(changed) = scrub(&alert.message) {
            alert.message = changed;
        }
        for value in alert.unmapped.output_fields.values_mut() {
            scrub_value(value, &scrub);
        }
    }
}

fn collect_strings(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::String(text) => into.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| collect_strings(item, into)),
        Value::Object(map) => map.values().for_each(|item| collect_strings(item, into)),
        _ => {}
    }
}

fn redact_path(value: &mut Value, path: &[Segment], secrets: &mut Vec<String>) {
    let Some((first, rest)) = path.split_first() else {
        if !value.is_null() && value.as_str() != Some(REDACTED) {
            collect_strings(value, secrets);
            *value = Value::String(REDACTED.to_owned());
        }
        return;
    };
    if *first == Segment::AnyDepth {
        redact_path(value, rest, secrets);
        match value {
            Value::Array(items) => items
                .iter_mut()
                .for_each(|item| redact_path(item, path, secrets)),
            Value::Object(map) => map
                .values_mut()
                .for_each(|item| redact_path(item, path, secrets)),
            _ => {}
        }
        return;
    }
    match value {
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| redact_path(item, path, secrets)),
        Value::Object(map) => {
            for (name, child) in map.iter_mut() {
                let hit = match first {
                    Segment::Key(key) => name.eq_ignore_ascii_case(key),
                    _ => true,
                };
                if hit {
                    redact_path(child, rest, secrets);
                }
            }
        }
        _ => {}
    }
}

fn scrub_value(value: &mut Value, scrub: &impl Fn(&str) -> Option<String>) {
    match value {
        Value::String(text) => {
            if let Some(changed) = scrub(text) {
                *text = changed;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| scrub_value(item, scrub)),
        Value::Object(map) => map.values_mut().for_each(|item| scrub_value(item, scrub)),
        _ => {}
    }
}

/// Redacts the values of `params` in `name=value` pairs; `None` when nothing changed.
pub(crate) fn scrub_query(text: &str, params: &[String]) -> Option<String> {
    if params.is_empty() || !text.contains('=') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut index = 0;
    while let Some(offset) = bytes.get(index..).and_then(memchr_eq) {
        let equals = index + offset;
        let mut name_start = equals;
        while name_start > 0
            && bytes
                .get(name_start - 1)
                .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        {
            name_start -= 1;
        }
        let boundary = name_start == 0
            || matches!(
                bytes.get(name_start - 1),
                Some(b'?' | b'&' | b';' | b' ' | b'"' | b'\'')
            );
        let name = text.get(name_start..equals).unwrap_or_default();
        let mut value_end = equals + 1;
        while bytes
            .get(value_end)
            .is_some_and(|&b| !matches!(b, b'&' | b' ' | b'#' | b'"' | b'\'' | b';' | b',' | b'\n'))
        {
            value_end += 1;
        }
        let value = text.get(equals + 1..value_end).unwrap_or_default();
        if boundary
            && !name.is_empty()
            && !value.is_empty()
            && value != REDACTED
            && params.iter().any(|param| param.eq_ignore_ascii_case(name))
        {
            out.push_str(text.get(copied..equals + 1).unwrap_or_default());
            out.push_str(REDACTED);
            copied = value_end;
        }
        index = value_end.max(equals + 1);
    }
    if copied == 0 {
        return None;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    Some(out)
}

fn memchr_eq(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'=')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Vec<String> {
        DEFAULT_QUERY_PARAMS.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn query_values_are_redacted_at_boundaries_only() {
        assert_eq!(
            scrub_query(
                "GET /login?user=bob&password=hunter22&x=1 HTTP/1.1",
                &params()
            )
            .as_deref(),
            Some("GET /login?user=bob&password=[REDACTED]&x=1 HTTP/1.1")
        );
        assert_eq!(
            scrub_query("token=abc", &params()).as_deref(),
            Some("token=[REDACTED]")
        );
        assert_eq!(scrub_query("mytoken=abc&x=1", &params()), None);
        assert_eq!(scrub_query("no secrets here", &params()), None);
        assert_eq!(
            scrub_query("a=1&X-Amz-Signature=deadbeef", &params()).as_deref(),
            Some("a=1&X-Amz-Signature=[REDACTED]")
        );
    }

    #[test]
    fn paths_walk_arrays_and_any_depth() {
        let mut value = serde_json::json!({
            "responseElements": {"credentials": {"sessionToken": "FQoGZXIvYXdzEXAMPLE", "expiration": "x"}},
            "headers": [{"Authorization": "Bearer abcdefghij"}, {"accept": "*/*"}]
        });
        let redactor = Redactor::default();
        let mut secrets = Vec::new();
        for (_, segments) in &redactor.paths {
            redact_path(&mut value, segments, &mut secrets);
        }
        assert_eq!(
            value["responseElements"]["credentials"]["sessionToken"],
            REDACTED
        );
        assert_eq!(value["responseElements"]["credentials"]["expiration"], "x");
        assert_eq!(value["headers"][0]["Authorization"], REDACTED);
        assert_eq!(value["headers"][1]["accept"], "*/*");
        assert!(secrets.contains(&"FQoGZXIvYXdzEXAMPLE".to_owned()));
    }
}
