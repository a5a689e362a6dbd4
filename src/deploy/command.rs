//! `khao deploy` and `khao publish`: (intake,) build, upload, check the live
//! site, roll back if it is not as built. Exit 0 done, 1 content or live
//! check errors, 2 site.yaml, 3 the deploy could not be done (the live site
//! untouched).

use std::io::IsTerminal;
use std::path::Path;

use serde_json::json;

use super::{DeployError, DeployOptions, DeployReport, DeployTarget, connect};
use crate::build::BuildOptions;
use crate::cli::DeployArgs;
use crate::commands::{Context, config_failed};
use crate::config::SiteConfig;
use crate::diagnostic::Severity;
use crate::exit;
use crate::i18n::{Lang, tr};
use crate::intake::IntakeReport;
use crate::static_server::StaticServer;
use crate::verify::{self, VerifyReport};

/// `khao deploy` (`publish: false`) or `khao publish`.
pub fn run(ctx: &Context, args: &DeployArgs, publish: bool) -> u8 {
    let config = match ctx.config() {
        Ok(c) => c,
        Err(e) => return config_failed(ctx, &e),
    };
    let lang = config.language;
    let mut intake = None;
    if publish && !args.rollback && !args.dry_run {
        match crate::intake::intake_all(&ctx.site_dir, &config) {
            Ok(r) => {
                if !ctx.json() {
                    print_intake(&r, lang);
                }
                intake = Some(r);
            }
            Err(e) => {
                let msg = tr(
                    lang,
                    "deploy.intake_failed",
                    &[("error", &format!("{e:#}"))],
                );
                return fail(ctx, "intake", &msg, exit::CONTENT);
            }
        }
    }
    if args.rollback {
        return rollback(ctx, &config, args);
    }
    let progress = !ctx.json() && std::io::stderr().is_terminal();
    let build = crate::build::build_site(
        &ctx.site_dir,
        &config,
        &BuildOptions {
            out: None,
            progress,
            ..BuildOptions::default()
        },
    );
    let report = match build {
        Ok(r) => r,
        Err(e) => {
            let msg = tr(lang, "deploy.build_failed", &[("error", &format!("{e:#}"))]);
            return fail(ctx, "build", &msg, exit::CONTENT);
        }
    };
    if !ctx.json() {
        crate::commands::print_build(ctx, lang, &report);
    }
    let errors: Vec<_> = report
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        let msg = tr(
            lang,
            "deploy.build_errors",
            &[("count", &errors.len().to_string())],
        );
        if ctx.json() {
            let v = json!({"error": {"code": "build", "message": msg}, "problems": errors});
            println!("{v}");
        } else {
            // print_build has listed the problems already.
            eprintln!("{msg}");
        }
        return exit::CONTENT;
    }
    let public = if report.out.is_absolute() {
        report.out.clone()
    } else {
        ctx.site_dir.join(&report.out)
    };
    let code = deploy_public(ctx, &config, args, &public, intake.as_ref(), publish);
    let rejected = intake
        .as_ref()
        .is_some_and(|r| !r.rejected.is_empty() || !r.failed.is_empty());
    if code == exit::OK && rejected {
        exit::CONTENT
    } else {
        code
    }
}

/// Deploys an already built `public` folder, checks it live, rolls back on
/// failure: `khao deploy` without its build step (for tests and scripts).
pub fn run_prebuilt(ctx: &Context, args: &DeployArgs, public: &Path) -> u8 {
    let config = match ctx.config() {
        Ok(c) => c,
        Err(e) => return config_failed(ctx, &e),
    };
    if args.rollback {
        return rollback(ctx, &config, args);
    }
    deploy_public(ctx, &config, args, public, None, false)
}

/// The target and options from site.yaml and `--target`.
pub fn target_and_options(
    ctx: &Context,
    config: &SiteConfig,
    args: &DeployArgs,
) -> Result<(DeployTarget, DeployOptions), DeployError> {
    let lang = config.language;
    let raw = args
        .target
        .clone()
        .or_else(|| config.deploy.as_ref().map(|d| d.target.clone()));
    let Some(raw) = raw else {
        return Err(DeployError::Config(tr(lang, "deploy.no_target", &[])));
    };
    let target = DeployTarget::parse(&raw, &ctx.site_dir)
        .ok_or_else(|| DeployError::Config(tr(lang, "deploy.bad_target", &[("target", &raw)])))?;
    let mut opts = config
        .deploy
        .as_ref()
        .map(DeployOptions::from_config)
        .unwrap_or_default();
    opts.dry_run = args.dry_run;
    opts.progress = !ctx.json() && std::io::stderr().is_terminal();
    Ok((target, opts))
}

fn deploy_public(
    ctx: &Context,
    config: &SiteConfig,
    args: &DeployArgs,
    public: &Path,
    intake: Option<&IntakeReport>,
    publish: bool,
) -> u8 {
    let lang = config.language;
    let (target, opts) = match target_and_options(ctx, config, args) {
        Ok(t) => t,
        Err(e) => return deploy_failed(ctx, &e, lang),
    };
    let mut conn = match connect(&target, &opts) {
        Ok(c) => c,
        Err(e) => return deploy_failed(ctx, &e, lang),
    };
    let deployed = match conn.deploy(public, &opts) {
        Ok(d) => d,
        Err(e) => return deploy_failed(ctx, &e, lang),
    };
    let report = &deployed.report;
    if opts.dry_run {
        print_dry_run(ctx, report, lang);
        return exit::OK;
    }

    // Step 7: the live check, through a web server.
    let explicit_url = config.deploy.as_ref().and_then(|d| d.verify_url.clone());
    let mut _server = None;
    let verify_url = match (&target, explicit_url) {
        (_, Some(url)) => url,
        (DeployTarget::Local(path), None) => {
            match StaticServer::start(path.join(super::release::CURRENT), 0) {
                Ok(s) => {
                    let url = s.url();
                    _server = Some(s);
                    url
                }
                Err(e) => {
                    let err = DeployError::Local(e);
                    return deploy_failed(ctx, &err, lang);
                }
            }
        }
        (DeployTarget::Sftp(_), None) => config.verify_url(),
    };
    if !ctx.json() {
        eprintln!("{}", tr(lang, "verify.checking", &[("url", &verify_url)]));
    }
    let pages = verify::pages_to_check(public, &report.uploaded);
    let verified = verify::verify_live(public, &verify_url, &pages, lang);

    // Issue 6: the pages must also display in a real browser. Publish runs
    // the check whenever Chromium is installed; JSON output stays one object,
    // so the browser's own report is only printed for people.
    let mut browser_code = exit::OK;
    if verified.ok() && (args.browser || publish) && !ctx.json() {
        browser_code = crate::browser::run_after_deploy(
            ctx,
            lang,
            &verify_url,
            public,
            &report.uploaded,
            !args.browser,
        );
    }

    let mut rolled_back = false;
    let mut code = exit::OK;
    let mut revert_error = None;
    if !verified.ok() || browser_code == exit::CONTENT {
        code = exit::CONTENT;
        if deployed.report.changed {
            match conn.revert(&deployed) {
                Ok(()) => rolled_back = true,
                Err(e) => revert_error = Some(e.message(lang)),
            }
        }
    } else if report.changed {
        // Old releases go only once the new one is known good.
        if let Err(e) = conn.prune(opts.keep_releases) {
            eprintln!("{}", e.message(lang));
        }
    }
    print_result(
        ctx,
        report,
        &verified,
        rolled_back,
        revert_error.as_deref(),
        intake,
        lang,
    );
    if browser_code == exit::DEPLOY {
        // Chromium was asked for but could not run: the site is deployed
        // and verified by HTTP, but the display check was not done.
        return exit::DEPLOY;
    }
    code
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
    match result {
        Ok(((from, to), target)) => {
            if ctx.json() {
                let v = json!({
                    "target": target.display(), "release": to, "previous": from,
                    "uploaded": 0, "uploaded_bytes": 0, "deleted": 0, "unchanged": 0,
                    "verified": {"checked": 0, "failed": []}, "rolled_back": true,
                });
                println!("{v}");
            } else {
                println!(
                    "{}",
                    tr(
                        lang,
                        "deploy.rolled_back_to",
                        &[("from", &from), ("to", &to)]
                    )
                );
            }
            exit::OK
        }
        Err(e) => deploy_failed(ctx, &e, lang),
    }
}

fn fail(ctx: &Context, code: &str, message: &str, status: u8) -> u8 {
    if ctx.json() {
        println!("{}", json!({"error": {"code": code, "message": message}}));
    } else {
        eprintln!("{message}");
    }
    status
}

fn deploy_failed(ctx: &Context, e: &DeployError, lang: Lang) -> u8 {
    let message = e.message(lang);
    if ctx.json() {
        let v = json!({
            "error": {"code": e.code(), "message": message},
            "rolled_back": false,
        });
        println!("{v}");
    } else {
        eprintln!("{message}");
        if e.exit_code() == exit::DEPLOY {
            eprintln!("{}", tr(lang, "deploy.site_untouched", &[]));
        }
    }
    e.exit_code()
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
        println!("{v}");
        return;
    }
    for f in &r.uploaded {
        println!("+ {f}");
    }
    for f in &r.deleted {
        println!("- {f}");
    }
    println!(
        "{}",
        tr(
            lang,
            "deploy.dry_run_summary",
            &[
                ("uploaded", &r.uploaded.len().to_string()),
                ("bytes", &human_bytes(r.uploaded_bytes)),
                ("deleted", &r.deleted.len().to_string()),
                ("unchanged", &r.unchanged.to_string()),
                ("target", &r.target),
            ],
        )
    );
}

fn print_intake(r: &IntakeReport, lang: Lang) {
    if r.accepted.is_empty() && r.rejected.is_empty() && r.failed.is_empty() {
        return;
    }
    eprintln!(
        "{}",
        tr(
            lang,
            "deploy.intake_summary",
            &[
                ("accepted", &r.accepted.len().to_string()),
                ("rejected", &r.rejected.len().to_string()),
            ],
        )
    );
    for rej in &r.rejected {
        eprintln!("  ✗ {} → {}", rej.request.display(), rej.report.display());
    }
    for f in &r.failed {
        eprintln!("  ✗ {}: {}", f.request.display(), f.error);
    }
}

fn print_result(
    ctx: &Context,
    r: &DeployReport,
    verified: &VerifyReport,
    rolled_back: bool,
    revert_error: Option<&str>,
    intake: Option<&IntakeReport>,
    lang: Lang,
) {
    if ctx.json() {
        let mut v = json!({
            "target": r.target,
            // What is live now: after a rollback, the previous release.
            "release": if rolled_back { &r.previous } else { &r.release },
            "previous": r.previous,
            "failed_release": if rolled_back { &r.release } else { &None },
            "mode": if r.in_place { "in-place" } else { "releases" },
            "uploaded": r.uploaded.len(),
            "uploaded_bytes": r.uploaded_bytes,
            "deleted": r.deleted.len(),
            "unchanged": r.unchanged,
            "uploaded_files": r.uploaded,
            "deleted_files": r.deleted,
            "seconds": (r.seconds * 1000.0).round() / 1000.0,
            "verified": {"checked": verified.checked, "failed": verified.failed},
            "rolled_back": rolled_back,
        });
        if let Some(e) = revert_error {
            v["error"] = json!({"code": "rollback", "message": e});
        }
        if let Some(i) = intake {
            v["intake"] = serde_json::to_value(i).unwrap_or_default();
        }
        println!("{v}");
        return;
    }
    let summary = tr(
        lang,
        "deploy.summary",
        &[
            ("uploaded", &r.uploaded.len().to_string()),
            ("deleted", &r.deleted.len().to_string()),
            ("unchanged", &r.unchanged.to_string()),
            ("bytes", &human_bytes(r.uploaded_bytes)),
            ("seconds", &format!("{:.1}", r.seconds)),
            ("target", &r.target),
        ],
    );
    println!("{summary}");
    if verified.ok() {
        println!(
            "{}",
            tr(
                lang,
                "verify.ok",
                &[("checked", &verified.checked.to_string())]
            )
        );
        return;
    }
    for f in &verified.failed {
        eprintln!("  ✗ {}", f.message);
    }
    eprintln!(
        "{}",
        tr(
            lang,
            "verify.failed",
            &[("count", &verified.failed.len().to_string())]
        )
    );
    match (rolled_back, revert_error) {
        (true, _) => eprintln!(
            "{}",
            tr(
                lang,
                "verify.rolled_back",
                &[("release", r.previous.as_deref().unwrap_or("-"))]
            )
        ),
        (false, Some(e)) => eprintln!("{e}"),
        (false, None) => {}
    }
}
