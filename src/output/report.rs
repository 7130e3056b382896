//! A self-contained HTML report of one output directory: run summary,
//! score distributions, top products, claim conflicts, rejects, unknown
//! ingredients and, given a comparison, what changed since the previous run.
//!
//! The page has no scripts and loads nothing: styles are inline and charts
//! are inline SVG. It depends only on the directory's files and the
//! comparison, so the same input renders the same page, but for one line:
//! the element with id `run-time` ([`RUN_TIME_ID`]), which says when the
//! run started and how old the catalog was then.

use std::collections::HashMap;
use std::fmt::{self, Display, Write};
use std::path::Path;

use serde_json::Value;

use super::compare::{self, field, open_csv, parse_field, Changes, Mover};
use crate::error::Result;

/// The optional list of unknown ingredients a run may leave.
pub const UNKNOWN_FILE: &str = "unknown-ingredients.csv";

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

/// Renders the report of the run in `dir`, with a section on `changes` if given.
pub fn render(dir: &Path, changes: Option<&Changes>) -> Result<String> {
    let summary = compare::read_summary(dir)?;
    let slugs = compare::slugs_of(&summary);
    let scores = read_scores(dir, &slugs)?;
    let rejects = read_rejects(dir)?;
    let unknown = read_unknown(dir)?;
    let mut tops = Vec::new();
    for slug in &slugs {
        tops.push(read_top(dir, slug)?);
    }
    let data = Data {
        summary,
        slugs,
        scores,
        tops,
        rejects,
        unknown,
    };
    let mut o = String::with_capacity(64 * 1024);
    write_page(&mut o, &data, changes).expect("writing to a String cannot fail");
    Ok(o)
}

/// Everything the page shows, read from the directory.
struct Data {
    summary: Value,
    slugs: Vec<String>,
    scores: Scores,
    tops: Vec<Vec<TopRow>>,
    rejects: Rejects,
    unknown: Option<Unknown>,
}

/// The most bytes of one value shown in the report (a damaged catalog can
/// hold a product id of megabytes); the rest is said in a count.
const MAX_VALUE: usize = 600;

/// Text with `&`, `<`, `>`, `"` and `'` escaped for HTML, cut to
/// [`MAX_VALUE`] bytes.
struct Esc<'a>(&'a str);

impl Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = crate::error::bounded(self.0, MAX_VALUE);
        let text: &str = &shown;
        let mut last = 0;
        for (i, c) in text.char_indices() {
            let rep = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => continue,
            };
            f.write_str(&text[last..i])?;
            f.write_str(rep)?;
            last = i + 1;
        }
        f.write_str(&text[last..])
    }
}

// ---- reading the directory ----

struct Scores {
    /// Per concern, in summary order: counts per 10-point bin.
    bins: Vec<[u64; BINS]>,
    /// Per concern: sum of scores, for the mean.
    sums: Vec<f64>,
    /// (product_id, name, conflict), in catalog order.
    conflicts: Vec<(String, String, String)>,
    conflicts_total: usize,
}

fn read_scores(dir: &Path, slugs: &[String]) -> Result<Scores> {
    let path = dir.join(super::SCORES_FILE);
    let (mut r, [id, name, conflict]) = open_csv(&path, ["product_id", "name", "claim_conflict"])?;
    let header = r
        .headers()
        .map_err(|e| compare::csv_error(&path, e))?
        .clone();
    let cols: Vec<Option<usize>> = slugs
        .iter()
        .map(|s| header.iter().position(|h| h == s))
        .collect();
    let mut s = Scores {
        bins: vec![[0; BINS]; slugs.len()],
        sums: vec![0.0; slugs.len()],
        conflicts: Vec::new(),
        conflicts_total: 0,
    };
    for rec in r.records() {
        let rec = rec.map_err(|e| compare::csv_error(&path, e))?;
        for (k, col) in cols.iter().enumerate() {
            let Some(col) = *col else { continue };
            if field(&rec, col).trim().is_empty() {
                continue;
            }
            let v: f64 = parse_field(&path, &rec, col, &slugs[k])?;
            s.bins[k][((v / 10.0).floor().max(0.0) as usize).min(BINS - 1)] += 1;
            s.sums[k] += v;
        }
        let c = field(&rec, conflict);
        if !c.is_empty() {
            s.conflicts_total += 1;
            if s.conflicts.len() < MAX_CONFLICTS {
                s.conflicts
                    .push((field(&rec, id).into(), field(&rec, name).into(), c.into()));
            }
        }
    }
    Ok(s)
}

/// The first rows of a concern file: (rank, product_id, name, brand, score, grade, reasons).
type TopRow = [String; 7];

fn read_top(dir: &Path, slug: &str) -> Result<Vec<TopRow>> {
    let path = dir.join(format!("{slug}.csv"));
    let (mut r, cols) = open_csv(
        &path,
        [
            "rank",
            "product_id",
            "name",
            "brand",
            "score",
            "grade",
            "reasons",
        ],
    )?;
    let mut out = Vec::new();
    for rec in r.records().take(TOP) {
        let rec = rec.map_err(|e| compare::csv_error(&path, e))?;
        out.push(cols.map(|c| field(&rec, c).to_string()));
    }
    Ok(out)
}

struct Rejects {
    total: u64,
    /// (column, reason pattern, count), most frequent first.
    groups: Vec<(String, String, u64)>,
    /// (line, product_id, column, reason) of the first rejects.
    first: Vec<[String; 4]>,
}

fn read_rejects(dir: &Path) -> Result<Rejects> {
    let path = dir.join(super::REJECTS_FILE);
    let (mut r, cols) = open_csv(&path, ["line", "product_id", "column", "reason"])?;
    let mut counts: HashMap<(String, String), u64> = HashMap::new();
    let mut first = Vec::new();
    let mut total = 0;
    for rec in r.records() {
        let rec = rec.map_err(|e| compare::csv_error(&path, e))?;
        total += 1;
        let row = cols.map(|c| field(&rec, c).to_string());
        *counts
            .entry((row[2].clone(), reason_pattern(&row[3])))
            .or_default() += 1;
        if first.len() < FIRST_REJECTS {
            first.push(row);
        }
    }
    let mut groups: Vec<_> = counts.into_iter().map(|((c, r), n)| (c, r, n)).collect();
    groups.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
    Ok(Rejects {
        total,
        groups,
        first,
    })
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

/// The unknown ingredients a run recorded.
struct Unknown {
    /// (name, count), most frequent first.
    top: Vec<(String, u64)>,
    /// Distinct names in the file.
    total: usize,
}

fn read_unknown(dir: &Path) -> Result<Option<Unknown>> {
    let path = dir.join(UNKNOWN_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    let (mut r, [name, count]) = open_csv(&path, ["name", "count"])?;
    let mut all = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| compare::csv_error(&path, e))?;
        let n: u64 = parse_field(&path, &rec, count, "count")?;
        all.push((field(&rec, name).to_string(), n));
    }
    let total = all.len();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    all.truncate(UNKNOWN_TOP);
    Ok(Some(Unknown { top: all, total }))
}

// ---- writing the page ----

const STYLE: &str = r#"
:root{--fg:#1f2328;--muted:#636c76;--line:#d8dee4;--bg:#fff;--soft:#f6f8fa;--accent:#0b6e69}
*{box-sizing:border-box}
body{margin:0;background:var(--soft);color:var(--fg);font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}
.wrap{max-width:1120px;margin:0 auto;padding:24px 28px 48px}
header h1{margin:0;font-size:26px}
header p{margin:2px 0 12px;color:var(--muted);overflow-wrap:anywhere}
nav a{display:inline-block;margin:0 6px 6px 0;padding:3px 10px;border:1px solid var(--line);border-radius:999px;background:var(--bg);color:var(--accent);text-decoration:none;font-size:13px}
section{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:18px 22px;margin:18px 0}
h2{margin:0 0 12px;font-size:20px}
h3{margin:18px 0 8px;font-size:16px}
h3 small,.muted{color:var(--muted);font-weight:normal}
.thin{border-left:3px solid #bf8700;padding-left:.6em}
table{border-collapse:collapse;width:100%;font-size:14px;table-layout:fixed}
td{overflow-wrap:anywhere}
table+table{margin-top:14px}
.narrow{max-width:620px}
.plist{columns:2;column-gap:32px;margin:0;padding-left:20px}
.plist li{break-inside:avoid;padding:2px 0}
th,td{text-align:left;vertical-align:top;padding:6px 10px;border-bottom:1px solid var(--line)}
th{background:var(--soft);font-weight:600;white-space:nowrap}
tbody tr:nth-child(even){background:#fbfcfd}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.why{font-size:13px;color:#3d444d}
.id{display:block;color:var(--muted);font-size:12px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-bottom:16px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.card b{display:block;font-size:24px;font-variant-numeric:tabular-nums}
.card span{color:var(--muted);font-size:13px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:14px}
.chart{border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.chart h3{margin:0 0 4px}
svg{display:block;width:100%;height:auto}
.g{display:inline-block;min-width:22px;text-align:center;border-radius:4px;color:#fff;font-weight:600;font-size:12px;padding:1px 5px}
.gA{background:#1a7f37}.gB{background:#4d9a1f}.gC{background:#b58100}.gD{background:#c4540a}.gE{background:#b42318}
.up{color:#1a7f37}.down{color:#b42318}
.kv th{width:200px;background:none}
.morning{border-left:5px solid var(--accent)}
.morning .when{font-size:17px;margin:0 0 10px}
.yes{color:#1a7f37;font-weight:600}.no{color:#b42318;font-weight:600}
"#;

/// Bar colours, low scores to high.
const BAR: [&str; BINS] = [
    "#b42318", "#c4320a", "#c4540a", "#c97a06", "#b58100", "#8f8f12", "#5f961c", "#3d8a2a",
    "#2a7f3a", "#1a6f44",
];

fn write_page(o: &mut String, d: &Data, changes: Option<&Changes>) -> fmt::Result {
    let catalog = text(&d.summary, "catalog");
    write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>milia-rank report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <div class=\"wrap\">\n<header>\n<h1>milia-rank report</h1>\n<p>{}</p>\n<nav>",
        Esc(&catalog),
        Esc(&catalog)
    )?;
    let mut sections = vec![
        ("summary", "Summary"),
        ("distribution", "Score distribution"),
        ("top", "Top 10"),
        ("conflicts", "Claim conflicts"),
        ("rejects", "Rejects"),
        ("unknown", "Unknown ingredients"),
    ];
    if changes.is_some() {
        sections.push(("changes", "Changes"));
    }
    for (id, title) in &sections {
        write!(o, "<a href=\"#{id}\">{title}</a>")?;
    }
    o.push_str("</nav>\n</header>\n");
    write_morning(o, &d.summary, changes)?;
    write_summary(o, &d.summary)?;
    write_distribution(o, &d.slugs, &d.scores)?;
    write_top(o, &d.slugs, &d.tops, &notes_of(&d.summary))?;
    write_conflicts(o, &d.scores)?;
    write_rejects(o, &d.rejects)?;
    write_formulas(o, &d.summary)?;
    write_unknown(o, d.unknown.as_ref())?;
    if let Some(c) = changes {
        write_changes(o, c)?;
    }
    o.push_str("</div>\n</body>\n</html>\n");
    Ok(())
}

/// A summary field as text; `—` where absent.
fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(x) => x.to_string(),
    }
}

/// The text, or `—` where empty.
fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "—"
    } else {
        s
    }
}

/// A field name as a label: `max_rejects` gives `Max rejects`.
fn label(key: &str) -> String {
    let mut s = key.replace('_', " ");
    if let Some(c) = s.get(..1) {
        let up = c.to_uppercase();
        s.replace_range(..1, &up);
    }
    s
}

fn open_section(o: &mut String, id: &str, title: &str) -> fmt::Result {
    writeln!(o, "<section id=\"{id}\">\n<h2>{title}</h2>")
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

/// The first screen: when the run started, which catalog it read (path,
/// size, modification time), the tool version, whether the catalog is new
/// since the previous run, and whether the results differ from it.
fn write_morning(o: &mut String, s: &Value, changes: Option<&Changes>) -> fmt::Result {
    o.push_str("<section id=\"run\" class=\"morning\">\n");
    let started = s.get("started_at").and_then(Value::as_str);
    let modified = s.get("catalog_modified").and_then(Value::as_str);
    // The one run-specific line: nothing else on the page depends on the
    // clock (tests/determinism.rs compares everything but this line).
    let mut when = format!(
        "Run started <b>{}</b>",
        Esc(&started.map_or("—".into(), |t| t.replace('T', " ").replace('Z', " UTC")))
    );
    if let (Some(a), Some(b)) = (started.and_then(parse_time), modified.and_then(parse_time)) {
        let secs = (a - b).whole_seconds();
        if secs >= 0 {
            when.push_str(&format!(
                ", {} after the catalog was last modified",
                age_text(secs)
            ));
        } else {
            when.push_str(", before the catalog's modification time (a clock differs)");
        }
    }
    if let Some(p) = changes.and_then(|c| c.previous_started_at.as_deref()) {
        when.push_str(&format!(
            "; the previous run started {}",
            Esc(&p.replace('T', " ").replace('Z', " UTC"))
        ));
    }
    writeln!(o, "<p class=\"when\" id=\"{RUN_TIME_ID}\">{when}.</p>")?;
    o.push_str("<table class=\"kv\"><tbody>\n");
    let bytes = s.get("catalog_bytes").and_then(Value::as_u64);
    let rows: [(&str, String); 4] = [
        ("Catalog", text(s, "catalog")),
        (
            "Catalog size",
            bytes.map_or("— (standard input)".into(), size_text),
        ),
        (
            "Catalog modified",
            modified.map_or("— (standard input or the built-in sample)".into(), |m| {
                m.replace('T', " ").replace('Z', " UTC")
            }),
        ),
        (
            "Tool",
            format!("{} {}", text(s, "tool"), text(s, "version")),
        ),
    ];
    for (k, v) in rows {
        writeln!(o, "<tr><th>{k}</th><td>{}</td></tr>", Esc(&v))?;
    }
    let (fresh_class, fresh) = freshness(s, changes);
    writeln!(
        o,
        "<tr><th>Fresh catalog</th><td><span class=\"{fresh_class}\">{}</span></td></tr>",
        Esc(&fresh)
    )?;
    let (diff_class, diff) = match changes {
        None => ("muted", "No previous run to compare with.".to_string()),
        Some(c) if !c.differs() => (
            "no",
            format!(
                "No: no product new or dropped, and no score changed by {:.1} point or more.",
                c.min_score_change
            ),
        ),
        Some(c) => (
            "yes",
            format!(
                "Yes: {} new, {} dropped, {} score change{} of {:.1} point or more over all concerns (see Changes).",
                c.new_products_count,
                c.dropped_products_count,
                c.score_changes(),
                if c.score_changes() == 1 { "" } else { "s" },
                c.min_score_change
            ),
        ),
    };
    writeln!(
        o,
        "<tr><th>Differs from the previous run</th><td><span class=\"{diff_class}\">{}</span></td></tr>",
        Esc(&diff)
    )?;
    if let Some(e) = s.get("export").filter(|e| e.is_object()) {
        let n = e.get("not_exportable").and_then(Value::as_u64).unwrap_or(0);
        let mut line = format!(
            "{}: {} products",
            text(e, "file"),
            text(e, "products_exported")
        );
        if n > 0 {
            line.push_str(&format!(
                "; {n} scored product{} left out (no valid handle, or a repeated one; listed in summary.json)",
                if n == 1 { "" } else { "s" }
            ));
        }
        writeln!(o, "<tr><th>Import file</th><td>{}</td></tr>", Esc(&line))?;
    }
    o.push_str("</tbody></table>\n</section>\n");
    Ok(())
}

/// Whether the catalog is new since the previous run, judged by its path,
/// size and modification time: (class, sentence).
fn freshness(s: &Value, changes: Option<&Changes>) -> (&'static str, String) {
    let modified = s.get("catalog_modified").and_then(Value::as_str);
    let Some(modified) = modified else {
        return (
            "muted",
            "Unknown: the catalog has no modification time (standard input or the built-in sample).".into(),
        );
    };
    let Some(c) = changes else {
        return (
            "muted",
            "Unknown: no previous run to compare with; see the catalog's modification time above."
                .into(),
        );
    };
    let same = c.previous_catalog_modified.as_deref() == Some(modified)
        && c.previous_catalog_bytes == s.get("catalog_bytes").and_then(Value::as_u64)
        && c.previous_catalog.as_deref() == s.get("catalog").and_then(Value::as_str);
    if same {
        (
            "no",
            "No: the same catalog file as the previous run (same path, size and modification time). Was the new export written?".into(),
        )
    } else {
        (
            "yes",
            format!(
                "Yes: the catalog changed since the previous run (then modified {}).",
                c.previous_catalog_modified
                    .as_deref()
                    .map_or("—".into(), |m| m.replace('T', " ").replace('Z', " UTC"))
            ),
        )
    }
}

fn write_summary(o: &mut String, s: &Value) -> fmt::Result {
    open_section(o, "summary", "Summary")?;
    o.push_str("<div class=\"cards\">");
    for (key, label) in [
        ("rows_read", "rows read"),
        ("rows_scored", "rows scored"),
        ("rows_rejected", "rows rejected"),
        ("claim_conflicts", "claim conflicts"),
        ("low_confidence", "low confidence"),
    ] {
        write!(
            o,
            "<div class=\"card\"><b>{}</b><span>{label}</span></div>",
            Esc(&text(s, key))
        )?;
    }
    o.push_str("</div>\n<table class=\"kv\"><tbody>\n");
    let version = format!("{} {}", text(s, "tool"), text(s, "version"));
    // Run-specific values (start time, elapsed time, thread count) stay in summary.json
    // only, so the report is the same byte for byte for the same input.
    let mut rows = vec![
        ("Catalog".to_string(), text(s, "catalog")),
        ("Version".to_string(), version),
    ];
    // Other scalar fields, as written (sorted by name).
    let shown = [
        "catalog",
        "tool",
        "version",
        "elapsed_seconds",
        "threads",
        "timings",
        "spilled_bytes",
        "started_at",
        "rows_read",
        "rows_scored",
        "rows_rejected",
        "claim_conflicts",
        "low_confidence",
        "concerns",
    ];
    if let Some(map) = s.as_object() {
        for (k, v) in map {
            if !shown.contains(&k.as_str()) && !v.is_array() && !v.is_object() {
                let value = match (k.as_str(), v) {
                    ("top", Value::Null) => "all ranked products written".to_string(),
                    _ => text(s, k),
                };
                rows.push((label(k), value));
            }
        }
    }
    for (k, v) in rows {
        writeln!(o, "<tr><th>{}</th><td>{}</td></tr>", Esc(&k), Esc(&v))?;
    }
    o.push_str("</tbody></table>\n</section>\n");
    Ok(())
}

fn write_distribution(o: &mut String, slugs: &[String], scores: &Scores) -> fmt::Result {
    open_section(o, "distribution", "Score distribution")?;
    o.push_str("<p class=\"muted\">Products per 10-point score band, from scores.csv; products outside a concern are not counted.</p>\n<div class=\"charts\">\n");
    for (k, slug) in slugs.iter().enumerate() {
        let n: u64 = scores.bins[k].iter().sum();
        let mean = if n > 0 {
            format!(", mean {:.1}", scores.sums[k] / n as f64)
        } else {
            String::new()
        };
        write!(
            o,
            "<div class=\"chart\"><h3>{} <small>{n} scored{mean}</small></h3>",
            Esc(slug)
        )?;
        histogram(o, slug, &scores.bins[k])?;
        o.push_str("</div>\n");
    }
    o.push_str("</div>\n</section>\n");
    Ok(())
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

fn histogram(o: &mut String, slug: &str, bins: &[u64; BINS]) -> fmt::Result {
    let (w, h, left, right, top, bottom) = (320.0, 200.0, 40.0, 14.0, 16.0, 40.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let ymax = nice_ceiling(*bins.iter().max().unwrap_or(&0));
    let bw = pw / BINS as f64;
    let base = top + ph;
    write!(
        o,
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Score histogram for {0}\" font-size=\"11\" fill=\"#636c76\">\
         <title>Score histogram for {0}</title>",
        Esc(slug)
    )?;
    for t in [0, ymax / 2, ymax] {
        let y = base - ph * t as f64 / ymax as f64;
        write!(
            o,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e4e8ec\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{t}</text>",
            w - right,
            left - 5.0,
            y + 3.5
        )?;
    }
    for (i, &c) in bins.iter().enumerate() {
        let bh = ph * c as f64 / ymax as f64;
        let x = left + bw * i as f64;
        write!(
            o,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"{}\"><title>{}–{}: {c}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1f2328\">{c}</text>",
            x + 2.0,
            base - bh,
            bw - 4.0,
            BAR[i],
            i * 10,
            i * 10 + 10,
            x + bw / 2.0,
            base - bh - 3.0
        )?;
    }
    write!(
        o,
        "<line x1=\"{left}\" x2=\"{}\" y1=\"{base}\" y2=\"{base}\" stroke=\"#8c959f\"/>",
        w - right
    )?;
    for i in 0..=BINS {
        write!(
            o,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            left + bw * i as f64,
            base + 13.0,
            i * 10
        )?;
    }
    write!(
        o,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">score</text>\
         <text transform=\"translate(11 {:.1}) rotate(-90)\" text-anchor=\"middle\">products</text></svg>",
        left + pw / 2.0,
        h - 6.0,
        top + ph / 2.0
    )
}

/// Opens a table and its body; columns are (heading, width or "", numeric).
fn table(o: &mut String, cols: &[(&str, &str, bool)]) -> fmt::Result {
    o.push_str("<table><colgroup>");
    for (_, width, _) in cols {
        if width.is_empty() {
            o.push_str("<col>");
        } else {
            write!(o, "<col style=\"width:{width}\">")?;
        }
    }
    o.push_str("</colgroup><thead><tr>");
    for (heading, _, numeric) in cols {
        let class = if *numeric { " class=\"n\"" } else { "" };
        write!(o, "<th{class}>{}</th>", Esc(heading))?;
    }
    o.push_str("</tr></thead><tbody>\n");
    Ok(())
}

/// A product cell: its name, and its id below where that differs.
fn product(o: &mut String, id: &str, name: &str) -> fmt::Result {
    write!(o, "<td>{}", Esc(name))?;
    if id != name {
        write!(o, "<span class=\"id\">{}</span>", Esc(id))?;
    }
    o.push_str("</td>");
    Ok(())
}

/// Per concern, in summary order: the note on a thin list, if any.
fn notes_of(summary: &Value) -> Vec<Option<String>> {
    summary
        .get("concerns")
        .and_then(|c| c.as_array())
        .map(|a| {
            a.iter()
                .filter(|c| c.get("slug").is_some_and(|s| s.is_string()))
                .map(|c| c.get("note").and_then(|n| n.as_str()).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn write_top(
    o: &mut String,
    slugs: &[String],
    tops: &[Vec<TopRow>],
    notes: &[Option<String>],
) -> fmt::Result {
    open_section(o, "top", "Top 10 per concern")?;
    for (k, (slug, rows)) in slugs.iter().zip(tops).enumerate() {
        writeln!(o, "<h3>{}</h3>", Esc(slug))?;
        if let Some(Some(note)) = notes.get(k) {
            // The catalog, not the model, makes this list thin.
            writeln!(o, "<p class=\"thin\">Thin list: {}.</p>", Esc(note))?;
        }
        if rows.is_empty() {
            o.push_str("<p class=\"muted\">No products ranked.</p>\n");
            continue;
        }
        table(
            o,
            &[
                ("#", "44px", true),
                ("Product", "26%", false),
                ("Brand", "14%", false),
                ("Score", "72px", true),
                ("Grade", "64px", false),
                ("Reasons", "", false),
            ],
        )?;
        for [rank, id, name, brand, score, grade, reasons] in rows {
            write!(o, "<tr><td class=\"n\">{}</td>", Esc(rank))?;
            product(o, id, name)?;
            write!(o, "<td>{}</td>", Esc(or_dash(brand)))?;
            let class = match grade.as_str() {
                "A" | "B" | "C" | "D" | "E" => grade.as_str(),
                _ => "E",
            };
            writeln!(
                o,
                "<td class=\"n\">{}</td><td><span class=\"g g{class}\">{}</span></td><td class=\"why\">{}</td></tr>",
                Esc(score),
                Esc(grade),
                Esc(reasons)
            )?;
        }
        o.push_str("</tbody></table>\n");
    }
    o.push_str("</section>\n");
    Ok(())
}

fn write_conflicts(o: &mut String, s: &Scores) -> fmt::Result {
    open_section(o, "conflicts", "Claim conflicts")?;
    if s.conflicts_total == 0 {
        o.push_str("<p>No product contradicts a \"non-comedogenic\" or \"oil-free\" claim.</p>\n</section>\n");
        return Ok(());
    }
    writeln!(
        o,
        "<p>{} product(s) contradict a \"non-comedogenic\" or \"oil-free\" claim{}.</p>",
        s.conflicts_total,
        if s.conflicts_total > s.conflicts.len() {
            format!("; the first {} are listed", s.conflicts.len())
        } else {
            String::new()
        }
    )?;
    table(o, &[("Product", "45%", false), ("Conflict", "", false)])?;
    for (id, name, c) in &s.conflicts {
        o.push_str("<tr>");
        product(o, id, name)?;
        writeln!(o, "<td class=\"why\">{}</td></tr>", Esc(c))?;
    }
    o.push_str("</tbody></table>\n</section>\n");
    Ok(())
}

fn write_rejects(o: &mut String, r: &Rejects) -> fmt::Result {
    open_section(o, "rejects", "Rejects")?;
    if r.total == 0 {
        o.push_str("<p>No rows were rejected.</p>\n</section>\n");
        return Ok(());
    }
    write!(
        o,
        "<p>{} row(s) rejected.</p>\n<h3>By reason</h3>\n",
        r.total
    )?;
    table(
        o,
        &[
            ("Rows", "72px", true),
            ("Column", "160px", false),
            ("Reason", "", false),
        ],
    )?;
    for (col, reason, n) in &r.groups {
        writeln!(
            o,
            "<tr><td class=\"n\">{n}</td><td>{}</td><td>{}</td></tr>",
            Esc(or_dash(col)),
            Esc(reason)
        )?;
    }
    write!(
        o,
        "</tbody></table>\n<h3>First {} rejects</h3>\n",
        r.first.len()
    )?;
    table(
        o,
        &[
            ("Line", "72px", true),
            ("Product", "25%", false),
            ("Column", "160px", false),
            ("Reason", "", false),
        ],
    )?;
    for [line, id, col, reason] in &r.first {
        writeln!(
            o,
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            Esc(line),
            Esc(id),
            Esc(or_dash(col)),
            Esc(reason)
        )?;
    }
    o.push_str("</tbody></table>\n</section>\n");
    Ok(())
}

/// Catalog cells a spreadsheet would run as a formula, when there are any
/// (summary.json's `formula_cells`).
fn write_formulas(o: &mut String, s: &Value) -> fmt::Result {
    let Some(f) = s.get("formula_cells").filter(|f| f.is_object()) else {
        return Ok(());
    };
    open_section(o, "formulas", "Cells a spreadsheet would run")?;
    writeln!(
        o,
        "<p>{} catalog cell(s) start with =, +, -, @ or a tab: a spreadsheet that opens a published CSV may run them as formulas. The shop's import files keep them as they are; <code>--spreadsheet-safe</code> writes them with a leading ' in rejects.csv and unknown-ingredients.csv. Open CSVs in a spreadsheet through its text import.</p>",
        Esc(&text(f, "count"))
    )?;
    table(
        o,
        &[
            ("Line", "72px", true),
            ("Column", "160px", false),
            ("Cell", "", false),
        ],
    )?;
    for c in f
        .get("first")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        writeln!(
            o,
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            Esc(&text(c, "line")),
            Esc(&text(c, "column")),
            Esc(&text(c, "value"))
        )?;
    }
    o.push_str("</tbody></table>\n</section>\n");
    Ok(())
}

fn write_unknown(o: &mut String, u: Option<&Unknown>) -> fmt::Result {
    open_section(o, "unknown", "Unknown ingredients")?;
    match u {
        None => o.push_str("<p>None were recorded: the run left no unknown-ingredients.csv.</p>\n"),
        Some(u) if u.top.is_empty() => {
            o.push_str("<p>None: every ingredient was recognised.</p>\n")
        }
        Some(Unknown { top: rows, total }) => {
            let which = if rows.len() < *total {
                format!("the {} most frequent", rows.len())
            } else {
                "most frequent first".to_string()
            };
            writeln!(o, "<p>{total} distinct unknown ingredient(s), {which}:</p>")?;
            o.push_str("<div class=\"narrow\">");
            table(o, &[("Ingredient", "", false), ("Count", "110px", true)])?;
            for (name, n) in rows {
                writeln!(o, "<tr><td>{}</td><td class=\"n\">{n}</td></tr>", Esc(name))?;
            }
            o.push_str("</tbody></table></div>\n");
        }
    }
    o.push_str("</section>\n");
    Ok(())
}

fn product_list(o: &mut String, title: &str, list: &[(String, String)], count: u64) -> fmt::Result {
    writeln!(o, "<h3>{title} <small>{count}</small></h3>")?;
    if list.is_empty() {
        o.push_str("<p class=\"muted\">None.</p>\n");
        return Ok(());
    }
    o.push_str("<ul class=\"plist\">\n");
    for (id, name) in list.iter().take(MAX_PRODUCTS) {
        write!(o, "<li>{}", Esc(name))?;
        if id != name {
            write!(o, " <span class=\"muted\">{}</span>", Esc(id))?;
        }
        o.push_str("</li>\n");
    }
    o.push_str("</ul>\n");
    let shown = list.len().min(MAX_PRODUCTS) as u64;
    if count > shown {
        writeln!(o, "<p class=\"muted\">and {} more.</p>", count - shown)?;
    }
    Ok(())
}

fn movers(o: &mut String, title: &str, list: &[Mover]) -> fmt::Result {
    if list.is_empty() {
        return writeln!(o, "<p class=\"muted\">No {}.</p>", title.to_lowercase());
    }
    table(
        o,
        &[
            (title, "24%", false),
            ("Score", "118px", true),
            ("Change", "78px", true),
            ("Rank", "118px", true),
            ("What changed", "", false),
        ],
    )?;
    for m in list {
        let d = m.score_change();
        let (class, arrow) = if d > 0.0 {
            ("up", "▲")
        } else {
            ("down", "▼")
        };
        o.push_str("<tr>");
        product(o, &m.product_id, &m.name)?;
        writeln!(
            o,
            "<td class=\"n\">{:.1} → {:.1}</td><td class=\"n {class}\">{arrow} {:.1}</td>\
             <td class=\"n\">{} → {}</td><td class=\"why\">{}</td></tr>",
            m.old_score,
            m.new_score,
            d.abs(),
            m.old_rank,
            m.new_rank,
            Esc(&Changes::reason_change(m))
        )?;
    }
    o.push_str("</tbody></table>\n");
    Ok(())
}

fn write_changes(o: &mut String, c: &Changes) -> fmt::Result {
    open_section(o, "changes", "Changes since the previous run")?;
    writeln!(
        o,
        "<p class=\"muted\">Compared with {}. Risers and fallers are products whose own score changed by {:.1} point or more; a rank that moved only because other products arrived, left or changed is not listed.</p>",
        Esc(&c.previous),
        c.min_score_change
    )?;
    product_list(o, "New products", &c.new_products, c.new_products_count)?;
    product_list(
        o,
        "Dropped products",
        &c.dropped_products,
        c.dropped_products_count,
    )?;
    for cc in &c.concerns {
        writeln!(
            o,
            "<h3>{} <small>{} score change{}</small></h3>",
            Esc(&cc.slug),
            cc.score_changes,
            if cc.score_changes == 1 { "" } else { "s" }
        )?;
        movers(o, "Risers", &cc.risers)?;
        movers(o, "Fallers", &cc.fallers)?;
    }
    o.push_str("</section>\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_html_characters() {
        assert_eq!(
            Esc("<b>Tom & Jerry's</b> \"Gel\" é").to_string(),
            "&lt;b&gt;Tom &amp; Jerry&#39;s&lt;/b&gt; &quot;Gel&quot; é"
        );
        assert_eq!(Esc("").to_string(), "");
    }

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
    fn chart_scale_rounds_up_to_1_2_or_5() {
        let got: Vec<u64> = [0, 1, 3, 7, 10, 11, 481, 1463].map(nice_ceiling).to_vec();
        assert_eq!(got, [1, 1, 5, 10, 10, 20, 500, 2000]);
    }
}
