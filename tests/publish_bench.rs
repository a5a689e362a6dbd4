//! Benchmark (ignored by default): `khao publish` of one new request to a
//! large site over SFTP on loopback, end to end — intake, build, upload,
//! live check — as the officer's timer runs it.
//!
//! ```text
//! KHAO_BENCH_SITE=/work/bench/h1000/khao \
//!   cargo test --release --test tests publish_bench -- --ignored --nocapture
//! ```
//!
//! The site (a khao corpus of `gen_corpus.py`) is linked into a temporary
//! folder (`cp -al`: its photos are not copied), deployed once to a real
//! sshd with nginx serving the live folder, then for each of three rounds a
//! new request with one fresh phone photo (4000×3000) is dropped into
//! `requests/`, left to settle, and `khao publish --format json` is timed:
//! the wall time and the steps its `timings` report. `KHAO_BIN` runs
//! another build of khao (an older commit) instead of this one.

use crate::servers;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::Value;
use servers::{Nginx, Sshd};

fn publish(site: &Path) -> (f64, Value) {
    let started = Instant::now();
    let khao = std::env::var_os("KHAO_BIN").unwrap_or(env!("CARGO_BIN_EXE_khao").into());
    let out = Command::new(khao)
        .args([
            "--site",
            site.to_str().unwrap(),
            "publish",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "publish did not print JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(out.status.success(), "{v}");
    (seconds, v)
}

/// A request as staff drop it: the text and one fresh photo.
fn request(site: &Path, k: usize, photo: &Path) {
    let dir = site.join("requests").join(format!("bench-new-{k}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut bytes = std::fs::read(photo).unwrap();
    // A new photo as far as every cache is concerned.
    bytes.extend_from_slice(format!("bench {k} {:?}", Instant::now()).as_bytes());
    std::fs::write(dir.join("photo.jpg"), bytes).unwrap();
    let group = group_of(site);
    std::fs::write(
        dir.join("ข่าว.md"),
        format!(
            "---\ntitle: ข่าวใหม่สำหรับวัดเวลา ครั้งที่ {k}\ndate: 2026-11-2{k}\ncategory: pr\n\
             requester: {{ name: เจ้าหน้าที่ทดสอบ, group: {group} }}\n\
             images:\n  - {{ file: photo.jpg, alt: ภาพกิจกรรมครั้งที่ {k} }}\n---\n\
             ประชุมคณะกรรมการเพื่อวัดเวลาการเผยแพร่ข่าว ครั้งที่ {k}\n"
        ),
    )
    .unwrap();
}

/// The first group of the site's `groups:`.
fn group_of(site: &Path) -> String {
    let yaml = std::fs::read_to_string(site.join("site.yaml")).unwrap();
    let line = yaml.lines().find(|l| l.starts_with("groups:")).unwrap();
    line.trim_start_matches("groups:")
        .trim()
        .trim_start_matches('[')
        .split(',')
        .next()
        .unwrap()
        .trim()
        .to_string()
}

#[test]
#[ignore = "benchmark: KHAO_BENCH_SITE=... cargo test --release --test tests publish_bench -- --ignored --nocapture"]
fn publish_one_request_over_sftp() {
    let Ok(source) = std::env::var("KHAO_BENCH_SITE") else {
        eprintln!("set KHAO_BENCH_SITE to a khao corpus (gen_corpus.py --tools khao)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    for part in ["site.yaml", "content"] {
        let ok = Command::new("cp")
            .arg("-al")
            .arg(Path::new(&source).join(part))
            .arg(&site)
            .status()
            .unwrap();
        assert!(ok.success());
    }
    // site.yaml is the corpus's: a copy to add the deploy section to.
    let yaml = std::fs::read_to_string(site.join("site.yaml")).unwrap();
    std::fs::remove_file(site.join("site.yaml")).unwrap();
    let srv = tmp.path().join("srv");
    std::fs::create_dir_all(&srv).unwrap();
    let sshd = Sshd::start(&tmp.path().join("sshd"), "");
    let nginx = Nginx::start(&tmp.path().join("nginx"), &srv.join("current"), "");
    let known_hosts = tmp.path().join("known_hosts");
    std::fs::write(&known_hosts, sshd.known_hosts_line(sshd.port)).unwrap();
    std::fs::write(
        site.join("site.yaml"),
        format!(
            "{yaml}\nrequests: {{ settle_seconds: 1 }}\ndeploy:\n  target: sftp://root@127.0.0.1:{port}{srv}\n  \
             identity: {id}\n  known_hosts: {kh}\n  keep_releases: 3\n  verify_url: {url}\n",
            port = sshd.port,
            srv = srv.display(),
            id = sshd.client_key.display(),
            kh = known_hosts.display(),
            url = nginx.url(),
        ),
    )
    .unwrap();
    std::fs::create_dir_all(site.join("requests")).unwrap();

    let (first, v) = publish(&site);
    eprintln!(
        "first publish (cold build, full upload): {first:.1} s, {} files",
        v["uploaded"]
    );
    let photo = walkdir::WalkDir::new(site.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "jpg"))
        .unwrap()
        .into_path();
    let mut rows = Vec::new();
    for k in 0..3 {
        request(&site, k, &photo);
        // Still for longer than settle_seconds, as a copy that has finished.
        std::thread::sleep(std::time::Duration::from_millis(1300));
        let (seconds, v) = publish(&site);
        assert_eq!(
            v["intake"]["accepted"].as_array().map(Vec::len),
            Some(1),
            "{v}"
        );
        eprintln!(
            "publish {k}: {seconds:.3} s, uploaded {} files ({} bytes), timings {}",
            v["uploaded"], v["uploaded_bytes"], v["timings"]
        );
        rows.push((seconds, v));
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (median, v) = &rows[1];
    eprintln!(
        "median: {median:.3} s — {} — uploaded {} files",
        v["timings"], v["uploaded"]
    );
}
