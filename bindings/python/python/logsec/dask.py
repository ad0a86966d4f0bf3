"""logsec on Dask: parse and detect over Dask DataFrames with ``map_partitions``.

Each partition goes through the Rust engine as an Arrow batch. Correlations run in a second
stage: every partition emits the base-rule matches that feed a correlation, tagged with their
correlation partition; a shuffle brings each correlation partition together and the engine
correlates it in event-time order (the plan in ``docs/spark.md``).
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
    """Alerts from the raw rows of ``ddf``, correlations included (see :func:`logsec.spark.detect`).

    With correlations, each partition is parsed once and gives its single-event alerts and its
    correlation inputs; the inputs are shuffled by correlation partition (correlation rule,
    group-by values) and each shuffled partition is correlated, every correlation partition
    on its own.
    """
    text = rules_text(rules)
    _, alert_schema, input_schema = _NATIVE._spark_schemas()
    cols = _columns(column, name_column)
    meta = _empty(alert_schema)

    def to_pandas(batch: Any) -> pd.DataFrame:
        return pa.Table.from_batches([batch]).cast(alert_schema).to_pandas()

    if not _NATIVE._spark_has_correlations(text):

        def single(pdf: pd.DataFrame) -> pd.DataFrame:
            return to_pandas(_NATIVE._spark_detect_batch(_batch(pdf, cols), column, format, text, name_column))

        return ddf.map_partitions(single, meta=meta)

    import dask.dataframe as dd_module
    import pandas

    from logsec.spark import _stage_one_rows

    # Stage-1 rows carry an alert (partition -1) or a correlation input; Arrow-backed pandas
    # columns keep the types exact until each side is taken out.
    stage_one_schema = pa.schema([field.with_nullable(True) for field in [*alert_schema, *input_schema]])

    def stage_one(pdf: pd.DataFrame) -> pd.DataFrame:
        alerts, inputs = _NATIVE._spark_detect_feed_batch(_batch(pdf, cols), column, format, text, name_column)
        batches = list(_stage_one_rows(alerts, inputs, "alerts", stage_one_schema))
        table = pa.Table.from_batches(batches, schema=stage_one_schema)
        return table.to_pandas(types_mapper=pandas.ArrowDtype)

    def side(pdf: pd.DataFrame, alerts: bool, schema: pa.Schema) -> pd.DataFrame:
        mask = pdf["partition"] < 0 if alerts else pdf["partition"] >= 0
        table = pa.Table.from_pandas(pdf[mask][schema.names], preserve_index=False)
        return table.cast(schema).to_pandas()

    def stage_two(pdf: pd.DataFrame) -> pd.DataFrame:
        batch = pa.RecordBatch.from_pandas(pdf[input_schema.names], schema=input_schema, preserve_index=False)
        return to_pandas(_NATIVE._spark_correlate_batch(batch, text))

    # Both sides read the same stage-1 partitions; dask computes a shared expression once.
    stage_one_meta = stage_one_schema.empty_table().to_pandas(types_mapper=pandas.ArrowDtype)
    rows = ddf.map_partitions(stage_one, meta=stage_one_meta)
    alerts = rows.map_partitions(side, True, alert_schema, meta=meta)
    inputs = rows.map_partitions(side, False, input_schema, meta=_empty(input_schema))
    correlated = inputs.shuffle(on=["partition", "group_key"]).map_partitions(stage_two, meta=meta)
    return dd_module.concat([alerts, correlated])
