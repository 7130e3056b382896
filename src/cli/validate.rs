//! `milia-rank validate`: reads the whole catalog with the checks `score`
//! applies and prints each row that would be rejected, with its line,
//! column and reason. Writes no file. Exit 0 when clean, 1 when any row
//! would be rejected. With `--knowledge FILE` it first reads that file as
//! `score` would, so a knowledge base `score` would refuse fails here too
//! (and one that lacks a class the model asks for is warned about).
//! `milia-rank validate --help` gives the usage.

use std::path::PathBuf;

use clap::Args;

use super::CatalogArgs;
use crate::catalog::{CatalogReader, Field};
use crate::pipeline::{self, Checked, IdVerdict, Ids};
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
    let mut ids = Ids::new();
    let mut findings = Vec::new();
    let mut rows = 0u64;
    let mut header_lines = Vec::new();
    let mut variants = 0u64;
    let mut lists_in_description = 0u64;
    let id_column = columns
        .header_of(Field::ProductId)
        .unwrap_or("product_id")
        .to_string();
    while reader.read(&mut rec)? {
        match pipeline::check(&rec, &columns) {
            Checked::Blank => {}
            Checked::RepeatedHeader(line) => header_lines.push(line),
            Checked::Rejected(r) => {
                let reason = match ids.rejected(&r) {
                    Some(IdVerdict::VariantOfKnown) => {
                        variants += 1;
                        continue;
                    }
                    Some(IdVerdict::OrphanVariant(reason)) => reason,
                    _ => r.reason,
                };
                rows += r.lines;
                findings.push(Finding {
                    line: r.line,
                    column: r.column,
                    reason,
                });
            }
            Checked::Product(p) => {
                rows += 1;
                lists_in_description += p.row.from_description as u64;
                if let IdVerdict::Duplicate(reason) = ids.product(&p.product_id, p.line) {
                    findings.push(Finding {
                        line: p.line,
                        column: id_column.clone(),
                        reason,
                    });
                }
            }
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
        let line = if f.column.is_empty() {
            format!("{name}: line {}: {}", f.line, f.reason)
        } else {
            format!(
                "{name}: line {}, column `{}`: {}",
                f.line, f.column, f.reason
            )
        };
        // One bounded line per finding, whatever the catalog holds.
        let line = crate::error::printable(&line);
        writeln!(
            w,
            "{}",
            crate::error::bounded(&line, crate::error::MAX_LINE)
        )
        .map_err(Error::stdout)?;
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
