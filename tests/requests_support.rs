//! Shared helpers of the publicity-request tests: a temporary site with a
//! known site.yaml, fixture copying, and running the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const SITE_YAML: &str = "title: สพม. ทดสอบ
base_url: https://www.example.go.th/
news:
  categories:
    - { slug: pr, name: ข่าวประชาสัมพันธ์ }
    - { slug: announcement, name: ประกาศ }
groups: [กลุ่มอำนวยการ, กลุ่มนิเทศ ติดตามและประเมินผลการจัดการศึกษา]
images: { widths: [320, 640], max_file_mb: 1, max_pixels: 50000000 }
attachments: { types: [pdf, docx, xlsx, pptx], max_file_mb: 2 }
requests: { settle_seconds: 1 }
";

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/requests")
}

/// A temporary site with site.yaml, an empty requests/ and one published
/// news item (slug `existing-news`, title `ข่าวที่เผยแพร่แล้ว`, 2026-01-15).
pub fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("site.yaml"), SITE_YAML).expect("site.yaml");
    std::fs::create_dir_all(dir.path().join("requests")).expect("requests");
    let news = dir.path().join("content/news/2026/existing-news");
    std::fs::create_dir_all(&news).expect("news");
    std::fs::write(
        news.join("index.md"),
        "---\ntitle: ข่าวที่เผยแพร่แล้ว\ndate: 2026-01-15\ncategory: pr\n---\nเนื้อหา\n",
    )
    .expect("index.md");
    dir
}

/// Copies a file or folder recursively.
pub fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("read_dir") {
            let e = e.expect("entry");
            copy(&e.path(), &to.join(e.file_name()));
        }
    } else {
        std::fs::copy(from, to).expect("copy");
    }
}

/// Waits until requests written just now have been still for
/// `requests.settle_seconds` (1 s in [`SITE_YAML`]), so that intake takes
/// them rather than waiting for the copy to finish. (Times cannot be set
/// back: khao looks at the ctime, which no one can set.)
pub fn settle() {
    std::thread::sleep(std::time::Duration::from_millis(1100));
}

/// Runs khao with `args` in `site`; (exit status, stdout, stderr).
pub fn khao(site: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .arg("--site")
        .arg(site)
        .args(args)
        .output()
        .expect("run khao");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `khao check --format json [paths]`: (exit status, the JSON object).
pub fn check_json(site: &Path, paths: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(paths);
    let (code, out, err) = khao(site, &args);
    let v = serde_json::from_str(out.trim())
        .unwrap_or_else(|e| panic!("not one JSON object ({e}): {out}\n{err}"));
    (code, v)
}

/// The codes of every diagnostic of every request in a check object.
pub fn codes(v: &serde_json::Value) -> Vec<String> {
    v["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["diagnostics"].as_array().cloned().unwrap_or_default())
        .filter_map(|d| d["code"].as_str().map(String::from))
        .collect()
}

/// A valid Thai national ID from its first twelve digits.
pub fn valid_id(first12: &str) -> String {
    let sum: u32 = first12
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * (13 - i as u32))
        .sum();
    format!("{first12}{}", (11 - sum % 11) % 10)
}

/// A real JPEG of `w`×`h` made with the image crate.
pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y) % 256) as u8])
    });
    let mut buf = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut buf, image::ImageFormat::Jpeg)
        .expect("encode");
    buf.into_inner()
}

/// A good request text naming `extra` front matter lines.
pub fn request_md(title: &str, extra: &str, body: &str) -> String {
    format!(
        "---\ntitle: {title}\ndate: 20/11/2569\ncategory: ข่าวประชาสัมพันธ์\nrequester: {{ name: นางสาวสมศรี ใจดี, group: กลุ่มอำนวยการ, phone: 077-000000 }}\n{extra}---\n{body}\n"
    )
}
