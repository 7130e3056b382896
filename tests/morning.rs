//! What a merchandiser reads in the morning and what the shop imports:
//! explain, the report, the nightly comparison, the Shopify export,
//! progress lines, and concern profiles from a file.

mod common;

use std::fs;

use common::*;
use predicates::prelude::*;

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn explain_shows_every_factor_and_the_ingredients_behind_it() {
    let tmp = tempfile::tempdir().unwrap();
    let cat = catalog(
        tmp.path(),
        &["E1,Rich Night Eye Cream,B,eye cream,,eye,,,\"Petrolatum, Paraffinum Liquidum, Aqua, Mystery Root, Parfum\",20"],
    );
    bin()
        .arg("explain")
        .arg("E1")
        .arg(&cat)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("texture: cream (inferred from name)")
                .and(predicate::str::contains(
                    "#1   petrolatum -> petrolatum, comedogenic 0, occlusive",
                ))
                .and(predicate::str::contains("mystery root -> UNRECOGNISED"))
                .and(predicate::str::contains("eye-area:"))
                .and(predicate::str::contains(
                    "occlusion = 1.00 x -35.0: petrolatum at #1, paraffinum liquidum at #2",
                ))
                .and(predicate::str::contains("sun-care: not ranked")),
        );
    bin()
        .arg("explain")
        .arg("NOPE")
        .arg(&cat)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no product with product_id `NOPE`",
        ));
}

#[test]
fn score_writes_a_self_contained_report_and_unknown_ingredients() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    score_sample(&out);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    for id in [
        "summary",
        "distribution",
        "top",
        "conflicts",
        "rejects",
        "unknown",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\"")), "{id}");
    }
    assert_eq!(html.matches("<svg").count(), 6);
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));
    let (h, _) = read_csv(&out.join("unknown-ingredients.csv"));
    assert_eq!(h, ["name", "count"]);
}

#[test]
fn previous_run_comparison_names_new_dropped_and_movers() {
    let tmp = tempfile::tempdir().unwrap();
    let day1 = catalog(
        tmp.path(),
        &[
            "A,Light Gel,B,moisturiser,gel,face,,,\"Aqua, Glycerin, Niacinamide\",10",
            "B,Plain Lotion,B,moisturiser,lotion,face,,,\"Aqua, Glycerin, Cetearyl Alcohol\",10",
            "C,Old Serum,B,serum,serum,face,,,\"Aqua, Glycerin\",10",
        ],
    );
    let out1 = tmp.path().join("night1");
    score(&day1, &out1, &[]);
    let day2 = catalog(
        tmp.path(),
        &[
            "A,Light Gel,B,moisturiser,gel,face,,,\"Petrolatum, Aqua, Glycerin, Niacinamide\",10",
            "B,Plain Lotion,B,moisturiser,lotion,face,,,\"Aqua, Glycerin, Cetearyl Alcohol\",10",
            "D,New Toner,B,toner,water,face,,,\"Aqua, Lactic Acid, Glycerin\",10",
        ],
    );
    let out2 = tmp.path().join("night2");
    score(&day2, &out2, &["--previous", out1.to_str().unwrap()]);
    let s = json(&out2.join("summary.json"));
    let changes = &s["changes"];
    assert_eq!(changes["new_products"][0][0], "D");
    assert_eq!(changes["dropped_products"][0][0], "C");
    let mp = changes["concerns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "milia-prone")
        .unwrap();
    assert_eq!(mp["fallers"][0]["product_id"], "A");
    let html = fs::read_to_string(out2.join("report.html")).unwrap();
    assert!(html.contains("<section id=\"changes\""));
    // A missing or broken previous run is a warning: the night's run is
    // still published, without a comparison.
    let x = tmp.path().join("x");
    bin()
        .arg("score")
        .arg(&day2)
        .args(["-q", "--previous", "/nonexistent", "--out"])
        .arg(&x)
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "warning: cannot compare with /nonexistent",
        ));
    assert!(json(&x.join("summary.json")).get("changes").is_none());
    let broken = tmp.path().join("broken");
    fs::create_dir(&broken).unwrap();
    fs::write(broken.join("summary.json"), "{\"tool\": \"milia-rank\", ").unwrap();
    fs::write(broken.join("scores.csv"), "product_id\n").unwrap();
    let y = tmp.path().join("y");
    bin()
        .arg("score")
        .arg(&day2)
        .args(["-q", "--previous", broken.to_str().unwrap(), "--out"])
        .arg(&y)
        .assert()
        .success()
        .stderr(predicates::str::contains("not valid JSON"));
    assert!(y.join("milia-prone.csv").is_file());
}

#[test]
fn a_second_night_into_the_same_dir_compares_with_the_first_without_options() {
    let tmp = tempfile::tempdir().unwrap();
    let day1 = catalog(
        tmp.path(),
        &["A,Light Gel,B,moisturiser,gel,face,,,\"Aqua, Glycerin, Niacinamide\",10"],
    );
    let out = tmp.path().join("out");
    score(&day1, &out, &[]);
    assert!(json(&out.join("summary.json")).get("changes").is_none());
    let day2 = catalog(
        tmp.path(),
        &[
            "A,Light Gel,B,moisturiser,gel,face,,,\"Aqua, Glycerin, Niacinamide\",10",
            "D,New Toner,B,toner,water,face,,,\"Aqua, Lactic Acid, Glycerin\",10",
        ],
    );
    score(&day2, &out, &[]);
    let s = json(&out.join("summary.json"));
    assert_eq!(s["changes"]["new_products"][0][0], "D");
}

#[test]
fn shopify_export_is_keyed_by_handle_with_metafield_columns() {
    let tmp = tempfile::tempdir().unwrap();
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
fn progress_lines_when_not_a_terminal_and_quiet_silences_them() {
    let tmp = tempfile::tempdir().unwrap();
    bin()
        .args(["score", "--sample", "--out"])
        .arg(tmp.path().join("a"))
        .assert()
        .success()
        .stderr(
            predicate::str::contains("milia-rank: scoring")
                .and(predicate::str::contains("rows read")),
        );
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(tmp.path().join("b"))
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}

#[test]
fn concerns_file_changes_weights_adds_a_concern_and_reports_bad_keys() {
    let tmp = tempfile::tempdir().unwrap();
    // The dump is a valid profiles file.
    let dump = bin().args(["concerns", "--dump"]).output().unwrap();
    let dumped = tmp.path().join("dump.toml");
    fs::write(&dumped, &dump.stdout).unwrap();
    bin()
        .args(["concerns", "--concerns-file"])
        .arg(&dumped)
        .assert()
        .success();

    let profiles = tmp.path().join("p.toml");
    fs::write(
        &profiles,
        "[[concern]]\nslug = \"oily-t-zone\"\ndescription = \"oily skin\"\nbase = 60\n\
         [concern.weights]\ncomedogenic = -30\n[concern.eligibility]\nareas = [\"face\"]\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    bin()
        .args(["score", "--sample", "-q", "--concerns-file"])
        .arg(&profiles)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let (_, rows) = read_csv(&out.join("oily-t-zone.csv"));
    assert!(!rows.is_empty());
    let (h, _) = read_csv(&out.join("scores.csv"));
    assert!(h.contains(&"oily-t-zone".to_string()));

    fs::write(
        &profiles,
        "[[concern]]\nslug = \"baby\"\n[concern.weights]\nsparkle = -3\n",
    )
    .unwrap();
    bin()
        .args(["score", "--sample", "-q", "--concerns-file"])
        .arg(&profiles)
        .arg("--out")
        .arg(tmp.path().join("bad"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "p.toml: line 2, column `weights.sparkle`: unknown factor `sparkle`",
        ));
}
