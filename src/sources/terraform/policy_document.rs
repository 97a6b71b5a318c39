//! `data.aws_iam_policy_document`: its `statement` blocks rendered to IAM
//! policy JSON, each value keeping the position of its Terraform attribute.

use super::super::render::{load_json_string, load_value};
use super::super::Ctx;
use super::{contains_true, unknown, Res};
use crate::diagnostic::Diagnostic;
use crate::json::{Kind, Member, Span, Value};
use crate::policy::PolicyType;

/// Renders a `data.aws_iam_policy_document` into a policy.
pub(super) fn document(
    ctx: &Ctx<'_>,
    d: &Res<'_>,
    layer: PolicyType,
) -> Result<crate::policy::Policy, crate::policy::LoadError> {
    let err = |diag: Diagnostic| crate::policy::LoadError {
        diagnostics: vec![diag],
    };
    let Some(values) = d.values else {
        return Err(err(unknown(
            ctx,
            d,
            "statement",
            d.at,
            &d.references("statement"),
        )));
    };
    let merged = ["source_policy_documents", "override_policy_documents"]
        .iter()
        .any(|k| {
            d.attr(k)
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
                || d.is_unknown(k)
        });
    if merged {
        // merging documents is the provider's job: use what it rendered
        return match d.attr("json") {
            Some(j) if j.as_str().is_some() => load_json_string(ctx.file, j, ctx.options(layer)),
            _ => Err(err(unknown(
                ctx,
                d,
                "json",
                values,
                &d.references("source_policy_documents"),
            ))),
        };
    }
    let mut unknowns = Vec::new();
    let statements = d
        .attr("statement")
        .and_then(Value::as_array)
        .unwrap_or_default();
    let unknown_stmts = d.unknown.and_then(|u| u.get("statement"));
    if unknown_stmts.is_some_and(|u| u.kind == Kind::Bool(true)) {
        return Err(err(unknown(
            ctx,
            d,
            "statement",
            values,
            &d.references("statement"),
        )));
    }
    let mut rendered = Vec::new();
    for (i, st) in statements.iter().enumerate() {
        let st_unknown = unknown_stmts
            .and_then(Value::as_array)
            .and_then(|a| a.get(i));
        for key in [
            "actions",
            "not_actions",
            "resources",
            "not_resources",
            "principals",
            "not_principals",
            "condition",
            "effect",
            "sid",
        ] {
            if st_unknown
                .and_then(|u| u.get(key))
                .is_some_and(contains_true)
            {
                let at = st.get(key).unwrap_or(st);
                let refs = d.references("statement");
                unknowns.push(
                    ctx.error_at(
                        "UNKNOWN_VALUE",
                        format!(
                            "`statement[{i}].{key}` of `{}` is known only after apply{}",
                            d.address,
                            if refs.is_empty() {
                                String::new()
                            } else {
                                format!(" (it depends on {})", refs.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", "))
                            }
                        ),
                        at,
                    )
                    .with_hint("s3guard does not guess computed values: plan against existing resources, or give literal ARNs in the configuration"),
                );
            }
        }
        rendered.push(render_statement(st));
    }
    if !unknowns.is_empty() {
        return Err(crate::policy::LoadError {
            diagnostics: unknowns,
        });
    }
    let mut members = Vec::new();
    let version = d
        .attr("version")
        .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()));
    members.push(member(
        "Version",
        version
            .cloned()
            .unwrap_or_else(|| string("2012-10-17", values.span)),
    ));
    if let Some(id) = d
        .attr("policy_id")
        .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
    {
        members.push(member("Id", id.clone()));
    }
    let stmt_span = d.attr("statement").map(|s| s.span).unwrap_or(values.span);
    members.push(member(
        "Statement",
        Value {
            kind: Kind::Array(rendered),
            span: stmt_span,
        },
    ));
    let doc = Value {
        kind: Kind::Object(members),
        span: values.span,
    };
    load_value(ctx.file, &doc, "", ctx.options(layer))
}

fn member(key: &str, value: Value) -> Member {
    Member {
        key: key.into(),
        key_span: Span {
            start: value.span.start,
            end: value.span.start,
        },
        value,
    }
}

fn string(s: &str, span: Span) -> Value {
    Value {
        kind: Kind::String(s.into()),
        span,
    }
}

/// One `statement` block as an IAM statement (the provider's rendering).
fn render_statement(st: &Value) -> Value {
    let mut members = Vec::new();
    let attr = |k: &str| st.get(k).filter(|v| v.kind != Kind::Null);
    let list = |k: &str| attr(k).filter(|v| v.as_array().is_some_and(|a| !a.is_empty()));
    if let Some(sid) = attr("sid").filter(|v| v.as_str().is_some_and(|s| !s.is_empty())) {
        members.push(member("Sid", sid.clone()));
    }
    match attr("effect").filter(|v| v.as_str().is_some_and(|s| !s.is_empty())) {
        Some(e) => members.push(member("Effect", e.clone())),
        None => members.push(member("Effect", string("Allow", st.span))),
    }
    for (key, name) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        if let Some(p) = list(key) {
            members.push(member(name, principals(p)));
        }
    }
    for (key, name) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some(v) = list(key) {
            members.push(member(name, v.clone()));
        }
    }
    if let Some(conds) = list("condition") {
        members.push(member("Condition", conditions(conds)));
    }
    Value {
        kind: Kind::Object(members),
        span: st.span,
    }
}

/// `principals { type = "AWS", identifiers = [...] }` blocks → `{"AWS": [...]}`;
/// `type = "*"` with `identifiers = ["*"]` → `"*"`.
pub(super) fn principals(blocks: &Value) -> Value {
    let mut members: Vec<Member> = Vec::new();
    for b in blocks.as_array().unwrap_or_default() {
        let Some(t) = b.get("type") else { continue };
        let ids = b.get("identifiers").cloned().unwrap_or_else(|| Value {
            kind: Kind::Array(Vec::new()),
            span: b.span,
        });
        let ty = t.as_str().unwrap_or_default();
        if ty == "*" {
            return string("*", b.span);
        }
        if let Some(existing) = members.iter_mut().find(|m| m.key == ty) {
            if let (Kind::Array(a), Some(more)) = (&mut existing.value.kind, ids.as_array()) {
                a.extend(more.iter().cloned());
            }
        } else {
            members.push(Member {
                key: ty.into(),
                key_span: t.span,
                value: ids,
            });
        }
    }
    Value {
        kind: Kind::Object(members),
        span: blocks.span,
    }
}

/// `condition { test, variable, values }` blocks → `{"test": {"variable": [values]}}`.
pub(super) fn conditions(blocks: &Value) -> Value {
    let mut ops: Vec<Member> = Vec::new();
    for b in blocks.as_array().unwrap_or_default() {
        let (Some(test), Some(var)) = (b.get("test"), b.get("variable")) else {
            continue;
        };
        let values = b.get("values").cloned().unwrap_or_else(|| Value {
            kind: Kind::Array(Vec::new()),
            span: b.span,
        });
        let t = test.as_str().unwrap_or_default().to_string();
        let v = var.as_str().unwrap_or_default().to_string();
        let idx = match ops.iter().position(|m| m.key == t) {
            Some(i) => i,
            None => {
                ops.push(Member {
                    key: t.into(),
                    key_span: test.span,
                    value: Value {
                        kind: Kind::Object(Vec::new()),
                        span: b.span,
                    },
                });
                ops.len() - 1
            }
        };
        if let Some(Kind::Object(keys)) = ops.get_mut(idx).map(|m| &mut m.value.kind) {
            if let Some(existing) = keys.iter_mut().find(|k| k.key == v) {
                if let (Kind::Array(a), Some(more)) = (&mut existing.value.kind, values.as_array())
                {
                    a.extend(more.iter().cloned());
                }
            } else {
                keys.push(Member {
                    key: v.into(),
                    key_span: var.span,
                    value: values,
                });
            }
        }
    }
    Value {
        kind: Kind::Object(ops),
        span: blocks.span,
    }
}
