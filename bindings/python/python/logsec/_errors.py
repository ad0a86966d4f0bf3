"""The exceptions logsec raises: one base class, subclasses mirroring the Rust error types.

Each subclass also derives from the built-in exception a Python user would expect, so
``except ValueError``, ``except KeyError`` and ``except OSError`` keep working. The Rust side
maps its error enums to these classes in one place (``bindings/python/src/errors.rs``); a Rust
panic is caught there and raised as :class:`LogsecError`, never as ``PanicException``.
"""

from __future__ import annotations

__all__ = [
    "FieldError",
    "IamError",
    "InputError",
    "LogsecError",
    "ParseError",
    "RulesError",
    "SchemaError",
    "UnknownFormatError",
]


class LogsecError(Exception):
    """Base class of every error raised by logsec."""


class ParseError(LogsecError, ValueError):
    """Input could not be parsed (an unrecognizable file, text that is not an OCSF event)."""


class FieldError(LogsecError, KeyError):
    """A field path is malformed or names no known field."""

    def __str__(self) -> str:
        # KeyError's str() is the repr of its argument; show the message as written.
        return str(self.args[0]) if self.args else ""


class UnknownFormatError(LogsecError, ValueError):
    """A source-format name is neither a canonical name nor a known alias."""


class InputError(LogsecError, OSError):
    """An input path does not exist or cannot be listed (``PipelineError::Input``)."""


class RulesError(LogsecError, ValueError):
    """Rules could not be read or did not compile; the message has ``file:line:column``."""


class IamError(LogsecError, ValueError):
    """The least-privilege report could not be built (``logsec_iam::IamError``)."""


class SchemaError(LogsecError, ValueError):
    """Arrow data given to logsec lacks a column it needs (``raw`` for
    :meth:`logsec.Rules.evaluate`) or has one of an unusable type."""
