"""Invalid input raises a PolicyError subclass with file, line, column,
code, pointer and hint: the same diagnostics the CLI prints."""

from __future__ import annotations

from pathlib import Path

import pytest

import s3guard

TYPO = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*",
      "Condition": {"StringEqualz": {"aws:username": "alice"}}
    }
  ]
}
"""


def test_a_policy_error_in_a_file_has_its_position(tmp_path: Path):
    p = tmp_path / "typo.json"
    p.write_text(TYPO)
    with pytest.raises(s3guard.PolicyValidationError) as raised:
        s3guard.PolicySet(identity=[p])
    e = raised.value
    assert isinstance(e, s3guard.PolicyError) and isinstance(e, ValueError)
    assert (e.file, e.line, e.column) == (str(p), 8, 21)
    assert e.code == "INVALID_CONDITION_OPERATOR"
    assert e.message == "unknown condition operator `StringEqualz`"
    assert e.pointer == "/Statement/0/Condition/StringEqualz"
    assert e.hint == "did you mean `StringEquals`?"
    assert str(e).startswith(f"{p}:8:21: error[invalid-condition-operator]: ")


def test_json_syntax_errors_are_policy_syntax_errors():
    with pytest.raises(s3guard.PolicySyntaxError) as raised:
        s3guard.PolicySet(bucket_policy='{"Version": "2012-10-17",\n "Statement": [}')
    e = raised.value
    assert (e.file, e.line, e.code) == ("<bucket_policy>", 2, "JSON_SYNTAX_ERROR")
    assert e.column is not None and e.column > 1


def test_every_error_of_every_policy_is_reported():
    bad_effect = {"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "s3:*", "Resource": "*"}]}
    no_action = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}
    with pytest.raises(s3guard.PolicyValidationError) as raised:
        s3guard.PolicySet(identity=[bad_effect], boundary=[no_action])
    errors = [(d.file, d.code) for d in raised.value.diagnostics if d.severity == "ERROR"]
    assert errors == [("<identity[0]>", "INVALID_EFFECT"), ("<boundary[0]>", "MISSING_ACTION")]
    # the dict is written out with one key a line: positions are meaningful
    assert (raised.value.line, raised.value.column) == (5, 17)


def test_a_missing_file_is_a_policy_file_error(tmp_path: Path):
    with pytest.raises(s3guard.PolicyFileError) as raised:
        s3guard.PolicySet(identity=tmp_path / "nope.json")
    assert raised.value.code == "IO_ERROR"
    assert raised.value.file == str(tmp_path / "nope.json")


def test_a_principal_in_an_identity_policy_is_refused():
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}],
    }
    with pytest.raises(s3guard.PolicyValidationError) as raised:
        s3guard.PolicySet(identity=policy)
    assert raised.value.pointer == "/Statement/0/Principal"
    # the same document is a valid bucket policy
    assert s3guard.PolicySet(bucket_policy=policy).can("s3:GetObject", "arn:aws:s3:::b/k").allowed


@pytest.mark.parametrize(
    "action, resource, principal, needle",
    [
        ("GetObject", "arn:aws:s3:::b/k", None, "GetObject"),
        ("s3:GetObject", "b/k", None, "b/k"),
        ("s3:GetObject", "arn:aws:s3:::b/k", "arn:aws:iam::12:user/x", "arn:aws:iam::12:user/x"),
    ],
)
def test_invalid_requests_raise_request_errors(action, resource, principal, needle):
    policies = s3guard.PolicySet(identity={"Version": "2012-10-17", "Statement": []})
    with pytest.raises(s3guard.RequestError) as raised:
        policies.can(action, resource, principal=principal)
    assert raised.value.code == "INVALID_ARGUMENT"
    assert needle in raised.value.message
    assert raised.value.hint


def test_an_action_missing_from_the_catalog_is_refused_unless_allowed():
    policies = s3guard.PolicySet(
        identity={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    )
    # a typo would otherwise be answered "denied" by accident, as `s3guard can` refuses it
    with pytest.raises(s3guard.RequestError) as raised:
        policies.can("s3:DeleteBuckets", "arn:aws:s3:::b")
    assert raised.value.code == "UNKNOWN_ACTION"
    assert "s3:DeleteBucket" in (raised.value.hint or "")
    # evaluated anyway when asked: `s3:*` covers it
    assert policies.can("s3:DeleteBuckets", "arn:aws:s3:::b", allow_unknown_action=True).allowed


def test_invalid_proof_patterns_raise_request_errors():
    policies = s3guard.PolicySet(identity={"Version": "2012-10-17", "Statement": []})
    with pytest.raises(s3guard.RequestError, match="not a resource pattern"):
        policies.prove_cannot("s3:Delete*", on="prod*")
    with pytest.raises(s3guard.RequestError, match="empty"):
        policies.prove_cannot("", on="*")


def test_non_policies_are_type_errors():
    with pytest.raises(TypeError, match="identity\\[0\\]: a policy is a path, a JSON string or a dict"):
        s3guard.PolicySet(identity=[42])
    with pytest.raises(ValueError, match="not_principal"):
        s3guard.PolicySet(identity=[], not_principal="loose")  # type: ignore[arg-type]
