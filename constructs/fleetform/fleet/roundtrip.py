"""Editing a ``cluster.yaml`` as a person would: comments, order and layout kept.

``fleetform new`` changes a few keys of files people wrote (a region, a version,
labels, a repository). Re-dumping the parsed YAML would lose every comment and
reflow the file; ruamel.yaml's round-trip mode keeps them, and this module
changes values in place, keeping each one's style (a flow list stays a flow list).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..errors import ConfigError


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(text: str, file: Path | str) -> Any:
    """The document of ``text`` for editing; ConfigError naming ``file`` if it is not YAML."""
    from ruamel.yaml import YAMLError

    try:
        document = _yaml().load(text)
    except (YAMLError, RecursionError) as exc:
        raise ConfigError(f"invalid YAML ({str(exc).splitlines()[0]})", file=file) from None
    if not isinstance(document, dict):
        raise ConfigError("must be a mapping of settings", file=file)
    return document


def dump(document: Any) -> str:
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def set_value(document: Any, key: str, value: Any, *, after: str | None = None) -> None:
    """Set ``document[key]``; a new key goes after ``after`` (when present), else at the end."""
    if key in document or after is None or after not in document:
        document[key] = value
        return
    document.insert(list(document).index(after) + 1, key, value)


def flow_list(items: Sequence[Any]) -> Any:
    """A list written ``[a, b]``, as fleetform's examples write labels."""
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def set_labels(document: Any, labels: Mapping[str, str]) -> None:
    """Set ``labels``, as a list when every value is ``"true"`` and the file used a list or
    nothing, as a mapping otherwise."""
    current = document.get("labels")
    as_list = all(v == "true" for v in labels.values()) and not isinstance(current, dict)
    if as_list:
        value = flow_list(list(labels))
        if hasattr(current, "fa") and not current.fa.flow_style():
            value.fa.set_block_style()
    else:
        from ruamel.yaml.comments import CommentedMap

        value = CommentedMap(labels)
        if isinstance(current, dict) and hasattr(current, "fa") and current.fa.flow_style():
            value.fa.set_flow_style()
    set_value(document, "labels", value, after="node_pools")


def labels_of(document: Any) -> dict[str, str]:
    """The labels of a document as fleetform reads them (a list means ``"true"`` each)."""
    value = document.get("labels")
    if isinstance(value, list):
        return {str(v): "true" for v in value}
    if isinstance(value, dict):
        return {str(k): ("true" if v is True else "false" if v is False else str(v))
                for k, v in value.items()}
    return {}
