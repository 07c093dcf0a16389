"""Reading one YAML file safely: duplicate keys, size and alias expansion bounded, errors located."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import ConfigError


# libyaml's parser when PyYAML has it (several times faster on a large fleet);
# the constructors, and so what the documents become, are the same.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


#: Upper bound of a configuration file's size: a cluster.yaml is a few hundred bytes.
MAX_YAML_BYTES = 1024 * 1024


#: Upper bound of the nodes of a document once aliases are expanded: bounds the
#: work of everything that walks the parsed data (a "billion laughs" document
#: is a few lines whose aliases expand to billions of nodes).
MAX_YAML_NODES = 20_000


def _expanded_nodes(node: yaml.Node, path: Path) -> int:
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
            if total > MAX_YAML_NODES:
                raise ConfigError(f"invalid YAML: more than {MAX_YAML_NODES} values "
                                  "(each alias counts as the node it repeats)", file=path)
        active.discard(key)
        sizes[key] = total
        return total

    return size(node)


def read_yaml(path: Path) -> object:
    """Parse one YAML file, with duplicate keys and syntax errors as ConfigError.

    Parsing is bounded: files over :data:`MAX_YAML_BYTES` and documents whose
    aliases expand past :data:`MAX_YAML_NODES` values are refused before
    anything is built from them.
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
    try:
        loader = _UniqueKeyLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _expanded_nodes(node, path)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(f"invalid YAML: {where}{exc.problem or exc.context}",
                          file=path) from None
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError) as exc:
        raise ConfigError(f"invalid YAML: {type(exc).__name__}", file=path) from None
