"""milia-rank as a Spark step.

The map: each partition of the catalog is written, as CSV with the
catalog's own header, to the standard input of `milia-rank score-rows`
running on the executor; its output (one JSON record per line: scored
products, concern entries, rejects, unknown names, a closing count) is the
partition's part.

The reduce: the driver fetches the parts one partition at a time, writes
them to a local work folder in partition order, and runs `milia-rank merge`
on them, which ranks with the same order as `score`, checks that every part
used the same knowledge base and profiles, and publishes through the same
safe publisher into OUT.

    spark-submit --files target/x86_64-unknown-linux-musl/release/milia-rank \\
        examples/spark/job.py --catalog s3a://shop/catalog.csv --out /srv/shop/rankings \\
        --partitions 64 -- --top 100

Everything after `--` is passed to `milia-rank merge` (`--top`, `--format`,
`--max-rejects`, `--previous`, `--keep`, ...). `--map FIELD=COLUMN` is
passed to `score-rows`, which maps the columns exactly as `score` does.
"""

import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

from pyspark import SparkFiles
from pyspark.sql import SparkSession


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="job.py",
        description="Score a catalog with milia-rank on Spark: score-rows per partition, merge on the driver.",
    )
    p.add_argument("--catalog", required=True, help="catalog path or URI (CSV, or Parquet)")
    p.add_argument(
        "--input-format",
        choices=["csv", "parquet"],
        help="default: parquet when the path ends in .parquet, csv otherwise",
    )
    p.add_argument("--encoding", default="UTF-8", help="the CSV file's encoding (Spark's reader)")
    p.add_argument("--delimiter", default=",", help="the CSV file's delimiter")
    p.add_argument("--partitions", type=int, default=0, help="number of map tasks (default: Spark's)")
    p.add_argument(
        "--binary",
        default="milia-rank",
        help="file name of the binary shipped with --files (default: milia-rank)",
    )
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN")
    p.add_argument(
        "--work-dir",
        help="local folder on the driver for the parts (default: a temporary folder, removed after)",
    )
    p.add_argument("--out", required=True, help="the folder milia-rank merge publishes into (on the driver)")
    p.add_argument("merge_args", nargs=argparse.REMAINDER, help="after --: options for milia-rank merge")
    args = p.parse_args(argv)
    if args.merge_args and args.merge_args[0] == "--":
        args.merge_args = args.merge_args[1:]
    if args.input_format is None:
        args.input_format = "parquet" if args.catalog.rstrip("/").endswith(".parquet") else "csv"
    return args


def read_catalog(spark, args):
    if args.input_format == "parquet":
        return spark.read.parquet(args.catalog)
    # Every cell is read as text, exactly as it stands: RFC 4180 quoting
    # (a doubled quote inside quotes), records over several lines, no
    # trimming, no type inference, an empty cell stays empty.
    return (
        spark.read.option("header", True)
        .option("multiLine", True)
        .option("quote", '"')
        .option("escape", '"')
        .option("sep", args.delimiter)
        .option("encoding", args.encoding)
        .option("inferSchema", False)
        .option("mode", "PERMISSIVE")
        .csv(args.catalog)
    )


def in_order(df, partitions):
    """The rows in catalog order, cut into `partitions` consecutive ranges,
    so that part i holds rows before part i+1 and the merged line numbers
    follow the catalog."""
    rdd = df.rdd.zipWithIndex().map(lambda pair: (pair[1], pair[0]))
    n = partitions or rdd.getNumPartitions()
    return rdd.sortByKey(numPartitions=n).values()


def csv_line(writer, buf, values):
    buf.seek(0)
    buf.truncate()
    writer.writerow(values)
    return buf.getvalue()


def score_rows(binary, header, maps):
    """The map: a partition's rows through `milia-rank score-rows`, as
    RDD.pipe does, but with the binary's path resolved on the executor and
    its error message kept when it fails."""

    def run(rows):
        exe = SparkFiles.get(binary)
        if not os.access(exe, os.X_OK):
            os.chmod(exe, 0o755)
        cmd = [exe, "score-rows", "--quiet"]
        for m in maps:
            cmd += ["--map", m]
        proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        err = []
        threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True).start()

        def feed():
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            try:
                proc.stdin.write(csv_line(w, buf, header).encode("utf-8"))
                for row in rows:
                    values = ["" if v is None else str(v) for v in row]
                    proc.stdin.write(csv_line(w, buf, values).encode("utf-8"))
            except BrokenPipeError:
                pass
            finally:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        for line in proc.stdout:
            yield line.decode("utf-8").rstrip("\n")
        feeder.join()
        code = proc.wait()
        if code != 0:
            msg = b"".join(err).decode("utf-8", "replace").strip()
            raise RuntimeError(f"milia-rank score-rows exited {code}: {msg}")

    return run


def fetch_parts(records, work):
    """The parts on the driver, one partition at a time (bounded memory):
    each partition's output ends with its `count` record."""
    index = 0
    out = None
    written = []
    for line in records.toLocalIterator(prefetchPartitions=False):
        if out is None:
            path = os.path.join(work, f"part-{index:05d}.jsonl")
            out = open(path, "x", encoding="utf-8", newline="\n")
            written.append(path)
        out.write(line)
        out.write("\n")
        if '"count"' in line and json.loads(line).get("kind") == "count":
            out.close()
            out = None
            index += 1
    if out is not None:
        out.close()  # a part without its count record: merge refuses it
    return written


def main(argv):
    args = parse_args(argv)
    spark = SparkSession.builder.appName("milia-rank").getOrCreate()
    df = read_catalog(spark, args)
    records = in_order(df, args.partitions).mapPartitions(
        score_rows(args.binary, df.columns, args.map)
    )

    binary = driver_binary(args.binary)
    # A folder of its own, new for this run, even inside --work-dir: the
    # job never writes over or removes a file it did not create.
    if args.work_dir:
        os.makedirs(args.work_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="milia-rank-parts-", dir=args.work_dir)
    try:
        parts = fetch_parts(records, work)
        print(f"job.py: {len(parts)} parts in {work}", file=sys.stderr)
        # Before spark.stop(), which removes the shipped files.
        merge = [binary, "merge"] + parts + ["--out", args.out] + args.merge_args
        return subprocess.call(merge)
    finally:
        spark.stop()
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)


def driver_binary(name):
    """The binary on the driver: the one shipped with --files (client mode
    and cluster mode), else `name` on PATH."""
    try:
        path = SparkFiles.get(name)
        if os.path.exists(path):
            if not os.access(path, os.X_OK):
                os.chmod(path, 0o755)
            return path
    except Exception:
        pass
    found = shutil.which(name)
    if found is None:
        sys.exit(f"job.py: no {name} on the driver: ship it with --files")
    return found


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
