//! A false-positive check: the bundled pack over every data file of `../shared/corpus/logs`.
//! Every alert the pack raises there is listed below with the reason it is right, or, while the
//! rule is being fixed, as a known false positive with the reason it is wrong; any other alert
//! (or a listed alert that no longer fires) fails the test.
// Test helpers (corpus walk, YAML loading) fail the test on a broken setup.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use logsec::{Input, Pipeline};

fn corpus_logs() -> Option<PathBuf> {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if shared.is_dir() {
        return Some(shared.join("corpus/logs"));
    }
    assert!(
        std::env::var("LOGSEC_REQUIRE_SHARED").as_deref() != Ok("1"),
        "LOGSEC_REQUIRE_SHARED=1 but {} is missing",
        shared.display()
    );
    println!("skipping: ../shared not found");
    None
}

/// Whether a corpus file is a log data file (not an inventory, licence, expected output or
/// metadata file).
fn is_data_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("");
    !(name == "INVENTORY.md"
        || name == "MANIFEST.json"
        || name.starts_with("LICENSE")
        || name.starts_with('.')
        || name.ends_with(".assert")
        || name.ends_with(".md")
        || name.contains("_expected")
        || name.ends_with(".yaml")
        || name.ends_with(".yml"))
}

fn data_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            data_files(&path, out);
        } else if is_data_file(&path) {
            out.push(path);
        }
    }
}

/// One alert: (file relative to corpus/logs, `:line` for a labelled file's record, rule title,
/// related event uids).
type Found = (String, String, Vec<String>);

/// Every alert the pack raises on the corpus, with the reason it is right: (file, or `file:line`
/// for a record of a Panther labelled file, rule title, related event uids, why it is right).
/// Panther's `expected_result` is evidence for *Panther's* rule; where it says false and the alert
/// stands, the reason says why our rule differs.
const EXPECTED: &[(&str, &str, &[&str], &str)] = &[
    (
        "cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
        "EC2 Instance Role Credentials Used From Outside AWS",
        &["19d32cc1-edab-4b96-9a11-2cd7794b2527"],
        "attack sample: instance-profile credentials taken through an SSRF proxy, used from an outside address",
    ),
    (
        "cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
        "EC2 Instance Role Credentials Used From Outside AWS",
        &["2308e1b4-ed27-49fc-b6e4-cc9a612c1c13"],
        "attack sample: instance-profile credentials taken through an SSRF proxy, used from an outside address",
    ),
    (
        "cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
        "EC2 Instance Role Credentials Used From Outside AWS",
        &["40266d7a-ea06-445b-875c-e17ea31b1bb4"],
        "attack sample: instance-profile credentials taken through an SSRF proxy, used from an outside address",
    ),
    (
        "cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
        "EC2 Instance Role Credentials Used From Outside AWS",
        &["46937d3a-6d68-4ba2-9520-a2ecf06dca32"],
        "attack sample: instance-profile credentials taken through an SSRF proxy, used from an outside address",
    ),
    (
        "cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
        "EC2 Instance Role Credentials Used From Outside AWS",
        &["5376677f-96d4-468a-9539-f0f7edbec349"],
        "attack sample: instance-profile credentials taken through an SSRF proxy, used from an outside address",
    ),
    (
        "cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
        "EC2 Instance Role Credentials Used From Outside AWS",
        &["771299cb-e200-4926-9604-c85358b30499"],
        "attack sample: instance-profile credentials taken through an SSRF proxy, used from an outside address",
    ),
    (
        "cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
        "EC2 Instance Role Credentials Used From Outside AWS",
        &["7d91ac29-614a-4af9-af5c-c5a80e63a0bb"],
        "attack sample: instance-profile credentials taken through an SSRF proxy, used from an outside address",
    ),
    (
        "cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
        "EC2 Instance Role Credentials Used From Outside AWS",
        &["bf575a0c-c344-4302-a468-00e6a84a127a"],
        "attack sample: instance-profile credentials taken through an SSRF proxy, used from an outside address",
    ),
    (
        "cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
        "EC2 Instance Role Credentials Used From Outside AWS",
        &["e5a92162-e061-4d33-a39c-c2b8ec9dbf83"],
        "attack sample: instance-profile credentials taken through an SSRF proxy, used from an outside address",
    ),
    (
        "cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
        "EC2 Instance Role Credentials Used From Outside AWS",
        &["edc2222c-5063-47fb-9fc0-c2ffb86b9d15"],
        "attack sample: instance-profile credentials taken through an SSRF proxy, used from an outside address",
    ),
    (
        "cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
        "EC2 Instance Role Credentials Used From Outside AWS",
        &["fddb4992-b7e8-4c4a-bce5-31fee5c25667"],
        "attack sample: instance-profile credentials taken through an SSRF proxy, used from an outside address",
    ),
    (
        "cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
        "Stolen EC2 Instance Credentials Used to List S3 Buckets",
        &[
            "7d91ac29-614a-4af9-af5c-c5a80e63a0bb",
            "bf575a0c-c344-4302-a468-00e6a84a127a",
            "5376677f-96d4-468a-9539-f0f7edbec349",
            "46937d3a-6d68-4ba2-9520-a2ecf06dca32",
            "19d32cc1-edab-4b96-9a11-2cd7794b2527",
        ],
        "attack sample: ListBuckets with the stolen instance credentials right after their first outside use",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:100",
        "EC2 Instance of an Unexpected Type Launched",
        &["41fab871-150b-43ad-b42a-39fff3f2ca4e"],
        "Panther labels it true (AWS.EC2.LaunchUnusualEC2Instances: Successful Unusual EC2)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:102",
        "EC2 Instance of an Unexpected Type Launched",
        &["41fab871-150b-43ad-b42a-39fff3f2ca4e"],
        "Panther labels it true (AWS.EC2.LaunchUnusualEC2Instances: Successful Unusual EC2 (Dictionary))",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:106",
        "Security Group Opens an Administrative Port to the Internet",
        &["42155429-7e8e-43b5-9b5e-6953f80d51d5"],
        "Panther labels it true (AWS.EC2.ManualSecurityGroupChange: Go Script Authorize Ingress)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:109",
        "EC2 Windows Administrator Password Data Retrieved",
        &["73076737-1a1e-418b-94fd-cbde95a5859d"],
        "Panther labels it true (AWS.EC2.ManyPasswordReadAttempts: Successful Attempt)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:11",
        "AMI Shared Publicly or With Another Account",
        &["1111"],
        "Panther labels it true (AWS.CloudTrail.AMIModifiedForPublicAccess: Access Granted To Unknown User)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:115",
        "SSH Key Pushed Through EC2 Instance Connect or Serial Console",
        &["d6d05dd2-d03d-4dce-a88c-02b6a567d889"],
        "Panther labels it true (AWS.EC2.MultiInstanceConnect: Public SSH Key Sent Successfully - Counts Toward Threshold)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:116",
        "SSH Key Pushed Through EC2 Instance Connect or Serial Console",
        &["d6d05dd2-d03d-4dce-a88c-02b6a567d889"],
        "Panther labels it true (AWS.EC2.MultiInstanceConnect: Public SSH Key Sent Successfully to Same Instance - Also Counts)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:129",
        "EC2 Instance User Data Modified",
        &["sha256:0811d55ce3473801807f90d0d7760d3a"],
        "Panther labels it true (AWS.EC2.Startup.Script.Change: ModifyInstanceAttributeUserdata)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:161",
        "AWS Administrator Policy Attached to a User, Group or Role",
        &["1"],
        "Panther labels it true (AWS.IAM.AttachAdminRolePolicy: IAM Role Policy Attached with Administrator Access)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:163",
        "AWS Administrator Policy Attached to a User, Group or Role",
        &["1"],
        "Panther labels it true (AWS.IAM.AttachAdminUserPolicy: IAM User Policy Attached with Administrator Access)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:165",
        "IAM Role Trust Policy Opened to Any Principal",
        &["1"],
        "Panther labels it true (AWS.IAM.BackdoorRole: IAM Role Policy Updated to Allow Internet Access)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:171",
        "AWS Administrator Policy Attached to a User, Group or Role",
        &["1"],
        "AttachUserPolicy AdministratorAccess to new-user (false only for Panther's CreateRole rule)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:173",
        "AWS Administrator Policy Attached to a User, Group or Role",
        &["1"],
        "AttachUserPolicy AdministratorAccess to new-user (false only for Panther's CreateUser rule)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:190",
        "IAM Access Key Created for Another User",
        &["12345"],
        "Panther labels it true (AWS.IAM.Backdoor.User.Keys: user1 create keys for user2)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:191",
        "IAM Access Key Created for Another User",
        &["12345"],
        "Panther labels it true (AWS.IAM.Backdoor.User.Keys: jackson create keys for jack)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:192",
        "IAM Access Key Created for Another User",
        &["12345"],
        "Panther labels it true (AWS.IAM.Backdoor.User.Keys: jack create keys for jackson)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:198",
        "EC2 Instance Role Credentials Used From Outside AWS",
        &["sha256:0f1cdf8db42481f8ce9e9cc9c366c8f8"],
        "Panther labels it true (AWS.CloudTrail.IMDSCredentialExfiltration: IMDS Credentials Used From Public IP)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:207",
        "EC2 Instance Role Credentials Used From Outside AWS",
        &["sha256:c520dd57d0267f4923a080d77c14def5"],
        "Panther labels it true (AWS.CloudTrail.IMDSCredentialExfiltration: IMDS Credentials Used From Amazon.com ASN Source IP)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:213",
        "KMS Key Scheduled for Deletion or Disabled",
        &["1"],
        "Panther labels it true (AWS.KMS.CustomerManagedKeyLoss: KMS Key Disabled)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:214",
        "KMS Key Scheduled for Deletion or Disabled",
        &["1"],
        "Panther labels it true (AWS.KMS.CustomerManagedKeyLoss: KMS Key Scheduled For Deletion)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:216",
        "KMS Key Scheduled for Deletion or Disabled",
        &["1"],
        "Panther labels it true (AWS.KMS.CustomerManagedKeyLoss: KMS Key Scheduled For Deletion - missing resources)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:23",
        "AWS Account Left Its Organization",
        &["f52c1358-4ddb-4453-a676-3f4dbc64d713"],
        "Panther labels it true (AWS.CloudTrail.AttemptToLeaveOrg: Failed Attempt to Leave Org)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:232",
        "Lambda Function Code Replaced",
        &["1"],
        "Panther labels it true (AWS.Lambda.UpdateFunctionCode: IAM User Updates Lambda Code)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:233",
        "Lambda Function Code Replaced",
        &["1"],
        "UpdateFunctionCode by an assumed role; our low-level rule records every code replacement, CI/CD included (its falsepositives say so)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:234",
        "Lambda Function Code Replaced",
        &["1"],
        "Panther labels it true (AWS.Lambda.UpdateFunctionCode: SSO AssumedRole Updates Lambda Code)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:235",
        "Lambda Function Code Replaced",
        &["1"],
        "Panther labels it true (AWS.Lambda.UpdateFunctionCode: FederatedUser Updates Lambda Code)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:236",
        "Lambda Function Code Replaced",
        &["1"],
        "UpdateFunctionCode by an assumed role; our low-level rule records every code replacement, CI/CD included (its falsepositives say so)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:27",
        "CloudTrail Event Selectors or Trail Scope Reduced",
        &["4ca1cb25-7633-496b-8f92-6de876228c3f"],
        "Panther labels it true (AWS.CloudTrail.EventSelectorsDisabled: Event Selector Disabled)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:307",
        "RDS Snapshot Shared Publicly or With Another Account",
        &["86581591-0f39-4eae-9a8d-b2224a3c91fa"],
        "Panther labels it true (AWS.RDS.SnapshotShared: Snapshot shared with another account)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:31",
        "Console Password Created or Changed for Another IAM User",
        &["1234"],
        "Panther labels it true (AWS.CloudTrail.LoginProfileCreatedOrModified: User changed password for other)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:310",
        "S3 Bucket Policy Grants Access to Everyone",
        &["1111"],
        "Panther labels it true (AWS.CloudTrail.ResourceMadePublic: S3 Made Publicly Accessible)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:324",
        "IAM Access Key Created for Another User",
        &["1111"],
        "root creating an access key for an IAM user: a key for another user (false only for Panther's root-key rule)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:325",
        "AWS Root Account Used",
        &["1"],
        "CreateServiceLinkedRole by the root user: any root use alerts (Panther allowlists this call)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:326",
        "AWS Root Account Used",
        &["1"],
        "Panther labels it true (AWS.Root.Activity: Root Activity)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:328",
        "AWS Root Account Used",
        &["redacted"],
        "ExternalIdPDirectoryLogin by userIdentity.type Root: any root use alerts",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:329",
        "AWS Console Login Without MFA",
        &["1"],
        "Panther labels it true (AWS.Root.Activity: Successful Root Login)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:329",
        "AWS Root Account Used",
        &["1"],
        "Panther labels it true (AWS.Root.Activity: Successful Root Login)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:330",
        "AWS Root Account Used",
        &["1"],
        "ListAccessKeys by the root user: read-only root use still alerts (Panther skips read-only)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:331",
        "AWS Root Account Used",
        &["1111"],
        "Panther labels it true (AWS.CloudTrail.RootPasswordChanged: Root Password Changed)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:332",
        "AWS Root Account Used",
        &["1111"],
        "PasswordUpdated by the root user without errorCode: root use (Panther's test name says failed, the record has no error)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:343",
        "S3 Objects Written With Customer-Provided Encryption Keys (SSE-C)",
        &["EXAMPLE-1234-5678-9012-EXAMPLE"],
        "Panther labels it true (AWS.S3.CopyObjectWithClientSideEncryption: CopyObject with client-side encryption)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:357",
        "S3 Public Access Block Removed or Weakened",
        &["12345678-1234-1234-1234-111111111111"],
        "Panther labels it true (AWS.S3.DeletePublicAccessBlock: Public Access Block Deleted Successfully)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:361",
        "S3 Server Access Logging Disabled on a Bucket",
        &["12345678-1234-1234-1234-111111111111"],
        "Panther labels it true (AWS.S3.DisableBucketLogging: Bucket Logging Disabled Successfully)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:373",
        "S3 Server Access Logging Disabled on a Bucket",
        &["12345678-1234-1234-1234-111111111111"],
        "Panther labels it true (AWS.S3.SecurityControlDisabling: Match - Bucket Logging Disabled)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:38",
        "AWS Root Account Used",
        &["sha256:756a00f28876bc9b057ed76248e032e9"],
        "Panther labels it true (AWS.CloudTrail.PasswordSpraying: Failed Console Login - Root User)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:395",
        "Secrets Manager BatchGetSecretValue Called",
        &["sha256:8ae2d0340a8f7e61ed6ac21349b7cc6a"],
        "Panther labels it true (AWS.SecretsManager.BatchRetrieveSecrets: BatchGetSecretValue)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:396",
        "Secrets Manager BatchGetSecretValue Called",
        &["sha256:c9b1b5c4509b8eaa827c2896bf35f12f"],
        "Panther labels it true (AWS.SecretsManager.BatchRetrieveSecretsCatchAll: BatchGetSecretValue Catch-All)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:397",
        "Secrets Manager BatchGetSecretValue Called",
        &["sha256:c8e8ca52106e2ba4565eaac7afea2b18"],
        "a successful BatchGetSecretValue (Panther's catch-all test only differs in its filters)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:398",
        "Secrets Manager BatchGetSecretValue Called",
        &["sha256:81fe51deac0aaead54cf15ab74386e9c"],
        "Panther labels it true (AWS.SecretsManager.RetrieveSecretsMultiRegion: BatchGetSecretValue in us-east-1)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:400",
        "CloudTrail Trail Stopped or Deleted",
        &["1111"],
        "Panther labels it true (AWS.CloudTrail.SecurityConfigurationChange: Security Configuration Changed)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:408",
        "EBS Snapshot Shared Publicly or With Another Account",
        &["1111"],
        "Panther labels it true (AWS.CloudTrail.SnapshotMadePublic: Snapshot Made Publicly Accessible)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:411",
        "EBS Snapshot Shared Publicly or With Another Account",
        &["1111"],
        "Panther labels it true (AWS.CloudTrail.SnapshotMadePublic: Snapshot Mader Available to Single Person)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:427",
        "STS Session Token Requested Without MFA",
        &["abc-123"],
        "Panther labels it true (AWS.STS.GetSessionToken.Misuse: GetSessionToken by IAM User)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:441",
        "Console Password Created or Changed for Another IAM User",
        &["1234"],
        "Panther labels it true (AWS.User.Login.Profile.Modified: User changed password for other)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:442",
        "Console Password Created or Changed for Another IAM User",
        &["1234"],
        "UpdateLoginProfile by alice for bob: another user's password (Panther allows it when a reset is required)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:443",
        "VPC Flow Logs Deleted",
        &["d5e6d49c-0be9-4c53-ab8a-c7ca86edd130"],
        "Panther labels it true (AWS.VPCFlow.LogsDeleted: Logs Deleted)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:453",
        "CloudTrail Event Selectors or Trail Scope Reduced",
        &["sha256:2b479e1eebd681346b09501a61f62a78"],
        "Panther labels it true (AWS.CloudTrail.VPCE.SensitiveAPICalls: CloudTrail API Call Via VPC Endpoint)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:46",
        "Lifecycle Rule Put on a CloudTrail Log Bucket",
        &["e1ea136d-f372-4cd5-be5f-f317fc80214a"],
        "Panther labels it true (AWS.CloudTrail.ShortLifecycle: 1-Day Lifecycle Rule on Known CT Bucket)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:466",
        "AWS Console Login Without MFA",
        &["1"],
        "successful console login with MFAUsed No (false only for Panther's brute-force rule)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:468",
        "AWS Console Login Without MFA",
        &["1"],
        "successful console login with MFAUsed No (false only for Panther's brute-force rule)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:47",
        "Lifecycle Rule Put on a CloudTrail Log Bucket",
        &["e1ea136d-f372-4cd5-be5f-f317fc80214a"],
        "Panther labels it true (AWS.CloudTrail.ShortLifecycle: 1-Day Lifecycle Rule on Assumed CT Bucket)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:472",
        "AWS Console Login Without MFA",
        &["sha256:900e1b0f868700e422543c54fad673db"],
        "successful console login with MFAUsed No (false only for Panther's impossible-travel rule)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:473",
        "AWS Console Login Without MFA",
        &["sha256:900e1b0f868700e422543c54fad673db"],
        "Panther labels it true (Standard.ImpossibleTravel.Login: CloudTrail ConsoleLogin with history)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:475",
        "AWS Console Login Without MFA",
        &["sha256:f8240eff3ab0f88080db0670316efa16"],
        "Panther labels it true (Standard.SignInFromRogueState: Cloudtrail - Rogue State Sign-In)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:51",
        "CloudTrail Trail Stopped or Deleted",
        &["1"],
        "Panther labels it true (AWS.CloudTrail.Stopped: CloudTrail Was Stopped)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:6",
        "AMI Shared Publicly or With Another Account",
        &["1111"],
        "Panther labels it true (AWS.CloudTrail.AMIModifiedForPublicAccess: AMI Made Public)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:64",
        "AWS Config Recorder Stopped or Deleted",
        &["1"],
        "DeleteConfigurationRecorder (labelled false only for Panther's 'created' rule)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:67",
        "AWS Config Recorder Stopped or Deleted",
        &["1"],
        "Panther labels it true (AWS.ConfigService.DisabledDeleted: Config Recorder Deleted)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:72",
        "AWS Console Login Without MFA",
        &["1"],
        "Panther labels it true (AWS.Console.LoginWithoutMFA: No MFA Login - IAM User)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:73",
        "AWS Console Login Without MFA",
        &["1"],
        "Panther labels it true (AWS.Console.LoginWithoutMFA: No MFA Login - IAM User Unknown Account)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:74",
        "AWS Console Login Without MFA",
        &["1"],
        "Panther labels it true (AWS.Console.LoginWithoutMFA: No MFA Login - Root User)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:74",
        "AWS Root Account Used",
        &["1"],
        "Panther labels it true (AWS.Console.LoginWithoutMFA: No MFA Login - Root User)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:79",
        "AWS Console Login Without MFA",
        &["1"],
        "successful console login with MFAUsed No (Panther skips new users; ours does not)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:85",
        "AWS Console Login Without MFA",
        &["1"],
        "Panther labels it true (AWS.Console.RootLogin: Successful Root Login)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:85",
        "AWS Root Account Used",
        &["1"],
        "Panther labels it true (AWS.Console.RootLogin: Successful Root Login)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:87",
        "AWS Root Account Used",
        &["1"],
        "Panther labels it true (AWS.Console.RootLoginFailed: Failed Root Login)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:88",
        "AWS Console Login Without MFA",
        &["1"],
        "successful root console login without MFA (false only for Panther's failed-root-login rule)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:88",
        "AWS Root Account Used",
        &["1"],
        "successful root console login without MFA (false only for Panther's failed-root-login rule)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:9",
        "AMI Shared Publicly or With Another Account",
        &["1111"],
        "launch permission added for another account (Panther's rule wants public only; ours alerts on any account not trusted)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:91",
        "Route 53 Resolver Query Logging Removed",
        &["27e6be30-7c86-4544-b0e0-a60b0c927887"],
        "Panther labels it true (AWS.CloudTrail.DNSLogsDeleted: Logs Deleted)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:93",
        "EC2 Instance User Data Retrieved",
        &["6dbc00d3-1230-492a-ad34-4e3e49aba847"],
        "Panther labels it true (AWS.EC2.DownloadInstanceUserData: Successful Attempt)",
    ),
    (
        "cloudtrail/panther-analysis/AWS_CloudTrail.labeled.jsonl:95",
        "EBS Encryption by Default Disabled",
        &["sha256:0cafc2a042de1beba7f70b400e6fd1af"],
        "Panther labels it true (AWS.EC2.EBS.Encryption.Disabled: DisableEbsEncryptionByDefault Event)",
    ),
    (
        "elb-alb/crowdsec-hub/aws-alb-http-bad-user-agent/aws-alb-http-bad-user-agent.log",
        "Vulnerability Scanner or Attack Tool User-Agent",
        &["Root=1-58337327-72bd00b0343d75b906739c42"],
        "attack sample: Nikto user agent",
    ),
    (
        "elb-alb/crowdsec-hub/aws-alb-http-bad-user-agent/aws-alb-http-bad-user-agent.log",
        "Vulnerability Scanner or Attack Tool User-Agent",
        &["Root=1-58337327-72bd00b0343d75b906739c43"],
        "attack sample: Nikto user agent",
    ),
    (
        "elb-alb/crowdsec-hub/aws-alb-http-bad-user-agent/aws-alb-http-bad-user-agent.log",
        "Vulnerability Scanner or Attack Tool User-Agent",
        &["Root=1-58337327-72bd00b0343d75b906739c44"],
        "attack sample: Nikto user agent",
    ),
    (
        "elb-alb/crowdsec-hub/aws-alb-logs/aws-alb-logs.log",
        "JNDI Lookup String (Log4Shell) in a Web Request",
        &["Root=1-6449814b-6c50fc2a5aa7d12e119d3a89"],
        "the request's user agent is a ${jndi:ldap://...} Log4Shell probe (for /.awscfg) in a parser sample",
    ),
    (
        "envoy-istio/crowdsec-hub/envoy-http-bad-user-agent/envoy-http-bad-user-agent.log",
        "Vulnerability Scanner or Attack Tool User-Agent",
        &["sha256:82203f6e497aede06153dbdb94d3bc53"],
        "attack sample: zgrab scanner user agent",
    ),
    (
        "envoy-istio/crowdsec-hub/envoy-http-bad-user-agent/envoy-http-bad-user-agent.log",
        "Vulnerability Scanner or Attack Tool User-Agent",
        &["sha256:a9bac5dfe1b370b0976a11347d97fef5"],
        "attack sample: zgrab scanner user agent",
    ),
    (
        "envoy-istio/crowdsec-hub/envoy-logs/envoy.log",
        "Probe for Secrets or Source Files Over HTTP",
        &["fff03852-5ae8-468b-a528-434d095ddc49"],
        "HEAD /.env by curl, a secrets probe, in a parser sample",
    ),
    (
        "k8s-audit/crowdsec-hub/k8s-audit-pod-exec-file/k8s-audit-pod-exec-file.log",
        "Kubernetes Exec or Attach Into a Pod",
        &["57a794de-44d3-40ee-a0ad-c0eb096eef6c"],
        "attack sample: kubectl exec into a pod",
    ),
    (
        "k8s-audit/crowdsec-hub/k8s-audit-priv-pod-file/k8s-audit-priv-pod-file.log",
        "Kubernetes Privileged Container Created",
        &["9ac5187c-29a2-4bf8-ba6e-21dc887f5d34"],
        "attack sample: privileged pod created",
    ),
    (
        "k8s-audit/falco-trace-files/anonymous_creates_namespace_foo.json",
        "Kubernetes Anonymous Request Allowed",
        &["841d3e6d-90d2-43df-8da4-684738bee3d5"],
        "Falco trace: system:anonymous allowed to create a namespace",
    ),
    (
        "k8s-audit/falco-trace-files/attach_cluster_admin_role.json",
        "Kubernetes Binding to the cluster-admin Role",
        &["c97244c7-4aec-4714-946a-8204d00ecdca"],
        "Falco trace: a ClusterRoleBinding to cluster-admin",
    ),
    (
        "k8s-audit/falco-trace-files/attach_pod.json",
        "Kubernetes Exec or Attach Into a Pod",
        &["14933b4e-7b09-4964-af09-b7987367e1ba"],
        "Falco trace: attach into a pod",
    ),
    (
        "k8s-audit/falco-trace-files/create_nginx_pod_hostnetwork.json",
        "Kubernetes Workload Shares the Node's Network, PID or IPC Namespace",
        &["24142dcc-7ad8-4fb8-8d3b-106ea474759d"],
        "Falco trace: pod with hostNetwork",
    ),
    (
        "k8s-audit/falco-trace-files/create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json",
        "Kubernetes Privileged Container Created",
        &["f83ecd50-5bf4-4fe7-a419-dea22852ca49"],
        "Falco trace: second container privileged",
    ),
    (
        "k8s-audit/falco-trace-files/create_nginx_pod_privileged.json",
        "Kubernetes Privileged Container Created",
        &["a362d22b-db3c-4590-9505-23782f12925f"],
        "Falco trace: privileged pod",
    ),
    (
        "k8s-audit/falco-trace-files/create_nginx_pod_privileged_2nd_container.json",
        "Kubernetes Privileged Container Created",
        &["f83ecd50-5bf4-4fe7-a419-dea22852ca49"],
        "Falco trace: second container privileged",
    ),
    (
        "k8s-audit/falco-trace-files/create_nginx_pod_sensitive_mount.json",
        "Kubernetes Workload Mounts a Host Path",
        &["e456c9cf-9abe-4fa1-8526-e014da96821b"],
        "Falco trace: pod mounting a sensitive host path",
    ),
    (
        "k8s-audit/falco-trace-files/create_nginx_pod_sensitive_mount_2nd_container.json",
        "Kubernetes Workload Mounts a Host Path",
        &["9a52c28e-d6f2-480e-a11e-686fb583a0ff"],
        "Falco trace: second container mounts a sensitive host path",
    ),
    (
        "k8s-audit/falco-trace-files/exec_pod.json",
        "Kubernetes Exec or Attach Into a Pod",
        &["ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6"],
        "Falco trace: exec into a pod",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:1",
        "Kubernetes Anonymous Request Allowed",
        &["abcde12345"],
        "Panther labels it true (Amazon.EKS.AnonymousAPIAccess: Anonymous API Access)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:133",
        "Kubernetes Secrets Read by a Workload Service Account",
        &["sha256:661c00a51e5b2acd80197b2e4bdde788"],
        "Panther labels it true (Kubernetes.Secret.AccessDenied: Service account failed to get secret)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:145",
        "Kubernetes Secrets Listed Cluster-Wide",
        &["sha256:3e182088843498cb6bd7f189d3743ba0"],
        "Panther labels it true (Kubernetes.Secrets.DumpAllNamespaces: EKS cluster-wide secret list)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:146",
        "Kubernetes Secrets Listed Cluster-Wide",
        &["sha256:4fe35cbf799af332625c824e3e5220b6"],
        "Panther labels it true (Kubernetes.Secrets.DumpAllNamespaces: EKS cluster-wide secret list with watch parameter)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:164",
        "Kubernetes Exec or Attach Into a Pod",
        &["sha256:178e28a53f1b8c7a5f5c4e5a6fcaf59b"],
        "Panther labels it true (Kubernetes.Pod.StealServiceAccountToken: EKS cat service account token)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:165",
        "Kubernetes Exec or Attach Into a Pod",
        &["sha256:962a6004181427064d51d3787df01790"],
        "Panther labels it true (Kubernetes.Pod.StealServiceAccountToken: EKS copy entire serviceaccount directory)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:166",
        "Kubernetes Exec or Attach Into a Pod",
        &["sha256:07cd4cb51067ccd65dd9a6fabd11f39f"],
        "successful exec without token access; the rule reports every exec",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:167",
        "Kubernetes Exec or Attach Into a Pod",
        &["sha256:2cf32b8b9d722146c65639548e02d79d"],
        "Panther labels it true (Kubernetes.Pod.StealServiceAccountToken: Regular user in system namespace (alert))",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:168",
        "Kubernetes Exec or Attach Into a Pod",
        &["sha256:a67c121914a9b78479993a86fe40fb0f"],
        "Panther labels it true (Kubernetes.Pod.StealServiceAccountToken: System principal in regular namespace (alert))",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:169",
        "Kubernetes Exec or Attach Into a Pod",
        &["sha256:7c75cca9fc82efa504acce86233918ad"],
        "successful exec (101) by kube-proxy's service account into a kube-system pod; the rule reports every exec",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:171",
        "Kubernetes Exec or Attach Into a Pod",
        &["sha256:85cfba852d8b4ab7a3ed02b9f1bb2adf"],
        "Panther labels it true (Kubernetes.Pod.StealServiceAccountToken: EKS IRSA token theft)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:177",
        "Kubernetes Secrets Read by a Workload Service Account",
        &["sha256:96678940ec3fab03f70b6181697efe0b"],
        "a workload service account asked for a secret (403): the rule says the attempt itself is the signal",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:25",
        "Kubernetes Anonymous Request Allowed",
        &["abcde12345"],
        "Panther labels it true (Kubernetes.API.AnonymousAccess: EKS Anonymous API Access)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:36",
        "Kubernetes Binding to the cluster-admin Role",
        &["sha256:d89762cc4d06ac7b06b6ff3693620df2"],
        "Panther labels it true (Kubernetes.ClusterRoleBinding.Privileged: EKS ClusterRoleBinding to cluster-admin)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:39",
        "Kubernetes Binding to the cluster-admin Role",
        &["sha256:85ff1a0aeeb0e0bb969e005324022b25"],
        "a RoleBinding to the cluster-admin ClusterRole gives full control of a namespace (Panther wants ClusterRoleBindings only)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:40",
        "Kubernetes Binding to the cluster-admin Role",
        &["sha256:88ca16f3d180ca28fa2df567910b9cee"],
        "a kube-system controller service account binding cluster-admin: the rule has no system allowlist, a new cluster-admin binding is worth a look",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:48",
        "Kubernetes Pod Created in kube-system by a Non-System Identity",
        &["abc-123"],
        "Panther labels it true (Kubernetes.DaemonSet.Created: EKS DaemonSet Created)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:53",
        "Kubernetes Exec or Attach Into a Pod",
        &["abc-123"],
        "Panther labels it true (Kubernetes.Pod.Exec: EKS Exec Into Pod)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:63",
        "Kubernetes Exec or Attach Into a Pod",
        &["sha256:6a90bcdf9fde5cecfa49fc6d79e5faaf"],
        "Panther labels it true (Kubernetes.Kubectl.CP.Operation: EKS kubectl cp from pod (requestURI format))",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:64",
        "Kubernetes Exec or Attach Into a Pod",
        &["sha256:d511b819a59900d6c9bbadc322dc0a8f"],
        "successful exec (kubectl cp into a pod); the rule reports every exec",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:65",
        "Kubernetes Exec or Attach Into a Pod",
        &["sha256:1f0fe2cc9a4965173f236c4b7cd0a5e8"],
        "successful exec running tar; the rule reports every exec",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:66",
        "Kubernetes Exec or Attach Into a Pod",
        &["sha256:7996c1fc2c9e66d1b1b58a1997100940"],
        "successful exec; the rule reports every exec",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:67",
        "Kubernetes Exec or Attach Into a Pod",
        &["sha256:85d903538fe0ae08f9fa4605a9028171"],
        "successful exec into a kube-system pod; the rule reports every exec",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:73",
        "Kubernetes Pod Created in kube-system by a Non-System Identity",
        &["sha256:3ca1621a59095e881c2571fef7035a86"],
        "Panther labels it true (Kubernetes.Pod.SystemNamespace: EKS pod created in kube-system)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:78",
        "Kubernetes Pod Created in kube-system by a Non-System Identity",
        &["sha256:95485df4a53f5ca42932cd45562f3e84"],
        "developer@example.com creates a Deployment in kube-system: the rule covers workload controllers, not only bare pods",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:84",
        "Kubernetes Workload Shares the Node's Network, PID or IPC Namespace",
        &["sha256:1faaea40dabb71f33f12ae6da67289d4"],
        "Panther labels it true (Kubernetes.Pod.Host.IPC: EKS Pod with HostIPC)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:88",
        "Kubernetes Workload Shares the Node's Network, PID or IPC Namespace",
        &["abc-123"],
        "Panther labels it true (Kubernetes.Pod.Host.Network: EKS Pod With Host Network)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:92",
        "Kubernetes Workload Shares the Node's Network, PID or IPC Namespace",
        &["sha256:3d2bee4808cba8b29b2b8be8d035b917"],
        "Panther labels it true (Kubernetes.Pod.Host.PID: EKS Pod With Host PID)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:95",
        "Kubernetes Workload Mounts a Host Path",
        &["abc-123"],
        "Panther labels it true (Kubernetes.Pod.HostPath.Volume: EKS Pod With Suspicious HostPath)",
    ),
    (
        "k8s-audit/panther-analysis/Amazon_EKS_Audit.labeled.jsonl:99",
        "Kubernetes Privileged Container Created",
        &["abc-123"],
        "Panther labels it true (Kubernetes.Pod.Privileged.Created: EKS Privileged Pod Created)",
    ),
    (
        "web-access/crowdsec-hub/CVE-2024-38475/CVE-2024-38475.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:18f91ca80cc9b9964417e9e33d380d0d"],
        "attack sample: Apache mod_rewrite CVE-2024-38475 traversal",
    ),
    (
        "web-access/crowdsec-hub/CVE-2024-38475/CVE-2024-38475.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:24dca35162767be68289d5faca3b8071"],
        "attack sample: Apache mod_rewrite CVE-2024-38475 traversal",
    ),
    (
        "web-access/crowdsec-hub/CVE-2024-38475/CVE-2024-38475.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:9b32b12641ae745a144c92d3f0e0c854"],
        "attack sample: Apache mod_rewrite CVE-2024-38475 traversal",
    ),
    (
        "web-access/crowdsec-hub/CVE-2025-0108/CVE-2025-0108.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:083ffccac81d6fdf56048235efe93659"],
        "attack sample: PAN-OS CVE-2025-0108 double-encoded ../",
    ),
    (
        "web-access/crowdsec-hub/apache-cve-2021-41773/apache-cve-2021-41773.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:264cf4cad60f3e7c9e025edf209c2af4"],
        "attack sample: Apache CVE-2021-41773 .%2e/ traversal",
    ),
    (
        "web-access/crowdsec-hub/apache-cve-2021-41773/apache-cve-2021-41773.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:8311c6370d5e5974fc4c29a2a9dee9c6"],
        "attack sample: Apache CVE-2021-41773 .%2e/ traversal",
    ),
    (
        "web-access/crowdsec-hub/apache2-http-sensitive-files/apache2-http-sensitive-files.log",
        "Probe for Secrets or Source Files Over HTTP",
        &["sha256:81502964d56e949b062ac7123f490279"],
        "attack sample: sensitive file probe",
    ),
    (
        "web-access/crowdsec-hub/apache2-logs/apache2-logs.log",
        "Vulnerability Scanner or Attack Tool User-Agent",
        &["sha256:1fca547e263a3d19f35f94c7e1cc429b"],
        "masscan user agent in a parser sample: a scanner",
    ),
    (
        "web-access/crowdsec-hub/apache_log4j2_cve-2021-44228/apache_log4j2_cve-2021-44228.log",
        "JNDI Lookup String (Log4Shell) in a Web Request",
        &["sha256:1d226f0f369ebfee3b90772a7d60a664"],
        "attack sample: Log4Shell ${jndi:...} strings",
    ),
    (
        "web-access/crowdsec-hub/apache_log4j2_cve-2021-44228/apache_log4j2_cve-2021-44228.log",
        "JNDI Lookup String (Log4Shell) in a Web Request",
        &["sha256:ca7f060ab636ae535b18b73d8a1ec7bc"],
        "attack sample: Log4Shell ${jndi:...} strings",
    ),
    (
        "web-access/crowdsec-hub/apache_log4j2_cve-2021-44228/apache_log4j2_cve-2021-44228.log",
        "JNDI Lookup String (Log4Shell) in a Web Request",
        &["sha256:dbc5c87c83677cd422f4fb7219eee676"],
        "attack sample: Log4Shell ${jndi:...} strings",
    ),
    (
        "web-access/crowdsec-hub/fortinet-cve-2018-13379/fortinet-cve-2018-13379.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:ffe2b447adbad9076df88e1a4b1ad7ec"],
        "attack sample: FortiOS CVE-2018-13379 ../ traversal",
    ),
    (
        "web-access/crowdsec-hub/grafana_cve-2021-43798/grafana_cve-2021-43798.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:973ffe36813dcaae6a6b213396caa801"],
        "attack sample: Grafana CVE-2021-43798 plugin path traversal",
    ),
    (
        "web-access/crowdsec-hub/grafana_cve-2021-43798/grafana_cve-2021-43798.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:c049fe5954c85806c3ab557fcf712ac1"],
        "attack sample: Grafana CVE-2021-43798 plugin path traversal",
    ),
    (
        "web-access/crowdsec-hub/http-wordpress_wpconfig/http-wordpress_wpconfig.log",
        "Probe for Secrets or Source Files Over HTTP",
        &["sha256:1b31e9db3e568e795c48bdb70ee69c3f"],
        "attack sample: wp-config probes",
    ),
    (
        "web-access/crowdsec-hub/http-wordpress_wpconfig/http-wordpress_wpconfig.log",
        "Probe for Secrets or Source Files Over HTTP",
        &["sha256:dacd24c906bb0894b43cd03c3869aae9"],
        "attack sample: wp-config probes",
    ),
    (
        "web-access/crowdsec-hub/ipv6-postoverflow/ipv6-postoverflow.log",
        "Vulnerability Scanner or Attack Tool User-Agent",
        &["sha256:47345935b7bd1ea25e26553993531bd1"],
        "Nikto user agent (scanner) from an IPv6 client",
    ),
    (
        "web-access/crowdsec-hub/ipv6-postoverflow/ipv6-postoverflow.log",
        "Vulnerability Scanner or Attack Tool User-Agent",
        &["sha256:e9c80faccd39469606da1436151d4374"],
        "Nikto user agent (scanner) from an IPv6 client",
    ),
    (
        "web-access/crowdsec-hub/nginx-bad-user-agent/nginx-bad-user-agent.log",
        "Vulnerability Scanner or Attack Tool User-Agent",
        &["sha256:10254d5d6aeadeb9438a9f06d3cd44a9"],
        "attack sample: scanner user agents",
    ),
    (
        "web-access/crowdsec-hub/nginx-bad-user-agent/nginx-bad-user-agent.log",
        "Vulnerability Scanner or Attack Tool User-Agent",
        &["sha256:c87a6776547ed57b9b6fd287b0941140"],
        "attack sample: scanner user agents",
    ),
    (
        "web-access/crowdsec-hub/nginx-bad-user-agent/nginx-bad-user-agent.log",
        "Vulnerability Scanner or Attack Tool User-Agent",
        &["sha256:e2889c6afe5dd8f4823985b4adbef62c"],
        "attack sample: scanner user agents",
    ),
    (
        "web-access/crowdsec-hub/nginx-cve-2021-41773/cve-2021-41773.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:7d91239914f1aca01fae60d3123c4551"],
        "attack sample: CVE-2021-41773 traversal behind nginx",
    ),
    (
        "web-access/crowdsec-hub/nginx-cve-2021-41773/cve-2021-41773.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:fb1540038c436cacc8c95f11eb59795b"],
        "attack sample: CVE-2021-41773 traversal behind nginx",
    ),
    (
        "web-access/crowdsec-hub/nginx-http-path-traversal/nginx-http-path-traversal.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:36256739453f3b40a9c87a2ae13b3c61"],
        "attack sample: path traversal probes",
    ),
    (
        "web-access/crowdsec-hub/nginx-http-path-traversal/nginx-http-path-traversal.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:42bf22095810f39a6e6f030b018e86b5"],
        "attack sample: path traversal probes",
    ),
    (
        "web-access/crowdsec-hub/nginx-http-path-traversal/nginx-http-path-traversal.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:4ed8f19ec1189ee88b4e1adbbf1d0a26"],
        "attack sample: path traversal probes",
    ),
    (
        "web-access/crowdsec-hub/nginx-http-path-traversal/nginx-http-path-traversal.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:57069f8c539bf25d5c323849fd84c09b"],
        "attack sample: path traversal probes",
    ),
    (
        "web-access/crowdsec-hub/nginx-http-path-traversal/nginx-http-path-traversal.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:99b162af52e2a138a466f0eee5519bb1"],
        "attack sample: path traversal probes",
    ),
    (
        "web-access/crowdsec-hub/nginx-http-path-traversal/nginx-http-path-traversal.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:f0a5ab3e17461b66b002ed6b67993179"],
        "attack sample: path traversal probes",
    ),
    (
        "web-access/crowdsec-hub/nginx-http-sensitive-files/nginx-http-sensitive-files.log",
        "Probe for Secrets or Source Files Over HTTP",
        &["sha256:468f276bc579041209b68ccba5866585"],
        "attack sample: sensitive file probes",
    ),
    (
        "web-access/crowdsec-hub/nginx-http-sensitive-files/nginx-http-sensitive-files.log",
        "Probe for Secrets or Source Files Over HTTP",
        &["sha256:4d0a7fc2b6e38674711c42aa25a46f76"],
        "attack sample: sensitive file probes",
    ),
    (
        "web-access/crowdsec-hub/nginx-http-sqli-probing/nginx-http-sqli-probing.log",
        "SQL Injection Pattern in a Query String",
        &["sha256:00239d173c07f6620ddeb5e183e132af"],
        "attack sample: SQL injection probes",
    ),
    (
        "web-access/crowdsec-hub/nginx-http-sqli-probing/nginx-http-sqli-probing.log",
        "SQL Injection Pattern in a Query String",
        &["sha256:083f73b4be48818ab749bc62e37f0d4f"],
        "attack sample: SQL injection probes",
    ),
    (
        "web-access/crowdsec-hub/nginx-http-sqli-probing/nginx-http-sqli-probing.log",
        "SQL Injection Pattern in a Query String",
        &["sha256:9580246d5fb9cf00de33ce185bfb9d0e"],
        "attack sample: SQL injection probes",
    ),
    (
        "web-access/crowdsec-hub/nginx-http-sqli-probing/nginx-http-sqli-probing.log",
        "SQL Injection Pattern in a Query String",
        &["sha256:ddabf5d61d92b85c61ecc62778add539"],
        "attack sample: SQL injection probes",
    ),
    (
        "web-access/crowdsec-hub/nginx-http-sqli-probing/nginx-http-sqli-probing.log",
        "SQL Injection Pattern in a Query String",
        &["sha256:fe6091de193ce17cc6f8d475467bd4ef"],
        "attack sample: SQL injection probes",
    ),
    (
        "web-access/crowdsec-hub/pulse-secure-sslvpn-cve-2019-11510/pulse-secure-sslvpn-cve-2019-11510.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:5d854984f1a4111047370317c69e3218"],
        "attack sample: Pulse Secure CVE-2019-11510 traversal",
    ),
    (
        "web-access/crowdsec-hub/pulse-secure-sslvpn-cve-2019-11510/pulse-secure-sslvpn-cve-2019-11510.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:e29923e7c0cbd776487403a955759313"],
        "attack sample: Pulse Secure CVE-2019-11510 traversal",
    ),
    (
        "web-access/crowdsec-hub/vmware-vcenter-vmsa-2021-0027/vmware-vcenter-vmsa-2021-0027.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:2d164031f1a7b1cd414c894097c09a82"],
        "attack sample: vCenter VMSA-2021-0027 file:///etc/passwd read",
    ),
    (
        "elb-alb/crowdsec-hub/aws-alb-logs/aws-alb-logs.log",
        "Path Traversal Sequence in a Web Request",
        &["Root=1-6449814a-01d4cd3e280010e00ac46641"],
        "probe in the ALB sample: GET /%%32%65%%32%65/, double-encoded ../ (Apache CVE-2021-42013 form), 404",
    ),
    (
        "web-access/crowdsec-hub/cve-2021-42013/cve-2021-42013.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:77750aaf62adfe78425feaaaac64d171"],
        "attack sample: Apache CVE-2021-42013 double-encoded %%32%65%%32%65/ traversal to /bin/bash",
    ),
    (
        "web-access/crowdsec-hub/f5-big-ip-cve-2020-5902/f5-big-ip-cve-2020-5902.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:3c6215027bf273d6c28923d41f87a1af"],
        "attack sample: F5 BIG-IP CVE-2020-5902 ..;/ traversal to fileRead.jsp",
    ),
    (
        "web-access/crowdsec-hub/f5-big-ip-cve-2020-5902/f5-big-ip-cve-2020-5902.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:645f8675fa4ef720cd182ec26239316f"],
        "attack sample: F5 BIG-IP CVE-2020-5902 %2E%2E;/ traversal to tmshCmd.jsp",
    ),
    (
        "web-access/crowdsec-hub/f5-big-ip-cve-2020-5902/f5-big-ip-cve-2020-5902.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:7ff91658d294e40cae3ec44eb30a0ea1"],
        "attack sample: F5 BIG-IP CVE-2020-5902 ..;/ traversal to directoryList.jsp",
    ),
    (
        "web-access/crowdsec-hub/f5-big-ip-cve-2020-5902/f5-big-ip-cve-2020-5902.log",
        "Path Traversal Sequence in a Web Request",
        &["sha256:b712f47b4a9d3af34fb92f5e3076d7a1"],
        "attack sample: F5 BIG-IP CVE-2020-5902 ..;/ traversal to tmshCmd.jsp",
    ),
];

/// Alerts the pack raises today that are wrong, with why: reported to be fixed in the rules. The
/// test fails when one of them stops firing, so the entry is removed with the fix.
const KNOWN_FALSE_POSITIVES: &[(&str, &str, &[&str], &str)] = &[];

/// The raw text of the event of `file` with this uid (shortened), to explain a failure.
fn record_text(pipeline: &Pipeline, root: &Path, record: &str, uid: &str) -> String {
    let mut text = String::from("(record not found)");
    let input = match record.rsplit_once(':') {
        Some((file, line)) if file.ends_with(".labeled.jsonl") => {
            let content = std::fs::read_to_string(root.join(file)).unwrap_or_default();
            let index = line.parse::<usize>().unwrap_or(1).saturating_sub(1);
            Input::Bytes {
                name: file.to_owned(),
                data: content.lines().nth(index).unwrap_or("").as_bytes().to_vec(),
            }
        }
        _ => Input::Path(root.join(record)),
    };
    let _ = pipeline.parse(&[input], &mut |event| {
        if logsec::event::event_uid(event) == uid {
            text = event.raw.as_str().chars().take(400).collect();
        }
    });
    text
}

#[test]
fn conformance_pack_alerts_on_corpus_logs() {
    let Some(root) = corpus_logs() else {
        return;
    };
    let mut files = Vec::new();
    data_files(&root, &mut files);
    assert!(files.len() >= 150, "only {} data files", files.len());
    let pipeline = Pipeline::builder().threads(1).build();
    assert_eq!(pipeline.rule_errors(), 0);

    let mut found: Vec<Found> = Vec::new();
    let mut scanned = 0;
    for path in &files {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        // Panther's labelled files are independent test records, not a log stream: each line is
        // scanned on its own (no correlation across unrelated test cases) and named `file:line`.
        let inputs: Vec<(String, Input)> = if rel.ends_with(".labeled.jsonl") {
            std::fs::read_to_string(path)
                .unwrap()
                .lines()
                .enumerate()
                .filter(|(_, line)| !line.trim().is_empty())
                .map(|(index, line)| {
                    (
                        format!("{rel}:{}", index + 1),
                        Input::Bytes {
                            name: rel.clone(),
                            data: line.as_bytes().to_vec(),
                        },
                    )
                })
                .collect()
        } else {
            vec![(rel.clone(), Input::Path(path.clone()))]
        };
        let mut events = 0;
        for (record, input) in inputs {
            let report = pipeline
                .scan(&[input], &mut |alert| {
                    let uids = alert
                        .finding_info
                        .related_events
                        .iter()
                        .map(|event| event.uid.clone())
                        .collect();
                    found.push((record.clone(), alert.unmapped.rule.title.clone(), uids));
                })
                .unwrap();
            events += report.events();
        }
        if events > 0 {
            scanned += 1;
        }
    }
    assert!(scanned >= 100, "only {scanned} files produced events");

    // A record repeated verbatim in a file has the same uid and gives the same alert: it counts
    // once.
    let found_set: BTreeSet<Found> = found.iter().cloned().collect();
    let expected: BTreeSet<Found> = EXPECTED
        .iter()
        .chain(KNOWN_FALSE_POSITIVES)
        .map(|(file, title, uids, _why)| {
            (
                (*file).to_owned(),
                (*title).to_owned(),
                uids.iter().map(|uid| (*uid).to_owned()).collect(),
            )
        })
        .collect();
    assert_eq!(
        expected.len(),
        EXPECTED.len() + KNOWN_FALSE_POSITIVES.len(),
        "duplicate expected entries"
    );
    let unexpected: Vec<String> = found_set
        .difference(&expected)
        .map(|(file, title, uids)| {
            let records: Vec<String> = uids
                .iter()
                .map(|uid| record_text(&pipeline, &root, file, uid))
                .collect();
            format!(
                "    ({file:?}, {title:?}, &{uids:?}, \"\"),\n      // {}",
                records.join("\n      // ")
            )
        })
        .collect();
    let missing: Vec<String> = expected
        .difference(&found_set)
        .map(|(file, title, uids)| format!("    ({file:?}, {title:?}, &{uids:?}),"))
        .collect();
    assert!(
        unexpected.is_empty() && missing.is_empty(),
        "unexpected alerts ({}):\n{}\nexpected but not raised ({}):\n{}",
        unexpected.len(),
        unexpected.join("\n"),
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn corpus_walk_skips_expected_output_and_metadata() {
    for skipped in [
        "INVENTORY.md",
        "MANIFEST.json",
        "LICENSE",
        "LICENSE-NOTE.txt",
        "scenario.assert",
        "valid_s3_access_log_expected.yaml",
        "SDAWS-2202181000.metadata.yaml",
        "envoy_tests.yaml",
    ] {
        assert!(!is_data_file(Path::new(skipped)), "{skipped}");
    }
    for data in [
        "aws-bf.log",
        "AWS_CloudTrail.labeled.jsonl",
        "cloudtrail_log.json",
        "logfile_syslog.0",
        "AWS_S3_HoneyBucketLogs.csv",
    ] {
        assert!(is_data_file(Path::new(data)), "{data}");
    }
}
