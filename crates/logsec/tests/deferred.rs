//! A scan matches CloudTrail and Kubernetes audit records through their raw view and
//! normalizes only the records a rule matched. Differential check on real logs and rules: the
//! scan's alerts equal those of normalizing every record first and evaluating it, with the
//! bundled pack, SigmaHQ's AWS and Kubernetes rules and Falco's upstream CloudTrail and
//! Kubernetes audit rules, over the corpus CloudTrail and Kubernetes audit logs and Falco's
//! k8s-audit trace files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use logsec::event::{Event, SourceFormat};
use logsec::parse::{ParseOptions, parse_path};
use logsec::rules::RuleFile;
use logsec::{Input, Pipeline, correlate_partition, detect_partition_event, rule_files_under};

fn shared() -> Option<PathBuf> {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if shared.is_dir() {
        return Some(shared);
    }
    assert!(
        std::env::var("LOGSEC_REQUIRE_SHARED").as_deref() != Ok("1"),
        "LOGSEC_REQUIRE_SHARED=1 but {} is missing",
        shared.display()
    );
    println!("skipping: ../shared not found");
    None
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            files_under(&path, out);
        } else if !(name.ends_with(".md")
            || name.ends_with(".assert")
            || name.starts_with("LICENSE")
            || name.starts_with('.')
            || name.contains("_expected")
            || name == "MANIFEST.json")
        {
            out.push(path);
        }
    }
}

#[test]
fn conformance_deferred_scan_gives_the_alerts_of_eager_normalization() {
    let Some(shared) = shared() else { return };
    let corpus = shared.join("corpus");
    let mut rule_paths = rule_files_under(&corpus.join("sigma/rules/cloud/aws")).unwrap();
    rule_paths
        .extend(rule_files_under(&corpus.join("sigma/rules/application/kubernetes")).unwrap());
    rule_paths.push(
        corpus.join("falco/falcosecurity-plugins/plugins/k8saudit/rules/k8s_audit_rules.yaml"),
    );
    rule_paths
        .push(corpus.join(
            "falco/falcosecurity-plugins/plugins/cloudtrail/rules/aws_cloudtrail_rules.yaml",
        ));
    let mut builder = Pipeline::builder().threads(1);
    for path in &rule_paths {
        builder = builder.rule_file(RuleFile {
            name: path.display().to_string(),
            text: std::fs::read_to_string(path).unwrap(),
        });
    }
    let pipeline = builder.build();
    let engine = pipeline.engine();
    // Otherwise the test would compare the eager path with itself.
    assert!(engine.reads_raw_only(SourceFormat::Cloudtrail));
    assert!(engine.reads_raw_only(SourceFormat::K8sAudit));
    assert!(engine.falco().is_some_and(|f| f.rule_set().len() > 40));

    let mut inputs = Vec::new();
    files_under(&corpus.join("logs/cloudtrail"), &mut inputs);
    files_under(&corpus.join("logs/k8s-audit"), &mut inputs);
    files_under(
        &corpus.join("falco/falcosecurity-falco-0.34.1-tests/test/trace_files/k8s_audit"),
        &mut inputs,
    );
    assert!(inputs.len() > 20, "{inputs:?}");

    let mut scanned = Vec::new();
    let report = pipeline
        .scan(
            &inputs.iter().cloned().map(Input::Path).collect::<Vec<_>>(),
            &mut |alert| scanned.push(serde_json::to_string(alert).unwrap()),
        )
        .unwrap();

    let (mut scratch, mut eager_alerts, mut correlation_inputs) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut events = 0u64;
    let mut rejects = 0usize;
    let mut unreadable = 0usize;
    for path in &inputs {
        // Files of no supported format (a CSV export) fail in both paths.
        match parse_path(path, &ParseOptions::default(), |event: &Event<'_>| {
            detect_partition_event(
                engine,
                event,
                &mut scratch,
                &mut eager_alerts,
                &mut correlation_inputs,
            );
        }) {
            Ok(summary) => {
                events += summary.events;
                rejects += summary.rejects.len();
            }
            Err(_) => unreadable += 1,
        }
    }
    assert!(unreadable <= 5, "{unreadable} unreadable files");
    assert_eq!(
        report.files.iter().filter(|f| f.error.is_some()).count(),
        unreadable
    );
    eager_alerts.extend(correlate_partition(engine, correlation_inputs));
    let mut eager: Vec<String> = eager_alerts
        .iter()
        .map(|a| serde_json::to_string(a).unwrap())
        .collect();

    assert_eq!(report.events(), events);
    assert_eq!(report.rejects(), rejects);
    assert!(eager.len() > 50, "{} alerts", eager.len());
    scanned.sort();
    eager.sort();
    assert_eq!(scanned.len(), eager.len());
    for (a, b) in scanned.iter().zip(&eager) {
        assert_eq!(a, b);
    }
}
