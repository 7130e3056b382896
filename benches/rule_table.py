"""The job a user might write instead of milia-rank, for the bench's side
by side: read the catalog, lower-case and split each ingredient list,
explode it with positions, join a rule table (catalog/knowledge.csv's
grades and classes), sum position-weighted points per product, and write
six sorted files, one per concern.

    python3 benches/rule_table.py polars|duckdb CATALOG KNOWLEDGE OUTDIR

It does far less than milia-rank (no label grammar, no texture, no
reasons, no checks); it is the floor a dataframe script sets.
"""

import os
import sys

# Points per class of ingredient, per concern: a small rule table.
CONCERNS = {
    "milia-prone": {"occlusive": -12, "heavy-oil": -10, "aha": 6, "bha": 6, "retinoid": 6},
    "eye-area": {"occlusive": -10, "heavy-oil": -8, "fragrance": -6, "humectant": 3},
    "sensitive": {"fragrance": -10, "essential-oil": -8, "drying-alcohol": -6, "soothing": 4},
    "baby": {"fragrance": -12, "essential-oil": -10, "aha": -8, "retinoid": -10},
    "post-procedure": {"fragrance": -10, "aha": -8, "bha": -8, "soothing": 5},
    "sun-care": {"uv-filter": 8, "occlusive": -6, "fragrance": -3},
}


def rules_rows(knowledge):
    """(name, concern, points) for every knowledge row, its comedogenic
    grade counting in every concern."""
    import csv

    rows = []
    with open(knowledge, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            classes = set(filter(None, (r["classes"] or "").split("|")))
            grade = float(r["comedogenic"] or 0)
            names = [r["name"]] + [a for a in (r["aliases"] or "").split("|") if a]
            for concern, table in CONCERNS.items():
                points = -2.0 * grade + sum(table.get(c, 0) for c in classes)
                if points:
                    for n in names:
                        rows.append((n.strip().lower(), concern, points))
    return rows


def run_polars(catalog, knowledge, out):
    import polars as pl

    rules = pl.DataFrame(
        rules_rows(knowledge), schema=["ingredient", "concern", "points"], orient="row"
    ).unique(subset=["ingredient", "concern"])
    df = pl.read_csv(catalog, columns=["product_id", "name", "ingredients"], infer_schema=False)
    # Only the id goes along with each exploded item (carrying the whole
    # label and name into every item's row held tens of GB at 1M rows),
    # and positions are numbered inside each list before the explode.
    long = (
        df.select(
            "product_id", pl.col("ingredients").str.to_lowercase().str.split(",").alias("item")
        )
        .with_columns(pl.int_ranges(1, pl.col("item").list.len() + 1).alias("position"))
        .explode(["item", "position"])
        .with_columns(pl.col("item").str.strip_chars())
    )
    scored = (
        long.join(rules, left_on="item", right_on="ingredient")
        .with_columns((pl.col("points") / pl.col("position").sqrt()).alias("w"))
        .group_by(["product_id", "concern"])
        .agg(pl.col("w").sum())
    )
    names = df.select("product_id", "name")
    for concern in CONCERNS:
        (
            names.join(scored.filter(pl.col("concern") == concern), on="product_id", how="left")
            .with_columns((50 + pl.col("w").fill_null(0)).round(1).alias("score"))
            .sort(["score", "product_id"], descending=[True, False])
            .with_row_index("rank", offset=1)
            .select("rank", "product_id", "name", "score")
            .write_csv(os.path.join(out, f"{concern}.csv"))
        )


def run_duckdb(catalog, knowledge, out):
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE rules (ingredient VARCHAR, concern VARCHAR, points DOUBLE)")
    con.executemany("INSERT INTO rules VALUES (?, ?, ?)", rules_rows(knowledge))
    con.execute(
        "CREATE TABLE catalog AS SELECT product_id, name, ingredients "
        f"FROM read_csv('{catalog}', all_varchar=true, header=true)"
    )
    con.execute(
        """CREATE TABLE scored AS
        WITH items AS (
            SELECT product_id, trim(unnest(string_split(lower(ingredients), ','))) AS item,
                   generate_subscripts(string_split(ingredients, ','), 1) AS position
            FROM catalog)
        SELECT product_id, concern, sum(points / sqrt(position)) AS w
        FROM items JOIN (SELECT DISTINCT ON (ingredient, concern) * FROM rules) r
          ON items.item = r.ingredient
        GROUP BY product_id, concern"""
    )
    for concern in CONCERNS:
        path = os.path.join(out, f"{concern}.csv")
        con.execute(
            f"""COPY (
                SELECT row_number() OVER (ORDER BY score DESC, product_id) AS rank,
                       product_id, name, score
                FROM (SELECT c.product_id, c.name, round(50 + coalesce(s.w, 0), 1) AS score
                      FROM catalog c LEFT JOIN scored s
                        ON s.product_id = c.product_id AND s.concern = '{concern}')
                ORDER BY rank) TO '{path}' (HEADER, DELIMITER ',')"""
        )


if __name__ == "__main__":
    engine, catalog, knowledge, out = sys.argv[1:5]
    os.makedirs(out, exist_ok=True)
    {"polars": run_polars, "duckdb": run_duckdb}[engine](catalog, knowledge, out)
