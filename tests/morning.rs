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

/// Yesterday's release is read through the rows' indexes kept in the
/// store; a plain copy of its files (no indexes) is read as CSV text. Both
/// give the same comparison, and the indexes never appear in DIR.
#[test]
fn the_comparison_is_the_same_through_the_indexes_and_through_the_csv() {
    let tmp = workdir();
    let gen = |seed: &str, name: &str| {
        let p = tmp.path().join(name);
        bin()
            .args(["generate", "--rows", "1500", "--seed", seed, "--out"])
            .arg(&p)
            .assert()
            .success();
        fs::read_to_string(p).unwrap()
    };
    let a = gen("5", "a.csv");
    let other = gen("6", "b0.csv");
    let mut lines_a = a.lines();
    let header = lines_a.next().unwrap();
    let rows_a: Vec<&str> = lines_a.collect();
    let rows_o: Vec<&str> = other.lines().skip(1).collect();
    // Tomorrow: the first 80 products gone, 300 changed (another product
    // under the same id), 40 new ones.
    let mut b = vec![header.to_string()];
    for (i, row) in rows_a.iter().enumerate().skip(80) {
        b.push(
            if (200..500).contains(&i) {
                rows_o[i]
            } else {
                row
            }
            .to_string(),
        );
    }
    for row in &rows_o[..40] {
        b.push(format!("N{}", &row[1..]));
    }
    let b_path = tmp.path().join("b.csv");
    fs::write(&b_path, b.join("\n") + "\n").unwrap();
    let a_path = tmp.path().join("a.csv");

    let night = tmp.path().join("night");
    score(&a_path, &night, &[]);
    // A plain copy of what was published: the files, not the store.
    let plain = tmp.path().join("plain");
    fs::create_dir(&plain).unwrap();
    for (name, bytes) in dir_files(&night) {
        fs::write(plain.join(name), bytes).unwrap();
    }
    score(&b_path, &night, &[]);
    let copy = tmp.path().join("copy");
    score(&b_path, &copy, &["--previous", plain.to_str().unwrap()]);
    let given = tmp.path().join("given");
    let published_a = tmp.path().join("published-a");
    score(&a_path, &published_a, &[]);
    score(
        &b_path,
        &given,
        &["--previous", published_a.to_str().unwrap()],
    );

    let changes = |dir: &std::path::Path| {
        let mut c = json(&dir.join("summary.json"))["changes"].clone();
        c["previous"] = serde_json::Value::Null;
        c["previous_started_at"] = serde_json::Value::Null;
        c
    };
    let c = changes(&night);
    assert_eq!(c, changes(&copy));
    assert_eq!(c, changes(&given));
    assert_eq!(c["new_products_count"], 40);
    assert_eq!(c["dropped_products_count"], 80);
    // Names come from the rows at the indexed offsets.
    let (_, scores_b) = read_csv(&night.join("scores.csv"));
    for pair in c["new_products"].as_array().unwrap() {
        let row = scores_b.iter().find(|r| r[0] == pair[0]).unwrap();
        assert_eq!(pair[1], row[1].as_str());
    }
    let (_, scores_a) = read_csv(&plain.join("scores.csv"));
    for pair in c["dropped_products"].as_array().unwrap() {
        let row = scores_a.iter().find(|r| r[0] == pair[0]).unwrap();
        assert_eq!(pair[1], row[1].as_str());
    }
    let moved: u64 = c["concerns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["score_changes"].as_u64().unwrap())
        .sum();
    assert!(moved > 100, "{moved}");
    // The indexes stay in the release; DIR shows only the published files.
    let current = night.join(".milia-rank").join("current");
    use milia_rank::output::places;
    for file in ["scores.csv", "milia-prone.csv", "baby.csv"] {
        // Found and matching, from the release and from DIR's name.
        assert!(current.join(places::index_name(file)).is_file());
        let index = places::open(&current.join(file)).unwrap();
        assert_eq!(index.len(), places::open(&night.join(file)).unwrap().len());
        assert!(places::open(&plain.join(file)).is_none());
    }
    let (_, rows) = read_csv(&night.join("milia-prone.csv"));
    assert_eq!(
        places::open(&night.join("milia-prone.csv")).unwrap().len(),
        rows.len() as u64
    );
    for e in fs::read_dir(&night).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        assert!(!name.starts_with('.') || name == ".milia-rank", "{name}");
    }
}
