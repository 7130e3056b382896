//! The top of every ranking on the three real catalogs, checked against
//! written expectations for classes of products (from DOMAIN.md, "The top
//! of a list"). The expectations read product names, not the model's own
//! classification. Ignored by `cargo test`; `.ci/run` runs it where ../shared is present.

use std::path::Path;

use crate::common::*;

/// One ranked product: name, reasons, confidence.
struct Row {
    name: String,
    confidence: String,
    reasons: String,
}

fn top(out: &Path, concern: &str, n: usize) -> Vec<Row> {
    let (h, rows) = read_csv(&out.join(format!("{concern}.csv")));
    let col = |c: &str| h.iter().position(|x| x == c).unwrap();
    let (name, conf, reasons) = (col("name"), col("confidence"), col("reasons"));
    rows.into_iter()
        .take(n)
        .map(|r| Row {
            name: r[name].to_lowercase(),
            confidence: r[conf].clone(),
            reasons: r[reasons].to_lowercase(),
        })
        .collect()
}

fn has_word(name: &str, words: &[&str]) -> Option<String> {
    let padded: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let padded = format!(" {padded} ");
    words
        .iter()
        .find(|w| padded.contains(&format!(" {w} ")))
        .map(|w| w.to_string())
}

const RINSE_OR_WIPE: &[&str] = &[
    "cleanser",
    "cleansing",
    "wash",
    "remover",
    "micellar",
    "mask",
    "masque",
    "patches",
    "patch",
    "peel",
    "scrub",
    "exfoliator",
    "polish",
    "soap",
    "bar",
];

const NOT_FOR_BABIES: &[&str] = &[
    "soap",
    "bar",
    "mask",
    "masque",
    "serum",
    "toner",
    "tonic",
    "kit",
    "set",
    "stick",
    "peel",
    "scrub",
    "acne",
    "blemish",
    "pore",
    "pores",
    "brightening",
    "anti",
    "aging",
    "age",
    "firming",
    "wrinkle",
    "retinol",
    "glycolic",
    "vitamin",
    "exfoliating",
    "clarifying",
    "essence",
];

#[test]
#[ignore = "needs ../shared/catalogs beside the repository"]
fn the_top_of_each_list_holds_what_an_expert_would_feature() {
    let dir = shared_catalogs();
    let mut failures = Vec::new();
    for file in REAL_CATALOGS {
        let maps = real_catalog_maps(file);
        let tmp = workdir();
        let out = tmp.path().join("out");
        score(&dir.join(file), &out, &maps);
        let mut fail = |concern: &str, i: usize, r: &Row, why: &str| {
            failures.push(format!("{file} {concern} #{}: {} ({why})", i + 1, r.name));
        };
        for concern in CONCERNS {
            for (i, r) in top(&out, concern, 10).iter().enumerate() {
                if r.confidence == "low" {
                    fail(concern, i, r, "low confidence in a top 10");
                }
            }
        }
        // Face lists: leave-on products first, no eye-only product on top.
        for concern in ["milia-prone", "sensitive", "post-procedure"] {
            for (i, r) in top(&out, concern, 3).iter().enumerate() {
                if let Some(w) = has_word(&r.name, RINSE_OR_WIPE) {
                    fail(
                        concern,
                        i,
                        r,
                        &format!("rinse-off/occasional `{w}` in a top 3"),
                    );
                }
            }
            for (i, r) in top(&out, concern, 10).iter().enumerate() {
                if has_word(&r.name, &["eye", "eyes"]).is_some() {
                    fail(concern, i, r, "eye-only product in a face top 10");
                }
            }
        }
        // Irritation axes: no hidden irritant in the top 3.
        for concern in ["sensitive", "post-procedure", "baby"] {
            for (i, r) in top(&out, concern, 3).iter().enumerate() {
                for bad in [
                    "fragrance",
                    "essential oil",
                    "witch hazel",
                    "willow bark",
                    "menthol",
                    "acid,",
                    "exfoliat",
                    "retinoid",
                    "ascorbic",
                ] {
                    if r.reasons.contains(bad) && !r.reasons.contains(&format!("no {bad}")) {
                        fail(concern, i, r, &format!("`{bad}` in its reasons"));
                    }
                }
            }
        }
        for (i, r) in top(&out, "baby", 10).iter().enumerate() {
            if let Some(w) = has_word(&r.name, NOT_FOR_BABIES) {
                fail("baby", i, r, &format!("`{w}` is not for babies"));
            }
        }
        // Eye creams, gels and serums before removers, patches and masks.
        let eye = top(&out, "eye-area", 10);
        let first_other = eye.iter().position(|r| {
            has_word(
                &r.name,
                &["remover", "patches", "patch", "mask", "masks", "pads"],
            )
            .is_some()
        });
        if let Some(k) = first_other {
            for (i, r) in eye.iter().enumerate().skip(k + 1) {
                if has_word(&r.name, &["cream", "gel", "serum", "balm", "treatment"]).is_some()
                    && has_word(&r.name, &["remover", "patches", "patch", "mask", "masks"])
                        .is_none()
                {
                    fail(
                        "eye-area",
                        i,
                        r,
                        "an eye cream/gel/serum after a remover or patch",
                    );
                }
            }
        }
        // Dedicated sunscreens before tinted and make-up SPF products.
        for (i, r) in top(&out, "sun-care", 3).iter().enumerate() {
            if let Some(w) = has_word(
                &r.name,
                &[
                    "tinted",
                    "tint",
                    "foundation",
                    "bb",
                    "cc",
                    "primer",
                    "powder",
                    "concealer",
                ],
            ) {
                fail("sun-care", i, r, &format!("make-up `{w}` in a top 3"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} products break the rules of the top of a list:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
