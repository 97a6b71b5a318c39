//! A set of policies in their layers (identity, bucket, boundary, session,
//! SCP levels, RCP levels), compiled once into an action index so that a
//! request only looks at the statements that can concern its action.

use std::borrow::Cow;
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
    pub source_id: Cow<'static, str>,
}

/// The AWS simulator id (O-1) of the `n`th policy (from 1) of a layer, at
/// an organization level for SCPs and RCPs: the first policy of each layer
/// (at the root) is a static text, so a set of one policy allocates none.
fn source_id(layer: PolicyType, level: usize, n: usize) -> Cow<'static, str> {
    let first = n == 1 && level == 0;
    match layer {
        PolicyType::Identity if first => "PolicyInputList.1".into(),
        PolicyType::Identity => format!("PolicyInputList.{n}").into(),
        PolicyType::Resource if n == 1 => "ResourcePolicy".into(),
        PolicyType::Resource => format!("ResourcePolicy.{n}").into(),
        PolicyType::Boundary if first => "PermissionsBoundaryPolicyInputList.1".into(),
        PolicyType::Boundary => format!("PermissionsBoundaryPolicyInputList.{n}").into(),
        PolicyType::Session if first => "SessionPolicyInputList.1".into(),
        PolicyType::Session => format!("SessionPolicyInputList.{n}").into(),
        PolicyType::Scp if first => "ServiceControlPolicy.1.1".into(),
        PolicyType::Scp => format!("ServiceControlPolicy.{}.{n}", level + 1).into(),
        PolicyType::Rcp if first => "ResourceControlPolicy.1.1".into(),
        PolicyType::Rcp => format!("ResourceControlPolicy.{}.{n}", level + 1).into(),
        PolicyType::VpcEndpoint if first => "VpcEndpointPolicy.1".into(),
        PolicyType::VpcEndpoint => format!("VpcEndpointPolicy.{n}").into(),
        PolicyType::AccessPoint if first => "AccessPointPolicy.1".into(),
        PolicyType::AccessPoint => format!("AccessPointPolicy.{n}").into(),
    }
}

/// The statements of one layer and how to find them by action.
///
/// Sized to the layer: the catalog index is one allocation built from the
/// layer's (action, statement) pairs alone; the maps of texts outside the
/// catalog exist only for layers of [`TEXT_INDEX_MIN`] statements or more
/// and allocate nothing while empty; a layer without policies has no
/// index at all.
#[derive(Debug, Clone, Default)]
pub(crate) struct LayerIndex {
    /// Every statement of the layer.
    pub statements: Vec<StatementRef>,
    /// For each catalog action: the statements (positions in `statements`)
    /// whose `Action`/`NotAction` covers it, exactly, ascending.
    by_catalog: CatalogIndex,
    /// The seed of the hashes of `by_literal`, `by_service` and `by_bucket`.
    seed: Hasher,
    /// Whether `by_literal`, `by_service` and `always` are built (layers
    /// of [`TEXT_INDEX_MIN`] statements or more); a smaller layer gives
    /// every statement as a candidate for an action outside the catalog.
    texts_indexed: bool,
    /// For actions outside the catalog: statements with that literal action.
    by_literal: ByText,
    /// … statements with a wildcard pattern of that service.
    by_service: ByText,
    /// … statements with `NotAction` or a wildcard service (`*`, `s3*:*`).
    always: SmallVec<[u32; 4]>,
    /// Resource filter (layers of [`BUCKET_FILTER_MIN`] statements or
    /// more): statements all of whose `Resource` patterns fix the first
    /// component of the resource part (the bucket), by that component;
    /// they can concern no other resource.
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
/// share a list, and building the index copies no text. The hash is
/// seeded at random per index ([`LayerIndex`]'s seed), so a chosen set of
/// keys does not collide on another run. Nothing is allocated while it is
/// empty.
#[derive(Debug, Clone, Default)]
struct ByText {
    map: HashMap<u64, SmallVec<[u32; 4]>, std::hash::BuildHasherDefault<HashIsKey>>,
}

impl ByText {
    fn key(seed: &Hasher, text: &str) -> u64 {
        use std::hash::BuildHasher;
        seed.hash_one(text)
    }

    /// Adds statement `pos` (not below any position added before) to the
    /// list of `text`.
    fn add(&mut self, seed: &Hasher, text: &str, pos: u32) {
        let list = self.map.entry(ByText::key(seed, text)).or_default();
        if list.last() != Some(&pos) {
            list.push(pos);
        }
    }

    /// [`ByText::add`] of the ASCII lower case of `text`, lower-cased on
    /// the stack when it is short (an action name is).
    fn add_ascii_lowered(&mut self, seed: &Hasher, text: &str, pos: u32) {
        let mut buf = [0u8; 128];
        match buf.get_mut(..text.len()) {
            Some(short) => {
                short.copy_from_slice(text.as_bytes());
                short.make_ascii_lowercase();
                // ASCII lower-casing keeps UTF-8 valid
                let lower = std::str::from_utf8(short).unwrap_or_default();
                self.add(seed, lower, pos);
            }
            None => self.add(seed, &text.to_ascii_lowercase(), pos),
        }
    }

    /// The list of `text` (with those of any text of the same hash).
    fn get(&self, seed: &Hasher, text: &str) -> &[u32] {
        if self.map.is_empty() {
            return &[];
        }
        self.map
            .get(&ByText::key(seed, text))
            .map_or(&[], |l| l.as_slice())
    }

    fn is_empty(&self) -> bool {
        self.map.is_empty()
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

/// Below this many statements, a layer has no index of the actions
/// outside the catalog: a request for such an action (rare: the catalog
/// holds every S3 action) checks each statement, and the load indexes no
/// text (ReadOnlyAccess, 3 statements, names 2,400 actions outside the
/// catalog).
const TEXT_INDEX_MIN: usize = 8;

/// (catalog action, statement) pairs a layer's build keeps on the stack
/// (a small policy's; more go to the heap).
const PAIRS_ON_STACK: usize = 16;

/// Policies in their layers, compiled for evaluation.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    members: Vec<Member>,
    scp_levels: usize,
    rcp_levels: usize,
    options: EvalOptions,
    /// The index of each layer that has policies, by [`layer_slot`].
    slots: [Option<u8>; LAYERS],
    indexes: Vec<LayerIndex>,
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
        self.members.push(Member {
            policy,
            layer,
            level,
            source_id: source_id(layer, level, n),
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
        PolicySet::assemble(
            self.members,
            self.scp_levels,
            self.rcp_levels,
            self.options,
            self.new_bucket_policy,
        )
    }
}

impl PolicySet {
    /// The set of these members, indexed, written where it is returned.
    /// (`build` as one literal, without this function, measured the same
    /// load but thin LTO then inlined `authorize` differently:
    /// `authorize_loop synthetic-100` 3,748 instructions an answer against
    /// 3,708.)
    #[inline(always)]
    fn assemble(
        members: Vec<Member>,
        scp_levels: usize,
        rcp_levels: usize,
        options: EvalOptions,
        new_bucket_policy: Option<Arc<Policy>>,
    ) -> PolicySet {
        let (slots, indexes) = index_layers(&members);
        let public = |layer: PolicyType| {
            members.iter().any(|m| {
                m.layer == layer && crate::eval::public_access::is_public_policy(&m.policy)
            })
        };
        let resource_public = public(PolicyType::Resource);
        let access_point_public = public(PolicyType::AccessPoint);
        PolicySet {
            members,
            scp_levels,
            rcp_levels,
            options,
            slots,
            indexes,
            resource_public,
            access_point_public,
            new_bucket_policy,
        }
    }
}

/// The index of each layer that has members, and where each layer's is.
fn index_layers(members: &[Member]) -> ([Option<u8>; LAYERS], Vec<LayerIndex>) {
    let mut slots: [Option<u8>; LAYERS] = [None; LAYERS];
    // the layers and their statements, to size the indexes and each
    // layer's list at once (a `LayerIndex` is large: the first push of
    // an empty `Vec` made room for four, through its slow path; a
    // list extended from empty took `reserve`'s)
    let mut seen = [false; LAYERS];
    let mut counts = [0usize; LAYERS];
    for m in members {
        let slot = layer_slot(m.layer);
        if let (Some(s), Some(c)) = (seen.get_mut(slot), counts.get_mut(slot)) {
            *s = true;
            *c += m.policy.statements.len();
        }
    }
    let layers = seen.iter().filter(|s| **s).count();
    let mut indexes: Vec<LayerIndex> = Vec::with_capacity(layers);
    for (pi, m) in members.iter().enumerate() {
        let slot = layer_slot(m.layer);
        let Some(at) = slots.get_mut(slot) else {
            continue;
        };
        let at = match *at {
            Some(at) => at,
            None => {
                // at most `LAYERS` indexes
                let new = u8::try_from(indexes.len()).unwrap_or(u8::MAX);
                let count = counts.get(slot).copied().unwrap_or_default();
                indexes.push(LayerIndex {
                    statements: Vec::with_capacity(count),
                    ..LayerIndex::default()
                });
                *at = Some(new);
                new
            }
        };
        if let Some(index) = indexes.get_mut(at as usize) {
            index
                .statements
                .extend((0..m.policy.statements.len()).map(|si| StatementRef {
                    policy: u32::try_from(pi).unwrap_or(u32::MAX),
                    statement: u32::try_from(si).unwrap_or(u32::MAX),
                }));
        }
    }
    for index in indexes.iter_mut() {
        index.compile(members);
    }
    (slots, indexes)
}

impl LayerIndex {
    fn compile(&mut self, members: &[Member]) {
        if self.statements.is_empty() {
            return;
        }
        let cat = catalog::catalog();
        let lowers = cat.lower_names();
        // (catalog action, statement position) pairs, made into the index
        // at the end; a literal makes one, a wildcard more
        let patterns: usize = self
            .statements
            .iter()
            .filter_map(|r| statement_of(members, *r))
            .map(|st| st.action.patterns().len())
            .sum();
        // on the stack for a small layer (the Rails policy makes 6)
        let mut pairs: SmallVec<[(u32, u32); PAIRS_ON_STACK]> = SmallVec::with_capacity(patterns);
        // wildcard pattern text of a catalog service → its catalog
        // actions, `found[from..to]`, made on the first such pattern
        let mut expanded: Option<HashMap<&str, (usize, usize), Hasher>> = None;
        let mut found: Vec<u32> = Vec::new();
        // NotAction: the catalog actions one of its entries matches
        let mut excluded: Vec<bool> = Vec::new();
        let seed = &self.seed;
        let texts = self.statements.len() >= TEXT_INDEX_MIN;
        self.texts_indexed = texts;
        for (pos, sref) in self.statements.iter().enumerate() {
            let Some(st) = statement_of(members, *sref) else {
                continue;
            };
            let pos = u32::try_from(pos).unwrap_or(u32::MAX);
            let add_catalog = |i: usize, pairs: &mut SmallVec<[(u32, u32); PAIRS_ON_STACK]>| {
                pairs.push((u32::try_from(i).unwrap_or(u32::MAX), pos));
            };
            if st.action.is_not() {
                if texts {
                    self.always.push(pos);
                }
                // every catalog action no entry matches
                excluded.clear();
                excluded.resize(lowers.len(), false);
                for i in st
                    .action
                    .patterns()
                    .iter()
                    .flat_map(|p| p.catalog_matches())
                {
                    if let Some(x) = excluded.get_mut(i as usize) {
                        *x = true;
                    }
                }
                for (i, _) in excluded.iter().enumerate().filter(|(_, x)| !**x) {
                    add_catalog(i, &mut pairs);
                }
                continue;
            }
            let patterns = st.action.patterns();
            let wildcard_service = texts && patterns.iter().any(|p| !p.has_service());
            if wildcard_service {
                self.always.push(pos);
            }
            for p in patterns {
                if let Some(i) = p.catalog_index() {
                    add_catalog(i as usize, &mut pairs);
                    continue;
                }
                if !texts && p.outside_catalog() {
                    // a service the catalog lacks: no catalog action, and
                    // no text index to add it to (most of ReadOnlyAccess)
                    continue;
                }
                // a literal outside the catalog: indexed by its text, and
                // only in a layer with text indexes (its service is not
                // looked at: `has_service` is a field)
                if p.has_service() {
                    if let Some(lit) = p.literal() {
                        if texts && !wildcard_service {
                            self.by_literal.add(seed, lit, pos);
                        }
                        continue;
                    }
                    // kept as written (most of ReadOnlyAccess): indexed by
                    // its ASCII lower case, the name `literal` would give
                    if let Some(text) = p.literal_as_written() {
                        if texts && !wildcard_service {
                            self.by_literal.add_ascii_lowered(seed, text, pos);
                        }
                        continue;
                    }
                }
                let svc = p.service();
                if p.outside_catalog() {
                    // a service the catalog lacks (most of ReadOnlyAccess):
                    // no catalog action, no look-up of its text
                    if let (Some(svc), true, false) = (svc, texts, wildcard_service) {
                        self.by_service.add(seed, svc, pos);
                    }
                    continue;
                }
                // a wildcard, or a literal without a service: the catalog
                // actions it matches, found once per pattern text (100
                // statements with `s3:List*` look the catalog up once)
                let expanded = expanded.get_or_insert_with(|| HashMap::with_hasher(seed.clone()));
                let (from, to) = *expanded.entry(p.as_str()).or_insert_with(|| {
                    let from = found.len();
                    found.extend(p.catalog_matches());
                    (from, found.len())
                });
                let actions = found.get(from..to).unwrap_or_default();
                pairs.extend(actions.iter().map(|&i| (i, pos)));
                if let (Some(svc), true, false) = (svc, texts, wildcard_service) {
                    self.by_service.add(seed, svc, pos);
                }
            }
        }
        self.by_catalog = CatalogIndex::new(lowers.len(), &pairs);
        if self.statements.len() >= BUCKET_FILTER_MIN {
            // a smaller layer never has a list long enough to be filtered
            self.compile_buckets(members);
        }
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
                        self.by_bucket.add(&self.seed, b, pos);
                    }
                }
                None => self.any_bucket.push(pos),
            }
        }
        if self.any_bucket.len() == self.statements.len() {
            // Nothing to filter by.
            self.by_bucket = ByText::default();
        }
    }

    /// Calls `f` for the positions in `list` (ascending) that the resource
    /// filter keeps for `bucket`, walking the shorter side.
    fn filter_by_bucket(&self, list: &[u32], fixed: &[u32], f: &mut impl FnMut(u32)) {
        let (mut i, mut j) = (0, 0);
        // The union of `fixed` and `any_bucket`, ascending, intersected with `list`.
        loop {
            let next = match (fixed.get(i).copied(), self.any_bucket.get(j)) {
                (Some(a), Some(&b)) if a == b => {
                    i += 1;
                    j += 1;
                    a
                }
                (Some(a), Some(&b)) if a < b => {
                    i += 1;
                    a
                }
                (_, Some(&b)) => {
                    j += 1;
                    b
                }
                (Some(a), None) => {
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
            if let Some(list) = self.by_catalog.get(i) {
                if let (Some(bucket), true, false) = (
                    bucket,
                    list.len() >= BUCKET_FILTER_MIN,
                    self.by_bucket.is_empty(),
                ) {
                    let fixed = self.by_bucket.get(&self.seed, bucket);
                    if fixed.len() + self.any_bucket.len() < list.len() {
                        self.filter_by_bucket(list, fixed, &mut |pos| {
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
        if !self.texts_indexed {
            for r in &self.statements {
                f(*r, false);
            }
            return;
        }
        let mut seen: SmallVec<[u32; 16]> = SmallVec::new();
        let lists = [
            self.by_literal.get(&self.seed, action.lower()),
            self.by_service.get(&self.seed, action.service()),
        ];
        seen.extend(lists.into_iter().flatten().copied());
        seen.extend(self.always.iter().copied());
        seen.sort_unstable();
        seen.dedup();
        for pos in seen {
            if let Some(r) = self.statements.get(pos as usize) {
                f(*r, false);
            }
        }
    }
}

/// Statement positions by catalog action, sized to the pairs the layer
/// makes: one allocation holding a rank per catalog action (the order in
/// which the layer first names it, or none), then the start of each
/// rank's list, then the lists. Building is one counting sort over the
/// pairs (no walk over the catalog, no temporary table as long as it); a
/// lookup is three loads.
#[derive(Debug, Clone, Default)]
struct CatalogIndex {
    /// `actions` ranks (`u32::MAX`: no statement covers the action), the
    /// `k + 1` starts of the ranks' lists, then the positions (those of
    /// rank `r` are `starts[r]..starts[r + 1]` into them, ascending).
    /// Empty when no statement covers a catalog action.
    data: Vec<u32>,
    /// The number of catalog actions; 0 when the layer is not compiled.
    actions: u32,
    /// Where the positions start in `data`: `actions + k + 1`.
    positions_at: u32,
}

impl CatalogIndex {
    /// The index of `actions` catalog actions from (action, position)
    /// pairs whose positions never decrease (statements are added in
    /// order), repeated pairs dropped.
    fn new(actions: usize, pairs: &[(u32, u32)]) -> CatalogIndex {
        let mut index = CatalogIndex {
            data: Vec::new(),
            actions: u32::try_from(actions).unwrap_or(u32::MAX),
            positions_at: 0,
        };
        if pairs.is_empty() {
            return index;
        }
        let mut data: Vec<u32> = Vec::with_capacity(actions + 1 + 2 * pairs.len());
        data.resize(actions, u32::MAX);
        // per rank: its count, then the last position counted (repeated
        // pairs are adjacent, the pairs of a statement are, and dropped)
        // (a rank per distinct catalog action: no more than the pairs; on
        // the stack for a small layer, a slice either way, so that the
        // loops below do not ask where it lives at each step)
        let room = pairs.len().min(actions);
        let mut on_stack = [(0u32, 0u32); PAIRS_ON_STACK];
        let mut on_heap: Vec<(u32, u32)> = Vec::new();
        let all: &mut [(u32, u32)] = match on_stack.get_mut(..room) {
            Some(small) => small,
            None => {
                on_heap.resize(room, (0, 0));
                &mut on_heap
            }
        };
        let mut k = 0usize;
        for &(a, pos) in pairs {
            let Some(rank) = data.get_mut(a as usize) else {
                continue;
            };
            if *rank == u32::MAX {
                *rank = u32::try_from(k).unwrap_or(u32::MAX);
                if let Some(r) = all.get_mut(k) {
                    *r = (1, pos);
                }
                k += 1;
            } else if let Some((count, last)) = all.get_mut(*rank as usize) {
                if *last != pos {
                    *last = pos;
                    *count += 1;
                }
            }
        }
        let ranks = all.get_mut(..k).unwrap_or_default();
        // the starts, then room for the positions; each rank's count
        // becomes its next free slot
        let mut sum = 0u32;
        data.push(0);
        for (count, last) in ranks.iter_mut() {
            let start = sum;
            sum += *count;
            data.push(sum);
            *count = start;
            *last = u32::MAX;
        }
        let positions_at = data.len();
        data.resize(positions_at + sum as usize, 0);
        let (head, positions) = data.split_at_mut(positions_at);
        for &(a, pos) in pairs {
            let Some(&rank) = head.get(a as usize) else {
                continue;
            };
            if let Some((at, last)) = ranks.get_mut(rank as usize) {
                if *last != pos {
                    *last = pos;
                    if let Some(slot) = positions.get_mut(*at as usize) {
                        *slot = pos;
                    }
                    *at += 1;
                }
            }
        }
        index.positions_at = u32::try_from(positions_at).unwrap_or(u32::MAX);
        index.data = data;
        index
    }

    /// The positions of catalog action `i`; `None` when the layer is not
    /// compiled (or `i` is past the catalog).
    #[inline]
    fn get(&self, i: u32) -> Option<&[u32]> {
        if i >= self.actions {
            return None;
        }
        let Some(&rank) = self.data.get(i as usize) else {
            // no statement covers a catalog action
            return Some(&[]);
        };
        if rank == u32::MAX {
            return Some(&[]);
        }
        let at = (self.actions + rank) as usize;
        let (start, end) = (*self.data.get(at)?, *self.data.get(at + 1)?);
        let p = self.positions_at;
        self.data.get((p + start) as usize..(p + end) as usize)
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
        // the members made in place, numbered as `PolicySetBuilder::identity`
        // numbers them (the builder, with its options, is not moved at
        // each policy)
        let policies = policies.into_iter();
        let mut members = Vec::with_capacity(policies.size_hint().0);
        for policy in policies {
            let n = members.len() + 1;
            members.push(Member {
                policy: Arc::new(policy),
                layer: PolicyType::Identity,
                level: 0,
                source_id: source_id(PolicyType::Identity, 0, n),
            });
        }
        // the set written where it is returned, its default options made
        // in it (not copied in from the builder's); no member is a bucket
        // or access point policy
        let (slots, indexes) = index_layers(&members);
        PolicySet {
            members,
            scp_levels: 0,
            rcp_levels: 0,
            options: EvalOptions::default(),
            slots,
            indexes,
            resource_public: false,
            access_point_public: false,
            new_bucket_policy: None,
        }
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

    /// The index of a layer; `None` when the set has no policy of it.
    pub(crate) fn index(&self, t: PolicyType) -> Option<&LayerIndex> {
        let at = (*self.slots.get(layer_slot(t))?)?;
        self.indexes.get(at as usize)
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
        let four = r#"
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Allow","Action":["s3:Put*","ec2:*"],"Resource":"*"},
            {"Effect":"Deny","NotAction":"s3:GetObject","Resource":"*"},
            {"Effect":"Allow","Action":"*","Resource":"*"}"#;
        // the same four, then enough others for the index of texts
        // outside the catalog
        let padding = r#",{"Effect":"Allow","Action":["s3:GetBucketTagging","ec2:StopInstances"],"Resource":"*"}"#
            .repeat(TEXT_INDEX_MIN);
        for (statements, indexed) in [
            (four.to_string(), false),
            (format!("{four}{padding}"), true),
        ] {
            let s = set(&format!(
                r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#
            ));
            assert_eq!(candidates(&s, "s3:GetObject"), vec![(0, true), (3, true)]);
            assert_eq!(
                candidates(&s, "S3:putobject"),
                vec![(1, true), (2, true), (3, true)]
            );
            // outside the catalog: candidates to re-check; a small layer
            // gives them all
            let ec2 = candidates(&s, "ec2:RunInstances");
            if indexed {
                assert_eq!(ec2, vec![(1, false), (2, false), (3, false)]);
                let stop = candidates(&s, "ec2:stopinstances");
                assert_eq!(stop.len(), 3 + TEXT_INDEX_MIN);
            } else {
                assert_eq!(ec2, vec![(0, false), (1, false), (2, false), (3, false)]);
            }
        }
    }

    #[test]
    fn a_small_layer_skips_foreign_patterns_and_indexes_the_rest() {
        // a layer below TEXT_INDEX_MIN passes over patterns of services
        // outside the catalog (no catalog action, no text index): every
        // form of them beside catalog patterns, in the same statement
        let s = set(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["ec2:describeinstances","s3:GetObject"],"Resource":"*"},
            {"Effect":"Allow","Action":["ec2:DescribeInstances","ec2:Describe*"],"Resource":"*"},
            {"Effect":"Allow","Action":["EC2:Describe*","ec2:Desc?ibe*","s3:Get*"],"Resource":"*"},
            {"Effect":"Allow","Action":["access-analyzer:GetAnalyzer","s3:PutObject"],"Resource":"*"}]}"#);
        assert_eq!(candidates(&s, "s3:GetObject"), vec![(0, true), (2, true)]);
        assert_eq!(candidates(&s, "s3:PutObject"), vec![(3, true)]);
        assert_eq!(candidates(&s, "s3:GetBucketTagging"), vec![(2, true)]);
        assert_eq!(candidates(&s, "s3:DeleteObject"), vec![]);
        // outside the catalog: every statement, to re-check
        let all = vec![(0, false), (1, false), (2, false), (3, false)];
        assert_eq!(candidates(&s, "ec2:DescribeInstances"), all);
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

    #[test]
    fn source_ids_number_the_policies_of_each_layer_o1() {
        // docs/semantics.md O-1: the ids AWS's simulator gives its inputs
        let p = || {
            Policy::parse(
                "p.json",
                r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
            )
            .unwrap()
        };
        let s = PolicySet::builder()
            .identity(p())
            .identity(p())
            .resource(p())
            .resource(p())
            .scp_level(vec![p()])
            .scp_level(vec![p(), p()])
            .boundary(p())
            .build();
        let ids: Vec<&str> = s.members().iter().map(|m| &*m.source_id).collect();
        assert_eq!(
            ids,
            [
                "PolicyInputList.1",
                "PolicyInputList.2",
                "ResourcePolicy",
                "ResourcePolicy.2",
                "ServiceControlPolicy.1.1",
                "ServiceControlPolicy.2.2",
                "ServiceControlPolicy.2.3",
                "PermissionsBoundaryPolicyInputList.1",
            ]
        );
    }

    /// The positions of catalog action `i` by walking the pairs.
    fn brute(pairs: &[(u32, u32)], i: u32) -> Vec<u32> {
        let mut v: Vec<u32> = pairs.iter().filter(|p| p.0 == i).map(|p| p.1).collect();
        v.dedup();
        v
    }

    #[test]
    fn catalog_index_agrees_with_the_pairs() {
        // pairs as the build makes them: positions never decrease, an
        // action may repeat within a statement
        for n in [0usize, 1, 5, 64, 500] {
            for actions in [20usize, 64, 130] {
                let mut pairs: Vec<(u32, u32)> = Vec::new();
                let mut x = 12345u32;
                for k in 0..n {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    pairs.push(((x >> 16) % actions as u32, (k / 3) as u32));
                }
                let index = CatalogIndex::new(actions, &pairs);
                for i in 0..actions as u32 {
                    let want = brute(&pairs, i);
                    assert_eq!(index.get(i).unwrap(), want.as_slice(), "{n} {actions} {i}");
                }
                // past the catalog, and a layer not compiled
                assert_eq!(index.get(actions as u32), None);
                assert_eq!(CatalogIndex::default().get(0), None);
            }
        }
    }

    #[test]
    fn a_layer_lists_the_statements_of_all_its_policies_in_order() {
        // layer lists sized from a first count: every statement of every
        // policy of the layer, by (policy, statement), and no other layer's
        let p = |text: &str| Policy::parse("p.json", text).unwrap();
        let two = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Deny","Action":"s3:Get*","Resource":"*"}]}"#;
        let one = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
        let none = r#"{"Version":"2012-10-17","Statement":[]}"#;
        let s = PolicySet::builder()
            .identity(p(two))
            .resource(p(one))
            .identity(p(none))
            .identity(p(one))
            .build();
        let refs = |t: PolicyType| -> Vec<(u32, u32)> {
            let mut out = Vec::new();
            s.index(t).unwrap().candidates(
                &Action::parse("s3:GetObject").unwrap(),
                None,
                |r, _| out.push((r.policy, r.statement)),
            );
            out
        };
        assert_eq!(refs(PolicyType::Identity), vec![(0, 0), (0, 1), (3, 0)]);
        assert_eq!(refs(PolicyType::Resource), vec![(1, 0)]);
        let statements = |t: PolicyType| s.index(t).unwrap().statements.len();
        assert_eq!(statements(PolicyType::Identity), 3);
        assert_eq!(statements(PolicyType::Resource), 1);
        // a set of identity policies (made without the builder) is the
        // builder's: the same ids, flags, layers and candidates
        let a = PolicySet::identity([p(two), p(one)]);
        let b = PolicySet::builder()
            .identity(p(two))
            .identity(p(one))
            .build();
        for s in [&a, &b] {
            let ids: Vec<&str> = s.members().iter().map(|m| &*m.source_id).collect();
            assert_eq!(ids, ["PolicyInputList.1", "PolicyInputList.2"]);
            assert!(!s.is_bucket_policy_public() && !s.is_access_point_policy_public());
            assert_eq!(s.options(), &EvalOptions::default());
            assert_eq!((s.scp_levels(), s.rcp_levels()), (0, 0));
            assert!(s.new_bucket_policy().is_none());
            assert!(PolicyType::ALL
                .iter()
                .all(|&t| s.index(t).is_some() == (t == PolicyType::Identity)));
        }
        for action in ["s3:GetObject", "s3:PutObject", "ec2:RunInstances"] {
            let refs = |s: &PolicySet| {
                let mut out = Vec::new();
                s.index(PolicyType::Identity).unwrap().candidates(
                    &Action::parse(action).unwrap(),
                    None,
                    |r, exact| out.push((r.policy, r.statement, exact)),
                );
                out
            };
            assert_eq!(refs(&a), refs(&b), "{action}");
        }
    }

    #[test]
    fn empty_layers_have_no_index() {
        let s = set(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#);
        assert!(s.index(PolicyType::Identity).is_some());
        assert!(s.index(PolicyType::Resource).is_none());
        assert!(s.index(PolicyType::Scp).is_none());
    }

    #[test]
    fn the_bucket_filter_keeps_the_statements_of_the_bucket_and_of_any_bucket() {
        // BUCKET_FILTER_MIN statements or more: statements fixed to other
        // buckets are left out of a request's candidates
        let mut statements: Vec<String> = (0..BUCKET_FILTER_MIN + 2)
            .map(|i| {
                format!(
                    r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b{i}/*"}}"#
                )
            })
            .collect();
        statements
            .push(r#"{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::*"}"#.into());
        let s = set(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            statements.join(",")
        ));
        let mut out = Vec::new();
        s.index(PolicyType::Identity).unwrap().candidates(
            &Action::parse("s3:GetObject").unwrap(),
            Some("b3"),
            |r, exact| out.push((r.statement, exact)),
        );
        let last = (BUCKET_FILTER_MIN + 2) as u32;
        assert_eq!(out, vec![(3, true), (last, true)]);
        // outside the catalog: the statements of the service's wildcards
        assert_eq!(candidates(&s, "s3:NotAnAction"), vec![(last, false)]);
    }

    #[test]
    fn by_text_lists_every_position_of_a_text() {
        let seed = Hasher::default();
        let mut t = ByText::default();
        let texts: Vec<String> = (0..300).map(|i| format!("bucket-{}", i % 120)).collect();
        for (pos, text) in texts.iter().enumerate() {
            t.add(&seed, text, pos as u32);
            t.add(&seed, text, pos as u32);
        }
        for text in &texts {
            let want: Vec<u32> = (0..texts.len() as u32)
                .filter(|&p| texts.get(p as usize) == Some(text))
                .collect();
            let got: Vec<u32> = t.get(&seed, text).to_vec();
            // a superset (texts of the same hash share a list), ascending
            assert!(want.iter().all(|p| got.contains(p)), "{text}");
            assert!(got.windows(2).all(|w| w.first() < w.get(1)), "{text}");
        }
        assert!(t.get(&seed, "no-such-bucket").is_empty());
        assert!(ByText::default().get(&seed, "b").is_empty());
    }
}
