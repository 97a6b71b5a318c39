//! Building a request the way `s3guard can` does: the caller parsed, the
//! keys AWS derives from it, and the defaults s3guard assumes unless told
//! not to (`aws:SecureTransport` true, `aws:CurrentTime`/`aws:EpochTime` now,
//! `aws:ViaAWSService` false for IAM callers, the resource account). Every
//! command, the test-file runner, the prover and library users build their
//! requests here, so a [`Request`] means the same thing everywhere.
//!
//! ```
//! use s3guard::RequestBuilder;
//!
//! let req = RequestBuilder::new()
//!     .principal("arn:aws:iam::111122223333:user/app")
//!     .context("aws:SourceIp", "203.0.113.9")
//!     .build("s3:GetObject", "arn:aws:s3:::media/cat.png")?;
//! let value = |key: &str| req.context.get_lower(key).map(|e| e.value.values().to_vec());
//! assert_eq!(value("aws:securetransport"), Some(vec!["true".to_string()]));
//! assert_eq!(value("aws:username"), Some(vec!["app".to_string()]));
//! # Ok::<(), Vec<s3guard::Diagnostic>>(())
//! ```

use std::sync::Arc;

use crate::condition::date;
use crate::diagnostic::Diagnostic;
use crate::eval::acl::Acl;
use crate::json::{self, SourceFile};
use crate::request::context::{ContextValue, Origin};
use crate::request::{Principal, Request};

/// Who asks, and in which context: everything of a request but its action
/// and resource, with the defaults `s3guard can` applies. Build as many
/// requests from one builder as needed ([`RequestBuilder::build`]).
///
/// Inputs are kept as text and checked by `build`, which reports every
/// problem at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestBuilder {
    principal: Option<String>,
    resource_account: Option<String>,
    context: Vec<String>,
    context_files: Vec<String>,
    principal_tags: Vec<String>,
    at: Option<String>,
    region: Option<String>,
    vpce: Option<String>,
    service_linked_role: bool,
    object_acl: Option<Acl>,
    bucket_acl: Option<Acl>,
    no_defaults: bool,
    allow_unknown_action: bool,
}

impl RequestBuilder {
    /// A builder with no caller (`Principal::Unspecified`) and every default on.
    pub fn new() -> Self {
        Self::default()
    }

    /// The caller: an IAM user, role or assumed-role session ARN, an account
    /// root ARN, a service principal (`cloudtrail.amazonaws.com`) or `anonymous`.
    pub fn principal(mut self, principal: impl Into<String>) -> Self {
        self.principal = Some(principal.into());
        self
    }

    /// The account that owns the resource (default: the caller's account).
    pub fn resource_account(mut self, account: impl Into<String>) -> Self {
        self.resource_account = Some(account.into());
        self
    }

    /// A context key and its value; repeating a key makes it multi-valued.
    pub fn context(mut self, key: &str, value: &str) -> Self {
        self.context.push(format!("{key}={value}"));
        self
    }

    /// A context entry written `KEY=VALUE`, as `--context` takes it.
    pub fn context_entry(mut self, entry: impl Into<String>) -> Self {
        self.context.push(entry.into());
        self
    }

    /// Context keys from a JSON object file
    /// (`{"aws:SourceIp": "203.0.113.5", "aws:TagKeys": ["a", "b"]}`).
    pub fn context_file(mut self, path: impl Into<String>) -> Self {
        self.context_files.push(path.into());
        self
    }

    /// A tag of the caller, written `KEY=VALUE` (sets `aws:PrincipalTag/KEY`).
    pub fn principal_tag(mut self, entry: impl Into<String>) -> Self {
        self.principal_tags.push(entry.into());
        self
    }

    /// The time of the request (ISO 8601 or epoch seconds; default: now).
    pub fn at(mut self, time: impl Into<String>) -> Self {
        self.at = Some(time.into());
        self
    }

    /// The region of the request (`aws:RequestedRegion`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The VPC endpoint the request comes through (sets `aws:SourceVpce`).
    pub fn vpce(mut self, endpoint: impl Into<String>) -> Self {
        self.vpce = Some(endpoint.into());
        self
    }

    /// Whether the caller is (a session of) a service-linked role, which
    /// SCPs and RCPs do not restrict (E-4). Needed for session ARNs, which
    /// drop the role's `aws-service-role/` path.
    pub fn service_linked_role(mut self, yes: bool) -> Self {
        self.service_linked_role = yes;
        self
    }

    /// The ACLs of the object and of the bucket: a request that sets one
    /// (`PutObject`, `PutObjectAcl` the object's; `PutBucketAcl`,
    /// `CreateBucket` the bucket's) carries it in its headers, the condition
    /// keys `s3:x-amz-acl` and `s3:x-amz-grant-*` (E-20). Keys given in the
    /// context win.
    pub fn acls(mut self, object: Option<Acl>, bucket: Option<Acl>) -> Self {
        self.object_acl = object;
        self.bucket_acl = bucket;
        self
    }

    /// Fill in nothing: the context is exactly what was given (as `eval --cases`).
    pub fn no_defaults(mut self, no_defaults: bool) -> Self {
        self.no_defaults = no_defaults;
        self
    }

    /// Evaluate an action that s3guard's catalog does not have. Without
    /// this, [`build`](Self::build) rejects it: a typo such as
    /// `s3:DeleteBuckets` would otherwise be answered "denied" by accident.
    pub fn allow_unknown_action(mut self, allow: bool) -> Self {
        self.allow_unknown_action = allow;
        self
    }

    /// Whether defaults are filled in.
    pub fn fills_defaults(&self) -> bool {
        !self.no_defaults
    }

    /// The time of the request, if one was given; an error if it is not a date.
    pub(crate) fn time(&self) -> Result<Option<date::Instant>, Box<Diagnostic>> {
        request_time(self.at.as_deref())
    }

    /// Builds the request for an action and a resource: parses the principal,
    /// fills in what AWS derives and the defaults (unless `no_defaults`),
    /// adds the context, context files and principal tags.
    pub fn build(&self, action: &str, resource: &str) -> Result<Request, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut req = match Request::new(action, resource) {
            Ok(r) => r,
            Err(e) => {
                errors.push(bad(e.to_string(), match e {
                    crate::request::RequestError::Action(_) => "write the action as service:Name, e.g. s3:GetObject",
                    _ => "S3 resources look like arn:aws:s3:::bucket or arn:aws:s3:::bucket/key; use * for actions such as s3:ListAllMyBuckets",
                }));
                return Err(errors);
            }
        };
        if !self.allow_unknown_action {
            if let Some(u) = crate::catalog::unknown_action(&req.action) {
                errors.push(
                    Diagnostic::error("UNKNOWN_ACTION", u.message(&req.action)).with_hint(format!(
                        "{} (--allow-unknown-action evaluates it anyway)",
                        u.hint(&req.action)
                    )),
                );
            }
        }
        if let Some(p) = &self.principal {
            match Principal::parse(p) {
                Ok(p) => req.principal = p,
                Err(e) => errors.push(bad(
                    e.to_string(),
                    "e.g. --principal arn:aws:iam::111122223333:user/app",
                )),
            }
        }
        req.is_service_linked_role = self.service_linked_role;
        if let Some(a) = &self.resource_account {
            if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
                errors.push(bad(
                    format!("--resource-account `{a}` is not a 12-digit account id"),
                    "e.g. --resource-account 111122223333",
                ));
            } else if let Some(owner) = req.arn_account().filter(|o| o != a) {
                errors.push(bad(
                    format!("--resource-account `{a}` disagrees with the resource ARN, which names account `{owner}` as its owner"),
                    "an access point ARN names its owner's account: leave out --resource-account",
                ));
            } else {
                req.resource_account = Some(a.clone());
            }
        }
        for file in &self.context_files {
            if let Err(mut d) = read_context_file(file, &mut req) {
                errors.append(&mut d);
            }
        }
        for item in &self.context {
            match item.split_once('=') {
                Some((k, v)) if !k.is_empty() => req.context.push(k, v.to_string(), Origin::Given),
                _ => errors.push(bad(
                    format!("--context `{item}` is not KEY=VALUE"),
                    "e.g. --context aws:SourceIp=203.0.113.5",
                )),
            }
        }
        if let Some(v) = &self.vpce {
            req.context.set("aws:SourceVpce", v.as_str(), Origin::Given);
        }
        crate::eval::acl::set_header_keys(
            &mut req,
            self.object_acl.as_ref(),
            self.bucket_acl.as_ref(),
        );
        for item in &self.principal_tags {
            match item.split_once('=') {
                Some((k, v)) if !k.is_empty() => {
                    req.context
                        .set(&format!("aws:PrincipalTag/{k}"), v, Origin::Given)
                }
                _ => errors.push(bad(
                    format!("--principal-tag `{item}` is not KEY=VALUE"),
                    "e.g. --principal-tag team=web",
                )),
            }
        }
        for c in req.principal.context_conflicts(&req.context) {
            errors.push(bad(
                c.message(&req.principal),
                "leave the key out: s3guard fills in what AWS sends for the caller (spec E-7)",
            ));
        }
        let instant = match self.time() {
            Ok(i) => i,
            Err(d) => {
                errors.push(*d);
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        if !self.no_defaults {
            self.apply_defaults(&mut req, instant);
        }
        Ok(req)
    }

    /// Fills in what AWS derives from the caller and the defaults of `can`
    /// (secure transport, the time, the resource account), leaving given keys.
    pub(crate) fn apply_defaults(&self, req: &mut Request, at: Option<date::Instant>) {
        req.principal.clone().derive_context(&mut req.context);
        let ctx = &mut req.context;
        let single = |s: String| ContextValue::Single(s);
        ctx.set_default(
            "aws:SecureTransport",
            single("true".into()),
            Origin::Default,
        );
        let (instant, origin) = match at {
            Some(i) => (i, Origin::Given),
            None => (now(), Origin::Default),
        };
        ctx.set_default(
            "aws:CurrentTime",
            single(date::format(instant)),
            origin.clone(),
        );
        ctx.set_default(
            "aws:EpochTime",
            single(instant.div_euclid(1_000_000_000).to_string()),
            origin,
        );
        if req.principal.is_iam() {
            ctx.set_default("aws:ViaAWSService", single("false".into()), Origin::Default);
        }
        if let Some(r) = &self.region {
            ctx.set_default("aws:RequestedRegion", single(r.clone()), Origin::Given);
        }
        if let Some(acct) = req.effective_resource_account().map(str::to_string) {
            req.context
                .set_default("aws:ResourceAccount", single(acct.clone()), Origin::Derived);
            if req.action.service() == "s3" {
                req.context
                    .set_default("s3:ResourceAccount", single(acct), Origin::Derived);
            }
        }
    }
}

fn bad(message: String, hint: &str) -> Diagnostic {
    Diagnostic::error("INVALID_ARGUMENT", message).with_hint(hint)
}

/// The current time.
pub(crate) fn now() -> date::Instant {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i128::from(d.as_secs()) * 1_000_000_000)
        .unwrap_or(0)
}

/// The time of `at`, if given.
fn request_time(at: Option<&str>) -> Result<Option<date::Instant>, Box<Diagnostic>> {
    match at {
        Some(t) => match date::parse(t) {
            Some(i) if date::is_formattable(i) => Ok(Some(i)),
            Some(_) => Err(Box::new(bad(
                format!("--at `{t}` is outside the years 0000 to 9999"),
                "aws:CurrentTime is an ISO 8601 date with a four-digit year; use a time in that range",
            ))),
            None => Err(Box::new(bad(
                format!("--at `{t}` is not a date"),
                "use ISO 8601 (2025-01-31T12:00:00Z) or epoch seconds",
            ))),
        },
        None => Ok(None),
    }
}

fn read_context_file(path: &str, req: &mut Request) -> Result<(), Vec<Diagnostic>> {
    let file = Arc::new(
        SourceFile::read_as(path, crate::json::InputKind::ContextFile).map_err(|d| vec![*d])?,
    );
    let parsed = json::parse(file.text()).map_err(|e| {
        vec![Diagnostic::error("JSON_SYNTAX_ERROR", e.message)
            .in_file(file.name())
            .at(file.location(u32::try_from(e.offset).unwrap_or(u32::MAX)))]
    })?;
    let mut errors: Vec<Diagnostic> = parsed
        .duplicates
        .iter()
        .map(|d| {
            Diagnostic::error(
                "JSON_SYNTAX_ERROR",
                format!("duplicate context key `{}`", d.key),
            )
            .in_file(file.name())
            .at(file.location(d.second.start))
            .with_pointer(json::pointer::join(&d.object_pointer, &d.key))
        })
        .collect();
    let Some(members) = parsed.value.as_object() else {
        return Err(vec![Diagnostic::error(
            "INVALID_CONTEXT",
            format!(
                "a context file must be a JSON object, found {}",
                parsed.value.type_name()
            ),
        )
        .in_file(file.name())
        .at(file.location(parsed.value.span.start))
        .with_hint(
            "write {\"aws:SourceIp\": \"203.0.113.5\", \"aws:TagKeys\": [\"a\", \"b\"]}",
        )]);
    };
    let mut values = Vec::with_capacity(members.len());
    for m in members {
        match crate::batch::cases::context_value(&m.value) {
            Some(v) => values.push((m.key.to_string(), v, Origin::Given)),
            None => errors.push(
                Diagnostic::error(
                    "INVALID_CONTEXT",
                    format!(
                        "value of `{}` must be a string, number, boolean or an array of them",
                        m.key
                    ),
                )
                .in_file(file.name())
                .at(file.location(m.value.span.start))
                .with_pointer(json::pointer::join("", &m.key)),
            ),
        }
    }
    req.context.extend(values);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
