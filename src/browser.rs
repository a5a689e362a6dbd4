//! The rendering check in a real browser (`khao build --browser`, `khao
//! deploy --browser`, on by default in `publish`): fetching bytes does not
//! prove a visitor sees the page, so headless Chromium opens the key pages
//! and we fail on broken images, console errors, failed requests, a
//! horizontal scrollbar on a 360 px phone, text not in Sarabun, and any
//! WCAG 2.1 AA violation axe-core finds. Each page is photographed at phone
//! and desktop width into `<site>/.khao/browser/`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Network, Page};
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde::{Deserialize, Serialize};

use crate::diagnostic::{Code, Diagnostic, Failure};
use crate::i18n::Message;
use crate::static_server::StaticServer;

/// axe-core (MPL-2.0, see tests/vendor/axe-core/LICENSE), injected into the
/// page under test only: it is never written into public/.
const AXE_JS: &str = include_str!("../tests/vendor/axe-core/axe.min.js");

/// The axe rule sets of WCAG 2.1 AA.
const AXE_TAGS: &str = "['wcag2a','wcag2aa','wcag21a','wcag21aa']";

/// More news pages than this and a build checks a sample (the newest).
pub const MAX_NEWS_PAGES: usize = 30;

/// Phone and desktop widths of the checks and screenshots.
const PHONE: (u32, u32) = (360, 740);
const DESKTOP: (u32, u32) = (1280, 900);

/// Screenshots taller than this are cut (a very long page).
const MAX_SHOT_HEIGHT: f64 = 6000.0;

/// What went wrong on a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    PageLoad,
    BrokenImage,
    ConsoleError,
    FailedRequest,
    HorizontalScroll,
    FallbackFont,
    Accessibility,
}

impl ProblemKind {
    pub fn code(self) -> Code {
        match self {
            ProblemKind::PageLoad => Code::PageLoad,
            ProblemKind::BrokenImage => Code::BrokenImage,
            ProblemKind::ConsoleError => Code::ConsoleError,
            ProblemKind::FailedRequest => Code::FailedRequest,
            ProblemKind::HorizontalScroll => Code::HorizontalScroll,
            ProblemKind::FallbackFont => Code::FallbackFont,
            ProblemKind::Accessibility => Code::Accessibility,
        }
    }

    fn key(self) -> &'static str {
        match self {
            ProblemKind::PageLoad => "browser.page_load",
            ProblemKind::BrokenImage => "browser.broken_image",
            ProblemKind::ConsoleError => "browser.console_error",
            ProblemKind::FailedRequest => "browser.failed_request",
            ProblemKind::HorizontalScroll => "browser.horizontal_scroll",
            ProblemKind::FallbackFont => "browser.fallback_font",
            ProblemKind::Accessibility => "browser.accessibility",
        }
    }
}

/// One problem on one page: a diagnostic whose target is the page's URL
/// path (`/news/`) and whose message says what and gives the browser's
/// own words (`detail`).
pub type BrowserProblem = Diagnostic;

fn problem(page: &str, kind: ProblemKind, detail: String) -> BrowserProblem {
    let m = Message::new("browser.problem")
        .arg_msg("kind", Message::new(kind.key()))
        .arg("detail", detail);
    Diagnostic::error(kind.code(), m).about(page)
}

/// The result of a browser run.
#[derive(Debug, Clone, Default)]
pub struct BrowserReport {
    /// The URL paths opened, in order.
    pub pages: Vec<String>,
    /// When a build had more news pages than [`MAX_NEWS_PAGES`]: how many
    /// there were (only the newest were checked).
    pub news_total: Option<usize>,
    pub problems: Vec<BrowserProblem>,
    pub screenshots: Vec<PathBuf>,
}

impl BrowserReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Why the browser could not run at all.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BrowserError {
    NotInstalled,
    Launch(String),
    Report(String),
}

crate::display_failure!(BrowserError);

impl Failure for BrowserError {
    fn code(&self) -> Code {
        Code::Browser
    }

    fn message(&self) -> Message {
        match self {
            BrowserError::NotInstalled => Message::new("browser.not_installed"),
            BrowserError::Launch(e) => Message::new("browser.launch_failed").arg("error", e),
            BrowserError::Report(e) => Message::new("browser.report_failed").arg("error", e),
        }
    }
}

/// What a page's check in Chromium failed on, in the protocol's or the
/// script's own words: it becomes a `page-load` problem of that page.
struct Cdp(String);

impl<E: std::fmt::Display> From<E> for Cdp {
    fn from(e: E) -> Cdp {
        Cdp(format!("{e:#}"))
    }
}

/// Chromium: `$KHAO_CHROMIUM`, Debian's /usr/bin/chromium, or on the PATH.
pub fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KHAO_CHROMIUM") {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.is_file() {
        return Some(debian);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser", "google-chrome"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

/// The pages a build checks: home, the news list, every news page (the
/// newest [`MAX_NEWS_PAGES`] when there are more), one service page under
/// /ict/ (or another top section) and the 404 page. Returns the URL paths
/// and, when sampled, the number of news pages.
pub fn pages_for_build(public: &Path) -> (Vec<String>, Option<usize>) {
    let mut pages = vec!["/".to_string()];
    if public.join("news/index.html").is_file() {
        pages.push("/news/".into());
    }
    let mut news = news_pages(public);
    let total = news.len();
    // Newest first: years descending, then the most recently written file.
    news.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)));
    let sampled = (total > MAX_NEWS_PAGES).then_some(total);
    pages.extend(news.into_iter().take(MAX_NEWS_PAGES).map(|n| n.0));
    if let Some(service) = service_page(public) {
        pages.push(service);
    }
    // The OIT page: a wide table that must still fit a phone.
    if public.join("ita/index.html").is_file() {
        pages.push("/ita/".into());
    }
    if public.join("404.html").is_file() {
        pages.push("/404.html".into());
    }
    (pages, sampled)
}

/// The pages a deploy checks against the live site: home, the news list
/// and every changed news page (`changed` as in the deploy report:
/// paths relative to `public/`, e.g. `news/2026/a/index.html`).
pub fn pages_for_deploy(public: &Path, changed: &[String]) -> Vec<String> {
    let mut pages = vec!["/".to_string()];
    if public.join("news/index.html").is_file() {
        pages.push("/news/".into());
    }
    let mut news: Vec<String> = changed
        .iter()
        .filter(|p| p.starts_with("news/") && p.ends_with("/index.html"))
        .filter(|p| {
            p.split('/')
                .nth(1)
                .is_some_and(|y| y.chars().all(|c| c.is_ascii_digit()))
        })
        .map(|p| format!("/{}", crate::verify::url_path(p)))
        .collect();
    news.sort();
    news.dedup();
    pages.extend(news);
    pages
}

/// `news/<year>/<slug>/index.html` under `public`: (URL path, year, mtime).
fn news_pages(public: &Path) -> Vec<(String, String, std::time::SystemTime)> {
    let mut out = Vec::new();
    let Ok(years) = std::fs::read_dir(public.join("news")) else {
        return out;
    };
    for year in years.flatten() {
        let y = year.file_name().to_string_lossy().to_string();
        if !y.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let Ok(items) = std::fs::read_dir(year.path()) else {
            continue;
        };
        for item in items.flatten() {
            let index = item.path().join("index.html");
            if let Ok(meta) = index.metadata() {
                let slug = item.file_name().to_string_lossy().to_string();
                let mtime = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
                out.push((format!("/news/{y}/{slug}/"), y.clone(), mtime));
            }
        }
    }
    out
}

/// The first service page: `/ict/<name>/` in name order.
fn service_page(public: &Path) -> Option<String> {
    let mut names: Vec<String> = std::fs::read_dir(public.join("ict"))
        .ok()?
        .flatten()
        .filter(|e| e.path().join("index.html").is_file())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names.first().map(|n| format!("/ict/{n}/"))
}

/// Serves `public` on a free loopback port and checks `pages` there.
pub fn check_site(
    public: &Path,
    pages: &[String],
    report_dir: &Path,
) -> Result<BrowserReport, BrowserError> {
    let server = StaticServer::start(public.to_path_buf(), 0)
        .map_err(|e| BrowserError::Launch(e.to_string()))?;
    check_url(&server.url(), pages, report_dir)
}

/// Checks `pages` (URL paths) under `base_url` in one headless Chromium;
/// screenshots go to `report_dir` (emptied of old ones first).
pub fn check_url(
    base_url: &str,
    pages: &[String],
    report_dir: &Path,
) -> Result<BrowserReport, BrowserError> {
    let chromium = chromium().ok_or(BrowserError::NotInstalled)?;
    prepare_report_dir(report_dir)?;
    // A loaded machine can miss Chromium's start-up line: try again (each
    // try with its own profile: a Chromium still holding a profile makes
    // the next one on that profile hand over to it and never answer).
    let mut session = Session::start(&chromium).or_else(|_| Session::start(&chromium))?;

    let base = base_url.trim_end_matches('/');
    let mut report = BrowserReport::default();
    for page in pages {
        let url = format!("{base}{page}");
        let mut result = session.check(&url, page, report_dir);
        // A busy machine can stall Chromium: a page that failed, or a photo
        // that did not arrive within the check's wait, is checked once more
        // in a fresh one, after the stalled one is gone (a photo that is
        // really missing is missing again).
        let stalled = match &result {
            Err(_) => true,
            Ok((problems, _)) => problems
                .iter()
                .any(|(kind, _)| matches!(kind, ProblemKind::BrokenImage)),
        };
        if stalled {
            drop(session);
            session = Session::start(&chromium)?;
            result = session.check(&url, page, report_dir);
        }
        let problems = match result {
            Ok((problems, shots)) => {
                report.screenshots.extend(shots);
                problems
            }
            Err(Cdp(e)) => vec![(ProblemKind::PageLoad, e)],
        };
        report.pages.push(page.clone());
        report.problems.extend(
            problems
                .into_iter()
                .map(|(kind, detail)| problem(page, kind, detail)),
        );
    }
    Ok(report)
}

type Found = Vec<(ProblemKind, String)>;

/// One Chromium with one tab and the problems its events report.
struct Session {
    /// Chromium and its profile go if khao is stopped by a signal.
    _reaped: Option<crate::plumbing::reaper::Reaped>,
    // Dropped before the profile: the tab belongs to it.
    _browser: Browser,
    tab: Arc<Tab>,
    events: Arc<Mutex<Found>>,
    /// This Chromium's own fresh profile, removed when the session ends.
    _profile: tempfile::TempDir,
}

impl Session {
    fn start(chromium: &Path) -> Result<Session, BrowserError> {
        let profile = tempfile::tempdir().map_err(|e| BrowserError::Launch(e.to_string()))?;
        let browser = launch(chromium, profile.path())?;
        let reaped = (browser.get_process_id())
            .map(|pid| crate::plumbing::reaper::on_stop(pid, profile.path().to_path_buf()));
        let tab = browser
            .new_tab()
            .map_err(|e| BrowserError::Launch(format!("{e:#}")))?;
        tab.set_default_timeout(ANSWER);
        let events: Arc<Mutex<Found>> = Arc::default();
        listen(&tab, events.clone()).map_err(|Cdp(e)| BrowserError::Launch(e))?;
        Ok(Session {
            _reaped: reaped,
            _browser: browser,
            tab,
            events,
            _profile: profile,
        })
    }

    /// The problems of one page and its screenshots.
    fn check(
        &self,
        url: &str,
        page: &str,
        report_dir: &Path,
    ) -> Result<(Found, Vec<PathBuf>), Cdp> {
        if let Ok(mut e) = self.events.lock() {
            e.clear();
        }
        let mut shots = Vec::new();
        let mut problems = check_page(&self.tab, url, page, report_dir, &mut shots)?;
        if let Ok(e) = self.events.lock() {
            problems.extend(e.iter().cloned());
        }
        problems.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        Ok((problems, shots))
    }
}

fn prepare_report_dir(dir: &Path) -> Result<(), BrowserError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| BrowserError::Report(format!("{}: {e}", dir.display())))?;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "png") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(())
}

fn launch(chromium: &Path, profile: &Path) -> Result<Browser, BrowserError> {
    let args: Vec<&std::ffi::OsStr> = [
        "--disable-quic",
        "--disable-component-update",
        "--disable-background-networking",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-breakpad",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--font-render-hinting=none",
    ]
    .iter()
    .map(std::ffi::OsStr::new)
    .collect();
    // A free port of our own: the crate's default scan of 8000–9000 is slow
    // and fails when other servers hold those ports.
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| BrowserError::Launch(e.to_string()))?;
    let options = LaunchOptions::default_builder()
        .port(Some(port))
        .path(Some(chromium.to_path_buf()))
        .headless(true)
        .sandbox(false)
        .enable_gpu(false)
        .user_data_dir(Some(profile.to_path_buf()))
        .window_size(Some(DESKTOP))
        .idle_browser_timeout(Duration::from_secs(300))
        .args(args)
        .build()
        .map_err(|e| BrowserError::Launch(e.to_string()))?;
    Browser::new(options).map_err(|e| BrowserError::Launch(format!("{e:#}")))
}

/// Collects console errors, uncaught exceptions and failed requests.
fn listen(tab: &Arc<Tab>, events: Arc<Mutex<Found>>) -> Result<(), Cdp> {
    tab.enable_log()?;
    tab.enable_runtime()?;
    let enable: Network::Enable = serde_json::from_value(serde_json::json!({}))?;
    tab.call_method(enable)?;
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let found = match event {
            Event::RuntimeConsoleAPICalled(e)
                if matches!(
                    e.params.Type,
                    headless_chrome::protocol::cdp::Runtime::ConsoleAPICalledEventTypeOption::Error
                        | headless_chrome::protocol::cdp::Runtime::ConsoleAPICalledEventTypeOption::Assert
                ) =>
            {
                let text: Vec<String> = e
                    .params
                    .args
                    .iter()
                    .map(|a| match &a.value {
                        Some(serde_json::Value::String(s)) => s.clone(),
                        Some(v) => v.to_string(),
                        None => a.description.clone().unwrap_or_default(),
                    })
                    .collect();
                Some((ProblemKind::ConsoleError, text.join(" ")))
            }
            Event::RuntimeExceptionThrown(e) => {
                let d = &e.params.exception_details;
                let text = d
                    .exception
                    .as_ref()
                    .and_then(|x| x.description.clone())
                    .unwrap_or_else(|| d.text.clone());
                let place = d
                    .url
                    .as_ref()
                    .map(|u| format!(" ({u}:{})", d.line_number + 1))
                    .unwrap_or_default();
                let first = text.lines().next().unwrap_or("").to_string();
                Some((ProblemKind::ConsoleError, format!("{first}{place}")))
            }
            Event::LogEntryAdded(e)
                if e.params.entry.level
                    == headless_chrome::protocol::cdp::Log::LogEntryLevel::Error
                    && e.params.entry.source
                        != headless_chrome::protocol::cdp::Log::LogEntrySource::Network =>
            {
                Some((ProblemKind::ConsoleError, e.params.entry.text.clone()))
            }
            Event::NetworkResponseReceived(e) if e.params.response.status >= 400 => Some((
                ProblemKind::FailedRequest,
                format!("{} {}", e.params.response.status, e.params.response.url),
            )),
            Event::NetworkLoadingFailed(e) if e.params.canceled != Some(true) => Some((
                ProblemKind::FailedRequest,
                e.params.error_text.clone(),
            )),
            _ => None,
        };
        if let Some(f) = found
            && let Ok(mut v) = events.lock()
        {
            v.push(f);
        }
    }))?;
    Ok(())
}

/// What [`CHECK_JS`] returns.
#[derive(Debug, Deserialize)]
struct PageFacts {
    broken: Vec<String>,
    #[serde(rename = "scrollWidth")]
    scroll_width: u32,
    #[serde(rename = "clientWidth")]
    client_width: u32,
    wide: Vec<String>,
    first: String,
    loaded: bool,
    failed: Vec<String>,
    height: f64,
}

/// Loads every image (lazy ones too), waits for fonts, then measures. An
/// image is given 30 s: on a loaded two-core machine (two Chromiums and a
/// test suite) 8 s was once too short for a home page's thumbnails, which
/// were then reported broken. Each image is watched rather than waited on by
/// event: a lazy image switched to eager, or one whose `srcset` picks another
/// file after the width changed, can read `complete` with no pixels for a
/// moment before its new request starts, and an event listener added then
/// may never fire. Only an image that stays complete and empty for 2 s is
/// broken.
const CHECK_JS: &str = r#"(async () => {
  const imgs = Array.from(document.images);
  for (const i of imgs) { if (i.loading === 'lazy') i.loading = 'eager'; }
  const tick = () => new Promise(r => setTimeout(r, 50));
  const settle = async (i) => {
    const end = Date.now() + 30000;
    let emptySince = null;
    while (Date.now() < end) {
      if (i.complete && i.naturalWidth > 0) return;
      if (!i.complete) emptySince = null;
      else if (emptySince === null) emptySince = Date.now();
      else if (Date.now() - emptySince > 2000) return;
      await tick();
    }
  };
  await Promise.all(imgs.map(settle));
  const path = u => { try { const p = new URL(u); return p.pathname + p.search; } catch (e) { return u; } };
  const broken = imgs.filter(i => i.naturalWidth === 0).map(i => (i.currentSrc && path(i.currentSrc)) || i.getAttribute('src') || '(img)');
  await document.fonts.ready;
  const de = document.documentElement;
  const cw = de.clientWidth;
  const wide = [];
  if (de.scrollWidth > cw) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > cw + 1 && r.width > 0) {
        let d = el.tagName.toLowerCase();
        if (el.id) d += '#' + el.id;
        if (typeof el.className === 'string' && el.className.trim()) d += '.' + el.className.trim().split(/\s+/).join('.');
        d += ' (' + Math.round(r.width) + ' px)';
        wide.push(d);
        if (wide.length >= 3) break;
      }
    }
  }
  const family = getComputedStyle(document.body).fontFamily;
  const first = family.split(',')[0].trim().replace(/["']/g, '');
  const faces = Array.from(document.fonts).filter(f => f.family.replace(/["']/g, '') === 'Sarabun');
  const loaded = faces.some(f => f.status === 'loaded');
  const failed = faces.filter(f => f.status === 'error').map(f => f.weight + ' ' + f.style + ' ' + f.unicodeRange.slice(0, 12));
  return JSON.stringify({broken, scrollWidth: de.scrollWidth, clientWidth: cw, wide, first, loaded, failed, height: de.scrollHeight});
})()"#;

/// One axe violation, shortened.
#[derive(Debug, Deserialize)]
struct AxeViolation {
    id: String,
    help: String,
    nodes: Vec<String>,
    count: usize,
}

fn axe_run_js() -> String {
    format!(
        "(async () => {{ const r = await axe.run(document, {{runOnly: {{type: 'tag', values: {AXE_TAGS}}}, resultTypes: ['violations']}}); \
         return JSON.stringify(r.violations.map(v => ({{id: v.id, help: v.help, count: v.nodes.length, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}}))); }})()"
    )
}

/// Evaluates `js`, which must return a JSON string, into `T`.
fn eval_json<T: for<'de> Deserialize<'de>>(tab: &Tab, js: &str) -> Result<T, Cdp> {
    let value = tab.evaluate(js, true)?;
    match value.value {
        Some(serde_json::Value::String(s)) => Ok(serde_json::from_str(&s)?),
        _ => Err(Cdp(value
            .description
            .unwrap_or_else(|| "script returned nothing".into()))),
    }
}

fn set_width(tab: &Tab, (width, height): (u32, u32), mobile: bool) -> Result<(), Cdp> {
    let m: Emulation::SetDeviceMetricsOverride = serde_json::from_value(serde_json::json!({
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile
    }))?;
    tab.call_method(m)?;
    Ok(())
}

/// A screenshot of the whole page (cut at [`MAX_SHOT_HEIGHT`]).
fn screenshot(tab: &Tab, width: u32, file: &Path) -> Result<(), Cdp> {
    let height: f64 = tab
        .evaluate("document.documentElement.scrollHeight", false)?
        .value
        .and_then(|v| v.as_f64())
        .unwrap_or(900.0)
        .clamp(1.0, MAX_SHOT_HEIGHT);
    let shot: Page::CaptureScreenshot = serde_json::from_value(serde_json::json!({
        "format": "png",
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        "captureBeyondViewport": true
    }))?;
    let data = tab.call_method(shot)?.data;
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(data)?;
    std::fs::write(file, bytes)?;
    Ok(())
}

/// `/` → `home`, `/news/2026/x/` → `news-2026-x`.
pub fn shot_name(page: &str) -> String {
    let name: String = page
        .trim_matches('/')
        .trim_end_matches(".html")
        .chars()
        .map(|c| if c == '/' { '-' } else { c })
        .collect();
    if name.is_empty() { "home".into() } else { name }
}

/// How long Chromium may take to answer one request.
const ANSWER: Duration = Duration::from_secs(60);

/// How long a question about a document being replaced may go unanswered
/// before it is asked again: one asked as the old document goes can be
/// lost, and would otherwise hold the wait for a full [`ANSWER`].
const POLL_ANSWER: Duration = Duration::from_secs(2);

/// Opens `url` and waits until its document has loaded. Not
/// `wait_until_navigated`: its event can pass before the wait begins, and
/// then it waits for nothing until it times out. The old document is
/// marked first, so the wait cannot mistake it for the new one. A page
/// still loading after half of [`LOAD`] is opened once more: a load that
/// stalls once (seen once in many runs, under heavy load) should not fail
/// the whole check.
fn navigate(tab: &Tab, url: &str) -> Result<(), Cdp> {
    for _ in 0..2 {
        tab.set_default_timeout(POLL_ANSWER);
        let _ = tab.evaluate("window.__khaoLeaving = true", false);
        tab.set_default_timeout(ANSWER);
        tab.navigate_to(url)?;
        tab.set_default_timeout(POLL_ANSWER);
        let loaded = wait_loaded(tab, LOAD / 2);
        tab.set_default_timeout(ANSWER);
        if loaded {
            return Ok(());
        }
    }
    Err(Cdp(format!(
        "{url} did not finish loading in {} s",
        LOAD.as_secs()
    )))
}

/// How long a page may take to load, in all.
const LOAD: Duration = Duration::from_secs(60);

/// Asks, every 50 ms for up to `limit`, whether the new document has
/// loaded.
fn wait_loaded(tab: &Tab, limit: Duration) -> bool {
    let started = std::time::Instant::now();
    loop {
        let loaded = tab
            .evaluate(
                "!window.__khaoLeaving && document.readyState === 'complete'",
                false,
            )
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if loaded {
            return true;
        }
        if started.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn check_page(
    tab: &Tab,
    url: &str,
    page: &str,
    report_dir: &Path,
    shots: &mut Vec<PathBuf>,
) -> Result<Vec<(ProblemKind, String)>, Cdp> {
    let mut problems = Vec::new();
    set_width(tab, PHONE, true)?;
    navigate(tab, url)?;
    let facts: PageFacts = eval_json(tab, CHECK_JS)?;
    for src in &facts.broken {
        problems.push((ProblemKind::BrokenImage, src.clone()));
    }
    if facts.scroll_width > facts.client_width {
        problems.push((
            ProblemKind::HorizontalScroll,
            format!(
                "{} px > {} px: {}",
                facts.scroll_width,
                facts.client_width,
                facts.wide.join(", ")
            ),
        ));
    }
    if facts.first != "Sarabun" || !facts.loaded || !facts.failed.is_empty() {
        let mut detail = format!("font-family: {}", facts.first);
        if !facts.failed.is_empty() {
            detail.push_str(&format!(
                "; Sarabun not loaded: {}",
                facts.failed.join(", ")
            ));
        } else if !facts.loaded {
            detail.push_str("; Sarabun not loaded");
        }
        problems.push((ProblemKind::FallbackFont, detail));
    }
    let name = shot_name(page);
    let phone = report_dir.join(format!("{name}-phone.png"));
    let _ = facts.height;
    screenshot(tab, PHONE.0, &phone)?;
    shots.push(phone);

    tab.evaluate(AXE_JS, false)?;
    let violations: Vec<AxeViolation> = eval_json(tab, &axe_run_js())?;
    for v in violations {
        problems.push((
            ProblemKind::Accessibility,
            format!(
                "{} ({}): {}{}",
                v.id,
                v.help,
                v.nodes.join(" | "),
                if v.count > v.nodes.len() {
                    format!(" (+{})", v.count - v.nodes.len())
                } else {
                    String::new()
                }
            ),
        ));
    }

    set_width(tab, DESKTOP, false)?;
    // Let the layout settle at the new width before the photo.
    tab.evaluate(
        "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))",
        true,
    )?;
    let desktop = report_dir.join(format!("{name}-desktop.png"));
    screenshot(tab, DESKTOP.0, &desktop)?;
    shots.push(desktop);
    Ok(problems)
}

/// The report folder of a site: `<site>/.khao/browser/`.
pub fn report_dir(site_dir: &Path) -> PathBuf {
    site_dir
        .join(crate::plumbing::paths::KHAO_DIR)
        .join("browser")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screenshot_names() {
        assert_eq!(shot_name("/"), "home");
        assert_eq!(shot_name("/news/2026/x/"), "news-2026-x");
        assert_eq!(shot_name("/404.html"), "404");
    }

    #[test]
    fn build_pages_are_home_list_news_service_404() {
        let dir = tempfile::tempdir().unwrap();
        for p in [
            "index.html",
            "news/index.html",
            "news/page/2/index.html",
            "news/2026/a/index.html",
            "ict/website/index.html",
            "ict/backup/index.html",
            "404.html",
        ] {
            let f = dir.path().join(p);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, "x").unwrap();
        }
        let (pages, sampled) = pages_for_build(dir.path());
        assert_eq!(
            pages,
            ["/", "/news/", "/news/2026/a/", "/ict/backup/", "/404.html"]
        );
        assert_eq!(sampled, None);
        let changed = [
            "news/2026/a/index.html".to_string(),
            "news/page/2/index.html".to_string(),
            "css/site.css".to_string(),
        ];
        assert_eq!(
            pages_for_deploy(dir.path(), &changed),
            ["/", "/news/", "/news/2026/a/"]
        );
    }
}
