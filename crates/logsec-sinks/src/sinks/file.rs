//! The file sink: JSON lines with rotation by size and time.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use logsec_event::Alert;

use crate::encoding::Encoder;
use crate::error::SinkError;
use crate::sink::{Batching, Sink};

/// When the file sink syncs written alerts to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fsync {
    /// After every batch, before the batch counts as delivered (the default).
    #[default]
    EveryBatch,
    /// At most once per interval (alerts written since the last sync can be lost in a crash).
    Interval(Duration),
    /// Never explicitly (the operating system decides).
    Never,
}

/// Builds a [`FileSink`].
#[derive(Debug, Clone)]
pub struct FileSinkBuilder {
    path: PathBuf,
    encoder: Encoder,
    max_bytes: Option<u64>,
    max_age: Option<Duration>,
    keep: Option<usize>,
    fsync: Fsync,
}

impl FileSinkBuilder {
    /// Sets the encoding (default OCSF JSON).
    pub fn encoder(mut self, encoder: Encoder) -> Self {
        self.encoder = encoder;
        self
    }

    /// Rotates once the file reaches `bytes`.
    pub fn rotate_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = Some(bytes.max(1));
        self
    }

    /// Rotates once the file has been open for `age`.
    pub fn rotate_every(mut self, age: Duration) -> Self {
        self.max_age = Some(age);
        self
    }

    /// Keeps at most `count` rotated files, deleting the oldest (default: keep all).
    pub fn keep_rotated(mut self, count: usize) -> Self {
        self.keep = Some(count);
        self
    }

    /// Sets the sync policy.
    pub fn fsync(mut self, fsync: Fsync) -> Self {
        self.fsync = fsync;
        self
    }

    /// Opens the file (creating its directory) for appending.
    pub fn build(self) -> Result<FileSink, SinkError> {
        if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|e| SinkError::io("create directory", parent, e))?;
        }
        let (file, size) = open_append(&self.path)?;
        let next_index = rotated_files(&self.path).last().map_or(1, |(n, _)| n + 1);
        Ok(FileSink {
            config: self,
            file,
            size,
            opened: Instant::now(),
            last_sync: Instant::now(),
            next_index,
        })
    }
}

fn open_append(path: &Path) -> Result<(File, u64), SinkError> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| SinkError::io("open", path, e))?;
    let size = file
        .metadata()
        .map_err(|e| SinkError::io("stat", path, e))?
        .len();
    Ok((file, size))
}

/// Rotated files `<path>.<n>`, sorted by `n`.
fn rotated_files(path: &Path) -> Vec<(u64, PathBuf)> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!("{name}.");
    let mut found: Vec<(u64, PathBuf)> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|entry| {
                    let file_name = entry.file_name();
                    let n = file_name.to_str()?.strip_prefix(&prefix)?.parse().ok()?;
                    Some((n, entry.path()))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Appends one encoded alert per line to a file. Rotation renames the file to `<path>.<n>`
/// (`n` counting up from 1) and starts a new one.
#[derive(Debug)]
pub struct FileSink {
    config: FileSinkBuilder,
    file: File,
    size: u64,
    opened: Instant,
    last_sync: Instant,
    next_index: u64,
}

impl FileSink {
    /// Starts a builder for a sink writing to `path`.
    pub fn builder(path: impl Into<PathBuf>) -> FileSinkBuilder {
        FileSinkBuilder {
            path: path.into(),
            encoder: Encoder::default(),
            max_bytes: None,
            max_age: None,
            keep: None,
            fsync: Fsync::default(),
        }
    }

    fn rotate(&mut self) -> Result<(), SinkError> {
        let path = &self.config.path;
        self.file
            .sync_all()
            .map_err(|e| SinkError::io("sync", path, e))?;
        let rotated = PathBuf::from(format!("{}.{}", path.display(), self.next_index));
        fs::rename(path, &rotated).map_err(|e| SinkError::io("rotate", path, e))?;
        self.next_index += 1;
        let (file, size) = open_append(path)?;
        self.file = file;
        self.size = size;
        self.opened = Instant::now();
        if let Some(keep) = self.config.keep {
            let rotated = rotated_files(path);
            let excess = rotated.len().saturating_sub(keep);
            for (_, old) in rotated.into_iter().take(excess) {
                fs::remove_file(&old).map_err(|e| SinkError::io("remove", &old, e))?;
            }
        }
        Ok(())
    }
}

impl Sink for FileSink {
    fn kind(&self) -> &'static str {
        "file"
    }

    fn send(&mut self, alerts: &[Alert]) -> Result<(), SinkError> {
        let aged = self
            .config
            .max_age
            .is_some_and(|age| self.opened.elapsed() >= age);
        if self.size > 0 && aged {
            self.rotate()?;
        }
        let mut buffer = Vec::new();
        for alert in alerts {
            let line = self.config.encoder.line(alert);
            if let Some(max) = self.config.max_bytes {
                let projected = self.size + (buffer.len() + line.len() + 1) as u64;
                if projected > max && self.size + buffer.len() as u64 > 0 {
                    self.write(&buffer)?;
                    buffer.clear();
                    self.rotate()?;
                }
            }
            buffer.extend_from_slice(line.as_bytes());
            buffer.push(b'\n');
        }
        self.write(&buffer)?;
        let sync = match self.config.fsync {
            Fsync::EveryBatch => true,
            Fsync::Interval(every) => self.last_sync.elapsed() >= every,
            Fsync::Never => false,
        };
        if sync {
            self.file
                .sync_data()
                .map_err(|e| SinkError::io("sync", &self.config.path, e))?;
            self.last_sync = Instant::now();
        }
        Ok(())
    }

    fn batching(&self) -> Batching {
        Batching {
            max_alerts: 512,
            max_wait: Duration::ZERO,
        }
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        if self.config.fsync != Fsync::Never {
            self.file
                .sync_data()
                .map_err(|e| SinkError::io("sync", &self.config.path, e))?;
        }
        Ok(())
    }
}

impl FileSink {
    fn write(&mut self, bytes: &[u8]) -> Result<(), SinkError> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.file
            .write_all(bytes)
            .map_err(|e| SinkError::io("write", &self.config.path, e))?;
        self.size += bytes.len() as u64;
        Ok(())
    }
}
