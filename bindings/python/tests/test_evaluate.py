"""Rules.evaluate over any Events: head(), slices, concatenations, and Arrow / pandas / polars
data converted back; the rows of a whole read give the alerts of a scan of the same files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

import logsec

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "examples" / "demo"

FIXTURES = ROOT / "crates" / "logsec" / "tests" / "fixtures"
# A single-event rule and an event_count correlation, shared with the Rust tests.
RULES = "---\n".join(
    (FIXTURES / name).read_text() for name in ("bucket_listing.yml", "bucket_listings_count.yml")
)

SINGLE = "Bucket listing from the internet"
CORRELATION = "Three listings by one address"


def line(uid: str, minute: int, ip: str) -> str:
    return json.dumps(
        {
            "eventVersion": "1.09",
            "eventTime": f"2026-01-01T00:{minute:02}:00Z",
            "eventSource": "s3.amazonaws.com",
            "eventName": "ListBuckets",
            "awsRegion": "us-east-1",
            "sourceIPAddress": ip,
            "eventID": uid,
            "eventType": "AwsApiCall",
            "recipientAccountId": "1",
            "userIdentity": {"type": "IAMUser", "userName": "eve"},
        }
    )


# Four listings: a1 and b1, b2 from 198.51.100.1 (three: the correlation fires), a2 internal.
LISTINGS = [
    line("a1", 1, "198.51.100.1"),
    line("a2", 2, "10.0.0.5"),
    line("b1", 3, "198.51.100.1"),
    line("b2", 4, "198.51.100.1"),
]
ALL_ALERTS = [
    (SINGLE, ["a1"]),
    (SINGLE, ["b1"]),
    (SINGLE, ["b2"]),
    (CORRELATION, ["a1", "b1", "b2"]),
]


@pytest.fixture(scope="module")
def rules() -> logsec.Rules:
    return logsec.Rules.load(RULES)


@pytest.fixture(scope="module")
def events() -> logsec.Events:
    return logsec.read([("\n".join(LISTINGS[:2])).encode(), ("\n".join(LISTINGS[2:])).encode()])


def fired(alerts: logsec.Alerts) -> list[tuple[str, list[str]]]:
    return [(r["rule_title"], r["related_event_uids"]) for r in alerts.to_arrow().to_pylist()]


def test_head_is_evaluable(rules: logsec.Rules, events: logsec.Events) -> None:
    # a1 and a2 only: one public listing, too few for the correlation.
    assert fired(rules.evaluate(events.head(2))) == [(SINGLE, ["a1"])]
    assert fired(rules.evaluate(events.head(0))) == []


def test_slices_and_concatenations_are_evaluable(
    rules: logsec.Rules, events: logsec.Events
) -> None:
    assert fired(rules.evaluate(events.slice(2))) == [(SINGLE, ["b1"]), (SINGLE, ["b2"])]
    again = logsec.Events.concat([events.slice(0, 1), events.slice(1, 1), events.slice(2)])
    assert len(again) == 4
    assert fired(rules.evaluate(again)) == ALL_ALERTS
    # The Arrow path gives what the scan of the sources gives, alert ids included.
    assert rules.evaluate(again).uids == rules.evaluate(events).uids


def test_arrow_tables_batches_and_readers(rules: logsec.Rules, events: logsec.Events) -> None:
    table = events.to_arrow()
    assert fired(rules.evaluate(table)) == ALL_ALERTS
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=1))
    assert fired(rules.evaluate(reader)) == ALL_ALERTS
    batch = table.slice(2).combine_chunks().to_batches()[0]
    assert fired(rules.evaluate(batch)) == [(SINGLE, ["b1"]), (SINGLE, ["b2"])]
    assert fired(rules.evaluate(logsec.Events.from_arrow(table))) == ALL_ALERTS


def test_pandas_and_polars_frames_converted_back(
    rules: logsec.Rules, events: logsec.Events
) -> None:
    frame = events.to_pandas()
    assert fired(rules.evaluate(frame)) == ALL_ALERTS
    # A filtered frame: only what is left is evaluated.
    public = frame[frame["src_endpoint_ip"] != "10.0.0.5"]
    assert fired(rules.evaluate(public)) == ALL_ALERTS
    assert fired(rules.evaluate(frame[frame["metadata_original_event_uid"] != "b2"])) == [
        (SINGLE, ["a1"]),
        (SINGLE, ["b1"]),
    ]
    polars_frame = events.to_polars()
    assert fired(rules.evaluate(polars_frame)) == ALL_ALERTS
    assert fired(rules.evaluate(polars_frame.filter(pl.col("api_operation") == "X"))) == []
    only_raw = events.to_arrow().select(["raw"])
    # Without metadata_log_format the format is detected per row, or forced.
    assert fired(rules.evaluate(only_raw)) == ALL_ALERTS
    assert fired(rules.evaluate(only_raw, format="cloudtrail")) == ALL_ALERTS


def test_rows_that_do_not_parse_are_rejects(rules: logsec.Rules) -> None:
    table = pa.table(
        {
            "raw": [LISTINGS[0], '{"eventVersion": broken}', None],
            "metadata_log_format": ["cloudtrail", "cloudtrail", "cloudtrail"],
        }
    )
    alerts = rules.evaluate(table)
    assert fired(alerts) == [(SINGLE, ["a1"])]
    rejects = alerts.rejects.to_pylist()
    assert [(r["record"], r["location_kind"], r["file"]) for r in rejects] == [
        (1, "record_index", "<arrow>"),
        (2, "record_index", "<arrow>"),
    ]
    assert "expected value" in rejects[0]["reason"]
    assert rejects[0]["snippet"] == '{"eventVersion": broken}'
    assert rejects[1]["reason"] == "the row has no raw record"
    assert alerts.files[0]["events"] == 1


def test_missing_raw_column_and_wrong_types_are_errors(rules: logsec.Rules) -> None:
    with pytest.raises(logsec.SchemaError, match="no `raw` column") as info:
        rules.evaluate(pa.table({"time": [1]}))
    assert isinstance(info.value, ValueError)
    with pytest.raises(logsec.SchemaError, match="column `raw` is Int64, not a string column"):
        rules.evaluate(pa.table({"raw": [1]}))
    with pytest.raises(logsec.SchemaError, match="column `time` is Utf8, not a timestamp"):
        rules.evaluate(pa.table({"raw": [LISTINGS[0]], "time": ["x"]}))
    with pytest.raises(TypeError, match="cannot use a int as events"):
        rules.evaluate(42)
    with pytest.raises(logsec.UnknownFormatError, match="cloudtrial"):
        rules.evaluate(pa.table({"raw": [LISTINGS[0]]}), format="cloudtrial")
    unknown = rules.evaluate(pa.table({"raw": [LISTINGS[0]], "metadata_log_format": ["nope"]}))
    assert [r["record"] for r in unknown.rejects.to_pylist()] == [0]
    assert "nope" in unknown.rejects.to_pylist()[0]["reason"]


def test_demo_rows_give_the_alerts_of_the_scan() -> None:
    """Every format of the demo (CloudTrail, Istio, S3 access, k8s audit, and auth.log whose
    lines have no year: the `time` column supplies it) through the Arrow path."""
    scanned = logsec.scan(DEMO)
    events = logsec.read(DEMO)
    bundled = logsec.Rules.bundled()
    from_rows = bundled.evaluate(logsec.Events.from_arrow(events.to_arrow()))
    assert len(scanned) > 20
    assert from_rows.uids == scanned.uids
    assert from_rows.to_arrow().column("time") == scanned.to_arrow().column("time")
    assert len(from_rows.rejects) == 0
    # Half the rows, from polars: their single-event alerts are the scan's.
    half = bundled.evaluate(events.to_polars().head(len(events) // 2)).to_arrow().to_pylist()
    singles = {r["uid"] for r in half if len(r["related_event_uids"]) == 1}
    assert singles
    assert singles <= set(scanned.uids)
    assert len(half) < len(scanned)
