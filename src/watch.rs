//! `khao watch`: watches `requests/` and (re)writes each request's report
//! once the request has been still for the settle time.
//!
//! Staff copy folders slowly over a network share, so a request is checked
//! only when no file of it has changed for `--settle` seconds (by file
//! system events *and* by modification times, polled as a safety net for
//! shares that drop events), and it is checked again if it changed while
//! being checked: the final report always matches the final files. Watch
//! only ever writes report files; it never moves, changes or deletes a
//! staff member's file.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use crate::commands::Context;
use crate::config::SiteConfig;
use crate::i18n::{Lang, tr};
use crate::request;

/// How often every request is re-scanned in case an event was missed.
const POLL: Duration = Duration::from_secs(2);

/// The state of a request's files: (path, size, mtime) of every file.
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
                m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
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

/// The watcher's memory.
struct Watch {
    site_dir: PathBuf,
    requests_dir: PathBuf,
    config: SiteConfig,
    settle: Duration,
    json: bool,
    /// Requests waiting to settle: when each last changed.
    pending: HashMap<PathBuf, Instant>,
    /// What each request looked like when its report was last written.
    checked: HashMap<PathBuf, Snapshot>,
    /// What each request looked like at the last poll.
    polled: HashMap<PathBuf, Snapshot>,
}

impl Watch {
    fn lang(&self) -> Lang {
        self.config.language
    }

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

    /// Checks every request that has settled.
    fn process_due(&mut self) {
        let now = Instant::now();
        let due: Vec<PathBuf> = self
            .pending
            .iter()
            .filter(|(_, t)| now.duration_since(**t) >= self.settle)
            .map(|(p, _)| p.clone())
            .collect();
        for path in due {
            self.pending.remove(&path);
            if !(path.is_dir() || path.is_file()) {
                continue; // vanished or renamed: its new name has its own events
            }
            if !request::is_text_name(&path) && !path.is_dir() {
                continue;
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
            let checked = crate::check::check_paths(
                &self.site_dir,
                &self.config,
                std::slice::from_ref(&path),
            );
            let Some(c) = checked.into_iter().next() else {
                continue;
            };
            if snapshot(&path) != before {
                // Changed while being checked: the report would not match.
                self.pending.insert(path, Instant::now());
                continue;
            }
            if let Err(e) = crate::check::report::write(&c, self.lang()) {
                log_line(&tr(
                    self.lang(),
                    "check.report_unwritable",
                    &[("file", &c.shown), ("error", &e.to_string())],
                ));
                continue;
            }
            self.log_checked(&c);
            self.checked.insert(path, before);
        }
    }

    fn log_checked(&self, c: &crate::check::Checked) {
        let (e, w) = c.counts();
        if self.json {
            let mut v = crate::check::output::json(std::slice::from_ref(c));
            v["time"] = serde_json::json!(chrono::Local::now().to_rfc3339());
            println!("{v}");
        } else {
            let verdict = if c.ok() {
                tr(
                    self.lang(),
                    "check.verdict_ok",
                    &[("warnings", &w.to_string())],
                )
            } else {
                tr(
                    self.lang(),
                    "check.verdict_bad",
                    &[("errors", &e.to_string()), ("warnings", &w.to_string())],
                )
            };
            println!(
                "{} {} — {verdict}",
                chrono::Local::now().format("%H:%M:%S"),
                c.shown
            );
        }
        let _ = std::io::stdout().flush();
    }
}

fn log_line(s: &str) {
    eprintln!("{} {s}", chrono::Local::now().format("%H:%M:%S"));
}

/// `khao watch [--settle SECONDS]`: runs until interrupted.
pub fn run(ctx: &Context, settle: Option<f64>) -> u8 {
    let config = match ctx.config() {
        Ok(c) => c,
        Err(e) => return crate::commands::config_failed(ctx, &e),
    };
    let lang = config.language;
    let seconds = settle.unwrap_or(config.requests.settle_seconds);
    let settle = Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::from_secs(3));
    let requests_dir = ctx.site_dir.join("requests");
    if let Err(e) = std::fs::create_dir_all(&requests_dir) {
        eprintln!(
            "{}",
            tr(
                lang,
                "watch.no_folder",
                &[
                    ("path", &requests_dir.display().to_string()),
                    ("error", &e.to_string())
                ]
            )
        );
        return crate::exit::USAGE;
    }
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
        log_line(&tr(lang, "watch.polling", &[("error", &e.to_string())]));
    }
    let site_dir = std::fs::canonicalize(&ctx.site_dir).unwrap_or_else(|_| ctx.site_dir.clone());
    let mut w = Watch {
        site_dir,
        requests_dir: requests_dir.clone(),
        config,
        settle,
        json: ctx.json(),
        pending: HashMap::new(),
        checked: HashMap::new(),
        polled: HashMap::new(),
    };
    log_line(&tr(
        lang,
        "watch.started",
        &[
            ("path", &requests_dir.display().to_string()),
            ("settle", &format!("{seconds}")),
        ],
    ));
    // Everything once at start (each still waits until it has settled).
    w.poll();
    let start = Instant::now() - settle;
    for t in w.pending.values_mut() {
        *t = start;
    }
    let mut last_poll = Instant::now();
    loop {
        w.process_due();
        match rx.recv_timeout(Duration::from_millis(200)) {
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
