//! Same input, same output, byte for byte, whatever the thread count; and a
//! run killed mid-way leaves the published output exactly as it was.

use std::fs;
use std::path::Path;
use std::process::Command as Process;
use std::time::{Duration, Instant};

use crate::common::*;

/// Every file of an output directory but summary.json, whose elapsed time,
/// start time and thread count are run-specific by design; report.html
/// without its one run-time line (when the run started).
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    dir_files(dir)
        .into_iter()
        .filter(|(n, _)| n != "summary.json")
        .map(|(n, b)| {
            if n == "report.html" {
                (n, without_run_time(&b))
            } else {
                (n, b)
            }
        })
        .collect()
}

fn summary_without_run_values(dir: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("elapsed_seconds");
    o.remove("threads");
    o.remove("started_at");
    o.remove("timings");
    v
}

#[test]
fn output_is_identical_for_1_2_and_8_threads_and_across_runs() {
    let tmp = workdir();
    let generated = tmp.path().join("gen.csv");
    bin()
        .args(["generate", "--rows", "5000", "--seed", "11", "--out"])
        .arg(&generated)
        .assert()
        .success();
    for (name, catalog) in [("sample", None), ("generated", Some(&generated))] {
        let mut outs = Vec::new();
        for (i, threads) in ["1", "2", "8", "2"].iter().enumerate() {
            let out = tmp.path().join(format!("{name}-{i}"));
            let mut cmd = bin();
            cmd.arg("score");
            match catalog {
                Some(c) => cmd.arg(c),
                None => cmd.arg("--sample"),
            };
            cmd.args(["-q", "--format", "shopify", "--threads", threads, "--out"])
                .arg(&out)
                .assert()
                .success();
            outs.push(out);
        }
        let first = files(&outs[0]);
        assert!(first.len() >= 11, "{name}: {} files", first.len());
        for o in &outs[1..] {
            assert!(
                files(o) == first,
                "{name}: {} differs from {}",
                o.display(),
                outs[0].display()
            );
            assert_eq!(
                summary_without_run_values(o),
                summary_without_run_values(&outs[0])
            );
        }
    }
}

#[test]
fn a_run_killed_mid_way_leaves_the_published_output_intact() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    // Yesterday's output: the sample catalog.
    score_sample(&out);
    let before = files(&out);
    let summary_before = fs::read(out.join("summary.json")).unwrap();

    // Today's run on a large catalog, killed with SIGKILL while it writes.
    let big = tmp.path().join("big.csv");
    bin()
        .args(["generate", "--rows", "60000", "--seed", "3", "--out"])
        .arg(&big)
        .assert()
        .success();
    let exe = assert_cmd::cargo::cargo_bin("milia-rank");
    let mut child = Process::new(exe)
        .arg("score")
        .arg(&big)
        .args(["-q", "--threads", "2", "--out"])
        .arg(&out)
        .spawn()
        .unwrap();
    // Wait until the run is writing into its staging directory.
    let deadline = Instant::now() + Duration::from_secs(60);
    let releases = out.join(".milia-rank/releases");
    let staging = loop {
        let found = fs::read_dir(&releases)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(".staging-")
            });
        if let Some(dir) = found {
            if fs::metadata(dir.join("scores.csv"))
                .map(|m| m.len() > 50_000)
                .unwrap_or(false)
            {
                break dir;
            }
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be killed"
        );
        assert!(Instant::now() < deadline, "no staging output appeared");
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    assert_eq!(files(&out), before, "published files changed");
    assert_eq!(fs::read(out.join("summary.json")).unwrap(), summary_before);
    assert!(
        staging.exists(),
        "the killed run's staging directory is left"
    );

    // The next run publishes and removes the dead run's staging directory;
    // its rankings are yesterday's (its report now also compares with it).
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(!staging.exists());
    let csvs = |v: Vec<(String, Vec<u8>)>| -> Vec<(String, Vec<u8>)> {
        v.into_iter().filter(|(n, _)| n.ends_with(".csv")).collect()
    };
    assert_eq!(csvs(files(&out)), csvs(before));
}
