//! The Rust testing API against the bundled Rails policy: what a Rust
//! project's own tests look like (issue 7, "Rust API for tests").

use s3guard::testfile::assertions::{check, AssertedRequest};
use s3guard::testfile::Expect;
use s3guard::{assert_allowed, assert_decision, assert_denied, Decision, Policy, PolicySet};

fn rails_app() -> Policy {
    Policy::from_file("policies/rails-app.json").expect("bundled policy loads")
}

#[test]
fn rails_app_cannot_delete_buckets_or_touch_others() {
    let app = rails_app();
    assert_denied!(&app, "s3:DeleteBucket", "arn:aws:s3:::another-test-bucket");
    assert_denied!(
        &app,
        "s3:PutBucketPolicy",
        "arn:aws:s3:::another-test-bucket"
    );
    assert_denied!(&app, "s3:ListAllMyBuckets", "*");
    assert_denied!(&app, "s3:GetObject", "arn:aws:s3:::prod-backups/db.sql.gz");
    assert_denied!(
        &app,
        "s3:DeleteBucket",
        "arn:aws:s3:::another-test-bucket",
        principal = "arn:aws:sts::111122223333:assumed-role/rails/web-1",
        context = [("aws:SourceIp", "203.0.113.9")],
    );
    assert_decision!(
        &app,
        Decision::ImplicitDeny,
        "s3:DeleteBucket",
        "arn:aws:s3:::another-test-bucket"
    );
}

#[test]
fn rails_app_keeps_its_object_access() {
    let app = rails_app();
    for action in [
        "s3:PutObject",
        "s3:GetObject",
        "s3:DeleteObject",
        "s3:PutObjectAcl",
    ] {
        assert_allowed!(
            &app,
            action,
            "arn:aws:s3:::another-test-bucket/uploads/a.png"
        );
    }
    assert_allowed!(&app, "s3:ListBucket", "arn:aws:s3:::another-test-bucket");
}

#[test]
fn a_guardrail_denies_explicitly_spec_e2() {
    let full = Policy::from_file("policies/amazon-s3-full-access.json").unwrap();
    let guard = Policy::from_file("policies/deny-bucket-deletion.json").unwrap();
    let both = PolicySet::identity([full, guard]);
    assert_decision!(
        &both,
        Decision::ExplicitDeny,
        "s3:DeleteBucket",
        "arn:aws:s3:::prod"
    );
}

#[test]
fn a_failed_assertion_shows_the_decision_and_the_deciding_statement() {
    let full = Policy::from_file("policies/amazon-s3-full-access.json").unwrap();
    let panic = std::panic::catch_unwind(|| {
        assert_denied!(&full, "s3:DeleteBucket", "arn:aws:s3:::another-test-bucket");
    })
    .expect_err("AmazonS3FullAccess allows DeleteBucket");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert_eq!(
        message,
        "expected s3:DeleteBucket on arn:aws:s3:::another-test-bucket to be denied; s3guard says:\nALLOW\n  allowed by policies/amazon-s3-full-access.json:4:5 (statement #1): Allow s3:*, s3-object-lambda:* on *"
    );
    // the same check without a panic
    let err = check(
        &full,
        Expect::Deny,
        &AssertedRequest::new("s3:DeleteBucket", "arn:aws:s3:::x"),
    )
    .unwrap_err();
    assert_eq!(err.decision, Some(Decision::Allowed));
}

#[test]
fn policy_authorize_is_the_one_policy_shortcut() {
    let app = rails_app();
    let req = s3guard::Request::new("s3:GetObject", "arn:aws:s3:::another-test-bucket/a").unwrap();
    assert_eq!(app.authorize(&req).decision, Decision::Allowed);
}
