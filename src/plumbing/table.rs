//! A table shared by a build's threads and kept between builds: read by
//! every thread at once, written rarely (only what changed). It is saved
//! in [`SHARDS`] files by a hash of the key, and only the files holding a
//! changed entry are written again: a build after one edit writes a
//! sixteenth of it. The memos of content, photos and rendering are each
//! one (see [`crate::build::Memo`]).
//!
//! Whoever reads an entry checks it still holds (the memos compare file
//! stamps), so an entry left behind in an old file is never trusted wrongly.
//!
//! Entries are MessagePack, their structs written with field names
//! ([`Named`]) or, faster to read, by position ([`Positional`]; a third of
//! what a one-edit build spent decoding a memo was matching field names).
//! Position is only for values whose every field is always written: a
//! field skipped when empty (as the news record's are, in its YAML and
//! JSON) would shift the ones after it.

use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::path::Path;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Files a table is saved in.
pub const SHARDS: usize = 16;

pub struct Table<K, V, L = Named> {
    map: RwLock<HashMap<K, V>>,
    /// Bit `i`: shard `i` holds an entry added, replaced or dropped since
    /// the table was made or read.
    dirty: AtomicU32,
    layout: PhantomData<L>,
}

/// How a table's structs are written (see the module's doc).
pub trait Layout {
    const NAMED: bool;
}

/// With field names: for values with fields skipped when empty.
pub struct Named;

/// By position: for values whose fields are always all written.
pub struct Positional;

impl Layout for Named {
    const NAMED: bool = true;
}

impl Layout for Positional {
    const NAMED: bool = false;
}

/// Writes `value` to `out` as MessagePack, its structs with their field
/// names when `named`, else by position (see the module's doc).
pub fn write_msgpack<W: std::io::Write>(
    out: &mut W,
    value: &(impl Serialize + ?Sized),
    named: bool,
) -> std::io::Result<()> {
    let written = if named {
        value.serialize(&mut rmp_serde::Serializer::new(out).with_struct_map())
    } else {
        value.serialize(&mut rmp_serde::Serializer::new(out))
    };
    written.map_err(std::io::Error::other)
}

impl<K, V, L> Default for Table<K, V, L> {
    fn default() -> Self {
        Table {
            map: RwLock::new(HashMap::default()),
            dirty: AtomicU32::new(0),
            layout: PhantomData,
        }
    }
}

/// The shard of a key: the same in every run of the same khao.
fn shard<K: Hash + ?Sized>(key: &K) -> usize {
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new();
    key.hash(&mut h);
    (h.finish() % SHARDS as u64) as usize
}

impl<K: Eq + Hash, V, L> Table<K, V, L> {
    /// What `f` makes of the value of `key`, if there is one.
    pub fn with<Q, R>(&self, key: &Q, f: impl FnOnce(&V) -> Option<R>) -> Option<R>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        map.get(key).and_then(f)
    }

    pub fn insert(&self, key: K, value: V) {
        self.dirty.fetch_or(1 << shard(&key), Ordering::Relaxed);
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        map.insert(key, value);
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.map.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps only the entries `keep` says yes to.
    pub fn retain(&self, mut keep: impl FnMut(&K) -> bool) {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        let mut dropped = 0u32;
        map.retain(|k, _| {
            let kept = keep(k);
            if !kept {
                dropped |= 1 << shard(k);
            }
            kept
        });
        self.dirty.fetch_or(dropped, Ordering::Relaxed);
    }

    /// Forgets the entries whose keys are not among `live`, once the caller
    /// has an entry for each live key: only when it holds more entries than
    /// that is there anything to forget, so a build with nothing deleted
    /// makes no set of every key. (An entry left behind is never trusted
    /// wrongly: readers check it still holds.)
    pub fn forget_others<'q, Q>(&self, live: impl ExactSizeIterator<Item = &'q Q>)
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized + 'q,
    {
        if self.len() <= live.len() {
            return;
        }
        let keep: rustc_hash::FxHashSet<&Q> = live.collect();
        self.retain(|k| keep.contains(k.borrow()));
    }

    /// Whether an entry was added, replaced or dropped since it was made
    /// or read.
    pub fn changed(&self) -> bool {
        self.dirty.load(Ordering::Relaxed) != 0
    }
}

impl<K, V, L: Layout> Table<K, V, L>
where
    K: Serialize + DeserializeOwned + Eq + Hash + Send,
    V: Serialize + DeserializeOwned + Send,
{
    /// Reads the table saved as `<dir>/<name>-<i>.bin` whose files begin
    /// with `header`; a missing or unreadable file is an empty shard.
    pub fn load<H: Serialize + DeserializeOwned + PartialEq + Sync>(
        dir: &Path,
        name: &str,
        header: &H,
    ) -> Self {
        // The shards are read and decoded on every core.
        let shards: Vec<Vec<(K, V)>> = (0..SHARDS)
            .into_par_iter()
            .filter_map(|i| {
                let bytes = std::fs::read(dir.join(format!("{name}-{i}.bin"))).ok()?;
                let mut de = rmp_serde::Deserializer::from_read_ref(&bytes);
                if H::deserialize(&mut de).ok().as_ref() != Some(header) {
                    return None;
                }
                Vec::<(K, V)>::deserialize(&mut de).ok()
            })
            .collect();
        let mut map = HashMap::with_capacity_and_hasher(
            shards.iter().map(Vec::len).sum(),
            Default::default(),
        );
        map.extend(shards.into_iter().flatten());
        Table {
            map: RwLock::new(map),
            dirty: AtomicU32::new(0),
            layout: PhantomData,
        }
    }

    /// Writes the shards holding a changed entry (each to a temporary file
    /// renamed over the old one). Failing costs only time next build.
    pub fn save<H: Serialize>(&self, dir: &Path, name: &str, header: &H) {
        let dirty = self.dirty.swap(0, Ordering::Relaxed);
        if dirty == 0 || std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        let mut shards: Vec<Vec<(&K, &V)>> = (0..SHARDS).map(|_| Vec::new()).collect();
        for (k, v) in map.iter() {
            let i = shard(k);
            if dirty & (1 << i) != 0 {
                shards[i].push((k, v));
            }
        }
        for (i, entries) in shards.iter().enumerate() {
            if dirty & (1 << i) == 0 {
                continue;
            }
            let path = dir.join(format!("{name}-{i}.bin"));
            let written = super::fs::write_cache(&path, |out| {
                write_msgpack(out, header, L::NAMED)?;
                write_msgpack(out, entries, L::NAMED)
            });
            if written.is_err() {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_the_changed_shards_and_reads_them_back() {
        let dir = tempfile::tempdir().unwrap();
        let t: Table<String, u32> = Table::default();
        assert!(!t.changed());
        for i in 0..100 {
            t.insert(format!("k{i}"), i);
        }
        assert!(t.changed());
        t.save(dir.path(), "t", &"v1".to_string());
        assert!(!t.changed());
        let back: Table<String, u32> = Table::load(dir.path(), "t", &"v1".to_string());
        assert_eq!(back.with("k42", |v| Some(*v)), Some(42));
        // Another header: nothing is read.
        let other: Table<String, u32> = Table::load(dir.path(), "t", &"v2".to_string());
        assert_eq!(other.with("k42", |v| Some(*v)), None);
        // One change writes one shard.
        let stamps = || -> Vec<std::time::SystemTime> {
            (0..SHARDS)
                .map(|i| {
                    let shard = dir.path().join(format!("t-{i}.bin"));
                    std::fs::metadata(shard).unwrap().modified().unwrap()
                })
                .collect()
        };
        let before = stamps();
        std::thread::sleep(std::time::Duration::from_millis(20));
        back.insert("k7".into(), 700);
        back.save(dir.path(), "t", &"v1".to_string());
        let after = stamps();
        assert_eq!(before.iter().zip(&after).filter(|(a, b)| a != b).count(), 1);
        let again: Table<String, u32> = Table::load(dir.path(), "t", &"v1".to_string());
        assert_eq!(again.with("k7", |v| Some(*v)), Some(700));
        again.retain(|k| k != "k1");
        assert!(again.changed());
    }

    #[test]
    fn positional_tables_read_back_their_structs() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Photo {
            url: String,
            width: u32,
        }
        let dir = tempfile::tempdir().unwrap();
        let t: Table<String, Photo, Positional> = Table::default();
        let photo = || Photo {
            url: "/news/a-640.jpg".into(),
            width: 640,
        };
        t.insert("a".into(), photo());
        t.save(dir.path(), "p", &1u32);
        let back: Table<String, Photo, Positional> = Table::load(dir.path(), "p", &1u32);
        assert_eq!(back.with("a", |p| Some(p.url.clone())), Some(photo().url));
        // A table written with field names is read by position too.
        let named: Table<String, Photo> = Table::default();
        named.insert("b".into(), photo());
        named.save(dir.path(), "n", &1u32);
        let back: Table<String, Photo, Positional> = Table::load(dir.path(), "n", &1u32);
        assert_eq!(back.with("b", |p| Some(p.width)), Some(640));
    }
}
