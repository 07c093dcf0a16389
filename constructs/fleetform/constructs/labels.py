"""Kubernetes label syntax, shared by cluster labels, node labels and taints."""

from __future__ import annotations

import re
from typing import Mapping

from ..errors import ConfigError, ConfigErrors

_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


#: Label keys Argo CD sets itself on cluster secrets (``argocd.argoproj.io/secret-type``):
#: a routing label there would overwrite them.
RESERVED_LABEL_PREFIX = "argocd.argoproj.io/"


def reserved_label_problem(key: str) -> str | None:
    """Why ``key`` may not be a routing label of a cluster (None: it may)."""
    if key.startswith(RESERVED_LABEL_PREFIX):
        return f"label keys under {RESERVED_LABEL_PREFIX} are reserved for Argo CD itself"
    return None


def check_routing_labels(labels: Mapping[str, str], *, field: str) -> None:
    """:func:`check_labels`, then no key under :data:`RESERVED_LABEL_PREFIX`."""
    check_labels(labels, field=field)
    for key in labels:
        problem = reserved_label_problem(key)
        if problem:
            raise ConfigError(problem, field=f"{field}.{key}")


#: Label values that turn a label off: the cluster carries the label (Argo CD shows it), but
#: the label's ApplicationSet does not select it, so it receives none of its applications.
OFF_VALUES = ("", "false")


def routes(value: str) -> bool:
    """Whether a cluster label with ``value`` routes the label's applications to the cluster."""
    return value not in OFF_VALUES


def routing_labels(labels: Mapping[str, str]) -> dict[str, str]:
    """The labels of ``labels`` that route applications (see :data:`OFF_VALUES`)."""
    return {key: value for key, value in labels.items() if routes(value)}


def label_slug(label: str) -> str:
    """What names derived from a label keep of it: lowercase letters and digits, '-' between."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def label_name(prefix: str, label: str) -> str:
    """A DNS-1123 object name ``<prefix>-<slug>`` for something made per label."""
    return f"{prefix}-{label_slug(label)}"[:63].rstrip("-")


def check_label_key(key: str, *, field: str | None = None) -> None:
    """Raise ValueError unless ``key`` is a valid ``[prefix/]name`` label key."""
    where = f"{field}: " if field else ""
    if not isinstance(key, str) or not key:
        raise ValueError(f"{where}a label key must be a non-empty string")
    prefix, _, name = key.rpartition("/")
    if "/" in prefix or (prefix and (len(prefix) > 253 or not _PREFIX.fullmatch(prefix))):
        raise ValueError(f"{where}invalid label key {key!r}: the prefix must be a DNS subdomain")
    if not name or len(name) > 63 or not _NAME.fullmatch(name):
        raise ValueError(
            f"{where}invalid label key {key!r}: the name must be 1-63 characters, "
            "alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric")


def check_label_value(value: str, *, field: str | None = None) -> None:
    """Raise ValueError unless ``value`` is a valid label value (URLs belong in annotations)."""
    where = f"{field}: " if field else ""
    if not isinstance(value, str):
        raise ValueError(f"{where}a label value must be a string, got {type(value).__name__}")
    if len(value) > 63 or not _NAME.fullmatch(value):
        raise ValueError(
            f"{where}invalid label value {value!r}: at most 63 alphanumerics, '-', '_' or '.', "
            "starting and ending with an alphanumeric (put URLs and paths in annotations)")


def check_labels(labels: Mapping[str, str], *, field: str = "labels") -> None:
    """Raise ConfigError naming each invalid key or value of ``labels`` (one line each)."""
    errors = []
    for key, value in labels.items():
        for check, item in ((check_label_key, key), (check_label_value, value)):
            try:
                check(item)
            except ValueError as exc:
                errors.append(ConfigError(str(exc), field=f"{field}.{key}"))
    if errors:
        raise errors[0] if len(errors) == 1 else ConfigErrors(errors)
