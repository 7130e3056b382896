//! The six skin concerns: who each ranking is for, which products belong in
//! it, and how much each factor moves the score.

use super::features::{Factor, N_FACTORS};
use super::product::{Area, Kind, Spf};

/// Which products a concern ranks.
#[derive(Clone, Debug, PartialEq)]
pub struct Eligibility {
    /// Areas of application that belong (empty: any).
    pub areas: Vec<Area>,
    /// Kinds that belong (empty: any).
    pub kinds: Vec<Kind>,
    /// Kinds left out.
    pub exclude_kinds: Vec<Kind>,
    /// Only products with an SPF.
    pub requires_spf: bool,
}

impl Eligibility {
    /// Whether a product of this area, kind and SPF belongs.
    pub fn admits(&self, area: Area, kind: Kind, spf: Spf) -> bool {
        (self.areas.is_empty() || self.areas.contains(&area))
            && (self.kinds.is_empty() || self.kinds.contains(&kind))
            && !self.exclude_kinds.contains(&kind)
            && kind != Kind::NotSkincare
            && (!self.requires_spf || !matches!(spf, Spf::None))
    }
}

/// One concern's ranking profile.
#[derive(Clone, Debug, PartialEq)]
pub struct Concern {
    /// The slug, which names the output file.
    pub slug: String,
    /// Who the ranking is for.
    pub description: String,
    /// Score before any factor.
    pub base: f64,
    /// Points per unit of each factor (negative: a penalty).
    pub weights: [f64; N_FACTORS],
    /// Which products belong.
    pub eligibility: Eligibility,
    /// The highest score a product without a usable ingredient list can get.
    pub no_list_cap: f64,
    /// The highest score a product with an active (acid, retinoid, scrub)
    /// can get, where actives are out altogether.
    pub active_cap: Option<f64>,
}

impl Concern {
    /// The weight of a factor.
    pub fn weight(&self, f: Factor) -> f64 {
        self.weights[f as usize]
    }
}

/// The built-in concern slugs, in output order.
pub const BUILTIN_SLUGS: [&str; 6] = [
    "milia-prone",
    "eye-area",
    "sensitive",
    "baby",
    "post-procedure",
    "sun-care",
];

fn weights(pairs: &[(Factor, f64)]) -> [f64; N_FACTORS] {
    let mut w = [0.0; N_FACTORS];
    for &(f, v) in pairs {
        w[f as usize] = v;
    }
    w
}

const FACE_AREAS: [Area; 2] = [Area::Face, Area::Eye];
const NOT_FACE_KINDS: [Kind; 3] = [Kind::BodyWash, Kind::Bath, Kind::LipCare];

/// The built-in concerns.
pub fn builtin() -> Vec<Concern> {
    use Factor::*;
    let face = || Eligibility {
        areas: FACE_AREAS.to_vec(),
        kinds: vec![],
        exclude_kinds: NOT_FACE_KINDS.to_vec(),
        requires_spf: false,
    };
    vec![
        Concern {
            slug: "milia-prone".into(),
            description: "adults prone to milia: face products".into(),
            base: 62.0,
            weights: weights(&[
                (Occlusion, -30.0),
                (Comedogenic, -22.0),
                (Texture, -20.0),
                (Scrub, -30.0),
                (GentleAcid, 12.0),
                (Pha, 10.0),
                (StrongAcid, -4.0),
                (Retinoid, 10.0),
                (StrongRetinoid, -2.0),
                (DryingAlcohol, -2.0),
                (Spf, 6.0),
                (BroadSpectrum, 2.0),
                (Hydration, 3.0),
                (LightOil, 4.0),
                (NoIngredients, -15.0),
            ]),
            eligibility: face(),
            no_list_cap: 50.0,
            active_cap: None,
        },
        Concern {
            slug: "eye-area".into(),
            description: "products made for the eye area".into(),
            base: 68.0,
            weights: weights(&[
                (Occlusion, -35.0),
                (Comedogenic, -15.0),
                (Texture, -30.0),
                (Scrub, -40.0),
                (GentleAcid, -6.0),
                (Pha, -2.0),
                (StrongAcid, -25.0),
                (Retinoid, -3.0),
                (StrongRetinoid, -15.0),
                (Fragrance, -6.0),
                (EssentialOil, -6.0),
                (Allergens, -3.0),
                (DryingAlcohol, -8.0),
                (Irritancy, -5.0),
                (Hydration, 6.0),
                (Soothing, 3.0),
                (Barrier, 2.0),
                (LightOil, 2.0),
                (NoIngredients, -15.0),
            ]),
            eligibility: Eligibility {
                areas: vec![Area::Eye],
                kinds: vec![],
                exclude_kinds: vec![],
                requires_spf: false,
            },
            no_list_cap: 50.0,
            active_cap: None,
        },
        Concern {
            slug: "sensitive".into(),
            description: "sensitive, reactive skin: face products".into(),
            base: 66.0,
            weights: weights(&[
                (Occlusion, -12.0),
                (Comedogenic, -10.0),
                (Texture, -8.0),
                (Scrub, -35.0),
                (GentleAcid, -18.0),
                (Pha, -2.0),
                (StrongAcid, -25.0),
                (Retinoid, -15.0),
                (StrongRetinoid, -12.0),
                (Fragrance, -16.0),
                (EssentialOil, -12.0),
                (Allergens, -8.0),
                (DryingAlcohol, -15.0),
                (Irritancy, -10.0),
                (Hydration, 7.0),
                (Barrier, 8.0),
                (Soothing, 6.0),
                (NoIngredients, -15.0),
            ]),
            eligibility: face(),
            no_list_cap: 50.0,
            active_cap: None,
        },
        Concern {
            slug: "baby".into(),
            description: "everyday gentle care for newborn and infant skin, face or body".into(),
            base: 70.0,
            weights: weights(&[
                (Occlusion, -12.0),
                (Comedogenic, -10.0),
                (Texture, -8.0),
                (Scrub, -45.0),
                (GentleAcid, -35.0),
                (Pha, -25.0),
                (StrongAcid, -40.0),
                (Retinoid, -40.0),
                (StrongRetinoid, -10.0),
                (Fragrance, -25.0),
                (EssentialOil, -20.0),
                (Allergens, -8.0),
                (DryingAlcohol, -15.0),
                (Irritancy, -8.0),
                (Hydration, 5.0),
                (Barrier, 5.0),
                (Soothing, 4.0),
                (NoIngredients, -15.0),
            ]),
            eligibility: Eligibility {
                areas: vec![Area::Face, Area::Body],
                kinds: vec![
                    Kind::Cleanser,
                    Kind::BodyWash,
                    Kind::Moisturiser,
                    Kind::Balm,
                    Kind::FaceOil,
                ],
                exclude_kinds: vec![],
                requires_spf: false,
            },
            no_list_cap: 50.0,
            active_cap: Some(25.0),
        },
        Concern {
            slug: "post-procedure".into(),
            description: "skin healing after a peel, laser or dermabrasion: face products".into(),
            base: 66.0,
            weights: weights(&[
                (Occlusion, -28.0),
                (Comedogenic, -14.0),
                (Texture, -14.0),
                (Scrub, -45.0),
                (GentleAcid, -28.0),
                (Pha, -20.0),
                (StrongAcid, -40.0),
                (Retinoid, -28.0),
                (StrongRetinoid, -10.0),
                (Fragrance, -12.0),
                (EssentialOil, -10.0),
                (Allergens, -4.0),
                (DryingAlcohol, -12.0),
                (Irritancy, -8.0),
                (Spf, 5.0),
                (BroadSpectrum, 2.0),
                (Hydration, 7.0),
                (Barrier, 8.0),
                (Soothing, 8.0),
                (NoIngredients, -15.0),
            ]),
            eligibility: face(),
            no_list_cap: 50.0,
            active_cap: Some(30.0),
        },
        Concern {
            slug: "sun-care".into(),
            description: "daily sun protection: products with an SPF".into(),
            base: 40.0,
            weights: weights(&[
                (Spf, 42.0),
                (BroadSpectrum, 10.0),
                (Occlusion, -15.0),
                (Comedogenic, -12.0),
                (Texture, -16.0),
                (Fragrance, -3.0),
                (EssentialOil, -2.0),
                (DryingAlcohol, -3.0),
                (Hydration, 2.0),
                (NoIngredients, -10.0),
            ]),
            eligibility: Eligibility {
                areas: vec![],
                kinds: vec![],
                exclude_kinds: vec![],
                requires_spf: true,
            },
            no_list_cap: 75.0,
            active_cap: None,
        },
    ]
}
