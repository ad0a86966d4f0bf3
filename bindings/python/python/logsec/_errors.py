"""The exceptions logsec raises: one base class, subclasses mirroring the Rust error types.

Each subclass also derives from the built-in exception a Python user would expect, so
``except ValueError`` and ``except KeyError`` keep working.
"""

from __future__ import annotations

__all__ = ["FieldError", "LogsecError", "ParseError", "UnknownFormatError"]


class LogsecError(Exception):
    """Base class of every error raised by logsec."""


class ParseError(LogsecError, ValueError):
    """Input could not be parsed (for example, text that is not a valid OCSF event)."""


class FieldError(LogsecError, KeyError):
    """A field path is malformed or names no known field."""

    def __str__(self) -> str:
        # KeyError's str() is the repr of its argument; show the message as written.
        return str(self.args[0]) if self.args else ""


class UnknownFormatError(LogsecError, ValueError):
    """A source-format name is neither a canonical name nor a known alias."""
