//! Property tests of the model's invariants, on ingredient lists drawn
//! from the built-in knowledge base.

use std::sync::OnceLock;

use milia_rank::inci::parse_list;
use milia_rank::knowledge::{Classes, KnowledgeBase};
use milia_rank::model::{self, builtin_concerns, Concern, Described, ProductInput, Texture};
use proptest::prelude::*;

struct World {
    kb: KnowledgeBase,
    concerns: Vec<Concern>,
    /// Names that parse back to exactly their own ingredient.
    names: Vec<String>,
    /// Of those, the ones that carry no penalty in any concern's load.
    neutral: Vec<String>,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let kb = KnowledgeBase::builtin();
        let penal = Classes::OCCLUSIVE
            | Classes::WAX
            | Classes::BUTTER
            | Classes::HEAVY_OIL
            | Classes::PHYSICAL_EXFOLIANT
            | Classes::DRYING_ALCOHOL
            | Classes::FRAGRANCE
            | Classes::ESSENTIAL_OIL
            | Classes::FRAGRANCE_ALLERGEN
            | Classes::SILICONE
            | Classes::AROMATIC_WATER
            | Classes::ASTRINGENT
            | Classes::SALICYLATE
            | Classes::ACIDIC_VITAMIN_C
            | Classes::COOLING_IRRITANT
            | Classes::STRONG_SURFACTANT
            | Classes::CLAY
            | Classes::SOAP;
        let mut names = Vec::new();
        let mut neutral = Vec::new();
        for f in kb.iter() {
            let list = parse_list(&f.name, &kb);
            let round_trips =
                list.len() == 1 && list.items[0].id.map(|id| &kb.facts(id).name) == Some(&f.name);
            if !round_trips {
                continue;
            }
            names.push(f.name.clone());
            if !f.classes.any(penal)
                && f.comedogenic.unwrap_or(0) < 2
                && f.irritancy.unwrap_or(0) == 0
            {
                neutral.push(f.name.clone());
            }
        }
        World {
            kb,
            concerns: builtin_concerns(),
            names,
            neutral,
        }
    })
}

/// Whether the list reads as alphabetical (then positions are not weighted,
/// and adding a name can switch that reading: a different model, not "all
/// else equal").
fn alphabetical(list: &[String]) -> bool {
    milia_rank::model::features::is_alphabetical(&parse_list(&list.join(", "), &world().kb))
}

fn score(concern: &str, category: &str, texture: &str, list: &[String]) -> Option<f64> {
    let w = world();
    let ingredients = list.join(", ");
    let input = ProductInput {
        described: Described {
            name: "Test Product",
            category,
            texture,
            area: "face",
            spf: None,
        },
        claims: "",
        ingredients: &ingredients,
    };
    let a = model::assess(&input, &w.kb, &w.concerns);
    let i = w.concerns.iter().position(|c| c.slug == concern).unwrap();
    a.scores[i].as_ref().map(|s| s.score)
}

fn names(range: std::ops::Range<usize>) -> impl Strategy<Value = Vec<String>> {
    let n = world().names.len();
    proptest::collection::vec(0..n, range)
        .prop_map(|ix| ix.into_iter().map(|i| world().names[i].clone()).collect())
}

fn neutral(range: std::ops::Range<usize>) -> impl Strategy<Value = Vec<String>> {
    let n = world().neutral.len();
    proptest::collection::vec(0..n, range)
        .prop_map(|ix| ix.into_iter().map(|i| world().neutral[i].clone()).collect())
}

const CATEGORIES: [&str; 5] = ["moisturiser", "serum", "cleanser", "face oil", "sunscreen"];

fn texture() -> impl Strategy<Value = Texture> {
    proptest::sample::select(Texture::ALL.to_vec())
}

/// Textures on the heaviness axis: "scrub" names a kind of product too.
fn plain_texture() -> impl Strategy<Value = Texture> {
    proptest::sample::select(
        Texture::ALL
            .into_iter()
            .filter(|t| *t != Texture::Scrub)
            .collect::<Vec<_>>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn scores_stay_within_0_and_100(list in names(0..40), cat in 0usize..5, tex in texture()) {
        for c in builtin_concerns() {
            if let Some(s) = score(&c.slug, CATEGORIES[cat], tex.as_str(), &list) {
                prop_assert!((0.0..=100.0).contains(&s), "{}: {s}", c.slug);
            }
        }
    }

    #[test]
    fn adding_an_occlusive_or_a_grade_4_oil_never_raises_milia_prone(
        // Three names at least: shorter lists are not trusted as whole lists.
        list in names(3..30),
        added in proptest::sample::select(vec!["petrolatum", "paraffinum liquidum", "cocos nucifera oil", "isopropyl myristate", "cera microcristallina"]),
        tex in texture(),
    ) {
        let before = score("milia-prone", "moisturiser", tex.as_str(), &list).unwrap();
        let mut more = list.clone();
        more.push(added.to_string());
        prop_assume!(!alphabetical(&list) && !alphabetical(&more));
        let after = score("milia-prone", "moisturiser", tex.as_str(), &more).unwrap();
        prop_assert!(after <= before, "{before} -> {after} adding {added} to {list:?}");
    }

    #[test]
    fn moving_a_heavy_occlusive_earlier_never_raises_milia_prone(
        head in names(0..5),
        between in neutral(1..12),
        tail in names(0..10),
        occlusive in proptest::sample::select(vec!["petrolatum", "paraffinum liquidum", "cera microcristallina", "paraffin", "lanolin"]),
    ) {
        // The occlusive passes over ingredients that carry no penalty.
        let mut late = head.clone();
        late.extend(between.iter().cloned());
        late.push(occlusive.to_string());
        late.extend(tail.iter().cloned());
        let mut early = head.clone();
        early.push(occlusive.to_string());
        early.extend(between.iter().cloned());
        early.extend(tail.iter().cloned());
        prop_assume!(!alphabetical(&late) && !alphabetical(&early));
        let s_late = score("milia-prone", "moisturiser", "cream", &late).unwrap();
        let s_early = score("milia-prone", "moisturiser", "cream", &early).unwrap();
        prop_assert!(s_early <= s_late, "{s_late} -> {s_early}: {early:?}");
    }

    #[test]
    fn a_heavier_texture_never_scores_higher(list in names(0..30), a in plain_texture(), b in plain_texture()) {
        let t = milia_rank::model::tables::builtin();
        let (light, heavy) = if t.heaviness(a) <= t.heaviness(b) { (a, b) } else { (b, a) };
        for c in ["milia-prone", "eye-area", "sensitive", "post-procedure"] {
            let sl = score(c, "moisturiser", light.as_str(), &list);
            let sh = score(c, "moisturiser", heavy.as_str(), &list);
            if let (Some(sl), Some(sh)) = (sl, sh) {
                prop_assert!(sh <= sl, "{c}: {} {sl} vs {} {sh}", light.as_str(), heavy.as_str());
            }
        }
    }

    #[test]
    fn adding_fragrance_never_raises_sensitive_or_baby(list in names(3..30), added in proptest::sample::select(vec!["parfum", "linalool", "lavandula angustifolia oil", "limonene"])) {
        let mut more = list.clone();
        more.push(added.to_string());
        prop_assume!(!alphabetical(&list) && !alphabetical(&more));
        for c in ["sensitive", "baby"] {
            let before = score(c, "moisturiser", "lotion", &list).unwrap();
            let after = score(c, "moisturiser", "lotion", &more).unwrap();
            prop_assert!(after <= before, "{c}: {before} -> {after} adding {added}");
        }
    }

    #[test]
    fn parsing_never_panics_and_positions_run_in_order(text in "\\PC{0,300}") {
        let list = parse_list(&text, &world().kb);
        for (i, item) in list.items.iter().enumerate() {
            prop_assert_eq!(item.position as usize, i + 1);
            prop_assert!(!list.name(item).is_empty());
        }
    }
}
