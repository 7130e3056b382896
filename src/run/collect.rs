//! Stage 3, collecting: takes products, rejects and notes in catalog
//! order, writes scores.csv and rejects.csv, applies the one rule for
//! repeated product_ids, and feeds each concern's ranking (sorted runs).
//! `score` feeds it from its scoring threads, `merge` from the records of
//! `score-rows`: the same code decides every row of both.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use csv::ByteRecord;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::catalog::{self, Columns, Field};
use crate::error::{Error, Result};
use crate::output::publish::Staging;
use crate::output::{self, rows};
use crate::pipeline::{self, IdVerdict, Ids};
use crate::rank::{Bar, Entry, Ranker};
use crate::sorted_runs::SpillPlan;

use super::records::{ProductRecord, RejectRecord};
use super::score_rows::{Outcome, Placed};
use super::ScoreConfig;

/// The most bytes of a product id in rejects.csv (a damaged catalog can
/// hold ids of megabytes).
const MAX_REJECT_ID: usize = 4096;

/// Most distinct unrecognised names kept for unknown-ingredients.csv.
const MAX_UNKNOWN_NAMES: usize = 100_000;

/// The folder of a full ranking's sorted runs, inside the staging folder
/// (removed before publishing; with the staging folder on any failure).
pub const SPILL_DIR: &str = ".sorted-runs";

/// The share of `--memory-limit` the rankings may hold (the rest is the
/// reader's batches, the duplicate-id table and the allocator's slack),
/// split between the concerns.
fn ranking_budget(memory_limit: usize, concerns: usize) -> usize {
    (memory_limit / 2 / concerns.max(1)).max(1 << 20)
}

type CsvOut = csv::Writer<BufWriter<File>>;

/// The sequential end of the pipeline (see the module's doc).
pub struct Collector {
    export: Option<output::Export>,
    pub columns: Columns,
    scores_path: PathBuf,
    rejects_path: PathBuf,
    pub scores_w: BufWriter<File>,
    /// scores.csv's index ([`output::places`]) and the offset of its next row.
    pub scores_index: output::places::Writer,
    scores_offset: u64,
    pub rejects_w: CsvOut,
    top: Option<usize>,
    pub rankers: Vec<Ranker>,
    pub ranked_counts: Vec<u64>,
    /// Per concern: ranked products that fully meet its profile.
    pub meeting_counts: Vec<u64>,
    /// What report.html shows, gathered as rows pass.
    pub report: output::report::Gather,
    /// The duplicate-id and variant-row rule.
    pub ids: Ids,
    /// Lines of products rejected as duplicates (their entries are not
    /// ranked).
    duplicate_lines: FxHashSet<u64>,
    pub read: u64,
    pub scored: u64,
    pub rejected: u64,
    pub blank: u64,
    /// Lines of repeated header lines skipped.
    pub header_lines: Vec<u64>,
    /// Variant rows merged into their product.
    pub variants: u64,
    /// Products whose ingredient list came from the description.
    pub lists_in_description: u64,
    /// Handles exported so far: handle -> (product_id, line).
    pub handles: FxHashMap<String, (String, u64)>,
    pub not_exportable: Vec<output::NotExportable>,
    pub not_exportable_count: u64,
    pub conflicts: u64,
    pub low: u64,
    /// Catalog cells a spreadsheet would run as a formula.
    pub formulas: output::FormulaCells,
    /// `--spreadsheet-safe`.
    safe: bool,
    pub unknown: FxHashMap<String, u64>,
    /// (handle, title, scores) of each exportable product, in catalog order.
    pub shop_rows: Vec<output::ExportRow>,
}

impl Collector {
    /// A collector writing into `staging`, its rankings spilling there.
    pub fn new(staging: &Staging, cfg: &ScoreConfig<'_>, columns: Columns) -> Result<Collector> {
        let scores_path = staging.path(output::SCORES_FILE);
        let rejects_path = staging.path(output::REJECTS_FILE);
        let file = staging.create_file(output::SCORES_FILE)?;
        let mut scores_w = BufWriter::with_capacity(1 << 16, file);
        let header = output::csv_record_bytes(output::scores_header(&cfg.concerns));
        scores_w
            .write_all(&header)
            .map_err(|e| Error::io(&scores_path, e))?;
        let index_name = output::places::index_name(output::SCORES_FILE);
        let scores_index = output::places::Writer::new(
            staging.create_file(&index_name)?,
            staging.path(&index_name),
        );
        let mut rejects_w = output::people_csv_writer(
            staging.create_file(output::REJECTS_FILE)?,
            &staging.path(output::REJECTS_FILE),
            cfg.spreadsheet_safe,
        )?;
        rejects_w
            .write_record(output::REJECTS_HEADER)
            .map_err(|e| output::write_error(&rejects_path, e))?;
        let budget = ranking_budget(cfg.memory_limit, cfg.concerns.len());
        Ok(Collector {
            export: cfg.export,
            columns,
            scores_path,
            rejects_path,
            scores_w,
            scores_index,
            scores_offset: header.len() as u64,
            rejects_w,
            top: cfg.top,
            rankers: (0..cfg.concerns.len())
                .map(|i| {
                    let dir = staging.dir().join(SPILL_DIR);
                    let tag = i.to_string();
                    Ranker::spilling(cfg.top, SpillPlan { dir, tag, budget })
                })
                .collect(),
            ranked_counts: vec![0; cfg.concerns.len()],
            meeting_counts: vec![0; cfg.concerns.len()],
            report: output::report::Gather::new(cfg.concerns.iter().map(|c| c.slug.as_str())),
            ids: Ids::new(),
            duplicate_lines: FxHashSet::default(),
            read: 0,
            scored: 0,
            rejected: 0,
            blank: 0,
            header_lines: Vec::new(),
            variants: 0,
            lists_in_description: 0,
            handles: FxHashMap::default(),
            not_exportable: Vec::new(),
            not_exportable_count: 0,
            conflicts: 0,
            low: 0,
            formulas: output::FormulaCells::default(),
            safe: cfg.spreadsheet_safe,
            unknown: FxHashMap::default(),
            shop_rows: Vec::new(),
        })
    }

    /// A blank line.
    pub fn blank(&mut self) {
        self.blank += 1;
    }

    /// A repeated header line.
    pub fn header(&mut self, line: u64) {
        self.header_lines.push(line);
    }

    /// A variant row: merged into a product before it, or rejected.
    pub fn variant(&mut self, mut r: RejectRecord) -> Result<()> {
        let as_rejected = pipeline::Rejected {
            line: r.row.line,
            product_id: std::mem::take(&mut r.row.product_id),
            column: std::mem::take(&mut r.row.column),
            reason: std::mem::take(&mut r.row.reason),
            variant: true,
            lines: r.lines,
        };
        match self.ids.rejected(&as_rejected) {
            Some(IdVerdict::VariantOfKnown) => {
                self.variants += 1;
                return Ok(());
            }
            Some(IdVerdict::OrphanVariant(reason)) => r.row.reason = reason,
            _ => r.row.reason = as_rejected.reason,
        }
        r.row.product_id = as_rejected.product_id;
        r.row.column = as_rejected.column;
        self.write_reject(r)
    }

    /// A rejected row.
    pub fn reject(&mut self, r: RejectRecord) -> Result<()> {
        self.ids.note_rejected(&r.row.product_id);
        self.write_reject(r)
    }

    /// A scored product: written and counted, or rejected when its id came
    /// before (`raw` gives its row for rejects.csv). Returns whether it was
    /// taken (its entries may then be ranked).
    pub fn product(&mut self, p: ProductRecord<'_>, raw: impl FnOnce() -> String) -> Result<bool> {
        // One fingerprint per product: for the duplicate check and the index.
        let fp = crate::pipeline::fingerprint(&p.row.product_id);
        if let IdVerdict::Duplicate(reason) = self.ids.product_with(&p.row.product_id, fp, p.line) {
            self.duplicate_lines.insert(p.line);
            let column = self
                .columns
                .header_of(Field::ProductId)
                .unwrap_or("product_id")
                .to_string();
            self.write_reject(RejectRecord {
                lines: 1,
                row: rows::RejectRow {
                    line: p.line,
                    product_id: p.row.product_id.into_owned(),
                    column,
                    reason,
                    raw: raw(),
                },
            })?;
            return Ok(false);
        }
        self.accept(p, fp)?;
        Ok(true)
    }

    /// Whether the product on `line` was rejected as a repeated id.
    pub fn is_duplicate(&self, line: u64) -> bool {
        self.duplicate_lines.contains(&line)
    }

    /// A taken product's entry in concern `i`'s ranking.
    pub fn entry(&mut self, i: usize, e: Entry) -> Result<()> {
        self.rankers[i].push(e)
    }

    fn write_reject(&mut self, reject: RejectRecord) -> Result<()> {
        let RejectRecord { lines, mut row } = reject;
        self.read += lines;
        self.rejected += lines;
        if output::is_formula(&row.product_id) {
            let column = self
                .columns
                .header_of(Field::ProductId)
                .unwrap_or("product_id");
            self.formulas.add(row.line, column, &row.product_id);
        }
        self.report
            .reject(row.line, &row.product_id, &row.column, &row.reason);
        if row.product_id.len() > MAX_REJECT_ID {
            row.product_id = crate::error::bounded(&row.product_id, MAX_REJECT_ID).into_owned();
        }
        if self.safe {
            for cell in [
                &mut row.product_id,
                &mut row.column,
                &mut row.reason,
                &mut row.raw,
            ] {
                if output::is_formula(cell) {
                    *cell = output::defuse(cell).into_owned();
                }
            }
        }
        rows::write_row(&mut self.rejects_w, &row)
            .map_err(|e| output::write_error(&self.rejects_path, e))
    }

    fn accept(&mut self, mut p: ProductRecord<'_>, fp: u64) -> Result<()> {
        self.read += 1;
        self.scored += 1;
        self.conflicts += p.claim_conflict as u64;
        self.low += (p.row.confidence == "low") as u64;
        self.lists_in_description += p.from_description as u64;
        for (column, v) in std::mem::take(&mut p.formulas) {
            self.formulas.add(p.line, &column, &v);
        }
        for name in std::mem::take(&mut p.unknown) {
            if let Some(n) = self.unknown.get_mut(&name) {
                *n += 1;
            } else if self.unknown.len() < MAX_UNKNOWN_NAMES {
                self.unknown.insert(name, 1);
            }
        }
        for (i, s) in p.scores.iter().enumerate() {
            if s.is_some() {
                self.ranked_counts[i] += 1;
            }
        }
        for (i, m) in p.meets.iter().enumerate() {
            self.meeting_counts[i] += *m as u64;
        }
        self.report.scored(
            &p.row.product_id,
            &p.row.name,
            p.scores.iter().copied(),
            p.claim_conflict.then_some(p.row.claim_conflict.as_ref()),
        );
        if self.export.is_some() {
            self.exportable(&p);
        }
        let bytes = match p.formatted.take() {
            Some(b) => b,
            None => output::row_bytes(&p.row),
        };
        self.scores_index.push(output::places::Place {
            fp,
            offset: self.scores_offset,
            rank: 0,
            tenths: 0,
        })?;
        self.scores_offset += bytes.len() as u64;
        self.scores_w
            .write_all(&bytes)
            .map_err(|e| Error::io(&self.scores_path, e))
    }

    /// Queues a product for the import file, or lists it as not
    /// exportable: a handle is never made up from an id or a name.
    fn exportable(&mut self, p: &ProductRecord<'_>) {
        let reason = match output::check_handle(&p.handle) {
            Err(reason) => Some(reason),
            Ok(()) => self.handles.get(&p.handle).map(|(id, line)| {
                format!(
                    "handle `{}` is also product `{id}`'s (line {line}), which keeps it",
                    p.handle
                )
            }),
        };
        match reason {
            Some(reason) => {
                self.not_exportable_count += 1;
                if self.not_exportable.len() < output::MAX_NOT_EXPORTABLE_LISTED {
                    self.not_exportable.push(output::NotExportable {
                        line: p.line,
                        product_id: p.row.product_id.to_string(),
                        reason,
                    });
                }
            }
            None => {
                self.handles
                    .insert(p.handle.clone(), (p.row.product_id.to_string(), p.line));
                // The product's own score per concern, whatever --top
                // keeps: an empty cell clears the shop's value on import,
                // so it is left empty only outside a concern.
                self.shop_rows
                    .push((p.handle.clone(), p.row.name.to_string(), p.scores.clone()));
            }
        }
    }
}

/// `score`'s scoring threads feed the collector through this.
impl super::read::Sink for Collector {
    fn take(&mut self, batch: &[ByteRecord], outcomes: Vec<Outcome>) -> Result<()> {
        let delimiter = self.columns.delimiter;
        for (rec, o) in batch.iter().zip(outcomes) {
            match o {
                Outcome::Blank(_) => self.blank(),
                Outcome::Header(line) => self.header(line),
                Outcome::Variant(r) => self.variant(r)?,
                Outcome::Reject(r) => self.reject(r)?,
                Outcome::Scored(s) => {
                    let raw = || catalog::raw_record(rec, delimiter);
                    if self.product(s.product, raw)? {
                        for (i, placed) in s.entries.into_iter().enumerate() {
                            if let Placed::Candidate(e) = placed {
                                self.entry(i, e)?;
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn bars(&self) -> Option<Vec<Bar>> {
        self.top
            .map(|_| self.rankers.iter().map(Ranker::bar).collect())
    }

    fn rows(&self) -> u64 {
        self.read
    }
}
