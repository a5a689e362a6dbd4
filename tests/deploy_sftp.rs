//! `khao deploy` over SFTP against a real sshd and a real nginx, each
//! started by the test on a free 127.0.0.1 port (see support/servers.rs).
//! The deploy core is driven on hand-made `public/` folders; the live check
//! and rollback through `deploy::command::run_prebuilt`, which is `khao
//! deploy` less its build step.

use crate::servers;

use std::path::{Path, PathBuf};

use crate::util::names_in;
use khao::commands::Context;
use khao::commands::cli::{DeployArgs, Format};
use khao::deploy::sftp::{ConnectError, SftpTarget};
use khao::deploy::{DeployError, DeployOptions, DeployTarget, connect, deploy_dir};
use khao::diagnostic::Failure;
use khao::i18n::Lang;
use servers::{CutProxy, Nginx, Sshd, keygen};

/// A site's built pages, version `v` (v1, v2: v2 edits one news page).
fn make_public(dir: &Path, v: u32) {
    let w = |rel: &str, data: &[u8]| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    };
    let exam_title = if v == 1 {
        "ประกาศผลสอบ"
    } else {
        "ประกาศผลสอบ (แก้ไข)"
    };
    w(
        "index.html",
        format!(
            "<!doctype html><html lang=\"th\"><head><link rel=\"stylesheet\" href=\"/style.css\">\
             <script src=\"/app.js\"></script></head><body><h1>สพม.</h1>\
             <img src=\"/img/logo.png\" alt=\"ตรา\"><a href=\"news/2569/exam/\">{exam_title}</a>\
             <a href=\"news/2569/sports-day/\">กีฬาสี</a></body></html>"
        )
        .as_bytes(),
    );
    w("style.css", b"body { font-family: Sarabun, sans-serif; }\n");
    w("app.js", b"console.log('khao');\n");
    w("img/logo.png", &fake_bytes(3000, 1));
    w(
        "news/2569/sports-day/index.html",
        "<!doctype html><html><body><h1>กีฬาสี</h1><img src=\"photo-640.jpg\" \
         srcset=\"photo-320.jpg 320w, photo-640.jpg 640w\" alt=\"ขบวนพาเหรด\"></body></html>"
            .as_bytes(),
    );
    w(
        "news/2569/sports-day/photo-640.jpg",
        &fake_bytes(900_000, 2),
    );
    w(
        "news/2569/sports-day/photo-320.jpg",
        &fake_bytes(200_000, 3),
    );
    w(
        "news/2569/exam/index.html",
        format!("<!doctype html><html><body><h1>{exam_title}</h1></body></html>").as_bytes(),
    );
    w(
        "feed.xml",
        format!("<?xml version=\"1.0\"?><rss><channel><item>{exam_title}</item></channel></rss>")
            .as_bytes(),
    );
    w("sitemap.xml", b"<?xml version=\"1.0\"?><urlset></urlset>");
    w("404.html", "<html><body>ไม่พบหน้า</body></html>".as_bytes());
}

/// Deterministic filler, different per seed (a stand-in for photos).
fn fake_bytes(n: usize, seed: u8) -> Vec<u8> {
    let mut x: u32 = 2_463_534_242 ^ u32::from(seed);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x & 0xff) as u8
        })
        .collect()
}

fn files_of(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    out.sort();
    out
}

/// A server (sshd + nginx serving `<srv>/current`) and a client setup.
struct Env {
    tmp: tempfile::TempDir,
    sshd: Sshd,
    nginx: Nginx,
    /// The deploy path on the server.
    srv: PathBuf,
    known_hosts: PathBuf,
}

impl Env {
    fn start(sshd_extra: &str, nginx_extra: &str) -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let sshd = Sshd::start(&tmp.path().join("sshd"), sshd_extra);
        let srv = tmp.path().join("srv");
        std::fs::create_dir_all(&srv).unwrap();
        let nginx = Nginx::start(&tmp.path().join("nginx"), &srv.join("current"), nginx_extra);
        let known_hosts = tmp.path().join("known_hosts");
        std::fs::write(&known_hosts, sshd.known_hosts_line(sshd.port)).unwrap();
        Env {
            tmp,
            sshd,
            nginx,
            srv,
            known_hosts,
        }
    }

    fn target_on(&self, port: u16) -> DeployTarget {
        DeployTarget::Sftp(SftpTarget {
            user: "root".into(),
            host: "127.0.0.1".into(),
            port,
            path: self.srv.display().to_string(),
        })
    }

    fn target(&self) -> DeployTarget {
        self.target_on(self.sshd.port)
    }

    fn opts(&self) -> DeployOptions {
        DeployOptions {
            identity: Some(self.sshd.client_key.clone()),
            known_hosts: self.known_hosts.clone(),
            keep_releases: 3,
            ..DeployOptions::default()
        }
    }

    fn public(&self, v: u32) -> PathBuf {
        let p = self.tmp.path().join(format!("public-v{v}"));
        if !p.exists() {
            make_public(&p, v);
        }
        p
    }

    /// A site folder whose site.yaml deploys to this server.
    fn site(&self, known_hosts: &Path, identity: &Path) -> PathBuf {
        let site = self.tmp.path().join("site");
        std::fs::create_dir_all(&site).unwrap();
        let yaml = format!(
            "title: สพม. ทดสอบ\nbase_url: https://www.example.go.th/\nlanguage: en\n\
             deploy:\n  target: sftp://root@127.0.0.1:{port}{srv}\n  identity: {id}\n\
             known_hosts: {kh}\n  keep_releases: 3\n  verify_url: {url}\n",
            port = self.sshd.port,
            srv = self.srv.display(),
            id = identity.display(),
            kh = known_hosts.display(),
            url = self.nginx.url(),
        )
        .replace("known_hosts:", "  known_hosts:");
        std::fs::write(site.join("site.yaml"), yaml).unwrap();
        site
    }

    /// `khao deploy` (less the build) on `public`: the exit status.
    fn khao_deploy(&self, site: &Path, public: &Path, rollback: bool) -> u8 {
        let ctx = Context {
            site_dir: site.to_path_buf(),
            format: Format::Json,
            lang_override: Some(Lang::En),
        };
        let args = DeployArgs {
            dry_run: false,
            rollback,
            target: None,
            browser: false,
        };
        khao::commands::run_prebuilt(&ctx, &args, public)
    }

    fn current(&self) -> String {
        std::fs::read_link(self.srv.join("current"))
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Every file of `public` is what nginx serves.
    fn assert_serves(&self, public: &Path) {
        for rel in files_of(public) {
            let (status, body) = self.nginx.get(&rel);
            assert_eq!(status, 200, "{rel}");
            assert!(
                body == std::fs::read(public.join(&rel)).unwrap(),
                "{rel} differs"
            );
        }
    }
}

#[test]
fn first_deploy_serves_every_page_then_only_changes_cross() {
    let env = Env::start("", "");
    let v1 = env.public(1);
    let r1 = deploy_dir(&v1, &env.target(), &env.opts()).unwrap();
    assert_eq!(r1.uploaded.len(), 11);
    assert_eq!(r1.deleted.len(), 0);
    assert!(!r1.in_place);
    env.assert_serves(&v1);
    assert_eq!(env.nginx.get("news/2569/exam/").0, 200);

    // Nothing changed: nothing crosses, no new release.
    let again = deploy_dir(&v1, &env.target(), &env.opts()).unwrap();
    assert_eq!((again.uploaded.len(), again.unchanged), (0, 11));
    assert_eq!(again.release, r1.release);

    // One news edited: its page, the home page and the feed, nothing else.
    let v2 = env.public(2);
    let r2 = deploy_dir(&v2, &env.target(), &env.opts()).unwrap();
    assert_eq!(
        r2.uploaded,
        vec!["feed.xml", "index.html", "news/2569/exam/index.html"]
    );
    let bytes: u64 = r2
        .uploaded
        .iter()
        .map(|f| std::fs::metadata(v2.join(f)).unwrap().len())
        .sum();
    assert_eq!(r2.uploaded_bytes, bytes);
    assert_eq!(r2.unchanged, 8);
    assert_eq!(r2.previous, r1.release);
    env.assert_serves(&v2);

    // Unchanged files are hard links shared by both releases.
    use std::os::unix::fs::MetadataExt;
    let rel = |id: &Option<String>| env.srv.join("releases").join(id.as_ref().unwrap());
    let photo = "news/2569/sports-day/photo-640.jpg";
    let ino1 = std::fs::metadata(rel(&r1.release).join(photo))
        .unwrap()
        .ino();
    let ino2 = std::fs::metadata(rel(&r2.release).join(photo))
        .unwrap()
        .ino();
    assert_eq!(ino1, ino2);
    // ...and the old release kept its own home page.
    assert_eq!(
        std::fs::read(rel(&r1.release).join("index.html")).unwrap(),
        std::fs::read(v1.join("index.html")).unwrap()
    );

    // A file removed on the server by hand is put back by the next deploy.
    std::fs::remove_file(rel(&r2.release).join(photo)).unwrap();
    let mended = deploy_dir(&v2, &env.target(), &env.opts()).unwrap();
    assert_eq!(mended.uploaded, vec![photo]);
    env.assert_serves(&v2);
}

#[test]
fn rollback_swaps_back_to_the_previous_release() {
    let env = Env::start("", "");
    let site = env.site(&env.known_hosts, &env.sshd.client_key);
    let r1 = deploy_dir(&env.public(1), &env.target(), &env.opts()).unwrap();
    let v2 = env.public(2);
    assert_eq!(env.khao_deploy(&site, &v2, false), 0);
    env.assert_serves(&v2);
    assert_eq!(env.khao_deploy(&site, &v2, true), 0);
    assert_eq!(env.current(), format!("releases/{}", r1.release.unwrap()));
    env.assert_serves(&env.public(1));
}

#[test]
fn unknown_host_key_is_refused_with_its_fingerprint() {
    let env = Env::start("", "");
    let empty = env.tmp.path().join("empty_known_hosts");
    std::fs::write(&empty, "").unwrap();
    let opts = DeployOptions {
        known_hosts: empty.clone(),
        ..env.opts()
    };
    let err = connect(&env.target(), &opts).err().expect("refused");
    assert!(
        matches!(&err, DeployError::Connect(f) if matches!(f.error, ConnectError::UnknownHost { .. }))
    );
    assert!(!err.is_config());
    let fp = std::process::Command::new("ssh-keygen")
        .arg("-lf")
        .arg(env.sshd.dir.join("host_key.pub"))
        .output()
        .unwrap();
    let fp = String::from_utf8_lossy(&fp.stdout);
    let fp = fp.split_whitespace().nth(1).unwrap();
    assert!(fp.starts_with("SHA256:"));
    let msg = err.message().render(Lang::Th);
    assert!(msg.contains(fp), "{msg}");
    assert!(
        msg.contains(&format!("ssh-keyscan -p {} 127.0.0.1 >> ", env.sshd.port)),
        "{msg}"
    );
    // Through the command: exit 3, nothing on the server.
    let site = env.site(&empty, &env.sshd.client_key);
    assert_eq!(env.khao_deploy(&site, &env.public(1), false), 3);
    assert!(!env.srv.join("releases").exists());
}

#[test]
fn changed_host_key_is_refused() {
    let env = Env::start("", "");
    let other = env.tmp.path().join("other_host_key");
    keygen(&other);
    let other_pub = std::fs::read_to_string(other.with_extension("pub")).unwrap();
    let line: Vec<&str> = other_pub.split_whitespace().take(2).collect();
    let kh = env.tmp.path().join("changed_known_hosts");
    std::fs::write(
        &kh,
        format!("[127.0.0.1]:{} {}\n", env.sshd.port, line.join(" ")),
    )
    .unwrap();
    let opts = DeployOptions {
        known_hosts: kh.clone(),
        ..env.opts()
    };
    let err = connect(&env.target(), &opts).err().expect("refused");
    assert!(
        matches!(&err, DeployError::Connect(f) if matches!(f.error, ConnectError::ChangedHost { .. }))
    );
    // The message's command removes the old key of this host and port.
    let message = Failure::message(&err).render(Lang::En);
    let command = message
        .split("remove the old line with: ")
        .nth(1)
        .and_then(|rest| rest.split(" and add").next())
        .unwrap_or_else(|| panic!("{message}"));
    assert!(
        command.contains(&format!("'[127.0.0.1]:{}'", env.sshd.port)),
        "{command}"
    );
    let site = env.site(&kh, &env.sshd.client_key);
    assert_eq!(env.khao_deploy(&site, &env.public(1), false), 3);
    assert!(!env.srv.join("releases").exists());
    let removed = std::process::Command::new("sh")
        .args(["-c", command])
        .output()
        .unwrap();
    assert!(removed.status.success(), "{removed:?}");
    let left = std::fs::read_to_string(&kh).unwrap();
    assert!(!left.contains(line[1]), "{left}");
}

#[test]
fn wrong_key_exits_3_and_leaves_the_server_untouched() {
    let env = Env::start("", "");
    let v1 = env.public(1);
    let r1 = deploy_dir(&v1, &env.target(), &env.opts()).unwrap();
    let wrong = env.tmp.path().join("wrong_key");
    keygen(&wrong);
    let site = env.site(&env.known_hosts, &wrong);
    assert_eq!(env.khao_deploy(&site, &env.public(2), false), 3);
    assert_eq!(env.current(), format!("releases/{}", r1.release.unwrap()));
    assert_eq!(
        std::fs::read_dir(env.srv.join("releases")).unwrap().count(),
        2
    );
    env.assert_serves(&v1);
}

#[test]
fn a_connection_cut_mid_upload_leaves_the_old_release_and_a_rerun_completes() {
    let env = Env::start("", "");
    let v1 = env.public(1);
    let r1 = deploy_dir(&v1, &env.target(), &env.opts()).unwrap();

    // v3: every photo changes, so the upload is big enough to be cut.
    let v3 = env.tmp.path().join("public-v3");
    make_public(&v3, 2);
    std::fs::write(
        v3.join("news/2569/sports-day/photo-640.jpg"),
        fake_bytes(900_000, 9),
    )
    .unwrap();
    std::fs::write(v3.join("img/logo.png"), fake_bytes(3000, 8)).unwrap();

    let proxy = CutProxy::start(env.sshd.port, 300_000);
    let kh = env.tmp.path().join("proxy_known_hosts");
    std::fs::write(&kh, env.sshd.known_hosts_line(proxy.port)).unwrap();
    let opts = DeployOptions {
        known_hosts: kh,
        ..env.opts()
    };
    let err = deploy_dir(&v3, &env.target_on(proxy.port), &opts).unwrap_err();
    assert!(!err.is_config(), "{}", err.message().render(Lang::En));
    // The visitor still gets the whole old release.
    assert_eq!(
        env.current(),
        format!("releases/{}", r1.release.clone().unwrap())
    );
    env.assert_serves(&v1);

    proxy.heal();
    let r3 = deploy_dir(&v3, &env.target_on(proxy.port), &opts).unwrap();
    assert_ne!(r3.release, r1.release);
    env.assert_serves(&v3);
    // The half-built release is gone.
    let names = names_in(&env.srv.join("releases"));
    assert!(names.iter().all(|n| !n.starts_with(".tmp-")), "{names:?}");
}

#[test]
fn a_page_served_wrong_fails_the_live_check_and_rolls_back() {
    let env = Env::start(
        "",
        "location = /news/2569/exam/ { default_type text/html; return 200 \"tampered\"; }",
    );
    let v1 = env.public(1);
    let r1 = deploy_dir(&v1, &env.target(), &env.opts()).unwrap();
    let site = env.site(&env.known_hosts, &env.sshd.client_key);
    assert_eq!(env.khao_deploy(&site, &env.public(2), false), 1);
    assert_eq!(env.current(), format!("releases/{}", r1.release.unwrap()));
    assert_eq!(
        env.nginx.get("").1,
        std::fs::read(v1.join("index.html")).unwrap()
    );
    // The failed release was removed.
    assert_eq!(
        std::fs::read_dir(env.srv.join("releases")).unwrap().count(),
        2
    );
}

#[test]
fn an_sftp_only_account_is_deployed_in_place() {
    let env = Env::start("ForceCommand internal-sftp", "");
    let v1 = env.public(1);
    let r1 = deploy_dir(&v1, &env.target(), &env.opts()).unwrap();
    assert!(r1.in_place);
    assert_eq!(r1.uploaded.len(), 11);
    assert!(env.srv.join("current").symlink_metadata().unwrap().is_dir());
    env.assert_serves(&v1);

    let v2 = env.public(2);
    let r2 = deploy_dir(&v2, &env.target(), &env.opts()).unwrap();
    assert_eq!(r2.uploaded.len(), 3);
    env.assert_serves(&v2);
    // No temporary files left among the served ones.
    let served = files_of(&env.srv.join("current"));
    assert_eq!(served, files_of(&v2));

    // A failed live check puts the old files back.
    let site = env.site(&env.known_hosts, &env.sshd.client_key);
    let v4 = env.tmp.path().join("public-v4");
    make_public(&v4, 1);
    std::fs::write(
        v4.join("news/2569/exam/index.html"),
        "<html><body><img src=\"missing.png\" alt=\"x\"></body></html>",
    )
    .unwrap();
    std::fs::write(v4.join("new.html"), "<html></html>").unwrap();
    assert_eq!(env.khao_deploy(&site, &v4, false), 1);
    env.assert_serves(&v2);
    assert_eq!(files_of(&env.srv.join("current")), files_of(&v2));
}
