//! The engine of `khao serve`: build, serve `public/` on 127.0.0.1, watch
//! `content/`, `themes/` and `site.yaml`, rebuild and reload the browser.
//!
//! Live reload is a long poll (`/_khao/wait?since=N`) answered when the
//! build generation moves on; no websocket, nothing to install. A failed
//! build keeps the server running: its error is reported to the caller
//! and shown, as an overlay, in every open page until the next good build.
//! The engine never prints: it tells its caller what happened through
//! [`Event`]s.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};
use tiny_http::{Header, Request, Response, Server};

use crate::build::{BuildError, BuildOptions, BuildReport, build_site_with};
use crate::config::{ConfigError, SiteConfig};
use crate::diagnostic::{Code, Diagnostic, Failure, Severity};
use crate::i18n::{Lang, Message};
use crate::plumbing::paths::PUBLIC_DIR;
use crate::plumbing::progress::Progress;
use crate::preview;
use crate::static_server::{content_type, resolve};

/// The script every served HTML page gets, just before `</body>`.
const RELOAD_TAG: &str = "<script src=\"/_khao/livereload.js\"></script>";

const RELOAD_JS: &str = include_str!("serve_livereload.js");

/// What happened, for the caller to show.
pub enum Event {
    /// A build finished (the first, or after a change).
    Rebuilt {
        millis: u128,
        report: Box<BuildReport>,
    },
    BuildFailed(BuildError),
    /// site.yaml no longer reads.
    ConfigFailed(ConfigError),
    /// A folder could not be watched.
    WatchFailed(String),
}

/// Where events go (from the watching thread too).
pub type Events = Arc<dyn Fn(Event) + Send + Sync>;

/// Why serving could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    Watch(String),
    Bind { port: u16, error: String },
}

crate::display_failure!(ServeError);

impl Failure for ServeError {
    fn code(&self) -> Code {
        Code::Serve
    }

    fn message(&self) -> Message {
        match self {
            ServeError::Watch(e) => Message::new("serve.watch_failed").arg("error", e),
            ServeError::Bind { port, error } => Message::new("serve.bind_failed")
                .arg("port", port)
                .arg("error", error),
        }
    }
}

/// What the browser needs to know about the latest build.
#[derive(Debug, Clone, Default)]
struct BuildState {
    generation: u64,
    /// The error text of the latest build, `None` when it succeeded.
    error: Option<String>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<BuildState>,
    changed: Condvar,
    /// What the previous rebuilds learnt (see [`crate::build::Memo`]).
    memo: Arc<crate::build::Memo>,
}

impl Shared {
    fn publish(&self, error: Option<String>) {
        if let Ok(mut s) = self.state.lock() {
            s.generation += 1;
            s.error = error;
        }
        self.changed.notify_all();
    }

    fn snapshot(&self) -> BuildState {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Waits until the generation passes `since`, or the timeout.
    fn wait_after(&self, since: u64, timeout: Duration) -> BuildState {
        let Ok(guard) = self.state.lock() else {
            return BuildState::default();
        };
        match self
            .changed
            .wait_timeout_while(guard, timeout, |s| s.generation <= since)
        {
            Ok((s, _)) => s.clone(),
            Err(_) => BuildState::default(),
        }
    }
}

/// A site being served: built once, watched, listening.
pub struct Serving {
    server: Arc<Server>,
    shared: Arc<Shared>,
    site_dir: PathBuf,
    public: PathBuf,
}

/// Context of every rebuild.
#[derive(Clone)]
struct Builder {
    site_dir: PathBuf,
    public: PathBuf,
    shared: Arc<Shared>,
    events: Events,
    progress: Option<Arc<dyn Progress + Send + Sync>>,
}

/// Watches the sources, builds once, and listens on 127.0.0.1:`port` (0
/// picks a free port). Returns once the address is known; [`Serving::run`]
/// then answers requests until the process stops.
pub fn start(
    site_dir: &Path,
    config: SiteConfig,
    port: u16,
    events: Events,
    progress: Option<Arc<dyn Progress + Send + Sync>>,
) -> Result<Serving, ServeError> {
    // Absolute, because watch events carry absolute paths (`--site .`).
    let site_dir = std::fs::canonicalize(site_dir).unwrap_or_else(|_| site_dir.to_path_buf());
    let builder = Builder {
        public: site_dir.join(PUBLIC_DIR),
        site_dir: site_dir.clone(),
        shared: Arc::new(Shared::default()),
        events,
        progress,
    };
    let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(move |res| {
        let _ = tx.send(res);
    })
    .map_err(|e| ServeError::Watch(e.to_string()))?;
    // Watch before the first build and before the address is known: a
    // file saved right after `serve` starts must not slip through.
    let mut watching = Vec::new();
    watch_sources(&mut watcher, &site_dir, &mut watching, &builder.events);
    builder.rebuild(config);
    let server = Server::http(("127.0.0.1", port)).map_err(|e| ServeError::Bind {
        port,
        error: e.to_string(),
    })?;
    let serving = Serving {
        server: Arc::new(server),
        shared: builder.shared.clone(),
        site_dir: site_dir.clone(),
        public: builder.public.clone(),
    };
    std::thread::spawn(move || {
        while let Ok(first) = rx.recv() {
            if !triggers_rebuild(&site_dir, &first) {
                continue;
            }
            // Debounce: an editor's save or a copied folder is many
            // events; rebuild once they have been quiet for a moment.
            while rx.recv_timeout(DEBOUNCE).is_ok() {}
            // `themes/` or `content/` may have been created just now.
            watch_sources(&mut watcher, &site_dir, &mut watching, &builder.events);
            match SiteConfig::load(&site_dir) {
                Ok(c) => builder.rebuild(c),
                Err(e) => {
                    builder.shared.publish(Some(e.message().render(e.lang)));
                    (builder.events)(Event::ConfigFailed(e));
                }
            }
        }
    });
    Ok(serving)
}

impl Serving {
    /// `http://127.0.0.1:<port>/`
    pub fn url(&self) -> String {
        let addr = self
            .server
            .server_addr()
            .to_ip()
            .map(|a| a.to_string())
            .unwrap_or_default();
        format!("http://{addr}/")
    }

    /// Answers requests until the process stops.
    pub fn run(self) {
        for request in self.server.incoming_requests() {
            let shared = self.shared.clone();
            let public = self.public.clone();
            let site_dir = self.site_dir.clone();
            std::thread::spawn(move || handle(request, &site_dir, &public, &shared));
        }
    }
}

/// How long the sources must be quiet before a rebuild starts. An editor's
/// save (write, or write a copy and rename) is a burst well within this; a
/// copied folder may take two rebuilds, the second catching the rest.
const DEBOUNCE: Duration = Duration::from_millis(10);

/// Reads (which inotify reports too, and which every build does) never
/// trigger a rebuild; writes, creations, removals and renames of sources do.
fn triggers_rebuild(site_dir: &Path, event: &notify::Result<notify::Event>) -> bool {
    match event {
        Ok(e) => {
            !matches!(e.kind, EventKind::Access(_))
                && e.paths.iter().any(|p| is_watched(site_dir, p))
        }
        Err(_) => true,
    }
}

/// Adds a watch for each source folder that exists and is not watched yet.
fn watch_sources(
    watcher: &mut notify::RecommendedWatcher,
    site_dir: &Path,
    watching: &mut Vec<PathBuf>,
    events: &Events,
) {
    for (path, mode) in watched_paths(site_dir) {
        if watching.contains(&path) || !path.exists() {
            continue;
        }
        match watcher.watch(&path, mode) {
            Ok(()) => watching.push(path),
            Err(e) => events(Event::WatchFailed(e.to_string())),
        }
    }
}

/// The folders and files whose changes trigger a rebuild.
fn watched_paths(site_dir: &Path) -> Vec<(PathBuf, RecursiveMode)> {
    vec![
        (site_dir.join("content"), RecursiveMode::Recursive),
        (site_dir.join("themes"), RecursiveMode::Recursive),
        // site.yaml is watched through its folder: editors replace the file.
        (site_dir.to_path_buf(), RecursiveMode::NonRecursive),
    ]
}

fn is_watched(site_dir: &Path, path: &Path) -> bool {
    let rel = path.strip_prefix(site_dir).unwrap_or(path);
    let first = rel.components().next().map(|c| c.as_os_str().to_owned());
    match first.as_ref().and_then(|f| f.to_str()) {
        Some("content") | Some("themes") => !is_editor_noise(path),
        Some("site.yaml") => true,
        _ => false,
    }
}

/// Swap and backup files editors write beside the real one.
fn is_editor_noise(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with(".#")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
}

impl Builder {
    /// Builds the site; the browser reloads as soon as the pages are
    /// written, and the page checks' verdict follows (a second reload only
    /// if it differs).
    fn rebuild(&self, config: SiteConfig) {
        let started = Instant::now();
        let lang = config.language;
        let _lock = crate::plumbing::lock::SiteLock::acquire(&self.site_dir);
        let options = BuildOptions {
            out: Some(self.public.clone()),
            now: Some(crate::plumbing::clock::now(config.tz())),
            progress: self.progress.clone(),
            memo: Some(self.shared.memo.clone()),
        };
        let early: std::cell::RefCell<Option<Option<String>>> = std::cell::RefCell::new(None);
        let result = build_site_with(&self.site_dir, &config, &options, &|problems| {
            let errors = error_text(problems, lang);
            self.shared.publish(errors.clone());
            *early.borrow_mut() = Some(errors);
        });
        let report = match result {
            Ok(r) => r,
            Err(e) => {
                self.shared.publish(Some(e.message().render(lang)));
                (self.events)(Event::BuildFailed(e));
                return;
            }
        };
        let errors = error_text(&report.problems, lang);
        if early.borrow().as_ref() != Some(&errors) {
            self.shared.publish(errors);
        }
        (self.events)(Event::Rebuilt {
            millis: started.elapsed().as_millis(),
            report: Box::new(report),
        });
    }
}

/// The build's errors as the overlay shows them, one per line; `None`
/// when there are none.
fn error_text(problems: &[Diagnostic], lang: Lang) -> Option<String> {
    let errors: Vec<String> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| {
            let file = p.file_and_line();
            match &p.target {
                Some(t) => format!("{file}: {t} — {}", p.render(lang)),
                None => format!("{file}: {}", p.render(lang)),
            }
        })
        .collect();
    (!errors.is_empty()).then(|| errors.join("\n"))
}

fn handle(request: Request, site_dir: &Path, public: &Path, shared: &Shared) {
    let url = request.url().to_string();
    let path = url.split('?').next().unwrap_or("");
    let response = match path {
        "/_khao/livereload.js" => text(RELOAD_JS, "text/javascript; charset=utf-8", 200),
        "/_khao/status" => status_json(&shared.snapshot()),
        "/_khao/wait" => {
            let since = url
                .split_once("since=")
                .and_then(|(_, v)| v.split('&').next())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
            status_json(&shared.wait_after(since, Duration::from_secs(25)))
        }
        p if p.starts_with(preview::PREFIX) => preview_answer(site_dir, p),
        _ => serve_file(public, &url),
    };
    let _ = request.respond(response);
}

/// The pending requests' preview (`/_requests/`), read fresh on each visit.
fn preview_answer(site_dir: &Path, path: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    let config = match SiteConfig::load(site_dir) {
        Ok(c) => c,
        Err(e) => {
            return text(
                &e.message().render(e.lang),
                "text/plain; charset=utf-8",
                500,
            );
        }
    };
    match preview::answer(site_dir, &config, path) {
        preview::Answer::Html(html) => text_bytes(
            inject_reload(html.into_bytes()),
            "text/html; charset=utf-8",
            200,
        ),
        preview::Answer::File(file) => match crate::plumbing::fs::read_regular(&file) {
            Ok(bytes) => text_bytes(bytes, content_type(&file), 200),
            Err(_) => text("404", "text/plain; charset=utf-8", 404),
        },
        preview::Answer::Bytes(bytes, ctype) => text_bytes(bytes, ctype, 200),
        preview::Answer::NotFound => text("404", "text/plain; charset=utf-8", 404),
    }
}

fn status_json(state: &BuildState) -> Response<std::io::Cursor<Vec<u8>>> {
    let body = serde_json::json!({ "generation": state.generation, "error": state.error });
    text(&body.to_string(), "application/json", 200)
}

fn text(body: &str, ctype: &str, status: u16) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut r = Response::from_data(body.as_bytes().to_vec()).with_status_code(status);
    if let Ok(h) = Header::from_bytes(&b"Content-Type"[..], ctype.as_bytes()) {
        r.add_header(h);
    }
    if let Ok(h) = Header::from_bytes(&b"Cache-Control"[..], &b"no-store"[..]) {
        r.add_header(h);
    }
    r
}

/// A file of `public/`; HTML gets the live-reload script.
fn serve_file(public: &Path, url: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    let (status, file) = match resolve(public, url) {
        Some(f) => (200, Some(f)),
        None => (404, Some(public.join("404.html")).filter(|p| p.is_file())),
    };
    let Some(file) = file else {
        let page = format!("<!DOCTYPE html><html><body><h1>404</h1>{RELOAD_TAG}</body></html>");
        return text(&page, "text/html; charset=utf-8", 404);
    };
    let Ok(mut bytes) = std::fs::read(&file) else {
        return text("404", "text/plain; charset=utf-8", 404);
    };
    let ctype = content_type(&file);
    if ctype.starts_with("text/html") {
        bytes = inject_reload(bytes);
    }
    text_bytes(bytes, ctype, status)
}

fn text_bytes(body: Vec<u8>, ctype: &str, status: u16) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut r = Response::from_data(body).with_status_code(status);
    if let Ok(h) = Header::from_bytes(&b"Content-Type"[..], ctype.as_bytes()) {
        r.add_header(h);
    }
    if let Ok(h) = Header::from_bytes(&b"Cache-Control"[..], &b"no-store"[..]) {
        r.add_header(h);
    }
    r
}

fn inject_reload(html: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8_lossy(&html);
    match text.rfind("</body>") {
        Some(i) => format!("{}{RELOAD_TAG}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{RELOAD_TAG}").into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reload_script_goes_before_body_end() {
        let out = inject_reload(b"<html><body><p>x</p></body></html>".to_vec());
        let out = String::from_utf8(out).unwrap();
        assert!(out.ends_with(&format!("{RELOAD_TAG}</body></html>")));
    }

    #[test]
    fn only_sources_trigger_rebuilds() {
        let site = Path::new("/s");
        assert!(is_watched(site, Path::new("/s/content/news/a/index.md")));
        assert!(is_watched(site, Path::new("/s/site.yaml")));
        assert!(is_watched(
            site,
            Path::new("/s/themes/default/templates/base.html")
        ));
        assert!(!is_watched(site, Path::new("/s/public/index.html")));
        assert!(!is_watched(site, Path::new("/s/.khao/cache/x")));
        assert!(!is_watched(site, Path::new("/s/content/.#index.md")));
    }
}
