//! Ingredient (INCI) list parsing and name normalisation.
//!
//! A label's list is turned into ingredients with their 1-based positions,
//! any stated percentage and, where the knowledge base knows the name, the
//! ingredient it resolves to. Unrecognised names are kept as unknown.

mod split;

pub use split::{for_each_item, for_each_piece, is_not_ingredient, split_items, RawItem};

use std::cell::RefCell;

use rustc_hash::FxHashMap;

pub mod words;

use crate::knowledge::{IngredientId, KnowledgeBase};
pub use crate::names::normalize_name_into;

/// One ingredient of a parsed list.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Item {
    pub(crate) start: u32,
    pub(crate) end: u32,
    /// 1-based position in the list.
    pub position: u16,
    /// The knowledge-base ingredient, when the name is recognised.
    pub id: Option<IngredientId>,
    /// A percentage stated on the label next to the name.
    pub percent: Option<f32>,
    /// Listed in a "may contain" section.
    pub may_contain: bool,
}

/// A parsed ingredient list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedList {
    text: String,
    /// The ingredients in label order.
    pub items: Vec<Item>,
}

impl ParsedList {
    /// The normalised label name of an item.
    pub fn name(&self, item: &Item) -> &str {
        &self.text[item.start as usize..item.end as usize]
    }

    /// Number of ingredients.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True for an empty list.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// What one piece of a label comes to, as written: whether it is an
/// ingredient at all, its normalised name, and what that name resolves to.
struct Known {
    skip: bool,
    name: Box<str>,
    id: Option<IngredientId>,
}

/// Pieces already seen on this thread. Catalogs repeat a few thousand
/// names millions of times: a piece seen before costs one hash lookup
/// instead of the prose check, normalisation and resolution. At most
/// [`MEMO_ENTRIES`] pieces (a few MB: each entry is the piece, its name and
/// some 50 bytes, pieces of at most [`MEMO_PIECE`] bytes: under 12 MB a
/// thread); when full it starts afresh. Answers depend on the
/// knowledge base, so the memo holds one knowledge base's answers.
struct Memo {
    generation: u64,
    map: FxHashMap<Box<str>, Known>,
}

/// The most pieces a thread remembers.
const MEMO_ENTRIES: usize = 1 << 15;
/// The longest piece remembered, in bytes: ingredient names are short, and
/// a long piece (prose, a damaged cell) is rarely seen twice.
const MEMO_PIECE: usize = 160;

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo {
        generation: 0,
        map: FxHashMap::default(),
    });
}

/// Parses a label's ingredient list and resolves each name.
pub fn parse_list(raw: &str, kb: &KnowledgeBase) -> ParsedList {
    MEMO.with_borrow_mut(|memo| {
        if memo.generation != kb.generation() {
            memo.map.clear();
            memo.generation = kb.generation();
        }
        parse_with(raw, kb, memo)
    })
}

fn parse_with(raw: &str, kb: &KnowledgeBase, memo: &mut Memo) -> ParsedList {
    let mut out = ParsedList {
        text: String::with_capacity(raw.len()),
        // About one name per 16 bytes of label: the list rarely grows.
        items: Vec::with_capacity((raw.len() / 16 + 4).min(1024)),
    };
    let mut scratch = String::new();
    let mut variant = String::new();
    // A piece split off by the label's own punctuation that belongs to the
    // next name: the locant of "1, 2-Hexanediol", the "Ext." of "Ext. Violet 2".
    let mut carried = String::new();
    for_each_piece(raw, |item| {
        let mut id;
        if let Some(known) = memo.map.get(item.text) {
            if known.skip {
                return;
            }
            scratch.clear();
            scratch.push_str(&known.name);
            id = known.id;
        } else {
            let skip = is_not_ingredient(item.text);
            normalize_name_into(item.text, &mut scratch);
            id = if skip || scratch.is_empty() {
                None
            } else {
                resolve(&scratch, kb, &mut variant)
            };
            if memo.map.len() >= MEMO_ENTRIES {
                memo.map.clear();
            }
            if item.text.len() <= MEMO_PIECE {
                memo.map.insert(
                    item.text.into(),
                    Known {
                        skip,
                        name: scratch.as_str().into(),
                        id,
                    },
                );
            }
            if skip {
                return;
            }
        }
        if scratch.is_empty() || out.items.len() >= u16::MAX as usize {
            return;
        }
        if !carried.is_empty() {
            let joins = if carried.ends_with(',') {
                scratch.starts_with(|c: char| c.is_ascii_digit())
            } else {
                true
            };
            if joins {
                scratch.insert_str(0, &carried);
                id = resolve(&scratch, kb, &mut variant);
            }
            carried.clear();
        }
        if is_locant(&scratch) {
            carried.push_str(&scratch);
            carried.push(',');
            return;
        }
        if words::builtin().abbreviations.contains(&scratch) {
            carried.push_str(&scratch);
            carried.push_str(". ");
            return;
        }
        let start = out.text.len() as u32;
        out.text.push_str(&scratch);
        let position = out.items.len() as u16 + 1;
        out.items.push(Item {
            start,
            end: out.text.len() as u32,
            position,
            id,
            percent: item.percent,
            may_contain: item.may_contain,
        });
    });
    out
}

/// A locant split off a chemical name at its comma ("1" of "1, 2-Hexanediol").
fn is_locant(name: &str) -> bool {
    !name.is_empty() && name.len() <= 2 && name.bytes().all(|b| b.is_ascii_digit())
}

/// Resolves a normalised name: the whole name, then the name without its
/// parenthesised parts, then each parenthesised part, then each `/` part,
/// then without an "organic" style prefix.
pub fn resolve(name: &str, kb: &KnowledgeBase, variant: &mut String) -> Option<IngredientId> {
    if let Some(id) = kb.lookup(name) {
        return Some(id);
    }
    let bare: &str = if name.contains('(') {
        strip_parentheses(name, variant);
        if let Some(id) = kb.lookup(variant) {
            return Some(id);
        }
        // Each group's contents, split at commas and slashes.
        for group in paren_groups(name) {
            for part in group.split([',', '/']) {
                let part = part.trim();
                if let Some(id) = (!part.is_empty()).then(|| kb.lookup(part)).flatten() {
                    return Some(id);
                }
            }
        }
        variant.as_str()
    } else {
        name
    };
    let polymer = bare
        .rsplit(' ')
        .next()
        .is_some_and(|w| words::builtin().polymer_last_words.iter().any(|p| p == w));
    if bare.contains('/') && !polymer {
        for part in bare.split('/') {
            if let Some(id) = kb.lookup(part.trim()) {
                return Some(id);
            }
        }
    }
    for prefix in &words::builtin().marketing_prefixes {
        if let Some(rest) = bare
            .strip_prefix(prefix.as_str())
            .and_then(|r| r.strip_prefix(' '))
        {
            let rest = rest.to_string();
            return resolve(&rest, kb, variant);
        }
    }
    // Marketing words before the name ("100 percent sugarcane-derived
    // squalane", "cold-pressed rosehip oil"): the longest known tail of two
    // words or more, or one specific word.
    // Only for name-sized text: each tail is a lookup.
    if bare.len() > 120 {
        return None;
    }
    let bare = bare.to_string();
    for (i, _) in bare.match_indices(' ') {
        let tail = &bare[i + 1..];
        let one_word = !tail.contains(' ');
        if one_word && (tail.len() < 6 || words::builtin().generic.iter().any(|g| g == tail)) {
            continue;
        }
        if let Some(id) = kb.lookup(tail) {
            return Some(id);
        }
    }
    None
}

fn strip_parentheses(name: &str, out: &mut String) {
    out.clear();
    let mut depth = 0usize;
    for ch in name.chars() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => {
                if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
                    continue;
                }
                out.push(c);
            }
            _ => {}
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
}

fn paren_groups(name: &str) -> impl Iterator<Item = &str> {
    let mut rest = name;
    std::iter::from_fn(move || {
        let open = rest.find('(')?;
        let after = &rest[open + 1..];
        let close = after.find(')').unwrap_or(after.len());
        let group = &after[..close];
        rest = &after[(close + 1).min(after.len())..];
        Some(group)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_and_ids(list: &ParsedList) -> Vec<(String, Option<IngredientId>)> {
        list.items
            .iter()
            .map(|i| (list.name(i).to_string(), i.id))
            .collect()
    }

    /// A label read with a warm memo reads as with a cold one, and a joined
    /// locant is resolved as the joined name, not as the piece remembered.
    #[test]
    fn remembered_pieces_read_as_fresh_ones() {
        let kb = KnowledgeBase::builtin();
        let labels = [
            "Aqua, Glycerin, 2-Hexanediol, Violet 2, Niacinamide, Our Secret Blend Of Love",
            "Aqua, 1, 2-Hexanediol, Glycerin, Ext. Violet 2, Squalane",
            "Water (Aqua), Glycerin, Mystery Flower Extract, Niacinamide",
        ];
        let cold: Vec<_> = labels
            .iter()
            .map(|l| {
                MEMO.with_borrow_mut(|m| m.map.clear());
                names_and_ids(&parse_list(l, &kb))
            })
            .collect();
        for _ in 0..2 {
            for (l, want) in labels.iter().zip(&cold) {
                assert_eq!(&names_and_ids(&parse_list(l, &kb)), want, "{l}");
            }
        }
        // "1" and "2-hexanediol" join into the known "1,2-hexanediol", and
        // "Ext." and "Violet 2" into the known "ext. violet 2", though the
        // first label's "Violet 2" alone is no known name.
        let joined = &cold[1][1];
        assert!(
            joined.0.starts_with("1,") && joined.1.is_some(),
            "{joined:?}"
        );
        let alone = cold[0].iter().find(|(n, _)| n == "violet 2").unwrap();
        assert_eq!(alone.1, None);
        let violet = cold[1]
            .iter()
            .find(|(n, _)| n.ends_with("violet 2"))
            .unwrap();
        assert!(violet.1.is_some(), "{violet:?}");
    }

    /// The memo answers for one knowledge base: another one, even loaded at
    /// the same address, starts it afresh.
    #[test]
    fn the_memo_follows_the_knowledge_base() {
        let label = "Aqua, Unobtainium Seed Oil";
        let plain = KnowledgeBase::builtin();
        assert_eq!(parse_list(label, &plain).items[1].id, None);
        drop(plain);
        let text = format!(
            "{}unobtainium seed oil,,4,,heavy-oil,test\n",
            crate::knowledge::DEFAULT_KNOWLEDGE_CSV
        );
        let more = KnowledgeBase::from_csv_str(&text, "test").unwrap();
        assert!(parse_list(label, &more).items[1].id.is_some());
    }

    fn norm(s: &str) -> String {
        let mut out = String::new();
        normalize_name_into(s, &mut out);
        out
    }

    #[test]
    fn normalises_case_space_and_punctuation() {
        assert_eq!(
            norm("  Butyrospermum  Parkii (Shea) Butter. "),
            "butyrospermum parkii (shea) butter"
        );
        assert_eq!(norm("Water / Aqua / Eau"), "water/aqua/eau");
        assert_eq!(
            norm("*Organic Aloe Barbadensis Leaf Juice**"),
            "organic aloe barbadensis leaf juice"
        );
        assert_eq!(norm("PEG - 100 Stearate"), "peg-100 stearate");
        assert_eq!(
            norm("Witch Hazel\u{2019}s Extract"),
            "witch hazel's extract"
        );
    }

    fn kb() -> KnowledgeBase {
        KnowledgeBase::from_csv_str(
            "name,aliases,comedogenic,irritancy,classes,source\n\
             aqua,water|eau,,,solvent,x\n\
             butyrospermum parkii butter,shea butter,0,0,occlusive|butter,x\n\
             paraffinum liquidum,mineral oil,0,0,occlusive|heavy-oil,x\n\
             caprylic/capric triglyceride,,,,emollient-ester,x\n\
             aloe barbadensis leaf juice,,,,soothing,x\n\
             parfum,fragrance,,,fragrance,x\n",
            "kb",
        )
        .unwrap()
    }

    #[test]
    fn label_punctuation_inside_a_name_keeps_the_name_whole() {
        let kb = kb();
        let list = parse_list(
            "Water, 1, 2-Hexanediol, Ext. Violet 2, Lactic Acid/Glycolic Acid Copolymer, Glycerin",
            &kb,
        );
        let names: Vec<&str> = list.items.iter().map(|i| list.name(i)).collect();
        assert_eq!(
            names,
            [
                "water",
                "1,2-hexanediol",
                "ext. violet 2",
                "lactic acid/glycolic acid copolymer",
                "glycerin"
            ]
        );
        assert_eq!(list.items[1].id, kb.lookup("1,2-hexanediol"));
        // A polymer is never taken for one of its monomers.
        let builtin = KnowledgeBase::builtin();
        let mut v = String::new();
        assert!(builtin.lookup("glycolic acid").is_some());
        assert_eq!(
            resolve("glycolic acid/lactic acid crosspolymer", &builtin, &mut v),
            None
        );
        assert!(resolve("glycolic acid/lactic acid", &builtin, &mut v).is_some());
        assert_eq!(list.items[4].position, 5);
    }

    #[test]
    fn resolves_label_variants_to_one_ingredient() {
        let kb = kb();
        let mut v = String::new();
        let aqua = kb.lookup("aqua");
        for name in ["water (aqua, eau)", "water/aqua/eau", "aqua", "eau"] {
            assert_eq!(resolve(name, &kb, &mut v), aqua, "{name}");
        }
        let shea = kb.lookup("shea butter");
        assert_eq!(
            resolve("butyrospermum parkii (shea) butter", &kb, &mut v),
            shea
        );
        assert_eq!(
            resolve("mineral oil", &kb, &mut v),
            kb.lookup("paraffinum liquidum")
        );
        assert_eq!(
            resolve("caprylic/capric triglyceride", &kb, &mut v),
            kb.lookup("caprylic/capric triglyceride")
        );
        assert_eq!(
            resolve("organic aloe barbadensis leaf juice", &kb, &mut v),
            kb.lookup("aloe barbadensis leaf juice")
        );
        assert_eq!(
            resolve("fragrance (parfum)", &kb, &mut v),
            kb.lookup("parfum")
        );
        assert_eq!(resolve("unobtainium", &kb, &mut v), None);
        assert_eq!(
            resolve(
                "100 percent cold-pressed aloe barbadensis leaf juice",
                &kb,
                &mut v
            ),
            kb.lookup("aloe barbadensis leaf juice")
        );
        assert_eq!(
            resolve("sugarcane-derived mineral oil", &kb, &mut v),
            kb.lookup("mineral oil")
        );
        assert_eq!(
            resolve("unknown fancy water", &kb, &mut v),
            None,
            "a generic word alone is no match"
        );
    }

    #[test]
    fn parse_keeps_positions_and_unknowns() {
        let kb = kb();
        let list = parse_list(
            "Water (Aqua, Eau), Unobtainium 2%, Shea Butter, Fragrance (Parfum).",
            &kb,
        );
        let names: Vec<_> = list.items.iter().map(|i| list.name(i)).collect();
        assert_eq!(
            names,
            [
                "water (aqua, eau)",
                "unobtainium",
                "shea butter",
                "fragrance (parfum)"
            ]
        );
        assert_eq!(list.items[1].id, None);
        assert_eq!(list.items[1].percent, Some(2.0));
        assert_eq!(list.items[2].position, 3);
        assert_eq!(list.items[2].id, kb.lookup("shea butter"));
    }
}
