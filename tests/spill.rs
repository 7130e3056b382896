//! A full ranking past `--memory-limit` is sorted in runs on disk and
//! merged: the published files are byte-identical to a ranking held in
//! memory, and the runs never outlive the run (nor live outside DIR's
//! store), even when it is killed.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::*;

/// Every file under `dir`, as paths relative to it.
fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn generated(dir: &Path, rows: u32) -> PathBuf {
    let cat = dir.join("gen.csv");
    bin()
        .args(["generate", "--rows", &rows.to_string(), "--seed", "5", "-o"])
        .arg(&cat)
        .assert()
        .success();
    cat
}

#[test]
fn a_spilled_ranking_is_byte_identical_and_leaves_no_run_file() {
    let tmp = workdir();
    let cat = generated(tmp.path(), 6000);
    let (mem, disk) = (tmp.path().join("mem"), tmp.path().join("disk"));
    score(&cat, &mem, &[]);
    let o = bin()
        .arg("score")
        .arg(&cat)
        .args(["--memory-limit", "16", "-j", "2", "-o"])
        .arg(&disk)
        .output()
        .unwrap();
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("were sorted in runs on disk and merged"),
        "{err}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(disk.join("summary.json")).unwrap()).unwrap();
    assert!(summary["spilled_bytes"].as_u64().unwrap() > 1 << 20);
    let a = dir_files(&mem);
    let b = dir_files(&disk);
    assert_eq!(a.len(), b.len());
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        match name.as_str() {
            "summary.json" => {}
            "report.html" => assert!(
                without_run_time(x) == without_run_time(y),
                "report.html differs"
            ),
            _ => assert!(x == y, "{name} differs"),
        }
    }
    // Nothing but the published release is left in the store, and nothing
    // at all outside DIR.
    for f in all_files(&disk) {
        let s = f.to_string_lossy();
        assert!(!s.contains("sorted-runs") && !s.contains(".staging"), "{s}");
    }
    let top: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    let mut top = top;
    top.sort();
    assert_eq!(top, ["disk", "gen.csv", "mem"]);
}

#[test]
fn runs_of_a_killed_ranking_are_removed_by_the_next_run() {
    let tmp = workdir();
    let cat = generated(tmp.path(), 20000);
    let out = tmp.path().join("out");
    score_sample(&out);
    let before = dir_files(&out);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("milia-rank"))
        .arg("score")
        .arg(&cat)
        .args(["--memory-limit", "16", "-q", "--max-shrink", "100%", "-o"])
        .arg(&out)
        .spawn()
        .unwrap();
    let releases = out.join(".milia-rank").join("releases");
    let spilled = || {
        all_files(&releases)
            .iter()
            .any(|f| f.to_string_lossy().contains("sorted-runs"))
    };
    let began = Instant::now();
    while !spilled() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it spilled"
        );
        assert!(began.elapsed() < Duration::from_secs(120));
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(spilled(), "the killed run left its runs");
    assert_eq!(dir_files(&out), before, "the published files are intact");
    score_sample(&out);
    assert!(!spilled(), "the next run removed them");
}
