//! `khao ita`'s fetch of the OIT page's external links: does each still
//! answer? Polite to the sites it asks (a few requests at a time per host,
//! HEAD before GET, a User-Agent that says who asks), bounded in time, and
//! unbreakable: any string in, one result out, never a panic.

use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use ureq::{Agent, ResponseExt};
use url::Url;

/// How to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOptions {
    /// For one link, redirects included (default 10 s).
    pub timeout: Duration,
    /// Requests at a time to one host (default 2): a government web server
    /// on a small machine must not see khao as an attack.
    pub per_host: usize,
    /// Requests at a time overall (default 8).
    pub max_parallel: usize,
    /// Redirects followed before giving up (default 10).
    pub max_redirects: u32,
    pub user_agent: String,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            timeout: Duration::from_secs(10),
            per_host: 2,
            max_parallel: 8,
            max_redirects: 10,
            user_agent: format!("khao-ita-check/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// What a link answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkResult {
    /// As given.
    pub url: String,
    /// It answered 2xx after redirects.
    pub ok: bool,
    /// The final HTTP status, if any answer came.
    pub status: Option<u16>,
    /// Where redirects led (the URL as requested when there were none).
    pub final_url: Option<String>,
    /// Why there was no answer, in English for logs; `kind` is for messages.
    pub error: Option<String>,
    pub kind: Option<LinkErrorKind>,
    /// Time taken, redirects included.
    pub millis: u64,
}

/// Why a link gave no answer, for a translated message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkErrorKind {
    /// Not a URL at all.
    InvalidUrl,
    /// Not `http` or `https`.
    UnsupportedScheme,
    /// The name does not resolve.
    HostNotFound,
    /// Refused, reset, unreachable.
    Connection,
    /// A certificate or TLS problem.
    Tls,
    Timeout,
    TooManyRedirects,
    /// Anything else, including a fault inside the HTTP client.
    Other,
}

/// Fetches every URL and returns one result per input, in input order.
/// The same URL given twice is fetched once.
pub fn check_external(urls: &[String], opts: &CheckOptions) -> Vec<LinkResult> {
    let mut unique: Vec<&str> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let slots: Vec<usize> = urls
        .iter()
        .map(|u| {
            *index.entry(u.as_str()).or_insert_with(|| {
                unique.push(u.as_str());
                unique.len() - 1
            })
        })
        .collect();

    let mut results: Vec<Option<LinkResult>> = vec![None; unique.len()];
    let mut jobs = Vec::new();
    for (i, url) in unique.iter().enumerate() {
        match prepare(url) {
            Ok((target, host)) => jobs.push(Job {
                slot: i,
                target,
                host,
            }),
            Err((kind, message)) => results[i] = Some(failure(url, kind, message, 0)),
        }
    }
    let agent = agent(opts);
    let scheduler = Scheduler::new(jobs.len(), opts.per_host.max(1));
    let done = Mutex::new(Vec::new());
    let workers = opts.max_parallel.max(1).min(jobs.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(job) = scheduler.next(&jobs) {
                    let result = fetch(&agent, opts, unique[job.slot], &job.target);
                    scheduler.finished(&job.host);
                    lock(&done).push((job.slot, result));
                }
            });
        }
    });
    for (slot, result) in done.into_inner().unwrap_or_else(|e| e.into_inner()) {
        results[slot] = Some(result);
    }
    slots
        .into_iter()
        .map(|i| {
            results[i].clone().unwrap_or_else(|| {
                failure(unique[i], LinkErrorKind::Other, "not checked".into(), 0)
            })
        })
        .collect()
}

struct Job {
    slot: usize,
    /// The URL to request: IDNA host, non-ASCII path percent-encoded.
    target: String,
    /// The per-host key: the host name, whatever the scheme or port.
    host: String,
}

/// Parses a URL for fetching; Thai paths and domains are encoded as a
/// browser would encode them.
fn prepare(url: &str) -> Result<(String, String), (LinkErrorKind, String)> {
    let parsed = Url::parse(url.trim())
        .map_err(|e| (LinkErrorKind::InvalidUrl, format!("invalid URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err((
            LinkErrorKind::UnsupportedScheme,
            format!("cannot check a {}: link", parsed.scheme()),
        ));
    }
    let host = parsed
        .host_str()
        .ok_or((
            LinkErrorKind::InvalidUrl,
            "invalid URL: no host".to_string(),
        ))?
        .to_ascii_lowercase();
    let mut target = parsed.clone();
    target.set_fragment(None);
    Ok((target.to_string(), host))
}

fn agent(opts: &CheckOptions) -> Agent {
    Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .max_redirects(opts.max_redirects)
        .http_status_as_error(false)
        .user_agent(opts.user_agent.as_str())
        .build()
        .new_agent()
}

/// One link: HEAD, then GET if the server refuses HEAD (405, 501). The body
/// of a GET is never read: the status is the answer.
fn fetch(agent: &Agent, opts: &CheckOptions, url: &str, target: &str) -> LinkResult {
    let start = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let head = agent.head(target).call()?;
        if matches!(head.status().as_u16(), 405 | 501) {
            let get = agent.get(target).call()?;
            return Ok((get.status().as_u16(), get.get_uri().to_string()));
        }
        Ok::<_, ureq::Error>((head.status().as_u16(), head.get_uri().to_string()))
    }));
    let millis = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    match outcome {
        Ok(Ok((status, final_url))) => LinkResult {
            url: url.to_string(),
            ok: (200..300).contains(&status),
            status: Some(status),
            final_url: Some(final_url),
            error: None,
            kind: None,
            millis,
        },
        Ok(Err(e)) => failure(url, error_kind(&e), describe(&e, opts), millis),
        Err(_) => failure(
            url,
            LinkErrorKind::Other,
            "the HTTP client failed".into(),
            millis,
        ),
    }
}

fn failure(url: &str, kind: LinkErrorKind, message: String, millis: u64) -> LinkResult {
    LinkResult {
        url: url.to_string(),
        ok: false,
        status: None,
        final_url: None,
        error: Some(message),
        kind: Some(kind),
        millis,
    }
}

fn error_kind(e: &ureq::Error) -> LinkErrorKind {
    use ureq::Error as E;
    match e {
        E::Timeout(_) => LinkErrorKind::Timeout,
        E::TooManyRedirects => LinkErrorKind::TooManyRedirects,
        E::HostNotFound => LinkErrorKind::HostNotFound,
        E::BadUri(_) | E::Http(_) => LinkErrorKind::InvalidUrl,
        E::ConnectionFailed | E::Io(_) => LinkErrorKind::Connection,
        E::Tls(_) => LinkErrorKind::Tls,
        E::Rustls(_) => LinkErrorKind::Tls,
        _ => LinkErrorKind::Other,
    }
}

fn describe(e: &ureq::Error, opts: &CheckOptions) -> String {
    match e {
        ureq::Error::Timeout(_) => {
            format!("no answer within {:.1} s", opts.timeout.as_secs_f64())
        }
        ureq::Error::TooManyRedirects => format!("more than {} redirects", opts.max_redirects),
        other => other.to_string(),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A worker never panics while holding a lock (fetches run unlocked and
    // are caught), so a poisoned lock still holds consistent data.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Hands out jobs so that at most `per_host` run at once for one host. A
/// worker takes the first queued job whose host has room, so a long list
/// of one host's links does not hold up the others.
struct Scheduler {
    state: Mutex<State>,
    room: Condvar,
    per_host: usize,
}

struct State {
    queue: VecDeque<usize>,
    active: HashMap<String, usize>,
}

impl Scheduler {
    fn new(jobs: usize, per_host: usize) -> Self {
        Scheduler {
            state: Mutex::new(State {
                queue: (0..jobs).collect(),
                active: HashMap::new(),
            }),
            room: Condvar::new(),
            per_host,
        }
    }

    /// The next job to run, waiting while every queued job's host is full;
    /// `None` when the queue is empty.
    fn next<'j>(&self, jobs: &'j [Job]) -> Option<&'j Job> {
        let mut state = lock(&self.state);
        loop {
            if state.queue.is_empty() {
                return None;
            }
            let free = state.queue.iter().position(|&j| {
                state.active.get(&jobs[j].host).copied().unwrap_or(0) < self.per_host
            });
            if let Some(pos) = free {
                let job = &jobs[state.queue.remove(pos)?];
                *state.active.entry(job.host.clone()).or_insert(0) += 1;
                return Some(job);
            }
            state = self.room.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn finished(&self, host: &str) {
        let mut state = lock(&self.state);
        if let Some(n) = state.active.get_mut(host) {
            *n = n.saturating_sub(1);
        }
        drop(state);
        self.room.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfetchable_urls_fail_without_a_request() {
        let long = format!("http://127.0.0.1:0/{}", "ก".repeat(10_000));
        let urls: Vec<String> = [
            "",
            "not a url",
            "ftp://example.com/x",
            "mailto:a@b.c",
            "http://",
            "https://exa mple.com/",
            "http://127.0.0.1:99999/",
            "http://%zz/",
            "http://[::1/",
            "\u{0}",
            "http://127.0.0.1:0/",
            &long,
        ]
        .map(String::from)
        .to_vec();
        let results = check_external(&urls, &CheckOptions::default());
        assert_eq!(results.len(), urls.len());
        for (r, u) in results.iter().zip(&urls) {
            assert_eq!(&r.url, u);
            assert!(!r.ok && r.status.is_none() && r.error.is_some(), "{r:?}");
        }
        assert_eq!(results[2].kind, Some(LinkErrorKind::UnsupportedScheme));
        assert_eq!(results[1].kind, Some(LinkErrorKind::InvalidUrl));
    }

    #[test]
    fn thai_paths_are_encoded_and_fragments_dropped() {
        let (target, host) = prepare("https://WWW.Example.go.th/ข่าว/ล่าสุด?q=ก#top").unwrap();
        assert_eq!(host, "www.example.go.th");
        assert!(
            target.starts_with("https://www.example.go.th/%E0%B8%82"),
            "{target}"
        );
        assert!(!target.contains('#') && target.is_ascii());
        let (target, _) = prepare("http://ตัวอย่าง.ไทย/").unwrap();
        assert!(
            target.starts_with("http://xn--") && target.ends_with(".xn--o3cw4h/"),
            "{target}"
        );
    }

    #[test]
    fn no_urls_no_work() {
        assert!(check_external(&[], &CheckOptions::default()).is_empty());
    }
}
