//! One catalog record on its way to a score, the same for `score`,
//! `explain`, `validate`, the fuzz targets and the tests: [`check`] says
//! whether a record is blank, a repeated header, a row to reject (and why)
//! or a product; [`assess`] scores a product; [`Ids`] is the one rule for
//! repeated product_ids and for variant rows.

use std::hash::{Hash, Hasher};

use csv::ByteRecord;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use crate::catalog::{self, Columns, Field, RowText};
use crate::knowledge::KnowledgeBase;
use crate::model::{self, Assessment, Concern};

/// A row that will not be scored, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejected {
    pub line: u64,
    pub product_id: String,
    /// The column at fault (its header), empty when the whole row is.
    pub column: String,
    pub reason: String,
    /// A variant row of a shop export (its product's handle again, no
    /// title): it belongs to the product before it, when there is one.
    pub variant: bool,
    /// The catalog lines the row stands for: 1, or for a row whose fields
    /// do not match the header and that runs over several lines (a quote
    /// not closed where it should be), every line it swallowed. Each
    /// counts as a rejected row.
    pub lines: u64,
}

/// A row to score.
pub struct Product<'r> {
    pub line: u64,
    pub product_id: String,
    pub row: RowText<'r>,
}

/// What one catalog record is.
pub enum Checked<'r> {
    Blank,
    /// The header line again (two exports joined), on this line.
    RepeatedHeader(u64),
    Rejected(Rejected),
    Product(Product<'r>),
}

/// Classifies one record; nothing here looks at other records.
pub fn check<'r>(rec: &'r ByteRecord, columns: &Columns) -> Checked<'r> {
    let line = rec.position().map(|p| p.line()).unwrap_or(0);
    if catalog::is_blank(rec) {
        return Checked::Blank;
    }
    if catalog::is_repeated_header(rec, columns) {
        return Checked::RepeatedHeader(line);
    }
    let product_id = catalog::field(rec, columns, Field::ProductId)
        .trim()
        .to_string();
    // Rows swallowed by a quote left open: inside this record's cells, two
    // or more lines that look like rows of the catalog.
    let row_like = catalog::row_like_lines(rec, columns);
    let checked = match catalog::check_row(rec, columns) {
        Ok(()) if row_like >= 2 => Err(catalog::RowProblem {
            column: None,
            reason: format!(
                "{row_like} lines inside the row's cells look like rows of the catalog"
            ),
        }),
        other => other,
    };
    if let Err(p) = checked {
        let mut reason = p.reason;
        let mut lines = 1;
        if rec.len() != columns.headers.len() || row_like >= 2 {
            let breaks = memchr::memchr_iter(b'\n', rec.as_slice()).count() as u64;
            if breaks > 0 {
                lines = breaks + 1;
                reason.push_str(&format!(
                    "; the row runs over {lines} lines ({line} to {}): a quote in it is not closed where it should be, and every line it swallowed counts as a rejected row",
                    line + breaks
                ));
            }
        }
        return Checked::Rejected(Rejected {
            line,
            product_id,
            column: p.column.unwrap_or_default(),
            reason,
            variant: catalog::is_variant_row(rec, columns),
            lines,
        });
    }
    Checked::Product(Product {
        line,
        product_id,
        row: RowText::from_record(rec, columns),
    })
}

/// Scores a product for every concern.
pub fn assess(product: &Product<'_>, kb: &KnowledgeBase, concerns: &[Concern]) -> Assessment {
    model::assess(&product.row.input(), kb, concerns)
}

/// [`assess`], with the texts only reasons quote written as `explain`
/// says (see [`model::assess_with`]).
pub fn assess_with(
    product: &Product<'_>,
    kb: &KnowledgeBase,
    concerns: &[Concern],
    explain: model::Explain<'_>,
) -> Assessment {
    model::assess_with(&product.row.input(), kb, concerns, explain)
}

/// What [`Ids`] says of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum IdVerdict {
    /// The first row of its product_id: scored.
    First,
    /// A later row of a product_id: rejected with this reason.
    Duplicate(String),
    /// A variant row of a product seen before: belongs to it, not counted.
    VariantOfKnown,
    /// A variant row with no product before it: rejected with this reason.
    OrphanVariant(String),
}

/// The one rule for repeated product_ids: the first row of an id is kept,
/// a later one is rejected naming the first line; a variant row belongs to
/// the product (kept or rejected) before it. Ids are held as 64-bit
/// fingerprints (see [`SeenIds`]).
pub struct Ids {
    seen: SeenIds,
    rejected: FxHashSet<u64>,
}

impl Default for Ids {
    fn default() -> Self {
        Ids::new()
    }
}

impl Ids {
    pub fn new() -> Ids {
        Ids {
            seen: SeenIds::new(),
            rejected: FxHashSet::default(),
        }
    }

    /// A product row: the first of its id, or a duplicate.
    pub fn product(&mut self, id: &str, line: u64) -> IdVerdict {
        self.product_with(id, fingerprint(id), line)
    }

    /// [`Ids::product`] for an id whose [`fingerprint`] the caller has.
    pub fn product_with(&mut self, id: &str, fp: u64, line: u64) -> IdVerdict {
        match self.seen.get(fp) {
            Some(first) => IdVerdict::Duplicate(format!(
                "duplicate product_id `{}`: first seen on line {first}, which is kept",
                crate::error::bounded(id, 200)
            )),
            None => {
                self.seen.insert(fp, line);
                IdVerdict::First
            }
        }
    }

    /// A rejected row: a variant of a known product, an orphan variant, or
    /// (for any other) None, after noting its id.
    pub fn rejected(&mut self, r: &Rejected) -> Option<IdVerdict> {
        let fp = fingerprint(&r.product_id);
        if r.variant {
            if self.seen.get(fp).is_some() || self.rejected.contains(&fp) {
                return Some(IdVerdict::VariantOfKnown);
            }
            self.note_rejected(&r.product_id);
            return Some(IdVerdict::OrphanVariant(format!(
                "{}, and no product row with product_id `{}` comes before it (a variant row without its product?)",
                r.reason,
                crate::error::bounded(&r.product_id, 200)
            )));
        }
        self.note_rejected(&r.product_id);
        None
    }

    /// Notes the id of a row that was rejected.
    pub fn note_rejected(&mut self, id: &str) {
        if !id.is_empty() {
            self.rejected.insert(fingerprint(id));
        }
    }
}

/// The product_ids seen so far, as 64-bit fingerprints with the first line
/// of each, for duplicate detection in little memory: 2^16 partitions by a
/// fingerprint's top 16 bits, each a sorted vector of fingerprints and one
/// of lines (u32), grown by an eighth at a time. That is 12 bytes a row plus
/// at most an eighth of slack, about 13.5 bytes a row, and never a
/// table-wide rehash (a hash map holds 16-byte slots at 44-88% load, and
/// doubles them all at once). Inserting moves on average half a partition:
/// about 30 entries at 4M rows.
pub struct SeenIds {
    parts: Vec<SeenPart>,
    /// Lines past u32::MAX, kept aside.
    far_lines: FxHashMap<u64, u64>,
}

#[derive(Default)]
struct SeenPart {
    fingerprints: Vec<u64>,
    lines: Vec<u32>,
}

impl Default for SeenIds {
    fn default() -> Self {
        SeenIds::new()
    }
}

impl SeenIds {
    const PARTS: usize = 1 << 16;

    pub fn new() -> SeenIds {
        SeenIds {
            parts: (0..Self::PARTS).map(|_| SeenPart::default()).collect(),
            far_lines: FxHashMap::default(),
        }
    }

    fn part(&self, fp: u64) -> usize {
        (fp >> 48) as usize
    }

    /// The line a fingerprint was first seen on.
    pub fn get(&self, fp: u64) -> Option<u64> {
        let p = &self.parts[self.part(fp)];
        let i = p.fingerprints.binary_search(&fp).ok()?;
        match p.lines[i] {
            u32::MAX => self.far_lines.get(&fp).copied(),
            line => Some(line as u64),
        }
    }

    /// Records a fingerprint not seen before, with its line.
    pub fn insert(&mut self, fp: u64, line: u64) {
        let at = self.part(fp);
        let p = &mut self.parts[at];
        let Err(i) = p.fingerprints.binary_search(&fp) else {
            return;
        };
        if p.fingerprints.len() == p.fingerprints.capacity() {
            let more = (p.fingerprints.len() / 8).max(4);
            p.fingerprints.reserve_exact(more);
            p.lines.reserve_exact(more);
        }
        p.fingerprints.insert(i, fp);
        let short = u32::try_from(line).unwrap_or(u32::MAX);
        p.lines.insert(i, short);
        if short == u32::MAX {
            self.far_lines.insert(fp, line);
        }
    }

    /// Bytes held, for the tests.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.parts
            .iter()
            .map(|p| p.fingerprints.capacity() * 8 + p.lines.capacity() * 4)
            .sum::<usize>()
            + self.parts.capacity() * std::mem::size_of::<SeenPart>()
    }
}

/// A 64-bit fingerprint of a product_id (two ids sharing one is a chance
/// of about one in 10^7 in a catalog of ten million rows).
///
/// Ids are compared in Unicode's composed form (NFC): `rosé` typed with
/// one accented letter and with an `e` and a combining accent are one id.
pub fn fingerprint(id: &str) -> u64 {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    if !id.is_ascii() && is_nfc_quick(id.chars()) != IsNormalized::Yes {
        let composed: String = id.nfc().collect();
        return fingerprint_of(&composed);
    }
    fingerprint_of(id)
}

fn fingerprint_of(id: &str) -> u64 {
    let mut a = FxHasher::default();
    id.hash(&mut a);
    let mut b = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut b);
    a.finish().rotate_left(32) ^ b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(id: &str, variant: bool) -> Rejected {
        Rejected {
            line: 9,
            product_id: id.into(),
            column: "name".into(),
            reason: "`name` is empty".into(),
            variant,
            lines: 1,
        }
    }

    #[test]
    fn one_rule_for_repeated_ids_and_variant_rows() {
        let mut ids = Ids::new();
        assert_eq!(ids.product("A", 2), IdVerdict::First);
        assert_eq!(
            ids.product("A", 5),
            IdVerdict::Duplicate(
                "duplicate product_id `A`: first seen on line 2, which is kept".into()
            )
        );
        // A variant row of a kept product, or of a rejected one, belongs to it.
        assert_eq!(
            ids.rejected(&rejected("A", true)),
            Some(IdVerdict::VariantOfKnown)
        );
        assert_eq!(ids.rejected(&rejected("B", false)), None);
        assert_eq!(
            ids.rejected(&rejected("B", true)),
            Some(IdVerdict::VariantOfKnown)
        );
        // A variant row with no product before it is rejected, saying so.
        match ids.rejected(&rejected("C", true)) {
            Some(IdVerdict::OrphanVariant(r)) => assert!(r.contains("no product row"), "{r}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn seen_ids_find_every_id_with_its_first_line() {
        let mut seen = SeenIds::new();
        for i in 0..50_000u64 {
            let fp = fingerprint(&format!("P{i}"));
            assert_eq!(seen.get(fp), None);
            seen.insert(fp, i + 2);
        }
        for i in 0..50_000u64 {
            assert_eq!(seen.get(fingerprint(&format!("P{i}"))), Some(i + 2));
        }
        assert_eq!(seen.get(fingerprint("P50000")), None);
        // A line past u32::MAX is kept exactly.
        let far = u32::MAX as u64 + 10;
        seen.insert(fingerprint("far"), far);
        assert_eq!(seen.get(fingerprint("far")), Some(far));
    }

    #[test]
    fn seen_ids_hold_about_13_bytes_a_row() {
        let mut seen = SeenIds::new();
        let empty = seen.bytes();
        let rows = 1_000_000u64;
        for i in 0..rows {
            seen.insert(fingerprint(&format!("G{i:08}")), i + 2);
        }
        let per_row = (seen.bytes() - empty) as f64 / rows as f64;
        assert!(per_row <= 14.5, "{per_row} bytes a row");
    }
}
