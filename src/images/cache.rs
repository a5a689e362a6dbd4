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
    let all_there = manifest.variants.iter().all(|&(w, _)| {
        fs::metadata(variant_path(cache_dir, key, w, &manifest.ext))
            .map(|m| m.is_file() && m.len() > 0)
            .unwrap_or(false)
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
    fs::create_dir_all(entry_dir(cache_dir, key))?;
    for r in rendered {
        write_atomic(&variant_path(cache_dir, key, r.width, kind.ext()), &r.bytes)?;
    }
    let manifest = Manifest {
        ext: kind.ext().to_string(),
        variants: rendered.iter().map(|r| (r.width, r.height)).collect(),
    };
    let json = serde_json::to_vec(&manifest).map_err(io::Error::other)?;
    write_atomic(
        &entry_dir(cache_dir, key).join(format!("{key}.json")),
        &json,
    )?;
    Ok(manifest)
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
        fs::remove_file(variant_path(dir.path(), &k, 10, "jpg")).unwrap();
        assert!(lookup(dir.path(), &k).is_none());
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
