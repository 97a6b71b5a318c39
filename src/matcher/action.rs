//! Action names of requests and action patterns of policies (spec M-1).

use std::fmt;

use super::glob::Glob;

/// The action of a request: `service:Name`, kept as written and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Action {
    text: String,
    lower: String,
    colon: usize,
    catalog: Option<u32>,
}

/// Why a string is not an action name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an action (expected service:Name, e.g. s3:GetObject)")]
pub struct ActionError(pub String);

impl Action {
    /// Parses `service:Name` (both parts non-empty, no wildcards).
    pub fn parse(text: &str) -> Result<Action, ActionError> {
        let colon = text
            .find(':')
            .ok_or_else(|| ActionError(text.to_string()))?;
        let (svc, name) = (
            text.get(..colon).unwrap_or_default(),
            text.get(colon + 1..).unwrap_or_default(),
        );
        if svc.is_empty()
            || name.is_empty()
            || text.contains(['*', '?'])
            || text.chars().any(char::is_whitespace)
        {
            return Err(ActionError(text.to_string()));
        }
        let lower = text.to_lowercase();
        Ok(Action {
            catalog: crate::catalog::catalog().index_of(&lower),
            text: text.to_string(),
            lower,
            colon,
        })
    }

    /// As written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Lower-cased `service:name`.
    pub fn lower(&self) -> &str {
        &self.lower
    }

    /// The lower-cased service prefix (`s3`).
    pub fn service(&self) -> &str {
        self.lower.get(..self.colon).unwrap_or_default()
    }

    /// Position of the action in the embedded catalog, when it is a catalog action.
    pub fn catalog_index(&self) -> Option<u32> {
        self.catalog
    }

    /// The action name as written (`GetObject`).
    pub fn name(&self) -> &str {
        self.text.get(self.colon + 1..).unwrap_or_default()
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What one pass over the bytes of an `Action` entry finds: what the
/// checks of lowering ask (a service prefix, white space, a policy
/// variable) and how the pattern compiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ActionShape {
    /// Offset of the first `:`.
    pub colon: Option<usize>,
    /// Whether the text holds white space (`char::is_whitespace`).
    pub whitespace: bool,
    /// Whether it holds `${` (a policy variable, or text that looks like one).
    pub variable: bool,
    /// Whether it is ASCII.
    pub ascii: bool,
    /// Its length without the trailing stars.
    pub body: usize,
    /// Whether a `*` or `?` comes before the end of the body.
    pub inner_wildcard: bool,
}

impl ActionShape {
    /// The shape of `text`: one pass over its bytes gathers which kinds of
    /// byte it holds (a table lookup each, no branch), then only the kinds
    /// present are looked for.
    pub(crate) fn of(text: &str) -> ActionShape {
        let bytes = text.as_bytes();
        let kinds = bytes.iter().fold(0u8, |k, &b| {
            k | BYTE_KINDS.get(b as usize).copied().unwrap_or(0)
        });
        let has = |kind: u8| kinds & kind != 0;
        let body = text.trim_end_matches('*').len();
        let ascii = !has(NON_ASCII);
        ActionShape {
            colon: if has(COLON) {
                memchr::memchr(b':', bytes)
            } else {
                None
            },
            whitespace: if ascii {
                has(WHITE_SPACE)
            } else {
                text.chars().any(char::is_whitespace)
            },
            variable: has(DOLLAR) && has(BRACE) && text.contains("${"),
            ascii,
            body,
            inner_wildcard: has(QUESTION)
                || (has(STAR)
                    && memchr::memchr(b'*', bytes.get(..body).unwrap_or_default()).is_some()),
        }
    }
}

const STAR: u8 = 1;
const COLON: u8 = 2;
const WHITE_SPACE: u8 = 4;
const DOLLAR: u8 = 8;
const BRACE: u8 = 16;
const QUESTION: u8 = 32;
const NON_ASCII: u8 = 64;

/// The kind of each byte, for [`ActionShape::of`] (ASCII white space is
/// that of `char::is_whitespace`: tab to carriage return, and space).
// Evaluated at compile time: an index out of bounds would fail the build.
#[allow(clippy::indexing_slicing)]
const BYTE_KINDS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let kind = match i as u8 {
            b'*' => STAR,
            b':' => COLON,
            b' ' | b'\t'..=b'\r' => WHITE_SPACE,
            b'$' => DOLLAR,
            b'{' => BRACE,
            b'?' => QUESTION,
            0x80.. => NON_ASCII,
            _ => 0,
        };
        if let Some((_, rest)) = t.split_at_mut_checked(i) {
            if let Some((slot, _)) = rest.split_first_mut() {
                *slot = kind;
            }
        }
        i += 1;
    }
    t
};

/// One entry of `Action`/`NotAction`: `*`, or `service:pattern` with `*`/`?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPattern {
    text: String,
    glob: Glob,
    /// Length of the literal service prefix, when it has no wildcard: it
    /// starts the glob's literal prefix (the `:` comes before any wildcard).
    service_len: Option<u32>,
}

impl ActionPattern {
    /// Compiles a pattern (validation happens when the policy loads).
    pub fn new(text: &str) -> ActionPattern {
        ActionPattern::with_shape(text, &ActionShape::of(text))
    }

    /// [`ActionPattern::new`] of a text whose shape is known (lowering
    /// scans each entry once for its checks and its compiling).
    pub(crate) fn with_shape(text: &str, shape: &ActionShape) -> ActionPattern {
        // The shapes of almost every pattern, ASCII `service:Name` or
        // `service:Prefix*`: one allocation of the lower-cased text
        // without its stars, no other scan.
        if shape.ascii && !shape.inner_wildcard {
            let body = text.get(..shape.body).unwrap_or_default();
            let mut lower = String::with_capacity(body.len());
            lower.push_str(body);
            lower.make_ascii_lowercase();
            return ActionPattern {
                text: text.to_string(),
                service_len: shape
                    .colon
                    .filter(|&c| c < shape.body)
                    .and_then(|c| u32::try_from(c).ok()),
                glob: Glob::exact_or_prefix(lower, body.len() < text.len()),
            };
        }
        let lower = if text.is_ascii() {
            text.to_ascii_lowercase()
        } else {
            text.to_lowercase()
        };
        let service_len = match lower.split_once(':') {
            Some((svc, _)) if !svc.contains(['*', '?']) => u32::try_from(svc.len()).ok(),
            _ => None,
        };
        ActionPattern {
            text: text.to_string(),
            glob: Glob::from_string(lower),
            service_len,
        }
    }

    /// As written in the policy.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The literal lower-cased service prefix, when it has no wildcard.
    pub fn service(&self) -> Option<&str> {
        let len = self.service_len? as usize;
        self.glob.literal_prefix().0.get(..len)
    }

    /// The lower-cased action when the pattern has no wildcard.
    pub fn literal(&self) -> Option<&str> {
        self.glob.as_literal()
    }

    /// Whether the pattern contains `*` or `?`.
    pub fn has_wildcard(&self) -> bool {
        self.literal().is_none()
    }

    /// Whether the pattern matches the action (case-insensitive).
    pub fn matches(&self, action: &Action) -> bool {
        if let Some(svc) = self.service() {
            if svc != action.service() {
                return false;
            }
        }
        self.glob.is_match(action.lower())
    }

    /// Whether the pattern matches a lower-cased `service:name`.
    pub fn matches_lower(&self, lower: &str) -> bool {
        self.glob.is_match(lower)
    }
}

impl fmt::Display for ActionPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, a: &str) -> bool {
        ActionPattern::new(p).matches(&Action::parse(a).unwrap())
    }

    #[test]
    fn action_matching_table_spec_m1() {
        assert!(m("s3:*", "s3:GetObject"));
        assert!(m("s3:Get*", "s3:GetObjectTagging"));
        assert!(m("s3:*Object", "s3:DeleteObject"));
        assert!(!m("s3:*Object", "s3:DeleteObjects"));
        assert!(m("s3:Get?bject", "s3:GetObject"));
        assert!(m("s3:List*", "s3:ListAllMyBuckets"));
        assert!(m("S3:PUTOBJECT", "s3:PutObject"));
        assert!(m("s3:get*", "S3:getobject"));
        assert!(!m("s3:*", "s3express:CreateSession"));
        assert!(m("s3*:*", "s3express:CreateSession"));
        assert!(m("s3*:*", "s3-object-lambda:GetObject"));
        assert!(m("*", "iam:PassRole"));
        assert!(!m("s3:Get?bject", "s3:GetObjects"));
    }

    #[test]
    fn the_quick_shapes_compile_as_the_general_path_does() {
        for p in [
            "s3:GetObject",
            "S3:Get*",
            "s3:get**",
            "*",
            "**",
            "",
            "s3*",
            "iam:",
            "a4b:List*",
            "s3:Get?bject",
            "s3:*Object",
            "s3*:Get*",
            "ſ3:Get*",
        ] {
            let lower = p.to_lowercase();
            let general = ActionPattern {
                text: p.to_string(),
                service_len: match lower.split_once(':') {
                    Some((svc, _)) if !svc.contains(['*', '?']) => u32::try_from(svc.len()).ok(),
                    _ => None,
                },
                glob: Glob::from_string(lower),
            };
            assert_eq!(ActionPattern::new(p), general, "{p}");
        }
    }

    #[test]
    fn the_shape_is_what_the_str_methods_find() {
        for t in [
            "s3:GetObject",
            "s3:Get*",
            "s3:Get**",
            "*",
            "",
            "s3*:*",
            "s3:Get?bject",
            "s3 :Get",
            "s3:Get\u{a0}Object",
            "s3:\u{b}x",
            "s3:${aws:username}",
            "s3:$ {x}",
            "ſ3:Get*",
            "a:b:c",
        ] {
            let body = t.trim_end_matches('*');
            let shape = ActionShape::of(t);
            assert_eq!(
                shape,
                ActionShape {
                    colon: t.find(':'),
                    whitespace: t.chars().any(char::is_whitespace),
                    variable: t.contains("${"),
                    ascii: t.is_ascii(),
                    body: body.len(),
                    inner_wildcard: body.contains(['*', '?']),
                },
                "{t:?}"
            );
        }
    }

    #[test]
    fn the_shape_finds_white_space_as_char_is_whitespace_does() {
        for c in (0u32..0x3100).filter_map(char::from_u32) {
            let text = format!("s3:Get{c}Object");
            assert_eq!(
                ActionShape::of(&text).whitespace,
                c.is_whitespace(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn parses_request_actions() {
        let a = Action::parse("S3:GetObject").unwrap();
        assert_eq!(
            (a.service(), a.name(), a.lower()),
            ("s3", "GetObject", "s3:getobject")
        );
        assert!(Action::parse("GetObject").is_err());
        assert!(Action::parse("s3:Get*").is_err());
        assert!(Action::parse("s3:").is_err());
    }
}
