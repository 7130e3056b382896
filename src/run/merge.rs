//! `merge`'s input stage: the parts `score-rows` wrote, read in order into
//! the same collector `score` uses. Before anything is created in DIR,
//! every part's closing record is read and checked (cut short, another
//! knowledge base or profiles, a `--top` too small); then the records
//! stream, a batch of lines parsed at a time on the pool.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::catalog::Columns;
use crate::error::{Error, Result};

use super::collect::Collector;
use super::records::{self, CountRecord, Record, RejectRecord};

/// Lines parsed per batch.
const LINES: usize = 4096;

/// The part files of PARTS: a file as given, a folder as its files in
/// name order, leaving out names starting with `_` or `.` (Spark's
/// `_SUCCESS`, hidden checksum files).
pub fn part_files(parts: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in parts {
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if !meta.is_dir() {
            files.push(p.clone());
            continue;
        }
        let mut inside: Vec<PathBuf> = std::fs::read_dir(p)
            .map_err(|e| Error::io(p, e))?
            .flatten()
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                !name.starts_with('_') && !name.starts_with('.')
            })
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        inside.sort();
        if inside.is_empty() {
            return Err(Error::Data {
                file: p.display().to_string(),
                line: 0,
                column: None,
                message: "the folder holds no part file".into(),
            });
        }
        files.extend(inside);
    }
    if files.is_empty() {
        return Err(Error::Usage("merge: no part given".into()));
    }
    Ok(files)
}

fn damaged(part: &Path, line: u64, message: String) -> Error {
    Error::Data {
        file: part.display().to_string(),
        line,
        column: None,
        message,
    }
}

fn cut_short(part: &Path) -> Error {
    damaged(
        part,
        0,
        "the part is cut short: it does not end with score-rows' closing `count` record (a score-rows run that failed or was killed, a copy still being written); nothing was published".into(),
    )
}

/// A part's bytes, decompressed when it is gzip or zstd (Spark's
/// `compression` option), and whether it was.
fn open_part(part: &Path) -> Result<(Box<dyn Read + Send>, bool)> {
    let f = File::open(part).map_err(|e| Error::io(part, e))?;
    let name = part.display().to_string();
    let (input, compression) = crate::catalog::input::open_container(Box::new(f), &name)?;
    Ok((input, compression.is_some()))
}

/// The last line of a compressed part that is not empty, read through.
fn last_line_read_through(part: &Path, input: Box<dyn Read + Send>) -> Result<String> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let (mut line, mut last) = (String::new(), String::new());
    loop {
        line.clear();
        let n = input
            .read_line(&mut line)
            .map_err(|e| damaged(part, 0, e.to_string()))?;
        if n == 0 {
            return Ok(last);
        }
        if !line.trim_ascii().is_empty() {
            std::mem::swap(&mut line, &mut last);
        }
    }
}

/// The last line of a file (without its line end), read from the end.
fn last_line(path: &Path) -> Result<String> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = f.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut end = len;
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let start = end.saturating_sub(1 << 16);
        let mut chunk = vec![0u8; (end - start) as usize];
        f.seek(SeekFrom::Start(start))
            .and_then(|_| f.read_exact(&mut chunk))
            .map_err(|e| Error::io(path, e))?;
        chunk.extend_from_slice(&tail);
        tail = chunk;
        let body = tail.trim_ascii_end();
        if let Some(i) = body.iter().rposition(|b| *b == b'\n') {
            return Ok(String::from_utf8_lossy(&body[i + 1..]).into_owned());
        }
        if start == 0 {
            return Ok(String::from_utf8_lossy(body).into_owned());
        }
        end = start;
    }
}

/// Checks a part's closing record against the binary's version and
/// digest and the merge's `--top`.
fn check_count(part: &Path, count: &CountRecord, digest: &str, top: Option<usize>) -> Result<()> {
    let version = env!("CARGO_PKG_VERSION");
    if count.version != version {
        return Err(damaged(
            part,
            0,
            format!(
                "written by milia-rank {}, and this is {version}: the scoring itself may differ between versions; score the parts and merge them with one version",
                count.version
            ),
        ));
    }
    if count.digest != digest {
        return Err(Error::Data {
            file: part.display().to_string(),
            line: 0,
            column: None,
            message: format!(
                "scored with another knowledge base, concern profiles or model (digest {}, this merge's is {digest}; concerns {}); give merge the same --knowledge, --concerns and --concerns-file as score-rows, with the same milia-rank version (the part's is {})",
                count.digest,
                count.concerns.join(","),
                count.version
            ),
        });
    }
    if let Some(n) = count.top {
        if top.is_none_or(|t| t > n) {
            return Err(Error::Usage(format!(
                "{}: score-rows kept only each concern's best {n} (--top {n}); merge can rank at most that many: give merge --top {n} or less, or run score-rows without --top",
                part.display()
            )));
        }
    }
    Ok(())
}

/// Reads and checks every part's closing record before the work; returns
/// the first one of a part that was not empty (its catalog, input and
/// columns describe the merge) and its columns.
pub fn check_parts(
    files: &[PathBuf],
    digest: &str,
    top: Option<usize>,
) -> Result<(CountRecord, Columns)> {
    let mut first = None;
    for part in files {
        let (input, compressed) = open_part(part)?;
        let line = match compressed {
            true => last_line_read_through(part, input)?,
            false => last_line(part)?,
        };
        let count = match serde_json::from_str::<Record<'_>>(&line) {
            Ok(Record::Count(c)) => c,
            Err(e) if line.starts_with(r#"{"kind":"count""#) => {
                return Err(damaged(
                    part,
                    0,
                    format!("its closing record cannot be read ({e}): written by another version of milia-rank? Score the parts and merge them with one version; nothing was published"),
                ))
            }
            _ => return Err(cut_short(part)),
        };
        check_count(part, &count, digest, top)?;
        if first.is_none() {
            if let Some(columns) = count.columns.clone() {
                first = Some((*count, columns));
            }
        }
    }
    first.ok_or_else(|| Error::Data {
        file: files[0].display().to_string(),
        line: 0,
        column: None,
        message: format!(
            "every part ({}) is of an empty input: the catalog has no header and no rows; nothing was published",
            files.len()
        ),
    })
}

/// What reading one part needs.
pub struct Reading<'a> {
    pub digest: &'a str,
    pub top: Option<usize>,
    pub slugs: &'a [String],
    pub pool: &'a rayon::ThreadPool,
}

/// Where the reading of the parts is: the line offset of this part, and
/// the empty lines since the last record of the parts before it (counted,
/// as in one file, by this part's first record).
#[derive(Default)]
struct Segment {
    offset: u64,
    pending_empty: u64,
    /// The line of the part's first record, as the part numbers it.
    first: Option<u64>,
    /// Records seen in the segment: products, entries, rejects, variants,
    /// blank, headers.
    seen: [u64; 6],
    /// Entries left out as a repeated id's.
    dropped: u64,
    open: bool,
}

impl Segment {
    /// A line of the part as the whole catalog numbers it.
    fn line(&mut self, local: u64) -> u64 {
        let first = *self.first.get_or_insert(local);
        if local == first {
            local + self.offset - self.pending_empty.min(self.offset)
        } else {
            local + self.offset
        }
    }
}

/// Reads every part, in order, into the collector.
pub fn read_parts(files: &[PathBuf], r: &Reading<'_>, c: &mut Collector) -> Result<()> {
    let mut seg = Segment::default();
    for part in files {
        read_part(part, r, c, &mut seg)?;
        if seg.open {
            return Err(cut_short(part));
        }
    }
    Ok(())
}

fn read_part(part: &Path, r: &Reading<'_>, c: &mut Collector, seg: &mut Segment) -> Result<()> {
    let (input, _) = open_part(part)?;
    let mut input = BufReader::with_capacity(1 << 16, input);
    let mut line_no = 0u64;
    loop {
        let mut lines = Vec::with_capacity(LINES);
        for _ in 0..LINES {
            let mut s = String::new();
            let n = input
                .read_line(&mut s)
                .map_err(|e| damaged(part, line_no + lines.len() as u64 + 1, e.to_string()))?;
            if n == 0 {
                break;
            }
            lines.push(s);
        }
        if lines.is_empty() {
            return Ok(());
        }
        let parsed: Vec<std::result::Result<Option<Record<'_>>, serde_json::Error>> =
            r.pool.install(|| {
                lines
                    .par_iter()
                    .map(|l| match l.trim_ascii() {
                        // An empty line (a trailing one, an editor's) is no record.
                        "" => Ok(None),
                        l => serde_json::from_str(l).map(Some),
                    })
                    .collect()
            });
        for record in parsed {
            line_no += 1;
            let record = record.map_err(|e| {
                damaged(
                    part,
                    line_no,
                    format!("not a score-rows record ({e}); nothing was published"),
                )
            })?;
            if let Some(record) = record {
                take(record, part, line_no, r, c, seg)?;
            }
        }
    }
}

/// One record into the collector, its lines moved by the segment's offset.
fn take(
    record: Record<'_>,
    part: &Path,
    line_no: u64,
    r: &Reading<'_>,
    c: &mut Collector,
    seg: &mut Segment,
) -> Result<()> {
    seg.open = true;
    match record {
        Record::Product(mut p) => {
            seg.seen[0] += 1;
            p.line = seg.line(p.line);
            let raw = std::mem::take(&mut p.raw);
            c.product(*p, || raw)?;
        }
        Record::Entry(e) => {
            seg.seen[1] += 1;
            let Some(i) = r.slugs.iter().position(|s| *s == e.concern) else {
                return Err(damaged(
                    part,
                    line_no,
                    format!(
                        "an entry of concern `{}`, which this merge does not rank",
                        e.concern
                    ),
                ));
            };
            let mut e = records::entry_of(*e);
            e.line = seg.line(e.line);
            if c.is_duplicate(e.line) {
                seg.dropped += 1;
            } else {
                c.entry(i, e)?;
            }
        }
        Record::Reject(mut x) => {
            seg.seen[2] += 1;
            move_lines(&mut x, seg);
            c.reject(*x)?;
        }
        Record::Variant(mut x) => {
            seg.seen[3] += 1;
            move_lines(&mut x, seg);
            c.variant(*x)?;
        }
        Record::Blank { line } => {
            seg.seen[4] += 1;
            seg.line(line);
            c.blank();
        }
        Record::Header { line } => {
            seg.seen[5] += 1;
            let line = seg.line(line);
            c.header(line);
        }
        Record::Count(count) => close(&count, part, line_no, r, seg)?,
    }
    Ok(())
}

/// A reject's line as the whole catalog numbers it, and the lines its
/// reason names (`the row runs over N lines (A to B)`, see
/// [`crate::pipeline::check`]).
fn move_lines(x: &mut RejectRecord, seg: &mut Segment) {
    let first = x.row.line;
    x.row.line = seg.line(first);
    if x.lines > 1 && x.row.line != first {
        let last = first + x.lines - 1;
        let local = format!("({first} to {last})");
        if x.row.reason.contains(&local) {
            let moved = format!("({} to {})", x.row.line, x.row.line + x.lines - 1);
            x.row.reason = x.row.reason.replacen(&local, &moved, 1);
        }
    }
}

/// The end of a segment: its counts checked, the next one's offset.
fn close(
    count: &CountRecord,
    part: &Path,
    line_no: u64,
    r: &Reading<'_>,
    seg: &mut Segment,
) -> Result<()> {
    check_count(part, count, r.digest, r.top)?;
    let said = [
        count.products,
        count.entries,
        count.rejects,
        count.variants,
        count.blank,
        count.headers,
    ];
    if said != seg.seen {
        return Err(damaged(
            part,
            line_no,
            format!(
                "the closing record counts {said:?} products, entries, rejects, variants, blank and header lines, but the part holds {:?}: records were lost or added; nothing was published",
                seg.seen
            ),
        ));
    }
    if count.top.is_some() && seg.dropped > 0 {
        return Err(damaged(
            part,
            line_no,
            "score-rows --top kept entries of a product whose id an earlier part has: its local best list may miss a product the merged ranking needs; run score-rows without --top".into(),
        ));
    }
    let pending_empty = match seg.first {
        Some(_) => count.trailing_empty,
        None => seg.pending_empty + count.lines,
    };
    *seg = Segment {
        offset: seg.offset + count.lines,
        pending_empty,
        ..Segment::default()
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_its_files_in_name_order_without_hidden_and_marker_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("parts");
        std::fs::create_dir(&dir).unwrap();
        for name in [
            "part-00002",
            "_SUCCESS",
            ".part-00001.crc",
            "part-00001",
            "part-00010",
        ] {
            std::fs::write(dir.join(name), "").unwrap();
        }
        std::fs::create_dir(dir.join("part-00003")).unwrap();
        let single = tmp.path().join("extra.jsonl");
        std::fs::write(&single, "").unwrap();
        let files = part_files(&[dir.clone(), single.clone()]).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            ["part-00001", "part-00002", "part-00010", "extra.jsonl"]
        );
        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        assert!(part_files(&[empty]).is_err());
    }

    #[test]
    fn the_last_line_is_found_across_chunks_and_without_a_line_end() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("part");
        let long = "x".repeat(200_000);
        for (text, want) in [
            (format!("{long}\nlast\n"), "last".to_string()),
            (format!("a\n{long}"), long.clone()),
            ("only\n\n\n".to_string(), "only".to_string()),
            (String::new(), String::new()),
        ] {
            std::fs::write(&p, &text).unwrap();
            assert_eq!(last_line(&p).unwrap(), want);
        }
    }

    #[test]
    fn a_part_s_first_record_takes_the_empty_lines_before_it() {
        let mut seg = Segment {
            offset: 10,
            pending_empty: 2,
            ..Segment::default()
        };
        assert_eq!(seg.line(2), 10);
        assert_eq!(seg.line(3), 13);
        // An entry of the first product has its line.
        assert_eq!(seg.line(2), 10);
        let mut first = Segment::default();
        assert_eq!(first.line(2), 2);
    }
}
