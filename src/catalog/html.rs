//! The ingredient list inside a product description: Shopify exports keep
//! it in `Body (HTML)` under a label such as "Ingredients:". The labels are
//! data, in `catalog/description.toml`.

use std::sync::OnceLock;

/// The labels that open an ingredient list (`catalog/description.toml`).
const DESCRIPTION_RULES: &str = include_str!("../../catalog/description.toml");

#[derive(serde::Deserialize)]
struct Rules {
    labels: Vec<String>,
}

/// The labels, lower case.
fn labels() -> &'static [String] {
    static LABELS: OnceLock<Vec<String>> = OnceLock::new();
    LABELS.get_or_init(|| {
        let r: Rules =
            toml::from_str(DESCRIPTION_RULES).expect("catalog/description.toml is valid");
        r.labels.iter().map(|l| l.trim().to_lowercase()).collect()
    })
}

/// Elements that start a new block of text.
const BLOCK_TAGS: [&str; 26] = [
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "dd",
    "dt",
    "dl",
    "hr",
    "details",
];

/// The ingredient list of a description, if a labelled section has one.
pub fn ingredients_section(description: &str) -> Option<String> {
    if description.trim().is_empty() {
        return None;
    }
    let blocks = blocks(description);
    for (i, b) in blocks.iter().enumerate() {
        for label in labels() {
            let Some(rest) = strip_label(b, label) else {
                continue;
            };
            let rest = rest.trim();
            if let Some(list) = rest.strip_prefix(':').or_else(|| rest.strip_prefix('：')) {
                let list = list.trim();
                if !list.is_empty() {
                    return Some(list.to_string());
                }
            } else if !rest.is_empty() {
                continue;
            }
            return blocks.get(i + 1).cloned();
        }
    }
    None
}

/// The text after `label` at the start of `text`, compared ignoring case.
fn strip_label<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    let mut chars = text.char_indices();
    for l in label.chars() {
        let (_, c) = chars.next()?;
        if !c.to_lowercase().eq(l.to_lowercase()) {
            return None;
        }
    }
    let rest = chars.next().map_or("", |(i, _)| &text[i..]);
    // The label is a whole word: "INCI" does not open "INCIDENTALLY".
    match rest.chars().next() {
        Some(c) if c.is_alphanumeric() => None,
        _ => Some(rest),
    }
}

/// The description's blocks of text, tags removed, entities decoded,
/// spaces collapsed, empty blocks dropped. Text without tags is cut at
/// line ends.
pub fn blocks(html: &str) -> Vec<String> {
    let plain = !html.contains('<');
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut rest = html;
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        let text = collapse(&decode_entities(cur));
        if !text.is_empty() {
            out.push(text);
        }
        cur.clear();
    };
    while !rest.is_empty() {
        if plain {
            match rest.find('\n') {
                Some(i) => {
                    cur.push_str(&rest[..i]);
                    flush(&mut cur, &mut out);
                    rest = &rest[i + 1..];
                }
                None => {
                    cur.push_str(rest);
                    rest = "";
                }
            }
            continue;
        }
        let Some(lt) = rest.find('<') else {
            cur.push_str(rest);
            break;
        };
        cur.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        let starts_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        let Some(gt) = after.find('>').filter(|_| starts_tag) else {
            // A lone `<` is text.
            cur.push('<');
            rest = after;
            continue;
        };
        let tag = &after[..gt];
        rest = &after[gt + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            let close = format!("</{name}");
            let end = rest.to_ascii_lowercase().find(&close);
            rest = match end {
                Some(e) => rest[e..].find('>').map_or("", |g| &rest[e + g + 1..]),
                None => "",
            };
            continue;
        }
        if BLOCK_TAGS.contains(&name.as_str()) {
            flush(&mut cur, &mut out);
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Whitespace runs (with no-break spaces) as one space, trimmed.
fn collapse(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Decodes character references: the XML five, `&nbsp;` and numeric ones.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        let end = tail.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &tail[..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => {
                    let n = name.strip_prefix('#')?;
                    let code = match n.strip_prefix(['x', 'X']) {
                        Some(h) => u32::from_str_radix(h, 16).ok()?,
                        None => n.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_labelled_paragraph_gives_its_list() {
        let html = "<p>A light gel.</p><p><strong>Key ingredients:</strong> Niacinamide</p>\
                    <p><strong>Ingredients:</strong> Aqua, Glycerin, Niacinamide &amp; Zinc PCA</p>\
                    <p>How to use: morning and night.</p>";
        assert_eq!(
            ingredients_section(html).as_deref(),
            Some("Aqua, Glycerin, Niacinamide & Zinc PCA")
        );
    }

    #[test]
    fn a_heading_gives_the_next_block() {
        let html = "<h3>INGREDIENTS</h3>\n<p>Aqua,&nbsp;Squalane,\n Tocopherol</p><h3>Use</h3>";
        assert_eq!(
            ingredients_section(html).as_deref(),
            Some("Aqua, Squalane, Tocopherol")
        );
        let br = "<p>Ingredients:<br/>Aqua, Glycerin</p>";
        assert_eq!(ingredients_section(br).as_deref(), Some("Aqua, Glycerin"));
    }

    #[test]
    fn no_label_no_list() {
        assert_eq!(
            ingredients_section("<p>Key ingredients: Niacinamide</p>"),
            None
        );
        assert_eq!(
            ingredients_section("<p>Made without ingredients of animal origin.</p>"),
            None
        );
        assert_eq!(ingredients_section("<p>INCIDENTALLY: no</p>"), None);
        assert_eq!(ingredients_section(""), None);
        assert_eq!(ingredients_section("<p>Ingredients:</p>"), None);
    }

    #[test]
    fn plain_text_lines_and_scripts() {
        assert_eq!(
            ingredients_section("Soft cream.\nIngredients: Aqua, Shea Butter\nMade in France")
                .as_deref(),
            Some("Aqua, Shea Butter")
        );
        assert_eq!(
            blocks("<script>var a = '<p>Ingredients: x</p>';</script><p>b &#233;&#x301; &bogus; 1 < 2</p>"),
            ["b é\u{301} &bogus; 1 < 2"]
        );
    }
}
