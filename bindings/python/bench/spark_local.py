"""Benchmark (not a test): logsec.spark throughput per core in Spark local mode.

    python bindings/python/bench/spark_local.py [--copies 20] [--cores 2] [--dir /tmp/logsec-spark-bench]

Run it against a release build of the wheel (``maturin build --release`` then ``pip install``
in a fresh venv with ``pyspark>=4.0``; a debug build is many times slower), with
``PYSPARK_PYTHON`` naming that venv's interpreter. The input is the demo incident
(``examples/demo``: CloudTrail, CloudTrail Records, Istio, S3 access, Kubernetes audit,
auth.log) written ``--copies`` times as plain text, read with ``spark.read.text`` (one row
per line, the file name as ``name_column``) and cached. Timed: ``parse(...).count()`` and
``detect(...).count()`` with the bundled pack (both correlation stages), each run twice; the
second (warm) run is reported.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import sys
import time
from pathlib import Path

DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo"


def write_input(directory: Path, copies: int) -> None:
    if directory.exists():
        shutil.rmtree(directory)
    for copy in range(copies):
        target = directory / f"copy{copy:03d}"
        target.mkdir(parents=True)
        for source in sorted(DEMO.glob("*.gz")):
            with gzip.open(source, "rb") as handle:
                (target / source.name.removesuffix(".gz")).write_bytes(handle.read())


def timed(label: str, action: object, events: int, cores: int) -> float:
    assert callable(action)
    seconds = []
    for _ in range(2):
        started = time.perf_counter()
        result = action()
        seconds.append(time.perf_counter() - started)
    warm = seconds[-1]
    print(
        f"{label}: {result} rows; first {seconds[0]:.1f} s, warm {warm:.1f} s; "
        f"{events / warm:,.0f} events/s = {events / warm / cores:,.0f} events/s/core"
    )
    return warm


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--dir", default="/tmp/logsec-spark-bench")
    args = parser.parse_args()

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    import logsec.spark

    directory = Path(args.dir)
    write_input(directory, args.copies)
    spark = (
        SparkSession.builder.master(f"local[{args.cores}]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(args.cores * 2))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    lines = (
        spark.read.text(str(directory / "*" / "*"))
        .selectExpr("value", "_metadata.file_name as name")
        .repartition(args.cores * 3)
        .cache()
    )
    print(f"{lines.count():,} lines in {args.copies} copies of the demo, local[{args.cores}]")
    events = logsec.spark.parse(lines, name_column="name").count()
    print(f"{events:,} events")
    timed("parse", lambda: logsec.spark.parse(lines, name_column="name").count(), events, args.cores)
    timed("detect (pack)", lambda: logsec.spark.detect(lines, name_column="name").count(), events, args.cores)
    spark.stop()


if __name__ == "__main__":
    main()
