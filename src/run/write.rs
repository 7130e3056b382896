//! Stage 5, writing: the rankings (merged from their sorted runs), the
//! import file, and the checks that refuse to publish once the catalog is
//! read.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::catalog::{Columns, Field};
use crate::error::{Error, Result};
use crate::output;
use crate::output::publish::Staging;
use crate::rank::Ranker;

use super::summary::ConcernSummary;
use super::ScoreConfig;

/// After the catalog is read: notes on skipped lines, and the checks that
/// refuse to publish (no ingredient list found anywhere, too many rejects,
/// no rows). `counts`: variant rows, lists read from descriptions, rows
/// rejected, rows read.
pub fn refuse_or_note(
    cfg: &ScoreConfig<'_>,
    catalog_name: &str,
    columns: &Columns,
    header_lines: &[u64],
    [variants, lists_in_description, rejected, read]: [u64; 4],
) -> Result<()> {
    if !header_lines.is_empty() {
        cfg.log.note(&super::repeated_header_note(header_lines));
    }
    if variants > 0 {
        cfg.log.note(&format!(
            "merged {variants} variant row{} (a product's handle again with an empty title) into their products",
            if variants == 1 { "" } else { "s" }
        ));
    }

    columns.check_lists_found(catalog_name, lists_in_description)?;
    if cfg.max_rejects.exceeded(rejected, read) {
        return Err(Error::Refused(format!(
            "{catalog_name}: {rejected} of {read} rows rejected, more than the limit of {}; nothing was published (see --max-rejects, or run `milia-rank validate` for the reasons)",
            cfg.max_rejects.describe()
        )));
    }
    if read == 0 {
        return Err(Error::Data {
            file: catalog_name.to_string(),
            line: 0,
            column: None,
            message: "the catalog has a header but no rows; nothing was published".into(),
        });
    }
    Ok(())
}

/// The shrink guard: a catalog with far fewer products than the release
/// published in DIR (`published`) is refused, since a catalog cut short or
/// half exported would otherwise take the missing products off the shop's
/// lists. A release that cannot be read is no guard (a warning elsewhere).
pub fn check_shrink(
    cfg: &ScoreConfig<'_>,
    catalog_name: &str,
    published: Option<&Path>,
    scored: u64,
) -> Result<()> {
    let Some(dir) = published else {
        return Ok(());
    };
    let Some(before) = crate::output::compare::read_summary(dir)
        .ok()
        .and_then(|v| v.get("rows_scored").and_then(|n| n.as_u64()))
    else {
        return Ok(());
    };
    if before == 0 || cfg.max_shrink >= 100.0 {
        return Ok(());
    }
    let lost = before.saturating_sub(scored);
    if lost as f64 * 100.0 > cfg.max_shrink * before as f64 {
        return Err(Error::Refused(format!(
            "{catalog_name}: {scored} products scored, but the release published in {} has {before}: {:.1}% fewer, more than --max-shrink {}%; nothing was published (a catalog cut short or half exported?). If the catalog really shrank, run again with --max-shrink 100%",
            cfg.out.display(),
            lost as f64 * 100.0 / before as f64,
            cfg.max_shrink
        )));
    }
    Ok(())
}

/// Writes the shop-platform import file (`--format`), one row per
/// exportable product with its score per concern.
pub fn write_export(
    cfg: &ScoreConfig<'_>,
    staging: &Staging,
    columns: &Columns,
    rows: Vec<output::ExportRow>,
    (not_exportable, not_exportable_count): (Vec<output::NotExportable>, u64),
) -> Result<Option<output::ExportSummary>> {
    Ok(match cfg.export {
        Some(format) => {
            output::write_export(
                format,
                staging.create_file(format.file())?,
                &staging.path(format.file()),
                &cfg.concerns,
                &rows,
            )?;
            let e = output::ExportSummary {
                format: format.name(),
                file: format.file(),
                handle_column: columns
                    .header_of(Field::Handle)
                    .map(|h| h.trim().to_string()),
                products_exported: rows.len() as u64,
                not_exportable: not_exportable_count,
                not_exportable_products: not_exportable,
            };
            if let Some(w) = e.warning() {
                cfg.log.warn(&w);
            }
            Some(e)
        }
        None => None,
    })
}

/// Sorts and writes each concern's ranking on the pool, in parallel (with
/// every product kept, this end phase is a good part of the run). Returns
/// each concern's counts.
pub fn write_rankings(
    cfg: &ScoreConfig<'_>,
    pool: &rayon::ThreadPool,
    staging: &Staging,
    rankers: Vec<Ranker>,
    ranked_counts: &[u64],
    meeting_counts: &[u64],
    report: &output::report::Gather,
) -> Result<Vec<ConcernSummary>> {
    // Each concern is sorted and written on the pool, in parallel: with
    // every product kept, this end phase is a good part of the run.
    let written: Vec<Result<u64>> = pool.install(|| {
        cfg.concerns
            .par_iter()
            .zip(rankers.into_par_iter())
            .map(|(c, r)| {
                let name = format!("{}.csv", c.slug);
                let path = staging.path(&name);
                let ranked = report.capture(&c.slug, r.into_stream()?);
                let index_name = output::places::index_name(&name);
                let index = output::places::Writer::new(
                    staging.create_file(&index_name)?,
                    staging.path(&index_name),
                );
                output::write_concern(staging.create_file(&name)?, &path, ranked, index)
            })
            .collect()
    });
    let mut concern_summaries = Vec::new();
    for (((c, w), n), m) in cfg
        .concerns
        .iter()
        .zip(written)
        .zip(ranked_counts)
        .zip(meeting_counts)
    {
        let written = w?;
        concern_summaries.push(ConcernSummary {
            slug: c.slug.clone(),
            ranked: *n,
            written,
            fully_meeting: c.thin.as_ref().map(|_| *m),
            note: c.thin.as_ref().and_then(|t| t.note_for(*m, *n)),
        });
    }
    Ok(concern_summaries)
}

/// Writes a value as JSON into `f` (named `path` in messages).
pub fn write_json(f: File, path: &Path, value: &impl Serialize) -> Result<()> {
    let mut w = BufWriter::new(f);
    serde_json::to_writer_pretty(&mut w, value).map_err(|e| Error::io(path, e.into()))?;
    w.write_all(b"\n").map_err(|e| Error::io(path, e))?;
    w.flush().map_err(|e| Error::io(path, e))
}
