//! [`build`]: the index with files. The state is one file in the caller's
//! cache folder ([`STATE_FILE`]); the previous index's files are read back
//! from the output folder, where the previous build wrote them. The state
//! is used only when the output folder's `manifest.json` is the one it
//! describes (so a state made for another folder, or a folder changed by
//! hand, means a clean build); each file read back is checked too.
//!
//! Files are overwritten in place, not truncated first nor renamed over:
//! on ext4 either of those forces the block allocation of the file before
//! `close` returns (`auto_da_alloc`), measured at 0.1–1 ms per file here
//! against 10 µs in place. A torn file fails its check next time; the
//! manifest is written last, then stale files are removed and the state
//! saved.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::{Doc, How, Page, Pages, State, output, update_with};

/// The state file, in the cache folder given to [`build`].
pub const STATE_FILE: &str = "khao-search.state";

/// What [`build`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Files written, relative to the output folder.
    pub written: Vec<String>,
    /// Files removed.
    pub removed: Vec<String>,
    /// Per segment, how it was brought up to date.
    pub how: Vec<(&'static str, How)>,
    /// Milliseconds: reading the state, computing, writing the files,
    /// saving the state.
    pub ms: Timings,
    /// Bytes of the state file.
    pub state_bytes: usize,
    #[serde(skip)]
    pub state: State,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Timings {
    pub load: f64,
    pub update: f64,
    pub write: f64,
    pub save: f64,
}

impl Report {
    /// Every file of the index (relative to the output folder), sorted.
    pub fn files(&self) -> Vec<String> {
        output::all_paths(&self.state.segments)
    }
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// The state in `cache` if it describes the index in `out`.
pub fn load_state(out: &Path, cache: &Path) -> Option<State> {
    let state = State::from_bytes(&std::fs::read(cache.join(STATE_FILE)).ok()?)?;
    let manifest = std::fs::read(out.join(output::DIR).join("manifest.json")).ok()?;
    (xxhash_rust::xxh3::xxh3_64(&manifest) == state.manifest).then_some(state)
}

/// Indexes `docs` into `out/khao-search/`, keeping the state in `cache`
/// (a folder; created if missing). Only files whose bytes change are
/// written; the result is always byte for byte a clean build's.
pub fn build(docs: &[Doc], out: &Path, cache: &Path) -> io::Result<Report> {
    build_with(&super::pages::Docs(docs), out, cache)
}

/// [`build`] for [`Page`]s: `doc(i)` makes page `i`'s document, asked only
/// for pages whose stamp changed (see [`super::pages`]).
pub fn build_pages(
    pages: &[Page],
    doc: impl Fn(usize) -> Doc + Sync,
    out: &Path,
    cache: &Path,
) -> io::Result<Report> {
    build_with(&super::pages::Lazy { pages, doc }, out, cache)
}

/// [`build`] for any [`Pages`].
pub fn build_with(docs: &dyn Pages, out: &Path, cache: &Path) -> io::Result<Report> {
    let t = Instant::now();
    let previous = load_state(out, cache);
    let load = ms(t);

    let t = Instant::now();
    let read = |rel: &str| std::fs::read(out.join(rel)).ok();
    let up = update_with(docs, previous.as_ref(), &read);
    let update_ms = ms(t);

    let t = Instant::now();
    write_files(out, &up.files)?;
    for rel in &up.removed {
        remove(&out.join(rel))?;
    }
    // A segment that became empty leaves no folder behind.
    let parents: BTreeSet<&Path> = up
        .removed
        .iter()
        .filter_map(|rel| Path::new(rel).parent())
        .collect();
    for d in parents {
        let _ = std::fs::remove_dir(out.join(d));
    }
    if previous.is_none() {
        sweep(out, &up.all_files())?;
    }
    let write = ms(t);

    let t = Instant::now();
    let bytes = up.state.to_bytes();
    if previous.as_ref() != Some(&up.state) {
        save_state(cache, &bytes);
    }
    let save = ms(t);
    Ok(Report {
        written: up.files.into_iter().map(|f| f.0).collect(),
        removed: up.removed,
        how: up.how,
        ms: Timings {
            load,
            update: update_ms,
            write,
            save,
        },
        state_bytes: bytes.len(),
        state: up.state,
    })
}

/// Saves the index's state for the next build. Only a shortcut: whatever
/// stands in its way (a folder, a file cut short) is removed, and a state
/// that cannot be saved leaves none, so the next build starts over.
fn save_state(cache: &Path, bytes: &[u8]) {
    let path = cache.join(STATE_FILE);
    let save = || std::fs::create_dir_all(cache).and_then(|()| write_in_place(&path, bytes));
    if save().is_err() {
        let _ = std::fs::remove_dir_all(&path);
        let _ = std::fs::remove_file(&path);
        if save().is_err() {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Writes `files` under `out`, the last one (the manifest) after the rest.
fn write_files(out: &Path, files: &[(String, Vec<u8>)]) -> io::Result<()> {
    let dirs: BTreeSet<&Path> = files
        .iter()
        .filter_map(|(rel, _)| Path::new(rel).parent())
        .collect();
    for d in dirs {
        std::fs::create_dir_all(out.join(d))?;
    }
    let Some((last, rest)) = files.split_last() else {
        return Ok(());
    };
    let write = |(rel, bytes): &(String, Vec<u8>)| write_in_place(&out.join(rel), bytes);
    if rest.len() > 16 {
        rest.par_iter().with_min_len(8).try_for_each(write)?;
    } else {
        rest.iter().try_for_each(write)?;
    }
    write(last)
}

/// Writes `bytes` as the whole content of `path`, over the old content.
pub fn write_in_place(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    f.write_all(bytes)?;
    f.set_len(bytes.len() as u64)
}

fn remove(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Removes every file under `out/khao-search/` that is not in `keep`
/// (after a build without a usable state: leftovers of any earlier index).
fn sweep(out: &Path, keep: &[String]) -> io::Result<()> {
    let keep: std::collections::HashSet<&str> = keep.iter().map(String::as_str).collect();
    let mut stack = vec![out.join(output::DIR)];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(out)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if !keep.contains(rel.as_str()) {
                remove(&p)?;
            }
        }
    }
    Ok(())
}
