//! The manifest: what a release holds (path, size, BLAKE3 hash). One is kept
//! on the server beside each release, so the next deploy knows what is there
//! without listing or downloading anything, and sends only what changed.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::plumbing::fs::Stamp;
use crate::plumbing::table::Table;

/// One file of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub size: u64,
    /// BLAKE3, hex.
    pub hash: String,
}

/// Every file of a release, by its path relative to the release (`/`-separated).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub files: BTreeMap<String, Entry>,
}

/// What a deploy must do to turn the server's release into the local one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// New or changed files, sorted (pages last, so that a page never goes
    /// live before the photos and styles it uses).
    pub upload: Vec<String>,
    pub upload_bytes: u64,
    /// Files on the server that the build no longer has.
    pub delete: Vec<String>,
    pub unchanged: usize,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.upload.is_empty() && self.delete.is_empty()
    }
}

/// What earlier scans of a folder hashed, by path: a file whose [`Stamp`]
/// is unchanged is not read again, so a deploy after one edit reads the
/// pages the build wrote, not the thousands of photos it did not touch.
/// Kept between runs in `.khao/cache/memo/deploy-*.bin` (see [`Table`]).
#[derive(Default)]
pub struct Hashes {
    known: Table<String, (Stamp, Entry)>,
    /// The folder they are kept in and what they belong to; `None`: kept
    /// in memory only.
    home: Option<(PathBuf, HashesHeader)>,
}

/// What the saved hashes belong to: their format and the folder scanned.
type HashesHeader = (u32, PathBuf);

impl Hashes {
    const NAME: &str = "deploy";

    fn header(scanned: &Path) -> HashesHeader {
        (
            1,
            scanned
                .canonicalize()
                .unwrap_or_else(|_| scanned.to_path_buf()),
        )
    }

    /// The hashes saved in `cache` for the folder `scanned`, or none.
    pub fn load(cache: &Path, scanned: &Path) -> Hashes {
        let header = Self::header(scanned);
        Hashes {
            known: Table::load(cache, Self::NAME, &header),
            home: Some((cache.to_path_buf(), header)),
        }
    }

    /// Saves what changed where they were loaded from; failing costs only
    /// time next run.
    pub fn save(&self) {
        if let Some((cache, header)) = &self.home {
            self.known.save(cache, Self::NAME, header);
        }
    }

    /// The entry of `path` (`rel` in the folder), from memory when its
    /// stamp is the one remembered, else read and hashed (and remembered
    /// when last changed before `settled_ns`).
    fn entry(&self, rel: &str, path: &Path, settled_ns: i128) -> std::io::Result<Entry> {
        let stamp = Stamp::of(&std::fs::metadata(path)?);
        let known = self
            .known
            .with_owned(rel, |(was, entry)| (was == stamp).then_some(entry));
        if let Some(entry) = known {
            return Ok(entry);
        }
        let entry = hash_file(path)?;
        if stamp.settled_before(settled_ns) {
            self.known.insert(rel.to_string(), (stamp, entry.clone()));
        }
        Ok(entry)
    }
}

impl Manifest {
    /// Reads and hashes every file under `dir` (in parallel: hashing a
    /// thousand photos is the slow part of a no-change deploy).
    pub fn scan(dir: &Path) -> std::io::Result<Manifest> {
        Self::scan_with(dir, None)
    }

    /// [`Manifest::scan`], asking `hashes` first for files that did not
    /// change (and telling it what it did not know).
    pub fn scan_with(dir: &Path, hashes: Option<&Hashes>) -> std::io::Result<Manifest> {
        Self::scan_settled(dir, hashes, crate::plumbing::fs::settled_ns())
    }

    /// [`Manifest::scan_with`], remembering files last changed before
    /// `settled_ns`.
    fn scan_settled(
        dir: &Path,
        hashes: Option<&Hashes>,
        settled_ns: i128,
    ) -> std::io::Result<Manifest> {
        let mut paths = Vec::new();
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(std::io::Error::other)?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(dir)
                .map_err(std::io::Error::other)?;
            let mut parts = Vec::new();
            for c in rel.components() {
                let s = c.as_os_str().to_str().ok_or_else(|| {
                    std::io::Error::other(format!("not UTF-8: {}", rel.display()))
                })?;
                parts.push(s.to_string());
            }
            paths.push((parts.join("/"), entry.path().to_path_buf()));
        }
        let entries: std::io::Result<Vec<(String, Entry)>> = paths
            .par_iter()
            .map(|(rel, path)| {
                let entry = match hashes {
                    Some(h) => h.entry(rel, path, settled_ns),
                    None => hash_file(path),
                };
                entry.map(|e| (rel.clone(), e))
            })
            .collect();
        if let Some(h) = hashes {
            h.known
                .forget_others(paths.iter().map(|(rel, _)| rel.as_str()));
        }
        Ok(Manifest {
            version: 1,
            files: entries?.into_iter().collect(),
        })
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// A manifest read back from the server; `None` when it is not one.
    pub fn from_json(bytes: &[u8]) -> Option<Manifest> {
        serde_json::from_slice(bytes).ok()
    }

    /// A short hash of the whole manifest, part of a release id.
    pub fn short_hash(&self) -> String {
        let hex = blake3::hash(&self.to_json()).to_hex().to_string();
        hex[..8].to_string()
    }

    /// The plan that turns `remote` into `self`.
    pub fn plan_from(&self, remote: &Manifest) -> Plan {
        let mut plan = Plan::default();
        for (path, entry) in &self.files {
            if remote.files.get(path) == Some(entry) {
                plan.unchanged += 1;
            } else {
                plan.upload.push(path.clone());
                plan.upload_bytes += entry.size;
            }
        }
        plan.upload.sort_by_key(|p| (is_page(p), p.clone()));
        plan.delete = remote
            .files
            .keys()
            .filter(|p| !self.files.contains_key(*p))
            .cloned()
            .collect();
        plan
    }
}

/// Pages and feeds: what a visitor fetches first and what is checked live.
pub fn is_page(path: &str) -> bool {
    path.ends_with(".html") || path.ends_with(".xml")
}

fn hash_file(path: &Path) -> std::io::Result<Entry> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok(Entry {
        size,
        hash: hasher.finalize().to_hex().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_uploads_changed_and_deletes_removed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("news/ข่าว")).unwrap();
        std::fs::write(dir.path().join("index.html"), "home").unwrap();
        std::fs::write(dir.path().join("style.css"), "css").unwrap();
        std::fs::write(dir.path().join("news/ข่าว/index.html"), "n").unwrap();
        let old = Manifest::scan(dir.path()).unwrap();
        assert_eq!(old.files.len(), 3);
        assert!(old.files.contains_key("news/ข่าว/index.html"));

        std::fs::write(dir.path().join("index.html"), "home2").unwrap();
        std::fs::write(dir.path().join("a.png"), "png").unwrap();
        std::fs::remove_file(dir.path().join("style.css")).unwrap();
        let new = Manifest::scan(dir.path()).unwrap();
        let plan = new.plan_from(&old);
        assert_eq!(plan.upload, vec!["a.png", "index.html"]);
        assert_eq!(plan.upload_bytes, 8);
        assert_eq!(plan.delete, vec!["style.css"]);
        assert_eq!(plan.unchanged, 1);
        assert!(new.plan_from(&new).is_empty());
        assert_eq!(Manifest::from_json(&new.to_json()), Some(new));
    }

    #[test]
    fn remembered_hashes_stand_while_the_stamp_does() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "one").unwrap();
        let hashes = Hashes::default();
        let first = Manifest::scan_settled(dir.path(), Some(&hashes), i128::MAX).unwrap();
        assert_eq!(first, Manifest::scan(dir.path()).unwrap());
        // Unchanged: the remembered entry is used, not the bytes (a planted
        // wrong hash shows it).
        let stamp = Stamp::of(&std::fs::metadata(&file).unwrap());
        let planted = Entry {
            size: 3,
            hash: "planted".into(),
        };
        hashes.known.insert("a.txt".into(), (stamp, planted));
        let again = Manifest::scan_settled(dir.path(), Some(&hashes), i128::MAX).unwrap();
        assert_eq!(again.files["a.txt"].hash, "planted");
        // Same size, modification time put back: the change time still
        // differs, so the file is read again.
        let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
        // (Within one tick of the file system's clock the change time
        // would not move: that is what `SETTLED_NS` guards against.)
        for _ in 0..300 {
            std::fs::write(&file, "two").unwrap();
            let f = std::fs::File::options().write(true).open(&file).unwrap();
            f.set_modified(mtime).unwrap();
            drop(f);
            if Stamp::of(&std::fs::metadata(&file).unwrap()).ctime_ns != stamp.ctime_ns {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let changed = Manifest::scan_settled(dir.path(), Some(&hashes), i128::MAX).unwrap();
        assert_eq!(changed, Manifest::scan(dir.path()).unwrap());
        assert_ne!(changed.files["a.txt"], first.files["a.txt"]);
    }

    #[test]
    fn files_changed_just_now_are_not_remembered_and_saved_ones_come_back() {
        let (dir, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::write(dir.path().join("a.txt"), "one").unwrap();
        let hashes = Hashes::default();
        Manifest::scan_with(dir.path(), Some(&hashes)).unwrap();
        assert!(
            hashes.known.is_empty(),
            "a file written this second may change again unseen"
        );

        let saved = Hashes::load(cache.path(), dir.path());
        Manifest::scan_settled(dir.path(), Some(&saved), i128::MAX).unwrap();
        saved.save();
        let back = Hashes::load(cache.path(), dir.path());
        assert_eq!(back.known.len(), 1);
        // Another folder's scan does not use them.
        let other = tempfile::tempdir().unwrap();
        assert!(Hashes::load(cache.path(), other.path()).known.is_empty());
        // A deleted file is forgotten.
        std::fs::remove_file(dir.path().join("a.txt")).unwrap();
        Manifest::scan_with(dir.path(), Some(&back)).unwrap();
        assert!(back.known.is_empty());
    }
}
