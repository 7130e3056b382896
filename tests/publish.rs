//! Publishing safely anywhere: files milia-rank did not write survive byte
//! for byte, odd output locations either work or fail before scoring, runs
//! that overlap or die are handled by the lock, and closed or full output
//! streams never crash the program.

use std::fs;
use std::io::{BufRead, BufReader, Write};
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

/// The binary's path, for commands run through `sh` or as another user.
fn exe() -> PathBuf {
    assert_cmd::cargo::cargo_bin("milia-rank")
}

/// A generated catalog of `rows` rows in `dir` (20000 rows take some
/// seconds to score: long enough to act while a run is publishing).
fn big_catalog(dir: &Path, rows: u32) -> PathBuf {
    let p = dir.join(format!("big-{rows}.csv"));
    bin()
        .args([
            "generate",
            "--rows",
            &rows.to_string(),
            "--seed",
            "1",
            "--out",
        ])
        .arg(&p)
        .assert()
        .success();
    p
}

/// A command run as the user `nobody` (group `nogroup`, 65534), where the
/// machine allows: the tests run as root and setpriv(1) exists.
fn as_nobody(program: &str) -> Option<Process> {
    // SAFETY: geteuid only reads the process's user id.
    let root = unsafe { libc::geteuid() } == 0;
    let setpriv = Process::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !root || !setpriv {
        eprintln!("skipped: running a command as a second user needs root and setpriv(1)");
        return None;
    }
    let mut p = Process::new("setpriv");
    p.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
        program,
    ]);
    Some(p)
}

/// The staging folders under `out`'s store.
fn stagings(out: &Path) -> Vec<PathBuf> {
    fs::read_dir(out.join(".milia-rank/releases"))
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with(".staging-")
                })
                .collect()
        })
        .unwrap_or_default()
}

fn one_error_line(stderr: &[u8]) -> String {
    let s = String::from_utf8_lossy(stderr).to_string();
    assert_eq!(s.lines().count(), 1, "one line: {s}");
    assert!(untimed(&s).starts_with("milia-rank: error: "), "{s}");
    s
}

#[test]
fn published_files_are_real_files_for_cp_tar_and_rsync() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    score_sample(&out);
    score_sample(&out);
    for c in CONCERNS {
        let name = format!("{c}.csv");
        let top = fs::symlink_metadata(out.join(&name)).unwrap();
        assert!(top.file_type().is_file(), "{name} is a real file");
        let rel = fs::metadata(out.join(".milia-rank/current").join(&name)).unwrap();
        assert_eq!((top.dev(), top.ino()), (rel.dev(), rel.ino()), "{name}");
    }
    let expected: Vec<(String, Vec<u8>)> = dir_files(&out)
        .into_iter()
        .filter(|(n, _)| n.ends_with(".csv"))
        .collect();
    let check = |dir: &Path, how: &str| {
        let got: Vec<(String, Vec<u8>)> = dir_files(dir)
            .into_iter()
            .filter(|(n, _)| n.ends_with(".csv"))
            .collect();
        assert_eq!(got, expected, "{how}");
        for (n, _) in &got {
            let m = fs::symlink_metadata(dir.join(n)).unwrap();
            assert!(m.file_type().is_file(), "{how}: {n} is a real file");
        }
    };
    let sh = |script: String| {
        let s = Process::new("sh").arg("-c").arg(&script).status().unwrap();
        assert!(s.success(), "{script}");
    };
    let import = tmp.path().join("import");
    fs::create_dir(&import).unwrap();
    sh(format!(
        "cp -a '{}'/*.csv '{}'/",
        out.display(),
        import.display()
    ));
    check(&import, "cp -a");
    let untarred = tmp.path().join("untarred");
    fs::create_dir(&untarred).unwrap();
    sh(format!(
        "cd '{}' && tar -cf '{}/x.tar' *.csv && tar -xf '{}/x.tar' -C '{}'",
        out.display(),
        tmp.path().display(),
        tmp.path().display(),
        untarred.display()
    ));
    check(&untarred, "tar");
    if Process::new("rsync").arg("--version").output().is_ok() {
        let synced = tmp.path().join("synced");
        sh(format!(
            "rsync -a --exclude .milia-rank '{}'/ '{}'/",
            out.display(),
            synced.display()
        ));
        check(&synced, "rsync -a");
    } else {
        eprintln!("skipped: rsync is not installed");
    }
}

#[test]
fn a_ranking_edited_in_place_is_refused_naming_it() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    score_sample(&out);
    // Saved in place (same file, new bytes), as some spreadsheets do.
    fs::OpenOptions::new()
        .append(true)
        .open(out.join("baby.csv"))
        .unwrap()
        .write_all(b"my,own,row\n")
        .unwrap();
    let before = tree(&out);
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("baby.csv")
                .and(predicate::str::contains(
                    "changed after milia-rank wrote it",
                ))
                .and(predicate::str::contains("move it aside (`mv ")),
        );
    assert_eq!(tree(&out), before);
    // The command the message gives resolves it: the user's copy is kept
    // aside, and the next run publishes.
    let run = bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr).to_string();
    let command = err
        .split("(`")
        .nth(1)
        .and_then(|rest| rest.split("`)").next())
        .unwrap_or_else(|| panic!("no command in: {err}"));
    assert!(command.starts_with("mv "), "{command}");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .status()
        .unwrap();
    assert!(status.success(), "{command}");
    let kept = fs::read_to_string(out.join("baby.csv.kept")).unwrap();
    assert!(kept.ends_with("my,own,row\n"));
    score_sample(&out);
    assert!(!fs::read_to_string(out.join("baby.csv"))
        .unwrap()
        .contains("my,own,row"));
    assert!(
        out.join("baby.csv.kept").exists(),
        "the user's copy is kept"
    );
}

#[test]
fn links_of_the_earlier_version_become_real_files() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    score_sample(&out);
    // The earlier version's DIR: each name a link into current/.
    for (name, _) in dir_files(&out) {
        fs::remove_file(out.join(&name)).unwrap();
        symlink(
            Path::new(".milia-rank/current").join(&name),
            out.join(&name),
        )
        .unwrap();
    }
    score_sample(&out);
    for (name, _) in dir_files(&out) {
        let m = fs::symlink_metadata(out.join(&name)).unwrap();
        assert!(m.file_type().is_file(), "{name}");
    }
}

#[test]
fn deleting_the_lock_does_not_admit_a_second_run() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    score_sample(&out);
    let big = big_catalog(tmp.path(), 20_000);
    let mut first = Process::new(exe())
        .arg("score")
        .arg(&big)
        .args(["-q", "--out"])
        .arg(&out)
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while stagings(&out).is_empty() {
        assert!(std::time::Instant::now() < deadline, "no staging folder");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let staging = stagings(&out).remove(0);
    // What a second run's message named before: the lock file. There is
    // none to delete now; the lock is held on the store folder itself.
    let _ = fs::remove_file(out.join(".milia-rank/lock"));
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("another milia-rank run"));
    assert!(staging.is_dir(), "the running night's staging folder stays");
    assert!(first.wait().unwrap().success());
}

#[test]
fn two_first_runs_into_a_new_dir_meet_at_the_lock() {
    let tmp = workdir();
    let big = big_catalog(tmp.path(), 20_000);
    let mut refused = 0;
    for i in 0..5 {
        let out = tmp.path().join(format!("new-{i}/shop/out"));
        let start = || {
            Process::new(exe())
                .arg("score")
                .arg(&big)
                .args(["-q", "--out"])
                .arg(&out)
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let mut runs = [start(), start()];
        // The first to end is the loser (or the winner of a run so quick
        // that the other never met it).
        let (first, status) = loop {
            if let Some((k, s)) = runs
                .iter_mut()
                .enumerate()
                .find_map(|(k, r)| r.try_wait().unwrap().map(|s| (k, s)))
            {
                break (k, s);
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        let mut err = String::new();
        std::io::Read::read_to_string(runs[first].stderr.as_mut().unwrap(), &mut err).unwrap();
        let other = &mut runs[1 - first];
        match status.code() {
            Some(1) => {
                assert!(
                    err.contains("another milia-rank run is publishing"),
                    "{err}"
                );
                refused += 1;
                let _ = other.kill();
                other.wait().unwrap();
            }
            Some(0) => {
                let s = other.wait().unwrap();
                assert!(matches!(s.code(), Some(0) | Some(1)), "{s:?}");
            }
            c => panic!("run {i}: exit {c:?}: {err}"),
        }
    }
    assert!(refused > 0, "the two runs never met");
}

#[test]
fn system_folders_are_refused_as_out() {
    let empty = "";
    for out in [
        format!("{empty}/"),
        "/etc/..".to_string(),
        "/usr/".to_string(),
        "/etc".to_string(),
    ] {
        bin()
            .args(["score", "--sample", "-q", "--out", &out])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "a system folder is never an output directory",
            ));
    }
}

#[test]
fn a_first_run_under_umask_077_leaves_the_store_readable() {
    let tmp = workdir();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::set_permissions(&out, fs::Permissions::from_mode(0o755)).unwrap();
    let run = || {
        let s = Process::new("sh")
            .arg("-c")
            .arg(format!(
                "umask 077; exec '{}' score --sample -q --out '{}'",
                exe().display(),
                out.display()
            ))
            .status()
            .unwrap();
        assert!(s.success());
    };
    let mode = |p: PathBuf| fs::metadata(&p).unwrap().mode() & 0o7777;
    run();
    // A store from before, left private by such a run, is opened up.
    fs::set_permissions(
        out.join(".milia-rank/releases"),
        fs::Permissions::from_mode(0o700),
    )
    .unwrap();
    run();
    let store = out.join(".milia-rank");
    assert_eq!(mode(store.clone()), 0o755);
    assert_eq!(mode(store.join("releases")), 0o755);
    assert_eq!(
        mode(fs::canonicalize(store.join("current")).unwrap()),
        0o755
    );
    assert_eq!(mode(store.join("current/milia-prone.csv")), 0o644);
    assert_eq!(mode(out.join("milia-prone.csv")), 0o644);
    // The shop's user reads both ways in.
    if let Some(mut cat) = as_nobody("cat") {
        let s = cat
            .arg(out.join("milia-prone.csv"))
            .arg(store.join("current/report.html"))
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(s.success(), "another user can read the output");
    }
}

#[test]
fn a_group_member_cannot_make_the_run_write_through_a_link() {
    let tmp = workdir();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    if as_nobody("true").is_none() {
        return;
    }
    // A shared 2770 folder of the group nogroup, which nobody belongs to.
    let out = tmp.path().join("shared");
    fs::create_dir(&out).unwrap();
    std::os::unix::fs::chown(&out, None, Some(65534)).unwrap();
    fs::set_permissions(&out, fs::Permissions::from_mode(0o2770)).unwrap();
    let victim = tmp.path().join("victim");
    fs::write(&victim, "root's file\n").unwrap();
    let nobody = |script: &str| {
        as_nobody("sh")
            .unwrap()
            .arg("-c")
            .arg(script)
            .current_dir(&out)
            .status()
            .unwrap()
            .success()
    };
    let v = victim.display().to_string();
    // A link in an output's place: refused before scoring.
    assert!(nobody(&format!("ln -s '{v}' summary.json")));
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("summary.json"));
    assert!(nobody("rm summary.json"));
    // A store of the member's own making, with milia-rank's mark: refused.
    let elsewhere = tmp.path().join("elsewhere");
    score_sample(&elsewhere);
    let owner = fs::read_to_string(elsewhere.join(".milia-rank/OWNER")).unwrap();
    fs::write(tmp.path().join("owner"), &owner).unwrap();
    assert!(nobody(&format!(
        "mkdir -p .milia-rank/releases && cp '{}' .milia-rank/OWNER && ln -s '{v}' .milia-rank/releases/.staging-1",
        tmp.path().join("owner").display()
    )));
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("belongs to another user"));
    assert!(nobody("rm -r .milia-rank"));
    score_sample(&out);
    // Inside the store, the member can plant nothing.
    assert!(!nobody(&format!(
        "ln -s '{v}' .milia-rank/releases/.staging-9 2>/dev/null"
    )));
    assert!(!nobody(&format!(
        "ln -s '{v}' .milia-rank/current.new-9 2>/dev/null"
    )));
    // A link under the side name a run uses while switching: refused.
    assert!(nobody(&format!("ln -s '{v}' .baby.csv.milia-rank-new")));
    bin()
        .args(["score", "--sample", "-q", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(".baby.csv.milia-rank-new"));
    assert!(nobody("rm .baby.csv.milia-rank-new"));
    score_sample(&out);
    assert_eq!(fs::read_to_string(&victim).unwrap(), "root's file\n");
    // The member reads the published files.
    assert!(nobody(
        "cat baby.csv .milia-rank/current/summary.json >/dev/null"
    ));
}

#[test]
fn a_file_size_limit_ends_with_exit_3_and_leaves_no_staging() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    score_sample(&out);
    let before = tree(&out);
    let big = big_catalog(tmp.path(), 20_000);
    let run = Process::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -f 100; exec '{}' score '{}' -q --out '{}'",
            exe().display(),
            big.display(),
            out.display()
        ))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(3), "{run:?}");
    let line = one_error_line(&run.stderr);
    assert!(line.contains("file too large (ulimit -f?)"), "{line}");
    assert_eq!(tree(&out), before);
}

#[test]
fn running_out_of_memory_ends_with_exit_3_and_leaves_no_staging() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    score_sample(&out);
    let big = big_catalog(tmp.path(), 20_000);
    let mut out_of_memory = 0;
    for kb in [60_000, 80_000, 100_000] {
        let before = tree(&out);
        let run = Process::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -v {kb}; exec '{}' score '{}' -q --out '{}'",
                exe().display(),
                big.display(),
                out.display()
            ))
            .output()
            .unwrap();
        match run.status.code() {
            Some(0) => continue,
            Some(3) => {
                let line = one_error_line(&run.stderr);
                if line.contains("out of memory") {
                    out_of_memory += 1;
                    // Stamped with the time like every other log line,
                    // though written without allocating.
                    assert_ne!(untimed(&line), line, "{line}");
                }
                assert!(stagings(&out).is_empty(), "ulimit -v {kb}: staging left");
                assert_eq!(tree(&out), before, "ulimit -v {kb}");
            }
            c => panic!("ulimit -v {kb}: exit {c:?}: {run:?}"),
        }
    }
    assert!(out_of_memory > 0, "no limit made the run run out of memory");
    // A first run that runs out of memory leaves no store behind.
    let first = tmp.path().join("first");
    fs::create_dir(&first).unwrap();
    let run = Process::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 100000; exec '{}' score '{}' -q --out '{}'",
            exe().display(),
            big.display(),
            first.display()
        ))
        .output()
        .unwrap();
    if run.status.code() == Some(3) {
        one_error_line(&run.stderr);
        assert!(dir_files(&first).is_empty() && !first.join(".milia-rank").exists());
    }
}

#[test]
fn a_thread_limit_ends_with_exit_3_before_publishing() {
    let tmp = workdir();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    // root is not held by RLIMIT_NPROC: the run is nobody's.
    let Some(mut first) = as_nobody(exe().to_str().unwrap()) else {
        return;
    };
    let home = tmp.path().join("nobody");
    fs::create_dir(&home).unwrap();
    std::os::unix::fs::chown(&home, Some(65534), Some(65534)).unwrap();
    let out = home.join("out");
    assert!(first
        .args(["score", "--sample", "-q", "--out"])
        .arg(&out)
        .status()
        .unwrap()
        .success());
    let before = tree(&out);
    let Some(mut limited) = as_nobody("prlimit") else {
        return;
    };
    let run = limited
        .arg("--nproc=2")
        .arg(exe())
        .args(["score", "--sample", "-q", "--threads", "4", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(3), "{run:?}");
    let line = one_error_line(&run.stderr);
    assert!(line.contains("thread limit"), "{line}");
    assert_eq!(tree(&out), before);
    // Limits that let the pool start but not the reader or the collector
    // thread: the same, or the run publishes.
    for n in 3..=8 {
        let before = tree(&out);
        let run = as_nobody("prlimit")
            .unwrap()
            .arg(format!("--nproc={n}"))
            .arg(exe())
            .args(["score", "--sample", "-q", "--threads", "4", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        match run.status.code() {
            Some(0) => {}
            Some(3) => {
                let line = one_error_line(&run.stderr);
                assert!(line.contains("thread limit"), "{line}");
                assert_eq!(tree(&out), before, "--nproc={n}");
            }
            c => panic!("--nproc={n}: exit {c:?}: {run:?}"),
        }
    }
}

#[test]
fn the_current_release_resolved_once_is_a_consistent_set() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    score_sample(&out);
    // What a consumer that needs the whole set does: resolve once.
    let release = fs::canonicalize(out.join(".milia-rank/current")).unwrap();
    let set = dir_files(&release);
    score_sample(&out);
    // The next run publishes beside it; the resolved set stays whole.
    assert_eq!(dir_files(&release), set);
    let now = fs::canonicalize(out.join(".milia-rank/current")).unwrap();
    assert_ne!(now, release);
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(release.join("MANIFEST.json")).unwrap()).unwrap();
    for f in manifest["files"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        let bytes = fs::metadata(release.join(name)).unwrap().len();
        assert_eq!(Some(bytes), f["bytes"].as_u64(), "{name}");
    }
    // Each of DIR's files is the new release's.
    for (name, bytes) in dir_files(&out) {
        assert_eq!(fs::read(now.join(&name)).unwrap(), bytes, "{name}");
    }
}
