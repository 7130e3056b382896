//! The documentation checked against what it describes: docs/model.md
//! against catalog/concerns.toml, catalog/model.toml and the knowledge
//! classes, and the README's blocks against the binary, so that neither
//! can drift unnoticed.

use crate::common::*;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// docs/model.md: the model in plain words, with the weights table, the
/// number list and the class list these tests check.
fn model_doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/model.md")).unwrap()
}

/// Text with every run of whitespace made one space, so line wrapping does
/// not matter.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn model_doc_weights_table_is_what_concerns_prints() {
    let out = bin().arg("concerns").output().unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    let table: Vec<&str> = printed.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(table.len(), 2 + 1 + milia_rank::model::Factor::ALL.len());
    assert!(
        model_doc().contains(&table.join("\n")),
        "docs/model.md's weights table is stale: paste the table `milia-rank concerns` prints:\n{}",
        table.join("\n")
    );
    // And the table is the built-in profiles', catalog/concerns.toml.
    let model = milia_rank::cli::concerns::markdown_table(&milia_rank::model::builtin_concerns());
    assert_eq!(table.join("\n"), model.trim_end());
}

#[test]
fn model_doc_numbers_are_model_toml() {
    let summary = milia_rank::model::tables::builtin().summary();
    assert!(
        model_doc().contains(&summary),
        "docs/model.md's number list is stale; catalog/model.toml says:\n{summary}"
    );
}

#[test]
fn model_doc_lists_every_knowledge_class() {
    let tags: Vec<&str> = milia_rank::knowledge::Classes::ALL
        .iter()
        .map(|(t, _)| *t)
        .collect();
    let sentence = format!("The classes are: {}.", tags.join(", "));
    assert!(
        flat(&model_doc()).contains(&sentence),
        "docs/model.md's class list is stale; it should read: {sentence}"
    );
}

#[test]
fn readme_usage_lines_are_what_clap_prints() {
    let mut lines = Vec::new();
    for sub in SUBCOMMANDS {
        let out = bin().args([sub, "--help"]).output().unwrap();
        assert!(out.status.success());
        let help = String::from_utf8(out.stdout).unwrap();
        let usage = help
            .lines()
            .find_map(|l| l.strip_prefix("Usage: "))
            .unwrap_or_else(|| panic!("`{sub} --help` has a usage line"));
        lines.push(format!("    {usage}"));
    }
    let block = format!("## Command line\n\n{}\n", lines.join("\n"));
    assert!(
        readme().contains(&block),
        "README's usage lines are stale; clap prints:\n{}",
        lines.join("\n")
    );
}

/// The README is for the people who run milia-rank and the shop that
/// imports its files: short enough to read in one sitting, the two
/// commands first, and none of the development record (issue numbers,
/// targets, profiles), which lives in docs/.
#[test]
fn readme_is_short_and_for_users() {
    let text = readme();
    let lines = text.lines().count();
    assert!(lines <= 420, "README.md has {lines} lines");
    let first_screen: String = text.lines().take(40).collect::<Vec<_>>().join("\n");
    for command in [
        "cargo run --release -- score --sample --out out",
        "cargo test --locked",
    ] {
        assert!(first_screen.contains(command), "{command}");
    }
    let lower = text.to_lowercase();
    for developer_word in [
        "issue 1",
        "issue 2",
        "not met",
        "amdahl",
        "callgrind",
        "flamegraph",
    ] {
        assert!(
            !lower.contains(developer_word),
            "README.md mentions `{developer_word}`"
        );
    }
    for doc in [
        "docs/model.md",
        "docs/input.md",
        "docs/output.md",
        "docs/performance.md",
        "docs/beyond-one-machine.md",
        "CONTRIBUTING.md",
    ] {
        assert!(text.contains(doc), "{doc}");
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(doc);
        assert!(path.is_file(), "{doc} is linked but missing");
    }
}
