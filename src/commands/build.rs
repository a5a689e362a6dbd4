//! `khao build [--browser]`: render `public/`, check every page written;
//! with `--browser`, open the key pages in headless Chromium.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::output::{build_problem_json, build_problem_lines};
use super::progress::bars;
use super::{Context, exit, fail};
use crate::browser::{self, BrowserError, BrowserReport};
use crate::build::{BuildOptions, BuildReport};
use crate::diagnostic::Failure;
use crate::i18n::{Lang, Message};

pub fn run(ctx: &Context, args: &super::cli::BuildArgs) -> u8 {
    let (config, _lock) = match ctx.config_locked() {
        Ok(held) => held,
        Err(code) => return code,
    };
    let lang = config.language;
    let options = BuildOptions {
        out: args.out.clone(),
        progress: bars(ctx.json(), lang),
        now: Some(crate::plumbing::clock::now(config.tz())),
        ..BuildOptions::default()
    };
    let report = match crate::build::build_site(&ctx.site_dir, &config, &options) {
        Ok(r) => r,
        Err(e) => return fail(ctx, lang, &e, exit::CONTENT),
    };
    if !(args.browser && report.errors() == 0) {
        print(ctx, lang, &report);
        return if report.errors() > 0 {
            exit::CONTENT
        } else {
            exit::OK
        };
    }
    if !ctx.json() {
        print(ctx, lang, &report);
    }
    after_build(ctx, lang, &report)
}

/// The build object of docs/commands.md.
pub fn json_object(report: &BuildReport, lang: Lang) -> serde_json::Value {
    let mut v = serde_json::to_value(report).unwrap_or_else(|_| json!({}));
    v["problems"] = report
        .problems
        .iter()
        .map(|p| build_problem_json(p, lang))
        .collect();
    v
}

/// Prints a build's problems and summary for people, or its JSON object.
pub fn print(ctx: &Context, lang: Lang, report: &BuildReport) {
    if ctx.json() {
        outln!("{}", json_object(report, lang));
        return;
    }
    for line in build_problem_lines(&report.problems, lang) {
        errln!("{line}");
    }
    if std::env::var_os("KHAO_TIMINGS").is_some() {
        for t in &report.timings {
            let cpu = t
                .cpu_seconds
                .map_or(String::new(), |c| format!("   cpu {:7.1} ms", c * 1e3));
            errln!("{:>17}: {:7.1} ms{cpu}", t.what, t.seconds * 1e3);
        }
    }
    let m = Message::new("build.summary")
        .arg("pages", report.pages)
        .arg("news", report.news)
        .arg("processed", report.images.processed)
        .arg("cached", report.images.cached)
        .arg("seconds", format!("{:.2}", report.seconds))
        .arg("out", report.out.display())
        .arg("errors", report.errors())
        .arg("warnings", report.warnings());
    errln!("{}", m.render(lang));
}

/// `--browser` after a build without errors: exit 0 when every page
/// passes, 1 when one does not, 3 when Chromium is missing or would not
/// start. With `--format json`: the build's object with `browser` (or
/// `error`) added — one object on stdout.
fn after_build(ctx: &Context, lang: Lang, build: &BuildReport) -> u8 {
    let public = absolute(&ctx.site_dir, &build.out);
    let (pages, sampled) = browser::pages_for_build(&public);
    announce(ctx, lang, pages.len());
    let result = browser::check_site(&public, &pages, &browser::report_dir(&ctx.site_dir));
    let result = result.map(|mut r| {
        r.news_total = sampled;
        r
    });
    if !ctx.json() {
        return show_browser(ctx, lang, result);
    }
    let mut v = json_object(build, lang);
    let code = match &result {
        Ok(report) => {
            v["browser"] = browser_json(report, lang);
            if report.ok() { exit::OK } else { exit::CONTENT }
        }
        Err(e) => {
            v["error"] = json!({ "code": e.code(), "message": e.message().render(lang) });
            exit::DEPLOY
        }
    };
    outln!("{v}");
    code
}

fn absolute(site_dir: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        site_dir.join(p)
    }
}

/// "Checking N pages in a browser…"
pub fn announce(ctx: &Context, lang: Lang, pages: usize) {
    if !ctx.json() {
        errln!(
            "{}",
            Message::new("browser.checking")
                .arg("pages", pages)
                .render(lang)
        );
    }
}

/// A browser run as JSON.
pub fn browser_json(report: &BrowserReport, lang: Lang) -> serde_json::Value {
    json!({
        "pages": report.pages,
        "news_total": report.news_total,
        "screenshots": report.screenshots,
        "problems": report.problems.iter().map(|p| json!({
            "page": p.target,
            "code": p.code,
            "detail": p.message.text("detail"),
            "message": p.render(lang),
        })).collect::<Vec<_>>(),
    })
}

/// Prints a browser run's result (or why it could not run); its exit status.
pub fn show_browser(ctx: &Context, lang: Lang, result: Result<BrowserReport, BrowserError>) -> u8 {
    let report = match result {
        Ok(r) => r,
        Err(e) => return fail(ctx, lang, &e, exit::DEPLOY),
    };
    if ctx.json() {
        outln!("{}", json!({ "browser": browser_json(&report, lang) }));
    } else {
        print_browser(&report, lang);
    }
    if report.ok() { exit::OK } else { exit::CONTENT }
}

fn print_browser(report: &BrowserReport, lang: Lang) {
    if let Some(total) = report.news_total {
        let m = Message::new("browser.sampled")
            .arg("checked", browser::MAX_NEWS_PAGES)
            .arg("total", total);
        errln!("{}", m.render(lang));
    }
    let label = super::output::severity_label(crate::diagnostic::Severity::Error, lang);
    for p in &report.problems {
        let page = p.target.as_deref().unwrap_or("");
        errln!("{label}[{}] {page}: {}", p.code, p.render(lang));
    }
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        for s in &report.screenshots {
            errln!("  {}", s.display());
        }
    }
    let dir = report
        .screenshots
        .first()
        .and_then(|s| s.parent())
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let key = if report.ok() {
        "browser.ok"
    } else {
        "browser.failed"
    };
    let m = Message::new(key)
        .arg("pages", report.pages.len())
        .arg("problems", report.problems.len())
        .arg("screenshots", report.screenshots.len())
        .arg("dir", dir);
    errln!("{}", m.render(lang));
}
