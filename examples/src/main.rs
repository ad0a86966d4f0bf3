//! `logsec` — scan cloud-native logs for threats with Sigma and Falco rules.
//!
//! A thin binary over `logsec::Pipeline`: argument parsing, output formats and exit codes live
//! here; parsing, rules and alerts live in the library.
//!
//! Output contract: with `--output jsonl` stdout (or `--out`) carries one JSON alert per line and
//! nothing else; warnings, rejects and the summary go to stderr. Exit codes: 0 done (alerts or
//! not), 1 an alert at or above `--fail-on`, 2 usage or rule-load error.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use logsec::event::{Alert, Severity, SourceFormat};
use logsec::parse::ParseOptions;
use logsec::sinks::Redactor;
use logsec::{Input, Pipeline, ScanReport};

mod demo;
mod tail;

#[derive(Parser, Debug)]
#[command(
    name = "logsec",
    version,
    about = "Turn cloud-native logs into security alerts"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan log files for threats (no paths: the bundled demo incident).
    Scan(ScanArgs),
    /// Scan continuously: follow files across rotation, stdin, or HTTP POSTs.
    Tail(TailArgs),
    /// Parse logs and print normalized OCSF events.
    Parse(ParseArgs),
    /// Check or test rule files.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Least-privilege analysis of CloudTrail against IAM policies.
    #[command(subcommand)]
    Iam(IamCommand),
}

#[derive(Args, Debug, Clone)]
struct InputArgs {
    /// Files or directories (recursive); `-` reads standard input; `.gz` is read transparently.
    paths: Vec<String>,
    /// Force a format instead of detecting it per file (e.g. cloudtrail, k8s_audit, istio).
    #[arg(long)]
    format: Option<String>,
    /// Year of RFC 3164 syslog timestamps (default: from the file's modification time).
    #[arg(long)]
    syslog_year: Option<i32>,
    /// Field order of headerless VPC flow logs (AWS format string).
    #[arg(long)]
    vpc_flow_format: Option<String>,
    /// Envoy access-log format string for custom Envoy logs.
    #[arg(long)]
    envoy_format: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Jsonl,
    Json,
    Html,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum AlertFormat {
    Ocsf,
    Falco,
}

#[derive(Args, Debug)]
struct ScanArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Rule files or directories (Sigma or Falco, dialect detected per file); repeatable.
    #[arg(long = "rules")]
    rules: Vec<PathBuf>,
    /// Do not load the bundled rule pack.
    #[arg(long)]
    no_default_rules: bool,
    /// Placeholder values for `|expand` (YAML: `placeholders: {name: [values]}`).
    #[arg(long)]
    placeholders: Option<PathBuf>,
    /// Output format (default: text on a terminal, jsonl otherwise).
    #[arg(long, value_enum)]
    output: Option<OutputFormat>,
    /// Write alerts to this file instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Alert encoding for json/jsonl output.
    #[arg(long, value_enum, default_value = "ocsf")]
    alert_format: AlertFormat,
    /// Only report alerts at or above this severity.
    #[arg(long)]
    min_severity: Option<String>,
    /// Exit with 1 when an alert at or above this severity was raised.
    #[arg(long)]
    fail_on: Option<String>,
    /// Write malformed records (with file, line/record and reason) to this file as JSON lines.
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    threads: Option<usize>,
}

#[derive(Args, Debug)]
struct TailArgs {
    /// Files to follow (across rotation); `-` reads standard input until its end.
    paths: Vec<String>,
    /// The configuration file: sources, rules, routes and sinks (docs/tail.md).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Also accept HTTP POSTs (Kubernetes audit webhook `EventList`, JSON lines) here.
    #[arg(long)]
    listen: Option<String>,
    /// Keep the checkpoint (file offsets) in this directory and resume from it.
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Force a format for every source without its own.
    #[arg(long)]
    format: Option<String>,
    /// Rule files or directories (Sigma or Falco); repeatable.
    #[arg(long = "rules")]
    rules: Vec<PathBuf>,
    /// Do not load the bundled rule pack.
    #[arg(long)]
    no_default_rules: bool,
    /// Placeholder values for `|expand`.
    #[arg(long)]
    placeholders: Option<PathBuf>,
    /// Alert encoding on stdout when no `--config` routes them.
    #[arg(long, value_enum, default_value = "ocsf")]
    alert_format: AlertFormat,
    /// Only route alerts at or above this severity.
    #[arg(long)]
    min_severity: Option<String>,
    /// How often offsets are checkpointed (e.g. 5s, 500ms).
    #[arg(long)]
    checkpoint_interval: Option<String>,
    /// How often files are polled (e.g. 250ms).
    #[arg(long)]
    poll_interval: Option<String>,
}

#[derive(Args, Debug)]
struct ParseArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format (jsonl only).
    #[arg(long, value_enum, default_value = "jsonl")]
    output: OutputFormat,
}

#[derive(Subcommand, Debug)]
enum RulesCommand {
    /// Load rule files and print what happened to every rule.
    Check {
        /// Rule files or directories.
        paths: Vec<PathBuf>,
        /// text or json (the load-report JSON form).
        #[arg(long, value_enum, default_value = "text")]
        output: OutputFormat,
    },
    /// Run each rule's `<rule>.tests.jsonl` test events.
    Test {
        /// Rule files or directories.
        paths: Vec<PathBuf>,
        /// Placeholder values for `|expand` (default: the pack's defaults).
        #[arg(long)]
        placeholders: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum IamCommand {
    /// Report permissions used vs granted, privilege creep and suggested policies.
    Report {
        /// CloudTrail files or directories.
        #[arg(long, required = true)]
        cloudtrail: Vec<PathBuf>,
        /// `aws iam get-account-authorization-details` output.
        #[arg(long)]
        authz: PathBuf,
        /// Analysis window, back from the newest event (e.g. 90d).
        #[arg(long, default_value = "90d")]
        since: String,
        /// Baseline window at the start of the analysis window (e.g. 30d); `0` turns creep off.
        #[arg(long, default_value = "30d")]
        baseline: String,
        /// md, json or html.
        #[arg(long, default_value = "md")]
        output: String,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let command = cli.command.unwrap_or(Command::Scan(ScanArgs {
        input: InputArgs {
            paths: Vec::new(),
            format: None,
            syslog_year: None,
            vpc_flow_format: None,
            envoy_format: None,
        },
        rules: Vec::new(),
        no_default_rules: false,
        placeholders: None,
        output: None,
        out: None,
        alert_format: AlertFormat::Ocsf,
        min_severity: None,
        fail_on: None,
        rejects: None,
        threads: None,
    }));
    let result = match command {
        Command::Scan(args) => scan(args),
        Command::Tail(args) => tail::run(args),
        Command::Parse(args) => parse(args),
        Command::Rules(RulesCommand::Check { paths, output }) => rules_check(&paths, output),
        Command::Rules(RulesCommand::Test {
            paths,
            placeholders,
        }) => rules_test(&paths, placeholders.as_deref()),
        Command::Iam(IamCommand::Report {
            cloudtrail,
            authz,
            since,
            baseline,
            output,
        }) => iam_report(&cloudtrail, &authz, &since, &baseline, &output),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("logsec: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn parse_options(input: &InputArgs) -> Result<ParseOptions> {
    let format = input
        .format
        .as_deref()
        .map(|name| name.parse::<SourceFormat>())
        .transpose()
        .context("--format")?;
    Ok(ParseOptions {
        format,
        syslog_year: input.syslog_year,
        vpc_flow_format: input.vpc_flow_format.clone(),
        envoy_format: input.envoy_format.clone(),
        ..ParseOptions::default()
    })
}

fn parse_severity(text: Option<&str>, flag: &str) -> Result<Option<Severity>> {
    text.map(|t| t.parse::<Severity>().with_context(|| flag.to_owned()))
        .transpose()
}

fn scan(args: ScanArgs) -> Result<u8> {
    let min_severity = parse_severity(args.min_severity.as_deref(), "--min-severity")?;
    let fail_on = parse_severity(args.fail_on.as_deref(), "--fail-on")?;
    let mut builder = Pipeline::builder()
        .default_rules(!args.no_default_rules)
        .rule_paths(&args.rules)?
        .parse_options(parse_options(&args.input)?);
    if let Some(path) = &args.placeholders {
        builder = builder.placeholder_file(path)?;
    }
    if let Some(threads) = args.threads {
        builder = builder.threads(threads);
    }
    if let Some(severity) = min_severity {
        builder = builder.min_severity(severity);
    }
    let pipeline = builder.build();
    if report_rule_problems(&pipeline) {
        return Ok(2);
    }
    let inputs: Vec<Input> = if args.input.paths.is_empty() {
        eprintln!(
            "logsec: no input given — scanning the bundled demo incident ({} files: a Capital-One-style \
             SSRF → stolen instance credentials → S3 exfiltration chain, with Kubernetes and SSH \
             episodes, inside benign traffic). Run `logsec scan PATH…` to scan your own logs.",
            demo::FILES.len()
        );
        demo::inputs()
    } else {
        args.input
            .paths
            .iter()
            .map(|p| Input::from_arg(p))
            .collect()
    };
    let output = args
        .output
        .unwrap_or(if args.out.is_none() && std::io::stdout().is_terminal() {
            OutputFormat::Text
        } else {
            OutputFormat::Jsonl
        });
    let mut writer: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("--out {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let redactor = Redactor::default();
    let hostname = hostname();
    let mut collected: Vec<Alert> = Vec::new();
    let mut write_error: Option<std::io::Error> = None;
    let progress = progress_bar(&inputs);
    let report = pipeline.scan_with_progress(
        &inputs,
        &mut |alert| {
            let mut alert = alert.clone();
            redactor.apply(&mut alert);
            let line = match output {
                OutputFormat::Jsonl => Some(encode(&alert, args.alert_format, &hostname)),
                OutputFormat::Text => Some(logsec::sinks::text_line(&alert)),
                OutputFormat::Json | OutputFormat::Html => None,
            };
            if let Some(line) = line {
                if let Err(err) = writeln!(writer, "{line}") {
                    write_error.get_or_insert(err);
                }
            } else {
                collected.push(alert);
            }
        },
        &|file| {
            if let Some((bar, sizes)) = &progress {
                bar.inc(sizes.get(&file.name).copied().unwrap_or(0));
                bar.set_message(file.name.clone());
            }
        },
    )?;
    if let Some((bar, _)) = &progress {
        bar.finish_and_clear();
    }
    match output {
        OutputFormat::Json => {
            let values: Vec<serde_json::Value> = collected
                .iter()
                .map(|a| {
                    serde_json::from_str(&encode(a, args.alert_format, &hostname))
                        .unwrap_or_default()
                })
                .collect();
            writeln!(writer, "{}", serde_json::to_string_pretty(&values)?)?;
        }
        OutputFormat::Html => write!(writer, "{}", logsec::render_html(&collected, &report))?,
        _ => {}
    }
    if let Some(err) = write_error {
        return Err(err).context("writing alerts");
    }
    writer.flush()?;
    drop(writer);
    if let Some(path) = &args.rejects {
        write_rejects(path, &report)?;
    }
    print_summary(&report);
    let failed = fail_on.is_some_and(|threshold| {
        report
            .alerts_by_severity
            .keys()
            .any(|severity| severity.at_least(threshold))
    });
    Ok(if failed { 1 } else { 0 })
}

/// A byte-count progress bar over the input files, only when stderr is a terminal (the
/// summary line is printed either way).
fn progress_bar(inputs: &[Input]) -> Option<(indicatif::ProgressBar, HashMap<String, u64>)> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let files = Pipeline::expand_inputs(inputs).ok()?;
    let sizes: HashMap<String, u64> = files
        .iter()
        .map(|input| {
            let size = match input {
                Input::Path(path) => std::fs::metadata(path).map_or(0, |m| m.len()),
                Input::Bytes { data, .. } => data.len() as u64,
                Input::Stdin => 0,
            };
            (input.name(), size)
        })
        .collect();
    let bar = indicatif::ProgressBar::new(sizes.values().sum());
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}) {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some((bar, sizes))
}

fn encode(alert: &Alert, format: AlertFormat, hostname: &str) -> String {
    match format {
        AlertFormat::Ocsf => alert.to_ocsf_json(),
        AlertFormat::Falco => logsec::sinks::falco_json(alert, hostname).to_string(),
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// Prints rule-load problems to stderr; returns whether any rule failed to load.
fn report_rule_problems(pipeline: &Pipeline) -> bool {
    let report = pipeline.engine().report();
    let mut errors = 0;
    for rule in &report.rules {
        if rule.status == logsec::rules::RuleStatus::Error {
            errors += 1;
            eprintln!(
                "logsec: rule error: {} {}: {}",
                rule.location.as_deref().unwrap_or(&rule.path),
                rule.title,
                rule.reason.as_deref().unwrap_or("")
            );
        }
    }
    errors > 0
}

fn write_rejects(path: &PathBuf, report: &ScanReport) -> Result<()> {
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("--rejects {}", path.display()))?,
    );
    for file in &report.files {
        for reject in &file.rejects {
            let line = serde_json::json!({
                "file": reject.file.as_deref().unwrap_or(&file.name),
                "record": reject.record,
                "location_kind": format!("{:?}", reject.location_kind).to_lowercase(),
                "byte_offset": reject.byte_offset,
                "reason": reject.reason,
                "snippet": reject.snippet,
            });
            writeln!(out, "{line}")?;
        }
        if let Some(error) = &file.error {
            writeln!(
                out,
                "{}",
                serde_json::json!({"file": file.name, "reason": error})
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

fn print_summary(report: &ScanReport) {
    let mut err = std::io::stderr().lock();
    for file in &report.files {
        if let Some(error) = &file.error {
            let _ = writeln!(err, "logsec: warning: {}: {error}", file.name);
        }
        for reject in file.rejects.iter().take(5) {
            let _ = writeln!(err, "logsec: reject: {reject}");
        }
        if file.rejects.len() > 5 {
            let _ = writeln!(
                err,
                "logsec: … {} more rejects in {}",
                file.rejects.len() - 5,
                file.name
            );
        }
    }
    let formats: Vec<String> = report
        .events_by_format()
        .iter()
        .map(|(f, n)| format!("{f} {n}"))
        .collect();
    let secs = report.elapsed.as_secs_f64().max(1e-9);
    let _ = writeln!(
        err,
        "logsec: {} files, {} events ({}), {} rejects, {} alerts in {:.2} s ({:.0} events/s)",
        report.files.len(),
        report.events(),
        if formats.is_empty() {
            "none".to_owned()
        } else {
            formats.join(", ")
        },
        report.rejects(),
        report.alerts,
        secs,
        report.events() as f64 / secs
    );
    if report.alerts > 0 {
        let severities: Vec<String> = report
            .alerts_by_severity
            .iter()
            .rev()
            .map(|(s, n)| format!("{} {n}", s.name().to_lowercase()))
            .collect();
        let _ = writeln!(err, "logsec: alerts by severity: {}", severities.join(", "));
        for (rule, count) in &report.alerts_by_rule {
            let _ = writeln!(err, "logsec:   {count:>4}  {rule}");
        }
    }
}

fn parse(args: ParseArgs) -> Result<u8> {
    if args.output != OutputFormat::Jsonl {
        anyhow::bail!("logsec parse writes --output jsonl only");
    }
    let pipeline = Pipeline::builder()
        .default_rules(false)
        .parse_options(parse_options(&args.input)?)
        .build();
    let inputs: Vec<Input> = args
        .input
        .paths
        .iter()
        .map(|p| Input::from_arg(p))
        .collect();
    if inputs.is_empty() {
        anyhow::bail!("logsec parse needs at least one path (or - for stdin)");
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut write_error = None;
    let report = pipeline.parse(&inputs, &mut |event| {
        if let Err(err) = writeln!(out, "{}", event.to_ocsf_json()) {
            write_error.get_or_insert(err);
        }
    })?;
    if let Some(err) = write_error {
        return Err(err).context("writing events");
    }
    out.flush()?;
    print_summary(&report);
    Ok(0)
}

fn rules_check(paths: &[PathBuf], output: OutputFormat) -> Result<u8> {
    if paths.is_empty() {
        anyhow::bail!("logsec rules check needs at least one rule file or directory");
    }
    let pipeline = Pipeline::builder()
        .default_rules(false)
        .rule_paths(paths)?
        .build();
    let report = pipeline.engine().report();
    match output {
        OutputFormat::Json => println!("{}", report.to_json()),
        _ => {
            for rule in &report.rules {
                let status = format!("{:?}", rule.status).to_lowercase();
                println!(
                    "{status:<12} {:<6} {} ({})",
                    rule.dialect, rule.title, rule.path
                );
                if let Some(reason) = &rule.reason {
                    println!("             reason: {reason}");
                }
                for warning in &rule.warnings {
                    println!("             warning: {warning}");
                }
            }
            for file in pipeline.engine().skipped_files() {
                println!("skipped      {file}: holds no rules");
            }
        }
    }
    let count = |s| report.count(s);
    use logsec::rules::RuleStatus;
    eprintln!(
        "logsec: {} rules: {} compiled, {} unsupported, {} disabled, {} errors",
        report.rules.len(),
        count(RuleStatus::Compiled),
        count(RuleStatus::Unsupported),
        count(RuleStatus::Disabled),
        count(RuleStatus::Error)
    );
    Ok(if count(RuleStatus::Error) > 0 { 2 } else { 0 })
}

fn rules_test(paths: &[PathBuf], placeholders: Option<&std::path::Path>) -> Result<u8> {
    if paths.is_empty() {
        anyhow::bail!("logsec rules test needs at least one rule file or directory");
    }
    let values: HashMap<String, Vec<String>> = match placeholders {
        Some(path) => logsec::parse_placeholders(
            &std::fs::read_to_string(path).with_context(|| path.display().to_string())?,
        )
        .map_err(|reason| anyhow::anyhow!("{}: {reason}", path.display()))?,
        None => logsec::default_placeholders(),
    };
    let report = logsec::run_rule_tests(paths, &values)?;
    for failure in &report.failures {
        println!(
            "FAIL {}:{}: {}",
            failure.file.display(),
            failure.line,
            failure.message
        );
    }
    for untested in &report.untested {
        eprintln!(
            "logsec: warning: {} has no .tests.jsonl",
            untested.display()
        );
    }
    println!(
        "{} passed, {} failed",
        report.passed,
        report.expectations - report.passed
    );
    eprintln!("logsec: {} rule files tested", report.rule_files);
    Ok(if report.ok() { 0 } else { 1 })
}

fn iam_report(
    cloudtrail: &[PathBuf],
    authz: &std::path::Path,
    since: &str,
    baseline: &str,
    output: &str,
) -> Result<u8> {
    let since_ms =
        logsec::iam::parse_duration_ms(since).map_err(|e| anyhow::anyhow!("--since: {e}"))?;
    let baseline_ms =
        logsec::iam::parse_duration_ms(baseline).map_err(|e| anyhow::anyhow!("--baseline: {e}"))?;
    let options = logsec::iam::ReportOptions {
        since_ms,
        baseline_ms: (baseline_ms > 0).then_some(baseline_ms),
    };
    let report = logsec::iam::run_report(cloudtrail, authz, &options)?;
    let text = match output {
        "md" | "markdown" => report.render_markdown(),
        "json" => report.to_json(),
        "html" => report.render_html(),
        other => anyhow::bail!("--output must be md, json or html, not {other:?}"),
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = writeln!(std::io::stdout().lock(), "{text}");
    Ok(0)
}
