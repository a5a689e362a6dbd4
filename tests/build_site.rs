//! End-to-end: `khao build` on the bundled example site and on small broken
//! sites, run through the real binary as the ICT officer would.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::util::{REPO, build_json, example_site, run as khao};
use serde_json::Value;

fn files_under(root: &Path) -> BTreeSet<PathBuf> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(root).unwrap().to_path_buf())
        .collect()
}

fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files_under(root)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(root.join(&rel)).unwrap();
            (rel, bytes)
        })
        .collect()
}

#[test]
fn example_site_builds_cleanly_and_deterministically() {
    let site = example_site();
    let (code, report) = build_json(site.path());
    let problems = report["problems"].as_array().cloned().unwrap_or_default();
    let errors: Vec<&Value> = problems
        .iter()
        .filter(|p| p["severity"] == "error")
        .collect();
    assert_eq!(code, 0, "errors: {errors:#?}");
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(report["news"].as_u64().unwrap() >= 12, "{report}");
    assert!(
        report["images"]["processed"].as_u64().unwrap() > 0,
        "{report}"
    );

    let public = site.path().join("public");
    for page in [
        "index.html",
        "404.html",
        "news/index.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "ict/index.html",
        "policy/privacy/index.html",
        "policy/website/index.html",
        "policy/security/index.html",
        "contact/index.html",
    ] {
        assert!(public.join(page).is_file(), "{page} missing");
    }
    let home = std::fs::read_to_string(public.join("index.html")).unwrap();
    assert!(home.contains("lang=\"th\""));
    assert!(
        home.contains("077-205317"),
        "the service phone is on every page"
    );
    assert!(
        home.contains("loading=\"lazy\""),
        "photos below the fold load lazily"
    );
    assert!(home.contains("og:image"), "a shared link shows the cover");

    // No original photo is published as it is, and nothing leaks the
    // manual author's personal data.
    for rel in files_under(&public) {
        let bytes = std::fs::read(public.join(&rel)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for secret in [
            "08-8018-8108",
            "0880188108",
            "sakda.chintatto",
            "ทุ่งลูกนก",
            "10 ตุลาคม 2522",
        ] {
            assert!(
                !text.contains(secret),
                "{} contains {secret}",
                rel.display()
            );
        }
        if rel.extension().is_some_and(|e| e == "jpg" || e == "jpeg") {
            assert!(
                !bytes.windows(6).any(|w| w == b"Exif\0\0"),
                "{} carries EXIF",
                rel.display()
            );
        }
        if rel.extension().is_some_and(|e| e == "html") {
            for third_party in [
                "fonts.googleapis",
                "cdn.",
                "googletagmanager",
                "facebook.net",
            ] {
                assert!(
                    !text.contains(third_party),
                    "{} loads {third_party}",
                    rel.display()
                );
            }
        }
    }

    // The feed parses as XML.
    let feed = std::fs::read_to_string(public.join("feed.xml")).unwrap();
    let mut reader = quick_xml::Reader::from_str(&feed);
    let mut items = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e))
                if matches!(e.name().as_ref(), "item" | "entry") =>
            {
                items += 1
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("feed.xml is not XML: {e}"),
        }
    }
    assert!(items >= 10, "feed has {items} items");
    // Its pictures are described as on the pages, not left without words.
    assert!(feed.contains("&lt;img src="), "a feed picture");
    assert!(!feed.contains("alt=&quot;&quot;"), "{feed}");

    // The sitemap lists every page meant for search engines.
    let sitemap = std::fs::read_to_string(public.join("sitemap.xml")).unwrap();
    let base = "https://www.surat-chumphon.example.go.th/";
    for rel in files_under(&public) {
        let s = rel.to_string_lossy().replace('\\', "/");
        if !s.ends_with("index.html") || s.starts_with("_") {
            continue;
        }
        // Archives without news are for links, not search engines.
        let html = std::fs::read_to_string(public.join(&rel)).unwrap();
        if html.contains("content=\"noindex\"") {
            continue;
        }
        let url = format!("{base}{}", s.trim_end_matches("index.html"));
        assert!(sitemap.contains(&url), "sitemap.xml misses {url}");
    }

    // A second build processes no photo again and writes identical bytes.
    let first = snapshot(&public);
    let (code, report) = build_json(site.path());
    assert_eq!(code, 0);
    assert_eq!(report["images"]["processed"], 0, "{report}");
    assert!(report["images"]["cached"].as_u64().unwrap() > 0);
    let second = snapshot(&public);
    assert_eq!(first.len(), second.len());
    for ((a, x), (b, y)) in first.iter().zip(&second) {
        assert_eq!(a, b);
        assert!(x == y, "{} differs between two builds", a.display());
    }

    // A build from scratch (cache emptied) gives the same bytes too.
    std::fs::remove_dir_all(site.path().join(".khao")).unwrap();
    std::fs::remove_dir_all(&public).unwrap();
    let (code, _) = build_json(site.path());
    assert_eq!(code, 0);
    assert!(snapshot(&public) == first, "a clean rebuild differs");
}

fn small_site(news_body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("site.yaml"),
        "title: ทดสอบ\nbase_url: https://test.example.go.th/\nnews:\n  categories:\n    - { slug: pr, name: ข่าวประชาสัมพันธ์ }\ngroups: [กลุ่มอำนวยการ]\n",
    )
    .unwrap();
    let news = dir.path().join("content/news/2026/test-news");
    std::fs::create_dir_all(&news).unwrap();
    std::fs::write(
        news.join("index.md"),
        format!("---\ntitle: ข่าวทดสอบ\ndate: 2026-11-20\ncategory: pr\n---\n{news_body}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("content/index.md"),
        "---\ntitle: หน้าแรก\n---\nสวัสดี\n",
    )
    .unwrap();
    dir
}

#[test]
fn broken_link_fails_the_build_naming_the_page() {
    let site = small_site("อ่าน [ระเบียบ](/no-such-page/) ได้ที่นี่");
    let (code, report) = build_json(site.path());
    assert_eq!(code, 1, "{report}");
    let problems = report["problems"].as_array().unwrap();
    assert!(
        problems.iter().any(|p| p["code"] == "broken-link"
            && p["target"] == "/no-such-page/"
            && p["page"].as_str().unwrap().contains("news/2026/test-news")),
        "{report:#}"
    );
    // The human output names the page too.
    let out = khao(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("news/2026/test-news") && stderr.contains("/no-such-page/"),
        "{stderr}"
    );
    // ...and the file and line to fix: the Markdown, not the HTML.
    let source = "content/news/2026/test-news/index.md:6";
    assert!(stderr.contains(source), "{stderr}");
    let p = problems
        .iter()
        .find(|p| p["code"] == "broken-link")
        .unwrap();
    assert_eq!(p["source"], source, "{p}");
}

/// A broken link of the menu (site.yaml) is on every page, and written in
/// no page's Markdown: no page's file is given as where to fix it.
#[test]
fn a_broken_menu_link_names_no_markdown_file() {
    let site = small_site("สวัสดี");
    let yaml = std::fs::read_to_string(site.path().join("site.yaml")).unwrap();
    let menu = "menu: [{ name: ไม่มี, url: /no-such-page/ }]\n";
    std::fs::write(site.path().join("site.yaml"), format!("{yaml}{menu}")).unwrap();
    let (code, report) = build_json(site.path());
    assert_eq!(code, 1, "{report}");
    let problems = report["problems"].as_array().unwrap();
    let broken: Vec<_> = (problems.iter())
        .filter(|p| p["target"] == "/no-such-page/")
        .collect();
    assert!(!broken.is_empty(), "{report:#}");
    assert!(broken.iter().all(|p| p["source"].is_null()), "{report:#}");
}

#[test]
fn missing_image_fails_the_build_naming_the_page() {
    let site = small_site("![แผนที่](missing.jpg)");
    let (code, report) = build_json(site.path());
    assert_eq!(code, 1, "{report}");
    let text = report["problems"].to_string();
    assert!(text.contains("missing.jpg"), "{report:#}");
    assert!(text.contains("news/2026/test-news"), "{report:#}");
}

#[test]
fn bad_site_yaml_exits_2_naming_the_key() {
    let site = small_site("x");
    std::fs::write(
        site.path().join("site.yaml"),
        "titel: x\nbase_url: https://t.go.th/\n",
    )
    .unwrap();
    let out = khao(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("titel") && stderr.contains("title"),
        "{stderr}"
    );

    std::fs::write(
        site.path().join("site.yaml"),
        "title: x\nbase_url: https://t.go.th/\nnews:\n  per_page: ten\n",
    )
    .unwrap();
    let out = khao(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("news.per_page"), "{stderr}");
}

#[test]
fn phone_photo_is_rotated_and_stripped_of_all_metadata() {
    let site = small_site("ภาพกิจกรรม");
    let news = site.path().join("content/news/2026/test-news");
    std::fs::copy(
        Path::new(REPO).join("tests/fixtures/images/ladybird-orientation6-gps.jpg"),
        news.join("photo.jpg"),
    )
    .unwrap();
    std::fs::write(
        news.join("index.md"),
        "---\ntitle: ข่าวทดสอบ\ndate: 2026-11-20\ncategory: pr\nimages:\n  - { file: photo.jpg, alt: เต่าทองบนใบไม้ }\n---\nภาพกิจกรรม\n",
    )
    .unwrap();
    let (code, report) = build_json(site.path());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["images"]["processed"], 1, "{report}");

    let out = site.path().join("public/news/2026/test-news");
    let jpegs: Vec<PathBuf> = files_under(&out)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "jpg"))
        .collect();
    assert!(!jpegs.is_empty(), "no resized photo published");
    assert!(
        !out.join("photo.jpg").exists(),
        "the original must never be published as it is"
    );
    for rel in &jpegs {
        let bytes = std::fs::read(out.join(rel)).unwrap();
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif"),
            "{} has EXIF",
            rel.display()
        );
        assert!(
            !bytes.windows(4).any(|w| w == b"GIMP"),
            "{} kept a comment",
            rel.display()
        );
        let (w, h) = image::load_from_memory(&bytes)
            .unwrap()
            .to_rgb8()
            .dimensions();
        assert!(h > w, "{} is not rotated upright: {w}x{h}", rel.display());
    }
    // The page uses the variants with their real sizes.
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(page.contains("srcset="), "responsive srcset");
    assert!(
        page.contains("width=\"") && page.contains("height=\""),
        "sizes on img"
    );
    assert!(page.contains("เต่าทองบนใบไม้"), "alt text");

    // A second build processes nothing again.
    let (_, report) = build_json(site.path());
    assert_eq!(report["images"]["processed"], 0, "{report}");
    assert_eq!(report["images"]["cached"], 1, "{report}");
}

#[test]
fn every_page_of_the_example_site_has_an_og_image_with_its_size() {
    let site = example_site();
    let (code, v) = build_json(site.path());
    assert_eq!(code, 0, "{v:#}");
    let public = site.path().join("public");
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(&public) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let html = std::fs::read_to_string(entry.path()).unwrap();
        for tag in ["og:image\"", "og:image:width\"", "og:image:height\""] {
            assert!(
                html.contains(&format!("property=\"{tag}")),
                "{} has no {tag}",
                entry.path().display()
            );
        }
        // The picture it names is published.
        let url = html
            .split("property=\"og:image\" content=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let rel = url.trim_start_matches("https://www.surat-chumphon.example.go.th/");
        assert!(
            public.join(rel).is_file(),
            "{} names {url}",
            entry.path().display()
        );
    }
    assert!(pages > 20, "{pages} pages");
    // The theme's card: 1200×630, the office's name drawn on it.
    let card = image::open(public.join("images/share-card.png")).unwrap();
    assert_eq!((card.width(), card.height()), (1200, 630));
}

/// `small_site` whose news item attaches `file`, with `bytes` there.
fn site_attaching(file: &str, bytes: &[u8]) -> tempfile::TempDir {
    let site = small_site("รายละเอียดตามเอกสารแนบ");
    let news = site.path().join("content/news/2026/test-news");
    std::fs::write(
        news.join("index.md"),
        format!(
            "---\ntitle: ข่าวทดสอบ\ndate: 2026-11-20\ncategory: pr\nattachments:\n  - {{ file: {file}, title: เอกสารแนบ }}\n---\nรายละเอียดตามเอกสารแนบ\n"
        ),
    )
    .unwrap();
    std::fs::write(news.join(file), bytes).unwrap();
    site
}

#[test]
fn an_attachment_holding_national_ids_is_not_published_from_content() {
    // A list of names replaced by hand in content/ never went through a
    // request's check: the build reads it as intake would.
    let fixtures = Path::new(REPO).join("tests/fixtures/requests");
    let clean = std::fs::read(fixtures.join("good/sports-day-2569/คำสั่ง.pdf")).unwrap();
    let with_ids =
        std::fs::read(fixtures.join("bad/personal-id--in-attached-pdf/รายชื่อ.pdf")).unwrap();
    let site = site_attaching("รายชื่อ.pdf", &clean);
    let published = site.path().join("public/news/2026/test-news/รายชื่อ.pdf");
    let (code, report) = build_json(site.path());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(std::fs::read(&published).unwrap(), clean);

    let source = site.path().join("content/news/2026/test-news/รายชื่อ.pdf");
    std::fs::write(&source, &with_ids).unwrap();
    // Every build says so until it is fixed; the copy published before
    // stays as it was.
    for _ in 0..2 {
        let (code, report) = build_json(site.path());
        assert_eq!(code, 1, "{report:#}");
        let problems = report["problems"].as_array().unwrap();
        let found = problems
            .iter()
            .find(|p| p["code"] == "personal-id")
            .unwrap_or_else(|| panic!("{report:#}"));
        assert_eq!(found["file"], "content/news/2026/test-news/รายชื่อ.pdf");
        assert_eq!(found["severity"], "error");
        assert_eq!(std::fs::read(&published).unwrap(), clean);
    }
    // deploy refuses it: nothing reaches the live folder.
    let yaml = site.path().join("site.yaml");
    let mut settings = std::fs::read_to_string(&yaml).unwrap();
    settings.push_str("deploy:\n  target: live\n");
    std::fs::write(&yaml, settings).unwrap();
    let out = khao(site.path(), &["deploy"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!site.path().join("live").exists());

    std::fs::write(&source, &clean).unwrap();
    let (code, report) = build_json(site.path());
    assert_eq!(code, 0, "{report:#}");

    // A site built for the first time with it: the file is not in public/.
    let fresh = site_attaching("รายชื่อ.pdf", &with_ids);
    let (code, report) = build_json(fresh.path());
    assert_eq!(code, 1, "{report:#}");
    assert!(
        !fresh
            .path()
            .join("public/news/2026/test-news/รายชื่อ.pdf")
            .exists()
    );
}

#[test]
fn an_office_attachment_in_content_is_published_without_its_photos_positions() {
    use crate::intake_requests::{has_latitude, photos_in};
    let original = std::fs::read(crate::docx_support::fixture_path("good.docx")).unwrap();
    assert!(has_latitude(&photos_in(&original)), "the fixture has one");
    let site = site_attaching("ภาพกิจกรรม.docx", &original);
    let (code, report) = build_json(site.path());
    assert_eq!(code, 0, "{report:#}");
    let published = std::fs::read(
        site.path()
            .join("public/news/2026/test-news/ภาพกิจกรรม.docx"),
    )
    .unwrap();
    assert!(
        !has_latitude(&photos_in(&published)),
        "the position was published"
    );
    // content/ keeps what the officer put there.
    let kept = std::fs::read(
        site.path()
            .join("content/news/2026/test-news/ภาพกิจกรรม.docx"),
    );
    assert_eq!(kept.unwrap(), original);
}

#[test]
fn other_attachments_are_published_as_they_are() {
    // A zip is not read for ID numbers: copied byte for byte, and again
    // when it changes.
    let bytes = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec();
    let site = site_attaching("แบบฟอร์ม.zip", &bytes);
    let published = site.path().join("public/news/2026/test-news/แบบฟอร์ม.zip");
    let (code, report) = build_json(site.path());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(std::fs::read(&published).unwrap(), bytes);
    let changed = [&bytes[..], b"  "].concat();
    std::fs::write(
        site.path().join("content/news/2026/test-news/แบบฟอร์ม.zip"),
        &changed,
    )
    .unwrap();
    let (code, report) = build_json(site.path());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(std::fs::read(&published).unwrap(), changed);
}

/// National IDs in `content/` that no request check saw: split by bold
/// in a news body, in an office page, as a news folder's name, in the
/// name of a photo a folder copied in publishes without naming it. Each
/// is an error in the file to fix, so nothing is deployed with it.
#[test]
fn national_ids_anywhere_in_content_stop_the_build() {
    let site = small_site("ผู้ได้รับรางวัล **31017**00203456");
    let content = site.path().join("content");
    std::fs::write(
        content.join("staff.md"),
        "---\ntitle: บุคลากร\n---\nนายสมชาย 3-1014-00456-78-2\n",
    )
    .unwrap();
    let named = content.join("news/2026/3101400456782");
    std::fs::create_dir_all(&named).unwrap();
    std::fs::write(
        named.join("index.md"),
        "---\ntitle: ข่าวชื่อโฟลเดอร์\ndate: 2026-11-21\ncategory: pr\n---\nเนื้อหา\n",
    )
    .unwrap();
    let copied = content.join("news/2026/copied-in");
    std::fs::create_dir_all(&copied).unwrap();
    std::fs::write(
        copied.join("ข่าว.md"),
        "---\ntitle: ข่าวคัดลอกมา\ndate: 2026-11-22\ncategory: pr\n---\nเนื้อหา\n",
    )
    .unwrap();
    let photo = crate::requests_support::jpeg(800, 600);
    std::fs::write(copied.join("สมชาย_3101400456782.jpg"), photo).unwrap();

    let (code, report) = build_json(site.path());
    assert_eq!(code, 1, "{report:#}");
    let mut files: Vec<String> = (report["problems"].as_array().unwrap().iter())
        .filter(|p| p["code"] == "personal-id")
        .map(|p| p["file"].as_str().unwrap_or_default().to_string())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "content/news/2026/3101400456782/index.md",
            "content/news/2026/copied-in/สมชาย_3101400456782.jpg",
            "content/news/2026/test-news/index.md",
            "content/staff.md",
        ],
        "{report:#}"
    );
}
