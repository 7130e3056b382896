#!/usr/bin/env python3
"""Seeds fuzz/corpus/{catalog_read,inci_parse} from the sample and real catalogs.

Usage: python3 fuzz/seed_corpus.py [SHARED_CATALOGS_DIR]
(default: ../shared/catalogs beside the repository)
"""
import csv
import io
import os
import sys

FUZZ = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(FUZZ)
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(REPO), "shared", "catalogs")
OUT_CAT = os.path.join(FUZZ, "corpus", "catalog_read")
OUT_INCI = os.path.join(FUZZ, "corpus", "inci_parse")

# Header renames so that the real exports open without --map (the target passes no maps).
RENAMES = {
    "lookfantastic-skincare.csv": {"product_name": "name", "product_url": "product_id",
                                   "product_type": "category", "clean_ingreds": "ingredients"},
    "sephora-cosmetics.csv": {"Label": "category", "Brand": "brand", "Name": "name",
                              "Rank": "product_id", "Ingredients": "ingredients"},
    "sephora-skincare.csv": {"product_name": "name", "brand_name": "brand",
                             "secondary_category": "category"},
}
EXTRA_INCI = [
    "Water, Glycerin, Mica. May contain: CI 77491, CI 77492, CI 77499, CI 77891",
    "Daywear SPF50 Division: El (Estee Lauder)Active Ingredients: Avobenzone 3.00% , "
    "Octocrylene 2.70%Ingredients: Water , Glycerin",
    "<p>*Organic Aloe Juice**, Glycerin</p><br>May Contain (+/-): CI 77491, CI 77492",
    "Caprylic/Capric Triglyceride (and) Tocopherol, Water (Aqua, Glycerin, Squalane",
    "Water, 1,2-Hexanediol, Glycerin",
    "No Info",
]


def write(d, name, data):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def reencode(text, delim):
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, delimiter=delim, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def main():
    files = [os.path.join(REPO, "catalog", "sample-catalog.csv")]
    if os.path.isdir(SHARED):
        files += [os.path.join(SHARED, f) for f in sorted(os.listdir(SHARED)) if f.endswith(".csv")]
    inci = []
    for path in files:
        base = os.path.basename(path)
        stem = base[:-4]
        with open(path, "rb") as f:
            raw = b"".join(f.read().splitlines(keepends=True)[:30])
        # First byte selects the delimiter: 0 -> ',', 1 -> ';', 2 -> tab.
        write(OUT_CAT, f"{stem}-head30", b"\x00" + raw)
        text = raw.decode("utf-8")
        if base in RENAMES:
            bom = text.startswith("\ufeff")
            first, rest = text.lstrip("\ufeff").split("\n", 1)
            hdr = [RENAMES[base].get(h, h) for h in next(csv.reader([first.rstrip("\r")]))]
            o = io.StringIO()
            csv.writer(o, lineterminator="\n").writerow(hdr)
            text = ("\ufeff" if bom else "") + o.getvalue() + rest
            write(OUT_CAT, f"{stem}-head30-canonical-header", b"\x00" + text.encode("utf-8"))
        for d, sel, label in ((";", 1, "semicolon"), ("\t", 2, "tab")):
            write(OUT_CAT, f"{stem}-head30-{label}", bytes([sel]) + reencode(text.lstrip("\ufeff"), d))
        with open(path, encoding="utf-8-sig", newline="") as f:
            r = csv.DictReader(f)
            col = next(c for c in r.fieldnames if c.lower() in ("ingredients", "clean_ingreds"))
            picked = 0
            for i, row in enumerate(r):
                v = row[col]
                if i % 7 == 0 or (v.strip().lower() in ("no info", "") and picked < 12):
                    inci.append((stem, v))
                    picked += 1
                if picked >= 12:
                    break
    inci += [("extra", v) for v in EXTRA_INCI]
    for k, (stem, v) in enumerate(inci):
        write(OUT_INCI, f"{stem}-{k:02d}", v.encode("utf-8"))
    print(f"seeded {len(os.listdir(OUT_CAT))} catalog_read and {len(os.listdir(OUT_INCI))} inci_parse files")


if __name__ == "__main__":
    main()
