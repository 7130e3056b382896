//! `milia-rank ingredients`: its usage is `milia-rank ingredients --help` (clap
//! writes it from the argument definitions below).
//!
//! A coverage report: the first two lines are exactly `coverage: NN.N%`
//! (all ingredient occurrences) and `top10-coverage: NN.N%` (occurrences in
//! the first ten positions), then the unrecognised names with their counts,
//! most frequent first, so a merchandiser knows what to add to the
//! knowledge base.

use std::collections::HashMap;
use std::path::PathBuf;

use clap::Args;

use super::CatalogArgs;
use crate::catalog::{self, CatalogReader};
use std::io::Write;

use crate::error::{Error, Result, EXIT_OK};
use crate::inci::parse_list;
use crate::knowledge::KnowledgeBase;

/// Arguments of `ingredients`.
#[derive(Debug, Args)]
pub struct IngredientsArgs {
    /// The catalog CSV; `-` reads standard input (or give --sample).
    pub catalog: Option<PathBuf>,
    #[command(flatten)]
    pub catalog_args: CatalogArgs,
    /// How many unrecognised names to list.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub limit: usize,
}

/// Coverage figures of a catalog.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Coverage {
    pub rows: u64,
    pub rows_without_list: u64,
    pub occurrences: u64,
    pub known: u64,
    pub top10: u64,
    pub top10_known: u64,
    /// Unrecognised names and their counts, most frequent first, then by name.
    pub unknown: Vec<(String, u64)>,
}

impl Coverage {
    /// Share of all occurrences recognised, in percent.
    pub fn percent(&self) -> f64 {
        pct(self.known, self.occurrences)
    }

    /// Share of first-ten occurrences recognised, in percent.
    pub fn top10_percent(&self) -> f64 {
        pct(self.top10_known, self.top10)
    }
}

fn pct(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 * 100.0 / b as f64
    }
}

/// Measures coverage of a catalog's ingredient lists.
pub fn measure(a: &IngredientsArgs, kb: &KnowledgeBase) -> Result<Coverage> {
    let mut reader = CatalogReader::open(
        &a.catalog_args.source(a.catalog.as_deref())?,
        &a.catalog_args.options(),
    )?;
    let columns = reader.columns.clone();
    let mut rec = csv::ByteRecord::new();
    let mut c = Coverage::default();
    let mut unknown: HashMap<String, u64> = HashMap::new();
    let mut lists_in_description = 0u64;
    while reader.read(&mut rec)? {
        if catalog::is_blank(&rec) || catalog::is_repeated_header(&rec, &columns) {
            continue;
        }
        c.rows += 1;
        let (text, from_description) = catalog::ingredients_of(&rec, &columns);
        lists_in_description += from_description as u64;
        let list = parse_list(&text, kb);
        if list.is_empty() {
            c.rows_without_list += 1;
        }
        for item in &list.items {
            c.occurrences += 1;
            let top = item.position <= 10;
            c.top10 += top as u64;
            if item.id.is_some() {
                c.known += 1;
                c.top10_known += top as u64;
            } else {
                *unknown.entry(list.name(item).to_string()).or_default() += 1;
            }
        }
    }
    columns.check_lists_found(&reader.name, lists_in_description)?;
    let mut v: Vec<(String, u64)> = unknown.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    c.unknown = v;
    Ok(c)
}

/// Runs `ingredients`.
pub fn run(a: IngredientsArgs) -> Result<i32> {
    let kb = a.catalog_args.knowledge_base()?;
    let c = measure(&a, &kb)?;
    let mut w = super::stdout();
    writeln!(w, "coverage: {:.1}%", c.percent()).map_err(Error::stdout)?;
    writeln!(w, "top10-coverage: {:.1}%", c.top10_percent()).map_err(Error::stdout)?;
    writeln!(
        w,
        "rows: {}, without a usable ingredient list: {}, ingredient occurrences: {}, unrecognised: {}",
        c.rows,
        c.rows_without_list,
        c.occurrences,
        c.occurrences - c.known
    ).map_err(Error::stdout)?;
    if !c.unknown.is_empty() {
        writeln!(
            w,
            "unrecognised names ({} distinct; the {} most frequent):",
            c.unknown.len(),
            a.limit.min(c.unknown.len())
        )
        .map_err(Error::stdout)?;
        for (name, n) in c.unknown.iter().take(a.limit) {
            writeln!(w, "{n:>7}  {name}").map_err(Error::stdout)?;
        }
    }
    super::flush(w)?;
    Ok(EXIT_OK)
}
