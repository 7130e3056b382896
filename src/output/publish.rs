//! Atomic publishing of the output directory.
//!
//! Every file of a run is written into a staging directory beside the
//! output directory and flushed to disk. Only when all of them are complete
//! is the staging directory swapped with the published one in a single
//! `renameat2(RENAME_EXCHANGE)` call, so a reader sees either the old set
//! or the new set, never a mix. A run that fails or is killed leaves the
//! published directory untouched; its staging directory is removed then or
//! by the next run.

use std::ffi::CString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The file that marks a directory as a published output.
pub const MARKER: &str = "summary.json";

/// A staging directory for one run.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    published: bool,
}

fn staging_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    format!(".{name}.staging-")
}

impl Staging {
    /// Checks the target and creates a fresh staging directory beside it.
    pub fn create(target: &Path) -> Result<Staging> {
        let target = if target.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            target.to_path_buf()
        };
        let target = match target.file_name() {
            Some(_) => target,
            // "out/.." or "/" have no name: use the canonical path.
            None => fs::canonicalize(&target).map_err(|e| Error::io(&target, e))?,
        };
        // A symlink to a directory (a web root, say) stays a symlink: the
        // directory it points to is the one replaced.
        let target = match fs::symlink_metadata(&target) {
            Ok(m) if m.file_type().is_symlink() && target.is_dir() => {
                fs::canonicalize(&target).map_err(|e| Error::io(&target, e))?
            }
            _ => target,
        };
        if let Ok(meta) = fs::symlink_metadata(&target) {
            if !meta.is_dir() {
                return Err(Error::Io {
                    path: target.display().to_string(),
                    message: if meta.file_type().is_symlink() {
                        "the output path is a link that does not lead to a directory".into()
                    } else {
                        "the output path is a file, not a directory".into()
                    },
                });
            }
            let mut entries = fs::read_dir(&target).map_err(|e| Error::io(&target, e))?;
            let empty = entries.next().is_none();
            if !empty && !target.join(MARKER).exists() {
                return Err(Error::Usage(format!(
                    "refusing to replace {}: it holds files that are not a previous milia-rank output (no {MARKER}); choose a new or empty --out directory",
                    target.display()
                )));
            }
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        clean_stale(&parent, &staging_prefix(&target));
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = parent.join(format!(
            "{}{}-{nanos}",
            staging_prefix(&target),
            std::process::id()
        ));
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Staging {
            dir,
            target,
            published: false,
        })
    }

    /// A file's path inside the staging directory.
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// The directory being published to.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes every staged file and swaps the staging directory into place.
    pub fn publish(mut self) -> Result<()> {
        let mut files = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(|e| Error::io(&self.dir, e))? {
            files.push(entry.map_err(|e| Error::io(&self.dir, e))?.path());
        }
        // Flush the files to disk side by side: the device queues them.
        let synced: Vec<Result<()>> = std::thread::scope(|scope| {
            let handles: Vec<_> = files
                .iter()
                .map(|path| {
                    scope.spawn(move || {
                        let f = fs::File::open(path).map_err(|e| Error::io(path, e))?;
                        f.sync_all().map_err(|e| Error::io(path, e))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::Refused(
                            "internal error: flushing a file failed".into(),
                        ))
                    })
                })
                .collect()
        });
        synced.into_iter().collect::<Result<Vec<()>>>()?;
        sync_dir(&self.dir);
        if fs::symlink_metadata(&self.target).is_err() {
            fs::rename(&self.dir, &self.target).map_err(|e| Error::io(&self.target, e))?;
        } else if exchange(&self.dir, &self.target).is_ok() {
            // The staging path now holds the previous output.
            let _ = fs::remove_dir_all(&self.dir);
        } else {
            // No atomic exchange on this filesystem: the shortest possible gap.
            let old = self.dir.with_extension("old");
            fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, e))?;
            if let Err(e) = fs::rename(&self.dir, &self.target) {
                let _ = fs::rename(&old, &self.target);
                return Err(Error::io(&self.target, e));
            }
            let _ = fs::remove_dir_all(&old);
        }
        if let Some(parent) = self.target.parent() {
            sync_dir(if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            });
        }
        self.published = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both pointers are valid NUL-terminated strings for the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Removes staging directories left by runs whose process is gone.
fn clean_stale(parent: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(rest) = name.strip_prefix(prefix) else {
            continue;
        };
        let pid = rest.split(['-', '.']).next().unwrap_or("");
        let alive = !pid.is_empty() && Path::new("/proc").join(pid).exists();
        if !alive {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_replaces_whole_directory_and_failure_keeps_old() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let s = Staging::create(&out).unwrap();
        fs::write(s.path(MARKER), "1").unwrap();
        fs::write(s.path("a.csv"), "first").unwrap();
        s.publish().unwrap();
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "first");

        // A run that fails (dropped before publish) leaves the old output.
        let s = Staging::create(&out).unwrap();
        fs::write(s.path("a.csv"), "half").unwrap();
        drop(s);
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "first");

        // A second publish replaces every file.
        let s = Staging::create(&out).unwrap();
        fs::write(s.path(MARKER), "2").unwrap();
        fs::write(s.path("b.csv"), "second").unwrap();
        s.publish().unwrap();
        assert!(!out.join("a.csv").exists());
        assert_eq!(fs::read_to_string(out.join("b.csv")).unwrap(), "second");
        // No staging directories are left behind.
        let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1);
    }

    #[test]
    fn a_symlinked_output_directory_stays_a_symlink() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real");
        fs::create_dir(&real).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let s = Staging::create(&link).unwrap();
        fs::write(s.path(MARKER), "1").unwrap();
        s.publish().unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(real.join(MARKER).exists());
    }

    #[test]
    fn refuses_a_file_and_a_foreign_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        fs::write(&file, "x").unwrap();
        assert!(Staging::create(&file)
            .unwrap_err()
            .to_string()
            .contains("is a file"));
        let foreign = tmp.path().join("docs");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("notes.txt"), "keep me").unwrap();
        assert!(Staging::create(&foreign)
            .unwrap_err()
            .to_string()
            .contains("refusing"));
        assert!(foreign.join("notes.txt").exists());
    }
}
