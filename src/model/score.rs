//! A concern's score for one product, with the contribution of each factor
//! and the reasons a person reads.

use super::concerns::Concern;
use super::features::{Factor, Features};
use super::product::{Profile, Source};

/// A product's score for one concern.
#[derive(Clone, Debug, PartialEq)]
pub struct ConcernScore {
    /// 0 (worst) to 100 (best), rounded to one decimal.
    pub score: f64,
    /// Every factor's contribution in points, in factor order (zeros left out).
    pub contributions: Vec<(Factor, f64)>,
    /// Why the score was capped, if it was.
    pub capped: Option<String>,
    /// The product fully meets the concern's profile (see
    /// [`super::Thin`]); false where the concern does not say.
    pub meets_profile: bool,
}

/// Scores a product's features for a concern.
pub fn score(concern: &Concern, features: &Features) -> ConcernScore {
    let mut total = concern.base;
    let mut contributions = Vec::new();
    for f in Factor::ALL {
        let c = concern.weight(f) * features.value(f);
        if c != 0.0 {
            contributions.push((f, c));
            total += c;
        }
    }
    let mut s = total.clamp(0.0, 100.0);
    // Caps scale the score (cap x score / 100) rather than clip it, so the
    // order among capped products is kept and they do not pile up at the cap.
    let mut capped = None;
    if features.value(Factor::NoIngredients) > 0.0 {
        s = concern.no_list_cap * s / 100.0;
        capped = Some(format!(
            "scaled to at most {:.0}: no usable ingredient list",
            concern.no_list_cap
        ));
    }
    if let Some(cap) = concern.active_cap {
        let active = [
            Factor::GentleAcid,
            Factor::Pha,
            Factor::StrongAcid,
            Factor::Retinoid,
            Factor::Scrub,
        ]
        .into_iter()
        // Read before contact time cut it: an excluded active stays one
        // in a rinse-off product or a mask.
        .find(|f| features.before_contact(*f) >= super::tables::builtin().caps.active_from);
        if let Some(f) = active {
            s = cap * s / 100.0;
            capped = Some(format!(
                "scaled to at most {cap:.0}: {} is out for {}",
                factor_label(f, features),
                concern.slug
            ));
        }
    }
    let meets_profile = concern
        .thin
        .as_ref()
        .is_some_and(|t| t.met_by(features, s, capped.is_some()));
    ConcernScore {
        score: round1(s),
        contributions,
        capped,
        meets_profile,
    }
}

/// Rounds to one decimal place.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A letter grade (`[grades]` of `catalog/model.toml`): A (80+), B (65+),
/// C (50+), D (35+), E.
pub fn grade(score: f64) -> &'static str {
    super::tables::builtin().grades.letter(score)
}

/// How a factor reads in a reason.
pub fn factor_label(f: Factor, features: &Features) -> &'static str {
    match f {
        Factor::Occlusion => "occlusive: seals the skin",
        Factor::Comedogenic if features.comedogenic_raw_only => {
            "a raw material's grade, not pore-clogging at this strength"
        }
        Factor::Comedogenic => "pore-clogging",
        Factor::Texture => match features.texture_heaviness {
            None => "texture unknown",
            Some(h) if h <= 0.25 => "light",
            Some(h) if h < 0.6 => "medium",
            Some(_) => "heavy",
        },
        Factor::Scrub => "harsh scrub",
        Factor::GentleAcid => "gentle exfoliating acid",
        Factor::Pha => "PHA, the gentlest exfoliant",
        Factor::StrongAcid => "strong acid or acne treatment",
        Factor::Retinoid => "retinoid",
        Factor::StrongRetinoid => "strong retinoid",
        Factor::Fragrance => "fragrance",
        Factor::EssentialOil => "essential oil",
        Factor::Allergens => "fragrance allergens",
        Factor::DryingAlcohol => "drying alcohol",
        Factor::Irritancy => "irritating",
        Factor::Spf => "sun protection",
        Factor::BroadSpectrum => "UVA protection",
        Factor::Hydration => "light hydration",
        Factor::Barrier => "barrier support",
        Factor::Soothing => "soothing",
        Factor::LightOil => "light oil",
        Factor::Contact => "not a daily leave-on",
        Factor::EyeOnly => "an eye product, not for the face",
        Factor::ForBaby => "made for babies",
        Factor::NotForInfants => "an adult product",
        Factor::Soap => "harsh on delicate skin",
        Factor::Makeup => "make-up, not a dedicated sunscreen",
        Factor::HiddenIrritant => "irritant",
        Factor::MultiActive => "actives add up",
        Factor::Minimal => "a short, gentle formula",
        Factor::NoIngredients => "low confidence",
    }
}

/// How many factor reasons a row carries at most.
const MAX_FACTOR_REASONS: usize = 5;

/// The `;`-separated reasons for a concern's score: the factors that moved
/// it most, the texture, then notes on what was inferred or doubtful.
pub fn reasons(cs: &ConcernScore, features: &Features, profile: &Profile) -> String {
    let mut items: Vec<(Factor, f64)> = cs
        .contributions
        .iter()
        .copied()
        .filter(|(f, c)| c.abs() >= 0.5 && *f != Factor::Texture)
        .collect();
    items.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    // Written straight into one string kept on the thread (reasons are
    // formatted for every entry of a full ranking), then copied out at
    // their exact length: a ranking holds them until it writes them.
    REASONS.with_borrow_mut(|out| {
        out.clear();
        write_reasons(cs, items, features, profile, out);
        String::from(out.as_str())
    })
}

thread_local! {
    static REASONS: std::cell::RefCell<String> = std::cell::RefCell::default();
}

fn write_reasons(
    cs: &ConcernScore,
    items: Vec<(Factor, f64)>,
    features: &Features,
    profile: &Profile,
    out: &mut String,
) {
    let push_because = |out: &mut String, f: Factor| {
        for (i, b) in features.evidence(f).because.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(b);
        }
    };
    for (f, c) in items.into_iter().take(MAX_FACTOR_REASONS) {
        if !out.is_empty() {
            out.push_str("; ");
        }
        push_because(out, f);
        out.push_str(" (");
        out.push_str(factor_label(f, features));
        out.push_str(", ");
        push_signed(out, c);
        out.push(')');
    }
    // Texture always, heavy or light.
    if !out.is_empty() {
        out.push_str("; ");
    }
    push_because(out, Factor::Texture);
    let tc = cs
        .contributions
        .iter()
        .find(|(f, _)| *f == Factor::Texture)
        .map_or(0.0, |x| x.1);
    out.push_str(" (");
    out.push_str(factor_label(Factor::Texture, features));
    if tc.abs() >= 0.5 {
        out.push_str(", ");
        push_signed(out, tc);
    }
    out.push(')');
    if profile.texture_source != Source::Column {
        out.push_str(", ");
        out.push_str(profile.texture_source.as_str());
    }
    for note in notes(cs, features, profile) {
        out.push_str("; ");
        out.push_str(&note);
    }
}

/// Notes on the data behind a score.
pub fn notes(cs: &ConcernScore, features: &Features, profile: &Profile) -> Vec<String> {
    let mut out = Vec::new();
    if features.rinse_off {
        out.push("rinsed off: heavy ingredients count less".to_string());
    }
    if features.alphabetical {
        out.push("list in alphabetical order, so places say nothing of amounts".to_string());
    }
    if profile.area_source != Source::Column && profile.area_source != Source::Default {
        out.push(format!(
            "area {} {}",
            profile.area.as_str(),
            profile.area_source.as_str()
        ));
    }
    if profile.spf_source == Source::Name || profile.spf_source == Source::Category {
        out.push(format!("SPF {}", profile.spf_source.as_str()));
    }
    if let Some(c) = &features.claim_conflict {
        out.push(format!("claim conflict: {c}"));
    }
    if let Some(why) = &features.unusable {
        out.push(why.clone());
    }
    if let Some(c) = &cs.capped {
        out.push(c.clone());
    }
    if confidence(features) == "low" {
        out.push("low confidence: ranked after every product with a trusted list".to_string());
    }
    out
}

/// Confidence in a product's scores: high, medium or low.
pub fn confidence(features: &Features) -> &'static str {
    if features.unusable.is_some() {
        "low"
    } else if features.recognised_top10 < super::tables::builtin().confidence.high_from {
        "medium"
    } else {
        "high"
    }
}

#[cfg(test)]
fn signed(c: f64) -> String {
    let mut s = String::new();
    push_signed(&mut s, c);
    s
}

/// Appends `c` to one decimal with its sign, `+` for zero and up.
fn push_signed(out: &mut String, c: f64) {
    match tenths(c) {
        Some(t) => {
            out.push(if t < 0 { '-' } else { '+' });
            push_tenths(out, t.unsigned_abs());
        }
        None => {
            let s = format!("{c:.1}");
            if !s.starts_with('-') {
                out.push('+');
            }
            out.push_str(&s);
        }
    }
}

/// `x` in tenths, where it is a number of sensible size.
fn tenths(x: f64) -> Option<i64> {
    let t = (x * 10.0).round();
    (t.is_finite() && t.abs() < 1e15).then_some(t as i64)
}

/// Appends a count of tenths as `units.tenth`.
fn push_tenths(out: &mut String, a: u64) {
    let mut digits = [0u8; 20];
    let mut n = a / 10;
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(d as char);
    }
    out.push('.');
    out.push((b'0' + (a % 10) as u8) as char);
}

/// Formats with one decimal, as `format!("{x:.1}")` does for the values
/// here, without the slow exact float-formatting path.
pub fn fmt1(x: f64) -> String {
    let mut s = String::with_capacity(8);
    match tenths(x) {
        Some(t) => {
            if t < 0 {
                s.push('-');
            }
            push_tenths(&mut s, t.unsigned_abs());
        }
        None => s = format!("{x:.1}"),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmt1_matches_the_standard_formatting() {
        for x in [
            0.0, 0.04, 0.05, 0.15, -0.05, -0.5, -12.25, 99.95, 100.0, 62.0, -30.0, 7.349, 1e6,
        ] {
            assert_eq!(
                fmt1(x),
                format!("{:.1}", (x * 10.0f64).round() / 10.0),
                "{x}"
            );
        }
        assert_eq!(signed(3.0), "+3.0");
        assert_eq!(signed(-0.04), "-0.0".replace("-0.0", "+0.0"));
    }
}
