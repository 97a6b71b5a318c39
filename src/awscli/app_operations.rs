//! What Active Storage, CarrierWave (fog-aws) and Shrine do on S3, operation
//! by operation, as API calls (`docs/can-run.md` section "Rails upload libraries":
//! AS `s3_service.rb`, CW `storage/fog.rb` + fog-aws, SH `storage/s3.rb`).

use super::apps::App;
use super::requests::{
    bkt, header_auth, list_context, obj, req, Call, Caller, IamRequest, PLACEHOLDER_KEY,
};
use crate::request::context::ContextValue;

/// One operation of a library and the calls it makes.
pub(super) struct Op {
    pub(super) name: String,
    pub(super) required: bool,
    pub(super) calls: Vec<Call>,
    pub(super) note: Option<String>,
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

/// A required operation that makes one call, `api`, on the stored object, as
/// the principal with header auth; the IAM action is `s3:` + `api`.
fn store_op(b: &str, store: &str, name: &str, api: &str, effect: &str) -> Op {
    op(
        name,
        true,
        vec![call(
            1,
            api,
            vec![req(&format!("s3:{api}"), obj(b, store), vec![])],
            effect,
            Caller::Principal,
            "header",
        )],
        None,
    )
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

/// The operations of a library on bucket `b`: (operations, key patterns, notes).
pub(super) fn operations(
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
    // "upload": PutObject of the stored object, and the abort of a failed
    // multipart upload, which the library starts `multipart_when`.
    let upload = |multipart_when: &str| {
        op(
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
                abort(&store, multipart_when),
            ],
            None,
        )
    };
    match app {
        App::ActiveStorage => {
            ops.push(upload(
                "multipart uploads (≥ 100 MiB, upload: multipart_threshold) that fail",
            ));
            ops.push(store_op(
                b,
                &store,
                "download / streaming download",
                "GetObject",
                "reads the file (HeadObject + ranged GetObject when streaming)",
            ));
            common_reads(b, &store, &mut ops, "exist?");
            ops.push(store_op(
                b,
                &store,
                "delete",
                "DeleteObject",
                "deletes the file",
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
            ops.push(store_op(
                b,
                &store,
                "read",
                "GetObject",
                "HeadObject then GetObject",
            ));
            ops.push(store_op(
                b,
                &store,
                "delete / remove!",
                "DeleteObject",
                "deletes the file",
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
            ops.push(upload(
                "multipart uploads (≥ 15 MiB or unknown size) that fail",
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
            ops.push(store_op(
                b,
                &store,
                "open / download",
                "GetObject",
                "reads the file",
            ));
            common_reads(b, &store, &mut ops, "exists?");
            ops.push(store_op(
                b,
                &store,
                "delete",
                "DeleteObject",
                "deletes the file",
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
