//! Output files: their columns (the contract the shop imports), writers,
//! progress logging, and atomic publishing.

pub mod compare;
pub mod places;
pub mod publish;
pub mod report;
pub mod rows;

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::model::Concern;
use crate::rank::Entry;
use serde::{Deserialize, Serialize};

/// One row per scored product.
pub const SCORES_FILE: &str = "scores.csv";
/// Rows that could not be scored.
pub const REJECTS_FILE: &str = "rejects.csv";
/// Unrecognised ingredient names with their counts.
pub const UNKNOWN_FILE: &str = "unknown-ingredients.csv";
/// The self-contained HTML report.
pub const REPORT_FILE: &str = "report.html";
/// The Shopify product-CSV import file (with `--format shopify`).
pub const SHOPIFY_FILE: &str = "shopify-metafields.csv";
/// The Matrixify import file (with `--format matrixify`); Matrixify reads a
/// CSV file as Products when its name says so.
pub const MATRIXIFY_FILE: &str = "matrixify-products.csv";
/// Columns of rejects.csv.
pub const REJECTS_HEADER: [&str; 5] = ["line", "product_id", "column", "reason", "raw"];
/// Columns of each `<concern>.csv`. `brand` came last so that the columns
/// before it keep their places for existing imports.
pub const CONCERN_HEADER: [&str; 8] = [
    "rank",
    "product_id",
    "name",
    "score",
    "grade",
    "confidence",
    "reasons",
    "brand",
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

/// The longest concern slug: its file name stays far below NAME_MAX.
pub const MAX_SLUG: usize = 64;

/// Checks, before the work, that every concern's file name is a valid,
/// distinct name that does not collide with the run's other files.
pub fn check_file_names(concerns: &[Concern]) -> Result<()> {
    let reserved = [
        SCORES_FILE,
        REJECTS_FILE,
        UNKNOWN_FILE,
        REPORT_FILE,
        SHOPIFY_FILE,
        MATRIXIFY_FILE,
        publish::MARKER,
        publish::MANIFEST,
    ];
    let mut seen = std::collections::HashSet::new();
    for c in concerns {
        let file = format!("{}.csv", c.slug);
        let valid = !c.slug.is_empty()
            && c.slug.len() <= MAX_SLUG
            && c.slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !c.slug.starts_with('-');
        if !valid {
            return Err(Error::Usage(format!(
                "concern `{}` cannot name a file: a slug is 1 to {MAX_SLUG} lowercase letters, digits and '-', not starting with '-'",
                c.slug
            )));
        }
        if reserved
            .iter()
            .any(|r| r.rsplit_once('.').map_or(*r, |(stem, _)| stem) == c.slug || *r == file)
        {
            return Err(Error::Usage(format!(
                "concern `{}` would write {file}, which collides with the run's own {} file; rename the concern",
                c.slug,
                c.slug
            )));
        }
        if !seen.insert(c.slug.clone()) {
            return Err(Error::Usage(format!("concern `{}` is given twice", c.slug)));
        }
    }
    Ok(())
}

/// A buffered CSV writer with LF line ends, on a file the caller created
/// (in a run, [`publish::Staging::create_file`]). Each file writes its
/// header itself; rows are [`rows`] structs.
pub fn csv_writer(f: File) -> csv::Writer<BufWriter<File>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .has_headers(false)
        .from_writer(BufWriter::with_capacity(1 << 16, f))
}

/// A writer for a file people open in a spreadsheet: with `excel`
/// (`--spreadsheet-safe`), a UTF-8 byte-order mark first and CRLF line
/// ends, which Excel on Windows needs to show accents right; otherwise as
/// [`csv_writer`]. (`path` names the file in messages.)
pub fn people_csv_writer(
    f: File,
    path: &Path,
    excel: bool,
) -> Result<csv::Writer<BufWriter<File>>> {
    if !excel {
        return Ok(csv_writer(f));
    }
    let mut out = BufWriter::with_capacity(1 << 16, f);
    out.write_all("\u{feff}".as_bytes())
        .map_err(|e| Error::io(path, e))?;
    Ok(csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .has_headers(false)
        .from_writer(out))
}

/// One CSV record as bytes, quoted as `csv_writer` quotes it and ended by
/// LF, so a scoring thread can format a row that is written elsewhere.
pub fn csv_record_bytes<I, T>(record: I) -> Vec<u8>
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    with_record_writer(|w| {
        let _ = w.write_record(record);
    })
}

/// One row struct of [`rows`] as CSV bytes, as a file's writer writes it
/// (quoted as [`csv_writer`] quotes, ended by LF).
pub fn row_bytes(row: &impl Serialize) -> Vec<u8> {
    with_record_writer(|w| {
        let _ = w.serialize(row);
    })
}

/// Appends to a Vec shared with the caller.
struct Sink(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `write` with this thread's record writer and returns what it
/// wrote (writing to and flushing into a Vec cannot fail).
fn with_record_writer(write: impl FnOnce(&mut csv::Writer<Sink>)) -> Vec<u8> {
    use std::cell::RefCell;
    use std::rc::Rc;
    thread_local! {
        static WRITER: (RefCell<csv::Writer<Sink>>, Rc<RefCell<Vec<u8>>>) = {
            let out = Rc::new(RefCell::new(Vec::new()));
            let w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .flexible(true)
                .has_headers(false)
                .from_writer(Sink(out.clone()));
            (RefCell::new(w), out)
        };
    }
    WRITER.with(|(w, out)| {
        let mut w = w.borrow_mut();
        write(&mut w);
        let _ = w.flush();
        std::mem::take(&mut *out.borrow_mut())
    })
}

/// Flushes a plain buffered writer, reporting errors.
pub fn finish_bytes(mut w: BufWriter<File>, path: &Path) -> Result<()> {
    w.flush().map_err(|e| Error::io(path, e))
}

/// A write error on a path.
pub fn write_error(path: &Path, e: csv::Error) -> Error {
    let text = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        // A row of milia-rank's own that cannot be written as CSV: a bug.
        _ => Error::Internal(format!("{}: {text}", path.display())),
    }
}

/// Flushes a writer, reporting errors.
pub fn finish(w: csv::Writer<BufWriter<File>>, path: &Path) -> Result<()> {
    let inner = w
        .into_inner()
        .map_err(|e| Error::io(path, e.into_error()))?;
    let mut f = inner
        .into_inner()
        .map_err(|e| Error::io(path, e.into_error()))?;
    f.flush().map_err(|e| Error::io(path, e))
}

/// Writes a concern's ranking into `f` (named `path` in messages) from
/// its entries, best first, and each row's place into `index` (see
/// [`places`]); returns the number of rows.
pub fn write_concern(
    f: File,
    path: &Path,
    ranked: impl Iterator<Item = Result<Entry>>,
    index: places::Writer,
) -> Result<u64> {
    let mut index = index;
    // The writer's buffer goes into the file at every row (`flush` only
    // empties it into `Counted`), so that each row's offset is known.
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .has_headers(false)
        .from_writer(Counted {
            inner: BufWriter::with_capacity(1 << 16, f),
            bytes: 0,
        });
    w.write_record(CONCERN_HEADER)
        .map_err(|e| write_error(path, e))?;
    w.flush().map_err(|e| Error::io(path, e))?;
    let mut n = 0u64;
    for e in ranked {
        let e = e?;
        n += 1;
        let p = &e.payload;
        let row = rows::ConcernRow {
            rank: n,
            product_id: Cow::Borrowed(&e.product_id),
            name: Cow::Borrowed(&p.name),
            score: e.score.0,
            grade: Cow::Borrowed(p.grade),
            confidence: Cow::Borrowed(p.confidence),
            reasons: Cow::Borrowed(&p.reasons),
            brand: Cow::Borrowed(&p.brand),
        };
        index.push(places::Place {
            fp: crate::pipeline::fingerprint(&e.product_id),
            offset: w.get_ref().bytes,
            rank: n.min(u32::MAX as u64) as u32,
            tenths: places::tenths(e.score.0),
        })?;
        rows::write_row(&mut w, &row).map_err(|e| write_error(path, e))?;
        w.flush().map_err(|e| Error::io(path, e))?;
    }
    let mut out = w
        .into_inner()
        .map_err(|e| Error::io(path, e.into_error()))?
        .inner;
    out.flush().map_err(|e| Error::io(path, e))?;
    drop(out);
    index.finish(path)?;
    Ok(n)
}

/// A writer that counts the bytes it passes on; its `flush` does not
/// flush what it writes into.
struct Counted<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Progress and end-of-run lines on stderr: a progress bar with rows/s and
/// ETA when stderr is a terminal; otherwise (cron) plain lines at the start,
/// every few seconds, and at the end. `--quiet` silences both.
pub struct Log {
    quiet: bool,
    started: Instant,
    last: AtomicU64,
    bar: Option<indicatif::ProgressBar>,
}

/// Seconds between progress lines when stderr is not a terminal.
const LOG_EVERY_SECS: u64 = 5;

impl Log {
    /// A log; `quiet` silences it.
    pub fn new(quiet: bool) -> Log {
        Log {
            quiet,
            started: Instant::now(),
            last: AtomicU64::new(0),
            bar: None,
        }
    }

    /// The start line, or the progress bar over `total_bytes` of input.
    pub fn start(&mut self, catalog: &str, threads: usize, total_bytes: u64) {
        self.start_doing("scoring", catalog, threads, total_bytes)
    }

    /// As [`Log::start`], saying what the run does (`merging`).
    pub fn start_doing(&mut self, verb: &str, catalog: &str, threads: usize, total_bytes: u64) {
        if self.quiet {
            return;
        }
        self.started = Instant::now();
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total_bytes.max(1));
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {bar:30} {percent:>3}% {msg} ETA {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.bar = Some(bar);
        } else {
            crate::error::note(&format!(
                "milia-rank: {verb} {catalog} on {threads} threads"
            ));
        }
    }

    /// A line about how the catalog was read (columns, delimiter, encoding).
    pub fn note(&self, text: &str) {
        if self.quiet {
            return;
        }
        // Header names come from the file: no raw control bytes on stderr.
        let line = format!("milia-rank: {}", crate::error::printable(text));
        match &self.bar {
            Some(bar) => bar.suspend(|| crate::error::note(&line)),
            None => crate::error::note(&line),
        }
    }

    /// Called per batch with the rows done and the input bytes read.
    pub fn tick(&self, rows: u64, bytes: u64) {
        if self.quiet {
            return;
        }
        let elapsed = self.started.elapsed();
        let rate = rows as f64 / elapsed.as_secs_f64().max(1e-9);
        if let Some(bar) = &self.bar {
            bar.set_position(bytes);
            bar.set_message(format!("{rows} rows, {rate:.0} rows/s"));
            return;
        }
        let secs = elapsed.as_secs();
        let last = self.last.load(Ordering::Relaxed);
        if secs >= last + LOG_EVERY_SECS {
            self.last.store(secs, Ordering::Relaxed);
            crate::error::note(&format!("milia-rank: {rows} rows, {rate:.0} rows/s"));
        }
    }

    /// The end line: rows read, scored and rejected, where the run was
    /// published, how long it took, and what changed since the previous
    /// run.
    pub fn end(
        &self,
        rows: [u64; 3],
        out: &Path,
        seconds: f64,
        changes: Option<&compare::Changes>,
    ) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if self.quiet {
            return;
        }
        let changed = match changes {
            None => "no previous run to compare with".to_string(),
            Some(c) => format!(
                "since the previous run: {} new, {} dropped, {} score change{} of {:.1} point or more",
                c.new_products_count,
                c.dropped_products_count,
                c.score_changes(),
                if c.score_changes() == 1 { "" } else { "s" },
                c.min_score_change
            ),
        };
        crate::error::note(&format!(
            "milia-rank: {} rows read, {} scored, {} rejected; published to {} in {seconds:.2}s; {changed}",
            rows[0],
            rows[1],
            rows[2],
            out.display(),
        ));
    }

    /// A warning line (even with --quiet: it says what the run did not do).
    pub fn warn(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.suspend(|| crate::error::note(&format!("milia-rank: warning: {message}")));
        } else {
            crate::error::note(&format!("milia-rank: warning: {message}"));
        }
    }

    /// Clears the progress bar before an error is printed.
    pub fn abandon(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Columns of unknown-ingredients.csv.
pub const UNKNOWN_HEADER: [&str; 2] = ["name", "count"];

/// Writes unrecognised ingredient names with their counts, most frequent
/// first, into `f` (named `path` in messages). With `safe`
/// (`--spreadsheet-safe`), a name a spreadsheet would run as a formula is
/// written with a leading `'`.
pub fn write_unknown(f: File, path: &Path, counts: Vec<(String, u64)>, safe: bool) -> Result<()> {
    let mut v = counts;
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut w = people_csv_writer(f, path, safe)?;
    w.write_record(UNKNOWN_HEADER)
        .map_err(|e| write_error(path, e))?;
    for (name, count) in v {
        let name = if safe {
            defuse(&name).into_owned()
        } else {
            name
        };
        rows::write_row(&mut w, &rows::UnknownRow { name, count })
            .map_err(|e| write_error(path, e))?;
    }
    finish(w, path)
}

/// Whether a spreadsheet opening a CSV would run this cell as a formula
/// (`=`, `+`, `-`, `@`, or a tab or carriage return first).
pub fn is_formula(cell: &str) -> bool {
    matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// A cell a spreadsheet would run as a formula, made text by a leading `'`.
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    if is_formula(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Most formula cells listed by line in summary.json and the report.
pub const MAX_FORMULA_LISTED: usize = 10;

/// Catalog cells that a spreadsheet would run as a formula, as published.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FormulaCells {
    /// How many cells.
    pub count: u64,
    /// The first few, in catalog order.
    pub first: Vec<FormulaCell>,
}

/// One catalog cell a spreadsheet would run as a formula.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FormulaCell {
    pub line: u64,
    pub column: String,
    /// The cell, cut to 100 bytes.
    pub value: String,
}

impl FormulaCells {
    /// Counts a cell, listing it while the list is short.
    pub fn add(&mut self, line: u64, column: &str, value: &str) {
        self.count += 1;
        if self.first.len() < MAX_FORMULA_LISTED {
            self.first.push(FormulaCell {
                line,
                column: column.to_string(),
                value: crate::error::bounded(value, 100).into_owned(),
            });
        }
    }

    /// None when there are none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The log's warning: how many, the first ones, and what was done.
    pub fn warning(&self, safe: bool) -> Option<String> {
        let first = self.first.first()?;
        Some(format!(
            "{} catalog cell{} start with =, +, -, @ or a tab, which a spreadsheet may run as a formula (first: line {}, column `{}`: `{}`); {}",
            self.count,
            if self.count == 1 { "" } else { "s" },
            first.line,
            first.column,
            first.value,
            if safe {
                "--spreadsheet-safe wrote them with a leading ' in rejects.csv and unknown-ingredients.csv; the shop's import files keep them as they are"
            } else {
                "the published files keep them as they are (the shop's import needs them unchanged); open CSVs in a spreadsheet through its text import, or give --spreadsheet-safe for rejects.csv and unknown-ingredients.csv"
            }
        ))
    }
}

/// A shop-platform import file (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// Shopify's own product CSV import.
    Shopify,
    /// The Matrixify app's Products sheet.
    Matrixify,
}

impl Export {
    /// Parses a `--format` value.
    pub fn parse(s: &str) -> Option<Export> {
        match s {
            "shopify" => Some(Export::Shopify),
            "matrixify" => Some(Export::Matrixify),
            _ => None,
        }
    }

    /// The `--format` value.
    pub fn name(self) -> &'static str {
        match self {
            Export::Shopify => "shopify",
            Export::Matrixify => "matrixify",
        }
    }

    /// The file written.
    pub fn file(self) -> &'static str {
        match self {
            Export::Shopify => SHOPIFY_FILE,
            Export::Matrixify => MATRIXIFY_FILE,
        }
    }
}

/// Products listed by name in summary.json's `export.not_exportable_products`.
pub const MAX_NOT_EXPORTABLE_LISTED: usize = 100;

/// A scored product the import file leaves out, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotExportable {
    pub line: u64,
    pub product_id: String,
    pub reason: String,
}

/// What the import file holds, for summary.json and the log.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExportSummary {
    /// `shopify` or `matrixify`.
    #[serde(deserialize_with = "rows::static_str")]
    pub format: rows::Word,
    /// The file written.
    #[serde(deserialize_with = "rows::static_str")]
    pub file: rows::Word,
    /// The catalog column the handles came from; null when it has none.
    pub handle_column: Option<String>,
    pub products_exported: u64,
    /// Scored products left out of the file.
    pub not_exportable: u64,
    /// The first of them, with the reason.
    pub not_exportable_products: Vec<NotExportable>,
}

impl ExportSummary {
    /// The log's warning when products were left out.
    pub fn warning(&self) -> Option<String> {
        if self.not_exportable == 0 {
            return None;
        }
        let mut s = format!(
            "{} scored product{} not in {} (listed in summary.json, export.not_exportable_products)",
            self.not_exportable,
            if self.not_exportable == 1 { " is" } else { "s are" },
            self.file
        );
        if self.handle_column.is_none() {
            s.push_str(
                ": the catalog has no handle column (Handle, URL handle, handle, url_handle, slug); point one with --map handle=COLUMN",
            );
            return Some(s);
        }
        let shown: Vec<String> = self
            .not_exportable_products
            .iter()
            .take(5)
            .map(|n| format!("line {} `{}`: {}", n.line, n.product_id, n.reason))
            .collect();
        s.push_str(": ");
        s.push_str(&shown.join("; "));
        if self.not_exportable > 5 {
            s.push_str("; ...");
        }
        Some(s)
    }
}

/// Checks a Shopify handle: 1 to 255 lowercase ASCII letters, digits and
/// hyphens, as Shopify makes them. A handle outside that form is not
/// corrected (the shop's product would not be the one matched).
pub fn check_handle(h: &str) -> std::result::Result<(), String> {
    if h.is_empty() {
        return Err(
            "no handle: the import file matches products by handle, and none is made up".into(),
        );
    }
    let valid = h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not a Shopify handle (lowercase ASCII letters, digits and hyphens)",
            crate::error::printable(h)
        ))
    }
}

/// The Shopify metafield key of a concern's score: `milia_prone_score`.
pub fn shopify_key(slug: &str, what: &str) -> String {
    format!("{}_{what}", slug.replace('-', "_"))
}

/// The header of a Shopify product-CSV metafield column, as Shopify's
/// product CSV documents it (`<name> (product.metafields.<namespace>.<key>)`):
/// `Milia-prone score (product.metafields.custom.milia_prone_score)`.
pub fn shopify_column(slug: &str, what: &str) -> String {
    let mut title = slug.to_string();
    if let Some(f) = title.get_mut(0..1) {
        f.make_ascii_uppercase();
    }
    format!(
        "{title} {what} (product.metafields.custom.{})",
        shopify_key(slug, what)
    )
}

/// The header of a Matrixify metafield column, as Matrixify documents it
/// (`Metafield: <namespace>.<key> [<type>]`):
/// `Metafield: custom.milia_prone_score [number_decimal]`.
pub fn matrixify_column(slug: &str, what: &str) -> String {
    format!(
        "Metafield: custom.{} [number_decimal]",
        shopify_key(slug, what)
    )
}

/// A product's (rank, score) in each concern, None where not ranked.
pub type Scores = Vec<Option<f64>>;

/// A row of the import file: handle, title, and the product's own score
/// per concern (None outside a concern).
pub type ExportRow = (String, String, Scores);

/// Writes the import file: one row per product, keyed by handle, one score
/// metafield column per concern (empty where the product is not ranked).
///
/// Shopify: `Handle`, `Title` (the two columns its import needs to update
/// an existing product), then the metafields. Matrixify: `Handle`,
/// `Command` = `UPDATE` (update an existing product, never create one),
/// then the metafields.
pub fn write_export(
    format: Export,
    f: File,
    path: &Path,
    concerns: &[Concern],
    rows: &[ExportRow],
) -> Result<()> {
    let mut w = csv_writer(f);
    let mut header: Vec<String> = match format {
        Export::Shopify => vec!["Handle".into(), "Title".into()],
        Export::Matrixify => vec!["Handle".into(), "Command".into()],
    };
    for c in concerns {
        header.push(match format {
            Export::Shopify => shopify_column(&c.slug, "score"),
            Export::Matrixify => matrixify_column(&c.slug, "score"),
        });
    }
    w.write_record(&header).map_err(|e| write_error(path, e))?;
    let mut rec: Vec<String> = Vec::with_capacity(header.len());
    for (handle, title, scores) in rows {
        rec.clear();
        rec.push(handle.clone());
        rec.push(match format {
            Export::Shopify => title.clone(),
            Export::Matrixify => "UPDATE".into(),
        });
        for score in scores {
            rec.push(score.map_or(String::new(), |s| format!("{s:.1}")));
        }
        w.write_record(&rec).map_err(|e| write_error(path, e))?;
    }
    finish(w, path)
}

#[cfg(test)]
mod record_tests {
    use super::*;

    #[test]
    fn record_bytes_are_what_the_file_writer_writes() {
        let rows: [[&str; 3]; 4] = [
            ["a", "b,c", "d\"e"],
            ["line\nbreak", " space ", ""],
            ["", "", ""],
            ["ünïcode", "tab\there", "cr\rlf"],
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut w = csv_writer(File::create(&path).unwrap());
        let mut bytes = Vec::new();
        for r in rows {
            w.write_record(r).unwrap();
            bytes.extend(csv_record_bytes(r));
        }
        finish(w, &path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
    }
}
