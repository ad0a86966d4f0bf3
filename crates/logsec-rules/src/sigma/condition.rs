//! Sigma `condition` strings → condition trees.
//!
//! Grammar (precedence from loosest to tightest: `or`, `and`, `not`, `x of`, parentheses):
//!
//! ```text
//! or    := and ("or" and)*
//! and   := not ("and" not)*
//! not   := "not" not | atom
//! atom  := "(" or ")" | ("1" | "any" | "all") "of" (pattern | "them") | identifier
//! ```

/// How many identifiers of a group must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quantity {
    One,
    All,
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cond {
    Ident(String),
    /// `1 of pattern` / `all of them` (`pattern == None`).
    Of(Quantity, Option<String>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
}

/// Why a condition did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CondError {
    /// The Sigma 1 aggregation syntax (`| count() > 5`, `| near …`).
    LegacyAggregation(String),
    /// Anything else.
    Syntax(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    Word(String),
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        match c {
            '(' | ')' => {
                if !word.is_empty() {
                    tokens.push(Token::Word(std::mem::take(&mut word)));
                }
                tokens.push(if c == '(' { Token::Open } else { Token::Close });
            }
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    tokens.push(Token::Word(std::mem::take(&mut word)));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        tokens.push(Token::Word(word));
    }
    tokens
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

const MAX_DEPTH: usize = 64;

fn is_keyword(word: &str, keyword: &str) -> bool {
    word.eq_ignore_ascii_case(keyword)
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_word(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if is_keyword(w, keyword))
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        token
    }

    fn or(&mut self) -> Result<Cond, CondError> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            let right = self.and()?;
            left = Cond::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Cond, CondError> {
        let mut left = self.not()?;
        while self.peek_word("and") {
            self.pos += 1;
            let right = self.not()?;
            left = Cond::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Cond, CondError> {
        if self.peek_word("not") {
            self.pos += 1;
            self.enter()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Cond::Not(Box::new(inner)));
        }
        self.atom()
    }

    fn enter(&mut self) -> Result<(), CondError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(CondError::Syntax("condition nested too deeply".into()));
        }
        Ok(())
    }

    fn atom(&mut self) -> Result<Cond, CondError> {
        match self.next() {
            Some(Token::Open) => {
                self.enter()?;
                let inner = self.or()?;
                self.depth -= 1;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    _ => Err(CondError::Syntax("missing `)`".into())),
                }
            }
            Some(Token::Close) => Err(CondError::Syntax("unexpected `)`".into())),
            Some(Token::Word(word)) => {
                let quantity = if word == "1" || is_keyword(&word, "any") {
                    Some(Quantity::One)
                } else if is_keyword(&word, "all") {
                    Some(Quantity::All)
                } else {
                    None
                };
                if let Some(quantity) = quantity
                    && self.peek_word("of")
                {
                    self.pos += 1;
                    return match self.next() {
                        Some(Token::Word(target)) if is_keyword(&target, "them") => {
                            Ok(Cond::Of(quantity, None))
                        }
                        Some(Token::Word(target)) if is_identifier(&target, true) => {
                            Ok(Cond::Of(quantity, Some(target)))
                        }
                        _ => Err(CondError::Syntax(format!(
                            "`{word} of` must be followed by a pattern or `them`"
                        ))),
                    };
                }
                if ["and", "or", "not", "of"]
                    .iter()
                    .any(|k| is_keyword(&word, k))
                {
                    return Err(CondError::Syntax(format!("unexpected `{word}`")));
                }
                if !is_identifier(&word, false) {
                    return Err(CondError::Syntax(format!("bad identifier {word:?}")));
                }
                Ok(Cond::Ident(word))
            }
            None => Err(CondError::Syntax("condition ends too early".into())),
        }
    }
}

fn is_identifier(word: &str, pattern: bool) -> bool {
    !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.') || (pattern && c == '*'))
}

/// Parses a condition string.
pub(crate) fn parse(text: &str) -> Result<Cond, CondError> {
    if let Some((_, aggregation)) = text.split_once('|') {
        return Err(CondError::LegacyAggregation(aggregation.trim().to_owned()));
    }
    let mut parser = Parser {
        tokens: tokenize(text),
        pos: 0,
        depth: 0,
    };
    let cond = parser.or()?;
    if parser.pos < parser.tokens.len() {
        return Err(CondError::Syntax(format!(
            "unexpected {:?} after a complete condition",
            parser.tokens.get(parser.pos)
        )));
    }
    Ok(cond)
}

/// Whether identifier `name` matches a `*` pattern (greedy matching with one backtrack point,
/// so linear-time in practice).
pub(crate) fn pattern_matches(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(c) if Some(c) == n.get(ni) => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> Box<Cond> {
        Box::new(Cond::Ident(s.into()))
    }

    #[test]
    fn precedence_is_or_and_not() {
        assert_eq!(
            parse("a or b and not c").unwrap(),
            Cond::Or(
                id("a"),
                Box::new(Cond::And(id("b"), Box::new(Cond::Not(id("c")))))
            )
        );
        assert_eq!(
            parse("(a or b) and 1 of sel* and not all of them").unwrap(),
            Cond::And(
                Box::new(Cond::And(
                    Box::new(Cond::Or(id("a"), id("b"))),
                    Box::new(Cond::Of(Quantity::One, Some("sel*".into())))
                )),
                Box::new(Cond::Not(Box::new(Cond::Of(Quantity::All, None))))
            )
        );
    }

    #[test]
    fn errors_are_reported() {
        assert!(matches!(
            parse("sel | count() > 5"),
            Err(CondError::LegacyAggregation(a)) if a == "count() > 5"
        ));
        assert!(matches!(parse("a and"), Err(CondError::Syntax(_))));
        assert!(matches!(parse("(a"), Err(CondError::Syntax(_))));
        assert!(matches!(parse("a b"), Err(CondError::Syntax(_))));
        let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert!(matches!(parse(&deep), Err(CondError::Syntax(_))));
    }

    #[test]
    fn patterns() {
        assert!(pattern_matches("sel*", "selection"));
        assert!(pattern_matches("*_allow", "x_allow"));
        assert!(!pattern_matches("sel*", "filter"));
        assert!(pattern_matches("a*b*c", "aXbYc"));
    }
}
