//! `Arn…` operators: six components compared separately (spec C-10).

use crate::matcher::{ArnRef, Glob, Match, Piece, Resolve, ResourcePattern};

/// One compiled policy value of an `Arn…` operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArnValue {
    /// No variables: compiled once.
    Static(Box<ResourcePattern>),
    /// With variables (or `${*}`-style literals): substituted, then split
    /// (substituted text is literal, V-7).
    Template(Vec<Piece>),
}

impl ArnValue {
    /// Compiles a value.
    pub fn new(text: &str, pieces: &[Piece]) -> ArnValue {
        if pieces.iter().any(|p| !matches!(p, Piece::Text(_))) {
            ArnValue::Template(pieces.to_vec())
        } else {
            ArnValue::Static(Box::new(ResourcePattern::new(text, None)))
        }
    }

    /// Compiles a value without variables (as [`ArnValue::new`] of its
    /// one text piece).
    pub fn text(text: &str) -> ArnValue {
        ArnValue::Static(Box::new(ResourcePattern::new(text, None)))
    }

    /// Whether the request value (which must be a complete ARN) matches;
    /// `None` when a variable is unresolved.
    pub fn matches(&self, value: &str, vars: &dyn Resolve) -> Option<bool> {
        let Some(arn) = ArnRef::parse(value) else {
            return Some(false);
        };
        match self {
            ArnValue::Static(p) => match p.matches_arn(arn, vars) {
                Match::Yes => Some(true),
                Match::No => Some(false),
                Match::Unresolved => None,
            },
            ArnValue::Template(pieces) => {
                let parts = split_components(pieces, vars)?;
                if parts.len() != 6 {
                    return Some(false);
                }
                Some(
                    parts
                        .iter()
                        .enumerate()
                        .all(|(i, p)| Glob::from_pieces(p).is_match(arn.part(i))),
                )
            }
        }
    }
}

/// Substitutes variables and splits at the first five colons, keeping
/// substituted characters literal.
fn split_components(pieces: &[Piece], vars: &dyn Resolve) -> Option<Vec<Vec<Piece>>> {
    let mut parts: Vec<Vec<Piece>> = vec![Vec::new()];
    let push = |parts: &mut Vec<Vec<Piece>>, text: &str, literal: bool| {
        for c in text.chars() {
            if c == ':' && parts.len() < 6 {
                parts.push(Vec::new());
            } else if let Some(cur) = parts.last_mut() {
                cur.push(if literal {
                    Piece::Literal(c)
                } else {
                    Piece::Text(c.to_string())
                });
            }
        }
    };
    for p in pieces {
        match p {
            Piece::Text(t) => push(&mut parts, t, false),
            Piece::Literal(c) => {
                if let Some(cur) = parts.last_mut() {
                    cur.push(Piece::Literal(*c));
                }
            }
            Piece::Var(v) => {
                let value = vars.resolve(v).or(v.default.as_deref())?;
                push(&mut parts, value, true);
            }
        }
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::{parse_template, NoVariables, Variable};

    fn value(s: &str) -> ArnValue {
        ArnValue::new(s, &parse_template(s).unwrap())
    }

    #[test]
    fn components_compare_separately_spec_c10() {
        let v = value("arn:aws:someservice:*:111122223333:finance/*");
        let ctx = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
        assert_eq!(v.matches(ctx, &NoVariables), Some(false));
        let trail = value("arn:aws:cloudtrail:*:111122223333:trail/*");
        assert_eq!(
            trail.matches(
                "arn:aws:cloudtrail:us-east-1:111122223333:trail/main",
                &NoVariables
            ),
            Some(true)
        );
        assert_eq!(trail.matches("not-an-arn", &NoVariables), Some(false));
    }

    struct One(&'static str);
    impl Resolve for One {
        fn resolve(&self, _v: &Variable) -> Option<&str> {
            Some(self.0)
        }
    }

    #[test]
    fn variables_substitute_before_splitting() {
        let v = value("${aws:PrincipalArn}");
        assert_eq!(
            v.matches(
                "arn:aws:iam::111:role/app",
                &One("arn:aws:iam::111:role/app")
            ),
            Some(true)
        );
        assert_eq!(v.matches("arn:aws:iam::111:role/app", &NoVariables), None);
        let star = value("arn:aws:iam::111:role/${aws:username}");
        assert_eq!(
            star.matches("arn:aws:iam::111:role/x", &One("*")),
            Some(false)
        );
        assert_eq!(
            star.matches("arn:aws:iam::111:role/*", &One("*")),
            Some(true)
        );
    }
}
