//! A local folder as a deploy target: the same layout as on a server
//! (`releases/<id>/`, a `current` symlink), so the bundled example publishes
//! on a fresh machine and the release logic is tested without a network.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::store::{Store, temp_name};

pub struct LocalStore {
    base: PathBuf,
}

impl LocalStore {
    pub fn new(base: PathBuf) -> LocalStore {
        LocalStore { base }
    }

    fn path(&self, rel: &str) -> PathBuf {
        let mut p = self.base.clone();
        for part in rel.split('/').filter(|s| !s.is_empty()) {
            p.push(part);
        }
        p
    }
}

fn copy_with_progress(local: &Path, dst: &Path, progress: &dyn Fn(u64)) -> io::Result<()> {
    let mut src = fs::File::open(local)?;
    let mut out = fs::File::create(dst)?;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n])?;
        progress(n as u64);
    }
    out.sync_all()
}

fn ignore_missing(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

impl Store for LocalStore {
    fn read(&mut self, rel: &str) -> io::Result<Option<Vec<u8>>> {
        match fs::read(self.path(rel)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn write_atomic(&mut self, rel: &str, data: &[u8]) -> io::Result<()> {
        crate::plumbing::fs::write_atomic(&self.path(rel), data)
    }

    fn upload(&mut self, local: &Path, rel: &str, progress: &dyn Fn(u64)) -> io::Result<()> {
        let dst = self.path(rel);
        ignore_missing(fs::remove_file(&dst))?;
        copy_with_progress(local, &dst, progress)
    }

    fn upload_atomic(&mut self, local: &Path, rel: &str, progress: &dyn Fn(u64)) -> io::Result<()> {
        let tmp = self.path(&temp_name(rel));
        copy_with_progress(local, &tmp, progress)?;
        fs::rename(&tmp, self.path(rel))
    }

    fn mkdir_all(&mut self, rel: &str) -> io::Result<()> {
        fs::create_dir_all(self.path(rel))
    }

    fn remove_file(&mut self, rel: &str) -> io::Result<()> {
        ignore_missing(fs::remove_file(self.path(rel)))
    }

    fn remove_tree(&mut self, rel: &str) -> io::Result<()> {
        ignore_missing(fs::remove_dir_all(self.path(rel)))
    }

    fn remove_empty_dir(&mut self, rel: &str) {
        let _ = fs::remove_dir(self.path(rel)); // fails when not empty
    }

    fn copy_tree_linked(&mut self, from: &str, to: &str) -> io::Result<()> {
        let from = self.path(from);
        let to = self.path(to);
        fs::create_dir_all(&to)?;
        // Folders first, parents before children (the walk's order); then
        // the links, on every core: with thousands of files this copy is
        // most of a one-change deploy.
        let mut files = Vec::new();
        for entry in walkdir::WalkDir::new(&from).min_depth(1) {
            let entry = entry.map_err(io::Error::other)?;
            let rel = entry.path().strip_prefix(&from).map_err(io::Error::other)?;
            if entry.file_type().is_dir() {
                fs::create_dir_all(to.join(rel))?;
            } else {
                files.push(rel.to_path_buf());
            }
        }
        files
            .par_iter()
            .try_for_each(|rel| fs::hard_link(from.join(rel), to.join(rel)))
    }

    fn rename(&mut self, from: &str, to: &str) -> io::Result<()> {
        fs::rename(self.path(from), self.path(to))
    }

    fn read_link(&mut self, rel: &str) -> io::Result<Option<String>> {
        match fs::read_link(self.path(rel)) {
            Ok(t) => Ok(Some(t.to_string_lossy().into_owned())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::InvalidInput => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn swap_link(&mut self, link: &str, target: &str) -> io::Result<()> {
        let tmp = self.path(&temp_name(link));
        ignore_missing(fs::remove_file(&tmp))?;
        std::os::unix::fs::symlink(target, &tmp)?;
        fs::rename(&tmp, self.path(link))
    }

    fn list(&mut self, rel: &str) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        match fs::read_dir(self.path(rel)) {
            Ok(rd) => {
                for e in rd {
                    names.push(e?.file_name().to_string_lossy().into_owned());
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        names.sort();
        Ok(names)
    }

    fn files_under(&mut self, rel: &str) -> io::Result<Option<HashSet<String>>> {
        let root = self.path(rel);
        let mut files = HashSet::new();
        for entry in walkdir::WalkDir::new(&root).min_depth(1) {
            let entry = match entry {
                Ok(e) => e,
                Err(e)
                    if e.io_error()
                        .is_some_and(|e| e.kind() == io::ErrorKind::NotFound) =>
                {
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            if entry.file_type().is_dir() {
                continue;
            }
            if let Ok(r) = entry.path().strip_prefix(&root) {
                files.insert(crate::plumbing::paths::slash(r));
            }
        }
        Ok(Some(files))
    }

    fn is_plain_dir(&mut self, rel: &str) -> io::Result<bool> {
        match fs::symlink_metadata(self.path(rel)) {
            Ok(m) => Ok(m.file_type().is_dir()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}
