//! The files under `content/`, read on every core. A site of thousands of
//! news items has thousands of folders, and reading them one after another
//! was most of what a build with one change spent learning what is there.
//!
//! With a memo, a folder is listed again only when its stamp changed (an
//! entry added, removed or renamed changes the folder's times): a build
//! after one edit asks each unchanged folder one `stat` instead of
//! opening and reading it.

use std::ffi::OsString;
use std::fs::FileType;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::plumbing::fs::Stamp;
use crate::plumbing::paths::{self, PathKey};
use crate::plumbing::stat::Stater;
use crate::plumbing::table::Table;
use crate::request::is_ignored;

/// What each folder held when it was last listed, by its path under the
/// walked folder, kept with the folder's stamp then.
pub(super) type Listings = Table<PathKey, (Stamp, Vec<(String, Kind)>)>;

/// What a folder's entry is, as its listing says (links not followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum Kind {
    File,
    Dir,
    /// A symbolic link: whether it leads to a file is asked each walk (its
    /// target may change without its folder changing), so a folder
    /// holding one is not remembered.
    Link,
    Other,
}

impl Kind {
    fn of(t: FileType) -> Kind {
        if t.is_file() {
            Kind::File
        } else if t.is_dir() {
            Kind::Dir
        } else if t.is_symlink() {
            Kind::Link
        } else {
            Kind::Other
        }
    }
}

/// The listings to ask and to keep, the instant before which a folder's
/// stamp may be trusted (see [`crate::plumbing::fs::SETTLED_NS`]), and
/// what takes the stamps.
pub(super) struct Remember<'m> {
    pub listings: &'m Listings,
    pub settled_ns: i128,
    pub stater: &'m Stater,
}

/// One entry under the walked folder.
pub(super) struct Entry {
    /// Relative to the walked folder.
    pub rel: PathBuf,
    /// A regular file, or a link to one.
    pub is_file: bool,
    /// A regular file (not a link).
    pub is_plain_file: bool,
}

/// Every entry under `root` but the ignored ones (and what is inside
/// them), depth first with each folder's entries in name order (as
/// `walkdir` with `sort_by_file_name` gives them); links are not
/// followed. Folders that cannot be read come back as errors, with their
/// path.
///
/// With `memo`, a folder whose stamp did not change is not read again.
pub(super) fn walk_with(root: &Path, memo: Option<&Remember<'_>>) -> Walked {
    let mut out = Walked::default();
    read(root, Path::new(""), 0, memo, &mut out);
    if let Some(m) = memo {
        m.listings
            .forget_others(out.stamps.iter().map(|(rel, _)| paths::key(rel)));
    }
    out
}

#[derive(Default)]
pub(super) struct Walked {
    pub entries: Vec<Entry>,
    pub errors: Vec<(PathBuf, std::io::Error)>,
    /// Each folder's stamp (with a memo only), taken before it was listed.
    pub stamps: Vec<(PathBuf, Stamp)>,
}

/// Folders this deep (`content/news/<year>`) read what is inside them on
/// one core: splitting further only copies entries from list to list.
const PARALLEL_DEPTH: usize = 2;

fn read(root: &Path, rel: &Path, depth: usize, memo: Option<&Remember<'_>>, out: &mut Walked) {
    let Some(children) = list(&root.join(rel), rel, memo, out) else {
        return;
    };
    // An entry, then (a folder) everything in it.
    let one = |(name, kind): &(OsString, Kind), out: &mut Walked| {
        let child = rel.join(name);
        let link_to_file = *kind == Kind::Link && root.join(&child).is_file();
        let entry = Entry {
            rel: child,
            is_file: *kind == Kind::File || link_to_file,
            is_plain_file: *kind == Kind::File,
        };
        if *kind == Kind::Dir {
            let sub = entry.rel.clone();
            out.entries.push(entry);
            read(root, &sub, depth + 1, memo, out);
        } else {
            out.entries.push(entry);
        }
    };
    if depth >= PARALLEL_DEPTH {
        for child in &children {
            one(child, out);
        }
        return;
    }
    // Each child folder is read on whichever core is free; the results are
    // put back in name order.
    let parts: Vec<Walked> = children
        .par_iter()
        .map(|child| {
            let mut part = Walked::default();
            one(child, &mut part);
            part
        })
        .collect();
    for part in parts {
        out.entries.extend(part.entries);
        out.errors.extend(part.errors);
        out.stamps.extend(part.stamps);
    }
}

/// The entries of folder `dir` (`rel` under the walked folder) but the
/// ignored ones, in name order: as remembered while its stamp is the same,
/// else read. `None` when it cannot be read (the error is in `out`).
fn list(
    dir: &Path,
    rel: &Path,
    memo: Option<&Remember<'_>>,
    out: &mut Walked,
) -> Option<Vec<(OsString, Kind)>> {
    // Taken before the folder is read: a change while it is read shows in
    // the next walk's stamp.
    let stamp = memo.and_then(|m| Some((m, m.stater.stamp(dir)?)));
    if let Some((m, now)) = stamp {
        out.stamps.push((rel.to_path_buf(), now));
        let known = m.listings.with_owned(paths::key(rel), |(was, names)| {
            let same = was == now;
            same.then(|| names.into_iter().map(|(n, k)| (n.into(), k)).collect())
        });
        if known.is_some() {
            return known;
        }
    }
    let listing = match std::fs::read_dir(dir) {
        Ok(l) => l,
        Err(e) => {
            out.errors.push((dir.to_path_buf(), e));
            return None;
        }
    };
    let mut children: Vec<(OsString, Kind)> = Vec::new();
    let mut complete = true;
    for entry in listing {
        match entry.and_then(|e| Ok((e.file_name(), Kind::of(e.file_type()?)))) {
            Ok((name, _)) if is_ignored(&name.to_string_lossy()) => {}
            Ok(child) => children.push(child),
            Err(e) => {
                complete = false;
                out.errors.push((dir.to_path_buf(), e));
            }
        }
    }
    children.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    if let Some((m, now)) = stamp
        && complete
        && now.settled_before(m.settled_ns)
        && let Some(names) = remembered(&children)
    {
        m.listings.insert(rel.into(), (now, names));
    }
    Some(children)
}

/// A listing as the memo keeps it: not when a name is not UTF-8 (the memo
/// keeps text) or an entry is a link (see [`Kind::Link`]).
fn remembered(children: &[(OsString, Kind)]) -> Option<Vec<(String, Kind)>> {
    children
        .iter()
        .map(|(name, kind)| match kind {
            Kind::Link => None,
            _ => Some((name.to_str()?.to_string(), *kind)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_first_in_name_order_without_ignored_entries() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "b/2.md",
            "b/1.jpg",
            "a.md",
            "c/d/e.md",
            ".DS_Store",
            "b/Thumbs.db",
        ] {
            crate::content::tests::write(dir.path(), f, "x");
        }
        let Walked {
            entries, errors, ..
        } = walk_with(dir.path(), None);
        assert!(errors.is_empty());
        let names: Vec<(String, bool)> = entries
            .iter()
            .map(|e| (e.rel.to_string_lossy().into_owned(), e.is_file))
            .collect();
        let want = [
            ("a.md", true),
            ("b", false),
            ("b/1.jpg", true),
            ("b/2.md", true),
            ("c", false),
            ("c/d", false),
            ("c/d/e.md", true),
        ];
        let want: Vec<(String, bool)> = want.iter().map(|(n, f)| (n.to_string(), *f)).collect();
        assert_eq!(names, want);
    }

    fn names(out: &Walked) -> Vec<String> {
        let rels = out.entries.iter().map(|e| e.rel.to_string_lossy());
        rels.map(|r| r.into_owned()).collect()
    }

    #[test]
    fn a_folder_is_listed_again_only_when_its_stamp_changes() {
        let dir = tempfile::tempdir().unwrap();
        crate::content::tests::write(dir.path(), "news/a/index.md", "x");
        let listings = Listings::default();
        let stater = Stater::new();
        let memo = Remember {
            listings: &listings,
            settled_ns: i128::MAX,
            stater: &stater,
        };
        let first = walk_with(dir.path(), Some(&memo));
        assert_eq!(names(&first), ["news", "news/a", "news/a/index.md"]);
        assert_eq!(first.stamps.len(), 3, "each folder's stamp");
        assert_eq!(listings.len(), 3);

        // What is remembered is what an unchanged folder gives: a listing
        // planted with the folder's stamp is believed.
        let (_, stamp) = first
            .stamps
            .iter()
            .find(|(r, _)| r == Path::new("news/a"))
            .unwrap();
        let planted = vec![("planted.jpg".to_string(), Kind::File)];
        listings.insert(Path::new("news/a").into(), (*stamp, planted));
        let again = walk_with(dir.path(), Some(&memo));
        assert_eq!(names(&again), ["news", "news/a", "news/a/planted.jpg"]);

        // A photo added changes the folder's stamp: it is listed again.
        std::thread::sleep(std::time::Duration::from_millis(20));
        crate::content::tests::write(dir.path(), "news/a/p1.jpg", "y");
        let after = walk_with(dir.path(), Some(&memo));
        let want = ["news", "news/a", "news/a/index.md", "news/a/p1.jpg"];
        assert_eq!(names(&after), want);

        // A folder changed a moment ago is not remembered (a second change
        // within the clock's tick would keep its stamp).
        let fresh = Listings::default();
        let unsettled = Remember {
            listings: &fresh,
            settled_ns: 0,
            stater: &stater,
        };
        walk_with(dir.path(), Some(&unsettled));
        assert!(fresh.is_empty());
    }
}
