#!/usr/bin/env bash
# The Spark job, run for real: PySpark on local[2], on a generated catalog
# with awkward rows, with 1 and 3 partitions and from Parquet; each run's
# published files must equal `milia-rank score` on the same catalog.
#
# PySpark comes from PyPI into a virtual environment kept between runs
# (MILIA_SPARK_VENV, default ~/.cache/milia-rank/spark-venv); Spark needs
# Java 17 or later on PATH.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
say() { echo "examples/spark/test.sh: $*" >&2; }

if ! command -v java >/dev/null; then
  say "java is not installed: Spark needs Java 17 (Debian: apt install openjdk-17-jre-headless)"
  exit 1
fi
venv=${MILIA_SPARK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/milia-rank/spark-venv}
if ! "$venv/bin/python" -c 'import pyspark' 2>/dev/null; then
  say "installing PySpark into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r examples/spark/requirements.txt
fi
export PYSPARK_PYTHON="$venv/bin/python" PYSPARK_DRIVER_PYTHON="$venv/bin/python"

# MILIA_RANK_BIN: a binary already built (default: build the debug one).
if [[ -n "${MILIA_RANK_BIN:-}" ]]; then
  bin=$MILIA_RANK_BIN
else
  cargo build --locked --quiet
  bin="${CARGO_TARGET_DIR:-$root/target}/debug/milia-rank"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat="$work/catalog.csv"
"$bin" generate --rows 3000 --out "$cat" --quiet 2>/dev/null || "$bin" generate --rows 3000 --out "$cat"
# Rows a real export holds: a quoted newline, CRLF inside a field,
# non-ASCII text, an empty id (rejected), a duplicate id.
printf '%s\r\n' \
  'X1,"Crème légère, ""sans parfum""",Maison Été,moisturiser,cream,face,,fragrance-free,"Aqua, Glycerin,
Squalane, Niacinamide",31.00' \
  ',No Id Serum,Brand,serum,serum,face,,,"Aqua, Glycerin",10.00' >>"$cat"
printf '%s\n' \
  'X2,"Two-line' 'Gel",Brand,gel,gel,face,,"oil-free",Aqua,5.00' \
  'G00000007,Duplicate Id Mist,Brand,mist,mist,face,,,"Aqua, Glycerin",9.00' >>"$cat"

"$bin" score "$cat" -o "$work/ref" --quiet 2>"$work/ref.log" || { cat "$work/ref.log" >&2; exit 1; }
# The reference run rejects the row without an id: the comparison then
# also checks the line numbers the parts' rejects carry.
if [[ $(wc -l <"$work/ref/rejects.csv") -lt 2 ]]; then
  say "the reference run rejected no row: the test catalog lost its awkward rows"
  exit 1
fi

submit() {
  "$venv/bin/spark-submit" --master 'local[2]' --conf spark.ui.enabled=false \
    --conf spark.driver.extraJavaOptions=-Dlog4j.rootLogger=ERROR \
    --files "$bin" examples/spark/job.py --binary "$(basename "$bin")" "$@" 2>"$work/spark.log" || {
    grep -E "Error|error|exited" "$work/spark.log" | grep -v "^\s*at " | head -20 >&2
    exit 1
  }
}

for n in 1 3; do
  submit --catalog "$cat" --partitions "$n" --out "$work/out$n" -- --quiet
  "$venv/bin/python" examples/spark/compare.py "$work/ref" "$work/out$n"
done

# --work-dir holding a file of the user's with a part's name: the job
# writes its parts into a new folder of its own and leaves the file alone.
mkdir "$work/parts"
echo "the user's own file" >"$work/parts/part-00000.jsonl"
submit --catalog "$cat" --partitions 2 --work-dir "$work/parts" --out "$work/outw" -- --quiet
"$venv/bin/python" examples/spark/compare.py "$work/ref" "$work/outw"
if [[ $(cat "$work/parts/part-00000.jsonl") != "the user's own file" ]]; then
  say "--work-dir: the job wrote over a file it did not create"
  exit 1
fi
if ! ls -d "$work"/parts/milia-rank-parts-*/ >/dev/null; then
  say "--work-dir: the parts are not kept in a folder of their own"
  exit 1
fi

"$venv/bin/python" - "$cat" "$work/catalog.parquet" 2>"$work/parquet.log" <<'PY'
import sys
from pyspark.sql import SparkSession
s = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
s.sparkContext.setLogLevel("ERROR")
(s.read.option("header", True).option("multiLine", True).option("escape", '"').csv(sys.argv[1])
  .coalesce(1).write.parquet(sys.argv[2]))
s.stop()
PY
submit --catalog "$work/catalog.parquet" --partitions 3 --out "$work/outp" -- --quiet
"$venv/bin/python" examples/spark/compare.py "$work/ref" "$work/outp"
say "ok: 1 and 3 partitions and Parquet give the files score gives"
