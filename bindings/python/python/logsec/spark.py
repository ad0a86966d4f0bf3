"""logsec on Apache Spark: parse and detect over DataFrames, and a ``logsec`` data source.

Everything runs through Arrow batches with the Rust engine inside (``mapInArrow`` and
``applyInArrow``); no cluster code of our own. Needs ``pyspark>=4.0`` and the ``logsec`` wheel
installed on every executor (see ``docs/spark.md``).

- :func:`parse`: a DataFrame of raw rows (one line, or one whole file read with
  ``wholetext``/``binaryFile``) → a DataFrame of OCSF event columns.
- :func:`detect`: the same input → a DataFrame of alerts, correlations included (two stages:
  per input partition, then per correlation partition; see ``docs/spark.md``).
- :func:`register`: registers the data source so
  ``spark.read.format("logsec").option("format", "cloudtrail").load(path)`` works.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import pyarrow as pa

# The private `_spark_*` functions of the native module (not part of its typed stub).
_NATIVE: Any = importlib.import_module("logsec._native")

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

__all__ = ["DATA_SOURCE_NAME", "detect", "parse", "register", "rules_text"]

#: The name the data source is registered under.
DATA_SOURCE_NAME = "logsec"

Rules = Union[None, str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]", tuple[str, str]]]]


def rules_text(rules: Rules = None) -> str:
    """The text form rules travel in to executors.

    ``None`` or ``"pack"`` is the bundled pack; otherwise a rule file path, a directory of
    rule files (``.yml``/``.yaml``), or a list of paths or ``(name, text)`` pairs. The result
    is ``"pack"`` or a JSON list of ``[name, text]``.
    """
    if rules is None or (isinstance(rules, str) and rules == "pack"):
        return "pack"
    items: Sequence[Any] = [rules] if isinstance(rules, (str, os.PathLike)) else rules
    files: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, tuple):
            files.append((str(item[0]), str(item[1])))
            continue
        path = Path(item)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if found.suffix in (".yml", ".yaml") and found.is_file():
                    files.append((str(found), found.read_text(encoding="utf-8")))
        else:
            files.append((str(path), path.read_text(encoding="utf-8")))
    return json.dumps(files)


def _spark_schema(arrow_schema: pa.Schema) -> StructType:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(arrow_schema)


def _target(spark_schema: StructType) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(spark_schema, timezone="UTC")


def _conform(batch: pa.RecordBatch, target: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Casts a batch to the Arrow schema Spark expects (timestamp units differ)."""
    if batch.num_rows:
        yield from pa.Table.from_batches([batch]).cast(target).to_batches()


def _single_batch(table: pa.Table, schema: pa.Schema) -> pa.RecordBatch:
    combined = table.combine_chunks()
    batches = combined.to_batches()
    if not batches:
        return pa.RecordBatch.from_pylist([], schema=schema)
    return batches[0]


def parse(
    df: DataFrame,
    column: str = "value",
    format: str | None = None,
    name_column: str | None = None,
) -> DataFrame:
    """OCSF event rows from the raw rows of ``df``.

    ``column`` holds the input (string or binary; a line or a whole file, plain or gzip).
    ``format`` forces a source format (else it is detected per row, helped by the file name in
    ``name_column``, e.g. ``"path"`` for ``binaryFile``).
    """
    event_arrow, _, _ = _NATIVE._spark_schemas()
    schema = _spark_schema(event_arrow)
    target = _target(schema)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield from _conform(_NATIVE._spark_parse_batch(batch, column, format, name_column), target)

    return df.mapInArrow(run, schema)


def _stage_one_rows(
    alerts: pa.RecordBatch, inputs: pa.RecordBatch, alerts_group: str, target: pa.Schema
) -> Iterator[pa.RecordBatch]:
    """The stage-1 rows in the ``target`` schema: alert rows (``partition`` -1, the alert
    columns) and correlation-input rows (the input columns); the other side's columns null."""
    alert_rows = pa.Table.from_batches([alerts])
    count = alert_rows.num_rows
    alert_rows = alert_rows.append_column("partition", pa.array([-1] * count, pa.int32()))
    alert_rows = alert_rows.append_column("group_key", pa.array([alerts_group] * count, pa.string()))
    for table in (alert_rows, pa.Table.from_batches([inputs])):
        if not table.num_rows:
            continue
        columns = [
            table.column(field.name) if field.name in table.column_names else pa.nulls(table.num_rows, field.type)
            for field in target
        ]
        yield from pa.Table.from_arrays(columns, names=target.names).cast(target).to_batches()


def detect(
    df: DataFrame,
    rules: Rules = None,
    format: str | None = None,
    column: str = "value",
    name_column: str | None = None,
) -> DataFrame:
    """Alerts (the ``logsec`` alert columns) from the raw rows of ``df`` (see :func:`parse`).

    Without correlations: one ``mapInArrow`` pass. With correlations, two stages
    (``docs/spark.md``): ``mapInArrow`` parses each partition once and emits the single-event
    alerts and every base-rule match that feeds a correlation, tagged with its correlation
    partition (correlation rule, group-by values); ``groupBy(partition).applyInArrow`` then
    runs the correlation engine per partition over its matches in event-time order. The
    alerts equal a single-process :func:`logsec.scan`, ids and content.
    """
    text = rules_text(rules)
    _, alert_arrow, input_arrow = _NATIVE._spark_schemas()
    alert_schema = _spark_schema(alert_arrow)
    alert_target = _target(alert_schema)

    if not _NATIVE._spark_has_correlations(text):

        def single(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for batch in batches:
                out = _NATIVE._spark_detect_batch(batch, column, format, text, name_column)
                yield from _conform(out, alert_target)

        return df.mapInArrow(single, alert_schema)

    # Stage-1 rows carry either an alert or a correlation input; alert rows pass through
    # stage 2 unchanged, in groups of one input batch each (partition -1).
    alert_names = alert_arrow.names
    input_names = input_arrow.names
    stage_one_schema = _spark_schema(
        pa.schema([field.with_nullable(True) for field in [*alert_arrow, *input_arrow]])
    )
    stage_one_target = _target(stage_one_schema)

    def stage_one(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        context = TaskContext.get()
        task = f"{context.partitionId()}.{context.attemptNumber()}" if context else str(os.getpid())
        for index, batch in enumerate(batches):
            alerts, inputs = _NATIVE._spark_detect_feed_batch(batch, column, format, text, name_column)
            yield from _stage_one_rows(alerts, inputs, f"alerts:{task}:{index}", stage_one_target)

    def stage_two(table: pa.Table) -> pa.Table:
        if table.num_rows and table.column("partition")[0].as_py() < 0:
            return table.select(alert_names).cast(alert_target)
        inputs = _single_batch(table.select(input_names), input_arrow)
        out = _NATIVE._spark_correlate_batch(inputs, text)
        return pa.Table.from_batches([out]).cast(alert_target)

    return (
        df.mapInArrow(stage_one, stage_one_schema)
        .groupBy("partition", "group_key")
        .applyInArrow(stage_two, alert_schema)
    )


def _expand(path: str) -> list[str]:
    import glob

    out: list[str] = []
    for part in path.split(","):
        part = part.strip()
        if part.startswith("file:"):
            part = part[len("file:") :]
        for found in sorted(glob.glob(part)) or [part]:
            p = Path(found)
            if p.is_dir():
                out.extend(str(f) for f in sorted(p.rglob("*")) if f.is_file() and not f.name.startswith("."))
            else:
                out.append(str(p))
    return out


def _data_source() -> type:
    from pyspark.sql.datasource import DataSource, DataSourceReader, InputPartition

    class _FilePartition(InputPartition):  # type: ignore[misc]
        def __init__(self, path: str) -> None:
            super().__init__(path)
            self.path = path

    class LogsecReader(DataSourceReader):  # type: ignore[misc]
        def __init__(self, options: dict[str, str], target: pa.Schema) -> None:
            self.options = options
            self.target = target

        def partitions(self) -> list[_FilePartition]:
            path = self.options.get("path")
            if not path:
                raise ValueError('the logsec data source needs a path: .load("…")')
            return [_FilePartition(p) for p in _expand(path)]

        def read(self, partition: _FilePartition) -> Iterator[pa.RecordBatch]:
            data = Path(partition.path).read_bytes()
            batch = pa.RecordBatch.from_pydict({"value": pa.array([data], pa.binary()), "name": [partition.path]})
            out = _NATIVE._spark_parse_batch(batch, "value", self.options.get("format"), "name")
            yield from _conform(out, self.target)

    class LogsecDataSource(DataSource):  # type: ignore[misc]
        """``spark.read.format("logsec")``: files (plain or gzip) → OCSF event rows.

        Options: ``format`` (a source format name; detected per file when absent).
        """

        @classmethod
        def name(cls) -> str:
            return DATA_SOURCE_NAME

        def schema(self) -> StructType:
            return _spark_schema(_NATIVE._spark_schemas()[0])

        def reader(self, schema: StructType) -> LogsecReader:
            return LogsecReader(dict(self.options), _target(schema))

    return LogsecDataSource


def register(spark: SparkSession) -> None:
    """Registers the ``logsec`` data source with ``spark``."""
    spark.dataSource.register(_data_source())
