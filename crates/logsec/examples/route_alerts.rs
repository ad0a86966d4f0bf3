//! Route alerts: scan the demo's Kubernetes audit log with the bundled rules and hand every
//! alert to a `Router` built from a YAML sinks configuration (here: a JSON-lines file).
use logsec::sinks::SinksConfig;
use logsec::{Input, Pipeline};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::temp_dir().join(format!("logsec-route-{}.jsonl", std::process::id()));
    let yaml = format!(
        "sinks:\n  - name: archive\n    type: file\n    path: {}\n    route: {{min_severity: medium}}\n",
        out.display()
    );
    let router = SinksConfig::from_yaml(&yaml)?.build()?;
    let demo = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/demo/k8s_audit.jsonl.gz"
    );
    let report = Pipeline::builder()
        .build()
        .scan(&[Input::Path(demo.into())], &mut |alert| {
            if let Err(err) = router.send(alert.clone()) {
                eprintln!("not routed: {err}");
            }
        })?;
    router.close(); // delivers what is queued (or spools it)
    let written = std::fs::read_to_string(&out)?.lines().count();
    println!(
        "{} alerts, {written} written to {}",
        report.alerts,
        out.display()
    );
    std::fs::remove_file(&out)?;
    assert_eq!(written as u64, report.alerts);
    Ok(())
}

#[cfg(test)]
#[test]
fn runs() {
    assert!(main().is_ok());
}
