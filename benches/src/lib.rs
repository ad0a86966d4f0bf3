//! Benchmark support: deterministic corpus generators (generated on demand, never committed),
//! and the scan loop the `peers` bench and the `sigmaloop` workload both time.
#![forbid(unsafe_code)]

pub mod gen_json;
pub mod gen_text;

use std::borrow::Cow;

use logsec_parse::{ParseError, ParseOptions, parse_slice_deferred};
use logsec_rules::sigma::SigmaRules;
use serde::Deserialize;
use serde_json::value::RawValue;

/// Parse + rules + normalize, as a scan runs them: every record is validated and matched
/// through its lazy raw view (the SigmaHQ CloudTrail rules read only raw paths), and the
/// records a rule matched are normalized to OCSF (what an alert is built from). The input is
/// parsed in place, as the pipeline parses its in-memory chunks (`parse_slice_deferred`).
/// Returns the number of (rule, event) matches.
///
/// # Errors
///
/// As [`parse_slice_deferred`].
pub fn sigma_scan(rules: &SigmaRules, input: &[u8]) -> Result<usize, ParseError> {
    let mut scratch = Vec::new();
    let mut matches = 0;
    parse_slice_deferred(
        input,
        &ParseOptions::default(),
        |format| rules.rule_set().reads_raw_only(format),
        |pending| {
            scratch.clear();
            rules.matches(pending.event(), &mut scratch);
            if !scratch.is_empty() && pending.normalize().is_some() {
                matches += scratch.len();
            }
        },
    )?;
    Ok(matches)
}

/// A typed, borrowed CloudTrail record: what a parser that knows the schema must at least do
/// (strings borrowed where unescaped, nested objects kept as raw JSON).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct TypedRecord<'a> {
    #[serde(borrow)]
    event_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    user_identity: Option<&'a RawValue>,
    #[serde(borrow)]
    event_time: Option<Cow<'a, str>>,
    #[serde(borrow)]
    event_source: Option<Cow<'a, str>>,
    #[serde(borrow)]
    event_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    aws_region: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "sourceIPAddress")]
    source_ip_address: Option<Cow<'a, str>>,
    #[serde(borrow)]
    user_agent: Option<Cow<'a, str>>,
    #[serde(borrow)]
    error_code: Option<Cow<'a, str>>,
    #[serde(borrow)]
    error_message: Option<Cow<'a, str>>,
    #[serde(borrow)]
    request_parameters: Option<&'a RawValue>,
    #[serde(borrow)]
    response_elements: Option<&'a RawValue>,
    #[serde(borrow, rename = "requestID")]
    request_id: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "eventID")]
    event_id: Option<Cow<'a, str>>,
    read_only: Option<bool>,
    #[serde(borrow)]
    event_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    recipient_account_id: Option<Cow<'a, str>>,
}

/// The typed-parse baseline for one JSON line: whether it parses as a `TypedRecord` with an
/// event name (`false` for invalid JSON).
pub fn typed_parse(line: &str) -> bool {
    serde_json::from_str::<TypedRecord<'_>>(line).is_ok_and(|r| r.event_name.is_some())
}
