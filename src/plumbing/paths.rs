//! The folders of a site and the paths inside them: where each thing lives,
//! which names are safe, and the address a source or output file has.

use std::path::{Component, Path, PathBuf};

/// The pages and published news.
pub const CONTENT_DIR: &str = "content";
/// The shared drop folder of publicity requests.
pub const REQUESTS_DIR: &str = "requests";
/// The office's records of the service (committed, never published).
pub const RECORDS_DIR: &str = "records";
/// The build output.
pub const PUBLIC_DIR: &str = "public";
/// khao's own folder: caches, browser screenshots, the example's local
/// deploy target. Deleting it loses nothing but time.
pub const KHAO_DIR: &str = ".khao";

/// Sorts paths by their bytes and drops repeats. Not by components, as
/// `Ord for Path` does: with tens of thousands of a build's files,
/// comparing component by component was the largest single cost of a
/// one-edit build. A folder's files stay next to each other.
pub fn sort_by_bytes(paths: &mut Vec<PathBuf>) {
    sort_by_path_bytes(paths, |p| p);
}

/// [`sort_by_bytes`] for items that each name a path: of two items with
/// one path, the first stays. A stable sort, on both cores (a build's list
/// is tens of thousands of paths, and the other core waits for it), which
/// merges runs already in order: a build's list is a few such runs (pages,
/// photos, the search index) put end to end.
pub fn sort_by_path_bytes<T: Send>(items: &mut Vec<T>, path: impl Fn(&T) -> &Path + Sync) {
    use rayon::slice::ParallelSliceMut;
    items.par_sort_by(|a, b| path(a).as_os_str().cmp(path(b).as_os_str()));
    items.dedup_by(|later, first| path(later).as_os_str() == path(first).as_os_str());
}

/// Whether `paths` are as [`sort_by_bytes`] leaves them.
pub fn sorted_by_bytes(paths: &[PathBuf]) -> bool {
    paths
        .windows(2)
        .all(|w| w[0].as_os_str() < w[1].as_os_str())
}

/// A path as a hash-map key, hashed and compared as its bytes. The
/// standard library hashes and compares a `Path` component by component
/// (so that `a//b` is `a/b`): a one-edit build of a thousand news items
/// spent a seventh of its work per item doing that in its maps of
/// sources, outputs and photos. Khao's keys are paths it made or
/// normalised itself, where bytes and components agree. Looked up by
/// [`key`], without a copy. Written as the path it holds.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct PathKey(PathBuf);

/// The bytes a [`PathKey`] of `path` is found by.
pub fn key(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

impl PathKey {
    pub fn as_path(&self) -> &Path {
        &self.0
    }
}

impl PartialEq for PathKey {
    fn eq(&self, other: &Self) -> bool {
        key(&self.0) == key(&other.0)
    }
}

impl Eq for PathKey {}

impl std::hash::Hash for PathKey {
    // As `[u8]` hashes, so that `Borrow<[u8]>` finds it.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        key(&self.0).hash(state);
    }
}

impl std::borrow::Borrow<[u8]> for PathKey {
    fn borrow(&self) -> &[u8] {
        key(&self.0)
    }
}

impl std::ops::Deref for PathKey {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl std::fmt::Debug for PathKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<PathBuf> for PathKey {
    fn from(path: PathBuf) -> PathKey {
        PathKey(path)
    }
}

impl From<&Path> for PathKey {
    fn from(path: &Path) -> PathKey {
        PathKey(path.to_path_buf())
    }
}

/// A cache of khao's inside the site folder: `.khao/cache/<what>`
/// (`""` for the cache folder itself).
pub fn cache_dir(site_dir: &Path, what: &str) -> PathBuf {
    let dir = site_dir.join(KHAO_DIR).join("cache");
    if what.is_empty() { dir } else { dir.join(what) }
}

/// Resolves `.` and `..` without touching the disk; `None` when the path
/// climbs above its start (or above the root).
pub fn normalize(path: &Path) -> Option<PathBuf> {
    if is_plain(path) {
        return Some(path.to_path_buf());
    }
    let mut out = PathBuf::new();
    let mut depth = 0usize;
    for c in path.components() {
        match c {
            Component::Normal(p) => {
                out.push(p);
                depth += 1;
            }
            Component::CurDir => {}
            Component::ParentDir => {
                if depth == 0 {
                    return None;
                }
                out.pop();
                depth -= 1;
            }
            Component::RootDir | Component::Prefix(_) => out.push(c.as_os_str()),
        }
    }
    Some(out)
}

/// A file name as staff write it that stays inside its folder: not
/// absolute, no `..`, no drive letter or backslash.
pub fn is_safe_relative(name: &str) -> bool {
    let name = name.trim();
    !name.is_empty()
        && !name.contains('\\')
        && !name.contains(':')
        && Path::new(name)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// A path with `/` between its parts, whatever the platform.
pub fn slash(p: &Path) -> String {
    if is_plain(p)
        && let Some(s) = p.to_str()
    {
        return s.to_string();
    }
    let mut out = String::with_capacity(p.as_os_str().len());
    for (i, c) in p.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&c.as_os_str().to_string_lossy());
    }
    out
}

/// Whether `path` is relative and already plain: no `.`, `..` or empty
/// part (`a//b`, a trailing `/`). Then its parts are its bytes between
/// slashes, and [`normalize`] and [`slash`], asked of every file of a
/// build, need not take it apart.
fn is_plain(path: &Path) -> bool {
    !path.as_os_str().as_encoded_bytes().starts_with(b"/") && is_clean(path)
}

/// [`Path::parent`], found by the last slash when `path` is clean (see
/// [`is_clean`]): asked of every photo and page of a build, parsing
/// components from the end was a measurable part of a one-edit build.
pub fn parent(path: &Path) -> Option<&Path> {
    match path.to_str() {
        Some(s) if is_clean(path) => Some(Path::new(match s.rfind('/') {
            Some(0) => "/",
            Some(i) => &s[..i],
            None => "",
        })),
        _ => path.parent(),
    }
}

/// [`Path::file_name`], as [`parent`] finds it.
pub fn file_name(path: &Path) -> Option<&str> {
    match path.to_str() {
        Some(s) if is_clean(path) => s.rsplit('/').next(),
        _ => path.file_name().and_then(|n| n.to_str()),
    }
}

/// [`Path::file_stem`] of a file name: before its last dot, unless that
/// leaves nothing (`.hidden`).
pub fn file_stem(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() && name != ".." => stem,
        _ => name,
    }
}

/// Whether `path` is plain (see [`is_plain`]) but for a leading `/`.
fn is_clean(path: &Path) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    let rest = bytes.strip_prefix(b"/").unwrap_or(bytes);
    cfg!(unix)
        && !rest.is_empty()
        && (rest.split(|&b| b == b'/')).all(|part| !matches!(part, b"" | b"." | b".."))
}

/// `path` relative to `base` when it is inside it, else as it is.
pub fn relative_to(base: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(base).unwrap_or(path).to_path_buf()
}

/// Whether the extension of `path` is one of `extensions` (lower case,
/// without the dot), in any case. No lower-case copy is made: asked of
/// every file of a build.
pub fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    extension(path)
        .is_some_and(|e| (extensions.iter()).any(|x| e.eq_ignore_ascii_case(x.as_bytes())))
}

/// The extension in lower case, without the dot (`""` when there is none).
pub fn ext_lower(path: &Path) -> String {
    extension(path)
        .map(|e| String::from_utf8_lossy(e).to_lowercase())
        .unwrap_or_default()
}

/// The bytes of the extension [`Path::extension`] finds, found without
/// parsing the path into components: asked of every file of a build, that
/// parsing was a measurable part of a build after one edit.
pub fn extension(path: &Path) -> Option<&[u8]> {
    let bytes = path.as_os_str().as_encoded_bytes();
    let end = bytes.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
    let start = bytes[..end]
        .iter()
        .rposition(|&b| b == b'/')
        .map_or(0, |i| i + 1);
    let name = &bytes[start..end];
    if cfg!(windows) || matches!(name, b"" | b"." | b"..") {
        // Where components matter: leave it to the standard library.
        return path.extension().map(|e| e.as_encoded_bytes());
    }
    let dot = name.iter().rposition(|&b| b == b'.')?;
    (dot > 0).then(|| &name[dot + 1..])
}

/// The site path of a content file: `a/b.md` → `/a/b/`, `a/_index.md` and
/// `a/index.md` → `/a/`, `index.md` → `/`.
pub fn source_url(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    if let Some(last) = parts.pop() {
        let stem = Path::new(&last)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if stem != "index" && stem != "_index" {
            parts.push(stem);
        }
    }
    if parts.is_empty() {
        "/".to_string()
    } else {
        format!("/{}/", parts.join("/"))
    }
}

/// The address a visitor opens for an output file: `news/a/index.html` →
/// `/news/a/`, `404.html` → `/404.html`.
pub fn output_url(rel: &Path) -> String {
    let s = slash(rel);
    match s.strip_suffix("index.html") {
        Some(dir) => format!("/{dir}"),
        None => format!("/{s}"),
    }
}

/// The output file of a page address: `/news/` → `news/index.html`.
pub fn html_path(url: &str) -> PathBuf {
    let rel = url.trim_start_matches('/');
    PathBuf::from(format!("{rel}index.html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_and_file_name_are_the_standard_librarys() {
        for p in [
            "a",
            "a/b",
            "a/b.jpg",
            "/a",
            "/a/b/c.d.e",
            "/",
            "",
            ".",
            "..",
            "a/.",
            "a/..",
            "a//b",
            "a/b/",
            "./a",
            "ข่าว/รูป.jpg",
            ".hidden",
            "a/.hidden",
            "x.",
            "/x/y.",
        ] {
            let p = Path::new(p);
            assert_eq!(parent(p), p.parent(), "{p:?}");
            assert_eq!(
                file_name(p),
                p.file_name().and_then(|n| n.to_str()),
                "{p:?}"
            );
            if let Some(name) = file_name(p) {
                assert_eq!(
                    Some(file_stem(name)),
                    p.file_stem().and_then(|n| n.to_str()),
                    "{p:?}"
                );
            }
        }
    }

    #[test]
    fn a_path_key_is_found_by_its_bytes() {
        let mut map: rustc_hash::FxHashMap<PathKey, u8> = Default::default();
        map.insert(PathBuf::from("news/2024/x/a.jpg").into(), 1);
        map.insert(Path::new("ข่าว/รูป.jpg").into(), 2);
        assert_eq!(map.get(key(Path::new("news/2024/x/a.jpg"))), Some(&1));
        assert_eq!(map.get(key(Path::new("ข่าว/รูป.jpg"))), Some(&2));
        assert_eq!(map.get(key(Path::new("news/2024/x"))), None);
        let k = PathKey::from(PathBuf::from("a/b"));
        assert_eq!(
            rmp_serde::to_vec(&k).unwrap(),
            rmp_serde::to_vec(&PathBuf::from("a/b")).unwrap()
        );
        assert_eq!(k.as_path(), Path::new("a/b"));
    }

    #[test]
    fn extension_is_the_standard_librarys() {
        for p in [
            "a.html",
            "news/2024/x/index.html",
            "a/b.tar.gz",
            ".hidden",
            "a/.hidden",
            "a/.hidden.md",
            "noext",
            "dir/noext",
            "a.",
            "a/b.",
            "dir/",
            "a.md/",
            "a.md//",
            ".",
            "..",
            "a/..",
            "a/.",
            "a.txt/.",
            "",
            "/",
            "ข่าว/รูป.JPG",
            "a..b",
            "/abs/x.pdf",
        ] {
            let path = Path::new(p);
            let std = path.extension().map(|e| e.as_encoded_bytes());
            assert_eq!(extension(path), std, "{p}");
        }
        assert_eq!(ext_lower(Path::new("รูป/IMG_1.JPEG")), "jpeg");
        assert_eq!(ext_lower(Path::new("README")), "");
        assert!(has_extension(Path::new("รูป/IMG_1.JPEG"), &["jpg", "jpeg"]));
        assert!(has_extension(Path::new("a/b.Md"), &["md"]));
        assert!(!has_extension(Path::new("a/b.mdx"), &["md"]));
        assert!(!has_extension(Path::new("README"), &["md"]));
        assert!(!has_extension(Path::new("a/.md"), &["md"]));
    }

    #[test]
    fn plain_paths_are_taken_as_they_are() {
        for p in [
            "news/2026/a/index.html",
            "รูป.JPG",
            "a..b/c",
            ".hidden/x",
            "a/.b",
            "a/./b",
            "./a",
            "a/../b",
            "a//b",
            "a/b/",
            "/srv/a",
            "..",
            "",
        ] {
            // What taking it apart would give.
            let path = Path::new(p);
            let parts: PathBuf = path.components().collect();
            if is_plain(path) {
                assert!(path.components().all(|c| matches!(c, Component::Normal(_))));
                assert_eq!(normalize(path), Some(parts), "{p}");
                assert_eq!(slash(path), p);
            }
        }
        assert!(is_plain(Path::new("news/2026/a/index.html")));
        assert!(!is_plain(Path::new("a//b")) && !is_plain(Path::new("./a")));
        assert!(!is_plain(Path::new("/srv/a")) && !is_plain(Path::new("a/")));
    }

    #[test]
    fn slash_joins_the_parts_as_they_are() {
        assert_eq!(slash(Path::new("")), "");
        assert_eq!(slash(Path::new("news/2026/a")), "news/2026/a");
        assert_eq!(slash(Path::new("news//2026/./a/")), "news/2026/a");
        assert_eq!(slash(Path::new("./a")), "./a");
        assert_eq!(slash(Path::new("/srv/a")), "//srv/a");
    }

    #[test]
    fn source_and_output_urls() {
        assert_eq!(source_url(Path::new("index.md")), "/");
        assert_eq!(source_url(Path::new("about/_index.md")), "/about/");
        assert_eq!(source_url(Path::new("about/index.md")), "/about/");
        assert_eq!(source_url(Path::new("about/history.md")), "/about/history/");
        assert_eq!(output_url(Path::new("news/a/index.html")), "/news/a/");
        assert_eq!(output_url(Path::new("index.html")), "/");
        assert_eq!(output_url(Path::new("404.html")), "/404.html");
        assert_eq!(html_path("/news/"), PathBuf::from("news/index.html"));
        assert_eq!(html_path("/"), PathBuf::from("index.html"));
    }

    #[test]
    fn safe_paths_and_normalisation() {
        assert!(is_safe_relative("photo1.jpg"));
        assert!(is_safe_relative("คำสั่ง.pdf"));
        assert!(!is_safe_relative("../x.jpg"));
        assert!(!is_safe_relative("/etc/passwd"));
        assert!(!is_safe_relative("C:\\x.jpg"));
        assert_eq!(
            normalize(Path::new("a/./b/../c")),
            Some(PathBuf::from("a/c"))
        );
        assert_eq!(normalize(Path::new("a/../../c")), None);
        assert_eq!(
            normalize(Path::new("/a/../etc")),
            Some(PathBuf::from("/etc"))
        );
        assert_eq!(normalize(Path::new("/..")), None);
    }
}
