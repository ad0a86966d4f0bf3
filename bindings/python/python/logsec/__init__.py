"""logsec: cloud-native logs to security alerts, from Python.

The Rust engine lives in the private native module ``logsec._native``; this package is its
public face:

- :func:`read` / :func:`read_batches`: log files, directories, ``.gz`` or bytes → Arrow-backed
  :class:`Events` (``to_arrow()``, ``to_pandas()``, ``to_polars()``, ``rejects``).
- :class:`Rules` (``load``, ``check``, ``evaluate``) and :func:`scan` → :class:`Alerts`.
- :mod:`logsec.iam`: the least-privilege report.
- :class:`Event`: one normalized OCSF 1.8 event from its JSON form.
- :func:`formats` and :func:`resolve_format`: the registry of source-format names.
- :class:`LogsecError` and its subclasses: every error logsec raises.
"""

from __future__ import annotations

from logsec import iam
from logsec._api import Alerts, Events, Rules, read, read_batches, scan
from logsec._errors import (
    FieldError,
    IamError,
    InputError,
    LogsecError,
    ParseError,
    RulesError,
    SchemaError,
    UnknownFormatError,
)
from logsec._native import Event, __version__, formats, resolve_format

__all__ = [
    "Alerts",
    "Event",
    "Events",
    "FieldError",
    "IamError",
    "InputError",
    "LogsecError",
    "ParseError",
    "Rules",
    "RulesError",
    "SchemaError",
    "UnknownFormatError",
    "__version__",
    "formats",
    "iam",
    "read",
    "read_batches",
    "resolve_format",
    "scan",
]
