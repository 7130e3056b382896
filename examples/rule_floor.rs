//! The least a name-resolving design does per row, on one thread: the
//! csv floor's ByteRecord pass, plus the rule-table job of
//! `benches/rule_table.py` written tightly in Rust. Each label is split at
//! commas, each name trimmed, lower-cased into one reused buffer and
//! looked up in the knowledge base (one hash lookup), and six
//! position-weighted sums per product feed six top-100 heaps. Nothing is
//! allocated per row and nothing is written.
//!
//! It has no label grammar, no texture, no vocabulary scans, no reasons
//! and no output files: what it costs over the floor is the least any
//! design pays for reading every name of every label. The bench prints it
//! beside milia-rank's runs.
//!
//! `cargo run --release --example rule_floor -- FILE`

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use milia_rank::knowledge::KnowledgeBase;
use ordered_float::OrderedFloat;

/// Points per concern for each ingredient: its comedogenic grade and how
/// many of a few class bits it has. The weights stand for a rule table's
/// cost, not for the model's meaning.
fn rule_table(kb: &KnowledgeBase) -> Vec<[f32; 6]> {
    (0..kb.len() as u32)
        .map(|id| {
            let f = kb.facts(id);
            let grade = f32::from(f.comedogenic.unwrap_or(0));
            let bits = f.classes.0;
            std::array::from_fn(|c| {
                let mask = 0b1_0000_0011u64 << (3 * c);
                -2.0 * grade
                    + (bits & mask).count_ones() as f32 * if c % 2 == 0 { 4.0 } else { -6.0 }
            })
        })
        .collect()
}

/// One concern's best 100 so far, the least of them on top.
type Top = BinaryHeap<Reverse<(OrderedFloat<f32>, u64)>>;

fn main() {
    let path = std::env::args().nth(1).expect("usage: rule_floor FILE");
    let kb = KnowledgeBase::builtin();
    let rules = rule_table(&kb);
    let weight: Vec<f32> = (0..=256).map(|p| 1.0 / (p.max(1) as f32).sqrt()).collect();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_path(&path)
        .expect("open");
    let header = reader.byte_headers().expect("header").clone();
    let col = |name: &[u8]| header.iter().position(|h| h == name);
    let labels = col(b"ingredients").expect("an `ingredients` column");
    let mut rec = csv::ByteRecord::new();
    let mut name = String::new();
    let mut tops: Vec<Top> = (0..6).map(|_| BinaryHeap::with_capacity(101)).collect();
    let (mut rows, mut found) = (0u64, 0u64);
    while reader.read_byte_record(&mut rec).expect("read") {
        rows += 1;
        let label = rec.get(labels).unwrap_or(b"");
        let mut sums = [50.0f32; 6];
        let mut position = 0usize;
        for piece in label.split(|&b| b == b',') {
            let piece = piece.trim_ascii();
            let piece = piece.strip_suffix(b".").unwrap_or(piece);
            if piece.is_empty() {
                continue;
            }
            position += 1;
            name.clear();
            match std::str::from_utf8(piece) {
                Ok(s) if s.is_ascii() => {
                    name.push_str(s);
                    name.make_ascii_lowercase();
                }
                Ok(s) => name.extend(s.chars().flat_map(char::to_lowercase)),
                Err(_) => continue,
            }
            if let Some(id) = kb.lookup(&name) {
                found += 1;
                let w = weight[position.min(256)];
                for (s, p) in sums.iter_mut().zip(&rules[id as usize]) {
                    *s += p * w;
                }
            }
        }
        for (top, s) in tops.iter_mut().zip(sums) {
            let entry = Reverse((OrderedFloat(s), rows));
            if top.len() < 100 {
                top.push(entry);
            } else if top.peek().is_some_and(|least| entry < *least) {
                top.pop();
                top.push(entry);
            }
        }
    }
    let best: f32 = tops
        .iter()
        .filter_map(|t| t.iter().map(|r| r.0 .0).max())
        .map(|s| s.0)
        .sum();
    println!("{rows} rows, {found} names recognised, best scores sum {best:.1}");
}
