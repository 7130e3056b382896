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
    #[command(
        after_help = "Example:\n  milia-rank score shop-export.csv -o /srv/shop/rankings\n  gunzip -c export.csv.gz | milia-rank score - -o out\n  milia-rank score --sample -o out"
    )]
    Score(score::ScoreArgs),
    /// Report how much of a catalog's ingredient lists the knowledge base recognises.
    #[command(after_help = "Example:\n  milia-rank ingredients shop-export.csv --limit 20")]
    Ingredients(ingredients::IngredientsArgs),
    /// Check a catalog and print what would be rejected; writes nothing.
    #[command(after_help = "Example:\n  milia-rank validate shop-export.csv -d ';'")]
    Validate(validate::ValidateArgs),
    /// Show every factor behind one product's scores.
    #[command(after_help = "Example:\n  milia-rank explain MR-0001 --sample")]
    Explain(explain::ExplainArgs),
    /// Print the concern profiles and their weights.
    #[command(after_help = "Example:\n  milia-rank concerns --dump > profiles.toml")]
    Concerns(concerns::ConcernsArgs),
    /// Write a realistic generated catalog of any size.
    #[command(after_help = "Example:\n  milia-rank generate --rows 100000 --seed 7 -o big.csv")]
    Generate(generate::GenerateArgs),
}

/// Options shared by every command that reads a catalog.
#[derive(Debug, Args, Clone)]
pub struct CatalogArgs {
    /// Point a canonical field at a column of the catalog (repeatable, once
    /// per field); wins over the header synonyms of catalog/columns.toml.
    /// Fields: product_id, name, brand, category, texture, area, spf,
    /// claims, ingredients, price, handle.
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub maps: Vec<Mapping>,
    /// Field delimiter: a single character, or `tab` (default: read from
    /// the header line among `,` `;` tab `|`).
    #[arg(short = 'd', long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Text encoding of the catalog, e.g. `utf-8`, `windows-1252`,
    /// `utf-16le`, `latin1` (default: from a byte-order mark, else UTF-8,
    /// else Windows-1252).
    #[arg(long, value_name = "NAME", value_parser = parse_encoding)]
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Read the sample catalog built into the binary instead of CATALOG.
    #[arg(long)]
    pub sample: bool,
    /// Accept a catalog without this column: only `ingredients` (every
    /// product is then scored without its list, at low confidence).
    #[arg(long, value_name = "FIELD", value_parser = ["ingredients"])]
    pub allow_missing: Vec<String>,
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
            encoding: self.encoding,
            allow_missing_ingredients: self.allow_missing.iter().any(|f| f == "ingredients"),
        }
    }

    /// Where the catalog comes from: CATALOG (`-` is standard input) or --sample.
    pub fn source(
        &self,
        catalog: Option<&std::path::Path>,
    ) -> Result<crate::catalog::CatalogSource> {
        crate::catalog::source_of(catalog, self.sample)
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

fn parse_encoding(s: &str) -> std::result::Result<&'static encoding_rs::Encoding, String> {
    encoding_rs::Encoding::for_label(s.trim().as_bytes()).ok_or_else(|| {
        format!(
            "`{s}` is not an encoding name; try utf-8, windows-1252, utf-16le, utf-16be or latin1"
        )
    })
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

/// Buffered standard output. Every write to it is checked: a closed pipe
/// becomes [`Error::ClosedPipe`] (a quiet exit 0), any other failure an
/// I/O error; call [`flush`] at the end.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}

/// Flushes a [`stdout`] writer.
pub fn flush(mut w: std::io::BufWriter<std::io::StdoutLock<'static>>) -> Result<()> {
    use std::io::Write;
    w.flush().map_err(Error::stdout)?;
    // Drop the buffer without a second, unchecked flush.
    let (_, _) = w.into_parts();
    Ok(())
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
