//! Logsource → source-format mapping and Sigma field → logsec field mapping, read from the data
//! files in `mappings/sigma/` (see their README).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use logsec_event::{Event, FieldPath, FieldValue, SourceFormat};
use serde::Deserialize;

use crate::error::RulesError;
use crate::ir::{Accessor, Case, Expr, FieldExtractor, Predicate, StrMatcher, Test};

/// The embedded mapping files: (file name, text).
const BUILTIN: &[(&str, &str)] = &[
    (
        "cloudtrail.yaml",
        include_str!("../../mappings/sigma/cloudtrail.yaml"),
    ),
    (
        "k8s_audit.yaml",
        include_str!("../../mappings/sigma/k8s_audit.yaml"),
    ),
    (
        "web_access.yaml",
        include_str!("../../mappings/sigma/web_access.yaml"),
    ),
    (
        "envoy.yaml",
        include_str!("../../mappings/sigma/envoy.yaml"),
    ),
    (
        "istio.yaml",
        include_str!("../../mappings/sigma/istio.yaml"),
    ),
    ("elb.yaml", include_str!("../../mappings/sigma/elb.yaml")),
    (
        "s3_access.yaml",
        include_str!("../../mappings/sigma/s3_access.yaml"),
    ),
    (
        "syslog.yaml",
        include_str!("../../mappings/sigma/syslog.yaml"),
    ),
    (
        "auth_log.yaml",
        include_str!("../../mappings/sigma/auth_log.yaml"),
    ),
    (
        "gcp_audit.yaml",
        include_str!("../../mappings/sigma/gcp_audit.yaml"),
    ),
    (
        "azure_activity.yaml",
        include_str!("../../mappings/sigma/azure_activity.yaml"),
    ),
    (
        "vpc_flow.yaml",
        include_str!("../../mappings/sigma/vpc_flow.yaml"),
    ),
];

/// Shared field lists that mapping files include by name.
const BUILTIN_FIELD_SETS: &[(&str, &str)] =
    &[("w3c", include_str!("../../mappings/sigma/w3c_fields.yaml"))];

/// A Sigma `logsource`'s three matching keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Deserialize)]
pub struct Logsource {
    /// `category`.
    #[serde(default)]
    pub category: Option<String>,
    /// `product`.
    #[serde(default)]
    pub product: Option<String>,
    /// `service`.
    #[serde(default)]
    pub service: Option<String>,
}

impl Logsource {
    /// Whether the two name the same (category, product, service), ignoring ASCII case.
    pub fn same_as(&self, other: &Logsource) -> bool {
        fn eq(a: &Option<String>, b: &Option<String>) -> bool {
            match (a, b) {
                (None, None) => true,
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => false,
            }
        }
        eq(&self.category, &other.category)
            && eq(&self.product, &other.product)
            && eq(&self.service, &other.service)
    }
}

impl std::fmt::Display for Logsource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        for (key, value) in [
            ("category", &self.category),
            ("product", &self.product),
            ("service", &self.service),
        ] {
            if let Some(value) = value {
                parts.push(format!("{key}: {value}"));
            }
        }
        write!(f, "{{{}}}", parts.join(", "))
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum TargetText {
    Path(String),
    Computed { computed: String },
}

/// One `logsources` entry of a mapping file: a logsource, optionally restricted to the events
/// of the format whose field `only_if.field` has one of `only_if.values`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogsourceEntry {
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    product: Option<String>,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    only_if: Option<RestrictionText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RestrictionText {
    field: String,
    values: Vec<String>,
}

/// A logsource that selects only some events of a format (`service: sshd` on auth.log: the
/// lines of the sshd program).
#[derive(Debug, Clone)]
struct Restriction {
    logsource: Logsource,
    accessor: Accessor,
    values: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    format: String,
    logsources: Vec<LogsourceEntry>,
    #[serde(default)]
    raw_passthrough: bool,
    #[serde(default)]
    known_raw_roots: Option<Vec<String>>,
    #[serde(default)]
    include_fields: Vec<String>,
    #[serde(default)]
    fields: HashMap<String, TargetText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldSetFile {
    fields: HashMap<String, TargetText>,
}

/// How Sigma rules read events of one source format.
#[derive(Debug, Clone)]
pub struct SourceMapping {
    /// The format.
    pub format: SourceFormat,
    /// The logsources that select it.
    pub logsources: Vec<Logsource>,
    restrictions: Vec<Restriction>,
    raw_passthrough: bool,
    known_raw_roots: Option<HashSet<String>>,
    fields: HashMap<String, Accessor>,
}

/// A field resolved for one format.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedField {
    pub(crate) accessor: Accessor,
    /// Set when the field is not known to the format.
    pub(crate) warning: Option<String>,
}

impl SourceMapping {
    /// The condition an event of this format must also meet to belong to `logsource`, if the
    /// mapping restricts it (an `only_if` entry), with a text that identifies it.
    pub(crate) fn restriction(&self, logsource: &Logsource) -> Option<(String, Expr)> {
        let r = self
            .restrictions
            .iter()
            .find(|r| r.logsource.same_as(logsource))?;
        let text = format!("{} in {:?}", r.accessor.name(), r.values);
        let test = Test::Str(StrMatcher::in_set(&r.values, Case::Insensitive));
        Some((text, Expr::pred(Predicate::new(r.accessor.clone(), test))))
    }

    /// Resolves a Sigma field name for this format.
    pub(crate) fn resolve(&self, field: &str) -> Result<ResolvedField, RulesError> {
        if let Some(accessor) = self.fields.get(field) {
            return Ok(ResolvedField {
                accessor: accessor.clone(),
                warning: None,
            });
        }
        if !self.raw_passthrough {
            return Err(RulesError::Field {
                field: field.to_owned(),
                reason: format!("no mapping for format {}", self.format),
            });
        }
        let path = FieldPath::raw(field).map_err(|err| RulesError::Field {
            field: field.to_owned(),
            reason: err.to_string(),
        })?;
        let root = field.split(['.', '[']).next().unwrap_or(field);
        let warning = match &self.known_raw_roots {
            Some(known) if known.contains(root) => None,
            Some(_) => Some(format!(
                "field {field:?} is not a {} field; read as a raw path",
                self.format
            )),
            None if self.format.raw_is_json() => None,
            None => Some(format!(
                "field {field:?} has no mapping for {}; read as the parser's raw field",
                self.format
            )),
        };
        Ok(ResolvedField {
            accessor: Accessor::Path(path),
            warning,
        })
    }
}

/// Every source mapping in use.
#[derive(Debug, Clone)]
pub struct SigmaMappings {
    sources: Vec<SourceMapping>,
}

fn yaml_error(file: &str, err: impl std::fmt::Display) -> RulesError {
    RulesError::Syntax {
        location: format!("mappings/sigma/{file}"),
        message: err.to_string(),
    }
}

fn target(file: &str, name: &str, text: &TargetText) -> Result<Accessor, RulesError> {
    match text {
        TargetText::Path(path) => FieldPath::parse(path)
            .map(Accessor::Path)
            .map_err(|err| yaml_error(file, format!("field {name}: {err}"))),
        TargetText::Computed { computed } => computed_field(computed)
            .ok_or_else(|| yaml_error(file, format!("unknown computed field {computed:?}"))),
    }
}

impl SigmaMappings {
    /// The mappings shipped with logsec (`mappings/sigma/*.yaml`).
    pub fn builtin() -> Result<SigmaMappings, RulesError> {
        SigmaMappings::from_files(BUILTIN.iter().copied())
    }

    /// Mappings from `(file name, YAML text)` pairs in the documented format; field sets named
    /// by `include_fields` are the built-in ones.
    pub fn from_files<'t>(
        files: impl IntoIterator<Item = (&'t str, &'t str)>,
    ) -> Result<SigmaMappings, RulesError> {
        let mut field_sets = HashMap::new();
        for (name, text) in BUILTIN_FIELD_SETS {
            let set: FieldSetFile =
                serde_saphyr::from_str(text).map_err(|err| yaml_error(name, err))?;
            field_sets.insert(*name, set.fields);
        }
        let mut sources = Vec::new();
        for (file, text) in files {
            let parsed: MappingFile =
                serde_saphyr::from_str(text).map_err(|err| yaml_error(file, err))?;
            let format: SourceFormat =
                parsed.format.parse().map_err(|err| yaml_error(file, err))?;
            let mut fields = HashMap::new();
            for include in &parsed.include_fields {
                let set = field_sets
                    .get(include.as_str())
                    .ok_or_else(|| yaml_error(file, format!("unknown field set {include:?}")))?;
                for (name, text) in set {
                    fields.insert(name.clone(), target(file, name, text)?);
                }
            }
            for (name, text) in &parsed.fields {
                fields.insert(name.clone(), target(file, name, text)?);
            }
            let mut logsources = Vec::new();
            let mut restrictions = Vec::new();
            for entry in parsed.logsources {
                let logsource = Logsource {
                    category: entry.category,
                    product: entry.product,
                    service: entry.service,
                };
                if let Some(only_if) = entry.only_if {
                    let accessor =
                        target(file, "only_if", &TargetText::Path(only_if.field.clone()))?;
                    restrictions.push(Restriction {
                        logsource: logsource.clone(),
                        accessor,
                        values: only_if.values,
                    });
                }
                logsources.push(logsource);
            }
            sources.push(SourceMapping {
                format,
                logsources,
                restrictions,
                raw_passthrough: parsed.raw_passthrough,
                known_raw_roots: parsed
                    .known_raw_roots
                    .map(|roots| roots.into_iter().collect()),
                fields,
            });
        }
        Ok(SigmaMappings { sources })
    }

    /// The source mappings, in file order.
    pub fn sources(&self) -> &[SourceMapping] {
        &self.sources
    }

    /// The formats whose mapping lists `logsource`.
    pub fn formats_for(&self, logsource: &Logsource) -> Vec<&SourceMapping> {
        self.sources
            .iter()
            .filter(|s| s.logsources.iter().any(|l| l.same_as(logsource)))
            .collect()
    }
}

fn computed_field(name: &str) -> Option<Accessor> {
    let extractor: Arc<dyn FieldExtractor> = match name {
        "request_uri" => Arc::new(RequestUri),
        "uri_extension" => Arc::new(UriExtension),
        _ => return None,
    };
    Some(Accessor::Custom(extractor))
}

/// The request URI: `url_string` when the parser kept it, else `path?query`.
#[derive(Debug)]
struct RequestUri;

impl FieldExtractor for RequestUri {
    fn extract<'e>(&self, event: &'e Event<'_>) -> FieldValue<'e> {
        let Some(url) = event.http_request.as_ref().and_then(|r| r.url.as_ref()) else {
            return FieldValue::Missing;
        };
        if let Some(full) = url.url_string.as_deref() {
            return FieldValue::Str(Cow::Borrowed(full));
        }
        match (url.path.as_deref(), url.query_string.as_deref()) {
            (Some(path), None) => FieldValue::Str(Cow::Borrowed(path)),
            (Some(path), Some(query)) => FieldValue::Str(Cow::Owned(format!("{path}?{query}"))),
            (None, Some(query)) => FieldValue::Str(Cow::Owned(format!("?{query}"))),
            (None, None) => FieldValue::Missing,
        }
    }

    fn name(&self) -> &str {
        "request_uri"
    }
}

/// The extension of the request path's last segment, without the dot.
#[derive(Debug)]
struct UriExtension;

impl FieldExtractor for UriExtension {
    fn extract<'e>(&self, event: &'e Event<'_>) -> FieldValue<'e> {
        let path = event
            .http_request
            .as_ref()
            .and_then(|r| r.url.as_ref())
            .and_then(|u| u.path.as_deref());
        let Some(path) = path else {
            return FieldValue::Missing;
        };
        let last = path.rsplit('/').next().unwrap_or(path);
        match last.rsplit_once('.') {
            Some((_, ext)) if !ext.is_empty() => FieldValue::Str(Cow::Borrowed(ext)),
            _ => FieldValue::Missing,
        }
    }

    fn name(&self) -> &str {
        "uri_extension"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_mappings_load_and_cover_sigmahq_logsources() {
        let mappings = SigmaMappings::builtin().unwrap();
        let ls = |c: Option<&str>, p: Option<&str>, s: Option<&str>| Logsource {
            category: c.map(str::to_owned),
            product: p.map(str::to_owned),
            service: s.map(str::to_owned),
        };
        let names = |l: &Logsource| {
            let mut v: Vec<&str> = mappings
                .formats_for(l)
                .iter()
                .map(|m| m.format.name())
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            names(&ls(None, Some("aws"), Some("cloudtrail"))),
            ["cloudtrail"]
        );
        assert_eq!(
            names(&ls(Some("application"), Some("kubernetes"), Some("audit"))),
            ["k8s_audit"]
        );
        assert_eq!(
            names(&ls(None, Some("kubernetes"), Some("audit"))),
            ["k8s_audit"]
        );
        assert_eq!(
            names(&ls(Some("proxy"), None, None)),
            ["elb", "envoy", "istio", "web_access"]
        );
        assert_eq!(
            names(&ls(Some("webserver"), None, None)),
            ["elb", "envoy", "istio", "s3_access", "web_access"]
        );
        assert_eq!(names(&ls(None, Some("linux"), Some("sshd"))), ["auth_log"]);
        assert_eq!(
            names(&ls(None, Some("linux"), None)),
            ["auth_log", "syslog"]
        );
        assert!(names(&ls(Some("process_creation"), Some("windows"), None)).is_empty());
        assert_eq!(
            names(&ls(None, Some("aws"), Some("s3_access"))),
            ["s3_access"]
        );
    }

    #[test]
    fn sshd_and_sudo_logsources_select_only_that_programs_lines() {
        let mappings = SigmaMappings::builtin().unwrap();
        let auth = mappings
            .sources()
            .iter()
            .find(|s| s.format == SourceFormat::AuthLog)
            .unwrap();
        let ls = |service: Option<&str>| Logsource {
            category: None,
            product: Some("linux".into()),
            service: service.map(str::to_owned),
        };
        let line_of = |program: &'static str| {
            let mut event = Event::new(
                &logsec_event::ocsf::AUTHENTICATION,
                1,
                SourceFormat::AuthLog,
            );
            event.metadata.log_name = Some(Cow::Borrowed(program));
            event
        };
        let (_, sshd) = auth.restriction(&ls(Some("sshd"))).unwrap();
        assert!(sshd.eval(&line_of("sshd")));
        assert!(sshd.eval(&line_of("sshd-session")));
        assert!(sshd.eval(&line_of("SSHD")));
        assert!(!sshd.eval(&line_of("sudo")));
        assert!(!sshd.eval(&line_of("sshd-keygen")));
        let (_, sudo) = auth.restriction(&ls(Some("SUDO"))).unwrap();
        assert!(sudo.eval(&line_of("sudo")));
        assert!(!sudo.eval(&line_of("sshd")));
        // Correlations group auth.log lines by the address the parser read, an OCSF field.
        assert_eq!(
            auth.resolve("src_endpoint.ip").unwrap().accessor.name(),
            "src_endpoint.ip"
        );
        // `product: linux` alone and `service: auth` keep every line of the file.
        assert!(auth.restriction(&ls(None)).is_none());
        assert!(auth.restriction(&ls(Some("auth"))).is_none());
    }

    #[test]
    fn s3_access_athena_columns_map_to_the_parser_fields() {
        let mappings = SigmaMappings::builtin().unwrap();
        let s3 = mappings
            .sources()
            .iter()
            .find(|s| s.format == SourceFormat::S3Access)
            .unwrap();
        for (athena, path) in [
            ("bucket", "raw.bucket"),
            ("remoteip", "raw.remote_ip"),
            ("requester", "raw.requester"),
            ("operation", "raw.operation"),
            ("key", "raw.key"),
            ("httpstatus", "raw.http_status"),
            ("errorcode", "raw.error_code"),
            ("useragent", "raw.user_agent"),
            ("endpoint", "raw.host_header"),
        ] {
            let resolved = s3.resolve(athena).unwrap();
            assert_eq!(resolved.accessor.name(), path, "{athena}");
            assert!(resolved.warning.is_none(), "{athena}");
        }
    }

    #[test]
    fn k8s_annotation_keys_with_dots_resolve_to_the_literal_key() {
        let mappings = SigmaMappings::builtin().unwrap();
        let k8s = mappings
            .sources()
            .iter()
            .find(|s| s.format == SourceFormat::K8sAudit)
            .unwrap();
        let resolved = k8s
            .resolve("annotations.authorization.k8s.io/decision")
            .unwrap();
        let mut event = Event::new(&logsec_event::ocsf::API_ACTIVITY, 1, SourceFormat::K8sAudit);
        event.raw = logsec_event::RawRecord::json(
            r#"{"annotations":{"authorization.k8s.io/decision":"forbid"}}"#,
        );
        assert_eq!(
            resolved.accessor.get(&event).to_text().as_deref(),
            Some("forbid")
        );
    }

    #[test]
    fn fields_resolve_through_the_mapping_or_raw() {
        let mappings = SigmaMappings::builtin().unwrap();
        let web = mappings
            .sources()
            .iter()
            .find(|s| s.format == SourceFormat::WebAccess)
            .unwrap();
        let resolved = web.resolve("cs-uri-query").unwrap();
        assert_eq!(resolved.accessor.name(), "http_request.url.query_string");
        assert!(resolved.warning.is_none());
        let resolved = web.resolve("nonsense").unwrap();
        assert!(resolved.warning.is_some());
        let trail = mappings
            .sources()
            .iter()
            .find(|s| s.format == SourceFormat::Cloudtrail)
            .unwrap();
        let resolved = trail.resolve("requestParameters.bucketName").unwrap();
        assert_eq!(resolved.accessor.name(), "raw.requestParameters.bucketName");
        assert!(resolved.warning.is_none());
        assert!(trail.resolve("src_country").unwrap().warning.is_some());
    }
}
