//! The S3 settings of a bucket and its object, as the case format
//! (`eval --cases`) and test files (`options`) write them: Block Public
//! Access, ACLs, Object Ownership, the object owner and the VPC endpoint
//! type. One reader for both formats, over the same rules as the flags
//! (`--block-public-access`, `--object-acl`, …).

use crate::eval::acl::{Acl, ObjectOwnership};
use crate::eval::block_public_access::PublicAccessBlock;
use crate::eval::policy_set::{EvalOptions, VpceType};
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

/// Reads `field` into `options` if it is one of [`FIELDS`]: `Ok(false)`
/// for any other field, `Err((message, hint))` for a bad value.
pub fn read(field: &str, v: &Value, options: &mut EvalOptions) -> Result<bool, (String, String)> {
    let text = |what: &str| -> Result<String, (String, String)> {
        v.as_str().map(str::to_string).ok_or_else(|| {
            (
                format!("`{field}` must be {what}, found {}", v.type_name()),
                String::new(),
            )
        })
    };
    match field {
        "block_public_access" => {
            options.block_public_access = public_access_block(v)?;
        }
        "object_owner" => {
            let s = text("a 12-digit account id")?;
            if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err((
                    format!("`{s}` is not a 12-digit AWS account id"),
                    "e.g. \"444455556666\"".into(),
                ));
            }
            options.object_owner = Some(s);
        }
        "object_acl" | "bucket_acl" => {
            let items: Vec<String> = match &v.kind {
                Kind::String(s) => vec![s.to_string()],
                Kind::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string))
                    .collect::<Option<_>>()
                    .ok_or_else(|| {
                        (
                            format!("`{field}` must be a string or an array of strings"),
                            String::new(),
                        )
                    })?,
                _ => {
                    return Err((
                        format!(
                            "`{field}` must be a string or an array of strings, found {}",
                            v.type_name()
                        ),
                        String::new(),
                    ))
                }
            };
            let acl = Acl::parse(&items).map_err(|e| {
                (
                    e,
                    "e.g. \"public-read\", or [\"grant-read=id=111122223333\", \"grant-read=uri=AllUsers\"]".into(),
                )
            })?;
            if field == "object_acl" {
                options.object_acl = Some(acl);
            } else {
                options.bucket_acl = Some(acl);
            }
        }
        "object_ownership" => {
            let s = text("a string")?;
            options.object_ownership = Some(ObjectOwnership::parse(&s).ok_or_else(|| {
                (
                    format!("`{s}` is not an Object Ownership setting"),
                    format!("one of {}", ObjectOwnership::NAMES.join(", ")),
                )
            })?);
        }
        "vpce_type" => {
            options.vpce_type = match text("a string")?.as_str() {
                "gateway" => VpceType::Gateway,
                "interface" => VpceType::Interface,
                other => {
                    return Err((
                        format!("`{other}` is not a VPC endpoint type"),
                        "\"gateway\" or \"interface\"".into(),
                    ))
                }
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// `true` (all four settings), `false`, an array of AWS's setting names,
/// or AWS's `PublicAccessBlockConfiguration` object
/// (`{"BlockPublicPolicy": true, …}`).
fn public_access_block(v: &Value) -> Result<PublicAccessBlock, (String, String)> {
    let hint = || {
        "true (all four), or {\"BlockPublicAcls\": true, \"IgnorePublicAcls\": true, \"BlockPublicPolicy\": true, \"RestrictPublicBuckets\": true}".to_string()
    };
    let mut b = PublicAccessBlock::default();
    let mut turn_on = |name: &str| {
        if b.set(name) {
            Ok(())
        } else {
            Err((
                format!("`{name}` is not a Block Public Access setting"),
                hint(),
            ))
        }
    };
    match &v.kind {
        Kind::Bool(all) => return Ok((*all).into()),
        Kind::Array(items) => {
            for i in items {
                match i.as_str() {
                    Some(name) => turn_on(name)?,
                    None => return Err(("setting names must be strings".into(), hint())),
                }
            }
        }
        Kind::Object(members) => {
            for m in members {
                match m.value.kind {
                    Kind::Bool(true) => turn_on(&m.key)?,
                    Kind::Bool(false) => {
                        if !PublicAccessBlock::default().set(&m.key) {
                            return Err((
                                format!("`{}` is not a Block Public Access setting", m.key),
                                hint(),
                            ));
                        }
                    }
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
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_json(field: &str, json: &str) -> Result<EvalOptions, (String, String)> {
        let v = crate::json::parse(json).unwrap().value;
        let mut o = EvalOptions::default();
        assert!(read(field, &v, &mut o)?);
        Ok(o)
    }

    #[test]
    fn reads_the_settings_in_every_form_e19_e20() {
        assert_eq!(
            read_json("block_public_access", "true")
                .unwrap()
                .block_public_access,
            PublicAccessBlock::ALL
        );
        let b = read_json(
            "block_public_access",
            r#"{"BlockPublicPolicy":true,"IgnorePublicAcls":false}"#,
        )
        .unwrap()
        .block_public_access;
        assert!(b.block_public_policy && !b.ignore_public_acls);
        let b = read_json("block_public_access", r#"["IgnorePublicAcls"]"#)
            .unwrap()
            .block_public_access;
        assert!(b.ignore_public_acls && !b.restrict_public_buckets);
        assert!(read_json("block_public_access", r#"["BlockPublicAcl"]"#).is_err());
        assert!(read_json("object_acl", r#"["public-read"]"#)
            .unwrap()
            .object_acl
            .unwrap()
            .is_public());
        assert!(read_json("object_owner", r#""4444""#).is_err());
        assert!(read_json("object_ownership", r#""Enforced""#).is_err());
        assert_eq!(
            read_json("vpce_type", r#""gateway""#).unwrap().vpce_type,
            VpceType::Gateway
        );
        let mut o = EvalOptions::default();
        assert_eq!(
            read("principal", &crate::json::parse("1").unwrap().value, &mut o),
            Ok(false)
        );
    }
}
