//! The program sink: a child process reading JSON lines on its stdin, restarted when it exits.

use std::collections::VecDeque;
use std::io::Write;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use logsec_event::Alert;

use crate::encoding::Encoder;
use crate::error::SinkError;
use crate::sink::{Batching, Sink};

/// Builds a [`ProgramSink`].
#[derive(Debug, Clone)]
pub struct ProgramSinkBuilder {
    command: Vec<String>,
    encoder: Encoder,
    settle: Duration,
    batching: Batching,
    max_restarts_per_batch: u32,
    replay_window: Duration,
    replay_lines: usize,
    write_timeout: Duration,
}

impl ProgramSinkBuilder {
    /// Sets the encoding (default OCSF JSON).
    pub fn encoder(mut self, encoder: Encoder) -> Self {
        self.encoder = encoder;
        self
    }

    /// How long after a write the program must still be running for the write to count as
    /// delivered (default 20 ms).
    pub fn settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }

    /// Sets batching (default up to 64 alerts, no wait).
    pub fn batch(mut self, max_alerts: usize, max_wait: Duration) -> Self {
        self.batching = Batching {
            max_alerts: max_alerts.max(1),
            max_wait,
        };
        self
    }

    /// How many restarts one batch may cause before the sink reports an error and lets the
    /// router back off (default 1000).
    pub fn max_restarts_per_batch(mut self, restarts: u32) -> Self {
        self.max_restarts_per_batch = restarts.max(1);
        self
    }

    /// When the program exits, lines written to it within `window` before (at most `lines` of
    /// them) are written again to its successor (default 2 s, 4096 lines).
    pub fn replay_window(mut self, window: Duration, lines: usize) -> Self {
        self.replay_window = window;
        self.replay_lines = lines;
        self
    }

    /// How long a write may block on a program that does not read its stdin before the
    /// program is killed and restarted (default 5 s).
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// Builds the sink; the program starts on first use.
    pub fn build(self) -> Result<ProgramSink, SinkError> {
        if self.command.is_empty() {
            return Err(SinkError::Config("program sink needs a command".into()));
        }
        Ok(ProgramSink {
            config: self,
            child: None,
            stdin: None,
            restarts: 0,
            window: VecDeque::new(),
        })
    }
}

/// Runs a command (argv, no shell: use `["sh", "-c", "…"]` for one) and writes one encoded
/// alert per line to its stdin; its stdout is discarded and its stderr inherited.
///
/// **Restarts and delivery.** A batch counts as delivered when it was written and the program
/// is still running [`settle`](ProgramSinkBuilder::settle) later. Whenever the program is found
/// to have exited (the pipe broke, or it stopped running — checked after each write, before
/// each batch, when the queue runs empty and at close), it is restarted and the lines written
/// in the [replay window](ProgramSinkBuilder::replay_window) are written again: all at once,
/// then, if it exits again, one at a time, each confirmed as above. So a program that exits
/// after N lines loses none: what it may not have read is written again to its successor
/// (at-least-once, with duplicates). Lines written longer ago than the window to a program that
/// never read them and then exited are lost: a pipe carries no acknowledgement.
#[derive(Debug)]
pub struct ProgramSink {
    config: ProgramSinkBuilder,
    child: Option<Child>,
    stdin: Option<StdinWriter>,
    restarts: u64,
    /// Lines written recently (with when), written again if the program turns out to have
    /// exited: it may not have read them.
    window: VecDeque<(Instant, String)>,
}

impl ProgramSink {
    /// Starts a builder for `command` (program and arguments).
    pub fn builder<I, S>(command: I) -> ProgramSinkBuilder
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ProgramSinkBuilder {
            command: command.into_iter().map(Into::into).collect(),
            encoder: Encoder::default(),
            settle: Duration::from_millis(20),
            batching: Batching {
                max_alerts: 64,
                max_wait: Duration::ZERO,
            },
            max_restarts_per_batch: 1000,
            replay_window: Duration::from_secs(2),
            replay_lines: 4096,
            write_timeout: Duration::from_secs(5),
        }
    }

    /// How many times the program was restarted after exiting.
    pub fn restarts(&self) -> u64 {
        self.restarts
    }

    fn error(&self, reason: impl std::fmt::Display) -> SinkError {
        SinkError::Program {
            command: self.config.command.join(" "),
            reason: reason.to_string(),
        }
    }

    fn ensure_running(&mut self) -> Result<(), SinkError> {
        if self.child.is_some() {
            return Ok(());
        }
        let (program, arguments) = self
            .config
            .command
            .split_first()
            .ok_or_else(|| self.error("empty command"))?;
        let mut child = Command::new(program)
            .args(arguments)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| self.error(format!("cannot start: {e}")))?;
        self.stdin = child.stdin.take().map(StdinWriter::start);
        self.child = Some(child);
        Ok(())
    }

    /// Whether the child is still running; reaps it if not.
    fn alive(&mut self) -> bool {
        let running = self
            .child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)));
        if !running {
            self.reap();
        }
        running
    }

    fn reap(&mut self) {
        self.stdin = None;
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Writes `bytes` and waits `settle`; true when the program took them and still runs.
    /// A write that blocks longer than the write timeout (the program stopped reading) kills
    /// the program.
    fn write_confirmed(&mut self, bytes: &[u8]) -> bool {
        let written = self
            .stdin
            .as_ref()
            .is_some_and(|stdin| stdin.write(bytes.to_vec(), self.config.write_timeout));
        if !written {
            self.reap();
            return false;
        }
        std::thread::sleep(self.config.settle);
        self.alive()
    }
}

/// Writes to a child's stdin from a helper thread, so that a program that stops reading
/// cannot block the sink forever (std pipes have no write timeout).
#[derive(Debug)]
struct StdinWriter {
    chunks: SyncSender<Vec<u8>>,
    acks: Receiver<bool>,
}

impl StdinWriter {
    fn start(mut stdin: ChildStdin) -> StdinWriter {
        let (chunks, incoming) = sync_channel::<Vec<u8>>(1);
        let (acknowledge, acks) = sync_channel(1);
        // The thread ends when the sender is dropped or the pipe breaks (the child exited or
        // was killed).
        std::thread::spawn(move || {
            for chunk in incoming {
                let ok = stdin.write_all(&chunk).and_then(|()| stdin.flush()).is_ok();
                if acknowledge.send(ok).is_err() || !ok {
                    return;
                }
            }
        });
        StdinWriter { chunks, acks }
    }

    /// Hands `bytes` to the thread and waits for it to write them.
    fn write(&self, bytes: Vec<u8>, timeout: Duration) -> bool {
        if self.chunks.send(bytes).is_err() {
            return false;
        }
        // A timeout or a writer thread that gave up both mean "not written".
        self.acks.recv_timeout(timeout).unwrap_or_default()
    }
}

impl ProgramSink {
    /// Writes `lines` one at a time, each confirmed by [`ProgramSink::write_confirmed`],
    /// restarting the program whenever it exited.
    fn write_one_by_one(&mut self, lines: &[String]) -> Result<(), SinkError> {
        let mut restarts_here = 0;
        for line in lines {
            loop {
                if self.child.is_none() {
                    restarts_here += 1;
                    if restarts_here > self.config.max_restarts_per_batch {
                        return Err(self.error("keeps exiting; backing off"));
                    }
                    self.restarts += 1;
                    self.ensure_running()?;
                }
                if self.write_confirmed(line.as_bytes()) {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Restarts the program and writes the recent lines again: all at once, and if the
    /// program exits again, one at a time.
    fn replay_window(&mut self) -> Result<(), SinkError> {
        let lines: Vec<String> = self.window.iter().map(|(_, line)| line.clone()).collect();
        if self.child.is_none() {
            self.restarts += 1;
            self.ensure_running()?;
        }
        if self.write_confirmed(lines.concat().as_bytes()) {
            return Ok(());
        }
        self.write_one_by_one(&lines)
    }

    /// If the program exited since it was last seen running, replays the recent lines.
    fn replay_if_exited(&mut self) -> Result<(), SinkError> {
        if self.child.is_some() && !self.alive() {
            self.replay_window()?;
        }
        Ok(())
    }

    fn remember(&mut self, lines: &[String]) {
        let now = Instant::now();
        self.window
            .extend(lines.iter().map(|line| (now, line.clone())));
        while self.window.len() > self.config.replay_lines
            || self
                .window
                .front()
                .is_some_and(|(at, _)| now.duration_since(*at) > self.config.replay_window)
        {
            self.window.pop_front();
        }
    }
}

impl Sink for ProgramSink {
    fn kind(&self) -> &'static str {
        "program"
    }

    fn send(&mut self, alerts: &[Alert]) -> Result<(), SinkError> {
        self.replay_if_exited()?;
        let lines: Vec<String> = alerts
            .iter()
            .map(|alert| {
                let mut line = self.config.encoder.line(alert);
                line.push('\n');
                line
            })
            .collect();
        self.ensure_running()?;
        self.remember(&lines);
        if !self.write_confirmed(lines.concat().as_bytes()) {
            self.replay_window()?;
        }
        Ok(())
    }

    fn batching(&self) -> Batching {
        self.config.batching
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        self.replay_if_exited()
    }

    /// Starts the program if it is not running (and replays if it exited).
    fn check(&mut self) -> Result<(), SinkError> {
        self.replay_if_exited()?;
        self.ensure_running()
    }

    fn close(&mut self) -> Result<(), SinkError> {
        // A program that exited on its own after the last batch gets the recent lines again.
        if self.child.is_some() {
            std::thread::sleep(self.config.settle);
            self.replay_if_exited()?;
        }
        // Closing stdin tells the program to finish; give it a moment before killing it.
        self.stdin = None;
        self.window.clear();
        if let Some(mut child) = self.child.take() {
            let deadline = Instant::now() + Duration::from_secs(2);
            while Instant::now() < deadline {
                if !matches!(child.try_wait(), Ok(None)) {
                    return Ok(());
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        Ok(())
    }
}

impl Drop for ProgramSink {
    fn drop(&mut self) {
        let _ = self.close();
    }
}
