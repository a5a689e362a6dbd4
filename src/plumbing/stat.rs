//! Stamps of many files below a few folders, cheaply.
//!
//! A one-edit build of a large site asks the file system about every news
//! item's text, folder and photos, and about every output folder: tens of
//! thousands of `stat`s, a sixth of such a build's time at N=5000
//! (BENCHMARKS.md). Asked by full path, the kernel walks every name of the
//! path each time (`/srv/site/content/news/2024/…`). A [`Stater`] opens
//! the folder two levels up once and asks relative to it, so the kernel
//! walks two names, and asks only for what a [`Stamp`] holds.
//!
//! The folders stay open while the `Stater` lives: one is made per step
//! and dropped with it, so a long-running `khao serve` never answers from
//! a folder since replaced.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rustc_hash::FxHashMap;

use super::fs::Stamp;

/// Stamps files relative to folders it opened (see the module's text).
#[derive(Default)]
pub struct Stater {
    /// Each folder opened, or `None` when it could not be (its files are
    /// then stamped by full path).
    folders: RwLock<FxHashMap<PathBuf, Option<Arc<Folder>>>>,
}

#[cfg(target_os = "linux")]
type Folder = rustix::fd::OwnedFd;
#[cfg(not(target_os = "linux"))]
type Folder = ();

impl Stater {
    pub fn new() -> Stater {
        Stater::default()
    }

    /// The stamp of `path` (following links, as `std::fs::metadata`
    /// does); `None` when it is not there or cannot be looked at.
    pub fn stamp(&self, path: &Path) -> Option<Stamp> {
        #[cfg(target_os = "linux")]
        if let Some((base, rest)) = split(path)
            && let Some(folder) = self.folder(base)
        {
            return linux::stamp_at(&folder, rest);
        }
        Some(Stamp::of(&std::fs::metadata(path).ok()?))
    }

    /// The folder `base`, opened the first time it is asked for.
    fn folder(&self, base: &Path) -> Option<Arc<Folder>> {
        let known = self.folders.read().ok()?.get(base).cloned();
        if let Some(known) = known {
            return known;
        }
        let opened = open(base).map(Arc::new);
        let mut folders = self.folders.write().ok()?;
        folders.entry(base.to_path_buf()).or_insert(opened).clone()
    }
}

/// `path` as the folder two levels up and the rest, when it has that
/// many parts (`content/news/2024/slug/index.md` → `content/news/2024`,
/// `slug/index.md`).
#[cfg(target_os = "linux")]
fn split(path: &Path) -> Option<(&Path, &Path)> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    let last = bytes.iter().rposition(|&b| b == b'/')?;
    let cut = bytes[..last].iter().rposition(|&b| b == b'/')?;
    let (base, rest) = (&bytes[..cut], &bytes[cut + 1..]);
    // Not for a base of "/" (`/a/b`: not worth it), nor at a doubled
    // slash (`a/b//c`), where the rest would be an absolute path.
    (!base.is_empty() && !rest.starts_with(b"/")).then_some(())?;
    Some((
        Path::new(std::ffi::OsStr::from_bytes(base)),
        Path::new(std::ffi::OsStr::from_bytes(rest)),
    ))
}

#[cfg(target_os = "linux")]
fn open(dir: &Path) -> Option<Folder> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    rustix::fs::open(dir, flags, Mode::empty()).ok()
}

#[cfg(not(target_os = "linux"))]
fn open(_dir: &Path) -> Option<Folder> {
    None
}

#[cfg(target_os = "linux")]
mod linux {
    use std::path::Path;

    use rustix::fs::{AtFlags, StatxFlags, StatxTimestamp};

    use super::{Folder, Stamp};

    /// `rest`'s stamp, asked relative to `folder`: exactly what
    /// [`Stamp::of`] makes of `std::fs::metadata`.
    pub(super) fn stamp_at(folder: &Folder, rest: &Path) -> Option<Stamp> {
        let wanted = StatxFlags::SIZE | StatxFlags::MTIME | StatxFlags::CTIME | StatxFlags::INO;
        let st = rustix::fs::statx(folder, rest, AtFlags::empty(), wanted).ok()?;
        Some(Stamp {
            size: st.stx_size,
            // As `SystemTime::duration_since(UNIX_EPOCH)`: 0 before 1970.
            mtime_ns: if st.stx_mtime.tv_sec < 0 {
                0
            } else {
                ns(&st.stx_mtime)
            },
            ctime_ns: ns(&st.stx_ctime),
            inode: st.stx_ino,
        })
    }

    fn ns(t: &StatxTimestamp) -> i128 {
        i128::from(t.tv_sec) * 1_000_000_000 + i128::from(t.tv_nsec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_those_of_the_standard_library() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("news/2024/slug/index.md");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "ข่าว").unwrap();
        let stater = Stater::new();
        for path in [&file, &file.parent().unwrap().to_path_buf()] {
            let std = Stamp::of(&std::fs::metadata(path).unwrap());
            assert_eq!(stater.stamp(path), Some(std), "{}", path.display());
        }
        assert_eq!(stater.stamp(&tmp.path().join("news/2024/gone/x.jpg")), None);
        assert_eq!(stater.stamp(Path::new("missing")), None);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn paths_split_two_levels_up() {
        let split = |p: &str| split(Path::new(p)).map(|(a, b)| (a.to_path_buf(), b.to_path_buf()));
        let pair = |a: &str, b: &str| Some((PathBuf::from(a), PathBuf::from(b)));
        assert_eq!(
            split("content/news/2024/s/index.md"),
            pair("content/news/2024", "s/index.md")
        );
        assert_eq!(split("/srv/ข่าว/s/a.jpg"), pair("/srv/ข่าว", "s/a.jpg"));
        assert_eq!(split("a/b"), None);
        assert_eq!(split("a/b//c"), None);
        assert_eq!(split("a//b/c"), pair("a/", "b/c"));
        assert_eq!(split("/a/b"), None);
        assert_eq!(split("index.md"), None);
    }
}
