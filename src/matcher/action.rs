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
        // The shapes of almost every pattern, ASCII `service:Name` or
        // `service:Prefix*`: one scan, one allocation of the lower-cased
        // text without its stars.
        let body = text.trim_end_matches('*');
        if text.is_ascii() && !body.bytes().any(|b| b == b'*' || b == b'?') {
            let mut lower = String::with_capacity(body.len());
            lower.push_str(body);
            lower.make_ascii_lowercase();
            return ActionPattern {
                text: text.to_string(),
                service_len: body
                    .bytes()
                    .position(|b| b == b':')
                    .and_then(|i| u32::try_from(i).ok()),
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
