//! Keeping caches from growing for ever. A cache is only a shortcut, so
//! what is pruned costs time at worst (a photo resized again, a scan read
//! again), never a result; and pruning runs at most once a day, so a
//! build's cost stays that of its own work.

use std::path::Path;
use std::time::{Duration, SystemTime};

/// How often a cache is pruned.
pub const EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// Whether the cache whose last pruning `marker` records is due one (never
/// pruned, or a day ago or more, or the marker's time in the future);
/// records this one when it is. A marker that cannot be written makes
/// every run prune: slower, not wrong.
pub fn due(marker: &Path) -> bool {
    let last = std::fs::metadata(marker).and_then(|m| m.modified());
    let due = match last {
        Ok(t) => SystemTime::now()
            .duration_since(t)
            .map_or(true, |age| age >= EVERY),
        Err(_) => true,
    };
    if due {
        let _ = super::fs::write_atomic(marker, b"");
    }
    due
}

/// Removes the files in `dir` and in its folders one level down that were
/// last written `age` or more ago and that `keep` (given the file's name)
/// does not keep; folders left empty go too. Returns how many files went.
/// Nothing here fails: a file that cannot be removed stays.
pub fn remove_old(dir: &Path, age: Duration, keep: &dyn Fn(&str) -> bool) -> usize {
    let cutoff = match SystemTime::now().checked_sub(age) {
        Some(t) => t,
        None => return 0,
    };
    remove_in(dir, cutoff, keep, 1)
}

fn remove_in(dir: &Path, cutoff: SystemTime, keep: &dyn Fn(&str) -> bool, depth: u8) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            if depth > 0 {
                removed += remove_in(&path, cutoff, keep, depth - 1);
                // Only when empty; an error means it is not.
                let _ = std::fs::remove_dir(&path);
            }
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t <= cutoff);
        if old && !keep(&entry.file_name().to_string_lossy()) && std::fs::remove_file(&path).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::fs;

    /// Sets `path`, or every file below it, back by `days`.
    pub(crate) fn age(path: &Path, days: u64) {
        let then = SystemTime::now() - Duration::from_secs(days * 24 * 60 * 60);
        for e in walkdir::WalkDir::new(path).into_iter().flatten() {
            if e.file_type().is_file() {
                let f = fs::File::options().write(true).open(e.path()).unwrap();
                f.set_modified(then).unwrap();
            }
        }
    }

    #[test]
    fn only_old_files_not_kept_go() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("ab");
        fs::create_dir(&sub).unwrap();
        let empty = dir.path().join("cd");
        fs::create_dir(&empty).unwrap();
        for (name, days) in [("old", 40), ("kept", 40), ("new", 1)] {
            fs::write(sub.join(name), b"x").unwrap();
            age(&sub.join(name), days);
        }
        fs::write(dir.path().join("top-old"), b"x").unwrap();
        age(&dir.path().join("top-old"), 40);
        let keep = |name: &str| name == "kept";
        let removed = remove_old(dir.path(), Duration::from_secs(30 * 86_400), &keep);
        assert_eq!(removed, 2);
        assert!(!sub.join("old").exists() && !dir.path().join("top-old").exists());
        assert!(sub.join("kept").exists() && sub.join("new").exists());
        assert!(!empty.exists(), "an empty folder goes");
    }

    #[test]
    fn due_once_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("pruned");
        assert!(due(&marker), "never pruned");
        assert!(!due(&marker), "just pruned");
        age(&marker, 2);
        assert!(due(&marker));
    }
}
