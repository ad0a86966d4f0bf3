//! A small CloudTrail file reader: JSON lines or `{"Records":[…]}` documents, plain or gzip,
//! files or directories. (The CLI may swap in logsec-parse's readers; everything goes through
//! [`for_each_record`].)

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use logsec_event::JsonValue;

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

/// Calls `each` with every record of a CloudTrail file: each line of JSON lines, or each
/// element of a `{"Records":[…]}` document. A record that is not valid JSON is passed as `Err`
/// with its location; an unreadable file is an error.
pub fn for_each_record(
    path: &Path,
    each: &mut dyn FnMut(Result<&JsonValue<'_>, String>),
) -> Result<(), IamError> {
    let io = |source| IamError::Io {
        path: path.to_owned(),
        source,
    };
    let mut reader = open(path)?;
    // A `Records` document starts with `{` and names `Records` early; JSON lines hold one
    // record per line. Peek at the start to tell them apart.
    let head = reader.fill_buf().map_err(io)?;
    let text_start = String::from_utf8_lossy(head.get(..head.len().min(64)).unwrap_or(&[]))
        .trim_start()
        .to_owned();
    if text_start.starts_with("{\"Records\"") || text_start.starts_with("{ \"Records\"") {
        let mut text = String::new();
        reader.read_to_string(&mut text).map_err(io)?;
        let tree = JsonValue::parse(&text).map_err(|err| IamError::Json {
            path: path.to_owned(),
            location: None,
            message: err.to_string(),
        })?;
        match tree.get("Records") {
            Some(JsonValue::Array(records)) => records.iter().for_each(|r| each(Ok(r))),
            _ => {
                return Err(IamError::Json {
                    path: path.to_owned(),
                    location: None,
                    message: "Records is not an array".into(),
                });
            }
        }
        return Ok(());
    }
    let mut line = String::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let read = reader.read_line(&mut line).map_err(io)?;
        if read == 0 {
            break;
        }
        number += 1;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        match JsonValue::parse(text) {
            // A line may hold a whole `Records` document (files concatenated into lines).
            Ok(tree) => match tree.get("Records") {
                Some(JsonValue::Array(records)) => records.iter().for_each(|r| each(Ok(r))),
                _ => each(Ok(&tree)),
            },
            Err(err) => each(Err(format!("{}:{number}: {err}", path.display()))),
        }
    }
    Ok(())
}
