//! End-to-end through the real binary: a news item with a phone photo
//! (EXIF orientation 6, GPS) is built with `khao build`, as the ICT officer
//! would. The published photos are upright, carry no metadata, the original
//! is not published, and a rebuild processes nothing and changes no byte.

use std::path::{Path, PathBuf};

use crate::util::{age_all, run as khao};
use serde_json::Value;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/images/ladybird-orientation6-gps.jpg"
);

fn build_json(site: &Path) -> (i32, Value, String) {
    let out = khao(site, &["build", "--format", "json"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let v: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"));
    (out.status.code().unwrap_or(-1), v, stderr)
}

fn site_with_photo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("site.yaml"),
        "title: ทดสอบรูปภาพ\n\
         base_url: https://test.example.go.th/\n\
         news:\n  categories:\n    - { slug: pr, name: ประชาสัมพันธ์ }\n\
         images: { widths: [320, 640, 1280] }\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("content/news/2026/ladybird")).unwrap();
    std::fs::write(
        root.join("content/index.md"),
        "---\ntitle: หน้าแรก\n---\nยินดีต้อนรับ\n",
    )
    .unwrap();
    std::fs::write(
        root.join("content/news/2026/ladybird/index.md"),
        "---\n\
         title: เต่าทองในสวนของโรงเรียน\n\
         date: 2026-01-15\n\
         category: pr\n\
         summary: ภาพเต่าทองจากโทรศัพท์ของครู\n\
         cover: IMG_20260115.jpg\n\
         images:\n  - { file: IMG_20260115.jpg, alt: เต่าทองบนใบหญ้า }\n\
         ---\n\
         ข่าวทดสอบรูปภาพจากโทรศัพท์\n",
    )
    .unwrap();
    std::fs::copy(
        FIXTURE,
        root.join("content/news/2026/ladybird/IMG_20260115.jpg"),
    )
    .unwrap();
    dir
}

fn files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap().to_path_buf();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn phone_photo_is_published_upright_without_metadata_and_cached() {
    let site = site_with_photo();
    let public = site.path().join("public");
    let (code, report, stderr) = build_json(site.path());
    let errors: Vec<&Value> = report["problems"]
        .as_array()
        .map(|a| a.iter().filter(|p| p["severity"] == "error").collect())
        .unwrap_or_default();
    assert!(errors.is_empty(), "{errors:#?}\n{stderr}");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["images"]["processed"], 1, "{report}");
    assert_eq!(report["images"]["cached"], 0, "{report}");

    let first = files(&public);
    let original = std::fs::read(FIXTURE).unwrap();
    let jpegs: Vec<&(PathBuf, Vec<u8>)> = first
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    let names: Vec<String> = jpegs.iter().map(|(p, _)| p.display().to_string()).collect();
    assert_eq!(
        jpegs.len(),
        3,
        "320, 640 and the photo's own 900: {names:?}"
    );
    for (path, bytes) in &jpegs {
        assert_ne!(bytes, &original, "{} is the original", path.display());
        for needle in [
            &b"Exif\0\0"[..],
            b"GPS",
            b"KhaoTestPhone",
            b"Created with GIMP",
        ] {
            assert!(
                !contains(bytes, needle),
                "{} carries metadata",
                path.display()
            );
        }
        let img = image::load_from_memory(bytes).unwrap();
        assert!(
            img.height() > img.width(),
            "{} is not upright",
            path.display()
        );
    }
    assert!(
        names.iter().any(|n| n.ends_with("img-20260115-640.jpg")),
        "{names:?}"
    );
    // No file anywhere in public/ carries the photo's EXIF block.
    for (path, bytes) in &first {
        assert!(!contains(bytes, b"KhaoTestPhone"), "{}", path.display());
    }
    // The news page uses the resized files.
    let page = first
        .iter()
        .find(|(p, _)| p.ends_with("news/2026/ladybird/index.html"))
        .map(|(_, b)| String::from_utf8_lossy(b).to_string())
        .expect("news page");
    assert!(page.contains("img-20260115-640.jpg"), "{page}");
    assert!(page.contains("srcset"), "{page}");

    // Rebuild: nothing processed, not one byte different.
    let (code, report, stderr) = build_json(site.path());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["images"]["processed"], 0, "{report}");
    assert_eq!(report["images"]["cached"], 1, "{report}");
    assert_eq!(first, files(&public), "rebuild changed public/");
}

#[test]
fn a_broken_photo_fails_the_build_naming_it() {
    let site = site_with_photo();
    let photo = site
        .path()
        .join("content/news/2026/ladybird/IMG_20260115.jpg");
    let bytes = std::fs::read(&photo).unwrap();
    std::fs::write(&photo, &bytes[..bytes.len() / 3]).unwrap();
    let (code, report, stderr) = build_json(site.path());
    assert_eq!(code, 1, "{report}\n{stderr}");
    let text = report["problems"].to_string();
    assert!(text.contains("IMG_20260115.jpg"), "{text}");
}

/// Every file below `dir`, relative to it, sorted.
fn names_below(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().display().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn resized_photos_no_page_uses_leave_the_cache_after_a_day_or_two() {
    let site = site_with_photo();
    let cache = site.path().join(".khao/cache/images");
    let (code, _, stderr) = build_json(site.path());
    assert_eq!(code, 0, "{stderr}");
    let before = names_below(&cache);
    let variants = |names: &[String]| names.iter().filter(|n| n.ends_with(".jpg")).count();
    assert_eq!(variants(&before), 3, "{before:?}");

    // The officer settles on other widths: every resized file is now one
    // no page uses. Within a day or two they stay; after that they go.
    let yaml = site.path().join("site.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, text.replace("[320, 640, 1280]", "[480, 960]")).unwrap();
    let (code, report, stderr) = build_json(site.path());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["images"]["processed"], 1, "{report}");
    assert_eq!(variants(&names_below(&cache)), 5, "old sizes kept for now");

    age_all(&cache, 3);
    let published = files(&site.path().join("public"));
    let (code, report, stderr) = build_json(site.path());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["images"]["processed"], 0, "{report}");
    let after = names_below(&cache);
    assert_eq!(variants(&after), 2, "only the sizes in use stay: {after:?}");
    assert!(
        after
            .iter()
            .all(|n| !before.contains(n) || !n.ends_with(".jpg"))
    );
    assert_eq!(
        published,
        files(&site.path().join("public")),
        "the site is untouched"
    );

    // What stayed is what the site uses: a build without the memo finds it.
    std::fs::remove_dir_all(site.path().join(".khao/cache/memo")).unwrap();
    let (code, report, stderr) = build_json(site.path());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["images"]["processed"], 0, "{report}");
    assert_eq!(report["images"]["cached"], 1, "{report}");
}

#[test]
fn a_resized_photo_cut_short_is_made_again_not_published() {
    let site = site_with_photo();
    let (code, _, stderr) = build_json(site.path());
    assert_eq!(code, 0, "{stderr}");
    let public = site.path().join("news/2026/ladybird/img-20260115-640.jpg");
    let public = site
        .path()
        .join("public")
        .join(public.strip_prefix(site.path()).unwrap());
    let whole = std::fs::read(&public).unwrap();
    // Cut short in place: the published copy and the cache's are one
    // file. Deleted from public/, it must come back whole.
    std::fs::File::options()
        .write(true)
        .open(&public)
        .unwrap()
        .set_len(200)
        .unwrap();
    std::fs::remove_file(&public).unwrap();
    let (code, report, stderr) = build_json(site.path());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["images"]["processed"], 1, "{report}");
    assert_eq!(std::fs::read(&public).unwrap(), whole);
}
