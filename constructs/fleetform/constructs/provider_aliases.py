"""One configuration per provider type and alias in a stack.

Terraform refuses a stack with two ``provider "kubernetes"`` blocks of the
same alias (or two without one), but only at ``init``/``plan``, far from the
construct that caused it. The constructs claim each provider configuration
they create here, before creating anything, and a second claim is a
ConfigError naming both constructs.
"""

from __future__ import annotations

import weakref
from typing import Iterable, Optional

from ..cdk import TerraformStack

from ..errors import ConfigError

#: stack -> (provider type, alias or None) -> the construct that configured it
_CLAIMS: "weakref.WeakKeyDictionary[TerraformStack, dict[tuple[str, Optional[str]], str]]" = \
    weakref.WeakKeyDictionary()


def claim_provider_aliases(stack: TerraformStack, providers: Iterable[tuple[str, Optional[str]]],
                           *, owner: str, field: str) -> None:
    """Record that ``owner`` configures each ``(type, alias)`` of ``providers`` in ``stack``.

    Raises ConfigError, and records nothing, when one is already configured there.
    """
    claims = _CLAIMS.setdefault(stack, {})
    wanted = list(providers)
    for provider_type, alias in wanted:
        other = claims.get((provider_type, alias))
        if other is not None:
            which = f"aliased {alias!r}" if alias else "without an alias"
            raise ConfigError(
                f"the stack already has a {provider_type} provider {which}, configured by "
                f"{other}; Terraform allows one per alias: give each construct its own "
                "provider alias", field=field)
    for key in wanted:
        claims[key] = owner
