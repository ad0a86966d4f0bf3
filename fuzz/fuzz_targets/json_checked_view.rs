//! logsec-event's validating pass (the lazy member view of a borrowed JSON record) against
//! serde_json on arbitrary bytes. The body is `logsec_parse_fuzz::json_checked_view`, shared
//! with the stable smoke harness.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| logsec_parse_fuzz::json_checked_view(data));
