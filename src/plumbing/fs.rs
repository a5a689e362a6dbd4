//! Writing files so that nobody ever reads half of one.
//!
//! Every file khao writes goes through [`write_atomic`] (a temporary file
//! beside the target, synced, then renamed over it) or
//! [`write_if_changed`] (the same, skipped when the bytes are already
//! there, so an unchanged page keeps its modification time); the caches
//! under `.khao/` go through [`write_cache`] (renamed, not synced). A file
//! hard-linked elsewhere (the photo cache, a deployed release) is replaced,
//! never changed in place.
//!
//! And reading what people put in `requests/` and `content/` through
//! [`open_regular`]: a named pipe or a device there is refused, never
//! waited on.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A hidden temporary name beside `path`, unique among this machine's
/// processes and threads.
pub fn temp_beside(path: &Path) -> PathBuf {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// Writes `bytes` to `path` through a temporary file, synced to disk, and a
/// rename; creates the parent folder. Readers see the old file or the new
/// one, never a part. Published files are readable by everyone (0644).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let tmp = temp_beside(path);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o644))?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes a cache file: `write` streams into a temporary file beside
/// `path`, renamed over it. Not synced: a cache lost in a crash costs only
/// time (its readers treat a missing or unreadable file as empty), while
/// syncing megabytes and reading the old file back to compare cost every
/// build.
pub fn write_cache(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<std::fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = temp_beside(path);
    let result = (|| {
        let mut out = io::BufWriter::new(std::fs::File::create(&tmp)?);
        write(&mut out)?;
        out.flush()?;
        drop(out);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// [`write_atomic`] unless the file already holds exactly `bytes`.
/// Returns whether it wrote.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() == bytes.len() as u64
        && std::fs::read(path).is_ok_and(|existing| existing == bytes)
    {
        return Ok(false);
    }
    write_atomic(path, bytes)?;
    Ok(true)
}

/// Opens `path` for reading when it is a regular file (or a link to one);
/// anything else is the error [`NotAFile`]. A named pipe opened for
/// reading waits for a writer, for ever, and a device never ends: one in a
/// request folder would stop `khao watch` and a timer's `khao publish`
/// without a word. The open itself does not wait (`O_NONBLOCK`, which
/// changes nothing for a regular file).
pub fn open_regular(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, NotAFile));
    }
    Ok(file)
}

/// The whole of the regular file `path` (see [`open_regular`]).
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = open_regular(path)?;
    let mut bytes = Vec::with_capacity(file.metadata().map_or(0, |m| m.len() as usize));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A folder, a named pipe, a device or a socket where a file's bytes were
/// expected.
#[derive(Debug, thiserror::Error)]
#[error("not a regular file")]
pub struct NotAFile;

/// Whether `e` is [`NotAFile`].
pub fn is_not_a_file(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<NotAFile>())
}

/// Copies `src` to `dest` through a temporary file beside it, so `dest` is
/// never seen half-written. `src` must be a regular file.
pub fn copy_atomic(src: &Path, dest: &Path) -> io::Result<()> {
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent)?;
    }
    drop(open_regular(src)?);
    let tmp = temp_beside(dest);
    let result = std::fs::copy(src, &tmp).and_then(|_| std::fs::rename(&tmp, dest));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Size and modification time (ns since 1970) of a file, `None` when it is
/// not there: how khao recognises a file it has seen before without
/// reading it.
pub fn file_stamp(path: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), mtime_ns(&meta)?))
}

/// What the file system says about a file; while it is unchanged its bytes
/// are not read again (a rebuild of a site with thousands of 4 MB phone
/// photos must not hash gigabytes, nor a deploy every file it publishes).
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
    pub inode: u64,
}

impl Stamp {
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        let ns = |t: std::io::Result<std::time::SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos() as i128)
                .unwrap_or(0)
        };
        #[cfg(unix)]
        let (ctime_ns, inode) = {
            use std::os::unix::fs::MetadataExt;
            (
                i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
                meta.ino(),
            )
        };
        #[cfg(not(unix))]
        let (ctime_ns, inode) = (0, 0);
        Stamp {
            size: meta.len(),
            mtime_ns: ns(meta.modified()),
            ctime_ns,
            inode,
        }
    }
}

/// A file changed twice within the file system's clock tick keeps the
/// stamp of the first change (git calls such files "racy"): a stamp is
/// trusted to stand for the bytes read only when the file last changed
/// this long before they were read.
pub const SETTLED_NS: i128 = 2_000_000_000;

impl Stamp {
    /// Whether the file last changed before `settled_ns` (see
    /// [`settled_ns`]).
    pub fn settled_before(&self, settled_ns: i128) -> bool {
        self.mtime_ns.max(self.ctime_ns) < settled_ns
    }

    /// The stamp as bytes, to hash into a key.
    pub fn to_le_bytes(&self) -> [u8; 48] {
        let mut b = [0u8; 48];
        b[..8].copy_from_slice(&self.size.to_le_bytes());
        b[8..24].copy_from_slice(&self.mtime_ns.to_le_bytes());
        b[24..40].copy_from_slice(&self.ctime_ns.to_le_bytes());
        b[40..].copy_from_slice(&self.inode.to_le_bytes());
        b
    }
}

/// Now, in ns since 1970, as [`Stamp`]'s times are.
pub fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

/// Now less [`SETTLED_NS`], in ns since 1970: a stamp from before it may
/// be remembered.
pub fn settled_ns() -> i128 {
    now_ns() - SETTLED_NS
}

/// Modification time in ns since 1970.
pub fn mtime_ns(meta: &std::fs::Metadata) -> Option<u64> {
    let d = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    u64::try_from(d.as_nanos()).ok()
}

/// Size and BLAKE3 hash of a file's bytes, read in a stream.
pub fn hash_file(path: &Path) -> io::Result<(u64, blake3::Hash)> {
    let mut input = open_regular(path)?;
    let mut hasher = blake3::Hasher::new();
    let size = io::copy(&mut input, &mut hasher)?;
    Ok((size, hasher.finalize()))
}

/// Copies `src` to a new file `dst`, synced to disk; returns the size and
/// hash of what was read, so the copy can be verified against it.
pub fn copy_hashed(src: &Path, dst: &Path) -> io::Result<(u64, blake3::Hash)> {
    let mut input = open_regular(src)?;
    let mut output = std::fs::File::create(dst)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        output.write_all(&buf[..n])?;
        size += n as u64;
    }
    output.sync_all()?;
    Ok((size, hasher.finalize()))
}

/// Copies `src` to `dst` and checks the copy byte for byte (size and hash
/// read back from disk).
pub fn copy_verified(src: &Path, dst: &Path) -> io::Result<()> {
    if let Some(parent) = dst.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let (size, hash) = copy_hashed(src, dst)?;
    if hash_file(dst)? != (size, hash) {
        return Err(io::Error::other(format!(
            "{}: the copy differs from the original",
            dst.display()
        )));
    }
    Ok(())
}

/// Syncs a folder's entries to disk (after a rename into it); a no-op
/// where folders cannot be opened.
pub fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Removes a file, a symbolic link or a whole folder; what is not there is
/// not an error.
pub fn remove_path(p: &Path) -> io::Result<()> {
    let result = match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(p),
        Ok(_) => std::fs::remove_file(p),
        Err(e) => Err(e),
    };
    match result {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.jpg");
        std::fs::write(&file, b"bytes").unwrap();
        assert_eq!(read_regular(&file).unwrap(), b"bytes");
        let folder = read_regular(dir.path()).unwrap_err();
        assert!(is_not_a_file(&folder), "{folder}");
        assert!(!is_not_a_file(
            &read_regular(&dir.path().join("none")).unwrap_err()
        ));
        #[cfg(unix)]
        {
            let pipe = dir.path().join("pipe.pdf");
            let made = std::process::Command::new("mkfifo").arg(&pipe).status();
            assert!(made.unwrap().success());
            // Refused at once, not waited on.
            assert!(is_not_a_file(&read_regular(&pipe).unwrap_err()));
            assert!(is_not_a_file(
                &copy_atomic(&pipe, &dir.path().join("b")).unwrap_err()
            ));
        }
    }

    #[test]
    fn writes_only_when_changed_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b.txt");
        assert!(write_if_changed(&p, b"one").unwrap());
        assert!(!write_if_changed(&p, b"one").unwrap());
        assert!(write_if_changed(&p, b"two").unwrap());
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["b.txt"]);
    }

    #[test]
    fn copies_verified_and_removes_anything() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, b"bytes").unwrap();
        let b = dir.path().join("x/y/b");
        copy_verified(&a, &b).unwrap();
        assert_eq!(std::fs::read(&b).unwrap(), b"bytes");
        remove_path(&dir.path().join("x")).unwrap();
        remove_path(&dir.path().join("nothing")).unwrap();
        assert!(!dir.path().join("x").exists());
    }
}
