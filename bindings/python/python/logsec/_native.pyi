"""Type stubs for the native module ``logsec._native`` (hand-written; checked by stubtest)."""

import datetime
import os
from collections.abc import Iterator, Sequence
from typing import Any, final

__all__ = [
    "BatchReader",
    "Event",
    "Rules",
    "Sources",
    "Table",
    "__version__",
    "empty_rejects",
    "evaluate",
    "formats",
    "iam_report",
    "read",
    "resolve_format",
]

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

@final
class Table:
    """An immutable Arrow table held in Rust (schema + record batches)."""

    def __len__(self) -> int: ...
    @property
    def column_names(self) -> list[str]:
        """The column names, in schema order."""

    @staticmethod
    def concat(tables: list[Table]) -> Table:
        """The tables' rows one after the other (same schema); no copy."""

    @staticmethod
    def from_arrow(data: object) -> Table:
        """The batches of any Arrow data (``__arrow_c_stream__`` / ``__arrow_c_array__``)."""

    def slice(self, offset: int, length: int) -> Table:
        """Rows ``offset .. offset + length`` (clamped); no copy."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The Arrow PyCapsule stream export."""

@final
class Sources:
    """Inputs of a read or scan: paths (directories expanded) and bytes."""

    def __new__(
        cls,
        inputs: Sequence[str | bytes | os.PathLike[str]],
        format: str | None = None,
        recursive: bool = True,
    ) -> Sources: ...
    def __len__(self) -> int: ...
    def names(self) -> list[str]:
        """One name per input file."""

    def split(self) -> list[Sources]:
        """One ``Sources`` per file."""

@final
class BatchReader:
    """Event batches parsed on a background thread."""

    def __new__(cls, sources: Sources, batch_size: int = 65536) -> BatchReader: ...
    def __iter__(self) -> Iterator[Table]: ...
    def __next__(self) -> Table: ...
    def close(self) -> None:
        """Stops the background parse."""

@final
class Rules:
    """A loaded rule set."""

    def __new__(
        cls,
        texts: Sequence[tuple[str, str]],
        paths: Sequence[str | os.PathLike[str]],
        default_pack: bool,
        placeholders: dict[str, list[str]] | None = None,
    ) -> Rules: ...
    def report(self) -> list[dict[str, Any]]:
        """The load report, one dict per rule."""

    def scan(self, sources: Sources) -> tuple[Table, Table, list[dict[str, Any]]]:
        """Alerts, rejects and per-file summaries, as ``logsec scan`` computes them."""

def read(
    sources: Sources,
    batch_size: int = 65536,
    threads: int = 0,
    strict: bool = True,
    chunk_bytes: int = ...,
) -> tuple[Table, Table, list[dict[str, Any]]]:
    """Events, rejects and per-file summaries (parsed in parallel, GIL released)."""

def evaluate(
    rules: Rules, data: object, format: str | None = None
) -> tuple[Table, Table, list[dict[str, Any]]]:
    """Alerts of ``rules`` over Arrow events data, rows that did not parse, and a summary."""

def empty_rejects() -> Table:
    """An empty rejects table."""

def iam_report(
    cloudtrail: Sequence[str | os.PathLike[str]],
    authz: str | os.PathLike[str],
    since: str = "90d",
    baseline: str | None = ...,
) -> tuple[str, str, str]:
    """The least-privilege report as (JSON, Markdown, HTML)."""

# Arrow-batch functions for logsec.spark / logsec.dask (private; see bindings/python/src/spark.rs).
def _spark_parse_batch(
    batch: Any, column: str = "value", format: str | None = None, name_column: str | None = None
) -> Any: ...
def _spark_detect_batch(
    batch: Any,
    column: str = "value",
    format: str | None = None,
    rules: str = "pack",
    name_column: str | None = None,
) -> Any: ...
def _spark_detect_feed_batch(
    batch: Any,
    column: str = "value",
    format: str | None = None,
    rules: str = "pack",
    name_column: str | None = None,
) -> tuple[Any, Any]: ...
def _spark_correlate_batch(batch: Any, rules: str = "pack") -> Any: ...
def _spark_has_correlations(rules: str) -> bool: ...
def _spark_schemas() -> tuple[Any, Any, Any]: ...

__all__ += [
    "_spark_correlate_batch",
    "_spark_detect_batch",
    "_spark_detect_feed_batch",
    "_spark_has_correlations",
    "_spark_parse_batch",
    "_spark_schemas",
]
