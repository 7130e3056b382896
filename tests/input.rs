//! Where the catalog comes from and how it is read: standard input, the
//! explicit sample, short flags, `generate` to standard output.

use crate::common::*;
use predicates::prelude::*;

const ROW: &str =
    "A1,Gel Cleanser,Brand,Cleanser,gel,face,,,\"Aqua, Glycerin, Sodium Laureth Sulfate\",9";
const ROW2: &str = "A2,Rich Night Cream,Brand,Moisturiser,rich cream,face,,,\"Petrolatum, Paraffinum Liquidum, Lanolin\",19";

fn catalog_text() -> String {
    format!("{HEADER}\n{ROW}\n{ROW2}\n")
}

#[test]
fn a_dash_reads_the_catalog_from_stdin_in_score() {
    let tmp = workdir();
    let from_pipe = tmp.path().join("pipe");
    bin()
        .args(["score", "-", "-q", "-o"])
        .arg(&from_pipe)
        .write_stdin(catalog_text())
        .assert()
        .success();
    let (_, rows) = read_csv(&from_pipe.join("scores.csv"));
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        ["A1", "A2"],
        "the piped catalog is scored, not the sample"
    );

    // The same catalog from a file gives the same rankings.
    let file = catalog(tmp.path(), &[ROW, ROW2]);
    let from_file = tmp.path().join("file");
    score(&file, &from_file, &[]);
    for c in CONCERNS {
        let name = format!("{c}.csv");
        assert_eq!(
            std::fs::read(from_pipe.join(&name)).unwrap(),
            std::fs::read(from_file.join(&name)).unwrap(),
            "{name}"
        );
    }
    let summary = std::fs::read_to_string(from_pipe.join("summary.json")).unwrap();
    assert!(summary.contains("\"catalog\": \"<stdin>\""), "{summary}");
}

#[test]
fn a_dash_reads_stdin_in_validate_ingredients_and_explain() {
    bin()
        .args(["validate", "-"])
        .write_stdin(catalog_text())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2 rows checked, 0 would be rejected",
        ));
    bin()
        .args(["ingredients", "-"])
        .write_stdin(catalog_text())
        .assert()
        .success()
        .stdout(predicate::str::contains("rows: 2,"));
    bin()
        .args(["explain", "A2", "-"])
        .write_stdin(catalog_text())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "A2 — Rich Night Cream (line 3 of <stdin>)",
        ));
}

#[test]
fn no_catalog_is_a_usage_error_and_nothing_is_published() {
    let tmp = workdir();
    for sub in [
        vec!["score", "-q", "-o", "out"],
        vec!["validate"],
        vec!["ingredients"],
        vec!["explain", "MR-0001"],
    ] {
        bin()
            .current_dir(tmp.path())
            .args(&sub)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("no catalog given"))
            .stderr(predicate::str::contains("--sample"));
    }
    assert!(!tmp.path().join("out").exists(), "nothing published");
    // An empty $CATALOG in a cron line is refused too.
    bin()
        .current_dir(tmp.path())
        .args(["score", "", "-q"])
        .assert()
        .code(2);
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn sample_asks_for_the_built_in_catalog_and_not_with_a_file() {
    let tmp = workdir();
    bin()
        .args(["explain", "MR-0001", "--sample"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "catalog/sample-catalog.csv (built in)",
        ));
    let file = catalog(tmp.path(), &[ROW]);
    bin()
        .args(["validate", "--sample"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not both"));
}

#[test]
fn score_refuses_out_dash() {
    bin()
        .args(["score", "--sample", "--out", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(" milia-rank: error: --out -"))
        .stderr(predicate::str::contains(
            "--out -: score writes a directory",
        ));
}

#[test]
fn short_flags_match_the_long_ones() {
    let tmp = workdir();
    let semi = tmp.path().join("semi.csv");
    std::fs::write(
        &semi,
        catalog_text()
            .replace(',', ";")
            .replace(
                "\"Aqua; Glycerin; Sodium Laureth Sulfate\"",
                "Aqua, Glycerin, Sodium Laureth Sulfate",
            )
            .replace(
                "\"Petrolatum; Paraffinum Liquidum; Lanolin\"",
                "Petrolatum, Paraffinum Liquidum, Lanolin",
            ),
    )
    .unwrap();
    let short = tmp.path().join("short");
    let long = tmp.path().join("long");
    bin()
        .arg("score")
        .arg(&semi)
        .args(["-d", ";", "-q", "-t", "1", "-j", "1", "-o"])
        .arg(&short)
        .assert()
        .success()
        .stderr("");
    bin()
        .arg("score")
        .arg(&semi)
        .args([
            "--delimiter",
            ";",
            "--quiet",
            "--top",
            "1",
            "--threads",
            "1",
            "--out",
        ])
        .arg(&long)
        .assert()
        .success();
    let (_, rows) = read_csv(&short.join("milia-prone.csv"));
    assert_eq!(rows.len(), 1, "-t 1 keeps one");
    for c in CONCERNS {
        let name = format!("{c}.csv");
        assert_eq!(
            std::fs::read(short.join(&name)).unwrap(),
            std::fs::read(long.join(&name)).unwrap()
        );
    }
}

#[test]
fn every_subcommand_help_shows_an_example() {
    for sub in SUBCOMMANDS {
        bin()
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example:"))
            .stdout(predicate::str::contains(format!("milia-rank {sub} ")));
    }
}

#[test]
fn a_repeated_header_line_is_skipped_with_a_note_not_scored() {
    let tmp = workdir();
    // `cat a.csv b.csv`: the second file's header (with its BOM and CRLF).
    let text = format!("{HEADER}\n{ROW}\n\u{feff}{HEADER}\r\n{ROW2}\n");
    let cat = tmp.path().join("both.csv");
    std::fs::write(&cat, text).unwrap();
    let out = tmp.path().join("out");
    bin()
        .arg("score")
        .arg(&cat)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "milia-rank: skipped 1 repeated header line (concatenated exports?) on line 3; not scored",
        ));
    let (_, rows) = read_csv(&out.join("scores.csv"));
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["A1", "A2"]);
    let (_, rejects) = read_csv(&out.join("rejects.csv"));
    assert!(rejects.is_empty(), "{rejects:?}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["repeated_headers_skipped"], 1);
    assert_eq!(summary["rows_read"], 2);
    bin()
        .arg("validate")
        .arg(&cat)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2 rows checked, 0 would be rejected",
        ))
        .stderr(predicate::str::contains("repeated header line"));
    bin()
        .arg("ingredients")
        .arg(&cat)
        .assert()
        .success()
        .stdout(predicate::str::contains("rows: 2,"));
}

#[test]
fn concern_files_end_with_the_brand_and_the_first_four_columns_stay() {
    let tmp = workdir();
    let cat = catalog(tmp.path(), &[ROW, ROW2]);
    let out = tmp.path().join("out");
    score(&cat, &out, &[]);
    for c in CONCERNS {
        let (h, rows) = read_csv(&out.join(format!("{c}.csv")));
        assert_eq!(
            h,
            [
                "rank",
                "product_id",
                "name",
                "score",
                "grade",
                "confidence",
                "reasons",
                "brand"
            ],
            "{c}"
        );
        assert!(rows.iter().all(|r| r[7] == "Brand"), "{c}: {rows:?}");
    }
}

#[test]
fn summary_says_when_the_run_started_and_which_catalog_it_read() {
    let tmp = workdir();
    let cat = catalog(tmp.path(), &[ROW, ROW2]);
    let stamp = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_767_323_045);
    std::fs::File::options()
        .write(true)
        .open(&cat)
        .unwrap()
        .set_modified(stamp)
        .unwrap();
    let out = tmp.path().join("out");
    let before = std::time::SystemTime::now();
    score(&cat, &out, &[]);
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["catalog_modified"], "2026-01-02T03:04:05Z");
    assert_eq!(s["catalog_bytes"], std::fs::metadata(&cat).unwrap().len());
    assert_eq!(s["version"], env!("CARGO_PKG_VERSION"));
    let started = s["started_at"].as_str().unwrap();
    let t = time::OffsetDateTime::parse(started, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{started}: {e}"));
    let before = time::OffsetDateTime::from(before);
    assert!(
        t.unix_timestamp() >= before.unix_timestamp() - 1
            && t.unix_timestamp() <= before.unix_timestamp() + 120,
        "{started}"
    );
    // From standard input there is no file to describe.
    let piped = tmp.path().join("piped");
    bin()
        .args(["score", "-", "-q", "-o"])
        .arg(&piped)
        .write_stdin(catalog_text())
        .assert()
        .success();
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(piped.join("summary.json")).unwrap())
            .unwrap();
    assert!(s["catalog_bytes"].is_null() && s["catalog_modified"].is_null());
}

#[test]
fn a_dash_with_a_terminal_on_stdin_is_refused_instead_of_waiting() {
    // `script` gives the command a terminal; skipped where it is absent.
    let bin_path = assert_cmd::cargo::cargo_bin("milia-rank");
    let run = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("{} validate -", bin_path.display()),
            "/dev/null",
        ])
        .stdin(std::process::Stdio::null())
        .output();
    let Ok(out) = run else {
        eprintln!("skipped: `script` is absent");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("reads the catalog from standard input, but that is a terminal"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(2), "{text}");
}
