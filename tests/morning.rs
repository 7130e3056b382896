//! What a merchandiser reads in the morning: the report, the nightly
//! comparison with the previous run, and the progress lines.

use std::fs;

use crate::common::*;
use predicates::prelude::*;

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn score_writes_a_self_contained_report_and_unknown_ingredients() {
    let tmp = workdir();
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
    let tmp = workdir();
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
    let tmp = workdir();
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
fn progress_lines_when_not_a_terminal_and_quiet_silences_them() {
    let tmp = workdir();
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
fn the_log_is_stamped_with_the_time_and_its_last_line_says_what_changed() {
    let tmp = workdir();
    let row_a = "A,Light Gel,B,moisturiser,gel,face,,,\"Aqua, Glycerin, Niacinamide\",10";
    let row_d = "D,New Toner,B,toner,water,face,,,\"Aqua, Lactic Acid, Glycerin\",10";
    let out = tmp.path().join("out");
    let night = |rows: &[&str]| score_log(&catalog(tmp.path(), rows), &out, &[]);
    let first = night(&[row_a]);
    let last = first.lines().last().unwrap();
    let stamp = &last[..20];
    let t = time::OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| panic!("no RFC 3339 time: {last}"));
    assert_eq!(t.offset(), time::UtcOffset::UTC);
    assert!(
        untimed(last).ends_with("; no previous run to compare with"),
        "{last}"
    );
    for l in first.lines() {
        assert_ne!(untimed(l), l, "every line is stamped: {l}");
    }
    let second = night(&[row_a, row_d]);
    let last = untimed(second.lines().last().unwrap());
    assert!(
        last.ends_with(
            "; since the previous run: 1 new, 0 dropped, 0 score changes of 1.0 point or more"
        ),
        "{last}"
    );
}
