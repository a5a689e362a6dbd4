//! Turns styled text into CommonMark that renders back to exactly the text
//! staff typed.
//!
//! Thai is written without spaces between words, so emphasis usually sits
//! in the middle of a "word", where CommonMark's flanking rules decide
//! whether `*` opens or closes. We use `*`/`**` when the rules guarantee it
//! works and fall back to `<em>`/`<strong>` otherwise (khao passes such
//! inline HTML through its sanitiser). Every Markdown-significant ASCII
//! character is backslash-escaped; Thai text is never altered.

/// One piece of a paragraph's inline content, before Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Text {
        text: String,
        bold: bool,
        italic: bool,
    },
    /// A soft line break (`w:br`, `w:cr`).
    Break,
    /// Start of a safe link; the destination is written as given.
    LinkOpen(String),
    LinkClose,
}

/// Where the inline content goes, which decides what a break becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A break is a hard line break; two or more in a row (outside a link)
    /// start a new paragraph, as the blank line they show in Word.
    Paragraph,
    /// A break is a hard line break, however many.
    ListItem,
    /// Headings are one line: a break is a space. `#` and `{` are escaped.
    Heading,
    /// Table cells are one line: a break is `<br>`.
    Cell,
}

/// Renders inline pieces as Markdown lines. An empty string in the result
/// is a paragraph break (blank line). Leading and trailing whitespace of
/// every line is dropped: in Word it is indentation, in Markdown it would
/// become a code block or a hard break.
pub(crate) fn render(pieces: &[Piece], mode: Mode) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // The separator owed before the next non-empty line.
    let mut owed: Option<Sep> = None;
    for (line, after) in split_lines(pieces, mode) {
        let text = render_line(&line, mode);
        if !text.is_empty() {
            match (owed, out.last_mut()) {
                (Some(_), Some(last)) if mode == Mode::Heading => {
                    last.push(' ');
                    last.push_str(&text);
                }
                (Some(_), Some(last)) if mode == Mode::Cell => {
                    last.push_str("<br>");
                    last.push_str(&text);
                }
                (Some(Sep::Para), Some(_)) => {
                    out.push(String::new());
                    out.push(text);
                }
                (Some(Sep::Hard), Some(last)) => {
                    last.push('\\');
                    out.push(text);
                }
                _ => out.push(text),
            }
            owed = None;
        }
        if !out.is_empty() {
            owed = owed.max(Some(after));
        }
    }
    out
}

/// How one line is separated from the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Sep {
    Hard,
    Para,
}

/// Splits pieces at breaks. Consecutive breaks become one separator: a
/// paragraph break in [`Mode::Paragraph`] when not inside a link.
fn split_lines(pieces: &[Piece], mode: Mode) -> Vec<(Vec<&Piece>, Sep)> {
    let mut lines = Vec::new();
    let mut line: Vec<&Piece> = Vec::new();
    let mut breaks = 0;
    let mut in_link = false;
    for p in pieces {
        if *p == Piece::Break {
            breaks += 1;
            continue;
        }
        // Spaces alone between breaks leave the line blank.
        if breaks > 0 && matches!(p, Piece::Text { text, .. } if text.trim().is_empty()) {
            continue;
        }
        if breaks > 0 {
            let sep = if breaks > 1 && mode == Mode::Paragraph && !in_link {
                Sep::Para
            } else {
                Sep::Hard
            };
            lines.push((std::mem::take(&mut line), sep));
            breaks = 0;
        }
        match p {
            Piece::LinkOpen(_) => in_link = true,
            Piece::LinkClose => in_link = false,
            _ => {}
        }
        line.push(p);
    }
    lines.push((line, Sep::Hard));
    lines
}

/// One line: trims its ends, escapes text, wraps emphasis, writes links.
fn render_line(line: &[&Piece], mode: Mode) -> String {
    let line = clean_line(line);
    let mut out = String::new();
    let mut dest: &str = "";
    for (i, piece) in line.iter().enumerate() {
        match piece {
            Piece::Text { text, bold, italic } => {
                let next = next_char(&line[i + 1..], mode);
                styled(&mut out, text, *bold, *italic, next, mode);
            }
            Piece::LinkOpen(d) => {
                if out.ends_with('!') {
                    // `![` would start an image.
                    out.insert(out.len() - 1, '\\');
                }
                dest = d;
                out.push('[');
            }
            Piece::LinkClose => {
                out.push_str("](");
                out.push_str(&link_destination(dest));
                out.push(')');
            }
            Piece::Break => {}
        }
    }
    out
}

/// Prepares a line for rendering, so that what follows each piece is
/// known: links without visible text or without an end on this line lose
/// their markers, then whitespace at both ends of the line is dropped.
fn clean_line(line: &[&Piece]) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(line.len());
    let mut open: Option<usize> = None;
    for p in line {
        match p {
            Piece::LinkOpen(_) if open.is_some() => {}
            Piece::LinkOpen(_) => {
                open = Some(out.len());
                out.push((*p).clone());
            }
            Piece::LinkClose => {
                let Some(at) = open.take() else { continue };
                let visible = out[at + 1..]
                    .iter()
                    .any(|q| matches!(q, Piece::Text { text, .. } if !text.trim().is_empty()));
                if visible {
                    out.push(Piece::LinkClose);
                } else {
                    out.remove(at);
                }
            }
            Piece::Break => {}
            Piece::Text { .. } => out.push((*p).clone()),
        }
    }
    if let Some(at) = open {
        out.remove(at);
    }
    trim_ends(&mut out);
    out
}

/// Drops whitespace at the start of the first text and the end of the last.
fn trim_ends(out: &mut Vec<Piece>) {
    for p in out.iter_mut() {
        if let Piece::Text { text, .. } = p {
            *text = text.trim_start().to_string();
            if !text.is_empty() {
                break;
            }
        }
    }
    for p in out.iter_mut().rev() {
        if let Piece::Text { text, .. } = p {
            *text = text.trim_end().to_string();
            if !text.is_empty() {
                break;
            }
        }
    }
    out.retain(|p| !matches!(p, Piece::Text { text, .. } if text.is_empty()));
}

/// The first character that will follow a piece, as far as flanking goes:
/// `None` at the end of the line (which counts as whitespace).
fn next_char(rest: &[Piece], mode: Mode) -> Option<char> {
    match rest.first()? {
        Piece::Text {
            text,
            bold: false,
            italic: false,
        } => escape(text, false, mode).chars().next(),
        // Emphasis starts with `*`, `<` or the whitespace moved out of it.
        Piece::Text { text, .. } => text
            .chars()
            .next()
            .filter(|c| c.is_whitespace())
            .or(Some('<')),
        Piece::LinkOpen(_) => Some('['),
        Piece::LinkClose => Some(']'),
        Piece::Break => None,
    }
}

/// Writes one text piece, with emphasis when it has some.
fn styled(out: &mut String, text: &str, bold: bool, italic: bool, next: Option<char>, mode: Mode) {
    let line_start = out.is_empty();
    if !bold && !italic {
        out.push_str(&escape(text, line_start, mode));
        return;
    }
    let core = text.trim();
    if core.is_empty() {
        out.push_str(&escape(text, line_start, mode));
        return;
    }
    let lead = &text[..text.len() - text.trim_start().len()];
    let trail = &text[text.trim_end().len()..];
    out.push_str(&escape(lead, line_start, mode));
    let inner = escape(core, false, mode);
    let prev = out.chars().last();
    let after = if trail.is_empty() {
        next
    } else {
        trail.chars().next()
    };
    if star_emphasis_works(prev, &inner, after) {
        let marker = match (bold, italic) {
            (true, true) => "***",
            (true, false) => "**",
            _ => "*",
        };
        out.push_str(marker);
        out.push_str(&inner);
        out.push_str(marker);
    } else {
        let (open, close) = match (bold, italic) {
            (true, true) => ("<strong><em>", "</em></strong>"),
            (true, false) => ("<strong>", "</strong>"),
            _ => ("<em>", "</em>"),
        };
        out.push_str(open);
        out.push_str(&inner);
        out.push_str(close);
    }
    out.push_str(&escape(trail, false, mode));
}

/// Whether `*inner*` between `prev` and `next` is emphasis for sure under
/// CommonMark's flanking rules. Never next to another `*`: adjacent
/// delimiter runs merge and change meaning.
fn star_emphasis_works(prev: Option<char>, inner: &str, next: Option<char>) -> bool {
    let (Some(first), Some(last)) = (inner.chars().next(), inner.chars().last()) else {
        return false;
    };
    let open = !first.is_whitespace()
        && prev != Some('*')
        && (!maybe_punct(first) || prev.is_none_or(|p| surely_space(p) || surely_punct(p)));
    let close = !last.is_whitespace()
        && next != Some('*')
        && (!maybe_punct(last) || next.is_none_or(|n| surely_space(n) || surely_punct(n)));
    open && close
}

/// Could CommonMark count this as punctuation? (Over-approximation: any
/// character that is not a letter, digit or space, Thai tone marks too.)
fn maybe_punct(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace()
}

/// Does every CommonMark version count this as punctuation? (Under-
/// approximation: ASCII punctuation and a few common quotes and dashes.)
fn surely_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '\u{2010}'
                ..='\u{2027}' | '\u{00A1}' | '\u{00A7}' | '\u{00AB}' | '\u{00B6}' | '\u{00B7}'
        )
        || matches!(
            c,
            '\u{00BB}' | '\u{00BF}' | '\u{0E4F}' | '\u{0E5A}' | '\u{0E5B}' | '\u{3001}'
                ..='\u{3003}'
        )
}

/// Unicode whitespace as CommonMark defines it (Zs and a few controls).
fn surely_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | '\u{0C}' | '\r' | '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}'
    ) || matches!(c, '\u{202F}' | '\u{205F}' | '\u{3000}')
}

/// Escapes text so Markdown shows it as typed. `line_start`: the text
/// begins a line, where `#`, `-`, `+`, `=` and `1.` would start a block.
pub(crate) fn escape(text: &str, line_start: bool, mode: Mode) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let chars: Vec<char> = text.chars().collect();
    let lead_digits = if line_start {
        chars.iter().take_while(|c| c.is_ascii_digit()).count()
    } else {
        0
    };
    for (i, &c) in chars.iter().enumerate() {
        let c = match c {
            '\t' | '\n' | '\r' | '\u{0B}' | '\u{0C}' => ' ',
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => continue,
            c => c,
        };
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' => true,
            '&' => looks_like_entity(&chars[i + 1..]),
            '#' | '{' | '}' if mode == Mode::Heading => true,
            '#' | '-' | '+' | '=' if line_start && i == 0 => true,
            '.' | ')' if line_start && i == lead_digits && (1..=9).contains(&lead_digits) => true,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Whether `&` followed by these characters would be read as an entity
/// or character reference (`&amp;`, `&#3585;`).
fn looks_like_entity(rest: &[char]) -> bool {
    let rest = rest.strip_prefix(&['#']).unwrap_or(rest);
    let name = rest
        .iter()
        .take(32)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    name > 0 && rest.get(name) == Some(&';')
}

/// A link destination CommonMark takes as is: plain when it has no
/// spaces, brackets or backslashes, else in `<...>`.
fn link_destination(url: &str) -> String {
    let url: String = url.chars().filter(|c| !c.is_control()).collect();
    let plain = !url.is_empty()
        && !url
            .chars()
            .any(|c| c.is_whitespace() || "<>()\\".contains(c));
    if plain {
        return url;
    }
    let mut out = String::from("<");
    for c in url.chars() {
        if matches!(c, '<' | '>' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('>');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str, bold: bool, italic: bool) -> Piece {
        Piece::Text {
            text: text.into(),
            bold,
            italic,
        }
    }

    #[test]
    fn thai_emphasis_inside_words() {
        let p = [
            t("ข่าว", false, false),
            t("สำคัญ", true, false),
            t("มาก", false, false),
        ];
        assert_eq!(render(&p, Mode::Paragraph), ["ข่าว**สำคัญ**มาก"]);
        let p = [
            t("ก", false, false),
            t("(ร่าง)", true, false),
            t("ข", false, false),
        ];
        assert_eq!(render(&p, Mode::Paragraph), ["ก<strong>(ร่าง)</strong>ข"]);
        let p = [t("ก", true, false), t("ข", false, true)];
        assert_eq!(render(&p, Mode::Paragraph), ["**ก**<em>ข</em>"]);
    }

    #[test]
    fn escapes_only_what_matters() {
        assert_eq!(
            escape("1. ข้อ *ก* [x] a&b &amp;", true, Mode::Paragraph),
            "1\\. ข้อ \\*ก\\* \\[x\\] a&b \\&amp;"
        );
        assert_eq!(escape("# หัว", true, Mode::Paragraph), "\\# หัว");
        assert_eq!(
            escape("ข่าว #1 {x}", false, Mode::Heading),
            "ข่าว \\#1 \\{x\\}"
        );
        assert_eq!(escape("- a", false, Mode::Paragraph), "- a");
    }

    #[test]
    fn breaks_by_mode() {
        let p = [
            t("  ก ", false, false),
            Piece::Break,
            t("ข", false, false),
            Piece::Break,
            Piece::Break,
            t("ค", false, false),
        ];
        assert_eq!(render(&p, Mode::Paragraph), ["ก\\", "ข", "", "ค"]);
        assert_eq!(render(&p, Mode::ListItem), ["ก\\", "ข\\", "ค"]);
        assert_eq!(render(&p, Mode::Heading), ["ก ข ค"]);
        assert_eq!(render(&p, Mode::Cell), ["ก<br>ข<br>ค"]);
        assert_eq!(
            render(
                &[Piece::Break, t(" ", false, false), Piece::Break],
                Mode::Paragraph
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn links() {
        let p = [
            Piece::LinkOpen("https://a.th/x y".into()),
            t("เว็บ", false, false),
            Piece::LinkClose,
        ];
        assert_eq!(render(&p, Mode::Paragraph), ["[เว็บ](<https://a.th/x y>)"]);
        let p = [
            t("ก", false, false),
            Piece::LinkOpen("https://a.th".into()),
            Piece::LinkClose,
        ];
        assert_eq!(render(&p, Mode::Paragraph), ["ก"]);
    }
}
