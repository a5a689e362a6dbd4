//! Walks one paragraph's runs and collects what the body needs: styled
//! text pieces, links (checked for safety), pictures and text boxes, and
//! findings about content Markdown cannot carry.
//!
//! Links come in three shapes: `w:hyperlink` (what Word and LibreOffice
//! write), `w:fldSimple` and complex `HYPERLINK` fields spread over runs
//! (what pasted web text often becomes). All three are checked the same way.

use super::Finding;
use super::markdown::Piece;
use super::package::Rels;
use super::styles::{Emphasis, Styles};
use super::xml::{Attr, Element, Name, Node};

/// Fields nested deeper than this are not followed (hostile input).
const MAX_FIELDS: usize = 32;

/// What the walk reads from.
pub(crate) struct Env<'a> {
    pub styles: &'a Styles,
    pub rels: &'a Rels,
}

/// A picture met in the document, before its bytes are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PictureRef {
    /// The part holding the picture.
    pub part: String,
    pub alt: Option<String>,
    pub decorative: bool,
    pub paragraph: usize,
}

/// What the walk reports besides text.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub findings: Vec<Finding>,
    pub pictures: Vec<PictureRef>,
}

impl Sink {
    /// Reports `f` unless it was already (findings are once per paragraph).
    fn once(&mut self, f: Finding) {
        if !self.findings.contains(&f) {
            self.findings.push(f);
        }
    }

    fn unsupported(&mut self, what: &'static str, paragraph: usize) {
        self.once(Finding::Unsupported { what, paragraph });
    }
}

/// A paragraph's inline content.
pub(crate) struct Collected<'e> {
    pub pieces: Vec<Piece>,
    /// Text boxes anchored in the paragraph, to be rendered after it.
    pub text_boxes: Vec<&'e Element>,
}

/// A link being collected: where its text starts, and whether it is kept.
struct OpenLink {
    start: usize,
    url: String,
    kind: LinkKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkKind {
    Safe,
    Unsafe,
    Local,
    /// An internal bookmark or a link inside a link: text only.
    None,
}

/// A complex field (`w:fldChar` begin … separate … end) being read.
struct Field {
    instr: String,
    in_result: bool,
    link: bool,
}

struct Walk<'a, 'e> {
    env: &'a Env<'a>,
    sink: &'a mut Sink,
    paragraph: usize,
    para_emphasis: Emphasis,
    pieces: Vec<Piece>,
    text_boxes: Vec<&'e Element>,
    links: Vec<OpenLink>,
    fields: Vec<Field>,
}

/// Collects the inline content of paragraph `p`, numbered `paragraph`.
/// `para_emphasis` is what the paragraph style makes bold or italic.
pub(crate) fn collect<'e>(
    p: &'e Element,
    env: &Env<'_>,
    sink: &mut Sink,
    paragraph: usize,
    para_emphasis: Emphasis,
) -> Collected<'e> {
    let mut w = Walk {
        env,
        sink,
        paragraph,
        para_emphasis,
        pieces: Vec::new(),
        text_boxes: Vec::new(),
        links: Vec::new(),
        fields: Vec::new(),
    };
    w.children(p);
    while !w.links.is_empty() {
        w.close_link();
    }
    Collected {
        pieces: w.pieces,
        text_boxes: w.text_boxes,
    }
}

impl<'a, 'e> Walk<'a, 'e> {
    fn children(&mut self, el: &'e Element) {
        for child in el.elements() {
            match child.name {
                Name::R => self.run(child),
                Name::Hyperlink => {
                    self.open_link(hyperlink_url(child, self.env.rels));
                    self.children(child);
                    self.close_link();
                }
                Name::FldSimple => {
                    let url = child.attr(Attr::Instr).and_then(hyperlink_instr);
                    let is_link = url.is_some();
                    if is_link {
                        self.open_link(url);
                    }
                    self.children(child);
                    if is_link {
                        self.close_link();
                    }
                }
                Name::Math => self.sink.unsupported("equation", self.paragraph),
                Name::PPr | Name::P | Name::Tbl => {}
                _ => self.children(child),
            }
        }
    }

    fn run(&mut self, r: &'e Element) {
        let style = r
            .child(Name::RPr)
            .and_then(|p| p.child(Name::RStyle))
            .and_then(|s| s.attr(Attr::Val));
        let own = r.child(Name::RPr).map(Emphasis::of_rpr).unwrap_or_default();
        let e = own
            .or(self.env.styles.emphasis(style))
            .or(self.para_emphasis);
        let (bold, italic) = (e.bold.unwrap_or(false), e.italic.unwrap_or(false));
        if e.hidden == Some(true) {
            return self.hidden_run(r);
        }
        for child in r.elements() {
            match child.name {
                Name::T => {
                    if !self.in_field_code() {
                        self.text(&text_of(child), bold, italic);
                    }
                }
                Name::Tab => self.text(" ", bold, italic),
                Name::NoBreakHyphen => self.text("-", bold, italic),
                Name::Br => {
                    if !matches!(child.attr(Attr::Type), Some("page" | "column")) {
                        self.pieces.push(Piece::Break);
                    }
                }
                Name::Cr => self.pieces.push(Piece::Break),
                Name::FldChar => self.field_char(child),
                Name::InstrText => self.instr_text(child),
                Name::Object => self.sink.unsupported("embedded-object", self.paragraph),
                Name::NoteReference => self.sink.unsupported("footnote", self.paragraph),
                _ => self.graphics(child),
            }
        }
    }

    /// A run hidden in Word (Font → Hidden): staff hide what they do not
    /// want shown, so its text and pictures are left out, and they are told
    /// (once per paragraph). Its field marks still count: a field may
    /// begin in a hidden run and end in a shown one.
    fn hidden_run(&mut self, r: &'e Element) {
        let mut content = false;
        for child in r.elements() {
            match child.name {
                Name::FldChar => self.field_char(child),
                Name::InstrText => self.instr_text(child),
                Name::RPr => {}
                Name::T => content |= !text_of(child).trim().is_empty(),
                _ => content = true,
            }
        }
        if content {
            let paragraph = self.paragraph;
            self.sink.once(Finding::HiddenText { paragraph });
        }
    }

    /// A piece of the instruction of the field being read (`HYPERLINK
    /// "url"`), before its result.
    fn instr_text(&mut self, el: &Element) {
        if let Some(f) = self.fields.last_mut()
            && !f.in_result
        {
            f.instr.push_str(&text_of(el));
        }
    }

    /// Drawings, VML shapes, charts, diagrams and text boxes inside a run.
    fn graphics(&mut self, el: &'e Element) {
        match el.name {
            Name::Inline | Name::Anchor => self.drawing(el),
            Name::Shape => self.vml_shape(el),
            Name::TxbxContent => self.text_boxes.push(el),
            Name::Chart => self.sink.unsupported("chart", self.paragraph),
            Name::Diagram => self.sink.unsupported("smartart", self.paragraph),
            Name::Math => self.sink.unsupported("equation", self.paragraph),
            Name::ImageData => self.picture(el.attr(Attr::Id), false, None, false),
            _ => {
                for child in el.elements() {
                    self.graphics(child);
                }
            }
        }
    }

    /// A DrawingML `wp:inline`/`wp:anchor`: pictures (one, or several in a
    /// group), with alt text from `wp:docPr/@descr`, else the picture's own
    /// `pic:cNvPr/@descr`; never the automatic `name`.
    fn drawing(&mut self, el: &'e Element) {
        let doc_pr = el.child(Name::DocPr);
        let shared_alt = doc_pr.and_then(|d| d.attr(Attr::Descr)).and_then(clean_alt);
        let decorative = doc_pr
            .and_then(|d| d.find(Name::Decorative))
            .is_some_and(|d| matches!(d.attr(Attr::Val), Some("1" | "true")));
        let blips = el.descendants(Name::Blip);
        let own_alts: Vec<Option<String>> = el
            .descendants(Name::CNvPr)
            .iter()
            .map(|c| c.attr(Attr::Descr).and_then(clean_alt))
            .collect();
        for (i, blip) in blips.iter().enumerate() {
            let own = if own_alts.len() == blips.len() {
                own_alts[i].clone()
            } else {
                None
            };
            let alt = if blips.len() == 1 {
                shared_alt.clone().or(own)
            } else {
                own.or(shared_alt.clone())
            };
            let linked_only = blip.attr(Attr::Embed).is_none() && blip.attr(Attr::Link).is_some();
            self.picture(blip.attr(Attr::Embed), linked_only, alt, decorative);
        }
        for child in el.elements() {
            if child.name != Name::DocPr {
                self.graphics_inside_drawing(child);
            }
        }
    }

    /// Text boxes, charts and diagrams inside a drawing (its pictures are
    /// already taken).
    fn graphics_inside_drawing(&mut self, el: &'e Element) {
        match el.name {
            Name::TxbxContent => self.text_boxes.push(el),
            Name::Chart => self.sink.unsupported("chart", self.paragraph),
            Name::Diagram => self.sink.unsupported("smartart", self.paragraph),
            _ => {
                for child in el.elements() {
                    self.graphics_inside_drawing(child);
                }
            }
        }
    }

    /// A VML `v:shape` (old Word, `w:pict`): its `v:imagedata` pictures
    /// with the shape's `alt`, and its text boxes.
    fn vml_shape(&mut self, shape: &'e Element) {
        let alt = shape.attr(Attr::Alt).and_then(clean_alt);
        for data in shape.descendants(Name::ImageData) {
            self.picture(data.attr(Attr::Id), false, alt.clone(), false);
        }
        for tb in shape.descendants(Name::TxbxContent) {
            self.text_boxes.push(tb);
        }
    }

    /// Records a picture by relationship id, or a missing one.
    fn picture(
        &mut self,
        rel_id: Option<&str>,
        linked: bool,
        alt: Option<String>,
        decorative: bool,
    ) {
        let rel = rel_id.and_then(|id| self.env.rels.get(id));
        match rel {
            Some(rel) if !rel.external && !linked => self.sink.pictures.push(PictureRef {
                part: rel.target.clone(),
                alt,
                decorative,
                paragraph: self.paragraph,
            }),
            _ => self.sink.findings.push(Finding::MissingPicture {
                paragraph: self.paragraph,
            }),
        }
    }

    fn text(&mut self, s: &str, bold: bool, italic: bool) {
        if s.is_empty() {
            return;
        }
        // Never merge into text before the innermost open link: its
        // findings quote the link's own text.
        let floor = self.links.last().map_or(0, |l| l.start);
        if self.pieces.len() > floor
            && let Some(Piece::Text {
                text,
                bold: b,
                italic: i,
            }) = self.pieces.last_mut()
            && *b == bold
            && *i == italic
        {
            text.push_str(s);
            return;
        }
        self.pieces.push(Piece::Text {
            text: s.to_string(),
            bold,
            italic,
        });
    }

    fn in_field_code(&self) -> bool {
        self.fields.last().is_some_and(|f| !f.in_result)
    }

    fn field_char(&mut self, el: &Element) {
        match el.attr(Attr::FldCharType) {
            Some("begin") if self.fields.len() < MAX_FIELDS => {
                self.fields.push(Field {
                    instr: String::new(),
                    in_result: false,
                    link: false,
                });
            }
            Some("separate") => {
                let url = match self.fields.last_mut() {
                    Some(f) if !f.in_result => {
                        f.in_result = true;
                        hyperlink_instr(&f.instr)
                    }
                    _ => None,
                };
                if url.is_some()
                    && let Some(f) = self.fields.last_mut()
                {
                    f.link = true;
                    self.open_link(url);
                }
            }
            Some("end") if self.fields.pop().is_some_and(|f| f.link) => self.close_link(),
            _ => {}
        }
    }

    fn open_link(&mut self, url: Option<String>) {
        let nested = self.links.iter().any(|l| l.kind != LinkKind::None);
        let (url, kind) = match url {
            Some(u) if !nested => {
                let kind = classify_url(&u);
                (u, kind)
            }
            _ => (String::new(), LinkKind::None),
        };
        if kind == LinkKind::Safe {
            self.pieces.push(Piece::LinkOpen(url.clone()));
        }
        self.links.push(OpenLink {
            start: self.pieces.len(),
            url,
            kind,
        });
    }

    fn close_link(&mut self) {
        let Some(link) = self.links.pop() else { return };
        let text = || {
            let mut s = String::new();
            for p in self.pieces.get(link.start..).unwrap_or_default() {
                match p {
                    Piece::Text { text, .. } => s.push_str(text),
                    Piece::Break => s.push(' '),
                    _ => {}
                }
            }
            s.trim().to_string()
        };
        let paragraph = self.paragraph;
        match link.kind {
            LinkKind::Safe => self.pieces.push(Piece::LinkClose),
            LinkKind::Unsafe => {
                let f = Finding::UnsafeLink {
                    url: link.url,
                    text: text(),
                    paragraph,
                };
                self.sink.findings.push(f);
            }
            LinkKind::Local => {
                let f = Finding::LocalLink {
                    url: link.url,
                    text: text(),
                    paragraph,
                };
                self.sink.findings.push(f);
            }
            LinkKind::None => {}
        }
    }
}

/// The text of a `w:t` or `w:instrText`.
pub(crate) fn text_of(el: &Element) -> String {
    el.children
        .iter()
        .filter_map(|n| match n {
            Node::Text(t) => Some(t.as_str()),
            Node::El(_) => None,
        })
        .collect()
}

/// Alt text worth keeping: trimmed, not empty.
fn clean_alt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Where a `w:hyperlink` points: its relationship target plus `#anchor`.
/// `None` for a link to a bookmark inside the document.
fn hyperlink_url(el: &Element, rels: &Rels) -> Option<String> {
    let target = el
        .attr(Attr::Id)
        .and_then(|id| rels.get(id))
        .map(|r| r.target.clone())?;
    match el.attr(Attr::Anchor) {
        Some(a) if !a.is_empty() && !target.contains('#') => Some(format!("{target}#{a}")),
        _ => Some(target),
    }
}

/// The URL of a `HYPERLINK "url" \l "anchor" \o "tip"` field instruction;
/// `None` for other fields and for `\l`-only (bookmark) links.
fn hyperlink_instr(instr: &str) -> Option<String> {
    let rest = instr.trim_start();
    let (word, rest) = rest.split_at(rest.find(char::is_whitespace).unwrap_or(rest.len()));
    if !word.eq_ignore_ascii_case("HYPERLINK") {
        return None;
    }
    let rest = rest.trim_start();
    let url = if let Some(quoted) = rest.strip_prefix('"') {
        quoted.split('"').next().unwrap_or_default()
    } else {
        rest.split_whitespace().next().unwrap_or_default()
    };
    (!url.is_empty() && !url.starts_with('\\')).then(|| url.to_string())
}

/// Sorts a link: script and data URLs are unsafe; file links and drive or
/// network paths cannot be opened by readers; everything else is kept
/// (relative links may name an attachment beside the `.docx`).
fn classify_url(url: &str) -> LinkKind {
    // Browsers ignore ASCII whitespace and controls inside a scheme.
    let squeezed: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .flat_map(char::to_lowercase)
        .collect();
    if ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|s| squeezed.starts_with(s))
    {
        return LinkKind::Unsafe;
    }
    let b = url.trim().as_bytes();
    let drive =
        b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/');
    if squeezed.starts_with("file:") || drive || url.trim().starts_with("\\\\") {
        return LinkKind::Local;
    }
    LinkKind::Safe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_instructions() {
        assert_eq!(
            hyperlink_instr(r#" HYPERLINK "https://a.th/x" \o "tip""#).as_deref(),
            Some("https://a.th/x")
        );
        assert_eq!(
            hyperlink_instr("HYPERLINK https://a.th").as_deref(),
            Some("https://a.th")
        );
        assert_eq!(hyperlink_instr(r#"HYPERLINK \l "_Toc1""#), None);
        assert_eq!(hyperlink_instr("PAGE"), None);
    }

    #[test]
    fn url_kinds() {
        assert_eq!(classify_url("JavaScript:alert(1)"), LinkKind::Unsafe);
        assert_eq!(classify_url(" java\tscript:x"), LinkKind::Unsafe);
        assert_eq!(classify_url("data:text/html,x"), LinkKind::Unsafe);
        assert_eq!(classify_url("C:\\Users\\a.pdf"), LinkKind::Local);
        assert_eq!(classify_url("file:///a.pdf"), LinkKind::Local);
        assert_eq!(classify_url("https://a.th"), LinkKind::Safe);
        assert_eq!(classify_url("ประกาศ.pdf"), LinkKind::Safe);
    }
}
