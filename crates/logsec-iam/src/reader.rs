//! A small CloudTrail file reader: JSON lines or `{"Records":[…]}` documents (or JSON arrays of
//! records), plain or gzip, files or directories. (The CLI may swap in logsec-parse's readers;
//! everything goes through [`for_each_record`].)

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use logsec_event::JsonValue;
use serde::Deserialize;

use crate::error::IamError;

/// The files under `paths` (directories walked recursively, in name order).
pub fn cloudtrail_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, IamError> {
    let mut out = Vec::new();
    for path in paths {
        walk(path, &mut out)?;
    }
    Ok(out)
}

fn walk(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), IamError> {
    let io = |source| IamError::Io {
        path: path.to_owned(),
        source,
    };
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            walk(&entry, out)?;
        }
    } else {
        out.push(path.to_owned());
    }
    Ok(())
}

fn open(path: &Path) -> Result<Box<dyn BufRead>, IamError> {
    let io = |source| IamError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = BufReader::with_capacity(1 << 16, File::open(path).map_err(io)?);
    let is_gzip = file.fill_buf().map_err(io)?.starts_with(&[0x1f, 0x8b]);
    Ok(if is_gzip {
        Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(file)))
    } else {
        Box::new(file)
    })
}

/// One unit of a file's text: the whole document, one line, or why a unit was refused.
enum Frame<'t> {
    Document(&'t str),
    Line(&'t str, u64),
    TooLong(String),
}

/// Whether a file's first bytes open a whole JSON document (`{"Records": …` or `[`) rather
/// than JSON lines.
fn is_document(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head.get(..head.len().min(256)).unwrap_or(&[]));
    let text = text.trim_start();
    if text.starts_with('[') {
        return true;
    }
    text.strip_prefix('{')
        .is_some_and(|rest| rest.trim_start().starts_with("\"Records\""))
}

/// The largest `Records` document read whole (CloudTrail's own files are a few MB).
pub const MAX_DOCUMENT_BYTES: u64 = 1 << 30;

/// The longest JSON line read (a line may hold a whole `Records` document).
pub const MAX_LINE_BYTES: u64 = 64 << 20;

fn for_each_frame(path: &Path, each: &mut dyn FnMut(Frame<'_>)) -> Result<(), IamError> {
    for_each_frame_limited(path, MAX_LINE_BYTES, each)
}

fn for_each_frame_limited(
    path: &Path,
    max_line: u64,
    each: &mut dyn FnMut(Frame<'_>),
) -> Result<(), IamError> {
    let io = |source| IamError::Io {
        path: path.to_owned(),
        source,
    };
    let mut reader = open(path)?;
    if is_document(reader.fill_buf().map_err(io)?) {
        let mut bytes = Vec::new();
        (&mut reader)
            .take(MAX_DOCUMENT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
            each(Frame::TooLong(format!(
                "{}: document longer than {MAX_DOCUMENT_BYTES} bytes",
                path.display()
            )));
            return Ok(());
        }
        match String::from_utf8(bytes) {
            Ok(text) => each(Frame::Document(&text)),
            Err(_) => each(Frame::TooLong(format!("{}: not UTF-8", path.display()))),
        }
        return Ok(());
    }
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let read = (&mut reader)
            .take(max_line + 1)
            .read_until(b'\n', &mut line)
            .map_err(io)?;
        if read == 0 {
            break;
        }
        number += 1;
        if line.len() as u64 > max_line && line.last() != Some(&b'\n') {
            // Skip the rest of the over-long line without holding it.
            loop {
                let buffer = reader.fill_buf().map_err(io)?;
                if buffer.is_empty() {
                    break;
                }
                match buffer.iter().position(|b| *b == b'\n') {
                    Some(at) => {
                        reader.consume(at + 1);
                        break;
                    }
                    None => {
                        let len = buffer.len();
                        reader.consume(len);
                    }
                }
            }
            each(Frame::TooLong(format!(
                "{}:{number}: line longer than {max_line} bytes",
                path.display()
            )));
            continue;
        }
        match std::str::from_utf8(&line) {
            Ok(text) => {
                let text = text.trim();
                if !text.is_empty() {
                    each(Frame::Line(text, number));
                }
            }
            Err(_) => each(Frame::TooLong(format!(
                "{}:{number}: not UTF-8",
                path.display()
            ))),
        }
    }
    Ok(())
}

/// Calls `each` with every record of a CloudTrail file: each element of a `{"Records":[…]}`
/// document or JSON array, or each line of JSON lines (a line may itself hold a `Records`
/// document). Text that is not valid JSON is passed as `Err` with its location; an unreadable
/// file is an error.
pub fn for_each_record(
    path: &Path,
    each: &mut dyn FnMut(Result<&JsonValue<'_>, String>),
) -> Result<(), IamError> {
    for_each_frame(path, &mut |frame| {
        let (text, location) = match frame {
            Frame::Document(text) => (text, path.display().to_string()),
            Frame::Line(text, number) => (text, format!("{}:{number}", path.display())),
            Frame::TooLong(reason) => return each(Err(reason)),
        };
        match JsonValue::parse(text) {
            Ok(JsonValue::Array(records)) => records.iter().for_each(|r| each(Ok(r))),
            Ok(tree) => match tree.get("Records") {
                Some(JsonValue::Array(records)) => records.iter().for_each(|r| each(Ok(r))),
                Some(_) => each(Err(format!("{location}: Records is not an array"))),
                None => each(Ok(&tree)),
            },
            Err(err) => each(Err(format!("{location}: {err}"))),
        }
    })
}

/// Just the `eventTime` of a record (everything else is skipped without building a tree).
#[derive(Deserialize)]
struct TimeOnly<'a> {
    #[serde(borrow, rename = "eventTime")]
    event_time: Option<Cow<'a, str>>,
    /// Logstash exports' stand-in for `eventTime`.
    #[serde(borrow, rename = "@timestamp")]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "Records")]
    records: Option<Vec<TimeOnly<'a>>>,
}

/// Calls `each` with the `eventTime` text of every record of a file (a fast first pass: no
/// tree is built). Unreadable records are skipped; the second pass counts them.
pub(crate) fn for_each_event_time(path: &Path, each: &mut dyn FnMut(&str)) -> Result<(), IamError> {
    fn visit(record: &TimeOnly<'_>, each: &mut dyn FnMut(&str)) {
        if let Some(time) = record.event_time.as_ref().or(record.timestamp.as_ref()) {
            each(time);
        }
        for inner in record.records.iter().flatten() {
            visit(inner, each);
        }
    }
    for_each_frame(path, &mut |frame| {
        let text = match frame {
            Frame::Document(text) | Frame::Line(text, _) => text.trim_start(),
            Frame::TooLong(_) => return,
        };
        // Typed structs skip unknown members without building anything; an untagged enum
        // would buffer the whole document, so the shape is chosen by the first character.
        if text.starts_with('[') {
            if let Ok(records) = serde_json::from_str::<Vec<TimeOnly<'_>>>(text) {
                records.iter().for_each(|r| visit(r, each));
            }
        } else if let Ok(record) = serde_json::from_str::<TimeOnly<'_>>(text) {
            visit(&record, each);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records_of(name: &str, content: &[u8]) -> (Vec<String>, Vec<String>) {
        let dir = std::env::temp_dir().join(format!("logsec-iam-reader-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let mut names = Vec::new();
        let mut errors = Vec::new();
        for_each_record(&path, &mut |record| match record {
            Ok(tree) => names.push(
                tree.get("eventName")
                    .and_then(JsonValue::as_str)
                    .unwrap_or("?")
                    .to_owned(),
            ),
            Err(err) => errors.push(err.rsplit(": ").next().unwrap_or("").to_owned()),
        })
        .unwrap();
        let mut times = Vec::new();
        for_each_event_time(&path, &mut |t| times.push(t.to_owned())).unwrap();
        std::fs::remove_file(&path).unwrap();
        names.extend(times.into_iter().map(|t| format!("time:{t}")));
        (names, errors)
    }

    #[test]
    fn over_long_lines_are_skipped_whole() {
        let dir = std::env::temp_dir().join(format!("logsec-iam-long-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("long.jsonl");
        let long = format!("{{\"eventName\":\"{}\"}}", "x".repeat(100_000));
        std::fs::write(&path, format!("{{\"a\":1}}\n{long}\n{{\"b\":2}}\n{long}")).unwrap();
        let mut frames = Vec::new();
        for_each_frame_limited(&path, 64, &mut |frame| {
            frames.push(match frame {
                Frame::Document(t) | Frame::Line(t, _) => t.to_owned(),
                Frame::TooLong(reason) => reason.rsplit(": ").next().unwrap_or("").to_owned(),
            })
        })
        .unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            frames,
            [
                "{\"a\":1}",
                "line longer than 64 bytes",
                "{\"b\":2}",
                "line longer than 64 bytes"
            ]
        );
    }

    #[test]
    fn framings() {
        let pretty = b"{\n  \"Records\": [\n {\"eventName\": \"A\", \"eventTime\": \"t1\"},\n {\"eventName\": \"B\"}]}";
        assert_eq!(records_of("pretty.json", pretty).0, ["A", "B", "time:t1"]);
        let array = b" [{\"eventName\": \"A\"}, {\"eventName\": \"B\", \"eventTime\": \"t2\"}]";
        assert_eq!(records_of("array.json", array).0, ["A", "B", "time:t2"]);
        let lines = b"{\"eventName\":\"A\",\"eventTime\":\"t1\"}\n\n{\"Records\":[{\"eventName\":\"B\",\"eventTime\":\"t3\"}]}\n{oops\n";
        let (names, errors) = records_of("lines.jsonl", lines);
        assert_eq!(names, ["A", "B", "time:t1", "time:t3"]);
        assert_eq!(errors.len(), 1);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, b"{\"Records\":[{\"eventName\":\"Z\"}]}").unwrap();
        assert_eq!(records_of("z.json.gz", &gz.finish().unwrap()).0, ["Z"]);
        let (names, errors) = records_of("broken.json", b"{\"Records\": [1, ");
        assert!(names.is_empty());
        assert_eq!(errors.len(), 1);
        assert!(for_each_record(Path::new("/nonexistent/logsec"), &mut |_| {}).is_err());
        let mut invalid = b"{\"eventName\":\"A\"}\n".to_vec();
        invalid.extend_from_slice(&[0xff, 0xfe, b'\n']);
        invalid.extend_from_slice(b"{\"eventName\":\"B\"}");
        let (names, errors) = records_of("invalid-utf8.jsonl", &invalid);
        assert_eq!(names, ["A", "B"]);
        assert_eq!(errors, ["not UTF-8"]);
    }
}
