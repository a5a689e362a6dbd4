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

/// How links are resolved: on disk, or against the set of files a build
/// produced (the same thing once stale files are removed, without a
/// `stat` per link).
trait Files {
    fn is_dir(&self, rel: &Path) -> bool;
    fn is_file(&self, rel: &Path) -> bool;
    fn ids(&self, page: &Path) -> Option<&BTreeSet<String>>;
}

struct OnDisk<'a> {
    public_dir: &'a Path,
    scans: &'a BTreeMap<PathBuf, PageScan>,
}

impl Files for OnDisk<'_> {
    fn is_dir(&self, rel: &Path) -> bool {
        self.public_dir.join(rel).is_dir()
    }
    fn is_file(&self, rel: &Path) -> bool {
        self.public_dir.join(rel).is_file()
    }
    fn ids(&self, page: &Path) -> Option<&BTreeSet<String>> {
        self.scans.get(page).map(|s| &s.ids)
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
    let files = OnDisk { public_dir, scans };
    resolve_link(&files, page, raw, base_url, lang).err()
}

/// Resolves one link of `page`: `Ok(Some(file))` for the file it leads to,
/// `Ok(None)` when it is not ours to check, `Err` when it is broken.
fn resolve_link(
    files: &dyn Files,
    page: &Path,
    raw: &str,
    base_url: &str,
    lang: Lang,
) -> Result<Option<PathBuf>, PageProblem> {
    let target = raw.trim();
    let base = base_url.trim_end_matches('/');
    let local = if !base.is_empty() && target.starts_with(base) {
        &target[base.len()..]
    } else {
        target
    };
    if local.is_empty() || is_external(local) {
        return Ok(None);
    }
    let (path_part, fragment) = match local.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (local, None),
    };
    let path_part = path_part.split('?').next().unwrap_or("");
    let broken = |code: &'static str, key: &str| {
        Err(problem(
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
        if files.is_dir(&normal) {
            if !decoded.ends_with('/') && !decoded.is_empty() {
                // A server redirects `/a` to `/a/`; accept it like a browser would.
            }
            let index = normal.join("index.html");
            if !files.is_file(&index) {
                return broken("broken-link", "pages.broken_link");
            }
            index
        } else if files.is_file(&normal) {
            normal
        } else {
            return broken("broken-link", "pages.broken_link");
        }
    };

    match fragment {
        Some(f) if !f.is_empty() && f != "top" && is_html(&target_page) => {
            let f = percent_decode(f).unwrap_or_else(|| f.to_string());
            let known = files
                .ids(&target_page)
                .map(|ids| ids.contains(&f))
                .unwrap_or(false);
            if known {
                Ok(Some(target_page))
            } else {
                broken("missing-fragment", "pages.missing_fragment")
            }
        }
        _ => Ok(Some(target_page)),
    }
}

/// What step 5 keeps about each page between builds, so a page that was
/// not written again is not read again: the fragments it offers, the files
/// its links lead to, and its problems.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct CheckCache {
    /// Link targets, each stored once (most pages share the menu's).
    paths: Vec<PathBuf>,
    pages: BTreeMap<PathBuf, PageRecord>,
}

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
struct PageRecord {
    ids: BTreeSet<String>,
    /// Indexes into `CheckCache::paths`.
    targets: Vec<u32>,
    problems: Vec<CachedProblem>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
struct CachedProblem {
    error: bool,
    code: String,
    target: Option<String>,
    message: String,
}

/// The codes this step gives, to restore a cached problem's `&'static str`.
const CODES: &[&str] = &[
    "unreadable-page",
    "html-parse",
    "missing-alt",
    "empty-alt",
    "broken-link",
    "missing-fragment",
];

impl CachedProblem {
    fn from(p: &PageProblem) -> CachedProblem {
        CachedProblem {
            error: p.severity == Severity::Error,
            code: p.code.to_string(),
            target: p.target.clone(),
            message: p.message.clone(),
        }
    }

    fn restore(&self, page: &Path) -> PageProblem {
        PageProblem {
            severity: if self.error {
                Severity::Error
            } else {
                Severity::Warning
            },
            code: CODES
                .iter()
                .find(|c| **c == self.code)
                .copied()
                .unwrap_or("broken-link"),
            page: page.to_path_buf(),
            target: self.target.clone(),
            message: self.message.clone(),
        }
    }
}

/// The build's files in memory: `public/` holds exactly these once stale
/// files are removed.
struct Produced<'a> {
    files: BTreeSet<&'a Path>,
    dirs: BTreeSet<PathBuf>,
    ids: BTreeMap<&'a Path, &'a BTreeSet<String>>,
}

impl Files for Produced<'_> {
    fn is_dir(&self, rel: &Path) -> bool {
        self.dirs.contains(rel)
    }
    fn is_file(&self, rel: &Path) -> bool {
        self.files.contains(rel)
    }
    fn ids(&self, page: &Path) -> Option<&BTreeSet<String>> {
        self.ids.get(page).copied()
    }
}

/// What an incremental check did.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub problems: Vec<PageProblem>,
    /// The pages read and parsed in this build.
    pub scanned: usize,
    pub cache: CheckCache,
}

/// Checks the HTML pages among `files` like [`check_pages`], but reads
/// only the pages in `written` (made in this build), pages `previous` knows
/// nothing of, pages that had problems (a new file may fix a link), and
/// pages whose links lead to a file in `removed` or to a page whose
/// fragments changed. The other pages' results come from `previous`.
pub fn check_pages_incremental(
    public_dir: &Path,
    files: &[PathBuf],
    written: &BTreeSet<PathBuf>,
    removed: &BTreeSet<PathBuf>,
    previous: &CheckCache,
    base_url: &str,
    lang: Lang,
) -> Checked {
    let pages: Vec<&PathBuf> = files.iter().filter(|f| is_html(f)).collect();
    let must_read = |p: &PathBuf| -> bool {
        match previous.pages.get(p) {
            None => true,
            Some(r) => written.contains(p) || !r.problems.is_empty(),
        }
    };
    // First round: pages made in this build or unknown.
    let mut fresh: BTreeMap<PathBuf, PageScan> = pages
        .par_iter()
        .filter(|p| must_read(p))
        .map(|rel| ((*rel).clone(), scan_page(public_dir, rel, lang)))
        .collect();
    // Files whose disappearance or new fragments can break other pages.
    let mut changed: BTreeSet<&Path> = removed.iter().map(PathBuf::as_path).collect();
    for (p, scan) in &fresh {
        if previous.pages.get(p).map(|r| &r.ids) != Some(&scan.ids) {
            changed.insert(p.as_path());
        }
    }
    if !changed.is_empty() {
        let hit: BTreeSet<u32> = previous
            .paths
            .iter()
            .enumerate()
            .filter(|(_, p)| changed.contains(p.as_path()))
            .map(|(i, _)| i as u32)
            .collect();
        let again: Vec<&PathBuf> = pages
            .iter()
            .copied()
            .filter(|p| !fresh.contains_key(*p))
            .filter(|p| {
                previous
                    .pages
                    .get(*p)
                    .is_some_and(|r| r.targets.iter().any(|t| hit.contains(t)))
            })
            .collect();
        let more: Vec<(PathBuf, PageScan)> = again
            .par_iter()
            .map(|rel| ((*rel).clone(), scan_page(public_dir, rel, lang)))
            .collect();
        fresh.extend(more);
    }

    let mut produced = Produced {
        files: files.iter().map(PathBuf::as_path).collect(),
        dirs: BTreeSet::new(),
        ids: BTreeMap::new(),
    };
    produced.dirs.insert(PathBuf::new());
    for f in files {
        let mut d = f.parent();
        while let Some(dir) = d {
            if dir.as_os_str().is_empty() || !produced.dirs.insert(dir.to_path_buf()) {
                break;
            }
            d = dir.parent();
        }
    }
    for p in &pages {
        let ids = match fresh.get(*p) {
            Some(scan) => Some(&scan.ids),
            None => previous.pages.get(*p).map(|r| &r.ids),
        };
        if let Some(ids) = ids {
            produced.ids.insert(p.as_path(), ids);
        }
    }

    // Links of the pages read now.
    let checked: Vec<(PathBuf, Vec<PageProblem>, BTreeSet<PathBuf>)> = fresh
        .par_iter()
        .map(|(page, scan)| {
            let mut out = scan.problems.clone();
            let mut targets = BTreeSet::new();
            for raw in &scan.links {
                match resolve_link(&produced, page, raw, base_url, lang) {
                    Ok(Some(t)) => {
                        targets.insert(t);
                    }
                    Ok(None) => {}
                    Err(p) => out.push(p),
                }
            }
            out.sort();
            out.dedup();
            (page.clone(), out, targets)
        })
        .collect();

    let mut cache = CheckCache::default();
    let mut index: BTreeMap<PathBuf, u32> = BTreeMap::new();
    let mut intern = |cache: &mut CheckCache, p: &Path| -> u32 {
        if let Some(i) = index.get(p) {
            return *i;
        }
        let i = cache.paths.len() as u32;
        cache.paths.push(p.to_path_buf());
        index.insert(p.to_path_buf(), i);
        i
    };
    let mut problems = Vec::new();
    let mut by_page: BTreeMap<PathBuf, (Vec<PageProblem>, BTreeSet<PathBuf>)> = checked
        .into_iter()
        .map(|(p, probs, t)| (p, (probs, t)))
        .collect();
    let scanned = by_page.len();
    for page in &pages {
        if let Some((probs, targets)) = by_page.remove(*page) {
            let ids = fresh.remove(*page).map(|s| s.ids).unwrap_or_default();
            let targets = targets.iter().map(|t| intern(&mut cache, t)).collect();
            let record = PageRecord {
                ids,
                targets,
                problems: probs.iter().map(CachedProblem::from).collect(),
            };
            problems.extend(probs);
            cache.pages.insert((*page).clone(), record);
        } else if let Some(old) = previous.pages.get(*page) {
            problems.extend(old.problems.iter().map(|p| p.restore(page)));
            let targets = old
                .targets
                .iter()
                .filter_map(|t| previous.paths.get(*t as usize))
                .map(|t| intern(&mut cache, t))
                .collect();
            cache.pages.insert(
                (*page).clone(),
                PageRecord {
                    ids: old.ids.clone(),
                    targets,
                    problems: old.problems.clone(),
                },
            );
        }
    }
    problems.sort();
    problems.dedup();
    Checked {
        problems,
        scanned,
        cache,
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
