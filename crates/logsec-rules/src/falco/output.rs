//! Output templates (libs `eventformatter.cpp`): `%field`, `%20field` (width), transformers
//! (`%toupper(ct.user)`), longest-prefix field tokens, missing values as `<NA>`, list values
//! as `(v1,v2)`; plus the typed `output_fields` map of Falco's JSON alerts.

use std::borrow::Cow;

use base64::Engine as _;
use logsec_event::Event;
use serde_json::{Map, Value};

use super::ast::Transformer;
use super::fields::{self, EvalContext, FieldError, FieldType, ResolvedField, Val};

/// A compiled output template.
#[derive(Debug, Clone)]
pub struct OutputTemplate {
    parts: Vec<Part>,
    text: String,
    source: String,
}

#[derive(Debug, Clone)]
enum Part {
    Literal(String),
    Field(Box<FieldPart>),
}

#[derive(Debug, Clone)]
struct FieldPart {
    token: String,
    field: ResolvedField,
    transforms: Vec<Transformer>,
    width: Option<usize>,
}

/// Why a template does not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateError {
    pub(crate) message: String,
    pub(crate) unknown_field: bool,
}

fn scan_name(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    if !bytes.first().is_some_and(u8::is_ascii_alphabetic) {
        return 0;
    }
    loop {
        while bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            i += 1;
        }
        if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        return i;
    }
}

/// Parses `name[arg]` at the start of `text`, returning the longest prefix that resolves.
fn parse_field_token(text: &str, source: &str) -> Result<(ResolvedField, usize), TemplateError> {
    let end = scan_name(text);
    let name = text.get(..end).unwrap_or("");
    if name.is_empty() {
        return Err(TemplateError {
            message: format!(
                "invalid formatting token %{}",
                text.chars().take(20).collect::<String>()
            ),
            unknown_field: false,
        });
    }
    // Argument in brackets, right after the full name.
    let mut arg = None;
    let mut arg_end = end;
    if text.as_bytes().get(end) == Some(&b'[')
        && let Some(close) = text.get(end + 1..).and_then(|rest| rest.find(']'))
    {
        let raw = text.get(end + 1..end + 1 + close).unwrap_or("");
        let unquoted = raw
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .or_else(|| raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
            .unwrap_or(raw);
        arg = Some(unquoted.to_owned());
        arg_end = end + 2 + close;
    }
    if let Ok(field) = fields::resolve(name, arg.as_deref(), source) {
        return Ok((field, arg_end));
    }
    // Longest prefix at component boundaries (`%ka.user.name.` style tails).
    let mut cut = name.len();
    while let Some(dot) = name.get(..cut).and_then(|n| n.rfind('.')) {
        cut = dot;
        let prefix = name.get(..cut).unwrap_or("");
        if let Ok(field) = fields::resolve(prefix, None, source) {
            return Ok((field, cut));
        }
    }
    let err = fields::resolve(name, arg.as_deref(), source)
        .err()
        .unwrap_or(FieldError::MissingArg);
    Err(TemplateError {
        message: format!("invalid formatting token %{name}: '{name}' {err}"),
        unknown_field: matches!(err, FieldError::Unknown { .. } | FieldError::WrongSource),
    })
}

impl OutputTemplate {
    /// Compiles `text` for rules of `source`.
    pub(crate) fn compile(text: &str, source: &str) -> Result<OutputTemplate, TemplateError> {
        let text = text.trim().replace("%container.info", "");
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text.as_str();
        while let Some(i) = rest.find('%') {
            literal.push_str(rest.get(..i).unwrap_or(""));
            rest = rest.get(i + 1..).unwrap_or("");
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let width = rest.get(..digits).and_then(|d| d.parse::<usize>().ok());
            rest = rest.get(digits..).unwrap_or("");
            if rest.is_empty() {
                return Err(TemplateError {
                    message: "output template ends with '%'".into(),
                    unknown_field: false,
                });
            }
            let (transforms, field, consumed) = parse_token(rest, source, 0)?;
            let token = rest.get(..consumed).unwrap_or("").to_owned();
            rest = rest.get(consumed..).unwrap_or("");
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            parts.push(Part::Field(Box::new(FieldPart {
                token,
                field,
                transforms,
                width,
            })));
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(OutputTemplate {
            parts,
            text,
            source: source.to_owned(),
        })
    }

    /// The template text (trimmed).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The field tokens of the template, as written.
    pub fn field_tokens(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| match part {
            Part::Field(part) => Some(part.token.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// Renders the message and the typed `output_fields` (transformed tokens are omitted
    /// from the fields, as Falco does).
    pub fn render(&self, event: &Event<'_>) -> (String, Map<String, Value>) {
        let ctx = EvalContext {
            event_number: 1,
            source: &self.source,
        };
        self.render_with(event, &ctx)
    }

    fn render_with(
        &self,
        event: &Event<'_>,
        ctx: &EvalContext<'_>,
    ) -> (String, Map<String, Value>) {
        let mut message = String::new();
        let mut output_fields = Map::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => message.push_str(text),
                Part::Field(part) => {
                    let FieldPart {
                        token,
                        field,
                        transforms,
                        width,
                    } = part.as_ref();
                    let mut values = field.extract(event, ctx);
                    let mut is_list = field.is_list();
                    for t in transforms {
                        values = apply_transform(*t, values, is_list);
                        if *t == Transformer::Len {
                            is_list = false;
                        }
                    }
                    let rendered = render_values(&values, is_list);
                    match width {
                        Some(w) => {
                            let truncated: String = rendered.chars().take(*w).collect();
                            message.push_str(&format!("{truncated:<w$}"));
                        }
                        None => message.push_str(&rendered),
                    }
                    if transforms.is_empty() {
                        output_fields
                            .insert(token.clone(), json_values(&values, is_list, field.ty()));
                    }
                }
            }
        }
        (message, output_fields)
    }
}

fn parse_token(
    text: &str,
    source: &str,
    depth: usize,
) -> Result<(Vec<Transformer>, ResolvedField, usize), TemplateError> {
    if depth > 16 {
        return Err(TemplateError {
            message: "transformers nest too deeply in output token".into(),
            unknown_field: false,
        });
    }
    let name_end = scan_name(text);
    if let Some(t) = text.get(..name_end).and_then(Transformer::parse)
        && text.as_bytes().get(name_end) == Some(&b'(')
    {
        let inner = text.get(name_end + 1..).unwrap_or("");
        let (mut transforms, field, consumed) = parse_token(inner, source, depth + 1)?;
        let close = name_end + 1 + consumed;
        if text.as_bytes().get(close) != Some(&b')') {
            return Err(TemplateError {
                message: format!("missing ')' in transformer token %{text}"),
                unknown_field: false,
            });
        }
        transforms.push(t);
        return Ok((transforms, field, close + 1));
    }
    let (field, consumed) = parse_field_token(text, source)?;
    Ok((Vec::new(), field, consumed))
}

/// Renders values as Falco's text output does.
pub(crate) fn render_values(values: &[Val<'_>], is_list: bool) -> String {
    if values.is_empty() {
        return "<NA>".to_owned();
    }
    if is_list {
        let items: Vec<Cow<'_, str>> = values.iter().map(Val::text).collect();
        return format!("({})", items.join(","));
    }
    values
        .first()
        .map(|v| v.text().into_owned())
        .unwrap_or_default()
}

fn json_values(values: &[Val<'_>], is_list: bool, ty: FieldType) -> Value {
    let one = |v: &Val<'_>| match v {
        Val::Num(n) if ty == FieldType::String => Value::from(n.to_string()),
        Val::Num(n) => Value::from(*n),
        Val::Str(s) if ty == FieldType::Uint64 => s
            .parse::<u64>()
            .map_or_else(|_| Value::from(s.as_ref()), Value::from),
        Val::Str(s) => Value::from(s.as_ref()),
    };
    if values.is_empty() {
        return Value::Null;
    }
    if is_list {
        return Value::Array(values.iter().map(one).collect());
    }
    values.first().map_or(Value::Null, one)
}

/// Applies a transformer to extracted values; values it cannot apply to are dropped.
pub(crate) fn apply_transform<'e>(
    t: Transformer,
    values: Vec<Val<'e>>,
    is_list: bool,
) -> Vec<Val<'e>> {
    match t {
        Transformer::Len => {
            if is_list {
                return vec![Val::Num(values.len() as u64)];
            }
            values
                .into_iter()
                .map(|v| Val::Num(v.text().len() as u64))
                .collect()
        }
        Transformer::ToLower => values
            .into_iter()
            .map(|v| Val::Str(Cow::Owned(v.text().to_lowercase())))
            .collect(),
        Transformer::ToUpper => values
            .into_iter()
            .map(|v| Val::Str(Cow::Owned(v.text().to_uppercase())))
            .collect(),
        Transformer::Basename => values
            .into_iter()
            .map(|v| {
                let text = v.text();
                let base = text.rsplit_once('/').map_or(text.as_ref(), |(_, b)| b);
                Val::Str(Cow::Owned(base.to_owned()))
            })
            .collect(),
        Transformer::B64 => values
            .into_iter()
            .filter_map(|v| {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(v.text().as_bytes())
                    .ok()?;
                String::from_utf8(decoded)
                    .ok()
                    .map(|s| Val::Str(Cow::Owned(s)))
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::falco::fields::SOURCE_K8S_AUDIT;
    use logsec_event::{RawRecord, SourceFormat, ocsf};

    #[test]
    fn renders_fields_lists_missing_and_width() {
        let template = OutputTemplate::compile(
            " user=%ka.user.name. (%ka.req.pod.containers.image) ns=%ka.target.namespace v=%5ka.verb| %toupper(ka.verb) c=%ka.uri.param[command] ",
            SOURCE_K8S_AUDIT,
        )
        .unwrap();
        let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
        event.raw = RawRecord::json(
            r#"{"auditID":"1","verb":"create","user":{"username":"bob"},"requestURI":"/x?command=id",
               "requestObject":{"spec":{"containers":[{"image":"a"},{"image":"b"}]}}}"#,
        );
        let (message, fields) = template.render(&event);
        assert_eq!(message, "user=bob. ((a,b)) ns=<NA> v=creat| CREATE c=id");
        assert_eq!(fields["ka.user.name"], Value::from("bob"));
        assert_eq!(fields["ka.target.namespace"], Value::Null);
        assert_eq!(
            fields["ka.req.pod.containers.image"],
            serde_json::json!(["a", "b"])
        );
        assert!(!fields.contains_key("ka.verb)"));
    }

    #[test]
    fn unknown_fields_and_trailing_percent_fail() {
        let err = OutputTemplate::compile("x=%ka.nope", SOURCE_K8S_AUDIT).unwrap_err();
        assert!(err.unknown_field);
        assert!(OutputTemplate::compile("100%", SOURCE_K8S_AUDIT).is_err());
    }

    #[test]
    fn transformers() {
        let vals = vec![Val::Str(Cow::Borrowed("/usr/bin/ls"))];
        assert_eq!(
            apply_transform(Transformer::Basename, vals.clone(), false)[0].text(),
            "ls"
        );
        assert_eq!(
            apply_transform(Transformer::Len, vals.clone(), true),
            vec![Val::Num(1)]
        );
        assert_eq!(
            apply_transform(Transformer::Len, vals, false),
            vec![Val::Num(11)]
        );
        let b = vec![Val::Str(Cow::Borrowed("aGk="))];
        assert_eq!(apply_transform(Transformer::B64, b, false)[0].text(), "hi");
    }
}
