//! `milia-rank score CATALOG|-|--sample [--out DIR] [--map FIELD=COLUMN]... [--knowledge FILE]
//! [--concerns LIST] [--concerns-file FILE] [--top N] [--threads N]
//! [--max-rejects N|P%] [--previous DIR] [--format shopify] [--quiet]`
//!
//! Scores every row and publishes `<concern>.csv`, `scores.csv`,
//! `rejects.csv`, `unknown-ingredients.csv`, `report.html` and
//! `summary.json` (and `shopify-metafields.csv`) into DIR, all at once.

use std::path::PathBuf;

use clap::Args;

use super::{select_concerns, CatalogArgs};
use crate::error::{Error, Result, EXIT_OK};
use crate::output::Log;
use crate::run::{run_score, MaxRejects, ScoreConfig};

/// Arguments of `score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// The catalog CSV; `-` reads standard input (or give --sample).
    pub catalog: Option<PathBuf>,
    /// Output directory, replaced as a whole when the run succeeds.
    #[arg(short = 'o', long, default_value = "out", value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub catalog_args: CatalogArgs,
    /// Comma-separated concern slugs to rank (default: all).
    #[arg(long, value_name = "LIST")]
    pub concerns: Option<String>,
    /// Concern profiles (TOML) changing or adding to the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub concerns_file: Option<PathBuf>,
    /// An earlier run's output directory: summary.json and the report say what changed.
    #[arg(long, value_name = "DIR")]
    pub previous: Option<PathBuf>,
    /// Also write a shop-platform import file: `shopify` writes shopify-metafields.csv.
    #[arg(long, value_name = "FORMAT", value_parser = ["shopify"])]
    pub format: Option<String>,
    /// Keep only the best N per concern.
    #[arg(short = 't', long, value_name = "N")]
    pub top: Option<usize>,
    /// Scoring threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Fail and publish nothing when more rows than this are rejected: a count or a percentage.
    #[arg(long, value_name = "N|P%", default_value = "5%")]
    pub max_rejects: MaxRejects,
    /// No progress or summary lines on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `score`.
pub fn run(a: ScoreArgs) -> Result<i32> {
    if a.out.as_os_str() == "-" {
        return Err(Error::Usage(
            "--out -: score writes a directory of files (rankings, scores, rejects, report), not one stream; give a directory".into(),
        ));
    }
    let source = a.catalog_args.source(a.catalog.as_deref())?;
    let kb = a.catalog_args.knowledge_base()?;
    let concerns = select_concerns(a.concerns.as_deref(), a.concerns_file.as_deref())?;
    run_score(ScoreConfig {
        source,
        options: a.catalog_args.options(),
        kb: &kb,
        concerns,
        top: a.top,
        threads: a.threads,
        out: a.out,
        max_rejects: a.max_rejects,
        previous: a.previous,
        shopify: a.format.as_deref() == Some("shopify"),
        log: Log::new(a.quiet),
    })?;
    Ok(EXIT_OK)
}
