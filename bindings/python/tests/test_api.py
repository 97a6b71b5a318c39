"""Decisions, answers, proofs and assertions of the Python API.

Known answers cite AWS's documentation:
- EVAL: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html
  (a Deny statement trumps an Allow: explicit deny; no applicable Allow:
  implicit deny)
- TLS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport
- SCP: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
  (every level of the organization must allow)
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import s3guard
from conftest import POLICIES, REPO, run_cli

BUCKET = "arn:aws:s3:::another-test-bucket"
APP = "arn:aws:iam::111122223333:user/rails-app"

# What `cdk.aws_iam.PolicyDocument(...).to_json()` returns for a bucket
# reader: CDK writes single actions and resources as strings, not lists.
CDK_DOCUMENT = {
    "Statement": [
        {
            "Action": ["s3:GetObject*", "s3:GetBucket*", "s3:List*"],
            "Effect": "Allow",
            "Resource": [
                "arn:aws:s3:::reports-bucket",
                "arn:aws:s3:::reports-bucket/*",
            ],
        },
        {
            "Action": "s3:DeleteObject",
            "Effect": "Deny",
            "Resource": "arn:aws:s3:::reports-bucket/*",
        },
    ],
    "Version": "2012-10-17",
}


def test_decisions_of_the_three_kinds_eval():
    policies = s3guard.PolicySet(
        identity=[POLICIES / "rails-app.json", POLICIES / "deny-bucket-deletion.json"]
    )
    put = policies.can("s3:PutObject", f"{BUCKET}/uploads/a.png", principal=APP)
    assert (put.decision, put.allowed) == ("Allow", True)
    # no statement allows it: implicit deny (EVAL)
    acl = policies.can("s3:PutBucketAcl", BUCKET, principal=APP)
    assert (acl.decision, acl.allowed) == ("ImplicitDeny", False)
    assert acl.deciding == ()
    # a Deny statement applies: explicit deny (EVAL)
    drop = policies.can("s3:DeleteBucket", BUCKET, principal=APP)
    assert (drop.decision, drop.allowed) == ("ExplicitDeny", False)


def test_deciding_statements_carry_their_place():
    policies = s3guard.PolicySet(identity=str(POLICIES / "rails-app.json"))
    answer = policies.can("s3:GetObject", f"{BUCKET}/a.txt")
    (stmt,) = answer.deciding
    assert stmt == s3guard.Statement(
        file=str(POLICIES / "rails-app.json"),
        line=10,
        column=5,
        sid="ReadWriteAppObjects",
        index=1,
        effect="Allow",
        policy_type="identity",
    )
    assert str(stmt).endswith("rails-app.json:10:5 (Sid ReadWriteAppObjects)")


def test_a_cdk_policy_document_dict_and_a_json_string_are_policies():
    from_dict = s3guard.PolicySet(identity=CDK_DOCUMENT)
    from_text = s3guard.PolicySet(identity=[json.dumps(CDK_DOCUMENT)])
    for policies in (from_dict, from_text):
        assert policies.can("s3:GetObject", "arn:aws:s3:::reports-bucket/q1.csv").allowed
        assert policies.can("s3:ListBucket", "arn:aws:s3:::reports-bucket").allowed
        drop = policies.can("s3:DeleteObject", "arn:aws:s3:::reports-bucket/q1.csv")
        assert drop.decision == "ExplicitDeny"
        assert policies.can("s3:GetObject", "arn:aws:s3:::other/q1.csv").decision == "ImplicitDeny"
    (deny,) = from_dict.can("s3:DeleteObject", "arn:aws:s3:::reports-bucket/q1.csv").deciding
    # an inline policy is named after its argument
    assert (deny.file, deny.index, deny.effect) == ("<identity>", 1, "Deny")


def test_context_replaces_the_defaults_tls():
    policies = s3guard.PolicySet(
        identity=POLICIES / "amazon-s3-full-access.json",
        bucket_policy=POLICIES / "bucket-policy-tls-only.json",
    )
    key = f"{BUCKET}/report.csv"
    # s3guard assumes aws:SecureTransport=true, as `s3guard can` does
    assert policies.can("s3:GetObject", key, principal=APP).allowed
    plain = policies.can("s3:GetObject", key, principal=APP, context={"aws:SecureTransport": False})
    assert plain.decision == "ExplicitDeny"
    assert [s.sid for s in plain.deciding] == ["DenyInsecureTransport"]
    assert plain.deciding[0].policy_type == "resource"
    # with no defaults the key is missing: the Deny's Bool condition is false
    bare = policies.can("s3:GetObject", key, principal=APP, no_defaults=True)
    assert bare.allowed
    assert "aws:SecureTransport" in bare.missing_keys


def test_missing_keys_and_notes_say_what_the_answer_depends_on():
    policies = s3guard.PolicySet(
        identity={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "*",
                    "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
                }
            ],
        }
    )
    answer = policies.can("s3:GetObject", "arn:aws:s3:::b/k")
    assert answer.decision == "ImplicitDeny"
    assert answer.missing_keys == ("aws:SourceIp",)
    assert any("aws:SourceIp" in n for n in answer.notes)
    inside = policies.can("s3:GetObject", "arn:aws:s3:::b/k", context={"aws:SourceIp": "203.0.113.9"})
    assert inside.allowed and inside.missing_keys == ()


def test_scp_levels_each_must_allow_scp():
    full = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    reads = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}
    identity = POLICIES / "amazon-s3-full-access.json"
    policies = s3guard.PolicySet(identity=identity, scps=[full, [reads]])
    assert policies.can("s3:GetObject", "arn:aws:s3:::b/k", principal=APP).allowed
    put = policies.can("s3:PutObject", "arn:aws:s3:::b/k", principal=APP)
    assert put.decision == "ImplicitDeny"
    # the management account is not bound by SCPs
    free = s3guard.PolicySet(identity=identity, scps=[full, [reads]], management_account=True)
    assert free.can("s3:PutObject", "arn:aws:s3:::b/k", principal=APP).allowed


def test_answer_text_is_what_the_cli_prints(s3guard_bin, monkeypatch):
    monkeypatch.chdir(REPO)
    policies = s3guard.PolicySet(
        identity="policies/rails-app.json", bucket_policy="policies/bucket-policy-tls-only.json"
    )
    for action, resource, extra in [
        ("s3:DeleteBucket", BUCKET, []),
        ("s3:GetObject", f"{BUCKET}/a.txt", []),
        ("s3:GetObject", f"{BUCKET}/a.txt", ["aws:SecureTransport=false"]),
    ]:
        context = dict(kv.split("=", 1) for kv in extra)
        answer = policies.can(action, resource, principal=APP, context=context, explain=True)
        args = ["can", action, resource, "--policy", "policies/rails-app.json",
                "--bucket-policy", "policies/bucket-policy-tls-only.json",
                "--principal", APP, "--explain", "--at", "2030-01-01T00:00:00Z"]
        args += [a for kv in extra for a in ("--context", kv)]
        cli = run_cli(s3guard_bin, args)
        # the current time differs between the two runs: fix it on both sides
        fixed = policies.can(action, resource, principal=APP, context=context, explain=True,
                             at="2030-01-01T00:00:00Z")
        assert fixed.decision == answer.decision
        assert cli.stdout.rstrip("\n") == fixed.text


def test_prove_cannot_proves_or_gives_a_counterexample():
    policies = s3guard.PolicySet(identity=POLICIES / "rails-app.json")
    proof = policies.prove_cannot("s3:DeleteBucket", on="arn:aws:s3:::*")
    assert proof.proved and proof.outcome == "proved"
    assert proof.counterexample is None
    assert proof.actions == ("s3:DeleteBucket",)
    deletes = policies.prove_cannot("s3:Delete*", on="arn:aws:s3:::*", principal=APP)
    assert not deletes.proved and deletes.outcome == "counterexample"
    c = deletes.counterexample
    assert c is not None
    assert c.action == "s3:DeleteObject"
    assert c.resource.startswith(f"{BUCKET}/")
    assert c.answer.decision == "Allow"
    assert [s.sid for s in c.answer.deciding] == ["ReadWriteAppObjects"]
    # the counterexample is a request `can` allows, too
    assert policies.can(c.action, c.resource, principal=APP).allowed
    assert str(deletes).startswith("counterexample: s3:DeleteObject on ")


def test_assertions_fail_with_what_can_prints():
    policies = s3guard.PolicySet(identity=POLICIES / "rails-app.json")
    s3guard.assert_denied(policies, "s3:DeleteBucket", BUCKET, principal=APP)
    s3guard.assert_allowed(policies, "s3:PutObject", f"{BUCKET}/x", principal=APP)
    s3guard.assert_decision(policies, "ImplicitDeny", "s3:DeleteBucket", BUCKET)
    s3guard.assert_cannot(policies, "s3:DeleteBucket", on="arn:aws:s3:::*")
    with pytest.raises(AssertionError) as failed:
        s3guard.assert_denied(policies, "s3:DeleteObject", f"{BUCKET}/x", principal=APP)
    answer = policies.can("s3:DeleteObject", f"{BUCKET}/x", principal=APP)
    message = str(failed.value)
    assert message.startswith(
        f"expected s3:DeleteObject on {BUCKET}/x to be denied; s3guard says:\n"
    )
    assert answer.text in message
    assert "allowed by " in message and "rails-app.json:10:5" in message
    with pytest.raises(AssertionError, match="to be explicitly denied"):
        s3guard.assert_decision(policies, "ExplicitDeny", "s3:DeleteBucket", BUCKET)
    with pytest.raises(AssertionError, match="counterexample: s3:DeleteObject"):
        s3guard.assert_cannot(policies, "s3:Delete*", on="arn:aws:s3:::*")


def test_assertions_refuse_requests_aws_never_makes():
    policies = s3guard.PolicySet(identity=POLICIES / "rails-app.json")
    # s3:GetObject is about objects: on a bucket ARN it would pass for the wrong reason
    with pytest.raises(AssertionError, match="invalid request s3:GetObject on"):
        s3guard.assert_denied(policies, "s3:GetObject", BUCKET)
    # `can` answers it, with the warning `s3guard can` prints
    answer = policies.can("s3:GetObject", BUCKET)
    assert answer.decision == "ImplicitDeny" and answer.warnings


def test_policy_sets_are_reusable_and_warnings_are_listed():
    policies = s3guard.PolicySet(
        identity={"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    )
    assert [w.code for w in policies.warnings] == ["MISSING_VERSION"]
    assert all(policies.can("s3:GetObject", f"arn:aws:s3:::b/{i}").allowed for i in range(50))


def test_context_values_of_every_json_type():
    policies = s3guard.PolicySet(
        identity={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": "*",
                    "Condition": {
                        "NumericLessThanEquals": {"s3:max-keys": "10"},
                        "Bool": {"aws:MultiFactorAuthPresent": "true"},
                        "ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]},
                    },
                }
            ],
        }
    )
    ok = {"s3:max-keys": 10, "aws:MultiFactorAuthPresent": True, "aws:TagKeys": ["a"]}
    assert policies.can("s3:ListBucket", "arn:aws:s3:::b", context=ok).allowed
    assert not policies.can("s3:ListBucket", "arn:aws:s3:::b", context={**ok, "s3:max-keys": 10.5}).allowed
    assert not policies.can("s3:ListBucket", "arn:aws:s3:::b", context={**ok, "aws:TagKeys": ("a", "c")}).allowed
    with pytest.raises(TypeError, match="context value"):
        policies.can("s3:ListBucket", "arn:aws:s3:::b", context={"s3:max-keys": object()})


def test_errors_pickle_with_their_diagnostics():
    with pytest.raises(s3guard.PolicyError) as raised:
        s3guard.PolicySet(identity="{")
    again = pickle.loads(pickle.dumps(raised.value))
    assert type(again) is type(raised.value)
    assert again.diagnostics == raised.value.diagnostics
    assert str(again) == str(raised.value)


def test_paths_may_be_pathlike(tmp_path: Path):
    p = tmp_path / "p.json"
    p.write_text(json.dumps(CDK_DOCUMENT))
    assert s3guard.PolicySet(identity=p).can("s3:GetObject", "arn:aws:s3:::reports-bucket/k").allowed
