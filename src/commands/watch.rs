//! `khao watch [--settle SECONDS]`: runs the watch engine and says, with
//! the time (the site's time zone), each verdict as it is written.

use std::io::Write;
use std::time::Duration;

use super::{Context, exit, fail};
use crate::i18n::{Lang, Message};
use crate::watch::{self, Event};

pub fn run(ctx: &Context, settle: Option<f64>) -> u8 {
    let config = match ctx.config_or_exit() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let lang = config.language;
    let seconds = settle.unwrap_or(config.requests.settle_seconds);
    let settle = Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::from_secs(3));
    let json = ctx.json();
    // The office's time, as receipts and the records have it, whatever
    // the server's zone.
    let tz = config.tz();
    let mut events = |e: Event| show(e, lang, tz, json);
    match watch::run(&ctx.site_dir, config, settle, &mut events) {
        Ok(()) => exit::OK,
        Err(e) => fail(ctx, lang, &e, exit::USAGE),
    }
}

fn show(event: Event, lang: Lang, tz: chrono_tz::Tz, json: bool) {
    let now = crate::plumbing::clock::now(tz);
    match event {
        Event::Started { path, settle } => {
            let m = Message::new("watch.started")
                .arg("path", path.display())
                .arg("settle", settle.as_secs_f64());
            errln!("{} {}", now.format("%H:%M:%S"), m.render(lang));
            super::output::note_unread_pictures(lang);
        }
        Event::Polling { error } => {
            let m = Message::new("watch.polling").arg("error", error);
            errln!("{} {}", now.format("%H:%M:%S"), m.render(lang));
        }
        Event::ReportFailed { request, error } => {
            let m = Message::new("check.report_unwritable")
                .arg("file", request)
                .arg("error", error);
            errln!("{} {}", now.format("%H:%M:%S"), m.render(lang));
        }
        Event::Checked(c) => {
            if json {
                let mut v = super::check::json_object(std::slice::from_ref(&c), lang);
                v["time"] = serde_json::json!(now.to_rfc3339());
                outln!("{v}");
            } else {
                let verdict = super::check::verdict(&c).render(lang);
                outln!("{} {} — {verdict}", now.format("%H:%M:%S"), c.shown);
            }
            let _ = std::io::stdout().flush();
        }
    }
}
