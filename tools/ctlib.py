"""Builders for realistic synthetic log records (CloudTrail, Kubernetes audit, Istio, web, S3 access,
auth.log). Shared by gen_rule_tests.py and gen_demo.py. Everything here is our own synthetic data:
account 111122223333, documentation IP ranges for internet addresses, 10.x for private ones."""
import datetime as _dt
import uuid as _uuid

ACCT = "111122223333"
OTHER_ACCT = "444455556666"
NS = _uuid.UUID("6f1d7c52-3c1e-4a53-9a58-0d2f1c9b7e41")


def det_uuid(*parts):
    """A deterministic UUID (v5) from the given parts."""
    return str(_uuid.uuid5(NS, ":".join(str(p) for p in parts)))


def ts(base, seconds=0, ms=False):
    """ISO-8601 UTC timestamp `seconds` after `base` (a 'YYYY-MM-DDTHH:MM:SSZ' string)."""
    t = _dt.datetime.strptime(base, "%Y-%m-%dT%H:%M:%SZ") + _dt.timedelta(seconds=seconds)
    if ms:
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(text):
    return _dt.datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")


# ---------------------------------------------------------------- CloudTrail identities

def iam_user(name, key="AKIAEXAMPLEUSER0001", acct=ACCT):
    pid = "AIDA" + (name.upper().replace("-", "").replace(".", "") + "EXAMPLE00000000")[:16]
    ident = {"type": "IAMUser", "principalId": pid, "arn": f"arn:aws:iam::{acct}:user/{name}",
             "accountId": acct, "userName": name}
    if key:
        ident["accessKeyId"] = key
    return ident


def assumed(role, session, key="ASIAEXAMPLESESS0001", mfa=False, acct=ACCT, sso=False):
    rid = "AROA" + (role.upper().replace("-", "").replace("_", "") + "EXAMPLE000000000")[:16]
    role_path = f"aws-reserved/sso.amazonaws.com/us-east-1/{role}" if sso else role
    return {
        "type": "AssumedRole",
        "principalId": f"{rid}:{session}",
        "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}",
        "accountId": acct,
        "accessKeyId": key,
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "principalId": rid,
                              "arn": f"arn:aws:iam::{acct}:role/{role_path}",
                              "accountId": acct, "userName": role},
            "webIdFederationData": {},
            "attributes": {"creationDate": "2026-11-20T08:00:00Z",
                           "mfaAuthenticated": "true" if mfa else "false"},
        },
    }


def ec2_role(role="shop-web-role", instance="i-0a1b2c3d4e5f60718", key="ASIAEXAMPLEKEY00001"):
    ident = assumed(role, instance, key=key)
    ident["sessionContext"]["ec2RoleDelivery"] = "2.0"
    return ident


def root(key=None):
    ident = {"type": "Root", "principalId": ACCT, "arn": f"arn:aws:iam::{ACCT}:root", "accountId": ACCT}
    if key:
        ident["accessKeyId"] = key
    return ident


def service_principal(svc):
    return {"type": "AWSService", "invokedBy": svc}


CLI_UA = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{}"
CONSOLE_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
SDK_UA = "aws-sdk-java/2.25.1 Linux/6.1.102-111.182.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS Java/17.0.12 vendor/Amazon.com_Inc. exec-env/AWS_ECS_EC2 io/sync http/Apache cfg/retry-mode#legacy"
BOTO_UA = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#6.1.102 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84"


def ct(event_name, source, ident, *, t="2026-11-20T10:00:00Z", ip="203.0.113.20", ua=None, req=None,
       resp=None, err=None, errmsg=None, region="us-east-1", etype="AwsApiCall", data=False, add=None,
       read_only=None, resources=None, eid=None, extra=None):
    """One CloudTrail record shaped like the real ones (eventVersion 1.09/1.10)."""
    if ua is None:
        ua = CLI_UA.format(event_name[:1].lower() + event_name[1:])
    if read_only is None:
        read_only = event_name.startswith(("Get", "List", "Describe", "Head", "Lookup"))
    rec = {
        "eventVersion": "1.10" if etype == "AwsApiCall" else "1.09",
        "userIdentity": ident,
        "eventTime": t,
        "eventSource": source,
        "eventName": event_name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": ua,
    }
    if err:
        rec["errorCode"] = err
        rec["errorMessage"] = errmsg or f"User: {ident.get('arn', 'unknown')} is not authorized to perform this operation"
    rec["requestParameters"] = req
    rec["responseElements"] = resp
    if add is not None:
        rec["additionalEventData"] = add
    rec["requestID"] = (eid or det_uuid(event_name, t, ip)).replace("-", "")[:16].upper() if data or source == "s3.amazonaws.com" else det_uuid("req", eid or "", event_name, t)
    rec["eventID"] = eid or det_uuid(event_name, t, ip, str(req))
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = etype
    rec["managementEvent"] = not data
    rec["recipientAccountId"] = ACCT
    if etype == "AwsApiCall" and not data:
        rec["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                             "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com"}
    rec["eventCategory"] = "Data" if data else "Management"
    if extra:
        rec.update(extra)
    return rec


def console_login(ident, ok=True, mfa="Yes", *, t="2026-11-20T10:00:00Z", ip="203.0.113.20", eid=None):
    add = {"LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
           "MobileVersion": "No", "MFAUsed": mfa}
    if ok and mfa == "Yes":
        add["MFAIdentifier"] = f"arn:aws:iam::{ACCT}:mfa/{ident.get('userName', 'user')}"
    rec = ct("ConsoleLogin", "signin.amazonaws.com", ident, t=t, ip=ip, ua=CONSOLE_UA, req=None,
             resp={"ConsoleLogin": "Success" if ok else "Failure"}, add=add, etype="AwsConsoleSignIn",
             read_only=False, eid=eid)
    if not ok:
        rec["errorMessage"] = "Failed authentication"
    rec.pop("tlsDetails", None)
    return rec


def s3_data(event_name, ident, bucket, key, *, t="2026-11-20T10:00:00Z", ip="10.1.4.23", ua=SDK_UA,
            err=None, eid=None, add=None, req_extra=None, region="us-east-1"):
    req = {"bucketName": bucket, "Host": f"{bucket}.s3.{region}.amazonaws.com", "key": key}
    if req_extra:
        req.update(req_extra)
    addl = {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader",
            "x-amz-id-2": "Zx9kQ2d8Yb3mPc7LfW1nHs5tRv0uJe4oGa6iKq2BwN8yTz3xCd7Vh1Mp5Sg9Ul4E=",
            "bytesTransferredOut": 48213}
    if add:
        addl.update(add)
    return ct(event_name, "s3.amazonaws.com", ident, t=t, ip=ip, ua=ua, req=req, resp=None, err=err,
              data=True, add=addl, eid=eid, region=region,
              resources=[{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
                         {"accountId": ACCT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}])


# ---------------------------------------------------------------- Kubernetes audit

def k8s(verb, resource, *, user="system:serviceaccount:shop:web", groups=None, ns="shop", name=None,
        sub=None, t="2026-11-20T10:00:00Z", code=None, decision="allow", reason=None, ip="10.1.0.5",
        ua="kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819", req_obj=None, api_group="", api_version="v1",
        aid=None, level="Metadata", uri=None):
    if groups is None:
        if user.startswith("system:serviceaccount:"):
            sa_ns = user.split(":")[2]
            groups = ["system:serviceaccounts", f"system:serviceaccounts:{sa_ns}", "system:authenticated"]
        elif user == "system:anonymous":
            groups = ["system:unauthenticated"]
        else:
            groups = ["system:authenticated"]
    if code is None:
        code = {"create": 201, "delete": 200}.get(verb, 200)
        if sub in ("exec", "attach", "portforward"):
            code = 101
    if uri is None:
        base = f"/apis/{api_group}/{api_version}" if api_group else "/api/v1"
        uri = base + (f"/namespaces/{ns}" if ns else "") + f"/{resource}" + (f"/{name}" if name else "") + (f"/{sub}" if sub else "")
        if sub == "exec":
            uri += "?command=sh&container=app&stdin=true&stdout=true&tty=true"
        elif verb == "list":
            uri += "?limit=500"
    obj = {"resource": resource, "apiVersion": api_version}
    if api_group:
        obj["apiGroup"] = api_group
    if ns:
        obj["namespace"] = ns
    if name:
        obj["name"] = name
    if sub:
        obj["subresource"] = sub
    rec = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse" if req_obj else level,
           "auditID": aid or det_uuid("k8s", verb, resource, ns, name, sub, t, user),
           "stage": "ResponseStarted" if sub in ("exec", "attach") else "ResponseComplete",
           "requestURI": uri, "verb": verb,
           "user": {"username": user, "groups": groups}, "sourceIPs": [ip], "userAgent": ua,
           "objectRef": obj, "responseStatus": {"metadata": {}, "code": code}}
    if user != "system:anonymous":
        rec["user"]["uid"] = det_uuid("uid", user)
    if req_obj is not None:
        rec["requestObject"] = req_obj
    rec["requestReceivedTimestamp"] = t.replace("Z", ".000000Z")
    rec["stageTimestamp"] = t.replace("Z", ".014000Z")
    ann = {"authorization.k8s.io/decision": decision}
    ann["authorization.k8s.io/reason"] = reason if reason is not None else (
        'RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" to Group "system:authenticated"'
        if decision == "allow" else "")
    rec["annotations"] = ann
    return rec


def pod_spec(name, ns, *, image="registry.example.com/shop/web:1.42.0", privileged=None, host_path=None,
             host_network=None, host_pid=None, host_ipc=None, sa="default", caps_add=None):
    container = {"name": "app", "image": image, "resources": {"limits": {"cpu": "500m", "memory": "512Mi"}}}
    sc = {}
    if privileged is not None:
        sc["privileged"] = privileged
    if caps_add:
        sc["capabilities"] = {"add": caps_add}
    if sc:
        container["securityContext"] = sc
    spec = {"containers": [container], "serviceAccountName": sa, "restartPolicy": "Always"}
    vols = []
    if host_path:
        vols.append({"name": "host", "hostPath": {"path": host_path, "type": ""}})
        container["volumeMounts"] = [{"name": "host", "mountPath": "/host"}]
    else:
        vols.append({"name": "kube-api-access", "projected": {"sources": [{"serviceAccountToken": {"path": "token", "expirationSeconds": 3607}}]}})
    spec["volumes"] = vols
    if host_network is not None:
        spec["hostNetwork"] = host_network
    if host_pid is not None:
        spec["hostPID"] = host_pid
    if host_ipc is not None:
        spec["hostIPC"] = host_ipc
    return {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": name, "namespace": ns, "labels": {"app": name.split("-")[0]}},
            "spec": spec}


# ---------------------------------------------------------------- text formats

def istio_line(path, *, t="2026-11-20T10:00:00.000Z", method="GET", status=200, xff="203.0.113.9",
               ua="Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
               rid=None, host="shop.example.com", upstream="10.1.4.23:8080", proto="HTTP/1.1", sent=2231, recv=0,
               dur=14, peer="10.1.0.17:52110", flags="-"):
    """Istio's default access-log text format (inbound sidecar entry)."""
    rid = rid or det_uuid("istio", t, path, xff)
    return (f'[{t}] "{method} {path} {proto}" {status} {flags} via_upstream - "-" {recv} {sent} {dur} {max(dur - 1, 0)} '
            f'"{xff}" "{ua}" "{rid}" "{host}" "{upstream}" inbound|8080|| 127.0.0.6:41822 {upstream} {peer} '
            f'outbound_.8080_._.web.shop.svc.cluster.local default')


def web_line(path, *, ip="203.0.113.9", t="20/Nov/2026:10:00:00 +0000", method="GET", status=200, size=5120,
             ref="-", ua="Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0", user="-",
             proto="HTTP/1.1"):
    """nginx/Apache combined log format."""
    return f'{ip} - {user} [{t}] "{method} {path} {proto}" {status} {size} "{ref}" "{ua}"'


def s3_line(bucket, op, key, *, t="20/Nov/2026:10:00:00 +0000", ip="10.1.4.23",
            requester=f"arn:aws:sts::{ACCT}:assumed-role/shop-web-role/i-0a1b2c3d4e5f60718", rid=None,
            status=200, err="-", sent=None, size=5321, ua="aws-sdk-java/2.25.1", method="GET", auth="AuthHeader",
            sig="SigV4", uri=None, region="us-east-1", referrer="-"):
    """One S3 server access log line (all documented fields up to aclRequired)."""
    rid = rid or det_uuid("s3", bucket, key, t, ip)[:16].replace("-", "").upper()
    if sent is None:
        sent = size if status == 200 and method == "GET" else "-"
    if uri is None:
        uri = f"{method} /{bucket}/{key} HTTP/1.1" if key != "-" else f"{method} /{bucket} HTTP/1.1"
    hostid = (det_uuid("hostid", rid).replace("-", "") * 2)[:56] + "="
    return (f'79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be {bucket} [{t}] {ip} {requester} {rid} '
            f'{op} {key} "{uri}" {status} {err} {sent} {size if key != "-" else "-"} 12 11 "{referrer}" "{ua}" - {hostid} '
            f'{sig} ECDHE-RSA-AES128-GCM-SHA256 {auth} {bucket}.s3.{region}.amazonaws.com TLSv1.2 - -')


def auth_line(msg, *, t="Nov 20 10:00:00", host="bastion-1", prog="sshd", pid=2231):
    return f"{t} {host} {prog}[{pid}]: {msg}" if pid else f"{t} {host} {prog}: {msg}"


def alb_line(url_path, *, t="2026-11-20T10:00:00.000000Z", client="203.0.113.9", status=200, method="GET",
             ua="Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0", host="shop.example.com",
             trace=None, sent=2231):
    """One Application Load Balancer access-log line (https listener)."""
    trace = trace or "Root=1-" + det_uuid("alb", t, url_path).replace("-", "")[:8] + "-" + det_uuid("alb2", t, url_path).replace("-", "")[:24]
    return (f'https {t} app/shop-alb/50dc6c495c0c9188 {client}:{40000 + len(url_path)} 10.1.4.23:8080 0.001 0.012 0.000 '
            f'{status} {status} 312 {sent} "{method} https://{host}:443{url_path} HTTP/1.1" "{ua}" '
            f'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/shop-web/73e2d6bc24d8a067 '
            f'"{trace}" "{host}" "arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-1234-1234-123456789012" 0 {t} '
            f'"forward" "-" "-" "10.1.4.23:8080" "{status}" "-" "-" TID_{det_uuid("tid", t, url_path).replace("-", "")[:16]}')
