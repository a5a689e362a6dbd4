//! The bundled example site passes `khao build --browser`: no broken image,
//! console error, failed request, sideways scroll at 360 px or fallback
//! font, and zero axe-core WCAG 2.1 AA violations on home, the news list,
//! every news page, a service page and 404; each photographed at phone and
//! desktop width. The real binary on a copy of the site; one Chromium.

use crate::util::{REPO, copy_dir};
use std::path::Path;
use std::process::Command;

#[test]
fn example_site_passes_the_browser_and_accessibility_checks() {
    assert!(
        khao::browser::chromium().is_some(),
        "chromium is not installed: run scripts/test, which installs it"
    );
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    for file in ["site.yaml", "ita.yaml"] {
        std::fs::copy(Path::new(REPO).join(file), site.join(file)).unwrap();
    }
    copy_dir(&Path::new(REPO).join("content"), &site.join("content"));

    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .args(["--lang", "en", "--format", "json", "build", "--browser"])
        .current_dir(site)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");

    // One JSON object: the build's, with the browser run in `browser`.
    assert_eq!(stdout.trim().lines().count(), 1, "{stdout}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(v["news"].as_u64().is_some_and(|n| n > 0), "{v:#}");
    let report = &v["browser"];
    assert_eq!(
        report["problems"].as_array().unwrap().len(),
        0,
        "{report:#}"
    );
    let pages: Vec<&str> = report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    for must in ["/", "/news/", "/404.html"] {
        assert!(pages.contains(&must), "{pages:?}");
    }
    assert!(pages.iter().any(|p| p.starts_with("/ict/")), "{pages:?}");
    let news = pages.iter().filter(|p| p.starts_with("/news/20")).count();
    let news_sources = walkdir::WalkDir::new(site.join("content/news"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "index.md")
        .count();
    assert_eq!(news, news_sources.min(khao::browser::MAX_NEWS_PAGES));

    let shots = site.join(".khao/browser");
    for name in ["home-phone.png", "home-desktop.png", "404-phone.png"] {
        let bytes = std::fs::read(shots.join(name)).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{name}");
    }
    assert_eq!(
        report["screenshots"].as_array().unwrap().len(),
        2 * pages.len()
    );
    // The checker's own script never reaches the published site.
    assert!(
        walkdir::WalkDir::new(site.join("public"))
            .into_iter()
            .filter_map(Result::ok)
            .all(|e| !e.file_name().to_string_lossy().contains("axe"))
    );
}
