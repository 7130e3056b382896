//! Per-concern ranking: products with a trusted ingredient list first, then
//! best score first, ties broken by product_id, so the order never depends
//! on input order or thread count. With a `--top` limit
//! only the best N entries are ever held.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use std::sync::Arc;

use ordered_float::OrderedFloat;

/// What a concern's output row needs besides rank, id and score. The name is
/// shared by a product's entries in every concern.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Payload {
    pub name: Arc<str>,
    pub grade: &'static str,
    pub confidence: &'static str,
    pub reasons: Box<str>,
    /// The brand column (empty where the catalog has none).
    pub brand: Arc<str>,
}

/// One ranked product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub score: OrderedFloat<f64>,
    /// Shared by a product's entries in every concern.
    pub product_id: Arc<str>,
    /// The product's catalog line (not kept in a sorted run on disk: it
    /// is needed only until the entry is ranked).
    pub line: u64,
    pub payload: Payload,
}

/// Whether an entry comes from a list that cannot be trusted.
fn untrusted(e: &Entry) -> bool {
    low(e.payload.confidence)
}

/// A confidence that marks an untrusted list.
fn low(confidence: &str) -> bool {
    confidence == "low"
}

/// "Better" entries sort first: a product with a trusted ingredient list
/// before any of low confidence (which may be ranked, never above a trusted
/// one), then higher score, then smaller product_id.
pub fn better_first(a: &Entry, b: &Entry) -> Ordering {
    place_against(untrusted(a), a.score, &a.product_id, b)
}

/// [`better_first`] for an entry given by its parts, before it is built.
fn place_against(untrusted_a: bool, score: OrderedFloat<f64>, id: &str, b: &Entry) -> Ordering {
    untrusted_a
        .cmp(&untrusted(b))
        .then_with(|| b.score.cmp(&score))
        .then_with(|| id.cmp(&b.product_id))
}

/// Heap wrapper whose greatest element is the worst entry kept.
#[derive(Debug, PartialEq, Eq)]
pub struct Worst(pub Entry);

impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        better_first(&self.0, &other.0)
    }
}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A snapshot of what a ranker still admits, for the scoring threads: an
/// entry the bar does not admit would not be kept, so its reasons need not
/// be formatted. A ranker's bar only rises (its worst kept entry only gets
/// better), so a bar taken earlier never turns away an entry the ranker
/// would keep later.
#[derive(Clone, Debug)]
pub enum Bar {
    /// Everything is kept (no limit, or not full yet).
    Open,
    /// Only entries better than this one are kept.
    Above(Entry),
    /// Nothing is kept (`--top 0`).
    Closed,
}

impl Bar {
    /// Whether the ranker this bar was taken from may keep `e`.
    pub fn admits(&self, e: &Entry) -> bool {
        self.admits_place(e.payload.confidence, e.score, &e.product_id)
    }

    /// [`Bar::admits`] for an entry given by its confidence, score and
    /// product id, before one is built.
    pub fn admits_place(&self, confidence: &str, score: OrderedFloat<f64>, id: &str) -> bool {
        match self {
            Bar::Open => true,
            Bar::Above(worst) => place_against(low(confidence), score, id, worst) == Ordering::Less,
            Bar::Closed => false,
        }
    }
}

/// Collects a concern's entries and yields them ranked.
pub enum Ranker {
    /// Keeps every entry, in memory up to a budget and in sorted run files
    /// past it ([`crate::sorted_runs`]).
    All(crate::sorted_runs::Spilling),
    /// Keeps the best `limit` entries.
    Top {
        limit: usize,
        heap: BinaryHeap<Worst>,
    },
}

impl Ranker {
    /// A ranker keeping everything (`None`) or the best `top`, in memory.
    pub fn new(top: Option<usize>) -> Ranker {
        Ranker::spilling(
            top,
            crate::sorted_runs::SpillPlan {
                dir: std::path::PathBuf::new(),
                tag: String::new(),
                budget: usize::MAX,
            },
        )
    }

    /// A ranker keeping everything (`None`), spilling past `plan`'s budget,
    /// or the best `top` (always in memory).
    pub fn spilling(top: Option<usize>, plan: crate::sorted_runs::SpillPlan) -> Ranker {
        match top {
            None => Ranker::All(crate::sorted_runs::Spilling::new(plan)),
            Some(limit) => Ranker::Top {
                limit,
                heap: BinaryHeap::with_capacity(limit.min(1 << 16) + 1),
            },
        }
    }

    /// Offers an entry (an error only when a run file cannot be written).
    pub fn push(&mut self, e: Entry) -> crate::error::Result<()> {
        match self {
            Ranker::All(v) => return v.push(e),
            Ranker::Top { limit, heap } => {
                if *limit == 0 {
                    return Ok(());
                }
                if heap.len() < *limit {
                    heap.push(Worst(e));
                } else if let Some(worst) = heap.peek() {
                    if better_first(&e, &worst.0) == Ordering::Less {
                        heap.pop();
                        heap.push(Worst(e));
                    }
                }
            }
        }
        Ok(())
    }

    /// Bytes written to sorted run files so far.
    pub fn spilled_bytes(&self) -> u64 {
        match self {
            Ranker::All(v) => v.spilled_bytes,
            Ranker::Top { .. } => 0,
        }
    }

    /// The bar an entry must pass to be kept now.
    pub fn bar(&self) -> Bar {
        match self {
            Ranker::All(_) => Bar::Open,
            Ranker::Top { limit: 0, .. } => Bar::Closed,
            Ranker::Top { limit, heap } if heap.len() >= *limit => heap
                .peek()
                .map_or(Bar::Open, |worst| Bar::Above(worst.0.clone())),
            Ranker::Top { .. } => Bar::Open,
        }
    }

    /// The entries, best first, streamed (merged from run files where the
    /// ranking spilled).
    pub fn into_stream(self) -> crate::error::Result<crate::sorted_runs::Ranked> {
        match self {
            Ranker::All(v) => v.into_ranked(),
            Ranker::Top { heap, .. } => {
                let mut v: Vec<Entry> = heap.into_iter().map(|w| w.0).collect();
                v.sort_unstable_by(better_first);
                Ok(crate::sorted_runs::Ranked::Memory(v.into_iter()))
            }
        }
    }

    /// The entries, best first, in memory.
    pub fn into_ranked(self) -> crate::error::Result<Vec<Entry>> {
        self.into_stream()?.collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e(score: f64, id: &str) -> Entry {
        Entry {
            score: OrderedFloat(score),
            product_id: id.into(),
            line: 0,
            payload: Payload::default(),
        }
    }

    #[test]
    fn ties_break_by_product_id() {
        let mut r = Ranker::new(None);
        for x in [e(50.0, "b"), e(70.0, "z"), e(50.0, "a")] {
            r.push(x).unwrap();
        }
        let ids: Vec<_> = r
            .into_ranked()
            .unwrap()
            .into_iter()
            .map(|x| x.product_id)
            .collect();
        assert_eq!(ids, ["z".into(), "a".into(), "b".into()] as [Arc<str>; 3]);
    }

    proptest! {
        /// An entry a bar (taken at any earlier point) turns away is never
        /// kept: the bar is safe for skipping work on such entries.
        #[test]
        fn a_bar_turns_away_only_entries_that_are_not_kept(scores in proptest::collection::vec((0u16..200, 0u16..50), 0..200), n in 0usize..20, at in 0usize..200) {
            let mut top = Ranker::new(Some(n));
            let mut bar = Bar::Open;
            let mut turned_away = Vec::new();
            for (i, (s, id)) in scores.iter().enumerate() {
                if i == at {
                    bar = top.bar();
                }
                let x = e(*s as f64 / 10.0, &format!("{id:03}-{i}"));
                if i >= at && !bar.admits(&x) {
                    turned_away.push(x.clone());
                }
                top.push(x).unwrap();
            }
            let kept = top.into_ranked().unwrap();
            for x in &turned_away {
                prop_assert!(!kept.contains(x));
            }
        }

        #[test]
        fn top_n_equals_prefix_of_full_ranking(scores in proptest::collection::vec((0u16..1000, 0u16..50), 0..200), n in 0usize..30) {
            let mut all = Ranker::new(None);
            let mut top = Ranker::new(Some(n));
            for (i, (s, id)) in scores.iter().enumerate() {
                let id = format!("{id:03}-{i}");
                all.push(e(*s as f64 / 10.0, &id)).unwrap();
                top.push(e(*s as f64 / 10.0, &id)).unwrap();
            }
            let full = all.into_ranked().unwrap();
            let want: Vec<_> = full.into_iter().take(n).collect();
            prop_assert_eq!(top.into_ranked().unwrap(), want);
        }
    }
}
