//! IAM wildcard matching: `*` matches any run of characters (including none), `?` matches
//! exactly one character; everything else is literal.
//!
//! The matcher is the classic greedy algorithm with one back-tracking point (the last `*`), so
//! it runs in O(pattern × text) in the worst case and never recurses: policy documents are
//! input, and a hostile pattern must not blow the stack.

/// Whether `text` matches the IAM wildcard `pattern`, comparing characters exactly.
///
/// Resource ARNs are matched this way: IAM compares ARNs case-sensitively.
///
/// ```
/// use logsec_iam::wildcard_match;
/// assert!(wildcard_match("arn:aws:s3:::logs-*/2026/*", "arn:aws:s3:::logs-prod/2026/01/a.gz"));
/// assert!(!wildcard_match("arn:aws:s3:::Logs-*", "arn:aws:s3:::logs-prod"));
/// ```
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    match_chars(pattern, text, |a, b| a == b)
}

/// Whether `text` matches the IAM wildcard `pattern`, ignoring ASCII case.
///
/// Action names are matched this way: `S3:getobject` in a policy grants `s3:GetObject`.
///
/// ```
/// use logsec_iam::wildcard_match_ignore_case;
/// assert!(wildcard_match_ignore_case("s3:Get*", "S3:GETOBJECT"));
/// assert!(wildcard_match_ignore_case("iam:?etUser", "iam:GetUser"));
/// assert!(!wildcard_match_ignore_case("iam:Get?", "iam:Get"));
/// ```
pub fn wildcard_match_ignore_case(pattern: &str, text: &str) -> bool {
    match_chars(pattern, text, |a, b| a.eq_ignore_ascii_case(&b))
}

fn match_chars(pattern: &str, text: &str, eq: impl Fn(char, char) -> bool) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0usize, 0usize);
    // The position after the last `*` seen, and the text position it is currently matched to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match (pattern.get(p), text.get(t)) {
            (Some('*'), _) => {
                star = Some((p + 1, t));
                p += 1;
            }
            (Some('?'), Some(_)) => {
                p += 1;
                t += 1;
            }
            (Some(&pc), Some(&tc)) if eq(pc, tc) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more character and retry from there.
                Some((after_star, matched_to)) => {
                    p = after_star;
                    t = matched_to + 1;
                    star = Some((after_star, matched_to + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_star_and_question_mark() {
        assert!(wildcard_match("abc", "abc"));
        assert!(!wildcard_match("abc", "abcd"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*", "a"));
        assert!(wildcard_match("a*c", "abbbc"));
        assert!(!wildcard_match("a*c", "abbb"));
        assert!(wildcard_match("a?c", "abc"));
        assert!(!wildcard_match("a?c", "ac"));
        assert!(wildcard_match("**a**", "xxaxx"));
        assert!(!wildcard_match("", "x"));
        assert!(wildcard_match("", ""));
    }

    #[test]
    fn case_rules() {
        assert!(wildcard_match_ignore_case(
            "EC2:Describe*",
            "ec2:DescribeInstances"
        ));
        assert!(!wildcard_match("EC2:Describe*", "ec2:DescribeInstances"));
    }
}
