//! `milia-rank explain`: every factor behind one product's scores.

use crate::common::*;
use predicates::prelude::*;

#[test]
fn explain_shows_every_factor_and_the_ingredients_behind_it() {
    let tmp = workdir();
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
fn explain_of_a_row_score_would_reject_says_why_with_its_line() {
    let tmp = workdir();
    let cat = catalog(
        tmp.path(),
        &[
            "R1,,B,serum,,face,,,\"Aqua, Glycerin\",10",
            "R2,Fine Serum,B,serum,,face,,,\"Aqua, Glycerin\",10",
        ],
    );
    bin()
        .arg("explain")
        .arg("R1")
        .arg(&cat)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("line 2")
                .and(predicate::str::contains("`R1` is on a row `score` rejects")),
        );
    bin().arg("explain").arg("R2").arg(&cat).assert().success();
}

#[test]
fn an_id_not_found_suggests_the_closest_ids_by_id_or_name() {
    let tmp = workdir();
    let cat = catalog(
        tmp.path(),
        &[
            "PIXI Glow Tonic 250ml,PIXI Glow Tonic 250ml,PIXI,toner,,face,,,\"Aqua, Glycolic Acid\",10",
            "PIXI Glow Tonic 100ml,PIXI Glow Tonic 100ml,PIXI,toner,,face,,,\"Aqua, Glycolic Acid\",10",
            "SKU-77,Rich Night Balm,B,balm,,face,,,\"Petrolatum, Lanolin\",10",
            "SKU-78,Light Day Gel,B,gel,,face,,,\"Aqua, Glycerin\",10",
        ],
    );
    let out = bin()
        .args(["explain", "pixi glow tonic"])
        .arg(&cat)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no product with product_id `pixi glow tonic`; did you mean `PIXI Glow Tonic 250ml` (line 2), `PIXI Glow Tonic 100ml` (line 3)"),
        "{err}"
    );
    // A name typed for the id finds the product's id.
    let out = bin()
        .args(["explain", "rich night balm"])
        .arg(&cat)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `SKU-77` (line 4)"), "{err}");
    // Nothing alike: no suggestion.
    let out = bin()
        .args(["explain", "zzzz qqqq"])
        .arg(&cat)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no product with product_id `zzzz qqqq`"),
        "{err}"
    );
    assert!(!err.contains("did you mean"), "{err}");
}
