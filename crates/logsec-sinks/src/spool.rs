//! The disk spool: one directory per sink, append-only segment files of OCSF JSON lines.
//!
//! Layout: `<dir>/<20-digit segment number>.jsonl` holds alerts, one OCSF JSON object per line,
//! in the order they were handed to the sink; `<dir>/cursor` holds `<segment> <byte offset>`, the
//! first line not yet delivered. Appends are written and `fsync`ed before they count as spooled;
//! the cursor is replaced atomically (write, `fsync`, rename) after a replayed batch is
//! delivered, so a crash replays at most that batch again (at-least-once). Fully replayed
//! segments are deleted. A line torn by a crash mid-append is closed with a newline on open and
//! then skipped as unreadable (counted in `failed`).

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use logsec_event::Alert;

use crate::error::SinkError;

const CURSOR_FILE: &str = "cursor";
const SEGMENT_SUFFIX: &str = ".jsonl";

/// The default size at which the spool starts a new segment file.
pub const DEFAULT_SEGMENT_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    segment: u64,
    offset: u64,
}

/// Alerts read from the spool but not yet committed.
#[derive(Debug)]
pub(crate) struct Peeked {
    pub(crate) alerts: Vec<Alert>,
    /// Lines that did not parse as alerts (skipped).
    pub(crate) unreadable: usize,
    lines: u64,
    end: Position,
}

#[derive(Debug)]
pub(crate) struct Spool {
    sink: String,
    dir: PathBuf,
    segment_bytes: u64,
    read: Position,
    write_segment: u64,
    write_size: u64,
    pending: u64,
}

impl Spool {
    /// Opens (creating it if needed) the spool directory of `sink`.
    pub(crate) fn open(sink: &str, dir: &Path, segment_bytes: u64) -> Result<Spool, SinkError> {
        let error = |op: &'static str, path: &Path, source| SinkError::Spool {
            sink: sink.to_owned(),
            op,
            path: path.to_owned(),
            source,
        };
        fs::create_dir_all(dir).map_err(|e| error("create spool directory", dir, e))?;
        let mut segments = Vec::new();
        for entry in fs::read_dir(dir).map_err(|e| error("list spool directory", dir, e))? {
            let entry = entry.map_err(|e| error("list spool directory", dir, e))?;
            let name = entry.file_name();
            if let Some(number) = name
                .to_str()
                .and_then(|n| n.strip_suffix(SEGMENT_SUFFIX))
                .and_then(|n| n.parse::<u64>().ok())
            {
                segments.push(number);
            }
        }
        segments.sort_unstable();
        let cursor_path = dir.join(CURSOR_FILE);
        let mut read = match fs::read_to_string(&cursor_path) {
            Ok(text) => parse_cursor(&text).unwrap_or(Position {
                segment: 0,
                offset: 0,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Position {
                segment: 0,
                offset: 0,
            },
            Err(e) => return Err(error("read spool cursor", &cursor_path, e)),
        };
        let first = segments.first().copied().unwrap_or(1);
        if read.segment < first {
            read = Position {
                segment: first,
                offset: 0,
            };
        }
        let mut spool = Spool {
            sink: sink.to_owned(),
            dir: dir.to_owned(),
            segment_bytes: segment_bytes.max(1),
            read,
            write_segment: segments.last().copied().unwrap_or(first).max(read.segment),
            write_size: 0,
            pending: 0,
        };
        for &segment in &segments {
            let path = spool.segment_path(segment);
            if segment < read.segment {
                fs::remove_file(&path).map_err(|e| error("remove replayed segment", &path, e))?;
                continue;
            }
            let mut bytes = Vec::new();
            File::open(&path)
                .and_then(|mut file| file.read_to_end(&mut bytes))
                .map_err(|e| error("read segment", &path, e))?;
            if bytes.last().is_some_and(|&b| b != b'\n') {
                // A crash tore the last append; close the line so later appends stay whole.
                let mut file = OpenOptions::new()
                    .append(true)
                    .open(&path)
                    .map_err(|e| error("repair segment", &path, e))?;
                file.write_all(b"\n")
                    .and_then(|()| file.sync_data())
                    .map_err(|e| error("repair segment", &path, e))?;
                bytes.push(b'\n');
            }
            let start = if segment == read.segment {
                usize::try_from(read.offset)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len())
            } else {
                0
            };
            spool.pending += bytes
                .get(start..)
                .map_or(0, |tail| tail.iter().filter(|&&b| b == b'\n').count())
                as u64;
            if segment == spool.write_segment {
                spool.write_size = bytes.len() as u64;
            }
        }
        Ok(spool)
    }

    /// Alerts waiting to be replayed.
    pub(crate) fn pending(&self) -> u64 {
        self.pending
    }

    fn segment_path(&self, segment: u64) -> PathBuf {
        self.dir.join(format!("{segment:020}{SEGMENT_SUFFIX}"))
    }

    fn error(&self, op: &'static str, path: &Path, source: std::io::Error) -> SinkError {
        SinkError::Spool {
            sink: self.sink.clone(),
            op,
            path: path.to_owned(),
            source,
        }
    }

    /// Appends alerts and syncs them to disk. Returns only once they are durable.
    pub(crate) fn append<'a>(
        &mut self,
        alerts: impl IntoIterator<Item = &'a Alert>,
    ) -> Result<usize, SinkError> {
        let mut buffer = Vec::new();
        let mut count = 0;
        for alert in alerts {
            buffer.extend_from_slice(alert.to_ocsf_json().as_bytes());
            buffer.push(b'\n');
            count += 1;
        }
        if count == 0 {
            return Ok(0);
        }
        if self.write_size > 0 && self.write_size + buffer.len() as u64 > self.segment_bytes {
            self.write_segment += 1;
            self.write_size = 0;
        }
        let path = self.segment_path(self.write_segment);
        // The file is opened for every append, so that a spool directory that disappeared or
        // was replaced fails loudly instead of writing into an unlinked file.
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| self.error("open segment", &path, e))?;
        file.write_all(&buffer)
            .and_then(|()| file.sync_data())
            .map_err(|e| self.error("write segment", &path, e))?;
        if self.write_size == 0 {
            sync_dir(&self.dir).map_err(|e| self.error("sync spool directory", &self.dir, e))?;
        }
        self.write_size += buffer.len() as u64;
        self.pending += count as u64;
        Ok(count)
    }

    /// Reads up to `max` alerts from the replay position without consuming them.
    pub(crate) fn peek(&self, max: usize) -> Result<Peeked, SinkError> {
        let mut peeked = Peeked {
            alerts: Vec::new(),
            unreadable: 0,
            lines: 0,
            end: self.read,
        };
        let max = max.max(1);
        while peeked.alerts.len() < max && peeked.lines < self.pending {
            let path = self.segment_path(peeked.end.segment);
            let file = match File::open(&path) {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if peeked.end.segment < self.write_segment {
                        peeked.end = Position {
                            segment: peeked.end.segment + 1,
                            offset: 0,
                        };
                        continue;
                    }
                    break;
                }
                Err(e) => return Err(self.error("open segment", &path, e)),
            };
            let mut reader = BufReader::new(file);
            reader
                .seek(SeekFrom::Start(peeked.end.offset))
                .map_err(|e| self.error("seek segment", &path, e))?;
            let mut line = Vec::new();
            let mut at_end = false;
            while peeked.alerts.len() < max {
                line.clear();
                let read = reader
                    .read_until(b'\n', &mut line)
                    .map_err(|e| self.error("read segment", &path, e))?;
                if read == 0 || line.last() != Some(&b'\n') {
                    at_end = true;
                    break;
                }
                peeked.end.offset += read as u64;
                peeked.lines += 1;
                match std::str::from_utf8(&line)
                    .ok()
                    .and_then(|text| Alert::from_ocsf_json(text.trim_end()).ok())
                {
                    Some(alert) => peeked.alerts.push(alert),
                    None => peeked.unreadable += 1,
                }
            }
            if at_end {
                if peeked.end.segment < self.write_segment {
                    peeked.end = Position {
                        segment: peeked.end.segment + 1,
                        offset: 0,
                    };
                } else {
                    break;
                }
            }
        }
        Ok(peeked)
    }

    /// Marks what `peeked` read as delivered and deletes replayed segments.
    pub(crate) fn commit(&mut self, peeked: &Peeked) -> Result<(), SinkError> {
        self.pending = self.pending.saturating_sub(peeked.lines);
        let mut end = peeked.end;
        let drained = self.pending == 0;
        if drained {
            // Start afresh in a new segment so every old one can go.
            self.write_segment += 1;
            self.write_size = 0;
            end = Position {
                segment: self.write_segment,
                offset: 0,
            };
        }
        self.write_cursor(end)?;
        for segment in self.read.segment..end.segment {
            let path = self.segment_path(segment);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(self.error("remove replayed segment", &path, e)),
            }
        }
        self.read = end;
        Ok(())
    }

    fn write_cursor(&self, position: Position) -> Result<(), SinkError> {
        let path = self.dir.join(CURSOR_FILE);
        let temporary = self.dir.join("cursor.tmp");
        let text = format!("{} {}\n", position.segment, position.offset);
        File::create(&temporary)
            .and_then(|mut file| {
                file.write_all(text.as_bytes())?;
                file.sync_data()
            })
            .and_then(|()| fs::rename(&temporary, &path))
            .and_then(|()| sync_dir(&self.dir))
            .map_err(|e| self.error("write spool cursor", &path, e))
    }
}

fn parse_cursor(text: &str) -> Option<Position> {
    let mut parts = text.split_whitespace();
    let segment = parts.next()?.parse().ok()?;
    let offset = parts.next()?.parse().ok()?;
    Some(Position { segment, offset })
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use logsec_event::{AlertBuilder, RuleRef, Severity};

    fn alert(n: u32) -> Alert {
        AlertBuilder::new(
            RuleRef {
                id: format!("r{n}"),
                title: format!("rule {n}"),
                ..RuleRef::default()
            },
            Severity::High,
        )
        .related_id(format!("e{n}"), i64::from(n))
        .build()
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("logsec-spool-unit-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn replays_in_order_across_segments_and_reopen() {
        let dir = temp_dir("order");
        let mut spool = Spool::open("s", &dir, 600).unwrap();
        for n in 0..10 {
            spool.append([&alert(n)]).unwrap();
        }
        assert_eq!(spool.pending(), 10);
        let first = spool.peek(4).unwrap();
        let ids: Vec<_> = first.alerts.iter().map(|a| a.rule().id.clone()).collect();
        assert_eq!(ids, ["r0", "r1", "r2", "r3"]);
        spool.commit(&first).unwrap();
        drop(spool);
        let mut spool = Spool::open("s", &dir, 600).unwrap();
        assert_eq!(spool.pending(), 6);
        let rest = spool.peek(100).unwrap();
        let ids: Vec<_> = rest.alerts.iter().map(|a| a.rule().id.clone()).collect();
        assert_eq!(ids, ["r4", "r5", "r6", "r7", "r8", "r9"]);
        spool.commit(&rest).unwrap();
        assert_eq!(spool.pending(), 0);
        let segments = fs::read_dir(&dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".jsonl")
            })
            .count();
        assert_eq!(segments, 0, "replayed segments are deleted");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_torn_line_is_skipped_and_reported() {
        let dir = temp_dir("torn");
        let mut spool = Spool::open("s", &dir, DEFAULT_SEGMENT_BYTES).unwrap();
        spool.append([&alert(1)]).unwrap();
        let segment = spool.segment_path(spool.write_segment);
        drop(spool);
        let mut file = OpenOptions::new().append(true).open(&segment).unwrap();
        file.write_all(b"{\"class_uid\":20").unwrap();
        drop(file);
        let mut spool = Spool::open("s", &dir, DEFAULT_SEGMENT_BYTES).unwrap();
        spool.append([&alert(2)]).unwrap();
        let peeked = spool.peek(10).unwrap();
        assert_eq!(peeked.alerts.len(), 2);
        assert_eq!(peeked.unreadable, 1);
        fs::remove_dir_all(&dir).unwrap();
    }
}
