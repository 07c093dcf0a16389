"""A minimal typed binding of ``hashicorp/random``'s ``random_password``.

Only what the Argo CD construct needs: a generated password kept in state,
whose ``bcrypt_hash`` is computed once (so plans do not show a new hash).
"""

from __future__ import annotations

from typing import Any, Mapping

from constructs import Construct

from ..cdk import TerraformProvider, TerraformResource
from .versions import PROVIDERS

RANDOM_SOURCE = "hashicorp/random"
RANDOM_VERSION = PROVIDERS["random"].version


class RandomProvider(TerraformProvider):
    """The ``random`` provider (no configuration)."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id, terraform_resource_type="random",
                         terraform_provider_source=RANDOM_SOURCE,
                         terraform_generator_metadata={"provider_name": "random",
                                                       "provider_version_constraint": RANDOM_VERSION})

    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return {}


class RandomPassword(TerraformResource):
    """``random_password``: ``result`` and ``bcrypt_hash`` are sensitive in Terraform."""

    def __init__(self, scope: Construct, id: str, *, length: int = 32, special: bool = False,
                 provider: TerraformProvider | None = None) -> None:
        super().__init__(scope, id, terraform_resource_type="random_password",
                         terraform_generator_metadata={"provider_name": "random",
                                                       "provider_version_constraint": RANDOM_VERSION},
                         provider=provider)
        self._length = length
        self._special = special

    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return {"length": self._length, "special": self._special}

    @property
    def result(self) -> str:
        """The generated password."""
        return self.get_string_attribute("result")

    @property
    def bcrypt_hash(self) -> str:
        """A bcrypt hash of the password, stable across plans."""
        return self.get_string_attribute("bcrypt_hash")
