//! Label strings quoted from the real catalogs in ../shared/catalogs: a
//! messy list in, the expected names, positions and resolutions out.

use milia_rank::inci::{parse_list, ParsedList};
use milia_rank::knowledge::KnowledgeBase;

fn parse(text: &str) -> (KnowledgeBase, ParsedList) {
    let kb = KnowledgeBase::builtin();
    let list = parse_list(text, &kb);
    (kb, list)
}

/// (position, label name, canonical name or "?" when unrecognised)
fn items(kb: &KnowledgeBase, list: &ParsedList) -> Vec<(u16, String, String)> {
    list.items
        .iter()
        .map(|i| {
            let canonical = i.id.map_or("?".to_string(), |id| kb.facts(id).name.clone());
            (i.position, list.name(i).to_string(), canonical)
        })
        .collect()
}

fn canonical(kb: &KnowledgeBase, list: &ParsedList) -> Vec<String> {
    items(kb, list).into_iter().map(|x| x.2).collect()
}

#[test]
fn sephora_skincare_python_list_with_percentages() {
    // sephora-skincare.csv, P311143 (the first six of the list).
    let (kb, list) = parse(
        "['Octinoxate 7.5%, Titanium Dioxide 2%, Zinc Oxide 17.1%, Cyclopentasiloxane, Water (Aqua, Eau), Alcohol Denat., Glycerin']",
    );
    let got = items(&kb, &list);
    assert_eq!(got.len(), 7);
    assert_eq!(got[2].0, 3);
    assert_eq!(got[2].2, "zinc oxide");
    assert_eq!(list.items[2].percent, Some(17.1));
    assert_eq!(got[4].1, "water (aqua, eau)");
    assert_eq!(got[4].2, "aqua");
    assert_eq!(got[5].2, "alcohol denat");
    assert!(got.iter().all(|x| x.2 != "?"), "{got:?}");
}

#[test]
fn lookfantastic_lossy_python_list_with_misspellings() {
    // lookfantastic-skincare.csv: lowercased, water removed, misspelt names.
    let (kb, list) = parse(
        "['homosalate', 'glycerin', 'octocrylene', 'niacinamide', 'silica', 'butyl methoxydibenzoylmethane', 'dimethicon', 'cetearyl alcohol', 'caffeinee', 'arganine']",
    );
    let c = canonical(&kb, &list);
    assert_eq!(c[0], "homosalate");
    assert_eq!(c[6], "dimethicone");
    assert_eq!(c[8], "caffeine");
    assert_eq!(c[9], "arginine");
    assert_eq!(list.items[9].position, 10);
}

#[test]
fn sephora_cosmetics_la_mer_occlusives_in_order() {
    // sephora-cosmetics.csv, Crème de la Mer (the first seven).
    let (kb, list) = parse(
        "Algae (Seaweed) Extract, Mineral Oil, Petrolatum, Glycerin, Isohexadecane, Microcrystalline Wax, Lanolin Alcohol, Citrus Aurantifolia (Lime) Extract",
    );
    let c = canonical(&kb, &list);
    assert_eq!(
        &c[..3],
        ["algae extract", "paraffinum liquidum", "petrolatum"]
    );
    assert_eq!(c[5], "cera microcristallina");
    assert_eq!(c[6], "lanolin alcohol");
}

#[test]
fn marketing_title_before_a_colon_and_active_sections() {
    // sephora-cosmetics.csv: a product title before the list.
    let (kb, list) = parse("Retinol Youth Renewal Serum: Water, Cyclopentasiloxane, Isopropyl Palmitate, C14-22 Alcohols");
    assert_eq!(
        canonical(&kb, &list)[..3],
        ["aqua", "cyclopentasiloxane", "isopropyl palmitate"]
    );
    // Active and inactive sections, glued to the text before them.
    let (kb, list) = parse(
        "Daywear Adv Mt-Prt Ao&Uv Def Spf50 Division: El (Estee Lauder)Active Ingredients: Avobenzone 3.00% , Homosalate 5.00% , Octisalate 5.00% , Octocrylene 2.70% , Oxybenzone 3.00%Ingredients: Water , Butyloctyl Salicylate",
    );
    let got = items(&kb, &list);
    assert_eq!(got[0].1, "avobenzone");
    assert_eq!(got[5].2, "aqua");
    assert_eq!(got[5].0, 6);
    assert_eq!(list.items[1].percent, Some(5.0));
}

#[test]
fn percent_glued_to_the_next_name_and_bracketed_may_contain() {
    // sephora-cosmetics.csv: "3.8%Water" and a "[+/- May Contain: ...]" section.
    let (kb, list) =
        parse("Titanium Dioxide 5.7%, Zinc Oxide 3.8%Water, Isocetyl Stearoyl Stearate");
    assert_eq!(
        canonical(&kb, &list)[..3],
        ["titanium dioxide", "zinc oxide", "aqua"]
    );
    let (kb, list) = parse(
        "Palmitoyl Tetrapeptide-7, [+/- May Contain: Ci 77491, Ci 77492, Ci 77499, Iron Oxides, Ci 77891, Titanium Dioxide].",
    );
    let got = items(&kb, &list);
    assert_eq!(got.len(), 7, "{got:?}");
    assert!(!list.items[0].may_contain);
    assert!(list.items[1..].iter().all(|i| i.may_contain));
    assert_eq!(got[6].2, "titanium dioxide");
}

#[test]
fn organic_markers_and_sentence_footnotes() {
    // sephora-cosmetics.csv: '*' organic markers and a footnote after a stop.
    let (kb, list) = parse("*Avena Sativa (Oat) Kernel Extract, *Calendula Officinalis Flower Extract, Linalool. *Organic");
    let got = items(&kb, &list);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[0].1, "avena sativa (oat) kernel extract");
    assert_ne!(got[0].2, "?");
    assert_eq!(got[2].2, "linalool");
}

#[test]
fn not_a_list_gives_no_ingredients() {
    // sephora-cosmetics.csv values that are not lists.
    for text in ["No Info", "#NAME?", "Visit the Shiseido boutique"] {
        let (_, list) = parse(text);
        assert!(list.is_empty(), "{text}");
    }
}
