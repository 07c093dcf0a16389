"""The stand-in providers' schemas are the providers' own, as the prebuilt bindings know them.

``tests/terraform/schemas.py`` is transcribed by hand from each provider's source at
the pinned tag; ``terraform validate`` and every plan in the suite are only as right
as that transcription. The prebuilt cdktf bindings are generated from the same
providers' schemas (``terraform providers schema -json`` at the version each binds),
and their jsii assemblies record every argument of every resource, data source and
provider configuration: its name, whether it is optional, its type, and which
nested blocks are structs. This module compares the two, both ways, for every type
the stand-ins serve, at the version each binding was generated for:

- each argument of the stand-in is an argument of the binding, optional or required
  alike, of the same kind of type (string, number, bool, list or set, map, block);
- each computed-only attribute of the stand-in is an attribute of the binding's
  class and not an argument (a stand-in that let Terraform accept it in
  configuration would pass what the provider refuses);
- each nested block and nested attribute, recursively;
- each argument of the binding is in the stand-in, but for :data:`LEFT_OUT`.

What the assemblies cannot tell is not compared: sensitivity, defaults, ForceNew,
validators (PROVENANCE.md says where those come from). The argocd provider has no
prebuilt binding (``argoproj-labs/argocd`` is not among cdktf's prebuilt
providers), so its stand-in rests on PROVENANCE.md alone. Nor are the aws, azurerm
and google ones compared here: their prebuilt bindings are hundreds of MB each and
bind other versions than the ones pinned; ``tests/test_cloud_bindings.py`` checks
fleetform's hand-written bindings against the stand-ins' schemas instead.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import tarfile
from importlib.util import find_spec
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "terraform"))
from schemas import PROVIDERS, Block  # noqa: E402

#: Stand-in provider -> the prebuilt binding generated from it (a development dependency).
BINDINGS = {"digitalocean": "cdktf_cdktf_provider_digitalocean",
            "kubernetes": "cdktf_cdktf_provider_kubernetes",
            "helm": "cdktf_cdktf_provider_helm",
            "random": "cdktf_cdktf_provider_random"}
#: Arguments of the bindings the stand-ins leave out, and why (PROVENANCE.md, "Left out").
LEFT_OUT = {"timeouts": "SDKv2 resources' timeouts block: fleetform sets none"}
#: cdktf's own arguments on every resource (meta-arguments), not the provider's.
META_ARGUMENTS = {"connection", "count", "dependsOn", "forEach", "lifecycle", "provider",
                  "provisioners", "alias"}
#: SDKv2 adds ``id`` to every resource as optional and computed; the bindings list it as
#: an optional argument, the stand-ins serve it computed (fleetform never sets one).
IMPLICIT_ID = "id"
_LINK = re.compile(r"\{@link https://registry\.terraform\.io/providers/[^/]+/[^/]+/"
                   r"([0-9.]+)/docs/(resources|data-sources)/[^ ]+ ([a-z0-9_]+)\}")


@functools.lru_cache(maxsize=None)
def assembly(provider: str) -> dict:
    """The types of the binding's jsii assembly, and the Terraform types it binds."""
    spec = find_spec(BINDINGS[provider])
    assert spec is not None and spec.origin, f"{BINDINGS[provider]} is not installed"
    (tgz,) = (Path(spec.origin).parent / "_jsii").glob("*.jsii.tgz")
    with tarfile.open(tgz) as archive:
        types = json.load(archive.extractfile("package/.jsii"))["types"]
    classes, versions = {}, set()
    for fqn, kind in types.items():
        found = _LINK.search(kind.get("docs", {}).get("summary", "")) \
            if kind["kind"] == "class" else None
        if found:
            versions.add(found.group(1))
            classes[(found.group(2), found.group(3))] = fqn
    provider_class = next(f for f, kind in types.items() if kind["kind"] == "class"
                          and re.search(r"\.provider\.[A-Za-z]+Provider$", f))
    classes[("provider", provider)] = provider_class
    return {"types": types, "classes": classes, "versions": versions}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _kind(ref: dict) -> str:
    """What a jsii type reference is: string, number, bool, any, list, map or block."""
    if "union" in ref:
        kinds = {_kind(r) for r in ref["union"]["types"] if r.get("fqn") != "cdktf.IResolvable"}
        return kinds.pop() if len(kinds) == 1 else "|".join(sorted(kinds))
    if "primitive" in ref:
        return {"boolean": "bool"}.get(ref["primitive"], ref["primitive"])
    if "collection" in ref:
        element = _kind(ref["collection"]["elementtype"])
        if element == "block":
            return "block"  # a list of nested blocks
        return "list" if ref["collection"]["kind"] == "array" else "map"
    return "block" if "fqn" in ref else "?"


def _struct(ref: dict) -> str | None:
    """The struct a (list of, or resolvable) block reference names."""
    if "union" in ref:
        return next(filter(None, map(_struct, ref["union"]["types"])), None)
    if "collection" in ref:
        return _struct(ref["collection"]["elementtype"])
    return ref["fqn"] if ref.get("fqn", "cdktf.IResolvable") != "cdktf.IResolvable" else None


def _cty_kind(cty) -> str:
    if isinstance(cty, str):
        return cty
    return {"list": "list", "set": "list", "map": "map", "object": "block"}.get(cty[0], "?")


def differences(types: dict, struct: str, block: Block, where: str,
                attributes: set[str] | None = None) -> list[str]:
    """How the stand-in's ``block`` differs from the binding's ``struct`` (one line each).

    ``attributes``: the names of the binding class's attributes (computed ones included).
    """
    arguments = {p["name"]: p for p in types[struct].get("properties", [])}
    found = []
    for name, attribute in block.attrs.items():
        key, at = camel(name), f"{where}.{name}"
        if attribute.mode == "computed":
            if key in arguments and name != IMPLICIT_ID:
                found.append(f"{at}: computed only here, an argument of the binding")
            elif attributes is not None and key not in attributes:
                found.append(f"{at}: an attribute the binding does not have")
            continue
        if key not in arguments:
            found.append(f"{at}: not an argument of the binding")
            continue
        argument = arguments[key]
        if bool(argument.get("optional")) != attribute.optional:
            found.append(f"{at}: {attribute.mode} here, "
                         f"{'optional' if argument.get('optional') else 'required'} in the binding")
        if attribute.nested is not None:
            found += differences(types, _struct(argument["type"]), attribute.nested[1], at)
        elif _kind(argument["type"]) not in (_cty_kind(attribute.type), "any"):
            found.append(f"{at}: {attribute.type} here, {_kind(argument['type'])} in the "
                         "binding")
    for name, nested in block.blocks.items():
        key, at = camel(name), f"{where}.{name}"
        if key not in arguments or _kind(arguments[key]["type"]) != "block":
            found.append(f"{at}: a block here, not in the binding" if key not in arguments
                         else f"{at}: a block here, {_kind(arguments[key]['type'])} in the "
                              "binding")
            continue
        if bool(arguments[key].get("optional")) != (nested.min_items == 0):
            found.append(f"{at}: min_items {nested.min_items} here, "
                         f"{'optional' if arguments[key].get('optional') else 'required'} in "
                         "the binding")
        found += differences(types, _struct(arguments[key]["type"]), nested.block, at)
    served = {camel(n) for n in (*block.attrs, *block.blocks)}
    for key in sorted(set(arguments) - served - META_ARGUMENTS - set(map(camel, LEFT_OUT))):
        found.append(f"{where}.{key}: an argument of the binding the stand-in does not serve")
    return found


def _types():
    for provider, (_, version, schema, resources, data_sources, _) in PROVIDERS.items():
        if provider not in BINDINGS:
            continue
        yield pytest.param(provider, "provider", provider, schema, version, id=provider)
        for kind, items in (("resources", resources), ("data-sources", data_sources)):
            for name, block in items.items():
                yield pytest.param(provider, kind, name, block, version, id=f"{kind}/{name}")


def test_every_stand_in_with_a_binding_is_compared():
    assert set(BINDINGS) == set(PROVIDERS) - {"argocd", "aws", "azurerm", "google"}


@pytest.mark.parametrize("provider,kind,name,block,version", list(_types()))
def test_the_stand_ins_schema_is_the_bindings(provider, kind, name, block, version):
    bound = assembly(provider)
    assert bound["versions"] == {version}, f"the binding is for {provider} {bound['versions']}"
    cls = bound["classes"][(kind, name)]
    attributes = {p["name"] for p in bound["types"][cls].get("properties", [])}

    assert differences(bound["types"], f"{cls}Config", block, f"{kind}/{name}",
                       attributes) == []


def test_the_comparison_sees_a_slip_of_each_kind():
    """A stand-in schema with one slip of each kind: each is reported (so the test above
    can fail)."""
    from schemas import DO_NODE_POOL, A, Nested, comp, opt, req

    bound = assembly("digitalocean")
    cls = bound["classes"][("resources", "digitalocean_kubernetes_node_pool")]
    attrs = dict(DO_NODE_POOL.attrs)
    attrs["size"] = opt("string")                       # required there
    attrs["node_count"] = opt("string")                 # a number there
    attrs["actual_node_count"] = A("number", "optional")  # computed only there
    attrs["nodes_typo"] = comp("string")                # no such attribute
    del attrs["name"]                                   # an argument left out
    blocks = {**DO_NODE_POOL.blocks, "taint": Nested(Block(attrs={"key": req("string")}))}
    slipped = Block(attrs=attrs, blocks=blocks)

    found = differences(bound["types"], f"{cls}Config", slipped, "pool",
                        {p["name"] for p in bound["types"][cls]["properties"]})

    assert sorted(found) == sorted([
        "pool.size: optional here, required in the binding",
        "pool.node_count: string here, number in the binding",
        "pool.actual_node_count: not an argument of the binding",
        "pool.nodes_typo: an attribute the binding does not have",
        "pool.taint.effect: an argument of the binding the stand-in does not serve",
        "pool.taint.value: an argument of the binding the stand-in does not serve",
        "pool.name: an argument of the binding the stand-in does not serve",
    ]), found
