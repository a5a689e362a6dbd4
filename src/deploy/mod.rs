//! Step 6: upload to the server — incremental and atomic.
//!
//! [`deploy_dir`] (or [`connect`] + [`Connection::deploy`]) uploads a built
//! `public/` folder to a [`DeployTarget`]: only the files whose size or hash
//! differ from the server's manifest cross the network, and the new release
//! goes live in one rename (see [`release`] for the layout and the
//! guarantees). [`command`] is `khao deploy` / `khao publish`: build, deploy,
//! check the live site ([`crate::verify`]), roll back on failure.

pub mod command;
pub mod local;
pub mod manifest;
pub mod release;
pub mod sftp;
pub mod store;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::config::DeployConfig;
use crate::i18n::{Lang, tr};
use manifest::Manifest;
use release::{Mode, Progress, StepError};
use sftp::{ConnectError, SftpStore, SftpTarget, SshOptions};
use store::Store;

/// Where the site goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployTarget {
    /// A folder on this machine (same layout as on a server).
    Local(PathBuf),
    Sftp(SftpTarget),
}

impl DeployTarget {
    /// Parses site.yaml's `deploy.target`: `sftp://...` or a folder path,
    /// relative to the site folder. `None` for an unusable `sftp://` URL.
    pub fn parse(s: &str, site_dir: &Path) -> Option<DeployTarget> {
        let s = s.trim();
        if s.contains("://") {
            return SftpTarget::parse(s).map(DeployTarget::Sftp);
        }
        if s.is_empty() {
            return None;
        }
        let p = sftp::expand_home(s);
        Some(DeployTarget::Local(if p.is_absolute() {
            p
        } else {
            site_dir.join(p)
        }))
    }

    pub fn display(&self) -> String {
        match self {
            DeployTarget::Local(p) => p.display().to_string(),
            DeployTarget::Sftp(t) => t.display(),
        }
    }
}

/// How to deploy; secrets are not here (they come from the environment).
#[derive(Debug, Clone)]
pub struct DeployOptions {
    pub identity: Option<PathBuf>,
    pub known_hosts: PathBuf,
    pub keep_releases: usize,
    pub dry_run: bool,
    /// Progress bars (only on a terminal).
    pub progress: bool,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            identity: None,
            known_hosts: sftp::expand_home("~/.ssh/known_hosts"),
            keep_releases: 5,
            dry_run: false,
            progress: false,
        }
    }
}

impl DeployOptions {
    pub fn from_config(config: &DeployConfig) -> DeployOptions {
        DeployOptions {
            identity: config.identity.as_deref().map(sftp::expand_home),
            known_hosts: sftp::expand_home(
                config
                    .known_hosts
                    .as_deref()
                    .unwrap_or("~/.ssh/known_hosts"),
            ),
            keep_releases: config.keep_releases,
            ..DeployOptions::default()
        }
    }
}

/// What a deploy did: SPEC.md's deploy object, less the live check.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeployReport {
    pub target: String,
    /// The live release id (`null` for an in-place target).
    pub release: Option<String>,
    /// The release live before, which a rollback returns to.
    #[serde(skip)]
    pub previous: Option<String>,
    pub uploaded: Vec<String>,
    pub uploaded_bytes: u64,
    pub deleted: Vec<String>,
    pub unchanged: usize,
    /// Whether anything changed on the server.
    #[serde(skip)]
    pub changed: bool,
    #[serde(skip)]
    pub dry_run: bool,
    /// `releases` or `in-place`.
    #[serde(skip)]
    pub in_place: bool,
    #[serde(skip)]
    pub seconds: f64,
}

/// Why a deploy could not be done. Every one leaves the live site as it
/// was; the command exits 3 (or 2 for a bad `deploy:` section).
#[derive(Debug)]
pub enum DeployError {
    /// site.yaml has no usable `deploy:` (exit 2).
    Config(String),
    /// No connection: network, host key, authentication.
    Connect(Box<ConnectFailure>),
    /// An operation on the server failed (after retries).
    Remote(StepError),
    /// `public/` could not be read.
    Local(std::io::Error),
    /// `--rollback` with no older release.
    NoPrevious,
}

impl DeployError {
    pub fn exit_code(&self) -> u8 {
        match self {
            DeployError::Config(_) => crate::exit::USAGE,
            _ => crate::exit::DEPLOY,
        }
    }

    /// A code for JSON output.
    pub fn code(&self) -> &'static str {
        match self {
            DeployError::Config(_) => "config",
            DeployError::Connect(f) => match &f.error {
                ConnectError::Network(_) => "connect",
                ConnectError::UnknownHost { .. } => "unknown-host",
                ConnectError::ChangedHost { .. } => "changed-host-key",
                ConnectError::Auth { .. } => "auth",
                ConnectError::Ssh(_) => "ssh",
            },
            DeployError::Remote(_) => "remote",
            DeployError::Local(_) => "local",
            DeployError::NoPrevious => "no-previous-release",
        }
    }

    /// The message for the officer, saying what to do.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            DeployError::Config(m) => m.clone(),
            DeployError::Connect(f) => {
                let ConnectFailure {
                    target,
                    known_hosts,
                    error,
                } = f.as_ref();
                let (host, port) = match target {
                    DeployTarget::Sftp(t) => (t.host.clone(), t.port),
                    DeployTarget::Local(_) => (String::new(), 0),
                };
                let kh = known_hosts.display().to_string();
                let port_s = port.to_string();
                match error {
                    ConnectError::Network(e) => tr(
                        lang,
                        "deploy.connect_failed",
                        &[
                            ("host", &host),
                            ("port", &port_s),
                            ("error", &e.to_string()),
                        ],
                    ),
                    ConnectError::UnknownHost {
                        key_type,
                        fingerprint,
                    } => {
                        let p = if port == 22 {
                            String::new()
                        } else {
                            format!("-p {port} ")
                        };
                        let cmd = format!("ssh-keyscan {p}{host} >> {kh}");
                        tr(
                            lang,
                            "deploy.unknown_host",
                            &[
                                ("host", &host),
                                ("port", &port_s),
                                ("key_type", key_type),
                                ("fingerprint", fingerprint),
                                ("known_hosts", &kh),
                                ("command", &cmd),
                            ],
                        )
                    }
                    ConnectError::ChangedHost {
                        key_type,
                        fingerprint,
                    } => tr(
                        lang,
                        "deploy.changed_host",
                        &[
                            ("host", &host),
                            ("port", &port_s),
                            ("key_type", key_type),
                            ("fingerprint", fingerprint),
                            ("known_hosts", &kh),
                        ],
                    ),
                    ConnectError::Auth { tried } => {
                        let user = match target {
                            DeployTarget::Sftp(t) => t.user.clone(),
                            DeployTarget::Local(_) => String::new(),
                        };
                        tr(
                            lang,
                            "deploy.auth_failed",
                            &[
                                ("user", &user),
                                ("host", &host),
                                ("tried", &tried.join(", ")),
                            ],
                        )
                    }
                    ConnectError::Ssh(e) => {
                        tr(lang, "deploy.ssh_failed", &[("host", &host), ("error", e)])
                    }
                }
            }
            DeployError::Remote(e) => {
                if e.op == "current-is-folder" {
                    tr(lang, "deploy.current_is_folder", &[])
                } else {
                    tr(
                        lang,
                        "deploy.remote_failed",
                        &[
                            ("op", e.op),
                            ("path", &e.path),
                            ("error", &e.source.to_string()),
                        ],
                    )
                }
            }
            DeployError::Local(e) => tr(lang, "deploy.local_failed", &[("error", &e.to_string())]),
            DeployError::NoPrevious => tr(lang, "deploy.no_previous", &[]),
        }
    }
}

/// A connection that was not made, and to what.
#[derive(Debug)]
pub struct ConnectFailure {
    pub target: DeployTarget,
    pub known_hosts: PathBuf,
    pub error: ConnectError,
}

/// An open target, for a deploy, then its live check, then a prune or a
/// revert, on one connection.
pub struct Connection {
    target: DeployTarget,
    store: Box<dyn Store>,
    mode: Mode,
}

/// The state a deploy left, to revert it if the live check fails.
pub struct Deployed {
    pub report: DeployReport,
    outcome: release::Outcome,
}

/// Connects to the target (checking the host key and logging in).
pub fn connect(target: &DeployTarget, opts: &DeployOptions) -> Result<Connection, DeployError> {
    match target {
        DeployTarget::Local(path) => Ok(Connection {
            target: target.clone(),
            store: Box::new(local::LocalStore::new(path.clone())),
            mode: Mode::Releases,
        }),
        DeployTarget::Sftp(t) => {
            let ssh = SshOptions {
                identity: opts.identity.clone(),
                known_hosts: opts.known_hosts.clone(),
            };
            let store = SftpStore::connect(t, &ssh).map_err(|error| {
                DeployError::Connect(Box::new(ConnectFailure {
                    target: target.clone(),
                    known_hosts: opts.known_hosts.clone(),
                    error,
                }))
            })?;
            let mode = if store.has_shell() {
                Mode::Releases
            } else {
                Mode::InPlace
            };
            Ok(Connection {
                target: target.clone(),
                store: Box::new(store),
                mode,
            })
        }
    }
}

impl Connection {
    /// Whether this target is written in place (SFTP-only account).
    pub fn in_place(&self) -> bool {
        self.mode == Mode::InPlace
    }

    /// Uploads `public` and makes it live (or, dry, only plans it).
    pub fn deploy(&mut self, public: &Path, opts: &DeployOptions) -> Result<Deployed, DeployError> {
        let start = Instant::now();
        let local = Manifest::scan(public).map_err(DeployError::Local)?;
        let bars = opts.progress.then(ProgressBars::new);
        let on_plan = |files: usize, bytes: u64| {
            if let Some(b) = &bars {
                b.start(files as u64, bytes)
            }
        };
        let on_file = |f: &str| {
            if let Some(b) = &bars {
                b.file(f)
            }
        };
        let on_bytes = |n: u64| {
            if let Some(b) = &bars {
                b.bytes(n)
            }
        };
        let progress = Progress {
            plan: &on_plan,
            file: &on_file,
            bytes: &on_bytes,
        };
        let result = release::deploy(
            self.store.as_mut(),
            public,
            &local,
            self.mode,
            opts.dry_run,
            &progress,
        );
        if let Some(b) = &bars {
            b.finish();
        }
        let outcome = result.map_err(DeployError::Remote)?;
        let report = DeployReport {
            target: self.target.display(),
            release: outcome.release.clone(),
            previous: outcome.previous.clone(),
            uploaded: outcome.plan.upload.clone(),
            uploaded_bytes: outcome.plan.upload_bytes,
            deleted: outcome.plan.delete.clone(),
            unchanged: outcome.plan.unchanged,
            changed: outcome.changed,
            dry_run: opts.dry_run,
            in_place: self.mode == Mode::InPlace,
            seconds: start.elapsed().as_secs_f64(),
        };
        Ok(Deployed { report, outcome })
    }

    /// Undoes a deploy whose live check failed: back to the previous
    /// release (in place: the old files put back).
    pub fn revert(&mut self, deployed: &Deployed) -> Result<(), DeployError> {
        if !deployed.outcome.changed {
            return Ok(());
        }
        let store = self.store.as_mut();
        match (&deployed.outcome.undo, &deployed.outcome.release) {
            (Some(undo), _) => release::undo_in_place(store, undo),
            (None, Some(failed)) => {
                release::revert(store, failed, deployed.outcome.previous.as_deref())
            }
            (None, None) => Ok(()),
        }
        .map_err(DeployError::Remote)
    }

    /// Keeps the newest `keep` releases.
    pub fn prune(&mut self, keep: usize) -> Result<Vec<String>, DeployError> {
        if self.mode == Mode::InPlace {
            return Ok(Vec::new());
        }
        release::prune(self.store.as_mut(), keep).map_err(DeployError::Remote)
    }

    /// `--rollback`: `current` back to the release before it. Returns
    /// (from, to).
    pub fn rollback(&mut self) -> Result<(String, String), DeployError> {
        let store = self.store.as_mut();
        let (cur, prev) = release::previous_release(store).map_err(DeployError::Remote)?;
        match (cur, prev) {
            (Some(cur), Some(prev)) => {
                release::switch_to(store, &prev).map_err(DeployError::Remote)?;
                Ok((cur, prev))
            }
            _ => Err(DeployError::NoPrevious),
        }
    }

    /// The release ids on the server, oldest first.
    pub fn releases(&mut self) -> Result<Vec<String>, DeployError> {
        release::list_releases(self.store.as_mut()).map_err(DeployError::Remote)
    }
}

/// Deploys `public_dir` to `target` and keeps `keep_releases`, without a
/// live check: the core of `khao deploy`, for scripts and tests.
pub fn deploy_dir(
    public_dir: &Path,
    target: &DeployTarget,
    opts: &DeployOptions,
) -> Result<DeployReport, DeployError> {
    let mut conn = connect(target, opts)?;
    let deployed = conn.deploy(public_dir, opts)?;
    if deployed.report.changed {
        conn.prune(opts.keep_releases)?;
    }
    Ok(deployed.report)
}

/// Files and bytes bars on a terminal.
struct ProgressBars {
    multi: indicatif::MultiProgress,
    files: indicatif::ProgressBar,
    bytes: indicatif::ProgressBar,
}

impl ProgressBars {
    fn new() -> ProgressBars {
        let multi =
            indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stderr());
        let files = multi.add(indicatif::ProgressBar::new(0));
        let bytes = multi.add(indicatif::ProgressBar::new(0));
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} files  {wide_msg}")
        {
            files.set_style(style);
        }
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        ) {
            bytes.set_style(style);
        }
        ProgressBars {
            multi,
            files,
            bytes,
        }
    }

    fn start(&self, files: u64, bytes: u64) {
        self.files.set_length(files);
        self.bytes.set_length(bytes);
    }

    fn file(&self, name: &str) {
        self.files.inc(1);
        self.files.set_message(name.to_string());
    }

    fn bytes(&self, n: u64) {
        self.bytes.inc(n);
    }

    fn finish(&self) {
        self.files.finish_and_clear();
        self.bytes.finish_and_clear();
        let _ = self.multi.clear();
    }
}
