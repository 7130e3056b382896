//! `milia-rank generate`: its usage is `milia-rank generate --help` (clap
//! writes it from the argument definitions below).
//!
//! Writes a realistic canonical catalog of N products, the same for the
//! same seed, for benchmarks and tests on large inputs.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use clap::Args;

use crate::error::{Error, Result, EXIT_OK};
use crate::generate::write_catalog;
use crate::knowledge::KnowledgeBase;

/// Arguments of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of products.
    #[arg(long, value_name = "N")]
    pub rows: u64,
    /// Seed: the same seed gives the same catalog.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// The catalog file to write (a new file: an existing one is refused
    /// unless --force); `-` writes to standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub out: PathBuf,
    /// Overwrite FILE when it exists.
    #[arg(long)]
    pub force: bool,
}

/// Runs `generate`.
pub fn run(a: GenerateArgs) -> Result<i32> {
    let kb = KnowledgeBase::builtin();
    if a.out.as_os_str() == "-" {
        let out = std::io::stdout().lock();
        // A reader that stops early (`| head`) ends the program quietly.
        write_catalog(BufWriter::with_capacity(1 << 20, out), a.rows, a.seed, &kb)
            .map_err(Error::stdout)?;
        return Ok(EXIT_OK);
    }
    let f = if a.force {
        File::create(&a.out)
    } else {
        File::create_new(&a.out)
    };
    let f = f.map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => Error::Usage(format!(
            "{} exists; milia-rank does not overwrite it (remove it, or pass --force)",
            a.out.display()
        )),
        _ => Error::io(&a.out, e),
    })?;
    write_catalog(BufWriter::with_capacity(1 << 20, f), a.rows, a.seed, &kb)
        .map_err(|e| Error::io(&a.out, e))?;
    Ok(EXIT_OK)
}
