//! Text-format parsing throughput, one core: generated lines of every text format (S3 server
//! access, Envoy and Istio default text, an Envoy custom `text_format`, VPC and Transit Gateway
//! flow, ALB, syslog RFC 3164 and RFC 5424, auth.log, web access common and combined) through
//! `logsec_parse::parse_lines_for_bench` (line parser → OCSF events).
//!
//! The Istio, S3, combined web access, auth.log and VPC generators live in
//! `logsec_benches::gen_text`; the smaller ones for the other shapes are below.
// Benchmarks set up fixed inputs; a failed setup is a bug in the benchmark, so panicking is right.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logsec::event::SourceFormat;
use logsec::parse::{ParseOptions, parse_lines_for_bench};
use logsec_benches::gen_text::{self, SplitMix64};

const LINES: usize = 20_000;

/// The custom Envoy `text_format` of the `envoy_custom` input: known operators, a header
/// kept under its own name (`req_x_tenant`), and literals between them.
const ENVOY_CUSTOM_FORMAT: &str = "[%START_TIME%] %REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL% %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" \"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\" tenant=%REQ(X-TENANT)%\n";

const PATHS: [&str; 6] = [
    "/api/v1/orders",
    "/api/v1/users?limit=20&offset=40",
    "/healthz",
    "/login",
    "/static/app.js",
    "/wp-login.php",
];
const AGENTS: [&str; 3] = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "curl/8.5.0",
    "python-requests/2.31.0",
];

fn ip(rng: &mut SplitMix64, prefix: &str) -> String {
    format!("{prefix}.{}.{}", rng.below(256), 1 + rng.below(254))
}

fn rfc3339(i: usize) -> String {
    format!(
        "2023-11-14T10:{:02}:{:02}.{:03}Z",
        (i / 60) % 60,
        i % 60,
        i % 1000
    )
}

/// Envoy's default text format (no Istio fields).
fn envoy_default_log(count: usize, seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::with_capacity(count * 230);
    for i in 0..count {
        let _ = writeln!(
            out,
            "[{}] \"{} {} HTTP/1.1\" {} - {} {} {} {} \"{}\" \"{}\" \"{:016x}\" \"shop.example.com\" \"{}:8080\"",
            rfc3339(i),
            rng.pick(&["GET", "GET", "POST"]),
            rng.pick(&PATHS),
            rng.pick(&["200", "204", "404", "503"]),
            rng.below(4000),
            rng.below(100_000),
            rng.below(900),
            rng.below(800),
            ip(&mut rng, "203.0"),
            rng.pick(&AGENTS),
            rng.next_u64(),
            ip(&mut rng, "10.44"),
        );
    }
    out
}

/// Lines in [`ENVOY_CUSTOM_FORMAT`].
fn envoy_custom_log(count: usize, seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::with_capacity(count * 230);
    for i in 0..count {
        let _ = writeln!(
            out,
            "[{}] {} {} HTTP/1.1 {} - {} {} {} \"{}\" \"{}\" \"{:016x}\" \"shop.example.com\" \"{}:8080\" tenant={}",
            rfc3339(i),
            rng.pick(&["GET", "GET", "POST"]),
            rng.pick(&PATHS),
            rng.pick(&["200", "204", "404", "503"]),
            rng.below(4000),
            rng.below(100_000),
            rng.below(900),
            ip(&mut rng, "203.0"),
            rng.pick(&AGENTS),
            rng.next_u64(),
            ip(&mut rng, "10.44"),
            rng.pick(&["acme", "globex", "initech"]),
        );
    }
    out
}

/// Transit Gateway flow log records (version 6 fields) after their header line.
fn tgw_flow_log(count: usize, seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::with_capacity(count * 420 + 400);
    out.push_str("version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags region flow-direction pkt-src-aws-service pkt-dst-aws-service\n");
    for i in 0..count {
        let start = 1_700_000_000 + i as u64;
        let _ = writeln!(
            out,
            "6 TransitGateway 123456789012 tgw-0{:016x} tgw-attach-0{:016x} 123456789012 210987654321 vpc-0{:016x} vpc-0{:016x} subnet-0{:016x} subnet-0{:016x} eni-0{:016x} eni-0{:016x} use1-az1 use1-az2 tgw-attach-0{:016x} {} {} {} {} {} {} {} {start} {} OK IPv4 0 0 0 0 {} us-east-1 {} - -",
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
            ip(&mut rng, "10.0"),
            ip(&mut rng, "172.31"),
            1024 + rng.below(60_000),
            rng.pick(&["22", "443", "3389", "53"]),
            rng.pick(&["6", "17"]),
            1 + rng.below(100),
            40 + rng.below(100_000),
            start + 60,
            rng.pick(&["2", "18", "19"]),
            rng.pick(&["ingress", "egress"]),
        );
    }
    out
}

/// Application Load Balancer access log lines (HTTPS, with every current field).
fn alb_log(count: usize, seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::with_capacity(count * 620);
    for i in 0..count {
        let code = rng.pick(&["200", "200", "302", "404", "502"]);
        let time = format!(
            "2023-11-14T10:{:02}:{:02}.{:06}Z",
            (i / 60) % 60,
            i % 60,
            rng.below(1_000_000)
        );
        let _ = writeln!(
            out,
            "https {time} app/my-loadbalancer/50dc6c495c0c9188 {}:{} {}:80 0.{:03} 0.{:03} 0.000 {code} {code} {} {} \"{} https://www.example.com:443{} HTTP/1.1\" \"{}\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 \"Root=1-58337281-{:024x}\" \"www.example.com\" \"arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012\" 0 {time} \"forward\" \"-\" \"-\" \"{}:80\" \"{code}\" \"-\" \"-\" TID_{:016x}",
            ip(&mut rng, "198.51"),
            1024 + rng.below(60_000),
            ip(&mut rng, "10.0"),
            rng.below(1000),
            rng.below(1000),
            rng.below(4000),
            rng.below(100_000),
            rng.pick(&["GET", "GET", "POST"]),
            rng.pick(&PATHS),
            rng.pick(&AGENTS),
            (u128::from(rng.next_u64()) << 32) | u128::from(rng.next_u64() >> 32),
            ip(&mut rng, "10.0"),
            rng.next_u64(),
        );
    }
    out
}

/// RFC 3164 lines from programs other than the auth ones (cron, kernel, systemd, dhclient).
fn syslog_3164_log(count: usize, seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::with_capacity(count * 110);
    for i in 0..count {
        let time = format!("Nov 14 10:{:02}:{:02}", (i / 60) % 60, i % 60);
        let pid = 1000 + rng.below(60_000);
        let _ = match rng.below(4) {
            0 => writeln!(
                out,
                "{time} web1 CRON[{pid}]: (root) CMD (/usr/lib/php/sessionclean 2>/dev/null)"
            ),
            1 => writeln!(
                out,
                "{time} web1 kernel: [{pid}.{:06}] IPv4: martian source 10.0.0.{} from 10.0.0.1, on dev eth0",
                rng.below(1_000_000),
                rng.below(255)
            ),
            2 => writeln!(
                out,
                "{time} web1 systemd[1]: Started Daily apt upgrade and clean activities."
            ),
            _ => writeln!(
                out,
                "{time} web1 dhclient[{pid}]: DHCPACK of 10.0.{}.{} from 10.0.0.1 (xid=0x{:08x})",
                rng.below(256),
                rng.below(256),
                rng.below(1 << 32)
            ),
        };
    }
    out
}

/// RFC 5424 lines, half of them with structured data.
fn syslog_5424_log(count: usize, seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::with_capacity(count * 190);
    for i in 0..count {
        let time = format!(
            "2023-11-14T10:{:02}:{:02}.{:06}+00:00",
            (i / 60) % 60,
            i % 60,
            rng.below(1_000_000)
        );
        let app = rng.pick(&["app", "billing", "worker"]);
        let pid = 1000 + rng.below(60_000);
        if rng.chance(50) {
            let _ = writeln!(
                out,
                "<165>1 {time} host{}.example.com {app} {pid} ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"{}\"] request handled in {} ms",
                rng.below(10),
                rng.below(10_000),
                rng.below(900)
            );
        } else {
            let _ = writeln!(
                out,
                "<134>1 {time} host{}.example.com {app} {pid} - - job {} finished with status 0",
                rng.below(10),
                rng.below(100_000)
            );
        }
    }
    out
}

/// Common Log Format web access lines (no referer, no user agent).
fn web_common_log(count: usize, seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::with_capacity(count * 100);
    for i in 0..count {
        let _ = writeln!(
            out,
            "{} - {} [14/Nov/2023:10:{:02}:{:02} +0000] \"{} {} HTTP/1.1\" {} {}",
            ip(&mut rng, "192.0"),
            rng.pick(&["-", "-", "frank"]),
            (i / 60) % 60,
            i % 60,
            rng.pick(&["GET", "GET", "POST"]),
            rng.pick(&PATHS),
            rng.pick(&["200", "304", "404"]),
            rng.below(50_000),
        );
    }
    out
}

fn parse_text(c: &mut Criterion) {
    let options = ParseOptions {
        syslog_year: Some(2023),
        ..ParseOptions::default()
    };
    let custom_options = ParseOptions {
        envoy_format: Some(ENVOY_CUSTOM_FORMAT.to_owned()),
        ..options.clone()
    };
    let inputs = [
        (
            "istio",
            SourceFormat::Istio,
            gen_text::istio_access_log(LINES, 1),
        ),
        (
            "envoy_default",
            SourceFormat::Envoy,
            envoy_default_log(LINES, 6),
        ),
        (
            "envoy_custom",
            SourceFormat::Envoy,
            envoy_custom_log(LINES, 7),
        ),
        (
            "s3_access",
            SourceFormat::S3Access,
            gen_text::s3_access_log(LINES, 2),
        ),
        (
            "web_access",
            SourceFormat::WebAccess,
            gen_text::web_access_log(LINES, 3),
        ),
        (
            "auth_log",
            SourceFormat::AuthLog,
            gen_text::auth_log(LINES, 4),
        ),
        (
            "vpc_flow",
            SourceFormat::VpcFlow,
            gen_text::vpc_flow_log(LINES, 5),
        ),
        ("tgw_flow", SourceFormat::VpcFlow, tgw_flow_log(LINES, 8)),
        ("alb", SourceFormat::Elb, alb_log(LINES, 9)),
        (
            "syslog_3164",
            SourceFormat::Syslog,
            syslog_3164_log(LINES, 10),
        ),
        (
            "syslog_5424",
            SourceFormat::Syslog,
            syslog_5424_log(LINES, 11),
        ),
        (
            "web_common",
            SourceFormat::WebAccess,
            web_common_log(LINES, 12),
        ),
    ];
    // `LOGSEC_BENCH_DUMP_DIR=dir` writes each generated input to `dir/NAME.log`, for profiling
    // a parser outside criterion and for reading what is measured.
    if let Some(dir) = std::env::var_os("LOGSEC_BENCH_DUMP_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("create the dump directory");
        for (name, _, text) in &inputs {
            std::fs::write(dir.join(format!("{name}.log")), text).expect("write an input");
        }
    }
    let mut group = c.benchmark_group("parse_text");
    for (name, format, text) in &inputs {
        let options = if *name == "envoy_custom" {
            &custom_options
        } else {
            &options
        };
        // `None` (not a text format) shows up as a failed count below.
        let (events, rejects) =
            parse_lines_for_bench(*format, text, options).unwrap_or((0, usize::MAX));
        assert_eq!(
            (events, rejects),
            (LINES, 0),
            "{name}: generated lines must all parse"
        );
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| black_box(parse_lines_for_bench(*format, black_box(text), options)))
        });
    }
    group.finish();
}

criterion_group!(benches, parse_text);
criterion_main!(benches);
