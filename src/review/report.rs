//! A review: the matrix of a policy set, its verdict, and what the reader
//! must know about the scope of the answer.

use super::classes::{resource_classes_with, ClassKind, Classes};
use super::matrix::Matrix;
use super::through::access_point_classes;
use super::verdict::Verdict;
use crate::catalog;
use crate::eval::policy_set::PolicySet;
use crate::policy::{Effect, PolicyType, PrincipalKind};
use crate::request::{Principal, Request};

/// One reviewed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewed {
    /// Display name (the file as given).
    pub name: String,
    /// Its layer.
    pub policy_type: PolicyType,
}

/// Everything a review shows.
#[derive(Debug, Clone)]
pub struct Review {
    /// The policies, in the order given.
    pub policies: Vec<Reviewed>,
    /// The caller the review is for.
    pub principal: Principal,
    /// The account owning the resources, when it differs from the caller's.
    pub resource_account: Option<String>,
    /// The access matrix.
    pub matrix: Matrix,
    /// The verdict.
    pub verdict: Verdict,
    /// Scope and assumptions, for the reader.
    pub notes: Vec<String>,
}

impl Review {
    /// Reviews a policy set for the caller and context of `base` (its
    /// action and resource are ignored), over the buckets the policies name
    /// plus `extra_buckets`, and through the set's access point when it
    /// describes one (spec AP-1).
    pub fn new(set: &PolicySet, base: &Request, extra_buckets: &[String]) -> Review {
        let classes = review_classes(&[set], base, extra_buckets);
        Review::with_classes(set, base, classes.classes, classes.notes)
    }

    /// Reviews over given classes (a diff uses the classes of both sides).
    pub fn with_classes(
        set: &PolicySet,
        base: &Request,
        classes: Vec<super::ResourceClass>,
        class_notes: Vec<String>,
    ) -> Review {
        let matrix = Matrix::compute(set, classes, base);
        let verdict = Verdict::of(&matrix);
        let mut notes = class_notes;
        notes.extend(scope_notes(set, base));
        for n in &matrix.notes {
            if !notes.contains(n) {
                notes.push(n.clone());
            }
        }
        // ACLs given (--object-acl, --bucket-acl) are evaluated (E-20)
        let acls_given = set.options().object_acl.is_some() || set.options().bucket_acl.is_some();
        notes.push(format!(
            "not modelled: {}VPC endpoint policies, KMS key policies, S3 Access Grants (spec section 9)",
            if acls_given { "" } else { "S3 ACLs, " }
        ));
        Review {
            policies: set
                .members()
                .iter()
                .map(|m| Reviewed {
                    name: m.policy.name.clone(),
                    policy_type: m.layer,
                })
                .collect(),
            principal: base.principal.clone(),
            resource_account: base.resource_account.clone(),
            matrix,
            verdict,
            notes,
        }
    }

    /// `policies/a.json (identity policy), b.json (bucket policy)`.
    pub fn policy_list(&self) -> String {
        self.policies
            .iter()
            .map(|p| format!("{} ({})", p.name, p.policy_type.describe()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Who the review is for, in words.
    pub fn caller(&self) -> String {
        let who = match &self.principal {
            Principal::Unspecified => {
                "any principal of the account (no --principal given)".to_string()
            }
            p => p.to_string(),
        };
        match &self.resource_account {
            Some(a) => format!("{who}; resources owned by account {a}"),
            None => who,
        }
    }
}

/// The columns of a review of `sets` (one set, or the two sides of a
/// `diff`): the resource classes of all their policies plus
/// `extra_buckets`, and, when a set describes an access point, the
/// columns through it (spec AP-1), right after the buckets. A pattern of
/// the access point policy is asked through the access point, once.
pub fn review_classes(sets: &[&PolicySet], base: &Request, extra_buckets: &[String]) -> Classes {
    review_classes_with(sets, base, extra_buckets, None)
}

/// As [`review_classes`], remembering in `memo` what each pattern names of
/// the other resource types (the account review asks thousands of sets).
pub fn review_classes_with(
    sets: &[&PolicySet],
    base: &Request,
    extra_buckets: &[String],
    memo: Option<&super::SampleMemo>,
) -> Classes {
    let mut classes = resource_classes_with(
        sets.iter()
            .flat_map(|s| s.members().iter().map(|m| &*m.policy)),
        extra_buckets,
        &base.context,
        memo,
    );
    let at = classes
        .classes
        .iter()
        .position(|c| c.kind == ClassKind::Account)
        .unwrap_or(classes.classes.len());
    let mut through: Vec<super::ResourceClass> = Vec::new();
    for set in sets {
        for class in access_point_classes(set, base) {
            if !through.iter().any(|t| t.id == class.id) {
                through.push(class);
            }
        }
    }
    classes.classes.retain(|c| {
        c.kind != ClassKind::Other || c.generic || !through.iter().any(|t| t.pattern == c.pattern)
    });
    classes.classes.splice(at..at, through);
    classes
}

fn scope_notes(set: &PolicySet, base: &Request) -> Vec<String> {
    let cat = catalog::catalog();
    let mut notes = Vec::new();
    let mut services: Vec<String> = Vec::new();
    let mut not_action = false;
    let mut names_principals = false;
    for m in set.members() {
        for s in &m.policy.statements {
            if s.effect == Effect::Allow && s.action.is_not() {
                not_action = true;
            }
            if s.effect == Effect::Allow {
                for p in s.action.patterns() {
                    if let Some(svc) = p.service() {
                        let svc = svc.to_lowercase();
                        if !cat.knows_service(&svc)
                            && !svc.contains(['*', '?'])
                            && !services.contains(&svc)
                        {
                            services.push(svc);
                        }
                    }
                }
            }
            if let Some(clause) = &s.principal {
                if clause
                    .entries()
                    .iter()
                    .any(|e| e.kind != PrincipalKind::Everyone)
                {
                    names_principals = true;
                }
            }
        }
    }
    if !services.is_empty() {
        services.sort();
        let shown: Vec<&str> = services.iter().take(5).map(String::as_str).collect();
        let more = if services.len() > 5 {
            format!(", and {} more", services.len() - 5)
        } else {
            String::new()
        };
        notes.push(format!(
            "the policies also allow actions of {} other service{} ({}{more}); this review covers s3, s3express and s3-object-lambda only",
            services.len(),
            if services.len() == 1 { "" } else { "s" },
            shown.join(", ")
        ));
    }
    if not_action {
        notes.push("an Allow with NotAction grants every action of every service it does not list, beyond S3 too (spec E-10)".into());
    }
    if names_principals && base.principal == Principal::Unspecified {
        notes.push("no --principal given: what statements grant or deny to named principals is shown as conditional (\"only if the caller is …\"); pass --principal ARN to review one caller".into());
    }
    notes
}
