//! Features of one product, each a number from 0 to 1 with the ingredients
//! behind it, computed once and shared by every concern.
//!
//! The rules are data: what an ingredient is comes from its classes in the
//! knowledge base, the words of the product name from the vocabulary
//! ([`super::vocabulary`]), the numbers from `catalog/model.toml`
//! ([`super::tables`]). No ingredient name or word is matched here.

use super::product::{Kind, Profile, Spf, Texture};
use super::tables::{self, AcidGroup};
use super::vocabulary::{self, Hits, Key, Scanned};
use crate::inci::{Item, ParsedList};
use crate::knowledge::{Classes, IngredientFacts, IngredientId, KnowledgeBase};

/// One factor of the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Factor {
    Occlusion,
    Comedogenic,
    Texture,
    Scrub,
    GentleAcid,
    Pha,
    StrongAcid,
    Retinoid,
    StrongRetinoid,
    Fragrance,
    EssentialOil,
    Allergens,
    DryingAlcohol,
    Irritancy,
    Spf,
    BroadSpectrum,
    Hydration,
    Barrier,
    Soothing,
    LightOil,
    Contact,
    EyeOnly,
    ForBaby,
    NotForInfants,
    Soap,
    Makeup,
    HiddenIrritant,
    MultiActive,
    Minimal,
    NoIngredients,
}

impl Factor {
    /// Every factor, in a fixed order.
    pub const ALL: [Factor; 30] = [
        Factor::Occlusion,
        Factor::Comedogenic,
        Factor::Texture,
        Factor::Scrub,
        Factor::GentleAcid,
        Factor::Pha,
        Factor::StrongAcid,
        Factor::Retinoid,
        Factor::StrongRetinoid,
        Factor::Fragrance,
        Factor::EssentialOil,
        Factor::Allergens,
        Factor::DryingAlcohol,
        Factor::Irritancy,
        Factor::Spf,
        Factor::BroadSpectrum,
        Factor::Hydration,
        Factor::Barrier,
        Factor::Soothing,
        Factor::LightOil,
        Factor::Contact,
        Factor::EyeOnly,
        Factor::ForBaby,
        Factor::NotForInfants,
        Factor::Soap,
        Factor::Makeup,
        Factor::HiddenIrritant,
        Factor::MultiActive,
        Factor::Minimal,
        Factor::NoIngredients,
    ];

    /// The factor's key, as used in concern profiles.
    pub fn key(self) -> &'static str {
        match self {
            Factor::Occlusion => "occlusion",
            Factor::Comedogenic => "comedogenic",
            Factor::Texture => "texture",
            Factor::Scrub => "scrub",
            Factor::GentleAcid => "gentle_acid",
            Factor::Pha => "pha",
            Factor::StrongAcid => "strong_acid",
            Factor::Retinoid => "retinoid",
            Factor::StrongRetinoid => "strong_retinoid",
            Factor::Fragrance => "fragrance",
            Factor::EssentialOil => "essential_oil",
            Factor::Allergens => "allergens",
            Factor::DryingAlcohol => "drying_alcohol",
            Factor::Irritancy => "irritancy",
            Factor::Spf => "spf",
            Factor::BroadSpectrum => "broad_spectrum",
            Factor::Hydration => "hydration",
            Factor::Barrier => "barrier",
            Factor::Soothing => "soothing",
            Factor::LightOil => "light_oil",
            Factor::Contact => "contact",
            Factor::EyeOnly => "eye_only",
            Factor::ForBaby => "for_baby",
            Factor::NotForInfants => "not_for_infants",
            Factor::Soap => "soap",
            Factor::Makeup => "makeup",
            Factor::HiddenIrritant => "hidden_irritant",
            Factor::MultiActive => "multi_active",
            Factor::Minimal => "minimal",
            Factor::NoIngredients => "no_ingredients",
        }
    }

    /// What the factor measures, in plain words.
    pub fn describe(self) -> &'static str {
        match self {
            Factor::Occlusion => "position-weighted load of occlusive film formers (petrolatum, mineral oil, waxes, lanolin, butters)",
            Factor::Comedogenic => "position-weighted load of ingredients with comedogenic grade 2 or more",
            Factor::Texture => "heaviness of the texture, 0 for a mist to 1 for an ointment",
            Factor::Scrub => "harsh physical exfoliant particles",
            Factor::GentleAcid => "an AHA or BHA at a gentle, everyday strength",
            Factor::Pha => "a PHA (the gentlest chemical exfoliant)",
            Factor::StrongAcid => "a strong acid (AHA 12%+, BHA over 2%, PHA 20%+, a peel) or an acne active (benzoyl peroxide, sulfur, azelaic acid)",
            Factor::Retinoid => "a retinoid (0.5 for a mild retinyl ester)",
            Factor::StrongRetinoid => "a strong retinoid: retinol 0.5%+, retinal 0.1%+, or a prescription retinoid",
            Factor::Fragrance => "added fragrance: parfum, or a botanical there for its scent (lavender, jasmine, neroli, citrus peel, rose) anywhere in the list, confirmed by declared allergens",
            Factor::EssentialOil => "essential oils, 0.5 each",
            Factor::Allergens => "declared fragrance allergens, a third each (benzyl alcohol, a preservative, aside)",
            Factor::DryingAlcohol => "drying alcohol, weighted by position",
            Factor::Irritancy => "position-weighted irritancy grades",
            Factor::Spf => "sun protection factor: 0.5 at SPF 15, 0.85 at SPF 30, 1 at SPF 50",
            Factor::BroadSpectrum => "broad-spectrum (UVA) protection, claimed or from a UVA filter",
            Factor::Hydration => "humectants high in the list (light hydration)",
            Factor::Barrier => "barrier lipids (ceramides, cholesterol, fatty acids)",
            Factor::Soothing => "soothing ingredients (allantoin, panthenol, centella, oat)",
            Factor::LightOil => "non-comedogenic light oils in place of heavy ones",
            Factor::Contact => "not a daily leave-on: rinsed off, wiped off (1) or used now and then, as masks, patches and peels (0.8)",
            Factor::EyeOnly => "made for the eye area only",
            Factor::ForBaby => "made for babies or children (baby, infant, kids in the name or category)",
            Factor::NotForInfants => "named for adult results, as a treatment step (serum, booster, ampoule, a strength such as 2%) or as a form parents do not use on infants (acne, pore, brightening, anti-age, firming; kits, sticks, bars)",
            Factor::Soap => "a true soap: a rinse-off product with fatty-acid salts high in the list, or a fatty acid with potassium or sodium hydroxide",
            Factor::Makeup => "tinted or make-up product",
            Factor::HiddenIrritant => "irritants no grade shows: witch hazel, willow bark, L-ascorbic acid high in the list, menthol, camphor, a strong surfactant, clay with one",
            Factor::Minimal => "a short, fragrance-free formula: 1 up to 10 ingredients, falling to 0 at 20",
            Factor::MultiActive => "several actives together (AHA, BHA, PHA, retinoid, acne active, L-ascorbic acid): 0.5 for each beyond the first; a retinoid with any acid in an eye product 1",
            Factor::NoIngredients => "no usable ingredient list (missing, not a list, or mostly unrecognised)",
        }
    }

    /// The factor with this key.
    pub fn from_key(key: &str) -> Option<Factor> {
        Factor::ALL.iter().copied().find(|f| f.key() == key)
    }
}

/// Number of factors.
pub const N_FACTORS: usize = Factor::ALL.len();

/// The evidence for a factor: its value and the ingredients behind it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evidence {
    /// 0 to 1.
    pub value: f64,
    /// Short phrases such as `petrolatum at #2`.
    pub because: Vec<String>,
}

/// All the features of one product.
#[derive(Clone, Debug, PartialEq)]
pub struct Features {
    pub evidence: [Evidence; N_FACTORS],
    /// Occlusion, comedogenic and texture loads are reduced for rinse-off products.
    pub rinse_off: bool,
    /// Share of the first ten ingredients that the knowledge base recognises.
    pub recognised_top10: f64,
    /// A "non-comedogenic"/"oil-free" claim contradicted by the list.
    pub claim_conflict: Option<String>,
    /// Number of ingredients in the list.
    pub n_ingredients: usize,
    /// The list is in alphabetical order: positions were not weighted.
    pub alphabetical: bool,
    /// A UV filter is in the list.
    pub uv_filter: bool,
    /// Why the list cannot be trusted, if it cannot.
    pub unusable: Option<String>,
    /// The texture's own heaviness, before any rinse-off reduction.
    pub texture_heaviness: Option<f64>,
    /// Every comedogenic ingredient is graded only as a raw material (class
    /// `raw-grade`): the load is not called pore-clogging.
    pub comedogenic_raw_only: bool,
    /// Exfoliant and retinoid features before contact time cut them: an
    /// active cap reads these, so a rinse-off product does not hide an
    /// excluded active.
    pub before_contact: Vec<(Factor, f64)>,
}

impl Features {
    /// The value of a factor.
    pub fn value(&self, f: Factor) -> f64 {
        self.evidence[f as usize].value
    }

    /// The evidence of a factor.
    pub fn evidence(&self, f: Factor) -> &Evidence {
        &self.evidence[f as usize]
    }

    /// The value of a factor before contact time cut it (its value where
    /// contact time does not apply).
    pub fn before_contact(&self, f: Factor) -> f64 {
        self.before_contact
            .iter()
            .find(|(g, _)| *g == f)
            .map_or(self.value(f), |(_, v)| v.max(self.value(f)))
    }
}

/// How much a list position counts: ingredients over 1% come in descending
/// order, so weight falls with each place. A stated percentage raises it.
/// The numbers are `[position]` of `catalog/model.toml`.
pub fn position_weight(item: &Item) -> f64 {
    let t = &tables::builtin().position;
    let mut w = t.fall_per_place.powi(item.position as i32 - 1);
    if let Some(p) = item.percent {
        w = w.max((p as f64 / t.full_weight_percent).min(1.0));
    }
    if item.may_contain {
        w *= t.may_contain;
    }
    w
}

/// How strongly an ingredient forms an occlusive film, from its classes
/// (the `[[occlusion]]` rules of `catalog/model.toml`).
pub fn occlusion_strength(f: &IngredientFacts) -> f64 {
    tables::builtin().occlusion_strength(f.classes)
}

/// Comedogenic contribution of an ingredient: grades 0 and 1 count nothing,
/// a light oil's grade 2 counts nothing either, and a grade measured on a
/// raw material (class `raw-grade`) counts its share (`[comedogenic]`).
pub fn comedogenic_strength(f: &IngredientFacts) -> f64 {
    let s = match f.comedogenic {
        Some(g) if g <= 2 && f.classes.has(Classes::LIGHT_OIL) => 0.0,
        Some(g) => g.saturating_sub(1) as f64 / 4.0,
        None => 0.0,
    };
    // A grade measured on the raw salt or thickener, not at a few percent.
    if f.classes.has(Classes::RAW_GRADE) {
        s * tables::builtin().comedogenic.raw_grade_share
    } else {
        s
    }
}

/// The inputs that are not the ingredient list.
pub struct Context<'a> {
    pub profile: &'a Profile,
    /// The product name, lowercased and scanned for the vocabulary.
    pub name: &'a Scanned,
    /// The category, lowercased and scanned for the vocabulary.
    pub category: &'a Scanned,
    /// The claims, lowercased and scanned for the vocabulary.
    pub claims: &'a Scanned,
    /// The raw ingredient text, to recognise text that is not a list.
    pub ingredients: &'a str,
    /// Write the evidence's text (what reasons quote). Without it every
    /// value, every piece of evidence and every other text is the same, and
    /// the evidence's texts are empty: a `--top` ranking asks for them only
    /// for the products it may keep.
    pub explain: bool,
}

/// A contribution to a load: its size and the item behind it.
#[derive(Clone, Copy)]
struct Hit {
    amount: f64,
    item: usize,
}

/// Sums hits and names the (at most two) biggest, formatted only now.
fn load(hits: &mut [Hit], describe: impl Fn(usize) -> String) -> (f64, Vec<String>) {
    let total: f64 = hits.iter().map(|h| h.amount).sum();
    hits.sort_by(|a, b| b.amount.total_cmp(&a.amount).then(a.item.cmp(&b.item)));
    (
        total,
        hits.iter().take(2).map(|h| describe(h.item)).collect(),
    )
}

/// What every step of [`compute`] reads: the list, the knowledge base, the
/// context and what follows from the product alone.
struct Env<'a> {
    list: &'a ParsedList,
    kb: &'a KnowledgeBase,
    ctx: &'a Context<'a>,
    tables: &'static tables::Tables,
    vocabulary: &'static vocabulary::Vocabulary,
    /// The list is in alphabetical order: positions were not weighted.
    alphabetical: bool,
    rinse_off: bool,
    /// What occlusion, comedogenic and texture loads are multiplied by.
    rinse_factor: f64,
    is_scrub_product: bool,
    /// See [`Context::explain`].
    explain: bool,
}

impl<'a> Env<'a> {
    fn new(list: &'a ParsedList, kb: &'a KnowledgeBase, ctx: &'a Context<'a>) -> Self {
        let tables = tables::builtin();
        let profile = ctx.profile;
        let name_hits = &ctx.name.hits;
        let is_scrub_product = matches!(profile.kind, Kind::Exfoliant)
            || profile.texture == Some(Texture::Scrub)
            || name_hits.has(Key::NameScrub)
            || name_hits.has(Key::NameExfoliating);
        let rinse_off = tables.rinse_off.admits(profile.kind, profile.texture);
        let rinse_factor = if rinse_off {
            tables.rinse_off.share
        } else {
            1.0
        };
        Env {
            list,
            kb,
            ctx,
            tables,
            vocabulary: vocabulary::builtin(),
            // A list printed alphabetically says nothing about amounts.
            alphabetical: is_alphabetical(list),
            rinse_off,
            rinse_factor,
            is_scrub_product,
            explain: ctx.explain,
        }
    }

    /// A text that only the evidence quotes: empty when not explaining.
    fn text(&self, write: impl FnOnce() -> String) -> String {
        if self.explain {
            write()
        } else {
            String::new()
        }
    }

    /// [`Env::at`] for the evidence: empty when not explaining.
    fn ev(&self, i: usize) -> String {
        self.text(|| self.at(i))
    }

    /// How much an item counts: its place, or the flat alphabetical weight.
    fn weight(&self, item: &Item) -> f64 {
        if self.alphabetical {
            let p = &self.tables.position;
            p.alphabetical * if item.may_contain { p.may_contain } else { 1.0 }
        } else {
            position_weight(item)
        }
    }

    /// The knowledge base's name of the item at `i`.
    fn label_of(&self, i: usize) -> &'a str {
        self.kb
            .facts(self.list.items[i].id.unwrap_or(0))
            .name
            .as_str()
    }

    /// `name at #place` for the item at `i`.
    fn at(&self, i: usize) -> String {
        format!("{} at #{}", self.label_of(i), self.list.items[i].position)
    }
}

/// The evidence being filled in, factor by factor.
struct Sink {
    ev: [Evidence; N_FACTORS],
}

impl Sink {
    fn set(&mut self, f: Factor, value: f64, because: Vec<String>) {
        self.ev[f as usize] = Evidence {
            value: value.clamp(0.0, 1.0),
            because,
        };
    }
}

/// The ingredients already met in the list being scanned: one stamp per
/// knowledge-base ingredient, kept on the thread, so that asking costs one
/// load whatever the list's length.
#[derive(Default)]
struct Seen {
    list: u32,
    stamps: Vec<u32>,
}

impl Seen {
    /// Starts a list, for a knowledge base of `ingredients` ingredients.
    fn begin(&mut self, ingredients: usize) {
        if self.stamps.len() < ingredients {
            self.stamps.resize(ingredients, 0);
        }
        self.list = self.list.wrapping_add(1);
        if self.list == 0 {
            self.stamps.fill(0);
            self.list = 1;
        }
    }

    /// True the first time `id` is met in this list.
    fn first(&mut self, id: IngredientId) -> bool {
        let stamp = &mut self.stamps[id as usize];
        let first = *stamp != self.list;
        *stamp = self.list;
        first
    }
}

thread_local! {
    static SEEN: std::cell::RefCell<Seen> = std::cell::RefCell::default();
}

/// The running totals of one pass over the list.
#[derive(Default)]
struct Scan {
    occl: Vec<Hit>,
    comed: Vec<Hit>,
    scrub: Vec<Hit>,
    drying: Vec<Hit>,
    irritancy: f64,
    hydration: f64,
    light_oil: f64,
    recognised_top10: usize,
    top10: usize,
    uva: bool,
    chemical_uva: bool,
    mineral_uva: Option<f64>,
    any_uv_filter: bool,
    strongest_acid: Option<(f64, String)>,
    gentle_acid: Option<(f64, String)>,
    pha: Option<(f64, String)>,
    retinoid: Option<(f64, String)>,
    strong_retinoid: Option<String>,
    fragrance: Vec<usize>,
    essential: Vec<usize>,
    allergens: Vec<usize>,
    barrier: Vec<usize>,
    soothing: Vec<usize>,
    barrier_value: f64,
    soothing_value: f64,
    conflict: Option<String>,
    hidden: Vec<Hit>,
    aromatic: Option<usize>,
    clay: Option<usize>,
    strong_surfactant: Option<usize>,
    soap: Option<usize>,
    fatty_acid: Option<usize>,
    alkali: Option<usize>,
    vitamin_c: Option<usize>,
    groups: u8,
    /// Scented botanicals, essential oils and aromatic waters anywhere.
    scent: Vec<usize>,
    /// Acid groups (and the acids) present further down than their own
    /// window, which add up with a retinoid.
    deep_groups: u8,
    stack_acids: Vec<usize>,
    /// The first retinoid of the list, for the stacking reason.
    retinoid_at: Option<usize>,
}

impl Scan {
    /// One pass over the list.
    fn of(env: &Env<'_>) -> Scan {
        let mut s = Scan::default();
        SEEN.with_borrow_mut(|seen| {
            seen.begin(env.kb.len());
            for (idx, item) in env.list.items.iter().enumerate() {
                s.item(env, idx, item, seen);
            }
        });
        s
    }

    fn item(&mut self, env: &Env<'_>, idx: usize, item: &Item, seen: &mut Seen) {
        let window = &env.tables.window;
        if item.position <= window.recognised {
            self.top10 += 1;
        }
        let Some(id) = item.id else { return };
        if item.position <= window.recognised {
            self.recognised_top10 += 1;
        }
        // The same ingredient twice ("Sunflower Seed Oil" after its INCI
        // name) counts once, at its first place.
        if !seen.first(id) {
            return;
        }
        let f = env.kb.facts(id);
        let w = env.weight(item);
        self.loads(env, idx, item, f, w);
        self.care(env, idx, item, f.classes, w);
        self.irritants(env, idx, item, f.classes, w);
        self.acids(env, idx, item, f, w);
        self.acne_active(env, idx, item, f.classes);
        self.retinoids(env, idx, item, f, w);
    }

    /// Occlusion, comedogenic, scrub, drying, irritancy, hydration, light oil.
    fn loads(&mut self, env: &Env<'_>, idx: usize, item: &Item, f: &IngredientFacts, w: f64) {
        let (tables, window, scale) = (env.tables, &env.tables.window, &env.tables.scale);
        let c = f.classes;
        let o = occlusion_strength(f);
        if o > 0.0 {
            self.occl.push(Hit {
                amount: w * o,
                item: idx,
            });
            if item.position <= window.claim_occlusive
                && o >= tables.claim.occlusive_from_strength
                && self.conflict.is_none()
            {
                self.conflict = Some(format!("{} (occlusive)", env.at(idx)));
            }
        }
        let cs = comedogenic_strength(f);
        if cs > 0.0 {
            self.comed.push(Hit {
                amount: w * cs,
                item: idx,
            });
            // Thickeners and surfactants (sodium chloride, grade 5 neat) are
            // not what a "non-comedogenic" claim is about.
            if item.position <= window.claim_comedogenic
                && f.comedogenic.unwrap_or(0) >= tables.claim.comedogenic_from_grade
                && !c.any(Classes::THICKENER | Classes::SURFACTANT | Classes::RAW_GRADE)
                && self.conflict.is_none()
            {
                self.conflict = Some(format!(
                    "{} (comedogenic grade {})",
                    env.at(idx),
                    f.comedogenic.unwrap_or(0)
                ));
            }
        }
        // Particles scrub in a scrub, or high in a rinse-off product; in a
        // leave-on they are pigments, fillers or trace seed powders.
        let scrub_product = env.is_scrub_product;
        if c.has(Classes::PHYSICAL_EXFOLIANT)
            && (scrub_product || !c.has(Classes::AMBIGUOUS_PARTICLE))
            && (scrub_product || (env.rinse_off && item.position <= window.rinse_off_particles))
            && !c.has(Classes::GENTLE_PARTICLE)
            && !item.may_contain
        {
            self.scrub.push(Hit {
                amount: (scale.scrub * w).min(1.0),
                item: idx,
            });
        }
        if c.has(Classes::DRYING_ALCOHOL) {
            self.drying.push(Hit {
                amount: scale.drying_alcohol * w,
                item: idx,
            });
        }
        if let Some(irr) = f.irritancy {
            self.irritancy += w * irr as f64 / 5.0;
        }
        if c.has(Classes::HUMECTANT) && item.position <= window.humectant {
            self.hydration += scale.hydration * w;
        }
        if c.has(Classes::LIGHT_OIL) && item.position <= window.light_oil {
            self.light_oil += scale.light_oil * w;
        }
    }

    /// UV filters, fragrance, essential oils, allergens, barrier, soothing.
    fn care(&mut self, env: &Env<'_>, idx: usize, item: &Item, c: Classes, w: f64) {
        let (window, scale) = (&env.tables.window, &env.tables.scale);
        if c.any(Classes::UV_FILTER_MINERAL | Classes::UV_FILTER_CHEMICAL) && !item.may_contain {
            self.any_uv_filter = true;
            if c.has(Classes::UVA_FILTER) {
                self.uva = true;
                if c.has(Classes::UV_FILTER_CHEMICAL) {
                    self.chemical_uva = true;
                } else if let Some(p) = item.percent {
                    self.mineral_uva =
                        Some(self.mineral_uva.map_or(p as f64, |q: f64| q.max(p as f64)));
                }
            }
        }
        if !item.may_contain {
            if c.has(Classes::FRAGRANCE)
                && !c.any(Classes::ESSENTIAL_OIL | Classes::FRAGRANCE_ALLERGEN)
            {
                self.fragrance.push(idx);
            }
            if c.has(Classes::ESSENTIAL_OIL) {
                self.essential.push(idx);
            }
            // A declared allergen that is also a preservative (benzyl
            // alcohol) is there to preserve, not to scent.
            if c.has(Classes::FRAGRANCE_ALLERGEN) && !c.has(Classes::PRESERVATIVE) {
                self.allergens.push(idx);
            }
            if c.any(Classes::SCENT_BOTANICAL | Classes::ESSENTIAL_OIL | Classes::AROMATIC_WATER) {
                self.scent.push(idx);
            }
            if c.has(Classes::BARRIER_LIPID) && item.position <= window.barrier {
                self.barrier.push(idx);
                self.barrier_value = self.barrier_value.max(scale.present(w));
            }
            if c.has(Classes::SOOTHING) && item.position <= window.soothing {
                self.soothing.push(idx);
                self.soothing_value = self.soothing_value.max(scale.present(w));
            }
        }
    }

    /// Irritants no grade shows, each down to its window: hidden irritants,
    /// aromatic waters, clay with a strong surfactant, soap, vitamin C.
    fn irritants(&mut self, env: &Env<'_>, idx: usize, item: &Item, c: Classes, w: f64) {
        let tables = env.tables;
        if item.may_contain {
            return;
        }
        for (class, win) in &tables.irritants {
            if c.has(*class) && item.position <= *win {
                self.hidden.push(Hit {
                    amount: tables.irritant.scale * w,
                    item: idx,
                });
                break;
            }
        }
        if c.has(Classes::AROMATIC_WATER) && item.position <= tables.irritant.aromatic_water_window
        {
            self.aromatic.get_or_insert(idx);
        }
        if item.position <= tables.irritant.clay_with_surfactant_window {
            if c.has(Classes::CLAY) {
                self.clay.get_or_insert(idx);
            }
            if c.has(Classes::STRONG_SURFACTANT) {
                self.strong_surfactant.get_or_insert(idx);
            }
        }
        // Only a rinse-off product is a soap: sodium stearate gels a stick
        // or a balm, and stearic acid with a hydroxide thickens a cream.
        if item.position <= tables.actives.soap_window && env.rinse_off {
            if c.has(Classes::SOAP) {
                self.soap.get_or_insert(idx);
            }
            if c.has(Classes::FATTY_ACID) {
                self.fatty_acid.get_or_insert(idx);
            }
        }
        if c.has(Classes::ALKALI)
            && item.position <= tables.actives.soap_alkali_window
            && env.rinse_off
        {
            self.alkali.get_or_insert(idx);
        }
        if c.has(Classes::ACIDIC_VITAMIN_C) && item.position <= tables.actives.vitamin_c_window {
            self.vitamin_c.get_or_insert(idx);
        }
    }

    /// Chemical exfoliants: active high in the list, at a stated
    /// strength, or when the product name names the acid.
    fn acids(&mut self, env: &Env<'_>, idx: usize, item: &Item, f: &IngredientFacts, w: f64) {
        let (tables, window, scale) = (env.tables, &env.tables.window, &env.tables.scale);
        let c = f.classes;
        if !c.any(Classes::AHA | Classes::BHA | Classes::PHA) || item.may_contain {
            return;
        }
        let name_hits = &env.ctx.name.hits;
        let ph_adjuster = c.has(Classes::PH_ADJUSTER);
        let (group, key_words) = if c.has(Classes::BHA) {
            (AcidGroup::Bha, Key::NameBha)
        } else if c.has(Classes::PHA) {
            (AcidGroup::Pha, Key::NamePha)
        } else {
            (AcidGroup::Aha, Key::NameAha)
        };
        let percent = item.percent.map(|p| p as f64).or_else(|| {
            percent_near(
                env.ctx.name.text.as_str(),
                &first_places(name_hits, key_words, None),
            )
        });
        let named = !ph_adjuster && name_hits.has(key_words);
        let bit = match group {
            AcidGroup::Aha => 1,
            AcidGroup::Bha => 2,
            AcidGroup::Pha => 4,
        };
        // Further down than its window an acid earns no credit, but it
        // still adds up with a retinoid (see [actives] stack_window).
        if !ph_adjuster
            && percent.is_none_or(|p| p >= tables.acid.active_from_percent)
            && item.position <= tables.actives.stack_window
        {
            self.deep_groups |= bit;
            self.stack_acids.push(idx);
        }
        let active = match percent {
            Some(p) => p >= tables.acid.active_from_percent,
            None if named => true,
            // In an alphabetical list a pH adjuster is just that, and an
            // acid's place says nothing: it counts at the floor.
            None if ph_adjuster => item.position <= window.ph_adjuster && !env.alphabetical,
            None => item.position <= window.acid || env.alphabetical,
        };
        if !active {
            return;
        }
        let strong = percent.is_some_and(|p| tables.acid.strong_at(group, p))
            || (env.ctx.profile.kind == Kind::Peel
                && percent.is_none_or(|p| p >= tables.acid.peel_product_from_percent));
        let desc = env.text(|| match percent {
            Some(p) => format!("{} {}% at #{}", f.name, fmt_percent(p), item.position),
            None => env.at(idx),
        });
        // Strength from the label or name counts fully; otherwise the
        // position says how much is there.
        self.groups |= bit;
        let value = if let Some(p) = percent {
            tables.acid.strength_share(group, p)
        } else if named {
            1.0
        } else if env.alphabetical {
            scale.presence_floor
        } else {
            scale.present(w)
        };
        if strong {
            let p = percent.unwrap_or(0.0);
            if self.strongest_acid.as_ref().is_none_or(|(q, _)| p > *q) {
                self.strongest_acid = Some((p, desc));
            }
        } else if group == AcidGroup::Pha {
            if self.pha.as_ref().is_none_or(|(v, _)| value > *v) {
                self.pha = Some((value, desc));
            }
        } else if self.gentle_acid.as_ref().is_none_or(|(v, _)| value > *v) {
            self.gentle_acid = Some((value, desc));
        }
    }

    /// Acne actives count with the strong acids.
    fn acne_active(&mut self, env: &Env<'_>, idx: usize, item: &Item, c: Classes) {
        if c.has(Classes::ACNE_ACTIVE)
            && !item.may_contain
            && (item.position <= env.tables.window.acne_active || item.percent.is_some())
        {
            let p = item.percent.map(|p| p as f64).unwrap_or(0.0);
            self.groups |= 16;
            if self.strongest_acid.as_ref().is_none_or(|(q, _)| p > *q) {
                self.strongest_acid =
                    Some((p, env.text(|| format!("{} (acne active)", env.at(idx)))));
            }
        }
    }

    fn retinoids(&mut self, env: &Env<'_>, idx: usize, item: &Item, f: &IngredientFacts, w: f64) {
        let (tables, scale) = (env.tables, &env.tables.scale);
        let c = f.classes;
        if !c.has(Classes::RETINOID) || item.may_contain {
            return;
        }
        let name_hits = &env.ctx.name.hits;
        let label = f.name.as_str();
        let mild = c.has(Classes::MILD_RETINOID);
        let percent = item.percent.map(|p| p as f64).or_else(|| {
            percent_near(
                env.ctx.name.text.as_str(),
                &first_places(name_hits, Key::NameRetinoid, None),
            )
        });
        let strong = c.has(Classes::PRESCRIPTION_RETINOID)
            || (!mild && percent.is_some_and(|p| p >= tables.retinoid.strong_from(label)));
        let desc = env.text(|| match percent {
            Some(p) => format!("{} {}% at #{}", label, fmt_percent(p), item.position),
            None => env.at(idx),
        });
        // Like acids: a stated strength or a name counts fully, otherwise
        // the place in the list says how much is there.
        let named = name_hits.first_listed(Key::NameRetinoid).is_some();
        let amount = if percent.is_some() || named {
            1.0
        } else {
            scale.present(w)
        };
        let v = if mild { scale.mild_retinoid } else { 1.0 } * amount;
        self.groups |= 8;
        self.retinoid_at.get_or_insert(idx);
        if self.retinoid.as_ref().is_none_or(|(q, _)| v > *q) {
            self.retinoid = Some((v, desc.clone()));
        }
        if strong {
            self.strong_retinoid.get_or_insert(desc);
        }
    }

    /// Actives the name states but the list does not show (or the list is
    /// missing): the name is evidence too.
    fn name_stated_actives(&mut self, env: &Env<'_>) {
        let (tables, vocabulary) = (env.tables, env.vocabulary);
        let profile = env.ctx.profile;
        let name_hits = &env.ctx.name.hits;
        if let Some(hit) = name_hits.first_listed(Key::NameAcid) {
            if self.gentle_acid.is_none() && self.pha.is_none() && self.strongest_acid.is_none() {
                let word = vocabulary.phrase(&hit);
                let pct = percent_near(
                    env.ctx.name.text.as_str(),
                    &first_places(name_hits, Key::NameAcid, Some(hit.index)),
                );
                let in_group = |key: Key| vocabulary.phrases(key).any(|w| w == word);
                let acne = in_group(Key::NameAcne);
                let group = if in_group(Key::NameBha) {
                    AcidGroup::Bha
                } else if in_group(Key::NamePha) {
                    AcidGroup::Pha
                } else {
                    AcidGroup::Aha
                };
                let desc = if acne {
                    format!("{word} treatment named in the product name")
                } else {
                    format!("{word} named in the product name")
                };
                if acne
                    || pct.is_some_and(|p| tables.acid.strong_at(group, p))
                    || profile.kind == Kind::Peel
                {
                    self.strongest_acid = Some((pct.unwrap_or(0.0), desc));
                } else if group == AcidGroup::Pha {
                    self.pha = Some((1.0, desc));
                } else {
                    self.gentle_acid = Some((1.0, desc));
                }
            }
        }
        if let Some(hit) = name_hits.first_listed(Key::NameRetinoid) {
            if self.retinoid.is_none() {
                let word = vocabulary.phrase(&hit);
                let mild = vocabulary.phrases(Key::NameMildRetinoid).any(|w| w == word);
                self.retinoid = Some((
                    if mild {
                        tables.scale.mild_retinoid
                    } else {
                        1.0
                    },
                    format!("{word} named in the product name"),
                ));
            }
        }
        if profile.kind == Kind::Peel && self.strongest_acid.is_none() {
            self.strongest_acid = Some((0.0, "peel product".into()));
        }
    }
}

/// Computes a product's features.
pub fn compute(list: &ParsedList, kb: &KnowledgeBase, ctx: &Context<'_>) -> Features {
    let env = Env::new(list, kb, ctx);
    let mut scan = Scan::of(&env);
    scan.name_stated_actives(&env);
    let mut sink = Sink {
        ev: Default::default(),
    };
    load_evidence(&env, &mut scan, &mut sink);
    let before_contact = active_evidence(&env, &mut scan, &mut sink);
    care_evidence(&env, &scan, &mut sink);
    sun_evidence(&env, &scan, &mut sink);
    audience_evidence(&env, &mut sink);
    irritant_evidence(&env, &mut scan, &mut sink);
    let trust = trust_evidence(&env, &mut scan, &mut sink);
    let tables = env.tables;
    let profile = ctx.profile;
    Features {
        evidence: sink.ev,
        rinse_off: env.rinse_off,
        recognised_top10: trust.recognised,
        claim_conflict: trust.claim_conflict,
        n_ingredients: list.len(),
        alphabetical: env.alphabetical,
        uv_filter: scan.any_uv_filter,
        unusable: trust.unusable,
        texture_heaviness: profile.texture.map(|t| tables.heaviness(t)),
        comedogenic_raw_only: !scan.comed.is_empty()
            && scan.comed.iter().all(|h| {
                kb.facts(list.items[h.item].id.unwrap_or(0))
                    .classes
                    .has(Classes::RAW_GRADE)
            }),
        before_contact,
    }
}

/// Occlusion, comedogenic, texture, scrub, drying, irritancy, hydration and
/// light-oil loads.
fn load_evidence(env: &Env<'_>, scan: &mut Scan, sink: &mut Sink) {
    let (tables, scale) = (env.tables, &env.tables.scale);
    let profile = env.ctx.profile;
    let rinse_factor = env.rinse_factor;
    let at = |i: usize| env.ev(i);
    let (o, ob) = load(&mut scan.occl, at);
    let occlusion = (o * rinse_factor).min(1.0);
    sink.set(Factor::Occlusion, occlusion, ob);
    // A raw-material grade is named only where nothing else clogs: a reason
    // never calls sodium chloride pore-clogging.
    let raw = |i: usize| {
        env.kb
            .facts(env.list.items[i].id.unwrap_or(0))
            .classes
            .has(Classes::RAW_GRADE)
    };
    let (mut graded, mut raw_only): (Vec<Hit>, Vec<Hit>) =
        scan.comed.iter().partition(|h| !raw(h.item));
    let describe = |i: usize| {
        if !env.explain {
            return String::new();
        }
        let f = env.kb.facts(env.list.items[i].id.unwrap_or(0));
        if f.classes.has(Classes::RAW_GRADE) {
            format!(
                "{} (graded {} of 5 only as the raw material, little at a few percent)",
                at(i),
                f.comedogenic.unwrap_or(0)
            )
        } else {
            format!(
                "{} (comedogenic grade {} of 5)",
                at(i),
                f.comedogenic.unwrap_or(0)
            )
        }
    };
    let (cg, gb) = load(&mut graded, describe);
    let (cr, rb) = load(&mut raw_only, describe);
    let (cm, cb) = (cg + cr, if gb.is_empty() { rb } else { gb });
    sink.set(Factor::Comedogenic, cm * rinse_factor, cb);
    let heaviness = profile
        .texture
        .map_or(tables.unknown_heaviness, |t| tables.heaviness(t))
        * rinse_factor;
    let texture_text = env.text(|| match profile.texture {
        None => "texture not known".to_string(),
        Some(Texture::Water) => "watery texture".to_string(),
        Some(t) => format!("{} texture", t.as_str()),
    });
    sink.set(Factor::Texture, heaviness, vec![texture_text]);
    let (mut sc, mut sb) = load(&mut scan.scrub, at);
    if env.ctx.name.hits.has(Key::NameScrub) && sc < scale.scrub_named_at_least {
        sc = scale.scrub_named_at_least;
        if sb.is_empty() {
            sb.push("scrub named in the product name".into());
        }
    }
    sink.set(Factor::Scrub, sc, sb);
    let (dr, db) = load(&mut scan.drying, at);
    sink.set(Factor::DryingAlcohol, dr, db);
    sink.set(
        Factor::Irritancy,
        scale.irritancy * scan.irritancy,
        vec![env.text(|| "ingredients graded as irritants".into())],
    );
    sink.set(
        Factor::Hydration,
        scan.hydration,
        vec![env.text(|| "humectants high in the list".into())],
    );
    sink.set(
        Factor::LightOil,
        scan.light_oil.min(1.0) * (1.0 - occlusion),
        vec![env.text(|| "light non-comedogenic oils".into())],
    );
}

/// Exfoliants and retinoids, with credit for contact time, and several
/// kinds of actives together. Returns the features before contact time cut
/// them.
fn active_evidence(env: &Env<'_>, scan: &mut Scan, sink: &mut Sink) -> Vec<(Factor, f64)> {
    let tables = env.tables;
    // A peel-strength acid makes the whole product a peel: the gentler acids
    // beside it earn no everyday-exfoliant credit.
    // Contact time: exfoliant and retinoid credit scale with it.
    let use_ = tables.contact.use_of(
        env.ctx.profile.kind,
        env.rinse_off,
        env.ctx.name.hits.has(Key::UseOccasional),
    );
    let credit = tables.contact.credit(use_);
    let credit_note = |what: String| -> Vec<String> {
        if credit < 1.0 {
            vec![env.text(|| format!("{what}, {} so it acts briefly", use_.as_str()))]
        } else {
            vec![what]
        }
    };
    let mut before_contact = Vec::new();
    if scan.strongest_acid.is_none() {
        if let Some((v, a)) = scan.gentle_acid.take() {
            sink.set(Factor::GentleAcid, v * credit, credit_note(a));
            before_contact.push((Factor::GentleAcid, v));
        }
        if let Some((v, p)) = scan.pha.take() {
            sink.set(Factor::Pha, v * credit, credit_note(p));
            before_contact.push((Factor::Pha, v));
        }
    }
    if let Some((_, a)) = scan.strongest_acid.take() {
        sink.set(Factor::StrongAcid, 1.0, vec![a]);
    }
    if let Some((v, r)) = scan.retinoid.take() {
        sink.set(Factor::Retinoid, v * credit, credit_note(r));
        before_contact.push((Factor::Retinoid, v));
    }
    if let Some(r) = scan.strong_retinoid.take() {
        sink.set(Factor::StrongRetinoid, 1.0, vec![r]);
    }
    if use_ != tables::Use::LeaveOn {
        sink.set(
            Factor::Contact,
            tables.contact.factor(use_),
            vec![use_.as_str().to_string()],
        );
    }
    let mut groups = scan.groups;
    if scan.vitamin_c.is_some() {
        groups |= 32;
    }
    // A retinoid adds up with every acid of the list, not only those high
    // enough to earn credit of their own.
    let retinoid_at = scan.retinoid_at.filter(|_| groups & 8 != 0);
    if retinoid_at.is_some() {
        groups |= scan.deep_groups;
    }
    let near_eyes = env.ctx.profile.area == super::product::Area::Eye;
    let acids: Vec<usize> = match retinoid_at {
        Some(_) => scan.stack_acids.clone(),
        None => Vec::new(),
    };
    if groups.count_ones() > 1 {
        let n = groups.count_ones();
        let mut value = tables.actives.each_beyond_first * (n - 1) as f64;
        let why = match retinoid_at {
            Some(r) if !acids.is_empty() => {
                if near_eyes {
                    value = value.max(tables.actives.retinoid_with_acid_near_eyes);
                }
                format!(
                    "{} with {} {}{}: {}",
                    env.label_of(r),
                    count_word(acids.len()),
                    if acids.len() == 1 { "acid" } else { "acids" },
                    if near_eyes { " near the eyes" } else { "" },
                    acids
                        .iter()
                        .take(3)
                        .map(|&i| env.label_of(i))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            _ => format!("{n} kinds of actives together"),
        };
        sink.set(Factor::MultiActive, value, vec![why]);
    }
    before_contact
}

/// A small count in words ("three acids"), larger ones in digits.
fn count_word(n: usize) -> String {
    match n {
        1 => "one".into(),
        2 => "two".into(),
        3 => "three".into(),
        4 => "four".into(),
        5 => "five".into(),
        _ => n.to_string(),
    }
}

/// Fragrance, essential oils, allergens, barrier lipids and soothing
/// ingredients.
fn care_evidence(env: &Env<'_>, scan: &Scan, sink: &mut Sink) {
    let (tables, scale) = (env.tables, &env.tables.scale);
    if let Some(&i) = scan.fragrance.first() {
        sink.set(Factor::Fragrance, 1.0, vec![env.ev(i)]);
    } else if let Some(&i) = scan
        .essential
        .iter()
        .find(|&&i| env.list.items[i].position <= tables.irritant.aromatic_water_window)
    {
        sink.set(
            Factor::Fragrance,
            1.0,
            vec![format!(
                "{}, an aromatic oil at the top of the list",
                env.at(i)
            )],
        );
    } else if let Some(i) = scan.aromatic {
        sink.set(
            Factor::Fragrance,
            1.0,
            vec![format!("{}, an aromatic flower water", env.at(i))],
        );
    } else if !scan.scent.is_empty() || !scan.allergens.is_empty() {
        // Fragrance by another name: a botanical there for its scent,
        // confirmed by the allergens a scent brings.
        let place = |i: usize| format!("{} (#{})", env.label_of(i), env.list.items[i].position);
        let allergens = || {
            let mut names: Vec<String> = scan
                .allergens
                .iter()
                .take(2)
                .map(|&i| env.label_of(i).to_string())
                .collect();
            if scan.allergens.len() > 2 {
                names.push(format!("{} more", scan.allergens.len() - 2));
            }
            names.join(", ")
        };
        let sc = &tables.scent;
        let (value, why) = match (scan.scent.first(), scan.allergens.is_empty()) {
            (Some(&i), true) => (sc.botanical, format!("scented with {}", place(i))),
            (Some(&i), false) => (
                sc.confirmed,
                format!("scented with {} and {}", place(i), allergens()),
            ),
            (None, _) => (
                sc.allergens_alone,
                format!("scented: declares {}", allergens()),
            ),
        };
        sink.set(Factor::Fragrance, value, vec![why]);
    }
    if !scan.essential.is_empty() {
        let n = scan.essential.len();
        sink.set(
            Factor::EssentialOil,
            scale.essential_oil_each * n as f64,
            scan.essential.iter().take(2).map(|&i| env.ev(i)).collect(),
        );
    }
    if !scan.allergens.is_empty() {
        let n = scan.allergens.len();
        let mut b: Vec<String> = scan
            .allergens
            .iter()
            .take(2)
            .map(|&i| env.label_of(i).to_string())
            .collect();
        if n > 2 {
            b.push(format!("{} more", n - 2));
        }
        sink.set(
            Factor::Allergens,
            n as f64 / scale.allergens_for_full,
            vec![format!(
                "{n} allergen{}: {}",
                if n == 1 { "" } else { "s" },
                b.join(", ")
            )],
        );
    }
    if !scan.barrier.is_empty() {
        sink.set(
            Factor::Barrier,
            scan.barrier_value,
            scan.barrier.iter().take(2).map(|&i| env.ev(i)).collect(),
        );
    }
    if !scan.soothing.is_empty() {
        sink.set(
            Factor::Soothing,
            scan.soothing_value,
            scan.soothing.iter().take(2).map(|&i| env.ev(i)).collect(),
        );
    }
}

/// SPF and broad-spectrum protection.
fn sun_evidence(env: &Env<'_>, scan: &Scan, sink: &mut Sink) {
    let tables = env.tables;
    let profile = env.ctx.profile;
    let spf_value = match profile.spf {
        Spf::None => 0.0,
        Spf::Unstated => tables.spf.unstated,
        Spf::Value(v) => tables.spf.value(v),
    };
    let spf_text = env.text(|| match profile.spf {
        Spf::None => "no SPF".to_string(),
        Spf::Unstated => "SPF not stated".to_string(),
        Spf::Value(v) => format!("SPF {}", fmt_percent(v)),
    });
    sink.set(Factor::Spf, spf_value, vec![spf_text]);
    let pa = super::product::pa_rating(env.ctx.claims.text.as_str())
        .or_else(|| super::product::pa_rating(env.ctx.name.text.as_str()));
    let broad_claim = env.ctx.claims.hits.has(Key::SunBroadSpectrumClaim)
        || env.ctx.name.hits.has(Key::SunBroadSpectrumName);
    if !matches!(profile.spf, Spf::None) && (broad_claim || pa.is_some() || scan.uva) {
        let why = if broad_claim {
            "broad-spectrum claimed".to_string()
        } else if let Some(n) = pa {
            format!("PA{} rating (UVA)", "+".repeat(n))
        } else {
            "UVA filter in the list".to_string()
        };
        // A mineral filter's stated strength says how much UVA it blocks.
        match scan.mineral_uva.filter(|_| !scan.chemical_uva) {
            Some(p) => sink.set(
                Factor::BroadSpectrum,
                tables.spf.mineral_share(p),
                vec![env.text(|| format!("{why}, mineral filter at {}%", fmt_percent(p)))],
            ),
            None => sink.set(Factor::BroadSpectrum, 1.0, vec![why]),
        }
    }
}

/// Who and where the product is for: the eye area, babies, not infants,
/// make-up.
fn audience_evidence(env: &Env<'_>, sink: &mut Sink) {
    let (ctx, vocabulary) = (env.ctx, env.vocabulary);
    let profile = ctx.profile;
    let name_hits = &ctx.name.hits;
    if profile.area == super::product::Area::Eye {
        sink.set(Factor::EyeOnly, 1.0, vec!["made for the eye area".into()]);
    }
    let audience = |key: Key| {
        name_hits
            .first_listed(key)
            .or_else(|| ctx.category.hits.first_listed(key))
            .or_else(|| ctx.claims.hits.first_listed(key))
            .map(|h| vocabulary.phrase(&h).trim_matches('*').to_string())
    };
    if let Some(word) = audience(Key::AudienceBaby) {
        sink.set(
            Factor::ForBaby,
            1.0,
            vec![format!("\"{word}\" in its name")],
        );
    }
    let for_baby = sink.ev[Factor::ForBaby as usize].value > 0.0;
    let treatment = name_hits
        .first_listed(Key::AudienceTreatmentStep)
        .map(|h| vocabulary.phrase(&h).trim_matches('*').to_string())
        .or_else(|| {
            // A strength in the name ("2% + B5"), unless the product is
            // made for babies ("with 1% colloidal oatmeal").
            strength_in_name(&ctx.name.text)
                .filter(|p| !for_baby && *p <= env.tables.audience.treatment_percent_up_to)
                .map(|p| format!("{}%", fmt_percent(p)))
        });
    if let Some(word) = treatment {
        sink.set(
            Factor::NotForInfants,
            1.0,
            vec![format!(
                "\"{word}\" in its name: a treatment serum, not an infant product"
            )],
        );
    } else if let Some(word) = name_hits
        .first_listed(Key::AudienceNotForInfants)
        .map(|h| vocabulary.phrase(&h).trim_matches('*').to_string())
    {
        sink.set(
            Factor::NotForInfants,
            1.0,
            vec![format!("named \"{word}\"")],
        );
    }
    if profile.kind == Kind::Makeup {
        sink.set(Factor::Makeup, 1.0, vec!["tinted or make-up".into()]);
    }
}

/// True soap, irritants no grade shows, and clay with a strong surfactant.
fn irritant_evidence(env: &Env<'_>, scan: &mut Scan, sink: &mut Sink) {
    if let Some(i) = scan.soap {
        sink.set(
            Factor::Soap,
            1.0,
            vec![format!("a true soap: {}", env.at(i))],
        );
    } else if let (Some(f), Some(a)) = (scan.fatty_acid, scan.alkali) {
        sink.set(
            Factor::Soap,
            1.0,
            vec![format!(
                "a true soap made in the bottle: {} with {}",
                env.at(f),
                env.at(a)
            )],
        );
    }
    let (mut hi, mut hb) = load(&mut scan.hidden, |i| env.ev(i));
    if let (Some(c), Some(su)) = (scan.clay, scan.strong_surfactant) {
        hi += env.tables.irritant.clay_with_surfactant;
        hb.push(format!("{} with {}", env.label_of(c), env.label_of(su)));
    }
    sink.set(Factor::HiddenIrritant, hi, hb);
}

/// Whether the list can be trusted, and the claim it contradicts.
struct Trust {
    recognised: f64,
    unusable: Option<String>,
    claim_conflict: Option<String>,
}

/// How much of the list is recognised, whether it is usable at all, a short
/// fragrance-free list, and a "non-comedogenic" claim the list contradicts.
fn trust_evidence(env: &Env<'_>, scan: &mut Scan, sink: &mut Sink) -> Trust {
    let (list, ctx, tables, vocabulary) = (env.list, env.ctx, env.tables, env.vocabulary);
    let recognised = if scan.top10 == 0 {
        0.0
    } else {
        scan.recognised_top10 as f64 / scan.top10 as f64
    };
    // The raw ingredient text is scanned for its phrases once.
    let text_hits = vocabulary.ingredients.scan(&ctx.ingredients.to_lowercase());
    let not_a_list = text_hits
        .first_listed(Key::NotAList)
        .map(|h| vocabulary.phrase(&h));
    let unusable = if list.is_empty() {
        Some("no usable ingredient list".to_string())
    } else if let Some(p) = not_a_list {
        Some(format!(
            "the ingredient text says what is not inside (\"{p}\"), not what is"
        ))
    } else if recognised < tables.confidence.usable_from {
        Some(format!(
            "ingredient list mostly unrecognised ({:.0}% of the first ten)",
            recognised * 100.0
        ))
    } else {
        partial_list(list, env.kb, ctx, &text_hits)
    };
    if let Some(why) = unusable.clone() {
        sink.set(Factor::NoIngredients, 1.0, vec![why]);
    } else if scan.fragrance.is_empty()
        && scan.essential.is_empty()
        && scan.allergens.is_empty()
        && scan.aromatic.is_none()
        && scan.scent.is_empty()
    {
        minimal_evidence(list, tables, sink);
    }
    let claims_clean = ctx
        .claims
        .hits
        .of(Key::ClaimNonComedogenic)
        .chain(ctx.name.hits.of(Key::ClaimNonComedogenic))
        .min_by_key(|h| h.index)
        .map(|h| vocabulary.phrase(h));
    let claim_conflict = match (claims_clean, scan.conflict.take()) {
        (Some(claim), Some(what)) if !env.rinse_off && unusable.is_none() => {
            Some(format!("claims {claim} but has {what}"))
        }
        _ => None,
    };
    Trust {
        recognised,
        unusable,
        claim_conflict,
    }
}

/// A short list with no fragrance counts as minimal.
fn minimal_evidence(list: &ParsedList, tables: &tables::Tables, sink: &mut Sink) {
    let m = &tables.minimal;
    let n = list.len() as f64;
    let short = ((m.none_at - n) / (m.none_at - m.full_at)).clamp(0.0, 1.0);
    if short > 0.0 {
        sink.set(
            Factor::Minimal,
            short,
            vec![format!(
                "{} ingredient{}, no fragrance",
                list.len(),
                if list.len() == 1 { "" } else { "s" }
            )],
        );
    }
}

/// A list that is recognised but cannot be the whole formula: only the
/// sun filters of a drug-facts panel, a lone footnote, or one or two names
/// the product name does not mention ("100% Squalane" with `squalane` is
/// whole; a cream listing only `niacinamide` is not).
fn partial_list(
    list: &ParsedList,
    kb: &KnowledgeBase,
    ctx: &Context<'_>,
    text_hits: &Hits,
) -> Option<String> {
    let known: Vec<&IngredientFacts> = list
        .items
        .iter()
        .filter_map(|i| i.id)
        .map(|id| kb.facts(id))
        .collect();
    let filters = Classes::UV_FILTER_MINERAL | Classes::UV_FILTER_CHEMICAL;
    if list.len() <= 6 && !known.is_empty() && known.iter().all(|f| f.classes.any(filters)) {
        return Some("only the active sun filters are listed, not the whole formula".into());
    }
    // Marketing names ("extracts of bearberry") are not an INCI list.
    let vocabulary = vocabulary::builtin();
    let marketing = text_hits.of(Key::MarketingName).count();
    if marketing >= 2 {
        return Some("the list gives marketing names, not INCI names".into());
    }
    // A kit's field holds several lists: each starts again with water.
    let restarts = list
        .items
        .iter()
        .filter(|i| {
            let n = list.name(i);
            vocabulary.phrases(Key::ListStart).any(|w| w == n)
        })
        .count();
    if restarts >= 2 {
        return Some("the field holds several products' lists (a kit)".into());
    }
    // An oil whose list has no oil is another product's list.
    if profile_is_oil(ctx.profile) {
        let oily = Classes::HEAVY_OIL
            | Classes::LIGHT_OIL
            | Classes::EMOLLIENT_ESTER
            | Classes::BUTTER
            | Classes::OCCLUSIVE
            | Classes::SILICONE
            | Classes::WAX;
        let has_oil = list
            .items
            .iter()
            .take(5)
            .filter_map(|i| i.id)
            .any(|id| kb.facts(id).classes.any(oily));
        if !has_oil && list.len() >= 3 {
            return Some("an oil whose list names no oil: not this product's list".into());
        }
    }
    if ctx.ingredients.trim_start().starts_with('*') && list.len() <= 2 {
        return Some("only a footnote, not an ingredient list".into());
    }
    // One or two names can be a whole product when they are its base (an
    // oil, a butter, petrolatum, thermal water); otherwise they are an
    // excerpt, unless the product name names them.
    let base = Classes::OCCLUSIVE
        | Classes::HEAVY_OIL
        | Classes::LIGHT_OIL
        | Classes::WAX
        | Classes::BUTTER
        | Classes::SOLVENT
        | Classes::HUMECTANT
        | Classes::EMOLLIENT_ESTER;
    if list.len() <= 2 && !known.iter().any(|f| f.classes.any(base)) {
        let name = &ctx.name.text;
        let named = known.iter().any(|f| {
            std::iter::once(&f.name)
                .chain(f.aliases.iter())
                .filter_map(|n| n.split([' ', '-']).next())
                .any(|w| w.len() >= 4 && name.contains(w))
        });
        if !named {
            return Some(format!(
                "{} name(s) only, none in the product name: not the whole list",
                list.len()
            ));
        }
    }
    None
}

/// A product that is an oil: a face oil, or a cleansing oil.
fn profile_is_oil(p: &Profile) -> bool {
    p.kind == Kind::FaceOil || (p.kind == Kind::Cleanser && p.texture == Some(Texture::Oil))
}

/// Whether a list is printed in alphabetical order, also after one to three
/// leading actives ("Benzoyl Peroxide 10%, then the inactive ingredients A
/// to Z"): at least 85% of neighbouring pairs in order, and a real majority
/// (90%) of all pairs, so that a descending list with a few runs in order
/// is not taken for one.
pub fn is_alphabetical(list: &ParsedList) -> bool {
    /// Pairs are counted over this many names at most.
    const PAIRS_OVER: usize = 120;
    let names: Vec<&str> = list.items.iter().map(|i| list.name(i)).collect();
    if names.len() < 6 {
        return false;
    }
    // Neighbouring pairs in order from each of the first four places on:
    // the pairs are compared once, not once per skip.
    let mut ordered_from = [0usize; 4];
    let mut count = 0usize;
    for i in (0..names.len() - 1).rev() {
        count += usize::from(names[i] < names[i + 1]);
        if i < 4 {
            ordered_from[i] = count;
        }
    }
    (0..=3).any(|skip| {
        let rest = names.get(skip..).unwrap_or(&[]);
        if rest.len() < 6 {
            return false;
        }
        if ordered_from[skip] * 100 < (rest.len() - 1) * 85 {
            return false;
        }
        let head = &rest[..rest.len().min(PAIRS_OVER)];
        let mut in_order = 0usize;
        for (i, a) in head.iter().enumerate() {
            in_order += head[i + 1..].iter().filter(|b| a < *b).count();
        }
        let pairs = head.len() * (head.len() - 1) / 2;
        in_order * 10 >= pairs * 9
    })
}

/// The smallest percentage stated in a product name ("Hyaluronic Acid 2% +
/// B5"), if any.
fn strength_in_name(name: &str) -> Option<f64> {
    // Product names are short; a field of hostile length is not searched.
    if name.len() > 400 || !name.contains('%') {
        return None;
    }
    let bytes = name.as_bytes();
    let mut least: Option<f64> = None;
    for (i, _) in name.match_indices('%') {
        let mut j = i;
        while j > 0 && bytes[j - 1] == b' ' {
            j -= 1;
        }
        let end = j;
        while j > 0 && (bytes[j - 1].is_ascii_digit() || bytes[j - 1] == b'.') {
            j -= 1;
        }
        if let Ok(p) = name[j..end].parse::<f64>() {
            if p > 0.0 && least.is_none_or(|q| p < q) {
                least = Some(p);
            }
        }
    }
    least
}

/// Formats a percentage or factor without trailing zeros.
pub fn fmt_percent(p: f64) -> String {
    let s = format!("{p:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Where each phrase of `key` (or only the one at `index` of its list)
/// first stands in a scanned name.
fn first_places(hits: &Hits, key: Key, index: Option<u16>) -> Vec<usize> {
    let mut firsts: Vec<(u16, usize)> = Vec::new();
    for h in hits.of(key).filter(|h| index.is_none_or(|i| h.index == i)) {
        match firsts.iter_mut().find(|(i, _)| *i == h.index) {
            Some(f) => f.1 = f.1.min(h.start),
            None => firsts.push((h.index, h.start)),
        }
    }
    firsts.into_iter().map(|(_, at)| at).collect()
}

/// A percentage stated in a product name next to a keyword, given where
/// the keywords stand ("10% Glycolic", "Retinol 1%", "2% BHA").
fn percent_near(name: &str, words_at: &[usize]) -> Option<f64> {
    // Product names are short; a field of hostile length is not searched.
    if name.len() > 400 {
        return None;
    }
    if !name.contains('%') || words_at.is_empty() {
        return None;
    }
    let bytes = name.as_bytes();
    let mut best: Option<(usize, f64)> = None;
    for (i, _) in name.match_indices('%') {
        let mut j = i;
        while j > 0 && bytes[j - 1] == b' ' {
            j -= 1;
        }
        let end = j;
        while j > 0 && (bytes[j - 1].is_ascii_digit() || bytes[j - 1] == b'.') {
            j -= 1;
        }
        let Ok(p) = name[j..end].parse::<f64>() else {
            continue;
        };
        // Distance to the nearest keyword.
        let dist = words_at
            .iter()
            .map(|&at| {
                if at > i {
                    at - i
                } else {
                    j.saturating_sub(at + 1)
                }
            })
            .min()
            .unwrap_or(usize::MAX);
        if dist <= 25 && best.is_none_or(|(d, _)| dist < d) {
            best = Some((dist, p));
        }
    }
    best.map(|(_, p)| p).filter(|p| *p <= 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reading as first written: neighbouring pairs counted afresh
    /// for each skip.
    fn alphabetical_reference(list: &ParsedList) -> bool {
        let names: Vec<&str> = list.items.iter().map(|i| list.name(i)).collect();
        (0..=3).any(|skip| {
            let rest = names.get(skip..).unwrap_or(&[]);
            if rest.len() < 6 {
                return false;
            }
            let ordered = rest.windows(2).filter(|w| w[0] < w[1]).count();
            if ordered * 100 < (rest.len() - 1) * 85 {
                return false;
            }
            let head = &rest[..rest.len().min(120)];
            let mut in_order = 0usize;
            for (i, a) in head.iter().enumerate() {
                in_order += head[i + 1..].iter().filter(|b| a < *b).count();
            }
            in_order * 10 >= head.len() * (head.len() - 1) / 2 * 9
        })
    }

    proptest::proptest! {
        /// Counting neighbouring pairs once gives the reading of counting
        /// them per skip, on lists in order, nearly in order and not.
        #[test]
        fn alphabetical_reads_as_the_per_skip_count(
            mut names in proptest::collection::vec("[a-z]{1,4}", 0..40),
            lead in proptest::collection::vec("[a-z]{1,4}", 0..4),
            sort in proptest::bool::ANY,
            swaps in proptest::collection::vec((0usize..40, 0usize..40), 0..4),
        ) {
            if sort {
                names.sort();
                for (a, b) in swaps {
                    if a < names.len() && b < names.len() {
                        names.swap(a, b);
                    }
                }
            }
            let label = lead.iter().chain(&names).cloned().collect::<Vec<_>>().join(", ");
            let list = crate::inci::parse_list(&label, &KnowledgeBase::builtin());
            proptest::prop_assert_eq!(is_alphabetical(&list), alphabetical_reference(&list));
        }
    }

    #[test]
    fn percent_in_name() {
        let pct = |name: &str, key: Key| {
            let s = Scanned::product(name);
            percent_near(&s.text, &first_places(&s.hits, key, None))
        };
        assert_eq!(
            pct("Glycolic Acid 10% Toning Solution", Key::NameAha),
            Some(10.0)
        );
        assert_eq!(
            pct("AHA 30% + BHA 2% Peeling Solution", Key::NameBha),
            Some(2.0)
        );
        assert_eq!(
            pct("AHA 30% + BHA 2% Peeling Solution", Key::NameAha),
            Some(30.0)
        );
        assert_eq!(pct("Retinol 1% in Squalane", Key::NameRetinoid), Some(1.0));
        assert_eq!(pct("Hydrating Cream 5%", Key::NameRetinoid), None);
        // A keyword inside another word is no keyword: "pha" in "alpha".
        assert_eq!(pct("Alpha 10% Cream", Key::NamePha), None);
    }

    /// The features of one product, scored with the built-in data.
    fn features_of(name: &str, category: &str, ingredients: &str) -> Features {
        let kb = KnowledgeBase::builtin();
        let input = crate::model::ProductInput {
            described: crate::model::Described {
                name,
                category,
                ..Default::default()
            },
            claims: "",
            ingredients,
        };
        crate::model::assess(&input, &kb, &[]).features
    }

    #[test]
    fn classes_of_the_knowledge_base_decide_the_actives() {
        // Acne actives (class `acne-active`), under any of their names.
        for active in ["Benzoyl Peroxide", "Sulphur", "Azelaic Acid"] {
            let f = features_of(
                "Clearing Gel",
                "Treatment",
                &format!("Aqua, Glycerin, {active}, Carbomer, Phenoxyethanol, Sodium Hydroxide"),
            );
            assert_eq!(f.value(Factor::StrongAcid), 1.0, "{active}");
        }
        // A prescription retinoid is strong at any strength, named by an alias.
        let f = features_of(
            "Night Gel",
            "Treatment",
            "Aqua, Glycerin, Retinoic Acid, Carbomer, Phenoxyethanol, Sodium Hydroxide",
        );
        assert_eq!(f.value(Factor::StrongRetinoid), 1.0);
        // A mild retinoid counts half and is never strong.
        let f = features_of(
            "Night Cream",
            "Moisturiser",
            "Aqua, Retinyl Palmitate 2%, Glycerin, Carbomer, Phenoxyethanol, Sodium Hydroxide",
        );
        assert_eq!(f.value(Factor::Retinoid), 0.5);
        assert_eq!(f.value(Factor::StrongRetinoid), 0.0);
        // Retinol is strong from the percentage model.toml gives it.
        let f = features_of(
            "Night Serum",
            "Serum",
            "Aqua, Squalane, Retinol 0.5%, Carbomer, Phenoxyethanol, Sodium Hydroxide",
        );
        assert_eq!(f.value(Factor::StrongRetinoid), 1.0);
        // A pH adjuster low in the list is not an exfoliant; glycolic acid is.
        let list = |acid: &str| {
            format!(
                "Aqua, Glycerin, Butylene Glycol, Niacinamide, {acid}, Carbomer, Phenoxyethanol"
            )
        };
        assert_eq!(
            features_of("Daily Toner", "Toner", &list("Citric Acid")).value(Factor::GentleAcid),
            0.0
        );
        assert!(
            features_of("Daily Toner", "Toner", &list("Glycolic Acid")).value(Factor::GentleAcid)
                > 0.0
        );
        // Peel strength is one rule for a strength on the label and in the
        // name: an AHA from 12%.
        let plain = "Aqua, Glycerin, Butylene Glycol, Niacinamide, Carbomer, Phenoxyethanol";
        let named = features_of("Glycolic 12% Toner", "Toner", plain);
        assert_eq!(named.value(Factor::StrongAcid), 1.0);
        let listed = features_of(
            "Daily Toner",
            "Toner",
            "Aqua, Glycolic Acid 12%, Glycerin, Niacinamide, Carbomer, Phenoxyethanol",
        );
        assert_eq!(listed.value(Factor::StrongAcid), 1.0);
        let gentle = features_of("Glycolic 11% Toner", "Toner", plain);
        assert_eq!(
            (
                gentle.value(Factor::StrongAcid),
                gentle.value(Factor::GentleAcid)
            ),
            (0.0, 1.0)
        );
        // A UVA filter makes a sunscreen broad-spectrum; a UVB filter alone does not.
        let sun = |filter: &str| {
            features_of(
                "Sun Fluid SPF 30",
                "Sunscreen",
                &format!("Aqua, {filter}, Glycerin, Carbomer, Phenoxyethanol, Tocopherol"),
            )
            .value(Factor::BroadSpectrum)
        };
        assert_eq!(sun("Avobenzone"), 1.0);
        assert_eq!(sun("Ethylhexyl Methoxycinnamate"), 0.0);
        // Gentle particles (jojoba beads) do not scrub; walnut shell does.
        let wash = |particle: &str| {
            features_of(
                "Daily Face Wash",
                "Cleanser",
                &format!(
                    "Aqua, {particle}, Sodium Laureth Sulfate, Glycerin, Phenoxyethanol, Parfum"
                ),
            )
            .value(Factor::Scrub)
        };
        assert_eq!(wash("Jojoba Esters"), 0.0);
        assert!(wash("Juglans Regia Shell Powder") > 0.0);
    }

    /// Fragrance by another name, on real labels: a botanical there for its
    /// scent anywhere in the list is added fragrance, confirmed by declared
    /// allergens; a calming gel without one is not scented, and benzyl
    /// alcohol alone is a preservative.
    #[test]
    fn scented_botanicals_are_fragrance_wherever_they_stand() {
        let t = tables::builtin();
        let lavender = features_of(
            "Calm Water Gel Moisturizer",
            "Moisturizers",
            "Water, Glycerin, Aloe Barbadensis (Aloe) Leaf Juice, Dimethicone, Butylene Glycol, \
             Pyrus Malus (Apple) Fruit Extract, 1,2-Hexanediol, Diethylhexyl Carbonate, \
             Opuntia Ficus-Indica Stem Extract, Sodium Hyaluronate, Dipotassium Glycyrrhizate, \
             Hydrolyzed Sodium Hyaluronate, Lavandula Angustifolia (Lavender) Flower Extract, \
             Stearyl Heptanoate, Cetyl PEG/PPG-10/1 Dimethicone, Hydroxyacetophenone, Sea Salt, \
             Dimethicone Crosspolymer, Stearyl Caprylate, Potassium Sorbate, Citric Acid, \
             Sodium Benzoate, Disodium Phosphate, Linalool, Limonene.",
        );
        assert_eq!(lavender.value(Factor::Fragrance), t.scent.confirmed);
        let why = lavender.evidence(Factor::Fragrance).because.join(" ");
        assert!(
            why.contains("scented with lavandula angustifolia flower extract (#13) and linalool"),
            "{why}"
        );
        assert_eq!(lavender.value(Factor::Minimal), 0.0);
        // A fruit's scent without a declared allergen still counts, less.
        let tangerine = features_of(
            "Balance Facial Spritz",
            "Mist",
            "['glycerin', 'gentiana lutea (gentian) root extract', 'rhodiola rosea root extract', \
             'silybum marianum extract', 'citrus tangerina extract', 'aspalathus linearis leaf extract', \
             'aloe barbadenis extract', 'ascorbic acid', 'sodium benzoate', 'potassium sorbate', \
             'sodium hydroxide', 'polysorbate-20', 'sodium lactate', 'phenoxyethanol']",
        );
        assert_eq!(tangerine.value(Factor::Fragrance), t.scent.botanical);
        // Negative: a lavender-free calming gel, and a lemon fruit extract
        // (an acid source, not a scent), are not scented.
        let calm = features_of(
            "Squalane + Probiotic Gel Moisturizer",
            "Moisturizer",
            "Water, Squalane, Glycerin, Dimethicone, Pentylene Glycol, Ammonium \
             Acryloyldimethyltaurate/VP Copolymer, Lactococcus Ferment Lysate, Caprylic/Capric \
             Triglyceride, Phenoxyethanol, Caprylyl Glycol, Dimethiconol, Chondrus Crispus Extract, \
             Allantoin, Bisabolol, Sodium Hyaluronate, Citrus Limon Fruit Extract, Sodium Benzoate",
        );
        assert_eq!(calm.value(Factor::Fragrance), 0.0);
        assert_eq!(calm.value(Factor::Allergens), 0.0);
        let preserved = features_of(
            "Eye Serum",
            "Eye Care",
            "['aloe barbadenis extract', 'sesamium indicum seed oil', 'cetearyl alcohol', \
             'glycerin', 'ceteareth 20', 'cetyl alcohol', 'tocopherol', 'xanthan gum', \
             'citric acid', 'phenoxyethanol', 'benzyl alcohol']",
        );
        assert_eq!(preserved.value(Factor::Fragrance), 0.0);
        assert_eq!(preserved.value(Factor::Allergens), 0.0);
    }

    /// A true soap: fatty-acid salts, or a fatty acid with potassium
    /// hydroxide high in the list; isethionates and stearic acid with a pH
    /// adjuster at the end are not.
    #[test]
    fn soaps_formed_in_the_bottle_are_true_soaps() {
        let salts = features_of(
            "Rinse-Off Foaming Cleanser",
            "Cleanser",
            "Water , Potassium Myristate , Glycerin , Potassium Behenate , Sodium Methyl Cocoyl \
             Taurate , Potassium Palmitate , Potassium Laurate , Potassium Sterate , Peg-3 \
             Distearate , Butylene Glycol , Sodium Hyaluronate , Disodium Edta , Phenoxyethanol",
        );
        assert_eq!(salts.value(Factor::Soap), 1.0);
        assert!(salts.evidence(Factor::Soap).because[0]
            .contains("a true soap: potassium myristate at #2"));
        let in_bottle = features_of(
            "Treatment Cleansing Foam",
            "Cleanser",
            "Water, Glycerin, Stearic Acid, Myristic Acid, Potassium Hydroxide, Lauric Acid, Peg-8, \
             Sodium Myristoyl Glutamate, Glyceryl Stearate, Peg-32, Sorbitol, Cocamidopropyl Betaine",
        );
        assert_eq!(in_bottle.value(Factor::Soap), 1.0);
        let why = &in_bottle.evidence(Factor::Soap).because[0];
        assert!(
            why.contains("stearic acid at #3 with potassium hydroxide at #5"),
            "{why}"
        );
        // Sodium cocoyl isethionate is a syndet, not a soap; stearic acid
        // with sodium hydroxide far down is a cream's pH adjustment.
        for (name, list) in [
            (
                "Face Cleanser",
                "['sodium cocoyl isethionate', 'glycerin', 'stearic acid', 'aloe barbadenis extract', \
                 'stearyl alcohol', 'sodium pca', 'camellia sinensis extract', 'allantoin', \
                 'hydroxypropyl methylcellulose', 'disodium cocoamphodiacetate', 'coco glucoside', \
                 'glyceryl stearate', 'disodium edta', 'caprylyl glycol', 'phenoxyethanol']",
            ),
            (
                "Daily Moisturizing Lotion",
                "Water, Glycerin, Stearic Acid, Caprylic/Capric Triglyceride, Cetyl Alcohol, \
                 Glyceryl Stearate, Dimethicone, Panthenol, Allantoin, Carbomer, Phenoxyethanol, \
                 Sodium Hydroxide",
            ),
        ] {
            assert_eq!(
                features_of(name, "Cleanser", list).value(Factor::Soap),
                0.0,
                "{name}"
            );
        }
        // In a leave-on stick sodium stearate is the gelling agent.
        let stick = features_of(
            "Kona Eye Stick",
            "Eye Care",
            "Propylene Glycol, Water, Sodium Stearate, Caffeine, Glycerin, Coffea Arabica Seed Oil",
        );
        assert_eq!(stick.value(Factor::Soap), 0.0);
    }

    /// A treatment step is no infant product: its words or a strength in
    /// the name; hyaluronic acid in a moisturiser's list or name is not.
    #[test]
    fn treatment_steps_are_not_for_infants() {
        let list = "Aqua, Sodium Hyaluronate, Panthenol, Glycerin, Pentylene Glycol, Propanediol, \
                    Phenoxyethanol";
        for name in [
            "The Ordinary Hyaluronic Acid 2% + B5 Hydration Support Formula 30ml",
            "Hydrating Booster",
            "Ceramide Ampoule",
            "Niacinamide 10% + Zinc 1%",
        ] {
            let f = features_of(name, "Moisturiser", list);
            assert_eq!(f.value(Factor::NotForInfants), 1.0, "{name}");
            assert!(
                f.evidence(Factor::NotForInfants).because[0]
                    .contains("a treatment serum, not an infant product"),
                "{name}"
            );
        }
        for name in [
            "Green Tea Hyaluronic Acid Hydrating Moisturizer",
            "The Ordinary 100% Cold Pressed Virgin Marula Oil 30ml",
            "Baby Moisturising Lotion with 1% Colloidal Oatmeal",
        ] {
            assert_eq!(
                features_of(name, "Moisturiser", list).value(Factor::NotForInfants),
                0.0,
                "{name}"
            );
        }
    }

    /// Bakuchiol sold as "phyto-retinol" earns no retinoid credit; retinol
    /// does.
    #[test]
    fn a_phyto_retinol_is_no_retinoid() {
        let list = "Water, Squalane, Niacinamide, Sodium Acrylates Copolymer, Bakuchiol, \
                    Sodium Hyaluronate, Rosa Canina Fruit Oil, Phenoxyethanol";
        for name in [
            "Squalane + Phyto-Retinol Serum",
            "Bakuchiol Retinol Alternative Serum",
        ] {
            assert_eq!(
                features_of(name, "Treatment", list).value(Factor::Retinoid),
                0.0,
                "{name}"
            );
        }
        assert!(features_of("Retinol Serum", "Treatment", list).value(Factor::Retinoid) > 0.0);
    }

    /// A retinoid with acids near the eyes adds up, however low the acids
    /// stand; a marketing-name list is not trusted.
    #[test]
    fn stacked_actives_and_marketing_names_near_the_eyes() {
        let stacked = features_of(
            "Ferulic + Retinol Triple Correction Eye Serum",
            "Eye cream",
            "Water, Propylene Glycol, Ethoxydiglycol, Centella Asiatica Extract, Glycyrrhiza Glabra \
             (Licorice) Root Extract, Ferulic Acid, Retinol, Potassium Azeloyl Diglycinate, \
             Arctostaphylos Uva Ursi Leaf Extract, Arbutin, Morus Nigra Fruit Extract, Salix Alba \
             (Willow) Bark Extract, Quercetin, Caffeine, Ubiquinone, Sodium Hyaluronate, Salicylic \
             Acid, Glycolic Acid, Mandelic Acid, Panthenol, Butylene Glycol, Glycerin",
        );
        assert_eq!(stacked.value(Factor::MultiActive), 1.0);
        let why = &stacked.evidence(Factor::MultiActive).because[0];
        assert!(
            why.starts_with("retinol with three acids near the eyes"),
            "{why}"
        );
        // An eye serum with a mild retinoid and no acid is no stack.
        let single = features_of(
            "Vitamin A Eye Serum",
            "Eye cream",
            "Water, Butylene Glycol, Glycerin, Pentylene Glycol, Potassium Hydroxide, Carbomer, \
             Polysorbate 80, Phenoxyethanol, Retinyl Palmitate, Corn (Zea Mays) Oil, Algin, BHT.",
        );
        assert_eq!(single.value(Factor::MultiActive), 0.0);
        let marketing = features_of(
            "Eye Lift Firming Treatment",
            "Eye cream",
            "Hyaluronic Acid Spheres, Hyaluronic Acid, Immediate Skin Firming Polymer, Isolated, \
             Purified Active Molecule from Oat Kernel Extract, Myrtle Extract, NMF Replenishing \
             Cocktail, Vitamin E, Zinc.",
        );
        assert_eq!(marketing.value(Factor::NoIngredients), 1.0);
    }

    /// An acid in a rinse-off product earns little credit, but the active
    /// caps read it before contact time cuts it.
    #[test]
    fn contact_time_does_not_hide_an_excluded_active() {
        let f = features_of(
            "Daily Glycolic Cleanser",
            "Cleanser",
            "Water/Aqua/Eau, Cocamidopropyl Hydroxysultaine, Glycolic Acid, Glycerin, Peg-6",
        );
        let cap = tables::builtin().caps.active_from;
        assert!(f.value(Factor::GentleAcid) < cap);
        assert!(f.before_contact(Factor::GentleAcid) >= cap);
    }

    /// Sodium chloride's grade 5 was measured on the raw salt: in a mist it
    /// counts little and is not called pore-clogging.
    #[test]
    fn raw_material_grades_are_not_pore_clogging() {
        let mist = features_of(
            "Toleriane Ultra 8 Face Mist",
            "Mist",
            "['glycerin', 'propanediol', 'pentylene glycol', 'allantoin', 'sodium chloride', \
             'carnosine', 'cocamidopropyl betaine', 'citric acid']",
        );
        assert!(mist.comedogenic_raw_only);
        assert!(mist.value(Factor::Comedogenic) < 0.1);
        let why = mist.evidence(Factor::Comedogenic).because.join(" ");
        assert!(why.contains("only as the raw material"), "{why}");
        let oil = features_of(
            "Coconut Face Oil",
            "Oil",
            "Cocos Nucifera Oil, Sodium Chloride, Tocopherol",
        );
        assert!(!oil.comedogenic_raw_only);
    }

    /// The plain-words descriptions `milia-rank concerns` prints restate
    /// the data; they must say what the data says.
    #[test]
    fn factor_descriptions_agree_with_the_data() {
        let t = tables::builtin();
        let spf = Factor::Spf.describe();
        for p in t.spf.curve.iter().filter(|p| p.from > 0.0) {
            assert!(
                spf.contains(&format!("{} at SPF {}", p.value, p.from)),
                "{spf}"
            );
        }
        let strong = Factor::StrongAcid.describe();
        for part in [
            format!("AHA {}%+", t.acid.aha_strong_from_percent),
            format!("BHA over {}%", t.acid.bha_strong_over_percent),
            format!("PHA {}%+", t.acid.pha_strong_from_percent),
        ] {
            assert!(strong.contains(&part), "{strong}: {part}");
        }
        let kb = KnowledgeBase::builtin();
        for f in kb.iter().filter(|f| f.classes.has(Classes::ACNE_ACTIVE)) {
            assert!(strong.contains(&f.name), "{strong}: {}", f.name);
        }
        let retinoid = Factor::StrongRetinoid.describe();
        for (name, p) in &t.retinoid.strong_from_percent_for {
            assert!(retinoid.contains(&format!("{name} {p}%+")), "{retinoid}");
        }
    }

    #[test]
    fn position_weight_falls() {
        let item = |position, percent| Item {
            start: 0,
            end: 0,
            position,
            id: None,
            percent,
            may_contain: false,
        };
        assert_eq!(position_weight(&item(1, None)), 1.0);
        assert!(position_weight(&item(2, None)) > position_weight(&item(10, None)));
        assert!(position_weight(&item(25, None)) < 0.01);
        assert_eq!(position_weight(&item(8, Some(30.0))), 1.0);
    }
}
