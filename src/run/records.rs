//! The records `score-rows` writes and `merge` reads: one JSON object a
//! line, its `kind` saying what it is (see docs/beyond-one-machine.md).
//!
//! A part is a sequence of records closed by one `count` record; a file
//! may hold several parts one after the other. Every record of a part
//! names lines of that part's own input; `merge` moves them by the lines
//! of the parts before it (the `lines` of their `count` records), so that
//! shards of one file merged in order number their lines as the file does.

use std::borrow::Cow;
use std::sync::Arc;

use ordered_float::OrderedFloat;
use serde::{Deserialize, Serialize};

use crate::catalog::input::InputInfo;
use crate::catalog::Columns;
use crate::knowledge::KnowledgeBase;
use crate::model::Concern;
use crate::output::rows::{RejectRow, ScoreRow};
use crate::rank::{Entry, Payload};

/// One record of `score-rows`' output.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record<'a> {
    /// A scored product: its scores.csv row and what the run's other
    /// files need of it.
    #[serde(borrow)]
    Product(Box<ProductRecord<'a>>),
    /// A product's place in one concern's ranking.
    #[serde(borrow)]
    Entry(Box<EntryRecord<'a>>),
    /// A row that is not scored.
    Reject(Box<RejectRecord>),
    /// A row with a product_id and no name: a variant row of the product
    /// before it (merged into it) when there is one, else rejected.
    Variant(Box<RejectRecord>),
    /// A blank line, skipped.
    Blank { line: u64 },
    /// The header line again (exports joined), skipped.
    Header { line: u64 },
    /// The end of a part: its totals and what it was scored with.
    Count(Box<CountRecord>),
}

/// A scored product.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ProductRecord<'a> {
    /// The line the product's row starts on.
    pub line: u64,
    /// Its row of scores.csv.
    #[serde(borrow)]
    pub row: ScoreRow<'a>,
    /// Its own score per concern, exact (the import files write them),
    /// null outside a concern.
    pub scores: Vec<Option<f64>>,
    /// The shop handle (empty without a handle column).
    pub handle: String,
    /// Ingredient names the knowledge base does not know, as listed.
    pub unknown: Vec<String>,
    /// The ingredient list came from the description.
    pub from_description: bool,
    /// The claims contradict the list.
    pub claim_conflict: bool,
    /// Per concern: the product fully meets the concern's profile (what a
    /// thin list counts).
    pub meets: Vec<bool>,
    /// Published cells a spreadsheet would run as a formula: (column, cell).
    pub formulas: Vec<(String, String)>,
    /// The row as read, for rejects.csv should a product before it have
    /// the same id (empty in `score`, which reads it from the record).
    pub raw: String,
    /// The scores.csv row formatted on a scoring thread (`score` only).
    #[serde(skip)]
    pub formatted: Option<Vec<u8>>,
}

/// A product's entry in one concern's ranking: everything the concern's
/// file writes of it, and `key`, a text that sorts (byte by byte, as Spark
/// sorts strings) in ranking order within the concern.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EntryRecord<'a> {
    #[serde(borrow)]
    pub concern: Cow<'a, str>,
    #[serde(borrow)]
    pub key: Cow<'a, str>,
    /// The product's line.
    pub line: u64,
    pub product_id: String,
    pub name: String,
    pub score: f64,
    #[serde(borrow)]
    pub grade: Cow<'a, str>,
    #[serde(borrow)]
    pub confidence: Cow<'a, str>,
    pub reasons: String,
    pub brand: String,
}

/// A rejected row, and the catalog lines it stands for (a row that runs
/// over several lines counts each).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RejectRecord {
    pub lines: u64,
    pub row: RejectRow,
}

/// The closing record of a part.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CountRecord {
    /// milia-rank's version.
    pub version: String,
    /// SHA-256 of the knowledge base, the concern profiles and the model
    /// tables the part was scored with ([`digest`]).
    pub digest: String,
    /// The concerns' slugs, in order.
    pub concerns: Vec<String>,
    /// `--top` of score-rows (each concern's local best N), if given.
    pub top: Option<usize>,
    /// The input's name, how it was read, and its columns (null for an
    /// empty input: a partition without a row has no header either).
    pub catalog: String,
    pub input: InputInfo,
    pub columns: Option<Columns>,
    /// Lines of input the part read, its header not counted: the next
    /// part's lines follow these.
    pub lines: u64,
    /// Of those, the empty lines after the last record (a CSV reader skips
    /// them: in one file they would be counted by the next record's line,
    /// so merge counts them by the next part's first record).
    pub trailing_empty: u64,
    /// Records of each kind in the part.
    pub products: u64,
    pub entries: u64,
    pub rejects: u64,
    pub variants: u64,
    pub blank: u64,
    pub headers: u64,
}

/// The digest of what scores a product: the knowledge base, the concern
/// profiles (in order) and the model tables. Parts merged together must
/// all carry the merging binary's own.
pub fn digest(kb: &KnowledgeBase, concerns: &[Concern]) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write as _;
    let mut h = Sha256::new();
    h.update(b"milia-rank knowledge base\n");
    for facts in kb.iter() {
        h.update(format!("{facts:?}\n").as_bytes());
    }
    h.update(b"concern profiles\n");
    h.update(crate::model::profiles::dump(concerns).as_bytes());
    for c in concerns {
        h.update(format!("{c:?}\n").as_bytes());
    }
    h.update(b"model tables\n");
    h.update(crate::model::tables::DEFAULT_MODEL_TOML.as_bytes());
    h.finalize()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A text that sorts, byte by byte, as [`crate::rank::better_first`]
/// orders entries: `0` for a trusted list or `1` for a low-confidence one,
/// the score's bits turned so that a higher score sorts first (16 hex
/// digits), then the product id.
pub fn sort_key(e: &Entry) -> String {
    // 0.0 and -0.0 are one score to the ranking.
    let score = if e.score.0 == 0.0 { 0.0 } else { e.score.0 };
    let bits = score.to_bits();
    // The order of f64 as an unsigned number: negative numbers flipped.
    let ordered = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    let untrusted = u8::from(e.payload.confidence == "low");
    format!("{untrusted}{:016x}{}", !ordered, e.product_id)
}

/// The record of an entry of concern `slug` (borrowing the entry's texts).
pub fn entry_record<'e>(slug: &'e str, e: &'e Entry) -> EntryRecord<'e> {
    EntryRecord {
        concern: Cow::Borrowed(slug),
        key: Cow::Owned(sort_key(e)),
        line: e.line,
        product_id: e.product_id.to_string(),
        name: e.payload.name.to_string(),
        score: e.score.0,
        grade: Cow::Borrowed(e.payload.grade),
        confidence: Cow::Borrowed(e.payload.confidence),
        reasons: e.payload.reasons.to_string(),
        brand: e.payload.brand.to_string(),
    }
}

/// The entry a record stands for.
pub fn entry_of(r: EntryRecord<'_>) -> Entry {
    let confidence = match &*r.confidence {
        "high" => "high",
        "medium" => "medium",
        "low" => "low",
        other => crate::output::rows::intern(other.to_string()),
    };
    Entry {
        score: OrderedFloat(r.score),
        product_id: Arc::from(r.product_id),
        line: r.line,
        payload: Payload {
            name: Arc::from(r.name),
            grade: crate::model::score::grade(r.score),
            confidence,
            reasons: r.reasons.into_boxed_str(),
            brand: Arc::from(r.brand),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(score: f64, id: &str, low: bool) -> Entry {
        Entry {
            score: OrderedFloat(score),
            product_id: id.into(),
            line: 0,
            payload: Payload {
                confidence: if low { "low" } else { "high" },
                ..Payload::default()
            },
        }
    }

    #[test]
    fn sort_keys_sort_as_the_ranking() {
        let mut v = vec![
            e(50.0, "b", false),
            e(70.0, "z", false),
            e(50.0, "a", false),
            e(99.0, "q", true),
            e(-3.5, "m", false),
            e(0.0, "n", false),
            e(-0.0, "o", false),
            e(100.0, "c", false),
        ];
        let mut by_key = v.clone();
        by_key.sort_by_key(sort_key);
        v.sort_by(crate::rank::better_first);
        let ids = |v: &[Entry]| {
            v.iter()
                .map(|e| e.product_id.to_string())
                .collect::<Vec<_>>()
        };
        // -0.0 and 0.0 are equal scores to the ranking; the key puts 0.0
        // first, and so does the id here.
        assert_eq!(ids(&by_key), ids(&v));
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let p = ProductRecord {
            line: 7,
            scores: vec![Some(0.1 + 0.2), None],
            ..ProductRecord::default()
        };
        let text = serde_json::to_string(&Record::Product(Box::new(p))).unwrap();
        assert!(text.starts_with(r#"{"kind":"product","line":7,"#), "{text}");
        match serde_json::from_str::<Record<'_>>(&text).unwrap() {
            Record::Product(back) => assert_eq!(back.scores, vec![Some(0.1 + 0.2), None]),
            other => panic!("{other:?}"),
        }
    }
}
