//! An SFTP server as a deploy target, through `ssh2` (libssh2).
//!
//! Trust first: the server's host key must be in known_hosts, or nothing is
//! sent. Then authentication: the SSH agent, the identity file (passphrase
//! from `KHAO_DEPLOY_PASSPHRASE`), a password from `KHAO_DEPLOY_PASSWORD`.
//! Secrets come only from the environment and are never printed.
//!
//! With a shell on the account, a few coreutils commands do what SFTP cannot
//! (`cp -al`, `rm -rf`, an atomic `mv -T` of the `current` symlink); without
//! one (`ForceCommand internal-sftp`) the deploy goes in place, replacing
//! files with OpenSSH's posix-rename extension.

use std::collections::HashSet;
use std::ffi::{CString, c_char, c_int, c_void};
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ssh2::{CheckResult, HashType, KnownHostFileKind, OpenFlags, OpenType, Session, Sftp};

use super::store::{Store, join, temp_name};

/// `sftp://user@host:port/path`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SftpTarget {
    pub user: String,
    pub host: String,
    pub port: u16,
    /// Absolute, or relative to the account's home (`sftp://u@h/~/site`).
    pub path: String,
}

impl SftpTarget {
    /// Parses `sftp://user@host:port/path`; `None` when it is not one.
    pub fn parse(s: &str) -> Option<SftpTarget> {
        let rest = s.strip_prefix("sftp://")?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let (user, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (u.to_string(), h),
            None => (
                std::env::var("USER").unwrap_or_else(|_| "root".into()),
                authority,
            ),
        };
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6.split_once(']')?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().ok()?,
                None if after.is_empty() => 22,
                None => return None,
            };
            (h.to_string(), port)
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), p.parse().ok()?),
                None => (hostport.to_string(), 22),
            }
        };
        if user.is_empty() || host.is_empty() || host.contains('\0') || path.contains('\0') {
            return None;
        }
        let path = match path.strip_prefix("/~/") {
            Some(home_rel) => home_rel.trim_end_matches('/').to_string(),
            None if path == "/~" || path.is_empty() => String::new(),
            None => {
                let p = path.trim_end_matches('/');
                if p.is_empty() {
                    "/".into()
                } else {
                    p.to_string()
                }
            }
        };
        Some(SftpTarget {
            user,
            host,
            port,
            path,
        })
    }

    pub fn display(&self) -> String {
        let path = if self.path.starts_with('/') {
            self.path.clone()
        } else {
            format!("/~/{}", self.path)
        };
        format!("sftp://{}@{}:{}{}", self.user, self.host, self.port, path)
    }
}

/// How to reach and trust the server.
#[derive(Debug, Clone)]
pub struct SshOptions {
    pub identity: Option<PathBuf>,
    pub known_hosts: PathBuf,
}

/// Why a connection was not made.
#[derive(Debug)]
pub enum ConnectError {
    /// Could not reach the server at all.
    Network(io::Error),
    /// The host's key is not in known_hosts.
    UnknownHost {
        key_type: String,
        fingerprint: String,
    },
    /// The host's key differs from the one in known_hosts.
    ChangedHost {
        key_type: String,
        fingerprint: String,
    },
    /// Every way to log in was refused; `tried` names them.
    Auth { tried: Vec<String> },
    /// The SSH conversation failed.
    Ssh(String),
}

fn ssh_err(e: ssh2::Error) -> ConnectError {
    ConnectError::Ssh(e.message().to_string())
}

/// `SHA256:...` as OpenSSH prints it (base64 without padding).
pub fn fingerprint(hash: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::from("SHA256:");
    for chunk in hash.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn key_type_name(t: ssh2::HostKeyType) -> &'static str {
    use ssh2::HostKeyType::*;
    match t {
        Rsa => "ssh-rsa",
        Dss => "ssh-dss",
        Ecdsa256 => "ecdsa-sha2-nistp256",
        Ecdsa384 => "ecdsa-sha2-nistp384",
        Ecdsa521 => "ecdsa-sha2-nistp521",
        Ed25519 => "ssh-ed25519",
        Unknown => "unknown",
    }
}

/// Expands a leading `~/` to the home folder.
pub fn expand_home(p: &str) -> PathBuf {
    match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(p),
    }
}

/// Opens an SSH session: TCP, handshake, host key check, authentication.
fn open_session(target: &SftpTarget, opts: &SshOptions) -> Result<Session, ConnectError> {
    let addrs: Vec<_> = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(ConnectError::Network)?
        .collect();
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
    let mut tcp = None;
    for a in addrs {
        match TcpStream::connect_timeout(&a, Duration::from_secs(10)) {
            Ok(s) => {
                tcp = Some(s);
                break;
            }
            Err(e) => last = e,
        }
    }
    let tcp = tcp.ok_or(ConnectError::Network(last))?;
    // SSH sends many small packets and waits for each answer: with Nagle's
    // algorithm on, a request can sit waiting for the previous one's ACK
    // (the handshake took 60–100 ms on loopback instead of 13 ms).
    let _ = tcp.set_nodelay(true);
    let mut sess = Session::new().map_err(ssh_err)?;
    sess.set_timeout(30_000);
    sess.set_tcp_stream(tcp);
    sess.handshake().map_err(ssh_err)?;
    check_host_key(&sess, target, opts)?;
    authenticate(&sess, target, opts)?;
    Ok(sess)
}

fn check_host_key(
    sess: &Session,
    target: &SftpTarget,
    opts: &SshOptions,
) -> Result<(), ConnectError> {
    let (key, kind) = sess
        .host_key()
        .ok_or_else(|| ConnectError::Ssh("no host key".into()))?;
    let key_type = key_type_name(kind).to_string();
    let fingerprint = fingerprint(sess.host_key_hash(HashType::Sha256).unwrap_or(&[]));
    let mut known = sess.known_hosts().map_err(ssh_err)?;
    // Line by line: one line libssh2 cannot parse (a newer key type) must
    // not hide the others.
    if let Ok(text) = std::fs::read_to_string(&opts.known_hosts) {
        for line in text.lines() {
            let line = line.trim();
            if !line.is_empty() && !line.starts_with('#') {
                let _ = known.read_str(line, KnownHostFileKind::OpenSSH);
            }
        }
    }
    match known.check_port(&target.host, target.port, key) {
        CheckResult::Match => Ok(()),
        CheckResult::Mismatch => Err(ConnectError::ChangedHost {
            key_type,
            fingerprint,
        }),
        CheckResult::NotFound | CheckResult::Failure => Err(ConnectError::UnknownHost {
            key_type,
            fingerprint,
        }),
    }
}

fn authenticate(
    sess: &Session,
    target: &SftpTarget,
    opts: &SshOptions,
) -> Result<(), ConnectError> {
    let user = target.user.as_str();
    let mut tried = Vec::new();
    if std::env::var_os("SSH_AUTH_SOCK").is_some() {
        tried.push("agent".to_string());
        if sess.userauth_agent(user).is_ok() && sess.authenticated() {
            return Ok(());
        }
    }
    let identities: Vec<PathBuf> = match &opts.identity {
        Some(p) => vec![p.clone()],
        None => ["~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa"]
            .iter()
            .map(|p| expand_home(p))
            .filter(|p| p.is_file())
            .collect(),
    };
    let passphrase = std::env::var("KHAO_DEPLOY_PASSPHRASE").ok();
    for id in identities {
        tried.push(id.display().to_string());
        if sess
            .userauth_pubkey_file(user, None, &id, passphrase.as_deref())
            .is_ok()
            && sess.authenticated()
        {
            return Ok(());
        }
    }
    if let Ok(password) = std::env::var("KHAO_DEPLOY_PASSWORD") {
        tried.push("KHAO_DEPLOY_PASSWORD".to_string());
        if sess.userauth_password(user, &password).is_ok() && sess.authenticated() {
            return Ok(());
        }
    }
    Err(ConnectError::Auth { tried })
}

/// OpenSSH's posix-rename extension, which libssh2 has but the `ssh2`
/// crate does not expose: the only way to replace a live file over
/// SFTP-only access without a moment where it is missing.
mod posix {
    use super::*;

    unsafe extern "C" {
        fn libssh2_sftp_init(session: *mut c_void) -> *mut c_void;
        fn libssh2_sftp_shutdown(sftp: *mut c_void) -> c_int;
        fn libssh2_sftp_posix_rename_ex(
            sftp: *mut c_void,
            src: *const c_char,
            src_len: usize,
            dst: *const c_char,
            dst_len: usize,
        ) -> c_int;
    }

    /// A second, raw SFTP channel on the session, used only for renames.
    pub struct RawSftp {
        sess: Session,
        raw: *mut c_void,
    }

    impl RawSftp {
        pub fn open(sess: &Session) -> io::Result<RawSftp> {
            let raw = {
                let mut guard = sess.raw();
                let p = std::ptr::from_mut(&mut *guard).cast::<c_void>();
                // SAFETY: a live, authenticated, blocking session, locked.
                unsafe { libssh2_sftp_init(p) }
            };
            if raw.is_null() {
                return Err(io::Error::other("sftp init failed"));
            }
            Ok(RawSftp {
                sess: sess.clone(),
                raw,
            })
        }

        pub fn rename(&self, from: &str, to: &str) -> io::Result<()> {
            let src = CString::new(from).map_err(io::Error::other)?;
            let dst = CString::new(to).map_err(io::Error::other)?;
            let rc = {
                let _guard = self.sess.raw();
                // SAFETY: `raw` came from libssh2_sftp_init on this session,
                // which is alive (we hold a clone) and locked.
                unsafe {
                    libssh2_sftp_posix_rename_ex(
                        self.raw,
                        src.as_ptr(),
                        from.len(),
                        dst.as_ptr(),
                        to.len(),
                    )
                }
            };
            if rc == 0 {
                Ok(())
            } else {
                Err(io::Error::other(format!("posix-rename failed ({rc})")))
            }
        }
    }

    impl Drop for RawSftp {
        fn drop(&mut self) {
            let _guard = self.sess.raw();
            // SAFETY: as above; called once.
            unsafe {
                libssh2_sftp_shutdown(self.raw);
            }
        }
    }
}

/// A connected SFTP target.
pub struct SftpStore {
    target: SftpTarget,
    opts: SshOptions,
    // Dropped before the session they live on.
    renamer: Option<posix::RawSftp>,
    sftp: Sftp,
    sess: Session,
    shell: bool,
}

/// Quotes a word for the POSIX shell.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl SftpStore {
    pub fn connect(target: &SftpTarget, opts: &SshOptions) -> Result<SftpStore, ConnectError> {
        let sess = open_session(target, opts)?;
        let sftp = sess.sftp().map_err(ssh_err)?;
        let mut store = SftpStore {
            target: target.clone(),
            opts: opts.clone(),
            renamer: None,
            sftp,
            sess,
            shell: false,
        };
        store.shell = matches!(store.exec("echo khao-shell-ok"), Ok((0, out)) if out.contains("khao-shell-ok"));
        Ok(store)
    }

    /// Whether the account runs commands (else: SFTP only, in place).
    pub fn has_shell(&self) -> bool {
        self.shell
    }

    fn path(&self, rel: &str) -> PathBuf {
        PathBuf::from(join(&self.target.path, rel))
    }

    fn spath(&self, rel: &str) -> String {
        join(&self.target.path, rel)
    }

    /// Runs a command; returns its exit status and output (stdout + stderr).
    fn exec(&self, cmd: &str) -> io::Result<(i32, String)> {
        let mut ch = self.sess.channel_session()?;
        ch.exec(cmd)?;
        ch.send_eof()?;
        let mut out = String::new();
        ch.read_to_string(&mut out)?;
        let mut err = String::new();
        ch.stderr().read_to_string(&mut err)?;
        ch.wait_close()?;
        out.push_str(&err);
        Ok((ch.exit_status()?, out))
    }

    fn run(&self, cmd: &str) -> io::Result<()> {
        if !self.shell {
            return Err(io::Error::other("no shell on this account"));
        }
        // Relative paths are relative to the home folder, as over SFTP.
        let (code, out) = self.exec(cmd)?;
        if code == 0 {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "`{cmd}` exited {code}: {}",
                out.trim()
            )))
        }
    }

    fn send(&mut self, local: &Path, remote: &Path, progress: &dyn Fn(u64)) -> io::Result<()> {
        let mut src = std::fs::File::open(local)?;
        let mut dst = self.sftp.open_mode(
            remote,
            OpenFlags::WRITE | OpenFlags::TRUNCATE,
            0o644,
            OpenType::File,
        )?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = src.read(&mut buf)?;
            if n == 0 {
                break;
            }
            dst.write_all(&buf[..n])?;
            progress(n as u64);
        }
        dst.flush()?;
        dst.close()?;
        Ok(())
    }

    fn replace(&mut self, from: &str, to: &str) -> io::Result<()> {
        if self.renamer.is_none() {
            self.renamer = Some(posix::RawSftp::open(&self.sess)?);
        }
        match &self.renamer {
            Some(r) => r.rename(from, to),
            None => Err(io::Error::other("no sftp")),
        }
    }
}

fn not_found(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound
}

impl Store for SftpStore {
    fn read(&mut self, rel: &str) -> io::Result<Option<Vec<u8>>> {
        match self.sftp.open(self.path(rel)) {
            Ok(mut f) => {
                let mut buf = Vec::new();
                f.read_to_end(&mut buf)?;
                Ok(Some(buf))
            }
            Err(e) => {
                let e = io::Error::from(e);
                if not_found(&e) { Ok(None) } else { Err(e) }
            }
        }
    }

    fn write_atomic(&mut self, rel: &str, data: &[u8]) -> io::Result<()> {
        let tmp = self.spath(&temp_name(rel));
        {
            let mut f = self.sftp.open_mode(
                Path::new(&tmp),
                OpenFlags::WRITE | OpenFlags::TRUNCATE,
                0o644,
                OpenType::File,
            )?;
            f.write_all(data)?;
            f.close()?;
        }
        let dst = self.spath(rel);
        self.replace(&tmp, &dst)
    }

    fn upload(&mut self, local: &Path, rel: &str, progress: &dyn Fn(u64)) -> io::Result<()> {
        let dst = self.path(rel);
        if let Err(e) = self.sftp.unlink(&dst) {
            let e = io::Error::from(e);
            if !not_found(&e) {
                return Err(e);
            }
        }
        self.send(local, &dst, progress)
    }

    fn upload_atomic(&mut self, local: &Path, rel: &str, progress: &dyn Fn(u64)) -> io::Result<()> {
        let tmp = self.spath(&temp_name(rel));
        self.send(local, Path::new(&tmp), progress)?;
        let dst = self.spath(rel);
        self.replace(&tmp, &dst)
    }

    fn mkdir_all(&mut self, rel: &str) -> io::Result<()> {
        let full = self.spath(rel);
        if self
            .sftp
            .stat(Path::new(&full))
            .map(|s| s.is_dir())
            .unwrap_or(false)
        {
            return Ok(());
        }
        let mut sofar = String::new();
        for (i, part) in full.split('/').enumerate() {
            if i == 0 && part.is_empty() {
                sofar.push('/');
                continue;
            }
            if part.is_empty() {
                continue;
            }
            sofar = join(&sofar, part);
            if sofar == "/" {
                continue;
            }
            if let Err(e) = self.sftp.mkdir(Path::new(&sofar), 0o755) {
                let is_dir = self.sftp.stat(Path::new(&sofar)).map(|s| s.is_dir());
                if !matches!(is_dir, Ok(true)) {
                    return Err(e.into());
                }
            }
        }
        Ok(())
    }

    fn remove_file(&mut self, rel: &str) -> io::Result<()> {
        match self.sftp.unlink(&self.path(rel)) {
            Ok(()) => Ok(()),
            Err(e) => {
                let e = io::Error::from(e);
                if not_found(&e) { Ok(()) } else { Err(e) }
            }
        }
    }

    fn remove_empty_dir(&mut self, rel: &str) {
        let _ = self.sftp.rmdir(&self.path(rel)); // fails when not empty
    }

    fn remove_tree(&mut self, rel: &str) -> io::Result<()> {
        if self.shell {
            return self.run(&format!("rm -rf -- {}", sh_quote(&self.spath(rel))));
        }
        // SFTP only: walk it.
        let full = self.path(rel);
        let entries = match self.sftp.readdir(&full) {
            Ok(e) => e,
            Err(e) => {
                let e = io::Error::from(e);
                return if not_found(&e) {
                    self.remove_file(rel)
                } else {
                    Err(e)
                };
            }
        };
        for (path, stat) in entries {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let Some(name) = name else { continue };
            let child = join(rel, &name);
            if stat.is_dir() {
                self.remove_tree(&child)?;
            } else {
                self.remove_file(&child)?;
            }
        }
        self.sftp.rmdir(&full).map_err(io::Error::from)
    }

    fn files_under(&mut self, rel: &str) -> io::Result<Option<HashSet<String>>> {
        if !self.shell {
            return Ok(None);
        }
        let dir = sh_quote(&self.spath(rel));
        let cmd = format!("if [ -d {dir} ]; then cd {dir} && find . ! -type d; fi");
        let (code, out) = self.exec(&cmd)?;
        if code != 0 {
            return Err(io::Error::other(format!(
                "`{cmd}` exited {code}: {}",
                out.trim()
            )));
        }
        let names = out.lines().filter_map(|l| l.strip_prefix("./"));
        Ok(Some(names.map(str::to_string).collect()))
    }

    fn copy_tree_linked(&mut self, from: &str, to: &str) -> io::Result<()> {
        self.run(&format!(
            "cp -al -- {} {}",
            sh_quote(&self.spath(from)),
            sh_quote(&self.spath(to))
        ))
    }

    fn rename(&mut self, from: &str, to: &str) -> io::Result<()> {
        self.sftp
            .rename(&self.path(from), &self.path(to), None)
            .map_err(io::Error::from)
    }

    fn read_link(&mut self, rel: &str) -> io::Result<Option<String>> {
        let p = self.path(rel);
        match self.sftp.lstat(&p) {
            Ok(st) if st.file_type().is_symlink() => {}
            Ok(_) => return Ok(None),
            Err(e) => {
                let e = io::Error::from(e);
                return if not_found(&e) { Ok(None) } else { Err(e) };
            }
        }
        let t = self.sftp.readlink(&p)?;
        Ok(Some(t.to_string_lossy().into_owned()))
    }

    fn swap_link(&mut self, link: &str, target: &str) -> io::Result<()> {
        // The link is relative, so the site can be moved or mounted elsewhere.
        let rel_target = target
            .strip_prefix(&format!("{}/", super::store::parent(link)))
            .unwrap_or(target);
        let tmp = self.spath(&temp_name(link));
        self.run(&format!(
            "ln -sfn -- {} {} && mv -Tf -- {} {}",
            sh_quote(rel_target),
            sh_quote(&tmp),
            sh_quote(&tmp),
            sh_quote(&self.spath(link))
        ))
    }

    fn list(&mut self, rel: &str) -> io::Result<Vec<String>> {
        match self.sftp.readdir(self.path(rel)) {
            Ok(entries) => {
                let mut names: Vec<String> = entries
                    .into_iter()
                    .filter_map(|(p, _)| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .collect();
                names.sort();
                Ok(names)
            }
            Err(e) => {
                let e = io::Error::from(e);
                if not_found(&e) {
                    Ok(Vec::new())
                } else {
                    Err(e)
                }
            }
        }
    }

    fn is_plain_dir(&mut self, rel: &str) -> io::Result<bool> {
        match self.sftp.lstat(&self.path(rel)) {
            Ok(st) => Ok(st.is_dir()),
            Err(e) => {
                let e = io::Error::from(e);
                if not_found(&e) { Ok(false) } else { Err(e) }
            }
        }
    }

    fn reconnect(&mut self) -> io::Result<()> {
        let fresh = SftpStore::connect(&self.target, &self.opts)
            .map_err(|e| io::Error::other(format!("{e:?}")))?;
        *self = fresh;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        let t = SftpTarget::parse("sftp://deploy@web.example.go.th:2222/srv/www/site/").unwrap();
        assert_eq!(t.user, "deploy");
        assert_eq!(t.host, "web.example.go.th");
        assert_eq!(t.port, 2222);
        assert_eq!(t.path, "/srv/www/site");
        let t = SftpTarget::parse("sftp://u@[::1]/~/site").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("::1", 22, "site")
        );
        assert!(SftpTarget::parse("sftp://u@h:x/p").is_none());
        assert!(SftpTarget::parse("/srv/www").is_none());
    }

    #[test]
    fn fingerprints_like_openssh() {
        // echo -n "" | sha256sum → e3b0c442...; OpenSSH prints it as below.
        let h = blake3::hash(b"").as_bytes().to_vec();
        assert_eq!(fingerprint(&h).len(), "SHA256:".len() + 43);
        assert_eq!(fingerprint(&[0xfb, 0xff]), "SHA256:+/8");
    }

    #[test]
    fn quotes_for_the_shell() {
        assert_eq!(sh_quote("a b'c"), r"'a b'\''c'");
    }
}
