"""logsec.dask on a Dask LocalCluster: the demo incident and a synthetic correlation stream,
dealt round robin into partitions, give the alerts of a single-process `logsec.scan`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import pandas as pd  # noqa: E402

import logsec  # noqa: E402
import logsec.dask  # noqa: E402
from _demo import (  # noqa: E402
    CORRELATION_TITLES,
    FILES,
    demo_lines,
    demo_reference,
    reference,
    rows,
    titles,
    write_correlation_case,
)

#: Data partitions the tests deal their rows into.
PARTS = 4


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    import dask

    # Keep the gzip bytes as bytes: dask would convert object columns to strings.
    dask.config.set({"dataframe.convert-string": False})
    # The tests build their frames in memory (the demo as lines is ~10 MB of graph).
    dask.config.set({"distributed.admin.large-graph-warning-threshold": "64MB"})
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def _dealt(records: list[dict[str, Any]]) -> Any:
    """A Dask DataFrame of `records` whose partition k holds records k, k + PARTS, …"""
    parts = [dd.from_pandas(pd.DataFrame(records[k::PARTS]), npartitions=1) for k in range(PARTS)]
    ddf = dd.concat(parts)
    assert ddf.npartitions == PARTS
    return ddf


def _alerts(ddf: Any) -> list[dict[str, Any]]:
    return rows(ddf.compute().reset_index(drop=True))


def test_detect_whole_files_equals_scan(client: object) -> None:
    pdf = pd.DataFrame({"path": FILES, "content": [Path(f).read_bytes() for f in FILES]})
    ddf = dd.from_pandas(pdf, npartitions=3)
    got = _alerts(logsec.dask.detect(ddf, column="content", name_column="path"))
    assert got == demo_reference()


def test_detect_demo_lines_split_round_robin_equals_scan(client: object) -> None:
    ddf = _dealt([{"name": name, "value": line} for name, line in demo_lines()])
    got = _alerts(logsec.dask.detect(ddf, name_column="name"))
    expected = demo_reference()
    assert sum(1 for r in expected if len(r["related_event_uids"]) > 1) >= 5
    assert got == expected


def test_detect_correlations_across_partitions_equal_scan(client: object, tmp_path: Path) -> None:
    events, rules = write_correlation_case(tmp_path)
    expected = reference([str(events)], logsec.Rules.load(rules))
    counts = titles(expected)
    for title in CORRELATION_TITLES:
        assert counts.get(title, 0) > 0, counts
    lines = events.read_text(encoding="utf-8").splitlines()
    got = _alerts(logsec.dask.detect(_dealt([{"value": v} for v in lines]), rules=rules, format="cloudtrail"))
    assert got == expected
    partition_of = {json.loads(line)["eventID"]: i % PARTS for i, line in enumerate(lines)}
    spread = [{partition_of[u] for u in r["related_event_uids"]} for r in got if len(r["related_event_uids"]) > 1]
    assert sum(1 for p in spread if len(p) > 1) >= 10, spread


def test_parse_counts_events(client: object) -> None:
    path = [f for f in FILES if "k8s_audit" in f][0]
    import gzip

    with gzip.open(path, "rt") as handle:
        lines = [line for line in handle if line.strip()]
    ddf = dd.from_pandas(pd.DataFrame({"value": lines}), npartitions=2)
    events = logsec.dask.parse(ddf, format="k8s_audit").compute()
    assert len(events) == len(lines)
