//! Reading a test file: the spanned JSON tree is checked field by field,
//! every problem is collected with `FILE:LINE:COL` and JSON pointer, and
//! unknown fields are errors (a typo must never make a test pass).

use std::sync::Arc;

use super::model::TestFile;
use super::request::RequestTemplate;
use crate::condition::date;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::eval::policy_set::{EvalOptions, NotPrincipalMode};
use crate::json::{self, pointer, Document, Kind, Member, SourceFile, Value};
use crate::policy::LoadError;
use crate::request::Principal;

const ROOT_FIELDS: &[&str] = &["description", "policies", "defaults", "options", "cases"];
pub(super) const POLICY_FIELDS: &[&str] = &["type", "file", "document", "name", "level", "new"];
const OPTION_FIELDS: &[&str] = &[
    "not_principal",
    "management_account",
    "resource_in_management_account",
    "canonical_ids",
    "strict",
    "access_point",
    "block_public_access",
    "object_owner",
    "object_acl",
    "bucket_acl",
    "object_ownership",
    "vpce_type",
];
pub(super) const TEMPLATE_FIELDS: &[&str] = &[
    "principal",
    "resource_account",
    "context",
    "at",
    "region",
    "no_defaults",
    "service_linked_role",
];
pub(super) const REQUEST_FIELDS: &[&str] = &[
    "name",
    "action",
    "resource",
    "expect",
    "principal",
    "resource_account",
    "context",
    "at",
    "region",
    "no_defaults",
    "service_linked_role",
];
pub(super) const CANNOT_FIELDS: &[&str] =
    &["name", "cannot", "on", "principal", "resource_account"];
pub(super) const RUN_FIELDS: &[&str] = &[
    "name",
    "run",
    "expect",
    "keys",
    "principal",
    "resource_account",
    "context",
    "at",
    "region",
    "no_defaults",
];
pub(super) const TYPES: &[&str] = &[
    "identity",
    "bucket",
    "resource",
    "boundary",
    "session",
    "scp",
    "rcp",
    "vpce",
    "access-point",
];
pub(super) const OUTCOMES: &[&str] = &["succeeds", "fails", "partial"];

impl TestFile {
    /// Reads and validates a test file. Policy files are found relative to
    /// the test file's directory. All problems are returned together.
    pub fn load(path: &str) -> Result<TestFile, LoadError> {
        let file =
            SourceFile::read_as(path, crate::json::InputKind::TestFile).map_err(|d| LoadError {
                diagnostics: vec![*d],
            })?;
        TestFile::from_source(Arc::new(file)).map_err(|diagnostics| LoadError { diagnostics })
    }

    /// Validates a test file given as text; `path` names it in messages
    /// and its directory is where policy files are looked up.
    pub fn parse(path: &str, text: &str) -> Result<TestFile, LoadError> {
        TestFile::from_source(Arc::new(SourceFile::new(path, text)))
            .map_err(|diagnostics| LoadError { diagnostics })
    }

    fn from_source(file: Arc<SourceFile>) -> Result<TestFile, Vec<Diagnostic>> {
        let doc = Arc::new(Document::whole(file.clone()));
        let parsed = json::parse(file.text()).map_err(|e| {
            vec![Diagnostic::error("JSON_SYNTAX_ERROR", e.message)
                .in_file(file.name())
                .at(file.location(u32::try_from(e.offset).unwrap_or(u32::MAX)))]
        })?;
        let mut p = Parser {
            file,
            doc,
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        for d in &parsed.duplicates {
            let msg = format!("duplicate key `{}`", d.key);
            let ptr = pointer::join(&d.object_pointer, &d.key);
            p.errors.push(
                Diagnostic::error("JSON_SYNTAX_ERROR", msg)
                    .in_file(p.file.name())
                    .at(p.file.location(d.second.start))
                    .with_pointer(ptr)
                    .with_hint("a key may appear once per object"),
            );
        }
        let file = p.root(&parsed.value);
        if p.errors.is_empty() {
            if let Some(mut f) = file {
                f.warnings = p.warnings;
                return Ok(f);
            }
        }
        let mut all = p.errors;
        all.extend(p.warnings);
        Err(all)
    }
}

pub(super) struct Parser {
    pub(super) file: Arc<SourceFile>,
    pub(super) doc: Arc<Document>,
    pub(super) errors: Vec<Diagnostic>,
    pub(super) warnings: Vec<Diagnostic>,
}

impl Parser {
    pub(super) fn error(
        &mut self,
        code: &'static str,
        msg: String,
        at: &Value,
        ptr: &str,
        hint: &str,
    ) {
        let mut d = Diagnostic::error(code, msg)
            .in_file(self.file.name())
            .at(self.file.location(at.span.start))
            .with_pointer(ptr);
        if !hint.is_empty() {
            d = d.with_hint(hint);
        }
        self.errors.push(d);
    }

    pub(super) fn object<'v>(
        &mut self,
        v: &'v Value,
        ptr: &str,
        what: &str,
    ) -> Option<&'v [Member]> {
        let members = v.as_object();
        if members.is_none() {
            self.error(
                "INVALID_VALUE",
                format!("{what} must be an object, found {}", v.type_name()),
                v,
                ptr,
                "",
            );
        }
        members
    }

    /// Reports every member not in `allowed`, with a did-you-mean.
    pub(super) fn known_fields(
        &mut self,
        members: &[Member],
        ptr: &str,
        allowed: &[&str],
        what: &str,
    ) {
        for m in members {
            if allowed.contains(&m.key.as_str()) {
                continue;
            }
            let hint = match suggest(&m.key, allowed) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("{what} has the fields {}", list(allowed)),
            };
            let msg = format!("unknown field `{}` in {what}", m.key);
            let mut d = Diagnostic::error("UNKNOWN_FIELD", msg)
                .in_file(self.file.name())
                .at(self.file.location(m.key_span.start))
                .with_pointer(pointer::join(ptr, &m.key));
            d = d.with_hint(hint);
            self.errors.push(d);
        }
    }

    pub(super) fn string(&mut self, v: &Value, ptr: &str, field: &str) -> Option<String> {
        match v.as_str() {
            Some(s) if !s.trim().is_empty() => Some(s.to_string()),
            Some(_) => {
                self.error("INVALID_VALUE", format!("`{field}` is empty"), v, ptr, "");
                None
            }
            None => {
                self.error(
                    "INVALID_VALUE",
                    format!("`{field}` must be a string, found {}", v.type_name()),
                    v,
                    ptr,
                    "",
                );
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, v: &Value, ptr: &str, field: &str) -> Option<bool> {
        match v.kind {
            Kind::Bool(b) => Some(b),
            _ => {
                self.error(
                    "INVALID_VALUE",
                    format!("`{field}` must be true or false, found {}", v.type_name()),
                    v,
                    ptr,
                    "",
                );
                None
            }
        }
    }

    pub(super) fn one_of(
        &mut self,
        v: &Value,
        ptr: &str,
        field: &str,
        allowed: &[&str],
    ) -> Option<String> {
        let s = self.string(v, ptr, field)?;
        if allowed.contains(&s.as_str()) {
            return Some(s);
        }
        let hint = match suggest(&s, allowed) {
            Some(c) => format!("did you mean `{c}`?"),
            None => String::new(),
        };
        self.error(
            "INVALID_VALUE",
            format!("`{field}` must be one of {}, found `{s}`", list(allowed)),
            v,
            ptr,
            &hint,
        );
        None
    }

    pub(super) fn missing(&mut self, at: &Value, ptr: &str, field: &str, what: &str, hint: &str) {
        self.error(
            "MISSING_FIELD",
            format!("{what} has no `{field}`"),
            at,
            &pointer::join(ptr, field),
            hint,
        );
    }

    fn root(&mut self, root: &Value) -> Option<TestFile> {
        let members = self.object(root, "", "a test file")?;
        self.known_fields(members, "", ROOT_FIELDS, "a test file");
        let description = root
            .get("description")
            .and_then(|v| self.string(v, "/description", "description"));
        let (options, strict) = match root.get("options") {
            Some(v) => self.options(v),
            None => (EvalOptions::default(), false),
        };
        let set = match root.get("policies") {
            Some(v) => self.policies(v, strict, options),
            None => {
                self.missing(
                    root,
                    "",
                    "policies",
                    "the test file",
                    "add \"policies\": [{\"file\": \"policy.json\", \"type\": \"identity\"}]",
                );
                None
            }
        };
        let defaults = match root.get("defaults") {
            Some(v) => self
                .object(v, "/defaults", "`defaults`")
                .map(|m| {
                    self.known_fields(m, "/defaults", TEMPLATE_FIELDS, "`defaults`");
                    self.template(v, "/defaults")
                })
                .unwrap_or_default(),
            None => RequestTemplate::default(),
        };
        let cases = match root.get("cases") {
            Some(v) => self.cases(v, &defaults),
            None => {
                self.missing(
                    root,
                    "",
                    "cases",
                    "the test file",
                    "add \"cases\": [{\"name\": \"…\", \"action\": \"s3:DeleteBucket\", \"resource\": \"arn:aws:s3:::prod\", \"expect\": \"deny\"}]",
                );
                Vec::new()
            }
        };
        let (entries, set) = set?;
        Some(TestFile {
            path: self.file.name().to_string(),
            description,
            policies: entries,
            set,
            defaults,
            cases,
            warnings: Vec::new(),
        })
    }

    fn options(&mut self, v: &Value) -> (EvalOptions, bool) {
        let mut options = EvalOptions::default();
        let mut strict = false;
        let Some(members) = self.object(v, "/options", "`options`") else {
            return (options, strict);
        };
        self.known_fields(members, "/options", OPTION_FIELDS, "`options`");
        let mut s3 = crate::eval::s3_settings::S3Settings::default();
        let mut access_point = None;
        for m in members {
            let ptr = pointer::join("/options", &m.key);
            let value = &m.value;
            match m.key.as_str() {
                "not_principal" => {
                    match self
                        .one_of(value, &ptr, "not_principal", &["strict", "lenient"])
                        .as_deref()
                    {
                        Some("lenient") => options.not_principal = NotPrincipalMode::Lenient,
                        _ => options.not_principal = NotPrincipalMode::Strict,
                    }
                }
                "management_account" => {
                    options.principal_in_management_account =
                        self.boolean(value, &ptr, &m.key).unwrap_or(false)
                }
                "resource_in_management_account" => {
                    options.resource_in_management_account =
                        self.boolean(value, &ptr, &m.key).unwrap_or(false)
                }
                "strict" => strict = self.boolean(value, &ptr, &m.key).unwrap_or(false),
                "access_point" => {
                    let mut problems = Vec::new();
                    let settings = crate::eval::access_point::AccessPointSettings::from_json(
                        Some(value),
                        &ptr,
                        &mut |v, p, msg| problems.push((v.clone(), p.to_string(), msg)),
                    );
                    for (v, p, msg) in problems {
                        self.error("INVALID_VALUE", msg, &v, &p, "");
                    }
                    match settings.map(|s| s.resolve(true)) {
                        Some(Ok(ap)) => access_point = ap,
                        Some(Err(e)) => self.error(
                            "INVALID_VALUE",
                            e.to_string(),
                            value,
                            &ptr,
                            crate::eval::access_point::ACCESS_POINT_HINT,
                        ),
                        None => {}
                    }
                }
                field if crate::batch::s3_state::FIELDS.contains(&field) => {
                    if let Err((msg, hint)) = crate::batch::s3_state::read(field, value, &mut s3) {
                        self.error("INVALID_VALUE", msg, value, &ptr, &hint);
                    }
                }
                "canonical_ids" => {
                    let Some(ids) = self.object(value, &ptr, "`canonical_ids`") else {
                        continue;
                    };
                    for id in ids {
                        let p = pointer::join(&ptr, &id.key);
                        if let Some(acct) = self.account(&id.value, &p, "canonical_ids") {
                            options.canonical_ids.push((id.key.to_string(), acct));
                        }
                    }
                }
                _ => {}
            }
        }
        // checked as the flags are (one rule); each problem at its field
        if let Err(problems) =
            s3.apply_each(&mut options, crate::eval::s3_settings::Spelling::Fields)
        {
            for (setting, d) in problems {
                let field = setting.field();
                let at = members
                    .iter()
                    .find(|m| m.key.as_str() == field)
                    .map_or(v, |m| &m.value);
                let ptr = pointer::join("/options", field);
                self.error(
                    "INVALID_VALUE",
                    d.message,
                    at,
                    &ptr,
                    d.hint.as_deref().unwrap_or(""),
                );
            }
        }
        options.access_point = access_point;
        (options, strict)
    }

    pub(super) fn account(&mut self, v: &Value, ptr: &str, field: &str) -> Option<String> {
        let s = self.string(v, ptr, field)?;
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Some(s);
        }
        self.error(
            "INVALID_VALUE",
            format!("`{s}` is not a 12-digit AWS account id"),
            v,
            ptr,
            "e.g. \"111122223333\"",
        );
        None
    }

    /// The request-template fields of an object (defaults or a case).
    pub(super) fn template(&mut self, v: &Value, ptr: &str) -> RequestTemplate {
        let mut t = RequestTemplate::default();
        if let Some(p) = v.get("principal") {
            let pp = pointer::join(ptr, "principal");
            if let Some(s) = self.string(p, &pp, "principal") {
                match Principal::parse(&s) {
                    Ok(_) => t.principal = Some(s),
                    Err(e) => self.error(
                        "INVALID_VALUE",
                        e.to_string(),
                        p,
                        &pp,
                        "e.g. \"arn:aws:iam::111122223333:user/app\" or \"anonymous\"",
                    ),
                }
            }
        }
        if let Some(a) = v.get("resource_account") {
            t.resource_account = self.account(
                a,
                &pointer::join(ptr, "resource_account"),
                "resource_account",
            );
        }
        if let Some(c) = v.get("context") {
            let cp = pointer::join(ptr, "context");
            if let Some(members) = self.object(c, &cp, "`context`") {
                for m in members {
                    match crate::batch::cases::context_value(&m.value) {
                        Some(value) => t.context.push((m.key.to_string(), value)),
                        None => self.error(
                            "INVALID_VALUE",
                            format!("context value of `{}` must be a string, number, boolean or an array of them, found {}", m.key, m.value.type_name()),
                            &m.value,
                            &pointer::join(&cp, &m.key),
                            "e.g. \"aws:SourceIp\": \"203.0.113.5\" or \"aws:TagKeys\": [\"a\", \"b\"]",
                        ),
                    }
                }
            }
        }
        if let Some(a) = v.get("at") {
            let ap = pointer::join(ptr, "at");
            if let Some(s) = self.string(a, &ap, "at") {
                match date::parse(&s) {
                    Some(i) if date::is_formattable(i) => t.at = Some(s),
                    Some(_) => self.error(
                        "INVALID_VALUE",
                        format!("`at` `{s}` is outside the years 0000 to 9999"),
                        a,
                        &ap,
                        "aws:CurrentTime is an ISO 8601 date with a four-digit year",
                    ),
                    None => self.error(
                        "INVALID_VALUE",
                        format!("`at` `{s}` is not a date"),
                        a,
                        &ap,
                        "use ISO 8601 (2025-01-31T12:00:00Z) or epoch seconds",
                    ),
                }
            }
        }
        if let Some(r) = v.get("region") {
            t.region = self.string(r, &pointer::join(ptr, "region"), "region");
        }
        if let Some(n) = v.get("service_linked_role") {
            t.service_linked_role = self
                .boolean(
                    n,
                    &pointer::join(ptr, "service_linked_role"),
                    "service_linked_role",
                )
                .unwrap_or(false);
        }
        if let Some(n) = v.get("no_defaults") {
            t.no_defaults = self
                .boolean(n, &pointer::join(ptr, "no_defaults"), "no_defaults")
                .unwrap_or(false);
        }
        t
    }
}

/// The closest allowed word: by edit distance, else one of the same stem
/// (`denied` → `deny`, `policy` → `policies`).
pub(super) fn suggest<'a>(word: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let head = |s: &str| {
        s.get(..s.len().saturating_sub(1))
            .unwrap_or_default()
            .to_string()
    };
    did_you_mean(word, allowed.iter().copied()).or_else(|| {
        allowed.iter().copied().find(|c| {
            let (hc, hw) = (head(c), head(&lower));
            (hc.len() >= 3 && lower.starts_with(&hc)) || (hw.len() >= 4 && c.starts_with(&hw))
        })
    })
}

pub(super) fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
