//! A ranking larger than memory: entries are kept in memory up to a byte
//! budget, then sorted and written to a run file; at the end the runs and
//! what is still in memory are merged, best first, by a streaming k-way
//! merge. The order is [`better_first`], which is total (product ids are
//! unique in a ranking), so the merged order is exactly the order of one
//! sort in memory, byte for byte, however the entries were split.
//!
//! Run files live in a folder of the run's own staging folder inside DIR's
//! store: they are never written outside `.milia-rank/`, and the staging
//! folder's removal (on every exit path, or by the next run after a kill)
//! removes them. Their format is private to one run: each entry is its
//! score's bits, its confidence, and four length-prefixed strings.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ordered_float::OrderedFloat;

use crate::error::{Error, Result};
use crate::rank::{better_first, Entry, Payload};

/// Where a ranking may spill, and how much it may hold in memory.
#[derive(Clone, Debug)]
pub struct SpillPlan {
    /// The folder for run files (created on the first spill).
    pub dir: PathBuf,
    /// A name for this ranking's run files (the concern's index).
    pub tag: String,
    /// Bytes of entries held in memory before a run is written.
    pub budget: usize,
}

/// The memory an entry holds, roughly: the struct and its strings (the
/// product's shared strings counted in full, which errs on the safe side).
pub fn entry_bytes(e: &Entry) -> usize {
    std::mem::size_of::<Entry>()
        + e.payload.reasons.len()
        + e.product_id.len()
        + e.payload.name.len()
        + e.payload.brand.len()
}

/// A ranking of every entry, spilled to sorted run files past its budget.
#[derive(Debug)]
pub struct Spilling {
    plan: SpillPlan,
    mem: Vec<Entry>,
    bytes: usize,
    runs: Vec<PathBuf>,
    /// Bytes written to run files.
    pub spilled_bytes: u64,
}

impl Spilling {
    pub fn new(plan: SpillPlan) -> Spilling {
        Spilling {
            plan,
            mem: Vec::new(),
            bytes: 0,
            runs: Vec::new(),
            spilled_bytes: 0,
        }
    }

    /// Adds an entry, writing a run when the budget is passed.
    pub fn push(&mut self, e: Entry) -> Result<()> {
        self.bytes += entry_bytes(&e);
        self.mem.push(e);
        if self.bytes > self.plan.budget {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<()> {
        self.mem.sort_unstable_by(better_first);
        if self.runs.is_empty() {
            match std::fs::create_dir(&self.plan.dir) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::io(&self.plan.dir, e)),
            }
        }
        let path = self
            .plan
            .dir
            .join(format!("{}-{:05}.run", self.plan.tag, self.runs.len()));
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        let mut w = BufWriter::with_capacity(1 << 16, file);
        let mut buf = Vec::with_capacity(1024);
        for e in self.mem.drain(..) {
            buf.clear();
            encode(&e, &mut buf);
            w.write_all(&buf).map_err(|e| Error::io(&path, e))?;
            self.spilled_bytes += buf.len() as u64;
        }
        w.flush().map_err(|e| Error::io(&path, e))?;
        self.bytes = 0;
        self.runs.push(path);
        Ok(())
    }

    /// Every entry, best first: the memory sorted, merged with the runs.
    pub fn into_ranked(mut self) -> Result<Ranked> {
        self.mem.sort_unstable_by(better_first);
        if self.runs.is_empty() {
            return Ok(Ranked::Memory(std::mem::take(&mut self.mem).into_iter()));
        }
        let mut sources: Vec<Source> = Vec::with_capacity(self.runs.len() + 1);
        for path in &self.runs {
            let f = File::open(path).map_err(|e| Error::io(path, e))?;
            sources.push(Source::Run {
                reader: BufReader::with_capacity(1 << 16, f),
                path: path.clone(),
            });
        }
        sources.push(Source::Memory(std::mem::take(&mut self.mem).into_iter()));
        let mut heap = BinaryHeap::with_capacity(sources.len());
        for (i, s) in sources.iter_mut().enumerate() {
            if let Some(e) = s.next()? {
                heap.push(Head {
                    entry: e,
                    source: i,
                });
            }
        }
        Ok(Ranked::Merge(Merge { sources, heap }))
    }
}

/// A ranking's entries, best first.
pub enum Ranked {
    Memory(std::vec::IntoIter<Entry>),
    Merge(Merge),
}

impl Iterator for Ranked {
    type Item = Result<Entry>;
    fn next(&mut self) -> Option<Result<Entry>> {
        match self {
            Ranked::Memory(it) => it.next().map(Ok),
            Ranked::Merge(m) => m.next_entry().transpose(),
        }
    }
}

/// One input of a merge.
enum Source {
    Run {
        reader: BufReader<File>,
        path: PathBuf,
    },
    Memory(std::vec::IntoIter<Entry>),
}

impl Source {
    fn next(&mut self) -> Result<Option<Entry>> {
        match self {
            Source::Memory(it) => Ok(it.next()),
            Source::Run { reader, path } => decode(reader).map_err(|e| Error::io(path, e)),
        }
    }
}

/// The best entry of one source, ordered so that the heap's greatest is
/// the best entry overall.
struct Head {
    entry: Entry,
    source: usize,
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Head {}
impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        better_first(&other.entry, &self.entry).then_with(|| other.source.cmp(&self.source))
    }
}

/// A streaming k-way merge of sorted sources.
pub struct Merge {
    sources: Vec<Source>,
    heap: BinaryHeap<Head>,
}

impl Merge {
    fn next_entry(&mut self) -> Result<Option<Entry>> {
        let Some(Head { entry, source }) = self.heap.pop() else {
            return Ok(None);
        };
        if let Some(next) = self.sources[source].next()? {
            self.heap.push(Head {
                entry: next,
                source,
            });
        }
        Ok(Some(entry))
    }
}

const CONFIDENCES: [&str; 3] = ["high", "medium", "low"];

fn put_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

fn encode(e: &Entry, buf: &mut Vec<u8>) {
    buf.extend_from_slice(&e.score.0.to_bits().to_le_bytes());
    let c = CONFIDENCES
        .iter()
        .position(|c| *c == e.payload.confidence)
        .unwrap_or(0) as u8;
    buf.push(c);
    put_str(buf, &e.product_id);
    put_str(buf, &e.payload.name);
    put_str(buf, &e.payload.reasons);
    put_str(buf, &e.payload.brand);
}

fn get_str(r: &mut impl Read) -> std::io::Result<String> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let mut bytes = vec![0u8; u32::from_le_bytes(len) as usize];
    r.read_exact(&mut bytes)?;
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// The next entry of a run; None at its end.
fn decode(r: &mut BufReader<File>) -> std::io::Result<Option<Entry>> {
    let mut bits = [0u8; 8];
    match r.read_exact(&mut bits) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let score = f64::from_bits(u64::from_le_bytes(bits));
    let mut c = [0u8; 1];
    r.read_exact(&mut c)?;
    let product_id: Arc<str> = get_str(r)?.into();
    let name: Arc<str> = get_str(r)?.into();
    let reasons = get_str(r)?.into_boxed_str();
    let brand: Arc<str> = get_str(r)?.into();
    Ok(Some(Entry {
        score: OrderedFloat(score),
        product_id,
        line: 0,
        payload: Payload {
            name,
            grade: crate::model::score::grade(score),
            confidence: CONFIDENCES[(c[0] as usize).min(2)],
            reasons,
            brand,
        },
    }))
}

/// Removes a spill folder (after the merge, before publishing).
pub fn remove(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e(score: f64, id: &str, low: bool) -> Entry {
        Entry {
            score: OrderedFloat(score),
            product_id: id.into(),
            line: 0,
            payload: Payload {
                name: format!("name of {id}").into(),
                grade: crate::model::score::grade(score),
                confidence: if low { "low" } else { "high" },
                reasons: format!("reasons, {id}; ünïcode").into(),
                brand: "Brand".into(),
            },
        }
    }

    proptest! {
        /// Whatever the budget, the merged ranking is the one sort in memory.
        #[test]
        fn spilled_and_merged_equals_one_sort(
            scores in proptest::collection::vec((0u16..1000, any::<bool>()), 0..300),
            budget in 0usize..20_000,
        ) {
            let tmp = tempfile::tempdir().unwrap();
            let mut s = Spilling::new(SpillPlan {
                dir: tmp.path().join("spill"),
                tag: "t".into(),
                budget,
            });
            let mut all = Vec::new();
            for (i, (score, low)) in scores.iter().enumerate() {
                let x = e(*score as f64 / 7.0, &format!("id-{i:04}"), *low);
                all.push(x.clone());
                s.push(x).unwrap();
            }
            all.sort_unstable_by(better_first);
            let merged: Vec<Entry> = s.into_ranked().unwrap().map(|r| r.unwrap()).collect();
            prop_assert_eq!(merged, all);
        }
    }

    #[test]
    fn a_small_budget_writes_runs_in_the_given_folder_only() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("spill");
        let mut s = Spilling::new(SpillPlan {
            dir: dir.clone(),
            tag: "3".into(),
            budget: 2_000,
        });
        for i in 0..100 {
            s.push(e(i as f64, &format!("{i}"), false)).unwrap();
        }
        assert!(s.spilled_bytes > 0);
        let runs = std::fs::read_dir(&dir).unwrap().count();
        assert!(runs >= 5, "{runs} runs");
        let ranked: Vec<Entry> = s.into_ranked().unwrap().map(|r| r.unwrap()).collect();
        assert_eq!(ranked.len(), 100);
        assert_eq!(&*ranked[0].product_id, "99");
        remove(&dir);
        assert!(!dir.exists());
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }
}
