//! One run at a time: `khao publish`, `intake`, `build` and `deploy` (and
//! `serve`'s rebuilds) on the same site take the site's lock,
//! `.khao/lock`, so they never interleave — a second run waits for the
//! first, then does its own work. The lock is the operating system's (an
//! `flock`): a run that dies lets go of it.

use std::fs::File;
use std::path::Path;

use super::paths::KHAO_DIR;

/// The site's lock, held until dropped.
#[derive(Debug)]
pub struct SiteLock {
    _file: File,
}

impl SiteLock {
    /// Waits until the site is free, then holds it.
    pub fn acquire(site_dir: &Path) -> std::io::Result<SiteLock> {
        let dir = site_dir.join(KHAO_DIR);
        std::fs::create_dir_all(&dir)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("lock"))?;
        file.lock()?;
        Ok(SiteLock { _file: file })
    }
}
