//! Allowed, conditional or denied: the one classification of a request
//! whose answer may depend on things left open (spec E-1, E-17), shared by
//! `review`'s access matrix and by the S3 command model (`actions`,
//! `can-run`, `replay`).
//!
//! The open things are *unknown statements*: statements whose known
//! elements match but whose applicability hangs on something open (a
//! condition, a policy variable, who the caller is). Each is forced to
//! apply and not to apply ([`PolicySet::authorize_forcing`]). The decision
//! only grows with applicable Allows and shrinks with applicable Denies,
//! so "allowed even with every unknown Allow off and every unknown Deny
//! on" means allowed whatever the unknowns are, and "denied even with
//! every unknown Allow on and every unknown Deny off" means denied
//! whatever they are; anything between is conditional.

use serde::Serialize;

use crate::eval::applicability::Applicability;
use crate::eval::policy_set::PolicySet;
use crate::eval::response::{Response, StatementRef};
use crate::policy::Effect;
use crate::request::Request;

/// How firmly a request is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// Allowed whatever the unknowns are.
    Allowed,
    /// Allowed for some values of the unknowns, denied for others.
    Conditional,
    /// Denied whatever the unknowns are.
    Denied,
}

impl Access {
    /// `allowed`, `conditional`, `denied`.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Allowed => "allowed",
            Access::Conditional => "conditional",
            Access::Denied => "denied",
        }
    }
}

/// A statement whose applicability depends on something open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unknown {
    /// The statement.
    pub r: StatementRef,
    /// Its effect.
    pub effect: Effect,
    /// How it applies when it does (the principal match it would have).
    pub applies_as: Applicability,
}

/// The evaluator's answer with every unknown Allow forced to `allows`,
/// every unknown Deny to `denies`, and the unknown at `flip` the other way.
pub(crate) fn force(
    set: &PolicySet,
    req: &Request,
    unknowns: &[Unknown],
    allows: bool,
    denies: bool,
    flip: Option<usize>,
) -> Response {
    let forced: Vec<(StatementRef, Applicability)> = unknowns
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let mut on = match u.effect {
                Effect::Allow => allows,
                Effect::Deny => denies,
            };
            if flip == Some(i) {
                on = !on;
            }
            let a = if on {
                u.applies_as
            } else {
                Applicability::DoesNotApply
            };
            (u.r, a)
        })
        .collect();
    set.authorize_forcing(req, &forced)
}

/// The two bounds of a request with unknowns.
#[derive(Debug, Clone)]
pub(crate) struct Bounds {
    /// Every unknown Allow off, every unknown Deny on.
    pub worst: Response,
    /// Every unknown Allow on, every unknown Deny off.
    pub best: Response,
}

impl Bounds {
    /// Computes both bounds.
    pub(crate) fn of(set: &PolicySet, req: &Request, unknowns: &[Unknown]) -> Bounds {
        Bounds {
            worst: force(set, req, unknowns, false, true, None),
            best: force(set, req, unknowns, true, false, None),
        }
    }

    /// Allowed or denied when the bounds agree; `None` when they leave it
    /// open (conditional, unless the unknowns exclude each other).
    pub(crate) fn settled(&self) -> Option<Access> {
        if self.worst.decision.is_allowed() {
            Some(Access::Allowed)
        } else if !self.best.decision.is_allowed() {
            Some(Access::Denied)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::probe::judge;
    use crate::policy::{LoadOptions, Policy, PolicyType};

    fn identity(text: &str) -> Policy {
        Policy::parse("id.json", text).unwrap()
    }

    /// An Allow without condition decides alone: the condition of another
    /// Allow does not make the grant conditional (spec E-1, E-17).
    #[test]
    fn a_condition_that_cannot_change_the_answer_is_not_conditional_spec_e17() {
        let set = PolicySet::identity([identity(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#,
        )]);
        let req = Request::new("s3:GetObject", "arn:aws:s3:::b/k").unwrap();
        let v = judge(&set, &req);
        assert_eq!(v.grant, Access::Allowed);
        assert!(v.condition_keys.is_empty());
    }

    /// Cross-account, both sides must allow (E-6): two conditional Allows
    /// that are needed together make the request conditional, and both
    /// keys are named.
    #[test]
    fn allows_needed_together_are_conditional_spec_e6() {
        let bucket = Policy::parse_as(
            "b.json",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}]}"#,
            LoadOptions::new(PolicyType::Resource),
        )
        .unwrap();
        let set = PolicySet::builder()
            .identity(identity(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#,
            ))
            .resource(bucket)
            .build();
        let req = Request::new("s3:GetObject", "arn:aws:s3:::b/k")
            .unwrap()
            .with_principal("arn:aws:iam::444455556666:user/bob")
            .unwrap()
            .with_resource_account("111122223333");
        let v = judge(&set, &req);
        assert_eq!(v.grant, Access::Conditional);
        assert_eq!(v.condition_keys, ["aws:SourceIp", "aws:SourceVpce"]);
    }
}
