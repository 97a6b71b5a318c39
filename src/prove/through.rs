//! Proofs about requests through an access point (spec AP-1): such a
//! request is allowed only when both the answer at the access point and the
//! answer at the bucket behind it allow.
//!
//! The search runs over the answer at the access point (the access point
//! policy in the place of the bucket policy, the access point's account):
//! a necessary condition, so "no request is allowed there" proves the
//! query. Every candidate it finds is confirmed by the evaluator, which
//! answers both; one the bucket refuses is never printed. When the search
//! stops on such candidates, a second search over the bucket's answer
//! (`bucket_query`) may still prove that the bucket allows none of them.

use super::{Limit, Query};
use crate::eval::access_point::AccessPointArn;
use crate::eval::policy_set::PolicySet;
use crate::matcher::Resource;

use crate::eval::access_point::ACCESS_POINT_ARNS;

/// Whether requests on resources of the pattern may go through an access
/// point, and so carry the access point keys (AP-3): the pattern reaches
/// an access point ARN. Requests made directly to buckets and objects
/// never carry them ([`crate::Request::can_carry_key`]); a pattern too
/// complex to compare counts as reaching one (the keys stay free).
pub(crate) fn reaches_access_points(pattern: &str) -> bool {
    !matches!(
        super::resource_overlap(pattern, ACCESS_POINT_ARNS),
        Ok(None)
    )
}

/// The resource the search's template request takes when the query is
/// about requests through the set's access point: the query's pattern as
/// an access point ARN of one account. `None` when the set describes no
/// access point or the pattern reaches no access point ARN.
pub(crate) fn access_point_resource(
    set: &PolicySet,
    query: &Query,
) -> Result<Option<Resource>, Limit> {
    if set.options().access_point.is_none() {
        return Ok(None);
    }
    let overlap = super::resource_overlap(&query.resource, ACCESS_POINT_ARNS)
        .map_err(|_| {
            Limit("cannot decide within limits: the resource pattern is too complex to compare with access point ARNs".into())
        })?;
    if overlap.is_none() {
        return Ok(None);
    }
    let parsed = Resource::parse(&query.resource).ok();
    let one_account = parsed
        .as_ref()
        .and_then(AccessPointArn::of)
        .is_some_and(|a| a.account.len() == 12 && a.account.bytes().all(|b| b.is_ascii_digit()));
    match parsed {
        Some(r) if one_account => Ok(Some(r)),
        _ => Err(Limit(format!(
            "the resource pattern `{}` reaches access point ARNs and other resources (or access points of several accounts); requests through an access point are answered twice (spec AP-1): ask about `arn:PARTITION:s3:REGION:ACCOUNT:accesspoint/NAME…` alone, and about the other resources alone",
            query.resource
        ))),
    }
}

/// The same question asked of the bucket behind the access point (the
/// second answer of AP-1): the bucket or object ARNs behind the pattern,
/// the bucket owner's account, and the access point keys AWS sets (AP-3)
/// that the pattern fixes. `None` when the query is not about the access
/// point.
pub(crate) fn bucket_query(set: &PolicySet, query: &Query) -> Option<Query> {
    let ap = set.options().access_point.as_ref()?;
    let resource = Resource::parse(&query.resource).ok()?;
    let arn = AccessPointArn::of(&resource)?;
    let wild = |s: &str| s.contains('*') || s.contains('?');
    let underlying = if wild(arn.name) && arn.key.is_none() {
        // `accesspoint/NAME*` reaches the bucket and its objects
        format!("arn:{}:s3:::{}*", arn.partition, ap.bucket)
    } else {
        arn.underlying(&ap.bucket)
    };
    let mut context = query.context.clone();
    let given = |key: &str| {
        query.context.iter().any(|c| {
            c.split_once('=')
                .is_some_and(|(k, _)| k.eq_ignore_ascii_case(key))
        })
    };
    let mut fix = |key: &str, value: String| {
        if !given(key) {
            context.push(format!("{key}={value}"));
        }
    };
    fix("s3:DataAccessPointAccount", arn.account.to_string());
    fix(
        "s3:AccessPointNetworkOrigin",
        ap.network_origin().as_str().to_string(),
    );
    if !wild(arn.name) && !wild(arn.partition) && !wild(arn.region) {
        fix("s3:DataAccessPointArn", arn.access_point());
    }
    Some(Query {
        resource: underlying,
        resource_account: Some(
            ap.bucket_account
                .clone()
                .unwrap_or_else(|| arn.account.to_string()),
        ),
        context,
        ..query.clone()
    })
}
