//! `milia-rank score-rows`: the map step of a distributed run. Reads
//! catalog rows from standard input and writes one JSON record a line to
//! standard output (docs/beyond-one-machine.md); `merge` ranks and
//! publishes them.

use clap::{Args, ValueEnum};

use super::score::check_threads;
use super::{select_concerns, CatalogArgs};
use crate::catalog::CatalogSource;
use crate::error::{Result, EXIT_OK};
use crate::output::Log;
use crate::run::emit::{run_score_rows, InputFormat, RowsConfig};

/// The input's form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Input {
    /// A catalog CSV with its header (read as `score` reads one).
    Csv,
    /// JSON lines whose keys are the canonical field names (a missing key
    /// is an empty field).
    Jsonl,
}

/// Arguments of `score-rows`.
#[derive(Debug, Args)]
pub struct ScoreRowsArgs {
    /// The form of standard input.
    #[arg(long, value_enum, default_value_t = Input::Csv, value_name = "FORM")]
    pub input: Input,
    #[command(flatten)]
    pub catalog_args: CatalogArgs,
    /// Comma-separated concern slugs to score (default: all); merge must be
    /// given the same.
    #[arg(long, value_name = "LIST")]
    pub concerns: Option<String>,
    /// Concern profiles (TOML) changing or adding to the built-in ones;
    /// merge must be given the same.
    #[arg(long, value_name = "FILE")]
    pub concerns_file: Option<std::path::PathBuf>,
    /// Keep only each concern's best N entries of this input (written at
    /// its end); merge then ranks at most N.
    #[arg(short = 't', long, value_name = "N")]
    pub top: Option<usize>,
    /// Scoring threads (default: all cores; at most 4 per core).
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// No progress lines on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `score-rows`.
pub fn run(a: ScoreRowsArgs) -> Result<i32> {
    check_threads(a.threads)?;
    let kb = a.catalog_args.knowledge_base()?;
    let concerns = select_concerns(a.concerns.as_deref(), a.concerns_file.as_deref())?;
    let source = if a.catalog_args.sample {
        CatalogSource::Sample
    } else {
        CatalogSource::Stdin
    };
    let format = match a.input {
        Input::Csv => InputFormat::Csv,
        Input::Jsonl => InputFormat::Jsonl,
    };
    let c = &a.catalog_args;
    if format == InputFormat::Jsonl
        && (!c.maps.is_empty() || c.delimiter.is_some() || c.encoding.is_some() || c.sample)
    {
        return Err(crate::error::Error::Usage(
            "--map, --delimiter, --encoding and --sample read a CSV catalog; JSON lines are UTF-8 and keyed by the canonical field names".into(),
        ));
    }
    let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
    run_score_rows(
        RowsConfig {
            source,
            format,
            options: a.catalog_args.options(),
            kb: &kb,
            concerns,
            top: a.top,
            threads: a.threads,
            log: Log::new(a.quiet),
        },
        out,
    )?;
    Ok(EXIT_OK)
}
