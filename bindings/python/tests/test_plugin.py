"""The pytest plugin: `*.s3guard.json` files collected as items, one per
case, failing as `s3guard test` fails; invalid files as collection errors;
the `s3guard` fixture."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadWriteMedia",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": "arn:aws:s3:::media/*",
        }
    ],
}

TESTS = {
    "policies": [{"file": "app.json", "type": "identity"}],
    "defaults": {"principal": "arn:aws:iam::111122223333:user/app"},
    "cases": [
        {
            "name": "the app reads media",
            "action": "s3:GetObject",
            "resource": "arn:aws:s3:::media/cat.png",
            "expect": "allow",
        },
        {
            "name": "the app cannot delete media",
            "action": "s3:DeleteObject",
            "resource": "arn:aws:s3:::media/cat.png",
            "expect": "deny",
        },
    ],
}


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with a policy and a test file: one passing, one failing case."""
    pytester.makefile(".json", app=json.dumps(POLICY, indent=2))
    pytester.makefile(".s3guard.json", app=json.dumps(TESTS, indent=2))
    return pytester


def test_each_case_is_an_item_named_after_the_case(project: pytest.Pytester):
    result = project.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [
            "app.s3guard.json::the app reads media",
            "app.s3guard.json::the app cannot delete media",
        ]
    )


def test_the_passing_case_passes_and_the_failing_case_fails(project: pytest.Pytester):
    result = project.runpytest("-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*app.s3guard.json::the app reads media PASSED*",
            "*app.s3guard.json::the app cannot delete media FAILED*",
        ]
    )


def test_a_failure_reads_like_s3guard_test(project: pytest.Pytester, s3guard_bin):
    result = project.runpytest()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    out = result.stdout.str()
    # the case's place (line 18, column 5 of the test file), why, and the
    # deciding statement of the policy
    result.stdout.fnmatch_lines(
        [
            "*s3guard case: the app cannot delete media*",
            "app.s3guard.json:18:5: expected deny, got allow: s3:DeleteObject on arn:aws:s3:::media/cat.png",
            "  ALLOW",
            "    allowed by app.json:4:5 (Sid ReadWriteMedia): Allow s3:GetObject, s3:PutObject, s3:DeleteObject on arn:aws:s3:::media/*",
        ]
    )
    # every line of `s3guard test`'s report of that case is in pytest's
    cli = run_cli(s3guard_bin, ["test", "app.s3guard.json"], cwd=project.path)
    assert cli.returncode == 1
    report = cli.stdout.splitlines()
    start = report.index("  FAILED  the app cannot delete media")
    for line in report[start + 1 :]:
        if not line.strip():
            break
        assert line.strip() in out, line


def test_an_invalid_test_file_is_a_collection_error_with_positions(pytester: pytest.Pytester):
    pytester.makefile(".json", app=json.dumps(POLICY))
    broken = dict(TESTS, cases=[dict(TESTS["cases"][0], expekt="allow")])
    pytester.makefile(".s3guard.json", broken=json.dumps(broken, indent=2))
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*invalid s3guard test file; no case ran*",
            "broken.s3guard.json:17:7: error?unknown-field?: unknown field `expekt` in a request case",
            "  at /cases/0/expekt",
        ]
    )


def test_a_proof_case_runs_the_prover(pytester: pytest.Pytester):
    pytester.makefile(".json", app=json.dumps(POLICY))
    proofs = {
        "policies": [{"file": "app.json", "type": "identity"}],
        "cases": [
            {"name": "no bucket is ever deleted", "cannot": "s3:DeleteBucket", "on": "arn:aws:s3:::*"},
            {"name": "no object is ever deleted", "cannot": "s3:Delete*", "on": "arn:aws:s3:::*"},
        ],
    }
    pytester.makefile(".s3guard.json", proofs=json.dumps(proofs, indent=2))
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*not proved: s3:DeleteObject on arn:aws:s3:::media/* is allowed*"])


def test_the_s3guard_fixture_is_the_module(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        def test_uses_the_fixture(s3guard):
            policies = s3guard.PolicySet(identity={"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::media/*"}]})
            s3guard.assert_denied(policies, "s3:DeleteBucket", "arn:aws:s3:::media")
            s3guard.assert_allowed(policies, "s3:GetObject", "arn:aws:s3:::media/a")
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_the_plugin_can_be_turned_off(project: pytest.Pytester):
    result = project.runpytest("-p", "no:s3guard")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
