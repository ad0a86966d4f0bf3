//! Generators for JSON sources (CloudTrail, Kubernetes audit).
//!
//! Deterministic: the same seed and size give the same bytes, so benchmark runs compare. The
//! records imitate real ones in shape and size: CloudTrail with mixed identity types (IAM
//! users, assumed roles, root, AWS services, federated users), 30 services and several hundred
//! event names, nested request and response objects, and an error on about 5 % of calls;
//! Kubernetes audit events with the verbs, resources and users of a busy cluster.

use std::fmt::Write as _;

/// A small, fast, seeded PRNG (SplitMix64); statistical quality is ample for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
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
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// A random element of `items` (non-empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// 30 services, each with the nouns its API names are built from.
const SERVICES: &[(&str, &[&str])] = &[
    (
        "s3",
        &[
            "Object",
            "Bucket",
            "BucketPolicy",
            "BucketAcl",
            "BucketEncryption",
        ],
    ),
    (
        "ec2",
        &[
            "Instances",
            "SecurityGroups",
            "Volumes",
            "Snapshots",
            "KeyPairs",
            "Vpcs",
        ],
    ),
    (
        "iam",
        &[
            "User",
            "Role",
            "Policy",
            "AccessKey",
            "Group",
            "LoginProfile",
        ],
    ),
    (
        "sts",
        &["CallerIdentity", "SessionToken", "FederationToken"],
    ),
    (
        "lambda",
        &["Function", "FunctionConfiguration", "Alias", "Layer"],
    ),
    ("kms", &["Key", "Alias", "KeyPolicy", "Grant"]),
    ("cloudtrail", &["Trail", "TrailStatus", "EventSelectors"]),
    ("dynamodb", &["Table", "Item", "Backup"]),
    ("rds", &["DBInstances", "DBSnapshots", "DBClusters"]),
    ("sqs", &["Queue", "QueueAttributes", "Message"]),
    ("sns", &["Topic", "Subscription", "TopicAttributes"]),
    (
        "logs",
        &["LogGroup", "LogStream", "LogEvents", "SubscriptionFilter"],
    ),
    ("cloudwatch", &["Alarms", "MetricData", "Dashboard"]),
    ("ecr", &["Repository", "Images", "AuthorizationToken"]),
    ("ecs", &["Cluster", "Service", "TaskDefinition", "Tasks"]),
    ("eks", &["Cluster", "Nodegroup", "Addon"]),
    (
        "secretsmanager",
        &["Secret", "SecretValue", "ResourcePolicy"],
    ),
    ("ssm", &["Parameter", "Parameters", "Document", "Command"]),
    (
        "config",
        &["ConfigRule", "ConfigurationRecorder", "DeliveryChannel"],
    ),
    ("guardduty", &["Detector", "Findings", "Filter"]),
    (
        "organizations",
        &["Account", "Policy", "OrganizationalUnit"],
    ),
    (
        "route53",
        &["HostedZone", "ResourceRecordSets", "HealthCheck"],
    ),
    ("cloudformation", &["Stack", "StackResources", "ChangeSet"]),
    (
        "elasticloadbalancing",
        &["LoadBalancers", "TargetGroups", "Listeners"],
    ),
    (
        "autoscaling",
        &["AutoScalingGroups", "LaunchConfigurations", "Policies"],
    ),
    ("apigateway", &["RestApi", "Stage", "Deployment"]),
    ("glue", &["Database", "Table", "Job", "Crawler"]),
    ("athena", &["QueryExecution", "WorkGroup", "NamedQuery"]),
    ("sso", &["PermissionSet", "AccountAssignment", "Instance"]),
    ("kinesis", &["Stream", "Records", "StreamConsumer"]),
];

const VERBS: &[(&str, usize)] = &[
    ("Get", 30),
    ("List", 20),
    ("Describe", 20),
    ("Create", 6),
    ("Update", 6),
    ("Put", 6),
    ("Delete", 4),
    ("Tag", 3),
    ("Start", 3),
    ("Stop", 2),
];

const REGIONS: &[&str] = &[
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
];
const AGENTS: &[&str] = &[
    "aws-cli/2.13.5 Python/3.11.4 Linux/4.14.255-314-253.539.amzn2.x86_64 exe/x86_64.amzn.2 prompt/off command/s3.ls",
    "Boto3/1.28.57 md/Botocore#1.31.57 ua/2.0 os/linux#5.10.186 md/arch#x86_64 lang/python#3.11.5 cfg/retry-mode#legacy Botocore/1.31.57",
    "console.amazonaws.com",
    "aws-sdk-go-v2/1.21.0 os/linux lang/go#1.21.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.40.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/117.0.0.0 Safari/537.36",
    "terraform-provider-aws/5.17.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.45.6",
];
const ERRORS: &[(&str, &str)] = &[
    (
        "AccessDenied",
        "User is not authorized to perform this operation",
    ),
    ("NoSuchBucket", "The specified bucket does not exist"),
    ("ThrottlingException", "Rate exceeded"),
    ("ResourceNotFoundException", "Requested resource not found"),
    ("ValidationException", "1 validation error detected"),
];

fn hex(rng: &mut Rng, len: usize) -> String {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        let _ = write!(out, "{:016x}", rng.next_u64());
    }
    out.truncate(len);
    out
}

fn upper(rng: &mut Rng, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    (0..len).map(|_| char::from(*rng.pick(ALPHABET))).collect()
}

fn uuid(rng: &mut Rng) -> String {
    let h = hex(rng, 32);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn time(rng: &mut Rng, i: usize) -> String {
    let secs = 1_690_000_000 + i as u64 * 3 + rng.below(3) as u64;
    let day = secs / 86_400;
    let rem = secs % 86_400;
    // 2023-07-22 is day 19560 since the epoch; the generator stays within a few months.
    let (month, mday) = month_day(day as i64 - 19_540);
    format!(
        "2023-{month:02}-{mday:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

fn month_day(days_since_jul_2: i64) -> (u32, u32) {
    const MONTHS: &[(u32, i64)] = &[(7, 31), (8, 31), (9, 30), (10, 31), (11, 30), (12, 31)];
    let mut left = days_since_jul_2 + 1;
    for (month, len) in MONTHS {
        if left < *len {
            return (*month, (left + 1) as u32);
        }
        left -= len;
    }
    (12, 31)
}

/// One CloudTrail record as a JSON line (without newline).
pub fn cloudtrail_record(rng: &mut Rng, i: usize) -> String {
    let (service, nouns) = *rng.pick(SERVICES);
    let verb = {
        let total: usize = VERBS.iter().map(|(_, w)| w).sum();
        let mut roll = rng.below(total);
        let mut chosen = VERBS[0].0;
        for (verb, weight) in VERBS {
            if roll < *weight {
                chosen = verb;
                break;
            }
            roll -= weight;
        }
        chosen
    };
    let noun = rng.pick(nouns);
    let event_name = format!("{verb}{noun}");
    let account = format!(
        "{:012}",
        100_000_000_000u64 + rng.below(5) as u64 * 11_111_111
    );
    let region = rng.pick(REGIONS);
    let user = format!("user-{}", rng.below(200));
    let key = format!("AKIA{}", upper(rng, 16));
    let identity = match rng.below(100) {
        0..=34 => format!(
            r#"{{"type":"IAMUser","principalId":"AIDA{}","arn":"arn:aws:iam::{account}:user/{user}","accountId":"{account}","accessKeyId":"{key}","userName":"{user}"}}"#,
            upper(rng, 17)
        ),
        35..=79 => {
            let role = format!("role-{}", rng.below(40));
            format!(
                r#"{{"type":"AssumedRole","principalId":"AROA{}:{user}","arn":"arn:aws:sts::{account}:assumed-role/{role}/{user}","accountId":"{account}","accessKeyId":"ASIA{}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROA{}","arn":"arn:aws:iam::{account}:role/{role}","accountId":"{account}","userName":"{role}"}},"webIdFederationData":{{}},"attributes":{{"creationDate":"{}","mfaAuthenticated":"{}"}}}}}}"#,
                upper(rng, 17),
                upper(rng, 16),
                upper(rng, 17),
                time(rng, i.saturating_sub(100)),
                rng.chance(30)
            )
        }
        80..=89 => format!(
            r#"{{"type":"AWSService","invokedBy":"{}.amazonaws.com"}}"#,
            rng.pick(SERVICES).0
        ),
        90..=95 => format!(
            r#"{{"type":"FederatedUser","principalId":"{account}:{user}","arn":"arn:aws:sts::{account}:federated-user/{user}","accountId":"{account}","accessKeyId":"ASIA{}","sessionContext":{{"sessionIssuer":{{"type":"IAMUser","arn":"arn:aws:iam::{account}:user/fed"}},"attributes":{{"creationDate":"{}","mfaAuthenticated":"false"}}}}}}"#,
            upper(rng, 16),
            time(rng, i)
        ),
        _ => format!(
            r#"{{"type":"Root","principalId":"{account}","arn":"arn:aws:iam::{account}:root","accountId":"{account}","accessKeyId":"{key}"}}"#
        ),
    };
    let source_ip = if identity.contains("AWSService") {
        format!("{service}.amazonaws.com")
    } else {
        format!(
            "{}.{}.{}.{}",
            1 + rng.below(222),
            rng.below(256),
            rng.below(256),
            1 + rng.below(254)
        )
    };
    let resource_name = format!("{}-{}", noun.to_ascii_lowercase(), hex(rng, 8));
    let request = format!(
        r#"{{"{}Name":"{resource_name}","filters":[{{"name":"tag:env","values":["prod","staging"]}}],"maxResults":{},"includeDeleted":{}}}"#,
        noun.to_ascii_lowercase(),
        rng.below(1000),
        rng.chance(10)
    );
    let error = rng.chance(5).then(|| *rng.pick(ERRORS));
    let response = if error.is_some() || verb == "Get" || verb == "List" || verb == "Describe" {
        "null".to_owned()
    } else {
        format!(
            r#"{{"{}":{{"arn":"arn:aws:{service}:{region}:{account}:{}/{resource_name}","createdDate":"{}","state":"available","tags":[{{"key":"owner","value":"{user}"}}]}}}}"#,
            noun.to_ascii_lowercase(),
            noun.to_ascii_lowercase(),
            time(rng, i)
        )
    };
    let mut record = String::with_capacity(1600);
    let _ = write!(
        record,
        r#"{{"eventVersion":"1.08","userIdentity":{identity},"eventTime":"{}","eventSource":"{service}.amazonaws.com","eventName":"{event_name}","awsRegion":"{region}","sourceIPAddress":"{source_ip}","userAgent":"{}","requestParameters":{request},"responseElements":{response},"#,
        time(rng, i),
        rng.pick(AGENTS)
    );
    if let Some((code, message)) = error {
        let _ = write!(
            record,
            r#""errorCode":"{code}","errorMessage":"{message}","#
        );
    }
    let _ = write!(
        record,
        r#""requestID":"{}","eventID":"{}","readOnly":{},"resources":[{{"accountId":"{account}","type":"AWS::{}::{noun}","ARN":"arn:aws:{service}:{region}:{account}:{}/{resource_name}"}}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{account}","eventCategory":"Management","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"{service}.{region}.amazonaws.com"}}}}"#,
        upper(rng, 16),
        uuid(rng),
        matches!(verb, "Get" | "List" | "Describe"),
        service.to_ascii_uppercase(),
        noun.to_ascii_lowercase()
    );
    record
}

/// CloudTrail as JSON lines, about `target_bytes` long.
pub fn cloudtrail_json_lines(target_bytes: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(target_bytes + 4096);
    let mut i = 0;
    while out.len() < target_bytes {
        out.extend_from_slice(cloudtrail_record(&mut rng, i).as_bytes());
        out.push(b'\n');
        i += 1;
    }
    out
}

/// CloudTrail as an S3-delivered `{"Records":[…]}` file (one line), about `target_bytes` long.
pub fn cloudtrail_records_file(target_bytes: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(target_bytes + 4096);
    out.extend_from_slice(b"{\"Records\":[");
    let mut i = 0;
    while out.len() < target_bytes {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(cloudtrail_record(&mut rng, i).as_bytes());
        i += 1;
    }
    out.extend_from_slice(b"]}");
    out
}

const K8S_RESOURCES: &[(&str, &str)] = &[
    ("pods", ""),
    ("deployments", "apps"),
    ("services", ""),
    ("configmaps", ""),
    ("secrets", ""),
    ("leases", "coordination.k8s.io"),
    ("nodes", ""),
    ("events", ""),
    ("clusterrolebindings", "rbac.authorization.k8s.io"),
    ("roles", "rbac.authorization.k8s.io"),
    ("serviceaccounts", ""),
    ("namespaces", ""),
];
const K8S_VERBS: &[&str] = &[
    "get", "get", "list", "list", "watch", "watch", "create", "update", "patch", "delete",
];
const K8S_USERS: &[&str] = &[
    "system:serviceaccount:kube-system:replicaset-controller",
    "system:kube-controller-manager",
    "system:node:ip-10-0-1-23.ec2.internal",
    "kubernetes-admin",
    "alice@example.com",
    "system:serviceaccount:monitoring:prometheus",
];

/// One Kubernetes audit event as a JSON line (without newline).
pub fn k8s_audit_event(rng: &mut Rng, i: usize) -> String {
    let (resource, group) = *rng.pick(K8S_RESOURCES);
    let verb = *rng.pick(K8S_VERBS);
    let namespace = *rng.pick(&["default", "kube-system", "monitoring", "payments", "web"]);
    let name = format!("{}-{}", resource.trim_end_matches('s'), hex(rng, 5));
    let user = *rng.pick(K8S_USERS);
    let code = if rng.chance(5) {
        403
    } else if verb == "create" {
        201
    } else {
        200
    };
    let decision = if code == 403 { "forbid" } else { "allow" };
    let api_prefix = if group.is_empty() {
        "/api/v1".to_owned()
    } else {
        format!("/apis/{group}/v1")
    };
    let uri = if verb == "list" || verb == "watch" {
        format!("{api_prefix}/namespaces/{namespace}/{resource}?limit=500&resourceVersion=0")
    } else {
        format!("{api_prefix}/namespaces/{namespace}/{resource}/{name}")
    };
    let request_object = if matches!(verb, "create" | "update" | "patch") {
        format!(
            r#","requestObject":{{"kind":"{}","apiVersion":"v1","metadata":{{"name":"{name}","namespace":"{namespace}","labels":{{"app":"{name}","tier":"backend"}}}},"spec":{{"replicas":{},"containers":[{{"name":"app","image":"registry.example.com/app:{}","securityContext":{{"privileged":{}}}}}]}}}}"#,
            resource.trim_end_matches('s'),
            1 + rng.below(5),
            rng.below(100),
            rng.chance(3)
        )
    } else {
        String::new()
    };
    let received = time(rng, i).replace('Z', ".123456Z");
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"{}","stage":"ResponseComplete","requestURI":"{uri}","verb":"{verb}","user":{{"username":"{user}","uid":"{}","groups":["system:authenticated","system:masters"]}},"sourceIPs":["10.0.{}.{}"],"userAgent":"kubectl/v1.28.2 (linux/amd64) kubernetes/89a4ea3","objectRef":{{"resource":"{resource}","namespace":"{namespace}","name":"{name}","apiGroup":"{group}","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":{code}}}{request_object},"requestReceivedTimestamp":"{received}","stageTimestamp":"{received}","annotations":{{"authorization.k8s.io/decision":"{decision}","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding"}}}}"#,
        uuid(rng),
        uuid(rng),
        rng.below(256),
        1 + rng.below(254)
    )
}

/// Kubernetes audit events as JSON lines, about `target_bytes` long.
pub fn k8s_audit_json_lines(target_bytes: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(target_bytes + 4096);
    let mut i = 0;
    while out.len() < target_bytes {
        out.extend_from_slice(k8s_audit_event(&mut rng, i).as_bytes());
        out.push(b'\n');
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_are_deterministic_valid_json() {
        let a = cloudtrail_json_lines(3_000_000, 7);
        assert_eq!(a, cloudtrail_json_lines(3_000_000, 7));
        let mut names = std::collections::HashSet::new();
        let mut errors = 0;
        let mut lines = 0;
        for line in a.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let v: serde_json::Value = serde_json::from_slice(line).expect("valid JSON");
            names.insert(v["eventName"].as_str().unwrap_or_default().to_owned());
            errors += usize::from(v.get("errorCode").is_some());
            lines += 1;
        }
        assert!(names.len() > 300, "{} names", names.len());
        assert!(
            errors * 100 / lines >= 2 && errors * 100 / lines <= 9,
            "{errors}/{lines}"
        );
        let records = cloudtrail_records_file(100_000, 1);
        let v: serde_json::Value = serde_json::from_slice(&records).expect("valid JSON");
        assert!(v["Records"].as_array().is_some_and(|r| r.len() > 50));
        for line in k8s_audit_json_lines(50_000, 3)
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
        {
            let _: serde_json::Value = serde_json::from_slice(line).expect("valid JSON");
        }
    }
}
