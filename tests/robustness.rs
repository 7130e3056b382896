//! Hostile and messy input: every case gets a clear outcome, never a crash,
//! and a failed run never touches what was published before.

use std::fs;
use std::path::Path;

use crate::common::*;
use predicates::prelude::*;

pub(crate) const GOOD: &str =
    "A1,Light Gel,B,moisturiser,gel,face,,,\"Aqua, Glycerin, Panthenol\",10";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    fs::write(&p, bytes).unwrap();
    p
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

fn rejects(out: &Path) -> Vec<Vec<String>> {
    read_csv(&out.join("rejects.csv")).1
}

#[test]
fn byte_order_mark_and_crlf_line_ends() {
    let tmp = workdir();
    let text = format!("\u{feff}{HEADER}\r\n{GOOD}\r\nA2,Rich Balm,B,balm,balm,face,,,\"Petrolatum, Lanolin\",12\r\nA3,Short\r\n\r\nA4,,B,,,,,,,\r\n");
    let cat = write(tmp.path(), "c.csv", text.as_bytes());
    let out = tmp.path().join("out");
    score(&cat, &out, &["--max-rejects", "2"]);
    let (_, rows) = read_csv(&out.join("scores.csv"));
    assert_eq!(rows.len(), 2);
    // Line numbers count CRLF lines as an LF file would.
    let r = rejects(&out);
    assert_eq!((r[0][0].as_str(), r[1][0].as_str()), ("4", "6"), "{r:?}");
    assert_eq!(r[0][4], "A3,Short");
    assert_eq!(rows[0][0], "A1");
    assert!(rows.iter().all(|r| r.iter().all(|f| !f.contains('\r'))));
}

#[test]
fn quoted_fields_with_commas_quotes_and_newlines_keep_line_numbers() {
    let tmp = workdir();
    let text = format!(
        "{HEADER}\nQ1,\"Gel, \"\"Extra\"\" Light\nEdition\",B,moisturiser,gel,face,,,\"Aqua,\nGlycerin\",10\nQ2,,B,,,,,,,\n"
    );
    let cat = write(tmp.path(), "c.csv", text.as_bytes());
    let out = tmp.path().join("out");
    score(&cat, &out, &["--max-rejects", "1"]);
    let (_, rows) = read_csv(&out.join("scores.csv"));
    assert_eq!(rows[0][1], "Gel, \"Extra\" Light\nEdition");
    // Q2 starts on line 5: the quoted newlines count as lines.
    let r = rejects(&out);
    assert_eq!(r[0][0], "5");
    assert_eq!(r[0][2], "name");
    assert!(r[0][3].contains("empty name"));
}

#[test]
fn semicolon_and_tab_delimiters() {
    let tmp = workdir();
    for (delim, arg) in [(";", ";"), ("\t", "tab")] {
        let text = format!(
            "{}\nD1{d}Gel{d}B{d}moisturiser{d}gel{d}face{d}{d}{d}Aqua, Glycerin{d}10\n",
            HEADER.replace(',', delim),
            d = delim
        );
        let cat = write(tmp.path(), "d.csv", text.as_bytes());
        let out = tmp.path().join(format!("out{}", arg.len()));
        score(&cat, &out, &["--delimiter", arg]);
        let (_, rows) = read_csv(&out.join("scores.csv"));
        assert_eq!(rows[0][0], "D1");
    }
}

#[test]
fn invalid_utf8_is_read_as_windows_1252_or_replaced_and_said() {
    let tmp = workdir();
    let bad_row: &[u8] =
        b"U1,Cr\xe8me L\xe9g\xe8re Gel,B,moisturiser,gel,face,,,\"Aqua, Glycerin\",10\n";
    // Near the top: the file is an Excel-style Windows-1252 export, converted.
    let mut bytes = format!("{HEADER}\n").into_bytes();
    bytes.extend_from_slice(bad_row);
    let cat = write(tmp.path(), "u.csv", &bytes);
    let out = tmp.path().join("out");
    score(&cat, &out, &[]);
    let (_, rows) = read_csv(&out.join("milia-prone.csv"));
    assert_eq!(rows[0][2], "Crème Légère Gel");
    assert_eq!(summary(&out)["input"]["encoding"], "windows-1252");
    // Past the first megabyte of valid UTF-8, a stray byte is replaced in
    // its row, which says so.
    let mut bytes = format!("{HEADER}\n").into_bytes();
    let mut i = 0;
    while bytes.len() < 1_100_000 {
        i += 1;
        bytes.extend_from_slice(
            format!(
                "G{i},Gentle Gel {i},B,moisturiser,gel,face,,,\"Aqua, Glycerin, Panthenol\",10\n"
            )
            .as_bytes(),
        );
    }
    bytes.extend_from_slice(bad_row);
    let cat = write(tmp.path(), "late.csv", &bytes);
    let out = tmp.path().join("late");
    score(&cat, &out, &["--concerns", "milia-prone"]);
    assert_eq!(summary(&out)["input"]["encoding"], "UTF-8");
    let (_, rows) = read_csv(&out.join("milia-prone.csv"));
    let row = rows.iter().find(|r| r[1] == "U1").unwrap();
    assert!(row[2].contains('\u{fffd}'));
    assert!(
        row[6].contains("invalid UTF-8 replaced in `name`"),
        "{row:?}"
    );
}

#[test]
fn rows_with_too_many_or_too_few_fields_are_rejected_with_their_line() {
    let tmp = workdir();
    let cat = catalog(
        tmp.path(),
        &[
            GOOD,
            "A2,Short,B",
            "A3,Long,B,x,gel,face,,,Aqua,10,extra",
            GOOD.replace("A1", "A4").as_str(),
        ],
    );
    let out = tmp.path().join("out");
    score(&cat, &out, &["--max-rejects", "50%"]);
    let r = rejects(&out);
    assert_eq!(r.len(), 2);
    assert_eq!((r[0][0].as_str(), r[0][1].as_str()), ("3", "A2"));
    assert!(
        r[0][3].contains("3 fields but the header has 10"),
        "{:?}",
        r[0]
    );
    assert_eq!(r[1][0], "4");
    assert!(r[1][4].starts_with("A3,Long"));
    assert_eq!(summary(&out)["rows_scored"], 2);
}

#[test]
fn blank_lines_are_skipped_not_rejected() {
    let tmp = workdir();
    let text = format!("{HEADER}\n\n{GOOD}\n\n,,,,,,,,,\n\n");
    let cat = write(tmp.path(), "b.csv", text.as_bytes());
    let out = tmp.path().join("out");
    score(&cat, &out, &[]);
    assert_eq!(summary(&out)["rows_scored"], 1);
    assert_eq!(summary(&out)["rows_rejected"], 0);
}

#[test]
fn duplicate_product_id_keeps_the_first_and_names_its_line() {
    let tmp = workdir();
    let dup = GOOD.replace("Light Gel", "Other Gel");
    let cat = catalog(
        tmp.path(),
        &[GOOD, "A2,Balm,B,balm,balm,face,,,Petrolatum,1", &dup],
    );
    let out = tmp.path().join("out");
    score(&cat, &out, &["--max-rejects", "1"]);
    let r = rejects(&out);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0][0], "4");
    assert!(
        r[0][3].contains("duplicate product_id `A1`: first seen on line 2"),
        "{:?}",
        r[0]
    );
    let (_, rows) = read_csv(&out.join("scores.csv"));
    assert_eq!(rows[0][1], "Light Gel");
}

#[test]
fn a_one_megabyte_field_is_handled() {
    let tmp = workdir();
    let big = "Aqua, ".repeat(180_000);
    let row = format!("M1,Huge,B,moisturiser,gel,face,,,\"{big}Glycerin\",1");
    let cat = catalog(tmp.path(), &[&row, GOOD]);
    let out = tmp.path().join("out");
    score(&cat, &out, &[]);
    assert_eq!(summary(&out)["rows_scored"], 2);
}

#[test]
fn empty_file_header_only_and_missing_column_fail_clearly() {
    let tmp = workdir();
    let empty = write(tmp.path(), "empty.csv", b"");
    bin()
        .arg("score")
        .arg(&empty)
        .arg("--out")
        .arg(tmp.path().join("o1"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("empty.csv").and(predicate::str::contains("empty")));
    let header = write(tmp.path(), "header.csv", format!("{HEADER}\n").as_bytes());
    bin()
        .arg("score")
        .arg(&header)
        .arg("--out")
        .arg(tmp.path().join("o2"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("header but no rows"));
    assert!(!tmp.path().join("o2").exists(), "nothing published");
    let nocol = write(
        tmp.path(),
        "nocol.csv",
        b"code,heading,contents\n1,Gel,Aqua\n",
    );
    bin()
        .arg("score")
        .arg(&nocol)
        .arg("--out")
        .arg(tmp.path().join("o3"))
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("nocol.csv: line 1, column `product_id`")
                .and(predicate::str::contains("`code`, `heading`, `contents`"))
                .and(predicate::str::contains("--map product_id=COLUMN")),
        );
    bin()
        .arg("score")
        .arg(&nocol)
        .args([
            "--map",
            "product_id=code",
            "--map",
            "name=heading",
            "--map",
            "ingredients=contents",
            "-q",
            "--out",
        ])
        .arg(tmp.path().join("o4"))
        .assert()
        .success();
}

#[test]
fn unreadable_catalog_and_bad_output_paths() {
    let tmp = workdir();
    bin()
        .args(["score", "/nonexistent/catalog.csv", "--out"])
        .arg(tmp.path().join("o"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "/nonexistent/catalog.csv: no such file",
        ));
    bin()
        .arg("score")
        .arg(tmp.path())
        .arg("--out")
        .arg(tmp.path().join("o"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("is a directory"));
    let file = write(tmp.path(), "occupied", b"x");
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(&file)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "occupied: the output path is a file",
        ));
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(file.join("sub"))
        .assert()
        .code(3);
    assert_eq!(fs::read(&file).unwrap(), b"x");
}

#[test]
fn usage_errors_exit_2() {
    bin().args(["score", "--top", "many"]).assert().code(2);
    bin()
        .args(["score", "--map", "colour=Shade"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown field `colour`"));
    bin()
        .args(["score", "--max-rejects", "5 percent"])
        .assert()
        .code(2);
    bin().args(["frobnicate"]).assert().code(2);
}

#[test]
fn too_many_rejects_fail_and_keep_the_previous_output() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    let good = catalog(tmp.path(), &[GOOD]);
    score(&good, &out, &[]);
    let before: Vec<(String, Vec<u8>)> = dir_files(&out);
    let bad = write(
        tmp.path(),
        "bad.csv",
        format!("{HEADER}\n{GOOD}\nA2,,B,,,,,,,\nA3,,B,,,,,,,\n").as_bytes(),
    );
    bin()
        .arg("score")
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("2 of 3 rows rejected")
                .and(predicate::str::contains("nothing was published")),
        );
    assert_eq!(dir_files(&out), before);
    bin()
        .arg("score")
        .arg(&bad)
        .args(["--max-rejects", "1", "--out"])
        .arg(&out)
        .assert()
        .code(1);
    assert_eq!(dir_files(&out), before);
    bin()
        .arg("score")
        .arg(&bad)
        .args(["-q", "--max-rejects", "2", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(summary(&out)["rows_rejected"], 2);
    // No staging directories are left behind.
    let names: Vec<String> = fs::read_dir(out.join(".milia-rank/releases"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into())
        .collect();
    assert!(names.iter().all(|n| !n.contains("staging")), "{names:?}");
}

#[test]
fn hostile_megabyte_fields_finish_quickly() {
    let tmp = workdir();
    let fields = [
        "[+/-".repeat(250_000),
        "(".repeat(1_000_000),
        "May contain: ".repeat(80_000),
        "Aqua. B, ".repeat(110_000),
        "x: a, b, c, d, ".repeat(70_000),
        "1% Glycolic ".repeat(80_000),
    ];
    let rows: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| format!("H{i},\"{f}\",B,moisturiser,gel,face,,,\"{f}\",1"))
        .collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let cat = catalog(tmp.path(), &refs);
    bin()
        .arg("score")
        .arg(&cat)
        .args(["-q", "--out"])
        .arg(tmp.path().join("out"))
        .timeout(std::time::Duration::from_secs(120))
        .assert()
        .success();
}
