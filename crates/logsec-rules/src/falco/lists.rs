//! Textual list expansion, exactly as Falco does it (`rule_loader_compiler.cpp::resolve_list`),
//! quirks included: a list name is replaced wherever it stands between delimiters
//! (start/end, blanks, `(`, `)`, `,`, `=`), even outside an `in (…)`; items holding a space are
//! wrapped in double quotes (which "breaks string escaping in lists", as the upstream comment
//! says); an empty list also eats a neighbouring comma.

const BLANKS: &[u8] = b" \t\n\r";
const DELIMS: &[u8] = b" \t\n\r(),=";

/// Quotes an item holding a space unless it already starts with a quote (`quote_item`).
pub(crate) fn quote_item(item: &str) -> String {
    if item.contains(' ') && !item.starts_with('"') && !item.starts_with('\'') {
        format!("\"{item}\"")
    } else {
        item.to_owned()
    }
}

/// Wraps an item in parentheses unless it already starts with one (`paren_item`).
pub(crate) fn paren_item(item: &str) -> String {
    if item.starts_with('(') {
        item.to_owned()
    } else {
        format!("({item})")
    }
}

/// The longest condition text list expansion may produce (a guard against rule text that
/// expands exponentially).
pub(crate) const MAX_CONDITION_BYTES: usize = 1 << 20;

/// Replaces every delimited occurrence of `name` in `cond` by the joined `items`.
/// Returns whether the list was used; `Err` when the text would exceed
/// [`MAX_CONDITION_BYTES`].
pub(crate) fn resolve_list(cond: &mut String, name: &str, items: &[String]) -> Result<bool, ()> {
    if name.is_empty() {
        return Ok(false);
    }
    let mut used = false;
    let mut start = cond.find(name);
    while let Some(mut s) = start {
        let bytes = cond.as_bytes();
        let mut end = s + name.len();
        let before_ok = s == 0 || bytes.get(s - 1).is_some_and(|b| DELIMS.contains(b));
        let after_ok = end >= bytes.len() || bytes.get(end).is_some_and(|b| DELIMS.contains(b));
        let mut next_from = s + 1;
        if before_ok && after_ok {
            while s > 0 && bytes.get(s - 1).is_some_and(|b| BLANKS.contains(b)) {
                s -= 1;
            }
            while end < bytes.len() && bytes.get(end).is_some_and(|b| BLANKS.contains(b)) {
                end += 1;
            }
            let sub = items
                .iter()
                .map(|item| quote_item(item))
                .collect::<Vec<_>>()
                .join(", ");
            if sub.is_empty() {
                if s > 0 && bytes.get(s - 1) == Some(&b',') {
                    s -= 1;
                } else if end < bytes.len() && bytes.get(end) == Some(&b',') {
                    end += 1;
                }
            }
            if cond.len() + sub.len() + 2 > MAX_CONDITION_BYTES {
                return Err(());
            }
            let mut new_cond = String::with_capacity(cond.len() + sub.len() + 2);
            if s > 0 {
                new_cond.push_str(cond.get(..s).unwrap_or(""));
                new_cond.push(' ');
            }
            new_cond.push_str(&sub);
            new_cond.push(' ');
            new_cond.push_str(cond.get(end..).unwrap_or(""));
            *cond = new_cond;
            // Mirrors upstream: `start += sub.length() + 1`, then search from `start + 1`.
            next_from = s + sub.len() + 2;
            used = true;
        }
        start = cond
            .get(next_from..)
            .and_then(|rest| rest.find(name))
            .map(|i| i + next_from);
    }
    Ok(used)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_list_ok(cond: &mut String, name: &str, items: &[String]) -> bool {
        resolve_list(cond, name, items).unwrap()
    }

    #[test]
    fn expansion_is_bounded() {
        let mut cond = "x in (big, big, big)".to_string();
        let big = vec!["y".repeat(MAX_CONDITION_BYTES / 2)];
        assert!(resolve_list(&mut cond, "big", &big).is_err());
    }

    fn items(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn expands_inside_parentheses() {
        let mut cond = "jevt.value[/stage] in (k8s_audit_stages)".to_string();
        assert!(resolve_list_ok(
            &mut cond,
            "k8s_audit_stages",
            &items(&["ResponseComplete"])
        ));
        assert_eq!(cond, "jevt.value[/stage] in ( ResponseComplete )");
    }

    #[test]
    fn quotes_items_with_spaces_and_skips_undelimited() {
        let mut cond = "x in (my_list, other) and my_list_2 = a".to_string();
        assert!(resolve_list_ok(&mut cond, "my_list", &items(&["a b", "c"])));
        assert_eq!(cond, "x in ( \"a b\", c , other) and my_list_2 = a");
    }

    #[test]
    fn empty_list_eats_a_comma() {
        let mut cond = "x in (a, empty)".to_string();
        assert!(resolve_list_ok(&mut cond, "empty", &[]));
        assert_eq!(cond, "x in (a  )");
        let mut cond = "x in (empty, a)".to_string();
        resolve_list_ok(&mut cond, "empty", &[]);
        assert_eq!(cond, "x in (   a)");
    }

    #[test]
    fn bare_values_elsewhere_are_substituted_too() {
        let mut cond = "ka.verb=create".to_string();
        assert!(resolve_list_ok(&mut cond, "create", &items(&["delete"])));
        assert_eq!(cond, "ka.verb= delete ");
        let mut cond = "ka.verb=created".to_string();
        assert!(!resolve_list_ok(&mut cond, "create", &items(&["delete"])));
    }
}
