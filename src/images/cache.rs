//! The processed-photo cache: `<cache_dir>/<ab>/<key>-<width>.<ext>` plus a
//! small manifest `<key>.json` written last, so an entry is complete exactly
//! when its manifest exists and names files that exist. The key is a hash of
//! the source bytes and everything that changes the output, so an unchanged
//! photo is never processed twice and a changed setting never reuses old
//! files. Every file is written to a temporary name and renamed, so a killed
//! build never leaves half a file behind.

use crate::plumbing::fs::{SETTLED_NS, Stamp, temp_beside, write_atomic};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::resize::{ALGORITHM_VERSION, OutKind, Rendered};

/// The hash of a source file's bytes.
pub(crate) fn source_hash(source: &[u8]) -> String {
    blake3::hash(source).to_hex().to_string()
}

/// The cache key of a photo (given by the hash of its bytes) processed with
/// these settings.
pub(crate) fn key(source_hash: &str, widths: &[u32], quality: u8) -> String {
    let mut widths = widths.to_vec();
    widths.sort_unstable();
    widths.dedup();
    let mut h = blake3::Hasher::new();
    h.update(b"khao-images\0");
    h.update(&ALGORITHM_VERSION.to_le_bytes());
    h.update(&(widths.len() as u64).to_le_bytes());
    for w in &widths {
        h.update(&w.to_le_bytes());
    }
    h.update(&[quality]);
    h.update(source_hash.as_bytes());
    h.finalize().to_hex()[..40].to_string()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SourceEntry {
    pub stamp: Stamp,
    pub hash: String,
    /// When the hash was taken. A file changed within a moment of that may
    /// have been changed again within the same timestamp tick, so its entry
    /// is trusted only once it is older than that (as git does).
    pub hashed_ns: i128,
}

/// Source path → the hash of its bytes, kept in `<cache_dir>/sources.json`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SourceIndex {
    pub version: u32,
    pub entries: std::collections::BTreeMap<String, SourceEntry>,
}

impl Default for SourceIndex {
    fn default() -> Self {
        SourceIndex {
            version: INDEX_VERSION,
            entries: Default::default(),
        }
    }
}

const INDEX_VERSION: u32 = 1;

impl SourceIndex {
    fn path(cache_dir: &Path) -> PathBuf {
        cache_dir.join("sources.json")
    }

    /// The saved index, or an empty one if there is none or it is unreadable.
    pub fn load(cache_dir: &Path) -> SourceIndex {
        fs::read(Self::path(cache_dir))
            .ok()
            .and_then(|b| serde_json::from_slice::<SourceIndex>(&b).ok())
            .filter(|i| i.version == INDEX_VERSION)
            .unwrap_or_default()
    }

    /// The known hash of `path` if the file is unchanged since it was taken.
    pub fn hash(&self, path: &str, stamp: &Stamp) -> Option<&str> {
        let e = self.entries.get(path)?;
        (e.stamp == *stamp && e.stamp.settled_before(e.hashed_ns - SETTLED_NS))
            .then_some(e.hash.as_str())
    }

    pub fn save(&self, cache_dir: &Path) -> io::Result<()> {
        fs::create_dir_all(cache_dir)?;
        let json = serde_json::to_vec(self).map_err(io::Error::other)?;
        write_atomic(&Self::path(cache_dir), &json)
    }
}

/// What a complete cache entry holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Manifest {
    pub ext: String,
    /// `(width, height)` of each variant, smallest first.
    pub variants: Vec<(u32, u32)>,
    /// The byte length of each variant, in the same order: a file cut
    /// short (a full disk, or a published copy edited by hand, which is
    /// the same file as the cache's) is not taken for the photo. Empty in
    /// entries made before it was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bytes: Vec<u64>,
}

fn entry_dir(cache_dir: &Path, key: &str) -> PathBuf {
    cache_dir.join(&key[..2])
}

pub(crate) fn variant_path(cache_dir: &Path, key: &str, width: u32, ext: &str) -> PathBuf {
    entry_dir(cache_dir, key).join(format!("{key}-{width}.{ext}"))
}

/// The complete entry for `key`, if there is one.
pub(crate) fn lookup(cache_dir: &Path, key: &str) -> Option<Manifest> {
    let text = fs::read(entry_dir(cache_dir, key).join(format!("{key}.json"))).ok()?;
    let manifest: Manifest = serde_json::from_slice(&text).ok()?;
    OutKind::from_ext(&manifest.ext)?;
    if manifest.variants.is_empty() {
        return None;
    }
    let all_there = manifest.variants.iter().enumerate().all(|(i, &(w, _))| {
        let want = manifest.bytes.get(i).copied();
        fs::metadata(variant_path(cache_dir, key, w, &manifest.ext))
            .is_ok_and(|m| m.is_file() && m.len() > 0 && want.is_none_or(|n| m.len() == n))
    });
    all_there.then_some(manifest)
}

/// Stores the variants, then the manifest that makes the entry visible.
pub(crate) fn store(
    cache_dir: &Path,
    key: &str,
    kind: OutKind,
    rendered: &[Rendered],
) -> io::Result<Manifest> {
    make_dir(cache_dir, &entry_dir(cache_dir, key))?;
    for r in rendered {
        let path = variant_path(cache_dir, key, r.width, kind.ext());
        clear_way(&path);
        write_atomic(&path, &r.bytes)?;
    }
    let manifest = Manifest {
        ext: kind.ext().to_string(),
        variants: rendered.iter().map(|r| (r.width, r.height)).collect(),
        bytes: rendered.iter().map(|r| r.bytes.len() as u64).collect(),
    };
    let json = serde_json::to_vec(&manifest).map_err(io::Error::other)?;
    let path = entry_dir(cache_dir, key).join(format!("{key}.json"));
    clear_way(&path);
    write_atomic(&path, &json)?;
    Ok(manifest)
}

/// Makes folder `dir` of the cache, removing a file in its way (the cache
/// is khao's own: whatever stands where a folder belongs is damage).
fn make_dir(cache_dir: &Path, dir: &Path) -> io::Result<()> {
    if fs::create_dir_all(dir).is_ok() {
        return Ok(());
    }
    let cache_root = cache_dir.parent().unwrap_or(cache_dir);
    for ancestor in dir.ancestors().take_while(|a| a.starts_with(cache_root)) {
        if fs::symlink_metadata(ancestor).is_ok_and(|m| !m.is_dir()) {
            let _ = fs::remove_file(ancestor);
        }
    }
    fs::create_dir_all(dir)
}

/// Removes a folder standing where a cache file is to be written.
fn clear_way(path: &Path) {
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        let _ = fs::remove_dir_all(path);
    }
}

/// The file beside the cache's folders that records its last pruning.
const PRUNED: &str = "pruned";

/// How long an entry no photo uses is kept: a build at another `--now`
/// (an embargoed item shown early) or a photo taken out and put back the
/// same day finds its files still there.
const UNUSED_FOR: std::time::Duration = std::time::Duration::from_secs(2 * 24 * 60 * 60);

/// Once a day, removes the entries no photo of `sources` uses with these
/// settings (a deleted photo's, a replaced photo's, every photo's after
/// the widths or quality changed): they would otherwise stay for ever,
/// megabytes each. Pages link to the published copies, so nothing on the
/// site goes with them. Each source's hash comes from the index while it
/// trusts it ([`SourceIndex::hash`]), else from its bytes; a source that cannot be read
/// stops the pruning (what it uses is not known). Returns how many files
/// went.
pub(crate) fn prune<'a>(
    cache_dir: &Path,
    sources: impl Iterator<Item = &'a Path>,
    widths: &[u32],
    quality: u8,
) -> usize {
    if !crate::plumbing::prune::due(&cache_dir.join(PRUNED)) {
        return 0;
    }
    let index = SourceIndex::load(cache_dir);
    let mut used = rustc_hash::FxHashSet::default();
    for source in sources {
        let stamp = fs::metadata(source).ok().map(|m| Stamp::of(&m));
        let known = stamp.and_then(|s| index.hash(&source.to_string_lossy(), &s));
        let hash = match known {
            Some(h) => h.to_string(),
            None => match crate::plumbing::fs::read_regular(source) {
                Ok(bytes) => source_hash(&bytes),
                Err(_) => return 0,
            },
        };
        used.insert(key(&hash, widths, quality));
    }
    // Entries are `<key>-<width>.<ext>` and `<key>.json`, 40 hex digits of
    // key; the index and the marker are not in a folder of their own.
    let keep = |name: &str| {
        name == PRUNED || name == "sources.json" || name.get(..40).is_some_and(|k| used.contains(k))
    };
    crate::plumbing::prune::remove_old(cache_dir, UNUSED_FOR, &keep)
}

/// Puts the cached file `from` at `to`: a hard link when the two are on the
/// same disk (no copy at all), otherwise a copy; atomically either way.
pub(crate) fn publish(from: &Path, to: &Path) -> io::Result<()> {
    if same_file(from, to) {
        return Ok(());
    }
    let tmp = temp_beside(to);
    let result = fs::hard_link(from, &tmp)
        .or_else(|_| fs::copy(from, &tmp).map(|_| ()))
        .and_then(|()| fs::rename(&tmp, to));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &Path, _: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_depends_on_bytes_and_settings_only() {
        let h = source_hash(b"photo");
        let a = key(&h, &[320, 640], 82);
        assert_eq!(a, key(&h, &[640, 320, 320], 82));
        assert_ne!(a, key(&source_hash(b"photo!"), &[320, 640], 82));
        assert_ne!(a, key(&h, &[320, 1280], 82));
        assert_ne!(a, key(&h, &[320, 640], 80));
    }

    #[test]
    fn an_entry_counts_only_when_complete() {
        let dir = tempfile::tempdir().unwrap();
        let k = key(&source_hash(b"x"), &[10], 80);
        assert!(lookup(dir.path(), &k).is_none());
        let r = vec![Rendered {
            width: 10,
            height: 5,
            bytes: vec![1, 2, 3],
        }];
        let m = store(dir.path(), &k, OutKind::Jpeg, &r).unwrap();
        assert_eq!(lookup(dir.path(), &k), Some(m));
        fs::write(variant_path(dir.path(), &k, 10, "jpg"), [1, 2]).unwrap();
        assert!(lookup(dir.path(), &k).is_none(), "cut short");
        fs::remove_file(variant_path(dir.path(), &k, 10, "jpg")).unwrap();
        assert!(lookup(dir.path(), &k).is_none());
    }

    #[test]
    fn store_clears_folders_and_files_in_its_way() {
        let root = tempfile::tempdir().unwrap();
        let cache = root.path().join("images");
        let k = key(&source_hash(b"x"), &[10], 80);
        let r = vec![Rendered {
            width: 10,
            height: 5,
            bytes: vec![1, 2, 3],
        }];
        // A folder where the variant and the manifest go.
        fs::create_dir_all(variant_path(&cache, &k, 10, "jpg").join("x")).unwrap();
        fs::create_dir_all(entry_dir(&cache, &k).join(format!("{k}.json/y"))).unwrap();
        let m = store(&cache, &k, OutKind::Jpeg, &r).unwrap();
        assert_eq!(lookup(&cache, &k), Some(m));
        // A file where the entry's folder, or the cache's, goes.
        fs::remove_dir_all(&cache).unwrap();
        fs::write(&cache, b"not a folder").unwrap();
        let m = store(&cache, &k, OutKind::Jpeg, &r).unwrap();
        assert_eq!(lookup(&cache, &k), Some(m));
    }

    #[test]
    fn source_index_trusts_only_unchanged_settled_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("p.jpg");
        fs::write(&f, b"one").unwrap();
        let stamp = Stamp::of(&fs::metadata(&f).unwrap());
        let mut index = SourceIndex::default();
        let entry = |hashed_ns| SourceEntry {
            stamp,
            hash: "h".into(),
            hashed_ns,
        };
        // Hashed right after the change: not trusted yet.
        index.entries.insert("p".into(), entry(stamp.mtime_ns + 1));
        assert_eq!(index.hash("p", &stamp), None);
        index
            .entries
            .insert("p".into(), entry(stamp.mtime_ns + 3 * SETTLED_NS));
        assert_eq!(index.hash("p", &stamp), Some("h"));
        index.save(dir.path()).unwrap();
        let loaded = SourceIndex::load(dir.path());
        assert_eq!(loaded.hash("p", &stamp), Some("h"));
        fs::write(&f, b"two!").unwrap();
        let changed = Stamp::of(&fs::metadata(&f).unwrap());
        assert_eq!(loaded.hash("p", &changed), None);
    }

    #[test]
    fn prune_keeps_what_a_source_uses_and_stops_when_one_is_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        let photo = dir.path().join("p.jpg");
        fs::write(&photo, b"photo").unwrap();
        let rendered = |w| Rendered {
            width: w,
            height: 1,
            bytes: vec![1],
        };
        let used = key(&source_hash(b"photo"), &[10], 80);
        let gone = key(&source_hash(b"old photo"), &[10], 80);
        for k in [&used, &gone] {
            store(&cache, k, OutKind::Jpeg, &[rendered(10)]).unwrap();
        }
        let age = |days| crate::plumbing::prune::tests::age(&cache, days);
        age(3);
        let missing = dir.path().join("missing.jpg");
        let sources = [photo.as_path(), missing.as_path()];
        assert_eq!(
            prune(&cache, sources.into_iter(), &[10], 80),
            0,
            "unreadable"
        );
        assert!(lookup(&cache, &gone).is_some());
        age(3);
        assert_eq!(prune(&cache, [photo.as_path()].into_iter(), &[10], 80), 2);
        assert!(lookup(&cache, &used).is_some() && lookup(&cache, &gone).is_none());
        assert_eq!(
            prune(&cache, [photo.as_path()].into_iter(), &[10], 80),
            0,
            "next day"
        );
    }

    #[test]
    fn publish_links_or_copies_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("a");
        let to = dir.path().join("b");
        fs::write(&from, b"new").unwrap();
        fs::write(&to, b"old").unwrap();
        publish(&from, &to).unwrap();
        assert_eq!(fs::read(&to).unwrap(), b"new");
        publish(&from, &to).unwrap();
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 2, "no temporary files left");
    }
}
