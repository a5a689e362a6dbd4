//! Step 6: upload to the server — incremental and atomic.
//!
//! [`deploy_dir`] (or [`connect`] + [`Connection::deploy`]) uploads a built
//! `public/` folder to a [`DeployTarget`]: only the files whose size or hash
//! differ from the server's manifest cross the network, and the new release
//! goes live in one rename (see [`release`] for the layout and the
//! guarantees). The command layer runs `khao deploy` / `khao publish` on
//! it: build, deploy, check the live site ([`crate::verify`]), roll back on
//! failure.

pub mod local;
pub mod manifest;
pub mod release;
pub mod sftp;
pub mod store;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::config::DeployConfig;
use crate::diagnostic::{Code, Failure};
use crate::i18n::Message;
use crate::plumbing::progress::{Progress as Progressing, Task};
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
    /// Where the hashes of published files are kept between deploys
    /// (see [`manifest::Hashes`]); `None`: every file is hashed.
    pub cache: Option<PathBuf>,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            identity: None,
            known_hosts: sftp::expand_home("~/.ssh/known_hosts"),
            keep_releases: 5,
            dry_run: false,
            cache: None,
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

/// What a deploy did: the deploy object of docs/commands.md, less the live
/// check.
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
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// site.yaml has no `deploy.target` (exit 2).
    NoTarget,
    /// `deploy.target` is not usable (exit 2).
    BadTarget(String),
    /// No connection: network, host key, authentication.
    Connect(Box<ConnectFailure>),
    /// An operation on the server failed (after retries).
    Remote(StepError),
    /// `public/` could not be read.
    Local(std::io::Error),
    /// `--rollback` with no older release.
    NoPrevious,
}

crate::display_failure!(DeployError);

impl DeployError {
    /// A problem of site.yaml rather than of the server.
    pub fn is_config(&self) -> bool {
        matches!(self, DeployError::NoTarget | DeployError::BadTarget(_))
    }
}

impl Failure for DeployError {
    fn code(&self) -> Code {
        match self {
            DeployError::NoTarget | DeployError::BadTarget(_) => Code::Config,
            DeployError::Connect(f) => match &f.error {
                ConnectError::Network(_) => Code::Connect,
                ConnectError::UnknownHost { .. } => Code::UnknownHost,
                ConnectError::ChangedHost { .. } => Code::ChangedHostKey,
                ConnectError::Auth { .. } => Code::Auth,
                ConnectError::Ssh(_) => Code::Ssh,
            },
            DeployError::Remote(_) => Code::Remote,
            DeployError::Local(_) => Code::Local,
            DeployError::NoPrevious => Code::NoPreviousRelease,
        }
    }

    /// The message for the officer, saying what to do.
    fn message(&self) -> Message {
        match self {
            DeployError::NoTarget => Message::new("deploy.no_target"),
            DeployError::BadTarget(t) => Message::new("deploy.bad_target").arg("target", t),
            DeployError::Connect(f) => connect_message(f),
            DeployError::Remote(e) if e.op == "current-is-folder" => {
                Message::new("deploy.current_is_folder")
            }
            DeployError::Remote(e) if e.lasting() => Message::new("deploy.remote_lasting")
                .arg("op", e.op)
                .arg("path", &e.path)
                .arg_msg("error", crate::i18n::os_error(&e.source)),
            DeployError::Remote(e) => Message::new("deploy.remote_failed")
                .arg("op", e.op)
                .arg("path", &e.path)
                .arg("error", &e.source),
            DeployError::Local(e) => {
                Message::new("deploy.local_failed").arg_msg("error", crate::i18n::os_error(e))
            }
            DeployError::NoPrevious => Message::new("deploy.no_previous"),
        }
    }
}

fn connect_message(f: &ConnectFailure) -> Message {
    let (host, port, user) = match &f.target {
        DeployTarget::Sftp(t) => (t.host.clone(), t.port, t.user.clone()),
        DeployTarget::Local(_) => (String::new(), 0, String::new()),
    };
    let kh = f.known_hosts.display().to_string();
    match &f.error {
        ConnectError::Network(e) => Message::new("deploy.connect_failed")
            .arg("host", &host)
            .arg("port", port)
            .arg("error", e),
        ConnectError::UnknownHost {
            key_type,
            fingerprint,
        } => {
            let p = if port == 22 {
                String::new()
            } else {
                format!("-p {port} ")
            };
            Message::new("deploy.unknown_host")
                .arg("host", &host)
                .arg("port", port)
                .arg("key_type", key_type)
                .arg("fingerprint", fingerprint)
                .arg("known_hosts", &kh)
                .arg("command", format!("ssh-keyscan {p}{host} >> {kh}"))
        }
        ConnectError::ChangedHost {
            key_type,
            fingerprint,
        } => {
            // known_hosts names a host on another port as `[host]:port`.
            let name = if port == 22 {
                host.clone()
            } else {
                format!("'[{host}]:{port}'")
            };
            Message::new("deploy.changed_host")
                .arg("host", &host)
                .arg("port", port)
                .arg("key_type", key_type)
                .arg("fingerprint", fingerprint)
                .arg("known_hosts", &kh)
                .arg("command", format!("ssh-keygen -R {name} -f {kh}"))
        }
        ConnectError::Auth { tried } => Message::new("deploy.auth_failed")
            .arg("user", user)
            .arg("host", &host)
            .arg("tried", tried.join(", ")),
        ConnectError::Ssh(e) => Message::new("deploy.ssh_failed")
            .arg("host", &host)
            .arg("error", e),
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

    /// Uploads `public` and makes it live (or, dry, only plans it),
    /// telling `progress` of each file and byte.
    pub fn deploy(
        &mut self,
        public: &Path,
        opts: &DeployOptions,
        progress: &dyn Progressing,
    ) -> Result<Deployed, DeployError> {
        let start = Instant::now();
        let hashes = opts
            .cache
            .as_deref()
            .map(|dir| manifest::Hashes::load(dir, public));
        let local = Manifest::scan_with(public, hashes.as_ref()).map_err(DeployError::Local)?;
        if let Some(h) = &hashes {
            h.save();
        }
        let on_plan = |files: usize, bytes: u64| {
            progress.start(Task::UploadFiles, files as u64);
            progress.start(Task::UploadBytes, bytes);
        };
        let on_file = |f: &str| progress.advance(Task::UploadFiles, 1, f);
        let on_bytes = |n: u64| progress.advance(Task::UploadBytes, n, "");
        let callbacks = Progress {
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
            &callbacks,
        );
        progress.finish();
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
    let deployed = conn.deploy(public_dir, opts, &crate::plumbing::progress::Silent)?;
    if deployed.report.changed {
        conn.prune(opts.keep_releases)?;
    }
    Ok(deployed.report)
}
