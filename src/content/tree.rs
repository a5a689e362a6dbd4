//! The files under `content/`, read on every core. A site of thousands of
//! news items has thousands of folders, and reading them one after another
//! was most of what a build with one change spent learning what is there.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::request::is_ignored;

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
pub(super) fn walk(root: &Path) -> (Vec<Entry>, Vec<(PathBuf, std::io::Error)>) {
    let mut out = Walked::default();
    read(root, Path::new(""), 0, &mut out);
    (out.entries, out.errors)
}

#[derive(Default)]
struct Walked {
    entries: Vec<Entry>,
    errors: Vec<(PathBuf, std::io::Error)>,
}

/// Folders this deep (`content/news/<year>`) read what is inside them on
/// one core: splitting further only copies entries from list to list.
const PARALLEL_DEPTH: usize = 2;

fn read(root: &Path, rel: &Path, depth: usize, out: &mut Walked) {
    let dir = root.join(rel);
    let listing = match std::fs::read_dir(&dir) {
        Ok(l) => l,
        Err(e) => {
            out.errors.push((dir, e));
            return;
        }
    };
    let mut children: Vec<(OsString, std::fs::FileType)> = Vec::new();
    for entry in listing {
        match entry.and_then(|e| Ok((e.file_name(), e.file_type()?))) {
            Ok((name, _)) if is_ignored(&name.to_string_lossy()) => {}
            Ok(child) => children.push(child),
            Err(e) => out.errors.push((dir.clone(), e)),
        }
    }
    children.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // An entry, then (a folder) everything in it.
    let one = |(name, kind): &(OsString, std::fs::FileType), out: &mut Walked| {
        let child = rel.join(name);
        let link_to_file = kind.is_symlink() && root.join(&child).is_file();
        let entry = Entry {
            rel: child,
            is_file: kind.is_file() || link_to_file,
            is_plain_file: kind.is_file(),
        };
        if kind.is_dir() {
            let sub = entry.rel.clone();
            out.entries.push(entry);
            read(root, &sub, depth + 1, out);
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
    }
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
        let (entries, errors) = walk(dir.path());
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
}
