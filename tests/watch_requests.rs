//! `khao watch`: a photo copied slowly in chunks never leaves an error
//! report behind; the final report matches the final files.

use crate::requests_support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::names_in;
use requests_support::*;

/// `khao watch --settle SETTLE` on `site`, once it has said it started
/// watching `requests/`; and the lines it prints on stdout, as they come.
/// The rest of its stderr is read and dropped, so it can always write.
fn start_watch(
    site: &std::path::Path,
    settle: &str,
) -> (Killed, std::sync::mpsc::Receiver<String>) {
    start_watch_with(site, &["watch", "--settle", settle])
}

/// [`start_watch`] with these arguments after `--site`, on a server whose
/// clock is in UTC (as servers' often are; the office's is not).
fn start_watch_with(
    site: &std::path::Path,
    args: &[&str],
) -> (Killed, std::sync::mpsc::Receiver<String>) {
    let mut child = Killed(
        Command::new(env!("CARGO_BIN_EXE_khao"))
            .env("TZ", "UTC")
            .arg("--site")
            .arg(site)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start watch"),
    );
    let mut stderr = BufReader::new(child.0.stderr.take().unwrap()).lines();
    let started = stderr.next().and_then(Result::ok).unwrap_or_default();
    assert!(started.contains("requests"), "{started}");
    std::thread::spawn(move || stderr.for_each(drop));
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    (child, rx)
}

struct Killed(std::process::Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_slowly_copied_photo_ends_with_a_passing_report() {
    let site = site();
    let yaml = SITE_YAML.replace("max_file_mb: 1,", "max_file_mb: 25,");
    std::fs::write(site.path().join("site.yaml"), yaml).unwrap();
    let (_child, rx) = start_watch(site.path(), "1.5");

    // A 5 MB phone photo, copied in chunks with pauses shorter than the settle time.
    let mut photo = jpeg(1600, 1200);
    photo.resize(5 * 1024 * 1024, 0); // trailing bytes after the image, as phones add
    let dir = site.path().join("requests/slow-copy");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("ข่าว.md"),
        request_md(
            "ข่าวคัดลอกช้า",
            "images:\n  - { file: photo1.jpg, alt: ภาพกิจกรรม }\n",
            "เนื้อหาข่าว",
        ),
    )
    .unwrap();
    let mut f = std::fs::File::create(dir.join("photo1.jpg")).unwrap();
    for chunk in photo.chunks(512 * 1024) {
        f.write_all(chunk).unwrap();
        f.flush().unwrap();
        std::thread::sleep(Duration::from_millis(250));
    }
    drop(f);

    // Wait (generously) for the report that matches the final files.
    let report = dir.join("khao-report.txt");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut log = Vec::new();
    loop {
        while let Ok(l) = rx.try_recv() {
            log.push(l);
        }
        let text = std::fs::read_to_string(&report).unwrap_or_default();
        if text.contains("ผลการตรวจ: ผ่าน") && log.iter().any(|l| l.contains("slow-copy"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no passing report; log: {log:?}; report: {text}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // The last word on the request is a pass, and watch changed no staff file.
    std::thread::sleep(Duration::from_millis(500));
    while let Ok(l) = rx.try_recv() {
        log.push(l);
    }
    // Pauses far shorter than the settle time: no check of a half-copied photo.
    for l in log.iter().filter(|l| l.contains("slow-copy")) {
        assert!(
            l.contains("ผ่าน") && !l.contains("ไม่ผ่าน"),
            "an interim check: {log:?}"
        );
    }
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .contains("ผลการตรวจ: ผ่าน")
    );
    assert_eq!(std::fs::read(dir.join("photo1.jpg")).unwrap(), photo);
    let names = names_in(&dir);
    assert_eq!(names, ["khao-report.txt", "photo1.jpg", "ข่าว.md"]);
}

#[test]
fn watch_checks_everything_at_start_and_rewrites_a_fixed_report() {
    let site = site();
    copy(
        &fixtures().join("bad/unknown-category--typo"),
        &site.path().join("requests/typo"),
    );
    let (mut child, _lines) = start_watch(site.path(), "0.5");
    let report = site.path().join("requests/typo/khao-report.txt");
    let wait_for = |needle: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = std::fs::read_to_string(&report).unwrap_or_default();
            if text.contains(needle) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "report never said {needle}: {text}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    wait_for("(unknown-category)");
    let md = site.path().join("requests/typo/ข่าว.md");
    let text = std::fs::read_to_string(&md)
        .unwrap()
        .replace("ข่าวประชาสัมพันธ\n", "ข่าวประชาสัมพันธ์\n");
    std::fs::write(&md, text).unwrap();
    wait_for("ผลการตรวจ: ผ่าน");
    let _ = child.0.kill();
}

/// A request whose scanned attachment takes seconds to read does not hold
/// up the report of one sent just after it: checks run beside each other.
#[test]
fn a_long_scan_does_not_hold_up_another_request() {
    let site = site();
    let (_child, rx) = start_watch(site.path(), "1");

    // Twelve scanned pages, each the photo of a list of names: OCR reads
    // them for seconds.
    let list =
        std::fs::read(fixtures().join("bad/personal-id--in-photo-of-list/รายชื่อ.jpg")).unwrap();
    let scan = site.path().join("requests/scan");
    std::fs::create_dir_all(&scan).unwrap();
    std::fs::write(
        scan.join("รายชื่อ.pdf"),
        pdf_of_pictures(&list, (1500, 2000), 12),
    )
    .unwrap();
    std::fs::write(
        scan.join("ข่าว.md"),
        request_md(
            "ประกาศรายชื่อ",
            "attachments:\n  - { file: รายชื่อ.pdf, title: รายชื่อ }\n",
            "เนื้อหา",
        ),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let quick = site.path().join("requests/quick");
    std::fs::create_dir_all(&quick).unwrap();
    std::fs::write(quick.join("ข่าว.md"), request_md("ประชุม", "", "เนื้อหา")).unwrap();

    let deadline = Instant::now() + Duration::from_secs(120);
    let mut log: Vec<String> = Vec::new();
    while !log.iter().any(|l| l.contains("requests/scan")) {
        assert!(Instant::now() < deadline, "no report of the scan: {log:?}");
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(200)) {
            log.push(l);
        }
    }
    let at = |name: &str| log.iter().position(|l| l.contains(name));
    assert!(
        at("requests/quick").is_some_and(|q| Some(q) < at("requests/scan")),
        "the quick request waited for the scan: {log:?}"
    );
    let report = std::fs::read_to_string(scan.join("khao-report.txt")).unwrap();
    assert!(report.contains("personal-id"), "{report}");
}

/// A PDF of `pages` pages, each the JPEG `jpeg` (of `size` pixels) drawn
/// over the whole page: what a copier's scan to PDF makes.
fn pdf_of_pictures(jpeg: &[u8], size: (u32, u32), pages: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    // 1 catalog, 2 pages, 3 the picture, then a page and its content each.
    object(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    let tree = format!(
        "<< /Type /Pages /Kids [{}] /Count {pages} >>",
        kids.join(" ")
    );
    object(&mut out, tree.as_bytes());
    let mut picture = format!(
        "<< /Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceRGB \
         /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
        size.0,
        size.1,
        jpeg.len()
    )
    .into_bytes();
    picture.extend_from_slice(jpeg);
    picture.extend_from_slice(b"\nendstream");
    object(&mut out, &picture);
    let draw = "q 595 0 0 842 0 0 cm /Im0 Do Q";
    for i in 0..pages {
        let page = format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
             /Resources << /XObject << /Im0 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        );
        object(&mut out, page.as_bytes());
        let content = format!("<< /Length {} >>\nstream\n{draw}\nendstream", draw.len());
        object(&mut out, content.as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// The times `khao watch` gives are the office's (the site's time zone,
/// as receipts and records have them), not the server's.
#[test]
fn watch_tells_the_time_in_the_offices_zone() {
    let site = site();
    copy(
        &fixtures().join("bad/unknown-category--typo"),
        &site.path().join("requests/typo"),
    );
    let args = ["--format", "json", "watch", "--settle", "0.5"];
    let (_child, lines) = start_watch_with(site.path(), &args);
    let line = lines
        .recv_timeout(Duration::from_secs(60))
        .expect("a verdict");
    let v: serde_json::Value = serde_json::from_str(&line).expect(&line);
    let time = v["time"].as_str().unwrap();
    assert!(time.ends_with("+07:00"), "{time}");
}
