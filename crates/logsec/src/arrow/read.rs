//! Reading inputs straight into event record batches, in parallel over files and over chunks
//! of large line-delimited JSON files, with a deterministic output order.
//!
//! Each input is cut into chunks as the pipeline's scan cuts it (`chunk.rs`): JSON lines
//! (CloudTrail from a lake, Kubernetes audit, GCP, Azure exports) at line boundaries and
//! `{"Records":[…]}` documents between records, gzip included; one thread reads and cuts while
//! the pool parses the chunks already cut. Text logs and other JSON shapes are parsed as one
//! stream. Batches come out in input order (file by file, chunk by chunk, event by event)
//! whatever thread finished first, so one thread and N threads give the same table, and
//! rejects carry the line number (or record index) and byte offset they have in the whole
//! input.

use std::fs::File;
use std::io::Read;
use std::sync::{Arc, mpsc};
use std::time::Instant;

use arrow_array::RecordBatch;
use logsec_event::Event;
use logsec_parse::{
    LocationKind, ParseError, ParseOptions, ParseSummary, Reject, parse_reader, parse_slice,
};
use rayon::prelude::*;

use super::EventBatchBuilder;
use crate::chunk::{self, Framing, InputEnd, Piece, SendRead, SplitConfig};
use crate::{FileReport, Input, Pipeline, PipelineError, ScanReport};

/// The default size of one chunk of an input (see [`ReadOptions::chunk_bytes`]).
pub const DEFAULT_CHUNK_BYTES: usize = 4 << 20;

/// The smallest chunk [`ReadOptions::chunk_bytes`] is raised to.
const MIN_CHUNK_BYTES: usize = 1 << 10;
/// The largest chunk [`ReadOptions::chunk_bytes`] is lowered to.
const MAX_CHUNK_BYTES: usize = 1 << 30;

/// How [`read_event_batches`] reads.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Parse options (forced format, limits, syslog year, …). `file_name` is set per input.
    pub parse: ParseOptions,
    /// Rows per record batch at most (at least 1).
    pub batch_size: usize,
    /// Worker threads; 0 means one per available core.
    pub threads: usize,
    /// Target bytes per chunk when an input is cut for parallel parsing (1 KiB to 1 GiB; a
    /// value outside is brought to the nearer bound). A chunk ends at the first record
    /// boundary after this many bytes.
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
/// batches, parsing files — and chunks of JSON-lines and `Records` inputs — in parallel.
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
        match self.builder.finish_last() {
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

/// What parsing one input or chunk into batches gives: the parse result, the batches, and an
/// Arrow failure if any.
type Collected = (
    Result<ParseSummary, ParseError>,
    Vec<RecordBatch>,
    Option<String>,
);

/// Runs `parse` with a visitor that builds the batches.
fn collect_with(
    batch_size: usize,
    hint: SizeHint,
    parse: impl FnOnce(&mut dyn FnMut(&Event<'_>)) -> Result<ParseSummary, ParseError>,
) -> Collected {
    let mut collector = Collector::new(batch_size, hint);
    let summary = parse(&mut |event: &Event<'_>| collector.visit(event));
    let (batches, failure) = collector.finish();
    (summary, batches, failure)
}

/// Parses `reader` into batches.
fn collect<R: Read>(
    reader: R,
    parse: &ParseOptions,
    batch_size: usize,
    hint: SizeHint,
) -> Collected {
    collect_with(batch_size, hint, |visit| parse_reader(reader, parse, visit))
}

/// [`collect`] for bytes in memory (no copy into a read buffer).
fn collect_slice(
    bytes: &[u8],
    parse: &ParseOptions,
    batch_size: usize,
    hint: SizeHint,
) -> Collected {
    collect_with(batch_size, hint, |visit| parse_slice(bytes, parse, visit))
}

fn parse_stream<R: Read>(
    reader: R,
    name: String,
    parse: &ParseOptions,
    batch_size: usize,
    hint: SizeHint,
) -> (FileReport, Vec<RecordBatch>) {
    let (summary, batches, failure) = collect(reader, parse, batch_size, hint);
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
    let (reader, reopenable): (SendRead<'_>, bool) = match input {
        Input::Path(path) => match File::open(path) {
            Ok(file) => {
                if parse.reference_time_ms.is_none() {
                    parse.reference_time_ms = modified_ms(&file);
                }
                (Box::new(file), true)
            }
            Err(err) => {
                let report = FileReport {
                    name,
                    error: Some(format!("cannot open: {err}")),
                    ..FileReport::default()
                };
                return (report, Vec::new());
            }
        },
        Input::Stdin => (Box::new(std::io::stdin()), false),
        Input::Bytes { data, .. } => (Box::new(data.as_slice()), true),
    };
    let config = SplitConfig {
        chunk_bytes: options.chunk_bytes.clamp(MIN_CHUNK_BYTES, MAX_CHUNK_BYTES),
    };
    let batch_size = options.batch_size.max(1);
    // The input is cut into pieces on this thread while the pool parses the pieces already
    // cut (reading overlaps parsing); results come back tagged with their place.
    let (done_tx, done_rx) = mpsc::channel::<(usize, Done)>();
    let mut seq = 0usize;
    let end = rayon::scope(|scope| {
        chunk::split(reader, reopenable, parse, config, &mut |piece, parse| {
            let at = seq;
            seq += 1;
            let parse = Arc::clone(parse);
            let done_tx = done_tx.clone();
            scope.spawn(move |_| {
                let done = parse_piece(input, piece, &parse, batch_size);
                // The receiver lives until every piece is back.
                let _ = done_tx.send((at, done));
            });
        })
    });
    drop(done_tx);
    let mut pieces: Vec<(usize, Done)> = done_rx.into_iter().collect();
    pieces.sort_unstable_by_key(|(at, _)| *at);
    let mut assembly = Assembly::new(name);
    for (_, done) in pieces {
        assembly.take(done);
    }
    assembly.finish(end)
}

/// What became of one piece of an input.
enum Done {
    /// The input parsed whole (it was not cut).
    Whole(FileReport, Vec<RecordBatch>),
    /// A chunk or stream of the input.
    Part(Box<Part>),
    /// A record too large to parse, rejected without parsing.
    TooLarge(Reject),
}

/// A chunk or stream of an input, parsed; reject locations relative to the piece.
struct Part {
    result: Result<ParseSummary, String>,
    batches: Vec<RecordBatch>,
    /// An Arrow failure while building the batches (a bug: the schema is fixed).
    failure: Option<String>,
    /// Lines in the piece (JSON lines framing).
    lines: u64,
    /// Array elements in the piece (`Records` framing).
    elements: u64,
    /// Synthetic bytes before the input's own.
    prefix: usize,
    /// The input offset of the first byte after the prefix.
    start: u64,
    /// The input ends inside a record that was rejected for it.
    truncated_tail: bool,
}

fn parse_piece(input: &Input, piece: Piece<'_>, parse: &ParseOptions, batch_size: usize) -> Done {
    match piece {
        Piece::Whole => {
            let name = input.name();
            let (report, batches) = match input {
                Input::Path(path) => match File::open(path) {
                    Ok(file) => {
                        let size = file.metadata().map_or(0, |m| m.len());
                        parse_stream(file, name, parse, batch_size, SizeHint::of_bytes(size))
                    }
                    Err(err) => (
                        FileReport {
                            name,
                            error: Some(format!("cannot open: {err}")),
                            ..FileReport::default()
                        },
                        Vec::new(),
                    ),
                },
                Input::Bytes { data, .. } => parse_stream(
                    data.as_slice(),
                    name,
                    parse,
                    batch_size,
                    SizeHint::of_bytes(data.len() as u64),
                ),
                // Standard input is never handed on whole (it cannot be read again).
                Input::Stdin => (FileReport::default(), Vec::new()),
            };
            Done::Whole(report, batches)
        }
        Piece::Chunk { chunk, start } => {
            let lines = chunk.own_lines();
            let rows = match chunk.framing {
                Framing::Lines => lines as usize,
                Framing::Records => usize::try_from(chunk.elements).unwrap_or(usize::MAX),
            };
            let hint = SizeHint {
                rows,
                bytes: chunk.data.len(),
            };
            let (result, batches, failure) = collect_slice(&chunk.data, parse, batch_size, hint);
            let mut truncated_tail = false;
            let result = result.map(|mut summary| {
                truncated_tail = chunk.settle(&mut summary);
                summary
            });
            Done::Part(Box::new(Part {
                result: result.map_err(|e| e.to_string()),
                batches,
                failure,
                lines,
                elements: chunk.elements,
                prefix: chunk.prefix,
                start,
                truncated_tail,
            }))
        }
        Piece::Stream {
            reader,
            prefix,
            start,
        } => {
            let (result, batches, failure) =
                collect(reader, parse, batch_size, SizeHint::default());
            Done::Part(Box::new(Part {
                result: result.map_err(|e| e.to_string()),
                batches,
                failure,
                lines: 0,
                elements: 0,
                prefix,
                start,
                truncated_tail: false,
            }))
        }
        Piece::TooLarge {
            kind,
            start,
            head,
            reason,
        } => Done::TooLarge(chunk::too_large_reject(
            parse.file_name.as_deref(),
            kind,
            start,
            &head,
            reason,
        )),
    }
}

/// One input put back together from its pieces, in order (as the pipeline's scan does).
struct Assembly {
    report: FileReport,
    batches: Vec<RecordBatch>,
    lines: u64,
    elements: u64,
    error: Option<String>,
    truncated_tail: bool,
    /// The input was parsed whole: its report is final.
    whole: bool,
}

impl Assembly {
    fn new(name: String) -> Assembly {
        Assembly {
            report: FileReport {
                name,
                ..FileReport::default()
            },
            batches: Vec::new(),
            lines: 0,
            elements: 0,
            error: None,
            truncated_tail: false,
            whole: false,
        }
    }

    fn take(&mut self, done: Done) {
        match done {
            Done::Whole(report, batches) => {
                self.report = report;
                self.batches = batches;
                self.whole = true;
            }
            Done::Part(part) => self.take_part(*part),
            Done::TooLarge(reject) => {
                self.report
                    .add_too_large(reject, &mut self.lines, &mut self.elements);
                self.truncated_tail = false;
            }
        }
    }

    fn take_part(&mut self, part: Part) {
        self.batches.extend(part.batches);
        match part.result {
            Ok(summary) => {
                self.report
                    .add_chunk(summary, part.start, part.prefix, self.lines, self.elements)
            }
            Err(error) => {
                self.error.get_or_insert(error);
            }
        }
        if let Some(failure) = part.failure {
            self.error.get_or_insert(failure);
        }
        self.lines += part.lines;
        self.elements += part.elements;
        self.truncated_tail = part.truncated_tail;
    }

    fn finish(mut self, end: InputEnd) -> (FileReport, Vec<RecordBatch>) {
        if self.whole {
            return (self.report, self.batches);
        }
        if let Some(error) = end.error.or(self.error) {
            // As a whole-file read: an input that fails is an error, not a partial table.
            let report = FileReport {
                name: self.report.name,
                error: Some(error),
                ..FileReport::default()
            };
            return (report, Vec::new());
        }
        if let Some(cut) = end.cut {
            let cause = format!(" ({cut})");
            match self.report.rejects.last_mut() {
                Some(last) if self.truncated_tail => last.reason.push_str(&cause),
                _ => {
                    self.report.records += 1;
                    let file = self
                        .report
                        .rejects
                        .first()
                        .and_then(|r| r.file.clone())
                        .or_else(|| Some(self.report.name.clone()));
                    self.report.rejects.push(Reject {
                        file,
                        record: self.elements,
                        location_kind: LocationKind::RecordIndex,
                        byte_offset: end.length,
                        reason: format!("input truncated{cause}"),
                        snippet: String::new(),
                    });
                }
            }
        }
        (self.report, self.batches)
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
        let whole = read(&data, 1 << 20, 1);
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

    fn read_input(input: Input, chunk_bytes: usize, threads: usize) -> EventBatches {
        let options = ReadOptions {
            batch_size: 7,
            threads,
            chunk_bytes,
            ..ReadOptions::default()
        };
        read_event_batches(&[input], &options).unwrap()
    }

    #[test]
    fn records_documents_are_cut_between_records() {
        // A pretty-printed Records document, as CloudTrail delivers to S3.
        let records: Vec<String> = (0..50).map(line).collect();
        let data = format!("{{\n\"Records\": [\n{}\n]\n}}\n", records.join(",\n"));
        let whole = read(&data, 1 << 20, 1);
        let chunked = read(&data, 300, 2);
        for read in [&whole, &chunked] {
            assert_eq!(read.report.files[0].events, 50);
            assert_eq!(read.report.files[0].records, 50);
            assert!(read.report.files[0].rejects.is_empty());
            assert!(read.report.files[0].error.is_none());
            assert_eq!(ids(read)[49], "e49");
        }
        assert_eq!(ids(&chunked), ids(&whole));
    }

    #[test]
    fn gzip_files_are_cut_and_keep_line_numbers() {
        use std::io::Write as _;
        let data = jsonl(200, 50);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(data.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let dir = std::env::temp_dir().join(format!("logsec-arrow-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("trail.jsonl.gz");
        std::fs::write(&path, &gz).unwrap();
        let chunked = read_input(Input::Path(path.clone()), 700, 2);
        let plain = read(&data, 1 << 20, 1);
        std::fs::remove_dir_all(&dir).unwrap();
        let file = &chunked.report.files[0];
        assert!(file.error.is_none(), "{:?}", file.error);
        assert_eq!(file.events, 196);
        assert_eq!(file.records, 200);
        assert_eq!(ids(&chunked), ids(&plain));
        let lines: Vec<u64> = file.rejects.iter().map(|r| r.record).collect();
        assert_eq!(lines, [50, 100, 150, 200]);
        let located = |rejects: &[Reject]| -> Vec<(u64, u64, String)> {
            rejects
                .iter()
                .map(|r| (r.record, r.byte_offset, r.reason.clone()))
                .collect()
        };
        // The same places in the decompressed input as in the plain one (names differ).
        assert_eq!(
            located(&file.rejects),
            located(&plain.report.files[0].rejects)
        );
        assert!(
            file.rejects[0]
                .file
                .as_deref()
                .unwrap()
                .ends_with("trail.jsonl.gz")
        );
    }

    #[test]
    fn truncated_gzip_keeps_the_records_before_the_damage() {
        use std::io::Write as _;
        let data = jsonl(100, 0);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(data.as_bytes()).unwrap();
        let mut gz = gz.finish().unwrap();
        gz.truncate(gz.len() / 2);
        let read = read_input(
            Input::Bytes {
                name: "cut.jsonl.gz".into(),
                data: gz,
            },
            500,
            2,
        );
        let file = &read.report.files[0];
        assert!(file.error.is_none(), "{:?}", file.error);
        assert!(file.events > 0 && file.events < 100, "{}", file.events);
        assert_eq!(ids(&read).len() as u64, file.events);
        assert_eq!(ids(&read)[0], "e0");
        let last = file.rejects.last().unwrap();
        assert!(last.reason.contains("gzip"), "{}", last.reason);
    }

    #[test]
    fn text_lines_are_read_whole() {
        let data = "Nov 20 03:19:02 web1 sshd[811]: Failed password for deploy from 198.51.100.42 port 50122 ssh2\n".repeat(40);
        let read = read(&data, 100, 2);
        assert_eq!(read.report.files[0].events, 40);
        assert!(read.report.files[0].rejects.is_empty());
        let rows: usize = read.batches.iter().map(|b| b.num_rows()).sum();
        assert_eq!(rows, 40);
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
