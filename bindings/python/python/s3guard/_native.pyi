# Types of the compiled module `s3guard._native` (src/lib.rs). Not a public
# API: use `s3guard`. Answers are plain dicts that `s3guard` turns into
# dataclasses; invalid input raises `s3guard.PolicyError` subclasses.

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union, final

from typing_extensions import Self

__all__ = ["Policies", "TestFile"]

_Source = Union[str, Tuple[str, str]]
"""A path, or (name, JSON text)."""

@final
class Policies:
    def __new__(
        cls,
        identity: Sequence[_Source],
        bucket: Sequence[_Source],
        boundary: Sequence[_Source],
        session: Sequence[_Source],
        scps: Sequence[Sequence[_Source]],
        rcps: Sequence[Sequence[_Source]],
        vpce: Sequence[_Source],
        not_principal_lenient: bool,
        management_account: bool,
        resource_in_management_account: bool,
        canonical_ids: Sequence[Tuple[str, str]],
        block_public_access: bool,
        strict: bool,
        access_point: Sequence[_Source] = ...,
        new_bucket_policy: Optional[_Source] = ...,
        block_public_access_settings: Sequence[Tuple[str, bool]] = ...,
        object_owner: Optional[str] = ...,
        object_acl: Sequence[str] = ...,
        bucket_acl: Sequence[str] = ...,
        object_ownership: Optional[str] = ...,
        vpce_type: Optional[str] = ...,
        access_point_bucket: Optional[str] = ...,
        access_point_bucket_account: Optional[str] = ...,
        access_point_network_origin: Optional[str] = ...,
        access_point_vpc: Optional[str] = ...,
    ) -> Self: ...
    def warnings(self) -> List[Dict[str, Any]]: ...
    def can(
        self,
        action: str,
        resource: str,
        principal: Optional[str],
        resource_account: Optional[str],
        context: Optional[Dict[str, Any]],
        at: Optional[str],
        region: Optional[str],
        no_defaults: bool,
        allow_unknown_action: bool,
        explain: bool,
    ) -> Dict[str, Any]: ...
    def check(
        self,
        expect: str,
        action: str,
        resource: str,
        principal: Optional[str],
        resource_account: Optional[str],
        context: Optional[Dict[str, Any]],
        at: Optional[str],
        region: Optional[str],
        no_defaults: bool,
    ) -> Optional[str]: ...
    def prove_cannot(
        self,
        actions: str,
        resources: str,
        principal: Optional[str],
        resource_account: Optional[str],
        context: Optional[Dict[str, Any]],
    ) -> Dict[str, Any]: ...

@final
class TestFile:
    def __new__(cls, path: str) -> Self: ...
    @property
    def path(self) -> str: ...
    def warnings(self) -> List[Dict[str, Any]]: ...
    def cases(self) -> List[Dict[str, Any]]: ...
    def run(self, index: int) -> Dict[str, Any]: ...
