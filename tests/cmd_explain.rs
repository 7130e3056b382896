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
