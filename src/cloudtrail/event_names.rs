//! CloudTrail S3 event names → the IAM requests S3 authorizes them as
//! (S3 User Guide "Required permissions for Amazon S3 API operations"; spec M-7).

use serde_json::Value;

use super::events::{resources_of, s};
use crate::awscli::requests::{bkt, obj, IamRequest, PLACEHOLDER_KEY};
use crate::request::context::ContextValue;

/// The event-name → IAM-action table for names that differ from the action
/// (S3 User Guide "Required permissions for Amazon S3 API operations";
/// spec M-7). Any other S3 event name that is a catalog action maps to itself.
pub const RENAMED: &[(&str, &str)] = &[
    ("ListBuckets", "ListAllMyBuckets"),
    ("ListObjects", "ListBucket"),
    ("ListObjectsV2", "ListBucket"),
    ("HeadBucket", "ListBucket"),
    ("ListObjectVersions", "ListBucketVersions"),
    ("HeadObject", "GetObject"),
    ("SelectObjectContent", "GetObject"),
    ("CreateMultipartUpload", "PutObject"),
    ("UploadPart", "PutObject"),
    ("CompleteMultipartUpload", "PutObject"),
    ("ListParts", "ListMultipartUploadParts"),
    ("ListMultipartUploads", "ListBucketMultipartUploads"),
    ("DeleteObjects", "DeleteObject"),
    ("CopyObject", "PutObject"),
    ("UploadPartCopy", "PutObject"),
    ("GetBucketCors", "GetBucketCORS"),
    ("PutBucketCors", "PutBucketCORS"),
    ("DeleteBucketCors", "PutBucketCORS"),
    ("GetBucketLifecycle", "GetLifecycleConfiguration"),
    (
        "GetBucketLifecycleConfiguration",
        "GetLifecycleConfiguration",
    ),
    ("PutBucketLifecycle", "PutLifecycleConfiguration"),
    (
        "PutBucketLifecycleConfiguration",
        "PutLifecycleConfiguration",
    ),
    ("DeleteBucketLifecycle", "PutLifecycleConfiguration"),
    ("GetBucketEncryption", "GetEncryptionConfiguration"),
    ("PutBucketEncryption", "PutEncryptionConfiguration"),
    ("DeleteBucketEncryption", "PutEncryptionConfiguration"),
    ("GetBucketReplication", "GetReplicationConfiguration"),
    ("PutBucketReplication", "PutReplicationConfiguration"),
    ("DeleteBucketReplication", "PutReplicationConfiguration"),
    ("DeleteBucketTagging", "PutBucketTagging"),
    (
        "GetBucketNotificationConfiguration",
        "GetBucketNotification",
    ),
    (
        "PutBucketNotificationConfiguration",
        "PutBucketNotification",
    ),
    (
        "DeleteBucketPublicAccessBlock",
        "PutBucketPublicAccessBlock",
    ),
    (
        "DeleteBucketOwnershipControls",
        "PutBucketOwnershipControls",
    ),
    (
        "GetBucketAccelerateConfiguration",
        "GetAccelerateConfiguration",
    ),
    (
        "PutBucketAccelerateConfiguration",
        "PutAccelerateConfiguration",
    ),
    (
        "GetObjectLockConfiguration",
        "GetBucketObjectLockConfiguration",
    ),
    (
        "PutObjectLockConfiguration",
        "PutBucketObjectLockConfiguration",
    ),
    (
        "GetBucketAnalyticsConfiguration",
        "GetAnalyticsConfiguration",
    ),
    (
        "PutBucketAnalyticsConfiguration",
        "PutAnalyticsConfiguration",
    ),
    (
        "DeleteBucketAnalyticsConfiguration",
        "PutAnalyticsConfiguration",
    ),
    ("GetBucketMetricsConfiguration", "GetMetricsConfiguration"),
    ("PutBucketMetricsConfiguration", "PutMetricsConfiguration"),
    (
        "DeleteBucketMetricsConfiguration",
        "PutMetricsConfiguration",
    ),
    (
        "GetBucketInventoryConfiguration",
        "GetInventoryConfiguration",
    ),
    (
        "PutBucketInventoryConfiguration",
        "PutInventoryConfiguration",
    ),
    (
        "DeleteBucketInventoryConfiguration",
        "PutInventoryConfiguration",
    ),
    (
        "GetBucketIntelligentTieringConfiguration",
        "GetIntelligentTieringConfiguration",
    ),
    (
        "PutBucketIntelligentTieringConfiguration",
        "PutIntelligentTieringConfiguration",
    ),
    (
        "DeleteBucketIntelligentTieringConfiguration",
        "PutIntelligentTieringConfiguration",
    ),
];

/// Object actions with a `…Version…` variant used when the call names a `versionId`.
const VERSIONED: &[(&str, &str)] = &[
    ("GetObject", "GetObjectVersion"),
    ("DeleteObject", "DeleteObjectVersion"),
    ("GetObjectAcl", "GetObjectVersionAcl"),
    ("PutObjectAcl", "PutObjectVersionAcl"),
    ("GetObjectTagging", "GetObjectVersionTagging"),
    ("PutObjectTagging", "PutObjectVersionTagging"),
    ("DeleteObjectTagging", "DeleteObjectVersionTagging"),
    ("GetObjectAttributes", "GetObjectVersionAttributes"),
];

/// The IAM action names (without `s3:`) an S3 event name is authorized as,
/// before the versioned variant; `None` when unknown.
pub fn iam_actions(event_name: &str) -> Option<&'static str> {
    if let Some((_, a)) = RENAMED.iter().find(|(n, _)| *n == event_name) {
        return Some(a);
    }
    crate::catalog::lookup(&format!("s3:{event_name}")).map(|a| a.name)
}

fn versioned(action: &str, has_version: bool) -> String {
    let name = if has_version {
        VERSIONED
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, v)| *v)
            .unwrap_or(action)
    } else {
        action
    };
    format!("s3:{name}")
}

/// The IAM requests a recorded call was authorized as (`ctx`: the record's context).
pub(super) fn requests_of(
    rec: &Value,
    name: &str,
    ctx: &[(String, ContextValue)],
    notes: &mut Vec<String>,
) -> Result<Vec<IamRequest>, String> {
    let Some(action) = iam_actions(name) else {
        return Err(format!("no known IAM action for the S3 event `{name}`"));
    };
    if !resources_of(rec, "AWS::S3::AccessPoint").is_empty() {
        return Err("made through an access point (access point and bucket policies together are not modelled for replay)".into());
    }
    let p = rec.get("requestParameters").cloned().unwrap_or(Value::Null);
    let bucket = s(&p, &["bucketName"]).map(str::to_string);
    let key = s(&p, &["key"]).map(str::to_string);
    let has_version = s(&p, &["versionId"]).is_some();
    let info = crate::catalog::lookup(&format!("s3:{action}"))
        .ok_or_else(|| format!("s3:{action} is not in the catalog"))?;
    let mk = |a: String, r: String, c: Vec<(String, ContextValue)>| IamRequest {
        action: a,
        resource: r,
        context: c,
    };
    let base: Vec<(String, ContextValue)> = ctx.to_vec();
    let object_arn = || -> Option<String> {
        resources_of(rec, "AWS::S3::Object")
            .first()
            .map(|a| a.to_string())
            .or_else(|| Some(obj(bucket.as_deref()?, key.as_deref()?)))
    };
    let header = |h: &str| s(&p, &[h]).is_some();
    match name {
        "CopyObject" | "UploadPartCopy" => {
            let src =
                s(&p, &["x-amz-copy-source"]).ok_or("CopyObject without x-amz-copy-source")?;
            let src = src.trim_start_matches('/');
            let (src_path, src_version) = match src.split_once("?versionId=") {
                Some((p, _)) => (p, true),
                None => (src, false),
            };
            let dst = object_arn().ok_or("CopyObject without destination bucket and key")?;
            let mut out = vec![
                mk(
                    versioned("GetObject", src_version),
                    format!("arn:aws:s3:::{src_path}"),
                    base.clone(),
                ),
                mk("s3:PutObject".into(), dst.clone(), base.clone()),
            ];
            if header("x-amz-acl")
                || p.as_object()
                    .is_some_and(|o| o.keys().any(|k| k.starts_with("x-amz-grant-")))
            {
                out.push(mk("s3:PutObjectAcl".into(), dst, base));
            }
            return Ok(out);
        }
        "DeleteObjects" => {
            let b = bucket.clone().ok_or("DeleteObjects without bucketName")?;
            let mut arns: Vec<String> = resources_of(rec, "AWS::S3::Object")
                .iter()
                .map(|a| a.to_string())
                .collect();
            if arns.is_empty() {
                if let Some(objs) = p.get("delete").and_then(|d| d.get("Object")) {
                    let list: Vec<&Value> = match objs {
                        Value::Array(a) => a.iter().collect(),
                        other => vec![other],
                    };
                    arns = list
                        .iter()
                        .filter_map(|o| s(o, &["Key"]))
                        .map(|k| obj(&b, k))
                        .collect();
                }
            }
            if arns.is_empty() {
                notes.push(format!(
                    "DeleteObjects lists no keys in this record: evaluated on {PLACEHOLDER_KEY}"
                ));
                arns.push(obj(&b, PLACEHOLDER_KEY));
            }
            return Ok(arns
                .into_iter()
                .map(|a| mk("s3:DeleteObject".into(), a, base.clone()))
                .collect());
        }
        _ => {}
    }
    if info.wildcard_only {
        return Ok(vec![mk(info.iam_action.to_string(), "*".into(), base)]);
    }
    if info.supports_resource_type("object") {
        let arn = object_arn().ok_or_else(|| format!("{name} without bucketName and key"))?;
        let mut out = vec![mk(
            versioned(action, has_version),
            arn.clone(),
            base.clone(),
        )];
        if action == "PutObject" && matches!(name, "PutObject" | "CreateMultipartUpload") {
            if header("x-amz-acl")
                || p.as_object()
                    .is_some_and(|o| o.keys().any(|k| k.starts_with("x-amz-grant-")))
            {
                out.push(mk("s3:PutObjectAcl".into(), arn.clone(), base.clone()));
            }
            if header("x-amz-tagging") {
                out.push(mk("s3:PutObjectTagging".into(), arn, base));
            }
        }
        return Ok(out);
    }
    if info.supports_resource_type("bucket") {
        let arn = resources_of(rec, "AWS::S3::Bucket")
            .first()
            .map(|a| a.to_string())
            .or_else(|| bucket.as_deref().map(bkt))
            .ok_or_else(|| format!("{name} without bucketName"))?;
        return Ok(vec![mk(info.iam_action.to_string(), arn, base)]);
    }
    Err(format!(
        "{name} targets {} resources, which replay does not model",
        info.resource_types
            .iter()
            .map(|r| r.name)
            .collect::<Vec<_>>()
            .join(" / ")
    ))
}
