//! Parsing arbitrary bytes as auth.log (syslog plus sshd/sudo/su/PAM semantics).
//! The body is `logsec_parse_fuzz::parse_auth_log`, shared with the stable smoke harness.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| logsec_parse_fuzz::parse_auth_log(data));
