//! Output files: their columns (the contract the shop imports), writers,
//! progress logging, and atomic publishing.

pub mod compare;
pub mod publish;
pub mod report;

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::model::Concern;
use crate::rank::Entry;

/// One row per scored product.
pub const SCORES_FILE: &str = "scores.csv";
/// Rows that could not be scored.
pub const REJECTS_FILE: &str = "rejects.csv";
/// Columns of rejects.csv.
pub const REJECTS_HEADER: [&str; 5] = ["line", "product_id", "column", "reason", "raw"];
/// Columns of each `<concern>.csv`.
pub const CONCERN_HEADER: [&str; 7] = [
    "rank",
    "product_id",
    "name",
    "score",
    "grade",
    "confidence",
    "reasons",
];

/// Columns of scores.csv: product facts, a score per concern, then flags.
pub fn scores_header(concerns: &[Concern]) -> Vec<String> {
    let mut h: Vec<String> = [
        "product_id",
        "name",
        "brand",
        "kind",
        "texture",
        "area",
        "spf",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    h.extend(concerns.iter().map(|c| c.slug.clone()));
    h.push("confidence".into());
    h.push("claim_conflict".into());
    h
}

/// A buffered CSV writer with LF line ends.
pub fn csv_writer(path: &Path) -> Result<csv::Writer<BufWriter<File>>> {
    let f = File::create(path).map_err(|e| Error::io(path, e))?;
    Ok(csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(BufWriter::with_capacity(1 << 16, f)))
}

/// A write error on a path.
pub fn write_error(path: &Path, e: csv::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Flushes a writer, reporting errors.
pub fn finish(w: csv::Writer<BufWriter<File>>, path: &Path) -> Result<()> {
    let inner = w.into_inner().map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let mut f = inner.into_inner().map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    f.flush().map_err(|e| Error::io(path, e))
}

/// Writes a concern's ranking; returns the number of rows.
pub fn write_concern(path: &Path, ranked: Vec<Entry>) -> Result<u64> {
    let mut w = csv_writer(path)?;
    w.write_record(CONCERN_HEADER)
        .map_err(|e| write_error(path, e))?;
    let mut rank = itoa_buf();
    let mut n = 0u64;
    for (i, e) in ranked.iter().enumerate() {
        rank.clear();
        rank.push_str(&(i + 1).to_string());
        let score = format!("{:.1}", e.score.0);
        let mut rec: Vec<&str> = Vec::with_capacity(CONCERN_HEADER.len());
        rec.push(&rank);
        rec.push(&e.product_id);
        rec.push(&e.payload[0]);
        rec.push(&score);
        rec.extend(e.payload[1..].iter().map(|s| &**s));
        w.write_record(&rec).map_err(|e| write_error(path, e))?;
        n += 1;
    }
    finish(w, path)?;
    Ok(n)
}

fn itoa_buf() -> String {
    String::with_capacity(12)
}

/// Progress and end-of-run lines on stderr.
pub struct Log {
    quiet: bool,
    started: Instant,
    last: AtomicU64,
    interactive: bool,
}

impl Log {
    /// A log; `quiet` silences it.
    pub fn new(quiet: bool) -> Log {
        Log {
            quiet,
            started: Instant::now(),
            last: AtomicU64::new(0),
            interactive: std::io::stderr().is_terminal(),
        }
    }

    /// The start line.
    pub fn start(&self, catalog: &str, threads: usize) {
        if !self.quiet {
            eprintln!("milia-rank: scoring {catalog} on {threads} threads");
        }
    }

    /// Called per row; prints a line every five seconds.
    pub fn tick(&self, rows: u64) {
        if self.quiet || !rows.is_multiple_of(4096) {
            return;
        }
        let secs = self.started.elapsed().as_secs();
        let last = self.last.load(Ordering::Relaxed);
        if secs >= last + 5 {
            self.last.store(secs, Ordering::Relaxed);
            let rate = rows as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
            if self.interactive {
                eprint!("\rmilia-rank: {rows} rows, {rate:.0} rows/s   ");
            } else {
                eprintln!("milia-rank: {rows} rows, {rate:.0} rows/s");
            }
        }
    }

    /// The end line.
    pub fn end(&self, s: &crate::run::Summary, out: &Path) {
        if self.quiet {
            return;
        }
        if self.interactive && self.last.load(Ordering::Relaxed) > 0 {
            eprintln!();
        }
        eprintln!(
            "milia-rank: {} rows read, {} scored, {} rejected; published to {} in {:.2}s",
            s.rows_read,
            s.rows_scored,
            s.rows_rejected,
            out.display(),
            s.elapsed_seconds
        );
    }
}
