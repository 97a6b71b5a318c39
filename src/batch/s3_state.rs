//! The S3 settings of a bucket and its object, as the case format
//! (`eval --cases`) and test files (`options`) write them: Block Public
//! Access, ACLs, Object Ownership, the object owner and the VPC endpoint
//! type. This reader only turns the JSON values into the text the flags
//! give ([`S3Settings`]); [`S3Settings::apply`] checks them, once for
//! every front end (`--block-public-access`, `--object-acl`, …).

use crate::eval::s3_settings::S3Settings;
use crate::json::{Kind, Value};

/// The field names this reader takes.
pub const FIELDS: &[&str] = &[
    "block_public_access",
    "object_owner",
    "object_acl",
    "bucket_acl",
    "object_ownership",
    "vpce_type",
];

/// Reads `field` into `settings` if it is one of [`FIELDS`]: `Ok(false)`
/// for any other field, `Err((message, hint))` for a value of the wrong
/// JSON shape. The values themselves are checked by [`S3Settings::apply`].
pub fn read(field: &str, v: &Value, settings: &mut S3Settings) -> Result<bool, (String, String)> {
    let text = |what: &str| -> Result<String, (String, String)> {
        v.as_str().map(str::to_string).ok_or_else(|| {
            (
                format!("`{field}` must be {what}, found {}", v.type_name()),
                String::new(),
            )
        })
    };
    match field {
        "block_public_access" => public_access_block(v, settings)?,
        "object_owner" => settings.object_owner = Some(text("a 12-digit account id")?),
        "object_acl" | "bucket_acl" => {
            let shape = || {
                (
                    format!(
                        "`{field}` must be a string or a non-empty array of strings, found {}",
                        v.type_name()
                    ),
                    "e.g. \"public-read\", or [\"grant-read=id=111122223333\", \"grant-read=uri=AllUsers\"]".to_string(),
                )
            };
            let items: Vec<String> = match &v.kind {
                Kind::String(s) => vec![s.to_string()],
                Kind::Array(items) if !items.is_empty() => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string))
                    .collect::<Option<_>>()
                    .ok_or_else(shape)?,
                _ => return Err(shape()),
            };
            if field == "object_acl" {
                settings.object_acl = items;
            } else {
                settings.bucket_acl = items;
            }
        }
        "object_ownership" => settings.object_ownership = Some(text("a string")?),
        "vpce_type" => settings.vpce_type = Some(text("a string")?),
        _ => return Ok(false),
    }
    Ok(true)
}

/// `true` (all four settings), `false`, an array of AWS's setting names,
/// or AWS's `PublicAccessBlockConfiguration` object
/// (`{"BlockPublicPolicy": true, …}`); the names are checked by
/// [`S3Settings::apply`].
fn public_access_block(v: &Value, settings: &mut S3Settings) -> Result<(), (String, String)> {
    let hint = || {
        "true (all four), or {\"BlockPublicAcls\": true, \"IgnorePublicAcls\": true, \"BlockPublicPolicy\": true, \"RestrictPublicBuckets\": true}".to_string()
    };
    match &v.kind {
        Kind::Bool(all) => settings.block_public_access = (*all).into(),
        Kind::Array(items) => {
            for i in items {
                match i.as_str() {
                    Some(name) => settings
                        .block_public_access_names
                        .push((name.to_string(), true)),
                    None => return Err(("setting names must be strings".into(), hint())),
                }
            }
        }
        Kind::Object(members) => {
            for m in members {
                match m.value.kind {
                    Kind::Bool(on) => settings
                        .block_public_access_names
                        .push((m.key.to_string(), on)),
                    _ => return Err((format!("`{}` must be true or false", m.key), hint())),
                }
            }
        }
        _ => {
            return Err((
                format!(
                    "`block_public_access` must be a boolean, an array or an object, found {}",
                    v.type_name()
                ),
                hint(),
            ))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::block_public_access::PublicAccessBlock;
    use crate::eval::policy_set::{EvalOptions, VpceType};
    use crate::eval::s3_settings::{Setting, Spelling};

    fn settings(field: &str, json: &str) -> Result<S3Settings, (String, String)> {
        let v = crate::json::parse(json).unwrap().value;
        let mut s = S3Settings::default();
        assert!(read(field, &v, &mut s)?);
        Ok(s)
    }

    /// Read, then checked by the flags' rule.
    fn options(field: &str, json: &str) -> Result<EvalOptions, Vec<Setting>> {
        let mut o = EvalOptions::default();
        settings(field, json)
            .unwrap()
            .apply_each(&mut o, Spelling::Fields)
            .map_err(|e| e.into_iter().map(|(s, _)| s).collect::<Vec<_>>())?;
        Ok(o)
    }

    #[test]
    fn reads_the_settings_in_every_form_e19_e20() {
        assert_eq!(
            options("block_public_access", "true")
                .unwrap()
                .block_public_access,
            PublicAccessBlock::ALL
        );
        let b = options(
            "block_public_access",
            r#"{"BlockPublicPolicy":true,"IgnorePublicAcls":false}"#,
        )
        .unwrap()
        .block_public_access;
        assert!(b.block_public_policy && !b.ignore_public_acls);
        let b = options("block_public_access", r#"["IgnorePublicAcls"]"#)
            .unwrap()
            .block_public_access;
        assert!(b.ignore_public_acls && !b.restrict_public_buckets);
        assert_eq!(
            options("block_public_access", r#"["BlockPublicAcl"]"#).unwrap_err(),
            [Setting::BlockPublicAccess]
        );
        assert_eq!(
            options("block_public_access", r#"{"BlockPublicAcl":false}"#).unwrap_err(),
            [Setting::BlockPublicAccess]
        );
        assert!(settings("block_public_access", r#"{"BlockPublicAcls":1}"#).is_err());
        assert!(settings("block_public_access", "[1]").is_err());
        assert!(options("object_acl", r#"["public-read"]"#)
            .unwrap()
            .object_acl
            .unwrap()
            .is_public());
        assert!(settings("object_acl", "[]").is_err());
        assert!(settings("bucket_acl", "1").is_err());
        assert_eq!(
            options("bucket_acl", r#""public""#).unwrap_err(),
            [Setting::BucketAcl]
        );
        assert_eq!(
            options("object_owner", r#""4444""#).unwrap_err(),
            [Setting::ObjectOwner]
        );
        assert!(settings("object_owner", "444455556666").is_err());
        assert_eq!(
            options("object_ownership", r#""Enforced""#).unwrap_err(),
            [Setting::ObjectOwnership]
        );
        assert_eq!(
            options("vpce_type", r#""gateway""#).unwrap().vpce_type,
            VpceType::Gateway
        );
        assert_eq!(
            options("vpce_type", r#""gw""#).unwrap_err(),
            [Setting::VpceType]
        );
        let mut s = S3Settings::default();
        assert_eq!(
            read("principal", &crate::json::parse("1").unwrap().value, &mut s),
            Ok(false)
        );
        assert_eq!(s, S3Settings::default());
    }
}
