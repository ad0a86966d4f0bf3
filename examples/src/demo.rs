//! The bundled demo incident, embedded in the binary so `logsec` with no arguments works from
//! anywhere (see `examples/demo/README.md`).

use logsec::Input;

/// The demo files: name and gzip bytes.
pub(crate) const FILES: &[(&str, &[u8])] = &[
    ("demo/istio.log.gz", include_bytes!("../demo/istio.log.gz")),
    (
        "demo/cloudtrail.jsonl.gz",
        include_bytes!("../demo/cloudtrail.jsonl.gz"),
    ),
    (
        "demo/cloudtrail_records.json.gz",
        include_bytes!("../demo/cloudtrail_records.json.gz"),
    ),
    (
        "demo/s3_access.log.gz",
        include_bytes!("../demo/s3_access.log.gz"),
    ),
    (
        "demo/k8s_audit.jsonl.gz",
        include_bytes!("../demo/k8s_audit.jsonl.gz"),
    ),
    ("demo/auth.log.gz", include_bytes!("../demo/auth.log.gz")),
];

/// The demo files as scan inputs.
pub(crate) fn inputs() -> Vec<Input> {
    FILES
        .iter()
        .map(|(name, data)| Input::Bytes {
            name: (*name).to_owned(),
            data: data.to_vec(),
        })
        .collect()
}
