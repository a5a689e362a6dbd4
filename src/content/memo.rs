//! What the previous build read of each Markdown file: while the file's
//! stamp, its folder's (a photo or document added or removed) and
//! site.yaml are the same, the file is not read and parsed again. `khao
//! serve` keeps it in memory; a one-off build reads it from and saves it to
//! `.khao/cache/` (see [`crate::build::Memo`]).

use std::path::{Path, PathBuf};

use super::Loaded;
use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::plumbing::fs::Stamp;
use crate::plumbing::paths::{PathKey, key as key_of};
use crate::plumbing::stat::Stater;
use crate::plumbing::table::Table;

#[derive(Default)]
pub struct Memo {
    loaded: Table<PathKey, (FileKey, Remembered)>,
    /// What each folder under `content/` held (see [`super::tree`]).
    pub(super) listings: super::tree::Listings,
}

/// What a file gave and what was said about it.
pub type Remembered = (Loaded, Vec<Diagnostic>);

/// What a file is known by: its stamp, its folder's, and a digest of the
/// configuration it was read with. Taken before the file is read, so a
/// change while it is read shows in the next build's key.
pub type FileKey = (Stamp, Stamp, [u8; 32]);

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

/// The key of `file` now; `None` when it or its folder is not there.
/// `dir` is its folder's stamp when the walk took it already.
pub(super) fn key(
    stater: &Stater,
    file: &Path,
    dir: Option<Stamp>,
    digest: [u8; 32],
) -> Option<FileKey> {
    let stamp = stater.stamp(file)?;
    let dir = match dir {
        Some(d) => d,
        None => stater.stamp(file.parent()?)?,
    };
    Some((stamp, dir, digest))
}

impl Memo {
    /// What `rel` gave last time, if it was read with the key it has now.
    pub(super) fn recall(&self, rel: &Path, now: &FileKey) -> Option<Remembered> {
        (self.loaded).with_owned(key_of(rel), |(was, remembered)| {
            (was == *now).then_some(remembered)
        })
    }

    /// Remembers what a file read with key `k` gave, a news item without
    /// its text (most of its size; the steps that need it read it again,
    /// see [`super::body_of`]). Not when the file or its folder changed
    /// after `settled_ns`: a second change within the clock's tick would
    /// keep the key (see [`crate::plumbing::fs::SETTLED_NS`]).
    pub(super) fn remember(&self, rel: PathBuf, k: FileKey, what: Remembered, settled_ns: i128) {
        if !(k.0.settled_before(settled_ns) && k.1.settled_before(settled_ns)) {
            return;
        }
        let (mut loaded, diags) = what;
        if let Loaded::News(item) = &mut loaded
            && !item.news.body.is_empty()
        {
            item.news.body = String::new();
            item.body_elided = true;
        }
        self.loaded.insert(rel.into(), (k, (loaded, diags)));
    }

    /// Forgets the files not among `live` (deleted since); see
    /// [`Table::forget_others`].
    pub fn forget_others<'p>(&self, live: impl ExactSizeIterator<Item = &'p Path>) {
        self.loaded.forget_others(live.map(key_of));
    }

    /// The memo saved in `dir` with `header` (see [`Table`]).
    pub fn load<H: serde::Serialize + serde::de::DeserializeOwned + PartialEq + Sync>(
        dir: &Path,
        header: &H,
    ) -> Memo {
        let (loaded, listings) = rayon::join(
            || Table::load(dir, "content", header),
            || Table::load(dir, "listing", header),
        );
        Memo { loaded, listings }
    }

    pub fn save<H: serde::Serialize>(&self, dir: &Path, header: &H) {
        self.loaded.save(dir, "content", header);
        self.listings.save(dir, "listing", header);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remembered(memo: &Memo, rel: &Path, file: &Path) -> bool {
        let k = key(&Stater::new(), file, None, [0; 32]).unwrap();
        memo.recall(rel, &k).is_some()
    }

    #[test]
    fn a_file_is_known_by_its_stamp_once_it_has_settled() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("index.md");
        std::fs::write(&file, "---\ntitle: ก\n---\n").unwrap();
        let rel = Path::new("news/2026/a/index.md");
        let memo = Memo::default();
        let k = key(&Stater::new(), &file, None, [0; 32]).unwrap();

        // Changed a moment ago: a second change in the same tick would
        // keep the key, so it is not remembered.
        memo.remember(rel.into(), k, (Loaded::Nothing, vec![]), k.0.mtime_ns - 1);
        assert!(!remembered(&memo, rel, &file));

        let later = k.0.mtime_ns.max(k.0.ctime_ns).max(k.1.ctime_ns) + 1;
        memo.remember(rel.into(), k, (Loaded::Nothing, vec![]), later);
        assert!(remembered(&memo, rel, &file));
        // Another configuration is another key.
        let other = key(&Stater::new(), &file, None, [1; 32]).unwrap();
        assert!(memo.recall(rel, &other).is_none());

        // The same size, its mtime put back (an editor or a copy keeping
        // times): the change time tells.
        let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&file, "---\ntitle: ข\n---\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        assert!(!remembered(&memo, rel, &file));
    }

    #[test]
    fn a_photo_added_beside_the_text_changes_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("index.md");
        std::fs::write(&file, "x").unwrap();
        let before = key(&Stater::new(), &file, None, [0; 32]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.path().join("p1.jpg"), "y").unwrap();
        assert_ne!(key(&Stater::new(), &file, None, [0; 32]).unwrap(), before);
    }
}
