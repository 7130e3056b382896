//! `milia-rank explain`: its usage is `milia-rank explain --help` (clap
//! writes it from the argument definitions below).
//!
//! For one product: how it was classified, how each ingredient was read,
//! and for each concern the score with every factor's contribution and the
//! ingredients behind it.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;

use super::{select_concerns, CatalogArgs};
use crate::catalog::{self, CatalogReader, Field};
use crate::error::{Error, Result, EXIT_OK};
use crate::knowledge::KnowledgeBase;
use crate::model::{self, score, Concern, Spf};
use crate::pipeline::{self, Checked};

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The product to explain.
    pub product_id: String,
    /// The catalog CSV; `-` reads standard input (or give --sample).
    pub catalog: Option<PathBuf>,
    #[command(flatten)]
    pub catalog_args: CatalogArgs,
    /// Comma-separated concern slugs (default: all).
    #[arg(long, value_name = "LIST")]
    pub concerns: Option<String>,
    /// Concern profiles (TOML) changing or adding to the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub concerns_file: Option<PathBuf>,
}

/// The explanation of one product, as text.
pub fn explain(a: &ExplainArgs, kb: &KnowledgeBase, concerns: &[Concern]) -> Result<String> {
    let mut reader = CatalogReader::open(
        &a.catalog_args.source(a.catalog.as_deref())?,
        &a.catalog_args.options(),
    )?;
    let columns = reader.columns.clone();
    let mut rec = csv::ByteRecord::new();
    let wanted = match_key(&a.product_id);
    let mut near = Nearest::default();
    while reader.read(&mut rec)? {
        let id = catalog::field(&rec, &columns, Field::ProductId);
        if id.trim() != a.product_id.trim() {
            let line = rec.position().map_or(0, |p| p.line());
            let name = catalog::field(&rec, &columns, Field::Name);
            near.offer(&wanted, id.trim(), name.trim(), line);
            continue;
        }
        let product = match pipeline::check(&rec, &columns) {
            Checked::Product(p) => p,
            // (A variant row of a shop export reached here has no product
            // row before it: `score` rejects it too.)
            Checked::Rejected(r) => {
                return Err(Error::Data {
                    file: reader.name,
                    line: r.line,
                    column: (!r.column.is_empty()).then_some(r.column),
                    message: format!(
                        "product_id `{}` is on a row `score` rejects: {}",
                        a.product_id.trim(),
                        r.reason
                    ),
                });
            }
            Checked::Blank | Checked::RepeatedHeader(_) => continue,
        };
        let line = product.line;
        let name = product.row.name.trim().to_string();
        let asm = pipeline::assess(&product, kb, concerns);
        let p = &asm.profile;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} — {} (line {line} of {})",
            a.product_id.trim(),
            name,
            reader.name
        );
        let _ = writeln!(s, "  kind: {}", p.kind.as_str());
        let _ = writeln!(
            s,
            "  texture: {} ({})",
            p.texture.map_or("unknown", |t| t.as_str()),
            p.texture_source.as_str()
        );
        let _ = writeln!(
            s,
            "  area: {} ({})",
            p.area.as_str(),
            p.area_source.as_str()
        );
        let spf_text = match p.spf {
            Spf::None => "none".to_string(),
            Spf::Unstated => "sun product, factor not stated".to_string(),
            Spf::Value(v) => model::features::fmt_percent(v),
        };
        let _ = writeln!(s, "  spf: {spf_text} ({})", p.spf_source.as_str());
        let _ = writeln!(s, "  confidence: {}", score::confidence(&asm.features));
        if let Some(c) = &asm.features.claim_conflict {
            let _ = writeln!(s, "  claim conflict: {c}");
        }
        let _ = writeln!(s, "\ningredients ({}):", asm.list.len());
        for item in &asm.list.items {
            let label = asm.list.name(item);
            let known = match item.id {
                Some(id) => {
                    let f = kb.facts(id);
                    let mut d = f.name.clone();
                    if let Some(g) = f.comedogenic {
                        let _ = write!(d, ", comedogenic {g}");
                    }
                    let tags = f.classes.tags();
                    if !tags.is_empty() {
                        let _ = write!(d, ", {tags}");
                    }
                    d
                }
                None => "UNRECOGNISED".to_string(),
            };
            let pct = item.percent.map_or(String::new(), |p| format!(" {p}%"));
            let _ = writeln!(
                s,
                "  #{:<3} {label}{pct} -> {known}{}",
                item.position,
                if item.may_contain {
                    " (may contain)"
                } else {
                    ""
                }
            );
        }
        for (i, c) in concerns.iter().enumerate() {
            let _ = writeln!(s);
            match &asm.scores[i] {
                None => {
                    let _ = writeln!(s, "{}: not ranked ({} only)", c.slug, c.description);
                }
                Some(cs) => {
                    let _ = writeln!(
                        s,
                        "{}: {:.1} (grade {})",
                        c.slug,
                        cs.score,
                        score::grade(cs.score)
                    );
                    let _ = writeln!(s, "  {:>7}  base", format!("{:.1}", c.base));
                    for (f, contrib) in &cs.contributions {
                        let ev = asm.features.evidence(*f);
                        let _ = writeln!(
                            s,
                            "  {:>7}  {} = {:.2} x {:+.1}: {}",
                            format!("{contrib:+.1}"),
                            f.key(),
                            ev.value,
                            c.weight(*f),
                            ev.because.join(", ")
                        );
                    }
                    for n in score::notes(cs, &asm.features, p) {
                        let _ = writeln!(s, "  note: {n}");
                    }
                }
            }
        }
        return Ok(s);
    }
    Err(Error::Data {
        file: reader.name,
        line: 0,
        column: columns.header_of(Field::ProductId).map(str::to_string),
        message: format!(
            "no product with product_id `{}`{}",
            crate::error::bounded(&a.product_id, 200),
            near.suggestion()
        ),
    })
}

/// An id reduced for matching: lower case, letters and digits only.
fn match_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The ids most like the one asked for, case and punctuation ignored:
/// the three best by Jaro-Winkler similarity of the id or the product's
/// name (one that contains the text asked for, or is contained in it,
/// counts as very similar).
#[derive(Default)]
struct Nearest {
    /// (similarity, id, line), best first.
    best: Vec<(f64, String, u64)>,
}

impl Nearest {
    const KEEP: usize = 3;
    const AT_LEAST: f64 = 0.75;

    /// Offers a row: its id, and its name (a merchandiser often types the
    /// name where the id was asked for).
    fn offer(&mut self, wanted: &str, id: &str, name: &str, line: u64) {
        if wanted.is_empty() {
            return;
        }
        let like = |text: &str| {
            let key = match_key(text);
            if key.is_empty() {
                return 0.0;
            }
            let sim = strsim::jaro_winkler(wanted, &key);
            if key == *wanted {
                1.0
            } else if key.contains(wanted) || wanted.contains(key.as_str()) {
                sim.max(0.95)
            } else {
                sim
            }
        };
        let sim = like(id).max(like(name));
        if sim < Self::AT_LEAST
            || (self.best.len() == Self::KEEP && self.best.last().is_some_and(|b| b.0 >= sim))
        {
            return;
        }
        self.best.push((sim, id.to_string(), line));
        self.best
            .sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
        self.best.truncate(Self::KEEP);
    }

    fn suggestion(&self) -> String {
        if self.best.is_empty() {
            return String::new();
        }
        let list: Vec<String> = self
            .best
            .iter()
            .map(|(_, id, line)| format!("`{}` (line {line})", crate::error::bounded(id, 120)))
            .collect();
        format!("; did you mean {}?", list.join(", "))
    }
}

/// Runs `explain`.
pub fn run(a: ExplainArgs) -> Result<i32> {
    let kb = a.catalog_args.knowledge_base()?;
    let concerns = select_concerns(a.concerns.as_deref(), a.concerns_file.as_deref())?;
    let mut w = super::stdout();
    let text = explain(&a, &kb, &concerns)?;
    std::io::Write::write_all(&mut w, text.as_bytes()).map_err(Error::stdout)?;
    super::flush(w)?;
    Ok(EXIT_OK)
}
