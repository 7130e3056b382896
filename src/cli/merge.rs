//! `milia-rank merge`: the reduce step of a distributed run. Ranks the
//! records `score-rows` wrote for the parts of a catalog and publishes
//! exactly the files `score` publishes for the whole catalog.

use std::path::PathBuf;

use clap::Args;

use super::score::{check_threads, parse_share};
use super::select_concerns;
use crate::catalog::{CatalogOptions, CatalogSource};
use crate::error::{Error, Result, EXIT_OK};
use crate::knowledge::KnowledgeBase;
use crate::output::Log;
use crate::run::{run_merge, MaxRejects, ScoreConfig};

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Files of score-rows output, or folders of them (their files in name
    /// order, leaving out names starting with `_` or `.`), in catalog order.
    #[arg(required = true, value_name = "PARTS")]
    pub parts: Vec<PathBuf>,
    /// Output directory, published as `score` publishes it.
    #[arg(short = 'o', long, value_name = "DIR")]
    pub out: PathBuf,
    /// Runs kept in DIR/.milia-rank/releases, today's included.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub keep: u64,
    /// When another run is publishing into DIR, wait for it instead of failing.
    #[arg(long)]
    pub wait: bool,
    /// The knowledge base CSV score-rows was given, if any.
    #[arg(long, value_name = "FILE")]
    pub knowledge: Option<PathBuf>,
    /// The concern slugs score-rows was given, if any.
    #[arg(long, value_name = "LIST")]
    pub concerns: Option<String>,
    /// The concern profiles score-rows was given, if any.
    #[arg(long, value_name = "FILE")]
    pub concerns_file: Option<PathBuf>,
    /// An earlier run's output directory: summary.json and the report say
    /// what changed (default: the run this one replaces in DIR).
    #[arg(long, value_name = "DIR")]
    pub previous: Option<PathBuf>,
    /// Also write a shop-platform import file (`shopify` or `matrixify`).
    #[arg(long, value_name = "FORMAT", value_parser = ["shopify", "matrixify"])]
    pub format: Option<String>,
    /// Keep only the best N per concern.
    #[arg(short = 't', long, value_name = "N")]
    pub top: Option<usize>,
    /// Threads (default: all cores; at most 4 per core).
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Fail and publish nothing when more rows than this are rejected, over
    /// all parts: a count or a percentage.
    #[arg(long, value_name = "N|P%", default_value = "5%")]
    pub max_rejects: MaxRejects,
    /// Memory, in MB, that a full ranking may hold before it spills sorted
    /// runs to disk inside DIR's store.
    #[arg(long, value_name = "MB", default_value_t = 256, value_parser = clap::value_parser!(u64).range(16..=1_000_000))]
    pub memory_limit: u64,
    /// Fail and publish nothing when the parts have lost more than this
    /// share of the products of the release published in DIR.
    #[arg(long, value_name = "P%", default_value = "20%", value_parser = parse_share)]
    pub max_shrink: f64,
    /// Write rejects.csv and unknown-ingredients.csv for a spreadsheet (as
    /// `score --spreadsheet-safe`).
    #[arg(long, visible_alias = "excel")]
    pub spreadsheet_safe: bool,
    /// No progress or summary lines on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `merge`.
pub fn run(a: MergeArgs) -> Result<i32> {
    if a.out.as_os_str() == "-" {
        return Err(Error::Usage(
            "--out -: merge writes a directory of files, not one stream; give a directory".into(),
        ));
    }
    check_threads(a.threads)?;
    let kb = match &a.knowledge {
        Some(p) => KnowledgeBase::from_path(p)?,
        None => KnowledgeBase::builtin(),
    };
    let concerns = select_concerns(a.concerns.as_deref(), a.concerns_file.as_deref())?;
    crate::output::check_file_names(&concerns)?;
    run_merge(
        ScoreConfig {
            source: CatalogSource::Stdin,
            options: CatalogOptions::default(),
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
        },
        &a.parts,
    )?;
    Ok(EXIT_OK)
}
