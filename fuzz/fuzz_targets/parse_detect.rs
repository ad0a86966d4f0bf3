//! Detection plus parsing of arbitrary bytes; every event is serialized and raw paths read.
//! The body is `logsec_parse_fuzz::parse_detect`, shared with the stable smoke harness.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| logsec_parse_fuzz::parse_detect(data));
