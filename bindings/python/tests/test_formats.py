"""The source-format registry seen from Python."""

from __future__ import annotations

import pytest

import logsec


def test_formats_lists_canonical_names_in_registry_order() -> None:
    names = logsec.formats()
    assert names[:5] == ["cloudtrail", "s3_access", "envoy", "istio", "k8s_audit"]
    assert "azure_activity" in names
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("cloudtrail", "cloudtrail"),
        ("aws_cloudtrail", "cloudtrail"),
        ("CT", "cloudtrail"),
        ("K8S-Audit", "k8s_audit"),
    ],
)
def test_resolve_format_accepts_aliases(name: str, canonical: str) -> None:
    assert logsec.resolve_format(name) == canonical


def test_unknown_format_lists_the_known_ones() -> None:
    with pytest.raises(logsec.UnknownFormatError) as caught:
        logsec.resolve_format("nope")
    message = str(caught.value)
    assert message.startswith('unknown log format "nope"; known formats: cloudtrail, s3_access')
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, logsec.LogsecError)
