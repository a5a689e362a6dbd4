//! The one list of field labels, shared by the reader and the template, and
//! how a typed label is matched against it.
//!
//! Staff type labels by hand, so matching forgives what Word and people add:
//! spaces anywhere, a trailing `:` (also the full-width `：`), a required
//! marker `*`, row numbering such as `1.`, and a hint in brackets such as
//! `ข่าวเด่น (ใช่/ไม่ใช่)` — the template itself writes such hints.

/// One field of the request: its key, its Thai label, other spellings
/// accepted, and the Thai hint the template shows beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldLabel {
    /// The request key, which is also the accepted English label
    /// (`requester.name`; `requester name` and `requester_name` match too).
    pub key: &'static str,
    /// The Thai label the template writes.
    pub thai: &'static str,
    /// Other spellings staff commonly type for the same field.
    pub aliases: &'static [&'static str],
    /// What to type, in Thai, written in brackets after the label in the
    /// template (the reader ignores a trailing bracket).
    pub hint: &'static str,
    /// Whether `khao new --word` puts this row in the template.
    pub in_template: bool,
}

const fn field(
    key: &'static str,
    thai: &'static str,
    aliases: &'static [&'static str],
    hint: &'static str,
    in_template: bool,
) -> FieldLabel {
    FieldLabel {
        key,
        thai,
        aliases,
        hint,
        in_template,
    }
}

/// Every field a `.docx` request may carry, in template order.
pub const FIELDS: &[FieldLabel] = &[
    field("title", "หัวข้อข่าว", &["หัวข้อ"], "", true),
    field("date", "วันที่", &[], "วัน/เดือน/ปี พ.ศ.", true),
    field("category", "หมวดข่าว", &[], "เลือกจากรายการ", true),
    field("tags", "ป้ายคำ", &[], "ถ้ามี คั่นด้วยจุลภาค", true),
    field("requester.name", "ชื่อผู้ขอ", &[], "", true),
    field("requester.group", "กลุ่มงาน", &[], "เลือกจากรายการ", true),
    field(
        "requester.phone",
        "โทรศัพท์",
        &["เบอร์โทรศัพท์", "เบอร์โทร", "โทร"],
        "",
        true,
    ),
    field("requester.email", "อีเมล", &["อีเมล์", "e-mail"], "", true),
    field("pinned", "ข่าวเด่น", &[], "ใช่/ไม่ใช่", true),
    field("pinned_until", "ปักหมุดถึง", &[], "ถ้ามี", true),
    field("publish_at", "เผยแพร่ตั้งแต่", &[], "ถ้ามี", true),
    field("expires", "สิ้นสุด", &[], "ถ้ามี", true),
    field("slug", "ชื่อลิงก์", &[], "ถ้ามี a-z 0-9 -", false),
    field("summary", "สรุปข่าว", &[], "ถ้ามี", false),
];

/// A typed label, matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LabelMatch {
    /// Nothing but spaces and punctuation: not a label at all.
    Empty,
    Known(&'static str),
    Unknown {
        nearest: Option<&'static str>,
    },
}

/// The field key of a typed label, or the nearest known label.
pub(crate) fn match_label(typed: &str) -> LabelMatch {
    let folded = fold(&clean_label(typed));
    if folded.is_empty() {
        return LabelMatch::Empty;
    }
    for f in FIELDS {
        if candidates(f).any(|c| fold(c) == folded) {
            return LabelMatch::Known(f.key);
        }
    }
    LabelMatch::Unknown {
        nearest: nearest(&folded, !typed.is_ascii()),
    }
}

/// The spellings that name a field: Thai label, key, aliases.
fn candidates(f: &FieldLabel) -> impl Iterator<Item = &'static str> {
    [f.thai, f.key].into_iter().chain(f.aliases.iter().copied())
}

/// The closest field to an unknown folded label, shown in Thai when the
/// label was typed in Thai, else as the English key. `None` when nothing is
/// close: a wild suggestion confuses more than it helps.
fn nearest(folded: &str, thai: bool) -> Option<&'static str> {
    let mut best: Option<(f64, &FieldLabel)> = None;
    for f in FIELDS {
        for c in candidates(f) {
            let c = fold(c);
            let mut score = strsim::normalized_levenshtein(folded, &c);
            let shorter = folded.chars().count().min(c.chars().count());
            if shorter >= 2 && (c.contains(folded) || folded.contains(c.as_str())) {
                score = score.max(0.7);
            }
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, f));
            }
        }
    }
    match best {
        Some((score, f)) if score >= 0.45 => Some(if thai { f.thai } else { f.key }),
        _ => None,
    }
}

/// Characters Word or keyboards slip into text that are not visible.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || is_invisible(c)
}

/// The label as staff meant it, for display: trimmed, without a trailing
/// colon, `*`, bracketed hint, or leading row number.
pub(crate) fn clean_label(typed: &str) -> String {
    let mut s = typed.trim_matches(is_space);
    for _ in 0..4 {
        let before = s;
        s = s.trim_end_matches(|c: char| is_space(c) || matches!(c, ':' | '：' | '*'));
        s = strip_bracket_hint(s).trim_matches(is_space);
        s = strip_row_number(s).trim_matches(is_space);
        if s == before {
            break;
        }
    }
    s.to_string()
}

/// `ข่าวเด่น (ใช่/ไม่ใช่)` → `ข่าวเด่น`, when something is left before it.
fn strip_bracket_hint(s: &str) -> &str {
    for (open, close) in [('(', ')'), ('（', '）'), ('[', ']')] {
        if let Some(rest) = s.strip_suffix(close)
            && let Some(at) = rest.rfind(open)
            && !rest[..at].trim_matches(is_space).is_empty()
        {
            return &rest[..at];
        }
    }
    s
}

/// `3. หมวดข่าว` or `3) หมวดข่าว` → `หมวดข่าว`.
fn strip_row_number(s: &str) -> &str {
    let digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 3 {
        return s;
    }
    match s[digits..].strip_prefix(['.', ')']) {
        Some(rest) if !rest.trim_matches(is_space).is_empty() => rest,
        _ => s,
    }
}

/// The comparison form: lower case, without spaces, invisible characters,
/// or the `.`, `_`, `-` that separate English key words.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|&c| !is_space(c) && !matches!(c, '.' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgiving_matches() {
        for (typed, key) in [
            ("หัวข้อข่าว", "title"),
            (" หัวข้อข่าว : ", "title"),
            ("หัวข้อ ข่าว：", "title"),
            ("ข่าวเด่น (ใช่/ไม่ใช่)", "pinned"),
            ("1. วันที่", "date"),
            ("ป้ายคำ *", "tags"),
            ("requester.name", "requester.name"),
            ("Requester Name:", "requester.name"),
            ("pinned_until", "pinned_until"),
            ("อีเมล์", "requester.email"),
            ("\u{200B}กลุ่มงาน", "requester.group"),
        ] {
            assert_eq!(match_label(typed), LabelMatch::Known(key), "{typed}");
        }
    }

    #[test]
    fn unknown_gets_nearest_in_its_script() {
        assert_eq!(
            match_label("หัวข้อข่าวว"),
            LabelMatch::Unknown {
                nearest: Some("หัวข้อข่าว")
            }
        );
        assert_eq!(
            match_label("titel"),
            LabelMatch::Unknown {
                nearest: Some("title")
            }
        );
        assert_eq!(
            match_label("ชื่อผู้ขอเผยแพร่"),
            LabelMatch::Unknown {
                nearest: Some("ชื่อผู้ขอ")
            }
        );
        assert_eq!(match_label("xyzzy"), LabelMatch::Unknown { nearest: None });
        assert_eq!(match_label(" : "), LabelMatch::Empty);
    }

    #[test]
    fn every_label_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for f in FIELDS {
            for c in candidates(f) {
                assert!(seen.insert(fold(c)), "{c}");
            }
        }
    }
}
