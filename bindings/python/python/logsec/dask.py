"""logsec on Dask: parse and detect over Dask DataFrames with ``map_partitions``.

Each partition goes through the Rust engine as an Arrow batch. Correlations run in a second
stage: every partition emits its correlation-feeding events, which are grouped by ``key`` and
correlated in event-time order (the plan in ``docs/spark.md``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from logsec.spark import Rules, rules_text

# The private `_spark_*` functions of the native module (not part of its typed stub).
_NATIVE: Any = importlib.import_module("logsec._native")

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

__all__ = ["detect", "parse"]


def _batch(pdf: pd.DataFrame, columns: list[str]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pandas(pdf[columns], preserve_index=False)


def _empty(schema: pa.Schema) -> pd.DataFrame:
    return schema.empty_table().to_pandas()


def _columns(column: str, name_column: str | None) -> list[str]:
    return [column] if name_column is None else [column, name_column]


def parse(
    ddf: dd.DataFrame,
    column: str = "value",
    format: str | None = None,
    name_column: str | None = None,
) -> dd.DataFrame:
    """OCSF event rows from the raw rows of ``ddf`` (see :func:`logsec.spark.parse`)."""
    event_schema = _NATIVE._spark_schemas()[0]
    cols = _columns(column, name_column)

    def run(pdf: pd.DataFrame) -> pd.DataFrame:
        out = _NATIVE._spark_parse_batch(_batch(pdf, cols), column, format, name_column)
        return pa.Table.from_batches([out]).cast(event_schema).to_pandas()

    return ddf.map_partitions(run, meta=_empty(event_schema))


def detect(
    ddf: dd.DataFrame,
    rules: Rules = None,
    format: str | None = None,
    column: str = "value",
    name_column: str | None = None,
) -> dd.DataFrame:
    """Alerts from the raw rows of ``ddf``, correlations included (see :func:`logsec.spark.detect`)."""
    text = rules_text(rules)
    _, alert_schema, feed_schema = _NATIVE._spark_schemas()
    cols = _columns(column, name_column)
    meta = _empty(alert_schema)

    def to_pandas(batch: Any) -> pd.DataFrame:
        return pa.Table.from_batches([batch]).cast(alert_schema).to_pandas()

    def single(pdf: pd.DataFrame) -> pd.DataFrame:
        return to_pandas(_NATIVE._spark_detect_batch(_batch(pdf, cols), column, format, text, name_column))

    alerts = ddf.map_partitions(single, meta=meta)
    if not _NATIVE._spark_has_correlations(text):
        return alerts

    def feed(pdf: pd.DataFrame) -> pd.DataFrame:
        out = _NATIVE._spark_feed_batch(_batch(pdf, cols), column, format, text, name_column)
        return pa.Table.from_batches([out]).to_pandas()

    def correlate(group: pd.DataFrame) -> pd.DataFrame:
        # pandas >= 3 leaves the grouping column out of the group; the engine needs only these.
        columns = ["time", "uid", "format", "raw"]
        schema = pa.schema([feed_schema.field(name) for name in columns])
        batch = pa.RecordBatch.from_pandas(group[columns], schema=schema, preserve_index=False)
        return to_pandas(_NATIVE._spark_correlate_batch(batch, text))

    import dask.dataframe as ddf_module

    feeding = ddf.map_partitions(feed, meta=_empty(feed_schema))
    correlated = feeding.groupby("key").apply(correlate, meta=meta)
    return ddf_module.concat([alerts, correlated.reset_index(drop=True)])
