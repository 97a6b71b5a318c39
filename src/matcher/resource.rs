//! Resource patterns of policies (spec M-4, M-6).

use std::fmt;

use super::arn::{ArnRef, Resource};
use super::glob::{same_text, Glob, Match, Resolve, Simple};
use super::variable::{Piece, Variable};

/// Partitions s3guard recognises for wildcard-only requests (M-3, M-6).
pub const PARTITIONS: &[&str] = &["aws", "aws-cn", "aws-us-gov"];

/// One entry of `Resource`/`NotResource`, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePattern {
    /// The text (a box, not a `String`: with the 48-byte shape the pattern
    /// is 64 bytes, a size class mimalloc serves a statement's one-pattern
    /// vector from at once; at 96 bytes its 8-aligned request took the
    /// aligned slow path whenever that class's free list ran dry).
    text: Box<str>,
    shape: Shape,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// `*`: every resource.
    Any,
    /// A pattern with six parts: five compared one by one, the resource part as a whole.
    Full { head: Head, resource: Rest },
    /// Fewer than six parts, the last ending in `*`: that `*` swallows the
    /// rest (M-4 rule 3). The parts in order, the last one last (one boxed
    /// slice: this rare shape stays as small as the others).
    Short { parts: Box<[Glob]> },
    /// Not an ARN pattern at all: matches nothing (a load-time error names it).
    Never,
}

/// The head of an S3 ARN in the standard partition, and the ends of its
/// five parts (the colon after each): `arn`, `aws`, `s3`, two empty.
const S3_HEAD: &str = "arn:aws:s3:::";
const S3_ENDS: [u16; 5] = [3, 7, 10, 11, 12];

/// The resource part of a six-part pattern (after the fifth colon).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rest {
    /// No wildcard, no variable: the pattern's text from byte `start` on
    /// (`bucket/key`), kept there, not copied into a glob of its own.
    Exact { start: u32 },
    /// `literal*`: bytes `start..end` of the pattern's text, then stars.
    Prefix { start: u32, end: u32 },
    /// Anything else: only stars, `?`, inner stars, variables.
    Glob(Glob),
}

impl Rest {
    /// The resource part `rest` of `text` (its suffix), without variables.
    fn of(text: &str, rest: &str) -> Rest {
        let start = text.len() - rest.len().min(text.len());
        // `rest` is where lowering split `text`; a text past 4 GiB, or a
        // `rest` from elsewhere, is compiled as a glob of its own
        let here = text
            .get(start..)
            .is_some_and(|r| std::ptr::eq(r.as_ptr(), rest.as_ptr()));
        let (Ok(at), true) = (u32::try_from(start), here) else {
            return Rest::Glob(Glob::new_uncommon(rest));
        };
        match Simple::of(rest) {
            Simple::Exact => Rest::Exact { start: at },
            Simple::Prefix(n) => match u32::try_from(start + n) {
                Ok(end) => Rest::Prefix { start: at, end },
                Err(_) => Rest::Glob(Glob::new_uncommon(rest)),
            },
            Simple::Any => Rest::Glob(Glob::new_uncommon(rest)),
            Simple::General => Rest::Glob(Glob::general(rest)),
        }
    }

    /// Whether `resource` (a request ARN's resource part) matches this
    /// part of the pattern `text`, as the glob of the part would answer.
    #[inline]
    fn matches(&self, text: &str, resource: &str, vars: &dyn Resolve) -> Match {
        let yes = |b: bool| if b { Match::Yes } else { Match::No };
        match self {
            Rest::Exact { start } => yes(same_text(
                resource,
                text.get(*start as usize..).unwrap_or_default(),
            )),
            Rest::Prefix { start, end } => {
                yes(resource
                    .starts_with(text.get(*start as usize..*end as usize).unwrap_or_default()))
            }
            Rest::Glob(g) => g.matches(resource, vars),
        }
    }

    /// The glob, when the part is compiled as one.
    fn glob(&self) -> Option<&Glob> {
        match self {
            Rest::Glob(g) => Some(g),
            _ => None,
        }
    }

    /// [`Glob::literal_prefix`] of the part.
    fn literal_prefix<'t>(&'t self, text: &'t str) -> (&'t str, bool) {
        match self {
            Rest::Exact { start } => (text.get(*start as usize..).unwrap_or_default(), true),
            Rest::Prefix { start, end } => (
                text.get(*start as usize..*end as usize).unwrap_or_default(),
                false,
            ),
            Rest::Glob(g) => g.literal_prefix(),
        }
    }

    /// Whether the part is only stars.
    fn is_any(&self) -> bool {
        self.glob().is_some_and(Glob::is_any)
    }
}

/// The first five parts of a six-part pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Head {
    /// No `*` or `?` in them (`arn:aws:s3:::`, almost every pattern): each
    /// is its text in the pattern, compared exactly; part `i` ends at
    /// byte `ends[i]` (the colon after it), and starts past the one before.
    /// A head longer than `u16::MAX` bytes is compiled as globs (the same
    /// answers), so that the head is 16 bytes.
    Literal([u16; 5]),
    /// Some hold a wildcard: each compiled (boxed: rare, and large).
    Globs(Box<[Glob; 5]>),
}

impl Head {
    /// The head of `parts` (the first five of six of `text`, as
    /// `splitn(6, ':')` splits it).
    fn new(text: &str, parts: &[&str]) -> Head {
        // `arn:aws:s3:::` (almost every pattern): its parts are those
        // `splitn` gives any text that starts with it, without a wildcard
        // (one comparison of 13 bytes, not the sum and the search below)
        if text.as_bytes().starts_with(S3_HEAD.as_bytes()) {
            return Head::Literal(S3_ENDS);
        }
        // the five parts and their colons are the text's first bytes:
        // searched at once, eight bytes at a time
        let head_len: usize = parts.iter().take(5).map(|p| p.len() + 1).sum();
        let head = text.as_bytes().get(..head_len).unwrap_or_default();
        let literal = super::bytes::first_wildcard(head).is_none();
        if literal && head_len <= usize::from(u16::MAX) {
            let mut ends = [0u16; 5];
            let mut at = 0usize;
            for (end, part) in ends.iter_mut().zip(parts) {
                at += part.len();
                *end = u16::try_from(at).unwrap_or(u16::MAX);
                at += 1;
            }
            return Head::Literal(ends);
        }
        let g = |i: usize| Glob::new(parts.get(i).copied().unwrap_or_default());
        Head::Globs(Box::new([g(0), g(1), g(2), g(3), g(4)]))
    }

    /// Part `i` of a literal head in `text`.
    fn literal<'t>(ends: &[u16; 5], text: &'t str, i: usize) -> &'t str {
        let end = ends.get(i).map_or(0, |&e| usize::from(e));
        let start = match i {
            0 => 0,
            _ => ends.get(i - 1).map_or(0, |&e| usize::from(e) + 1),
        };
        text.get(start..end).unwrap_or_default()
    }

    /// Whether part `i` of the pattern (`text`) matches `field`.
    #[inline]
    fn matches(&self, text: &str, i: usize, field: &str) -> bool {
        match self {
            Head::Literal(ends) => same_field(Head::literal(ends, text, i), field),
            Head::Globs(globs) => globs.get(i).is_some_and(|g| g.is_match(field)),
        }
    }

    /// Whether part `i` matches any text or is empty (M-6: a region or
    /// account that a wildcard-only request's `*` fits).
    fn all_stars(&self, text: &str, i: usize) -> bool {
        match self {
            Head::Literal(ends) => Head::literal(ends, text, i).is_empty(),
            Head::Globs(globs) => globs
                .get(i)
                .is_some_and(|g| g.is_any() || g.as_literal() == Some("")),
        }
    }
}

/// Whether two ARN fields are the same text. The fields of a head are
/// short (`arn`, `aws`, `s3`, a region, a 12-digit account, often empty):
/// compared here byte by byte, not by a `memcmp` call, whose cost is
/// larger and depends on where the two texts lie (its page-crossing check
/// took 5 more instructions a field for some placements of the policy).
#[inline]
fn same_field(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    if a.len() > 16 {
        return a == b;
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// The six parts of an ARN (the last holds any further colons), or as
/// many as there are: `text.splitn(6, ':')`, with `memchr`.
fn split_arn(text: &str) -> smallvec::SmallVec<[&str; 6]> {
    let mut parts = smallvec::SmallVec::new();
    let mut start = 0;
    for i in memchr::memchr_iter(b':', text.as_bytes()) {
        if parts.len() == 5 {
            break;
        }
        parts.push(text.get(start..i).unwrap_or_default());
        start = i + 1;
    }
    parts.push(text.get(start..).unwrap_or_default());
    parts
}

impl ResourcePattern {
    /// Compiles a pattern. `resource_part` is the template of the part after
    /// the fifth colon (with variables when the policy version allows them);
    /// pass `None` to treat the whole text literally (except `*`/`?`).
    pub fn new(text: &str, resource_part: Option<Vec<Piece>>) -> ResourcePattern {
        if text == "*" {
            return ResourcePattern::from_fields(text, &[], resource_part);
        }
        ResourcePattern::from_fields(text, &split_arn(text), resource_part)
    }

    /// [`ResourcePattern::new`] of a text already split into its ARN
    /// fields, as `splitn(6, ':')` splits it (lowering splits each entry
    /// once for its checks and its compiling); `parts` is ignored for `*`.
    pub(crate) fn from_fields(
        text: &str,
        parts: &[&str],
        resource_part: Option<Vec<Piece>>,
    ) -> ResourcePattern {
        let shape = if text == "*" {
            Shape::Any
        } else if parts.len() == 6 {
            let rest = parts.get(5).copied().unwrap_or_default();
            let resource = match resource_part {
                Some(pieces) => Rest::Glob(Glob::from_pieces(&pieces)),
                // a bucket and key: a range of the text
                None => Rest::of(text, rest),
            };
            Shape::Full {
                head: Head::new(text, parts),
                resource,
            }
        } else if parts.last().is_some_and(|l| l.ends_with('*')) {
            Shape::Short {
                parts: parts.iter().map(|p| Glob::new(p)).collect(),
            }
        } else {
            Shape::Never
        };
        ResourcePattern {
            text: text.into(),
            shape,
        }
    }

    /// As written in the policy.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether this is `*`.
    pub fn is_any(&self) -> bool {
        matches!(self.shape, Shape::Any)
    }

    /// Whether this pattern can never match (not an ARN, not `*`).
    pub fn is_never(&self) -> bool {
        matches!(self.shape, Shape::Never)
    }

    /// Whether the resource part holds policy variables.
    pub fn has_variables(&self) -> bool {
        matches!(&self.shape, Shape::Full { resource: Rest::Glob(g), .. } if g.has_variables())
    }

    /// The first `/`-separated component of the resource part (an S3
    /// bucket name) when the pattern fixes it literally: every ARN the
    /// pattern matches has exactly that first component. `None` when it
    /// can vary (`*`, `arn:aws:s3:::prod*`, a variable or `?` in it).
    pub fn fixed_first_component(&self) -> Option<&str> {
        let Shape::Full { resource, .. } = &self.shape else {
            return None;
        };
        let (prefix, exact) = resource.literal_prefix(&self.text);
        match memchr::memchr(b'/', prefix.as_bytes()) {
            Some(i) => prefix.get(..i),
            None if exact => Some(prefix),
            None => None,
        }
    }

    /// The policy variables of a six-part pattern's resource part
    /// (`${aws:username}` of `arn:aws:s3:::b/${aws:username}/*`), in
    /// order; none for any other pattern. (An exact or `literal*` resource
    /// part, which has none, is matched as a range of the pattern's text
    /// and has no glob: what callers need is the variables, so that is
    /// what this gives.)
    pub fn resource_variables(&self) -> impl Iterator<Item = &Variable> {
        let glob = match &self.shape {
            Shape::Full { resource, .. } => resource.glob(),
            _ => None,
        };
        glob.into_iter().flat_map(Glob::variables)
    }

    /// Matches a request resource. `service` is the request action's service
    /// prefix, used only for wildcard-only requests (M-6).
    pub fn matches(&self, resource: &Resource, service: &str, vars: &dyn Resolve) -> Match {
        match resource {
            Resource::Arn(arn) => self.matches_arn(arn.as_ref(), vars),
            Resource::Wildcard => {
                if self.matches_wildcard_request(service) {
                    Match::Yes
                } else {
                    Match::No
                }
            }
        }
    }

    /// Matches a concrete ARN (M-4).
    pub fn matches_arn(&self, arn: ArnRef<'_>, vars: &dyn Resolve) -> Match {
        match &self.shape {
            Shape::Any => Match::Yes,
            Shape::Never => Match::No,
            Shape::Full { head, resource } => {
                for i in 0..5 {
                    if !head.matches(&self.text, i, arn.part(i)) {
                        return Match::No;
                    }
                }
                resource.matches(&self.text, arn.resource(), vars)
            }
            Shape::Short { parts } => {
                let Some((last, parts)) = parts.split_last() else {
                    return Match::No;
                };
                for (i, p) in parts.iter().enumerate() {
                    if !p.is_match(arn.part(i)) {
                        return Match::No;
                    }
                }
                if last.is_match(arn.rest_from(parts.len())) {
                    Match::Yes
                } else {
                    Match::No
                }
            }
        }
    }

    /// For a pattern whose variables have no value in `vars` (so that it
    /// matches nothing, V-4): whether some values of those variables would
    /// make it match `resource` (the variables read as `*`), and, when the
    /// pattern has one such variable and no wildcard, the value that does.
    /// `None` when every variable resolves or no value fits.
    pub fn fit(&self, resource: &Resource, vars: &dyn Resolve) -> Option<Fit> {
        if !self.has_variables() {
            return None;
        }
        let Resource::Arn(arn) = resource else {
            return None;
        };
        let head_len = self
            .text
            .splitn(6, ':')
            .take(5)
            .map(|p| p.len() + 1)
            .sum::<usize>();
        let pieces = super::variable::parse_template(self.text.get(head_len..)?).ok()?;
        let mut unresolved: Vec<String> = Vec::new();
        let mut shape: Vec<Piece> = Vec::new();
        let (mut before, mut after, mut wild, mut seen) = (String::new(), String::new(), false, 0);
        for piece in &pieces {
            let side = if seen == 0 { &mut before } else { &mut after };
            match piece {
                Piece::Var(v) => match vars.resolve(v).or(v.default.as_deref()) {
                    Some(value) => {
                        side.push_str(value);
                        shape.extend(value.chars().map(Piece::Literal));
                    }
                    None => {
                        if !unresolved.contains(&v.key) {
                            unresolved.push(v.key.clone());
                        }
                        seen += 1;
                        shape.push(Piece::Text("*".into()));
                    }
                },
                Piece::Text(t) => {
                    wild |= t.contains(['*', '?']);
                    side.push_str(t);
                    shape.push(piece.clone());
                }
                Piece::Literal(c) => {
                    side.push(*c);
                    shape.push(piece.clone());
                }
            }
        }
        if unresolved.is_empty() {
            return None;
        }
        let fits = ResourcePattern::new(&self.text, Some(shape))
            .matches_arn(arn.as_ref(), &super::glob::NoVariables)
            == Match::Yes;
        if !fits {
            return None;
        }
        let rest = arn.resource();
        let value = (seen == 1 && !wild && rest.len() > before.len() + after.len())
            .then(|| {
                rest.strip_prefix(before.as_str())?
                    .strip_suffix(after.as_str())
            })
            .flatten()
            .map(str::to_string);
        Some(Fit {
            variables: unresolved,
            value,
        })
    }

    /// Whether the pattern covers the `*` resource of a wildcard-only action
    /// (M-6 Decision): `*`, or an ARN pattern of the action's service whose
    /// region, account and resource parts are all wildcards or empty
    /// (`arn:aws:s3:::*`, `arn:aws:s3:*:*:*`, `arn:aws:s3:*`).
    pub fn matches_wildcard_request(&self, service: &str) -> bool {
        let all_stars = |g: &Glob| g.is_any() || g.as_literal() == Some("");
        // part `i` of the head matches as M-6 asks, told by `matches` and
        // `stars` (the text or glob of the part)
        let head_ok = |i: usize, matches: &dyn Fn(&str) -> bool, stars: bool| match i {
            0 => matches("arn"),
            1 => PARTITIONS.iter().any(|p| matches(p)),
            2 => matches(service),
            _ => stars,
        };
        match &self.shape {
            Shape::Any => true,
            Shape::Never => false,
            Shape::Full { head, resource } => {
                (0..5).all(|i| {
                    head_ok(
                        i,
                        &|t| head.matches(&self.text, i, t),
                        head.all_stars(&self.text, i),
                    )
                }) && resource.is_any()
            }
            Shape::Short { parts } => {
                let Some((last, parts)) = parts.split_last() else {
                    return false;
                };
                parts
                    .iter()
                    .enumerate()
                    .all(|(i, g)| head_ok(i, &|t| g.is_match(t), all_stars(g)))
                    && last.is_any()
            }
        }
    }
}

/// How a pattern with variables without a value could still cover a
/// resource: see [`ResourcePattern::fit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fit {
    /// The keys of the variables without a value, as written, each once.
    pub variables: Vec<String>,
    /// The value of the only such variable that makes the pattern cover the
    /// resource, when the pattern has no wildcard to hide it.
    pub value: Option<String>,
}

impl fmt::Display for ResourcePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::glob::NoVariables;

    fn m(p: &str, r: &str) -> bool {
        let res = Resource::parse(r).unwrap();
        ResourcePattern::new(p, None).matches(&res, "s3", &NoVariables) == Match::Yes
    }

    /// A resource part that is not the suffix of the text (not where
    /// lowering split it) is compiled as a glob of its own.
    #[test]
    fn a_resource_part_from_elsewhere_is_a_glob() {
        let text = "arn:aws:s3:::b/k";
        let elsewhere = String::from("b/k");
        let part = Rest::of(text, &elsewhere);
        assert!(matches!(part, Rest::Glob(_)));
        assert_eq!(part.matches(text, "b/k", &NoVariables), Match::Yes);
        assert!(matches!(
            Rest::of(text, &text[13..]),
            Rest::Exact { start: 13 }
        ));
        assert!(matches!(
            Rest::of("arn:aws:s3:::b/*", &"arn:aws:s3:::b/*"[13..]),
            Rest::Prefix { start: 13, end: 15 }
        ));
    }

    /// The S3 head's constant ends are those the general path finds.
    #[test]
    fn the_s3_head_is_the_literal_head_of_its_parts() {
        let parts = split_arn("arn:aws:s3:::b/*");
        assert_eq!(
            Head::new("arn:aws:s3:::b/*", &parts),
            Head::Literal(S3_ENDS)
        );
        // the general path, on a head of the same lengths without `s3`
        let general = Head::new("arn:aws:s4:::b/*", &split_arn("arn:aws:s4:::b/*"));
        assert_eq!(general, Head::Literal(S3_ENDS));
        for i in 0..5 {
            assert_eq!(Head::literal(&S3_ENDS, S3_HEAD, i), parts[i]);
        }
    }

    /// A pattern's resource-part variables, in order, whatever the shape
    /// its resource part compiled to (an exact or `prefix*` part has none
    /// and no glob).
    #[test]
    fn resource_variables_are_those_of_the_resource_part() {
        let text = "arn:aws:s3:::b/${aws:username}/${s3:prefix}*";
        let pieces = super::super::variable::parse_template("b/${aws:username}/${s3:prefix}*").ok();
        let p = ResourcePattern::new(text, pieces);
        let keys: Vec<&str> = p.resource_variables().map(|v| v.key.as_str()).collect();
        assert_eq!(keys, ["aws:username", "s3:prefix"]);
        for plain in [
            "arn:aws:s3:::b/k",
            "arn:aws:s3:::b/prefix*",
            "arn:aws:s3:::b/a?c",
            "*",
        ] {
            let p = ResourcePattern::new(plain, None);
            assert_eq!(p.resource_variables().count(), 0, "{plain}");
        }
    }

    /// A resource pattern is 64 bytes (a statement's one-pattern vector
    /// is a size class mimalloc serves from its fast path), its glob 32.
    #[test]
    fn a_pattern_is_64_bytes() {
        assert_eq!(std::mem::size_of::<ResourcePattern>(), 64);
        assert_eq!(std::mem::size_of::<Glob>(), 32);
    }

    /// A literal head too long for 16-bit ends is compiled as globs and
    /// matches as a literal head would.
    #[test]
    fn a_head_past_u16_ends_matches_as_a_literal_one() {
        for len in [usize::from(u16::MAX) - 20, usize::from(u16::MAX) + 5] {
            let region = "r".repeat(len);
            let pattern = ResourcePattern::new(&format!("arn:aws:s3:{region}::b/*"), None);
            assert_eq!(
                matches!(
                    &pattern.shape,
                    Shape::Full {
                        head: Head::Literal(_),
                        ..
                    }
                ),
                len + 12 <= usize::from(u16::MAX),
                "{len}"
            );
            let yes = Resource::parse(&format!("arn:aws:s3:{region}::b/k")).unwrap();
            let other = Resource::parse(&format!("arn:aws:s3:{region}x::b/k")).unwrap();
            let empty = Resource::parse("arn:aws:s3:::b/k").unwrap();
            assert_eq!(pattern.matches(&yes, "s3", &NoVariables), Match::Yes);
            assert_eq!(pattern.matches(&other, "s3", &NoVariables), Match::No);
            assert_eq!(pattern.matches(&empty, "s3", &NoVariables), Match::No);
            assert!(!pattern.matches_wildcard_request("s3"));
        }
    }

    /// A pattern of fewer than six parts ending in `*` (one boxed slice of
    /// globs, the last one last): the parts before match one by one, the
    /// last swallows the rest (M-4 rule 3).
    #[test]
    fn short_patterns_swallow_the_rest() {
        for (p, r, want) in [
            ("arn:aws:s3*", "arn:aws:s3:::b/k", true),
            ("arn:aws:s3*", "arn:aws:s3express:us-east-1:1:b", true),
            ("arn:aws:s3*", "arn:aws:iam::1:role/x", false),
            ("arn:aws:s3*", "arn:aws-cn:s3:::b", false),
            ("arn:aws*", "arn:aws-cn:s3:::b", true),
            ("arn:*", "arn:aws:iam::1:role/x", true),
            ("arn:aws:s3:us*", "arn:aws:s3:us-east-1:1:x", true),
            ("arn:aws:s3:us*", "arn:aws:s3:eu-west-1:1:x", false),
            ("arn:a?s:s3:::*", "arn:aws:s3:::b", true),
            ("arn:aws:s?:*", "arn:aws:s3:::b", true),
            ("arn:aws:s?:*", "arn:aws:s33:::b", false),
        ] {
            assert!(
                matches!(
                    ResourcePattern::new(p, None).shape,
                    Shape::Short { .. } | Shape::Full { .. }
                ),
                "{p}"
            );
            assert_eq!(m(p, r), want, "{p} {r}");
        }
        assert!(matches!(
            ResourcePattern::new("arn:aws:s3*", None).shape,
            Shape::Short { .. }
        ));
        assert!(ResourcePattern::new("arn:aws:s3", None).is_never());
    }

    #[test]
    fn fields_are_the_same_exactly_when_their_texts_are() {
        let texts = [
            "",
            "a",
            "arn",
            "aws",
            "awz",
            "s3",
            "S3",
            "s3 ",
            "us-east-1",
            "us-east-2",
            "111122223333",
            "111122223334",
            "0123456789abcdef",
            "0123456789abcdeF",
            "0123456789abcdefg",
            "0123456789abcdefh",
            "é",
            "e\u{301}",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(same_field(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn resource_matching_table_spec_m4() {
        let table = [
            ("arn:aws:s3:::prod/*", "arn:aws:s3:::prod/a/b/c.txt", true),
            ("arn:aws:s3:::prod/*", "arn:aws:s3:::prod", false),
            ("arn:aws:s3:::prod*", "arn:aws:s3:::prod", true),
            ("arn:aws:s3:::prod*", "arn:aws:s3:::prod-logs/x", true),
            ("arn:aws:s3:::*", "arn:aws:s3:::b/k", true),
            ("arn:aws:s3:::*/*", "arn:aws:s3:::b/k", true),
            ("arn:aws:s3:::*/*", "arn:aws:s3:::b", false),
            (
                "arn:aws:s3:::b/*/test/*",
                "arn:aws:s3:::b/1/2/test/3/o.jpg",
                true,
            ),
            (
                "arn:aws:s3:::b/*/test/*",
                "arn:aws:s3:::b/test/o.jpg",
                false,
            ),
            ("arn:aws:s3:::b/a:b*", "arn:aws:s3:::b/a:b:c", true),
            (
                "arn:aws:s3:::example?bucket/*",
                "arn:aws:s3:::example1bucket/k",
                true,
            ),
            ("arn:aws:s3:*:*:*", "arn:aws:s3:::b/k", true),
            (
                "arn:aws:s3:*",
                "arn:aws:s3:us-east-1:111:accesspoint/ap",
                true,
            ),
            ("arn:aws:s3:::PROD/*", "arn:aws:s3:::prod/k", false),
            (
                "arn:aws:s3:us-east-1:111:accesspoint/*",
                "arn:aws:s3:us-east-1:111:accesspoint/ap/object/k",
                true,
            ),
            (
                "arn:aws:s3:::*log*",
                "arn:aws:s3:::carlossalazar-logs/file.txt",
                true,
            ),
            ("arn:aws:s*:::b", "arn:aws:s3:::b", true),
            ("arn:aws:s3:u*:111:b", "arn:aws:s3:us-east-1:x:111:b", false),
            ("arn:aws:s3:u*:::b", "arn:aws:s3:us-east-1:::b", true),
            ("*", "arn:aws:s3:::anything", true),
            ("arn:aws:s3", "arn:aws:s3:::b", false),
            ("not-an-arn", "arn:aws:s3:::b", false),
        ];
        for (p, r, want) in table {
            assert_eq!(m(p, r), want, "pattern {p} resource {r}");
        }
    }

    #[test]
    fn wildcard_only_requests_spec_m6() {
        assert!(m("*", "*"));
        assert!(m("arn:aws:s3:::*", "*"));
        assert!(m("arn:aws:s3:*:*:*", "*"));
        assert!(m("arn:aws:s3:*", "*"));
        assert!(m("arn:*:s3:::*", "*"));
        assert!(!m("arn:aws:s3:::prod", "*"));
        assert!(!m("arn:aws:s3:::prod*", "*"));
        assert!(!m("arn:aws:s3:::*/*", "*"));
        assert!(!m("arn:aws:iam::*:*", "*"));
        assert!(!m("arn:aws:s3:us-east-1::*", "*"));
    }

    proptest::proptest! {
        /// A resource part kept as a range of the text answers as its glob
        /// does: matching, the literal prefix, only stars, and the bucket.
        #[test]
        fn resource_ranges_answer_as_globs_do(
            rest in "[a-z/*?é:]{0,8}",
            resource in "[a-z/é:]{0,8}",
        ) {
            let text = format!("arn:aws:s3:::{rest}");
            let glob = Glob::new(&rest);
            let part = Rest::of(&text, text.get(13..).unwrap());
            proptest::prop_assert_eq!(
                part.matches(&text, &resource, &NoVariables),
                glob.matches(&resource, &NoVariables),
                "{} {}", rest, resource
            );
            proptest::prop_assert_eq!(part.literal_prefix(&text), glob.literal_prefix());
            proptest::prop_assert_eq!(part.is_any(), glob.is_any());
            let kept = matches!(part, Rest::Exact { .. } | Rest::Prefix { .. });
            proptest::prop_assert_eq!(kept, !rest.contains('?') && !rest.trim_end_matches('*').contains('*') && !rest.trim_end_matches('*').is_empty() || (rest.is_empty()));
            let pattern = ResourcePattern::new(&text, None);
            proptest::prop_assert_eq!(
                pattern.matches(&Resource::parse(&format!("arn:aws:s3:::{resource}")).unwrap(), "s3", &NoVariables),
                glob.matches(&resource, &NoVariables)
            );
        }

        /// A literal head matches as five exact globs do, and a head with a
        /// wildcard as its globs: patterns and ARNs of colons, stars,
        /// question marks and letters, for concrete and wildcard requests.
        #[test]
        fn heads_match_as_globs_do(
            pattern in "(arn|a\\*|\\*|ar\\?|)(:(aws|\\*|a\\?s|aws-cn)){0,1}:(s3|\\*|s\\?|iam|):[a1*]{0,2}:[0-9*]{0,2}:[a-z*/:]{0,4}",
            arn in "arn:(aws|a|aws-cn):(s3|s|iam):[a-z1]{0,2}:[0-9]{0,3}:[a-z/:]{0,6}",
        ) {
            let compiled = ResourcePattern::new(&pattern, None);
            let resource = Resource::parse(&arn).unwrap();
            let globs = match &compiled.shape {
                Shape::Full { resource, .. } => {
                    let parts = split_arn(&pattern);
                    let g = |i: usize| Glob::new(parts[i]);
                    Some(ResourcePattern {
                        text: pattern.as_str().into(),
                        shape: Shape::Full {
                            head: Head::Globs(Box::new([g(0), g(1), g(2), g(3), g(4)])),
                            resource: resource.clone(),
                        },
                    })
                }
                _ => None,
            };
            if let Some(globs) = globs {
                for service in ["s3", "iam"] {
                    for r in [&resource, &Resource::Wildcard] {
                        proptest::prop_assert_eq!(
                            compiled.matches(r, service, &NoVariables),
                            globs.matches(r, service, &NoVariables),
                            "{} {}", pattern, arn
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn arns_split_as_splitn_does() {
        for t in [
            "",
            ":",
            "arn",
            "arn:aws:s3:::b/k",
            "arn:aws:s3:::b/a:b:c",
            "arn:aws:s3:*",
            "arn:aws:s3:us-east-1:111:accesspoint/ap",
            ":::::",
            "::::::",
            "a:b:c:d:e:f:g:h",
        ] {
            let want: Vec<&str> = t.splitn(6, ':').collect();
            assert_eq!(split_arn(t).as_slice(), want.as_slice(), "{t:?}");
        }
    }

    #[test]
    fn globs_of_every_shape_compile_as_the_general_path_does() {
        for p in [
            "", "*", "**", "a", "arn", "ab*", "ab**", "a*b", "a?", "?", "*a", "é*", "a?*",
        ] {
            let general = Glob::from_pieces(&[crate::matcher::Piece::Text(p.to_string())]);
            assert_eq!(Glob::new(p), general, "{p:?}");
        }
    }
}
