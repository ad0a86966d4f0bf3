//! AWS Elastic Load Balancing access logs: Application (ALB), Classic (CLB) and Network (NLB)
//! load balancers, told apart per line by their first fields.
//!
//! ALB and CLB records → OCSF HTTP Activity (4002), activity from the method; CLB TCP/SSL
//! listener records (request `- - - `) and NLB TLS records → Network Activity (4001). Field
//! names in `unmapped` follow AWS's documentation, with `client:port` split into `client_ip` and
//! `client_port` (and likewise for targets) as in AWS's Athena tables; fields AWS appends later
//! are kept as `extra_N`. See `docs/mappings/elb.md`.

use std::borrow::Cow;

use logsec_event::{
    ConnectionInfo, Endpoint, Event, HttpRequest, HttpResponse, RawRecord, SourceFormat, Traffic,
    Url, ocsf,
};

use crate::line::{LineOutcome, LineParser};
use crate::text::common::{http_status_id, set_status, split_request_line};
use crate::text::scan::{
    Token, TokenArray, Tokens, Unmapped, absent, parse_i64, parse_rfc3339, parse_seconds_ms,
    split_absolute_url, split_host_port, split_query,
};

/// ALB fields in record order; `client:port`-style fields are split on output.
const ALB: [&str; 30] = [
    "type",
    "time",
    "elb",
    "client:port",
    "target:port",
    "request_processing_time",
    "target_processing_time",
    "response_processing_time",
    "elb_status_code",
    "target_status_code",
    "received_bytes",
    "sent_bytes",
    "request",
    "user_agent",
    "ssl_cipher",
    "ssl_protocol",
    "target_group_arn",
    "trace_id",
    "domain_name",
    "chosen_cert_arn",
    "matched_rule_priority",
    "request_creation_time",
    "actions_executed",
    "redirect_url",
    "error_reason",
    "target:port_list",
    "target_status_code_list",
    "classification",
    "classification_reason",
    "conn_trace_id",
];

/// CLB fields in record order.
const CLB: [&str; 15] = [
    "time",
    "elb",
    "client:port",
    "backend:port",
    "request_processing_time",
    "backend_processing_time",
    "response_processing_time",
    "elb_status_code",
    "backend_status_code",
    "received_bytes",
    "sent_bytes",
    "request",
    "user_agent",
    "ssl_cipher",
    "ssl_protocol",
];

/// NLB (TLS listener) fields in record order.
const NLB: [&str; 22] = [
    "type",
    "version",
    "time",
    "elb",
    "listener",
    "client:port",
    "destination:port",
    "connection_time",
    "tls_handshake_time",
    "received_bytes",
    "sent_bytes",
    "incoming_tls_alert",
    "chosen_cert_arn",
    "chosen_cert_serial",
    "tls_cipher",
    "tls_protocol_version",
    "tls_named_group",
    "domain_name",
    "alpn_fe_protocol",
    "alpn_be_protocol",
    "alpn_client_preference_list",
    "tls_connection_creation_time",
];

const EXTRA: [&str; 8] = [
    "extra_1", "extra_2", "extra_3", "extra_4", "extra_5", "extra_6", "extra_7", "extra_8",
];

/// Which load balancer wrote a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Application Load Balancer.
    Alb,
    /// Classic Load Balancer.
    Clb,
    /// Network Load Balancer.
    Nlb,
}

/// The kind of load balancer a line comes from, if it is an ELB access log line.
pub(crate) fn kind_of(tokens: &[Token<'_>]) -> Option<Kind> {
    let text = |i: usize| tokens.get(i).map_or("", |t| t.text);
    if text(0) == "tls" && text(1) == "2.0" && parse_rfc3339(text(2)).is_some() {
        return (tokens.len() >= 20 && text(3).starts_with("net/")).then_some(Kind::Nlb);
    }
    if matches!(text(0), "http" | "https" | "h2" | "grpcs" | "ws" | "wss")
        && parse_rfc3339(text(1)).is_some()
        && tokens.len() >= 17
        && tokens.get(12).is_some_and(Token::is_quoted)
    {
        return Some(Kind::Alb);
    }
    if parse_rfc3339(text(0)).is_some()
        && tokens.len() >= 13
        && split_host_port(text(2)).1.is_some()
        && tokens.get(11).is_some_and(Token::is_quoted)
    {
        return Some(Kind::Clb);
    }
    None
}

/// Whether a line is an ELB access log line.
pub(crate) fn looks_like(line: &str) -> bool {
    let array = Tokens::new(line).array::<48>();
    kind_of(array.as_slice()).is_some()
}

/// The ELB access log parser.
#[derive(Debug, Default)]
pub(crate) struct ElbParser;

impl LineParser for ElbParser {
    fn format(&self) -> SourceFormat {
        SourceFormat::Elb
    }

    fn parse_line<'a>(&mut self, line: &'a str) -> LineOutcome<'a> {
        let text = line.trim_end();
        if text.is_empty() {
            return LineOutcome::Skip;
        }
        let mut array = TokenArray::<48>::new();
        array.read(Tokens::new(text));
        if array.overflowed() {
            return LineOutcome::Reject("ELB access log line has more than 48 fields".to_owned());
        }
        let tokens = array.as_slice();
        let Some(kind) = kind_of(tokens) else {
            return LineOutcome::Reject(
                "not an ALB, CLB or NLB access log line (type, RFC 3339 time, load balancer, \
                 client:port … expected)"
                    .to_owned(),
            );
        };
        let names: &[&str] = match kind {
            Kind::Alb => &ALB,
            Kind::Clb => &CLB,
            Kind::Nlb => &NLB,
        };
        let mut unmapped = Unmapped::with_capacity(tokens.len() + 4);
        for (i, token) in tokens.iter().enumerate() {
            let name = names
                .get(i)
                .or_else(|| EXTRA.get(i - names.len()))
                .copied()
                .unwrap_or("extra");
            // Byte scans: `split_once(':')` on every (short) field name of every line was an
            // eighth of the time of an ALB record.
            let split_name = name.bytes().position(|b| b == b':').map(|at| {
                (
                    name.get(..at).unwrap_or(""),
                    name.get(at + 1..).unwrap_or(""),
                )
            });
            match split_name {
                Some((prefix, "port")) => {
                    let (ip, port) = match memchr::memrchr(b':', token.text.as_bytes()) {
                        Some(at) if !token.text.ends_with(']') => {
                            (token.text.get(..at).unwrap_or(""), token.text.get(at + 1..))
                        }
                        _ => (token.text, None),
                    };
                    let ip = ip.trim_start_matches('[').trim_end_matches(']');
                    unmapped.str(ip_name(prefix), ip);
                    unmapped.opt(port_name(prefix), port);
                }
                Some(_) => unmapped.str("target_port_list", token.text),
                None => unmapped.str(name, token.text),
            }
        }
        let field = |name: &str| -> Option<&'a str> {
            names
                .iter()
                .position(|n| *n == name)
                .and_then(|i| tokens.get(i))
                .and_then(Token::value)
        };
        let event = match kind {
            Kind::Alb | Kind::Clb => http_event(line, kind, &field),
            Kind::Nlb => nlb_event(line, &field),
        };
        let mut event = event;
        event.unmapped = Some(unmapped.build());
        LineOutcome::Event(event)
    }
}

fn ip_name(prefix: &str) -> &'static str {
    match prefix {
        "client" => "client_ip",
        "target" => "target_ip",
        "backend" => "backend_ip",
        _ => "destination_ip",
    }
}

fn port_name(prefix: &str) -> &'static str {
    match prefix {
        "client" => "client_port",
        "target" => "target_port",
        "backend" => "backend_port",
        _ => "destination_port",
    }
}

fn endpoint<'a>(value: Option<&str>) -> Option<Endpoint<'a>> {
    let (ip, port) = split_host_port(value?);
    (ip.is_some() || port.is_some()).then(|| Endpoint {
        ip,
        port,
        ..Endpoint::default()
    })
}

fn http_event<'a>(
    line: &'a str,
    kind: Kind,
    field: &dyn Fn(&str) -> Option<&'a str>,
) -> Box<Event<'a>> {
    let (backend, backend_status, backend_time) = match kind {
        Kind::Alb => (
            "target:port",
            "target_status_code",
            "target_processing_time",
        ),
        _ => (
            "backend:port",
            "backend_status_code",
            "backend_processing_time",
        ),
    };
    let request = field("request").unwrap_or("");
    let (method, url, version) = split_request_line(request);
    let is_tcp = method.is_none() && url.is_none();
    let mut event = if is_tcp {
        Event::new_boxed(&ocsf::NETWORK_ACTIVITY, 6, SourceFormat::Elb)
    } else {
        let activity = ocsf::http_activity_for_method(method.unwrap_or(""));
        Event::new_boxed(&ocsf::HTTP_ACTIVITY, activity, SourceFormat::Elb)
    };
    event.time = field("time").and_then(parse_rfc3339).unwrap_or(0);
    event.start_time = field("request_creation_time").and_then(parse_rfc3339);
    let latency = [
        field("request_processing_time"),
        field(backend_time),
        field("response_processing_time"),
    ]
    .iter()
    .map(|t| t.and_then(parse_seconds_ms))
    .try_fold(0i64, |sum, t| t.and_then(|t| sum.checked_add(t)));
    event.duration = latency;
    let code = field("elb_status_code").and_then(parse_i64);
    if let Some(code) = code {
        set_status(&mut event, http_status_id(code));
        event.status_code = field("elb_status_code").map(Cow::Borrowed);
    }
    event.status_detail = field("error_reason").map(Cow::Borrowed);
    let trace_id = field("trace_id");
    event.metadata.original_event_uid = trace_id.map(Cow::Borrowed);
    event.metadata.log_provider = Some(Cow::Borrowed(match kind {
        Kind::Alb => "Application Load Balancer",
        _ => "Classic Load Balancer",
    }));
    event.src_endpoint = endpoint(field("client:port")).map(Box::new);
    event.dst_endpoint = endpoint(field(backend))
        .map(|mut e| {
            e.uid = field("target_group_arn").map(Cow::Borrowed);
            e
        })
        .map(Box::new);
    let received = field("received_bytes").and_then(parse_i64);
    let sent = field("sent_bytes").and_then(parse_i64);
    event.traffic = Some(Traffic {
        bytes_in: received,
        bytes_out: sent,
        ..Traffic::default()
    });
    if let Some(name) = field("elb") {
        event.resources.push(logsec_event::Resource {
            type_name: Some(Cow::Borrowed("AWS::ElasticLoadBalancingV2::LoadBalancer")),
            name: Some(Cow::Borrowed(name)),
            ..logsec_event::Resource::default()
        });
    }
    if is_tcp {
        event.connection_info = Some(ConnectionInfo {
            protocol_name: Some(Cow::Borrowed("tcp")),
            protocol_num: Some(6),
            ..ConnectionInfo::default()
        });
    } else {
        let url = url.map(|target| match split_absolute_url(target) {
            Some(parts) => Url {
                scheme: Some(Cow::Borrowed(parts.scheme)),
                hostname: Some(Cow::Borrowed(parts.host)),
                port: parts.port,
                path: Some(Cow::Borrowed(parts.path)),
                query_string: parts.query.map(Cow::Borrowed),
                url_string: Some(Cow::Borrowed(target)),
            },
            None => {
                let (path, query) = split_query(target);
                Url {
                    path: Some(Cow::Borrowed(path)),
                    query_string: query.map(Cow::Borrowed),
                    url_string: Some(Cow::Borrowed(target)),
                    ..Url::default()
                }
            }
        });
        event.http_request = Some(Box::new(HttpRequest {
            http_method: method.map(Cow::Borrowed),
            url,
            user_agent: field("user_agent").map(Cow::Borrowed),
            uid: trace_id.map(Cow::Borrowed),
            version: version.map(Cow::Borrowed),
            length: received,
            ..HttpRequest::default()
        }));
        event.http_response = Some(Box::new(HttpResponse {
            code,
            length: sent,
            latency,
            status: field(backend_status).and_then(absent).map(Cow::Borrowed),
            ..HttpResponse::default()
        }));
    }
    event.raw = RawRecord::text(line);
    event
}

fn nlb_event<'a>(line: &'a str, field: &dyn Fn(&str) -> Option<&'a str>) -> Box<Event<'a>> {
    let mut event = Event::new_boxed(&ocsf::NETWORK_ACTIVITY, 6, SourceFormat::Elb);
    event.time = field("time").and_then(parse_rfc3339).unwrap_or(0);
    event.start_time = field("tls_connection_creation_time").and_then(parse_rfc3339);
    event.duration = field("connection_time").and_then(parse_i64);
    event.metadata.log_provider = Some(Cow::Borrowed("Network Load Balancer"));
    event.src_endpoint = endpoint(field("client:port")).map(Box::new);
    event.dst_endpoint = endpoint(field("destination:port"))
        .map(|mut e| {
            e.hostname = field("domain_name").map(Cow::Borrowed);
            e
        })
        .map(Box::new);
    event.traffic = Some(Traffic {
        bytes_in: field("received_bytes").and_then(parse_i64),
        bytes_out: field("sent_bytes").and_then(parse_i64),
        ..Traffic::default()
    });
    event.connection_info = Some(ConnectionInfo {
        protocol_name: Some(Cow::Borrowed("tcp")),
        protocol_num: Some(6),
        ..ConnectionInfo::default()
    });
    if let Some(alert) = field("incoming_tls_alert") {
        event.set_status(ocsf::status::FAILURE);
        event.status_detail = Some(Cow::Borrowed(alert));
    } else {
        event.set_status(ocsf::status::SUCCESS);
    }
    if let Some(name) = field("elb") {
        event.resources.push(logsec_event::Resource {
            type_name: Some(Cow::Borrowed("AWS::ElasticLoadBalancingV2::LoadBalancer")),
            name: Some(Cow::Borrowed(name)),
            ..logsec_event::Resource::default()
        });
    }
    event.raw = RawRecord::text(line);
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_support::{event_of, mutations_never_panic, raw};

    const ALB_LINE: &str = concat!(
        "https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 ",
        "[fe80::202:b3ff:fe1e:8329]:443 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 ",
        "\"GET https://www.example.com:443/a/b?c=d HTTP/1.1\" \"curl/7.46.0\" ",
        "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ",
        "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 ",
        "\"Root=1-58337281-1d84f3d73c47ec4e58577259\" \"www.example.com\" \"arn:aws:acm:x\" 1 ",
        "2018-07-02T22:22:48.364000Z \"waf,forward\" \"-\" \"-\" \"10.0.0.1:80\" \"200\" \"-\" \"-\" ",
        "TID_1234abcd5678ef90 \"new-field\""
    );
    const CLB_LINE: &str = "2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 - 0.000086 0.001048 0.001337 503 - 0 57 \"GET https://www.example.com:443/ HTTP/1.1\" \"curl/7.38.0\" DHE-RSA-AES128-SHA TLSv1.2";
    const NLB_LINE: &str = "tls 2.0 2020-04-01T08:51:42 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - arn:aws:acm:us-east-2:671290407336:certificate/2a108f19 - ECDHE-RSA-AES128-SHA tlsv12 - my-nlb.elb.us-east-2.amazonaws.com h2 h2 \"h2\",\"http/1.1\" 2020-04-01T08:51:20";

    #[test]
    fn alb_line() {
        let event = event_of(&mut ElbParser, ALB_LINE);
        assert_eq!((event.class_uid, event.activity_id), (4002, 3));
        assert_eq!(event.time, 1_530_570_180_186);
        assert_eq!(event.start_time, Some(1_530_570_168_364));
        assert_eq!(event.duration, Some(171));
        let src = event.src_endpoint.as_ref().unwrap();
        assert_eq!(src.ip, Some("fe80::202:b3ff:fe1e:8329".parse().unwrap()));
        assert_eq!(src.port, Some(443));
        let url = event.http_request.as_ref().unwrap().url.as_ref().unwrap();
        assert_eq!(url.scheme.as_deref(), Some("https"));
        assert_eq!(url.hostname.as_deref(), Some("www.example.com"));
        assert_eq!(url.port, Some(443));
        assert_eq!(url.path.as_deref(), Some("/a/b"));
        assert_eq!(url.query_string.as_deref(), Some("c=d"));
        assert_eq!(
            event.metadata.original_event_uid.as_deref(),
            Some("Root=1-58337281-1d84f3d73c47ec4e58577259")
        );
        assert_eq!(
            raw(&event, "client_ip"),
            Some("fe80::202:b3ff:fe1e:8329".into())
        );
        assert_eq!(raw(&event, "target_port"), Some("80".into()));
        assert_eq!(raw(&event, "actions_executed"), Some("waf,forward".into()));
        assert_eq!(
            raw(&event, "conn_trace_id"),
            Some("TID_1234abcd5678ef90".into())
        );
        assert_eq!(raw(&event, "extra_1"), Some("new-field".into()));
        assert_eq!(raw(&event, "redirect_url"), None);
    }

    #[test]
    fn clb_and_nlb_lines() {
        let event = event_of(&mut ElbParser, CLB_LINE);
        assert_eq!((event.class_uid, event.status_id), (4002, 2));
        assert!(event.dst_endpoint.is_none());
        assert_eq!(raw(&event, "backend_ip"), None);
        assert_eq!(
            event.metadata.log_provider.as_deref(),
            Some("Classic Load Balancer")
        );
        let tcp = "2015-05-13T23:39:43.945958Z my-lb 192.168.131.39:2817 10.0.0.1:80 0.001 0.002 0.003 - - 57 502 \"- - - \" \"-\" - -";
        assert_eq!(event_of(&mut ElbParser, tcp).class_uid, 4001);

        let event = event_of(&mut ElbParser, NLB_LINE);
        assert_eq!((event.class_uid, event.activity_id), (4001, 6));
        assert_eq!(event.time, 1_585_731_102_000);
        assert_eq!(event.dst_endpoint.as_ref().unwrap().port, Some(443));
        assert_eq!(
            raw(&event, "tls_cipher"),
            Some("ECDHE-RSA-AES128-SHA".into())
        );
        assert_eq!(
            raw(&event, "alpn_client_preference_list"),
            Some("h2\",\"http/1.1".into())
        );
        assert!(looks_like(NLB_LINE) && looks_like(ALB_LINE) && looks_like(CLB_LINE));
        assert!(matches!(
            ElbParser.parse_line("https nope"),
            LineOutcome::Reject(_)
        ));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(line in ".{0,300}", edits in crate::text::test_support::edits()) {
            let _ = ElbParser.parse_line(&line);
            for base in [ALB_LINE, CLB_LINE, NLB_LINE] {
                mutations_never_panic(&mut ElbParser, base, &edits);
            }
        }
    }
}
