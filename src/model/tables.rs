//! The model's number tables, read from `catalog/model.toml` (embedded in
//! the binary). The code asks these tables for its numbers; a reviewer
//! changes them in that one file.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

/// The number tables shipped with the binary.
pub const DEFAULT_MODEL_TOML: &str = include_str!("../../catalog/model.toml");

/// Retinoid strength.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retinoid {
    /// Stated percentage from which a retinoid counts as strong.
    pub strong_from_percent: f64,
    /// Canonical ingredient names that are strong from a lower percentage.
    #[serde(default)]
    pub strong_from_percent_for: BTreeMap<String, f64>,
}

impl Retinoid {
    /// The percentage from which the ingredient `name` counts as strong.
    pub fn strong_from(&self, name: &str) -> f64 {
        self.strong_from_percent_for
            .get(name)
            .copied()
            .unwrap_or(self.strong_from_percent)
    }
}

/// Every number table of the model.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tables {
    pub retinoid: Retinoid,
}

impl Tables {
    /// Parses tables from TOML text.
    pub fn from_toml_str(text: &str) -> Result<Tables, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }
}

static BUILTIN: LazyLock<Tables> = LazyLock::new(|| {
    Tables::from_toml_str(DEFAULT_MODEL_TOML)
        .expect("the built-in model tables are valid (checked by tests)")
});

/// The tables embedded in the binary, parsed once.
pub fn builtin() -> &'static Tables {
    &BUILTIN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_tables_load() {
        let t = Tables::from_toml_str(DEFAULT_MODEL_TOML).unwrap();
        assert_eq!(t.retinoid.strong_from("retinol"), 0.5);
        assert_eq!(
            t.retinoid.strong_from("hydroxypinacolone retinoate"),
            t.retinoid.strong_from_percent
        );
    }

    /// Every ingredient the tables name is a canonical name of the built-in
    /// knowledge base, with the class the table is about.
    #[test]
    fn names_in_the_tables_are_in_the_knowledge_base() {
        let kb = crate::knowledge::KnowledgeBase::builtin();
        for name in builtin().retinoid.strong_from_percent_for.keys() {
            let id = kb
                .lookup(name)
                .unwrap_or_else(|| panic!("`{name}` is not in catalog/knowledge.csv"));
            let f = kb.facts(id);
            assert_eq!(&f.name, name, "`{name}` is an alias, not a canonical name");
            assert!(f.classes.has(crate::knowledge::Classes::RETINOID), "{name}");
        }
    }
}
