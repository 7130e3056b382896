//! Concern profiles in TOML, so a merchandiser can change a concern's
//! weights and eligibility, or add a concern, without recompiling.
//!
//! ```toml
//! [[concern]]
//! slug = "milia-prone"          # an existing slug: only the keys given change
//! base = 60
//! [concern.weights]
//! occlusion = -35
//!
//! [[concern]]
//! slug = "oily-t-zone"          # a new slug: base and eligibility needed
//! description = "oily skin, face products"
//! base = 60
//! [concern.weights]
//! comedogenic = -30
//! texture = -15
//! [concern.eligibility]
//! areas = ["face"]
//! ```

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::concerns::{Concern, Eligibility, Thin};
use super::features::{Factor, N_FACTORS};
use super::product::{Area, Kind};
use crate::error::{Error, Result};

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    concern: Vec<ConcernToml>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
// Values and keys a message can be about are `Spanned`: an error names the
// line of the bad key itself, not the line of its concern's slug.
struct ConcernToml {
    slug: Spanned<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base: Option<Spanned<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    no_list_cap: Option<Spanned<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    active_cap: Option<Spanned<f64>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    weights: BTreeMap<Spanned<String>, f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    eligibility: Option<EligibilityToml>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    thin: Option<ThinToml>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ThinToml {
    fewer_than: Spanned<u64>,
    #[serde(default)]
    any_of: Vec<Spanned<String>>,
    #[serde(default)]
    none_of: Vec<Spanned<String>>,
    #[serde(default)]
    from_score: f64,
    note: Spanned<String>,
}

#[derive(Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
struct EligibilityToml {
    #[serde(default)]
    areas: Vec<Spanned<String>>,
    #[serde(default)]
    kinds: Vec<Spanned<String>>,
    #[serde(default)]
    exclude_kinds: Vec<Spanned<String>>,
    #[serde(default)]
    requires_spf: bool,
}

/// The concern profiles shipped with the binary: the built-in concerns.
pub const DEFAULT_CONCERNS_TOML: &str = include_str!("../../catalog/concerns.toml");

/// Name of the embedded profiles in messages.
pub const DEFAULT_CONCERNS_NAME: &str = "catalog/concerns.toml (built in)";

static BUILTIN: LazyLock<Vec<Concern>> = LazyLock::new(|| {
    apply(DEFAULT_CONCERNS_TOML, DEFAULT_CONCERNS_NAME, Vec::new())
        .expect("the built-in concern profiles are valid (checked by tests)")
});

/// The built-in concerns, in output order: `catalog/concerns.toml`.
pub fn builtin() -> Vec<Concern> {
    BUILTIN.clone()
}

/// The built-in profiles in the file format (`milia-rank concerns --dump`).
pub fn dump(concerns: &[Concern]) -> String {
    let file = File {
        concern: concerns
            .iter()
            .map(|c| ConcernToml {
                slug: unplaced(c.slug.clone()),
                description: Some(c.description.clone()),
                base: Some(unplaced(c.base)),
                no_list_cap: Some(unplaced(c.no_list_cap)),
                active_cap: c.active_cap.map(unplaced),
                weights: Factor::ALL
                    .iter()
                    .filter(|f| c.weight(**f) != 0.0)
                    .map(|f| (unplaced(f.key().to_string()), c.weight(*f)))
                    .collect(),
                eligibility: Some(EligibilityToml {
                    areas: c
                        .eligibility
                        .areas
                        .iter()
                        .map(|a| unplaced(a.as_str().to_string()))
                        .collect(),
                    kinds: c
                        .eligibility
                        .kinds
                        .iter()
                        .map(|k| unplaced(k.as_str().to_string()))
                        .collect(),
                    exclude_kinds: c
                        .eligibility
                        .exclude_kinds
                        .iter()
                        .map(|k| unplaced(k.as_str().to_string()))
                        .collect(),
                    requires_spf: c.eligibility.requires_spf,
                }),
                thin: c.thin.as_ref().map(|t| ThinToml {
                    fewer_than: unplaced(t.fewer_than),
                    any_of: t
                        .any_of
                        .iter()
                        .map(|f| unplaced(f.key().to_string()))
                        .collect(),
                    none_of: t
                        .none_of
                        .iter()
                        .map(|f| unplaced(f.key().to_string()))
                        .collect(),
                    from_score: t.from_score,
                    note: unplaced(t.note.clone()),
                }),
            })
            .collect(),
    };
    let mut out = String::from(
        "# milia-rank concern profiles. Edit and pass with --concerns-file FILE.\n\
         # Weights are points per unit of a factor (each factor is 0 to 1);\n\
         # negative weights are penalties. Factors: ",
    );
    out.push_str(
        &Factor::ALL
            .iter()
            .map(|f| f.key())
            .collect::<Vec<_>>()
            .join(", "),
    );
    out.push_str("\n# Areas: face, eye, body, lip, scalp. Kinds: ");
    out.push_str(
        &Kind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    );
    out.push_str(".\n\n");
    out.push_str(&toml::to_string(&file).unwrap_or_default());
    out
}

/// A value written by [`dump`], which has no place in a file yet.
fn unplaced<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

/// Applies a profiles file to the built-in concerns: a known slug changes
/// only the keys given, a new slug adds a concern. `name` names the file
/// in errors.
pub fn apply(text: &str, name: &str, mut concerns: Vec<Concern>) -> Result<Vec<Concern>> {
    let file: File = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        // toml's message may run over several lines ("invalid table
        // header" then "expected `.`, `]`"): one line, its parts joined.
        let message = e
            .message()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        Error::Data {
            file: name.to_string(),
            line: line as u64,
            column: None,
            message: format!("{message} (at column {column})"),
        }
    })?;
    let line_of = |span: std::ops::Range<usize>| line_col(text, span.start).0 as u64;
    for t in file.concern {
        let slug_line = line_of(t.slug.span());
        let err_at = |line: u64, key: &str, message: String| Error::Data {
            file: name.to_string(),
            line,
            column: Some(key.to_string()),
            message,
        };
        let err = |key: &str, message: String| err_at(slug_line, key, message);
        let slug = t.slug.into_inner();
        if slug.is_empty()
            || !slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(err(
                "slug",
                format!("`{slug}` is not a slug: use lowercase letters, digits and '-'"),
            ));
        }
        let existing = concerns.iter().position(|c| c.slug == slug);
        let mut c = match existing {
            Some(i) => concerns[i].clone(),
            None => {
                if t.base.is_none() || t.eligibility.is_none() {
                    return Err(err(
                        "base",
                        format!("new concern `{slug}` needs `base` and `[concern.eligibility]`"),
                    ));
                }
                Concern {
                    slug: slug.clone(),
                    description: String::new(),
                    base: 0.0,
                    weights: [0.0; N_FACTORS],
                    eligibility: Eligibility {
                        areas: vec![],
                        kinds: vec![],
                        exclude_kinds: vec![],
                        requires_spf: false,
                    },
                    no_list_cap: 50.0,
                    active_cap: None,
                    thin: None,
                }
            }
        };
        if let Some(d) = t.description {
            c.description = d;
        }
        let check = |key: &str, v: &Spanned<f64>, lo: f64, hi: f64| -> Result<f64> {
            let (line, v) = (line_of(v.span()), *v.get_ref());
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(v)
            } else {
                Err(err_at(line, key, format!("{v} is outside {lo}..={hi}")))
            }
        };
        if let Some(b) = &t.base {
            c.base = check("base", b, -100.0, 200.0)?;
        }
        if let Some(b) = &t.no_list_cap {
            c.no_list_cap = check("no_list_cap", b, 0.0, 100.0)?;
        }
        if let Some(b) = &t.active_cap {
            c.active_cap = Some(check("active_cap", b, 0.0, 100.0)?);
        }
        for (spanned_key, v) in &t.weights {
            let key = spanned_key.get_ref();
            let line = line_of(spanned_key.span());
            let f = Factor::from_key(key).ok_or_else(|| {
                err_at(
                    line,
                    &format!("weights.{key}"),
                    format!(
                        "unknown factor `{key}`; factors are {}",
                        Factor::ALL
                            .iter()
                            .map(|f| f.key())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
            let v = Spanned::new(spanned_key.span(), *v);
            c.weights[f as usize] = check(&format!("weights.{key}"), &v, -200.0, 200.0)?;
        }
        if let Some(e) = t.eligibility {
            let area = |a: &Spanned<String>| {
                Area::parse(a.get_ref()).ok_or_else(|| {
                    err_at(
                        line_of(a.span()),
                        "eligibility.areas",
                        format!(
                            "unknown area `{}`; areas are face, eye, body, lip, scalp",
                            a.get_ref()
                        ),
                    )
                })
            };
            let kind = |k: &Spanned<String>, key: &str| {
                Kind::parse(k.get_ref()).ok_or_else(|| {
                    err_at(
                        line_of(k.span()),
                        key,
                        format!(
                            "unknown kind `{}`; kinds are {}",
                            k.get_ref(),
                            Kind::ALL
                                .iter()
                                .map(|k| k.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })
            };
            c.eligibility = Eligibility {
                areas: e.areas.iter().map(area).collect::<Result<_>>()?,
                kinds: e
                    .kinds
                    .iter()
                    .map(|k| kind(k, "eligibility.kinds"))
                    .collect::<Result<_>>()?,
                exclude_kinds: e
                    .exclude_kinds
                    .iter()
                    .map(|k| kind(k, "eligibility.exclude_kinds"))
                    .collect::<Result<_>>()?,
                requires_spf: e.requires_spf,
            };
        }
        if let Some(t) = t.thin {
            let factors = |list: &[Spanned<String>], key: &str| {
                list.iter()
                    .map(|f| {
                        Factor::from_key(f.get_ref()).ok_or_else(|| {
                            err_at(
                                line_of(f.span()),
                                key,
                                format!("unknown factor `{}`", f.get_ref()),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>>>()
            };
            let any_of = factors(&t.any_of, "thin.any_of")?;
            if any_of.is_empty() || *t.fewer_than.get_ref() == 0 {
                return Err(err_at(
                    line_of(t.fewer_than.span()),
                    "thin",
                    "give `fewer_than` of at least 1 and at least one factor in `any_of`".into(),
                ));
            }
            c.thin = Some(Thin {
                fewer_than: *t.fewer_than.get_ref(),
                any_of,
                none_of: factors(&t.none_of, "thin.none_of")?,
                from_score: t.from_score,
                note: t.note.into_inner(),
            });
        }
        match existing {
            Some(i) => concerns[i] = c,
            None => concerns.push(c),
        }
    }
    Ok(concerns)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |p| p + 1) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::builtin as builtin_concerns;
    use super::*;

    #[test]
    fn dump_round_trips_to_the_same_profiles() {
        let text = dump(&builtin_concerns());
        let again = apply(&text, "dump.toml", vec![]).unwrap();
        assert_eq!(again, builtin_concerns());
    }

    /// The built-in concerns are `catalog/concerns.toml` read as a profiles
    /// file: six concerns in output order, and overlaying the file on them
    /// changes nothing.
    #[test]
    fn builtin_concerns_are_the_profiles_file() {
        let c = builtin_concerns();
        let slugs: Vec<&str> = c.iter().map(|c| c.slug.as_str()).collect();
        assert_eq!(
            slugs,
            [
                "milia-prone",
                "eye-area",
                "sensitive",
                "baby",
                "post-procedure",
                "sun-care"
            ]
        );
        let again = apply(DEFAULT_CONCERNS_TOML, "c.toml", builtin_concerns()).unwrap();
        assert_eq!(again, c);
        let baby = &c[3];
        assert!(baby.eligibility.kinds.contains(&Kind::BodyWash));
        assert_eq!(baby.active_cap, Some(25.0));
    }

    #[test]
    fn a_known_slug_changes_only_what_is_given_and_a_new_one_is_added() {
        let text = "[[concern]]\nslug = \"milia-prone\"\n[concern.weights]\nocclusion = -40\n\n\
                    [[concern]]\nslug = \"oily-t-zone\"\nbase = 60\n[concern.weights]\ncomedogenic = -30\n\
                    [concern.eligibility]\nareas = [\"face\"]\n";
        let c = apply(text, "p.toml", builtin_concerns()).unwrap();
        assert_eq!(c.len(), 7);
        let mp = &c[0];
        assert_eq!(mp.weight(Factor::Occlusion), -40.0);
        assert_eq!(
            mp.weight(Factor::Comedogenic),
            builtin_concerns()[0].weight(Factor::Comedogenic)
        );
        assert_eq!(c[6].slug, "oily-t-zone");
        assert_eq!(c[6].eligibility.areas, vec![Area::Face]);
    }

    #[test]
    fn a_thin_list_rule_is_read_checked_and_worded() {
        let baby = &builtin_concerns()[3];
        let thin = baby.thin.as_ref().unwrap();
        assert!(thin.any_of.contains(&Factor::ForBaby));
        assert_eq!(thin.note_for(thin.fewer_than, 100), None);
        assert_eq!(thin.note_for(3, 3), None, "a list of only such products");
        let two = thin.note_for(2, 40).unwrap();
        assert!(two.starts_with("only 2 products in this catalog are made for babies"));
        let none = thin.note_for(0, 40).unwrap();
        assert!(none.starts_with("no product in this catalog is made for babies"));
        let bad = "[[concern]]\nslug = \"baby\"\n[concern.thin]\nfewer_than = 3\n\
                   any_of = [\"glitter\"]\nnote = \"x\"\n";
        let e = apply(bad, "p.toml", builtin_concerns())
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown factor `glitter`"), "{e}");
    }

    #[test]
    fn errors_name_the_line_and_key() {
        let bad =
            "[[concern]]\nslug = \"baby\"\n[concern.weights]\nocclusion = -10\nglitter = -5\n";
        let e = apply(bad, "p.toml", builtin_concerns())
            .unwrap_err()
            .to_string();
        // The line of the bad key itself, not of its concern's slug.
        assert!(
            e.contains("p.toml: line 5, column `weights.glitter`: unknown factor `glitter`"),
            "{e}"
        );
        let out_of_range = "[[concern]]\nslug = \"baby\"\n\n[concern.weights]\nocclusion = 900\n";
        let e = apply(out_of_range, "p.toml", builtin_concerns())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("p.toml: line 5, column `weights.occlusion`: 900 is outside"),
            "{e}"
        );
        let area = "[[concern]]\nslug = \"baby\"\n[concern.eligibility]\nareas = [\n  \"face\",\n  \"elbow\",\n]\n";
        let e = apply(area, "p.toml", builtin_concerns())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("p.toml: line 6, column `eligibility.areas`: unknown area `elbow`"),
            "{e}"
        );
        // toml's own messages of several lines become one.
        let header = "[[concern]\nslug = \"baby\"\n";
        let e = apply(header, "p.toml", builtin_concerns())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("p.toml: line 1: ") && !e.contains('\n') && !e.contains("\\n"),
            "{e}"
        );
        let syntax = "[[concern]]\nslug = \"baby\"\nbase = \n";
        let e = apply(syntax, "p.toml", builtin_concerns())
            .unwrap_err()
            .to_string();
        assert!(e.contains("p.toml: line 3"), "{e}");
        let unknown_key = "[[concern]]\nslug = \"baby\"\nbaes = 3\n";
        let e = apply(unknown_key, "p.toml", builtin_concerns())
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("baes"), "{e}");
        let slug = "[[concern]]\nslug = \"../etc\"\nbase = 1\n[concern.eligibility]\n";
        assert!(apply(slug, "p.toml", builtin_concerns())
            .unwrap_err()
            .to_string()
            .contains("not a slug"));
    }
}
