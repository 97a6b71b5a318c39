"""s3guard: an offline simulator of AWS IAM authorization for Amazon S3.

Put policies in a :class:`PolicySet` by layer, then ask what AWS would
answer::

    import s3guard

    policies = s3guard.PolicySet(identity=["policies/rails-app.json"])
    answer = policies.can("s3:DeleteBucket", "arn:aws:s3:::another-test-bucket")
    answer.decision   # 'ImplicitDeny'
    print(answer)     # what `s3guard can` prints

Policies are paths (``str`` or ``os.PathLike``), JSON text, or dicts (a
CDK ``PolicyDocument.to_json()``). Nothing is sent anywhere: the answers
come from s3guard's own evaluator, compiled into this package. See
docs/python.md in the s3guard repository.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import (
    Any,
    Dict,
    Iterable,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from . import _native
from ._errors import (
    Diagnostic,
    InvalidTestFileError,
    PolicyError,
    PolicyFileError,
    PolicySyntaxError,
    PolicyValidationError,
    RequestError,
)

__all__ = [
    "Answer",
    "ContextValue",
    "Counterexample",
    "Decision",
    "Diagnostic",
    "InvalidTestFileError",
    "PolicyError",
    "PolicyFileError",
    "PolicyInput",
    "PolicySet",
    "PolicySyntaxError",
    "PolicyValidationError",
    "Proof",
    "RequestError",
    "Statement",
    "assert_allowed",
    "assert_cannot",
    "assert_decision",
    "assert_denied",
]

PolicyInput = Union[str, "os.PathLike[str]", Mapping[str, Any]]
"""A policy: a path, a JSON string (starting with ``{``) or a dict."""

Decision = Literal["Allow", "ExplicitDeny", "ImplicitDeny"]
"""AWS's three answers."""

Scalar = Union[str, int, float, bool]
ContextValue = Union[Scalar, Sequence[Scalar]]
"""A context value: booleans become ``true``/``false``, numbers their
decimal text; a list makes a multi-valued key (``aws:TagKeys``)."""


@dataclass(frozen=True)
class Statement:
    """A statement that decided: where it is and what it does."""

    file: str
    """The policy's file, or the name of an inline policy (``<identity[0]>``)."""
    line: int
    column: int
    sid: Optional[str]
    index: int
    """0-based position of the statement in its policy."""
    effect: Literal["Allow", "Deny"]
    policy_type: str
    """``identity``, ``resource``, ``boundary``, ``session``, ``scp``, ``rcp``,
    ``vpce`` or ``access-point``."""

    def __str__(self) -> str:
        sid = f" (Sid {self.sid})" if self.sid else ""
        return f"{self.file}:{self.line}:{self.column}{sid}"


@dataclass(frozen=True)
class Answer:
    """AWS's answer to one request, as ``s3guard can`` gives it.
    ``str(answer)`` is the text ``s3guard can`` prints."""

    decision: Decision
    action: str
    resource: str
    principal: str
    """The caller as s3guard understood it (``unspecified`` when none was given)."""
    resource_account: Optional[str]
    """The bucket owner's account, when known."""
    deciding: Tuple[Statement, ...]
    """The statements that decided: the Allows of an ``Allow``, the Denies of
    an ``ExplicitDeny``; none for an ``ImplicitDeny``."""
    notes: Tuple[str, ...]
    """What ``s3guard can`` adds under its answer (``decision depends on
    missing key aws:SourceIp (would be ALLOW if …)``)."""
    missing_keys: Tuple[str, ...]
    """Condition keys the answer depended on that the request did not carry."""
    warnings: Tuple[str, ...]
    """What ``s3guard can`` prints on stderr: a request AWS never makes
    (``s3:GetObject`` on a bucket ARN), values a condition could not compare."""
    text: str

    @property
    def allowed(self) -> bool:
        """Whether the decision is ``Allow``."""
        return self.decision == "Allow"

    def __str__(self) -> str:
        return self.text

    @staticmethod
    def _from(d: Mapping[str, Any]) -> "Answer":
        return Answer(
            decision=d["decision"],
            action=d["action"],
            resource=d["resource"],
            principal=d["principal"],
            resource_account=d["resource_account"],
            deciding=tuple(Statement(**s) for s in d["deciding"]),
            notes=tuple(d["notes"]),
            missing_keys=tuple(d["missing_keys"]),
            warnings=tuple(d["warnings"]),
            text=d["text"],
        )


@dataclass(frozen=True)
class Counterexample:
    """A request that the policies allow, found by :meth:`PolicySet.prove_cannot`
    and confirmed by the evaluator."""

    answer: Answer
    """The evaluator's answer for the request (always ``Allow``)."""
    context: Mapping[str, Optional[Union[str, List[str]]]]
    """The context keys the policies test: their value, or ``None`` when
    the request leaves the key out."""
    can_args: Tuple[str, ...]
    """The arguments of ``s3guard can`` (without policy flags) that
    reproduce the request."""

    @property
    def action(self) -> str:
        return self.answer.action

    @property
    def resource(self) -> str:
        return self.answer.resource


@dataclass(frozen=True)
class Proof:
    """The answer of ``s3guard prove --cannot``: ``proved`` (no request of
    the patterns is allowed, under any context), ``counterexample`` (this one
    is) or ``undecided`` (s3guard cannot decide exactly, and says why)."""

    outcome: Literal["proved", "counterexample", "undecided"]
    summary: str
    """One line: ``proved: no such request is allowed``, ``counterexample:
    s3:DeleteObject on arn:aws:s3:::media/x is allowed``, ``cannot prove: …``."""
    counterexample: Optional[Counterexample]
    reason: Optional[str]
    """Why s3guard cannot decide (``undecided`` only)."""
    actions: Tuple[str, ...]
    """The catalog actions the action pattern matched (all were considered)."""
    free_keys: Tuple[str, ...]
    """Context keys the policies test that the question leaves free."""
    approximations: Tuple[str, ...]
    """Where the proof approximated."""

    @property
    def proved(self) -> bool:
        """Whether no request of the patterns is allowed."""
        return self.outcome == "proved"

    def __str__(self) -> str:
        if self.counterexample is None:
            return self.summary
        return f"{self.summary}\n{self.counterexample.answer.text}"

    @staticmethod
    def _from(d: Mapping[str, Any]) -> "Proof":
        c = d["counterexample"]
        return Proof(
            outcome=d["outcome"],
            summary=d["summary"],
            counterexample=None
            if c is None
            else Counterexample(
                answer=Answer._from(c["answer"]),
                context=dict(c["context"]),
                can_args=tuple(c["can_args"]),
            ),
            reason=d["reason"],
            actions=tuple(d["actions"]),
            free_keys=tuple(d["free_keys"]),
            approximations=tuple(d["approximations"]),
        )


_Source = Union[str, Tuple[str, str]]


def _source(value: PolicyInput, where: str) -> _Source:
    if isinstance(value, Mapping):
        return (f"<{where}>", json.dumps(value, indent=2))
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, str):
        if value.lstrip().startswith("{"):
            return (f"<{where}>", value)
        return value
    raise TypeError(
        f"{where}: a policy is a path, a JSON string or a dict, not {type(value).__name__}"
    )


def _many(value: Union[None, PolicyInput, Iterable[PolicyInput]], where: str) -> List[_Source]:
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike, Mapping)):
        return [_source(value, where)]
    return [_source(v, f"{where}[{i}]") for i, v in enumerate(value)]


def _levels(
    value: Union[None, PolicyInput, Iterable[Union[PolicyInput, Iterable[PolicyInput]]]],
    where: str,
) -> List[List[_Source]]:
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike, Mapping)):
        return [[_source(value, f"{where}[0]")]]
    return [_many(level, f"{where}[{i}]") for i, level in enumerate(value)]


def _context(context: Optional[Mapping[str, ContextValue]]) -> Optional[Dict[str, Any]]:
    return None if context is None else dict(context)


def _block_public_access(
    value: Union[bool, Iterable[str], Mapping[str, bool]],
) -> Tuple[bool, List[Tuple[str, bool]]]:
    """``True``/``False``, setting names, or AWS's configuration object:
    (all four on, [(name, on)]); the names are checked by s3guard."""
    if isinstance(value, bool):
        return value, []
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, str):
        pairs = [(value, True)]
    else:
        pairs = [(name, True) for name in value]
    for name, on in pairs:
        if not isinstance(name, str) or not isinstance(on, bool):
            raise TypeError(
                "block_public_access: setting names are str and their values bool"
            )
    return False, pairs


def _acl(value: Union[None, str, Sequence[str]], where: str) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    items = list(value)
    if not all(isinstance(i, str) for i in items):
        raise TypeError(f"{where}: an ACL is a str or a list of str")
    return items


class PolicySet:
    """Policies by layer, compiled once, ready for many questions.

    Every argument is keyword-only. A policy is a path, a JSON string or a
    dict; the layers that may hold several take one or a list:

    - ``identity``: identity-based policies of the caller (a union);
    - ``bucket_policy``: the bucket policy;
    - ``boundary``: permissions boundaries; ``session``: session policies;
    - ``scps`` / ``rcps``: one entry per organization level, root first;
      an entry is a policy or a list of policies (a union). Every level
      must allow (``RCPFullAWSAccess`` is implicit at every RCP level);
    - ``vpce_policy``: the policy of the VPC endpoint the request comes
      through (with ``context={"aws:SourceVpce": "vpce-…"}``); ``vpce_type``
      ``"gateway"`` or ``"interface"`` (default);
    - ``access_point_policy``: the policy of the S3 access point that
      requests on an access point ARN go through, with ``access_point``
      describing it: ``{"bucket": NAME}`` (the bucket behind it, needed) and
      optionally ``"bucket_account"``, ``"network_origin"`` (``"Internet"``
      or ``"VPC"``) and ``"vpc"``;
    - ``new_bucket_policy``: the bucket policy an ``s3:PutBucketPolicy``
      request puts (for ``BlockPublicPolicy``).

    S3's own settings: ``block_public_access`` is ``True`` (all four
    settings), AWS's setting names (``["IgnorePublicAcls"]``) or AWS's
    ``PublicAccessBlockConfiguration`` (``{"BlockPublicPolicy": True}``),
    for the bucket or its account (AWS applies the most restrictive
    combination); ``object_acl`` and ``bucket_acl`` a canned ACL
    (``"public-read"``) or grants (``["grant-read=id=111122223333"]``);
    ``object_owner`` the account that owns the object; ``object_ownership``
    ``"BucketOwnerEnforced"``, ``"BucketOwnerPreferred"`` or
    ``"ObjectWriter"``.

    The options are the flags of ``s3guard can`` of the same names, read
    by the same code. Invalid settings raise :class:`RequestError`.
    Invalid policies raise a :class:`PolicyError` subclass listing every
    error of every policy with its place; warnings are in ``warnings``.
    """

    def __init__(
        self,
        *,
        identity: Union[None, PolicyInput, Sequence[PolicyInput]] = None,
        bucket_policy: Optional[PolicyInput] = None,
        boundary: Union[None, PolicyInput, Sequence[PolicyInput]] = None,
        session: Union[None, PolicyInput, Sequence[PolicyInput]] = None,
        scps: Optional[Sequence[Union[PolicyInput, Sequence[PolicyInput]]]] = None,
        rcps: Optional[Sequence[Union[PolicyInput, Sequence[PolicyInput]]]] = None,
        vpce_policy: Optional[PolicyInput] = None,
        not_principal: Literal["strict", "lenient"] = "strict",
        management_account: bool = False,
        resource_in_management_account: bool = False,
        canonical_ids: Optional[Mapping[str, str]] = None,
        block_public_access: Union[bool, Iterable[str], Mapping[str, bool]] = False,
        strict: bool = False,
        access_point_policy: Union[None, PolicyInput, Sequence[PolicyInput]] = None,
        access_point: Optional[Mapping[str, str]] = None,
        new_bucket_policy: Optional[PolicyInput] = None,
        object_owner: Optional[str] = None,
        object_acl: Union[None, str, Sequence[str]] = None,
        bucket_acl: Union[None, str, Sequence[str]] = None,
        object_ownership: Optional[
            Literal["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"]
        ] = None,
        vpce_type: Optional[Literal["gateway", "interface"]] = None,
    ) -> None:
        if not_principal not in ("strict", "lenient"):
            raise ValueError(f"not_principal must be 'strict' or 'lenient', not {not_principal!r}")
        all_four, settings = _block_public_access(block_public_access)
        ap = dict(access_point or {})
        unknown = sorted(set(ap) - {"bucket", "bucket_account", "network_origin", "vpc"})
        if unknown:
            raise TypeError(
                f"access_point: unknown field {unknown[0]!r} "
                "(bucket, bucket_account, network_origin, vpc)"
            )
        self._native = _native.Policies(
            _many(identity, "identity"),
            [] if bucket_policy is None else [_source(bucket_policy, "bucket_policy")],
            _many(boundary, "boundary"),
            _many(session, "session"),
            _levels(scps, "scps"),
            _levels(rcps, "rcps"),
            [] if vpce_policy is None else [_source(vpce_policy, "vpce_policy")],
            not_principal == "lenient",
            management_account,
            resource_in_management_account,
            list((canonical_ids or {}).items()),
            all_four,
            strict,
            access_point=_many(access_point_policy, "access_point_policy"),
            new_bucket_policy=None
            if new_bucket_policy is None
            else _source(new_bucket_policy, "new_bucket_policy"),
            block_public_access_settings=settings,
            object_owner=object_owner,
            object_acl=_acl(object_acl, "object_acl"),
            bucket_acl=_acl(bucket_acl, "bucket_acl"),
            object_ownership=object_ownership,
            vpce_type=vpce_type,
            access_point_bucket=ap.get("bucket"),
            access_point_bucket_account=ap.get("bucket_account"),
            access_point_network_origin=ap.get("network_origin"),
            access_point_vpc=ap.get("vpc"),
        )

    @property
    def warnings(self) -> Tuple[Diagnostic, ...]:
        """Warnings and suggestions of the policies (``s3guard can`` prints
        them on stderr)."""
        return tuple(Diagnostic(**d) for d in self._native.warnings())

    def can(
        self,
        action: str,
        resource: str,
        principal: Optional[str] = None,
        context: Optional[Mapping[str, ContextValue]] = None,
        *,
        resource_account: Optional[str] = None,
        at: Optional[str] = None,
        region: Optional[str] = None,
        no_defaults: bool = False,
        allow_unknown_action: bool = False,
        explain: bool = False,
    ) -> Answer:
        """What AWS answers to ``action`` on ``resource``: ``s3guard can``.

        The request is built as ``s3guard can`` builds it: from
        ``principal`` (an ARN, a service principal such as
        ``cloudfront.amazonaws.com``, or ``anonymous``) s3guard derives
        ``aws:PrincipalArn``, ``aws:PrincipalAccount``, … ; it assumes
        ``aws:SecureTransport=true``, the current time (or ``at``: ISO 8601
        or epoch seconds) and the caller's account as the bucket's (or
        ``resource_account``). ``context`` keys replace anything filled
        in; ``no_defaults=True`` fills in nothing. ``explain=True`` adds
        every statement's trace and the request context to ``text``.

        Raises :class:`RequestError` for an invalid action, resource,
        principal, account or date, and for an action missing from
        s3guard's catalog (a typo such as ``s3:DeleteBuckets`` would
        otherwise be "denied"): ``allow_unknown_action=True`` evaluates it
        anyway, as ``s3guard can --allow-unknown-action`` does.
        """
        return Answer._from(
            self._native.can(
                action,
                resource,
                principal,
                resource_account,
                _context(context),
                at,
                region,
                no_defaults,
                allow_unknown_action,
                explain,
            )
        )

    def prove_cannot(
        self,
        action_pattern: str,
        on: str,
        *,
        principal: Optional[str] = None,
        resource_account: Optional[str] = None,
        context: Optional[Mapping[str, ContextValue]] = None,
    ) -> Proof:
        """Whether ANY request whose action matches ``action_pattern``
        (``s3:Delete*``) and whose resource matches ``on``
        (``arn:aws:s3:::prod*``, or ``*``) is allowed, under any context:
        ``s3guard prove --cannot PATTERN --on PATTERN``. ``principal``,
        ``resource_account`` and ``context`` fix the caller and keys;
        every other key may take any value or be missing.

        Raises :class:`RequestError` for an invalid pattern or caller.
        """
        return Proof._from(
            self._native.prove_cannot(
                action_pattern, on, principal, resource_account, _context(context)
            )
        )


def _check(
    expect: str,
    policies: PolicySet,
    action: str,
    resource: str,
    principal: Optional[str],
    context: Optional[Mapping[str, ContextValue]],
    resource_account: Optional[str],
    at: Optional[str],
    region: Optional[str],
    no_defaults: bool,
) -> None:
    if not isinstance(policies, PolicySet):
        raise TypeError(f"expected a s3guard.PolicySet, not {type(policies).__name__}")
    failure = policies._native.check(
        expect,
        action,
        resource,
        principal,
        resource_account,
        _context(context),
        at,
        region,
        no_defaults,
    )
    if failure is not None:
        raise AssertionError(failure)


def assert_allowed(
    policies: PolicySet,
    action: str,
    resource: str,
    principal: Optional[str] = None,
    context: Optional[Mapping[str, ContextValue]] = None,
    *,
    resource_account: Optional[str] = None,
    at: Optional[str] = None,
    region: Optional[str] = None,
    no_defaults: bool = False,
) -> None:
    """Raises ``AssertionError`` unless AWS allows the request; the message
    is what ``s3guard can`` prints (the decision and the deciding
    statements with ``FILE:LINE:COL``). A request AWS never makes
    (``s3:GetObject`` on a bucket ARN, an action missing from the catalog)
    fails too: it would pass for the wrong reason. Arguments as
    :meth:`PolicySet.can`."""
    _check("allow", policies, action, resource, principal, context,
           resource_account, at, region, no_defaults)


def assert_denied(
    policies: PolicySet,
    action: str,
    resource: str,
    principal: Optional[str] = None,
    context: Optional[Mapping[str, ContextValue]] = None,
    *,
    resource_account: Optional[str] = None,
    at: Optional[str] = None,
    region: Optional[str] = None,
    no_defaults: bool = False,
) -> None:
    """Raises ``AssertionError`` unless AWS denies the request (explicitly
    or implicitly); the message is what ``s3guard can`` prints. See
    :func:`assert_allowed`."""
    _check("deny", policies, action, resource, principal, context,
           resource_account, at, region, no_defaults)


def assert_decision(
    policies: PolicySet,
    decision: Decision,
    action: str,
    resource: str,
    principal: Optional[str] = None,
    context: Optional[Mapping[str, ContextValue]] = None,
    *,
    resource_account: Optional[str] = None,
    at: Optional[str] = None,
    region: Optional[str] = None,
    no_defaults: bool = False,
) -> None:
    """Raises ``AssertionError`` unless the decision is exactly ``decision``
    (``Allow``, ``ExplicitDeny`` or ``ImplicitDeny``). See
    :func:`assert_allowed`."""
    expect = {"Allow": "allow", "ExplicitDeny": "explicit-deny", "ImplicitDeny": "implicit-deny"}
    if decision not in expect:
        raise ValueError(f"decision must be one of {', '.join(expect)}, not {decision!r}")
    _check(expect[decision], policies, action, resource, principal, context,
           resource_account, at, region, no_defaults)


def assert_cannot(
    policies: PolicySet,
    action_pattern: str,
    on: str,
    *,
    principal: Optional[str] = None,
    resource_account: Optional[str] = None,
    context: Optional[Mapping[str, ContextValue]] = None,
) -> None:
    """Raises ``AssertionError`` unless s3guard proves that no request of
    the patterns is allowed (:meth:`PolicySet.prove_cannot`); the message
    is the counterexample and ``s3guard can``'s answer for it, or why
    s3guard cannot decide."""
    proof = policies.prove_cannot(
        action_pattern, on, principal=principal, resource_account=resource_account, context=context
    )
    if not proof.proved:
        raise AssertionError(f"{action_pattern} on {on}: {proof}")
