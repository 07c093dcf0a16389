"""What a change does to a synthesized stack: Terraform JSON compared per address.

Resources (``type.name``), data sources (``data.type.name``), outputs
(``output.name``), variables (``var.name``) and provider blocks
(``provider.type[.alias]``) are compared between the two sides' ``cdk.tf.json``:
added, removed, or changed with the attributes that changed (a path per
changed leaf, ``node_pool.max_nodes``). CDKTF's ``//`` metadata is ignored.

Sensitive values are never shown, conservatively: a value is redacted when it
refers (in a ``${...}`` expression) to a sensitive variable, to a resource or
data source that holds secrets (:data:`SECRET_TYPES`, kube configs), or to
anything whose own attributes refer to one (derived values, to a fixed
point); when its path names a secret (:data:`SECRET_KEY`); when it belongs to
a secret-holding resource outside its ``metadata``; and for sensitive
outputs and variables. A redacted change still says *which* attribute changed.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

#: Resource types whose attributes hold secrets (all values redacted but metadata).
SECRET_TYPES = frozenset({
    "random_password", "argocd_account_token", "kubernetes_secret_v1", "kubernetes_secret",
    "tls_private_key",
})
#: Data sources that read secrets (a DOKS cluster's kube_config, a Secret).
SECRET_DATA_TYPES = frozenset({"digitalocean_kubernetes_cluster", "kubernetes_secret_v1",
                               "kubernetes_secret"})
#: Attribute path segments that name a secret: their values are never shown.
SECRET_KEY = re.compile(r"password|passwd|token|secret|private|credential|kube_?config|"
                        r"client_key|api_key|bearer|sensitive", re.IGNORECASE)
#: Attributes of secret-holding resources that are safe to show.
SAFE_IN_SECRET_TYPES = frozenset({"metadata", "provider", "depends_on", "lifecycle", "type",
                                  "length", "special", "account",
                                  "wait_for_service_account_token"})
REDACTED = "(sensitive)"
#: Longest value shown as is; longer ones are cut with their length.
MAX_VALUE = 120
_EXPRESSION = re.compile(r"\$\{(.*?)\}", re.DOTALL)
_REFERENCE = re.compile(r"(?<![\w.])(var|local|data\.[a-z0-9_]+|[a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)")


@dataclass(frozen=True)
class AttributeChange:
    """One changed leaf of an address: old and new as shown (None: absent)."""

    path: str
    old: str | None
    new: str | None
    sensitive: bool = False
    #: A unified diff of a multi-line string value (not for sensitive ones).
    lines: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "old": self.old, "new": self.new,
                               "sensitive": self.sensitive}
        if self.lines:
            out["diff"] = list(self.lines)
        return out


@dataclass(frozen=True)
class AddressChange:
    """A resource, data source, output, variable or provider that changes."""

    address: str
    action: str  # "add", "change" or "remove"
    attributes: tuple[AttributeChange, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "action": self.action,
                "attributes": [a.to_dict() for a in self.attributes]}


@dataclass(frozen=True)
class StackDiff:
    """The change of one cluster's stack."""

    cluster: str
    status: str  # "added", "removed", "changed" or "unchanged"
    changes: tuple[AddressChange, ...] = ()
    #: Resources in the stack on its newest side (removed: on the base side).
    resources: int = 0

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def to_dict(self) -> dict[str, Any]:
        return {"cluster": self.cluster, "status": self.status, "resources": self.resources,
                "added": self.count("add"), "changed": self.count("change"),
                "removed": self.count("remove"),
                "changes": [c.to_dict() for c in self.changes]}


# --------------------------------------------------------------------------- addresses


def addresses(doc: dict) -> dict[str, tuple[str, dict]]:
    """``{address: (kind, body)}`` of a synthesized stack; kind is the resource type."""
    out: dict[str, tuple[str, dict]] = {}
    for kind, items in (doc.get("resource") or {}).items():
        for name, body in items.items():
            out[f"{kind}.{name}"] = (kind, body)
    for kind, items in (doc.get("data") or {}).items():
        for name, body in items.items():
            out[f"data.{kind}.{name}"] = (f"data.{kind}", body)
    for name, body in (doc.get("output") or {}).items():
        out[f"output.{name}"] = ("output", body)
    for name, body in (doc.get("variable") or {}).items():
        out[f"var.{name}"] = ("variable", body)
    for kind, blocks in (doc.get("provider") or {}).items():
        for i, body in enumerate(blocks if isinstance(blocks, list) else [blocks]):
            alias = body.get("alias") if isinstance(body, dict) else None
            suffix = f".{alias}" if alias else (f"[{i}]" if i else "")
            out[f"provider.{kind}{suffix}"] = ("provider", body)
    return out


def _strip_meta(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_meta(v) for k, v in value.items() if k != "//"}
    if isinstance(value, list):
        return [_strip_meta(v) for v in value]
    return value


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def references(value: Any) -> set[str]:
    """Addresses a value refers to in ``${...}`` expressions (``var.x``, ``type.name``)."""
    found = set()
    for text in _strings(value):
        for expression in _EXPRESSION.findall(text):
            for head, name in _REFERENCE.findall(expression):
                found.add(f"{head}.{name}")
    return found


def tainted(doc: dict) -> set[str]:
    """Addresses whose values are secret, or derived from a secret (to a fixed point)."""
    items = addresses(doc)
    out = {a for a, (kind, body) in items.items()
           if (kind == "variable" and body.get("sensitive"))
           or kind in SECRET_TYPES
           or (kind.startswith("data.") and kind[5:] in SECRET_DATA_TYPES)}
    for name, body in (doc.get("locals") or {}).items():
        items[f"local.{name}"] = ("local", {"value": body})
    refs = {a: references(_strip_meta(body)) for a, (_, body) in items.items()
            if not a.startswith(("output.", "provider."))}
    changed = True
    while changed:
        changed = False
        for address, used in refs.items():
            if address not in out and used & out:
                out.add(address)
                changed = True
    return out


# --------------------------------------------------------------------------- comparison


def _show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    if len(text) > MAX_VALUE:
        return f"{text[:MAX_VALUE - 20]}... ({len(text)} chars)"
    return text


def _leaves(old: Any, new: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    """``(path, old, new)`` of every leaf that differs (``_MISSING`` for an absent side)."""
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            yield from _leaves(old.get(key, _MISSING), new.get(key, _MISSING),
                               f"{path}.{key}" if path else str(key))
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new)):
            yield from _leaves(a, b, f"{path}[{i}]")
        return
    yield path, old, new


def _flatten(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """``(path, leaf)`` of every leaf of one side's value."""
    if isinstance(value, dict) and value:
        for key in sorted(value):
            yield from _flatten(value[key], f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value:
        for i, item in enumerate(value):
            yield from _flatten(item, f"{path}[{i}]")
    else:
        yield path, value


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"


_MISSING = _Missing()


def _sensitive(kind: str, body: dict, path: str, values: list[Any], secret: set[str]) -> bool:
    top = re.split(r"[.\[]", path, maxsplit=1)[0]
    if kind in ("output", "variable") and body.get("sensitive"):
        return top not in ("description", "type", "sensitive", "nullable", "validation")
    if SECRET_KEY.search(path) or (kind in SECRET_TYPES and top not in SAFE_IN_SECRET_TYPES):
        return True
    for value in values:
        if value is _MISSING:
            continue
        if references(value) & secret:
            return True
        # An expression reading a secret attribute (a kube config, a token) of anything.
        if any(SECRET_KEY.search(e) for t in _strings(value) for e in _EXPRESSION.findall(t)):
            return True
    return False


def _attribute(kind: str, body: dict, path: str, old: Any, new: Any,
               secret: set[str]) -> AttributeChange:
    if _sensitive(kind, body, path, [old, new], secret):
        return AttributeChange(path, None if old is _MISSING else REDACTED,
                               None if new is _MISSING else REDACTED, sensitive=True)
    lines: tuple[str, ...] = ()
    if isinstance(old, str) and isinstance(new, str) and ("\n" in old or "\n" in new):
        lines = tuple(line.rstrip("\n") for line in difflib.unified_diff(
            old.splitlines(), new.splitlines(), "before", "after", n=2, lineterm=""))[2:]
    return AttributeChange(path, None if old is _MISSING else _show(old),
                           None if new is _MISSING else _show(new), lines=lines)


def _order(address: str) -> tuple[int, str]:
    rank = (2 if address.startswith("output.") else 3 if address.startswith("var.")
            else 4 if address.startswith("provider.") else 1 if address.startswith("data.")
            else 0)
    return rank, address


def diff_stack(cluster: str, old: dict | None, new: dict | None) -> StackDiff:
    """The change of one stack (``None`` for a side where it does not exist)."""
    before = addresses(old) if old is not None else {}
    after = addresses(new) if new is not None else {}
    secret = tainted(old or {}) | tainted(new or {})
    changes = []
    for address in sorted(set(before) | set(after), key=_order):
        if address in before and address in after:
            (kind, a), (_, b) = before[address], after[address]
            a, b = _strip_meta(a), _strip_meta(b)
            if a == b:
                continue
            attrs = tuple(_attribute(kind, {**a, **b}, path, x, y, secret)
                          for path, x, y in _leaves(a, b, ""))
            changes.append(AddressChange(address, "change", attrs))
        else:
            adding = address in after
            kind, body = after[address] if adding else before[address]
            body = _strip_meta(body)
            attrs = tuple(_attribute(kind, body, path, _MISSING if adding else x,
                                     x if adding else _MISSING, secret)
                          for path, x in _flatten(body, ""))
            changes.append(AddressChange(address, "add" if adding else "remove", attrs))
    resources = sum(len(v) for v in ((new if new is not None else old) or {})
                    .get("resource", {}).values())
    status = ("added" if old is None else "removed" if new is None
              else "changed" if changes else "unchanged")
    return StackDiff(cluster, status, tuple(changes), resources)


def diff_stacks(old: dict[str, dict], new: dict[str, dict]) -> list[StackDiff]:
    """Every stack present on either side, management-agnostic name order."""
    out = []
    for name in sorted(set(old) | set(new)):
        stack = diff_stack(name, old.get(name), new.get(name))
        if stack.status != "unchanged":
            out.append(stack)
    return out
