//! `khao watch`: a photo copied slowly in chunks never leaves an error
//! report behind; the final report matches the final files.

use crate::requests_support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::names_in;
use requests_support::*;

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
    let mut child = Killed(
        Command::new(env!("CARGO_BIN_EXE_khao"))
            .arg("--site")
            .arg(site.path())
            .args(["watch", "--settle", "1.5"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start watch"),
    );
    // Wait for the start line.
    let stderr = child.0.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let started = lines.next().and_then(Result::ok).unwrap_or_default();
    assert!(started.contains("requests"), "{started}");
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });

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
    let mut child = Killed(
        Command::new(env!("CARGO_BIN_EXE_khao"))
            .arg("--site")
            .arg(site.path())
            .args(["watch", "--settle", "0.5"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start watch"),
    );
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
