"""``logsec.iam``: the least-privilege report (used vs granted AWS permissions, privilege
creep) from CloudTrail and an IAM authorization-details document."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any, Union

from logsec import _native

__all__ = ["Report", "report"]

PathLike = Union[str, "os.PathLike[str]"]


class Report(dict[str, Any]):
    """The report as a dict (the JSON form of ``logsec iam report --output json``), with the
    Markdown and HTML renderings of the CLI."""

    def __init__(self, data: dict[str, Any], markdown: str, html: str) -> None:
        super().__init__(data)
        self._markdown = markdown
        self._html = html

    def to_markdown(self) -> str:
        """The report as Markdown."""
        return self._markdown

    def to_html(self) -> str:
        """The report as a standalone HTML page."""
        return self._html

    def _repr_html_(self) -> str:
        return self._html


def report(
    cloudtrail: PathLike | Sequence[PathLike],
    authz: PathLike,
    since: str = "90d",
    baseline: str | None = "30d",
) -> Report:
    """Builds the least-privilege report over the CloudTrail files/directories ``cloudtrail``
    and the ``aws iam get-account-authorization-details`` output ``authz``. ``since`` is the
    analysis window ending at the newest event, ``baseline`` its first part (``None``: no
    privilege-creep analysis). Errors raise :class:`logsec.IamError`."""
    paths = [cloudtrail] if isinstance(cloudtrail, (str, os.PathLike)) else list(cloudtrail)
    text, markdown, html = _native.iam_report(
        [os.fspath(p) for p in paths], os.fspath(authz), since, baseline
    )
    return Report(json.loads(text), markdown, html)
