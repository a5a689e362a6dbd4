//! The engine of `khao watch`: watches `requests/` and (re)writes each
//! request's report once the request has been still for the settle time.
//! It tells its caller what happens through [`Event`]s and never prints.
//!
//! Staff copy folders slowly over a network share, so a request is checked
//! only when no file of it has changed for `--settle` seconds (by file
//! system events *and* by modification times, polled as a safety net for
//! shares that drop events), and it is checked again if it changed while
//! being checked: the final report always matches the final files. Watch
//! only ever writes report files; it never moves, changes or deletes a
//! staff member's file.
//!
//! Checks run beside the watching, [`AT_ONCE`] at a time: reading a scanned
//! list of names takes seconds a page, and the staff member who sent a
//! one-photo request meanwhile must not wait for it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant, SystemTime};

use crate::check::Checked;
use crate::config::SiteConfig;
use crate::plumbing::paths::REQUESTS_DIR;
use crate::request;

/// How often every request is re-scanned in case an event was missed.
const POLL: Duration = Duration::from_secs(2);

/// Most requests checked at the same time: one slow check leaves room for
/// the others, and the photos decoded at once stay few.
const AT_ONCE: usize = 2;

/// A check finished on its thread: the request, its files as they were
/// when the check began, and the verdict.
struct Done {
    path: PathBuf,
    before: Snapshot,
    checked: Option<Checked>,
}

/// The state of a request's files: (path, size, last change — mtime or
/// ctime, see [`request::changed`]) of every file.
type Snapshot = Vec<(PathBuf, u64, SystemTime)>;

fn snapshot(path: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    let walker = walkdir::WalkDir::new(path)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !request::is_ignored(&e.file_name().to_string_lossy()));
    for e in walker.filter_map(Result::ok) {
        if e.file_type().is_dir() {
            continue;
        }
        if let Ok(m) = e.path().symlink_metadata() {
            out.push((
                e.path().to_path_buf(),
                m.len(),
                request::changed(&m).unwrap_or(SystemTime::UNIX_EPOCH),
            ));
        }
    }
    out.sort();
    out
}

/// The request (entry directly under `requests/`) a changed path belongs to.
fn entry_of(requests_dir: &Path, path: &Path) -> Option<PathBuf> {
    let rel = path.strip_prefix(requests_dir).ok()?;
    let first = rel.components().next()?;
    let name = first.as_os_str().to_string_lossy();
    if request::is_ignored(&name) {
        return None;
    }
    Some(requests_dir.join(first))
}

/// What the watcher tells its caller.
#[derive(Debug)]
pub enum Event {
    /// Watching `path`, checking requests still for `settle`.
    Started { path: PathBuf, settle: Duration },
    /// File notifications are unavailable; the folder is polled instead.
    Polling { error: String },
    /// A request was checked and its report (re)written.
    Checked(Box<Checked>),
    /// A report could not be written.
    ReportFailed { request: String, error: String },
}

/// Why watching could not start.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// `requests/` cannot be made or opened.
    NoFolder { path: PathBuf, error: String },
}

crate::display_failure!(WatchError);

impl crate::diagnostic::Failure for WatchError {
    fn code(&self) -> crate::diagnostic::Code {
        crate::diagnostic::Code::Watch
    }

    fn message(&self) -> crate::i18n::Message {
        let WatchError::NoFolder { path, error } = self;
        crate::i18n::Message::new("watch.no_folder")
            .arg("path", path.display())
            .arg("error", error)
    }
}

/// The watcher's memory.
struct Watch<'a> {
    site_dir: PathBuf,
    requests_dir: PathBuf,
    config: Arc<SiteConfig>,
    settle: Duration,
    events: &'a mut dyn FnMut(Event),
    /// Requests waiting to settle: when each last changed.
    pending: HashMap<PathBuf, Instant>,
    /// What each request looked like when its report was last written.
    checked: HashMap<PathBuf, Snapshot>,
    /// What each request looked like at the last poll.
    polled: HashMap<PathBuf, Snapshot>,
    /// Requests being checked on a thread of their own.
    running: HashSet<PathBuf>,
    /// Where those threads say they are done.
    done_tx: mpsc::Sender<Done>,
    done_rx: mpsc::Receiver<Done>,
}

impl Watch<'_> {
    fn poll(&mut self) {
        let now = Instant::now();
        let entries = request::list_requests(&self.requests_dir);
        self.polled.retain(|p, _| entries.contains(p));
        self.checked.retain(|p, _| entries.contains(p));
        for e in entries {
            let snap = snapshot(&e);
            if self.polled.get(&e) != Some(&snap) {
                self.pending.entry(e.clone()).or_insert(now);
                self.polled.insert(e, snap);
            }
        }
    }

    /// Starts checking every request that has settled, the longest
    /// waiting first, while there is room ([`AT_ONCE`]). One being checked
    /// already waits for that check to end.
    fn process_due(&mut self) {
        let now = Instant::now();
        let mut due: Vec<(Instant, PathBuf)> = self
            .pending
            .iter()
            .filter(|(p, t)| now.duration_since(**t) >= self.settle && !self.running.contains(*p))
            .map(|(p, t)| (*t, p.clone()))
            .collect();
        due.sort();
        for (_, path) in due {
            if self.running.len() >= AT_ONCE {
                break;
            }
            self.pending.remove(&path);
            if !(path.is_dir() || path.is_file()) {
                continue; // vanished or renamed: its new name has its own events
            }
            let before = snapshot(&path);
            // A file changed within the settle time (an event was missed, or
            // the share reports late): wait for it.
            let newest = before.iter().map(|s| s.2).max();
            if let Some(age) = newest.and_then(|m| SystemTime::now().duration_since(m).ok())
                && age < self.settle
            {
                self.pending.insert(path, Instant::now() - age);
                continue;
            }
            if self.checked.get(&path) == Some(&before) {
                continue; // nothing changed since its report was written
            }
            self.start(path, before);
        }
    }

    /// Checks the request at `path` on a thread of its own; when no thread
    /// can be had, it waits for the next round.
    fn start(&mut self, path: PathBuf, before: Snapshot) {
        let (site_dir, config, tx) = (
            self.site_dir.clone(),
            Arc::clone(&self.config),
            self.done_tx.clone(),
        );
        let request = path.clone();
        let spawned = std::thread::Builder::new()
            .name("check".into())
            .spawn(move || {
                // A check that panicked is one not written, not a request
                // left "being checked" for ever.
                let today = crate::plumbing::clock::now(config.tz()).date_naive();
                let checked = std::panic::catch_unwind(|| {
                    let one = std::slice::from_ref(&request);
                    crate::check::check_paths(&site_dir, &config, one, today)
                });
                let _ = tx.send(Done {
                    path: request,
                    before,
                    checked: checked.ok().and_then(|c| c.into_iter().next()),
                });
            });
        match spawned {
            Ok(_) => {
                self.running.insert(path);
            }
            Err(_) => {
                self.pending.insert(path, Instant::now());
            }
        }
    }

    /// Writes the report of a finished check, unless the request changed
    /// while it was checked (then it is checked again once settled).
    fn finish(&mut self, done: Done) {
        let Done {
            path,
            before,
            checked,
        } = done;
        self.running.remove(&path);
        let Some(c) = checked else {
            return;
        };
        if snapshot(&path) != before {
            // Changed while being checked: the report would not match.
            self.pending.insert(path, Instant::now());
            return;
        }
        if let Err(e) = crate::check::report::write(&c, self.config.language) {
            (self.events)(Event::ReportFailed {
                request: c.shown.clone(),
                error: e.to_string(),
            });
            return;
        }
        let now = crate::plumbing::clock::now(self.config.tz());
        if let Err(e) =
            crate::records::Records::of(&self.site_dir).observe(std::slice::from_ref(&c), now)
        {
            (self.events)(Event::ReportFailed {
                request: c.shown.clone(),
                error: e.to_string(),
            });
        }
        (self.events)(Event::Checked(Box::new(c)));
        self.checked.insert(path, before);
    }

    /// Finishes every check that has ended.
    fn collect_done(&mut self) {
        while let Ok(done) = self.done_rx.try_recv() {
            self.finish(done);
        }
    }
}

/// Watches the requests of the site in `site_dir` until the process is
/// stopped, checking each once it has been still for `settle`.
pub fn run(
    site_dir: &Path,
    config: SiteConfig,
    settle: Duration,
    events: &mut dyn FnMut(Event),
) -> Result<(), WatchError> {
    let requests_dir = site_dir.join(REQUESTS_DIR);
    std::fs::create_dir_all(&requests_dir).map_err(|e| WatchError::NoFolder {
        path: requests_dir.clone(),
        error: e.to_string(),
    })?;
    let requests_dir = std::fs::canonicalize(&requests_dir).unwrap_or(requests_dir);
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let watcher = notify::recommended_watcher(move |res| {
        let _ = tx.send(res);
    })
    .and_then(|mut w| {
        use notify::Watcher;
        w.watch(&requests_dir, notify::RecursiveMode::Recursive)
            .map(|_| w)
    });
    if let Err(e) = &watcher {
        events(Event::Polling {
            error: e.to_string(),
        });
    }
    let site_dir = std::fs::canonicalize(site_dir).unwrap_or_else(|_| site_dir.to_path_buf());
    events(Event::Started {
        path: requests_dir.clone(),
        settle,
    });
    let (done_tx, done_rx) = mpsc::channel();
    let mut w = Watch {
        site_dir,
        requests_dir: requests_dir.clone(),
        config: Arc::new(config),
        settle,
        events,
        pending: HashMap::new(),
        checked: HashMap::new(),
        polled: HashMap::new(),
        running: HashSet::new(),
        done_tx,
        done_rx,
    };
    // Everything once at start (each still waits until it has settled).
    w.poll();
    let start = Instant::now() - settle;
    for t in w.pending.values_mut() {
        *t = start;
    }
    let mut last_poll = Instant::now();
    loop {
        w.collect_done();
        w.process_due();
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(Ok(event)) => {
                let now = Instant::now();
                // Reading (ours, a staff member opening the report, an
                // antivirus scan) changes nothing; and khao's own report
                // files are not the request.
                let paths = match event.kind {
                    notify::EventKind::Access(_) => &[][..],
                    _ => &event.paths[..],
                };
                for p in paths {
                    let own = p
                        .file_name()
                        .is_some_and(|n| request::is_ignored(&n.to_string_lossy()));
                    if own && p.parent() != Some(requests_dir.as_path()) {
                        continue;
                    }
                    if let Some(e) = entry_of(&requests_dir, p) {
                        w.pending.insert(e, now);
                    }
                }
            }
            Ok(Err(_)) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                std::thread::sleep(Duration::from_millis(200))
            }
        }
        if last_poll.elapsed() >= POLL {
            w.poll();
            last_poll = Instant::now();
        }
    }
}
