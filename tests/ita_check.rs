//! `check_external` against HTTP servers started here on loopback
//! addresses: what each kind of answer becomes, and that the per-host and
//! global limits hold, counted on the server side.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use khao::ita::{CheckOptions, LinkErrorKind, check_external};
use tiny_http::{Header, Request, Response, Server};

/// What the servers saw. `current`/`max` count requests being answered.
#[derive(Default)]
struct Stats {
    current: AtomicUsize,
    max: AtomicUsize,
    /// (method, path, user agent) of every request.
    seen: Mutex<Vec<(String, String, String)>>,
    /// Requests never answered, kept so their connections stay open.
    held: Mutex<Vec<Request>>,
}

impl Stats {
    fn enter(&self) {
        let now = self.current.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(now, Ordering::SeqCst);
    }
    fn leave(&self) {
        self.current.fetch_sub(1, Ordering::SeqCst);
    }
    fn max(&self) -> usize {
        self.max.load(Ordering::SeqCst)
    }
}

struct TestServer {
    addr: SocketAddr,
    server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Serves on `ip`, counting into the server's own stats and `shared`.
    fn start(ip: &str, own: Arc<Stats>, shared: Arc<Stats>) -> Self {
        let server = Arc::new(Server::http(format!("{ip}:0")).unwrap());
        let addr = server.server_addr().to_ip().unwrap();
        let accepting = Arc::clone(&server);
        let thread = std::thread::spawn(move || {
            for request in accepting.incoming_requests() {
                let (own, shared) = (Arc::clone(&own), Arc::clone(&shared));
                std::thread::spawn(move || answer(request, &own, &shared));
            }
        });
        TestServer {
            addr,
            server,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn answer(request: Request, own: &Stats, shared: &Stats) {
    let method = request.method().to_string();
    let path = request.url().to_string();
    let agent = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("User-Agent"))
        .map(|h| h.value.to_string())
        .unwrap_or_default();
    own.seen
        .lock()
        .unwrap()
        .push((method.clone(), path.clone(), agent));
    if path == "/silent" {
        own.held.lock().unwrap().push(request);
        return;
    }
    own.enter();
    shared.enter();
    std::thread::sleep(Duration::from_millis(120));
    let location = |to: &str| Header::from_bytes("Location", to).unwrap();
    let response = match path.split('?').next().unwrap_or("") {
        "/ok" => Response::from_string("ok"),
        "/moved" => Response::from_string("")
            .with_status_code(301)
            .with_header(location("/ok")),
        "/loop" => Response::from_string("")
            .with_status_code(302)
            .with_header(location("/loop")),
        "/no-head" if method == "HEAD" => Response::from_string("").with_status_code(405),
        "/no-head" => Response::from_string("page"),
        _ => Response::from_string("not here").with_status_code(404),
    };
    own.leave();
    shared.leave();
    let _ = request.respond(response);
}

fn options() -> CheckOptions {
    CheckOptions {
        timeout: Duration::from_millis(1500),
        max_redirects: 5,
        ..CheckOptions::default()
    }
}

#[test]
fn each_kind_of_answer() {
    let stats = Arc::new(Stats::default());
    let server = TestServer::start("127.0.0.1", Arc::clone(&stats), Arc::default());
    let urls: Vec<String> = [
        "/ok",
        "/missing",
        "/moved",
        "/no-head",
        "/loop",
        "/ok#section",
    ]
    .iter()
    .map(|p| server.url(p))
    .chain(["ftp://127.0.0.1/".to_string(), "http://[::1".to_string()])
    .collect();
    let results = check_external(&urls, &options());
    assert_eq!(results.len(), urls.len());
    let by = |i: usize| (&results[i], &urls[i]);

    let (ok, url) = by(0);
    assert!(
        ok.ok && ok.status == Some(200) && ok.error.is_none(),
        "{ok:?}"
    );
    assert_eq!(ok.final_url.as_deref(), Some(url.as_str()));

    let (missing, _) = by(1);
    assert!(!missing.ok && missing.status == Some(404) && missing.error.is_none());

    let (moved, _) = by(2);
    assert!(moved.ok && moved.status == Some(200), "{moved:?}");
    assert_eq!(moved.final_url.as_deref(), Some(server.url("/ok").as_str()));

    let (no_head, _) = by(3);
    assert!(no_head.ok && no_head.status == Some(200), "{no_head:?}");

    let (looping, _) = by(4);
    assert!(!looping.ok && looping.status.is_none());
    assert_eq!(looping.kind, Some(LinkErrorKind::TooManyRedirects));

    assert!(by(5).0.ok, "a fragment is not sent");
    assert_eq!(results[6].kind, Some(LinkErrorKind::UnsupportedScheme));
    assert_eq!(results[7].kind, Some(LinkErrorKind::InvalidUrl));

    let seen = stats.seen.lock().unwrap().clone();
    let methods: Vec<&str> = seen
        .iter()
        .filter(|(_, path, _)| path == "/no-head")
        .map(|(m, _, _)| m.as_str())
        .collect();
    assert_eq!(methods, ["HEAD", "GET"], "HEAD first, GET when refused");
    assert!(
        seen.iter()
            .filter(|(_, path, _)| path != "/no-head")
            .all(|(m, _, _)| m == "HEAD"),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .all(|(_, _, ua)| ua.starts_with("khao-ita-check")),
        "{seen:?}"
    );
}

#[test]
fn a_server_that_never_answers_times_out() {
    let stats = Arc::new(Stats::default());
    let server = TestServer::start("127.0.0.1", Arc::clone(&stats), Arc::default());
    let opts = CheckOptions {
        timeout: Duration::from_millis(400),
        ..CheckOptions::default()
    };
    let start = Instant::now();
    let results = check_external(&[server.url("/silent"), server.url("/ok")], &opts);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let silent = &results[0];
    assert!(!silent.ok && silent.status.is_none(), "{silent:?}");
    assert_eq!(silent.kind, Some(LinkErrorKind::Timeout));
    assert!(silent.millis >= 350, "{silent:?}");
    assert!(results[1].ok, "one slow host does not fail the others");
}

#[test]
fn at_most_two_at_a_time_per_host() {
    let stats = Arc::new(Stats::default());
    let server = TestServer::start("127.0.0.1", Arc::clone(&stats), Arc::default());
    let urls: Vec<String> = (0..8).map(|i| server.url(&format!("/ok?n={i}"))).collect();
    let results = check_external(&urls, &options());
    assert!(results.iter().all(|r| r.ok), "{results:?}");
    assert_eq!(
        stats.max(),
        2,
        "per-host cap (and that it runs in parallel)"
    );
}

#[test]
fn the_global_cap_holds_across_hosts() {
    // Two hosts (127.0.0.1 and 127.0.0.2 are both this machine), four links
    // each: per-host 2 would allow 4 at once, the global cap allows 3.
    let shared = Arc::new(Stats::default());
    let (one, two) = (Arc::new(Stats::default()), Arc::new(Stats::default()));
    let a = TestServer::start("127.0.0.1", Arc::clone(&one), Arc::clone(&shared));
    let b = TestServer::start("127.0.0.2", Arc::clone(&two), Arc::clone(&shared));
    let urls: Vec<String> = (0..4)
        .flat_map(|i| [a.url(&format!("/ok?n={i}")), b.url(&format!("/ok?n={i}"))])
        .collect();
    let opts = CheckOptions {
        max_parallel: 3,
        ..options()
    };
    let results = check_external(&urls, &opts);
    assert!(results.iter().all(|r| r.ok), "{results:?}");
    assert_eq!(shared.max(), 3);
    assert!(one.max() <= 2 && two.max() <= 2);
}

#[test]
fn the_same_url_is_fetched_once() {
    let stats = Arc::new(Stats::default());
    let server = TestServer::start("127.0.0.1", Arc::clone(&stats), Arc::default());
    let url = server.url("/ok");
    let results = check_external(&[url.clone(), url.clone(), url], &options());
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|r| r.ok));
    assert_eq!(stats.seen.lock().unwrap().len(), 1);
}
