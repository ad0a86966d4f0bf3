//! `logsec tail`: argument and configuration plumbing around `logsec::Tailer`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use logsec::sinks::{Encoder, Encoding, Router, SinkSpec, StdoutSink};
use logsec::{Pipeline, TailConfig, Tailer};

use crate::{AlertFormat, TailArgs, hostname, parse_severity, report_rule_problems};

pub(crate) fn run(args: TailArgs) -> Result<u8> {
    let config = match &args.config {
        Some(path) => TailConfig::from_yaml(
            &std::fs::read_to_string(path)
                .with_context(|| format!("--config {}", path.display()))?,
        )
        .with_context(|| format!("--config {}", path.display()))?,
        None => TailConfig::default(),
    };
    let duration = |flag: &str, text: &Option<String>, default: Duration| -> Result<Duration> {
        match text {
            Some(text) => logsec::sinks::parse_duration(text)
                .with_context(|| format!("{flag}: not a duration: {text:?}")),
            None => Ok(default),
        }
    };
    let checkpoint_every = duration(
        "--checkpoint-interval",
        &args.checkpoint_interval,
        config.checkpoint_every()?,
    )?;
    let poll_every = duration("--poll-interval", &args.poll_interval, config.poll_every()?)?;
    let min_severity = parse_severity(
        args.min_severity
            .as_deref()
            .or(config.rules.min_severity.as_deref()),
        "--min-severity",
    )?;
    let forced = args
        .format
        .as_deref()
        .map(str::parse::<logsec::event::SourceFormat>)
        .transpose()
        .context("--format")?;

    let mut rule_paths = config.rules.paths.clone();
    rule_paths.extend(args.rules.iter().cloned());
    let mut builder = Pipeline::builder()
        .default_rules(config.rules.default_rules && !args.no_default_rules)
        .rule_paths(&rule_paths)?;
    if let Some(path) = args
        .placeholders
        .as_ref()
        .or(config.rules.placeholders.as_ref())
    {
        builder = builder.placeholder_file(path)?;
    }
    let pipeline = builder.build();
    if report_rule_problems(&pipeline) {
        return Ok(2);
    }

    let router = match config.alerts.clone() {
        Some(sinks) => sinks.build().context("alerts: sinks")?,
        None => {
            let encoding = match args.alert_format {
                AlertFormat::Ocsf => Encoding::Ocsf,
                AlertFormat::Falco => Encoding::FalcoJson,
            };
            Router::builder()
                .sink(SinkSpec::new(
                    "stdout",
                    StdoutSink::new(Encoder::new(encoding, hostname())),
                ))
                .build()
                .context("stdout sink")?
        }
    };

    let mut tailer = Tailer::new(pipeline.into_engine(), router)
        .parse_options(logsec::parse::ParseOptions {
            format: forced,
            ..Default::default()
        })
        .checkpoint_every(checkpoint_every)
        .poll_every(poll_every);
    if let Some(severity) = min_severity {
        tailer = tailer.min_severity(severity);
    }
    if let Some(dir) = args.state_dir.as_ref().or(config.state_dir.as_ref()) {
        tailer = tailer.state_dir(dir)?;
    }
    let mut stdin = false;
    for source in &config.sources {
        let format = source
            .format
            .as_deref()
            .map(str::parse::<logsec::event::SourceFormat>)
            .transpose()
            .with_context(|| format!("sources: {}", source.path.display()))?;
        tailer = tailer.follow(&source.path, format);
    }
    for path in &args.paths {
        if path == "-" {
            stdin = true;
        } else {
            tailer = tailer.follow(std::path::Path::new(path), None);
        }
    }
    if stdin {
        tailer = tailer.stdin();
    }
    if let Some(address) = args.listen.as_ref().or(config.listen.as_ref()) {
        let bound = tailer.listen(address)?;
        eprintln!("logsec: listening on http://{bound}");
    }
    if args.paths.is_empty()
        && config.sources.is_empty()
        && args.listen.is_none()
        && config.listen.is_none()
    {
        anyhow::bail!("logsec tail needs a PATH, `-`, --listen ADDR or sources in --config");
    }

    let stop = Arc::new(AtomicBool::new(false));
    // The first SIGINT/SIGTERM asks for a graceful stop; a second one ends the process (exit 1)
    // at once — then the checkpoint may be behind (duplicates, never loss).
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register_conditional_shutdown(signal, 1, Arc::clone(&stop))
            .context("signal handler")?;
        signal_hook::flag::register(signal, Arc::clone(&stop)).context("signal handler")?;
    }
    // Warnings are printed from a helper thread while the tail runs.
    let warnings = tailer.warnings();
    let print = |warnings: &logsec::TailWarnings| {
        for warning in warnings.drain() {
            eprintln!("logsec: warning: {warning}");
        }
    };
    let done = AtomicBool::new(false);
    let report = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(200));
                print(&warnings);
            }
        });
        let report = tailer.run(&stop);
        done.store(true, Ordering::SeqCst);
        report
    });
    print(&warnings);
    let report = report?;
    eprintln!(
        "logsec: tail stopped: {} events, {} rejects, {} alerts, {} checkpoints",
        report.events, report.rejects, report.alerts, report.checkpoints
    );
    Ok(0)
}
