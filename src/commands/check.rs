//! `khao check [PATH...]`: every problem of every request, for people
//! (grouped by request, coloured, the offending text underlined) or as one
//! JSON object; and the report file beside each request.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::output::{Palette, colour_wanted, diagnostic_json, underline};
use super::{Context, exit};
use crate::check::{self, Checked};
use crate::diagnostic::{Diagnostic, Severity};
use crate::i18n::{Lang, Message};
use crate::plumbing::paths::REQUESTS_DIR;

pub fn run(ctx: &Context, paths: &[PathBuf]) -> u8 {
    let config = match ctx.config_or_exit() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let lang = config.language;
    let resolved: Vec<PathBuf> = paths.iter().map(|p| resolve(&ctx.site_dir, p)).collect();
    // A name typed wrong is not a request: checking it would leave a
    // report file for a request nobody sent, and count it in the records.
    if let Some((p, _)) = paths
        .iter()
        .zip(&resolved)
        .find(|(_, r)| std::fs::symlink_metadata(r).is_err())
    {
        let e = NoSuchRequest(p.display().to_string());
        return super::fail(ctx, lang, &e, exit::USAGE);
    }
    let now = crate::plumbing::clock::now(config.tz());
    let checked = check::check_paths(&ctx.site_dir, &config, &resolved, now.date_naive());
    // Checking every request also notes the ones taken back since.
    let records = crate::records::Records::of(&ctx.site_dir);
    let noted = match paths {
        [] => records.note_withdrawn(now).map(drop),
        _ => Ok(()),
    };
    // The service log keeps when each request arrived: not written, the
    // request would count as received later (SPEC: the records error
    // stops the command).
    let unrecorded = noted
        .and_then(|()| records.observe(&checked, now).map(drop))
        .err();
    if let Some(e) = unrecorded.as_ref().filter(|_| ctx.json()) {
        return super::fail(ctx, lang, e, exit::CONTENT);
    }
    for c in &checked {
        if let Err(e) = check::report::write(c, lang) {
            let m = Message::new("check.report_unwritable")
                .arg("file", &c.shown)
                .arg("error", e);
            errln!("{}", m.render(lang));
        }
    }
    if ctx.json() {
        outln!("{}", json_object(&checked, lang));
    } else {
        use std::io::Write as _;
        let _ = write!(
            std::io::stdout(),
            "{}",
            human(&checked, lang, colour_wanted())
        );
        if !checked.is_empty() {
            super::output::note_unread_pictures(lang);
        }
    }
    if let Some(e) = &unrecorded {
        // Said last, where the officer looks.
        super::fail(ctx, lang, e, exit::CONTENT)
    } else if checked.iter().all(Checked::ok) {
        exit::OK
    } else {
        exit::CONTENT
    }
}

/// A path as typed: as it is, inside the site folder, or a request's name.
fn resolve(site_dir: &Path, p: &Path) -> PathBuf {
    if p.exists() || p.is_absolute() {
        p.to_path_buf()
    } else if site_dir.join(p).exists() {
        site_dir.join(p)
    } else {
        site_dir.join(REQUESTS_DIR).join(p)
    }
}

/// The check object of docs/commands.md.
pub fn json_object(checked: &[Checked], lang: Lang) -> serde_json::Value {
    let (mut errors, mut warnings) = (0, 0);
    let requests: Vec<serde_json::Value> = checked
        .iter()
        .map(|c| {
            let (e, w) = c.counts();
            errors += e;
            warnings += w;
            json!({
                "path": c.shown,
                "ok": c.ok(),
                "diagnostics": c.diagnostics.iter().map(|d| diagnostic_json(d, lang)).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "requests": requests, "errors": errors, "warnings": warnings })
}

/// The verdict of one request: "ผ่าน (คำเตือน 1)" or "ไม่ผ่าน (...)".
pub fn verdict(c: &Checked) -> Message {
    let (e, w) = c.counts();
    if c.ok() {
        Message::new("check.verdict_ok").arg("warnings", w)
    } else {
        Message::new("check.verdict_bad")
            .arg("errors", e)
            .arg("warnings", w)
    }
}

/// The summary line: "ตรวจ 3 คำขอ: ผ่าน 1, มีข้อผิดพลาด 2 (ข้อผิดพลาด 5, คำเตือน 2)".
fn summary(checked: &[Checked], lang: Lang) -> String {
    let ok = checked.iter().filter(|c| c.ok()).count();
    let (e, w) = checked
        .iter()
        .map(Checked::counts)
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    Message::new("check.summary")
        .arg("total", checked.len())
        .arg("ok", ok)
        .arg("bad", checked.len() - ok)
        .arg("errors", e)
        .arg("warnings", w)
        .render(lang)
}

/// The human report of every request.
fn human(checked: &[Checked], lang: Lang, colour: bool) -> String {
    let p = Palette::new(colour);
    if checked.is_empty() {
        return format!("{}\n", Message::new("check.no_requests").render(lang));
    }
    let mut out = String::new();
    for c in checked {
        let colour_of = if c.ok() { p.green } else { p.red };
        let verdict = verdict(c).render(lang);
        out.push_str(&format!(
            "{}{}{} — {colour_of}{verdict}{}\n",
            p.bold, c.shown, p.reset, p.reset
        ));
        for d in &c.diagnostics {
            out.push_str(&problem(c, d, lang, colour, &p));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "{}{}{}\n",
        p.bold,
        summary(checked, lang),
        p.reset
    ));
    out
}

fn problem(c: &Checked, d: &Diagnostic, lang: Lang, colour: bool, p: &Palette) -> String {
    let (word, col) = match d.severity {
        Severity::Error => (Message::new("check.word_error"), p.red),
        Severity::Warning => (Message::new("check.word_warning"), p.yellow),
    };
    // A folder request's files are inside it; a single file is the request
    // (also when it could not be read).
    let in_folder = (c.request.as_ref()).map_or_else(|| c.path.is_dir(), |r| r.is_dir);
    let file = match &d.file {
        Some(f) if in_folder => format!("{}/{}", c.shown, f.to_string_lossy()),
        _ => c.shown.clone(),
    };
    let place = match (d.line, d.location) {
        (Some(l), _) => format!("{file}:{l}: "),
        (None, Some(_)) => format!(
            "{file} ({}): ",
            d.describe_location(lang).unwrap_or_default()
        ),
        (None, None) => format!("{file}: "),
    };
    let mut s = format!(
        "  {place}{col}{}[{}]{}: {}\n",
        word.render(lang),
        d.code,
        p.reset,
        d.render(lang)
    );
    if let (Some(span), Some(req)) = (&d.span, &c.request) {
        s.push_str(&underline(&req.text, span.clone(), colour, d.severity));
    }
    s
}

/// A path given to `khao check` that is neither a file or folder nor a
/// request's name.
#[derive(Debug, thiserror::Error)]
struct NoSuchRequest(String);

crate::display_failure!(NoSuchRequest);

impl crate::diagnostic::Failure for NoSuchRequest {
    fn code(&self) -> crate::diagnostic::Code {
        crate::diagnostic::Code::Usage
    }

    fn message(&self) -> Message {
        Message::new("check.no_such_request").arg("path", &self.0)
    }
}
