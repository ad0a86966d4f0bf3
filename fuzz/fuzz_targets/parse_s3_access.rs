//! Parsing arbitrary bytes as S3 server access logs (forced format, tight limits).
//! The body is `logsec_parse_fuzz::parse_s3_access`, shared with the stable smoke harness.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| logsec_parse_fuzz::parse_s3_access(data));
