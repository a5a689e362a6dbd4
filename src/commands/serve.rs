//! `khao serve --port N`: the site on 127.0.0.1 with live reload; what each
//! rebuild found, on stderr.

use std::io::Write;
use std::sync::Arc;

use super::output::build_problem_line;
use super::progress::bars;
use super::{Context, exit, fail};
use crate::diagnostic::{Failure, Severity};
use crate::i18n::{Lang, Message};
use crate::serve::{self, Event};

pub fn run(ctx: &Context, port: u16) -> u8 {
    let config = match ctx.config_or_exit() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let lang = config.language;
    let events: serve::Events = Arc::new(move |e| show(e, lang));
    let serving = match serve::start(&ctx.site_dir, config, port, events, bars(false, lang)) {
        Ok(s) => s,
        Err(e) => return fail(ctx, lang, &e, exit::USAGE),
    };
    let m = Message::new("serve.listening").arg("url", serving.url());
    outln!("{}", m.render(lang));
    let _ = std::io::stdout().flush();
    serving.run();
    exit::OK
}

fn show(event: Event, lang: Lang) {
    match event {
        Event::Rebuilt { millis, report } => {
            for p in report
                .problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
            {
                errln!("{}", build_problem_line(p, lang));
            }
            let m = Message::new("serve.rebuilt")
                .arg("ms", millis)
                .arg("errors", report.errors());
            errln!("{}", m.render(lang));
        }
        Event::BuildFailed(e) => errln!("{}", e.message().render(lang)),
        Event::ConfigFailed(e) => errln!("{}", e.message().render(lang)),
        Event::WatchFailed(e) => {
            errln!(
                "{}",
                Message::new("serve.watch_failed")
                    .arg("error", e)
                    .render(lang)
            );
        }
    }
}
