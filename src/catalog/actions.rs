//! The action catalog: every IAM action of `s3`, `s3express` and
//! `s3-object-lambda`, with access level and resource types (spec M-2, M-5).

use std::fmt;

use serde::Serialize;

use super::{data, fold};
use crate::matcher::{ActionPattern, PatternRef};

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
    /// The level of AWS's name for it (`build.rs` writes the same rule;
    /// the data tests check the tables against this one).
    #[cfg(test)]
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
    pub name: &'static str,
    /// Whether the reference marks it required.
    pub required: bool,
    /// ARN pattern with `${…}` placeholders.
    pub arn_pattern: &'static str,
}

/// One catalog action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionInfo {
    /// Service prefix (`s3`).
    pub service: &'static str,
    /// Action name (`GetObject`).
    pub name: &'static str,
    /// `s3:GetObject`.
    pub iam_action: &'static str,
    /// Primary access level.
    pub access_level: AccessLevel,
    /// The source's access level text (may list two levels).
    pub access_level_raw: &'static str,
    /// What the action grants.
    pub description: &'static str,
    /// Resource types it can target; empty for wildcard-only actions.
    pub resource_types: &'static [ActionResource],
    /// No resource type: only `"Resource": "*"` applies (M-6).
    pub wildcard_only: bool,
    /// Condition keys the service may put in the request context.
    pub condition_keys: &'static [&'static str],
    /// Actions AWS also checks.
    pub dependent_actions: &'static [&'static str],
    /// API reference page.
    pub api_documentation: Option<&'static str>,
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
    pub service: &'static str,
    /// Type name.
    pub name: &'static str,
    /// ARN pattern with `${…}` placeholders.
    pub arn_pattern: &'static str,
    /// Condition keys of the type.
    pub condition_keys: &'static [&'static str],
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
    pub prefix: &'static str,
    /// Name (`Amazon S3`).
    pub name: &'static str,
}

/// The catalog: static tables `build.rs` generates from `data/` (see
/// `src/catalog/data.rs`), so that nothing is parsed or built at start.
#[derive(Debug)]
pub struct Catalog {
    actions: &'static [ActionInfo],
    lowers: &'static [&'static str],
    /// Each service's actions are contiguous (sorted by name): lower-cased
    /// prefix, start, end.
    service_ranges: &'static [(&'static str, usize, usize)],
    resource_types: &'static [ResourceType],
    services: &'static [Service],
    version: &'static str,
}

static CATALOG: Catalog = Catalog {
    actions: &data::ACTIONS,
    lowers: &data::LOWERS,
    service_ranges: &data::SERVICE_RANGES,
    resource_types: &data::RESOURCE_TYPES,
    services: &data::SERVICES,
    version: data::VERSION,
};

// The look-ups on the load path of every policy (`find`,
// `with_lower_prefix`) read the generated arrays directly rather than
// through the struct's slices: their lengths are constants, so the probe
// mask and the bounds are too.
//
// - `data::NAME_SLOTS`: the positions + 1 of the lower-cased names in the
//   slots of a case-folding hash table ([`fold::home`], linear probing, 0:
//   empty): the look-up of a name as a policy writes it, with no copy to
//   lower-case.
// - `data::LOWER_ORDER`: the positions of the actions in the order of
//   their lower-cased names (the names that start with a given text are a
//   run of it), and `data::SORTED_LOWERS` the names in that order (the
//   binary searches read them without an indirection).

/// The catalog embedded in the binary.
pub fn catalog() -> &'static Catalog {
    &CATALOG
}

impl Catalog {
    /// Every action, sorted by name.
    pub fn actions(&self) -> &'static [ActionInfo] {
        self.actions
    }

    /// Every action name lower-cased, in the order of [`Catalog::actions`].
    pub fn lower_names(&self) -> &'static [&'static str] {
        self.lowers
    }

    /// Every resource type.
    pub fn resource_types(&self) -> &'static [ResourceType] {
        self.resource_types
    }

    /// The services the catalog covers.
    pub fn services(&self) -> &'static [Service] {
        self.services
    }

    /// The data's source and version.
    pub fn version(&self) -> &'static str {
        self.version
    }

    /// Whether the catalog covers this service prefix (ASCII case ignored).
    pub fn knows_service(&self, prefix: &str) -> bool {
        self.knows_service_bytes(prefix.as_bytes())
    }

    /// [`Catalog::knows_service`] of a prefix's bytes (compiling an action
    /// pattern has a byte slice of an ASCII text: no `str` slicing).
    #[inline]
    pub(crate) fn knows_service_bytes(&self, prefix: &[u8]) -> bool {
        self.services.iter().any(|s| {
            s.prefix.len() == prefix.len() && s.prefix.as_bytes().eq_ignore_ascii_case(prefix)
        })
    }

    /// Looks an action up by name, case-insensitively.
    pub fn lookup(&self, action: &str) -> Option<&'static ActionInfo> {
        let idx = match self.index_of_ignore_ascii_case(action) {
            Some(i) => Some(i),
            // a non-ASCII letter may lower-case to an ASCII one (the
            // Kelvin sign to `k`): Unicode's lower case, as before
            None if !action.is_ascii() => self.index_of(&action.to_lowercase()),
            None => None,
        };
        idx.and_then(|i| self.actions.get(i as usize))
    }

    /// Position of a lower-cased action in [`Catalog::actions`].
    pub fn index_of(&self, lower: &str) -> Option<u32> {
        self.index_of_bytes(lower.as_bytes())
    }

    fn index_of_bytes(&self, lower: &[u8]) -> Option<u32> {
        self.find(lower, false)
    }

    /// Position of an action whose name is written in any ASCII case
    /// (`S3:getObject`): found with no copy of the name (its hash and the
    /// comparison fold the case eight bytes at a time).
    pub fn index_of_ignore_ascii_case(&self, name: &str) -> Option<u32> {
        self.find(name.as_bytes(), true)
    }

    /// The position of `name` among the lower-cased names: equal bytes,
    /// or equal once ASCII upper-case letters are lower-cased when `fold`.
    ///
    /// The hash reads three words of the name (start, middle, end:
    /// [`fold::key_words`]), whatever its length, and a candidate of the
    /// same length is compared by the same three words, which cover a name
    /// of up to 24 bytes (the words between are compared only for a
    /// longer one): about 60 instructions for a hit, where hashing and
    /// comparing every word through iterators cost 165. Out of line: most
    /// entries (outside the catalog) never ask, and inlined into
    /// the compiling of an action pattern it made every call dearer.
    #[inline(never)]
    fn find(&self, name: &[u8], fold: bool) -> Option<u32> {
        let raw = fold::key_words(name);
        let folded = raw.map(fold::fold_word);
        let want = if fold { folded } else { raw };
        let hash = fold::mix(name.len(), folded);
        let slots = &data::NAME_SLOTS;
        let mask = slots.len().checked_sub(1)?;
        let mut slot = fold::slot_of(hash, slots.len());
        loop {
            let i = slots.get(slot).copied()?.checked_sub(1)?;
            let lower = data::LOWERS.get(i as usize)?.as_bytes();
            if lower.len() == name.len()
                && fold::key_words(lower) == want
                && (name.len() <= fold::KEY_COVERS || same_words(name, lower, fold))
            {
                return Some(i);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Positions (in [`Catalog::actions`]) of a service's actions, by
    /// lower-cased prefix; empty for an unknown service.
    pub fn service_range(&self, lower_prefix: &str) -> std::ops::Range<usize> {
        // three services: a scan is cheaper than hashing the prefix
        self.service_ranges
            .iter()
            .find(|(p, _, _)| *p == lower_prefix)
            .map_or(0..0, |&(_, start, end)| start..end)
    }

    /// Whether a compiled pattern matches any catalog action.
    pub fn matches_any(&self, p: PatternRef<'_>) -> bool {
        p.catalog_matches().next().is_some()
    }

    /// Positions of the actions whose lower-cased name starts with
    /// `prefix`, in the order of their lower-cased names (two binary
    /// searches: a pattern's literal prefix narrows the catalog to the
    /// actions it can match).
    pub fn with_lower_prefix(&self, prefix: &str) -> &'static [u32] {
        let sorted = &data::SORTED_LOWERS;
        let start = sorted.partition_point(|name| *name < prefix);
        let rest = sorted.get(start..).unwrap_or_default();
        let len = rest.partition_point(|name| name.starts_with(prefix));
        data::LOWER_ORDER
            .get(start..start + len)
            .unwrap_or_default()
    }

    /// The actions a pattern matches (`s3:Get*`, `*`).
    pub fn expand(&self, pattern: &str) -> Vec<&'static ActionInfo> {
        let p = ActionPattern::new(pattern);
        self.actions
            .iter()
            .zip(self.lowers)
            .filter(|(_, l)| p.matches_lower(l))
            .map(|(a, _)| a)
            .collect()
    }

    /// The closest catalog action to a misspelled one.
    pub fn suggest(&self, action: &str) -> Option<&'static str> {
        crate::diagnostic::did_you_mean(action, self.actions.iter().map(|a| a.iam_action))
    }

    /// A resource type by service and name.
    pub fn resource_type(&self, service: &str, name: &str) -> Option<&'static ResourceType> {
        self.resource_types
            .iter()
            .find(|r| r.service == service && r.name == name)
    }
}

/// Looks an action up in the embedded catalog (case-insensitive).
pub fn lookup(action: &str) -> Option<&'static ActionInfo> {
    catalog().lookup(action)
}

/// Whether `name` and `lower` (of one length, more than a word) are the
/// same, word by word, the words of `name` case-folded when `fold`.
fn same_words(name: &[u8], lower: &[u8], fold: bool) -> bool {
    (0..name.len().div_ceil(8)).all(|i| {
        let w = fold::word(name, i);
        let w = if fold { fold::fold_word(w) } else { w };
        w == fold::word(lower, i)
    })
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
            assert!(keys.contains(&k), "{k}: {keys:?}");
        }
        assert_eq!(
            keys.iter()
                .filter(|k| **k == "s3:DataAccessPointArn")
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
                assert_eq!(
                    fold::fold_word(u64::from_le_bytes(bytes)),
                    want,
                    "{b:#x} at {at}"
                );
            }
        }
    }

    /// The look-up by three key words (start, middle, end) answers as a
    /// scan does for every catalog name and every near miss of it: each
    /// byte replaced or case-flipped (a change between the key words of a
    /// name longer than 24 bytes included), every prefix, a byte added at
    /// either end, and in both look-ups.
    #[test]
    fn key_word_lookups_agree_with_a_scan_for_every_near_miss() {
        let c = catalog();
        let exact = |name: &str| c.lower_names().iter().position(|l| *l == name);
        let folded = |name: &str| exact(&name.to_ascii_lowercase());
        let check = |name: &str| {
            assert_eq!(c.index_of(name).map(|i| i as usize), exact(name), "{name}");
            assert_eq!(
                c.index_of_ignore_ascii_case(name).map(|i| i as usize),
                folded(name),
                "{name}"
            );
        };
        let mut longest = 0;
        for (a, lower) in c.actions().iter().zip(c.lower_names()) {
            longest = longest.max(lower.len());
            for name in [a.iam_action, *lower] {
                check(name);
                let bytes = name.as_bytes();
                for i in 0..bytes.len() {
                    check(&name[..i]);
                    for b in [b'x', b'_', b'\0', bytes[i] ^ 0x20, bytes[i] ^ 0x01] {
                        let mut changed = bytes.to_vec();
                        changed[i] = b;
                        if let Ok(changed) = String::from_utf8(changed) {
                            check(&changed);
                        }
                    }
                }
                check(&format!("{name}s"));
                check(&format!("s{name}"));
                check(&format!("{name}\u{e9}"));
            }
        }
        // the catalog has names past the three words' reach
        assert!(longest > fold::KEY_COVERS, "{longest}");
        for other in [
            "",
            "s",
            "s3",
            "s3:",
            "S3:*",
            "\u{e9}",
            "ec2:DescribeInstances",
        ] {
            check(other);
        }
    }

    /// The folded table answers as a scan of the lower-cased names does.
    #[test]
    fn index_lookups_agree_with_a_scan_of_the_lower_cased_names() {
        let c = catalog();
        let reference = |name: &str| {
            c.lower_names()
                .iter()
                .position(|l| *l == name)
                .map(|i| i as u32)
        };
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

    /// `lookup` (the folded table, then Unicode's lower case for a name
    /// that is not ASCII) answers as a scan of the names lower-cased with
    /// Unicode's rules, the map it replaces, does: on every catalog name
    /// spelled in several cases, with non-ASCII letters whose lower case
    /// is ASCII (the Kelvin sign) or is not (`İ`), and near misses.
    #[test]
    fn lookup_agrees_with_a_scan_of_unicode_lower_cased_names() {
        let c = catalog();
        let reference = |name: &str| {
            let lower = name.to_lowercase();
            c.lower_names().iter().position(|l| *l == lower)
        };
        let position = |name: &str| {
            c.lookup(name)
                .map(|a| c.actions().iter().position(|b| std::ptr::eq(a, b)))
        };
        let mut names: Vec<String> = Vec::new();
        for (a, l) in c.actions().iter().zip(c.lower_names()) {
            names.extend([
                a.iam_action.to_string(),
                l.to_string(),
                l.to_ascii_uppercase(),
                l.replace('k', "\u{212a}"),
                l.replace('i', "\u{130}"),
                format!("{l}x"),
                l[..l.len() - 1].to_string(),
            ]);
        }
        names.extend(["", "s3:", "\u{e9}", "S3:GETOBJECT\u{e9}"].map(String::from));
        for name in &names {
            assert_eq!(position(name), reference(name).map(Some), "{name}");
        }
        assert_eq!(
            c.lookup("s3:ListBuc\u{212a}et").map(|a| a.iam_action),
            Some("s3:ListBucket")
        );
    }

    /// The static service ranges and prefix runs answer as before: each
    /// service's actions, and the names starting with a prefix.
    #[test]
    fn service_ranges_and_prefix_runs_follow_the_names() {
        let c = catalog();
        for s in c.services() {
            let r = c.service_range(&s.prefix.to_lowercase());
            assert!(!r.is_empty());
            assert!(c.actions()[r.clone()].iter().all(|a| a.service == s.prefix));
            let all = c.actions().iter().filter(|a| a.service == s.prefix).count();
            assert_eq!(r.len(), all);
        }
        assert_eq!(c.service_range("s3x"), 0..0);
        assert_eq!(c.service_range("S3"), 0..0, "by lower-cased prefix");
        for prefix in [
            "",
            "s",
            "s3:",
            "s3:get",
            "s3:getobject",
            "s3express:",
            "t",
            "\u{e9}",
        ] {
            let mut want: Vec<u32> = (0..c.lower_names().len() as u32)
                .filter(|&i| c.lower_names()[i as usize].starts_with(prefix))
                .collect();
            want.sort_by_key(|&i| c.lower_names()[i as usize]);
            assert_eq!(c.with_lower_prefix(prefix), want, "{prefix}");
        }
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
