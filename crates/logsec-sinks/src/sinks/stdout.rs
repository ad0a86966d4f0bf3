//! The stdout sink (or any writer).

use std::io::Write;

use logsec_event::Alert;

use crate::encoding::Encoder;
use crate::error::SinkError;
use crate::sink::Sink;

/// Writes one encoded alert per line to standard output (or to any writer), flushing after
/// each batch.
pub struct StdoutSink {
    encoder: Encoder,
    writer: Box<dyn Write + Send>,
    label: &'static str,
}

impl std::fmt::Debug for StdoutSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StdoutSink")
            .field("encoder", &self.encoder)
            .field("writer", &self.label)
            .finish()
    }
}

impl StdoutSink {
    /// A sink writing to standard output.
    pub fn new(encoder: Encoder) -> StdoutSink {
        StdoutSink {
            encoder,
            writer: Box::new(std::io::stdout()),
            label: "stdout",
        }
    }

    /// A sink writing to `writer` (a pipe, a buffer in tests).
    pub fn with_writer(encoder: Encoder, writer: impl Write + Send + 'static) -> StdoutSink {
        StdoutSink {
            encoder,
            writer: Box::new(writer),
            label: "writer",
        }
    }
}

impl Sink for StdoutSink {
    fn kind(&self) -> &'static str {
        "stdout"
    }

    fn send(&mut self, alerts: &[Alert]) -> Result<(), SinkError> {
        let mut buffer = String::new();
        for alert in alerts {
            buffer.push_str(&self.encoder.line(alert));
            buffer.push('\n');
        }
        self.writer
            .write_all(buffer.as_bytes())
            .and_then(|()| self.writer.flush())
            .map_err(|e| SinkError::io("write", self.label, e))
    }

    fn batching(&self) -> crate::Batching {
        crate::Batching {
            max_alerts: 256,
            max_wait: std::time::Duration::ZERO,
        }
    }
}
