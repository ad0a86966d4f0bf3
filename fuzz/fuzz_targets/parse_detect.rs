//! Detection plus parsing of arbitrary bytes; every event is serialized and a raw path read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logsec_event::FieldPath;
use logsec_parse::{ParseOptions, detect, parse_bytes};

fuzz_target!(|data: &[u8]| {
    let _ = detect(None, data);
    if let Ok(parsed) = parse_bytes(data, &ParseOptions::default()) {
        let path = FieldPath::raw("eventName").ok();
        for event in &parsed.events {
            let _ = event.to_ocsf_json();
            if let Some(path) = &path {
                let _ = event.get(path);
            }
        }
    }
});
