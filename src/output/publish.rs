//! Publishing the output directory safely.
//!
//! milia-rank never replaces or empties the output directory DIR itself: it
//! may be a mount point, a symlink, a folder baked into an image or a
//! folder that holds other people's files. Everything milia-rank owns
//! lives in one hidden store inside DIR, and the published names are
//! symlinks into it:
//!
//! ```text
//! DIR/
//!   milia-prone.csv -> .milia-rank/current/milia-prone.csv   (one link per output file)
//!   .milia-rank/
//!     OWNER              marks the store as milia-rank's
//!     lock               held (flock) for the whole run
//!     current -> releases/run-000042
//!     releases/run-000041/   yesterday (kept for the comparison, see --keep)
//!     releases/run-000042/   today: every file of the run and its MANIFEST.json
//!     releases/.staging-…    a run in progress
//! ```
//!
//! A run writes every file into a staging folder in the store, flushes
//! them, renames the folder to a release, and then switches `current` with
//! one atomic rename. A reader of `DIR/<file>` sees yesterday's complete set
//! or today's, never a mix. The rules of ownership:
//! - a file milia-rank did not write is never deleted, replaced or changed:
//!   a top-level name is replaced only when it is already a link of exactly
//!   the form `.milia-rank/current/<name>`; anything else in its place
//!   stops the run before scoring (exit 2, naming it);
//! - inside the store, only entries whose names milia-rank gives (releases
//!   with a MANIFEST.json naming milia-rank, staging folders) are removed;
//! - a second run into the same DIR fails fast on the lock (or waits with
//!   `--wait`); a staging folder found while holding the lock belongs to a
//!   dead run (whatever its PID namespace) and is removed.
//!
//! Everything that can be checked is checked in [`Staging::create`], before
//! the catalog is scored.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The file that marks a directory as a published output.
pub const MARKER: &str = "summary.json";
/// The hidden store inside DIR.
pub const STORE: &str = ".milia-rank";
/// The file that marks the store as milia-rank's.
const OWNER: &str = "OWNER";
const OWNER_TEXT: &str =
    "milia-rank output store: files here are written and removed by milia-rank; \
DIR/<file> links point into current/.\n";
const LOCK: &str = "lock";
const CURRENT: &str = "current";
const RELEASES: &str = "releases";
const STAGING_PREFIX: &str = ".staging-";
const RELEASE_PREFIX: &str = "run-";
/// The manifest of a release.
pub const MANIFEST: &str = "MANIFEST.json";

/// What a run's publishing needs to know before the work.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The file names the run will publish (checked for collisions now).
    pub files: Vec<String>,
    /// Releases kept after a publish, today's included (at least 1).
    pub keep: usize,
    /// Wait for another run's lock instead of failing.
    pub wait: bool,
    /// A rough upper bound of the bytes the run will write (0: unknown).
    pub need_bytes: u64,
}

/// The manifest written into each release.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `milia-rank`.
    pub tool: String,
    /// The version that wrote the release.
    pub version: String,
    /// The release's folder name.
    pub release: String,
    /// Every published file and its size.
    pub files: Vec<ManifestFile>,
}

/// One file of a release.
#[derive(Debug, Serialize, Deserialize)]
pub struct ManifestFile {
    pub name: String,
    pub bytes: u64,
}

/// A run's staging folder, holding the output directory's lock.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    store: PathBuf,
    dir: PathBuf,
    previous: Option<PathBuf>,
    keep: usize,
    /// The folders this run created for DIR, DIR last (removed again, if
    /// still empty, when nothing is published).
    created_target: Vec<PathBuf>,
    created_store: bool,
    published: bool,
    // Held until the run ends; the kernel releases it if the process dies.
    _lock: File,
}

fn io_msg(path: &Path, message: impl Into<String>) -> Error {
    Error::unusable(path, message, None)
}

/// The link target a published name must have to be milia-rank's.
fn link_target(name: &str) -> PathBuf {
    Path::new(STORE).join(CURRENT).join(name)
}

/// What stands at `DIR/<name>`.
enum Slot {
    Free,
    Ours,
    Foreign(&'static str),
}

fn slot(dir: &Path, name: &str) -> Slot {
    let path = dir.join(name);
    match fs::symlink_metadata(&path) {
        Err(_) => Slot::Free,
        Ok(m) if m.file_type().is_symlink() => match fs::read_link(&path) {
            Ok(t) if t == link_target(name) => Slot::Ours,
            _ => Slot::Foreign("a link that milia-rank did not make"),
        },
        Ok(m) if m.is_dir() => Slot::Foreign("a folder"),
        Ok(_) => Slot::Foreign("a file that milia-rank did not write"),
    }
}

fn foreign_error(dir: &Path, name: &str, what: &str) -> Error {
    Error::Usage(format!(
        "refusing to publish into {}: {} is {what}; milia-rank never replaces files it did not write: move it away or choose another --out",
        dir.display(),
        dir.join(name).display()
    ))
}

/// Checks that every name is free or already milia-rank's link.
fn check_names(dir: &Path, files: &[String]) -> Result<()> {
    for name in files {
        if let Slot::Foreign(what) = slot(dir, name) {
            return Err(foreign_error(dir, name, what));
        }
    }
    Ok(())
}

/// Free bytes on the filesystem holding `dir`.
fn available(dir: &Path) -> Option<u64> {
    fs4::available_space(dir).ok()
}

impl Staging {
    /// Checks the output location, takes its lock, cleans what dead runs
    /// left and creates a staging folder. Fails, before any scoring, with
    /// one line that says why.
    pub fn create(target: &Path, plan: &Plan) -> Result<Staging> {
        let target = if target.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            target.to_path_buf()
        };
        let mut created_target = Vec::new();
        match fs::metadata(&target) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(io_msg(
                    &target,
                    "the output path is a file, not a directory; choose a directory for --out",
                ))
            }
            Err(_) if fs::symlink_metadata(&target).is_ok() => {
                return Err(io_msg(
                    &target,
                    "the output path is a link that leads nowhere; fix the link or choose another --out",
                ))
            }
            Err(_) => {
                created_target = target
                    .ancestors()
                    .take_while(|a| !a.as_os_str().is_empty() && fs::symlink_metadata(a).is_err())
                    .map(Path::to_path_buf)
                    .collect();
                fs::create_dir_all(&target).map_err(|e| {
                    Error::unusable(
                        &target,
                        format!("cannot create the output directory: {}", crate::error::describe(&e)),
                        Some(e),
                    )
                })?;
            }
        }
        let store = target.join(STORE);
        let mut created_store = false;
        match fs::symlink_metadata(&store) {
            Ok(m) if m.is_dir() => {
                let owner = fs::read_to_string(store.join(OWNER)).unwrap_or_default();
                if owner != OWNER_TEXT {
                    return Err(foreign_error(
                        &target,
                        STORE,
                        "a folder without milia-rank's OWNER mark",
                    ));
                }
            }
            Ok(_) => return Err(foreign_error(&target, STORE, "not milia-rank's store")),
            Err(_) => {
                if let Err(e) = fs::create_dir(&store) {
                    remove_empty(&created_target);
                    return Err(Error::unusable(
                        &target,
                        format!(
                            "cannot write into the output directory: {}; choose a writable --out",
                            crate::error::describe(&e)
                        ),
                        Some(e),
                    ));
                }
                created_store = true;
                // The store takes the output directory's mode (e.g. a
                // private 2770 folder stays private).
                if let Ok(m) = fs::metadata(&target) {
                    let _ = fs::set_permissions(
                        &store,
                        fs::Permissions::from_mode(m.permissions().mode() & 0o7777),
                    );
                }
                let owner = store.join(OWNER);
                let written =
                    File::create(&owner).and_then(|mut f| f.write_all(OWNER_TEXT.as_bytes()));
                if let Err(e) = written {
                    let _ = fs::remove_file(&owner);
                    let _ = fs::remove_dir(&store);
                    remove_empty(&created_target);
                    return Err(Error::io(&owner, e));
                }
            }
        }
        let mut staging = Staging {
            target: target.clone(),
            store: store.clone(),
            dir: PathBuf::new(),
            previous: None,
            keep: plan.keep.max(1),
            created_target,
            created_store,
            published: false,
            _lock: lock(&store, plan.wait)?,
        };
        staging.prepare(plan)?;
        Ok(staging)
    }

    fn prepare(&mut self, plan: &Plan) -> Result<()> {
        let releases = self.store.join(RELEASES);
        match fs::symlink_metadata(&releases) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(io_msg(&releases, "is not a folder; the store is damaged")),
            Err(_) => fs::create_dir(&releases).map_err(|e| Error::io(&releases, e))?,
        }
        // Holding the lock, any staging folder is a dead run's.
        for entry in fs::read_dir(&releases)
            .map_err(|e| Error::io(&releases, e))?
            .flatten()
        {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(STAGING_PREFIX)
            {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        for entry in fs::read_dir(&self.store)
            .map_err(|e| Error::io(&self.store, e))?
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with(&format!("{CURRENT}.new-")) {
                let _ = fs::remove_file(entry.path());
            }
        }
        let current = self.store.join(CURRENT);
        match fs::symlink_metadata(&current) {
            Err(_) => {}
            Ok(m) if m.file_type().is_symlink() => {
                let dest = releases_dir_of(&current);
                if dest.as_ref().is_some_and(|d| d.is_dir()) {
                    self.previous = dest;
                }
            }
            Ok(_) => return Err(foreign_error(&self.store, CURRENT, "not a link")),
        }
        check_names(&self.target, &plan.files)?;
        // Links must work where DIR is (some shares and FAT volumes have none).
        let probe = self.store.join(format!("{CURRENT}.new-probe"));
        let _ = fs::remove_file(&probe);
        symlink(RELEASES, &probe).map_err(|e| {
            Error::unusable(
                &self.target,
                format!(
                    "this filesystem does not take symbolic links ({}); choose an --out on a local filesystem",
                    crate::error::describe(&e)
                ),
                Some(e),
            )
        })?;
        let _ = fs::remove_file(&probe);
        if plan.need_bytes > 0 {
            if let Some(free) = available(&self.target) {
                if free < plan.need_bytes {
                    return Err(io_msg(
                        &self.target,
                        format!(
                            "only {} MB free, and this run needs about {} MB; free some space (old releases are in {}) or choose another --out",
                            free / 1_000_000,
                            plan.need_bytes.div_ceil(1_000_000),
                            releases.display()
                        ),
                    ));
                }
            }
        }
        let dir = releases.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        if let Ok(m) = fs::metadata(&self.target) {
            let _ = fs::set_permissions(
                &dir,
                fs::Permissions::from_mode(m.permissions().mode() & 0o7777),
            );
        }
        self.dir = dir;
        Ok(())
    }

    /// A file's path inside the staging folder.
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// The staging folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The directory being published to.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The release published before this run, if any (what `--previous`
    /// defaults to).
    pub fn previous(&self) -> Option<&Path> {
        self.previous.as_deref()
    }

    /// Flushes every staged file, makes it a release and switches DIR's
    /// links to it in one atomic step; then prunes old releases.
    pub fn publish(mut self) -> Result<()> {
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(|e| Error::io(&self.dir, e))? {
            let entry = entry.map_err(|e| Error::io(&self.dir, e))?;
            names.push(entry.file_name().to_string_lossy().to_string());
        }
        names.sort();
        let synced: Vec<Result<u64>> = std::thread::scope(|scope| {
            let handles: Vec<_> = names
                .iter()
                .map(|n| {
                    let path = self.dir.join(n);
                    scope.spawn(move || {
                        let f = File::open(&path).map_err(|e| Error::io(&path, e))?;
                        f.sync_all().map_err(|e| Error::io(&path, e))?;
                        Ok(f.metadata().map(|m| m.len()).unwrap_or(0))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Error::Internal("flushing a file failed".into())))
                })
                .collect()
        });
        let sizes = synced.into_iter().collect::<Result<Vec<u64>>>()?;
        let releases = self.store.join(RELEASES);
        let id = next_release(&releases)?;
        let manifest = Manifest {
            tool: "milia-rank".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            release: id.clone(),
            files: names
                .iter()
                .zip(&sizes)
                .map(|(n, b)| ManifestFile {
                    name: n.clone(),
                    bytes: *b,
                })
                .collect(),
        };
        let manifest_path = self.dir.join(MANIFEST);
        let text = serde_json::to_string_pretty(&manifest)
            .map_err(|e| Error::Internal(format!("manifest: {e}")))?;
        write_synced(&manifest_path, text.as_bytes())?;
        sync_dir(&self.dir);
        let release = releases.join(&id);
        fs::rename(&self.dir, &release).map_err(|e| Error::io(&release, e))?;
        self.dir = release;
        sync_dir(&releases);

        // Links for new names first (they resolve once `current` switches),
        // checking again that nothing foreign took a name meanwhile.
        check_names(&self.target, &names)?;
        for name in &names {
            if let Slot::Free = slot(&self.target, name) {
                symlink(link_target(name), self.target.join(name))
                    .map_err(|e| Error::io(&self.target.join(name), e))?;
            }
        }
        // The switch: one rename of a fresh link over `current`.
        let tmp = self
            .store
            .join(format!("{CURRENT}.new-{}", std::process::id()));
        let _ = fs::remove_file(&tmp);
        symlink(Path::new(RELEASES).join(&id), &tmp).map_err(|e| Error::io(&tmp, e))?;
        fs::rename(&tmp, self.store.join(CURRENT)).map_err(|e| Error::io(&tmp, e))?;
        self.published = true;
        sync_dir(&self.store);

        // Links to names this run no longer writes would now lead nowhere.
        if let Ok(entries) = fs::read_dir(&self.target) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if !names.contains(&name) && matches!(slot(&self.target, &name), Slot::Ours) {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        sync_dir(&self.target);
        prune(&releases, &id, self.keep);
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.published {
            return;
        }
        if !self.dir.as_os_str().is_empty() {
            let _ = fs::remove_dir_all(&self.dir);
        }
        // A first run that publishes nothing leaves no trace.
        // Only when nothing else came into the store meanwhile.
        if self.created_store && fs::remove_dir(self.store.join(RELEASES)).is_ok() {
            let _ = fs::remove_file(self.store.join(LOCK));
            let _ = fs::remove_file(self.store.join(OWNER));
            let _ = fs::remove_dir(&self.store);
            remove_empty(&self.created_target);
        }
    }
}

/// Removes folders this run created, innermost first, while they are empty.
fn remove_empty(created: &[PathBuf]) {
    for dir in created {
        if fs::remove_dir(dir).is_err() {
            return;
        }
    }
}

/// Takes the store's lock: a real file lock, released by the kernel when
/// the process ends however it ends.
fn lock(store: &Path, wait: bool) -> Result<File> {
    let path = store.join(LOCK);
    let f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    if wait {
        f.lock().map_err(|e| Error::io(&path, e))?;
        return Ok(f);
    }
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Refused(format!(
            "another milia-rank run is publishing into {} (it holds {}); try again when it ends, or pass --wait to wait for it",
            store.parent().unwrap_or(store).display(),
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(&path, e)),
    }
}

/// The release folder `current` points to, if it is one of ours.
fn releases_dir_of(current: &Path) -> Option<PathBuf> {
    let t = fs::read_link(current).ok()?;
    let mut parts = t.components();
    let first = parts.next()?.as_os_str().to_string_lossy().to_string();
    let second = parts.next()?.as_os_str().to_string_lossy().to_string();
    if parts.next().is_some() || first != RELEASES || !second.starts_with(RELEASE_PREFIX) {
        return None;
    }
    Some(current.parent()?.join(t))
}

fn release_number(name: &str) -> Option<u64> {
    name.strip_prefix(RELEASE_PREFIX)?.parse().ok()
}

fn next_release(releases: &Path) -> Result<String> {
    let mut max = 0;
    for entry in fs::read_dir(releases)
        .map_err(|e| Error::io(releases, e))?
        .flatten()
    {
        if let Some(n) = release_number(&entry.file_name().to_string_lossy()) {
            max = max.max(n);
        }
    }
    Ok(format!("{RELEASE_PREFIX}{:06}", max + 1))
}

/// Whether a release folder carries milia-rank's manifest.
fn is_ours(release: &Path) -> bool {
    fs::read_to_string(release.join(MANIFEST))
        .ok()
        .and_then(|t| serde_json::from_str::<Manifest>(&t).ok())
        .is_some_and(|m| m.tool == "milia-rank")
}

/// Removes milia-rank's own releases beyond the newest `keep`, never the
/// current one.
fn prune(releases: &Path, current: &str, keep: usize) {
    let Ok(entries) = fs::read_dir(releases) else {
        return;
    };
    let mut found: Vec<(u64, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            release_number(&name).map(|n| (n, e.path()))
        })
        .filter(|(_, p)| p.file_name().is_some_and(|n| n != current) && is_ours(p))
        .collect();
    found.sort();
    let extra = (found.len() + 1).saturating_sub(keep);
    for (_, path) in found.into_iter().take(extra) {
        let _ = fs::remove_dir_all(path);
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))?;
    f.sync_all().map_err(|e| Error::io(path, e))
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(files: &[&str]) -> Plan {
        Plan {
            files: files.iter().map(|s| s.to_string()).collect(),
            keep: 2,
            wait: false,
            need_bytes: 0,
        }
    }

    fn publish(out: &Path, files: &[(&str, &str)]) -> Result<()> {
        let names: Vec<&str> = files.iter().map(|f| f.0).collect();
        let s = Staging::create(out, &plan(&names))?;
        for (n, body) in files {
            fs::write(s.path(n), body).unwrap();
        }
        s.publish()
    }

    #[test]
    fn publishes_links_switches_atomically_and_keeps_two_releases() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        publish(&out, &[(MARKER, "1"), ("a.csv", "first")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "first");
        publish(&out, &[(MARKER, "2"), ("b.csv", "second")]).unwrap();
        // a.csv is no longer written: its link goes, b.csv's comes.
        assert!(fs::symlink_metadata(out.join("a.csv")).is_err());
        assert_eq!(fs::read_to_string(out.join("b.csv")).unwrap(), "second");
        publish(&out, &[(MARKER, "3"), ("b.csv", "third")]).unwrap();
        let mut releases: Vec<String> = fs::read_dir(out.join(STORE).join(RELEASES))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        releases.sort();
        assert_eq!(releases, ["run-000002", "run-000003"]);
    }

    #[test]
    fn a_failed_run_keeps_the_old_output_and_a_first_failed_run_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("nightly/shop/out");
        let s = Staging::create(&out, &plan(&["a.csv"])).unwrap();
        fs::write(s.path("a.csv"), "half").unwrap();
        drop(s);
        assert!(
            !tmp.path().join("nightly").exists(),
            "a failed first run leaves no folder"
        );
        publish(&out, &[("a.csv", "first")]).unwrap();
        let s = Staging::create(&out, &plan(&["a.csv"])).unwrap();
        fs::write(s.path("a.csv"), "half").unwrap();
        drop(s);
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "first");
    }

    #[test]
    fn refuses_foreign_names_and_leaves_them_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("proj");
        fs::create_dir(&out).unwrap();
        fs::write(out.join(MARKER), "{\"loss\": 0.1}").unwrap();
        fs::write(out.join("notes.txt"), "keep").unwrap();
        let e = Staging::create(&out, &plan(&[MARKER, "a.csv"])).unwrap_err();
        assert!(e.to_string().contains("summary.json"), "{e}");
        assert_eq!(e.exit_code(), crate::error::EXIT_USAGE);
        assert_eq!(
            fs::read_to_string(out.join(MARKER)).unwrap(),
            "{\"loss\": 0.1}"
        );
        assert!(!out.join(STORE).exists(), "nothing left behind");
        // Foreign files under other names are kept beside the output.
        fs::remove_file(out.join(MARKER)).unwrap();
        publish(&out, &[(MARKER, "1")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "keep");
        // A foreign link in an output's place is refused too.
        symlink("notes.txt", out.join("b.csv")).unwrap();
        assert!(Staging::create(&out, &plan(&["b.csv"])).is_err());
    }

    #[test]
    fn a_second_run_fails_fast_on_the_lock_and_dead_staging_is_cleaned() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let first = Staging::create(&out, &plan(&["a.csv"])).unwrap();
        let e = Staging::create(&out, &plan(&["a.csv"])).unwrap_err();
        assert!(e.to_string().contains("another milia-rank run"), "{e}");
        assert_eq!(e.exit_code(), crate::error::EXIT_DATA);
        // A dead run's staging folder (any name, any PID namespace).
        let dead = out.join(STORE).join(RELEASES).join(".staging-1");
        fs::create_dir(&dead).unwrap();
        drop(first);
        let s = Staging::create(&out, &plan(&["a.csv"])).unwrap();
        assert!(!dead.exists());
        drop(s);
    }

    #[test]
    fn a_store_without_the_owner_mark_is_not_touched() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        fs::create_dir_all(out.join(STORE).join(RELEASES).join("run-000001")).unwrap();
        assert!(Staging::create(&out, &plan(&["a.csv"])).is_err());
        assert!(out.join(STORE).join(RELEASES).join("run-000001").exists());
    }
}
