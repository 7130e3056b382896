//! `milia-rank validate`: reads the whole catalog with the checks `score`
//! applies and prints each row that would be rejected, with its line,
//! column and reason. Writes no file. Exit 0 when clean, 1 when any row
//! would be rejected. With `--knowledge FILE` it first reads that file as
//! `score` would, so a knowledge base `score` would refuse fails here too
//! (and one that lacks a class the model asks for is warned about).
//! `milia-rank validate --help` gives the usage.

use std::collections::HashMap;
use std::path::PathBuf;

use clap::Args;

use super::CatalogArgs;
use crate::catalog::{self, CatalogReader, Field};
use std::io::Write;

use crate::error::{Error, Result, EXIT_DATA, EXIT_OK};

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The catalog CSV; `-` reads standard input (or give --sample).
    pub catalog: Option<PathBuf>,
    #[command(flatten)]
    pub catalog_args: CatalogArgs,
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub line: u64,
    pub column: String,
    pub reason: String,
}

/// Checks a catalog; returns rows read and the findings.
pub fn check(a: &ValidateArgs) -> Result<(u64, Vec<Finding>, String)> {
    if a.catalog_args.knowledge.is_some() {
        a.catalog_args.knowledge_base()?;
    }
    let mut reader = CatalogReader::open(
        &a.catalog_args.source(a.catalog.as_deref())?,
        &a.catalog_args.options(),
    )?;
    let columns = reader.columns.clone();
    for n in &reader.notes {
        crate::error::note(&format!("milia-rank: {}", crate::error::printable(n)));
    }
    let mut rec = csv::ByteRecord::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut findings = Vec::new();
    let mut rows = 0u64;
    let mut header_lines = Vec::new();
    let mut variants = 0u64;
    let mut lists_in_description = 0u64;
    let mut rejected_ids: std::collections::HashSet<String> = Default::default();
    while reader.read(&mut rec)? {
        if catalog::is_blank(&rec) {
            continue;
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if catalog::is_repeated_header(&rec, &columns) {
            header_lines.push(line);
            continue;
        }
        if let Err(p) = catalog::check_row(&rec, &columns) {
            let id = catalog::field(&rec, &columns, Field::ProductId)
                .trim()
                .to_string();
            if catalog::is_variant_row(&rec, &columns)
                && (seen.contains_key(&id) || rejected_ids.contains(&id))
            {
                variants += 1;
                continue;
            }
            rows += 1;
            rejected_ids.insert(id);
            findings.push(Finding {
                line,
                column: p.column.unwrap_or_default(),
                reason: p.reason,
            });
            continue;
        }
        rows += 1;
        lists_in_description += catalog::ingredients_of(&rec, &columns).1 as u64;
        let id = catalog::field(&rec, &columns, Field::ProductId)
            .trim()
            .to_string();
        if let Some(first) = seen.get(&id) {
            findings.push(Finding {
                line,
                column: columns
                    .header_of(Field::ProductId)
                    .unwrap_or("product_id")
                    .to_string(),
                reason: format!(
                    "duplicate product_id `{id}`: first seen on line {first}, which is kept"
                ),
            });
        } else {
            seen.insert(id, line);
        }
    }
    columns.check_lists_found(&reader.name, lists_in_description)?;
    if variants > 0 {
        crate::error::note(&format!(
            "milia-rank: {variants} variant row(s) (a product's handle again with an empty title) belong to their products; not checked as products"
        ));
    }
    if !header_lines.is_empty() {
        crate::error::note(&format!(
            "milia-rank: {}",
            crate::run::repeated_header_note(&header_lines)
        ));
    }
    Ok((rows, findings, reader.name))
}

/// Runs `validate`.
pub fn run(a: ValidateArgs) -> Result<i32> {
    let (rows, findings, name) = check(&a)?;
    let mut w = super::stdout();
    for f in &findings {
        if f.column.is_empty() {
            writeln!(w, "{name}: line {}: {}", f.line, f.reason).map_err(Error::stdout)?;
        } else {
            writeln!(
                w,
                "{name}: line {}, column `{}`: {}",
                f.line, f.column, f.reason
            )
            .map_err(Error::stdout)?;
        }
    }
    writeln!(
        w,
        "{rows} rows checked, {} would be rejected ({:.1}%)",
        findings.len(),
        if rows == 0 {
            0.0
        } else {
            findings.len() as f64 * 100.0 / rows as f64
        }
    )
    .map_err(Error::stdout)?;
    super::flush(w)?;
    Ok(if findings.is_empty() {
        EXIT_OK
    } else {
        EXIT_DATA
    })
}
