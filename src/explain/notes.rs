//! Notes: what the user should know about an answer, as facts with data.
//! Words are made only when a note is displayed (and a note serializes to
//! those words, so the JSON `notes` array reads as the text answer does).

use std::fmt;

use serde::{Serialize, Serializer};

use super::trace::{LayerAbsence, Reason};
use super::Evaluation;
use crate::eval::acl::AclOf;
use crate::eval::policy_set::PolicySet;
use crate::eval::response::{Decision, StatementRef};
use crate::matcher::Resource;
use crate::policy::{Effect, PolicyType, PrincipalKind};
use crate::request::{Principal, Request};

/// One thing the user should know about an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The decision would differ if the request carried a key it lacks
    /// (spec O-1, O-3; V-4 for policy variables in `Resource`).
    DependsOnMissing(MissingKeyNote),
    /// Errors tolerated with `--lenient`: the statements they concern were
    /// left out of the answer.
    LenientSkipped {
        /// The policy's display name.
        policy: String,
        /// How many errors.
        errors: usize,
        /// `LINE:COL` of each.
        places: Vec<String>,
    },
    /// The bucket owner's root user and the bucket policy actions (E-11).
    BucketOwnerRoot,
    /// A wildcard-only action granted through an ARN pattern rather than
    /// `"*"` (M-6).
    WildcardOnlyThroughPattern {
        /// `FILE:LINE:COL (Sid X)` of the granting statement.
        statement: String,
        /// The action asked about.
        action: String,
        /// The statement's `Resource` entries.
        patterns: Vec<String>,
    },
    /// No `--principal`: statements naming principals were not matched.
    UnspecifiedPrincipal,
    /// A federated-user session without a session policy (E-13).
    FederatedWithoutSessionPolicy,
    /// Role principals compared without the role's path.
    RolePathUnknown,
    /// Block Public Access and a public bucket policy that still grants
    /// to this caller (E-15).
    PublicPolicyRestricted,
    /// A request through an access point: how it fared at the access point
    /// and at the bucket behind it, and whether the access point refused
    /// it (spec AP-1, AP-4, AP-5).
    ThroughAccessPoint {
        /// At the access point.
        access_point: crate::eval::access_point::PhaseOutcome,
        /// At the bucket.
        bucket: crate::eval::access_point::PhaseOutcome,
        /// Why the access point refused the request, if it did.
        refusal: Option<crate::eval::access_point::AccessPointRefusal>,
    },
    /// The ACL that authorizes this request was given, but Object Ownership
    /// `BucketOwnerEnforced` disables ACLs (E-21).
    AclsDisabled {
        /// The bucket's or the object's ACL.
        acl: AclOf,
    },
    /// `IgnorePublicAcls` leaves out the public grants of the ACL that
    /// authorizes this request (E-19).
    PublicAclIgnored {
        /// The bucket's or the object's ACL.
        acl: AclOf,
    },
    /// Another account owns the object: the bucket policy grants nothing
    /// on it, the object's ACL decides (E-21).
    ForeignObjectOwner {
        /// The object owner's account.
        owner: String,
    },
    /// `BlockPublicPolicy` is on, but the new policy of this
    /// `PutBucketPolicy` was not given (E-19).
    NewBucketPolicyUnknown,
    /// A layer given that does not bind this caller (E-4, E-7, E-12, E-13).
    LayerNotTakingPart {
        /// The layer.
        layer: PolicyType,
        /// Why it does not take part.
        why: LayerAbsence,
    },
}

/// Which keys the decision depends on, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingKeyNote {
    /// The keys the request lacks, as written in the policy, each once.
    pub keys: Vec<String>,
    /// What the decision would be.
    pub would_be: Decision,
    /// The statements whose applicability the keys decide, and how.
    pub cases: Vec<WhatIf>,
}

/// One statement a missing key decides, and which values would change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatIf {
    /// The statement.
    pub statement: StatementRef,
    /// `FILE:LINE:COL`.
    pub position: String,
    /// `Sid X` or `statement #N`.
    pub label: String,
    /// The values that would change it.
    pub values: Values,
}

/// The values of a missing key that would change a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Values {
    /// The statement would apply if the key matched one of `values` (and
    /// none of `except`).
    Matching {
        /// Values that make the condition true.
        values: Vec<String>,
        /// Values a negated condition on the same key excludes.
        except: Vec<String>,
    },
    /// The statement would apply if the key matched none of `values`.
    MatchingNoneOf {
        /// Values a negated operator lists.
        values: Vec<String>,
    },
    /// The statement would stop applying if the key were supplied and did
    /// not match `values`.
    NotMatching {
        /// The values of the condition.
        values: Vec<String>,
    },
    /// The statement would stop applying if the key matched `values`
    /// (a negated operator).
    NegatedMatching {
        /// The values of the negated condition.
        values: Vec<String>,
    },
    /// A policy variable in a `Resource`/`NotResource` entry: with this
    /// value (when s3guard could work it out), the entry would cover the
    /// request's resource (V-4).
    Fits {
        /// The entry as written.
        pattern: String,
        /// The value that makes it cover the resource.
        value: Option<String>,
    },
    /// Several keys: the statement would apply (or stop applying) if they
    /// were all supplied with fitting values.
    Together {
        /// Whether the statement would apply (`false`: stop applying).
        applied: bool,
    },
}

impl Note {
    /// Whether this note says the decision depends on a missing key.
    pub fn is_missing_key(&self) -> bool {
        matches!(self, Note::DependsOnMissing(_))
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::DependsOnMissing(m) => m.fmt(f),
            Note::LenientSkipped { policy, errors, places } => write!(
                f,
                "{policy}: {errors} error(s) tolerated with --lenient (at {}); the statements they concern were skipped and this answer ignores them",
                places.join(", ")
            ),
            Note::BucketOwnerRoot => f.write_str("the bucket owner's root user can always read, change and delete the bucket policy; Deny statements of the bucket policy do not apply to it (spec E-11)"),
            Note::WildcardOnlyThroughPattern { statement, action, patterns } => write!(
                f,
                "{statement} grants the wildcard-only action {action} through `{}`; AWS documentation disagrees on whether that works: use \"Resource\": \"*\" (spec M-6)",
                patterns.join("`, `")
            ),
            Note::UnspecifiedPrincipal => f.write_str("no --principal given: bucket policy statements that name specific principals were not matched; pass --principal ARN"),
            Note::FederatedWithoutSessionPolicy => f.write_str("a federated-user session without a session policy gets no permissions from identity policies (spec E-13)"),
            Note::RolePathUnknown => f.write_str("the role's path is unknown (session ARNs omit it): role principals were compared by account and name; pass --context aws:PrincipalArn=ROLE_ARN to be exact"),
            Note::PublicPolicyRestricted => f.write_str("the bucket policy is public: with Block Public Access on, it grants only to the bucket's account and to AWS services (spec E-15)"),
            Note::ThroughAccessPoint { access_point, bucket, refusal } => {
                if let Some(r) = refusal {
                    return write!(f, "refused by the access point: {r}");
                }
                let phase = |f: &mut fmt::Formatter<'_>, o: &crate::eval::access_point::PhaseOutcome, policy: &str| {
                    write!(f, "{} with the caller's policies and the {policy} on {}", o.decision.headline(), o.resource)?;
                    match o.blocked_by {
                        Some(t) if o.decision == Decision::ImplicitDeny => {
                            write!(f, " (no {} statement allows it)", t.describe())
                        }
                        _ => Ok(()),
                    }
                };
                f.write_str("through an access point, both the access point and the bucket must allow (spec AP-1): at the access point, ")?;
                phase(f, access_point, "access point policy")?;
                f.write_str("; at the bucket, ")?;
                phase(f, bucket, "bucket policy")
            }
            Note::AclsDisabled { acl } => write!(f, "the {} ACL grants nothing: Object Ownership BucketOwnerEnforced disables ACLs (spec E-21)", acl_name(*acl)),
            Note::PublicAclIgnored { acl } => write!(f, "the public grants of the {} ACL are ignored: Block Public Access IgnorePublicAcls is on (spec E-19)", acl_name(*acl)),
            Note::ForeignObjectOwner { owner } => write!(f, "the object belongs to account {owner}, not to the bucket owner: the bucket policy grants nothing on it (its Deny statements still apply), and the object's ACL is the resource side (spec E-21)"),
            Note::NewBucketPolicyUnknown => f.write_str("BlockPublicPolicy refuses s3:PutBucketPolicy when the new policy is public: give it with --new-bucket-policy FILE to have it judged (spec E-19)"),
            Note::LayerNotTakingPart { layer, why } => {
                write!(f, "the {} does not take part: {why}", layer.describe())
            }
        }
    }
}

fn acl_name(acl: AclOf) -> &'static str {
    match acl {
        AclOf::Bucket => "bucket",
        AclOf::Object => "object",
    }
}

impl fmt::Display for MissingKeyNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let one = self.keys.len() == 1;
        write!(
            f,
            "decision depends on missing key{} {} (would be {}",
            if one { "" } else { "s" },
            self.keys.join(", "),
            self.would_be.headline()
        )?;
        for (i, case) in self.cases.iter().enumerate() {
            if i > 0 {
                f.write_str("; or")?;
            }
            let list = |vs: &[String], sep: &str| vs.join(sep);
            match &case.values {
                Values::Matching { values, except } => {
                    write!(f, " if it matched {}", list(values, " or "))?;
                    if !except.is_empty() {
                        write!(f, " but none of {}", list(except, ", "))?;
                    }
                    write!(f, "; {} {}", case.position, case.label)?;
                }
                Values::MatchingNoneOf { values } => write!(
                    f,
                    " if it matched none of {}; {} {}",
                    list(values, " or "),
                    case.position,
                    case.label
                )?,
                Values::NotMatching { values } => write!(
                    f,
                    " if it were supplied and did not match {}; {} {}",
                    list(values, " or "),
                    case.position,
                    case.label
                )?,
                Values::NegatedMatching { values } => write!(
                    f,
                    " if it matched {}; {} {}",
                    list(values, " or "),
                    case.position,
                    case.label
                )?,
                Values::Fits {
                    pattern,
                    value: Some(v),
                } => write!(
                    f,
                    " if it were `{v}`, so that `{pattern}` covers the resource; {} {}",
                    case.position, case.label
                )?,
                Values::Fits {
                    pattern,
                    value: None,
                } => write!(
                    f,
                    " if its value made `{pattern}` cover the resource; {} {}",
                    case.position, case.label
                )?,
                Values::Together { applied } => write!(
                    f,
                    " if {} supplied and {} {} {}",
                    if one { "it were" } else { "they were" },
                    case.position,
                    case.label,
                    if *applied { "applied" } else { "did not apply" }
                )?,
            }
        }
        f.write_str(")")
    }
}

impl Serialize for Note {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl PolicySet {
    /// The notes that do not depend on missing keys: assumptions, layers
    /// that do not take part, and AWS behaviours worth knowing.
    pub(crate) fn general_notes(&self, req: &Request, eval: &Evaluation) -> Vec<Note> {
        let mut notes = Vec::new();
        for m in self.members() {
            if !m.policy.skipped.is_empty() {
                notes.push(Note::LenientSkipped {
                    policy: m.policy.name.clone(),
                    errors: m.policy.skipped.len(),
                    places: m
                        .policy
                        .skipped
                        .iter()
                        .filter_map(|d| d.location.map(|l| format!("{}:{}", l.line, l.column)))
                        .collect(),
                });
            }
        }
        if crate::eval::authorizer::is_bucket_owner_root_policy_action(req)
            && self.has_layer(PolicyType::Resource)
        {
            notes.push(Note::BucketOwnerRoot);
        }
        if req.resource == Resource::Wildcard {
            for r in &eval.response.determining {
                let Some(stmt) = self.statement(*r) else {
                    continue;
                };
                if stmt.effect == Effect::Allow
                    && !stmt.resource.is_not()
                    && !stmt.resource.patterns().iter().any(|p| p.is_any())
                {
                    notes.push(Note::WildcardOnlyThroughPattern {
                        statement: self.position(*r),
                        action: req.action.to_string(),
                        patterns: stmt
                            .resource
                            .patterns()
                            .iter()
                            .map(|p| p.as_str().to_string())
                            .collect(),
                    });
                }
            }
        }
        if req.principal == Principal::Unspecified && self.has_layer(PolicyType::Resource) {
            let names_principals = eval.traces.iter().any(|t| {
                t.policy_type == PolicyType::Resource
                    && t.reasons
                        .iter()
                        .any(|r| matches!(r, Reason::Principal { matched: false, .. }))
            });
            if names_principals {
                notes.push(Note::UnspecifiedPrincipal);
            }
        }
        if let Principal::FederatedUser { .. } = req.principal {
            if !self.has_layer(PolicyType::Session) && self.has_layer(PolicyType::Identity) {
                notes.push(Note::FederatedWithoutSessionPolicy);
            }
        }
        if let Principal::RoleSession { .. } = req.principal {
            let names_role_with_path = |k: &PrincipalKind| matches!(k, PrincipalKind::Role { arn, .. } if arn.matches('/').count() > 1);
            if req.context.get_lower("aws:principalarn").is_none()
                && self.members().iter().any(|m| {
                    m.layer == PolicyType::Resource
                        && m.policy.statements.iter().any(|s| {
                            s.principal.as_ref().is_some_and(|p| {
                                p.entries().iter().any(|e| names_role_with_path(&e.kind))
                            })
                        })
                })
            {
                notes.push(Note::RolePathUnknown);
            }
        }
        if self.options().block_public_access.restrict_public_buckets
            && self.is_bucket_policy_public()
            && !self.public_access_restricts(req)
        {
            notes.push(Note::PublicPolicyRestricted);
        }
        if let Some((of, _, acl)) = self.acl_consulted(req) {
            if !self.acls_enabled() {
                notes.push(Note::AclsDisabled { acl: of });
            } else if self.options().block_public_access.ignore_public_acls && acl.is_public() {
                notes.push(Note::PublicAclIgnored { acl: of });
            }
        }
        if let Some(owner) = self.foreign_object_owner(req) {
            notes.push(Note::ForeignObjectOwner {
                owner: owner.to_string(),
            });
        }
        if self.options().block_public_access.block_public_policy
            && req.action.lower() == "s3:putbucketpolicy"
            && self.new_bucket_policy().is_none()
        {
            notes.push(Note::NewBucketPolicyUnknown);
        }
        // In evaluation order, but the identity layer last (the bucket
        // policy always takes part).
        let mut layers = self.participation(req).layers();
        layers.rotate_left(1);
        for (t, takes_part) in layers {
            if self.has_layer(t) && !takes_part {
                notes.push(Note::LayerNotTakingPart {
                    layer: t,
                    why: LayerAbsence::of(t, req, self),
                });
            }
        }
        notes
    }
}
