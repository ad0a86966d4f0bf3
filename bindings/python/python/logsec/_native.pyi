"""Type stubs for the native module ``logsec._native`` (hand-written; checked by stubtest)."""

import datetime
from typing import Any, final

__all__ = ["Event", "__version__", "formats", "resolve_format"]

__version__: str

@final
class Event:
    """One normalized log record (an OCSF 1.8 event) with its raw record."""

    @classmethod
    def from_ocsf_json(cls, text: str) -> Event:
        """Reads an event from its OCSF JSON form; raises ``logsec.ParseError``."""

    def to_ocsf_json(self) -> str:
        """The OCSF JSON form (compact)."""

    def to_dict(self) -> dict[str, Any]:
        """The OCSF form as plain Python data."""

    def get(self, path: str, default: Any = None) -> Any:
        """The value at a field path, ``default`` when missing, ``None`` when null.

        Raises ``logsec.FieldError`` for a malformed path or an unknown OCSF field.
        """

    def has(self, path: str) -> bool:
        """Whether the field is present (null counts as present)."""

    @property
    def class_uid(self) -> int:
        """``class_uid``."""

    @property
    def activity_id(self) -> int:
        """``activity_id``."""

    @property
    def time(self) -> datetime.datetime:
        """``time`` as a timezone-aware UTC datetime."""

    @property
    def format(self) -> str | None:
        """The canonical source-format name, or ``None``."""

def formats() -> list[str]:
    """The canonical names of every source format, in registry order."""

def resolve_format(name: str) -> str:
    """The canonical name for a format name or alias; raises ``logsec.UnknownFormatError``."""
