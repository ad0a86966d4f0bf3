//! The bodies of the logsec-parse fuzz targets, shared by the cargo-fuzz binaries in
//! `fuzz_targets/` and by the stable-toolchain smoke harness (`fuzz_smoke`, see
//! `tools/fuzz-smoke.sh`).
//!
//! Every body takes arbitrary bytes and must not panic. Besides "no panic" each checks what
//! holds for any input: the summary counts every record as an event or a reject, every event
//! serializes to OCSF JSON, and reading a raw path never fails.
#![forbid(unsafe_code)]

use logsec_event::{FieldPath, JsonValue, RawRecord, SourceFormat};
use logsec_parse::{Limits, ParseOptions, detect, parse_bytes, parse_reader};

/// One fuzz target: its name (the cargo-fuzz binary and the seed directory under `seeds/`)
/// and its body.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// Runs one input.
    pub run: fn(&[u8]),
}

/// Every target, in the order the smoke harness runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "parse_detect",
        run: parse_detect,
    },
    Target {
        name: "reader_stream",
        run: reader_stream,
    },
    Target {
        name: "parse_cloudtrail",
        run: parse_cloudtrail,
    },
    Target {
        name: "parse_k8s_audit",
        run: parse_k8s_audit,
    },
    Target {
        name: "parse_gcp_audit",
        run: parse_gcp_audit,
    },
    Target {
        name: "parse_azure_activity",
        run: parse_azure_activity,
    },
    Target {
        name: "parse_falco_alert",
        run: parse_falco_alert,
    },
    Target {
        name: "parse_s3_access",
        run: parse_s3_access,
    },
    Target {
        name: "parse_envoy",
        run: parse_envoy,
    },
    Target {
        name: "parse_envoy_custom",
        run: parse_envoy_custom,
    },
    Target {
        name: "parse_vpc_flow",
        run: parse_vpc_flow,
    },
    Target {
        name: "parse_elb",
        run: parse_elb,
    },
    Target {
        name: "parse_syslog",
        run: parse_syslog,
    },
    Target {
        name: "parse_auth_log",
        run: parse_auth_log,
    },
    Target {
        name: "parse_web_access",
        run: parse_web_access,
    },
    Target {
        name: "json_checked_view",
        run: json_checked_view,
    },
];

/// Tight limits, so inputs reach the limit checks.
fn tight_limits() -> Limits {
    Limits {
        max_record_bytes: 4096,
        max_depth: 16,
        max_fields: 256,
    }
}

/// Raw paths read from every event: fields of several formats, one nested.
const RAW_PATHS: [&str; 6] = [
    "eventName",
    "remote_addr",
    "response_code",
    "srcaddr",
    "msg",
    "requestParameters.bucketName",
];

/// Parses `data` with `options` and checks the invariants every parse keeps.
fn parse_and_check(data: &[u8], options: &ParseOptions) {
    let Ok(parsed) = parse_bytes(data, options) else {
        return;
    };
    let summary = &parsed.summary;
    assert_eq!(
        summary.records,
        summary.events + summary.rejects.len() as u64,
        "records = events + rejects"
    );
    assert_eq!(summary.events, parsed.events.len() as u64, "events counted");
    let paths: Vec<FieldPath> = RAW_PATHS
        .iter()
        .filter_map(|path| FieldPath::raw(path).ok())
        .collect();
    for event in &parsed.events {
        let json = event.to_ocsf_json();
        assert!(json.starts_with('{'), "OCSF JSON is an object: {json}");
        for path in &paths {
            let _ = event.get(path);
        }
    }
}

/// Parses `data` as `format` (forced, tight limits).
fn forced(format: SourceFormat, data: &[u8]) {
    let options = ParseOptions {
        format: Some(format),
        limits: tight_limits(),
        ..ParseOptions::default()
    };
    parse_and_check(data, &options);
}

/// Splits off the first line of `data` (an option string) from the rest (the input).
fn option_line(data: &[u8]) -> (String, &[u8]) {
    let (head, rest) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[data.len()..]),
    };
    (String::from_utf8_lossy(head).into_owned(), rest)
}

/// Detection plus parsing of arbitrary bytes.
pub fn parse_detect(data: &[u8]) {
    let _ = detect(None, data);
    parse_and_check(data, &ParseOptions::default());
}

/// The streaming reader (gzip, base64, chunked framing) must agree with the in-memory parser
/// on the number of events.
pub fn reader_stream(data: &[u8]) {
    let options = ParseOptions::default();
    let mut streamed = 0u64;
    let summary = parse_reader(data, &options, |_| streamed += 1);
    if let (Ok(summary), Ok(parsed)) = (summary, parse_bytes(data, &options)) {
        assert_eq!(summary.events, streamed);
        assert_eq!(parsed.summary.events, streamed);
    }
}

/// CloudTrail, forced.
pub fn parse_cloudtrail(data: &[u8]) {
    forced(SourceFormat::Cloudtrail, data);
}

/// Kubernetes audit, forced.
pub fn parse_k8s_audit(data: &[u8]) {
    forced(SourceFormat::K8sAudit, data);
}

/// GCP Cloud Audit Logs, forced.
pub fn parse_gcp_audit(data: &[u8]) {
    forced(SourceFormat::GcpAudit, data);
}

/// Azure Activity logs, forced.
pub fn parse_azure_activity(data: &[u8]) {
    forced(SourceFormat::AzureActivity, data);
}

/// Falco alert JSON, forced.
pub fn parse_falco_alert(data: &[u8]) {
    forced(SourceFormat::FalcoAlert, data);
}

/// S3 server access logs, forced.
pub fn parse_s3_access(data: &[u8]) {
    forced(SourceFormat::S3Access, data);
}

/// Envoy and Istio access logs (default text formats, JSON lines, CRI prefixes, Envoy's
/// application lines), forced as Istio and as Envoy.
pub fn parse_envoy(data: &[u8]) {
    forced(SourceFormat::Istio, data);
    forced(SourceFormat::Envoy, data);
}

/// An Envoy custom `text_format`: the first line of the input is the format string, the rest
/// the access log.
pub fn parse_envoy_custom(data: &[u8]) {
    let (format, rest) = option_line(data);
    let options = ParseOptions {
        format: Some(SourceFormat::Envoy),
        envoy_format: Some(format),
        limits: tight_limits(),
        ..ParseOptions::default()
    };
    parse_and_check(rest, &options);
}

/// VPC and Transit Gateway flow logs: header lines or the default order, and, when the first
/// line starts with `format:`, that line as `vpc_flow_format`.
pub fn parse_vpc_flow(data: &[u8]) {
    forced(SourceFormat::VpcFlow, data);
    let (first, rest) = option_line(data);
    if let Some(format) = first.strip_prefix("format:") {
        let options = ParseOptions {
            format: Some(SourceFormat::VpcFlow),
            vpc_flow_format: Some(format.to_owned()),
            limits: tight_limits(),
            ..ParseOptions::default()
        };
        parse_and_check(rest, &options);
    }
}

/// ALB, CLB and NLB access logs, forced.
pub fn parse_elb(data: &[u8]) {
    forced(SourceFormat::Elb, data);
}

/// Syslog (RFC 3164 with the year from options, from a reference time and from the clock;
/// RFC 5424; RFC 3339 stamps; journald JSON).
pub fn parse_syslog(data: &[u8]) {
    forced(SourceFormat::Syslog, data);
    let options = ParseOptions {
        format: Some(SourceFormat::Syslog),
        syslog_year: Some(2023),
        syslog_utc_offset_secs: Some(-5 * 3600),
        limits: tight_limits(),
        ..ParseOptions::default()
    };
    parse_and_check(data, &options);
    let options = ParseOptions {
        format: Some(SourceFormat::Syslog),
        reference_time_ms: Some(1_704_067_200_000),
        limits: tight_limits(),
        ..ParseOptions::default()
    };
    parse_and_check(data, &options);
}

/// auth.log (syslog framing plus sshd/sudo/su/PAM semantics), forced.
pub fn parse_auth_log(data: &[u8]) {
    let options = ParseOptions {
        format: Some(SourceFormat::AuthLog),
        syslog_year: Some(2024),
        limits: tight_limits(),
        ..ParseOptions::default()
    };
    parse_and_check(data, &options);
}

/// Web server access and error logs, forced.
pub fn parse_web_access(data: &[u8]) {
    forced(SourceFormat::WebAccess, data);
}

/// The validating pass behind a borrowed `RawRecord::json` object accepts exactly the JSON
/// objects serde_json parses (`JsonValue::parse` is serde_json underneath), and its member
/// names and values are the object's (first member of a repeated name).
pub fn json_checked_view(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let raw = RawRecord::json(text);
    let names: Option<Vec<&str>> = raw.member_names().map(Iterator::collect);
    let parsed = JsonValue::parse(text);
    match (&names, &parsed) {
        (Some(names), Ok(tree @ JsonValue::Object(pairs))) => {
            let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_ref()).collect();
            assert_eq!(names, &keys, "{text:?}");
            for key in keys {
                assert_eq!(raw.member(key), tree.get(key), "{text:?} member {key}");
            }
        }
        (None, Ok(JsonValue::Object(_))) if text.trim_start().starts_with('{') => {
            panic!("serde_json parses an object the validating pass refuses: {text:?}")
        }
        (Some(_), _) => panic!("the validating pass accepts what serde_json refuses: {text:?}"),
        _ => {}
    }
}
