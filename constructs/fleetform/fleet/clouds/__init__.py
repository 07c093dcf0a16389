"""The clouds a cluster can be in, and the model of a whole ``cluster.yaml``.

``CLOUDS`` is the registry: one :class:`~fleetform.fleet.clouds.base.Cloud` per
value of ``cloud:`` (default ``digitalocean``), each from its module here, with
its ``cluster.yaml`` model, its stack builder, its provider credentials and its
retirement notes. Adding a cloud is adding a module and an entry below.

The model of a file is its cloud's model with its role's keys
(:class:`~fleetform.fleet.cluster_yaml.ManagementCluster` or ``WorkerCluster``):
:data:`MODELS` holds one per cloud and role, and :class:`Document` picks it
from the file's ``cloud`` and ``role``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Union, get_args

from pydantic import BaseModel, Discriminator, Tag

from ..cluster_yaml import ClusterBase, ManagementCluster, ROLE_MODELS, WorkerCluster
from . import aws, azure, digitalocean, gcp
from .base import Cloud

#: Every cloud, by the value of ``cloud:``.
CLOUDS: dict[str, Cloud] = {cloud.name: cloud for cloud in (digitalocean.CLOUD, aws.CLOUD,
                                                            azure.CLOUD, gcp.CLOUD)}
#: The cloud of a cluster.yaml without ``cloud:``.
DEFAULT_CLOUD = digitalocean.CLOUD.name


def _model(cloud: Cloud, role: str) -> type[ClusterBase]:
    """The model of a ``cluster.yaml`` of this cloud and role: the cloud's keys, then the
    role's."""
    role_model = ROLE_MODELS[role]
    name = f"{cloud.model.__name__.removesuffix('Cluster')}{role_model.__name__}"
    return type(name, (cloud.model, role_model), {"__module__": __name__,
                                                  "__doc__": role_model.__doc__})


def tag(cloud: str, role: str) -> str:
    """The name of the (cloud, role) model, as pydantic's error locations give it."""
    return f"{cloud}/{role}"


#: The model of each cloud and role, by :func:`tag`.
MODELS: dict[str, type[ClusterBase]] = {
    tag(cloud.name, role): _model(cloud, role) for cloud in CLOUDS.values()
    for role in ROLE_MODELS}


def _kind(value: Any) -> str | None:
    """The tag of the model a document's ``cloud`` and ``role`` name (None: no role)."""
    if isinstance(value, dict):
        cloud, role = value.get("cloud", DEFAULT_CLOUD), value.get("role")
    else:
        cloud, role = getattr(value, "cloud", None), getattr(value, "role", None)
    if role is None:
        return None
    return tag(str(cloud), str(role))


ClusterSpec = Annotated[Union[tuple(Annotated[model, Tag(name)]  # type: ignore[misc]
                                    for name, model in MODELS.items())],
                        Discriminator(_kind)]


class Document(BaseModel):
    """A whole ``cluster.yaml``: its spec, of the model its ``cloud`` and ``role`` name."""

    spec: ClusterSpec


def cloud_of(spec: ClusterBase) -> Cloud:
    """The cloud of a validated cluster."""
    return CLOUDS[spec.cloud]


def unknown_cloud(value: object) -> str | None:
    """Why ``cloud: <value>`` names no cloud (None: it names one)."""
    if isinstance(value, str) and value in CLOUDS:
        return None
    return (f"must be one of {', '.join(CLOUDS)} (default {DEFAULT_CLOUD}), "
            f"got {value!r}")


def other_clouds_key(cloud: str, key: str) -> Cloud | None:
    """The cloud whose own top-level key ``key`` is, if not ``cloud``'s."""
    return next((c for c in CLOUDS.values() if c.name != cloud and key in c.keys), None)


def _pattern(model: Any, field: str) -> "re.Pattern[str] | None":
    """The pattern a model's string field is held to (None: none)."""
    if field == "size":
        model = get_args(model.model_fields["node_pools"].annotation)[0]
    info = model.model_fields.get(field)
    for constraint in info.metadata if info is not None else ():
        pattern = getattr(constraint, "pattern", None)
        if pattern is not None:
            return re.compile(pattern) if isinstance(pattern, str) else pattern
    return None


def other_clouds_value(cloud: str, field: str, value: object) -> Cloud | None:
    """Another cloud whose format ``value`` has for ``field`` (``region``,
    ``kubernetes_version`` or a pool's ``size``): ``fra1`` in an AWS cluster is a
    DigitalOcean region."""
    if not isinstance(value, str):
        return None
    for other in CLOUDS.values():
        pattern = _pattern(other.model, field) if other.name != cloud else None
        if pattern is not None and pattern.match(value):
            return other
    return None


__all__ = ["CLOUDS", "Cloud", "DEFAULT_CLOUD", "Document", "MODELS", "ManagementCluster",
           "WorkerCluster", "cloud_of", "other_clouds_key", "other_clouds_value", "tag",
           "unknown_cloud"]
