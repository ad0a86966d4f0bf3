//! Following growing files across rotation, and the checkpoint store that remembers how far
//! each file was read.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Where a followed file was read up to: the file's identity (device and inode, so that a
/// rotated file is recognised) and the byte offset just past the last complete line handed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FilePosition {
    /// The device of the file.
    pub dev: u64,
    /// The inode of the file.
    pub ino: u64,
    /// Bytes consumed (always at a line boundary).
    pub offset: u64,
}

/// The checkpoint of a tail: one [`FilePosition`] per followed path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Format version of the checkpoint file (1).
    pub version: u32,
    /// Positions by followed path (as given on the command line or in the configuration).
    pub files: BTreeMap<String, FilePosition>,
}

/// A checkpoint kept as one small JSON file, replaced atomically (temporary file, `fsync`,
/// rename, `fsync` of the directory), so a crash leaves either the old or the new checkpoint.
#[derive(Debug, Clone)]
pub struct CheckpointStore {
    path: PathBuf,
}

impl CheckpointStore {
    /// The store `<state_dir>/checkpoint.json`; the directory is created if missing.
    pub fn in_dir(state_dir: &Path) -> std::io::Result<CheckpointStore> {
        std::fs::create_dir_all(state_dir)?;
        Ok(CheckpointStore {
            path: state_dir.join("checkpoint.json"),
        })
    }

    /// The checkpoint file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored checkpoint; an empty one when there is none yet. A file that is not a
    /// checkpoint is an error (it is not silently overwritten).
    pub fn load(&self) -> std::io::Result<Checkpoint> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|err| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: {err}", self.path.display()),
                )
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Checkpoint {
                version: 1,
                files: BTreeMap::new(),
            }),
            Err(err) => Err(err),
        }
    }

    /// Replaces the stored checkpoint atomically and durably.
    pub fn save(&self, checkpoint: &Checkpoint) -> std::io::Result<()> {
        let text = serde_json::to_vec_pretty(checkpoint).map_err(std::io::Error::other)?;
        let tmp = self.path.with_extension("json.tmp");
        {
            let mut file = File::create(&tmp)?;
            file.write_all(&text)?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent()
            && let Ok(dir) = File::open(dir)
        {
            // Makes the rename durable; not every platform can sync a directory.
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

/// Complete lines read from a followed file, and the position just past them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Whole lines, each ending in `\n`.
    pub data: Vec<u8>,
    /// The position after these lines (what to checkpoint once they are processed).
    pub position: FilePosition,
}

/// Follows one path like `tail -F`: reads appended lines, notices a rotation by rename (the
/// path now names another file: the old file is read to its end first, then the new one from
/// its start) and by truncation (`copytruncate`: the file shrank below the read offset, so it
/// is read again from its start). Only complete lines are handed on; a last line without `\n`
/// waits for its end (or for the rotation that completes it).
#[derive(Debug)]
pub struct FileFollower {
    path: PathBuf,
    file: Option<File>,
    identity: (u64, u64),
    /// Bytes read from the open file (consumed or pending).
    read_offset: u64,
    /// Read but not yet handed on (an incomplete last line).
    pending: Vec<u8>,
    resume: Option<FilePosition>,
}

/// The most a single [`FileFollower::poll`] reads.
pub const MAX_CHUNK_BYTES: usize = 4 << 20;

impl FileFollower {
    /// Follows `path` from its start, or from `resume` (a checkpointed position). When the
    /// checkpointed file was rotated away meanwhile, it is looked for in the same directory
    /// (by device and inode, e.g. `app.log.1`) and its rest is read first.
    pub fn new(path: impl Into<PathBuf>, resume: Option<FilePosition>) -> FileFollower {
        FileFollower {
            path: path.into(),
            file: None,
            identity: (0, 0),
            read_offset: 0,
            pending: Vec::new(),
            resume,
        }
    }

    /// The followed path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The position just past the lines handed on so far.
    pub fn position(&self) -> FilePosition {
        FilePosition {
            dev: self.identity.0,
            ino: self.identity.1,
            offset: self.read_offset - self.pending.len() as u64,
        }
    }

    /// Reads what was appended (at most [`MAX_CHUNK_BYTES`]); `None` when there are no new
    /// complete lines. A path that does not exist (yet) is not an error: it is waited for.
    pub fn poll(&mut self) -> std::io::Result<Option<Chunk>> {
        if self.file.is_none() && !self.open()? {
            return Ok(None);
        }
        let got = self.read_more()?;
        if got == 0 {
            // At the end of the open file: has the path moved on to another file, or shrunk?
            match std::fs::metadata(&self.path) {
                Ok(meta) if identity(&meta) != self.identity => {
                    // Renamed away and recreated: the old file is complete.
                    let mut tail = std::mem::take(&mut self.pending);
                    if !tail.is_empty() {
                        tail.push(b'\n');
                    }
                    let position = FilePosition {
                        dev: self.identity.0,
                        ino: self.identity.1,
                        offset: self.read_offset,
                    };
                    self.file = None;
                    self.open()?;
                    if !tail.is_empty() {
                        return Ok(Some(Chunk {
                            data: tail,
                            position,
                        }));
                    }
                    return self.poll_open();
                }
                Ok(meta) if meta.len() < self.read_offset => {
                    // copytruncate: start again at the beginning.
                    self.pending.clear();
                    self.read_offset = 0;
                    if let Some(file) = &mut self.file {
                        file.seek(SeekFrom::Start(0))?;
                    }
                    return self.poll_open();
                }
                _ => return Ok(None),
            }
        }
        Ok(self.take_lines())
    }

    fn poll_open(&mut self) -> std::io::Result<Option<Chunk>> {
        if self.file.is_none() {
            return Ok(None);
        }
        self.read_more()?;
        Ok(self.take_lines())
    }

    fn read_more(&mut self) -> std::io::Result<usize> {
        let Some(file) = &mut self.file else {
            return Ok(0);
        };
        let room = MAX_CHUNK_BYTES.saturating_sub(self.pending.len()).max(1);
        let got = file.take(room as u64).read_to_end(&mut self.pending)?;
        self.read_offset += got as u64;
        Ok(got)
    }

    fn take_lines(&mut self) -> Option<Chunk> {
        let end = memchr_last_newline(&self.pending)? + 1;
        let rest = self.pending.split_off(end);
        let data = std::mem::replace(&mut self.pending, rest);
        Some(Chunk {
            data,
            position: self.position(),
        })
    }

    /// Opens the path (returns false when it does not exist), honouring the resume position.
    fn open(&mut self) -> std::io::Result<bool> {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(err) => return Err(err),
        };
        let meta = file.metadata()?;
        let mut file = file;
        let mut offset = 0;
        if let Some(resume) = self.resume.take() {
            if (resume.dev, resume.ino) == identity(&meta) {
                if resume.offset <= meta.len() {
                    offset = resume.offset;
                }
            } else if let Some(old) = self.find_rotated(resume) {
                // Finish the rotated file first; the path is opened again at its end.
                self.identity = (resume.dev, resume.ino);
                let mut old = old;
                old.seek(SeekFrom::Start(resume.offset))?;
                self.file = Some(old);
                self.read_offset = resume.offset;
                self.pending.clear();
                return Ok(true);
            }
        }
        file.seek(SeekFrom::Start(offset))?;
        self.identity = identity(&meta);
        self.file = Some(file);
        self.read_offset = offset;
        self.pending.clear();
        Ok(true)
    }

    fn find_rotated(&self, resume: FilePosition) -> Option<File> {
        let dir = match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        for entry in std::fs::read_dir(dir).ok()?.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_file()
                && identity(&meta) == (resume.dev, resume.ino)
                && meta.len() >= resume.offset
            {
                return File::open(entry.path()).ok();
            }
        }
        None
    }
}

fn memchr_last_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().rposition(|&b| b == b'\n')
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("logsec-follow-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn drain(follower: &mut FileFollower) -> String {
        let mut out = String::new();
        while let Some(chunk) = follower.poll().unwrap() {
            out.push_str(std::str::from_utf8(&chunk.data).unwrap());
        }
        out
    }

    fn append(path: &Path, text: &str) {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        file.write_all(text.as_bytes()).unwrap();
    }

    #[test]
    fn hands_on_complete_lines_only() {
        let dir = dir("lines");
        let path = dir.join("a.log");
        let mut follower = FileFollower::new(&path, None);
        assert_eq!(drain(&mut follower), "");
        append(&path, "one\ntw");
        assert_eq!(drain(&mut follower), "one\n");
        assert_eq!(follower.position().offset, 4);
        append(&path, "o\n");
        assert_eq!(drain(&mut follower), "two\n");
        assert_eq!(follower.position().offset, 8);
    }

    #[test]
    fn follows_rename_and_create() {
        let dir = dir("rename");
        let path = dir.join("a.log");
        append(&path, "one\n");
        let mut follower = FileFollower::new(&path, None);
        assert_eq!(drain(&mut follower), "one\n");
        append(&path, "two\nunterminated");
        std::fs::rename(&path, dir.join("a.log.1")).unwrap();
        append(&path, "three\n");
        assert_eq!(drain(&mut follower), "two\nunterminated\nthree\n");
    }

    #[test]
    fn follows_copytruncate() {
        let dir = dir("truncate");
        let path = dir.join("a.log");
        append(&path, "one\ntwo\n");
        let mut follower = FileFollower::new(&path, None);
        assert_eq!(drain(&mut follower), "one\ntwo\n");
        std::fs::File::create(&path).unwrap();
        append(&path, "x\n");
        assert_eq!(drain(&mut follower), "x\n");
    }

    #[test]
    fn resumes_from_a_checkpoint_even_after_a_rotation() {
        let dir = dir("resume");
        let path = dir.join("a.log");
        append(&path, "one\ntwo\n");
        let mut follower = FileFollower::new(&path, None);
        assert_eq!(drain(&mut follower), "one\ntwo\n");
        let position = follower.position();
        drop(follower);
        append(&path, "three\n");
        let mut follower = FileFollower::new(&path, Some(position));
        assert_eq!(drain(&mut follower), "three\n");
        let position = follower.position();
        append(&path, "four\n");
        std::fs::rename(&path, dir.join("a.log.1")).unwrap();
        append(&path, "five\n");
        let mut follower = FileFollower::new(&path, Some(position));
        assert_eq!(drain(&mut follower), "four\nfive\n");
    }

    #[test]
    fn checkpoint_store_round_trips_atomically() {
        let dir = dir("store");
        let store = CheckpointStore::in_dir(&dir.join("state")).unwrap();
        assert!(store.load().unwrap().files.is_empty());
        let mut checkpoint = Checkpoint {
            version: 1,
            ..Checkpoint::default()
        };
        checkpoint.files.insert(
            "a.log".into(),
            FilePosition {
                dev: 1,
                ino: 2,
                offset: 3,
            },
        );
        store.save(&checkpoint).unwrap();
        assert_eq!(store.load().unwrap(), checkpoint);
        assert!(!store.path().with_extension("json.tmp").exists());
        std::fs::write(store.path(), b"nonsense").unwrap();
        assert!(store.load().is_err());
    }
}
