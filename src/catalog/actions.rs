//! The action catalog: every IAM action of `s3`, `s3express` and
//! `s3-object-lambda`, with access level and resource types (spec M-2, M-5).

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::Serialize;

use super::data;
use crate::matcher::ActionPattern;

/// Access levels of the Service Authorization Reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum AccessLevel {
    /// List resources.
    List,
    /// Read data or configuration.
    Read,
    /// Create, change or delete.
    Write,
    /// Change who can access (policies, ACLs, public access blocks).
    #[serde(rename = "Permissions management")]
    PermissionsManagement,
    /// Change tags.
    Tagging,
}

impl AccessLevel {
    pub(crate) fn parse(s: &str) -> AccessLevel {
        match s {
            "List" => AccessLevel::List,
            "Read" => AccessLevel::Read,
            "Permissions management" => AccessLevel::PermissionsManagement,
            "Tagging" => AccessLevel::Tagging,
            _ => AccessLevel::Write,
        }
    }

    /// AWS's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }

    /// All levels, in report order (most dangerous first).
    pub const REPORT_ORDER: [AccessLevel; 5] = [
        AccessLevel::PermissionsManagement,
        AccessLevel::Write,
        AccessLevel::Tagging,
        AccessLevel::Read,
        AccessLevel::List,
    ];
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resource type an action can target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionResource {
    /// Type name (`object`, `bucket`, `accesspoint`, …).
    pub name: String,
    /// Whether the reference marks it required.
    pub required: bool,
    /// ARN pattern with `${…}` placeholders.
    pub arn_pattern: String,
}

/// One catalog action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionInfo {
    /// Service prefix (`s3`).
    pub service: String,
    /// Action name (`GetObject`).
    pub name: String,
    /// `s3:GetObject`.
    pub iam_action: String,
    /// Primary access level.
    pub access_level: AccessLevel,
    /// The source's access level text (may list two levels).
    pub access_level_raw: String,
    /// What the action grants.
    pub description: String,
    /// Resource types it can target; empty for wildcard-only actions.
    pub resource_types: Vec<ActionResource>,
    /// No resource type: only `"Resource": "*"` applies (M-6).
    pub wildcard_only: bool,
    /// Condition keys the service may put in the request context.
    pub condition_keys: Vec<String>,
    /// Actions AWS also checks.
    pub dependent_actions: Vec<String>,
    /// API reference page.
    pub api_documentation: Option<String>,
}

impl ActionInfo {
    /// Whether it can target resources of the named type.
    pub fn supports_resource_type(&self, name: &str) -> bool {
        self.resource_types.iter().any(|r| r.name == name)
    }

    /// Whether a request for this action can carry the condition key.
    ///
    /// Global keys (`aws:…`) and keys of services outside the catalog may be
    /// present; a service key of the catalog's services (`s3:prefix`,
    /// `s3express:SessionMode`) is present only when the Service
    /// Authorization Reference lists it for the action or for one of its
    /// resource types — AWS sends `s3:prefix` with the list actions only, so
    /// for `s3:PutBucketPolicy` the key is absent and a condition on it
    /// evaluates as for a missing key (spec C-15). Tag keys
    /// (`s3:ExistingObjectTag/team`) match their declared family
    /// (`s3:ExistingObjectTag/<key>`). Case-insensitive.
    pub fn can_carry_key(&self, key: &str) -> bool {
        let lower = key.to_ascii_lowercase();
        let Some((prefix, _)) = lower.split_once(':') else {
            return true;
        };
        if prefix == "aws" || !catalog().knows_service(prefix) {
            return true;
        }
        let family = |k: &str| -> String {
            match k.split_once('/') {
                Some((head, _)) => format!("{head}/"),
                None => k.to_string(),
            }
        };
        let wanted = family(&lower);
        self.condition_keys
            .iter()
            .any(|k| family(&k.to_ascii_lowercase()) == wanted)
    }
}

/// The catalog entry of a parsed action, if the catalog has it.
pub fn info(action: &crate::matcher::Action) -> Option<&'static ActionInfo> {
    action
        .catalog_index()
        .and_then(|i| catalog().actions().get(i as usize))
}

/// A resource type of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceType {
    /// Service prefix.
    pub service: String,
    /// Type name.
    pub name: String,
    /// ARN pattern with `${…}` placeholders.
    pub arn_pattern: String,
    /// Condition keys of the type.
    pub condition_keys: Vec<String>,
}

/// Fills a catalog ARN template (`arn:${Partition}:s3:::${BucketName}`):
/// each placeholder takes what `value` gives for its name. The one place
/// s3guard makes an example ARN of a resource type.
pub fn fill_arn_template(template: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find("${") {
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i + 2..).unwrap_or_default();
        let Some(close) = after.find('}') else {
            out.push_str(rest.get(i..).unwrap_or_default());
            return out;
        };
        out.push_str(&value(after.get(..close).unwrap_or_default()));
        rest = after.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// A service of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    /// Prefix (`s3`).
    pub prefix: String,
    /// Name (`Amazon S3`).
    pub name: String,
}

/// The loaded catalog.
#[derive(Debug)]
pub struct Catalog {
    actions: Vec<ActionInfo>,
    lowers: Vec<String>,
    // The catalog's own names: a hasher with no seed is fine (no input
    // chooses these keys).
    // Keyed by bytes: a name lower-cased on the stack is looked up without
    // checking it is UTF-8 again.
    by_lower: HashMap<Box<[u8]>, usize, foldhash::fast::FixedState>,
    /// The positions of the lower-cased names by their ASCII-case-folded
    /// hash ([`FoldedNames`]): the look-up of a name as a policy writes
    /// it, with no copy to lower-case.
    folded: FoldedNames,
    /// Positions of the actions in the order of their lower-cased names:
    /// the names that start with a given text are a run of it.
    lower_order: Vec<u32>,
    /// Each service's actions are contiguous (sorted by name): their range.
    service_ranges: HashMap<String, std::ops::Range<usize>, foldhash::fast::FixedState>,
    resource_types: Vec<ResourceType>,
    services: Vec<Service>,
    version: String,
}

/// The catalog embedded in the binary.
pub fn catalog() -> &'static Catalog {
    static CELL: OnceLock<Catalog> = OnceLock::new();
    CELL.get_or_init(build)
}

fn build() -> Catalog {
    let mut actions = Vec::new();
    let mut resource_types = Vec::new();
    let mut services = Vec::new();
    let mut version = String::new();
    if let Some(file) = data::actions_file() {
        version = format!("{} {}", file.source.package, file.source.version);
        for svc in file.services.values() {
            services.push(Service {
                prefix: svc.prefix.clone(),
                name: svc.name.clone(),
            });
            for rt in &svc.resource_types {
                resource_types.push(ResourceType {
                    service: svc.prefix.clone(),
                    name: rt.name.clone(),
                    arn_pattern: rt.arn_pattern.clone(),
                    condition_keys: rt.condition_keys.clone(),
                });
            }
            for a in &svc.actions {
                actions.push(ActionInfo {
                    service: svc.prefix.clone(),
                    name: a.name.clone(),
                    iam_action: a.iam_action.clone(),
                    access_level: AccessLevel::parse(&a.access_level),
                    access_level_raw: a.access_level_raw.clone(),
                    description: a.description.clone(),
                    resource_types: a
                        .resource_types
                        .iter()
                        .map(|r| ActionResource {
                            name: r.name.clone(),
                            required: r.required,
                            arn_pattern: r.arn_pattern.clone(),
                        })
                        .collect(),
                    wildcard_only: a.wildcard_only,
                    // the action's own keys, those of its resource types as the
                    // action lists them, and those the service declares on
                    // the resource types (access points, bucket tags, …)
                    condition_keys: a
                        .condition_keys
                        .iter()
                        .chain(
                            a.resource_types
                                .iter()
                                .flat_map(|r| r.condition_keys.iter()),
                        )
                        .chain(a.resource_types.iter().flat_map(|r| {
                            svc.resource_types
                                .iter()
                                .filter(move |t| t.name == r.name)
                                .flat_map(|t| t.condition_keys.iter())
                        }))
                        .fold(Vec::<String>::new(), |mut acc, k| {
                            if !acc.contains(k) {
                                acc.push(k.clone());
                            }
                            acc
                        }),
                    dependent_actions: a.dependent_actions.clone(),
                    api_documentation: a.api_documentation.clone(),
                });
            }
        }
    }
    actions.sort_by(|a, b| a.iam_action.cmp(&b.iam_action));
    let lowers: Vec<String> = actions
        .iter()
        .map(|a| a.iam_action.to_lowercase())
        .collect();
    let by_lower = lowers
        .iter()
        .enumerate()
        .map(|(i, a)| (Box::from(a.as_bytes()), i))
        .collect();
    let folded = FoldedNames::new(&lowers);
    let mut service_ranges: HashMap<String, std::ops::Range<usize>, _> =
        HashMap::with_hasher(foldhash::fast::FixedState::default());
    for (i, a) in actions.iter().enumerate() {
        let r = service_ranges
            .entry(a.service.to_lowercase())
            .or_insert(i..i);
        r.end = i + 1;
    }
    let mut lower_order: Vec<u32> = (0..lowers.len())
        .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
        .collect();
    lower_order.sort_by(|&a, &b| lowers.get(a as usize).cmp(&lowers.get(b as usize)));
    Catalog {
        actions,
        lowers,
        by_lower,
        folded,
        lower_order,
        service_ranges,
        resource_types,
        services,
        version,
    }
}

impl Catalog {
    /// Every action, sorted by name.
    pub fn actions(&self) -> &[ActionInfo] {
        &self.actions
    }

    /// Every action name lower-cased, in the order of [`Catalog::actions`].
    pub fn lower_names(&self) -> &[String] {
        &self.lowers
    }

    /// Every resource type.
    pub fn resource_types(&self) -> &[ResourceType] {
        &self.resource_types
    }

    /// The services the catalog covers.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// The data's source and version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Whether the catalog covers this service prefix (ASCII case ignored).
    pub fn knows_service(&self, prefix: &str) -> bool {
        self.services
            .iter()
            .any(|s| s.prefix.len() == prefix.len() && s.prefix.eq_ignore_ascii_case(prefix))
    }

    /// Looks an action up by name, case-insensitively.
    pub fn lookup(&self, action: &str) -> Option<&ActionInfo> {
        let idx = match self.by_lower.get(action.as_bytes()) {
            Some(i) => Some(*i),
            None if action.bytes().any(|b| b.is_ascii_uppercase()) || !action.is_ascii() => {
                self.by_lower.get(action.to_lowercase().as_bytes()).copied()
            }
            None => None,
        };
        idx.and_then(|i| self.actions.get(i))
    }

    /// Position of a lower-cased action in [`Catalog::actions`].
    pub fn index_of(&self, lower: &str) -> Option<u32> {
        self.index_of_bytes(lower.as_bytes())
    }

    fn index_of_bytes(&self, lower: &[u8]) -> Option<u32> {
        self.folded.find(&self.lowers, lower, false)
    }

    /// Position of an action whose name is written in any ASCII case
    /// (`S3:getObject`): found with no copy of the name (its hash and the
    /// comparison fold the case eight bytes at a time).
    pub fn index_of_ignore_ascii_case(&self, name: &str) -> Option<u32> {
        self.folded.find(&self.lowers, name.as_bytes(), true)
    }

    /// Positions (in [`Catalog::actions`]) of a service's actions, by
    /// lower-cased prefix; empty for an unknown service.
    pub fn service_range(&self, lower_prefix: &str) -> std::ops::Range<usize> {
        self.service_ranges
            .get(lower_prefix)
            .cloned()
            .unwrap_or(0..0)
    }

    /// Whether a compiled pattern matches any catalog action.
    pub fn matches_any(&self, p: &ActionPattern) -> bool {
        p.catalog_matches().next().is_some()
    }

    /// Positions of the actions whose lower-cased name starts with
    /// `prefix`, in the order of their lower-cased names (two binary
    /// searches: a pattern's literal prefix narrows the catalog to the
    /// actions it can match).
    pub fn with_lower_prefix(&self, prefix: &str) -> &[u32] {
        let name = |i: &u32| {
            self.lowers
                .get(*i as usize)
                .map(String::as_str)
                .unwrap_or_default()
        };
        let start = self.lower_order.partition_point(|i| name(i) < prefix);
        let rest = self.lower_order.get(start..).unwrap_or_default();
        let len = rest.partition_point(|i| name(i).starts_with(prefix));
        rest.get(..len).unwrap_or_default()
    }

    /// The actions a pattern matches (`s3:Get*`, `*`).
    pub fn expand(&self, pattern: &str) -> Vec<&ActionInfo> {
        let p = ActionPattern::new(pattern);
        self.actions
            .iter()
            .zip(&self.lowers)
            .filter(|(_, l)| p.matches_lower(l))
            .map(|(a, _)| a)
            .collect()
    }

    /// The closest catalog action to a misspelled one.
    pub fn suggest(&self, action: &str) -> Option<&str> {
        crate::diagnostic::did_you_mean(action, self.actions.iter().map(|a| a.iam_action.as_str()))
    }

    /// A resource type by service and name.
    pub fn resource_type(&self, service: &str, name: &str) -> Option<&ResourceType> {
        self.resource_types
            .iter()
            .find(|r| r.service == service && r.name == name)
    }
}

/// Looks an action up in the embedded catalog (case-insensitive).
pub fn lookup(action: &str) -> Option<&'static ActionInfo> {
    catalog().lookup(action)
}

/// The embedded catalog's actions matching a pattern.
pub fn expand(pattern: &str) -> Vec<&'static ActionInfo> {
    catalog().expand(pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_the_data_readme() {
        let c = catalog();
        let s3: Vec<_> = c.actions().iter().filter(|a| a.service == "s3").collect();
        assert_eq!(s3.len(), 180);
        assert_eq!(s3.iter().filter(|a| a.wildcard_only).count(), 15);
        assert_eq!(
            c.actions()
                .iter()
                .filter(|a| a.service == "s3express")
                .count(),
            28
        );
        assert_eq!(
            c.actions()
                .iter()
                .filter(|a| a.service == "s3-object-lambda")
                .count(),
            26
        );
    }

    #[test]
    fn expansion_counts_spec_m2() {
        assert_eq!(expand("s3:Put*").len(), 40);
        assert!(expand("s3:Get*")
            .iter()
            .all(|a| a.access_level == AccessLevel::Read));
        assert_eq!(expand("s3:Get*").len(), 63);
        assert_eq!(expand("s3:List*").len(), 18);
    }

    /// Keys the service declares on a resource type belong to the actions
    /// that target it (the access point keys of s3:GetObject).
    #[test]
    fn actions_carry_the_keys_of_their_resource_types() {
        let keys = &lookup("s3:GetObject").unwrap().condition_keys;
        for k in [
            "s3:DataAccessPointArn",
            "s3:AccessPointNetworkOrigin",
            "s3:ExistingObjectTag/<key>",
        ] {
            assert!(keys.iter().any(|x| x == k), "{k}: {keys:?}");
        }
        assert_eq!(
            keys.iter()
                .filter(|k| *k == "s3:DataAccessPointArn")
                .count(),
            1
        );
    }

    #[test]
    fn fold_word_lower_cases_ascii_as_to_ascii_lowercase_does() {
        for b in 0..=255u8 {
            // the byte in every position, among others
            for at in 0..8 {
                let mut bytes = *b"aZ@[`{\xc3\x80";
                bytes[at] = b;
                let want = u64::from_le_bytes(bytes.map(|x| x.to_ascii_lowercase()));
                assert_eq!(fold_word(u64::from_le_bytes(bytes)), want, "{b:#x} at {at}");
            }
        }
    }

    /// The folded table answers as the map of lower-cased names does.
    #[test]
    fn index_lookups_agree_with_the_map_of_lower_cased_names() {
        let c = catalog();
        let reference = |name: &str| c.by_lower.get(name.as_bytes()).map(|&i| i as u32);
        for (i, lower) in c.lower_names().iter().enumerate() {
            let spelled = &c.actions()[i].iam_action;
            let i = Some(i as u32);
            assert_eq!(c.index_of(lower), i, "{lower}");
            assert_eq!(c.index_of_ignore_ascii_case(lower), i, "{lower}");
            assert_eq!(c.index_of_ignore_ascii_case(spelled), i, "{spelled}");
            let upper = lower.to_ascii_uppercase();
            assert_eq!(c.index_of_ignore_ascii_case(&upper), i, "{upper}");
            // exact look-ups do not fold
            assert_eq!(c.index_of(&upper), reference(&upper), "{upper}");
            for longer in [format!("{lower}x"), format!("{lower}\u{e9}")] {
                assert_eq!(c.index_of(&longer), None);
                assert_eq!(c.index_of_ignore_ascii_case(&longer), None);
            }
            assert_eq!(
                c.index_of(&lower[..lower.len() - 1]),
                reference(&lower[..lower.len() - 1])
            );
        }
        for other in [
            "",
            "s",
            "s3:",
            "s3:getobject ",
            "S3:GETOBJECTS",
            "s3:getobjec\u{212a}",
            "\u{e9}:x",
        ] {
            assert_eq!(c.index_of(other), reference(other), "{other}");
            assert_eq!(
                c.index_of_ignore_ascii_case(other),
                reference(&other.to_ascii_lowercase()),
                "{other}"
            );
        }
    }

    #[test]
    fn lookups_are_case_insensitive() {
        let a = lookup("S3:getobject").unwrap();
        assert_eq!(a.iam_action, "s3:GetObject");
        assert!(a.supports_resource_type("object"));
        assert!(lookup("s3:ListAllMyBuckets").unwrap().wildcard_only);
        assert_eq!(catalog().suggest("s3:GetObjects"), Some("s3:GetObject"));
        assert!(lookup("s3:Nope").is_none());
    }

    /// Spec C-15, and the Service Authorization Reference for Amazon S3:
    /// `s3:prefix` is listed for ListBucket (and the other list actions)
    /// only; global keys stay possible everywhere.
    #[test]
    fn service_keys_are_carried_only_by_the_actions_that_declare_them_spec_c15() {
        let list = lookup("s3:ListBucket").unwrap();
        let put_policy = lookup("s3:PutBucketPolicy").unwrap();
        assert!(list.can_carry_key("s3:prefix"));
        assert!(list.can_carry_key("S3:Prefix"));
        assert!(!put_policy.can_carry_key("s3:prefix"));
        assert!(!lookup("s3:GetBucketLocation")
            .unwrap()
            .can_carry_key("s3:delimiter"));
        assert!(put_policy.can_carry_key("aws:SourceIp"));
        assert!(put_policy.can_carry_key("ec2:Vpc"), "not a catalog service");
        let get = lookup("s3:GetObject").unwrap();
        assert!(get.can_carry_key("s3:ExistingObjectTag/team"));
        assert!(!get.can_carry_key("s3:RequestObjectTag/team"));
        assert!(!get.can_carry_key("s3express:SessionMode"));
    }
}

/// An open-addressing table of the catalog's lower-cased names, hashed
/// with ASCII case folded: a name written in any case (`s3:GetObject`) is
/// looked up as it is, eight bytes at a time, where a `HashMap` of the
/// lower-cased names needs a lower-cased copy first (a look-up was ~235
/// instructions, most of a policy's `Action` entry).
#[derive(Debug, Default)]
struct FoldedNames {
    /// Position + 1 of the name in each slot (0: empty); a power of two
    /// at least twice the names, so probes are short.
    slots: Vec<u32>,
}

/// `0x01` in each byte.
const ONES: u64 = 0x0101_0101_0101_0101;

/// The eight bytes of `word` with ASCII upper-case letters lower-cased
/// (any other byte, non-ASCII ones too, unchanged).
fn fold_word(word: u64) -> u64 {
    let heptets = word & (0x7f * ONES);
    // the high bit of each byte: set when the byte is >= 'A', resp. > 'Z'
    let at_least_a = heptets.wrapping_add(u64::from(0x80 - b'A') * ONES);
    let above_z = heptets.wrapping_add(u64::from(0x80 - b'Z' - 1) * ONES);
    let upper = at_least_a & !above_z & !word & (0x80 * ONES);
    word | (upper >> 2)
}

/// The number of words of a name of `len` bytes ([`word`]).
fn word_count(len: usize) -> usize {
    len.div_ceil(8).max(1)
}

/// Word `i` of a name (little-endian): its eight bytes from `8 * i`, the
/// last word its last eight bytes (overlapping the one before: no partial
/// load), a name shorter than a word padded with zeros.
fn word(bytes: &[u8], i: usize) -> u64 {
    let Some(last) = bytes.len().checked_sub(8) else {
        return bytes
            .iter()
            .rev()
            .fold(0u64, |w, &b| (w << 8) | u64::from(b));
    };
    let at = (8 * i).min(last);
    let mut w = [0u8; 8];
    if let Some(chunk) = bytes.get(at..at + 8) {
        w.copy_from_slice(chunk);
    }
    u64::from_le_bytes(w)
}

impl FoldedNames {
    fn new(lowers: &[String]) -> FoldedNames {
        let size = (lowers.len() * 2).next_power_of_two().max(2);
        let mut table = FoldedNames {
            slots: vec![0; size],
        };
        for (i, name) in lowers.iter().enumerate() {
            let mut slot = table.home(name.as_bytes());
            while table.slots.get(slot).is_some_and(|&s| s != 0) {
                slot = (slot + 1) & (size - 1);
            }
            if let Some(s) = table.slots.get_mut(slot) {
                *s = u32::try_from(i + 1).unwrap_or(u32::MAX);
            }
        }
        table
    }

    /// The first slot of a name: a multiplicative hash of its case-folded
    /// words and its length.
    fn home(&self, name: &[u8]) -> usize {
        let h = (0..word_count(name.len())).fold(name.len() as u64, |h, i| {
            (h.rotate_left(23) ^ fold_word(word(name, i))).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        });
        // the high bits are the best mixed
        (h >> 32) as usize & (self.slots.len().saturating_sub(1))
    }

    /// The position of `name` among `lowers` (the names the table was
    /// built from): equal bytes, or equal once ASCII upper-case letters
    /// are lower-cased when `fold`.
    fn find(&self, lowers: &[String], name: &[u8], fold: bool) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.home(name);
        loop {
            let i = self.slots.get(slot).copied()?.checked_sub(1)?;
            let lower = lowers.get(i as usize)?.as_bytes();
            let equal = lower.len() == name.len()
                && match fold {
                    true => (0..word_count(name.len()))
                        .all(|i| fold_word(word(name, i)) == word(lower, i)),
                    false => name == lower,
                };
            if equal {
                return Some(i);
            }
            slot = (slot + 1) & mask;
        }
    }
}
