#!/usr/bin/env bash
# End-to-end benchmark: generates a catalog and measures, in one run on one
# machine, a bare csv ByteRecord pass over it (the floor), then
# `milia-rank score` with 1 thread, all threads, and all threads with
# --top 100. Prints a Markdown table (file size, seconds, rows/s, MB/s,
# peak RSS from /usr/bin/time -v) and the ratios the targets are about.
#
#   bash benches/e2e.sh [ROWS] [GROWTH_ROWS]
#
# ROWS defaults to 1000000. With GROWTH_ROWS (e.g. 4000000) it also
# measures peak RSS of --top 100 on that many rows, for the memory growth.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
GROWTH=${2:-}
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package: time)" >&2; exit 2; }
cargo build --release --quiet --bin milia-rank --example csv_floor
BIN=target/release/milia-rank
FLOOR=target/release/examples/csv_floor
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CORES=$(nproc)

measure() { # label rows file command...
  local label=$1 rows=$2 file=$3; shift 3
  /usr/bin/time -v "$@" >/dev/null 2>"$WORK/time.txt"
  local wall rss size
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt" |
    awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
  size=$(stat -c %s "$file")
  awk -v l="$label" -v w="$wall" -v r="$rows" -v s="$size" -v m="$rss" 'BEGIN {
    printf "| %s | %.1f | %.2f | %.0f | %.1f | %.1f |\n", l, s/1e6, w, r/w, s/1e6/w, m/1024 }'
  echo "$wall" >"$WORK/last"
}

echo "generating $ROWS rows..." >&2
"$BIN" generate --rows "$ROWS" --seed 42 --out "$WORK/catalog.csv"
echo
echo "| run ($ROWS rows, $CORES cores) | file MB | seconds | rows/s | MB/s | peak RSS MB |"
echo "|---|---:|---:|---:|---:|---:|"
measure "(a) csv ByteRecord pass (floor)" "$ROWS" "$WORK/catalog.csv" "$FLOOR" "$WORK/catalog.csv"; FLOOR_S=$(cat "$WORK/last")
measure "(b) score, 1 thread" "$ROWS" "$WORK/catalog.csv" "$BIN" score "$WORK/catalog.csv" -q --threads 1 --out "$WORK/out1"; ONE_S=$(cat "$WORK/last")
measure "(c) score, $CORES threads" "$ROWS" "$WORK/catalog.csv" "$BIN" score "$WORK/catalog.csv" -q --out "$WORK/outn"; ALL_S=$(cat "$WORK/last")
measure "(d) score, $CORES threads, --top 100" "$ROWS" "$WORK/catalog.csv" "$BIN" score "$WORK/catalog.csv" -q --top 100 --out "$WORK/outt"
TOP_RSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
if [[ -n $GROWTH ]]; then
  rm -f "$WORK/catalog.csv"
  echo "generating $GROWTH rows..." >&2
  "$BIN" generate --rows "$GROWTH" --seed 42 --out "$WORK/big.csv"
  measure "(e) score, $CORES threads, --top 100, $GROWTH rows" "$GROWTH" "$WORK/big.csv" "$BIN" score "$WORK/big.csv" -q --top 100 --out "$WORK/outg"
  BIG_RSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
fi
echo
awk -v a="$ALL_S" -v f="$FLOOR_S" -v o="$ONE_S" -v c="$CORES" 'BEGIN {
  printf "all threads / floor: %.2fx (target <= 1.5x)\n", a/f
  printf "%d threads / 1 thread: %.2fx (target <= 0.6x)\n", c, a/o }'
awk -v m="$TOP_RSS" 'BEGIN { printf "--top 100 peak RSS: %.1f MB (target < 100 MB)\n", m/1024 }'
if [[ -n ${BIG_RSS:-} ]]; then
  awk -v a="$TOP_RSS" -v b="$BIG_RSS" 'BEGIN { printf "--top 100 RSS growth to the larger catalog: %+.0f%% (target < 20%%)\n", (b/a-1)*100 }'
fi
