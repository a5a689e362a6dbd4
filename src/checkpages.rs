//! Step 5: check the pages just written — every internal `href`/`src`/
//! `srcset` and `#fragment` resolves, every `img` has alt text, the HTML
//! parses. Works on the files in `public/`, exactly what a visitor gets.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use scraper::{Html, Selector};
use serde::Serialize;

use crate::diagnostic::Severity;
use crate::i18n::{Lang, tr};
use crate::static_server::percent_decode;

/// One problem on one page.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PageProblem {
    pub severity: Severity,
    pub code: &'static str,
    /// The page, relative to `public/` (or the content file for content
    /// problems).
    pub page: PathBuf,
    /// The link or image that fails, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub message: String,
}

/// What one page links to and which fragments it offers.
#[derive(Debug, Default)]
struct PageScan {
    ids: BTreeSet<String>,
    /// (attribute kind, raw target)
    links: Vec<String>,
    problems: Vec<PageProblem>,
}

/// Checks the HTML files among `files` (relative to `public_dir`). Links
/// starting with `base_url` count as internal too.
pub fn check_pages(
    public_dir: &Path,
    files: &[PathBuf],
    base_url: &str,
    lang: Lang,
) -> Vec<PageProblem> {
    let pages: Vec<&PathBuf> = files.iter().filter(|f| is_html(f)).collect();
    let scans: BTreeMap<PathBuf, PageScan> = pages
        .par_iter()
        .map(|rel| ((*rel).clone(), scan_page(public_dir, rel, lang)))
        .collect();

    let mut problems: Vec<PageProblem> = scans
        .par_iter()
        .flat_map_iter(|(page, scan)| {
            let mut out = scan.problems.clone();
            for target in &scan.links {
                if let Some(p) = check_link(public_dir, page, target, base_url, &scans, lang) {
                    out.push(p);
                }
            }
            out
        })
        .collect();
    problems.sort();
    problems.dedup();
    problems
}

fn is_html(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "html" || e == "htm")
}

static SEL_IDS: once_cell::sync::Lazy<Selector> =
    once_cell::sync::Lazy::new(|| Selector::parse("[id], a[name]").expect("selector"));
static SEL_LINKS: once_cell::sync::Lazy<Selector> = once_cell::sync::Lazy::new(|| {
    Selector::parse("a[href], link[href], area[href], img, source[src], source[srcset], script[src], video[src], video[poster], audio[src], iframe[src]")
        .expect("selector")
});

fn scan_page(public_dir: &Path, rel: &Path, lang: Lang) -> PageScan {
    let mut scan = PageScan::default();
    let text = match std::fs::read(public_dir.join(rel)) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            scan.problems.push(problem(
                Severity::Error,
                "unreadable-page",
                rel,
                None,
                tr(lang, "pages.unreadable", &[("error", &e.to_string())]),
            ));
            return scan;
        }
    };
    let html = Html::parse_document(&text);
    for err in html.errors.iter().take(5) {
        scan.problems.push(problem(
            Severity::Error,
            "html-parse",
            rel,
            None,
            tr(lang, "pages.html_parse", &[("error", err)]),
        ));
    }
    for el in html.select(&SEL_IDS) {
        let v = el.value();
        if let Some(id) = v.attr("id").or_else(|| v.attr("name")) {
            scan.ids.insert(id.to_string());
        }
    }
    for el in html.select(&SEL_LINKS) {
        let v = el.value();
        for attr in ["href", "src", "poster"] {
            if let Some(t) = v.attr(attr) {
                scan.links.push(t.to_string());
            }
        }
        if let Some(srcset) = v.attr("srcset") {
            for candidate in srcset.split(',') {
                if let Some(url) = candidate.split_whitespace().next() {
                    scan.links.push(url.to_string());
                }
            }
        }
        if v.name() == "img" {
            let src = v.attr("src").unwrap_or("").to_string();
            match v.attr("alt") {
                None => scan.problems.push(problem(
                    Severity::Error,
                    "missing-alt",
                    rel,
                    Some(src),
                    tr(lang, "pages.missing_alt", &[]),
                )),
                Some(alt) if alt.trim().is_empty() && v.attr("role") != Some("presentation") => {
                    scan.problems.push(problem(
                        Severity::Warning,
                        "empty-alt",
                        rel,
                        Some(src),
                        tr(lang, "pages.empty_alt", &[]),
                    ))
                }
                Some(_) => {}
            }
        }
    }
    scan
}

fn problem(
    severity: Severity,
    code: &'static str,
    page: &Path,
    target: Option<String>,
    message: String,
) -> PageProblem {
    PageProblem {
        severity,
        code,
        page: page.to_path_buf(),
        target,
        message,
    }
}

/// Checks one link of `page`; `None` when it resolves or is not ours to check.
fn check_link(
    public_dir: &Path,
    page: &Path,
    raw: &str,
    base_url: &str,
    scans: &BTreeMap<PathBuf, PageScan>,
    lang: Lang,
) -> Option<PageProblem> {
    let target = raw.trim();
    let base = base_url.trim_end_matches('/');
    let local = if !base.is_empty() && target.starts_with(base) {
        &target[base.len()..]
    } else {
        target
    };
    if local.is_empty() || is_external(local) {
        return None;
    }
    let (path_part, fragment) = match local.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (local, None),
    };
    let path_part = path_part.split('?').next().unwrap_or("");
    let broken = |code: &'static str, key: &str| {
        Some(problem(
            Severity::Error,
            code,
            page,
            Some(raw.to_string()),
            tr(lang, key, &[("target", raw)]),
        ))
    };

    let target_page: PathBuf = if path_part.is_empty() {
        page.to_path_buf()
    } else {
        let Some(decoded) = percent_decode(path_part) else {
            return broken("broken-link", "pages.broken_link");
        };
        let joined = if let Some(abs) = decoded.strip_prefix('/') {
            PathBuf::from(abs)
        } else {
            page.parent().unwrap_or(Path::new("")).join(&decoded)
        };
        let Some(normal) = normalize(&joined) else {
            return broken("broken-link", "pages.broken_link");
        };
        let full = public_dir.join(&normal);
        if full.is_dir() {
            if !decoded.ends_with('/') && !decoded.is_empty() {
                // A server redirects `/a` to `/a/`; accept it like a browser would.
            }
            let index = normal.join("index.html");
            if !public_dir.join(&index).is_file() {
                return broken("broken-link", "pages.broken_link");
            }
            index
        } else if full.is_file() {
            normal
        } else {
            return broken("broken-link", "pages.broken_link");
        }
    };

    match fragment {
        Some(f) if !f.is_empty() && f != "top" && is_html(&target_page) => {
            let f = percent_decode(f).unwrap_or_else(|| f.to_string());
            let known = scans
                .get(&target_page)
                .map(|s| s.ids.contains(&f))
                .unwrap_or(false);
            if known {
                None
            } else {
                broken("missing-fragment", "pages.missing_fragment")
            }
        }
        _ => None,
    }
}

/// Links that leave the site (other hosts, mail, phone) are not checked.
fn is_external(target: &str) -> bool {
    if target.starts_with("//") {
        return true;
    }
    match target.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && !scheme.contains('/')
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// Resolves `.` and `..` without touching the disk; `None` when the path
/// climbs out of `public/`.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::Normal(p) => out.push(p),
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<PathBuf>) {
        let dir = tempfile::tempdir().unwrap();
        let mut rels = Vec::new();
        for (rel, body) in files {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, body).unwrap();
            rels.push(PathBuf::from(rel));
        }
        (dir, rels)
    }

    fn page(body: &str) -> String {
        format!(
            "<!DOCTYPE html><html lang=\"th\"><head><meta charset=\"utf-8\"><title>t</title></head><body>{body}</body></html>"
        )
    }

    #[test]
    fn good_links_pass() {
        let (dir, files) = site(&[
            (
                "index.html",
                &page(
                    r##"<a href="/a/">a</a><a href="a/#x">x</a><a href="#top">t</a><img src="/p.jpg" srcset="/p.jpg 320w, p.jpg 640w" alt="p"><a href="https://example.org/">e</a><a href="mailto:a@b">m</a>"##,
                ),
            ),
            ("a/index.html", &page(r#"<h2 id="x">x</h2>"#)),
            ("p.jpg", "jpeg"),
        ]);
        let problems = check_pages(dir.path(), &files, "https://site.go.th/", Lang::En);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn broken_link_missing_image_fragment_and_alt_are_named() {
        let (dir, files) = site(&[
            (
                "index.html",
                &page(
                    r##"<a href="/nope/">n</a><img src="/missing.jpg" alt="m"><a href="/a/#y">y</a><img src="/a/p.jpg"><a href="https://site.go.th/gone/">g</a>"##,
                ),
            ),
            ("a/index.html", &page(r#"<h2 id="x">x</h2>"#)),
            ("a/p.jpg", "jpeg"),
        ]);
        let problems = check_pages(dir.path(), &files, "https://site.go.th/", Lang::En);
        let got: Vec<(&str, Option<&str>)> = problems
            .iter()
            .map(|p| (p.code, p.target.as_deref()))
            .collect();
        assert!(got.contains(&("broken-link", Some("/nope/"))), "{got:?}");
        assert!(
            got.contains(&("broken-link", Some("/missing.jpg"))),
            "{got:?}"
        );
        assert!(
            got.contains(&("missing-fragment", Some("/a/#y"))),
            "{got:?}"
        );
        assert!(got.contains(&("missing-alt", Some("/a/p.jpg"))), "{got:?}");
        assert!(
            got.contains(&("broken-link", Some("https://site.go.th/gone/"))),
            "{got:?}"
        );
        assert!(problems.iter().all(|p| p.page == Path::new("index.html")));
    }

    #[test]
    fn escaping_public_is_broken() {
        let (dir, files) = site(&[("index.html", &page(r#"<a href="../../etc/passwd">x</a>"#))]);
        let problems = check_pages(dir.path(), &files, "https://site.go.th/", Lang::En);
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn thai_paths_are_decoded() {
        let (dir, files) = site(&[
            ("index.html", &page(r#"<a href="/%E0%B8%82/">x</a>"#)),
            ("ข/index.html", &page("")),
        ]);
        assert!(check_pages(dir.path(), &files, "https://s/", Lang::En).is_empty());
    }
}
