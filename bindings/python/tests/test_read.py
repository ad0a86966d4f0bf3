"""logsec.read / read_batches on the demo incident and on small hand-written inputs."""

from __future__ import annotations

import gzip
import json
import threading
from collections import Counter
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import logsec
from logsec import _api, _native

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "examples" / "demo"

LISTING = (
    '{"eventVersion":"1.09","eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com",'
    '"eventName":"ListBuckets","eventID":"a","awsRegion":"us-east-1","sourceIPAddress":'
    '"198.51.100.7","recipientAccountId":"1","userIdentity":{"type":"IAMUser","userName":"bob"}}'
)


def expected_demo_counts() -> dict[str, int]:
    """Records per format counted independently of logsec: lines, or Records entries."""

    def lines(name: str) -> int:
        with gzip.open(DEMO / name, "rt") as f:
            return sum(1 for line in f if line.strip())

    with gzip.open(DEMO / "cloudtrail_records.json.gz", "rt") as f:
        documents = len(json.load(f)["Records"])
    return {
        "auth_log": lines("auth.log.gz"),
        "cloudtrail": lines("cloudtrail.jsonl.gz") + documents,
        "istio": lines("istio.log.gz"),
        "k8s_audit": lines("k8s_audit.jsonl.gz"),
        "s3_access": lines("s3_access.log.gz"),
    }


@pytest.fixture(scope="module")
def demo() -> logsec.Events:
    return logsec.read(DEMO)


def test_demo_event_counts_per_format(demo: logsec.Events) -> None:
    counts = Counter(demo.to_arrow().column("metadata_log_format").to_pylist())
    assert dict(counts) == expected_demo_counts()
    assert len(demo) == sum(expected_demo_counts().values())


def test_demo_non_log_files_are_file_level_rejects(demo: logsec.Events) -> None:
    rejects = demo.rejects.to_pylist()
    assert sorted(Path(r["file"]).name for r in rejects) == [
        "EXPECTED.md",
        "README.md",
        "expected_alerts.json",
    ]
    assert {r["location_kind"] for r in rejects} == {"file"}
    assert all("cannot detect the log format" in r["reason"] for r in rejects)


def test_time_is_utc_milliseconds_in_arrow_pandas_and_polars(demo: logsec.Events) -> None:
    table = demo.to_arrow()
    assert table.schema.field("time").type == pa.timestamp("ms", tz="UTC")
    frame = demo.to_pandas()
    assert str(frame["time"].dtype) == "datetime64[ms, UTC]"
    # The SSRF request of the story (EXPECTED.md): Istio, start_time 03:14:07.123Z in the log.
    ssrf = frame[frame["http_request_url_query_string"].fillna("").str.contains("169.254.169.254")]
    assert ssrf["time"].min() == pd.Timestamp("2026-11-20T03:14:07.123Z")
    polars_frame = demo.to_polars()
    assert polars_frame.schema["time"] == pl.Datetime("ms", "UTC")
    assert polars_frame.height == len(demo)


def test_list_columns_are_arrow_lists_in_pandas() -> None:
    with_resources = LISTING.replace(
        '"eventID":"a"',
        '"eventID":"r","resources":[{"type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::b1"},'
        '{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::b1/k"}]',
    )
    frame = logsec.read(f"{with_resources}\n{LISTING}\n".encode()).to_pandas()
    assert frame["resources_uid"].dtype == pd.ArrowDtype(pa.list_(pa.string()))
    assert frame["resources_uid"].iloc[0] == ["arn:aws:s3:::b1", "arn:aws:s3:::b1/k"]
    assert frame["resources_type"].iloc[0] == ["AWS::S3::Bucket", "AWS::S3::Object"]
    assert frame["resources_uid"].isna().tolist() == [False, True]
    assert frame["resources_uid"].explode().dropna().tolist() == [
        "arn:aws:s3:::b1",
        "arn:aws:s3:::b1/k",
    ]
    assert frame["resources_uid"].list.len().tolist()[0] == 2
    # Back to Arrow unchanged, so a filtered frame can be evaluated.
    table = pa.Table.from_pandas(frame, preserve_index=False)
    assert table.schema.field("resources_uid").type == pa.list_(pa.string())


def test_flat_ocsf_columns_from_bytes() -> None:
    events = logsec.read(LISTING.encode())
    row = events.to_arrow().to_pylist()[0]
    assert row["class_uid"] == 6003
    assert row["api_operation"] == "ListBuckets"
    assert row["api_service_name"] == "s3.amazonaws.com"
    assert row["src_endpoint_ip"] == "198.51.100.7"
    assert row["actor_user_name"] == "bob"
    assert row["metadata_original_event_uid"] == "a"
    assert row["cloud_region"] == "us-east-1"
    assert json.loads(row["raw"])["eventID"] == "a"
    assert events.files[0]["name"] == "<bytes 0>"


def test_gzip_bytes_and_arrow_stream_protocol() -> None:
    events = logsec.read(gzip.compress((LISTING + "\n" + LISTING).encode()))
    assert len(events) == 2
    assert pa.table(events).num_rows == 2  # through __arrow_c_stream__
    assert pl.DataFrame(events).height == 2


def test_rejects_have_location_and_reason() -> None:
    events = logsec.read((LISTING + "\n" + '{"eventVersion": broken\n').encode())
    assert len(events) == 1
    [reject] = events.rejects.to_pylist()
    assert reject["file"] == "<bytes 0>"
    assert reject["record"] == 2
    assert reject["location_kind"] == "line"
    assert reject["byte_offset"] == len(LISTING) + 1
    assert reject["snippet"] == '{"eventVersion": broken'
    assert "expected value" in reject["reason"]


def test_head_and_html(demo: logsec.Events) -> None:
    head = demo.head(3)
    assert len(head) == 3
    assert head.to_arrow().column("time").to_pylist() == demo.to_arrow().column(
        "time"
    ).to_pylist()[:3]
    html = demo._repr_html_()
    assert f"{len(demo)} events" in html
    assert "<th>api_operation</th>" in html


def test_forced_format_and_recursive_flag(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "a.jsonl").write_text(LISTING + "\n")
    (tmp_path / "b.jsonl").write_text(LISTING + "\n" + LISTING + "\n")
    assert len(logsec.read(tmp_path)) == 3
    assert len(logsec.read(tmp_path, recursive=False)) == 2
    assert len(logsec.read(tmp_path, format="cloudtrail")) == 3
    assert len(logsec.read(tmp_path, progress=True)) == 3


def test_read_batches_streams_fixed_size_batches(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join([LISTING] * 25) + "\n")
    sizes = [batch.num_rows for batch in logsec.read_batches(path, batch_size=10)]
    assert sizes == [10, 10, 5]
    # Abandoning the iterator early stops the background parse without error.
    stream = logsec.read_batches(path, batch_size=10)
    assert next(stream).num_rows == 10
    stream.close()


def test_reads_from_threads_in_parallel() -> None:
    results: list[int] = []

    def work() -> None:
        results.append(len(logsec.read([(LISTING + "\n").encode()] * 3)))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [3, 3, 3, 3]


def numbered(i: int) -> str:
    return LISTING.replace('"eventID":"a"', f'"eventID":"e{i}"')


def test_chunked_parallel_read_keeps_order_and_reject_lines(tmp_path: Path) -> None:
    lines = [numbered(i) for i in range(300)]
    lines[250] = '{"eventVersion": broken'
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n")
    sources = _native.Sources([str(path)])
    # Chunks of ~2 kB: about 100 chunks parsed on two threads.
    chunked, chunked_rejects, files = _native.read(sources, 64, 2, True, 2000)
    whole, whole_rejects, _ = _native.read(sources, 64, 1, True, 1 << 30)
    ids = pa.table(chunked).column("metadata_original_event_uid").to_pylist()
    assert ids == [f"e{i}" for i in range(300) if i != 250]
    assert pa.table(chunked).equals(pa.table(whole))
    [reject] = pa.table(chunked_rejects).to_pylist()
    assert reject["record"] == 251
    assert reject["byte_offset"] == sum(len(line) + 1 for line in lines[:250])
    assert pa.table(whole_rejects).to_pylist() == [reject]
    assert files[0]["events"] == 299
    assert files[0]["records"] == 300
    assert files[0]["format"] == "cloudtrail"
    # The public API on one and on two threads.
    assert logsec.read(path, threads=1).to_arrow().equals(logsec.read(path, threads=2).to_arrow())


class FakeBar:
    def __init__(self) -> None:
        self.updates = 0

    def __enter__(self) -> FakeBar:
        return self

    def __exit__(self, *args: object) -> None:
        pass

    def update(self, n: int) -> None:
        self.updates += n


def test_progress_reads_file_by_file_with_the_same_result(
    demo: logsec.Events, monkeypatch: pytest.MonkeyPatch
) -> None:
    bar = FakeBar()
    monkeypatch.setattr(_api, "_progress", lambda total, enabled: bar)
    events = logsec.read(DEMO, progress=True)
    assert bar.updates == len(demo.files) == 9
    assert events.to_arrow().equals(demo.to_arrow())
    assert events.rejects.equals(demo.rejects)
    assert events.files == demo.files
    with pytest.raises(logsec.ParseError, match=r"<bytes 0>: cannot detect the log format"):
        logsec.read(b"\x00\x01 junk", progress=True)
