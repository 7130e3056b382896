//! `milia-rank concerns`
//!
//! Prints the concern profiles: who each ranking is for and every factor's
//! weight, as the Markdown table the README carries.

use clap::Args;

use crate::error::{Result, EXIT_OK};
use crate::model::{builtin_concerns, Concern, Factor};

/// Arguments of `concerns`.
#[derive(Debug, Args)]
pub struct ConcernsArgs {}

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
pub fn run(_a: ConcernsArgs) -> Result<i32> {
    let concerns = builtin_concerns();
    for c in &concerns {
        println!("{}: {}", c.slug, c.description);
    }
    println!();
    print!("{}", markdown_table(&concerns));
    println!();
    for f in Factor::ALL {
        println!("{}: {}", f.key(), f.describe());
    }
    Ok(EXIT_OK)
}
