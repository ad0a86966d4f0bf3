"""logsec: cloud-native logs to security alerts, from Python.

The Rust engine lives in the private native module ``logsec._native``; this package is its
public face. What exists today:

- :class:`Event`: one normalized OCSF 1.8 event, read from its OCSF JSON form with
  :meth:`Event.from_ocsf_json`; field access by path with :meth:`Event.get` and
  :meth:`Event.has`.
- :func:`formats` and :func:`resolve_format`: the registry of source-format names and aliases.
- :class:`LogsecError` and its subclasses: every error logsec raises.
"""

from __future__ import annotations

from logsec._errors import FieldError, LogsecError, ParseError, UnknownFormatError
from logsec._native import Event, __version__, formats, resolve_format

__all__ = [
    "Event",
    "FieldError",
    "LogsecError",
    "ParseError",
    "UnknownFormatError",
    "__version__",
    "formats",
    "resolve_format",
]
