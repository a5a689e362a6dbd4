//! The manifest: what a release holds (path, size, BLAKE3 hash). One is kept
//! on the server beside each release, so the next deploy knows what is there
//! without listing or downloading anything, and sends only what changed.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

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

impl Manifest {
    /// Reads and hashes every file under `dir` (in parallel: hashing a
    /// thousand photos is the slow part of a no-change deploy).
    pub fn scan(dir: &Path) -> std::io::Result<Manifest> {
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
            .into_par_iter()
            .map(|(rel, path)| hash_file(&path).map(|e| (rel, e)))
            .collect();
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
}
