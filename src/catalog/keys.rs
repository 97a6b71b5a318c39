//! Condition keys: global `aws:` keys and the service keys of the catalog's
//! services, with their types (spec C-14, C-15).

use std::sync::OnceLock;

use serde::Serialize;

use super::data;

/// Types of condition keys (Service Authorization Reference vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum KeyType {
    /// `String`
    String,
    /// `ArrayOfString` (multi-valued)
    ArrayOfString,
    /// `Numeric`
    Numeric,
    /// `Date`
    Date,
    /// `Bool`
    Bool,
    /// `IPAddress`
    IpAddress,
    /// `ARN`
    Arn,
    /// `ArrayOfARN` (multi-valued)
    ArrayOfArn,
    /// `Binary`
    Binary,
}

impl KeyType {
    fn parse(s: &str) -> KeyType {
        match s {
            "ArrayOfString" => KeyType::ArrayOfString,
            "Numeric" => KeyType::Numeric,
            "Date" => KeyType::Date,
            "Bool" => KeyType::Bool,
            "IPAddress" => KeyType::IpAddress,
            "ARN" => KeyType::Arn,
            "ArrayOfARN" => KeyType::ArrayOfArn,
            "Binary" => KeyType::Binary,
            _ => KeyType::String,
        }
    }

    /// Whether keys of this type hold several values.
    pub fn is_multivalued(self) -> bool {
        matches!(self, KeyType::ArrayOfString | KeyType::ArrayOfArn)
    }
}

/// When AWS puts a key in the request context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Presence {
    /// In every request.
    Always,
    /// In every authenticated request.
    Signed,
    /// Only in some requests.
    Conditional,
}

/// One known condition key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    /// As AWS spells it (`aws:SourceIp`, `aws:PrincipalTag/${TagKey}`).
    pub key: String,
    /// Its type.
    pub key_type: KeyType,
    /// Whether it holds several values.
    pub multi_valued: bool,
    /// When present (global keys only).
    pub presence: Option<Presence>,
    /// Presence details.
    pub presence_note: String,
    /// A global `aws:` key.
    pub global: bool,
    /// Description (service keys).
    pub description: String,
    /// Lower-cased key, or the lower-cased prefix up to `/` for tag keys.
    match_lower: String,
    /// Whether `match_lower` is a prefix (`aws:principaltag/`).
    is_prefix: bool,
}

/// All known keys.
pub fn keys() -> &'static [KeyInfo] {
    static CELL: OnceLock<Vec<KeyInfo>> = OnceLock::new();
    CELL.get_or_init(build)
}

fn split_pattern(pattern: &str) -> (String, bool) {
    let lower = pattern.to_lowercase();
    for marker in ["${tagkey}", "<key>", "tag-key"] {
        if let Some(prefix) = lower.strip_suffix(marker) {
            if prefix.ends_with('/') {
                return (prefix.to_string(), true);
            }
        }
    }
    (lower, false)
}

fn build() -> Vec<KeyInfo> {
    let mut out: Vec<KeyInfo> = Vec::new();
    let Some(file) = data::keys_file() else {
        return out;
    };
    for g in &file.global {
        let (match_lower, is_prefix) = split_pattern(&g.pattern);
        let key_type = KeyType::parse(&g.key_type);
        out.push(KeyInfo {
            key: g.pattern.clone(),
            key_type,
            multi_valued: g.multi_valued || key_type.is_multivalued(),
            presence: Some(match g.presence.as_str() {
                "always" => Presence::Always,
                "signed" => Presence::Signed,
                _ => Presence::Conditional,
            }),
            presence_note: g.presence_note.clone(),
            global: g.is_global_aws_key,
            description: String::new(),
            match_lower,
            is_prefix,
        });
    }
    for keys in file.services.values() {
        for k in keys {
            let (match_lower, is_prefix) = split_pattern(&k.key);
            if out.iter().any(|o| o.match_lower == match_lower) {
                continue;
            }
            let key_type = KeyType::parse(&k.key_type);
            out.push(KeyInfo {
                key: k.key.clone(),
                key_type,
                multi_valued: k.multi_valued || key_type.is_multivalued(),
                presence: None,
                presence_note: String::new(),
                global: false,
                description: k.description.clone(),
                match_lower,
                is_prefix,
            });
        }
    }
    out
}

/// Looks a condition key up, case-insensitively; tag keys match by prefix
/// (`aws:PrincipalTag/team` → `aws:PrincipalTag/${TagKey}`).
pub fn condition_key(key: &str) -> Option<&'static KeyInfo> {
    let lower = key.to_lowercase();
    keys().iter().find(|k| {
        if k.is_prefix {
            lower.starts_with(&k.match_lower) && lower.len() > k.match_lower.len()
        } else {
            lower == k.match_lower
        }
    })
}

/// Whether a (lower-cased) key is known to hold several values.
pub fn is_multivalued(key_lower: &str) -> bool {
    condition_key(key_lower).is_some_and(|k| k.multi_valued)
}

/// Whether AWS may put `key` in the context of a request for `action`: the
/// global keys that every request may carry, and the keys the Service
/// Authorization Reference lists for the action or its resource types. A
/// service key that is not listed (`s3:prefix` with `s3:DeleteBucket`), a
/// request-tag key of an action that takes no tags, or a key no service
/// defines is never sent: absent, not free. For an action the catalogs do
/// not describe, every key may be sent.
pub fn may_be_sent(action: &str, key: &str) -> bool {
    let lower = key.to_lowercase();
    let listed = |patterns: &[String]| {
        patterns.iter().any(|p| {
            let (m, is_prefix) = split_pattern(p);
            if is_prefix {
                lower.starts_with(&m) && lower.len() > m.len()
            } else {
                lower == m
            }
        })
    };
    // one rule for the catalog's services (ActionInfo::can_carry_key)
    if let Some(info) = super::catalog().lookup(action) {
        return info.can_carry_key(key);
    }
    let Some(info) = super::iam::iam_action(action) else {
        return true;
    };
    if listed(&info.condition_keys) {
        return true;
    }
    let tag_family = ["aws:requesttag/", "aws:resourcetag/", "aws:tagkeys"]
        .iter()
        .any(|p| lower.starts_with(p));
    !tag_family && condition_key(&lower).is_some_and(|k| k.global && lower.starts_with("aws:"))
}

/// The closest known key to a misspelled one.
pub fn suggest_key(key: &str) -> Option<&'static str> {
    crate::diagnostic::did_you_mean(key, keys().iter().map(|k| k.key.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_and_tag_patterns() {
        let ip = condition_key("AWS:sourceip").unwrap();
        assert_eq!(ip.key_type, KeyType::IpAddress);
        let tag = condition_key("aws:PrincipalTag/team").unwrap();
        assert_eq!(tag.key_type, KeyType::String);
        assert!(condition_key("aws:PrincipalTag/").is_none());
        assert!(is_multivalued("aws:tagkeys"));
        assert!(is_multivalued("s3:requestobjecttagkeys"));
        assert!(!is_multivalued("s3:prefix"));
        assert_eq!(
            condition_key("s3:ExistingObjectTag/cls").unwrap().key_type,
            KeyType::String
        );
        assert_eq!(
            condition_key("s3:max-keys").unwrap().key_type,
            KeyType::Numeric
        );
        assert_eq!(suggest_key("aws:SourceIP4"), Some("aws:SourceIp"));
    }

    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
    // (s3:prefix is listed for ListBucket only; DeleteBucket takes no tags)
    #[test]
    fn keys_aws_never_sends_with_an_action_are_absent() {
        assert!(may_be_sent("s3:ListBucket", "s3:prefix"));
        assert!(!may_be_sent("s3:DeleteBucket", "s3:prefix"));
        assert!(may_be_sent("s3:DeleteBucket", "aws:SourceIp"));
        assert!(may_be_sent("s3:DeleteBucket", "AWS:MultiFactorAuthPresent"));
        // global keys stay possible on the catalog's actions (ActionInfo::can_carry_key)
        assert!(may_be_sent("s3:DeleteBucket", "aws:RequestTag/team"));
        assert!(may_be_sent("s3:PutObject", "s3:x-amz-acl"));
        assert!(!may_be_sent("s3:DeleteBucket", "s3express:SessionMode"));
        assert!(may_be_sent("iam:PutRolePolicy", "iam:PermissionsBoundary"));
        assert!(!may_be_sent("iam:PutRolePolicy", "s3:prefix"));
        assert!(may_be_sent("ec2:RunInstances", "ec2:Vpc"));
    }
}
