//! The streaming reader (gzip, base64, chunked framing) over arbitrary bytes; it must agree
//! with the in-memory parser on the number of events.
//! The body is `logsec_parse_fuzz::reader_stream`, shared with the stable smoke harness.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| logsec_parse_fuzz::reader_stream(data));
