//! Condition keys that only one kind of request of an action carries.
//!
//! The Service Authorization Reference says which keys an action *can*
//! carry ([`ActionInfo::can_carry_key`]), not which of its requests do.
//! For most keys the difference does not matter: `s3:x-amz-server-side-encryption`
//! is a header any upload may send, so a `Deny` of `s3:PutObject` unless it
//! is `AES256` asks every uploader to add the header, and every uploader can
//! (AWS documents this way to require encryption). Some keys are different:
//! they are sent only by the API operations that make the request another
//! kind of request. `s3:x-amz-copy-source` names the object a
//! `CopyObject` or `UploadPartCopy` copies from; a plain upload (`PutObject`,
//! a POST upload, `CreateMultipartUpload`, `UploadPart`,
//! `CompleteMultipartUpload`), which `s3:PutObject` authorizes as well,
//! never carries it, and cannot: adding the header makes it a copy. So a
//! `Deny` of `s3:PutObject` unless `s3:x-amz-copy-source` matches blocks
//! every upload that is not a copy, whatever the uploader sends.
//!
//! Sources: Service Authorization Reference, "Condition keys for Amazon S3"
//! (`s3:x-amz-copy-source`: "copy source bucket, prefix, or object in the
//! copy object requests"; `s3:x-amz-metadata-directive`: "object metadata
//! behavior (COPY or REPLACE) when objects are copied"),
//! <https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html>;
//! Amazon S3 API Reference, CopyObject and UploadPartCopy ("To specify the
//! data source, you add the request header `x-amz-copy-source`"),
//! <https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html>.

use super::ActionInfo;

/// A kind of request, among those one action authorizes, that alone
/// carries some condition keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestKind {
    /// One such request, to complete "every `s3:PutObject` that is not …":
    /// `a copy`.
    pub one: &'static str,
    /// The API operations that send such requests: `CopyObject`,
    /// `UploadPartCopy`.
    pub operations: &'static [&'static str],
    /// The keys only these requests carry, lower-cased.
    keys: &'static [&'static str],
}

/// Copies: the keys a copy's headers put in the request context.
const COPY: RequestKind = RequestKind {
    one: "a copy",
    operations: &["CopyObject", "UploadPartCopy"],
    keys: &["s3:x-amz-copy-source", "s3:x-amz-metadata-directive"],
};

/// Every kind of request with keys of its own.
const KINDS: &[RequestKind] = &[COPY];

impl ActionInfo {
    /// The one kind of this action's requests that carries `key`, when
    /// only one kind does: for `s3:PutObject` and `s3:x-amz-copy-source`,
    /// copies. `None` when the action cannot carry the key at all
    /// ([`ActionInfo::can_carry_key`]) or when any of its requests may
    /// (`s3:x-amz-server-side-encryption`). Case-insensitive.
    pub fn key_only_in(&self, key: &str) -> Option<&'static RequestKind> {
        if !self.can_carry_key(key) {
            return None;
        }
        let lower = key.to_ascii_lowercase();
        KINDS.iter().find(|k| k.keys.contains(&lower.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::{catalog, lookup};

    #[test]
    fn only_copies_carry_the_copy_source_service_authorization_reference() {
        let put = lookup("s3:PutObject").unwrap();
        for key in ["s3:x-amz-copy-source", "S3:X-Amz-Metadata-Directive"] {
            let kind = put.key_only_in(key).expect(key);
            assert_eq!(kind.one, "a copy");
            assert_eq!(kind.operations, ["CopyObject", "UploadPartCopy"]);
        }
        // any upload may send the encryption header
        assert!(put.key_only_in("s3:x-amz-server-side-encryption").is_none());
        // GetObject never carries the copy source at all
        assert!(lookup("s3:GetObject")
            .unwrap()
            .key_only_in("s3:x-amz-copy-source")
            .is_none());
    }

    /// The fact is about keys; it holds for an action only while the action
    /// also authorizes requests of another kind. These are the catalog's
    /// actions that declare a copy key: both authorize plain requests too
    /// (`s3:PutObject` plain uploads, `s3:BypassGovernanceRetention`
    /// deletions and retention changes). A new one must be checked.
    #[test]
    fn every_action_declaring_a_copy_key_also_has_requests_that_are_not_copies() {
        let declaring: Vec<&str> = catalog()
            .actions()
            .iter()
            .filter(|a| super::COPY.keys.iter().any(|k| a.key_only_in(k).is_some()))
            .map(|a| a.iam_action)
            .collect();
        assert_eq!(declaring, ["s3:BypassGovernanceRetention", "s3:PutObject"]);
    }
}
