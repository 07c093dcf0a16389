"""The schemas ``fleetform validate`` checks against: Kubernetes (per minor version) and Argo CD."""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from ...errors import ConfigError
from ...fleet.repositories import display

if TYPE_CHECKING:
    from .report import Findings


#: Environment variable naming the directory of the Argo CD JSON Schemas.
SCHEMAS_ENV = "FLEETFORM_ARGOCD_SCHEMAS"


#: Argo CD kinds and their schema file.
ARGOCD_KINDS = {"Application": "application.json", "ApplicationSet": "applicationset.json",
                "AppProject": "appproject.json"}


def kubernetes_minor(version: str) -> str:
    """``1.33`` of ``1.33``, ``1.33.1`` or ``1.33.1-do.0``."""
    return ".".join(version.split("-")[0].split(".")[:2])


def minor_key(minor: str) -> tuple[int, int]:
    """Sort key of a Kubernetes minor version ``X.Y``: ``(X, Y)`` as numbers."""
    major, _, rest = minor.partition(".")
    return int(major), int(rest or 0)


def schema_version(version: str) -> tuple[str, str | None]:
    """The Kubernetes schema version kubernetes-validate has for ``version``.

    The same minor when shipped; otherwise the newest older one (or the oldest
    shipped), with a note saying so.
    """
    from kubernetes_validate.utils import all_versions

    wanted = kubernetes_minor(version)
    shipped = sorted({kubernetes_minor(v) for v in all_versions()}, key=minor_key)
    if wanted in shipped:
        return wanted, None
    older = [v for v in shipped if minor_key(v) < minor_key(wanted)]
    chosen = older[-1] if older else shipped[0]
    return chosen, (f"no Kubernetes {wanted} schemas in kubernetes-validate: "
                    f"checking against {chosen}")


@functools.lru_cache(maxsize=None)
def _k8s_registry(minor: str):
    """The shared definitions of the strict schemas of one Kubernetes minor, as a registry."""
    from kubernetes_validate.utils import schema_contents
    from referencing import Registry, Resource

    definitions = schema_contents(f"kubernetes-json-schema/v{minor}.0-local-strict/"
                                  "_definitions.json", minor)
    return Resource.from_contents(definitions) @ Registry()


@functools.lru_cache(maxsize=None)
def k8s_validator(minor: str, api_version: str, kind: str):
    """A cached strict validator for ``kind`` in ``api_version`` (None: no such schema).

    The same schema files and resolution as ``kubernetes_validate.validate``,
    which re-reads them (1.4 MB of definitions) on every call: cached here, a
    large fleet's objects are checked in milliseconds instead of seconds.
    """
    import jsonschema
    from kubernetes_validate.utils import schema_contents
    from referencing import Resource

    if not re.match(r"^[A-Za-z0-9]+$", kind) or not re.match(r"^[a-z0-9.-]+(/[a-z0-9]+)?$",
                                                             api_version):
        return None  # not a name a schema file can have
    # rbac.authorization.k8s.io/v1 -> rbac-v1; v1 -> v1
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = schema_contents(f"kubernetes-json-schema/v{minor}.0-local-strict/"
                                 f"{kind.lower()}-{group_version}.json", minor)
    except FileNotFoundError:
        return None
    registry = Resource.from_contents(schema) @ _k8s_registry(minor)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def shipped_minors() -> list[str]:
    """The Kubernetes minors kubernetes-validate has schemas for, oldest first."""
    from kubernetes_validate.utils import all_versions

    return sorted({kubernetes_minor(v) for v in all_versions()}, key=minor_key)


def removed_api(minor: str, api_version: str, kind: str) -> str | None:
    """Why Kubernetes ``minor`` has no ``kind`` in ``api_version``, when an older one served it.

    ``"removed in 1.26 (served until 1.25)"`` when the newest shipped version
    before ``minor`` that has the schema is 1.25; None when no shipped older
    version has it either.
    """
    shipped = shipped_minors()
    older = [m for m in shipped if minor_key(m) < minor_key(minor)]
    for candidate in reversed(older):
        if k8s_validator(candidate, api_version, kind) is not None:
            removed = shipped[shipped.index(candidate) + 1]
            return f"removed in {removed} (served until {candidate})"
    return None


#: The strict Argo CD v3.4 schemas shipped with fleetform.
PACKAGED_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "argocd"  # fleetform/schemas


def default_schemas_dir(clusters_dir: Path, env: Mapping[str, str] | None = None) -> Path:
    """``$FLEETFORM_ARGOCD_SCHEMAS``, else the schemas shipped with fleetform."""
    env = os.environ if env is None else env
    if env.get(SCHEMAS_ENV):
        return Path(env[SCHEMAS_ENV])
    return PACKAGED_SCHEMAS


def check_kubernetes_version(version: str | None) -> str | None:
    """``--kubernetes-version``: an ``X.Y`` kubernetes-validate has schemas for, offline."""
    if version is None:
        return None
    shipped = shipped_minors()
    if not re.fullmatch(r"[0-9]+\.[0-9]+", version):
        raise ConfigError(f"must be a Kubernetes minor version such as {shipped[-1]}, "
                          f"got {version!r}", field="--kubernetes-version")
    if version not in shipped:
        raise ConfigError(f"no Kubernetes {version} schemas are available offline "
                          f"(kubernetes-validate has {shipped[0]} to {shipped[-1]})",
                          field="--kubernetes-version")
    return version


def path_text(path: Sequence[Any]) -> str:
    """A JSON Schema error path as text: ``spec.template[0].name``, or ``(top level)``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out or "(top level)"


class ArgoSchemas:
    """Argo CD's schemas in ``directory`` (one file a kind, :data:`ARGOCD_KINDS`), each read
    once; their absence is one warning to ``findings``, and the objects go unchecked."""

    def __init__(self, directory: Path | None, findings: Findings) -> None:
        self.directory = directory
        self.findings = findings
        self._validators: dict[str, Any] = {}
        self._warned = False

    def validator(self, kind: str) -> Any:
        """A Draft 7 validator for an Argo CD kind, or None when the schemas are missing."""
        if kind in self._validators:
            return self._validators[kind]
        import jsonschema

        file = self.directory / ARGOCD_KINDS[kind] if self.directory else None
        validator = None
        if file is not None and file.is_file():
            try:
                schema = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ConfigError(f"cannot read the Argo CD schema ({exc})", file=file) from None
            validator = jsonschema.Draft7Validator(schema)
        elif not self._warned:
            self._warned = True
            self.findings.warning(f"no Argo CD schemas here: Argo CD objects are not "
                                  f"schema-checked (set --argocd-schemas or ${SCHEMAS_ENV})",
                                  file=display(self.directory) if self.directory else None)
        self._validators[kind] = validator
        return validator

    def error(self, kind: str, obj: dict) -> str | None:
        """The first schema violation of an Argo CD object as text, or None."""
        import jsonschema

        validator = self.validator(kind)
        if validator is None:
            return None
        error = jsonschema.exceptions.best_match(validator.iter_errors(obj))
        if error is None:
            return None
        return f"{path_text(error.absolute_path)}: {error.message}"
