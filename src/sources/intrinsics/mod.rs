//! CloudFormation intrinsic functions, resolved where the template (and
//! `--param`) says what they are: `Ref` to parameters with defaults,
//! pseudo parameters and resources with literal names, `Fn::GetAtt` of
//! buckets, roles, users, groups and managed policies, `Fn::Sub`,
//! `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If` (with the template's
//! conditions), `Fn::FindInMap`, `Fn::Base64`. Anything else is reported
//! as unknown at its place: s3guard never guesses a value.

use base64::Engine as _;

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::json::{Kind, Member, Span, Value};

/// Deepest chain of references followed (a cycle guard).
const MAX_DEPTH: usize = 32;

/// A resolved value.
#[derive(Debug, Clone)]
pub(super) enum R {
    /// A value without intrinsic functions.
    Val(Value),
    /// `AWS::NoValue`: the property is absent.
    NoValue,
    /// Not known offline (already reported).
    Unknown,
}

pub(super) struct Resolver<'a, 'c> {
    ctx: &'a Ctx<'c>,
    depth: usize,
    /// Every unknown value and template error met.
    pub errors: Vec<Diagnostic>,
}

fn string(s: impl Into<String>, span: Span) -> Value {
    Value {
        kind: Kind::String(s.into().into()),
        span,
    }
}

/// The function name and argument of `{"Fn::X": arg}` / `{"Ref": arg}`.
pub(super) fn intrinsic(v: &Value) -> Option<(&str, &Value)> {
    match v.as_object()? {
        [m] if m.key == "Ref" || m.key.starts_with("Fn::") || m.key == "Condition" => {
            Some((m.key.as_str(), &m.value))
        }
        _ => None,
    }
}

/// A resolved scalar as text.
fn text(v: &Value) -> Option<String> {
    v.scalar_text()
}

impl<'a, 'c> Resolver<'a, 'c> {
    pub fn new(ctx: &'a Ctx<'c>) -> Self {
        Resolver {
            ctx,
            depth: 0,
            errors: Vec::new(),
        }
    }

    fn template(&self) -> &'c Value {
        self.ctx.root
    }

    fn resource(&self, logical: &str) -> Option<&'c Value> {
        self.template().get("Resources")?.get(logical)
    }

    fn unknown(&mut self, at: &Value, message: String, hint: String) -> R {
        self.errors.push(
            self.ctx
                .error_at("UNKNOWN_VALUE", message, at)
                .with_hint(hint),
        );
        R::Unknown
    }

    fn invalid(&mut self, at: &Value, message: String) -> R {
        self.errors
            .push(self.ctx.error_at("INVALID_INTRINSIC", message, at));
        R::Unknown
    }

    /// Resolves every intrinsic function inside `v`.
    pub fn resolve(&mut self, v: &Value) -> R {
        if let Some((name, arg)) = intrinsic(v) {
            if name != "Condition" {
                return self.function(name, arg, v);
            }
        }
        match &v.kind {
            Kind::Object(members) => {
                let out = self.resolve_each(
                    members,
                    |m| &m.value,
                    |m, x| Member {
                        key: m.key.clone(),
                        key_span: m.key_span,
                        value: x,
                    },
                );
                out.map_or(R::Unknown, |out| {
                    R::Val(Value {
                        kind: Kind::Object(out),
                        span: v.span,
                    })
                })
            }
            Kind::Array(items) => {
                let out = self.resolve_each(items, |i| i, |_, x| x);
                out.map_or(R::Unknown, |out| {
                    R::Val(Value {
                        kind: Kind::Array(out),
                        span: v.span,
                    })
                })
            }
            _ => R::Val(v.clone()),
        }
    }

    /// Resolves each of `items` (`value` picks its value) and keeps the
    /// resolved ones, made by `keep`, leaving out `AWS::NoValue`; `None`
    /// when any is unknown (every one is still resolved).
    fn resolve_each<T, U>(
        &mut self,
        items: &[T],
        value: impl Fn(&T) -> &Value,
        keep: impl Fn(&T, Value) -> U,
    ) -> Option<Vec<U>> {
        let mut out = Vec::with_capacity(items.len());
        let mut unknown = false;
        for item in items {
            match self.resolve(value(item)) {
                R::Val(x) => out.push(keep(item, x)),
                R::NoValue => {}
                R::Unknown => unknown = true,
            }
        }
        (!unknown).then_some(out)
    }

    /// Resolves to one string (scalars as text).
    pub fn resolve_string(&mut self, v: &Value) -> Option<String> {
        match self.resolve(v) {
            R::Val(x) => match text(&x) {
                Some(s) => Some(s),
                None => {
                    self.invalid(v, format!("expected a string, found {}", x.type_name()));
                    None
                }
            },
            _ => None,
        }
    }

    fn nested<T>(&mut self, at: &Value, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        if self.depth >= MAX_DEPTH {
            self.invalid(at, "references nest too deep (a cycle?)".into());
            return None;
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn function(&mut self, name: &str, arg: &Value, at: &Value) -> R {
        match name {
            "Ref" => match arg.as_str() {
                Some(n) => self.reference(n, at),
                None => self.invalid(at, "`Ref` takes a name".into()),
            },
            "Fn::GetAtt" => {
                let parts: Option<(String, String)> = match &arg.kind {
                    Kind::String(s) => s
                        .split_once('.')
                        .map(|(a, b)| (a.to_string(), b.to_string())),
                    Kind::Array(items) => match items.as_slice() {
                        [l, a] => match (l.as_str(), self.resolve_string(a)) {
                            (Some(l), Some(a)) => Some((l.to_string(), a)),
                            _ => None,
                        },
                        _ => None,
                    },
                    _ => None,
                };
                match parts {
                    Some((l, a)) => self.get_att(&l, &a, at),
                    None => self.invalid(
                        at,
                        "`Fn::GetAtt` takes [LogicalId, Attribute] or \"LogicalId.Attribute\""
                            .into(),
                    ),
                }
            }
            "Fn::Sub" => self.sub(arg, at),
            "Fn::Join" => self.join(arg, at),
            "Fn::Select" => self.select(arg, at),
            "Fn::Split" => self.split(arg, at),
            "Fn::If" => self.if_(arg, at),
            "Fn::FindInMap" => self.find_in_map(arg, at),
            "Fn::Base64" => match self.resolve_string(arg) {
                Some(s) => R::Val(string(
                    base64::engine::general_purpose::STANDARD.encode(s),
                    at.span,
                )),
                None => R::Unknown,
            },
            other => {
                let what = match other {
                    "Fn::ImportValue" => "another stack's export",
                    "Fn::GetAZs" => "the region's availability zones",
                    "Fn::Cidr" => "computed CIDR blocks",
                    _ => "a value computed at deployment",
                };
                self.unknown(
                    at,
                    format!("`{other}` is {what}; s3guard cannot know it offline"),
                    "select another policy, or replace the value in a copy of the template".into(),
                )
            }
        }
    }

    /// The partition (`aws` unless `--param` says otherwise or the region is in China or GovCloud).
    pub fn partition(&self) -> String {
        if let Some(p) = self.ctx.params.get("AWS::Partition") {
            return p.to_string();
        }
        match self.ctx.params.get("AWS::Region") {
            Some(r) if r.starts_with("cn-") => "aws-cn".into(),
            Some(r) if r.starts_with("us-gov-") => "aws-us-gov".into(),
            _ => "aws".into(),
        }
    }

    fn reference(&mut self, name: &str, at: &Value) -> R {
        if let Some(v) = self.ctx.params.get(name) {
            return R::Val(self.parameter_value(name, v, at.span));
        }
        match name {
            "AWS::NoValue" => return R::NoValue,
            "AWS::Partition" => return R::Val(string(self.partition(), at.span)),
            "AWS::URLSuffix" => {
                let s = if self.partition() == "aws-cn" {
                    "amazonaws.com.cn"
                } else {
                    "amazonaws.com"
                };
                return R::Val(string(s, at.span));
            }
            "AWS::AccountId"
            | "AWS::Region"
            | "AWS::StackName"
            | "AWS::StackId"
            | "AWS::NotificationARNs" => {
                let example = match name {
                    "AWS::AccountId" => "111122223333",
                    "AWS::Region" => "us-east-1",
                    _ => "VALUE",
                };
                return self.unknown(
                    at,
                    format!("`{name}` depends on where the stack is deployed"),
                    format!("give it: --param {name}={example}"),
                );
            }
            _ => {}
        }
        if let Some(p) = self.template().get("Parameters").and_then(|p| p.get(name)) {
            return match p.get("Default") {
                Some(d) => match text(d) {
                    Some(s) => R::Val(self.parameter_value(name, &s, d.span)),
                    // not a literal: the template is invalid, reported at
                    // the Default by the check every template load runs first
                    None => R::Unknown,
                },
                None => self.unknown(
                    at,
                    format!("parameter `{name}` has no Default"),
                    format!("give its value: --param {name}=VALUE"),
                ),
            };
        }
        if self.resource(name).is_some() {
            return match self.nested(at, |r| r.ref_value(name, at)) {
                Some(s) => R::Val(string(s, at.span)),
                None => R::Unknown,
            };
        }
        self.invalid(
            at,
            format!(
                "`Ref` to `{name}`, which is neither a parameter nor a resource of the template"
            ),
        )
    }

    /// A parameter's value: list types split on commas.
    fn parameter_value(&self, name: &str, value: &str, span: Span) -> Value {
        let is_list = self
            .template()
            .get("Parameters")
            .and_then(|p| p.get(name))
            .and_then(|p| p.get("Type"))
            .and_then(Value::as_str)
            .is_some_and(|t| t.contains("List"));
        if is_list {
            Value {
                kind: Kind::Array(value.split(',').map(|s| string(s.trim(), span)).collect()),
                span,
            }
        } else {
            string(value, span)
        }
    }

    fn prop(&self, logical: &str, key: &str) -> Option<&'c Value> {
        self.resource(logical)?.get("Properties")?.get(key)
    }

    fn rtype(&self, logical: &str) -> &'c str {
        self.resource(logical)
            .and_then(|r| r.get("Type"))
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The name a resource's `Ref` returns, when the template fixes it.
    fn ref_value(&mut self, logical: &str, at: &Value) -> Option<String> {
        if let Some(v) = self.ctx.params.get(logical) {
            return Some(v.to_string());
        }
        let ty = self.rtype(logical);
        let name_prop = match ty {
            "AWS::S3::Bucket" => "BucketName",
            "AWS::IAM::Role" => "RoleName",
            "AWS::IAM::User" => "UserName",
            "AWS::IAM::Group" => "GroupName",
            "AWS::IAM::ManagedPolicy" => return self.managed_policy_arn(logical, at),
            _ => {
                self.unknown(
                    at,
                    format!("`Ref` of `{logical}` ({ty}) is known only after deployment"),
                    format!("give it: --param {logical}=VALUE"),
                );
                return None;
            }
        };
        match self.prop(logical, name_prop) {
            Some(v) => self.resolve_string(v),
            None => {
                self.unknown(
                    at,
                    format!("`{logical}` has no `{name_prop}`: CloudFormation generates its name at deployment"),
                    format!("give the deployed name: --param {logical}=NAME"),
                );
                None
            }
        }
    }

    fn account(&mut self, at: &Value) -> Option<String> {
        match self.reference("AWS::AccountId", at) {
            R::Val(v) => text(&v),
            _ => None,
        }
    }

    fn iam_arn(&mut self, logical: &str, kind: &str, at: &Value) -> Option<String> {
        let name = self.nested(at, |r| r.ref_value(logical, at))?;
        let path = match self.prop(logical, "Path") {
            Some(p) => self.resolve_string(p)?,
            None => "/".into(),
        };
        let account = self.account(at)?;
        Some(format!(
            "arn:{}:iam::{account}:{kind}{path}{name}",
            self.partition()
        ))
    }

    fn managed_policy_arn(&mut self, logical: &str, at: &Value) -> Option<String> {
        let Some(n) = self.prop(logical, "ManagedPolicyName") else {
            self.unknown(
                at,
                format!("`{logical}` has no `ManagedPolicyName`: CloudFormation generates its ARN at deployment"),
                format!("give it: --param {logical}=ARN"),
            );
            return None;
        };
        let name = self.resolve_string(n)?;
        let path = match self.prop(logical, "Path") {
            Some(p) => self.resolve_string(p)?,
            None => "/".into(),
        };
        let account = self.account(at)?;
        Some(format!(
            "arn:{}:iam::{account}:policy{path}{name}",
            self.partition()
        ))
    }

    fn get_att(&mut self, logical: &str, attr: &str, at: &Value) -> R {
        if let Some(v) = self.ctx.params.get(&format!("{logical}.{attr}")) {
            return R::Val(string(v, at.span));
        }
        if self.resource(logical).is_none() {
            return self.invalid(
                at,
                format!("`Fn::GetAtt` of `{logical}`, which is not a resource of the template"),
            );
        }
        let ty = self.rtype(logical);
        let s = match (ty, attr) {
            ("AWS::S3::Bucket", "Arn") => self
                .nested(at, |r| r.ref_value(logical, at))
                .map(|b| format!("arn:{}:s3:::{b}", self.partition())),
            ("AWS::IAM::Role", "Arn") => self.iam_arn(logical, "role", at),
            ("AWS::IAM::User", "Arn") => self.iam_arn(logical, "user", at),
            ("AWS::IAM::Group", "Arn") => self.iam_arn(logical, "group", at),
            ("AWS::IAM::ManagedPolicy", "PolicyArn") => {
                self.nested(at, |r| r.managed_policy_arn(logical, at))
            }
            _ => {
                return self.unknown(
                    at,
                    format!(
                        "attribute `{attr}` of `{logical}` ({ty}) is known only after deployment"
                    ),
                    format!("give it: --param {logical}.{attr}=VALUE"),
                )
            }
        };
        match s {
            Some(s) => R::Val(string(s, at.span)),
            None => R::Unknown,
        }
    }

    fn sub(&mut self, arg: &Value, at: &Value) -> R {
        let (template, vars): (&Value, &[Member]) = match &arg.kind {
            Kind::String(_) => (arg, &[]),
            Kind::Array(items) => match items.as_slice() {
                [t, v] => (t, v.as_object().unwrap_or_default()),
                _ => {
                    return self.invalid(
                        at,
                        "`Fn::Sub` takes a string or [string, {variables}]".into(),
                    )
                }
            },
            _ => {
                return self.invalid(
                    at,
                    "`Fn::Sub` takes a string or [string, {variables}]".into(),
                )
            }
        };
        let Some(t) = template.as_str() else {
            return self.invalid(at, "the template of `Fn::Sub` must be a string".into());
        };
        let mut out = String::new();
        let mut rest = t;
        let mut ok = true;
        while let Some(pos) = rest.find("${") {
            out.push_str(rest.get(..pos).unwrap_or_default());
            let after = rest.get(pos + 2..).unwrap_or_default();
            if let Some(lit) = after.strip_prefix('!') {
                out.push_str("${");
                rest = lit;
                continue;
            }
            let Some(end) = after.find('}') else {
                out.push_str(rest.get(pos..).unwrap_or_default());
                rest = "";
                break;
            };
            let var = after.get(..end).unwrap_or_default().trim();
            rest = after.get(end + 1..).unwrap_or_default();
            let value = if let Some(m) = vars.iter().find(|m| m.key == var) {
                self.resolve_string(&m.value)
            } else {
                let resolved = match var.split_once('.').filter(|_| !var.starts_with("AWS::")) {
                    Some((l, a)) => self.get_att(l, a, at),
                    None => self.reference(var, at),
                };
                match resolved {
                    R::Val(v) => match text(&v) {
                        Some(s) => Some(s),
                        None => {
                            self.invalid(
                                at,
                                format!(
                                    "`${{{var}}}` is {}; `Fn::Sub` needs a string",
                                    v.type_name()
                                ),
                            );
                            None
                        }
                    },
                    R::NoValue => {
                        self.invalid(
                            at,
                            format!("`${{{var}}}` is `AWS::NoValue`; `Fn::Sub` needs a string"),
                        );
                        None
                    }
                    // already reported
                    R::Unknown => None,
                }
            };
            match value {
                Some(s) => out.push_str(&s),
                None => ok = false,
            }
        }
        out.push_str(rest);
        if ok {
            R::Val(string(out, at.span))
        } else {
            R::Unknown
        }
    }

    fn list_arg<'v>(
        &mut self,
        arg: &'v Value,
        n: usize,
        name: &str,
        at: &Value,
    ) -> Option<&'v [Value]> {
        match arg.as_array() {
            Some(items) if items.len() == n => Some(items),
            _ => {
                self.invalid(at, format!("`{name}` takes a list of {n} arguments"));
                None
            }
        }
    }

    fn join(&mut self, arg: &Value, at: &Value) -> R {
        let Some([delim, list]) = self.list_arg(arg, 2, "Fn::Join", at) else {
            return R::Unknown;
        };
        let Some(d) = delim.as_str() else {
            return self.invalid(delim, "the delimiter of `Fn::Join` must be a string".into());
        };
        match self.resolve(list) {
            R::Val(v) => match v.as_array() {
                Some(items) => {
                    let mut parts = Vec::new();
                    for i in items {
                        match text(i) {
                            Some(s) => parts.push(s),
                            None => return self.invalid(i, "`Fn::Join` joins strings".into()),
                        }
                    }
                    R::Val(string(parts.join(d), at.span))
                }
                None => self.invalid(list, "`Fn::Join` takes a list of values".into()),
            },
            other => other,
        }
    }

    fn select(&mut self, arg: &Value, at: &Value) -> R {
        let Some([index, list]) = self.list_arg(arg, 2, "Fn::Select", at) else {
            return R::Unknown;
        };
        let Some(i) = self
            .resolve_string(index)
            .and_then(|s| s.parse::<usize>().ok())
        else {
            return self.invalid(index, "the index of `Fn::Select` must be a number".into());
        };
        match self.resolve(list) {
            R::Val(v) => match v.as_array().and_then(|a| a.get(i)) {
                Some(x) => R::Val(x.clone()),
                None => self.invalid(at, format!("`Fn::Select` index {i} is out of range")),
            },
            other => other,
        }
    }

    fn split(&mut self, arg: &Value, at: &Value) -> R {
        let Some([delim, s]) = self.list_arg(arg, 2, "Fn::Split", at) else {
            return R::Unknown;
        };
        let (Some(d), Some(s)) = (delim.as_str(), self.resolve_string(s)) else {
            return R::Unknown;
        };
        if d.is_empty() {
            return self.invalid(
                delim,
                "the delimiter of `Fn::Split` must not be empty".into(),
            );
        }
        R::Val(Value {
            kind: Kind::Array(s.split(d).map(|p| string(p, at.span)).collect()),
            span: at.span,
        })
    }

    fn if_(&mut self, arg: &Value, at: &Value) -> R {
        let Some([cond, a, b]) = self.list_arg(arg, 3, "Fn::If", at) else {
            return R::Unknown;
        };
        let Some(name) = cond.as_str() else {
            return self.invalid(
                cond,
                "the first argument of `Fn::If` is a condition name".into(),
            );
        };
        match self.condition(name, cond) {
            Some(true) => self.resolve(a),
            Some(false) => self.resolve(b),
            None => R::Unknown,
        }
    }

    /// Evaluates a condition of the template's `Conditions`.
    pub fn condition(&mut self, name: &str, at: &Value) -> Option<bool> {
        let Some(expr) = self.template().get("Conditions").and_then(|c| c.get(name)) else {
            self.invalid(
                at,
                format!("condition `{name}` is not in the template's `Conditions`"),
            );
            return None;
        };
        self.nested(at, |r| r.eval_condition(expr))
    }

    fn eval_condition(&mut self, expr: &Value) -> Option<bool> {
        let Some((name, arg)) = intrinsic(expr) else {
            self.invalid(
                expr,
                "a condition is Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition".into(),
            );
            return None;
        };
        let items = arg.as_array().unwrap_or_default();
        match name {
            "Condition" => {
                let n = arg.as_str()?;
                self.condition(n, arg)
            }
            "Fn::Equals" => match items {
                [a, b] => {
                    let a = self.resolve(a);
                    let b = self.resolve(b);
                    match (a, b) {
                        (R::Val(a), R::Val(b)) => Some(
                            a.to_serde() == b.to_serde()
                                || (text(&a).is_some() && text(&a) == text(&b)),
                        ),
                        _ => None,
                    }
                }
                _ => {
                    self.invalid(expr, "`Fn::Equals` takes two values".into());
                    None
                }
            },
            "Fn::Not" => match items {
                [x] => self.nested(x, |r| r.eval_condition(x)).map(|b| !b),
                _ => {
                    self.invalid(expr, "`Fn::Not` takes one condition".into());
                    None
                }
            },
            "Fn::And" | "Fn::Or" => {
                let mut results = Vec::new();
                for x in items {
                    results.push(self.nested(x, |r| r.eval_condition(x))?);
                }
                Some(if name == "Fn::And" {
                    results.iter().all(|b| *b)
                } else {
                    results.iter().any(|b| *b)
                })
            }
            other => {
                self.invalid(expr, format!("`{other}` cannot be used in a condition"));
                None
            }
        }
    }

    fn find_in_map(&mut self, arg: &Value, at: &Value) -> R {
        let Some([map, top, second]) = self.list_arg(arg, 3, "Fn::FindInMap", at) else {
            return R::Unknown;
        };
        let (Some(m), Some(t), Some(s)) = (
            self.resolve_string(map),
            self.resolve_string(top),
            self.resolve_string(second),
        ) else {
            return R::Unknown;
        };
        let found = self
            .template()
            .get("Mappings")
            .and_then(|x| x.get(&m))
            .and_then(|x| x.get(&t))
            .and_then(|x| x.get(&s));
        match found {
            Some(v) => self.resolve(v),
            None => self.invalid(at, format!("`Fn::FindInMap` finds nothing at {m}/{t}/{s}")),
        }
    }
}

#[cfg(test)]
mod tests;
