//! Loading a site folder's `content/`.

use super::*;
use crate::plumbing::paths::source_url;

fn config() -> SiteConfig {
    SiteConfig::parse(
        "title: t\nbase_url: https://x.go.th/\nnews:\n  categories:\n    - { slug: pr, name: ข่าวประชาสัมพันธ์ }\n",
        Path::new("site.yaml"),
    )
    .unwrap()
}

/// Writes `text` to `root/rel`, making its folders.
pub(super) fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn photos_are_known_by_their_extension_in_any_case() {
    for p in ["ข่าว/รูป.JPG", "a/b.jpeg", "x.Png", "y.webp", "z.GIF"] {
        assert!(is_photo(Path::new(p)), "{p}");
    }
    for p in ["a.pdf", "jpg", "a/.jpg", "a.jpgx", "a.heic", ""] {
        assert!(!is_photo(Path::new(p)), "{p}");
    }
}

#[test]
fn page_urls() {
    assert_eq!(source_url(Path::new("contact.md")), "/contact/");
}

#[test]
fn loads_pages_and_news_with_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "content/index.md", "\u{feff}ยินดีต้อนรับ\n");
    write(
        root,
        "content/about/_index.md",
        "---\ntitle: เกี่ยวกับ\nweight: 1\n---\ntext\n",
    );
    write(
        root,
        "content/about/history.md",
        "---\ntitle: ประวัติ\ntitel: x\n---\ntext\n",
    );
    write(root, "content/broken.md", "---\ntitle: a: b\n---\n");
    write(root, "content/notitle.md", "---\ndescription: d\n---\n");
    write(
        root,
        "content/news/2026/a/index.md",
        "---\ntitle: ข่าว ก\ndate: 2026-11-20\ncategory: ข่าวประชาสัมพันธ์\n---\nเนื้อหา\n",
    );
    write(
        root,
        "content/news/2026/b/index.md",
        "---\ntitle: ข่าว ข\ndate: 20/11/2569\ncategory: pr\nimages: [{file: nope.jpg}]\n---\nเนื้อหา\n",
    );
    write(
        root,
        "content/news/2026/c/index.md",
        "---\ntitle: ค\ndate: 2026-02-30\ncategory: pr\n---\n",
    );
    write(
        root,
        "content/news/2026/d/index.md",
        "---\ntitle: ง\ndate: 2026-01-01\ncategory: sport\n---\n",
    );
    write(
        root,
        "content/news/2026/e/index.md",
        "---\ntitle: จ\ncategory: pr\n---\n",
    );
    write(
        root,
        "content/news/2026/f/index.md",
        "---\ntitle: ฉ\ndate: 2026-01-02\ncategory: pr\nattachments: [{file: page.html}]\n---\n",
    );
    write(root, "content/news/2026/f/page.html", "<script></script>");
    let (site, diags) = load_site(root, config());
    let urls: Vec<&str> = site.pages.iter().map(|p| p.url.as_str()).collect();
    assert_eq!(urls, ["/", "/about/", "/about/history/"]);
    let news: Vec<&str> = site.news.iter().map(|n| n.slug.as_str()).collect();
    assert_eq!(news, ["a", "b", "f"]);
    assert!(site.news[2].news.attachments.is_empty());
    assert_eq!(site.news[0].news.category, "pr");
    assert!(site.news[1].news.images.is_empty());
    let codes: Vec<(Code, String)> = diags
        .iter()
        .map(|d| (d.code, d.file.as_ref().unwrap().display().to_string()))
        .collect();
    for (code, file) in [
        (Code::UnknownField, "content/about/history.md"),
        (Code::YamlSyntax, "content/broken.md"),
        (Code::MissingField, "content/notitle.md"),
        (Code::MissingFile, "content/news/2026/b/index.md"),
        (Code::BadDate, "content/news/2026/c/index.md"),
        (Code::UnknownCategory, "content/news/2026/d/index.md"),
        (Code::MissingField, "content/news/2026/e/index.md"),
        (Code::DisallowedFileType, "content/news/2026/f/index.md"),
    ] {
        assert!(
            codes.contains(&(code, file.to_string())),
            "{code} {file} not in {codes:?}"
        );
    }
    let yaml = diags.iter().find(|d| d.code == Code::YamlSyntax).unwrap();
    assert_eq!(yaml.line, Some(2));
}

#[test]
fn a_request_copied_by_hand_into_content_news_loads_with_its_requester() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "content/news/2026/sports-day/ข่าว.md",
        "---\ntitle: กีฬาสี\ndate: 20/11/2569\ncategory: ข่าวประชาสัมพันธ์\nrequester: { name: ก, group: กลุ่มอำนวยการ, phone: 077-000000, email: a@x.go.th }\n---\nเนื้อหา\n",
    );
    write(root, "content/news/2026/sports-day/khao-report.txt", "ผ่าน");
    write(
        root,
        "content/news/2026/yaml-request/request.yaml",
        "title: ข\ndate: 2026-11-21\ncategory: pr\nbody: เนื้อหา\n",
    );
    let (site, diags) = load_site(root, config());
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let slugs: Vec<&str> = site.news.iter().map(|n| n.slug.as_str()).collect();
    assert_eq!(slugs, ["yaml-request", "sports-day"]);
    assert_eq!(site.news[1].news.requester.phone, "077-000000");
    assert_eq!(site.news[0].news.body, "เนื้อหา");
}

#[test]
fn a_national_id_typed_into_published_news_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "content/news/2026/winners/index.md",
        "---\ntitle: ผู้ได้รับรางวัล\ndate: 2026-11-20\ncategory: pr\n---\nเด็กชายสมชาย 3-1017-00203-45-6\n",
    );
    let (site, diags) = load_site(root, config());
    let id = diags.iter().find(|d| d.code == Code::PersonalId);
    let id = id.unwrap_or_else(|| panic!("{diags:?}"));
    assert!(id.is_error());
    assert_eq!(id.line, Some(6));
    assert_eq!(
        id.file.as_deref(),
        Some(Path::new("content/news/2026/winners/index.md"))
    );
    // The item still loads; the error keeps the site from being deployed.
    assert_eq!(site.news.len(), 1);
}
