//! What a build leaves for the next one: every output file with the hash
//! of what it was made from, and what step 5 learned about each page. With
//! it, a rebuild renders, writes and checks only what changed, and removes
//! a deleted item's files without walking `public/`.
//!
//! Kept in three files under `.khao/cache/`, read and written on both
//! cores (one file was a serial tenth of a one-edit build at N=5000). The
//! outputs and the checks begin with the same header, made new by every
//! build that writes the checks: parts of two builds (one written, then
//! khao stopped) do not match, and mean a full build. The checks are
//! usually what they were (an edit rarely changes a page's links), and are
//! then left as they are, the outputs written under their header. The list
//! of files is usually the last build's (an edit makes the same files): it
//! is written only when it changed and read past its header only when the
//! last one is needed, and the headers name it by a digest of its paths.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::checkpages::CheckCache;
use crate::plumbing::table::read_header;
use crate::render::RenderCache;

/// What the last build left.
#[derive(Debug, Default)]
pub(super) struct BuildCache {
    /// The build that wrote the outputs and checks (see [`save`]).
    pub build: u128,
    pub files: Files,
    pub outputs: RenderCache,
    pub checks: CheckCache,
}

/// The last build's files, relative to the output folder: a digest of
/// the list, and where to read the list when asked for (a build that
/// makes the same files, as an edit does, never reads more than the
/// header: megabytes at N=5000).
#[derive(Debug, Default)]
pub(super) struct Files {
    pub digest: u128,
    /// The part file.
    path: PathBuf,
}

impl Files {
    /// The list; `None` when it is gone, no longer decodes, or is another
    /// list than the one the header named when the build began.
    pub fn list(&self) -> Option<Vec<PathBuf>> {
        let bytes = std::fs::read(&self.path).ok()?;
        let (header, start): (Header, usize) = read_header(&bytes)?;
        (header.files == self.digest).then_some(())?;
        rmp_serde::from_slice(bytes.get(start..)?).ok()
    }
}

/// The digest that names a list of files in the headers: of each run of
/// 4096 paths, on both cores, then of those digests in order.
pub(super) fn digest(files: &[PathBuf]) -> u128 {
    use rayon::prelude::*;
    let runs: Vec<u128> = files
        .par_chunks(4096)
        .map(|run| {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            for f in run {
                h.update(f.as_os_str().as_encoded_bytes());
                h.update(b"\0");
            }
            h.digest128()
        })
        .collect();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for d in runs {
        h.update(&d.to_le_bytes());
    }
    h.digest128()
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Header {
    version: u32,
    /// The output folder it describes (another `--out` starts afresh).
    out: PathBuf,
    /// Which build wrote it (0 in the list of files, which outlives it).
    build: u128,
    /// The digest of the list of files it goes with.
    files: u128,
}

const VERSION: u32 = 5;

/// MessagePack: with thousands of pages, reading and writing JSON was a
/// tenth of a one-edit build.
fn part(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("build-{name}.bin"))
}

fn read<T: DeserializeOwned>(dir: &Path, name: &str) -> Option<(Header, T)> {
    let bytes = std::fs::read(part(dir, name)).ok()?;
    rmp_serde::from_slice(&bytes).ok()
}

/// The list of files: its header only (see [`Files`]).
fn read_files(dir: &Path) -> Option<(Header, Files)> {
    use std::io::Read;
    let path = part(dir, "files");
    // The header is an output folder's path and three numbers: it fits in
    // the first few kilobytes unless that path is very long.
    let mut head = Vec::with_capacity(8192);
    let file = std::fs::File::open(&path).ok()?;
    file.take(8192).read_to_end(&mut head).ok()?;
    let header = match read_header::<Header>(&head) {
        Some((header, _)) => header,
        None => read_header(&std::fs::read(&path).ok()?)?.0,
    };
    let digest = header.files;
    Some((header, Files { digest, path }))
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
    /// parts are there, of this format, and the outputs and checks are
    /// from one build, made with the list of files there.
    pub fn load(dir: &Path, out: &Path) -> Option<BuildCache> {
        let ((files, outputs), checks) = rayon::join(
            || rayon::join(|| read_files(dir), || read(dir, "outputs")),
            || read(dir, "checks"),
        );
        let (h1, files) = files?;
        let (header, outputs) = outputs?;
        let (h3, checks) = checks?;
        let fits = header.version == VERSION
            && header.out == out
            && h3 == header
            && h1.version == VERSION
            && h1.out == out
            && h1.files == header.files;
        fits.then_some(BuildCache {
            build: header.build,
            files,
            outputs,
            checks,
        })
    }
}

/// Saves a build's cache for the output folder `out`: its files (digest
/// `files_digest`; not written again when `listed` says the part there
/// already holds them), outputs and checks. `kept`: the build whose checks
/// part is there and holds `checks` as they are, with these files; then
/// only the outputs are written, under that build's header (a stop in
/// between leaves either outputs with those checks, both of one build).
pub(super) fn save(
    dir: &Path,
    out: &Path,
    (files, files_digest, listed): (&[PathBuf], u128, bool),
    outputs: &RenderCache,
    (checks, kept): (&CheckCache, Option<u128>),
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    // The one file of khao 0.1 before format 3.
    let _ = std::fs::remove_file(dir.join("build.bin"));
    let header = |build| Header {
        version: VERSION,
        out: out.to_path_buf(),
        build,
        files: files_digest,
    };
    // The list first: outputs and checks written after it name it, and a
    // stop in between leaves them naming the old one (no cache).
    if !listed {
        // The header, then the list: read without decoding the list.
        crate::plumbing::fs::write_cache(&part(dir, "files"), |out| {
            crate::plumbing::table::write_msgpack(out, &header(0), false)?;
            crate::plumbing::table::write_msgpack(out, files, false)
        })?;
    }
    if let Some(build) = kept.filter(|_| listed) {
        return write(dir, "outputs", &header(build), outputs, false);
    }
    let header = header(build_id());
    let (outputs, checks) = rayon::join(
        || write(dir, "outputs", &header, outputs, false),
        || write(dir, "checks", &header, checks, true),
    );
    outputs.and(checks)
}

/// Different for every build on this machine: the time and the process.
fn build_id() -> u128 {
    crate::plumbing::fs::now_ns() as u128 ^ (u128::from(std::process::id()) << 96)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Saves `files` as a build would: written unless `listed`.
    fn save_files(dir: &Path, out: &Path, files: &[PathBuf], listed: bool) {
        let (outputs, checks) = (RenderCache::default(), CheckCache::default());
        let listed = (files, digest(files), listed);
        save(dir, out, listed, &outputs, (&checks, None)).unwrap();
    }

    const OUT: &str = "/site/public";

    /// A cache folder holding a build of one page, `index.html`, into
    /// [`OUT`].
    fn saved_home_page() -> (tempfile::TempDir, Vec<PathBuf>) {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![PathBuf::from("index.html")];
        save_files(dir.path(), Path::new(OUT), &files, false);
        (dir, files)
    }

    /// When the part `name` in `dir` was last written.
    fn written_at(dir: &Path, name: &str) -> std::time::SystemTime {
        std::fs::metadata(part(dir, name))
            .unwrap()
            .modified()
            .unwrap()
    }

    #[test]
    fn checks_as_they_were_are_not_written_again() {
        let (tmp, files) = saved_home_page();
        let (dir, out) = (tmp.path(), Path::new(OUT));
        let last = BuildCache::load(dir, out).unwrap();
        let checks_stamp = || written_at(dir, "checks");
        let before = checks_stamp();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let mut outputs = RenderCache::default();
        let record = crate::render::OutputRecord {
            key: "k".into(),
            len: 1,
            mtime_ns: 2,
        };
        outputs.insert(Path::new("index.html").into(), record.clone());
        let listed = (&files[..], digest(&files), true);
        save(dir, out, listed, &outputs, (&last.checks, Some(last.build))).unwrap();
        assert_eq!(checks_stamp(), before);
        // The new outputs, with the checks as they were: one cache.
        let back = BuildCache::load(dir, out).expect("outputs and checks still fit");
        assert_eq!(back.build, last.build);
        assert_eq!(
            back.outputs
                .get(crate::plumbing::paths::key(Path::new("index.html"))),
            Some(&record)
        );
        // A new list of files is named in both parts: both written.
        let other = vec![PathBuf::from("a.html")];
        let listed = (&other[..], digest(&other), false);
        save(dir, out, listed, &outputs, (&back.checks, Some(back.build))).unwrap();
        assert_ne!(checks_stamp(), before);
        assert!(BuildCache::load(dir, out).is_some());
    }

    #[test]
    fn parts_of_two_builds_are_no_cache() {
        let (tmp, files) = saved_home_page();
        let (dir, out) = (tmp.path(), Path::new(OUT));
        let back = BuildCache::load(dir, out).expect("read back");
        assert_eq!(back.files.digest, digest(&files));
        assert_eq!(back.files.list(), Some(files.clone()));
        // Another output folder starts afresh.
        assert!(BuildCache::load(dir, Path::new("/elsewhere")).is_none());
        // One part from a later build: no cache at all.
        let checks = std::fs::read(part(dir, "checks")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        save_files(dir, out, &files, true);
        std::fs::write(part(dir, "checks"), checks).unwrap();
        assert!(BuildCache::load(dir, out).is_none());
        // A missing part too.
        save_files(dir, out, &files, true);
        std::fs::remove_file(part(dir, "checks")).unwrap();
        assert!(BuildCache::load(dir, out).is_none());
    }

    #[test]
    fn the_list_of_files_is_written_only_when_it_changed() {
        let dir = tempfile::tempdir().unwrap();
        let (dir, out) = (dir.path(), Path::new("/site/public"));
        let one = vec![PathBuf::from("a/index.html"), PathBuf::from("index.html")];
        save_files(dir, out, &one, false);
        // The same files: the list stays as it was, and still fits.
        let stamp = || written_at(dir, "files");
        let before = stamp();
        std::thread::sleep(std::time::Duration::from_millis(20));
        save_files(dir, out, &one, true);
        assert_eq!(stamp(), before);
        assert_eq!(
            BuildCache::load(dir, out).unwrap().files.list(),
            Some(one.clone())
        );
        // Other files: a new list, which outputs and checks then name.
        let two = vec![PathBuf::from("index.html")];
        save_files(dir, out, &two, false);
        let back = BuildCache::load(dir, out).unwrap();
        assert_eq!(
            (back.files.digest, back.files.list()),
            (digest(&two), Some(two.clone()))
        );
        // Read only when asked for: a list written since is not the one
        // the header named.
        save_files(dir, out, &one, false);
        assert_eq!(back.files.list(), None);
        save_files(dir, out, &two, false);
        // Stopped after a new list, before the outputs and checks: they
        // name the old list, so no cache.
        let last = ["outputs", "checks"].map(|p| std::fs::read(part(dir, p)).unwrap());
        save_files(dir, out, &one, false);
        for (p, bytes) in ["outputs", "checks"].iter().zip(last) {
            std::fs::write(part(dir, p), bytes).unwrap();
        }
        assert!(BuildCache::load(dir, out).is_none());
    }
}
