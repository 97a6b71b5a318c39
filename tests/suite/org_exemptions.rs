//! Who SCPs and RCPs do not restrict (spec E-4): service-linked roles and
//! the organization's management account.

use s3guard::{Decision, Policy, PolicySet, PolicyType, Request};

use crate::support::run;

const IDENTITY: &str = "tests/fixtures/layers/full-s3.json";
const SCP: &str = "tests/fixtures/org/scp-deny-s3-deletes.json";
const RCP: &str = "tests/fixtures/org/rcp-org-only.json";
const SLR: &str =
    "arn:aws:iam::111122223333:role/aws-service-role/ops.example.amazonaws.com/AWSServiceRoleForOps";
const SLR_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForOps/ops";
const ROLE: &str = "arn:aws:iam::111122223333:role/app";

fn can(principal: &str, action: &str, extra: &[&str]) -> (i32, String) {
    let (code, out, err) = run(&[
        &[
            "can",
            action,
            "arn:aws:s3:::prod/k",
            "--principal",
            principal,
            "--policy",
            IDENTITY,
        ][..],
        extra,
    ]
    .concat());
    (code, format!("{out}{err}"))
}

/// SCPs cannot restrict "any action performed using permissions that are
/// attached to a service-linked role"
/// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html):
/// a role on the `aws-service-role/` path is recognised as one.
#[test]
fn scps_do_not_restrict_service_linked_roles() {
    let scp = ["--scp", SCP];
    let (code, out) = can(ROLE, "s3:DeleteObject", &scp);
    assert_eq!(code, 1, "an ordinary role is bound by the SCP: {out}");
    assert!(out.starts_with("DENY (explicit)"), "{out}");
    let (code, out) = can(SLR, "s3:DeleteObject", &scp);
    assert_eq!(code, 0, "a service-linked role is not: {out}");
}

/// RCPs "do not apply to calls made by service-linked roles"
/// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
#[test]
fn rcps_do_not_restrict_service_linked_roles() {
    let rcp = ["--rcp", RCP];
    let (code, out) = can(ROLE, "s3:GetObject", &rcp);
    assert_eq!(code, 1, "an ordinary role is bound by the RCP: {out}");
    let (code, out) = can(SLR, "s3:GetObject", &rcp);
    assert_eq!(code, 0, "a service-linked role is not: {out}");
}

/// A session ARN drops the role's path, so a session of a service-linked
/// role is recognised from `--service-linked-role`, or from
/// `aws:PrincipalArn` carrying the path.
#[test]
fn sessions_of_service_linked_roles_are_recognised_when_told() {
    let guards = ["--scp", SCP, "--rcp", RCP];
    let (code, out) = can(SLR_SESSION, "s3:DeleteObject", &guards);
    assert_eq!(code, 1, "nothing says it is service-linked: {out}");
    let (code, out) = can(
        SLR_SESSION,
        "s3:DeleteObject",
        &[&guards[..], &["--service-linked-role"]].concat(),
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = can(
        SLR_SESSION,
        "s3:DeleteObject",
        &[
            &guards[..],
            &["--context", &format!("aws:PrincipalArn={SLR}")],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{out}");
}

/// The same rule through the library: the request decides, every command
/// that builds one gets it.
#[test]
fn the_library_request_knows_service_linked_roles() {
    let load = |path: &str, t: PolicyType| {
        let text = std::fs::read_to_string(crate::support::repo(path)).unwrap();
        Policy::parse_as(path, &text, s3guard::LoadOptions::new(t)).unwrap()
    };
    let set = PolicySet::builder()
        .identity(load(IDENTITY, PolicyType::Identity))
        .scp_level(vec![load(SCP, PolicyType::Scp)])
        .build();
    let req = |p: &str| {
        Request::new("s3:DeleteObject", "arn:aws:s3:::prod/k")
            .unwrap()
            .with_principal(p)
            .unwrap()
    };
    assert!(req(SLR).is_service_linked_role());
    assert!(!req(SLR_SESSION).is_service_linked_role());
    assert!(!req(ROLE).is_service_linked_role());
    assert_eq!(set.authorize(&req(SLR)).decision, Decision::Allowed);
    assert_eq!(
        set.authorize(&req(SLR_SESSION)).decision,
        Decision::ExplicitDeny
    );
    let mut told = req(SLR_SESSION);
    told.is_service_linked_role = true;
    assert_eq!(set.authorize(&told).decision, Decision::Allowed);
}

/// "SCPs don't affect users or roles in the management account. They
/// affect only the member accounts in your organization."
/// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
/// RCPs still apply unless the resource is in the management account.
#[test]
fn scps_do_not_apply_in_the_management_account() {
    let (code, out) = can(ROLE, "s3:DeleteObject", &["--scp", SCP]);
    assert_eq!(code, 1, "{out}");
    let (code, out) = can(
        ROLE,
        "s3:DeleteObject",
        &["--scp", SCP, "--management-account"],
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = can(
        ROLE,
        "s3:GetObject",
        &["--rcp", RCP, "--management-account"],
    );
    assert_eq!(code, 1, "the management account flag is about SCPs: {out}");
    let (code, out) = can(
        ROLE,
        "s3:GetObject",
        &["--rcp", RCP, "--resource-in-management-account"],
    );
    assert_eq!(code, 0, "{out}");
}
