//! A self-contained HTML report of one run: run summary, score
//! distributions, top products, claim conflicts, rejects, unknown
//! ingredients and, given a comparison, what changed since the previous run.
//!
//! The page is built from the run's results in memory, never from the
//! files it published: a [`Gather`] is fed while the run collects (each
//! scored product, each reject, the first rows of each concern file as they
//! are written, the unknown names), and [`render`] fills the template
//! `templates/report.html` (askama, which escapes every value for HTML).
//! The Gather keeps counters and short lists only, whatever the catalog's
//! size.
//!
//! The page has no scripts and loads nothing: styles are inline and charts
//! are inline SVG. The same input renders the same page, but for one line:
//! the element with id `run-time` ([`RUN_TIME_ID`]), which says when the
//! run started and how old the catalog was then.

use std::collections::HashMap;
use std::sync::Mutex;

use askama::Template;

use super::compare::{Changes, Mover};
use crate::error::{Error, Result};
use crate::rank::Entry;
use crate::run::Summary;

const BINS: usize = 10;
const TOP: usize = 10;
const FIRST_REJECTS: usize = 20;
const UNKNOWN_TOP: usize = 30;
const MAX_CONFLICTS: usize = 100;
const MAX_PRODUCTS: usize = 50;

/// The id of the report's one run-specific element, a single line of the
/// page: the run's start time (and the previous run's), and the catalog's
/// age at the start.
pub const RUN_TIME_ID: &str = "run-time";

/// The most bytes of one value shown in the report (a damaged catalog can
/// hold a product id of megabytes); the rest is said in a count.
const MAX_VALUE: usize = 600;

/// A value as shown: cut to [`MAX_VALUE`] bytes, with a count of the rest.
fn cap(s: &str) -> String {
    crate::error::bounded(s, MAX_VALUE).into_owned()
}

/// One of the first rows of a concern file, as written:
/// (rank, product_id, name, brand, score, grade, reasons).
type TopRow = [String; 7];

/// What the report needs of a run, gathered while it runs: counters and
/// short lists, nothing per product.
pub struct Gather {
    /// Concern slugs, in the run's order.
    slugs: Vec<String>,
    /// Per concern: products per 10-point score band.
    bins: Vec<[u64; BINS]>,
    /// Per concern: the sum of the scores (as written, to one decimal), for the mean.
    sums: Vec<f64>,
    /// (product_id, name, conflict) of the first products with a claim conflict.
    conflicts: Vec<(String, String, String)>,
    conflicts_total: u64,
    rejects_total: u64,
    /// (column, reason pattern) -> rows.
    reject_groups: HashMap<(String, String), u64>,
    /// (line, product_id, column, reason) of the first rejects.
    first_rejects: Vec<[String; 4]>,
    /// Per concern: the first rows of its file, filled as it is written
    /// (the concern files are written in parallel).
    tops: Vec<Mutex<Vec<TopRow>>>,
    /// (name, count) of the most frequent unknown ingredients.
    unknown_top: Vec<(String, u64)>,
    /// Distinct unknown ingredient names.
    unknown_total: usize,
}

impl Gather {
    /// An empty gathering for the concerns with these slugs, in run order.
    pub fn new<'a>(slugs: impl IntoIterator<Item = &'a str>) -> Gather {
        let slugs: Vec<String> = slugs.into_iter().map(str::to_string).collect();
        let n = slugs.len();
        Gather {
            slugs,
            bins: vec![[0; BINS]; n],
            sums: vec![0.0; n],
            conflicts: Vec::new(),
            conflicts_total: 0,
            rejects_total: 0,
            reject_groups: HashMap::new(),
            first_rejects: Vec::new(),
            tops: (0..n).map(|_| Mutex::new(Vec::new())).collect(),
            unknown_top: Vec::new(),
            unknown_total: 0,
        }
    }

    /// A scored product: its score per concern (None outside a concern),
    /// and, when it contradicts a claim, how (its scores.csv cell).
    pub fn scored(
        &mut self,
        product_id: &str,
        name: &str,
        scores: impl IntoIterator<Item = Option<f64>>,
        conflict: Option<&str>,
    ) {
        for (k, score) in scores.into_iter().enumerate().take(self.slugs.len()) {
            let Some(score) = score else { continue };
            // The score as scores.csv shows it (model::score::fmt1).
            let tenths = (score * 10.0).round();
            let shown = if tenths.is_finite() {
                tenths / 10.0
            } else {
                score
            };
            let bin = ((shown / 10.0).floor().max(0.0) as usize).min(BINS - 1);
            self.bins[k][bin] += 1;
            self.sums[k] += shown;
        }
        if let Some(conflict) = conflict {
            self.conflicts_total += 1;
            if self.conflicts.len() < MAX_CONFLICTS {
                self.conflicts
                    .push((cap(product_id), cap(name), cap(conflict)));
            }
        }
    }

    /// A rejected row, as rejects.csv lists it.
    pub fn reject(&mut self, line: u64, product_id: &str, column: &str, reason: &str) {
        self.rejects_total += 1;
        *self
            .reject_groups
            .entry((cap(column), cap(&reason_pattern(reason))))
            .or_default() += 1;
        if self.first_rejects.len() < FIRST_REJECTS {
            self.first_rejects
                .push([line.to_string(), cap(product_id), cap(column), cap(reason)]);
        }
    }

    /// The ranking of concern `slug` on its way to its file: the same
    /// entries, the first of them kept for the report as they pass.
    pub fn capture<'s, I>(
        &'s self,
        slug: &str,
        ranked: I,
    ) -> impl Iterator<Item = Result<Entry>> + 's
    where
        I: Iterator<Item = Result<Entry>> + 's,
    {
        let slot = self
            .slugs
            .iter()
            .position(|s| s == slug)
            .map(|k| &self.tops[k]);
        let mut seen = 0usize;
        ranked.inspect(move |e| {
            if seen >= TOP {
                return;
            }
            seen += 1;
            let (Some(slot), Ok(e)) = (slot, e) else {
                return;
            };
            let p = &e.payload;
            let row = [
                seen.to_string(),
                cap(&e.product_id),
                cap(&p.name),
                cap(&p.brand),
                crate::model::score::fmt1(e.score.0),
                p.grade.to_string(),
                cap(&p.reasons),
            ];
            if let Ok(mut rows) = slot.lock() {
                rows.push(row);
            }
        })
    }

    /// The unknown ingredient names with their counts.
    pub fn unknown<'a>(&mut self, counts: impl IntoIterator<Item = (&'a String, &'a u64)>) {
        let mut all: Vec<(&String, u64)> = counts.into_iter().map(|(n, c)| (n, *c)).collect();
        self.unknown_total = all.len();
        let order =
            |a: &(&String, u64), b: &(&String, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0));
        if all.len() > UNKNOWN_TOP {
            all.select_nth_unstable_by(UNKNOWN_TOP - 1, order);
            all.truncate(UNKNOWN_TOP);
        }
        all.sort_unstable_by(order);
        self.unknown_top = all.into_iter().map(|(n, c)| (cap(n), c)).collect();
    }
}

/// A reject reason with its specifics (`quoted values`, numbers) replaced,
/// so that rows rejected for the same reason group together.
fn reason_pattern(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut quoted = false;
    let mut prev_digit = false;
    for c in reason.chars() {
        if c == '`' {
            if quoted {
                out.push_str("…`");
            } else {
                out.push('`');
            }
            quoted = !quoted;
        } else if quoted {
            continue;
        } else if c.is_ascii_digit() {
            if !prev_digit {
                out.push('N');
            }
            prev_digit = true;
            continue;
        } else {
            out.push(c);
        }
        prev_digit = false;
    }
    out
}

// ---- the page ----

/// Renders the report of a run from its summary (with its comparison, if
/// any) and what was gathered while it ran.
pub fn render(summary: &Summary, gather: &Gather) -> Result<String> {
    Page::new(summary, gather)
        .render()
        .map_err(|e| Error::Internal(format!("rendering the report: {e}")))
}

/// Bar colours, low scores to high.
const BAR: [&str; BINS] = [
    "#b42318", "#c4320a", "#c4540a", "#c97a06", "#b58100", "#8f8f12", "#5f961c", "#3d8a2a",
    "#2a7f3a", "#1a6f44",
];

/// A product as shown: its name, and its id where that differs.
struct Prod {
    name: String,
    id: Option<String>,
}

impl Prod {
    fn new(id: &str, name: &str) -> Prod {
        Prod {
            id: (id != name).then(|| cap(id)),
            name: cap(name),
        }
    }
}

/// A (label, value) row of a two-column table.
struct Fact {
    label: &'static str,
    value: String,
}

/// A sentence with a class (`yes`, `no` or `muted`).
struct Verdict {
    class: &'static str,
    text: String,
}

/// The first screen: when, which catalog, fresh or not, differs or not.
struct RunBox {
    started: String,
    /// `, 3 h 05 min after the catalog was last modified`, or empty.
    age: String,
    /// `; the previous run started …`, or empty.
    previous: String,
    facts: Vec<Fact>,
    fresh: Verdict,
    differs: Verdict,
    import: Option<String>,
}

struct Card {
    value: u64,
    label: &'static str,
}

/// One concern's histogram, its geometry worked out.
struct Chart {
    slug: String,
    scored: u64,
    mean: Option<String>,
    /// (y of the line, y of its label, label).
    grid: Vec<(String, String, u64)>,
    bars: Vec<ChartBar>,
    /// (x, label) of the score axis.
    ticks: Vec<(String, usize)>,
}

struct ChartBar {
    x: String,
    y: String,
    width: String,
    height: String,
    fill: &'static str,
    from: usize,
    to: usize,
    count: u64,
    label_x: String,
    label_y: String,
}

struct TopList {
    slug: String,
    /// The catalog, not the model, leaves this list thin: said above it.
    note: Option<String>,
    rows: Vec<TopView>,
}

struct TopView {
    rank: String,
    product: Prod,
    brand: String,
    score: String,
    grade: String,
    /// The grade's colour class: gA … gE.
    grade_class: &'static str,
    reasons: String,
}

struct Conflict {
    product: Prod,
    conflict: String,
}

struct RejectGroup {
    rows: u64,
    column: String,
    reason: String,
}

struct FormulaView {
    count: u64,
    /// (line, column, cell).
    cells: Vec<(u64, String, String)>,
}

struct ProductList {
    title: &'static str,
    count: u64,
    shown: Vec<Prod>,
    more: u64,
}

struct MoverView {
    product: Prod,
    old_score: String,
    new_score: String,
    class: &'static str,
    arrow: &'static str,
    change: String,
    old_rank: u64,
    new_rank: u64,
    why: String,
}

struct ConcernMoves {
    slug: String,
    score_changes: u64,
    /// ("Risers", risers) and ("Fallers", fallers).
    moves: [(&'static str, Vec<MoverView>); 2],
}

struct ChangesView {
    previous: String,
    min_score_change: String,
    lists: [ProductList; 2],
    concerns: Vec<ConcernMoves>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page {
    catalog: String,
    nav: Vec<(&'static str, &'static str)>,
    run_time_id: &'static str,
    run: RunBox,
    cards: Vec<Card>,
    facts: Vec<Fact>,
    charts: Vec<Chart>,
    tops: Vec<TopList>,
    conflicts_total: u64,
    conflicts: Vec<Conflict>,
    rejects_total: u64,
    reject_groups: Vec<RejectGroup>,
    first_rejects: Vec<[String; 4]>,
    formulas: Option<FormulaView>,
    unknown_total: usize,
    unknown: Vec<(String, u64)>,
    changes: Option<ChangesView>,
}

/// The text, or `—` where empty.
fn or_dash(s: &str) -> String {
    if s.is_empty() {
        "—".into()
    } else {
        cap(s)
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A time as shown: `2026-12-06 16:42:50 UTC`.
fn show_time(t: &str) -> String {
    cap(&t.replace('T', " ").replace('Z', " UTC"))
}

/// Bytes as text: `1.2 MB (1234567 bytes)`.
fn size_text(bytes: u64) -> String {
    let b = bytes as f64;
    let short = if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        return format!("{bytes} bytes");
    };
    format!("{short} ({bytes} bytes)")
}

/// A duration in words: `3 h 05 min`, `2 days 4 h`.
fn age_text(secs: i64) -> String {
    let m = secs.unsigned_abs() / 60;
    let (d, h, m) = (m / 1440, m / 60 % 24, m % 60);
    if d > 0 {
        format!("{d} day{} {h} h", if d == 1 { "" } else { "s" })
    } else if h > 0 {
        format!("{h} h {m:02} min")
    } else {
        format!("{m} min")
    }
}

fn parse_time(t: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
}

impl Page {
    fn new(s: &Summary, g: &Gather) -> Page {
        let changes = s.changes.as_ref();
        let mut nav = vec![
            ("summary", "Summary"),
            ("distribution", "Score distribution"),
            ("top", "Top 10"),
            ("conflicts", "Claim conflicts"),
            ("rejects", "Rejects"),
            ("unknown", "Unknown ingredients"),
        ];
        if changes.is_some() {
            nav.push(("changes", "Changes"));
        }
        let mut groups: Vec<RejectGroup> = g
            .reject_groups
            .iter()
            .map(|((column, reason), &rows)| RejectGroup {
                rows,
                column: or_dash(column),
                reason: reason.clone(),
            })
            .collect();
        groups.sort_by(|a, b| {
            b.rows
                .cmp(&a.rows)
                .then_with(|| (&a.column, &a.reason).cmp(&(&b.column, &b.reason)))
        });
        Page {
            catalog: cap(&s.catalog),
            nav,
            run_time_id: RUN_TIME_ID,
            run: run_box(s, changes),
            cards: vec![
                Card {
                    value: s.rows_read,
                    label: "rows read",
                },
                Card {
                    value: s.rows_scored,
                    label: "rows scored",
                },
                Card {
                    value: s.rows_rejected,
                    label: "rows rejected",
                },
                Card {
                    value: s.claim_conflicts,
                    label: "claim conflicts",
                },
                Card {
                    value: s.low_confidence,
                    label: "low confidence",
                },
            ],
            facts: summary_facts(s),
            charts: (0..g.slugs.len()).map(|k| chart(g, k)).collect(),
            tops: g
                .slugs
                .iter()
                .zip(&g.tops)
                .map(|(slug, rows)| TopList {
                    slug: cap(slug),
                    note: s
                        .concerns
                        .iter()
                        .find(|c| &c.slug == slug)
                        .and_then(|c| c.note.as_deref())
                        .map(cap),
                    rows: rows
                        .lock()
                        .map(|r| r.iter().map(top_view).collect())
                        .unwrap_or_default(),
                })
                .collect(),
            conflicts_total: g.conflicts_total,
            conflicts: g
                .conflicts
                .iter()
                .map(|(id, name, c)| Conflict {
                    product: Prod::new(id, name),
                    conflict: c.clone(),
                })
                .collect(),
            rejects_total: g.rejects_total,
            reject_groups: groups,
            first_rejects: g
                .first_rejects
                .iter()
                .map(|[line, id, column, reason]| {
                    [line.clone(), id.clone(), or_dash(column), reason.clone()]
                })
                .collect(),
            formulas: (!s.formula_cells.is_empty()).then(|| FormulaView {
                count: s.formula_cells.count,
                cells: s
                    .formula_cells
                    .first
                    .iter()
                    .map(|c| (c.line, cap(&c.column), cap(&c.value)))
                    .collect(),
            }),
            unknown_total: g.unknown_total,
            unknown: g.unknown_top.clone(),
            changes: changes.map(changes_view),
        }
    }

    /// How many conflicts are listed, said when not all are.
    fn conflicts_note(&self) -> String {
        if self.conflicts_total > self.conflicts.len() as u64 {
            format!("; the first {} are listed", self.conflicts.len())
        } else {
            String::new()
        }
    }

    /// Which unknown ingredients are listed.
    fn unknown_note(&self) -> String {
        if self.unknown.len() < self.unknown_total {
            format!("the {} most frequent", self.unknown.len())
        } else {
            "most frequent first".into()
        }
    }
}

fn run_box(s: &Summary, changes: Option<&Changes>) -> RunBox {
    let modified = s.catalog_modified.as_deref();
    let age = match (parse_time(&s.started_at), modified.and_then(parse_time)) {
        (Some(a), Some(b)) => {
            let secs = (a - b).whole_seconds();
            if secs >= 0 {
                format!(", {} after the catalog was last modified", age_text(secs))
            } else {
                ", before the catalog's modification time (a clock differs)".into()
            }
        }
        _ => String::new(),
    };
    let previous = changes
        .and_then(|c| c.previous_started_at.as_deref())
        .map_or(String::new(), |p| {
            format!("; the previous run started {}", show_time(p))
        });
    let facts = vec![
        Fact {
            label: "Catalog",
            value: cap(&s.catalog),
        },
        Fact {
            label: "Catalog size",
            value: s
                .catalog_bytes
                .map_or("— (standard input)".into(), size_text),
        },
        Fact {
            label: "Catalog modified",
            value: modified.map_or(
                "— (standard input or the built-in sample)".into(),
                show_time,
            ),
        },
        Fact {
            label: "Tool",
            value: format!("{} {}", s.tool, s.version),
        },
    ];
    let differs = match changes {
        None => Verdict {
            class: "muted",
            text: "No previous run to compare with.".into(),
        },
        Some(c) if !c.differs() => Verdict {
            class: "no",
            text: format!(
                "No: no product new or dropped, and no score changed by {:.1} point or more.",
                c.min_score_change
            ),
        },
        Some(c) => Verdict {
            class: "yes",
            text: format!(
                "Yes: {} new, {} dropped, {} score change{} of {:.1} point or more over all concerns (see Changes).",
                c.new_products_count,
                c.dropped_products_count,
                c.score_changes(),
                plural(c.score_changes()),
                c.min_score_change
            ),
        },
    };
    let import = s.export.as_ref().map(|e| {
        let mut line = format!("{}: {} products", e.file, e.products_exported);
        let n = e.not_exportable;
        if n > 0 {
            line.push_str(&format!(
                "; {n} scored product{} left out (no valid handle, or a repeated one; listed in summary.json)",
                plural(n)
            ));
        }
        line
    });
    RunBox {
        started: show_time(&s.started_at),
        age,
        previous,
        facts,
        fresh: freshness(s, changes),
        differs,
        import,
    }
}

/// Whether the catalog is new since the previous run, judged by its path,
/// size and modification time.
fn freshness(s: &Summary, changes: Option<&Changes>) -> Verdict {
    let verdict = |class, text: &str| Verdict {
        class,
        text: text.to_string(),
    };
    let Some(modified) = s.catalog_modified.as_deref() else {
        return verdict(
            "muted",
            "Unknown: the catalog has no modification time (standard input or the built-in sample).",
        );
    };
    let Some(c) = changes else {
        return verdict(
            "muted",
            "Unknown: no previous run to compare with; see the catalog's modification time above.",
        );
    };
    let same = c.previous_catalog_modified.as_deref() == Some(modified)
        && c.previous_catalog_bytes == s.catalog_bytes
        && c.previous_catalog.as_deref() == Some(s.catalog.as_str());
    if same {
        verdict(
            "no",
            "No: the same catalog file as the previous run (same path, size and modification time). Was the new export written?",
        )
    } else {
        Verdict {
            class: "yes",
            text: format!(
                "Yes: the catalog changed since the previous run (then modified {}).",
                c.previous_catalog_modified
                    .as_deref()
                    .map_or("—".into(), show_time)
            ),
        }
    }
}

/// The Summary table: what the run box and the cards above it do not
/// already say (run-specific values stay in summary.json only).
fn summary_facts(s: &Summary) -> Vec<Fact> {
    let n = |v: u64| v.to_string();
    vec![
        Fact {
            label: "Blank lines skipped",
            value: n(s.blank_lines_skipped),
        },
        Fact {
            label: "Ingredients from description",
            value: n(s.ingredients_from_description),
        },
        Fact {
            label: "Knowledge base",
            value: cap(&s.knowledge_base),
        },
        Fact {
            label: "Max rejects",
            value: cap(&s.max_rejects),
        },
        Fact {
            label: "Repeated headers skipped",
            value: n(s.repeated_headers_skipped),
        },
        Fact {
            label: "Top",
            value: s
                .top
                .map_or("all ranked products written".into(), |t| t.to_string()),
        },
        Fact {
            label: "Unknown ingredients",
            value: n(s.unknown_ingredients),
        },
        Fact {
            label: "Variant rows merged",
            value: n(s.variant_rows_merged),
        },
    ]
}

/// The smallest 1, 2 or 5 times a power of ten at or above `n` (at least 1).
fn nice_ceiling(n: u64) -> u64 {
    let mut p = 1;
    loop {
        for m in [1, 2, 5] {
            if m * p >= n.max(1) {
                return m * p;
            }
        }
        p *= 10;
    }
}

/// The histogram's size and margins: (width, height, left, right, top,
/// bottom); templates/report.html draws the axes for these.
const CHART: (f64, f64, f64, f64, f64, f64) = (320.0, 200.0, 40.0, 14.0, 16.0, 40.0);

fn chart(g: &Gather, k: usize) -> Chart {
    let bins = &g.bins[k];
    let scored: u64 = bins.iter().sum();
    let (w, h, left, right, top, bottom) = CHART;
    let (pw, ph) = (w - left - right, h - top - bottom);
    let ymax = nice_ceiling(*bins.iter().max().unwrap_or(&0));
    let bw = pw / BINS as f64;
    let base = top + ph;
    let f1 = |x: f64| format!("{x:.1}");
    Chart {
        slug: cap(&g.slugs[k]),
        scored,
        mean: (scored > 0).then(|| format!("{:.1}", g.sums[k] / scored as f64)),
        grid: [0, ymax / 2, ymax]
            .into_iter()
            .map(|t| {
                let y = base - ph * t as f64 / ymax as f64;
                (f1(y), f1(y + 3.5), t)
            })
            .collect(),
        bars: bins
            .iter()
            .enumerate()
            .map(|(i, &count)| {
                let bh = ph * count as f64 / ymax as f64;
                let x = left + bw * i as f64;
                ChartBar {
                    x: f1(x + 2.0),
                    y: f1(base - bh),
                    width: f1(bw - 4.0),
                    height: f1(bh),
                    fill: BAR[i],
                    from: i * 10,
                    to: i * 10 + 10,
                    count,
                    label_x: f1(x + bw / 2.0),
                    label_y: f1(base - bh - 3.0),
                }
            })
            .collect(),
        ticks: (0..=BINS)
            .map(|i| (f1(left + bw * i as f64), i * 10))
            .collect(),
    }
}

fn top_view(r: &TopRow) -> TopView {
    let [rank, id, name, brand, score, grade, reasons] = r;
    TopView {
        rank: rank.clone(),
        product: Prod::new(id, name),
        brand: or_dash(brand),
        score: score.clone(),
        grade: grade.clone(),
        grade_class: match grade.as_str() {
            "A" => "gA",
            "B" => "gB",
            "C" => "gC",
            "D" => "gD",
            _ => "gE",
        },
        reasons: reasons.clone(),
    }
}

fn product_list(title: &'static str, list: &[(String, String)], count: u64) -> ProductList {
    let shown: Vec<Prod> = list
        .iter()
        .take(MAX_PRODUCTS)
        .map(|(id, name)| Prod::new(id, name))
        .collect();
    ProductList {
        title,
        count,
        more: count.saturating_sub(shown.len() as u64),
        shown,
    }
}

fn mover_view(m: &Mover) -> MoverView {
    let d = m.score_change();
    let (class, arrow) = if d > 0.0 {
        ("up", "▲")
    } else {
        ("down", "▼")
    };
    MoverView {
        product: Prod::new(&m.product_id, &m.name),
        old_score: format!("{:.1}", m.old_score),
        new_score: format!("{:.1}", m.new_score),
        class,
        arrow,
        change: format!("{:.1}", d.abs()),
        old_rank: m.old_rank,
        new_rank: m.new_rank,
        why: cap(&Changes::reason_change(m)),
    }
}

fn changes_view(c: &Changes) -> ChangesView {
    ChangesView {
        previous: cap(&c.previous),
        min_score_change: format!("{:.1}", c.min_score_change),
        lists: [
            product_list("New products", &c.new_products, c.new_products_count),
            product_list(
                "Dropped products",
                &c.dropped_products,
                c.dropped_products_count,
            ),
        ],
        concerns: c
            .concerns
            .iter()
            .map(|cc| ConcernMoves {
                slug: cap(&cc.slug),
                score_changes: cc.score_changes,
                moves: [
                    ("Risers", cc.risers.iter().map(mover_view).collect()),
                    ("Fallers", cc.fallers.iter().map(mover_view).collect()),
                ],
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reject_reasons_group_without_their_specifics() {
        assert_eq!(
            reason_pattern("duplicate product_id `A1`: first seen on line 12, which is kept"),
            "duplicate product_id `…`: first seen on line N, which is kept"
        );
        assert_eq!(
            reason_pattern("the row has 3 fields but the header has 10"),
            "the row has N fields but the header has N"
        );
    }

    #[test]
    fn gather_keeps_short_capped_lists_and_counts_the_rest() {
        let mut g = Gather::new(["a", "b"]);
        for i in 0..150 {
            g.scored(
                &format!("P{i}"),
                "Name",
                [Some(19.96), None],
                Some("claims oil-free, but"),
            );
        }
        assert_eq!((g.conflicts_total, g.conflicts.len()), (150, MAX_CONFLICTS));
        assert_eq!(g.conflicts[0].2, "claims oil-free, but");
        // 19.96 is written 20.0, and counted there.
        assert_eq!(g.bins[0][2], 150);
        assert_eq!(g.bins[1], [0; BINS]);
        for i in 0..30 {
            g.reject(
                i,
                &"x".repeat(1000),
                "col",
                &format!("bad `{i}` on line {i}"),
            );
        }
        assert_eq!(
            (g.rejects_total, g.first_rejects.len()),
            (30, FIRST_REJECTS)
        );
        assert!(g.first_rejects[0][1].ends_with("… (400 more bytes)"));
        assert_eq!(g.reject_groups.len(), 1);
        let names: Vec<(String, u64)> = (0..40).map(|i| (format!("n{i:02}"), i % 7)).collect();
        g.unknown(names.iter().map(|(n, c)| (n, c)));
        assert_eq!((g.unknown_total, g.unknown_top.len()), (40, UNKNOWN_TOP));
        assert_eq!(g.unknown_top[0], ("n06".to_string(), 6));
    }

    #[test]
    fn chart_scale_rounds_up_to_1_2_or_5() {
        let got: Vec<u64> = [0, 1, 3, 7, 10, 11, 481, 1463].map(nice_ceiling).to_vec();
        assert_eq!(got, [1, 1, 5, 10, 10, 20, 500, 2000]);
    }
}
