//! A generator of realistic canonical catalogs of any size, deterministic
//! per seed, for benchmarks and large-input tests.
//!
//! Products get a kind, a texture (missing in about one row in eight), an
//! area, sometimes an SPF and claims, and an INCI list of 5 to 60 items
//! built the way labels are: a base (water, or oils for oils and balms),
//! humectants, emollients, sometimes occlusives and actives, extracts,
//! thickeners, preservatives, and fragrance with allergens last.

use std::io::Write;

use crate::knowledge::{Classes, KnowledgeBase};

/// SplitMix64: small, fast and reproducible on every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// A random element.
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

struct Pools {
    humectants: Vec<String>,
    emollients: Vec<String>,
    light_oils: Vec<String>,
    heavy: Vec<String>,
    butters: Vec<String>,
    extracts: Vec<String>,
    thickeners: Vec<String>,
    preservatives: Vec<String>,
    allergens: Vec<String>,
    essential_oils: Vec<String>,
    barrier: Vec<String>,
    soothing: Vec<String>,
    scrubs: Vec<String>,
}

fn title(name: &str) -> String {
    name.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Pools {
    fn from(kb: &KnowledgeBase) -> Pools {
        let pick = |want: Classes, avoid: Classes| -> Vec<String> {
            kb.iter()
                .filter(|f| f.classes.any(want) && !f.classes.any(avoid))
                .map(|f| title(&f.name))
                .collect()
        };
        let none = Classes::default();
        Pools {
            humectants: pick(Classes::HUMECTANT, Classes::SOLVENT),
            emollients: pick(
                Classes::EMOLLIENT_ESTER | Classes::FATTY_ALCOHOL | Classes::SILICONE,
                Classes::OCCLUSIVE,
            ),
            light_oils: pick(Classes::LIGHT_OIL, none),
            heavy: pick(Classes::OCCLUSIVE, Classes::BUTTER | Classes::SILICONE),
            butters: pick(Classes::BUTTER, none),
            extracts: kb
                .iter()
                .filter(|f| f.classes == Classes::default() && f.name.ends_with("extract"))
                .map(|f| title(&f.name))
                .collect(),
            thickeners: pick(Classes::THICKENER, none),
            preservatives: pick(Classes::PRESERVATIVE, Classes::FRAGRANCE_ALLERGEN),
            allergens: pick(Classes::FRAGRANCE_ALLERGEN, Classes::PRESERVATIVE),
            essential_oils: pick(Classes::ESSENTIAL_OIL, none),
            barrier: pick(Classes::BARRIER_LIPID, none),
            soothing: pick(Classes::SOOTHING, none),
            scrubs: pick(Classes::PHYSICAL_EXFOLIANT, none),
        }
    }
}

const KINDS: &[(&str, &str, &[&str])] = &[
    (
        "moisturiser",
        "face",
        &["cream", "gel-cream", "lotion", "rich cream", "gel"],
    ),
    ("serum", "face", &["serum", "fluid", "oil"]),
    ("cleanser", "face", &["foam", "gel", "milk", "balm", "oil"]),
    ("toner", "face", &["water", "essence", "mist"]),
    ("eye cream", "eye", &["cream", "gel", "rich cream", "serum"]),
    ("face oil", "face", &["oil"]),
    ("balm", "face", &["balm", "ointment"]),
    ("mask", "face", &["clay", "cream", "gel"]),
    ("exfoliant", "face", &["scrub", "water", "serum"]),
    (
        "sunscreen",
        "face",
        &["fluid", "lotion", "cream", "stick", "gel"],
    ),
    ("body lotion", "body", &["lotion", "butter", "cream"]),
    ("body wash", "body", &["gel", "foam"]),
    ("lip balm", "lip", &["balm", "stick"]),
    ("baby lotion", "body", &["lotion", "cream", "balm", "oil"]),
];

const ADJECTIVES: &[&str] = &[
    "Daily",
    "Gentle",
    "Hydrating",
    "Calming",
    "Renewing",
    "Clarifying",
    "Nourishing",
    "Light",
    "Barrier",
    "Radiance",
    "Pure",
    "Soothing",
    "Intensive",
    "Balancing",
    "Smoothing",
    "Cloud",
    "Dew",
    "Overnight",
];
const BRANDS: &[&str] = &[
    "Aster & Vale",
    "Brightwell",
    "Calmera",
    "Dunmore Lab",
    "Elderleaf",
    "Fennwick",
    "Glasshouse Skin",
    "Halden",
    "Iris Row",
    "Juniper Field",
    "Kestrel",
    "Lumen Apothecary",
];
const ACIDS: &[(&str, f64, f64)] = &[
    ("Glycolic Acid", 5.0, 30.0),
    ("Lactic Acid", 5.0, 40.0),
    ("Mandelic Acid", 5.0, 25.0),
    ("Salicylic Acid", 0.5, 2.0),
    ("Gluconolactone", 4.0, 15.0),
];
const RETINOIDS: &[&str] = &[
    "Retinol",
    "Retinal",
    "Retinyl Palmitate",
    "Hydroxypinacolone Retinoate",
];

/// Writes `rows` generated products as a canonical catalog.
pub fn write_catalog<W: Write>(
    w: W,
    rows: u64,
    seed: u64,
    kb: &KnowledgeBase,
) -> std::io::Result<()> {
    let pools = Pools::from(kb);
    let mut rng = Rng::new(seed);
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(1 << 16)
        .from_writer(w);
    out.write_record([
        "product_id",
        "name",
        "brand",
        "category",
        "texture",
        "area",
        "spf",
        "claims",
        "ingredients",
        "price",
    ])?;
    let mut list: Vec<String> = Vec::with_capacity(64);
    let mut name = String::new();
    let mut inci = String::new();
    for i in 0..rows {
        let (category, area, textures) = *rng.pick(KINDS);
        let texture = *rng.pick(textures);
        let sun = category == "sunscreen" || (category == "moisturiser" && rng.chance(0.15));
        let spf = if sun {
            *rng.pick(&["15", "30", "30", "50", "50"])
        } else {
            ""
        };
        list.clear();
        let oily = matches!(texture, "oil" | "balm" | "ointment" | "butter" | "stick");
        if oily {
            let n = 1 + rng.below(3);
            for _ in 0..n {
                let pool = if rng.chance(0.5) {
                    &pools.heavy
                } else if rng.chance(0.5) {
                    &pools.butters
                } else {
                    &pools.light_oils
                };
                list.push(rng.pick(pool).clone());
            }
        } else {
            list.push(
                rng.pick(&["Aqua", "Water (Aqua)", "Aqua/Water/Eau", "Water"])
                    .to_string(),
            );
        }
        for _ in 0..1 + rng.below(3) {
            list.push(rng.pick(&pools.humectants).clone());
        }
        if sun {
            list.push(format!("Zinc Oxide {}%", 5 + rng.below(16)));
            if rng.chance(0.5) {
                list.push("Butyl Methoxydibenzoylmethane".into());
            }
        }
        for _ in 0..1 + rng.below(5) {
            list.push(rng.pick(&pools.emollients).clone());
        }
        if rng.chance(0.3) {
            list.push(rng.pick(&pools.heavy).clone());
        }
        if rng.chance(0.3) {
            list.push(rng.pick(&pools.light_oils).clone());
        }
        let mut active = String::new();
        if category == "exfoliant" && texture == "scrub" {
            list.insert(1.min(list.len()), rng.pick(&pools.scrubs).clone());
        } else if matches!(category, "serum" | "toner" | "exfoliant") && rng.chance(0.5) {
            let (acid, lo, hi) = *rng.pick(ACIDS);
            let pct = lo + (hi - lo) * rng.below(100) as f64 / 100.0;
            let pct = (pct * 2.0).round() / 2.0;
            list.insert(1, format!("{acid} {pct}%"));
            active = format!(" {pct}% {}", acid.split(' ').next().unwrap_or(acid));
        } else if rng.chance(0.15) {
            list.push(rng.pick(RETINOIDS).to_string());
        }
        if rng.chance(0.4) {
            list.push(rng.pick(&pools.barrier).clone());
        }
        if rng.chance(0.5) {
            list.push(rng.pick(&pools.soothing).clone());
        }
        let target = 5 + rng.below(56);
        while list.len() + 3 < target {
            let pool = match rng.below(4) {
                0 | 1 => &pools.extracts,
                2 => &pools.thickeners,
                _ => &pools.emollients,
            };
            list.push(rng.pick(pool).clone());
        }
        list.push(rng.pick(&pools.preservatives).clone());
        if rng.chance(0.35) {
            list.push(
                rng.pick(&["Parfum", "Fragrance (Parfum)", "Parfum/Fragrance"])
                    .to_string(),
            );
            for _ in 0..rng.below(4) {
                list.push(rng.pick(&pools.allergens).clone());
            }
        } else if rng.chance(0.1) {
            list.push(rng.pick(&pools.essential_oils).clone());
        }
        list.truncate(60);
        inci.clear();
        for (k, item) in list.iter().enumerate() {
            if k > 0 {
                inci.push_str(", ");
            }
            inci.push_str(item);
        }
        if rng.chance(0.3) {
            inci.push('.');
        }
        name.clear();
        let adjective = ADJECTIVES[rng.below(ADJECTIVES.len())];
        name.push_str(adjective);
        name.push_str(&active);
        name.push(' ');
        name.push_str(&title(texture));
        if !matches!(category, "moisturiser" | "serum" | "face oil" | "balm") {
            name.push(' ');
            name.push_str(&title(category));
        }
        if sun {
            name.push_str(" SPF ");
            name.push_str(spf);
        }
        let texture_col = if rng.chance(0.12) { "" } else { texture };
        let claims = match rng.below(8) {
            0 => "non-comedogenic",
            1 => "fragrance-free;dermatologist-tested",
            2 => "oil-free;non-comedogenic",
            _ => "",
        };
        let price = format!("{}.{:02}", 6 + rng.below(90), rng.below(100));
        out.write_record([
            format!("G{:08}", i + 1).as_str(),
            &name,
            *rng.pick(BRANDS),
            category,
            texture_col,
            area,
            spf,
            claims,
            &inci,
            &price,
        ])?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_catalog_other_seed_differs() {
        let kb = KnowledgeBase::builtin();
        let gen = |seed| {
            let mut v = Vec::new();
            write_catalog(&mut v, 300, seed, &kb).unwrap();
            v
        };
        assert_eq!(gen(7), gen(7));
        assert_ne!(gen(7), gen(8));
        let text = String::from_utf8(gen(7)).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 300);
        let lens: Vec<usize> = rows.iter().map(|r| r[8].split(", ").count()).collect();
        assert!(lens.iter().all(|&n| (5..=60).contains(&n)), "{lens:?}");
        assert!(
            rows.iter().any(|r| r[4].is_empty()),
            "some rows without texture"
        );
        assert!(rows.iter().any(|r| !r[6].is_empty()), "some sun products");
    }
}
