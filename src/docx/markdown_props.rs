//! Property test for [`super::markdown`]: whatever staff type, with any
//! bold/italic/link/line-break mix, the Markdown renders back (through
//! pulldown-cmark with khao's options) to the same visible characters with
//! the same emphasis and links, and creates no block structure of its own.

use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::markdown::{Mode, Piece, render};

/// Characters and sequences that stress CommonMark: every ASCII
/// punctuation, Thai letters, vowels and tone marks, Unicode punctuation
/// and spaces, and block starters.
const TOKENS: &[&str] = &[
    "ก",
    "ข",
    "่",
    "้",
    "ั",
    "ิ",
    "ำ",
    "เ",
    "า",
    "ๆ",
    "ฯ",
    "๏",
    "๑",
    "a",
    "Z",
    "7",
    "1.",
    "2)",
    " ",
    " ",
    "\t",
    "\u{a0}",
    "“",
    "”",
    "…",
    "—",
    "!",
    "\"",
    "#",
    "$",
    "%",
    "&",
    "'",
    "(",
    ")",
    "*",
    "+",
    ",",
    "-",
    ".",
    "/",
    ":",
    ";",
    "<",
    "=",
    ">",
    "?",
    "@",
    "[",
    "\\",
    "]",
    "^",
    "_",
    "`",
    "{",
    "|",
    "}",
    "~",
    "&amp;",
    "&#3585;",
    "<b>",
    "</em>",
    "[^1]",
    "{#id}",
    "***",
    "---",
    "===",
    "> ",
    "- ",
    "+ ",
    "    ",
    "http://x.th",
    "<http://x>",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 1..6).prop_map(|v| v.concat())
}

/// Pieces: styled texts and breaks, with links that hold no break.
fn pieces() -> impl Strategy<Value = Vec<Piece>> {
    let item = prop_oneof![
        6 => (text(), any::<bool>(), any::<bool>()).prop_map(|(text, bold, italic)| vec![Piece::Text { text, bold, italic }]),
        1 => Just(vec![Piece::Break]),
        2 => (prop::collection::vec((text(), any::<bool>(), any::<bool>()), 1..3), prop::sample::select(&["https://a.th/x", "https://a.th/ก ข", "a(b).pdf"][..]))
            .prop_map(|(texts, url)| {
                let mut v = vec![Piece::LinkOpen(url.to_string())];
                v.extend(texts.into_iter().map(|(text, bold, italic)| Piece::Text { text, bold, italic }));
                v.push(Piece::LinkClose);
                v
            }),
    ];
    prop::collection::vec(item, 0..8).prop_map(|v| v.concat())
}

/// (visible non-space char, bold, italic, in a link) in order.
type Seen = Vec<(char, bool, bool, bool)>;

fn expected(pieces: &[Piece]) -> Seen {
    let mut out = Seen::new();
    let mut link = false;
    for p in pieces {
        match p {
            Piece::Text { text, bold, italic } => {
                let visible = text
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control());
                out.extend(visible.map(|c| (c, *bold, *italic, link)));
            }
            Piece::LinkOpen(_) => link = true,
            Piece::LinkClose => link = false,
            Piece::Break => {}
        }
    }
    out
}

/// Renders `md` and collects what a reader sees; `Err` on block structure
/// that the pieces did not ask for.
fn seen(md: &str, mode: Mode) -> Result<Seen, String> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let (mut bold, mut italic, mut link) = (0i32, 0i32, false);
    let mut out = Seen::new();
    for event in Parser::new_ext(md, options) {
        match event {
            Event::Start(Tag::Strong) => bold += 1,
            Event::End(TagEnd::Strong) => bold -= 1,
            Event::Start(Tag::Emphasis) => italic += 1,
            Event::End(TagEnd::Emphasis) => italic -= 1,
            Event::Start(Tag::Link { .. }) => link = true,
            Event::End(TagEnd::Link) => link = false,
            Event::InlineHtml(h) => match h.as_ref() {
                "<strong>" => bold += 1,
                "</strong>" => bold -= 1,
                "<em>" => italic += 1,
                "</em>" => italic -= 1,
                "<br>" if mode == Mode::Cell => {}
                other => return Err(format!("unexpected inline html {other:?}")),
            },
            Event::Text(t) => {
                let visible = t.chars().filter(|c| !c.is_whitespace());
                out.extend(visible.map(|c| (c, bold > 0, italic > 0, link)));
            }
            Event::SoftBreak | Event::HardBreak => {}
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
            Event::Start(Tag::Heading { .. }) | Event::End(TagEnd::Heading(_))
                if mode == Mode::Heading => {}
            Event::Start(Tag::List(_) | Tag::Item) | Event::End(TagEnd::List(_) | TagEnd::Item)
                if mode == Mode::ListItem => {}
            Event::Start(Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell)
            | Event::End(
                TagEnd::Table | TagEnd::TableHead | TagEnd::TableRow | TagEnd::TableCell,
            ) if mode == Mode::Cell => {}
            other => return Err(format!("unexpected {other:?}")),
        }
    }
    Ok(out)
}

/// The Markdown a mode's lines become in a document.
fn document(lines: &[String], mode: Mode) -> String {
    match mode {
        Mode::Paragraph => lines.join("\n"),
        Mode::ListItem => format!("- {}", lines.join("\n  ")),
        Mode::Heading => format!("## {}", lines.join(" ")),
        Mode::Cell => format!("| h |\n| --- |\n| {} |", lines.join("")),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn renders_back_to_what_was_typed(
        pieces in pieces(),
        mode in prop::sample::select(&[Mode::Paragraph, Mode::ListItem, Mode::Heading, Mode::Cell][..]),
    ) {
        let lines = render(&pieces, mode);
        let md = document(&lines, mode);
        let mut got = seen(&md, mode).map_err(|e| TestCaseError::fail(format!("{e}\n{md}")))?;
        if mode == Mode::Cell {
            // The header cell `h` of the wrapping table.
            prop_assert_eq!(got.first(), Some(&('h', false, false, false)));
            got.remove(0);
        }
        prop_assert_eq!(got, expected(&pieces), "markdown:\n{}", md);
    }
}
