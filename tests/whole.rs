//! A catalog is whole or it is not published, and whatever it holds, the
//! log, the errors and the files stay what they should be: a catalog cut
//! short, a stray quote, a catalog much smaller than the published one, a
//! file changed while read, CR-only line ends, NUL bytes, a huge line,
//! duplicate header names, ids equal after Unicode normalisation, control
//! bytes in ids, and cells a spreadsheet would run as formulas.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;

/// A catalog of `n` plain rows (no quotes anywhere): `p<i>,Product <i>,...`.
fn plain_catalog(dir: &Path, name: &str, n: usize) -> PathBuf {
    let mut text = String::from("product_id,name,brand,category,ingredients\n");
    for i in 0..n {
        text.push_str(&format!(
            "p{i},Gel Cream {i},Brand {},moisturiser,Aqua; Glycerin; Niacinamide; Panthenol\n",
            i % 7
        ));
    }
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

fn run(catalog: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    bin()
        .arg("score")
        .arg(catalog)
        .arg("-o")
        .arg(out)
        .arg("-q")
        .args(extra)
        .output()
        .unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Published yesterday, refused today: yesterday's files are all there.
fn assert_refused_and_intact(o: &std::process::Output, out: &Path, before: &[(String, Vec<u8>)]) {
    assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
    assert_eq!(dir_files(out), before, "the published files changed");
}

#[test]
fn a_catalog_cut_in_a_row_is_refused_naming_the_line() {
    let tmp = workdir();
    let full = plain_catalog(tmp.path(), "full.csv", 3000);
    let out = tmp.path().join("out");
    score(&full, &out, &[]);
    let before = dir_files(&out);
    let bytes = fs::read(&full).unwrap();
    // Cut in the middle of row 1,200 (a transfer that broke).
    let cut_at = bytes.len() * 2 / 5 + 7;
    let cut = tmp.path().join("cut.csv");
    fs::write(&cut, &bytes[..cut_at]).unwrap();
    let o = run(&cut, &out, &["--max-shrink", "100%"]);
    assert_refused_and_intact(&o, &out, &before);
    let err = stderr(&o);
    let lines = bytes[..cut_at].iter().filter(|b| **b == b'\n').count() + 1;
    assert!(
        err.contains(&format!("cut.csv: line {lines}: the last row has")),
        "{err}"
    );
    assert!(err.contains("cut short"), "{err}");
    // A first night (no release to compare with) is refused as well.
    let o = run(&cut, &tmp.path().join("fresh"), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!tmp.path().join("fresh").join("summary.json").exists());
}

#[test]
fn a_stray_quote_that_swallows_the_rest_is_refused_at_its_line() {
    let tmp = workdir();
    let cat = plain_catalog(tmp.path(), "c.csv", 3000);
    let text = fs::read_to_string(&cat).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // Row 61 is line 62: a name that starts with a quote never closed.
    lines[61] = lines[61].replacen(",Gel", ",\"Gel", 1);
    fs::write(&cat, lines.join("\n") + "\n").unwrap();
    let o = run(&cat, &tmp.path().join("out"), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("c.csv: line 62"), "{err}");
    assert!(err.contains("a quote opened on this line"), "{err}");
    assert!(!tmp.path().join("out").join("summary.json").exists());
}

#[test]
fn rows_swallowed_by_a_quote_count_line_for_line_as_rejects() {
    let tmp = workdir();
    let cat = plain_catalog(tmp.path(), "c.csv", 3000);
    let text = fs::read_to_string(&cat).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // A quote opened on line 62 and closed by another stray one 300 lines
    // later: one record of 300 lines, not one rejected row.
    lines[61] = lines[61].replacen(",Gel", ",\"Gel", 1);
    lines[361] = lines[361].replacen(",Gel", ",Gel\"", 1);
    fs::write(&cat, lines.join("\n") + "\n").unwrap();
    let o = run(&cat, &tmp.path().join("out"), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("301 of 3000 rows rejected"), "{err}");
    // Ended by the end of the file instead, the quote is never closed.
    let short: Vec<String> = lines[..300].to_vec();
    let cut = tmp.path().join("short.csv");
    fs::write(&cut, short.join("\n") + "\n").unwrap();
    let o = run(&cut, &tmp.path().join("out"), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("line 62, column `name`: a quote opened on this line is never closed"),
        "{}",
        stderr(&o)
    );
    // Under a limit that allows them, they are listed as what they are.
    let out = tmp.path().join("out");
    let o = run(&cat, &out, &["--max-rejects", "20%"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, rejects) = read_csv(&out.join("rejects.csv"));
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0][0], "62");
    assert!(
        rejects[0][3].contains("runs over 301 lines (62 to 362)"),
        "{}",
        rejects[0][3]
    );
    let s: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["rows_rejected"], 301);
    assert_eq!(s["rows_scored"], 2699);
}

#[test]
fn a_catalog_much_smaller_than_the_published_one_is_not_published() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    let big = plain_catalog(tmp.path(), "big.csv", 1000);
    score(&big, &out, &[]);
    let before = dir_files(&out);
    // A whole file (every line complete) that lost 30% of its products.
    let small = plain_catalog(tmp.path(), "small.csv", 700);
    let o = run(&small, &out, &[]);
    assert_refused_and_intact(&o, &out, &before);
    let err = stderr(&o);
    assert!(
        err.contains("700 products scored, but the release published in"),
        "{err}"
    );
    assert!(err.contains("has 1000: 30.0% fewer"), "{err}");
    assert!(err.contains("--max-shrink 100%"), "{err}");
    // 15% fewer is within the default 20%; a stricter limit refuses it.
    let o = run(
        &plain_catalog(tmp.path(), "s.csv", 850),
        &out,
        &["--max-shrink", "10%"],
    );
    assert_refused_and_intact(&o, &out, &before);
    score(&plain_catalog(tmp.path(), "s.csv", 850), &out, &[]);
    // Told that the catalog really shrank, it publishes.
    score(&small, &out, &["--max-shrink", "100%"]);
    let (_, rows) = read_csv(&out.join("scores.csv"));
    assert_eq!(rows.len(), 700);
    // A bad value is a usage error.
    let o = run(&small, &out, &["--max-shrink", "120%"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn summary_states_the_catalog_as_read_at_the_end() {
    let tmp = workdir();
    let cat = plain_catalog(tmp.path(), "c.csv", 50);
    let out = tmp.path().join("out");
    score(&cat, &out, &[]);
    let s: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["catalog_bytes"], fs::metadata(&cat).unwrap().len());
    assert!(s["catalog_modified"].as_str().is_some());
}

#[test]
fn cr_only_line_ends_read_as_the_lf_file() {
    let tmp = workdir();
    let lf = plain_catalog(tmp.path(), "lf.csv", 40);
    let cr = tmp.path().join("cr.csv");
    fs::write(&cr, fs::read_to_string(&lf).unwrap().replace('\n', "\r")).unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    score(&lf, &a, &[]);
    let o = bin()
        .arg("score")
        .arg(&cr)
        .arg("-o")
        .arg(&b)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("lines end with CR alone"),
        "{}",
        stderr(&o)
    );
    for f in ["scores.csv", "milia-prone.csv", "rejects.csv"] {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn a_file_of_nul_bytes_is_one_short_error() {
    let tmp = workdir();
    let cat = tmp.path().join("crashed.csv");
    fs::write(&cat, vec![0u8; 3 << 20]).unwrap();
    let o = run(&cat, &tmp.path().join("out"), &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.len() < 400, "{} bytes: {err}", err.len());
    assert!(err.contains("not a text catalog"), "{err}");
    assert_eq!(err.matches('\n').count(), 1);
}

#[test]
fn a_huge_line_is_refused_at_its_line_without_reading_it_whole() {
    let tmp = workdir();
    let cat = tmp.path().join("huge.csv");
    let mut text = b"product_id,name,ingredients\n1,a,Aqua\n2,b,".to_vec();
    text.extend(std::iter::repeat_n(b'x', 40 << 20));
    text.extend_from_slice(b"\n3,c,Aqua\n");
    fs::write(&cat, text).unwrap();
    let o = run(&cat, &tmp.path().join("out"), &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("huge.csv: line 3, column `ingredients`: the row is longer than 4 MiB"),
        "{err}"
    );
    assert!(err.len() < 400);
}

#[test]
fn a_header_of_thousands_of_columns_gives_a_short_error() {
    let tmp = workdir();
    let cat = tmp.path().join("wide.csv");
    let header: Vec<String> = (0..5000).map(|i| format!("column number {i}")).collect();
    fs::write(
        &cat,
        format!("{}\n{}\n", header.join(","), vec!["x"; 5000].join(",")),
    )
    .unwrap();
    let o = run(&cat, &tmp.path().join("out"), &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.len() <= 1100, "{} bytes", err.len());
    assert!(err.contains("and 4970 more"), "{err}");
}

#[test]
fn a_nul_byte_in_a_cell_rejects_the_row_naming_line_and_column() {
    let tmp = workdir();
    let cat = tmp.path().join("c.csv");
    let mut text = String::from("product_id,name,ingredients\n");
    for i in 0..40 {
        text.push_str(&format!("p{i},Gel {i},Aqua\n"));
    }
    text.push_str("bad,Ge\0l,Aqua\n");
    fs::write(&cat, text).unwrap();
    let out = tmp.path().join("out");
    score(&cat, &out, &[]);
    let (_, rejects) = read_csv(&out.join("rejects.csv"));
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0][0], "42");
    assert_eq!(rejects[0][2], "name");
    assert!(rejects[0][3].contains("NUL byte"));
    for (name, bytes) in dir_files(&out) {
        assert!(!bytes.contains(&0), "{name} holds a NUL byte");
    }
}

#[test]
fn two_columns_of_one_name_are_an_error_unless_one_is_chosen_by_position() {
    let tmp = workdir();
    let cat = tmp.path().join("c.csv");
    fs::write(
        &cat,
        "product_id,name,ingredients,Ingredients\np1,Gel,\"Petrolatum, Mineral Oil\",\"Aqua, Glycerin\"\n",
    )
    .unwrap();
    let o = run(&cat, &tmp.path().join("out"), &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("columns 3 and 4 have the same name")
            && err.contains("--map ingredients=#3")
            && err.contains("--map ingredients=#4"),
        "{err}"
    );
    let out = tmp.path().join("out");
    score(&cat, &out, &["--map", "ingredients=#4"]);
    let s: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    let ing = s["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "ingredients")
        .unwrap();
    assert_eq!(ing["column"], "Ingredients");
    // The fourth column's list was scored: no petrolatum reason.
    let (_, rows) = read_csv(&out.join("milia-prone.csv"));
    assert!(
        !rows[0][4].to_lowercase().contains("petrolatum"),
        "{:?}",
        rows[0]
    );
}

#[test]
fn ids_equal_after_unicode_normalisation_are_duplicates() {
    let tmp = workdir();
    let cat = tmp.path().join("c.csv");
    fs::write(
        &cat,
        "product_id,name,ingredients\nros\u{e9}-toner,Rose Toner,Aqua\nrose\u{301}-toner,Rose Toner Again,Aqua\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    score(&cat, &out, &["--max-rejects", "50%"]);
    let (_, rejects) = read_csv(&out.join("rejects.csv"));
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0][0], "3");
    // The published id is the catalog's own, unchanged.
    assert_eq!(rejects[0][1], "rose\u{301}-toner");
    assert!(rejects[0][3].contains("first seen on line 2"));
}

#[test]
fn a_product_id_with_a_newline_cannot_forge_a_log_line() {
    let tmp = workdir();
    let cat = tmp.path().join("c.csv");
    let mut text = String::from("product_id,name,ingredients,handle\n");
    text.push_str("\"evil\nmilia-rank: error: forged\",Gel,Aqua,\n");
    for i in 0..30 {
        text.push_str(&format!("p{i},Gel {i},Aqua,gel-{i}\n"));
    }
    fs::write(&cat, text).unwrap();
    // --format shopify warns about the product without a handle, by id.
    let o = bin()
        .arg("score")
        .arg(&cat)
        .args(["--format", "shopify", "-o"])
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("evil\\nmilia-rank: error: forged"), "{err}");
    for line in err.lines().map(untimed) {
        assert!(line.starts_with("milia-rank: "), "{line:?}");
        assert!(!line.starts_with("milia-rank: error"), "{line:?}");
    }
}

#[test]
fn formula_cells_are_named_and_defused_only_where_asked() {
    let tmp = workdir();
    let cat = tmp.path().join("c.csv");
    let mut text = String::from("product_id,name,brand,ingredients\n");
    text.push_str("=1+2,Gel,=HYPERLINK(\"http://x\"),\"Aqua, Glycerin\"\n");
    text.push_str("@bad,,Brand,Aqua\n");
    for i in 0..30 {
        text.push_str(&format!("p{i},Gel {i},Brand,\"Aqua, Glycerin\"\n"));
    }
    fs::write(&cat, text).unwrap();
    let out = tmp.path().join("out");
    let err = score_log(&cat, &out, &[]);
    assert!(
        err.contains("3 catalog cells start with =, +, -, @")
            && err.contains("line 2, column `product_id`: `=1+2`"),
        "{err}"
    );
    let s: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["formula_cells"]["count"], 3);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Cells a spreadsheet would run"));
    assert!(html.contains("=HYPERLINK(&#34;http://x&#34;)"));
    // Without the option every file keeps the cells as they are.
    let (_, rows) = read_csv(&out.join("scores.csv"));
    assert_eq!(rows[0][0], "=1+2");
    let (_, rejects) = read_csv(&out.join("rejects.csv"));
    assert_eq!(rejects[0][1], "@bad");
    let plain_ranking = fs::read(out.join("milia-prone.csv")).unwrap();
    // With it, rejects.csv takes the leading ', a byte-order mark and CRLF
    // line ends (for Excel); the import files do not change.
    score(&cat, &out, &["--spreadsheet-safe"]);
    let raw = fs::read(out.join("rejects.csv")).unwrap();
    assert!(raw.starts_with("\u{feff}line,".as_bytes()));
    assert!(raw.ends_with(b"\r\n") && !raw.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'));
    assert!(fs::read(out.join("unknown-ingredients.csv"))
        .unwrap()
        .starts_with("\u{feff}".as_bytes()));
    assert!(!fs::read(out.join("scores.csv"))
        .unwrap()
        .starts_with("\u{feff}".as_bytes()));
    let (_, rejects) = read_csv(&out.join("rejects.csv"));
    assert_eq!(rejects[0][1], "'@bad");
    assert_eq!(
        fs::read(out.join("milia-prone.csv")).unwrap(),
        plain_ranking
    );
    let (_, rows) = read_csv(&out.join("scores.csv"));
    assert_eq!(rows[0][0], "=1+2");
    // A clean catalog has no such section and no such key.
    let clean = tmp.path().join("clean");
    score_sample(&clean);
    let s = fs::read_to_string(clean.join("summary.json")).unwrap();
    assert!(!s.contains("formula_cells"));
}

#[test]
fn a_catalog_read_from_a_pipe_path_is_not_taken_for_a_changed_file() {
    let tmp = workdir();
    let cat = plain_catalog(tmp.path(), "c.csv", 30);
    let out = tmp.path().join("out");
    // `<(...)` in a shell: a path that is a pipe, whose size says nothing.
    let o = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{}' score <(cat '{}') -q -o '{}'",
            assert_cmd::cargo::cargo_bin("milia-rank").display(),
            cat.display(),
            out.display()
        ))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, rows) = read_csv(&out.join("scores.csv"));
    assert_eq!(rows.len(), 30);
}
