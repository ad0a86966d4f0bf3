//! The condition AST of the Falco rules language (libs `filter/ast.h`, simplified).

use std::fmt;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=` / `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `contains`.
    Contains,
    /// `icontains`.
    IContains,
    /// `bcontains` (buffer fields only).
    BContains,
    /// `startswith`.
    StartsWith,
    /// `bstartswith` (buffer fields only).
    BStartsWith,
    /// `endswith`.
    EndsWith,
    /// `glob`.
    Glob,
    /// `iglob`.
    IGlob,
    /// `regex` (full match).
    Regex,
    /// `in`.
    In,
    /// `intersects`.
    Intersects,
    /// `pmatch`.
    Pmatch,
    /// `exists` (unary).
    Exists,
}

impl CmpOp {
    /// The operator as written in conditions.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Contains => "contains",
            CmpOp::IContains => "icontains",
            CmpOp::BContains => "bcontains",
            CmpOp::StartsWith => "startswith",
            CmpOp::BStartsWith => "bstartswith",
            CmpOp::EndsWith => "endswith",
            CmpOp::Glob => "glob",
            CmpOp::IGlob => "iglob",
            CmpOp::Regex => "regex",
            CmpOp::In => "in",
            CmpOp::Intersects => "intersects",
            CmpOp::Pmatch => "pmatch",
            CmpOp::Exists => "exists",
        }
    }

    /// Parses an operator name as written in conditions and exception `comps`.
    pub fn parse(text: &str) -> Option<CmpOp> {
        Some(match text {
            "=" | "==" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            "contains" => CmpOp::Contains,
            "icontains" => CmpOp::IContains,
            "bcontains" => CmpOp::BContains,
            "startswith" => CmpOp::StartsWith,
            "bstartswith" => CmpOp::BStartsWith,
            "endswith" => CmpOp::EndsWith,
            "glob" => CmpOp::Glob,
            "iglob" => CmpOp::IGlob,
            "regex" => CmpOp::Regex,
            "in" => CmpOp::In,
            "intersects" => CmpOp::Intersects,
            "pmatch" => CmpOp::Pmatch,
            "exists" => CmpOp::Exists,
            _ => return None,
        })
    }

    /// Whether the right-hand side is a list (`in`, `intersects`, `pmatch`).
    pub fn takes_list(self) -> bool {
        matches!(self, CmpOp::In | CmpOp::Intersects | CmpOp::Pmatch)
    }
}

/// The `oneof` / `anyof` / `allof` modifier of a string operator (Falco 0.44+).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modifier {
    /// Exactly one element matches.
    OneOf,
    /// At least one element matches.
    AnyOf,
    /// Every element matches.
    AllOf,
}

impl Modifier {
    /// The modifier keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Modifier::OneOf => "oneof",
            Modifier::AnyOf => "anyof",
            Modifier::AllOf => "allof",
        }
    }
}

/// A field transformer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transformer {
    /// `tolower(…)`.
    ToLower,
    /// `toupper(…)`.
    ToUpper,
    /// `b64(…)`: base64 decode.
    B64,
    /// `basename(…)`.
    Basename,
    /// `len(…)`.
    Len,
}

impl Transformer {
    /// The transformer name.
    pub fn as_str(self) -> &'static str {
        match self {
            Transformer::ToLower => "tolower",
            Transformer::ToUpper => "toupper",
            Transformer::B64 => "b64",
            Transformer::Basename => "basename",
            Transformer::Len => "len",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Transformer> {
        Some(match text {
            "tolower" => Transformer::ToLower,
            "toupper" => Transformer::ToUpper,
            "b64" => Transformer::B64,
            "basename" => Transformer::Basename,
            "len" => Transformer::Len,
            _ => return None,
        })
    }
}

/// A field reference, possibly transformed: `ka.uri.param[command]`, `tolower(ct.user)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldExpr {
    /// A plain field with its optional `[argument]`.
    Field {
        /// The field name.
        name: String,
        /// The argument in brackets, unquoted.
        arg: Option<String>,
    },
    /// A transformer applied to a field expression.
    Transform(Transformer, Box<FieldExpr>),
}

impl FieldExpr {
    /// The innermost field name.
    pub fn field_name(&self) -> &str {
        match self {
            FieldExpr::Field { name, .. } => name,
            FieldExpr::Transform(_, inner) => inner.field_name(),
        }
    }
}

impl fmt::Display for FieldExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldExpr::Field { name, arg: None } => f.write_str(name),
            FieldExpr::Field {
                name,
                arg: Some(arg),
            } => write!(f, "{name}[{arg}]"),
            FieldExpr::Transform(t, inner) => write!(f, "{}({inner})", t.as_str()),
        }
    }
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Rhs {
    /// No right-hand side (`exists`).
    None,
    /// One literal value (unquoted).
    Value(String),
    /// A parenthesised list of literals.
    List(Vec<String>),
    /// Another field: `val(f)` or a transformer.
    Field(FieldExpr),
}

/// A condition expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Expr {
    /// n-ary `and`.
    And(Vec<Expr>),
    /// n-ary `or`.
    Or(Vec<Expr>),
    /// `not`.
    Not(Box<Expr>),
    /// A macro reference (an identifier in check position), with its byte offset.
    Macro(String, usize),
    /// A field comparison.
    Check {
        /// Left-hand side.
        lhs: FieldExpr,
        /// Operator.
        op: CmpOp,
        /// Optional `oneof`/`anyof`/`allof` modifier.
        modifier: Option<Modifier>,
        /// Right-hand side.
        rhs: Rhs,
        /// Byte offset of the check in the condition text.
        offset: usize,
    },
}

impl Expr {
    /// Visits every node, depth first.
    pub fn visit<'s>(&'s self, f: &mut dyn FnMut(&'s Expr)) {
        f(self);
        match self {
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|e| e.visit(f)),
            Expr::Not(inner) => inner.visit(f),
            Expr::Macro(..) | Expr::Check { .. } => {}
        }
    }
}

fn quote(value: &str) -> String {
    if !value.is_empty()
        && value
            .chars()
            .all(|c| !c.is_whitespace() && !"()\",='".contains(c))
    {
        value.to_owned()
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::And(items) | Expr::Or(items) => {
                let sep = if matches!(self, Expr::And(_)) {
                    " and "
                } else {
                    " or "
                };
                f.write_str("(")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str(")")
            }
            Expr::Not(inner) => write!(f, "not {inner}"),
            Expr::Macro(name, _) => f.write_str(name),
            Expr::Check {
                lhs,
                op,
                modifier,
                rhs,
                ..
            } => {
                write!(f, "{lhs} {}", op.as_str())?;
                if let Some(m) = modifier {
                    write!(f, " {}", m.as_str())?;
                }
                match rhs {
                    Rhs::None => Ok(()),
                    Rhs::Value(v) => write!(f, " {}", quote(v)),
                    Rhs::List(items) => {
                        let items: Vec<String> = items.iter().map(|i| quote(i)).collect();
                        write!(f, " ({})", items.join(", "))
                    }
                    Rhs::Field(field) => match field {
                        FieldExpr::Field { .. } => write!(f, " val({field})"),
                        FieldExpr::Transform(..) => write!(f, " {field}"),
                    },
                }
            }
        }
    }
}
