//! A set of policies in their layers (identity, bucket, boundary, session,
//! SCP levels, RCP levels), compiled once into an action index so that a
//! request only looks at the statements that can concern its action.

use std::collections::HashMap;
use std::sync::Arc;

use smallvec::SmallVec;

use crate::catalog;
use crate::eval::acl::{Acl, ObjectOwnership};
use crate::eval::block_public_access::PublicAccessBlock;
use crate::eval::response::StatementRef;
use crate::policy::{Policy, PolicyType, ResourceClause, Statement};

/// How `NotPrincipal` excludes callers (spec E-9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NotPrincipalMode {
    /// Excluded only when every level of the caller's chain (session, role,
    /// user, account) is listed (default; AWS's documented advice).
    #[default]
    Strict,
    /// Excluded when the caller's own ARN (or a session's role ARN) is listed.
    Lenient,
}

/// Settings of an evaluation that are not policies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvalOptions {
    /// `NotPrincipal` semantics (E-9).
    pub not_principal: NotPrincipalMode,
    /// The caller's account is the organization's management account: SCPs do not apply (E-4).
    pub principal_in_management_account: bool,
    /// The resource's account is the management account: RCPs do not apply (E-4).
    pub resource_in_management_account: bool,
    /// S3 canonical user ids and the accounts (or CloudFront origin access
    /// identity ARNs) they stand for (`--canonical-id`).
    pub canonical_ids: Vec<(String, String)>,
    /// The S3 Block Public Access settings in force for the bucket: the
    /// union of its account's and its own (spec E-19; `RestrictPublicBuckets`
    /// is E-15).
    pub block_public_access: PublicAccessBlock,
    /// The account that owns the requested object, when it is not the
    /// bucket owner (`--object-owner`, E-21).
    pub object_owner: Option<String>,
    /// The ACL of the requested object (`--object-acl`, E-20); on requests
    /// that set an object ACL (`PutObject`, `PutObjectAcl`), the ACL they carry.
    pub object_acl: Option<Acl>,
    /// The ACL of the bucket (`--bucket-acl`, E-20); on `PutBucketAcl` and
    /// `CreateBucket`, the ACL they carry.
    pub bucket_acl: Option<Acl>,
    /// The bucket's Object Ownership setting (E-21); `None`: not said, and
    /// ACLs that are given count.
    pub object_ownership: Option<ObjectOwnership>,
    /// The type of the VPC endpoint the request goes through (E-15): in a
    /// gateway endpoint's policy an account principal names the account's
    /// root user only.
    pub vpce_type: VpceType,
    /// The S3 access point requests may go through (`--access-point-*`,
    /// spec AP-1): a request whose resource is an access point ARN is
    /// evaluated at the access point (with the access point policy) and at
    /// the bucket behind it (with the bucket policy).
    pub access_point: Option<crate::eval::access_point::AccessPoint>,
}

/// The type of a VPC endpoint (`--vpce-type`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum VpceType {
    /// An interface endpoint (AWS PrivateLink): principals match as in
    /// bucket policies.
    #[default]
    Interface,
    /// A gateway endpoint (S3, DynamoDB): `"Principal": {"AWS": "ACCOUNT"}`
    /// "grants access to the account root user only, and not all IAM users
    /// and roles" (PrivateLink Guide, endpoint policies).
    Gateway,
}

/// One policy of the set with its place.
#[derive(Debug, Clone)]
pub struct Member {
    /// The policy (shared: an account's managed policy is compiled once and
    /// held by every principal it is attached to).
    pub policy: Arc<Policy>,
    /// Its layer.
    pub layer: PolicyType,
    /// For SCPs and RCPs: the organization level (0 = root).
    pub level: usize,
    /// AWS simulator id (`PolicyInputList.1`, `ResourcePolicy`, …, O-1).
    pub source_id: String,
}

/// The statements of one layer and how to find them by action.
#[derive(Debug, Clone, Default)]
pub(crate) struct LayerIndex {
    /// Every statement of the layer.
    pub statements: Vec<StatementRef>,
    /// For each catalog action: the statements (positions in `statements`)
    /// whose `Action`/`NotAction` covers it, exactly, ascending.
    by_catalog: CatalogIndex,
    /// For actions outside the catalog: statements with that literal action.
    by_literal: ByText,
    /// … statements with a wildcard pattern of that service.
    by_service: ByText,
    /// … statements with `NotAction` or a wildcard service (`*`, `s3*:*`).
    always: SmallVec<[u32; 4]>,
    /// Resource filter: statements all of whose `Resource` patterns fix
    /// the first component of the resource part (the bucket), by that
    /// component; they can concern no other resource.
    by_bucket: ByText,
    /// … and every other statement (any bucket), ascending.
    any_bucket: Vec<u32>,
}

/// The hasher of the indexes: keys come from policies (input), so it is
/// seeded at random (no chosen set of keys collides on every machine), and
/// fast on short keys (SipHash was 5% of a load).
type Hasher = foldhash::fast::RandomState;

/// Statement positions (ascending) by a text of the policies: a lower-cased
/// action or service outside the catalog, a bucket name. A list is a
/// filter that keeps a superset of the statements that can concern the
/// text (every candidate's action and resource are matched again), so the
/// map is keyed by the text's hash alone: two texts of the same hash only
/// share a list, and building the index copies no text (ReadOnlyAccess
/// names 2,400 actions outside the catalog, each key was an allocation).
/// The hash is seeded at random per index, so a chosen set of keys does
/// not collide on another run.
#[derive(Debug, Clone, Default)]
struct ByText {
    seed: Hasher,
    map: HashMap<u64, SmallVec<[u32; 4]>, std::hash::BuildHasherDefault<HashIsKey>>,
}

impl ByText {
    fn key(&self, text: &str) -> u64 {
        use std::hash::BuildHasher;
        self.seed.hash_one(text)
    }

    /// Adds statement `pos` (not below any position added before) to the
    /// list of `text`.
    fn add(&mut self, text: &str, pos: u32) {
        let key = self.key(text);
        push_unique(self.map.entry(key).or_default(), pos);
    }

    /// The list of `text` (with those of any text of the same hash).
    fn get(&self, text: &str) -> Option<&SmallVec<[u32; 4]>> {
        self.map.get(&self.key(text))
    }

    fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn clear(&mut self) {
        self.map.clear();
    }

    fn reserve(&mut self, n: usize) {
        self.map.reserve(n);
    }
}

/// The hasher of [`ByText`]'s map, whose keys are seeded hashes already.
#[derive(Debug, Clone, Copy, Default)]
struct HashIsKey(u64);

impl std::hash::Hasher for HashIsKey {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // only u64 keys are hashed; any other input still hashes
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Below this many candidates by action, the resource filter costs more
/// than it saves.
const BUCKET_FILTER_MIN: usize = 8;

/// Policies in their layers, compiled for evaluation.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    members: Vec<Member>,
    scp_levels: usize,
    rcp_levels: usize,
    options: EvalOptions,
    indexes: [LayerIndex; LAYERS],
    resource_public: bool,
    access_point_public: bool,
    new_bucket_policy: Option<Arc<Policy>>,
}

/// Number of policy layers (one index each).
pub(crate) const LAYERS: usize = 8;

pub(crate) fn layer_slot(t: PolicyType) -> usize {
    match t {
        PolicyType::Identity => 0,
        PolicyType::Resource => 1,
        PolicyType::Boundary => 2,
        PolicyType::Session => 3,
        PolicyType::Scp => 4,
        PolicyType::Rcp => 5,
        PolicyType::VpcEndpoint => 6,
        PolicyType::AccessPoint => 7,
    }
}

/// Builds a [`PolicySet`].
#[derive(Debug, Default)]
pub struct PolicySetBuilder {
    members: Vec<Member>,
    scp_levels: usize,
    rcp_levels: usize,
    options: EvalOptions,
    new_bucket_policy: Option<Arc<Policy>>,
}

impl PolicySetBuilder {
    fn push(&mut self, policy: impl Into<Arc<Policy>>, layer: PolicyType, level: usize) {
        let policy = policy.into();
        let n = self.members.iter().filter(|m| m.layer == layer).count() + 1;
        let source_id = match layer {
            PolicyType::Identity => format!("PolicyInputList.{n}"),
            PolicyType::Resource => {
                if n == 1 {
                    "ResourcePolicy".to_string()
                } else {
                    format!("ResourcePolicy.{n}")
                }
            }
            PolicyType::Boundary => format!("PermissionsBoundaryPolicyInputList.{n}"),
            PolicyType::Session => format!("SessionPolicyInputList.{n}"),
            PolicyType::Scp => format!("ServiceControlPolicy.{}.{n}", level + 1),
            PolicyType::Rcp => format!("ResourceControlPolicy.{}.{n}", level + 1),
            PolicyType::VpcEndpoint => format!("VpcEndpointPolicy.{n}"),
            PolicyType::AccessPoint => format!("AccessPointPolicy.{n}"),
        };
        self.members.push(Member {
            policy,
            layer,
            level,
            source_id,
        });
    }

    /// Adds a policy in the layer of its type (SCPs and RCPs go to a new level each).
    pub fn policy(mut self, policy: Policy) -> Self {
        match policy.policy_type {
            PolicyType::Scp => return self.scp_level(vec![policy]),
            PolicyType::Rcp => return self.rcp_level(vec![policy]),
            t => self.push(policy, t, 0),
        }
        self
    }

    /// Adds an identity-based policy.
    pub fn identity(mut self, policy: impl Into<Arc<Policy>>) -> Self {
        self.push(policy, PolicyType::Identity, 0);
        self
    }

    /// Adds the bucket policy (resource-based).
    pub fn resource(mut self, policy: impl Into<Arc<Policy>>) -> Self {
        self.push(policy, PolicyType::Resource, 0);
        self
    }

    /// Adds a permissions boundary (several are a union).
    pub fn boundary(mut self, policy: impl Into<Arc<Policy>>) -> Self {
        self.push(policy, PolicyType::Boundary, 0);
        self
    }

    /// Adds a session policy (several are a union).
    pub fn session(mut self, policy: impl Into<Arc<Policy>>) -> Self {
        self.push(policy, PolicyType::Session, 0);
        self
    }

    /// Adds the policy of the VPC endpoint the request goes through
    /// (several are a union). It takes part when the request carries
    /// `aws:SourceVpce`.
    pub fn vpc_endpoint(mut self, policy: impl Into<Arc<Policy>>) -> Self {
        self.push(policy, PolicyType::VpcEndpoint, 0);
        self
    }

    /// Adds the policy of the S3 access point requests go through (several
    /// are a union). It takes part for requests whose resource is an access
    /// point ARN when the options name the access point's bucket
    /// ([`EvalOptions::access_point`], spec AP-1).
    pub fn access_point(mut self, policy: impl Into<Arc<Policy>>) -> Self {
        self.push(policy, PolicyType::AccessPoint, 0);
        self
    }

    /// Adds the next SCP level (root first): the policies attached at that level.
    pub fn scp_level<P: Into<Arc<Policy>>>(mut self, policies: Vec<P>) -> Self {
        let level = self.scp_levels;
        self.scp_levels += 1;
        for p in policies {
            self.push(p, PolicyType::Scp, level);
        }
        self
    }

    /// Adds the next RCP level (root first). `RCPFullAWSAccess` is implicit at every level.
    pub fn rcp_level<P: Into<Arc<Policy>>>(mut self, policies: Vec<P>) -> Self {
        let level = self.rcp_levels;
        self.rcp_levels += 1;
        for p in policies {
            self.push(p, PolicyType::Rcp, level);
        }
        self
    }

    /// The bucket policy a `s3:PutBucketPolicy` request would put
    /// (`--new-bucket-policy`): with `BlockPublicPolicy` on, the request is
    /// refused when it is public (E-19). It is not evaluated otherwise.
    pub fn new_bucket_policy(mut self, policy: impl Into<Arc<Policy>>) -> Self {
        self.new_bucket_policy = Some(policy.into());
        self
    }

    /// Sets the evaluation options.
    pub fn options(mut self, options: EvalOptions) -> Self {
        self.options = options;
        self
    }

    /// Compiles the set.
    pub fn build(self) -> PolicySet {
        let mut indexes: [LayerIndex; LAYERS] = Default::default();
        for (pi, m) in self.members.iter().enumerate() {
            if let Some(index) = indexes.get_mut(layer_slot(m.layer)) {
                for si in 0..m.policy.statements.len() {
                    index.statements.push(StatementRef {
                        policy: u32::try_from(pi).unwrap_or(u32::MAX),
                        statement: u32::try_from(si).unwrap_or(u32::MAX),
                    });
                }
            }
        }
        for index in indexes.iter_mut() {
            index.compile(&self.members);
        }
        let public = |layer: PolicyType| {
            self.members.iter().any(|m| {
                m.layer == layer && crate::eval::public_access::is_public_policy(&m.policy)
            })
        };
        let resource_public = public(PolicyType::Resource);
        let access_point_public = public(PolicyType::AccessPoint);
        PolicySet {
            members: self.members,
            scp_levels: self.scp_levels,
            rcp_levels: self.rcp_levels,
            options: self.options,
            indexes,
            resource_public,
            access_point_public,
            new_bucket_policy: self.new_bucket_policy,
        }
    }
}

impl LayerIndex {
    fn compile(&mut self, members: &[Member]) {
        if self.statements.is_empty() {
            return;
        }
        let cat = catalog::catalog();
        let lowers = cat.lower_names();
        // (catalog action, statement position) pairs, made into the index at the end
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let (mut literals, mut services) = (0, 0);
        for sref in &self.statements {
            for p in statement_of(members, *sref)
                .map(|st| st.action.patterns())
                .unwrap_or_default()
            {
                match p.literal() {
                    Some(_) => literals += 1,
                    None => services += 1,
                }
            }
        }
        self.by_literal.reserve(literals);
        self.by_service.reserve(services);
        // wildcard pattern text → its catalog actions, `found[from..to]`
        let mut expanded: HashMap<&str, (usize, usize), Hasher> = HashMap::default();
        let mut found: Vec<u32> = Vec::new();
        for (pos, sref) in self.statements.iter().enumerate() {
            let Some(st) = statement_of(members, *sref) else {
                continue;
            };
            let pos = u32::try_from(pos).unwrap_or(u32::MAX);
            let add_catalog = |i: usize, pairs: &mut Vec<(u32, u32)>| {
                pairs.push((u32::try_from(i).unwrap_or(u32::MAX), pos));
            };
            if st.action.is_not() {
                self.always.push(pos);
                for (i, lower) in lowers.iter().enumerate() {
                    if !st.action.patterns().iter().any(|p| p.matches_lower(lower)) {
                        add_catalog(i, &mut pairs);
                    }
                }
                continue;
            }
            let patterns = st.action.patterns();
            let wildcard_service = patterns.iter().any(|p| p.service().is_none());
            if wildcard_service {
                self.always.push(pos);
            }
            for p in patterns {
                match (p.service(), p.literal()) {
                    (Some(svc), Some(lit)) => {
                        // only an action of the catalog's services can be in it
                        let found = match cat.knows_service(svc) {
                            true => cat.index_of(lit),
                            false => None,
                        };
                        if let Some(i) = found {
                            add_catalog(i as usize, &mut pairs);
                        } else if !wildcard_service {
                            self.by_literal.add(lit, pos);
                        }
                    }
                    (svc, None) | (svc @ None, Some(_)) => {
                        // the catalog actions a wildcard matches, found once
                        // per pattern text (100 statements with `s3:List*`
                        // walk the catalog once)
                        let (from, to) = *expanded.entry(p.as_str()).or_insert_with(|| {
                            let range = match svc {
                                Some(svc) => cat.service_range(svc),
                                None => 0..lowers.len(),
                            };
                            let start = range.start;
                            let from = found.len();
                            for (i, lower) in
                                lowers.get(range).unwrap_or_default().iter().enumerate()
                            {
                                if p.matches_lower(lower) {
                                    found.push(u32::try_from(start + i).unwrap_or(u32::MAX));
                                }
                            }
                            (from, found.len())
                        });
                        for &i in found.get(from..to).unwrap_or_default() {
                            add_catalog(i as usize, &mut pairs);
                        }
                        if let (Some(svc), false) = (svc, wildcard_service) {
                            self.by_service.add(svc, pos);
                        }
                    }
                }
            }
        }
        self.by_catalog = CatalogIndex::new(lowers.len(), pairs);
        self.compile_buckets(members);
    }

    fn compile_buckets(&mut self, members: &[Member]) {
        for (pos, sref) in self.statements.iter().enumerate() {
            let pos = u32::try_from(pos).unwrap_or(u32::MAX);
            let buckets: Option<SmallVec<[&str; 4]>> = match statement_of(members, *sref) {
                Some(st) => match &st.resource {
                    ResourceClause::Resource(patterns) if !patterns.is_empty() => {
                        patterns.iter().map(|p| p.fixed_first_component()).collect()
                    }
                    _ => None,
                },
                None => None,
            };
            match buckets {
                Some(buckets) => {
                    for b in buckets {
                        self.by_bucket.add(b, pos);
                    }
                }
                None => self.any_bucket.push(pos),
            }
        }
        if self.any_bucket.len() == self.statements.len() {
            // Nothing to filter by.
            self.by_bucket.clear();
        }
    }

    /// Calls `f` for the positions in `list` (ascending) that the resource
    /// filter keeps for `bucket`, walking the shorter side.
    fn filter_by_bucket(&self, list: &[u32], bucket: &str, f: &mut impl FnMut(u32)) {
        let fixed: &[u32] = self.by_bucket.get(bucket).map_or(&[], |l| l.as_slice());
        let (mut i, mut j) = (0, 0);
        // The union of `fixed` and `any_bucket`, ascending, intersected with `list`.
        loop {
            let next = match (fixed.get(i), self.any_bucket.get(j)) {
                (Some(&a), Some(&b)) if a == b => {
                    i += 1;
                    j += 1;
                    a
                }
                (Some(&a), Some(&b)) if a < b => {
                    i += 1;
                    a
                }
                (_, Some(&b)) => {
                    j += 1;
                    b
                }
                (Some(&a), None) => {
                    i += 1;
                    a
                }
                (None, None) => return,
            };
            if list.binary_search(&next).is_ok() {
                f(next);
            }
        }
    }

    /// Calls `f` with every statement (position, ref) of the layer that may
    /// concern the action, in statement order; `exact` says the action
    /// clause is known to match. `bucket` is the first component of the
    /// requested ARN's resource part, when the request names an ARN:
    /// statements fixed to other buckets are then left out.
    pub(crate) fn candidates(
        &self,
        action: &crate::matcher::Action,
        bucket: Option<&str>,
        mut f: impl FnMut(StatementRef, bool),
    ) {
        if let Some(i) = action.catalog_index() {
            if let Some(list) = self.by_catalog.get(i as usize) {
                if let (Some(bucket), true) = (bucket, list.len() >= BUCKET_FILTER_MIN) {
                    if !self.by_bucket.is_empty()
                        && self.by_bucket.get(bucket).map_or(0, |l| l.len()) + self.any_bucket.len()
                            < list.len()
                    {
                        self.filter_by_bucket(list, bucket, &mut |pos| {
                            if let Some(r) = self.statements.get(pos as usize) {
                                f(*r, true);
                            }
                        });
                        return;
                    }
                }
                for &pos in list {
                    if let Some(r) = self.statements.get(pos as usize) {
                        f(*r, true);
                    }
                }
                return;
            }
        }
        let mut seen: SmallVec<[u32; 16]> = SmallVec::new();
        let lists = [
            self.by_literal.get(action.lower()),
            self.by_service.get(action.service()),
            Some(&self.always),
        ];
        for pos in lists.into_iter().flatten().flatten() {
            seen.push(*pos);
        }
        seen.sort_unstable();
        seen.dedup();
        for pos in seen {
            if let Some(r) = self.statements.get(pos as usize) {
                f(*r, false);
            }
        }
    }
}

/// Statement positions by catalog action, in one vector: the positions of
/// action `i` are `positions[starts[i]..starts[i + 1]]`, ascending (two
/// allocations for a layer, where a list per catalog action took hundreds).
#[derive(Debug, Clone, Default)]
struct CatalogIndex {
    starts: Vec<u32>,
    positions: Vec<u32>,
}

impl CatalogIndex {
    /// The index of `actions` catalog actions from (action, position)
    /// pairs whose positions never decrease (statements are added in
    /// order): a counting sort, repeated pairs dropped.
    fn new(actions: usize, pairs: Vec<(u32, u32)>) -> CatalogIndex {
        let mut last = vec![u32::MAX; actions];
        let mut counts = vec![0u32; actions + 1];
        for &(a, pos) in &pairs {
            if let (Some(l), Some(c)) = (last.get_mut(a as usize), counts.get_mut(a as usize + 1)) {
                if *l != pos {
                    *l = pos;
                    *c += 1;
                }
            }
        }
        for i in 1..counts.len() {
            let before = counts.get(i - 1).copied().unwrap_or(0);
            if let Some(c) = counts.get_mut(i) {
                *c += before;
            }
        }
        let starts = counts;
        let mut fill: Vec<u32> = starts.clone();
        last.fill(u32::MAX);
        let mut positions = vec![0u32; starts.last().copied().unwrap_or(0) as usize];
        for &(a, pos) in &pairs {
            if let (Some(l), Some(at)) = (last.get_mut(a as usize), fill.get_mut(a as usize)) {
                if *l != pos {
                    *l = pos;
                    if let Some(slot) = positions.get_mut(*at as usize) {
                        *slot = pos;
                    }
                    *at += 1;
                }
            }
        }
        CatalogIndex { starts, positions }
    }

    /// The positions of catalog action `i`; `None` when the layer is empty.
    fn get(&self, i: usize) -> Option<&[u32]> {
        let (start, end) = (*self.starts.get(i)?, *self.starts.get(i + 1)?);
        self.positions.get(start as usize..end as usize)
    }
}

fn push_unique(list: &mut SmallVec<[u32; 4]>, pos: u32) {
    if list.last() != Some(&pos) {
        list.push(pos);
    }
}

fn statement_of(members: &[Member], r: StatementRef) -> Option<&Statement> {
    members
        .get(r.policy as usize)?
        .policy
        .statements
        .get(r.statement as usize)
}

impl PolicySet {
    /// Starts a builder.
    pub fn builder() -> PolicySetBuilder {
        PolicySetBuilder::default()
    }

    /// A set of identity policies only.
    pub fn identity(policies: impl IntoIterator<Item = Policy>) -> PolicySet {
        policies
            .into_iter()
            .fold(PolicySet::builder(), PolicySetBuilder::identity)
            .build()
    }

    /// Every policy with its place.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// The member holding a statement.
    pub fn member(&self, r: StatementRef) -> Option<&Member> {
        self.members.get(r.policy as usize)
    }

    /// A statement by reference.
    pub fn statement(&self, r: StatementRef) -> Option<&Statement> {
        statement_of(&self.members, r)
    }

    /// Whether an answer may depend on the request context: some statement
    /// has a `Condition` or a policy variable in its resources. Otherwise
    /// [`PolicySet::authorize`] says all there is to say, and `evaluate`'s
    /// notes on missing context can never have anything to report.
    pub fn uses_context(&self) -> bool {
        self.members.iter().any(|m| {
            m.policy.statements.iter().any(|s| {
                !s.condition.is_empty() || s.resource.patterns().iter().any(|p| p.has_variables())
            })
        })
    }

    /// Whether any policy of the layer was given.
    pub fn has_layer(&self, t: PolicyType) -> bool {
        self.members.iter().any(|m| m.layer == t)
    }

    /// Number of SCP levels.
    pub fn scp_levels(&self) -> usize {
        self.scp_levels
    }

    /// Number of RCP levels.
    pub fn rcp_levels(&self) -> usize {
        self.rcp_levels
    }

    /// Whether the bucket policy is public (spec E-15): some Allow grants to
    /// everyone without a condition fixing who may use it.
    pub fn is_bucket_policy_public(&self) -> bool {
        self.resource_public
    }

    /// Whether the access point policy is public (spec E-15, AP-5).
    pub fn is_access_point_policy_public(&self) -> bool {
        self.access_point_public
    }

    /// The bucket policy a `s3:PutBucketPolicy` request would put, if given.
    pub fn new_bucket_policy(&self) -> Option<&Policy> {
        self.new_bucket_policy.as_deref()
    }

    /// Whether that new bucket policy is public (E-15's definition), if given.
    pub fn is_new_bucket_policy_public(&self) -> Option<bool> {
        self.new_bucket_policy
            .as_deref()
            .map(crate::eval::public_access::is_public_policy)
    }

    /// The evaluation options.
    pub fn options(&self) -> &EvalOptions {
        &self.options
    }

    pub(crate) fn index(&self, t: PolicyType) -> Option<&LayerIndex> {
        self.indexes.get(layer_slot(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::Action;

    fn set(text: &str) -> PolicySet {
        PolicySet::identity([Policy::parse("p.json", text).unwrap()])
    }

    fn candidates(s: &PolicySet, action: &str) -> Vec<(u32, bool)> {
        let mut out = Vec::new();
        s.index(PolicyType::Identity).unwrap().candidates(
            &Action::parse(action).unwrap(),
            None,
            |r, exact| out.push((r.statement, exact)),
        );
        out
    }

    #[test]
    fn index_finds_exactly_the_statements_of_catalog_actions() {
        let s = set(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Allow","Action":["s3:Put*","ec2:*"],"Resource":"*"},
            {"Effect":"Deny","NotAction":"s3:GetObject","Resource":"*"},
            {"Effect":"Allow","Action":"*","Resource":"*"}]}"#);
        assert_eq!(candidates(&s, "s3:GetObject"), vec![(0, true), (3, true)]);
        assert_eq!(
            candidates(&s, "S3:putobject"),
            vec![(1, true), (2, true), (3, true)]
        );
        // outside the catalog: candidates to re-check
        let ec2 = candidates(&s, "ec2:RunInstances");
        assert_eq!(ec2, vec![(1, false), (2, false), (3, false)]);
    }

    #[test]
    fn a_wildcard_repeated_in_many_statements_indexes_each_of_them() {
        // the catalog is walked once per pattern text: every statement
        // with the text still gets every action it matches
        let s = set(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:Get*","Resource":"*"},
            {"Effect":"Allow","Action":["s3:List*","s3:Get*"],"Resource":"*"},
            {"Effect":"Allow","Action":"S3:get*","Resource":"*"},
            {"Effect":"Allow","Action":["s3:Get*","*"],"Resource":"*"}]}"#);
        let all = vec![(0, true), (1, true), (2, true), (3, true)];
        assert_eq!(candidates(&s, "s3:GetObject"), all);
        assert_eq!(candidates(&s, "s3:GetBucketPolicy"), all);
        assert_eq!(candidates(&s, "s3:ListBucket"), vec![(1, true), (3, true)]);
        assert_eq!(candidates(&s, "s3:PutObject"), vec![(3, true)]);
    }
}
