//! `/ita/`, the OIT page from `ita.yaml`: a table of every item and its
//! links, and the build's check of those links — an internal link that
//! leads to nothing the build writes is `ita-broken-link` (the assessors
//! would find a 404), an item with nothing to show is `ita-empty`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::context::Og;
use super::plan::Prepared;
use super::renderer::Renderer;
use crate::diagnostic::{Code, Diagnostic};
use crate::i18n::Message;
use crate::ita::{BuiltFiles, ITA_FILE, ItaFile, LinkTarget, classify, resolves};
use crate::plumbing::paths::normalize;
use crate::plumbing::url::encode_path;

/// The page's URL.
pub(super) const ITA_URL: &str = "/ita/";

#[derive(Serialize)]
struct ItemCtx<'a> {
    code: &'a str,
    title: &'a str,
    links: Vec<LinkCtx<'a>>,
}

#[derive(Serialize)]
struct LinkCtx<'a> {
    title: &'a str,
    /// What the page links: a site path, or the URL as written.
    href: String,
    /// On another web site (the page says so).
    external: bool,
}

impl Renderer<'_> {
    pub(super) fn ita(&self, ita: &ItaFile) -> Prepared {
        let page = &ita.page;
        let title = self
            .word("ita_title")
            .replace("{n}", &page.fiscal_year.to_string());
        let intro_html = match (&page.intro, self.site.page(ITA_URL)) {
            (Some(md), _) => crate::markdown::to_html(md, &self.resolver(std::path::Path::new(""))),
            (None, Some(p)) => self.page_html(p),
            (None, None) => String::new(),
        };
        let items: Vec<ItemCtx<'_>> = page
            .items
            .iter()
            .map(|item| ItemCtx {
                code: &item.code,
                title: &item.title,
                links: item
                    .links
                    .iter()
                    .map(|l| LinkCtx {
                        title: &l.title,
                        href: self.ita_href(&l.url),
                        external: matches!(classify(&l.url, &self.base), LinkTarget::External(_)),
                    })
                    .collect(),
            })
            .collect();
        let description = format!("{title} — {}", self.config.title);
        let mut ctx = self.context(
            ITA_URL,
            &title,
            &description,
            Og {
                title: title.clone(),
                ..Og::default()
            },
        );
        ctx.insert("heading", &title);
        ctx.insert("intro_html", &intro_html);
        ctx.insert("items", &items);
        ctx.insert("fiscal_year", &page.fiscal_year);
        ctx.insert(
            "breadcrumbs",
            &[
                self.crumb(self.word("home"), "/"),
                self.crumb(&title, ITA_URL),
            ],
        );
        Prepared::new("ita.html", ctx, ITA_URL)
    }

    /// The link a page gives for a URL of `ita.yaml`: a site path as the
    /// officer wrote it (keeping its `#fragment`), a relative one resolved
    /// from `/ita/`, the office's own absolute URLs as site paths, and
    /// any other URL as written.
    fn ita_href(&self, url: &str) -> String {
        let url = url.trim();
        match classify(url, &self.base) {
            LinkTarget::Internal(_) if url.starts_with('/') && !url.starts_with("//") => {
                url.to_string()
            }
            LinkTarget::Internal(path) => encode_path(&path),
            LinkTarget::External(_) | LinkTarget::Other(_) => url.to_string(),
        }
    }

    /// Documents in `content/` that `ita.yaml` links, to publish as they
    /// are (a procurement plan linked from the OIT page and nowhere else).
    pub(super) fn ita_documents(&self) -> Vec<PathBuf> {
        let Some(ita) = &self.site.ita else {
            return Vec::new();
        };
        ita.page
            .links()
            .filter_map(|(_, l)| match classify(&l.url, &self.base) {
                LinkTarget::Internal(path) => {
                    normalize(std::path::Path::new(path.trim_start_matches('/')))
                }
                _ => None,
            })
            .filter(|rel| !rel.as_os_str().is_empty())
            .collect()
    }

    /// `ita-broken-link` and `ita-empty`, against the files the build
    /// writes: the plan and the photos' variants.
    pub(super) fn ita_problems(&self, plan: &super::plan::Plan) -> Vec<Diagnostic> {
        let Some(ita) = &self.site.ita else {
            return Vec::new();
        };
        let mut built: BuiltFiles = plan.iter().map(|(rel, _)| rel.as_path().into()).collect();
        for image in self.images.values() {
            for v in &image.variants {
                built.insert(Path::new(v.url.trim_start_matches('/')).into());
            }
        }
        let empty_archives: BTreeSet<&str> = self
            .archives
            .iter()
            .filter(|a| a.news.is_empty())
            .map(|a| a.url.as_str())
            .collect();
        let mut problems = Vec::new();
        for item in &ita.page.items {
            let at = |d: Diagnostic, url: Option<&str>| match ita.line_of(&item.code, url) {
                Some(line) => d.in_file(ITA_FILE).at_line(line),
                None => d.in_file(ITA_FILE),
            };
            if item.links.is_empty() {
                let m = Message::new("ita.empty_item")
                    .arg("code", &item.code)
                    .arg("title", &item.title);
                let d = Diagnostic::warning(Code::ItaEmpty, m).about(&item.code);
                problems.push(at(d, None));
            }
            for link in &item.links {
                let LinkTarget::Internal(path) = classify(&link.url, &self.base) else {
                    continue;
                };
                let message = |key| {
                    Message::new(key)
                        .arg("code", &item.code)
                        .arg("title", &link.title)
                        .arg("url", link.url.trim())
                };
                if !resolves(&path, &built) {
                    let d = Diagnostic::error(Code::ItaBrokenLink, message("ita.broken_link"))
                        .about(link.url.trim());
                    problems.push(at(d, Some(&link.url)));
                } else if empty_archives.contains(path.as_str()) {
                    let d = Diagnostic::warning(Code::ItaEmpty, message("ita.empty_archive"))
                        .about(link.url.trim());
                    problems.push(at(d, Some(&link.url)));
                }
            }
        }
        problems
    }
}
