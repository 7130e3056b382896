//! Splitting a label's raw text into ingredient names.
//!
//! Handles Python-list wrappers, HTML tags, `Ingredients:` markers,
//! marketing text before the list, `May contain` sections, `(and)` blends,
//! stated percentages, and unbalanced parentheses.

use std::borrow::Cow;

/// One ingredient as written on the label, cleaned of markers and percentages.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RawItem<'a> {
    /// The name as written, without percentage, `*` markers or prefixes.
    pub text: &'a str,
    /// A percentage stated next to the name.
    pub percent: Option<f32>,
    /// In a "may contain" section.
    pub may_contain: bool,
}

/// Splits a label's ingredient text into items (owned copies), for tests and tools.
pub fn split_items(raw: &str) -> Vec<(String, Option<f32>, bool)> {
    let mut out = Vec::new();
    for_each_item(raw, |i| {
        out.push((i.text.to_string(), i.percent, i.may_contain))
    });
    out
}

/// Calls `f` with each ingredient of a label's text, in order.
pub fn for_each_item(raw: &str, mut f: impl FnMut(RawItem<'_>)) {
    for_each_piece(raw, |item| {
        if !is_not_ingredient(item.text) {
            f(item)
        }
    })
}

/// True for a piece of a label that is no ingredient: marketing prose or
/// a footnote ("Certified organic ingredients").
pub fn is_not_ingredient(piece: &str) -> bool {
    is_prose(piece) || is_footnote(piece)
}

/// Calls `f` with each piece of a label's text that holds a letter or a
/// digit, in order, before [`is_not_ingredient`] is asked: [`for_each_item`]
/// without that last check, for a caller that remembers its answer.
pub fn for_each_piece(raw: &str, mut f: impl FnMut(RawItem<'_>)) {
    let trimmed = raw.trim();
    if trimmed.is_empty()
        || super::words::builtin()
            .not_a_list
            .iter()
            .any(|n| trimmed.eq_ignore_ascii_case(n))
    {
        return;
    }
    let unwrapped = unwrap_python_list(trimmed);
    let text = clean_text(&unwrapped);
    let text = text.as_ref();
    // The per-label buffers are kept on the thread and lent to each call
    // (a nested call, if any, makes its own).
    let mut bufs = BUFFERS.take().unwrap_or_default();
    let Buffers {
        matched,
        splits,
        pieces,
        scratch,
    } = &mut bufs;
    matched_brackets(text, matched);
    let matched = &matched[..];
    let mut may_contain = false;
    // Most labels hold no ". " at all: their items are not split again.
    let has_stop = memchr::memmem::find(text.as_bytes(), b". ").is_some();
    // The per-item checks below look for bytes most labels never hold:
    // asked once of the label, not of every item.
    let has_plus = memchr::memchr(b'+', text.as_bytes()).is_some();
    let has_colon = memchr::memchr(b':', text.as_bytes()).is_some();
    let has_percent = memchr::memchr(b'%', text.as_bytes()).is_some();
    let (start, end) = list_segment(text, matched);
    splits.clear();
    top_level_splits_into(text, matched, start, end, &[',', ';', '\u{2022}'], splits);
    for &(s0, e0) in splits.iter() {
        // "Linalool. *Organic" and "Calcium Sulfate. STEP 02 Ampoule: Water"
        // hold more than one piece: split at top-level sentence breaks.
        pieces.clear();
        if has_stop {
            sentence_pieces(text, matched, s0, e0, pieces);
        } else {
            pieces.push((s0, e0));
        }
        for &(s, e) in pieces.iter() {
            let mut item = text[s..e].trim();
            let may_be_section = has_plus || starts_with_may(item);
            if let Some(rest) = may_be_section.then(|| strip_may_contain(item)).flatten() {
                may_contain = true;
                item = rest;
            } else if let Some(c) = has_colon
                .then(|| last_top_level(text, matched, s, e, ':'))
                .flatten()
            {
                // Marketing or a sub-product title before a colon: keep what follows.
                item = text[c + 1..e].trim();
            }
            let percent = if has_percent {
                extract_percent(item, scratch)
            } else {
                scratch.clear();
                scratch.push_str(item);
                None
            };
            let cleaned = scratch.trim_matches(|c: char| {
                c.is_whitespace() || matches!(c, '.' | '-' | '\u{2022}' | '\u{b7}' | '*' | ':')
            });
            // A name needs a letter or digit: `"` or `™` alone is no ingredient.
            if !cleaned.chars().any(char::is_alphanumeric) {
                continue;
            }
            f(RawItem {
                text: cleaned,
                percent,
                may_contain,
            });
        }
    }
    BUFFERS.set(Some(bufs));
}

/// [`for_each_piece`]'s buffers, reused label after label.
#[derive(Default)]
struct Buffers {
    matched: Vec<bool>,
    splits: Vec<(usize, usize)>,
    pieces: Vec<(usize, usize)>,
    scratch: String,
}

thread_local! {
    static BUFFERS: std::cell::Cell<Option<Buffers>> = const { std::cell::Cell::new(None) };
}

/// Byte ranges of the pieces of `start..end` between top-level sentence
/// breaks (". " before an uppercase letter, `*` or `-`).
fn sentence_pieces(
    text: &str,
    matched: &[bool],
    start: usize,
    end: usize,
    out: &mut Vec<(usize, usize)>,
) {
    let bytes = text.as_bytes();
    // Most items have no full stop at all: no scan, one piece.
    if memchr::memmem::find(&bytes[start..end], b". ").is_none() {
        out.push((start, end));
        return;
    }
    let mut depth = 0usize;
    let mut begin = start;
    let mut i = start;
    while i < end {
        match bytes[i] {
            b'(' | b'[' if matched[i] => depth += 1,
            b')' | b']' if matched[i] => depth = depth.saturating_sub(1),
            b'.' if depth == 0
                && i + 2 < end
                && bytes[i + 1] == b' '
                && (bytes[i + 2].is_ascii_uppercase() || matches!(bytes[i + 2], b'-' | b'*')) =>
            {
                out.push((begin, i));
                begin = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push((begin, end));
}

/// Label footnotes such as "Organic", "Certified organic ingredients" or
/// "Natural origin": not ingredients.
fn is_footnote(item: &str) -> bool {
    let first = item
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty());
    let words = super::words::builtin();
    if !first
        .is_some_and(|w| w.len() >= 2 && words.footnote_initials[(w.as_bytes()[0] | 0x20) as usize])
    {
        return false;
    }
    item.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| words.footnote.iter().any(|x| x.eq_ignore_ascii_case(w)))
}

/// `['a', 'b']` becomes `a, b`; anything else is returned as it is.
fn unwrap_python_list(text: &str) -> Cow<'_, str> {
    if !(text.starts_with('[') && text.ends_with(']')) {
        return Cow::Borrowed(text);
    }
    let inner = &text[1..text.len() - 1];
    let mut parts: Vec<String> = Vec::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' || c == '"' {
            let quote = c;
            let mut s = String::new();
            while let Some(d) = chars.next() {
                if d == '\\' {
                    if let Some(n) = chars.next() {
                        s.push(n);
                    }
                } else if d == quote {
                    break;
                } else {
                    s.push(d);
                }
            }
            parts.push(s);
        }
    }
    if parts.is_empty() {
        Cow::Borrowed(inner)
    } else {
        Cow::Owned(parts.join(", "))
    }
}

/// The markers `clean_text` rewrites, in lower case: `(and)`, `may
/// contain`, and `ingredients` (which counts only in a text with a colon).
static MARKERS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 3]> =
    std::sync::LazyLock::new(|| {
        [b"(and)".as_slice(), b"may contain", b"ingredients"].map(memchr::memmem::Finder::new)
    });

thread_local! {
    /// A label in ASCII lower case, for the markers' search.
    static LOWER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Does the text hold anything `clean_text` changes? Vectorised scans
/// only: the rare bytes with memchr, then the markers with memmem in a
/// lower-cased copy (ASCII case folding changes no other byte, so this is
/// the same as comparing ignoring ASCII case).
fn needs_cleaning(b: &[u8]) -> bool {
    if memchr::memchr3(b'<', b'\n', b'\r', b).is_some() || memchr::memchr2(b'\t', b'&', b).is_some()
    {
        return true;
    }
    if memchr::memchr_iter(b'%', b).any(|i| b.get(i + 1).is_some_and(u8::is_ascii_uppercase)) {
        return true;
    }
    if memchr::memmem::find(b, b"+/-").is_some() {
        return true;
    }
    let has_colon = memchr::memchr(b':', b).is_some();
    LOWER.with_borrow_mut(|lower| {
        lower.clear();
        lower.extend_from_slice(b);
        lower.make_ascii_lowercase();
        let [and, may, ingredients] = &*MARKERS;
        and.find(lower).is_some()
            || may.find(lower).is_some()
            || (has_colon && ingredients.find(lower).is_some())
    })
}

/// Removes HTML tags and control characters, expands `(and)` blends and
/// `Ingredients:` markers into list separators.
fn clean_text(text: &str) -> Cow<'_, str> {
    let needs = needs_cleaning(text.as_bytes());
    if !needs {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if in_tag => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    if in_tag {
        // A lone '<' was not a tag: keep the text as it was, without control characters.
        out = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
    }
    let out = out
        .replace("&amp;", "&")
        .replace("&nbsp;", " ")
        .replace("&#39;", "'");
    let out = split_glued_percent(&replace_ci(&out, "(and)", ","));
    let out = unwrap_may_contain_groups(&out);
    let out = replace_ci(&out, "may contain", ", may contain");
    Cow::Owned(apply_ingredient_markers(&out))
}

/// Text after the first `Ingredients:` marker; later markers (e.g. the
/// inactive ingredients after the active ones) become separators.
fn apply_ingredient_markers(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let marker = "ingredients";
    let mut positions = Vec::new();
    let mut from = 0;
    while let Some(p) = lower[from..].find(marker) {
        let at = from + p;
        let after = &lower[at + marker.len()..];
        let ws = after.len() - after.trim_start().len();
        if after.trim_start().starts_with(':') {
            // Include "active"/"inactive"/"other" before the marker.
            let mut begin = at;
            let before = lower[..at].trim_end();
            for w in &super::words::builtin().section_before {
                if before.ends_with(w) {
                    begin = before.len() - w.len();
                    break;
                }
            }
            positions.push((begin, at + marker.len() + ws + 1));
        }
        from = at + marker.len();
    }
    if positions.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for (i, &(_, end)) in positions.iter().enumerate() {
        let stop = positions.get(i + 1).map(|p| p.0).unwrap_or(text.len());
        if end <= stop {
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(&text[end..stop]);
        }
    }
    out
}

/// `[+/- May Contain: CI 77491, CI 77492]` is a section, not one name:
/// its brackets are dropped and it becomes a "may contain" list.
fn unwrap_may_contain_groups(text: &str) -> String {
    // One pass: a stack of open brackets remembers which closer belongs to a
    // may-contain group (dropped) and which to an ordinary group (kept).
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    let mut stack: Vec<(u8, bool)> = Vec::new();
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if matches!(c, b'[' | b'(') {
            let closer = if c == b'[' { b']' } else { b')' };
            let group =
                b.len() > i + 4 && &b[i + 1..i + 4] == b"+/-" && !matches!(b[i + 4], b')' | b']');
            stack.push((closer, group));
            if group {
                out.push_str(&text[copied..i]);
                out.push_str(", may contain ");
                let rest = &text[i + 4..];
                let trimmed = rest.trim_start();
                let skip_words = if trimmed.len() >= 11
                    && trimmed.as_bytes()[..11].eq_ignore_ascii_case(b"may contain")
                {
                    rest.len() - trimmed.len() + 11
                } else {
                    0
                };
                i += 4 + skip_words;
                copied = i;
                continue;
            }
        } else if matches!(c, b']' | b')') {
            if let Some(&(closer, group)) = stack.last() {
                if closer == c {
                    stack.pop();
                    if group {
                        out.push_str(&text[copied..i]);
                        i += 1;
                        copied = i;
                        continue;
                    }
                }
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// "Zinc Oxide 3.0%Water" is two ingredients: a separator goes after the `%`.
fn split_glued_percent(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' && chars.peek().is_some_and(|n| n.is_ascii_uppercase()) {
            out.push_str(", ");
        }
    }
    out
}

fn replace_ci(hay: &str, needle: &str, with: &str) -> String {
    let lower = hay.to_ascii_lowercase();
    let mut out = String::with_capacity(hay.len());
    let mut last = 0;
    for (i, _) in lower.match_indices(needle) {
        out.push_str(&hay[last..i]);
        out.push_str(with);
        last = i + needle.len();
    }
    out.push_str(&hay[last..]);
    out
}

/// For each byte, whether it is a bracket with a partner. Unpartnered
/// brackets are treated as plain text so that one stray `(` cannot swallow
/// the rest of a list.
fn matched_brackets(text: &str, matched: &mut Vec<bool>) {
    let bytes = text.as_bytes();
    matched.clear();
    matched.resize(bytes.len(), false);
    if memchr::memchr2(b'(', b'[', bytes).is_none() {
        return;
    }
    let mut stack: Vec<(usize, u8)> = Vec::new();
    let visit = |i: usize| {
        let b = bytes[i];
        match b {
            b'(' | b'[' => stack.push((i, b)),
            b')' | b']' => {
                let want = if b == b')' { b'(' } else { b'[' };
                if let Some(pos) = stack.iter().rposition(|&(_, o)| o == want) {
                    matched[stack[pos].0] = true;
                    matched[i] = true;
                    stack.truncate(pos);
                }
            }
            _ => {}
        }
    };
    // Most labels hold round brackets only: jump from one to the next.
    if memchr::memchr2(b'[', b']', bytes).is_some() {
        (0..bytes.len()).for_each(visit);
    } else {
        memchr::memchr2_iter(b'(', b')', bytes).for_each(visit);
    }
}

/// The bytes [`top_level_splits`] looks at: brackets, separators, and the
/// first byte of U+2022 BULLET.
static SPLIT_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut k = 0;
    let bytes = *b"()[],;";
    while k < bytes.len() {
        t[bytes[k] as usize] = true;
        k += 1;
    }
    t[0xE2] = true;
    t
};

/// Byte ranges between top-level separators within `start..end`.
fn top_level_splits(
    text: &str,
    matched: &[bool],
    start: usize,
    end: usize,
    seps: &[char],
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    top_level_splits_into(text, matched, start, end, seps, &mut out);
    out
}

/// [`top_level_splits`] into `out`.
fn top_level_splits_into(
    text: &str,
    matched: &[bool],
    start: usize,
    end: usize,
    seps: &[char],
    out: &mut Vec<(usize, usize)>,
) {
    let bytes = text.as_bytes();
    let bullet = seps.contains(&'\u{2022}');
    let semicolon = seps.contains(&';');
    let mut depth = 0usize;
    let mut begin = start;
    let span = &bytes[start..end];
    // The common label has only commas and round brackets of the bytes
    // looked at: jump from one to the next with a vectorised search.
    if memchr::memchr3(b';', b'[', b']', span).is_none() && memchr::memchr(0xE2, span).is_none() {
        for i in memchr::memchr3_iter(b',', b'(', b')', span).map(|k| k + start) {
            match bytes[i] {
                b'(' if matched[i] => depth += 1,
                b')' if matched[i] => depth = depth.saturating_sub(1),
                b',' if depth == 0 && !digit_comma(text, i) => {
                    out.push((begin, i));
                    begin = i + 1;
                }
                _ => {}
            }
        }
        out.push((begin, end));
        return;
    }
    let mut i = start;
    while i < end {
        let b = bytes[i];
        // Most bytes are letters and spaces: one table lookup passes them.
        if !SPLIT_BYTES[b as usize] {
            i += 1;
            continue;
        }
        match b {
            b'(' | b'[' if matched[i] => depth += 1,
            b')' | b']' if matched[i] => depth = depth.saturating_sub(1),
            b',' if depth == 0 && !digit_comma(text, i) => {
                out.push((begin, i));
                begin = i + 1;
            }
            b';' if depth == 0 && semicolon => {
                out.push((begin, i));
                begin = i + 1;
            }
            // U+2022 BULLET is E2 80 A2 in UTF-8.
            0xE2 if depth == 0
                && bullet
                && bytes.get(i + 1) == Some(&0x80)
                && bytes.get(i + 2) == Some(&0xA2) =>
            {
                out.push((begin, i));
                begin = i + 3;
                i += 2;
            }
            _ => {}
        }
        i += 1;
    }
    out.push((begin, end));
}

/// A comma between two digits ("1,2-hexanediol") is part of a name.
fn digit_comma(text: &str, i: usize) -> bool {
    let b = text.as_bytes();
    i > 0 && i + 1 < b.len() && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit()
}

fn last_top_level(
    text: &str,
    matched: &[bool],
    start: usize,
    end: usize,
    sep: char,
) -> Option<usize> {
    let bytes = text.as_bytes();
    let sep = sep as u8;
    memchr::memchr(sep, &bytes[start..end])?;
    let mut depth = 0usize;
    let mut found = None;
    for (i, &b) in bytes.iter().enumerate().take(end).skip(start) {
        match b {
            b'(' | b'[' if matched[i] => depth += 1,
            b')' | b']' if matched[i] => depth = depth.saturating_sub(1),
            _ if b == sep && depth == 0 => found = Some(i),
            _ => {}
        }
    }
    found
}

/// Where the list proper starts and ends. Text before a colon that opens a
/// list (a title or marketing text) is skipped: the first top-level colon
/// followed by at least three separators before the next colon. Prose
/// sentences between that colon and the first ingredient are skipped too.
fn list_segment(text: &str, matched: &[bool]) -> (usize, usize) {
    let bytes = text.as_bytes();
    let colons: Vec<usize> = if memchr::memchr(b':', bytes).is_none() {
        Vec::new()
    } else {
        let mut v = Vec::new();
        let mut depth = 0usize;
        for (i, &c) in bytes.iter().enumerate() {
            match c {
                b'(' | b'[' if matched[i] => depth += 1,
                b')' | b']' if matched[i] => depth = depth.saturating_sub(1),
                b':' if depth == 0 && !after_may_contain(&text[..i]) => v.push(i),
                _ => {}
            }
        }
        v
    };
    let mut start = 0;
    if !colons.is_empty() {
        for (k, &c) in colons.iter().enumerate() {
            let next = colons.get(k + 1).copied().unwrap_or(text.len());
            let seps = text[c..next].matches([',', ';']).count();
            if seps >= 3 {
                start = c + 1;
                break;
            }
        }
    }
    // Skip leading prose sentences ("Leaves skin soft. Water, Glycerin").
    let mut s = start;
    loop {
        let rest = &text[s..];
        let Some(br) = find_sentence_break(rest) else {
            break;
        };
        let head = &rest[..br];
        let head_is_prose = top_level_splits(text, matched, s, s + br, &[',', ';'])
            .iter()
            .any(|&(a, b)| is_prose(text[a..b].trim()));
        if head_is_prose {
            s += br + 1;
            let _ = head;
        } else {
            break;
        }
    }
    (s, text.len())
}

fn after_may_contain(before: &str) -> bool {
    let b = before.trim_end().as_bytes();
    let ends = |w: &[u8]| b.len() >= w.len() && b[b.len() - w.len()..].eq_ignore_ascii_case(w);
    ends(b"may contain") || ends(b"+/-)") || ends(b"+/-") || ends(b"+/-]")
}

/// Index of the `.` of the first ". X" sentence break (X uppercase or `-`).
fn find_sentence_break(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b". ").find(|&i| {
        i + 2 < bytes.len() && (bytes[i + 2].is_ascii_uppercase() || bytes[i + 2] == b'-')
    })
}

/// Whether an item starts with "may", as a "may contain" section does.
fn starts_with_may(item: &str) -> bool {
    let b = item.as_bytes();
    b.len() >= 3 && b[..3].eq_ignore_ascii_case(b"may")
}

fn strip_may_contain(item: &str) -> Option<&str> {
    let b = item.as_bytes();
    let may = starts_with_may(item);
    if !may && (memchr::memchr(b'+', b).is_none() || memchr::memmem::find(b, b"+/-").is_none()) {
        return None;
    }
    let lower = item.to_ascii_lowercase();
    for prefix in ["may contain", "(+/-)", "+/-", "[+/-"] {
        if let Some(pos) = lower.find(prefix) {
            if lower[..pos].trim().is_empty() || lower[..pos].trim_end().ends_with(['(', '[']) {
                let mut rest = &item[pos + prefix.len()..];
                rest = rest.trim_start_matches([' ', ':', ')', ']', '(', '+', '/', '-']);
                let rest = rest.trim_start();
                // "May Contain (+/-): CI 77491" style.
                let rest = rest
                    .strip_prefix("(+/-)")
                    .or_else(|| rest.strip_prefix("+/-"))
                    .unwrap_or(rest)
                    .trim_start_matches([' ', ':', ')', ']']);
                return Some(rest);
            }
        }
    }
    None
}

/// Copies `item` into `out` without percentages (returning the first) and
/// without brackets left empty by their removal.
fn extract_percent(item: &str, out: &mut String) -> Option<f32> {
    out.clear();
    if memchr::memchr(b'%', item.as_bytes()).is_none() {
        out.push_str(item);
        return None;
    }
    let mut percent = None;
    let bytes = item.as_bytes();
    let mut keep_until = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            // Walk back over spaces, then the number.
            let mut j = i;
            while j > keep_until && bytes[j - 1] == b' ' {
                j -= 1;
            }
            let num_end = j;
            while j > keep_until
                && (bytes[j - 1].is_ascii_digit() || bytes[j - 1] == b'.' || bytes[j - 1] == b',')
            {
                j -= 1;
            }
            if j < num_end {
                let num = item[j..num_end].replace(',', ".");
                if percent.is_none() {
                    percent = num
                        .trim_matches('.')
                        .parse::<f32>()
                        .ok()
                        .filter(|p| p.is_finite() && *p <= 100.0);
                }
                // Drop a "<" or "≤" directly before the number.
                let mut k = j;
                while k > keep_until && matches!(bytes[k - 1], b'<' | b'>' | b'~' | b' ') {
                    k -= 1;
                }
                out.push_str(&item[keep_until..k]);
                keep_until = i + 1;
            }
        }
        i += 1;
    }
    out.push_str(&item[keep_until..]);
    let cleaned = out.replace("()", "").replace("( )", "").replace("[]", "");
    out.clear();
    out.push_str(cleaned.trim());
    percent
}

/// One of the `prose` words of `catalog/labels.toml`, ignoring case and surrounding punctuation.
fn is_prose_word(w: &str) -> bool {
    let w = w
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .as_bytes();
    let words = super::words::builtin();
    if w.is_empty() || w.len() > words.longest_prose.min(16) {
        return false;
    }
    let mut buf = [0u8; 16];
    for (d, s) in buf.iter_mut().zip(w) {
        *d = s.to_ascii_lowercase();
    }
    let lw = &buf[..w.len()];
    words.prose.iter().any(|p| p.as_bytes() == lw)
}

/// True for marketing prose rather than an ingredient name.
fn is_prose(item: &str) -> bool {
    // Three words at least: two spaces.
    if item.len() < 8 || item.bytes().filter(|&b| b == b' ').take(2).count() < 2 {
        return false;
    }
    let mut words = 0;
    let mut prose_words = 0;
    let mut depth = 0usize;
    for w in item.split_ascii_whitespace() {
        let opens = w.bytes().filter(|&b| b == b'(').count();
        let closes = w.bytes().filter(|&b| b == b')').count();
        if depth == 0 && opens == 0 {
            words += 1;
            if words >= 8 {
                return true;
            }
            // The prose words are short; INCI words mostly are not.
            if w.len() <= 10 && is_prose_word(w) {
                prose_words += 1;
            }
        }
        depth = (depth + opens).saturating_sub(closes);
    }
    words >= 8 || (words >= 3 && prose_words >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The byte-at-a-time check the scans replaced: what they must answer.
    fn needs_cleaning_bytewise(b: &[u8]) -> bool {
        let has_colon = b.contains(&b':');
        (0..b.len()).any(|i| {
            let rest = &b[i..];
            let starts =
                |w: &[u8]| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w);
            match b[i] {
                b'<' | b'\n' | b'\r' | b'\t' | b'&' => true,
                b'(' => starts(b"(and)"),
                b'm' | b'M' => starts(b"may contain"),
                b'+' => rest.starts_with(b"+/-"),
                b'%' => rest.get(1).is_some_and(u8::is_ascii_uppercase),
                b'i' | b'I' => has_colon && starts(b"ingredients"),
                _ => false,
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn needs_cleaning_answers_as_the_bytewise_check(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just("Aqua"), Just(", "), Just("(AND)"), Just("(and"), Just("May Contain"),
                    Just("may contai"), Just("+/-"), Just("+/"), Just("%"), Just("5%A"), Just("5% a"),
                    Just("INGREDIENTS"), Just("Ingredient"), Just(":"), Just("<b>"), Just("&amp;"),
                    Just("\t"), Just("\n"), Just("é"), Just("m"), Just("i"), Just("(")
                ],
                0..12,
            )
        ) {
            let text = pieces.concat();
            prop_assert_eq!(needs_cleaning(text.as_bytes()), needs_cleaning_bytewise(text.as_bytes()), "{:?}", text);
        }
    }

    fn names(raw: &str) -> Vec<String> {
        split_items(raw).into_iter().map(|(n, _, _)| n).collect()
    }

    #[test]
    fn plain_list_with_trailing_period() {
        assert_eq!(
            names("Water, Glycerin, Petrolatum."),
            ["Water", "Glycerin", "Petrolatum"]
        );
    }

    #[test]
    fn nested_parentheses_stay_in_one_item() {
        assert_eq!(
            names("Water (Aqua, Eau), Citrus Aurantium Dulcis (Orange (Sweet)) Peel Oil, Glycerin"),
            [
                "Water (Aqua, Eau)",
                "Citrus Aurantium Dulcis (Orange (Sweet)) Peel Oil",
                "Glycerin"
            ]
        );
    }

    #[test]
    fn python_list_of_names_and_of_one_string() {
        assert_eq!(
            names("['glycerin', 'petrolatum', \"witch hazel's\"]"),
            ["glycerin", "petrolatum", "witch hazel's"]
        );
        assert_eq!(
            names("['Octinoxate 7.5%, Titanium Dioxide 2%, Zinc Oxide 17.1%, Water (Aqua, Eau)']"),
            [
                "Octinoxate",
                "Titanium Dioxide",
                "Zinc Oxide",
                "Water (Aqua, Eau)"
            ]
        );
        let items = split_items("['Zinc Oxide 17.1%, Water']");
        assert_eq!(items[0].1, Some(17.1));
    }

    #[test]
    fn markers_html_and_may_contain() {
        let items = split_items(
            "<p>*Organic Aloe Juice**, Glycerin</p><br>May Contain (+/-): CI 77491, CI 77492",
        );
        let n: Vec<_> = items.iter().map(|i| i.0.as_str()).collect();
        assert_eq!(
            n,
            ["Organic Aloe Juice", "Glycerin", "CI 77491", "CI 77492"]
        );
        assert!(!items[1].2);
        assert!(items[2].2 && items[3].2);
    }

    #[test]
    fn marketing_text_before_the_list_is_skipped() {
        assert_eq!(
            names("Retinol Youth Renewal Serum: Water, Cyclopentasiloxane, Isopropyl Palmitate, Retinol"),
            ["Water", "Cyclopentasiloxane", "Isopropyl Palmitate", "Retinol"]
        );
        assert_eq!(
            names("-Vitamin C (Ascorbic Acid): Brightens the look of skin. -Grapefruit Extract: Smooths, energizes, and revitalizes dull skin. Water, Glycerin, Niacinamide, Squalane."),
            ["Water", "Glycerin", "Niacinamide", "Squalane"]
        );
    }

    #[test]
    fn active_and_inactive_sections_are_both_kept() {
        assert_eq!(
            names("Daywear SPF50 Division: El (Estee Lauder)Active Ingredients: Avobenzone 3.00% , Octocrylene 2.70%Ingredients: Water , Glycerin"),
            ["Avobenzone", "Octocrylene", "Water", "Glycerin"]
        );
    }

    #[test]
    fn and_blends_split_and_unbalanced_parenthesis_does_not_swallow() {
        assert_eq!(
            names("Caprylic/Capric Triglyceride (and) Tocopherol, Water (Aqua, Glycerin, Squalane"),
            [
                "Caprylic/Capric Triglyceride",
                "Tocopherol",
                "Water (Aqua",
                "Glycerin",
                "Squalane"
            ]
        );
    }

    #[test]
    fn may_contain_colon_does_not_hide_the_list() {
        let items = split_items(
            "Water, Glycerin, Mica. May contain: CI 77491, CI 77492, CI 77499, CI 77891",
        );
        let n: Vec<_> = items.iter().map(|i| i.0.as_str()).collect();
        assert_eq!(
            n,
            ["Water", "Glycerin", "Mica", "CI 77491", "CI 77492", "CI 77499", "CI 77891"]
        );
        assert!(!items[2].2 && items[3].2);
    }

    #[test]
    fn glued_percent_and_abbreviation_in_parentheses() {
        assert_eq!(
            names("Titanium Dioxide 5.7%, Zinc Oxide 3.8%Water, Sigesbeckia Orientalis (St. Paul's Wort) Extract"),
            ["Titanium Dioxide", "Zinc Oxide", "Water", "Sigesbeckia Orientalis (St. Paul's Wort) Extract"]
        );
    }

    #[test]
    fn footnotes_after_a_full_stop_are_split_off() {
        assert_eq!(
            names("Parfum, Linalool. *Organic, Limonene. Fragrances of natural origin, Citral"),
            ["Parfum", "Linalool", "Limonene", "Citral"]
        );
        assert_eq!(
            names("Algin, Calcium Sulfate. STEP 02 Brightening Ampoule: Water, Niacinamide"),
            ["Algin", "Calcium Sulfate", "Water", "Niacinamide"]
        );
    }

    #[test]
    fn comma_between_digits_is_part_of_the_name() {
        assert_eq!(
            names("Water, 1,2-Hexanediol, Glycerin"),
            ["Water", "1,2-Hexanediol", "Glycerin"]
        );
    }

    #[test]
    fn non_lists_give_nothing() {
        for s in ["No Info", "#NAME?", "", "  ", "Visit the Shiseido boutique"] {
            assert!(names(s).is_empty(), "{s}");
        }
    }
}
