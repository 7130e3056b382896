//! summary.json: the run's counts, how the catalog was read, and what
//! changed since the previous run. It is written by `score` and `merge`
//! and read back (with [`serde`]) by whoever needs yesterday's.

use serde::{Deserialize, Serialize};

use crate::catalog;
use crate::output;

/// Per-concern counts in the summary.
#[derive(Debug, Serialize, Deserialize, Clone)]
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
#[derive(Debug, Serialize, Deserialize, Clone)]
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
    #[serde(default, skip_serializing_if = "output::FormulaCells::is_empty")]
    pub formula_cells: output::FormulaCells,
    /// Bytes of the rankings written to sorted runs on disk and merged
    /// (past `--memory-limit`); absent when none were.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub spilled_bytes: u64,
    /// The import file written with `--format`, and the products it leaves out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<output::ExportSummary>,
    /// What changed since the run given with --previous.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<crate::output::compare::Changes>,
}

/// Seconds per stage of a run, in summary.json under `timings`. The
/// stream stage reads, scores and collects at once: `reading` and
/// `collecting` are the busy time of its two sequential threads (the reader
/// and the collector), the rest of it is scoring on the pool.
#[derive(Debug, Serialize, Deserialize, Clone, Default)]
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

pub fn secs(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}
