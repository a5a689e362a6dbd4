//! The deploy itself, written once for every [`Store`].
//!
//! Layout under the target's path:
//!
//! ```text
//! releases/<id>/                 one complete copy of public/ per release
//! releases/<id>.manifest.json    what that release holds
//! releases/.tmp-<id>/            a release being built (never served)
//! current -> releases/<id>       the symlink the web server serves
//! ```
//!
//! **Releases** (a local folder, or an account with a shell): the new
//! release starts as a hard-linked copy of the current one, changed files
//! are unlinked and written, removed ones deleted, the manifest written,
//! the folder renamed to its id, and only then is `current` swapped, in one
//! rename. Cut off at any moment before that rename, the old release is
//! still wholly live; the half-built folder is removed by the next run.
//!
//! **In place** (an SFTP-only account, which cannot hard-link or run `cp`):
//! `current` is a plain folder (or, after a shell account lost its shell,
//! the release it points to). Each file is uploaded under a hidden temporary
//! name and renamed over the live one (posix-rename), so a visitor gets the
//! old or the new file, never a part; deletions come last, the manifest
//! (`current.manifest.json`) after them. The old versions of replaced and
//! deleted files are downloaded first, so a failed live check can put them
//! back.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::manifest::{Manifest, Plan};
use super::store::{Store, emptied_folders, join, parent};

pub const RELEASES: &str = "releases";
pub const CURRENT: &str = "current";
const TMP_PREFIX: &str = ".tmp-";
const MANIFEST_SUFFIX: &str = ".manifest.json";

/// How a target is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Releases,
    InPlace,
}

/// A failed operation on the target: what, where, why.
#[derive(Debug)]
pub struct StepError {
    pub op: &'static str,
    pub path: String,
    pub source: std::io::Error,
}

impl StepError {
    /// Whether the failure stays until someone changes the target (see
    /// [`lasting`]).
    pub fn lasting(&self) -> bool {
        lasting(&self.source)
    }
}

/// Whether `e` stays until someone changes the target (a full disk, a
/// folder the account may not write, a file where a folder should be):
/// trying again, now or in a new run, would end the same way.
fn lasting(e: &std::io::Error) -> bool {
    if let Some(n) = e.raw_os_error() {
        return matches!(
            n,
            libc::EACCES
                | libc::EPERM
                | libc::ENOSPC
                | libc::EDQUOT
                | libc::EROFS
                | libc::ENOTDIR
                | libc::EISDIR
                | libc::ENAMETOOLONG
        );
    }
    // SFTP's status, as libssh2 words it.
    let said = e.to_string();
    [
        "permission denied",
        "write protected",
        "no space on filesystem",
        "quota exceeded",
        "not a directory",
    ]
    .iter()
    .any(|s| said.contains(s))
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.op, self.path, self.source)
    }
}

type Step<T> = Result<T, StepError>;

fn at<T>(op: &'static str, path: &str, r: std::io::Result<T>) -> Step<T> {
    r.map_err(|source| StepError {
        op,
        path: path.to_string(),
        source,
    })
}

/// How long to wait before each retry of a failed operation.
const BACKOFF_MS: [u64; 3] = [200, 600, 1500];

/// Runs `f`, and after a failure reconnects and tries again, a few times
/// with growing pauses: a dropped connection or a busy server should not
/// end a deploy that a second try would finish.
fn retry<T>(
    store: &mut dyn Store,
    op: &'static str,
    path: &str,
    mut f: impl FnMut(&mut dyn Store) -> std::io::Result<T>,
) -> Step<T> {
    let mut last = None;
    for attempt in 0..=BACKOFF_MS.len() {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(BACKOFF_MS[attempt - 1]));
            if let Err(e) = store.reconnect() {
                last = Some(e);
                continue;
            }
        }
        match f(store) {
            Ok(v) => return Ok(v),
            // Waiting would not mend it: say so now.
            Err(e) if lasting(&e) => {
                let path = path.to_string();
                return Err(StepError {
                    op,
                    path,
                    source: e,
                });
            }
            Err(e) => last = Some(e),
        }
    }
    Err(StepError {
        op,
        path: path.to_string(),
        source: last.unwrap_or_else(|| std::io::Error::other("failed")),
    })
}

/// What is on the server now.
#[derive(Debug, Clone, Default)]
pub struct RemoteState {
    /// The release `current` points to.
    pub current: Option<String>,
    /// `current` is a plain folder (an in-place target).
    pub current_is_dir: bool,
    /// The files of the live release, as the last deploy recorded them
    /// (less any found missing: see [`drop_missing`]).
    pub manifest: Manifest,
    /// The release `current` points to is not there at all.
    pub current_gone: bool,
}

/// Where the manifest of the live site is kept.
fn manifest_path(state: &RemoteState) -> String {
    match &state.current {
        Some(id) => format!("{RELEASES}/{id}{MANIFEST_SUFFIX}"),
        None => format!("{CURRENT}{MANIFEST_SUFFIX}"),
    }
}

/// The id of the release `current` points to, if it is a link.
fn current_release(store: &mut dyn Store) -> Step<Option<String>> {
    let link = retry(store, "readlink", CURRENT, |s| s.read_link(CURRENT))?;
    Ok(link.map(|t| {
        t.trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string()
    }))
}

pub fn read_state(store: &mut dyn Store) -> Step<RemoteState> {
    let current = current_release(store)?;
    let current_is_dir =
        current.is_none() && retry(store, "stat", CURRENT, |s| s.is_plain_dir(CURRENT))?;
    let mut state = RemoteState {
        current,
        current_is_dir,
        manifest: Manifest::default(),
        current_gone: false,
    };
    let mpath = manifest_path(&state);
    if let Some(bytes) = retry(store, "read", &mpath, |s| s.read(&mpath))? {
        // An unreadable manifest only costs a full upload.
        state.manifest = Manifest::from_json(&bytes).unwrap_or_default();
    }
    Ok(state)
}

/// Takes out of the live release's manifest the files no longer in it
/// (removed on the server by hand, a clean-up job, a partial restore): the
/// deploy uploads them again instead of carrying over what is not there,
/// which every live check after would find missing.
fn drop_missing(store: &mut dyn Store, state: &mut RemoteState) -> Step<()> {
    let Some(cur) = &state.current else {
        return Ok(());
    };
    let dir = join(RELEASES, cur);
    let Some(there) = retry(store, "list", &dir, |s| s.files_under(&dir))? else {
        return Ok(());
    };
    state.current_gone = there.is_empty() && !retry(store, "stat", &dir, |s| s.is_plain_dir(&dir))?;
    state.manifest.files.retain(|rel, _| there.contains(rel));
    Ok(())
}

/// What a deploy did (or, dry, would do).
#[derive(Debug, Default)]
pub struct Outcome {
    pub plan: Plan,
    /// The release now live (`None` in place, or when nothing was ever deployed).
    pub release: Option<String>,
    /// The release that was live before, for a rollback.
    pub previous: Option<String>,
    /// Something changed on the server.
    pub changed: bool,
    /// In place: the old files, to put back if the live check fails.
    pub undo: Option<Undo>,
}

/// The old versions of the files an in-place deploy replaced or deleted.
#[derive(Debug)]
pub struct Undo {
    dir: tempfile::TempDir,
    /// Saved old files (path relative to the site).
    saved: Vec<String>,
    /// Files the deploy added, to remove again.
    added: Vec<String>,
    old_manifest: Manifest,
}

/// Progress callbacks: a file started, bytes sent.
pub struct Progress<'a> {
    /// The plan is known: files and bytes to upload.
    pub plan: &'a dyn Fn(usize, u64),
    pub file: &'a dyn Fn(&str),
    pub bytes: &'a dyn Fn(u64),
}

/// A new release id: sortable by time, then a short hash of the content.
pub fn new_release_id(manifest: &Manifest) -> String {
    format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%3fZ"),
        manifest.short_hash()
    )
}

/// Uploads `public` so that it becomes the live site.
pub fn deploy(
    store: &mut dyn Store,
    public: &Path,
    local: &Manifest,
    mode: Mode,
    dry_run: bool,
    progress: &Progress,
) -> Step<Outcome> {
    let mut state = read_state(store)?;
    if mode == Mode::Releases {
        drop_missing(store, &mut state)?;
    }
    let plan = local.plan_from(&state.manifest);
    let mut outcome = Outcome {
        release: state.current.clone(),
        previous: state.current.clone(),
        ..Outcome::default()
    };
    let nothing_to_do = plan.is_empty() && (state.current.is_some() || mode == Mode::InPlace);
    outcome.plan = plan;
    if dry_run || nothing_to_do {
        return Ok(outcome);
    }
    (progress.plan)(outcome.plan.upload.len(), outcome.plan.upload_bytes);
    match mode {
        Mode::Releases => deploy_release(store, public, local, &state, outcome, progress),
        Mode::InPlace => deploy_in_place(store, public, local, &state, outcome, progress),
    }
}

fn deploy_release(
    store: &mut dyn Store,
    public: &Path,
    local: &Manifest,
    state: &RemoteState,
    mut outcome: Outcome,
    progress: &Progress,
) -> Step<Outcome> {
    if state.current_is_dir {
        return Err(StepError {
            op: "current-is-folder",
            path: CURRENT.into(),
            source: std::io::Error::other("current is a folder, not a symlink"),
        });
    }
    // Leftovers of a deploy that was cut off.
    retry(store, "mkdir", RELEASES, |s| s.mkdir_all(RELEASES))?;
    for name in retry(store, "list", RELEASES, |s| s.list(RELEASES))? {
        if name.starts_with(TMP_PREFIX) {
            let p = join(RELEASES, &name);
            retry(store, "remove", &p, |s| s.remove_tree(&p))?;
        }
    }
    let id = new_release_id(local);
    let tmp = join(RELEASES, &format!("{TMP_PREFIX}{id}"));
    let dst = join(RELEASES, &id);
    retry(store, "remove", &dst, |s| s.remove_tree(&dst))?;
    // A release cut off (a full disk, a folder it may not write) is taken
    // away at once: left, it would hold the space the next try needs.
    let made = (|| -> Step<()> {
        match &state.current {
            Some(cur) if !state.current_gone => {
                let from = join(RELEASES, cur);
                retry(store, "copy", &tmp, |s| s.copy_tree_linked(&from, &tmp))?;
            }
            _ => retry(store, "mkdir", &tmp, |s| s.mkdir_all(&tmp))?,
        }
        apply(store, &tmp, &outcome.plan, public, progress, false)?;
        let mpath = format!("{RELEASES}/{id}{MANIFEST_SUFFIX}");
        let json = local.to_json();
        retry(store, "write", &mpath, |s| s.write_atomic(&mpath, &json))?;
        retry(store, "rename", &tmp, |s| s.rename(&tmp, &dst))?;
        Ok(())
    })();
    if let Err(e) = made {
        let _ = store.remove_tree(&tmp);
        return Err(e);
    }
    retry(store, "swap", CURRENT, |s| s.swap_link(CURRENT, &dst))?;
    outcome.release = Some(id);
    outcome.changed = true;
    Ok(outcome)
}

/// Uploads `plan`'s files into `base` (each folder made once) and deletes
/// its removed ones there. `atomic` writes each file under a temporary
/// name first, for a folder being served; a release being built is not.
fn apply(
    store: &mut dyn Store,
    base: &str,
    plan: &Plan,
    public: &Path,
    progress: &Progress,
    atomic: bool,
) -> Step<()> {
    let mut folders = std::collections::HashSet::new();
    for rel in &plan.upload {
        (progress.file)(rel);
        let remote = join(base, rel);
        let dir = parent(&remote).to_string();
        if folders.insert(dir.clone()) {
            retry(store, "mkdir", &dir, |s| s.mkdir_all(&dir))?;
        }
        let src = local_path(public, rel);
        retry(store, "upload", rel, |s| match atomic {
            true => s.upload_atomic(&src, &remote, progress.bytes),
            false => s.upload(&src, &remote, progress.bytes),
        })?;
    }
    for rel in &plan.delete {
        let remote = join(base, rel);
        retry(store, "delete", rel, |s| s.remove_file(&remote))?;
    }
    // A deleted item's folders go with it: a visitor finds nothing there.
    for dir in emptied_folders(base, plan.delete.iter()) {
        store.remove_empty_dir(&dir);
    }
    Ok(())
}

fn local_path(public: &Path, rel: &str) -> PathBuf {
    let mut p = public.to_path_buf();
    for part in rel.split('/') {
        p.push(part);
    }
    p
}

fn deploy_in_place(
    store: &mut dyn Store,
    public: &Path,
    local: &Manifest,
    state: &RemoteState,
    mut outcome: Outcome,
    progress: &Progress,
) -> Step<Outcome> {
    let base = match &state.current {
        Some(id) => join(RELEASES, id),
        None => CURRENT.to_string(),
    };
    // Keep the old versions first: there is no older release to go back to.
    let dir = at("undo", "", tempfile::tempdir())?;
    let mut undo = Undo {
        dir,
        saved: Vec::new(),
        added: Vec::new(),
        old_manifest: state.manifest.clone(),
    };
    let plan = &outcome.plan;
    for rel in plan.upload.iter().chain(plan.delete.iter()) {
        if !state.manifest.files.contains_key(rel) {
            undo.added.push(rel.clone());
            continue;
        }
        let remote = join(&base, rel);
        if let Some(bytes) = retry(store, "read", rel, |s| s.read(&remote))? {
            let saved = local_path(undo.dir.path(), rel);
            if let Some(p) = saved.parent() {
                at("undo", rel, std::fs::create_dir_all(p))?;
            }
            at("undo", rel, std::fs::write(&saved, bytes))?;
            undo.saved.push(rel.clone());
        }
    }
    undo.added.retain(|p| !plan.delete.contains(p));
    retry(store, "mkdir", &base, |s| s.mkdir_all(&base))?;
    apply(store, &base, plan, public, progress, true)?;
    let mpath = manifest_path(state);
    let json = local.to_json();
    retry(store, "write", &mpath, |s| s.write_atomic(&mpath, &json))?;
    outcome.changed = true;
    outcome.undo = Some(undo);
    Ok(outcome)
}

/// Puts back what an in-place deploy replaced.
pub fn undo_in_place(store: &mut dyn Store, undo: &Undo) -> Step<()> {
    let state = read_state(store)?;
    let base = match &state.current {
        Some(id) => join(RELEASES, id),
        None => CURRENT.to_string(),
    };
    for rel in &undo.saved {
        let src = local_path(undo.dir.path(), rel);
        let remote = join(&base, rel);
        let dir = parent(&remote).to_string();
        retry(store, "mkdir", &dir, |s| s.mkdir_all(&dir))?;
        retry(store, "upload", rel, |s| {
            s.upload_atomic(&src, &remote, &|_| {})
        })?;
    }
    for rel in &undo.added {
        let remote = join(&base, rel);
        retry(store, "delete", rel, |s| s.remove_file(&remote))?;
    }
    for dir in emptied_folders(&base, undo.added.iter()) {
        store.remove_empty_dir(&dir);
    }
    let mpath = manifest_path(&state);
    let json = undo.old_manifest.to_json();
    retry(store, "write", &mpath, |s| s.write_atomic(&mpath, &json))
}

/// The release ids on the server, oldest first.
pub fn list_releases(store: &mut dyn Store) -> Step<Vec<String>> {
    let names = retry(store, "list", RELEASES, |s| s.list(RELEASES))?;
    let mut ids: Vec<String> = names
        .into_iter()
        .filter(|n| !n.starts_with('.') && !n.ends_with(".json"))
        .collect();
    ids.sort();
    Ok(ids)
}

/// Points `current` at `id` again (a rollback).
pub fn switch_to(store: &mut dyn Store, id: &str) -> Step<()> {
    let dst = join(RELEASES, id);
    retry(store, "swap", CURRENT, |s| s.swap_link(CURRENT, &dst))
}

/// After a failed live check: back to `previous` (or to no site at all
/// after a first deploy), and the failed release removed.
pub fn revert(store: &mut dyn Store, failed: &str, previous: Option<&str>) -> Step<()> {
    match previous {
        Some(prev) => switch_to(store, prev)?,
        None => retry(store, "remove", CURRENT, |s| s.remove_file(CURRENT))?,
    }
    remove_release(store, failed)
}

fn remove_release(store: &mut dyn Store, id: &str) -> Step<()> {
    let dir = join(RELEASES, id);
    let m = format!("{dir}{MANIFEST_SUFFIX}");
    retry(store, "remove", &dir, |s| s.remove_tree(&dir))?;
    retry(store, "remove", &m, |s| s.remove_file(&m))
}

/// The release before the live one, for `--rollback`.
pub fn previous_release(store: &mut dyn Store) -> Step<(Option<String>, Option<String>)> {
    let current = current_release(store)?;
    let ids = list_releases(store)?;
    // Not one with the live content (a publish after a rollback makes the
    // rolled-back content again, under a new id): that would change nothing.
    let content = |id: &str| id.rsplit_once('-').map(|(_, hash)| hash.to_string());
    let prev = match &current {
        Some(cur) => (ids.iter())
            .rfind(|id| *id < cur && content(id) != content(cur))
            .cloned(),
        None => None,
    };
    Ok((current, prev))
}

/// Removes all but the newest `keep` releases (never the live one).
pub fn prune(store: &mut dyn Store, keep: usize) -> Step<Vec<String>> {
    // Which release is live, not its manifest (megabytes on a large site).
    let current = current_release(store)?;
    let ids = list_releases(store)?;
    let keep = keep.max(1);
    let mut removed = Vec::new();
    let cut = ids.len().saturating_sub(keep);
    for id in &ids[..cut] {
        if Some(id) == current.as_ref() {
            continue;
        }
        remove_release(store, id)?;
        removed.push(id.clone());
    }
    Ok(removed)
}
