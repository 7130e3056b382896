//! Stage 6, publishing: the run's store and pool are opened before the
//! work ([`Run::open`]); once the rows are collected, [`finish`] checks
//! them, writes the rankings and the other files, compares with the
//! previous run, renders the report and publishes everything at once.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use crate::catalog::{input::InputInfo, Columns};
use crate::error::{Error, Result};
use crate::output::publish::{Plan, Staging, MARKER};
use crate::output::{self};
use crate::rank::Ranker;

use super::collect::{Collector, SPILL_DIR};
use super::summary::{secs, Summary, Timings};
use super::write;
use super::ScoreConfig;

/// When a run started.
pub struct Started {
    at: Instant,
    rfc3339: String,
}

impl Started {
    pub fn now() -> Started {
        Started {
            at: Instant::now(),
            rfc3339: super::rfc3339(std::time::SystemTime::now()),
        }
    }
}

/// What the input stage knows of the catalog.
pub struct CatalogFacts {
    pub name: String,
    /// Its size and modification time (none for standard input or parts).
    pub bytes: Option<u64>,
    pub modified: Option<String>,
    pub input: InputInfo,
    pub columns: Columns,
}

/// A run's store, pool and clock.
pub struct Run {
    pub staging: Staging,
    pub pool: rayon::ThreadPool,
    /// The run to compare with, if any.
    previous: Option<std::path::PathBuf>,
    pub timings: Timings,
    started: Started,
}

impl Run {
    /// Opens DIR's store and the pool (`doing` says in the log what the
    /// run does with its input; `total_bytes` is its size, 0 when unknown).
    pub fn open(
        cfg: &mut ScoreConfig<'_>,
        doing: (&str, &str),
        total_bytes: u64,
        started: Started,
    ) -> Result<Run> {
        let staging = Staging::create(
            &cfg.out,
            &Plan {
                files: super::output_files(&cfg.concerns, cfg.export),
                keep: cfg.keep,
                wait: cfg.wait,
                need_bytes: super::estimate_output_bytes(total_bytes, cfg.top, cfg.concerns.len()),
            },
        )?;
        // The comparison: --previous, or else the release this run replaces.
        let previous = match cfg.previous.clone() {
            Some(p) => super::usable_previous(&p, &cfg.log),
            None => staging
                .previous()
                .and_then(|p| super::usable_previous(p, &cfg.log)),
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(cfg.threads)
            .build()
            .map_err(|e| super::no_pool(cfg.threads, &e))?;
        let (verb, input) = doing;
        cfg.log
            .start_doing(verb, input, pool.current_num_threads(), total_bytes);
        Ok(Run {
            staging,
            pool,
            previous,
            timings: Timings::default(),
            started,
        })
    }

    /// The end of the setup stage.
    pub fn setup_done(&mut self) {
        self.timings.setup = secs(self.started.at.elapsed());
    }
}

/// Checks the collected rows, writes every file, compares, publishes.
pub fn finish(
    cfg: &ScoreConfig<'_>,
    mut run: Run,
    collector: Collector,
    facts: CatalogFacts,
) -> Result<Summary> {
    let mut c = collector;
    return_freed_memory();
    // The duplicate-id table is done with: its memory goes before the
    // rankings are merged and compared.
    drop((c.ids, c.handles));
    write::refuse_or_note(
        cfg,
        &facts.name,
        &facts.columns,
        &c.header_lines,
        [c.variants, c.lists_in_description, c.rejected, c.read],
    )?;
    write::check_shrink(cfg, &facts.name, run.staging.previous(), c.scored)?;
    let scores_path = run.staging.path(output::SCORES_FILE);
    output::finish_bytes(c.scores_w, &scores_path)?;
    c.scores_index.finish(&scores_path)?;
    output::finish(c.rejects_w, &run.staging.path(output::REJECTS_FILE))?;
    let rankings_began = Instant::now();
    let spilled: u64 = c.rankers.iter().map(Ranker::spilled_bytes).sum();
    if spilled > 0 {
        cfg.log.note(&format!(
            "the rankings held more than --memory-limit allows in memory: {} MB were sorted in runs on disk and merged",
            spilled.div_ceil(1 << 20)
        ));
    }
    let concerns = write::write_rankings(
        cfg,
        &run.pool,
        &run.staging,
        c.rankers,
        &c.ranked_counts,
        &c.meeting_counts,
        &c.report,
    )?;
    for concern in &concerns {
        if let Some(note) = &concern.note {
            cfg.log.note(&format!("{}: {note}", concern.slug));
        }
    }
    crate::sorted_runs::remove(&run.staging.dir().join(SPILL_DIR));
    run.timings.rankings = secs(rankings_began.elapsed());
    let finish_began = Instant::now();
    let distinct_unknown = c.unknown.len() as u64;
    c.report.unknown(&c.unknown);
    output::write_unknown(
        run.staging.create_file(output::UNKNOWN_FILE)?,
        &run.staging.path(output::UNKNOWN_FILE),
        c.unknown.into_iter().collect(),
        cfg.spreadsheet_safe,
    )?;
    if let Some(w) = c.formulas.warning(cfg.spreadsheet_safe) {
        cfg.log.warn(&w);
    }
    let export = write::write_export(
        cfg,
        &run.staging,
        &facts.columns,
        c.shop_rows,
        (c.not_exportable, c.not_exportable_count),
    )?;
    let summary = Summary {
        tool: "milia-rank".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        started_at: run.started.rfc3339.clone(),
        catalog: facts.name,
        catalog_bytes: facts.bytes,
        catalog_modified: facts.modified,
        input: facts.input,
        columns: facts.columns.uses(),
        knowledge_base: cfg.kb.origin.clone(),
        rows_read: c.read,
        rows_scored: c.scored,
        rows_rejected: c.rejected,
        blank_lines_skipped: c.blank,
        repeated_headers_skipped: c.header_lines.len() as u64,
        variant_rows_merged: c.variants,
        ingredients_from_description: c.lists_in_description,
        max_rejects: cfg.max_rejects.describe(),
        claim_conflicts: c.conflicts,
        low_confidence: c.low,
        concerns,
        top: cfg.top,
        threads: run.pool.current_num_threads(),
        unknown_ingredients: distinct_unknown,
        elapsed_seconds: 0.0,
        timings: Timings::default(),
        export,
        formula_cells: c.formulas,
        spilled_bytes: spilled,
        changes: None,
    };
    compare_report_publish(cfg, run, summary, &c.report, finish_began)
}

/// From here on, memory freed goes back to the system at once (mimalloc's
/// `purge_delay` 0; 10 ms by default). The end of a run frees the scoring
/// stage's tables while the comparison allocates its own, on other
/// threads: with the delay, the peak held both now and then (141 MB
/// instead of 110 MB for `--top 100` on 4M rows after a full run).
/// Purging at once during the scoring stage costs about 5% more CPU, so
/// it starts only at its end.
fn return_freed_memory() {
    /// `mi_option_purge_delay` in mimalloc's `mi_option_e`.
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: sets one of mimalloc's options, which it reads atomically,
    // and asks it to purge what is already free.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
        libmimalloc_sys::mi_collect(true);
    }
}

/// summary.json, the comparison with the previous run, the report, and
/// the switch to the new release.
fn compare_report_publish(
    cfg: &ScoreConfig<'_>,
    mut run: Run,
    mut summary: Summary,
    report: &output::report::Gather,
    finish_began: Instant,
) -> Result<Summary> {
    let staging = &run.staging;
    let summary_path = staging.path(MARKER);
    write::write_json(staging.create_file(MARKER)?, &summary_path, &summary)?;
    let staged = summary_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    if let Some(prev) = &run.previous {
        match run
            .pool
            .install(|| crate::output::compare::compare(prev, &staged))
        {
            Ok(c) => summary.changes = Some(c),
            Err(e) => cfg.log.warn(&format!(
                "cannot compare with {} ({e}); this run is published without a comparison",
                prev.display()
            )),
        }
    }
    let html = crate::output::report::render(&summary, report)?;
    let report_path = staging.path(output::REPORT_FILE);
    staging
        .create_file(output::REPORT_FILE)?
        .write_all(html.as_bytes())
        .map_err(|e| Error::io(&report_path, e))?;
    run.timings.finish = secs(finish_began.elapsed());
    summary.timings = run.timings.clone();
    summary.elapsed_seconds = (run.started.at.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    write::write_json(staging.replace_file(MARKER)?, &summary_path, &summary)?;
    let target = staging.target().to_path_buf();
    run.staging.publish()?;
    cfg.log.end(
        [
            summary.rows_read,
            summary.rows_scored,
            summary.rows_rejected,
        ],
        &target,
        summary.elapsed_seconds,
        summary.changes.as_ref(),
    );
    Ok(summary)
}
