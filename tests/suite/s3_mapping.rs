//! Every row of the `aws s3` command table (docs/can-run.md, "How commands
//! become requests"): the command expands into exactly the IAM requests the
//! row lists (action, resource, notable context keys), mandatory and
//! optional apart.

use s3guard::awscli::command::parse;
use s3guard::awscli::requests::{expand, Plan};

/// `ACTION RESOURCE k=v …` per request; `(mandatory, optional)`.
fn lines(plan: &Plan) -> (Vec<String>, Vec<String>) {
    let mut mandatory = Vec::new();
    let mut optional = Vec::new();
    for c in &plan.calls {
        for r in &c.requests {
            let mut s = format!("{} {}", r.action, r.resource);
            for (k, v) in &r.context {
                let shown = v.to_string();
                if (k == "s3:authType" && shown == "\"REST-HEADER\"") || k == "s3:signatureversion"
                {
                    continue;
                }
                s.push_str(&format!(" {k}={shown}"));
            }
            if c.optional.is_some() {
                optional.push(s);
            } else {
                mandatory.push(s);
            }
        }
    }
    (mandatory, optional)
}

fn rows(cmd: &str, keys: &[&str]) -> (Vec<String>, Vec<String>, Plan) {
    let c = parse(cmd).unwrap_or_else(|e| panic!("{cmd}: {e:?}"));
    let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    let plan = expand(&c, &keys, None);
    let (m, o) = lines(&plan);
    (m, o, plan)
}

fn check(cmd: &str, keys: &[&str], mandatory: &[&str], optional: &[&str]) -> Plan {
    let (m, o, plan) = rows(cmd, keys);
    assert_eq!(m, mandatory, "mandatory requests of `{cmd}`");
    assert_eq!(o, optional, "optional requests of `{cmd}`");
    plan
}

const ABORT: &str = "s3:AbortMultipartUpload";

#[test]
fn mapping_ls_without_bucket_is_list_all_my_buckets_on_star() {
    check("aws s3 ls", &[], &["s3:ListAllMyBuckets *"], &[]);
}

#[test]
fn mapping_ls_bucket_sends_empty_prefix_and_slash_delimiter() {
    let p = check(
        "aws s3 ls s3://b",
        &[],
        &[r#"s3:ListBucket arn:aws:s3:::b s3:prefix="" s3:delimiter="/""#],
        &[],
    );
    assert!(p.notes.iter().any(|n| n.contains("[M")), "{:?}", p.notes);
}

#[test]
fn mapping_ls_prefix_and_recursive_drops_the_delimiter() {
    check(
        "aws s3 ls s3://b/logs/2024",
        &[],
        &[r#"s3:ListBucket arn:aws:s3:::b s3:prefix="logs/2024" s3:delimiter="/""#],
        &[],
    );
    check(
        "aws s3 ls s3://b/logs/ --recursive --page-size 100",
        &[],
        &[r#"s3:ListBucket arn:aws:s3:::b s3:prefix="logs/" s3:max-keys="100""#],
        &[],
    );
}

#[test]
fn mapping_mb_with_region_and_tags_notes_the_l_row() {
    let c = parse("aws s3 mb s3://nb --tags team web").unwrap();
    let plan = expand(&c, &[], Some("eu-west-1"));
    let (m, o) = lines(&plan);
    assert_eq!(
        m,
        [
            r#"s3:CreateBucket arn:aws:s3:::nb s3:locationconstraint="eu-west-1" aws:TagKeys=["team"] aws:RequestTag/team="web""#
        ]
    );
    assert_eq!(o, ["s3:TagResource arn:aws:s3:::nb"]);
    assert!(plan
        .notes
        .iter()
        .any(|n| n.contains("[L]") && n.contains("s3:TagResource")));
    let us = expand(&parse("aws s3 mb s3://nb").unwrap(), &[], Some("us-east-1"));
    assert_eq!(lines(&us).0, ["s3:CreateBucket arn:aws:s3:::nb"]);
}

#[test]
fn mapping_rb_and_rb_force() {
    check(
        "aws s3 rb s3://b",
        &[],
        &["s3:DeleteBucket arn:aws:s3:::b"],
        &[],
    );
    let p = check(
        "aws s3 rb s3://b --force",
        &["a.txt", "d/b.txt"],
        &[
            r#"s3:ListBucket arn:aws:s3:::b s3:prefix="""#,
            "s3:DeleteObject arn:aws:s3:::b/a.txt",
            "s3:DeleteObject arn:aws:s3:::b/d/b.txt",
            "s3:DeleteBucket arn:aws:s3:::b",
        ],
        &[],
    );
    let phases: Vec<u32> = p.calls.iter().map(|c| c.phase).collect();
    assert_eq!(phases, [1, 2, 2, 3]);
    assert!(p.notes.iter().any(|n| n.contains("BucketNotEmpty")));
}

#[test]
fn mapping_cp_upload_with_every_option() {
    check(
        "aws s3 cp ./a.txt s3://b/k.txt --acl public-read --sse aws:kms --sse-kms-key-id arn:aws:kms:us-east-1:111122223333:key/k --storage-class GLACIER --no-overwrite",
        &[],
        &[
            r#"s3:PutObject arn:aws:s3:::b/k.txt s3:x-amz-acl="public-read" s3:x-amz-server-side-encryption="aws:kms" s3:x-amz-server-side-encryption-aws-kms-key-id="arn:aws:kms:us-east-1:111122223333:key/k" s3:x-amz-storage-class="GLACIER" s3:if-none-match="*""#,
            r#"s3:PutObjectAcl arn:aws:s3:::b/k.txt s3:x-amz-acl="public-read" s3:x-amz-server-side-encryption="aws:kms" s3:x-amz-server-side-encryption-aws-kms-key-id="arn:aws:kms:us-east-1:111122223333:key/k" s3:x-amz-storage-class="GLACIER" s3:if-none-match="*""#,
        ],
        &[&format!("{ABORT} arn:aws:s3:::b/k.txt")],
    );
    // A destination ending in `/` gets the file's name.
    check(
        "aws s3 cp dir/a.txt s3://b/in/ --sse",
        &[],
        &[r#"s3:PutObject arn:aws:s3:::b/in/a.txt s3:x-amz-server-side-encryption="AES256""#],
        &[&format!("{ABORT} arn:aws:s3:::b/in/a.txt")],
    );
}

#[test]
fn mapping_cp_download_head_then_get_and_the_404_subtlety() {
    check(
        "aws s3 cp s3://b/k.txt ./k.txt",
        &[],
        &[
            "s3:GetObject arn:aws:s3:::b/k.txt",
            "s3:GetObject arn:aws:s3:::b/k.txt",
        ],
        &["s3:ListBucket arn:aws:s3:::b"],
    );
    check(
        "aws s3 cp s3://b/p ./d --recursive",
        &["x", "y/z"],
        &[
            r#"s3:ListBucket arn:aws:s3:::b s3:prefix="p/""#,
            "s3:GetObject arn:aws:s3:::b/p/x",
            "s3:GetObject arn:aws:s3:::b/p/y/z",
        ],
        &[],
    );
}

#[test]
fn mapping_cp_between_buckets_is_get_plus_put_with_copy_source() {
    let p = check(
        "aws s3 cp s3://sb/sk s3://db/dk --acl bucket-owner-full-control",
        &[],
        &[
            "s3:GetObject arn:aws:s3:::sb/sk",
            "s3:GetObject arn:aws:s3:::sb/sk",
            r#"s3:PutObject arn:aws:s3:::db/dk s3:x-amz-acl="bucket-owner-full-control" s3:x-amz-copy-source="sb/sk""#,
            r#"s3:PutObjectAcl arn:aws:s3:::db/dk s3:x-amz-acl="bucket-owner-full-control" s3:x-amz-copy-source="sb/sk""#,
        ],
        &[
            "s3:GetObjectTagging arn:aws:s3:::sb/sk",
            "s3:PutObjectTagging arn:aws:s3:::db/dk",
        ],
    );
    assert!(
        p.notes.iter().any(|n| n.contains("[L]")),
        "the [L] row becomes a note"
    );
    check(
        "aws s3 cp s3://sb/sk s3://db/dk --copy-props none",
        &[],
        &[
            "s3:GetObject arn:aws:s3:::sb/sk",
            "s3:GetObject arn:aws:s3:::sb/sk",
            r#"s3:PutObject arn:aws:s3:::db/dk s3:x-amz-copy-source="sb/sk""#,
        ],
        &[],
    );
    check(
        "aws s3 cp s3://sb/p s3://db/q --recursive --copy-props none",
        &["a"],
        &[
            r#"s3:ListBucket arn:aws:s3:::sb s3:prefix="p/""#,
            "s3:GetObject arn:aws:s3:::sb/p/a",
            r#"s3:PutObject arn:aws:s3:::db/q/a s3:x-amz-copy-source="sb/p/a""#,
        ],
        &[],
    );
}

#[test]
fn mapping_mv_adds_delete_of_the_source() {
    check(
        "aws s3 mv ./a s3://b/a",
        &[],
        &["s3:PutObject arn:aws:s3:::b/a"],
        &[&format!("{ABORT} arn:aws:s3:::b/a")],
    );
    check(
        "aws s3 mv s3://b/a ./a",
        &[],
        &[
            "s3:GetObject arn:aws:s3:::b/a",
            "s3:GetObject arn:aws:s3:::b/a",
            "s3:DeleteObject arn:aws:s3:::b/a",
        ],
        &["s3:ListBucket arn:aws:s3:::b"],
    );
    let (m, _, _) = rows("aws s3 mv s3://sb/a s3://db/a --copy-props none", &[]);
    assert_eq!(
        m.last().map(String::as_str),
        Some("s3:DeleteObject arn:aws:s3:::sb/a")
    );
}

#[test]
fn mapping_rm_single_and_recursive() {
    check(
        "aws s3 rm s3://b/k",
        &[],
        &["s3:DeleteObject arn:aws:s3:::b/k"],
        &[],
    );
    check(
        "aws s3 rm s3://b/logs --recursive",
        &["1.gz"],
        &[
            r#"s3:ListBucket arn:aws:s3:::b s3:prefix="logs/""#,
            "s3:DeleteObject arn:aws:s3:::b/logs/1.gz",
        ],
        &[],
    );
}

#[test]
fn mapping_sync_three_directions_and_delete_is_optional() {
    check(
        "aws s3 sync ./site s3://b/www --delete",
        &["index.html"],
        &[
            r#"s3:ListBucket arn:aws:s3:::b s3:prefix="www/""#,
            "s3:PutObject arn:aws:s3:::b/www/index.html",
        ],
        &[
            &format!("{ABORT} arn:aws:s3:::b/www/index.html"),
            "s3:DeleteObject arn:aws:s3:::b/www/index.html",
        ],
    );
    check(
        "aws s3 sync s3://b/www ./site --delete",
        &["i"],
        &[
            r#"s3:ListBucket arn:aws:s3:::b s3:prefix="www/""#,
            "s3:GetObject arn:aws:s3:::b/www/i",
        ],
        &[],
    );
    check(
        "aws s3 sync s3://sb s3://db --delete --copy-props none",
        &["k"],
        &[
            r#"s3:ListBucket arn:aws:s3:::sb s3:prefix="""#,
            r#"s3:ListBucket arn:aws:s3:::db s3:prefix="""#,
            "s3:GetObject arn:aws:s3:::sb/k",
            r#"s3:PutObject arn:aws:s3:::db/k s3:x-amz-copy-source="sb/k""#,
        ],
        &["s3:DeleteObject arn:aws:s3:::db/k"],
    );
}

#[test]
fn mapping_presign_is_evaluated_when_used_with_query_string_auth() {
    check(
        "aws s3 presign s3://b/k --expires-in 60",
        &[],
        &[r#"s3:GetObject arn:aws:s3:::b/k s3:authType="REST-QUERY-STRING" s3:signatureAge="0""#],
        &[
            r#"s3:GetObject arn:aws:s3:::b/k s3:authType="REST-QUERY-STRING" s3:signatureAge="60000""#,
        ],
    );
}

#[test]
fn mapping_website_is_put_bucket_website() {
    check(
        "aws s3 website s3://b --index-document index.html --error-document e.html",
        &[],
        &["s3:PutBucketWebsite arn:aws:s3:::b"],
        &[],
    );
}

#[test]
fn placeholder_key_stands_for_unknown_keys() {
    let (m, _, p) = rows("aws s3 rm s3://b --recursive", &[]);
    assert!(p.placeholder);
    assert_eq!(
        m.get(1).map(String::as_str),
        Some("s3:DeleteObject arn:aws:s3:::b/<key>")
    );
}

#[test]
fn no_sign_request_makes_every_call_anonymous() {
    let (_, _, p) = rows("aws s3 cp s3://b/k ./k --no-sign-request", &[]);
    assert!(p
        .calls
        .iter()
        .all(|c| c.caller == s3guard::awscli::requests::Caller::Anonymous));
}

#[test]
fn dryrun_keeps_only_the_listing() {
    check(
        "aws s3 rm s3://b --recursive --dryrun",
        &[],
        &[r#"s3:ListBucket arn:aws:s3:::b s3:prefix="""#],
        &[],
    );
}

mod parser_properties {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The parser never panics, whatever the command line.
        #[test]
        fn parser_never_panics(tail in "[ -~]{0,60}") {
            let _ = s3guard::awscli::command::parse(&format!("aws s3 {tail}"));
        }

        /// Expansion of any accepted command asks only about catalog actions
        /// and valid resources.
        #[test]
        fn expansions_use_catalog_actions(
            verb in prop::sample::select(vec!["ls", "rb", "cp", "mv", "rm", "sync"]),
            opt in prop::sample::select(vec!["", "--recursive", "--force", "--delete", "--acl private", "--dryrun"]),
        ) {
            let text = match verb {
                "ls" | "rb" | "rm" => format!("aws s3 {verb} s3://b/p {opt}"),
                _ => format!("aws s3 {verb} s3://a/p s3://b/q {opt}"),
            };
            if let Ok(c) = s3guard::awscli::command::parse(&text) {
                let plan = s3guard::awscli::requests::expand(&c, &[], None);
                for call in &plan.calls {
                    for r in &call.requests {
                        prop_assert!(s3guard::catalog::lookup(&r.action).is_some(), "{}", r.action);
                        prop_assert!(s3guard::Request::new(&r.action, &r.resource).is_ok());
                    }
                }
            }
        }
    }
}
