//! Parsing arbitrary bytes as falco_alert (forced format, tight limits).
#![no_main]

use libfuzzer_sys::fuzz_target;
use logsec_event::SourceFormat;
use logsec_parse::{Limits, ParseOptions, parse_bytes};

fuzz_target!(|data: &[u8]| {
    let options = ParseOptions {
        format: Some(SourceFormat::FalcoAlert),
        limits: Limits {
            max_record_bytes: 4096,
            max_depth: 16,
            max_fields: 256,
        },
        ..ParseOptions::default()
    };
    if let Ok(parsed) = parse_bytes(data, &options) {
        for event in &parsed.events {
            let _ = event.to_ocsf_json();
        }
    }
});
