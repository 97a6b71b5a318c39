//! Policy variables: `${aws:username}`, `${key, 'default'}`, `${*}` (spec V-1..V-7).

use std::fmt;

/// A reference to a request-context key inside a pattern or condition value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// The key as written (`aws:PrincipalTag/team`).
    pub key: String,
    /// The key lower-cased, for lookups (keys are case-insensitive, V-1).
    pub key_lower: String,
    /// The literal used when the key is missing (V-5).
    pub default: Option<String>,
}

impl fmt::Display for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.default {
            Some(d) => write!(f, "${{{}, '{}'}}", self.key, d),
            None => write!(f, "${{{}}}", self.key),
        }
    }
}

/// A piece of a template: text as written, or a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text outside variables (still subject to `*`/`?` where patterns apply).
    Text(String),
    /// `${*}`, `${?}` or `${$}`: always the literal character (V-3).
    Literal(char),
    /// A context-key reference.
    Var(Variable),
}

/// What is wrong with a variable (Access Analyzer codes, spec V-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableError {
    /// `MISSING_BRACE_IN_VARIABLE`, `MISSING_QUOTE_IN_VARIABLE`,
    /// `UNSUPPORTED_SPACE_IN_VARIABLE` or `EMPTY_VARIABLE`.
    pub code: &'static str,
    /// Lowercase message.
    pub message: String,
    /// Byte offset of the `$` in the template.
    pub offset: usize,
}

/// Whether `s` contains something that looks like a variable (`${`).
/// A byte loop: `str::contains` sets up a two-way search for the
/// two-byte needle, which costs more than the search in a policy's short
/// strings (lowering asks this of every resource and condition value).
pub fn has_variable(s: &str) -> bool {
    s.as_bytes().windows(2).any(|w| w == b"${")
}

/// Splits a template into text and variables.
pub fn parse_template(s: &str) -> Result<Vec<Piece>, VariableError> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    let mut base = 0usize;
    while let Some(i) = rest.find("${") {
        text.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i + 2..).unwrap_or_default();
        let offset = base + i;
        let Some(close) = find_close(after) else {
            return Err(VariableError {
                code: "MISSING_BRACE_IN_VARIABLE",
                message: format!(
                    "variable at `{}` has no closing `}}`",
                    truncate(rest.get(i..).unwrap_or_default())
                ),
                offset,
            });
        };
        let body = after.get(..close).unwrap_or_default();
        let piece = parse_body(body, offset)?;
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut text)));
        }
        pieces.push(piece);
        let consumed = i + 2 + close + 1;
        rest = rest.get(consumed..).unwrap_or_default();
        base += consumed;
    }
    text.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// Finds the `}` closing a variable body, skipping a quoted default.
fn find_close(after: &str) -> Option<usize> {
    let mut in_quote = false;
    for (i, c) in after.char_indices() {
        match c {
            '\'' => in_quote = !in_quote,
            '}' if !in_quote => return Some(i),
            _ => {}
        }
    }
    None
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

fn parse_body(body: &str, offset: usize) -> Result<Piece, VariableError> {
    match body {
        "*" => return Ok(Piece::Literal('*')),
        "?" => return Ok(Piece::Literal('?')),
        "$" => return Ok(Piece::Literal('$')),
        "" => {
            return Err(VariableError {
                code: "EMPTY_VARIABLE",
                message: "empty variable `${}`".to_string(),
                offset,
            })
        }
        _ => {}
    }
    let (key, default) = match body.split_once(',') {
        None => (body, None),
        Some((key, d)) => {
            let Some(d) = d.strip_prefix(' ') else {
                return Err(VariableError {
                    code: "UNSUPPORTED_SPACE_IN_VARIABLE",
                    message: format!(
                        "default value in `${{{body}}}` must follow `, ` (a comma and one space)"
                    ),
                    offset,
                });
            };
            let quoted = d
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .filter(|inner| !inner.contains('\''));
            match quoted {
                Some(inner) => (key, Some(inner.to_string())),
                None => {
                    return Err(VariableError {
                        code: "MISSING_QUOTE_IN_VARIABLE",
                        message: format!(
                            "default value in `${{{body}}}` must be one single-quoted literal"
                        ),
                        offset,
                    })
                }
            }
        }
    };
    if key.is_empty() {
        return Err(VariableError {
            code: "EMPTY_VARIABLE",
            message: format!("variable `${{{body}}}` names no key"),
            offset,
        });
    }
    if key.chars().any(char::is_whitespace) {
        return Err(VariableError {
            code: "UNSUPPORTED_SPACE_IN_VARIABLE",
            message: format!("variable `${{{body}}}` contains a space"),
            offset,
        });
    }
    Ok(Piece::Var(Variable {
        key: key.to_string(),
        key_lower: key.to_lowercase(),
        default,
    }))
}

/// Writes a concrete text for a pattern template: the one place s3guard
/// makes "a concrete ARN for a pattern" (starter test files, `actions`,
/// `review` samples). Each `*` becomes `filler`, each `?` an `x`, a
/// `${*}`-style literal its character (V-3), and each variable the value
/// `value` gives it; `None` when `value` gives none.
pub fn fill(
    pieces: &[Piece],
    filler: &str,
    value: &mut dyn FnMut(&Variable) -> Option<String>,
) -> Option<String> {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => {
                for c in t.chars() {
                    match c {
                        '*' => out.push_str(filler),
                        '?' => out.push('x'),
                        c => out.push(c),
                    }
                }
            }
            Piece::Literal(c) => out.push(*c),
            Piece::Var(v) => out.push_str(&value(v)?),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The byte loop answers as `str::contains("${")` on any text of
        /// dollars, braces and other characters.
        #[test]
        fn has_variable_agrees_with_contains(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["$", "{", "}", "a", "é", "${", "$$", " "]),
                0..12,
            )
        ) {
            let text = parts.concat();
            proptest::prop_assert_eq!(has_variable(&text), text.contains("${"));
        }
    }

    fn var(key: &str, default: Option<&str>) -> Piece {
        Piece::Var(Variable {
            key: key.into(),
            key_lower: key.to_lowercase(),
            default: default.map(Into::into),
        })
    }

    #[test]
    fn parses_variables_defaults_and_specials_spec_v1_v3_v5() {
        assert_eq!(
            parse_template("home/${aws:username}/*").unwrap(),
            vec![
                Piece::Text("home/".into()),
                var("aws:username", None),
                Piece::Text("/*".into())
            ]
        );
        assert_eq!(
            parse_template("corp-${aws:PrincipalTag/team, 'company-wide'}").unwrap(),
            vec![
                Piece::Text("corp-".into()),
                var("aws:PrincipalTag/team", Some("company-wide"))
            ]
        );
        assert_eq!(
            parse_template("tmp${*}${?}${$}").unwrap(),
            vec![
                Piece::Text("tmp".into()),
                Piece::Literal('*'),
                Piece::Literal('?'),
                Piece::Literal('$')
            ]
        );
        assert_eq!(
            parse_template("a$b{c}").unwrap(),
            vec![Piece::Text("a$b{c}".into())]
        );
    }

    #[test]
    fn rejects_malformed_variables_spec_v1() {
        let code = |s: &str| parse_template(s).unwrap_err().code;
        assert_eq!(code("a/${aws:username"), "MISSING_BRACE_IN_VARIABLE");
        assert_eq!(code("${}"), "EMPTY_VARIABLE");
        assert_eq!(code("${aws:username,'x'}"), "UNSUPPORTED_SPACE_IN_VARIABLE");
        assert_eq!(code("${aws:username, x}"), "MISSING_QUOTE_IN_VARIABLE");
        assert_eq!(code("${aws: username}"), "UNSUPPORTED_SPACE_IN_VARIABLE");
    }

    #[test]
    fn displays_back() {
        let Piece::Var(v) = var("aws:PrincipalTag/team", Some("x")) else {
            unreachable!()
        };
        assert_eq!(v.to_string(), "${aws:PrincipalTag/team, 'x'}");
    }
}
