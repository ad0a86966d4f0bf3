"""Executes examples/notebooks/hunt-cloudtrail.ipynb and checks its key outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOK = ROOT / "examples" / "notebooks" / "hunt-cloudtrail.ipynb"


@pytest.fixture(scope="module")
def executed() -> Any:
    notebook = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    return notebook


def test_notebook_follows_the_chain(executed: Any) -> None:
    last = executed.cells[-1]
    [stream] = [o for o in last.outputs if o.output_type == "stream"]
    summary = json.loads(stream.text)
    assert summary["ssrf_alerts"] == 2
    assert summary["ssrf_first"] == "2026-11-20T03:14:07.123000+00:00"
    assert summary["attacker_ip"] == "198.51.100.42"
    assert summary["role"] == "shop-web-role"
    # EXPECTED.md: GetCallerIdentity, ListBuckets, then 30 exports downloaded.
    assert summary["cloudtrail_calls_by_attacker"] == {
        "GetCallerIdentity": 1,
        "GetObject": 30,
        "ListBuckets": 1,
    }
    assert summary["s3_downloads"] == 30
    assert summary["s3_access_log_downloads"] == 30
    start, end = summary["exfil_window"]
    assert start.startswith("2026-11-20T03:16:00")
    assert end.startswith("2026-11-20T03:17:5")


def test_notebook_plots_the_timeline(executed: Any) -> None:
    images = [
        o
        for cell in executed.cells
        if cell.cell_type == "code"
        for o in cell.outputs
        if o.output_type == "display_data" and "image/png" in o.data
    ]
    assert len(images) == 1
