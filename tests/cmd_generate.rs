//! `milia-rank generate`: a realistic catalog, the same for the same seed,
//! never over an existing file unless forced.

use std::fs;

use crate::common::*;
use predicates::prelude::*;

#[test]
fn generate_never_overwrites_an_existing_file_unless_forced() {
    let tmp = workdir();
    let p = tmp.path().join("mine.csv");
    fs::write(&p, "my data\n").unwrap();
    bin()
        .args(["generate", "--rows", "5", "--out"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not overwrite"));
    assert_eq!(fs::read(&p).unwrap(), b"my data\n");
    bin()
        .args(["generate", "--rows", "5", "--force", "--out"])
        .arg(&p)
        .assert()
        .success();
    assert!(fs::read_to_string(&p).unwrap().starts_with("product_id,"));
}

#[test]
fn generate_is_deterministic_per_seed() {
    let tmp = workdir();
    let gen = |seed: &str, name: &str| {
        let p = tmp.path().join(name);
        bin()
            .args(["generate", "--rows", "2000", "--seed", seed, "--out"])
            .arg(&p)
            .assert()
            .success();
        fs::read(p).unwrap()
    };
    assert_eq!(gen("5", "a.csv"), gen("5", "b.csv"));
    assert_ne!(gen("5", "d.csv"), gen("6", "c.csv"));
}

#[test]
fn generate_writes_to_stdout_with_out_dash() {
    let tmp = workdir();
    let file = tmp.path().join("g.csv");
    bin()
        .args(["generate", "--rows", "25", "--seed", "3", "-o"])
        .arg(&file)
        .assert()
        .success();
    let out = bin()
        .args(["generate", "--rows", "25", "--seed", "3", "-o", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, std::fs::read(&file).unwrap());
    assert!(!tmp.path().join("-").exists());
}
