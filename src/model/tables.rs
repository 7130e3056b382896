//! The model's number tables, read from `catalog/model.toml` (embedded in
//! the binary) and checked once at start-up. The code asks these tables for
//! its numbers; a reviewer changes them in that one file.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

use super::product::{Kind, Texture};
use crate::knowledge::Classes;

/// The number tables shipped with the binary.
pub const DEFAULT_MODEL_TOML: &str = include_str!("../../catalog/model.toml");

/// How much a list position counts.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// The weight falls by this factor per place.
    pub fall_per_place: f64,
    /// A stated percentage weighs at least percent / this.
    pub full_weight_percent: f64,
    /// Share of its place a "may contain" item weighs.
    pub may_contain: f64,
    /// Weight of every place of an alphabetical list.
    pub alphabetical: f64,
}

/// How far down the list each rule looks (places, 1 = first).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub recognised: u16,
    pub claim_occlusive: u16,
    pub claim_comedogenic: u16,
    pub rinse_off_particles: u16,
    pub acid: u16,
    pub ph_adjuster: u16,
    pub acne_active: u16,
    pub humectant: u16,
    pub light_oil: u16,
    pub barrier: u16,
    pub soothing: u16,
}

/// How a position weight becomes a feature's amount.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub scrub: f64,
    pub scrub_named_at_least: f64,
    pub drying_alcohol: f64,
    pub irritancy: f64,
    pub hydration: f64,
    pub light_oil: f64,
    pub presence: f64,
    pub presence_floor: f64,
    pub mild_retinoid: f64,
    pub essential_oil_each: f64,
    pub allergens_for_full: f64,
}

impl Scale {
    /// The amount of an ingredient present at weight `w` whose strength is
    /// not stated: `presence x w`, between the floor and 1.
    pub fn present(&self, w: f64) -> f64 {
        (self.presence * w).clamp(self.presence_floor, 1.0)
    }
}

/// When a list contradicts a "non-comedogenic" claim.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub occlusive_from_strength: f64,
    pub comedogenic_from_grade: u8,
}

/// Score caps.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caps {
    /// An active feature from this value triggers a concern's active cap.
    pub active_from: f64,
}

/// One point of the SPF curve.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpfPoint {
    pub from: f64,
    pub value: f64,
    pub rise: f64,
}

/// The spf factor by stated SPF.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpfCurve {
    /// The factor of a sun product whose SPF is not stated.
    pub unstated: f64,
    pub curve: Vec<SpfPoint>,
    /// UVA protection resting on a mineral filter of stated strength counts
    /// `mineral_least` plus the rest in proportion up to this percentage.
    pub mineral_full_percent: f64,
    pub mineral_least: f64,
}

impl SpfCurve {
    /// The broad-spectrum share of a mineral UVA filter at `percent`.
    pub fn mineral_share(&self, percent: f64) -> f64 {
        (self.mineral_least + (1.0 - self.mineral_least) * percent / self.mineral_full_percent)
            .clamp(self.mineral_least, 1.0)
    }
}

impl SpfCurve {
    /// The spf factor at a stated SPF.
    pub fn value(&self, spf: f64) -> f64 {
        let i = self.curve.iter().rposition(|p| spf >= p.from).unwrap_or(0);
        let p = &self.curve[i];
        match self.curve.get(i + 1) {
            Some(next) => p.value + p.rise * (spf - p.from) / (next.from - p.from),
            None => p.value,
        }
    }
}

/// A letter grade and the score it starts at.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Letter {
    pub letter: String,
    pub from: f64,
}

/// Letter grades.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grades {
    pub letters: Vec<Letter>,
    pub below: String,
}

impl Grades {
    /// The letter of a score.
    pub fn letter(&self, score: f64) -> &str {
        self.letters
            .iter()
            .find(|l| score >= l.from)
            .map_or(self.below.as_str(), |l| l.letter.as_str())
    }
}

/// Confidence thresholds: shares of the first names recognised.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confidence {
    pub usable_from: f64,
    pub high_from: f64,
}

/// Which exfoliating acid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcidGroup {
    Aha,
    Bha,
    Pha,
}

/// Acid strength.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acid {
    /// A stated strength below this is no active.
    pub active_from_percent: f64,
    pub aha_strong_from_percent: f64,
    pub bha_strong_over_percent: f64,
    pub pha_strong_from_percent: f64,
    /// In a peel product, an acid of the list is strong from this.
    pub peel_product_from_percent: f64,
    /// A stated everyday strength counts its share of this (at least
    /// `least_share`): 5% lactic acid is half of 10%.
    pub aha_full_from_percent: f64,
    pub bha_full_from_percent: f64,
    pub pha_full_from_percent: f64,
    pub least_share: f64,
}

impl Acid {
    /// The share of an everyday acid's feature that a stated strength makes.
    pub fn strength_share(&self, group: AcidGroup, percent: f64) -> f64 {
        let full = match group {
            AcidGroup::Aha => self.aha_full_from_percent,
            AcidGroup::Bha => self.bha_full_from_percent,
            AcidGroup::Pha => self.pha_full_from_percent,
        };
        (percent / full).clamp(self.least_share, 1.0)
    }

    /// Whether an acid at this stated strength is peel strength.
    pub fn strong_at(&self, group: AcidGroup, percent: f64) -> bool {
        match group {
            AcidGroup::Aha => percent >= self.aha_strong_from_percent,
            AcidGroup::Bha => percent > self.bha_strong_over_percent,
            AcidGroup::Pha => percent >= self.pha_strong_from_percent,
        }
    }
}

/// Retinoid strength.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retinoid {
    /// Stated percentage from which a retinoid counts as strong.
    pub strong_from_percent: f64,
    /// Canonical ingredient names that are strong from a lower percentage.
    #[serde(default)]
    pub strong_from_percent_for: BTreeMap<String, f64>,
}

impl Retinoid {
    /// The percentage from which the ingredient `name` counts as strong.
    pub fn strong_from(&self, name: &str) -> f64 {
        self.strong_from_percent_for
            .get(name)
            .copied()
            .unwrap_or(self.strong_from_percent)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OcclusionRule {
    classes: Vec<String>,
    strength: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextureTable {
    unknown: f64,
    heaviness: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindInTexture {
    kind: String,
    texture: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RinseOffTable {
    share: f64,
    kinds: Vec<String>,
    kind_in_texture: Vec<KindInTexture>,
}

/// How long a product stays on the skin, and what that changes.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactTable {
    /// Share of exfoliant and retinoid credit a rinsed-off product keeps.
    pub rinse_off_credit: f64,
    /// ...a wiped-off product (make-up removers).
    pub wipe_off_credit: f64,
    /// ...an occasional product (masks, patches, peels).
    pub occasional_credit: f64,
    /// The `contact` factor of each use: how far it is from a daily leave-on.
    pub rinse_off_factor: f64,
    pub wipe_off_factor: f64,
    pub occasional_factor: f64,
    wipe_off_kinds: Vec<String>,
    occasional_kinds: Vec<String>,
}

/// A hidden irritant: an ingredient class and how far down it counts.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IrritantRule {
    pub class: String,
    pub window: u16,
}

/// Irritants that no grade shows.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IrritantsTable {
    /// Each irritant counts `scale x w` (w its position weight), at most 1 in all.
    pub scale: f64,
    pub rules: Vec<IrritantRule>,
    /// Aromatic flower waters this high count as fragrance.
    pub aromatic_water_window: u16,
    /// A clay with a strong surfactant, both this high, counts this much.
    pub clay_with_surfactant_window: u16,
    pub clay_with_surfactant: f64,
}

/// Several actives together.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivesTable {
    /// Each active group beyond the first adds this to the `multi_active`
    /// factor (at most 1).
    pub each_beyond_first: f64,
    /// An acidic vitamin C this high is an active.
    pub vitamin_c_window: u16,
    /// Soap this high makes a product a true soap...
    pub soap_window: u16,
    /// ...and so does a fatty acid that high with an alkali this high.
    pub soap_alkali_window: u16,
    /// An exfoliating acid counts towards `multi_active` down to this place.
    pub stack_window: u16,
    /// In an eye product, a retinoid with an exfoliating acid makes
    /// `multi_active` at least this.
    pub retinoid_with_acid_near_eyes: f64,
}

/// Fragrance by another name: scented botanicals and declared allergens.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scent {
    /// The fragrance factor of a scented botanical, essential oil or
    /// aromatic water anywhere in a list that names no parfum...
    pub botanical: f64,
    /// ...with a declared allergen (not a preservative) beside it.
    pub confirmed: f64,
    /// Declared allergens alone.
    pub allergens_alone: f64,
}

/// Comedogenic grades measured on the raw material.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comedogenic {
    /// The share of its grade a `raw-grade` ingredient counts.
    pub raw_grade_share: f64,
}

/// Who a product is for.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audience {
    /// A percentage in the name up to this states an active's strength.
    pub treatment_percent_up_to: f64,
}

/// What makes a formula short.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Minimal {
    /// The `minimal` factor is 1 up to this many ingredients...
    pub full_at: f64,
    /// ...and falls evenly to 0 at this many.
    pub none_at: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    minimal: Minimal,
    contact: ContactTable,
    irritants: IrritantsTable,
    actives: ActivesTable,
    scent: Scent,
    comedogenic: Comedogenic,
    audience: Audience,
    position: Position,
    window: Window,
    scale: Scale,
    claim: Claim,
    caps: Caps,
    occlusion: Vec<OcclusionRule>,
    texture: TextureTable,
    rinse_off: RinseOffTable,
    spf: SpfCurve,
    grades: Grades,
    confidence: Confidence,
    acid: Acid,
    retinoid: Retinoid,
}

/// Which products are rinsed off, and how much their loads then count.
#[derive(Clone, Debug)]
pub struct RinseOff {
    /// Share of occlusion, comedogenic load and texture that counts.
    pub share: f64,
    kinds: Vec<Kind>,
    kind_in_texture: Vec<(Kind, Texture)>,
}

impl RinseOff {
    /// Whether a product of this kind and texture is rinsed off.
    pub fn admits(&self, kind: Kind, texture: Option<Texture>) -> bool {
        self.kinds.contains(&kind)
            || self
                .kind_in_texture
                .iter()
                .any(|(k, t)| *k == kind && texture == Some(*t))
    }
}

/// How a product is used: what decides its contact time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    LeaveOn,
    RinseOff,
    WipeOff,
    Occasional,
}

impl Use {
    /// The use in plain words.
    pub fn as_str(self) -> &'static str {
        match self {
            Use::LeaveOn => "leave-on",
            Use::RinseOff => "rinsed off",
            Use::WipeOff => "wiped off",
            Use::Occasional => "used now and then",
        }
    }
}

/// Contact time, checked.
#[derive(Clone, Debug)]
pub struct Contact {
    pub table: ContactTable,
    wipe_off: Vec<Kind>,
    occasional: Vec<Kind>,
}

impl Contact {
    /// The use of a product of this kind; `rinsed` from the rinse-off
    /// table, `occasional_named` from the words of its name.
    pub fn use_of(&self, kind: Kind, rinsed: bool, occasional_named: bool) -> Use {
        if self.wipe_off.contains(&kind) {
            Use::WipeOff
        } else if rinsed {
            Use::RinseOff
        } else if self.occasional.contains(&kind) || occasional_named {
            Use::Occasional
        } else {
            Use::LeaveOn
        }
    }

    /// The share of exfoliant and retinoid credit a use keeps.
    pub fn credit(&self, u: Use) -> f64 {
        match u {
            Use::LeaveOn => 1.0,
            Use::RinseOff => self.table.rinse_off_credit,
            Use::WipeOff => self.table.wipe_off_credit,
            Use::Occasional => self.table.occasional_credit,
        }
    }

    /// The `contact` factor of a use.
    pub fn factor(&self, u: Use) -> f64 {
        match u {
            Use::LeaveOn => 0.0,
            Use::RinseOff => self.table.rinse_off_factor,
            Use::WipeOff => self.table.wipe_off_factor,
            Use::Occasional => self.table.occasional_factor,
        }
    }
}

/// Every number table of the model, checked.
#[derive(Clone, Debug)]
pub struct Tables {
    pub minimal: Minimal,
    pub contact: Contact,
    pub irritants: Vec<(Classes, u16)>,
    pub irritant: IrritantsTable,
    pub actives: ActivesTable,
    pub scent: Scent,
    pub comedogenic: Comedogenic,
    pub audience: Audience,
    pub position: Position,
    pub window: Window,
    pub scale: Scale,
    pub claim: Claim,
    pub caps: Caps,
    occlusion: Vec<(Classes, f64)>,
    heaviness: [f64; Texture::ALL.len()],
    /// Heaviness where no texture is known.
    pub unknown_heaviness: f64,
    pub rinse_off: RinseOff,
    pub spf: SpfCurve,
    pub grades: Grades,
    pub confidence: Confidence,
    pub acid: Acid,
    pub retinoid: Retinoid,
}

impl Tables {
    /// Parses and checks tables from TOML text.
    pub fn from_toml_str(text: &str) -> Result<Tables, String> {
        let f: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut occlusion = Vec::new();
        for rule in &f.occlusion {
            let mut classes = Classes::default();
            for tag in &rule.classes {
                classes.insert(
                    Classes::from_tag(tag)
                        .ok_or_else(|| format!("occlusion: unknown class `{tag}`"))?,
                );
            }
            if classes == Classes::default() {
                return Err("occlusion: a rule names no class".into());
            }
            occlusion.push((classes, rule.strength));
        }
        let mut heaviness = [0.0; Texture::ALL.len()];
        for t in Texture::ALL {
            heaviness[t as usize] = *f
                .texture
                .heaviness
                .get(t.as_str())
                .ok_or_else(|| format!("texture.heaviness: `{}` is missing", t.as_str()))?;
        }
        if let Some(name) = f
            .texture
            .heaviness
            .keys()
            .find(|n| Texture::parse(n).is_none())
        {
            return Err(format!("texture.heaviness: unknown texture `{name}`"));
        }
        let kind = |k: &str| Kind::parse(k).ok_or_else(|| format!("rinse_off: unknown kind `{k}`"));
        let rinse_off = RinseOff {
            share: f.rinse_off.share,
            kinds: f
                .rinse_off
                .kinds
                .iter()
                .map(|k| kind(k))
                .collect::<Result<_, _>>()?,
            kind_in_texture: f
                .rinse_off
                .kind_in_texture
                .iter()
                .map(|kt| {
                    let t = Texture::parse(&kt.texture)
                        .ok_or_else(|| format!("rinse_off: unknown texture `{}`", kt.texture))?;
                    Ok((kind(&kt.kind)?, t))
                })
                .collect::<Result<_, String>>()?,
        };
        let kinds = |list: &[String], what: &str| -> Result<Vec<Kind>, String> {
            list.iter()
                .map(|k| {
                    Kind::parse(k).ok_or_else(|| format!("contact: unknown kind `{k}` in {what}"))
                })
                .collect()
        };
        let contact = Contact {
            wipe_off: kinds(&f.contact.wipe_off_kinds, "wipe_off_kinds")?,
            occasional: kinds(&f.contact.occasional_kinds, "occasional_kinds")?,
            table: f.contact,
        };
        let irritants = f
            .irritants
            .rules
            .iter()
            .map(|r| {
                Classes::from_tag(&r.class)
                    .map(|c| (c, r.window))
                    .ok_or_else(|| format!("irritants: unknown class `{}`", r.class))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let curve = &f.spf.curve;
        if curve.first().is_none_or(|p| p.from != 0.0) {
            return Err("spf.curve: the first point must be from 0".into());
        }
        for w in curve.windows(2) {
            if w[1].from <= w[0].from || (w[0].value + w[0].rise - w[1].value).abs() > 1e-9 {
                return Err(format!(
                    "spf.curve: the point from {} does not rise to the point from {}",
                    w[0].from, w[1].from
                ));
            }
        }
        if f.grades.letters.windows(2).any(|w| w[1].from >= w[0].from) {
            return Err("grades.letters: list them from the highest score down".into());
        }
        if f.minimal.none_at <= f.minimal.full_at {
            return Err("minimal: none_at must be above full_at".into());
        }
        Ok(Tables {
            minimal: f.minimal,
            contact,
            irritants,
            irritant: f.irritants,
            actives: f.actives,
            scent: f.scent,
            comedogenic: f.comedogenic,
            audience: f.audience,
            position: f.position,
            window: f.window,
            scale: f.scale,
            claim: f.claim,
            caps: f.caps,
            occlusion,
            heaviness,
            unknown_heaviness: f.texture.unknown,
            rinse_off,
            spf: f.spf,
            grades: f.grades,
            confidence: f.confidence,
            acid: f.acid,
            retinoid: f.retinoid,
        })
    }

    /// The tables in plain words, as docs/model.md carries them
    /// (a test keeps the two equal).
    pub fn summary(&self) -> String {
        let list = |items: Vec<String>| items.join(", ");
        let mut s = String::new();
        let ct = &self.contact.table;
        s.push_str(&format!(
            "- Contact (`[contact]`): exfoliant and retinoid credit x{} rinsed off, x{} wiped off, \
             x{} used now and then; the contact factor {} rinsed off, {} wiped off, {} now and then.\n",
            ct.rinse_off_credit,
            ct.wipe_off_credit,
            ct.occasional_credit,
            ct.rinse_off_factor,
            ct.wipe_off_factor,
            ct.occasional_factor
        ));
        let ir = &self.irritant;
        s.push_str(&format!(
            "- Hidden irritants (`[irritants]`): {} x w each, {}; aromatic flower waters and \
             essential oils in the first {} places are fragrance; clay with a strong surfactant \
             in the first {} places adds {}.\n",
            ir.scale,
            list(
                ir.rules
                    .iter()
                    .map(|r| format!("{} to #{}", r.class, r.window))
                    .collect()
            ),
            ir.aromatic_water_window,
            ir.clay_with_surfactant_window,
            ir.clay_with_surfactant
        ));
        s.push_str(&format!(
            "- Minimal (`[minimal]`): a fragrance-free list of up to {} ingredients is 1, \
             falling to 0 at {}.\n",
            self.minimal.full_at, self.minimal.none_at
        ));
        let ac = &self.actives;
        s.push_str(&format!(
            "- Actives (`[actives]`): {} per active group beyond the first, an acid counting \
             with a retinoid to #{}, at least {} for a retinoid with an acid in an eye product; \
             L-ascorbic acid counts to #{}; in a rinse-off product a soap to #{}, or a fatty \
             acid to #{} with an alkali to #{}, makes a true soap.\n",
            ac.each_beyond_first,
            ac.stack_window,
            ac.retinoid_with_acid_near_eyes,
            ac.vitamin_c_window,
            ac.soap_window,
            ac.soap_window,
            ac.soap_alkali_window
        ));
        let sc = &self.scent;
        s.push_str(&format!(
            "- Scent (`[scent]`): with no parfum named, a scented botanical, essential oil or \
             aromatic water anywhere in the list makes the fragrance factor {}, {} with a \
             declared allergen that is not a preservative; declared allergens alone {}.\n",
            sc.botanical, sc.confirmed, sc.allergens_alone
        ));
        s.push_str(&format!(
            "- Raw-material grades (`[comedogenic]`): a raw-grade ingredient's comedogenic \
             grade counts x{}.\n",
            self.comedogenic.raw_grade_share
        ));
        s.push_str(&format!(
            "- Audience (`[audience]`): a percentage up to {}% in a name states a treatment's \
             strength.\n",
            self.audience.treatment_percent_up_to
        ));
        let p = &self.position;
        s.push_str(&format!(
            "- Position (`[position]`): weight x{} per place, at least percent / {} \
             when a percentage is stated; may-contain x{}; alphabetical lists {} per place.\n",
            p.fall_per_place, p.full_weight_percent, p.may_contain, p.alphabetical
        ));
        let w = &self.window;
        s.push_str(&format!(
            "- Windows (`[window]`, places from the top): recognised {}, claim occlusive {}, \
             claim comedogenic {}, rinse-off particles {}, acid {}, pH adjuster {}, \
             acne active {}, humectant {}, light oil {}, barrier {}, soothing {}.\n",
            w.recognised,
            w.claim_occlusive,
            w.claim_comedogenic,
            w.rinse_off_particles,
            w.acid,
            w.ph_adjuster,
            w.acne_active,
            w.humectant,
            w.light_oil,
            w.barrier,
            w.soothing
        ));
        let sc = &self.scale;
        s.push_str(&format!(
            "- Scale (`[scale]`, w the position weight): harsh particle min(1, {} x w), \
             at least {} when the name says scrub; drying alcohol {} x w; irritancy {} x the sum of \
             w x grade / 5; humectant {} x w; light oil {} x w; an active, barrier lipid \
             or soothing ingredient without a stated strength {} x w, between {} and 1; \
             mild retinoid x{}; essential oil {} each; {} allergens make 1.\n",
            sc.scrub,
            sc.scrub_named_at_least,
            sc.drying_alcohol,
            sc.irritancy,
            sc.hydration,
            sc.light_oil,
            sc.presence,
            sc.presence_floor,
            sc.mild_retinoid,
            sc.essential_oil_each,
            sc.allergens_for_full
        ));
        s.push_str(&format!(
            "- Claim check (`[claim]`): occlusion strength from {} or comedogenic grade \
             from {}; active caps (`[caps]`) from a feature of {}.\n",
            self.claim.occlusive_from_strength,
            self.claim.comedogenic_from_grade,
            self.caps.active_from
        ));
        s.push_str(&format!(
            "- Occlusion (`[[occlusion]]`, first rule whose classes an ingredient has): {}; \
             anything else 0.\n",
            list(
                self.occlusion
                    .iter()
                    .map(|(c, v)| format!("{} {v}", c.tags().replace('|', " + ")))
                    .collect()
            )
        ));
        s.push_str(&format!(
            "- Texture heaviness (`[texture]`): {}; unknown {}.\n",
            list(
                Texture::ALL
                    .iter()
                    .map(|t| format!("{} {}", t.as_str(), self.heaviness(*t)))
                    .collect()
            ),
            self.unknown_heaviness
        ));
        let r = &self.rinse_off;
        s.push_str(&format!(
            "- Rinse-off (`[rinse_off]`): {}{}: occlusion, comedogenic load and texture x{}.\n",
            list(r.kinds.iter().map(|k| k.as_str().to_string()).collect()),
            r.kind_in_texture
                .iter()
                .map(|(k, t)| format!(", {} in {} texture", k.as_str(), t.as_str()))
                .collect::<String>(),
            r.share
        ));
        s.push_str(&format!(
            "- SPF factor (`[spf]`): {}, evenly between; not stated {}; UVA protection \
             resting on a mineral filter of stated strength {} plus the rest up to {}%.\n",
            list(
                self.spf
                    .curve
                    .iter()
                    .map(|p| format!("{} at SPF {}", p.value, p.from))
                    .collect()
            ),
            self.spf.unstated,
            self.spf.mineral_least,
            self.spf.mineral_full_percent
        ));
        s.push_str(&format!(
            "- Grades (`[grades]`): {}, below that {}.\n",
            list(
                self.grades
                    .letters
                    .iter()
                    .map(|l| format!("{} from {}", l.letter, l.from))
                    .collect()
            ),
            self.grades.below
        ));
        s.push_str(&format!(
            "- Confidence (`[confidence]`): list usable from {} of the first names \
             recognised, high confidence from {}.\n",
            self.confidence.usable_from, self.confidence.high_from
        ));
        let a = &self.acid;
        s.push_str(&format!(
            "- Acids (`[acid]`): active from {}%; peel strength from {}% (AHA), over {}% (BHA), \
             from {}% (PHA), in a peel product from {}%.\n",
            a.active_from_percent,
            a.aha_strong_from_percent,
            a.bha_strong_over_percent,
            a.pha_strong_from_percent,
            a.peel_product_from_percent
        ));
        s.push_str(&format!(
            "- Retinoids (`[retinoid]`): strong from {}%{}.\n",
            self.retinoid.strong_from_percent,
            self.retinoid
                .strong_from_percent_for
                .iter()
                .map(|(n, v)| format!(", {n} from {v}%"))
                .collect::<String>()
        ));
        s
    }

    /// How strongly an ingredient of these classes forms an occlusive film.
    pub fn occlusion_strength(&self, classes: Classes) -> f64 {
        self.occlusion
            .iter()
            .find(|(c, _)| classes.has(*c))
            .map_or(0.0, |(_, s)| *s)
    }

    /// How heavy and film-forming a texture is, 0 (mist) to 1 (ointment).
    pub fn heaviness(&self, t: Texture) -> f64 {
        self.heaviness[t as usize]
    }
}

static BUILTIN: LazyLock<Tables> = LazyLock::new(|| {
    Tables::from_toml_str(DEFAULT_MODEL_TOML)
        .expect("the built-in model tables are valid (checked by tests)")
});

/// The tables embedded in the binary, parsed once.
pub fn builtin() -> &'static Tables {
    &BUILTIN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_tables_load() {
        let t = Tables::from_toml_str(DEFAULT_MODEL_TOML).unwrap();
        assert_eq!(t.retinoid.strong_from("retinol"), 0.5);
        assert_eq!(
            t.retinoid.strong_from("hydroxypinacolone retinoate"),
            t.retinoid.strong_from_percent
        );
        assert_eq!(t.heaviness(Texture::Ointment), 1.0);
        assert_eq!(t.grades.letter(80.0), "A");
        assert_eq!(t.grades.letter(34.9), "E");
        assert_eq!(t.spf.value(15.0), 0.5);
        assert_eq!(t.spf.value(30.0), 0.85);
        assert_eq!(t.spf.value(100.0), 1.0);
        assert!(t.rinse_off.admits(Kind::Mask, Some(Texture::Clay)));
        assert!(!t.rinse_off.admits(Kind::Mask, Some(Texture::Gel)));
    }

    #[test]
    fn bad_tables_are_refused() {
        let bad = DEFAULT_MODEL_TOML.replace("classes = [\"wax\"]", "classes = [\"waxy\"]");
        assert!(Tables::from_toml_str(&bad)
            .unwrap_err()
            .contains("unknown class `waxy`"));
        let bad = DEFAULT_MODEL_TOML.replace("\nointment = 1.0", "");
        assert!(Tables::from_toml_str(&bad)
            .unwrap_err()
            .contains("`ointment` is missing"));
        let bad =
            DEFAULT_MODEL_TOML.replace("value = 0.85, rise = 0.15", "value = 0.85, rise = 0.2");
        assert!(Tables::from_toml_str(&bad)
            .unwrap_err()
            .contains("spf.curve"));
    }

    /// Every ingredient the tables name is a canonical name of the built-in
    /// knowledge base, with the class the table is about; every class an
    /// occlusion rule names is carried by an ingredient there.
    #[test]
    fn names_in_the_tables_are_in_the_knowledge_base() {
        let kb = crate::knowledge::KnowledgeBase::builtin();
        for name in builtin().retinoid.strong_from_percent_for.keys() {
            let id = kb
                .lookup(name)
                .unwrap_or_else(|| panic!("`{name}` is not in catalog/knowledge.csv"));
            let f = kb.facts(id);
            assert_eq!(&f.name, name, "`{name}` is an alias, not a canonical name");
            assert!(f.classes.has(Classes::RETINOID), "{name}");
        }
        for (classes, _) in &builtin().occlusion {
            assert!(
                kb.iter().any(|f| f.classes.has(*classes)),
                "no ingredient has every class of the occlusion rule {}",
                classes.tags()
            );
        }
    }
}
