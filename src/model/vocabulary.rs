//! The words and phrases that classify a product, read from
//! `catalog/vocabulary.toml` (embedded in the binary) and compiled once into
//! Aho-Corasick matchers: one scan of a text finds every phrase of every key.
//!
//! One word-boundary rule holds for every phrase: it matches where no ASCII
//! letter or digit comes right before it and no ASCII letter right after it.
//! A `*` at either end of a phrase in the file lifts that side's check.
//! The code asks for keys ([`Key`]), never for words.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use rustc_hash::FxHashMap;

/// The vocabulary shipped with the binary.
pub const DEFAULT_VOCABULARY_TOML: &str = include_str!("../../catalog/vocabulary.toml");

macro_rules! keys {
    ($($variant:ident = ($section:literal, $name:literal),)*) => {
        /// A list of phrases in the vocabulary, named `[section] name`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Key {
            $($variant,)*
        }

        impl Key {
            /// Every key the code asks for.
            pub const ALL: &'static [Key] = &[$(Key::$variant,)*];

            /// The key's section (TOML table) in the file.
            pub fn section(self) -> &'static str {
                match self {
                    $(Key::$variant => $section,)*
                }
            }

            /// The key's name within its section.
            pub fn name(self) -> &'static str {
                match self {
                    $(Key::$variant => $name,)*
                }
            }
        }
    };
}

keys! {
    AreaEye = ("area", "eye"),
    AreaLip = ("area", "lip"),
    AreaHeadToToe = ("area", "head-to-toe"),
    AreaScalp = ("area", "scalp"),
    AreaBody = ("area", "body"),
    AreaFace = ("area", "face"),
    CategoryPathSeparator = ("category", "path-separator"),
    KindMakeupRemover = ("kind", "make-up-remover"),
    KindPeelOffMask = ("kind", "peel-off-mask"),
    KindPeel = ("kind", "peel"),
    KindMask = ("kind", "mask"),
    KindExfoliant = ("kind", "exfoliant"),
    KindBath = ("kind", "bath"),
    KindBodyWash = ("kind", "body-wash"),
    KindCleanser = ("kind", "cleanser"),
    KindMakeup = ("kind", "make-up"),
    KindSunscreen = ("kind", "sunscreen"),
    KindToner = ("kind", "toner"),
    KindSerum = ("kind", "serum"),
    KindMist = ("kind", "mist"),
    KindLipCare = ("kind", "lip-care"),
    KindLipCareUnless = ("kind", "lip-care-unless"),
    KindBalm = ("kind", "balm"),
    KindMoisturiser = ("kind", "moisturiser"),
    NotSkincare = ("kind", "not-skincare"),
    OilNoun = ("oil", "noun"),
    OilPropertyAfter = ("oil", "property-after"),
    OilPropertyBefore = ("oil", "property-before"),
    TextureGelCream = ("texture", "gel-cream"),
    TextureRichCream = ("texture", "rich-cream"),
    TextureOintment = ("texture", "ointment"),
    TextureBalm = ("texture", "balm"),
    TextureButter = ("texture", "butter"),
    TextureStick = ("texture", "stick"),
    TextureCream = ("texture", "cream"),
    TextureOil = ("texture", "oil"),
    TextureScrub = ("texture", "scrub"),
    TextureClay = ("texture", "clay"),
    TexturePowder = ("texture", "powder"),
    TextureLotion = ("texture", "lotion"),
    TextureMilk = ("texture", "milk"),
    TextureFoam = ("texture", "foam"),
    TextureFluid = ("texture", "fluid"),
    TextureSerum = ("texture", "serum"),
    TextureGel = ("texture", "gel"),
    TextureEssence = ("texture", "essence"),
    TextureWater = ("texture", "water"),
    TextureMist = ("texture", "mist"),
    SunNotProtection = ("sun", "not-protection"),
    SunCategory = ("sun", "category"),
    SunBroadSpectrumClaim = ("sun", "broad-spectrum-claim"),
    SunBroadSpectrumName = ("sun", "broad-spectrum-name"),
    SunNumberAfter = ("sun", "number-after"),
    SunNamedProtection = ("sun", "named-protection"),
    SunFactorWords = ("sun", "factor-words"),
    ClaimNonComedogenic = ("claims", "non-comedogenic"),
    NameScrub = ("name", "scrub"),
    NameExfoliating = ("name", "exfoliating"),
    NameAcid = ("name", "acid"),
    NameAcne = ("name", "acne"),
    NameAha = ("name", "aha"),
    NameBha = ("name", "bha"),
    NamePha = ("name", "pha"),
    NameRetinoid = ("name", "retinoid"),
    NameMildRetinoid = ("name", "mild-retinoid"),
    NameNotRetinoid = ("name", "not-retinoid"),
    NotAList = ("ingredients", "not-a-list"),
    MarketingName = ("ingredients", "marketing-name"),
    ListStart = ("ingredients", "list-start"),
    UseOccasional = ("use", "occasional"),
    AudienceBaby = ("audience", "baby"),
    AudienceNotForInfants = ("audience", "not-for-infants"),
    AudienceTreatmentStep = ("audience", "treatment-step"),
}

/// The section whose phrases are looked for in the raw ingredient text;
/// every other section is looked for in names, categories and claims.
const INGREDIENTS_SECTION: &str = "ingredients";

/// One place a phrase is used: its key, its place in the key's list, and
/// which sides of the word-boundary rule are lifted.
#[derive(Clone, Copy, Debug)]
struct Use {
    key: Key,
    index: u16,
    free_before: bool,
    free_after: bool,
}

/// A set of keys compiled into one automaton.
#[derive(Clone, Debug)]
pub struct Matcher {
    automaton: AhoCorasick,
    /// A vectorised (Teddy) search for any of the phrases, where the CPU
    /// and the number of phrases allow: a text in which it finds none has
    /// no phrase at all, and is not scanned further.
    any: Option<aho_corasick::packed::Searcher>,
    /// Per pattern of the automaton, every use of that phrase.
    uses: Vec<Vec<Use>>,
}

/// A phrase found in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub key: Key,
    /// Place of the phrase in its key's list.
    pub index: u16,
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
}

/// Every phrase found in one text, in order of where they end.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hits(Vec<Hit>);

impl Hits {
    /// Every hit of `key`.
    pub fn of(&self, key: Key) -> impl Iterator<Item = &Hit> + '_ {
        self.0.iter().filter(move |h| h.key == key)
    }

    /// True when the text holds a phrase of `key`.
    pub fn has(&self, key: Key) -> bool {
        self.0.iter().any(|h| h.key == key)
    }

    /// The hit of `key` whose phrase is listed first in the vocabulary.
    pub fn first_listed(&self, key: Key) -> Option<Hit> {
        self.of(key).min_by_key(|h| (h.index, h.start)).copied()
    }

    /// Every hit, in order of where they end.
    pub fn all(&self) -> &[Hit] {
        &self.0
    }

    /// Drops the hits of `key` that lie within a hit of `unless`.
    pub fn drop_within(&mut self, key: Key, unless: Key) {
        if !self.has(unless) {
            return;
        }
        let outer: Vec<(usize, usize)> = self.of(unless).map(|h| (h.start, h.end)).collect();
        self.0
            .retain(|h| h.key != key || !outer.iter().any(|&(s, e)| s <= h.start && h.end <= e));
    }
}

/// A lowercased text with every phrase found in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scanned {
    pub text: String,
    pub hits: Hits,
}

/// Texts a catalog repeats (categories, claims, area and texture cells)
/// scanned before on this thread: a text seen before costs one hash lookup
/// instead of lower-casing and a scan. Each of the two memos holds at most
/// [`MEMO_TEXTS`] texts of at most [`MEMO_TEXT`] bytes (an entry is under
/// 1 KB with its lower-cased copy and hits: under 2 MB a thread in all);
/// when full it starts afresh. The vocabulary is built into the binary, so
/// an answer never goes stale.
struct ScanMemo {
    product: FxHashMap<Box<str>, Rc<Scanned>>,
    category: FxHashMap<Box<str>, Rc<Scanned>>,
}

/// The most texts each of a thread's memos remembers.
const MEMO_TEXTS: usize = 1024;
/// The longest text remembered, in bytes.
const MEMO_TEXT: usize = 256;

thread_local! {
    static SCAN_MEMO: RefCell<ScanMemo> = RefCell::new(ScanMemo {
        product: FxHashMap::default(),
        category: FxHashMap::default(),
    });
}

/// `scan(raw)`, remembered in the memo `pick` chooses.
fn remembered(
    raw: &str,
    pick: fn(&mut ScanMemo) -> &mut FxHashMap<Box<str>, Rc<Scanned>>,
    scan: fn(&str) -> Scanned,
) -> Rc<Scanned> {
    if raw.len() > MEMO_TEXT {
        return Rc::new(scan(raw));
    }
    SCAN_MEMO.with_borrow_mut(|memo| {
        let map = pick(memo);
        if let Some(s) = map.get(raw) {
            return s.clone();
        }
        if map.len() >= MEMO_TEXTS {
            map.clear();
        }
        let s = Rc::new(scan(raw));
        map.insert(raw.into(), s.clone());
        s
    })
}

impl Scanned {
    /// [`Scanned::product`] for a text a catalog repeats (claims, area,
    /// texture), remembered per thread.
    pub fn product_repeated(raw: &str) -> Rc<Scanned> {
        remembered(raw, |m| &mut m.product, Scanned::product)
    }

    /// [`Scanned::category`], remembered per thread.
    pub fn category_repeated(raw: &str) -> Rc<Scanned> {
        remembered(raw, |m| &mut m.category, Scanned::category)
    }

    /// Lowercases `raw` and scans it with the product matcher.
    pub fn product(raw: &str) -> Scanned {
        let text = raw.to_lowercase();
        let mut hits = builtin().product.scan(&text);
        // "Phyto-Retinol" (bakuchiol) names no retinoid.
        hits.drop_within(Key::NameRetinoid, Key::NameNotRetinoid);
        Scanned { text, hits }
    }

    /// Lowercases and scans a category. A taxonomy path is read from its
    /// leaf: the segments from the leaf up to the first that names an area
    /// or a kind of product (see `[category]` in the vocabulary); a path
    /// where no segment does is read whole, as any other category.
    pub fn category(raw: &str) -> Scanned {
        let whole = Scanned::product(raw);
        if !whole.hits.has(Key::CategoryPathSeparator) {
            return whole;
        }
        // Each segment ends where the next separator starts.
        let mut bounds: Vec<(usize, usize)> = Vec::new();
        let mut start = 0;
        for sep in whole.hits.of(Key::CategoryPathSeparator) {
            bounds.push((start, sep.start));
            start = sep.end;
        }
        bounds.push((start, whole.text.len()));
        let names_product = |h: &Hit| matches!(h.key.section(), "area" | "kind");
        for &(start, end) in bounds.iter().rev() {
            let named = whole
                .hits
                .all()
                .iter()
                .any(|h| h.start >= start && h.end <= end && names_product(h));
            if named {
                return Scanned::product(whole.text[start..].trim_start());
            }
        }
        whole
    }
}

/// The word-boundary rule, the same for every phrase.
fn bounded(text: &[u8], start: usize, end: usize, u: &Use) -> bool {
    (u.free_before || start == 0 || !text[start - 1].is_ascii_alphanumeric())
        && (u.free_after || end >= text.len() || !text[end].is_ascii_alphabetic())
}

impl Matcher {
    fn new(phrases: &[Vec<Phrase>], keys: impl Iterator<Item = Key>) -> Matcher {
        let mut patterns: Vec<&str> = Vec::new();
        let mut uses: Vec<Vec<Use>> = Vec::new();
        for key in keys {
            for (index, p) in phrases[key as usize].iter().enumerate() {
                let u = Use {
                    key,
                    index: index as u16,
                    free_before: p.free_before,
                    free_after: p.free_after,
                };
                match patterns.iter().position(|q| *q == p.text) {
                    Some(i) => uses[i].push(u),
                    None => {
                        patterns.push(&p.text);
                        uses.push(vec![u]);
                    }
                }
            }
        }
        let automaton = AhoCorasick::new(&patterns).expect("vocabulary phrases compile");
        let any = aho_corasick::packed::Config::new()
            .builder()
            .extend(&patterns)
            .build();
        Matcher {
            automaton,
            any,
            uses,
        }
    }

    /// Every phrase in `text` (already lowercased) that keeps the
    /// word-boundary rule, in one pass over the text.
    pub fn scan(&self, text: &str) -> Hits {
        let bytes = text.as_bytes();
        // Every overlapping match implies a leftmost one: none, no hits.
        if self
            .any
            .as_ref()
            .is_some_and(|any| any.find(bytes).is_none())
        {
            return Hits(Vec::new());
        }
        self.scan_all(text)
    }

    /// [`Matcher::scan`] without the vectorised pre-check.
    fn scan_all(&self, text: &str) -> Hits {
        let bytes = text.as_bytes();
        let mut hits = Vec::new();
        for m in self.automaton.find_overlapping_iter(text) {
            for u in &self.uses[m.pattern().as_usize()] {
                if bounded(bytes, m.start(), m.end(), u) {
                    hits.push(Hit {
                        key: u.key,
                        index: u.index,
                        start: m.start(),
                        end: m.end(),
                    });
                }
            }
        }
        Hits(hits)
    }
}

/// One phrase as written in the file.
#[derive(Clone, Debug)]
struct Phrase {
    text: String,
    free_before: bool,
    free_after: bool,
}

/// The loaded vocabulary with its compiled matchers.
#[derive(Clone, Debug)]
pub struct Vocabulary {
    /// Per key, its phrases in file order.
    phrases: Vec<Vec<Phrase>>,
    /// Every key but the ingredient-text ones: for names, categories, claims.
    pub product: Matcher,
    /// The ingredient-text keys.
    pub ingredients: Matcher,
}

impl Vocabulary {
    /// Parses and compiles a vocabulary; every key the code asks for must be
    /// there with at least one phrase, and every key there must be asked for.
    pub fn from_toml_str(text: &str) -> Result<Vocabulary, String> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
        let mut phrases: Vec<Option<Vec<Phrase>>> = vec![None; Key::ALL.len()];
        for (section, value) in &table {
            let Some(entries) = value.as_table() else {
                return Err(format!("`{section}` is not a section of word lists"));
            };
            for (name, list) in entries {
                let key = Key::ALL
                    .iter()
                    .find(|k| k.section() == section && k.name() == name)
                    .ok_or_else(|| format!("unknown key `{name}` in [{section}]"))?;
                let Some(items) = list.as_array() else {
                    return Err(format!("[{section}] {name} is not a list of phrases"));
                };
                let mut list = Vec::with_capacity(items.len());
                for item in items {
                    let Some(raw) = item.as_str() else {
                        return Err(format!("[{section}] {name} holds a non-text phrase"));
                    };
                    let free_before = raw.starts_with('*');
                    let free_after = raw.len() > 1 && raw.ends_with('*');
                    let text = raw.trim_start_matches('*').trim_end_matches('*');
                    if text.is_empty() || text != text.to_lowercase() || text.contains('*') {
                        return Err(format!(
                            "[{section}] {name}: `{raw}` is not a lowercase phrase"
                        ));
                    }
                    list.push(Phrase {
                        text: text.to_string(),
                        free_before,
                        free_after,
                    });
                }
                phrases[*key as usize] = Some(list);
            }
        }
        let mut complete = Vec::with_capacity(Key::ALL.len());
        for (key, list) in Key::ALL.iter().zip(phrases) {
            match list {
                Some(l) if !l.is_empty() => complete.push(l),
                _ => {
                    return Err(format!(
                        "[{}] {} is missing or empty",
                        key.section(),
                        key.name()
                    ))
                }
            }
        }
        let product = Matcher::new(
            &complete,
            Key::ALL
                .iter()
                .copied()
                .filter(|k| k.section() != INGREDIENTS_SECTION),
        );
        // The list-start names are compared with whole parsed names, never
        // searched in the text: the scan of every label leaves them out.
        let ingredients = Matcher::new(
            &complete,
            Key::ALL
                .iter()
                .copied()
                .filter(|k| k.section() == INGREDIENTS_SECTION && *k != Key::ListStart),
        );
        Ok(Vocabulary {
            phrases: complete,
            product,
            ingredients,
        })
    }

    /// The phrases of `key`, in file order, without their `*` marks.
    pub fn phrases(&self, key: Key) -> impl Iterator<Item = &str> + Clone + '_ {
        self.phrases[key as usize].iter().map(|p| p.text.as_str())
    }

    /// The phrase a hit found.
    pub fn phrase(&self, hit: &Hit) -> &str {
        &self.phrases[hit.key as usize][hit.index as usize].text
    }
}

static BUILTIN: LazyLock<Vocabulary> = LazyLock::new(|| {
    Vocabulary::from_toml_str(DEFAULT_VOCABULARY_TOML)
        .expect("the built-in vocabulary is valid (checked by tests)")
});

/// The vocabulary embedded in the binary, compiled once.
pub fn builtin() -> &'static Vocabulary {
    &BUILTIN
}

#[cfg(test)]
mod tests {
    use super::Scanned;

    /// A remembered scan is the scan: for texts met again, for texts past
    /// the memo's size (it starts afresh), for a text too long to keep, and
    /// for a category path read from its leaf.
    #[test]
    fn remembered_scans_are_the_scans() {
        let texts: Vec<String> = (0..super::MEMO_TEXTS + 50)
            .map(|i| format!("Gentle Cleansing Gel {i} for Babies, SPF {}", i % 60))
            .chain([
                "Skincare > Face > Moisturisers > Night Cream".to_string(),
                "Oil-free, non-comedogenic, fragrance free".to_string(),
                "x".repeat(super::MEMO_TEXT + 1) + " eye cream",
            ])
            .collect();
        for _ in 0..2 {
            for t in &texts {
                assert_eq!(*Scanned::product_repeated(t), Scanned::product(t), "{t}");
                assert_eq!(*Scanned::category_repeated(t), Scanned::category(t), "{t}");
            }
        }
        let path = "Skincare > Face > Moisturisers > Night Cream";
        assert_ne!(Scanned::category(path), Scanned::product(path));
        assert_eq!(*Scanned::category_repeated(path), Scanned::category(path));
    }

    /// The pre-check never hides a phrase: on every text cell of the
    /// sample catalog, and on each phrase set in text, scanning with it
    /// finds exactly what the full scan finds.
    #[test]
    fn the_vectorised_pre_check_finds_what_the_full_scan_finds() {
        let v = super::builtin();
        assert!(
            v.ingredients.any.is_some(),
            "the label matcher has its pre-check"
        );
        let mut texts: Vec<String> = Vec::new();
        let mut r = csv::Reader::from_path(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog/sample-catalog.csv"),
        )
        .unwrap();
        for rec in r.records() {
            texts.extend(rec.unwrap().iter().map(str::to_lowercase));
        }
        for key in super::Key::ALL {
            for p in v.phrases(*key) {
                texts.push(format!("aqua, {p}, glycerin"));
                texts.push(p.to_string());
                texts.push(format!("x{p}y"));
            }
        }
        let mut found = 0;
        for t in &texts {
            for m in [&v.product, &v.ingredients] {
                let (quick, full) = (m.scan(t), m.scan_all(t));
                assert_eq!(quick, full, "{t}");
                found += full.all().len();
            }
        }
        assert!(found > 1000, "{found}");
    }

    use super::*;

    /// Every key the code asks for is in the file with at least one phrase,
    /// and the file has no key the code does not ask for.
    #[test]
    fn builtin_vocabulary_has_every_key_the_code_asks_for() {
        let v = Vocabulary::from_toml_str(DEFAULT_VOCABULARY_TOML).unwrap();
        for key in Key::ALL {
            assert!(v.phrases(*key).next().is_some(), "{key:?}");
        }
        let mut missing = DEFAULT_VOCABULARY_TOML.replace("[oil]\n", "[oil]\nnoun2 = [\"x\"]\n");
        assert!(Vocabulary::from_toml_str(&missing)
            .unwrap_err()
            .contains("unknown key `noun2` in [oil]"));
        missing = DEFAULT_VOCABULARY_TOML.replace("\nmild-retinoid = ", "\nmild-retinoids = ");
        assert!(Vocabulary::from_toml_str(&missing).is_err());
    }

    #[test]
    fn one_word_boundary_rule() {
        let v = builtin();
        fn found(v: &Vocabulary, text: &str, key: Key) -> Vec<String> {
            let s = v.product.scan(text);
            s.of(key)
                .map(|h| text[h.start..h.end].to_string())
                .collect()
        }
        let hits = |text: &str, key: Key| found(v, text, key);
        // No letter or digit before, no letter after.
        assert_eq!(hits("spf50 fluid", Key::KindSunscreen), ["spf"]);
        assert!(hits("sunflower oil", Key::KindSunscreen).is_empty());
        assert!(hits("2spf", Key::KindSunscreen).is_empty());
        assert_eq!(hits("eye-cream", Key::AreaEye), ["eye"]);
        // `*` lifts a side.
        assert_eq!(hits("suncare", Key::SunCategory), ["sun"]);
        assert_eq!(hits("exfoliating pads", Key::NameExfoliating), ["exfoliat"]);
        // Overlapping phrases are all found.
        assert_eq!(hits("gel cream", Key::TextureGelCream), ["gel cream"]);
        assert_eq!(hits("gel cream", Key::TextureGel), ["gel"]);
        assert_eq!(hits("gel cream", Key::TextureCream), ["cream"]);
    }

    /// The name's acid words each belong to one group, and the mild
    /// retinoid words are retinoid words.
    #[test]
    fn name_word_groups_are_consistent() {
        let v = builtin();
        let groups = [Key::NameAcne, Key::NameAha, Key::NameBha, Key::NamePha];
        for word in v.phrases(Key::NameAcid) {
            let n = groups
                .iter()
                .filter(|g| v.phrases(**g).any(|w| w == word))
                .count();
            assert_eq!(n, 1, "`{word}` of [name] acid is in {n} groups");
        }
        for g in groups {
            for word in v.phrases(g) {
                assert!(v.phrases(Key::NameAcid).any(|w| w == word), "{word}");
            }
        }
        for word in v.phrases(Key::NameMildRetinoid) {
            assert!(v.phrases(Key::NameRetinoid).any(|w| w == word), "{word}");
        }
    }

    #[test]
    fn first_listed_follows_the_file_order() {
        let v = builtin();
        let s = v.product.scan("salicylic acne gel");
        let h = s.first_listed(Key::NameAcid).unwrap();
        assert_eq!(v.phrase(&h), "acne");
    }
}
