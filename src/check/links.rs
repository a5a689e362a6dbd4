//! Links and pictures in a request's body that would lead nowhere once the
//! news is published. The build checks every page it writes and publishes
//! nothing while one link is broken, so a request the check passed with
//! such a link would hold up every news item after it; the staff member
//! who can fix it must hear of it here, at the line.
//!
//! A link may lead to another site, to a file the request publishes (a
//! photo or an attachment, by its name), to a heading of the news itself
//! (`#…`), or to a page of the site (`/…`, looked for in the last build's
//! `public/`; not judged when there is none). A link that leaves the
//! request folder (`..`, a path from the root of the disk) is `unsafe-path`.

use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag};

use crate::diagnostic::{Code, Diagnostic};
use crate::i18n::Message;
use crate::markdown::{self, Target};
use crate::news::Sink;
use crate::plumbing::paths::{self, PUBLIC_DIR};
use crate::request::Request;

/// Reports each link or picture of `body` (the request's body text) that
/// leads nowhere; `published` are the names of the files the news
/// publishes.
pub(super) fn check(
    sink: &mut Sink,
    req: &Request,
    body: &str,
    published: &[&str],
    site_dir: &Path,
) {
    let mut ids: Option<Vec<String>> = None;
    for (url, span) in urls(body) {
        let problem = match markdown::classify(&url) {
            Target::External => None,
            Target::Site => match url.trim().strip_prefix('#') {
                Some(fragment) => {
                    let ids = ids.get_or_insert_with(|| heading_ids(body));
                    heading(fragment, ids)
                }
                None => site_page(&url, site_dir),
            },
            Target::Local { rel, .. } => local_file(&rel, req, published),
        };
        let Some((code, message)) = problem else {
            continue;
        };
        let shown: String = url.chars().take(60).collect();
        let d = Diagnostic::error(code, message.arg("url", &shown));
        match req.split.body {
            Some(o) => {
                let span = o + span.start..o + span.end;
                sink.push(
                    d.at_line(req.line_of(span.start)).with_span(span),
                    None,
                    None,
                );
            }
            None => {
                let place = sink.locate.key("body");
                sink.push(d, place, None);
            }
        }
    }
}

/// Every link and picture address of `md`, with where it is written.
fn urls(md: &str) -> Vec<(String, Range<usize>)> {
    Parser::new_ext(md, markdown::options())
        .into_offset_iter()
        .filter_map(|(event, span)| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                Some((dest_url.to_string(), span))
            }
            _ => None,
        })
        .collect()
}

/// The ids the news page's body will offer: its headings' (as the build
/// makes them) and whatever else its HTML keeps.
fn heading_ids(body: &str) -> Vec<String> {
    let images = crate::images::ImageMap::default();
    let resolver = markdown::Resolver {
        content_dir: Path::new(""),
        source_dir: Path::new(""),
        images: &images,
    };
    let html = markdown::to_html(body, &resolver);
    html.split(" id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|id| crate::plumbing::url::decode_lossless(&markdown::html_unescape(id)))
        .collect()
}

/// A `#fragment` that is none of `ids`. The theme's own ids (`k-…`: the
/// main text, the menu) are on every page.
fn heading(fragment: &str, ids: &[String]) -> Option<(Code, Message)> {
    let fragment = crate::plumbing::url::decode_lossless(fragment);
    if fragment.is_empty() || fragment.starts_with("k-") || ids.contains(&fragment) {
        return None;
    }
    let known = if ids.is_empty() {
        "-".to_string()
    } else {
        ids.iter()
            .map(|i| format!("#{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let m = Message::new("check.link_no_heading").arg("ids", known);
    Some((Code::MissingFragment, m))
}

/// A site path (`/about/`) that the last build did not make.
fn site_page(url: &str, site_dir: &Path) -> Option<(Code, Message)> {
    let public = site_dir.join(PUBLIC_DIR);
    let path = url.trim().split(['?', '#']).next().unwrap_or("");
    let rel = crate::plumbing::url::decode_lossless(path.trim_start_matches('/'));
    if !path.starts_with('/') || !public.join("index.html").is_file() {
        return None;
    }
    let at = public.join(&rel);
    if rel.is_empty() || at.is_file() || at.join("index.html").is_file() {
        return None;
    }
    Some((Code::BrokenLink, Message::new("check.link_nowhere")))
}

/// A relative link: it must name a file the news publishes.
fn local_file(rel: &Path, req: &Request, published: &[&str]) -> Option<(Code, Message)> {
    if super::media::is_unsafe(&rel.to_string_lossy()) {
        return Some((Code::UnsafePath, Message::new("check.link_outside")));
    }
    let name = paths::slash(&paths::normalize(rel)?);
    if name.is_empty() || published.contains(&name.as_str()) {
        return None;
    }
    let in_folder = req.is_dir && req.files.iter().any(|f| paths::slash(f) == name);
    let m = match in_folder {
        true => Message::new("check.link_unpublished"),
        false => Message::new("check.link_missing"),
    };
    Some((Code::MissingFile, m.arg("file", name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_pictures_are_found_where_written() {
        let md = "ดู [คำสั่ง](คำสั่ง.pdf) และ ![ภาพ](a.jpg)\n\n[เว็บ](https://example.com)\n";
        let found: Vec<String> = urls(md).into_iter().map(|(u, _)| u).collect();
        assert_eq!(found, ["คำสั่ง.pdf", "a.jpg", "https://example.com"]);
        let (_, span) = &urls(md)[0];
        assert!(md[span.clone()].starts_with("[คำสั่ง]"));
    }

    #[test]
    fn headings_offer_the_ids_the_build_gives_them() {
        let ids = heading_ids("## กำหนดการ\n\nข้อความ\n\n## กำหนดการ\n");
        assert_eq!(ids.len(), 2, "{ids:?}");
        assert!(heading(&ids[0], &ids).is_none());
        assert!(heading("k-main", &ids).is_none());
        assert!(heading("ไม่มีหัวข้อนี้", &ids).is_some());
    }
}
