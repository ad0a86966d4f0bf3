"""The demo incident (examples/demo, gzip files) and its reference alerts from one process."""

from __future__ import annotations

from pathlib import Path

from logsec.spark import _NATIVE as _native

DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo"
FILES = sorted(str(p) for p in DEMO.glob("*.gz"))


def reference_alerts() -> list[tuple[str, str]]:
    """(uid, rule_id) of every alert of a single-process scan of the demo with the pack, sorted."""
    batch = _native._spark_scan_paths(FILES, "pack")
    return sorted(zip(batch.column("uid").to_pylist(), batch.column("rule_id").to_pylist()))
