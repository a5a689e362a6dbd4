//! `khao deploy` to a local folder (what the bundled example site uses):
//! the same releases and `current` symlink as on a server, the live check
//! through khao's own static server, dry runs, rollback, pruning; and the
//! real binary end to end on a small site.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::names_in;
use khao::commands::Context;
use khao::commands::cli::{DeployArgs, Format};
use khao::deploy::{DeployOptions, DeployTarget, deploy_dir};
use khao::i18n::Lang;

fn make_public(dir: &Path, v: u32) {
    let w = |rel: &str, data: String| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    };
    w(
        "index.html",
        format!(
            "<html><head><link rel=\"stylesheet\" href=\"style.css\"></head>\
             <body><h1>หน้าแรก {v}</h1><img src=\"/img/a.png\" alt=\"a\"></body></html>"
        ),
    );
    w("style.css", "body{}".into());
    w("img/a.png", "png".into());
    w(
        "news/2569/a/index.html",
        format!("<html><body>ข่าว {v}</body></html>"),
    );
    if v == 1 {
        w("old.html", "<html></html>".into());
    }
    w("feed.xml", format!("<rss>{v}</rss>"));
}

fn site(dir: &Path, keep: usize) -> PathBuf {
    let site = dir.join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(
        site.join("site.yaml"),
        format!(
            "title: ทดสอบ\nbase_url: https://www.example.go.th/\nlanguage: en\n\
             deploy:\n  target: .khao/live\n  keep_releases: {keep}\n"
        ),
    )
    .unwrap();
    site
}

fn run(site: &Path, public: &Path, dry_run: bool, rollback: bool) -> u8 {
    let ctx = Context {
        site_dir: site.to_path_buf(),
        format: Format::Json,
        lang_override: Some(Lang::En),
    };
    let args = DeployArgs {
        dry_run,
        rollback,
        target: None,
        browser: false,
    };
    khao::commands::run_prebuilt(&ctx, &args, public)
}

fn live(site: &Path) -> PathBuf {
    site.join(".khao/live")
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

#[test]
fn local_folder_deploys_checks_rolls_back_and_prunes() {
    let tmp = tempfile::tempdir().unwrap();
    let site = site(tmp.path(), 2);
    let (v1, v2, v3) = (
        tmp.path().join("v1"),
        tmp.path().join("v2"),
        tmp.path().join("v3"),
    );
    make_public(&v1, 1);
    make_public(&v2, 2);
    make_public(&v3, 3);

    // A dry run changes nothing.
    assert_eq!(run(&site, &v1, true, false), 0);
    assert!(!live(&site).join("current").exists());

    assert_eq!(run(&site, &v1, false, false), 0);
    let current = live(&site).join("current");
    assert!(
        std::fs::symlink_metadata(&current)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        read(current.join("news/2569/a/index.html")),
        "<html><body>ข่าว 1</body></html>"
    );
    let first = std::fs::read_link(&current).unwrap();

    assert_eq!(run(&site, &v2, true, false), 0);
    assert_eq!(std::fs::read_link(&current).unwrap(), first);

    assert_eq!(run(&site, &v2, false, false), 0);
    assert!(read(current.join("index.html")).contains("หน้าแรก 2"));
    assert!(!current.join("old.html").exists());
    // The previous release is untouched by the new one.
    assert!(read(live(&site).join(&first).join("index.html")).contains("หน้าแรก 1"));

    assert_eq!(run(&site, &v2, false, true), 0);
    assert_eq!(std::fs::read_link(&current).unwrap(), first);
    assert!(current.join("old.html").exists());

    // keep_releases: 2 — after two more deploys only two releases remain.
    assert_eq!(run(&site, &v2, false, false), 0);
    assert_eq!(run(&site, &v3, false, false), 0);
    let releases: Vec<String> = names_in(&live(&site).join("releases"))
        .into_iter()
        .filter(|n| !n.ends_with(".json"))
        .collect();
    assert_eq!(releases.len(), 2, "{releases:?}");
    assert!(read(current.join("index.html")).contains("หน้าแรก 3"));
}

/// A rollback, then a publish from the timer with `content/` unchanged (it
/// puts the rolled-back content live again, as a new release), then a
/// second rollback: back to the content before, not to the same content
/// under an older id.
#[test]
fn a_second_rollback_goes_back_to_other_content() {
    let tmp = tempfile::tempdir().unwrap();
    let site = site(tmp.path(), 5);
    let (v1, v2) = (tmp.path().join("v1"), tmp.path().join("v2"));
    make_public(&v1, 1);
    make_public(&v2, 2);
    let current = live(&site).join("current");
    assert_eq!(run(&site, &v1, false, false), 0);
    assert_eq!(run(&site, &v2, false, false), 0);
    assert_eq!(run(&site, &v2, false, true), 0);
    assert!(read(current.join("index.html")).contains("หน้าแรก 1"));
    assert_eq!(run(&site, &v2, false, false), 0);
    assert!(read(current.join("index.html")).contains("หน้าแรก 2"));
    assert_eq!(run(&site, &v2, false, true), 0);
    assert!(read(current.join("index.html")).contains("หน้าแรก 1"));
}

#[test]
fn rollback_without_an_older_release_exits_3() {
    let tmp = tempfile::tempdir().unwrap();
    let site = site(tmp.path(), 5);
    let v1 = tmp.path().join("v1");
    make_public(&v1, 1);
    assert_eq!(run(&site, &v1, false, true), 3);
    assert_eq!(run(&site, &v1, false, false), 0);
    assert_eq!(run(&site, &v1, false, true), 3);
}

#[test]
fn library_deploy_reports_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let (v1, v2) = (tmp.path().join("v1"), tmp.path().join("v2"));
    make_public(&v1, 1);
    make_public(&v2, 2);
    let target = DeployTarget::Local(tmp.path().join("live"));
    let opts = DeployOptions::default();
    let r1 = deploy_dir(&v1, &target, &opts).unwrap();
    assert_eq!((r1.uploaded.len(), r1.deleted.len()), (6, 0));
    let r2 = deploy_dir(&v2, &target, &opts).unwrap();
    assert_eq!(
        r2.uploaded,
        vec!["feed.xml", "index.html", "news/2569/a/index.html"]
    );
    assert_eq!(r2.deleted, vec!["old.html"]);
    assert_eq!(r2.unchanged, 2);

    // A news item taken down leaves no empty folder in the live site.
    std::fs::remove_dir_all(v2.join("news")).unwrap();
    let r3 = deploy_dir(&v2, &target, &opts).unwrap();
    assert_eq!(r3.deleted, vec!["news/2569/a/index.html"]);
    let live = tmp.path().join("live/current");
    assert!(live.join("img").is_dir());
    assert!(!live.join("news").exists(), "an empty folder was left");
}

/// Files removed from the live release on the server (a clean-up job, a
/// partial restore) are uploaded again by the next deploy, even one with
/// nothing new; so is a whole release folder gone.
#[test]
fn files_missing_from_the_live_release_are_uploaded_again() {
    let tmp = tempfile::tempdir().unwrap();
    let v1 = tmp.path().join("v1");
    make_public(&v1, 1);
    let target = DeployTarget::Local(tmp.path().join("live"));
    let opts = DeployOptions::default();
    deploy_dir(&v1, &target, &opts).unwrap();
    let current = tmp.path().join("live/current");
    std::fs::remove_file(current.join("style.css")).unwrap();
    std::fs::remove_file(current.join("img/a.png")).unwrap();
    let again = deploy_dir(&v1, &target, &opts).unwrap();
    assert_eq!(again.uploaded, vec!["img/a.png", "style.css"]);
    assert_eq!(read(current.join("style.css")), "body{}");
    assert!(current.join("img/a.png").is_file());

    let release = std::fs::canonicalize(&current).unwrap();
    std::fs::remove_dir_all(&release).unwrap();
    let again = deploy_dir(&v1, &target, &opts).unwrap();
    assert_eq!(again.uploaded.len(), 6, "{:?}", again.uploaded);
    assert!(read(current.join("index.html")).contains("หน้าแรก 1"));
}

/// [`site`] with 5 news items and an about page.
fn site_with_about_page(root: &Path) -> PathBuf {
    let site = site(root, 5);
    std::fs::create_dir_all(site.join("content")).unwrap();
    std::fs::write(
        site.join("content/about.md"),
        "---\ntitle: เกี่ยวกับเรา\n---\nสำนักงานเขตพื้นที่การศึกษา\n",
    )
    .unwrap();
    site
}

/// The real binary: build a small site, deploy it to a local folder, check
/// it live, and report as docs/commands.md's JSON.
#[test]
fn khao_deploy_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let site = site_with_about_page(tmp.path());
    // `--site` relative to where the officer is.
    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .current_dir(tmp.path())
        .args(["deploy", "--format", "json", "--site"])
        .arg(site.file_name().unwrap())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    for key in [
        "target",
        "release",
        "uploaded",
        "uploaded_bytes",
        "deleted",
        "unchanged",
        "verified",
        "rolled_back",
    ] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
    assert!(v["uploaded"].as_u64().unwrap() > 0);
    assert!(v["verified"]["checked"].as_u64().unwrap() > 0);
    assert_eq!(v["verified"]["failed"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["rolled_back"], false);
    let current = live(&site).join("current");
    assert!(current.join("index.html").is_file());

    // Again: nothing changed, nothing uploaded.
    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .args(["deploy", "--format", "json", "--site"])
        .arg(&site)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(v["uploaded"], 0, "{v}");

    // A dry run changes nothing, so it cannot be a rollback too: refused
    // as a bad command line (one JSON object all the same), the live site
    // as it was.
    let was = std::fs::read_link(&current).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .args([
            "deploy",
            "--rollback",
            "--dry-run",
            "--format",
            "json",
            "--site",
        ])
        .arg(&site)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "usage", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--dry-run"),
        "{v}"
    );
    assert_eq!(std::fs::read_link(&current).unwrap(), was);
}

/// Step 7 in a real browser: `deploy --browser` opens the live pages in
/// Chromium; `publish` does it by default when the live site changed and,
/// without Chromium, says so in one line and still publishes.
#[test]
fn deploy_checks_the_display_in_a_browser() {
    let tmp = tempfile::tempdir().unwrap();
    let site = site_with_about_page(tmp.path());

    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .args(["--lang", "en", "publish", "--site"])
        .arg(&site)
        .env("KHAO_CHROMIUM", tmp.path().join("no-such-chromium"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("Chromium is not installed"), "{stderr}");
    assert!(live(&site).join("current/index.html").is_file());

    if khao::browser::chromium().is_none() {
        eprintln!("chromium is not installed: scripts/test installs it");
        return;
    }
    std::fs::write(
        site.join("content/about.md"),
        "---\ntitle: เกี่ยวกับเรา\n---\nข้อความใหม่\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .args(["--lang", "en", "deploy", "--browser", "--site"])
        .arg(&site)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let shots = site.join(".khao/browser");
    let pngs = std::fs::read_dir(&shots)
        .map(|d| d.filter_map(Result::ok).count())
        .unwrap_or(0);
    assert!(pngs >= 2, "no screenshots in {}: {stderr}", shots.display());
    assert!(read(live(&site).join("current/about/index.html")).contains("ข้อความใหม่"));

    // A script reading JSON gets the same check, inside its one object.
    std::fs::write(
        site.join("content/about.md"),
        "---\ntitle: เกี่ยวกับเรา\n---\nข้อความใหม่อีก\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .args(["--format", "json", "publish", "--site"])
        .arg(&site)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one object");
    let pages = v["browser"]["pages"].as_array().map_or(0, Vec::len);
    assert!(
        pages >= 1 && v["browser"]["problems"] == serde_json::json!([]),
        "{v}"
    );

    // A publish from a timer with nothing to do starts no browser.
    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .args(["--lang", "en", "publish", "--site"])
        .arg(&site)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("in a browser"), "{stderr}");
}

/// A target no retry can reach (here a path through a file) says to fix
/// the target first, not to run the command again; exit 3, nothing live.
#[test]
fn a_target_that_cannot_be_written_says_to_fix_it_not_to_retry() {
    let tmp = tempfile::tempdir().unwrap();
    let site = site_with_about_page(tmp.path());
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .args(["deploy", "--site"])
        .arg(&site)
        .arg("--target")
        .arg(file.join("live"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("running again will not help"), "{stderr}");
    assert!(!stderr.contains("Run the same command again"), "{stderr}");
}
