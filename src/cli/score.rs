//! `milia-rank score`: its usage is `milia-rank score --help` (clap
//! writes it from the argument definitions below).
//!
//! Scores every row and publishes `<concern>.csv`, `scores.csv`,
//! `rejects.csv`, `unknown-ingredients.csv`, `report.html` and
//! `summary.json` (and `shopify-metafields.csv` or `matrixify-products.csv`) into DIR, all at once.

use std::path::PathBuf;

use clap::Args;

use super::{select_concerns, CatalogArgs};
use crate::catalog::{CatalogOptions, CatalogSource};
use crate::error::{Error, Result, EXIT_OK};
use crate::knowledge::KnowledgeBase;
use crate::model::Concern;
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
    #[command(flatten)]
    pub catalog_args: CatalogArgs,
    /// Comma-separated concern slugs to rank (default: all).
    #[arg(long, value_name = "LIST")]
    pub concerns: Option<String>,
    /// Concern profiles (TOML) changing or adding to the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub concerns_file: Option<PathBuf>,
    #[command(flatten)]
    pub publish: PublishArgs,
}

/// The options of a run that publishes into DIR, the same for `score` and
/// `merge`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Runs kept in DIR/.milia-rank/releases, today's included (yesterday's
    /// is what the next run compares with).
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub keep: u64,
    /// When another run is publishing into DIR, wait for it instead of failing.
    #[arg(long)]
    pub wait: bool,
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
    /// Threads (default: all cores; at most 4 per core).
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Fail and publish nothing when more rows than this are rejected (over
    /// all parts, for `merge`): a count or a percentage.
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

impl PublishArgs {
    /// The run's configuration: what to read and score with, and these options.
    pub fn config<'a>(
        self,
        source: CatalogSource,
        options: CatalogOptions,
        kb: &'a KnowledgeBase,
        concerns: Vec<Concern>,
        out: PathBuf,
    ) -> ScoreConfig<'a> {
        ScoreConfig {
            source,
            options,
            kb,
            concerns,
            top: self.top,
            threads: self.threads,
            out,
            max_rejects: self.max_rejects,
            max_shrink: self.max_shrink,
            previous: self.previous,
            export: self
                .format
                .as_deref()
                .and_then(crate::output::Export::parse),
            keep: self.keep as usize,
            memory_limit: (self.memory_limit as usize).saturating_mul(1 << 20),
            wait: self.wait,
            spreadsheet_safe: self.spreadsheet_safe,
            log: Log::new(self.quiet),
        }
    }
}

/// Runs `score`.
pub fn run(a: ScoreArgs) -> Result<i32> {
    if a.out.as_os_str() == "-" {
        return Err(Error::Usage(
            "--out -: score writes a directory of files (rankings, scores, rejects, report), not one stream; give a directory".into(),
        ));
    }
    check_threads(a.publish.threads)?;
    let source = a.catalog_args.source(a.catalog.as_deref())?;
    let kb = a.catalog_args.knowledge_base()?;
    let concerns = select_concerns(a.concerns.as_deref(), a.concerns_file.as_deref())?;
    crate::output::check_file_names(&concerns)?;
    let options = a.catalog_args.options();
    run_score(a.publish.config(source, options, &kb, concerns, a.out))?;
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
