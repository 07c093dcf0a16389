"""A base for hand-written provider bindings that can be aliased."""

from __future__ import annotations

import builtins
from typing import Optional

import jsii
from cdktf import TerraformProvider


class AliasedProvider(TerraformProvider):
    """A ``TerraformProvider`` whose ``alias`` reaches ``fqn`` and the JSON.

    cdktf's TerraformProvider leaves ``alias`` to generated subclasses (its own
    getter returns undefined); this overrides the jsii property. Subclasses set
    ``self._fleetform_alias`` before calling ``super().__init__``, since the
    JS side may read ``alias`` while constructing.
    """

    @builtins.property
    @jsii.member(jsii_name="alias")
    def alias(self) -> Optional[str]:
        """The provider alias, or None for the default configuration."""
        return getattr(self, "_fleetform_alias", None)

    @alias.setter
    def alias(self, value: Optional[str]) -> None:
        self._fleetform_alias = value
