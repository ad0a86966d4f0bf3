//! Benchmark support: deterministic corpus generators (generated on demand, never committed),
//! and the scan loop the `peers` bench and the `sigmaloop` workload both time.
#![forbid(unsafe_code)]

pub mod gen_json;
pub mod gen_text;

use std::borrow::Cow;

use logsec_event::Event;
use logsec_parse::{ParseError, ParseOptions, parse_slice_deferred};
use logsec_rules::ir::RuleMatch;
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
    let mut matches = 0;
    sigma_scan_each(rules, input, |matched, _| matches += matched.len())?;
    Ok(matches)
}

/// [`sigma_scan`], calling `each` with the rules that matched a record and the record's
/// normalized event.
///
/// # Errors
///
/// As [`parse_slice_deferred`].
pub fn sigma_scan_each(
    rules: &SigmaRules,
    input: &[u8],
    mut each: impl FnMut(&[RuleMatch], &Event<'_>),
) -> Result<(), ParseError> {
    let mut scratch = Vec::new();
    parse_slice_deferred(
        input,
        &ParseOptions::default(),
        |format| rules.rule_set().reads_raw_only(format),
        |pending| {
            scratch.clear();
            rules.matches(pending.event(), &mut scratch);
            if scratch.is_empty() {
                return;
            }
            if let Some(event) = pending.normalize() {
                each(&scratch, event);
            }
        },
    )?;
    Ok(())
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

/// Falco's upstream `k8s_audit_rules.yaml` and the lines of Falco 0.34.1's k8s-audit trace
/// files (files in name order, blank lines left out), read from `../shared/corpus`; `None`
/// when the corpus is absent.
pub fn falco_k8s_workload() -> Option<(logsec_rules::falco::FalcoRules, Vec<String>)> {
    let falco = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/falco");
    if !falco.is_dir() {
        return None;
    }
    let rules = logsec_rules::falco::load_paths(
        &[falco.join("falcosecurity-plugins/plugins/k8saudit/rules/k8s_audit_rules.yaml")],
        &logsec_rules::falco::LoadOptions::default(),
    );
    let traces = falco.join("falcosecurity-falco-0.34.1-tests/test/trace_files/k8s_audit");
    let mut files: Vec<_> = std::fs::read_dir(&traces)
        .map(|dir| dir.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let lines = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .flat_map(|text| {
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    Some((rules, lines))
}

/// A Kubernetes audit line as a scan's rules see it: a not yet normalized event whose raw
/// record is read with the format's cut plan ([`logsec_parse::cut_plan`]).
pub fn k8s_audit_event(line: &str) -> logsec_event::Event<'_> {
    use logsec_event::{Event, RawRecord, SourceFormat, ocsf};
    let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
    event.raw = RawRecord::json(line).with_cut_plan(logsec_parse::cut_plan(SourceFormat::K8sAudit));
    event
}

/// rsigma-eval's engine with the rules of `texts` (path, YAML text), as the `peers` bench
/// compares logsec with it; rules it cannot parse or compile are reported on stderr.
pub fn rsigma_engine<P: std::fmt::Display>(texts: &[(P, String)]) -> rsigma_eval::Engine {
    let mut engine = rsigma_eval::Engine::new();
    for (path, text) in texts {
        match rsigma_parser::parse_sigma_yaml(text) {
            Ok(collection) => {
                if let Err(err) = engine.add_collection(&collection) {
                    eprintln!("rsigma-eval does not compile {path}: {err}");
                }
            }
            Err(err) => eprintln!("rsigma-parser does not parse {path}: {err}"),
        }
    }
    engine
}

/// rsigma-eval's matches over JSON lines, the way its users run it: each line parsed into a
/// `serde_json::Value`, then evaluated (a line that does not parse counts no match).
pub fn rsigma_matches(engine: &rsigma_eval::Engine, records: &[&str]) -> usize {
    records
        .iter()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .map(|value| {
            engine
                .evaluate(&rsigma_eval::event::JsonEvent::borrow(&value))
                .len()
        })
        .sum()
}
