//! Compares two published output directories: products that appeared or
//! disappeared, and per concern the products whose own score moved most.
//!
//! A product is a mover only when its own score changed by at least
//! [`MIN_SCORE_CHANGE`] points: a rank that shifts because other products
//! arrived, left or changed is not a move of its own.
//!
//! Only one concern's rankings of both runs are held at a time, as maps
//! from product id to rank, score, name and reasons.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::output::places::Place;
use crate::output::rows::{ConcernPlace, ConcernRow, ScoreId};

/// The summary file every run writes.
pub const SUMMARY_FILE: &str = "summary.json";

/// Movers kept per direction and concern.
pub const MOVERS: usize = 10;

/// The smallest change of a product's own score, in points, that makes it
/// a riser or a faller (scores are written to one decimal).
pub const MIN_SCORE_CHANGE: f64 = 1.0;

/// A product whose rank changed in one concern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mover {
    pub product_id: String,
    pub name: String,
    pub old_rank: u64,
    pub new_rank: u64,
    pub old_score: f64,
    pub new_score: f64,
    pub old_reasons: String,
    pub new_reasons: String,
}

impl Mover {
    /// Places gained (positive) or lost (negative).
    pub fn rank_change(&self) -> i64 {
        self.old_rank as i64 - self.new_rank as i64
    }

    /// Points gained (positive for a riser) or lost (negative for a faller).
    pub fn score_change(&self) -> f64 {
        self.new_score - self.old_score
    }
}

/// The biggest movers of one concern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConcernChanges {
    pub slug: String,
    /// Products in both runs whose score changed by at least
    /// [`MIN_SCORE_CHANGE`], up or down (all of them, not only those listed).
    pub score_changes: u64,
    /// Up to [`MOVERS`] products whose score rose, biggest change first.
    pub risers: Vec<Mover>,
    /// Up to [`MOVERS`] products whose score fell, biggest change first.
    pub fallers: Vec<Mover>,
}

/// What changed between a previous run and the current one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Changes {
    /// The previous directory, as given.
    pub previous: String,
    /// The previous run's start time and catalog, from its summary.json
    /// (null where it did not record them).
    pub previous_started_at: Option<String>,
    pub previous_catalog: Option<String>,
    pub previous_catalog_bytes: Option<u64>,
    pub previous_catalog_modified: Option<String>,
    /// The score change that makes a mover ([`MIN_SCORE_CHANGE`]).
    pub min_score_change: f64,
    /// Products only in the current run: (id, name), the first
    /// [`MAX_LISTED`] by id.
    pub new_products: Vec<(String, String)>,
    /// How many products are only in the current run.
    pub new_products_count: u64,
    /// Products only in the previous run: (id, name), the first
    /// [`MAX_LISTED`] by id.
    pub dropped_products: Vec<(String, String)>,
    /// How many products are only in the previous run.
    pub dropped_products_count: u64,
    /// Concerns present in both runs, in the current run's order.
    pub concerns: Vec<ConcernChanges>,
}

impl Changes {
    /// Products whose score changed by at least the threshold, over all
    /// concerns (a product counts once per concern).
    pub fn score_changes(&self) -> u64 {
        self.concerns.iter().map(|c| c.score_changes).sum()
    }

    /// Whether this run differs from the previous one: a product new or
    /// dropped, or a score changed by at least the threshold.
    pub fn differs(&self) -> bool {
        self.new_products_count > 0 || self.dropped_products_count > 0 || self.score_changes() > 0
    }

    /// A short text of what changed between a mover's old and new reasons.
    ///
    /// Reason items are `; `-separated. Items only in the new reasons are
    /// `added`, items only in the old ones `removed`; an item whose text is
    /// the same but for its numbers (a position or a weight) is `changed`
    /// and shows each differing number as `old→new`. Each list names at most
    /// [`REASON_ITEMS`] items, its items separated by ` | `.
    pub fn reason_change(m: &Mover) -> String {
        let old = split_reasons(&m.old_reasons);
        let new = split_reasons(&m.new_reasons);
        let added = multiset_minus(&new, &old);
        let mut removed: Vec<Option<&str>> =
            multiset_minus(&old, &new).into_iter().map(Some).collect();
        let mut changed = Vec::new();
        let mut only_added = Vec::new();
        for a in added {
            let key = segments(a);
            let pair = removed
                .iter_mut()
                .find(|r| r.is_some_and(|r| same_text(&segments(r), &key)));
            match pair.and_then(Option::take) {
                Some(r) => changed.push(merge_numbers(&segments(r), &key)),
                None => only_added.push(a.to_string()),
            }
        }
        let removed: Vec<String> = removed.into_iter().flatten().map(str::to_string).collect();
        let parts: Vec<String> = [
            ("added", only_added),
            ("removed", removed),
            ("changed", changed),
        ]
        .into_iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(what, items)| format!("{what}: {}", short_list(&items)))
        .collect();
        if parts.is_empty() {
            "reasons unchanged".to_string()
        } else {
            parts.join("; ")
        }
    }
}

/// Items named per list in [`Changes::reason_change`].
pub const REASON_ITEMS: usize = 4;

fn short_list(items: &[String]) -> String {
    let mut s = items[..items.len().min(REASON_ITEMS)].join(" | ");
    if items.len() > REASON_ITEMS {
        s.push_str(&format!(" | {} more", items.len() - REASON_ITEMS));
    }
    s
}

fn split_reasons(s: &str) -> Vec<&str> {
    s.split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect()
}

/// Splits text into text and number pieces, alternating and starting with
/// text (possibly empty): `at #4 (x, -4.5)` gives `at #`, `4`, ` (x, `,
/// `-4.5`, `)`.
fn segments(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut text_start) = (0, 0);
    while i < b.len() {
        let signed = (b[i] == b'+' || b[i] == b'-') && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        if !(b[i].is_ascii_digit() || signed) {
            i += 1;
            continue;
        }
        out.push(&s[text_start..i]);
        let start = i;
        i += 1;
        while i < b.len()
            && (b[i].is_ascii_digit()
                || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
        {
            i += 1;
        }
        out.push(&s[start..i]);
        text_start = i;
    }
    out.push(&s[text_start..]);
    out
}

/// Whether two segmented items have the same text pieces.
fn same_text(a: &[&str], b: &[&str]) -> bool {
    a.len() == b.len() && a.iter().zip(b).step_by(2).all(|(x, y)| x == y)
}

/// The new item with each number that changed written `old→new`.
fn merge_numbers(old: &[&str], new: &[&str]) -> String {
    let mut s = String::new();
    for (i, (o, n)) in old.iter().zip(new).enumerate() {
        if i % 2 == 1 && o != n {
            s.push_str(&format!("{o}→{n}"));
        } else {
            s.push_str(n);
        }
    }
    s
}

/// Items of `a` not matched by an equal item of `b`, in `a`'s order.
fn multiset_minus<'a>(a: &[&'a str], b: &[&str]) -> Vec<&'a str> {
    let mut left: HashMap<&str, usize> = HashMap::new();
    for x in b {
        *left.entry(x).or_default() += 1;
    }
    a.iter()
        .filter(|x| match left.get_mut(**x) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .copied()
        .collect()
}

/// Products listed by id in [`Changes::new_products`] and
/// [`Changes::dropped_products`] (the counts say how many in all).
pub const MAX_LISTED: usize = 1000;

/// Compares the run in `previous_dir` with the run in `current_dir`.
///
/// Memory is bounded by the catalog's size, never by its text: the
/// products of one run at a time are held as sorted 64-bit fingerprints of
/// their ids (8 bytes a product), and each concern is compared through a
/// table of the smaller ranking (24 bytes a row: fingerprint, byte offset,
/// rank, score in tenths) while the other streams past it; the few movers'
/// texts are read back from their offsets. Concerns are compared in
/// parallel on the current rayon pool, one table per thread at a time.
pub fn compare(previous_dir: &Path, current_dir: &Path) -> Result<Changes> {
    let old_summary = read_summary(previous_dir)?;
    let old_slugs = slugs_of(&old_summary);
    let new_summary = read_summary(current_dir)?;
    let new_slugs = slugs_of(&new_summary);
    // Each fingerprint table is sized once, from the run's own count.
    let scored = |s: &serde_json::Value| {
        s.get("rows_scored")
            .and_then(|v| v.as_u64())
            .map_or(0, |n| n.min(1 << 32) as usize)
    };
    let (old_rows, new_rows) = (scored(&old_summary), scored(&new_summary));
    let text = |k: &str| {
        old_summary
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    // The products new and dropped (one run's fingerprints at a time), on
    // one thread while the concerns are compared on the others.
    let products = || -> Result<_> {
        let old_ids = product_fingerprints(previous_dir, old_rows)?;
        let added = only_in(current_dir, &old_ids)?;
        drop(old_ids);
        let new_ids = product_fingerprints(current_dir, new_rows)?;
        let dropped = only_in(previous_dir, &new_ids)?;
        Ok((added, dropped))
    };
    use rayon::prelude::*;
    let concerns = || {
        new_slugs
            .par_iter()
            .filter(|s| old_slugs.contains(s))
            .map(|slug| concern_changes(previous_dir, current_dir, slug))
            .collect::<Result<Vec<_>>>()
    };
    let (products, concerns) = rayon::join(products, concerns);
    let ((new_count, added), (dropped_count, dropped)) = products?;
    let concerns = concerns?;
    Ok(Changes {
        previous: previous_dir.display().to_string(),
        previous_started_at: text("started_at"),
        previous_catalog: text("catalog"),
        previous_catalog_bytes: old_summary.get("catalog_bytes").and_then(|v| v.as_u64()),
        previous_catalog_modified: text("catalog_modified"),
        min_score_change: MIN_SCORE_CHANGE,
        new_products: added,
        new_products_count: new_count,
        dropped_products: dropped,
        dropped_products_count: dropped_count,
        concerns,
    })
}

/// Checks, cheaply, that a folder is a run that can be compared with: its
/// summary and the headers of its scores and rankings.
pub fn check_comparable(dir: &Path) -> Result<()> {
    let slugs = concern_slugs(dir)?;
    open_csv(&dir.join(super::SCORES_FILE), ["product_id", "name"])?;
    for slug in slugs {
        open_csv(
            &dir.join(format!("{slug}.csv")),
            ["rank", "product_id", "name", "score", "reasons"],
        )?;
    }
    Ok(())
}

/// The sorted fingerprints of a run's product ids (scores.csv, or its
/// index); `rows`, the count its summary gives, sizes the table once (8
/// bytes a product) instead of doubling it as it fills.
fn product_fingerprints(dir: &Path, rows: usize) -> Result<Vec<u64>> {
    let mut out = Vec::with_capacity(rows);
    match super::places::open(&dir.join(super::SCORES_FILE)) {
        Some(index) => index.each(|p| out.push(p.fp))?,
        None => each_product(dir, |row| {
            out.push(crate::pipeline::fingerprint(&row.product_id))
        })?,
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Reads every row of a run's scores.csv.
fn each_product(dir: &Path, mut each: impl FnMut(ScoreId<'_>)) -> Result<()> {
    let path = dir.join(super::SCORES_FILE);
    let (mut r, _) = open_bytes(&path, ["product_id", "name"])?;
    let header = r.byte_headers().map_err(|e| csv_error(&path, e))?.clone();
    let mut rec = csv::ByteRecord::new();
    while r
        .read_byte_record(&mut rec)
        .map_err(|e| csv_error(&path, e))?
    {
        let row: ScoreId<'_> = rec
            .deserialize(Some(&header))
            .map_err(|e| csv_error(&path, e))?;
        each(row);
    }
    Ok(())
}

/// Up to this many products only in one run are read back one by one
/// from their offsets; past it, scores.csv is read through instead.
const READ_AT_MOST: usize = 50_000;

/// The first [`MAX_LISTED`] products by id, as (id, name).
#[derive(Default)]
struct FirstById(std::collections::BinaryHeap<(String, String)>);

impl FirstById {
    fn offer(&mut self, id: &str, name: &str) {
        let heap = &mut self.0;
        if heap.len() < MAX_LISTED || heap.peek().is_some_and(|(top, _)| top.as_str() > id) {
            heap.push((id.to_string(), name.to_string()));
            if heap.len() > MAX_LISTED {
                heap.pop();
            }
        }
    }
}

/// Products of a run whose ids are not in `others`: how many, and the first
/// [`MAX_LISTED`] by id as (id, name).
fn only_in(dir: &Path, others: &[u64]) -> Result<(u64, Vec<(String, String)>)> {
    let path = dir.join(super::SCORES_FILE);
    let mut first = FirstById::default();
    if let Some(index) = super::places::open(&path) {
        // Ids are unique in scores.csv (a repeated one is rejected).
        let mut offsets = Vec::new();
        index.each(|p| {
            if others.binary_search(&p.fp).is_err() {
                offsets.push(p.offset);
            }
        })?;
        if offsets.len() <= READ_AT_MOST {
            let mut at = RowAt::with(&path, ["product_id", "name"])?;
            for &offset in &offsets {
                let row: ScoreId<'_> = at.row(offset)?;
                first.offer(&row.product_id, &row.name);
            }
            return Ok((offsets.len() as u64, first.0.into_sorted_vec()));
        }
    }
    let mut count = 0u64;
    each_product(dir, |row| {
        let fp = crate::pipeline::fingerprint(&row.product_id);
        if others.binary_search(&fp).is_ok() {
            return;
        }
        count += 1;
        first.offer(&row.product_id, &row.name);
    })?;
    Ok((count, first.0.into_sorted_vec()))
}

/// A concern's ranking file, its rows read as places: from the index
/// written beside it ([`super::places`]) when there is one that matches
/// it, or else from the CSV text.
fn places(path: &Path, mut each: impl FnMut(Place)) -> Result<()> {
    if let Some(index) = super::places::open(path) {
        return index.each(each);
    }
    let (mut r, _) = open_bytes(path, ["rank", "product_id", "name", "score", "reasons"])?;
    let header = r.byte_headers().map_err(|e| csv_error(path, e))?.clone();
    let mut rec = csv::ByteRecord::new();
    loop {
        let offset = r.position().byte();
        if !r
            .read_byte_record(&mut rec)
            .map_err(|e| csv_error(path, e))?
        {
            return Ok(());
        }
        let row: ConcernPlace<'_> = rec
            .deserialize(Some(&header))
            .map_err(|e| csv_error(path, e))?;
        each(Place {
            fp: crate::pipeline::fingerprint(&row.product_id),
            offset,
            rank: row.rank as u32,
            tenths: super::places::tenths(row.score),
        });
    }
}

/// A mover found while streaming: its places in both runs; its texts are
/// read from the files once the movers are chosen.
#[derive(Clone, Copy)]
struct Candidate {
    old: Place,
    new: Place,
}

impl Candidate {
    fn change(&self) -> i32 {
        self.new.tenths as i32 - self.old.tenths as i32
    }
}

/// Compares one concern's rankings of two runs.
fn concern_changes(previous_dir: &Path, current_dir: &Path, slug: &str) -> Result<ConcernChanges> {
    let old_path = previous_dir.join(format!("{slug}.csv"));
    let new_path = current_dir.join(format!("{slug}.csv"));
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    // The table holds the smaller ranking; the larger streams past it.
    let old_in_table = size(&old_path) <= size(&new_path);
    let (table_path, stream_path) = if old_in_table {
        (&old_path, &new_path)
    } else {
        (&new_path, &old_path)
    };
    let mut table: Vec<Place> = Vec::new();
    places(table_path, |p| table.push(p))?;
    table.sort_unstable_by_key(|p| p.fp);
    let threshold = (MIN_SCORE_CHANGE * 10.0).round() as i32;
    let mut changes = 0u64;
    let mut risers: Vec<Candidate> = Vec::new();
    let mut fallers: Vec<Candidate> = Vec::new();
    places(stream_path, |p| {
        let Ok(i) = table.binary_search_by_key(&p.fp, |t| t.fp) else {
            return;
        };
        let (old, new) = if old_in_table {
            (table[i], p)
        } else {
            (p, table[i])
        };
        let c = Candidate { old, new };
        if c.change().abs() < threshold {
            return;
        }
        changes += 1;
        let list = if c.change() > 0 {
            &mut risers
        } else {
            &mut fallers
        };
        list.push(c);
        // Keep a few more than shown: ties are broken by id, read later.
        if list.len() >= 8 * MOVERS {
            shortlist(list);
        }
    })?;
    drop(table);
    let mut risers = movers_of(&old_path, &new_path, risers)?;
    let mut fallers = movers_of(&old_path, &new_path, fallers)?;
    // Scores are written in tenths: changes compare as whole tenths, so
    // that equal changes tie exactly and the rank change, then the id,
    // decide.
    let tenths = |m: &Mover| ((m.score_change() * 10.0).round() as i64).abs();
    for list in [&mut risers, &mut fallers] {
        list.sort_by(|a, b| {
            tenths(b)
                .cmp(&tenths(a))
                .then_with(|| b.rank_change().abs().cmp(&a.rank_change().abs()))
                .then_with(|| a.product_id.cmp(&b.product_id))
        });
        list.truncate(MOVERS);
    }
    Ok(ConcernChanges {
        slug: slug.to_string(),
        score_changes: changes,
        risers,
        fallers,
    })
}

/// Keeps the candidates that may still be among the [`MOVERS`] biggest:
/// every one whose (score change, rank change) is at least the
/// [`MOVERS`]-th biggest (ties at the edge are all kept, for the id to
/// break them).
fn shortlist(list: &mut Vec<Candidate>) {
    let key = |c: &Candidate| {
        (
            c.change().abs(),
            (c.old.rank as i64 - c.new.rank as i64).abs(),
        )
    };
    list.sort_by_key(|c| std::cmp::Reverse(key(c)));
    if list.len() > MOVERS {
        let edge = key(&list[MOVERS - 1]);
        let keep = list.iter().take_while(|c| key(c) >= edge).count();
        list.truncate(keep);
    }
}

/// The movers of a shortlist, with their names and reasons read back from
/// the rows' offsets.
fn movers_of(old_path: &Path, new_path: &Path, mut list: Vec<Candidate>) -> Result<Vec<Mover>> {
    shortlist(&mut list);
    let mut old_file = RowAt::open(old_path)?;
    let mut new_file = RowAt::open(new_path)?;
    let mut out = Vec::with_capacity(list.len());
    for c in list {
        let (_, _, old_reasons) = old_file.read(c.old.offset)?;
        let (id, name, new_reasons) = new_file.read(c.new.offset)?;
        out.push(Mover {
            product_id: id,
            name,
            old_rank: c.old.rank as u64,
            new_rank: c.new.rank as u64,
            old_score: c.old.tenths as f64 / 10.0,
            new_score: c.new.tenths as f64 / 10.0,
            old_reasons,
            new_reasons,
        });
    }
    Ok(out)
}

/// Reads single rows of a run's CSV file at byte offsets.
struct RowAt {
    path: std::path::PathBuf,
    reader: csv::Reader<std::fs::File>,
    header: csv::ByteRecord,
    rec: csv::ByteRecord,
}

impl RowAt {
    /// Opens a ranking (`product_id`, `name` and `reasons` read).
    fn open(path: &Path) -> Result<RowAt> {
        RowAt::with(path, ["rank", "product_id", "name", "score", "reasons"])
    }

    fn with<const N: usize>(path: &Path, names: [&str; N]) -> Result<RowAt> {
        let (mut reader, _) = open_bytes(path, names)?;
        let header = reader
            .byte_headers()
            .map_err(|e| csv_error(path, e))?
            .clone();
        Ok(RowAt {
            path: path.to_path_buf(),
            reader,
            header,
            rec: csv::ByteRecord::new(),
        })
    }

    /// The row at `offset`, as `T`.
    fn row<'r, T: Deserialize<'r>>(&'r mut self, offset: u64) -> Result<T> {
        let mut pos = csv::Position::new();
        pos.set_byte(offset);
        self.reader
            .seek(pos)
            .map_err(|e| csv_error(&self.path, e))?;
        self.reader
            .read_byte_record(&mut self.rec)
            .map_err(|e| csv_error(&self.path, e))?;
        self.rec
            .deserialize(Some(&self.header))
            .map_err(|e| csv_error(&self.path, e))
    }

    /// (product_id, name, reasons) of the ranking row at `offset`.
    fn read(&mut self, offset: u64) -> Result<(String, String, String)> {
        let row: ConcernRow<'_> = self.row(offset)?;
        Ok((
            row.product_id.into_owned(),
            row.name.into_owned(),
            row.reasons.into_owned(),
        ))
    }
}

/// Opens a CSV file of a run for byte records and finds the named columns.
fn open_bytes<const N: usize>(
    path: &Path,
    names: [&str; N],
) -> Result<(csv::Reader<std::fs::File>, [usize; N])> {
    let (mut r, idx) = open_csv(path, names)?;
    // The header was read as text; records are read as bytes from here.
    let _ = r.byte_headers().map_err(|e| csv_error(path, e))?;
    Ok((r, idx))
}

fn not_an_output(dir: &Path, why: &str) -> Error {
    Error::Data {
        file: dir.display().to_string(),
        line: 0,
        column: None,
        message: format!("not a milia-rank output directory ({why})"),
    }
}

/// Reads a run's summary.json, checking that the directory is an output.
pub(crate) fn read_summary(dir: &Path) -> Result<serde_json::Value> {
    for f in [SUMMARY_FILE, super::SCORES_FILE] {
        if !dir.join(f).is_file() {
            return Err(not_an_output(dir, &format!("no {f}")));
        }
    }
    let path = dir.join(SUMMARY_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::Data {
        file: path.display().to_string(),
        line: e.line() as u64,
        column: None,
        message: format!("not valid JSON: {e}"),
    })?;
    match v.get("tool").and_then(|t| t.as_str()) {
        Some("milia-rank") => Ok(v),
        _ => Err(not_an_output(dir, "summary.json is not milia-rank's")),
    }
}

/// The concern slugs of a run, in its summary's order.
pub(crate) fn concern_slugs(dir: &Path) -> Result<Vec<String>> {
    Ok(slugs_of(&read_summary(dir)?))
}

/// The concern slugs listed in a parsed summary.
pub(crate) fn slugs_of(summary: &serde_json::Value) -> Vec<String> {
    summary
        .get("concerns")
        .and_then(|c| c.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|c| c.get("slug").and_then(|s| s.as_str()))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Opens a CSV file of a run and finds the named columns.
pub(crate) fn open_csv<const N: usize>(
    path: &Path,
    names: [&str; N],
) -> Result<(csv::Reader<std::fs::File>, [usize; N])> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| csv_error(path, e))?;
    let header = r.headers().map_err(|e| csv_error(path, e))?.clone();
    let mut idx = [0; N];
    for (i, name) in names.iter().enumerate() {
        idx[i] = header
            .iter()
            .position(|h| h == *name)
            .ok_or_else(|| Error::Data {
                file: path.display().to_string(),
                line: 1,
                column: Some(name.to_string()),
                message: "column missing".to_string(),
            })?;
    }
    Ok((r, idx))
}

/// A CSV read error located in its file.
pub(crate) fn csv_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        _ => Error::Data {
            file: path.display().to_string(),
            line,
            column: None,
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Writes a run: summary.json, scores.csv and one concern `c`, ranked
    /// by score then id, through the run's own writers; `products` are
    /// (id number, score in tenths). With `indexed`, the rows' indexes
    /// stay beside the files ([`super::super::places`]); without, the
    /// comparison reads the CSV text.
    fn write_run(dir: &Path, products: &[(u16, u16)], indexed: bool) {
        use crate::output::places;
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(
            dir.join(SUMMARY_FILE),
            r#"{"tool": "milia-rank", "concerns": [{"slug": "c"}]}"#,
        )
        .unwrap();
        let scores_path = dir.join(crate::output::SCORES_FILE);
        let index_path = dir.join(places::index_name(crate::output::SCORES_FILE));
        let mut index = places::Writer::new(
            std::fs::File::create(&index_path).unwrap(),
            index_path.clone(),
        );
        let mut scores = String::from("product_id,name\n");
        for (id, _) in products {
            let pid = format!("p{id}");
            index
                .push(places::Place {
                    fp: crate::pipeline::fingerprint(&pid),
                    offset: scores.len() as u64,
                    rank: 0,
                    tenths: 0,
                })
                .unwrap();
            scores.push_str(&format!("{pid},\"Name, {id}\"\n"));
        }
        std::fs::write(&scores_path, scores).unwrap();
        index.finish(&scores_path).unwrap();
        let mut ranked: Vec<(u16, u16)> = products.to_vec();
        ranked.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(format!("p{}", a.0).cmp(&format!("p{}", b.0)))
        });
        let entries = ranked.iter().map(|(id, t)| {
            Ok(crate::rank::Entry {
                score: ordered_float::OrderedFloat(*t as f64 / 10.0),
                product_id: format!("p{id}").into(),
                line: 0,
                payload: crate::rank::Payload {
                    name: format!("Name, {id}").into(),
                    grade: "A",
                    confidence: "high",
                    reasons: format!("reason {id}; at {t}").into(),
                    brand: "B".into(),
                },
            })
        });
        let c_path = dir.join("c.csv");
        let c_index = dir.join(places::index_name("c.csv"));
        crate::output::write_concern(
            std::fs::File::create(&c_path).unwrap(),
            &c_path,
            entries,
            places::Writer::new(std::fs::File::create(&c_index).unwrap(), c_index.clone()),
        )
        .unwrap();
        assert!(places::open(&c_path).is_some() && places::open(&scores_path).is_some());
        if !indexed {
            std::fs::remove_file(c_index).unwrap();
            std::fs::remove_file(index_path).unwrap();
        }
    }

    /// The comparison done naively, in memory: what `compare` must give.
    fn naive(
        old: &[(u16, u16)],
        new: &[(u16, u16)],
    ) -> (Vec<String>, Vec<String>, u64, Vec<String>, Vec<String>) {
        let rank = |v: &[(u16, u16)]| -> HashMap<u16, (u64, u16)> {
            let mut r: Vec<(u16, u16)> = v.to_vec();
            r.sort_by(|a, b| {
                b.1.cmp(&a.1)
                    .then(format!("p{}", a.0).cmp(&format!("p{}", b.0)))
            });
            r.iter()
                .enumerate()
                .map(|(i, (id, t))| (*id, (i as u64 + 1, *t)))
                .collect()
        };
        let (o, n) = (rank(old), rank(new));
        let mut added: Vec<String> = n
            .keys()
            .filter(|k| !o.contains_key(k))
            .map(|k| format!("p{k}"))
            .collect();
        let mut dropped: Vec<String> = o
            .keys()
            .filter(|k| !n.contains_key(k))
            .map(|k| format!("p{k}"))
            .collect();
        added.sort();
        dropped.sort();
        let mut moves: Vec<(String, i64, i64)> = Vec::new();
        for (id, (nr, nt)) in &n {
            if let Some((or, ot)) = o.get(id) {
                let d = *nt as i64 - *ot as i64;
                if d.abs() >= 10 {
                    moves.push((format!("p{id}"), d, *or as i64 - *nr as i64));
                }
            }
        }
        let count = moves.len() as u64;
        moves.sort_by(|a, b| {
            b.1.abs()
                .cmp(&a.1.abs())
                .then(b.2.abs().cmp(&a.2.abs()))
                .then(a.0.cmp(&b.0))
        });
        let risers = moves
            .iter()
            .filter(|m| m.1 > 0)
            .take(MOVERS)
            .map(|m| m.0.clone())
            .collect();
        let fallers = moves
            .iter()
            .filter(|m| m.1 < 0)
            .take(MOVERS)
            .map(|m| m.0.clone())
            .collect();
        (added, dropped, count, risers, fallers)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The bounded comparison finds what the in-memory one finds,
        /// whichever ranking is the smaller, and whether each run is read
        /// through its rows' indexes or from its CSV text.
        #[test]
        fn bounded_comparison_equals_the_naive_one(
            old in proptest::collection::btree_map(0u16..400, 0u16..1000, 0..150),
            new in proptest::collection::btree_map(0u16..400, 0u16..1000, 0..150),
            old_indexed: bool,
            new_indexed: bool,
        ) {
            let tmp = tempfile::tempdir().unwrap();
            let old: Vec<(u16, u16)> = old.into_iter().collect();
            let new: Vec<(u16, u16)> = new.into_iter().collect();
            write_run(&tmp.path().join("old"), &old, old_indexed);
            write_run(&tmp.path().join("new"), &new, new_indexed);
            let c = compare(&tmp.path().join("old"), &tmp.path().join("new")).unwrap();
            let (added, dropped, count, risers, fallers) = naive(&old, &new);
            let ids = |v: &[(String, String)]| v.iter().map(|p| p.0.clone()).collect::<Vec<_>>();
            prop_assert_eq!(ids(&c.new_products), added.clone());
            prop_assert_eq!(c.new_products_count, added.len() as u64);
            prop_assert_eq!(ids(&c.dropped_products), dropped);
            prop_assert_eq!(c.concerns[0].score_changes, count);
            let m = |v: &[Mover]| v.iter().map(|m| m.product_id.clone()).collect::<Vec<_>>();
            prop_assert_eq!(m(&c.concerns[0].risers), risers);
            prop_assert_eq!(m(&c.concerns[0].fallers), fallers);
            for mv in c.concerns[0].risers.iter().chain(&c.concerns[0].fallers) {
                let id = &mv.product_id[1..];
                prop_assert_eq!(&mv.name, &format!("Name, {id}"));
                let prefix = format!("reason {id}; at ");
                prop_assert!(mv.new_reasons.starts_with(&prefix));
                prop_assert!(mv.old_reasons.starts_with(&prefix));
            }
        }
    }

    fn mover(old: &str, new: &str) -> Mover {
        Mover {
            product_id: "A".into(),
            name: "A".into(),
            old_rank: 1,
            new_rank: 5,
            old_score: 80.0,
            new_score: 60.0,
            old_reasons: old.into(),
            new_reasons: new.into(),
        }
    }

    #[test]
    fn reason_change_lists_added_and_removed_items() {
        let m = mover(
            "water texture (light); humectants high in the list (light hydration, +3.0)",
            "petrolatum at #1 (occlusive, -30.0); water texture (light)",
        );
        assert_eq!(
            Changes::reason_change(&m),
            "added: petrolatum at #1 (occlusive, -30.0); removed: humectants high in the list (light hydration, +3.0)"
        );
        assert_eq!(
            Changes::reason_change(&mover("a; b", "b; a")),
            "reasons unchanged"
        );
        assert_eq!(Changes::reason_change(&mover("", "a; a")), "added: a | a");
        assert_eq!(
            Changes::reason_change(&mover("a; b; c; d; e", "")),
            "removed: a | b | c | d | 1 more"
        );
    }

    #[test]
    fn reason_change_shows_moved_numbers_as_changed() {
        let m = mover(
            "sodium chloride at #5 (grade 5) (comedogenic, -3.6); gel texture (light); C12-15 alkyl benzoate at #3 (+1.0)",
            "parfum at #1 (fragrance, -6.0); sodium chloride at #6 (grade 5) (comedogenic, -3.0); gel texture (light); C12-15 alkyl benzoate at #4 (+1.0)",
        );
        assert_eq!(
            Changes::reason_change(&m),
            "added: parfum at #1 (fragrance, -6.0); changed: sodium chloride at #5→6 (grade 5) (comedogenic, -3.6→-3.0) | C12-15 alkyl benzoate at #3→4 (+1.0)"
        );
        assert_eq!(
            segments("at #4 (x, -4.5)"),
            ["at #", "4", " (x, ", "-4.5", ")"]
        );
        assert_eq!(segments("12"), ["", "12", ""]);
        // A different text is not a change of numbers.
        assert_eq!(
            Changes::reason_change(&mover(
                "petrolatum at #2 (occlusive, -9.0)",
                "lanolin at #2 (occlusive, -9.0)"
            )),
            "added: lanolin at #2 (occlusive, -9.0); removed: petrolatum at #2 (occlusive, -9.0)"
        );
        assert_eq!(m.rank_change(), -4);
    }
}
