//! The one registry of source-format names.
//!
//! Every layer — parser detection, Falco `source:` names, Sigma logsources, the CLI's `--format`,
//! Python's and Spark's `format=` — resolves names through [`SourceFormat::from_name`], so a user
//! can say `aws_cloudtrail`, `cloudtrail` or `ct` and always reach the same parser and rules.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A log source format that logsec reads.
///
/// The canonical name ([`SourceFormat::name`]) is what logsec writes (in
/// `metadata.log_format`, in load reports, in Arrow columns); every alias is accepted on input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SourceFormat {
    /// AWS CloudTrail events (management, data and Insights events), in any of their envelopes.
    Cloudtrail,
    /// Amazon S3 server access logs.
    S3Access,
    /// Envoy access logs (default text format, custom `text_format`, or JSON).
    Envoy,
    /// Istio sidecar access logs (Istio's default text format or JSON).
    Istio,
    /// Kubernetes audit events (`audit.k8s.io/v1` `Event` and `EventList`).
    K8sAudit,
    /// AWS VPC and Transit Gateway flow logs.
    VpcFlow,
    /// AWS Elastic Load Balancing access logs (ALB, CLB, NLB).
    Elb,
    /// Syslog (RFC 3164, RFC 5424, RFC 3339-stamped lines, journald JSON export).
    Syslog,
    /// Linux authentication logs (`auth.log`, `secure`): sshd, sudo, PAM on top of syslog framing.
    AuthLog,
    /// Web server access logs (common, combined and vhost-combined; nginx and Apache).
    WebAccess,
    /// Google Cloud audit logs (`LogEntry` with an `AuditLog` payload).
    GcpAudit,
    /// Azure Activity logs (`records` arrays).
    AzureActivity,
    /// Falco's own JSON alerts, so they can be routed and correlated by logsec.
    FalcoAlert,
}

/// One row of the registry: a format, its canonical name, and every alias accepted on input.
#[derive(Debug, Clone, Copy)]
pub struct FormatInfo {
    /// The format.
    pub format: SourceFormat,
    /// Canonical name, lower snake case.
    pub name: &'static str,
    /// Other accepted names: Falco `source:` names, Sigma spellings, common abbreviations.
    pub aliases: &'static [&'static str],
    /// Whether the raw record is JSON (raw paths walk the parsed JSON) or text (raw paths name
    /// the fields the format's own documentation defines).
    pub raw_is_json: bool,
    /// The value logsec writes to `metadata.product.name`.
    pub product_name: &'static str,
    /// The value logsec writes to `metadata.product.vendor_name`.
    pub vendor_name: &'static str,
    /// One line describing the format, for help texts.
    pub description: &'static str,
}

/// The registry, in a stable order (the order of [`SourceFormat`]'s variants).
pub const FORMATS: &[FormatInfo] = &[
    FormatInfo {
        format: SourceFormat::Cloudtrail,
        name: "cloudtrail",
        aliases: &["aws_cloudtrail", "ct", "aws.cloudtrail"],
        raw_is_json: true,
        product_name: "CloudTrail",
        vendor_name: "AWS",
        description: "AWS CloudTrail events (Records files, JSON lines, CloudWatch, EventBridge)",
    },
    FormatInfo {
        format: SourceFormat::S3Access,
        name: "s3_access",
        aliases: &["s3access", "s3_server_access", "aws_s3_access"],
        raw_is_json: false,
        product_name: "Amazon S3",
        vendor_name: "AWS",
        description: "Amazon S3 server access logs",
    },
    FormatInfo {
        format: SourceFormat::Envoy,
        name: "envoy",
        aliases: &["envoy_access"],
        raw_is_json: false,
        product_name: "Envoy",
        vendor_name: "Envoy Proxy",
        description: "Envoy access logs (default, custom text_format, JSON)",
    },
    FormatInfo {
        format: SourceFormat::Istio,
        name: "istio",
        aliases: &["istio_access", "istio_proxy"],
        raw_is_json: false,
        product_name: "Istio",
        vendor_name: "Istio",
        description: "Istio sidecar access logs (default text format, JSON)",
    },
    FormatInfo {
        format: SourceFormat::K8sAudit,
        name: "k8s_audit",
        aliases: &["k8saudit", "kubernetes_audit", "eks_audit"],
        raw_is_json: true,
        product_name: "Kubernetes",
        vendor_name: "CNCF",
        description: "Kubernetes audit events (audit.k8s.io/v1 Event and EventList)",
    },
    FormatInfo {
        format: SourceFormat::VpcFlow,
        name: "vpc_flow",
        aliases: &["vpcflow", "aws_vpc_flow", "flowlogs", "tgw_flow"],
        raw_is_json: false,
        product_name: "Amazon VPC",
        vendor_name: "AWS",
        description: "AWS VPC and Transit Gateway flow logs",
    },
    FormatInfo {
        format: SourceFormat::Elb,
        name: "elb",
        aliases: &["alb", "clb", "nlb", "aws_elb", "elb_access", "alb_access"],
        raw_is_json: false,
        product_name: "Elastic Load Balancing",
        vendor_name: "AWS",
        description: "AWS ALB, CLB and NLB access logs",
    },
    FormatInfo {
        format: SourceFormat::Syslog,
        name: "syslog",
        aliases: &["rfc3164", "rfc5424", "journald"],
        raw_is_json: false,
        product_name: "syslog",
        vendor_name: "Linux",
        description: "Syslog (RFC 3164, RFC 5424, RFC 3339 timestamps, journald JSON export)",
    },
    FormatInfo {
        format: SourceFormat::AuthLog,
        name: "auth_log",
        aliases: &["authlog", "auth", "secure", "linux_auth"],
        raw_is_json: false,
        product_name: "auth.log",
        vendor_name: "Linux",
        description: "Linux authentication logs: sshd, sudo, PAM",
    },
    FormatInfo {
        format: SourceFormat::WebAccess,
        name: "web_access",
        aliases: &[
            "webserver",
            "nginx",
            "apache",
            "nginx_access",
            "apache_access",
            "combined",
            "clf",
        ],
        raw_is_json: false,
        product_name: "Web server",
        vendor_name: "nginx/Apache",
        description: "Web server access logs (common, combined, vhost-combined)",
    },
    FormatInfo {
        format: SourceFormat::GcpAudit,
        name: "gcp_audit",
        aliases: &["gcp_cloud_audit", "google_cloud_audit", "gcp.audit"],
        raw_is_json: true,
        product_name: "Cloud Audit Logs",
        vendor_name: "Google Cloud",
        description: "Google Cloud audit logs (LogEntry)",
    },
    FormatInfo {
        format: SourceFormat::AzureActivity,
        name: "azure_activity",
        aliases: &["azureactivity", "azure_activitylogs", "azure.activitylogs"],
        raw_is_json: true,
        product_name: "Azure Activity Log",
        vendor_name: "Microsoft",
        description: "Azure Activity logs (records arrays)",
    },
    FormatInfo {
        format: SourceFormat::FalcoAlert,
        name: "falco_alert",
        aliases: &["falco", "falco_json"],
        raw_is_json: true,
        product_name: "Falco",
        vendor_name: "Falco",
        description: "Falco JSON alerts",
    },
];

impl SourceFormat {
    /// Every format, in registry order.
    pub fn all() -> impl Iterator<Item = SourceFormat> {
        FORMATS.iter().map(|info| info.format)
    }

    /// This format's registry row.
    pub fn info(self) -> &'static FormatInfo {
        // The registry lists every variant exactly once, in variant order; the test
        // `registry_lists_every_variant_in_order` keeps that true.
        &FORMATS[self as usize]
    }

    /// The canonical name (`cloudtrail`, `k8s_audit`, …).
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Resolves a canonical name or alias, ignoring ASCII case and treating `-` like `_`.
    pub fn from_name(name: &str) -> Option<SourceFormat> {
        let wanted = name.trim();
        let matches = |candidate: &str| {
            candidate.len() == wanted.len()
                && candidate.bytes().zip(wanted.bytes()).all(|(a, b)| {
                    let norm = |c: u8| {
                        if c == b'-' {
                            b'_'
                        } else {
                            c.to_ascii_lowercase()
                        }
                    };
                    norm(a) == norm(b)
                })
        };
        FORMATS
            .iter()
            .find(|info| matches(info.name) || info.aliases.iter().any(|alias| matches(alias)))
            .map(|info| info.format)
    }

    /// Whether raw paths of this format walk a JSON record (`true`) or named text fields.
    pub fn raw_is_json(self) -> bool {
        self.info().raw_is_json
    }

    /// A comma-separated list of canonical names, for error messages and help texts.
    pub fn names_list() -> String {
        FORMATS
            .iter()
            .map(|info| info.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing an unknown format name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown log format {name:?}; known formats: {known}")]
pub struct UnknownFormat {
    /// The name that was given.
    pub name: String,
    /// The canonical names, comma separated.
    pub known: String,
}

impl FromStr for SourceFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SourceFormat::from_name(s).ok_or_else(|| UnknownFormat {
            name: s.to_owned(),
            known: SourceFormat::names_list(),
        })
    }
}

impl Serialize for SourceFormat {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for SourceFormat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_lists_every_variant_in_order() {
        for (index, info) in FORMATS.iter().enumerate() {
            assert_eq!(info.format as usize, index, "{} is out of order", info.name);
        }
        assert_eq!(FORMATS.len(), SourceFormat::FalcoAlert as usize + 1);
    }

    #[test]
    fn names_and_aliases_resolve() {
        assert_eq!(
            SourceFormat::from_name("aws_cloudtrail"),
            Some(SourceFormat::Cloudtrail)
        );
        assert_eq!(
            SourceFormat::from_name("CloudTrail"),
            Some(SourceFormat::Cloudtrail)
        );
        assert_eq!(
            SourceFormat::from_name("k8s-audit"),
            Some(SourceFormat::K8sAudit)
        );
        assert_eq!(
            SourceFormat::from_name("k8saudit"),
            Some(SourceFormat::K8sAudit)
        );
        assert_eq!(
            SourceFormat::from_name("nginx"),
            Some(SourceFormat::WebAccess)
        );
        assert_eq!(SourceFormat::from_name("alb"), Some(SourceFormat::Elb));
        assert_eq!(SourceFormat::from_name("windows"), None);
    }

    #[test]
    fn no_alias_is_claimed_twice() {
        let mut seen = std::collections::HashSet::new();
        for info in FORMATS {
            for name in std::iter::once(&info.name).chain(info.aliases) {
                assert!(
                    seen.insert(name.replace('-', "_")),
                    "{name} is claimed twice"
                );
            }
        }
    }

    #[test]
    fn unknown_name_error_lists_known_formats() {
        let err = "evtx".parse::<SourceFormat>().unwrap_err();
        let text = err.to_string();
        assert!(text.contains("\"evtx\""), "{text}");
        assert!(
            text.contains("cloudtrail") && text.contains("k8s_audit"),
            "{text}"
        );
    }

    #[test]
    fn serde_uses_canonical_names() {
        let json = serde_json::to_string(&SourceFormat::S3Access).unwrap();
        assert_eq!(json, "\"s3_access\"");
        let back: SourceFormat = serde_json::from_str("\"s3-access\"").unwrap();
        assert_eq!(back, SourceFormat::S3Access);
    }
}
