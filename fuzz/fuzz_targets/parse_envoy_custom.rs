//! An Envoy custom `text_format` (the input's first line) compiled and applied to the rest.
//! The body is `logsec_parse_fuzz::parse_envoy_custom`, shared with the stable smoke harness.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| logsec_parse_fuzz::parse_envoy_custom(data));
