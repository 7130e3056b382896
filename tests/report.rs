//! The nightly comparison and the HTML report, on two real runs of the
//! binary: a small catalog, then the same catalog with one product changed,
//! one removed and one added.

use std::path::{Path, PathBuf};

use crate::common::{workdir, CONCERNS, HEADER};
use assert_cmd::Command;
use milia_rank::error::Error;
use milia_rank::output::compare::{compare, Changes};
use milia_rank::output::report::render;

const TONER: &str = "Aqua, Lactic Acid, Glycerin, Sodium Lactate, Butylene Glycol, Niacinamide, Panthenol, Sodium PCA, Sodium Hyaluronate, Phenoxyethanol";

/// The first catalog: one product per kind, a claim conflict, a tricky
/// name, and one short row that is rejected.
fn rows(toner_ingredients: &str) -> Vec<String> {
    vec![
        format!("P01,Lactic 5% Hydrating Toner,Ostara,toner,water,face,,fragrance-free,\"{toner_ingredients}\",12"),
        "P02,<b>Tom & Jerry's</b> Gel,Toon,moisturiser,gel,face,,,\"Aqua, Glycerin, Niacinamide, Panthenol, Sodium Hyaluronate\",10".into(),
        "P03,Healing Ointment,Oak,ointment,,face,,fragrance-free,\"Petrolatum, Paraffinum Liquidum, Cera Microcristallina, Lanolin Alcohol, Panthenol\",8".into(),
        "P04,Hydro Cooling Eye Gel,Mist,eye gel,gel,eye,,,\"Aqua, Butylene Glycol, Glycerin, Caffeine, Sodium Hyaluronate, Carbomer, Allantoin\",20".into(),
        "P05,Daily Shield Fluid SPF 50,Sol,sunscreen,fluid,face,50,broad-spectrum;non-comedogenic,\"Aqua, C12-15 Alkyl Benzoate, Ethylhexyl Salicylate, Butyl Methoxydibenzoylmethane, Glycerin\",25".into(),
        "P06,Baby Gentle Wash,Cub,baby wash,gel,body,,fragrance-free;suitable-for-babies,\"Aqua, Coco-Glucoside, Glycerin, Lauryl Glucoside, Panthenol, Xanthan Gum, Sodium Benzoate\",9".into(),
        "P07,Oil Free Moisturizer,Kate,moisturiser,cream,face,,oil-free,\"Aqua, Isocetyl Stearate, Glycerin, Cetyl Alcohol, Dimethicone\",30".into(),
        "P08,Lanolin Comfort Cream,Oak,moisturiser,rich cream,face,,,\"Aqua, Lanolin, Paraffinum Liquidum, Cera Alba, Glycerin, Parfum\",15".into(),
        "P09,Centella Calming Essence,Mist,essence,essence,face,,for-sensitive-skin,\"Centella Asiatica Extract, Aqua, Glycerin, Panthenol, Allantoin\",18".into(),
        "P10,Squalane Gel-Cream,Verd,moisturiser,gel-cream,face,,,\"Aqua, Squalane, Glycerin, Sodium Hyaluronate, Ceramide NP, Carbomer\",22".into(),
        "P11,Mandelic 5% Cleansing Gel,Ostara,cleanser,gel,face,,,\"Aqua, Sodium Cocoyl Glutamate, Mandelic Acid, Glycerin, Allantoin\",11".into(),
        "P12,Short,B".into(),
    ]
}

/// Writes a catalog and scores it into `dir/name`.
fn run(dir: &Path, name: &str, rows: &[String]) -> PathBuf {
    let mut text = format!("{HEADER}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    let catalog = dir.join(format!("{name}.csv"));
    std::fs::write(&catalog, text).unwrap();
    let out = dir.join(name);
    Command::cargo_bin("milia-rank")
        .unwrap()
        .arg("score")
        .arg(&catalog)
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--max-rejects", "50%"])
        .assert()
        .success();
    out
}

/// Yesterday's and today's runs: today P01 starts with Petrolatum, P11 is
/// gone and P13 is new.
fn two_runs(dir: &Path) -> (PathBuf, PathBuf) {
    let old = run(dir, "old", &rows(TONER));
    let mut today = rows(&format!("Petrolatum, {TONER}"));
    today.retain(|r| !r.starts_with("P11,"));
    today.push("P13,Ceramide Barrier Serum,Verd,serum,serum,face,,,\"Aqua, Glycerin, Ceramide NP, Panthenol\",19".into());
    let new = run(dir, "new", &today);
    (old, new)
}

#[test]
fn compare_finds_new_and_dropped_products_and_the_petrolatum_faller() {
    let tmp = workdir();
    let (old, new) = two_runs(tmp.path());
    let c = compare(&old, &new).unwrap();
    assert_eq!(c.previous, old.display().to_string());
    assert_eq!(
        c.new_products,
        [("P13".to_string(), "Ceramide Barrier Serum".to_string())]
    );
    assert_eq!(
        c.dropped_products,
        [("P11".to_string(), "Mandelic 5% Cleansing Gel".to_string())]
    );
    let slugs: Vec<&str> = c.concerns.iter().map(|x| x.slug.as_str()).collect();
    assert_eq!(slugs, CONCERNS);

    let milia = &c.concerns[0];
    let toner = milia
        .fallers
        .iter()
        .find(|m| m.product_id == "P01")
        .unwrap_or_else(|| panic!("P01 not among the fallers: {:?}", milia.fallers));
    assert!(toner.new_rank > toner.old_rank);
    assert!(toner.new_score < toner.old_score);
    assert!(!milia.risers.iter().any(|m| m.product_id == "P01"));
    let why = Changes::reason_change(toner);
    assert!(why.contains("added: petrolatum at #1"), "{why}");

    for cc in &c.concerns {
        for list in [&cc.risers, &cc.fallers] {
            assert!(list.len() <= 10);
            for w in list.windows(2) {
                let (a, b) = (w[0].score_change().abs(), w[1].score_change().abs());
                assert!(a >= b);
            }
        }
        // Movers are products whose own score changed by a point or more.
        assert!(cc.risers.iter().all(|m| m.score_change() >= 1.0));
        assert!(cc.fallers.iter().all(|m| m.score_change() <= -1.0));
        assert_eq!(
            cc.score_changes as usize,
            cc.risers.len() + cc.fallers.len()
        );
    }
    // P11 left: products below it moved up a place with the same score,
    // and are not risers.
    let shifted_only = [
        "P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08", "P09", "P10",
    ]
    .iter()
    .any(|id| {
        let (o, n) = (
            crate::common::rank_of(&old, "milia-prone", id),
            crate::common::rank_of(&new, "milia-prone", id),
        );
        o.is_some()
            && n.is_some()
            && o != n
            && crate::common::score_of(&old, "milia-prone", id)
                == crate::common::score_of(&new, "milia-prone", id)
    });
    assert!(shifted_only, "the test data has a product moved by others");
    assert_eq!(
        milia.risers.len() + milia.fallers.len(),
        1,
        "only P01 moved: {milia:?}"
    );
    assert!(c.differs());
    assert_eq!(c.min_score_change, 1.0);

    // Same input, same answer; and it serialises for summary.json.
    assert_eq!(compare(&old, &new).unwrap(), c);
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["new_products"][0][0], "P13");
    assert_eq!(v["concerns"][0]["slug"], "milia-prone");
    assert!(v["concerns"][0]["fallers"][0]["old_reasons"].is_string());
}

#[test]
fn compare_refuses_a_directory_that_is_not_an_output() {
    let tmp = workdir();
    let (_, new) = two_runs(tmp.path());
    let foreign = tmp.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("scores.csv"), "a,b\n1,2\n").unwrap();
    for dir in [foreign.clone(), tmp.path().join("missing")] {
        match compare(&dir, &new) {
            Err(Error::Data {
                file,
                line: 0,
                column: None,
                message,
            }) => {
                assert_eq!(file, dir.display().to_string());
                assert!(message.contains("not a milia-rank output"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(render(&foreign, None), Err(Error::Data { .. })));
}

#[test]
fn report_has_every_section_and_loads_nothing() {
    let tmp = workdir();
    let (old, new) = two_runs(tmp.path());
    let c = compare(&old, &new).unwrap();
    let html = render(&new, Some(&c)).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for id in [
        "summary",
        "distribution",
        "top",
        "conflicts",
        "rejects",
        "unknown",
        "changes",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "section {id} missing"
        );
    }
    assert_eq!(html.matches("<svg").count(), CONCERNS.len());
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"));
    assert!(!lower.contains("http://") && !lower.contains("https://"));
    assert!(!lower.contains("<link") && !lower.contains("<img") && !lower.contains("url("));
    // The data shows through: the conflict, the reject, the changes.
    assert!(html.contains("Oil Free Moisturizer"));
    assert!(html.contains("1 row(s) rejected"));
    assert!(html.contains("P12"));
    assert!(html.contains("Ceramide Barrier Serum") && html.contains("Mandelic 5% Cleansing Gel"));
    assert!(html.contains("added: petrolatum at #1"));
    // Same directory, same page.
    assert_eq!(render(&new, Some(&c)).unwrap(), html);
}

#[test]
fn report_escapes_text_from_the_data() {
    let tmp = workdir();
    let out = run(tmp.path(), "out", &rows(TONER));
    let html = render(&out, None).unwrap();
    assert!(
        html.contains("&lt;b&gt;Tom &amp; Jerry&#39;s&lt;/b&gt; Gel"),
        "escaped name missing"
    );
    assert!(!html.contains("<b>Tom"));
    assert!(!html.contains("Jerry's"));
}

#[test]
fn report_without_changes_or_unknown_file_says_so() {
    let tmp = workdir();
    let out = run(tmp.path(), "out", &rows(TONER));
    // A directory from a run that recorded no unknown ingredients.
    std::fs::remove_file(out.join("unknown-ingredients.csv")).unwrap();
    let html = render(&out, None).unwrap();
    assert!(!html.contains("<section id=\"changes\">"));
    assert!(!html.contains("href=\"#changes\""));
    assert!(html.contains("None were recorded"));
}

#[test]
fn report_lists_the_30_most_frequent_unknown_ingredients() {
    let tmp = workdir();
    let out = run(tmp.path(), "out", &rows(TONER));
    let mut text = String::from("name,count\n");
    for i in 0..35 {
        text.push_str(&format!("mystery-{i:02},{}\n", i + 1));
    }
    text.push_str("\"a <weird> one\",100\n");
    std::fs::write(out.join("unknown-ingredients.csv"), text).unwrap();
    let html = render(&out, None).unwrap();
    let unknown = &html[html.find("<section id=\"unknown\">").unwrap()..];
    let unknown = &unknown[..unknown.find("</section>").unwrap()];
    assert!(unknown.contains("36 distinct unknown ingredient(s), the 30 most frequent"));
    assert!(unknown.contains("a &lt;weird&gt; one"));
    assert!(unknown.contains("mystery-34") && unknown.contains("mystery-06"));
    assert!(!unknown.contains("mystery-05"), "only the top 30");
    assert!(unknown.find("weird").unwrap() < unknown.find("mystery-34").unwrap());
}
