//! A small, filtered, namespace-aware element tree over quick-xml.
//!
//! WordprocessingML is verbose: most of a `document.xml` is formatting we do
//! not need (fonts, sizes, revision ids). The builder keeps only the
//! elements the reader uses ([`Name`]), drops whole subtrees that must not
//! be read (deleted text, tracked property changes, `mc:Fallback` copies),
//! and passes through every other element as if its children were its
//! parent's (`w:ins`, `w:smartTag`, `mc:AlternateContent`...). Names are
//! matched by namespace URI, not by prefix, so any producer's prefixes work.
//!
//! For the main document the tree is handed over one top-level block at a
//! time ([`parse_blocks`]), so memory follows the largest block, not the
//! whole document. Depth is checked on every element, kept or not.

use std::io::BufRead;
use std::ops::ControlFlow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{NamespaceResolver, ResolveResult};
use quick_xml::reader::NsReader;

use super::{DocxError, Limits};

/// A kept element costs 100–300 bytes of memory (the element, its child
/// list, its text, allocator overhead) against as little as 7 bytes of XML
/// (`<w:tr/>`). Holding at most one per 256 bytes of the part limit keeps
/// a block's tree near the part limit in memory (262,144 elements by
/// default; a 500-row, 10-column table needs about 40,000).
pub(crate) fn max_elements(limits: &Limits) -> usize {
    usize::try_from(limits.max_part_bytes / 256)
        .unwrap_or(usize::MAX)
        .max(10_000)
}

/// The elements the reader keeps, by meaning (namespace resolved). Each is
/// the WordprocessingML element of the same name, except `Called`
/// (`w:name`, a style's name), `Diagram` (`dgm:relIds`, SmartArt) and
/// `Math` (`m:oMath`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[rustfmt::skip]
pub(crate) enum Name {
    Root, Body, P, PPr, PStyle, NumPr, Ilvl, NumId, OutlineLvl, R, RPr, RStyle, B, BCs, I, ICs, Vanish,
    T, Tab, Br, Cr, NoBreakHyphen, Tbl, Tr, Tc, GridSpan, VMerge, Hyperlink, FldSimple, FldChar,
    InstrText, TxbxContent, Sdt, SdtPr, SdtContent, ShowingPlcHdr, Style, Called, BasedOn,
    AbstractNum, AbstractNumId, Num, Lvl, NumFmt, Start, Object, Inline, Anchor, DocPr, Blip,
    CNvPr, Shape, ImageData, Decorative, Relationship, Chart, Diagram, Math, NoteReference,
}

/// The attributes the reader keeps. `Id` and `Type` serve both the
/// relationship parts (unprefixed) and WordprocessingML (`r:id`, `w:type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[rustfmt::skip]
pub(crate) enum Attr {
    Val, Id, Embed, Link, StyleId, Type, Descr, Anchor, Instr, FldCharType, AbstractNumId,
    NumId, Ilvl, Target, TargetMode, Alt,
}

/// The namespaces we recognise, transitional and strict OOXML alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    W,
    R,
    Wp,
    A,
    Pic,
    V,
    Mc,
    Adec,
    Rels,
    C,
    Dgm,
    M,
    None,
    Other,
}

fn ns_of(uri: &str) -> Ns {
    const OX: &str = "http://schemas.openxmlformats.org/";
    const STRICT: &str = "http://purl.oclc.org/ooxml/";
    let tail = uri.strip_prefix(OX).or_else(|| uri.strip_prefix(STRICT));
    match tail {
        Some("wordprocessingml/2006/main" | "wordprocessingml/main") => Ns::W,
        Some("officeDocument/2006/relationships" | "officeDocument/relationships") => Ns::R,
        Some("drawingml/2006/wordprocessingDrawing" | "drawingml/wordprocessingDrawing") => Ns::Wp,
        Some("drawingml/2006/main" | "drawingml/main") => Ns::A,
        Some("drawingml/2006/picture" | "drawingml/picture") => Ns::Pic,
        Some("markup-compatibility/2006") => Ns::Mc,
        Some("package/2006/relationships") => Ns::Rels,
        Some("drawingml/2006/chart" | "drawingml/chart") => Ns::C,
        Some("drawingml/2006/diagram" | "drawingml/diagram") => Ns::Dgm,
        Some("officeDocument/2006/math" | "officeDocument/math") => Ns::M,
        _ => match uri {
            "urn:schemas-microsoft-com:vml" => Ns::V,
            "http://schemas.microsoft.com/office/drawing/2017/decorative" => Ns::Adec,
            _ => Ns::Other,
        },
    }
}

/// What the builder does with an element.
enum Kind {
    Keep(Name),
    /// Skip the element and everything inside it.
    Drop,
    /// Skip the element but keep its children, as children of its parent.
    Pass,
}

#[rustfmt::skip]
fn classify(ns: Ns, local: &str) -> Kind {
    use Name::*;
    let keep = match (ns, local) {
        (Ns::W, "body") => Body, (Ns::W, "p") => P, (Ns::W, "pPr") => PPr,
        (Ns::W, "pStyle") => PStyle, (Ns::W, "numPr") => NumPr, (Ns::W, "ilvl") => Ilvl,
        (Ns::W, "numId") => NumId, (Ns::W, "outlineLvl") => OutlineLvl, (Ns::W, "r") => R,
        (Ns::W, "rPr") => RPr, (Ns::W, "rStyle") => RStyle, (Ns::W, "b") => B,
        (Ns::W, "bCs") => BCs, (Ns::W, "i") => I, (Ns::W, "iCs") => ICs, (Ns::W, "vanish") => Vanish, (Ns::W, "t") => T,
        (Ns::W, "tab") => Tab, (Ns::W, "br") => Br, (Ns::W, "cr") => Cr,
        (Ns::W, "noBreakHyphen") => NoBreakHyphen, (Ns::W, "tbl") => Tbl, (Ns::W, "tr") => Tr,
        (Ns::W, "tc") => Tc, (Ns::W, "gridSpan") => GridSpan, (Ns::W, "vMerge") => VMerge,
        (Ns::W, "hyperlink") => Hyperlink, (Ns::W, "fldSimple") => FldSimple,
        (Ns::W, "fldChar") => FldChar, (Ns::W, "instrText") => InstrText,
        (Ns::W, "txbxContent") => TxbxContent, (Ns::W, "sdt") => Sdt, (Ns::W, "sdtPr") => SdtPr,
        (Ns::W, "sdtContent") => SdtContent, (Ns::W, "showingPlcHdr") => ShowingPlcHdr,
        (Ns::W, "style") => Style, (Ns::W, "name") => Called, (Ns::W, "basedOn") => BasedOn,
        (Ns::W, "abstractNum") => AbstractNum, (Ns::W, "abstractNumId") => AbstractNumId,
        (Ns::W, "num") => Num, (Ns::W, "lvl") => Lvl, (Ns::W, "numFmt") => NumFmt,
        (Ns::W, "start") => Start, (Ns::W, "object") => Object,
        (Ns::Wp, "inline") => Inline, (Ns::Wp, "anchor") => Anchor, (Ns::Wp, "docPr") => DocPr,
        (Ns::A, "blip") => Blip, (Ns::Pic, "cNvPr") => CNvPr,
        (Ns::V, "shape") => Shape, (Ns::V, "imagedata") => ImageData,
        (Ns::Adec, "decorative") => Decorative, (Ns::Rels, "Relationship") => Relationship,
        (Ns::C, "chart") => Chart, (Ns::Dgm, "relIds") => Diagram,
        (Ns::M, "oMath") => Math,
        (Ns::W, "footnoteReference" | "endnoteReference") => NoteReference,
        (Ns::W, "del" | "moveFrom" | "delText" | "delInstrText" | "sectPr" | "tblPr"
            | "tblGrid" | "trPr" | "tblPrEx" | "lvlOverride" | "numberingChange"
            | "rPrChange" | "pPrChange" | "tblPrChange" | "trPrChange" | "tcPrChange"
            | "sectPrChange" | "latentStyles") => return Kind::Drop,
        (Ns::Mc, "Fallback") => return Kind::Drop,
        _ => return Kind::Pass,
    };
    Kind::Keep(keep)
}

#[rustfmt::skip]
fn classify_attr(ns: Ns, local: &str) -> Option<Attr> {
    Some(match (ns, local) {
        (Ns::W | Ns::None, "val") => Attr::Val, (Ns::W, "styleId") => Attr::StyleId,
        (Ns::W, "type") | (Ns::None, "Type") => Attr::Type, (Ns::W, "anchor") => Attr::Anchor,
        (Ns::W, "instr") => Attr::Instr, (Ns::W, "fldCharType") => Attr::FldCharType,
        (Ns::W, "abstractNumId") => Attr::AbstractNumId, (Ns::W, "numId") => Attr::NumId,
        (Ns::W, "ilvl") => Attr::Ilvl,
        (Ns::R, "id") | (Ns::None, "Id") => Attr::Id, (Ns::R, "embed") => Attr::Embed,
        (Ns::R, "link") => Attr::Link,
        (Ns::None, "Target") => Attr::Target, (Ns::None, "TargetMode") => Attr::TargetMode,
        (Ns::None, "descr") => Attr::Descr, (Ns::None, "alt") => Attr::Alt,
        _ => return None,
    })
}

/// A kept element.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Element {
    pub name: Name,
    pub attrs: Vec<(Attr, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    El(Element),
    /// Text of a `w:t` or `w:instrText`; text anywhere else is not kept.
    Text(String),
}

impl Element {
    fn new(name: Name) -> Self {
        Element {
            name,
            attrs: Vec::new(),
            children: Vec::new(),
        }
    }

    pub(crate) fn attr(&self, a: Attr) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| *k == a)
            .map(|(_, v)| v.as_str())
    }

    /// The direct child elements.
    pub(crate) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::El(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first direct child element with this name.
    pub(crate) fn child(&self, name: Name) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// Every element with this name below this one, in document order.
    pub(crate) fn descendants(&self, name: Name) -> Vec<&Element> {
        let mut out = Vec::new();
        let mut stack: Vec<&Element> = self.elements().collect();
        stack.reverse();
        while let Some(e) = stack.pop() {
            if e.name == name {
                out.push(e);
            }
            let at = stack.len();
            stack.extend(e.elements());
            stack[at..].reverse();
        }
        out
    }

    /// The first element with this name below this one.
    pub(crate) fn find(&self, name: Name) -> Option<&Element> {
        self.descendants(name).into_iter().next()
    }

    /// A `w:val`-style switch (`w:b`, `w:i`): on unless `val` says off.
    pub(crate) fn is_on(&self) -> bool {
        !matches!(self.attr(Attr::Val), Some("0" | "false" | "off" | "none"))
    }
}

/// The whole part as one tree under [`Name::Root`] (styles, numbering,
/// relationships: small parts).
pub(crate) fn parse_tree<R: BufRead>(
    src: R,
    part: &str,
    limits: &Limits,
) -> Result<Element, DocxError> {
    Builder::new(part, limits).run(src, None)
}

/// Streams the main document: `on_block` gets each element directly in
/// `w:body` (paragraphs and tables, content controls already unwrapped) as
/// soon as it is complete, and may stop the parse with `Break`.
pub(crate) fn parse_blocks<R: BufRead>(
    src: R,
    part: &str,
    limits: &Limits,
    on_block: &mut dyn FnMut(Element) -> ControlFlow<()>,
) -> Result<(), DocxError> {
    Builder::new(part, limits)
        .run(src, Some(on_block))
        .map(|_| ())
}

/// What an open XML element became, to undo it on its end tag.
enum Open {
    Kept,
    Passed,
}

struct Builder<'p> {
    part: &'p str,
    max_depth: usize,
    /// Most kept elements held at once (see [`DocxError::TooComplex`]).
    max_elements: usize,
    /// Kept elements held now: open, or closed but not yet handed over.
    held: usize,
    stack: Vec<Element>,
    open: Vec<Open>,
    /// Open elements inside a dropped subtree (0: not in one).
    dropping: usize,
}

impl<'p> Builder<'p> {
    fn new(part: &'p str, limits: &Limits) -> Self {
        Builder {
            part,
            max_depth: limits.max_xml_depth,
            max_elements: max_elements(limits),
            held: 0,
            stack: vec![Element::new(Name::Root)],
            open: Vec::new(),
            dropping: 0,
        }
    }

    fn bad(&self, detail: impl ToString) -> DocxError {
        DocxError::BadXml {
            part: self.part.to_string(),
            detail: detail.to_string(),
        }
    }

    fn run<R: BufRead>(
        mut self,
        src: R,
        mut on_block: Option<&mut dyn FnMut(Element) -> ControlFlow<()>>,
    ) -> Result<Element, DocxError> {
        let mut reader = NsReader::from_reader(src);
        reader.config_mut().expand_empty_elements = true;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let (ns, event) = reader
                .read_resolved_event_into(&mut buf)
                .map_err(|e| match e {
                    // The zip stream failed (damaged data, size or checksum).
                    quick_xml::Error::Io(io) => DocxError::Corrupt {
                        detail: format!("{}: {io}", self.part),
                    },
                    e => self.bad(e),
                })?;
            match event {
                Event::Start(start) => {
                    let ns = resolved(&ns);
                    self.open_element(ns, &start, reader.resolver())?;
                }
                Event::End(_) => {
                    if self.dropping > 0 {
                        self.dropping -= 1;
                    } else if let Some(Open::Kept) = self.open.pop() {
                        self.close()?;
                        if self.stack.last().is_some_and(|e| e.name == Name::Body)
                            && let Some(cb) = on_block.as_mut()
                            && self.hand_over(&mut **cb).is_break()
                        {
                            return Ok(Element::new(Name::Root));
                        }
                    }
                }
                Event::Text(t) => self.text(&t.xml10_content()),
                Event::CData(t) => self.text(&t.into_inner()),
                Event::GeneralRef(r) => {
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        Ok(None) => predefined_entity(&r),
                        Err(e) => return Err(self.bad(e)),
                    };
                    if let Some(c) = c {
                        self.text(c.encode_utf8(&mut [0; 4]));
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !self.open.is_empty() || self.dropping > 0 {
            return Err(self.bad("the part ends before its elements are closed"));
        }
        let mut root = self.stack.pop().unwrap_or_else(|| Element::new(Name::Root));
        if let Some(cb) = on_block {
            // A document whose body is not where expected: hand over what we have.
            for block in take_blocks(&mut root) {
                if cb(block).is_break() {
                    break;
                }
            }
        }
        Ok(root)
    }

    /// Starts an element: checks depth, then keeps it (with the attributes
    /// we use), passes through it, or starts dropping its subtree.
    fn open_element(
        &mut self,
        ns: Ns,
        start: &BytesStart<'_>,
        resolver: &NamespaceResolver,
    ) -> Result<(), DocxError> {
        let depth = self.open.len() + self.dropping + 1;
        if depth > self.max_depth {
            return Err(DocxError::TooDeep {
                part: self.part.to_string(),
                limit: self.max_depth,
            });
        }
        if self.dropping > 0 {
            self.dropping += 1;
            return Ok(());
        }
        match classify(ns, start.local_name().as_ref()) {
            Kind::Drop => self.dropping = 1,
            Kind::Pass => self.open.push(Open::Passed),
            Kind::Keep(name) => {
                let mut el = Element::new(name);
                for attr in start.attributes().flatten() {
                    let (ans, local) = resolver.resolve_attribute(attr.key);
                    if let Some(a) = classify_attr(resolved(&ans), local.as_ref())
                        && let Ok(v) = attr.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    {
                        el.attrs.push((a, v.into_owned()));
                    }
                }
                self.held += 1;
                if self.held > self.max_elements {
                    return Err(DocxError::TooComplex {
                        part: self.part.to_string(),
                        limit: self.max_elements,
                    });
                }
                self.stack.push(el);
                self.open.push(Open::Kept);
            }
        }
        Ok(())
    }

    /// Ends the innermost kept element and attaches it to its parent;
    /// content controls are unwrapped here (or dropped when they show only
    /// their placeholder text).
    fn close(&mut self) -> Result<(), DocxError> {
        let el = self
            .stack
            .pop()
            .ok_or_else(|| self.bad("unbalanced elements"))?;
        let bad = self.bad("unbalanced elements");
        let parent = self.stack.last_mut().ok_or(bad)?;
        if el.name == Name::Sdt {
            let placeholder = el
                .child(Name::SdtPr)
                .is_some_and(|p| p.child(Name::ShowingPlcHdr).is_some());
            for content in el.children.into_iter() {
                let Node::El(c) = content else { continue };
                if c.name != Name::SdtContent {
                    continue;
                }
                if !placeholder {
                    parent.children.extend(c.children);
                    continue;
                }
                // Placeholder text is not content, but its paragraphs still
                // show in Word, so they keep their place in the numbering.
                let blocks = c
                    .children
                    .iter()
                    .filter(|n| matches!(n, Node::El(e) if e.name == Name::P));
                parent
                    .children
                    .extend(blocks.map(|_| Node::El(Element::new(Name::P))));
            }
        } else {
            parent.children.push(Node::El(el));
        }
        Ok(())
    }

    /// Gives the completed blocks of `w:body` to the callback.
    fn hand_over(&mut self, cb: &mut dyn FnMut(Element) -> ControlFlow<()>) -> ControlFlow<()> {
        let Some(body) = self.stack.last_mut() else {
            return ControlFlow::Continue(());
        };
        let blocks = std::mem::take(&mut body.children);
        // Everything closed is handed over; only the open path is held.
        self.held = self.stack.len();
        for block in blocks {
            if let Node::El(e) = block {
                cb(e)?;
            }
        }
        ControlFlow::Continue(())
    }

    fn text(&mut self, s: &str) {
        let Some(top) = self.stack.last_mut() else {
            return;
        };
        if !matches!(top.name, Name::T | Name::InstrText) || self.dropping > 0 {
            return;
        }
        match top.children.last_mut() {
            Some(Node::Text(t)) => t.push_str(s),
            _ => top.children.push(Node::Text(s.to_string())),
        }
    }
}

/// The blocks left in a finished tree (body not streamed: malformed nesting).
fn take_blocks(root: &mut Element) -> Vec<Element> {
    let mut out = Vec::new();
    for node in std::mem::take(&mut root.children) {
        if let Node::El(mut e) = node {
            if e.name == Name::Body {
                out.extend(take_blocks(&mut e));
            } else if matches!(e.name, Name::P | Name::Tbl) {
                out.push(e);
            }
        }
    }
    out
}

fn resolved(r: &ResolveResult<'_>) -> Ns {
    match r {
        ResolveResult::Bound(ns) => ns_of(ns.as_ref()),
        ResolveResult::Unbound => Ns::None,
        ResolveResult::Unknown(_) => Ns::Other,
    }
}

pub(crate) fn predefined_entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    fn limits(depth: usize) -> Limits {
        Limits {
            max_xml_depth: depth,
            ..Limits::default()
        }
    }

    fn blocks(xml: &str) -> Vec<Element> {
        let mut out = Vec::new();
        parse_blocks(xml.as_bytes(), "t", &limits(64), &mut |b| {
            out.push(b);
            ControlFlow::Continue(())
        })
        .unwrap();
        out
    }

    #[test]
    fn keeps_words_drops_deletions_unwraps_controls() {
        let xml = format!(
            r#"<x:document xmlns:x="{W}"><x:body><x:p><x:ins><x:r><x:t>a&amp;&#x0E01;</x:t></x:r></x:ins>
            <x:del><x:r><x:delText>gone</x:delText></x:r></x:del></x:p>
            <x:sdt><x:sdtContent><x:p/><x:tbl/></x:sdtContent></x:sdt>
            <x:sdt><x:sdtPr><x:showingPlcHdr/></x:sdtPr><x:sdtContent><x:p/></x:sdtContent></x:sdt>
            <x:sectPr/></x:body></x:document>"#
        );
        let b = blocks(&xml);
        assert_eq!(
            b.iter().map(|e| e.name).collect::<Vec<_>>(),
            [Name::P, Name::P, Name::Tbl, Name::P]
        );
        assert!(b[3].children.is_empty());
        let t = b[0].find(Name::T).unwrap();
        assert_eq!(t.children, [Node::Text("a&ก".into())]);
        assert!(b[0].find(Name::R).is_some());
    }

    #[test]
    fn depth_and_syntax_errors() {
        let deep = format!("<w:document xmlns:w=\"{W}\">{}", "<a>".repeat(100));
        let err = parse_tree(deep.as_bytes(), "t", &limits(64)).unwrap_err();
        assert!(matches!(err, DocxError::TooDeep { .. }));
        let bad = parse_tree("<a><b></a>".as_bytes(), "t", &limits(64)).unwrap_err();
        assert!(matches!(bad, DocxError::BadXml { .. }));
        let short = parse_tree("<a><b>".as_bytes(), "t", &limits(64)).unwrap_err();
        assert!(matches!(short, DocxError::BadXml { .. }));
    }
}
