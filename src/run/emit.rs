//! `score-rows`: the read and score stages of `score`, whose outcomes are
//! written as records ([`super::records`]) to standard output instead of
//! being collected. Nothing is ranked and no file is written; a rejected
//! row is a record. Memory is the stream's few batches (and, with
//! `--top N`, each concern's best N).

use std::io::Write;

use csv::ByteRecord;

use crate::catalog::input::InputInfo;
use crate::catalog::{CatalogOptions, CatalogReader, CatalogSource};
use crate::error::{Error, Result};
use crate::knowledge::KnowledgeBase;
use crate::model::Concern;
use crate::output::Log;
use crate::rank::{Bar, Ranker};

use super::read::{self, RecordSource, Sink};
use super::records::{self, CountRecord, Record};
use super::score_rows::{Outcome, Placed, Scoring};

/// How `score-rows` reads its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// A catalog CSV with its header, read as `score` reads one.
    Csv,
    /// JSON lines keyed by the canonical field names.
    Jsonl,
}

/// What a `score-rows` run needs.
pub struct RowsConfig<'a> {
    /// Standard input, or the built-in sample.
    pub source: CatalogSource,
    pub format: InputFormat,
    pub options: CatalogOptions,
    pub kb: &'a KnowledgeBase,
    pub concerns: Vec<Concern>,
    pub top: Option<usize>,
    pub threads: usize,
    pub log: Log,
}

/// Scores every row of the input and writes its records to `out`.
pub fn run_score_rows(mut cfg: RowsConfig<'_>, out: impl Write + Send) -> Result<CountRecord> {
    let (reader, name, input, columns, header_lines): (Box<dyn RecordSource>, _, _, _, u64) =
        match cfg.format {
            InputFormat::Csv if cfg.source == CatalogSource::Stdin && stdin_is_empty()? => {
                return empty_part(&cfg, out);
            }
            InputFormat::Csv => {
                let r = CatalogReader::open(&cfg.source, &cfg.options)?;
                for n in &r.notes {
                    cfg.log.note(n);
                }
                let (name, input, columns) = (r.name.clone(), r.input.clone(), r.columns.clone());
                (Box::new(r), name, input, columns, 1)
            }
            InputFormat::Jsonl => {
                let name = cfg.source.display();
                let input = std::io::BufReader::with_capacity(1 << 16, std::io::stdin());
                let reader = read::JsonLines::new(input, &name);
                let info = InputInfo {
                    compression: None,
                    encoding: "UTF-8",
                    encoding_from: "JSON lines",
                    delimiter: ",".into(),
                    delimiter_from: "JSON lines",
                    notes: Vec::new(),
                };
                (
                    Box::new(reader),
                    name,
                    info,
                    read::json_columns(&cfg.options)?,
                    0,
                )
            }
        };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads)
        .build()
        .map_err(|e| super::no_pool(cfg.threads, &e))?;
    cfg.log.start(&name, pool.current_num_threads(), 0);
    let mut emit = Emit::new(out, &cfg);
    let scoring = Scoring {
        columns: &columns,
        kb: cfg.kb,
        concerns: &cfg.concerns,
        delimiter: columns.delimiter,
        keep_raw: true,
        json: cfg.format == InputFormat::Jsonl,
    };
    let streamed = read::stream(reader, &scoring, &pool, &mut emit, &cfg.log)?;
    let lines = streamed.end_line.saturating_sub(1 + header_lines);
    let trailing_empty = streamed
        .end_line
        .saturating_sub(streamed.after_last_record)
        .min(lines);
    let count = CountRecord {
        version: env!("CARGO_PKG_VERSION").into(),
        digest: records::digest(cfg.kb, &cfg.concerns),
        concerns: cfg.concerns.iter().map(|c| c.slug.clone()).collect(),
        top: cfg.top,
        catalog: name,
        input,
        columns: Some(columns),
        lines,
        trailing_empty,
        products: emit.count.products,
        entries: emit.count.entries,
        rejects: emit.count.rejects,
        variants: emit.count.variants,
        blank: emit.count.blank,
        headers: emit.count.headers,
    };
    emit.finish(&cfg.concerns, count)
}

/// Whether standard input ends before its first byte (a Spark partition
/// without a row pipes nothing, not even a header). The bytes looked at
/// stay in standard input's own buffer for the catalog reader.
fn stdin_is_empty() -> Result<bool> {
    use std::io::BufRead;
    let mut stdin = std::io::stdin().lock();
    loop {
        match stdin.fill_buf() {
            Ok(b) => return Ok(b.is_empty()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Error::Unusable {
                    path: "<stdin>".into(),
                    message: crate::error::describe(&e),
                    source: Some(e),
                })
            }
        }
    }
}

/// The records of an empty input: its closing record alone.
fn empty_part(cfg: &RowsConfig<'_>, mut out: impl Write) -> Result<CountRecord> {
    let count = CountRecord {
        version: env!("CARGO_PKG_VERSION").into(),
        digest: records::digest(cfg.kb, &cfg.concerns),
        concerns: cfg.concerns.iter().map(|c| c.slug.clone()).collect(),
        top: cfg.top,
        catalog: cfg.source.display(),
        input: InputInfo {
            compression: None,
            encoding: "UTF-8",
            encoding_from: "empty input",
            delimiter: ",".into(),
            delimiter_from: "empty input",
            notes: Vec::new(),
        },
        columns: None,
        lines: 0,
        trailing_empty: 0,
        products: 0,
        entries: 0,
        rejects: 0,
        variants: 0,
        blank: 0,
        headers: 0,
    };
    write_record(&mut out, &Record::Count(Box::new(count.clone())))?;
    out.flush().map_err(Error::stdout)?;
    Ok(count)
}

/// Writes one record and its line end.
fn write_record(out: &mut impl Write, r: &Record<'_>) -> Result<()> {
    serde_json::to_writer(&mut *out, r).map_err(|e| Error::stdout(e.into()))?;
    out.write_all(b"\n").map_err(Error::stdout)
}

/// Records written, by kind.
#[derive(Clone, Copy, Default)]
struct Counts {
    products: u64,
    entries: u64,
    rejects: u64,
    variants: u64,
    blank: u64,
    headers: u64,
}

/// The sink that writes records.
struct Emit<W: Write> {
    out: W,
    slugs: Vec<String>,
    top: Option<usize>,
    /// Each concern's local best N (with `--top`).
    rankers: Vec<Ranker>,
    /// The totals so far.
    count: Counts,
    rows: u64,
}

impl<W: Write> Emit<W> {
    fn new(out: W, cfg: &RowsConfig<'_>) -> Emit<W> {
        Emit {
            out,
            slugs: cfg.concerns.iter().map(|c| c.slug.clone()).collect(),
            top: cfg.top,
            rankers: cfg.concerns.iter().map(|_| Ranker::new(cfg.top)).collect(),
            count: Counts::default(),
            rows: 0,
        }
    }

    fn write(&mut self, r: &Record<'_>) -> Result<()> {
        write_record(&mut self.out, r)
    }

    /// The local best entries (with `--top`), then the closing record.
    fn finish(mut self, concerns: &[Concern], count: CountRecord) -> Result<CountRecord> {
        let rankers = std::mem::take(&mut self.rankers);
        let mut entries = count.entries;
        if self.top.is_some() {
            for (c, r) in concerns.iter().zip(rankers) {
                for e in r.into_stream()? {
                    let e = e?;
                    self.write(&Record::Entry(Box::new(records::entry_record(&c.slug, &e))))?;
                    entries += 1;
                }
            }
        }
        let count = CountRecord { entries, ..count };
        self.write(&Record::Count(Box::new(count.clone())))?;
        self.out.flush().map_err(Error::stdout)?;
        Ok(count)
    }
}

impl<W: Write + Send> Sink for Emit<W> {
    fn take(&mut self, _: &[ByteRecord], outcomes: Vec<Outcome>) -> Result<()> {
        for o in outcomes {
            self.rows += 1;
            match o {
                Outcome::Blank(line) => {
                    self.count.blank += 1;
                    self.write(&Record::Blank { line })?;
                }
                Outcome::Header(line) => {
                    self.count.headers += 1;
                    self.write(&Record::Header { line })?;
                }
                Outcome::Variant(r) => {
                    self.count.variants += 1;
                    self.write(&Record::Variant(Box::new(r)))?;
                }
                Outcome::Reject(r) => {
                    self.count.rejects += 1;
                    self.write(&Record::Reject(Box::new(r)))?;
                }
                Outcome::Scored(s) => {
                    self.count.products += 1;
                    self.write(&Record::Product(Box::new(s.product)))?;
                    for (i, placed) in s.entries.into_iter().enumerate() {
                        let Placed::Candidate(e) = placed else {
                            continue;
                        };
                        if self.top.is_some() {
                            self.rankers[i].push(e)?;
                        } else {
                            let r = records::entry_record(&self.slugs[i], &e);
                            write_record(&mut self.out, &Record::Entry(Box::new(r)))?;
                            self.count.entries += 1;
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
        self.rows
    }
}
