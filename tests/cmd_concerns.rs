//! `milia-rank concerns` and concern profiles from a `--concerns-file`.

use std::fs;

use crate::common::*;
use predicates::prelude::*;

#[test]
fn concerns_file_changes_weights_adds_a_concern_and_reports_bad_keys() {
    let tmp = workdir();
    // The dump is a valid profiles file.
    let dump = bin().args(["concerns", "--dump"]).output().unwrap();
    let dumped = tmp.path().join("dump.toml");
    fs::write(&dumped, &dump.stdout).unwrap();
    bin()
        .args(["concerns", "--concerns-file"])
        .arg(&dumped)
        .assert()
        .success();

    let profiles = tmp.path().join("p.toml");
    fs::write(
        &profiles,
        "[[concern]]\nslug = \"oily-t-zone\"\ndescription = \"oily skin\"\nbase = 60\n\
         [concern.weights]\ncomedogenic = -30\n[concern.eligibility]\nareas = [\"face\"]\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    bin()
        .args(["score", "--sample", "-q", "--concerns-file"])
        .arg(&profiles)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let (_, rows) = read_csv(&out.join("oily-t-zone.csv"));
    assert!(!rows.is_empty());
    let (h, _) = read_csv(&out.join("scores.csv"));
    assert!(h.contains(&"oily-t-zone".to_string()));

    fs::write(
        &profiles,
        "[[concern]]\nslug = \"baby\"\n[concern.weights]\nsparkle = -3\n",
    )
    .unwrap();
    bin()
        .args(["score", "--sample", "-q", "--concerns-file"])
        .arg(&profiles)
        .arg("--out")
        .arg(tmp.path().join("bad"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "p.toml: line 4, column `weights.sparkle`: unknown factor `sparkle`",
        ));
}

#[test]
fn completions_and_the_manual_page_cover_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        for sub in SUBCOMMANDS {
            assert!(text.contains(sub), "{shell} completions lack `{sub}`");
        }
        assert!(text.contains("max-shrink"), "{shell}: score's options");
    }
    let out = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin().arg("man").output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH milia-rank 1"), "{page}");
    for sub in SUBCOMMANDS {
        // roff writes a hyphen as `\-`.
        let roff = sub.replace('-', "\\-");
        assert!(page.contains(&roff), "the manual page lacks `{sub}`");
    }
}
