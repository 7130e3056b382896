//! The milia-friendliness model: product classification, features, the
//! concerns and their scores. It knows nothing of CSV.

pub mod concerns;
pub mod features;
pub mod product;
pub mod profiles;
pub mod score;
pub mod tables;
pub mod vocabulary;

pub use concerns::{Concern, Eligibility, Thin};
pub use features::{Factor, Features};
pub use product::{classify, Area, Described, Kind, Profile, Spf, Texture};
pub use profiles::builtin as builtin_concerns;
pub use score::ConcernScore;

use crate::inci::{parse_list, ParsedList};
use crate::knowledge::KnowledgeBase;

/// One product's input to the model.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProductInput<'a> {
    pub described: Described<'a>,
    pub claims: &'a str,
    pub ingredients: &'a str,
}

/// Everything the model says about one product.
#[derive(Clone, Debug, PartialEq)]
pub struct Assessment {
    pub profile: Profile,
    pub list: ParsedList,
    pub features: Features,
    /// Per concern, in the order given: the score, or None when the product
    /// is outside that concern.
    pub scores: Vec<Option<ConcernScore>>,
    /// The evidence's texts are written: reasons quote them.
    pub explained: bool,
}

/// Assesses one product for every concern.
pub fn assess(input: &ProductInput<'_>, kb: &KnowledgeBase, concerns: &[Concern]) -> Assessment {
    assess_with(input, kb, concerns, Explain::Always)
}

/// Whether an assessment writes the evidence's texts (see
/// [`features::Context::explain`]).
#[derive(Clone, Copy)]
pub enum Explain<'a> {
    Always,
    /// Only for a product in one of the concerns (by index) this says yes
    /// to: the rankings that keep whatever comes.
    For(&'a dyn Fn(usize) -> bool),
}

/// [`assess`], with the evidence's texts written or not: without them,
/// every score, every other text and every piece of evidence is the same,
/// and [`Assessment::reasons`] quotes nothing
/// ([`Assessment::explained`] says which).
pub fn assess_with(
    input: &ProductInput<'_>,
    kb: &KnowledgeBase,
    concerns: &[Concern],
    explain: Explain<'_>,
) -> Assessment {
    // Name, category and claims are scanned for the vocabulary once.
    let name = vocabulary::Scanned::product(input.described.name);
    let category = vocabulary::Scanned::category_repeated(input.described.category);
    let claims = vocabulary::Scanned::product_repeated(input.claims);
    let mut profile = product::classify_scanned(&input.described, &name, &category);
    let list = parse_list(input.ingredients, kb);
    // A sun category alone is not protection: it takes a stated SPF or a UV
    // filter in the list (after-sun lotions and self-tanners are filed there).
    if profile.spf == Spf::Unstated && profile.spf_source == product::Source::Category {
        let filter = list.items.iter().any(|i| {
            !i.may_contain
                && i.id.is_some_and(|id| {
                    kb.facts(id).classes.any(
                        crate::knowledge::Classes::UV_FILTER_MINERAL
                            | crate::knowledge::Classes::UV_FILTER_CHEMICAL,
                    )
                })
        });
        if !filter {
            profile.spf = Spf::None;
            profile.spf_source = product::Source::Default;
            if profile.kind == Kind::Sunscreen {
                profile.kind = Kind::Other;
            }
        }
    }
    let explain = match explain {
        Explain::Always => true,
        Explain::For(wanted) => concerns.iter().enumerate().any(|(i, c)| {
            wanted(i)
                && c.eligibility
                    .admits(profile.area, profile.kind, profile.spf)
        }),
    };
    let features = features::compute(
        &list,
        kb,
        &features::Context {
            profile: &profile,
            name: &name,
            category: &category,
            claims: &claims,
            ingredients: input.ingredients,
            explain,
        },
    );
    let scores = concerns
        .iter()
        .map(|c| {
            c.eligibility
                .admits(profile.area, profile.kind, profile.spf)
                .then(|| score::score(c, &features))
        })
        .collect();
    Assessment {
        profile,
        list,
        features,
        scores,
        explained: explain,
    }
}

impl Assessment {
    /// The reasons for the score of concern `i`.
    pub fn reasons(&self, i: usize) -> Option<String> {
        self.scores[i]
            .as_ref()
            .map(|s| score::reasons(s, &self.features, &self.profile))
    }
}
