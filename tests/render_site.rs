//! The renderer on a small hand-made site: `content::load_site` then
//! `render::render_site`, with a hand-made images map (no image processing).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use khao::config::SiteConfig;
use khao::content;
use khao::images::{ProcessedImage, Variant};
use khao::render;

const BASE: &str = "https://www.example.go.th/";

const SITE_YAML: &str = r#"
title: สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาทดสอบ
base_url: https://www.example.go.th/
language: th
description: เว็บไซต์ทดสอบ
office:
  name: สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาทดสอบ
  name_en: Test Secondary Educational Service Area Office
  address: 1 ถนนทดสอบ อำเภอเมือง จังหวัดทดสอบ 84000
  phone: 077-205317
  email: ict@example.go.th
menu:
  - { name: หน้าแรก, url: / }
  - name: เกี่ยวกับหน่วยงาน
    url: /about/
    children:
      - { name: ประวัติ, url: /about/history/ }
  - { name: ข่าวสาร, url: /news/ }
news:
  per_page: 2
  home_count: 2
  feed_count: 20
  categories:
    - { slug: pr, name: ข่าวประชาสัมพันธ์ }
    - { slug: announcement, name: ประกาศ }
    - { slug: procurement, name: จัดซื้อจัดจ้าง }
groups: [กลุ่มอำนวยการ]
"#;

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn tiny_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(8, 6, |x, y| {
        image::Rgb([(x * 30) as u8, (y * 40) as u8, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// A small site: home text, 3 pages, 3 news items (one pinned, one with
/// photos and an attachment, one with unsafe HTML in its body).
fn make_site(root: &Path) {
    write(root, "site.yaml", SITE_YAML.as_bytes());
    write(
        root,
        "content/index.md",
        "---\ntitle: ยินดีต้อนรับ\n---\nยินดีต้อนรับสู่เว็บไซต์ของสำนักงาน\n".as_bytes(),
    );
    write(
        root,
        "content/about/_index.md",
        "---\ntitle: เกี่ยวกับหน่วยงาน\nweight: 1\n---\nข้อมูลของสำนักงาน ดู[ประวัติ](history.md)\n"
            .as_bytes(),
    );
    write(
        root,
        "content/about/history.md",
        "---\ntitle: ประวัติความเป็นมา\ndescription: ประวัติของสำนักงาน\n---\n## ความเป็นมา\n\nก่อตั้งเมื่อ พ.ศ. 2553 [ไปที่หัวข้อ](#ความเป็นมา)\n\n| ปี | เหตุการณ์ |\n|---|---|\n| 2553 | ก่อตั้ง |\n".as_bytes(),
    );
    write(
        root,
        "content/news/_index.md",
        "---\ntitle: ข่าวสารของสำนักงาน\n---\nข่าวและประกาศทั้งหมดของสำนักงาน\n".as_bytes(),
    );
    write(
        root,
        "content/policy/privacy.md",
        "---\ntitle: นโยบายคุ้มครองข้อมูลส่วนบุคคล\nfooter: true\n---\nเว็บไซต์นี้ไม่ใช้คุกกี้\n".as_bytes(),
    );
    write(
        root,
        "content/news/2026/sports-day-2569/index.md",
        "---\ntitle: กีฬาสีสัมพันธ์\ndate: 2026-11-20\ncategory: pr\ntags: [กีฬา, นักเรียน]\nrequester: { name: นางสาวสมศรี ใจดี, group: กลุ่มอำนวยการ }\ncover: p1.jpg\nimages:\n  - { file: p1.jpg, alt: นักเรียนเดินขบวนพาเหรด }\n  - { file: p2.jpg, alt: การแข่งขันวิ่งผลัด }\nattachments:\n  - { file: คำสั่ง.pdf, title: คำสั่งแต่งตั้งคณะกรรมการ }\n---\nโรงเรียนในสังกัดร่วมกิจกรรมวันกีฬาสี\n\n![ภาพในเนื้อหา](p2.jpg)\n\nดู[คำสั่ง](คำสั่ง.pdf)\n".as_bytes(),
    );
    let jpeg = tiny_jpeg();
    write(root, "content/news/2026/sports-day-2569/p1.jpg", &jpeg);
    write(root, "content/news/2026/sports-day-2569/p2.jpg", &jpeg);
    write(
        root,
        "content/news/2026/sports-day-2569/คำสั่ง.pdf",
        &vec![b'%'; 1_258_291],
    );
    write(
        root,
        "content/news/2026/announce-exam/index.md",
        "---\ntitle: ประกาศผลการสอบ\ndate: 2026-11-18\ncategory: announcement\npinned: true\n---\nประกาศรายชื่อผู้ผ่านการสอบ\n".as_bytes(),
    );
    write(
        root,
        "content/news/2025/old-news/index.md",
        "---\ntitle: ข่าวเก่า\ndate: 2025-02-03\ncategory: pr\n---\nข่าวเมื่อปีที่แล้ว <script>alert(1)</script><img src=x onerror=alert(1)>\n".as_bytes(),
    );
}

fn load(root: &Path) -> content::Site {
    let config = SiteConfig::load(root).unwrap();
    let (site, diags) = content::load_site(root, config);
    assert!(diags.is_empty(), "{diags:#?}");
    site
}

/// The images map the image step would give for the site's jobs: three
/// widths per photo, named as the image step names them.
fn images_for(site: &content::Site) -> khao::images::ImageMap {
    render::image_jobs(site)
        .into_iter()
        .map(|job| {
            let stem = job
                .source
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .to_string();
            let variants = [320u32, 640, 1280]
                .iter()
                .map(|w| Variant {
                    width: *w,
                    height: w * 3 / 4,
                    url: format!("/{}/{stem}-{w}.jpg", job.out_dir),
                })
                .collect();
            (
                job.source.as_path().into(),
                ProcessedImage {
                    source: job.source,
                    variants,
                },
            )
        })
        .collect()
}

fn render_to(
    site: &content::Site,
    images: &khao::images::ImageMap,
    out: &Path,
) -> render::RenderOutput {
    render::render_site(site, images, out, &now())
        .unwrap_or_else(|e| panic!("render failed: {e:#}"))
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn files_under(root: &Path) -> BTreeSet<PathBuf> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(root).unwrap().to_path_buf())
        .collect()
}

fn html_pages(out: &Path) -> Vec<PathBuf> {
    files_under(out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect()
}

#[test]
fn pages_are_written_where_the_spec_says() {
    let dir = tempfile::tempdir().unwrap();
    make_site(dir.path());
    let site = load(dir.path());
    let images = images_for(&site);
    let out = dir.path().join("public");
    let result = render_to(&site, &images, &out);

    for rel in [
        "index.html",
        "news/index.html",
        "news/2026/sports-day-2569/index.html",
        "news/2026/announce-exam/index.html",
        "news/2025/old-news/index.html",
        "category/pr/index.html",
        "category/announcement/index.html",
        "category/procurement/index.html",
        "about/index.html",
        "about/history/index.html",
        "policy/privacy/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "css/site.css",
        "js/site.js",
        "fonts/sarabun-thai-400-normal.woff2",
        "fonts/sarabun-thai-700-normal.woff2",
        "fonts/sarabun-latin-400-normal.woff2",
        "fonts/LICENSE",
        "news/2026/sports-day-2569/คำสั่ง.pdf",
    ] {
        assert!(out.join(rel).is_file(), "{rel} missing");
        assert!(
            result.files.contains(&PathBuf::from(rel)),
            "{rel} not reported"
        );
    }
    assert!(!out.join("news/page/1/index.html").exists());
    assert!(!out.join("news/page/3/index.html").exists());
    assert_eq!(result.news, 3);
    assert_eq!(result.pages, html_pages(&out).len());
    // Every file on disk is reported (the build removes what is not).
    let reported: BTreeSet<PathBuf> = result.files.iter().cloned().collect();
    assert_eq!(reported, files_under(&out));
    // Photos only as processed variants: no original is published.
    for p in files_under(&out) {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            name != "p1.jpg" && name != "p2.jpg",
            "original photo published: {}",
            p.display()
        );
    }
}

#[test]
fn news_page_shows_thai_date_photos_attachments_and_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    make_site(dir.path());
    let site = load(dir.path());
    let images = images_for(&site);
    let out = dir.path().join("public");
    render_to(&site, &images, &out);
    let html = read(&out, "news/2026/sports-day-2569/index.html");

    assert!(html.contains("<html lang=\"th\">"), "lang");
    assert!(html.contains("20 พฤศจิกายน 2569"), "Thai BE date");
    assert!(html.contains("<time datetime=\"2026-11-20\">"));
    // cover through its variants, gallery thumbnail linking to the largest size
    assert!(
        html.contains("/news/2026/sports-day-2569/p1-640.jpg"),
        "cover"
    );
    assert!(
        html.contains("srcset=\"/news/2026/sports-day-2569/p1-320.jpg 320w"),
        "srcset"
    );
    assert!(
        html.contains("href=\"/news/2026/sports-day-2569/p2-1280.jpg\""),
        "gallery link to large"
    );
    assert!(html.contains("alt=\"การแข่งขันวิ่งผลัด\""));
    // the gallery holds every photo, lazily loaded; the cover above is not lazy
    assert!(html.contains("href=\"/news/2026/sports-day-2569/p1-1280.jpg\""));
    assert_eq!(
        html.matches("loading=\"lazy\"").count(),
        3,
        "2 gallery photos + 1 in the body"
    );
    assert!(html.contains("fetchpriority=\"high\""));
    assert!(
        !html.contains("sports-day-2569/p1.jpg") && !html.contains("sports-day-2569/p2.jpg"),
        "original referenced"
    );
    // attachment with type and human size
    assert!(
        html.contains("href=\"/news/2026/sports-day-2569/คำสั่ง.pdf\""),
        "attachment link"
    );
    assert!(html.contains("คำสั่งแต่งตั้งคณะกรรมการ"));
    assert!(html.contains("(PDF, 1.2 MB)"), "type and size");
    // category link, tags, requester's group, never the name
    assert!(html.contains("href=\"/category/pr/\""));
    assert!(html.contains("กีฬา") && html.contains("นักเรียน"));
    assert!(html.contains("กลุ่มอำนวยการ"));
    assert!(!html.contains("สมศรี"), "requester's name published");
    // Open Graph
    assert!(html.contains("<meta property=\"og:type\" content=\"article\">"));
    assert!(html.contains("<meta property=\"og:locale\" content=\"th_TH\">"));
    assert!(html.contains(&format!(
        "<meta property=\"og:image\" content=\"{BASE}news/2026/sports-day-2569/p1-1280.jpg\">"
    )));
    assert!(html.contains("<meta name=\"twitter:card\" content=\"summary_large_image\">"));
    assert!(html.contains(&format!(
        "<link rel=\"canonical\" href=\"{BASE}news/2026/sports-day-2569/\">"
    )));
    // footer: office and policy page
    assert!(html.contains("077-205317") && html.contains("href=\"tel:077205317\""));
    assert!(html.contains("href=\"/policy/privacy/\""));
    // landmarks and skip link
    for needle in [
        "<header",
        "<nav",
        "<main id=\"k-main\"",
        "<footer",
        "class=\"skip-link\" href=\"#k-main\"",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
}

#[test]
fn unsafe_html_in_a_body_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    make_site(dir.path());
    let site = load(dir.path());
    let out = dir.path().join("public");
    render_to(&site, &Default::default(), &out);
    let html = read(&out, "news/2025/old-news/index.html");
    assert!(html.contains("3 กุมภาพันธ์ 2568"));
    assert!(!html.contains("alert(1)"), "script kept");
    assert!(!html.contains("onerror"), "event handler kept");
}

#[test]
fn home_lists_pinned_news_first_then_the_latest() {
    let dir = tempfile::tempdir().unwrap();
    make_site(dir.path());
    let site = load(dir.path());
    let out = dir.path().join("public");
    render_to(&site, &Default::default(), &out);
    let html = read(&out, "index.html");
    assert!(html.contains("ยินดีต้อนรับสู่เว็บไซต์ของสำนักงาน"));
    let pinned = html.find("ประกาศผลการสอบ").expect("pinned news on home");
    let latest = html.find("กีฬาสีสัมพันธ์").expect("latest news on home");
    assert!(pinned < latest);
    // home_count: 2 non-pinned news
    assert!(html.contains("ข่าวเก่า"));
    assert!(html.contains("<meta property=\"og:type\" content=\"website\">"));
}

#[test]
fn lists_paginate_and_categories_filter() {
    let dir = tempfile::tempdir().unwrap();
    make_site(dir.path());
    let news = |slug: &str, title: &str, date: &str| {
        let text = format!("---\ntitle: {title}\ndate: {date}\ncategory: announcement\n---\nข่าว\n");
        write(
            dir.path(),
            &format!("content/news/2026/{slug}/index.md"),
            text.as_bytes(),
        );
    };
    news("meeting", "ประชุมผู้บริหาร", "2026-03-01");
    let site = load(dir.path());
    let out = dir.path().join("public");
    render_to(&site, &Default::default(), &out);

    // Four news, two a page: the newest two, then the oldest two at
    // page/1/ (pages are cut from the oldest, so they stay put).
    let p1 = read(&out, "news/index.html");
    assert!(p1.contains("กีฬาสีสัมพันธ์") && p1.contains("ประกาศผลการสอบ"));
    assert!(!p1.contains("ข่าวเก่า</a>"), "page 1 holds per_page items");
    assert!(p1.contains("href=\"/news/page/1/\""), "link to page 2");
    // content/news/_index.md: the list's title and text
    assert!(p1.contains("<h1>ข่าวสารของสำนักงาน"), "intro title");
    assert!(p1.contains("ข่าวและประกาศทั้งหมดของสำนักงาน"), "intro text");
    let p2 = read(&out, "news/page/1/index.html");
    assert!(p2.contains("ข่าวเก่า") && p2.contains("ประชุมผู้บริหาร"));
    assert!(!p2.contains("กีฬาสีสัมพันธ์</a>"));
    assert!(
        !p2.contains("ข่าวและประกาศทั้งหมดของสำนักงาน"),
        "intro only on page 1"
    );
    assert!(p2.contains("href=\"/news/\""), "link back to page 1");
    assert!(p2.contains("aria-current=\"page\""));

    let pr = read(&out, "category/pr/index.html");
    assert!(pr.contains("ข่าวประชาสัมพันธ์"));
    assert!(pr.contains("กีฬาสีสัมพันธ์") && pr.contains("ข่าวเก่า"));
    assert!(!pr.contains("ประกาศผลการสอบ</a>"));
    let ann = read(&out, "category/announcement/index.html");
    assert!(ann.contains("ประกาศผลการสอบ"));
    let empty = read(&out, "category/procurement/index.html");
    assert!(empty.contains("ยังไม่มีข่าวในหมวดนี้"));

    // A fifth news joins page 1 (three news until its group fills); the
    // older page keeps its news and its bytes.
    news("newest", "ข่าวล่าสุด", "2026-11-25");
    render_to(&load(dir.path()), &Default::default(), &out);
    let p1 = read(&out, "news/index.html");
    for title in ["ข่าวล่าสุด", "กีฬาสีสัมพันธ์", "ประกาศผลการสอบ"]
    {
        assert!(p1.contains(&format!("{title}</a>")), "{title} on page 1");
    }
    assert_eq!(read(&out, "news/page/1/index.html"), p2, "page 2 stays put");
}

#[test]
fn pages_have_heading_ids_tables_and_the_menu() {
    let dir = tempfile::tempdir().unwrap();
    make_site(dir.path());
    let site = load(dir.path());
    let out = dir.path().join("public");
    render_to(&site, &Default::default(), &out);
    let html = read(&out, "about/history/index.html");
    assert!(html.contains("<h2 id=\"ความเป็นมา\">"));
    assert!(html.contains("href=\"#ความเป็นมา\""));
    assert!(html.contains("class=\"table-wrap\""));
    // the submenu entry of this page is marked current, its parent active
    assert!(html.contains("<a href=\"/about/history/\" aria-current=\"page\">"));
    assert!(html.contains("<details>"));
    // a link to a Markdown file became the page's address
    let about = read(&out, "about/index.html");
    assert!(about.contains("href=\"/about/history/\""));
    assert!(about.contains("ประวัติความเป็นมา"), "child page listed");
}

#[test]
fn feed_and_sitemap_are_xml_with_absolute_urls() {
    let dir = tempfile::tempdir().unwrap();
    make_site(dir.path());
    let site = load(dir.path());
    let images = images_for(&site);
    let out = dir.path().join("public");
    render_to(&site, &images, &out);

    let feed = read(&out, "feed.xml");
    let items = xml_texts(&feed, "link");
    assert!(
        items.contains(&format!("{BASE}news/2026/sports-day-2569/")),
        "{items:?}"
    );
    assert_eq!(xml_texts(&feed, "guid").len(), 3);
    for link in &items {
        assert!(link.starts_with(BASE), "{link}");
    }

    let sitemap = read(&out, "sitemap.xml");
    let locs: BTreeSet<String> = xml_texts(&sitemap, "loc").into_iter().collect();
    let expected: BTreeSet<String> = html_pages(&out)
        .into_iter()
        .filter(|p| p != Path::new("404.html"))
        // Archives without news are for links, not search engines.
        .filter(|p| !read(&out, &p.to_string_lossy()).contains("content=\"noindex\""))
        .map(|p| {
            let s = p.to_string_lossy().replace('\\', "/");
            let url = format!("{BASE}{}", s.trim_end_matches("index.html"));
            // sitemap URLs are percent-encoded; these paths are ASCII
            url
        })
        .collect();
    assert_eq!(locs, expected);

    let robots = read(&out, "robots.txt");
    assert!(robots.contains(&format!("Sitemap: {BASE}sitemap.xml")));
}

/// The text of every `<tag>` element, parsed with a real XML parser (which
/// fails the test on malformed XML).
fn xml_texts(xml: &str, tag: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut inside = false;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                inside = e.name().as_ref() == tag;
                text.clear();
            }
            Ok(Event::Text(t)) if inside => text.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if inside => {
                let entity = format!("&{};", r.xml10_content());
                text.push_str(&quick_xml::escape::unescape(&entity).unwrap());
            }
            Ok(Event::End(_)) => {
                if inside {
                    out.push(std::mem::take(&mut text));
                }
                inside = false;
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "not well-formed XML at {}: {e}\n{xml}",
                reader.buffer_position()
            ),
        }
    }
    out
}

#[test]
fn no_page_makes_a_request_to_another_site() {
    let dir = tempfile::tempdir().unwrap();
    make_site(dir.path());
    let site = load(dir.path());
    let images = images_for(&site);
    let out = dir.path().join("public");
    render_to(&site, &images, &out);
    let url = regex::Regex::new(r#"(?i)(https?:)?//[^\s"'<>)]+"#).unwrap();
    let mut checked = 0;
    for page in html_pages(&out) {
        let html = read(&out, &page.to_string_lossy());
        for m in url.find_iter(&html) {
            assert!(
                m.as_str().starts_with(BASE),
                "{}: {}",
                page.display(),
                m.as_str()
            );
        }
        checked += 1;
    }
    assert!(checked > 10);
    let css = read(&out, "css/site.css");
    assert!(
        !css.contains("http://") && !css.contains("https://") && !css.contains("url(//"),
        "CSS loads from another site"
    );
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    make_site(dir.path());
    let site = load(dir.path());
    let images = images_for(&site);
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    render_to(&site, &images, &a);
    // a second load too: nothing may depend on the order of a hash map
    let site2 = load(dir.path());
    render_to(&site2, &images, &b);
    let fa = files_under(&a);
    assert_eq!(fa, files_under(&b));
    for f in fa {
        assert_eq!(
            std::fs::read(a.join(&f)).unwrap(),
            std::fs::read(b.join(&f)).unwrap(),
            "{}",
            f.display()
        );
    }
}

#[test]
fn a_site_theme_overrides_the_builtin_one_file_by_file() {
    let dir = tempfile::tempdir().unwrap();
    make_site(dir.path());
    write(
        dir.path(),
        "themes/default/templates/404.html",
        b"{% extends \"base.html\" %}{% block content %}<p>OUR-OWN-404 {{ t.back_home }}</p>{% endblock content %}",
    );
    write(
        dir.path(),
        "themes/default/i18n/th.yaml",
        "back_home: กลับสู่หน้าหลัก\n".as_bytes(),
    );
    write(
        dir.path(),
        "themes/default/static/images/seal.png",
        b"not really a png",
    );
    let site = load(dir.path());
    let out = dir.path().join("public");
    render_to(&site, &Default::default(), &out);
    let html = read(&out, "404.html");
    assert!(html.contains("OUR-OWN-404 กลับสู่หน้าหลัก"), "{html}");
    // the other templates and words still come from the built-in theme
    assert!(read(&out, "index.html").contains("ข่าวล่าสุด"));
    assert!(out.join("images/seal.png").is_file());
    assert!(out.join("css/site.css").is_file());
}

#[test]
fn a_broken_template_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    make_site(dir.path());
    write(dir.path(), "themes/default/templates/page.html", b"{% extends \"base.html\" %}{% block content %}{{ page.title | no_such_filter }}{% endblock content %}");
    let site = load(dir.path());
    let err = render::render_site(
        &site,
        &Default::default(),
        &dir.path().join("public"),
        &now(),
    )
    .unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("page.html"), "{msg}");
}

#[test]
fn english_sites_use_english_words_and_common_era_dates() {
    let dir = tempfile::tempdir().unwrap();
    make_site(dir.path());
    let yaml = SITE_YAML.replace("language: th", "language: en");
    write(dir.path(), "site.yaml", yaml.as_bytes());
    let site = load(dir.path());
    let out = dir.path().join("public");
    render_to(&site, &Default::default(), &out);
    let html = read(&out, "news/2026/sports-day-2569/index.html");
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("20 November 2026"));
    assert!(html.contains("Skip to content"));
    assert!(html.contains("en_US"));
}

#[test]
fn image_jobs_cover_every_published_photo_once() {
    let dir = tempfile::tempdir().unwrap();
    make_site(dir.path());
    let site = load(dir.path());
    let jobs = render::image_jobs(&site);
    let names: Vec<(String, String)> = jobs
        .iter()
        .map(|j| {
            (
                j.source.file_name().unwrap().to_string_lossy().to_string(),
                j.out_dir.clone(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (
                "p1.jpg".to_string(),
                "news/2026/sports-day-2569".to_string()
            ),
            (
                "p2.jpg".to_string(),
                "news/2026/sports-day-2569".to_string()
            ),
        ]
    );
    for j in &jobs {
        assert!(j.source.is_file(), "{}", j.source.display());
    }
    // Reached through `.` and `..`, the keys are still the ones the pages
    // look photos up by.
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let site = load(&dir.path().join("sub/../."));
    let content = site.content_dir();
    for j in render::image_jobs(&site) {
        let rel = j.source.strip_prefix(dir.path().join("content")).unwrap();
        let key = khao::markdown::Resolver::image_key(&content, rel);
        assert_eq!(j.source, key);
    }
}

#[test]
fn theme_words_exist_in_both_languages() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/i18n");
    let th: BTreeMap<String, String> =
        serde_yaml::from_str(&std::fs::read_to_string(dir.join("th.yaml")).unwrap()).unwrap();
    let en: BTreeMap<String, String> =
        serde_yaml::from_str(&std::fs::read_to_string(dir.join("en.yaml")).unwrap()).unwrap();
    let th_keys: BTreeSet<&String> = th.keys().collect();
    let en_keys: BTreeSet<&String> = en.keys().collect();
    assert_eq!(
        th_keys, en_keys,
        "th.yaml and en.yaml must have the same keys"
    );
    for (k, v) in th.iter().chain(en.iter()) {
        assert!(!v.trim().is_empty(), "{k} is empty");
    }
    // every `t.key` a template uses exists
    let used = regex::Regex::new(r"\bt\.([a-z_0-9]+)").unwrap();
    for entry in std::fs::read_dir(dir.parent().unwrap().join("templates")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for caps in used.captures_iter(&text) {
            assert!(
                th.contains_key(&caps[1]),
                "{} uses t.{} which th.yaml lacks",
                path.display(),
                &caps[1]
            );
        }
    }
}

/// A fixed "now" (the clock never decides what a test renders).
fn now() -> render::Now {
    chrono::DateTime::parse_from_rfc3339("2026-11-27T12:00:00+07:00").unwrap()
}
