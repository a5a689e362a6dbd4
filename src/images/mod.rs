//! Step 3 for photos: every published photo resized to the configured widths,
//! EXIF orientation applied and all metadata stripped (phone photos carry
//! GPS); originals are never published. Results are cached by a hash of the
//! source bytes and the parameters, and the work runs in parallel.
//!
//! Also the checks `khao check` needs before anything is decoded: the format
//! sniffed from the bytes and the pixel count read from the header.

use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::config::ImagesConfig;
use crate::plumbing::fs::Stamp;
use crate::plumbing::paths::{self, PathKey};
use crate::plumbing::progress::{Progress, Silent, Task};
use crate::plumbing::stat::Stater;

mod cache;
mod error;
mod gps;
mod paper;
mod probe;
mod resize;

pub use error::ImageError;
pub use gps::{clear_gps_in_place, without_gps};
pub use paper::{for_reading, shows_paper};
pub(crate) use probe::decode;
pub use probe::{
    Shows, SniffedFormat, header_dimensions, sniff, upright_dimensions, verify_decodes,
};

/// One photo to publish.
#[derive(Debug, Clone)]
pub struct ImageJob {
    /// The original photo.
    pub source: PathBuf,
    /// Where its variants go, relative to `public/` (e.g. `news/2026/slug`).
    pub out_dir: String,
}

/// One resized file of a photo.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    /// Site path of the file, e.g. `/news/2026/slug/photo1-640.jpg`.
    pub url: String,
}

/// Every published photo by its source path (see
/// [`crate::markdown::Resolver::image_key`]).
pub type ImageMap = rustc_hash::FxHashMap<PathKey, ProcessedImage>;

/// A published photo: its variants, smallest first.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ProcessedImage {
    pub source: PathBuf,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct ImageStats {
    pub processed: usize,
    pub cached: usize,
}

/// One result per job, in order.
pub type Results = Vec<Result<ProcessedImage, ImageError>>;

/// The output folders (relative to `public/`, as [`ImageJob::out_dir`])
/// that the memo found whole when this build began: nothing in them was
/// added, removed or renamed since a build last looked, so the render step
/// need not look at each page in them either.
pub type WholeFolders = FxHashSet<String>;

/// Processes every job; one result per job, in order.
///
/// `stats` counts photos (distinct source files): `processed` were decoded
/// and resized, `cached` were found in `cache_dir`.
pub fn process_all(
    jobs: &[ImageJob],
    config: &ImagesConfig,
    cache_dir: &Path,
    public_dir: &Path,
) -> (Results, ImageStats) {
    let (results, stats, _) = process_all_in(jobs, config, cache_dir, public_dir, &Silent, None);
    (results, stats)
}

/// Once a day, empties the cache of the processed photos no job uses (see
/// [`cache::prune`]); call it after a build in which every job came out
/// whole. Returns how many files went.
pub fn prune_cache(jobs: &[ImageJob], config: &ImagesConfig, cache_dir: &Path) -> usize {
    let sources = by_source(jobs).into_iter().map(|(source, _)| source);
    cache::prune(cache_dir, sources, &config.widths, config.quality)
}

/// What the previous build published for each photo: while a source's
/// stamp is unchanged and its files are still in `public/`, the photo's
/// cache entry is not read again. `khao serve` keeps it in memory; a
/// one-off build reads it from and saves it to `.khao/cache/` (see
/// [`crate::build::Memo`]).
#[derive(Default)]
pub struct Memo {
    published: crate::plumbing::table::Table<
        MemoKey,
        (Stamp, ProcessedImage),
        crate::plumbing::table::Positional,
    >,
    /// Each output folder (relative to `public/`) with its stamp when a
    /// build last found every photo published there whole. While the
    /// folder's stamp is the same, no file in it was removed or renamed
    /// since, and its photos are not looked at one by one.
    folders: crate::plumbing::table::Table<String, Stamp, crate::plumbing::table::Positional>,
}

/// A job as it was published: an xxh3-128 of its source, output folder
/// and file stem. Twelve thousand photos' keys are read with every build:
/// as three strings each, they were the largest part of reading the memo.
type MemoKey = u128;

fn memo_key(job: &ImageJob, stem: &str) -> MemoKey {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let (source, out_dir) = (paths::key(&job.source), job.out_dir.as_bytes());
    for part in [source, b"\0", out_dir, b"\0", stem.as_bytes()] {
        h.update(part);
    }
    h.digest128()
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("images::Memo")
    }
}

impl Memo {
    /// The published results of a source's jobs, when the source and every
    /// file are as they were.
    fn recall(
        &self,
        jobs: &[ImageJob],
        stems: &[String],
        indices: &[usize],
        source: &Path,
        public: &Public<'_>,
    ) -> Option<Vec<(usize, Result<ProcessedImage, ImageError>)>> {
        let stamp = public.stater.stamp(source)?;
        indices
            .iter()
            .map(|&i| {
                let key = memo_key(&jobs[i], &stems[i]);
                self.published.with_owned(&key, |(was, image)| {
                    let there = || public.whole(&jobs[i].out_dir) || published(&image, public.dir);
                    (was == stamp && there()).then_some((i, Ok(image)))
                })
            })
            .collect()
    }

    /// Whether `out_dir` was last found whole with stamp `stamp`: then
    /// every photo published there is still there as the memo last found
    /// it.
    fn found_whole(&self, out_dir: &str, stamp: &Stamp) -> bool {
        self.folders.with(out_dir, |was| Some(was == stamp)) == Some(true)
    }

    /// Remembers the stamp of each output folder whose photos all came out
    /// whole in this build: taken before any of them was looked at, so a
    /// file removed since shows as another stamp next build. Not when the
    /// folder changed after `settled_ns` (a second change within the
    /// clock's tick would keep its stamp).
    fn remember_folders(
        &self,
        public: &Public<'_>,
        jobs: &[ImageJob],
        results: &Results,
        settled_ns: i128,
    ) {
        let mut failed: FxHashSet<&str> = FxHashSet::default();
        for (job, r) in jobs.iter().zip(results) {
            if r.is_err() {
                failed.insert(&job.out_dir);
            }
        }
        for (out_dir, &(stamp, known)) in &public.folders {
            if !known && !failed.contains(out_dir) && stamp.settled_before(settled_ns) {
                self.folders.insert(out_dir.to_string(), stamp);
            }
        }
        self.folders.forget_others(public.folders.keys().copied());
    }

    /// Forgets the photos no job of this build uses: when it holds more
    /// entries than there are jobs (each job has one, once this build's
    /// results are remembered; one left behind is never trusted).
    fn forget_others(&self, jobs: &[ImageJob], stems: &[String]) {
        if self.published.len() <= jobs.len() {
            return;
        }
        let keys: Vec<MemoKey> = (jobs.iter().zip(stems))
            .map(|(job, stem)| memo_key(job, stem))
            .collect();
        self.published.forget_others(keys.iter());
    }

    /// The memo saved in `dir` with `header` (see
    /// [`crate::plumbing::table::Table`]).
    pub fn load<H: serde::Serialize + serde::de::DeserializeOwned + PartialEq + Sync>(
        dir: &Path,
        header: &H,
    ) -> Memo {
        let (published, folders) = rayon::join(
            || crate::plumbing::table::Table::load(dir, "images", header),
            || crate::plumbing::table::Table::load(dir, "image-folders", header),
        );
        Memo { published, folders }
    }

    pub fn save<H: serde::Serialize>(&self, dir: &Path, header: &H) {
        self.published.save(dir, "images", header);
        self.folders.save(dir, "image-folders", header);
    }

    /// `stamp` is the source's as it was read for `image`; not remembered
    /// when the source changed after `settled_ns` (see
    /// [`crate::plumbing::fs::SETTLED_NS`]).
    fn remember(
        &self,
        job: &ImageJob,
        stem: &str,
        stamp: Stamp,
        image: &ProcessedImage,
        settled_ns: i128,
    ) {
        if !stamp.settled_before(settled_ns) {
            return;
        }
        (self.published).insert(memo_key(job, stem), (stamp, image.clone()));
    }
}

/// The jobs of each source photo. Sorted by the bytes of the source path
/// (jobs usually come sorted so: then this is one pass, with no hashing
/// of ten thousand paths).
fn by_source(jobs: &[ImageJob]) -> Vec<(&Path, Vec<usize>)> {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by(|&a, &b| jobs[a].source.as_os_str().cmp(jobs[b].source.as_os_str()));
    let mut groups: Vec<(&Path, Vec<usize>)> = Vec::new();
    for i in order {
        let source = jobs[i].source.as_path();
        match groups.last_mut() {
            Some((s, indices)) if s.as_os_str() == source.as_os_str() => indices.push(i),
            _ => groups.push((source, vec![i])),
        }
    }
    groups
}

/// Whether every variant of `image` is in `public_dir`: asked only of the
/// photos of a folder that changed since the memo found it whole (see
/// [`Public::whole`]), so one edit costs a `stat` per output folder, not one
/// per photo or variant.
fn published(image: &ProcessedImage, public_dir: &Path) -> bool {
    (image.variants.iter()).all(|v| public_dir.join(v.url.trim_start_matches('/')).is_file())
}

/// `public/`, and the stamp of each output folder of this build's photos,
/// taken before any photo is looked at, with whether the memo found the
/// folder whole with that stamp (with a memo only).
struct Public<'a> {
    dir: &'a Path,
    folders: FxHashMap<&'a str, (Stamp, bool)>,
    /// Takes the stamps of the output folders and of the sources.
    stater: Stater,
}

impl<'a> Public<'a> {
    /// Whether every photo published in `out_dir` is still there as the
    /// memo last found it: the folder's stamp is the one remembered.
    fn whole(&self, out_dir: &str) -> bool {
        self.folders.get(out_dir).is_some_and(|&(_, whole)| whole)
    }

    fn whole_folders(&self) -> WholeFolders {
        (self.folders.iter())
            .filter(|(_, (_, whole))| *whole)
            .map(|(name, _)| name.to_string())
            .collect()
    }

    fn new(dir: &'a Path, jobs: &'a [ImageJob], memo: Option<&Memo>) -> Public<'a> {
        let mut names: Vec<&str> = if memo.is_some() {
            jobs.iter().map(|j| j.out_dir.as_str()).collect()
        } else {
            Vec::new()
        };
        names.sort_unstable();
        names.dedup();
        let stater = Stater::new();
        let folders = names
            .into_par_iter()
            .filter_map(|name| {
                let path = folder(dir, &clean_out_dir(name)?);
                let stamp = stater.stamp(&path)?;
                let whole = memo.is_some_and(|m| m.found_whole(name, &stamp));
                Some((name, (stamp, whole)))
            })
            .collect();
        Public {
            dir,
            folders,
            stater,
        }
    }
}

/// [`process_all`], telling `progress` of each photo done, first asking
/// `memo` (when given) what the previous build of this process published,
/// and remembering this build's results in it.
pub fn process_all_in(
    jobs: &[ImageJob],
    config: &ImagesConfig,
    cache_dir: &Path,
    public_dir: &Path,
    progress: &dyn Progress,
    memo: Option<&Memo>,
) -> (Results, ImageStats, WholeFolders) {
    let stems = public_stems(jobs);
    let settled_ns = crate::plumbing::fs::settled_ns();
    let public = Public::new(public_dir, jobs, memo);
    // One task per source file, however many pages use it: a photo is
    // decoded at most once per build.
    let groups = by_source(jobs);
    // Read only when a photo is not answered by the memo.
    let index: std::sync::OnceLock<cache::SourceIndex> = std::sync::OnceLock::new();

    progress.start(Task::Photos, groups.len() as u64);

    // Rayon runs one photo per worker thread, so at most "cores" photos are
    // in memory at once.
    let done: Vec<GroupDone> = groups
        .par_iter()
        .map(|(source, indices)| {
            if let Some(results) =
                memo.and_then(|m| m.recall(jobs, &stems, indices, source, &public))
            {
                progress.advance(Task::Photos, 1, "");
                return GroupDone {
                    results,
                    cached: Some(true),
                    fresh: None,
                    read_with: None,
                };
            }
            // A decoder bug on a hostile file must fail that photo, not the
            // build.
            let mut outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let index = index.get_or_init(|| cache::SourceIndex::load(cache_dir));
                photo(source, config, cache_dir, index)
            }))
            .unwrap_or_else(|_| Err(ImageError::Corrupt("decoder failure".into())));
            let cached = outcome.as_ref().ok().map(|o| o.cached);
            let read_with = outcome.as_ref().ok().map(|o| o.stamp);
            let fresh = outcome.as_mut().ok().and_then(|o| o.fresh.take());
            let results = indices
                .iter()
                .map(|&i| {
                    let r = match &outcome {
                        Ok(o) => publish(&jobs[i], &stems[i], o, cache_dir, public_dir),
                        Err(e) => Err(e.clone()),
                    };
                    (i, r)
                })
                .collect();
            progress.advance(Task::Photos, 1, &source.to_string_lossy());
            GroupDone {
                results,
                cached,
                fresh,
                read_with,
            }
        })
        .collect();
    progress.finish();

    // The index keeps the sources of this build: fresh hashes, or the ones
    // it already had. (When the memo answered for every photo, it was not
    // even read, and stays as it is.)
    if let Some(old_index) = index.into_inner() {
        update_index(cache_dir, &groups, &done, old_index);
    }

    let mut stats = ImageStats::default();
    let mut slots: Vec<Option<Result<ProcessedImage, ImageError>>> = vec![None; jobs.len()];
    for group in done {
        match group.cached {
            Some(true) => stats.cached += 1,
            Some(false) => stats.processed += 1,
            None => {}
        }
        for (i, r) in group.results {
            if let (Some(memo), Some(stamp), Ok(image)) = (memo, group.read_with, &r) {
                memo.remember(&jobs[i], &stems[i], stamp, image, settled_ns);
            }
            slots[i] = Some(r);
        }
    }
    if let Some(m) = memo {
        m.forget_others(jobs, &stems);
    }
    let results: Results = slots
        .into_iter()
        .map(|s| s.unwrap_or_else(|| Err(ImageError::Corrupt("not processed".into()))))
        .collect();
    if let Some(m) = memo {
        m.remember_folders(&public, jobs, &results, settled_ns);
    }
    (results, stats, public.whole_folders())
}

/// Saves the source index of this build's photos: their fresh hashes, or
/// the ones `old_index` had.
fn update_index(
    cache_dir: &Path,
    groups: &[(&Path, Vec<usize>)],
    done: &[GroupDone],
    old_index: cache::SourceIndex,
) {
    let mut index = cache::SourceIndex::default();
    let mut index_changed = false;
    for ((source, _), group) in groups.iter().zip(done) {
        let path = source.to_string_lossy().into_owned();
        if let Some(entry) = &group.fresh {
            index.entries.insert(path, entry.clone());
            index_changed = true;
        } else if let Some(entry) = old_index.entries.get(&path) {
            index.entries.insert(path, entry.clone());
        }
    }
    if index_changed || index.entries.len() != old_index.entries.len() {
        // Only a speed-up: a rebuild without it reads and hashes again.
        let _ = index.save(cache_dir);
    }
}

/// One source's results.
struct GroupDone {
    /// Each of its jobs' results, by job index.
    results: Vec<(usize, Result<ProcessedImage, ImageError>)>,
    /// Whether it came from the cache; `None` when it failed.
    cached: Option<bool>,
    /// A new hash of the source for the source index.
    fresh: Option<cache::SourceEntry>,
    /// The stamp of the source as this build read it, for the memo; `None`
    /// when the memo answered or the photo failed.
    read_with: Option<Stamp>,
}

/// A photo ready to publish: its complete cache entry.
struct Outcome {
    key: String,
    manifest: cache::Manifest,
    cached: bool,
    /// A new hash of the source for the source index.
    fresh: Option<cache::SourceEntry>,
    /// The source's stamp when it was read.
    stamp: Stamp,
}

/// Reads one source, and either finds it in the cache or decodes, resizes,
/// encodes and stores it.
fn photo(
    source: &Path,
    config: &ImagesConfig,
    cache_dir: &Path,
    index: &cache::SourceIndex,
) -> Result<Outcome, ImageError> {
    let unreadable = |e: std::io::Error| ImageError::Unreadable {
        file: source.to_path_buf(),
        error: e.to_string(),
    };
    let meta = std::fs::metadata(source).map_err(unreadable)?;
    let size = meta.len();
    let max_bytes = config.max_file_mb.saturating_mul(1024 * 1024);
    if size > max_bytes {
        return Err(ImageError::FileTooLarge {
            mb: format!("{:.1}", size as f64 / (1024.0 * 1024.0)),
            max: config.max_file_mb,
        });
    }
    // An unchanged file is known by its stamp: not read, not hashed.
    let stamp = Stamp::of(&meta);
    let path_key = source.to_string_lossy();
    let mut bytes = None;
    let mut fresh = None;
    let hash = match index.hash(&path_key, &stamp) {
        Some(h) => h.to_string(),
        None => {
            let hashed_ns = crate::plumbing::fs::now_ns();
            let b = crate::plumbing::fs::read_regular(source).map_err(unreadable)?;
            let h = cache::source_hash(&b);
            bytes = Some(b);
            fresh = Some(cache::SourceEntry {
                stamp,
                hash: h.clone(),
                hashed_ns,
            });
            h
        }
    };
    let key = cache::key(&hash, &config.widths, config.quality);
    if let Some(manifest) = cache::lookup(cache_dir, &key) {
        return Ok(Outcome {
            key,
            manifest,
            cached: true,
            fresh,
            stamp,
        });
    }
    let (bytes, key) = match bytes {
        Some(b) => (b, key),
        None => {
            // Known by its stamp but not in the cache: read it now, and make
            // sure the bytes are the ones the index knew.
            let b = crate::plumbing::fs::read_regular(source).map_err(unreadable)?;
            let h = cache::source_hash(&b);
            if h == hash {
                (b, key)
            } else {
                let key = cache::key(&h, &config.widths, config.quality);
                fresh = Some(cache::SourceEntry {
                    stamp,
                    hash: h,
                    hashed_ns: crate::plumbing::fs::now_ns(),
                });
                (b, key)
            }
        }
    };
    render_and_store(&bytes, &key, config, cache_dir, fresh, stamp)
}

/// Decodes, resizes, encodes and stores one photo whose bytes are `bytes`.
fn render_and_store(
    bytes: &[u8],
    key: &str,
    config: &ImagesConfig,
    cache_dir: &Path,
    fresh: Option<cache::SourceEntry>,
    stamp: Stamp,
) -> Result<Outcome, ImageError> {
    let key = key.to_string();
    let decoded = probe::decode_for_widths(bytes, config.max_pixels, &config.widths)?;
    let (kind, rendered) = resize::render(
        decoded.image,
        decoded.full,
        decoded.icc.as_deref(),
        &config.widths,
        config.quality,
    )?;
    let manifest =
        cache::store(cache_dir, &key, kind, &rendered).map_err(|e| ImageError::Write {
            file: cache_dir.to_path_buf(),
            error: e.to_string(),
        })?;
    Ok(Outcome {
        key,
        manifest,
        cached: false,
        fresh,
        stamp,
    })
}

/// One encoded output of [`render_photo`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedVariant {
    pub width: u32,
    pub height: u32,
    /// The file's bytes (JPEG, or PNG for transparent pictures).
    pub bytes: Vec<u8>,
}

/// Decodes, resizes and encodes one photo held in memory, without the cache
/// or any file: exactly the per-photo work of a cold build, so a benchmark
/// (`examples/photo_bench.rs`, `scripts/bench-photos`) times what users wait
/// for. Variants smallest first.
pub fn render_photo(
    bytes: &[u8],
    config: &ImagesConfig,
) -> Result<Vec<RenderedVariant>, ImageError> {
    let decoded = probe::decode_for_widths(bytes, config.max_pixels, &config.widths)?;
    let (_, rendered) = resize::render(
        decoded.image,
        decoded.full,
        decoded.icc.as_deref(),
        &config.widths,
        config.quality,
    )?;
    Ok(rendered
        .into_iter()
        .map(|r| RenderedVariant {
            width: r.width,
            height: r.height,
            bytes: r.bytes,
        })
        .collect())
}

/// Puts a photo's variants into `public/<out_dir>/`.
fn publish(
    job: &ImageJob,
    stem: &str,
    outcome: &Outcome,
    cache_dir: &Path,
    public_dir: &Path,
) -> Result<ProcessedImage, ImageError> {
    let out_dir = clean_out_dir(&job.out_dir).ok_or_else(|| ImageError::Write {
        file: PathBuf::from(&job.out_dir),
        error: "not a folder inside public/".into(),
    })?;
    let dir = folder(public_dir, &out_dir);
    let write_failed = |file: &Path, e: std::io::Error| ImageError::Write {
        file: file.to_path_buf(),
        error: e.to_string(),
    };
    std::fs::create_dir_all(&dir).map_err(|e| write_failed(&dir, e))?;
    let ext = &outcome.manifest.ext;
    let mut variants = Vec::with_capacity(outcome.manifest.variants.len());
    for &(width, height) in &outcome.manifest.variants {
        let file = format!("{stem}-{width}.{ext}");
        let from = cache::variant_path(cache_dir, &outcome.key, width, ext);
        let to = dir.join(&file);
        cache::publish(&from, &to).map_err(|e| write_failed(&to, e))?;
        let mut url = String::from("/");
        for part in &out_dir {
            url.push_str(part);
            url.push('/');
        }
        url.push_str(&file);
        variants.push(Variant { width, height, url });
    }
    Ok(ProcessedImage {
        source: job.source.clone(),
        variants,
    })
}

/// The folder of `public_dir` whose parts ([`clean_out_dir`]) are `parts`.
fn folder(public_dir: &Path, parts: &[String]) -> PathBuf {
    (parts.iter()).fold(public_dir.to_path_buf(), |p, c| p.join(c))
}

/// The parts of `out_dir`, or `None` if it would leave `public/`.
fn clean_out_dir(out_dir: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    for c in Path::new(out_dir.trim_start_matches('/')).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_str()?.to_string()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts)
}

/// The web-safe file stem of each job's photo: lower-case ASCII letters,
/// digits and `-`. A stem that lost characters on the way (Thai letters,
/// punctuation) gets a short hash of the original name, and so do stems that
/// would collide in the same folder, so two photos never share a file name.
fn public_stems(jobs: &[ImageJob]) -> Vec<String> {
    // Each job's file name and stem, on every core: thousands of photos.
    let (names, mut stems): (Vec<String>, Vec<String>) = jobs
        .par_iter()
        .map(|j| {
            let name = match paths::file_name(&j.source) {
                Some(name) => std::borrow::Cow::Borrowed(name),
                None => j.source.file_name().unwrap_or_default().to_string_lossy(),
            };
            let (stem, lossy) = web_stem(paths::file_stem(&name));
            let stem = if lossy {
                format!("{stem}-{}", short_hash(&name))
            } else {
                stem
            };
            (name.into_owned(), stem)
        })
        .unzip();
    // The same (folder, stem) from different sources: add the name's hash.
    let mut seen: FxHashMap<(&str, &str), Vec<usize>> =
        FxHashMap::with_capacity_and_hasher(jobs.len(), Default::default());
    for (i, job) in jobs.iter().enumerate() {
        seen.entry((job.out_dir.as_str(), stems[i].as_str()))
            .or_default()
            .push(i);
    }
    let mut clashes: Vec<Vec<usize>> = seen
        .into_values()
        .filter(|idx| {
            let first = &jobs[idx[0]].source;
            idx.iter().any(|&i| &jobs[i].source != first)
        })
        .collect();
    clashes.sort();
    for idx in clashes {
        // Sources in path order, so the numbering does not depend on the job
        // order; the same source keeps one name.
        let mut sources: Vec<&Path> = idx.iter().map(|&i| jobs[i].source.as_path()).collect();
        sources.sort();
        sources.dedup();
        for &i in &idx {
            let n = sources
                .iter()
                .position(|s| *s == jobs[i].source)
                .unwrap_or(0);
            let hash = short_hash(&format!("{}\0{n}", names[i]));
            stems[i] = format!("{}-{hash}", stems[i]);
        }
    }
    stems
}

/// `(stem, lossy)`: the name in `[a-z0-9-]`, at most 60 characters; `lossy`
/// when anything other than case, spaces, `_` or `.` was dropped or changed.
fn web_stem(raw: &str) -> (String, bool) {
    let mut out = String::new();
    let mut lossy = false;
    for ch in raw.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else {
            if !matches!(ch, '-' | '_' | ' ' | '.') {
                lossy = true;
            }
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.len() > 60 {
        out.truncate(60);
        while out.ends_with('-') {
            out.pop();
        }
        lossy = true;
    }
    if out.is_empty() {
        return ("photo".into(), true);
    }
    (out, lossy)
}

fn short_hash(text: &str) -> String {
    blake3::hash(text.as_bytes()).to_hex()[..6].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(source: &str, out_dir: &str) -> ImageJob {
        ImageJob {
            source: PathBuf::from(source),
            out_dir: out_dir.into(),
        }
    }

    #[test]
    fn web_stems() {
        assert_eq!(web_stem("IMG_1234"), ("img-1234".into(), false));
        assert_eq!(
            web_stem("Sports Day 2569"),
            ("sports-day-2569".into(), false)
        );
        assert_eq!(web_stem("รูปกิจกรรม1"), ("1".into(), true));
        assert_eq!(web_stem("ภาพ"), ("photo".into(), true));
        assert_eq!(web_stem("a--b__c"), ("a-b-c".into(), false));
    }

    #[test]
    fn stems_are_unique_per_folder_and_stable() {
        let jobs = vec![
            job("/s/news/a/photo.jpg", "news/2026/a"),
            job("/s/news/a/Photo.png", "news/2026/a"),
            job("/s/news/b/photo.jpg", "news/2026/b"),
            job("/s/news/a/ภาพ1.jpg", "news/2026/a"),
        ];
        let stems = public_stems(&jobs);
        assert_eq!(stems[2], "photo");
        assert_ne!(stems[0], stems[1]);
        assert!(stems[0].starts_with("photo-") && stems[1].starts_with("photo-"));
        assert!(stems[3].starts_with("1-"), "{}", stems[3]);
        let mut reversed = jobs.clone();
        reversed.reverse();
        let mut again = public_stems(&reversed);
        again.reverse();
        assert_eq!(stems, again);
    }

    #[test]
    fn out_dir_stays_inside_public() {
        assert_eq!(
            clean_out_dir("news/2026/a"),
            Some(vec!["news".into(), "2026".into(), "a".into()])
        );
        assert_eq!(clean_out_dir("/news/"), Some(vec!["news".into()]));
        assert_eq!(clean_out_dir(""), Some(vec![]));
        assert_eq!(clean_out_dir("../x"), None);
    }
}
