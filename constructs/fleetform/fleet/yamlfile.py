"""Reading YAML safely: duplicate keys, size, depth and alias expansion bounded, errors located.

Every YAML document fleetform reads can come from a merge request (cluster
files, values files, Chart.yaml, what a chart renders, a fetched repository),
so each is bounded before anything is built from it: libyaml's composer, the
fast C one used here, recurses once per nesting level and would crash the
process on a document nested tens of thousands of levels deep.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any, Iterator

import yaml

from ..errors import ConfigError


# libyaml's parser when PyYAML has it (several times faster on a large fleet);
# the constructors, and so what the documents become, are the same.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Upper bound of a configuration file's size: a cluster.yaml is a few hundred bytes.
MAX_YAML_BYTES = 1024 * 1024

#: Upper bound of the nodes of a document once aliases are expanded: bounds the
#: work of everything that walks the parsed data (a "billion laughs" document
#: is a few lines whose aliases expand to billions of nodes).
MAX_YAML_NODES = 20_000

#: The bounds of what a chart renders, per template file: CRDs run to megabytes and
#: tens of thousands of values, but not to this.
MAX_RENDERED_BYTES = 32 * 1024 * 1024
MAX_RENDERED_NODES = 2_000_000

#: Upper bound of the nesting of collections in a document. Kubernetes objects,
#: CRD schemas included, stay well below it; a deeper document would exhaust
#: the stack of the composer or of anything walking the data.
MAX_YAML_DEPTH = 200

#: YAML 1.1's other booleans: PyYAML (YAML 1.1) reads them as true and false,
#: YAML 1.2 and most people as strings. A cluster.yaml refuses them.
YAML11_BOOLEANS = frozenset(
    v for word in ("yes", "no", "on", "off") for v in (word, word.title(), word.upper()))

_OPENS = (yaml.events.SequenceStartEvent, yaml.events.MappingStartEvent)
_CLOSES = (yaml.events.SequenceEndEvent, yaml.events.MappingEndEvent)


def check_depth(text: str, what: str | Path | None = None) -> None:
    """Refuse ``text`` when its collections nest deeper than :data:`MAX_YAML_DEPTH`.

    Reads libyaml's event stream, which keeps its own stack (no recursion), so a
    depth bomb is refused before the composer sees it. Syntax errors are left to
    the loader, which reports them with their position.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_SafeLoader):
            if isinstance(event, _OPENS):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    where = f"line {line}: " if line else ""
                    raise ConfigError(f"invalid YAML: {where}nested deeper than "
                                      f"{MAX_YAML_DEPTH} levels", file=what)
            elif isinstance(event, _CLOSES):
                depth -= 1
    except yaml.YAMLError:
        return


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that rejects a key given twice (PyYAML silently keeps the last)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[object, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # `<<: *anchor`: construct_mapping merges it, explicit keys win
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key] + 1})",
                key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)

_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _construct_mapping)


_BOOL_TAG = "tag:yaml.org,2002:bool"
_YAML11_BOOL_TAG = "tag:fleetform,2026:yaml11-bool"


class _StrictBooleanLoader(_UniqueKeyLoader):
    """_UniqueKeyLoader whose booleans are ``true`` and ``false`` only (and their
    capitalised forms, as YAML 1.2's core schema); a plain ``yes``, ``no``, ``on``
    or ``off`` is refused rather than silently read as one."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
        for first, resolvers in _UniqueKeyLoader.yaml_implicit_resolvers.items()}


_StrictBooleanLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))
_StrictBooleanLoader.add_implicit_resolver(
    _YAML11_BOOL_TAG, re.compile(
        "^(?:" + "|".join(sorted(YAML11_BOOLEANS)) + ")$"), list("yYnNoO"))


def _refuse_yaml11_boolean(loader: _StrictBooleanLoader, node: yaml.ScalarNode):
    raise yaml.constructor.ConstructorError(
        None, None, f"{node.value} is a boolean in YAML 1.1 and a string in YAML 1.2: "
        f"write true or false, or \"{node.value}\" for the string", node.start_mark)

_StrictBooleanLoader.add_constructor(_YAML11_BOOL_TAG, _refuse_yaml11_boolean)


def _expanded_nodes(node: yaml.Node, path: str | Path | None,
                    limit: int = MAX_YAML_NODES) -> int:
    """The node count of ``node`` with every alias expanded; ConfigError past the limit."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(n: yaml.Node) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ConfigError("invalid YAML: an alias refers to a node that contains it",
                              file=path)
        active.add(key)
        total = 1
        if isinstance(n, yaml.SequenceNode):
            children = n.value
        elif isinstance(n, yaml.MappingNode):
            children = [c for pair in n.value for c in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > limit:
                raise ConfigError(f"invalid YAML: more than {limit} values "
                                  "(each alias counts as the node it repeats)", file=path)
        active.discard(key)
        sizes[key] = total
        return total

    return size(node)


def _located(exc: yaml.YAMLError, path: str | Path | None) -> ConfigError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        return ConfigError(f"invalid YAML: {where}{exc.problem or exc.context}", file=path)
    return ConfigError(f"invalid YAML: {type(exc).__name__}", file=path)


@contextlib.contextmanager
def _loading(loader: Any, file: str | Path | None) -> Iterator[Any]:
    """``loader`` for one use: its errors as ConfigError naming ``file``, then disposed."""
    try:
        yield loader
    except yaml.YAMLError as exc:
        raise _located(exc, file) from None
    except (RecursionError, ValueError, OverflowError) as exc:
        raise ConfigError(f"invalid YAML: {type(exc).__name__}", file=file) from None
    finally:
        loader.dispose()


def load_yaml(text: str, *, file: str | Path | None = None,
              strict_booleans: bool = False) -> object:
    """The one document of ``text``, bounded in depth and alias expansion.

    ``file`` names the source in errors (a ConfigError, raised on any invalid or
    oversized document). ``strict_booleans`` refuses YAML 1.1's ``yes``/``no``/
    ``on``/``off`` (see :class:`_StrictBooleanLoader`).
    """
    check_depth(text, file)
    with _loading((_StrictBooleanLoader if strict_booleans else _UniqueKeyLoader)(text),
                  file) as loader:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_nodes(node, file)
        return loader.construct_document(node)


def load_yaml_all(text: str, *, file: str | Path | None = None,
                  max_bytes: int = MAX_RENDERED_BYTES,
                  max_nodes: int = MAX_RENDERED_NODES) -> list[object]:
    """Every document of ``text``: a multi-document stream such as what a chart
    renders, whose bounds are a rendered file's (:data:`MAX_RENDERED_BYTES`,
    :data:`MAX_RENDERED_NODES` per document); depth and errors as :func:`load_yaml`."""
    if len(text) > max_bytes:
        raise ConfigError(f"is larger than {max_bytes // (1024 * 1024)} MiB", file=file)
    check_depth(text, file)
    documents = []
    # A duplicate key is Kubernetes' to judge here, as before.
    with _loading(_SafeLoader(text), file) as loader:
        while loader.check_node():
            node = loader.get_node()
            _expanded_nodes(node, file, max_nodes)
            documents.append(loader.construct_document(node))
    return documents


def read_yaml(path: Path, *, strict_booleans: bool = False) -> object:
    """Parse one YAML file, with duplicate keys and syntax errors as ConfigError.

    Reading is bounded: files over :data:`MAX_YAML_BYTES` are refused before they
    are parsed, then the document as by :func:`load_yaml`.
    """
    try:
        if not path.is_file():  # e.g. a link to /dev/zero, which never ends
            raise ConfigError("is not a regular file", file=path)
        with path.open("rb") as stream:
            data = stream.read(MAX_YAML_BYTES + 1)
        if len(data) > MAX_YAML_BYTES:
            raise ConfigError(f"is larger than {MAX_YAML_BYTES // 1024} KiB", file=path)
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("is not UTF-8 text", file=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot be read ({exc.strerror})", file=path) from None
    return load_yaml(text, file=path, strict_booleans=strict_booleans)
