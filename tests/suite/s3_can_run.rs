//! `s3guard can-run`: outcomes of `aws s3` commands (succeeds / fails /
//! partial, docs/can-run.md: the `aws s3` command table and its modelling
//! notes) and Rails app profiles (the Rails libraries table), through the
//! CLI: stdout, stderr, exit codes.

use crate::support::{run, run_json, temp_file};

const RAILS: &str = "policies/rails-app.json";
const FULL: &str = "policies/amazon-s3-full-access.json";
const RB_FORCE: &str = "aws s3 rb s3://another-test-bucket --force";

fn policy(statements: &str) -> (crate::support::tempdir::Dir, String) {
    let (d, p) = temp_file(
        "p.json",
        &format!(r#"{{"Version":"2012-10-17","Statement":{statements}}}"#),
    );
    (d, p.to_string_lossy().into_owned())
}

#[test]
fn rb_force_under_rails_app_is_partial_and_says_the_objects_are_gone() {
    let (code, out, err) = run(&["can-run", RB_FORCE, "--policy", RAILS]);
    assert_eq!(code, 1, "partial exits 1");
    assert!(err.is_empty(), "{err}");
    assert_eq!(
        out.lines().next(),
        Some("PARTIAL: aws s3 rb s3://another-test-bucket --force")
    );
    assert!(out.contains("every object of another-test-bucket would be deleted before the failure: the objects would be gone"), "{out}");
    assert!(
        out.contains(
            "fails at step 3: s3:DeleteBucket on arn:aws:s3:::another-test-bucket is denied"
        ),
        "{out}"
    );
    assert!(
        out.contains("deletes s3://another-test-bucket/<key>"),
        "{out}"
    );
    assert!(
        out.contains("<key> stands for every object key"),
        "placeholder stated: {out}"
    );
}

#[test]
fn rb_force_json_shape_issue5() {
    let (code, v) = run_json(&["can-run", RB_FORCE, "--policy", RAILS]);
    assert_eq!(code, 1);
    assert_eq!(v["outcome"], "partial");
    assert_eq!(v["failed_at"], 3);
    let steps = v["steps"].as_array().unwrap();
    let brief: Vec<(String, String, String)> = steps
        .iter()
        .map(|s| {
            assert!(s["effect_if_allowed"].is_string());
            (
                s["action"].as_str().unwrap().into(),
                s["resource"].as_str().unwrap().into(),
                s["decision"].as_str().unwrap().into(),
            )
        })
        .collect();
    let t = |a: &str, r: &str, d: &str| (a.to_string(), r.to_string(), d.to_string());
    assert_eq!(
        brief,
        [
            t(
                "s3:ListBucket",
                "arn:aws:s3:::another-test-bucket",
                "allowed"
            ),
            t(
                "s3:DeleteObject",
                "arn:aws:s3:::another-test-bucket/<key>",
                "allowed"
            ),
            t(
                "s3:DeleteBucket",
                "arn:aws:s3:::another-test-bucket",
                "implicitDeny"
            ),
        ]
    );
    assert_eq!(steps[0]["context"]["s3:prefix"], "");
    assert!(
        steps[0]["context"].get("s3:delimiter").is_none(),
        "rm --recursive lists without delimiter"
    );
}

#[test]
fn rb_force_under_full_access_succeeds_exit_0() {
    let (code, out, _) = run(&["can-run", RB_FORCE, "--policy", FULL]);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().next(),
        Some("SUCCEEDS: aws s3 rb s3://another-test-bucket --force")
    );
}

#[test]
fn rb_force_with_named_keys_lists_each_deletion() {
    let (_, v) = run_json(&[
        "can-run",
        RB_FORCE,
        "--policy",
        RAILS,
        "--keys",
        "a.txt,img/b.png",
    ]);
    assert_eq!(v["outcome"], "partial");
    assert_eq!(v["placeholder_key"], false);
    assert_eq!(
        v["done_before_failure"],
        serde_json::json!([
            "deletes s3://another-test-bucket/a.txt",
            "deletes s3://another-test-bucket/img/b.png"
        ])
    );
}

#[test]
fn a_denied_first_step_fails_without_changes() {
    let (code, out, _) = run(&["can-run", "aws s3 ls", "--policy", RAILS]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("FAILS: aws s3 ls\n  nothing in S3 changes before the failure"),
        "{out}"
    );
    // rb without --force: DeleteBucket first, nothing deleted.
    let (_, v) = run_json(&[
        "can-run",
        "aws s3 rb s3://another-test-bucket",
        "--policy",
        RAILS,
    ]);
    assert_eq!(v["outcome"], "fails");
}

#[test]
fn partial_when_some_keys_are_deleted_and_others_denied_spec_e2() {
    let (_d, p) = policy(
        r#"[{"Effect":"Allow","Action":["s3:ListBucket","s3:DeleteObject"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]},
            {"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/keep/*"}]"#,
    );
    let (code, v) = run_json(&[
        "can-run",
        "aws s3 rm s3://b --recursive",
        "--policy",
        &p,
        "--keys",
        "tmp/1,keep/2",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["outcome"], "partial");
    assert_eq!(
        v["done_before_failure"],
        serde_json::json!(["deletes s3://b/tmp/1"])
    );
    assert_eq!(v["steps"][2]["decision"], "explicitDeny");
    // Every key protected: nothing happens.
    let (_, v) = run_json(&[
        "can-run",
        "aws s3 rm s3://b/keep/ --recursive",
        "--policy",
        &p,
    ]);
    assert_eq!(v["outcome"], "fails");
}

#[test]
fn mv_between_buckets_copies_then_fails_to_delete_the_source() {
    let (_d, p) =
        policy(r#"[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]"#);
    let (code, out, _) = run(&[
        "can-run",
        "aws s3 mv s3://a/k s3://b/k --copy-props none",
        "--policy",
        &p,
    ]);
    assert_eq!(code, 1);
    assert!(out.starts_with("PARTIAL"), "{out}");
    assert!(out.contains("copies s3://a/k to s3://b/k"), "{out}");
    assert!(out.contains("S3 is left half-changed"), "{out}");
}

#[test]
fn optional_steps_do_not_flip_the_verdict_mapping_section3() {
    let (_d, p) = policy(
        r#"[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"},{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]"#,
    );
    let (code, v) = run_json(&[
        "can-run",
        "aws s3 sync ./site s3://b --delete",
        "--policy",
        &p,
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["outcome"], "succeeds");
    let optional: Vec<(&str, &str)> = v["optional_steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["action"].as_str().unwrap(),
                s["decision"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        optional,
        [
            ("s3:AbortMultipartUpload", "implicitDeny"),
            ("s3:DeleteObject", "implicitDeny")
        ]
    );
    assert!(v["optional_steps"][1]["optional"]
        .as_str()
        .unwrap()
        .contains("--delete"));
}

#[test]
fn acl_option_needs_put_object_acl() {
    let (_d, p) =
        policy(r#"[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]"#);
    let (code, _) = run_json(&["can-run", "aws s3 cp a.txt s3://b/a.txt", "--policy", &p]);
    assert_eq!(code, 0);
    let (code, v) = run_json(&[
        "can-run",
        "aws s3 cp a.txt s3://b/a.txt --acl public-read",
        "--policy",
        &p,
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["steps"][1]["action"], "s3:PutObjectAcl");
    assert_eq!(v["steps"][1]["context"]["s3:x-amz-acl"], "public-read");
}

#[test]
fn conditions_on_command_context_keys_are_evaluated() {
    // Only uploads encrypted with KMS (C-15 s3:x-amz-server-side-encryption).
    let (_d, p) = policy(
        r#"[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}}]"#,
    );
    let (code, _) = run_json(&["can-run", "aws s3 cp a s3://b/a", "--policy", &p]);
    assert_eq!(code, 1);
    let (code, v) = run_json(&[
        "can-run",
        "aws s3 cp a s3://b/a --sse aws:kms",
        "--policy",
        &p,
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["steps"][0]["grant"], "conditional");
    assert!(v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("kms:GenerateDataKey")));
}

#[test]
fn tls_only_bucket_policy_and_the_request_context() {
    let args = [
        "can-run",
        "aws s3 cp s3://another-test-bucket/a ./a",
        "--policy",
        RAILS,
        "--bucket-policy",
        "policies/bucket-policy-tls-only.json",
    ];
    let (code, _) = run_json(&args);
    assert_eq!(code, 0);
    let mut insecure = args.to_vec();
    insecure.extend(["--context", "aws:SecureTransport=false"]);
    let (code, v) = run_json(&insecure);
    assert_eq!(code, 1);
    assert_eq!(v["steps"][0]["decision"], "explicitDeny");
}

#[test]
fn presign_late_use_is_an_optional_step() {
    let (_d, p) = policy(
        r#"[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"NumericGreaterThan":{"s3:signatureAge":"600000"}}}]"#,
    );
    let (code, v) = run_json(&[
        "can-run",
        "aws s3 presign s3://b/k --expires-in 3600",
        "--policy",
        &p,
    ]);
    assert_eq!(code, 0);
    assert_eq!(v["optional_steps"][0]["decision"], "explicitDeny");
    assert_eq!(v["steps"][0]["context"]["s3:authType"], "REST-QUERY-STRING");
}

#[test]
fn no_sign_request_is_anonymous_and_identity_policies_do_not_apply_spec_e7() {
    let (code, v) = run_json(&[
        "can-run",
        "aws s3 cp s3://another-test-bucket/a ./a --no-sign-request",
        "--policy",
        FULL,
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["steps"][0]["caller"], "anonymous");
}

#[test]
fn invalid_commands_exit_2_with_a_hint() {
    let (code, out, err) = run(&["can-run", "aws s3 rmm s3://b/k", "--policy", RAILS]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("error[invalid-command]: `aws s3 rmm` is not an `aws s3` subcommand"),
        "{err}"
    );
    assert!(err.contains("help: did you mean `rm`?"), "{err}");
    let (code, _, err) = run(&[
        "can-run",
        "aws s3 cp a s3://b/k --acll private",
        "--policy",
        RAILS,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `--acl`"), "{err}");
    let (code, _, err) = run(&["can-run", "aws s3 ls"]);
    assert_eq!(code, 2);
    assert!(err.contains("no policy given"), "{err}");
    let (code, _, _) = run(&["can-run", "--policy", RAILS]);
    assert_eq!(code, 2, "neither a command nor --app");
}

// ---- app profiles (mapping section 2) ----

#[test]
fn active_storage_works_with_rails_app_and_lists_the_acl_excess() {
    let (code, out, _) = run(&[
        "can-run",
        "--app",
        "active-storage",
        "--bucket",
        "another-test-bucket",
        "--policy",
        RAILS,
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("WORKS: Active Storage (S3 service) on bucket another-test-bucket"),
        "{out}"
    );
    let (_, v) = run_json(&[
        "can-run",
        "--app",
        "active-storage",
        "--bucket",
        "another-test-bucket",
        "--policy",
        RAILS,
    ]);
    let excess: Vec<&str> = v["excess"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        excess,
        ["s3:PutObjectAcl", "s3:GetObjectAcl"],
        "destructive (permission change) first"
    );
    assert_eq!(
        v["needed"],
        serde_json::json!([
            "s3:AbortMultipartUpload",
            "s3:DeleteObject",
            "s3:GetObject",
            "s3:ListBucket",
            "s3:PutObject"
        ])
    );
}

#[test]
fn exists_on_a_missing_key_needs_list_bucket_403_vs_404() {
    let (_d, p) = policy(
        r#"[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::b/*"}]"#,
    );
    for app in ["active-storage", "carrierwave", "shrine"] {
        let (code, v) = run_json(&["can-run", "--app", app, "--bucket", "b", "--policy", &p]);
        assert_eq!(code, 1, "{app}");
        let missing = v["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"].as_str().unwrap().contains("missing key"))
            .unwrap();
        assert_eq!(missing["works"], false, "{app}");
        assert!(missing["note"].as_str().unwrap().contains("403"));
    }
}

#[test]
fn carrierwave_always_sends_an_acl_header() {
    let (_d, p) = policy(
        r#"[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"},{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::b/*"}]"#,
    );
    let (code, out, _) = run(&[
        "can-run",
        "--app",
        "carrierwave",
        "--bucket",
        "b",
        "--policy",
        &p,
        "--private",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL store! / cache! (upload)"), "{out}");
    assert!(
        out.contains("s3:PutObjectAcl on arn:aws:s3:::b/uploads/<key>  [s3:x-amz-acl=\"private\"]"),
        "{out}"
    );
    // Active Storage private does not need it.
    let (code, _, _) = run(&[
        "can-run",
        "--app",
        "active-storage",
        "--bucket",
        "b",
        "--policy",
        &p,
    ]);
    assert_eq!(code, 0);
    let (code, out, _) = run(&[
        "can-run",
        "--app",
        "active-storage",
        "--bucket",
        "b",
        "--policy",
        &p,
        "--public",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("AccessControlListNotSupported"), "{out}");
}

#[test]
fn the_minimal_active_storage_policy_has_no_excess() {
    // The policy the mapping document suggests for Active Storage.
    let (_d, p) = policy(
        r#"[{"Sid":"List","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"},
            {"Sid":"Objects","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject","s3:AbortMultipartUpload"],"Resource":"arn:aws:s3:::b/*"}]"#,
    );
    let (code, out, _) = run(&[
        "can-run",
        "--app",
        "active-storage",
        "--bucket",
        "b",
        "--policy",
        &p,
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("excess: none"), "{out}");
}

#[test]
fn full_access_excess_starts_with_account_and_bucket_level_destruction() {
    let (code, v) = run_json(&[
        "can-run", "--app", "shrine", "--bucket", "b", "--policy", FULL,
    ]);
    assert_eq!(code, 0);
    let excess = v["excess"].as_array().unwrap();
    assert!(excess.len() > 150);
    assert_eq!(excess[0]["destructive"]["scope"], "account");
    let names: Vec<&str> = excess
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    let pos = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert!(pos("s3:DeleteBucket") < pos("s3:GetBucketTagging"));
    // Needed actions are excess only beyond the app's bucket.
    let get = excess
        .iter()
        .find(|e| e["action"] == "s3:GetObject")
        .unwrap();
    assert_eq!(get["scope"], "*");
}

#[test]
fn shrine_direct_upload_is_a_post_form() {
    let (_d, p) = policy(
        r#"[{"Effect":"Allow","Action":["s3:ListBucket"],"Resource":"arn:aws:s3:::b"},{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::b/*"},
            {"Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"StringEquals":{"s3:authType":"POST"}}}]"#,
    );
    let (code, out, _) = run(&[
        "can-run", "--app", "shrine", "--bucket", "b", "--policy", &p,
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("FAIL presign (direct upload, POST form)"),
        "{out}"
    );
}

mod outcome_properties {
    use proptest::prelude::*;
    use s3guard::awscli::{command, outcome, requests};
    use s3guard::{Policy, PolicySet, Request};

    const COMMANDS: &[&str] = &[
        "aws s3 ls",
        "aws s3 ls s3://another-test-bucket/p/ --recursive",
        "aws s3 mb s3://another-test-bucket",
        "aws s3 rb s3://another-test-bucket --force",
        "aws s3 cp a.txt s3://another-test-bucket/a.txt --acl public-read",
        "aws s3 cp s3://another-test-bucket/a s3://other/a",
        "aws s3 mv s3://another-test-bucket/a s3://other/a --copy-props none",
        "aws s3 rm s3://another-test-bucket/logs --recursive",
        "aws s3 sync ./d s3://another-test-bucket/www --delete",
        "aws s3 sync s3://another-test-bucket s3://other --delete",
        "aws s3 presign s3://another-test-bucket/k",
        "aws s3 website s3://another-test-bucket --index-document i.html",
    ];
    const POLICIES: &[&str] = &[
        "policies/rails-app.json",
        "policies/amazon-s3-full-access.json",
        "policies/amazon-s3-read-only-access.json",
        "policies/deny-bucket-deletion.json",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(120))]

        /// Outcome invariants (mapping section 3): succeeds iff every
        /// mandatory request is allowed; partial iff something changed
        /// before the first denial; AmazonS3FullAccess runs everything.
        #[test]
        fn outcome_follows_the_steps(c in 0..COMMANDS.len(), p in prop::collection::vec(0..POLICIES.len(), 1..3), keys in prop::collection::vec("[a-z]{1,3}", 0..3)) {
            let policies: Vec<Policy> = p.iter().map(|i| Policy::from_file(&crate::support::repo(POLICIES[*i]).to_string_lossy()).unwrap()).collect();
            let full = p.contains(&1) && !p.contains(&3);
            let set = PolicySet::identity(policies);
            let cmd = command::parse(COMMANDS[c]).unwrap();
            let plan = requests::expand(&cmd, &keys, None);
            let base = Request::new("s3:GetObject", "*").unwrap();
            let r = outcome::evaluate(&set, &base, &plan);
            let all_allowed = r.steps.iter().all(|s| s.decision == s3guard::Decision::Allowed);
            prop_assert_eq!(r.outcome == outcome::CommandOutcome::Succeeds, all_allowed);
            match r.outcome {
                outcome::CommandOutcome::Succeeds => prop_assert!(r.failed_at.is_none()),
                outcome::CommandOutcome::Fails => prop_assert!(r.failed_at.is_some() && r.done_before_failure.is_empty()),
                outcome::CommandOutcome::Partial => prop_assert!(r.failed_at.is_some() && !r.done_before_failure.is_empty()),
            }
            if let Some(n) = r.failed_at {
                let failed = r.steps.iter().find(|s| s.step == n).unwrap();
                prop_assert!(failed.decision != s3guard::Decision::Allowed);
                prop_assert!(r.steps.iter().filter(|s| s.phase > failed.phase).all(|s| !s.reached));
            }
            if full {
                prop_assert_eq!(r.outcome, outcome::CommandOutcome::Succeeds);
            }
        }
    }
}

/// awscli `customizations/s3/subcommands.py`: `ls`, `website` and `presign`
/// strip an optional `s3://` (the seed tutorial types `aws s3 ls
/// another-test-bucket`; AWS CLI reference for `aws s3 website` shows
/// `aws s3 website s3://my-bucket/`), and `aws s3 ls s3://` lists every bucket.
#[test]
fn bare_bucket_names_are_s3_locations_for_ls_website_and_presign() {
    let rows: &[(&str, &str, &str)] = &[
        (
            "aws s3 ls another-test-bucket",
            "s3:ListBucket",
            "arn:aws:s3:::another-test-bucket",
        ),
        (
            "aws s3 ls another-test-bucket/logs/ --recursive",
            "s3:ListBucket",
            "arn:aws:s3:::another-test-bucket",
        ),
        (
            "aws s3 website another-test-bucket --index-document index.html",
            "s3:PutBucketWebsite",
            "arn:aws:s3:::another-test-bucket",
        ),
        (
            "aws s3 presign another-test-bucket/report.pdf",
            "s3:GetObject",
            "arn:aws:s3:::another-test-bucket/report.pdf",
        ),
        ("aws s3 ls s3://", "s3:ListAllMyBuckets", "*"),
    ];
    for (command, action, resource) in rows {
        let (code, out, err) = run(&["can-run", command, "--policy", FULL]);
        assert_eq!(code, 0, "{command}: {out}{err}");
        assert!(out.starts_with("SUCCEEDS"), "{command}: {out}");
        assert!(
            out.contains(&format!("{action} on {resource}")),
            "{command}: {out}"
        );
    }
    // mb and rb require s3:// (the CLI: "<S3Uri> Error: Invalid argument type")
    for command in [
        "aws s3 mb another-test-bucket",
        "aws s3 rb another-test-bucket",
    ] {
        let (code, _, err) = run(&["can-run", command, "--policy", FULL]);
        assert_eq!(code, 2, "{command}: {err}");
    }
}
