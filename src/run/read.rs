//! Stage 1, reading, and its overlap with stage 2: a reader thread parses
//! records into reusable batches, the pool scores batch k+1 while a sink
//! takes batch k in input order (the collector in `score`, the record
//! writer in `score-rows`), so the output is the same whatever the thread
//! count. Memory is a few batches, whatever the input's length.

use std::io::BufRead;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use csv::ByteRecord;
use rayon::prelude::*;

use crate::catalog::{self, CatalogReader, CatalogSource, Columns, Field};
use crate::error::{Error, Result};
use crate::output::Log;
use crate::rank::Bar;

use super::score_rows::{process, Outcome, Scoring};

/// Records per batch handed to the scoring pool.
const BATCH: usize = 1024;

/// Where records come from: a catalog (CSV) or JSON lines.
pub trait RecordSource: Send {
    /// Reads the next record; false at the end.
    fn read(&mut self, rec: &mut ByteRecord) -> Result<bool>;
    /// The line the next record would start on.
    fn line(&self) -> u64;
}

impl RecordSource for CatalogReader {
    fn read(&mut self, rec: &mut ByteRecord) -> Result<bool> {
        CatalogReader::read(self, rec)
    }
    fn line(&self) -> u64 {
        CatalogReader::line(self)
    }
}

/// What takes scored batches, in input order, on one thread.
pub trait Sink: Send {
    /// Takes a batch and its outcomes.
    fn take(&mut self, batch: &[ByteRecord], outcomes: Vec<Outcome>) -> Result<()>;
    /// The rankings' bars now, when one may have risen (`--top`).
    fn bars(&self) -> Option<Vec<Bar>>;
    /// Rows taken so far, for the progress line.
    fn rows(&self) -> u64;
}

/// What a stream reports: the reader's and the sink's busy time, the line
/// after the last one read, and the line right after the last record (the
/// reader skips empty lines: those after the last record are counted by
/// the line of the next record, wherever it comes from).
pub struct Streamed {
    pub reading: Duration,
    pub collecting: Duration,
    pub end_line: u64,
    pub after_last_record: u64,
}

/// The reader thread's channels: batches in, empty batches back.
type ReaderChannels = (
    Receiver<Result<Vec<ByteRecord>>>,
    SyncSender<Vec<ByteRecord>>,
    std::thread::JoinHandle<()>,
);

/// Counters the reader thread keeps.
#[derive(Default)]
struct ReaderCounts {
    bytes: AtomicU64,
    busy_nanos: AtomicU64,
    end_line: AtomicU64,
    after_record: AtomicU64,
}

fn spawn_reader(
    mut reader: Box<dyn RecordSource>,
    counts: Arc<ReaderCounts>,
) -> Result<ReaderChannels> {
    counts.after_record.store(reader.line(), Ordering::Relaxed);
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
                Ok(true) => {
                    n += 1;
                    counts.after_record.store(reader.line(), Ordering::Relaxed);
                }
                Ok(false) => break,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        batch.truncate(n);
        if let Some(pos) = batch.last().and_then(|r| r.position()) {
            counts.bytes.store(pos.byte(), Ordering::Relaxed);
        }
        let last = n < BATCH || failed.is_some();
        if last {
            counts.end_line.store(reader.line(), Ordering::Relaxed);
        }
        counts
            .busy_nanos
            .fetch_add(began.elapsed().as_nanos() as u64, Ordering::Relaxed);
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
        .map_err(|e| super::no_thread("the catalog reader", &e))?;
    Ok((rx, recycle_tx, handle))
}

/// Streams records from `reader` through the pool into `sink`.
pub fn stream(
    reader: Box<dyn RecordSource>,
    scoring: &Scoring<'_>,
    pool: &rayon::ThreadPool,
    sink: &mut dyn Sink,
    log: &Log,
) -> Result<Streamed> {
    let counts = Arc::new(ReaderCounts::default());
    let (rx, recycle, handle) = spawn_reader(reader, counts.clone())?;
    let mut collect_busy = Duration::ZERO;
    // The bars as of the last collected batch, for the scoring threads
    // (only --top rankings have one that rises).
    let open = vec![Bar::Open; scoring.concerns.len()];
    let bars = std::sync::Mutex::new(sink.bars().unwrap_or_else(|| open.clone()));
    let collected: Result<()> = std::thread::scope(|scope| {
        let (tx, done_rx) = sync_channel::<(Vec<ByteRecord>, Vec<Outcome>)>(2);
        let (sink, recycle, counts, busy, bars) =
            (&mut *sink, &recycle, &counts, &mut collect_busy, &bars);
        let collect = move || -> Result<()> {
            for (batch, outcomes) in done_rx.iter() {
                let began = Instant::now();
                sink.take(&batch, outcomes)?;
                if let (Some(now), Ok(mut b)) = (sink.bars(), bars.lock()) {
                    *b = now;
                }
                *busy += began.elapsed();
                let _ = recycle.try_send(batch);
                log.tick(sink.rows(), counts.bytes.load(Ordering::Relaxed));
            }
            Ok(())
        };
        let consumer = match std::thread::Builder::new()
            .name("collector".into())
            .spawn_scoped(scope, collect)
        {
            Ok(c) => c,
            Err(e) => return Err(super::no_thread("collecting the scores", &e)),
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
                Err(_) => open.clone(),
            };
            let outcomes: Vec<Outcome> = pool.install(|| {
                batch
                    .par_iter()
                    .map(|rec| process(rec, scoring, &bars_now))
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
    Ok(Streamed {
        reading: Duration::from_nanos(counts.busy_nanos.load(Ordering::Relaxed)),
        collecting: collect_busy,
        end_line: counts.end_line.load(Ordering::Relaxed),
        after_last_record: counts.after_record.load(Ordering::Relaxed),
    })
}

/// The catalog's size and modification time for the summary, and the
/// bytes progress counts against (none for compressed or converted input,
/// whose decoded size is not known).
pub fn catalog_sizes(
    source: &CatalogSource,
    input: &catalog::input::InputInfo,
) -> (Option<u64>, Option<String>, u64) {
    let (catalog_bytes, catalog_modified) = match source {
        CatalogSource::File(p) => match std::fs::metadata(p) {
            Ok(m) => (Some(m.len()), m.modified().ok().map(super::rfc3339)),
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

/// JSON lines whose keys are the canonical field names, read as records
/// of a catalog whose header is every canonical field (a missing key is an
/// empty field). A line that is not a JSON object becomes a one-field
/// record, which is rejected for its width.
pub struct JsonLines<R> {
    input: R,
    line: u64,
    text: String,
    name: String,
}

impl<R: BufRead + Send> JsonLines<R> {
    pub fn new(input: R, name: &str) -> JsonLines<R> {
        JsonLines {
            input,
            line: 1,
            text: String::new(),
            name: name.to_string(),
        }
    }
}

/// The columns of JSON lines: every canonical field, by its name.
pub fn json_columns(options: &catalog::CatalogOptions) -> Result<Columns> {
    let headers: Vec<String> = Field::ALL.iter().map(|f| f.key().to_string()).collect();
    let opts = catalog::CatalogOptions {
        maps: Vec::new(),
        ..options.clone()
    };
    Columns::resolve(&headers, &opts, "<stdin>")
}

impl<R: BufRead + Send> RecordSource for JsonLines<R> {
    fn read(&mut self, rec: &mut ByteRecord) -> Result<bool> {
        self.text.clear();
        let n = self
            .input
            .read_line(&mut self.text)
            .map_err(|e| Error::Unusable {
                path: self.name.clone(),
                message: format!("line {}: {}", self.line, crate::error::describe(&e)),
                source: Some(e),
            })?;
        if n == 0 {
            return Ok(false);
        }
        let line = self.line;
        self.line += 1;
        rec.clear();
        let text = self.text.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            for _ in Field::ALL {
                rec.push_field(b"");
            }
        } else {
            match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
                Ok(map) => {
                    for f in Field::ALL {
                        match map.get(f.key()) {
                            None | Some(serde_json::Value::Null) => rec.push_field(b""),
                            Some(serde_json::Value::String(s)) => rec.push_field(s.as_bytes()),
                            Some(other) => rec.push_field(other.to_string().as_bytes()),
                        }
                    }
                }
                Err(_) => rec.push_field(text.as_bytes()),
            }
        }
        let mut pos = csv::Position::new();
        pos.set_line(line);
        rec.set_position(Some(pos));
        Ok(true)
    }

    fn line(&self) -> u64 {
        self.line
    }
}
