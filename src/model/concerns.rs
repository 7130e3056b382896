//! A skin concern: who its ranking is for, which products belong in it,
//! and how much each factor moves the score. The six built-in concerns are
//! data, `catalog/concerns.toml`, read by [`super::profiles`].

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
