//! A skin concern: who its ranking is for, which products belong in it,
//! and how much each factor moves the score. The six built-in concerns are
//! data, `catalog/concerns.toml`, read by [`super::profiles`].

use super::features::{Factor, Features, N_FACTORS};
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
    /// When to say that the catalog leaves the list thin.
    pub thin: Option<Thin>,
}

/// A list is thin when fewer than `fewer_than` of its products fully meet
/// the concern's profile: the catalog, not the model, caps it, and the
/// merchandiser is told so.
#[derive(Clone, Debug, PartialEq)]
pub struct Thin {
    /// The note is given below this many products that meet the profile.
    pub fewer_than: u64,
    /// A product meets the profile when one of these factors is at its
    /// full value (1)...
    pub any_of: Vec<Factor>,
    /// ...none of these is above 0, its score is not capped and reaches
    /// `from_score`.
    pub none_of: Vec<Factor>,
    pub from_score: f64,
    /// The note. `{count}` reads "no product", "only 1 product" or "only N
    /// products"; `{are}` reads "is" or "are".
    pub note: String,
}

impl Thin {
    /// Whether a product with these features and this score, capped or
    /// not, fully meets the profile.
    pub fn met_by(&self, features: &Features, score: f64, capped: bool) -> bool {
        !capped
            && score >= self.from_score
            && self.any_of.iter().any(|f| features.value(*f) >= 1.0)
            && self.none_of.iter().all(|f| features.value(*f) <= 0.0)
    }

    /// The note for a list of `ranked` products of which `meeting` meet the
    /// profile, if the list is thin and holds others.
    pub fn note_for(&self, meeting: u64, ranked: u64) -> Option<String> {
        if meeting >= self.fewer_than || ranked <= meeting {
            return None;
        }
        let count = match meeting {
            0 => "no product".to_string(),
            1 => "only 1 product".to_string(),
            n => format!("only {n} products"),
        };
        Some(
            self.note
                .replace("{count}", &count)
                .replace("{are}", if meeting > 1 { "are" } else { "is" }),
        )
    }
}

impl Concern {
    /// The weight of a factor.
    pub fn weight(&self, f: Factor) -> f64 {
        self.weights[f as usize]
    }
}
