//! The main job on the built-in sample catalog: every file, its header,
//! its ordering, and the summary.

use crate::common::*;
use predicates::prelude::PredicateBooleanExt;

#[test]
fn score_without_catalog_writes_every_file_from_any_directory() {
    let tmp = workdir();
    // Run from an unrelated directory: the sample is built in.
    bin()
        .current_dir(tmp.path())
        .args(["score", "--sample", "--quiet"])
        .assert()
        .success();
    let out = tmp.path().join("out");
    for c in CONCERNS {
        let (h, rows) = read_csv(&out.join(format!("{c}.csv")));
        assert_eq!(&h[..4], ["rank", "product_id", "name", "score"], "{c}");
        assert!(h.contains(&"grade".to_string()) && h.contains(&"reasons".to_string()));
        assert!(!rows.is_empty(), "{c} is empty");
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(r[0], (i + 1).to_string(), "{c}: ranks run 1..n");
            let s: f64 = r[3].parse().unwrap();
            assert!((0.0..=100.0).contains(&s));
            assert_eq!(r[3], format!("{s:.1}"), "{c}: one decimal");
            assert!(!r[6].is_empty(), "{c}: reasons present");
        }
        // Products with a trusted list first, then best first; equal
        // scores in product_id order.
        let conf = h.iter().position(|x| x == "confidence").unwrap();
        for w in rows.windows(2) {
            let (a, b): (f64, f64) = (w[0][3].parse().unwrap(), w[1][3].parse().unwrap());
            let (la, lb) = (w[0][conf] == "low", w[1][conf] == "low");
            assert!(
                (!la && lb) || (la == lb && (a > b || (a == b && w[0][1] < w[1][1]))),
                "{c}: order {:?} {:?}",
                w[0],
                w[1]
            );
        }
    }
    let (h, rows) = read_csv(&out.join("scores.csv"));
    for c in CONCERNS {
        assert!(h.contains(&c.to_string()));
    }
    let (rh, _) = read_csv(&out.join("rejects.csv"));
    assert_eq!(rh, ["line", "product_id", "column", "reason", "raw"]);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        summary["rows_scored"].as_u64().unwrap() as usize,
        rows.len()
    );
    assert!(rows.len() >= 200);
    assert_eq!(summary["rows_rejected"], 0);
    assert_eq!(summary["version"], env!("CARGO_PKG_VERSION"));
    assert!(summary["elapsed_seconds"].is_number());
    // Stage timings for the bench: every stage, none longer than the run.
    let elapsed = summary["elapsed_seconds"].as_f64().unwrap();
    for stage in [
        "setup",
        "stream",
        "reading",
        "collecting",
        "rankings",
        "finish",
    ] {
        let t = summary["timings"][stage].as_f64().unwrap();
        assert!((0.0..=elapsed).contains(&t), "{stage}: {t} of {elapsed}");
    }
    assert_eq!(summary["concerns"].as_array().unwrap().len(), 6);
}

#[test]
fn eligibility_leaves_products_out_rather_than_scoring_zero() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    bin()
        .current_dir(tmp.path())
        .args(["score", "--sample", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let (h, rows) = read_csv(&out.join("scores.csv"));
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    for r in &rows {
        let area = &r[col("area")];
        let kind = &r[col("kind")];
        if area != "eye" {
            assert!(r[col("eye-area")].is_empty(), "{r:?}");
        }
        if area == "body" || area == "lip" || area == "scalp" || kind == "body wash" {
            assert!(r[col("milia-prone")].is_empty(), "{r:?}");
        }
        if r[col("spf")].is_empty() {
            assert!(r[col("sun-care")].is_empty(), "{r:?}");
        } else {
            assert!(!r[col("sun-care")].is_empty(), "{r:?}");
        }
    }
}

#[test]
fn top_limits_every_concern_file_to_the_best_n() {
    let tmp = workdir();
    let full = tmp.path().join("full");
    let top = tmp.path().join("top");
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(&full)
        .assert()
        .success();
    bin()
        .args(["score", "--sample", "-q", "--top", "5", "--out"])
        .arg(&top)
        .assert()
        .success();
    for c in CONCERNS {
        let (_, all) = read_csv(&full.join(format!("{c}.csv")));
        let (_, best) = read_csv(&top.join(format!("{c}.csv")));
        assert_eq!(best.len(), all.len().min(5));
        assert_eq!(best[..], all[..best.len()], "{c}");
    }
}

#[test]
fn concerns_option_selects_files_and_rejects_unknown_slugs() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    bin()
        .args([
            "score",
            "--sample",
            "-q",
            "--concerns",
            "baby,sun-care",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("baby.csv").exists() && out.join("sun-care.csv").exists());
    assert!(!out.join("milia-prone.csv").exists());
    bin()
        .args(["score", "--sample", "-q", "--concerns", "acne", "--out"])
        .arg(tmp.path().join("x"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown concern `acne`"));
}

#[test]
fn a_knowledge_file_without_a_class_the_model_asks_for_is_warned_about() {
    let tmp = workdir();
    let kb = tmp.path().join("kb.csv");
    std::fs::write(
        &kb,
        "name,aliases,comedogenic,irritancy,classes,source\n\
         petrolatum,,0,0,occlusive,fulton1989\n\
         aqua,water,,,solvent,common-knowledge\n",
    )
    .unwrap();
    bin()
        .args(["score", "--sample", "-q", "--knowledge"])
        .arg(&kb)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .assert()
        .success()
        .stderr(
            predicates::str::contains("warning").and(predicates::str::contains(
                "no ingredient of class `heavy-oil`",
            )),
        )
        .stderr(predicates::str::contains("`uva-filter`"));
    // The built-in base carries every class: no warning.
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(tmp.path().join("out2"))
        .assert()
        .success()
        .stderr(predicates::str::contains("warning").not());
}
