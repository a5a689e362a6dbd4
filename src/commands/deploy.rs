//! `khao deploy` and `khao publish`: (intake,) build, upload, check the
//! live site, roll back if it is not as built. Exit 0 done, 1 content or
//! live check errors, 2 site.yaml, 3 the deploy could not be done (the
//! live site untouched).

use std::path::Path;

use serde_json::json;

use super::cli::DeployArgs;
use super::output::diagnostic_json;
use super::progress::bars;
use super::{Context, exit};
use crate::build::BuildOptions;
use crate::config::SiteConfig;
use crate::deploy::{Connection, DeployError, DeployOptions, DeployReport, DeployTarget, connect};
use crate::diagnostic::Failure;
use crate::i18n::{Lang, Message};
use crate::intake::IntakeReport;
use crate::static_server::StaticServer;
use crate::verify::{self, VerifyReport};

/// `khao deploy` (`publish: false`) or `khao publish`.
pub fn run(ctx: &Context, args: &DeployArgs, publish: bool) -> u8 {
    let (config, _lock) = match ctx.config_locked() {
        Ok(held) => held,
        Err(code) => return code,
    };
    let lang = config.language;
    if args.rollback {
        return rollback(ctx, &config, args);
    }
    let now = crate::plumbing::clock::now(config.tz());
    let mut phases = Phases::start();
    let intake = if publish && !args.dry_run {
        match crate::intake::intake_all(&ctx.site_dir, &config, now) {
            Ok(r) => {
                if !ctx.json() {
                    print_intake(&r, lang);
                }
                Some(r)
            }
            Err(e) => return super::fail(ctx, lang, &e, exit::CONTENT),
        }
    } else {
        None
    };
    if publish {
        phases.lap("intake");
    }
    let options = BuildOptions {
        progress: bars(ctx.json(), lang),
        now: Some(now),
        ..BuildOptions::default()
    };
    let report = crate::build::build_site(&ctx.site_dir, &config, &options);
    phases.lap("build");
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            let m = Message::new("deploy.build_failed").arg_msg("error", e.message());
            return fail_with(ctx, lang, e.code(), m, exit::CONTENT);
        }
    };
    if !ctx.json() {
        super::build::print(ctx, lang, &report);
    }
    if report.errors() > 0 {
        let m = Message::new("deploy.build_errors").arg("count", report.errors());
        if ctx.json() {
            let problems: Vec<_> = report
                .problems
                .iter()
                .filter(|p| p.is_error())
                .map(|p| super::output::build_problem_json(p, lang))
                .collect();
            let v = json!({"error": {"code": "build", "message": m.render(lang)}, "problems": problems});
            outln!("{v}");
        } else {
            // The build's own output has listed the problems already.
            errln!("{}", m.render(lang));
        }
        return exit::CONTENT;
    }
    let public = if report.out.is_absolute() {
        report.out.clone()
    } else {
        ctx.site_dir.join(&report.out)
    };
    let code = deploy_public(
        ctx,
        &config,
        args,
        &public,
        intake.as_ref(),
        publish,
        &mut phases,
    );
    let rejected = intake
        .as_ref()
        .is_some_and(|r| !r.rejected.is_empty() || !r.failed.is_empty());
    if code == exit::OK && rejected {
        exit::CONTENT
    } else {
        code
    }
}

/// Seconds each step of a deploy took, in order: the JSON's `timings`, and
/// stderr with `KHAO_TIMINGS` (what a slow timer run spent its time on).
struct Phases {
    done: Vec<(&'static str, f64)>,
    last: std::time::Instant,
}

impl Phases {
    fn start() -> Phases {
        Phases {
            done: Vec::new(),
            last: std::time::Instant::now(),
        }
    }

    fn lap(&mut self, what: &'static str) {
        let now = std::time::Instant::now();
        self.done.push((what, (now - self.last).as_secs_f64()));
        self.last = now;
    }

    fn json(&self) -> serde_json::Value {
        let mut v = serde_json::Map::new();
        for (what, s) in &self.done {
            v.insert((*what).into(), json!((s * 1000.0).round() / 1000.0));
        }
        serde_json::Value::Object(v)
    }

    fn show(&self) {
        if std::env::var_os("KHAO_TIMINGS").is_some() {
            for (what, s) in &self.done {
                errln!("{what:>16}: {:7.1} ms", s * 1e3);
            }
        }
    }
}

/// Deploys an already built `public` folder, checks it live, rolls back on
/// failure: `khao deploy` without its build step (for tests and scripts).
pub fn run_prebuilt(ctx: &Context, args: &DeployArgs, public: &Path) -> u8 {
    let config = match ctx.config_or_exit() {
        Ok(c) => c,
        Err(code) => return code,
    };
    if args.rollback {
        return rollback(ctx, &config, args);
    }
    deploy_public(
        ctx,
        &config,
        args,
        public,
        None,
        false,
        &mut Phases::start(),
    )
}

/// The target and options from site.yaml and `--target`.
fn target_and_options(
    ctx: &Context,
    config: &SiteConfig,
    args: &DeployArgs,
) -> Result<(DeployTarget, DeployOptions), DeployError> {
    let raw = args
        .target
        .clone()
        .or_else(|| config.deploy.as_ref().map(|d| d.target.clone()))
        .ok_or(DeployError::NoTarget)?;
    let target = DeployTarget::parse(&raw, &ctx.site_dir).ok_or(DeployError::BadTarget(raw))?;
    let mut opts = config
        .deploy
        .as_ref()
        .map(DeployOptions::from_config)
        .unwrap_or_default();
    opts.dry_run = args.dry_run;
    opts.cache = Some(crate::plumbing::paths::cache_dir(&ctx.site_dir, "memo"));
    Ok((target, opts))
}

fn deploy_public(
    ctx: &Context,
    config: &SiteConfig,
    args: &DeployArgs,
    public: &Path,
    intake: Option<&IntakeReport>,
    publish: bool,
    phases: &mut Phases,
) -> u8 {
    let lang = config.language;
    let connected = target_and_options(ctx, config, args)
        .and_then(|(target, opts)| Ok((connect(&target, &opts)?, target, opts)));
    let (mut conn, target, opts) = match connected {
        Ok(c) => c,
        Err(e) => return deploy_failed(ctx, &e, lang),
    };
    let progress = bars(ctx.json(), lang);
    let silent = crate::plumbing::progress::Silent;
    let shown: &dyn crate::plumbing::progress::Progress = match &progress {
        Some(p) => p.as_ref(),
        None => &silent,
    };
    let deployed = match conn.deploy(public, &opts, shown) {
        Ok(d) => d,
        Err(e) => return deploy_failed(ctx, &e, lang),
    };
    let report = &deployed.report;
    phases.lap("upload");
    if opts.dry_run {
        print_dry_run(ctx, report, lang);
        return exit::OK;
    }
    // Step 7: the live check, through a web server.
    let (verify_url, _server) = match live_url(config, &target) {
        Ok(live) => live,
        Err(e) => return deploy_failed(ctx, &e, lang),
    };
    if !ctx.json() {
        errln!(
            "{}",
            Message::new("verify.checking")
                .arg("url", &verify_url)
                .render(lang)
        );
    }
    let pages = pages_to_verify(ctx, public, report);
    let verified = verify::verify_live(public, &verify_url, &pages);
    phases.lap("verify");
    let (browser_code, browser) = display_check(
        ctx,
        lang,
        args,
        publish,
        &verify_url,
        public,
        report,
        &verified,
    );
    if args.browser || publish {
        phases.lap("browser");
    }
    let mut outcome = settle(
        &mut conn,
        &deployed,
        &verified,
        browser_code,
        opts.keep_releases,
        lang,
    );
    if outcome.code == exit::OK {
        let now = crate::plumbing::clock::now(config.tz());
        match crate::receipt::announce_live(&ctx.site_dir, config, &pages, now) {
            Ok(a) => outcome.announced = a,
            Err(e) => errln!("{}", e.message().render(lang)),
        }
    }
    outcome.browser = browser;
    phases.lap("release");
    // The OIT page's links, on the live site: reported, never rolled
    // back for (an external site being down is not this release's fault).
    outcome.ita = (publish && outcome.code == exit::OK)
        .then(|| super::ita::after_publish(config, &ctx.site_dir, &verify_url))
        .flatten();
    if outcome.ita.is_some() {
        phases.lap("ita");
    }
    outcome.timings = phases.json();
    phases.show();
    print_result(ctx, report, &verified, &outcome, intake, lang);
    if browser_code == exit::DEPLOY {
        // Chromium was asked for but could not run: the site is deployed
        // and verified by HTTP, but the display check was not done.
        return exit::DEPLOY;
    }
    outcome.code
}

/// Where the live site is checked: site.yaml's `verify_url`, else for a
/// local folder a web server started on it (kept running while the
/// returned guard lives), else the site's address.
fn live_url(
    config: &SiteConfig,
    target: &DeployTarget,
) -> Result<(String, Option<StaticServer>), DeployError> {
    let explicit = config.deploy.as_ref().and_then(|d| d.verify_url.clone());
    match (target, explicit) {
        (_, Some(url)) => Ok((url, None)),
        (DeployTarget::Local(path), None) => {
            let current = path.join(crate::deploy::release::CURRENT);
            let server = StaticServer::start(current, 0).map_err(DeployError::Local)?;
            Ok((server.url(), Some(server)))
        }
        (DeployTarget::Sftp(_), None) => Ok((config.verify_url(), None)),
    }
}

/// The pages the live check fetches: those this upload changed, and the
/// news not yet seen live, whose receipts wait for it.
fn pages_to_verify(ctx: &Context, public: &Path, report: &DeployReport) -> Vec<String> {
    let records = crate::records::Records::of(&ctx.site_dir);
    let mut pages = verify::pages_to_check(public, &report.uploaded);
    pages.extend(crate::receipt::pending_pages(&records, public).unwrap_or_default());
    pages.sort();
    pages.dedup();
    pages
}

/// The display check in Chromium after a good live check: asked for with
/// `--browser`, and run by `publish` whenever Chromium is installed and the
/// live site changed (a run from a timer with nothing to do starts no
/// browser). Its exit status; with `--format json`, its result for the
/// one JSON object instead of lines for people.
#[allow(clippy::too_many_arguments)]
fn display_check(
    ctx: &Context,
    lang: Lang,
    args: &DeployArgs,
    publish: bool,
    verify_url: &str,
    public: &Path,
    report: &DeployReport,
    verified: &VerifyReport,
) -> (u8, Option<serde_json::Value>) {
    if !verified.ok() || !(args.browser || publish) {
        return (exit::OK, None);
    }
    if !args.browser && !report.changed {
        return (exit::OK, None);
    }
    if !args.browser && crate::browser::chromium().is_none() {
        if !ctx.json() {
            errln!("{}", Message::new("browser.skipped").render(lang));
        }
        return (exit::OK, None);
    }
    let pages = crate::browser::pages_for_deploy(public, &report.uploaded);
    super::build::announce(ctx, lang, pages.len());
    let result = crate::browser::check_url(
        verify_url,
        &pages,
        &crate::browser::report_dir(&ctx.site_dir),
    );
    if !ctx.json() {
        return (super::build::show_browser(ctx, lang, result), None);
    }
    match result {
        Ok(r) => {
            let code = if r.ok() { exit::OK } else { exit::CONTENT };
            (code, Some(super::build::browser_json(&r, lang)))
        }
        Err(e) => {
            let error = json!({"code": e.code(), "message": e.message().render(lang)});
            (exit::DEPLOY, Some(json!({ "error": error })))
        }
    }
}

/// What became of a deploy after its checks.
struct Outcome {
    code: u8,
    rolled_back: bool,
    revert_error: Option<String>,
    /// News seen live for the first time (their receipts rewritten).
    announced: Vec<crate::receipt::Announced>,
    /// After `publish`: the OIT page's links on the live site.
    ita: Option<crate::ita::ItaReport>,
    /// Seconds per step (the JSON's `timings`).
    timings: serde_json::Value,
    /// With `--format json`: the display check in Chromium, when it ran.
    browser: Option<serde_json::Value>,
}

/// Rolls a release back when a check failed; otherwise prunes old ones.
fn settle(
    conn: &mut Connection,
    deployed: &crate::deploy::Deployed,
    verified: &VerifyReport,
    browser_code: u8,
    keep: usize,
    lang: Lang,
) -> Outcome {
    let mut outcome = Outcome {
        code: exit::OK,
        rolled_back: false,
        revert_error: None,
        announced: Vec::new(),
        ita: None,
        timings: serde_json::Value::Null,
        browser: None,
    };
    if !verified.ok() || browser_code == exit::CONTENT {
        outcome.code = exit::CONTENT;
        if deployed.report.changed {
            match conn.revert(deployed) {
                Ok(()) => outcome.rolled_back = true,
                Err(e) => outcome.revert_error = Some(e.message().render(lang)),
            }
        }
    } else if deployed.report.changed {
        // Old releases go only once the new one is known good.
        if let Err(e) = conn.prune(keep) {
            errln!("{}", e.message().render(lang));
        }
    }
    outcome
}

fn rollback(ctx: &Context, config: &SiteConfig, args: &DeployArgs) -> u8 {
    let lang = config.language;
    let result = target_and_options(ctx, config, args)
        .and_then(|(target, opts)| Ok((connect(&target, &opts)?, target)))
        .and_then(|(mut conn, target)| {
            if conn.in_place() {
                return Err(DeployError::NoPrevious);
            }
            conn.rollback().map(|r| (r, target))
        });
    let ((from, to), target) = match result {
        Ok(r) => r,
        Err(e) => return deploy_failed(ctx, &e, lang),
    };
    if ctx.json() {
        let v = json!({
            "target": target.display(), "release": to, "previous": from,
            "uploaded": 0, "uploaded_bytes": 0, "deleted": 0, "unchanged": 0,
            "verified": {"checked": 0, "failed": []}, "rolled_back": true,
        });
        outln!("{v}");
    } else {
        let m = Message::new("deploy.rolled_back_to")
            .arg("from", from)
            .arg("to", to);
        outln!("{}", m.render(lang));
    }
    exit::OK
}

fn fail_with(
    ctx: &Context,
    lang: Lang,
    code: crate::diagnostic::Code,
    m: Message,
    status: u8,
) -> u8 {
    let message = m.render(lang);
    if ctx.json() {
        outln!("{}", json!({"error": {"code": code, "message": message}}));
    } else {
        errln!("{message}");
    }
    status
}

fn deploy_failed(ctx: &Context, e: &DeployError, lang: Lang) -> u8 {
    let status = if e.is_config() {
        exit::USAGE
    } else {
        exit::DEPLOY
    };
    if ctx.json() {
        let v = json!({
            "error": {"code": e.code(), "message": e.message().render(lang)},
            "rolled_back": false,
        });
        outln!("{v}");
        return status;
    }
    errln!("{}", e.message().render(lang));
    if status == exit::DEPLOY {
        errln!("{}", Message::new("deploy.site_untouched").render(lang));
    }
    status
}

/// `1.2 MB`
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn print_dry_run(ctx: &Context, r: &DeployReport, lang: Lang) {
    if ctx.json() {
        let v = json!({
            "target": r.target, "release": r.release, "dry_run": true,
            "uploaded": r.uploaded.len(), "uploaded_bytes": r.uploaded_bytes,
            "deleted": r.deleted.len(), "unchanged": r.unchanged,
            "uploaded_files": r.uploaded, "deleted_files": r.deleted,
            "verified": {"checked": 0, "failed": []}, "rolled_back": false,
        });
        outln!("{v}");
        return;
    }
    for f in &r.uploaded {
        outln!("+ {f}");
    }
    for f in &r.deleted {
        outln!("- {f}");
    }
    let m = Message::new("deploy.dry_run_summary")
        .arg("uploaded", r.uploaded.len())
        .arg("bytes", human_bytes(r.uploaded_bytes))
        .arg("deleted", r.deleted.len())
        .arg("unchanged", r.unchanged)
        .arg("target", &r.target);
    outln!("{}", m.render(lang));
}

fn print_intake(r: &IntakeReport, lang: Lang) {
    // A request still being copied is taken next run: said, so an officer
    // who publishes at once after a call knows why the news is not live.
    for line in super::intake::waiting_lines(r, lang) {
        errln!("{line}");
    }
    if r.accepted.is_empty() && r.rejected.is_empty() && r.failed.is_empty() {
        return;
    }
    let m = Message::new("deploy.intake_summary")
        .arg("accepted", r.accepted.len())
        .arg("rejected", r.rejected.len());
    errln!("{}", m.render(lang));
    for rej in &r.rejected {
        errln!("  ✗ {} → {}", rej.request.display(), rej.report.display());
    }
    for f in &r.failed {
        errln!(
            "  ✗ {}: {}",
            f.request.display(),
            f.error.message().render(lang)
        );
    }
    super::output::note_unread_pictures(lang);
}

fn print_result(
    ctx: &Context,
    r: &DeployReport,
    verified: &VerifyReport,
    outcome: &Outcome,
    intake: Option<&IntakeReport>,
    lang: Lang,
) {
    if ctx.json() {
        outln!("{}", result_json(r, verified, outcome, intake, lang));
        return;
    }
    let m = Message::new("deploy.summary")
        .arg("uploaded", r.uploaded.len())
        .arg("deleted", r.deleted.len())
        .arg("unchanged", r.unchanged)
        .arg("bytes", human_bytes(r.uploaded_bytes))
        .arg("seconds", format!("{:.1}", r.seconds))
        .arg("target", &r.target);
    outln!("{}", m.render(lang));
    if verified.ok() {
        outln!(
            "{}",
            Message::new("verify.ok")
                .arg("checked", verified.checked)
                .render(lang)
        );
        for a in &outcome.announced {
            outln!(
                "{}",
                Message::new("deploy.live").arg("url", &a.url).render(lang)
            );
        }
        if let Some(ita) = &outcome.ita {
            super::ita::print_after_publish(ita, lang);
        }
        return;
    }
    for f in &verified.failed {
        errln!("  ✗ {}", f.render(lang));
    }
    errln!(
        "{}",
        Message::new("verify.failed")
            .arg("count", verified.failed.len())
            .render(lang)
    );
    match (outcome.rolled_back, &outcome.revert_error) {
        (true, _) => {
            let m = Message::new("verify.rolled_back")
                .arg("release", r.previous.as_deref().unwrap_or("-"));
            errln!("{}", m.render(lang));
        }
        (false, Some(e)) => errln!("{e}"),
        (false, None) => {}
    }
}

/// The deploy object of docs/commands.md.
fn result_json(
    r: &DeployReport,
    verified: &VerifyReport,
    outcome: &Outcome,
    intake: Option<&IntakeReport>,
    lang: Lang,
) -> serde_json::Value {
    let failed: Vec<_> = verified
        .failed
        .iter()
        .map(|f| {
            let mut v = diagnostic_json(f, lang);
            v["url"] = json!(f.target);
            v
        })
        .collect();
    let mut v = json!({
        "target": r.target,
        // What is live now: after a rollback, the previous release.
        "release": if outcome.rolled_back { &r.previous } else { &r.release },
        "previous": r.previous,
        "failed_release": if outcome.rolled_back { &r.release } else { &None },
        "mode": if r.in_place { "in-place" } else { "releases" },
        "uploaded": r.uploaded.len(),
        "uploaded_bytes": r.uploaded_bytes,
        "deleted": r.deleted.len(),
        "unchanged": r.unchanged,
        "uploaded_files": r.uploaded,
        "deleted_files": r.deleted,
        "seconds": (r.seconds * 1000.0).round() / 1000.0,
        "verified": {"checked": verified.checked, "failed": failed},
        "rolled_back": outcome.rolled_back,
        "published": outcome.announced,
        "timings": outcome.timings,
    });
    if let Some(ita) = &outcome.ita {
        v["ita"] = serde_json::to_value(ita).unwrap_or_default();
    }
    if let Some(browser) = &outcome.browser {
        v["browser"] = browser.clone();
    }
    if let Some(e) = &outcome.revert_error {
        v["error"] = json!({"code": "rollback", "message": e});
    }
    if let Some(i) = intake {
        v["intake"] = super::intake::json_object(i, lang);
    }
    v
}
