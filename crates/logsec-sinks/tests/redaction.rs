//! The default secret paths are redacted in every encoding, before any sink.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::temp_dir;
use logsec_event::{
    Alert, AlertBuilder, Event, HttpRequest, RawRecord, RuleRef, Severity, SourceFormat, Url, ocsf,
};
use logsec_sinks::{Encoder, Encoding, FileSink, REDACTED, Redactor, Router, SinkSpec, Template};

const SESSION_TOKEN: &str = "FwoGZXIvYXdzEBYaDHqa0AP1EXAMPLESESSIONTOKEN";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const ACCESS_KEY: &str = "ASIAEXAMPLEKEYID7788";
const BEARER: &str = "Bearer eyJhbGciOiJIUzI1NiJ9.EXAMPLEJWT";
const COOKIE: &str = "session=EXAMPLECOOKIEVALUE42";
const QUERY_PASSWORD: &str = "hunter2-EXAMPLE";

fn secret_alert() -> Alert {
    let raw = serde_json::json!({
        "eventName": "AssumeRole",
        "userIdentity": {"accessKeyId": "AKIACALLERKEYID00001"},
        "requestParameters": {"roleArn": "arn:aws:iam::111122223333:role/x"},
        "responseElements": {"credentials": {
            "sessionToken": SESSION_TOKEN,
            "secretAccessKey": SECRET_KEY,
            "accessKeyId": ACCESS_KEY,
            "expiration": "Nov 28, 2026 6:00:00 PM"
        }},
        "headers": {"Authorization": BEARER, "Cookie": COOKIE},
        "requestURI": format!("/api/v1/login?user=bob&password={QUERY_PASSWORD}")
    })
    .to_string();
    let mut event = Event::new(&ocsf::API_ACTIVITY, 1, SourceFormat::Cloudtrail);
    event.time = 1_700_000_000_000;
    event.metadata.original_event_uid = Some("event-1".into());
    event.raw = RawRecord::json(raw);
    event.http_request = Some(Box::new(HttpRequest {
        url: Some(Url {
            query_string: Some(format!("user=bob&password={QUERY_PASSWORD}").into()),
            ..Url::default()
        }),
        ..HttpRequest::default()
    }));
    let mut fields = BTreeMap::new();
    fields.insert("ct.name".to_owned(), serde_json::json!("AssumeRole"));
    fields.insert("ct.token".to_owned(), serde_json::json!(SESSION_TOKEN));
    AlertBuilder::new(
        RuleRef {
            id: "assume-role".into(),
            title: "Role assumed".into(),
            ..RuleRef::default()
        },
        Severity::Medium,
    )
    .message(format!(
        "role assumed, token {SESSION_TOKEN} key {SECRET_KEY} via ?password={QUERY_PASSWORD}"
    ))
    .output_fields(fields)
    .event(&event)
    .build()
}

#[test]
fn default_secret_paths_are_redacted_in_every_encoding() {
    let dir = temp_dir("redaction");
    let encodings = [
        ("ocsf", Encoding::Ocsf),
        ("falco", Encoding::FalcoJson),
        ("text", Encoding::Text),
        (
            "template",
            Encoding::Template(Template::new("{rule} {message} {field:ct.token}")),
        ),
    ];
    let mut builder = Router::builder();
    for (name, encoding) in &encodings {
        let sink = FileSink::builder(dir.join(format!("{name}.jsonl")))
            .encoder(Encoder::new(encoding.clone(), "host-1"))
            .build()
            .unwrap();
        builder = builder.sink(SinkSpec::new(*name, sink));
    }
    let router = builder.build().unwrap();
    let alert = secret_alert();
    assert!(
        alert.to_ocsf_json().contains(SESSION_TOKEN),
        "fixture carries the secret"
    );
    assert_eq!(router.send(alert).unwrap(), 4);
    assert!(router.flush(Duration::from_secs(5)));
    drop(router);
    for (name, _) in &encodings {
        let written = std::fs::read_to_string(dir.join(format!("{name}.jsonl"))).unwrap();
        assert!(!written.is_empty(), "{name}");
        for secret in [
            SESSION_TOKEN,
            SECRET_KEY,
            ACCESS_KEY,
            BEARER,
            COOKIE,
            QUERY_PASSWORD,
        ] {
            assert!(
                !written.contains(secret),
                "{name} leaks {secret}: {written}"
            );
        }
        assert!(written.contains(REDACTED), "{name}: {written}");
    }
    let ocsf = std::fs::read_to_string(dir.join("ocsf.jsonl")).unwrap();
    let value: serde_json::Value = serde_json::from_str(ocsf.trim()).unwrap();
    let raw = &value["evidences"][0]["data"]["raw"];
    assert_eq!(
        raw["responseElements"]["credentials"]["sessionToken"],
        REDACTED
    );
    assert_eq!(
        raw["responseElements"]["credentials"]["accessKeyId"],
        REDACTED
    );
    assert_eq!(
        raw["responseElements"]["credentials"]["expiration"], "Nov 28, 2026 6:00:00 PM",
        "only the listed paths go"
    );
    assert_eq!(
        raw["userIdentity"]["accessKeyId"], "AKIACALLERKEYID00001",
        "the caller's key id is evidence, not a secret"
    );
    assert_eq!(raw["headers"]["Authorization"], REDACTED);
    assert_eq!(
        raw["requestURI"],
        "/api/v1/login?user=bob&password=[REDACTED]"
    );
    assert_eq!(
        value["evidences"][0]["http_request"]["url"]["query_string"],
        "user=bob&password=[REDACTED]"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn configured_paths_and_the_evidence_cap_apply() {
    let mut alert = secret_alert();
    let evidence = alert.evidences[0].clone();
    alert.evidences = vec![evidence; 30];
    alert.finding_info.related_events_count = Some(10_000);
    let redactor = Redactor::none()
        .path("requestParameters.roleArn")
        .max_evidences(3);
    redactor.apply(&mut alert);
    assert_eq!(alert.evidences.len(), 3);
    assert_eq!(alert.finding_info.related_events_count, Some(10_000));
    let raw = &alert.evidences[0].data["raw"];
    assert_eq!(raw["requestParameters"]["roleArn"], REDACTED);
    assert_eq!(
        raw["responseElements"]["credentials"]["sessionToken"], SESSION_TOKEN,
        "Redactor::none() drops the defaults"
    );
}
