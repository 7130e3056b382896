//! Stage 2, scoring rows: one catalog record becomes an [`Outcome`] (on a
//! scoring thread), whose product part is the [`ProductRecord`] that
//! `score-rows` writes and that the collector takes, in `score` and in
//! `merge` alike.

use std::borrow::Cow;
use std::sync::Arc;

use csv::ByteRecord;
use ordered_float::OrderedFloat;

use crate::catalog::{self, Columns, Field};
use crate::knowledge::KnowledgeBase;
use crate::model::{self, score, Concern};
use crate::output::{self, rows::RejectRow, rows::ScoreRow};
use crate::pipeline::{self, Checked, Product};
use crate::rank::{Bar, Entry, Payload};

use super::records::{ProductRecord, RejectRecord};

/// What one catalog record is. Nearly every outcome is `Scored`, held in
/// a batch's vector: boxing it would only add an allocation a row.
#[allow(clippy::large_enum_variant)]
pub enum Outcome {
    Blank(u64),
    /// A row with a product_id but no name: a variant row when its product
    /// came before it, otherwise rejected for this.
    Variant(RejectRecord),
    /// A repeated header line, at this line.
    Header(u64),
    Reject(RejectRecord),
    Scored(ScoredRow),
}

/// A scored row's place in one concern's ranking.
pub enum Placed {
    /// Outside the concern.
    Outside,
    /// Ranked, but below the bar of a full `--top` ranking: counted (its
    /// score is in the product's record), not kept, and its reasons never
    /// formatted.
    Below,
    /// A candidate for the ranking, reasons formatted.
    Candidate(Entry),
}

/// A scored product and its place in each concern.
pub struct ScoredRow {
    pub product: ProductRecord<'static>,
    pub entries: Vec<Placed>,
}

/// What scoring a record needs besides the record.
pub struct Scoring<'a> {
    pub columns: &'a Columns,
    pub kb: &'a KnowledgeBase,
    pub concerns: &'a [Concern],
    pub delimiter: u8,
    /// Keep each product's row as read (`score-rows`: `merge` may need it
    /// for rejects.csv; `score` reads it from the record when needed).
    pub keep_raw: bool,
    /// The records are JSON lines (a line that is not a JSON object comes
    /// as a record of one field: the line).
    pub json: bool,
}

/// Classifies and scores one record; `bars` are the rankings' bars as of
/// the last collected batch.
pub fn process(rec: &ByteRecord, s: &Scoring<'_>, bars: &[Bar]) -> Outcome {
    if s.json && rec.len() == 1 {
        return not_json(rec);
    }
    let product = match pipeline::check(rec, s.columns) {
        Checked::Blank => {
            return Outcome::Blank(rec.position().map_or(0, |p| p.line()));
        }
        Checked::RepeatedHeader(line) => return Outcome::Header(line),
        Checked::Rejected(r) => {
            let reject = RejectRecord {
                lines: r.lines,
                row: RejectRow {
                    line: r.line,
                    product_id: r.product_id,
                    column: r.column,
                    reason: r.reason,
                    raw: catalog::raw_record(rec, s.delimiter),
                },
            };
            return if r.variant {
                Outcome::Variant(reject)
            } else {
                Outcome::Reject(reject)
            };
        }
        Checked::Product(p) => p,
    };
    // Reasons quote the evidence's texts: they are written for a product
    // in a ranking that keeps whatever comes (a full one, or --top before it
    // fills). Otherwise (a --top ranking past its first rows) the product
    // is scored without them, and again with them only if a ranking may
    // keep one of its entries.
    let open = |i: usize| bars.get(i).is_none_or(|b| matches!(b, Bar::Open));
    let mut a = pipeline::assess_with(&product, s.kb, s.concerns, model::Explain::For(&open));
    if !a.explained && admits_any(&product, &a, bars) {
        a = pipeline::assess(&product, s.kb, s.concerns);
    }
    let entries = place(rec, s, &product, &a, bars);
    let Product {
        line,
        product_id,
        row,
    } = product;
    let get = |f: Field| catalog::field(rec, s.columns, f);
    let confidence = score::confidence(&a.features);
    let scores: Vec<Option<f64>> = a
        .scores
        .iter()
        .map(|c| c.as_ref().map(|c| c.score))
        .collect();
    let score_row = ScoreRow {
        product_id: product_id.into(),
        name: row.name.trim().to_string().into(),
        brand: get(Field::Brand).trim().to_string().into(),
        kind: a.profile.kind.as_str().into(),
        texture: a.profile.texture.map_or("", |t| t.as_str()).into(),
        area: a.profile.area.as_str().into(),
        spf: match a.profile.spf {
            model::Spf::None => "".into(),
            model::Spf::Unstated => "unstated".into(),
            model::Spf::Value(v) => model::features::fmt_percent(v).into(),
        },
        scores: scores
            .iter()
            .map(|c| c.map_or(Cow::Borrowed(""), |c| score::fmt1(c).into()))
            .collect(),
        confidence: confidence.into(),
        claim_conflict: a.features.claim_conflict.clone().unwrap_or_default().into(),
    };
    let unknown = a
        .list
        .items
        .iter()
        .filter(|i| i.id.is_none())
        .map(|i| a.list.name(i).to_string())
        .collect();
    let handle = match s.columns.get(Field::Handle) {
        Some(_) => get(Field::Handle).trim().to_string(),
        None => String::new(),
    };
    let formulas = [
        (Field::ProductId, &*score_row.product_id),
        (Field::Name, &*score_row.name),
        (Field::Brand, &*score_row.brand),
    ]
    .into_iter()
    .filter(|(_, v)| output::is_formula(v))
    .map(|(f, v)| {
        let column = s.columns.header_of(f).unwrap_or(f.key()).trim().to_string();
        (column, v.to_string())
    })
    .collect();
    let formatted = Some(output::row_bytes(&score_row));
    Outcome::Scored(ScoredRow {
        product: ProductRecord {
            line,
            row: score_row,
            scores,
            handle,
            unknown,
            from_description: row.from_description,
            claim_conflict: a.features.claim_conflict.is_some(),
            meets: a
                .scores
                .iter()
                .map(|s| s.as_ref().is_some_and(|s| s.meets_profile))
                .collect(),
            formulas,
            raw: if s.keep_raw {
                catalog::raw_record(rec, s.delimiter)
            } else {
                String::new()
            },
            formatted,
        },
        entries,
    })
}

/// A line of JSON lines that is not a JSON object: rejected, saying why.
fn not_json(rec: &ByteRecord) -> Outcome {
    let text = String::from_utf8_lossy(&rec[0]);
    let why = match serde_json::from_str::<serde_json::Value>(&text) {
        Err(e) => e.to_string(),
        Ok(_) => "a JSON value that is not an object".into(),
    };
    Outcome::Reject(RejectRecord {
        lines: 1,
        row: RejectRow {
            line: rec.position().map_or(0, |p| p.line()),
            product_id: String::new(),
            column: String::new(),
            reason: format!("not a JSON object keyed by the canonical field names ({why})"),
            raw: crate::error::bounded(&text, 4096).into_owned(),
        },
    })
}

/// Whether a ranking may keep one of the product's entries.
fn admits_any(product: &Product<'_>, a: &model::Assessment, bars: &[Bar]) -> bool {
    let confidence = score::confidence(&a.features);
    a.scores.iter().zip(bars).any(|(c, bar)| {
        c.as_ref().is_some_and(|c| {
            bar.admits_place(confidence, OrderedFloat(c.score), &product.product_id)
        })
    })
}

/// A product's place in each concern: reasons are formatted only for an
/// entry its ranking may keep.
fn place(
    rec: &ByteRecord,
    s: &Scoring<'_>,
    product: &Product<'_>,
    a: &model::Assessment,
    bars: &[Bar],
) -> Vec<Placed> {
    let bad_utf8 = catalog::invalid_utf8_columns(rec, s.columns);
    let utf8_note = (!bad_utf8.is_empty()).then(|| {
        format!(
            "invalid UTF-8 replaced in {}",
            bad_utf8
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    let confidence = score::confidence(&a.features);
    // The texts an entry shares with the product's other entries, made
    // once, and only when an entry is admitted (under --top, most are not).
    let mut shared: Option<(Arc<str>, Arc<str>, Arc<str>)> = None;
    a.scores
        .iter()
        .zip(bars)
        .enumerate()
        .map(|(i, (c, bar))| {
            let Some(c) = c else {
                return Placed::Outside;
            };
            if !bar.admits_place(confidence, OrderedFloat(c.score), &product.product_id) {
                return Placed::Below;
            }
            let (id, name, brand) = shared
                .get_or_insert_with(|| {
                    (
                        product.product_id.as_str().into(),
                        product.row.name.trim().into(),
                        catalog::field(rec, s.columns, Field::Brand).trim().into(),
                    )
                })
                .clone();
            let mut entry = Entry {
                score: OrderedFloat(c.score),
                product_id: id,
                line: product.line,
                payload: Payload {
                    name,
                    grade: score::grade(c.score),
                    confidence,
                    reasons: Box::default(),
                    brand,
                },
            };
            let mut reasons = a.reasons(i).unwrap_or_default();
            if let Some(n) = &utf8_note {
                reasons.push_str("; ");
                reasons.push_str(n);
            }
            entry.payload.reasons = reasons.into();
            Placed::Candidate(entry)
        })
        .collect()
}
