//! Parsing arbitrary bytes as web server access and error logs (forced format, tight limits).
//! The body is `logsec_parse_fuzz::parse_web_access`, shared with the stable smoke harness.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| logsec_parse_fuzz::parse_web_access(data));
