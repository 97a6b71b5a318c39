//! Rails upload libraries as profiles: the operations Active Storage,
//! CarrierWave (fog-aws) and Shrine perform on S3, the IAM requests each one
//! makes (`shared/spec/aws-cli-s3-mapping.md` section 2), whether a policy
//! allows them, and what the policy grants beyond them (least privilege).

use serde::Serialize;

use super::grants::allowed_actions;
use super::outcome::{self, Outcome, Step};
use super::requests::{
    bkt, header_auth, list_context, obj, req, Call, Caller, IamRequest, Plan, PLACEHOLDER_KEY,
};
use crate::catalog::{AccessLevel, Destructive, Scope};
use crate::context::ContextValue;
use crate::policy_set::PolicySet;
use crate::request::Request;

/// The libraries s3guard knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum App {
    /// Rails Active Storage, S3 service.
    ActiveStorage,
    /// CarrierWave with fog-aws (`storage :fog`).
    Carrierwave,
    /// Shrine, `Shrine::Storage::S3`.
    Shrine,
}

impl App {
    /// Display name and source version.
    pub fn describe(self) -> &'static str {
        match self {
            App::ActiveStorage => "Active Storage (S3 service)",
            App::Carrierwave => "CarrierWave 3.1 with fog-aws",
            App::Shrine => "Shrine 3.8 (Shrine::Storage::S3)",
        }
    }

    /// Whether the library sets a public ACL unless told otherwise.
    pub fn public_by_default(self) -> bool {
        self == App::Carrierwave
    }
}

/// One library operation and its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct OperationResult {
    /// `upload`, `exists? (missing key)`, …
    pub name: String,
    /// Whether the library cannot work without it.
    pub required: bool,
    /// Whether every mandatory request is allowed.
    pub works: bool,
    /// The evaluated requests (optional ones included, marked).
    pub steps: Vec<Step>,
    /// What to know about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A grant the library does not need.
#[derive(Debug, Clone, Serialize)]
pub struct Excess {
    /// `s3:DeleteBucket`.
    pub action: String,
    /// Where (`*`, `arn:aws:s3:::other/*`).
    pub scope: String,
    /// Access level.
    pub access_level: String,
    /// Deletes or changes permissions.
    pub destructive: Option<Destructive>,
}

/// The answer for an app profile.
#[derive(Debug, Clone, Serialize)]
pub struct AppReport {
    /// The library.
    pub library: String,
    /// The bucket.
    pub bucket: String,
    /// Configured public.
    pub public: bool,
    /// The key prefixes assumed.
    pub keys: Vec<String>,
    /// Every required operation works.
    pub works: bool,
    /// The operations.
    pub operations: Vec<OperationResult>,
    /// The actions the library needs (on the app's bucket and prefix).
    pub needed: Vec<String>,
    /// What the policies grant beyond that, destructive first.
    pub excess: Vec<Excess>,
    /// Things to know.
    pub notes: Vec<String>,
}

struct Op {
    name: String,
    required: bool,
    calls: Vec<Call>,
    note: Option<String>,
}

fn call(
    phase: u32,
    api: &str,
    requests: Vec<IamRequest>,
    effect: &str,
    caller: Caller,
    auth: &str,
) -> Call {
    let requests = requests
        .into_iter()
        .map(|mut r| {
            match (caller, auth) {
                (Caller::Anonymous, _) => {}
                (_, "header") => r.context.extend(header_auth()),
                (_, a) => {
                    r.context
                        .push(("s3:authType".into(), ContextValue::Single(a.into())));
                    r.context.push((
                        "s3:signatureversion".into(),
                        ContextValue::Single("AWS4-HMAC-SHA256".into()),
                    ));
                }
            }
            r
        })
        .collect();
    Call {
        phase,
        api: api.into(),
        requests,
        effect: effect.into(),
        mutates: api.starts_with("Put") || api.starts_with("Delete") || api.starts_with("Copy"),
        optional: None,
        caller,
    }
}

fn acl_ctx(acl: Option<&str>) -> Vec<(String, ContextValue)> {
    acl.map(|a| {
        vec![(
            "s3:x-amz-acl".to_string(),
            ContextValue::Single(a.to_string()),
        )]
    })
    .unwrap_or_default()
}

fn put(b: &str, k: &str, acl: Option<&str>) -> Vec<IamRequest> {
    let mut v = vec![req("s3:PutObject", obj(b, k), acl_ctx(acl))];
    if acl.is_some() {
        v.push(req("s3:PutObjectAcl", obj(b, k), acl_ctx(acl)));
    }
    v
}

fn op(name: &str, required: bool, calls: Vec<Call>, note: Option<&str>) -> Op {
    Op {
        name: name.into(),
        required,
        calls,
        note: note.map(str::to_string),
    }
}

fn optional(mut c: Call, when: &str) -> Call {
    c.optional = Some(when.into());
    c
}

const MISSING_KEY: &str = "without s3:ListBucket S3 answers 403 for a missing key and the client raises instead of returning false";

fn common_reads(b: &str, store: &str, ops: &mut Vec<Op>, exists_name: &str) {
    ops.push(op(
        &format!("{exists_name} (existing key)"),
        true,
        vec![call(
            1,
            "HeadObject",
            vec![req("s3:GetObject", obj(b, store), vec![])],
            "checks the object",
            Caller::Principal,
            "header",
        )],
        None,
    ));
    ops.push(op(
        &format!("{exists_name} (missing key → false)"),
        true,
        vec![call(
            1,
            "HeadObject",
            vec![
                req("s3:GetObject", obj(b, store), vec![]),
                req("s3:ListBucket", bkt(b), vec![]),
            ],
            "gets 404 Not Found for a missing key",
            Caller::Principal,
            "header",
        )],
        Some(MISSING_KEY),
    ));
}

fn url_ops(b: &str, k: &str, public: bool, ops: &mut Vec<Op>, library_note: &str) {
    if public {
        ops.push(op(
            "url (public: plain URL, read by anyone)",
            false,
            vec![call(1, "GetObject (anonymous)", vec![req("s3:GetObject", obj(b, k), vec![])], "anyone reads the object", Caller::Anonymous, "header")],
            Some(&format!("anonymous reads work through a public-read object ACL (ACLs enabled; not modelled by s3guard) or a bucket policy allowing \"*\"; {library_note}")),
        ));
    } else {
        ops.push(op(
            "url (private: presigned GET)",
            true,
            vec![call(
                1,
                "GetObject (presigned URL)",
                vec![req("s3:GetObject", obj(b, k), vec![])],
                "the URL's holder reads the object as the app",
                Caller::Principal,
                "REST-QUERY-STRING",
            )],
            None,
        ));
    }
}

fn operations(
    app: App,
    b: &str,
    prefix: Option<&str>,
    public: bool,
) -> (Vec<Op>, Vec<String>, Vec<String>) {
    let mut ops = Vec::new();
    let mut notes = Vec::new();
    let (store_p, cache_p) = match (app, prefix) {
        (_, Some(p)) => (p.to_string(), p.to_string()),
        (App::ActiveStorage, None) => (String::new(), String::new()),
        (App::Carrierwave, None) => ("uploads/".into(), "uploads/tmp/".into()),
        (App::Shrine, None) => ("store/".into(), "cache/".into()),
    };
    let store = format!("{store_p}{PLACEHOLDER_KEY}");
    let cache = format!("{cache_p}{PLACEHOLDER_KEY}");
    let acl = if public { Some("public-read") } else { None };
    let abort = |k: &str, when: &str| {
        optional(
            call(
                1,
                "AbortMultipartUpload",
                vec![req("s3:AbortMultipartUpload", obj(b, k), vec![])],
                "cleans up a failed multipart upload",
                Caller::Principal,
                "header",
            ),
            when,
        )
    };
    match app {
        App::ActiveStorage => {
            ops.push(op(
                "upload",
                true,
                vec![
                    call(
                        1,
                        "PutObject",
                        put(b, &store, acl),
                        "stores the file",
                        Caller::Principal,
                        "header",
                    ),
                    abort(
                        &store,
                        "multipart uploads (≥ 100 MiB, upload: multipart_threshold) that fail",
                    ),
                ],
                None,
            ));
            ops.push(op(
                "download / streaming download",
                true,
                vec![call(
                    1,
                    "GetObject",
                    vec![req("s3:GetObject", obj(b, &store), vec![])],
                    "reads the file (HeadObject + ranged GetObject when streaming)",
                    Caller::Principal,
                    "header",
                )],
                None,
            ));
            common_reads(b, &store, &mut ops, "exist?");
            ops.push(op(
                "delete",
                true,
                vec![call(
                    1,
                    "DeleteObject",
                    vec![req("s3:DeleteObject", obj(b, &store), vec![])],
                    "deletes the file",
                    Caller::Principal,
                    "header",
                )],
                None,
            ));
            let vp = format!("{store_p}variants/{PLACEHOLDER_KEY}/");
            ops.push(op(
                "delete_prefixed (variants, previews)",
                true,
                vec![
                    call(
                        1,
                        "ListObjectsV2",
                        vec![req("s3:ListBucket", bkt(b), list_context(&vp, None, None))],
                        "lists the variants",
                        Caller::Principal,
                        "header",
                    ),
                    call(
                        2,
                        "DeleteObjects",
                        vec![req(
                            "s3:DeleteObject",
                            obj(b, &format!("{vp}{PLACEHOLDER_KEY}")),
                            vec![],
                        )],
                        "deletes each variant (batch delete: s3:DeleteObject per key)",
                        Caller::Principal,
                        "header",
                    ),
                ],
                None,
            ));
            ops.push(op(
                "direct upload (url_for_direct_upload, presigned PUT)",
                true,
                vec![call(
                    1,
                    "PutObject (presigned URL)",
                    put(b, &store, acl),
                    "the browser uploads as the app",
                    Caller::Principal,
                    "REST-QUERY-STRING",
                )],
                Some("the browser's PUT also needs a CORS rule on the bucket (not IAM)"),
            ));
            url_ops(b, &store, public, &mut ops, "Active Storage public: true");
            ops.push(op(
                "compose",
                false,
                vec![
                    call(
                        1,
                        "GetObject",
                        vec![req("s3:GetObject", obj(b, &store), vec![])],
                        "reads each source blob",
                        Caller::Principal,
                        "header",
                    ),
                    call(
                        2,
                        "PutObject",
                        put(b, &store, acl),
                        "writes the composed blob (multipart)",
                        Caller::Principal,
                        "header",
                    ),
                ],
                Some("only when the app calls ActiveStorage::Blob.compose"),
            ));
            notes.push("Rails guide: core features need s3:ListBucket, s3:PutObject, s3:GetObject, s3:DeleteObject; public access also s3:PutObjectAcl".into());
        }
        App::Carrierwave => {
            let acl_value = if public { "public-read" } else { "private" };
            let up = |k: &str| put(b, k, Some(acl_value));
            ops.push(op("store! / cache! (upload)", true, vec![call(1, "PutObject", up(&store), "stores the file with an x-amz-acl header", Caller::Principal, "header"), abort(&store, "multipart uploads (body ≥ max_put_chunk_size, 5 GiB) that fail")], Some("fog always sends x-amz-acl (public-read with fog_public, else private), so s3:PutObjectAcl is needed either way")));
            common_reads(b, &store, &mut ops, "exists? / size");
            ops.push(op(
                "read",
                true,
                vec![call(
                    1,
                    "GetObject",
                    vec![req("s3:GetObject", obj(b, &store), vec![])],
                    "HeadObject then GetObject",
                    Caller::Principal,
                    "header",
                )],
                None,
            ));
            ops.push(op(
                "delete / remove!",
                true,
                vec![call(
                    1,
                    "DeleteObject",
                    vec![req("s3:DeleteObject", obj(b, &store), vec![])],
                    "deletes the file",
                    Caller::Principal,
                    "header",
                )],
                None,
            ));
            url_ops(b, &store, public, &mut ops, "CarrierWave fog_public");
            let mut mv = vec![req("s3:GetObject", obj(b, &cache), vec![])];
            mv.extend(up(&store).into_iter().map(|mut r| {
                r.context.push((
                    "s3:x-amz-copy-source".into(),
                    ContextValue::Single(format!("{b}/{cache}")),
                ));
                r
            }));
            ops.push(op(
                "move_to (cache → store)",
                true,
                vec![
                    call(
                        1,
                        "CopyObject",
                        mv,
                        "copies the cached file to its store path",
                        Caller::Principal,
                        "header",
                    ),
                    call(
                        2,
                        "DeleteObject",
                        vec![req("s3:DeleteObject", obj(b, &cache), vec![])],
                        "deletes the cached copy",
                        Caller::Principal,
                        "header",
                    ),
                ],
                None,
            ));
            let cp = cache_p.trim_end_matches('/').to_string();
            ops.push(op(
                "clean_cached_files!",
                true,
                vec![
                    call(
                        1,
                        "ListObjects",
                        vec![req("s3:ListBucket", bkt(b), list_context(&cp, None, None))],
                        "lists the cache directory",
                        Caller::Principal,
                        "header",
                    ),
                    call(
                        2,
                        "DeleteObject",
                        vec![req("s3:DeleteObject", obj(b, &cache), vec![])],
                        "deletes each old cached file",
                        Caller::Principal,
                        "header",
                    ),
                ],
                None,
            ));
            notes.push("direct browser uploads are not part of CarrierWave core (the carrierwave_direct gem uses presigned POST forms)".into());
            notes.push("a fog_acl = false option (carrierwave PR #2811) stops sending the ACL header; it is not in 3.1.2 [M]".into());
        }
        App::Shrine => {
            ops.push(op(
                "upload",
                true,
                vec![
                    call(
                        1,
                        "PutObject",
                        put(b, &store, acl),
                        "stores the file",
                        Caller::Principal,
                        "header",
                    ),
                    abort(
                        &store,
                        "multipart uploads (≥ 15 MiB or unknown size) that fail",
                    ),
                ],
                None,
            ));
            let mut promote = vec![req("s3:GetObject", obj(b, &cache), vec![])];
            promote.extend(put(b, &store, acl).into_iter().map(|mut r| {
                r.context.push((
                    "s3:x-amz-copy-source".into(),
                    ContextValue::Single(format!("{b}/{cache}")),
                ));
                r.context.push((
                    "s3:x-amz-metadata-directive".into(),
                    ContextValue::Single("REPLACE".into()),
                ));
                r
            }));
            ops.push(op(
                "promote (copy cache → store)",
                true,
                vec![call(
                    1,
                    "CopyObject",
                    promote,
                    "copies the cached file to store",
                    Caller::Principal,
                    "header",
                )],
                None,
            ));
            ops.push(op(
                "open / download",
                true,
                vec![call(
                    1,
                    "GetObject",
                    vec![req("s3:GetObject", obj(b, &store), vec![])],
                    "reads the file",
                    Caller::Principal,
                    "header",
                )],
                None,
            ));
            common_reads(b, &store, &mut ops, "exists?");
            ops.push(op(
                "delete",
                true,
                vec![call(
                    1,
                    "DeleteObject",
                    vec![req("s3:DeleteObject", obj(b, &store), vec![])],
                    "deletes the file",
                    Caller::Principal,
                    "header",
                )],
                None,
            ));
            ops.push(op(
                "delete_prefixed / clear!",
                true,
                vec![
                    call(
                        1,
                        "ListObjectsV2",
                        vec![req(
                            "s3:ListBucket",
                            bkt(b),
                            list_context(&cache_p, None, None),
                        )],
                        "lists the prefix",
                        Caller::Principal,
                        "header",
                    ),
                    call(
                        2,
                        "DeleteObjects",
                        vec![req("s3:DeleteObject", obj(b, &cache), vec![])],
                        "deletes each key (batches of 1000, s3:DeleteObject per key)",
                        Caller::Principal,
                        "header",
                    ),
                ],
                None,
            ));
            url_ops(b, &store, public, &mut ops, "Shrine public: true");
            ops.push(op("presign (direct upload, POST form)", true, vec![call(1, "PostObject (presigned form)", put(b, &cache, acl), "the browser uploads to cache as the app", Caller::Principal, "POST")], Some("s3:authType = POST for browser form uploads [M]; presign(method: :put) uses REST-QUERY-STRING")));
        }
    }
    if public {
        notes.push("public uploads set x-amz-acl: public-read; buckets with ACLs disabled (Object Ownership = bucket owner enforced, the default since April 2023) reject them with AccessControlListNotSupported — not an IAM denial".into());
    }
    (ops, vec![store, cache], notes)
}

fn in_app_scope(arn: &str, bucket: &str, prefix: Option<&str>) -> bool {
    let Some(rest) = arn.strip_prefix("arn:aws:s3:::") else {
        return false;
    };
    match rest.split_once('/') {
        None => rest == bucket,
        Some((b, k)) => b == bucket && prefix.is_none_or(|p| k.starts_with(p)),
    }
}

/// Checks a library profile against the policies for the caller of `base`.
/// `public`: the library's public setting (`None`: its default).
pub fn check(
    set: &PolicySet,
    base: &Request,
    app: App,
    bucket: &str,
    prefix: Option<&str>,
    public: Option<bool>,
) -> AppReport {
    let public = public.unwrap_or(app.public_by_default());
    let (ops, keys, mut notes) = operations(app, bucket, prefix, public);
    let mut results = Vec::new();
    let mut needed: Vec<String> = Vec::new();
    for o in ops {
        for c in &o.calls {
            if c.caller == Caller::Principal {
                for r in &c.requests {
                    if !needed.contains(&r.action) {
                        needed.push(r.action.clone());
                    }
                }
            }
        }
        let plan = Plan {
            calls: o.calls,
            notes: Vec::new(),
            keys: Vec::new(),
            placeholder: true,
        };
        let rep = outcome::evaluate(set, base, &plan);
        let works = rep.outcome == Outcome::Succeeds;
        let mut steps = rep.steps;
        steps.extend(rep.optional_steps);
        results.push(OperationResult {
            name: o.name,
            required: o.required,
            works,
            steps,
            note: o.note,
        });
    }
    needed.sort();
    let mut excess = Vec::new();
    for g in allowed_actions(set, base, None) {
        let is_needed = needed.contains(&g.action);
        let mut scopes: Vec<String> = Vec::new();
        for r in &g.allowed_on {
            if is_needed && in_app_scope(&r.arn, bucket, prefix) {
                continue;
            }
            let s = if r.scopes.is_empty() {
                r.arn.clone()
            } else {
                r.scopes.join(", ")
            };
            if !scopes.contains(&s) {
                scopes.push(s);
            }
        }
        if !scopes.is_empty() {
            excess.push(Excess {
                action: g.action.clone(),
                scope: scopes.join("; "),
                access_level: g.access_level.clone(),
                destructive: g.destructive.clone(),
            });
        }
    }
    let rank = |e: &Excess| -> (u8, u8, usize) {
        let d = match e.destructive.as_ref().map(|d| d.scope) {
            Some(Scope::Account) => 0,
            Some(Scope::Bucket) => 1,
            Some(Scope::Other) => 2,
            Some(Scope::Object) => 3,
            None => 4,
        };
        let level = AccessLevel::REPORT_ORDER
            .iter()
            .position(|l| l.as_str() == e.access_level)
            .unwrap_or(5);
        (d, u8::try_from(level).unwrap_or(5), 0)
    };
    excess.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.action.cmp(&b.action)));
    let mut shown = keys.clone();
    shown.dedup();
    notes.insert(0, format!("keys: {PLACEHOLDER_KEY} stands for the keys the library generates ({}); --prefix changes where they live", shown.join(", ")));
    let works = results.iter().filter(|r| r.required).all(|r| r.works);
    AppReport {
        library: app.describe().to_string(),
        bucket: bucket.to_string(),
        public,
        keys,
        works,
        operations: results,
        needed,
        excess,
        notes,
    }
}
