//! What a deploy needs from the place it writes to. The release logic in
//! [`super::release`] is written once against this trait; a local folder and
//! an SFTP server implement it. Paths are `/`-separated and relative to the
//! target's base folder.

use std::collections::HashSet;
use std::io;
use std::path::Path;

/// A deploy target's file system.
pub trait Store {
    /// Reads a whole (small) file; `None` when it does not exist.
    fn read(&mut self, rel: &str) -> io::Result<Option<Vec<u8>>>;
    /// Writes a file so that readers see the old or the new content, never
    /// a part: a temporary name, then a rename over the old one.
    fn write_atomic(&mut self, rel: &str, data: &[u8]) -> io::Result<()>;
    /// Copies a local file to `rel` in a folder no visitor sees yet: the old
    /// entry (maybe a hard link shared with the live release) is unlinked
    /// first, never written into. `progress` gets byte counts.
    fn upload(&mut self, local: &Path, rel: &str, progress: &dyn Fn(u64)) -> io::Result<()>;
    /// Replaces a live file: upload to a temporary name beside it, then
    /// rename over it, so a visitor gets the old or the new file.
    fn upload_atomic(&mut self, local: &Path, rel: &str, progress: &dyn Fn(u64)) -> io::Result<()>;
    fn mkdir_all(&mut self, rel: &str) -> io::Result<()>;
    /// Removes a file; a missing one is not an error (a re-run after a cut).
    fn remove_file(&mut self, rel: &str) -> io::Result<()>;
    /// Removes a folder and everything in it; a missing one is not an error.
    fn remove_tree(&mut self, rel: &str) -> io::Result<()>;
    /// Removes a folder if it is empty; one still holding something, or
    /// gone, is left as it is. Best effort: nobody is served an empty
    /// folder, it is only tidier gone.
    fn remove_empty_dir(&mut self, rel: &str);
    /// `cp -al from to`: a new folder whose files are hard links to `from`'s.
    fn copy_tree_linked(&mut self, from: &str, to: &str) -> io::Result<()>;
    /// Renames a file or folder (the destination must not exist).
    fn rename(&mut self, from: &str, to: &str) -> io::Result<()>;
    /// The target of the symlink `rel`; `None` when it does not exist.
    fn read_link(&mut self, rel: &str) -> io::Result<Option<String>>;
    /// Makes `link` point at `target` atomically: a symlink under a
    /// temporary name renamed over the old one.
    fn swap_link(&mut self, link: &str, target: &str) -> io::Result<()>;
    /// The names in a folder (empty when it does not exist).
    fn list(&mut self, rel: &str) -> io::Result<Vec<String>>;
    /// Every file (and symlink) under the folder `rel`, relative to it with
    /// `/` between names; empty when it does not exist. `None` when the
    /// target cannot tell at once (SFTP without a shell: a question per
    /// file).
    fn files_under(&mut self, rel: &str) -> io::Result<Option<HashSet<String>>>;
    /// Whether `rel` exists and is a folder (not a symlink to one).
    fn is_plain_dir(&mut self, rel: &str) -> io::Result<bool>;
    /// Starts over after a failed operation (a new connection); a local
    /// folder has nothing to do.
    fn reconnect(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `a/b` joined with `c` as `a/b/c`.
pub fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{}/{}", a.trim_end_matches('/'), b.trim_start_matches('/')),
    }
}

/// The folder part of `a/b/c` (`a/b`), empty for a top-level name.
pub fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map(|(p, _)| p).unwrap_or("")
}

/// The folders of `base` that held the files `removed` (under `base`)
/// and their parents, deepest first: those a deletion may have emptied.
pub fn emptied_folders<'r>(base: &str, removed: impl Iterator<Item = &'r String>) -> Vec<String> {
    let mut folders = std::collections::BTreeSet::new();
    for rel in removed {
        let mut dir = parent(rel);
        while !dir.is_empty() && folders.insert(dir) {
            dir = parent(dir);
        }
    }
    let mut folders: Vec<String> = folders.into_iter().map(|d| join(base, d)).collect();
    folders.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
    folders
}

/// The temporary name a file is written under before it is renamed into
/// place: hidden, in the same folder, so the rename stays on one disk.
pub fn temp_name(rel: &str) -> String {
    match rel.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/.{name}.khao-tmp"),
        None => format!(".{rel}.khao-tmp"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folders_a_deletion_may_empty_come_deepest_first() {
        let removed = [
            "news/2569/a/index.html",
            "news/2569/a/p1.jpg",
            "news/2569/b/index.html",
            "x.html",
        ]
        .map(String::from);
        assert_eq!(
            emptied_folders("releases/r2", removed.iter()),
            [
                "releases/r2/news/2569/a",
                "releases/r2/news/2569/b",
                "releases/r2/news/2569",
                "releases/r2/news"
            ]
        );
    }
}
