//! Parsing arbitrary bytes as VPC / Transit Gateway flow logs (header lines, default order, and
//! a `format:` first line as `vpc_flow_format`).
//! The body is `logsec_parse_fuzz::parse_vpc_flow`, shared with the stable smoke harness.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| logsec_parse_fuzz::parse_vpc_flow(data));
