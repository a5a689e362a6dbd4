//! Writes what khao's search reads of every page of a built site (the
//! `data-search-body` article: url, title, text) as JSON, for the
//! search-quality harness `tests/search/quality.mjs` that
//! `scripts/bench-search` runs on large corpora (the tests do the same on
//! the example site and a generated corpus, in `tests/search_site.rs`).
//!
//! ```text
//! "$(scripts/bench-bin search_docs)" PUBLIC_DIR > docs.json
//! ```

use std::path::Path;

fn main() {
    let Some(public) = std::env::args().skip(1).find(|a| a != "--bench") else {
        eprintln!("usage: search_docs PUBLIC_DIR > docs.json");
        std::process::exit(2);
    };
    let public = Path::new(&public);
    let mut docs = Vec::new();
    for entry in walkdir::WalkDir::new(public).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        let Ok(rel) = entry.path().strip_prefix(public) else {
            continue;
        };
        if entry.path().extension().is_none_or(|e| e != "html")
            || rel.starts_with(khao::search::output::DIR)
        {
            continue;
        }
        let Ok(html) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        if !html.contains(khao::search::BODY_MARK) {
            continue;
        }
        let rel = rel.to_string_lossy().replace('\\', "/");
        let url = format!("/{}", rel.trim_end_matches("index.html"));
        docs.push(khao::search::document(&url, None, &html));
    }
    println!("{}", serde_json::to_string(&docs).unwrap_or_default());
}
