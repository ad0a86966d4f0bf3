#!/usr/bin/env python3
"""Generates the bundled demo incident in examples/demo/ (deterministic: fixed seed, gzip mtime 0).

A Capital-One-style chain on 2026-11-20 (UTC), inside ~3000 ordinary records per source:
  03:14  Istio: SSRF through /fetch?url=... to the instance metadata service (role name, then its credentials)
  03:15  CloudTrail: the web instance role's credentials used from 198.51.100.42 (GetCallerIdentity, ListBuckets)
  03:16  CloudTrail data events + S3 server access logs: 30 distinct customer exports downloaded
  03:18  Kubernetes: the web service account token lists secrets in three namespaces, then execs into a pod
  03:19  auth.log: ssh brute force on the bastion, a successful guess, then sudo by a user not in sudoers
Every synthetic record is our own; internet addresses are documentation ranges, account 111122223333.

Usage: python3 tools/gen_demo.py [--check]
  --check  also evaluates the pack over the demo with tools/sigma_ref.py (needs pyyaml), fails if a
           benign record raises an alert or an attack step raises none, and (re)writes EXPECTED.md and
           expected_alerts.json.
"""
import datetime as dt
import gzip
import io
import json
import pathlib
import random
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from ctlib import (ACCT, BOTO_UA, CLI_UA, CONSOLE_UA, SDK_UA, assumed, auth_line, console_login, ct, det_uuid,  # noqa: E402
                   ec2_role, iam_user, istio_line, k8s, pod_spec, s3_data, s3_line)

REPO = pathlib.Path(__file__).resolve().parent.parent
OUT = REPO / "examples" / "demo"
ATT = "198.51.100.42"
DAY = dt.datetime(2026, 11, 20, 0, 0, 0)
GZIP_OVER = 300 * 1024
rng = random.Random(20261120)
ATTACK = set()  # ids of attack records


def iso(t, ms=False):
    if ms:
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def at(hh, mm, ss=0, us=0):
    return DAY.replace(hour=hh, minute=mm, second=ss, microsecond=us)


def rand_time(quiet=None):
    """A random time between 00:00 and 06:00, avoiding the attack window if quiet=(start, end)."""
    while True:
        t = DAY + dt.timedelta(seconds=rng.uniform(0, 6 * 3600), microseconds=rng.randint(0, 999999))
        if quiet and quiet[0] <= t <= quiet[1]:
            continue
        return t


def pick(seq):
    return seq[rng.randrange(len(seq))]


def rid_uuid():
    return "%08x-%04x-4%03x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
                                           0x8000 | rng.getrandbits(14), rng.getrandbits(48))


def rid_s3():
    return "%016X" % rng.getrandbits(64)


# ============================================================ CloudTrail
WEB_INSTANCES = ["i-0a1b2c3d4e5f60718", "i-0b2c3d4e5f6071829", "i-0c3d4e5f607182930"]
WORKER_INSTANCES = ["i-0d4e5f60718293a4b", "i-0e5f60718293a4b5c"]
OFFICE = ["203.0.113.20", "203.0.113.21"]
QUIET = (at(3, 8), at(3, 30))  # the web role's own benign calls pause around the attack (keeps counts exact)


def web_ident(i=None):
    inst = i or pick(WEB_INSTANCES)
    return ec2_role("shop-web-role", inst, key="ASIAEXAMPLEKEY0000" + str(WEB_INSTANCES.index(inst) + 1)), "10.1.4.%d" % (23 + WEB_INSTANCES.index(inst))


def worker_ident():
    inst = pick(WORKER_INSTANCES)
    return ec2_role("shop-worker-role", inst, key="ASIAEXAMPLEWRK0000" + str(WORKER_INSTANCES.index(inst) + 1)), "10.1.5.%d" % (40 + WORKER_INSTANCES.index(inst))


SSO_ADMIN = assumed("AWSReservedSSO_PlatformAdmin_5e1c2d3f4a5b6c7d", "alice@example.com", key="ASIAEXAMPLESSOADM01", sso=True)
SSO_RO = assumed("AWSReservedSSO_ReadOnly_0f3c1a2b3c4d5e6f", "bob@example.com", key="ASIAEXAMPLESSORO001", sso=True)
CI = assumed("github-deploy", "gha-8841", key="ASIAEXAMPLECI000001")
MAILER = assumed("mailer", "mailer-task-1", key="ASIAEXAMPLEMAIL0001")
BEDROCK_APP = assumed("bedrock-chat-app", "ecs-task-7f3a", key="ASIAEXAMPLEBDRK0001")
ALICE = iam_user("ops-alice", key="AKIAEXAMPLEOPSKEY001")
AUTOSCALING = {"type": "AssumedRole", "principalId": "AROAEXAMPLEASGSLR001:AutoScaling",
               "arn": f"arn:aws:sts::{ACCT}:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling", "accountId": ACCT,
               "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEASGSLR001",
                                                    "arn": f"arn:aws:iam::{ACCT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                                                    "accountId": ACCT, "userName": "AWSServiceRoleForAutoScaling"},
                                  "attributes": {"creationDate": "2026-11-20T00:00:00Z", "mfaAuthenticated": "false"}},
               "invokedBy": "autoscaling.amazonaws.com"}
ASSET_KEYS = [f"img/products/{n:03d}.jpg" for n in range(1, 19)] + ["css/site.css", "js/app.js", "img/logo.png"]
SECRETS = ["prod/shop/db", "prod/shop/stripe", "prod/shop/smtp"]
PARAMS = ["/prod/shop/feature-flags", "/prod/shop/db-password", "/prod/shop/session-key"]


def benign_cloudtrail(t):
    """One ordinary management or data event at time t."""
    roll = rng.random()
    quiet = QUIET[0] <= t <= QUIET[1]
    if roll < 0.22 and not quiet:
        ident, ip = web_ident()
        return s3_data("GetObject", ident, "shop-assets", pick(ASSET_KEYS), t=iso(t), ip=ip, eid=rid_uuid())
    if roll < 0.30:
        ident, ip = worker_ident()
        return s3_data("PutObject", ident, "shop-uploads", f"orders/{t:%Y/%m/%d}/{rng.randrange(10**6):06d}.json", t=iso(t), ip=ip, eid=rid_uuid())
    if roll < 0.40:
        ident, ip = worker_ident()
        return ct(pick(["Decrypt", "GenerateDataKey"]), "kms.amazonaws.com", ident, t=iso(t), ip=ip, ua=SDK_UA,
                  req={"encryptionContext": {"aws:s3:arn": "arn:aws:s3:::shop-uploads"}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
                  eid=rid_uuid(), read_only=True, resources=[{"accountId": ACCT, "type": "AWS::KMS::Key", "ARN": f"arn:aws:kms:us-east-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"}])
    if roll < 0.46 and not quiet:
        ident, ip = web_ident()
        return ct("GetSecretValue", "secretsmanager.amazonaws.com", ident, t=iso(t), ip=ip, ua=SDK_UA, req={"secretId": pick(SECRETS)}, eid=rid_uuid())
    if roll < 0.50 and not quiet:
        ident, ip = web_ident()
        return ct("GetParameter", "ssm.amazonaws.com", ident, t=iso(t), ip=ip, ua=SDK_UA, req={"name": pick(PARAMS), "withDecryption": True}, eid=rid_uuid())
    if roll < 0.56:
        ident, ip = worker_ident()
        return ct(pick(["ReceiveMessage", "DeleteMessage", "SendMessage"]), "sqs.amazonaws.com", ident, t=iso(t), ip=ip, ua=SDK_UA,
                  req={"queueUrl": f"https://sqs.us-east-1.amazonaws.com/{ACCT}/shop-orders"}, eid=rid_uuid(), read_only=False)
    if roll < 0.63:
        ident = pick([SSO_ADMIN, SSO_RO])
        name = pick(["DescribeInstances", "DescribeSecurityGroups", "DescribeVpcs", "DescribeVolumes", "DescribeSubnets"])
        return ct(name, "ec2.amazonaws.com", ident, t=iso(t), ip=pick(OFFICE), ua=CONSOLE_UA, req={"maxResults": 1000, "filterSet": {}}, eid=rid_uuid())
    if roll < 0.67:
        ident = pick([SSO_ADMIN, SSO_RO])
        name = pick(["ListRoles", "GetRole", "ListPolicies", "GetAccountSummary", "ListUsers"])
        req = {"roleName": "shop-web-role"} if name == "GetRole" else None
        return ct(name, "iam.amazonaws.com", ident, t=iso(t), ip=pick(OFFICE), ua=CONSOLE_UA, req=req, eid=rid_uuid())
    if roll < 0.70:
        ident = pick([SSO_ADMIN, SSO_RO])
        return ct(pick(["ListBuckets", "GetBucketPolicy", "GetBucketAcl", "GetBucketEncryption"]), "s3.amazonaws.com", ident, t=iso(t), ip=pick(OFFICE), ua=CONSOLE_UA,
                  req={"Host": "s3.us-east-1.amazonaws.com", "bucketName": pick(["shop-assets", "shop-uploads", "shop-customer-exports"])}, eid=rid_uuid())
    if roll < 0.74:
        return ct(pick(["PutMetricData", "GetMetricData"]), "monitoring.amazonaws.com", worker_ident()[0], t=iso(t), ip="10.1.5.40", ua=SDK_UA, req={"namespace": "Shop/Orders"}, eid=rid_uuid())
    if roll < 0.77:
        return ct(pick(["CreateLogStream", "DescribeLogStreams"]), "logs.amazonaws.com", worker_ident()[0], t=iso(t), ip="10.1.5.41", ua=SDK_UA,
                  req={"logGroupName": "/ecs/shop-worker", "logStreamName": f"ecs/worker/{rng.getrandbits(64):016x}"}, eid=rid_uuid())
    if roll < 0.80:
        name = pick(["DescribeServices", "UpdateService", "RegisterTaskDefinition", "DescribeTaskDefinition"])
        return ct(name, "ecs.amazonaws.com", CI, t=iso(t), ip=pick(["192.0.2.140", "192.0.2.141"]), ua=BOTO_UA, req={"cluster": "shop", "service": "shop-worker"}, eid=rid_uuid())
    if roll < 0.82:
        return ct(pick(["PutImage", "InitiateLayerUpload", "CompleteLayerUpload", "BatchCheckLayerAvailability"]), "ecr.amazonaws.com", CI, t=iso(t), ip="192.0.2.140", ua=BOTO_UA,
                  req={"repositoryName": "shop/web", "registryId": ACCT}, eid=rid_uuid())
    if roll < 0.84:
        return ct("AssumeRoleWithWebIdentity", "sts.amazonaws.com", {"type": "WebIdentityUser", "principalId": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:example/shop:ref:refs/heads/main", "userName": "repo:example/shop:ref:refs/heads/main", "identityProvider": f"arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com"},
                  t=iso(t), ip="192.0.2.140", ua="aws-sdk-nodejs/2.1563.0 linux/v20.11.1 configure-aws-credentials-for-github",
                  req={"roleArn": f"arn:aws:iam::{ACCT}:role/github-deploy", "roleSessionName": "gha-8841", "durationSeconds": 3600},
                  resp={"assumedRoleUser": {"assumedRoleId": "AROAGITHUBDEPLOYEXMPL:gha-8841", "arn": f"arn:aws:sts::{ACCT}:assumed-role/github-deploy/gha-8841"}}, eid=rid_uuid())
    if roll < 0.86:
        return ct("GetSendQuota", "ses.amazonaws.com", MAILER, t=iso(t), ip="10.1.5.60", ua=BOTO_UA, req=None, eid=rid_uuid())
    if roll < 0.88:
        return ct(pick(["InvokeModel", "Converse"]), "bedrock.amazonaws.com", BEDROCK_APP, t=iso(t), ip="10.1.6.12", ua=BOTO_UA,
                  req={"modelId": "anthropic.claude-3-5-sonnet-20240620-v1:0"}, eid=rid_uuid())
    if roll < 0.90:
        itype = pick(["t3.medium", "m6i.large", "c6i.xlarge"])
        return ct("RunInstances", "ec2.amazonaws.com", AUTOSCALING, t=iso(t), ip="autoscaling.amazonaws.com", ua="autoscaling.amazonaws.com",
                  req={"instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]}, "instanceType": itype, "launchTemplate": {"launchTemplateId": "lt-0a1b2c3d4e5f60718", "version": "7"}, "subnetId": "subnet-0a1b2c3d"},
                  resp={"instancesSet": {"items": [{"instanceId": "i-0%016x" % rng.getrandbits(60), "instanceType": itype}]}}, eid=rid_uuid())
    if roll < 0.92:
        return ct(pick(["ListAccessKeys", "GetUser", "ListMFADevices", "ListSSHPublicKeys"]), "iam.amazonaws.com", ALICE, t=iso(t), ip=pick(OFFICE), eid=rid_uuid())
    if roll < 0.93:
        return ct("GetSessionToken", "sts.amazonaws.com", ALICE, t=iso(t), ip=pick(OFFICE), req={"durationSeconds": 43200, "serialNumber": f"arn:aws:iam::{ACCT}:mfa/ops-alice", "tokenCode": "HIDDEN_DUE_TO_SECURITY_REASONS"},
                  resp={"credentials": {"accessKeyId": "ASIAEXAMPLEALICE0%02d" % rng.randrange(100), "sessionToken": "<redacted>", "expiration": "Nov 20, 2026, 9:00:00 PM"}}, eid=rid_uuid())
    if roll < 0.94:
        ok = rng.random() < 0.85
        return console_login(ALICE, ok=ok, mfa="Yes" if ok else "No", t=iso(t), ip=pick(OFFICE), eid=rid_uuid())
    if roll < 0.95:
        return console_login(pick([SSO_ADMIN, SSO_RO]), ok=True, mfa="No", t=iso(t), ip=pick(OFFICE), eid=rid_uuid())
    if roll < 0.96:
        port, cidr = pick([(443, "0.0.0.0/0"), (22, "10.0.0.0/8"), (5432, "10.1.0.0/16")])
        return ct("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", SSO_ADMIN, t=iso(t), ip=pick(OFFICE), ua=CONSOLE_UA,
                  req={"groupId": "sg-0%016x" % rng.getrandbits(60), "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": port, "toPort": port, "groups": {}, "ipRanges": {"items": [{"cidrIp": cidr}]}, "ipv6Ranges": {}, "prefixListIds": {}}]}},
                  resp={"_return": True}, eid=rid_uuid())
    if roll < 0.97:
        return ct("SendCommand", "ssm.amazonaws.com", assumed("patch-manager", "maintenance-window"), t=iso(t), ip="ssm.amazonaws.com", ua="ssm.amazonaws.com",
                  req={"documentName": "AWS-RunPatchBaseline", "instanceIds": [pick(WORKER_INSTANCES)], "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS"},
                  resp={"command": {"commandId": rid_uuid(), "documentName": "AWS-RunPatchBaseline", "targetCount": 1, "status": "Pending"}}, eid=rid_uuid())
    if roll < 0.98:
        ident, ip = worker_ident()
        return ct("GetCallerIdentity", "sts.amazonaws.com", ident, t=iso(t), ip=ip, ua=SDK_UA, eid=rid_uuid())
    if roll < 0.99:
        return ct("DescribeStacks", "cloudformation.amazonaws.com", CI, t=iso(t), ip="192.0.2.141", ua=BOTO_UA, req={"stackName": "shop-prod"}, eid=rid_uuid())
    return ct(pick(["PutObject", "GetObject"]), "s3.amazonaws.com", CI, t=iso(t), ip="192.0.2.140", ua=BOTO_UA, err="AccessDenied", errmsg="Access Denied",
              req={"bucketName": "shop-customer-exports", "key": "exports/latest.csv.gz"}, data=True, eid=rid_uuid())


def attack_cloudtrail():
    stolen = ec2_role("shop-web-role", WEB_INSTANCES[0], key="ASIAEXAMPLEKEY00001")
    ua = "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off"
    recs = [ct("GetCallerIdentity", "sts.amazonaws.com", stolen, t=iso(at(3, 15, 2)), ip=ATT, ua=ua + " command/sts.get-caller-identity",
               eid="4f0c6a61-8d2e-4c52-a7a3-1b9e6f1d0c01"),
            ct("ListBuckets", "s3.amazonaws.com", stolen, t=iso(at(3, 15, 9)), ip=ATT, ua=ua + " command/s3.ls",
               req={"Host": "s3.us-east-1.amazonaws.com"}, eid="4f0c6a61-8d2e-4c52-a7a3-1b9e6f1d0c02")]
    s3_ids = []
    for i in range(30):
        t = at(3, 16, 0) + dt.timedelta(seconds=4 * i, milliseconds=rng.randint(0, 999))
        key = f"exports/2026-11/customers-{i + 1:04d}.csv.gz"
        r = s3_data("GetObject", stolen, "shop-customer-exports", key, t=iso(t), ip=ATT, ua=ua + " command/s3.cp",
                    eid="4f0c6a61-8d2e-4c52-a7a3-1b9e6f1d%04x" % (0x100 + i), add={"bytesTransferredOut": 48213377 - 1000 * i})
        r["requestID"] = "A7C3E1%010X" % (0xD0000 + i)
        s3_ids.append((t, key, r["requestID"], 48213377 - 1000 * i))
        recs.append(r)
    for r in recs:
        ATTACK.add(r["eventID"])
    return recs, s3_ids


# ============================================================ Kubernetes
NODES = ["ip-10-1-2-11.ec2.internal", "ip-10-1-2-12.ec2.internal", "ip-10-1-3-21.ec2.internal"]
HUMANS = [("alice@example.com", ["system:authenticated", "oidc:platform"]), ("bob@example.com", ["system:authenticated", "oidc:developers"])]


def benign_k8s(t):
    roll = rng.random()
    ts_ = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    if roll < 0.30:
        node = pick(NODES)
        return k8s("update", "leases", user=f"system:node:{node}", groups=["system:nodes", "system:authenticated"], ns="kube-node-lease", name=node,
                   api_group="coordination.k8s.io", t=ts_, ip="10.1.2.11", ua="kubelet/v1.29.3 (linux/amd64) kubernetes/6813625",
                   reason="", aid=rid_uuid())
    if roll < 0.42:
        node = pick(NODES)
        return k8s("patch", "nodes", user=f"system:node:{node}", groups=["system:nodes", "system:authenticated"], ns=None, name=node, sub="status",
                   t=ts_, ip="10.1.2.12", ua="kubelet/v1.29.3 (linux/amd64) kubernetes/6813625", reason="", aid=rid_uuid())
    if roll < 0.52:
        return k8s(pick(["get", "list", "watch"]), pick(["endpointslices", "services", "configmaps"]), user="system:serviceaccount:kube-system:coredns",
                   ns=None if rng.random() < 0.5 else "kube-system", api_group="discovery.k8s.io" if rng.random() < 0.3 else "", t=ts_, ip="10.1.2.30",
                   ua="coredns/v1.11.1 (linux/amd64) kubernetes/v1.29", reason='RBAC: allowed by ClusterRoleBinding "system:coredns" of ClusterRole "system:coredns" to ServiceAccount "coredns/kube-system"', aid=rid_uuid())
    if roll < 0.60:
        ns = pick(["shop", "payments"])
        name = f"{'web' if ns == 'shop' else 'api'}-{rng.getrandbits(24):06x}-{rng.getrandbits(20):05x}"
        return k8s("create", "pods", user="system:serviceaccount:kube-system:replicaset-controller", ns=ns, t=ts_, ip="10.1.0.10",
                   ua="kube-controller-manager/v1.29.3 (linux/amd64) kubernetes/6813625/system:serviceaccount:kube-system:replicaset-controller",
                   req_obj=pod_spec(name, ns, sa="web" if ns == "shop" else "api"), reason='RBAC: allowed by ClusterRoleBinding "system:controller:replicaset-controller" of ClusterRole "system:controller:replicaset-controller" to ServiceAccount "replicaset-controller/kube-system"', aid=rid_uuid())
    if roll < 0.63:
        name = f"aws-node-{rng.getrandbits(20):05x}"
        spec = pod_spec(name, "kube-system", image="602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.18.3", privileged=True, host_network=True, host_path="/var/run/aws-node")
        return k8s("create", "pods", user="system:serviceaccount:kube-system:daemon-set-controller", ns="kube-system", t=ts_, ip="10.1.0.10",
                   ua="kube-controller-manager/v1.29.3 (linux/amd64) kubernetes/6813625/system:serviceaccount:kube-system:daemon-set-controller", req_obj=spec, aid=rid_uuid())
    if roll < 0.70:
        return k8s("list", "pods", user="system:serviceaccount:shop:web", ns="shop", t=ts_, ip="10.1.4.23",
                   ua="shop-web/1.42.0 (linux/amd64) client-go/v0.29.2", reason='RBAC: allowed by RoleBinding "web-read/shop" of Role "pod-reader" to ServiceAccount "web/shop"', aid=rid_uuid())
    if roll < 0.74:
        ns = pick(["shop", "payments", "monitoring"])
        return k8s("get", "secrets", user="system:serviceaccount:cert-manager:cert-manager", ns=ns, name=f"{ns}-tls", t=ts_, ip="10.1.2.44",
                   ua="cert-manager-controller/v1.14.4 (linux/amd64) cert-manager/2d1ef3ad", reason='RBAC: allowed by ClusterRoleBinding "cert-manager-controller-certificates" of ClusterRole "cert-manager-controller-certificates" to ServiceAccount "cert-manager/cert-manager"', aid=rid_uuid())
    if roll < 0.76:
        return k8s("watch", "secrets", user="system:serviceaccount:argocd:argocd-application-controller", ns=None, t=ts_, ip="10.1.2.45",
                   ua="argocd-application-controller/v2.10.6 (linux/amd64) kubernetes/$Format", reason='RBAC: allowed by ClusterRoleBinding "argocd-application-controller" of ClusterRole "argocd-application-controller" to ServiceAccount "argocd-application-controller/argocd"', aid=rid_uuid())
    if roll < 0.86:
        user, groups = pick(HUMANS)
        verb, res, sub = pick([("get", "pods", None), ("list", "pods", None), ("get", "pods", "log"), ("list", "deployments", None), ("list", "events", None), ("get", "configmaps", None)])
        ns = pick(["shop", "payments"])
        return k8s(verb, res, user=user, groups=groups, ns=ns, name=f"web-{rng.getrandbits(20):05x}" if verb == "get" else None, sub=sub,
                   api_group="apps" if res == "deployments" else "", t=ts_, ip=pick(["203.0.113.20", "203.0.113.21"]),
                   reason=f'RBAC: allowed by RoleBinding "team-edit/{ns}" of ClusterRole "edit" to Group "{groups[1]}"', aid=rid_uuid())
    if roll < 0.88:
        user, groups = pick(HUMANS)
        return k8s("get", "secrets", user=user, groups=groups, ns="shop", name="shop-tls", t=ts_, ip="203.0.113.20",
                   reason=f'RBAC: allowed by RoleBinding "team-edit/shop" of ClusterRole "edit" to Group "{groups[1]}"', aid=rid_uuid())
    if roll < 0.93:
        uri = pick(["/healthz", "/readyz", "/livez", "/version"])
        return k8s("get", uri.strip("/"), user="system:anonymous", ns=None, t=ts_, ip="10.1.0.5", ua="kube-probe/1.29", uri=uri,
                   reason='RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated"', aid=rid_uuid())
    if roll < 0.96:
        return k8s("list", "pods", user="system:serviceaccount:monitoring:prometheus", ns=None, t=ts_, ip="10.1.2.50",
                   ua="prometheus/v2.51.2", reason='RBAC: allowed by ClusterRoleBinding "prometheus" of ClusterRole "prometheus" to ServiceAccount "prometheus/monitoring"', aid=rid_uuid())
    return k8s("list", "pods", user="system:serviceaccount:payments:api", ns="shop", t=ts_, ip="10.1.4.60", ua="payments-api/2.3.1 client-go/v0.29.2",
               decision="forbid", code=403, reason="", aid=rid_uuid())


def attack_k8s():
    recs = []
    web_sa = "system:serviceaccount:shop:web"
    ua = "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819"
    for i, ns in enumerate(["shop", "payments", "monitoring"]):
        recs.append(k8s("list", "secrets", user=web_sa, ns=ns, t=iso(at(3, 18, 5 + 6 * i)), ip="10.1.4.23", ua=ua,
                        reason=f'RBAC: allowed by ClusterRoleBinding "web-legacy-read" of ClusterRole "view-secrets" to ServiceAccount "web/shop"',
                        aid=f"7d3e9b20-5a1c-4e8f-9b6d-2c4a8e0f1a{i:02d}"))
    recs.append(k8s("create", "pods", user=web_sa, ns="payments", name="api-5c8d9f-2kq9z", sub="exec", t=iso(at(3, 18, 40)), ip="10.1.4.23", ua=ua,
                    reason='RBAC: allowed by ClusterRoleBinding "web-legacy-read" of ClusterRole "view-secrets" to ServiceAccount "web/shop"',
                    aid="7d3e9b20-5a1c-4e8f-9b6d-2c4a8e0f1a10"))
    for r in recs:
        ATTACK.add(r["auditID"])
    return recs


# ============================================================ Istio
UAS = ["Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
       "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
       "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
       "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
       "ShopApp/4.2.0 (Android 14; Pixel 8)",
       "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"]
CLIENTS = [f"203.0.113.{n}" for n in range(2, 250, 3)] + [f"192.0.2.{n}" for n in range(20, 200, 7)]
WORDS = ["red shoes", "winter jacket", "usb-c cable", "coffee grinder", "union station mug", "select tea box", "garden chair", "sleep mask"]


def benign_istio(t):
    roll = rng.random()
    client = pick(CLIENTS)
    ua = pick(UAS)
    method, status, sent, recv = "GET", 200, rng.randint(800, 48000), 0
    if roll < 0.30:
        path = f"/products/{rng.randint(1, 480)}"
    elif roll < 0.48:
        path = pick(["/static/css/site.css", "/static/js/app.js", "/static/img/logo.svg", "/favicon.ico"])
        sent = rng.randint(300, 90000)
    elif roll < 0.58:
        path = "/search?q=" + pick(WORDS).replace(" ", "+") + f"&page={rng.randint(1, 4)}"
    elif roll < 0.66:
        path, method, status, recv, sent = "/api/cart", "POST", 201, rng.randint(80, 600), 96
    elif roll < 0.72:
        path = "/"
    elif roll < 0.77:
        path, method, recv, sent = "/api/login", "POST", rng.randint(60, 200), 27
        status = 401 if rng.random() < 0.2 else 200
    elif roll < 0.84:
        path, client, ua, sent = pick(["/healthz", "/readyz"]), "-", "kube-probe/1.29", 2
    elif roll < 0.88:
        path, status, sent = f"/products/{rng.randint(9000, 9999)}", 404, 153
    elif roll < 0.92:
        path = f"/api/orders?customer={rng.randint(1000, 99999)}&sort=desc"
        ua = pick(UAS[:4])
    elif roll < 0.95:
        path, status = "/admin", 403
        sent = 19
    elif roll < 0.98:
        path = f"/fetch?url=https://cdn.example.com/img/banner-{rng.randint(1, 12)}.webp"
    else:
        path = "/robots.txt"
    peer = f"10.1.0.17:{rng.randint(32768, 60999)}"
    xff = client if client != "-" else "-"
    line = istio_line(path, t=iso(t, ms=True), method=method, status=status, xff=xff, ua=ua, rid=rid_uuid(),
                      upstream=f"10.1.4.{rng.choice([23, 24, 25])}:8080", sent=sent, recv=recv, dur=rng.randint(2, 180),
                      peer=peer if client != "-" else "10.1.0.5:43120", proto=pick(["HTTP/1.1", "HTTP/2"]))
    return line


def attack_istio():
    lines = []
    for i, (sec, path, sent) in enumerate([
            (7, "/fetch?url=http://169.254.169.254/latest/meta-data/iam/security-credentials/", 13),
            (11, "/fetch?url=http://169.254.169.254/latest/meta-data/iam/security-credentials/shop-web-role", 1312)]):
        rid = f"9a7d2c44-18e3-4f6b-8e0a-5c3b1d9f2e{70 + i:02d}"
        lines.append(istio_line(path, t=iso(at(3, 14, sec, 123000), ms=True), xff=ATT, ua="curl/8.4.0", rid=rid, sent=sent, dur=23,
                                upstream="10.1.4.23:8080", peer="10.1.0.17:52118"))
        ATTACK.add(rid)
    return lines


# ============================================================ S3 server access
def s3_time(t):
    return t.strftime("%d/%b/%Y:%H:%M:%S +0000")


WEB_REQ = [f"arn:aws:sts::{ACCT}:assumed-role/shop-web-role/{i}" for i in WEB_INSTANCES]
WORKER_REQ = [f"arn:aws:sts::{ACCT}:assumed-role/shop-worker-role/{i}" for i in WORKER_INSTANCES]


def benign_s3(t):
    roll = rng.random()
    rid = rid_s3()
    if roll < 0.55:
        n = rng.randrange(3)
        return s3_line("shop-assets", "REST.GET.OBJECT", pick(ASSET_KEYS), t=s3_time(t), ip=f"10.1.4.{23 + n}", requester=WEB_REQ[n], rid=rid,
                       size=rng.randint(2000, 240000), ua=SDK_UA.split(" ")[0] + " " + SDK_UA.split(" ")[1])
    if roll < 0.63:
        n = rng.randrange(3)
        return s3_line("shop-assets", "REST.HEAD.OBJECT", pick(ASSET_KEYS), t=s3_time(t), ip=f"10.1.4.{23 + n}", requester=WEB_REQ[n], rid=rid, method="HEAD", size=rng.randint(2000, 240000))
    if roll < 0.80:
        n = rng.randrange(2)
        key = f"orders/{t:%Y/%m/%d}/{rng.randrange(10**6):06d}.json"
        return s3_line("shop-uploads", "REST.PUT.OBJECT", key, t=s3_time(t), ip=f"10.1.5.{40 + n}", requester=WORKER_REQ[n], rid=rid, method="PUT", size=rng.randint(400, 9000))
    if roll < 0.88:
        n = rng.randrange(2)
        return s3_line("shop-uploads", "REST.GET.OBJECT", f"orders/{t:%Y/%m/%d}/{rng.randrange(10**6):06d}.json", t=s3_time(t), ip=f"10.1.5.{40 + n}", requester=WORKER_REQ[n], rid=rid, size=rng.randint(400, 9000))
    if roll < 0.92:
        b = pick(["shop-assets", "shop-uploads", "shop-customer-exports"])
        op, q = pick([("REST.GET.BUCKETPOLICY", "policy"), ("REST.GET.VERSIONING", "versioning"), ("REST.GET.ENCRYPTION", "encryption"), ("REST.GET.ACL", "acl")])
        return s3_line(b, op, "-", t=s3_time(t), ip=pick(OFFICE), requester=f"arn:aws:sts::{ACCT}:assumed-role/AWSReservedSSO_ReadOnly_0f3c1a2b3c4d5e6f/bob@example.com",
                       rid=rid, ua="S3Console/0.4", uri=f"GET /{b}?{q} HTTP/1.1", size="-", sent=rng.randint(100, 900))
    if roll < 0.97:
        key = f"exports/2026-10/report-{rng.randint(1, 12):02d}.csv.gz"
        return s3_line("shop-customer-exports", "REST.GET.OBJECT", key, t=s3_time(t), ip="192.0.2.150",
                       requester=f"arn:aws:sts::{ACCT}:assumed-role/reporting/quicksight", rid=rid, ua="aws-internal/3 aws-sdk-java/1.12.600", size=rng.randint(10**5, 10**7))
    return s3_line("shop-customer-exports", "REST.GET.OBJECT", "exports/latest.csv.gz", t=s3_time(t), ip="192.0.2.140",
                   requester=f"arn:aws:sts::{ACCT}:assumed-role/github-deploy/gha-8841", rid=rid, status=403, err="AccessDenied", ua=BOTO_UA.split(" ")[0], size=243)


def attack_s3(s3_ids):
    lines = []
    for t, key, rid, size in s3_ids:
        lines.append((t + dt.timedelta(milliseconds=180), s3_line("shop-customer-exports", "REST.GET.OBJECT", key, t=s3_time(t), ip=ATT,
                      requester=WEB_REQ[0], rid=rid, ua="aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/s3.cp", size=size)))
        ATTACK.add(rid)
    return lines


# ============================================================ auth.log
def auth_ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}+00:00"


SCAN_IPS = [f"203.0.113.{n}" for n in (45, 61, 88, 102, 133, 177, 201, 230)]
USERS = ["admin", "test", "oracle", "ubuntu", "git", "postgres", "user", "pi"]


def benign_auth(t, pid):
    roll = rng.random()
    host = pick(["bastion-1", "bastion-1", "build-2"])
    if roll < 0.22:
        port = rng.randint(40000, 60999)
        who, src = pick([("deploy", "192.0.2.10"), ("alice", "203.0.113.20"), ("ci", "192.0.2.140")])
        return [(t, auth_line(f"Accepted publickey for {who} from {src} port {port} ssh2: ED25519 SHA256:q3VbqGx0dT8mZk1y2uYf9w1pE0a7XcVnR5sLhJkQwTo", t=auth_ts(t), host=host, pid=pid)),
                (t + dt.timedelta(milliseconds=40), auth_line(f"pam_unix(sshd:session): session opened for user {who}(uid=1001) by {who}(uid=0)", t=auth_ts(t + dt.timedelta(milliseconds=40)), host=host, pid=pid)),
                (t + dt.timedelta(seconds=rng.randint(20, 900)), auth_line(f"pam_unix(sshd:session): session closed for user {who}", t=auth_ts(t + dt.timedelta(seconds=1)), host=host, pid=pid))]
    if roll < 0.45:
        return [(t, auth_line("pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", t=auth_ts(t), host=host, prog="CRON", pid=pid)),
                (t + dt.timedelta(seconds=1), auth_line("pam_unix(cron:session): session closed for user root", t=auth_ts(t + dt.timedelta(seconds=1)), host=host, prog="CRON", pid=pid))]
    if roll < 0.55:
        cmd = pick(["/usr/bin/systemctl restart nginx", "/usr/bin/journalctl -u shop-web --since today", "/usr/bin/apt-get update", "/usr/bin/docker ps"])
        return [(t, auth_line(f"   alice : TTY=pts/{rng.randint(0, 3)} ; PWD=/home/alice ; USER=root ; COMMAND={cmd}", t=auth_ts(t), host=host, prog="sudo", pid=None)),
                (t + dt.timedelta(milliseconds=5), auth_line("pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1001)", t=auth_ts(t + dt.timedelta(milliseconds=5)), host=host, prog="sudo", pid=None)),
                (t + dt.timedelta(seconds=2), auth_line("pam_unix(sudo:session): session closed for user root", t=auth_ts(t + dt.timedelta(seconds=2)), host=host, prog="sudo", pid=None))]
    if roll < 0.75:
        ip = pick(SCAN_IPS)
        port = rng.randint(30000, 65000)
        user = pick(USERS)
        return [(t, auth_line(f"Invalid user {user} from {ip} port {port}", t=auth_ts(t), host="bastion-1", pid=pid)),
                (t + dt.timedelta(seconds=2), auth_line(f"Failed password for invalid user {user} from {ip} port {port} ssh2", t=auth_ts(t + dt.timedelta(seconds=2)), host="bastion-1", pid=pid)),
                (t + dt.timedelta(seconds=3), auth_line(f"Connection closed by invalid user {user} {ip} port {port} [preauth]", t=auth_ts(t + dt.timedelta(seconds=3)), host="bastion-1", pid=pid))]
    if roll < 0.85:
        ip = pick(SCAN_IPS)
        return [(t, auth_line(f"Connection closed by {ip} port {rng.randint(30000, 65000)} [preauth]", t=auth_ts(t), host="bastion-1", pid=pid))]
    if roll < 0.92:
        return [(t, auth_line(f"Received disconnect from 192.0.2.10 port {rng.randint(40000, 60999)}:11: disconnected by user", t=auth_ts(t), host=host, pid=pid)),
                (t + dt.timedelta(milliseconds=3), auth_line(f"Disconnected from user deploy 192.0.2.10 port {rng.randint(40000, 60999)}", t=auth_ts(t + dt.timedelta(milliseconds=3)), host=host, pid=pid))]
    return [(t, auth_line(f"New session {rng.randint(100, 9999)} of user deploy.", t=auth_ts(t), host=host, prog="systemd-logind", pid=612))]


def attack_auth():
    out = []
    base = at(3, 19, 2)
    for i in range(5):
        t = base + dt.timedelta(seconds=3 * i, microseconds=rng.randint(0, 999999))
        out.append((t, auth_line(f"Failed password for deploy from {ATT} port {41002 + i} ssh2", t=auth_ts(t), host="bastion-1", pid=2298 + i)))
    t = at(3, 19, 31, 402118)
    out.append((t, auth_line(f"Accepted password for deploy from {ATT} port 41011 ssh2", t=auth_ts(t), host="bastion-1", pid=2310)))
    t2 = t + dt.timedelta(milliseconds=35)
    out.append((t2, auth_line("pam_unix(sshd:session): session opened for user deploy(uid=1002) by deploy(uid=0)", t=auth_ts(t2), host="bastion-1", pid=2310)))
    t3 = at(3, 21, 40, 77310)
    out.append((t3, auth_line("   deploy : user NOT in sudoers ; TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/cat /etc/shadow", t=auth_ts(t3), host="bastion-1", prog="sudo", pid=None)))
    return out


# ============================================================ writing
def write(name, text):
    data = text.encode()
    path = OUT / name
    if len(data) > GZIP_OVER:
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
            gz.write(data)
        path = OUT / (name + ".gz")
        path.write_bytes(buf.getvalue())
    else:
        path.write_bytes(data)
    return path


def generate():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        if old.name not in ("EXPECTED.md", "expected_alerts.json", "README.md"):
            old.unlink()
    files = {}
    # CloudTrail: attack + 1900 benign as JSON lines; 1200 benign as a Records file (earlier delivery)
    attack, s3_ids = attack_cloudtrail()
    lines = [(r["eventTime"], r) for r in attack]
    for _ in range(1900):
        t = rand_time()
        lines.append((iso(t), benign_cloudtrail(t)))
    lines.sort(key=lambda x: x[0])
    files["cloudtrail"] = write("cloudtrail.jsonl", "".join(json.dumps(r, separators=(",", ":")) + "\n" for _, r in lines))
    recs = []
    for _ in range(1200):
        t = rand_time()
        recs.append((iso(t), benign_cloudtrail(t)))
    recs.sort(key=lambda x: x[0])
    files["cloudtrail_records"] = write("cloudtrail_records.json", json.dumps({"Records": [r for _, r in recs]}, separators=(",", ":")))
    # Kubernetes
    k = [(r["requestReceivedTimestamp"], r) for r in attack_k8s()]
    for _ in range(3000):
        t = rand_time()
        r = benign_k8s(t)
        r["requestReceivedTimestamp"] = t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        r["stageTimestamp"] = (t + dt.timedelta(milliseconds=rng.randint(1, 40))).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        k.append((r["requestReceivedTimestamp"], r))
    k.sort(key=lambda x: x[0])
    files["k8s_audit"] = write("k8s_audit.jsonl", "".join(json.dumps(r, separators=(",", ":")) + "\n" for _, r in k))
    # Istio
    il = [(ln[1:25], ln) for ln in attack_istio()]
    for _ in range(3000):
        t = rand_time()
        ln = benign_istio(t)
        il.append((ln[1:25], ln))
    il.sort(key=lambda x: x[0])
    files["istio"] = write("istio.log", "".join(ln + "\n" for _, ln in il))
    # S3 server access logs
    sl = attack_s3(s3_ids)
    for _ in range(3000):
        t = rand_time().replace(microsecond=0)
        sl.append((t, benign_s3(t)))
    sl.sort(key=lambda x: x[0])
    files["s3_access"] = write("s3_access.log", "".join(ln + "\n" for _, ln in sl))
    # auth.log
    al = attack_auth()
    attack_auth_lines = list(al)
    pid = 3000
    while len(al) < 3000:
        pid += rng.randint(1, 40)
        t = rand_time(quiet=(at(3, 18, 30), at(3, 22)))
        al.extend(benign_auth(t, pid))
    al.sort(key=lambda x: x[0])
    attack_lines = {ln for _, ln in attack_auth_lines if "session opened" not in ln}
    for n, (_, ln) in enumerate(al, 1):
        if ln in attack_lines:
            ATTACK.add(f"auth.log:{n}")
    files["auth_log"] = write("auth.log", "".join(ln + "\n" for _, ln in al))
    return files


def read_records(files):
    """(format, file name, record id, Record) for every record, per source, in file order."""
    import sigma_ref
    out = {}
    for key, path in files.items():
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        text = raw.decode()
        fmt = {"cloudtrail": "cloudtrail", "cloudtrail_records": "cloudtrail", "k8s_audit": "k8s_audit", "istio": "istio",
               "s3_access": "s3_access", "auth_log": "auth_log"}[key]
        if key == "cloudtrail_records":
            items = json.loads(text)["Records"]
        elif fmt in ("cloudtrail", "k8s_audit"):
            items = [json.loads(ln) for ln in text.splitlines()]
        else:
            items = text.splitlines()
        recs = []
        for i, item in enumerate(items, 1):
            r = sigma_ref.Record(fmt, item)
            if r.rid is None:
                r.rid = f"{path.name.removesuffix('.gz')}:{i}"
            r.src = path.name
            recs.append(r)
        out[key] = recs
    return out


def check(files):
    import yaml
    import sigma_ref
    import validate_rules
    placeholders = yaml.load((REPO / "rules" / "placeholders.yml").read_text(), Loader=validate_rules.StrLoader)["placeholders"]
    docs = [(p, d) for p, _, d in validate_rules.load_pack()]
    paths = {d["id"]: p for p, d in docs}
    alerts = []
    for key, recs in read_records(files).items():
        pack = sigma_ref.Pack(docs, placeholders)
        for rec, out in pack.stream(recs):
            for d, contributing in out:
                alerts.append((d, rec, contributing))
    problems = []
    for d, rec, contributing in alerts:
        benign = [r.rid for r in contributing if r.rid not in ATTACK]
        if benign:
            problems.append(f"benign record(s) alerted by {d['title']!r}: {benign[:5]}")
    fired_ids = {r.rid for _, _, c in alerts for r in c}
    missing = sorted(ATTACK - fired_ids)
    # records of the attack that only set the scene (session opened line) have ids in ATTACK only if alerted
    if missing:
        problems.append(f"attack records that raised no alert: {missing}")
    rows = []
    for d, rec, contributing in alerts:
        rows.append({"rule_id": d["id"], "title": d["title"], "level": d["level"],
                     "rule_file": str(paths[d["id"]].relative_to(REPO)),
                     "kind": "correlation" if "correlation" in d else "detection",
                     "source_file": rec.src, "fired_at": rec.time.strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "trigger_record": rec.rid, "records": [r.rid for r in contributing]})
    rows.sort(key=lambda r: (r["fired_at"], r["source_file"], r["title"], r["trigger_record"]))
    (OUT / "expected_alerts.json").write_text(json.dumps({"alerts": rows}, indent=1) + "\n")
    write_expected_md(rows)
    return problems, rows


def write_expected_md(rows):
    by_rule = {}
    for r in rows:
        by_rule.setdefault((r["title"], r["rule_id"], r["level"], r["rule_file"], r["kind"]), []).append(r)
    lines = ["# Expected alerts on the demo incident", "",
             "Generated by `tools/gen_demo.py --check` with the reference evaluator `tools/sigma_ref.py` over the",
             "files in this folder and the pack in `rules/` with the default `rules/placeholders.yml`.",
             "The pack must raise **exactly** these alerts and nothing else (no alert on any benign record).",
             f"Total: **{len(rows)} alerts** from **{len(by_rule)} rules**; machine-readable copy: `expected_alerts.json`.", "",
             "Record ids: CloudTrail `eventID`, Kubernetes `auditID`, Istio `x-request-id`, S3 access-log request id;",
             "auth.log lines have no id, so they are named `auth.log:<line number>` (1-based, in the uncompressed file).",
             "Correlation semantics assumed: sliding window over event time, inclusive; a correlation fires on the",
             "record that completes its condition, then the group's state is cleared (one alert per burst). Records",
             "listed for a correlation are all the base-rule matches that made it fire.", "",
             "## The story", "",
             "| time (UTC) | source | what happens |", "|---|---|---|",
             "| 03:14:07 | Istio | `GET /fetch?url=http://169.254.169.254/latest/meta-data/iam/security-credentials/` from 198.51.100.42: SSRF lists the instance role |",
             "| 03:14:11 | Istio | same, `.../security-credentials/shop-web-role`: the role's temporary credentials leak |",
             "| 03:15:02 | CloudTrail | `sts:GetCallerIdentity` with the web instance's session from 198.51.100.42 |",
             "| 03:15:09 | CloudTrail | `s3:ListBuckets` with the same key |",
             "| 03:16:00–03:17:57 | CloudTrail data events + S3 access logs | 30 customer exports downloaded from `shop-customer-exports` |",
             "| 03:18:05–03:18:17 | Kubernetes | the web service account lists secrets in `shop`, `payments`, `monitoring` |",
             "| 03:18:40 | Kubernetes | exec into `payments/api-5c8d9f-2kq9z` with the same token |",
             "| 03:19:02–03:19:31 | auth.log | five failed passwords for `deploy` from 198.51.100.42, then an accepted one |",
             "| 03:21:40 | auth.log | `deploy` tries `sudo cat /etc/shadow`: user NOT in sudoers |", "",
             "## Alerts by rule", ""]
    for (title, rid, level, rfile, kind), rs in sorted(by_rule.items(), key=lambda kv: kv[1][0]["fired_at"]):
        lines.append(f"### {title}")
        lines.append("")
        lines.append(f"`{rfile}` · id `{rid}` · level **{level}** · {kind} · **{len(rs)} alert{'s' if len(rs) != 1 else ''}**")
        lines.append("")
        if kind == "correlation":
            for r in rs:
                lines.append(f"- fired at {r['fired_at']} on `{r['trigger_record']}` ({r['source_file']}); records: " + ", ".join(f"`{x}`" for x in r["records"]))
        else:
            lines.append("| fired at | file | record |")
            lines.append("|---|---|---|")
            for r in rs:
                lines.append(f"| {r['fired_at']} | {r['source_file']} | `{r['trigger_record']}` |")
        lines.append("")
    (OUT / "EXPECTED.md").write_text("\n".join(lines))


def main():
    files = generate()
    for p in sorted(set(files.values())):
        print(f"{p.relative_to(REPO)}: {p.stat().st_size} bytes")
    if "--check" in sys.argv:
        problems, rows = check(files)
        print(f"{len(rows)} alerts expected; attack records: {len(ATTACK)}")
        for p in problems:
            print("PROBLEM", p)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
