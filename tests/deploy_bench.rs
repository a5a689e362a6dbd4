//! Figures for BENCHMARKS.md (run by hand, not in the suite):
//!
//! ```text
//! KHAO_BENCH_PUBLIC=/tmp/khao-bench-1000/public \
//!   cargo test --release --test tests deploy_bench -- --ignored --nocapture
//! ```
//!
//! Deploys a built site (or, without `KHAO_BENCH_PUBLIC`, a synthetic one
//! of 1000 news pages with two photos each) over a loopback sshd: first
//! deploy, no-change deploy, one-news-change deploy — time and bytes sent —
//! beside `rsync -a --delete` over the same sshd in the same run.

use crate::servers;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use khao::deploy::sftp::SftpTarget;
use khao::deploy::{DeployOptions, DeployTarget, deploy_dir};
use servers::Sshd;

fn synthetic(dir: &Path, n: usize) {
    let mut x: u32 = 12345;
    let mut bytes = |len: usize| -> Vec<u8> {
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x & 0xff) as u8
            })
            .collect()
    };
    for i in 0..n {
        let d = dir.join(format!("news/2569/news-{i:04}"));
        std::fs::create_dir_all(&d).unwrap();
        let body = "ข่าวประชาสัมพันธ์ของสำนักงาน ".repeat(80);
        std::fs::write(
            d.join("index.html"),
            format!("<html><body><h1>ข่าว {i}</h1>{body}</body></html>"),
        )
        .unwrap();
        std::fs::write(d.join("photo-320.jpg"), bytes(15_000)).unwrap();
        std::fs::write(d.join("photo-640.jpg"), bytes(40_000)).unwrap();
    }
    std::fs::write(dir.join("index.html"), "<html>home</html>").unwrap();
}

/// Bytes the sshd's TCP connection carried is not visible from here; the
/// deploy reports file bytes, rsync reports "sent".
fn rsync(src: &Path, sshd: &Sshd, kh: &Path, dest: &Path) -> (f64, String) {
    let ssh = format!(
        "ssh -p {} -i {} -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes -o BatchMode=yes",
        sshd.port,
        sshd.client_key.display(),
        kh.display()
    );
    let start = Instant::now();
    let out = Command::new("rsync")
        .args(["-a", "--delete", "--stats", "-e", &ssh])
        .arg(format!("{}/", src.display()))
        .arg(format!("root@127.0.0.1:{}/", dest.display()))
        .output()
        .expect("rsync");
    let t = start.elapsed().as_secs_f64();
    let stats = String::from_utf8_lossy(&out.stdout);
    let sent = stats
        .lines()
        .find(|l| l.starts_with("Total bytes sent"))
        .unwrap_or("?")
        .to_string();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (t, sent)
}

#[test]
#[ignore = "benchmark: run by hand"]
fn deploy_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let public: PathBuf = match std::env::var_os("KHAO_BENCH_PUBLIC") {
        Some(p) => {
            // Work on a copy: one news page is edited below.
            let copy = tmp.path().join("public");
            let ok = Command::new("cp")
                .arg("-a")
                .arg(&p)
                .arg(&copy)
                .status()
                .unwrap();
            assert!(ok.success());
            copy
        }
        None => {
            let p = tmp.path().join("public");
            synthetic(&p, 1000);
            p
        }
    };
    let sshd = Sshd::start(&tmp.path().join("sshd"), "");
    let kh = tmp.path().join("known_hosts");
    std::fs::write(&kh, sshd.known_hosts_line(sshd.port)).unwrap();
    let srv = tmp.path().join("srv");
    let target = DeployTarget::Sftp(SftpTarget {
        user: "root".into(),
        host: "127.0.0.1".into(),
        port: sshd.port,
        path: srv.display().to_string(),
    });
    let opts = DeployOptions {
        identity: Some(sshd.client_key.clone()),
        known_hosts: kh.clone(),
        ..DeployOptions::default()
    };
    let rsync_dest = tmp.path().join("rsync");
    std::fs::create_dir_all(&rsync_dest).unwrap();

    let mut rows = Vec::new();
    let mut run = |label: &str, public: &Path| {
        let start = Instant::now();
        let r = deploy_dir(public, &target, &opts).unwrap();
        let t = start.elapsed().as_secs_f64();
        let (rt, sent) = rsync(public, &sshd, &kh, &rsync_dest);
        rows.push(format!(
            "| {label} | {t:.2} s | {} files, {} bytes | {rt:.2} s | {sent} |",
            r.uploaded.len(),
            r.uploaded_bytes
        ));
    };
    run("first deploy", &public);
    run("no change", &public);
    // One news page edited (the first news page found).
    let page = walkdir::WalkDir::new(public.join("news"))
        .into_iter()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name() == "index.html" && e.depth() >= 3)
        .map(|e| e.path().to_path_buf())
        .unwrap_or_else(|| public.join("index.html"));
    let mut html = std::fs::read_to_string(&page).unwrap();
    html.push_str("<!-- edited -->");
    std::fs::write(&page, html).unwrap();
    run("one news changed", &public);

    let files = walkdir::WalkDir::new(&public)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .count();
    println!("\n{files} files in public/\n");
    println!("| case | khao deploy | khao sent | rsync -a --delete | rsync sent |");
    println!("|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
}
