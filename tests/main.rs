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
mod digests;
mod domain;
mod encodings;
mod errors;
mod explain_texts;
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
mod shards;
mod shopify;
mod spf_labels;
mod spill;
mod top_lists;
mod whole;

/// With `autotests = false`, a file added to tests/ but not declared above
/// would never be compiled or run: every one must be a module here.
#[test]
fn every_test_file_is_a_module_of_this_binary() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    let declared: Vec<&str> = main
        .lines()
        .filter_map(|l| l.strip_prefix("mod ")?.strip_suffix(';'))
        .collect();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let module = if entry.path().is_dir() {
            // A folder is a module when it holds a mod.rs (tests/common).
            if !entry.path().join("mod.rs").exists() {
                continue;
            }
            name
        } else if let Some(stem) = name.strip_suffix(".rs") {
            stem.to_string()
        } else {
            continue;
        };
        if module != "main" && !declared.contains(&module.as_str()) {
            missing.push(module);
        }
    }
    assert!(
        missing.is_empty(),
        "tests/main.rs does not declare {missing:?}: add `mod <name>;` or they never run"
    );
}
