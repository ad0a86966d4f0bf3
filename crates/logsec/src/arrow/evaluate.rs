//! Evaluating rules over events held as Arrow record batches: a table [`super::read_event_batches`]
//! built, any slice or concatenation of it, or the same columns back from pandas or polars.
//!
//! Each row's `raw` record is parsed again as its `metadata_log_format` (detected when that
//! column is absent or null), and its `time` column — which carries what the record alone may
//! not, such as the year of a syslog line — replaces the parsed time. The events then go
//! through the engine the way [`Pipeline::scan`] sends them: single-event rules in row order,
//! then correlations in event-time order, so the rows of a whole read give the alerts of a
//! scan of the same files.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, TimeUnit};
use logsec_event::{Alert, SourceFormat};
use logsec_parse::{LocationKind, ParseOptions, Reject, parse_bytes, snippet};
use logsec_rules::sigma::CorrelationInput;
use rayon::prelude::*;

use crate::partitioned::{correlate_partition, detect_partition_event};
use crate::{FileReport, Pipeline, ScanReport};

/// The name evaluation reports use for the rows (rejects name it as their file).
pub const ARROW_INPUT_NAME: &str = "<arrow>";

/// Rows evaluated per task of the worker pool.
const ROWS_PER_TASK: usize = 4096;

/// Read access to a string column of any Arrow string type.
enum Strings<'b> {
    Utf8(&'b arrow_array::StringArray),
    LargeUtf8(&'b arrow_array::LargeStringArray),
    View(&'b arrow_array::StringViewArray),
    Absent,
}

impl<'b> Strings<'b> {
    fn of(batch: &'b RecordBatch, name: &str, required: bool) -> Result<Strings<'b>, ArrowError> {
        let Some(array) = batch.column_by_name(name) else {
            if required {
                return Err(ArrowError::SchemaError(format!(
                    "no `{name}` column: evaluating rules needs the raw records"
                )));
            }
            return Ok(Strings::Absent);
        };
        Ok(match array.data_type() {
            DataType::Utf8 => Strings::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => Strings::LargeUtf8(array.as_string::<i64>()),
            DataType::Utf8View => Strings::View(array.as_string_view()),
            DataType::Null => Strings::Absent,
            other => {
                return Err(ArrowError::SchemaError(format!(
                    "column `{name}` is {other}, not a string column"
                )));
            }
        })
    }

    fn get(&self, row: usize) -> Option<&'b str> {
        fn at<A: Array>(array: &A, row: usize) -> bool {
            row < array.len() && array.is_valid(row)
        }
        match self {
            Strings::Utf8(a) => at(*a, row).then(|| a.value(row)),
            Strings::LargeUtf8(a) => at(*a, row).then(|| a.value(row)),
            Strings::View(a) => at(*a, row).then(|| a.value(row)),
            Strings::Absent => None,
        }
    }
}

/// The `time` column in milliseconds since the epoch, whatever its unit.
enum Times<'b> {
    Scaled(&'b ArrayRef, TimeUnit),
    Int64(&'b ArrayRef),
    Absent,
}

impl<'b> Times<'b> {
    fn of(batch: &'b RecordBatch) -> Result<Times<'b>, ArrowError> {
        let Some(array) = batch.column_by_name("time") else {
            return Ok(Times::Absent);
        };
        Ok(match array.data_type() {
            DataType::Timestamp(unit, _) => Times::Scaled(array, *unit),
            DataType::Int64 => Times::Int64(array),
            DataType::Null => Times::Absent,
            other => {
                return Err(ArrowError::SchemaError(format!(
                    "column `time` is {other}, not a timestamp"
                )));
            }
        })
    }

    fn millis(&self, row: usize) -> Option<i64> {
        let (array, value) = match self {
            Times::Absent => return None,
            Times::Int64(array) => (array, array.as_primitive_opt::<Int64Type>()?.values()),
            Times::Scaled(array, unit) => {
                if row >= array.len() || !array.is_valid(row) {
                    return None;
                }
                let value = match unit {
                    TimeUnit::Second => array
                        .as_primitive_opt::<TimestampSecondType>()?
                        .value(row)
                        .checked_mul(1000)?,
                    TimeUnit::Millisecond => array
                        .as_primitive_opt::<TimestampMillisecondType>()?
                        .value(row),
                    TimeUnit::Microsecond => array
                        .as_primitive_opt::<TimestampMicrosecondType>()?
                        .value(row)
                        .div_euclid(1000),
                    TimeUnit::Nanosecond => array
                        .as_primitive_opt::<TimestampNanosecondType>()?
                        .value(row)
                        .div_euclid(1_000_000),
                };
                return Some(value);
            }
        };
        if row < array.len() && array.is_valid(row) {
            value.get(row).copied()
        } else {
            None
        }
    }
}

/// What phase 1 keeps of one range of rows.
#[derive(Default)]
struct RangeOutcome {
    events: u64,
    alerts: Vec<Alert>,
    correlation_inputs: Vec<CorrelationInput>,
    rejects: Vec<Reject>,
}

/// One task: rows `start..end` of batch `batch`, the first being row `first_row` overall.
#[derive(Clone, Copy)]
struct Task {
    batch: usize,
    start: usize,
    end: usize,
    first_row: u64,
}

fn reject(row: u64, reason: String, text: &str) -> Reject {
    Reject {
        file: Some(ARROW_INPUT_NAME.to_owned()),
        record: row,
        location_kind: LocationKind::RecordIndex,
        byte_offset: 0,
        reason,
        snippet: snippet(text),
    }
}

fn evaluate_range(
    pipeline: &Pipeline,
    batch: &RecordBatch,
    task: Task,
    parse: &ParseOptions,
) -> Result<RangeOutcome, ArrowError> {
    let raw = Strings::of(batch, "raw", true)?;
    let formats = Strings::of(batch, "metadata_log_format", false)?;
    let times = Times::of(batch)?;
    let engine = pipeline.engine();
    let mut out = RangeOutcome::default();
    let mut scratch = Vec::new();
    let mut options = parse.clone();
    for row in task.start..task.end {
        let index = task.first_row + (row - task.start) as u64;
        let Some(text) = raw.get(row) else {
            out.rejects
                .push(reject(index, "the row has no raw record".to_owned(), ""));
            continue;
        };
        options.format = match formats.get(row) {
            None => parse.format,
            Some(name) => match name.parse::<SourceFormat>() {
                Ok(format) => Some(format),
                Err(err) => {
                    out.rejects.push(reject(index, err.to_string(), text));
                    continue;
                }
            },
        };
        let parsed = match parse_bytes(text.as_bytes(), &options) {
            Ok(parsed) => parsed,
            Err(err) => {
                out.rejects.push(reject(index, err.to_string(), text));
                continue;
            }
        };
        if let Some(first) = parsed.summary.rejects.first() {
            out.rejects.push(reject(index, first.reason.clone(), text));
        }
        let time = times.millis(row);
        let single = parsed.events.len() == 1;
        for mut event in parsed.events {
            if let (true, Some(time)) = (single, time) {
                event.time = time;
            }
            out.events += 1;
            detect_partition_event(
                engine,
                &event,
                &mut scratch,
                &mut out.alerts,
                &mut out.correlation_inputs,
            );
        }
    }
    Ok(out)
}

fn count(report: &mut ScanReport, alert: &Alert) {
    report.alerts += 1;
    *report
        .alerts_by_severity
        .entry(alert.severity())
        .or_insert(0) += 1;
    *report
        .alerts_by_rule
        .entry(alert.finding_info.title.clone())
        .or_insert(0) += 1;
}

/// Runs `pipeline`'s rules over the events in `batches` (rows in order) and calls `on_alert`
/// for every alert, in the order [`Pipeline::scan`] gives for the same events; rows are parsed
/// and matched in parallel (rayon's global pool). `parse` supplies the options for
/// re-parsing the raw records (its `format` is used for rows without a format). Every alert
/// is emitted: the pipeline's minimum severity is not applied here.
///
/// The batches need a string column `raw`; `metadata_log_format` (string) and `time`
/// (timestamp of any unit, or int64 milliseconds) are used when present. A row whose raw
/// record does not parse is a [`Reject`] (its `record` is the 0-based row index) in the one
/// [`FileReport`] of the returned report, named [`ARROW_INPUT_NAME`].
///
/// # Errors
///
/// [`ArrowError::SchemaError`] when `raw` is missing or a column has an unusable type.
pub fn evaluate_event_batches(
    pipeline: &Pipeline,
    batches: &[RecordBatch],
    parse: &ParseOptions,
    on_alert: &mut dyn FnMut(&Alert),
) -> Result<ScanReport, ArrowError> {
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    let mut first_row = 0u64;
    for (index, batch) in batches.iter().enumerate() {
        // Check the columns once per batch, also for empty batches.
        Strings::of(batch, "raw", true)?;
        Strings::of(batch, "metadata_log_format", false)?;
        Times::of(batch)?;
        let mut start = 0;
        while start < batch.num_rows() {
            let end = (start + ROWS_PER_TASK).min(batch.num_rows());
            tasks.push(Task {
                batch: index,
                start,
                end,
                first_row,
            });
            first_row += (end - start) as u64;
            start = end;
        }
    }
    let outcomes: Vec<Result<RangeOutcome, ArrowError>> = tasks
        .par_iter()
        .map(|task| match batches.get(task.batch) {
            Some(batch) => evaluate_range(pipeline, batch, *task, parse),
            None => Ok(RangeOutcome::default()),
        })
        .collect();
    let mut report = ScanReport::default();
    let mut file = FileReport {
        name: ARROW_INPUT_NAME.to_owned(),
        records: first_row,
        ..FileReport::default()
    };
    let mut correlation_inputs = Vec::new();
    for outcome in outcomes {
        let outcome = outcome?;
        file.events += outcome.events;
        file.rejects.extend(outcome.rejects);
        for alert in &outcome.alerts {
            count(&mut report, alert);
            on_alert(alert);
        }
        correlation_inputs.extend(outcome.correlation_inputs);
    }
    let engine = pipeline.engine();
    if engine.has_correlations() {
        for alert in &correlate_partition(engine, correlation_inputs) {
            count(&mut report, alert);
            on_alert(alert);
        }
    }
    report.files.push(file);
    report.elapsed = started.elapsed();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Input;
    use crate::arrow::{ReadOptions, read_event_batches};
    use arrow_array::StringArray;
    use logsec_rules::RuleFile;
    use std::sync::Arc;

    const RULES: &str = concat!(
        include_str!("../../tests/fixtures/bucket_listing.yml"),
        "---\n",
        include_str!("../../tests/fixtures/bucket_listings_count.yml")
    );

    fn line(uid: &str, minute: u32, ip: &str) -> String {
        format!(
            r#"{{"eventVersion":"1.09","eventTime":"2026-01-01T00:{minute:02}:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"{ip}","eventID":"{uid}","recipientAccountId":"1","userIdentity":{{"type":"IAMUser","userName":"eve"}}}}"#
        )
    }

    fn inputs() -> Vec<Input> {
        let a = [line("a1", 1, "198.51.100.1"), line("a2", 2, "10.0.0.5")].join("\n");
        let b = [line("b1", 3, "198.51.100.1"), line("b2", 4, "198.51.100.1")].join("\n");
        vec![
            Input::Bytes {
                name: "a".into(),
                data: a.into_bytes(),
            },
            Input::Bytes {
                name: "b".into(),
                data: b.into_bytes(),
            },
        ]
    }

    fn pipeline() -> Pipeline {
        Pipeline::builder()
            .default_rules(false)
            .rule_file(RuleFile::new("r.yml", RULES))
            .build()
    }

    fn evaluate(pipeline: &Pipeline, batches: &[RecordBatch]) -> (Vec<Alert>, ScanReport) {
        let mut alerts = Vec::new();
        let report = evaluate_event_batches(
            pipeline,
            batches,
            &ParseOptions::default(),
            &mut |a: &Alert| alerts.push(a.clone()),
        )
        .unwrap();
        (alerts, report)
    }

    fn related(alerts: &[Alert]) -> Vec<Vec<String>> {
        alerts
            .iter()
            .map(|a| {
                a.finding_info
                    .related_events
                    .iter()
                    .map(|r| r.uid.clone())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn rows_give_the_alerts_of_a_scan_and_slices_their_share() {
        let pipeline = pipeline();
        let read = read_event_batches(&inputs(), &ReadOptions::default()).unwrap();
        let mut scanned = Vec::new();
        pipeline
            .scan(&inputs(), &mut |a: &Alert| scanned.push(a.clone()))
            .unwrap();
        let (alerts, report) = evaluate(&pipeline, &read.batches);
        assert_eq!(
            related(&alerts),
            [vec!["a1"], vec!["b1"], vec!["b2"], vec!["a1", "b1", "b2"]]
        );
        let uids: Vec<&str> = alerts.iter().map(Alert::uid).collect();
        let scanned: Vec<&str> = scanned.iter().map(Alert::uid).collect();
        assert_eq!(uids, scanned);
        assert_eq!(report.alerts, 4);
        assert_eq!(report.files[0].events, 4);
        assert_eq!(report.files[0].records, 4);
        // The second file alone: two public listings, no correlation.
        let second = read.batches.last().unwrap().clone();
        let (alerts, _) = evaluate(&pipeline, &[second.slice(0, 2)]);
        assert_eq!(related(&alerts), [vec!["b1"], vec!["b2"]]);
    }

    #[test]
    fn unparsable_rows_are_rejects_and_missing_raw_an_error() {
        let pipeline = pipeline();
        let raw = StringArray::from(vec![
            Some(line("a1", 1, "198.51.100.1")),
            Some("{broken".to_owned()),
            None,
        ]);
        let schema = Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new(
            "raw",
            DataType::Utf8,
            true,
        )]));
        let batch = RecordBatch::try_new(schema, vec![Arc::new(raw)]).unwrap();
        let (alerts, report) = evaluate(&pipeline, &[batch]);
        assert_eq!(related(&alerts), [vec!["a1"]]);
        let rejects = &report.files[0].rejects;
        assert_eq!(rejects.iter().map(|r| r.record).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(rejects[1].reason, "the row has no raw record");
        let empty = RecordBatch::new_empty(Arc::new(arrow_schema::Schema::empty()));
        let err = evaluate_event_batches(
            &pipeline,
            &[empty],
            &ParseOptions::default(),
            &mut |_: &Alert| {},
        )
        .unwrap_err();
        assert!(err.to_string().contains("no `raw` column"), "{err}");
    }
}
