//! Every page of the bundled example site is valid HTML: zero errors in
//! the Nu HTML Checker (npm `vnu-jar`, installed by scripts/test into
//! tests/vendor/node/), all files in one JVM run.

use crate::util::{REPO, copy_dir};
use std::path::{Path, PathBuf};
use std::process::Command;

fn vnu_jar() -> PathBuf {
    let jar = Path::new(REPO).join("tests/vendor/node/node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(
        jar.is_file(),
        "{} is missing: run scripts/test (npm install --prefix tests/vendor/node vnu-jar)",
        jar.display()
    );
    jar
}

#[test]
fn every_page_of_the_example_site_is_valid_html() {
    let jar = vnu_jar();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    for file in ["site.yaml", "ita.yaml"] {
        std::fs::copy(Path::new(REPO).join(file), site.join(file)).unwrap();
    }
    copy_dir(&Path::new(REPO).join("content"), &site.join("content"));
    let out_dir = dir.path().join("out");
    let out = Command::new(env!("CARGO_BIN_EXE_khao"))
        .args(["--lang", "en", "build", "--out"])
        .arg(&out_dir)
        .current_dir(&site)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&out_dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    assert!(files.len() > 20, "only {} pages", files.len());

    let vnu = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "json"])
        .args(&files)
        .output()
        .unwrap();
    // vnu writes its JSON report to stderr.
    let text = String::from_utf8_lossy(&vnu.stderr);
    let report: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("vnu output is not JSON ({e}): {text}"));
    let errors: Vec<String> = report["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let url = m["url"].as_str().unwrap_or("");
            let page = url
                .rsplit_once(out_dir.to_str().unwrap())
                .map_or(url, |x| x.1);
            format!(
                "{page}:{}: {} [{}]",
                m["lastLine"],
                m["message"].as_str().unwrap_or(""),
                m["extract"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert!(
        errors.is_empty(),
        "{} errors:\n{}",
        errors.len(),
        errors.join("\n")
    );
    assert_eq!(vnu.status.code(), Some(0));
}
