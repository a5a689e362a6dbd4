//! What a build leaves for the next one: every output file with the hash
//! of what it was made from, and what step 5 learned about each page. With
//! it, a rebuild renders, writes and checks only what changed, and removes
//! a deleted item's files without walking `public/`.
//!
//! Kept in three files under `.khao/cache/`, read and written on both
//! cores (one file was a serial tenth of a one-edit build at N=5000). Each
//! begins with the same header, made new by every build: parts of two
//! builds (one written, then khao stopped) do not match, and mean a full
//! build.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::checkpages::CheckCache;
use crate::render::RenderCache;

#[derive(Debug, Default)]
pub(super) struct BuildCache {
    /// Every file of the build, relative to the output folder.
    pub files: Vec<PathBuf>,
    pub outputs: RenderCache,
    pub checks: CheckCache,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Header {
    version: u32,
    /// The output folder it describes (another `--out` starts afresh).
    out: PathBuf,
    /// Which build wrote it.
    build: u128,
}

const VERSION: u32 = 3;

/// MessagePack: with thousands of pages, reading and writing JSON was a
/// tenth of a one-edit build.
fn part(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("build-{name}.bin"))
}

fn read<T: DeserializeOwned>(dir: &Path, name: &str) -> Option<(Header, T)> {
    let bytes = std::fs::read(part(dir, name)).ok()?;
    rmp_serde::from_slice(&bytes).ok()
}

/// Writes one part; `named`: its structs with their field names (the
/// checks' problems skip empty fields, so cannot be read by position; see
/// [`crate::plumbing::table`]).
fn write<T: Serialize>(
    dir: &Path,
    name: &str,
    header: &Header,
    value: &T,
    named: bool,
) -> std::io::Result<()> {
    crate::plumbing::fs::write_cache(&part(dir, name), |out| {
        crate::plumbing::table::write_msgpack(out, &(header, value), named)
    })
}

impl BuildCache {
    /// The cache in `dir` for the output folder `out`, when all three
    /// parts are there, of this format and from one build.
    pub fn load(dir: &Path, out: &Path) -> Option<BuildCache> {
        let ((files, outputs), checks) = rayon::join(
            || rayon::join(|| read(dir, "files"), || read(dir, "outputs")),
            || read(dir, "checks"),
        );
        let (header, files) = files?;
        let (h2, outputs) = outputs?;
        let (h3, checks) = checks?;
        let fits = header.version == VERSION && header.out == out && h2 == header && h3 == header;
        fits.then_some(BuildCache {
            files,
            outputs,
            checks,
        })
    }

    /// Saves the three parts for the output folder `out`.
    pub fn save(&self, dir: &Path, out: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        // The one file of khao 0.1 before format 3.
        let _ = std::fs::remove_file(dir.join("build.bin"));
        let header = Header {
            version: VERSION,
            out: out.to_path_buf(),
            build: build_id(),
        };
        let ((files, outputs), checks) = rayon::join(
            || {
                rayon::join(
                    || write(dir, "files", &header, &self.files, false),
                    || write(dir, "outputs", &header, &self.outputs, false),
                )
            },
            || write(dir, "checks", &header, &self.checks, true),
        );
        files.and(outputs).and(checks)
    }
}

/// Different for every build on this machine: the time and the process.
fn build_id() -> u128 {
    crate::plumbing::fs::now_ns() as u128 ^ (u128::from(std::process::id()) << 96)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_two_builds_are_no_cache() {
        let dir = tempfile::tempdir().unwrap();
        let out = Path::new("/site/public");
        let cache = BuildCache {
            files: vec![PathBuf::from("index.html")],
            ..BuildCache::default()
        };
        cache.save(dir.path(), out).unwrap();
        let back = BuildCache::load(dir.path(), out).expect("read back");
        assert_eq!(back.files, cache.files);
        // Another output folder starts afresh.
        assert!(BuildCache::load(dir.path(), Path::new("/elsewhere")).is_none());
        // One part from a later build: no cache at all.
        let files = std::fs::read(part(dir.path(), "files")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        cache.save(dir.path(), out).unwrap();
        std::fs::write(part(dir.path(), "files"), files).unwrap();
        assert!(BuildCache::load(dir.path(), out).is_none());
        // A missing part too.
        cache.save(dir.path(), out).unwrap();
        std::fs::remove_file(part(dir.path(), "checks")).unwrap();
        assert!(BuildCache::load(dir.path(), out).is_none());
    }
}
