//! Compares two published output directories: products that appeared or
//! disappeared, and per concern the products whose own score moved most.
//!
//! A product is a mover only when its own score changed by at least
//! [`MIN_SCORE_CHANGE`] points: a rank that shifts because other products
//! arrived, left or changed is not a move of its own.
//!
//! Only one concern's rankings of both runs are held at a time, as maps
//! from product id to rank, score, name and reasons.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};

/// The summary file every run writes.
pub const SUMMARY_FILE: &str = "summary.json";

/// Movers kept per direction and concern.
pub const MOVERS: usize = 10;

/// The smallest change of a product's own score, in points, that makes it
/// a riser or a faller (scores are written to one decimal).
pub const MIN_SCORE_CHANGE: f64 = 1.0;

/// A product whose rank changed in one concern.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// Products only in the current run: (id, name), by id.
    pub new_products: Vec<(String, String)>,
    /// Products only in the previous run: (id, name), by id.
    pub dropped_products: Vec<(String, String)>,
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
        !self.new_products.is_empty()
            || !self.dropped_products.is_empty()
            || self.score_changes() > 0
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

/// Compares the run in `previous_dir` with the run in `current_dir`.
pub fn compare(previous_dir: &Path, current_dir: &Path) -> Result<Changes> {
    let old_summary = read_summary(previous_dir)?;
    let old_slugs = slugs_of(&old_summary);
    let new_slugs = concern_slugs(current_dir)?;
    let text = |k: &str| {
        old_summary
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let old_products = products(previous_dir)?;
    let new_products = products(current_dir)?;
    let added = only_in(&new_products, &old_products);
    let dropped = only_in(&old_products, &new_products);
    drop((old_products, new_products));

    let mut concerns = Vec::new();
    for slug in new_slugs.iter().filter(|s| old_slugs.contains(s)) {
        let old = ranking(previous_dir, slug)?;
        let new = ranking(current_dir, slug)?;
        concerns.push(movers(slug, &old, new));
    }
    Ok(Changes {
        previous: previous_dir.display().to_string(),
        previous_started_at: text("started_at"),
        previous_catalog: text("catalog"),
        previous_catalog_bytes: old_summary.get("catalog_bytes").and_then(|v| v.as_u64()),
        previous_catalog_modified: text("catalog_modified"),
        min_score_change: MIN_SCORE_CHANGE,
        new_products: added,
        dropped_products: dropped,
        concerns,
    })
}

fn only_in(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> Vec<(String, String)> {
    a.iter()
        .filter(|(id, _)| !b.contains_key(*id))
        .map(|(id, name)| (id.clone(), name.clone()))
        .collect()
}

/// A product's place in one concern's ranking.
struct Ranked {
    rank: u64,
    score: f64,
    name: String,
    reasons: String,
}

fn movers(
    slug: &str,
    old: &HashMap<String, Ranked>,
    new: HashMap<String, Ranked>,
) -> ConcernChanges {
    let mut risers = Vec::new();
    let mut fallers = Vec::new();
    for (id, n) in new {
        let Some(o) = old.get(&id) else { continue };
        // Scores are written to one decimal: a tenth of a tenth is noise.
        if (n.score - o.score).abs() + 1e-6 < MIN_SCORE_CHANGE {
            continue;
        }
        let m = Mover {
            product_id: id,
            name: n.name,
            old_rank: o.rank,
            new_rank: n.rank,
            old_score: o.score,
            new_score: n.score,
            old_reasons: o.reasons.clone(),
            new_reasons: n.reasons,
        };
        if m.score_change() > 0.0 {
            risers.push(m);
        } else {
            fallers.push(m);
        }
    }
    let score_changes = (risers.len() + fallers.len()) as u64;
    for list in [&mut risers, &mut fallers] {
        list.sort_by(|a, b| {
            b.score_change()
                .abs()
                .total_cmp(&a.score_change().abs())
                .then_with(|| b.rank_change().abs().cmp(&a.rank_change().abs()))
                .then_with(|| a.product_id.cmp(&b.product_id))
        });
        list.truncate(MOVERS);
    }
    ConcernChanges {
        slug: slug.to_string(),
        score_changes,
        risers,
        fallers,
    }
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

/// A field of a record, empty where the record is short.
pub(crate) fn field(rec: &csv::StringRecord, i: usize) -> &str {
    rec.get(i).unwrap_or("")
}

/// A field parsed as a number; a data error naming its line otherwise.
pub(crate) fn parse_field<T: std::str::FromStr>(
    path: &Path,
    rec: &csv::StringRecord,
    i: usize,
    column: &str,
) -> Result<T> {
    let raw = field(rec, i);
    raw.parse::<T>().map_err(|_| Error::Data {
        file: path.display().to_string(),
        line: rec.position().map_or(0, |p| p.line()),
        column: Some(column.to_string()),
        message: format!("`{raw}` is not a number"),
    })
}

/// Product id -> name, from scores.csv.
fn products(dir: &Path) -> Result<BTreeMap<String, String>> {
    let path = dir.join(super::SCORES_FILE);
    let (mut r, [id, name]) = open_csv(&path, ["product_id", "name"])?;
    let mut out = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| csv_error(&path, e))?;
        out.entry(field(&rec, id).to_string())
            .or_insert_with(|| field(&rec, name).to_string());
    }
    Ok(out)
}

/// Product id -> place, from `<slug>.csv`.
fn ranking(dir: &Path, slug: &str) -> Result<HashMap<String, Ranked>> {
    let path = dir.join(format!("{slug}.csv"));
    let (mut r, [rank, id, name, score, reasons]) =
        open_csv(&path, ["rank", "product_id", "name", "score", "reasons"])?;
    let mut out = HashMap::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| csv_error(&path, e))?;
        let place = Ranked {
            rank: parse_field(&path, &rec, rank, "rank")?,
            score: parse_field(&path, &rec, score, "score")?,
            name: field(&rec, name).to_string(),
            reasons: field(&rec, reasons).to_string(),
        };
        out.entry(field(&rec, id).to_string()).or_insert(place);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
