"""logsec.spark on a real local Spark session (local[2]) over the demo incident."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

pyspark = pytest.importorskip("pyspark")

import logsec.spark  # noqa: E402
from _demo import FILES, reference_alerts  # noqa: E402
from logsec.spark import _NATIVE as _native  # noqa: E402

# PySpark 4.3 warns "PySpark does not yet fully support pandas >= 3.0.0" (a FutureWarning from
# its pandas version check); our code paths use Arrow only, so that one warning is filtered by
# its message while every other warning stays an error (pytest runs with -W error).
PANDAS_WARNING = "PySpark does not yet fully support pandas"
pytestmark = pytest.mark.filterwarnings(f"ignore:{PANDAS_WARNING}:FutureWarning")


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
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


def test_detect_equals_single_process_scan(spark: object) -> None:
    from pyspark.sql import SparkSession

    assert isinstance(spark, SparkSession)
    df = spark.read.format("binaryFile").load(FILES).repartition(3)
    alerts = logsec.spark.detect(df, column="content", name_column="path").collect()
    got = sorted((row["uid"], row["rule_id"]) for row in alerts)
    expected = reference_alerts()
    assert len(expected) > 10
    assert got == expected


def test_parse_lines_and_whole_files_agree(spark: object) -> None:
    from pyspark.sql import SparkSession

    assert isinstance(spark, SparkSession)
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


def test_data_source_reads_gzip(spark: object) -> None:
    from pyspark.sql import SparkSession

    assert isinstance(spark, SparkSession)
    logsec.spark.register(spark)
    path = [f for f in FILES if "cloudtrail.jsonl" in f][0]
    df = spark.read.format("logsec").option("format", "cloudtrail").load(path)
    import gzip

    with gzip.open(path, "rt") as handle:
        lines = sum(1 for line in handle if line.strip())
    assert df.count() == lines
    assert df.filter("time is null").count() == 0
