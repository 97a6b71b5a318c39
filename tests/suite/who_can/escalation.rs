//! Escalation paths: `principal-can` marks them, and `who-can` lists who
//! could gain access by rewriting its own policies, within its boundary.

use s3guard::access::{self, Question};

use super::{analysis_of, ACCOUNT, ACCT};
use crate::support::s3guard;

#[test]
fn principal_can_marks_escalation() {
    let out = s3guard()
        .args([
            "principal-can",
            "arn:aws:iam::111122223333:role/ops",
            "--account",
            ACCT,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("ESCALATION: ops, which can iam:PutRolePolicy on ops"),
        "{text}"
    );
    s3guard()
        .args(["principal-can", "nobody", "--account", ACCT])
        .assert()
        .code(2);
}

/// A dump of user carol: her inline policy allows `own` on herself, her
/// boundary allows `s3:GetObject` and `bound`.
fn rewriter(own: &str, bound: &str) -> String {
    format!(
        r#"{{"UserDetailList":[{{"UserName":"carol","Arn":"arn:aws:iam::{ACCOUNT}:user/carol","UserPolicyList":[{{"PolicyName":"i","PolicyDocument":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{own},"Resource":"arn:aws:iam::{ACCOUNT}:user/carol"}}]}}}}],"GroupList":[],"AttachedManagedPolicies":[],"PermissionsBoundary":{{"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":"arn:aws:iam::{ACCOUNT}:policy/b"}}}}],"GroupDetailList":[],"RoleDetailList":[],"Policies":[{{"PolicyName":"b","Arn":"arn:aws:iam::{ACCOUNT}:policy/b","DefaultVersionId":"v1","PolicyVersionList":[{{"Document":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{bound},"Resource":"*"}}]}},"VersionId":"v1","IsDefaultVersion":true}}]}}]}}"#
    )
}

/// Rewriting one's own identity policies never passes one's permissions
/// boundary: the effective permissions are "the intersection of both
/// policy types"
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html>).
/// A user whose boundary does not allow `s3:DeleteBucket` could not gain it
/// by `iam:PutUserPolicy`; it could gain what the boundary allows, and
/// anything once it can delete its boundary.
#[test]
fn rewriting_own_policies_gains_only_what_the_boundary_allows() {
    let gains = |dump: &str, action: &str, resource: &str| {
        let a = analysis_of(dump);
        let esc = s3guard::access::Escalation::compute(&a);
        let q = Question::new(action, resource).unwrap();
        let w = access::who_can(&a, &q, Some(&esc)).unwrap();
        assert!(w.principals.is_empty(), "{w:?}");
        w.could_gain.len()
    };
    let put = rewriter(r#""iam:PutUserPolicy""#, r#"["s3:GetObject","iam:*"]"#);
    assert_eq!(gains(&put, "s3:DeleteBucket", "arn:aws:s3:::prod"), 0);
    assert_eq!(gains(&put, "s3:GetObject", "arn:aws:s3:::prod/k"), 1);
    let shed = rewriter(
        r#"["iam:PutUserPolicy","iam:DeleteUserPermissionsBoundary"]"#,
        r#"["s3:GetObject","iam:*"]"#,
    );
    assert_eq!(gains(&shed, "s3:DeleteBucket", "arn:aws:s3:::prod"), 1);
}
