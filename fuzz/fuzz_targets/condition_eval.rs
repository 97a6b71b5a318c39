//! A policy with one condition built from the input, evaluated against a
//! request context built from the input. The input is text, one item a
//! line:
//!
//! ```text
//! OPERATOR            e.g. ForAnyValue:StringLikeIfExists
//! KEY                 e.g. aws:PrincipalTag/team
//! VALUES              a JSON value (used as is: string, number, array, …),
//!                     or else tab-separated strings
//! CONTEXT-KEY<TAB>VALUE<TAB>VALUE…   (any number of lines; one value is a
//!                     single value, none or several a multi-valued key)
//! ```
//!
//! The condition sits in an identity policy (both policy versions, so
//! `${…}` is a variable or literal text), a bucket policy and an SCP, and
//! also goes straight through `Operator::parse`, `Values::compile` and
//! `KeyCondition::evaluate_detailed`. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s3guard::condition::{KeyCondition, Operator, Values};
use s3guard::{Context, ContextValue, LoadOptions, Origin, Policy, PolicySet, PolicyType, Request};
use serde_json::{json, Value};

fn values_of(line: &str) -> Value {
    match serde_json::from_str::<Value>(line) {
        Ok(v) => v,
        Err(_) => Value::Array(line.split('\t').map(|s| Value::String(s.into())).collect()),
    }
}

fn raw_strings(v: &Value) -> Vec<String> {
    let scalar = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match v {
        Value::Array(items) => items.iter().map(scalar).collect(),
        other => vec![scalar(other)],
    }
}

fn policy(
    version: Option<&str>,
    effect: &str,
    principal: bool,
    operator: &str,
    key: &str,
    values: &Value,
) -> String {
    let mut block = serde_json::Map::new();
    block.insert(key.to_string(), values.clone());
    let mut cond = serde_json::Map::new();
    cond.insert(operator.to_string(), Value::Object(block));
    let mut stmt = json!({
        "Effect": effect,
        "Action": "s3:*",
        "Resource": ["*", "arn:aws:s3:::bucket/${aws:username}/*"],
        "Condition": cond,
    });
    if principal {
        stmt["Principal"] = json!("*");
    }
    let mut doc =
        json!({ "Statement": [stmt, {"Effect": "Allow", "Action": "*", "Resource": "*"}] });
    if let Some(v) = version {
        doc["Version"] = json!(v);
    }
    doc.to_string()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let operator = lines.next().unwrap_or_default();
    let key = lines.next().unwrap_or_default();
    let values = values_of(lines.next().unwrap_or_default());

    let mut ctx = Context::new();
    for line in lines {
        let mut fields = line.split('\t');
        let k = fields.next().unwrap_or_default();
        let vs: Vec<String> = fields.map(str::to_string).collect();
        let v = if vs.len() == 1 {
            ContextValue::Single(vs.into_iter().next().unwrap_or_default())
        } else {
            ContextValue::Multi(vs)
        };
        ctx.insert(k, v, Origin::Given);
    }

    // Straight through the condition module.
    if let Ok(op) = Operator::parse(operator) {
        let _ = (op.to_string(), op.base_name());
        let raw = raw_strings(&values);
        for variables in [true, false] {
            if let Ok(compiled) = Values::compile(&op, &raw, variables) {
                let kc = KeyCondition {
                    key: key.to_string(),
                    key_lower: key.to_lowercase(),
                    raw_values: raw.clone(),
                    values: compiled,
                };
                let _ = kc.evaluate_detailed(&op, &ctx);
            }
        }
    }
    let _ = Operator::is_canonical_spelling(operator);

    // Through whole policies and the authorizer.
    let mut request = Request::new("s3:GetObject", "arn:aws:s3:::bucket/alice/k")
        .and_then(|r| r.with_principal("arn:aws:iam::111122223333:user/alice"))
        .expect("fixed request");
    request.principal.derive_context(&mut ctx);
    request.context = ctx;
    let docs = [
        (
            PolicyType::Identity,
            policy(Some("2012-10-17"), "Allow", false, operator, key, &values),
        ),
        (
            PolicyType::Identity,
            policy(Some("2008-10-17"), "Deny", false, operator, key, &values),
        ),
        (
            PolicyType::Identity,
            policy(None, "Allow", false, operator, key, &values),
        ),
        (
            PolicyType::Resource,
            policy(Some("2012-10-17"), "Deny", true, operator, key, &values),
        ),
        (
            PolicyType::Scp,
            policy(Some("2012-10-17"), "Allow", false, operator, key, &values),
        ),
    ];
    for (t, doc) in docs {
        let Ok(p) = Policy::parse_as("cond.json", &doc, LoadOptions::new(t)) else {
            continue;
        };
        for s in p.statements() {
            for k in s.condition.keys() {
                let _ = k.key.len();
            }
        }
        let set = PolicySet::builder().policy(p).build();
        let _ = set.authorize(&request);
        let eval = set.evaluate(&request);
        for t in &eval.traces {
            let _ = t.summary();
        }
    }
});
