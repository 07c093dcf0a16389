"""A small typed CDKTF binding of the few ``hashicorp/aws`` types an EKS cluster needs:
the provider, IAM and the account's data sources here, EKS in ``aws_eks.py``.

Why not the prebuilt ``cdktf-cdktf-provider-aws``: it is hundreds of MB, with a
jsii assembly to match, and every synth would load it for eleven of its
thousands of types. The classes keep the prebuilt binding's names and keyword
arguments, and synthesize the Terraform JSON it would (blocks of at most one
item as an object, others as a list), so switching is an import change.

Bound: the provider; ``aws_eks_cluster`` (``vpc_config``, ``access_config``),
``aws_eks_node_group`` (``scaling_config``, ``taint``), ``aws_eks_access_entry``,
``aws_eks_access_policy_association`` (``access_scope``), ``aws_iam_role``,
``aws_iam_role_policy_attachment``; the data sources ``aws_partition``,
``aws_caller_identity``, ``aws_iam_session_context``, ``aws_eks_cluster_versions``,
``aws_availability_zones``, ``aws_vpc`` and ``aws_subnets`` (``filter``). Arguments not bound are those the
EKS construct has no use for (launch templates, remote access, encryption
config, IAM inline policies, ...). The provider's version is pinned exactly:
its schema for these types is the one of that tag.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Union

import jsii
from constructs import Construct

from ..cdk import TerraformProviderGeneratorMetadata
from .alias import AliasedProvider
from .binding import (BOOLEAN, NUMBER, STRING, STRING_LIST, STRING_MAP, DataSource, Resource,
                      block_fields, blocks, checked, required, to_json)
from .versions import PROVIDERS

#: Registry source of the provider.
AWS_PROVIDER_SOURCE = "hashicorp/aws"
#: The provider version, pinned exactly: the schema bound here is this tag's.
AWS_PROVIDER_VERSION = PROVIDERS["aws"].version

_METADATA = TerraformProviderGeneratorMetadata(
    provider_name="aws", provider_version=AWS_PROVIDER_VERSION,
    provider_version_constraint=AWS_PROVIDER_VERSION)



# --------------------------------------------------------------------------
# Provider
# --------------------------------------------------------------------------

_PROVIDER = {"region": STRING, "profile": STRING, "allowed_account_ids": STRING_LIST,
             "max_retries": NUMBER}


@dataclass(frozen=True)
class AwsProviderDefaultTags:
    """``default_tags``: tags every resource of the provider gets."""

    tags: Optional[Mapping[str, str]] = None

    def __post_init__(self) -> None:
        block_fields("AwsProviderDefaultTags", self, {"tags": STRING_MAP})


class AwsProvider(AliasedProvider):
    """The ``aws`` provider for one region.

    Credentials are never arguments here: the provider reads them from the
    environment (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``,
    or ``AWS_ROLE_ARN`` with ``AWS_WEB_IDENTITY_TOKEN_FILE``), so none reaches
    ``cdktf.out``.
    """

    def __init__(self, scope: Construct, id: str, *, alias: Optional[str] = None,
                 region: Optional[str] = None, profile: Optional[str] = None,
                 allowed_account_ids: Optional[Sequence[str]] = None,
                 max_retries: Optional[float] = None,
                 default_tags: Optional[Sequence[Union[AwsProviderDefaultTags,
                                                       Mapping[str, Any]]]] = None) -> None:
        attributes = checked("AwsProvider", _PROVIDER, {
            "region": region, "profile": profile, "allowed_account_ids": allowed_account_ids,
            "max_retries": max_retries})
        if default_tags is not None:
            attributes["default_tags"] = blocks("AwsProvider: default_tags",
                                                AwsProviderDefaultTags, default_tags)
        self._fleetform_attributes = attributes
        super().__init__(scope, id, alias=alias, terraform_resource_type="aws",
                         terraform_generator_metadata=_METADATA,
                         terraform_provider_source=AWS_PROVIDER_SOURCE)

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return {**{k: to_json(v) for k, v in self._fleetform_attributes.items()},
                **self.alias_attributes()}


class AwsResource(Resource):
    """A resource of the aws provider (``aws.py``, ``aws_eks.py``)."""

    _metadata = _METADATA

    @builtins.property
    def id(self) -> str:
        """The resource's ID (a token)."""
        return self._reference("id")

    @builtins.property
    def arn(self) -> str:
        """The resource's ARN (a token), for the types that have one."""
        return self._reference("arn")


class AwsDataSource(DataSource):
    """A data source of the aws provider."""

    _metadata = _METADATA


# --------------------------------------------------------------------------
# IAM
# --------------------------------------------------------------------------

_ROLE = {"assume_role_policy": STRING, "name": STRING, "name_prefix": STRING, "path": STRING,
         "description": STRING, "max_session_duration": NUMBER, "permissions_boundary": STRING,
         "force_detach_policies": BOOLEAN, "tags": STRING_MAP}


class IamRole(AwsResource):
    """``aws_iam_role``: an IAM role, trusted by the principals of ``assume_role_policy``
    (a JSON policy document)."""

    _type = "aws_iam_role"

    def __init__(self, scope: Construct, id: str, *, assume_role_policy: str,
                 name: Optional[str] = None, name_prefix: Optional[str] = None,
                 path: Optional[str] = None, description: Optional[str] = None,
                 max_session_duration: Optional[float] = None,
                 permissions_boundary: Optional[str] = None,
                 force_detach_policies: Optional[bool] = None,
                 tags: Optional[Mapping[str, str]] = None, **meta: Any) -> None:
        attributes = checked("IamRole", _ROLE, {
            "assume_role_policy": assume_role_policy, "name": name, "name_prefix": name_prefix,
            "path": path, "description": description,
            "max_session_duration": max_session_duration,
            "permissions_boundary": permissions_boundary,
            "force_detach_policies": force_detach_policies, "tags": tags})
        required("IamRole", attributes, "assume_role_policy")
        super().__init__(scope, id, attributes, **meta)

    @builtins.property
    def name(self) -> str:
        """The role's name (a token; generated with ``name_prefix``)."""
        return self._reference("name")


class IamRolePolicyAttachment(AwsResource):
    """``aws_iam_role_policy_attachment``: a managed policy attached to a role."""

    _type = "aws_iam_role_policy_attachment"

    def __init__(self, scope: Construct, id: str, *, role: str, policy_arn: str,
                 **meta: Any) -> None:
        attributes = checked("IamRolePolicyAttachment", {"role": STRING, "policy_arn": STRING},
                             {"role": role, "policy_arn": policy_arn})
        required("IamRolePolicyAttachment", attributes, "role", "policy_arn")
        super().__init__(scope, id, attributes, **meta)


# --------------------------------------------------------------------------
# Data sources
# --------------------------------------------------------------------------


class DataAwsPartition(AwsDataSource):
    """Data source ``aws_partition``: ``aws``, ``aws-cn`` or ``aws-us-gov``, for ARNs."""

    _type = "aws_partition"

    def __init__(self, scope: Construct, id: str, **meta: Any) -> None:
        super().__init__(scope, id, {}, **meta)

    @builtins.property
    def partition(self) -> str:
        """The partition's name (a token)."""
        return self._reference("partition")


class DataAwsCallerIdentity(AwsDataSource):
    """Data source ``aws_caller_identity``: who Terraform runs as."""

    _type = "aws_caller_identity"

    def __init__(self, scope: Construct, id: str, **meta: Any) -> None:
        super().__init__(scope, id, {}, **meta)

    @builtins.property
    def arn(self) -> str:
        """The caller's ARN (a token; an STS assumed-role ARN for a role)."""
        return self._reference("arn")


class DataAwsIamSessionContext(AwsDataSource):
    """Data source ``aws_iam_session_context``: the IAM role behind an assumed-role ARN."""

    _type = "aws_iam_session_context"

    def __init__(self, scope: Construct, id: str, *, arn: str, **meta: Any) -> None:
        attributes = checked("DataAwsIamSessionContext", {"arn": STRING}, {"arn": arn})
        required("DataAwsIamSessionContext", attributes, "arn")
        super().__init__(scope, id, attributes, **meta)

    @builtins.property
    def issuer_arn(self) -> str:
        """The IAM role's (or user's) ARN (a token)."""
        return self._reference("issuer_arn")


class DataAwsVpc(AwsDataSource):
    """Data source ``aws_vpc``: one VPC (``default=True``: the region's default VPC)."""

    _type = "aws_vpc"

    def __init__(self, scope: Construct, id: str, *, default: Optional[bool] = None,
                 cidr_block: Optional[str] = None, **meta: Any) -> None:
        super().__init__(scope, id, checked("DataAwsVpc", {
            "default": BOOLEAN, "cidr_block": STRING}, {
            "default": default, "cidr_block": cidr_block}), **meta)

    @builtins.property
    def id(self) -> str:
        """The VPC's ID (a token)."""
        return self._reference("id")


class DataAwsAvailabilityZones(AwsDataSource):
    """Data source ``aws_availability_zones``: the region's zones, but those excluded."""

    _type = "aws_availability_zones"

    def __init__(self, scope: Construct, id: str, *, state: Optional[str] = None,
                 exclude_zone_ids: Optional[Sequence[str]] = None,
                 exclude_names: Optional[Sequence[str]] = None, **meta: Any) -> None:
        super().__init__(scope, id, checked("DataAwsAvailabilityZones", {
            "state": STRING, "exclude_zone_ids": STRING_LIST, "exclude_names": STRING_LIST}, {
            "state": state, "exclude_zone_ids": exclude_zone_ids,
            "exclude_names": exclude_names}), **meta)

    @builtins.property
    def names(self) -> Sequence[str]:
        """The zones' names (a token for a list of strings)."""
        return self.get_list_attribute("names")  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DataAwsSubnetsFilter:
    """A ``filter``: subnets whose EC2 field ``name`` has one of ``values``."""

    name: str
    values: Sequence[str]

    def __post_init__(self) -> None:
        block_fields("DataAwsSubnetsFilter", self, {"name": STRING, "values": STRING_LIST})


class DataAwsSubnets(AwsDataSource):
    """Data source ``aws_subnets``: the IDs of the subnets matching every filter."""

    _type = "aws_subnets"

    def __init__(self, scope: Construct, id: str, *,
                 filter: Optional[Sequence[Union[DataAwsSubnetsFilter,
                                                 Mapping[str, Any]]]] = None,
                 tags: Optional[Mapping[str, str]] = None, **meta: Any) -> None:
        attributes = checked("DataAwsSubnets", {"tags": STRING_MAP}, {"tags": tags})
        if filter is not None:
            attributes["filter"] = blocks("DataAwsSubnets: filter", DataAwsSubnetsFilter,
                                          filter)
        super().__init__(scope, id, attributes, **meta)

    @builtins.property
    def ids(self) -> Sequence[str]:
        """The subnets' IDs (a token for a list of strings)."""
        return self.get_list_attribute("ids")  # type: ignore[attr-defined]
