//! Checks on `Condition`: unknown keys (C-14), operator vs key type (C-14),
//! wildcards without `Like` (C-4), set operators (C-13), `Null` with a
//! qualifier (C-11), IP ranges (C-9), epoch dates (C-6), several Bool values
//! (C-7), keys the statement's actions never supply (A-2 #34).

use std::net::IpAddr;

use super::actions::{expand, service_of};
use super::view::{CondBlock, CondKey, StatementView};
use super::Ctx;
use crate::catalog::{catalog, condition_key, suggest_key, ActionInfo, KeyInfo, KeyType};
use crate::condition::{Family, IpRange, Operator, SetQualifier, StringOp};
use crate::diagnostic::Severity;
use crate::policy::Effect;

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let view = ctx.view;
    for st in &view.statements {
        for (block, key) in st.condition_keys() {
            let Some(op) = block.operator else { continue };
            let info = known_key(ctx, key);
            if let Some(info) = info {
                type_mismatch(ctx, &op, block, key, info);
                set_operators(ctx, st, &op, block, key, info);
                irrelevant(ctx, st, block, key);
            }
            wildcard_without_like(ctx, &op, key);
            if op.family == Family::Null && op.set.is_some() {
                ctx.emit(
                    "NULL_WITH_QUALIFIER",
                    block.key_span,
                    &block.pointer,
                    format!(
                        "`{}`: with `ForAllValues` the `Null` test is always true, with `ForAnyValue` always false (spec C-11)",
                        block.operator_text
                    ),
                    Some("use `Null` without a set operator".into()),
                );
            }
            if op.family == Family::IpAddress {
                ip_ranges(ctx, &op, key);
            }
            if matches!(op.family, Family::Date(_)) {
                epoch_dates(ctx, key);
            }
            if op.family == Family::Bool && key.values.len() > 1 {
                ctx.emit(
                    "INVALID_CONDITION_MULTIPLE_BOOLEAN",
                    key.key_span,
                    &key.pointer,
                    format!(
                        "`{}` lists several Boolean values: it matches either value, so it tests only whether the key is present",
                        key.key
                    ),
                    Some("give one value, `true` or `false` (spec C-7)".into()),
                );
            }
        }
    }
}

/// The catalog entry of a key, reporting unknown `aws:` and catalog-service keys.
fn known_key(ctx: &mut Ctx<'_>, key: &CondKey) -> Option<&'static KeyInfo> {
    if let Some(info) = condition_key(&key.key) {
        return Some(info);
    }
    let prefix = key
        .key
        .split_once(':')
        .map(|(p, _)| p.to_ascii_lowercase())?;
    let hint = suggest_key(&key.key).map(|s| crate::diagnostic::did_you_mean_hint(&key.key, s));
    if prefix == "aws" {
        ctx.emit(
            "INVALID_GLOBAL_CONDITION_KEY",
            key.key_span,
            &key.pointer,
            format!(
                "`{}` is not a global condition key: it is never in the request context",
                key.key
            ),
            hint.or(Some(
                "see the IAM User Guide page \"AWS global condition context keys\"".into(),
            )),
        );
    } else if catalog().knows_service(&prefix) {
        ctx.emit(
            "INVALID_SERVICE_CONDITION_KEY",
            key.key_span,
            &key.pointer,
            format!(
                "`{}` is not a condition key of `{prefix}`: it is never in the request context",
                key.key
            ),
            hint.or(Some("see `s3guard keys` for the service's keys".into())),
        );
    } else {
        ctx.unchecked_key_services.insert(prefix);
    }
    None
}

/// The operators a key type takes (C-14).
fn fits(op: &Operator, info: &KeyInfo) -> bool {
    let epoch = info.key.eq_ignore_ascii_case("aws:EpochTime");
    match (op.family, info.key_type) {
        (Family::Null, _) => true,
        (Family::String(_), KeyType::String | KeyType::ArrayOfString) => true,
        (Family::String(_) | Family::Arn { .. }, KeyType::Arn | KeyType::ArrayOfArn) => true,
        (Family::Numeric(_), KeyType::Numeric) => true,
        (Family::Date(_), KeyType::Date) => true,
        (Family::Numeric(_), KeyType::Date) => epoch,
        (Family::Bool, KeyType::Bool) => true,
        (Family::IpAddress, KeyType::IpAddress) => true,
        (Family::Binary, KeyType::Binary) => true,
        _ => false,
    }
}

fn operators_for(t: KeyType) -> &'static str {
    match t {
        KeyType::String | KeyType::ArrayOfString => "String… operators",
        KeyType::Arn | KeyType::ArrayOfArn => "Arn… (or String…) operators",
        KeyType::Numeric => "Numeric… operators",
        KeyType::Date => "Date… operators",
        KeyType::Bool => "Bool",
        KeyType::IpAddress => "IpAddress / NotIpAddress",
        KeyType::Binary => "BinaryEquals",
    }
}

fn type_name(t: KeyType) -> &'static str {
    match t {
        KeyType::String => "String",
        KeyType::ArrayOfString => "ArrayOfString",
        KeyType::Numeric => "Numeric",
        KeyType::Date => "Date",
        KeyType::Bool => "Bool",
        KeyType::IpAddress => "IPAddress",
        KeyType::Arn => "ARN",
        KeyType::ArrayOfArn => "ArrayOfARN",
        KeyType::Binary => "Binary",
    }
}

fn type_mismatch(
    ctx: &mut Ctx<'_>,
    op: &Operator,
    block: &CondBlock,
    key: &CondKey,
    info: &KeyInfo,
) {
    if fits(op, info) {
        return;
    }
    ctx.emit(
        "TYPE_MISMATCH",
        key.key_span,
        &key.pointer,
        format!(
            "`{}` has type {}, but `{}` compares {}: the values are read the wrong way",
            key.key,
            type_name(info.key_type),
            block.operator_text,
            family_name(op.family)
        ),
        Some(format!(
            "use {} for `{}` (spec C-14)",
            operators_for(info.key_type),
            key.key
        )),
    );
}

fn family_name(f: Family) -> &'static str {
    match f {
        Family::String(_) => "strings",
        Family::Numeric(_) => "numbers",
        Family::Date(_) => "dates",
        Family::Bool => "Booleans",
        Family::Binary => "binary data",
        Family::IpAddress => "IP addresses",
        Family::Arn { .. } => "ARNs",
        Family::Null => "presence",
    }
}

fn set_operators(
    ctx: &mut Ctx<'_>,
    st: &StatementView<'_>,
    op: &Operator,
    block: &CondBlock,
    key: &CondKey,
    info: &KeyInfo,
) {
    if op.family == Family::Null {
        return;
    }
    match op.set {
        Some(SetQualifier::ForAllValues) if !info.multi_valued => {
            ctx.emit(
                "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
                block.key_span,
                &block.pointer,
                format!(
                    "`{}` on the single-valued key `{}` is also true when the key is missing (spec C-13)",
                    block.operator_text, key.key
                ),
                Some(format!("remove `ForAllValues:` (write `{}`)", op_without_set(op))),
            );
        }
        Some(SetQualifier::ForAllValues) if st.effect == Some(Effect::Allow) => {
            let guarded = st.condition_keys().any(|(b, k)| {
                b.operator
                    .is_some_and(|o| o.family == Family::Null && o.set.is_none())
                    && k.key.eq_ignore_ascii_case(&key.key)
                    && k.values
                        .iter()
                        .any(|v| v.text.eq_ignore_ascii_case("false"))
            });
            if !guarded {
                ctx.emit(
                    "S3GUARD_FORALLVALUES_ALLOW_WITHOUT_NULL",
                    block.key_span,
                    &block.pointer,
                    format!(
                        "{} allows also when `{}` is missing: `{}` is true for an empty set (spec C-13)",
                        st.label(),
                        key.key,
                        block.operator_text
                    ),
                    Some(format!(
                        "add \"Null\": {{\"{}\": \"false\"}} to the same Condition",
                        key.key
                    )),
                );
            }
        }
        None if info.multi_valued => {
            ctx.emit(
                "S3GUARD_MISSING_SET_OPERATOR",
                key.key_span,
                &key.pointer,
                format!(
                    "`{}` holds several values, but `{}` has no `ForAnyValue:`/`ForAllValues:`: with a list in the request it is false (spec C-13)",
                    key.key, block.operator_text
                ),
                Some(format!(
                    "write `ForAnyValue:{}` (any value matches) or `ForAllValues:{}` (every value matches)",
                    block.operator_text, block.operator_text
                )),
            );
        }
        _ => {}
    }
}

fn op_without_set(op: &Operator) -> Operator {
    Operator { set: None, ..*op }
}

/// `*`/`?` in a value of an operator that takes them literally (C-4), or
/// in `ArnEquals`, where they work (C-10) but the name hides it.
fn wildcard_without_like(ctx: &mut Ctx<'_>, op: &Operator, key: &CondKey) {
    let literal = matches!(
        op.family,
        Family::String(StringOp::Equals) | Family::String(StringOp::EqualsIgnoreCase)
    );
    let arn_equals = op.family == Family::Arn { like: false };
    if !literal && !arn_equals {
        return;
    }
    for v in &key.values {
        let stripped = v.text.replace("${*}", "").replace("${?}", "");
        if !stripped.contains(['*', '?']) {
            continue;
        }
        if literal {
            ctx.emit(
                "WILDCARD_WITHOUT_LIKE_OPERATOR",
                v.span,
                &v.pointer,
                format!(
                    "`{}` compares `{}` exactly: `*` and `?` in it are literal characters, not wildcards (spec C-4)",
                    op, v.text
                ),
                Some("if you meant a wildcard, use StringLike (or StringNotLike)".into()),
            );
        } else {
            ctx.emit_as(
                crate::diagnostic::Severity::Suggestion,
                "WILDCARD_WITHOUT_LIKE_OPERATOR",
                v.span,
                &v.pointer,
                format!(
                    "`{}` treats `*` and `?` in `{}` as wildcards, exactly like ArnLike (spec C-10)",
                    op, v.text
                ),
                Some("write ArnLike so that readers see the wildcard".into()),
            );
        }
    }
}

fn ip_ranges(ctx: &mut Ctx<'_>, op: &Operator, key: &CondKey) {
    let ranges: Vec<(IpRange, &super::view::Entry)> = key
        .values
        .iter()
        .filter_map(|v| IpRange::parse(&v.text).map(|r| (r, v)))
        .collect();
    for (r, v) in &ranges {
        if r.has_host_bits() {
            let net = network(r);
            ctx.emit(
                "IMPROVE_IP_RANGE",
                v.span,
                &v.pointer,
                format!(
                    "`{}` has bits set after the /{} prefix; they are ignored: the range is `{net}`",
                    v.text,
                    r.prefix()
                ),
                Some(format!("write `{net}`")),
            );
        }
    }
    if !key.key.eq_ignore_ascii_case("aws:SourceIp") || ranges.is_empty() {
        return;
    }
    let private = ranges.iter().filter(|(r, _)| r.is_private()).count();
    if private == 0 {
        return;
    }
    let all = private == ranges.len() && ranges.len() == key.values.len();
    let code = match (op.negated, all) {
        (false, true) => "PRIVATE_IP_ADDRESS",
        (true, true) => "PRIVATE_NOT_IP_ADDRESS",
        (false, false) => "PRIVATE_IP_ADDRESS_SUBSET",
        (true, false) => "PRIVATE_NOT_IP_ADDRESS_SUBSET",
    };
    // a request's aws:SourceIp is never private: the private values match nothing
    let effect = match (op.negated, all) {
        (true, true) => "so the condition always holds",
        (true, false) => "so they exclude no request: only the public ranges count",
        (false, true) => "so the condition never holds",
        (false, false) => "so they never match: only the public ranges count",
    };
    ctx.emit(
        code,
        key.key_span,
        &key.pointer,
        format!(
            "`aws:SourceIp` is the public address a request comes from; {} of its values {} private, {effect} (spec C-9)",
            if all { "all".to_string() } else { private.to_string() },
            if all || private > 1 { "are" } else { "is" }
        ),
        Some("for private addresses use aws:VpcSourceIp (requests through a VPC endpoint)".into()),
    );
}

/// The network address of a range (host bits cleared).
fn network(r: &IpRange) -> String {
    match r.addr() {
        IpAddr::V4(a) => {
            let bits = u32::from(a);
            let mask = u32::MAX
                .checked_shl(32 - u32::from(r.prefix()))
                .unwrap_or(0);
            format!("{}/{}", std::net::Ipv4Addr::from(bits & mask), r.prefix())
        }
        IpAddr::V6(a) => {
            let bits = u128::from(a);
            let mask = u128::MAX
                .checked_shl(128 - u32::from(r.prefix()))
                .unwrap_or(0);
            format!("{}/{}", std::net::Ipv6Addr::from(bits & mask), r.prefix())
        }
    }
}

/// Date values written as epoch seconds (A-2 #23: they may not resolve as
/// expected; unparsable dates are the loader's errors).
fn epoch_dates(ctx: &mut Ctx<'_>, key: &CondKey) {
    if key.key.eq_ignore_ascii_case("aws:EpochTime") {
        return;
    }
    for v in &key.values {
        let t = v.text.trim();
        let digits = t.strip_prefix('-').unwrap_or(t);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() <= 4 {
            continue;
        }
        if crate::condition::date::parse(t).is_none() {
            continue;
        }
        ctx.emit(
            "INVALID_DATE_VALUE",
            v.span,
            &v.pointer,
            format!(
                "`{}` is epoch seconds: it works, but is easy to misread (spec C-6)",
                v.text
            ),
            crate::condition::date::parse(t).map(|d| {
                format!(
                    "write the date in ISO 8601: `{}`",
                    crate::condition::date::format(d)
                )
            }),
        );
    }
}

/// A service key that none of the statement's actions supplies (A-2 #34).
fn irrelevant(ctx: &mut Ctx<'_>, st: &StatementView<'_>, block: &CondBlock, key: &CondKey) {
    let Some(prefix) = key.key.split_once(':').map(|(p, _)| p.to_ascii_lowercase()) else {
        return;
    };
    let tag_key = ["aws:requesttag/", "aws:resourcetag/", "aws:tagkeys"]
        .iter()
        .any(|p| key.key.to_ascii_lowercase().starts_with(p));
    let service_key = catalog().knows_service(&prefix);
    if !service_key && !tag_key {
        return;
    }
    let entries = st.actions();
    if entries.is_empty() {
        return;
    }
    let literal_catalog = |t: &str| {
        service_of(t).is_some_and(|s| !s.contains(['*', '?']) && catalog().knows_service(s))
    };
    if tag_key && !entries.iter().all(|e| literal_catalog(&e.text)) {
        return; // other services may supply tag keys
    }
    let mut actions = Vec::new();
    for e in entries {
        actions.extend(expand(&e.text));
    }
    let relevant: Vec<_> = actions
        .iter()
        .filter(|a| !service_key || a.service == prefix)
        .collect();
    if relevant.is_empty() {
        let other_services = entries
            .iter()
            .all(|e| service_of(&e.text).is_some_and(|s| !s.contains(['*', '?'])));
        if !other_services {
            return;
        }
    }
    let lower = key.key.to_lowercase();
    // keys of the action, and of the resource types it targets (the access
    // point keys are declared on the access point types, not per action)
    let supplies = |a: &crate::catalog::ActionInfo| {
        a.condition_keys.iter().any(|k| key_matches(k, &lower))
            || catalog()
                .resource_types()
                .iter()
                .filter(|r| r.service == a.service && a.supports_resource_type(r.name))
                .any(|r| r.condition_keys.iter().any(|k| key_matches(k, &lower)))
    };
    let (supplying, absent): (Vec<&&ActionInfo>, Vec<&&ActionInfo>) =
        relevant.iter().partition(|a| supplies(a));
    if supplying.is_empty() {
        ctx.emit(
            "IRRELEVANT_CONDITION_KEY_IN_POLICY",
            key.key_span,
            &key.pointer,
            format!(
                "no action of {} puts `{}` in the request context: the condition tests a missing key",
                st.label(),
                key.key
            ),
            Some("check the key against the actions' condition keys (`s3guard actions`)".into()),
        );
    }
    if service_key {
        // the other services' catalog actions of the statement never carry it either
        let mut missing: Vec<&ActionInfo> = absent.iter().map(|a| **a).collect();
        missing.extend(actions.iter().filter(|a| a.service != prefix).copied());
        if !missing.is_empty() {
            key_absent_for_actions(ctx, st, block, key, &missing, supplying.is_empty());
        }
        key_only_in_some_requests(ctx, st, block, key, &supplying);
    }
}

/// Whether the statement's tests of `key` (every block that names it) all
/// hold when the request does not carry the key: then the key's absence
/// alone lets the statement's condition hold. `None` when a test cannot be
/// evaluated (the loader reports it).
fn holds_without(st: &StatementView<'_>, key: &str, variables: bool) -> Option<bool> {
    let mut all = true;
    for (block, k) in st.condition_keys() {
        if k.key.eq_ignore_ascii_case(key) {
            all &= k.holds_when_absent(&block.operator?, variables)?;
        }
    }
    Some(all)
}

/// Issue 17.4, requests of one kind: a `Deny` whose tests hold without a
/// key that only one kind of the action's requests carries
/// ([`ActionInfo::key_only_in`]: `s3:x-amz-copy-source`, copies only)
/// blocks every request of the other kinds. AWS's example that denies
/// `s3:PutObject` unless `s3:x-amz-copy-source` matches blocks every plain
/// upload: an uploader cannot send the key without making the upload a
/// copy. Not reported: a header any request of the action may send
/// (`StringNotEquals s3:x-amz-server-side-encryption` is AWS's documented
/// way to require encryption: the uploader adds the header), and a
/// statement with a `Null` test of the key: `"Null": {KEY: "false"}` limits
/// it to the requests with the key, `"Null": {KEY: "true"}` asks for the
/// requests without it on purpose.
fn key_only_in_some_requests(
    ctx: &mut Ctx<'_>,
    st: &StatementView<'_>,
    block: &CondBlock,
    key: &CondKey,
    supplying: &[&&ActionInfo],
) {
    let Some(op) = block.operator else { return };
    let tests_presence = st.condition_keys().any(|(b, k)| {
        k.key.eq_ignore_ascii_case(&key.key) && b.operator.is_some_and(|o| o.family == Family::Null)
    });
    if st.effect != Some(Effect::Deny) || tests_presence {
        return;
    }
    let Some(kind) = supplying.iter().find_map(|a| a.key_only_in(&key.key)) else {
        return;
    };
    if key.holds_when_absent(&op, ctx.view.variables) != Some(true)
        || holds_without(st, &key.key, ctx.view.variables) != Some(true)
    {
        return;
    }
    let mut names: Vec<String> = supplying
        .iter()
        .filter(|a| a.key_only_in(&key.key) == Some(kind))
        .map(|a| format!("`{}`", a.iam_action))
        .collect();
    names.sort();
    names.dedup();
    ctx.emit(
        "S3GUARD_KEY_ONLY_IN_SOME_REQUESTS",
        key.key_span,
        &key.pointer,
        format!(
            "only {} send `{}`: without the key, `{}` holds, so this Deny blocks every {} that is not {}",
            kind.operations.join(" and "),
            key.key,
            block.operator_text,
            names.join(" or "),
            kind.one
        ),
        Some(format!(
            "if other requests should pass, add `\"Null\": {{\"{}\": \"false\"}}` to the condition: the Deny then applies only to requests that send the key",
            key.key
        )),
    );
}

/// Issue 17.4: a service key that some of the statement's actions never
/// carry (the catalog does not list it for them): for those actions the key
/// is absent, and the test's value without the key decides: an `Allow`
/// whose test is then false grants them nothing; a `Deny` whose test is then
/// true (a negated operator, `IfExists`, `Null: true`) blocks every such
/// request.
fn key_absent_for_actions(
    ctx: &mut Ctx<'_>,
    st: &StatementView<'_>,
    block: &CondBlock,
    key: &CondKey,
    missing: &[&ActionInfo],
    none_supply: bool,
) {
    let Some(op) = block.operator else { return };
    let Some(holds) = key.holds_when_absent(&op, ctx.view.variables) else {
        return;
    };
    // a Deny blocks them only when every test of the key holds without it
    // (a `"Null": {KEY: "false"}` guard keeps it from applying)
    if holds
        && st.effect == Some(Effect::Deny)
        && holds_without(st, &key.key, ctx.view.variables) != Some(true)
    {
        return;
    }
    let (severity, effect) = match (st.effect, holds) {
        (Some(Effect::Allow), false) if none_supply => return, // IRRELEVANT_… says it
        (Some(Effect::Allow), false) => (
            Severity::Warning,
            "is false for them: the statement grants them nothing",
        ),
        (Some(Effect::Deny), true) => (
            Severity::Error,
            "holds for them: the Deny blocks every such request",
        ),
        // an Allow the test does not limit for them, a Deny that does not apply
        // to them: usually what was meant (`StringNotEquals s3:x-amz-acl`)
        _ => return,
    };
    let mut names: Vec<String> = missing.iter().map(|a| a.iam_action.to_string()).collect();
    names.sort();
    names.dedup();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let whom = if none_supply {
        format!("any action of {}", st.label())
    } else {
        format!(
            "{} of the actions of {} ({})",
            names.len(),
            st.label(),
            super::everyday_first(&names)
        )
    };
    ctx.emit_as(
        severity,
        "S3GUARD_KEY_ABSENT_FOR_ACTIONS",
        key.key_span,
        &key.pointer,
        format!(
            "AWS never sends `{}` with {whom}: without the key, `{}` {effect}",
            key.key, block.operator_text
        ),
        Some(format!(
            "move those actions to a statement without the `{}` condition (`s3guard actions` lists each action's keys)",
            key.key
        )),
    );
}

/// Whether a catalog key name (maybe a tag template) matches a lower-cased key.
fn key_matches(template: &str, lower: &str) -> bool {
    let t = template.to_lowercase();
    for marker in ["${tagkey}", "<key>", "tag-key"] {
        if let Some(prefix) = t.strip_suffix(marker) {
            return lower.starts_with(prefix) && lower.len() > prefix.len();
        }
    }
    t == lower
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_clears_host_bits_spec_c9() {
        assert_eq!(
            network(&IpRange::parse("10.0.0.1/8").unwrap()),
            "10.0.0.0/8"
        );
        assert_eq!(
            network(&IpRange::parse("2001:db8::1/32").unwrap()),
            "2001:db8::/32"
        );
        assert_eq!(network(&IpRange::parse("0.0.0.0/0").unwrap()), "0.0.0.0/0");
    }

    #[test]
    fn tag_templates_match_by_prefix() {
        assert!(key_matches(
            "s3:ExistingObjectTag/<key>",
            "s3:existingobjecttag/team"
        ));
        assert!(!key_matches(
            "s3:ExistingObjectTag/<key>",
            "s3:existingobjecttag/"
        ));
        assert!(key_matches("s3:prefix", "s3:prefix"));
    }
}
