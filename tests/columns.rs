//! Columns found by their header synonyms (`catalog/columns.toml`), the
//! `--map` override, and a catalog without an ingredients column.

use std::fs;

use crate::common::*;
use predicates::prelude::*;

const ROWS: [&str; 3] = [
    "A1,Gel Cleanser,Lumen,Cleanser,\"Aqua, Glycerin, Sodium Laureth Sulfate, Salicylic Acid\"",
    "A2,Rich Night Cream,Lumen,Moisturiser,\"Petrolatum, Paraffinum Liquidum, Lanolin, Cera Alba\"",
    "A3,Calm Serum,Dermis,Serum,\"Aqua, Glycerin, Niacinamide, Panthenol, Allantoin\"",
];

fn write_catalog(dir: &std::path::Path, file: &str, header: &str) -> std::path::PathBuf {
    let mut text = format!("{header}\n");
    for r in ROWS {
        text.push_str(r);
        text.push('\n');
    }
    let p = dir.join(file);
    fs::write(&p, text).unwrap();
    p
}

fn summary(out: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn synonym_headers_feed_the_same_fields_as_canonical_ones() {
    let tmp = workdir();
    let canonical = write_catalog(
        tmp.path(),
        "c.csv",
        "product_id,name,brand,category,ingredients",
    );
    let shop = write_catalog(tmp.path(), "s.csv", "Handle,Title,Vendor,Type,INCI");
    let messy = write_catalog(
        tmp.path(),
        "m.csv",
        " Variant-SKU ,PRODUCT NAME,Brand_Name,Product Category,Full Ingredients",
    );
    let a = tmp.path().join("a");
    score(&canonical, &a, &[]);
    for (cat, dir) in [(&shop, "b"), (&messy, "c")] {
        let out = tmp.path().join(dir);
        score(cat, &out, &[]);
        for f in ["scores.csv"]
            .into_iter()
            .map(String::from)
            .chain(CONCERNS.iter().map(|c| format!("{c}.csv")))
        {
            assert_eq!(
                fs::read(a.join(&f)).unwrap(),
                fs::read(out.join(&f)).unwrap(),
                "{dir}/{f}"
            );
        }
    }
    let s = summary(&tmp.path().join("b"));
    let cols = s["columns"].as_array().unwrap();
    let used = |field: &str| {
        cols.iter().find(|c| c["field"] == field).map(|c| {
            (
                c["column"].as_str().unwrap().to_string(),
                c["matched_by"].as_str().unwrap().to_string(),
            )
        })
    };
    assert_eq!(used("ingredients"), Some(("INCI".into(), "synonym".into())));
    assert_eq!(
        used("product_id"),
        Some(("Handle".into(), "synonym".into()))
    );
    assert_eq!(used("brand"), Some(("Vendor".into(), "synonym".into())));
    assert_eq!(used("texture"), None);
    let s = summary(&a);
    assert!(s["columns"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["matched_by"] == "header"));
}

#[test]
fn the_log_says_which_column_fed_which_field() {
    let tmp = workdir();
    let shop = write_catalog(tmp.path(), "s.csv", "Handle,Title,Vendor,Type,INCI");
    bin()
        .arg("score")
        .arg(&shop)
        .arg("-o")
        .arg(tmp.path().join("out"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "milia-rank: columns: product_id <- `Handle` (synonym), name <- `Title` (synonym), brand <- `Vendor` (synonym), category <- `Type` (synonym)",
        ))
        .stderr(predicate::str::contains("ingredients <- `INCI` (synonym)"))
        .stderr(predicate::str::contains("not found: texture, area, spf, claims"));
    bin()
        .arg("validate")
        .arg(&shop)
        .assert()
        .success()
        .stderr(predicate::str::contains("ingredients <- `INCI` (synonym)"));
}

#[test]
fn an_explicit_map_wins_over_a_synonym() {
    let tmp = workdir();
    // `ingredients` holds a marketing blurb; the label is in `INCI`.
    let text = "product_id,name,category,ingredients,INCI\n\
                A2,Rich Night Cream,Moisturiser,with love,\"Petrolatum, Paraffinum Liquidum, Lanolin\"\n";
    let cat = tmp.path().join("c.csv");
    fs::write(&cat, text).unwrap();
    let out = tmp.path().join("out");
    score(&cat, &out, &["--map", "ingredients=inci"]);
    let (_, mp) = read_csv(&out.join("milia-prone.csv"));
    assert!(mp[0][6].contains("petrolatum at #1"), "{:?}", mp[0]);
    let s = summary(&out);
    let ing = s["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "ingredients")
        .unwrap()
        .clone();
    assert_eq!(ing["column"], "INCI");
    assert_eq!(ing["matched_by"], "map");
}

#[test]
fn no_ingredients_column_fails_naming_the_columns_unless_allowed() {
    let tmp = workdir();
    let text = "product_id,name,category,description\nA1,Gel Cleanser,Cleanser,lovely\n";
    let cat = tmp.path().join("noing.csv");
    fs::write(&cat, text).unwrap();
    let out = tmp.path().join("out");
    for sub in ["score", "validate", "ingredients"] {
        bin()
            .arg(sub)
            .arg(&cat)
            .args(if sub == "score" { vec!["-o", out.to_str().unwrap()] } else { vec![] })
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "milia-rank: error: ",
            ))
            .stderr(predicate::str::contains(
                "noing.csv: line 1, column `ingredients`: no ingredients column; the columns are `product_id`, `name`, `category`, `description`",
            ))
            // The description could have held the lists; none does.
            .stderr(predicate::str::contains(
                "no `description` has a labelled ingredient list (\"Ingredients: ...\") either",
            ))
            .stderr(predicate::str::contains("--allow-missing ingredients"));
    }
    assert!(!out.exists(), "nothing published");
    score(&cat, &out, &["--allow-missing", "ingredients"]);
    let (_, rows) = read_csv(&out.join("scores.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][rows[0].len() - 2], "low");
    bin()
        .args(["score", "--sample", "--allow-missing", "price"])
        .assert()
        .code(2);
}

#[test]
fn mapping_one_field_twice_is_a_usage_error() {
    let tmp = workdir();
    let cat = write_catalog(
        tmp.path(),
        "c.csv",
        "product_id,name,brand,category,ingredients",
    );
    bin()
        .arg("validate")
        .arg(&cat)
        .args(["--map", "name=brand", "--map", "name=category"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--map name=brand and --map name=category: map each field once",
        ));
}
