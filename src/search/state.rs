//! What one build leaves for the next: per segment, its documents (URL
//! hash and fingerprint, in order) and a checksum of each bucket file. The
//! bucket bytes themselves are not kept: a later build reads the few it
//! patches back from the output folder, checked against these sums, and an
//! edited page's old text from its fragment, checked by its fingerprint.
//!
//! About 16 bytes per document and 8 per bucket (≈ 30 KB for 1,000 pages),
//! one file, read without parsing anything but fixed-size fields:
//!
//! ```text
//! "KHSS" version:len8+bytes manifest:u64 segments:u8
//! segment := name:len8+bytes docs:u32 buckets:u32 (url:u64 fp:u64){docs} sum:u64{buckets}
//! ... xxh3_64 of everything before
//! ```

use super::plan::Key;

const MAGIC: &[u8; 4] = b"KHSS";

/// Changes whenever the files or the tokenisation may: the crate version
/// and the file format.
fn version() -> String {
    format!("{}/{}", env!("CARGO_PKG_VERSION"), super::output::FORMAT)
}

/// The state of a whole index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// xxh3 of the `manifest.json` written: the output folder is the one
    /// this state describes when its manifest still has these bytes.
    pub manifest: u64,
    pub segments: Vec<SegState>,
}

/// One segment's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SegState {
    pub name: String,
    pub keys: Vec<Key>,
    /// Per bucket, xxh3 of its bytes (as many as the segment has buckets;
    /// none when it is empty).
    pub sums: Vec<u64>,
}

impl State {
    /// The segment named `name`, if not empty.
    pub fn segment(&self, name: &str) -> Option<&SegState> {
        self.segments
            .iter()
            .find(|s| s.name == name && !s.keys.is_empty())
    }

    /// The number of documents.
    pub fn len(&self) -> usize {
        self.segments.iter().map(|s| s.keys.len()).sum()
    }

    /// Whether no document is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of the state file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let size: usize = self
            .segments
            .iter()
            .map(|s| 16 + s.keys.len() * 16 + s.sums.len() * 8)
            .sum();
        let mut out = Vec::with_capacity(64 + size);
        out.extend_from_slice(MAGIC);
        let v = version();
        out.push(v.len() as u8);
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(&self.manifest.to_le_bytes());
        out.push(self.segments.len() as u8);
        for s in &self.segments {
            out.push(s.name.len() as u8);
            out.extend_from_slice(s.name.as_bytes());
            out.extend_from_slice(&(s.keys.len() as u32).to_le_bytes());
            out.extend_from_slice(&(s.sums.len() as u32).to_le_bytes());
            for k in &s.keys {
                out.extend_from_slice(&k.url.to_le_bytes());
                out.extend_from_slice(&k.fp.to_le_bytes());
            }
            for sum in &s.sums {
                out.extend_from_slice(&sum.to_le_bytes());
            }
        }
        let check = xxhash_rust::xxh3::xxh3_64(&out);
        out.extend_from_slice(&check.to_le_bytes());
        out
    }

    /// Reads a state file; `None` when it is damaged or from another
    /// version.
    pub fn from_bytes(bytes: &[u8]) -> Option<State> {
        let (body, check) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
        if xxhash_rust::xxh3::xxh3_64(body) != u64::from_le_bytes(check.try_into().ok()?) {
            return None;
        }
        let mut r = Reader { bytes: body, at: 0 };
        if r.take(4)? != MAGIC || r.text()? != version() {
            return None;
        }
        let manifest = r.u64()?;
        let count = r.take(1)?[0];
        let mut segments = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let name = r.text()?;
            let docs = r.u32()? as usize;
            let buckets = r.u32()? as usize;
            let keys = r
                .take(docs.checked_mul(16)?)?
                .chunks_exact(16)
                .map(|c| Key {
                    url: u64::from_le_bytes(c[..8].try_into().unwrap_or_default()),
                    fp: u64::from_le_bytes(c[8..].try_into().unwrap_or_default()),
                })
                .collect();
            let sums = r
                .take(buckets.checked_mul(8)?)?
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
                .collect();
            segments.push(SegState { name, keys, sums });
        }
        (r.at == body.len()).then_some(State { manifest, segments })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(out)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn text(&mut self) -> Option<String> {
        let n = self.take(1)?[0] as usize;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let s = State {
            manifest: 7,
            segments: vec![SegState {
                name: "s".into(),
                keys: vec![Key { url: 1, fp: 2 }, Key { url: 3, fp: 4 }],
                sums: vec![9, 8, 7, 6],
            }],
        };
        let b = s.to_bytes();
        assert_eq!(State::from_bytes(&b), Some(s));
        for cut in [0, 1, 10, b.len() - 1] {
            assert_eq!(State::from_bytes(&b[..cut]), None);
        }
        let mut bad = b.clone();
        bad[20] ^= 1;
        assert_eq!(State::from_bytes(&bad), None);
    }
}
