//! Where a line of Thai or Latin text may be broken, and how much each
//! break costs.
//!
//! Thai has no spaces between words, so a break inside a run of Thai
//! letters must be chosen without splitting a syllable. The rules here are
//! the written ones (a mark or a following vowel stays with its consonant,
//! a leading vowel stays with the consonant after it, a silent letter with
//! its syllable, …) plus a small word list of the words that make up the
//! names of Thai offices (and the 77 provinces), whose edges are preferred
//! to a mere syllable edge.

/// The cost of breaking a line at a position (lower is better).
pub(crate) mod cost {
    /// After a run of spaces.
    pub const SPACE: f32 = 0.0;
    /// At the edge of a word from the built-in word list.
    pub const WORD: f32 = 4.0;
    /// Inside a listed word, at the edge of a listed word it is made of
    /// (สำนัก|งาน, ส่งเสริม|การเรียนรู้).
    pub const PART: f32 = 30.0;
    /// After a hyphen or slash.
    pub const HYPHEN: f32 = 8.0;
    /// Before a leading vowel or a consonant that starts a syllable.
    pub const SYLLABLE: f32 = 60.0;
    /// Anywhere else that keeps each letter with its marks and vowels:
    /// inside a Latin word, a number or a Thai syllable. The last resort.
    pub const CHAR: f32 = 400.0;
}

/// Words of the names of Thai offices, and the provinces.
const WORDS: &str = include_str!("thai_words.txt");

fn is_thai(c: char) -> bool {
    ('\u{0E01}'..='\u{0E5B}').contains(&c)
}

/// Above and below vowels, tone marks and other marks: they sit on the
/// consonant before them.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}')
        || ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Vowels written after their consonant (ะ า ำ ๅ) and signs that stay with
/// the word before them (ฯ ๆ).
fn is_following(c: char) -> bool {
    matches!(
        c,
        '\u{0E30}' | '\u{0E32}' | '\u{0E33}' | '\u{0E45}' | '\u{0E2F}' | '\u{0E46}'
    )
}

/// Vowels written before their consonant (เ แ โ ใ ไ).
fn is_leading(c: char) -> bool {
    ('\u{0E40}'..='\u{0E44}').contains(&c)
}

fn is_consonant(c: char) -> bool {
    ('\u{0E01}'..='\u{0E2E}').contains(&c)
}

/// The cost of breaking before `chars[i]` inside a Thai run, or `None`
/// where it would split a consonant from its vowel or mark.
fn thai_cost(chars: &[char], i: usize) -> Option<f32> {
    let (a, b) = (chars[i - 1], chars[i]);
    if is_mark(b) || is_following(b) || is_leading(a) {
        None
    } else if starts_syllable(chars, i) {
        Some(cost::SYLLABLE)
    } else {
        Some(cost::CHAR)
    }
}

/// Whether a syllable most likely starts at `chars[i]`: before a leading
/// vowel, or before a consonant with a vowel or tone of its own that is
/// not the final consonant of the syllable before.
fn starts_syllable(chars: &[char], i: usize) -> bool {
    let (a, b) = (chars[i - 1], chars[i]);
    let marks = || chars[..i].iter().rev().take_while(|&&c| is_mark(c));
    let marks_after = || chars[i + 1..].iter().take_while(|&&c| is_mark(c));
    // ั and ็ always take a final consonant; a letter silenced by ์
    // belongs to the syllable before it.
    if marks().any(|&c| c == '\u{0E31}' || c == '\u{0E47}')
        || marks_after().any(|&c| c == '\u{0E4C}')
    {
        return false;
    }
    // A consonant with a tone mark and no vowel (ส่ง) needs what follows,
    // unless a leading vowel came before it (แม่, ไม่).
    let tone_only = is_mark(a) && marks().all(|&c| ('\u{0E48}'..='\u{0E4B}').contains(&c));
    let base_before = chars[..i].iter().rev().skip_while(|&&c| is_mark(c)).nth(1);
    if tone_only && !base_before.is_some_and(|&c| is_leading(c)) {
        return false;
    }
    if is_leading(b) || matches!(b, 'ฤ' | 'ฦ') {
        return true;
    }
    // A consonant with its vowel; or the first of a true cluster (กร, ปล,
    // คว) or a leading ห (หน, หม) with the second carrying the vowel.
    let vowel_at = |j: usize| {
        chars
            .get(j + 1)
            .is_some_and(|&c| is_mark(c) || is_following(c))
    };
    let second = chars.get(i + 1).copied().filter(|_| vowel_at(i + 1));
    let leads = |first: char, second: char| {
        matches!(first, 'ก' | 'ข' | 'ค' | 'ต' | 'ป' | 'ผ' | 'พ')
            && matches!(second, 'ร' | 'ล' | 'ว')
            || first == 'ห' && matches!(second, 'ง' | 'ญ' | 'น' | 'ม' | 'ย' | 'ร' | 'ล' | 'ว')
    };
    let onset = vowel_at(i) || second.is_some_and(|c| leads(b, c));
    is_consonant(b) && onset && !leads(a, b)
}

/// Every position (a byte offset into `text`) where a line may end, with
/// its cost. A break "at" a space comes after the run of spaces: the line
/// before it is trimmed. The end of the text is not included.
pub(crate) fn opportunities(text: &str) -> Vec<(usize, f32)> {
    let chars: Vec<char> = text.chars().collect();
    let offsets: Vec<usize> = text.char_indices().map(|(o, _)| o).collect();
    let words = word_edges(&chars);
    let mut out = Vec::new();
    for i in 1..chars.len() {
        let (a, b) = (chars[i - 1], chars[i]);
        let cost = if b.is_whitespace() || is_mark(b) {
            None
        } else if a.is_whitespace() {
            Some(cost::SPACE)
        } else if is_thai(a) && is_thai(b) {
            thai_cost(&chars, i).map(|c| match words[i] {
                Edge::Word => cost::WORD,
                Edge::Part => cost::PART,
                Edge::Inside => cost::CHAR,
                Edge::None => c,
            })
        } else if matches!(a, '-' | '/' | '\u{2010}' | '\u{2013}' | '\u{2014}') {
            Some(cost::HYPHEN)
        } else if is_thai(a) != is_thai(b) && !is_following(b) {
            Some(cost::SYLLABLE)
        } else {
            Some(cost::CHAR)
        };
        if let Some(c) = cost {
            out.push((offsets[i], c));
        }
    }
    out
}

/// What the word list says about the position before `chars[i]`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Edge {
    /// Nothing: no listed word there.
    None,
    /// A listed word starts or ends there.
    Word,
    /// Inside a listed word, where a listed word in it starts or ends.
    Part,
    /// Inside a listed word (and not at the edge of a listed word in it).
    Inside,
}

/// Finds the longest listed word at each position from the left; inside
/// it, the edges of the listed words it is made of (ส่งเสริม|การเรียนรู้).
fn word_edges(chars: &[char]) -> Vec<Edge> {
    let words: Vec<Vec<char>> = WORDS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(str::split_whitespace)
        .map(|w| w.chars().collect())
        .collect();
    let at = |i: usize| {
        let rest = &chars[i..];
        words
            .iter()
            .filter(move |w| rest.starts_with(w))
            .map(|w| w.len())
    };
    let mut edges = vec![Edge::None; chars.len() + 1];
    let mut i = 0;
    while i < chars.len() {
        let Some(n) = at(i).max() else {
            i += 1;
            continue;
        };
        edges[i + 1..i + n].fill(Edge::Inside);
        for j in i..i + n {
            for m in at(j).filter(|&m| j + m <= i + n && m < n) {
                edges[j] = Edge::Part;
                edges[j + m] = Edge::Part;
            }
        }
        (edges[i], edges[i + n]) = (Edge::Word, Edge::Word);
        i += n;
    }
    edges
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text split at every allowed break of at most `max` cost.
    fn split(text: &str, max: f32) -> Vec<&str> {
        let mut parts = Vec::new();
        let mut start = 0;
        for (at, cost) in opportunities(text) {
            if cost <= max {
                parts.push(text[start..at].trim_end());
                start = at;
            }
        }
        parts.push(&text[start..]);
        parts
    }

    #[test]
    fn words_of_an_office_name() {
        let name = "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาสุราษฎร์ธานี ชุมพร";
        assert_eq!(
            split(name, cost::WORD),
            [
                "สำนักงาน",
                "เขตพื้นที่",
                "การศึกษา",
                "มัธยมศึกษา",
                "สุราษฎร์ธานี",
                "ชุมพร"
            ]
        );
        let parts = [
            "สำนัก",
            "งาน",
            "เขต",
            "พื้นที่",
            "การ",
            "ศึกษา",
            "มัธยม",
            "ศึกษา",
            "สุราษฎร์ธานี",
            "ชุมพร",
        ];
        assert_eq!(split(name, cost::PART), parts);
    }

    const SAMPLE: &str = "เปลี่ยนแปลงกั้นน้ำใจไทยฤทธิ์จันทร์ก้าวหน้าส่งเสริมก่อนความปลอดภัยระบบ";

    #[test]
    fn marks_and_vowels_stay_with_their_consonant() {
        for part in split(SAMPLE, cost::CHAR) {
            let first = part.chars().next().unwrap();
            assert!(!is_mark(first) && !is_following(first), "{part}");
            assert!(!is_leading(part.chars().last().unwrap()), "{part}");
        }
    }

    #[test]
    fn syllables_are_not_split() {
        assert_eq!(
            split(SAMPLE, cost::SYLLABLE),
            [
                "เปลี่ยน",
                "แปลง",
                "กั้น",
                "น้ำ",
                "ใจ",
                "ไทย",
                "ฤทธิ์",
                "จันทร์",
                "ก้าว",
                "หน้า",
                "ส่งเสริม",
                "ก่อน",
                "ความปลอด",
                "ภัย",
                "ระบบ"
            ]
        );
        for whole in [
            "ส่ง",
            "ก่อน",
            "นัก",
            "กั้น",
            "พื้น",
            "เขต",
            "ไทย",
            "กลาง",
            "เรียน",
            "เมือง",
            "ด้วย",
        ] {
            assert_eq!(
                split(&format!("{whole}{whole}"), cost::SYLLABLE),
                [whole, whole]
            );
        }
    }

    #[test]
    fn latin_breaks_at_spaces_and_hyphens() {
        assert_eq!(
            split("Area Office well-known", cost::HYPHEN),
            ["Area", "Office", "well-", "known"]
        );
        assert_eq!(split("abc", cost::CHAR), ["a", "b", "c"]);
    }
}
