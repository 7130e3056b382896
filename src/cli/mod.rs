//! The command line: argument definitions and one module per subcommand.

pub mod concerns;
pub mod explain;
pub mod generate;
pub mod ingredients;
pub mod score;
pub mod validate;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::catalog::{CatalogOptions, Mapping};
use crate::error::{Error, Result};
use crate::knowledge::KnowledgeBase;
use crate::model::{builtin_concerns, Concern};

/// Scores a skincare catalog for milia-friendliness and publishes ranked
/// recommendations per skin concern.
#[derive(Debug, Parser)]
#[command(name = "milia-rank", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score a catalog and publish per-concern rankings into DIR.
    Score(score::ScoreArgs),
    /// Report how much of a catalog's ingredient lists the knowledge base recognises.
    Ingredients(ingredients::IngredientsArgs),
    /// Check a catalog and print what would be rejected; writes nothing.
    Validate(validate::ValidateArgs),
    /// Show every factor behind one product's scores.
    Explain(explain::ExplainArgs),
    /// Print the concern profiles and their weights.
    Concerns(concerns::ConcernsArgs),
    /// Write a realistic generated catalog of any size.
    Generate(generate::GenerateArgs),
}

/// Options shared by every command that reads a catalog.
#[derive(Debug, Args, Clone)]
pub struct CatalogArgs {
    /// Point a canonical field at a column of the catalog (repeatable).
    /// Fields: product_id, name, brand, category, texture, area, spf,
    /// claims, ingredients, price, handle.
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub maps: Vec<Mapping>,
    /// Field delimiter: a single character, or `tab`.
    #[arg(long, value_name = "CHAR", default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
    /// Ingredient knowledge base CSV replacing the built-in one.
    #[arg(long, value_name = "FILE")]
    pub knowledge: Option<PathBuf>,
}

impl CatalogArgs {
    /// The catalog reading options.
    pub fn options(&self) -> CatalogOptions {
        CatalogOptions {
            maps: self.maps.clone(),
            delimiter: self.delimiter,
        }
    }

    /// The knowledge base to use.
    pub fn knowledge_base(&self) -> Result<KnowledgeBase> {
        match &self.knowledge {
            Some(p) => {
                let kb = KnowledgeBase::from_path(p)?;
                let missing = kb.missing_classes();
                if !missing.is_empty() {
                    eprintln!(
                        "milia-rank: warning: {} has no ingredient of class {}; the rules \
                         that ask for them find nothing",
                        kb.origin,
                        missing
                            .iter()
                            .map(|c| format!("`{c}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
                Ok(kb)
            }
            None => Ok(KnowledgeBase::builtin()),
        }
    }
}

fn parse_delimiter(s: &str) -> std::result::Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" => Ok(s.as_bytes()[0]),
        _ => Err(format!("`{s}` is not a one-character delimiter (or `tab`)")),
    }
}

/// The concerns to rank: the built-in profiles changed by a profiles file,
/// then narrowed to a `--concerns a,b` list (all when None).
pub fn select_concerns(list: Option<&str>, file: Option<&std::path::Path>) -> Result<Vec<Concern>> {
    let mut all = builtin_concerns();
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        all = crate::model::profiles::apply(&text, &path.display().to_string(), all)?;
    }
    let Some(list) = list else { return Ok(all) };
    let mut out = Vec::new();
    for slug in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match all.iter().find(|c| c.slug == slug) {
            Some(c) if !out.iter().any(|o: &Concern| o.slug == slug) => out.push(c.clone()),
            Some(_) => {}
            None => {
                return Err(Error::Usage(format!(
                    "unknown concern `{slug}`; concerns are {}",
                    all.iter()
                        .map(|c| c.slug.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        }
    }
    if out.is_empty() {
        return Err(Error::Usage("--concerns names no concern".into()));
    }
    Ok(out)
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Score(a) => score::run(a),
        Command::Ingredients(a) => ingredients::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Concerns(a) => concerns::run(a),
        Command::Generate(a) => generate::run(a),
    }
}
