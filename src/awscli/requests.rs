//! Expanding an `aws s3` command into the API calls it makes and the IAM
//! requests each call is authorized as (`docs/can-run.md`
//! sections 0 and 1; confidence tags \[H\]/\[M\]/\[L\] of that document appear in
//! the notes).

use super::command::{PathArg, S3Command, Verb};
use crate::request::context::ContextValue;

/// Who makes a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Caller {
    /// The principal running the command (or the app, for app profiles).
    Principal,
    /// Nobody: an unsigned request (`--no-sign-request`, public URLs).
    Anonymous,
}

/// One IAM authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamRequest {
    /// `s3:DeleteObject`.
    pub action: String,
    /// The ARN (`*` for wildcard-only actions).
    pub resource: String,
    /// Context keys the call carries.
    pub context: Vec<(String, ContextValue)>,
}

/// One API call: its IAM requests must all be allowed for it to happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Calls run phase after phase; the calls of one phase (one per object
    /// key) run independently of each other.
    pub phase: u32,
    /// The S3 API operation (`ListObjectsV2`).
    pub api: String,
    /// The IAM requests it is authorized as.
    pub requests: Vec<IamRequest>,
    /// What happens when it is allowed.
    pub effect: String,
    /// Whether it changes or deletes something in S3.
    pub mutates: bool,
    /// Only made in some case: `Some(when)`; does not decide the outcome.
    pub optional: Option<String>,
    /// Who signs it.
    pub caller: Caller,
}

/// The expansion of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The calls, in order.
    pub calls: Vec<Call>,
    /// Things to know (KMS, \[L\] rows of the mapping, filters, …).
    pub notes: Vec<String>,
    /// The keys used: given with `--keys`, or the placeholder.
    pub keys: Vec<String>,
    /// Whether `keys` is the placeholder.
    pub placeholder: bool,
}

/// The placeholder that stands for every object key a command touches.
pub const PLACEHOLDER_KEY: &str = "<key>";

/// The ARN of a bucket.
pub fn bkt(bucket: &str) -> String {
    format!("arn:aws:s3:::{bucket}")
}

/// The ARN of an object.
pub fn obj(bucket: &str, key: &str) -> String {
    format!("arn:aws:s3:::{bucket}/{key}")
}

fn single(k: &str, v: &str) -> (String, ContextValue) {
    (k.to_string(), ContextValue::Single(v.to_string()))
}

/// A request with context.
pub fn req(action: &str, resource: String, context: Vec<(String, ContextValue)>) -> IamRequest {
    IamRequest {
        action: action.to_string(),
        resource,
        context,
    }
}

/// Context keys of a signed request made with an Authorization header (C-15).
pub fn header_auth() -> Vec<(String, ContextValue)> {
    vec![
        single("s3:authType", "REST-HEADER"),
        single("s3:signatureversion", "AWS4-HMAC-SHA256"),
    ]
}

/// Context keys of a ListObjectsV2 call (C-15).
pub fn list_context(
    prefix: &str,
    delimiter: Option<&str>,
    max_keys: Option<u64>,
) -> Vec<(String, ContextValue)> {
    let mut c = vec![single("s3:prefix", prefix)];
    if let Some(d) = delimiter {
        c.push(single("s3:delimiter", d));
    }
    if let Some(m) = max_keys {
        c.push(single("s3:max-keys", &m.to_string()));
    }
    c
}

pub(super) struct Builder<'a> {
    pub(super) cmd: &'a S3Command,
    pub(super) calls: Vec<Call>,
    pub(super) notes: Vec<String>,
    pub(super) rel_keys: Vec<String>,
    pub(super) placeholder: bool,
    pub(super) caller: Caller,
}

pub(super) fn dir_prefix(key: &str) -> String {
    if key.is_empty() || key.ends_with('/') {
        key.to_string()
    } else {
        format!("{key}/")
    }
}

pub(super) fn basename(local: &str) -> &str {
    local
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(local)
}

impl Builder<'_> {
    pub(super) fn auth(&self) -> Vec<(String, ContextValue)> {
        match self.caller {
            Caller::Principal => header_auth(),
            Caller::Anonymous => Vec::new(),
        }
    }

    pub(super) fn call(
        &mut self,
        phase: u32,
        api: &str,
        requests: Vec<IamRequest>,
        effect: String,
        mutates: bool,
    ) {
        let auth = self.auth();
        let requests = requests
            .into_iter()
            .map(|mut r| {
                r.context.extend(auth.iter().cloned());
                r
            })
            .collect();
        self.calls.push(Call {
            phase,
            api: api.to_string(),
            requests,
            effect,
            mutates,
            optional: None,
            caller: self.caller,
        });
    }

    pub(super) fn optional(&mut self, when: &str) {
        if let Some(c) = self.calls.last_mut() {
            c.optional = Some(when.to_string());
        }
    }

    pub(super) fn note(&mut self, n: impl Into<String>) {
        let n = n.into();
        if !self.notes.contains(&n) {
            self.notes.push(n);
        }
    }

    pub(super) fn list(
        &mut self,
        phase: u32,
        bucket: &str,
        prefix: &str,
        delimiter: Option<&str>,
        what: &str,
    ) {
        let ctx = list_context(prefix, delimiter, self.cmd.options.page_size);
        self.call(
            phase,
            "ListObjectsV2",
            vec![req("s3:ListBucket", bkt(bucket), ctx)],
            format!("lists {what}"),
            false,
        );
        if prefix.is_empty() {
            self.note("s3:prefix is sent as \"\" for a listing of the whole bucket [M: the mapping document infers that an empty prefix reaches the policy as \"\"]");
        }
    }

    /// The full keys under a prefix: prefix + each relative key.
    pub(super) fn keys_under(&self, prefix: &str) -> Vec<String> {
        self.rel_keys
            .iter()
            .map(|k| format!("{prefix}{k}"))
            .collect()
    }

    pub(super) fn put_context(&mut self) -> (Vec<(String, ContextValue)>, bool) {
        let o = &self.cmd.options;
        let mut ctx = Vec::new();
        let mut acl = false;
        if let Some(a) = &o.acl {
            ctx.push(single("s3:x-amz-acl", a));
            acl = true;
        }
        for g in &o.grants {
            let (perm, grantee) = g.split_once('=').unwrap_or((g.as_str(), ""));
            let key = match perm {
                "read" => "s3:x-amz-grant-read",
                "readacl" => "s3:x-amz-grant-read-acp",
                "writeacl" => "s3:x-amz-grant-write-acp",
                "full" => "s3:x-amz-grant-full-control",
                _ => continue,
            };
            ctx.push(single(key, grantee));
            acl = true;
        }
        if let Some(s) = &o.sse {
            ctx.push(single("s3:x-amz-server-side-encryption", s));
        }
        if let Some(k) = &o.sse_kms_key_id {
            ctx.push(single("s3:x-amz-server-side-encryption-aws-kms-key-id", k));
        }
        if let Some(c) = &o.sse_c {
            ctx.push(single(
                "s3:x-amz-server-side-encryption-customer-algorithm",
                c,
            ));
        }
        if let Some(c) = &o.storage_class {
            ctx.push(single("s3:x-amz-storage-class", c));
        }
        if o.no_overwrite {
            ctx.push(single("s3:if-none-match", "*"));
        }
        if !o.grants.is_empty() {
            self.note("--grants values are passed as the x-amz-grant-* header values (`uri=…`, `id=…`, `emailaddress=…`) [M]");
        }
        if o.sse.as_deref().is_some_and(|s| s.starts_with("aws:kms")) || o.sse_kms_key_id.is_some()
        {
            self.note("SSE-KMS: the upload also needs kms:GenerateDataKey (and kms:Decrypt for multipart uploads) on the KMS key — outside the S3 catalog, not evaluated [M]");
        }
        (ctx, acl)
    }

    pub(super) fn upload(&mut self, phase: u32, bucket: &str, key: &str, from: &str) {
        let (ctx, acl) = self.put_context();
        let mut requests = vec![req("s3:PutObject", obj(bucket, key), ctx.clone())];
        if acl {
            requests.push(req("s3:PutObjectAcl", obj(bucket, key), ctx));
        }
        let overwrite = if self.cmd.options.no_overwrite {
            " (only if no object has that key: If-None-Match: *)"
        } else {
            " (replaces an existing object with that key)"
        };
        self.call(
            phase,
            "PutObject",
            requests,
            format!("uploads {from} to s3://{bucket}/{key}{overwrite}"),
            true,
        );
        self.call(
            phase,
            "AbortMultipartUpload",
            vec![req("s3:AbortMultipartUpload", obj(bucket, key), Vec::new())],
            format!("cleans up a failed multipart upload of s3://{bucket}/{key}"),
            true,
        );
        self.optional("only when a multipart upload (file ≥ 8 MiB, multipart_threshold) fails");
    }

    pub(super) fn copy(&mut self, phase: u32, sb: &str, sk: &str, db: &str, dk: &str) {
        let (mut ctx, acl) = self.put_context();
        ctx.push(single("s3:x-amz-copy-source", &format!("{sb}/{sk}")));
        if let Some(d) = &self.cmd.options.metadata_directive {
            ctx.push(single("s3:x-amz-metadata-directive", d));
        }
        let mut requests = vec![
            req("s3:GetObject", obj(sb, sk), Vec::new()),
            req("s3:PutObject", obj(db, dk), ctx.clone()),
        ];
        if acl {
            requests.push(req("s3:PutObjectAcl", obj(db, dk), ctx));
        }
        self.call(
            phase,
            "CopyObject",
            requests,
            format!("copies s3://{sb}/{sk} to s3://{db}/{dk} (replaces an existing object with that key)"),
            true,
        );
        let props = self.cmd.options.copy_props.as_deref().unwrap_or("default");
        if props == "default" {
            self.call(
                phase,
                "GetObjectTagging",
                vec![req("s3:GetObjectTagging", obj(sb, sk), Vec::new())],
                format!("reads the tags of s3://{sb}/{sk}"),
                false,
            );
            self.optional("only for multipart copies (object ≥ 8 MiB) with --copy-props default");
            self.call(
                phase,
                "PutObjectTagging",
                vec![req("s3:PutObjectTagging", obj(db, dk), Vec::new())],
                format!("copies the tags to s3://{db}/{dk}"),
                true,
            );
            self.optional("only for multipart copies whose tags exceed 2 KiB (on failure the CLI deletes the new object)");
        }
        self.note("a single-request CopyObject copies tags server-side (TaggingDirective COPY); whether AWS then also checks s3:GetObjectTagging / s3:PutObjectTagging is not documented clearly [L]; --copy-props none avoids the tag calls of multipart copies");
    }

    /// GetObject of s3://`bucket`/`key`; `why` follows the description.
    pub(super) fn download(&mut self, phase: u32, bucket: &str, key: &str, why: &str) {
        self.call(
            phase,
            "GetObject",
            vec![req("s3:GetObject", obj(bucket, key), Vec::new())],
            format!("downloads s3://{bucket}/{key}{why}"),
            false,
        );
    }

    /// HeadObject of s3://`bucket`/`key` (needs s3:GetObject), which reads
    /// its size and metadata.
    pub(super) fn head(&mut self, phase: u32, bucket: &str, key: &str) {
        self.call(
            phase,
            "HeadObject",
            vec![req("s3:GetObject", obj(bucket, key), Vec::new())],
            format!("reads the size and metadata of s3://{bucket}/{key}"),
            false,
        );
    }

    pub(super) fn delete(&mut self, phase: u32, bucket: &str, key: &str, why: &str) {
        self.call(
            phase,
            "DeleteObject",
            vec![req("s3:DeleteObject", obj(bucket, key), Vec::new())],
            format!("deletes s3://{bucket}/{key}{why}"),
            true,
        );
    }
}

/// Expands a command. `keys` are the object keys it touches, relative to
/// its S3 prefix (or to the local directory for uploads); empty means
/// unknown, and the placeholder [`PLACEHOLDER_KEY`] stands for every key.
/// `region` is the caller's configured region (for `mb`).
pub fn expand(cmd: &S3Command, keys: &[String], region: Option<&str>) -> Plan {
    let o = &cmd.options;
    let placeholder = keys.is_empty();
    let mut b = Builder {
        cmd,
        calls: Vec::new(),
        notes: Vec::new(),
        rel_keys: if placeholder {
            vec![PLACEHOLDER_KEY.to_string()]
        } else {
            keys.to_vec()
        },
        placeholder,
        caller: if o.no_sign_request {
            Caller::Anonymous
        } else {
            Caller::Principal
        },
    };
    if o.no_sign_request {
        b.note("--no-sign-request: every request is anonymous; only a bucket policy (or ACLs, not modelled) can allow it");
    }
    if !o.filters.is_empty() {
        b.note(format!(
            "{} choose which keys are transferred; s3guard cannot see the keys, so each key stands for every key the filters let through",
            o.filters.join(" ")
        ));
    }
    if o.request_payer {
        b.note("--request-payer adds the x-amz-request-payer header; no extra IAM action [M]");
    }
    let paths = cmd.paths.clone();
    let first = paths.first().cloned();
    let second = paths.get(1).cloned();
    match (cmd.verb, first, second) {
        (Verb::Ls, None, _) => {
            b.call(
                1,
                "ListBuckets",
                vec![req("s3:ListAllMyBuckets", "*".into(), Vec::new())],
                "lists every bucket of the account".into(),
                false,
            );
            if o.bucket_name_prefix.is_some() {
                b.note("--bucket-name-prefix filters the answer; s3:ListAllMyBuckets is still asked on `*`");
            }
        }
        (Verb::Ls, Some(PathArg::S3 { bucket, key }), _) => {
            let (delim, what) = if o.recursive {
                (
                    None,
                    format!("every key of s3://{bucket}/{key} (no delimiter)"),
                )
            } else {
                (
                    Some("/"),
                    format!("the keys and common prefixes directly under s3://{bucket}/{key}"),
                )
            };
            b.list(1, &bucket, &key, delim, &what);
        }
        (Verb::Mb, Some(PathArg::S3 { bucket, .. }), _) => {
            let mut ctx = Vec::new();
            match region {
                Some(r) if r != "us-east-1" => ctx.push(single("s3:locationconstraint", r)),
                Some(_) => {}
                None => b.note("the CLI sends LocationConstraint = your configured region (none for us-east-1); pass --region to set s3:locationconstraint"),
            }
            if !o.tags.is_empty() {
                ctx.push((
                    "aws:TagKeys".into(),
                    ContextValue::Multi(o.tags.iter().map(|(k, _)| k.clone()).collect()),
                ));
                for (k, v) in &o.tags {
                    ctx.push(single(&format!("aws:RequestTag/{k}"), v));
                }
            }
            b.call(
                1,
                "CreateBucket",
                vec![req("s3:CreateBucket", bkt(&bucket), ctx)],
                format!("creates bucket {bucket}"),
                true,
            );
            if !o.tags.is_empty() {
                b.call(
                    1,
                    "CreateBucket (tags)",
                    vec![req("s3:TagResource", bkt(&bucket), Vec::new())],
                    format!("tags bucket {bucket}"),
                    true,
                );
                b.optional("may be required by AWS for --tags [L]");
                b.note("with --tags AWS may additionally require s3:TagResource on the bucket; the mapping document marks this unsure [L]");
            }
            b.note("account-regional bucket names make the CLI send BucketNamespace=account-regional (context s3:x-amz-bucket-namespace); s3guard does not detect such names: add --context s3:x-amz-bucket-namespace=account-regional");
        }
        (Verb::Rb, Some(PathArg::S3 { bucket, .. }), _) => {
            let mut phase = 1;
            if o.force {
                b.list(
                    1,
                    &bucket,
                    "",
                    None,
                    &format!("every key of {bucket} (no delimiter)"),
                );
                for k in b.keys_under("") {
                    b.delete(2, &bucket, &k, "");
                }
                phase = 3;
                b.note("rb --force first runs `aws s3 rm --recursive` (one DeleteObject per key), then DeleteBucket only if every delete succeeded");
                b.note("versioned buckets: --force deletes only current versions (it adds delete markers); DeleteBucket then fails with BucketNotEmpty — not an IAM denial");
            }
            b.call(
                phase,
                "DeleteBucket",
                vec![req("s3:DeleteBucket", bkt(&bucket), Vec::new())],
                format!("deletes bucket {bucket} (it must be empty)"),
                true,
            );
        }
        (Verb::Website, Some(PathArg::S3 { bucket, .. }), _) => {
            let doc = o.index_document.clone().unwrap_or_else(|| "(none)".into());
            b.call(
                1,
                "PutBucketWebsite",
                vec![req("s3:PutBucketWebsite", bkt(&bucket), Vec::new())],
                format!("replaces the website configuration of {bucket} (index document {doc})"),
                true,
            );
            b.note("serving the site publicly also needs a bucket policy allowing s3:GetObject to \"*\" and Block Public Access off — not part of this command");
        }
        (Verb::Presign, Some(PathArg::S3 { bucket, key }), _) => {
            let expires = o.expires_in.unwrap_or(3600);
            let ctx = |age: u64| {
                vec![
                    single("s3:authType", "REST-QUERY-STRING"),
                    single("s3:signatureversion", "AWS4-HMAC-SHA256"),
                    single("s3:signatureAge", &age.to_string()),
                ]
            };
            b.calls.push(Call {
                phase: 1,
                api: "GetObject (presigned URL)".into(),
                requests: vec![req("s3:GetObject", obj(&bucket, &key), ctx(0))],
                effect: format!("whoever holds the URL reads s3://{bucket}/{key}, as the signer"),
                mutates: false,
                optional: None,
                caller: Caller::Principal,
            });
            b.calls.push(Call {
                phase: 1,
                api: "GetObject (presigned URL)".into(),
                requests: vec![req(
                    "s3:GetObject",
                    obj(&bucket, &key),
                    ctx(expires.saturating_mul(1000)),
                )],
                effect: format!(
                    "the same URL used {expires} s after signing, just before it expires"
                ),
                mutates: false,
                optional: Some(
                    "when the URL is used late (s3:signatureAge near --expires-in)".into(),
                ),
                caller: Caller::Principal,
            });
            b.note(format!("presign makes no request: the URL is signed locally (SigV4, expires in {expires} s, at most 604800). s3guard evaluates the GetObject made when the URL is used, as the signing principal"));
            b.note("a URL signed with temporary credentials (a role session) stops working when those credentials expire, even before --expires-in");
        }
        (Verb::Rm, Some(PathArg::S3 { bucket, key }), _) => {
            if o.recursive {
                let prefix = dir_prefix(&key);
                b.list(
                    1,
                    &bucket,
                    &prefix,
                    None,
                    &format!("every key under s3://{bucket}/{prefix}"),
                );
                for k in b.keys_under(&prefix) {
                    b.delete(2, &bucket, &k, "");
                }
                b.note("rm --recursive deletes with one DeleteObject per key (not the batch DeleteObjects call) [M]");
            } else {
                b.delete(1, &bucket, &key, " (also succeeds when no such key exists)");
            }
        }
        (Verb::Cp | Verb::Mv, Some(src), Some(dst)) => {
            super::transfers::transfer(&mut b, cmd.verb, &src, &dst)
        }
        (Verb::Sync, Some(src), Some(dst)) => super::transfers::sync(&mut b, &src, &dst),
        _ => {}
    }
    if o.dryrun {
        b.calls.retain(|c| !c.mutates && c.api != "GetObject");
        b.note("--dryrun: the CLI lists and prints what it would do; no transfer or delete is made [M]");
    }
    if !placeholder && !b.placeholder && b.rel_keys.as_slice() != keys {
        b.note("--keys is ignored: the command names its object key");
    }
    let keys = b.rel_keys.clone();
    Plan {
        calls: b.calls,
        notes: b.notes,
        keys,
        placeholder: b.placeholder,
    }
}
