//! What a long-running process (`khao serve`) read of each Markdown file in
//! its previous build: while the file's size and mtime, its folder's mtime
//! (a photo or document added or removed) and site.yaml are the same, the
//! file is not read and parsed again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::Loaded;
use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::plumbing::fs::file_stamp;

#[derive(Default)]
pub struct Memo {
    loaded: Mutex<HashMap<PathBuf, (FileKey, Remembered)>>,
}

/// What a file gave and what was said about it.
type Remembered = (Loaded, Vec<Diagnostic>);

/// Size and mtime of a file, mtime of its folder, and a digest of the
/// configuration it was read with.
type FileKey = (u64, u64, u64, [u8; 32]);

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("content::Memo")
    }
}

/// The digest of site.yaml's settings, part of every key.
pub(super) fn config_digest(config: &SiteConfig) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    let _ = serde_json::to_writer(&mut h, config);
    *h.finalize().as_bytes()
}

fn key(file: &Path, digest: [u8; 32]) -> Option<FileKey> {
    let (len, mtime) = file_stamp(file)?;
    let (_, dir_mtime) = file_stamp(file.parent()?)?;
    Some((len, mtime, dir_mtime, digest))
}

impl Memo {
    /// What `rel` gave last time, if the file is as it was.
    pub(super) fn recall(&self, file: &Path, rel: &Path, digest: [u8; 32]) -> Option<Remembered> {
        let now = key(file, digest)?;
        let known = self.loaded.lock().ok()?;
        let (was, remembered) = known.get(rel)?;
        (*was == now).then(|| remembered.clone())
    }

    pub(super) fn remember(&self, file: &Path, rel: PathBuf, digest: [u8; 32], what: Remembered) {
        if let (Some(k), Ok(mut known)) = (key(file, digest), self.loaded.lock()) {
            known.insert(rel, (k, what));
        }
    }
}
