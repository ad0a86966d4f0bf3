"""Benchmark (not a test): ``logsec.read(cloudtrail).to_pandas()`` against the usual notebook
recipe, ``json.loads`` per line + ``pandas.json_normalize``, on the same generated CloudTrail.

    python bindings/python/bench/read_vs_pandas.py [--records 200000] [--dir /tmp/ct-bench]

Run it against a release build (``maturin develop --release`` or ``pip install
./bindings/python``); a debug build is several times slower. The CloudTrail JSON lines are
generated deterministically (seeded ``random.Random``) in the shape of real records: mixed
identity types, nested request parameters and response elements, resources, ~5 % errors.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import pandas as pd

import logsec

SERVICES = {
    "s3.amazonaws.com": ["GetObject", "PutObject", "ListBuckets", "ListObjects", "HeadObject"],
    "ec2.amazonaws.com": ["DescribeInstances", "RunInstances", "DescribeSecurityGroups"],
    "iam.amazonaws.com": ["GetUser", "ListRoles", "CreateAccessKey", "AttachRolePolicy"],
    "sts.amazonaws.com": ["AssumeRole", "GetCallerIdentity"],
    "lambda.amazonaws.com": ["Invoke", "ListFunctions20150331"],
    "kms.amazonaws.com": ["Decrypt", "GenerateDataKey"],
    "dynamodb.amazonaws.com": ["GetItem", "PutItem", "Query"],
}
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]
AGENTS = ["aws-cli/2.15.0 Python/3.11", "Boto3/1.34.0", "console.amazonaws.com", "aws-sdk-go/1.50"]


def record(rng: random.Random, i: int) -> dict[str, object]:
    service = rng.choice(list(SERVICES))
    name = rng.choice(SERVICES[service])
    account = f"{rng.randrange(10**11, 10**12)}"
    kind = rng.choice(["IAMUser", "AssumedRole", "AssumedRole", "AWSService", "Root"])
    identity: dict[str, object] = {"type": kind, "accountId": account}
    if kind == "IAMUser":
        user = f"user{rng.randrange(500)}"
        identity.update(
            principalId=f"AIDA{i:016d}",
            arn=f"arn:aws:iam::{account}:user/{user}",
            userName=user,
            accessKeyId=f"AKIA{rng.randrange(10**15):016d}",
        )
    elif kind == "AssumedRole":
        role = f"role{rng.randrange(200)}"
        identity.update(
            principalId=f"AROA{i:016d}:session{rng.randrange(99)}",
            arn=f"arn:aws:sts::{account}:assumed-role/{role}/session",
            accessKeyId=f"ASIA{rng.randrange(10**15):016d}",
            sessionContext={
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{i:016d}",
                    "arn": f"arn:aws:iam::{account}:role/{role}",
                    "accountId": account,
                    "userName": role,
                },
                "attributes": {"creationDate": "2026-11-20T00:00:00Z", "mfaAuthenticated": "false"},
            },
        )
    elif kind == "AWSService":
        identity = {"type": kind, "invokedBy": "ec2.amazonaws.com"}
    else:
        identity.update(principalId=account, arn=f"arn:aws:iam::{account}:root")
    bucket = f"bucket-{rng.randrange(50)}"
    out: dict[str, object] = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}Z",
        "eventSource": service,
        "eventName": name,
        "awsRegion": rng.choice(REGIONS),
        "sourceIPAddress": f"{rng.randrange(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
        "userAgent": rng.choice(AGENTS),
        "requestParameters": {
            "bucketName": bucket,
            "key": f"exports/{rng.randrange(10**6)}.csv",
            "Host": f"{bucket}.s3.amazonaws.com",
            "filter": {"name": "instance-state-name", "values": ["running", "stopped"]},
        },
        "responseElements": None if rng.random() < 0.5 else {"requestId": f"{i:032x}"},
        "requestID": f"{rng.randrange(10**18):018d}",
        "eventID": f"{i:08x}-0000-4000-8000-{rng.randrange(10**12):012d}",
        "readOnly": name.startswith(("Get", "List", "Describe", "Head")),
        "resources": [
            {"type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"},
            {"accountId": account, "type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/x"},
        ],
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256"},
    }
    if rng.random() < 0.05:
        out["errorCode"] = "AccessDenied"
        out["errorMessage"] = "User is not authorized to perform this operation"
    return out


def generate(path: Path, records: int) -> None:
    rng = random.Random(20261128)
    with path.open("w") as f:
        for i in range(records):
            f.write(json.dumps(record(rng, i), separators=(",", ":")))
            f.write("\n")


def baseline(path: Path) -> pd.DataFrame:
    with path.open() as f:
        rows = [json.loads(line) for line in f]
    return pd.json_normalize(rows)


def best_of(runs: int, work: object) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/logsec-bench"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"cloudtrail-{args.records}.jsonl"
    if not path.exists():
        generate(path, args.records)
    size_mb = path.stat().st_size / 1e6
    t_logsec, frame = best_of(args.runs, lambda: logsec.read(path).to_pandas())
    t_pandas, base = best_of(args.runs, lambda: baseline(path))
    assert len(frame) == len(base) == args.records, (len(frame), len(base))  # type: ignore[arg-type]
    print(f"input: {args.records} CloudTrail records, {size_mb:.1f} MB ({path})")
    print(f"logsec.read(...).to_pandas():        {t_logsec:7.3f} s  {args.records / t_logsec:12,.0f} events/s")
    print(f"json.loads + pandas.json_normalize: {t_pandas:7.3f} s  {args.records / t_pandas:12,.0f} events/s")
    print(f"ratio: {t_pandas / t_logsec:.1f}x (best of {args.runs} runs each)")


if __name__ == "__main__":
    main()
