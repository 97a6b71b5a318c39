//! Lowering the `Action`/`NotAction` and `Resource`/`NotResource`
//! elements: every entry compiled once into a pattern, checked against the
//! catalog and the ARN grammar (spec M-1..M-7, G-6..G-8, V-6).

use super::{At, Elements, Lowerer, Place};
use crate::catalog;
use crate::diagnostic::Severity;
use crate::json::{Span, Value};
use crate::matcher::{parse_template, ActionPatterns, ActionShape, PatternRef, ResourcePattern};
use crate::policy::statement::{ActionClause, ResourceClause};
use crate::policy::PolicyType;

impl Lowerer<'_> {
    pub(super) fn actions(&mut self, st: &Elements<'_>, sp: &str) -> Option<ActionClause> {
        let Some((is_not, v)) = self.exclusive(st, sp, ("Action", "NotAction")) else {
            if st.get("Action").is_none() && st.get("NotAction").is_none() {
                self.error(
                    "MISSING_ACTION",
                    "statement has no `Action` or `NotAction`".into(),
                    st.span,
                    sp,
                    "add \"Action\": \"s3:GetObject\" (or a list)",
                );
            }
            return None;
        };
        let element = if is_not { "NotAction" } else { "Action" };
        let p = Place::member(sp, element);
        if is_not && self.options.policy_type == PolicyType::Rcp {
            // AWS Organizations "RCP syntax": Action, Resource, NotResource, no NotAction.
            self.error(
                "UNSUPPORTED_ELEMENT",
                "`NotAction` is not supported in resource control policies".into(),
                v.span,
                &p.pointer(),
                "list the denied actions in `Action`",
            );
            return None;
        }
        let items = self.string_items(v, p, element);
        // the element's bytes: more than its texts take
        let bytes = v.span.end.saturating_sub(v.span.start) as usize;
        let mut patterns = ActionPatterns::with_capacity(items.size_hint().0, bytes);
        for (item, at) in items {
            let Some(text) = item.as_str() else { continue };
            self.push_action_pattern(&mut patterns, text, None, item.span, at);
        }
        Some(if is_not {
            ActionClause::NotAction(patterns)
        } else {
            ActionClause::Action(patterns)
        })
    }

    /// Compiles the entry `text` (at `span`, `at`) of an `Action` or
    /// `NotAction` element and pushes its pattern onto `out`, after
    /// reporting what it finds wrong or doubtful; `false`, and nothing
    /// pushed, when it reports an error. `within`: where `text` is in the
    /// element's source list, for the plain reader
    /// ([`ActionPatterns::push_shaped_in`]).
    ///
    /// It pushes, rather than returning an `Option` the caller pushes: the
    /// 72-byte pattern was copied from stack slot to stack slot three
    /// times, each copy waiting for the stores of the one before (store
    /// forwarding fails on wider loads), a quarter of ReadOnlyAccess's
    /// load time.
    // inlined into both of `actions`' loops, as it was into the one
    // loop before (out of line, the Rails policy's load took 2% more)
    #[inline(always)]
    pub(super) fn push_action_pattern(
        &mut self,
        out: &mut ActionPatterns,
        text: &str,
        within: Option<(&str, usize)>,
        span: Span,
        at: At<'_>,
    ) -> bool {
        if text == "*" {
            out.push(text);
            return true;
        }
        let shape = ActionShape::of(text);
        if shape.variable && self.variables {
            self.error(
                "VARIABLE_UNSUPPORTED_IN_ELEMENT",
                format!("policy variables are not allowed in actions (`{text}`)"),
                span,
                &at.pointer(),
                "list the actions explicitly",
            );
            return false;
        }
        let Some(colon) = shape.colon else {
            self.error(
                "INVALID_ACTION",
                format!("`{text}` is not an action: it has no service prefix"),
                span,
                &at.pointer(),
                &match self.suggest_action(&format!("s3:{text}")) {
                    Some(s) => crate::diagnostic::did_you_mean_hint(text, &s),
                    None => "write service:Action, e.g. s3:GetObject".into(),
                },
            );
            return false;
        };
        // an empty service or name (the `:` first or last), by offsets:
        // slicing the text checked character boundaries
        if colon == 0 || colon + 1 >= text.len() || shape.whitespace {
            self.error(
                "INVALID_ACTION",
                format!("`{text}` is not an action"),
                span,
                &at.pointer(),
                "write service:Action, e.g. s3:GetObject",
            );
            return false;
        }
        match within {
            Some((list, at)) => out.push_shaped_in(list, at, text, &shape),
            None => out.push_shaped(text, &shape),
        }
        let Some(pattern) = out.last() else {
            return false;
        };
        if pattern.catalog_index().is_some() || pattern.outside_catalog() {
            // an action of the catalog (compiling found it there), or a
            // service the catalog lacks (compiling asked): nothing to
            // check, no second look-up
            return true;
        }
        // the text as written, now the pattern's (the messages quote it)
        let text = pattern.as_str();
        let cat = catalog::catalog();
        if let Some(svc) = pattern.service() {
            if let Some(lit) = pattern.literal() {
                if cat.lookup(lit).is_none() {
                    let hint = match self.suggest_action(text) {
                        Some(s) => crate::diagnostic::did_you_mean_hint(text, &s),
                        None => format!("see `s3guard actions '{svc}:*'` for the list"),
                    };
                    self.emit(
                        Severity::Warning,
                        "INVALID_ACTION",
                        format!("`{text}` is not an action of the `{svc}` catalog: it matches no real request"),
                        span,
                        &at.pointer(),
                        Some(hint),
                    );
                }
            } else if !self.matches_some_catalog_action(pattern) {
                self.emit(
                    Severity::Warning,
                    "UNMATCHED_ACTION_PATTERN",
                    format!("`{text}` matches no action of the `{svc}` catalog"),
                    span,
                    &at.pointer(),
                    Some(format!("see `s3guard actions '{svc}:*'`")),
                );
            }
        }
        true
    }

    /// Whether a wildcard pattern matches some catalog action, each
    /// distinct text of the first [`WILDCARDS_REMEMBERED`](super::WILDCARDS_REMEMBERED)
    /// looked for in the catalog once.
    fn matches_some_catalog_action(&mut self, pattern: PatternRef<'_>) -> bool {
        let text = pattern.as_str();
        if let Some((_, known)) = self.wildcards_checked.iter().find(|(t, _)| t == text) {
            return *known;
        }
        let answer = catalog::catalog().matches_any(pattern);
        if self.wildcards_checked.len() < super::WILDCARDS_REMEMBERED {
            self.wildcards_checked.push((text.to_string(), answer));
        }
        answer
    }

    /// A statement of a role trust policy: resource-based, and every action
    /// an `sts:` action (`sts:AssumeRole`, `sts:TagSession`, …).
    fn is_trust_statement(&self, st: &Elements<'_>) -> bool {
        if self.options.policy_type != PolicyType::Resource {
            return false;
        }
        let sts = |v: &Value| {
            v.as_str()
                .is_some_and(|a| a.to_ascii_lowercase().starts_with("sts:"))
        };
        match st.get("Action") {
            Some(v) => match v.as_array() {
                Some(items) => !items.is_empty() && items.iter().all(sts),
                None => sts(v),
            },
            None => false,
        }
    }

    pub(super) fn resources(&mut self, st: &Elements<'_>, sp: &str) -> Option<ResourceClause> {
        let Some((is_not, v)) = self.exclusive(st, sp, ("Resource", "NotResource")) else {
            if st.get("Resource").is_none() && st.get("NotResource").is_none() {
                if self.is_trust_statement(st) {
                    // A role's trust policy names no resource: the role it
                    // is attached to is the resource (G-8 exception).
                    return Some(ResourceClause::Resource(vec![ResourcePattern::new(
                        "*", None,
                    )]));
                }
                self.error(
                    "MISSING_RESOURCE",
                    "statement has no `Resource` or `NotResource`".into(),
                    st.span,
                    sp,
                    "add \"Resource\": \"arn:aws:s3:::bucket/*\" (or \"*\")",
                );
            }
            return None;
        };
        let element = if is_not { "NotResource" } else { "Resource" };
        let p = Place::member(sp, element);
        // the entries as `strings` gives them, without its list
        let items = self.string_items(v, p, element);
        let mut patterns = Vec::with_capacity(items.size_hint().0);
        for (item, at) in items {
            let Some(text) = item.as_str() else { continue };
            if let Some(pattern) = self.resource_pattern(text, item.span, at) {
                patterns.push(pattern);
            }
        }
        Some(if is_not {
            ResourceClause::NotResource(patterns)
        } else {
            ResourceClause::Resource(patterns)
        })
    }

    pub(super) fn resource_pattern(
        &mut self,
        text: &str,
        span: Span,
        at: At<'_>,
    ) -> Option<ResourcePattern> {
        if text == "*" {
            return Some(ResourcePattern::new(text, None));
        }
        if !text.starts_with("arn:") && !text.starts_with("arn*") && text != "arn*" {
            self.error(
                "INVALID_ARN_PREFIX",
                format!("`{text}` is not `*` or an ARN"),
                span,
                &at.pointer(),
                "S3 resources look like arn:aws:s3:::bucket or arn:aws:s3:::bucket/key",
            );
            return None;
        }
        let (fields, count) = split_fields(text);
        let parts = fields.get(..count).unwrap_or_default();
        if parts.len() < 6 && !text.ends_with('*') {
            self.error(
                "MISSING_ARN_FIELD",
                format!("`{text}` has fewer than six ARN fields"),
                span,
                &at.pointer(),
                "write arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (S3: arn:aws:s3:::bucket/key)",
            );
            return None;
        }
        // a variable starts with `$`: one search of the text, and the
        // fields are searched for `${` only when it has one
        let dollar = crate::matcher::bytes::contains(text.as_bytes(), b'$');
        // the head (the five fields and their colons) sliced only then
        let head = || {
            let head_len: usize = parts.iter().take(5).map(|s| s.len() + 1).sum();
            text.get(..head_len.min(text.len())).unwrap_or_default()
        };
        if dollar && self.variables && crate::matcher::has_variable(head()) {
            self.error(
                "VARIABLE_UNSUPPORTED_IN_ELEMENT",
                format!(
                    "policy variables are allowed only after the fifth colon of an ARN (`{text}`)"
                ),
                span,
                &at.pointer(),
                "move the variable into the resource part",
            );
            return None;
        }
        if parts.len() == 6
            && parts
                .get(2)
                .is_some_and(|s| crate::matcher::bytes::first_wildcard(s.as_bytes()).is_some())
        {
            self.emit(
                Severity::Warning,
                "WILDCARD_IN_ARN_SERVICE",
                format!("wildcards in the service field of `{text}` are not valid"),
                span,
                &at.pointer(),
                Some("name the service (s3) exactly".into()),
            );
        }
        let resource_part = if parts.len() == 6 {
            let rest = parts.get(5).copied().unwrap_or_default();
            if dollar && self.variables && crate::matcher::has_variable(rest) {
                match parse_template(rest) {
                    Ok(pieces) => Some(pieces),
                    Err(e) => {
                        self.error(
                            e.code,
                            e.message,
                            span,
                            &at.pointer(),
                            "write ${key} or ${key, 'default'}",
                        );
                        return None;
                    }
                }
            } else {
                if dollar && !self.variables && crate::matcher::has_variable(rest) {
                    self.variable_in_old_version(text, span, &at.pointer());
                }
                None
            }
        } else {
            None
        };
        Some(ResourcePattern::from_fields(text, parts, resource_part))
    }

    pub(super) fn variable_in_old_version(&mut self, text: &str, span: Span, p: &str) {
        self.emit(
            Severity::Warning,
            "VARIABLE_UNSUPPORTED_IN_VERSION",
            format!("`{text}` looks like a policy variable, but without \"Version\": \"2012-10-17\" it is literal text"),
            span,
            p,
            Some("set \"Version\": \"2012-10-17\" for variables to work".into()),
        );
    }
}

/// The head of an S3 ARN in the standard partition (`arn:aws:s3:::bucket`):
/// a text that starts with it has these five fields, and its sixth is the
/// rest (what [`arn_fields`] finds, without the byte loop).
const S3_HEAD: &str = "arn:aws:s3:::";

/// [`arn_fields`] of `text`, at once for a text that starts with
/// [`S3_HEAD`] (almost every pattern: its five head fields are known).
#[inline]
fn split_fields(text: &str) -> ([&str; 6], usize) {
    match text.strip_prefix(S3_HEAD) {
        Some(rest) => (["arn", "aws", "s3", "", "", rest], 6),
        None => arn_fields(text),
    }
}

/// The ARN fields of `text` as `splitn(6, ':')` gives them (the sixth
/// keeps its colons), and how many there are. The five colons of an ARN's
/// head come within its first few bytes (`arn:aws:s3:::`): a byte loop
/// finds them, where a `memchr` call per field cost about 40 instructions.
fn arn_fields(text: &str) -> ([&str; 6], usize) {
    let mut fields = [""; 6];
    let mut count = 0;
    let mut start = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if b != b':' {
            continue;
        }
        if let Some(slot) = fields.get_mut(count) {
            *slot = text.get(start..i).unwrap_or_default();
        }
        count += 1;
        start = i + 1;
        if count == 5 {
            break;
        }
    }
    if let Some(slot) = fields.get_mut(count) {
        *slot = text.get(start..).unwrap_or_default();
    }
    (fields, count + 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn arn_fields_are_those_of_splitn() {
        for text in [
            "",
            ":",
            "arn",
            "arn:",
            "arn:aws:s3:::",
            "arn:aws:s3::::",
            "arn:aws:s3:::b/k:with:colons",
            "arn:aws:s3*",
            "arn:aws:s3:us-east-1:111122223333:accesspoint/ap",
            "arn:aws:s3:::bücket/ключ:x",
            ":::::::",
            "a:b:c:d:e:f:g",
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::b:c/*",
            "arn:aws:s3:::",
            "arn:aws:s3::",
            "arn:aws:s3:::::",
            "arn:aws:s3:x::b",
            "arn:aws:s3::x:b",
            "arn:aws:s3express:::b",
            "arn:aws-cn:s3:::b",
            "arn:AWS:s3:::b",
            "arn:aws:s3:::${aws:username}/*",
        ] {
            let expected: Vec<&str> = text.splitn(6, ':').collect();
            let (fields, count) = super::arn_fields(text);
            assert_eq!(&fields[..count], expected.as_slice(), "{text}");
            let (fields, count) = super::split_fields(text);
            assert_eq!(&fields[..count], expected.as_slice(), "{text}");
        }
    }

    use crate::policy::Policy;

    #[test]
    fn arn_fields_are_split_as_splitn_splits_them() {
        // the field count decides MISSING_ARN_FIELD; the sixth keeps its colons
        for (text, ok) in [
            ("arn:aws:s3:::b/k:with:colons", true),
            ("arn:aws:s3:::", true),
            ("arn:aws:s3::", false),
            ("arn:aws:s3*", true),
            ("arn:aws", false),
        ] {
            let doc = format!(
                r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{text}"}}}}"#
            );
            let missing = match Policy::parse("p.json", &doc) {
                Ok(_) => false,
                Err(e) => e.errors().any(|d| d.code == "MISSING_ARN_FIELD"),
            };
            assert_eq!(!missing, ok, "{text}");
        }
    }

    #[test]
    fn lowered_resource_patterns_compile_as_resource_pattern_new_does() {
        // lowering hands its own split of the ARN to the compiler
        use crate::matcher::ResourcePattern;
        for text in [
            "*",
            "arn:aws:s3:::b/k:with:colons",
            "arn:aws:s3:::",
            "arn:aws:s3*",
            "arn:*",
            "arn:aws:s3:::b*/x?",
            "arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/*",
        ] {
            let doc = format!(
                r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{text}"}}}}"#
            );
            let p = Policy::parse("p.json", &doc).unwrap();
            let lowered = p.statements[0].resource.patterns();
            assert_eq!(lowered, [ResourcePattern::new(text, None)], "{text}");
        }
    }

    #[test]
    fn every_entry_of_a_repeated_wildcard_is_checked_against_the_catalog() {
        // the catalog answers once per text; each entry still gets its warning
        let text = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["s3:Nope*","s3:List*"],"Resource":"*"},
            {"Effect":"Allow","Action":["s3:List*","s3:Nope*"],"Resource":"*"}]}"#;
        let p = Policy::parse("p.json", text).unwrap();
        let unmatched: Vec<_> = p
            .warnings
            .iter()
            .filter(|d| d.code == "UNMATCHED_ACTION_PATTERN")
            .map(|d| d.pointer.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            unmatched,
            ["/Statement/0/Action/0", "/Statement/1/Action/1"]
        );
    }
}
