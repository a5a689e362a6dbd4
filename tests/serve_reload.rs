//! End-to-end: `khao serve` keeps running through a broken template, shows
//! the error to the browser, and recovers when the template is fixed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A plain HTTP/1.0 GET: (status, body).
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn status(addr: &str) -> serde_json::Value {
    let (_, body) = get(addr, "/_khao/status");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Starts `khao serve --port 0` on `site`; returns it and its address.
fn start_serve(site: &Path) -> (Serve, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_khao"))
        .arg("--site")
        .arg(site)
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start khao serve");
    let stdout = child.stdout.take().unwrap();
    let serve = Serve(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (serve, addr)
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn broken_template_shows_the_error_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    write(
        &site.join("site.yaml"),
        "title: ทดสอบ\nbase_url: https://test.example.go.th/\nnews:\n  categories:\n    - { slug: pr, name: ข่าวประชาสัมพันธ์ }\n",
    );
    write(
        &site.join("content/index.md"),
        "---\ntitle: หน้าแรก\n---\nสวัสดีครับ\n",
    );
    write(
        &site.join("content/about.md"),
        "---\ntitle: เกี่ยวกับเรา\n---\nข้อความเดิม\n",
    );

    let (serve, addr) = start_serve(site);

    let (code, home) = get(&addr, "/");
    assert_eq!(code, 200);
    assert!(
        home.contains("/_khao/livereload.js"),
        "live reload is injected"
    );
    assert!(status(&addr)["error"].is_null());

    // An edited page is rebuilt and the generation moves on.
    let g0 = status(&addr)["generation"].as_u64().unwrap();
    write(
        &site.join("content/about.md"),
        "---\ntitle: เกี่ยวกับเรา\n---\nข้อความใหม่\n",
    );
    // The page is written before the build ends (the search index and the
    // page checks come after), so wait for both.
    wait_for("the rebuild after an edit", || {
        get(&addr, "/about/").1.contains("ข้อความใหม่")
            && status(&addr)["generation"].as_u64().unwrap() > g0
    });

    // A broken template: the error reaches the browser, the server lives on.
    let broken = site.join("themes/default/templates/page.html");
    write(
        &broken,
        "{% extends \"base.html\" %}{% block content %}{{ page.title {% endblock %}",
    );
    wait_for("the template error", || !status(&addr)["error"].is_null());
    let error = status(&addr)["error"].as_str().unwrap().to_string();
    assert!(
        error.contains("page.html"),
        "the error names the template: {error}"
    );
    assert_eq!(get(&addr, "/").0, 200, "the server keeps serving");

    // Fixed: the error goes away and pages are served again.
    std::fs::remove_file(&broken).unwrap();
    wait_for("recovery", || status(&addr)["error"].is_null());
    assert!(get(&addr, "/about/").1.contains("ข้อความใหม่"));
    drop(serve);
}

#[test]
fn pending_requests_are_previewed_under_requests() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    write(
        &site.join("site.yaml"),
        "title: ทดสอบ\nbase_url: https://test.example.go.th/\nnews:\n  categories:\n    - { slug: pr, name: ข่าวประชาสัมพันธ์ }\ngroups: [กลุ่มอำนวยการ]\n",
    );
    write(
        &site.join("content/index.md"),
        "---\ntitle: หน้าแรก\n---\nสวัสดี\n",
    );
    write(
        &site.join("requests/sports-day/ข่าว.md"),
        "---\ntitle: กีฬาสีสัมพันธ์\ndate: 20/11/2569\ncategory: ข่าวประชาสัมพันธ์\nrequester: { name: นางสาวสมศรี ใจดี, group: กลุ่มอำนวยการ }\n---\nนักเรียนร่วมกิจกรรม **กีฬาสี**\n",
    );
    write(
        &site.join("requests/broken/ข่าว.md"),
        "---\ntitle: ข่าวที่ยังไม่ครบ\ndate: 31/4/2569\ncategory: ข่าวประชาสัมพันธ์\nrequester: { name: ก, group: กลุ่มที่ไม่มี }\n---\nเนื้อหา\n",
    );
    let (_serve, addr) = start_serve(site);

    let (code, index) = get(&addr, "/_requests/");
    assert_eq!(code, 200);
    assert!(
        index.contains("กีฬาสีสัมพันธ์") && index.contains("ข่าวที่ยังไม่ครบ"),
        "{index}"
    );
    // Requests are listed in folder order: broken, then sports-day.
    let (_, broken) = get(&addr, "/_requests/0/");
    assert!(
        broken.contains("bad-date") && broken.contains("unknown-group"),
        "{broken}"
    );
    let (_, good) = get(&addr, "/_requests/1/");
    assert!(good.contains("20 พฤศจิกายน 2569"), "{good}");
    assert!(good.contains("<strong>กีฬาสี</strong>"), "{good}");
    assert_eq!(get(&addr, "/_requests/1/file/..%2Fsite.yaml").0, 404);
    // Previewing never writes anything into the request folders.
    let names: Vec<_> = std::fs::read_dir(site.join("requests/sports-day"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n == "ข่าว.md" || n == "khao-report.txt"),
        "{names:?}"
    );
}

/// A JPEG of `w`×`h` pixels.
fn jpeg(path: &Path, w: u32, h: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    img.save_with_format(path, image::ImageFormat::Jpeg)
        .unwrap();
}

/// serve remembers what it read and published between rebuilds; a photo
/// replaced under the same name, or a news file edited, must still show.
#[test]
fn replaced_photos_and_edited_news_show_after_the_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    write(
        &site.join("site.yaml"),
        "title: ทดสอบ\nbase_url: https://test.example.go.th/\nnews:\n  categories:\n    - { slug: pr, name: ข่าวประชาสัมพันธ์ }\nimages:\n  widths: [320]\n",
    );
    let news = site.join("content/news/2026/photo-day");
    write(
        &news.join("index.md"),
        "---\ntitle: วันถ่ายภาพ\ndate: 2026-11-20\ncategory: pr\nimages:\n  - { file: a.jpg, alt: ภาพกิจกรรม }\n---\nข้อความแรก\n",
    );
    jpeg(&news.join("a.jpg"), 640, 480);
    let (serve, addr) = start_serve(site);
    let page = "/news/2026/photo-day/";
    assert!(get(&addr, page).1.contains(r#"height="240""#));

    // The photo is replaced in place by a square one: its height changes.
    let g0 = status(&addr)["generation"].as_u64().unwrap();
    jpeg(&news.join("a.jpg"), 640, 640);
    wait_for("the replaced photo", || {
        status(&addr)["generation"].as_u64().unwrap() > g0
            && get(&addr, page).1.contains(r#"height="320""#)
    });

    // An edit of the text after that is shown too.
    write(
        &news.join("index.md"),
        "---\ntitle: วันถ่ายภาพ\ndate: 2026-11-20\ncategory: pr\nimages:\n  - { file: a.jpg, alt: ภาพกิจกรรม }\n---\nข้อความที่สอง\n",
    );
    wait_for("the edited text", || {
        get(&addr, page).1.contains("ข้อความที่สอง")
    });
    assert!(get(&addr, page).1.contains(r#"height="320""#));
    drop(serve);
}
