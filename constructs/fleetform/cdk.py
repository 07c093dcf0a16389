"""The CDK fleetform builds on: CDKTF (``cdktf``) or CDK Terrain (``cdktn``).

CDK Terrain is CDKTF's maintained fork: the same model and classes under another
package name (``cdktf`` -> ``cdktn``), the same ``cdktf.json``, ``cdktf.out/`` and
logical IDs, so the same stacks and state. fleetform's constructs, bindings and
app import the CDK from here only, and run on whichever is installed:

* one installed: that one;
* both: ``FLEETFORM_CDK`` (``cdktf`` or ``cdktn``) chooses, else CDKTF, saying so
  once on stderr;
* neither: an ImportError saying what to install (``pip install 'fleetform[cdktf]'``
  or ``'fleetform[cdktn]'``).

:data:`NAME` and :data:`VERSION` say which runs. What fleetform does with the
CDK's internals (:meth:`fleetform.fleet.stacks.ClusterStack.prepare_stack`) is
checked against :data:`VERIFIED` versions and falls back on others.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys
from typing import TYPE_CHECKING

#: Chooses the CDK when both are installed.
CHOICE_ENV = "FLEETFORM_CDK"
#: The CDKs fleetform runs on: package -> name.
FLAVOURS = {"cdktf": "CDKTF", "cdktn": "CDK Terrain"}
#: The version of each whose internals fleetform's synth relies on.
VERIFIED = {"cdktf": "0.21.0", "cdktn": "0.24.0"}


def _installed(name: str) -> bool:
    """Whether the distribution ``name`` is installed (a directory of that name on
    ``sys.path`` is not a CDK)."""
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _choose() -> str:
    installed = [name for name in FLAVOURS if _installed(name)]
    wanted = os.environ.get(CHOICE_ENV, "").strip()
    if wanted:
        if wanted not in FLAVOURS:
            raise ImportError(f"{CHOICE_ENV}={wanted!r}: must be cdktf (CDKTF) or cdktn "
                              "(CDK Terrain)")
        if wanted not in installed:
            raise ImportError(f"{CHOICE_ENV}={wanted} but {wanted} is not installed: "
                              f"pip install 'fleetform[{wanted}]'")
        return wanted
    if not installed:
        raise ImportError("fleetform needs a CDK and neither is installed: pip install "
                          "'fleetform[cdktf]' (CDKTF 0.21) or 'fleetform[cdktn]' (CDK Terrain)")
    if len(installed) > 1:
        print(f"fleetform: both cdktf and cdktn are installed: using cdktf (set "
              f"{CHOICE_ENV}=cdktn for CDK Terrain)", file=sys.stderr)
    return installed[0]


#: The package in use: ``cdktf`` or ``cdktn``.
NAME = _choose()
#: Its installed version.
VERSION = importlib.metadata.version(NAME)
_cdk = importlib.import_module(NAME)

__all__ = ["CHOICE_ENV", "FLAVOURS", "NAME", "VERIFIED", "VERSION", "describe", "verified",
           "App",
           "DataResource",
           "Fn",
           "HttpBackend",
           "ITerraformDependable",
           "ITerraformIterator",
           "LocalBackend",
           "Precondition",
           "TerraformBackend",
           "TerraformCount",
           "TerraformDataSource",
           "TerraformOutput",
           "TerraformProvider",
           "TerraformProviderGeneratorMetadata",
           "TerraformResource",
           "TerraformResourceLifecycle",
           "TerraformStack",
           "TerraformVariable",
           "TerraformVariableValidationConfig",
           ]

if TYPE_CHECKING:  # the two are the same API: type-check against CDKTF's
    from cdktf import (
        App,
        DataResource,
        Fn,
        HttpBackend,
        ITerraformDependable,
        ITerraformIterator,
        LocalBackend,
        Precondition,
        TerraformBackend,
        TerraformCount,
        TerraformDataSource,
        TerraformOutput,
        TerraformProvider,
        TerraformProviderGeneratorMetadata,
        TerraformResource,
        TerraformResourceLifecycle,
        TerraformStack,
        TerraformVariable,
        TerraformVariableValidationConfig,
    )
else:
    App = _cdk.App
    DataResource = _cdk.DataResource
    Fn = _cdk.Fn
    HttpBackend = _cdk.HttpBackend
    ITerraformDependable = _cdk.ITerraformDependable
    ITerraformIterator = _cdk.ITerraformIterator
    LocalBackend = _cdk.LocalBackend
    Precondition = _cdk.Precondition
    TerraformBackend = _cdk.TerraformBackend
    TerraformCount = _cdk.TerraformCount
    TerraformDataSource = _cdk.TerraformDataSource
    TerraformOutput = _cdk.TerraformOutput
    TerraformProvider = _cdk.TerraformProvider
    TerraformProviderGeneratorMetadata = _cdk.TerraformProviderGeneratorMetadata
    TerraformResource = _cdk.TerraformResource
    TerraformResourceLifecycle = _cdk.TerraformResourceLifecycle
    TerraformStack = _cdk.TerraformStack
    TerraformVariable = _cdk.TerraformVariable
    TerraformVariableValidationConfig = _cdk.TerraformVariableValidationConfig


def verified() -> bool:
    """Whether the CDK in use is the version fleetform's synth was checked against."""
    return VERIFIED.get(NAME) == VERSION


def describe() -> str:
    """``CDKTF 0.21.0`` or ``CDK Terrain 0.24.0``."""
    return f"{FLAVOURS[NAME]} {VERSION}"
