//! Catalogs as exports come: UTF-16 and Windows-1252 text, gzip and zstd
//! files, archives that are no CSV, and other delimiters, read without
//! options and said in the log and summary.json.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::common::*;
use predicates::prelude::*;

const ROWS: [&str; 3] = [
    "E1,Crème Légère Gel,Estée Lumen,Moisturiser,gel,face,,,\"Aqua, Glycerin, Niacinamide\",12",
    "E2,Baume Riche,Estée Lumen,Moisturiser,balm,face,,,\"Petrolatum, Paraffinum Liquidum, Lanolin\",19",
    "E3,Gesichtsfluid LSF 30,Haut,Sunscreen,fluid,face,,,\"Aqua, Zinc Oxide, Glycerin\",15",
];

fn text() -> String {
    let mut t = format!("{HEADER}\n");
    for r in ROWS {
        t.push_str(r);
        t.push('\n');
    }
    t
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, bytes).unwrap();
    p
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

/// Scores `bytes` and asserts the rankings equal those of the UTF-8 file.
fn same_as_utf8(tmp: &Path, name: &str, bytes: &[u8], extra: &[&str]) -> serde_json::Value {
    let reference = tmp.join("reference");
    if !reference.exists() {
        let utf8 = write(tmp, "utf8.csv", text().as_bytes());
        score(&utf8, &reference, &[]);
    }
    let cat = write(tmp, name, bytes);
    let out = tmp.join(format!("out-{name}"));
    score(&cat, &out, extra);
    for f in ["scores.csv".to_string()]
        .into_iter()
        .chain(CONCERNS.iter().map(|c| format!("{c}.csv")))
    {
        assert_eq!(
            String::from_utf8(fs::read(out.join(&f)).unwrap()).unwrap(),
            String::from_utf8(fs::read(reference.join(&f)).unwrap()).unwrap(),
            "{name}: {f}"
        );
    }
    summary(&out)
}

#[test]
fn utf16_with_a_byte_order_mark_is_read() {
    let tmp = workdir();
    let mut le = vec![0xff, 0xfe];
    le.extend(text().encode_utf16().flat_map(|u| u.to_le_bytes()));
    let s = same_as_utf8(tmp.path(), "le.csv", &le, &[]);
    assert_eq!(s["input"]["encoding"], "UTF-16LE");
    assert_eq!(s["input"]["encoding_from"], "byte-order mark");
    let mut be = vec![0xfe, 0xff];
    be.extend(text().encode_utf16().flat_map(|u| u.to_be_bytes()));
    let s = same_as_utf8(tmp.path(), "be.csv", &be, &[]);
    assert_eq!(s["input"]["encoding"], "UTF-16BE");
    // A UTF-8 byte-order mark is dropped, not part of the first header.
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(text().as_bytes());
    let s = same_as_utf8(tmp.path(), "bom.csv", &bom, &[]);
    assert_eq!(s["input"]["encoding"], "UTF-8");
}

#[test]
fn windows_1252_is_converted_with_a_note() {
    let tmp = workdir();
    let t = text();
    let (cp, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&t);
    assert!(!unmappable);
    let s = same_as_utf8(tmp.path(), "cp.csv", &cp, &[]);
    assert_eq!(s["input"]["encoding"], "windows-1252");
    assert!(
        s["input"]["notes"][0]
            .as_str()
            .unwrap()
            .contains("not valid UTF-8 (first on line 2): read as Windows-1252"),
        "{s}"
    );
    let cat = tmp.path().join("cp.csv");
    bin()
        .arg("score")
        .arg(&cat)
        .arg("-o")
        .arg(tmp.path().join("logged"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "milia-rank: reading windows-1252 (not valid UTF-8), delimiter `,` (header line); the file is not valid UTF-8",
        ));
}

#[test]
fn encoding_option_overrides_the_detection() {
    let tmp = workdir();
    let cat = write(tmp.path(), "u.csv", text().as_bytes());
    let out = tmp.path().join("out");
    score(&cat, &out, &["--encoding", "windows-1252"]);
    let (_, rows) = read_csv(&out.join("scores.csv"));
    assert_eq!(rows[0][1], "CrÃ¨me LÃ©gÃ¨re Gel", "read as told");
    assert_eq!(summary(&out)["input"]["encoding_from"], "--encoding");
    bin()
        .args(["validate", "--encoding", "klingon"])
        .arg(&cat)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`klingon` is not an encoding name",
        ));
}

#[test]
fn gzip_and_zstd_files_are_read_as_they_are() {
    let tmp = workdir();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text().as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let s = same_as_utf8(tmp.path(), "c.csv.gz", &gz, &[]);
    assert_eq!(s["input"]["compression"], "gzip");
    let zst = ruzstd::encoding::compress_to_vec(
        text().as_bytes(),
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    let s = same_as_utf8(tmp.path(), "c.csv.zst", &zst, &[]);
    assert_eq!(s["input"]["compression"], "zstd");
    // Two files compressed apart and joined (`cat a.zst b.zst`): both frames.
    let t = text();
    let (first, second) = t.split_at(t.find("E2,").unwrap());
    let mut joined = Vec::new();
    for part in [first, second] {
        joined.extend(ruzstd::encoding::compress_to_vec(
            part.as_bytes(),
            ruzstd::encoding::CompressionLevel::Fastest,
        ));
    }
    same_as_utf8(tmp.path(), "joined.csv.zst", &joined, &[]);
    // gzip on standard input, and a gzip of a Windows-1252 file.
    let out = tmp.path().join("stdin");
    bin()
        .args(["score", "-", "-q", "-o"])
        .arg(&out)
        .write_stdin(gz.clone())
        .assert()
        .success();
    assert_eq!(
        fs::read(out.join("milia-prone.csv")).unwrap(),
        fs::read(tmp.path().join("reference/milia-prone.csv")).unwrap()
    );
    let t = text();
    let (cp, _, _) = encoding_rs::WINDOWS_1252.encode(&t);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&cp).unwrap();
    let s = same_as_utf8(tmp.path(), "cp.csv.gz", &gz.finish().unwrap(), &[]);
    assert_eq!(s["input"]["encoding"], "windows-1252");
}

#[test]
fn a_corrupt_gzip_names_the_file_the_line_and_the_compression() {
    let tmp = workdir();
    let mut body = text();
    for i in 0..3000 {
        body.push_str(&format!(
            "F{i},Fluid {i},B,Serum,fluid,face,,,\"Aqua, Glycerin\",9\n"
        ));
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(body.as_bytes()).unwrap();
    let mut gz = gz.finish().unwrap();
    let cut = gz.len() * 2 / 3;
    gz.truncate(cut);
    let cat = write(tmp.path(), "cut.csv.gz", &gz);
    bin()
        .arg("score")
        .arg(&cat)
        .args(["-q", "-o"])
        .arg(tmp.path().join("out"))
        .assert()
        .code(3)
        .stderr(
            predicate::str::is_match(
                r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ milia-rank: error: .*cut\.csv\.gz: line \d+: gzip data is corrupt",
            )
            .unwrap(),
        );
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn archives_that_are_no_csv_are_refused_by_name() {
    let tmp = workdir();
    for (name, bytes, what) in [
        (
            "book.xlsx",
            b"PK\x03\x04\x14\x00\x06\x00rest".to_vec(),
            "a ZIP archive (an .xlsx workbook",
        ),
        (
            "c.csv.bz2",
            b"BZh91AY&SY....".to_vec(),
            "bzip2-compressed data",
        ),
        (
            "c.csv.xz",
            b"\xfd7zXZ\x00\x00\x04".to_vec(),
            "xz-compressed data",
        ),
        (
            "old.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".to_vec(),
            "an Excel 97-2003 workbook",
        ),
    ] {
        let cat = write(tmp.path(), name, &bytes);
        bin()
            .arg("validate")
            .arg(&cat)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!("{name}: this is {what}")));
    }
}

#[test]
fn errors_never_print_raw_control_bytes() {
    let tmp = workdir();
    // UTF-16 read as UTF-8 on purpose: the header is full of NUL bytes.
    let mut le = vec![0xff, 0xfe];
    le.extend(
        "sku\u{1b}[31m,title\n1,x\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    let cat = write(tmp.path(), "w.csv", &le);
    let out = bin()
        .args(["validate", "--encoding", "utf-8"])
        .arg(&cat)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let body = err.strip_suffix('\n').unwrap();
    assert!(!body.contains('\n'), "one line: {err:?}");
    assert!(!body.chars().any(|c| c.is_control()), "{err:?}");
    // Forced to UTF-8, the NUL bytes of UTF-16 make it no text catalog.
    assert!(body.contains("NUL bytes"), "{err:?}");
    // Detected as UTF-16 it reads, and the escape in the header is shown escaped.
    bin()
        .arg("validate")
        .arg(&cat)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`sku\\x1B[31m`, `title`"));
    // The log's column line shows a header with an escape escaped too.
    let cat = write(
        tmp.path(),
        "esc.csv",
        format!("{}\n{}\n", HEADER.replace("name", "name\u{1b}[2J"), ROWS[0]).as_bytes(),
    );
    let out = bin()
        .args(["score", "--map", "name=name\u{1b}[2J", "-o"])
        .arg(tmp.path().join("esc-out"))
        .arg(&cat)
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("name <- `name\\x1B[2J` (--map)"), "{err}");
    assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
}

#[test]
fn the_delimiter_is_read_from_the_header_line_unless_given() {
    let tmp = workdir();
    for (d, name) in [(";", "semi"), ("\t", "tab"), ("|", "pipe")] {
        // Commas stay inside the quoted ingredient lists.
        let body = text()
            .lines()
            .map(|l| {
                let mut out = String::new();
                let mut quoted = false;
                for c in l.chars() {
                    match c {
                        '"' => {
                            quoted = !quoted;
                            out.push(c)
                        }
                        ',' if !quoted => out.push_str(d),
                        c => out.push(c),
                    }
                }
                out + "\n"
            })
            .collect::<String>();
        let s = same_as_utf8(tmp.path(), &format!("{name}.csv"), body.as_bytes(), &[]);
        assert_eq!(s["input"]["delimiter_from"], "header line");
        assert_eq!(
            s["input"]["delimiter"],
            if d == "\t" { "tab" } else { d },
            "{name}"
        );
        if name == "semi" {
            let cat = tmp.path().join("semi.csv");
            bin()
                .arg("score")
                .arg(&cat)
                .arg("-o")
                .arg(tmp.path().join("semi-logged"))
                .assert()
                .success()
                .stderr(predicate::str::contains("delimiter `;` (header line)"));
            // The explicit option wins, right or wrong.
            bin()
                .arg("validate")
                .arg(&cat)
                .args(["-d", ","])
                .assert()
                .code(1)
                .stderr(predicate::str::contains(
                    "missing required column `product_id`",
                ))
                .stderr(predicate::str::contains("`product_id;name;brand;"));
        }
    }
}
