//! Parsing arbitrary bytes as GCP Cloud Audit Logs (forced format, tight limits).
//! The body is `logsec_parse_fuzz::parse_gcp_audit`, shared with the stable smoke harness.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| logsec_parse_fuzz::parse_gcp_audit(data));
