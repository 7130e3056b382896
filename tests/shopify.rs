//! The Shopify round trip: a product export as Shopify writes it (variant
//! rows, HTML descriptions, a metafield column) in, an import file that
//! updates the same products out.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;
use predicates::prelude::*;

/// The hand-written export: 5 products, 5 variant and image rows.
fn export() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shopify-export.csv")
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn scores(out: &Path) -> Vec<Vec<String>> {
    read_csv(&out.join("scores.csv")).1
}

#[test]
fn a_shopify_export_round_trips_to_an_import_file() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    bin()
        .arg("score")
        .arg(export())
        .args(["--format", "shopify", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stderr(
            predicate::str::contains(
                "merged 5 variant rows (a product's handle again with an empty title) into their products",
            )
            .and(predicate::str::contains(
                "warning: 1 scored product is not in shopify-metafields.csv",
            ))
            .and(predicate::str::contains("line 15 `TC-30`: no handle"))
            .and(predicate::str::contains(
                "ingredients <- the labelled section of `Body (HTML)` where the ingredients cell is empty",
            )),
        );
    // One product per handle; variant and image rows are neither scored nor rejected.
    let s = json(&out.join("summary.json"));
    assert_eq!(s["rows_read"], 5);
    assert_eq!(s["rows_scored"], 5);
    assert_eq!(s["rows_rejected"], 0);
    assert_eq!(s["variant_rows_merged"], 5);
    assert_eq!(s["ingredients_from_description"], 2);
    assert_eq!(s["export"]["format"], "shopify");
    assert_eq!(s["export"]["products_exported"], 4);
    assert_eq!(s["export"]["not_exportable"], 1);
    let listed = &s["export"]["not_exportable_products"][0];
    assert_eq!(listed["line"], 15);
    assert_eq!(listed["product_id"], "TC-30");
    assert!(listed["reason"].as_str().unwrap().starts_with("no handle"));

    // The ingredient lists: the metafield where filled, else the body's
    // labelled section; "Key ingredients" is not the list.
    let rows = scores(&out);
    let conf = |id: &str| {
        let r = rows.iter().find(|r| r[0] == id).unwrap();
        r[r.len() - 2].clone()
    };
    assert_eq!(conf("hydra-gel-cream"), "high");
    assert_eq!(
        conf("daily-sun-fluid-spf-50"),
        "high",
        "from <h3>Ingredients</h3>"
    );
    assert_eq!(conf("TC-30"), "high", "from <b>INCI:</b>");
    assert_eq!(conf("calming-toner"), "low", "only key ingredients");
    let brand = rows.iter().find(|r| r[0] == "TC-30").unwrap()[2].clone();
    assert_eq!(brand, "Halcyon Lab");

    // The import file: Handle and Title (what Shopify's import needs to
    // update a product), one metafield column per concern, no duplicates,
    // no made-up handles.
    let (h, import) = read_csv(&out.join("shopify-metafields.csv"));
    let mut want = vec!["Handle".to_string(), "Title".to_string()];
    for c in CONCERNS {
        let key = c.replace('-', "_");
        let mut name = c.to_string();
        name[..1].make_ascii_uppercase();
        want.push(format!(
            "{name} score (product.metafields.custom.{key}_score)"
        ));
    }
    assert_eq!(h, want);
    let handles: Vec<&str> = import.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        handles,
        [
            "hydra-gel-cream",
            "daily-sun-fluid-spf-50",
            "rich-night-balm",
            "calming-toner"
        ]
    );
    assert_eq!(import[0][1], "Hydra Gel Cream");
    // The report's first screen names the file and what it left out.
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(
        "<tr><th>Import file</th><td>shopify-metafields.csv: 4 products; 1 scored product left out"
    ));
    // Each score is the one in the concern files.
    for r in &import {
        for (k, c) in CONCERNS.iter().enumerate() {
            let want = score_of(&out, c, &r[0]).map_or(String::new(), |v| format!("{v:.1}"));
            assert_eq!(r[2 + k], want, "{} {c}", r[0]);
        }
    }
    let sun = 2 + CONCERNS.iter().position(|c| *c == "sun-care").unwrap();
    assert!(!import[1][sun].is_empty(), "the sunscreen is in sun-care");
    assert!(import[0][sun].is_empty(), "the gel cream is not");
    // The occlusive balm scores far below the gel cream for milia.
    let milia = |r: &Vec<String>| r[2].parse::<f64>().unwrap();
    assert!(milia(&import[2]) + 30.0 < milia(&import[0]));
}

#[test]
fn matrixify_writes_its_own_column_form_and_update_commands() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    score(&export(), &out, &["--format", "matrixify"]);
    assert!(!out.join("shopify-metafields.csv").exists());
    let (h, rows) = read_csv(&out.join("matrixify-products.csv"));
    assert_eq!(
        h[..3],
        [
            "Handle",
            "Command",
            "Metafield: custom.milia_prone_score [number_decimal]"
        ]
    );
    assert_eq!(h.len(), 2 + CONCERNS.len());
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r[1] == "UPDATE"));
    assert_eq!(
        rows[0][2],
        format!(
            "{:.1}",
            score_of(&out, "milia-prone", "hydra-gel-cream").unwrap()
        )
    );
    assert_eq!(
        json(&out.join("summary.json"))["export"]["file"],
        "matrixify-products.csv"
    );
}

#[test]
fn handles_are_checked_never_made_up_and_never_repeated() {
    let tmp = workdir();
    let text = format!(
        "{HEADER},handle\n\
         A,Light Gel,B,moisturiser,gel,face,,,\"Aqua, Glycerin\",10,light-gel\n\
         B,Light Gel Refill,B,moisturiser,gel,face,,,\"Aqua, Glycerin\",10,light-gel\n\
         C,Rosé Toner,B,toner,water,face,,,\"Aqua, Glycerin\",10,Rosé-Toner\n\
         D,No Handle,B,toner,water,face,,,\"Aqua, Glycerin\",10,\n"
    );
    let cat = tmp.path().join("c.csv");
    fs::write(&cat, text).unwrap();
    let out = tmp.path().join("out");
    bin()
        .arg("score")
        .arg(&cat)
        .args(["--format", "shopify", "-q", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: 3 scored products are not in shopify-metafields.csv",
        ));
    let (_, rows) = read_csv(&out.join("shopify-metafields.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][..2], ["light-gel", "Light Gel"]);
    let s = json(&out.join("summary.json"));
    let reasons: Vec<(String, String)> = s["export"]["not_exportable_products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["product_id"].as_str().unwrap().to_string(),
                n["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(reasons[0].0, "B");
    assert!(
        reasons[0].1.contains("also product `A`'s (line 2)"),
        "{}",
        reasons[0].1
    );
    assert_eq!(reasons[1].0, "C");
    assert!(reasons[1]
        .1
        .contains("`Rosé-Toner` is not a Shopify handle"));
    assert_eq!(reasons[2].0, "D");
    assert!(reasons[2].1.starts_with("no handle"));

    // No handle column at all: nothing exported, and the log says how to fix it.
    let out2 = tmp.path().join("out2");
    let plain = catalog(tmp.path(), &["a-1,Gel,B,moisturiser,gel,face,,,\"Aqua\",1"]);
    bin()
        .arg("score")
        .arg(&plain)
        .args(["--format", "shopify", "-q", "--out"])
        .arg(&out2)
        .assert()
        .success()
        .stderr(
            predicate::str::contains("the catalog has no handle column")
                .and(predicate::str::contains("--map handle=COLUMN")),
        );
    let (h, rows) = read_csv(&out2.join("shopify-metafields.csv"));
    assert_eq!(h[0], "Handle");
    assert!(rows.is_empty(), "product ids are not handles");
}

#[test]
fn a_variant_row_without_its_product_is_rejected() {
    let tmp = workdir();
    let cat = tmp.path().join("c.csv");
    fs::write(
        &cat,
        "Handle,Title,Body (HTML),Vendor,Type,Option1 Value\n\
         gel,Gel,<p>Ingredients: Aqua</p>,B,Moisturiser,30 ml\n\
         gel,,,,,50 ml\n\
         lost,,,,,50 ml\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    score(&cat, &out, &["--max-rejects", "1"]);
    let (_, rejects) = read_csv(&out.join("rejects.csv"));
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0][..2], ["4", "lost"]);
    assert!(rejects[0][3].contains("no product row with product_id `lost` comes before it"));
    assert_eq!(json(&out.join("summary.json"))["variant_rows_merged"], 1);
    // validate agrees: the variant row is not a problem, the orphan is.
    bin().arg("validate").arg(&cat).assert().code(1).stdout(
        predicate::str::contains("2 rows checked, 1 would be rejected")
            .and(predicate::str::contains("line 4")),
    );
}

#[test]
fn the_new_export_headers_are_read_too() {
    // Shopify's newer export names: `URL handle`, `Description`.
    let tmp = workdir();
    let cat = tmp.path().join("c.csv");
    fs::write(
        &cat,
        "Title,URL handle,Description,Vendor,Type,SKU\n\
         Gel,gel,\"<h2>Ingredients</h2><p>Aqua, Glycerin</p>\",B,Moisturiser,G-1\n\
         ,gel,,,,G-2\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    score(&cat, &out, &["--format", "shopify"]);
    let (_, rows) = read_csv(&out.join("shopify-metafields.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][..2], ["gel", "Gel"]);
    let r = &scores(&out)[0];
    assert_eq!(r[r.len() - 2], "high");
}

#[test]
fn shopify_export_is_keyed_by_handle_with_metafield_columns() {
    let tmp = workdir();
    let text = format!(
        "{HEADER},url_handle\nA,Light Gel,B,moisturiser,gel,face,,,\"Aqua, Glycerin\",10,light-gel\nS,Sun Fluid,B,sunscreen,fluid,face,50,,\"Aqua, Zinc Oxide 20%\",10,sun-fluid\n"
    );
    let cat = tmp.path().join("c.csv");
    fs::write(&cat, text).unwrap();
    let out = tmp.path().join("out");
    score(
        &cat,
        &out,
        &["--format", "shopify", "--map", "handle=url_handle"],
    );
    let (h, rows) = read_csv(&out.join("shopify-metafields.csv"));
    assert_eq!(h[0], "Handle");
    assert_eq!(h[1], "Title");
    assert_eq!(
        h[2],
        "Milia-prone score (product.metafields.custom.milia_prone_score)"
    );
    assert_eq!(h.len(), 2 + 6, "one metafield column per concern");
    assert_eq!(rows[0][..2], ["light-gel", "Light Gel"]);
    let sun = h
        .iter()
        .position(|c| c.starts_with("Sun-care score"))
        .unwrap();
    assert_eq!(
        rows[1][sun],
        format!("{:.1}", score_of(&out, "sun-care", "S").unwrap())
    );
    assert_eq!(rows[0][sun], "", "not a sun product");
    // Without --format, no import file.
    let plain = tmp.path().join("plain");
    score(&cat, &plain, &[]);
    assert!(!plain.join("shopify-metafields.csv").exists());
}

#[test]
fn an_import_never_clears_a_score_that_top_left_out_of_a_ranking() {
    let tmp = workdir();
    let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shopify-export.csv");
    for (format, file) in [
        ("shopify", "shopify-metafields.csv"),
        ("matrixify", "matrixify-products.csv"),
    ] {
        let full = tmp.path().join(format!("full-{format}"));
        let top = tmp.path().join(format!("top-{format}"));
        for (out, extra) in [(&full, vec![]), (&top, vec!["--top", "1"])] {
            bin()
                .arg("score")
                .arg(&export)
                .args(["--format", format, "-q", "-o"])
                .arg(out)
                .args(&extra)
                .assert()
                .success();
        }
        // --top 1 writes one product per ranking, but every product's own
        // score goes into the import file: a blank cell would clear the
        // shop's value (Matrixify deletes a metafield whose cell is empty).
        let (_, ranked) = read_csv(&top.join("milia-prone.csv"));
        assert_eq!(ranked.len(), 1);
        let a = std::fs::read(full.join(file)).unwrap();
        let b = std::fs::read(top.join(file)).unwrap();
        assert!(a == b, "{file} differs with --top 1");
        // A cell is empty only where the product is outside that concern.
        let (_, rows) = read_csv(&top.join(file));
        let (_, scores) = read_csv(&top.join("scores.csv"));
        assert!(rows.len() >= 3);
        // A low-confidence product keeps its scores in the import file.
        let low = scores.iter().find(|s| s[0] == "calming-toner").unwrap();
        assert!(low.contains(&"low".to_string()), "{low:?}");
        let row = rows.iter().find(|r| r[0] == "calming-toner").unwrap();
        assert!(row[2..].iter().any(|c| !c.is_empty()), "{row:?}");
        for r in &rows {
            let s = scores.iter().find(|s| s[0] == r[0]).unwrap();
            for (i, c) in CONCERNS.iter().enumerate() {
                assert_eq!(r[2 + i].is_empty(), s[7 + i].is_empty(), "{} {c}", r[0]);
                if !r[2 + i].is_empty() {
                    assert_eq!(r[2 + i], s[7 + i], "{} {c}", r[0]);
                }
            }
        }
    }
}

#[test]
fn a_blank_product_category_falls_back_to_type() {
    let tmp = workdir();
    let cat = tmp.path().join("export.csv");
    std::fs::write(
        &cat,
        "Handle,Title,Product Category,Type,Ingredients (product.metafields.custom.ingredients)\n\
         sun-fluid,Daily Fluid,,Sunscreen,\"Aqua, Zinc Oxide, Glycerin\"\n\
         eye-gel,Cooling Gel,,Eye Cream,\"Aqua, Glycerin, Caffeine\"\n\
         toner,Clarifying Tonic,Skin Care,Exfoliator,\"Aqua, Glycolic Acid\"\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let err = score_log(&cat, &out, &[]);
    assert!(
        err.contains("category <- `Type` where `Product Category` is empty"),
        "{err}"
    );
    let (h, rows) = read_csv(&out.join("scores.csv"));
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let row = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().clone();
    assert_eq!(row("sun-fluid")[col("kind")], "sunscreen");
    assert_eq!(row("eye-gel")[col("area")], "eye");
    // Read as a sunscreen, it is ranked in sun-care.
    let (_, ranked) = read_csv(&out.join("sun-care.csv"));
    assert!(ranked.iter().any(|r| r[1] == "sun-fluid"));
}

/// Product categories as Shopify's standard product taxonomy writes them:
/// read from the leaf, never from the broad segments above it.
#[test]
fn a_taxonomy_path_is_read_from_its_leaf() {
    let tmp = workdir();
    let cat = tmp.path().join("export.csv");
    std::fs::write(
        &cat,
        "Handle,Title,Product Category,Type,Ingredients (product.metafields.custom.ingredients),Image Src\n\
         shea-butter,Whipped Shea Butter,Health & Beauty > Personal Care > Cosmetics > Bath & Body > Body Butters,,\"Butyrospermum Parkii Butter, Glycerin\",https://cdn.example/1.jpg\n\
         shea-butter,,,,,https://cdn.example/2.jpg\n\
         baby-wash,Gentle Baby Wash,Baby & Toddler > Baby Bathing > Baby Wash & Shampoo,,\"Aqua, Coco-Glucoside, Glycerin\",\n\
         day-cream,Daily Cream,Health & Beauty > Personal Care > Cosmetics > Skin Care > Lotions & Moisturizers,,\"Aqua, Glycerin, Squalane\",\n\
         sun-fluid,Daily Fluid SPF 30,,Sunscreen,\"Aqua, Zinc Oxide, Glycerin\",\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    score_log(&cat, &out, &[]);
    let (h, rows) = read_csv(&out.join("scores.csv"));
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let row = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().clone();
    assert_eq!(rows.len(), 4, "the image row is merged into its product");
    assert_eq!(row("shea-butter")[col("kind")], "moisturiser");
    assert_eq!(row("shea-butter")[col("area")], "body");
    assert_eq!(row("baby-wash")[col("area")], "body");
    assert_eq!(row("day-cream")[col("kind")], "moisturiser");
    assert_eq!(row("day-cream")[col("area")], "face");
    assert_eq!(row("sun-fluid")[col("kind")], "sunscreen");
    // A baby wash filed next to shampoos is still in the baby list.
    let (_, baby) = read_csv(&out.join("baby.csv"));
    assert!(baby.iter().any(|r| r[1] == "baby-wash"), "{baby:?}");
}
