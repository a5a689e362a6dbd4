//! Text normalisation shared by the index (here) and the browser client
//! (`js/khao-search.js`, `normalize()`), which must agree character for
//! character: a query matches a page when the normalised query is a
//! substring of the page's normalised title or text.
//!
//! The rules, in order:
//! 1. Unicode NFC.
//! 2. Per character: zero-width characters and the soft hyphen are dropped;
//!    Thai digits ๐–๙ become 0–9; letters are lower-cased (per character,
//!    full mapping); any whitespace is a word gap and is dropped.
//! 3. Thai spelling variants that look identical are unified: nikhahit +
//!    sara aa (`ํา`) is sara am (`ำ`), also with a tone mark between them;
//!    two sara e (`เเ`) are sara ae (`แ`); a tone mark typed before an upper
//!    vowel is put after it.
//! 4. Every word of a spaced script (Latin, digits, …) starts with one
//!    [`WORD_START`] marker. So `ict` (normalised ` ict`) matches `ICT` and
//!    `ศูนย์ ICT` but not `district`, while Thai, which has no spaces
//!    between words, matches anywhere, and spaces typed or not between Thai
//!    words make no difference.

use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// Marks the start of a word of a spaced script in normalised text.
pub const WORD_START: char = ' ';

/// Whether `c` belongs to a script written without spaces between words
/// (Thai, Lao, Myanmar, Khmer, Chinese, Japanese kana).
fn unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF | 0x1000..=0x109F | 0x1780..=0x17FF | 0x3040..=0x30FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

/// A letter or digit of a spaced script: such runs are words.
fn word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    !unspaced(c) && c.is_alphanumeric()
}

/// Characters that are removed without leaving a gap.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

const NIKHAHIT: char = '\u{0E4D}';
const SARA_AA: char = '\u{0E32}';
const SARA_AM: char = '\u{0E33}';
const SARA_E: char = '\u{0E40}';
const SARA_AE: char = '\u{0E41}';

fn tone_mark(c: char) -> bool {
    ('\u{0E48}'..='\u{0E4B}').contains(&c)
}

fn upper_vowel(c: char) -> bool {
    c == '\u{0E31}' || ('\u{0E34}'..='\u{0E37}').contains(&c)
}

/// Step 2: one character in, zero or more out; `false` for whitespace.
fn fold(c: char, out: &mut Vec<char>) -> bool {
    if ('\u{0E01}'..='\u{0E4F}').contains(&c) || ('\u{0E5A}'..='\u{0E7F}').contains(&c) {
        out.push(c);
        return true;
    }
    if c.is_ascii() {
        if c.is_whitespace() {
            return false;
        }
        out.push(c.to_ascii_lowercase());
        return true;
    }
    if c.is_whitespace() {
        return false;
    }
    if invisible(c) {
        return true;
    }
    if ('\u{0E50}'..='\u{0E59}').contains(&c) {
        out.push(char::from(b'0' + (c as u32 - 0x0E50) as u8));
    } else if c.is_uppercase() || c.is_lowercase() {
        out.extend(c.to_lowercase());
    } else {
        out.push(c);
    }
    true
}

/// Step 3 on a run of folded characters (no gaps inside).
fn thai_variants(run: &mut Vec<char>) {
    let mut out = Vec::with_capacity(run.len());
    let mut i = 0;
    while i < run.len() {
        let c = run[i];
        let next = run.get(i + 1).copied();
        let after = run.get(i + 2).copied();
        if c == NIKHAHIT && next == Some(SARA_AA) {
            out.push(SARA_AM);
            i += 2;
        } else if c == NIKHAHIT && next.is_some_and(tone_mark) && after == Some(SARA_AA) {
            out.push(next.unwrap_or(c));
            out.push(SARA_AM);
            i += 3;
        } else if c == SARA_E && next == Some(SARA_E) {
            out.push(SARA_AE);
            i += 2;
        } else if tone_mark(c) && next.is_some_and(upper_vowel) {
            out.push(next.unwrap_or(c));
            out.push(c);
            i += 2;
        } else {
            out.push(c);
            i += 1;
        }
    }
    *run = out;
}

/// Normalises `text` to the characters the index and the matcher use.
pub fn normalize(text: &str) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(text.len() / 2);
    let mut run: Vec<char> = Vec::new();
    let flush = |run: &mut Vec<char>, out: &mut Vec<char>| {
        thai_variants(run);
        // A run follows a gap (or the start), so its first word is new.
        let mut prev_word = false;
        for &c in run.iter() {
            let w = word_char(c);
            if w && !prev_word {
                out.push(WORD_START);
            }
            out.push(c);
            prev_word = w;
        }
        run.clear();
    };
    let mut each = |c: char| {
        if !fold(c, &mut run) && !run.is_empty() {
            flush(&mut run, &mut out);
        }
    };
    // Most text is already NFC: then composing it is only a cost.
    if unicode_normalization::is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text.chars().for_each(&mut each);
    } else {
        text.nfc().for_each(&mut each);
    }
    if !run.is_empty() {
        flush(&mut run, &mut out);
    }
    out
}

/// Whether two texts read the same: the same words whatever the spaces
/// between Thai words, invisible characters, letter case, or the two ways
/// of typing sara am (`ํา`, what a PDF gives when copied, and `ำ`).
/// Staff copy names and titles from many places; what looks the same on
/// screen must match.
pub fn same_text(a: &str, b: &str) -> bool {
    a == b || normalize(a) == normalize(b)
}

/// [`normalize`] as a `String`, for tests and diagnostics.
pub fn normalize_str(text: &str) -> String {
    normalize(text).into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_spaces_vanish_latin_words_are_marked() {
        assert_eq!(normalize_str("ตรวจสอบ ภายใน"), "ตรวจสอบภายใน");
        assert_eq!(normalize_str("ศูนย์บริการ ICT"), "ศูนย์บริการ ict");
        assert_eq!(normalize_str("ศูนย์บริการICT"), "ศูนย์บริการ ict");
        assert_eq!(normalize_str("the  ICT\tcentre"), " the ict centre");
        assert_eq!(normalize_str("e-bidding"), " e- bidding");
        assert_eq!(normalize_str("พ.ศ. ๒๕๖๙"), "พ.ศ. 2569");
    }

    #[test]
    fn thai_variants_are_unified() {
        assert_eq!(
            normalize_str("น\u{0E4D}\u{0E49}\u{0E32}"),
            "น\u{0E49}\u{0E33}"
        );
        assert_eq!(normalize_str("ท\u{0E4D}\u{0E32}"), "ทำ");
        assert_eq!(normalize_str("เเปลง"), "แปลง");
        assert_eq!(normalize_str("ก\u{0E48}\u{0E34}"), "ก\u{0E34}\u{0E48}");
        assert_eq!(normalize_str("สิ่ง\u{200B}แวด\u{00AD}ล้อม"), "สิ่งแวดล้อม");
    }

    #[test]
    fn texts_that_look_the_same_are_the_same() {
        assert!(same_text(
            "กีฬาสีสัมพันธ์ ประจำปี 2569",
            "กีฬาสีสัมพันธ์  ประจำปี 2569 "
        ));
        assert!(same_text("กีฬาสีสัมพันธ์\u{200B} ประจำปี", "กีฬาสีสัมพันธ์ ประจำปี"));
        assert!(same_text("กลุ่มอ\u{0E4D}\u{0E32}นวยการ", "กลุ่มอำนวยการ"));
        assert!(!same_text("กลุ่มอำนวยการ", "กลุ่มนโยบายและแผน"));
        assert!(!same_text("ปี 2569", "ปี 2568"));
    }

    #[test]
    fn case_and_composition() {
        assert_eq!(normalize_str("ÉCOLE"), " école");
        assert_eq!(normalize_str("e\u{0301}cole"), " école");
    }
}
