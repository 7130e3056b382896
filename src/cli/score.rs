//! `milia-rank score`: its usage is `milia-rank score --help` (clap
//! writes it from the argument definitions below).
//!
//! Scores every row and publishes `<concern>.csv`, `scores.csv`,
//! `rejects.csv`, `unknown-ingredients.csv`, `report.html` and
//! `summary.json` (and `shopify-metafields.csv` or `matrixify-products.csv`) into DIR, all at once.

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
    /// Output directory. Its files are links into DIR/.milia-rank, switched
    /// all at once when the run succeeds; files milia-rank did not write are
    /// never touched.
    #[arg(short = 'o', long, default_value = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Runs kept in DIR/.milia-rank/releases, today's included (yesterday's
    /// is what the next run compares with).
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub keep: u64,
    /// When another run is publishing into DIR, wait for it instead of failing.
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub catalog_args: CatalogArgs,
    /// Comma-separated concern slugs to rank (default: all).
    #[arg(long, value_name = "LIST")]
    pub concerns: Option<String>,
    /// Concern profiles (TOML) changing or adding to the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub concerns_file: Option<PathBuf>,
    /// An earlier run's output directory: summary.json and the report say
    /// what changed (default: the run this one replaces in DIR).
    #[arg(long, value_name = "DIR")]
    pub previous: Option<PathBuf>,
    /// Also write a shop-platform import file: `shopify` writes
    /// shopify-metafields.csv (Shopify's product CSV import), `matrixify`
    /// writes matrixify-products.csv (the Matrixify app).
    #[arg(long, value_name = "FORMAT", value_parser = ["shopify", "matrixify"])]
    pub format: Option<String>,
    /// Keep only the best N per concern.
    #[arg(short = 't', long, value_name = "N")]
    pub top: Option<usize>,
    /// Scoring threads (default: all cores; at most 4 per core).
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Fail and publish nothing when more rows than this are rejected: a count or a percentage.
    #[arg(long, value_name = "N|P%", default_value = "5%")]
    pub max_rejects: MaxRejects,
    /// Memory, in MB, that a full ranking may hold before it spills sorted
    /// runs to disk inside DIR's store (removed when the run ends). Lower it
    /// on a small machine; raising it saves little time.
    #[arg(long, value_name = "MB", default_value_t = 256, value_parser = clap::value_parser!(u64).range(16..=1_000_000))]
    pub memory_limit: u64,
    /// Fail and publish nothing when the catalog has lost more than this
    /// share of the products of the release published in DIR (a catalog cut
    /// short, a half export); 100% turns the check off. A first run has
    /// nothing to compare with.
    #[arg(long, value_name = "P%", default_value = "20%", value_parser = parse_share)]
    pub max_shrink: f64,
    /// Write rejects.csv and unknown-ingredients.csv (the files people
    /// open) for a spreadsheet: a cell it would run as a formula (=, +, -,
    /// @) with a leading ', a UTF-8 byte-order mark and CRLF line ends (for
    /// Excel's accents). The rankings, scores.csv and import files are
    /// never changed: the shop's import needs them as they are.
    #[arg(long, visible_alias = "excel")]
    pub spreadsheet_safe: bool,
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
    check_threads(a.threads)?;
    let source = a.catalog_args.source(a.catalog.as_deref())?;
    let kb = a.catalog_args.knowledge_base()?;
    let concerns = select_concerns(a.concerns.as_deref(), a.concerns_file.as_deref())?;
    crate::output::check_file_names(&concerns)?;
    run_score(ScoreConfig {
        source,
        options: a.catalog_args.options(),
        kb: &kb,
        concerns,
        top: a.top,
        threads: a.threads,
        out: a.out,
        max_rejects: a.max_rejects,
        max_shrink: a.max_shrink,
        previous: a.previous,
        export: a.format.as_deref().and_then(crate::output::Export::parse),
        keep: a.keep as usize,
        memory_limit: (a.memory_limit as usize).saturating_mul(1 << 20),
        wait: a.wait,
        spreadsheet_safe: a.spreadsheet_safe,
        log: Log::new(a.quiet),
    })?;
    Ok(EXIT_OK)
}

/// Threads beyond four per core only add overhead (and a very large number
/// exhausts the machine): refuse them before the work.
pub fn check_threads(threads: usize) -> Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads > 4 * cores {
        return Err(Error::Usage(format!(
            "--threads {threads} is more than 4 per core on this machine ({cores} cores, so at most {}); use 0 for all cores",
            4 * cores
        )));
    }
    Ok(())
}

/// A percentage from 0% to 100% (the `%` may be left out).
pub fn parse_share(s: &str) -> std::result::Result<f64, String> {
    let t = s.trim();
    match t.strip_suffix('%').unwrap_or(t).trim().parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a percentage from 0% to 100%")),
    }
}
