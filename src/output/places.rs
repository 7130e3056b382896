//! The places of a release's rows: a compact index written beside each
//! ranking and scores.csv while they are written, so that tomorrow's
//! comparison reads 24 bytes a row instead of parsing the CSV text.
//!
//! `<file>`'s index is `.<file>.places` in the same release folder (its
//! name starts with a dot: it is kept in the store and never linked into
//! DIR). It holds one record per data row, in the file's order:
//!
//! | bytes | field |
//! |---|---|
//! | 8 | fingerprint of the product id ([`crate::pipeline::fingerprint`]) |
//! | 8 | byte offset where the row starts in the file |
//! | 4 | rank (0 in scores.csv) |
//! | 2 | score in tenths of a point, as written (0 in scores.csv) |
//! | 2 | zero |
//!
//! and ends with a 32-byte trailer: the magic `MRPLACE1`, the number of
//! records, and the size and modification time (nanoseconds) of the file
//! it indexes, all little-endian. An index whose trailer, size or
//! indexed file's size and time do not match is not used: the comparison
//! reads the CSV instead, as it does for a folder without indexes.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Bytes of one record.
pub const RECORD: usize = 24;
const TRAILER: usize = 32;
const MAGIC: &[u8; 8] = b"MRPLACE1";

/// The index file's name for a published file's name.
pub fn index_name(file: &str) -> String {
    format!(".{file}.places")
}

/// One row's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub fp: u64,
    /// Where the row starts in its file.
    pub offset: u64,
    pub rank: u32,
    /// The score in tenths of a point, as written.
    pub tenths: u16,
}

impl Place {
    fn to_bytes(self) -> [u8; RECORD] {
        let mut b = [0u8; RECORD];
        b[0..8].copy_from_slice(&self.fp.to_le_bytes());
        b[8..16].copy_from_slice(&self.offset.to_le_bytes());
        b[16..20].copy_from_slice(&self.rank.to_le_bytes());
        b[20..22].copy_from_slice(&self.tenths.to_le_bytes());
        b
    }

    fn from_bytes(b: &[u8]) -> Place {
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or_default());
        Place {
            fp: u64_at(0),
            offset: u64_at(8),
            rank: u32::from_le_bytes(b[16..20].try_into().unwrap_or_default()),
            tenths: u16::from_le_bytes(b[20..22].try_into().unwrap_or_default()),
        }
    }
}

/// A score as the place records it: tenths of a point, as written to one
/// decimal, within 0..=65535.
pub fn tenths(score: f64) -> u16 {
    (score * 10.0).round().clamp(0.0, 65535.0) as u16
}

/// Writes an index while its file is written.
pub struct Writer {
    w: BufWriter<File>,
    path: PathBuf,
    count: u64,
}

impl Writer {
    /// An index writing into `f` (named `path` in messages).
    pub fn new(f: File, path: PathBuf) -> Writer {
        Writer {
            w: BufWriter::with_capacity(1 << 16, f),
            path,
            count: 0,
        }
    }

    pub fn push(&mut self, p: Place) -> Result<()> {
        self.count += 1;
        self.w
            .write_all(&p.to_bytes())
            .map_err(|e| Error::io(&self.path, e))
    }

    /// Ends the index of `indexed`, which must be written and flushed.
    pub fn finish(mut self, indexed: &Path) -> Result<()> {
        let meta = std::fs::metadata(indexed).map_err(|e| Error::io(indexed, e))?;
        let mut t = [0u8; TRAILER];
        t[0..8].copy_from_slice(MAGIC);
        t[8..16].copy_from_slice(&self.count.to_le_bytes());
        t[16..24].copy_from_slice(&meta.len().to_le_bytes());
        t[24..32].copy_from_slice(&mtime_ns(&meta).to_le_bytes());
        self.w
            .write_all(&t)
            .and_then(|()| self.w.flush())
            .map_err(|e| Error::io(&self.path, e))
    }
}

fn mtime_ns(meta: &std::fs::Metadata) -> u64 {
    (meta.mtime().max(0) as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(meta.mtime_nsec().max(0) as u64)
}

/// The index of `file` when it is there and still matches it; None
/// otherwise (the caller reads the CSV). It is looked for beside the file
/// (in a release) and, for a published `DIR/<file>`, in DIR's current
/// release.
pub fn open(file: &Path) -> Option<Reader> {
    let name = index_name(file.file_name()?.to_str()?);
    let indexed = std::fs::metadata(file).ok()?;
    [
        file.with_file_name(&name),
        file.with_file_name(super::publish::STORE)
            .join(super::publish::CURRENT)
            .join(&name),
    ]
    .into_iter()
    .find_map(|path| open_at(path, &indexed))
}

fn open_at(path: PathBuf, indexed: &std::fs::Metadata) -> Option<Reader> {
    let mut f = File::open(&path).ok()?;
    let len = f.metadata().ok()?.len();
    if len < TRAILER as u64 {
        return None;
    }
    let mut t = [0u8; TRAILER];
    f.seek(SeekFrom::Start(len - TRAILER as u64)).ok()?;
    f.read_exact(&mut t).ok()?;
    let field = |i: usize| u64::from_le_bytes(t[i..i + 8].try_into().unwrap_or_default());
    let count = field(8);
    let fits = count
        .checked_mul(RECORD as u64)
        .and_then(|n| n.checked_add(TRAILER as u64))
        == Some(len);
    if &t[0..8] != MAGIC || !fits || field(16) != indexed.len() || field(24) != mtime_ns(indexed) {
        return None;
    }
    f.seek(SeekFrom::Start(0)).ok()?;
    Some(Reader {
        r: BufReader::with_capacity(1 << 16, f),
        path,
        left: count,
    })
}

/// Reads an index's places in order.
pub struct Reader {
    r: BufReader<File>,
    path: PathBuf,
    left: u64,
}

impl Reader {
    /// How many places are left to read.
    pub fn len(&self) -> u64 {
        self.left
    }

    pub fn is_empty(&self) -> bool {
        self.left == 0
    }

    /// Calls `each` on every place, in the file's order.
    pub fn each(mut self, mut each: impl FnMut(Place)) -> Result<()> {
        let mut buf = vec![0u8; RECORD * 4096];
        while self.left > 0 {
            let n = self.left.min(4096) as usize;
            let chunk = &mut buf[..n * RECORD];
            self.r
                .read_exact(chunk)
                .map_err(|e| Error::io(&self.path, e))?;
            for rec in chunk.chunks_exact(RECORD) {
                each(Place::from_bytes(rec));
            }
            self.left -= n as u64;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, places: &[Place]) -> PathBuf {
        let file = dir.join("x.csv");
        std::fs::write(&file, b"rank,product_id\n1,a\n").unwrap();
        let idx = dir.join(index_name("x.csv"));
        let mut w = Writer::new(File::create(&idx).unwrap(), idx.clone());
        for p in places {
            w.push(*p).unwrap();
        }
        w.finish(&file).unwrap();
        file
    }

    fn read(file: &Path) -> Option<Vec<Place>> {
        let r = open(file)?;
        let mut out = Vec::new();
        r.each(|p| out.push(p)).unwrap();
        Some(out)
    }

    #[test]
    fn places_come_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let places: Vec<Place> = (0..10_000u32)
            .map(|i| Place {
                fp: u64::MAX - i as u64 * 7919,
                offset: i as u64 * 131,
                rank: i + 1,
                tenths: (i % 1001) as u16,
            })
            .collect();
        let file = write(dir.path(), &places);
        assert_eq!(read(&file).unwrap(), places);
    }

    #[test]
    fn an_index_that_no_longer_matches_its_file_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let p = Place {
            fp: 1,
            offset: 16,
            rank: 1,
            tenths: 500,
        };
        // The indexed file changed size.
        let file = write(dir.path(), &[p]);
        assert!(read(&file).is_some());
        std::fs::write(&file, b"rank,product_id\n1,ab\n").unwrap();
        assert!(read(&file).is_none());
        // Same size, written again later.
        let file = write(dir.path(), &[p]);
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&file, b"rank,product_id\n1,b\n").unwrap();
        assert!(read(&file).is_none());
        // A cut index.
        let file = write(dir.path(), &[p, p]);
        let idx = dir.path().join(index_name("x.csv"));
        let bytes = std::fs::read(&idx).unwrap();
        std::fs::write(&idx, &bytes[RECORD..]).unwrap();
        assert!(read(&file).is_none());
        // No index at all.
        std::fs::remove_file(&idx).unwrap();
        assert!(read(&file).is_none());
    }

    #[test]
    fn tenths_are_the_written_decimal() {
        for s in [0.0, 0.04, 0.05, 12.25, 71.46, 99.95, 100.0, -3.0] {
            let written: f64 = crate::model::score::fmt1(s).parse().unwrap();
            assert_eq!(
                tenths(s),
                (written * 10.0).round().clamp(0.0, 65535.0) as u16,
                "{s}"
            );
        }
    }
}
