#!/usr/bin/env bash
# End-to-end benchmark: generates a catalog and measures, on one machine, a
# bare csv ByteRecord pass over it (the floor), then `milia-rank score` as a
# nightly cron runs it: every configuration publishes into the same DIR as
# the one before it, so each compares with a previous run (a full ranking,
# or a --top run) the way a real night does; one more full ranking goes
# into a fresh DIR each round, for what the comparison costs. Every
# configuration runs three times, interleaved (a, b, c, ..., a, b, c, ...),
# and the table shows the fastest of the three (peak RSS: the largest).
# Then it prints each ratio against its target, and the share of wall
# time spent in sequential stages (from summary.json's `timings`) with the
# Amdahl bound that share sets for 16 and 64 cores. Each round also runs
# examples/rule_floor.rs, the rule-table job written tightly in Rust on one
# thread (split, lower-case, one hash lookup per name, no files): the least
# any design that resolves every name pays, printed as a ratio to the floor.
#
# Where Python with polars and duckdb imports ($PYTHON, default python3;
# e.g. `python3 -m venv target/bench-venv && target/bench-venv/bin/pip
# install polars duckdb`, then PYTHON=target/bench-venv/bin/python), the
# rounds also run benches/rule_table.py, the dataframe script a user might
# write instead, with each engine, and the table shows milia-rank beside it.
#
#   bash benches/e2e.sh [ROWS] [GROWTH_ROWS]
#
# ROWS defaults to 1000000. With GROWTH_ROWS (e.g. 4000000) it also
# measures --top 100 on that many rows (three runs), for the memory growth.
# RUNS=N changes the number of runs per configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
GROWTH=${2:-}
RUNS=${RUNS:-3}
command -v /usr/bin/time >/dev/null || { echo "needs GNU time as /usr/bin/time (Debian package: time)" >&2; exit 2; }
cargo build --release --quiet --bin milia-rank --example csv_floor --example rule_floor
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/milia-rank
FLOOR=$TARGET/release/examples/csv_floor
RULE=$TARGET/release/examples/rule_floor
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CORES=$(nproc)

# run KEY OUTDIR command...: one timed run; appends "wall rss_kb" to
# $WORK/KEY.runs and, for a score run, its summary.json to $WORK/KEY.summaries.
# The night DIR ($WORK/night) is kept from run to run; any other is fresh.
run() {
  local key=$1 out=$2; shift 2
  [[ $out == "$WORK/night" ]] || rm -rf "$out"
  /usr/bin/time -v "$@" >/dev/null 2>"$WORK/time.txt"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt" |
    awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
  echo "$wall $rss" >>"$WORK/$key.runs"
  if [[ -f $out/summary.json ]]; then
    { cat "$out/summary.json"; echo; } >>"$WORK/$key.summaries"
  fi
  [[ $out == "$WORK/night" ]] || rm -rf "$out"
}
best() { sort -n "$WORK/$1.runs" | head -1 | cut -d' ' -f1; }
peak() { sort -n -k2 "$WORK/$1.runs" | tail -1 | cut -d' ' -f2; }
row() { # label key rows bytes
  awk -v l="$1" -v w="$(best "$2")" -v r="$3" -v s="$4" -v m="$(peak "$2")" 'BEGIN {
    printf "| %s | %.1f | %.2f | %.0f | %.1f | %.1f |\n", l, s/1e6, w, r/w, s/1e6/w, m/1024 }'
}

echo "generating $ROWS rows..." >&2
"$BIN" generate --rows "$ROWS" --seed 42 --out "$WORK/catalog.csv" --force
C=$WORK/catalog.csv
SIZE=$(stat -c %s "$C")
PYTHON=${PYTHON:-python3}
FRAMES=
if "$PYTHON" -c 'import polars, duckdb' 2>/dev/null; then
  FRAMES=yes
else
  echo "no polars and duckdb for $PYTHON: the dataframe scripts are skipped" >&2
fi
N=$WORK/night
for i in $(seq "$RUNS"); do
  echo "round $i of $RUNS..." >&2
  run floor "$WORK/none" "$FLOOR" "$C"
  run rule "$WORK/none" "$RULE" "$C"
  run fresh "$WORK/fresh" "$BIN" score "$C" -q --out "$WORK/fresh"
  run one "$N" "$BIN" score "$C" -q --threads 1 --out "$N"
  # Held in memory (a limit far above what it needs), after a full run.
  run mem "$N" "$BIN" score "$C" -q --memory-limit 100000 --out "$N"
  # The default limit (spilling past it), after a full run.
  run all "$N" "$BIN" score "$C" -q --out "$N"
  run top "$N" "$BIN" score "$C" -q --top 100 --out "$N"
  if [[ -n $FRAMES ]]; then
    run polars "$WORK/pl" "$PYTHON" benches/rule_table.py polars "$C" catalog/knowledge.csv "$WORK/pl"
    run duckdb "$WORK/dk" "$PYTHON" benches/rule_table.py duckdb "$C" catalog/knowledge.csv "$WORK/dk"
  fi
done
if [[ -n $GROWTH ]]; then
  rm -f "$C"
  echo "generating $GROWTH rows..." >&2
  "$BIN" generate --rows "$GROWTH" --seed 42 --out "$WORK/big.csv" --force
  rm -rf "$N"
  for i in $(seq "$RUNS"); do
    echo "round $i of $RUNS ($GROWTH rows)..." >&2
    run bigfull "$N" "$BIN" score "$WORK/big.csv" -q --out "$N"
    run big "$N" "$BIN" score "$WORK/big.csv" -q --top 100 --out "$N"
  done
fi

[[ -z $GROWTH ]] || BIGSIZE=$(stat -c %s "$WORK/big.csv")
echo
echo "| run ($ROWS rows, $CORES cores, best of $RUNS) | file MB | seconds | rows/s | MB/s | peak RSS MB |"
echo "|---|---:|---:|---:|---:|---:|"
row "(a) csv ByteRecord pass (floor)" floor "$ROWS" "$SIZE"
row "(r) the rule-table job in Rust, 1 thread, no files (examples/rule_floor.rs)" rule "$ROWS" "$SIZE"
row "(b) score, 1 thread" one "$ROWS" "$SIZE"
row "(c) score, $CORES threads, after a full run" all "$ROWS" "$SIZE"
row "(d) score, $CORES threads, --top 100, after a full run" top "$ROWS" "$SIZE"
row "(e) score, $CORES threads, into a fresh DIR" fresh "$ROWS" "$SIZE"
row "(f) score, $CORES threads, in memory (--memory-limit 100000), after a full run" mem "$ROWS" "$SIZE"
[[ -z $FRAMES ]] || row "(p) the rule-table script in Polars (benches/rule_table.py)" polars "$ROWS" "$SIZE"
[[ -z $FRAMES ]] || row "(q) the rule-table script in DuckDB (benches/rule_table.py)" duckdb "$ROWS" "$SIZE"
[[ -z $GROWTH ]] || row "(g) score, $CORES threads, --top 100, $GROWTH rows, after a full run" big "$GROWTH" "$BIGSIZE"
[[ -z $GROWTH ]] || row "(h) score, $CORES threads, $GROWTH rows, after a --top run" bigfull "$GROWTH" "$BIGSIZE"

echo
# ratio LABEL VALUE TARGET UNIT: prints "label: value (target <= t: met|NOT met)".
ratio() {
  awk -v l="$1" -v v="$2" -v t="$3" -v u="$4" 'BEGIN {
    printf "- %s: %.2f%s (target <= %s%s: %s)\n", l, v, u, t, u, (v <= t ? "met" : "NOT met") }'
}
F=$(best floor); ONE=$(best one); ALL=$(best all); TOP=$(best top); RL=$(best rule)
# What any design that reads every name of every label pays: (r) on one
# thread, and (r) spread perfectly over every core, reader included.
awk -v r="$RL" -v f="$F" -v c="$CORES" 'BEGIN {
  printf "- the least a design that resolves every name pays: %.2fx floor on 1 thread, %.2fx on %d cores at best\n", r/f, r/c/f, c }'
ratio "all cores, --top 100 / floor" "$(awk -v a="$TOP" -v f="$F" 'BEGIN{print a/f}')" 1.5 x
ratio "all cores, full ranking / floor" "$(awk -v a="$ALL" -v f="$F" 'BEGIN{print a/f}')" 3 x
ratio "1 thread / floor" "$(awk -v a="$ONE" -v f="$F" 'BEGIN{print a/f}')" 6 x
ratio "$CORES threads / 1 thread" "$(awk -v a="$ALL" -v f="$ONE" 'BEGIN{print a/f}')" 0.55 ""
ratio "--top 100 peak RSS at $ROWS rows" "$(awk -v m="$(peak top)" 'BEGIN{print m/1024}')" 60 " MB"
if [[ -n $GROWTH ]]; then
  ratio "--top 100 RSS growth $ROWS -> $GROWTH rows, per extra row" \
    "$(awk -v a="$(peak top)" -v b="$(peak big)" -v r="$ROWS" -v g="$GROWTH" 'BEGIN{print (b-a)*1024/(g-r)}')" 20 " B"
fi
ratio "full ranking peak RSS at $ROWS rows" "$(awk -v m="$(peak all)" 'BEGIN{print m/1024}')" 300 " MB"
[[ -z $GROWTH ]] || ratio "full ranking peak RSS at $GROWTH rows" "$(awk -v m="$(peak bigfull)" 'BEGIN{print m/1024}')" 300 " MB"
ratio "full ranking wall, spilling / in memory" "$(awk -v a="$ALL" -v m="$(best mem)" 'BEGIN{print a/m}')" 1.15 x
if [[ -n $FRAMES ]]; then
  ratio "--top 100 wall / the Polars script's wall" "$(awk -v a="$TOP" -v p="$(best polars)" 'BEGIN{print a/p}')" 0.5 x
  ratio "--top 100 wall / the DuckDB script's wall" "$(awk -v a="$TOP" -v p="$(best duckdb)" 'BEGIN{print a/p}')" 0.5 x
fi
ratio "full ranking wall, after a full run / into a fresh DIR" "$(awk -v a="$ALL" -v f="$(best fresh)" 'BEGIN{print a/f}')" 1.10 x

# Sequential share, from the fastest run's timings: setup, the
# busier of the reader and collector threads (they overlap each other and
# the scoring), and finish are sequential; scoring and the per-concern
# rankings are parallel. Amdahl, with s from the 1-thread run: speedup on N
# cores <= 1 / (s + (1 - s) / N).
echo
for key in one all top; do
  python3 - "$WORK/$key.summaries" "$key" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
dec, runs, i = json.JSONDecoder(), [], 0
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    obj, i = dec.raw_decode(text, i)
    runs.append(obj)
run = min(runs, key=lambda r: r["elapsed_seconds"])
t, wall = run["timings"], run["elapsed_seconds"]
seq = t["setup"] + max(t["reading"], t["collecting"]) + t["finish"]
s = seq / wall
bound = lambda n: 1 / (s + (1 - s) / n)
name = {"one": "1 thread", "all": "all cores", "top": "all cores, --top 100"}[sys.argv[2]]
line = (f"- {name}: {wall:.2f}s = setup {t['setup']:.2f} + stream {t['stream']:.2f} "
        f"(reading {t['reading']:.2f}, collecting {t['collecting']:.2f} busy) + rankings "
        f"{t['rankings']:.2f} + finish {t['finish']:.2f}; sequential share {s*100:.1f}%")
if sys.argv[2] == "one":
    # Amdahl's law takes the share from the run on one core.
    line += f", Amdahl bound {bound(16):.1f}x on 16 cores, {bound(64):.1f}x on 64"
print(line)
PY
done
