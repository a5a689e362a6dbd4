//! What the previous build read of each Markdown file: while the file's
//! size and mtime, its folder's mtime (a photo or document added or
//! removed) and site.yaml are the same, the file is not read and parsed
//! again. `khao serve` keeps it in memory; a one-off build reads it from
//! and saves it to `.khao/cache/` (see [`crate::build::Memo`]).

use std::path::{Path, PathBuf};

use super::Loaded;
use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::plumbing::fs::file_stamp;
use crate::plumbing::table::Table;

#[derive(Default)]
pub struct Memo {
    loaded: Table<PathBuf, (FileKey, Remembered)>,
}

/// What a file gave and what was said about it.
pub type Remembered = (Loaded, Vec<Diagnostic>);

/// Size and mtime of a file, mtime of its folder, and a digest of the
/// configuration it was read with.
pub type FileKey = (u64, u64, u64, [u8; 32]);

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
        self.loaded.with(rel, |(was, remembered)| {
            (*was == now).then(|| remembered.clone())
        })
    }

    /// Remembers what a file gave, a news item without its text (most of
    /// its size; the steps that need it read it again, see
    /// [`super::body_of`]).
    pub(super) fn remember(&self, file: &Path, rel: PathBuf, digest: [u8; 32], what: Remembered) {
        let Some(k) = key(file, digest) else { return };
        let (mut loaded, diags) = what;
        if let Loaded::News(item) = &mut loaded
            && !item.news.body.is_empty()
        {
            item.news.body = String::new();
            item.body_elided = true;
        }
        self.loaded.insert(rel, (k, (loaded, diags)));
    }

    /// Forgets the files not among `live` (deleted since); see
    /// [`Table::forget_others`].
    pub fn forget_others<'p>(&self, live: impl ExactSizeIterator<Item = &'p Path>) {
        self.loaded.forget_others(live);
    }

    /// The memo saved in `dir` with `header` (see [`Table`]).
    pub fn load<H: serde::Serialize + serde::de::DeserializeOwned + PartialEq + Sync>(
        dir: &Path,
        header: &H,
    ) -> Memo {
        Memo {
            loaded: Table::load(dir, "content", header),
        }
    }

    pub fn save<H: serde::Serialize>(&self, dir: &Path, header: &H) {
        self.loaded.save(dir, "content", header);
    }
}
