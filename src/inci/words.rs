//! The label reader's words, read from `catalog/labels.toml` (embedded in
//! the binary) and checked once: the grammar of an ingredient text (what
//! means "no list", prose, footnotes, section titles, abbreviations,
//! polymer names, marketing prefixes, generic words). The code asks these
//! lists; it holds none.

use std::sync::LazyLock;

use serde::Deserialize;

/// The label words shipped with the binary.
pub const DEFAULT_LABELS_TOML: &str = include_str!("../../catalog/labels.toml");

/// The label reader's word lists, lowercase.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LabelWords {
    pub not_a_list: Vec<String>,
    pub prose: Vec<String>,
    pub footnote: Vec<String>,
    pub section_before: Vec<String>,
    pub abbreviations: Vec<String>,
    pub polymer_last_words: Vec<String>,
    pub marketing_prefixes: Vec<String>,
    pub generic: Vec<String>,
    /// The longest prose word, for a quick rejection.
    #[serde(skip)]
    pub longest_prose: usize,
    /// First letters of the footnote words, for a quick rejection.
    #[serde(skip, default = "no_initials")]
    pub footnote_initials: [bool; 256],
}

fn no_initials() -> [bool; 256] {
    [false; 256]
}

impl LabelWords {
    /// Parses and checks label words from TOML text.
    pub fn from_toml_str(text: &str) -> Result<LabelWords, String> {
        let mut w: LabelWords = toml::from_str(text).map_err(|e| e.to_string())?;
        for (key, list) in [
            ("not-a-list", &mut w.not_a_list),
            ("prose", &mut w.prose),
            ("footnote", &mut w.footnote),
            ("section-before", &mut w.section_before),
            ("abbreviations", &mut w.abbreviations),
            ("polymer-last-words", &mut w.polymer_last_words),
            ("marketing-prefixes", &mut w.marketing_prefixes),
            ("generic", &mut w.generic),
        ] {
            if list.is_empty() {
                return Err(format!("`{key}` is empty"));
            }
            for word in list.iter_mut() {
                *word = word.trim().to_lowercase();
                if word.is_empty() {
                    return Err(format!("`{key}` has an empty word"));
                }
            }
        }
        w.longest_prose = w.prose.iter().map(String::len).max().unwrap_or(0);
        for f in &w.footnote {
            w.footnote_initials[f.as_bytes()[0] as usize] = true;
        }
        Ok(w)
    }
}

/// The built-in label words.
pub fn builtin() -> &'static LabelWords {
    static WORDS: LazyLock<LabelWords> = LazyLock::new(|| {
        LabelWords::from_toml_str(DEFAULT_LABELS_TOML)
            .unwrap_or_else(|e| panic!("catalog/labels.toml: {e}"))
    });
    &WORDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_label_words_load_and_bad_files_are_refused() {
        let w = builtin();
        assert!(w.prose.contains(&"boutique".to_string()));
        assert!(w.footnote_initials[b'o' as usize]);
        assert!(LabelWords::from_toml_str("prose = []").is_err());
        let empty =
            DEFAULT_LABELS_TOML.replace("abbreviations = [\"ext\", \"no\"]", "abbreviations = []");
        assert!(LabelWords::from_toml_str(&empty)
            .unwrap_err()
            .contains("abbreviations"));
    }
}
