//! Hostile text in alerts and templates never makes the encoders or the redactor panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use logsec_event::{AlertBuilder, RuleRef, Severity};
use logsec_sinks::{Encoder, Encoding, REDACTED, Redactor, Template, parse_duration};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn templates_render_any_text(template in "\\PC{0,40}", message in "\\PC{0,40}") {
        let alert = AlertBuilder::new(RuleRef::default(), Severity::Low).message(message).build();
        let rendered = Template::new(template.clone()).render(&alert, "h");
        if !template.contains(['{', '}']) {
            prop_assert_eq!(rendered, template);
        }
    }

    #[test]
    fn redaction_and_encodings_take_any_text(message in "[a-z=&?;\\- ]{0,60}\\PC{0,20}", raw in "\\PC{0,60}") {
        let mut alert = AlertBuilder::new(RuleRef::default(), Severity::High)
            .message(message)
            .related_id("e", 0)
            .build();
        alert.evidences.push(logsec_event::Evidence {
            data: serde_json::json!({"raw": {"line": raw, "password": "p4ssw0rd-secret"}}),
            ..Default::default()
        });
        Redactor::default().apply(&mut alert);
        prop_assert_eq!(&alert.evidences[0].data["raw"]["password"], REDACTED);
        for encoding in [Encoding::Ocsf, Encoding::FalcoJson, Encoding::Text, Encoding::Template(Template::default())] {
            let line = Encoder::new(encoding, "h").line(&alert);
            prop_assert!(!line.contains('\n'));
            prop_assert!(!line.contains("p4ssw0rd-secret"));
        }
    }

    #[test]
    fn durations_parse_or_refuse_any_text(text in "\\PC{0,12}") {
        let _ = parse_duration(&text);
    }
}
