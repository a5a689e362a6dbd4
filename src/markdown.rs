//! Markdown to safe HTML: pulldown-cmark (tables, footnotes, strikethrough),
//! raw HTML sanitised with ammonia.
//!
//! - Headings get ids from their text (Thai kept) so `#fragment` links work.
//! - Relative links and images are resolved against the source file's folder
//!   and written as site-absolute paths (`คำสั่ง.pdf` in a news item becomes
//!   `/news/2026/slug/คำสั่ง.pdf`; `../about/history.md` becomes
//!   `/about/history/`).
//! - A photo that was processed is shown through its resized variants
//!   (`srcset`, `width`/`height`, lazy loading) and links to its largest
//!   size; the original is never referenced.
//! - An image on another site is turned into a plain link: no page makes a
//!   request to a third party.
//! - Tables are wrapped in a scrolling box, so a wide table never makes a
//!   phone's page scroll sideways.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::images::{ImageMap, ProcessedImage, Variant};
use crate::plumbing::paths::{key, normalize, source_url};
use crate::plumbing::url::{decode_lossless as percent_decode, encode_path};

/// How relative URLs in one document are resolved.
#[derive(Clone, Copy)]
pub struct Resolver<'a> {
    /// `<site>/content`.
    pub content_dir: &'a Path,
    /// The folder of the source file, relative to `content/`.
    pub source_dir: &'a Path,
    /// Processed photos by source path (see [`Resolver::image_key`]).
    pub images: &'a ImageMap,
}

/// What a URL in a document points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Another site, `mailto:`, `tel:`...: left as it is.
    External,
    /// A site path (`/news/`), a fragment (`#top`) or a query: left as it is.
    Site,
    /// A file of the site's content, relative to `content/` (may start with
    /// `..` when the link leads outside it), plus its `?query#fragment`.
    Local { rel: PathBuf, suffix: String },
}

/// The Markdown options khao uses everywhere.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// The content-relative paths a document's relative links and images lead
/// to (inside `content/`), from `source_dir` (its folder, relative to
/// `content/`).
pub fn linked_files(source_dir: &Path, body: &str) -> Vec<PathBuf> {
    local_refs(body)
        .into_iter()
        .filter_map(|u| match classify(&u) {
            Target::Local { rel, .. } => {
                normalize(&source_dir.join(rel)).filter(|p| !p.as_os_str().is_empty())
            }
            _ => None,
        })
        .collect()
}

/// Sorts a URL found in content.
pub fn classify(url: &str) -> Target {
    let url = url.trim();
    if url.is_empty() || url.starts_with('#') || url.starts_with('?') {
        return Target::Site;
    }
    if url.starts_with("//") || has_scheme(url) {
        return Target::External;
    }
    if url.starts_with('/') {
        return Target::Site;
    }
    let cut = url.find(['?', '#']).unwrap_or(url.len());
    let (path, suffix) = url.split_at(cut);
    let decoded = percent_decode(path);
    Target::Local {
        rel: PathBuf::from(decoded),
        suffix: suffix.to_string(),
    }
}

fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(i) => {
            let scheme = &url[..i];
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !url[..i].contains('/')
        }
        None => false,
    }
}

impl<'a> Resolver<'a> {
    /// The content-relative path a relative URL of this document names;
    /// `None` when it leads outside `content/`.
    pub fn local_path(&self, rel: &Path) -> Option<PathBuf> {
        normalize(&self.source_dir.join(rel))
    }

    /// The key of a photo in the images map: `<content_dir>/<rel>`,
    /// normalised. [`crate::render::image_jobs`] uses the same.
    pub fn image_key(content_dir: &Path, rel: &Path) -> PathBuf {
        let joined = content_dir.join(rel);
        normalize(&joined).unwrap_or(joined)
    }

    /// The processed photo a relative URL names, if there is one.
    pub fn image(&self, url: &str) -> Option<&'a ProcessedImage> {
        match classify(url) {
            Target::Local { rel, .. } => {
                let rel = self.local_path(&rel)?;
                self.images
                    .get(key(&Self::image_key(self.content_dir, &rel)))
            }
            _ => None,
        }
    }

    /// The site path a URL of this document leads to: relative URLs become
    /// site-absolute; a Markdown file becomes its page's address; a
    /// processed photo becomes its largest variant. `None` for URLs that
    /// stay as they are.
    pub fn rewrite(&self, url: &str) -> Option<String> {
        let (rel, suffix) = match classify(url) {
            Target::Local { rel, suffix } => (rel, tidy_suffix(&suffix)),
            Target::Site => return tidy_site(url),
            Target::External => return None,
        };
        // Leading outside content/: left for the page check to report.
        let rel = self.local_path(&rel)?;
        if let Some(image) = self
            .images
            .get(key(&Self::image_key(self.content_dir, &rel)))
            && let Some(v) = image.variants.last()
        {
            return Some(format!("{}{}", v.url, suffix));
        }
        let is_md = rel
            .extension()
            .map(|e| e.eq_ignore_ascii_case("md"))
            .unwrap_or(false);
        let path = if is_md {
            source_url(&rel)
        } else if rel.as_os_str().is_empty() {
            "/".to_string()
        } else {
            let mut p = format!(
                "/{}",
                encode_path(&rel.to_string_lossy().replace('\\', "/"))
            );
            if url.split(['?', '#']).next().unwrap_or("").ends_with('/') && !p.ends_with('/') {
                p.push('/');
            }
            p
        };
        Some(format!("{path}{suffix}"))
    }
}

/// pulldown-cmark percent-encodes every non-ASCII letter of a link; Thai
/// fragments and paths read better (and are allowed in HTML) as they are.
fn tidy_site(url: &str) -> Option<String> {
    if let Some(frag) = url.strip_prefix('#') {
        return Some(format!("#{}", encode_path(&percent_decode(frag))));
    }
    if !url.starts_with('/') || url.starts_with("//") {
        return None;
    }
    let (path, frag) = match url.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (url, None),
    };
    if path.contains('?') {
        return None;
    }
    let mut out = encode_path(&percent_decode(path));
    if let Some(f) = frag {
        out.push('#');
        out.push_str(&encode_path(&percent_decode(f)));
    }
    Some(out)
}

fn tidy_suffix(suffix: &str) -> String {
    match suffix.split_once('#') {
        Some((query, frag)) => format!("{query}#{}", encode_path(&percent_decode(frag))),
        None => suffix.to_string(),
    }
}

/// A heading id from its text: lower case, spaces to `-`, punctuation
/// dropped, Thai (with its vowel and tone marks) and other letters kept.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.trim().chars() {
        let keep = c.is_alphanumeric() || is_thai(c) || c == '_';
        if keep {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' || c == '.' || c == '/' {
            dash = true;
        }
    }
    out
}

fn is_thai(c: char) -> bool {
    ('\u{0E01}'..='\u{0E5B}').contains(&c)
}

/// Thai vowel and tone marks that sit on the preceding letter: a text is
/// never cut just before one.
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}')
        || ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Cuts `text` to at most about `max` characters: at the last space in the
/// final quarter if there is one, never between a Thai letter and its marks;
/// "…" marks the cut.
pub fn truncate(text: &str, max: usize) -> String {
    let text = text.trim();
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_string();
    }
    let mut cut = max;
    if let Some(space) = chars[max * 3 / 4..max]
        .iter()
        .rposition(|c| c.is_whitespace())
    {
        cut = max * 3 / 4 + space;
    }
    while cut > 0 && cut < chars.len() && is_combining(chars[cut]) {
        cut -= 1;
    }
    let mut out: String = chars[..cut].iter().collect();
    out = out
        .trim_end()
        .trim_end_matches([',', ';', ':', '-', '—'])
        .trim_end()
        .to_string();
    out.push('…');
    out
}

/// The plain text of the first paragraph that has any, for meta
/// descriptions and news lists, cut to about `max` characters.
pub fn summary(md: &str, max: usize) -> String {
    let mut text = String::new();
    let mut in_para = false;
    let mut skip_depth = 0usize;
    // Inside raw <script> or <style>: code, not text (the page drops it).
    let mut in_raw = false;
    for event in Parser::new_ext(md, options()) {
        if let Event::Html(h) | Event::InlineHtml(h) = &event {
            let lower = h.to_ascii_lowercase();
            if lower.contains("<script") || lower.contains("<style") {
                in_raw = true;
            }
            if lower.contains("</script") || lower.contains("</style") {
                in_raw = false;
            }
            continue;
        }
        if in_raw {
            continue;
        }
        match event {
            Event::Start(Tag::Paragraph) => {
                in_para = true;
                text.clear();
            }
            Event::End(TagEnd::Paragraph) => {
                in_para = false;
                let t = collapse_spaces(&text);
                if !t.is_empty() {
                    return truncate(&t, max);
                }
            }
            Event::Start(Tag::Image { .. }) | Event::Start(Tag::FootnoteDefinition(_)) => {
                skip_depth += 1
            }
            Event::End(TagEnd::Image) | Event::End(TagEnd::FootnoteDefinition) => {
                skip_depth = skip_depth.saturating_sub(1)
            }
            Event::Text(t) | Event::Code(t) if in_para && skip_depth == 0 => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak if in_para => text.push(' '),
            _ => {}
        }
    }
    String::new()
}

/// Each block of `md` as a reader sees its text: Markdown marks and inline
/// HTML tags gone, entities decoded, a line break a space; with the byte
/// range of the block in `md`. (`**31099**06958484` reads `3109906958484`:
/// what the personal data checks must see too.)
pub fn visible_blocks(md: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut blocks = Vec::new();
    let mut text = String::new();
    let mut range: Option<std::ops::Range<usize>> = None;
    let mut flush = |text: &mut String, range: &mut Option<std::ops::Range<usize>>| {
        if let Some(r) = range.take().filter(|_| !text.trim().is_empty()) {
            blocks.push((r, std::mem::take(text)));
        }
        text.clear();
    };
    for (event, at) in Parser::new_ext(md, options()).into_offset_iter() {
        let piece = match &event {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            Event::SoftBreak | Event::HardBreak => Some(" "),
            // A tag inside a line hides nothing a reader sees.
            Event::InlineHtml(_) => Some(""),
            // Marks inside a line end there: the text goes on.
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link,
            ) => None,
            Event::End(_) | Event::Html(_) | Event::Rule => {
                flush(&mut text, &mut range);
                None
            }
            _ => None,
        };
        if let Some(piece) = piece {
            text.push_str(piece);
            let r = range.get_or_insert(at.clone());
            r.end = r.end.max(at.end);
        }
    }
    flush(&mut text, &mut range);
    blocks
}

fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every relative URL the document uses: Markdown links and images, and
/// `href`/`src` in raw HTML. Site paths and other sites are left out.
pub fn local_refs(md: &str) -> Vec<String> {
    local_urls(md, true, &RAW_URL)
}

/// The photos a document shows (Markdown images and raw `<img src>`),
/// as relative URLs.
pub fn local_images(md: &str) -> Vec<String> {
    local_urls(md, false, &RAW_IMG_SRC)
}

/// The relative URLs of Markdown images (and links, with `links`) and of
/// the raw HTML attributes `raw` matches; its last matching group is the
/// value, whichever quoting was used.
fn local_urls(md: &str, links: bool, raw: &regex::Regex) -> Vec<String> {
    let mut out = Vec::new();
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => out.push(dest_url.to_string()),
            Event::Start(Tag::Link { dest_url, .. }) if links => out.push(dest_url.to_string()),
            Event::Html(h) | Event::InlineHtml(h) => {
                for caps in raw.captures_iter(&h) {
                    if let Some(v) = caps.iter().skip(1).flatten().last() {
                        out.push(html_unescape(v.as_str()));
                    }
                }
            }
            _ => {}
        }
    }
    out.retain(|u| matches!(classify(u), Target::Local { .. }));
    out
}

static RAW_URL: once_cell::sync::Lazy<regex::Regex> = once_cell::sync::Lazy::new(|| {
    regex::Regex::new(r#"(?i)\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))"#)
        .expect("regex")
});
static RAW_IMG_SRC: once_cell::sync::Lazy<regex::Regex> = once_cell::sync::Lazy::new(|| {
    regex::Regex::new(r#"(?i)<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))"#)
        .expect("regex")
});

/// The text of an HTML attribute value: the entities an attribute holds
/// (`&amp;` last, so `&amp;quot;` stays `&quot;`).
pub(crate) fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Escapes text for an HTML attribute or element.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The variant a page shows by default: the narrowest at least `want` px
/// wide, else the widest.
pub fn default_variant(image: &ProcessedImage, want: u32) -> Option<&Variant> {
    image
        .variants
        .iter()
        .find(|v| v.width >= want)
        .or_else(|| image.variants.last())
}

/// `url 320w, url 640w, ...`
pub fn srcset(image: &ProcessedImage) -> String {
    image
        .variants
        .iter()
        .map(|v| format!("{} {}w", v.url, v.width))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `<img>` of a processed photo. `sizes` tells the browser how wide it
/// is shown; `lazy` defers loading until it is near the screen.
pub fn img_tag(image: &ProcessedImage, alt: &str, sizes: &str, want: u32, lazy: bool) -> String {
    let Some(v) = default_variant(image, want) else {
        return String::new();
    };
    format!(
        r#"<img src="{src}" srcset="{srcset}" sizes="{sizes}" width="{w}" height="{h}" alt="{alt}"{lazy}>"#,
        src = escape(&v.url),
        srcset = escape(&srcset(image)),
        sizes = escape(sizes),
        w = v.width,
        h = v.height,
        alt = escape(alt),
        lazy = if lazy {
            r#" loading="lazy" decoding="async""#
        } else {
            ""
        },
    )
}

/// The `sizes` of a photo in the body of a page: the full text column.
pub const BODY_SIZES: &str = "(min-width: 48rem) 46rem, 100vw";

/// Renders a document to safe HTML. Heading ids are unique within it.
pub fn to_html(md: &str, resolver: &Resolver<'_>) -> String {
    let events: Vec<Event<'_>> = Parser::new_ext(md, options()).collect();
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut used_ids: HashSet<String> = HashSet::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                // Find the heading's text to make its id.
                let end = find_end(&events, i);
                let text = plain_text(&events[i + 1..end]);
                let base = match id {
                    Some(id) => id.to_string(),
                    None => {
                        let s = slugify(&text);
                        if s.is_empty() {
                            heading_fallback(*level)
                        } else {
                            s
                        }
                    }
                };
                let mut unique = base.clone();
                let mut n = 1;
                while !used_ids.insert(unique.clone()) {
                    unique = format!("{base}-{n}");
                    n += 1;
                }
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(unique)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
                i += 1;
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let end = find_end(&events, i);
                let alt = plain_text(&events[i + 1..end]);
                out.push(Event::Html(CowStr::from(image_html(
                    dest_url, title, &alt, resolver,
                ))));
                i = end + 1;
            }
            Event::Start(Tag::Table(_)) => {
                out.push(Event::Html(CowStr::Borrowed(
                    r#"<div class="table-wrap" tabindex="0">"#,
                )));
                out.push(events[i].clone());
                i += 1;
            }
            Event::End(TagEnd::Table) => {
                out.push(events[i].clone());
                out.push(Event::Html(CowStr::Borrowed("</div>")));
                i += 1;
            }
            // A code block scrolls sideways on a phone, as a table does:
            // one keyboard users can reach to scroll (WCAG 2.1.1).
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or(""),
                    CodeBlockKind::Indented => "",
                };
                let class = match lang {
                    "" => String::new(),
                    l => format!(r#" class="language-{}""#, escape(l)),
                };
                let open = format!(r#"<pre tabindex="0"><code{class}>"#);
                out.push(Event::Html(CowStr::from(open)));
                i += 1;
            }
            Event::End(TagEnd::CodeBlock) => {
                out.push(Event::Html(CowStr::Borrowed("</code></pre>\n")));
                i += 1;
            }
            _ => {
                out.push(events[i].clone());
                i += 1;
            }
        }
    }
    let mut html = String::with_capacity(md.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, shallow(few_tags(out)).into_iter());
    sanitize(&html, resolver)
}

/// How deep quotes and lists may nest in a page; deeper ones are flattened
/// into the one that holds them.
const MAX_NESTING: usize = 16;

/// `events` with quotes and lists nested no deeper than [`MAX_NESTING`]:
/// their text is kept, the boxes around it are not. A line of 100,000 `>`
/// is 100,000 nested quotes, and an HTML parser (the sanitiser, the page
/// checks, the search index) takes time growing with the square of the
/// depth: hours for one such line.
fn shallow(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    // Whether each open quote, list or item was kept, and how many were.
    let mut open: Vec<bool> = Vec::new();
    let mut depth = 0;
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        let keep = match &event {
            Event::Start(Tag::BlockQuote(_)) => Some(depth < MAX_NESTING),
            // A list keeps room for its items.
            Event::Start(Tag::List(_)) => Some(depth + 1 < MAX_NESTING),
            // An item goes with its list.
            Event::Start(Tag::Item) => Some(open.last().copied().unwrap_or(true)),
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item) => {
                let kept = open.pop();
                depth -= usize::from(kept == Some(true));
                kept
            }
            _ => None,
        };
        if let (Event::Start(_), Some(kept)) = (&event, keep) {
            open.push(kept);
            depth += usize::from(kept);
        }
        if keep != Some(false) {
            out.push(event);
        }
    }
    out
}

/// How many tags the raw HTML of one document may hold; past that it is
/// shown as text.
const MAX_RAW_TAGS: usize = 2000;

/// `events` with their raw HTML shown as text when it holds more than
/// [`MAX_RAW_TAGS`] tags: news needs a few, and 30,000 nested `<div>`s
/// take the sanitiser seconds (the square of the depth, as in
/// [`shallow`]).
fn few_tags(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let tags: usize = (events.iter())
        .map(|e| match e {
            Event::Html(h) | Event::InlineHtml(h) => h.matches('<').count(),
            _ => 0,
        })
        .sum();
    if tags > MAX_RAW_TAGS {
        for e in &mut events {
            if let Event::Html(h) | Event::InlineHtml(h) = e {
                *e = Event::Text(std::mem::replace(h, CowStr::Borrowed("")));
            }
        }
    }
    events
}

fn heading_fallback(level: HeadingLevel) -> String {
    format!("section-{}", level as usize)
}

/// The index of the event that closes the one at `start`.
fn find_end(events: &[Event<'_>], start: usize) -> usize {
    let mut depth = 0usize;
    for (j, e) in events.iter().enumerate().skip(start) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    events.len().saturating_sub(1)
}

fn plain_text(events: &[Event<'_>]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    collapse_spaces(&s)
}

fn image_html(url: &str, title: &str, alt: &str, resolver: &Resolver<'_>) -> String {
    let title_attr = if title.is_empty() {
        String::new()
    } else {
        format!(r#" title="{}""#, escape(title))
    };
    match classify(url) {
        Target::External => {
            // No request to another site: the image becomes a link to it.
            let text = if alt.is_empty() { url } else { alt };
            format!(
                r#"<a href="{}"{title_attr}>{}</a>"#,
                escape(url),
                escape(text)
            )
        }
        _ => match resolver.image(url) {
            // A link holding only a picture without words has no name a
            // screen reader can say (the check warns of the missing alt).
            Some(image) if alt.trim().is_empty() => img_tag(image, alt, BODY_SIZES, 640, true),
            Some(image) => {
                let large = image.variants.last().map(|v| v.url.as_str()).unwrap_or("");
                format!(
                    r#"<a class="photo-link" href="{}"{title_attr}>{}</a>"#,
                    escape(large),
                    img_tag(image, alt, BODY_SIZES, 640, true)
                )
            }
            None => format!(
                r#"<img src="{}" alt="{}"{title_attr} loading="lazy" decoding="async">"#,
                escape(url),
                escape(alt)
            ),
        },
    }
}

/// Cleans HTML with ammonia: scripts, styles, frames, event handlers and
/// `javascript:` links go; relative URLs are resolved; images from other
/// sites lose their source.
fn sanitize(html: &str, resolver: &Resolver<'_>) -> String {
    let mut b = ammonia::Builder::default();
    b.add_generic_attributes(["id", "class"])
        .add_tag_attributes("img", ["srcset", "sizes", "loading", "decoding"])
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("div", ["tabindex"])
        .add_tag_attributes("pre", ["tabindex"])
        .add_tag_attributes("ol", ["start"])
        .add_tags(["section", "tfoot"])
        .filter_style_properties(["text-align"].into_iter().collect())
        .link_rel(None)
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "src") | ("img", "srcset") if is_foreign(value) => None,
            ("div" | "pre", "tabindex") if value != "0" => None,
            _ => Some(Cow::Borrowed(value)),
        })
        .url_relative(ammonia::UrlRelative::Custom(Box::new(Rewriter(*resolver))));
    b.clean(html).to_string()
}

/// Resolves the relative URLs ammonia finds (`href`, `src`).
struct Rewriter<'a>(Resolver<'a>);

impl<'a> ammonia::UrlRelativeEvaluate<'a> for Rewriter<'a> {
    fn evaluate<'url>(&self, url: &'url str) -> Option<Cow<'url, str>> {
        Some(match self.0.rewrite(url) {
            Some(new) => Cow::Owned(new),
            None => Cow::Borrowed(url),
        })
    }
}

/// A URL (or srcset) that makes the browser fetch from another site.
fn is_foreign(value: &str) -> bool {
    value
        .split(',')
        .map(|part| part.trim())
        .any(|u| u.starts_with("//") || has_scheme(u))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(md: &str) -> String {
        let images = ImageMap::default();
        let r = Resolver {
            content_dir: Path::new("/site/content"),
            source_dir: Path::new("news/2026/slug"),
            images: &images,
        };
        to_html(md, &r)
    }

    #[test]
    fn a_code_block_can_be_scrolled_from_the_keyboard() {
        let html = render(
            "```sh\nrundll32 printui.dll,PrintUIEntry /in /n \"\\\\server\\printer\"\n```\n\n    indented <b>\n",
        );
        assert!(
            html.contains(r#"<pre tabindex="0"><code class="language-sh">rundll32"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<pre tabindex="0"><code>indented &lt;b&gt;"#),
            "{html}"
        );
    }

    #[test]
    fn tables_footnotes_strikethrough() {
        let html = render("| a | b |\n|---|:-:|\n| 1 | 2 |\n\n~~old~~ new[^1]\n\n[^1]: note\n");
        assert!(
            html.contains(r#"<div class="table-wrap" tabindex="0"><table>"#),
            "{html}"
        );
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("footnote"), "{html}");
        assert!(html.contains(r#"style="text-align:center""#), "{html}");
    }

    #[test]
    fn footnote_links_resolve_within_the_page() {
        let html = render("text[^a]\n\n[^a]: note\n");
        let hrefs: Vec<&str> = html
            .split("href=\"#")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
            .collect();
        assert!(!hrefs.is_empty(), "{html}");
        for h in hrefs {
            assert!(
                html.contains(&format!("id=\"{h}\"")),
                "#{h} missing in {html}"
            );
        }
    }

    #[test]
    fn heading_ids_keep_thai_and_are_unique() {
        let html = render("## ขั้นตอนการปฏิบัติงาน\n\n## ขั้นตอนการปฏิบัติงาน\n\n## Flow Chart 6.1\n");
        assert!(html.contains(r#"<h2 id="ขั้นตอนการปฏิบัติงาน">"#), "{html}");
        assert!(html.contains(r#"<h2 id="ขั้นตอนการปฏิบัติงาน-1">"#), "{html}");
        assert!(html.contains(r#"<h2 id="flow-chart-6-1">"#), "{html}");
    }

    #[test]
    fn unsafe_html_is_removed() {
        let html = render(
            "<script>alert(1)</script>\n\n<p onclick=\"x()\">hi</p>\n\n<iframe src=\"https://evil\"></iframe>\n\n[x](javascript:alert(1))\n\n<style>p{}</style>\n",
        );
        for bad in ["<script", "onclick", "<iframe", "javascript:", "<style"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("<p>hi</p>"), "{html}");
    }

    #[test]
    fn relative_links_become_site_paths() {
        let html = render(
            "[คำสั่ง](คำสั่ง.pdf) [a](../../../about/history.md#x) [b](/contact/) [c](https://www.obec.go.th/) [d](my%20file.pdf)\n\n<a href=\"doc.pdf\">raw</a>\n",
        );
        assert!(
            html.contains(r#"href="/news/2026/slug/คำสั่ง.pdf""#),
            "{html}"
        );
        assert!(html.contains(r#"href="/about/history/#x""#), "{html}");
        assert!(html.contains(r#"href="/contact/""#), "{html}");
        assert!(html.contains(r#"href="https://www.obec.go.th/""#), "{html}");
        assert!(
            html.contains(r#"href="/news/2026/slug/my%20file.pdf""#),
            "{html}"
        );
        assert!(html.contains(r#"href="/news/2026/slug/doc.pdf""#), "{html}");
        let html = render("[a](#ขั้นตอน) [b](/ข่าว/#ก) [c](../../../about/history.md#ประวัติ)\n");
        assert!(html.contains(r##"href="#ขั้นตอน""##), "{html}");
        assert!(html.contains(r##"href="/ข่าว/#ก""##), "{html}");
        assert!(html.contains(r##"href="/about/history/#ประวัติ""##), "{html}");
    }

    #[test]
    fn external_images_become_links() {
        let html = render(
            "![โลโก้](https://example.com/logo.png)\n\n<img src=\"http://tracker.example/x.gif\" alt=\"t\">\n",
        );
        assert!(!html.contains("<img src=\"http"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.com/logo.png">โลโก้</a>"#),
            "{html}"
        );
    }

    #[test]
    fn processed_photos_use_their_variants() {
        let mut images = ImageMap::default();
        images.insert(
            PathBuf::from("/site/content/news/2026/slug/p1.jpg").into(),
            ProcessedImage {
                source: PathBuf::from("/site/content/news/2026/slug/p1.jpg"),
                variants: vec![
                    Variant {
                        width: 320,
                        height: 240,
                        url: "/news/2026/slug/p1-320.jpg".into(),
                    },
                    Variant {
                        width: 640,
                        height: 480,
                        url: "/news/2026/slug/p1-640.jpg".into(),
                    },
                    Variant {
                        width: 1280,
                        height: 960,
                        url: "/news/2026/slug/p1-1280.jpg".into(),
                    },
                ],
            },
        );
        let r = Resolver {
            content_dir: Path::new("/site/content"),
            source_dir: Path::new("news/2026/slug"),
            images: &images,
        };
        let html = to_html(
            "![นักเรียน](./p1.jpg)\n\n<img src=\"p1.jpg\" alt=\"raw\">\n",
            &r,
        );
        assert!(
            html.contains(r#"src="/news/2026/slug/p1-640.jpg""#),
            "{html}"
        );
        assert!(html.contains("p1-320.jpg 320w"), "{html}");
        assert!(html.contains(r#"width="640" height="480""#), "{html}");
        assert!(html.contains(r#"loading="lazy""#), "{html}");
        assert!(
            html.contains(r#"href="/news/2026/slug/p1-1280.jpg""#),
            "{html}"
        );
        assert!(
            !html.contains("\"p1.jpg\"") && !html.contains("/p1.jpg"),
            "{html}"
        );
        // Without words, the picture is not made a link no one can name.
        let bare = to_html("![](./p1.jpg)\n", &r);
        assert!(
            bare.contains("p1-640.jpg") && !bare.contains("<a"),
            "{bare}"
        );
    }

    #[test]
    fn quotes_and_lists_nest_only_so_deep_and_keep_their_text() {
        let images = ImageMap::default();
        let r = Resolver {
            content_dir: Path::new("/site/content"),
            source_dir: Path::new("news/2026/slug"),
            images: &images,
        };
        let count = |html: &str, tag: &str| html.matches(tag).count();
        let quotes = format!("{} ลึกมาก\n\nต่อ", ">".repeat(100_000));
        let html = to_html(&quotes, &r);
        assert_eq!(count(&html, "<blockquote>"), MAX_NESTING, "{html}");
        assert_eq!(count(&html, "</blockquote>"), MAX_NESTING);
        assert!(
            html.contains("ลึกมาก") && html.contains("<p>ต่อ</p>"),
            "{html}"
        );
        let lists = format!("{}รายการ\n", "- ".repeat(1000));
        let html = to_html(&lists, &r);
        assert!(count(&html, "<ul>") < MAX_NESTING, "{html}");
        assert_eq!(count(&html, "<ul>"), count(&html, "</ul>"));
        assert_eq!(count(&html, "<li>"), count(&html, "<ul>"), "{html}");
        assert!(html.contains("รายการ"));
        let divs = format!("{}ลึก", "<div>".repeat(30_000));
        let html = to_html(&divs, &r);
        assert!(!html.contains("<div>") && html.contains("&lt;div&gt;ลึก"));
        let shallow = "> อ้าง\n\n- ก\n  - ข\n";
        let html = to_html(shallow, &r);
        assert_eq!(count(&html, "<blockquote>"), 1);
        assert_eq!(count(&html, "<ul>"), 2);
    }

    #[test]
    fn summaries() {
        assert_eq!(
            summary("# T\n\n![x](a.jpg)\n\nFirst *para*\ngraph.\n\nSecond.", 160),
            "First para graph."
        );
        assert_eq!(
            summary("news <script>alert(1)</script> today", 160),
            "news today"
        );
        let long = "ก".repeat(200);
        let s = summary(&long, 160);
        assert_eq!(s.chars().count(), 161);
        assert!(s.ends_with('…'));
        // never between a letter and its marks
        let t = truncate(&"กี".repeat(100), 51);
        assert!(!t.trim_end_matches('…').ends_with('ก'), "{t}");
    }

    #[test]
    fn refs() {
        let md = "![a](p1.jpg) [b](doc.pdf) [c](/x/) [d](https://x.org)\n\n<img src='p2.png'>\n";
        assert_eq!(local_refs(md), ["p1.jpg", "doc.pdf", "p2.png"]);
        assert_eq!(local_images(md), ["p1.jpg", "p2.png"]);
    }
}
