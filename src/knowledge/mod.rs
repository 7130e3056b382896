//! The ingredient knowledge base: facts per ingredient (comedogenic grade,
//! irritancy grade, classes) and every name it is known by.
//!
//! The default base is `catalog/knowledge.csv`, embedded in the binary; a
//! merchandiser can replace it with `--knowledge FILE`.

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::names::normalize_name_into;

/// The knowledge base shipped with the binary.
pub const DEFAULT_KNOWLEDGE_CSV: &str = include_str!("../../catalog/knowledge.csv");

/// Name of the embedded knowledge base in messages.
pub const DEFAULT_KNOWLEDGE_NAME: &str = "catalog/knowledge.csv (built in)";

macro_rules! classes {
    ($($konst:ident = $bit:expr, $tag:expr;)*) => {
        /// A set of ingredient classes (bit flags).
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct Classes(pub u64);

        impl Classes {
            $(pub const $konst: Classes = Classes(1 << $bit);)*

            /// Every class tag with its flag, in a fixed order.
            pub const ALL: &'static [(&'static str, Classes)] = &[$(($tag, Classes::$konst)),*];
        }
    };
}

classes! {
    OCCLUSIVE = 0, "occlusive";
    HEAVY_OIL = 1, "heavy-oil";
    LIGHT_OIL = 2, "light-oil";
    WAX = 3, "wax";
    BUTTER = 4, "butter";
    SILICONE = 5, "silicone";
    HUMECTANT = 6, "humectant";
    EMOLLIENT_ESTER = 7, "emollient-ester";
    FATTY_ALCOHOL = 8, "fatty-alcohol";
    AHA = 9, "aha";
    BHA = 10, "bha";
    PHA = 11, "pha";
    RETINOID = 12, "retinoid";
    PHYSICAL_EXFOLIANT = 13, "physical-exfoliant";
    FRAGRANCE = 14, "fragrance";
    ESSENTIAL_OIL = 15, "essential-oil";
    FRAGRANCE_ALLERGEN = 16, "fragrance-allergen";
    DRYING_ALCOHOL = 17, "drying-alcohol";
    UV_FILTER_MINERAL = 18, "uv-filter-mineral";
    UV_FILTER_CHEMICAL = 19, "uv-filter-chemical";
    BARRIER_LIPID = 20, "barrier-lipid";
    SOOTHING = 21, "soothing";
    SURFACTANT = 22, "surfactant";
    PRESERVATIVE = 23, "preservative";
    THICKENER = 24, "thickener";
    COLORANT = 25, "colorant";
    SOLVENT = 26, "solvent";
    PH_ADJUSTER = 27, "ph-adjuster";
    GENTLE_PARTICLE = 28, "gentle-particle";
    AMBIGUOUS_PARTICLE = 29, "ambiguous-particle";
    UVA_FILTER = 30, "uva-filter";
    PRESCRIPTION_RETINOID = 31, "prescription-retinoid";
    MILD_RETINOID = 32, "mild-retinoid";
    ACNE_ACTIVE = 33, "acne-active";
    AROMATIC_WATER = 34, "aromatic-water";
    ASTRINGENT = 35, "astringent";
    SALICYLATE = 36, "salicylate";
    ACIDIC_VITAMIN_C = 37, "acidic-vitamin-c";
    COOLING_IRRITANT = 38, "cooling-irritant";
    STRONG_SURFACTANT = 39, "strong-surfactant";
    CLAY = 40, "clay";
    SOAP = 41, "soap";
    SCENT_BOTANICAL = 42, "scent-botanical";
    FATTY_ACID = 43, "fatty-acid";
    ALKALI = 44, "alkali";
    RAW_GRADE = 45, "raw-grade";
}

impl Classes {
    /// True when every flag of `other` is set here.
    pub fn has(self, other: Classes) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// True when any flag of `other` is set here.
    pub fn any(self, other: Classes) -> bool {
        self.0 & other.0 != 0
    }

    /// Adds the flags of `other`.
    pub fn insert(&mut self, other: Classes) {
        self.0 |= other.0;
    }

    /// Parses one tag.
    pub fn from_tag(tag: &str) -> Option<Classes> {
        Classes::ALL
            .iter()
            .find(|(name, _)| *name == tag)
            .map(|(_, c)| *c)
    }

    /// The tags set, `|`-separated, in the fixed order.
    pub fn tags(self) -> String {
        Classes::ALL
            .iter()
            .filter(|(_, c)| self.has(*c))
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join("|")
    }
}

impl std::ops::BitOr for Classes {
    type Output = Classes;
    fn bitor(self, rhs: Classes) -> Classes {
        Classes(self.0 | rhs.0)
    }
}

/// What is known of one ingredient.
#[derive(Clone, Debug, PartialEq)]
pub struct IngredientFacts {
    /// Canonical (INCI) name, lowercase.
    pub name: String,
    /// Other names it goes by on labels.
    pub aliases: Vec<String>,
    /// Rabbit-ear comedogenic grade 0-5, where a source gives one.
    pub comedogenic: Option<u8>,
    /// Rabbit-ear irritancy grade 0-5, where a source gives one.
    pub irritancy: Option<u8>,
    /// Classes such as occlusive or AHA.
    pub classes: Classes,
    /// Where the grades come from.
    pub source: String,
}

/// Index of an ingredient in the knowledge base.
pub type IngredientId = u32;

/// The loaded knowledge base with its name index.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    /// Unique in the process: what a per-thread memo of resolved names is
    /// keyed by (see `inci::parse_list`).
    generation: u64,
    facts: Vec<IngredientFacts>,
    index: HashMap<String, IngredientId>,
    /// Where it was loaded from, for messages.
    pub origin: String,
}

const HEADER: [&str; 6] = [
    "name",
    "aliases",
    "comedogenic",
    "irritancy",
    "classes",
    "source",
];

impl KnowledgeBase {
    /// A number no other knowledge base of this process has.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The knowledge base embedded in the binary.
    pub fn builtin() -> KnowledgeBase {
        KnowledgeBase::from_csv_str(DEFAULT_KNOWLEDGE_CSV, DEFAULT_KNOWLEDGE_NAME)
            .expect("the built-in knowledge base is valid (checked by tests)")
    }

    /// Loads a knowledge base file.
    pub fn from_path(path: &Path) -> Result<KnowledgeBase> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Data {
            file: path.display().to_string(),
            line: 0,
            column: None,
            message: format!("the knowledge base is not UTF-8 text ({e})"),
        })?;
        KnowledgeBase::from_csv_str(&text, &path.display().to_string())
    }

    /// Parses a knowledge base from CSV text; `origin` names it in errors.
    pub fn from_csv_str(text: &str, origin: &str) -> Result<KnowledgeBase> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let err = |line: u64, column: Option<&str>, message: String| Error::Data {
            file: origin.to_string(),
            line,
            column: column.map(str::to_string),
            message,
        };
        let headers = reader
            .headers()
            .map_err(|e| err(1, None, e.to_string()))?
            .clone();
        let mut col = [usize::MAX; 6];
        for (i, h) in headers.iter().enumerate() {
            let h = h.trim().to_ascii_lowercase();
            if let Some(k) = HEADER.iter().position(|x| *x == h) {
                col[k] = i;
            }
        }
        for (k, name) in HEADER.iter().enumerate() {
            if col[k] == usize::MAX && (k == 0 || k == 4) {
                return Err(err(
                    1,
                    Some(name),
                    format!(
                        "missing column `{name}`; expected columns {}",
                        HEADER.join(",")
                    ),
                ));
            }
        }
        static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let mut kb = KnowledgeBase {
            generation: GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            facts: Vec::new(),
            index: HashMap::default(),
            origin: origin.to_string(),
        };
        let mut scratch = String::new();
        for rec in reader.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                err(line, None, e.to_string())
            })?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let get = |k: usize| -> &str {
                if col[k] == usize::MAX {
                    ""
                } else {
                    rec.get(col[k]).unwrap_or("").trim()
                }
            };
            let name = get(0);
            if name.is_empty() {
                return Err(err(line, Some("name"), "empty ingredient name".into()));
            }
            let grade = |k: usize, label: &str| -> Result<Option<u8>> {
                let v = get(k);
                if v.is_empty() {
                    return Ok(None);
                }
                match v.parse::<u8>() {
                    Ok(g) if g <= 5 => Ok(Some(g)),
                    _ => Err(err(
                        line,
                        Some(label),
                        format!("`{v}` is not a grade from 0 to 5"),
                    )),
                }
            };
            let comedogenic = grade(2, "comedogenic")?;
            let irritancy = grade(3, "irritancy")?;
            let mut classes = Classes::default();
            for tag in get(4).split('|').map(str::trim).filter(|t| !t.is_empty()) {
                let c = Classes::from_tag(&tag.to_ascii_lowercase()).ok_or_else(|| {
                    err(
                        line,
                        Some("classes"),
                        format!(
                            "unknown class `{tag}`; known classes: {}",
                            Classes::ALL
                                .iter()
                                .map(|(n, _)| *n)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?;
                classes.insert(c);
            }
            let id = kb.facts.len() as IngredientId;
            let mut names = vec![name.to_string()];
            names.extend(
                get(1)
                    .split('|')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string),
            );
            for (i, n) in names.iter().enumerate() {
                normalize_name_into(n, &mut scratch);
                if scratch.is_empty() {
                    continue;
                }
                if let Some(&other) = kb.index.get(scratch.as_str()) {
                    if other == id {
                        continue;
                    }
                    return Err(err(
                        line,
                        Some(if i == 0 { "name" } else { "aliases" }),
                        format!(
                            "`{n}` is already a name of `{}`; each name may belong to one ingredient",
                            kb.facts[other as usize].name
                        ),
                    ));
                }
                kb.index.insert(scratch.clone(), id);
            }
            let mut canonical = String::new();
            normalize_name_into(name, &mut canonical);
            kb.facts.push(IngredientFacts {
                name: canonical,
                aliases: names.into_iter().skip(1).collect(),
                comedogenic,
                irritancy,
                classes,
                source: get(5).to_string(),
            });
        }
        if kb.facts.is_empty() {
            return Err(err(1, None, "the knowledge base has no ingredients".into()));
        }
        Ok(kb)
    }

    /// Looks up an already normalised name.
    pub fn lookup(&self, normalized: &str) -> Option<IngredientId> {
        self.index.get(normalized).copied()
    }

    /// The facts of an ingredient.
    pub fn facts(&self, id: IngredientId) -> &IngredientFacts {
        &self.facts[id as usize]
    }

    /// Number of ingredients.
    pub fn len(&self) -> usize {
        self.facts.len()
    }

    /// True when there are no ingredients (never for a loaded base).
    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// All ingredients in file order.
    pub fn iter(&self) -> impl Iterator<Item = &IngredientFacts> {
        self.facts.iter()
    }

    /// The classes the model asks about that no ingredient here carries:
    /// the rules that ask for them find nothing.
    pub fn missing_classes(&self) -> Vec<&'static str> {
        Classes::ALL
            .iter()
            .filter(|(_, c)| !self.facts.iter().any(|f| f.classes.has(*c)))
            .map(|(tag, _)| *tag)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "name,aliases,comedogenic,irritancy,classes,source\n\
        petrolatum,petroleum jelly|vaseline,0,0,occlusive,acne.org-badlist\n\
        cocos nucifera oil,coconut oil,4,0,heavy-oil,acne.org-badlist\n\
        aqua,water|eau,,,solvent,common-knowledge\n";

    #[test]
    fn loads_names_and_aliases() {
        let kb = KnowledgeBase::from_csv_str(SMALL, "t.csv").unwrap();
        assert_eq!(kb.len(), 3);
        let id = kb.lookup("coconut oil").unwrap();
        assert_eq!(kb.facts(id).name, "cocos nucifera oil");
        assert_eq!(kb.facts(id).comedogenic, Some(4));
        assert!(kb
            .facts(kb.lookup("vaseline").unwrap())
            .classes
            .has(Classes::OCCLUSIVE));
        assert!(kb.lookup("mineral oil").is_none());
    }

    #[test]
    fn rejects_bad_grade_with_line_and_column() {
        let bad = "name,aliases,comedogenic,irritancy,classes,source\nx,,7,,,s\n";
        let e = KnowledgeBase::from_csv_str(bad, "kb.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("kb.csv"), "{e}");
        assert!(e.contains("line 2"), "{e}");
        assert!(e.contains("comedogenic"), "{e}");
    }

    #[test]
    fn rejects_unknown_class_and_duplicate_alias() {
        let bad = "name,aliases,comedogenic,irritancy,classes,source\nx,,,,greasy,s\n";
        assert!(KnowledgeBase::from_csv_str(bad, "kb.csv")
            .unwrap_err()
            .to_string()
            .contains("unknown class `greasy`"));
        let dup = "name,aliases,comedogenic,irritancy,classes,source\nx,y,,,,s\nz,y,,,,s\n";
        let e = KnowledgeBase::from_csv_str(dup, "kb.csv")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 3") && e.contains("already a name of `x`"),
            "{e}"
        );
    }

    /// Every class the code can ask about is carried by at least one
    /// ingredient of the built-in base: a class the data lacks fails here.
    #[test]
    fn every_class_the_code_asks_about_is_in_the_data() {
        let kb = KnowledgeBase::builtin();
        assert_eq!(
            kb.missing_classes(),
            Vec::<&str>::new(),
            "classes without an ingredient in catalog/knowledge.csv"
        );
        assert_eq!(
            KnowledgeBase::from_csv_str(SMALL, "t.csv")
                .unwrap()
                .missing_classes()
                .len(),
            Classes::ALL.len() - 3
        );
        let tags: Vec<&str> = Classes::ALL.iter().map(|(t, _)| *t).collect();
        let mut unique = tags.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), tags.len(), "a class tag is used twice");
    }

    #[test]
    fn builtin_base_loads() {
        let kb = KnowledgeBase::builtin();
        assert!(kb.len() > 500);
        for name in [
            "petrolatum",
            "mineral oil",
            "shea butter",
            "aqua",
            "retinol",
        ] {
            assert!(kb.lookup(name).is_some(), "{name} missing");
        }
    }
}
