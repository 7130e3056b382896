//! Helpers shared by the end-to-end tests: run the built binary in a
//! work folder and read what it wrote.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The binary under test.
pub fn bin() -> Command {
    Command::cargo_bin("milia-rank").expect("binary built")
}

/// A test's work folder: a temporary directory removed when the test
/// passes and kept when it fails, its path printed, so that the catalog,
/// the output and the log can be looked at after the fact.
pub struct WorkDir {
    dir: Option<tempfile::TempDir>,
}

/// A new work folder. Its name is neutral (`milia-rank-test-XXXX`): paths
/// show in the messages that tests read.
pub fn workdir() -> WorkDir {
    let dir = tempfile::Builder::new()
        .prefix("milia-rank-test-")
        .tempdir()
        .expect("a temporary directory");
    WorkDir { dir: Some(dir) }
}

impl WorkDir {
    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.as_ref().expect("present until dropped").path()
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let Some(dir) = self.dir.take() else { return };
        if std::thread::panicking() {
            let kept = dir.keep();
            let test = std::thread::current().name().unwrap_or("test").to_string();
            eprintln!("{test}: work folder kept: {}", kept.display());
        }
    }
}

/// ../shared/catalogs beside the repository. A test that needs it is
/// `#[ignore = ...]`d, so a fresh clone reports it as ignored rather than
/// passed; run on purpose without the data, it fails saying so.
pub fn shared_catalogs() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/catalogs");
    assert!(
        p.is_dir(),
        "{} is absent: this test needs the real catalogs",
        p.display()
    );
    p
}

/// Canonical header for hand-written catalogs.
pub const HEADER: &str = "product_id,name,brand,category,texture,area,spf,claims,ingredients,price";

/// Writes a catalog file made of the canonical header and `rows`.
pub fn catalog(dir: &Path, rows: &[&str]) -> PathBuf {
    let mut text = String::from(HEADER);
    text.push('\n');
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    let p = dir.join("catalog.csv");
    std::fs::write(&p, text).unwrap();
    p
}

/// Reads a CSV file into its header and rows.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// The rank (1-based) of a product in a concern file, if present.
pub fn rank_of(out: &Path, concern: &str, id: &str) -> Option<usize> {
    let (_, rows) = read_csv(&out.join(format!("{concern}.csv")));
    rows.iter()
        .find(|r| r[1] == id)
        .map(|r| r[0].parse().unwrap())
}

/// The score of a product in a concern file, if present.
pub fn score_of(out: &Path, concern: &str, id: &str) -> Option<f64> {
    let (_, rows) = read_csv(&out.join(format!("{concern}.csv")));
    rows.iter()
        .find(|r| r[1] == id)
        .map(|r| r[3].parse().unwrap())
}

/// Runs `score` on a catalog into `out` and asserts success.
pub fn score(catalog: &Path, out: &Path, extra: &[&str]) {
    bin()
        .arg("score")
        .arg(catalog)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(extra)
        .assert()
        .success();
}

/// Runs `score` on a catalog into `out` with its log (not `--quiet`),
/// asserts success and returns the log.
pub fn score_log(catalog: &Path, out: &Path, extra: &[&str]) -> String {
    let o = bin()
        .arg("score")
        .arg(catalog)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{log}");
    log
}

/// The concern slugs, in output order.
pub const CONCERNS: [&str; 6] = [
    "milia-prone",
    "eye-area",
    "sensitive",
    "baby",
    "post-procedure",
    "sun-care",
];

/// Every published file of a directory, by name, with its bytes (sorted
/// by name; the store `.milia-rank` is left out, its files are read
/// through the links).
pub fn dir_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name() != ".milia-rank")
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Runs `score` on the built-in sample into `out` and asserts success.
pub fn score_sample(out: &Path) {
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(out)
        .assert()
        .success();
}

/// A report.html without its one run-specific line (the element with id
/// `run-time`: the run's start time and the catalog's age then).
pub fn without_run_time(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    let lines: Vec<&str> = text.lines().collect();
    let marked = lines
        .iter()
        .filter(|l| l.contains("id=\"run-time\""))
        .count();
    assert_eq!(marked, 1, "report.html has one run-time line");
    lines
        .iter()
        .filter(|l| !l.contains("id=\"run-time\""))
        .flat_map(|l| l.bytes().chain([b'\n']))
        .collect()
}

/// The three real catalogs of ../shared/catalogs.
pub const REAL_CATALOGS: [&str; 3] = [
    "lookfantastic-skincare.csv",
    "sephora-cosmetics.csv",
    "sephora-skincare.csv",
];

/// The `--map` options each real catalog is scored with (docs/testing.md,
/// "Tests that need the real catalogs").
pub fn real_catalog_maps(file: &str) -> Vec<&'static str> {
    match file {
        "lookfantastic-skincare.csv" => vec![
            "--map",
            "product_id=product_name",
            "--map",
            "name=product_name",
            "--map",
            "category=product_type",
            "--map",
            "ingredients=clean_ingreds",
        ],
        "sephora-cosmetics.csv" => vec![
            "--map",
            "product_id=Name",
            "--map",
            "name=Name",
            "--map",
            "brand=Brand",
            "--map",
            "category=Label",
            "--map",
            "ingredients=Ingredients",
        ],
        "sephora-skincare.csv" => vec![
            "--map",
            "name=product_name",
            "--map",
            "brand=brand_name",
            "--map",
            "category=secondary_category",
            "--map",
            "price=price_usd",
        ],
        _ => unreachable!(),
    }
}

/// Every subcommand, in the order `--help` lists them.
pub const SUBCOMMANDS: [&str; 10] = [
    "score",
    "score-rows",
    "merge",
    "ingredients",
    "validate",
    "explain",
    "concerns",
    "generate",
    "completions",
    "man",
];

/// A log line without the RFC 3339 time that starts it when stderr is not
/// a terminal (as in every test): `2026-12-03T08:50:12Z milia-rank: ...`.
pub fn untimed(line: &str) -> &str {
    let b = line.as_bytes();
    let stamped = b.len() > 21
        && b[4] == b'-'
        && b[10] == b'T'
        && b[19] == b'Z'
        && b[20] == b' '
        && time::OffsetDateTime::parse(&line[..20], &time::format_description::well_known::Rfc3339)
            .is_ok();
    if stamped {
        &line[21..]
    } else {
        line
    }
}

/// Runs `score-rows` on a file (its standard input) into `part`, asserting
/// success.
pub fn score_rows(input: &Path, part: &Path, extra: &[&str]) {
    let o = bin()
        .arg("score-rows")
        .arg("-q")
        .args(extra)
        .pipe_stdin(input)
        .unwrap()
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(part, o.stdout).unwrap();
}

/// Runs `score` on the whole file read from standard input (as the parts
/// were), into `out`.
pub fn score_stdin(whole: &Path, out: &Path, extra: &[&str]) -> String {
    let o = bin()
        .args(["score", "-"])
        .arg("--out")
        .arg(out)
        .args(extra)
        .pipe_stdin(whole)
        .unwrap()
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{log}");
    log
}

/// Runs `merge` on `parts` into `out`; returns its status and log.
pub fn merge(parts: &[PathBuf], out: &Path, extra: &[&str]) -> (i32, String) {
    let o = bin()
        .arg("merge")
        .args(parts)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

/// summary.json without what is run-specific (the clock, the threads, the
/// bytes that spilled).
pub fn summary_of(bytes: &[u8]) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let o = v.as_object_mut().unwrap();
    for k in [
        "elapsed_seconds",
        "threads",
        "started_at",
        "timings",
        "spilled_bytes",
    ] {
        o.remove(k);
    }
    v
}

/// Asserts two published folders hold the same files, byte for byte (but
/// for summary.json's run-specific values and the report's run time).
pub fn assert_same_release(a: &Path, b: &Path, what: &str) {
    let (x, y) = (dir_files(a), dir_files(b));
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&x), names(&y), "{what}: the files");
    for ((name, p), (_, q)) in x.iter().zip(&y) {
        match name.as_str() {
            "summary.json" => assert_eq!(summary_of(p), summary_of(q), "{what}: {name}"),
            "report.html" => assert!(
                without_run_time(p) == without_run_time(q),
                "{what}: {name} differs"
            ),
            _ => assert!(p == q, "{what}: {name} differs"),
        }
    }
}
