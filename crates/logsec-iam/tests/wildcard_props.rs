//! Property tests: the matcher agrees with a regex-based reference built differently.
#![allow(clippy::unwrap_used)]

use logsec_iam::{wildcard_match, wildcard_match_ignore_case};
use proptest::prelude::*;

/// The reference: translate the wildcard to an anchored regex.
fn reference(pattern: &str, text: &str, ignore_case: bool) -> bool {
    // Inputs under ignore_case are ASCII, where Unicode and ASCII case folding agree.
    let mut re = String::from(if ignore_case { "(?si)^" } else { "(?s)^" });
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            other => re.push_str(&regex::escape(&other.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).unwrap().is_match(text)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn agrees_with_regex(pattern in "[ab*?:]{0,8}", text in "[ab:]{0,10}") {
        prop_assert_eq!(wildcard_match(&pattern, &text), reference(&pattern, &text, false));
    }

    #[test]
    fn agrees_with_regex_ignoring_case(pattern in "[aAbB*?]{0,8}", text in "[aAbB]{0,10}") {
        prop_assert_eq!(
            wildcard_match_ignore_case(&pattern, &text),
            reference(&pattern, &text, true)
        );
    }

    #[test]
    fn unicode_text_never_panics(pattern in "\\PC{0,12}", text in "\\PC{0,16}") {
        prop_assert_eq!(wildcard_match(&pattern, &text), reference(&pattern, &text, false));
    }

    #[test]
    fn a_text_matches_itself_and_star(text in "[a-zA-Z0-9:/]{0,20}") {
        prop_assert!(wildcard_match(&text, &text));
        prop_assert!(wildcard_match("*", &text));
        prop_assert!(wildcard_match_ignore_case(&text.to_ascii_uppercase(), &text));
    }
}
