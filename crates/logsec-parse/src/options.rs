//! Options that steer parsing.

use logsec_event::SourceFormat;

use crate::limits::Limits;

/// Options for reading one input. Built by the caller, passed by value; parsers never read the
/// environment or globals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Force a format instead of detecting it.
    pub format: Option<SourceFormat>,
    /// Per-record limits.
    pub limits: Limits,
    /// The name reported in rejects (a path, `-` for stdin).
    pub file_name: Option<String>,
    /// Year for RFC 3164 syslog timestamps, which carry none.
    pub syslog_year: Option<i32>,
    /// UTC offset in seconds for RFC 3164 syslog timestamps, which carry no zone (default UTC).
    pub syslog_utc_offset_secs: Option<i32>,
    /// Reference time (ms since the epoch, e.g. the file's modification time) from which the
    /// year of RFC 3164 timestamps is inferred when `syslog_year` is not given.
    pub reference_time_ms: Option<i64>,
    /// Field order for headerless VPC flow logs, as AWS's format string
    /// (`${version} ${account-id} …`) or space-separated field names.
    pub vpc_flow_format: Option<String>,
    /// An Envoy access-log `text_format` string (`[%START_TIME%] "%REQ(:METHOD)% …`) to compile
    /// into a parser for custom Envoy logs.
    pub envoy_format: Option<String>,
}
