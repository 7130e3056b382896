//! The end-to-end tests, linked as one binary (`autotests = false` in
//! Cargo.toml): one module per command, then one per topic. Linking every
//! file as a crate of its own made `cargo test` link the binary's
//! dependencies some twenty times.
//!
//! Each test works in a folder from [`common::workdir`], which is removed
//! when the test passes and kept, with its path printed, when it fails.

mod common;

// One module per command.
mod cmd_concerns;
mod cmd_explain;
mod cmd_generate;
mod cmd_ingredients;
mod cmd_score;
mod cmd_validate;

// Topics that cut across the commands.
mod columns;
mod determinism;
mod domain;
mod encodings;
mod errors;
mod fuzz_regressions;
mod input;
mod labels;
mod morning;
mod morning_report;
mod properties;
mod publish;
mod rankings;
mod readme;
mod real_catalogs;
mod report;
mod robustness;
mod shopify;
mod spf_labels;
mod top_lists;
