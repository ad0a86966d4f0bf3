//! Parsing arbitrary bytes as syslog (RFC 3164 with a year, a reference time or the clock;
//! RFC 5424; journald JSON).
//! The body is `logsec_parse_fuzz::parse_syslog`, shared with the stable smoke harness.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| logsec_parse_fuzz::parse_syslog(data));
