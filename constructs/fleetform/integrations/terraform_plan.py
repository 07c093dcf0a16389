"""What a saved Terraform plan changes, without its secrets: ``plan-summary.json``.

``fleetform batch plan`` reads ``terraform show -json plan.cache`` of each stack and
keeps :func:`summarize` of it beside the plan. The plan's JSON holds every value in
clear, sensitive ones included (Terraform only marks them); the summary holds, per
managed resource the plan changes, its address, its action (``create``, ``update``,
``replace``, ``delete``, ``forget``) and, for an update or a replacement, the
attributes that change, a sensitive value shown as ``(sensitive)`` and one the
apply decides as ``(known after apply)``. It also keeps the plan's
``resource_drift``: what changed outside Terraform since the last apply.

Reads of data sources are never changes, nor drift: a data source whose answer
changed is not a resource Terraform would change (only what depends on it is).

Only the standard library is used (see :mod:`fleetform.commands.batch`).
"""

from __future__ import annotations

import json
from typing import Any, Iterator

#: The file ``fleetform batch plan`` writes beside each stack's plan.
SUMMARY_FILE = "plan-summary.json"
FORMAT_VERSION = 1
#: How a sensitive value is shown.
SENSITIVE = "(sensitive)"
#: How a value the apply decides is shown.
UNKNOWN = "(known after apply)"
#: Attributes listed per resource at most (the rest are counted).
MAX_ATTRIBUTES = 40
#: Characters of a value shown at most.
MAX_VALUE = 120

_EMPTY = (None, [], {})


def action(actions: list[str]) -> str | None:
    """One word for Terraform's ``actions``; None for no change (``no-op``, ``read``)."""
    if sorted(actions) == ["create", "delete"]:
        return "replace"
    if len(actions) == 1 and actions[0] in ("create", "update", "delete", "forget"):
        return actions[0]
    return None


def _child(mask: Any, key: Any) -> Any:
    if isinstance(mask, dict):
        return mask.get(key, False)
    if isinstance(mask, list) and isinstance(key, int) and key < len(mask):
        return mask[key]
    return False


def _leaves(value: Any, sensitive: Any, unknown: Any, path: str
            ) -> Iterator[tuple[str, Any, bool, bool]]:
    """``(path, value, sensitive, unknown)`` of every leaf of an attribute value; a
    sensitive or unknown subtree is one leaf (its whole value, to compare)."""
    if sensitive is True or unknown is True:
        yield path, value, sensitive is True, unknown is True
    elif isinstance(value, dict) or isinstance(unknown, dict):
        value = value if isinstance(value, dict) else {}
        keys = sorted(set(value) | (set(unknown) if isinstance(unknown, dict) else set()))
        if not keys:
            yield path, value, False, False
        for key in keys:
            yield from _leaves(value.get(key), _child(sensitive, key), _child(unknown, key),
                               f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) or isinstance(unknown, list):
        value = value if isinstance(value, list) else []
        size = max(len(value), len(unknown) if isinstance(unknown, list) else 0)
        if not size:
            yield path, value, False, False
        for index in range(size):
            yield from _leaves(value[index] if index < len(value) else None,
                               _child(sensitive, index), _child(unknown, index),
                               f"{path}[{index}]")
    else:
        yield path, value, False, False


def shown(value: Any) -> Any:
    """A value as the summary shows it: strings and numbers as they are, anything
    longer than :data:`MAX_VALUE` characters cut."""
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def _replace_paths(change: dict) -> set[str]:
    out = set()
    for steps in change.get("replace_paths") or []:
        path = ""
        for step in steps:
            path = f"{path}[{step}]" if isinstance(step, int) else \
                (f"{path}.{step}" if path else str(step))
        out.add(path)
    return out


def changed_attributes(change: dict) -> list[dict[str, Any]]:
    """The attributes a change alters: ``{"path", "before", "after"}`` each, plus
    ``"forces_replacement": true`` where Terraform says so; secrets never shown."""
    before = {p: (v, s) for p, v, s, _ in _leaves(change.get("before"),
                                                    change.get("before_sensitive"), False, "")}
    after = {p: (v, s, u) for p, v, s, u in _leaves(change.get("after"),
                                                     change.get("after_sensitive"),
                                                     change.get("after_unknown"), "")}
    forcing = _replace_paths(change)
    out = []
    for path in sorted(set(before) | set(after)):
        old, old_secret = before.get(path, (None, False))
        new, new_secret, unknown = after.get(path, (None, False, False))
        if not unknown and (old == new or (old in _EMPTY and new in _EMPTY)):
            continue
        secret = old_secret or new_secret
        entry = {"path": path or "(all)",
                 "before": SENSITIVE if secret and old is not None else shown(old),
                 "after": UNKNOWN if unknown else SENSITIVE if secret else shown(new)}
        if any(path == f or path.startswith((f"{f}.", f"{f}[")) for f in forcing):
            entry["forces_replacement"] = True
        out.append(entry)
    return out


def _resource(entry: dict, kind: str, *, attributes: bool) -> dict[str, Any]:
    change = entry.get("change") or {}
    out: dict[str, Any] = {"address": entry.get("address", "?"), "type": entry.get("type", ""),
                           "action": kind}
    if entry.get("action_reason"):
        out["reason"] = entry["action_reason"]
    if entry.get("type") == "helm_release":
        # Which release: the plan gates tell the Argo CD release from the others.
        for side, mask in (("after", "after_sensitive"), ("before", "before_sensitive")):
            value, secret = change.get(side), change.get(mask)
            if isinstance(value, dict) and isinstance(value.get("chart"), str) and \
                    not (secret is True or _child(secret, "chart")):
                out["chart"] = value["chart"]
                break
    if attributes:
        found = changed_attributes(change)
        out["attributes"] = found[:MAX_ATTRIBUTES]
        if len(found) > MAX_ATTRIBUTES:
            out["more_attributes"] = len(found) - MAX_ATTRIBUTES
    return out


def summarize(plan: dict, cluster: str) -> dict[str, Any]:
    """The summary of ``terraform show -json`` of a saved plan (see the module)."""
    resources, drift = [], []
    counts = {"add": 0, "change": 0, "replace": 0, "destroy": 0, "forget": 0}
    for entry in plan.get("resource_changes") or []:
        kind = action((entry.get("change") or {}).get("actions") or [])
        if entry.get("mode") != "managed" or kind is None:
            continue
        counts[{"create": "add", "update": "change", "delete": "destroy"}.get(kind, kind)] += 1
        resources.append(_resource(entry, kind, attributes=kind in ("update", "replace")))
    for entry in plan.get("resource_drift") or []:
        kind = action((entry.get("change") or {}).get("actions") or [])
        if entry.get("mode") == "managed" and kind is not None:
            drift.append(_resource(entry, kind, attributes=kind == "update"))
    outputs = []
    for name, change in sorted((plan.get("output_changes") or {}).items()):
        kind = action(change.get("actions") or [])
        if kind is not None:
            outputs.append({"name": name, "action": kind,
                            **({"sensitive": True} if change.get("after_sensitive") is True
                               or change.get("before_sensitive") is True else {})})
    return {"format_version": FORMAT_VERSION, "cluster": cluster,
            "terraform_version": plan.get("terraform_version", ""),
            "counts": counts, "resources": resources, "drift": drift, "outputs": outputs}
