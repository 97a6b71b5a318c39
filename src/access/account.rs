//! The account model: every IAM user and role of one or more account dumps
//! with its identity policies (a user's own inline and attached policies
//! and those of its groups; a role's own), its permissions boundary, its
//! tags and (roles) its trust policy, indexed once. A managed policy is
//! compiled once and shared ([`Arc`]) by every principal it reaches.
//!
//! [`Analysis`] adds what is not in the dumps: bucket policies tied to
//! their buckets, SCP and RCP levels (applied to every account given), VPC
//! endpoint policies, evaluation options and the request settings of
//! `s3guard can` ([`RequestBuilder`]). It builds each principal's
//! [`PolicySet`] exactly as `can` would from the same files.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::eval::policy_set::{EvalOptions, PolicySet};
use crate::policy::{Policy, PolicyType};
use crate::request::builder::RequestBuilder;
use crate::sources::{Dump, EntityKind, NamedPolicy};

/// What an account principal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrincipalKind {
    /// An IAM user of the data.
    User,
    /// An IAM role of the data, standing for its sessions.
    Role,
}

/// One IAM user or role with everything that decides its requests.
#[derive(Debug, Clone)]
pub struct AccountPrincipal {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// User or role.
    pub kind: PrincipalKind,
    /// Its account id.
    pub account: String,
    /// Identity policies: own inline, own attached, then each group's.
    pub identity: Vec<NamedPolicy>,
    /// The permissions boundary.
    pub boundary: Option<NamedPolicy>,
    /// ARNs of the user's groups.
    pub groups: Vec<String>,
    /// ARNs of the managed policies that reach it (own and its groups'),
    /// boundary excluded.
    pub managed: Vec<String>,
    /// A role's trust policy.
    pub trust: Option<NamedPolicy>,
    /// Its tags (`aws:PrincipalTag/KEY`).
    pub tags: Vec<(String, String)>,
}

/// One IAM group: its ARN, members' policies come from here.
#[derive(Debug, Clone)]
pub struct AccountGroup {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Its account id.
    pub account: String,
    /// Inline and attached policies.
    pub policies: Vec<NamedPolicy>,
    /// ARNs of its attached managed policies.
    pub managed: Vec<String>,
}

/// Every principal of the accounts given, indexed.
#[derive(Debug, Clone, Default)]
pub struct AccountModel {
    principals: Vec<AccountPrincipal>,
    groups: Vec<AccountGroup>,
    managed: HashMap<String, NamedPolicy>,
    accounts: Vec<String>,
    by_arn: HashMap<String, usize>,
}

/// The account id of an IAM ARN (`arn:aws:iam::111122223333:user/x`).
pub fn account_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

impl AccountModel {
    /// Builds the model from dumps (one per account). Users' group policies
    /// are resolved by group name within the same dump; an unknown group
    /// is an error, as `--policy-from … --select` reports it.
    pub fn from_dumps(dumps: &[(String, Dump)]) -> Result<AccountModel, Vec<Diagnostic>> {
        let mut model = AccountModel::default();
        let mut errors = Vec::new();
        for (file, dump) in dumps {
            let managed: HashMap<&str, &NamedPolicy> =
                dump.managed.iter().map(|(a, p)| (a.as_str(), p)).collect();
            for (arn, p) in &dump.managed {
                model.managed.insert(arn.clone(), p.clone());
            }
            let resolve = |arns: &[String]| -> Vec<NamedPolicy> {
                arns.iter()
                    .filter_map(|a| managed.get(a.as_str()).map(|p| (*p).clone()))
                    .collect()
            };
            let customer = |arns: &[String]| -> Vec<String> {
                arns.iter()
                    .filter(|a| !a.starts_with("arn:aws:iam::aws:"))
                    .cloned()
                    .collect()
            };
            let mut groups: HashMap<&str, usize> = HashMap::new();
            for e in dump.entities.iter().filter(|e| e.kind == EntityKind::Group) {
                let account = account_of(&e.arn).unwrap_or_default().to_string();
                let mut policies = e.inline.clone();
                policies.extend(resolve(&e.attached));
                groups.insert(e.name.as_str(), model.groups.len());
                model.groups.push(AccountGroup {
                    arn: e.arn.clone(),
                    name: e.name.clone(),
                    account,
                    policies,
                    managed: customer(&e.attached),
                });
            }
            for e in &dump.entities {
                let kind = match e.kind {
                    EntityKind::User => PrincipalKind::User,
                    EntityKind::Role => PrincipalKind::Role,
                    EntityKind::Group => continue,
                };
                let account = account_of(&e.arn).unwrap_or_default().to_string();
                if !account.is_empty() && !model.accounts.contains(&account) {
                    model.accounts.push(account.clone());
                }
                let mut identity = e.inline.clone();
                identity.extend(resolve(&e.attached));
                let mut managed_arns = customer(&e.attached);
                let mut group_arns = Vec::new();
                for g in &e.groups {
                    match groups.get(g.as_str()).and_then(|i| model.groups.get(*i)) {
                        Some(group) => {
                            identity.extend(group.policies.iter().cloned());
                            managed_arns.extend(group.managed.iter().cloned());
                            group_arns.push(group.arn.clone());
                        }
                        None => errors.push(
                            Diagnostic::error(
                                "UNKNOWN_POLICY",
                                format!(
                                    "user `{}` is in group `{g}`, which is not in this dump",
                                    e.arn
                                ),
                            )
                            .in_file(file)
                            .with_hint(
                                "dump the account without --filter so that groups are included",
                            ),
                        ),
                    }
                }
                let boundary = e
                    .boundary
                    .as_deref()
                    .and_then(|b| managed.get(b).map(|p| (*p).clone()));
                model.by_arn.insert(e.arn.clone(), model.principals.len());
                model.principals.push(AccountPrincipal {
                    arn: e.arn.clone(),
                    name: e.name.clone(),
                    kind,
                    account,
                    identity,
                    boundary,
                    groups: group_arns,
                    managed: managed_arns,
                    trust: e.trust.clone(),
                    tags: e.tags.clone(),
                });
            }
        }
        if errors.is_empty() {
            Ok(model)
        } else {
            Err(errors)
        }
    }

    /// Every user and role, in dump order (users first, per dump).
    pub fn principals(&self) -> &[AccountPrincipal] {
        &self.principals
    }

    /// Every group.
    pub fn groups(&self) -> &[AccountGroup] {
        &self.groups
    }

    /// A user or role by ARN.
    pub fn principal(&self, arn: &str) -> Option<&AccountPrincipal> {
        self.by_arn.get(arn).and_then(|i| self.principals.get(*i))
    }

    /// Position of a principal in [`AccountModel::principals`].
    pub fn index_of(&self, arn: &str) -> Option<usize> {
        self.by_arn.get(arn).copied()
    }

    /// A managed policy by ARN.
    pub fn managed(&self, arn: &str) -> Option<&NamedPolicy> {
        self.managed.get(arn)
    }

    /// The account ids of the data, in the order given.
    pub fn accounts(&self) -> &[String] {
        &self.accounts
    }

    /// Number of distinct compiled policies (managed policies count once).
    pub fn distinct_policies(&self) -> usize {
        let mut seen: std::collections::HashSet<*const Policy> = std::collections::HashSet::new();
        for p in &self.principals {
            for n in p.identity.iter().chain(&p.boundary).chain(&p.trust) {
                seen.insert(Arc::as_ptr(&n.policy));
            }
        }
        seen.len()
    }
}

/// A bucket policy tied to its bucket.
#[derive(Debug, Clone)]
pub struct BucketPolicy {
    /// The bucket's name.
    pub bucket: String,
    /// The policy.
    pub policy: NamedPolicy,
}

/// The account model and everything else an access question needs.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// The principals.
    pub model: AccountModel,
    /// Bucket policies by bucket.
    pub buckets: Vec<BucketPolicy>,
    /// SCP levels, root first (applied to every account of the model).
    pub scp_levels: Vec<Vec<Arc<Policy>>>,
    /// RCP levels, root first (applied to buckets of the model's accounts).
    pub rcp_levels: Vec<Vec<Arc<Policy>>>,
    /// VPC endpoint policies (they take part when `aws:SourceVpce` is given).
    pub vpce: Vec<Arc<Policy>>,
    /// Policies of the S3 access point described by
    /// [`EvalOptions::access_point`]: they take part in requests whose
    /// resource is an access point ARN (spec AP-1).
    pub access_points: Vec<NamedPolicy>,
    /// Evaluation options (Block Public Access, `NotPrincipal` mode, …).
    pub options: EvalOptions,
    /// The account owning the buckets (default: the first account of the model).
    pub bucket_account: Option<String>,
    /// The request settings every principal's requests get (context, time,
    /// region, VPC endpoint), as `s3guard can` takes them; the principal
    /// and its tags are set per principal.
    pub request: RequestBuilder,
}

/// A principal's policy set and, per member, the name the data gives it.
pub struct PrincipalSet {
    /// The compiled set, as `can` would build it.
    pub set: PolicySet,
    /// Names of the set's members (same order as [`PolicySet::members`]).
    pub names: Vec<String>,
}

impl PrincipalSet {
    /// The name of the member holding a statement.
    pub fn name_of(&self, r: crate::eval::response::StatementRef) -> &str {
        self.names
            .get(r.policy as usize)
            .map_or("?", String::as_str)
    }
}

impl Analysis {
    /// The bucket's account: `bucket_account`, else the model's first account.
    pub fn resource_account(&self) -> Option<&str> {
        self.bucket_account
            .as_deref()
            .or_else(|| self.model.accounts().first().map(String::as_str))
    }

    /// The bucket policy of a bucket, if given.
    pub fn bucket_policy(&self, bucket: &str) -> Option<&NamedPolicy> {
        self.buckets
            .iter()
            .find(|b| b.bucket == bucket)
            .map(|b| &b.policy)
    }

    /// Every bucket the analysis knows: those with a policy, then the
    /// buckets the principals' policies name literally, sorted.
    pub fn known_buckets(&self) -> Vec<String> {
        let mut out: Vec<String> = self.buckets.iter().map(|b| b.bucket.clone()).collect();
        let mut seen: std::collections::HashSet<*const Policy> = std::collections::HashSet::new();
        let mut named: Vec<String> = Vec::new();
        for p in self.model.principals() {
            for n in p.identity.iter().chain(&p.boundary) {
                if !seen.insert(Arc::as_ptr(&n.policy)) {
                    continue;
                }
                for st in &n.policy.statements {
                    for r in st.resource.patterns() {
                        if let Some(b) = r.fixed_first_component() {
                            if !b.is_empty() && r.as_str().starts_with("arn:aws:s3:::") {
                                named.push(b.to_string());
                            }
                        }
                    }
                }
            }
        }
        named.sort();
        named.dedup();
        for b in named {
            if !out.contains(&b) {
                out.push(b);
            }
        }
        out
    }

    /// The policy set of an account principal for requests on `bucket`:
    /// its identity policies and boundary, the bucket's policy, the SCP and
    /// RCP levels and the VPC endpoint policies.
    pub fn principal_set(&self, p: &AccountPrincipal, bucket: Option<&str>) -> PrincipalSet {
        let bucket = bucket.and_then(|bk| self.buckets.iter().find(|b| b.bucket == bk));
        self.layered_set(&p.identity, p.boundary.as_ref(), bucket, true)
    }

    /// The policy set of an account principal with every bucket policy of
    /// the analysis in the resource layer (each bucket policy's statements
    /// name its own bucket, so that requests on one bucket meet its policy;
    /// a bucket policy with `"Resource": "*"` would also reach other buckets).
    pub fn principal_set_all_buckets(&self, p: &AccountPrincipal) -> PrincipalSet {
        self.layered_set(&p.identity, p.boundary.as_ref(), &self.buckets, true)
    }

    /// The policy set of a principal outside the data (another account's
    /// principal, a service, anyone) for requests on `bucket`: the bucket
    /// policy, the RCP levels and VPC endpoint policies, and, for another
    /// account's IAM principal, `own` standing for its own identity
    /// policies (which the data does not hold).
    pub fn external_set(&self, bucket: Option<&str>, own: Option<&NamedPolicy>) -> PrincipalSet {
        let bucket = bucket.and_then(|bk| self.buckets.iter().find(|b| b.bucket == bk));
        self.layered_set(own, None, bucket, false)
    }

    /// The one place a principal's policy set is put together, as `can`
    /// would from the same files: identity policies, the bucket policies
    /// given, the boundary, then the access point's policies, the VPC
    /// endpoint policies, the SCP levels (`scps`: principals of the data)
    /// and the RCP levels. Every command (`who-can`, `principal-can`, the
    /// account review) builds its sets here.
    pub fn layered_set<'a>(
        &self,
        identity: impl IntoIterator<Item = &'a NamedPolicy>,
        boundary: Option<&NamedPolicy>,
        buckets: impl IntoIterator<Item = &'a BucketPolicy>,
        scps: bool,
    ) -> PrincipalSet {
        let mut names = Vec::new();
        let mut b = PolicySet::builder();
        for n in identity {
            names.push(n.name.clone());
            b = b.identity(n.policy.clone());
        }
        for bp in buckets {
            names.push(bp.policy.name.clone());
            b = b.resource(bp.policy.policy.clone());
        }
        if let Some(n) = boundary {
            names.push(format!("{} (boundary)", n.name));
            b = b.boundary(n.policy.clone());
        }
        self.finish(b, &mut names, scps)
    }

    fn finish(
        &self,
        mut b: crate::eval::policy_set::PolicySetBuilder,
        names: &mut Vec<String>,
        scps: bool,
    ) -> PrincipalSet {
        for n in &self.access_points {
            names.push(n.name.clone());
            b = b.access_point(n.policy.clone());
        }
        for p in &self.vpce {
            names.push(p.name.clone());
            b = b.vpc_endpoint(p.clone());
        }
        if scps {
            for level in &self.scp_levels {
                names.extend(level.iter().map(|p| p.name.clone()));
                b = b.scp_level(level.clone());
            }
        }
        for level in &self.rcp_levels {
            names.extend(level.iter().map(|p| p.name.clone()));
            b = b.rcp_level(level.clone());
        }
        PrincipalSet {
            set: b.options(self.options.clone()).build(),
            names: std::mem::take(names),
        }
    }

    /// The account that owns `resource` (an ARN or ARN pattern): the
    /// account an access point ARN names (its owner, as `can` takes it:
    /// never the analysed account), else the buckets' account
    /// ([`Analysis::resource_account`]).
    pub fn resource_account_of<'a>(&'a self, resource: &'a str) -> Option<&'a str> {
        access_point_account(resource).or_else(|| self.resource_account())
    }

    /// The bucket a question on `resource` is about: the bucket behind the
    /// access point for an access point ARN (when the analysis describes
    /// the access point), else the bucket the ARN names literally.
    pub fn bucket_of(&self, resource: &str) -> Option<String> {
        if access_point_account_field(resource).is_some() {
            return self
                .options
                .access_point
                .as_ref()
                .map(|ap| ap.bucket.clone());
        }
        let rest = resource.strip_prefix("arn:aws:s3:::")?;
        let b = rest.split('/').next()?;
        (!b.is_empty() && !b.contains(['*', '?'])).then(|| b.to_string())
    }

    /// The request builder of a principal for requests on `resource`: as
    /// [`Analysis::builder_for`], except that an access point ARN keeps the
    /// account it names, as `can` takes it without `--resource-account`.
    pub fn builder_on(
        &self,
        arn: &str,
        tags: &[(String, String)],
        resource: &str,
    ) -> RequestBuilder {
        if access_point_account_field(resource).is_none() {
            return self.builder_for(arn, tags);
        }
        let mut b = self.request.clone().principal(arn);
        for (k, v) in tags {
            b = b.principal_tag(format!("{k}={v}"));
        }
        b
    }

    /// The request every answer about a principal starts from: what
    /// `s3guard can` would send for it (the analysis's settings, the
    /// caller, its tags, the bucket's account, and `can`'s defaults:
    /// `aws:SecureTransport` true, the current time, the keys derived from
    /// the caller; docs/semantics.md, "Defaults of `s3guard can`"), with
    /// those defaults as facts ([`defaults_as_facts`]): `who-can`,
    /// `principal-can` and the account review all ask from it, so a
    /// TLS-only bucket policy answers the same in all three and in `can`.
    /// Its action and resource are placeholders.
    pub fn base_request(
        &self,
        arn: &str,
        tags: &[(String, String)],
    ) -> Result<crate::request::Request, Vec<Diagnostic>> {
        let mut req = self
            .builder_for(arn, tags)
            .build("s3:ListAllMyBuckets", "*")?;
        defaults_as_facts(&mut req);
        Ok(req)
    }

    /// The request builder of a principal: the analysis's settings, the
    /// caller, its tags and the bucket's account.
    pub fn builder_for(&self, arn: &str, tags: &[(String, String)]) -> RequestBuilder {
        let mut b = self.request.clone().principal(arn);
        for (k, v) in tags {
            b = b.principal_tag(format!("{k}={v}"));
        }
        if let Some(a) = self.resource_account() {
            b = b.resource_account(a);
        }
        b
    }
}

/// Turns the defaults `s3guard can` filled in (`aws:SecureTransport`,
/// `aws:CurrentTime`, …: [`Origin::Default`]) into facts ([`Origin::Given`]):
/// `can` answers with those values, so an access question about the same
/// request must not treat them as unknown (the review would, and would
/// call a TLS-only bucket policy's grant conditional).
///
/// [`Origin::Default`]: crate::request::context::Origin::Default
/// [`Origin::Given`]: crate::request::context::Origin::Given
pub fn defaults_as_facts(req: &mut crate::request::Request) {
    use crate::request::context::Origin;
    let defaults: Vec<(String, crate::request::context::ContextValue)> = req
        .context
        .entries()
        .iter()
        .filter(|e| e.origin == Origin::Default)
        .map(|e| (e.key.to_string(), e.value.clone()))
        .collect();
    for (k, v) in defaults {
        req.context.insert(&k, v, Origin::Given);
    }
}

/// The account field of an S3 access point ARN or ARN pattern
/// (`arn:aws:s3:REGION:ACCOUNT:accesspoint/…`), as written.
pub(crate) fn access_point_account_field(resource: &str) -> Option<&str> {
    let mut parts = resource.splitn(6, ':');
    let (arn, _partition, service, _region, account, rest) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (arn == "arn" && service == "s3" && rest.starts_with("accesspoint/")).then_some(account)
}

/// The 12-digit account an S3 access point ARN names: its owner.
pub fn access_point_account(resource: &str) -> Option<&str> {
    access_point_account_field(resource)
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
}

/// Loads a policy file as a shared policy of a layer.
pub fn load_policy(path: &str, layer: PolicyType) -> Result<Arc<Policy>, Vec<Diagnostic>> {
    Policy::load_file(
        path,
        crate::policy::LoadOptions {
            policy_type: layer,
            strict: false,
            lenient: false,
        },
    )
    .map(Arc::new)
    .map_err(|e| e.diagnostics)
}
