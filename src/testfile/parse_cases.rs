//! Reading the `cases` of a test file: request cases, `cannot` proofs and
//! `run` commands, each with only the fields of its kind.

use super::checker::{CommandOutcome, ProofQuery, RunQuery};
use super::model::{Check, Expect, TestCase};
use super::parse::{Parser, CANNOT_FIELDS, OUTCOMES, REQUEST_FIELDS, RUN_FIELDS};
use super::patterns::{check_action_pattern, check_resource_pattern};
use super::request::{check_request, RequestSpec, RequestTemplate};
use super::words::shell_words;
use crate::json::{pointer, Value};

impl Parser {
    pub(super) fn cases(&mut self, v: &Value, defaults: &RequestTemplate) -> Vec<TestCase> {
        let Some(items) = v.as_array() else {
            self.error(
                "INVALID_VALUE",
                format!("`cases` must be an array, found {}", v.type_name()),
                v,
                "/cases",
                "",
            );
            return Vec::new();
        };
        if items.is_empty() {
            self.error(
                "INVALID_VALUE",
                "`cases` is empty: a test file without cases tests nothing".into(),
                v,
                "/cases",
                "",
            );
        }
        let mut cases: Vec<TestCase> = Vec::new();
        let mut names: Vec<(String, String)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let ptr = format!("/cases/{i}");
            let Some(name) = self.case_name(item, &ptr) else {
                continue;
            };
            let loc = self.file.location(item.span.start);
            if let Some((_, first)) = names.iter().find(|(n, _)| *n == name) {
                let msg = format!("two cases are named `{name}` (the first at {first})");
                let at = item.get("name").unwrap_or(item);
                self.error(
                    "DUPLICATE_CASE_NAME",
                    msg,
                    at,
                    &pointer::join(&ptr, "name"),
                    "case names identify failures in reports: make each unique",
                );
            }
            names.push((
                name.clone(),
                format!("{}:{}:{}", self.file.name(), loc.line, loc.column),
            ));
            if let Some(check) = self.case_check(item, &ptr, defaults) {
                cases.push(TestCase {
                    name,
                    location: loc,
                    pointer: ptr,
                    check,
                });
            }
        }
        cases
    }

    fn case_name(&mut self, item: &Value, ptr: &str) -> Option<String> {
        self.object(item, ptr, "a case")?;
        match item.get("name") {
            Some(n) => self.string(n, &pointer::join(ptr, "name"), "name"),
            None => {
                self.missing(
                    item,
                    ptr,
                    "name",
                    "the case",
                    "name it after what it guarantees: \"the app cannot delete the bucket\"",
                );
                None
            }
        }
    }

    fn case_check(&mut self, item: &Value, ptr: &str, defaults: &RequestTemplate) -> Option<Check> {
        let members = item.as_object()?;
        let kinds: Vec<&str> = ["action", "cannot", "run"]
            .into_iter()
            .filter(|k| item.get(k).is_some())
            .collect();
        let (fields, what) = match kinds.as_slice() {
            ["action"] => (REQUEST_FIELDS, "a request case"),
            ["cannot"] => (CANNOT_FIELDS, "a `cannot` case"),
            ["run"] => (RUN_FIELDS, "a `run` case"),
            [] => {
                let all: Vec<&str> = REQUEST_FIELDS
                    .iter()
                    .chain(CANNOT_FIELDS)
                    .chain(RUN_FIELDS)
                    .copied()
                    .collect();
                self.known_fields(members, ptr, &all, "a case");
                self.error(
                    "MISSING_FIELD",
                    "the case has none of `action` (a request), `cannot` (a proof) or `run` (an AWS CLI command)".into(),
                    item,
                    ptr,
                    "e.g. {\"name\": \"…\", \"action\": \"s3:DeleteBucket\", \"resource\": \"arn:aws:s3:::prod\", \"expect\": \"deny\"}",
                );
                return None;
            }
            several => {
                self.error(
                    "INVALID_VALUE",
                    format!(
                        "the case has {}: write one case for each",
                        several
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ),
                    item,
                    ptr,
                    "a case is a request (`action`), a proof (`cannot`) or an AWS CLI command (`run`)",
                );
                return None;
            }
        };
        self.known_fields(members, ptr, fields, what);
        let own = self.template(item, ptr);
        let mut template = defaults.overlay(&own);
        if item.get("no_defaults").is_some() {
            // a case may turn `no_defaults` of the defaults off again
            template.no_defaults = own.no_defaults;
        }
        if item.get("action").is_some() {
            self.request_case(item, ptr, template)
        } else if item.get("cannot").is_some() {
            self.cannot_case(item, ptr, template)
        } else {
            self.run_case(item, ptr, template)
        }
    }

    fn required<'v>(
        &mut self,
        item: &'v Value,
        ptr: &str,
        field: &str,
        hint: &str,
    ) -> Option<(&'v Value, String)> {
        match item.get(field) {
            Some(v) => {
                let fp = pointer::join(ptr, field);
                self.string(v, &fp, field).map(|s| (v, s))
            }
            None => {
                self.missing(item, ptr, field, "the case", hint);
                None
            }
        }
    }

    /// The case's `expect`, one of `allowed`, as `parse` reads it; `None`
    /// (and an error) when it is missing or not one of them.
    fn expect<T>(
        &mut self,
        item: &Value,
        ptr: &str,
        allowed: &[&str],
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        match item.get("expect") {
            Some(e) => self
                .one_of(e, &pointer::join(ptr, "expect"), "expect", allowed)
                .and_then(|s| parse(&s)),
            None => {
                let quoted: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
                let hint = format!("one of {}", quoted.join(", "));
                self.missing(item, ptr, "expect", "the case", &hint);
                None
            }
        }
    }

    fn request_case(
        &mut self,
        item: &Value,
        ptr: &str,
        template: RequestTemplate,
    ) -> Option<Check> {
        let action = self.required(item, ptr, "action", "");
        let resource = self.required(
            item,
            ptr,
            "resource",
            "e.g. \"arn:aws:s3:::bucket\", \"arn:aws:s3:::bucket/key\", or \"*\" for s3:ListAllMyBuckets",
        );
        let expect = self.expect(item, ptr, &Expect::ALL, Expect::parse);
        let ((av, action), (rv, resource)) = (action?, resource?);
        if let Err(problem) = check_request(&action, &resource) {
            let at = if problem.field == "action" { av } else { rv };
            self.error(
                "INVALID_REQUEST",
                problem.message,
                at,
                &pointer::join(ptr, problem.field),
                &problem.hint,
            );
            return None;
        }
        Some(Check::Request {
            spec: RequestSpec {
                action,
                resource,
                template,
            },
            expect: expect?,
        })
    }

    fn cannot_case(&mut self, item: &Value, ptr: &str, template: RequestTemplate) -> Option<Check> {
        let cannot = self.required(item, ptr, "cannot", "");
        let on = self.required(
            item,
            ptr,
            "on",
            "the resources the proof covers, e.g. \"arn:aws:s3:::*\" or \"arn:aws:s3:::prod*\"",
        );
        let ((cv, actions), (ov, resources)) = (cannot?, on?);
        let mut ok = true;
        if let Err((msg, hint)) = check_action_pattern(&actions) {
            self.error(
                "INVALID_PATTERN",
                msg,
                cv,
                &pointer::join(ptr, "cannot"),
                &hint,
            );
            ok = false;
        }
        if let Err((msg, hint)) = check_resource_pattern(&resources) {
            self.error("INVALID_PATTERN", msg, ov, &pointer::join(ptr, "on"), &hint);
            ok = false;
        }
        ok.then_some(Check::Cannot(ProofQuery {
            actions,
            resources,
            principal: template.principal,
            resource_account: template.resource_account,
        }))
    }

    fn run_case(&mut self, item: &Value, ptr: &str, template: RequestTemplate) -> Option<Check> {
        let run = self.required(item, ptr, "run", "");
        let expect = self.expect(item, ptr, OUTCOMES, CommandOutcome::parse);
        let mut keys = Vec::new();
        if let Some(k) = item.get("keys") {
            let kp = pointer::join(ptr, "keys");
            match k.as_array() {
                Some(items) if !items.is_empty() => {
                    for (i, key) in items.iter().enumerate() {
                        if let Some(s) = self.string(key, &format!("{kp}/{i}"), "keys") {
                            keys.push(s);
                        }
                    }
                }
                _ => self.error(
                    "INVALID_VALUE",
                    "`keys` must be a non-empty array of object keys".into(),
                    k,
                    &kp,
                    "e.g. [\"uploads/a.png\", \"uploads/b.png\"]",
                ),
            }
        }
        let (rv, command) = run?;
        let words = match shell_words(&command) {
            Ok(w) => w,
            Err(msg) => {
                self.error("INVALID_COMMAND", msg, rv, &pointer::join(ptr, "run"), "");
                return None;
            }
        };
        let is_s3 = matches!(
            words.as_slice(),
            [aws, s3, _, ..] if aws == "aws" && s3 == "s3"
        );
        if !is_s3 {
            self.error(
                "INVALID_COMMAND",
                format!("`{command}` is not an `aws s3` command"),
                rv,
                &pointer::join(ptr, "run"),
                "write a high-level AWS CLI command: aws s3 ls|cp|mv|rm|sync|mb|rb|presign|website …",
            );
            return None;
        }
        Some(Check::Run {
            query: RunQuery {
                command,
                words,
                keys,
                template,
            },
            expect: expect?,
        })
    }
}
