//! What a product is: its kind, texture, area and SPF, from the catalog's
//! columns or, where they are missing, inferred from category and name.
//! The words that decide are in `catalog/vocabulary.toml`.

use super::vocabulary::{self, Hits, Key, Scanned};

/// The texture of a product, lightest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Texture {
    Mist,
    Water,
    Essence,
    Gel,
    Serum,
    Fluid,
    Foam,
    Powder,
    GelCream,
    Lotion,
    Milk,
    Clay,
    Oil,
    Scrub,
    Cream,
    RichCream,
    Stick,
    Balm,
    Butter,
    Ointment,
}

impl Texture {
    /// Every texture, lightest first.
    pub const ALL: [Texture; 20] = [
        Texture::Mist,
        Texture::Water,
        Texture::Essence,
        Texture::Gel,
        Texture::Serum,
        Texture::Fluid,
        Texture::Foam,
        Texture::Powder,
        Texture::GelCream,
        Texture::Lotion,
        Texture::Milk,
        Texture::Clay,
        Texture::Oil,
        Texture::Scrub,
        Texture::Cream,
        Texture::RichCream,
        Texture::Stick,
        Texture::Balm,
        Texture::Butter,
        Texture::Ointment,
    ];

    /// The texture with this name, as written by [`Texture::as_str`].
    pub fn parse(s: &str) -> Option<Texture> {
        Texture::ALL.iter().copied().find(|t| t.as_str() == s)
    }

    /// The texture's name as written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Texture::Mist => "mist",
            Texture::Water => "water",
            Texture::Essence => "essence",
            Texture::Gel => "gel",
            Texture::Serum => "serum",
            Texture::Fluid => "fluid",
            Texture::Foam => "foam",
            Texture::Powder => "powder",
            Texture::GelCream => "gel-cream",
            Texture::Lotion => "lotion",
            Texture::Milk => "milk",
            Texture::Clay => "clay",
            Texture::Oil => "oil",
            Texture::Scrub => "scrub",
            Texture::Cream => "cream",
            Texture::RichCream => "rich cream",
            Texture::Stick => "stick",
            Texture::Balm => "balm",
            Texture::Butter => "butter",
            Texture::Ointment => "ointment",
        }
    }
}

/// Where a product is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Area {
    Face,
    Eye,
    Body,
    Lip,
    Scalp,
}

impl Area {
    /// The area's name as written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Face => "face",
            Area::Eye => "eye",
            Area::Body => "body",
            Area::Lip => "lip",
            Area::Scalp => "scalp",
        }
    }

    /// Parses an area name.
    pub fn parse(s: &str) -> Option<Area> {
        find_area(&Scanned::product(s).hits)
    }
}

/// What a product is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Cleanser,
    MakeupRemover,
    Toner,
    Serum,
    Moisturiser,
    FaceOil,
    Balm,
    Mask,
    Exfoliant,
    Peel,
    Sunscreen,
    Mist,
    BodyWash,
    Bath,
    LipCare,
    /// Tinted and colour products (CC and BB creams, foundations, primers).
    Makeup,
    /// Supplements, devices, tools, blotting papers: left out of every ranking.
    NotSkincare,
    Other,
}

impl Kind {
    /// The kind's name as written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Cleanser => "cleanser",
            Kind::MakeupRemover => "make-up remover",
            Kind::Toner => "toner",
            Kind::Serum => "serum",
            Kind::Moisturiser => "moisturiser",
            Kind::FaceOil => "oil",
            Kind::Balm => "balm",
            Kind::Mask => "mask",
            Kind::Exfoliant => "exfoliant",
            Kind::Peel => "peel",
            Kind::Sunscreen => "sunscreen",
            Kind::Mist => "mist",
            Kind::BodyWash => "body wash",
            Kind::Bath => "bath",
            Kind::LipCare => "lip care",
            Kind::Makeup => "make-up",
            Kind::NotSkincare => "not skincare",
            Kind::Other => "other",
        }
    }

    /// Every kind (for profiles and documentation).
    pub const ALL: [Kind; 18] = [
        Kind::Cleanser,
        Kind::MakeupRemover,
        Kind::Toner,
        Kind::Serum,
        Kind::Moisturiser,
        Kind::FaceOil,
        Kind::Balm,
        Kind::Mask,
        Kind::Exfoliant,
        Kind::Peel,
        Kind::Sunscreen,
        Kind::Mist,
        Kind::BodyWash,
        Kind::Bath,
        Kind::LipCare,
        Kind::Makeup,
        Kind::NotSkincare,
        Kind::Other,
    ];

    /// Parses a kind name as written by [`Kind::as_str`].
    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim().to_lowercase();
        Kind::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// Where a value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The catalog's own column.
    Column,
    /// Inferred from the category.
    Category,
    /// Inferred from the product name.
    Name,
    /// A default for the kind of product.
    Default,
}

impl Source {
    /// How it reads in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Column => "column",
            Source::Category => "inferred from category",
            Source::Name => "inferred from name",
            Source::Default => "assumed for the kind",
        }
    }
}

/// Sun protection factor as stated or inferred.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Spf {
    /// No sun protection.
    None,
    /// A sun product whose factor is not stated.
    Unstated,
    /// The stated factor.
    Value(f64),
}

/// A product's classification, with where each value came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub kind: Kind,
    pub texture: Option<Texture>,
    pub texture_source: Source,
    pub area: Area,
    pub area_source: Source,
    pub spf: Spf,
    pub spf_source: Source,
}

/// The catalog's descriptive fields for one product.
#[derive(Clone, Copy, Debug, Default)]
pub struct Described<'a> {
    pub name: &'a str,
    pub category: &'a str,
    pub texture: &'a str,
    pub area: &'a str,
    /// The SPF column, already parsed (None where empty).
    pub spf: Option<f64>,
}

/// Classifies a product from its columns, inferring what is missing.
pub fn classify(d: &Described<'_>) -> Profile {
    classify_scanned(d, &Scanned::product(d.name), &Scanned::category(d.category))
}

/// Classifies a product whose name and category are already scanned.
pub fn classify_scanned(d: &Described<'_>, name: &Scanned, category: &Scanned) -> Profile {
    let area_col = (!d.area.trim().is_empty())
        .then(|| find_area(&Scanned::product_repeated(d.area).hits))
        .flatten();
    let name_area = find_area(&name.hits);
    let (area, area_source) = if let Some(a) = area_col {
        (a, Source::Column)
    } else if let Some(a @ (Area::Eye | Area::Lip)) = name_area {
        // "Lip Sleeping Mask" filed under "Face Mask": the name is more specific.
        (a, Source::Name)
    } else if let Some(a) = find_area(&category.hits) {
        (a, Source::Category)
    } else if let Some(a) = name_area {
        (a, Source::Name)
    } else {
        (Area::Face, Source::Default)
    };

    // A specific kind in the name ("Cleansing Balm", "Toner", "Peel") beats
    // a broad category; otherwise the category decides.
    let name_kind = find_kind(name);
    let category_kind = find_kind(category);
    let mut kind = match (name_kind, category_kind) {
        (Some(k), _) if is_specific(k) => k,
        (_, Some(k)) => k,
        (Some(k), None) => k,
        (None, None) => Kind::Other,
    };
    if name.hits.has(Key::NotSkincare) {
        kind = Kind::NotSkincare;
    }
    if kind == Kind::Cleanser && area == Area::Body {
        kind = Kind::BodyWash;
    }
    if area == Area::Lip && matches!(kind, Kind::Other | Kind::Balm | Kind::Moisturiser) {
        kind = Kind::LipCare;
    }

    let texture_col = (!d.texture.trim().is_empty())
        .then(|| find_texture(&Scanned::product_repeated(d.texture)))
        .flatten();
    let (texture, texture_source) = if let Some(t) = texture_col {
        (Some(t), Source::Column)
    } else if let Some(t) = find_texture(name) {
        (Some(t), Source::Name)
    } else if let Some(t) = find_texture(category) {
        (Some(t), Source::Category)
    } else {
        (default_texture(kind), Source::Default)
    };

    let named_spf = find_spf_in(name);
    let not_protection = name.hits.has(Key::SunNotProtection);
    let sun_category = category.hits.has(Key::SunCategory) && !not_protection;
    let (spf, spf_source) = match d.spf {
        Some(v) if v > 0.0 => (Spf::Value(v), Source::Column),
        Some(_) => (Spf::None, Source::Column),
        None => match named_spf {
            Some(Some(v)) => (Spf::Value(v), Source::Name),
            Some(None) if !not_protection => (Spf::Unstated, Source::Name),
            _ if sun_category => (
                find_spf_in(category)
                    .flatten()
                    .map_or(Spf::Unstated, Spf::Value),
                Source::Category,
            ),
            _ => (Spf::None, Source::Default),
        },
    };
    if kind == Kind::Other && !matches!(spf, Spf::None) {
        kind = Kind::Sunscreen;
    }

    Profile {
        kind,
        texture,
        texture_source,
        area,
        area_source,
        spf,
        spf_source,
    }
}

/// Byte offset of `needle` in `hay` at or after `from`: a plain scan, which
/// for the short names and keywords here beats a general searcher's set-up.
fn find_at(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    if hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len())
        .find(|&i| hay[i] == first && &hay[i..i + needle.len()] == needle)
}

/// Kinds that a product name states precisely enough to beat its category.
fn is_specific(k: Kind) -> bool {
    matches!(
        k,
        Kind::Peel
            | Kind::Exfoliant
            | Kind::MakeupRemover
            | Kind::Mask
            | Kind::Toner
            | Kind::Serum
            | Kind::Mist
            | Kind::Cleanser
            | Kind::BodyWash
            | Kind::Bath
            | Kind::LipCare
            | Kind::FaceOil
            | Kind::Balm
            | Kind::Makeup
    )
}

/// True when "oil" names the product ("Face Oil", "Cleansing Oil"), not a
/// property ("Oil-Free", "Oil Control", "Oil-Absorbing", "Zero Oil").
fn names_an_oil(s: &Scanned) -> bool {
    let vocabulary = vocabulary::builtin();
    s.hits.of(Key::OilNoun).any(|h| {
        let rest = s.text[h.end..]
            .trim_start_matches('s')
            .trim_start_matches(['-', ' ']);
        let before = s.text[..h.start].trim_end_matches(['-', ' ']);
        !vocabulary
            .phrases(Key::OilPropertyAfter)
            .any(|w| rest.starts_with(w))
            && !vocabulary
                .phrases(Key::OilPropertyBefore)
                .any(|w| before.ends_with(w))
    })
}

fn find_area(hits: &Hits) -> Option<Area> {
    if hits.has(Key::AreaEye) {
        return Some(Area::Eye);
    }
    let face = hits.has(Key::AreaFace);
    if hits.has(Key::AreaLip) {
        return Some(Area::Lip);
    }
    if hits.has(Key::AreaHeadToToe) {
        return Some(Area::Body);
    }
    if hits.has(Key::AreaScalp) && !face {
        return Some(Area::Scalp);
    }
    if hits.has(Key::AreaBody) && !face {
        return Some(Area::Body);
    }
    if face {
        return Some(Area::Face);
    }
    None
}

/// The kinds named by vocabulary keys, in the order they are checked.
const KIND_WORDS: [(Key, Kind); 13] = [
    (Key::KindMakeupRemover, Kind::MakeupRemover),
    (Key::KindPeelOffMask, Kind::Mask),
    (Key::KindPeel, Kind::Peel),
    (Key::KindMask, Kind::Mask),
    (Key::KindExfoliant, Kind::Exfoliant),
    (Key::KindBath, Kind::Bath),
    (Key::KindBodyWash, Kind::BodyWash),
    (Key::KindCleanser, Kind::Cleanser),
    (Key::KindMakeup, Kind::Makeup),
    (Key::KindSunscreen, Kind::Sunscreen),
    (Key::KindToner, Kind::Toner),
    (Key::KindSerum, Kind::Serum),
    (Key::KindMist, Kind::Mist),
];

fn find_kind(s: &Scanned) -> Option<Kind> {
    let hits = &s.hits;
    if let Some((_, k)) = KIND_WORDS.iter().find(|(key, _)| hits.has(*key)) {
        return Some(*k);
    }
    if hits.has(Key::KindLipCare) && !hits.has(Key::KindLipCareUnless) {
        return Some(Kind::LipCare);
    }
    if hits.has(Key::KindBalm) {
        return Some(Kind::Balm);
    }
    if names_an_oil(s) {
        return Some(Kind::FaceOil);
    }
    if hits.has(Key::KindMoisturiser) {
        return Some(Kind::Moisturiser);
    }
    None
}

/// The texture each vocabulary key names.
const TEXTURE_WORDS: [(Key, Texture); 20] = [
    (Key::TextureGelCream, Texture::GelCream),
    (Key::TextureRichCream, Texture::RichCream),
    (Key::TextureOintment, Texture::Ointment),
    (Key::TextureBalm, Texture::Balm),
    (Key::TextureButter, Texture::Butter),
    (Key::TextureStick, Texture::Stick),
    (Key::TextureCream, Texture::Cream),
    (Key::TextureOil, Texture::Oil),
    (Key::TextureScrub, Texture::Scrub),
    (Key::TextureClay, Texture::Clay),
    (Key::TexturePowder, Texture::Powder),
    (Key::TextureLotion, Texture::Lotion),
    (Key::TextureMilk, Texture::Milk),
    (Key::TextureFoam, Texture::Foam),
    (Key::TextureFluid, Texture::Fluid),
    (Key::TextureSerum, Texture::Serum),
    (Key::TextureGel, Texture::Gel),
    (Key::TextureEssence, Texture::Essence),
    (Key::TextureWater, Texture::Water),
    (Key::TextureMist, Texture::Mist),
];

/// The texture phrase that ends last in the text (names usually end in the
/// noun); on the same end, the longer (more specific) phrase.
fn find_texture(s: &Scanned) -> Option<Texture> {
    let mut best: Option<(usize, usize, Texture)> = None;
    for h in s.hits.all() {
        let Some(&(_, t)) = TEXTURE_WORDS.iter().find(|(k, _)| *k == h.key) else {
            continue;
        };
        if t == Texture::Oil && !names_an_oil(s) {
            continue;
        }
        let len = h.end - h.start;
        let better = match best {
            None => true,
            Some((bend, blen, _)) => h.end > bend || (h.end == bend && len > blen),
        };
        if better {
            best = Some((h.end, len, t));
        }
    }
    best.map(|(_, _, t)| t)
}

fn default_texture(kind: Kind) -> Option<Texture> {
    Some(match kind {
        Kind::Toner | Kind::MakeupRemover => Texture::Water,
        Kind::Serum => Texture::Serum,
        Kind::Moisturiser => Texture::Cream,
        Kind::FaceOil => Texture::Oil,
        Kind::Balm | Kind::LipCare => Texture::Balm,
        Kind::Mist => Texture::Mist,
        Kind::Cleanser | Kind::BodyWash => Texture::Gel,
        Kind::Sunscreen => Texture::Lotion,
        Kind::Peel => Texture::Water,
        Kind::Bath => Texture::Powder,
        Kind::Makeup => Texture::Lotion,
        Kind::Mask | Kind::Exfoliant | Kind::NotSkincare | Kind::Other => return None,
    })
}

/// Finds "SPF 50", "SPF50+", "spf-30", "50 SPF", "50+ SPF": Some(Some(value));
/// "SPF" alone: Some(None); "No SPF", "SPF-free": None.
pub fn find_spf(text: &str) -> Option<Option<f64>> {
    find_spf_in(&Scanned::product(text))
}

/// [`find_spf`] in a text already lowercased and scanned.
fn find_spf_in(s: &Scanned) -> Option<Option<f64>> {
    let lower = s.text.as_str();
    if let Some(v) = spf_after_other_word(lower) {
        return Some(Some(v));
    }
    let Some(at) = has_word_prefix(lower, "spf") else {
        // "Broad Spectrum 50+" or "UV Protector" without the letters SPF.
        if let Some(end) = s
            .hits
            .of(Key::SunNumberAfter)
            .min_by_key(|h| h.start)
            .map(|h| h.end)
        {
            let rest = lower[end..].trim_start_matches([' ', '-', ':']);
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            return Some(
                digits
                    .parse::<f64>()
                    .ok()
                    .filter(|v| *v > 0.0 && *v <= 150.0),
            );
        }
        if s.hits.has(Key::SunNamedProtection) {
            return Some(None);
        }
        return None;
    };
    let before = lower[..at].trim_end();
    if before.ends_with("no")
        || before.ends_with("without")
        || lower[at..].starts_with("spf-free")
        || lower[at..].starts_with("spf free")
    {
        return None;
    }
    let rest = lower[at + 3..].trim_start_matches([' ', '-', ':']);
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let after = rest[digits.len()..].chars().next();
    let unit_follows = after.is_some_and(|c| c.is_ascii_alphabetic());
    if !digits.is_empty() && !unit_follows {
        return Some(
            digits
                .parse::<f64>()
                .ok()
                .filter(|v| *v > 0.0 && *v <= 150.0),
        );
    }
    // "50 SPF", "50+ SPF".
    let b = before.trim_end_matches('+').trim_end();
    let start = b.len() - b.chars().rev().take_while(|c| c.is_ascii_digit()).count();
    let num = &b[start..];
    let word_start = start == 0 || !b.as_bytes()[start - 1].is_ascii_alphanumeric();
    if !num.is_empty() && word_start {
        return Some(num.parse::<f64>().ok().filter(|v| *v > 0.0 && *v <= 150.0));
    }
    Some(None)
}

fn has_word_prefix(text: &str, word: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = find_at(bytes, word.as_bytes(), from) {
        if at == 0 || !bytes[at - 1].is_ascii_alphabetic() {
            let end = at + word.len();
            if end >= bytes.len() || !bytes[end].is_ascii_alphabetic() {
                return Some(at);
            }
        }
        from = at + 1;
    }
    None
}

/// The PA rating of a label ("PA+" to "PA++++", the Japanese and Korean
/// UVA grade) as its number of plus signs.
pub fn pa_rating(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(at) = find_at(bytes, b"pa", from) {
        from = at + 1;
        // "SPF50PA+++" is a rating; "Spa+" is not.
        if at > 0 && bytes[at - 1].is_ascii_alphabetic() {
            continue;
        }
        let rest = lower[at + 2..].trim_start();
        let plus = rest.bytes().take_while(|b| *b == b'+').count();
        if (1..=4).contains(&plus) {
            return Some(plus);
        }
    }
    None
}

/// The words labels put before the factor (vocabulary `[sun] factor-words`:
/// SPF, FPS, LSF, IP), SPF first.
fn spf_words() -> impl Iterator<Item = &'static str> {
    vocabulary::builtin().phrases(Key::SunFactorWords)
}

/// "LSF 30", "FPS 50", "IP 50" in a lowercased name without "SPF": the
/// factor; only with a number after the word.
fn spf_after_other_word(lower: &str) -> Option<f64> {
    if has_word_prefix(lower, "spf").is_some() {
        return None;
    }
    spf_words().skip(1).find_map(|w| {
        let at = has_word_prefix(lower, w)?;
        let rest = lower[at + w.len()..].trim_start_matches([' ', '-', ':']);
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        let unit_follows = rest[digits.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic());
        let v = digits.parse::<f64>().ok()?;
        (!unit_follows && v > 0.0 && v <= 150.0).then_some(v)
    })
}

/// Parses an SPF column value as labels write it: "50", "SPF 30", "50+",
/// "SPF50+", "SPF 50+ PA++++", "SPF 30 / PA+++", "FPS 50", "LSF 30",
/// "IP 50". A PA rating is read by `pa_rating`. Empty is `Ok(None)`.
pub fn parse_spf_column(raw: &str) -> Result<Option<f64>, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let lower = t.to_ascii_lowercase();
    if matches!(lower.as_str(), "none" | "no" | "n/a" | "-" | "0") {
        return Ok(Some(0.0));
    }
    let mut core = lower.as_str();
    if pa_rating(core).is_some() {
        let at = core.rfind("pa").unwrap_or(core.len());
        core = core[..at].trim_end().trim_end_matches(['/', ',', ';', '|']);
        if core.trim().is_empty() {
            return Ok(None);
        }
    }
    let mut core = core.trim();
    if let Some(w) = spf_words().find(|w| core.starts_with(*w)) {
        core = core[w.len()..].trim_start_matches([' ', ':', '-']);
    }
    let digits = core.trim().trim_end_matches('+').trim();
    match digits.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=150.0).contains(&v) => Ok(Some(v)),
        _ => Err(format!(
            "`{t}` is not an SPF number (expected e.g. 30, 50+, SPF 50+ PA++++ or LSF 30)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str, category: &str) -> Profile {
        classify(&Described {
            name,
            category,
            ..Default::default()
        })
    }

    #[test]
    fn infers_texture_from_name_and_category() {
        assert_eq!(
            c("Cloud Gel Cream", "Moisturiser").texture,
            Some(Texture::GelCream)
        );
        assert_eq!(
            c("Shea Butter Hand Cream", "").texture,
            Some(Texture::Cream)
        );
        assert_eq!(
            c("Nourishing Body Butter", "").texture,
            Some(Texture::Butter)
        );
        assert_eq!(
            c("Oil-Free Moisturizer", "Moisturizer").texture,
            Some(Texture::Cream)
        );
        assert_eq!(c("Cleansing Balm", "Cleanser").texture, Some(Texture::Balm));
        assert_eq!(c("Cleansing Balm", "Cleanser").kind, Kind::Cleanser);
        let p = c("Daily Renewal", "Serum");
        assert_eq!(
            (p.texture, p.texture_source),
            (Some(Texture::Serum), Source::Category)
        );
    }

    #[test]
    fn reads_a_taxonomy_path_from_its_leaf() {
        const SKIN: &str = "Health & Beauty > Personal Care > Cosmetics > Skin Care";
        // "Bath & Body" above the leaf does not make a butter a bath product.
        let p = c(
            "Whipped Shea Butter",
            "Health & Beauty > Personal Care > Cosmetics > Bath & Body > Body Butters",
        );
        assert_eq!((p.kind, p.area), (Kind::Moisturiser, Area::Body));
        let p = c("Daily Cream", &format!("{SKIN} > Lotions & Moisturizers"));
        assert_eq!((p.kind, p.area), (Kind::Moisturiser, Area::Face));
        assert_eq!(p.area_source, Source::Default);
        let p = c("Daily Fluid", &format!("{SKIN} > Sunscreen"));
        assert_eq!(p.kind, Kind::Sunscreen);
        // A leaf naming nothing defers to its parent segment.
        let p = c("Night Repair", "Skin Care > Eye Care > Treatments & Kits");
        assert_eq!(p.area, Area::Eye);
        // Without separators a category is read whole, as before.
        assert_eq!(c("Shea Butter", "Bath & Body").kind, Kind::Bath);
    }

    #[test]
    fn a_hair_and_body_product_is_a_body_product() {
        let p = c("Baby Shampoo & Body Wash", "");
        assert_eq!((p.kind, p.area), (Kind::BodyWash, Area::Body));
        let p = c(
            "Gentle Baby Wash",
            "Baby & Toddler > Baby Bathing > Baby Wash & Shampoo",
        );
        assert_eq!(p.area, Area::Body);
        assert_eq!(c("Volume Shampoo", "Hair Care").area, Area::Scalp);
    }

    #[test]
    fn infers_area_and_kind() {
        let p = c("Caffeine Eye Gel", "Eye Care");
        assert_eq!(
            (p.area, p.area_source, p.kind),
            (Area::Eye, Source::Name, Kind::Moisturiser)
        );
        assert_eq!(c("Lavender Body Wash", "Body Wash").kind, Kind::BodyWash);
        assert_eq!(c("Glow Tonic", "Toner").area, Area::Face);
        assert_eq!(c("Overnight Lip Mask", "Mask").area, Area::Lip);
        assert_eq!(c("AHA 30% Peeling Solution", "Serum").kind, Kind::Peel);
        assert_eq!(
            c("Calendula Alcohol Free Toner", "Cleanser").kind,
            Kind::Toner
        );
        assert_eq!(
            c("Take The Day Off Cleansing Balm", "Balm").kind,
            Kind::Cleanser
        );
        assert_eq!(c("Lip Sleeping Mask", "Face Mask").area, Area::Lip);
        assert_eq!(
            c("Clarifying Dietary Supplement", "Treatment").kind,
            Kind::NotSkincare
        );
        assert_eq!(
            c("Soothing Sheet Mask", "Mask").texture,
            Some(Texture::Essence)
        );
        assert_eq!(c("Liquid Facial Soap", "Cleanser").kind, Kind::Cleanser);
        assert_eq!(c("Glow Peel-Off Mask", "Mask").kind, Kind::Mask);
        assert_eq!(c("Ceramide Capsules Serum", "Treatment").kind, Kind::Serum);
        assert_eq!(c("Eye and Lip Cream", "Eye cream").area, Area::Eye);
        assert_ne!(c("Eye and Lip Cream", "Eye cream").kind, Kind::LipCare);
        assert_eq!(
            c("Oil and Pore Control Mattifier SPF 45", "Moisturizer").kind,
            Kind::Moisturiser
        );
        assert_ne!(c("Oil Control Moisturiser", "").texture, Some(Texture::Oil));
        assert_eq!(
            c("Moisture Surge CC Cream SPF 30", "Moisturizer").kind,
            Kind::Makeup
        );
        assert_eq!(c("Rosehip Face Oil", "").kind, Kind::FaceOil);
    }

    #[test]
    fn infers_spf() {
        assert_eq!(
            c("UV Defense Fluid SPF 50", "Sunscreen").spf,
            Spf::Value(50.0)
        );
        assert_eq!(c("Daily Moisturizer SPF50+", "").spf, Spf::Value(50.0));
        assert_eq!(c("Mineral Shield", "Sun protect").spf, Spf::Unstated);
        assert_eq!(c("Night Cream", "Moisturizer").spf, Spf::None);
        assert_eq!(c("Facial Lotion No SPF 52ml", "Moisturiser").spf, Spf::None);
        assert_eq!(c("Sun Lotion 50 SPF", "Sun protect").spf, Spf::Value(50.0));
        assert_eq!(c("Super Block 50+ SPF", "").spf, Spf::Value(50.0));
        assert_eq!(c("Soothing After Sun Lotion", "Sun protect").spf, Spf::None);
        assert_eq!(
            c("Clear Stick UV Protector Broad Spectrum 50+", "Sun protect").spf,
            Spf::Value(50.0)
        );
        assert_eq!(parse_spf_column("SPF 30").unwrap(), Some(30.0));
        assert_eq!(parse_spf_column("50+").unwrap(), Some(50.0));
        for (label, spf, pa) in [
            ("SPF50+", 50.0, None),
            ("SPF 50+ PA++++", 50.0, Some(4)),
            ("50+", 50.0, None),
            ("SPF 30 / PA+++", 30.0, Some(3)),
            ("spf30, pa++", 30.0, Some(2)),
            ("SPF50PA+++", 50.0, Some(3)),
            ("FPS 50", 50.0, None),
            ("LSF 30", 30.0, None),
            ("IP 50", 50.0, None),
            ("SPF: 15", 15.0, None),
        ] {
            assert_eq!(parse_spf_column(label), Ok(Some(spf)), "{label}");
            assert_eq!(pa_rating(label), pa, "{label}");
        }
        assert_eq!(parse_spf_column("PA+++"), Ok(None));
        assert!(parse_spf_column("PA high").is_err());
        assert_eq!(pa_rating("Papaya Cream"), None);
        assert_eq!(pa_rating("Spa+ Mist"), None);
        assert_eq!(
            c("Sonnenfluid LSF 30", "Sonnenschutz").spf,
            Spf::Value(30.0)
        );
        assert_eq!(c("Protector Solar FPS 50+", "").spf, Spf::Value(50.0));
        assert_eq!(c("Crème Solaire IP 50", "").spf, Spf::Value(50.0));
        assert_eq!(c("Ip Balm", "Lip care").spf, Spf::None);
        assert!(parse_spf_column("high").is_err());
    }
}
