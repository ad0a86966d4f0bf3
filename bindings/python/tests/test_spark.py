"""logsec.spark on a real local Spark session (local[2]) over the demo incident."""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

pyspark = pytest.importorskip("pyspark")

import logsec  # noqa: E402
import logsec.spark  # noqa: E402
from _demo import (  # noqa: E402
    CORRELATION_TITLES,
    FILES,
    demo_lines,
    demo_reference,
    reference,
    round_robin,
    rows,
    titles,
    write_correlation_case,
)
from logsec.spark import _NATIVE as _native  # noqa: E402

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: Data partitions the tests deal their rows into.
PARTS = 4

# PySpark 4.3 warns "PySpark does not yet fully support pandas >= 3.0.0" (a FutureWarning from
# its pandas version check); our code paths use Arrow only, so that one warning is filtered by
# its message while every other warning stays an error (pytest runs with -W error).
PANDAS_WARNING = "PySpark does not yet fully support pandas"
pytestmark = pytest.mark.filterwarnings(f"ignore:{PANDAS_WARNING}:FutureWarning")


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=PANDAS_WARNING)
        session = (
            SparkSession.builder.master("local[2]")
            .appName("logsec-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _related_partitions(alert_rows: list[dict[str, Any]], partition_of: dict[str, int]) -> list[set[int]]:
    """For each correlation alert, the data partitions its related events were in."""
    return [
        {partition_of[uid] for uid in row["related_event_uids"]}
        for row in alert_rows
        if len(row["related_event_uids"]) > 1
    ]


def test_detect_demo_lines_split_round_robin_equals_scan(spark: SparkSession) -> None:
    # One row per line, dealt round robin into 4 partitions: every correlation group of the
    # demo (brute force, mass reads, k8s secrets, …) is spread over several partitions.
    lines = round_robin(demo_lines(), PARTS)
    df = spark.sparkContext.parallelize(lines, PARTS).toDF("name string, value string")
    assert df.rdd.getNumPartitions() == PARTS
    got = rows(logsec.spark.detect(df, name_column="name").toArrow())
    expected = demo_reference()
    assert len(expected) > 10
    assert sum(1 for r in expected if len(r["related_event_uids"]) > 1) >= 5
    assert got == expected


def test_detect_correlations_across_partitions_equal_scan(spark: SparkSession, tmp_path: Path) -> None:
    events, rules = write_correlation_case(tmp_path)
    expected = reference([str(events)], logsec.Rules.load(rules))
    counts = titles(expected)
    for title in CORRELATION_TITLES:
        assert counts.get(title, 0) > 0, counts
    lines = events.read_text(encoding="utf-8").splitlines()
    dealt = round_robin(list(enumerate(lines)), PARTS)
    df = spark.sparkContext.parallelize([(line,) for _, line in dealt], PARTS).toDF("value string")
    got = rows(logsec.spark.detect(df, rules=rules, format="cloudtrail").toArrow())
    assert got == expected
    # The groups really were split: line i went to partition i % PARTS.
    partition_of = {json.loads(line)["eventID"]: i % PARTS for i, line in enumerate(lines)}
    spread = _related_partitions(got, partition_of)
    assert sum(1 for parts in spread if len(parts) > 1) >= 10, spread


def test_detect_whole_files_equals_scan(spark: SparkSession) -> None:
    df = spark.read.format("binaryFile").load(FILES).repartition(3)
    got = rows(logsec.spark.detect(df, column="content", name_column="path").toArrow())
    assert got == demo_reference()


def test_parse_lines_and_whole_files_agree(spark: SparkSession) -> None:
    cloudtrail = [f for f in FILES if "cloudtrail_records" in f]
    whole = spark.read.text(cloudtrail, wholetext=True)
    events = logsec.spark.parse(whole, format="cloudtrail")
    import pyarrow as pa

    whole_file = pa.RecordBatch.from_pydict({"value": [Path(cloudtrail[0]).read_bytes()]})
    expected = _native._spark_parse_batch(whole_file, "value", "cloudtrail")
    assert events.count() == expected.num_rows > 100
    lines = spark.read.text([f for f in FILES if "k8s_audit" in f])
    parsed = logsec.spark.parse(lines, format="k8s_audit")
    assert parsed.count() == lines.count()
    assert parsed.filter("class_uid is null").count() == 0


def test_data_source_reads_gzip(spark: SparkSession) -> None:
    logsec.spark.register(spark)
    path = [f for f in FILES if "cloudtrail.jsonl" in f][0]
    df = spark.read.format("logsec").option("format", "cloudtrail").load(path)
    import gzip

    with gzip.open(path, "rt") as handle:
        lines = sum(1 for line in handle if line.strip())
    assert df.count() == lines
    assert df.filter("time is null").count() == 0
