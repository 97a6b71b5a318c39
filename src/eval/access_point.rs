//! Requests through an S3 access point (spec AP-1 to AP-6).
//!
//! A request whose resource is an access point ARN
//! (`arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME[/object/KEY]`) is answered
//! twice, and allowed only when both answers allow:
//!
//! 1. **at the access point**: the identity side (identity policies,
//!    boundary, session policies, SCPs, RCPs, the VPC endpoint policy) and
//!    the access point policy, against the access point ARN, whose account
//!    is the access point's owner;
//! 2. **at the bucket**: the same identity side and the bucket policy,
//!    against the bucket or object ARN behind the access point, whose
//!    account is the bucket's owner.
//!
//! Both carry the keys AWS sets on requests through an access point
//! (`s3:DataAccessPointArn`, `s3:DataAccessPointAccount`,
//! `s3:AccessPointNetworkOrigin`), which is how a bucket policy delegates
//! access control to its access points (AP-2). Before either, the access
//! point's own restrictions may refuse the request (AP-4, AP-5). Each
//! answer is the one evaluation order of `authorizer.rs`; this module only
//! builds the two requests and combines their responses.

use std::fmt;

use serde::Serialize;
use smallvec::SmallVec;

use crate::eval::applicability::Applicability;
use crate::eval::policy_set::PolicySet;
use crate::eval::response::{Decision, LayerDecision, PerType, Response, StatementRef};
use crate::json::{pointer, Kind, Value};
use crate::matcher::Resource;
use crate::policy::PolicyType;
use crate::request::context::{ContextValue, Origin};
use crate::request::{Principal, Request};

/// The condition keys AWS sets on requests made through an access point
/// (spec AP-3), and on no other request: "These keys are present only in
/// requests made through an access point" is how the S3 guide's
/// delegation example works, since a request made directly to the bucket
/// carries none of them.
pub const ACCESS_POINT_KEYS: [&str; 3] = [
    "s3:DataAccessPointArn",
    "s3:DataAccessPointAccount",
    "s3:AccessPointNetworkOrigin",
];

/// Whether `key` is one of [`ACCESS_POINT_KEYS`] (case-insensitive).
pub fn is_access_point_key(key: &str) -> bool {
    ACCESS_POINT_KEYS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(key))
}

/// Every access point ARN (`…:accesspoint/NAME[/object/KEY]`), as a
/// resource pattern.
pub const ACCESS_POINT_ARNS: &str = "arn:*:s3:*:*:accesspoint/*";

/// An S3 access point: what s3guard needs to know besides its policy (which
/// is the set's [`PolicyType::AccessPoint`] layer) and its ARN (which is the
/// request's resource).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessPoint {
    /// The bucket behind the access point (`--access-point-bucket`).
    pub bucket: String,
    /// The bucket owner's account when it is not the access point's owner
    /// (a cross-account access point, `--access-point-bucket-account`).
    pub bucket_account: Option<String>,
    /// The VPC the access point is restricted to (network origin `VPC`,
    /// `--access-point-vpc`); `None`: network origin `Internet`.
    pub vpc: Option<String>,
    /// The access point's Block Public Access settings are on (AWS's
    /// default for access points, spec AP-5): a public access point policy
    /// then grants only to the access point owner's account and to AWS
    /// services.
    pub block_public_access: bool,
}

impl AccessPoint {
    /// An Internet access point in front of `bucket`, of the bucket owner's
    /// account, with Block Public Access on (AWS's defaults).
    pub fn new(bucket: impl Into<String>) -> AccessPoint {
        AccessPoint {
            bucket: bucket.into(),
            bucket_account: None,
            vpc: None,
            block_public_access: true,
        }
    }

    /// The access point's network origin: `VPC` when it is restricted to a
    /// VPC, else `Internet` (the value of `s3:AccessPointNetworkOrigin`).
    pub fn network_origin(&self) -> NetworkOrigin {
        if self.vpc.is_some() {
            NetworkOrigin::Vpc
        } else {
            NetworkOrigin::Internet
        }
    }
}

/// The settings of an access point as text, as the command line, the case
/// format and test files give them; [`AccessPointSettings::resolve`]
/// checks them once for every front end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessPointSettings {
    /// The bucket behind the access point.
    pub bucket: Option<String>,
    /// The bucket owner's account (default: the access point's owner).
    pub bucket_account: Option<String>,
    /// `Internet` or `VPC`.
    pub network_origin: Option<String>,
    /// The VPC of a VPC-only access point.
    pub vpc: Option<String>,
}

/// The fields of an `access_point` object.
const ACCESS_POINT_FIELDS: &[&str] = &["bucket", "bucket_account", "network_origin", "vpc"];

/// How to write an `access_point` object.
pub(crate) const ACCESS_POINT_HINT: &str = r#"write "access_point": {"bucket": "NAME"} (and optionally "bucket_account", "network_origin": "Internet" or "VPC", "vpc")"#;

impl AccessPointSettings {
    /// Reads an `access_point` object at JSON pointer `base` (spec AP-1),
    /// as cases (`eval --cases`) and test files give it: `None` when it is
    /// malformed (each problem reported through `bad`); absent or `null`,
    /// no settings.
    pub(crate) fn from_json(
        v: Option<&Value>,
        base: &str,
        bad: &mut dyn FnMut(&Value, &str, String),
    ) -> Option<AccessPointSettings> {
        let mut settings = AccessPointSettings::default();
        let Some(v) = v.filter(|v| v.kind != Kind::Null) else {
            return Some(settings);
        };
        let Some(members) = v.as_object() else {
            bad(v, base, "`access_point` must be an object".into());
            return None;
        };
        let mut ok = true;
        for m in members {
            let ptr = pointer::join(base, &m.key);
            let Some(text) = m.value.as_str() else {
                bad(
                    &m.value,
                    &ptr,
                    format!("`access_point.{}` must be a string", m.key),
                );
                ok = false;
                continue;
            };
            let slot = match m.key.as_str() {
                "bucket" => &mut settings.bucket,
                "bucket_account" => &mut settings.bucket_account,
                "network_origin" => &mut settings.network_origin,
                "vpc" => &mut settings.vpc,
                other => {
                    bad(
                        &m.value,
                        &ptr,
                        format!(
                            "unknown access point field `{other}` (known: {})",
                            ACCESS_POINT_FIELDS.join(", ")
                        ),
                    );
                    ok = false;
                    continue;
                }
            };
            *slot = Some(text.to_string());
        }
        ok.then_some(settings)
    }
}

/// What is wrong with [`AccessPointSettings`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessPointSettingsError {
    /// Access point settings or an access point policy without the bucket.
    #[error("an access point needs the bucket behind it")]
    MissingBucket,
    /// The bucket account is not a 12-digit account id.
    #[error("the access point's bucket account `{0}` is not a 12-digit account id")]
    BadAccount(String),
    /// The network origin is neither `Internet` nor `VPC`.
    #[error("the access point's network origin `{0}` is neither Internet nor VPC")]
    BadOrigin(String),
    /// Network origin `VPC` without the VPC.
    #[error("an access point of network origin VPC needs its VPC id")]
    VpcWithoutId,
    /// Network origin `Internet` with a VPC.
    #[error("an access point of network origin Internet has no VPC (`{0}` was given)")]
    InternetWithVpc(String),
}

impl AccessPointSettings {
    /// Whether nothing was given.
    pub fn is_empty(&self) -> bool {
        *self == AccessPointSettings::default()
    }

    /// The access point these settings describe: `None` when nothing was
    /// given and there is no access point policy (`has_policy`).
    pub fn resolve(
        &self,
        has_policy: bool,
    ) -> Result<Option<AccessPoint>, AccessPointSettingsError> {
        if self.is_empty() && !has_policy {
            return Ok(None);
        }
        let bucket = self
            .bucket
            .clone()
            .filter(|b| !b.is_empty())
            .ok_or(AccessPointSettingsError::MissingBucket)?;
        if let Some(a) = &self.bucket_account {
            if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
                return Err(AccessPointSettingsError::BadAccount(a.clone()));
            }
        }
        let origin = match &self.network_origin {
            Some(o) => Some(
                NetworkOrigin::parse(o)
                    .ok_or_else(|| AccessPointSettingsError::BadOrigin(o.clone()))?,
            ),
            None => None,
        };
        let vpc = self.vpc.clone().filter(|v| !v.is_empty());
        match (origin, &vpc) {
            (Some(NetworkOrigin::Vpc), None) => return Err(AccessPointSettingsError::VpcWithoutId),
            (Some(NetworkOrigin::Internet), Some(v)) => {
                return Err(AccessPointSettingsError::InternetWithVpc(v.clone()))
            }
            _ => {}
        }
        Ok(Some(AccessPoint {
            bucket,
            bucket_account: self.bucket_account.clone(),
            vpc,
            block_public_access: true,
        }))
    }
}

/// Where requests through an access point may come from (AP-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NetworkOrigin {
    /// From anywhere.
    Internet,
    /// Only from the access point's VPC.
    #[serde(rename = "VPC")]
    Vpc,
}

impl NetworkOrigin {
    /// AWS's spelling (`Internet`, `VPC`).
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkOrigin::Internet => "Internet",
            NetworkOrigin::Vpc => "VPC",
        }
    }

    /// Parses AWS's spelling (case-insensitive).
    pub fn parse(text: &str) -> Option<NetworkOrigin> {
        if text.eq_ignore_ascii_case("internet") {
            Some(NetworkOrigin::Internet)
        } else if text.eq_ignore_ascii_case("vpc") {
            Some(NetworkOrigin::Vpc)
        } else {
            None
        }
    }
}

impl fmt::Display for NetworkOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The parts of an access point ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessPointArn<'a> {
    /// `aws`, `aws-cn`, …
    pub partition: &'a str,
    /// The access point's region.
    pub region: &'a str,
    /// The access point owner's account.
    pub account: &'a str,
    /// The access point's name.
    pub name: &'a str,
    /// The object key, for `…/object/KEY`.
    pub key: Option<&'a str>,
}

impl<'a> AccessPointArn<'a> {
    /// Reads an S3 access point ARN (`None` for any other resource).
    pub fn of(resource: &'a Resource) -> Option<AccessPointArn<'a>> {
        let Resource::Arn(arn) = resource else {
            return None;
        };
        if arn.service() != "s3" {
            return None;
        }
        let rest = arn.resource().strip_prefix("accesspoint/")?;
        let (name, key) = match rest.split_once('/') {
            Some((name, tail)) => (name, Some(tail.strip_prefix("object/")?)),
            None => (rest, None),
        };
        (!name.is_empty()).then_some(AccessPointArn {
            partition: arn.partition(),
            region: arn.region(),
            account: arn.account(),
            name,
            key,
        })
    }

    /// The access point's own ARN (the value of `s3:DataAccessPointArn`).
    pub fn access_point(&self) -> String {
        format!(
            "arn:{}:s3:{}:{}:accesspoint/{}",
            self.partition, self.region, self.account, self.name
        )
    }

    /// The ARN of the bucket or object behind the access point.
    pub fn underlying(&self, bucket: &str) -> String {
        match self.key {
            Some(key) => format!("arn:{}:s3:::{bucket}/{key}", self.partition),
            None => format!("arn:{}:s3:::{bucket}", self.partition),
        }
    }
}

/// Why an access point refuses a request whatever the policies say (AP-4,
/// AP-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum AccessPointRefusal {
    /// "Access points don't support anonymous access."
    Anonymous,
    /// "Access points only support access over HTTPS."
    NotHttps,
    /// The access point's network origin is `VPC` and the request does not
    /// come from that VPC (`aws:SourceVpc`).
    OutsideVpc {
        /// The access point's VPC.
        vpc: String,
        /// The request's `aws:SourceVpc`, if any.
        source_vpc: Option<String>,
    },
    /// The access point policy is public and the access point's Block
    /// Public Access settings are on: it grants nothing to callers outside
    /// the access point owner's account.
    PublicPolicy,
}

impl fmt::Display for AccessPointRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccessPointRefusal::Anonymous => f.write_str("access points don't support anonymous access (spec AP-5)"),
            AccessPointRefusal::NotHttps => f.write_str("access points only support access over HTTPS, and aws:SecureTransport is false (spec AP-5)"),
            AccessPointRefusal::OutsideVpc { vpc, source_vpc: Some(s) } => write!(f, "the access point's network origin is VPC {vpc}, and the request comes from {s}: S3 rejects requests to it from anywhere else (spec AP-4)"),
            AccessPointRefusal::OutsideVpc { vpc, source_vpc: None } => write!(f, "the access point's network origin is VPC {vpc}, and the request does not come from a VPC (no aws:SourceVpc; pass --context aws:SourceVpc={vpc}): S3 rejects requests to it from anywhere else (spec AP-4)"),
            AccessPointRefusal::PublicPolicy => f.write_str("the access point policy is public and the access point's Block Public Access settings are on: it grants only to the access point owner's account and to AWS services (spec AP-5, E-15)"),
        }
    }
}

/// The two requests a request through an access point is answered as.
#[derive(Debug, Clone)]
pub struct Phases {
    /// At the access point: the access point ARN, with the access point keys.
    pub access_point: Request,
    /// At the bucket: the bucket or object ARN behind it, of the bucket's
    /// account, with the same keys.
    pub bucket: Request,
}

/// How one phase answered, for explanations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhaseOutcome {
    /// The resource the phase was asked about.
    pub resource: String,
    /// Its decision.
    pub decision: Decision,
    /// For an implicit deny, the layer that did not allow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<PolicyType>,
}

impl PolicySet {
    /// Whether `req` goes through the access point of the set: its resource
    /// is an access point ARN and the options describe the access point
    /// (spec AP-1). Requests to the bucket itself never see the access
    /// point policy: "Restrictions that you include in an access point
    /// policy apply only to requests made through that access point."
    pub fn is_access_point_request(&self, req: &Request) -> bool {
        self.options().access_point.is_some() && AccessPointArn::of(&req.resource).is_some()
    }

    /// The requests at the access point and at the bucket (AP-1, AP-3), or
    /// `None` when `req` does not go through the set's access point.
    pub fn access_point_phases(&self, req: &Request) -> Option<Phases> {
        let ap = self.options().access_point.as_ref()?;
        let arn = AccessPointArn::of(&req.resource)?;
        let mut through = req.clone();
        let derived = |v: String| ContextValue::Single(v);
        let ctx = &mut through.context;
        ctx.set_default(
            "s3:DataAccessPointArn",
            derived(arn.access_point()),
            Origin::Derived,
        );
        ctx.set_default(
            "s3:DataAccessPointAccount",
            derived(arn.account.to_string()),
            Origin::Derived,
        );
        ctx.set_default(
            "s3:AccessPointNetworkOrigin",
            derived(ap.network_origin().as_str().to_string()),
            Origin::Derived,
        );
        let mut bucket = through.clone();
        let underlying = arn.underlying(&ap.bucket);
        bucket.resource = Resource::parse(&underlying).ok()?;
        let owner = ap
            .bucket_account
            .clone()
            .unwrap_or_else(|| arn.account.to_string());
        for key in ["aws:ResourceAccount", "s3:ResourceAccount"] {
            let derived_here = bucket
                .context
                .get(key)
                .is_some_and(|e| e.origin != Origin::Given);
            if derived_here {
                bucket.context.set(key, owner.as_str(), Origin::Derived);
            }
        }
        bucket.resource_account = Some(owner);
        Some(Phases {
            access_point: through,
            bucket,
        })
    }

    /// Why the access point refuses the request at the access point,
    /// whatever the policies say (AP-4, AP-5); `None` when it does not.
    pub fn access_point_refusal(&self, through: &Request) -> Option<AccessPointRefusal> {
        let ap = self.options().access_point.as_ref()?;
        if through.principal == Principal::Anonymous {
            return Some(AccessPointRefusal::Anonymous);
        }
        let single = |key: &str| match through.context.present(key) {
            Some(ContextValue::Single(s)) => Some(s.clone()),
            Some(ContextValue::Multi(v)) => v.first().cloned(),
            _ => None,
        };
        if single("aws:securetransport").is_some_and(|v| v.eq_ignore_ascii_case("false")) {
            return Some(AccessPointRefusal::NotHttps);
        }
        if let Some(vpc) = &ap.vpc {
            let source_vpc = single("aws:sourcevpc");
            if source_vpc.as_deref() != Some(vpc.as_str()) {
                return Some(AccessPointRefusal::OutsideVpc {
                    vpc: vpc.clone(),
                    source_vpc,
                });
            }
        }
        let outside = match through.principal {
            Principal::Service(_) => false,
            Principal::CloudFrontOai { .. } | Principal::CanonicalUser { .. } => true,
            _ => !through.is_same_account(),
        };
        if ap.block_public_access && self.is_access_point_policy_public() && outside {
            return Some(AccessPointRefusal::PublicPolicy);
        }
        None
    }

    /// Answers a request through the access point (AP-1): both phases, with
    /// `naive` and `force` as [`PolicySet::collect`] takes them.
    pub(crate) fn authorize_through_access_point(
        &self,
        phases: &Phases,
        naive: bool,
        force: &[(StatementRef, Applicability)],
    ) -> Response {
        let at_point = self.authorize_phase(&phases.access_point, naive, force);
        let at_bucket = self.authorize_phase(&phases.bucket, naive, force);
        let refusal = self.access_point_refusal(&phases.access_point);
        combine(at_point, at_bucket, refusal.is_some())
    }

    /// What each phase answered, for the note of an explanation.
    pub(crate) fn phase_outcomes(&self, phases: &Phases) -> (PhaseOutcome, PhaseOutcome) {
        let outcome = |req: &Request| {
            let r = self.authorize_phase(req, false, &[]);
            PhaseOutcome {
                resource: req.resource.to_string(),
                decision: r.decision,
                blocked_by: r.blocked_by,
            }
        };
        (outcome(&phases.access_point), outcome(&phases.bucket))
    }

    fn authorize_phase(
        &self,
        req: &Request,
        naive: bool,
        force: &[(StatementRef, Applicability)],
    ) -> Response {
        let collected = self.collect(req, naive, force);
        let mut r = self.decide(req, &collected);
        // at the access point, the resource policy is the access point's
        if self.is_access_point_request(req) && r.blocked_by == Some(PolicyType::Resource) {
            r.blocked_by = Some(PolicyType::AccessPoint);
        }
        r
    }
}

/// The more telling of two verdicts of one layer: a deny over an allow
/// over a layer that does not take part.
fn worse(a: LayerDecision, b: LayerDecision) -> LayerDecision {
    let rank = |d: LayerDecision| match d {
        LayerDecision::NotPresent => 0,
        LayerDecision::NotApplicable => 1,
        LayerDecision::Allowed => 2,
        LayerDecision::ImplicitDeny => 3,
        LayerDecision::ExplicitDeny => 4,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

/// One response from the two phases (AP-1): an explicit deny in either
/// denies; both must allow.
fn combine(at_point: Response, at_bucket: Response, refused: bool) -> Response {
    let per_type = PerType {
        identity: worse(at_point.per_type.identity, at_bucket.per_type.identity),
        resource: at_bucket.per_type.resource,
        boundary: worse(at_point.per_type.boundary, at_bucket.per_type.boundary),
        session: worse(at_point.per_type.session, at_bucket.per_type.session),
        scp: worse(at_point.per_type.scp, at_bucket.per_type.scp),
        rcp: worse(at_point.per_type.rcp, at_bucket.per_type.rcp),
        vpce: worse(at_point.per_type.vpce, at_bucket.per_type.vpce),
        block_public_access: at_bucket.per_type.block_public_access,
        access_point: at_point.per_type.access_point,
        access_point_restrictions: if refused {
            LayerDecision::ExplicitDeny
        } else {
            LayerDecision::Allowed
        },
    };
    let has_condition_errors = at_point.has_condition_errors || at_bucket.has_condition_errors;
    let mut determining: SmallVec<[StatementRef; 4]> = SmallVec::new();
    let mut add = |from: &Response| {
        for r in &from.determining {
            if !determining.contains(r) {
                determining.push(*r);
            }
        }
    };
    let explicit = |r: &Response| r.decision == Decision::ExplicitDeny;
    let mut refused_by = None;
    let mut acl_grants = SmallVec::new();
    let (decision, blocked_by, same_account) = if explicit(&at_point) || explicit(&at_bucket) {
        for r in [&at_point, &at_bucket] {
            if explicit(r) {
                add(r);
            }
        }
        let decider = if explicit(&at_point) {
            &at_point
        } else {
            &at_bucket
        };
        refused_by = decider.refused_by;
        (Decision::ExplicitDeny, None, decider.same_account)
    } else if refused {
        (Decision::ExplicitDeny, None, at_point.same_account)
    } else if at_point.decision != Decision::Allowed {
        (
            Decision::ImplicitDeny,
            at_point.blocked_by,
            at_point.same_account,
        )
    } else if at_bucket.decision != Decision::Allowed {
        (
            Decision::ImplicitDeny,
            at_bucket.blocked_by,
            at_bucket.same_account,
        )
    } else {
        add(&at_point);
        add(&at_bucket);
        // ACL grants are the bucket's and its objects' (E-20)
        acl_grants = at_bucket.acl_grants.clone();
        (Decision::Allowed, None, at_bucket.same_account)
    };
    Response {
        decision,
        determining,
        blocked_by,
        per_type,
        same_account,
        has_condition_errors,
        refused_by,
        acl_grants,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The settings an `access_point` object gives, or its problems.
    fn read(text: &str) -> Result<AccessPointSettings, Vec<(String, String)>> {
        let parsed = crate::json::parse(text).unwrap();
        let mut problems = Vec::new();
        let settings = AccessPointSettings::from_json(
            Some(&parsed.value),
            "/access_point",
            &mut |_, ptr, msg| problems.push((ptr.to_string(), msg)),
        );
        settings.ok_or(problems)
    }

    #[test]
    fn reads_access_point_objects_spec_ap1() {
        let s = read(r#"{"bucket":"b","network_origin":"VPC","vpc":"vpc-1"}"#).unwrap();
        assert_eq!(s.bucket.as_deref(), Some("b"));
        assert_eq!(s.vpc.as_deref(), Some("vpc-1"));
        assert!(read("null").unwrap().is_empty());
        assert!(
            AccessPointSettings::from_json(None, "/x", &mut |_, _, _| panic!())
                .is_some_and(|s| s.is_empty())
        );
        assert_eq!(
            read("[]").unwrap_err(),
            [(
                "/access_point".to_string(),
                "`access_point` must be an object".to_string()
            )]
        );
        let problems = read(r#"{"bucket":1,"vpce":"v"}"#).unwrap_err();
        assert_eq!(
            problems,
            [
                (
                    "/access_point/bucket".to_string(),
                    "`access_point.bucket` must be a string".to_string()
                ),
                (
                    "/access_point/vpce".to_string(),
                    "unknown access point field `vpce` (known: bucket, bucket_account, network_origin, vpc)"
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn reads_access_point_arns() {
        let r =
            Resource::parse("arn:aws:s3:us-west-2:123456789012:accesspoint/ap/object/a/b").unwrap();
        let a = AccessPointArn::of(&r).unwrap();
        assert_eq!(a.name, "ap");
        assert_eq!(a.key, Some("a/b"));
        assert_eq!(
            a.access_point(),
            "arn:aws:s3:us-west-2:123456789012:accesspoint/ap"
        );
        assert_eq!(a.underlying("bkt"), "arn:aws:s3:::bkt/a/b");
        let r = Resource::parse("arn:aws:s3:us-west-2:123456789012:accesspoint/ap").unwrap();
        assert_eq!(
            AccessPointArn::of(&r).unwrap().underlying("bkt"),
            "arn:aws:s3:::bkt"
        );
        for other in [
            "arn:aws:s3:::bkt/accesspoint/x",
            "arn:aws:s3:us-west-2:123456789012:accesspoint/",
            "arn:aws:s3:us-west-2:123456789012:accesspoint/ap/other/k",
            "arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint/ap",
        ] {
            assert_eq!(
                AccessPointArn::of(&Resource::parse(other).unwrap()),
                None,
                "{other}"
            );
        }
    }

    #[test]
    fn the_more_telling_verdict_wins() {
        use LayerDecision::*;
        assert_eq!(worse(Allowed, ImplicitDeny), ImplicitDeny);
        assert_eq!(worse(ExplicitDeny, Allowed), ExplicitDeny);
        assert_eq!(worse(NotPresent, NotApplicable), NotApplicable);
    }
}
