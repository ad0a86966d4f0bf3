"""The notebook API: ``read``, ``read_batches``, ``scan``, ``Rules``, ``Events`` and ``Alerts``.

Everything heavy runs in Rust (``logsec._native``) with the GIL released; this module only
arranges inputs and turns the Arrow tables Rust built into pyarrow / pandas / polars objects.
pyarrow, pandas, polars, matplotlib and tqdm are optional and imported on first use.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Generator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Union

from logsec import _native
from logsec._errors import ParseError, RulesError

if TYPE_CHECKING:
    import pandas
    import polars
    import pyarrow
    from matplotlib.axes import Axes

__all__ = ["Alerts", "Events", "Rules", "read", "read_batches", "scan"]

PathLike = Union[str, "os.PathLike[str]"]
Inputs = Union[PathLike, bytes, Sequence[Union[PathLike, bytes]]]

#: The columns ``_repr_html_`` shows for events, when present.
_EVENT_PREVIEW = (
    "time",
    "metadata_log_format",
    "api_operation",
    "actor_user_name",
    "src_endpoint_ip",
    "http_request_url_path",
    "api_response_error",
)
_ALERT_PREVIEW = ("time", "severity", "rule_title", "principal", "src_ip", "message")


def _input_list(inputs: Inputs) -> list[str | bytes]:
    if isinstance(inputs, (str, bytes, os.PathLike)):
        inputs = [inputs]
    out: list[str | bytes] = []
    for item in inputs:
        out.append(item if isinstance(item, bytes) else os.fspath(item))
    return out


def _format_arg(format: str) -> str | None:
    return None if format == "auto" else format


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("this needs pyarrow: pip install 'logsec[pandas]'") from err
    return pyarrow


class _Frame:
    """What Events and Alerts share: an Arrow table held in Rust and its conversions."""

    _table: _native.Table
    _preview: tuple[str, ...] = ()
    _noun = "rows"

    def __len__(self) -> int:
        return len(self._table)

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The Arrow PyCapsule stream (zero-copy export to pyarrow, polars, duckdb, …)."""
        return self._table.__arrow_c_stream__(requested_schema)

    @property
    def columns(self) -> list[str]:
        """The column names, in schema order."""
        return self._table.column_names

    def to_arrow(self) -> pyarrow.Table:
        """A ``pyarrow.Table`` (no copy of the column data)."""
        table: pyarrow.Table = _pyarrow().table(self._table)
        return table

    def to_pandas(self) -> pandas.DataFrame:
        """A ``pandas.DataFrame``; ``time`` is a timezone-aware UTC datetime column and list
        columns (``resources_uid``, ``related_event_uids``, ``tags``, …) are
        ``pandas.ArrowDtype(list<string>)``: a cell is a Python list (or None), and
        ``.explode()`` and the ``.list`` accessor work."""
        import pandas

        def list_columns(arrow_type: pyarrow.DataType) -> Any:
            # Arrow lists stay Arrow data (no copy) instead of one numpy array per cell, which
            # costs more than building the rest of the frame.
            if _pyarrow().types.is_list(arrow_type):
                return pandas.ArrowDtype(arrow_type)
            return None

        frame: pandas.DataFrame = self.to_arrow().to_pandas(types_mapper=list_columns)
        return frame

    def to_polars(self) -> polars.DataFrame:
        """A ``polars.DataFrame``; ``time`` is ``Datetime("ms", "UTC")``."""
        import polars

        frame = polars.from_arrow(self.to_arrow())
        assert isinstance(frame, polars.DataFrame)
        return frame

    def _repr_html_(self) -> str:
        rows = len(self)
        head = f"<p><b>{type(self).__name__}</b>: {rows} {self._noun}</p>"
        try:
            pa = _pyarrow()
        except ImportError:
            return head
        table = pa.table(self._table.slice(0, 10))
        shown = [c for c in self._preview if c in table.column_names]
        cells = table.select(shown).to_pylist()
        out = [head, "<table><thead><tr>"]
        out += [f"<th>{html.escape(c)}</th>" for c in shown]
        out.append("</tr></thead><tbody>")
        for row in cells:
            out.append("<tr>")
            out += [
                f"<td>{'' if row[c] is None else html.escape(str(row[c]))}</td>" for c in shown
            ]
            out.append("</tr>")
        out.append("</tbody></table>")
        if rows > 10:
            out.append(f"<p>… {rows - 10} more</p>")
        return "".join(out)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} {self._noun})"


class Events(_Frame):
    """Normalized events (OCSF 1.8, flat columns) read by :func:`read`."""

    _preview = _EVENT_PREVIEW
    _noun = "events"

    def __init__(
        self,
        table: _native.Table,
        rejects: _native.Table,
        files: list[dict[str, Any]],
        sources: _native.Sources | None,
    ) -> None:
        self._table = table
        self._rejects = rejects
        self._files = files
        self._sources = sources

    @property
    def rejects(self) -> pyarrow.Table:
        """Records that could not be parsed: ``file``, ``record`` (line number or record
        index), ``location_kind``, ``byte_offset``, ``reason``, ``snippet``; an unreadable
        file is one row with ``location_kind == "file"``."""
        table: pyarrow.Table = _pyarrow().table(self._rejects)
        return table

    @property
    def files(self) -> list[dict[str, Any]]:
        """Per input file: name, detected format, records, events, skipped, rejects, error."""
        return [dict(f) for f in self._files]

    def head(self, n: int = 5) -> Events:
        """The first ``n`` events (a view, no copy); :meth:`Rules.evaluate` accepts it."""
        return self.slice(0, max(n, 0))

    def slice(self, offset: int, length: int | None = None) -> Events:
        """Rows ``offset .. offset + length`` (to the end when ``length`` is None); no copy."""
        if offset < 0:
            raise ValueError(f"offset must be >= 0, not {offset}")
        if length is None:
            length = max(len(self) - offset, 0)
        elif length < 0:
            raise ValueError(f"length must be >= 0, not {length}")
        return Events(self._table.slice(offset, length), self._rejects, self._files, None)

    @classmethod
    def concat(cls, parts: Sequence[Events]) -> Events:
        """The events of ``parts`` one after the other (they must share a schema); no copy."""
        if not parts:
            raise ValueError("concat needs at least one Events")
        table = _native.Table.concat([p._table for p in parts])
        rejects = _native.Table.concat([p._rejects for p in parts])
        files = [f for p in parts for f in p._files]
        return cls(table, rejects, files, None)

    @classmethod
    def from_arrow(cls, data: object) -> Events:
        """Events from Arrow data with the events columns: a ``pyarrow.Table``, ``RecordBatch``
        or ``RecordBatchReader``, a ``polars.DataFrame`` (anything exporting
        ``__arrow_c_stream__``), or a ``pandas.DataFrame`` (converted through pyarrow), e.g.
        the result of ``to_arrow()`` / ``to_polars()`` / ``to_pandas()`` after filtering.
        :meth:`Rules.evaluate` needs the ``raw`` column and uses ``metadata_log_format`` and
        ``time`` when present."""
        if isinstance(data, Events):
            return data
        table = _native.Table.from_arrow(_arrow_input(data))
        return cls(table, _empty_rejects(), [], None)


def _arrow_input(data: object) -> object:
    """``data`` as something the native layer reads through the Arrow PyCapsule interface."""
    if isinstance(data, _Frame):
        return data._table
    if hasattr(data, "__arrow_c_stream__") or hasattr(data, "__arrow_c_array__"):
        return data
    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        pa = _pyarrow()
        return pa.Table.from_pandas(data, preserve_index=False)
    raise TypeError(
        f"cannot use a {type(data).__name__} as events: pass logsec.Events, a pyarrow Table/"
        "RecordBatch/RecordBatchReader, a polars DataFrame or a pandas DataFrame"
    )


def _empty_rejects() -> _native.Table:
    return _native.empty_rejects()


class Alerts(_Frame):
    """Alerts (OCSF Detection Findings) raised by :func:`scan` or :meth:`Rules.evaluate`."""

    _preview = _ALERT_PREVIEW
    _noun = "alerts"

    def __init__(
        self, table: _native.Table, files: list[dict[str, Any]], rejects: _native.Table
    ) -> None:
        self._table = table
        self._files = files
        self._rejects = rejects

    @property
    def rejects(self) -> pyarrow.Table:
        """Records that could not be parsed (same columns as :attr:`Events.rejects`); for
        :meth:`Rules.evaluate` over Arrow data, rows whose ``raw`` did not parse again, with
        their 0-based row index in ``record``."""
        table: pyarrow.Table = _pyarrow().table(self._rejects)
        return table

    @property
    def files(self) -> list[dict[str, Any]]:
        """Per input file of the scan: name, format, records, events, rejects, error."""
        return [dict(f) for f in self._files]

    def head(self, n: int = 5) -> Alerts:
        """The first ``n`` alerts."""
        return Alerts(self._table.slice(0, max(n, 0)), self._files, self._rejects)

    @property
    def uids(self) -> list[str]:
        """The alert ids, in scan order."""
        values: list[str] = self.to_arrow().column("uid").to_pylist()
        return values

    def plot_timeline(self, ax: Axes | None = None, title: str | None = None) -> Axes:
        """A timeline: one row per rule, a dot per alert, coloured by severity (matplotlib)."""
        try:
            import matplotlib.pyplot as plt
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError("plot_timeline needs matplotlib: pip install matplotlib") from err
        rows = self.to_arrow().select(["time", "rule_title", "severity_id"]).to_pylist()
        if ax is None:
            _, ax = plt.subplots(figsize=(10, 0.5 + 0.45 * max(len(rows), 1) ** 0.5 * 3))
        rules = sorted({r["rule_title"] for r in rows}, key=lambda t: min(
            r["time"] for r in rows if r["rule_title"] == t
        ))
        colours = {1: "tab:gray", 2: "tab:blue", 3: "tab:orange", 4: "tab:red", 5: "darkred"}
        for row in rows:
            ax.scatter(
                row["time"],
                rules.index(row["rule_title"]),
                color=colours.get(row["severity_id"], "black"),
                s=40,
            )
        ax.set_yticks(range(len(rules)))
        ax.set_yticklabels(rules)
        ax.set_xlabel("time (UTC)")
        ax.set_title(title or f"{len(rows)} alerts")
        ax.grid(axis="x", alpha=0.3)
        return ax


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="file", desc="logsec.read")


def read(
    paths_or_bytes: Inputs,
    format: str = "auto",
    *,
    recursive: bool = True,
    progress: bool = False,
    batch_size: int = 65536,
    threads: int = 0,
) -> Events:
    """Reads log files, directories (recursively by default), ``.gz`` files or in-memory
    bytes into :class:`Events`. The format is detected per file unless ``format`` names one.
    Malformed records do not raise: they are in :attr:`Events.rejects`. An input that does not
    exist raises :class:`logsec.InputError`; inputs of which none could be read raise
    :class:`logsec.ParseError`.

    Files, and chunks of JSON-lines and ``Records`` inputs (gzip included), are parsed on
    ``threads`` worker threads (0: one per core) with the GIL released while the input is
    still being read; the rows keep input order whatever ``threads`` is. ``progress`` shows a tqdm bar per file when tqdm is installed.
    """
    sources = _native.Sources(_input_list(paths_or_bytes), _format_arg(format), recursive)
    bar = _progress(len(sources), progress)
    if bar is None:
        table, rejects, files = _native.read(sources, batch_size, threads)
        return Events(table, rejects, files, sources)
    tables, reject_tables, all_files = [], [], []
    with bar:
        for one in sources.split():
            table, rejects, files = _native.read(one, batch_size, threads, False)
            tables.append(table)
            reject_tables.append(rejects)
            all_files.extend(files)
            bar.update(1)
    if not any(len(t) for t in tables):
        unreadable = [f for f in all_files if f["error"]]
        if unreadable:
            raise ParseError(f"{unreadable[0]['name']}: {unreadable[0]['error']}")
    if not tables:
        return Events(*_native.read(sources, batch_size, threads), sources)
    return Events(
        _native.Table.concat(tables), _native.Table.concat(reject_tables), all_files, sources
    )


def read_batches(
    paths_or_bytes: Inputs,
    format: str = "auto",
    *,
    recursive: bool = True,
    batch_size: int = 65536,
) -> Generator[pyarrow.RecordBatch, None, None]:
    """Streams events as ``pyarrow.RecordBatch`` es of at most ``batch_size`` rows, parsed on
    a background thread, for inputs larger than memory."""
    pa = _pyarrow()
    sources = _native.Sources(_input_list(paths_or_bytes), _format_arg(format), recursive)
    reader = _native.BatchReader(sources, batch_size)
    try:
        for table in reader:
            yield from pa.table(table).to_batches()
    finally:
        reader.close()


_LINE = re.compile(r"line (\d+)(?:,? column (\d+))?")


def _rule_location(rule: Mapping[str, Any]) -> str:
    where = str(rule["path"])
    location = rule.get("location")
    if location:
        match = _LINE.search(str(location))
        if match:
            where += f":{match.group(1)}"
            if match.group(2):
                where += f":{match.group(2)}"
        else:
            where += f": {location}"
    return where


class Rules:
    """A loaded rule set: Sigma and Falco rules compiled by the Rust engine."""

    def __init__(self, native: _native.Rules) -> None:
        self._native = native

    @classmethod
    def load(
        cls,
        source: PathLike | Iterable[PathLike],
        dialect: Literal["auto", "sigma", "falco"] = "auto",
        placeholders: Mapping[str, Sequence[str]] | None = None,
        *,
        strict: bool = True,
        with_default_pack: bool = False,
    ) -> Rules:
        """Loads rules from files, directories (their ``.yml``/``.yaml`` files) or YAML text
        (a ``str`` containing a newline). ``dialect`` other than ``"auto"`` requires every rule
        to be of that dialect. With ``strict`` (the default) a rule that does not compile
        raises :class:`logsec.RulesError` naming ``file:line:column``; otherwise it is only in
        :meth:`check`.
        """
        items: list[PathLike]
        if isinstance(source, (str, os.PathLike)):
            items = [source]
        else:
            items = list(source)
        texts: list[tuple[str, str]] = []
        paths: list[str] = []
        for index, item in enumerate(items):
            if isinstance(item, str) and "\n" in item:
                texts.append((f"<text {index}>", item))
            else:
                paths.append(os.fspath(item))
        values = {k: list(v) for k, v in placeholders.items()} if placeholders else None
        rules = cls(_native.Rules(texts, paths, with_default_pack, values))
        report = rules._native.report()
        if dialect != "auto":
            other = [r for r in report if r["dialect"] != dialect]
            if other:
                raise RulesError(
                    f"{_rule_location(other[0])}: rule {other[0]['title']!r} is "
                    f"{other[0]['dialect']}, not {dialect}"
                )
        if strict:
            errors = [r for r in report if r["status"] == "error"]
            if errors:
                lines = [f"{_rule_location(r)}: {r['reason']}" for r in errors]
                raise RulesError("\n".join(lines))
        if not report:
            raise RulesError(f"no rules found in {', '.join(paths) or 'the given text'}")
        return rules

    @classmethod
    def bundled(cls) -> Rules:
        """The rule pack bundled with logsec (what ``logsec scan`` uses by default)."""
        return cls(_native.Rules([], [], True, None))

    def __len__(self) -> int:
        return len(self._native.report())

    def __repr__(self) -> str:
        return f"Rules({len(self)} rules)"

    def report(self) -> list[dict[str, Any]]:
        """The load report as dicts (path, id, title, dialect, status, reason, location,
        warnings)."""
        return self._native.report()

    def check(self) -> pyarrow.Table:
        """The load report as a ``pa.Table``, one row per rule."""
        pa = _pyarrow()
        rows = self._native.report()
        schema = pa.schema(
            [
                ("path", pa.string()),
                ("id", pa.string()),
                ("title", pa.string()),
                ("dialect", pa.string()),
                ("status", pa.string()),
                ("reason", pa.string()),
                ("location", pa.string()),
                ("warnings", pa.list_(pa.string())),
            ]
        )
        table: pyarrow.Table = pa.Table.from_pylist(rows, schema=schema)
        return table

    def evaluate(self, events: Events | object, *, format: str = "auto") -> Alerts:
        """Runs the rules over ``events`` with the same engine pass as ``logsec scan``
        (single-event rules in row order, then correlations in event-time order).

        ``events`` is what :func:`read` returned (the files are scanned again, exactly as the
        CLI would), or any other :class:`Events` (``head()``, ``slice()``, ``concat()``,
        :meth:`Events.from_arrow`), or Arrow / pandas / polars data with the events columns:
        each row's ``raw`` record is parsed again as its ``metadata_log_format`` (``format``
        for rows without one) and keeps its ``time``. Rows whose raw record does not parse
        are in :attr:`Alerts.rejects`.
        """
        if isinstance(events, Events) and events._sources is not None:
            table, rejects, files = self._native.scan(events._sources)
            return Alerts(table, files, rejects)
        table, rejects, files = _native.evaluate(
            self._native, _arrow_input(events), _format_arg(format)
        )
        return Alerts(table, files, rejects)


def scan(
    paths_or_bytes: Inputs,
    rules: Rules | None = None,
    *,
    format: str = "auto",
    recursive: bool = True,
) -> Alerts:
    """Scans inputs like ``logsec scan``: with the bundled pack when ``rules`` is None, with
    exactly ``rules`` otherwise."""
    rules = Rules.bundled() if rules is None else rules
    sources = _native.Sources(_input_list(paths_or_bytes), _format_arg(format), recursive)
    table, rejects, files = rules._native.scan(sources)
    return Alerts(table, files, rejects)
