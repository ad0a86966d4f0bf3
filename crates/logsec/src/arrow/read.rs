//! Reading inputs straight into event record batches, in parallel over files and over chunks
//! of large line-delimited JSON files, with a deterministic output order.
//!
//! A plain (not compressed) file of at least two chunks whose lines are each a complete JSON
//! value (JSON lines: CloudTrail from a lake, Kubernetes audit, GCP, Azure exports) is cut at
//! line boundaries into chunks that are parsed at the same time; every other input is parsed as
//! one stream. Batches come out in input order (file by file, chunk by chunk, event by event)
//! whatever thread finished first, so one thread and N threads give the same table.

use std::fs::File;
use std::io::Read;
use std::time::Instant;

use arrow_array::RecordBatch;
use logsec_event::Event;
use logsec_parse::{LocationKind, Note, ParseError, ParseOptions, ParseSummary, parse_reader};
use rayon::prelude::*;

use super::EventBatchBuilder;
use crate::{FileReport, Input, Pipeline, PipelineError, ScanReport};

/// The default size of one chunk of a large JSON-lines file (see [`ReadOptions::chunk_bytes`]).
pub const DEFAULT_CHUNK_BYTES: usize = 4 << 20;

/// How [`read_event_batches`] reads.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Parse options (forced format, limits, syslog year, …). `file_name` is set per input.
    pub parse: ParseOptions,
    /// Rows per record batch at most (at least 1).
    pub batch_size: usize,
    /// Worker threads; 0 means one per available core.
    pub threads: usize,
    /// Target bytes per chunk when a large JSON-lines file is cut for parallel parsing; a file
    /// smaller than two chunks is parsed as one stream.
    pub chunk_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            parse: ParseOptions::default(),
            batch_size: 65_536,
            threads: 0,
            chunk_bytes: DEFAULT_CHUNK_BYTES,
        }
    }
}

/// What [`read_event_batches`] produced: the events as batches in input order, and one
/// [`FileReport`] per input file (counts, rejects with their locations, notes, file errors).
#[derive(Debug, Clone, Default)]
pub struct EventBatches {
    /// Event batches (schema [`super::event_schema`]), in input order.
    pub batches: Vec<RecordBatch>,
    /// Per-file outcomes, in input order (the alert counters stay zero).
    pub report: ScanReport,
}

/// Reads `inputs` (directories expanded recursively, `.gz` decompressed) into event record
/// batches, parsing files — and chunks of large JSON-lines files — in parallel.
///
/// A file that cannot be read or recognized is reported in its [`FileReport::error`] and the
/// others are read; malformed records are [`FileReport::rejects`] with the line number and
/// byte offset they have in the whole file.
///
/// # Errors
///
/// [`PipelineError::Input`] when an input path does not exist or a directory cannot be listed,
/// [`PipelineError::Threads`] when the worker pool cannot start.
///
/// ```
/// use logsec::arrow::{read_event_batches, ReadOptions};
/// use logsec::Input;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let line = r#"{"eventVersion":"1.09","eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1"}"#;
/// let input = Input::Bytes { name: "ct.jsonl".into(), data: format!("{line}\n{line}\n").into_bytes() };
/// let read = read_event_batches(&[input], &ReadOptions::default())?;
/// assert_eq!(read.batches.iter().map(|b| b.num_rows()).sum::<usize>(), 2);
/// assert_eq!(read.report.files[0].events, 2);
/// # Ok(())
/// # }
/// ```
pub fn read_event_batches(
    inputs: &[Input],
    options: &ReadOptions,
) -> Result<EventBatches, PipelineError> {
    let started = Instant::now();
    let inputs = Pipeline::expand_borrowed(inputs)?;
    let threads = if options.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        options.threads
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|err| PipelineError::Threads {
            threads,
            reason: err.to_string(),
        })?;
    let outcomes: Vec<(FileReport, Vec<RecordBatch>)> = pool.install(|| {
        inputs
            .par_iter()
            .map(|input| read_input(input, options))
            .collect()
    });
    let mut out = EventBatches::default();
    for (report, batches) in outcomes {
        out.batches.extend(batches);
        out.report.files.push(report);
    }
    out.report.elapsed = started.elapsed();
    Ok(out)
}

/// Events visited in order into batches; an Arrow error (a bug: the schema is fixed) is kept
/// and reported as the file's error rather than panicking.
struct Collector {
    builder: EventBatchBuilder,
    batches: Vec<RecordBatch>,
    failure: Option<String>,
}

impl Collector {
    fn new(batch_size: usize, hint: SizeHint) -> Collector {
        Collector {
            builder: EventBatchBuilder::with_capacity(batch_size, hint.rows, hint.bytes),
            batches: Vec::new(),
            failure: None,
        }
    }

    fn visit(&mut self, event: &Event<'_>) {
        match self.builder.append(event) {
            Ok(Some(batch)) => self.batches.push(batch),
            Ok(None) => {}
            Err(err) => {
                self.failure
                    .get_or_insert_with(|| format!("internal error building Arrow data: {err}"));
            }
        }
    }

    fn finish(mut self) -> (Vec<RecordBatch>, Option<String>) {
        match self.builder.finish() {
            Ok(batch) => self.batches.extend(batch),
            Err(err) => {
                self.failure
                    .get_or_insert_with(|| format!("internal error building Arrow data: {err}"));
            }
        }
        (self.batches, self.failure)
    }
}

fn file_report(name: String, summary: Result<ParseSummary, ParseError>) -> FileReport {
    match summary {
        Ok(summary) => FileReport {
            name,
            format: summary.format,
            records: summary.records,
            events: summary.events,
            skipped: summary.skipped,
            rejects: summary.rejects,
            notes: summary.notes,
            error: None,
        },
        Err(err) => FileReport {
            name,
            error: Some(err.to_string()),
            ..FileReport::default()
        },
    }
}

/// About how many rows and raw bytes an input will give, to size the Arrow buffers up front.
#[derive(Debug, Clone, Copy, Default)]
struct SizeHint {
    rows: usize,
    bytes: usize,
}

impl SizeHint {
    /// For `bytes` of input whose number of records is not known: a guess on the high side
    /// (short records), which only reserves address space that is never touched.
    fn of_bytes(bytes: u64) -> SizeHint {
        let bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
        SizeHint {
            rows: bytes / 256,
            bytes,
        }
    }
}

fn parse_stream<R: Read>(
    reader: R,
    name: String,
    parse: &ParseOptions,
    batch_size: usize,
    hint: SizeHint,
) -> (FileReport, Vec<RecordBatch>) {
    let mut collector = Collector::new(batch_size, hint);
    let summary = parse_reader(reader, parse, |event: &Event<'_>| collector.visit(event));
    let (batches, failure) = collector.finish();
    let mut report = file_report(name, summary);
    if failure.is_some() && report.error.is_none() {
        report.error = failure;
    }
    (report, batches)
}

fn modified_ms(file: &File) -> Option<i64> {
    let modified = file.metadata().ok()?.modified().ok()?;
    let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    i64::try_from(since.as_millis()).ok()
}

fn read_input(input: &Input, options: &ReadOptions) -> (FileReport, Vec<RecordBatch>) {
    let name = input.name();
    let mut parse = options.parse.clone();
    parse.file_name = Some(name.clone());
    let batch_size = options.batch_size.max(1);
    match input {
        Input::Path(path) => {
            let mut file = match File::open(path) {
                Ok(file) => file,
                Err(err) => {
                    let report = FileReport {
                        name,
                        error: Some(format!("cannot open: {err}")),
                        ..FileReport::default()
                    };
                    return (report, Vec::new());
                }
            };
            if parse.reference_time_ms.is_none() {
                parse.reference_time_ms = modified_ms(&file);
            }
            let size = file.metadata().map_or(0, |m| m.len());
            let chunk = options.chunk_bytes.max(1);
            if size < 2 * chunk as u64 {
                return parse_stream(file, name, &parse, batch_size, SizeHint::of_bytes(size));
            }
            let mut data = Vec::new();
            if let Err(err) = file.read_to_end(&mut data) {
                let report = FileReport {
                    name,
                    error: Some(format!("cannot read: {err}")),
                    ..FileReport::default()
                };
                return (report, Vec::new());
            }
            parse_in_memory(&data, name, &parse, batch_size, chunk)
        }
        Input::Stdin => parse_stream(
            std::io::stdin().lock(),
            name,
            &parse,
            batch_size,
            SizeHint::default(),
        ),
        Input::Bytes { data, .. } => {
            parse_in_memory(data, name, &parse, batch_size, options.chunk_bytes.max(1))
        }
    }
}

/// Whether `line` (without its terminator) is one complete JSON object on its own.
fn is_json_object_line(line: &[u8]) -> bool {
    let trimmed = line.trim_ascii();
    trimmed.first() == Some(&b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(trimmed).is_ok()
}

fn line_at(data: &[u8], start: usize) -> &[u8] {
    let rest = data.get(start..).unwrap_or_default();
    let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
    rest.get(..end).unwrap_or_default()
}

/// Chunk start offsets for `data` cut at line boundaries about every `chunk` bytes, or `None`
/// when the input is not JSON lines (the first line and the first line of every chunk must
/// each be a complete JSON object) or is too small to be worth cutting.
fn chunk_starts(data: &[u8], chunk: usize) -> Option<Vec<usize>> {
    if data.len() < 2 * chunk || !is_json_object_line(line_at(data, 0)) {
        return None;
    }
    let mut starts = vec![0];
    let mut at = chunk;
    while at < data.len() {
        let rest = data.get(at..)?;
        let newline = memchr::memchr(b'\n', rest)?;
        let start = at + newline + 1;
        if start >= data.len() {
            break;
        }
        if !is_json_object_line(line_at(data, start)) {
            return None;
        }
        starts.push(start);
        at = start + chunk;
    }
    (starts.len() > 1).then_some(starts)
}

fn parse_in_memory(
    data: &[u8],
    name: String,
    parse: &ParseOptions,
    batch_size: usize,
    chunk: usize,
) -> (FileReport, Vec<RecordBatch>) {
    let whole = SizeHint::of_bytes(data.len() as u64);
    let Some(starts) = chunk_starts(data, chunk) else {
        return parse_stream(data, name, parse, batch_size, whole);
    };
    // One format for every chunk: the one the whole input is detected as.
    let mut parse = parse.clone();
    if parse.format.is_none() {
        let head = data.get(..data.len().min(64 << 10)).unwrap_or(data);
        match logsec_parse::detect(parse.file_name.as_deref(), head) {
            Ok(format) => parse.format = Some(format),
            Err(_) => return parse_stream(data, name, &parse, batch_size, whole),
        }
    }
    let ends = starts.iter().skip(1).copied().chain([data.len()]);
    let bounds: Vec<(usize, usize)> = starts.iter().copied().zip(ends).collect();
    let parts: Vec<(FileReport, Vec<RecordBatch>, u64)> = bounds
        .par_iter()
        .map(|&(start, end)| {
            let slice = data.get(start..end).unwrap_or_default();
            let lines = memchr::memchr_iter(b'\n', slice).count() as u64;
            // One record per line: the chunk's lines and bytes are its rows and raw text.
            let hint = SizeHint {
                rows: lines as usize,
                bytes: slice.len(),
            };
            let (report, batches) = parse_stream(slice, name.clone(), &parse, batch_size, hint);
            (report, batches, lines)
        })
        .collect();
    let mut report = FileReport {
        name,
        format: parse.format,
        ..FileReport::default()
    };
    let mut batches = Vec::new();
    let mut lines_before = 0u64;
    for ((start, _), (part, part_batches, lines)) in bounds.iter().zip(parts) {
        merge_chunk(&mut report, part, *start as u64, lines_before);
        batches.extend(part_batches);
        lines_before += lines;
    }
    (report, batches)
}

/// Adds one chunk's counts, rejects (moved to their place in the whole input) and notes.
fn merge_chunk(report: &mut FileReport, part: FileReport, offset: u64, lines_before: u64) {
    report.records += part.records;
    report.events += part.events;
    report.skipped += part.skipped;
    if report.error.is_none() {
        report.error = part.error;
    }
    if report.format.is_none() {
        report.format = part.format;
    }
    for mut reject in part.rejects {
        reject.byte_offset += offset;
        if reject.location_kind == LocationKind::Line {
            reject.record += lines_before;
        }
        report.rejects.push(reject);
    }
    for note in part.notes {
        match report.notes.iter_mut().find(|n| n.message == note.message) {
            Some(seen) => seen.count += note.count,
            None => report.notes.push(Note {
                message: note.message,
                count: note.count,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;

    fn line(i: usize) -> String {
        format!(
            r#"{{"eventVersion":"1.09","eventTime":"2026-01-01T00:00:{:02}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","eventID":"e{i}","recipientAccountId":"1"}}"#,
            i % 60
        )
    }

    fn jsonl(n: usize, bad_every: usize) -> String {
        let mut out = String::new();
        for i in 0..n {
            if bad_every > 0 && i % bad_every == bad_every - 1 {
                out.push_str("{\"eventVersion\": broken\n");
            } else {
                out.push_str(&line(i));
                out.push('\n');
            }
        }
        out
    }

    fn read(data: &str, chunk_bytes: usize, threads: usize) -> EventBatches {
        let input = Input::Bytes {
            name: "t.jsonl".into(),
            data: data.as_bytes().to_vec(),
        };
        let options = ReadOptions {
            batch_size: 7,
            threads,
            chunk_bytes,
            ..ReadOptions::default()
        };
        read_event_batches(&[input], &options).unwrap()
    }

    fn ids(read: &EventBatches) -> Vec<String> {
        read.batches
            .iter()
            .flat_map(|b| {
                let column = b
                    .column_by_name("metadata_original_event_uid")
                    .unwrap()
                    .as_string::<i32>()
                    .clone();
                column
                    .iter()
                    .map(|v| v.unwrap().to_owned())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn chunked_parallel_read_equals_one_stream() {
        let data = jsonl(400, 37);
        let whole = read(&data, usize::MAX / 4, 1);
        let chunked = read(&data, 1000, 2);
        // 400 lines, every 37th broken: 10 rejects, 390 events.
        assert_eq!(whole.report.files[0].events, 390);
        assert_eq!(chunked.report.files[0].events, 390);
        assert_eq!(chunked.report.files[0].records, 400);
        assert_eq!(ids(&chunked), ids(&whole));
        assert_eq!(ids(&chunked)[0], "e0");
        assert_eq!(ids(&chunked)[389], "e399");
        let lines: Vec<u64> = chunked.report.files[0]
            .rejects
            .iter()
            .map(|r| r.record)
            .collect();
        assert_eq!(lines, (1..=10).map(|k| 37 * k).collect::<Vec<u64>>());
        assert_eq!(
            chunked.report.files[0].rejects,
            whole.report.files[0].rejects
        );
        // The 37th line starts after 36 full lines.
        let offset: usize = (0..36).map(|i| line(i).len() + 1).sum();
        assert_eq!(
            chunked.report.files[0].rejects[0].byte_offset,
            offset as u64
        );
        assert!(chunked.batches.len() > whole.batches.len() / 2);
        assert!(chunked.batches.iter().all(|b| b.num_rows() <= 7));
    }

    #[test]
    fn documents_spanning_lines_are_not_cut() {
        // A pretty-printed Records document: its first line is `{`, so it is one stream.
        let records: Vec<String> = (0..50).map(line).collect();
        let data = format!("{{\n\"Records\": [\n{}\n]\n}}\n", records.join(",\n"));
        assert!(chunk_starts(data.as_bytes(), 100).is_none());
        let read = read(&data, 100, 2);
        assert_eq!(read.report.files[0].events, 50);
        assert!(read.report.files[0].rejects.is_empty());
        assert_eq!(ids(&read)[49], "e49");
    }

    #[test]
    fn text_lines_are_not_cut() {
        let data = "Nov 20 03:19:02 web1 sshd[811]: Failed password for deploy from 198.51.100.42 port 50122 ssh2\n".repeat(40);
        assert!(chunk_starts(data.as_bytes(), 100).is_none());
    }

    #[test]
    fn unreadable_inputs_are_file_errors_and_missing_paths_input_errors() {
        let read = read("\u{0}\u{1} junk", 100, 1);
        assert!(
            read.report.files[0]
                .error
                .as_deref()
                .unwrap()
                .contains("cannot detect")
        );
        let missing = Input::Path("/nonexistent/logsec/x.log".into());
        let err = read_event_batches(&[missing], &ReadOptions::default()).unwrap_err();
        assert!(matches!(err, PipelineError::Input { .. }));
    }
}
