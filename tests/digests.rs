//! The output of `score`, byte for byte, against checked-in SHA-256 digests
//! (tests/digests.txt): the built-in sample and a small generated catalog,
//! full and with `--top`, on 1, 2 and 8 threads. A change of output shows
//! here first; when it is meant (a model change), regenerate the file with
//!
//!     MILIA_UPDATE_DIGESTS=1 cargo test --test main digests
//!
//! and commit it with the change and its reason.

use std::fmt::Write as _;
use std::path::Path;

use crate::common::*;
use sha2::{Digest, Sha256};

const DIGESTS: &str = "tests/digests.txt";

/// Keys of summary.json that depend on the run or the file's location.
const RUN_SPECIFIC: [&str; 5] = [
    "elapsed_seconds",
    "threads",
    "started_at",
    "timings",
    "catalog",
];

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// `case/file digest` lines for every published file of `out`. summary.json
/// is digested without its run-specific keys; report.html without its one
/// run-time line, and with the catalog's path taken out.
fn digest_lines(case: &str, out: &Path, catalog: &str) -> Vec<String> {
    dir_files(out)
        .into_iter()
        .map(|(name, bytes)| {
            let bytes = match name.as_str() {
                "summary.json" => {
                    let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                    let o = v.as_object_mut().unwrap();
                    for k in RUN_SPECIFIC {
                        o.remove(k);
                    }
                    serde_json::to_vec_pretty(&v).unwrap()
                }
                "report.html" => String::from_utf8(without_run_time(&bytes))
                    .unwrap()
                    .replace(catalog, "CATALOG")
                    .into_bytes(),
                _ => bytes,
            };
            format!("{case}/{name} {}", hex(&bytes))
        })
        .collect()
}

#[test]
fn output_matches_the_checked_in_digests() {
    let tmp = tempfile::tempdir().unwrap();
    let generated = tmp.path().join("gen.csv");
    bin()
        .args(["generate", "--rows", "3000", "--seed", "5", "--out"])
        .arg(&generated)
        .assert()
        .success();
    // The report shows the catalog's modification time: make it fixed.
    std::fs::File::options()
        .write(true)
        .open(&generated)
        .unwrap()
        .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_790_000_000))
        .unwrap();
    let gen = generated.to_str().unwrap();
    let cases: [(&str, &[&str]); 5] = [
        ("sample", &["--sample", "--format", "shopify"]),
        ("sample-top3", &["--sample", "--top", "3"]),
        ("generated", &[gen, "--format", "shopify"]),
        ("generated-top10", &[gen, "--top", "10"]),
        ("generated-top0", &[gen, "--top", "0"]),
    ];
    let mut lines = Vec::new();
    for (case, args) in cases {
        let mut first: Option<Vec<String>> = None;
        for threads in ["1", "2", "8"] {
            let out = tmp.path().join(format!("{case}-{threads}"));
            bin()
                .arg("score")
                .args(args)
                .args(["-q", "-j", threads, "--out"])
                .arg(&out)
                .assert()
                .success();
            let catalog = if args[0] == gen { gen } else { "(none)" };
            let got = digest_lines(case, &out, catalog);
            match &first {
                None => first = Some(got),
                Some(f) => assert_eq!(f, &got, "{case}: {threads} threads differ from 1"),
            }
        }
        lines.extend(first.unwrap());
    }
    let text = format!(
        "# SHA-256 of each file `score` publishes (see tests/digests.rs); regenerate with\n\
         #   MILIA_UPDATE_DIGESTS=1 cargo test --test main digests\n{}\n",
        lines.join("\n")
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIGESTS);
    if std::env::var_os("MILIA_UPDATE_DIGESTS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    let want: Vec<&str> = want.lines().filter(|l| !l.starts_with('#')).collect();
    let got: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    let changed: Vec<String> = got
        .iter()
        .zip(want.iter().chain(std::iter::repeat(&"(missing)")))
        .filter(|(g, w)| g != w)
        .map(|(g, w)| format!("  got  {g}\n  want {w}"))
        .collect();
    assert!(
        changed.is_empty() && got.len() == want.len(),
        "output differs from {DIGESTS} ({} of {} files):\n{}\n\
         If the change is meant, regenerate with MILIA_UPDATE_DIGESTS=1 cargo test --test main digests",
        changed.len(),
        got.len(),
        changed.join("\n")
    );
}
