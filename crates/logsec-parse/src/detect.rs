//! Format detection from a file name and the first bytes of an input.

use std::io::Read;

use logsec_event::SourceFormat;
use memchr::memmem;

use crate::document::LogEvent;
use crate::error::ParseError;
use crate::scan::{Head, Scan, StreamKey, scan_object_head, scan_value, skip_ws};

/// How an input is cut into records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// One JSON document per line.
    JsonLines,
    /// A sequence of JSON values (pretty-printed documents, one huge `Records` document, a
    /// top-level array).
    JsonValues,
    /// Text lines for a line parser.
    Text,
}

/// The JSON formats and the member names (quoted, as they appear in JSON) that mark them. A
/// format scores one point per marker present in the sample.
const JSON_MARKERS: &[(SourceFormat, &[&str])] = &[
    (
        SourceFormat::Cloudtrail,
        &[
            "\"eventVersion\"",
            "\"eventSource\"",
            "\"eventName\"",
            "\"userIdentity\"",
            "\"awsRegion\"",
            "\"recipientAccountId\"",
            "\"sourceIPAddress\"",
            "\"requestParameters\"",
            "\"responseElements\"",
            "\"errorCode\"",
            "\"eventTime\"",
            "\"eventID\"",
            "\"eventsource\"",
            "\"eventname\"",
            "\"digestPublicKeyFingerprint\"",
            "\"digestS3Bucket\"",
            "\"CloudTrailEvent\"",
            "via CloudTrail\"",
        ],
    ),
    (
        SourceFormat::K8sAudit,
        &[
            "\"auditID\"",
            "\"audit.k8s.io/",
            "\"requestURI\"",
            "\"objectRef\"",
            "\"sourceIPs\"",
            "\"verb\"",
            "\"stageTimestamp\"",
        ],
    ),
    (
        SourceFormat::GcpAudit,
        &[
            "\"protoPayload\"",
            "\"logName\"",
            "\"insertId\"",
            "\"receiveTimestamp\"",
            "google.cloud.audit.AuditLog\"",
            "\"methodName\"",
        ],
    ),
    (
        SourceFormat::AzureActivity,
        &[
            "\"operationName\"",
            "\"resourceId\"",
            "\"callerIpAddress\"",
            "\"correlationId\"",
            "\"resultType\"",
            "\"tenantId\"",
        ],
    ),
    (
        SourceFormat::FalcoAlert,
        &[
            "\"output_fields\"",
            "\"priority\"",
            "\"rule\"",
            "\"output\"",
        ],
    ),
];

/// Detects the format of an input from its file name (used as a hint) and its first bytes
/// (a few KiB suffice; 64 KiB are used when available). Gzip and base64-wrapped gzip heads
/// are decompressed first.
///
/// JSON formats are recognized by their member names (CloudTrail, Kubernetes audit, GCP audit,
/// Azure Activity, Falco alerts), through the envelopes they arrive in (CloudTrail `Records`,
/// CloudWatch Logs subscription payloads, EventBridge, `lookup-events`, Panther wrappers);
/// text formats by the text parsers' own sniffing.
///
/// # Errors
///
/// [`ParseError::UnknownFormat`] naming the formats tried when none matches.
pub fn detect(file_name: Option<&str>, head: &[u8]) -> Result<SourceFormat, ParseError> {
    let decoded = decode_head(head);
    detect_with_framing(file_name, None, decoded.as_deref().unwrap_or(head)).map(|(f, _)| f)
}

/// Decompresses a gzip (or base64 gzip) head as far as it goes.
fn decode_head(head: &[u8]) -> Option<Vec<u8>> {
    let gz = if crate::reader::is_base64_gzip(head) {
        crate::reader::decode_base64(head)?
    } else if head.starts_with(&crate::reader::GZIP_MAGIC) {
        head.to_vec()
    } else {
        return None;
    };
    let mut out = Vec::new();
    let mut decoder = flate2::read::MultiGzDecoder::new(gz.as_slice());
    let mut chunk = [0u8; 8192];
    while out.len() < crate::framer::HEAD_BYTES {
        match decoder.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(chunk.get(..n).unwrap_or_default()),
        }
    }
    Some(out)
}

/// Detects format and framing; `forced` overrides the format.
pub(crate) fn detect_with_framing(
    file_name: Option<&str>,
    forced: Option<SourceFormat>,
    head: &[u8],
) -> Result<(SourceFormat, Framing), ParseError> {
    let start = skip_ws(head, 0);
    let body = head.get(start..).unwrap_or_default();
    let looks_json = matches!(body.first(), Some(b'{' | b'['));
    if looks_json {
        let framing = json_framing(body);
        let format = match forced {
            Some(format) => Some(format),
            None => sniff_json(body),
        };
        match format {
            Some(format) if format.raw_is_json() => return Ok((format, framing)),
            Some(format) => {
                // A text format: inside CloudWatch envelopes, or lines that happen to be JSON
                // (Envoy's json_format, journald exports), which its line parser reads.
                let framing = if memmem::find(body, b"\"logEvents\"").is_some() {
                    framing
                } else {
                    Framing::Text
                };
                return Ok((format, framing));
            }
            None => {}
        }
    } else if let Some(format) = forced {
        let framing = if format.raw_is_json() {
            Framing::JsonLines
        } else {
            Framing::Text
        };
        return Ok((format, framing));
    }
    let text = String::from_utf8_lossy(body);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(32)
        .collect();
    if let Some(format) = crate::text::sniff(&lines) {
        return Ok((format, Framing::Text));
    }
    if let Some(format) = file_name.and_then(format_from_name) {
        let framing = if looks_json {
            json_framing(body)
        } else if format.raw_is_json() {
            Framing::JsonLines
        } else {
            Framing::Text
        };
        return Ok((format, framing));
    }
    let reason = if body.is_empty() {
        "the input is empty".to_owned()
    } else if looks_json {
        "JSON whose member names match no known format".to_owned()
    } else {
        let first = lines.first().copied().unwrap_or_default();
        format!(
            "text starting {:?}",
            crate::reject::snippet(first)
                .chars()
                .take(80)
                .collect::<String>()
        )
    };
    Err(ParseError::UnknownFormat {
        input: file_name.unwrap_or("<input>").to_owned(),
        reason,
        tried: SourceFormat::names_list(),
    })
}

fn json_framing(body: &[u8]) -> Framing {
    if body.first() == Some(&b'[') {
        return Framing::JsonValues;
    }
    match scan_object_head(body, usize::MAX) {
        Head::Stream { .. } | Head::Incomplete => Framing::JsonValues,
        Head::Whole { end, .. } => {
            if memchr::memchr(b'\n', body.get(..end).unwrap_or_default()).is_some() {
                Framing::JsonValues
            } else {
                Framing::JsonLines
            }
        }
        Head::Invalid(_) => Framing::JsonLines,
    }
}

/// The JSON format of a sample, looking through CloudWatch envelopes to their first message.
fn sniff_json(body: &[u8]) -> Option<SourceFormat> {
    if memmem::find(body, b"\"logEvents\"").is_some()
        && let Some(message) = first_log_event_message(body)
    {
        let trimmed = message.trim_start();
        if trimmed.starts_with('{') {
            return sniff_keys(trimmed.as_bytes());
        }
        let lines: Vec<&str> = message.lines().collect();
        return crate::text::sniff(&lines);
    }
    // Envelopes whose records are strings, or documents with few members, carry one marker
    // that is enough on its own.
    const DECISIVE: &[(&str, SourceFormat)] = &[
        ("\"CloudTrailEvent\"", SourceFormat::Cloudtrail),
        ("\"digestPublicKeyFingerprint\"", SourceFormat::Cloudtrail),
        ("via CloudTrail\"", SourceFormat::Cloudtrail),
        ("\"output_fields\"", SourceFormat::FalcoAlert),
    ];
    sniff_keys(body).or_else(|| {
        DECISIVE
            .iter()
            .find(|(marker, _)| memmem::find(body, marker.as_bytes()).is_some())
            .map(|(_, format)| *format)
    })
}

fn first_log_event_message(body: &[u8]) -> Option<String> {
    // The payload may be one JSON line among others, or a pretty-printed document.
    let Head::Stream {
        key: StreamKey::LogEvents,
        array_body,
        ..
    } = scan_object_head(body, usize::MAX)
    else {
        return None;
    };
    let at = skip_ws(body, array_body);
    let element = body.get(at..)?;
    let Scan::Complete { end, .. } = scan_value(element, usize::MAX) else {
        return None;
    };
    let event: LogEvent<'_> = serde_json::from_slice(element.get(..end)?).ok()?;
    Some(event.message.into_owned())
}

/// Scores the JSON formats by the member names present in `sample`.
pub(crate) fn sniff_keys(sample: &[u8]) -> Option<SourceFormat> {
    let mut best: Option<(SourceFormat, usize)> = None;
    for (format, markers) in JSON_MARKERS {
        let score = markers
            .iter()
            .filter(|m| memmem::find(sample, m.as_bytes()).is_some())
            .count();
        if score >= 2 && best.is_none_or(|(_, s)| score > s) {
            best = Some((*format, score));
        }
    }
    best.map(|(format, _)| format)
}

/// A format named by a file name (`…CloudTrail…json.gz`, `…audit.log`), as a last resort.
fn format_from_name(name: &str) -> Option<SourceFormat> {
    let lower = name.to_ascii_lowercase();
    let file = lower.rsplit(['/', '\\']).next().unwrap_or(&lower);
    if file.contains("cloudtrail") && !file.contains("digest") {
        Some(SourceFormat::Cloudtrail)
    } else if file.contains("k8s") && file.contains("audit")
        || file.contains("kube-apiserver-audit")
    {
        Some(SourceFormat::K8sAudit)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_formats_are_recognized_by_member_names() {
        let ct =
            br#"{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#;
        assert_eq!(detect(None, ct).unwrap(), SourceFormat::Cloudtrail);
        let k8s = br#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","verb":"get"}"#;
        assert_eq!(detect(None, k8s).unwrap(), SourceFormat::K8sAudit);
        let gcp = br#"{"protoPayload":{"methodName":"x"},"logName":"projects/p/logs/cloudaudit"}"#;
        assert_eq!(detect(None, gcp).unwrap(), SourceFormat::GcpAudit);
        let azure =
            br#"{"records":[{"operationName":"X","resourceId":"/S","resultType":"Success"}]}"#;
        assert_eq!(detect(None, azure).unwrap(), SourceFormat::AzureActivity);
        let falco = br#"{"output":"x","priority":"Warning","rule":"R","output_fields":{}}"#;
        assert_eq!(detect(None, falco).unwrap(), SourceFormat::FalcoAlert);
    }

    #[test]
    fn cloudwatch_payloads_are_sniffed_through_their_message() {
        let cw = br#"{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","message":"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a\",\"verb\":\"get\"}"}]}"#;
        assert_eq!(detect(None, cw).unwrap(), SourceFormat::K8sAudit);
    }

    #[test]
    fn framing_follows_the_shape() {
        let lines = b"{\"eventName\":\"A\",\"eventSource\":\"x\"}\n{\"eventName\":\"B\"}\n";
        assert_eq!(
            detect_with_framing(None, None, lines).unwrap().1,
            Framing::JsonLines
        );
        let pretty = b"{\n \"eventName\": \"A\", \"eventSource\": \"x\"\n}\n";
        assert_eq!(
            detect_with_framing(None, None, pretty).unwrap().1,
            Framing::JsonValues
        );
        let records = br#"{"Records":[{"eventName":"A","eventSource":"x"}]}"#;
        assert_eq!(
            detect_with_framing(None, None, records).unwrap().1,
            Framing::JsonValues
        );
    }

    #[test]
    fn unknown_input_names_the_formats_tried() {
        let err = detect(Some("x.bin"), b"\x00\x01garbage").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("x.bin"), "{text}");
        assert!(
            text.contains("cloudtrail") && text.contains("vpc_flow"),
            "{text}"
        );
        let err = detect(None, br#"{"hello":"world"}"#).unwrap_err();
        assert!(err.to_string().contains("match no known format"), "{err}");
    }
}
