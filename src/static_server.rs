//! A small static file server on 127.0.0.1: `khao serve` builds on it, and
//! `khao publish` uses it to check a local-folder deploy through HTTP.

use std::io;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use tiny_http::{Header, Response, Server};

/// The `Content-Type` for a file name, by extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ => "application/octet-stream",
    }
}

/// Maps a request URL path to a file under `root`: percent-decoded, query
/// dropped, `..` refused, directories served by their `index.html`.
pub fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = crate::plumbing::url::decode(path)?;
    let mut file = root.to_path_buf();
    for c in Path::new(decoded.trim_start_matches('/')).components() {
        match c {
            Component::Normal(part) => file.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

/// A running static server; stops when dropped.
pub struct StaticServer {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Serves `root` on 127.0.0.1:`port` (0 picks a free port) in a thread.
    /// A missing file answers 404 with the site's `404.html`.
    pub fn start(root: PathBuf, port: u16) -> io::Result<StaticServer> {
        let server = Server::http(("127.0.0.1", port)).map_err(io::Error::other)?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::other("not an IP listener"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = stop.clone();
        let root = Arc::new(root);
        let thread = std::thread::spawn(move || {
            while !stop_flag.load(Ordering::Relaxed) {
                match server.recv_timeout(Duration::from_millis(100)) {
                    // Each answered on its own thread (as `khao serve`
                    // does): answered in turn, one response a busy
                    // browser is slow to read holds back every file its
                    // page still waits for.
                    Ok(Some(request)) => {
                        let root = Arc::clone(&root);
                        std::thread::spawn(move || {
                            let response = respond_file(&root, request.url());
                            let _ = request.respond(response);
                        });
                    }
                    Ok(None) => {}
                    Err(_) => break,
                }
            }
        });
        Ok(StaticServer {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT/`
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The response for `url` under `root`: the file, or 404 with `404.html`.
pub fn respond_file(root: &Path, url: &str) -> Response<io::Cursor<Vec<u8>>> {
    let (status, file) = match resolve(root, url) {
        Some(f) => (200, Some(f)),
        None => (404, Some(root.join("404.html")).filter(|p| p.is_file())),
    };
    let (body, ctype) = match file.as_deref().map(|f| (std::fs::read(f), f)) {
        Some((Ok(bytes), f)) => (bytes, content_type(f)),
        _ => (b"404 Not Found".to_vec(), "text/plain; charset=utf-8"),
    };
    let mut response = Response::from_data(body).with_status_code(status);
    if let Ok(h) = Header::from_bytes(&b"Content-Type"[..], ctype.as_bytes()) {
        response.add_header(h);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_thai_paths() {
        let decode = crate::plumbing::url::decode;
        assert_eq!(decode("/%E0%B8%82").as_deref(), Some("/ข"));
        assert_eq!(decode("/a%2"), Some("/a%2".into()));
    }

    #[test]
    fn refuses_parent_dirs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        assert!(resolve(dir.path(), "/a.txt?x=1").is_some());
        assert!(resolve(dir.path(), "/../etc/passwd").is_none());
    }
}
