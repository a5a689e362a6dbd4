//! Never a panic, on any input: every reader of what staff type —
//! Markdown front matter, `request.yaml`, Thai dates and times, the body's
//! checks for national IDs and unsafe HTML — fed thousands of generated
//! cases per run (proptest, bounded). The Word reader has its own
//! (`fuzz.rs`). A case that ever fails becomes a fixture.

use std::path::Path;

use khao::config::SiteConfig;
use khao::news::yaml::{YamlLines, mapping, split, whole};
use khao::news::{Origin, Sink};
use proptest::prelude::*;

fn config() -> SiteConfig {
    SiteConfig::parse(
        "title: t\nbase_url: https://x.go.th/\ngroups: [กลุ่มอำนวยการ]\nnews:\n  categories:\n    - { slug: pr, name: ข่าวประชาสัมพันธ์ }\n",
        Path::new("site.yaml"),
    )
    .unwrap()
}

/// Pieces of what staff write: keys, values, YAML punctuation, Thai.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("title: ".to_string()),
        Just("date: ".to_string()),
        Just("category: ".to_string()),
        Just("requester: { name: ก, group: กลุ่มอำนวยการ }".to_string()),
        Just("requester:\n  group: ".to_string()),
        Just("images:\n  - ".to_string()),
        Just("- { file: ".to_string()),
        Just("publish_at: ".to_string()),
        Just("expires: ".to_string()),
        Just("pinned_until: ".to_string()),
        Just("tags: [".to_string()),
        Just("body: |\n  ".to_string()),
        Just("20/11/2569".to_string()),
        Just("1/12/2569 08:00".to_string()),
        Just("๒๐ พฤศจิกายน ๒๕๖๙".to_string()),
        Just("---".to_string()),
        Just("\n".to_string()),
        Just("  ".to_string()),
        Just("\t".to_string()),
        Just(": ".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("&a *a !!str ".to_string()),
        Just("{".to_string()),
        Just("]".to_string()),
        Just("#".to_string()),
        Just("<script>".to_string()),
        Just("1-2345-67890-12-1".to_string()),
        "\\PC{0,12}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..40).prop_map(|v| v.concat())
}

/// Reads `text` as a request's Markdown and as a `request.yaml`.
fn read_both(text: &str, config: &SiteConfig) {
    for s in [split(text).ok(), Some(whole(text))].into_iter().flatten() {
        let Ok(map) = mapping(text, s) else { continue };
        let lines = YamlLines { text, split: s };
        let mut sink = Sink {
            file: "ข่าว.md".into(),
            locate: &lines,
            diags: Vec::new(),
        };
        let body = s.body.map(|b| &text[b..]);
        for origin in [Origin::Request, Origin::Content] {
            let _ = khao::news::parse(&map, body, &mut sink, config, origin);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn front_matter_and_request_yaml_never_panic(body in text()) {
        let config = config();
        read_both(&format!("---\n{body}\n---\nเนื้อหา {body}\n"), &config);
        read_both(&body, &config);
    }

    #[test]
    fn dates_and_times_never_panic(s in "[0-9๐-๙/:. -]{0,24}|\\PC{0,24}|[0-9]{1,12}/[0-9]{1,12}/[0-9]{1,12}( [0-9]{1,6}[:.][0-9]{1,6})?") {
        let _ = khao::thaidate::parse(&s);
        let _ = khao::thaidate::parse_instant(&s, chrono_tz::Asia::Bangkok);
    }

    #[test]
    fn body_checks_never_panic(s in "\\PC{0,200}|[0-9๐-๙ -]{0,60}") {
        let _ = khao::news::personal_id::find(&s);
        let _ = khao::news::phone::find(&s);
        let _ = khao::check::html::find(&s);
    }
}
