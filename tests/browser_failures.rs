//! The browser check fails, naming the page, on what a visitor would see
//! broken: a photo gone from the server, a script error from a theme
//! override, a table too wide for a phone; and the accessibility check
//! (axe-core, WCAG 2.1 AA) fails on a theme change that drops an `alt` or
//! the contrast. A small copy of the example site (two news items, one
//! service page), built by the real binary; one Chromium for the file.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{REPO, copy_dir};
use khao::browser::{self, BrowserReport, ProblemKind};

/// The example site with only two of its news items.
fn small_site(root: &Path) {
    let repo = Path::new(REPO);
    for file in ["site.yaml", "ita.yaml"] {
        std::fs::copy(repo.join(file), root.join(file)).unwrap();
    }
    let content = root.join("content");
    copy_dir(&repo.join("content"), &content);
    for year in ["2025", "2026"] {
        for item in std::fs::read_dir(content.join("news").join(year)).unwrap() {
            let item = item.unwrap();
            let name = item.file_name().to_string_lossy().to_string();
            if !["server-maintenance-2568", "computer-procurement-2568"].contains(&name.as_str()) {
                std::fs::remove_dir_all(item.path()).unwrap();
            }
        }
    }
    // The credits page links every news item: keep its first paragraph.
    let credits = std::fs::read_to_string(content.join("credits.md")).unwrap();
    let first = credits.split("\n\n").next().unwrap().to_string();
    std::fs::write(content.join("credits.md"), first + "\n").unwrap();
}

/// A theme override of one file, from the built-in one changed by `edit`.
fn override_theme(root: &Path, rel: &str, edit: impl Fn(String) -> String) {
    let builtin =
        std::fs::read_to_string(Path::new(REPO).join("themes/default").join(rel)).unwrap();
    let dest = root.join("themes/default").join(rel);
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    std::fs::write(dest, edit(builtin)).unwrap();
}

fn build(root: &Path) -> PathBuf {
    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .args(["--lang", "en", "build"])
        .current_dir(root)
        .output()
        .unwrap();
    let public = root.join("public");
    assert!(
        public.join("index.html").is_file(),
        "build wrote no site: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    public
}

/// Inserts `html` at the start of the page's <main>.
fn inject(public: &Path, page: &str, html: &str) {
    let file = public.join(page.trim_start_matches('/')).join("index.html");
    let text = std::fs::read_to_string(&file).unwrap();
    let at = text.find("<main").expect("a <main> element");
    let at = at + text[at..].find('>').unwrap() + 1;
    std::fs::write(&file, format!("{}{html}{}", &text[..at], &text[at..])).unwrap();
}

fn has(report: &BrowserReport, page: &str, kind: ProblemKind, detail: &str) -> bool {
    report.problems.iter().any(|p| {
        p.target.as_deref() == Some(page)
            && p.code == kind.code()
            && p.message.text("detail").is_some_and(|d| d.contains(detail))
    })
}

#[test]
fn broken_rendering_and_accessibility_fail_naming_the_page() {
    if browser::chromium().is_none() {
        panic!("chromium is not installed: run scripts/test, which installs it");
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    small_site(root);
    // A theme change: a script error on the 404 page only; service pages
    // in pale grey on white; the news photos lose their alt text.
    override_theme(root, "templates/404.html", |t| {
        t.replace(
            "{% endblock content %}",
            "<script>khaoNoSuchFunction();</script>\n{% endblock content %}",
        )
    });
    override_theme(root, "static/css/site.css", |css| {
        css + "\n.prose p{color:#c4c4c4}\n"
    });
    override_theme(root, "templates/news.html", |t| {
        regex::Regex::new(r#"\salt="[^"]*""#)
            .unwrap()
            .replace_all(&t, "")
            .into_owned()
    });
    let public = build(root);
    let broken = "/news/2025/server-maintenance-2568/";
    let wide = "/news/2025/computer-procurement-2568/";
    inject(
        &public,
        broken,
        r#"<img src="/news/2025/gone.jpg" alt="ภาพที่ถูกลบ">"#,
    );
    inject(
        &public,
        wide,
        r#"<table><tr><td style="min-width:900px">ตารางกว้างเกินจอ</td></tr></table>"#,
    );

    let pages: Vec<String> = ["/", broken, wide, "/ict/website/", "/404.html"]
        .map(String::from)
        .to_vec();
    let shots = root.join(".khao/browser");
    let report = browser::check_site(&public, &pages, &shots).unwrap();
    let all = format!("{:#?}", report.problems);

    assert!(
        has(&report, broken, ProblemKind::BrokenImage, "gone.jpg"),
        "{all}"
    );
    assert!(
        has(&report, broken, ProblemKind::FailedRequest, "404"),
        "{all}"
    );
    assert!(
        has(
            &report,
            "/404.html",
            ProblemKind::ConsoleError,
            "khaoNoSuchFunction"
        ),
        "{all}"
    );
    assert!(
        has(
            &report,
            wide,
            ProblemKind::HorizontalScroll,
            "table (900 px)"
        ),
        "{all}"
    );
    assert!(
        !has(&report, broken, ProblemKind::HorizontalScroll, ""),
        "{all}"
    );
    assert!(
        has(&report, broken, ProblemKind::Accessibility, "image-alt"),
        "{all}"
    );
    assert!(
        has(
            &report,
            "/ict/website/",
            ProblemKind::Accessibility,
            "color-contrast"
        ),
        "{all}"
    );
    assert!(!has(&report, "/", ProblemKind::BrokenImage, ""), "{all}");
    assert!(!has(&report, "/", ProblemKind::FallbackFont, ""), "{all}");
    // Every page photographed at both widths.
    assert_eq!(report.screenshots.len(), 2 * pages.len());
    assert!(shots.join("404-phone.png").is_file());
    assert!(
        shots
            .join("news-2025-computer-procurement-2568-desktop.png")
            .is_file()
    );

    // The same through the command line (without the alt change, which
    // the build itself refuses): exit 1, each bad page named.
    std::fs::remove_file(root.join("themes/default/templates/news.html")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .args(["--lang", "en", "build", "--browser"])
        .current_dir(root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("script error") && l.contains("/404.html")),
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("color-contrast") && l.contains("/ict/")),
        "{stderr}"
    );

    // Without Chromium: exit 3 and what to install.
    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .args(["--lang", "en", "build", "--browser"])
        .env("KHAO_CHROMIUM", root.join("no-such-chromium"))
        .current_dir(root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("apt-get install chromium"), "{stderr}");
}

/// The chromium processes started by process `parent` (any of its threads).
fn chromium_children(parent: u32) -> Vec<u32> {
    let tasks = std::fs::read_dir(format!("/proc/{parent}/task"))
        .into_iter()
        .flatten();
    let children = tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
        .flat_map(|c| {
            c.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        });
    children
        .filter(|c| {
            std::fs::read_to_string(format!("/proc/{c}/comm")).is_ok_and(|n| n.contains("chrom"))
        })
        .collect()
}

/// Whether process `pid` still runs (a zombie waiting to be reaped has
/// stopped).
fn running(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat.rsplit_once(") ").map(|(_, rest)| rest.chars().next());
    matches!(state, Some(Some(s)) if s != 'Z' && s != 'X')
}

/// A check stopped by a timer's timeout (SIGTERM) takes its Chromium with
/// it: under cron, each interrupted run used to leave one running.
#[test]
fn a_stopped_check_leaves_no_chromium_behind() {
    if browser::chromium().is_none() {
        eprintln!("chromium is not installed: scripts/test installs it");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    small_site(tmp.path());
    build(tmp.path());
    let mut khao = Command::new(env!("CARGO_BIN_EXE_khao"))
        .arg("--site")
        .arg(tmp.path())
        .args(["build", "--browser"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let chromium = loop {
        if let Some(&c) = chromium_children(khao.id()).first() {
            break c;
        }
        assert!(started.elapsed().as_secs() < 60, "no chromium started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    // Once khao has it in hand (it connects to Chromium after starting it).
    std::thread::sleep(std::time::Duration::from_secs(3));
    // SAFETY: kill(2) with the child's process id.
    unsafe { libc::kill(khao.id() as i32, libc::SIGTERM) };
    let status = khao.wait().unwrap();
    assert!(!status.success());
    let stopped = std::time::Instant::now();
    while running(chromium) {
        assert!(
            stopped.elapsed().as_secs() < 10,
            "chromium {chromium} still runs"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
