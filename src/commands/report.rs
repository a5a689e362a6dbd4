//! `khao report [--fy YEAR]`: the fiscal-year report of the news-publicity
//! service, written to `records/reports/` and summarised here (or printed
//! as SPEC's JSON object).

use serde_json::json;

use super::{Context, exit, fail};
use crate::i18n::Message;
use crate::report::Written;

pub fn run(ctx: &Context, fy: Option<i32>) -> u8 {
    let (config, _lock) = match ctx.config_locked() {
        Ok(held) => held,
        Err(code) => return code,
    };
    let lang = config.language;
    let now = crate::plumbing::clock::now(config.tz());
    let written = match crate::report::write(&ctx.site_dir, &config, fy, now) {
        Ok(w) => w,
        Err(e) => {
            let status = match e {
                crate::report::ReportError::FiscalYear(_) => exit::USAGE,
                _ => exit::CONTENT,
            };
            return fail(ctx, lang, &e, status);
        }
    };
    if ctx.json() {
        let mut v = serde_json::to_value(&written.report).unwrap_or_else(|_| json!({}));
        v["html"] = json!(crate::plumbing::paths::slash(&written.html));
        v["csv"] = json!(crate::plumbing::paths::slash(&written.csv));
        outln!("{v}");
    } else {
        print(&written, ctx, lang);
    }
    exit::OK
}

fn print(w: &Written, ctx: &Context, lang: crate::i18n::Lang) {
    let r = &w.report;
    let date = |d| crate::thaidate::format(d, lang, crate::thaidate::Style::Full, false);
    let hours = |h: Option<f64>| h.map_or_else(|| "–".to_string(), |h| format!("{h:.1}"));
    let m = Message::new("report.written")
        .arg("year", r.fiscal_year)
        .arg("from", date(r.from))
        .arg("to", date(r.to))
        .arg("received", r.received)
        .arg("accepted", r.accepted)
        .arg("published", r.published)
        .arg("pending", r.pending)
        .arg("rejected", r.rejected)
        .arg("carried", r.carried_over)
        .arg("withdrawn", r.withdrawn)
        .arg("median", hours(r.turnaround_hours.median))
        .arg("p90", hours(r.turnaround_hours.p90))
        .arg(
            "rounds",
            r.correction_rounds
                .mean
                .map_or_else(|| "–".to_string(), |m| format!("{m:.2}")),
        )
        .arg("html", ctx.site_dir.join(&w.html).display())
        .arg("csv", ctx.site_dir.join(&w.csv).display());
    outln!("{}", m.render(lang));
    if r.unlogged > 0 {
        let m = Message::new("report.unlogged").arg("n", r.unlogged);
        errln!("{}", m.render(lang));
    }
    if r.log_lines_skipped > 0 {
        let m = Message::new("report.log_skipped").arg("n", r.log_lines_skipped);
        errln!("{}", m.render(lang));
    }
}
