"""A base for hand-written provider bindings that can be aliased."""

from __future__ import annotations

import builtins
from typing import Any, Optional

import jsii

from ..cdk import TerraformProvider
from .binding import BindingError


class _Alias:
    """``provider.alias`` read from Python only.

    jsii treats any Python *property* named like a JS property as an override,
    and the JS side then asks Python for it on every read: cdktf reads
    ``alias`` twice per resource (through ``fqn``) and twice per provider, in
    each of its two synth passes; that was a third of the jsii round trips of
    a worker stack. A plain descriptor with only ``__get__`` is not taken for
    an override, so reading ``alias`` stays in Python; assignments go through
    ``AliasedProvider.__setattr__``.
    """

    def __get__(self, obj: Any, owner: type) -> Optional[str]:
        if obj is None:
            return self  # type: ignore[return-value]  # the class attribute itself
        return obj.__dict__.get("_fleetform_alias")


class AliasedProvider(TerraformProvider):
    """A ``TerraformProvider`` whose ``alias`` reaches the JSON and ``fqn``.

    cdktf's TerraformProvider leaves ``alias`` to generated subclasses (its own
    getter returns undefined). Here subclasses add :meth:`alias_attributes` to
    the attributes they synthesize, and ``fqn`` (what a resource's ``provider``
    names, ``<type>.<alias>``) is answered from Python: one callback per
    resource and synth pass instead of two, none for the provider itself.

    Subclasses pass ``alias`` and ``terraform_resource_type`` to ``__init__``.
    """

    alias = _Alias()

    def __init__(self, scope: Any, id: str, *, alias: Optional[str],
                 terraform_resource_type: str, **kwargs: Any) -> None:
        # Kept in Python: reading terraform_resource_type from fqn would be a jsii call.
        object.__setattr__(self, "_fleetform_type", terraform_resource_type)
        self.alias = alias
        super().__init__(scope, id, terraform_resource_type=terraform_resource_type,
                         **kwargs)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "alias":
            if value is not None and not isinstance(value, str):
                raise BindingError(f"alias must be a string or None, got {type(value).__name__}")
            object.__setattr__(self, "_fleetform_alias", value)
            return
        super().__setattr__(name, value)

    def alias_attributes(self) -> dict[str, str]:
        """``{"alias": <alias>}`` to add to the synthesized attributes, or ``{}``."""
        return {"alias": self.alias} if self.alias else {}

    @builtins.property
    @jsii.member(jsii_name="fqn")
    def fqn(self) -> str:
        """``<type>.<alias>``, or ``<type>`` for the default configuration."""
        alias = self.alias
        return f"{self._fleetform_type}.{alias}" if alias else self._fleetform_type
