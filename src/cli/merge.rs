//! `milia-rank merge`: the reduce step of a distributed run. Ranks the
//! records `score-rows` wrote for the parts of a catalog and publishes
//! exactly the files `score` publishes for the whole catalog.

use std::path::PathBuf;

use clap::Args;

use super::score::{check_threads, PublishArgs};
use super::select_concerns;
use crate::catalog::{CatalogOptions, CatalogSource};
use crate::error::{Error, Result, EXIT_OK};
use crate::knowledge::KnowledgeBase;
use crate::run::run_merge;

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
    /// The knowledge base CSV score-rows was given, if any.
    #[arg(long, value_name = "FILE")]
    pub knowledge: Option<PathBuf>,
    /// The concern slugs score-rows was given, if any.
    #[arg(long, value_name = "LIST")]
    pub concerns: Option<String>,
    /// The concern profiles score-rows was given, if any.
    #[arg(long, value_name = "FILE")]
    pub concerns_file: Option<PathBuf>,
    #[command(flatten)]
    pub publish: PublishArgs,
}

/// Runs `merge`.
pub fn run(a: MergeArgs) -> Result<i32> {
    if a.out.as_os_str() == "-" {
        return Err(Error::Usage(
            "--out -: merge writes a directory of files, not one stream; give a directory".into(),
        ));
    }
    check_threads(a.publish.threads)?;
    let kb = match &a.knowledge {
        Some(p) => KnowledgeBase::from_path(p)?,
        None => KnowledgeBase::builtin(),
    };
    let concerns = select_concerns(a.concerns.as_deref(), a.concerns_file.as_deref())?;
    crate::output::check_file_names(&concerns)?;
    let cfg = a.publish.config(
        CatalogSource::Stdin,
        CatalogOptions::default(),
        &kb,
        concerns,
        a.out,
    );
    run_merge(cfg, &a.parts)?;
    Ok(EXIT_OK)
}
