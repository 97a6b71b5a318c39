//! Document-wide checks: size against the policy type's quota (G-14),
//! characters IAM does not accept (G-13), statements that add nothing to
//! another one (G-12, A-2 #29).

use super::pattern::{Budget, Entry};
use super::view::StatementView;
use super::{Ctx, InlineOwner, MAX_PAIRWISE_STATEMENTS};
use crate::condition::Operator;
use crate::json::Span;
use crate::policy::PolicyType;

pub(super) fn check(ctx: &mut Ctx<'_>) {
    size(ctx);
    characters(ctx);
    redundant_statements(ctx);
}

/// Characters of `text` outside white space that is outside strings
/// (how IAM counts policy size, G-14), and their UTF-8 bytes.
pub(crate) fn policy_size(text: &str) -> (usize, usize) {
    let (mut chars, mut bytes) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if matches!(c, ' ' | '\t' | '\n' | '\r') {
            continue;
        }
        chars += 1;
        bytes += c.len_utf8();
    }
    (chars, bytes)
}

/// (code, limit, unit, what) of a policy type's size quota (G-14); an
/// identity policy printed by `aws iam get-user-policy` (or the group and
/// role variants) is inline, with its owner's quota for all its inline
/// policies together (one policy over it is over it too).
fn quota(t: PolicyType, inline: Option<InlineOwner>) -> (&'static str, usize, bool, &'static str) {
    const IDENTITY: &str = "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA";
    match (t, inline) {
        (PolicyType::Identity, Some(InlineOwner::User)) => {
            return (
                IDENTITY,
                2048,
                false,
                "the 2,048-character quota of a user's inline policies (all of them together)",
            );
        }
        (PolicyType::Identity, Some(InlineOwner::Group)) => {
            return (
                IDENTITY,
                5120,
                false,
                "the 5,120-character quota of a group's inline policies (all of them together)",
            );
        }
        (PolicyType::Identity, Some(InlineOwner::Role)) => {
            return (
                IDENTITY,
                10_240,
                false,
                "the 10,240-character quota of a role's inline policies (all of them together)",
            );
        }
        _ => {}
    }
    match t {
        PolicyType::Identity | PolicyType::Boundary => (
            "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
            6144,
            false,
            "the 6,144-character quota of a managed policy (inline policies share 2,048 per user, 5,120 per group, 10,240 per role)",
        ),
        PolicyType::Session => (
            "POLICY_SIZE_EXCEEDS_SESSION_POLICY_QUOTA",
            2048,
            false,
            "the 2,048-character quota of an inline session policy",
        ),
        PolicyType::Resource => (
            "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
            20 * 1024,
            true,
            "S3's 20 KB bucket policy quota",
        ),
        PolicyType::Scp => (
            "POLICY_SIZE_EXCEEDS_SCP_QUOTA",
            5120,
            false,
            "the 5,120-character SCP quota",
        ),
        PolicyType::Rcp => (
            "POLICY_SIZE_EXCEEDS_RCP_QUOTA",
            5120,
            false,
            "the 5,120-character RCP quota",
        ),
        PolicyType::AccessPoint => (
            "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
            20 * 1024,
            true,
            "S3's 20 KB access point policy quota",
        ),
        PolicyType::VpcEndpoint => (
            "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
            20_480,
            false,
            "the 20,480-character quota of a VPC endpoint policy (AWS PrivateLink quotas)",
        ),
    }
}

fn size(ctx: &mut Ctx<'_>) {
    let view = ctx.view;
    let doc = ctx.locator.doc;
    let span = view.root.span;
    let text = doc
        .text()
        .get(span.start as usize..span.end as usize)
        .unwrap_or_default();
    let (chars, bytes) = policy_size(text);
    let inline = ctx
        .inline
        .filter(|_| view.policy_type == PolicyType::Identity);
    let (code, limit, in_bytes, what) = quota(view.policy_type, inline);
    let size = if in_bytes { bytes } else { chars };
    if size <= limit {
        return;
    }
    let unit = if in_bytes { "bytes" } else { "characters" };
    ctx.emit(
        code,
        span,
        &view.base,
        format!(
            "the {}{} is {size} {unit} without white space, over {what}",
            if inline.is_some() { "inline " } else { "" },
            view.policy_type.describe()
        ),
        Some("split it into several policies, or shorten it with wildcards where that grants nothing more".into()),
    );
}

/// G-13: IAM policies may contain only TAB, LF, CR and U+0020–U+00FF.
fn characters(ctx: &mut Ctx<'_>) {
    if !ctx.view.policy_type.is_iam() {
        return;
    }
    let span = ctx.view.root.span;
    let text = ctx
        .locator
        .doc
        .text()
        .get(span.start as usize..span.end as usize)
        .unwrap_or_default()
        .to_string();
    let mut reported_lines = Vec::new();
    for (i, c) in text.char_indices() {
        let ok = matches!(c, '\t' | '\n' | '\r') || ('\u{20}'..='\u{ff}').contains(&c);
        if ok {
            continue;
        }
        let start = span.start as usize + i;
        let at = Span::new(start, start + c.len_utf8());
        let loc = ctx.locator.doc.location(at.start);
        if reported_lines.contains(&loc.line) {
            continue;
        }
        reported_lines.push(loc.line);
        if reported_lines.len() > 20 {
            break;
        }
        let ptr = super::view::pointer_at(ctx.view.root, &ctx.view.base, at.start);
        ctx.emit(
            "S3GUARD_NON_LATIN1_CHARACTER",
            at,
            &ptr,
            format!(
                "U+{:04X} `{c}` is outside the characters IAM accepts in a policy (TAB, LF, CR, U+0020–U+00FF)",
                c as u32
            ),
            Some("IAM rejects the policy; replace the character".into()),
        );
    }
}

/// A statement's meaning, for comparing statements (Sid and order ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Canonical {
    effect: String,
    principal: Option<(bool, Vec<(String, String)>)>,
    action: Option<(bool, Vec<String>)>,
    resource: Option<(bool, Vec<String>)>,
    condition: Vec<(String, String, Vec<String>)>,
}

fn canonical(st: &StatementView<'_>) -> Canonical {
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v.dedup();
        v
    };
    Canonical {
        effect: st
            .value
            .get("Effect")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string(),
        principal: st.principal.as_ref().map(|p| {
            let mut v: Vec<(String, String)> = p
                .values
                .iter()
                .map(|v| (v.kind.clone(), v.entry.text.clone()))
                .collect();
            v.sort();
            v.dedup();
            (p.is_not, v)
        }),
        action: st.action.as_ref().map(|a| {
            (
                a.is_not,
                sorted(a.entries.iter().map(|e| e.text.to_lowercase()).collect()),
            )
        }),
        resource: st.resource.as_ref().map(|r| {
            (
                r.is_not,
                sorted(r.entries.iter().map(|e| e.text.clone()).collect()),
            )
        }),
        condition: {
            let mut c: Vec<(String, String, Vec<String>)> = st
                .condition_keys()
                .map(|(b, k)| {
                    (
                        b.operator
                            .map(|o: Operator| o.to_string())
                            .unwrap_or_else(|| b.operator_text.clone()),
                        k.key.to_lowercase(),
                        sorted(k.values.iter().map(|v| v.text.clone()).collect()),
                    )
                })
                .collect();
            c.sort();
            c
        },
    }
}

/// A statement's canonical form with its actions and resources compiled.
struct Form {
    canonical: Canonical,
    actions: Vec<Entry>,
    resources: Vec<Entry>,
}

impl Form {
    fn new(st: &StatementView<'_>, variables: bool) -> Form {
        let canonical = canonical(st);
        let actions = match &canonical.action {
            Some((_, v)) => v.iter().map(|a| Entry::action(a)).collect(),
            None => Vec::new(),
        };
        let resources = match &canonical.resource {
            Some((_, v)) => v.iter().map(|r| Entry::resource(r, variables)).collect(),
            None => Vec::new(),
        };
        Form {
            canonical,
            actions,
            resources,
        }
    }
}

/// Whether statement `a` adds nothing to `b`: same effect, principal and
/// condition (or `b` unconditional), every action and resource of `a`
/// covered by `b`'s.
fn subsumed(fa: &Form, fb: &Form, variables: bool, budget: &Budget) -> bool {
    let (a, b) = (&fa.canonical, &fb.canonical);
    if !budget.spend(1) {
        return false;
    }
    if a.effect != b.effect || a.principal != b.principal {
        return false;
    }
    if !(a.condition == b.condition || b.condition.is_empty()) {
        return false;
    }
    let (Some((false, _)), Some((false, _))) = (&a.action, &b.action) else {
        return a == b;
    };
    let (Some((false, ar)), Some((false, br))) = (&a.resource, &b.resource) else {
        return a == b;
    };
    let resources = ar.iter().zip(&fa.resources).all(|(x, ex)| {
        br.iter().zip(&fb.resources).any(|(y, ey)| {
            x == y
                || !(variables
                    && (crate::matcher::has_variable(x) || crate::matcher::has_variable(y)))
                    && ex.covered_by(ey, budget)
        })
    });
    resources
        && fa
            .actions
            .iter()
            .all(|x| fb.actions.iter().any(|y| x.covered_by(y, budget)))
}

fn redundant_statements(ctx: &mut Ctx<'_>) {
    let view = ctx.view;
    if view.statements.len() > MAX_PAIRWISE_STATEMENTS {
        ctx.skipped_pairwise.push(format!(
            "{} statements (the limit is {MAX_PAIRWISE_STATEMENTS})",
            view.statements.len()
        ));
        return;
    }
    let forms: Vec<Form> = view
        .statements
        .iter()
        .map(|st| Form::new(st, view.variables))
        .collect();
    for (i, st) in view.statements.iter().enumerate() {
        let Some(a) = forms.get(i) else { continue };
        if a.canonical.action.is_none() || a.canonical.resource.is_none() {
            continue;
        }
        let budget = &ctx.budget;
        let cover = view.statements.iter().enumerate().find(|(j, _)| {
            let Some(b) = forms.get(*j) else { return false };
            *j != i
                && subsumed(a, b, view.variables, budget)
                && !(subsumed(b, a, view.variables, budget) && *j > i)
        });
        let Some((_, other)) = cover else { continue };
        let msg = if forms.get(i).map(|f| &f.canonical)
            == cover.and_then(|(j, _)| forms.get(j)).map(|f| &f.canonical)
        {
            format!(
                "{} repeats {}: it has no effect of its own",
                st.label(),
                other.label()
            )
        } else {
            format!(
                "{} adds nothing to {}, which covers all its actions and resources{}",
                st.label(),
                other.label(),
                if a.canonical.condition.is_empty() {
                    ""
                } else {
                    " with the same or no condition"
                }
            )
        };
        let extra = ctx.place(other.span, &other.pointer);
        let ptr = st.pointer.clone();
        if let Some(f) = ctx.emit(
            "REDUNDANT_STATEMENT",
            st.span,
            &ptr,
            msg,
            Some(format!("remove {} (spec G-12)", st.label())),
        ) {
            f.locations.push(extra);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_ignores_white_space_outside_strings_spec_g14() {
        assert_eq!(policy_size("{ \"a b\" :\n\t1 }").0, "{\"a b\":1}".len());
        assert_eq!(policy_size("\"\\\" x\"").0, 6);
        assert_eq!(policy_size("\"é\"").1, 4);
    }
}
