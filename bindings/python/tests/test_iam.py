"""logsec.iam.report on the IAM crate's fixture scenario (crates/logsec-iam/tests/fixtures)."""

from __future__ import annotations

from pathlib import Path

import logsec

FIXTURES = Path(__file__).resolve().parents[3] / "crates" / "logsec-iam" / "tests" / "fixtures"


def test_iam_report_dict_markdown_html() -> None:
    report = logsec.iam.report(
        cloudtrail=[FIXTURES / "trail-a.jsonl", FIXTURES / "trail-b.json.gz"],
        authz=FIXTURES / "authz.json",
        since="30d",
        baseline="10d",
    )
    # The window the fixture's newest event defines (as asserted by the Rust fixture test).
    assert report["window"]["start"] == "2026-03-01T12:00:00Z"
    assert report["window"]["end"] == "2026-03-31T12:00:00Z"
    assert report["window"]["baseline"] == {
        "start": "2026-03-01T12:00:00Z",
        "end": "2026-03-11T12:00:00Z",
    }
    assert report["input"]["records"] == 24
    assert report["input"]["rejected"] == 2
    assert report.to_markdown().startswith("# Least-privilege report")
    assert report.to_html().startswith("<!DOCTYPE html>")
    assert report._repr_html_() == report.to_html()
