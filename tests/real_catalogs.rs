//! The three real shop catalogs, scored through `--map` options only.
//! Ignored by `cargo test` (the data is not in the repository); `.ci/run`
//! runs them with `--ignored` where ../shared/catalogs is present.

use crate::common::*;

/// The fewest `--map` options each catalog needs now that headers are
/// matched against their synonyms.
fn fewer_maps(file: &str) -> Vec<&'static str> {
    match file {
        "lookfantastic-skincare.csv" => vec!["--map", "product_id=product_name"],
        "sephora-cosmetics.csv" => vec!["--map", "product_id=Name"],
        "sephora-skincare.csv" => vec![],
        _ => unreachable!(),
    }
}

#[test]
#[ignore = "needs ../shared/catalogs beside the repository"]
fn each_real_catalog_scores_with_few_rejects_and_every_file() {
    let dir = shared_catalogs();
    for f in REAL_CATALOGS {
        let tmp = workdir();
        let out = tmp.path().join("out");
        score(&dir.join(f), &out, &real_catalog_maps(f));
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
                .unwrap();
        let read = summary["rows_read"].as_u64().unwrap();
        let rejected = summary["rows_rejected"].as_u64().unwrap();
        assert!(read > 200, "{f}: {read} rows");
        assert!(rejected * 20 < read, "{f}: {rejected} of {read} rejected");
        let (_, rejects) = read_csv(&out.join("rejects.csv"));
        assert_eq!(rejects.len() as u64, rejected);
        assert!(
            rejects.iter().all(|r| !r[3].is_empty()),
            "{f}: every reject has a reason"
        );
        for c in CONCERNS {
            assert!(out.join(format!("{c}.csv")).exists(), "{f}: {c}");
        }
        let (_, mp) = read_csv(&out.join("milia-prone.csv"));
        assert!(
            mp.len() as u64 > read / 2,
            "{f}: most products are face products"
        );
    }
}

#[test]
#[ignore = "needs ../shared/catalogs beside the repository"]
fn real_catalog_rankings_are_sensible() {
    let dir = shared_catalogs();
    let tmp = workdir();
    let out = tmp.path().join("out");
    let f = "sephora-cosmetics.csv";
    score(&dir.join(f), &out, &real_catalog_maps(f));
    // La Mer's Crème de la Mer (mineral oil and petrolatum at #2 and #3)
    // sinks in milia-prone: in the bottom quarter.
    let (_, mp) = read_csv(&out.join("milia-prone.csv"));
    let r = rank_of(&out, "milia-prone", "Crème de la Mer").unwrap();
    assert!(r > mp.len() * 3 / 4, "rank {r} of {}", mp.len());
    // Sun protection ranking holds only sun products.
    let (_, sun) = read_csv(&out.join("sun-care.csv"));
    assert!(sun.iter().all(|row| {
        let n = row[2].to_lowercase();
        n.contains("spf") || n.contains("sun") || n.contains("uv") || row[6].contains("SPF")
    }));
}

#[test]
#[ignore = "needs ../shared/catalogs beside the repository"]
fn real_catalogs_need_only_the_id_map_now_and_score_the_same() {
    let dir = shared_catalogs();
    for f in REAL_CATALOGS {
        let tmp = workdir();
        let (full, few) = (tmp.path().join("full"), tmp.path().join("few"));
        score(&dir.join(f), &full, &real_catalog_maps(f));
        score(&dir.join(f), &few, &fewer_maps(f));
        for (name, bytes) in dir_files(&full) {
            if name == "summary.json" {
                continue;
            }
            let other = std::fs::read(few.join(&name)).unwrap();
            if name == "report.html" {
                assert_eq!(
                    without_run_time(&other),
                    without_run_time(&bytes),
                    "{f}: {name}"
                );
                continue;
            }
            assert_eq!(other, bytes, "{f}: {name}");
        }
    }
}
