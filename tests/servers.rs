//! Real servers for the deploy tests: an `sshd` and an `nginx`, each on a
//! free 127.0.0.1 port, configured entirely inside a temporary folder, and
//! stopped when dropped. No mocks: what khao talks to in the tests is what
//! it talks to on the office's server.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A free port on 127.0.0.1 (the listener is closed again at once).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn wait_for_port(port: u16, child: &mut Child, log: &Path) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "server exited ({status}): {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    panic!("server did not listen on {port}");
}

fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Generates an unencrypted ed25519 key pair at `path` (+ `.pub`).
pub fn keygen(path: &Path) {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "khao-test", "-f"])
        .arg(path)
        .stdout(Stdio::null())
        .status()
        .expect("ssh-keygen")
        .success();
    assert!(ok, "ssh-keygen failed");
}

/// An sshd on a free port: its own host key, `authorized_keys` with the
/// client key, root login allowed (the tests run as root), everything in `dir`.
pub struct Sshd {
    pub port: u16,
    pub dir: PathBuf,
    /// The client's private key, authorised for root.
    pub client_key: PathBuf,
    /// `ssh-ed25519 AAAA...` of the host key.
    pub host_key: String,
    child: Child,
}

impl Sshd {
    /// `extra` is appended to sshd_config (e.g. `ForceCommand internal-sftp`).
    pub fn start(dir: &Path, extra: &str) -> Sshd {
        std::fs::create_dir_all(dir).unwrap();
        // Privilege separation needs this folder; packages create it at boot.
        let _ = std::fs::create_dir_all("/run/sshd");
        let host = dir.join("host_key");
        let client = dir.join("client_key");
        keygen(&host);
        keygen(&client);
        std::fs::copy(client.with_extension("pub"), dir.join("authorized_keys")).unwrap();
        let port = free_port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nPidFile {dir}/sshd.pid\n\
             AuthorizedKeysFile {dir}/authorized_keys\nStrictModes no\nUsePAM no\n\
             PermitRootLogin yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             PubkeyAuthentication yes\nSubsystem sftp internal-sftp\nLogLevel ERROR\n{extra}\n",
            host = host.display(),
            dir = dir.display(),
        );
        let cfg = dir.join("sshd_config");
        std::fs::write(&cfg, config).unwrap();
        let log = dir.join("sshd.log");
        let mut child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(&cfg)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start /usr/sbin/sshd (apt-get install openssh-server)");
        wait_for_port(port, &mut child, &log);
        let pubkey = std::fs::read_to_string(host.with_extension("pub")).unwrap();
        let host_key = pubkey
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        Sshd {
            port,
            dir: dir.to_path_buf(),
            client_key: client,
            host_key,
            child,
        }
    }

    /// A known_hosts line for this server reached on `port`.
    pub fn known_hosts_line(&self, port: u16) -> String {
        format!("[127.0.0.1]:{port} {}\n", self.host_key)
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// An nginx on a free port serving `root` (normally `<target>/current`).
pub struct Nginx {
    pub port: u16,
    child: Child,
}

impl Nginx {
    /// `extra` goes inside the `server { }` block (e.g. a `location`).
    pub fn start(dir: &Path, root: &Path, extra: &str) -> Nginx {
        std::fs::create_dir_all(dir).unwrap();
        let port = free_port();
        let d = dir.display();
        let config = format!(
            "daemon off;\nuser root;\nworker_processes 1;\npid {d}/nginx.pid;\n\
             error_log {d}/error.log;\nevents {{ worker_connections 64; }}\n\
             http {{\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n\
             access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             server {{\n    listen 127.0.0.1:{port};\n    root {root};\n    {extra}\n  }}\n}}\n",
            root = root.display(),
        );
        let cfg = dir.join("nginx.conf");
        std::fs::write(&cfg, config).unwrap();
        let log = dir.join("nginx.stderr");
        let mut child = Command::new("/usr/sbin/nginx")
            .arg("-p")
            .arg(dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&cfg)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start /usr/sbin/nginx (apt-get install nginx)");
        wait_for_port(port, &mut child, &log);
        Nginx { port, child }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// GET a path: (status, body).
    pub fn get(&self, path: &str) -> (u16, Vec<u8>) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut resp = agent
            .get(format!("{}{}", self.url(), path.trim_start_matches('/')))
            .call()
            .expect("GET");
        let status = resp.status().as_u16();
        let body = resp.body_mut().read_to_vec().unwrap_or_default();
        (status, body)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// A TCP proxy to `127.0.0.1:upstream` that cuts its first connection
/// after `cut_after` bytes from the client, and refuses every connection
/// after that until [`CutProxy::heal`]: a network drop in mid-upload.
pub struct CutProxy {
    pub port: u16,
    healed: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

impl CutProxy {
    pub fn start(upstream: u16, cut_after: u64) -> CutProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let healed = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (healed.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut first = true;
            while !s.load(Ordering::Relaxed) {
                let client = match listener.accept() {
                    Ok((c, _)) => c,
                    Err(_) => {
                        std::thread::sleep(Duration::from_millis(10));
                        continue;
                    }
                };
                let _ = client.set_nonblocking(false);
                let healed_now = h.load(Ordering::Relaxed);
                if !first && !healed_now {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let limit = if first && !healed_now {
                    cut_after
                } else {
                    u64::MAX
                };
                first = false;
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                pipe(client, server, limit);
            }
        });
        CutProxy { port, healed, stop }
    }

    /// From now on, connections pass through untouched.
    pub fn heal(&self) {
        self.healed.store(true, Ordering::Relaxed);
    }
}

impl Drop for CutProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn pipe(client: TcpStream, server: TcpStream, limit: u64) {
    let sent = Arc::new(AtomicU64::new(0));
    let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    // server → client
    std::thread::spawn(move || {
        let (mut from, mut to) = (s2, c2);
        let mut buf = [0u8; 16384];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    });
    // client → server, cut after `limit` bytes
    std::thread::spawn(move || {
        let (mut from, mut to) = (client, server);
        let mut buf = [0u8; 16384];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 {
                break;
            }
            let total = sent.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
            if total > limit || to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    });
}
