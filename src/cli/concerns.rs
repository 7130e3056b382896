//! `milia-rank concerns`: its usage is `milia-rank concerns --help` (clap
//! writes it from the argument definitions below).
//!
//! Prints the concern profiles: who each ranking is for and every factor's
//! weight, as the Markdown table docs/model.md carries. `--dump` writes them
//! in the TOML format that `--concerns-file` reads.

use clap::Args;

use std::io::Write;

use crate::error::{Error, Result, EXIT_OK};
use crate::model::{Concern, Factor};

/// Arguments of `concerns`.
#[derive(Debug, Args)]
pub struct ConcernsArgs {
    /// Write the profiles as TOML, the format `--concerns-file` reads.
    #[arg(long)]
    pub dump: bool,
    /// Concern profiles (TOML) changing or adding to the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub concerns_file: Option<std::path::PathBuf>,
}

/// The weights table in Markdown.
pub fn markdown_table(concerns: &[Concern]) -> String {
    let mut s = String::from("| factor |");
    for c in concerns {
        s.push_str(&format!(" `{}` |", c.slug));
    }
    s.push_str("\n|---|");
    for _ in concerns {
        s.push_str("---:|");
    }
    s.push_str("\n| base |");
    for c in concerns {
        s.push_str(&format!(" {} |", c.base));
    }
    s.push('\n');
    for f in Factor::ALL {
        s.push_str(&format!("| `{}` |", f.key()));
        for c in concerns {
            let w = c.weight(f);
            if w == 0.0 {
                s.push_str(" · |");
            } else {
                s.push_str(&format!(" {w:+} |"));
            }
        }
        s.push('\n');
    }
    s
}

/// Runs `concerns`.
pub fn run(a: ConcernsArgs) -> Result<i32> {
    let concerns = super::select_concerns(None, a.concerns_file.as_deref())?;
    let mut w = super::stdout();
    if a.dump {
        write!(w, "{}", crate::model::profiles::dump(&concerns)).map_err(Error::stdout)?;
        super::flush(w)?;
        return Ok(EXIT_OK);
    }
    for c in &concerns {
        writeln!(w, "{}: {}", c.slug, c.description).map_err(Error::stdout)?;
    }
    writeln!(w).map_err(Error::stdout)?;
    write!(w, "{}", markdown_table(&concerns)).map_err(Error::stdout)?;
    writeln!(w).map_err(Error::stdout)?;
    for f in Factor::ALL {
        writeln!(w, "{}: {}", f.key(), f.describe()).map_err(Error::stdout)?;
    }
    super::flush(w)?;
    Ok(EXIT_OK)
}
