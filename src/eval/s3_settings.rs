//! S3's own settings of a bucket and its objects, as text: what the flags
//! of `s3guard can` (`--object-acl`, `--object-owner`, `--access-point-*`,
//! …) and the Python `PolicySet` keywords give. One reader for both, over
//! the library's parsers ([`Acl::parse`], [`ObjectOwnership::parse`],
//! [`PublicAccessBlock::set`], [`AccessPointSettings::resolve`]). The
//! case format and test files read the same settings from JSON
//! (`batch::s3_state` turns each field into text here) and are checked
//! by the same [`S3Settings::apply`].

use crate::diagnostic::Diagnostic;
use crate::eval::access_point::AccessPointSettings;
use crate::eval::acl::{Acl, ObjectOwnership};
use crate::eval::block_public_access::PublicAccessBlock;
use crate::eval::policy_set::{EvalOptions, VpceType};

/// How the settings are spelled in messages: command-line flags
/// (`--object-owner`), Python keywords (`object_owner=`) or the JSON fields
/// of cases and test files (`` `object_owner` ``).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Spelling {
    /// `--object-owner`.
    #[default]
    Flags,
    /// `object_owner=`.
    Keywords,
    /// `` `object_owner` `` (a JSON field).
    Fields,
}

impl Spelling {
    /// The name of a setting, given as its flag without the dashes.
    fn name(self, flag: &str) -> String {
        match self {
            Spelling::Flags => format!("--{flag}"),
            Spelling::Keywords => flag.replace('-', "_"),
            Spelling::Fields => format!("`{}`", flag.replace('-', "_")),
        }
    }

    /// An example of a setting with a value.
    fn example(self, flag: &str, value: &str) -> String {
        match self {
            Spelling::Flags => format!("--{flag} {value}"),
            Spelling::Keywords => format!("{}=\"{value}\"", flag.replace('-', "_")),
            Spelling::Fields => format!("\"{}\": \"{value}\"", flag.replace('-', "_")),
        }
    }
}

/// The S3 settings given, as text (nothing given: all empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S3Settings {
    /// The Block Public Access settings turned on (E-19).
    pub block_public_access: PublicAccessBlock,
    /// AWS names of Block Public Access settings and whether each is on
    /// (`BlockPublicPolicy`, …); added to `block_public_access`.
    pub block_public_access_names: Vec<(String, bool)>,
    /// The account that owns the object (E-21).
    pub object_owner: Option<String>,
    /// The object's ACL: a canned ACL or `grant-PERMISSION=GRANTEE` items (E-20).
    pub object_acl: Vec<String>,
    /// The bucket's ACL, as `object_acl`.
    pub bucket_acl: Vec<String>,
    /// The bucket's Object Ownership setting (`BucketOwnerEnforced`, …).
    pub object_ownership: Option<String>,
    /// The VPC endpoint type (`gateway` or `interface`; `None`: interface).
    pub vpce_type: Option<String>,
    /// The access point requests may go through (AP-1).
    pub access_point: AccessPointSettings,
    /// Whether an access point policy is given (it needs the access point).
    pub has_access_point_policy: bool,
}

/// The setting a problem found by [`S3Settings::apply_each`] is about (a
/// problem of two settings is about the first one its message names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// `block_public_access` (and its names).
    BlockPublicAccess,
    /// `object_owner`.
    ObjectOwner,
    /// `object_acl`.
    ObjectAcl,
    /// `bucket_acl`.
    BucketAcl,
    /// `object_ownership`.
    ObjectOwnership,
    /// `vpce_type`.
    VpceType,
    /// The access point settings.
    AccessPoint,
}

impl Setting {
    /// The JSON field of cases and test files that gives the setting.
    pub fn field(self) -> &'static str {
        match self {
            Setting::BlockPublicAccess => "block_public_access",
            Setting::ObjectOwner => "object_owner",
            Setting::ObjectAcl => "object_acl",
            Setting::BucketAcl => "bucket_acl",
            Setting::ObjectOwnership => "object_ownership",
            Setting::VpceType => "vpce_type",
            Setting::AccessPoint => "access_point",
        }
    }
}

impl S3Settings {
    /// Checks the settings and sets them in `options`; every problem is
    /// returned, each with a hint in `spelling`.
    pub fn apply(
        &self,
        options: &mut EvalOptions,
        spelling: Spelling,
    ) -> Result<(), Vec<Diagnostic>> {
        self.apply_each(options, spelling)
            .map_err(|errors| errors.into_iter().map(|(_, d)| d).collect())
    }

    /// [`S3Settings::apply`], each problem with the setting it is about,
    /// for readers that point at where the setting was written.
    pub fn apply_each(
        &self,
        options: &mut EvalOptions,
        spelling: Spelling,
    ) -> Result<(), Vec<(Setting, Diagnostic)>> {
        let mut errors = Vec::new();
        let invalid = |setting: Setting, message: String, hint: String| {
            (
                setting,
                Diagnostic::error("INVALID_ARGUMENT", message).with_hint(hint),
            )
        };
        let mut bpa = self.block_public_access;
        for (name, on) in &self.block_public_access_names {
            let mut probe = PublicAccessBlock::default();
            if !probe.set(name) {
                errors.push(invalid(
                    Setting::BlockPublicAccess,
                    format!(
                        "{}: `{name}` is not a Block Public Access setting",
                        spelling.name("block-public-access")
                    ),
                    "BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy or RestrictPublicBuckets"
                        .into(),
                ));
            } else if *on {
                bpa = bpa.union(probe);
            }
        }
        let mut acl = |setting: Setting, flag: &str, items: &[String]| -> Option<Acl> {
            if items.is_empty() {
                return None;
            }
            Acl::parse(items)
                .map_err(|e| {
                    errors.push(invalid(
                        setting,
                        format!("{}: {e}", spelling.name(flag)),
                        format!(
                            "e.g. {}, or grants such as grant-read=id=111122223333 and grant-read=uri=AllUsers",
                            spelling.example(flag, "public-read")
                        ),
                    ))
                })
                .ok()
        };
        let object_acl = acl(Setting::ObjectAcl, "object-acl", &self.object_acl);
        let bucket_acl = acl(Setting::BucketAcl, "bucket-acl", &self.bucket_acl);
        let object_ownership = match &self.object_ownership {
            Some(s) => match ObjectOwnership::parse(s) {
                Some(o) => Some(o),
                None => {
                    errors.push(invalid(
                        Setting::ObjectOwnership,
                        format!(
                            "{} `{s}` is not an Object Ownership setting",
                            spelling.name("object-ownership")
                        ),
                        format!("one of {}", ObjectOwnership::NAMES.join(", ")),
                    ));
                    None
                }
            },
            None => None,
        };
        if let Some(owner) = &self.object_owner {
            if owner.len() != 12 || !owner.bytes().all(|b| b.is_ascii_digit()) {
                errors.push(invalid(
                    Setting::ObjectOwner,
                    format!(
                        "{} `{owner}` is not a 12-digit account id",
                        spelling.name("object-owner")
                    ),
                    format!("e.g. {}", spelling.example("object-owner", "444455556666")),
                ));
            } else if object_ownership == Some(ObjectOwnership::BucketOwnerEnforced) {
                errors.push(invalid(
                    Setting::ObjectOwner,
                    format!(
                        "{} contradicts {} BucketOwnerEnforced, under which the bucket owner owns every object",
                        spelling.name("object-owner"),
                        spelling.name("object-ownership")
                    ),
                    "drop one of them (ObjectWriter or BucketOwnerPreferred keep objects of other accounts theirs)".into(),
                ));
            }
        }
        let vpce_type = match self.vpce_type.as_deref() {
            None | Some("interface") => VpceType::Interface,
            Some("gateway") => VpceType::Gateway,
            Some(other) => {
                errors.push(invalid(
                    Setting::VpceType,
                    format!(
                        "{} `{other}` is not a VPC endpoint type",
                        spelling.name("vpce-type")
                    ),
                    "gateway or interface".into(),
                ));
                VpceType::Interface
            }
        };
        let access_point = self
            .access_point
            .resolve(self.has_access_point_policy)
            .map_err(|e| {
                errors.push(invalid(
                    Setting::AccessPoint,
                    e.to_string(),
                    match spelling {
                        Spelling::Flags => "describe the access point with --access-point-bucket NAME, and optionally --access-point-bucket-account ID, --access-point-network-origin Internet|VPC, --access-point-vpc VPC_ID".into(),
                        Spelling::Keywords => "describe the access point with access_point={\"bucket\": NAME}, and optionally \"bucket_account\", \"network_origin\": \"Internet\" or \"VPC\", \"vpc\"".into(),
                        Spelling::Fields => "write \"access_point\": {\"bucket\": \"NAME\"} (and optionally \"bucket_account\", \"network_origin\": \"Internet\" or \"VPC\", \"vpc\")".into(),
                    },
                ))
            })
            .ok()
            .flatten();
        if !errors.is_empty() {
            return Err(errors);
        }
        options.block_public_access = bpa;
        options.object_owner = self.object_owner.clone();
        options.object_acl = object_acl;
        options.bucket_acl = bucket_acl;
        options.object_ownership = object_ownership;
        options.vpce_type = vpce_type;
        options.access_point = access_point;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every setting is checked, all problems together, spelled as asked.
    #[test]
    fn bad_settings_are_all_reported_in_their_spelling() {
        let s = S3Settings {
            object_owner: Some("4444".into()),
            object_acl: vec!["public".into()],
            block_public_access_names: vec![("BlockPublicAcl".into(), true)],
            object_ownership: Some("Enforced".into()),
            ..S3Settings::default()
        };
        let errs = s
            .apply(&mut EvalOptions::default(), Spelling::Keywords)
            .unwrap_err();
        let text: Vec<String> = errs.iter().map(|d| d.message.clone()).collect();
        assert_eq!(errs.len(), 4, "{text:?}");
        assert!(text.iter().any(|m| m.starts_with("object_owner `4444`")));
        assert!(text.iter().any(|m| m.starts_with("object_acl: ")));
        let flags = S3Settings {
            object_owner: Some("4444".into()),
            ..S3Settings::default()
        };
        let errs = flags
            .apply(&mut EvalOptions::default(), Spelling::Flags)
            .unwrap_err();
        assert_eq!(
            errs[0].message,
            "--object-owner `4444` is not a 12-digit account id"
        );
    }

    /// Under BucketOwnerEnforced "the bucket owner automatically owns and
    /// has full control over every object in the bucket" (S3 User Guide,
    /// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html;
    /// E-21): another owner is a contradiction, reported at `object_owner`
    /// and naming both, in the spelling of every front end.
    #[test]
    fn an_object_owner_under_bucket_owner_enforced_is_invalid_e21() {
        let s = S3Settings {
            object_owner: Some("444455556666".into()),
            object_ownership: Some("BucketOwnerEnforced".into()),
            ..S3Settings::default()
        };
        for (spelling, owner, ownership) in [
            (Spelling::Flags, "--object-owner", "--object-ownership"),
            (Spelling::Keywords, "object_owner", "object_ownership"),
            (Spelling::Fields, "`object_owner`", "`object_ownership`"),
        ] {
            let errs = s
                .apply_each(&mut EvalOptions::default(), spelling)
                .unwrap_err();
            assert_eq!(errs.len(), 1);
            assert_eq!(errs[0].0, Setting::ObjectOwner);
            assert_eq!(errs[0].0.field(), "object_owner");
            assert!(
                errs[0].1.message.starts_with(&format!(
                    "{owner} contradicts {ownership} BucketOwnerEnforced"
                )),
                "{}",
                errs[0].1.message
            );
        }
        let writer = S3Settings {
            object_ownership: Some("ObjectWriter".into()),
            ..s
        };
        assert!(writer
            .apply(&mut EvalOptions::default(), Spelling::Fields)
            .is_ok());
    }

    /// "If the block public access settings for the access point, bucket,
    /// or account differ, then Amazon S3 applies the most restrictive
    /// combination" (S3 User Guide, Blocking public access): names add to
    /// the settings already on.
    #[test]
    fn settings_apply_e19_e21() {
        let mut bpa = PublicAccessBlock::default();
        bpa.set("IgnorePublicAcls");
        let s = S3Settings {
            block_public_access: bpa,
            block_public_access_names: vec![
                ("BlockPublicPolicy".into(), true),
                ("RestrictPublicBuckets".into(), false),
            ],
            object_owner: Some("444455556666".into()),
            object_acl: vec!["grant-read=id=111122223333".into()],
            object_ownership: Some("ObjectWriter".into()),
            vpce_type: Some("gateway".into()),
            ..S3Settings::default()
        };
        let mut o = EvalOptions::default();
        s.apply(&mut o, Spelling::Flags).unwrap();
        assert!(o.block_public_access.ignore_public_acls);
        assert!(o.block_public_access.block_public_policy);
        assert!(!o.block_public_access.restrict_public_buckets);
        assert_eq!(o.object_owner.as_deref(), Some("444455556666"));
        assert!(o.object_acl.is_some() && o.bucket_acl.is_none());
        assert_eq!(o.object_ownership, Some(ObjectOwnership::ObjectWriter));
        assert_eq!(o.vpce_type, VpceType::Gateway);
        assert!(o.access_point.is_none());
    }
}
