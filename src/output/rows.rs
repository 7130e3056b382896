//! One serde struct per row of each output file: the writers write them,
//! the reader of yesterday's release ([`super::compare`]) and the report
//! read them back, and `score-rows` and `merge` carry them in their
//! records. No output row is formatted or parsed by hand elsewhere.
//!
//! A row is written with [`write_row`] (a CSV writer without an automatic
//! header: each file writes its header first) and read with
//! [`csv::ByteRecord::deserialize`] against the file's header, so that a
//! column added at the end of a file (as `brand` was) does not break the
//! reading of an older release.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A row of scores.csv: the product's facts, its score per concern (one
/// decimal, empty outside the concern), then its flags. In the file the
/// scores are one column per concern, named by slug, between `spf` and
/// `confidence`; read back from a file, `scores` stays empty (the columns
/// are named by slug, not `scores`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreRow<'a> {
    #[serde(borrow)]
    pub product_id: Cow<'a, str>,
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    #[serde(borrow)]
    pub brand: Cow<'a, str>,
    #[serde(borrow)]
    pub kind: Cow<'a, str>,
    #[serde(borrow)]
    pub texture: Cow<'a, str>,
    #[serde(borrow)]
    pub area: Cow<'a, str>,
    #[serde(borrow)]
    pub spf: Cow<'a, str>,
    pub scores: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    pub confidence: Cow<'a, str>,
    #[serde(borrow)]
    pub claim_conflict: Cow<'a, str>,
}

impl<'a> ScoreRow<'a> {
    /// Each concern's column in a scores.csv header (None where absent).
    pub fn score_columns(header: &csv::StringRecord, slugs: &[String]) -> Vec<Option<usize>> {
        slugs
            .iter()
            .map(|s| header.iter().position(|h| h == s))
            .collect()
    }

    /// A row of scores.csv read back: the named columns with serde, the
    /// concerns' scores from their columns ([`ScoreRow::score_columns`]).
    pub fn read(
        rec: &'a csv::StringRecord,
        header: &'a csv::StringRecord,
        score_columns: &[Option<usize>],
    ) -> Result<ScoreRow<'a>, csv::Error> {
        let mut row: ScoreRow<'a> = rec.deserialize(Some(header))?;
        row.scores = score_columns
            .iter()
            .map(|c| Cow::Borrowed(c.and_then(|i| rec.get(i)).unwrap_or("")))
            .collect();
        Ok(row)
    }
}

/// A row of a concern's ranking, `<concern>.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConcernRow<'a> {
    pub rank: u64,
    #[serde(borrow)]
    pub product_id: Cow<'a, str>,
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Written to one decimal ([`crate::model::score::fmt1`]).
    #[serde(serialize_with = "one_decimal")]
    pub score: f64,
    #[serde(borrow, default)]
    pub grade: Cow<'a, str>,
    #[serde(borrow, default)]
    pub confidence: Cow<'a, str>,
    #[serde(borrow)]
    pub reasons: Cow<'a, str>,
    /// Absent from releases written before the column was added.
    #[serde(borrow, default)]
    pub brand: Cow<'a, str>,
}

/// The columns of a [`ConcernRow`] the comparison with yesterday reads:
/// deserialised alone, the long `reasons` cell is skipped, not decoded.
#[derive(Debug, Deserialize)]
pub struct ConcernPlace<'a> {
    pub rank: u64,
    #[serde(borrow)]
    pub product_id: Cow<'a, str>,
    pub score: f64,
}

/// The columns of a [`ScoreRow`] the comparison with yesterday reads.
#[derive(Debug, Deserialize)]
pub struct ScoreId<'a> {
    #[serde(borrow)]
    pub product_id: Cow<'a, str>,
    #[serde(borrow)]
    pub name: Cow<'a, str>,
}

/// A row of rejects.csv.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectRow {
    /// The catalog line the row starts on.
    pub line: u64,
    pub product_id: String,
    /// The column at fault (its header), empty when the whole row is.
    pub column: String,
    pub reason: String,
    /// The row as it was read (cut to 4 KiB).
    pub raw: String,
}

/// A row of unknown-ingredients.csv.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownRow {
    pub name: String,
    pub count: u64,
}

fn one_decimal<S: Serializer>(score: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::model::score::fmt1(*score))
}

/// Writes one row with a CSV writer (its header written before by hand,
/// so the writer's own header is never asked for).
pub fn write_row<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    row: &impl Serialize,
) -> std::result::Result<(), csv::Error> {
    w.serialize(row)
}

/// A fixed word of a summary (`UTF-8`, `header line`, `product_id`): a
/// `&'static str` that serde does not try to borrow from the input (it
/// is read with [`static_str`]).
pub type Word = &'static str;

/// Deserializes a `&'static str` field (the few fixed words of a summary:
/// an encoding's name, a field's key) from its text: the first time a text
/// is met it is kept for the rest of the process, so reading many
/// summaries keeps each distinct word once.
pub fn static_str<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let s = String::deserialize(d)?;
    Ok(intern(s))
}

/// As [`static_str`], for an optional field.
pub fn static_str_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'static str>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(intern))
}

/// A text kept for the rest of the process, once per distinct text.
pub fn intern(s: String) -> &'static str {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static KEPT: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let Ok(mut kept) = KEPT.lock() else {
        return Box::leak(s.into_boxed_str());
    };
    let set = kept.get_or_insert_with(HashSet::new);
    if let Some(k) = set.get(s.as_str()) {
        return k;
    }
    let k: &'static str = Box::leak(s.into_boxed_str());
    set.insert(k);
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_score_row_is_written_flat_and_read_by_header_names() {
        let row = ScoreRow {
            product_id: "P-1".into(),
            name: "Gel, light".into(),
            brand: "B".into(),
            kind: "gel".into(),
            texture: "".into(),
            area: "face".into(),
            spf: "".into(),
            scores: vec!["71.5".into(), "".into()],
            confidence: "high".into(),
            claim_conflict: "".into(),
        };
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        write_row(&mut w, &row).unwrap();
        let bytes = w.into_inner().unwrap();
        assert_eq!(bytes, b"P-1,\"Gel, light\",B,gel,,face,,71.5,,high,\n");
        let header = csv::StringRecord::from(vec![
            "product_id",
            "name",
            "brand",
            "kind",
            "texture",
            "area",
            "spf",
            "milia-prone",
            "sun-care",
            "confidence",
            "claim_conflict",
        ]);
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[..]);
        let rec = r.records().next().unwrap().unwrap();
        let back: ScoreRow<'_> = rec.deserialize(Some(&header)).unwrap();
        assert_eq!(
            back,
            ScoreRow {
                scores: vec![],
                ..row
            }
        );
    }

    #[test]
    fn a_concern_row_writes_one_decimal_and_reads_an_old_file_without_brand() {
        let row = ConcernRow {
            rank: 3,
            product_id: "P".into(),
            name: "N".into(),
            score: 71.46,
            grade: "B".into(),
            confidence: "high".into(),
            reasons: "a; b".into(),
            brand: "".into(),
        };
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        write_row(&mut w, &row).unwrap();
        assert_eq!(w.into_inner().unwrap(), b"3,P,N,71.5,B,high,a; b,\n");
        let header = csv::ByteRecord::from(vec!["rank", "product_id", "name", "score", "reasons"]);
        let rec = csv::ByteRecord::from(vec!["1", "Q", "M", "12.0", "r"]);
        let back: ConcernRow<'_> = rec.deserialize(Some(&header)).unwrap();
        assert_eq!((back.rank, &*back.product_id, back.score), (1, "Q", 12.0));
        assert_eq!(back.brand, "");
    }
}
