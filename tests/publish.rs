//! Publishing safely anywhere: files milia-rank did not write survive byte
//! for byte, odd output locations either work or fail before scoring, runs
//! that overlap or die are handled by the lock, and closed or full output
//! streams never crash the program.

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};

use crate::common::*;
use assert_cmd::prelude::*;
use predicates::prelude::*;

/// Every entry under `dir`, recursively, hidden ones included: path, kind
/// and bytes (or link target).
fn tree(dir: &Path) -> Vec<(PathBuf, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for e in fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            let m = fs::symlink_metadata(&p).unwrap();
            if m.file_type().is_symlink() {
                out.push((
                    rel,
                    format!("link {}", fs::read_link(&p).unwrap().display()),
                ));
            } else if m.is_dir() {
                out.push((rel, format!("dir {:o}", m.permissions().mode())));
                walk(root, &p, out);
            } else {
                out.push((rel, String::from_utf8_lossy(&fs::read(&p).unwrap()).into()));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

/// A folder that is someone's project, with a `summary.json` of its own.
fn project(dir: &Path) {
    fs::create_dir_all(dir.join("data")).unwrap();
    fs::create_dir_all(dir.join(".git")).unwrap();
    fs::write(dir.join("summary.json"), "{\"loss\": 0.1}\n").unwrap();
    fs::write(dir.join("notes.txt"), "keep me\n").unwrap();
    fs::write(dir.join("data/x.csv"), "a,b\n1,2\n").unwrap();
    fs::write(dir.join(".git/config"), "[core]\n").unwrap();
}

#[test]
fn a_folder_with_a_foreign_summary_survives_byte_for_byte() {
    let tmp = workdir();
    let proj = tmp.path().join("proj");
    project(&proj);
    let before = tree(&proj);
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(&proj)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("proj/summary.json")
                .and(predicate::str::contains("did not write"))
                .and(predicate::function(|s: &str| s.lines().count() == 1)),
        );
    assert_eq!(tree(&proj), before);
    // `--out .` and `--out ..` from inside it are refused the same way.
    for (cwd, out) in [(proj.clone(), "."), (proj.join("data"), "..")] {
        bin()
            .current_dir(&cwd)
            .args(["score", "--sample", "-q", "--out", out])
            .assert()
            .code(2);
        assert_eq!(tree(&proj), before);
    }
}

#[test]
fn outputs_go_beside_other_files_which_are_kept() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    // A merchandiser's sub-folders of earlier runs, notes and the catalog.
    fs::create_dir_all(out.join("lookfantastic")).unwrap();
    fs::write(out.join("lookfantastic/milia-prone.csv"), "old\n").unwrap();
    fs::write(out.join("notes.txt"), "call the supplier\n").unwrap();
    let before = tree(&out);
    score_sample(&out);
    score_sample(&out);
    let after = tree(&out);
    for entry in &before {
        assert!(after.contains(entry), "{entry:?} changed or went");
    }
    let (h, rows) = read_csv(&out.join("milia-prone.csv"));
    assert_eq!(&h[..4], ["rank", "product_id", "name", "score"]);
    assert!(rows.len() > 50);
}

#[test]
fn a_published_file_replaced_by_the_user_is_not_overwritten() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    score_sample(&out);
    // Saved over by a spreadsheet program: now a plain file of the user's.
    fs::remove_file(out.join("baby.csv")).unwrap();
    fs::write(out.join("baby.csv"), "my edits\n").unwrap();
    // A link of someone else's in an output's place.
    fs::remove_file(out.join("sun-care.csv")).unwrap();
    symlink("/etc/hostname", out.join("sun-care.csv")).unwrap();
    let before = tree(&out);
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("baby.csv"));
    assert_eq!(tree(&out), before);
}

#[test]
fn odd_paths_publish_correctly() {
    let tmp = workdir();
    let real = tmp.path().join("real");
    fs::create_dir(&real).unwrap();
    let link = tmp.path().join("link");
    symlink(&real, &link).unwrap();
    // A link with a trailing slash, `dir/.`, and a name of 250 bytes.
    let long = tmp.path().join("l".repeat(250));
    for out in [
        format!("{}/", link.display()),
        format!("{}/.", real.display()),
        long.display().to_string(),
    ] {
        bin()
            .args(["score", "--sample", "-q", "--out", &out])
            .assert()
            .success();
        bin()
            .args(["score", "--sample", "-q", "--out", &out])
            .assert()
            .success();
        let (_, rows) = read_csv(&Path::new(&out).join("milia-prone.csv"));
        assert!(!rows.is_empty(), "{out}");
    }
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(real.join("summary.json").is_file());
}

#[test]
fn a_private_group_folder_keeps_its_mode_and_group() {
    let tmp = workdir();
    let out = tmp.path().join("shared");
    fs::create_dir(&out).unwrap();
    fs::set_permissions(&out, fs::Permissions::from_mode(0o2770)).unwrap();
    // A group other than ours, where the machine lets us (root).
    let _ = Process::new("chgrp").arg("daemon").arg(&out).status();
    let before = fs::metadata(&out).unwrap();
    score_sample(&out);
    score_sample(&out);
    let after = fs::metadata(&out).unwrap();
    assert_eq!(after.mode() & 0o7777, 0o2770);
    assert_eq!(after.gid(), before.gid());
    assert_eq!(
        after.ino(),
        before.ino(),
        "the folder itself is never replaced"
    );
    // The store takes DIR's mode without write for the group: members
    // read everything, only the run's user writes inside.
    let store = fs::metadata(out.join(".milia-rank")).unwrap();
    assert_eq!(store.mode() & 0o7777, 0o2750);
    assert_eq!(store.gid(), before.gid());
    let file = fs::metadata(out.join("milia-prone.csv")).unwrap();
    assert_eq!(file.mode() & 0o777, 0o640);
    assert_eq!(file.gid(), before.gid());
}

#[test]
fn a_second_run_fails_fast_on_the_lock_or_waits_for_it() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    score_sample(&out);
    let store = out.join(".milia-rank");
    // Another run holds the lock on the store folder (flock(1) takes the
    // same kind of lock).
    let hold = |secs: u32| {
        Process::new("sh")
            .arg("-c")
            .arg(format!(
                "exec 9<'{}' && flock 9 && exec sleep {secs}",
                store.display()
            ))
            .spawn()
            .expect("flock(1) runs")
    };
    let mut holder = hold(30);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let before = tree(&out);
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(&out)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("another milia-rank run")
                .and(predicate::str::contains("--wait")),
        );
    assert_eq!(tree(&out), before);
    holder.kill().unwrap();
    holder.wait().unwrap();
    let mut short = hold(1);
    std::thread::sleep(std::time::Duration::from_millis(200));
    bin()
        .args(["score", "--sample", "-q", "--wait", "--out"])
        .arg(&out)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .success();
    short.wait().unwrap();
}

#[test]
fn staging_of_a_dead_run_in_another_pid_namespace_is_cleaned() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    score_sample(&out);
    // PID 1 exists here too: a PID says nothing across containers.
    let dead = out.join(".milia-rank/releases/.staging-1");
    fs::create_dir(&dead).unwrap();
    fs::write(dead.join("scores.csv"), "half").unwrap();
    // A sibling whose name only looks like milia-rank's is not touched.
    let sibling = tmp.path().join(".out.staging-1");
    fs::create_dir(&sibling).unwrap();
    score_sample(&out);
    assert!(!dead.exists());
    assert!(sibling.exists());
}

#[test]
fn checks_fail_before_scoring_and_leave_nothing() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    bin()
        .args(["score", "--sample", "-q", "--threads", "100000", "--out"])
        .arg(&out)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--threads 100000"));
    for slug in ["scores", "summary", "rejects", &"x".repeat(300)] {
        let profiles = tmp.path().join("p.toml");
        fs::write(
            &profiles,
            format!("[[concern]]\nslug = \"{slug}\"\nbase = 50\n[concern.eligibility]\nareas = [\"face\"]\n"),
        )
        .unwrap();
        bin()
            .args(["score", "--sample", "-q", "--concerns-file"])
            .arg(&profiles)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(&slug[..slug.len().min(20)]));
    }
    assert!(!out.exists(), "nothing was created");
    // An output path that is a file, or a link to nothing.
    let file = tmp.path().join("file");
    fs::write(&file, "x").unwrap();
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(&file)
        .assert()
        .code(3);
    assert_eq!(fs::read(&file).unwrap(), b"x");
    let dangling = tmp.path().join("dangling");
    symlink(tmp.path().join("nowhere"), &dangling).unwrap();
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(&dangling)
        .assert()
        .code(3);
}

/// A tmpfs mounted at `dir` for the test's life, where the machine allows.
struct Mount(PathBuf);

impl Mount {
    fn new(dir: &Path, options: &str) -> Option<Mount> {
        fs::create_dir_all(dir).unwrap();
        let ok = Process::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ok {
            Some(Mount(dir.to_path_buf()))
        } else {
            eprintln!("skipped: this machine does not allow mounting a tmpfs");
            None
        }
    }

    fn remount(&self, options: &str) {
        assert!(Process::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.0)
            .status()
            .unwrap()
            .success());
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Process::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_mount_point_is_published_into_and_a_read_only_one_fails_first() {
    let tmp = workdir();
    let out = tmp.path().join("volume");
    let Some(mount) = Mount::new(&out, "size=16m") else {
        return;
    };
    score_sample(&out);
    score_sample(&out);
    let (_, rows) = read_csv(&out.join("milia-prone.csv"));
    assert!(!rows.is_empty());
    let before = tree(&out);
    mount.remount("ro");
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(&out)
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("read-only")
                .and(predicate::function(|s: &str| s.lines().count() == 1)),
        );
    assert_eq!(tree(&out), before);
    mount.remount("rw");
}

#[test]
fn a_disk_too_small_fails_before_scoring_and_keeps_yesterday() {
    let tmp = workdir();
    let out = tmp.path().join("small");
    let Some(_mount) = Mount::new(&out, "size=4m") else {
        return;
    };
    score_sample(&out);
    let before = tree(&out);
    let big = tmp.path().join("big.csv");
    bin()
        .args(["generate", "--rows", "20000", "--seed", "1", "--out"])
        .arg(&big)
        .assert()
        .success();
    let started = std::time::Instant::now();
    bin()
        .arg("score")
        .arg(&big)
        .args(["--out"])
        .arg(&out)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("MB free").and(predicate::str::contains("scoring").not()));
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(tree(&out), before);
}

#[test]
fn a_closed_stdout_ends_quietly_with_status_0() {
    let tmp = workdir();
    // Enough output to fill a pipe: one finding per bad row.
    let rows: Vec<String> = (0..20_000)
        .map(|i| format!(",Name {i},B,moisturiser,gel,face,,,Aqua,1"))
        .collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let cat = catalog(tmp.path(), &refs);
    for args in [vec!["validate"], vec!["ingredients", "--limit", "100000"]] {
        let exe = assert_cmd::cargo::cargo_bin("milia-rank");
        let mut child = Process::new(exe)
            .args(&args)
            .arg(&cat)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        // The reader goes away, as `| head -1` does.
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if args[0] == "validate" {
            // validate's own status says the catalog has problems.
            assert!(
                matches!(out.status.code(), Some(0) | Some(1)),
                "{args:?}: {stderr}"
            );
        } else {
            assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        }
        assert!(
            !stderr.contains("Broken pipe") && !stderr.contains("panicked"),
            "{stderr}"
        );
    }
}

#[test]
fn a_full_stdout_is_an_io_error_and_a_closed_or_full_stderr_never_stops_a_run() {
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let exe = assert_cmd::cargo::cargo_bin("milia-rank");
    Process::new(&exe)
        .args(["concerns", "--dump"])
        .stdout(full)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("stdout: no space left on device"));
    let tmp = workdir();
    let out = tmp.path().join("out");
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    Process::new(&exe)
        .args(["score", "--sample", "--out"])
        .arg(&out)
        .stderr(full)
        .assert()
        .success();
    assert!(out.join("milia-prone.csv").is_file());
    // stderr closed altogether (`2>&-`): nothing of the log lands in a file.
    let out2 = tmp.path().join("out2");
    let status = Process::new("sh")
        .arg("-c")
        .arg(format!(
            "exec 2>&-; exec '{}' score --sample --out '{}'",
            exe.display(),
            out2.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let html = fs::read_to_string(out2.join("report.html")).unwrap();
    assert!(!html.contains("milia-rank: scoring"));
    let owner = fs::read_to_string(out2.join(".milia-rank/OWNER")).unwrap();
    assert!(
        !owner.contains("milia-rank: "),
        "log lines went into the store"
    );
}
