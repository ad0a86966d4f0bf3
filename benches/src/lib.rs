//! Benchmark support: deterministic corpus generators (generated on demand, never committed),
//! and the scan loop the `peers` bench and the `sigmaloop` workload both time.
#![forbid(unsafe_code)]

pub mod gen_json;
pub mod gen_text;

use logsec_parse::{ParseError, ParseOptions, parse_slice_deferred};
use logsec_rules::sigma::SigmaRules;

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
