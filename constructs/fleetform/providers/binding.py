"""What the hand-written provider bindings share: argument kinds, their checks, blocks as JSON,
and the synthesis of a resource's or data source's attributes.

A binding class declares its arguments as keyword parameters and a schema (name ->
kind); :func:`checked` drops unset ones and raises a :class:`BindingError` naming the
class and the argument when a value is of the wrong kind. A Terraform token fits
every kind. Blocks are frozen dataclasses, given as themselves or as a mapping of
the same keys (:func:`as_block`), and checked when built (:func:`block_fields`);
:func:`to_json` writes them, and the arguments, as Terraform JSON.

Every hand-written binding (the clouds', DigitalOcean, Kubernetes, Argo CD, Helm)
builds on this module, so all check and fail the same way.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Mapping, Optional, Sequence

import jsii
from constructs import Construct

from ..errors import ConfigError
from ..cdk import (ITerraformDependable, TerraformDataSource, TerraformProvider,
                   TerraformProviderGeneratorMetadata, TerraformResource,
                   TerraformResourceLifecycle)

class BindingError(ConfigError, TypeError):
    """An argument of a binding of the wrong kind, or missing.

    A ``TypeError``, as the prebuilt bindings raise, and a :class:`ConfigError`,
    as everything else fleetform refuses (with ``field`` when the binding knows
    the argument's path).
    """


# Argument kinds, checked on creation.
STRING, BOOLEAN, NUMBER = "string", "boolean", "number"
STRING_LIST, STRING_MAP = "list of strings", "map of strings"


def is_resolvable(value: Any) -> bool:
    """A jsii object (an IResolvable such as a Terraform expression), not a Python value."""
    return hasattr(value, "__jsii_ref__") or hasattr(type(value), "__jsii_type__")


def fits(kind: str, value: Any) -> bool:
    """Whether ``value`` is of argument kind ``kind``, or a token."""
    if is_resolvable(value):
        return True
    if kind == STRING:
        return isinstance(value, str)
    if kind == BOOLEAN:
        return isinstance(value, bool)
    if kind == NUMBER:  # a number token is a float
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == STRING_LIST:
        return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
    if kind == STRING_MAP:
        return isinstance(value, Mapping) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    raise AssertionError(kind)


def checked(owner: str, schema: Mapping[str, str], values: Mapping[str, Any]) -> dict:
    """``values`` without unset (None) arguments; BindingError naming a mistyped one."""
    out = {}
    for name, value in values.items():
        if value is None:
            continue
        kind = schema[name]
        if not fits(kind, value):
            raise BindingError(f"{owner}: {name} must be a {kind} or a Terraform token, "
                               f"got {type(value).__name__} {value!r}")
        out[name] = list(value) if kind == STRING_LIST else \
            dict(value) if kind == STRING_MAP else value
    return out


def as_block(owner: str, cls: type, value: Any) -> Any:
    """A block given as its dataclass or a mapping of the same keys, as a dataclass."""
    if isinstance(value, cls) or is_resolvable(value):
        return value
    if isinstance(value, Mapping):
        try:
            return cls(**value)
        except TypeError as exc:
            raise BindingError(f"{owner}: {exc}") from None
    raise BindingError(f"{owner} must be a {cls.__name__} or a mapping, "
                       f"got {type(value).__name__} {value!r}")


def to_json(value: Any) -> Any:
    """Blocks (dataclasses), mappings and lists as Terraform JSON, recursively, without
    unset (None) attributes; a token or a scalar as is."""
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: to_json(getattr(value, f.name)) for f in fields(value)
                if getattr(value, f.name) is not None}
    if isinstance(value, Mapping):
        return {k: to_json(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


def blocks(owner: str, cls: type, value: Any) -> Any:
    """A list of blocks given as dataclasses or mappings, as dataclasses; a token as is."""
    if value is None or is_resolvable(value):
        return value
    if not isinstance(value, (list, tuple)):
        raise BindingError(f"{owner} must be a list of {cls.__name__}, "
                           f"got {type(value).__name__}")
    return [as_block(f"{owner}[{i}]", cls, v) for i, v in enumerate(value)]


def block_fields(owner: str, block: Any, schema: Mapping[str, str]) -> None:
    """Check a frozen block dataclass's fields named in ``schema`` (BindingError naming one),
    and keep their checked values (a tuple given for a list becomes a list)."""
    given = checked(owner, schema, {f.name: getattr(block, f.name) for f in fields(block)
                                    if f.name in schema})
    for name, value in given.items():
        object.__setattr__(block, name, value)


def required(owner: str, attributes: Mapping[str, Any], *names: str) -> None:
    """BindingError naming the first of ``names`` missing from ``attributes``."""
    for name in names:
        if name not in attributes:
            raise BindingError(f"{owner}: {name} is required")


class Attributes:
    """Synthesis of the attributes given at construction, and references to any attribute."""

    _fleetform_attributes: dict

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return {name: to_json(value) for name, value in self._fleetform_attributes.items()}

    def _reference(self, attribute: str) -> str:
        return self.get_string_attribute(attribute)  # type: ignore[attr-defined]


class Resource(Attributes, TerraformResource):
    """A bound resource type: subclasses set ``_type`` and ``_metadata``."""

    _type: str
    _metadata: TerraformProviderGeneratorMetadata

    def __init__(self, scope: Construct, id: str, attributes: dict, *,
                 provider: Optional[TerraformProvider] = None,
                 depends_on: Optional[Sequence[ITerraformDependable]] = None,
                 lifecycle: Optional[TerraformResourceLifecycle] = None) -> None:
        self._fleetform_attributes = attributes
        super().__init__(scope, id, terraform_resource_type=self._type,
                         terraform_generator_metadata=self._metadata, provider=provider,
                         depends_on=depends_on, lifecycle=lifecycle)


class DataSource(Attributes, TerraformDataSource):
    """A bound data source type: subclasses set ``_type`` and ``_metadata``."""

    _type: str
    _metadata: TerraformProviderGeneratorMetadata

    def __init__(self, scope: Construct, id: str, attributes: dict, *,
                 provider: Optional[TerraformProvider] = None,
                 depends_on: Optional[Sequence[ITerraformDependable]] = None) -> None:
        self._fleetform_attributes = attributes
        super().__init__(scope, id, terraform_resource_type=self._type,
                         terraform_generator_metadata=self._metadata, provider=provider,
                         depends_on=depends_on)
