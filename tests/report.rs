//! The nightly comparison and the HTML report, on two real runs of the
//! binary: a small catalog, then the same catalog with one product changed,
//! one removed and one added. The report is read as the run published it
//! (it is rendered from the run's results, never from its files).

use std::path::{Path, PathBuf};

use crate::common::{without_run_time, workdir, CONCERNS, HEADER};
use assert_cmd::Command;
use milia_rank::error::Error;
use milia_rank::output::compare::{compare, Changes};

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

/// Writes a catalog `dir/catalog.csv` and scores it into `dir/name`,
/// compared with `previous` if given.
fn run_with(dir: &Path, name: &str, rows: &[String], previous: Option<&Path>) -> PathBuf {
    let mut text = format!("{HEADER}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    let catalog = dir.join(format!("{name}.csv"));
    // Rewritten only when it changes: the report shows its modification time.
    if std::fs::read_to_string(&catalog).ok() != Some(text.clone()) {
        std::fs::write(&catalog, text).unwrap();
    }
    let out = dir.join(name);
    let mut cmd = Command::cargo_bin("milia-rank").unwrap();
    cmd.arg("score")
        .arg(&catalog)
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--max-rejects", "50%"]);
    if let Some(p) = previous {
        cmd.arg("--previous").arg(p);
    }
    cmd.assert().success();
    out
}

fn run(dir: &Path, name: &str, rows: &[String]) -> PathBuf {
    run_with(dir, name, rows, None)
}

/// Today's catalog: P01 starts with Petrolatum, P11 is gone and P13 is new.
fn today() -> Vec<String> {
    let mut today = rows(&format!("Petrolatum, {TONER}"));
    today.retain(|r| !r.starts_with("P11,"));
    today.push("P13,Ceramide Barrier Serum,Verd,serum,serum,face,,,\"Aqua, Glycerin, Ceramide NP, Panthenol\",19".into());
    today
}

/// Yesterday's and today's runs, today's compared with yesterday's.
fn two_runs(dir: &Path) -> (PathBuf, PathBuf) {
    let old = run(dir, "old", &rows(TONER));
    let new = run_with(dir, "new", &today(), Some(&old));
    (old, new)
}

/// The report a run published.
fn report(out: &Path) -> String {
    std::fs::read_to_string(out.join("report.html")).unwrap()
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
}

#[test]
fn report_has_every_section_and_loads_nothing() {
    let tmp = workdir();
    let (old, new) = two_runs(tmp.path());
    let html = report(&new);
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
    // Same input, same page, but for the line that says when.
    let again = run_with(tmp.path(), "new", &today(), Some(&old));
    let shown = |html: String| String::from_utf8(without_run_time(html.as_bytes())).unwrap();
    assert_eq!(shown(report(&again)), shown(html));
}

#[test]
fn report_escapes_text_from_the_data() {
    let tmp = workdir();
    let out = run(tmp.path(), "out", &rows(TONER));
    let html = report(&out);
    // askama's escapes: numeric character references.
    assert!(
        html.contains("&#60;b&#62;Tom &#38; Jerry&#39;s&#60;/b&#62; Gel"),
        "escaped name missing"
    );
    assert!(!html.contains("<b>Tom"));
    assert!(!html.contains("Jerry's"));
}

#[test]
fn report_without_a_previous_run_has_no_changes_section() {
    let tmp = workdir();
    let out = run(tmp.path(), "out", &rows(TONER));
    let html = report(&out);
    assert!(!html.contains("<section id=\"changes\">"));
    assert!(!html.contains("href=\"#changes\""));
    assert!(html.contains("No previous run to compare with."));
}

#[test]
fn report_lists_the_30_most_frequent_unknown_ingredients() {
    // Product k lists mystery-i when i >= k, so mystery-i is found i + 1
    // times; "foo > weird & bar" is in all 100.
    let rows: Vec<String> = (0..100)
        .map(|k| {
            let mut ingredients = vec!["Aqua".to_string(), "Foo > Weird & Bar".into()];
            ingredients.extend((k..35).map(|i| format!("Mystery-{i:02}")));
            format!(
                "Q{k:03},Gel {k},Brand,moisturiser,gel,face,,,\"{}\",10",
                ingredients.join(", ")
            )
        })
        .collect();
    let tmp = workdir();
    let out = run(tmp.path(), "out", &rows);
    let html = report(&out);
    let unknown = &html[html.find("<section id=\"unknown\">").unwrap()..];
    let unknown = &unknown[..unknown.find("</section>").unwrap()];
    assert!(
        unknown.contains("36 distinct unknown ingredient(s), the 30 most frequent"),
        "{unknown}"
    );
    assert!(unknown.contains("foo &#62; weird &#38; bar"), "{unknown}");
    assert!(unknown.contains("mystery-34") && unknown.contains("mystery-06"));
    assert!(!unknown.contains("mystery-05"), "only the top 30");
    assert!(unknown.find("weird").unwrap() < unknown.find("mystery-34").unwrap());
}
