//! Incremental builds equal clean builds: random edits, additions,
//! removals and date changes applied one at a time, each update made from
//! the previous state and the files it left (kept in memory), compared
//! file for file with a clean build of the same documents. Both ways in
//! ([`update`] with documents, [`update_pages`] with stamps), and with
//! damaged files (which must be noticed and rebuilt, not trusted).

use std::collections::BTreeMap;
use std::sync::Mutex;

use khao::search::{Doc, Page, State, Update, clean, update, update_pages};

/// A small deterministic generator (no dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "ประชุม",
    "คณะกรรมการ",
    "โรงเรียน",
    "นักเรียน",
    "สิ่งแวดล้อม",
    "อำเภอ",
    "ตำบล",
    "ประชาสัมพันธ์",
    "จัดซื้อจัดจ้าง",
    "ICT",
    "e-bidding",
    "๒๕๖๙",
    "ภูเขา",
    "น้ำท่วม",
    "วันเด็ก",
    "กีฬาสี",
    "ฝึกอบรม",
    "โครงการ",
    "ผู้สูงอายุ",
    "สาธารณสุข",
];

fn text(rng: &mut Rng, words: usize) -> String {
    (0..words)
        .map(|_| WORDS[rng.below(WORDS.len())])
        .collect::<Vec<_>>()
        .join(if rng.below(2) == 0 { " " } else { "" })
}

fn date(rng: &mut Rng) -> Option<String> {
    (rng.below(20) != 0).then(|| format!("2025-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)))
}

fn new_doc(rng: &mut Rng, id: usize) -> Doc {
    let words = 20 + rng.below(60);
    Doc {
        url: format!("/news/{id}/"),
        title: text(rng, 3),
        text: text(rng, words),
        date: date(rng),
    }
}

/// The output folder, in memory.
#[derive(Default)]
struct Store(BTreeMap<String, Vec<u8>>);

impl Store {
    fn apply(&mut self, up: &Update) {
        for (path, bytes) in &up.files {
            self.0.insert(path.clone(), bytes.clone());
        }
        for path in &up.removed {
            assert!(
                self.0.remove(path).is_some(),
                "removed {path} was not there"
            );
        }
    }
}

/// One random change to `docs` (and its stamps).
fn change(rng: &mut Rng, docs: &mut Vec<Doc>, stamps: &mut Vec<u64>, next_id: &mut usize) {
    *next_id += 1;
    let stamp = *next_id as u64;
    let i = rng.below(docs.len().max(1));
    match rng.below(10) {
        0..=2 if !docs.is_empty() => {
            let extra = text(rng, 3);
            docs[i].text.push_str(&extra);
            stamps[i] = stamp;
        }
        3 if !docs.is_empty() => {
            let at = docs[i].text.char_indices().nth(5).map_or(0, |(b, _)| b);
            let extra = text(rng, 2);
            docs[i].text.insert_str(at, &extra);
            stamps[i] = stamp;
        }
        4 if !docs.is_empty() => {
            docs[i].title = text(rng, 2);
            stamps[i] = stamp;
        }
        5 if !docs.is_empty() => {
            docs.remove(i);
            stamps.remove(i);
        }
        6 if !docs.is_empty() => {
            docs[i].date = date(rng);
            stamps[i] = stamp;
        }
        _ => {
            let mut d = new_doc(rng, *next_id);
            if rng.below(3) > 0 {
                d.date = Some("2026-12-31".into());
            }
            docs.push(d);
            stamps.push(stamp);
        }
    }
}

/// The documents as the pages the site's indexer is given.
fn page_list<'d>(docs: &'d [Doc], stamps: &[u64]) -> Vec<Page<'d>> {
    docs.iter()
        .zip(stamps)
        .map(|(d, &stamp)| Page {
            url: &d.url,
            date: d.date.as_deref(),
            stamp,
        })
        .collect()
}

fn run(seed: u64, start: usize, steps: usize, pages: bool) {
    let mut rng = Rng(seed);
    let mut docs: Vec<Doc> = (0..start).map(|i| new_doc(&mut rng, i)).collect();
    let mut stamps: Vec<u64> = (0..start as u64).collect();
    let mut next_id = start;
    let mut store = Store::default();
    let mut state: Option<State> = None;
    let mut seen = std::collections::BTreeSet::new();
    for step in 0..steps {
        let up = {
            let read = |p: &str| store.0.get(p).cloned();
            if pages {
                let list = page_list(&docs, &stamps);
                update_pages(&list, |i| docs[i].clone(), state.as_ref(), &read)
            } else {
                update(&docs, state.as_ref(), &read)
            }
        };
        store.apply(&up);
        let fresh: BTreeMap<String, Vec<u8>> = if pages {
            let list = page_list(&docs, &stamps);
            update_pages(&list, |i| docs[i].clone(), None, &|_| None)
                .files
                .into_iter()
                .collect()
        } else {
            clean(&docs).into_iter().collect()
        };
        assert_eq!(
            store.0.keys().collect::<Vec<_>>(),
            fresh.keys().collect::<Vec<_>>(),
            "seed {seed} step {step}: files differ ({:?})",
            up.how
        );
        for (path, bytes) in &fresh {
            assert!(
                store.0[path] == *bytes,
                "seed {seed} step {step}: {path} differs ({:?})",
                up.how
            );
        }
        assert_eq!(up.all_files(), fresh.keys().cloned().collect::<Vec<_>>());
        seen.extend(up.how.iter().map(|h| format!("{:?}", h.1)));
        state = Some(up.state);
        change(&mut rng, &mut docs, &mut stamps, &mut next_id);
    }
    for how in ["Patched", "Remapped", "Unchanged"] {
        assert!(seen.contains(how), "seed {seed}: never {how}: {seen:?}");
    }
}

#[test]
fn random_changes_equal_clean_builds() {
    for seed in 1..=3 {
        run(seed, 90, 120, false);
    }
}

#[test]
fn random_changes_equal_clean_builds_with_pages() {
    run(7, 100, 100, true);
}

#[test]
fn damaged_files_are_rebuilt_not_trusted() {
    let mut rng = Rng(11);
    let mut docs: Vec<Doc> = (0..150).map(|i| new_doc(&mut rng, i)).collect();
    let mut store = Store::default();
    let first = update(&docs, None, &|_| None);
    store.apply(&first);
    let mut state = first.state;
    for damage in 0..4 {
        let mut damaged = Vec::new();
        for (p, bytes) in store.0.iter_mut() {
            let hit = match damage {
                0 => p.contains("/s/") && !p.contains("/s/d"),
                1 => p.contains("/f/"),
                2 => p.contains("/r/"),
                _ => p.contains("/n/"),
            };
            if hit {
                if damage == 1 {
                    bytes.truncate(bytes.len() / 2);
                } else if let Some(b) = bytes.first_mut() {
                    *b ^= 0x55;
                }
                damaged.push(p.clone());
            }
        }
        // An edit in every segment, so that damaged files are needed.
        for i in [3, 100, 140, 149] {
            docs[i].text.push_str(" แก้ไข");
        }
        let seen = Mutex::new(Vec::new());
        let read = |p: &str| {
            seen.lock().unwrap().push(p.to_string());
            store.0.get(p).cloned()
        };
        let up = update(&docs, Some(&state), &read);
        let seen = seen.into_inner().unwrap();
        let fresh: BTreeMap<String, Vec<u8>> = clean(&docs).into_iter().collect();
        for (path, bytes) in &up.files {
            assert!(
                fresh[path] == *bytes,
                "damage {damage}: {path} written wrong ({:?})",
                up.how
            );
        }
        for p in damaged.iter().filter(|p| seen.contains(p)) {
            let fixed = up.files.iter().any(|f| &f.0 == p) || up.removed.contains(p);
            assert!(
                fixed,
                "damage {damage}: {p} was read, found damaged, and left ({:?})",
                up.how
            );
        }
        store.apply(&up);
        // What the update did not read is still damaged: repair it as a
        // caller would after a clean build, for the next round.
        for (path, bytes) in fresh {
            store.0.insert(path, bytes);
        }
        state = up.state;
    }
}

#[test]
fn down_to_nothing_and_back() {
    let mut rng = Rng(5);
    let docs: Vec<Doc> = (0..120).map(|i| new_doc(&mut rng, i)).collect();
    let mut store = Store::default();
    let mut state: Option<State> = None;
    for set in [&docs[..], &[], &docs[..3], &[], &docs[..]] {
        let up = update(set, state.as_ref(), &|p: &str| store.0.get(p).cloned());
        store.apply(&up);
        let fresh: BTreeMap<String, Vec<u8>> = clean(set).into_iter().collect();
        assert_eq!(store.0, fresh, "{} pages", set.len());
        state = Some(up.state);
    }
    let empty = Doc {
        url: "/empty/".into(),
        title: String::new(),
        text: String::new(),
        date: None,
    };
    let odd = Doc {
        url: "/odd/".into(),
        title: "😀 Ünïcode ๑๒๓".into(),
        text: "\u{200B}\u{00AD} \t\n".into(),
        date: Some("not a date".into()),
    };
    let up = update(&[empty, odd], state.as_ref(), &|p: &str| {
        store.0.get(p).cloned()
    });
    assert!(up.files.iter().any(|f| f.0.ends_with("manifest.json")));
}
