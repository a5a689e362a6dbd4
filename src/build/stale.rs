//! Files of the last build that this one does not make (a deleted news
//! item's pages and photos): removed from the output folder, so that it
//! holds exactly this build's files. The last build's list (see
//! [`super::cache`]) says which they are without walking the folder, and
//! is read only when the list of files changed: an edit makes the files
//! the last build made, which their digests tell.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use super::cache;

/// What a build knows of the last one's files, and what it removed.
pub(super) struct Stale {
    /// The digest of this build's list of files.
    pub digest: u128,
    /// This build makes exactly the files the last one made.
    pub same_files: bool,
    /// The last build's list, when it was read (the files differ).
    pub before: Option<Vec<PathBuf>>,
    /// Whether the last build's files are known: its page checks can be
    /// trusted for the pages it made.
    pub trusted: bool,
    /// The files removed, relative to the output folder.
    pub removed: BTreeSet<PathBuf>,
}

/// Removes from `out` what the last build made and this one does not:
/// `files` are this build's (sorted by bytes), `last` the last build's
/// list when its cache is trusted. Without it, every file under `out`
/// that is not among `files` goes.
pub(super) fn clear(
    out: &Path,
    files: &[PathBuf],
    last: Option<&cache::Files>,
) -> std::io::Result<Stale> {
    let digest = cache::digest(files);
    let same_files = last.is_some_and(|l| l.digest == digest);
    let before = last.filter(|_| !same_files).and_then(cache::Files::list);
    let removed = match &before {
        Some(before) => remove_listed(out, before, files)?,
        None if same_files => BTreeSet::new(),
        None => {
            remove_unlisted(out, files)?;
            BTreeSet::new()
        }
    };
    Ok(Stale {
        digest,
        same_files,
        trusted: same_files || before.is_some(),
        before,
        removed,
    })
}

/// Removes the files the previous build listed and this one does not make
/// (a deleted news item's pages and photos), then their folders if empty.
/// Returns what was removed.
fn remove_listed(
    out: &Path,
    before: &[PathBuf],
    now: &[PathBuf],
) -> std::io::Result<BTreeSet<PathBuf>> {
    let mut removed = BTreeSet::new();
    let keep: HashSet<&std::ffi::OsStr> = now.iter().map(|p| p.as_os_str()).collect();
    let mut dirs = BTreeSet::new();
    for rel in before {
        if keep.contains(rel.as_os_str()) {
            continue;
        }
        match std::fs::remove_file(out.join(rel)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let mut d = rel.parent();
        while let Some(dir) = d {
            if dir.as_os_str().is_empty() {
                break;
            }
            dirs.insert(dir.to_path_buf());
            d = dir.parent();
        }
        removed.insert(rel.clone());
    }
    let mut dirs: Vec<PathBuf> = dirs.into_iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = std::fs::remove_dir(out.join(d)); // fails, harmlessly, when not empty
    }
    Ok(removed)
}

/// Deletes every file under `out` that this build did not produce, then the
/// folders left empty.
fn remove_unlisted(out: &Path, keep: &[PathBuf]) -> std::io::Result<()> {
    let keep: HashSet<&Path> = keep.iter().map(PathBuf::as_path).collect();
    let mut dirs = Vec::new();
    for entry in walkdir::WalkDir::new(out).min_depth(1) {
        let Ok(entry) = entry else { continue };
        let rel = entry.path().strip_prefix(out).unwrap_or(entry.path());
        if entry.file_type().is_dir() {
            dirs.push(entry.path().to_path_buf());
        } else if !keep.contains(rel) {
            std::fs::remove_file(entry.path())?;
        }
    }
    // Deepest first, so a folder is emptied before its parent is tried.
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = std::fs::remove_dir(d); // fails, harmlessly, when not empty
    }
    Ok(())
}
