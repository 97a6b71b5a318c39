//! Lowering: from the spanned JSON tree to a validated [`Policy`], with every
//! problem reported at its place (spec G-1..G-13, V-6, C-14 load-time part).

use std::sync::Arc;

use super::principal::{parse_aws, parse_other, PrincipalClause, PrincipalEntry};
use super::statement::{ActionClause, Effect, ResourceClause, Statement, StatementLocation};
use super::{LoadError, LoadOptions, Policy, PolicyType, Version};
use crate::catalog;
use crate::condition::{Block, Condition, KeyCondition, Operator, Values};
use crate::diagnostic::{did_you_mean, Diagnostic, Severity};
use crate::json::{pointer, Document, Kind, Member, Span, Value};
use crate::matcher::{parse_template, ActionPattern, ResourcePattern};

const TOP_KEYS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

struct Lowerer<'a> {
    doc: &'a Document,
    options: LoadOptions,
    variables: bool,
    diags: &'a mut Vec<Diagnostic>,
}

pub(super) fn lower(
    doc: Arc<Document>,
    root: &Value,
    base: String,
    options: LoadOptions,
    diags: &mut Vec<Diagnostic>,
) -> Result<Policy, LoadError> {
    let version;
    let mut id = None;
    let mut statements = Vec::new();
    {
        let mut l = Lowerer {
            doc: &doc,
            options,
            variables: false,
            diags,
        };
        let Some(members) = root.as_object() else {
            l.emit(
                Severity::Error,
                "JSON_SYNTAX_ERROR",
                format!("a policy must be a JSON object, found {}", root.type_name()),
                root.span,
                &base,
                Some("write {\"Version\": \"2012-10-17\", \"Statement\": [...]}".into()),
            );
            return Err(finish(std::mem::take(l.diags)));
        };
        l.unknown_keys(members, TOP_KEYS, &base, "top-level element");
        version = l.version(root, &base);
        l.variables = version.has_variables();
        if let Some(v) = root.get("Id") {
            let p = pointer::join(&base, "Id");
            if v.as_str().is_none() {
                l.type_error(v, &p, "a string");
            } else {
                id = v.as_str().map(str::to_string);
                if options.policy_type == PolicyType::Identity {
                    l.emit(
                        Severity::Warning,
                        "ID_IN_IDENTITY_POLICY",
                        "IAM rejects `Id` in identity-based policies".into(),
                        v.span,
                        &p,
                        Some("remove `Id`; it has no effect on evaluation".into()),
                    );
                }
            }
        }
        match root.get("Statement") {
            None => l.emit(
                Severity::Error,
                "MISSING_STATEMENT",
                "the policy has no `Statement`".into(),
                root.span,
                &base,
                Some(
                    "add \"Statement\": [{\"Effect\": ..., \"Action\": ..., \"Resource\": ...}]"
                        .into(),
                ),
            ),
            Some(st) => {
                let sp = pointer::join(&base, "Statement");
                match &st.kind {
                    Kind::Object(_) => {
                        if let Some(s) = l.statement(st, 0, &sp) {
                            statements.push(s);
                        }
                    }
                    Kind::Array(items) => {
                        if items.is_empty() {
                            l.emit(
                                Severity::Suggestion,
                                "EMPTY_ARRAY_STATEMENT",
                                "`Statement` is an empty array: the policy grants and denies nothing".into(),
                                st.span,
                                &sp,
                                None,
                            );
                        }
                        for (i, item) in items.iter().enumerate() {
                            let ip = pointer::join(&sp, i.to_string());
                            if item.as_object().is_none() {
                                l.type_error(item, &ip, "a statement object");
                                continue;
                            }
                            if let Some(s) = l.statement(item, i, &ip) {
                                statements.push(s);
                            }
                        }
                    }
                    _ => l.type_error(st, &sp, "a statement object or an array of them"),
                }
            }
        }
        l.unique_sids(&statements, root);
    }
    let mut skipped = Vec::new();
    if diags.iter().any(Diagnostic::is_error) {
        if !options.lenient || root.get("Statement").is_none() {
            return Err(finish(std::mem::take(diags)));
        }
        let (errors, rest): (Vec<_>, Vec<_>) = std::mem::take(diags)
            .into_iter()
            .partition(Diagnostic::is_error);
        skipped = errors;
        *diags = rest;
    }
    Ok(Policy {
        name: doc.name().to_string(),
        policy_type: options.policy_type,
        version,
        id,
        statements,
        warnings: std::mem::take(diags),
        skipped,
        document: doc,
        base_pointer: base,
    })
}

fn finish(mut diags: Vec<Diagnostic>) -> LoadError {
    diags.sort_by_key(|d| (d.severity, d.location.map(|l| l.offset)));
    LoadError { diagnostics: diags }
}

impl Lowerer<'_> {
    fn emit(
        &mut self,
        severity: Severity,
        code: &'static str,
        message: String,
        span: Span,
        ptr: &str,
        hint: Option<String>,
    ) {
        let mut d = Diagnostic::new(severity, code, message)
            .in_file(self.doc.name())
            .at(self.doc.location(span.start))
            .with_pointer(ptr);
        d.end = Some(self.doc.location(span.end));
        d.hint = hint;
        self.diags.push(d);
    }

    fn error(&mut self, code: &'static str, message: String, span: Span, ptr: &str, hint: &str) {
        self.emit(
            Severity::Error,
            code,
            message,
            span,
            ptr,
            Some(hint.to_string()),
        );
    }

    fn type_error(&mut self, v: &Value, ptr: &str, expected: &str) {
        self.error(
            "INVALID_ELEMENT_TYPE",
            format!("expected {expected}, found {}", v.type_name()),
            v.span,
            ptr,
            &format!("write {expected} here"),
        );
    }

    fn unknown_keys(&mut self, members: &[Member], allowed: &[&str], base: &str, what: &str) {
        for m in members {
            if allowed.contains(&m.key.as_str()) {
                continue;
            }
            let p = pointer::join(base, &m.key);
            let hint = match allowed.iter().find(|a| a.eq_ignore_ascii_case(&m.key)) {
                Some(exact) => format!("element names are case-sensitive: write `{exact}`"),
                None => match did_you_mean(&m.key, allowed.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("allowed here: {}", allowed.join(", ")),
                },
            };
            self.error(
                "INVALID_POLICY_ELEMENT",
                format!("unknown {what} `{}`", m.key),
                m.key_span,
                &p,
                &hint,
            );
        }
    }

    fn version(&mut self, root: &Value, base: &str) -> Version {
        let p = pointer::join(base, "Version");
        match root.get("Version") {
            None => {
                self.emit(
                    Severity::Warning,
                    "MISSING_VERSION",
                    "no `Version`: policy variables such as ${aws:username} are literal text"
                        .into(),
                    root.span,
                    base,
                    Some("add \"Version\": \"2012-10-17\"".into()),
                );
                Version::Missing
            }
            Some(v) => match v.as_str() {
                Some("2012-10-17") => Version::V2012_10_17,
                Some("2008-10-17") => Version::V2008_10_17,
                Some(other) => {
                    self.error(
                        "INVALID_VERSION",
                        format!("unknown policy version `{other}`"),
                        v.span,
                        &p,
                        "use \"2012-10-17\" (or the legacy \"2008-10-17\")",
                    );
                    Version::V2012_10_17
                }
                None => {
                    self.type_error(v, &p, "a string such as \"2012-10-17\"");
                    Version::V2012_10_17
                }
            },
        }
    }

    fn statement(&mut self, st: &Value, index: usize, sp: &str) -> Option<Statement> {
        let members = st.as_object()?;
        let errors_before = self.error_count();
        self.unknown_keys(members, STATEMENT_KEYS, sp, "statement element");
        let ptype = self.options.policy_type;

        let sid = st.get("Sid").and_then(|v| {
            let p = pointer::join(sp, "Sid");
            match v.as_str() {
                None => {
                    self.type_error(v, &p, "a string");
                    None
                }
                Some(s) => {
                    if ptype.is_iam() && !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
                        self.error(
                            "INVALID_SID",
                            format!("`Sid` `{s}` may only contain ASCII letters and digits in IAM policies"),
                            v.span,
                            &p,
                            "remove spaces, hyphens and other characters",
                        );
                    }
                    Some(s.to_string())
                }
            }
        });

        let effect = match st.get("Effect") {
            None => {
                self.error(
                    "MISSING_EFFECT",
                    "statement has no `Effect`".into(),
                    st.span,
                    sp,
                    "add \"Effect\": \"Allow\" or \"Effect\": \"Deny\"",
                );
                None
            }
            Some(v) => {
                let p = pointer::join(sp, "Effect");
                match v.as_str() {
                    Some("Allow") => Some(Effect::Allow),
                    Some("Deny") => Some(Effect::Deny),
                    Some(other) => {
                        let hint = if other.eq_ignore_ascii_case("allow") {
                            "`Effect` is case-sensitive: write \"Allow\"".to_string()
                        } else if other.eq_ignore_ascii_case("deny") {
                            "`Effect` is case-sensitive: write \"Deny\"".to_string()
                        } else {
                            "use \"Allow\" or \"Deny\"".to_string()
                        };
                        self.error(
                            "INVALID_EFFECT",
                            format!("`Effect` must be `Allow` or `Deny`, found `{other}`"),
                            v.span,
                            &p,
                            &hint,
                        );
                        None
                    }
                    None => {
                        self.type_error(v, &p, "\"Allow\" or \"Deny\"");
                        None
                    }
                }
            }
        };

        let principal = self.principal(st, sp, effect);
        let action = self.actions(st, sp);
        let resource = self.resources(st, sp);
        let condition = match st.get("Condition") {
            None => Condition::default(),
            Some(c) => self.condition(c, &pointer::join(sp, "Condition")),
        };
        if self.error_count() > errors_before {
            return None;
        }
        Some(Statement {
            index,
            sid,
            effect: effect?,
            principal,
            action: action?,
            resource: resource?,
            condition,
            location: StatementLocation {
                start: self.doc.location(st.span.start),
                end: self.doc.location(st.span.end),
                pointer: sp.to_string(),
            },
        })
    }

    fn error_count(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count()
    }

    fn exclusive<'v>(
        &mut self,
        st: &'v Value,
        sp: &str,
        names: (&'static str, &'static str),
    ) -> Option<(bool, &'v Value)> {
        match (st.get(names.0), st.get(names.1)) {
            (Some(_), Some(v)) => {
                self.error(
                    "UNSUPPORTED_ELEMENT_COMBINATION",
                    format!(
                        "a statement cannot have both `{}` and `{}`",
                        names.0, names.1
                    ),
                    v.span,
                    &pointer::join(sp, names.1),
                    &format!("keep one of `{}` and `{}`", names.0, names.1),
                );
                None
            }
            (Some(v), None) => Some((false, v)),
            (None, Some(v)) => Some((true, v)),
            (None, None) => None,
        }
    }

    /// A string or an array of strings; reports other shapes.
    fn strings<'v>(
        &mut self,
        v: &'v Value,
        p: &str,
        element: &str,
    ) -> Vec<(String, &'v Value, String)> {
        match &v.kind {
            Kind::String(s) => vec![(s.clone(), v, p.to_string())],
            Kind::Array(items) => {
                if items.is_empty() {
                    self.emit(
                        Severity::Suggestion,
                        match element {
                            "Action" | "NotAction" => "EMPTY_ARRAY_ACTION",
                            "Principal" | "NotPrincipal" => "EMPTY_ARRAY_PRINCIPAL",
                            _ => "EMPTY_ARRAY_RESOURCE",
                        },
                        format!("`{element}` is an empty array: it matches nothing"),
                        v.span,
                        p,
                        None,
                    );
                }
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let ip = pointer::join(p, i.to_string());
                    match item.as_str() {
                        Some(s) => out.push((s.to_string(), item, ip)),
                        None => self.type_error(item, &ip, "a string"),
                    }
                }
                out
            }
            _ => {
                self.type_error(v, p, "a string or an array of strings");
                Vec::new()
            }
        }
    }

    fn actions(&mut self, st: &Value, sp: &str) -> Option<ActionClause> {
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
        let p = pointer::join(sp, element);
        if is_not && self.options.policy_type == PolicyType::Rcp {
            // AWS Organizations "RCP syntax": Action, Resource, NotResource, no NotAction.
            self.error(
                "UNSUPPORTED_ELEMENT",
                "`NotAction` is not supported in resource control policies".into(),
                v.span,
                &p,
                "list the denied actions in `Action`",
            );
            return None;
        }
        let mut patterns = Vec::new();
        for (text, item, ip) in self.strings(v, &p, element) {
            if let Some(pattern) = self.action_pattern(&text, item.span, &ip) {
                patterns.push(pattern);
            }
        }
        Some(if is_not {
            ActionClause::NotAction(patterns)
        } else {
            ActionClause::Action(patterns)
        })
    }

    fn action_pattern(&mut self, text: &str, span: Span, p: &str) -> Option<ActionPattern> {
        if text == "*" {
            return Some(ActionPattern::new(text));
        }
        if text.contains("${") && self.variables {
            self.error(
                "VARIABLE_UNSUPPORTED_IN_ELEMENT",
                format!("policy variables are not allowed in actions (`{text}`)"),
                span,
                p,
                "list the actions explicitly",
            );
            return None;
        }
        let Some((svc, name)) = text.split_once(':') else {
            self.error(
                "INVALID_ACTION",
                format!("`{text}` is not an action: it has no service prefix"),
                span,
                p,
                &match catalog::catalog().suggest(&format!("s3:{text}")) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "write service:Action, e.g. s3:GetObject".into(),
                },
            );
            return None;
        };
        if svc.is_empty() || name.is_empty() || text.chars().any(char::is_whitespace) {
            self.error(
                "INVALID_ACTION",
                format!("`{text}` is not an action"),
                span,
                p,
                "write service:Action, e.g. s3:GetObject",
            );
            return None;
        }
        let pattern = ActionPattern::new(text);
        let cat = catalog::catalog();
        if let Some(svc) = pattern.service() {
            if cat.knows_service(svc) {
                if let Some(lit) = pattern.literal() {
                    if cat.lookup(lit).is_none() {
                        let hint = match cat.suggest(text) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!("see `s3guard actions '{svc}:*'` for the list"),
                        };
                        self.emit(
                            Severity::Warning,
                            "INVALID_ACTION",
                            format!("`{text}` is not an action of the `{svc}` catalog: it matches no real request"),
                            span,
                            p,
                            Some(hint),
                        );
                    }
                } else if !cat.matches_any(&pattern) {
                    self.emit(
                        Severity::Warning,
                        "UNMATCHED_ACTION_PATTERN",
                        format!("`{text}` matches no action of the `{svc}` catalog"),
                        span,
                        p,
                        Some(format!("see `s3guard actions '{svc}:*'`")),
                    );
                }
            }
        }
        Some(pattern)
    }

    /// A statement of a role trust policy: resource-based, and every action
    /// an `sts:` action (`sts:AssumeRole`, `sts:TagSession`, …).
    fn is_trust_statement(&self, st: &Value) -> bool {
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

    fn resources(&mut self, st: &Value, sp: &str) -> Option<ResourceClause> {
        let Some((is_not, v)) = self.exclusive(st, sp, ("Resource", "NotResource")) else {
            if st.get("Resource").is_none() && st.get("NotResource").is_none() {
                if self.is_trust_statement(st) {
                    // A role's trust policy names no resource: the role it
                    // is attached to is the resource (G-8 exception).
                    return Some(ResourceClause::Resource(vec![
                        crate::matcher::ResourcePattern::new("*", None),
                    ]));
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
        let p = pointer::join(sp, element);
        let mut patterns = Vec::new();
        for (text, item, ip) in self.strings(v, &p, element) {
            if let Some(pattern) = self.resource_pattern(&text, item.span, &ip) {
                patterns.push(pattern);
            }
        }
        Some(if is_not {
            ResourceClause::NotResource(patterns)
        } else {
            ResourceClause::Resource(patterns)
        })
    }

    fn resource_pattern(&mut self, text: &str, span: Span, p: &str) -> Option<ResourcePattern> {
        if text == "*" {
            return Some(ResourcePattern::new(text, None));
        }
        if !text.starts_with("arn:") && !text.starts_with("arn*") && text != "arn*" {
            self.error(
                "INVALID_ARN_PREFIX",
                format!("`{text}` is not `*` or an ARN"),
                span,
                p,
                "S3 resources look like arn:aws:s3:::bucket or arn:aws:s3:::bucket/key",
            );
            return None;
        }
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        if parts.len() < 6 && !text.ends_with('*') {
            self.error(
                "MISSING_ARN_FIELD",
                format!("`{text}` has fewer than six ARN fields"),
                span,
                p,
                "write arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (S3: arn:aws:s3:::bucket/key)",
            );
            return None;
        }
        let head_len: usize = parts.iter().take(5).map(|s| s.len() + 1).sum();
        let head = text.get(..head_len.min(text.len())).unwrap_or_default();
        if self.variables && head.contains("${") {
            self.error(
                "VARIABLE_UNSUPPORTED_IN_ELEMENT",
                format!(
                    "policy variables are allowed only after the fifth colon of an ARN (`{text}`)"
                ),
                span,
                p,
                "move the variable into the resource part",
            );
            return None;
        }
        if parts.get(2).is_some_and(|s| s.contains(['*', '?'])) && parts.len() == 6 {
            self.emit(
                Severity::Warning,
                "WILDCARD_IN_ARN_SERVICE",
                format!("wildcards in the service field of `{text}` are not valid"),
                span,
                p,
                Some("name the service (s3) exactly".into()),
            );
        }
        let resource_part = if parts.len() == 6 {
            let rest = parts.get(5).copied().unwrap_or_default();
            if self.variables && rest.contains("${") {
                match parse_template(rest) {
                    Ok(pieces) => Some(pieces),
                    Err(e) => {
                        self.error(
                            e.code,
                            e.message,
                            span,
                            p,
                            "write ${key} or ${key, 'default'}",
                        );
                        return None;
                    }
                }
            } else {
                if !self.variables && rest.contains("${") {
                    self.variable_in_old_version(text, span, p);
                }
                None
            }
        } else {
            None
        };
        Some(ResourcePattern::new(text, resource_part))
    }

    fn variable_in_old_version(&mut self, text: &str, span: Span, p: &str) {
        self.emit(
            Severity::Warning,
            "VARIABLE_UNSUPPORTED_IN_VERSION",
            format!("`{text}` looks like a policy variable, but without \"Version\": \"2012-10-17\" it is literal text"),
            span,
            p,
            Some("set \"Version\": \"2012-10-17\" for variables to work".into()),
        );
    }

    fn principal(
        &mut self,
        st: &Value,
        sp: &str,
        effect: Option<Effect>,
    ) -> Option<PrincipalClause> {
        let ptype = self.options.policy_type;
        let present = st.get("Principal").or(st.get("NotPrincipal"));
        if !ptype.has_principals() {
            if let Some(v) = present {
                let name = if st.get("Principal").is_some() {
                    "Principal"
                } else {
                    "NotPrincipal"
                };
                let a = if ptype == PolicyType::Identity {
                    "an"
                } else {
                    "a"
                };
                self.error(
                    "UNSUPPORTED_PRINCIPAL",
                    format!("`{name}` is not allowed in {a} {}", ptype.describe()),
                    v.span,
                    &pointer::join(sp, name),
                    &format!(
                        "{a} {} applies to the principal it is attached to; remove `{name}` (or load the file as a bucket policy)",
                        ptype.describe()
                    ),
                );
            }
            return None;
        }
        let Some((is_not, v)) = self.exclusive(st, sp, ("Principal", "NotPrincipal")) else {
            if present.is_none() {
                self.error(
                    "MISSING_PRINCIPAL",
                    format!("a {} statement needs `Principal` (or `NotPrincipal`)", ptype.describe()),
                    st.span,
                    sp,
                    "add \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"} (or \"*\" with a condition)",
                );
            }
            return None;
        };
        let name = if is_not { "NotPrincipal" } else { "Principal" };
        let p = pointer::join(sp, name);
        if is_not && ptype == PolicyType::Rcp {
            self.error(
                "UNSUPPORTED_ELEMENT",
                "`NotPrincipal` is not supported in RCPs".into(),
                v.span,
                &p,
                "use \"Principal\": \"*\" with conditions",
            );
            return None;
        }
        if is_not && effect == Some(Effect::Allow) {
            let severity = if self.options.strict {
                Severity::Error
            } else {
                Severity::SecurityWarning
            };
            self.emit(
                severity,
                "ALLOW_WITH_NOT_PRINCIPAL",
                "`NotPrincipal` with `Allow` grants access to everyone not listed, anonymous callers included".into(),
                v.span,
                &p,
                Some("use `Principal` with the callers to allow".into()),
            );
        }
        let mut entries = Vec::new();
        match &v.kind {
            Kind::String(s) if s == "*" => entries.push(PrincipalEntry {
                kind: super::PrincipalKind::Everyone,
                text: "*".into(),
                pointer: p.clone(),
            }),
            Kind::String(s) => self.error(
                "INVALID_PRINCIPAL_FORMAT",
                format!("`{name}` as a string must be \"*\", found `{s}`"),
                v.span,
                &p,
                "write {\"AWS\": \"...\"} to name an account, user or role",
            ),
            Kind::Object(members) => {
                if members.is_empty() {
                    self.emit(
                        Severity::Suggestion,
                        "EMPTY_OBJECT_PRINCIPAL",
                        format!("`{name}` is an empty object: it names nobody"),
                        v.span,
                        &p,
                        None,
                    );
                }
                for m in members {
                    let kp = pointer::join(&p, &m.key);
                    if !["AWS", "Service", "Federated", "CanonicalUser"].contains(&m.key.as_str()) {
                        self.error(
                            "INVALID_PRINCIPAL_KEY",
                            format!("unknown principal type `{}`", m.key),
                            m.key_span,
                            &kp,
                            &match did_you_mean(
                                &m.key,
                                ["AWS", "Service", "Federated", "CanonicalUser"],
                            ) {
                                Some(s) => format!("did you mean `{s}`?"),
                                None => "use AWS, Service, Federated or CanonicalUser".into(),
                            },
                        );
                        continue;
                    }
                    for (text, item, ip) in self.strings(&m.value, &kp, name) {
                        let parsed = if m.key == "AWS" {
                            parse_aws(&text)
                        } else {
                            parse_other(&m.key, &text)
                        };
                        match parsed {
                            Ok(kind) => {
                                if ptype == PolicyType::Rcp
                                    && kind != super::PrincipalKind::Everyone
                                {
                                    self.error(
                                        "INVALID_RCP_PRINCIPAL",
                                        "RCP statements must use \"Principal\": \"*\"".into(),
                                        item.span,
                                        &ip,
                                        "restrict callers with conditions instead",
                                    );
                                }
                                entries.push(PrincipalEntry {
                                    kind,
                                    text,
                                    pointer: ip,
                                });
                            }
                            Err(e) => self.error(e.code, e.message, item.span, &ip, &e.hint),
                        }
                    }
                }
            }
            _ => self.type_error(v, &p, "\"*\" or an object such as {\"AWS\": \"...\"}"),
        }
        if ptype == PolicyType::Rcp
            && entries
                .iter()
                .any(|e| e.kind != super::PrincipalKind::Everyone)
        {
            return None;
        }
        Some(if is_not {
            PrincipalClause::NotPrincipal(entries)
        } else {
            PrincipalClause::Principal(entries)
        })
    }

    fn condition(&mut self, c: &Value, cp: &str) -> Condition {
        let mut blocks = Vec::new();
        let Some(members) = c.as_object() else {
            self.type_error(c, cp, "an object of condition operators");
            return Condition::default();
        };
        if members.is_empty() {
            self.emit(
                Severity::Suggestion,
                "EMPTY_OBJECT_CONDITION",
                "`Condition` is empty".into(),
                c.span,
                cp,
                None,
            );
        }
        for m in members {
            let op_ptr = pointer::join(cp, &m.key);
            let operator = match Operator::parse(&m.key) {
                Ok(op) => op,
                Err(e) => {
                    let hint = match &e.suggestion {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "see the condition operators of the IAM User Guide".into(),
                    };
                    self.error(e.code, e.message, m.key_span, &op_ptr, &hint);
                    continue;
                }
            };
            if !Operator::is_canonical_spelling(&m.key) {
                self.emit(
                    Severity::Warning,
                    "NONCANONICAL_OPERATOR_CASE",
                    format!(
                        "condition operator `{}` is spelled `{operator}` in AWS documentation",
                        m.key
                    ),
                    m.key_span,
                    &op_ptr,
                    Some(format!("write `{operator}`")),
                );
            }
            let Some(keys) = m.value.as_object() else {
                self.type_error(&m.value, &op_ptr, "an object of condition keys and values");
                continue;
            };
            if keys.is_empty() {
                self.emit(
                    Severity::Suggestion,
                    "EMPTY_OBJECT_CONDITION",
                    format!("`{}` lists no keys", m.key),
                    m.value.span,
                    &op_ptr,
                    None,
                );
            }
            let mut compiled = Vec::new();
            for (i, k) in keys.iter().enumerate() {
                let kp = pointer::join(&op_ptr, &k.key);
                if let Some(prev) = keys
                    .iter()
                    .take(i)
                    .find(|o| o.key.eq_ignore_ascii_case(&k.key))
                {
                    self.error(
                        "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
                        format!(
                            "condition key `{}` repeats `{}` (keys are case-insensitive)",
                            k.key, prev.key
                        ),
                        k.key_span,
                        &kp,
                        "merge the values under one key",
                    );
                    continue;
                }
                if k.key.contains("${") {
                    self.error(
                        "VARIABLE_UNSUPPORTED_IN_ELEMENT",
                        format!(
                            "policy variables are not allowed in condition keys (`{}`)",
                            k.key
                        ),
                        k.key_span,
                        &kp,
                        "use a fixed key name",
                    );
                    continue;
                }
                if !k.key.contains(':') {
                    self.error(
                        "INVALID_CONDITION_KEY",
                        format!("condition key `{}` has no prefix", k.key),
                        k.key_span,
                        &kp,
                        &match catalog::suggest_key(&k.key) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => "keys look like aws:SourceIp or s3:prefix".into(),
                        },
                    );
                    continue;
                }
                let raw = self.condition_values(&k.value, &kp);
                let Some(raw) = raw else { continue };
                if raw.is_empty() {
                    self.emit(
                        Severity::Suggestion,
                        "EMPTY_ARRAY_CONDITION",
                        format!("`{}` lists no values: it never matches", k.key),
                        k.value.span,
                        &kp,
                        None,
                    );
                }
                if !self.variables && raw.iter().any(|(t, _)| t.contains("${")) {
                    self.variable_in_old_version(&k.key, k.value.span, &kp);
                }
                let texts: Vec<String> = raw.iter().map(|(t, _)| t.clone()).collect();
                match Values::compile(&operator, &texts, self.variables) {
                    Ok(values) => compiled.push(KeyCondition {
                        key: k.key.clone(),
                        key_lower: k.key.to_lowercase(),
                        raw_values: texts,
                        values,
                    }),
                    Err(issues) => {
                        for issue in issues {
                            let (span, ptr) =
                                match issue.index.and_then(|i| raw.get(i).map(|r| (i, r))) {
                                    Some((i, (_, span))) if k.value.as_array().is_some() => {
                                        (*span, pointer::join(&kp, i.to_string()))
                                    }
                                    Some((_, (_, span))) => (*span, kp.clone()),
                                    None => (k.value.span, kp.clone()),
                                };
                            self.error(
                                issue.code,
                                issue.message,
                                span,
                                &ptr,
                                issue.hint.as_deref().unwrap_or("fix the value"),
                            );
                        }
                    }
                }
            }
            blocks.push(Block {
                operator,
                operator_text: m.key.clone(),
                keys: compiled,
            });
        }
        Condition { blocks }
    }

    /// Condition values: strings, numbers, booleans, or an array of them.
    fn condition_values(&mut self, v: &Value, kp: &str) -> Option<Vec<(String, Span)>> {
        let scalar = |v: &Value| v.scalar_text().map(|t| (t, v.span));
        match &v.kind {
            Kind::Array(items) => {
                let mut out = Vec::new();
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match scalar(item) {
                        Some(s) => out.push(s),
                        None => {
                            ok = false;
                            self.type_error(
                                item,
                                &pointer::join(kp, i.to_string()),
                                "a string, number or boolean",
                            );
                        }
                    }
                }
                ok.then_some(out)
            }
            _ => match scalar(v) {
                Some(s) => Some(vec![s]),
                None => {
                    self.type_error(v, kp, "a string, number, boolean, or an array of them");
                    None
                }
            },
        }
    }

    fn unique_sids(&mut self, statements: &[Statement], root: &Value) {
        let ptype = self.options.policy_type;
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for s in statements {
            let Some(sid) = s.sid.as_deref() else {
                continue;
            };
            if !seen.insert(sid) {
                let (severity, code) = if ptype.is_iam() {
                    (Severity::Error, "UNIQUE_SIDS_REQUIRED")
                } else {
                    (Severity::Warning, "UNIQUE_SIDS_RECOMMENDED")
                };
                let ptr = pointer::join(&s.location.pointer, "Sid");
                let span = root
                    .get("Statement")
                    .and_then(|st| match &st.kind {
                        Kind::Array(items) => items.get(s.index),
                        _ => Some(st),
                    })
                    .and_then(|st| st.get("Sid"))
                    .map(|v| v.span)
                    .unwrap_or(root.span);
                self.emit(
                    severity,
                    code,
                    format!("`Sid` `{sid}` is used by more than one statement"),
                    span,
                    &ptr,
                    Some("give each statement its own Sid".into()),
                );
            }
        }
    }
}
