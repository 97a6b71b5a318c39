//! `principal-can`: the least-privilege policy of what one principal can do.

use super::{ACCT, BP};
use crate::support::s3guard;

#[test]
fn principal_can_prints_the_minimal_policy() {
    let out = s3guard()
        .args([
            "principal-can",
            "arn:aws:iam::111122223333:user/bob",
            "--account",
            ACCT,
            "--bucket-policy",
            BP,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let policy = &v["minimalPolicy"];
    assert_eq!(policy["Version"], "2012-10-17");
    // bob reads prod (policy ReadProd): GetObject on its objects, ListBucket on it
    let text = policy.to_string();
    assert!(text.contains(r#""Action":"s3:GetObject""#), "{text}");
    assert!(text.contains("arn:aws:s3:::prod/*"), "{text}");
    assert!(text.contains(r#""Action":"s3:ListBucket""#), "{text}");
    assert!(!text.contains("s3:PutObject"), "{text}");
    // the minimal policy, reviewed alone, grants what bob has
    let out = s3guard()
        .args([
            "principal-can",
            "arn:aws:iam::111122223333:user/bob",
            "--account",
            ACCT,
            "--bucket-policy",
            BP,
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("minimal policy (grants exactly"));
}
