//! End-to-end: incremental rebuilds through the real binary. After each
//! change (edit, add, delete a news item, a theme template override, a
//! site.yaml edit, a deleted page other pages link to) the rebuilt
//! `public/` must equal a clean build of the same site — a fresh copy with
//! no cache — byte for byte, with the same report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::util::REPO;
use serde_json::Value;

fn build(site: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .arg("--site")
        .arg(site)
        .args(["build", "--format", "json"])
        .output()
        .expect("run khao");
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "build --format json did not print one JSON object ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Copies a site folder, leaving out what a build makes (`public/`,
/// `.khao/`) unless `with_output`. The photo cache (`.khao/cache/images`,
/// resized photos keyed by their bytes) is kept when `with_photos`: it only
/// saves the resizing, which the photo tests cover.
fn copy_site(from: &Path, to: &Path, with_output: bool, with_photos: bool) {
    for entry in walkdir::WalkDir::new(from).into_iter().filter_entry(|e| {
        let rel = e.path().strip_prefix(from).unwrap();
        if with_output {
            return true;
        }
        if rel.starts_with("public") {
            return false;
        }
        if rel.starts_with(".khao/cache/images") {
            return with_photos;
        }
        !rel.starts_with(".khao") || rel == Path::new(".khao") || rel == Path::new(".khao/cache")
    }) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// The example site built once per test run, for its photo cache.
fn base() -> &'static Path {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("incremental_base");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for file in ["site.yaml", "ita.yaml"] {
            std::fs::copy(Path::new(REPO).join(file), dir.join(file)).unwrap();
        }
        copy_site(
            &Path::new(REPO).join("content"),
            &dir.join("content"),
            false,
            false,
        );
        build(&dir);
        dir
    })
}

/// The example site in a temporary folder, built once.
fn built_example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_site(base(), dir.path(), false, true);
    let first = build(dir.path());
    assert!(first["pages"].as_u64().unwrap_or(0) > 10, "{first}");
    dir
}

fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap().to_path_buf();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The report without what differs between an incremental and a clean
/// build by design (timing, work counts, the output folder).
fn comparable(report: &Value) -> Value {
    let mut r = report.clone();
    if let Some(o) = r.as_object_mut() {
        for k in ["seconds", "out", "images", "rendered", "written", "checked"] {
            o.remove(k);
        }
    }
    r
}

/// Rebuilds `site` incrementally and checks it against a clean build of a
/// fresh copy. Returns the incremental report.
fn assert_same_as_clean(site: &Path) -> Value {
    let incremental = build(site);
    let clean_dir = tempfile::tempdir().unwrap();
    copy_site(site, clean_dir.path(), false, true);
    let clean = build(clean_dir.path());
    assert_eq!(comparable(&incremental), comparable(&clean));
    let a = snapshot(&site.join("public"));
    let b = snapshot(&clean_dir.path().join("public"));
    let only_a: Vec<&PathBuf> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_b: Vec<&PathBuf> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "only incremental: {only_a:?}\nonly clean: {only_b:?}"
    );
    for (rel, bytes) in &a {
        assert!(
            b.get(rel) == Some(bytes),
            "{} differs from a clean build",
            rel.display()
        );
    }
    incremental
}

fn news_dirs(site: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = walkdir::WalkDir::new(site.join("content/news"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "index.md")
        .map(|e| e.path().parent().unwrap().to_path_buf())
        .collect();
    dirs.sort();
    dirs
}

fn count(report: &Value, key: &str) -> u64 {
    report[key].as_u64().unwrap_or(u64::MAX)
}

#[test]
fn nothing_changed_renders_and_checks_nothing() {
    let site = built_example();
    let again = assert_same_as_clean(site.path());
    assert_eq!(count(&again, "rendered"), 0, "{again}");
    assert_eq!(count(&again, "written"), 0, "{again}");
    assert_eq!(count(&again, "checked"), 0, "{again}");
}

#[test]
fn an_edit_keeping_size_and_modification_time_is_seen() {
    // Settled files (changed more than two seconds before the build) are
    // remembered by their stamp.
    let site = tempfile::tempdir().unwrap();
    copy_site(base(), site.path(), false, true);
    std::thread::sleep(std::time::Duration::from_millis(2200));
    build(site.path());
    // One Thai letter for another (the same three bytes), and the old
    // modification time put back, as a copy that keeps times would.
    let md = news_dirs(site.path())[0].join("index.md");
    let mtime = std::fs::metadata(&md).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&md).unwrap();
    let body = text.rfind("\n---").unwrap();
    let at = body + text[body..].find('ก').expect("a ก in the body");
    let edited = format!("{}ข{}", &text[..at], &text[at + 'ก'.len_utf8()..]);
    assert_eq!(edited.len(), text.len());
    std::fs::write(&md, edited).unwrap();
    let file = std::fs::File::options().write(true).open(&md).unwrap();
    file.set_modified(mtime).unwrap();
    let report = assert_same_as_clean(site.path());
    assert!(count(&report, "rendered") >= 1, "{report}");
}

#[test]
fn edited_news_body_remakes_only_its_page() {
    let site = built_example();
    let dir = &news_dirs(site.path())[0];
    let md = dir.join("index.md");
    let text = std::fs::read_to_string(&md).unwrap();
    std::fs::write(&md, format!("{text}\n\nย่อหน้าใหม่ที่เพิ่มเข้ามา\n")).unwrap();
    let report = assert_same_as_clean(site.path());
    let pages = count(&report, "pages");
    assert!(count(&report, "rendered") >= 1, "{report}");
    // The page itself (and the lists, feed, sitemap at most), never the
    // whole site.
    assert!(count(&report, "rendered") < pages / 2, "{report}");
    assert!(count(&report, "checked") < pages / 2, "{report}");
}

#[test]
fn added_and_deleted_news_match_a_clean_build() {
    let site = built_example();
    let dirs = news_dirs(site.path());
    // Add: a copy of an item under a new slug.
    let new_dir = dirs[0].parent().unwrap().join("copied-news-item");
    copy_site(&dirs[0], &new_dir, true, true);
    let md = new_dir.join("index.md");
    let text = std::fs::read_to_string(&md).unwrap();
    std::fs::write(&md, text.replacen("title: ", "title: สำเนา ", 1)).unwrap();
    assert_same_as_clean(site.path());
    // Delete: the copy and one original item with photos.
    std::fs::remove_dir_all(&new_dir).unwrap();
    let with_photo = dirs
        .iter()
        .find(|d| {
            std::fs::read_dir(d)
                .unwrap()
                .any(|e| e.unwrap().path().extension().is_some_and(|x| x == "jpg"))
        })
        .unwrap();
    std::fs::remove_dir_all(with_photo).unwrap();
    assert_same_as_clean(site.path());
    // The last build's list of files damaged: another deleted item's files
    // are found by walking the output folder.
    let list = site.path().join(".khao/cache/build-files.bin");
    let bytes = std::fs::read(&list).unwrap();
    std::fs::write(&list, &bytes[..bytes.len() - 3]).unwrap();
    std::fs::remove_dir_all(&news_dirs(site.path())[0]).unwrap();
    assert_same_as_clean(site.path());
}

#[test]
fn template_override_and_site_yaml_change_match_a_clean_build() {
    let site = built_example();
    // A site theme overriding one template: only the pages using it (and
    // the templates it is included into) change.
    let templates = site.path().join("themes/default/templates");
    std::fs::create_dir_all(&templates).unwrap();
    let original =
        std::fs::read_to_string(Path::new(REPO).join("themes/default/templates/news.html"))
            .unwrap();
    let edited = original.replacen("</article>", "<p>ทดสอบแม่แบบ</p></article>", 1);
    assert_ne!(edited, original, "news.html has an </article>");
    std::fs::write(templates.join("news.html"), &edited).unwrap();
    let report = assert_same_as_clean(site.path());
    let news = count(&report, "news");
    let rendered = count(&report, "rendered");
    assert!(
        rendered >= news && rendered < count(&report, "pages"),
        "{report}"
    );

    // Back to the built-in template.
    std::fs::remove_dir_all(site.path().join("themes")).unwrap();
    assert_same_as_clean(site.path());

    // site.yaml: a new title shows on every page.
    let yaml_path = site.path().join("site.yaml");
    let yaml = std::fs::read_to_string(&yaml_path).unwrap();
    std::fs::write(&yaml_path, yaml.replacen("title: ", "title: ทดสอบ ", 1)).unwrap();
    let report = assert_same_as_clean(site.path());
    assert!(
        count(&report, "rendered") >= count(&report, "pages"),
        "{report}"
    );
}

#[test]
fn deleting_a_linked_page_reports_the_links_that_broke() {
    let site = built_example();
    // The news items link to /plan/; removing the page breaks those links.
    let plan = site.path().join("content/plan.md");
    assert!(plan.is_file());
    std::fs::remove_file(&plan).unwrap();
    let report = assert_same_as_clean(site.path());
    let broken = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["code"] == "broken-link" && p["target"].as_str() == Some("/plan/"));
    assert!(broken, "{report}");
    // Putting it back fixes them, as a clean build says.
    std::fs::copy(Path::new(REPO).join("content/plan.md"), &plan).unwrap();
    let report = assert_same_as_clean(site.path());
    assert!(
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["code"] != "broken-link"),
        "{report}"
    );
}

#[test]
fn files_removed_or_replaced_in_public_are_made_again() {
    // Three news folders with photos and an attachment, settled and built
    // until the image step knows them whole: from then on the files in
    // them are not looked at one by one, and each change below must still
    // be seen.
    let site = tempfile::tempdir().unwrap();
    copy_site(base(), site.path(), false, true);
    let news = site.path().join("content/news/2026");
    let pdf = news.join("recruit-computer-officer-2569/recruitment-announcement-2569.pdf");
    let slugs = [
        "teachers-day-2569",
        "thai-language-day-2569",
        "action-plan-workshop-2570",
    ];
    for slug in slugs {
        std::fs::copy(&pdf, news.join(slug).join("plan.pdf")).unwrap();
        let md = news.join(slug).join("index.md");
        let text = std::fs::read_to_string(&md).unwrap();
        let listed = "\nattachments:\n  - file: plan.pdf\n    title: แผนปฏิบัติการ\nimages:\n";
        std::fs::write(&md, text.replacen("\nimages:\n", listed, 1)).unwrap();
    }
    let settle = || std::thread::sleep(std::time::Duration::from_millis(2200));
    settle();
    build(site.path());
    settle();
    build(site.path());
    let again = build(site.path());
    assert_eq!(count(&again, "rendered"), 0, "{again}");
    assert_eq!(count(&again, "written"), 0, "{again}");

    let public = site.path().join("public/news/2026");
    // Removed: a page, and an attachment in another folder.
    std::fs::remove_file(public.join(slugs[0]).join("index.html")).unwrap();
    std::fs::remove_file(public.join(slugs[1]).join("plan.pdf")).unwrap();
    // Replaced by a rename, as an editor saves: a page.
    let page = public.join("cybersecurity-pdpa-training-2569/index.html");
    std::fs::write(page.with_extension("tmp"), "<p>แก้ด้วยมือ</p>").unwrap();
    std::fs::rename(page.with_extension("tmp"), &page).unwrap();
    // A source attachment written over in place, its size and time kept:
    // its folders' stamps stay as they were.
    let source = news.join(slugs[2]).join("plan.pdf");
    let mtime = std::fs::metadata(&source).unwrap().modified().unwrap();
    let mut bytes = std::fs::read(&source).unwrap();
    assert_eq!(bytes[11], 0xeb, "the PDF's binary comment");
    bytes[11] = 0xec;
    std::fs::write(&source, &bytes).unwrap();
    let file = std::fs::File::options().write(true).open(&source).unwrap();
    file.set_modified(mtime).unwrap();
    assert_same_as_clean(site.path());
}

/// A build killed half way leaves temporary files in `public/` (hidden,
/// yet they would be uploaded); the next build finds it did not finish and
/// sweeps them, where it would otherwise trust the last build's list.
#[test]
fn a_killed_builds_leftovers_are_swept_by_the_next() {
    let site = built_example();
    let public = site.path().join("public");
    let leftover = public.join("news/.index.html.4242.7.tmp");
    std::fs::write(&leftover, "<html>half").unwrap();
    // What a killed build leaves behind: its mark of a build under way.
    std::fs::write(site.path().join(".khao/cache/building"), "").unwrap();
    build(site.path());
    assert!(
        !leftover.exists(),
        "a killed build's temporary file was kept"
    );
    assert!(!site.path().join(".khao/cache/building").exists());
    assert_same_as_clean(site.path());
}
