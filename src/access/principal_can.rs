//! `principal-can`: the S3 access of one principal of the data,
//! consolidated: the review matrix ([`crate::review::Review`]) of its
//! policy set over every bucket the analysis knows, and whether it can
//! escalate.

use super::account::Analysis;
use super::escalation::{Escalation, Path};
use super::minimal::{minimal_policy, MinimalPolicy};
use crate::diagnostic::Diagnostic;
use crate::review::Review;

/// The answer of `principal-can`.
pub struct PrincipalCan {
    /// The principal's ARN.
    pub principal: String,
    /// The review of its policy set (matrix, verdict).
    pub review: Review,
    /// How it can rewrite its own permissions or those of a principal it
    /// can become, if it can.
    pub escalation: Option<Path>,
    /// The minimal identity policy that grants exactly its S3 access.
    pub minimal: MinimalPolicy,
}

/// Reviews one principal: its identity policies and boundary, every
/// bucket policy of the analysis (each names its own bucket's ARNs), the
/// guardrails; columns for every bucket the analysis knows.
pub fn principal_can(
    a: &Analysis,
    arn: &str,
    escalation: Option<&Escalation>,
) -> Result<PrincipalCan, Vec<Diagnostic>> {
    let Some(i) = a.model.index_of(arn) else {
        let hint = a
            .model
            .principals()
            .iter()
            .find(|p| p.name == arn || p.arn.ends_with(&format!("/{arn}")))
            .map(|p| format!("did you mean `{}`?", p.arn))
            .unwrap_or_else(|| "give the ARN of a user or role of the --account data".to_string());
        return Err(vec![Diagnostic::error(
            "UNKNOWN_PRINCIPAL",
            format!("`{arn}` is not a user or role of the accounts given"),
        )
        .with_hint(hint)]);
    };
    let Some(p) = a.model.principals().get(i) else {
        return Err(Vec::new());
    };
    let ps = a.principal_set_all_buckets(p);
    let base = a.base_request(&p.arn, &p.tags)?;
    let buckets = a.known_buckets();
    let review = Review::new(&ps.set, &base, &buckets);
    let minimal = minimal_policy(&review.matrix);
    Ok(PrincipalCan {
        principal: p.arn.clone(),
        review,
        minimal,
        escalation: escalation.and_then(|e| e.escalates(i)),
    })
}
