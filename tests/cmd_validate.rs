//! `milia-rank validate`: what would be rejected, and nothing written.

use std::fs;

use crate::common::*;
use crate::robustness::GOOD;
use predicates::prelude::*;

#[test]
fn validate_reports_what_would_be_rejected_and_writes_nothing() {
    let tmp = workdir();
    let cat = catalog(tmp.path(), &[GOOD, "A2,,B,,,,,,,", GOOD]);
    bin()
        .current_dir(tmp.path())
        .arg("validate")
        .arg(&cat)
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("line 3, column `name`: empty name")
                .and(predicate::str::contains(
                    "line 4, column `product_id`: duplicate product_id `A1`",
                ))
                .and(predicate::str::contains(
                    "3 rows checked, 2 would be rejected",
                )),
        );
    let clean = catalog(tmp.path(), &[GOOD]);
    bin()
        .current_dir(tmp.path())
        .arg("validate")
        .arg(&clean)
        .assert()
        .code(0);
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "validate wrote nothing"
    );
}

#[test]
fn validate_reads_the_knowledge_file_score_would_use() {
    let tmp = workdir();
    let cat = catalog(tmp.path(), &[GOOD]);
    let bad = tmp.path().join("bad-kb.csv");
    fs::write(
        &bad,
        "name,aliases,comedogenic,irritancy,classes,source\npetrolatum,,9,0,occlusive,x\n",
    )
    .unwrap();
    // score refuses this knowledge base; so does validate, the same way.
    let refused = format!(
        "milia-rank: error: {}: line 2, column `comedogenic`: `9` is not a grade from 0 to 5",
        bad.display()
    );
    bin()
        .args(["score", "-q", "-o"])
        .arg(tmp.path().join("out"))
        .arg(&cat)
        .arg("--knowledge")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(refused.as_str()));
    bin()
        .arg("validate")
        .arg(&cat)
        .arg("--knowledge")
        .arg(&bad)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(refused.as_str()));
    // A missing knowledge file is an I/O error.
    bin()
        .arg("validate")
        .arg(&cat)
        .arg("--knowledge")
        .arg(tmp.path().join("none.csv"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "none.csv: no such file or directory",
        ));
    // One that reads but lacks classes the model asks for: warned, checked.
    let thin = tmp.path().join("thin-kb.csv");
    fs::write(
        &thin,
        "name,aliases,comedogenic,irritancy,classes,source\npetrolatum,,0,0,occlusive,x\n",
    )
    .unwrap();
    bin()
        .arg("validate")
        .arg(&cat)
        .arg("--knowledge")
        .arg(&thin)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 rows checked, 0 would be rejected",
        ))
        .stderr(predicate::str::contains("warning").and(predicate::str::contains("`uva-filter`")));
}

#[test]
fn validate_names_a_variant_row_without_its_product() {
    let tmp = workdir();
    let cat = catalog(
        tmp.path(),
        &[
            "V1,,B,serum,,face,,,\"Aqua, Glycerin\",10",
            "P1,Fine Serum,B,serum,,face,,,\"Aqua, Glycerin\",10",
            "P1,,B,serum,,face,,,\"Aqua, Glycerin\",10",
        ],
    );
    bin().arg("validate").arg(&cat).assert().code(1).stdout(
        predicates::str::contains("line 2")
            .and(predicates::str::contains(
                "no product row with product_id `V1`",
            ))
            .and(predicates::str::contains("line 4").not()),
    );
}
