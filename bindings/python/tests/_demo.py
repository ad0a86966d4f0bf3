"""Test data for the Spark and Dask tests: the demo incident (examples/demo, gzip files), a
synthetic CloudTrail stream with correlation rules of every type the engine distributes, and
the single-process reference (`logsec.scan`) to compare with."""

from __future__ import annotations

import functools
import gzip
import json
import random
from pathlib import Path
from typing import Any

import pyarrow as pa

import logsec
from logsec.spark import _NATIVE as _native

DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo"
FILES = sorted(str(p) for p in DEMO.glob("*.gz"))

#: The alert columns (the schema every logsec alert table has).
ALERT_SCHEMA: pa.Schema = _native._spark_schemas()[1]


def demo_lines() -> list[tuple[str, str]]:
    """(file name, line) of every non-empty line of the demo files, file by file."""
    out: list[tuple[str, str]] = []
    for path in FILES:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            out.extend((Path(path).name, line.rstrip("\n")) for line in handle if line.strip())
    return out


def round_robin(items: list[Any], parts: int) -> list[Any]:
    """`items` reordered so that `parts` equal contiguous chunks are a round robin of them."""
    return [item for part in range(parts) for item in items[part::parts]]


def rows(table: Any) -> list[dict[str, Any]]:
    """The alert rows of an Arrow-exportable table, in the alert schema, sorted by
    (uid, rule_id): what two runs must agree on, alert for alert."""
    arrow = pa.table(table).select(ALERT_SCHEMA.names).cast(ALERT_SCHEMA)
    return sorted(arrow.to_pylist(), key=lambda r: (r["uid"], r["rule_id"]))


def reference(paths: list[str], rules: logsec.Rules | None = None) -> list[dict[str, Any]]:
    """The alerts of a single-process `logsec.scan` of `paths`, as :func:`rows`."""
    return rows(logsec.scan(paths, rules).to_arrow())


@functools.cache
def _demo_reference() -> tuple[dict[str, Any], ...]:
    return tuple(reference(FILES))


def demo_reference() -> list[dict[str, Any]]:
    """:func:`reference` of the demo files with the bundled pack (computed once)."""
    return list(_demo_reference())


CORRELATION_RULES = """\
title: Console login failed
id: 5f0e1a70-0000-4000-8000-00000000000a
name: t_login_failed
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: ConsoleLogin, errorMessage: Failed authentication}
  condition: sel
level: low
---
title: Console login succeeded
id: 5f0e1a70-0000-4000-8000-00000000000b
name: t_login_ok
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: ConsoleLogin, responseElements.ConsoleLogin: Success}
  condition: sel
level: low
---
title: Object read
id: 5f0e1a70-0000-4000-8000-00000000000c
name: t_data_read
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: GetObject}
  condition: sel
level: low
---
title: Failure burst from one address
id: 5f0e1a70-0000-4000-8000-000000000001
name: t_failure_burst
correlation:
  type: event_count
  rules: [t_login_failed]
  group-by: [sourceIPAddress]
  timespan: 10m
  condition: {gte: 3}
level: medium
---
title: Failure burst then success
id: 5f0e1a70-0000-4000-8000-000000000002
correlation:
  type: temporal_ordered
  rules: [t_failure_burst, t_login_ok]
  group-by: [sourceIPAddress]
  timespan: 30m
level: high
---
title: Many distinct objects read
id: 5f0e1a70-0000-4000-8000-000000000003
correlation:
  type: value_count
  rules: [t_data_read]
  group-by: [userIdentity.userName]
  timespan: 10m
  condition: {gte: 3, field: requestParameters.key}
level: medium
---
title: Login then read
id: 5f0e1a70-0000-4000-8000-000000000004
correlation:
  type: temporal_ordered
  rules: [t_login_ok, t_data_read]
  group-by: [userIdentity.userName]
  timespan: 15m
level: medium
---
title: Many reads
id: 5f0e1a70-0000-4000-8000-000000000005
correlation:
  type: event_count
  rules: [t_data_read]
  group-by: [userIdentity.userName]
  timespan: 5m
  condition: {gte: 4}
level: medium
"""

#: The correlation titles :data:`CORRELATION_RULES` defines (each must fire on the stream).
CORRELATION_TITLES = [
    "Failure burst then success",
    "Many distinct objects read",
    "Login then read",
    "Many reads",
]

USERS = ["alice", "bob", "carol"]


def cloudtrail_lines(count: int = 900) -> list[str]:
    """A deterministic CloudTrail stream (JSON lines) over two hours: failed and successful
    console logins from a few addresses and object reads by a few users, with ties in time."""
    rng = random.Random(11)
    lines = []
    for i in range(count):
        second = rng.randrange(7200)
        user = rng.choice(USERS)
        ip = f"198.51.100.{rng.randrange(4)}"
        record: dict[str, Any] = {
            "eventVersion": "1.08",
            "eventTime": f"2026-11-20T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z",
            "eventID": f"4d2c0000-0000-4000-8000-{i:012d}",
            "awsRegion": "us-east-1",
            "sourceIPAddress": ip,
            "recipientAccountId": "111122223333",
            "userIdentity": {
                "type": "IAMUser",
                "userName": user,
                "arn": f"arn:aws:iam::111122223333:user/{user}",
                "accountId": "111122223333",
            },
        }
        kind = rng.randrange(10)
        if kind < 4:
            record.update(
                eventName="ConsoleLogin",
                eventSource="signin.amazonaws.com",
                eventType="AwsConsoleSignIn",
                errorMessage="Failed authentication",
                responseElements={"ConsoleLogin": "Failure"},
            )
        elif kind < 5:
            record.update(
                eventName="ConsoleLogin",
                eventSource="signin.amazonaws.com",
                eventType="AwsConsoleSignIn",
                responseElements={"ConsoleLogin": "Success"},
            )
        else:
            record.update(
                eventName="GetObject",
                eventSource="s3.amazonaws.com",
                eventType="AwsApiCall",
                requestParameters={"bucketName": "data", "key": f"reports/{rng.randrange(6)}.csv"},
            )
        lines.append(json.dumps(record))
    return lines


def write_correlation_case(directory: Path) -> tuple[Path, Path]:
    """Writes the synthetic stream and its rules under `directory`: (events.jsonl, rules.yml)."""
    events = directory / "events.jsonl"
    events.write_text("\n".join(cloudtrail_lines()) + "\n", encoding="utf-8")
    rules = directory / "rules.yml"
    rules.write_text(CORRELATION_RULES, encoding="utf-8")
    return events, rules


def titles(alert_rows: list[dict[str, Any]]) -> dict[str, int]:
    """How many alerts each rule title raised."""
    out: dict[str, int] = {}
    for row in alert_rows:
        out[row["rule_title"]] = out.get(row["rule_title"], 0) + 1
    return out
