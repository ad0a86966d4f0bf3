//! Least-privilege report from files, and a deterministic generator of a year of CloudTrail to
//! measure it on.
//!
//! ```text
//! cargo run -p logsec-iam --example report -- generate DIR [--days 365] [--per-day 5000]
//! cargo run -p logsec-iam --example report -- analyze --authz FILE [--since 90d] [--baseline 30d]
//!     [--output md|json|html|ocsf] PATH...
//! ```
//!
//! `generate` writes `DIR/authz.json` and one gzip `Records` file per day under `DIR/trail/`.

use std::error::Error;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use logsec_iam::{ReportOptions, run_report};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") => generate(&args[1..]),
        Some("analyze") => analyze(&args[1..]),
        _ => Err("usage: report generate DIR [--days N] [--per-day N] | report analyze --authz FILE [--since 90d] [--baseline 30d] [--output md|json|html|ocsf] PATH...".into()),
    }
}

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn positional(args: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut skip = false;
    for arg in args {
        if skip {
            skip = false;
        } else if arg.starts_with("--") {
            skip = true;
        } else {
            out.push(PathBuf::from(arg));
        }
    }
    out
}

fn analyze(args: &[String]) -> Result<(), Box<dyn Error>> {
    let authz = flag(args, "--authz").ok_or("--authz FILE is required")?;
    let options = ReportOptions::from_durations(
        flag(args, "--since").unwrap_or("90d"),
        Some(flag(args, "--baseline").unwrap_or("30d")),
    )?;
    let paths = positional(args);
    let started = Instant::now();
    let report = run_report(&paths, Path::new(authz), &options)?;
    let elapsed = started.elapsed();
    let text = match flag(args, "--output").unwrap_or("md") {
        "json" => report.to_json(),
        "html" => report.render_html(),
        "ocsf" => report.iam_analysis_findings_jsonl(),
        _ => report.render_markdown(),
    };
    std::io::stdout().write_all(text.as_bytes())?;
    eprintln!(
        "analysed {} records ({} in window) from {} files in {:.2?}: {} principals, {} creep alerts",
        report.input.records,
        report.input.in_window,
        report.input.files.len(),
        elapsed,
        report.principals.len(),
        report.creep.alerts.len()
    );
    Ok(())
}

/// A small deterministic pseudo-random generator (xorshift64*), so runs are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const ACCOUNT: &str = "111122223333";
const USERS: usize = 60;
const ROLES: usize = 25;

/// (eventSource, eventName, readOnly, category)
const CALLS: &[(&str, &str, bool, &str)] = &[
    ("ec2.amazonaws.com", "DescribeInstances", true, "Management"),
    (
        "ec2.amazonaws.com",
        "DescribeSecurityGroups",
        true,
        "Management",
    ),
    ("ec2.amazonaws.com", "RunInstances", false, "Management"),
    (
        "ec2.amazonaws.com",
        "TerminateInstances",
        false,
        "Management",
    ),
    ("s3.amazonaws.com", "ListBuckets", true, "Management"),
    ("s3.amazonaws.com", "GetBucketPolicy", true, "Management"),
    ("s3.amazonaws.com", "PutBucketPolicy", false, "Management"),
    ("s3.amazonaws.com", "GetObject", true, "Data"),
    ("s3.amazonaws.com", "PutObject", false, "Data"),
    ("s3.amazonaws.com", "HeadObject", true, "Data"),
    ("s3.amazonaws.com", "ListObjectsV2", true, "Data"),
    ("iam.amazonaws.com", "GetUser", true, "Management"),
    ("iam.amazonaws.com", "ListRoles", true, "Management"),
    ("iam.amazonaws.com", "CreateAccessKey", false, "Management"),
    ("iam.amazonaws.com", "AttachRolePolicy", false, "Management"),
    ("sts.amazonaws.com", "AssumeRole", false, "Management"),
    ("sts.amazonaws.com", "GetCallerIdentity", true, "Management"),
    ("kms.amazonaws.com", "Decrypt", true, "Management"),
    ("kms.amazonaws.com", "CreateGrant", false, "Management"),
    (
        "lambda.amazonaws.com",
        "ListFunctions20150331",
        true,
        "Management",
    ),
    (
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        true,
        "Management",
    ),
    ("logs.amazonaws.com", "FilterLogEvents", true, "Management"),
    ("logs.amazonaws.com", "CreateLogStream", false, "Management"),
    (
        "monitoring.amazonaws.com",
        "GetMetricData",
        true,
        "Management",
    ),
    (
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        false,
        "Management",
    ),
    (
        "cloudtrail.amazonaws.com",
        "LookupEvents",
        true,
        "Management",
    ),
    (
        "dynamodb.amazonaws.com",
        "DescribeTable",
        true,
        "Management",
    ),
    (
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        true,
        "Management",
    ),
    ("ssm.amazonaws.com", "GetParameter", true, "Management"),
    ("signin.amazonaws.com", "ConsoleLogin", false, "Management"),
];

fn generate(args: &[String]) -> Result<(), Box<dyn Error>> {
    let dir = positional(args)
        .into_iter()
        .next()
        .ok_or("generate needs a directory")?;
    let days: i64 = flag(args, "--days").unwrap_or("365").parse()?;
    let per_day: usize = flag(args, "--per-day").unwrap_or("5000").parse()?;
    let trail = dir.join("trail");
    std::fs::create_dir_all(&trail)?;
    write_authz(&dir.join("authz.json"))?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1)
        .ok_or("bad date")?
        .and_hms_opt(0, 0, 0)
        .ok_or("bad time")?;
    let mut total = 0usize;
    let mut record = String::with_capacity(1024);
    for day in 0..days {
        let date = start + chrono::Duration::days(day);
        let path = trail.join(format!(
            "{ACCOUNT}_CloudTrail_us-east-1_{}.json.gz",
            date.format("%Y%m%d")
        ));
        let file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        gz.write_all(b"{\"Records\":[")?;
        for i in 0..per_day {
            let seconds = (i as i64 * 86_400) / per_day as i64;
            let time = date + chrono::Duration::seconds(seconds);
            record.clear();
            event(
                &mut rng,
                &time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                day,
                i,
                &mut record,
            );
            if i > 0 {
                gz.write_all(b",")?;
            }
            gz.write_all(record.as_bytes())?;
            total += 1;
        }
        gz.write_all(b"]}")?;
        gz.finish()?.flush()?;
    }
    eprintln!(
        "wrote {total} records in {days} files under {}",
        trail.display()
    );
    Ok(())
}

fn event(rng: &mut Rng, time: &str, day: i64, index: usize, out: &mut String) {
    use std::fmt::Write as _;
    // Principals call from a per-principal habit set, so aggregates look like real accounts;
    // late in the year a few start new sensitive calls (privilege creep to find).
    let is_role = rng.below(3) == 0;
    let who = if is_role {
        rng.below(ROLES)
    } else {
        rng.below(USERS)
    };
    let habit = (who * 7 + usize::from(is_role) * 3) % CALLS.len();
    let pick = if rng.below(10) < 8 {
        (habit + rng.below(6)) % CALLS.len()
    } else if day > 300 {
        rng.below(CALLS.len())
    } else {
        (habit + rng.below(10)) % CALLS.len()
    };
    let (source, name, read_only, category) = CALLS[pick];
    let identity = if is_role {
        format!(
            r#"{{"type":"AssumedRole","principalId":"AROA{who:05}:s{index}","arn":"arn:aws:sts::{ACCOUNT}:assumed-role/role-{who}/s{index}","accountId":"{ACCOUNT}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROA{who:05}","arn":"arn:aws:iam::{ACCOUNT}:role/role-{who}","accountId":"{ACCOUNT}","userName":"role-{who}"}},"attributes":{{"creationDate":"{time}","mfaAuthenticated":"false"}}}}}}"#
        )
    } else {
        let invoked = if rng.below(50) == 0 {
            r#","invokedBy":"cloudformation.amazonaws.com""#
        } else {
            ""
        };
        format!(
            r#"{{"type":"IAMUser","principalId":"AIDA{who:05}","arn":"arn:aws:iam::{ACCOUNT}:user/user-{who}","accountId":"{ACCOUNT}","accessKeyId":"AKIA{who:016}","userName":"user-{who}"{invoked}}}"#
        )
    };
    let params = match source {
        "s3.amazonaws.com" if category == "Data" => format!(
            r#"{{"bucketName":"bucket-{}","key":"data/{}/{}.json","Host":"bucket.s3.amazonaws.com"}}"#,
            rng.below(12),
            day,
            rng.below(2000)
        ),
        "s3.amazonaws.com" => format!(r#"{{"bucketName":"bucket-{}"}}"#, rng.below(12)),
        "iam.amazonaws.com" => format!(
            r#"{{"roleName":"role-{}","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}"#,
            rng.below(ROLES)
        ),
        "sts.amazonaws.com" => format!(
            r#"{{"roleArn":"arn:aws:iam::{ACCOUNT}:role/role-{}","roleSessionName":"s"}}"#,
            rng.below(ROLES)
        ),
        _ => "null".to_owned(),
    };
    let error = if rng.below(40) == 0 {
        r#","errorCode":"AccessDenied","errorMessage":"not authorized""#
    } else {
        ""
    };
    let _ = write!(
        out,
        r#"{{"eventVersion":"1.09","userIdentity":{identity},"eventTime":"{time}","eventSource":"{source}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.{}","userAgent":"aws-cli/2.15.0 Python/3.11","requestParameters":{params},"responseElements":null{error},"requestID":"req-{day}-{index}","eventID":"ev-{day}-{index}","readOnly":{read_only},"eventType":"AwsApiCall","managementEvent":{},"recipientAccountId":"{ACCOUNT}","eventCategory":"{category}","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"{source}"}}}}"#,
        rng.below(250),
        category == "Management",
    );
}

fn write_authz(path: &Path) -> Result<(), Box<dyn Error>> {
    let users: Vec<serde_json::Value> = (0..USERS)
        .map(|u| {
            let services = ["ec2", "s3", "iam", "logs", "lambda", "cloudwatch"];
            let service = services[u % services.len()];
            serde_json::json!({
                "UserName": format!("user-{u}"),
                "Arn": format!("arn:aws:iam::{ACCOUNT}:user/user-{u}"),
                "GroupList": if u % 2 == 0 { vec!["readers"] } else { vec![] },
                "UserPolicyList": [{"PolicyName": "own", "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": format!("{service}:*"), "Resource": "*"}]}}],
                "AttachedManagedPolicies": []
            })
        })
        .collect();
    let roles: Vec<serde_json::Value> = (0..ROLES)
        .map(|r| {
            serde_json::json!({
                "RoleName": format!("role-{r}"),
                "Arn": format!("arn:aws:iam::{ACCOUNT}:role/role-{r}"),
                "RolePolicyList": [{"PolicyName": "role", "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "kms:Decrypt", "sts:AssumeRole"], "Resource": "*"},
                        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}}],
                "AttachedManagedPolicies": [{"PolicyName": "ReadOnly", "PolicyArn": format!("arn:aws:iam::{ACCOUNT}:policy/ReadOnly")}]
            })
        })
        .collect();
    let authz = serde_json::json!({
        "UserDetailList": users,
        "GroupDetailList": [{"GroupName": "readers", "GroupPolicyList": [], "AttachedManagedPolicies": [{"PolicyName": "ReadOnly", "PolicyArn": format!("arn:aws:iam::{ACCOUNT}:policy/ReadOnly")}]}],
        "RoleDetailList": roles,
        "Policies": [{"PolicyName": "ReadOnly", "Arn": format!("arn:aws:iam::{ACCOUNT}:policy/ReadOnly"), "DefaultVersionId": "v1",
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["ec2:Describe*", "s3:List*", "s3:Get*", "logs:FilterLogEvents", "cloudtrail:LookupEvents"], "Resource": "*"}]}}]}]
    });
    std::fs::write(path, serde_json::to_string_pretty(&authz)?)?;
    Ok(())
}
