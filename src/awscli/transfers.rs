//! The transfer commands (`cp`, `mv`, `sync`) expanded into calls
//! (`docs/can-run.md`, the cp, mv and sync rows).

use super::command::{PathArg, Verb};
use super::requests::{basename, bkt, dir_prefix, req, Builder};

/// `cp` and `mv`: uploads, downloads and copies between buckets.
pub(super) fn transfer(b: &mut Builder<'_>, verb: Verb, src: &PathArg, dst: &PathArg) {
    let recursive = b.cmd.options.recursive;
    let mv = verb == Verb::Mv;
    match (src, dst) {
        (PathArg::Local(file), PathArg::S3 { bucket, key }) => {
            if recursive {
                let prefix = dir_prefix(key);
                for k in b.keys_under(&prefix) {
                    let rel = k.strip_prefix(&prefix).unwrap_or(&k).to_string();
                    b.upload(
                        1,
                        bucket,
                        &k,
                        &format!("{}/{rel}", file.trim_end_matches('/')),
                    );
                }
            } else {
                let k = if key.is_empty() || key.ends_with('/') {
                    format!("{key}{}", basename(file))
                } else {
                    key.clone()
                };
                b.upload(1, bucket, &k, file);
                b.rel_keys = vec![k];
                b.placeholder = false;
            }
            if mv {
                b.note("mv deletes the local file after the upload (no extra S3 request)");
            }
        }
        (PathArg::S3 { bucket, key }, PathArg::Local(_)) => {
            if recursive {
                let prefix = dir_prefix(key);
                b.list(
                    1,
                    bucket,
                    &prefix,
                    None,
                    &format!("every key under s3://{bucket}/{prefix}"),
                );
                for k in b.keys_under(&prefix) {
                    b.download(2, bucket, &k, "");
                    if mv {
                        b.delete(3, bucket, &k, " (mv: after its download)");
                    }
                }
            } else {
                b.rel_keys = vec![key.clone()];
                b.placeholder = false;
                b.head(1, bucket, key);
                b.call(1, "HeadObject (missing key)", vec![req("s3:ListBucket", bkt(bucket), Vec::new())], format!("lets S3 answer 404 Not Found instead of 403 Access Denied when s3://{bucket}/{key} does not exist"), false);
                b.optional("only matters when the key does not exist: without s3:ListBucket S3 answers 403 instead of 404");
                b.download(2, bucket, key, "");
                if mv {
                    b.delete(3, bucket, key, " (mv: after the download)");
                }
            }
            b.note("SSE-KMS encrypted objects also need kms:Decrypt on their key — outside the S3 catalog, not evaluated [M]");
        }
        (
            PathArg::S3 {
                bucket: sb,
                key: sk,
            },
            PathArg::S3 {
                bucket: db,
                key: dk,
            },
        ) => {
            if recursive {
                let sp = dir_prefix(sk);
                let dp = dir_prefix(dk);
                b.list(1, sb, &sp, None, &format!("every key under s3://{sb}/{sp}"));
                for rel in b.rel_keys.clone() {
                    let (s, d) = (format!("{sp}{rel}"), format!("{dp}{rel}"));
                    b.copy(2, sb, &s, db, &d);
                    if mv {
                        b.delete(3, sb, &s, " (mv: after its copy)");
                    }
                }
            } else {
                let d = if dk.is_empty() || dk.ends_with('/') {
                    format!("{dk}{}", basename(sk))
                } else {
                    dk.clone()
                };
                b.rel_keys = vec![sk.clone()];
                b.placeholder = false;
                b.head(1, sb, sk);
                b.copy(2, sb, sk, db, &d);
                if mv {
                    b.delete(3, sb, sk, " (mv: after the copy)");
                }
            }
            if mv
                && b.cmd
                    .options
                    .ignored
                    .iter()
                    .any(|i| i == "--validate-same-s3-paths")
            {
                b.note("--validate-same-s3-paths also calls s3control:GetAccessPoint / GetMultiRegionAccessPoint and sts:GetCallerIdentity for access-point paths (not evaluated)");
            }
        }
        (PathArg::Local(_), PathArg::Local(_)) => {}
    }
}

/// `sync` in its three directions.
pub(super) fn sync(b: &mut Builder<'_>, src: &PathArg, dst: &PathArg) {
    let delete = b.cmd.options.delete;
    match (src, dst) {
        (PathArg::Local(dir), PathArg::S3 { bucket, key }) => {
            let prefix = dir_prefix(key);
            b.list(
                1,
                bucket,
                &prefix,
                None,
                &format!("every key under s3://{bucket}/{prefix}, to compare"),
            );
            for k in b.keys_under(&prefix) {
                let rel = k.strip_prefix(&prefix).unwrap_or(&k).to_string();
                b.upload(
                    2,
                    bucket,
                    &k,
                    &format!("{}/{rel}", dir.trim_end_matches('/')),
                );
                if delete {
                    b.delete(2, bucket, &k, " (--delete: the key has no local file)");
                    b.optional("with --delete, for keys under the prefix that have no local file");
                }
            }
        }
        (PathArg::S3 { bucket, key }, PathArg::Local(_)) => {
            let prefix = dir_prefix(key);
            b.list(
                1,
                bucket,
                &prefix,
                None,
                &format!("every key under s3://{bucket}/{prefix}, to compare"),
            );
            for k in b.keys_under(&prefix) {
                b.download(2, bucket, &k, " (new or changed)");
            }
            if delete {
                b.note("sync --delete from S3 removes local files only; no S3 request");
            }
        }
        (
            PathArg::S3 {
                bucket: sb,
                key: sk,
            },
            PathArg::S3 {
                bucket: db,
                key: dk,
            },
        ) => {
            let (sp, dp) = (dir_prefix(sk), dir_prefix(dk));
            b.list(1, sb, &sp, None, &format!("every key under s3://{sb}/{sp}"));
            b.list(
                1,
                db,
                &dp,
                None,
                &format!("every key under s3://{db}/{dp}, to compare"),
            );
            for rel in b.rel_keys.clone() {
                let (s, d) = (format!("{sp}{rel}"), format!("{dp}{rel}"));
                b.copy(2, sb, &s, db, &d);
                if delete {
                    b.delete(2, db, &d, " (--delete: the key is not in the source)");
                    b.optional("with --delete, for destination keys missing from the source");
                }
            }
        }
        (PathArg::Local(_), PathArg::Local(_)) => {}
    }
}
