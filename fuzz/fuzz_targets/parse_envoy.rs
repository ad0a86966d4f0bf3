//! Parsing arbitrary bytes as Istio and as Envoy access logs (default text formats, JSON lines,
//! CRI prefixes).
//! The body is `logsec_parse_fuzz::parse_envoy`, shared with the stable smoke harness.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| logsec_parse_fuzz::parse_envoy(data));
