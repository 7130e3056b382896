//! The `score` job: stream the catalog, score rows in parallel, rank per
//! concern, and publish every output file at once.
//!
//! A reader thread parses CSV records into reusable batches while the rayon
//! pool scores the previous batch; results are consumed in input order, so
//! the output is the same whatever the thread count.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::Instant;

use csv::ByteRecord;
use ordered_float::OrderedFloat;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::catalog::{self, CatalogOptions, CatalogReader, CatalogSource, Columns, Field};
use crate::error::{Error, Result};
use crate::knowledge::KnowledgeBase;
use crate::model::{self, score, Concern};
use crate::output::publish::{Plan, Staging};
use crate::output::{self, Log};
use crate::pipeline::{self, Checked, IdVerdict, Ids, Product};
use crate::rank::{Bar, Entry, Payload, Ranker};
use crate::sorted_runs::SpillPlan;

/// Records per batch handed to the scoring pool.
const BATCH: usize = 1024;

/// The folder of a full ranking's sorted runs, inside the staging folder
/// (removed before publishing; with the staging folder on any failure).
const SPILL_DIR: &str = ".sorted-runs";

/// The share of `--memory-limit` the rankings may hold (the rest is the
/// reader's batches, the duplicate-id table and the allocator's slack),
/// split between the concerns.
fn ranking_budget(memory_limit: usize, concerns: usize) -> usize {
    (memory_limit / 2 / concerns.max(1)).max(1 << 20)
}

/// The most rejects a run may have before it fails and publishes nothing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MaxRejects {
    /// At most this many rows.
    Count(u64),
    /// At most this percentage of the rows read.
    Percent(f64),
}

impl std::str::FromStr for MaxRejects {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let t = s.trim();
        if let Some(p) = t.strip_suffix('%') {
            match p.trim().parse::<f64>() {
                Ok(v) if (0.0..=100.0).contains(&v) => Ok(MaxRejects::Percent(v)),
                _ => Err(format!("`{s}` is not a percentage from 0% to 100%")),
            }
        } else {
            t.parse::<u64>()
                .map(MaxRejects::Count)
                .map_err(|_| format!("`{s}` is not a row count or a percentage such as 5%"))
        }
    }
}

impl MaxRejects {
    /// Whether `rejected` of `read` rows exceeds the limit.
    pub fn exceeded(self, rejected: u64, read: u64) -> bool {
        match self {
            MaxRejects::Count(n) => rejected > n,
            MaxRejects::Percent(p) => read > 0 && (rejected as f64) * 100.0 > p * read as f64,
        }
    }

    fn describe(self) -> String {
        match self {
            MaxRejects::Count(n) => format!("{n} rows"),
            MaxRejects::Percent(p) => format!("{p}% of rows"),
        }
    }
}

/// What a `score` run needs.
pub struct ScoreConfig<'a> {
    pub source: CatalogSource,
    pub options: CatalogOptions,
    pub kb: &'a KnowledgeBase,
    pub concerns: Vec<Concern>,
    pub top: Option<usize>,
    pub threads: usize,
    pub out: PathBuf,
    pub max_rejects: MaxRejects,
    /// The largest share (percent) of the published release's products a
    /// catalog may lose before the run is refused.
    pub max_shrink: f64,
    /// An earlier output directory to compare with.
    pub previous: Option<PathBuf>,
    /// Also write a shop-platform import file (`--format`).
    pub export: Option<output::Export>,
    /// Releases kept in DIR's store, today's included.
    pub keep: usize,
    /// Bytes a full ranking may hold in memory (all concerns together)
    /// before it spills sorted runs to disk in DIR's store.
    pub memory_limit: usize,
    /// Wait for another run publishing into DIR instead of failing.
    pub wait: bool,
    /// Write cells a spreadsheet would run as a formula with a leading `'`
    /// in the files people open (rejects.csv, unknown-ingredients.csv).
    pub spreadsheet_safe: bool,
    pub log: Log,
}

/// Every file name a run publishes, for the checks made before scoring.
pub fn output_files(concerns: &[Concern], export: Option<output::Export>) -> Vec<String> {
    let mut v: Vec<String> = concerns.iter().map(|c| format!("{}.csv", c.slug)).collect();
    v.extend(
        [
            output::SCORES_FILE,
            output::REJECTS_FILE,
            output::UNKNOWN_FILE,
            output::REPORT_FILE,
            crate::output::publish::MARKER,
        ]
        .map(String::from),
    );
    if let Some(e) = export {
        v.push(e.file().into());
    }
    v
}

/// A generous bound of the bytes a run writes, from the catalog's size.
/// Measured on a generated catalog: a full ranking writes about 1.1 times
/// the catalog's bytes (the six rankings with reasons about 1.0, scores.csv
/// 0.1); with `--top` it writes scores.csv and small rankings. Unknown size
/// (stdin): no check.
fn estimate_output_bytes(catalog_bytes: u64, top: Option<usize>, concerns: usize) -> u64 {
    if catalog_bytes == 0 {
        return 0;
    }
    let rankings = match top {
        Some(n) => (n as u64)
            .saturating_mul(1000)
            .saturating_mul(concerns as u64),
        // The rankings, and as much again for their sorted runs while the
        // run lasts (when they spill).
        None => catalog_bytes.saturating_mul(concerns as u64) / 2,
    };
    (catalog_bytes / 4)
        .saturating_add(rankings.min(catalog_bytes.saturating_mul(2)))
        .saturating_add(1 << 20)
}

/// Checks an earlier run's output before the work: a folder that cannot be
/// compared is a warning and the run goes on without a comparison.
fn usable_previous(prev: &Path, log: &Log) -> Option<PathBuf> {
    match crate::output::compare::check_comparable(prev) {
        Ok(_) => Some(prev.to_path_buf()),
        Err(e) => {
            log.warn(&format!(
                "cannot compare with {} ({e}); this run is published without a comparison",
                prev.display()
            ));
            None
        }
    }
}

/// The most bytes of a product id in rejects.csv (a damaged catalog can
/// hold ids of megabytes).
const MAX_REJECT_ID: usize = 4096;

/// Most distinct unrecognised names kept for unknown-ingredients.csv.
const MAX_UNKNOWN_NAMES: usize = 100_000;

/// Per-concern counts in the summary.
#[derive(Debug, Serialize, Clone)]
pub struct ConcernSummary {
    pub slug: String,
    /// Products in the ranking.
    pub ranked: u64,
    /// Rows written to the concern's file (fewer with --top).
    pub written: u64,
    /// Ranked products that fully meet the concern's profile, where the
    /// profile says what that is (`[concern.thin]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fully_meeting: Option<u64>,
    /// The list is thin: the catalog holds too few products that fully
    /// meet the profile, and the rest of the list is said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The run summary written to summary.json.
#[derive(Debug, Serialize, Clone)]
pub struct Summary {
    pub tool: String,
    pub version: String,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    pub catalog: String,
    /// The catalog file's size in bytes (null for standard input).
    pub catalog_bytes: Option<u64>,
    /// The catalog file's modification time (RFC 3339, UTC; null for
    /// standard input and the built-in sample).
    pub catalog_modified: Option<String>,
    /// How the catalog's bytes were read: compression, encoding, delimiter.
    pub input: catalog::input::InputInfo,
    /// Which column fed each field, and how it was found.
    pub columns: Vec<catalog::ColumnUse>,
    pub knowledge_base: String,
    pub rows_read: u64,
    pub rows_scored: u64,
    pub rows_rejected: u64,
    pub blank_lines_skipped: u64,
    /// Lines that repeat the header (concatenated exports), skipped.
    pub repeated_headers_skipped: u64,
    /// Variant rows of a Shopify export (the product's handle again, an
    /// empty title), merged into their product rather than scored.
    pub variant_rows_merged: u64,
    /// Products whose ingredient list was read from the labelled section
    /// of the description (`Body (HTML)`).
    pub ingredients_from_description: u64,
    pub max_rejects: String,
    pub claim_conflicts: u64,
    pub low_confidence: u64,
    pub concerns: Vec<ConcernSummary>,
    pub top: Option<usize>,
    pub threads: usize,
    /// Distinct unrecognised ingredient names (listed in unknown-ingredients.csv).
    pub unknown_ingredients: u64,
    pub elapsed_seconds: f64,
    /// Seconds spent in each stage of this run (run-specific, like
    /// elapsed_seconds).
    pub timings: Timings,
    /// Catalog cells (product id, name, brand) that a spreadsheet would run
    /// as a formula; absent when there are none.
    #[serde(skip_serializing_if = "output::FormulaCells::is_empty")]
    pub formula_cells: output::FormulaCells,
    /// Bytes of the rankings written to sorted runs on disk and merged
    /// (past `--memory-limit`); absent when none were.
    #[serde(skip_serializing_if = "is_zero")]
    pub spilled_bytes: u64,
    /// The import file written with `--format`, and the products it leaves out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export: Option<output::ExportSummary>,
    /// What changed since the run given with --previous.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<crate::output::compare::Changes>,
}

/// Seconds per stage of a run, in summary.json under `timings`. The
/// stream stage reads, scores and collects at once: `reading` and
/// `collecting` are the busy time of its two sequential threads (the reader
/// and the collector), the rest of it is scoring on the pool.
#[derive(Debug, Serialize, Clone, Default)]
pub struct Timings {
    /// Opening the catalog and the output store (sequential).
    pub setup: f64,
    /// Reading, scoring and collecting, wall time.
    pub stream: f64,
    /// Busy time of the reader thread within `stream` (sequential).
    pub reading: f64,
    /// Busy time of the collector thread within `stream` (sequential).
    pub collecting: f64,
    /// Ranking and writing the concern files (in parallel, one task per
    /// concern).
    pub rankings: f64,
    /// unknown-ingredients.csv, the Shopify file, the comparison, the
    /// report and summary.json (sequential).
    pub finish: f64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn secs(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

/// The reader thread's channels: batches in, empty batches back.
type ReaderChannels = (
    Receiver<Result<Vec<ByteRecord>>>,
    SyncSender<Vec<ByteRecord>>,
    std::thread::JoinHandle<()>,
);

enum Outcome {
    Blank,
    /// A row with a product_id but no name: a variant row when its product
    /// came before it, otherwise rejected for this.
    Variant(RejectRow),
    /// A repeated header line, at this line.
    Header(u64),
    Reject(RejectRow),
    Scored(ScoredRow),
}

struct RejectRow {
    line: u64,
    /// The catalog lines it stands for (see [`pipeline::Rejected::lines`]).
    lines: u64,
    product_id: String,
    column: String,
    reason: String,
    raw: String,
}

/// A scored row's place in one concern's ranking.
enum Placed {
    /// Outside the concern.
    Outside,
    /// Ranked, but below the bar of a full `--top` ranking: counted (its
    /// score kept for an import file), not kept, and its reasons never
    /// formatted.
    Below(f64),
    /// A candidate for the ranking, reasons formatted.
    Candidate(Entry),
}

struct ScoredRow {
    line: u64,
    product_id: String,
    handle: String,
    unknown: Vec<String>,
    /// The product's name (the export's title).
    name: String,
    /// The row of scores.csv, formatted.
    scores_row: Vec<u8>,
    entries: Vec<Placed>,
    /// Per concern: the product fully meets its profile.
    meets: Vec<bool>,
    claim_conflict: bool,
    low_confidence: bool,
    /// The ingredient list came from the description.
    from_description: bool,
    /// Published cells (id, name, brand) a spreadsheet would run as a
    /// formula: the field and the cell (empty for nearly every row).
    formulas: Vec<(Field, String)>,
}

fn process(
    rec: &ByteRecord,
    columns: &Columns,
    kb: &KnowledgeBase,
    concerns: &[Concern],
    delimiter: u8,
    bars: &[Bar],
) -> Outcome {
    let get = |f: Field| catalog::field(rec, columns, f);
    let product = match pipeline::check(rec, columns) {
        Checked::Blank => return Outcome::Blank,
        Checked::RepeatedHeader(line) => return Outcome::Header(line),
        Checked::Rejected(r) => {
            let variant = r.variant;
            let reject = RejectRow {
                line: r.line,
                lines: r.lines,
                product_id: r.product_id,
                column: r.column,
                reason: r.reason,
                raw: catalog::raw_record(rec, delimiter),
            };
            return if variant {
                Outcome::Variant(reject)
            } else {
                Outcome::Reject(reject)
            };
        }
        Checked::Product(p) => p,
    };
    let a = pipeline::assess(&product, kb, concerns);
    let Product {
        line,
        product_id,
        row,
    } = product;
    let name = row.name.trim();
    let bad_utf8 = catalog::invalid_utf8_columns(rec, columns);
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
    let shared_name: std::sync::Arc<str> = name.into();
    let shared_brand: std::sync::Arc<str> = get(Field::Brand).trim().into();
    let shared_id: std::sync::Arc<str> = product_id.as_str().into();
    // Reasons are formatted only for an entry its ranking may keep.
    let entries = a
        .scores
        .iter()
        .zip(bars)
        .enumerate()
        .map(|(i, (s, bar))| {
            let Some(s) = s else {
                return Placed::Outside;
            };
            let mut entry = Entry {
                score: OrderedFloat(s.score),
                product_id: shared_id.clone(),
                payload: Payload {
                    name: shared_name.clone(),
                    grade: score::grade(s.score),
                    confidence,
                    reasons: Box::default(),
                    brand: shared_brand.clone(),
                },
            };
            if !bar.admits(&entry) {
                return Placed::Below(s.score);
            }
            let mut reasons = a.reasons(i).unwrap_or_default();
            if let Some(n) = &utf8_note {
                reasons.push_str("; ");
                reasons.push_str(n);
            }
            entry.payload.reasons = reasons.into();
            Placed::Candidate(entry)
        })
        .collect();
    let mut scores_row = vec![
        product_id.clone(),
        name.to_string(),
        get(Field::Brand).trim().to_string(),
        a.profile.kind.as_str().to_string(),
        a.profile.texture.map_or("", |t| t.as_str()).to_string(),
        a.profile.area.as_str().to_string(),
        match a.profile.spf {
            model::Spf::None => String::new(),
            model::Spf::Unstated => "unstated".into(),
            model::Spf::Value(v) => model::features::fmt_percent(v),
        },
    ];
    for s in &a.scores {
        scores_row.push(s.as_ref().map_or(String::new(), |s| score::fmt1(s.score)));
    }
    scores_row.push(confidence.to_string());
    scores_row.push(a.features.claim_conflict.clone().unwrap_or_default());
    let unknown = a
        .list
        .items
        .iter()
        .filter(|i| i.id.is_none())
        .map(|i| a.list.name(i).to_string())
        .collect();
    let handle = match columns.get(Field::Handle) {
        Some(_) => get(Field::Handle).trim().to_string(),
        None => String::new(),
    };
    let formulas = [
        (Field::ProductId, scores_row[0].as_str()),
        (Field::Name, scores_row[1].as_str()),
        (Field::Brand, scores_row[2].as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| output::is_formula(v))
    .map(|(f, v)| (f, v.to_string()))
    .collect();
    Outcome::Scored(ScoredRow {
        line,
        product_id,
        handle,
        unknown,
        scores_row: output::csv_record_bytes(&scores_row),
        name: std::mem::take(&mut scores_row[1]),
        entries,
        meets: a
            .scores
            .iter()
            .map(|s| s.as_ref().is_some_and(|s| s.meets_profile))
            .collect(),
        claim_conflict: a.features.claim_conflict.is_some(),
        low_confidence: confidence == "low",
        from_description: row.from_description,
        formulas,
    })
}

fn spawn_reader(
    mut reader: CatalogReader,
    bytes_read: Arc<AtomicU64>,
    busy_nanos: Arc<AtomicU64>,
) -> Result<ReaderChannels> {
    let (tx, rx) = sync_channel::<Result<Vec<ByteRecord>>>(4);
    let (recycle_tx, recycle_rx) = sync_channel::<Vec<ByteRecord>>(8);
    let work = move || loop {
        let began = Instant::now();
        let mut batch = recycle_rx.try_recv().unwrap_or_default();
        batch.resize_with(BATCH, ByteRecord::new);
        let mut n = 0;
        let mut failed = None;
        while n < BATCH {
            match reader.read(&mut batch[n]) {
                Ok(true) => n += 1,
                Ok(false) => break,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        batch.truncate(n);
        if let Some(pos) = batch.last().and_then(|r| r.position()) {
            bytes_read.store(pos.byte(), Ordering::Relaxed);
        }
        let last = n < BATCH || failed.is_some();
        busy_nanos.fetch_add(began.elapsed().as_nanos() as u64, Ordering::Relaxed);
        if n > 0 && tx.send(Ok(batch)).is_err() {
            return;
        }
        if let Some(e) = failed {
            let _ = tx.send(Err(e));
            return;
        }
        if last {
            return;
        }
    };
    let handle = std::thread::Builder::new()
        .name("reader".into())
        .spawn(work)
        .map_err(|e| no_thread("the catalog reader", &e))?;
    Ok((rx, recycle_tx, handle))
}

/// A thread that cannot be started: the process or thread limit (ulimit
/// -u, a container's pids limit) or memory.
pub fn no_thread(what: &str, e: &std::io::Error) -> Error {
    Error::Resources(format!(
        "cannot start a thread for {what} ({}): the process or thread limit is reached (ulimit -u, a container's pids limit); lower --threads or raise the limit",
        crate::error::describe(e)
    ))
}

/// The scoring pool that cannot be started (`threads`: 0 for one per
/// core), for the same reasons as [`no_thread`].
fn no_pool(threads: usize, e: &rayon::ThreadPoolBuildError) -> Error {
    let e = e.to_string();
    let e = e
        .split(" (os error")
        .next()
        .unwrap_or_default()
        .to_lowercase();
    let n = match threads {
        0 => "the".to_string(),
        n => n.to_string(),
    };
    Error::Resources(format!(
        "cannot start {n} scoring threads ({e}): the process or thread limit is reached (ulimit -u, a container's pids limit); lower --threads or raise the limit"
    ))
}

type CsvOut = csv::Writer<std::io::BufWriter<File>>;

/// The sequential end of the pipeline: takes scored batches in input order,
/// writes scores.csv and rejects.csv, detects duplicates, and feeds the
/// rankers.
struct Collector<'c> {
    export: Option<output::Export>,
    columns: Columns,
    scores_path: PathBuf,
    rejects_path: PathBuf,
    scores_w: BufWriter<File>,
    rejects_w: CsvOut,
    rankers: Vec<Ranker>,
    ranked_counts: Vec<u64>,
    /// Per concern: ranked products that fully meet its profile.
    meeting_counts: Vec<u64>,
    /// The duplicate-id and variant-row rule.
    ids: Ids,
    read: u64,
    scored: u64,
    rejected: u64,
    blank: u64,
    /// Lines of repeated header lines skipped.
    header_lines: Vec<u64>,
    /// Variant rows merged into their product.
    variants: u64,
    /// Products whose ingredient list came from the description.
    lists_in_description: u64,
    /// Handles exported so far: handle -> (product_id, line).
    handles: FxHashMap<String, (String, u64)>,
    not_exportable: Vec<output::NotExportable>,
    not_exportable_count: u64,
    conflicts: u64,
    low: u64,
    /// Catalog cells a spreadsheet would run as a formula.
    formulas: output::FormulaCells,
    /// `--spreadsheet-safe`.
    safe: bool,
    unknown: FxHashMap<String, u64>,
    /// (handle, title, product_id) of each exportable product, in catalog order.
    shop_rows: Vec<output::ExportRow>,
    /// What report.html shows, gathered as rows pass.
    report: output::report::Gather,
    _cfg: std::marker::PhantomData<&'c ()>,
}

impl<'c> Collector<'c> {
    fn new(staging: &Staging, cfg: &ScoreConfig<'_>, columns: Columns) -> Result<Collector<'c>> {
        let scores_path = staging.path(output::SCORES_FILE);
        let rejects_path = staging.path(output::REJECTS_FILE);
        let file = staging.create_file(output::SCORES_FILE)?;
        let mut scores_w = BufWriter::with_capacity(1 << 16, file);
        scores_w
            .write_all(&output::csv_record_bytes(output::scores_header(
                &cfg.concerns,
            )))
            .map_err(|e| Error::io(&scores_path, e))?;
        let mut rejects_w = output::people_csv_writer(
            staging.create_file(output::REJECTS_FILE)?,
            &staging.path(output::REJECTS_FILE),
            cfg.spreadsheet_safe,
        )?;
        rejects_w
            .write_record(output::REJECTS_HEADER)
            .map_err(|e| output::write_error(&rejects_path, e))?;
        Ok(Collector {
            export: cfg.export,
            columns,
            scores_path,
            rejects_path,
            scores_w,
            rejects_w,
            rankers: (0..cfg.concerns.len())
                .map(|i| {
                    Ranker::spilling(
                        cfg.top,
                        SpillPlan {
                            dir: staging.dir().join(SPILL_DIR),
                            tag: i.to_string(),
                            budget: ranking_budget(cfg.memory_limit, cfg.concerns.len()),
                        },
                    )
                })
                .collect(),
            ranked_counts: vec![0; cfg.concerns.len()],
            meeting_counts: vec![0; cfg.concerns.len()],
            ids: Ids::new(),
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
            report: output::report::Gather::new(cfg.concerns.iter().map(|c| c.slug.as_str())),
            _cfg: std::marker::PhantomData,
        })
    }

    fn take(&mut self, batch: &[ByteRecord], outcomes: Vec<Outcome>, delimiter: u8) -> Result<()> {
        for (rec, o) in batch.iter().zip(outcomes) {
            let reject = match o {
                Outcome::Blank => {
                    self.blank += 1;
                    continue;
                }
                Outcome::Header(line) => {
                    self.header_lines.push(line);
                    continue;
                }
                Outcome::Variant(mut r) => {
                    let as_rejected = pipeline::Rejected {
                        line: r.line,
                        product_id: std::mem::take(&mut r.product_id),
                        column: std::mem::take(&mut r.column),
                        reason: std::mem::take(&mut r.reason),
                        variant: true,
                        lines: r.lines,
                    };
                    match self.ids.rejected(&as_rejected) {
                        Some(IdVerdict::VariantOfKnown) => {
                            self.variants += 1;
                            continue;
                        }
                        Some(IdVerdict::OrphanVariant(reason)) => r.reason = reason,
                        _ => r.reason = as_rejected.reason,
                    }
                    r.product_id = as_rejected.product_id;
                    r.column = as_rejected.column;
                    r
                }
                Outcome::Reject(r) => {
                    self.ids.note_rejected(&r.product_id);
                    r
                }
                Outcome::Scored(s) => match self.ids.product(&s.product_id, s.line) {
                    IdVerdict::Duplicate(reason) => RejectRow {
                        line: s.line,
                        lines: 1,
                        column: self
                            .columns
                            .header_of(Field::ProductId)
                            .unwrap_or("product_id")
                            .to_string(),
                        reason,
                        product_id: s.product_id,
                        raw: catalog::raw_record(rec, delimiter),
                    },
                    _ => {
                        self.accept(s)?;
                        continue;
                    }
                },
            };
            self.read += reject.lines;
            self.rejected += reject.lines;
            if output::is_formula(&reject.product_id) {
                let column = self
                    .columns
                    .header_of(Field::ProductId)
                    .unwrap_or("product_id");
                self.formulas.add(reject.line, column, &reject.product_id);
            }
            self.report.reject(
                reject.line,
                &reject.product_id,
                &reject.column,
                &reject.reason,
            );
            let cells = [
                reject.line.to_string(),
                crate::error::bounded(&reject.product_id, MAX_REJECT_ID).into_owned(),
                reject.column,
                reject.reason,
                reject.raw,
            ];
            let written = if self.safe {
                self.rejects_w.write_record(
                    cells
                        .iter()
                        .map(|c| output::defuse(c))
                        .collect::<Vec<_>>()
                        .iter()
                        .map(|c| c.as_bytes()),
                )
            } else {
                self.rejects_w.write_record(&cells)
            };
            written.map_err(|e| output::write_error(&self.rejects_path, e))?;
        }
        Ok(())
    }

    fn accept(&mut self, mut s: ScoredRow) -> Result<()> {
        self.read += 1;
        self.scored += 1;
        self.conflicts += s.claim_conflict as u64;
        self.low += s.low_confidence as u64;
        self.lists_in_description += s.from_description as u64;
        for (f, v) in std::mem::take(&mut s.formulas) {
            let column = self
                .columns
                .header_of(f)
                .unwrap_or(f.key())
                .trim()
                .to_string();
            self.formulas.add(s.line, &column, &v);
        }
        for name in std::mem::take(&mut s.unknown) {
            if let Some(n) = self.unknown.get_mut(&name) {
                *n += 1;
            } else if self.unknown.len() < MAX_UNKNOWN_NAMES {
                self.unknown.insert(name, 1);
            }
        }
        if self.export.is_some() {
            self.exportable(&s);
        }
        self.scores_w
            .write_all(&s.scores_row)
            .map_err(|e| Error::io(&self.scores_path, e))?;
        self.report.scored(
            &s.product_id,
            &s.name,
            s.entries.iter().map(|e| match e {
                Placed::Outside => None,
                Placed::Below(score) => Some(*score),
                Placed::Candidate(entry) => Some(entry.score.0),
            }),
            s.claim_conflict.then_some(s.scores_row.as_slice()),
        );
        for (i, m) in s.meets.iter().enumerate() {
            self.meeting_counts[i] += *m as u64;
        }
        for (i, e) in s.entries.into_iter().enumerate() {
            match e {
                Placed::Outside => {}
                Placed::Below(_) => self.ranked_counts[i] += 1,
                Placed::Candidate(entry) => {
                    self.ranked_counts[i] += 1;
                    self.rankers[i].push(entry)?;
                }
            }
        }
        Ok(())
    }
}

impl Collector<'_> {
    /// Queues a product for the import file, or lists it as not
    /// exportable: a handle is never made up from an id or a name.
    fn exportable(&mut self, s: &ScoredRow) {
        let reason = match output::check_handle(&s.handle) {
            Err(reason) => Some(reason),
            Ok(()) => self.handles.get(&s.handle).map(|(id, line)| {
                format!(
                    "handle `{}` is also product `{id}`'s (line {line}), which keeps it",
                    s.handle
                )
            }),
        };
        match reason {
            Some(reason) => {
                self.not_exportable_count += 1;
                if self.not_exportable.len() < output::MAX_NOT_EXPORTABLE_LISTED {
                    self.not_exportable.push(output::NotExportable {
                        line: s.line,
                        product_id: s.product_id.clone(),
                        reason,
                    });
                }
            }
            None => {
                self.handles
                    .insert(s.handle.clone(), (s.product_id.clone(), s.line));
                // The product's own score per concern, whatever --top
                // keeps: an empty cell clears the shop's value on import,
                // so it is left empty only outside a concern.
                let scores = s
                    .entries
                    .iter()
                    .map(|e| match e {
                        Placed::Outside => None,
                        Placed::Below(score) => Some(*score),
                        Placed::Candidate(entry) => Some(entry.score.0),
                    })
                    .collect();
                self.shop_rows
                    .push((s.handle.clone(), s.name.clone(), scores));
            }
        }
    }
}

/// Runs the score job and publishes its output; returns the summary.
pub fn run_score(mut cfg: ScoreConfig<'_>) -> Result<Summary> {
    let result = score_and_publish(&mut cfg);
    if result.is_err() {
        cfg.log.abandon();
    }
    result
}

/// The catalog's size and modification time for the summary, and the
/// bytes progress counts against (none for compressed or converted input,
/// whose decoded size is not known).
fn catalog_sizes(
    source: &CatalogSource,
    input: &catalog::input::InputInfo,
) -> (Option<u64>, Option<String>, u64) {
    let (catalog_bytes, catalog_modified) = match source {
        CatalogSource::File(p) => match std::fs::metadata(p) {
            Ok(m) => (Some(m.len()), m.modified().ok().map(rfc3339)),
            Err(_) => (None, None),
        },
        CatalogSource::Sample => (Some(catalog::SAMPLE_CATALOG.len() as u64), None),
        CatalogSource::Memory(_, b) => (Some(b.len() as u64), None),
        CatalogSource::Stdin => (None, None),
    };
    let total_bytes = match source {
        // Progress counts decompressed, decoded bytes: no total for a
        // compressed or converted file.
        _ if input.compression.is_some() || input.encoding != "UTF-8" => 0,
        CatalogSource::File(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
        CatalogSource::Sample => catalog::SAMPLE_CATALOG.len() as u64,
        CatalogSource::Memory(_, b) => b.len() as u64,
        CatalogSource::Stdin => 0,
    };
    (catalog_bytes, catalog_modified, total_bytes)
}

/// After the catalog is read: notes on skipped lines, and the checks that
/// refuse to publish (no ingredient list found anywhere, too many rejects,
/// no rows). `counts`: variant rows, lists read from descriptions, rows
/// rejected, rows read.
fn refuse_or_note(
    cfg: &ScoreConfig<'_>,
    catalog_name: &str,
    columns: &Columns,
    header_lines: &[u64],
    [variants, lists_in_description, rejected, read]: [u64; 4],
) -> Result<()> {
    if !header_lines.is_empty() {
        cfg.log.note(&repeated_header_note(header_lines));
    }
    if variants > 0 {
        cfg.log.note(&format!(
            "merged {variants} variant row{} (a product's handle again with an empty title) into their products",
            if variants == 1 { "" } else { "s" }
        ));
    }

    columns.check_lists_found(catalog_name, lists_in_description)?;
    if cfg.max_rejects.exceeded(rejected, read) {
        return Err(Error::Refused(format!(
            "{catalog_name}: {rejected} of {read} rows rejected, more than the limit of {}; nothing was published (see --max-rejects, or run `milia-rank validate` for the reasons)",
            cfg.max_rejects.describe()
        )));
    }
    if read == 0 {
        return Err(Error::Data {
            file: catalog_name.to_string(),
            line: 0,
            column: None,
            message: "the catalog has a header but no rows; nothing was published".into(),
        });
    }
    Ok(())
}

/// The shrink guard: a catalog with far fewer products than the release
/// published in DIR (`published`) is refused, since a catalog cut short or
/// half exported would otherwise take the missing products off the shop's
/// lists. A release that cannot be read is no guard (a warning elsewhere).
fn check_shrink(
    cfg: &ScoreConfig<'_>,
    catalog_name: &str,
    published: Option<&Path>,
    scored: u64,
) -> Result<()> {
    let Some(dir) = published else {
        return Ok(());
    };
    let Some(before) = crate::output::compare::read_summary(dir)
        .ok()
        .and_then(|v| v.get("rows_scored").and_then(|n| n.as_u64()))
    else {
        return Ok(());
    };
    if before == 0 || cfg.max_shrink >= 100.0 {
        return Ok(());
    }
    let lost = before.saturating_sub(scored);
    if lost as f64 * 100.0 > cfg.max_shrink * before as f64 {
        return Err(Error::Refused(format!(
            "{catalog_name}: {scored} products scored, but the release published in {} has {before}: {:.1}% fewer, more than --max-shrink {}%; nothing was published (a catalog cut short or half exported?). If the catalog really shrank, run again with --max-shrink 100%",
            cfg.out.display(),
            lost as f64 * 100.0 / before as f64,
            cfg.max_shrink
        )));
    }
    Ok(())
}

/// Writes the shop-platform import file (`--format`), one row per
/// exportable product with its score per concern.
fn write_export(
    cfg: &ScoreConfig<'_>,
    staging: &Staging,
    columns: &Columns,
    rows: Vec<output::ExportRow>,
    (not_exportable, not_exportable_count): (Vec<output::NotExportable>, u64),
) -> Result<Option<output::ExportSummary>> {
    Ok(match cfg.export {
        Some(format) => {
            output::write_export(
                format,
                staging.create_file(format.file())?,
                &staging.path(format.file()),
                &cfg.concerns,
                &rows,
            )?;
            let e = output::ExportSummary {
                format: format.name(),
                file: format.file(),
                handle_column: columns
                    .header_of(Field::Handle)
                    .map(|h| h.trim().to_string()),
                products_exported: rows.len() as u64,
                not_exportable: not_exportable_count,
                not_exportable_products: not_exportable,
            };
            if let Some(w) = e.warning() {
                cfg.log.warn(&w);
            }
            Some(e)
        }
        None => None,
    })
}

/// Sorts and writes each concern's ranking on the pool, in parallel (with
/// every product kept, this end phase is a good part of the run). Returns
/// each concern's counts.
fn write_rankings(
    cfg: &ScoreConfig<'_>,
    pool: &rayon::ThreadPool,
    staging: &Staging,
    rankers: Vec<Ranker>,
    ranked_counts: &[u64],
    meeting_counts: &[u64],
    report: &output::report::Gather,
) -> Result<Vec<ConcernSummary>> {
    // Each concern is sorted and written on the pool, in parallel: with
    // every product kept, this end phase is a good part of the run.
    let written: Vec<Result<u64>> = pool.install(|| {
        cfg.concerns
            .par_iter()
            .zip(rankers.into_par_iter())
            .map(|(c, r)| {
                let name = format!("{}.csv", c.slug);
                let path = staging.path(&name);
                let ranked = report.capture(&c.slug, r.into_stream()?);
                output::write_concern(staging.create_file(&name)?, &path, ranked)
            })
            .collect()
    });
    let mut concern_summaries = Vec::new();
    for (((c, w), n), m) in cfg
        .concerns
        .iter()
        .zip(written)
        .zip(ranked_counts)
        .zip(meeting_counts)
    {
        let written = w?;
        concern_summaries.push(ConcernSummary {
            slug: c.slug.clone(),
            ranked: *n,
            written,
            fully_meeting: c.thin.as_ref().map(|_| *m),
            note: c.thin.as_ref().and_then(|t| t.note_for(*m, *n)),
        });
    }
    Ok(concern_summaries)
}

/// Streams the catalog: a reader thread parses batches of records, the
/// pool scores batch k+1 while a collecting thread takes batch k in input
/// order. Returns the reader's and the collector's busy time.
fn stream(
    cfg: &ScoreConfig<'_>,
    reader: CatalogReader,
    columns: &Columns,
    pool: &rayon::ThreadPool,
    collector: &mut Collector<'_>,
) -> Result<(std::time::Duration, std::time::Duration)> {
    let input_info_delimiter = reader.delimiter;
    let bytes_read = Arc::new(AtomicU64::new(0));
    let reader_busy = Arc::new(AtomicU64::new(0));
    let (rx, recycle, handle) = spawn_reader(reader, bytes_read.clone(), reader_busy.clone())?;
    let mut collect_busy = std::time::Duration::ZERO;
    // The rankers' bars as of the last collected batch, for the scoring
    // threads (only --top rankings have one that rises).
    let bars = std::sync::Mutex::new(
        collector
            .rankers
            .iter()
            .map(Ranker::bar)
            .collect::<Vec<_>>(),
    );
    let has_top = cfg.top.is_some();
    let delimiter = input_info_delimiter;
    let (kb, concerns, log) = (cfg.kb, &cfg.concerns, &cfg.log);
    let collector = &mut *collector;
    // Scoring (the pool) and collecting (writing scores.csv, ranking) overlap:
    // batch k is collected on its own thread while batch k+1 is scored.
    let collected: Result<()> = std::thread::scope(|scope| {
        let (tx, done_rx) = sync_channel::<(Vec<ByteRecord>, Vec<Outcome>)>(2);
        let collector_ref = &mut *collector;
        let recycle_ref = &recycle;
        let bytes_ref = &bytes_read;
        let busy_ref = &mut collect_busy;
        let bars_ref = &bars;
        let collect = move || -> Result<()> {
            for (batch, outcomes) in done_rx.iter() {
                let began = Instant::now();
                collector_ref.take(&batch, outcomes, delimiter)?;
                if has_top {
                    let now: Vec<Bar> = collector_ref.rankers.iter().map(Ranker::bar).collect();
                    if let Ok(mut b) = bars_ref.lock() {
                        *b = now;
                    }
                }
                *busy_ref += began.elapsed();
                let _ = recycle_ref.try_send(batch);
                log.tick(collector_ref.read, bytes_ref.load(Ordering::Relaxed));
            }
            Ok(())
        };
        let consumer = match std::thread::Builder::new()
            .name("collector".into())
            .spawn_scoped(scope, collect)
        {
            Ok(c) => c,
            Err(e) => return Err(no_thread("collecting the scores", &e)),
        };
        let mut result = Ok(());
        for batch in rx.iter() {
            let batch = match batch {
                Ok(b) => b,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            let bars_now: Vec<Bar> = match bars.lock() {
                Ok(b) => b.clone(),
                Err(_) => vec![Bar::Open; concerns.len()],
            };
            let outcomes: Vec<Outcome> = pool.install(|| {
                batch
                    .par_iter()
                    .map(|rec| process(rec, columns, kb, concerns, delimiter, &bars_now))
                    .collect()
            });
            if tx.send((batch, outcomes)).is_err() {
                break;
            }
        }
        drop(tx);
        let consumed = consumer
            .join()
            .unwrap_or_else(|_| Err(Error::Internal("the collecting thread failed".into())));
        result.and(consumed)
    });
    drop(rx);
    drop(recycle);
    let _ = handle.join();
    collected?;
    Ok((
        std::time::Duration::from_nanos(reader_busy.load(Ordering::Relaxed)),
        collect_busy,
    ))
}

fn score_and_publish(cfg: &mut ScoreConfig<'_>) -> Result<Summary> {
    let started = Instant::now();
    let started_at = rfc3339(std::time::SystemTime::now());
    let reader = CatalogReader::open(&cfg.source, &cfg.options)?;
    let columns = reader.columns.clone();
    let catalog_name = reader.name.clone();
    let input_info = reader.input.clone();
    let (_, _, total_bytes) = catalog_sizes(&cfg.source, &input_info);
    let staging = Staging::create(
        &cfg.out,
        &Plan {
            files: output_files(&cfg.concerns, cfg.export),
            keep: cfg.keep,
            wait: cfg.wait,
            need_bytes: estimate_output_bytes(total_bytes, cfg.top, cfg.concerns.len()),
        },
    )?;
    // The comparison: --previous, or else the release this run replaces.
    let previous = match cfg.previous.clone() {
        Some(p) => usable_previous(&p, &cfg.log),
        None => staging
            .previous()
            .and_then(|p| usable_previous(p, &cfg.log)),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads)
        .build()
        .map_err(|e| no_pool(cfg.threads, &e))?;
    let threads = pool.current_num_threads();
    cfg.log.start(&catalog_name, threads, total_bytes);
    for n in &reader.notes {
        cfg.log.note(n);
    }

    let mut collector = Collector::new(&staging, cfg, columns.clone())?;
    let mut timings = Timings {
        setup: secs(started.elapsed()),
        ..Timings::default()
    };
    let stream_began = Instant::now();
    let (reading, collect_busy) = stream(cfg, reader, &columns, &pool, &mut collector)?;
    timings.stream = secs(stream_began.elapsed());
    timings.reading = secs(reading);
    timings.collecting = secs(collect_busy);
    let Collector {
        scores_w,
        rejects_w,
        rankers,
        ranked_counts,
        meeting_counts,
        read,
        scored,
        rejected,
        blank,
        header_lines,
        variants,
        lists_in_description,
        not_exportable,
        not_exportable_count,
        conflicts,
        low,
        unknown,
        shop_rows,
        formulas,
        ids,
        handles,
        mut report,
        ..
    } = collector;
    // The duplicate-id table is done with: its memory goes before the
    // rankings are merged and compared.
    drop((ids, handles));
    refuse_or_note(
        cfg,
        &catalog_name,
        &columns,
        &header_lines,
        [variants, lists_in_description, rejected, read],
    )?;
    check_shrink(cfg, &catalog_name, staging.previous(), scored)?;
    output::finish_bytes(scores_w, &staging.path(output::SCORES_FILE))?;
    output::finish(rejects_w, &staging.path(output::REJECTS_FILE))?;
    let rankings_began = Instant::now();

    let spilled: u64 = rankers.iter().map(Ranker::spilled_bytes).sum();
    if spilled > 0 {
        cfg.log.note(&format!(
            "the rankings held more than --memory-limit allows in memory: {} MB were sorted in runs on disk and merged",
            spilled.div_ceil(1 << 20)
        ));
    }
    let concern_summaries = write_rankings(
        cfg,
        &pool,
        &staging,
        rankers,
        &ranked_counts,
        &meeting_counts,
        &report,
    )?;
    for c in &concern_summaries {
        if let Some(note) = &c.note {
            cfg.log.note(&format!("{}: {note}", c.slug));
        }
    }
    crate::sorted_runs::remove(&staging.dir().join(SPILL_DIR));
    timings.rankings = secs(rankings_began.elapsed());
    let finish_began = Instant::now();
    let distinct_unknown = unknown.len() as u64;
    report.unknown(&unknown);
    output::write_unknown(
        staging.create_file(output::UNKNOWN_FILE)?,
        &staging.path(output::UNKNOWN_FILE),
        unknown.into_iter().collect(),
        cfg.spreadsheet_safe,
    )?;
    if let Some(w) = formulas.warning(cfg.spreadsheet_safe) {
        cfg.log.warn(&w);
    }
    let export = write_export(
        cfg,
        &staging,
        &columns,
        shop_rows,
        (not_exportable, not_exportable_count),
    )?;
    // The catalog's size and time as they are now, at the end of reading
    // (a catalog changed while read was refused already).
    let (catalog_bytes, catalog_modified, _) = catalog_sizes(&cfg.source, &input_info);
    let mut summary = Summary {
        tool: "milia-rank".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        started_at,
        catalog: catalog_name,
        catalog_bytes,
        catalog_modified,
        input: input_info,
        columns: columns.uses(),
        knowledge_base: cfg.kb.origin.clone(),
        rows_read: read,
        rows_scored: scored,
        rows_rejected: rejected,
        blank_lines_skipped: blank,
        repeated_headers_skipped: header_lines.len() as u64,
        variant_rows_merged: variants,
        ingredients_from_description: lists_in_description,
        max_rejects: cfg.max_rejects.describe(),
        claim_conflicts: conflicts,
        low_confidence: low,
        concerns: concern_summaries,
        top: cfg.top,
        threads,
        unknown_ingredients: distinct_unknown,
        elapsed_seconds: 0.0,
        timings: Timings::default(),
        export,
        formula_cells: formulas,
        spilled_bytes: spilled,
        changes: None,
    };
    let summary_path = staging.path(crate::output::publish::MARKER);
    write_json(
        staging.create_file(crate::output::publish::MARKER)?,
        &summary_path,
        &summary,
    )?;
    let staged = summary_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    if let Some(prev) = &previous {
        match pool.install(|| crate::output::compare::compare(prev, &staged)) {
            Ok(c) => summary.changes = Some(c),
            Err(e) => cfg.log.warn(&format!(
                "cannot compare with {} ({e}); this run is published without a comparison",
                prev.display()
            )),
        }
    }
    let html = crate::output::report::render(&summary, &report)?;
    let report_path = staging.path(output::REPORT_FILE);
    staging
        .create_file(output::REPORT_FILE)?
        .write_all(html.as_bytes())
        .map_err(|e| Error::io(&report_path, e))?;
    timings.finish = secs(finish_began.elapsed());
    summary.timings = timings;
    summary.elapsed_seconds = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    write_json(
        staging.replace_file(crate::output::publish::MARKER)?,
        &summary_path,
        &summary,
    )?;
    let target = staging.target().to_path_buf();
    staging.publish()?;
    cfg.log.end(
        [
            summary.rows_read,
            summary.rows_scored,
            summary.rows_rejected,
        ],
        &target,
        summary.elapsed_seconds,
        summary.changes.as_ref(),
    );
    Ok(summary)
}

/// A time as RFC 3339 in UTC, to the second.
fn rfc3339(t: std::time::SystemTime) -> String {
    let t = time::OffsetDateTime::from(t)
        .replace_nanosecond(0)
        .unwrap_or_else(|_| t.into());
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The log line for repeated header lines.
pub fn repeated_header_note(lines: &[u64]) -> String {
    let shown: Vec<String> = lines.iter().take(10).map(u64::to_string).collect();
    format!(
        "skipped {} repeated header line{} (concatenated exports?) on line {}{}; not scored",
        lines.len(),
        if lines.len() == 1 { "" } else { "s" },
        shown.join(", "),
        if lines.len() > 10 { ", ..." } else { "" }
    )
}

/// Writes a value as JSON into `f` (named `path` in messages).
fn write_json(f: File, path: &Path, value: &impl Serialize) -> Result<()> {
    let mut w = BufWriter::new(f);
    serde_json::to_writer_pretty(&mut w, value).map_err(|e| Error::io(path, e.into()))?;
    w.write_all(b"\n").map_err(|e| Error::io(path, e))?;
    w.flush().map_err(|e| Error::io(path, e))
}
