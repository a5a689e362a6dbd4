//! What many test modules need: the repository's path, the real `khao`
//! binary, copies of folders and of the bundled example site.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// The repository (the bundled example site is its top folder).
pub const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// Runs the real `khao` binary on `site` with `args`.
pub fn run(site: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_khao"))
        .arg("--site")
        .arg(site)
        .args(args)
        .output()
        .expect("run khao")
}

/// `khao build --format json`: its exit status and its one JSON object.
pub fn build_json(site: &Path) -> (i32, Value) {
    let out = run(site, &["build", "--format", "json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "build --format json did not print one JSON object ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// The names in folder `dir`, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A copy of the bundled example site (site.yaml, ita.yaml and content/) in a
/// temporary folder.
pub fn example_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["site.yaml", "ita.yaml"] {
        std::fs::copy(Path::new(REPO).join(file), dir.path().join(file)).unwrap();
    }
    copy_dir(
        &Path::new(REPO).join("content"),
        &dir.path().join("content"),
    );
    dir
}

/// Sets every file below `dir` back by `days`, as if written then: what a
/// cache kept for so long looks like.
pub fn age_all(dir: &Path, days: u64) {
    let then = std::time::SystemTime::now() - std::time::Duration::from_secs(days * 86_400);
    for e in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if e.file_type().is_file() {
            let f = std::fs::File::options().write(true).open(e.path()).unwrap();
            f.set_modified(then).unwrap();
        }
    }
}
