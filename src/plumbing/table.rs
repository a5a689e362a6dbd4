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
//! A value read from a file stays its bytes there until asked for
//! ([`Slot`]): a step that takes the value for its own (a memo hit) gets it
//! decoded once, straight into its hands, not decoded at load and then
//! copied; and a shard written again copies the bytes of the entries
//! nobody replaced instead of encoding them anew.
//!
//! Entries are MessagePack, their structs written with field names
//! ([`Named`]) or, faster to read, by position ([`Positional`]; a third of
//! what a one-edit build spent decoding a memo was matching field names).
//! Position is only for values whose every field is always written: a
//! field skipped when empty (as the news record's are, in its YAML and
//! JSON) would shift the ones after it. Each value is framed as a
//! MessagePack binary, its length first: loading a file of thousands of
//! entries steps from one to the next without walking what is inside them.

use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::path::Path;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Files a table is saved in.
pub const SHARDS: usize = 16;

pub struct Table<K, V, L = Named> {
    map: RwLock<HashMap<K, Slot<V>>>,
    /// The shard files as read, by shard: where [`Slot::Read`] values are.
    files: Vec<Vec<u8>>,
    /// Bit `i`: shard `i` holds an entry added, replaced or dropped since
    /// the table was made or read.
    dirty: AtomicU32,
    layout: PhantomData<L>,
}

/// A value as it was read, its bytes in shard file `shard` (decoded each
/// time it is asked for), or as a build gave it.
enum Slot<V> {
    Read { shard: u8, start: u32, end: u32 },
    Made(V),
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
            files: Vec::new(),
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
    pub fn insert(&self, key: K, value: V) {
        self.dirty.fetch_or(1 << shard(&key), Ordering::Relaxed);
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        map.insert(key, Slot::Made(value));
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
    /// What `f` makes of the value of `key`, if there is one (and, when
    /// read from a file, it still decodes).
    pub fn with<Q, R>(&self, key: &Q, f: impl FnOnce(&V) -> Option<R>) -> Option<R>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        match map.get(key)? {
            Slot::Made(value) => f(value),
            &Slot::Read { shard, start, end } => f(&self.decode(shard, start, end)?),
        }
    }

    /// What `f` makes of its own copy of the value of `key`: for a value
    /// read from a file, decoded straight from its bytes.
    pub fn with_owned<Q, R>(&self, key: &Q, f: impl FnOnce(V) -> Option<R>) -> Option<R>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
        V: Clone,
    {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        match map.get(key)? {
            Slot::Made(value) => f(value.clone()),
            &Slot::Read { shard, start, end } => f(self.decode(shard, start, end)?),
        }
    }

    /// A value as read; `None` when its bytes no longer decode as a `V`.
    fn decode(&self, shard: u8, start: u32, end: u32) -> Option<V> {
        let file = self.files.get(usize::from(shard))?;
        rmp_serde::from_slice(file.get(start as usize..end as usize)?).ok()
    }

    /// Reads the table saved as `<dir>/<name>-<i>.bin` whose files begin
    /// with `header`; a missing or unreadable file is an empty shard. Only
    /// the keys are decoded (see [`Slot`]).
    pub fn load<H: Serialize + DeserializeOwned + PartialEq + Sync>(
        dir: &Path,
        name: &str,
        header: &H,
    ) -> Self {
        // The shards are read and their keys decoded on every core.
        let shards: Vec<(Vec<u8>, Entries<K, V>)> = (0..SHARDS)
            .into_par_iter()
            .map(|i| {
                let bytes = std::fs::read(dir.join(format!("{name}-{i}.bin"))).unwrap_or_default();
                match read_shard(&bytes, i as u8, header) {
                    Some(entries) => (bytes, entries),
                    None => (Vec::new(), Vec::new()),
                }
            })
            .collect();
        let mut map = HashMap::with_capacity_and_hasher(
            shards.iter().map(|(_, e)| e.len()).sum(),
            Default::default(),
        );
        let mut files = Vec::with_capacity(SHARDS);
        for (bytes, entries) in shards {
            map.extend(entries);
            files.push(bytes);
        }
        Table {
            map: RwLock::new(map),
            files,
            dirty: AtomicU32::new(0),
            layout: PhantomData,
        }
    }

    /// Writes the shards holding a changed entry (each to a temporary file
    /// renamed over the old one), the bytes of entries as read copied as
    /// they are. Failing costs only time next build.
    pub fn save<H: Serialize>(&self, dir: &Path, name: &str, header: &H) {
        let dirty = self.dirty.swap(0, Ordering::Relaxed);
        if dirty == 0 || std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        let mut shards: Vec<Vec<(&K, &Slot<V>)>> = (0..SHARDS).map(|_| Vec::new()).collect();
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
                self.write_entries(out, entries)
            });
            if written.is_err() {
                let _ = std::fs::remove_file(&path);
            }
        }
    }

    /// `entries` as the MessagePack of a `Vec<(K, V)>`.
    fn write_entries(
        &self,
        out: &mut impl std::io::Write,
        entries: &[(&K, &Slot<V>)],
    ) -> std::io::Result<()> {
        rmp::encode::write_array_len(out, entries.len() as u32)?;
        let mut made = Vec::new();
        for (k, slot) in entries {
            rmp::encode::write_array_len(out, 2)?;
            write_msgpack(out, k, L::NAMED)?;
            let value = match slot {
                Slot::Made(v) => {
                    made.clear();
                    write_msgpack(&mut made, v, L::NAMED)?;
                    &made[..]
                }
                Slot::Read { shard, start, end } => {
                    &self.files[usize::from(*shard)][*start as usize..*end as usize]
                }
            };
            let len = u32::try_from(value.len()).map_err(std::io::Error::other)?;
            rmp::encode::write_bin_len(out, len)?;
            out.write_all(value)?;
        }
        Ok(())
    }
}

/// A shard's entries as read.
type Entries<K, V> = Vec<(K, Slot<V>)>;

/// The entries of shard file `bytes` (number `shard`) when it begins with
/// `header`: each key decoded, each value (a framed MessagePack binary, see
/// the module's doc) left where it is.
fn read_shard<K, V, H>(bytes: &[u8], shard: u8, header: &H) -> Option<Entries<K, V>>
where
    K: DeserializeOwned,
    H: DeserializeOwned + PartialEq,
{
    // Offsets are kept as u32.
    u32::try_from(bytes.len()).ok()?;
    let (found, header_end) = read_header::<H>(bytes)?;
    if found != *header {
        return None;
    }
    let mut rest = &bytes[header_end..];
    let count = rmp::decode::read_array_len(&mut rest).ok()?;
    let mut pos = bytes.len() - rest.len();
    let mut entries = Vec::with_capacity((count as usize).min(bytes.len()));
    for _ in 0..count {
        let mut rest = &bytes[pos..];
        if rmp::decode::read_array_len(&mut rest).ok()? != 2 {
            return None;
        }
        let key_start = bytes.len() - rest.len();
        let key_end = value_end(bytes, key_start)?;
        let key = rmp_serde::from_slice(&bytes[key_start..key_end]).ok()?;
        let mut rest = &bytes[key_end..];
        let len = rmp::decode::read_bin_len(&mut rest).ok()? as usize;
        let start = bytes.len() - rest.len();
        let end = start.checked_add(len).filter(|&e| e <= bytes.len())?;
        let (start, end) = (start as u32, end as u32);
        entries.push((key, Slot::Read { shard, start, end }));
        pos = end as usize;
    }
    Some(entries)
}

/// The MessagePack value at the start of `bytes`, and where it ends: a
/// file's header, read without decoding what follows it.
pub fn read_header<H: DeserializeOwned>(bytes: &[u8]) -> Option<(H, usize)> {
    let end = value_end(bytes, 0)?;
    Some((rmp_serde::from_slice(&bytes[..end]).ok()?, end))
}

/// Where the MessagePack value at `pos` in `bytes` ends; `None` when it
/// runs past the end or is not MessagePack. Nothing is decoded: a
/// container only adds its items to the values still to pass.
fn value_end(bytes: &[u8], mut pos: usize) -> Option<usize> {
    let mut pending: u64 = 1;
    // Big-endian unsigned of `n` bytes at `at`.
    let be = |at: usize, n: usize| -> Option<u64> {
        let b = bytes.get(at..at.checked_add(n)?)?;
        Some(b.iter().fold(0u64, |acc, &x| acc << 8 | u64::from(x)))
    };
    while pending > 0 {
        pending -= 1;
        let marker = *bytes.get(pos)?;
        pos += 1;
        // (bytes of a length that follows, fixed payload, what the length counts)
        let (len_bytes, fixed, counts) = match marker {
            0x00..=0x7f | 0xc0 | 0xc2 | 0xc3 | 0xe0..=0xff => (0, 0, Counts::Bytes),
            0x80..=0x8f => {
                pending += 2 * u64::from(marker & 0x0f);
                continue;
            }
            0x90..=0x9f => {
                pending += u64::from(marker & 0x0f);
                continue;
            }
            0xa0..=0xbf => (0, usize::from(marker & 0x1f), Counts::Bytes),
            0xc4 | 0xd9 => (1, 0, Counts::Bytes),
            0xc5 | 0xda => (2, 0, Counts::Bytes),
            0xc6 | 0xdb => (4, 0, Counts::Bytes),
            0xc7 => (1, 1, Counts::Bytes),
            0xc8 => (2, 1, Counts::Bytes),
            0xc9 => (4, 1, Counts::Bytes),
            0xca => (0, 4, Counts::Bytes),
            0xcb => (0, 8, Counts::Bytes),
            0xcc | 0xd0 => (0, 1, Counts::Bytes),
            0xcd | 0xd1 => (0, 2, Counts::Bytes),
            0xce | 0xd2 => (0, 4, Counts::Bytes),
            0xcf | 0xd3 => (0, 8, Counts::Bytes),
            0xd4 => (0, 2, Counts::Bytes),
            0xd5 => (0, 3, Counts::Bytes),
            0xd6 => (0, 5, Counts::Bytes),
            0xd7 => (0, 9, Counts::Bytes),
            0xd8 => (0, 17, Counts::Bytes),
            0xdc => (2, 0, Counts::Items(1)),
            0xdd => (4, 0, Counts::Items(1)),
            0xde => (2, 0, Counts::Items(2)),
            0xdf => (4, 0, Counts::Items(2)),
            0xc1 => return None,
        };
        let len = if len_bytes > 0 {
            be(pos, len_bytes)?
        } else {
            0
        };
        pos += len_bytes;
        match counts {
            Counts::Bytes => {
                pos = pos
                    .checked_add(fixed)?
                    .checked_add(usize::try_from(len).ok()?)?
            }
            Counts::Items(per) => pending += per * len,
        }
        if pos > bytes.len() {
            return None;
        }
    }
    Some(pos)
}

/// What the length after a MessagePack marker counts.
enum Counts {
    Bytes,
    /// Values, `n` per item (a map's item is a key and a value).
    Items(u64),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn value_end_finds_the_end_of_every_kind_of_value() {
        #[derive(Serialize)]
        struct Every {
            small: (u8, i8, bool, Option<u8>),
            ints: (u16, u32, u64, i16, i32, i64, i64),
            floats: (f32, f64),
            strings: Vec<String>,
            map: std::collections::BTreeMap<String, Vec<u32>>,
            long: Vec<u8>,
        }
        let every = Every {
            small: (7, -3, true, None),
            ints: (300, 70_000, 1 << 40, -300, -70_000, -(1 << 40), i64::MIN),
            floats: (1.5, -2.25),
            strings: [0, 31, 32, 255, 256, 70_000]
                .iter()
                .map(|&n| "ก".repeat(n / 3 + 1))
                .collect(),
            map: (0..20)
                .map(|i| (format!("k{i}"), vec![i; i as usize]))
                .collect(),
            long: vec![9; 70_000],
        };
        for named in [true, false] {
            let mut bytes = Vec::new();
            write_msgpack(&mut bytes, &every, named).unwrap();
            assert_eq!(value_end(&bytes, 0), Some(bytes.len()));
            // Two values end to end: the first ends where the second begins.
            let first = bytes.len();
            write_msgpack(&mut bytes, &every, named).unwrap();
            assert_eq!(value_end(&bytes, 0), Some(first));
            assert_eq!(value_end(&bytes, first), Some(bytes.len()));
            // Cut short anywhere: no end.
            for cut in (0..first).step_by(97) {
                assert_eq!(value_end(&bytes[..cut], 0), None, "cut at {cut}");
            }
        }
        // Byte strings and extensions, which tables do not write.
        let mut raw = Vec::new();
        let mut ends = Vec::new();
        for len in [10, 300, 70_000] {
            rmp::encode::write_bin(&mut raw, &vec![1; len]).unwrap();
            ends.push(raw.len());
        }
        for len in [1, 2, 4, 8, 16, 3, 300] {
            rmp::encode::write_ext_meta(&mut raw, len, 5).unwrap();
            raw.extend(vec![0; len as usize]);
            ends.push(raw.len());
        }
        let mut at = 0;
        for end in ends {
            at = value_end(&raw, at).unwrap();
            assert_eq!(at, end);
        }
        assert_eq!(value_end(&[0xc1], 0), None);
    }

    #[test]
    fn entries_as_read_are_decoded_when_asked_and_copied_when_saved() {
        let dir = tempfile::tempdir().unwrap();
        let t: Table<String, Vec<String>, Positional> = Table::default();
        for i in 0..200 {
            t.insert(format!("k{i}"), vec![format!("ข่าว {i}"); i % 4]);
        }
        t.save(dir.path(), "t", &1u32);
        let back: Table<String, Vec<String>, Positional> = Table::load(dir.path(), "t", &1u32);
        assert_eq!(back.len(), 200);
        assert_eq!(
            back.with_owned("k7", Some),
            Some(vec!["ข่าว 7".to_string(); 3])
        );
        assert_eq!(back.with("k6", |v| Some(v.len())), Some(2));
        // Every shard written again, one entry replaced: the others' bytes
        // are copied as they were read.
        back.insert("k7".into(), vec!["ใหม่".into()]);
        back.retain(|_| true);
        back.dirty.store(u32::MAX, Ordering::Relaxed);
        back.save(dir.path(), "t", &1u32);
        let again: Table<String, Vec<String>, Positional> = Table::load(dir.path(), "t", &1u32);
        for i in (0..200).filter(|&i| i != 7) {
            let want = vec![format!("ข่าว {i}"); i % 4];
            assert_eq!(again.with_owned(&format!("k{i}"), Some), Some(want));
        }
        assert_eq!(again.with_owned("k7", Some), Some(vec!["ใหม่".to_string()]));
    }

    #[test]
    fn a_value_that_no_longer_decodes_is_no_value() {
        let dir = tempfile::tempdir().unwrap();
        let t: Table<String, String> = Table::default();
        t.insert("a".into(), "ข้อความ".into());
        t.save(dir.path(), "t", &1u32);
        // Read as another type: the keys are there, the value is not.
        let back: Table<String, u32> = Table::load(dir.path(), "t", &1u32);
        assert_eq!(back.len(), 1);
        assert_eq!(back.with("a", |v| Some(*v)), None);
        assert_eq!(back.with_owned("a", Some), None);
        // A file cut short is an empty shard.
        for i in 0..SHARDS {
            let f = dir.path().join(format!("t-{i}.bin"));
            if let Ok(bytes) = std::fs::read(&f) {
                std::fs::write(&f, &bytes[..bytes.len() - 1]).unwrap();
            }
        }
        let cut: Table<String, String> = Table::load(dir.path(), "t", &1u32);
        assert!(cut.is_empty());
    }

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
