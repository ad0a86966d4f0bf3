//! The streaming reader (gzip, base64, chunked framing) over arbitrary bytes; it must agree
//! with the in-memory parser on the number of events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logsec_parse::{ParseOptions, parse_bytes, parse_reader};

fuzz_target!(|data: &[u8]| {
    let options = ParseOptions::default();
    let mut streamed = 0u64;
    let summary = parse_reader(data, &options, |_| streamed += 1);
    if let (Ok(summary), Ok(parsed)) = (summary, parse_bytes(data, &options)) {
        assert_eq!(summary.events, streamed);
        assert_eq!(parsed.summary.events, streamed);
    }
});
