//! The shared folder, for real: a real `smbd` shares a site's `requests/`
//! on loopback, a staff PC copies a request in through `smbclient` the way
//! Windows does over an office's Wi-Fi (the photo arriving piece by piece),
//! `khao watch` writes the report and `khao publish` the receipt, and both
//! are read back through the share, as the staff member would open them.
//!
//! `Smbd` is configured entirely inside a temporary folder (its own port,
//! pid, lock, state, cache and private folders, its own password database)
//! and touches nothing of the system's Samba. The tests run as root (CI);
//! `scripts/test` installs `samba` and `smbclient`.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::requests_support::*;
use crate::servers::free_port;
use crate::util::names_in;

/// The share's name, as staff map it: `\\server\requests`.
const SHARE: &str = "requests";
const PASSWORD: &str = "Khao-2569-test";
/// site.yaml's `requests.settle_seconds` in these tests.
const SETTLE: Duration = Duration::from_secs(2);
/// The pause between two pieces of the photo: well under the settle time,
/// as a copy over Wi-Fi that is slow but never stops.
const PAUSE: Duration = Duration::from_millis(800);
/// How many pieces the photo arrives in.
const PIECES: usize = 8;
/// How long anything may take on a loaded two-core CI machine.
const PATIENCE: Duration = Duration::from_secs(120);

const REQUEST: &str = "sports-day";
const TITLE: &str = "โรงเรียนในสังกัดร่วมกิจกรรมวันกีฬาสี";
/// `base_url` + `news/<year of 20/11/2569>/<slug from the folder name>/`.
const NEWS_URL: &str = "https://www.example.go.th/news/2026/sports-day/";

/// A real `smbd` on 127.0.0.1 and a free port, sharing one folder as
/// `requests` to one user with a password; stopped (with its children)
/// when dropped.
pub struct Smbd {
    pub port: u16,
    /// Everything of this server: smb.conf, its state and its log.
    pub dir: PathBuf,
    pub user: String,
    conf: PathBuf,
    log: PathBuf,
    child: Child,
}

impl Smbd {
    /// Shares `path` as `\\127.0.0.1\requests`, read-write for `self.user`.
    pub fn start(dir: &Path, path: &Path) -> Smbd {
        std::fs::create_dir_all(dir).unwrap();
        for sub in [
            "run",
            "lock",
            "state",
            "cache",
            "private",
            "ncalrpc",
            "usershares",
            "client",
        ] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        // Samba authenticates a Unix account: the one running the tests
        // (root in CI), so no account is created on the machine.
        let id = |flag: &str| {
            Command::new("id")
                .arg(flag)
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .unwrap_or_default()
        };
        let (user, group) = (id("-un"), id("-gn"));
        assert!(
            !user.is_empty() && !group.is_empty(),
            "id gave no user or group name"
        );
        let port = free_port();
        let d = dir.display();
        // The share options of docs/shared-folder.md, with this user and its
        // group for `valid users = @khao-staff` and `force group = khao`.
        let config = format!(
            "[global]\n\
             \x20 server role = standalone server\n\
             \x20 workgroup = KHAOTEST\n\
             \x20 netbios name = KHAOTEST\n\
             \x20 smb ports = {port}\n\
             \x20 interfaces = 127.0.0.1\n\
             \x20 bind interfaces only = yes\n\
             \x20 disable netbios = yes\n\
             \x20 server min protocol = SMB2_10\n\
             \x20 map to guest = Never\n\
             \x20 hosts allow = 127.0.0.1\n\
             \x20 unix charset = UTF-8\n\
             \x20 pid directory = {d}/run\n\
             \x20 lock directory = {d}/lock\n\
             \x20 state directory = {d}/state\n\
             \x20 cache directory = {d}/cache\n\
             \x20 private dir = {d}/private\n\
             \x20 ncalrpc dir = {d}/ncalrpc\n\
             \x20 binddns dir = {d}/private\n\
             \x20 usershare path = {d}/usershares\n\
             \x20 passdb backend = tdbsam:{d}/private/passdb.tdb\n\
             \x20 log file = {d}/log.%m\n\
             \x20 log level = 1\n\
             \x20 load printers = no\n\
             \x20 printing = bsd\n\
             \x20 printcap name = /dev/null\n\
             \x20 disable spoolss = yes\n\
             \n\
             [{SHARE}]\n\
             \x20 path = {path}\n\
             \x20 read only = no\n\
             \x20 valid users = {user}\n\
             \x20 force group = {group}\n\
             \x20 create mask = 0664\n\
             \x20 force create mode = 0660\n\
             \x20 directory mask = 2775\n\
             \x20 force directory mode = 2770\n\
             \x20 csc policy = disable\n",
            path = path.display(),
        );
        let conf = dir.join("smb.conf");
        std::fs::write(&conf, config).unwrap();

        // The password, into this server's own passdb.tdb.
        let mut pw = Command::new("smbpasswd")
            .arg("-c")
            .arg(&conf)
            .args(["-a", "-s", &user])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run smbpasswd (apt-get install samba)");
        {
            use std::io::Write;
            let mut stdin = pw.stdin.take().unwrap();
            write!(stdin, "{PASSWORD}\n{PASSWORD}\n").unwrap();
        }
        let out = pw.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "smbpasswd -a {user} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );

        let log = dir.join("smbd.log");
        let logfile = std::fs::File::create(&log).unwrap();
        // In the foreground, in a process group of its own (so that Drop
        // stops the per-connection children too), logging to smbd.log.
        let child = Command::new("/usr/sbin/smbd")
            .args([
                "--foreground",
                "--no-process-group",
                "--debug-stdout",
                "-d",
                "1",
            ])
            .arg("--configfile")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(logfile.try_clone().unwrap())
            .stderr(logfile)
            .process_group(0)
            .spawn()
            .expect("start /usr/sbin/smbd (apt-get install samba)");
        let mut smbd = Smbd {
            port,
            dir: dir.to_path_buf(),
            user,
            conf,
            log,
            child,
        };
        smbd.wait_until_ready();
        smbd
    }

    /// The port answers, then the share lists for our user.
    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "smbd exited ({status}) before listening:\n{}",
                    self.log_text()
                );
            }
            assert!(
                Instant::now() < deadline,
                "smbd did not listen on 127.0.0.1:{} within 60 s:\n{}",
                self.port,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut last = String::new();
        while Instant::now() < deadline {
            let out = self.smbclient("ls");
            if out.status.success() {
                return;
            }
            last = both(&out);
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "the share never answered `ls`: {last}\nsmbd log:\n{}",
            self.log_text()
        );
    }

    /// smbd's log (the daemon's and each connection's).
    pub fn log_text(&self) -> String {
        let mut text = std::fs::read_to_string(&self.log).unwrap_or_default();
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with("log.") {
                    let more = std::fs::read_to_string(e.path()).unwrap_or_default();
                    text.push_str(&format!("--- {name}\n{more}"));
                }
            }
        }
        text
    }

    /// Runs `smbclient //127.0.0.1/requests -c COMMANDS` as the staff user.
    pub fn smbclient(&self, commands: &str) -> Output {
        Command::new("/usr/bin/smbclient")
            .arg(format!("//127.0.0.1/{SHARE}"))
            .arg("-p")
            .arg(self.port.to_string())
            // The client's caches go to this server's folders too.
            .arg("--configfile")
            .arg(&self.conf)
            .arg("-U")
            .arg(format!("{}%{PASSWORD}", self.user))
            .args(["--timeout", "60", "-c", commands])
            .stdin(Stdio::null())
            .output()
            .expect("run /usr/bin/smbclient (apt-get install smbclient)")
    }

    /// Runs smbclient commands that must succeed.
    pub fn ok(&self, commands: &str) {
        let out = self.smbclient(commands);
        assert!(
            out.status.success(),
            "smbclient -c '{commands}' failed: {}\nsmbd log:\n{}",
            both(&out),
            self.log_text()
        );
    }

    /// The smbclient command that writes `data` to the share as `remote`
    /// (one `put`: the file is created or truncated, then written).
    pub fn put_command(&self, data: &[u8], remote: &str) -> String {
        let local = self.scratch();
        std::fs::write(&local, data).unwrap();
        format!("put \"{}\" \"{remote}\"", local.display())
    }

    /// Reads `remote` from the share: its bytes, or why not (smbclient's
    /// words, e.g. NT_STATUS_OBJECT_NAME_NOT_FOUND).
    pub fn get(&self, remote: &str) -> Result<Vec<u8>, String> {
        let local = self.scratch();
        let out = self.smbclient(&format!("get \"{remote}\" \"{}\"", local.display()));
        let got = std::fs::read(&local);
        let _ = std::fs::remove_file(&local);
        match got {
            Ok(bytes) if out.status.success() => Ok(bytes),
            _ => Err(both(&out)),
        }
    }

    /// A fresh local file name for smbclient's side of a transfer.
    fn scratch(&self) -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        self.dir
            .join("client")
            .join(format!("f{}", N.fetch_add(1, Ordering::Relaxed)))
    }
}

impl Drop for Smbd {
    fn drop(&mut self) {
        // The whole group: the main smbd and its per-connection children.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
    }
}

fn both(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// When each change a staff PC made to the request began and ended.
struct CopyLog {
    writes: Vec<(Instant, Instant)>,
}

impl CopyLog {
    /// Whether, at every instant of `[from, to]`, some file of the request
    /// had changed less than `settle` before. Conservative: a write counts
    /// from when it began, and only once it has ended.
    fn changing_throughout(&self, from: Instant, to: Instant, settle: Duration) -> bool {
        let Some(&(_, first_end)) = self.writes.first() else {
            return false;
        };
        if from < first_end {
            return false;
        }
        self.writes.iter().enumerate().all(|(i, &(start, end))| {
            let next_end = self.writes.get(i + 1).map_or(to, |w| w.1);
            let (lo, hi) = (end.max(from), next_end.min(to));
            lo > hi || hi.duration_since(start) < settle
        })
    }

    /// Whether the request never stood still for `settle` from its first
    /// change to its last.
    fn never_still(&self, settle: Duration) -> bool {
        let (first, last) = (self.writes[0].1, self.writes.last().unwrap().1);
        self.changing_throughout(first, last, settle)
    }

    fn longest_gap(&self) -> Duration {
        self.writes
            .windows(2)
            .map(|w| w[1].1.duration_since(w[0].0))
            .max()
            .unwrap_or_default()
    }
}

/// A site whose `requests/` the share serves: settle_seconds 2, photos up
/// to 25 MB, deploy to the local folder `.khao/live`.
fn shared_site() -> tempfile::TempDir {
    let site = site();
    let yaml = SITE_YAML
        .replace("settle_seconds: 1", "settle_seconds: 2")
        .replace("max_file_mb: 1,", "max_file_mb: 25,")
        + "deploy: { target: .khao/live }\n";
    assert!(
        yaml.contains("settle_seconds: 2") && yaml.contains("max_file_mb: 25,"),
        "requests_support's SITE_YAML changed; adjust shared_site():\n{yaml}"
    );
    std::fs::write(site.path().join("site.yaml"), yaml).unwrap();
    site
}

fn request_text() -> String {
    request_md(
        TITLE,
        "images:\n  - { file: photo1.jpg, alt: นักเรียนเดินขบวนพาเหรด }\n",
        "นักเรียนโรงเรียนในสังกัดร่วมกิจกรรมวันกีฬาสีประจำปี",
    )
}

/// A phone photo: a real JPEG.
fn photo() -> Vec<u8> {
    jpeg(1600, 1200)
}

/// Copies the request in as Windows Explorer does over slow Wi-Fi: the
/// folder, the text, then the photo growing piece by piece (each piece a
/// `put` of a longer part of it) with pauses shorter than the settle time;
/// Explorer then gives each copied file its original modification time
/// (last week's), so a file's age says nothing about whether its copy is
/// over. `during` runs once the photo's first piece is on the share.
fn copy_in_slowly(smbd: &Smbd, md: &str, photo: &[u8], during: impl FnOnce()) -> CopyLog {
    let taken = (chrono::Local::now() - chrono::Duration::days(7))
        .format("%Y:%m:%d-%H:%M:%S")
        .to_string();
    let md_remote = format!("{REQUEST}/ข่าว.md");
    let photo_remote = format!("{REQUEST}/photo1.jpg");
    let mut writes = Vec::new();
    let start = Instant::now();
    smbd.ok(&format!(
        "mkdir {REQUEST}; {}; utimes \"{md_remote}\" -1 -1 {taken} -1",
        smbd.put_command(md.as_bytes(), &md_remote)
    ));
    writes.push((start, Instant::now()));
    let mut during = Some(during);
    for k in 1..=PIECES {
        std::thread::sleep(PAUSE);
        let part = &photo[..photo.len() * k / PIECES];
        let mut commands = smbd.put_command(part, &photo_remote);
        if k == PIECES {
            commands.push_str(&format!("; utimes \"{photo_remote}\" -1 -1 {taken} -1"));
        }
        let start = Instant::now();
        smbd.ok(&commands);
        writes.push((start, Instant::now()));
        if let Some(f) = during.take() {
            f();
        }
    }
    CopyLog { writes }
}

/// `khao watch --format json` on a site, stopped when dropped.
struct Watch {
    child: Child,
    /// Each verdict line on stdout.
    lines: Receiver<String>,
    stderr: Arc<Mutex<Vec<String>>>,
    seen: Vec<String>,
}

impl Watch {
    fn start(site: &Path) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_khao"))
            .arg("--site")
            .arg(site)
            .args(["watch", "--format", "json"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start khao watch");
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        // Its line on stderr that names the requests/ folder says it
        // watches: from then on no change is missed.
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (started_tx, started) = mpsc::channel();
        let err_lines = stderr.clone();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                if l.contains("requests") {
                    let _ = started_tx.send(());
                }
                err_lines.lock().unwrap().push(l);
            }
        });
        let mut watch = Watch {
            child,
            lines,
            stderr,
            seen: Vec::new(),
        };
        if started.recv_timeout(PATIENCE).is_err() {
            panic!(
                "khao watch never said it watches requests/: {}",
                watch.describe()
            );
        }
        watch
    }

    /// Every verdict line so far.
    fn seen(&mut self) -> &[String] {
        while let Ok(l) = self.lines.try_recv() {
            self.seen.push(l);
        }
        &self.seen
    }

    /// The verdicts (`ok`) watch gave the request `name`, in order.
    fn verdicts(&mut self, name: &str) -> Vec<bool> {
        let mut out = Vec::new();
        for line in self.seen() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            for r in v["requests"].as_array().into_iter().flatten() {
                let path = r["path"].as_str().unwrap_or_default();
                if Path::new(path).file_name().is_some_and(|n| n == name) {
                    out.push(r["ok"].as_bool().unwrap_or(false));
                }
            }
        }
        out
    }

    fn describe(&mut self) -> String {
        let status = self.child.try_wait();
        format!(
            "khao watch ({status:?}) stdout: {:?}\nstderr: {:?}",
            self.seen().to_vec(),
            self.stderr.lock().unwrap()
        )
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Text a staff PC reads: UTF-8 with a byte-order mark (so Notepad shows
/// the Thai); the text after the mark.
fn notepad_text(bytes: &[u8], what: &str) -> String {
    let rest = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or_else(|| panic!("{what} has no UTF-8 byte-order mark: {bytes:?}"));
    String::from_utf8(rest.to_vec()).unwrap_or_else(|e| panic!("{what} is not UTF-8: {e}"))
}

/// Reads the request's report through the share until it says the request
/// passes; its text. Panics, with everything known, after [`PATIENCE`].
fn wait_for_passing_report(smbd: &Smbd, watch: &mut Watch) -> String {
    let remote = format!("{REQUEST}/khao-report.txt");
    let deadline = Instant::now() + PATIENCE;
    loop {
        let last = match smbd.get(&remote) {
            Ok(bytes) => {
                let text = notepad_text(&bytes, "khao-report.txt");
                if text.contains("ผลการตรวจ: ผ่าน") {
                    return text;
                }
                text
            }
            Err(why) => why,
        };
        if Instant::now() > deadline {
            panic!(
                "no passing report through the share within {PATIENCE:?}; last: {last}\n{}\nsmbd log:\n{}",
                watch.describe(),
                smbd.log_text()
            );
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// `khao publish --format json` on `site`: its exit status and its object.
fn publish(site: &Path) -> (i32, serde_json::Value, String) {
    parse_publish(khao(site, &["publish", "--format", "json"]))
}

fn parse_publish((code, out, err): (i32, String, String)) -> (i32, serde_json::Value, String) {
    let v = serde_json::from_str(out.trim()).unwrap_or_else(|e| {
        panic!("publish --format json did not print one JSON object ({e}): {out}\nstderr: {err}")
    });
    (code, v, err)
}

/// Whether publish's intake list `key` names the request.
fn intake_names(v: &serde_json::Value, key: &str) -> bool {
    v["intake"][key]
        .as_array()
        .into_iter()
        .flatten()
        .any(|e| e["request"].as_str().is_some_and(|p| p.contains(REQUEST)))
}

/// What a publish run could change: the staff's folder, the content, the
/// records, the live `current` release and the list of releases.
fn site_state(site: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for top in ["requests", "content", "records"] {
        for e in walkdir::WalkDir::new(site.join(top)).sort_by_file_name() {
            let Ok(e) = e else { continue };
            let rel = e.path().strip_prefix(site).unwrap().display().to_string();
            let bytes = if e.file_type().is_file() {
                std::fs::read(e.path()).unwrap_or_default()
            } else {
                Vec::new()
            };
            out.push((rel, bytes));
        }
    }
    let live = site.join(".khao/live");
    let current = std::fs::read_link(live.join("current")).unwrap_or_default();
    out.push((
        "current ->".into(),
        current.display().to_string().into_bytes(),
    ));
    let mut releases: Vec<String> = std::fs::read_dir(live.join("releases"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    releases.sort();
    out.push(("releases".into(), releases.join("\n").into_bytes()));
    out
}

/// Step 2 through the share: a request copied in slowly gets, once its
/// files are still, a report that passes — never a verdict on the
/// half-copied photo — and the staff member reads it through the share.
#[test]
fn a_request_copied_in_slowly_gets_a_passing_report_on_the_share() {
    let site = shared_site();
    let state = tempfile::tempdir().unwrap();
    let smbd = Smbd::start(&state.path().join("smbd"), &site.path().join("requests"));
    let mut watch = Watch::start(site.path());

    let photo = photo();
    let copy = copy_in_slowly(&smbd, &request_text(), &photo, || {});
    let report = wait_for_passing_report(&smbd, &mut watch);

    // The Windows side reads it as Notepad would: CRLF line ends.
    assert!(
        !report.replace("\r\n", "").contains('\n'),
        "khao-report.txt has bare LF line ends: {report:?}"
    );
    assert!(!report.contains("ไม่ผ่าน"), "{report}");
    // The share holds the whole photo, as it was sent.
    let back = smbd.get(&format!("{REQUEST}/photo1.jpg")).unwrap();
    assert!(
        back == photo,
        "the photo read back differs from the one sent"
    );

    // Watch's last word on the request is a pass; and when the copy never
    // stood still for the settle time, watch never checked it before.
    let verdicts = watch.verdicts(REQUEST);
    assert_eq!(verdicts.last(), Some(&true), "{}", watch.describe());
    if copy.never_still(SETTLE) {
        assert!(
            verdicts.iter().all(|ok| *ok),
            "watch checked the half-copied photo: {}",
            watch.describe()
        );
    } else {
        eprintln!(
            "samba: the machine was too slow to keep the copy moving (a pause of {:?}); \
             interim verdicts not asserted",
            copy.longest_gap()
        );
    }
    // Watch only wrote its report beside the staff's files.
    let names = names_in(&site.path().join("requests").join(REQUEST));
    assert_eq!(names, ["khao-report.txt", "photo1.jpg", "ข่าว.md"]);
}

/// Steps 1–7 and the receipt through the share: the hourly publish that
/// fires in the middle of the copy leaves the request alone; once the
/// report passes, publish takes it in, puts it live and leaves the receipt
/// on the share; a publish with nothing to do changes nothing.
#[test]
fn publish_leaves_a_receipt_on_the_share_and_a_second_run_changes_nothing() {
    let site = shared_site();
    let state = tempfile::tempdir().unwrap();
    let smbd = Smbd::start(&state.path().join("smbd"), &site.path().join("requests"));
    let mut watch = Watch::start(site.path());

    // --- The timer fires while the photo is still arriving.
    let (tx, mid) = mpsc::channel();
    let site_dir = site.path().to_path_buf();
    let copy = copy_in_slowly(&smbd, &request_text(), &photo(), || {
        std::thread::spawn(move || {
            let from = Instant::now();
            let run = khao(&site_dir, &["publish", "--format", "json"]);
            let _ = tx.send((from, Instant::now(), run));
        });
    });
    let (from, to, run) = mid
        .recv_timeout(PATIENCE)
        .expect("the publish run during the copy did not finish");
    let (code, v, err) = parse_publish(run);
    if copy.changing_throughout(from, to, SETTLE) {
        assert_eq!(code, 0, "publish during the copy: {v}\n{err}");
        assert!(
            !intake_names(&v, "accepted") && !intake_names(&v, "rejected"),
            "publish took in or judged a request still being copied: {v}"
        );
    } else {
        eprintln!(
            "samba: the publish run ({:?}) outlasted the copy or the copy paused \
             ({:?}); its intake not asserted",
            to.duration_since(from),
            copy.longest_gap()
        );
    }
    wait_for_passing_report(&smbd, &mut watch);

    // --- The next run takes it in, puts it live and writes the receipt.
    let (code, v, err) = publish(site.path());
    assert_eq!(code, 0, "publish: {v}\n{err}");
    assert!(intake_names(&v, "accepted"), "not taken in: {v}");
    let page = site
        .path()
        .join(".khao/live/current/news/2026/sports-day/index.html");
    let html = std::fs::read_to_string(&page)
        .unwrap_or_else(|e| panic!("{} is not live ({e}): {v}", page.display()));
    assert!(html.contains(TITLE));
    assert!(
        !site.path().join("requests").join(REQUEST).exists(),
        "the request is still in requests/ after intake"
    );

    let receipt_name = format!("{REQUEST}.receipt.txt");
    let receipt = smbd
        .get(&receipt_name)
        .unwrap_or_else(|e| panic!("no {receipt_name} on the share: {e}\npublish: {v}\n{err}"));
    let receipt = notepad_text(&receipt, &receipt_name);
    assert!(receipt.contains("เผยแพร่แล้ว"), "{receipt}");
    assert!(receipt.contains(TITLE), "{receipt}");
    assert!(receipt.contains(NEWS_URL), "{receipt}");

    // --- The next hour: nothing to do, nothing changed, nothing uploaded.
    let before = site_state(site.path());
    let (code, v, err) = publish(site.path());
    assert_eq!(code, 0, "publish with nothing to do: {v}\n{err}");
    assert_eq!(v["uploaded"], 0, "{v}");
    assert_eq!(v["deleted"], 0, "{v}");
    assert!(!intake_names(&v, "accepted") && !intake_names(&v, "rejected"));
    let after = site_state(site.path());
    let changed: Vec<&String> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(b, _)| &b.0)
        .collect();
    assert!(
        before.len() == after.len() && changed.is_empty(),
        "a publish with nothing to do changed {changed:?} ({} → {} entries)",
        before.len(),
        after.len()
    );
    assert_eq!(
        smbd.get(&receipt_name)
            .map(|b| notepad_text(&b, &receipt_name)),
        Ok(receipt)
    );
    drop(watch);
}
