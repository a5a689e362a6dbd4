//! Turns the document's top-level blocks, as they stream in, into the
//! fields table rows and the Markdown body.
//!
//! Blocks before the first table are rendered aside: when a table follows,
//! they were a letterhead or instructions and are dropped (their pictures
//! become [`Finding::PictureBeforeFields`]); when none does, they are the
//! body. The crate docs say how paragraphs and rows are numbered.

use std::collections::HashMap;
use std::ops::ControlFlow;

use super::inline::{self, Env, PictureRef, Sink};
use super::labels::{LabelMatch, clean_label, match_label};
use super::markdown::{self, Mode};
use super::styles::{Emphasis, ListKind, ListLevel};
use super::xml::{Attr, Element, Name};
use super::{DocxError, FieldRow, Finding, UnknownLabel};

/// Widest body table kept; further cells of a row are dropped.
const MAX_COLUMNS: usize = 64;

/// Markdown lines with the paragraph each came from.
#[derive(Debug, Default)]
struct Section {
    /// The Markdown so far, each line ending with a newline.
    md: String,
    /// The paragraph number of each line of `md`.
    numbers: Vec<usize>,
    /// Open lists, outermost first.
    lists: Vec<ListFrame>,
    /// Running item numbers per (numbering instance, level), so a numbered
    /// list interrupted by a paragraph goes on counting as Word does.
    counters: HashMap<(String, u8), u32>,
    sink: Sink,
}

#[derive(Debug)]
struct ListFrame {
    num_id: String,
    level: u8,
    kind: ListKind,
    /// Columns before this list's markers.
    indent: usize,
    /// Columns before this list's item text (where nested lists go).
    content: usize,
}

impl Section {
    fn push(&mut self, line: &str, paragraph: usize) {
        self.md.push_str(line);
        self.md.push('\n');
        self.numbers.push(paragraph);
    }

    /// A blank line before a new block, unless at the top.
    fn separate(&mut self) {
        if let Some(&n) = self.numbers.last() {
            self.push("", n);
        }
    }

    /// A paragraph, heading or table: ends any list.
    fn block(&mut self, lines: Vec<String>, paragraph: usize) {
        if lines.is_empty() {
            return;
        }
        self.lists.clear();
        self.separate();
        for line in lines {
            self.push(&line, paragraph);
        }
    }

    /// A list item at its level, continuing, nesting or starting a list.
    fn list_item(&mut self, lvl: &ListLevel, lines: Vec<String>, paragraph: usize) {
        let Some((first, rest)) = lines.split_first() else {
            return;
        };
        while self.lists.last().is_some_and(|f| f.level > lvl.level) {
            self.lists.pop();
        }
        if self
            .lists
            .last()
            .is_some_and(|f| f.level == lvl.level && (f.kind != lvl.kind || f.num_id != lvl.num_id))
        {
            self.lists.pop();
        }
        let marker = match lvl.kind {
            ListKind::Bullet => "-".to_string(),
            ListKind::Ordered => format!("{}.", self.next_number(lvl)),
        };
        if self.lists.last().is_none_or(|f| f.level < lvl.level) {
            // A blank line above a new list, except for a list nested in
            // an item whose marker may interrupt the item's text (`-` and
            // `1.` may, `3.` may not).
            let nested = self.lists.last().is_some();
            if !nested || !matches!(marker.as_str(), "-" | "1.") {
                self.separate();
            }
            let indent = self.lists.last().map_or(0, |f| f.content);
            self.lists.push(ListFrame {
                num_id: lvl.num_id.clone(),
                level: lvl.level,
                kind: lvl.kind,
                indent,
                content: indent,
            });
        }
        let Some(frame) = self.lists.last_mut() else {
            return;
        };
        frame.content = frame.indent + marker.len() + 1;
        let (indent, content) = (frame.indent, frame.content);
        self.push(
            &format!("{}{marker} {first}", " ".repeat(indent)),
            paragraph,
        );
        for line in rest {
            self.push(&format!("{}{line}", " ".repeat(content)), paragraph);
        }
    }

    /// The number of the next item at this level: counting on from the
    /// last item of the same numbering instance, restarting below a
    /// shallower item as Word does.
    fn next_number(&mut self, lvl: &ListLevel) -> u32 {
        self.counters
            .retain(|(id, level), _| *id != lvl.num_id || *level <= lvl.level);
        let count = self
            .counters
            .entry((lvl.num_id.clone(), lvl.level))
            .or_insert(0);
        *count = count.saturating_add(1);
        *count
    }
}

/// The rows of the fields table.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    pub table: Option<usize>,
    pub rows: Vec<FieldRow>,
    pub unknown: Vec<UnknownLabel>,
}

/// What the blocks became.
pub(crate) struct BodyOut {
    pub fields: Fields,
    pub body: String,
    pub body_lines: Vec<usize>,
    pub pictures: Vec<PictureRef>,
    pub findings: Vec<Finding>,
}

/// Receives the top-level blocks in order.
pub(crate) struct BodyBuilder<'a> {
    env: Env<'a>,
    /// Most Markdown bytes the body may reach (the part limit): tables
    /// padded with empty cells could otherwise grow far beyond their XML.
    max_bytes: u64,
    over: bool,
    paragraph: usize,
    fields: Fields,
    before: Section,
    after: Section,
}

impl<'a> BodyBuilder<'a> {
    pub(crate) fn new(env: Env<'a>, max_bytes: u64) -> Self {
        BodyBuilder {
            env,
            max_bytes,
            over: false,
            paragraph: 0,
            fields: Fields::default(),
            before: Section::default(),
            after: Section::default(),
        }
    }

    /// One top-level block (the [`super::xml::parse_blocks`] callback).
    pub(crate) fn block(&mut self, el: Element) -> ControlFlow<()> {
        if !matches!(el.name, Name::P | Name::Tbl) {
            return ControlFlow::Continue(());
        }
        self.paragraph += 1;
        let n = self.paragraph;
        let env = &self.env;
        match (el.name, self.fields.table.is_some()) {
            (Name::Tbl, false) => {
                self.fields = read_fields(&el, n);
                // Pictures and links in the fields table still count.
                for p in el.descendants(Name::P) {
                    inline::collect(p, env, &mut self.after.sink, n, Emphasis::default());
                }
            }
            (Name::Tbl, true) => table(env, &mut self.after, &el, n),
            (_, false) => paragraph(env, &mut self.before, &el, n),
            (_, true) => paragraph(env, &mut self.after, &el, n),
        }
        if (self.before.md.len() + self.after.md.len()) as u64 > self.max_bytes {
            self.over = true;
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    /// The result, or [`DocxError::PartTooLarge`] for a body past its limit.
    pub(crate) fn finish(self) -> Result<BodyOut, DocxError> {
        if self.over {
            return Err(DocxError::PartTooLarge {
                part: "body (Markdown)".into(),
                limit: self.max_bytes,
            });
        }
        let (mut main, before) = match self.fields.table {
            Some(_) => (self.after, Some(self.before)),
            None => (self.before, None),
        };
        let mut findings = Vec::new();
        if let Some(before) = before {
            let skipped = before
                .sink
                .pictures
                .iter()
                .map(|p| Finding::PictureBeforeFields {
                    paragraph: p.paragraph,
                });
            findings.extend(skipped);
        }
        findings.append(&mut main.sink.findings);
        Ok(BodyOut {
            fields: self.fields,
            body: main.md,
            body_lines: main.numbers,
            pictures: main.sink.pictures,
            findings,
        })
    }
}

/// A paragraph: heading, list item or plain, then its text boxes.
fn paragraph(env: &Env<'_>, out: &mut Section, p: &Element, n: usize) {
    let ppr = p.child(Name::PPr);
    let heading = env.styles.heading_level(ppr);
    let list = if heading.is_none() {
        env.styles.list_level(ppr)
    } else {
        None
    };
    let style = ppr
        .and_then(|p| p.child(Name::PStyle))
        .and_then(|s| s.attr(Attr::Val));
    // A heading is bold by its style already; only direct formatting counts.
    let emphasis = if heading.is_some() {
        Emphasis::default()
    } else {
        env.styles.emphasis(style)
    };
    let c = inline::collect(p, env, &mut out.sink, n, emphasis);
    match (heading, list) {
        (Some(level), _) => {
            let lines = markdown::render(&c.pieces, Mode::Heading);
            let lines = lines
                .into_iter()
                .map(|l| format!("{} {l}", "#".repeat(level.into())))
                .collect();
            out.block(lines, n);
        }
        (None, Some(lvl)) => out.list_item(&lvl, markdown::render(&c.pieces, Mode::ListItem), n),
        (None, None) => out.block(markdown::render(&c.pieces, Mode::Paragraph), n),
    }
    for tb in c.text_boxes {
        for child in tb.elements() {
            match child.name {
                Name::P => paragraph(env, out, child, n),
                Name::Tbl => table(env, out, child, n),
                _ => {}
            }
        }
    }
}

/// A body table as a pipe table; the first row is the header row.
fn table(env: &Env<'_>, out: &mut Section, tbl: &Element, n: usize) {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for tr in tbl.elements().filter(|e| e.name == Name::Tr) {
        let mut cells = Vec::new();
        for tc in tr.elements().filter(|e| e.name == Name::Tc) {
            cells.push(cell(env, &mut out.sink, tc, n));
            let span: usize = tc
                .child(Name::GridSpan)
                .and_then(|g| g.attr(Attr::Val)?.parse().ok())
                .unwrap_or(1);
            cells.extend(std::iter::repeat_n(
                String::new(),
                span.clamp(1, MAX_COLUMNS) - 1,
            ));
        }
        cells.truncate(MAX_COLUMNS);
        // Empty rows (spacing in Word) would only pad the Markdown.
        if rows.is_empty() || cells.iter().any(|c| !c.is_empty()) {
            rows.push(cells);
        }
    }
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    if width == 0 || rows.iter().flatten().all(String::is_empty) {
        // An empty (layout) table, or one that only held pictures.
        return;
    }
    let line = |cells: &[String]| {
        let mut s = String::from("|");
        for i in 0..width {
            let c = cells.get(i).map(String::as_str).unwrap_or_default();
            s.push(' ');
            s.push_str(c);
            s.push_str(" |");
        }
        s
    };
    let mut lines = vec![line(&rows[0]), format!("|{}", " --- |".repeat(width))];
    lines.extend(rows[1..].iter().map(|r| line(r)));
    out.block(lines, n);
}

/// One table cell on one line: paragraphs joined with `<br>`, list items
/// marked `•`, nested tables flattened row by row.
fn cell(env: &Env<'_>, sink: &mut Sink, tc: &Element, n: usize) -> String {
    let mut parts: Vec<String> = Vec::new();
    for child in tc.elements() {
        match child.name {
            Name::P => {
                let c = inline::collect(child, env, sink, n, Emphasis::default());
                let text = markdown::render(&c.pieces, Mode::Cell).join("<br>");
                let bullet = env.styles.list_level(child.child(Name::PPr)).is_some();
                if !text.is_empty() {
                    parts.push(if bullet { format!("• {text}") } else { text });
                }
            }
            Name::Tbl => {
                for tr in child.elements().filter(|e| e.name == Name::Tr) {
                    let row: Vec<String> = tr
                        .elements()
                        .filter(|e| e.name == Name::Tc)
                        .map(|tc| cell(env, sink, tc, n))
                        .filter(|s| !s.is_empty())
                        .collect();
                    if !row.is_empty() {
                        parts.push(row.join(" / "));
                    }
                }
            }
            _ => {}
        }
    }
    parts.join("<br>")
}

/// The fields table: label in the first cell, value in the second. Rows
/// with a single cell (a merged section heading) and rows with an empty
/// label are skipped.
fn read_fields(tbl: &Element, n: usize) -> Fields {
    let mut fields = Fields {
        table: Some(n),
        ..Fields::default()
    };
    for (i, tr) in tbl.elements().filter(|e| e.name == Name::Tr).enumerate() {
        let cells: Vec<&Element> = tr.elements().filter(|e| e.name == Name::Tc).collect();
        let [label_cell, value_cell, ..] = cells[..] else {
            continue;
        };
        let typed = plain_text(label_cell);
        let label = clean_label(&typed);
        let value = plain_text(value_cell);
        let row = i + 1;
        match match_label(&typed) {
            LabelMatch::Empty => {}
            LabelMatch::Known(key) => fields.rows.push(FieldRow {
                row,
                key,
                label,
                value,
            }),
            LabelMatch::Unknown { nearest } => fields.unknown.push(UnknownLabel {
                row,
                label,
                value,
                nearest,
            }),
        }
    }
    fields
}

/// How many labels of a table's first column are known (for
/// [`super::has_fields_table`]).
pub(crate) fn known_labels(tbl: &Element) -> usize {
    tbl.elements()
        .filter(|e| e.name == Name::Tr)
        .filter_map(|tr| tr.elements().find(|e| e.name == Name::Tc))
        .filter(|tc| matches!(match_label(&plain_text(tc)), LabelMatch::Known(_)))
        .count()
}

/// A cell's text as typed: paragraphs and breaks as `\n`, tabs as spaces,
/// each line trimmed, no Markdown.
pub(crate) fn plain_text(container: &Element) -> String {
    let mut lines: Vec<String> = Vec::new();
    collect_plain(container, &mut lines);
    let lines: Vec<&str> = lines
        .iter()
        .flat_map(|l| l.split('\n'))
        .map(str::trim)
        .collect();
    lines.join("\n").trim().to_string()
}

fn collect_plain(container: &Element, lines: &mut Vec<String>) {
    for child in container.elements() {
        match child.name {
            Name::P => {
                let mut s = String::new();
                paragraph_text(child, &mut s);
                lines.push(s);
            }
            Name::Tbl | Name::Tr | Name::Tc => collect_plain(child, lines),
            _ => {}
        }
    }
}

fn paragraph_text(el: &Element, s: &mut String) {
    for child in el.elements() {
        match child.name {
            Name::T => s.push_str(&inline::text_of(child)),
            Name::Tab => s.push(' '),
            Name::NoBreakHyphen => s.push('-'),
            Name::Br if !matches!(child.attr(Attr::Type), Some("page" | "column")) => s.push('\n'),
            Name::Cr => s.push('\n'),
            Name::PPr | Name::RPr | Name::InstrText | Name::TxbxContent | Name::P | Name::Tbl => {}
            _ => paragraph_text(child, s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(section: &mut Section, num_id: &str, level: u8, kind: ListKind, text: &str) {
        let lvl = ListLevel {
            num_id: num_id.into(),
            level,
            kind,
        };
        section.list_item(&lvl, vec![text.into()], 1);
    }

    #[test]
    fn lists_nest_continue_and_restart() {
        let mut s = Section::default();
        s.block(vec!["ก".into()], 1);
        item(&mut s, "1", 0, ListKind::Bullet, "a");
        item(&mut s, "2", 1, ListKind::Ordered, "b");
        item(&mut s, "2", 1, ListKind::Ordered, "c");
        item(&mut s, "1", 0, ListKind::Bullet, "d");
        // Another instance at level 1 goes on counting: 3. needs a blank line.
        item(&mut s, "2", 1, ListKind::Ordered, "e");
        item(&mut s, "3", 0, ListKind::Ordered, "f");
        s.block(vec!["ข".into()], 1);
        item(&mut s, "3", 0, ListKind::Ordered, "g");
        let expected = "ก\n\n- a\n  1. b\n  2. c\n- d\n\n  3. e\n\n1. f\n\nข\n\n2. g\n";
        assert_eq!(s.md, expected);
        // And CommonMark reads the lists we meant: their kinds and starts.
        use pulldown_cmark::{Event, Parser, Tag};
        let starts: Vec<Option<u64>> = Parser::new(&s.md)
            .filter_map(|e| match e {
                Event::Start(Tag::List(start)) => Some(start),
                _ => None,
            })
            .collect();
        assert_eq!(starts, [None, Some(1), Some(3), Some(1), Some(2)]);
    }
}
