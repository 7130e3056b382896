//! The `score` job and its two halves, `score-rows` and `merge`, wired from
//! one set of stages, each a module of its own:
//!
//! read ([`read`]) → score rows ([`score_rows`]) → collect into sorted runs
//! ([`collect`]) → merge the runs and write ([`write`](mod@write)) → publish
//! ([`publish`]).
//!
//! `score` runs them all in one process. `score-rows` ([`emit`]) stops
//! after scoring and writes each row's outcome as a record ([`records`]);
//! `merge` ([`merge`]) reads those records into the same collector and goes
//! on as `score` does, so both publish the same bytes by construction.

pub mod collect;
pub mod emit;
pub mod merge;
pub mod publish;
pub mod read;
pub mod records;
pub mod score_rows;
pub mod summary;
pub mod write;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::catalog::{CatalogOptions, CatalogReader, CatalogSource};
use crate::error::{Error, Result};
use crate::knowledge::KnowledgeBase;
use crate::model::Concern;
use crate::output::{self, Log};

pub use summary::{ConcernSummary, Summary, Timings};

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

/// What a `score` or `merge` run needs (`merge` reads parts, not
/// `source` with `options`).
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
pub fn estimate_output_bytes(catalog_bytes: u64, top: Option<usize>, concerns: usize) -> u64 {
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
    // The rows' indexes: 24 bytes a row of scores.csv and of each ranking
    // (a catalog row rarely takes under 300 bytes).
    let rows = catalog_bytes / 300;
    let ranked_rows = top.map_or(rows, |n| rows.min(n as u64));
    let indexes = rows
        .saturating_add(ranked_rows.saturating_mul(concerns as u64))
        .saturating_mul(crate::output::places::RECORD as u64);
    (catalog_bytes / 4)
        .saturating_add(rankings.min(catalog_bytes.saturating_mul(2)))
        .saturating_add(indexes)
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

/// Runs the score job and publishes its output; returns the summary.
pub fn run_score(mut cfg: ScoreConfig<'_>) -> Result<Summary> {
    let result = score_and_publish(&mut cfg);
    if result.is_err() {
        cfg.log.abandon();
    }
    result
}

/// Runs `merge`: the parts (files or folders of `score-rows` output) are
/// ranked and published as `score` publishes a catalog.
pub fn run_merge(mut cfg: ScoreConfig<'_>, parts: &[PathBuf]) -> Result<Summary> {
    let result = merge_and_publish(&mut cfg, parts);
    if result.is_err() {
        cfg.log.abandon();
    }
    result
}

fn score_and_publish(cfg: &mut ScoreConfig<'_>) -> Result<Summary> {
    let started = publish::Started::now();
    let reader = CatalogReader::open(&cfg.source, &cfg.options)?;
    let facts = publish::CatalogFacts {
        name: reader.name.clone(),
        bytes: None,
        modified: None,
        input: reader.input.clone(),
        columns: reader.columns.clone(),
    };
    let (_, _, total_bytes) = read::catalog_sizes(&cfg.source, &facts.input);
    let mut run = publish::Run::open(cfg, ("scoring", &facts.name), total_bytes, started)?;
    for n in &reader.notes {
        cfg.log.note(n);
    }
    let mut collector = collect::Collector::new(&run.staging, cfg, facts.columns.clone())?;
    run.setup_done();
    let scoring = score_rows::Scoring {
        columns: &facts.columns,
        kb: cfg.kb,
        concerns: &cfg.concerns,
        delimiter: facts.columns.delimiter,
        keep_raw: false,
        json: false,
    };
    let stream_began = Instant::now();
    let streamed = read::stream(
        Box::new(reader),
        &scoring,
        &run.pool,
        &mut collector,
        &cfg.log,
    )?;
    run.timings.stream = summary::secs(stream_began.elapsed());
    run.timings.reading = summary::secs(streamed.reading);
    run.timings.collecting = summary::secs(streamed.collecting);
    // The catalog's size and time as they are now, at the end of reading
    // (a catalog changed while read was refused already).
    let (bytes, modified, _) = read::catalog_sizes(&cfg.source, &facts.input);
    let facts = publish::CatalogFacts {
        bytes,
        modified,
        ..facts
    };
    publish::finish(cfg, run, collector, facts)
}

fn merge_and_publish(cfg: &mut ScoreConfig<'_>, parts: &[PathBuf]) -> Result<Summary> {
    let started = publish::Started::now();
    let files = merge::part_files(parts)?;
    let digest = records::digest(cfg.kb, &cfg.concerns);
    let (first, columns) = merge::check_parts(&files, &digest, cfg.top)?;
    let facts = publish::CatalogFacts {
        name: first.catalog,
        bytes: None,
        modified: None,
        input: first.input,
        columns,
    };
    let what = format!(
        "{} part{} of {}",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        facts.name
    );
    let mut run = publish::Run::open(cfg, ("merging", &what), 0, started)?;
    let mut collector = collect::Collector::new(&run.staging, cfg, facts.columns.clone())?;
    run.setup_done();
    let slugs: Vec<String> = cfg.concerns.iter().map(|c| c.slug.clone()).collect();
    let stream_began = Instant::now();
    merge::read_parts(
        &files,
        &merge::Reading {
            digest: &digest,
            top: cfg.top,
            slugs: &slugs,
            pool: &run.pool,
        },
        &mut collector,
    )?;
    run.timings.stream = summary::secs(stream_began.elapsed());
    run.timings.collecting = run.timings.stream;
    publish::finish(cfg, run, collector, facts)
}

/// A time as RFC 3339 in UTC, to the second.
pub fn rfc3339(t: std::time::SystemTime) -> String {
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
