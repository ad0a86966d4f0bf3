"""logsec.dask on a Dask LocalCluster over the demo incident."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import pandas as pd  # noqa: E402

import logsec.dask  # noqa: E402
from _demo import FILES, reference_alerts  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    import dask

    # Keep the gzip bytes as bytes: dask would convert object columns to strings.
    dask.config.set({"dataframe.convert-string": False})
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def test_detect_equals_single_process_scan(client: object) -> None:
    pdf = pd.DataFrame({"path": FILES, "content": [Path(f).read_bytes() for f in FILES]})
    ddf = dd.from_pandas(pdf, npartitions=3)
    alerts = logsec.dask.detect(ddf, column="content", name_column="path").compute()
    got = sorted(zip(alerts["uid"], alerts["rule_id"]))
    assert got == reference_alerts()


def test_parse_counts_events(client: object) -> None:
    path = [f for f in FILES if "k8s_audit" in f][0]
    import gzip

    with gzip.open(path, "rt") as handle:
        lines = [line for line in handle if line.strip()]
    ddf = dd.from_pandas(pd.DataFrame({"value": lines}), npartitions=2)
    events = logsec.dask.parse(ddf, format="k8s_audit").compute()
    assert len(events) == len(lines)
