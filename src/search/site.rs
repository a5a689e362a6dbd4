//! The search index of a built site: which pages it finds, and what of
//! each page it reads — the element the theme marks `data-search-body`
//! (the news or page article): its `<h1>` is the title, the rest the text.
//! Menus, footers and lists never match a query.
//!
//! A page comes with a stamp from the render step (the hash of everything
//! its bytes were made from), so a page whose stamp did not change is not
//! even read: a one-news build reads one page and rewrites a handful of the
//! index's files.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use scraper::{ElementRef, Html, Node};

use super::{Doc, Page, build_pages};
use crate::diagnostic::{Code, Failure};
use crate::i18n::Message;

/// The attribute marking the part of a page the search reads.
pub const BODY_MARK: &str = "data-search-body";

/// A page of the build to index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Searchable {
    /// Where it was written, relative to the output folder.
    pub rel: PathBuf,
    /// The address a visitor opens.
    pub url: String,
    /// ISO date of a news item, for recency; `None` for a plain page.
    pub date: Option<String>,
    /// Changes whenever the page's bytes may have.
    pub stamp: u64,
}

/// Why the search index could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    Io { path: PathBuf, error: String },
}

crate::display_failure!(SearchError);

impl Failure for SearchError {
    fn code(&self) -> Code {
        Code::Build
    }

    fn message(&self) -> Message {
        let SearchError::Io { path, error } = self;
        let error = format!("{}: {error}", path.display());
        Message::new("build.search_failed").arg_msg("error", crate::i18n::os_error(error))
    }
}

/// Brings `out/khao-search/` up to date with `pages` (the state of the
/// last build is kept in `cache`). Returns every file of the index,
/// relative to `out`, sorted, for the build's file list.
pub fn index_site(
    out: &Path,
    pages: &[Searchable],
    cache: &Path,
) -> Result<Vec<PathBuf>, SearchError> {
    let listed: Vec<Page<'_>> = pages
        .iter()
        .map(|p| Page {
            url: &p.url,
            date: p.date.as_deref(),
            stamp: p.stamp,
        })
        .collect();
    let failed: Mutex<Option<SearchError>> = Mutex::new(None);
    let doc = |i: usize| {
        let page = &pages[i];
        let path = out.join(&page.rel);
        match std::fs::read_to_string(&path) {
            Ok(html) => document(&page.url, page.date.clone(), &html),
            Err(e) => {
                let mut slot = failed.lock().unwrap_or_else(|p| p.into_inner());
                slot.get_or_insert(SearchError::Io {
                    path,
                    error: e.to_string(),
                });
                Doc {
                    url: page.url.clone(),
                    title: String::new(),
                    text: String::new(),
                    date: page.date.clone(),
                }
            }
        }
    };
    let report = build_pages(&listed, doc, out, cache).map_err(|e| SearchError::Io {
        path: out.join(super::output::DIR),
        error: e.to_string(),
    })?;
    if let Some(e) = failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        // The index holds an empty document for the page: make the next
        // build start over rather than trust it.
        let _ = std::fs::remove_file(cache.join(super::dir::STATE_FILE));
        return Err(e);
    }
    Ok(report.files().into_iter().map(PathBuf::from).collect())
}

/// What the search reads of a page: the marked element's `<h1>` as the
/// title and the rest of its text, a line per block. A page without the
/// mark (a theme's custom template, the search page itself) gives an empty
/// document, which no query finds.
pub fn document(url: &str, date: Option<String>, html: &str) -> Doc {
    let mut doc = Doc {
        url: url.to_string(),
        title: String::new(),
        text: String::new(),
        date,
    };
    let Some(part) = marked_element(html) else {
        return doc;
    };
    let fragment = Html::parse_fragment(part);
    let mut title = String::new();
    let mut text = String::new();
    collect(fragment.root_element(), false, &mut title, &mut text);
    doc.title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    doc.text = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    doc
}

/// Elements that end a line of text.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "li"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "td"
            | "th"
            | "tr"
            | "div"
            | "pre"
            | "ul"
            | "ol"
            | "table"
            | "section"
            | "header"
            | "footer"
            | "figure"
            | "figcaption"
            | "blockquote"
            | "br"
            | "dt"
            | "dd"
            | "nav"
    )
}

fn collect(element: ElementRef<'_>, in_title: bool, title: &mut String, text: &mut String) {
    for child in element.children() {
        match child.value() {
            Node::Text(t) => {
                if in_title {
                    title.push_str(t);
                } else {
                    text.push_str(t);
                }
            }
            Node::Element(e) => {
                let name = e.name();
                if matches!(name, "script" | "style" | "template" | "noscript") {
                    continue;
                }
                let Some(child) = ElementRef::wrap(child) else {
                    continue;
                };
                let block = is_block(name);
                if block {
                    text.push('\n');
                }
                collect(child, in_title || name == "h1", title, text);
                if block {
                    text.push('\n');
                }
            }
            _ => {}
        }
    }
}

/// The element carrying [`BODY_MARK`], as HTML, found by counting nested
/// elements of the same name (cheaper than parsing the whole page).
fn marked_element(html: &str) -> Option<&str> {
    let marker = html.find(BODY_MARK)?;
    let open = html[..marker].rfind('<')?;
    let name: String = html[open + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    if name.is_empty() {
        return None;
    }
    let (open_tag, close_tag) = (format!("<{name}"), format!("</{name}>"));
    let mut depth = 0usize;
    let mut at = open;
    loop {
        let next_open = html[at + 1..].find(&open_tag).map(|i| i + at + 1);
        let next_close = html[at + 1..].find(&close_tag).map(|i| i + at + 1)?;
        match next_open {
            Some(o) if o < next_close => {
                let after = html[o + open_tag.len()..].chars().next();
                if matches!(after, Some(c) if c == '>' || c.is_whitespace()) {
                    depth += 1;
                }
                at = o;
            }
            _ => {
                if depth == 0 {
                    return Some(&html[open..next_close + close_tag.len()]);
                }
                depth -= 1;
                at = next_close;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marked_article_is_read_title_apart() {
        let html = r#"<html lang="th"><body><nav><a href="/">เมนู</a></nav>
<main><article class="news" data-search-body><header><h1>ประชุม <b>ผู้บริหาร</b></h1>
<p class="byline"><time datetime="2026-11-20">20 พ.ย. 2569</time></p></header>
<div class="prose"><p>วันนี้มี<strong>การประชุม</strong></p><article><p>ซ้อน</p></article>
<ul><li>หนึ่ง</li><li>สอง</li></ul><script>var x = "ไม่ใช่";</script></div></article>
<aside>ข่าวอื่น</aside></main><footer>ท้ายเว็บ</footer></body></html>"#;
        let d = document("/news/2026/a/", Some("2026-11-20".into()), html);
        assert_eq!(d.title, "ประชุม ผู้บริหาร");
        assert_eq!(d.text, "20 พ.ย. 2569\nวันนี้มีการประชุม\nซ้อน\nหนึ่ง\nสอง");
        assert_eq!(d.date.as_deref(), Some("2026-11-20"));
    }

    #[test]
    fn a_page_without_the_mark_is_empty() {
        let d = document(
            "/search/",
            None,
            "<html><body><main><h1>ค้นหา</h1></main></body></html>",
        );
        assert!(d.title.is_empty() && d.text.is_empty());
        let broken = document("/x/", None, "<article data-search-body><p>no end");
        assert!(broken.text.is_empty());
    }
}
