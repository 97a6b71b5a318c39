"""S3's own layers through the Python API: access points, Block Public
Access, ACLs, Object Ownership, the object owner, VPC endpoint types.

Known answers cite AWS's documentation:
- AP: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html
  (a request through an access point needs the access point policy and
  the bucket policy, or a bucket that delegates access control to its
  access points with s3:DataAccessPointAccount)
- AP-VPC: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-vpc.html
  (a VPC-only access point rejects requests from outside its VPC)
- BPA: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
  (the four settings and what each refuses)
- BPA-DENY: https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
  (Block Public Access settings "act as explicit deny policies")
- ACL: https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
  (canned ACLs; grants to accounts and groups)
- OWNERSHIP: https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
  (BucketOwnerEnforced: "ACLs are disabled and no longer affect
  permissions"; only bucket-owner-full-control is accepted on uploads)
- BUCKET-POLICY: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html
  (bucket policy permissions "don't apply to objects that are owned by
  other AWS accounts")
- GATEWAY: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
  (in a gateway endpoint policy an account principal "grants access to the
  account root user only, and not all IAM users and roles")
"""

from __future__ import annotations

import pytest

import s3guard
from conftest import run_cli

BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket"
OBJECT = f"{BUCKET}/report.csv"
AP_OBJECT = "arn:aws:s3:us-west-2:111122223333:accesspoint/my-ap/object/report.csv"
ALICE = "arn:aws:iam::111122223333:user/alice"
ADMIN = "arn:aws:iam::111122223333:user/admin"
CARLOS = "arn:aws:iam::444455556666:user/carlos"

ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}
AP_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": ALICE},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:us-west-2:111122223333:accesspoint/my-ap/object/*",
        }
    ],
}
DELEGATING = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "*",
            "Resource": [BUCKET, f"{BUCKET}/*"],
            "Condition": {"StringEquals": {"s3:DataAccessPointAccount": "111122223333"}},
        }
    ],
}
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}
    ],
}
CARLOS_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "s3:GetObject",
            "Resource": f"{BUCKET}/*",
        }
    ],
}


def read_anonymously(policies):
    """An unsigned GetObject of OBJECT in the bucket owner's account: the
    request the public-access tests (BPA, ACL, OWNERSHIP) ask about."""
    return policies.can("s3:GetObject", OBJECT, principal="anonymous", resource_account="111122223333")


def through_access_point(**extra):
    settings = {"access_point": {"bucket": "amzn-s3-demo-bucket"}, **extra}
    return s3guard.PolicySet(access_point_policy=AP_POLICY, **settings)


def test_access_point_and_delegating_bucket_both_allow_ap():
    policies = through_access_point(bucket_policy=DELEGATING)
    answer = policies.can("s3:GetObject", AP_OBJECT, principal=ALICE)
    assert answer.decision == "Allow"
    assert {s.policy_type for s in answer.deciding} == {"access-point", "resource"}
    # the access point policy names alice only (AP)
    other = policies.can("s3:GetObject", AP_OBJECT, principal="arn:aws:iam::111122223333:user/bob")
    assert other.decision == "ImplicitDeny"


def test_the_bucket_behind_the_access_point_must_allow_too_ap():
    answer = through_access_point().can("s3:GetObject", AP_OBJECT, principal=ALICE)
    assert answer.decision == "ImplicitDeny"
    assert "the bucket behind the access point does not allow it" in answer.text


def test_vpc_only_access_point_refuses_other_vpcs_ap_vpc():
    policies = through_access_point(
        bucket_policy=DELEGATING,
        access_point={"bucket": "amzn-s3-demo-bucket", "network_origin": "VPC", "vpc": "vpc-1"},
    )
    inside = policies.can("s3:GetObject", AP_OBJECT, principal=ALICE, context={"aws:SourceVpc": "vpc-1"})
    assert inside.decision == "Allow"
    outside = policies.can("s3:GetObject", AP_OBJECT, principal=ALICE, context={"aws:SourceVpc": "vpc-2"})
    assert outside.decision == "ExplicitDeny"


def test_access_point_settings_are_checked_ap():
    with pytest.raises(s3guard.RequestError, match="needs the bucket behind it"):
        s3guard.PolicySet(access_point_policy=AP_POLICY)
    with pytest.raises(s3guard.RequestError, match="needs its VPC id"):
        through_access_point(access_point={"bucket": "b", "network_origin": "VPC"})
    with pytest.raises(TypeError, match="unknown field 'bucket_name'"):
        s3guard.PolicySet(access_point={"bucket_name": "b"})


def test_block_public_access_is_an_explicit_deny_bpa_deny():
    public = s3guard.PolicySet(bucket_policy=PUBLIC_READ)
    assert read_anonymously(public).decision == "Allow"
    blocked = s3guard.PolicySet(bucket_policy=PUBLIC_READ, block_public_access=True)
    answer = read_anonymously(blocked)
    assert answer.decision == "ExplicitDeny"
    assert "RestrictPublicBuckets" in answer.text


def test_each_setting_alone_by_name_or_configuration_bpa():
    restrict = s3guard.PolicySet(bucket_policy=PUBLIC_READ, block_public_access=["RestrictPublicBuckets"])
    assert read_anonymously(restrict).decision == "ExplicitDeny"
    # BlockPublicPolicy alone does not restrict a policy already in place
    policy_only = s3guard.PolicySet(
        bucket_policy=PUBLIC_READ,
        block_public_access={"BlockPublicPolicy": True, "RestrictPublicBuckets": False},
    )
    assert read_anonymously(policy_only).decision == "Allow"


def test_block_public_policy_refuses_a_public_new_policy_bpa():
    def put(new):
        return s3guard.PolicySet(
            identity=ADMIN_POLICY,
            block_public_access={"BlockPublicPolicy": True},
            new_bucket_policy=new,
        ).can("s3:PutBucketPolicy", BUCKET, principal=ADMIN)

    assert put(PUBLIC_READ).decision == "ExplicitDeny"
    assert put(DELEGATING).decision == "Allow"


def test_unknown_block_public_access_setting_is_an_error_bpa():
    with pytest.raises(s3guard.RequestError, match="`BlockPublicAcl` is not a Block Public Access setting"):
        s3guard.PolicySet(identity=ADMIN_POLICY, block_public_access=["BlockPublicAcl"])
    with pytest.raises(TypeError):
        s3guard.PolicySet(identity=ADMIN_POLICY, block_public_access={"BlockPublicAcls": "yes"})


def test_public_read_acl_lets_anyone_read_and_ignore_public_acls_stops_it_acl_bpa():
    public = s3guard.PolicySet(object_acl="public-read")
    answer = read_anonymously(public)
    assert answer.decision == "Allow"
    ignored = s3guard.PolicySet(object_acl="public-read", block_public_access=["IgnorePublicAcls"])
    assert read_anonymously(ignored).decision == "ImplicitDeny"


def test_block_public_acls_refuses_an_upload_with_a_public_acl_bpa():
    policies = s3guard.PolicySet(
        identity=ADMIN_POLICY, object_acl="public-read", block_public_access=["BlockPublicAcls"]
    )
    answer = policies.can("s3:PutObject", OBJECT, principal=ADMIN)
    assert answer.decision == "ExplicitDeny"
    assert "BlockPublicAcls" in answer.text
    # the assertions build the upload the same way: it carries the ACL
    s3guard.assert_decision(policies, "ExplicitDeny", "s3:PutObject", OBJECT, principal=ADMIN)


def test_bucket_owner_enforced_disables_acls_ownership():
    enforced = s3guard.PolicySet(object_acl="public-read", object_ownership="BucketOwnerEnforced")
    assert read_anonymously(enforced).decision == "ImplicitDeny"
    upload = s3guard.PolicySet(
        identity=ADMIN_POLICY, object_acl="public-read", object_ownership="BucketOwnerEnforced"
    )
    refused = upload.can("s3:PutObject", OBJECT, principal=ADMIN)
    assert refused.decision == "ExplicitDeny"
    assert "AccessControlListNotSupported" in refused.text
    accepted = s3guard.PolicySet(
        identity=ADMIN_POLICY,
        object_acl="bucket-owner-full-control",
        object_ownership="BucketOwnerEnforced",
    )
    assert accepted.can("s3:PutObject", OBJECT, principal=ADMIN).decision == "Allow"


def test_the_bucket_policy_does_not_reach_another_accounts_object_bucket_policy_acl():
    ask = dict(principal=CARLOS, resource_account="111122223333")
    owned = s3guard.PolicySet(identity=ADMIN_POLICY, bucket_policy=CARLOS_READ)
    assert owned.can("s3:GetObject", OBJECT, **ask).decision == "Allow"
    foreign = s3guard.PolicySet(
        identity=ADMIN_POLICY, bucket_policy=CARLOS_READ, object_owner="777788889999"
    )
    assert foreign.can("s3:GetObject", OBJECT, **ask).decision == "ImplicitDeny"
    # the object owner's ACL grant to carlos's account is what counts (ACL)
    granted = s3guard.PolicySet(
        identity=ADMIN_POLICY,
        bucket_policy=CARLOS_READ,
        object_owner="777788889999",
        object_acl=["grant-read=id=444455556666"],
    )
    assert granted.can("s3:GetObject", OBJECT, **ask).decision == "Allow"


def test_object_settings_are_checked_ownership():
    with pytest.raises(s3guard.RequestError, match="object_owner `4444` is not a 12-digit account id"):
        s3guard.PolicySet(identity=ADMIN_POLICY, object_owner="4444")
    with pytest.raises(s3guard.RequestError, match="contradicts object_ownership BucketOwnerEnforced"):
        s3guard.PolicySet(
            identity=ADMIN_POLICY, object_owner="444455556666", object_ownership="BucketOwnerEnforced"
        )
    with pytest.raises(s3guard.RequestError, match="object_acl: "):
        s3guard.PolicySet(identity=ADMIN_POLICY, object_acl="public")
    with pytest.raises(s3guard.RequestError, match="not an Object Ownership setting"):
        s3guard.PolicySet(identity=ADMIN_POLICY, object_ownership="Enforced")


def test_gateway_endpoint_account_principal_is_the_root_user_only_gateway():
    endpoint = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"}
        ],
    }
    ask = dict(principal=ADMIN, context={"aws:SourceVpce": "vpce-1"})

    def decision(vpce_type):
        policies = s3guard.PolicySet(identity=ADMIN_POLICY, vpce_policy=endpoint, vpce_type=vpce_type)
        return policies.can("s3:GetObject", OBJECT, **ask).decision

    assert decision("gateway") == "ImplicitDeny"
    assert decision("interface") == "Allow"
    with pytest.raises(s3guard.RequestError, match="not a VPC endpoint type"):
        s3guard.PolicySet(identity=ADMIN_POLICY, vpce_type="private-link")


def test_prove_with_an_object_owner_finds_the_owners_read_bucket_policy():
    # the caller's account owns the object: its identity policy suffices
    policies = s3guard.PolicySet(
        identity=ADMIN_POLICY, bucket_policy=CARLOS_READ, object_owner="444455556666"
    )
    proof = policies.prove_cannot(
        "s3:Get*", f"{BUCKET}/*", principal=CARLOS, resource_account="111122223333"
    )
    assert proof.outcome == "counterexample"
    assert proof.counterexample.answer.decision == "Allow"
    # the bucket owner's user reads nothing of that account's objects
    bucket_side = policies.prove_cannot(
        "s3:GetObject", f"{BUCKET}/*", principal=ADMIN, resource_account="111122223333"
    )
    assert bucket_side.proved
    # an ACL grant that names the caller is outside the prover's search
    acl = s3guard.PolicySet(
        identity=ADMIN_POLICY, object_owner="777788889999", object_acl="grant-read=id=444455556666"
    )
    undecided = acl.prove_cannot("s3:GetObject", f"{BUCKET}/*", principal=CARLOS, resource_account="111122223333")
    assert undecided.outcome == "undecided"
    assert "ACL" in undecided.reason


def test_the_cli_and_python_read_the_settings_alike(s3guard_bin, tmp_path):
    import json

    ap = tmp_path / "ap.json"
    ap.write_text(json.dumps(AP_POLICY))
    bucket = tmp_path / "bucket.json"
    bucket.write_text(json.dumps(DELEGATING))
    policies = s3guard.PolicySet(
        bucket_policy=bucket,
        access_point_policy=ap,
        access_point={"bucket": "amzn-s3-demo-bucket"},
        object_acl=["grant-read=uri=AllUsers"],
        block_public_access=["IgnorePublicAcls"],
    )
    for principal in (ALICE, "anonymous"):
        answer = policies.can("s3:GetObject", AP_OBJECT, principal=principal)
        cli = run_cli(
            s3guard_bin,
            [
                "can", "s3:GetObject", AP_OBJECT, "--principal", principal,
                "--bucket-policy", str(bucket), "--access-point-policy", str(ap),
                "--access-point-bucket", "amzn-s3-demo-bucket",
                "--object-acl", "grant-read=uri=AllUsers", "--ignore-public-acls",
            ],
        )
        assert cli.stdout.rstrip("\n") == answer.text.rstrip("\n")
