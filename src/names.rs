//! Ingredient-name normalisation, shared by the label parser (`inci`) and
//! the knowledge base (`knowledge`), which must agree on it:
//! a label's name and a base entry compare equal after it. It depends on
//! nothing else in the crate.

/// Lower-cases a label name and tidies its punctuation and spacing, so that
/// variants of one name compare equal. Writes into `out` (cleared first).
pub fn normalize_name_into(raw: &str, out: &mut String) {
    out.clear();
    if raw.is_ascii() {
        normalize_ascii_into(raw.as_bytes(), out);
        return;
    }
    let mut pending_space = false;
    for ch in raw.chars() {
        let ch = match ch {
            '\u{2019}' | '\u{2018}' | '`' => '\'',
            '\\' => '/',
            '\u{2010}'..='\u{2015}' => '-',
            '*' | '\u{2020}' | '\u{2021}' | '^' | '\u{ae}' | '\u{2122}' | '\u{a9}' | '"' => {
                continue
            }
            c => c,
        };
        if ch.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space && !matches!(ch, '/' | '-' | ')' | ',') && !out.ends_with(['/', '-', '('])
        {
            out.push(' ');
        }
        pending_space = false;
        for lc in ch.to_lowercase() {
            out.push(lc);
        }
    }
    while out.ends_with(['.', ' ', ',', ';', ':', '+']) {
        out.pop();
    }
    while out.starts_with(['-', '.', ' ', ',', ':']) {
        out.remove(0);
    }
}

/// The ASCII fast path of [`normalize_name_into`], with the same rules.
fn normalize_ascii_into(raw: &[u8], out: &mut String) {
    // SAFETY-free: only ASCII bytes are pushed, so `buf` stays valid UTF-8.
    let mut buf = std::mem::take(out).into_bytes();
    buf.clear();
    let mut pending_space = false;
    for &b in raw {
        let b = match b {
            b'`' => b'\'',
            b'\\' => b'/',
            b'*' | b'^' | b'"' => continue,
            b => b,
        };
        // As char::is_whitespace for ASCII, vertical tab included.
        if b.is_ascii_whitespace() || b == 0x0B {
            pending_space = !buf.is_empty();
            continue;
        }
        if pending_space
            && !matches!(b, b'/' | b'-' | b')' | b',')
            && !matches!(buf.last(), Some(b'/' | b'-' | b'('))
        {
            buf.push(b' ');
        }
        pending_space = false;
        buf.push(b.to_ascii_lowercase());
    }
    while matches!(buf.last(), Some(b'.' | b' ' | b',' | b';' | b':' | b'+')) {
        buf.pop();
    }
    let lead = buf
        .iter()
        .take_while(|b| matches!(b, b'-' | b'.' | b' ' | b',' | b':'))
        .count();
    buf.drain(..lead);
    *out = String::from_utf8(buf).unwrap_or_default();
}
