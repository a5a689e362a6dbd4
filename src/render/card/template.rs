//! Filling the theme's SVG template in: placeholders, fitted text boxes,
//! conditional elements and vertical stacks (see the crate docs for the
//! attributes). The template is parsed once to find what to change; the
//! output is the template's own text with those byte ranges replaced, so
//! everything else in it reaches usvg untouched.

use super::fit::{Fitted, Font, Frame, fit};
use super::{Card, CardError};
use resvg::usvg::fontdb::Database;
use resvg::usvg::roxmltree::{Document, Node, NodeId};
use std::collections::HashMap;
use std::ops::Range;

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Fills `template` in with `card`'s values; fonts are looked up in `db`.
pub(crate) fn fill(template: &str, card: &Card, db: &Database) -> Result<String, CardError> {
    let doc = Document::parse(template)?;
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut hidden = Vec::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        if let Some(field) = node.attribute("data-if")
            && value(card, field)?.trim().is_empty()
        {
            hidden.push(node.id());
            edits.push((node.range(), String::new()));
        }
    }
    let mut fitted = HashMap::new();
    for node in doc
        .descendants()
        .filter(|n| is_svg(n, "text") && n.has_attribute("data-max-width"))
    {
        let (range, field) = placeholder_child(node)?;
        let text = fit(db, &font(node)?, value(card, field)?, &frame(node)?)?;
        if text.lines.is_empty() {
            hidden.push(node.id());
        }
        fitted.insert(node.id(), (text, range));
    }
    let mut first_baseline: HashMap<NodeId, f32> = HashMap::new();
    for group in doc
        .descendants()
        .filter(|n| n.is_element() && n.has_attribute("data-stack"))
    {
        let children: Vec<Node> = group
            .children()
            .filter(|c| c.is_element() && !hidden.contains(&c.id()))
            .collect();
        let mut heights = Vec::new();
        for (i, child) in children.iter().enumerate() {
            let height = match fitted.get(&child.id()) {
                Some((text, _)) => text.height(),
                None => number(*child, "data-height")?
                    .ok_or_else(|| bad(*child, "a stack's child needs data-height"))?,
            };
            let gap = if i == 0 {
                0.0
            } else {
                gap_before(group, *child)?
            };
            heights.push((gap, height));
        }
        let total: f32 = heights.iter().map(|(g, h)| g + h).sum();
        let y = number(group, "data-y")?.unwrap_or(0.0);
        let mut top = match group.attribute("data-stack") {
            Some("top") => y,
            Some("middle") => y - total / 2.0,
            Some("bottom") => y - total,
            _ => return Err(bad(group, "data-stack must be top, middle or bottom")),
        };
        for (child, (gap, height)) in children.iter().zip(heights) {
            top += gap;
            match fitted.get(&child.id()) {
                Some((text, _)) => {
                    first_baseline.insert(child.id(), top + text.baseline);
                }
                None => {
                    let r = child.range();
                    edits.push((
                        r.start..r.start,
                        format!("<g transform=\"translate(0 {})\">", num(top)),
                    ));
                    edits.push((r.end..r.end, "</g>".into()));
                }
            }
            top += height;
        }
    }
    for (id, (text, range)) in &fitted {
        let node = doc.get_node(*id).expect("a node of this document");
        let x = first_number(node.attribute("x")).unwrap_or(0.0);
        let y = match first_baseline.get(id) {
            Some(&y) => y,
            None => first_number(node.attribute("y")).unwrap_or(0.0),
        };
        edits.push((range.clone(), tspans(text, x, y)));
    }
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(template.len() + 1024);
    let mut at = 0;
    for (range, with) in edits {
        if range.start < at {
            continue; // inside an element already removed
        }
        substitute(&template[at..range.start], card, &mut out)?;
        out.push_str(&with);
        at = range.end;
    }
    substitute(&template[at..], card, &mut out)?;
    Ok(out)
}

/// The value of a placeholder's field.
fn value<'a>(card: &Card<'a>, field: &str) -> Result<&'a str, CardError> {
    match field {
        "name" => Ok(card.name),
        "name_en" => Ok(card.name_en),
        "domain" => Ok(card.domain),
        _ => Err(CardError::Template(format!(
            "unknown field \"{field}\" (name, name_en or domain)"
        ))),
    }
}

/// Copies `text` to `out`, each `{{field}}` replaced by its escaped value.
fn substitute(mut text: &str, card: &Card, out: &mut String) -> Result<(), CardError> {
    while let Some(start) = text.find("{{") {
        let end = text[start..]
            .find("}}")
            .ok_or_else(|| CardError::Template("a \"{{\" without \"}}\"".into()))?;
        out.push_str(&text[..start]);
        out.push_str(&escape(value(card, text[start + 2..start + end].trim())?));
        text = &text[start + end + 2..];
    }
    out.push_str(text);
    Ok(())
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// One `<tspan>` a line, each with its own position.
fn tspans(text: &Fitted, x: f32, y: f32) -> String {
    let mut out = String::new();
    for (i, line) in text.lines.iter().enumerate() {
        let y = y + i as f32 * text.line_box;
        out.push_str(&format!(
            "<tspan x=\"{}\" y=\"{}\" font-size=\"{}\">{}</tspan>",
            num(x),
            num(y),
            num(text.size),
            escape(line)
        ));
    }
    out
}

fn num(v: f32) -> String {
    format!("{:.2}", v)
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

fn is_svg(node: &Node, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node.tag_name().namespace() == Some(SVG_NS)
}

fn bad(node: Node, what: &str) -> CardError {
    let id = node
        .attribute("id")
        .map(|id| format!(" #{id}"))
        .unwrap_or_default();
    CardError::Template(format!("<{}{id}>: {what}", node.tag_name().name()))
}

/// The fitted text's only child, a text node that is one placeholder.
fn placeholder_child<'a>(node: Node<'a, '_>) -> Result<(Range<usize>, &'a str), CardError> {
    let mut children = node.children();
    let only = match (children.next(), children.next()) {
        (Some(child), None) if child.is_text() => child,
        _ => {
            return Err(bad(
                node,
                "a fitted text holds one placeholder and nothing else",
            ));
        }
    };
    let text = only.text().unwrap_or("").trim();
    match text.strip_prefix("{{").and_then(|t| t.strip_suffix("}}")) {
        Some(field) => Ok((only.range(), field.trim())),
        None => Err(bad(
            node,
            "a fitted text holds one placeholder and nothing else",
        )),
    }
}

/// An attribute of `node` or, as SVG inherits it, of its nearest ancestor.
fn inherited<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.ancestors().find_map(|n| n.attribute(name))
}

fn font(node: Node) -> Result<Font, CardError> {
    for n in node.ancestors() {
        if n.attribute("style")
            .is_some_and(|s| s.contains("font") || s.contains("spacing"))
            || n.has_attribute("letter-spacing")
            || n.has_attribute("word-spacing")
            || n.has_attribute("font")
        {
            return Err(bad(
                node,
                "a fitted text takes its font from font-* attributes only, without spacing",
            ));
        }
    }
    let families = inherited(node, "font-family")
        .unwrap_or("sans-serif")
        .split(',')
        .map(|f| f.trim().trim_matches(['"', '\'']).to_string())
        .filter(|f| !f.is_empty())
        .collect();
    let weight = match inherited(node, "font-weight").unwrap_or("normal") {
        "normal" => 400,
        "bold" => 700,
        w => w
            .parse()
            .map_err(|_| bad(node, "font-weight must be normal, bold or a number"))?,
    };
    let italic = matches!(inherited(node, "font-style"), Some("italic" | "oblique"));
    Ok(Font {
        families,
        weight,
        italic,
    })
}

fn frame(node: Node) -> Result<Frame, CardError> {
    let size = inherited(node, "font-size")
        .and_then(|s| first_number(Some(s)))
        .ok_or_else(|| bad(node, "a fitted text needs a font-size in pixels"))?;
    let max_lines = number(node, "data-max-lines")?.unwrap_or(1.0);
    let max_width = number(node, "data-max-width")?.unwrap_or(0.0);
    if max_width < 1.0 || size < 1.0 {
        return Err(bad(node, "data-max-width and font-size must be at least 1"));
    }
    Ok(Frame {
        max_width,
        max_lines: (max_lines as usize).clamp(1, 10),
        size,
        min_size: number(node, "data-min-font-size")?
            .unwrap_or(size)
            .min(size),
        step: number(node, "data-font-step")?.unwrap_or(2.0).max(0.5),
        line_height: number(node, "data-line-height")?.unwrap_or(1.25),
    })
}

fn gap_before(group: Node, child: Node) -> Result<f32, CardError> {
    Ok(match number(child, "data-gap-before")? {
        Some(gap) => gap,
        None => number(group, "data-gap")?.unwrap_or(0.0),
    })
}

/// A number attribute ("64" or "64px"); an error if it is not one.
fn number(node: Node, name: &str) -> Result<Option<f32>, CardError> {
    match node.attribute(name) {
        None => Ok(None),
        Some(v) => first_number(Some(v))
            .map(Some)
            .ok_or_else(|| bad(node, &format!("{name}=\"{v}\" is not a number"))),
    }
}

/// The first number of an attribute's value, such as `x="600"` or
/// `font-size="64px"`.
fn first_number(v: Option<&str>) -> Option<f32> {
    let v = v?.split([' ', ',']).find(|s| !s.is_empty())?;
    v.strip_suffix("px")
        .unwrap_or(v)
        .parse()
        .ok()
        .filter(|n: &f32| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(template: &str, card: &Card) -> Result<String, CardError> {
        let mut db = Database::new();
        db.load_font_data(
            include_bytes!("../../../themes/default/card/Sarabun-Regular.ttf").to_vec(),
        );
        fill(template, card, &db)
    }

    const STACK: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" font-family="Sarabun">
<title>{{name}} {{ domain }}</title>
<g data-stack="middle" data-y="300" data-gap="10">
<rect data-height="100" width="5" height="100"/>
<rect data-if="name_en" data-height="20" width="5" height="20"/>
<text x="50" font-size="40" data-max-width="1000" data-line-height="1.5">{{name_en}}</text>
</g></svg>"#;

    #[test]
    fn a_stack_centres_its_children() {
        let card = Card {
            name: "<ก&ข>",
            name_en: "Office",
            domain: "a.go.th",
        };
        let svg = filled(STACK, &card).unwrap();
        assert!(
            svg.contains("<title>&lt;ก&amp;ข&gt; a.go.th</title>"),
            "{svg}"
        );
        // 100 + 10 + 20 + 10 + 60 (one line of 40 × 1.5) = 200, so the top is at 200.
        assert!(
            svg.contains(r#"<g transform="translate(0 200)"><rect data-height="100""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<g transform="translate(0 310)"><rect data-if"#),
            "{svg}"
        );
        assert!(svg.contains(r#"<tspan x="50" y="3"#), "{svg}");
        assert!(
            svg.contains(r#"font-size="40">Office</tspan></text>"#),
            "{svg}"
        );
    }

    #[test]
    fn an_empty_field_removes_its_elements_and_their_room() {
        let svg = filled(
            STACK,
            &Card {
                name: "x",
                ..Card::default()
            },
        )
        .unwrap();
        assert!(!svg.contains("data-if") && !svg.contains("<tspan"), "{svg}");
        // Only the first rectangle is left: 100 high, top at 250.
        assert!(svg.contains(r#"<g transform="translate(0 250)">"#), "{svg}");
    }

    #[test]
    fn mistakes_are_named() {
        let err = |t: &str| filled(t, &Card::default()).unwrap_err().to_string();
        let svg = |body: &str| format!(r#"<svg xmlns="http://www.w3.org/2000/svg">{body}</svg>"#);
        assert!(err(&svg("{{title}}")).contains("unknown field \"title\""));
        assert!(err(&svg("{{name")).contains("without"));
        assert!(
            err(&svg(
                r#"<text data-max-width="9" font-size="9">a {{name}}</text>"#
            ))
            .contains("one placeholder")
        );
        assert!(err(&svg(r#"<text data-max-width="9">{{name}}</text>"#)).contains("font-size"));
        assert!(err(&svg(r#"<g data-stack="middle"><rect/></g>"#)).contains("data-height"));
        let spaced =
            svg(r#"<text data-max-width="9" font-size="9" letter-spacing="2">{{name}}</text>"#);
        assert!(err(&spaced).contains("spacing"));
    }
}
