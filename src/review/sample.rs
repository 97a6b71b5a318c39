//! Sampling resource patterns: concrete ARNs that a pattern matches, and
//! the pattern's "shape" (variables read as `*`) to keep samples apart.
//!
//! The review asks the evaluator about one representative ARN per resource
//! class. These helpers build such ARNs from policy patterns and catalog
//! templates, and check that a sample for "any other bucket" really is
//! outside every bucket a policy names.

use crate::matcher::{
    fill, parse_template, Glob, Match, NoVariables, Piece, Resolve, ResourcePattern,
};
use crate::request::context::Context;

/// A resource pattern as written, and whether `${…}` in it is a variable
/// (policy version 2012-10-17) or literal text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PatternText {
    /// The text.
    pub text: String,
    /// `${…}` are policy variables.
    pub variables: bool,
}

impl PatternText {
    /// A pattern without variables.
    pub fn literal(text: &str) -> PatternText {
        PatternText {
            text: text.to_string(),
            variables: false,
        }
    }

    fn pieces(&self, text: &str) -> Vec<Piece> {
        if self.variables {
            if let Ok(p) = parse_template(text) {
                return p;
            }
        }
        vec![Piece::Text(text.to_string())]
    }

    /// Whether the text holds a variable.
    pub fn has_variables(&self) -> bool {
        self.variables
            && self
                .pieces(&self.text)
                .iter()
                .any(|p| matches!(p, Piece::Var(_)))
    }

    /// Instantiates a part of the pattern (`text` is a piece of `self.text`):
    /// `*` becomes `filler`, `?` becomes `x`, variables take their value from
    /// the context (or their default, or a placeholder named after the key).
    pub fn instantiate(&self, text: &str, filler: &str, ctx: &Context) -> String {
        fill(&self.pieces(text), filler, &mut |v| {
            Some(
                ctx.resolve(v)
                    .or(v.default.as_deref())
                    .map_or_else(|| placeholder(&v.key), str::to_string),
            )
        })
        .unwrap_or_default()
    }

    /// A glob of a part of the pattern where every variable reads as `*`:
    /// what the part could match for some value of its variables.
    pub fn shape(&self, text: &str) -> Glob {
        let pieces: Vec<Piece> = self
            .pieces(text)
            .into_iter()
            .map(|p| match p {
                Piece::Var(_) => Piece::Text("*".into()),
                other => other,
            })
            .collect();
        Glob::from_pieces(&pieces)
    }

    /// The whole pattern compiled with variables read as `*`.
    pub fn shape_pattern(&self) -> ResourcePattern {
        let parts: Vec<&str> = self.text.splitn(6, ':').collect();
        match parts.get(5) {
            Some(rest) if parts.len() == 6 => {
                let pieces: Vec<Piece> = self
                    .pieces(rest)
                    .into_iter()
                    .map(|p| match p {
                        Piece::Var(_) => Piece::Text("*".into()),
                        other => other,
                    })
                    .collect();
                ResourcePattern::new(&self.text, Some(pieces))
            }
            _ => ResourcePattern::new(&self.text, None),
        }
    }
}

/// What stands for a variable without a value: the key's last word
/// (`${aws:username}` → `username`).
pub fn placeholder(key: &str) -> String {
    key.rsplit([':', '/'])
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("value")
        .to_lowercase()
}

/// Whether the pattern, variables read as `*`, matches the ARN.
pub fn shape_matches(pattern: &PatternText, arn: &str) -> bool {
    let Ok(resource) = crate::matcher::Resource::parse(arn) else {
        return false;
    };
    pattern
        .shape_pattern()
        .matches(&resource, "s3", &NoVariables)
        == Match::Yes
}

/// Splits the resource part of an S3 bucket/object pattern at the first `/`
/// outside a variable: bucket part and key part.
pub fn split_bucket_key(resource: &str) -> (&str, Option<&str>) {
    let mut depth = 0usize;
    for (i, c) in resource.char_indices() {
        match c {
            '{' if i > 0 && resource.get(i - 1..i) == Some("$") => depth += 1,
            '}' if depth > 0 => depth -= 1,
            '/' if depth == 0 => {
                return (resource.get(..i).unwrap_or_default(), resource.get(i + 1..))
            }
            _ => {}
        }
    }
    (resource, None)
}

/// Whether a glob part has no literal character (only `*`): it names nothing.
pub fn is_all_stars(pattern: &PatternText, text: &str) -> bool {
    pattern.shape(text).is_any()
}

/// Substitutes a catalog ARN template (`arn:${Partition}:s3:${Region}:…`)
/// with the review's placeholders.
pub fn from_template(template: &str) -> String {
    crate::catalog::fill_arn_template(template, |name| {
        match name {
            "Partition" => "aws",
            "Region" => PLACEHOLDER_REGION,
            "Account" => PLACEHOLDER_ACCOUNT,
            _ => "s3guard-example",
        }
        .to_string()
    })
}

/// Region of representative ARNs: not a real region, so that no policy's
/// region-specific pattern covers "any" resource by accident.
pub const PLACEHOLDER_REGION: &str = "zz-region-1";
/// Account of representative ARNs: an account no policy names in practice.
pub const PLACEHOLDER_ACCOUNT: &str = "000000000000";

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(t: &str) -> PatternText {
        PatternText {
            text: t.into(),
            variables: true,
        }
    }

    #[test]
    fn instantiates_wildcards_and_variables_spec_v2() {
        let ctx = Context::new();
        let p = vars("arn:aws:s3:::team/home/${aws:username}/*");
        assert_eq!(
            p.instantiate("home/${aws:username}/*", "example", &ctx),
            "home/username/example"
        );
        let mut ctx = Context::new();
        ctx.set(
            "aws:username",
            "alice",
            crate::request::context::Origin::Derived,
        );
        assert_eq!(
            p.instantiate("home/${aws:username}/*", "example", &ctx),
            "home/alice/example"
        );
        assert_eq!(p.instantiate("a?c${*}", "e", &ctx), "axc*");
        let literal = PatternText::literal("x/${aws:username}");
        assert_eq!(
            literal.instantiate("x/${aws:username}", "e", &ctx),
            "x/${aws:username}"
        );
    }

    #[test]
    fn shapes_read_variables_as_stars() {
        let p = vars("arn:aws:s3:::team/home/${aws:username}/*");
        assert!(shape_matches(&p, "arn:aws:s3:::team/home/bob/x"));
        assert!(!shape_matches(&p, "arn:aws:s3:::team/other"));
        assert!(is_all_stars(&vars("${aws:username}"), "${aws:username}"));
        assert!(!is_all_stars(&vars("logs-*"), "logs-*"));
    }

    #[test]
    fn splits_bucket_and_key_outside_variables() {
        assert_eq!(split_bucket_key("b/k/*"), ("b", Some("k/*")));
        assert_eq!(split_bucket_key("test*"), ("test*", None));
        assert_eq!(
            split_bucket_key("${aws:PrincipalTag/a/b}/k"),
            ("${aws:PrincipalTag/a/b}", Some("k"))
        );
    }

    #[test]
    fn templates_get_placeholders() {
        assert_eq!(
            from_template(
                "arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}"
            ),
            "arn:aws:s3:zz-region-1:000000000000:accesspoint/s3guard-example"
        );
    }
}
