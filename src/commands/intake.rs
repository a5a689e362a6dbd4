//! `khao intake`: every valid request into `content/news/`; what was taken
//! in, what was not (and where its report is), what could not be copied.

use std::path::Path;

use super::{Context, exit};
use crate::diagnostic::Failure;
use crate::i18n::{Lang, Message};
use crate::intake::{self, IntakeReport};

pub fn run(ctx: &Context) -> u8 {
    let (config, _lock) = match ctx.config_locked() {
        Ok(held) => held,
        Err(code) => return code,
    };
    let lang = config.language;
    let now = crate::plumbing::clock::now(config.tz());
    let report = match intake::intake_all(&ctx.site_dir, &config, now) {
        Ok(r) => r,
        Err(e) => return super::fail(ctx, lang, &e, exit::CONTENT),
    };
    if ctx.json() {
        outln!("{}", json_object(&report, lang));
    } else {
        print_human(&report, lang);
        if !(report.accepted.is_empty() && report.rejected.is_empty()) {
            super::output::note_unread_pictures(lang);
        }
    }
    if report.rejected.is_empty() && report.failed.is_empty() {
        exit::OK
    } else {
        exit::CONTENT
    }
}

/// The intake object of docs/commands.md.
pub fn json_object(report: &IntakeReport, lang: Lang) -> serde_json::Value {
    let mut v = serde_json::to_value(report).unwrap_or_default();
    if !report.failed.is_empty() {
        v["failed"] = report
            .failed
            .iter()
            .map(|f| serde_json::json!({ "request": f.request, "error": f.error.message().render(lang) }))
            .collect();
    }
    v
}

/// A line for each request still being copied, taken in by the next run.
pub(super) fn waiting_lines(
    report: &IntakeReport,
    lang: Lang,
) -> impl Iterator<Item = String> + '_ {
    report.waiting.iter().map(move |w| {
        Message::new("intake.waiting")
            .arg("request", w.request.display())
            .arg("seconds", w.seconds)
            .render(lang)
    })
}

fn print_human(report: &IntakeReport, lang: Lang) {
    for a in &report.accepted {
        let m = Message::new("intake.accepted")
            .arg("request", a.request.display())
            .arg("news", a.news.display());
        outln!("{}", m.render(lang));
    }
    for r in &report.rejected {
        let m = Message::new("intake.rejected")
            .arg("request", r.request.display())
            .arg("report", r.report.display());
        outln!("{}", m.render(lang));
    }
    for f in &report.failed {
        let m = Message::new("intake.failed_one")
            .arg("request", f.request.display())
            .arg_msg("error", f.error.message());
        errln!("{}", m.render(lang));
    }
    for line in waiting_lines(report, lang) {
        outln!("{line}");
    }
    for a in report.accepted.iter().filter(|a| a.receipt_renamed) {
        let m = Message::new("intake.receipt_renamed")
            .arg("request", a.request.display())
            .arg(
                "receipt",
                a.receipt.as_deref().unwrap_or(Path::new("")).display(),
            );
        outln!("{}", m.render(lang));
    }
    let m = Message::new("intake.summary")
        .arg("accepted", report.accepted.len())
        .arg("rejected", report.rejected.len())
        .arg("waiting", report.waiting.len())
        .arg("failed", report.failed.len());
    outln!("{}", m.render(lang));
}
