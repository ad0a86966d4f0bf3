#!/usr/bin/env python3
"""Writes rules/<source>/<rule>.tests.jsonl for every rule of the bundled pack.

The test events are synthetic and our own; this script is how they were produced (edit it and rerun,
or edit a .tests.jsonl by hand — the .jsonl files are what the test runners read). Run from anywhere:
    python3 tools/gen_rule_tests.py
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from ctlib import *  # noqa: E402,F401,F403

ROOT = pathlib.Path(__file__).resolve().parent.parent / "rules"
T = {}
ATT = "198.51.100.42"   # attacker (documentation range)
OFFICE = "203.0.113.20"  # admin office egress
B = "2026-11-20T10:00:00Z"


def hit(rec, note, fmt="cloudtrail", **kw):
    return dict(format=fmt, record=rec, expect="match", note=note, **kw)


def miss(rec, note, fmt="cloudtrail", **kw):
    return dict(format=fmt, record=rec, expect="no_match", note=note, **kw)


def seq(name, items, fmt="cloudtrail"):
    """items: (record, expect or None, note)."""
    out = []
    for rec, expect, note in items:
        line = dict(format=fmt, record=rec, sequence=name, note=note)
        if expect:
            line["expect"] = expect
        out.append(line)
    return out


admin = assumed("platform-admin", "alice@example.com", mfa=True, sso=True)
ci = assumed("github-deploy", "gha-8841", key="ASIAEXAMPLECI000001")
alice = iam_user("ops-alice", key="AKIAEXAMPLEOPSKEY001")
web = ec2_role()

# ------------------------------------------------------------------ CloudTrail
T["cloudtrail/root_account_usage"] = [
    hit(ct("ListAccessKeys", "iam.amazonaws.com", root(key="AKIAEXAMPLEROOT00001"), req=None, resp=None),
        "root access key used for an IAM call"),
    hit(console_login(root(), mfa="Yes"), "root console sign-in, even with MFA, is root usage"),
    miss(ct("ListAccessKeys", "iam.amazonaws.com", admin), "same call by an SSO admin role"),
    miss(ct("ConfirmSubscription", "sns.amazonaws.com", {"type": "Root", "principalId": ACCT, "arn": f"arn:aws:iam::{ACCT}:root", "accountId": ACCT, "invokedBy": "sns.amazonaws.com"}, ip="sns.amazonaws.com", ua="sns.amazonaws.com"),
         "call made by an AWS service on behalf of the root identity"),
]
T["cloudtrail/console_login_without_mfa"] = [
    hit(console_login(alice, mfa="No", ip=ATT), "IAM user password-only console login"),
    miss(console_login(alice, mfa="Yes"), "same user with MFA"),
    miss(console_login(alice, ok=False, mfa="No", ip=ATT), "failed login is not a login"),
    miss(console_login(assumed("AWSReservedSSO_ReadOnly_0f3c", "bob@example.com", sso=True), mfa="No"), "Identity Center sign-in: MFA is enforced by the IdP"),
    miss(dict(console_login(alice, mfa="No"), additionalEventData={"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "No", "SamlProviderArn": f"arn:aws:iam::{ACCT}:saml-provider/Okta"}), "IAM user signing in through a SAML IdP that enforces MFA"),
]
fails = [console_login(iam_user("HIDDEN_DUE_TO_SECURITY_REASONS", key=None), ok=False, mfa="No", t=ts(B, 20 * i), ip=ATT) for i in range(6)]
T["cloudtrail/console_brute_force"] = seq("bf_then_success",
    [(r, None if i < 5 else None, f"failed console login {i + 1} from {ATT}") for i, r in enumerate(fails[:5])]
    + [(console_login(alice, ok=True, mfa="No", t=ts(B, 300), ip=ATT), "match", "success from the same address after 5 failures")]) + seq("three_failures_then_success",
    [(fails[i], None, "failed login") for i in range(3)]
    + [(console_login(alice, ok=True, mfa="No", t=ts(B, 200), ip=ATT), "no_match", "only 3 failures: below the threshold of 5")]) + seq("failures_success_other_ip",
    [(r, None, "failed login") for r in fails[:6]]
    + [(console_login(alice, ok=True, mfa="Yes", t=ts(B, 400), ip=OFFICE), "no_match", "success comes from a different address")]) + seq("failures_only",
    [(r, None, "failed login") for r in fails[:5]] + [(fails[5], "no_match", "six failures without a success do not fire the ordered correlation")])

T["cloudtrail/console_brute_force"] += [
    hit(fails[0], "one failed console login matches the base rule", rule="aws_console_login_failure"),
    miss(console_login(alice, ok=True, mfa="Yes"), "a success is not a failure", rule="aws_console_login_failure"),
    hit(console_login(alice, ok=True, mfa="Yes"), "one successful console login matches the base rule", rule="aws_console_login_success"),
    miss(fails[0], "a failure is not a success", rule="aws_console_login_success"),
]

T["cloudtrail/cloudtrail_logging_stopped"] = [
    hit(ct("StopLogging", "cloudtrail.amazonaws.com", admin, req={"name": f"arn:aws:cloudtrail:us-east-1:{ACCT}:trail/org-trail"}), "trail stopped"),
    hit(ct("DeleteTrail", "cloudtrail.amazonaws.com", web, ip=ATT, req={"name": "org-trail"}), "trail deleted"),
    miss(ct("StopLogging", "cloudtrail.amazonaws.com", web, ip=ATT, req={"name": "org-trail"}, err="AccessDenied"), "denied attempt"),
    miss(ct("StartLogging", "cloudtrail.amazonaws.com", admin, req={"name": "org-trail"}), "logging started, not stopped"),
]
T["cloudtrail/cloudtrail_event_selectors_changed"] = [
    hit(ct("PutEventSelectors", "cloudtrail.amazonaws.com", admin, req={"trailName": "org-trail", "advancedEventSelectors": [{"name": "Management events only", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}]}]}), "data events dropped from the trail"),
    hit(ct("UpdateTrail", "cloudtrail.amazonaws.com", admin, req={"name": "org-trail", "isMultiRegionTrail": False}), "trail narrowed to one region"),
    miss(ct("UpdateTrail", "cloudtrail.amazonaws.com", admin, req={"name": "org-trail", "isMultiRegionTrail": True, "enableLogFileValidation": True}), "update keeps the trail multi-region"),
    miss(ct("GetEventSelectors", "cloudtrail.amazonaws.com", admin, req={"trailName": "org-trail"}), "read-only call"),
    hit(ct("PutEventSelectors", "cloudtrail.amazonaws.com", web, ip=ATT, req={"trailName": "org-trail", "eventSelectors": [{"readWriteType": "WriteOnly", "includeManagementEvents": True, "dataResources": [], "excludeManagementEventSources": []}]}), "reads no longer logged"),
    miss(ct("PutEventSelectors", "cloudtrail.amazonaws.com", admin, req={"trailName": "org-trail", "eventSelectors": [{"readWriteType": "All", "includeManagementEvents": True, "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}], "excludeManagementEventSources": []}]}), "basic selectors logging everything plus S3 data events"),
]
T["cloudtrail/cloudtrail_bucket_lifecycle"] = [
    hit(ct("PutBucketLifecycle", "s3.amazonaws.com", web, ip=ATT, req={"bucketName": "acme-cloudtrail-logs-111122223333", "Host": "acme-cloudtrail-logs-111122223333.s3.us-east-1.amazonaws.com", "lifecycle": "", "LifecycleConfiguration": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "Rule": {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}}}}), "one-day expiration on the trail bucket"),
    miss(ct("PutBucketLifecycle", "s3.amazonaws.com", admin, req={"bucketName": "shop-assets", "Host": "shop-assets.s3.us-east-1.amazonaws.com", "lifecycle": "", "LifecycleConfiguration": {"Rule": {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 7}}}}), "lifecycle on an ordinary bucket"),
    miss(ct("GetBucketLifecycle", "s3.amazonaws.com", admin, req={"bucketName": "acme-cloudtrail-logs-111122223333", "lifecycle": ""}), "reading the lifecycle"),
    miss(ct("PutBucketLifecycle", "s3.amazonaws.com", admin, req={"bucketName": "acme-cloudtrail-logs-111122223333", "lifecycle": "", "LifecycleConfiguration": {"Rule": {"ID": "retain-2y", "Status": "Enabled", "Filter": {"Prefix": ""}, "Transition": {"Days": 90, "StorageClass": "GLACIER"}, "Expiration": {"Days": 730}}}}), "two-year retention with a Glacier transition"),
    miss(ct("PutBucketLifecycle", "s3.amazonaws.com", admin, req={"bucketName": "acme-cloudtrail-logs-111122223333", "lifecycle": "", "LifecycleConfiguration": {"Rule": {"ID": "expire", "Status": "Disabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}}}}), "short rule written disabled"),
]
T["cloudtrail/guardduty_detector_disabled"] = [
    hit(ct("DeleteDetector", "guardduty.amazonaws.com", admin, req={"detectorId": "12abc34d567e8fa901bc2d34e56789f0"}), "detector deleted"),
    hit(ct("UpdateDetector", "guardduty.amazonaws.com", admin, req={"detectorId": "12abc34d567e8fa901bc2d34e56789f0", "enable": False}), "detector suspended"),
    miss(ct("UpdateDetector", "guardduty.amazonaws.com", admin, req={"detectorId": "12abc34d567e8fa901bc2d34e56789f0", "enable": True, "findingPublishingFrequency": "FIFTEEN_MINUTES"}), "detector settings changed but still enabled"),
    miss(ct("DeleteDetector", "guardduty.amazonaws.com", web, ip=ATT, req={"detectorId": "12abc34d567e8fa901bc2d34e56789f0"}, err="AccessDeniedException"), "denied attempt"),
]
T["cloudtrail/vpc_flow_logs_deleted"] = [
    hit(ct("DeleteFlowLogs", "ec2.amazonaws.com", admin, req={"DeleteFlowLogsRequest": {"FlowLogId": {"content": "fl-0a1b2c3d4e5f60718", "tag": 1}}}, resp={"DeleteFlowLogsResponse": {"unsuccessful": ""}}), "flow log deleted"),
    miss(ct("DescribeFlowLogs", "ec2.amazonaws.com", admin, req={"DescribeFlowLogsRequest": {}}), "listing flow logs"),
    miss(ct("DeleteFlowLogs", "ec2.amazonaws.com", web, ip=ATT, req={"DeleteFlowLogsRequest": {"FlowLogId": {"content": "fl-0a1b2c3d4e5f60718", "tag": 1}}}, err="Client.UnauthorizedOperation"), "denied"),
]
T["cloudtrail/route53_resolver_query_logging_deleted"] = [
    hit(ct("DeleteResolverQueryLogConfig", "route53resolver.amazonaws.com", admin, req={"resolverQueryLogConfigId": "rqlc-0a1b2c3d4e5f6071"}), "query logging config deleted"),
    hit(ct("DisassociateResolverQueryLogConfig", "route53resolver.amazonaws.com", admin, req={"resolverQueryLogConfigId": "rqlc-0a1b2c3d4e5f6071", "resourceId": "vpc-0f1e2d3c4b5a69788"}), "query logging detached from a VPC"),
    miss(ct("AssociateResolverQueryLogConfig", "route53resolver.amazonaws.com", admin, req={"resolverQueryLogConfigId": "rqlc-0a1b2c3d4e5f6071", "resourceId": "vpc-0f1e2d3c4b5a69788"}), "logging attached, not removed"),
]
pub_policy = {"Version": "2012-10-17", "Statement": [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shop-customer-exports/*"}]}
vpce_policy = {"Version": "2012-10-17", "Statement": [{"Sid": "VpceOnly", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shop-assets/*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}}}]}
T["cloudtrail/s3_bucket_policy_public"] = [
    hit(ct("PutBucketPolicy", "s3.amazonaws.com", admin, req={"bucketName": "shop-customer-exports", "Host": "shop-customer-exports.s3.us-east-1.amazonaws.com", "policy": "", "bucketPolicy": pub_policy}), "Principal * without condition"),
    hit(ct("PutBucketPolicy", "s3.amazonaws.com", admin, req={"bucketName": "shop-customer-exports", "policy": "", "bucketPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::shop-customer-exports", "arn:aws:s3:::shop-customer-exports/*"]}]}}), "Principal {AWS: *}"),
    miss(ct("PutBucketPolicy", "s3.amazonaws.com", admin, req={"bucketName": "shop-assets", "policy": "", "bucketPolicy": vpce_policy}), "wildcard principal restricted by a VPC-endpoint condition"),
    miss(ct("PutBucketPolicy", "s3.amazonaws.com", admin, req={"bucketName": "shop-assets", "policy": "", "bucketPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:role/shop-web-role"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shop-assets/*"}]}}), "policy naming one role"),
]
T["cloudtrail/s3_bucket_acl_public"] = [
    hit(ct("PutBucketAcl", "s3.amazonaws.com", admin, req={"bucketName": "shop-exports", "Host": "shop-exports.s3.us-east-1.amazonaws.com", "acl": "", "x-amz-acl": ["public-read"]}), "canned public-read ACL"),
    hit(ct("PutObjectAcl", "s3.amazonaws.com", admin, req={"bucketName": "shop-exports", "key": "report.csv", "acl": "", "AccessControlPolicy": {"AccessControlList": {"Grant": [{"Grantee": {"xsi:type": "CanonicalUser", "ID": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, "Permission": "FULL_CONTROL"}, {"Grantee": {"xsi:type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]}, "Owner": {"ID": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}}}), "grant to AllUsers"),
    miss(ct("PutBucketAcl", "s3.amazonaws.com", admin, req={"bucketName": "shop-exports", "acl": "", "x-amz-acl": ["private"]}), "private canned ACL"),
    miss(ct("PutBucketAcl", "s3.amazonaws.com", admin, req={"bucketName": "shop-exports", "acl": "", "x-amz-acl": ["public-read"]}, err="AccessDenied", errmsg="Access Denied"), "blocked by Block Public Access"),
]
T["cloudtrail/s3_public_access_block_removed"] = [
    hit(ct("DeleteBucketPublicAccessBlock", "s3.amazonaws.com", admin, req={"bucketName": "shop-customer-exports", "Host": "shop-customer-exports.s3.us-east-1.amazonaws.com", "publicAccessBlock": ""}), "bucket BPA deleted"),
    hit(ct("PutBucketPublicAccessBlock", "s3.amazonaws.com", admin, req={"bucketName": "shop-customer-exports", "publicAccessBlock": "", "PublicAccessBlockConfiguration": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": False}}), "policy protections switched off"),
    miss(ct("PutBucketPublicAccessBlock", "s3.amazonaws.com", admin, req={"bucketName": "shop-customer-exports", "publicAccessBlock": "", "PublicAccessBlockConfiguration": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}}), "all four protections on"),
]
T["cloudtrail/ebs_snapshot_shared"] = [
    hit(ct("ModifySnapshotAttribute", "ec2.amazonaws.com", admin, req={"snapshotId": "snap-0a1b2c3d4e5f60718", "attributeType": "CREATE_VOLUME_PERMISSION", "createVolumePermission": {"add": {"items": [{"group": "all"}]}}}, resp={"requestId": det_uuid("r1"), "_return": True}), "snapshot made public"),
    hit(ct("ModifySnapshotAttribute", "ec2.amazonaws.com", web, ip=ATT, req={"snapshotId": "snap-0a1b2c3d4e5f60718", "attributeType": "CREATE_VOLUME_PERMISSION", "createVolumePermission": {"add": {"items": [{"userId": OTHER_ACCT}]}}}, resp={"requestId": det_uuid("r2"), "_return": True}), "snapshot shared with an unknown account"),
    miss(ct("ModifySnapshotAttribute", "ec2.amazonaws.com", admin, req={"snapshotId": "snap-0a1b2c3d4e5f60718", "attributeType": "CREATE_VOLUME_PERMISSION", "createVolumePermission": {"remove": {"items": [{"group": "all"}]}}}, resp={"_return": True}), "public permission removed"),
    miss(ct("ModifySnapshotAttribute", "ec2.amazonaws.com", admin, req={"snapshotId": "snap-0a1b2c3d4e5f60718", "attributeType": "CREATE_VOLUME_PERMISSION", "createVolumePermission": {"add": {"items": [{"userId": "000000000000"}]}}}, resp={"_return": True}), "shared with an account of %trusted_account_ids% (default sentinel)"),
]
T["cloudtrail/ami_shared"] = [
    hit(ct("ModifyImageAttribute", "ec2.amazonaws.com", admin, req={"imageId": "ami-0a1b2c3d4e5f60718", "attributeType": "launchPermission", "launchPermission": {"add": {"items": [{"group": "all"}]}}}, resp={"_return": True}), "AMI made public"),
    hit(ct("ModifyImageAttribute", "ec2.amazonaws.com", admin, req={"imageId": "ami-0a1b2c3d4e5f60718", "attributeType": "launchPermission", "launchPermission": {"add": {"items": [{"userId": OTHER_ACCT}]}}}, resp={"_return": True}), "AMI shared with another account"),
    miss(ct("ModifyImageAttribute", "ec2.amazonaws.com", admin, req={"imageId": "ami-0a1b2c3d4e5f60718", "attributeType": "description", "description": {"value": "golden image 2026-11"}}, resp={"_return": True}), "description changed"),
]
T["cloudtrail/rds_snapshot_shared"] = [
    hit(ct("ModifyDBSnapshotAttribute", "rds.amazonaws.com", admin, req={"dBSnapshotIdentifier": "shop-db-2026-11-19", "attributeName": "restore", "valuesToAdd": ["all"]}, resp={"dBSnapshotIdentifier": "shop-db-2026-11-19", "dBSnapshotAttributes": [{"attributeName": "restore", "attributeValues": ["all"]}]}), "RDS snapshot public"),
    hit(ct("ModifyDBClusterSnapshotAttribute", "rds.amazonaws.com", admin, req={"dBClusterSnapshotIdentifier": "shop-aurora-final", "attributeName": "restore", "valuesToAdd": [OTHER_ACCT]}, resp=None), "cluster snapshot shared with another account"),
    miss(ct("ModifyDBSnapshotAttribute", "rds.amazonaws.com", admin, req={"dBSnapshotIdentifier": "shop-db-2026-11-19", "attributeName": "restore", "valuesToRemove": ["all"]}, resp=None), "sharing removed"),
]
T["cloudtrail/ebs_default_encryption_disabled"] = [
    hit(ct("DisableEbsEncryptionByDefault", "ec2.amazonaws.com", admin, req={"DisableEbsEncryptionByDefaultRequest": ""}, resp={"DisableEbsEncryptionByDefaultResponse": {"ebsEncryptionByDefault": False}}), "default encryption off"),
    miss(ct("EnableEbsEncryptionByDefault", "ec2.amazonaws.com", admin, req={"EnableEbsEncryptionByDefaultRequest": ""}, resp={"EnableEbsEncryptionByDefaultResponse": {"ebsEncryptionByDefault": True}}), "default encryption on"),
]
T["cloudtrail/kms_key_disabled_or_deleted"] = [
    hit(ct("ScheduleKeyDeletion", "kms.amazonaws.com", admin, req={"keyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "pendingWindowInDays": 7}, resp={"keyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "deletionDate": "Nov 27, 2026, 10:00:00 AM", "keyState": "PendingDeletion", "pendingWindowInDays": 7}), "key deletion scheduled"),
    hit(ct("DisableKey", "kms.amazonaws.com", admin, req={"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}), "key disabled"),
    miss(ct("CancelKeyDeletion", "kms.amazonaws.com", admin, req={"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}), "deletion cancelled"),
    miss(ct("ScheduleKeyDeletion", "kms.amazonaws.com", web, ip=ATT, req={"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "pendingWindowInDays": 7}, err="AccessDeniedException"), "denied"),
]
T["cloudtrail/iam_admin_policy_attached"] = [
    hit(ct("AttachUserPolicy", "iam.amazonaws.com", web, ip=ATT, req={"userName": "build-bot", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}), "admin policy attached to a user"),
    hit(ct("AttachRolePolicy", "iam.amazonaws.com", admin, req={"roleName": "lambda-exec", "policyArn": "arn:aws:iam::aws:policy/IAMFullAccess"}), "IAMFullAccess attached to a role"),
    miss(ct("AttachRolePolicy", "iam.amazonaws.com", ci, req={"roleName": "lambda-exec", "policyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}), "read-only policy"),
    miss(ct("AttachUserPolicy", "iam.amazonaws.com", web, ip=ATT, req={"userName": "build-bot", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, err="AccessDenied"), "denied"),
]
allow_all = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "*",\n      "Resource": "*"\n    }\n  ]\n}'
deny_all = '{"Version":"2012-10-17","Statement":[{"Sid":"DenyAll","Effect":"Deny","Action":["*"],"Resource":["*"]}]}'
T["cloudtrail/iam_inline_policy_wildcard"] = [
    hit(ct("PutUserPolicy", "iam.amazonaws.com", web, ip=ATT, req={"userName": "build-bot", "policyName": "ops", "policyDocument": allow_all}), "inline allow-all on a user"),
    hit(ct("CreatePolicyVersion", "iam.amazonaws.com", admin, req={"policyArn": f"arn:aws:iam::{ACCT}:policy/deploy", "setAsDefault": True, "policyDocument": '{"Version":"2012-10-17","Statement":[{"Action":["*"],"Resource":"*","Effect":"Allow"}]}'}), "Action before Effect, list form"),
    miss(ct("PutUserPolicy", "iam.amazonaws.com", admin, req={"userName": "test-user", "policyName": "quarantine", "policyDocument": deny_all}), "deny-all quarantine policy"),
    miss(ct("PutRolePolicy", "iam.amazonaws.com", ci, req={"roleName": "lambda-exec", "policyName": "s3", "policyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::shop-assets/*"}]}'}), "service wildcard s3:* is not every action"),
]
T["cloudtrail/iam_access_key_for_other_user"] = [
    hit(ct("CreateAccessKey", "iam.amazonaws.com", alice, ip=ATT, req={"userName": "build-bot"}, resp={"accessKey": {"userName": "build-bot", "accessKeyId": "AKIAEXAMPLEBUILD0001", "status": "Active", "createDate": "Nov 20, 2026, 10:00:00 AM"}}), "user creates a key for another user"),
    hit(ct("CreateAccessKey", "iam.amazonaws.com", web, ip=ATT, req={"userName": "build-bot"}, resp={"accessKey": {"userName": "build-bot", "accessKeyId": "AKIAEXAMPLEBUILD0002", "status": "Active", "createDate": "Nov 20, 2026, 10:00:00 AM"}}), "role creates a key for a user"),
    miss(ct("CreateAccessKey", "iam.amazonaws.com", alice, req={"userName": "ops-alice"}, resp={"accessKey": {"userName": "ops-alice", "accessKeyId": "AKIAEXAMPLEOPSKEY002", "status": "Active", "createDate": "Nov 20, 2026, 10:00:00 AM"}}), "user rotates own key"),
    miss(ct("CreateAccessKey", "iam.amazonaws.com", alice, req=None, resp={"accessKey": {"userName": "ops-alice", "accessKeyId": "AKIAEXAMPLEOPSKEY003", "status": "Active", "createDate": "Nov 20, 2026, 10:00:00 AM"}}), "no userName: own key"),
]
T["cloudtrail/iam_login_profile_for_other_user"] = [
    hit(ct("UpdateLoginProfile", "iam.amazonaws.com", alice, ip=ATT, req={"userName": "finance-bob", "passwordResetRequired": False}), "password reset for another user"),
    hit(ct("CreateLoginProfile", "iam.amazonaws.com", web, ip=ATT, req={"userName": "build-bot", "passwordResetRequired": False}, resp={"loginProfile": {"userName": "build-bot", "createDate": "Nov 20, 2026, 10:00:00 AM", "passwordResetRequired": False}}), "console password given to a service user"),
    miss(ct("UpdateLoginProfile", "iam.amazonaws.com", alice, req={"userName": "ops-alice", "passwordResetRequired": False}), "own password change"),
]
new_user_t = "2026-11-20T10:10:00Z"
T["cloudtrail/iam_new_user_made_admin"] = seq("create_then_admin", [
    (ct("CreateUser", "iam.amazonaws.com", web, ip=ATT, t=new_user_t, req={"userName": "support-sync"}, resp={"user": {"path": "/", "userName": "support-sync", "userId": "AIDAEXAMPLESUPPORT01", "arn": f"arn:aws:iam::{ACCT}:user/support-sync", "createDate": "Nov 20, 2026, 10:10:00 AM"}}), None, "user created"),
    (ct("AttachUserPolicy", "iam.amazonaws.com", web, ip=ATT, t=ts(new_user_t, 40), req={"userName": "support-sync", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}), "match", "same user made admin 40 s later"),
]) + seq("create_then_group", [
    (ct("CreateUser", "iam.amazonaws.com", admin, t=new_user_t, req={"userName": "carol"}, resp={"user": {"userName": "carol", "arn": f"arn:aws:iam::{ACCT}:user/carol"}}), None, "user created"),
    (ct("AddUserToGroup", "iam.amazonaws.com", admin, t=ts(new_user_t, 120), req={"groupName": "Administrators", "userName": "carol"}), "match", "added to the Administrators group"),
]) + seq("create_then_readonly", [
    (ct("CreateUser", "iam.amazonaws.com", admin, t=new_user_t, req={"userName": "dave"}, resp={"user": {"userName": "dave"}}), None, "user created"),
    (ct("AttachUserPolicy", "iam.amazonaws.com", admin, t=ts(new_user_t, 60), req={"userName": "dave", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}), "no_match", "read-only policy"),
    (ct("AttachUserPolicy", "iam.amazonaws.com", admin, t=ts(new_user_t, 90), req={"userName": "erin", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}), "no_match", "admin given to a user that was not just created"),
]) + seq("admin_too_late", [
    (ct("CreateUser", "iam.amazonaws.com", admin, t=new_user_t, req={"userName": "frank"}, resp={"user": {"userName": "frank"}}), None, "user created"),
    (ct("AttachUserPolicy", "iam.amazonaws.com", admin, t=ts(new_user_t, 2 * 3600), req={"userName": "frank", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}), "no_match", "two hours later: outside the 1h window"),
])
T["cloudtrail/iam_role_trust_wildcard"] = [
    hit(ct("UpdateAssumeRolePolicy", "iam.amazonaws.com", admin, req={"roleName": "vendor-audit", "policyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'}), "trust opened to AWS *"),
    hit(ct("CreateRole", "iam.amazonaws.com", admin, req={"roleName": "open-role", "assumeRolePolicyDocument": '{\n "Version": "2012-10-17",\n "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]\n}'}), "new role trusting everyone"),
    miss(ct("UpdateAssumeRolePolicy", "iam.amazonaws.com", admin, req={"roleName": "lambda-exec", "policyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'}), "service principal"),
]
T["cloudtrail/iam_role_trust_account_root"] = [
    hit(ct("UpdateAssumeRolePolicy", "iam.amazonaws.com", web, ip=ATT, req={"roleName": "shop-web-role", "policyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}'}), "external account root added"),
    hit(ct("UpdateAssumeRolePolicy", "iam.amazonaws.com", admin, req={"roleName": "audit", "policyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole"}]}'}), "bare account id"),
    miss(ct("UpdateAssumeRolePolicy", "iam.amazonaws.com", admin, req={"roleName": "deploy", "policyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/github-deploy"},"Action":"sts:AssumeRole"}]}'}), "one named role"),
]
role_t = "2026-11-20T11:00:00Z"
T["cloudtrail/iam_backdoor_role"] = seq("backdoor", [
    (ct("CreateRole", "iam.amazonaws.com", web, ip=ATT, t=role_t, req={"roleName": "support-maint", "assumeRolePolicyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}'}, resp={"role": {"roleName": "support-maint", "arn": f"arn:aws:iam::{ACCT}:role/support-maint"}}), None, "role trusting an external account"),
    (ct("AttachRolePolicy", "iam.amazonaws.com", web, ip=ATT, t=ts(role_t, 30), req={"roleName": "support-maint", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}), "match", "made admin"),
]) + seq("service_role", [
    (ct("CreateRole", "iam.amazonaws.com", ci, t=role_t, req={"roleName": "batch-job", "assumeRolePolicyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}'}), None, "service role"),
    (ct("AttachRolePolicy", "iam.amazonaws.com", ci, t=ts(role_t, 30), req={"roleName": "batch-job", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}), "no_match", "admin on a service-trusted role: covered by the admin-policy rule, not a cross-account backdoor"),
])
T["cloudtrail/sts_federation_token"] = [
    hit(ct("GetFederationToken", "sts.amazonaws.com", alice, ip=ATT, req={"name": "console", "durationSeconds": 129600, "policy": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'}, resp={"credentials": {"accessKeyId": "ASIAEXAMPLEFED00001", "sessionToken": "<redacted>", "expiration": "Nov 21, 2026, 10:00:00 PM"}}), "federation token minted"),
    miss(ct("GetCallerIdentity", "sts.amazonaws.com", alice), "unrelated STS call"),
]
T["cloudtrail/sts_session_token_without_mfa"] = [
    hit(ct("GetSessionToken", "sts.amazonaws.com", alice, ip=ATT, req=None, resp={"credentials": {"accessKeyId": "ASIAEXAMPLESESS0009", "sessionToken": "<redacted>", "expiration": "Nov 21, 2026, 10:00:00 AM"}}), "no MFA serial in the request"),
    miss(ct("GetSessionToken", "sts.amazonaws.com", alice, req={"durationSeconds": 43200, "serialNumber": f"arn:aws:iam::{ACCT}:mfa/ops-alice", "tokenCode": "HIDDEN_DUE_TO_SECURITY_REASONS"}), "aws-vault style call with MFA"),
    miss(ct("GetSessionToken", "sts.amazonaws.com", admin, req=None), "not an IAM user"),
]
T["cloudtrail/ec2_instance_credentials_outside_aws"] = [
    hit(ct("GetCallerIdentity", "sts.amazonaws.com", web, ip=ATT, ua="aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/sts.get-caller-identity"), "instance credentials from an internet address"),
    hit(s3_data("GetObject", web, "shop-customer-exports", "exports/2026-11/customers-0001.csv.gz", ip=ATT, ua="aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0"), "data event from outside"),
    miss(ct("GetCallerIdentity", "sts.amazonaws.com", web, ip="10.1.4.23", ua=SDK_UA), "same session from the instance's private address"),
    miss(ct("PutObject", "s3.amazonaws.com", web, ip="s3.amazonaws.com", ua="s3.amazonaws.com", req={"bucketName": "shop-assets", "key": "x"}, extra={"userIdentity": dict(web, invokedBy="s3.amazonaws.com")}), "called by an AWS service"),
    miss(ct("GetCallerIdentity", "sts.amazonaws.com", alice, ip=ATT), "IAM user from the internet is not instance credentials"),
    miss(ct("CreateControlChannel", "ssmmessages.amazonaws.com", web, ip="192.0.2.77", ua="Amazon SSM Agent", req={"channelId": "ops-alice-0a1b2c3d4e5f6", "messageSchemaVersion": "1.0"}), "SSM agent channel from the instance's public IP"),
]
ext = [ct("GetCallerIdentity", "sts.amazonaws.com", web, ip=ATT, t=ts(B, 0)),
       ct("ListBuckets", "s3.amazonaws.com", web, ip=ATT, t=ts(B, 7), req={"Host": "s3.us-east-1.amazonaws.com"})]
T["cloudtrail/ec2_instance_credentials_list_buckets"] = seq("capital_one", [
    (ext[0], None, "stolen credentials first used from the internet"),
    (ext[1], "match", "then ListBuckets with the same key"),
]) + seq("internal_listbuckets", [
    (ext[0], None, "external call"),
    (ct("ListBuckets", "s3.amazonaws.com", web, ip="10.1.4.23", t=ts(B, 20), req={"Host": "s3.us-east-1.amazonaws.com"}), "no_match", "ListBuckets from the instance itself"),
]) + seq("listbuckets_first", [
    (ct("ListBuckets", "s3.amazonaws.com", web, ip=ATT, t=ts(B, 0), req={"Host": "s3.us-east-1.amazonaws.com"}), "no_match", "ListBuckets alone (order matters)"),
])
T["cloudtrail/s3_mass_getobject"] = seq("sweep", [
    (s3_data("GetObject", web, "shop-customer-exports", f"exports/2026-11/customers-{i:04d}.csv.gz", t=ts(B, 5 * i), ip=ATT), "match" if i == 29 else None, f"distinct object {i + 1}")
    for i in range(30)]) + seq("hot_objects", [
    (s3_data("GetObject", web, "shop-assets", f"img/p{i % 12}.jpg", t=ts(B, 2 * i)), "no_match" if i == 79 else None, "80 reads of 12 hot objects")
    for i in range(80)]) + seq("slow", [
    (s3_data("GetObject", web, "shop-customer-exports", f"exports/2026-11/customers-{i:04d}.csv.gz", t=ts(B, 20 * i)), "no_match" if i == 39 else None, "40 objects over 13 minutes: under 30 per 5 minutes")
    for i in range(40)])
T["cloudtrail/s3_mass_getobject"] += [
    hit(s3_data("GetObject", web, "shop-assets", "img/logo.png"), "any successful GetObject feeds the correlation", rule="aws_s3_getobject"),
    miss(s3_data("GetObject", web, "shop-assets", "img/missing.png", err="NoSuchKey"), "failed read", rule="aws_s3_getobject"),
    miss(s3_data("PutObject", web, "shop-assets", "img/logo.png"), "a write", rule="aws_s3_getobject"),
]
T["cloudtrail/s3_mass_delete"] = seq("wipe", [
    (s3_data("DeleteObject", web, "shop-customer-exports", f"exports/2026-11/customers-{i:04d}.csv.gz", t=ts(B, 3 * i), ip=ATT), "match" if i == 49 else None, f"delete {i + 1}")
    for i in range(50)]) + seq("cleanup", [
    (s3_data("DeleteObject", ci, "shop-build-cache", f"cache/{i:04d}.tar", t=ts(B, 30 * i)), "no_match" if i == 59 else None, "60 deletes spread over 30 minutes")
    for i in range(60)])
T["cloudtrail/s3_sse_c_encryption"] = [
    hit(s3_data("CopyObject", web, "shop-customer-exports", "exports/2026-11/customers-0001.csv.gz", ip=ATT, req_extra={"x-amz-copy-source": "shop-customer-exports/exports/2026-11/customers-0001.csv.gz", "x-amz-server-side-encryption-customer-algorithm": "AES256"}, add={"SSEApplied": "SSE_C"}), "object rewritten with an SSE-C key"),
    miss(s3_data("CopyObject", ci, "shop-assets", "img/logo.png", req_extra={"x-amz-copy-source": "shop-assets/img/logo.png", "x-amz-server-side-encryption": "aws:kms"}, add={"SSEApplied": "SSE_KMS"}), "KMS encryption"),
]
T["cloudtrail/secrets_manager_mass_read"] = seq("harvest", [
    (ct("GetSecretValue", "secretsmanager.amazonaws.com", web, ip=ATT, t=ts(B, 10 * i), req={"secretId": f"prod/db/credential-{i}"}), "match" if i == 9 else None, f"secret {i + 1}")
    for i in range(10)]) + seq("app_polls", [
    (ct("GetSecretValue", "secretsmanager.amazonaws.com", web, ip="10.1.4.23", t=ts(B, 10 * i), req={"secretId": f"prod/shop/{['db', 'stripe', 'smtp'][i % 3]}"}), "no_match" if i == 29 else None, "app re-reading its three secrets")
    for i in range(30)])
T["cloudtrail/ssm_parameters_mass_decrypt"] = seq("harvest", [
    (ct("GetParameter", "ssm.amazonaws.com", web, ip=ATT, t=ts(B, 5 * i), req={"name": f"/prod/shop/secret-{i}", "withDecryption": True}), "match" if i == 9 else None, f"parameter {i + 1}")
    for i in range(10)]) + seq("no_decrypt", [
    (ct("GetParameter", "ssm.amazonaws.com", web, ip="10.1.4.23", t=ts(B, 5 * i), req={"name": f"/prod/shop/flag-{i}"}), "no_match" if i == 11 else None, "plain parameters without decryption")
    for i in range(12)])
T["cloudtrail/secrets_manager_batch_get"] = [
    hit(ct("BatchGetSecretValue", "secretsmanager.amazonaws.com", web, ip=ATT, req={"filters": [{"key": "name", "values": ["prod"]}]}, resp=None), "batch read"),
    miss(ct("ListSecrets", "secretsmanager.amazonaws.com", web, ip=ATT, req={"maxResults": 100}), "listing names only"),
]
T["cloudtrail/ec2_user_data_modified"] = [
    hit(ct("ModifyInstanceAttribute", "ec2.amazonaws.com", admin, req={"instanceId": "i-0a1b2c3d4e5f60718", "userData": "<sensitiveDataRemoved>"}, resp={"requestId": det_uuid("ud"), "_return": True}), "user data replaced"),
    miss(ct("ModifyInstanceAttribute", "ec2.amazonaws.com", admin, req={"instanceId": "i-0a1b2c3d4e5f60718", "instanceType": {"value": "m5.large"}}, resp={"_return": True}), "instance type change"),
]
T["cloudtrail/ec2_user_data_downloaded"] = [
    hit(ct("DescribeInstanceAttribute", "ec2.amazonaws.com", web, ip=ATT, req={"instanceId": "i-0a1b2c3d4e5f60718", "attribute": "userData"}), "user data read"),
    miss(ct("DescribeInstanceAttribute", "ec2.amazonaws.com", admin, req={"instanceId": "i-0a1b2c3d4e5f60718", "attribute": "instanceType"}), "other attribute"),
    miss(ct("DescribeInstanceAttribute", "ec2.amazonaws.com", dict(assumed("cspm-audit", "scanner-42"), invokedBy="config.amazonaws.com"), ip="config.amazonaws.com", ua="config.amazonaws.com", req={"instanceId": "i-0a1b2c3d4e5f60718", "attribute": "userData"}), "read by an AWS service on a scanner's behalf"),
]
T["cloudtrail/ec2_get_password_data"] = [
    hit(ct("GetPasswordData", "ec2.amazonaws.com", admin, req={"instanceId": "i-0f9e8d7c6b5a40312"}), "password data read"),
    miss(ct("GetPasswordData", "ec2.amazonaws.com", web, ip=ATT, req={"instanceId": "i-0f9e8d7c6b5a40312"}, err="Client.UnauthorizedOperation"), "denied"),
]
T["cloudtrail/ec2_instance_connect_ssh_key"] = [
    hit(ct("SendSSHPublicKey", "ec2-instance-connect.amazonaws.com", web, ip=ATT, req={"instanceId": "i-0f9e8d7c6b5a40312", "instanceOSUser": "ec2-user", "sSHPublicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyOnlyForTests attacker"}, resp={"requestId": det_uuid("eic"), "success": True}), "key pushed"),
    hit(ct("EnableSerialConsoleAccess", "ec2.amazonaws.com", admin, req={"EnableSerialConsoleAccessRequest": ""}, resp={"EnableSerialConsoleAccessResponse": {"serialConsoleAccessEnabled": True}}), "serial console enabled"),
    miss(ct("DescribeInstances", "ec2.amazonaws.com", admin, req={"instancesSet": {}, "filterSet": {}}), "describe"),
]
T["cloudtrail/ssm_send_command_many_instances"] = seq("fanout", [
    (ct("SendCommand", "ssm.amazonaws.com", web, ip=ATT, t=ts(B, 20 * i), req={"documentName": "AWS-RunShellScript", "instanceIds": [f"i-0{i:016x}"], "interactive": False, "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS"}), "match" if i == 4 else None, f"command {i + 1}")
    for i in range(5)]) + seq("patching_document", [
    (ct("SendCommand", "ssm.amazonaws.com", ci, t=ts(B, 20 * i), req={"documentName": "AWS-RunPatchBaseline", "instanceIds": [f"i-0{i:016x}"]}), "no_match" if i == 7 else None, "patch baseline document")
    for i in range(8)])
T["cloudtrail/ssm_send_command_wide_target"] = [
    hit(ct("SendCommand", "ssm.amazonaws.com", web, ip=ATT, req={"documentName": "AWS-RunShellScript", "targets": [{"key": "tag:env", "values": ["prod"]}], "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS"}, resp={"command": {"commandId": det_uuid("cmd"), "documentName": "AWS-RunShellScript", "status": "Pending", "targetCount": 42, "maxConcurrency": "50", "maxErrors": "0"}}), "42 targets"),
    miss(ct("SendCommand", "ssm.amazonaws.com", admin, req={"documentName": "AWS-RunShellScript", "instanceIds": ["i-0f9e8d7c6b5a40312"]}, resp={"command": {"commandId": det_uuid("cmd2"), "documentName": "AWS-RunShellScript", "status": "Pending", "targetCount": 1}}), "single instance"),
]
T["cloudtrail/ssm_start_session_many_instances"] = seq("hopping", [
    (ct("StartSession", "ssm.amazonaws.com", alice, ip=ATT, t=ts(B, 60 * i), req={"target": f"i-0{i + 10:016x}"}, resp={"sessionId": f"ops-alice-0{i}a1b2c3d4e5f6", "tokenValue": "Value hidden due to security reasons.", "streamUrl": "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/x"}), "match" if i == 4 else None, f"session {i + 1}")
    for i in range(5)]) + seq("same_host", [
    (ct("StartSession", "ssm.amazonaws.com", alice, t=ts(B, 60 * i), req={"target": "i-0f9e8d7c6b5a40312"}), "no_match" if i == 5 else None, "six sessions to one host")
    for i in range(6)])
T["cloudtrail/lambda_function_code_updated"] = [
    hit(ct("UpdateFunctionCode20150331v2", "lambda.amazonaws.com", web, ip=ATT, req={"functionName": "order-notify", "zipFile": "<Binary Data>", "publish": True}, resp={"functionName": "order-notify", "codeSha256": "b3JkZXItbm90aWZ5LWJhY2tkb29y"}), "code replaced"),
    miss(ct("GetFunction20150331v2", "lambda.amazonaws.com", admin, req={"functionName": "order-notify"}), "read"),
]
T["cloudtrail/lambda_layer_changes"] = [
    hit(ct("PublishLayerVersion20181031", "lambda.amazonaws.com", web, ip=ATT, req={"layerName": "http-utils", "content": {"zipFile": "<Binary Data>"}, "compatibleRuntimes": ["python3.12"]}), "layer published"),
    hit(ct("UpdateFunctionConfiguration20150331v2", "lambda.amazonaws.com", web, ip=ATT, req={"functionName": "order-notify", "layers": [f"arn:aws:lambda:us-east-1:{OTHER_ACCT}:layer:http-utils:3"]}), "foreign layer attached"),
    miss(ct("UpdateFunctionConfiguration20150331v2", "lambda.amazonaws.com", ci, req={"functionName": "order-notify", "timeout": 30, "memorySize": 512}), "timeout change"),
]
T["cloudtrail/lambda_function_url_public"] = [
    hit(ct("CreateFunctionUrlConfig20211031", "lambda.amazonaws.com", web, ip=ATT, req={"functionName": "order-notify", "authType": "NONE"}, resp={"functionUrl": "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/", "authType": "NONE"}), "public URL"),
    miss(ct("CreateFunctionUrlConfig20211031", "lambda.amazonaws.com", ci, req={"functionName": "internal-api", "authType": "AWS_IAM"}), "IAM-authenticated URL"),
]
T["cloudtrail/roles_anywhere_trust_anchor"] = [
    hit(ct("CreateTrustAnchor", "rolesanywhere.amazonaws.com", web, ip=ATT, req={"name": "maint-ca", "enabled": True, "source": {"sourceType": "CERTIFICATE_BUNDLE", "sourceData": {"x509CertificateData": "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"}}}), "new trust anchor"),
    miss(ct("ListTrustAnchors", "rolesanywhere.amazonaws.com", admin, req=None), "listing"),
]
T["cloudtrail/organizations_leave"] = [
    hit(ct("LeaveOrganization", "organizations.amazonaws.com", root(), ip=ATT, ua=CONSOLE_UA), "account left the organization"),
    miss(ct("DescribeOrganization", "organizations.amazonaws.com", admin), "describe"),
]
def sg(perms):
    return {"groupId": "sg-0a1b2c3d4e5f60718", "ipPermissions": {"items": perms}}
T["cloudtrail/security_group_admin_port_open"] = [
    hit(ct("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", admin, req=sg([{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "groups": {}, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}, "ipv6Ranges": {}, "prefixListIds": {}}]), resp={"requestId": det_uuid("sg1"), "_return": True}), "SSH open to the world"),
    hit(ct("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", web, ip=ATT, req=sg([{"ipProtocol": "-1", "groups": {}, "ipRanges": {}, "ipv6Ranges": {"items": [{"cidrIpv6": "::/0"}]}, "prefixListIds": {}}]), resp={"_return": True}), "all traffic from ::/0"),
    hit(ct("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", admin, req=sg([{"ipProtocol": "tcp", "fromPort": 3000, "toPort": 3500, "groups": {}, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}, "ipv6Ranges": {}, "prefixListIds": {}}]), resp={"_return": True}), "range covering RDP"),
    miss(ct("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", admin, req=sg([{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "groups": {}, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}, "ipv6Ranges": {}, "prefixListIds": {}}]), resp={"_return": True}), "HTTPS open to the world is normal"),
    miss(ct("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", admin, req=sg([{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "groups": {}, "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}, "ipv6Ranges": {}, "prefixListIds": {}}]), resp={"_return": True}), "SSH from the VPC only"),
]
def run(itype, ident=ci, ip=OFFICE):
    return ct("RunInstances", "ec2.amazonaws.com", ident, ip=ip, req={"instancesSet": {"items": [{"imageId": "ami-0a1b2c3d4e5f60718", "minCount": 1, "maxCount": 1}]}, "instanceType": itype, "blockDeviceMapping": {}, "monitoring": {"enabled": False}, "disableApiTermination": False, "subnetId": "subnet-0a1b2c3d"}, resp={"instancesSet": {"items": [{"instanceId": "i-0123456789abcdef0", "instanceType": itype}]}})
T["cloudtrail/ec2_unusual_instance_type"] = [
    hit(run("p4d.24xlarge", web, ATT), "GPU instance"),
    hit(run("c7i.metal-48xl", web, ATT), "metal size outside the default allowlist"),
    miss(run("t3.medium"), "ordinary type"),
    miss(run("m6i.2xlarge"), "ordinary type"),
]
def bedrock(ident, ip="10.1.4.23"):
    return ct("InvokeModel", "bedrock.amazonaws.com", ident, ip=ip, ua=BOTO_UA, req={"modelId": "anthropic.claude-3-5-sonnet-20240620-v1:0"}, resp=None)
T["cloudtrail/bedrock_invocation_outside_baseline"] = [
    hit(bedrock(web, ATT), "web role invoking a model from outside"),
    hit(bedrock(alice, ATT), "IAM user key invoking a model"),
    miss(bedrock(assumed("bedrock-chat-app", "ecs-task-7f3a")), "baseline application role"),
]
T["cloudtrail/ses_enumeration"] = seq("recon", [
    (ct(n, "ses.amazonaws.com", web, ip=ATT, t=ts(B, 30 * i), req=None), "match" if i == 2 else None, n)
    for i, n in enumerate(["GetSendQuota", "ListIdentities", "GetAccountSendingEnabled"])]) + seq("single_call_repeated", [
    (ct("GetSendQuota", "ses.amazonaws.com", assumed("mailer", "mailer-task"), ip="10.1.5.9", t=ts(B, 60 * i), req=None), "no_match" if i == 4 else None, "mailer checking its quota")
    for i in range(5)])
T["cloudtrail/config_recorder_stopped"] = [
    hit(ct("StopConfigurationRecorder", "config.amazonaws.com", web, ip=ATT, req={"configurationRecorderName": "default"}), "recorder stopped"),
    miss(ct("StartConfigurationRecorder", "config.amazonaws.com", admin, req={"configurationRecorderName": "default"}), "recorder started"),
]
T["cloudtrail/security_hub_disabled"] = [
    hit(ct("DisableSecurityHub", "securityhub.amazonaws.com", admin, req=None), "security hub disabled"),
    miss(ct("GetFindings", "securityhub.amazonaws.com", admin, req={"maxResults": 100}), "reading findings"),
]
T["cloudtrail/s3_bucket_logging_disabled"] = [
    hit(ct("PutBucketLogging", "s3.amazonaws.com", web, ip=ATT, req={"bucketName": "shop-customer-exports", "Host": "shop-customer-exports.s3.us-east-1.amazonaws.com", "logging": "", "BucketLoggingStatus": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}}), "logging status emptied"),
    miss(ct("PutBucketLogging", "s3.amazonaws.com", admin, req={"bucketName": "shop-customer-exports", "logging": "", "BucketLoggingStatus": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "LoggingEnabled": {"TargetBucket": "acme-s3-access-logs", "TargetPrefix": "shop-customer-exports/"}}}), "logging enabled"),
]

import gen_rule_tests_more  # noqa: E402  (Kubernetes, web, S3 access, auth.log)
gen_rule_tests_more.add(T, hit, miss, seq)


def main():
    written = 0
    for rel, lines in sorted(T.items()):
        rule = ROOT / f"{rel}.yml"
        if not rule.exists():
            sys.exit(f"tests for a missing rule: {rel}")
        out = ROOT / f"{rel}.tests.jsonl"
        with out.open("w") as fh:
            for line in lines:
                fh.write(json.dumps(line, separators=(",", ":"), ensure_ascii=False) + "\n")
        written += 1
    missing = [str(p.relative_to(ROOT)) for p in sorted(ROOT.rglob("*.yml")) if p.with_suffix("").relative_to(ROOT).as_posix() not in T and p.name != "placeholders.yml"]
    print(f"wrote {written} test files")
    if missing:
        print("rules without tests:", *missing, sep="\n  ")


if __name__ == "__main__":
    main()
