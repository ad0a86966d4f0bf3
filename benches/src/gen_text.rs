//! Generators for text sources (Istio/Envoy access logs, S3 server access logs, and smaller
//! generators for web access, sshd auth.log, VPC flow and ALB lines).
//!
//! Output is deterministic for a seed (a SplitMix64 generator written here, so the corpus
//! does not depend on a crate's algorithm changing), generated on demand and never committed.
//! Each function returns newline-terminated lines.

use std::fmt::Write as _;

/// A small deterministic pseudo-random generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// One element of `items`.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let index = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        items.get(index).copied().unwrap_or("")
    }

    /// Whether an event with probability `percent`/100 happens.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const METHODS: [&str; 6] = ["GET", "GET", "GET", "POST", "PUT", "DELETE"];
const PATHS: [&str; 10] = [
    "/api/v1/orders",
    "/api/v1/orders/42",
    "/api/v1/users?limit=20&offset=40",
    "/healthz",
    "/login",
    "/static/app.js",
    "/api/v2/payments/charge",
    "/metrics",
    "/.env",
    "/wp-login.php",
];
const AGENTS: [&str; 6] = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "curl/8.5.0",
    "Go-http-client/1.1",
    "python-requests/2.31.0",
    "kube-probe/1.29",
    "Mozilla/5.0 zgrab/0.x",
];
const SERVICES: [&str; 5] = ["orders", "users", "payments", "frontend", "inventory"];
const CODES: [u32; 8] = [200, 200, 200, 201, 204, 301, 404, 503];

fn ip(rng: &mut SplitMix64, prefix: &str) -> String {
    format!("{prefix}.{}.{}", rng.below(256), 1 + rng.below(254))
}

fn uuid(rng: &mut SplitMix64) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// `count` Istio (≥ 1.8 default format) access-log lines, about 10 % of them TCP entries.
pub fn istio_access_log(count: usize, seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::with_capacity(count * 420);
    let base = 1_700_000_000_000u64;
    for i in 0..count {
        let ms = base + (i as u64) * 37 + rng.below(30);
        let secs = ms / 1000;
        let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
        let start = format!("2023-11-14T{h:02}:{m:02}:{s:02}.{:03}Z", ms % 1000);
        let service = rng.pick(&SERVICES);
        let upstream = ip(&mut rng, "10.44");
        let client = ip(&mut rng, "10.12");
        let local = ip(&mut rng, "10.0");
        if rng.chance(10) {
            let _ = writeln!(
                out,
                "[{start}] \"- - -\" 0 - - - \"-\" {} {} {} - \"-\" \"-\" \"-\" \"-\" \"{upstream}:3306\" outbound|3306||mysql.db.svc.cluster.local {client}:{} {local}:3306 {client}:{} - -",
                rng.below(5000),
                rng.below(50_000),
                rng.below(2000),
                40_000 + rng.below(20_000),
                40_000 + rng.below(20_000),
            );
            continue;
        }
        let method = rng.pick(&METHODS);
        let path = rng.pick(&PATHS);
        let code = CODES[usize::try_from(rng.below(CODES.len() as u64)).unwrap_or(0)];
        let flags = if code == 503 { "UF" } else { "-" };
        let details = if code == 503 {
            "upstream_reset_before_response_started{connection_failure}"
        } else {
            "via_upstream"
        };
        let duration = rng.below(900);
        let _ = writeln!(
            out,
            "[{start}] \"{method} {path} HTTP/1.1\" {code} {flags} {details} - \"-\" {} {} {duration} {} \"{}\" \"{}\" \"{}\" \"{service}:8080\" \"{upstream}:8080\" outbound|8080||{service}.prod.svc.cluster.local {client}:{} {local}:8080 {client}:{} - default",
            rng.below(4000),
            rng.below(100_000),
            duration.saturating_sub(rng.below(5)),
            ip(&mut rng, "203.0"),
            rng.pick(&AGENTS),
            uuid(&mut rng),
            40_000 + rng.below(20_000),
            40_000 + rng.below(20_000),
        );
    }
    out
}

const S3_OPERATIONS: [(&str, &str); 8] = [
    ("REST.GET.OBJECT", "GET"),
    ("REST.GET.OBJECT", "GET"),
    ("REST.PUT.OBJECT", "PUT"),
    ("REST.HEAD.OBJECT", "HEAD"),
    ("REST.DELETE.OBJECT", "DELETE"),
    ("REST.GET.BUCKET", "GET"),
    ("REST.GET.ACL", "GET"),
    ("REST.PUT.BUCKETPOLICY", "PUT"),
];

/// `count` S3 server access log lines with all 26 documented fields; ~5 % are errors and
/// ~10 % anonymous.
pub fn s3_access_log(count: usize, seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::with_capacity(count * 520);
    let owner = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";
    for i in 0..count {
        let (operation, method) =
            S3_OPERATIONS[usize::try_from(rng.below(S3_OPERATIONS.len() as u64)).unwrap_or(0)];
        let bucket = rng.pick(&["logs-prod", "data-lake-raw", "web-assets", "backups-2023"]);
        let key = format!(
            "{}/{}/part-{:05}.parquet",
            rng.pick(&["2023", "2024"]),
            rng.pick(&["a", "b", "c"]),
            rng.below(100_000)
        );
        let requester = if rng.chance(10) {
            "-".to_owned()
        } else {
            format!(
                "arn:aws:iam::123456789012:{}",
                rng.pick(&["user/alice", "role/etl-runner", "assumed-role/admin/bob"])
            )
        };
        let (status, error) = if rng.chance(5) {
            (403, "AccessDenied")
        } else {
            (200, "-")
        };
        let sec = i % 60;
        let _ = writeln!(
            out,
            "{owner} {bucket} [14/Nov/2023:10:{:02}:{sec:02} +0000] {} {requester} {:016X} {operation} {key} \"{method} /{bucket}/{key}?x-id={} HTTP/1.1\" {status} {error} {} {} {} {} \"-\" \"{}\" - {:x}= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader {bucket}.s3.us-east-1.amazonaws.com TLSv1.3 - {}",
            (i / 60) % 60,
            ip(&mut rng, "198.51"),
            rng.next_u64(),
            rng.pick(&["GetObject", "PutObject", "HeadObject"]),
            rng.below(5_000_000),
            rng.below(5_000_000),
            rng.below(900),
            rng.below(200),
            rng.pick(&AGENTS),
            rng.next_u64(),
            rng.pick(&["Yes", "-"]),
        );
    }
    out
}

/// `count` combined-format web access lines.
pub fn web_access_log(count: usize, seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::with_capacity(count * 200);
    for i in 0..count {
        let code = CODES[usize::try_from(rng.below(CODES.len() as u64)).unwrap_or(0)];
        let _ = writeln!(
            out,
            "{} - - [14/Nov/2023:10:{:02}:{:02} +0000] \"{} {} HTTP/1.1\" {code} {} \"-\" \"{}\"",
            ip(&mut rng, "192.0"),
            (i / 60) % 60,
            i % 60,
            rng.pick(&METHODS),
            rng.pick(&PATHS),
            rng.below(50_000),
            rng.pick(&AGENTS),
        );
    }
    out
}

/// `count` RFC 3164 auth.log lines from sshd and sudo.
pub fn auth_log(count: usize, seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::with_capacity(count * 110);
    for i in 0..count {
        let time = format!("Nov 14 10:{:02}:{:02}", (i / 60) % 60, i % 60);
        let user = rng.pick(&["root", "admin", "alice", "deploy", "oracle"]);
        let ip = ip(&mut rng, "203.0");
        let pid = 1000 + rng.below(60_000);
        let port = 30_000 + rng.below(30_000);
        let _ = match rng.below(5) {
            0 => writeln!(
                out,
                "{time} web1 sshd[{pid}]: Accepted publickey for {user} from {ip} port {port} ssh2: RSA SHA256:abc"
            ),
            1 => writeln!(
                out,
                "{time} web1 sshd[{pid}]: Failed password for invalid user {user} from {ip} port {port} ssh2"
            ),
            2 => writeln!(
                out,
                "{time} web1 sshd-session[{pid}]: Invalid user {user} from {ip} port {port}"
            ),
            3 => writeln!(
                out,
                "{time} web1 sudo:    {user} : TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx"
            ),
            _ => writeln!(
                out,
                "{time} web1 systemd[1]: Started Session {pid} of User {user}."
            ),
        };
    }
    out
}

/// `count` default-format (v2) VPC flow log records after a header line.
pub fn vpc_flow_log(count: usize, seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::with_capacity(count * 110 + 120);
    out.push_str("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n");
    for i in 0..count {
        let start = 1_700_000_000 + i as u64;
        let _ = writeln!(
            out,
            "2 123456789012 eni-0{:016x} {} {} {} {} {} {} {} {start} {} {} OK",
            rng.next_u64(),
            ip(&mut rng, "10.0"),
            ip(&mut rng, "172.31"),
            1024 + rng.below(60_000),
            rng.pick(&["22", "443", "3389", "53", "80"]),
            rng.pick(&["6", "17"]),
            1 + rng.below(100),
            40 + rng.below(100_000),
            start + 60,
            rng.pick(&["ACCEPT", "ACCEPT", "REJECT"]),
        );
    }
    out
}
