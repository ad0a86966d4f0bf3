"""Error classes and messages."""

from __future__ import annotations

from pathlib import Path

import pytest

import logsec


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.log"
    with pytest.raises(logsec.InputError, match=r"cannot read input .*nope\.log") as info:
        logsec.read(missing)
    assert isinstance(info.value, OSError)
    assert isinstance(info.value, logsec.LogsecError)


def test_unrecognizable_bytes_are_a_parse_error() -> None:
    with pytest.raises(logsec.ParseError, match=r"<bytes 0>: cannot detect the log format"):
        logsec.read(b"\x00\x01 just some binary junk")


def test_unknown_format_name() -> None:
    with pytest.raises(logsec.UnknownFormatError, match="cloudtrial"):
        logsec.read(b"x", format="cloudtrial")


def test_rule_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(
        "title: Bad\nid: 7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f\nlogsource: {product: aws}\n"
        "detection:\n  sel: {eventName: X}\n  condition: sel and\n"
    )
    with pytest.raises(logsec.RulesError) as info:
        logsec.Rules.load(path)
    message = str(info.value)
    assert message.startswith(f"{path}:")
    assert "condition ends too early" in message
    # Not strict: the rule is in the report with its status.
    rules = logsec.Rules.load(path, strict=False)
    [row] = rules.check().to_pylist()
    assert row["status"] == "error"
    assert row["title"] == "Bad"


def test_missing_rule_path_is_a_rules_error(tmp_path: Path) -> None:
    with pytest.raises(logsec.RulesError, match=r"cannot read rules .*absent"):
        logsec.Rules.load(tmp_path / "absent")


def test_wrong_dialect_is_a_rules_error() -> None:
    sigma = (
        "title: S\nid: 8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f\nlogsource: {product: aws}\n"
        "detection:\n  sel: {eventName: X}\n  condition: sel\n"
    )
    with pytest.raises(logsec.RulesError, match="is sigma, not falco"):
        logsec.Rules.load(sigma, dialect="falco")


def test_iam_errors(tmp_path: Path) -> None:
    with pytest.raises(logsec.IamError, match="invalid duration"):
        logsec.iam.report(tmp_path, tmp_path / "authz.json", since="ninety days")
    with pytest.raises(logsec.IamError, match="cannot read"):
        logsec.iam.report(tmp_path, tmp_path / "authz.json")
