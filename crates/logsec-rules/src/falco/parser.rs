//! The condition parser: the libs grammar (`filter/parser.h`) with its precedence
//! (`not` > `and` > `or`), word operators that need trailing whitespace, symbol operators that
//! do not, bare identifiers as macro references, and quoted strings with libs escapes.

use super::ast::{CmpOp, Expr, FieldExpr, Modifier, Rhs, Transformer};

/// A condition syntax error with the byte offset where it was detected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// What was expected or found.
    pub message: String,
    /// Byte offset into the condition text.
    pub offset: usize,
}

/// Maximum nesting depth (Falco sets 1000; we keep it lower to bound recursion on the stack).
const MAX_DEPTH: usize = 200;

/// Parses a condition into an AST.
pub fn parse_condition(text: &str) -> Result<Expr, SyntaxError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    parser.skip_ws();
    let expr = parser.parse_or()?;
    parser.skip_ws();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error("unexpected token after the end of the expression"));
    }
    Ok(expr)
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    depth: usize,
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x08 | 0x0c)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic()
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_bare_str_char(b: u8) -> bool {
    !is_blank(b) && !matches!(b, b'(' | b')' | b',' | b'=' | b'"' | b'\'')
}

impl<'t> Parser<'t> {
    fn error(&self, message: &str) -> SyntaxError {
        let near: String = self
            .text
            .get(self.pos..)
            .unwrap_or("")
            .chars()
            .take(20)
            .collect();
        SyntaxError {
            message: if near.is_empty() {
                format!("{message} (at end of condition)")
            } else {
                format!("{message} near '{near}'")
            },
            offset: self.pos,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn rest(&self) -> &'t [u8] {
        self.bytes.get(self.pos..).unwrap_or(&[])
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_blank) {
            self.pos += 1;
        }
    }

    /// Consumes a keyword followed by whitespace (or by `(` when `paren_ok`).
    fn keyword(&mut self, word: &str, paren_ok: bool) -> bool {
        let rest = self.rest();
        if !rest.starts_with(word.as_bytes()) {
            return false;
        }
        match rest.get(word.len()).copied() {
            None => {}
            Some(b) if is_blank(b) => {}
            Some(b'(') if paren_ok => {}
            _ => return false,
        }
        self.pos += word.len();
        true
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("condition nested too deeply"));
        }
        Ok(())
    }

    fn parse_or(&mut self) -> Result<Expr, SyntaxError> {
        self.enter()?;
        let mut items = vec![self.parse_and()?];
        loop {
            self.skip_ws();
            if self.keyword("or", true) {
                self.skip_ws();
                items.push(self.parse_and()?);
            } else {
                break;
            }
        }
        self.depth -= 1;
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Expr::Or(Vec::new()))
        } else {
            Expr::Or(items)
        })
    }

    fn parse_and(&mut self) -> Result<Expr, SyntaxError> {
        let mut items = vec![self.parse_not()?];
        loop {
            self.skip_ws();
            if self.keyword("and", true) {
                self.skip_ws();
                items.push(self.parse_not()?);
            } else {
                break;
            }
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Expr::And(Vec::new()))
        } else {
            Expr::And(items)
        })
    }

    fn parse_not(&mut self) -> Result<Expr, SyntaxError> {
        let mut negations = 0usize;
        loop {
            self.skip_ws();
            if self.keyword("not", true) {
                negations += 1;
            } else {
                break;
            }
        }
        self.skip_ws();
        let mut expr = self.parse_check()?;
        // Repeated `not` toggles, as in libs.
        if negations % 2 == 1 {
            expr = Expr::Not(Box::new(expr));
        }
        Ok(expr)
    }

    fn parse_check(&mut self) -> Result<Expr, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'(') {
            self.pos += 1;
            self.enter()?;
            self.skip_ws();
            let inner = self.parse_or()?;
            self.depth -= 1;
            self.skip_ws();
            if self.peek() != Some(b')') {
                return Err(self.error("expected ')'"));
            }
            self.pos += 1;
            return Ok(inner);
        }
        if let Some(lhs) = self.try_field_transformer()? {
            return self.parse_condition_tail(lhs, start);
        }
        let Some(word) = self.scan_name() else {
            return Err(self.error("expected a field, a macro name or '('"));
        };
        if word.contains('.') {
            let lhs = self.parse_field_after_name(word)?;
            return self.parse_condition_tail(lhs, start);
        }
        Ok(Expr::Macro(word.to_owned(), start))
    }

    /// Scans `[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)*`.
    fn scan_name(&mut self) -> Option<&'t str> {
        let start = self.pos;
        let bytes = self.bytes;
        let mut i = self.pos;
        if !bytes.get(i).copied().is_some_and(is_ident_start) {
            return None;
        }
        loop {
            while bytes.get(i).copied().is_some_and(is_ident_char) {
                i += 1;
            }
            if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).copied().is_some_and(is_ident_start)
            {
                i += 1;
                continue;
            }
            break;
        }
        self.pos = i;
        self.text.get(start..i)
    }

    fn parse_field_after_name(&mut self, name: &str) -> Result<FieldExpr, SyntaxError> {
        let mut arg = None;
        if self.peek() == Some(b'[') {
            self.pos += 1;
            let value = match self.peek() {
                Some(b'"') | Some(b'\'') => self.parse_quoted()?,
                _ => {
                    let start = self.pos;
                    while self
                        .peek()
                        .is_some_and(|b| !is_blank(b) && !matches!(b, b'[' | b']' | b'"' | b'\''))
                    {
                        self.pos += 1;
                    }
                    if self.pos == start {
                        return Err(self.error("expected a field argument"));
                    }
                    self.text.get(start..self.pos).unwrap_or("").to_owned()
                }
            };
            if self.peek() != Some(b']') {
                return Err(self.error("expected ']' after the field argument"));
            }
            self.pos += 1;
            arg = Some(value);
        }
        Ok(FieldExpr::Field {
            name: name.to_owned(),
            arg,
        })
    }

    /// `tolower(` … `)` and friends; returns `None` (consuming nothing) if absent.
    fn try_field_transformer(&mut self) -> Result<Option<FieldExpr>, SyntaxError> {
        let save = self.pos;
        let Some(word) = self.scan_name() else {
            return Ok(None);
        };
        let Some(transformer) = Transformer::parse(word) else {
            self.pos = save;
            return Ok(None);
        };
        if self.peek() != Some(b'(') {
            self.pos = save;
            return Ok(None);
        }
        self.pos += 1;
        self.enter()?;
        self.skip_ws();
        let inner = self.parse_field_operand()?;
        self.depth -= 1;
        self.skip_ws();
        if self.peek() != Some(b')') {
            return Err(self.error("expected ')' after the transformer argument"));
        }
        self.pos += 1;
        Ok(Some(FieldExpr::Transform(transformer, Box::new(inner))))
    }

    fn parse_field_operand(&mut self) -> Result<FieldExpr, SyntaxError> {
        if let Some(inner) = self.try_field_transformer()? {
            return Ok(inner);
        }
        match self.scan_name() {
            Some(name) if name.contains('.') => self.parse_field_after_name(name),
            _ => Err(self.error("expected a field name")),
        }
    }

    fn parse_condition_tail(&mut self, lhs: FieldExpr, offset: usize) -> Result<Expr, SyntaxError> {
        self.skip_ws();
        let rest = self.rest();
        // Unary.
        if rest.starts_with(b"exists") && !rest.get(6).copied().is_some_and(is_ident_char) {
            self.pos += 6;
            return Ok(Expr::Check {
                lhs,
                op: CmpOp::Exists,
                modifier: None,
                rhs: Rhs::None,
                offset,
            });
        }
        // Symbol operators (no whitespace needed).
        for (sym, op) in [
            ("<=", CmpOp::Le),
            ("<", CmpOp::Lt),
            (">=", CmpOp::Ge),
            (">", CmpOp::Gt),
            ("==", CmpOp::Eq),
            ("=", CmpOp::Eq),
            ("!=", CmpOp::Ne),
        ] {
            if rest.starts_with(sym.as_bytes()) {
                self.pos += sym.len();
                return self.parse_scalar_rhs(lhs, op, offset);
            }
        }
        for (word, op) in [
            ("bcontains", CmpOp::BContains),
            ("bstartswith", CmpOp::BStartsWith),
            ("contains", CmpOp::Contains),
            ("endswith", CmpOp::EndsWith),
            ("glob", CmpOp::Glob),
            ("icontains", CmpOp::IContains),
            ("iglob", CmpOp::IGlob),
            ("startswith", CmpOp::StartsWith),
            ("regex", CmpOp::Regex),
        ] {
            if self.keyword(word, false) {
                return self.parse_scalar_rhs(lhs, op, offset);
            }
        }
        for (word, op) in [
            ("intersects", CmpOp::Intersects),
            ("in", CmpOp::In),
            ("pmatch", CmpOp::Pmatch),
        ] {
            if self.keyword(word, true) {
                self.skip_ws();
                if let Some(field) = self.try_rhs_field()? {
                    return Ok(Expr::Check {
                        lhs,
                        op,
                        modifier: None,
                        rhs: Rhs::Field(field),
                        offset,
                    });
                }
                let items = self.parse_list_value()?;
                return Ok(Expr::Check {
                    lhs,
                    op,
                    modifier: None,
                    rhs: Rhs::List(items),
                    offset,
                });
            }
        }
        Err(self.error("expected an operator"))
    }

    fn parse_scalar_rhs(
        &mut self,
        lhs: FieldExpr,
        op: CmpOp,
        offset: usize,
    ) -> Result<Expr, SyntaxError> {
        self.skip_ws();
        let modifier = if self.keyword("oneof", true) {
            Some(Modifier::OneOf)
        } else if self.keyword("anyof", true) {
            Some(Modifier::AnyOf)
        } else if self.keyword("allof", true) {
            Some(Modifier::AllOf)
        } else {
            None
        };
        if modifier.is_some() {
            if matches!(op, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge) {
                return Err(self.error("modifiers only apply to string operators"));
            }
            self.skip_ws();
            let items = self.parse_list_value()?;
            return Ok(Expr::Check {
                lhs,
                op,
                modifier,
                rhs: Rhs::List(items),
                offset,
            });
        }
        if let Some(field) = self.try_rhs_field()? {
            return Ok(Expr::Check {
                lhs,
                op,
                modifier: None,
                rhs: Rhs::Field(field),
                offset,
            });
        }
        let value = self.parse_str_value()?;
        Ok(Expr::Check {
            lhs,
            op,
            modifier: None,
            rhs: Rhs::Value(value),
            offset,
        })
    }

    /// `val(field)` or a transformer on the right-hand side.
    fn try_rhs_field(&mut self) -> Result<Option<FieldExpr>, SyntaxError> {
        if self.rest().starts_with(b"val(") {
            self.pos += 4;
            self.skip_ws();
            let field = self.parse_field_operand()?;
            self.skip_ws();
            if self.peek() != Some(b')') {
                return Err(self.error("expected ')' after val(…"));
            }
            self.pos += 1;
            return Ok(Some(field));
        }
        self.try_field_transformer()
    }

    fn parse_str_value(&mut self) -> Result<String, SyntaxError> {
        match self.peek() {
            Some(b'"') | Some(b'\'') => self.parse_quoted(),
            _ => {
                let start = self.pos;
                while self.peek().is_some_and(is_bare_str_char) {
                    self.pos += 1;
                }
                if self.pos == start {
                    return Err(self.error("expected a value"));
                }
                Ok(self.text.get(start..self.pos).unwrap_or("").to_owned())
            }
        }
    }

    fn parse_list_value(&mut self) -> Result<Vec<String>, SyntaxError> {
        if self.peek() != Some(b'(') {
            return Err(self.error("expected a list '(…)'"));
        }
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b')') {
            self.pos += 1;
            return Ok(items);
        }
        loop {
            self.skip_ws();
            items.push(self.parse_str_value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b')') => {
                    self.pos += 1;
                    return Ok(items);
                }
                _ => return Err(self.error("expected ',' or ')' in list")),
            }
        }
    }

    /// A quoted string with libs escapes: `\b \f \n \r \t \\ \/ \xHH`, and the quote character
    /// itself. Unknown escapes are kept verbatim.
    fn parse_quoted(&mut self) -> Result<String, SyntaxError> {
        let Some(quote) = self.peek() else {
            return Err(self.error("expected a quoted string"));
        };
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let text = self.text;
        loop {
            let Some(ch) = text.get(self.pos..).and_then(|s| s.chars().next()) else {
                self.pos = start;
                return Err(self.error("unterminated quoted string"));
            };
            self.pos += ch.len_utf8();
            if ch as u32 == u32::from(quote) {
                return Ok(out);
            }
            if ch != '\\' {
                out.push(ch);
                continue;
            }
            let Some(esc) = text.get(self.pos..).and_then(|s| s.chars().next()) else {
                continue;
            };
            self.pos += esc.len_utf8();
            match esc {
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '\\' => out.push('\\'),
                '/' => out.push('/'),
                'x' => {
                    let hex = text.get(self.pos..self.pos + 2).unwrap_or("");
                    match u8::from_str_radix(hex, 16) {
                        Ok(byte) if hex.len() == 2 => {
                            out.push(char::from(byte));
                            self.pos += 2;
                        }
                        _ => out.push_str("\\x"),
                    }
                }
                c if c as u32 == u32::from(quote) => out.push(c),
                c => {
                    out.push('\\');
                    out.push(c);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str) -> FieldExpr {
        FieldExpr::Field {
            name: name.into(),
            arg: None,
        }
    }

    #[test]
    fn precedence_not_and_or() {
        let expr = parse_condition("a or b and not c").unwrap();
        assert_eq!(expr.to_string(), "(a or (b and not c))");
    }

    #[test]
    fn symbol_operators_need_no_space() {
        let expr = parse_condition("ka.verb=create").unwrap();
        assert_eq!(
            expr,
            Expr::Check {
                lhs: field("ka.verb"),
                op: CmpOp::Eq,
                modifier: None,
                rhs: Rhs::Value("create".into()),
                offset: 0
            }
        );
    }

    #[test]
    fn word_operators_need_space() {
        assert!(parse_condition("ka.verb contains\"x\"").is_err());
        assert!(parse_condition("ka.verb contains \"x\"").is_ok());
    }

    #[test]
    fn lists_args_and_transformers() {
        let expr = parse_condition(
            "tolower(ka.uri.param[command]) in (a, \"b c\", 'd') and json.value[\"/a b\"] exists",
        )
        .unwrap();
        assert_eq!(
            expr.to_string(),
            "(tolower(ka.uri.param[command]) in (a, \"b c\", d) and json.value[/a b] exists)"
        );
    }

    #[test]
    fn not_paren_and_double_not() {
        assert_eq!(parse_condition("not(a)").unwrap().to_string(), "not a");
        assert_eq!(parse_condition("not not a").unwrap().to_string(), "a");
        assert_eq!(
            parse_condition("a and(b or c)").unwrap().to_string(),
            "(a and (b or c))"
        );
    }

    #[test]
    fn escapes_and_val() {
        let expr = parse_condition(r#"ct.user = "a\"b\x41" and ct.user != val(ct.name)"#).unwrap();
        assert_eq!(
            expr.to_string(),
            r#"(ct.user = "a\"bA" and ct.user != val(ct.name))"#
        );
    }

    #[test]
    fn modifiers() {
        let expr = parse_condition("ct.name startswith anyof (Get, List)").unwrap();
        assert!(matches!(
            expr,
            Expr::Check {
                modifier: Some(Modifier::AnyOf),
                ..
            }
        ));
    }

    #[test]
    fn errors_have_offsets() {
        let err = parse_condition("ka.verb = create and").unwrap_err();
        assert_eq!(err.offset, 20);
        let err = parse_condition("ka.verb foo x").unwrap_err();
        assert!(
            err.message.contains("expected an operator"),
            "{}",
            err.message
        );
        assert!(parse_condition("(a").is_err());
        assert!(parse_condition("x in (a, b").is_err());
    }
}
