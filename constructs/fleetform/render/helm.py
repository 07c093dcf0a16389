"""Helm, as validate and diff run it: one chart loaded once, rendered offline as Argo CD
would install it, and each rendered object known by one key.

:class:`Charts` hands Helm the link-free copy of a chart (:class:`ChartCopies`)
and loads it once; :func:`render_documents` renders it (at a cluster's Kubernetes
version through helm-python-sdk's native call, guarded by
:data:`VERIFIED_HELM_SDK_VERSION`); :func:`object_key` is the identity of a
rendered object, Argo CD's: API group, kind, namespace, name.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

from ..errors import ConfigError
from ..fleet.links import ChartCopies

#: Kinds that live outside namespaces (Argo CD sets the destination namespace on the others).
CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding",
    "CustomResourceDefinition", "StorageClass", "PriorityClass", "IngressClass", "RuntimeClass",
    "CSIDriver", "APIService", "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ClusterIssuer",
})


def object_key(obj: dict, namespace: str) -> tuple[str, str, str, str]:
    """``(API group, kind, namespace, name)`` of a rendered object, as Argo CD tells objects
    apart: ``namespace`` (the application's) when the object names none, and no namespace
    for a kind outside namespaces (:data:`CLUSTER_SCOPED`), whatever it says."""
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    api, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    where = "" if kind in CLUSTER_SCOPED else str(meta.get("namespace") or namespace)
    return (api.split("/")[0] if "/" in api else "", kind, where, str(meta.get("name") or ""))


class Charts:
    """The charts Helm reads, each copied without links and loaded once; ``close()``
    releases them and removes the copies."""

    def __init__(self) -> None:
        self._copies = ChartCopies()
        self._loaded: dict[Path, Any] = {}

    def copy(self, directory: Path, root: Path) -> Path:
        """The link-free copy of ``directory``, a chart of the repository checked out at
        ``root`` (see :meth:`ChartCopies.get`)."""
        return self._copies.get(directory, root)

    def load(self, copy: Path) -> Any:
        """The ``helm_python.Chart`` of a copy."""
        import helm_python as helm

        if copy not in self._loaded:
            self._loaded[copy] = helm.Chart.load(copy)
        return self._loaded[copy]

    def original(self, text: str, directory: Path, shown: str) -> str:
        """``text`` (a Helm message) with the copy's path of ``directory`` shown as ``shown``."""
        return self._copies.original(text, directory, shown)

    def close(self) -> None:
        for chart in self._loaded.values():
            chart.close()
        self._copies.close()


@contextlib.contextmanager
def captured_stderr() -> Iterator[list[str]]:
    """Capture what the native Helm library writes to file descriptor 2.

    Helm's lint logs a failing ``required`` as a warning on stderr instead of
    returning it; capturing keeps the output clean and turns it into a finding.
    """
    lines: list[str] = []
    sys.stderr.flush()
    with tempfile.TemporaryFile(mode="w+b") as sink:
        saved = os.dup(2)
        try:
            os.dup2(sink.fileno(), 2)
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            lines.extend(sink.read().decode("utf-8", "replace").splitlines())


#: The helm-python-sdk whose private API (``_native.call_string``, ``Chart._raw``) rendering
#: at a cluster's Kubernetes version was checked against; ``tests/test_validate.py`` fails
#: on any other, so that an upgrade means checking that API again.
VERIFIED_HELM_SDK_VERSION = "0.2.2"


@functools.lru_cache(maxsize=None)
def native_render() -> Any:
    """helm-python-sdk's native call, if the installed SDK is the one checked; a ConfigError
    saying what to install otherwise (its private API may have changed in another)."""
    from importlib.metadata import version

    installed = version("helm-python-sdk")
    try:
        import helm_python
        from helm_python import _native

        call = _native.call_string
        usable = installed == VERIFIED_HELM_SDK_VERSION and callable(call) \
            and hasattr(helm_python.Chart, "_raw")
    except (ImportError, AttributeError):
        usable = False
    if not usable:
        raise ConfigError(
            f"rendering charts at a cluster's Kubernetes version needs helm-python-sdk "
            f"{VERIFIED_HELM_SDK_VERSION}, whose internals fleetform uses (installed: "
            f"{installed}): pip install 'helm-python-sdk=={VERIFIED_HELM_SDK_VERSION}'",
            field="helm-python-sdk")
    return call


def render_documents(chart: Any, values: dict, *, name: str, namespace: str,
                     kube_minor: str | None = None) -> list[tuple[str, str]]:
    """Render a loaded chart offline as Argo CD would install it: ``(file, YAML)`` pairs.

    The chart's ``crds/`` files come first, then its templates by file name.
    ``kube_minor`` (``1.33``) is the cluster's Kubernetes version as templates
    see it in ``.Capabilities.KubeVersion`` (default: Helm's built-in one).
    Raises ``helm_python.HelmError`` when the chart cannot be rendered.
    """
    if kube_minor is None:
        rendered = chart.render(values, name=name, namespace=namespace, is_install=True)
    else:
        # Chart.render (helm-python-sdk 0.2.2) does not pass kube_version, which the
        # native library's render options accept (as helm template --kube-version).
        options = {"name": name, "namespace": namespace, "is_install": True,
                   "kube_version": f"v{kube_minor}.0"}
        rendered = json.loads(native_render()(
            "helm_render", chart._raw(), json.dumps(values), json.dumps(options)))
    documents = [(c.get("filename") or c.get("name", "crds"), c.get("data", ""))
                 for c in chart.crds]
    return documents + sorted(rendered.items())
