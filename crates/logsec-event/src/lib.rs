//! # logsec-event
//!
//! The one event type every logsec parser produces and every rule reads, and the one alert
//! type every sink writes.
//!
//! - [`Event`] is a log record normalized to OCSF 1.8.0 (API Activity, Authentication, Account
//!   Change, HTTP Activity, Network Activity, …) that **keeps its raw record**. Its strings borrow
//!   from the input buffer (`Cow<'a, str>`), and a JSON record is parsed into a tree only when a
//!   rule first reads a raw path.
//! - [`FieldPath`] is parsed once from a dotted string — an OCSF path like `actor.user.name`, or a
//!   raw path like `raw.requestParameters.bucketName` — and resolves to a typed, borrowed
//!   [`FieldValue`] that tells *missing* from *null* and walks through arrays.
//! - [`SourceFormat`] is the registry of format names and their aliases, shared by every layer.
//! - [`Severity`] maps OCSF `severity_id`, Falco priorities and Sigma levels in one table.
//! - [`Alert`] is an OCSF Detection Finding with a deterministic id and time.
//!
//! ```
//! use logsec_event::{ocsf, Event, FieldPath, FieldValue, RawRecord, SourceFormat};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let line = r#"{"eventName":"ListBuckets","requestParameters":{"host":["s3.amazonaws.com"]}}"#;
//! let mut event = Event::new(&ocsf::API_ACTIVITY, 2, "cloudtrail".parse::<SourceFormat>()?);
//! event.raw = RawRecord::json(line);
//!
//! let class = FieldPath::parse("class_uid")?;
//! let host = FieldPath::parse("raw.requestParameters.host")?;
//! assert_eq!(event.get(&class), FieldValue::Int(6003));
//! assert_eq!(event.get(&host), FieldValue::List(vec![FieldValue::Str("s3.amazonaws.com".into())]));
//! assert!(event.get(&FieldPath::raw("errorCode")?).is_missing());
//!
//! let json = event.to_ocsf_json();
//! assert!(json.contains(r#""type_uid":600302"#));
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod alert;
mod block;
mod event;
mod format;
mod json;
mod members;
pub mod ocsf;
mod path;
mod severity;
mod value;
mod view;

pub use crate::alert::{
    Alert, AlertBuilder, AlertExtras, AlertMetadata, AlertProduct, Analytic, Attack, AttackRef,
    DEFAULT_MAX_EVIDENCES, Dialect, Evidence, FindingInfo, RelatedEvent, RuleRef, alert_uid,
    attacks_from_tags, event_uid,
};
pub use crate::event::{
    Account, Actor, Api, ApiRequest, ApiResponse, Cloud, ConnectionInfo, Endpoint, Event, Group,
    HttpRequest, HttpResponse, Idp, Metadata, Product, RawRecord, Resource, Service, Session, Text,
    Traffic, Url, User,
};
pub use crate::format::{FORMATS, FormatInfo, SourceFormat, UnknownFormat};
pub use crate::json::{JsonNumber, JsonValue};
pub use crate::members::{CutPlan, RawMembers, RawNode};
pub use crate::path::{FieldPath, PathError, Segment, edit_distance, known_ocsf_fields, walk};
pub use crate::severity::{FalcoPriority, Severity, UnknownSeverity};
pub use crate::value::FieldValue;
pub use crate::view::{JsonView, JsonViewElements};
