"""Compares two folders published by milia-rank: every published file
byte for byte, except the fields of summary.json and the line of
report.html that describe the run itself (when, how long, from which file).
Exits 1 and names the first difference."""

import json
import re
from html import escape as html_escape
import os
import sys

RUN_FIELDS = {"started_at", "catalog", "catalog_bytes", "catalog_modified", "input", "elapsed_seconds", "timings", "threads"}


def published(folder):
    return sorted(
        f for f in os.listdir(folder) if not f.startswith(".") and os.path.isfile(os.path.join(folder, f))
    )


CATALOG_ROW = re.compile(rb"<th>[^<]*[Cc]atalog[^<]*</th>")


def run_free(html, folder):
    """The report without the lines that describe the run itself: its time,
    and the catalog's name, size and date (a merge's source is its parts)."""
    catalog = json.load(open(os.path.join(folder, "summary.json"), encoding="utf-8"))["catalog"]
    numeric = "".join(f"&#{ord(c)};" if c in "&<>\"'" else c for c in catalog)
    names = {v.encode("utf-8") for v in (catalog, html_escape(catalog), numeric)}
    keep = []
    for line in html.split(b"\n"):
        if b'id="run-time"' in line or any(n in line for n in names) or CATALOG_ROW.search(line):
            continue
        keep.append(line)
    return b"\n".join(keep)


def main(a, b):
    fa, fb = published(a), published(b)
    if fa != fb:
        sys.exit(f"compare.py: different files: {fa} vs {fb}")
    for name in fa:
        ba = open(os.path.join(a, name), "rb").read()
        bb = open(os.path.join(b, name), "rb").read()
        if name == "summary.json":
            ja, jb = json.loads(ba), json.loads(bb)
            for k in RUN_FIELDS:
                ja.pop(k, None)
                jb.pop(k, None)
            if ja != jb:
                keys = sorted(k for k in set(ja) | set(jb) if ja.get(k) != jb.get(k))
                sys.exit(f"compare.py: summary.json differs in {keys}")
            continue
        if name == "report.html":
            ba, bb = run_free(ba, a), run_free(bb, b)
        if ba != bb:
            la, lb = ba.split(b"\n"), bb.split(b"\n")
            line = next((i for i, (x, y) in enumerate(zip(la, lb)) if x != y), min(len(la), len(lb)))
            sys.exit(f"compare.py: {name} differs at line {line + 1}")
    print(f"compare.py: {len(fa)} files identical: {a} = {b}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
