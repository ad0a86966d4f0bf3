//! Events and alerts as Apache Arrow record batches (feature `arrow`).
//!
//! One fixed schema for events ([`event_schema`]) and one for alerts ([`alert_schema`]), shared
//! by the Python bindings and any Rust user. Column names are OCSF attribute paths with `.`
//! replaced by `_` (`actor.user.name` → `actor_user_name`); `time` is
//! `timestamp[ms, tz=UTC]`; `unmapped` is JSON text and `raw` is the original record (JSON text
//! for JSON sources, the line for text sources).
//!
//! [`EventBatchBuilder`] appends borrowed events (no owned copy of the event is made) and hands
//! back a [`RecordBatch`] every `batch_size` rows:
//!
//! ```
//! use logsec::arrow::EventBatchBuilder;
//! use logsec::event::{ocsf, Event, SourceFormat};
//!
//! let mut builder = EventBatchBuilder::new(1024);
//! let mut event = Event::new(&ocsf::API_ACTIVITY, 2, SourceFormat::Cloudtrail);
//! event.time = 1_700_000_000_000;
//! assert!(builder.append(&event).unwrap().is_none());
//! let batch = builder.finish().unwrap().unwrap();
//! assert_eq!(batch.num_rows(), 1);
//! assert_eq!(batch.schema().field(0).name(), "time");
//! ```

use std::sync::{Arc, OnceLock};

use arrow_array::builder::{
    BooleanBuilder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
    TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};
use logsec_event::{Alert, Dialect, Event};

use crate::html::{alert_principal, alert_source_ip};

mod evaluate;
mod read;

pub use evaluate::{ARROW_INPUT_NAME, evaluate_event_batches};
pub use read::{DEFAULT_CHUNK_BYTES, EventBatches, ReadOptions, read_event_batches};

/// The time zone of every timestamp column.
pub const UTC: &str = "UTC";

fn time_type() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some(UTC.into()))
}

fn string_list() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
}

/// The string columns of the event schema, in order, after the fixed leading columns.
const EVENT_STRINGS: [&str; 30] = [
    "class_name",
    "activity_name",
    "severity",
    "status",
    "status_code",
    "status_detail",
    "message",
    "metadata_log_format",
    "metadata_original_event_uid",
    "metadata_uid",
    "metadata_product_name",
    "actor_user_name",
    "actor_user_uid",
    "actor_user_type",
    "actor_user_account_uid",
    "actor_session_issuer",
    "actor_session_uid",
    "user_name",
    "api_operation",
    "api_service_name",
    "api_request_uid",
    "api_response_error",
    "api_response_error_message",
    "src_endpoint_ip",
    "src_endpoint_hostname",
    "dst_endpoint_ip",
    "dst_endpoint_hostname",
    "http_request_http_method",
    "http_request_url_hostname",
    "http_request_url_path",
];

/// More string columns, after the integer endpoint/HTTP columns.
const EVENT_STRINGS_2: [&str; 7] = [
    "http_request_url_query_string",
    "http_request_user_agent",
    "connection_info_protocol_name",
    "action",
    "cloud_provider",
    "cloud_region",
    "cloud_account_uid",
];

/// The Arrow schema of events. The column order is part of the contract.
pub fn event_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let mut fields = vec![
                Field::new("time", time_type(), false),
                Field::new("class_uid", DataType::Int32, false),
                Field::new("activity_id", DataType::Int32, false),
                Field::new("type_uid", DataType::Int64, false),
                Field::new("severity_id", DataType::Int32, false),
                Field::new("status_id", DataType::Int32, false),
            ];
            fields.extend(
                EVENT_STRINGS
                    .iter()
                    .map(|name| Field::new(*name, DataType::Utf8, true)),
            );
            fields.extend([
                Field::new("is_mfa", DataType::Boolean, true),
                Field::new("src_endpoint_port", DataType::Int32, true),
                Field::new("dst_endpoint_port", DataType::Int32, true),
                Field::new("http_response_code", DataType::Int64, true),
                Field::new("traffic_bytes", DataType::Int64, true),
            ]);
            fields.extend(
                EVENT_STRINGS_2
                    .iter()
                    .map(|name| Field::new(*name, DataType::Utf8, true)),
            );
            fields.extend([
                Field::new("resources_uid", string_list(), true),
                Field::new("resources_type", string_list(), true),
                Field::new("unmapped", DataType::Utf8, true),
                Field::new("raw", DataType::Utf8, true),
            ]);
            Arc::new(Schema::new(fields))
        })
        .clone()
}

/// Bytes reserved per row for each short string column (names, ids, addresses).
const TEXT_BYTES_PER_ROW: usize = 24;

/// Builds event record batches of at most `batch_size` rows from borrowed events.
#[derive(Debug)]
pub struct EventBatchBuilder {
    batch_size: usize,
    rows: usize,
    /// Rows and raw bytes each batch's buffers start with room for.
    rows_hint: usize,
    raw_hint: usize,
    time: TimestampMillisecondBuilder,
    class_uid: Int32Builder,
    activity_id: Int32Builder,
    type_uid: Int64Builder,
    severity_id: Int32Builder,
    status_id: Int32Builder,
    strings: Vec<LazyNulls>,
    is_mfa: BooleanBuilder,
    src_port: Int32Builder,
    dst_port: Int32Builder,
    http_code: Int64Builder,
    traffic_bytes: Int64Builder,
    strings_2: Vec<LazyNulls>,
    resources_uid: ListBuilder<StringBuilder>,
    resources_type: ListBuilder<StringBuilder>,
    unmapped: StringBuilder,
    raw: StringBuilder,
    src_ip_text: String,
    dst_ip_text: String,
}

/// A string column whose nulls are counted and appended in one go before the next value (or
/// at the end): most columns are null for most rows of a format, and a null then costs an
/// increment instead of a bitmap bit and an offset.
#[derive(Debug)]
struct LazyNulls {
    builder: StringBuilder,
    nulls: usize,
}

impl LazyNulls {
    fn new(builder: StringBuilder) -> LazyNulls {
        LazyNulls { builder, nulls: 0 }
    }

    fn append_option(&mut self, value: Option<&str>) {
        match value {
            Some(value) => {
                if self.nulls > 0 {
                    self.builder.append_nulls(self.nulls);
                    self.nulls = 0;
                }
                self.builder.append_value(value);
            }
            None => self.nulls += 1,
        }
    }

    fn finish(&mut self) -> arrow_array::StringArray {
        if self.nulls > 0 {
            self.builder.append_nulls(self.nulls);
            self.nulls = 0;
        }
        self.builder.finish()
    }
}

/// Writes `ip` into `buffer` (cleared first); whether there was one.
fn format_ip(buffer: &mut String, ip: Option<std::net::IpAddr>) -> bool {
    use std::fmt::Write as _;
    buffer.clear();
    match ip {
        Some(std::net::IpAddr::V4(v4)) => {
            // Dotted decimal by hand: `Display` goes through the formatting machinery, which
            // costs as much as the rest of a row's strings.
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    buffer.push('.');
                }
                if octet >= 100 {
                    buffer.push(char::from(b'0' + octet / 100));
                }
                if octet >= 10 {
                    buffer.push(char::from(b'0' + octet / 10 % 10));
                }
                buffer.push(char::from(b'0' + octet % 10));
            }
            true
        }
        // Writing into a String cannot fail.
        Some(ip) => write!(buffer, "{ip}").is_ok(),
        None => false,
    }
}

impl EventBatchBuilder {
    /// A builder that yields a batch every `batch_size` rows (at least 1).
    pub fn new(batch_size: usize) -> EventBatchBuilder {
        EventBatchBuilder::with_capacity(batch_size, 0, 0)
    }

    /// A builder whose every batch starts with room for `rows` rows and `raw_bytes` bytes of
    /// raw records (about the size of the input it will hold), so that its buffers do not
    /// grow by copying as rows arrive. The hints only size allocations; any number of rows
    /// may be appended.
    pub fn with_capacity(batch_size: usize, rows: usize, raw_bytes: usize) -> EventBatchBuilder {
        let batch_size = batch_size.max(1);
        let rows = rows.min(batch_size);
        let text = || StringBuilder::with_capacity(rows, rows * TEXT_BYTES_PER_ROW);
        EventBatchBuilder {
            batch_size,
            rows: 0,
            rows_hint: rows,
            raw_hint: raw_bytes,
            time: TimestampMillisecondBuilder::with_capacity(rows).with_timezone(UTC),
            class_uid: Int32Builder::with_capacity(rows),
            activity_id: Int32Builder::with_capacity(rows),
            type_uid: Int64Builder::with_capacity(rows),
            severity_id: Int32Builder::with_capacity(rows),
            status_id: Int32Builder::with_capacity(rows),
            strings: EVENT_STRINGS
                .iter()
                .map(|_| LazyNulls::new(text()))
                .collect(),
            is_mfa: BooleanBuilder::with_capacity(rows),
            src_port: Int32Builder::with_capacity(rows),
            dst_port: Int32Builder::with_capacity(rows),
            http_code: Int64Builder::with_capacity(rows),
            traffic_bytes: Int64Builder::with_capacity(rows),
            strings_2: EVENT_STRINGS_2
                .iter()
                .map(|_| LazyNulls::new(text()))
                .collect(),
            resources_uid: ListBuilder::with_capacity(text(), rows),
            resources_type: ListBuilder::with_capacity(text(), rows),
            unmapped: StringBuilder::with_capacity(rows, 0),
            raw: StringBuilder::with_capacity(rows, raw_bytes),
            src_ip_text: String::new(),
            dst_ip_text: String::new(),
        }
    }

    /// Rows appended since the last batch was handed out.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether no rows are pending.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Appends one event; returns a full batch when `batch_size` rows are pending.
    pub fn append(&mut self, event: &Event<'_>) -> Result<Option<RecordBatch>, ArrowError> {
        self.push(event);
        self.rows += 1;
        if self.rows >= self.batch_size {
            self.finish()
        } else {
            Ok(None)
        }
    }

    /// The pending rows as a batch, or `None` when there are none.
    pub fn finish(&mut self) -> Result<Option<RecordBatch>, ArrowError> {
        if self.rows == 0 {
            return Ok(None);
        }
        self.rows = 0;
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(self.time.finish()),
            Arc::new(self.class_uid.finish()),
            Arc::new(self.activity_id.finish()),
            Arc::new(self.type_uid.finish()),
            Arc::new(self.severity_id.finish()),
            Arc::new(self.status_id.finish()),
        ];
        columns.extend(
            self.strings
                .iter_mut()
                .map(|b| Arc::new(b.finish()) as ArrayRef),
        );
        columns.extend([
            Arc::new(self.is_mfa.finish()) as ArrayRef,
            Arc::new(self.src_port.finish()),
            Arc::new(self.dst_port.finish()),
            Arc::new(self.http_code.finish()),
            Arc::new(self.traffic_bytes.finish()),
        ]);
        columns.extend(
            self.strings_2
                .iter_mut()
                .map(|b| Arc::new(b.finish()) as ArrayRef),
        );
        columns.extend([
            Arc::new(self.resources_uid.finish()) as ArrayRef,
            Arc::new(self.resources_type.finish()),
            Arc::new(self.unmapped.finish()),
            Arc::new(self.raw.finish()),
        ]);
        // The next batch starts with the same room (finishing left the builders empty).
        if self.rows_hint > 0 {
            let (src_ip_text, dst_ip_text) = (
                std::mem::take(&mut self.src_ip_text),
                std::mem::take(&mut self.dst_ip_text),
            );
            *self = EventBatchBuilder {
                src_ip_text,
                dst_ip_text,
                ..EventBatchBuilder::with_capacity(self.batch_size, self.rows_hint, self.raw_hint)
            };
        }
        RecordBatch::try_new(event_schema(), columns).map(Some)
    }

    /// [`EventBatchBuilder::finish`] for the last time: the builders are not made ready (and
    /// their room reserved) for another batch.
    fn finish_last(&mut self) -> Result<Option<RecordBatch>, ArrowError> {
        self.rows_hint = 0;
        self.finish()
    }

    fn push(&mut self, e: &Event<'_>) {
        self.time.append_value(e.time);
        self.class_uid.append_value(to_i32(e.class_uid));
        self.activity_id.append_value(to_i32(e.activity_id));
        self.type_uid
            .append_value(i64::try_from(e.type_uid).unwrap_or(i64::MAX));
        self.severity_id.append_value(i32::from(e.severity_id.id()));
        self.status_id.append_value(to_i32(e.status_id));

        let actor_user = e.actor.as_ref().and_then(|a| a.user.as_ref());
        let actor_session = e.actor.as_ref().and_then(|a| a.session.as_ref());
        let api = e.api.as_ref();
        let response = api.and_then(|a| a.response.as_ref());
        let src = e.src_endpoint.as_ref();
        let dst = e.dst_endpoint.as_ref();
        let request = e.http_request.as_ref();
        let url = request.and_then(|r| r.url.as_ref());
        let cloud = e.cloud.as_ref();
        // IP addresses are formatted into reused buffers: no allocation per row.
        let src_ip = format_ip(&mut self.src_ip_text, src.and_then(|s| s.ip));
        let dst_ip = format_ip(&mut self.dst_ip_text, dst.and_then(|d| d.ip));
        let values: [Option<&str>; 30] = [
            e.class_name.as_deref(),
            e.activity_name.as_deref(),
            Some(e.severity_id.name()),
            e.status.as_deref(),
            e.status_code.as_deref(),
            e.status_detail.as_deref(),
            e.message.as_deref(),
            e.metadata.log_format.map(|f| f.name()),
            e.metadata.original_event_uid.as_deref(),
            e.metadata.uid.as_deref(),
            e.metadata.product.name.as_deref(),
            actor_user.and_then(|u| u.name.as_deref()),
            actor_user.and_then(|u| u.uid.as_deref()),
            actor_user.and_then(|u| u.type_name.as_deref()),
            actor_user.and_then(|u| u.account.as_ref()?.uid.as_deref()),
            actor_session.and_then(|s| s.issuer.as_deref()),
            actor_session.and_then(|s| s.uid.as_deref()),
            e.user.as_ref().and_then(|u| u.name.as_deref()),
            api.map(|a| a.operation.as_ref()),
            api.and_then(|a| a.service.as_ref()?.name.as_deref()),
            api.and_then(|a| a.request.as_ref()).map(|r| r.uid.as_ref()),
            response.and_then(|r| r.error.as_deref()),
            response.and_then(|r| r.error_message.as_deref()),
            src_ip.then_some(self.src_ip_text.as_str()),
            src.and_then(|s| s.hostname.as_deref()),
            dst_ip.then_some(self.dst_ip_text.as_str()),
            dst.and_then(|d| d.hostname.as_deref()),
            request.and_then(|r| r.http_method.as_deref()),
            url.and_then(|u| u.hostname.as_deref()),
            url.and_then(|u| u.path.as_deref()),
        ];
        for (builder, value) in self.strings.iter_mut().zip(values) {
            builder.append_option(value);
        }
        self.is_mfa
            .append_option(e.is_mfa.or_else(|| actor_session.and_then(|s| s.is_mfa)));
        self.src_port
            .append_option(src.and_then(|s| s.port).map(i32::from));
        self.dst_port
            .append_option(dst.and_then(|d| d.port).map(i32::from));
        self.http_code
            .append_option(e.http_response.as_ref().and_then(|r| r.code));
        self.traffic_bytes
            .append_option(e.traffic.as_ref().and_then(|t| t.bytes));
        let values_2: [Option<&str>; 7] = [
            url.and_then(|u| u.query_string.as_deref()),
            request.and_then(|r| r.user_agent.as_deref()),
            e.connection_info
                .as_ref()
                .and_then(|c| c.protocol_name.as_deref()),
            e.action.as_deref(),
            cloud.map(|c| c.provider.as_ref()),
            cloud.and_then(|c| c.region.as_deref()),
            cloud.and_then(|c| c.account.as_ref()?.uid.as_deref()),
        ];
        for (builder, value) in self.strings_2.iter_mut().zip(values_2) {
            builder.append_option(value);
        }
        append_list(
            &mut self.resources_uid,
            e.resources.iter().map(|r| r.uid.as_deref()),
            !e.resources.is_empty(),
        );
        append_list(
            &mut self.resources_type,
            e.resources.iter().map(|r| r.type_name.as_deref()),
            !e.resources.is_empty(),
        );
        match &e.unmapped {
            Some(value) => self.unmapped.append_value(value.to_json_string()),
            None => self.unmapped.append_null(),
        }
        if e.raw.is_empty() {
            self.raw.append_null();
        } else {
            self.raw.append_value(e.raw.as_str());
        }
    }
}

fn to_i32(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

fn append_list<'s>(
    builder: &mut ListBuilder<StringBuilder>,
    items: impl Iterator<Item = Option<&'s str>>,
    valid: bool,
) {
    for item in items {
        builder.values().append_option(item);
    }
    builder.append(valid);
}

/// All `events` as one batch (an empty batch for no events).
pub fn events_to_batch<'a, I>(events: I) -> Result<RecordBatch, ArrowError>
where
    I: IntoIterator<Item = &'a Event<'a>>,
{
    let mut builder = EventBatchBuilder::new(usize::MAX);
    for event in events {
        builder.push(event);
        builder.rows += 1;
    }
    Ok(builder
        .finish()?
        .unwrap_or_else(|| RecordBatch::new_empty(event_schema())))
}

/// The Arrow schema of alerts. The column order is part of the contract.
pub fn alert_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let s = |name: &str| Field::new(name, DataType::Utf8, true);
            Arc::new(Schema::new(vec![
                Field::new("uid", DataType::Utf8, false),
                Field::new("time", time_type(), false),
                Field::new("severity", DataType::Utf8, false),
                Field::new("severity_id", DataType::Int32, false),
                Field::new("rule_id", DataType::Utf8, false),
                Field::new("rule_title", DataType::Utf8, false),
                s("rule_author"),
                s("rule_source_file"),
                s("dialect"),
                Field::new("message", DataType::Utf8, false),
                Field::new("related_event_uids", string_list(), false),
                s("principal"),
                s("src_ip"),
                s("source_format"),
                Field::new("tags", string_list(), false),
                Field::new("ocsf", DataType::Utf8, false),
            ]))
        })
        .clone()
}

/// The name of a rule dialect as it appears in the `dialect` column.
pub fn dialect_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sigma => "sigma",
        Dialect::Falco => "falco",
        Dialect::Logsec => "logsec",
    }
}

/// Builds alert record batches.
#[derive(Debug)]
pub struct AlertBatchBuilder {
    rows: usize,
    uid: StringBuilder,
    time: TimestampMillisecondBuilder,
    severity: StringBuilder,
    severity_id: Int32Builder,
    rule_id: StringBuilder,
    rule_title: StringBuilder,
    rule_author: StringBuilder,
    rule_source_file: StringBuilder,
    dialect: StringBuilder,
    message: StringBuilder,
    related: ListBuilder<StringBuilder>,
    principal: StringBuilder,
    src_ip: StringBuilder,
    source: StringBuilder,
    tags: ListBuilder<StringBuilder>,
    ocsf: StringBuilder,
}

impl Default for AlertBatchBuilder {
    fn default() -> Self {
        AlertBatchBuilder {
            rows: 0,
            uid: StringBuilder::new(),
            time: TimestampMillisecondBuilder::new().with_timezone(UTC),
            severity: StringBuilder::new(),
            severity_id: Int32Builder::new(),
            rule_id: StringBuilder::new(),
            rule_title: StringBuilder::new(),
            rule_author: StringBuilder::new(),
            rule_source_file: StringBuilder::new(),
            dialect: StringBuilder::new(),
            message: StringBuilder::new(),
            related: ListBuilder::new(StringBuilder::new()),
            principal: StringBuilder::new(),
            src_ip: StringBuilder::new(),
            source: StringBuilder::new(),
            tags: ListBuilder::new(StringBuilder::new()),
            ocsf: StringBuilder::new(),
        }
    }
}

impl AlertBatchBuilder {
    /// An empty builder.
    pub fn new() -> AlertBatchBuilder {
        AlertBatchBuilder::default()
    }

    /// Rows pending.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether no rows are pending.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Appends one alert.
    pub fn append(&mut self, alert: &Alert) {
        let rule = alert.rule();
        self.rows += 1;
        self.uid.append_value(alert.uid());
        self.time.append_value(alert.time);
        self.severity.append_value(alert.severity().name());
        self.severity_id
            .append_value(i32::from(alert.severity().id()));
        self.rule_id.append_value(&rule.id);
        self.rule_title.append_value(&rule.title);
        self.rule_author.append_option(rule.author.as_deref());
        self.rule_source_file
            .append_option(rule.source_file.as_deref());
        self.dialect.append_option(rule.dialect.map(dialect_name));
        self.message.append_value(&alert.message);
        append_list(
            &mut self.related,
            alert
                .finding_info
                .related_events
                .iter()
                .map(|r| Some(r.uid.as_str())),
            true,
        );
        self.principal.append_option(alert_principal(alert));
        self.src_ip.append_option(alert_source_ip(alert));
        self.source
            .append_option(alert.unmapped.source.map(|f| f.name()));
        append_list(
            &mut self.tags,
            rule.tags.iter().map(|t| Some(t.as_str())),
            true,
        );
        // Serializing an Alert cannot fail (string keys only); an empty object is the fallback.
        self.ocsf
            .append_value(serde_json::to_string(alert).unwrap_or_else(|_| "{}".to_owned()));
    }

    /// The pending rows as one batch (possibly empty); the builder is empty afterwards.
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        self.rows = 0;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.uid.finish()),
            Arc::new(self.time.finish()),
            Arc::new(self.severity.finish()),
            Arc::new(self.severity_id.finish()),
            Arc::new(self.rule_id.finish()),
            Arc::new(self.rule_title.finish()),
            Arc::new(self.rule_author.finish()),
            Arc::new(self.rule_source_file.finish()),
            Arc::new(self.dialect.finish()),
            Arc::new(self.message.finish()),
            Arc::new(self.related.finish()),
            Arc::new(self.principal.finish()),
            Arc::new(self.src_ip.finish()),
            Arc::new(self.source.finish()),
            Arc::new(self.tags.finish()),
            Arc::new(self.ocsf.finish()),
        ];
        RecordBatch::try_new(alert_schema(), columns)
    }
}

/// All `alerts` as one batch.
pub fn alerts_to_batch<'a, I>(alerts: I) -> Result<RecordBatch, ArrowError>
where
    I: IntoIterator<Item = &'a Alert>,
{
    let mut builder = AlertBatchBuilder::new();
    for alert in alerts {
        builder.append(alert);
    }
    builder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int32Type, TimestampMillisecondType};
    use arrow_array::{Array, ListArray};
    use logsec_event::{Alert, Event, RuleRef, Severity};
    use logsec_parse::{ParseOptions, parse_reader};

    const CLOUDTRAIL: &str = r#"{"Records":[
{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA:i-1","arn":"arn:aws:sts::111122223333:assumed-role/web/i-1","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/web","userName":"web"}}},"eventTime":"2026-11-20T03:15:09Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.42","userAgent":"aws-cli/2","requestParameters":{"bucketName":"exports","key":"a.csv"},"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::exports/a.csv"},{"type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::exports"}],"eventID":"ev-1","eventType":"AwsApiCall","recipientAccountId":"111122223333"},
{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","userName":"alice","accountId":"111122223333"},"eventTime":"2026-11-20T03:16:00.250Z","eventSource":"iam.amazonaws.com","eventName":"DeleteUser","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","errorCode":"AccessDenied","eventID":"ev-2","eventType":"AwsApiCall","recipientAccountId":"111122223333"}
]}"#;

    fn parse(text: &str) -> RecordBatch {
        let mut builder = EventBatchBuilder::new(1000);
        let mut batches = Vec::new();
        parse_reader(
            text.as_bytes(),
            &ParseOptions::default(),
            &mut |e: &Event<'_>| {
                if let Some(batch) = builder.append(e).unwrap() {
                    batches.push(batch);
                }
            },
        )
        .unwrap();
        batches.extend(builder.finish().unwrap());
        assert_eq!(batches.len(), 1);
        batches.remove(0)
    }

    fn strings(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
        batch
            .column_by_name(name)
            .unwrap_or_else(|| panic!("no column {name}"))
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect()
    }

    #[test]
    fn cloudtrail_events_become_flat_ocsf_columns() {
        let batch = parse(CLOUDTRAIL);
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(batch.schema(), event_schema());
        let time = batch
            .column_by_name("time")
            .unwrap()
            .as_primitive::<TimestampMillisecondType>();
        // 2026-11-20T03:15:09Z and 03:16:00.250Z in ms since the epoch (checked with Python datetime).
        assert_eq!(time.value(0), 1_795_144_509_000);
        assert_eq!(time.value(1), 1_795_144_560_250);
        assert_eq!(
            batch.schema().field(0).data_type(),
            &DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
        );
        let class = batch
            .column_by_name("class_uid")
            .unwrap()
            .as_primitive::<Int32Type>();
        // DeleteUser is an IAM account change (3001), GetObject an API activity (6003).
        assert_eq!(class.values().to_vec(), vec![6003, 3001]);
        assert_eq!(
            strings(&batch, "api_operation"),
            [Some("GetObject".into()), Some("DeleteUser".into())]
        );
        assert_eq!(
            strings(&batch, "src_endpoint_ip"),
            [Some("198.51.100.42".into()), Some("203.0.113.9".into())]
        );
        assert_eq!(
            strings(&batch, "metadata_original_event_uid"),
            [Some("ev-1".into()), Some("ev-2".into())]
        );
        assert_eq!(
            strings(&batch, "metadata_log_format"),
            [Some("cloudtrail".into()), Some("cloudtrail".into())]
        );
        assert_eq!(
            strings(&batch, "api_response_error"),
            [None, Some("AccessDenied".into())]
        );
        assert_eq!(
            strings(&batch, "actor_user_name")[1].as_deref(),
            Some("alice")
        );
        assert_eq!(
            strings(&batch, "cloud_account_uid"),
            [Some("111122223333".into()), Some("111122223333".into())]
        );
        let resources = batch
            .column_by_name("resources_uid")
            .unwrap()
            .as_any()
            .downcast_ref::<ListArray>()
            .unwrap();
        let first = resources.value(0);
        let first: Vec<_> = first.as_string::<i32>().iter().flatten().collect();
        assert_eq!(
            first,
            ["arn:aws:s3:::exports/a.csv", "arn:aws:s3:::exports"]
        );
        assert!(resources.is_null(1));
        let raw = strings(&batch, "raw");
        let raw0: serde_json::Value = serde_json::from_str(raw[0].as_deref().unwrap()).unwrap();
        assert_eq!(raw0["eventID"], "ev-1");
    }

    #[test]
    fn text_events_keep_their_line_and_named_fields() {
        let line = "Nov 20 03:19:02 web1 sshd[811]: Failed password for deploy from 198.51.100.42 port 50122 ssh2\n";
        let options = ParseOptions {
            format: Some(logsec_event::SourceFormat::Syslog),
            syslog_year: Some(2026),
            ..ParseOptions::default()
        };
        let mut builder = EventBatchBuilder::new(10);
        parse_reader(line.as_bytes(), &options, &mut |e: &Event<'_>| {
            assert!(builder.append(e).unwrap().is_none());
        })
        .unwrap();
        let batch = builder.finish().unwrap().unwrap();
        assert_eq!(batch.num_rows(), 1);
        assert_eq!(strings(&batch, "raw")[0].as_deref(), Some(line.trim_end()));
        assert_eq!(
            strings(&batch, "src_endpoint_ip")[0].as_deref(),
            Some("198.51.100.42")
        );
        let port = batch
            .column_by_name("src_endpoint_port")
            .unwrap()
            .as_primitive::<Int32Type>();
        assert_eq!(port.value(0), 50122);
    }

    #[test]
    fn lazy_nulls_keep_every_row_in_place() {
        let mut column = LazyNulls::new(StringBuilder::new());
        for value in [None, Some("a"), None, None, Some("b"), None] {
            column.append_option(value);
        }
        let first = column.finish();
        let first: Vec<Option<&str>> = first.iter().collect();
        assert_eq!(first, [None, Some("a"), None, None, Some("b"), None]);
        column.append_option(None);
        column.append_option(None);
        let second = column.finish();
        assert_eq!(second.len(), 2);
        assert_eq!(second.null_count(), 2);
        column.append_option(Some("c"));
        let third = column.finish();
        assert_eq!(third.iter().collect::<Vec<_>>(), [Some("c")]);
    }

    #[test]
    fn ip_addresses_are_written_as_display_writes_them() {
        let mut buffer = String::from("stale");
        assert!(!format_ip(&mut buffer, None));
        assert_eq!(buffer, "");
        for (text, expected) in [
            ("0.0.0.0", "0.0.0.0"),
            ("9.10.99.100", "9.10.99.100"),
            ("255.255.255.255", "255.255.255.255"),
            ("198.51.100.42", "198.51.100.42"),
            ("2001:db8::1", "2001:db8::1"),
            ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ] {
            assert!(format_ip(&mut buffer, Some(text.parse().unwrap())));
            assert_eq!(buffer, expected);
        }
    }

    #[test]
    fn batches_are_cut_every_batch_size_rows() {
        let mut builder = EventBatchBuilder::new(2);
        let mut sizes = Vec::new();
        for i in 0..5 {
            let mut event = Event::new(
                &logsec_event::ocsf::API_ACTIVITY,
                1,
                logsec_event::SourceFormat::Cloudtrail,
            );
            event.time = i;
            if let Some(batch) = builder.append(&event).unwrap() {
                sizes.push(batch.num_rows());
            }
        }
        assert_eq!(builder.len(), 1);
        sizes.extend(builder.finish().unwrap().map(|b| b.num_rows()));
        assert_eq!(sizes, [2, 2, 1]);
        assert!(builder.finish().unwrap().is_none());
        assert_eq!(events_to_batch(&[]).unwrap().num_rows(), 0);
    }

    #[test]
    fn capacity_hints_change_no_row() {
        let lines: Vec<String> = (0..7)
            .map(|i| {
                format!(
                    r#"{{"eventVersion":"1.08","eventTime":"2026-11-28T10:00:0{i}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"10.0.0.{i}","userIdentity":{{"type":"IAMUser","userName":"user{i}"}},"resources":[{{"ARN":"arn:aws:s3:::b{i}","type":"AWS::S3::Bucket"}}]}}"#
                )
            })
            .collect();
        let text = lines.join("\n");
        let batches = |mut builder: EventBatchBuilder| {
            let mut out = Vec::new();
            parse_reader(text.as_bytes(), &ParseOptions::default(), |event| {
                out.extend(builder.append(event).unwrap());
            })
            .unwrap();
            out.extend(builder.finish().unwrap());
            out
        };
        let plain = batches(EventBatchBuilder::new(3));
        // Hints both too small and too large for what arrives.
        let small = batches(EventBatchBuilder::with_capacity(3, 1, 10));
        let large = batches(EventBatchBuilder::with_capacity(3, 1000, 1 << 20));
        assert_eq!(
            plain.iter().map(|b| b.num_rows()).collect::<Vec<_>>(),
            [3, 3, 1]
        );
        assert_eq!(plain, small);
        assert_eq!(plain, large);
        assert_eq!(
            strings(&plain[1], "actor_user_name"),
            [
                Some("user3".to_owned()),
                Some("user4".to_owned()),
                Some("user5".to_owned())
            ]
        );
    }

    #[test]
    fn alerts_become_rows_with_rule_and_related_events() {
        let mut event = Event::new(
            &logsec_event::ocsf::API_ACTIVITY,
            2,
            logsec_event::SourceFormat::Cloudtrail,
        );
        event.time = 1_795_144_509_000;
        event.metadata.original_event_uid = Some("ev-1".into());
        event.src_endpoint = Some(Box::new(logsec_event::Endpoint {
            ip: Some("198.51.100.42".parse().unwrap()),
            ..Default::default()
        }));
        let rule = RuleRef {
            id: "r-1".into(),
            title: "Test rule".into(),
            dialect: Some(Dialect::Sigma),
            tags: vec!["attack.exfiltration".into()],
            author: Some("me".into()),
            ..RuleRef::default()
        };
        let alert: Alert = logsec_event::AlertBuilder::new(rule, Severity::High)
            .message("exfil from 198.51.100.42")
            .event(&event)
            .build();
        let batch = alerts_to_batch([&alert]).unwrap();
        assert_eq!(batch.schema(), alert_schema());
        assert_eq!(batch.num_rows(), 1);
        assert_eq!(strings(&batch, "uid")[0].as_deref(), Some(alert.uid()));
        assert_eq!(strings(&batch, "severity")[0].as_deref(), Some("High"));
        assert_eq!(
            batch
                .column_by_name("severity_id")
                .unwrap()
                .as_primitive::<Int32Type>()
                .value(0),
            4
        );
        assert_eq!(
            strings(&batch, "rule_title")[0].as_deref(),
            Some("Test rule")
        );
        assert_eq!(strings(&batch, "dialect")[0].as_deref(), Some("sigma"));
        assert_eq!(
            strings(&batch, "src_ip")[0].as_deref(),
            Some("198.51.100.42")
        );
        assert_eq!(
            strings(&batch, "message")[0].as_deref(),
            Some("exfil from 198.51.100.42")
        );
        let related = batch
            .column_by_name("related_event_uids")
            .unwrap()
            .as_any()
            .downcast_ref::<ListArray>()
            .unwrap()
            .value(0);
        let related: Vec<_> = related.as_string::<i32>().iter().flatten().collect();
        assert_eq!(related, ["ev-1"]);
        let time = batch
            .column_by_name("time")
            .unwrap()
            .as_primitive::<TimestampMillisecondType>();
        assert_eq!(time.value(0), 1_795_144_509_000);
        let ocsf: serde_json::Value =
            serde_json::from_str(strings(&batch, "ocsf")[0].as_deref().unwrap()).unwrap();
        assert_eq!(ocsf["class_uid"], 2004);
    }
}
