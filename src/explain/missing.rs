//! Missing context: which keys the request lacks that the answer depends
//! on (spec O-1 `MissingContextValues`, O-3), and what the decision would
//! be with them.
//!
//! A key is *due* a note only when some value of it would change the
//! decision. For each statement whose principal and action match, the
//! unknowns that decide it are read off its trace: condition keys the
//! request lacks (C-3) and policy variables without a value in its
//! `Resource`/`NotResource` entries (V-4). A statement that applies stops
//! applying if any unknown it depends on takes another value; a statement
//! that does not apply would apply only if every unknown that fails it
//! took a fitting value and nothing known fails it. The statement is then
//! forced the other way and asked of the evaluator
//! ([`PolicySet::authorize_forcing`]); the note is due only when the
//! decision changes. Keys the request can never carry (an anonymous caller
//! has no `aws:PrincipalArn`, E-7; `s3:PutBucketPolicy` never sends
//! `s3:prefix`, C-15) are absent, not missing: they are neither noted nor
//! listed.

use super::notes::{MissingKeyNote, Note, Values, WhatIf};
use super::trace::{ConditionTest, Reason, StatementTrace};
use super::Evaluation;
use crate::condition::{KeyReason, Operator, Outcome};
use crate::eval::applicability::Applicability;
use crate::eval::policy_set::PolicySet;
use crate::policy::Statement;
use crate::request::Request;

/// The unknowns that decide one statement.
struct Unknowns {
    /// Keys whose supplied value would change the statement, as written.
    keys: Vec<String>,
    /// The values that would, when one key alone decides.
    values: Values,
}

fn push_key(keys: &mut Vec<String>, key: &str) {
    if !keys.iter().any(|k| k.eq_ignore_ascii_case(key)) {
        keys.push(key.to_string());
    }
}

/// What decides a statement whose principal and action match; `None` when
/// no missing key or variable could change whether it applies.
fn unknowns(
    t: &StatementTrace,
    stmt: &Statement,
    req: &Request,
    carried: &dyn Fn(&str) -> bool,
) -> Option<Unknowns> {
    let mut fits: Vec<(String, Option<String>, Vec<String>)> = Vec::new();
    let mut resource_known = true;
    for r in &t.reasons {
        match r {
            Reason::Layer { .. }
            | Reason::Principal { matched: false, .. }
            | Reason::Action { matched: false, .. } => return None,
            Reason::Resource {
                matched,
                unresolved,
                ..
            } => {
                // Only a `Resource` that failed, or a `NotResource` that let
                // the statement apply, because of variables without a value
                // is unknown; anything else is decided.
                let is_not = stmt.resource.is_not();
                if unresolved.is_empty() || *matched != is_not {
                    if !*matched {
                        return None;
                    }
                    continue;
                }
                for p in stmt.resource.patterns() {
                    if let Some(fit) = p.fit(&req.resource, &req.context) {
                        if fit.variables.iter().all(|v| carried(v)) {
                            fits.push((p.as_str().to_string(), fit.value, fit.variables));
                        }
                    }
                }
                if !*matched && fits.is_empty() {
                    return None;
                }
                resource_known = *matched;
            }
            _ => {}
        }
    }
    let conditions: Vec<(&String, &String, &Vec<String>, Outcome, bool)> = t
        .reasons
        .iter()
        .filter_map(|r| match r {
            Reason::Condition {
                test, result, why, ..
            } => Some((
                &test.operator,
                &test.key,
                &test.values,
                *result,
                *why == KeyReason::Missing && carried(&test.key),
            )),
            _ => None,
        })
        .collect();
    let negated = |op: &str| Operator::parse(op).map(|o| o.negated).unwrap_or(false);
    let mut keys = Vec::new();
    if t.applies {
        // Any one unknown taking another value stops it from applying.
        for (_, key, _, _, missing) in &conditions {
            if *missing {
                push_key(&mut keys, key);
            }
        }
        if stmt.resource.is_not() {
            for (_, _, vars) in &fits {
                for v in vars {
                    push_key(&mut keys, v);
                }
            }
        }
        let missing: Vec<_> = conditions.iter().filter(|c| c.4).collect();
        let values = match (keys.len(), missing.as_slice(), fits.as_slice()) {
            (1, [(op, _, values, _, _)], []) => {
                if negated(op) {
                    Values::NegatedMatching {
                        values: (*values).clone(),
                    }
                } else {
                    Values::NotMatching {
                        values: (*values).clone(),
                    }
                }
            }
            (1, [], [(pattern, value, _)]) => Values::Fits {
                pattern: pattern.clone(),
                value: value.clone(),
            },
            _ => Values::Together { applied: false },
        };
        return (!keys.is_empty()).then_some(Unknowns { keys, values });
    }
    // It would apply only if every failing part were an unknown.
    let known_failure = conditions
        .iter()
        .any(|(_, _, _, result, missing)| *result != Outcome::True && !missing);
    if known_failure || (!resource_known && fits.is_empty()) {
        return None;
    }
    let failing: Vec<_> = conditions
        .iter()
        .filter(|(_, _, _, result, _)| *result != Outcome::True)
        .collect();
    for (_, key, _, _, _) in &failing {
        push_key(&mut keys, key);
    }
    if !resource_known {
        for (_, _, vars) in &fits {
            for v in vars {
                push_key(&mut keys, v);
            }
        }
    }
    let values = match (keys.len(), failing.as_slice(), resource_known) {
        (1, [(op, key, values, _, _)], true) => {
            if negated(op) {
                Values::MatchingNoneOf {
                    values: (*values).clone(),
                }
            } else {
                // Negated conditions on the same key (true while it is
                // missing) must stay true: their values are excluded.
                let except = conditions
                    .iter()
                    .filter(|(o, k, _, r, _)| {
                        k.eq_ignore_ascii_case(key) && *r == Outcome::True && negated(o)
                    })
                    .flat_map(|(_, _, vs, _, _)| vs.iter().cloned())
                    .collect();
                Values::Matching {
                    values: (*values).clone(),
                    except,
                }
            }
        }
        (1, [], false) => match fits.as_slice() {
            [(pattern, value, _)] => Values::Fits {
                pattern: pattern.clone(),
                value: value.clone(),
            },
            _ => Values::Together { applied: true },
        },
        _ => Values::Together { applied: true },
    };
    (!keys.is_empty()).then_some(Unknowns { keys, values })
}

impl PolicySet {
    /// Fills `eval.missing_context` and adds a note for every set of keys
    /// the decision depends on.
    pub(crate) fn missing_context(&self, req: &Request, eval: &mut Evaluation) {
        // Keys AWS never sends with this request (the caller never has
        // them, E-7; the action never carries them, C-15; access point keys
        // of a direct request, AP-3) are absent, not missing.
        let carried = |key: &str| req.can_carry_key(key);
        let mut missing: Vec<String> = Vec::new();
        let mut notes: Vec<MissingKeyNote> = Vec::new();
        for t in &eval.traces {
            if t.elements_match {
                for r in &t.reasons {
                    if let Reason::Condition {
                        test: ConditionTest { key, .. },
                        why: KeyReason::Missing,
                        ..
                    } = r
                    {
                        if carried(key) {
                            push_key(&mut missing, key);
                        }
                    }
                }
            }
            let Some(stmt) = self.statement(t.statement_ref) else {
                continue;
            };
            let Some(u) = unknowns(t, stmt, req, &carried) else {
                continue;
            };
            let flipped = if t.applies {
                Applicability::DoesNotApply
            } else {
                Applicability::Applies(t.principal_match())
            };
            let alt = self.authorize_forcing(req, &[(t.statement_ref, flipped)]);
            if alt.decision == eval.response.decision {
                continue;
            }
            for k in &u.keys {
                push_key(&mut missing, k);
            }
            let case = WhatIf {
                statement: t.statement_ref,
                position: t.position(),
                label: t.label(),
                values: u.values,
            };
            let same = notes.iter_mut().find(|n| {
                n.would_be == alt.decision
                    && n.keys.len() == u.keys.len()
                    && n.keys
                        .iter()
                        .all(|k| u.keys.iter().any(|o| o.eq_ignore_ascii_case(k)))
            });
            match same {
                Some(n) => {
                    if !n.cases.contains(&case) {
                        n.cases.push(case);
                    }
                }
                None => notes.push(MissingKeyNote {
                    keys: u.keys,
                    would_be: alt.decision,
                    cases: vec![case],
                }),
            }
        }
        missing.sort_by_key(|k| k.to_lowercase());
        eval.missing_context = missing;
        eval.notes
            .extend(notes.into_iter().map(Note::DependsOnMissing));
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::policy_set::PolicySet;
    use crate::eval::response::Decision;
    use crate::explain::{Evaluation, Note};
    use crate::policy::Policy;
    use crate::request::Request;

    fn eval(policy: &str, action: &str, resource: &str, ctx: &[(&str, &str)]) -> Evaluation {
        let set = PolicySet::identity([Policy::parse("p.json", policy).unwrap()]);
        let mut req = Request::new(action, resource).unwrap();
        for (k, v) in ctx {
            req = req.with_context(k, v);
        }
        set.evaluate(&req)
    }

    fn texts(e: &Evaluation) -> Vec<String> {
        e.notes.iter().map(ToString::to_string).collect()
    }

    const IP: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Office","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#;

    #[test]
    fn missing_key_is_said_out_loud_issue3_spec_o1() {
        let e = eval(IP, "s3:GetObject", "arn:aws:s3:::b/x", &[]);
        assert_eq!(e.response.decision, Decision::ImplicitDeny);
        assert_eq!(e.missing_context, vec!["aws:SourceIp"]);
        assert_eq!(
            texts(&e),
            ["decision depends on missing key aws:SourceIp (would be ALLOW if it matched 203.0.113.0/24; p.json:1:38 Sid Office)"]
        );
        let with = eval(
            IP,
            "s3:GetObject",
            "arn:aws:s3:::b/x",
            &[("aws:SourceIp", "203.0.113.9")],
        );
        assert_eq!(with.response.decision, Decision::Allowed);
        assert!(with.missing_context.is_empty() && with.notes.is_empty());
    }

    #[test]
    fn missing_keys_of_unrelated_statements_are_not_reported() {
        let e = eval(IP, "s3:PutObject", "arn:aws:s3:::b/x", &[]);
        assert!(e.missing_context.is_empty());
        assert!(e.notes.is_empty());
    }

    /// Issue 14 item 7 (spec V-4, O-1): a Deny whose `Resource` names a
    /// variable the request lacks would deny for some value of it.
    #[test]
    fn a_deny_on_a_resource_variable_is_a_missing_key_issue14_spec_v4() {
        let p = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:*","Resource":"*"},
            {"Sid":"Own","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::${aws:username}"}]}"#;
        let e = eval(p, "s3:DeleteBucket", "arn:aws:s3:::prod", &[]);
        assert_eq!(e.response.decision, Decision::Allowed);
        assert_eq!(e.missing_context, vec!["aws:username"]);
        assert_eq!(
            texts(&e),
            ["decision depends on missing key aws:username (would be DENY (explicit) if it were `prod`, so that `arn:aws:s3:::${aws:username}` covers the resource; p.json:3:13 Sid Own)"]
        );
        // With the key, the Deny decides and nothing is missing.
        let alice = eval(
            p,
            "s3:DeleteBucket",
            "arn:aws:s3:::prod",
            &[("aws:username", "prod")],
        );
        assert_eq!(alice.response.decision, Decision::ExplicitDeny);
        assert!(alice.notes.is_empty() && alice.missing_context.is_empty());
        // A variable whose entry could never cover the resource is no note.
        let other = eval(p, "s3:DeleteObject", "arn:aws:s3:::prod/k", &[]);
        assert!(other.notes.is_empty(), "{:?}", texts(&other));
    }

    /// Issue 14 item 8 (spec O-3, C-3): a key whose absence already
    /// satisfies its condition is not named; the same key twice in one
    /// statement is named once, with both of its conditions.
    #[test]
    fn notes_name_only_keys_that_would_change_the_decision_issue14() {
        // The AWS S3 User Guide's "Restricting access to specific IP
        // addresses" example: IpAddress and NotIpAddress on one key.
        let p = r#"{"Version":"2012-10-17","Statement":[{"Sid":"IPAllow","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
            "Condition":{"IpAddress":{"aws:SourceIp":"54.240.143.0/24"},"NotIpAddress":{"aws:SourceIp":"54.240.143.188/32"},
            "StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}}]}"#;
        let e = eval(p, "s3:GetObject", "arn:aws:s3:::b/k", &[]);
        assert_eq!(
            texts(&e),
            ["decision depends on missing key aws:SourceIp (would be ALLOW if it matched 54.240.143.0/24 but none of 54.240.143.188/32; p.json:1:38 Sid IPAllow)"]
        );
        // A known condition that fails already decides: no missing key can.
        let e = eval(
            p,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &[("aws:SourceVpce", "vpce-2")],
        );
        assert!(e.notes.is_empty(), "{:?}", texts(&e));
    }

    /// Issue 14 item 8: keys an anonymous caller never carries (E-7) are
    /// absent, not missing.
    #[test]
    fn keys_anonymous_callers_never_carry_are_not_missing_issue14_spec_e7() {
        let bucket = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Role","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
            "Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/app"}}}]}"#;
        let set = PolicySet::builder()
            .policy(
                Policy::parse_as(
                    "b.json",
                    bucket,
                    crate::policy::LoadOptions::new(crate::policy::PolicyType::Resource),
                )
                .unwrap(),
            )
            .build();
        let req = Request::new("s3:GetObject", "arn:aws:s3:::b/k")
            .unwrap()
            .with_principal("anonymous")
            .unwrap();
        let e = set.evaluate(&req);
        assert_eq!(e.response.decision, Decision::ImplicitDeny);
        assert!(e
            .notes
            .iter()
            .all(|n| !matches!(n, Note::DependsOnMissing(_))));
        assert!(e.missing_context.is_empty(), "{:?}", e.missing_context);
    }
}
