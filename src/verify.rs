//! Step 7: check the live display.
//!
//! After an upload, the pages that changed, the home page, the feed and the
//! sitemap are fetched from the live site and compared byte for byte with
//! `public/`; every photo, stylesheet and script those pages use must answer
//! 200 with the right content type. What a visitor would get is what is
//! checked, through the real web server, caches and all.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use rayon::prelude::*;
use scraper::{Html, Selector};
use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic};
use crate::i18n::Message;
use crate::static_server::content_type;

/// What the live check found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    /// URLs fetched (pages and the files they use).
    pub checked: usize,
    pub failed: Vec<VerifyFailure>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.failed.is_empty()
    }
}

/// One URL that is not as built: a diagnostic whose target is the URL
/// (`verify-mismatch`, `verify-status`, `verify-type` or `verify-fetch`).
pub type VerifyFailure = Diagnostic;

fn failure(code: Code, key: &str, url: &str, detail: &str) -> VerifyFailure {
    let m = Message::new(key).arg("url", url);
    // A failed fetch's detail is the system's words: said in the user's.
    let m = match code {
        Code::VerifyFetch => m.arg_msg("detail", crate::i18n::os_error(detail)),
        _ => m.arg("detail", detail),
    };
    Diagnostic::error(code, m).about(url)
}

/// The files of `public/` the live check fetches: every changed page, the
/// home page, `feed.xml` and `sitemap.xml` (those that exist).
pub fn pages_to_check(public: &Path, changed: &[String]) -> Vec<String> {
    let mut pages: BTreeSet<String> = changed
        .iter()
        .filter(|p| p.ends_with(".html") || p.ends_with(".xml"))
        .cloned()
        .collect();
    for always in ["index.html", "feed.xml", "sitemap.xml"] {
        if public.join(always).is_file() {
            pages.insert(always.to_string());
        }
    }
    pages.into_iter().collect()
}

/// The URL path of a file of `public/`: `news/a/index.html` → `news/a/`,
/// each segment percent-encoded (Thai names).
pub fn url_path(rel: &str) -> String {
    let url = crate::plumbing::paths::output_url(std::path::Path::new(rel));
    crate::plumbing::url::encode_segments(url.trim_start_matches('/'))
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A fetch: status, content type, body.
fn fetch(agent: &ureq::Agent, url: &str, body: bool) -> Result<(u16, String, Vec<u8>), String> {
    let mut resp = agent
        .get(url)
        .header("Cache-Control", "no-cache")
        .call()
        .map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = if body {
        resp.body_mut()
            .with_config()
            .limit(512 * 1024 * 1024)
            .read_to_vec()
            .map_err(|e| e.to_string())?
    } else {
        Vec::new()
    };
    Ok((status, ctype, bytes))
}

/// Checks the live site at `base_url` against `public/`.
pub fn verify_live(public: &Path, base_url: &str, pages: &[String]) -> VerifyReport {
    let base = format!("{}/", base_url.trim_end_matches('/'));
    let agent = agent();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(8).build();
    let work = || {
        let page_results: Vec<(Vec<VerifyFailure>, Vec<String>)> = pages
            .par_iter()
            .map(|rel| check_page(&agent, public, &base, rel))
            .collect();
        let mut failed = Vec::new();
        let mut assets = BTreeSet::new();
        for (f, a) in page_results {
            failed.extend(f);
            assets.extend(a);
        }
        let assets: Vec<String> = assets.into_iter().collect();
        let asset_failures: Vec<VerifyFailure> = assets
            .par_iter()
            .filter_map(|url| check_asset(&agent, url))
            .collect();
        failed.extend(asset_failures);
        VerifyReport {
            checked: pages.len() + assets.len(),
            failed,
        }
    };
    match pool {
        Ok(p) => p.install(work),
        Err(_) => work(),
    }
}

fn check_page(
    agent: &ureq::Agent,
    public: &Path,
    base: &str,
    rel: &str,
) -> (Vec<VerifyFailure>, Vec<String>) {
    let url = format!("{base}{}", url_path(rel));
    let fail = |code: Code, key: &str, extra: &str| failure(code, key, &url, extra);
    let local = match std::fs::read(public.join(rel)) {
        Ok(b) => b,
        Err(e) => {
            return (
                vec![fail(
                    Code::VerifyMissing,
                    "verify.local_missing",
                    &e.to_string(),
                )],
                vec![],
            );
        }
    };
    let (status, _ctype, body) = match fetch(agent, &url, true) {
        Ok(r) => r,
        Err(e) => {
            return (
                vec![fail(Code::VerifyFetch, "verify.fetch_failed", &e)],
                vec![],
            );
        }
    };
    if status != 200 {
        return (
            vec![fail(
                Code::VerifyStatus,
                "verify.bad_status",
                &status.to_string(),
            )],
            vec![],
        );
    }
    let mut failures = Vec::new();
    if body != local {
        failures.push(fail(
            Code::VerifyMismatch,
            "verify.mismatch",
            &format!("{} / {}", body.len(), local.len()),
        ));
    }
    let assets = if rel.ends_with(".html") {
        let html = String::from_utf8_lossy(&local);
        referenced_assets(&html, &url, base)
    } else {
        Vec::new()
    };
    (failures, assets)
}

fn check_asset(agent: &ureq::Agent, url: &str) -> Option<VerifyFailure> {
    let fail = |code: Code, key: &str, extra: &str| failure(code, key, url, extra);
    let (status, ctype, _) = match fetch(agent, url, false) {
        Ok(r) => r,
        Err(e) => return Some(fail(Code::VerifyFetch, "verify.fetch_failed", &e)),
    };
    if status != 200 {
        return Some(fail(
            Code::VerifyStatus,
            "verify.bad_status",
            &status.to_string(),
        ));
    }
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let expected = content_type(Path::new(path));
    if !type_matches(expected, &ctype) {
        let detail = format!("{ctype} ≠ {expected}");
        return Some(fail(Code::VerifyType, "verify.bad_type", &detail));
    }
    None
}

/// Whether a served `Content-Type` is right for a file whose type by
/// extension is `expected` (servers differ in the details: `image/*`,
/// `text/javascript` vs `application/javascript`).
pub fn type_matches(expected: &str, served: &str) -> bool {
    let mime = |s: &str| {
        s.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    };
    let (e, s) = (mime(expected), mime(served));
    if e == "application/octet-stream" || e == s {
        return true;
    }
    match e.as_str() {
        "text/javascript" => s.contains("javascript") || s.contains("ecmascript"),
        _ if e.starts_with("image/") => s.starts_with("image/"),
        _ if e.starts_with("font/") => s.starts_with("font/") || s.contains("font"),
        _ => false,
    }
}

/// The photos, stylesheets, scripts and icons a page uses, as absolute
/// URLs on the site (links to other sites are not ours to check).
pub fn referenced_assets(html: &str, page_url: &str, base: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let mut raw = Vec::new();
    let sel = |s: &str| Selector::parse(s).ok();
    if let Some(s) = sel("img[src], script[src], source[src], video[src], audio[src]") {
        raw.extend(
            doc.select(&s)
                .filter_map(|e| e.value().attr("src").map(String::from)),
        );
    }
    if let Some(s) = sel("img[srcset], source[srcset]") {
        for e in doc.select(&s) {
            if let Some(set) = e.value().attr("srcset") {
                for candidate in set.split(',') {
                    if let Some(u) = candidate.split_whitespace().next() {
                        raw.push(u.to_string());
                    }
                }
            }
        }
    }
    if let Some(s) = sel("link[href][rel]") {
        for e in doc.select(&s) {
            let rel = e.value().attr("rel").unwrap_or("").to_ascii_lowercase();
            let used = rel
                .split_whitespace()
                .any(|r| matches!(r, "stylesheet" | "icon" | "apple-touch-icon" | "preload"));
            if let (true, Some(h)) = (used, e.value().attr("href")) {
                raw.push(h.to_string());
            }
        }
    }
    let mut out: Vec<String> = raw
        .iter()
        .filter_map(|u| resolve_url(u.trim(), page_url, base))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> &str {
    let after = url.find("://").map_or(0, |i| i + 3);
    match url[after..].find('/') {
        Some(i) => &url[..after + i],
        None => url,
    }
}

/// Resolves a link on `page_url`; `None` for other sites, `data:`,
/// `mailto:` and fragments.
pub fn resolve_url(link: &str, page_url: &str, base: &str) -> Option<String> {
    let link = link.split('#').next().unwrap_or("");
    if link.is_empty() {
        return None;
    }
    let lower = link.to_ascii_lowercase();
    let abs = if lower.starts_with("http://") || lower.starts_with("https://") {
        link.to_string()
    } else if let Some(rest) = link.strip_prefix("//") {
        let scheme = base.split("://").next().unwrap_or("https");
        format!("{scheme}://{rest}")
    } else if lower.split('/').next().is_some_and(|s| s.contains(':')) {
        // mailto:, tel:, data:, javascript: — not files on the site.
        return None;
    } else if link.starts_with('/') {
        format!("{}{}", origin(base), link)
    } else {
        let dir = match page_url.rfind('/') {
            Some(i) => &page_url[..=i],
            None => page_url,
        };
        format!("{dir}{link}")
    };
    if origin(&abs) != origin(base) {
        return None;
    }
    Some(normalize_url(&abs))
}

/// Removes `.` and `..` segments from a URL's path (above the root they
/// stay at the root, as a browser does).
fn normalize_url(url: &str) -> String {
    let o = origin(url);
    let (path, query) = match url[o.len()..].split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (&url[o.len()..], None),
    };
    let rooted = format!("/{}", path.trim_start_matches('/'));
    let normal = crate::plumbing::paths::normalize(Path::new(&rooted))
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| "/".into());
    let dir_like = rooted.ends_with('/') || rooted.ends_with("/.") || rooted.ends_with("/..");
    let mut out = format!("{o}{normal}");
    if dir_like && !normal.ends_with('/') {
        out.push('/');
    }
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths() {
        assert_eq!(url_path("index.html"), "");
        assert_eq!(url_path("news/2569/a/index.html"), "news/2569/a/");
        assert_eq!(url_path("feed.xml"), "feed.xml");
        assert_eq!(url_path("404.html"), "404.html");
        assert_eq!(
            url_path("ข่าว/index.html"),
            "%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7/"
        );
    }

    #[test]
    fn resolves_links() {
        let base = "http://127.0.0.1:8080/";
        let page = "http://127.0.0.1:8080/news/2569/a/";
        assert_eq!(
            resolve_url("photo-640.jpg", page, base).as_deref(),
            Some("http://127.0.0.1:8080/news/2569/a/photo-640.jpg")
        );
        assert_eq!(
            resolve_url("../../../style.css", page, base).as_deref(),
            Some("http://127.0.0.1:8080/style.css")
        );
        assert_eq!(
            resolve_url("/theme/app.js", page, base).as_deref(),
            Some("http://127.0.0.1:8080/theme/app.js")
        );
        assert_eq!(
            resolve_url("https://cdn.example.com/x.js", page, base),
            None
        );
        assert_eq!(resolve_url("data:image/png;base64,xx", page, base), None);
        assert_eq!(resolve_url("mailto:a@b", page, base), None);
        assert_eq!(resolve_url("#top", page, base), None);
    }

    #[test]
    fn finds_assets() {
        let html = r#"<html><head><link rel="stylesheet" href="/s.css"><script src="a.js"></script>
            <link rel="alternate" href="/feed.xml"></head><body>
            <img src="p-320.jpg" srcset="p-320.jpg 320w, p-640.jpg 640w" alt="x"></body></html>"#;
        let got = referenced_assets(html, "http://h/n/", "http://h/");
        assert_eq!(
            got,
            vec![
                "http://h/n/a.js",
                "http://h/n/p-320.jpg",
                "http://h/n/p-640.jpg",
                "http://h/s.css"
            ]
        );
    }

    #[test]
    fn content_types() {
        assert!(type_matches("image/jpeg", "image/jpeg"));
        assert!(type_matches(
            "text/javascript; charset=utf-8",
            "application/javascript"
        ));
        assert!(type_matches("text/css; charset=utf-8", "text/css"));
        assert!(!type_matches("text/css; charset=utf-8", "text/html"));
        assert!(!type_matches("image/png", "text/html"));
    }
}
