//! milia-rank: scores a skincare catalog for milia-friendliness and
//! publishes ranked, explained recommendations per skin concern.
//!
//! The data flows one way: [`catalog`] reads rows, [`inci`] parses each
//! ingredient list against the [`knowledge`] base, [`model`] turns a
//! product into features and per-concern scores ([`pipeline`] takes one
//! catalog record through those steps), [`rank`] orders them, and
//! [`output`] writes and publishes the files. [`run`] wires the `score` job
//! from its stages, and its two halves for a run split across machines
//! (`score-rows` and `merge`); [`cli`] holds the subcommands.

pub mod catalog;
pub mod cli;
pub mod error;
pub mod generate;
pub mod inci;
pub mod knowledge;
pub mod model;
pub mod names;
pub mod output;
pub mod pipeline;
pub mod rank;
pub mod run;
pub mod sorted_runs;

pub use error::{Error, Result};
