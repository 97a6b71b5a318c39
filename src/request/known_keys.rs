//! The condition keys a request context usually holds (the global `aws:`
//! keys and the `s3:` keys of the catalog, in the spellings AWS documents
//! and a few others seen in corpora), with their lower-cased forms: a
//! context entry of such a key borrows both instead of allocating them.
//!
//! Found by the exact spelling through a hash table built at compile time;
//! a key in another case is no entry (it takes the general path).

/// A key of the table: as spelled, lower-cased, and whether the catalog
/// says it holds several values.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct KnownKey {
    /// The key as spelled.
    pub key: &'static str,
    /// `key.to_lowercase()` (a test keeps it so).
    pub lower: &'static str,
    /// `catalog::is_multivalued(lower)` (a test keeps it so).
    pub multi: bool,
    /// How many keys of the table have a lower-cased form before this
    /// one's (in byte order): the keys' order as numbers, equal for
    /// spellings of one key.
    pub rank: u8,
}

const fn known(key: &'static str, lower: &'static str, multi: bool) -> KnownKey {
    KnownKey {
        key,
        lower,
        multi,
        rank: 0,
    }
}

/// The keys. Adding one: its spelling, its lower-cased form and whether
/// it is multivalued (the tests check all three and the table's probes).
const KNOWN: [KnownKey; 123] = [
    known("aws:PrincipalArn", "aws:principalarn", false),
    known("aws:PrincipalAccount", "aws:principalaccount", false),
    known("aws:PrincipalOrgPaths", "aws:principalorgpaths", true),
    known("aws:PrincipalOrgID", "aws:principalorgid", false),
    known(
        "aws:PrincipalIsAWSService",
        "aws:principalisawsservice",
        false,
    ),
    known(
        "aws:PrincipalServiceName",
        "aws:principalservicename",
        false,
    ),
    known(
        "aws:PrincipalServiceNamesList",
        "aws:principalservicenameslist",
        true,
    ),
    known("aws:PrincipalType", "aws:principaltype", false),
    known("aws:userid", "aws:userid", false),
    known("aws:username", "aws:username", false),
    known("aws:AssumedRoot", "aws:assumedroot", false),
    known("aws:FederatedProvider", "aws:federatedprovider", false),
    known("aws:TokenIssueTime", "aws:tokenissuetime", false),
    known("aws:MultiFactorAuthAge", "aws:multifactorauthage", false),
    known(
        "aws:MultiFactorAuthPresent",
        "aws:multifactorauthpresent",
        false,
    ),
    known("aws:ChatbotSourceArn", "aws:chatbotsourcearn", false),
    known(
        "aws:Ec2InstanceSourceVpc",
        "aws:ec2instancesourcevpc",
        false,
    ),
    known(
        "aws:Ec2InstanceSourcePrivateIPv4",
        "aws:ec2instancesourceprivateipv4",
        false,
    ),
    known("aws:SourceIdentity", "aws:sourceidentity", false),
    known("ec2:RoleDelivery", "ec2:roledelivery", false),
    known("ec2:SourceInstanceArn", "ec2:sourceinstancearn", false),
    known("glue:RoleAssumedBy", "glue:roleassumedby", false),
    known(
        "glue:CredentialIssuingService",
        "glue:credentialissuingservice",
        false,
    ),
    known(
        "lambda:SourceFunctionArn",
        "lambda:sourcefunctionarn",
        false,
    ),
    known("ssm:SourceInstanceArn", "ssm:sourceinstancearn", false),
    known("identitystore:UserId", "identitystore:userid", false),
    known("aws:SourceIp", "aws:sourceip", false),
    known("aws:SourceVpc", "aws:sourcevpc", false),
    known("aws:SourceVpcArn", "aws:sourcevpcarn", false),
    known("aws:SourceVpce", "aws:sourcevpce", false),
    known("aws:VpceAccount", "aws:vpceaccount", false),
    known("aws:VpceOrgPaths", "aws:vpceorgpaths", true),
    known("aws:VpceOrgID", "aws:vpceorgid", false),
    known("aws:VpcSourceIp", "aws:vpcsourceip", false),
    known("aws:ResourceAccount", "aws:resourceaccount", false),
    known("aws:ResourceOrgID", "aws:resourceorgid", false),
    known("aws:ResourceOrgPaths", "aws:resourceorgpaths", true),
    known("aws:CalledVia", "aws:calledvia", true),
    known("aws:CalledViaFirst", "aws:calledviafirst", false),
    known("aws:CalledViaLast", "aws:calledvialast", false),
    known("aws:CalledViaAWSMCP", "aws:calledviaawsmcp", false),
    known("aws:ViaAWSService", "aws:viaawsservice", false),
    known("aws:ViaAWSMCPService", "aws:viaawsmcpservice", false),
    known("aws:CurrentTime", "aws:currenttime", false),
    known("aws:EpochTime", "aws:epochtime", false),
    known("aws:referer", "aws:referer", false),
    known("aws:RequestedRegion", "aws:requestedregion", false),
    known("aws:TagKeys", "aws:tagkeys", true),
    known("aws:SecureTransport", "aws:securetransport", false),
    known("aws:SourceArn", "aws:sourcearn", false),
    known("aws:SourceAccount", "aws:sourceaccount", false),
    known("aws:SourceOwner", "aws:sourceowner", false),
    known("aws:SourceOrgPaths", "aws:sourceorgpaths", true),
    known("aws:SourceOrgID", "aws:sourceorgid", false),
    known("aws:UserAgent", "aws:useragent", false),
    known("aws:IsMcpServiceAction", "aws:ismcpserviceaction", false),
    known("s3:AccessGrantScope", "s3:accessgrantscope", false),
    known(
        "s3:AccessGrantsInstanceArn",
        "s3:accessgrantsinstancearn",
        false,
    ),
    known(
        "s3:AccessGrantsLocationScope",
        "s3:accessgrantslocationscope",
        false,
    ),
    known(
        "s3:AccessPointNetworkOrigin",
        "s3:accesspointnetworkorigin",
        false,
    ),
    known("s3:annotation-prefix", "s3:annotation-prefix", false),
    known("s3:authType", "s3:authtype", false),
    known(
        "s3:DataAccessPointAccount",
        "s3:dataaccesspointaccount",
        false,
    ),
    known("s3:DataAccessPointArn", "s3:dataaccesspointarn", false),
    known("s3:delimiter", "s3:delimiter", false),
    known("s3:deliverySourceArn", "s3:deliverysourcearn", false),
    known("s3:destinationRegion", "s3:destinationregion", false),
    known("s3:ExistingJobOperation", "s3:existingjoboperation", false),
    known("s3:ExistingJobPriority", "s3:existingjobpriority", false),
    known("s3:if-match", "s3:if-match", false),
    known("s3:if-none-match", "s3:if-none-match", false),
    known(
        "s3:InventoryAccessibleOptionalFields",
        "s3:inventoryaccessibleoptionalfields",
        true,
    ),
    known(
        "s3:isReplicationPauseRequest",
        "s3:isreplicationpauserequest",
        false,
    ),
    known("s3:JobSuspendedCause", "s3:jobsuspendedcause", false),
    known("s3:locationconstraint", "s3:locationconstraint", false),
    known("s3:logType", "s3:logtype", false),
    known(
        "s3:max-annotation-results",
        "s3:max-annotation-results",
        false,
    ),
    known("s3:max-keys", "s3:max-keys", false),
    known(
        "s3:object-lock-event-hold",
        "s3:object-lock-event-hold",
        false,
    ),
    known(
        "s3:object-lock-event-hold-duration-days",
        "s3:object-lock-event-hold-duration-days",
        false,
    ),
    known(
        "s3:object-lock-legal-hold",
        "s3:object-lock-legal-hold",
        false,
    ),
    known("s3:object-lock-mode", "s3:object-lock-mode", false),
    known(
        "s3:object-lock-remaining-retention-days",
        "s3:object-lock-remaining-retention-days",
        false,
    ),
    known(
        "s3:object-lock-retain-until-date",
        "s3:object-lock-retain-until-date",
        false,
    ),
    known(
        "s3:ObjectCreationOperation",
        "s3:objectcreationoperation",
        false,
    ),
    known("s3:prefix", "s3:prefix", false),
    known("s3:RequestJobOperation", "s3:requestjoboperation", false),
    known("s3:RequestJobPriority", "s3:requestjobpriority", false),
    known("s3:RequestObjectTagKeys", "s3:requestobjecttagkeys", true),
    known("s3:ResourceAccount", "s3:resourceaccount", false),
    known(
        "s3:resourceArnBeingAuthorized",
        "s3:resourcearnbeingauthorized",
        false,
    ),
    known("s3:signatureAge", "s3:signatureage", false),
    known("s3:signatureversion", "s3:signatureversion", false),
    known("s3:TlsVersion", "s3:tlsversion", false),
    known("s3:versionid", "s3:versionid", false),
    known("s3:x-amz-acl", "s3:x-amz-acl", false),
    known(
        "s3:x-amz-bucket-namespace",
        "s3:x-amz-bucket-namespace",
        false,
    ),
    known("s3:x-amz-content-sha256", "s3:x-amz-content-sha256", false),
    known("s3:x-amz-copy-source", "s3:x-amz-copy-source", false),
    known(
        "s3:x-amz-grant-full-control",
        "s3:x-amz-grant-full-control",
        false,
    ),
    known("s3:x-amz-grant-read", "s3:x-amz-grant-read", false),
    known("s3:x-amz-grant-read-acp", "s3:x-amz-grant-read-acp", false),
    known("s3:x-amz-grant-write", "s3:x-amz-grant-write", false),
    known(
        "s3:x-amz-grant-write-acp",
        "s3:x-amz-grant-write-acp",
        false,
    ),
    known(
        "s3:x-amz-metadata-directive",
        "s3:x-amz-metadata-directive",
        false,
    ),
    known(
        "s3:x-amz-object-annotation-directive",
        "s3:x-amz-object-annotation-directive",
        false,
    ),
    known(
        "s3:x-amz-object-if-match",
        "s3:x-amz-object-if-match",
        false,
    ),
    known(
        "s3:x-amz-object-ownership",
        "s3:x-amz-object-ownership",
        false,
    ),
    known(
        "s3:x-amz-server-side-encryption",
        "s3:x-amz-server-side-encryption",
        false,
    ),
    known(
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        false,
    ),
    known(
        "s3:x-amz-server-side-encryption-customer-algorithm",
        "s3:x-amz-server-side-encryption-customer-algorithm",
        false,
    ),
    known("s3:x-amz-storage-class", "s3:x-amz-storage-class", false),
    known(
        "s3:x-amz-website-redirect-location",
        "s3:x-amz-website-redirect-location",
        false,
    ),
    known("aws:Referer", "aws:referer", false),
    known("s3:VersionId", "s3:versionid", false),
    known("s3:LocationConstraint", "s3:locationconstraint", false),
    known("aws:UserId", "aws:userid", false),
    known("aws:Username", "aws:username", false),
    known("s3:SignatureVersion", "s3:signatureversion", false),
    known("s3:AuthType", "s3:authtype", false),
    known("s3:SignatureAge", "s3:signatureage", false),
    known("s3:Prefix", "s3:prefix", false),
    known("s3:Delimiter", "s3:delimiter", false),
];

/// Slots of the hash table (a power of two, about four times the keys:
/// no run of full slots is longer than five).
const SLOTS: usize = 512;

/// Where a key's search starts: its last eight bytes (all of a shorter
/// one) and its length, mixed by one multiplication: a handful of
/// instructions, where hashing every byte would cost more than the
/// allocation the table saves.
const fn slot_of(key: &[u8]) -> usize {
    let n = key.len();
    let (_, mut rest) = key.split_at(n.saturating_sub(8));
    let mut word = 0u64;
    let mut shift = 0;
    while let [first, tail @ ..] = rest {
        word |= (*first as u64) << shift;
        shift += 8;
        rest = tail;
    }
    mix(word, n)
}

/// A slot from a key's last eight bytes and its length.
const fn mix(word: u64, n: usize) -> usize {
    let mixed = word
        .wrapping_add(n as u64)
        .wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    (mixed >> (64 - SLOTS.trailing_zeros())) as usize % SLOTS
}

/// The table: `index + 1` of a key of [`KNOWN`] in each slot (0: empty),
/// each key at its [`slot_of`] or the first free slot after it.
static TABLE: [u8; SLOTS] = build();

// Evaluated at compile time only (`TABLE`'s initializer): an index out of
// range would fail the build, never a run.
#[allow(clippy::indexing_slicing)]
const fn build() -> [u8; SLOTS] {
    let mut table = [0u8; SLOTS];
    let mut k = 0;
    while k < KNOWN.len() {
        let mut s = slot_of(KNOWN[k].key.as_bytes());
        while table[s] != 0 {
            s = (s + 1) % SLOTS;
        }
        table[s] = (k + 1) as u8;
        k += 1;
    }
    table
}

/// The keys where a search finds them (a `static`: one copy, borrowed
/// for as long as the program runs).
static KEYS: [KnownKey; KNOWN.len()] = with_ranks(KNOWN);

/// `keys` with their ranks ([`KnownKey::rank`]).
// Evaluated at compile time only (`KEYS`' initializer): an index out of
// range would fail the build, never a run.
#[allow(clippy::indexing_slicing)]
const fn with_ranks(mut keys: [KnownKey; KNOWN.len()]) -> [KnownKey; KNOWN.len()] {
    let mut k = 0;
    while k < keys.len() {
        let mut rank = 0u8;
        let mut j = 0;
        while j < keys.len() {
            if less(keys[j].lower.as_bytes(), keys[k].lower.as_bytes()) {
                rank += 1;
            }
            j += 1;
        }
        keys[k].rank = rank;
        k += 1;
    }
    keys
}

/// Whether `a` comes before `b` in byte order.
const fn less(mut a: &[u8], mut b: &[u8]) -> bool {
    loop {
        match (a, b) {
            ([x, rest_a @ ..], [y, rest_b @ ..]) => {
                if *x != *y {
                    return *x < *y;
                }
                a = rest_a;
                b = rest_b;
            }
            (_, []) => return false,
            ([], _) => return true,
        }
    }
}

/// [`slot_of`] for a key of eight bytes or more: one load of its last
/// eight (the table is built by the loop, in a constant).
fn slot(key: &[u8]) -> usize {
    let last8 = key
        .len()
        .checked_sub(8)
        .and_then(|start| key.get(start..))
        .and_then(|last| <[u8; 8]>::try_from(last).ok());
    match last8 {
        Some(word) => mix(u64::from_le_bytes(word), key.len()),
        None => slot_of(key),
    }
}

/// Most slots a search looks at (a test keeps the table to it).
const MAX_PROBES: usize = 8;

/// The table's entry for `key` spelled exactly so.
pub(crate) fn lookup(key: &str) -> Option<&'static KnownKey> {
    let mut s = slot(key.as_bytes());
    for _ in 0..MAX_PROBES {
        let k = usize::from(*TABLE.get(s)?).checked_sub(1)?;
        let known = KEYS.get(k)?;
        if known.key == key {
            return Some(known);
        }
        s = (s + 1) % SLOTS;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_found_and_spelled_right() {
        assert!(KNOWN.len() < SLOTS / 2 && KNOWN.len() < 255);
        assert!(SLOTS.is_power_of_two());
        for k in &KEYS {
            assert_eq!(lookup(k.key), Some(k), "{}", k.key);
            assert_eq!(k.lower, k.key.to_lowercase(), "{}", k.key);
            assert_eq!(
                k.multi,
                crate::catalog::is_multivalued(k.lower),
                "{}",
                k.key
            );
            assert!(crate::catalog::condition_key(k.key).is_some(), "{}", k.key);
        }
        let mut keys: Vec<&str> = KNOWN.iter().map(|k| k.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), KNOWN.len(), "no key twice");
    }

    /// Ranks order the keys as their lower-cased forms do, and fit the
    /// 128 bits a context sorts them in.
    #[test]
    fn ranks_are_the_order_of_the_lower_cased_keys() {
        for a in &KEYS {
            assert!(a.rank < 128, "{}", a.key);
            for b in &KEYS {
                assert_eq!(
                    a.rank.cmp(&b.rank),
                    a.lower.cmp(b.lower),
                    "{} {}",
                    a.key,
                    b.key
                );
            }
        }
    }

    /// Every search ends within [`MAX_PROBES`] slots: at its key, or at
    /// an empty slot for a key not in the table.
    #[test]
    fn searches_are_short() {
        for start in 0..SLOTS {
            let run = (0..SLOTS)
                .take_while(|i| TABLE[(start + i) % SLOTS] != 0)
                .count();
            assert!(run < MAX_PROBES, "slot {start}: {run} full slots in a row");
        }
    }

    proptest::proptest! {
        /// The one-load slot is the constant's, for keys of any length.
        #[test]
        fn slots_are_the_tables(key in "[a-zA-Z:/-]{0,24}") {
            proptest::prop_assert_eq!(slot(key.as_bytes()), slot_of(key.as_bytes()));
        }
    }

    #[test]
    fn other_spellings_are_not_found() {
        for key in [
            "AWS:SOURCEIP",
            "aws:sourceip",
            "aws:PrincipalTag/team",
            "",
            "a",
            "s3:prefix ",
            "aws:SourceIpX",
        ] {
            assert_eq!(lookup(key), None, "{key}");
        }
        assert!(lookup("aws:SourceIp").is_some());
        assert!(lookup("s3:prefix").is_some());
    }
}
