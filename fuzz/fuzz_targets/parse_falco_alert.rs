//! Parsing arbitrary bytes as Falco alert JSON (forced format, tight limits).
//! The body is `logsec_parse_fuzz::parse_falco_alert`, shared with the stable smoke harness.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| logsec_parse_fuzz::parse_falco_alert(data));
