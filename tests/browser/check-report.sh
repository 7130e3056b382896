#!/usr/bin/env bash
# The report in a real browser: scores the built-in sample, renders its
# report.html with headless Chromium and checks the text of the page as the
# browser parsed it (section titles, a top product, the counts).
#
#   tests/browser/check-report.sh            # exit 0 when the page reads right
#   KEEP=1 tests/browser/check-report.sh     # keep the run and a screenshot
#
# Installs Chromium from the distribution's packages (apt-get install -y
# chromium) when it is missing. Exits non-zero on the first failed check.
set -euo pipefail

cd "$(dirname "$0")/../.."

find_chromium() {
    local c
    for c in chromium chromium-browser google-chrome; do
        if command -v "$c" >/dev/null 2>&1; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}

if ! CHROMIUM=$(find_chromium); then
    echo "check-report: installing chromium" >&2
    if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
    CHROMIUM=$(find_chromium)
fi

work=$(mktemp -d)
if [ -z "${KEEP:-}" ]; then
    trap 'rm -rf "$work"' EXIT
else
    echo "check-report: keeping $work" >&2
fi
out="$work/out"

cargo run -q -- score --sample -q -o "$out"

chrome() {
    # A fresh profile per run; no GPU, no first-run or network chatter.
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$work/profile" "$@" 2>/dev/null
}

chrome --dump-dom "file://$out/report.html" >"$work/dom.html"

# The page's text as the browser built it: tags dropped, entities decoded.
python3 - "$work/dom.html" >"$work/text.txt" <<'PY'
import html, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
dom = re.sub(r"(?s)<head\b.*?</head>", " ", dom)
text = html.unescape(re.sub(r"<[^>]+>", " ", dom))
print(re.sub(r"\s+", " ", text))
PY

failures=0
has() {
    if grep -qF -- "$1" "$work/text.txt"; then
        echo "ok    $1"
    else
        echo "FAIL  $1" >&2
        failures=$((failures + 1))
    fi
}

# The sample's own figures, from the run's summary and first concern file.
read -r rows_read rows_scored claim_conflicts unknown first_slug < <(python3 - "$out" <<'PY'
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
print(s["rows_read"], s["rows_scored"], s["claim_conflicts"],
      s["unknown_ingredients"], s["concerns"][0]["slug"])
PY
)
top_name=$(python3 - "$out/$first_slug.csv" <<'PY'
import csv, sys
print(next(csv.DictReader(open(sys.argv[1], encoding="utf-8")))["name"])
PY
)

for title in "milia-rank report" "Run started" "Summary" "Score distribution" \
    "Top 10 per concern" "Claim conflicts" "Rejects" "Unknown ingredients"; do
    has "$title"
done
has "$rows_read rows read"
has "$rows_scored rows scored"
has "$claim_conflicts claim conflicts"
has "$claim_conflicts product(s) contradict"
has "$unknown distinct unknown ingredient(s)"
has "No rows were rejected."
has "$top_name"
has "Score histogram for $first_slug"

# Parsed by the browser: a chart per concern, and no script.
concerns=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["concerns"]))' "$out/summary.json")
charts=$(grep -o "<svg" "$work/dom.html" | wc -l)
if [ "$charts" -eq "$concerns" ]; then
    echo "ok    $charts charts"
else
    echo "FAIL  $charts charts for $concerns concerns" >&2
    failures=$((failures + 1))
fi
if grep -qi "<script" "$work/dom.html"; then echo "FAIL  a script" >&2; failures=$((failures + 1)); fi

if [ -n "${KEEP:-}" ]; then
    chrome --screenshot="$work/report.png" --window-size=1280,2400 \
        --hide-scrollbars "file://$out/report.html" >/dev/null
    echo "check-report: screenshot $work/report.png" >&2
fi

if [ "$failures" -ne 0 ]; then
    echo "check-report: $failures check(s) failed" >&2
    exit 1
fi
echo "check-report: the report reads right in $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
