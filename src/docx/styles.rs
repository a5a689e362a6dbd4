//! What `styles.xml` and `numbering.xml` say about a paragraph: is it a
//! heading (and which level), is it a list item (bulleted or numbered), and
//! which runs are bold or italic by style.
//!
//! Headings are recognised by the style's *name* first, because Word keeps
//! the English built-in name (`heading 1`) whatever the interface language
//! while the style *id* is localised (`Heading1` from LibreOffice and
//! English Word, `1` or other ids from Thai Word); a Thai name such as
//! `หัวเรื่อง 1` and an outline level (`w:outlineLvl`) count too.

use std::collections::HashMap;

use super::xml::{Attr, Element, Name};

/// Style chains longer than this are treated as cycles.
const MAX_CHAIN: usize = 16;

#[derive(Debug, Clone, Default)]
struct Style {
    name: String,
    based_on: Option<String>,
    outline: Option<u8>,
    num_id: Option<String>,
    ilvl: Option<u8>,
    emphasis: Emphasis,
}

/// Bold/italic switches found on a run, a character style or a
/// paragraph style, and whether it hides its text (Font → Hidden);
/// `None` means "not said here".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Emphasis {
    pub bold: Option<bool>,
    pub italic: Option<bool>,
    pub hidden: Option<bool>,
}

impl Emphasis {
    /// Reads `w:b`/`w:bCs` and `w:i`/`w:iCs` from an `rPr`. Thai is a
    /// complex script: Word shows it with the `Cs` switches, and sets both
    /// when staff press Ctrl+B, so either one counts.
    pub(crate) fn of_rpr(rpr: &Element) -> Emphasis {
        let switch = |a: Name, b: Name| match (rpr.child(a), rpr.child(b)) {
            (None, None) => None,
            (x, y) => Some(x.is_some_and(Element::is_on) || y.is_some_and(Element::is_on)),
        };
        Emphasis {
            bold: switch(Name::B, Name::BCs),
            italic: switch(Name::I, Name::ICs),
            hidden: rpr.child(Name::Vanish).map(Element::is_on),
        }
    }

    /// Fills what this level leaves unsaid from a less specific level.
    pub(crate) fn or(self, other: Emphasis) -> Emphasis {
        Emphasis {
            bold: self.bold.or(other.bold),
            italic: self.italic.or(other.italic),
            hidden: self.hidden.or(other.hidden),
        }
    }
}

/// A list kind from `numbering.xml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListKind {
    Bullet,
    Ordered,
}

/// The list level of a paragraph: (numbering instance, level 0–8, kind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListLevel {
    pub num_id: String,
    pub level: u8,
    pub kind: ListKind,
}

/// Styles and numbering definitions of one document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Styles {
    styles: HashMap<String, Style>,
    /// numId → abstractNumId.
    nums: HashMap<String, String>,
    /// (abstractNumId, ilvl) → numFmt.
    formats: HashMap<(String, u8), String>,
}

impl Styles {
    /// From the parsed `styles.xml` and `numbering.xml` (either may be
    /// missing).
    pub(crate) fn new(styles: Option<&Element>, numbering: Option<&Element>) -> Styles {
        let mut out = Styles::default();
        for s in styles
            .map(|t| t.descendants(Name::Style))
            .unwrap_or_default()
        {
            let Some(id) = s.attr(Attr::StyleId) else {
                continue;
            };
            out.styles
                .entry(id.to_string())
                .or_insert_with(|| style_of(s));
        }
        if let Some(n) = numbering {
            for num in n.descendants(Name::Num) {
                let abs = num
                    .child(Name::AbstractNumId)
                    .and_then(|a| a.attr(Attr::Val));
                if let (Some(id), Some(abs)) = (num.attr(Attr::NumId), abs) {
                    out.nums.insert(id.to_string(), abs.to_string());
                }
            }
            for abs in n.descendants(Name::AbstractNum) {
                let Some(abs_id) = abs.attr(Attr::AbstractNumId) else {
                    continue;
                };
                for lvl in abs.elements().filter(|e| e.name == Name::Lvl) {
                    let ilvl = lvl
                        .attr(Attr::Ilvl)
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    let fmt = lvl
                        .child(Name::NumFmt)
                        .and_then(|f| f.attr(Attr::Val))
                        .unwrap_or("decimal");
                    out.formats
                        .insert((abs_id.to_string(), ilvl), fmt.to_string());
                }
            }
        }
        out
    }

    /// The styles from `id` up its `basedOn` chain, cycle-safe.
    fn chain<'s>(&'s self, id: &'s str) -> Vec<(&'s str, &'s Style)> {
        let mut out: Vec<(&'s str, &'s Style)> = Vec::new();
        let mut next = Some(id);
        while let Some(id) = next {
            if out.len() >= MAX_CHAIN || out.iter().any(|(seen, _)| *seen == id) {
                break;
            }
            match self.styles.get(id) {
                Some(s) => {
                    out.push((id, s));
                    next = s.based_on.as_deref();
                }
                None => {
                    out.push((id, &EMPTY));
                    break;
                }
            }
        }
        out
    }

    /// The heading level (1–6) of a paragraph, or `None` for body text.
    pub(crate) fn heading_level(&self, ppr: Option<&Element>) -> Option<u8> {
        if let Some(lvl) = ppr
            .and_then(|p| p.child(Name::OutlineLvl))
            .and_then(outline_of)
        {
            return (lvl < 9).then(|| (lvl + 1).min(6));
        }
        let id = ppr
            .and_then(|p| p.child(Name::PStyle))
            .and_then(|s| s.attr(Attr::Val))?;
        for (id, style) in self.chain(id) {
            if let Some(level) = heading_by_name(&style.name).or_else(|| heading_by_name(id)) {
                return Some(level);
            }
            if let Some(lvl) = style.outline {
                return (lvl < 9).then(|| (lvl + 1).min(6));
            }
        }
        None
    }

    /// The list level of a paragraph, from its own `w:numPr` or its
    /// style's; `None` when not in a list (or `numId` 0, "no numbering").
    pub(crate) fn list_level(&self, ppr: Option<&Element>) -> Option<ListLevel> {
        let own = ppr.and_then(|p| p.child(Name::NumPr));
        let own_id = own
            .and_then(|n| n.child(Name::NumId))
            .and_then(|n| n.attr(Attr::Val));
        let own_lvl = own
            .and_then(|n| n.child(Name::Ilvl))
            .and_then(|n| n.attr(Attr::Val)?.parse().ok());
        let style_id = ppr
            .and_then(|p| p.child(Name::PStyle))
            .and_then(|s| s.attr(Attr::Val));
        let chain = style_id.map(|id| self.chain(id)).unwrap_or_default();
        let num_id = own_id.or_else(|| chain.iter().find_map(|(_, s)| s.num_id.as_deref()))?;
        if num_id == "0" {
            return None;
        }
        let ilvl: u8 = own_lvl
            .or_else(|| chain.iter().find_map(|(_, s)| s.ilvl))
            .unwrap_or(0)
            .min(8);
        // "List Bullet 2" nests by indentation, not by level.
        let extra = chain
            .iter()
            .find_map(|(_, s)| list_style_depth(&s.name))
            .unwrap_or(0);
        let level = ilvl.saturating_add(extra).min(8);
        let kind = match self
            .nums
            .get(num_id)
            .and_then(|a| self.formats.get(&(a.clone(), ilvl)))
        {
            Some(fmt) if fmt == "none" => return None,
            Some(fmt) if fmt == "bullet" => ListKind::Bullet,
            Some(_) => ListKind::Ordered,
            // Numbering we cannot resolve: a bullet is the safer reading.
            None => ListKind::Bullet,
        };
        Some(ListLevel {
            num_id: num_id.to_string(),
            level,
            kind,
        })
    }

    /// Bold/italic/hidden a style (paragraph or character) gives, up its
    /// chain.
    pub(crate) fn emphasis(&self, style_id: Option<&str>) -> Emphasis {
        let mut e = Emphasis::default();
        for (_, s) in style_id.map(|id| self.chain(id)).unwrap_or_default() {
            e = e.or(s.emphasis);
        }
        e
    }
}

static EMPTY: Style = Style {
    name: String::new(),
    based_on: None,
    outline: None,
    num_id: None,
    ilvl: None,
    emphasis: Emphasis {
        bold: None,
        italic: None,
        hidden: None,
    },
};

fn style_of(s: &Element) -> Style {
    let ppr = s.child(Name::PPr);
    let num = ppr.and_then(|p| p.child(Name::NumPr));
    let emphasis = s.child(Name::RPr).map(Emphasis::of_rpr).unwrap_or_default();
    Style {
        name: s
            .child(Name::Called)
            .and_then(|n| n.attr(Attr::Val))
            .unwrap_or_default()
            .to_string(),
        based_on: s
            .child(Name::BasedOn)
            .and_then(|b| b.attr(Attr::Val))
            .map(str::to_string),
        outline: ppr
            .and_then(|p| p.child(Name::OutlineLvl))
            .and_then(outline_of),
        num_id: num
            .and_then(|n| n.child(Name::NumId))
            .and_then(|n| n.attr(Attr::Val))
            .map(str::to_string),
        ilvl: num
            .and_then(|n| n.child(Name::Ilvl))
            .and_then(|n| n.attr(Attr::Val)?.parse().ok()),
        emphasis,
    }
}

fn outline_of(e: &Element) -> Option<u8> {
    e.attr(Attr::Val)?.trim().parse().ok()
}

/// `List Bullet 2` → 1 extra level: Word's numbered list styles nest by
/// their number, each with its own numbering instance at level 0.
fn list_style_depth(name: &str) -> Option<u8> {
    let lower = name.to_ascii_lowercase();
    let rest = ["list bullet ", "list number ", "list "]
        .iter()
        .find_map(|p| lower.strip_prefix(p))?;
    let n: u8 = rest.trim().parse().ok()?;
    (2..=9).contains(&n).then(|| n - 1)
}

/// `heading 1`, `Heading1`, `หัวเรื่อง 1`, `Title` → a level.
fn heading_by_name(name: &str) -> Option<u8> {
    let folded: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if matches!(folded.as_str(), "title" | "ชื่อเรื่อง") {
        return Some(1);
    }
    let digits = ["heading", "หัวเรื่อง"]
        .iter()
        .find_map(|p| folded.strip_prefix(p))?;
    let n: u8 = digits.parse().ok()?;
    (1..=9).contains(&n).then(|| n.min(6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_names() {
        assert_eq!(heading_by_name("heading 1"), Some(1));
        assert_eq!(heading_by_name("Heading3"), Some(3));
        assert_eq!(heading_by_name("หัวเรื่อง 2"), Some(2));
        assert_eq!(heading_by_name("heading 9"), Some(6));
        assert_eq!(heading_by_name("Heading"), None);
        assert_eq!(heading_by_name("Normal"), None);
        assert_eq!(list_style_depth("List Bullet 2"), Some(1));
        assert_eq!(list_style_depth("List Number"), None);
    }
}
