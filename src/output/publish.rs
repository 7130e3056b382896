//! Publishing the output directory safely, in a folder others may share.
//!
//! milia-rank never replaces or empties the output directory DIR itself: it
//! may be a mount point, a symlink, a folder baked into an image or a
//! group's shared folder that holds other people's files. Everything
//! milia-rank owns lives in one hidden store inside DIR, and each published
//! name is a hard link to the same file of the current release (a real
//! file for `cp -a`, `rsync -a` and `tar`):
//!
//! ```text
//! DIR/
//!   milia-prone.csv      same inode as .milia-rank/current/milia-prone.csv
//!   .milia-rank/
//!     OWNER              marks the store as milia-rank's
//!     current -> releases/run-000042
//!     releases/run-000041/   yesterday (kept for the comparison, see --keep)
//!     releases/run-000042/   today: every file of the run and its MANIFEST.json
//!     releases/.staging-…    a run in progress
//! ```
//!
//! The lock is a `flock` on the store folder itself, held for the whole
//! run: no file name can be deleted to admit a second run (where a
//! filesystem cannot lock a folder, NFS, the store's `lock` file is
//! locked instead).
//!
//! A run writes every file into a staging folder in the store, flushes
//! them one by one, renames the folder to a release, replaces each
//! `DIR/<file>` by a hard link to the release's file with one rename (an
//! exchange where the filesystem has `renameat2`), and then switches
//! `current` with one atomic rename. Each `DIR/<file>` is atomic; a
//! consumer that needs the whole set of one run resolves
//! `DIR/.milia-rank/current` once and reads the release it names (a
//! release never changes once published). A failure during the switch
//! puts every name back as it was.
//!
//! Nothing inside DIR is trusted: every file is created with
//! `O_CREAT|O_EXCL|O_NOFOLLOW` relative to a directory handle, folders are
//! made with `mkdir` and checked after opening them without following
//! links (a folder, ours), modes are set with `fchmod` on the open handle,
//! and removals use `unlinkat` on handles, which never follow a link. The
//! store, its releases and staging folders take DIR's mode without its
//! write bits for group and others (only the run's user writes inside; the
//! group reads); files take DIR's read bits. The ownership rules:
//! - a file milia-rank did not write is never deleted, replaced or changed:
//!   a top-level name is replaced only when it is provably milia-rank's: a
//!   hard link to the same name of one of its releases whose size and
//!   modification time still match that release's MANIFEST.json, or a link
//!   of the earlier form `.milia-rank/current/<name>`; anything else in
//!   its place (an edit in place included) stops the run before scoring
//!   (exit 2, naming it);
//! - inside the store, only entries whose names milia-rank gives (releases
//!   with a MANIFEST.json naming milia-rank, staging folders) are removed,
//!   and never a release that `current` or a name in DIR refers to;
//! - a second run into the same DIR fails fast on the lock (or waits with
//!   `--wait`); a staging folder found while holding the lock belongs to a
//!   dead run (whatever its PID namespace) and is removed. The store is
//!   built aside and renamed into place, so runs that start together into
//!   a new DIR meet at the lock.
//!
//! Everything that can be checked is checked in [`Staging::create`], before
//! the catalog is scored.

use std::ffi::CStr;
use std::fs::File;
use std::io::{Read, Write};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};

use rustix::fs::{self as rfs, AtFlags, FileType, FlockOperation, Mode, OFlags, RenameFlags};
use rustix::io::Errno;
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
pub const CURRENT: &str = "current";
/// Locked instead of the store folder where a filesystem cannot lock a
/// folder (see [`flock_store`]).
const LOCK_FILE: &str = "lock";
const CURRENT_NEW: &str = "current.new-";
const RELEASES: &str = "releases";
const STAGING_PREFIX: &str = ".staging-";
const RELEASE_PREFIX: &str = "run-";
/// A store being built, before it is renamed into place.
const STORE_NEW_PREFIX: &str = ".milia-rank.new-";
/// `DIR/.<file>` + this: a published name's new link before its rename,
/// and where the replaced one waits until the switch is done.
const NEW_SUFFIX: &str = ".milia-rank-new";
/// `DIR/.<file>` + this: the replaced name, where the filesystem cannot
/// exchange two names in one step.
const OLD_SUFFIX: &str = ".milia-rank-old";
/// The manifest of a release.
pub const MANIFEST: &str = "MANIFEST.json";

/// Output locations that are never a run's output directory: system roots,
/// as given and after resolving links and `..` (an empty variable in
/// `--out $DIR/` gives `/`).
const SYSTEM_ROOTS: [&str; 20] = [
    "/",
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/sys",
    "/usr",
    "/var",
    "/usr/bin",
    "/usr/lib",
    "/usr/local",
];

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
    /// Modification time in nanoseconds since 1970 when published: a
    /// published file edited in place no longer matches (0: not recorded,
    /// by versions before it).
    #[serde(default)]
    pub mtime_ns: u64,
}

/// Modes of what milia-rank creates, from DIR's mode (never the umask's).
#[derive(Debug, Clone, Copy)]
struct Modes {
    dir: Mode,
    file: Mode,
}

impl Modes {
    /// Folders: DIR's mode (setgid included) without write for group and
    /// others, and always the owner's rwx. Files: DIR's read bits, and the
    /// owner's read and write.
    fn of(dir_mode: u32) -> Modes {
        let m = dir_mode & 0o7777;
        Modes {
            dir: Mode::from_raw_mode((m & 0o2755) | 0o700),
            file: Mode::from_raw_mode((m & 0o644) | 0o600),
        }
    }
}

/// A file's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ident {
    dev: u64,
    ino: u64,
}

// The stat fields' types differ between architectures.
#[allow(clippy::useless_conversion)]
fn ident(st: &rfs::Stat) -> Ident {
    Ident {
        dev: u64::from(st.st_dev),
        ino: u64::from(st.st_ino),
    }
}

#[allow(clippy::useless_conversion)]
fn mtime_ns(st: &rfs::Stat) -> u64 {
    let secs = u64::try_from(i64::from(st.st_mtime)).unwrap_or(0);
    secs.saturating_mul(1_000_000_000)
        .saturating_add(u64::from(st.st_mtime_nsec))
}

#[allow(clippy::useless_conversion)]
fn size(st: &rfs::Stat) -> u64 {
    u64::try_from(i64::from(st.st_size)).unwrap_or(0)
}

fn kind(st: &rfs::Stat) -> FileType {
    FileType::from_raw_mode(st.st_mode)
}

fn euid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// A release of milia-rank's, open.
#[derive(Debug)]
struct Release {
    name: String,
    number: u64,
    fd: OwnedFd,
    manifest: Manifest,
}

/// What stood at a published name before the switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Old {
    /// The earlier form: a symbolic link `.milia-rank/current/<name>`.
    Link,
    /// A hard link to a release's file.
    File(Ident),
}

/// What stands at `DIR/<name>`.
#[derive(Debug)]
enum Slot {
    Free,
    Ours(Old),
    Foreign(&'static str),
}

/// A name switched by the publish, and how to put it back.
#[derive(Debug)]
struct Switched {
    name: String,
    /// Where the replaced entry waits (None: the name was free).
    aside: Option<String>,
    /// Whether the replaced entry was exchanged with the new link (and
    /// the new link itself is at `aside` after an undo's exchange).
    exchanged: bool,
}

/// A run's staging folder, holding the output directory's lock.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    store: PathBuf,
    /// The staging folder's path (the release's after the rename).
    dir: PathBuf,
    /// Its name in releases/ (empty before it exists).
    name: String,
    target_fd: OwnedFd,
    /// Held locked (flock) until the run ends; the kernel releases it
    /// if the process dies.
    store_fd: OwnedFd,
    /// The lock file held instead, where the folder cannot be locked.
    _lock_file: Option<OwnedFd>,
    releases_fd: Option<OwnedFd>,
    dir_fd: Option<OwnedFd>,
    modes: Modes,
    releases: Vec<Release>,
    current: Option<String>,
    previous: Option<PathBuf>,
    keep: usize,
    /// The folders this run created for DIR, DIR last (removed again, if
    /// still empty, when nothing is published).
    created_target: Vec<PathBuf>,
    created_store: bool,
    published: bool,
    /// Fails the switch before this name (tests of the undo).
    #[cfg(test)]
    fail_at: Option<usize>,
}

fn io_msg(path: &Path, message: impl Into<String>) -> Error {
    Error::unusable(path, message, None)
}

fn err(path: &Path, e: Errno) -> Error {
    Error::io(path, e.into())
}

/// The link target a published name had in the earlier form.
fn link_target(name: &str) -> PathBuf {
    Path::new(STORE).join(CURRENT).join(name)
}

fn foreign_error(dir: &Path, name: &str, what: &str) -> Error {
    let path = dir.join(name);
    let aside = dir.join(format!("{name}.kept"));
    Error::Usage(format!(
        "refusing to publish into {}: {} is {what}; milia-rank never replaces files it did not write: move it aside (`mv {} {}`) and run again, or choose another --out",
        dir.display(),
        path.display(),
        shell_word(&path.display().to_string()),
        shell_word(&aside.display().to_string()),
    ))
}

/// A path as one shell word: as it is when it is plain, in single quotes
/// otherwise.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+,:@%".contains(&b));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

/// Opens a folder inside `parent`, never through a link.
fn open_dir_at<P: rustix::path::Arg>(
    parent: BorrowedFd<'_>,
    name: P,
) -> rustix::io::Result<OwnedFd> {
    rfs::openat(parent, name, DIR_FLAGS, Mode::empty())
}

fn lstat_at<P: rustix::path::Arg>(
    parent: BorrowedFd<'_>,
    name: P,
) -> rustix::io::Result<rfs::Stat> {
    rfs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW)
}

/// Makes a new folder `name` in `parent` (it must not exist), opens it
/// without following links, checks it is a folder of ours and gives it
/// `mode`.
fn make_dir(parent: BorrowedFd<'_>, name: &str, mode: Mode) -> rustix::io::Result<OwnedFd> {
    rfs::mkdirat(parent, name, Mode::from_raw_mode(0o700))?;
    let fd = open_dir_at(parent, name)?;
    let st = rfs::fstat(&fd)?;
    if st.st_uid != euid() {
        return Err(Errno::PERM);
    }
    rfs::fchmod(&fd, mode)?;
    Ok(fd)
}

/// Creates a new file `name` in `dir`: never through a link, never over an
/// existing name, with `mode` whatever the umask.
fn create_at(dir: BorrowedFd<'_>, name: &str, mode: Mode) -> rustix::io::Result<File> {
    let fd = rfs::openat(
        dir,
        name,
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    )?;
    rfs::fchmod(&fd, mode)?;
    Ok(File::from(fd))
}

/// Reads a small file inside `dir`, never through a link.
fn read_at(dir: BorrowedFd<'_>, name: &str, limit: u64) -> Option<Vec<u8>> {
    let fd = rfs::openat(
        dir,
        name,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    let mut bytes = Vec::new();
    File::from(fd).take(limit).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// The names in a folder, `.` and `..` left out.
fn names_in(dir: BorrowedFd<'_>) -> rustix::io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in rfs::Dir::read_from(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_bytes();
        if name != b"." && name != b".." {
            names.push(String::from_utf8_lossy(name).into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Removes `name` in `parent` and, if it is a folder, everything in it,
/// through directory handles: a link is removed, never followed.
fn remove_tree_at(parent: BorrowedFd<'_>, name: &str, depth: u32) -> rustix::io::Result<()> {
    let st = lstat_at(parent, name)?;
    if kind(&st) != FileType::Directory {
        return rfs::unlinkat(parent, name, AtFlags::empty());
    }
    if depth > 16 {
        return Err(Errno::LOOP);
    }
    let fd = open_dir_at(parent, name)?;
    for n in names_in(fd.as_fd())? {
        remove_tree_at(fd.as_fd(), &n, depth + 1)?;
    }
    rfs::unlinkat(parent, name, AtFlags::REMOVEDIR)
}

/// `renameat2` inside one folder.
fn rename_at(
    dir: BorrowedFd<'_>,
    from: &str,
    to: &str,
    flags: RenameFlags,
) -> rustix::io::Result<()> {
    rfs::renameat_with(dir, from, dir, to, flags)
}

/// Whether `path` is a system root that must never be an output directory.
fn is_system_root(path: &Path) -> bool {
    let lexical = {
        let mut parts: Vec<std::path::Component<'_>> = Vec::new();
        for c in path.components() {
            match c {
                std::path::Component::CurDir => {}
                std::path::Component::ParentDir => {
                    if matches!(parts.last(), Some(std::path::Component::Normal(_))) {
                        parts.pop();
                    }
                }
                c => parts.push(c),
            }
        }
        parts.iter().collect::<PathBuf>()
    };
    let candidates = [Some(lexical), std::fs::canonicalize(path).ok()];
    candidates.iter().flatten().any(|p| {
        p.is_absolute()
            && (SYSTEM_ROOTS.iter().any(|r| p == Path::new(r))
                || p.starts_with("/proc")
                || p.starts_with("/sys"))
    })
}

/// Where `--out` goes: refuse system roots, then open (creating it if it
/// does not exist) the directory.
fn open_target(target: &Path) -> Result<(OwnedFd, Vec<PathBuf>)> {
    if is_system_root(target) {
        return Err(Error::Usage(format!(
            "refusing to publish into {}: a system folder is never an output directory (an empty variable in --out?); choose a folder of its own for --out",
            target.display()
        )));
    }
    let mut created = Vec::new();
    match std::fs::metadata(target) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(io_msg(
                target,
                "the output path is a file, not a directory; choose a directory for --out",
            ))
        }
        Err(_) if std::fs::symlink_metadata(target).is_ok() => return Err(io_msg(
            target,
            "the output path is a link that leads nowhere; fix the link or choose another --out",
        )),
        Err(_) => {
            created = target
                .ancestors()
                .take_while(|a| !a.as_os_str().is_empty() && std::fs::symlink_metadata(a).is_err())
                .map(Path::to_path_buf)
                .collect();
            // create_dir_all takes a folder made meanwhile by another run.
            std::fs::create_dir_all(target).map_err(|e| {
                Error::unusable(
                    target,
                    format!(
                        "cannot create the output directory: {}",
                        crate::error::describe(&e)
                    ),
                    Some(e),
                )
            })?;
        }
    }
    // DIR itself may be a link (the user's choice): followed once, here.
    let fd = rfs::openat(
        rfs::CWD,
        target,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| err(target, e))?;
    Ok((fd, created))
}

fn cannot_write(target: &Path, e: Errno) -> Error {
    let e: std::io::Error = e.into();
    Error::unusable(
        target,
        format!(
            "cannot write into the output directory: {}; choose a writable --out",
            crate::error::describe(&e)
        ),
        Some(e),
    )
}

/// A name no other run picks: PID (unique on this machine) and the clock's
/// nanoseconds (another container's run with the same PID).
fn nonce() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}-{nanos:09}", std::process::id())
}

/// flock, again when a signal interrupts it.
fn flock_fd(fd: BorrowedFd<'_>, op: FlockOperation) -> rustix::io::Result<()> {
    loop {
        match rfs::flock(fd, op) {
            Err(Errno::INTR) => continue,
            r => return r,
        }
    }
}

/// Locks the store: a flock on the store folder itself, so that no file
/// can be deleted to let a second run in. Where the filesystem locks only
/// files open for writing (NFS emulates flock so), a file `lock` in the
/// store, which only the store's user can delete, is locked instead and
/// returned to be held.
fn flock_store(
    store_fd: BorrowedFd<'_>,
    op: FlockOperation,
) -> rustix::io::Result<Option<OwnedFd>> {
    match flock_fd(store_fd, op) {
        Ok(()) => Ok(None),
        Err(Errno::BADF) | Err(Errno::INVAL) | Err(Errno::NOTSUP) => {
            let f = rfs::openat(
                store_fd,
                LOCK_FILE,
                OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::from_raw_mode(0o600),
            )?;
            flock_fd(f.as_fd(), op)?;
            Ok(Some(f))
        }
        Err(e) => Err(e),
    }
}

/// Takes the store's lock, released by the kernel when the process ends
/// however it ends; fails at once, or waits with `--wait`.
fn lock(store_fd: BorrowedFd<'_>, wait: bool, target: &Path) -> Result<Option<OwnedFd>> {
    let op = if wait {
        FlockOperation::LockExclusive
    } else {
        FlockOperation::NonBlockingLockExclusive
    };
    let store = target.join(STORE);
    match flock_store(store_fd, op) {
        Ok(held) => Ok(held),
        Err(Errno::WOULDBLOCK) => Err(Error::Refused(format!(
            "another milia-rank run is publishing into {} (it holds the lock on {}); try again when it ends, or pass --wait to wait for it",
            target.display(),
            store.display()
        ))),
        Err(e) => Err(err(&store, e)),
    }
}

/// Checks the OWNER mark of a store, and that the store is the run's
/// user's: a store another user made (a group member in a shared DIR)
/// could be changed under the run.
fn check_owner(store_fd: BorrowedFd<'_>, target: &Path) -> Result<()> {
    let owner = read_at(store_fd, OWNER, 4096).unwrap_or_default();
    if owner != OWNER_TEXT.as_bytes() {
        return Err(foreign_error(
            target,
            STORE,
            "a folder without milia-rank's OWNER mark",
        ));
    }
    let uid = rfs::fstat(store_fd).map(|s| s.st_uid).unwrap_or(u32::MAX);
    if uid != euid() {
        return Err(Error::Usage(format!(
            "refusing to publish into {}: {} belongs to another user (uid {uid}) than this run's (uid {}); run milia-rank as that user, or move the folder away",
            target.display(),
            target.join(STORE).display(),
            euid()
        )));
    }
    Ok(())
}

/// Builds a new store aside, locked, with its OWNER mark and releases/,
/// and renames it into place. Returns None when another run's store took
/// the name first.
fn build_store(
    target_fd: BorrowedFd<'_>,
    target: &Path,
    modes: Modes,
) -> Result<Option<(OwnedFd, Option<OwnedFd>)>> {
    let tmp = format!("{STORE_NEW_PREFIX}{}", nonce());
    let fd = make_dir(target_fd, &tmp, modes.dir).map_err(|e| cannot_write(target, e))?;
    let mut held = None;
    let built = (|| -> rustix::io::Result<()> {
        // Nobody else knows this folder yet: the lock is ours at once, and
        // held from the moment the store appears under its name.
        held = flock_store(fd.as_fd(), FlockOperation::NonBlockingLockExclusive)?;
        let mut owner = create_at(fd.as_fd(), OWNER, modes.file)?;
        owner
            .write_all(OWNER_TEXT.as_bytes())
            .and_then(|()| owner.sync_all())
            .map_err(|e| Errno::from_io_error(&e).unwrap_or(Errno::IO))?;
        drop(make_dir(fd.as_fd(), RELEASES, modes.dir)?);
        match rename_at(target_fd, &tmp, STORE, RenameFlags::NOREPLACE) {
            // No renameat2 here: a plain rename cannot replace a store
            // with an OWNER mark in it (not empty).
            Err(Errno::INVAL) | Err(Errno::NOSYS) => {
                rfs::renameat(target_fd, &tmp, target_fd, STORE)
            }
            r => r,
        }
    })();
    match built {
        Ok(()) => {
            let _ = rfs::fsync(target_fd);
            Ok(Some((fd, held)))
        }
        Err(e) => {
            let _ = remove_tree_at(target_fd, &tmp, 0);
            match e {
                Errno::EXIST | Errno::NOTEMPTY => Ok(None),
                e => Err(cannot_write(target, e)),
            }
        }
    }
}

/// The store, open and locked.
struct Store {
    fd: OwnedFd,
    /// The lock file held, where the folder itself cannot be locked.
    lock: Option<OwnedFd>,
    /// Whether this run built it.
    created: bool,
}

/// Opens (or builds) the store, checks its mark and takes its lock.
/// Returns None when DIR or the store went away meanwhile (a failed first
/// run that this one waited for removes both): the caller starts over.
fn open_store(
    target_fd: BorrowedFd<'_>,
    target: &Path,
    modes: Modes,
    wait: bool,
) -> Result<Option<Store>> {
    let store = target.join(STORE);
    for _ in 0..20 {
        if rfs::fstat(target_fd).is_ok_and(|st| st.st_nlink == 0) {
            return Ok(None);
        }
        match open_dir_at(target_fd, STORE) {
            Ok(fd) => {
                check_owner(fd.as_fd(), target)?;
                let held = lock(fd.as_fd(), wait, target)?;
                // A first run that failed removes its store: after a wait,
                // the folder locked may no longer be the store.
                let now = lstat_at(target_fd, STORE).ok().map(|s| ident(&s));
                let locked = rfs::fstat(&fd).map(|s| ident(&s)).ok();
                if now.is_some() && now == locked {
                    check_owner(fd.as_fd(), target)?;
                    return Ok(Some(Store {
                        fd,
                        lock: held,
                        created: false,
                    }));
                }
                return Ok(None);
            }
            Err(Errno::NOENT) => {
                if let Some((fd, held)) = build_store(target_fd, target, modes)? {
                    return Ok(Some(Store {
                        fd,
                        lock: held,
                        created: true,
                    }));
                }
            }
            Err(Errno::NOTDIR) | Err(Errno::LOOP) => {
                return Err(foreign_error(target, STORE, "not milia-rank's store"))
            }
            Err(Errno::ACCESS) | Err(Errno::PERM) => {
                return Err(cannot_write(target, Errno::ACCESS))
            }
            Err(e) => return Err(err(&store, e)),
        }
    }
    Err(io_msg(
        &store,
        "the store keeps being replaced while this run starts; is another program removing it?",
    ))
}

/// Free bytes on the filesystem holding `dir`.
fn available(dir: &Path) -> Option<u64> {
    fs4::available_space(dir).ok()
}

/// The releases folder of the run in progress, for [`remove_staging_now`]
/// (-1: none).
static STAGING_RELEASES_FD: AtomicI32 = AtomicI32::new(-1);
/// The store and DIR of a run that made the store (-1: none), for
/// [`remove_staging_now`]: a first run leaves no trace.
static CREATED_STORE_FD: AtomicI32 = AtomicI32::new(-1);
static CREATED_TARGET_FD: AtomicI32 = AtomicI32::new(-1);

/// Removes this process's staging folder without allocating memory: for
/// the out-of-memory handler, which may run when nothing can be allocated.
/// Does nothing when no staging folder exists.
pub fn remove_staging_now() {
    let fd = STAGING_RELEASES_FD.swap(-1, Ordering::SeqCst);
    if fd < 0 {
        return;
    }
    // SAFETY: the descriptor stays open while it is registered: Staging
    // unregisters it before closing it, and this runs only before exit.
    remove_staging_in(unsafe { BorrowedFd::borrow_raw(fd) });
    let (store, target) = (
        CREATED_STORE_FD.swap(-1, Ordering::SeqCst),
        CREATED_TARGET_FD.swap(-1, Ordering::SeqCst),
    );
    if store >= 0 && target >= 0 {
        // SAFETY: as above, registered and unregistered with the staging
        // folder's.
        let (store, target) = unsafe {
            (
                BorrowedFd::borrow_raw(store),
                BorrowedFd::borrow_raw(target),
            )
        };
        remove_created_store(store, target, true);
    }
}

/// Removes a store this run made, if nothing came into it: its empty
/// releases/, its OWNER mark (and lock file), and the folder if it still
/// is DIR's store. Allocates nothing.
fn remove_created_store(store: BorrowedFd<'_>, target: BorrowedFd<'_>, lock_file: bool) {
    if rfs::unlinkat(store, RELEASES, AtFlags::REMOVEDIR).is_err() {
        return;
    }
    let _ = rfs::unlinkat(store, OWNER, AtFlags::empty());
    if lock_file {
        let _ = rfs::unlinkat(store, LOCK_FILE, AtFlags::empty());
    }
    let same = matches!(
        (lstat_at(target, STORE), rfs::fstat(store)),
        (Ok(a), Ok(b)) if ident(&a) == ident(&b)
    );
    if same {
        let _ = rfs::unlinkat(target, STORE, AtFlags::REMOVEDIR);
    }
}

/// Removes `.staging-<pid>` of this process in `releases`, without
/// allocating.
fn remove_staging_in(releases: BorrowedFd<'_>) {
    // ".staging-<pid>\0" in a buffer on the stack.
    let mut name = [0u8; 40];
    let prefix = STAGING_PREFIX.as_bytes();
    name[..prefix.len()].copy_from_slice(prefix);
    let mut digits = [0u8; 20];
    let mut n = std::process::id();
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for i in 0..len {
        name[prefix.len() + i] = digits[len - 1 - i];
    }
    let Ok(name) = CStr::from_bytes_until_nul(&name) else {
        return;
    };
    let Ok(dir) = rfs::openat(releases, name, DIR_FLAGS, Mode::empty()) else {
        return;
    };
    let mut buf = [MaybeUninit::<u8>::uninit(); 4096];
    // Entries removed while reading may be skipped: a few passes.
    for _ in 0..4 {
        let mut removed = 0;
        let _ = rfs::seek(&dir, rustix::fs::SeekFrom::Start(0));
        let mut entries = rfs::RawDir::new(&dir, &mut buf);
        while let Some(Ok(entry)) = entries.next() {
            let n = entry.file_name();
            if n.to_bytes() != b"." && n.to_bytes() != b".." {
                // The staging folder holds files only.
                if rfs::unlinkat(&dir, n, AtFlags::empty()).is_ok() {
                    removed += 1;
                }
            }
        }
        if removed == 0 {
            break;
        }
    }
    let _ = rfs::unlinkat(releases, name, AtFlags::REMOVEDIR);
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
        let mut attempts = 0;
        let (target_fd, created_target, modes, store) = loop {
            let (target_fd, created_target) = open_target(&target)?;
            let dir_mode = rfs::fstat(&target_fd)
                .map(|s| s.st_mode)
                .map_err(|e| err(&target, e))?;
            let modes = Modes::of(dir_mode);
            match open_store(target_fd.as_fd(), &target, modes, plan.wait) {
                Ok(Some(store)) => break (target_fd, created_target, modes, store),
                Ok(None) if attempts < 20 => attempts += 1,
                Ok(None) => {
                    return Err(io_msg(
                        &target,
                        "the output directory keeps being removed while this run starts; is another program removing it?",
                    ))
                }
                Err(e) => {
                    remove_empty(&created_target);
                    return Err(e);
                }
            }
        };
        let mut staging = Staging {
            store: target.join(STORE),
            target,
            dir: PathBuf::new(),
            name: String::new(),
            target_fd,
            store_fd: store.fd,
            _lock_file: store.lock,
            releases_fd: None,
            dir_fd: None,
            modes,
            releases: Vec::new(),
            current: None,
            previous: None,
            keep: plan.keep.max(1),
            created_target,
            created_store: store.created,
            published: false,
            #[cfg(test)]
            fail_at: None,
        };
        staging.prepare(plan)?;
        Ok(staging)
    }

    fn releases_fd(&self) -> BorrowedFd<'_> {
        self.releases_fd
            .as_ref()
            .map(|f| f.as_fd())
            .unwrap_or(self.store_fd.as_fd())
    }

    fn dir_fd(&self) -> Result<BorrowedFd<'_>> {
        self.dir_fd
            .as_ref()
            .map(|f| f.as_fd())
            .ok_or_else(|| Error::Internal("no staging folder".into()))
    }

    fn prepare(&mut self, plan: &Plan) -> Result<()> {
        let releases = self.store.join(RELEASES);
        let releases_fd = match open_dir_at(self.store_fd.as_fd(), RELEASES) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => make_dir(self.store_fd.as_fd(), RELEASES, self.modes.dir)
                .map_err(|e| err(&releases, e))?,
            Err(Errno::NOTDIR) | Err(Errno::LOOP) => {
                return Err(io_msg(&releases, "is not a folder; the store is damaged"))
            }
            Err(e) => return Err(err(&releases, e)),
        };
        // The modes are DIR's, whatever the umask of the run that made
        // them (a first run under umask 077 left them private before).
        for fd in [self.store_fd.as_fd(), releases_fd.as_fd()] {
            if let Ok(st) = rfs::fstat(fd) {
                if st.st_uid == euid() && st.st_mode & 0o7777 != self.modes.dir.as_raw_mode() {
                    let _ = rfs::fchmod(fd, self.modes.dir);
                }
            }
        }
        let entries = names_in(releases_fd.as_fd()).map_err(|e| err(&releases, e))?;
        self.releases_fd = Some(releases_fd);
        // Holding the lock, any staging folder is a dead run's.
        for name in &entries {
            if name.starts_with(STAGING_PREFIX) {
                let _ = remove_tree_at(self.releases_fd(), name, 0);
            }
        }
        for name in names_in(self.store_fd.as_fd()).unwrap_or_default() {
            if name.starts_with(CURRENT_NEW) {
                let _ = rfs::unlinkat(&self.store_fd, name.as_str(), AtFlags::empty());
            }
        }
        // milia-rank's releases, with their manifests.
        for name in &entries {
            let Some(number) = release_number(name) else {
                continue;
            };
            let Ok(fd) = open_dir_at(self.releases_fd(), name.as_str()) else {
                continue;
            };
            let manifest = read_at(fd.as_fd(), MANIFEST, 1 << 24)
                .and_then(|t| serde_json::from_slice::<Manifest>(&t).ok());
            if let Some(manifest) = manifest.filter(|m| m.tool == "milia-rank") {
                self.releases.push(Release {
                    name: name.clone(),
                    number,
                    fd,
                    manifest,
                });
            }
        }
        self.releases.sort_by_key(|r| r.number);
        match rfs::readlinkat(&self.store_fd, CURRENT, Vec::new()) {
            Ok(t) => {
                let t = String::from_utf8_lossy(t.to_bytes()).into_owned();
                if let Some(name) = t.strip_prefix(&format!("{RELEASES}/")) {
                    if self.releases.iter().any(|r| r.name == name) {
                        self.current = Some(name.to_string());
                        self.previous = Some(releases.join(name));
                    }
                }
            }
            Err(Errno::NOENT) => {}
            Err(Errno::INVAL) => return Err(foreign_error(&self.store, CURRENT, "not a link")),
            Err(e) => return Err(err(&self.store.join(CURRENT), e)),
        }
        self.clear_dead_builds();
        self.check_names(&plan.files)?;
        self.probe_links()?;
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
        let name = format!("{STAGING_PREFIX}{}", std::process::id());
        let dir = releases.join(&name);
        let fd = make_dir(self.releases_fd(), &name, self.modes.dir).map_err(|e| err(&dir, e))?;
        self.name = name;
        self.dir = dir;
        self.dir_fd = Some(fd);
        STAGING_RELEASES_FD.store(self.releases_fd().as_raw_fd(), Ordering::SeqCst);
        if self.created_store {
            CREATED_STORE_FD.store(self.store_fd.as_raw_fd(), Ordering::SeqCst);
            CREATED_TARGET_FD.store(self.target_fd.as_raw_fd(), Ordering::SeqCst);
        }
        Ok(())
    }

    /// Takes this run's folders out of [`remove_staging_now`]'s reach.
    fn unregister(&self) {
        let mine = |slot: &AtomicI32, fd: Option<&OwnedFd>| {
            if let Some(fd) = fd {
                let _ =
                    slot.compare_exchange(fd.as_raw_fd(), -1, Ordering::SeqCst, Ordering::SeqCst);
            }
        };
        mine(&STAGING_RELEASES_FD, self.releases_fd.as_ref());
        mine(&CREATED_STORE_FD, Some(&self.store_fd));
        mine(&CREATED_TARGET_FD, Some(&self.target_fd));
    }

    /// Removes the stores a run was building when it was killed (between
    /// its mkdir and its rename, `DIR/.milia-rank.new-…`): only the run's
    /// user's, with milia-rank's OWNER mark (written after the builder
    /// locked it), not locked by a live builder, and holding nothing but
    /// what a build puts there.
    fn clear_dead_builds(&self) {
        let target_fd = self.target_fd.as_fd();
        for name in names_in(target_fd).unwrap_or_default() {
            if !name.starts_with(STORE_NEW_PREFIX) {
                continue;
            }
            let Ok(fd) = open_dir_at(target_fd, name.as_str()) else {
                continue;
            };
            let mine = rfs::fstat(&fd).is_ok_and(|st| st.st_uid == euid());
            if !mine || read_at(fd.as_fd(), OWNER, 4096).as_deref() != Some(OWNER_TEXT.as_bytes()) {
                continue;
            }
            let Ok(_held) = flock_store(fd.as_fd(), FlockOperation::NonBlockingLockExclusive)
            else {
                continue;
            };
            let only_a_build = names_in(fd.as_fd()).is_ok_and(|names| {
                names
                    .iter()
                    .all(|n| n == OWNER || n == RELEASES || n == LOCK_FILE)
            }) && open_dir_at(fd.as_fd(), RELEASES)
                .and_then(|r| names_in(r.as_fd()))
                .is_ok_and(|n| n.is_empty());
            if only_a_build {
                let _ = remove_tree_at(target_fd, &name, 0);
            }
        }
    }

    /// Symbolic links (`current`) and hard links (DIR's names) must work
    /// where DIR is: some shares and FAT volumes have neither.
    fn probe_links(&self) -> Result<()> {
        let probe = format!("{CURRENT_NEW}probe-{}", nonce());
        let unsupported = |what: &str, e: Errno| {
            let e: std::io::Error = e.into();
            Error::unusable(
                &self.target,
                format!(
                    "this filesystem does not take {what} ({}); choose an --out on a local filesystem",
                    crate::error::describe(&e)
                ),
                Some(e),
            )
        };
        rfs::symlinkat(RELEASES, &self.store_fd, probe.as_str())
            .map_err(|e| unsupported("symbolic links", e))?;
        let _ = rfs::unlinkat(&self.store_fd, probe.as_str(), AtFlags::empty());
        let linked = probe.clone() + "-link";
        let made = create_at(self.store_fd.as_fd(), &probe, self.modes.file)
            .map_err(|e| err(&self.store.join(&probe), e))?;
        drop(made);
        let result = rfs::linkat(
            &self.store_fd,
            probe.as_str(),
            &self.store_fd,
            linked.as_str(),
            AtFlags::empty(),
        );
        let _ = rfs::unlinkat(&self.store_fd, linked.as_str(), AtFlags::empty());
        let _ = rfs::unlinkat(&self.store_fd, probe.as_str(), AtFlags::empty());
        result.map_err(|e| unsupported("hard links", e))?;
        // DIR's names link to files in the store: one filesystem.
        let (a, b) = (rfs::fstat(&self.target_fd), rfs::fstat(&self.store_fd));
        if let (Ok(a), Ok(b)) = (a, b) {
            if a.st_dev != b.st_dev {
                return Err(io_msg(
                    &self.store,
                    "is another filesystem than the output directory (a mount?): its files cannot be linked into it; remove the mount",
                ));
            }
        }
        Ok(())
    }

    /// What stands at `DIR/<name>`.
    fn slot(&self, name: &str) -> Slot {
        let st = match lstat_at(self.target_fd.as_fd(), name) {
            Err(Errno::NOENT) => return Slot::Free,
            Err(_) => return Slot::Foreign("a name milia-rank cannot look at"),
            Ok(st) => st,
        };
        match kind(&st) {
            FileType::Symlink => match rfs::readlinkat(&self.target_fd, name, Vec::new()) {
                Ok(t) if Path::new(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(t.to_bytes()))
                    == link_target(name) =>
                {
                    Slot::Ours(Old::Link)
                }
                _ => Slot::Foreign("a link that milia-rank did not make"),
            },
            FileType::Directory => Slot::Foreign("a folder"),
            FileType::RegularFile => match self.release_file(name, &st) {
                Some(true) => Slot::Ours(Old::File(ident(&st))),
                Some(false) => Slot::Foreign(
                    "a published file changed after milia-rank wrote it (saved over in place, by a spreadsheet?)",
                ),
                None => Slot::Foreign("a file that milia-rank did not write"),
            },
            _ => Slot::Foreign("a file that milia-rank did not write"),
        }
    }

    /// Whether a file at DIR is the same file as `name` in one of
    /// milia-rank's releases (None: it is not), and if so whether its size
    /// and modification time are still those the release recorded.
    fn release_file(&self, name: &str, st: &rfs::Stat) -> Option<bool> {
        let id = ident(st);
        for r in &self.releases {
            let Ok(rs) = lstat_at(r.fd.as_fd(), name) else {
                continue;
            };
            if ident(&rs) != id {
                continue;
            }
            let recorded = r.manifest.files.iter().find(|f| f.name == name)?;
            let size = size(st);
            return Some(recorded.bytes == size && recorded.mtime_ns == mtime_ns(st));
        }
        None
    }

    /// Checks that every name is free or provably milia-rank's, and clears
    /// what a run killed during its switch left beside them.
    fn check_names(&self, files: &[String]) -> Result<()> {
        for name in files {
            if let Slot::Foreign(what) = self.slot(name) {
                return Err(foreign_error(&self.target, name, what));
            }
            for suffix in [NEW_SUFFIX, OLD_SUFFIX] {
                // The side names of a run killed while switching: a link
                // to the same name of a release, or the earlier form.
                let side = format!(".{name}{suffix}");
                match self.slot(&side) {
                    Slot::Free => {}
                    _ if self.is_side_of_ours(name, &side) => {
                        let _ = rfs::unlinkat(&self.target_fd, side.as_str(), AtFlags::empty());
                    }
                    Slot::Ours(_) | Slot::Foreign(_) => {
                        return Err(foreign_error(
                            &self.target,
                            &side,
                            "a name milia-rank uses while publishing, held by a file it did not write",
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether `DIR/<side>` is a hard link to `name` of a release of
    /// milia-rank's, or its earlier-form link.
    fn is_side_of_ours(&self, name: &str, side: &str) -> bool {
        let Ok(st) = lstat_at(self.target_fd.as_fd(), side) else {
            return false;
        };
        match kind(&st) {
            FileType::Symlink => rfs::readlinkat(&self.target_fd, side, Vec::new())
                .map(|t| {
                    Path::new(
                        <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(t.to_bytes()),
                    ) == link_target(name)
                })
                .unwrap_or(false),
            FileType::RegularFile => self.release_file(name, &st).is_some(),
            _ => false,
        }
    }

    /// A file's path inside the staging folder (for messages and reading).
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// Creates a new file in the staging folder: never through a link,
    /// never over an existing name (a name planted by someone else makes
    /// the run fail), readable as DIR is.
    pub fn create_file(&self, file: &str) -> Result<File> {
        create_at(self.dir_fd()?, file, self.modes.file).map_err(|e| err(&self.path(file), e))
    }

    /// Writes a staged file again from the start: removes the name (only
    /// the run's user writes in the staging folder) and creates it anew.
    pub fn replace_file(&self, file: &str) -> Result<File> {
        match rfs::unlinkat(self.dir_fd()?, file, AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => {}
            Err(e) => return Err(err(&self.path(file), e)),
        }
        self.create_file(file)
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

    /// Flushes every staged file, makes it a release, switches DIR's names
    /// to it (each in one rename) and `current` in one atomic step; then
    /// prunes old releases. A failure before `current` switches puts every
    /// name back.
    pub fn publish(mut self) -> Result<()> {
        let dir_fd = self.dir_fd()?;
        let all = names_in(dir_fd).map_err(|e| err(&self.dir, e))?;
        // Names starting with a dot (the rows' indexes) stay in the
        // release: only the others are published in DIR.
        let names: Vec<String> = all
            .iter()
            .filter(|n| !n.starts_with('.'))
            .cloned()
            .collect();
        // One file at a time: no thread per file (a process or thread
        // limit must not stop a run at its very end).
        let mut files = Vec::with_capacity(names.len());
        for name in &all {
            let path = self.dir.join(name);
            let fd = rfs::openat(
                dir_fd,
                name.as_str(),
                OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| err(&path, e))?;
            rfs::fsync(&fd).map_err(|e| err(&path, e))?;
            let st = rfs::fstat(&fd).map_err(|e| err(&path, e))?;
            if kind(&st) != FileType::RegularFile || st.st_uid != euid() {
                return Err(io_msg(&path, "is not a file this run wrote"));
            }
            if name.starts_with('.') {
                continue;
            }
            files.push(ManifestFile {
                name: name.clone(),
                bytes: size(&st),
                mtime_ns: mtime_ns(&st),
            });
        }
        let releases = self.store.join(RELEASES);
        let id = next_release(self.releases_fd()).map_err(|e| err(&releases, e))?;
        let manifest = Manifest {
            tool: "milia-rank".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            release: id.clone(),
            files,
        };
        let text = serde_json::to_string_pretty(&manifest)
            .map_err(|e| Error::Internal(format!("manifest: {e}")))?;
        let manifest_path = self.dir.join(MANIFEST);
        let mut f = self.create_file(MANIFEST)?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| Error::io(&manifest_path, e))?;
        drop(f);
        let _ = rfs::fsync(dir_fd);
        let release = releases.join(&id);
        self.unregister();
        match rename_at(self.releases_fd(), &self.name, &id, RenameFlags::NOREPLACE) {
            Err(Errno::INVAL) | Err(Errno::NOSYS) => rfs::renameat(
                self.releases_fd(),
                self.name.as_str(),
                self.releases_fd(),
                id.as_str(),
            ),
            r => r,
        }
        .map_err(|e| err(&release, e))?;
        self.name = id.clone();
        self.dir = release;
        let _ = rfs::fsync(self.releases_fd());

        // Names in DIR that this run no longer writes, to remove after the
        // switch: those that are provably milia-rank's.
        let stale: Vec<(String, Old)> = names_in(self.target_fd.as_fd())
            .unwrap_or_default()
            .into_iter()
            .filter(|n| !n.starts_with('.') && !names.contains(n))
            .filter_map(|n| match self.slot(&n) {
                Slot::Ours(old) => Some((n, old)),
                _ => None,
            })
            .collect();
        let new_fd = open_dir_at(self.releases_fd(), id.as_str()).map_err(|e| err(&self.dir, e))?;
        let mut switched = Vec::new();
        let result = (|| -> Result<()> {
            for (i, name) in names.iter().enumerate() {
                #[cfg(test)]
                if self.fail_at == Some(i) {
                    return Err(Error::Internal("a switch failed (test)".into()));
                }
                let _ = i;
                switched.push(self.switch_name(new_fd.as_fd(), name)?);
            }
            self.switch_current(&id)
        })();
        if let Err(e) = result {
            for s in switched.iter().rev() {
                self.undo(new_fd.as_fd(), s);
            }
            let _ = rfs::fsync(&self.target_fd);
            return Err(e);
        }
        self.published = true;
        let _ = rfs::fsync(&self.store_fd);
        // The replaced entries, waiting aside, go now.
        for s in &switched {
            if let Some(aside) = &s.aside {
                let _ = rfs::unlinkat(&self.target_fd, aside.as_str(), AtFlags::empty());
            }
        }
        for (name, old) in stale {
            self.remove_if(&name, old);
        }
        let _ = rfs::fsync(&self.target_fd);
        self.current = Some(id.clone());
        self.prune(&id);
        Ok(())
    }

    /// Points `DIR/<name>` at the new release's file in one rename.
    fn switch_name(&self, new_fd: BorrowedFd<'_>, name: &str) -> Result<Switched> {
        let path = self.target.join(name);
        let fresh = format!(".{name}{NEW_SUFFIX}");
        let target_fd = self.target_fd.as_fd();
        match self.slot(name) {
            Slot::Foreign(what) => Err(foreign_error(&self.target, name, what)),
            Slot::Free => {
                // linkat never replaces: a name taken meanwhile fails.
                rfs::linkat(new_fd, name, target_fd, name, AtFlags::empty())
                    .map_err(|e| err(&path, e))?;
                Ok(Switched {
                    name: name.to_string(),
                    aside: None,
                    exchanged: false,
                })
            }
            Slot::Ours(old) => {
                rfs::linkat(new_fd, name, target_fd, fresh.as_str(), AtFlags::empty())
                    .map_err(|e| err(&self.target.join(&fresh), e))?;
                match rename_at(target_fd, &fresh, name, RenameFlags::EXCHANGE) {
                    Ok(()) => {
                        // What was at the name is now at `fresh`: ours still?
                        if self.is(&fresh, old) {
                            return Ok(Switched {
                                name: name.to_string(),
                                aside: Some(fresh),
                                exchanged: true,
                            });
                        }
                        let _ = rename_at(target_fd, &fresh, name, RenameFlags::EXCHANGE);
                        let _ = rfs::unlinkat(target_fd, fresh.as_str(), AtFlags::empty());
                        Err(foreign_error(
                            &self.target,
                            name,
                            "a file put there while this run published",
                        ))
                    }
                    Err(Errno::INVAL) | Err(Errno::NOSYS) => {
                        // No exchange on this filesystem: keep the old
                        // entry under a second name, then rename over it.
                        let aside = format!(".{name}{OLD_SUFFIX}");
                        let kept = rfs::linkat(
                            target_fd,
                            name,
                            target_fd,
                            aside.as_str(),
                            AtFlags::empty(),
                        );
                        if kept.is_err() || !self.is(&aside, old) {
                            if kept.is_ok() {
                                let _ = rfs::unlinkat(target_fd, aside.as_str(), AtFlags::empty());
                            }
                            let _ = rfs::unlinkat(target_fd, fresh.as_str(), AtFlags::empty());
                            return Err(match kept {
                                Err(e) => err(&self.target.join(&aside), e),
                                Ok(()) => foreign_error(
                                    &self.target,
                                    name,
                                    "a file put there while this run published",
                                ),
                            });
                        }
                        if let Err(e) = rfs::renameat(target_fd, fresh.as_str(), target_fd, name) {
                            let _ = rfs::unlinkat(target_fd, aside.as_str(), AtFlags::empty());
                            let _ = rfs::unlinkat(target_fd, fresh.as_str(), AtFlags::empty());
                            return Err(err(&path, e));
                        }
                        Ok(Switched {
                            name: name.to_string(),
                            aside: Some(aside),
                            exchanged: false,
                        })
                    }
                    Err(e) => {
                        let _ = rfs::unlinkat(target_fd, fresh.as_str(), AtFlags::empty());
                        Err(err(&path, e))
                    }
                }
            }
        }
    }

    /// Whether `DIR/<name>` is exactly the entry `old`.
    fn is(&self, name: &str, old: Old) -> bool {
        let Ok(st) = lstat_at(self.target_fd.as_fd(), name) else {
            return false;
        };
        match old {
            Old::File(id) => kind(&st) == FileType::RegularFile && ident(&st) == id,
            Old::Link => {
                kind(&st) == FileType::Symlink
                    && rfs::readlinkat(&self.target_fd, name, Vec::new())
                        .map(|t| t.to_bytes().starts_with(STORE.as_bytes()))
                        .unwrap_or(false)
            }
        }
    }

    /// Puts a switched name back as it was.
    fn undo(&self, new_fd: BorrowedFd<'_>, s: &Switched) {
        let target_fd = self.target_fd.as_fd();
        let ours = |name: &str| {
            let a = lstat_at(target_fd, name).map(|s| ident(&s));
            let b = lstat_at(new_fd, s.name.as_str()).map(|s| ident(&s));
            matches!((a, b), (Ok(a), Ok(b)) if a == b)
        };
        match &s.aside {
            None => {
                if ours(&s.name) {
                    let _ = rfs::unlinkat(target_fd, s.name.as_str(), AtFlags::empty());
                }
            }
            Some(aside) if s.exchanged => {
                if rename_at(target_fd, aside, &s.name, RenameFlags::EXCHANGE).is_ok()
                    && ours(aside)
                {
                    let _ = rfs::unlinkat(target_fd, aside.as_str(), AtFlags::empty());
                }
            }
            Some(aside) => {
                let _ = rfs::renameat(target_fd, aside.as_str(), target_fd, s.name.as_str());
            }
        }
    }

    /// Removes `DIR/<name>` when it is still exactly `old`: moved aside
    /// first, checked, then removed (or put back).
    fn remove_if(&self, name: &str, old: Old) {
        let target_fd = self.target_fd.as_fd();
        let aside = format!(".{name}{OLD_SUFFIX}");
        match rename_at(target_fd, name, &aside, RenameFlags::NOREPLACE) {
            Ok(()) => {}
            Err(Errno::INVAL) | Err(Errno::NOSYS) => {
                // No renameat2 here: checked, then removed.
                if self.is(name, old) {
                    let _ = rfs::unlinkat(target_fd, name, AtFlags::empty());
                }
                return;
            }
            Err(_) => return,
        }
        if self.is(&aside, old) {
            let _ = rfs::unlinkat(target_fd, aside.as_str(), AtFlags::empty());
        } else {
            let _ = rename_at(target_fd, &aside, name, RenameFlags::NOREPLACE);
        }
    }

    /// The switch of the whole set: one rename of a fresh link over
    /// `current`.
    fn switch_current(&self, id: &str) -> Result<()> {
        let tmp = format!("{CURRENT_NEW}{}", std::process::id());
        let path = self.store.join(&tmp);
        let _ = rfs::unlinkat(&self.store_fd, tmp.as_str(), AtFlags::empty());
        rfs::symlinkat(
            format!("{RELEASES}/{id}").as_str(),
            &self.store_fd,
            tmp.as_str(),
        )
        .map_err(|e| err(&path, e))?;
        rfs::renameat(&self.store_fd, tmp.as_str(), &self.store_fd, CURRENT).map_err(|e| {
            let _ = rfs::unlinkat(&self.store_fd, tmp.as_str(), AtFlags::empty());
            err(&path, e)
        })
    }

    /// Removes milia-rank's own releases beyond the newest `keep`, never
    /// the current one nor one a name in DIR still links to.
    fn prune(&self, current: &str) {
        let old: Vec<&Release> = self.releases.iter().filter(|r| r.name != current).collect();
        let extra = (old.len() + 1).saturating_sub(self.keep);
        for r in old.into_iter().take(extra) {
            let linked = r.manifest.files.iter().any(|f| {
                let a = lstat_at(self.target_fd.as_fd(), f.name.as_str()).map(|s| ident(&s));
                let b = lstat_at(r.fd.as_fd(), f.name.as_str()).map(|s| ident(&s));
                matches!((a, b), (Ok(a), Ok(b)) if a == b)
            });
            if !linked {
                let _ = remove_tree_at(self.releases_fd(), &r.name, 0);
            }
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        self.unregister();
        if self.published {
            return;
        }
        if !self.name.is_empty() {
            let _ = remove_tree_at(self.releases_fd(), &self.name, 0);
        }
        // A first run that publishes nothing leaves no trace.
        // Only when nothing else came into the store meanwhile.
        if self.created_store {
            // The lock file exists only where it was needed, and then
            // this run made it.
            remove_created_store(
                self.store_fd.as_fd(),
                self.target_fd.as_fd(),
                self._lock_file.is_some(),
            );
            remove_empty(&self.created_target);
        }
    }
}

/// Removes folders this run created, innermost first, while they are empty.
fn remove_empty(created: &[PathBuf]) {
    for dir in created {
        if std::fs::remove_dir(dir).is_err() {
            return;
        }
    }
}

fn release_number(name: &str) -> Option<u64> {
    name.strip_prefix(RELEASE_PREFIX)?.parse().ok()
}

fn next_release(releases: BorrowedFd<'_>) -> rustix::io::Result<String> {
    let max = names_in(releases)?
        .iter()
        .filter_map(|n| release_number(n))
        .max()
        .unwrap_or(0);
    Ok(format!("{RELEASE_PREFIX}{:06}", max + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::symlink;

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
            s.create_file(n)
                .unwrap()
                .write_all(body.as_bytes())
                .unwrap();
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
        s.create_file("a.csv").unwrap().write_all(b"half").unwrap();
        drop(s);
        assert!(
            !tmp.path().join("nightly").exists(),
            "a failed first run leaves no folder"
        );
        publish(&out, &[("a.csv", "first")]).unwrap();
        let s = Staging::create(&out, &plan(&["a.csv"])).unwrap();
        s.create_file("a.csv").unwrap().write_all(b"half").unwrap();
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

    /// Every entry under `dir` with its kind, bytes or link target, and
    /// inode: what "exactly as it was" means.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, String)> {
        use std::os::unix::fs::MetadataExt;
        let mut v = Vec::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(d) = todo.pop() {
            for e in fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                let m = fs::symlink_metadata(&p).unwrap();
                let what = if m.file_type().is_symlink() {
                    format!("link {}", fs::read_link(&p).unwrap().display())
                } else if m.is_dir() {
                    todo.push(p.clone());
                    format!("dir {:o}", m.mode())
                } else {
                    format!(
                        "file {} {:?}",
                        m.ino(),
                        String::from_utf8_lossy(&fs::read(&p).unwrap())
                    )
                };
                v.push((p.strip_prefix(dir).unwrap().to_path_buf(), what));
            }
        }
        v.sort();
        v
    }

    #[test]
    fn a_link_planted_in_the_staging_folder_is_never_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let victim = tmp.path().join("victim");
        fs::write(&victim, "root's file").unwrap();
        let s = Staging::create(&out, &plan(&["report.html", "a.csv"])).unwrap();
        // Planted by someone else between the staging folder's creation
        // and the write.
        symlink(&victim, s.path("report.html")).unwrap();
        let e = s.create_file("report.html").unwrap_err();
        assert_eq!(e.exit_code(), crate::error::EXIT_IO, "{e}");
        assert!(e.to_string().contains("report.html"), "{e}");
        assert!(s.replace_file("a.csv").is_ok());
        // replace_file removes a planted link and writes a new file.
        symlink(&victim, s.path("b.csv")).unwrap();
        s.replace_file("b.csv").unwrap().write_all(b"ours").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "root's file");
        drop(s);
        assert_eq!(fs::read_to_string(&victim).unwrap(), "root's file");
        // A planted staging folder of a "dead run" that is a link to a
        // folder: the link is removed, the folder's files stay.
        publish(&out, &[("a.csv", "1")]).unwrap();
        let folder = tmp.path().join("folder");
        fs::create_dir(&folder).unwrap();
        fs::write(folder.join("x"), "keep").unwrap();
        let releases = out.join(STORE).join(RELEASES);
        symlink(&folder, releases.join(".staging-77")).unwrap();
        symlink(&folder, releases.join("run-000099")).unwrap();
        symlink(&folder, out.join(STORE).join("current.new-77")).unwrap();
        publish(&out, &[("a.csv", "2")]).unwrap();
        publish(&out, &[("a.csv", "3")]).unwrap();
        assert_eq!(fs::read_to_string(folder.join("x")).unwrap(), "keep");
        assert!(fs::symlink_metadata(releases.join(".staging-77")).is_err());
        assert!(fs::symlink_metadata(releases.join("run-000099")).is_ok());
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "3");
    }

    #[test]
    fn published_names_are_hard_links_to_the_current_release() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        publish(&out, &[("a.csv", "first")]).unwrap();
        publish(&out, &[("a.csv", "second")]).unwrap();
        let top = fs::symlink_metadata(out.join("a.csv")).unwrap();
        assert!(top.file_type().is_file());
        let current = fs::metadata(out.join(STORE).join(CURRENT).join("a.csv")).unwrap();
        assert_eq!((top.dev(), top.ino()), (current.dev(), current.ino()));
        // No side names are left.
        let names: Vec<String> = fs::read_dir(&out)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        // The earlier form, a link into current/, is replaced by a file.
        fs::remove_file(out.join("a.csv")).unwrap();
        symlink(link_target("a.csv"), out.join("a.csv")).unwrap();
        publish(&out, &[("a.csv", "third")]).unwrap();
        let top = fs::symlink_metadata(out.join("a.csv")).unwrap();
        assert!(top.file_type().is_file());
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "third");
    }

    #[test]
    fn a_file_edited_in_place_is_refused_and_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        publish(&out, &[("a.csv", "published\n")]).unwrap();
        // A spreadsheet saving in place: same inode, new bytes.
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(out.join("a.csv"))
            .unwrap();
        f.write_all(b"my row\n").unwrap();
        drop(f);
        let before = snapshot(&out);
        let e = Staging::create(&out, &plan(&["a.csv"])).unwrap_err();
        assert_eq!(e.exit_code(), crate::error::EXIT_USAGE);
        assert!(
            e.to_string().contains("a.csv") && e.to_string().contains("changed"),
            "{e}"
        );
        assert_eq!(snapshot(&out), before);
    }

    #[test]
    fn a_failed_switch_leaves_dir_exactly_as_it_was() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        publish(&out, &[("a.csv", "1a"), ("b.csv", "1b"), ("old.csv", "1o")]).unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let before = snapshot(&out);
        // The switch fails at each name in turn: every name switched so
        // far (new ones and replaced ones) is put back.
        for at in 0..4 {
            let names = ["a.csv", "b.csv", "c.csv", MARKER];
            let mut s = Staging::create(&out, &plan(&names)).unwrap();
            for n in names {
                s.create_file(n).unwrap().write_all(b"2").unwrap();
            }
            s.fail_at = Some(at);
            let e = s.publish().unwrap_err();
            assert!(e.to_string().contains("test"), "{e}");
            assert_eq!(snapshot(&out), before, "failed at {at}");
        }
        publish(&out, &[("a.csv", "3")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "3");
        assert!(fs::symlink_metadata(out.join("b.csv")).is_err());
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    }

    #[test]
    fn side_names_of_a_killed_switch_are_cleared_and_foreign_ones_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        publish(&out, &[("a.csv", "1")]).unwrap();
        // A run killed between its exchange and the removal leaves the
        // old file under the side name.
        fs::hard_link(out.join("a.csv"), out.join(".a.csv.milia-rank-new")).unwrap();
        publish(&out, &[("a.csv", "2")]).unwrap();
        assert!(fs::symlink_metadata(out.join(".a.csv.milia-rank-new")).is_err());
        // Someone else's file under a side name stops the run.
        fs::write(out.join(".a.csv.milia-rank-old"), "theirs").unwrap();
        let e = Staging::create(&out, &plan(&["a.csv"])).unwrap_err();
        assert_eq!(e.exit_code(), crate::error::EXIT_USAGE);
        assert_eq!(
            fs::read_to_string(out.join(".a.csv.milia-rank-old")).unwrap(),
            "theirs"
        );
    }

    #[test]
    fn pruning_keeps_a_release_a_name_in_dir_still_links_to() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let one = |files: &[&str], body: &str| {
            let mut p = plan(files);
            p.keep = 1;
            let s = Staging::create(&out, &p).unwrap();
            for n in files {
                s.create_file(n)
                    .unwrap()
                    .write_all(body.as_bytes())
                    .unwrap();
            }
            s.publish().unwrap();
        };
        one(&["a.csv", "c.csv"], "1");
        // c.csv edited in place: the user's now, and still run-000001's.
        fs::OpenOptions::new()
            .append(true)
            .open(out.join("c.csv"))
            .unwrap()
            .write_all(b"edit")
            .unwrap();
        one(&["a.csv"], "2");
        let releases = out.join(STORE).join(RELEASES);
        assert!(releases.join("run-000001").is_dir());
        assert_eq!(fs::read_to_string(out.join("c.csv")).unwrap(), "1edit");
        fs::remove_file(out.join("c.csv")).unwrap();
        one(&["a.csv"], "3");
        assert!(!releases.join("run-000001").exists());
        assert!(!releases.join("run-000002").exists());
    }

    #[test]
    fn modes_come_from_dir_never_wider() {
        let m = |d: u32| {
            let x = Modes::of(d);
            (x.dir.as_raw_mode(), x.file.as_raw_mode())
        };
        assert_eq!(m(0o40755), (0o755, 0o644));
        assert_eq!(m(0o42770), (0o2750, 0o640));
        assert_eq!(m(0o40700), (0o700, 0o600));
        assert_eq!(m(0o41777), (0o755, 0o644));
        assert_eq!(m(0o40500), (0o700, 0o600));
    }

    #[test]
    fn system_roots_are_never_an_output_directory() {
        for p in [
            "/",
            "//",
            "/etc",
            "/etc/",
            "/etc/..",
            "/usr/./",
            "/proc/self",
            "/var",
        ] {
            assert!(is_system_root(Path::new(p)), "{p}");
            let e = Staging::create(Path::new(p), &plan(&["a.csv"])).unwrap_err();
            assert_eq!(e.exit_code(), crate::error::EXIT_USAGE, "{p}: {e}");
        }
        for p in ["/tmp/x", "/srv/shop", "/var/lib/shop", "out", "/dev/shm/x"] {
            assert!(!is_system_root(Path::new(p)), "{p}");
        }
    }

    #[test]
    fn the_staging_folder_is_removed_without_allocating() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let s = Staging::create(&out, &plan(&["a.csv"])).unwrap();
        s.create_file("a.csv").unwrap().write_all(b"half").unwrap();
        s.create_file("b.csv").unwrap();
        assert!(s.dir().is_dir());
        // (The registered folder is the process's: tests run side by side,
        // so this one names its own.)
        remove_staging_in(s.releases_fd());
        assert!(!s.dir().exists());
        drop(s);
    }

    #[test]
    fn a_store_left_half_built_by_a_killed_run_is_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        publish(&out, &[("a.csv", "1")]).unwrap();
        let dead = out.join(".milia-rank.new-77-000000001");
        fs::create_dir_all(dead.join(RELEASES)).unwrap();
        fs::write(dead.join(OWNER), OWNER_TEXT).unwrap();
        // One with something else in it is not a build's: kept.
        let other = out.join(".milia-rank.new-78-000000001");
        fs::create_dir_all(other.join(RELEASES)).unwrap();
        fs::write(other.join(OWNER), OWNER_TEXT).unwrap();
        fs::write(other.join("notes.txt"), "mine").unwrap();
        publish(&out, &[("a.csv", "2")]).unwrap();
        assert!(!dead.exists());
        assert!(other.join("notes.txt").exists());
    }

    #[test]
    fn a_waiting_run_takes_over_when_the_first_run_removes_its_new_store() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let first = Staging::create(&out, &plan(&["a.csv"])).unwrap();
        let waiting = {
            let out = out.clone();
            std::thread::spawn(move || {
                let mut p = plan(&["a.csv"]);
                p.wait = true;
                let s = Staging::create(&out, &p)?;
                s.create_file("a.csv")
                    .unwrap()
                    .write_all(b"second")
                    .unwrap();
                s.publish()
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(200));
        // The first run fails: its store (made by it, empty) goes, and the
        // waiting run, locked on a folder no longer in DIR, starts over.
        drop(first);
        waiting.join().unwrap().unwrap();
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "second");
    }
}
