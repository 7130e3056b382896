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
