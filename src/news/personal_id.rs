//! Thai national ID numbers: thirteen digits whose last is a mod-11 check
//! digit. A valid one in a request would be published to the world, so it
//! is an error; thirteen digits that fail the checksum (a phone list, a
//! document number) are not reported, nor a company's tax number
//! ([`is_person`]): a procurement result must publish the winner's.

use crate::diagnostic::{Code, Diagnostic};
use crate::i18n::Message;

/// True when `digits` (13 ASCII digits) carry a valid check digit.
pub fn valid_checksum(digits: &[u8]) -> bool {
    if digits.len() != 13 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = digits[..12]
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * (13 - i as u32))
        .sum();
    (11 - sum % 11) % 10 == u32::from(digits[12] - b'0')
}

/// The `personal-id` error for each national ID number in `text` (a
/// request's or a news item's whole file: front matter and body), with its
/// line and span; the caller names the file.
pub fn diagnostics(text: &str) -> impl Iterator<Item = Diagnostic> + '_ {
    find(text).into_iter().map(|r| {
        let line = crate::plumbing::text::line_of(text, r.start);
        Diagnostic::error(Code::PersonalId, Message::new("check.personal_id"))
            .at_line(line)
            .with_span(r)
    })
}

/// The `personal-id` errors of a Markdown file's `text` whose body starts
/// at byte `body` ([`diagnostics`] and [`markup_diagnostics`]).
pub fn in_file_text(text: &str, body: Option<usize>) -> Vec<Diagnostic> {
    let mut found: Vec<Diagnostic> = diagnostics(text).collect();
    if let Some(offset) = body {
        found.extend(markup_diagnostics(text, offset));
    }
    found
}

/// The `personal-id` error for each national ID a reader of the body
/// sees that [`diagnostics`] does not (see [`hidden_by_markup`]). `body`
/// starts at byte `offset` of `text`; each error spans the block holding
/// the number.
pub fn markup_diagnostics(text: &str, offset: usize) -> Vec<Diagnostic> {
    let Some(body) = text.get(offset..) else {
        return Vec::new();
    };
    hidden_by_markup(body, find)
        .into_iter()
        .map(|(block, _)| {
            let span = offset + block.start..offset + block.end;
            let line = crate::plumbing::text::line_of(text, span.start);
            Diagnostic::error(Code::PersonalId, Message::new("check.personal_id"))
                .at_line(line)
                .with_span(span)
        })
        .collect()
}

/// The blocks of Markdown `body` holding a number that `find` sees in the
/// text as a reader sees it ([`crate::markdown::visible_blocks`]) and not
/// in `body` itself: split by Markdown marks or HTML tags
/// (`**31099**06958484`, `3109<b>90695</b>8484`), or written with
/// entities. Each block's byte range in `body`, and the first such number
/// as read.
pub(crate) fn hidden_by_markup(
    body: &str,
    find: fn(&str) -> Vec<std::ops::Range<usize>>,
) -> Vec<(std::ops::Range<usize>, String)> {
    let seen = find(body);
    let overlaps_seen =
        |b: &std::ops::Range<usize>| seen.iter().any(|s| s.start < b.end && b.start < s.end);
    crate::markdown::visible_blocks(body)
        .into_iter()
        .filter(|(block, _)| !overlaps_seen(block))
        .filter_map(|(block, visible)| {
            let number = find(&visible)
                .first()
                .map(|r| visible[r.clone()].to_string())?;
            Some((block, number))
        })
        .collect()
}

/// The `personal-id` error for a file name holding a national ID: the
/// name is published in the file's address. The caller names the file.
pub fn in_file_name(name: &str) -> Option<Diagnostic> {
    (!find(name).is_empty()).then(|| {
        let m = Message::new("check.personal_id_name").arg("file", name);
        Diagnostic::error(Code::PersonalId, m)
    })
}

/// Whether a valid number (13 ASCII digits) is a person's. The same
/// numbering gives a juristic person (a company, a foundation) its tax
/// number, beginning with 0 and its registrar's code (never 00); people's
/// begin with 1 to 8, with 00 (people without registration status, given
/// a number through their school), or with 0 and 89 as the sixth and
/// seventh digits (people registered without Thai nationality, children
/// in the office's schools among them).
fn is_person(digits: &[u8]) -> bool {
    match digits[0] {
        // No card begins with 9; a book's ISBN (978…) does.
        b'9' => false,
        b'0' => digits[1] == b'0' || &digits[5..7] == b"89",
        _ => true,
    }
}

/// The digit value of an ASCII, Thai or full-width digit (as a Thai or
/// Japanese input method may type them) as an ASCII digit.
pub(crate) fn digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8),
        '\u{0E50}'..='\u{0E59}' => Some(b'0' + (c as u32 - 0x0E50) as u8),
        '\u{FF10}'..='\u{FF19}' => Some(b'0' + (c as u32 - 0xFF10) as u8),
        _ => None,
    }
}

/// A run of digits (ASCII or Thai) in a text: its byte range and the
/// digits as ASCII.
pub(super) struct Group {
    pub start: usize,
    pub end: usize,
    pub digits: Vec<u8>,
}

/// The numbers of `text` as runs of digit groups joined by a
/// [`separator`] (`1-2345-67890-12-3`, `081 234 5678`): what the
/// national ID and phone number checks look through.
pub(super) fn digit_runs(text: &str) -> Vec<Vec<Group>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i].1).is_none() {
            i += 1;
            continue;
        }
        let mut groups = Vec::new();
        let mut j = i;
        loop {
            let start = chars[j].0;
            let mut digits = Vec::new();
            loop {
                if let Some(d) = chars.get(j).and_then(|c| digit(c.1)) {
                    digits.push(d);
                    j += 1;
                    continue;
                }
                // Invisible between two digits (a zero-width space that
                // Word or a Thai keyboard put there, a soft hyphen): the
                // reader sees, and copies, one number.
                let hidden = (chars[j..].iter()).take_while(|c| invisible(c.1)).count();
                let resumes = chars.get(j + hidden).is_some_and(|c| digit(c.1).is_some());
                if hidden == 0 || !resumes {
                    break;
                }
                j += hidden;
            }
            let end = chars.get(j).map(|c| c.0).unwrap_or(text.len());
            groups.push(Group { start, end, digits });
            match separator(&chars[j..]) {
                Some(n) => j += n,
                None => break,
            }
        }
        runs.push(groups);
        i = j.max(i + 1);
    }
    runs
}

/// A character that shows nothing: zero-width space, joiners, word
/// joiner, byte-order mark, soft hyphen.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}'
    )
}

/// How many characters at the start of `rest` separate two groups of one
/// number, when a digit follows them: spaces, a dash of any kind (Word
/// turns `-` into `–` as it is typed), a dot or a closing parenthesis,
/// with spaces around it (`1 - 2345`, `081.234.5678`, `(081) 234 5678`).
/// A slash is not one: `04123/1234` is a letter's number, `20/11/2569` a
/// date.
fn separator(rest: &[(usize, char)]) -> Option<usize> {
    let space = |c: char| matches!(c, ' ' | '\u{a0}' | '\u{2009}' | '\u{202f}');
    let mark = |c: char| {
        matches!(
            c,
            '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe63}' | '\u{ff0d}' | '.' | ')'
        )
    };
    let spaces = |from: usize| {
        rest[from..]
            .iter()
            .take_while(|c| space(c.1))
            .take(2)
            .count()
    };
    let mut n = spaces(0);
    if rest.get(n).is_some_and(|c| mark(c.1)) {
        n += 1;
        n += spaces(n);
    }
    let digit_follows = rest.get(n).is_some_and(|c| digit(c.1).is_some());
    (n > 0 && digit_follows).then_some(n)
}

/// How the 13 digits of an ID are printed on the card, and other ways
/// people group them that include a group of one.
const GROUPINGS: [&[usize]; 5] = [
    &[13],
    &[1, 4, 5, 2, 1],
    &[1, 4, 5, 3],
    &[1, 4, 8],
    &[4, 4, 5],
];

/// Whether 13 digits written in groups of `lengths` may be an ID as
/// someone wrote it: grouped as on the card, one digit at a time (copied
/// from the boxes of a form), or in up to five groups of two digits or
/// more (`31014 00456782`, `310-140-045-6782`). Not a news slug or file
/// name that begins with a date (`20221017-00006`).
fn id_grouping(lengths: &[usize], digits: &[u8]) -> bool {
    if GROUPINGS.contains(&lengths) || lengths.iter().all(|&n| n == 1) {
        return true;
    }
    let dated = lengths.first() == Some(&8) && is_date(&digits[..8]);
    lengths.len() <= 5 && lengths.iter().all(|&n| n >= 2) && !dated
}

/// Whether eight digits read as a date, year first (`20221017`,
/// `25691127`).
fn is_date(d: &[u8]) -> bool {
    let number =
        |r: std::ops::Range<usize>| (d[r].iter()).fold(0u32, |n, &b| n * 10 + u32::from(b - b'0'));
    let (year, month, day) = (number(0..4), number(4..6), number(6..8));
    matches!(year, 1900..=2100 | 2400..=2650)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
}

/// Byte ranges of `text` holding a valid national ID: plain, dashed
/// (1-2345-67890-12-3), spaced, or in Thai digits.
pub fn find(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    for groups in digit_runs(text) {
        // Thirteen digits in one run, grouped as [`id_grouping`] allows.
        for a in 0..groups.len() {
            let mut all = Vec::new();
            let mut lengths = Vec::new();
            for b in a..groups.len() {
                all.extend_from_slice(&groups[b].digits);
                lengths.push(groups[b].digits.len());
                if all.len() == 13
                    && id_grouping(&lengths, &all)
                    && valid_checksum(&all)
                    && is_person(&all)
                {
                    found.push(groups[a].start..groups[b].end);
                }
                if all.len() >= 13 {
                    break;
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid ID from its first twelve digits.
    fn with_check(first12: &str) -> String {
        let d: Vec<u32> = first12.bytes().map(|b| u32::from(b - b'0')).collect();
        let sum: u32 = d.iter().enumerate().map(|(i, v)| v * (13 - i as u32)).sum();
        format!("{first12}{}", (11 - sum % 11) % 10)
    }

    /// `id` grouped as printed on the card: 1-2345-67890-12-3.
    fn card(id: &str) -> String {
        let parts = [&id[0..1], &id[1..5], &id[5..10], &id[10..12], &id[12..]];
        parts.join("-")
    }

    #[test]
    fn finds_plain_dashed_spaced_and_thai_digits() {
        let id = with_check("110170020345");
        assert!(valid_checksum(id.as_bytes()));
        let dashed = card(&id);
        let spaced = dashed.replace('-', " ");
        let thai = crate::thaidate::to_thai_digits(&dashed);
        // As Word's AutoFormat leaves it, dotted, and with spaced hyphens.
        let en_dashed = dashed.replace('-', "\u{2013}");
        let dotted = dashed.replace('-', ".");
        let spaced_hyphens = dashed.replace('-', " - ");
        for s in [
            &id,
            &dashed,
            &spaced,
            &thai,
            &en_dashed,
            &dotted,
            &spaced_hyphens,
        ] {
            let text = format!("เลขประจำตัว {s} ครับ");
            let f = find(&text);
            assert_eq!(f.len(), 1, "{text}");
            assert_eq!(&text[f[0].clone()], s.as_str());
        }
    }

    #[test]
    fn ignores_bad_checksums_and_other_numbers() {
        let id = with_check("110170020345");
        let last = id.as_bytes()[12] - b'0';
        let bad = format!("{}{}", &id[..12], (last + 1) % 10);
        assert!(find(&bad).is_empty());
        assert!(find("โทร 077-205317 วันที่ 20/11/2569").is_empty());
        assert!(find("12345678901234567").is_empty());
    }

    #[test]
    fn a_companys_tax_number_is_not_a_persons_id() {
        // A company's (0-1055-36…): published in every procurement result.
        let company = with_check("010553609264");
        assert!(valid_checksum(company.as_bytes()));
        assert!(find(&format!("เลขประจำตัวผู้เสียภาษี {company}")).is_empty());
        // A person registered without Thai nationality: 0, then 89 as the
        // sixth and seventh digits.
        let stateless = with_check("063018900123");
        assert_eq!(find(&format!("เลขประจำตัว {stateless}")).len(), 1);
        // A person without registration status, numbered through school.
        let unregistered = with_check("009912345678");
        assert_eq!(find(&format!("เลขประจำตัว {unregistered}")).len(), 1);
    }

    #[test]
    fn a_books_isbn_is_not_an_id() {
        let isbn = with_check("978616000100");
        assert!(valid_checksum(isbn.as_bytes()));
        assert!(find(&format!("ISBN {isbn}")).is_empty());
    }

    const FRONT: &str = "---\ntitle: x\n---\n";

    #[test]
    fn an_id_split_by_markup_or_invisible_characters_is_found() {
        let id = with_check("310990695848");
        for hidden in ["\u{200b}", "\u{2060}", "\u{ad}", "\u{200b}\u{200b}"] {
            let text = format!("เลข {}{hidden}{} ครับ", &id[..5], &id[5..]);
            assert_eq!(find(&text).len(), 1, "{text:?}");
        }
        let wide: String = (id.chars())
            .map(|c| char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c))
            .collect();
        assert_eq!(find(&wide).len(), 1, "{wide}");
        let card = card(&id);
        let wrapped = card.replacen('-', "-\n", 2);
        for body in [
            format!("เลข **{}**{}", &id[..5], &id[5..]),
            format!("เลข *{}*{}", &id[..6], &id[6..]),
            format!("เลข [{}](/news/){}", &id[..6], &id[6..]),
            format!("เลข {}<b>{}</b>{}", &id[..4], &id[4..9], &id[9..]),
            format!(
                "เลข {}&#{};{}",
                &id[..5],
                u32::from(id.as_bytes()[5]),
                &id[6..]
            ),
            format!("เลข\n{wrapped}\nครับ"),
        ] {
            let text = format!("{FRONT}{body}\n");
            assert!(
                find(&text).is_empty(),
                "the text alone shows no number: {text}"
            );
            let found = markup_diagnostics(&text, FRONT.len());
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].line, Some(4), "{text}");
        }
        // Found once, not again as markup.
        let plain = format!("{FRONT}**เลข** {id}\n");
        assert_eq!(find(&plain).len(), 1);
        assert!(markup_diagnostics(&plain, FRONT.len()).is_empty());
    }

    #[test]
    fn other_groupings_are_not_ids() {
        // A date-and-number slug whose digits happen to pass the checksum.
        let id = with_check("202210170000");
        let slug = format!("{}-{}", &id[..8], &id[8..]);
        assert!(find(&slug).is_empty(), "{slug}");
        let file_name = format!("{}_{}", &id[..8], &id[8..]);
        assert!(find(&file_name).is_empty(), "{file_name}");
        // Mixed with groups of one, only as on the card.
        let odd = format!("{} {} {}", &id[..1], &id[1..12], &id[12..]);
        assert!(find(&odd).is_empty(), "{odd}");
        // The same digits as on the card are found, and as people type
        // them otherwise.
        for typed in [
            format!("{}-{}-{}-{}", &id[..1], &id[1..5], &id[5..10], &id[10..]),
            format!("{} {} {}", &id[..4], &id[4..8], &id[8..]),
            format!("{} {} {}", &id[..3], &id[3..6], &id[6..]),
        ] {
            assert_eq!(find(&typed).len(), 1, "{typed}");
        }
    }

    #[test]
    fn an_id_copied_digit_by_digit_or_grouped_otherwise_is_found() {
        let id = "3101400456782";
        assert!(valid_checksum(id.as_bytes()));
        let spaced: Vec<String> = id.chars().map(String::from).collect();
        for typed in [
            spaced.join(" "),
            format!("{} {}", &id[..5], &id[5..]),
            format!("{} {}", &id[..7], &id[7..]),
            format!("{}-{}-{}-{}", &id[..3], &id[3..6], &id[6..9], &id[9..]),
            format!("{} {} {}", &id[..4], &id[4..9], &id[9..]),
            crate::thaidate::to_thai_digits(&spaced.join(" ")),
        ] {
            assert_eq!(find(&format!("เลข {typed} ครับ")).len(), 1, "{typed}");
        }
        let card = card(id);
        assert_eq!(find(&card).len(), 1);
    }
}
