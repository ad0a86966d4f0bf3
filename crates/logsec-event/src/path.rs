//! Field paths: parsed once from a dotted string, resolved against events many times.
//!
//! Three roots:
//! - **OCSF paths** such as `actor.user.name` or `api.operation`. Known leaves resolve at parse
//!   time to a direct accessor (a function pointer into the typed event), so reading one costs a
//!   call and a field load. Other OCSF paths (`metadata.profiles`, objects) still work, through
//!   the event's JSON form.
//! - **Raw paths** (`raw.` prefix, or [`FieldPath::raw`]) into the original record: the parsed
//!   JSON for JSON sources, the named fields for text sources.
//! - **`unmapped.…`**, the OCSF `unmapped` object.
//!
//! Syntax: segments separated by `.`; `[N]` selects an array element, `[*]` every element,
//! `["a.b"]` or `['a.b']` a key containing dots. A key segment applied to an array applies to
//! every element, so `resources.uid` yields the uid of each resource as a list.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::event::{Endpoint, Event, Text, User};
use crate::json::JsonValue;
use crate::value::FieldValue;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// An object member.
    Key(Box<str>),
    /// An array element.
    Index(usize),
    /// Every array element.
    AnyIndex,
}

/// A parsed field path, ready to be resolved against events.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FieldPath {
    text: Box<str>,
    kind: PathKind,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum PathKind {
    /// A known OCSF leaf: an index into [`OCSF_FIELDS`].
    Ocsf(usize),
    /// Another OCSF path, resolved through the JSON form.
    OcsfGeneric(Vec<Segment>),
    /// A path into the raw record.
    Raw(Vec<Segment>),
    /// A path into `unmapped`.
    Unmapped(Vec<Segment>),
}

/// Why a path could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// The path text is empty or has an empty segment.
    #[error("field path {path:?} has an empty segment")]
    EmptySegment {
        /// The path text.
        path: String,
    },
    /// A `[` has no matching `]`, or a bracket holds something unreadable.
    #[error("field path {path:?}: bad bracket at byte {offset}")]
    BadBracket {
        /// The path text.
        path: String,
        /// Byte offset of the bracket.
        offset: usize,
    },
    /// The path starts with a name that is not an OCSF attribute of any class logsec emits.
    #[error("unknown OCSF field {path:?}{}", suggestion_text(.suggestions))]
    UnknownOcsfField {
        /// The path text.
        path: String,
        /// Known paths with a similar spelling, nearest first.
        suggestions: Vec<&'static str>,
    },
}

fn suggestion_text(suggestions: &[&str]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", suggestions.join(", "))
    }
}

type Accessor = for<'e, 'a> fn(&'e Event<'a>) -> FieldValue<'e>;

fn text<'e>(value: &'e Option<Text<'_>>) -> FieldValue<'e> {
    FieldValue::opt_str(value.as_deref())
}

fn int<'e, T: Copy + Into<i64>>(value: Option<T>) -> FieldValue<'e> {
    value.map_or(FieldValue::Missing, |n| FieldValue::Int(n.into()))
}

fn time<'e>(value: Option<i64>) -> FieldValue<'e> {
    value.map_or(FieldValue::Missing, FieldValue::Time)
}

fn boolean<'e>(value: Option<bool>) -> FieldValue<'e> {
    value.map_or(FieldValue::Missing, FieldValue::Bool)
}

fn ip<'e>(value: Option<std::net::IpAddr>) -> FieldValue<'e> {
    value.map_or(FieldValue::Missing, FieldValue::Ip)
}

fn list<'e, T: 'e>(items: &'e [T], each: impl Fn(&'e T) -> FieldValue<'e>) -> FieldValue<'e> {
    let values: Vec<FieldValue<'e>> = items
        .iter()
        .map(each)
        .filter(|value| !value.is_missing())
        .collect();
    if values.is_empty() {
        FieldValue::Missing
    } else {
        FieldValue::List(values)
    }
}

fn in_user<'e>(
    user: Option<&'e User<'_>>,
    get: impl FnOnce(&'e User<'_>) -> FieldValue<'e>,
) -> FieldValue<'e> {
    user.map_or(FieldValue::Missing, get)
}

fn in_endpoint<'e>(
    endpoint: &'e Option<Box<Endpoint<'_>>>,
    get: impl FnOnce(&'e Endpoint<'_>) -> FieldValue<'e>,
) -> FieldValue<'e> {
    endpoint.as_deref().map_or(FieldValue::Missing, get)
}

macro_rules! user_fields {
    ($prefix:literal, $user:expr) => {
        [
            (
                concat!($prefix, ".name"),
                (|e| in_user($user(e), |u| text(&u.name))) as Accessor,
            ),
            (concat!($prefix, ".uid"), |e| {
                in_user($user(e), |u| text(&u.uid))
            }),
            (concat!($prefix, ".uid_alt"), |e| {
                in_user($user(e), |u| text(&u.uid_alt))
            }),
            (concat!($prefix, ".type"), |e| {
                in_user($user(e), |u| text(&u.type_name))
            }),
            (concat!($prefix, ".type_id"), |e| {
                in_user($user(e), |u| int(u.type_id))
            }),
            (concat!($prefix, ".domain"), |e| {
                in_user($user(e), |u| text(&u.domain))
            }),
            (concat!($prefix, ".email_addr"), |e| {
                in_user($user(e), |u| text(&u.email_addr))
            }),
            (concat!($prefix, ".account.uid"), |e| {
                in_user($user(e), |u| {
                    u.account
                        .as_ref()
                        .map_or(FieldValue::Missing, |a| text(&a.uid))
                })
            }),
            (concat!($prefix, ".account.name"), |e| {
                in_user($user(e), |u| {
                    u.account
                        .as_ref()
                        .map_or(FieldValue::Missing, |a| text(&a.name))
                })
            }),
            (concat!($prefix, ".groups.name"), |e| {
                in_user($user(e), |u| list(&u.groups, |g| text(&g.name)))
            }),
        ]
    };
}

macro_rules! endpoint_fields {
    ($prefix:literal, $field:ident) => {
        [
            (
                concat!($prefix, ".ip"),
                (|e| in_endpoint(&e.$field, |p| ip(p.ip))) as Accessor,
            ),
            (concat!($prefix, ".port"), |e| {
                in_endpoint(&e.$field, |p| int(p.port))
            }),
            (concat!($prefix, ".domain"), |e| {
                in_endpoint(&e.$field, |p| text(&p.domain))
            }),
            (concat!($prefix, ".hostname"), |e| {
                in_endpoint(&e.$field, |p| text(&p.hostname))
            }),
            (concat!($prefix, ".name"), |e| {
                in_endpoint(&e.$field, |p| text(&p.name))
            }),
            (concat!($prefix, ".uid"), |e| {
                in_endpoint(&e.$field, |p| text(&p.uid))
            }),
            (concat!($prefix, ".svc_name"), |e| {
                in_endpoint(&e.$field, |p| text(&p.svc_name))
            }),
            (concat!($prefix, ".instance_uid"), |e| {
                in_endpoint(&e.$field, |p| text(&p.instance_uid))
            }),
            (concat!($prefix, ".interface_uid"), |e| {
                in_endpoint(&e.$field, |p| text(&p.interface_uid))
            }),
            (concat!($prefix, ".vpc_uid"), |e| {
                in_endpoint(&e.$field, |p| text(&p.vpc_uid))
            }),
            (concat!($prefix, ".subnet_uid"), |e| {
                in_endpoint(&e.$field, |p| text(&p.subnet_uid))
            }),
            (concat!($prefix, ".intermediate_ips"), |e| {
                in_endpoint(&e.$field, |p| {
                    list(&p.intermediate_ips, |a| FieldValue::Ip(*a))
                })
            }),
        ]
    };
}

fn actor_user<'e>(e: &'e Event<'_>) -> Option<&'e User<'e>> {
    e.actor.as_ref().and_then(|a| a.user.as_ref())
}

fn target_user<'e>(e: &'e Event<'_>) -> Option<&'e User<'e>> {
    e.user.as_deref()
}

fn base_fields() -> Vec<(&'static str, Accessor)> {
    vec![
        ("class_uid", |e| FieldValue::Int(e.class_uid.into())),
        ("class_name", |e| text(&e.class_name)),
        ("category_uid", |e| FieldValue::Int(e.category_uid.into())),
        ("category_name", |e| text(&e.category_name)),
        ("activity_id", |e| FieldValue::Int(e.activity_id.into())),
        ("activity_name", |e| text(&e.activity_name)),
        ("type_uid", |e| {
            FieldValue::Int(i64::try_from(e.type_uid).unwrap_or(i64::MAX))
        }),
        ("severity_id", |e| {
            FieldValue::Int(e.severity_id.id().into())
        }),
        ("severity", |e| {
            FieldValue::Str(Cow::Borrowed(e.severity_id.name()))
        }),
        ("status_id", |e| FieldValue::Int(e.status_id.into())),
        ("status", |e| text(&e.status)),
        ("status_code", |e| text(&e.status_code)),
        ("status_detail", |e| text(&e.status_detail)),
        ("time", |e| FieldValue::Time(e.time)),
        ("start_time", |e| time(e.start_time)),
        ("end_time", |e| time(e.end_time)),
        ("duration", |e| int(e.duration)),
        ("message", |e| text(&e.message)),
        ("is_mfa", |e| boolean(e.is_mfa)),
        ("action_id", |e| int(e.action_id)),
        ("action", |e| text(&e.action)),
        ("raw_data", |e| {
            if e.raw.is_empty() {
                FieldValue::Missing
            } else {
                FieldValue::Str(Cow::Borrowed(e.raw.as_str()))
            }
        }),
        ("metadata.version", |e| {
            FieldValue::Str(Cow::Borrowed(&e.metadata.version))
        }),
        ("metadata.product.name", |e| text(&e.metadata.product.name)),
        ("metadata.product.vendor_name", |e| {
            text(&e.metadata.product.vendor_name)
        }),
        ("metadata.product.version", |e| {
            text(&e.metadata.product.version)
        }),
        ("metadata.log_format", |e| {
            e.metadata.log_format.map_or(FieldValue::Missing, |f| {
                FieldValue::Str(Cow::Borrowed(f.name()))
            })
        }),
        ("metadata.log_name", |e| text(&e.metadata.log_name)),
        ("metadata.log_provider", |e| text(&e.metadata.log_provider)),
        ("metadata.uid", |e| text(&e.metadata.uid)),
        ("metadata.original_event_uid", |e| {
            text(&e.metadata.original_event_uid)
        }),
        ("metadata.event_code", |e| text(&e.metadata.event_code)),
        ("actor.app_name", |e| {
            e.actor
                .as_ref()
                .map_or(FieldValue::Missing, |a| text(&a.app_name))
        }),
        ("actor.idp.name", |e| {
            e.actor
                .as_ref()
                .and_then(|a| a.idp.as_ref())
                .map_or(FieldValue::Missing, |i| text(&i.name))
        }),
    ]
}

fn session_fields() -> Vec<(&'static str, Accessor)> {
    fn actor_session<'e>(e: &'e Event<'_>) -> Option<&'e crate::event::Session<'e>> {
        e.actor.as_ref().and_then(|a| a.session.as_ref())
    }
    fn session<'e>(e: &'e Event<'_>) -> Option<&'e crate::event::Session<'e>> {
        e.session.as_deref()
    }
    macro_rules! session_of {
        ($prefix:literal, $get:expr) => {
            [
                (
                    concat!($prefix, ".uid"),
                    (|e| $get(e).map_or(FieldValue::Missing, |s| text(&s.uid))) as Accessor,
                ),
                (concat!($prefix, ".issuer"), |e| {
                    $get(e).map_or(FieldValue::Missing, |s| text(&s.issuer))
                }),
                (concat!($prefix, ".is_mfa"), |e| {
                    $get(e).map_or(FieldValue::Missing, |s| boolean(s.is_mfa))
                }),
                (concat!($prefix, ".created_time"), |e| {
                    $get(e).map_or(FieldValue::Missing, |s| time(s.created_time))
                }),
                (concat!($prefix, ".credential_uid"), |e| {
                    $get(e).map_or(FieldValue::Missing, |s| text(&s.credential_uid))
                }),
            ]
        };
    }
    let mut fields = Vec::new();
    fields.extend(session_of!("actor.session", actor_session));
    fields.extend(session_of!("session", session));
    fields
}

fn api_fields() -> Vec<(&'static str, Accessor)> {
    vec![
        ("api.operation", |e| {
            e.api.as_ref().map_or(FieldValue::Missing, |a| {
                FieldValue::Str(Cow::Borrowed(&a.operation))
            })
        }),
        ("api.service.name", |e| {
            e.api
                .as_ref()
                .and_then(|a| a.service.as_ref())
                .map_or(FieldValue::Missing, |s| text(&s.name))
        }),
        ("api.request.uid", |e| {
            e.api
                .as_ref()
                .and_then(|a| a.request.as_ref())
                .map_or(FieldValue::Missing, |r| {
                    FieldValue::Str(Cow::Borrowed(&r.uid))
                })
        }),
        ("api.response.code", |e| {
            e.api
                .as_ref()
                .and_then(|a| a.response.as_ref())
                .map_or(FieldValue::Missing, |r| int(r.code))
        }),
        ("api.response.error", |e| {
            e.api
                .as_ref()
                .and_then(|a| a.response.as_ref())
                .map_or(FieldValue::Missing, |r| text(&r.error))
        }),
        ("api.response.error_message", |e| {
            e.api
                .as_ref()
                .and_then(|a| a.response.as_ref())
                .map_or(FieldValue::Missing, |r| text(&r.error_message))
        }),
        ("api.response.message", |e| {
            e.api
                .as_ref()
                .and_then(|a| a.response.as_ref())
                .map_or(FieldValue::Missing, |r| text(&r.message))
        }),
        ("api.group.name", |e| {
            e.api
                .as_ref()
                .and_then(|a| a.group.as_ref())
                .map_or(FieldValue::Missing, |g| text(&g.name))
        }),
        ("api.version", |e| {
            e.api
                .as_ref()
                .map_or(FieldValue::Missing, |a| text(&a.version))
        }),
    ]
}

fn http_fields() -> Vec<(&'static str, Accessor)> {
    fn url<'e>(e: &'e Event<'_>) -> Option<&'e crate::event::Url<'e>> {
        e.http_request.as_ref().and_then(|r| r.url.as_ref())
    }
    fn req<'e>(e: &'e Event<'_>) -> Option<&'e crate::event::HttpRequest<'e>> {
        e.http_request.as_deref()
    }
    fn resp<'e>(e: &'e Event<'_>) -> Option<&'e crate::event::HttpResponse<'e>> {
        e.http_response.as_deref()
    }
    vec![
        ("http_request.http_method", |e| {
            req(e).map_or(FieldValue::Missing, |r| text(&r.http_method))
        }),
        ("http_request.user_agent", |e| {
            req(e).map_or(FieldValue::Missing, |r| text(&r.user_agent))
        }),
        ("http_request.referrer", |e| {
            req(e).map_or(FieldValue::Missing, |r| text(&r.referrer))
        }),
        ("http_request.uid", |e| {
            req(e).map_or(FieldValue::Missing, |r| text(&r.uid))
        }),
        ("http_request.version", |e| {
            req(e).map_or(FieldValue::Missing, |r| text(&r.version))
        }),
        ("http_request.length", |e| {
            req(e).map_or(FieldValue::Missing, |r| int(r.length))
        }),
        ("http_request.x_forwarded_for", |e| {
            req(e).map_or(FieldValue::Missing, |r| {
                list(&r.x_forwarded_for, |a| FieldValue::Ip(*a))
            })
        }),
        ("http_request.url.path", |e| {
            url(e).map_or(FieldValue::Missing, |u| text(&u.path))
        }),
        ("http_request.url.query_string", |e| {
            url(e).map_or(FieldValue::Missing, |u| text(&u.query_string))
        }),
        ("http_request.url.hostname", |e| {
            url(e).map_or(FieldValue::Missing, |u| text(&u.hostname))
        }),
        ("http_request.url.scheme", |e| {
            url(e).map_or(FieldValue::Missing, |u| text(&u.scheme))
        }),
        ("http_request.url.port", |e| {
            url(e).map_or(FieldValue::Missing, |u| int(u.port))
        }),
        ("http_request.url.url_string", |e| {
            url(e).map_or(FieldValue::Missing, |u| text(&u.url_string))
        }),
        ("http_response.code", |e| {
            resp(e).map_or(FieldValue::Missing, |r| int(r.code))
        }),
        ("http_response.length", |e| {
            resp(e).map_or(FieldValue::Missing, |r| int(r.length))
        }),
        ("http_response.latency", |e| {
            resp(e).map_or(FieldValue::Missing, |r| int(r.latency))
        }),
        ("http_response.message", |e| {
            resp(e).map_or(FieldValue::Missing, |r| text(&r.message))
        }),
        ("http_response.status", |e| {
            resp(e).map_or(FieldValue::Missing, |r| text(&r.status))
        }),
    ]
}

fn network_fields() -> Vec<(&'static str, Accessor)> {
    fn conn<'e>(e: &'e Event<'_>) -> Option<&'e crate::event::ConnectionInfo<'e>> {
        e.connection_info.as_ref()
    }
    fn traffic<'e>(e: &'e Event<'_>) -> Option<&'e crate::event::Traffic> {
        e.traffic.as_ref()
    }
    vec![
        ("connection_info.protocol_num", |e| {
            conn(e).map_or(FieldValue::Missing, |c| int(c.protocol_num))
        }),
        ("connection_info.protocol_name", |e| {
            conn(e).map_or(FieldValue::Missing, |c| text(&c.protocol_name))
        }),
        ("connection_info.direction_id", |e| {
            conn(e).map_or(FieldValue::Missing, |c| int(c.direction_id))
        }),
        ("connection_info.direction", |e| {
            conn(e).map_or(FieldValue::Missing, |c| text(&c.direction))
        }),
        ("connection_info.tcp_flags", |e| {
            conn(e).map_or(FieldValue::Missing, |c| int(c.tcp_flags))
        }),
        ("traffic.bytes", |e| {
            traffic(e).map_or(FieldValue::Missing, |t| int(t.bytes))
        }),
        ("traffic.packets", |e| {
            traffic(e).map_or(FieldValue::Missing, |t| int(t.packets))
        }),
        ("traffic.bytes_in", |e| {
            traffic(e).map_or(FieldValue::Missing, |t| int(t.bytes_in))
        }),
        ("traffic.bytes_out", |e| {
            traffic(e).map_or(FieldValue::Missing, |t| int(t.bytes_out))
        }),
    ]
}

fn cloud_and_resource_fields() -> Vec<(&'static str, Accessor)> {
    fn cloud<'e>(e: &'e Event<'_>) -> Option<&'e crate::event::Cloud<'e>> {
        e.cloud.as_deref()
    }
    vec![
        ("cloud.provider", |e| {
            cloud(e).map_or(FieldValue::Missing, |c| {
                FieldValue::Str(Cow::Borrowed(&c.provider))
            })
        }),
        ("cloud.region", |e| {
            cloud(e).map_or(FieldValue::Missing, |c| text(&c.region))
        }),
        ("cloud.zone", |e| {
            cloud(e).map_or(FieldValue::Missing, |c| text(&c.zone))
        }),
        ("cloud.account.uid", |e| {
            cloud(e)
                .and_then(|c| c.account.as_ref())
                .map_or(FieldValue::Missing, |a| text(&a.uid))
        }),
        ("cloud.account.name", |e| {
            cloud(e)
                .and_then(|c| c.account.as_ref())
                .map_or(FieldValue::Missing, |a| text(&a.name))
        }),
        ("resources.type", |e| {
            list(&e.resources, |r| text(&r.type_name))
        }),
        ("resources.name", |e| list(&e.resources, |r| text(&r.name))),
        ("resources.uid", |e| list(&e.resources, |r| text(&r.uid))),
        ("resources.namespace", |e| {
            list(&e.resources, |r| text(&r.namespace))
        }),
        ("resources.region", |e| {
            list(&e.resources, |r| text(&r.region))
        }),
        ("resources.owner.account.uid", |e| {
            list(&e.resources, |r| {
                r.owner
                    .as_ref()
                    .and_then(|o| o.account.as_ref())
                    .map_or(FieldValue::Missing, |a| text(&a.uid))
            })
        }),
    ]
}

/// Every OCSF leaf with a direct accessor, built once.
fn ocsf_fields() -> &'static [(&'static str, Accessor)] {
    static FIELDS: std::sync::OnceLock<Vec<(&'static str, Accessor)>> = std::sync::OnceLock::new();
    FIELDS.get_or_init(|| {
        let mut fields = base_fields();
        fields.extend(user_fields!("actor.user", actor_user));
        fields.extend(user_fields!("user", target_user));
        fields.extend(session_fields());
        fields.extend(api_fields());
        fields.extend(endpoint_fields!("src_endpoint", src_endpoint));
        fields.extend(endpoint_fields!("dst_endpoint", dst_endpoint));
        fields.extend(http_fields());
        fields.extend(network_fields());
        fields.extend(cloud_and_resource_fields());
        fields
    })
}

/// Top-level OCSF attributes an [`Event`] can carry; other first segments are unknown fields.
const OCSF_TOP_LEVEL: &[&str] = &[
    "class_uid",
    "class_name",
    "category_uid",
    "category_name",
    "activity_id",
    "activity_name",
    "type_uid",
    "severity_id",
    "severity",
    "status_id",
    "status",
    "status_code",
    "status_detail",
    "time",
    "start_time",
    "end_time",
    "duration",
    "message",
    "metadata",
    "actor",
    "user",
    "session",
    "is_mfa",
    "service",
    "api",
    "src_endpoint",
    "dst_endpoint",
    "http_request",
    "http_response",
    "connection_info",
    "traffic",
    "action_id",
    "action",
    "cloud",
    "resources",
    "unmapped",
    "raw_data",
];

/// The names of every OCSF leaf with a direct accessor, for documentation and suggestions.
pub fn known_ocsf_fields() -> impl Iterator<Item = &'static str> {
    ocsf_fields().iter().map(|(name, _)| *name)
}

fn parse_segments(path: &str) -> Result<Vec<Segment>, PathError> {
    let bytes = path.as_bytes();
    let mut segments = Vec::new();
    let mut i = 0;
    let mut expect_key = true;
    let empty = || PathError::EmptySegment {
        path: path.to_owned(),
    };
    while i < bytes.len() {
        match bytes[i] {
            b'[' => {
                let close =
                    path[i..]
                        .find(']')
                        .map(|offset| i + offset)
                        .ok_or(PathError::BadBracket {
                            path: path.to_owned(),
                            offset: i,
                        })?;
                let inner = &path[i + 1..close];
                let segment = if inner == "*" {
                    Segment::AnyIndex
                } else if let Ok(index) = inner.parse::<usize>() {
                    Segment::Index(index)
                } else if inner.len() >= 2
                    && ((inner.starts_with('"') && inner.ends_with('"'))
                        || (inner.starts_with('\'') && inner.ends_with('\'')))
                {
                    Segment::Key(inner[1..inner.len() - 1].into())
                } else if !inner.is_empty() && !inner.contains(['"', '\'']) {
                    Segment::Key(inner.into())
                } else {
                    return Err(PathError::BadBracket {
                        path: path.to_owned(),
                        offset: i,
                    });
                };
                // A quoted key may hold `]`; find the real close for quoted forms.
                segments.push(segment);
                i = close + 1;
                expect_key = false;
            }
            b'.' => {
                if expect_key {
                    return Err(empty());
                }
                i += 1;
                expect_key = true;
                if i == bytes.len() {
                    return Err(empty());
                }
            }
            _ => {
                let end = path[i..]
                    .find(['.', '['])
                    .map_or(path.len(), |offset| i + offset);
                if !expect_key {
                    return Err(PathError::BadBracket {
                        path: path.to_owned(),
                        offset: i,
                    });
                }
                segments.push(Segment::Key(path[i..end].into()));
                i = end;
                expect_key = false;
            }
        }
    }
    if segments.is_empty() {
        return Err(empty());
    }
    Ok(segments)
}

impl FieldPath {
    /// Parses a path: `raw.`-prefixed paths read the raw record, `unmapped.…` the unmapped
    /// object, anything else an OCSF attribute.
    pub fn parse(text: &str) -> Result<FieldPath, PathError> {
        if let Some(rest) = text.strip_prefix("raw.") {
            return Ok(FieldPath {
                text: text.into(),
                kind: PathKind::Raw(parse_segments(rest)?),
            });
        }
        if let Some(rest) = text.strip_prefix("unmapped.") {
            return Ok(FieldPath {
                text: text.into(),
                kind: PathKind::Unmapped(parse_segments(rest)?),
            });
        }
        if let Some(index) = ocsf_fields().iter().position(|(name, _)| *name == text) {
            return Ok(FieldPath {
                text: text.into(),
                kind: PathKind::Ocsf(index),
            });
        }
        let segments = parse_segments(text)?;
        match segments.first() {
            Some(Segment::Key(first)) if OCSF_TOP_LEVEL.contains(&first.as_ref()) => {
                Ok(FieldPath {
                    text: text.into(),
                    kind: PathKind::OcsfGeneric(segments),
                })
            }
            _ => Err(PathError::UnknownOcsfField {
                path: text.to_owned(),
                suggestions: suggest(text),
            }),
        }
    }

    /// A path into the raw record (no `raw.` prefix needed).
    pub fn raw(text: &str) -> Result<FieldPath, PathError> {
        Ok(FieldPath {
            text: format!("raw.{text}").into(),
            kind: PathKind::Raw(parse_segments(text)?),
        })
    }

    /// A raw path from segments built by the caller (e.g. from a JSON pointer).
    pub fn raw_segments(segments: Vec<Segment>) -> FieldPath {
        let mut text = String::from("raw");
        for segment in &segments {
            match segment {
                Segment::Key(key) if key.contains(['.', '[', ']']) => {
                    text.push_str(&format!("[\"{key}\"]"))
                }
                Segment::Key(key) => {
                    text.push('.');
                    text.push_str(key);
                }
                Segment::Index(index) => text.push_str(&format!("[{index}]")),
                Segment::AnyIndex => text.push_str("[*]"),
            }
        }
        FieldPath {
            text: text.into(),
            kind: PathKind::Raw(segments),
        }
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether this path reads the raw record.
    pub fn is_raw(&self) -> bool {
        matches!(self.kind, PathKind::Raw(_))
    }

    /// The raw segments, for raw paths.
    pub fn raw_path(&self) -> Option<&[Segment]> {
        match &self.kind {
            PathKind::Raw(segments) => Some(segments),
            _ => None,
        }
    }

    /// Resolves the path on an event.
    pub fn get<'e>(&self, event: &'e Event<'_>) -> FieldValue<'e> {
        match &self.kind {
            PathKind::Ocsf(index) => match ocsf_fields().get(*index) {
                Some((_, accessor)) => accessor(event),
                None => FieldValue::Missing,
            },
            PathKind::Raw(segments) if event.raw.is_json() => event.raw.get(segments),
            PathKind::Raw(segments) => event
                .unmapped
                .as_ref()
                .map_or(FieldValue::Missing, |root| walk(root, segments)),
            PathKind::Unmapped(segments) => event
                .unmapped
                .as_ref()
                .map_or(FieldValue::Missing, |root| walk(root, segments)),
            PathKind::OcsfGeneric(segments) => {
                let json = serde_json::to_value(event).unwrap_or_default();
                let tree = JsonValue::from_serde(&json);
                walk(&tree, segments).into_owned()
            }
        }
    }
}

/// Walks `segments` from `root`. A key applied to an array applies to each element; when the
/// walk went through an array the result is the list of values found (missing ones dropped),
/// or `Missing` if none was found.
pub fn walk<'e>(root: &'e JsonValue<'_>, segments: &[Segment]) -> FieldValue<'e> {
    let mut fanned_out = false;
    let mut found: Vec<&'e JsonValue<'_>> = Vec::new();
    collect(root, segments, &mut found, &mut fanned_out);
    if fanned_out {
        if found.is_empty() {
            FieldValue::Missing
        } else {
            FieldValue::List(found.into_iter().map(FieldValue::from_json).collect())
        }
    } else {
        found
            .first()
            .map_or(FieldValue::Missing, |value| FieldValue::from_json(value))
    }
}

fn collect<'e, 'a>(
    value: &'e JsonValue<'a>,
    segments: &[Segment],
    out: &mut Vec<&'e JsonValue<'a>>,
    fanned_out: &mut bool,
) {
    let Some((segment, rest)) = segments.split_first() else {
        out.push(value);
        return;
    };
    match (segment, value) {
        (Segment::Key(key), JsonValue::Object(_)) => {
            if let Some(child) = value.get(key) {
                collect(child, rest, out, fanned_out);
            }
        }
        (Segment::Key(_), JsonValue::Array(items))
        | (Segment::AnyIndex, JsonValue::Array(items)) => {
            *fanned_out = true;
            let next = if matches!(segment, Segment::AnyIndex) {
                rest
            } else {
                segments
            };
            for item in items {
                collect(item, next, out, fanned_out);
            }
        }
        (Segment::Index(index), JsonValue::Array(items)) => {
            if let Some(item) = items.get(*index) {
                collect(item, rest, out, fanned_out);
            }
        }
        _ => {}
    }
}

/// Up to three known paths within a small edit distance of `text`, nearest first.
fn suggest(text: &str) -> Vec<&'static str> {
    let mut scored: Vec<(usize, &'static str)> = known_ocsf_fields()
        .map(|name| (edit_distance(text, name), name))
        .filter(|(distance, name)| *distance <= (name.len() / 3).max(2))
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, name)| name).collect()
}

/// Levenshtein distance over bytes.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.bytes().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current[j + 1] = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

impl fmt::Debug for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FieldPath({:?})", self.text)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for FieldPath {
    type Err = PathError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FieldPath::parse(s)
    }
}

impl Event<'_> {
    /// Resolves `path` on this event; shorthand for [`FieldPath::get`].
    pub fn get<'e>(&'e self, path: &FieldPath) -> FieldValue<'e> {
        path.get(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Actor, RawRecord, Resource};
    use crate::format::SourceFormat;
    use crate::ocsf;

    fn sample() -> Event<'static> {
        let raw = r#"{"eventName":"GetObject","requestParameters":{"bucketName":"b1","key":null},
            "resources":[{"ARN":"arn:1","type":"AWS::S3::Object"},{"ARN":"arn:2"},{"type":"x"}],
            "tags":{"a.b":"dotted"}}"#;
        let mut event = Event::new(&ocsf::API_ACTIVITY, 2, SourceFormat::Cloudtrail);
        event.actor = Some(Box::new(Actor {
            user: Some(User {
                name: Some("alice".into()),
                ..User::default()
            }),
            ..Actor::default()
        }));
        event.resources = vec![
            Resource {
                uid: Some("arn:1".into()),
                ..Resource::default()
            },
            Resource {
                name: Some("only-name".into()),
                ..Resource::default()
            },
        ];
        event.raw = RawRecord::json(raw);
        event
    }

    #[test]
    fn ocsf_leaves_resolve_directly() {
        let event = sample();
        let path = FieldPath::parse("actor.user.name").unwrap();
        assert_eq!(event.get(&path), FieldValue::Str("alice".into()));
        assert_eq!(
            event.get(&"class_uid".parse().unwrap()),
            FieldValue::Int(6003)
        );
        assert_eq!(
            event.get(&"actor.user.uid".parse().unwrap()),
            FieldValue::Missing
        );
        assert_eq!(
            event.get(&"resources.uid".parse().unwrap()),
            FieldValue::List(vec![FieldValue::Str("arn:1".into())])
        );
    }

    #[test]
    fn generic_ocsf_paths_use_json_form() {
        let event = sample();
        let path = FieldPath::parse("metadata.product.name").unwrap();
        assert_eq!(event.get(&path), FieldValue::Str("CloudTrail".into()));
        let object = event.get(&FieldPath::parse("actor.user").unwrap());
        assert!(matches!(object, FieldValue::Object(_)), "{object:?}");
    }

    #[test]
    fn raw_paths_distinguish_missing_and_null() {
        let event = sample();
        let key = FieldPath::raw("requestParameters.key").unwrap();
        let absent = FieldPath::raw("requestParameters.prefix").unwrap();
        assert_eq!(event.get(&key), FieldValue::Null);
        assert_eq!(event.get(&absent), FieldValue::Missing);
        assert_eq!(
            event.get(&FieldPath::parse("raw.requestParameters.bucketName").unwrap()),
            FieldValue::Str("b1".into())
        );
    }

    #[test]
    fn raw_paths_walk_through_arrays() {
        let event = sample();
        let arns = event.get(&FieldPath::raw("resources.ARN").unwrap());
        assert_eq!(
            arns,
            FieldValue::List(vec![
                FieldValue::Str("arn:1".into()),
                FieldValue::Str("arn:2".into())
            ])
        );
        let second = event.get(&FieldPath::raw("resources[1].ARN").unwrap());
        assert_eq!(second, FieldValue::Str("arn:2".into()));
        let none = event.get(&FieldPath::raw("resources.nothing").unwrap());
        assert_eq!(none, FieldValue::Missing);
        let any = event.get(&FieldPath::raw("resources[*].type").unwrap());
        assert_eq!(any.as_list().map(<[_]>::len), Some(2));
    }

    #[test]
    fn bracketed_keys_hold_dots() {
        let event = sample();
        let path = FieldPath::raw(r#"tags["a.b"]"#).unwrap();
        assert_eq!(event.get(&path), FieldValue::Str("dotted".into()));
        let path = FieldPath::raw("tags[a.b]").unwrap();
        assert_eq!(event.get(&path), FieldValue::Str("dotted".into()));
    }

    #[test]
    fn syntax_errors_are_reported() {
        assert!(matches!(
            FieldPath::raw("a..b"),
            Err(PathError::EmptySegment { .. })
        ));
        assert!(matches!(
            FieldPath::raw("a[1"),
            Err(PathError::BadBracket { .. })
        ));
        assert!(matches!(
            FieldPath::raw(""),
            Err(PathError::EmptySegment { .. })
        ));
        assert!(matches!(
            FieldPath::raw("a."),
            Err(PathError::EmptySegment { .. })
        ));
    }

    #[test]
    fn unknown_ocsf_fields_get_suggestions() {
        let err = FieldPath::parse("actr.user.name").unwrap_err();
        match &err {
            PathError::UnknownOcsfField { suggestions, .. } => {
                assert_eq!(suggestions.first(), Some(&"actor.user.name"))
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            err.to_string().contains("did you mean actor.user.name"),
            "{err}"
        );
    }

    #[test]
    fn text_sources_read_raw_paths_from_unmapped() {
        let mut event = Event::new(&ocsf::HTTP_ACTIVITY, 3, SourceFormat::S3Access);
        event.raw = RawRecord::text("line");
        event.unmapped = Some(JsonValue::Object(vec![(
            "operation".into(),
            JsonValue::String("REST.GET.OBJECT".into()),
        )]));
        assert_eq!(
            event.get(&FieldPath::raw("operation").unwrap()),
            FieldValue::Str("REST.GET.OBJECT".into())
        );
        assert_eq!(
            event.get(&FieldPath::parse("unmapped.operation").unwrap()),
            FieldValue::Str("REST.GET.OBJECT".into())
        );
    }

    #[test]
    fn every_known_field_is_unique_and_resolves_on_an_empty_event() {
        let mut seen = std::collections::HashSet::new();
        let event = Event::default();
        for name in known_ocsf_fields() {
            assert!(seen.insert(name), "{name} is listed twice");
            let path = FieldPath::parse(name).unwrap();
            let _ = event.get(&path);
        }
        assert!(seen.len() > 100, "{}", seen.len());
    }
}
