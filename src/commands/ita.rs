//! `khao ita`: every link of the OIT page, checked — the site's own
//! against a fresh build, the others fetched (redirects followed, a
//! timeout, a few at a time per host). A Thai table, or SPEC's JSON; exit
//! 1 when a link fails. `khao publish` runs [`after_publish`] against the
//! live site.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use super::{Context, exit, fail};
use crate::build::BuildOptions;
use crate::config::SiteConfig;
use crate::diagnostic::Failure;
use crate::i18n::{Lang, Message};
use crate::ita::{
    BuiltFiles, CheckOptions, ItaFile, ItaReport, LinkErrorKind, LinkReport, LinkTarget, Own,
};
use crate::plumbing::paths::PathKey;

pub fn run(ctx: &Context) -> u8 {
    let config = match ctx.config_or_exit() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let lang = config.language;
    let ita = match crate::ita::load(&ctx.site_dir) {
        Ok(Some(ita)) => ita,
        Ok(None) => return fail(ctx, lang, &NoItaFile, exit::CONTENT),
        Err(e) => return fail(ctx, lang, &e, exit::CONTENT),
    };
    let built = {
        let _lock = match ctx.lock(lang) {
            Ok(l) => l,
            Err(code) => return code,
        };
        let options = BuildOptions {
            now: Some(crate::plumbing::clock::now(config.tz())),
            ..BuildOptions::default()
        };
        match crate::build::build_site(&ctx.site_dir, &config, &options) {
            Ok(report) => report
                .files
                .into_iter()
                .map(PathKey::from)
                .collect::<BuiltFiles>(),
            Err(e) => return fail(ctx, lang, &e, exit::CONTENT),
        }
    };
    announce(ctx, &config, &ita);
    let report = crate::ita::check_page(
        &ita.page,
        &config.base_url(),
        Own::Built(&built),
        &check_options(),
    );
    if ctx.json() {
        outln!("{}", serde_json::to_value(&report).unwrap_or_default());
    } else {
        outln!("{}", table(&report, lang));
        errln!(
            "{}",
            summary(&report, lang, "ita.all_ok", "ita.failed").render(lang)
        );
    }
    if report.failed > 0 {
        exit::CONTENT
    } else {
        exit::OK
    }
}

/// After a good deploy: the OIT page's links on the live site. Failures
/// are reported, never rolled back for: an external site being down is
/// not the office's release's fault. `None` when the site has no
/// `ita.yaml` (or it cannot be read: the build said so already).
pub fn after_publish(
    config: &SiteConfig,
    site_dir: &std::path::Path,
    live_url: &str,
) -> Option<ItaReport> {
    let ita = crate::ita::load(site_dir).ok().flatten()?;
    Some(crate::ita::check_page(
        &ita.page,
        &config.base_url(),
        Own::Live(live_url),
        &check_options(),
    ))
}

/// The lines `publish` prints for the live check of the OIT page.
pub fn print_after_publish(report: &ItaReport, lang: Lang) {
    if report.failed > 0 {
        errln!("{}", table(report, lang));
    }
    let m = summary(report, lang, "ita.live_ok", "ita.live_failed");
    errln!("{}", m.render(lang));
}

/// The default options, with `KHAO_ITA_TIMEOUT` (seconds per link) for
/// servers slower than ten seconds.
fn check_options() -> CheckOptions {
    let mut opts = CheckOptions::default();
    if let Some(s) = std::env::var("KHAO_ITA_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
    {
        opts.timeout = std::time::Duration::from_secs_f64(s);
    }
    opts
}

fn announce(ctx: &Context, config: &SiteConfig, ita: &ItaFile) {
    if ctx.json() {
        return;
    }
    let base = config.base_url();
    let links: Vec<_> = ita.page.links().collect();
    let external = links
        .iter()
        .filter(|(_, l)| matches!(crate::ita::classify(&l.url, &base), LinkTarget::External(_)))
        .count();
    let m = Message::new("ita.checking")
        .arg("links", links.len())
        .arg("external", external);
    errln!("{}", m.render(config.language));
}

fn summary(report: &ItaReport, _lang: Lang, ok: &str, failed: &str) -> Message {
    let links: usize = report.items.iter().map(|i| i.links.len()).sum();
    let empty = report.items.iter().filter(|i| i.links.is_empty()).count();
    let key = if report.failed > 0 { failed } else { ok };
    Message::new(key)
        .arg("links", links)
        .arg("failed", report.failed)
        .arg("items", report.items.len())
        .arg("empty", empty)
}

/// The table people read: item, link, result.
fn table(report: &ItaReport, lang: Lang) -> String {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    let (code, link, result) = match lang {
        Lang::Th => ("ข้อ", "ลิงก์", "ผล"),
        Lang::En => ("Item", "Link", "Result"),
    };
    table.set_header(vec![code, link, result]);
    for item in &report.items {
        let head = format!("{}\n{}", item.code, item.title);
        if item.links.is_empty() {
            let none = Message::new("ita.no_links").render(lang);
            table.add_row(vec![head, String::new(), format!("– {none}")]);
            continue;
        }
        for (i, l) in item.links.iter().enumerate() {
            let first = if i == 0 { head.clone() } else { String::new() };
            let mark = if l.ok { "✓" } else { "✗" };
            table.add_row(vec![
                first,
                format!("{}\n{}", l.title, l.url),
                format!("{mark} {}", outcome(l, lang)),
            ]);
        }
    }
    table.to_string()
}

/// What a link answered, in words.
fn outcome(l: &LinkReport, lang: Lang) -> String {
    let text = match (l.checked, l.ok, l.status, l.error) {
        ("built", true, ..) => Message::new("ita.ok_built"),
        ("built", false, ..) => Message::new("ita.missing_built"),
        (_, true, Some(s), _) => Message::new("ita.ok_status").arg("status", s),
        (_, false, Some(s), _) => Message::new("ita.bad_status").arg("status", s),
        (_, _, None, Some(kind)) => Message::new(error_key(kind)),
        (_, true, None, None) => return String::new(),
        (_, false, None, None) => Message::new("ita.err_other"),
    };
    let mut out = text.render(lang);
    if let Some(to) = &l.final_url {
        out.push_str(&format!(
            "\n{}",
            Message::new("ita.redirected").arg("url", to).render(lang)
        ));
    }
    out
}

fn error_key(kind: LinkErrorKind) -> &'static str {
    match kind {
        LinkErrorKind::Timeout => "ita.err_timeout",
        LinkErrorKind::HostNotFound => "ita.err_host",
        LinkErrorKind::Connection => "ita.err_connection",
        LinkErrorKind::Tls => "ita.err_tls",
        LinkErrorKind::TooManyRedirects => "ita.err_redirects",
        LinkErrorKind::InvalidUrl => "ita.err_invalid",
        LinkErrorKind::UnsupportedScheme => "ita.err_scheme",
        LinkErrorKind::Other => "ita.err_other",
    }
}

/// The site has no `ita.yaml`.
#[derive(Debug, thiserror::Error)]
struct NoItaFile;

crate::display_failure!(NoItaFile);

impl Failure for NoItaFile {
    fn code(&self) -> crate::diagnostic::Code {
        crate::diagnostic::Code::Ita
    }

    fn message(&self) -> Message {
        Message::new("ita.no_file")
    }
}
