//! Step 5: check the pages just written — every internal `href`/`src`/
//! `srcset` and `#fragment` resolves, every `img` has alt text, the HTML
//! parses. Works on the files in `public/`, exactly what a visitor gets.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use scraper::{Html, Selector};
use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::i18n::Message;
use crate::plumbing::paths::{self, PathKey, normalize};
use crate::plumbing::url::decode as percent_decode;

/// A problem of a page: a [`Diagnostic`] whose file is the page (relative
/// to `public/`) and whose target is the link or image that fails.
pub type PageProblem = Diagnostic;

/// Sorts problems by page, code and target, and drops repeats.
pub fn sort_problems(problems: &mut Vec<Diagnostic>) {
    problems.sort_by(|a, b| {
        (&a.file, a.code, &a.target, a.severity).cmp(&(&b.file, b.code, &b.target, b.severity))
    });
    problems.dedup();
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
pub fn check_pages(public_dir: &Path, files: &[PathBuf], base_url: &str) -> Vec<PageProblem> {
    let pages: Vec<&PathBuf> = files.iter().filter(|f| is_html(f)).collect();
    let scans: BTreeMap<PathBuf, PageScan> = pages
        .par_iter()
        .map(|rel| ((*rel).clone(), scan_page(public_dir, rel)))
        .collect();

    let mut problems: Vec<PageProblem> = scans
        .par_iter()
        .flat_map_iter(|(page, scan)| {
            let mut out = scan.problems.clone();
            for target in &scan.links {
                if let Some(p) = check_link(public_dir, page, target, base_url, &scans) {
                    out.push(p);
                }
            }
            out
        })
        .collect();
    sort_problems(&mut problems);
    problems
}

fn is_html(path: &Path) -> bool {
    matches!(paths::extension(path), Some(b"html" | b"htm"))
}

static SEL_IDS: once_cell::sync::Lazy<Selector> =
    once_cell::sync::Lazy::new(|| Selector::parse("[id], a[name]").expect("selector"));
static SEL_LINKS: once_cell::sync::Lazy<Selector> = once_cell::sync::Lazy::new(|| {
    Selector::parse("a[href], link[href], area[href], img, source[src], source[srcset], script[src], video[src], video[poster], audio[src], iframe[src]")
        .expect("selector")
});

fn scan_page(public_dir: &Path, rel: &Path) -> PageScan {
    let mut scan = PageScan::default();
    let text = match std::fs::read(public_dir.join(rel)) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            scan.problems.push(problem(
                Severity::Error,
                Code::UnreadablePage,
                rel,
                None,
                Message::new("pages.unreadable").arg("error", e),
            ));
            return scan;
        }
    };
    let html = Html::parse_document(&text);
    for err in html.errors.iter().take(5) {
        scan.problems.push(problem(
            Severity::Error,
            Code::HtmlParse,
            rel,
            None,
            Message::new("pages.html_parse").arg("error", err),
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
                    Code::MissingAlt,
                    rel,
                    Some(src),
                    Message::new("pages.missing_alt"),
                )),
                Some(alt) if alt.trim().is_empty() && v.attr("role") != Some("presentation") => {
                    scan.problems.push(problem(
                        Severity::Warning,
                        Code::EmptyAlt,
                        rel,
                        Some(src),
                        Message::new("pages.empty_alt"),
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
    code: Code,
    page: &Path,
    target: Option<String>,
    message: Message,
) -> PageProblem {
    let d = match severity {
        Severity::Error => Diagnostic::error(code, message),
        Severity::Warning => Diagnostic::warning(code, message),
    };
    let d = d.in_file(page);
    match target {
        Some(t) => d.about(t),
        None => d,
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
) -> Option<PageProblem> {
    let files = OnDisk { public_dir, scans };
    resolve_link(&files, page, raw, base_url).err().map(|p| *p)
}

/// Resolves one link of `page`: `Ok(Some(file))` for the file it leads to,
/// `Ok(None)` when it is not ours to check, `Err` when it is broken.
fn resolve_link(
    files: &dyn Files,
    page: &Path,
    raw: &str,
    base_url: &str,
) -> Result<Option<PathBuf>, Box<PageProblem>> {
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
    let broken = |code: Code, key: &str| {
        Err(Box::new(problem(
            Severity::Error,
            code,
            page,
            Some(raw.to_string()),
            Message::new(key).arg("target", raw),
        )))
    };

    let target_page: PathBuf = if path_part.is_empty() {
        page.to_path_buf()
    } else {
        let Some(decoded) = percent_decode(path_part) else {
            return broken(Code::BrokenLink, "pages.broken_link");
        };
        let joined = if let Some(abs) = decoded.strip_prefix('/') {
            PathBuf::from(abs)
        } else {
            page.parent().unwrap_or(Path::new("")).join(&decoded)
        };
        let Some(normal) = normalize(&joined) else {
            return broken(Code::BrokenLink, "pages.broken_link");
        };
        if files.is_dir(&normal) {
            if !decoded.ends_with('/') && !decoded.is_empty() {
                // A server redirects `/a` to `/a/`; accept it like a browser would.
            }
            let index = normal.join("index.html");
            if !files.is_file(&index) {
                return broken(Code::BrokenLink, "pages.broken_link");
            }
            index
        } else if files.is_file(&normal) {
            normal
        } else {
            return broken(Code::BrokenLink, "pages.broken_link");
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
                broken(Code::MissingFragment, "pages.missing_fragment")
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
    /// Sets of fragment ids, each stored once (most pages offer the
    /// theme's): a build reads this cache whole, and a few strings per
    /// page were most of reading it.
    id_sets: Vec<BTreeSet<String>>,
    pages: HashMap<PathKey, PageRecord>,
}

impl CheckCache {
    /// The fragment ids a page offered when it was last read.
    fn ids(&self, page: &Path) -> Option<&BTreeSet<String>> {
        let record = self.pages.get(paths::key(page))?;
        self.id_sets.get(record.ids as usize)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
struct PageRecord {
    /// Index into `CheckCache::id_sets`.
    ids: u32,
    /// Indexes into `CheckCache::paths`.
    targets: Vec<u32>,
    problems: Vec<Diagnostic>,
}

/// The build's files in memory: `public/` holds exactly these once stale
/// files are removed. Nothing is built per file: a link is looked up in
/// the sorted list, so a build that reads one page does not pay for the
/// tens of thousands it did not read.
struct Produced<'a> {
    /// Sorted by bytes, so a folder's files are next to each other.
    files: std::borrow::Cow<'a, [PathBuf]>,
    fresh: &'a BTreeMap<PathBuf, PageScan>,
    previous: &'a CheckCache,
}

impl Files for Produced<'_> {
    fn is_dir(&self, rel: &Path) -> bool {
        let bytes = rel.as_os_str().as_encoded_bytes();
        if bytes.is_empty() {
            return true;
        }
        let mut prefix = bytes.to_vec();
        prefix.push(b'/');
        let at = self
            .files
            .partition_point(|f| f.as_os_str().as_encoded_bytes() < &prefix[..]);
        self.files
            .get(at)
            .is_some_and(|f| f.as_os_str().as_encoded_bytes().starts_with(&prefix))
    }
    fn is_file(&self, rel: &Path) -> bool {
        self.files
            .binary_search_by(|f| f.as_os_str().cmp(rel.as_os_str()))
            .is_ok()
    }
    fn ids(&self, page: &Path) -> Option<&BTreeSet<String>> {
        match self.fresh.get(page) {
            Some(scan) => Some(&scan.ids),
            None => self.previous.ids(page),
        }
    }
}

/// What an incremental check did.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub problems: Vec<PageProblem>,
    /// The pages read and parsed in this build.
    pub scanned: usize,
    pub cache: CheckCache,
    /// Whether `cache` differs from the one given: after most edits the
    /// pages read again say what they said before, and the cache saved
    /// need not be written again.
    pub changed: bool,
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
    previous: CheckCache,
    base_url: &str,
) -> Checked {
    let pages: Vec<&PathBuf> = files.iter().filter(|f| is_html(f)).collect();
    let fresh = scan_needed(public_dir, &pages, written, removed, &previous);
    let produced = Produced::new(files, &fresh, &previous);
    // Links of the pages read now.
    let checked: BTreeMap<PathBuf, (Vec<PageProblem>, BTreeSet<PathBuf>)> = fresh
        .par_iter()
        .map(|(page, scan)| {
            let mut out = scan.problems.clone();
            let mut targets = BTreeSet::new();
            for raw in &scan.links {
                match resolve_link(&produced, page, raw, base_url) {
                    Ok(Some(t)) => {
                        targets.insert(t);
                    }
                    Ok(None) => {}
                    Err(p) => out.push(*p),
                }
            }
            sort_problems(&mut out);
            (page.clone(), (out, targets))
        })
        .collect();
    let scanned = checked.len();
    let (problems, cache, changed) = remember(&pages, checked, fresh, previous);
    Checked {
        problems,
        scanned,
        cache,
        changed,
    }
}

/// The pages to read again: those written in this build, those `previous`
/// knows nothing of or that had problems (a new file may fix a link), then
/// those whose links lead to a removed file or to a page whose fragments
/// changed.
fn scan_needed(
    public_dir: &Path,
    pages: &[&PathBuf],
    written: &BTreeSet<PathBuf>,
    removed: &BTreeSet<PathBuf>,
    previous: &CheckCache,
) -> BTreeMap<PathBuf, PageScan> {
    let must_read = |p: &PathBuf| -> bool {
        match previous.pages.get(paths::key(p)) {
            None => true,
            Some(r) => written.contains(p) || !r.problems.is_empty(),
        }
    };
    let mut fresh: BTreeMap<PathBuf, PageScan> = pages
        .par_iter()
        .filter(|p| must_read(p))
        .map(|rel| ((*rel).clone(), scan_page(public_dir, rel)))
        .collect();
    // Files whose disappearance or new fragments can break other pages.
    let mut changed: BTreeSet<&Path> = removed.iter().map(PathBuf::as_path).collect();
    for (p, scan) in &fresh {
        if previous.ids(p) != Some(&scan.ids) {
            changed.insert(p.as_path());
        }
    }
    if changed.is_empty() {
        return fresh;
    }
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
                .get(paths::key(p))
                .is_some_and(|r| r.targets.iter().any(|t| hit.contains(t)))
        })
        .collect();
    let more: Vec<(PathBuf, PageScan)> = again
        .par_iter()
        .map(|rel| ((*rel).clone(), scan_page(public_dir, rel)))
        .collect();
    fresh.extend(more);
    fresh
}

impl<'a> Produced<'a> {
    /// The files of the build (sorted by bytes here unless they already
    /// are, as a build gives them) and every page's fragments (read now,
    /// or remembered).
    fn new(
        files: &'a [PathBuf],
        fresh: &'a BTreeMap<PathBuf, PageScan>,
        previous: &'a CheckCache,
    ) -> Produced<'a> {
        let files = if paths::sorted_by_bytes(files) {
            std::borrow::Cow::Borrowed(files)
        } else {
            let mut own = files.to_vec();
            paths::sort_by_bytes(&mut own);
            std::borrow::Cow::Owned(own)
        };
        Produced {
            files,
            fresh,
            previous,
        }
    }
}

/// Every page's problems — checked now, or remembered — and the cache for
/// the next build, made from `previous` in place: the records of pages not
/// read again are neither copied nor moved.
fn remember(
    pages: &[&PathBuf],
    checked: BTreeMap<PathBuf, (Vec<PageProblem>, BTreeSet<PathBuf>)>,
    mut fresh: BTreeMap<PathBuf, PageScan>,
    previous: CheckCache,
) -> (Vec<PageProblem>, CheckCache, bool) {
    // The previous table of link targets is kept as it is, so a page not
    // read again keeps its record untouched; new targets are appended. A
    // table grown to twice what the pages use is rebuilt.
    let mut cache = previous;
    let mut changed = false;
    let known = cache.paths.len() as u32;
    let mut added: Vec<PathBuf> = Vec::new();
    let known_sets = cache.id_sets.len() as u32;
    let mut new_sets: HashMap<BTreeSet<String>, u32> = HashMap::default();
    let mut records = Vec::with_capacity(checked.len());
    {
        // By the paths' bytes: hashing thousands of paths component by
        // component was most of what checking one page again cost.
        let index: HashMap<&[u8], u32> = if checked.is_empty() {
            HashMap::default()
        } else {
            (cache.paths.iter())
                .enumerate()
                .map(|(i, p)| (p.as_os_str().as_encoded_bytes(), i as u32))
                .collect()
        };
        let mut new_index: HashMap<PathBuf, u32> = HashMap::default();
        let mut intern = |p: &Path| -> u32 {
            let old = index.get(p.as_os_str().as_encoded_bytes());
            if let Some(i) = old.or_else(|| new_index.get(p)) {
                return *i;
            }
            let i = known + added.len() as u32;
            added.push(p.to_path_buf());
            new_index.insert(p.to_path_buf(), i);
            i
        };
        let set_index: HashMap<&BTreeSet<String>, u32> = if checked.is_empty() {
            HashMap::default()
        } else {
            (cache.id_sets.iter())
                .enumerate()
                .map(|(i, s)| (s, i as u32))
                .collect()
        };
        for (page, (probs, targets)) in checked {
            let ids = fresh.remove(&page).map(|s| s.ids).unwrap_or_default();
            let ids = match set_index.get(&ids).or_else(|| new_sets.get(&ids)) {
                Some(i) => *i,
                None => {
                    let i = known_sets + new_sets.len() as u32;
                    new_sets.insert(ids, i);
                    i
                }
            };
            let targets = targets.iter().map(|t| intern(t)).collect();
            let record = PageRecord {
                ids,
                targets,
                problems: probs,
            };
            changed |= cache.pages.get(paths::key(&page)) != Some(&record);
            records.push((PathKey::from(page), record));
        }
    }
    changed |= !added.is_empty() || !new_sets.is_empty();
    cache.paths.extend(added);
    let mut new_sets: Vec<(BTreeSet<String>, u32)> = new_sets.into_iter().collect();
    new_sets.sort_unstable_by_key(|(_, i)| *i);
    cache.id_sets.extend(new_sets.into_iter().map(|(s, _)| s));
    cache.pages.extend(records);
    // Pages gone since (a deleted item's) are forgotten. Every page has a
    // record now: one not known before was read.
    if cache.pages.len() != pages.len() {
        let keep: HashSet<&[u8]> = pages.iter().map(|p| paths::key(p)).collect();
        cache.pages.retain(|p, _| keep.contains(paths::key(p)));
        changed = true;
    }
    let mut problems: Vec<PageProblem> = (cache.pages.values())
        .flat_map(|r| r.problems.iter().cloned())
        .collect();
    changed |= compact(&mut cache);
    sort_problems(&mut problems);
    (problems, cache, changed)
}

/// Drops the link targets and id sets no page uses any more, each table
/// when its unused entries are as many as those in use. Returns whether it
/// did.
fn compact(cache: &mut CheckCache) -> bool {
    let mut used_paths = vec![false; cache.paths.len()];
    let mut used_sets = vec![false; cache.id_sets.len()];
    for r in cache.pages.values() {
        for t in &r.targets {
            if let Some(u) = used_paths.get_mut(*t as usize) {
                *u = true;
            }
        }
        if let Some(u) = used_sets.get_mut(r.ids as usize) {
            *u = true;
        }
    }
    let paths = renumbering(&used_paths);
    let sets = renumbering(&used_sets);
    if paths.is_none() && sets.is_none() {
        return false;
    }
    let new_index = |table: &Option<Vec<u32>>, i: &mut u32| {
        if let Some(new) = table {
            *i = new.get(*i as usize).copied().unwrap_or(u32::MAX);
        }
    };
    for r in cache.pages.values_mut() {
        r.targets.iter_mut().for_each(|t| new_index(&paths, t));
        new_index(&sets, &mut r.ids);
    }
    if paths.is_some() {
        keep_used(&mut cache.paths, &used_paths);
    }
    if sets.is_some() {
        keep_used(&mut cache.id_sets, &used_sets);
    }
    true
}

/// Each entry's new index once the unused ones go (see [`compact`]), when
/// they are worth dropping.
fn renumbering(used: &[bool]) -> Option<Vec<u32>> {
    let in_use = used.iter().filter(|u| **u).count();
    if used.len() <= 2 * in_use.max(64) {
        return None;
    }
    let mut next = 0u32;
    let new = used.iter().map(|&u| {
        next += u32::from(u);
        if u { next - 1 } else { u32::MAX }
    });
    Some(new.collect())
}

/// Keeps the entries of `table` marked in `used`.
fn keep_used<T>(table: &mut Vec<T>, used: &[bool]) {
    let mut used = used.iter();
    table.retain(|_| used.next().copied().unwrap_or(false));
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
    fn a_page_read_again_that_says_the_same_leaves_the_cache_as_it_was() {
        let (dir, files) = site(&[
            ("index.html", &page(r#"<a href="/a/">a</a>"#)),
            ("a/index.html", &page(r#"<h2 id="x">x</h2>"#)),
        ]);
        let check = |written: &[&str], previous: CheckCache| {
            let written = written.iter().map(PathBuf::from).collect();
            let none = BTreeSet::new();
            check_pages_incremental(dir.path(), &files, &written, &none, previous, "/")
        };
        let first = check(&["index.html", "a/index.html"], CheckCache::default());
        assert!(first.changed);
        let same = check(&["a/index.html"], first.cache);
        assert!(same.scanned >= 1 && !same.changed);
        // Another link, or another problem: changed.
        std::fs::write(
            dir.path().join("index.html"),
            page(r#"<a href="/b/">b</a>"#),
        )
        .unwrap();
        let other = check(&["index.html"], same.cache);
        assert!(other.changed && !other.problems.is_empty());
    }

    #[test]
    fn pages_share_their_id_sets_and_unused_ones_are_dropped() {
        let mut files = vec![(
            "index.html".to_string(),
            page(r##"<a href="/p0/#k">a</a>"##),
        )];
        for i in 0..200 {
            files.push((format!("p{i}/index.html"), page(r#"<main id="k">x</main>"#)));
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let (dir, rels) = site(&refs);
        let none = BTreeSet::new();
        let all: BTreeSet<PathBuf> = rels.iter().cloned().collect();
        let first =
            check_pages_incremental(dir.path(), &rels, &all, &none, CheckCache::default(), "/");
        assert!(first.problems.is_empty());
        // The 200 pages offer one set; the home page none.
        assert_eq!(first.cache.id_sets.len(), 2);
        // Each page rewritten with its own ids: 200 new sets, the fragment
        // link still resolves, and the old shared set stays until the
        // unused sets are as many as those in use.
        for i in 0..200 {
            let p = dir.path().join(format!("p{i}/index.html"));
            std::fs::write(
                p,
                page(&format!(r#"<main id="k{i}">x</main><p id="k">y</p>"#)),
            )
            .unwrap();
        }
        let mut again = check_pages_incremental(dir.path(), &rels, &all, &none, first.cache, "/");
        assert!(again.problems.is_empty());
        assert_eq!(again.cache.id_sets.len(), 202);
        let ids = again.cache.ids(Path::new("p7/index.html")).unwrap();
        assert!(ids.contains("k7") && ids.contains("k"));
        // 300 sets no page uses: dropped, every page's ids as they were.
        let unused = (0..300).map(|i| BTreeSet::from([format!("gone{i}")]));
        again.cache.id_sets.extend(unused);
        assert!(compact(&mut again.cache));
        assert_eq!(again.cache.id_sets.len(), 201);
        let ids = again.cache.ids(Path::new("p7/index.html")).unwrap();
        assert!(ids.contains("k7") && ids.contains("k"));
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
        let problems = check_pages(dir.path(), &files, "https://site.go.th/");
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
        let problems = check_pages(dir.path(), &files, "https://site.go.th/");
        let got: Vec<(&str, Option<&str>)> = problems
            .iter()
            .map(|p| (p.code.as_str(), p.target.as_deref()))
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
        assert!(
            problems
                .iter()
                .all(|p| p.file.as_deref() == Some(Path::new("index.html")))
        );
    }

    #[test]
    fn escaping_public_is_broken() {
        let (dir, files) = site(&[("index.html", &page(r#"<a href="../../etc/passwd">x</a>"#))]);
        let problems = check_pages(dir.path(), &files, "https://site.go.th/");
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn thai_paths_are_decoded() {
        let (dir, files) = site(&[
            ("index.html", &page(r#"<a href="/%E0%B8%82/">x</a>"#)),
            ("ข/index.html", &page("")),
        ]);
        assert!(check_pages(dir.path(), &files, "https://s/").is_empty());
    }
}
