"""Where upstream charts come from: HTTP chart repositories and OCI registries.

Both are untrusted input, as label repositories are:

* Every download has a size limit, and a request a time limit.
* Credentials come from the environment only, one repository (URL prefix) each:
  ``FLEETFORM_CHART_REPO_<ID>_URL``, ``..._USERNAME`` and ``..._PASSWORD``. They
  are sent to that URL's origin (scheme, host, port) only: not to a chart
  archive the index places on another host, and not across a redirect that
  leaves the origin. No command line and no report holds one.
* An HTTP repository's archive is checked against the SHA-256 digest its
  ``index.yaml`` gives; an OCI registry's layers against their manifest (Helm's
  registry client).

HTTP repositories are read with the standard library (the index is plain YAML,
the archive a file), so that the limits and the credential scope above are
fleetform's own; OCI registries through helm-python-sdk's registry client
(Helm's own: token exchange, manifests, layer digests).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
import re
import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..errors import ConfigError

#: The variables of one private chart repository: ``<PREFIX><ID>_URL`` and so on.
CHART_CREDENTIALS_ENV = "FLEETFORM_CHART_REPO_"
#: Largest ``index.yaml`` read (large public repositories publish tens of MB).
MAX_INDEX_BYTES = 64 << 20
#: Largest chart archive downloaded (compressed).
MAX_ARCHIVE_BYTES = 20 << 20
#: Seconds a request may take.
TIMEOUT = 30


class FetchError(Exception):
    """Why a chart could not be fetched, as one line that says what to do."""

    def __init__(self, reason: str, *, not_found: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        #: The repository answered that it has no such chart or version.
        self.not_found = not_found


@dataclass(frozen=True)
class Credentials:
    """A private chart repository's login, from ``FLEETFORM_CHART_REPO_<ID>_*``."""

    id: str
    url: str
    username: str
    password: str = field(repr=False)

    @property
    def origin(self) -> tuple[str, str, int | None]:
        return origin(self.url)

    def covers(self, url: str) -> bool:
        """Whether ``url`` is this repository's (same origin, under its path)."""
        if origin(url) != self.origin:
            return False
        base = urllib.parse.urlsplit(self.url).path.rstrip("/")
        path = urllib.parse.urlsplit(url).path
        return not base or path == base or path.startswith(base + "/")

    @property
    def variables(self) -> str:
        return f"{CHART_CREDENTIALS_ENV}{self.id}_*"


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of a URL, the unit credentials are scoped to."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443, "oci": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def credentials_from_env(env: Mapping[str, str]) -> list[Credentials]:
    """Every ``FLEETFORM_CHART_REPO_<ID>_URL`` with its username and password.

    A URL without both, or a username or password without a URL, is a
    ConfigError naming the variable (its value is never shown).
    """
    pattern = re.compile(re.escape(CHART_CREDENTIALS_ENV) + r"(\w+?)_(URL|USERNAME|PASSWORD)$")
    found: dict[str, dict[str, str]] = {}
    for name, value in env.items():
        m = pattern.match(name)
        if m:
            found.setdefault(m.group(1), {})[m.group(2)] = value
    out = []
    for ident, parts in sorted(found.items()):
        missing = [k for k in ("URL", "USERNAME", "PASSWORD") if not parts.get(k)]
        if missing:
            raise ConfigError(f"{CHART_CREDENTIALS_ENV}{ident}_{missing[0]} is not set (a chart "
                              f"repository's credentials need _URL, _USERNAME and _PASSWORD)",
                              field=f"{CHART_CREDENTIALS_ENV}{ident}_{missing[0]}")
        url = parts["URL"].strip()
        if urllib.parse.urlsplit(url).scheme not in ("http", "https", "oci") or \
                not urllib.parse.urlsplit(url).hostname:
            raise ConfigError(f"{CHART_CREDENTIALS_ENV}{ident}_URL must be an http(s):// or "
                              f"oci:// URL (got {url!r})", field=f"{CHART_CREDENTIALS_ENV}{ident}_URL")
        out.append(Credentials(ident, url, parts["USERNAME"], parts["PASSWORD"]))
    return out


def credentials_for(url: str, known: list[Credentials]) -> Credentials | None:
    """The credentials whose repository holds ``url``: the longest URL that covers it."""
    matches = [c for c in known if c.covers(url)]
    return max(matches, key=lambda c: len(c.url)) if matches else None


def _mib(size: int) -> str:
    return f"{size >> 20} MiB" if size >= 1 << 20 else f"{size} bytes"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _ScopedRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects keep the credentials only while they stay on the credentials' origin."""

    def __init__(self, credentials: Credentials | None) -> None:
        self.credentials = credentials

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.headers.pop("Authorization", None)
            new.unredirected_hdrs.pop("Authorization", None)
            if self.credentials is not None and self.credentials.covers(newurl):
                new.add_unredirected_header("Authorization", _basic(self.credentials))
        return new


def _basic(credentials: Credentials) -> str:
    token = f"{credentials.username}:{credentials.password}".encode()
    return "Basic " + base64.b64encode(token).decode()


def http_get(url: str, *, limit: int, credentials: Credentials | None, what: str) -> bytes:
    """The body at ``url``, at most ``limit`` bytes; FetchError saying what went wrong."""
    request = urllib.request.Request(url, headers={"User-Agent": "fleetform",
                                                   "Accept-Encoding": "identity"})
    if credentials is not None and credentials.covers(url):
        request.add_unredirected_header("Authorization", _basic(credentials))
    opener = urllib.request.build_opener(_ScopedRedirects(credentials))
    host = urllib.parse.urlsplit(url).netloc
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            body = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise FetchError(
                f"authentication refused by {host} (HTTP {exc.code}): "
                + (f"check the credentials in {credentials.variables}" if credentials else
                   f"set {CHART_CREDENTIALS_ENV}<ID>_URL, _USERNAME and _PASSWORD for it")
            ) from None
        if exc.code == 404:
            raise FetchError(f"no {what} at {url} (HTTP 404)") from None
        raise FetchError(f"{what} at {url}: HTTP {exc.code} {exc.reason}") from None
    except (socket.timeout, TimeoutError):
        raise FetchError(f"{host} did not answer within {TIMEOUT} s") from None
    except urllib.error.URLError as exc:
        reason = getattr(exc.reason, "strerror", None) or exc.reason
        raise FetchError(f"repository unreachable: {host} ({reason}): check the URL and the "
                         "network, or pass --no-fetch") from None
    except (OSError, ValueError) as exc:
        raise FetchError(f"repository unreachable: {host} ({exc})") from None
    if len(body) > limit:
        raise FetchError(f"the {what} at {url} is larger than {_mib(limit)}, the limit")
    return body


# --------------------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class IndexEntry:
    """One version of a chart in a repository's ``index.yaml``."""

    name: str
    version: str
    url: str
    digest: str | None


class HttpRepository:
    """A classic Helm chart repository: ``<url>/index.yaml`` and the archives it lists."""

    def __init__(self, url: str, credentials: Credentials | None) -> None:
        self.url = url.rstrip("/")
        self.credentials = credentials
        self._index: dict[str, Any] | FetchError | None = None
        self.downloads = 0

    def index(self) -> dict[str, Any]:
        """The parsed ``index.yaml``, read once a run (a failure too: it is not retried)."""
        if self._index is None:
            try:
                self._index = self._read_index()
            except FetchError as exc:
                self._index = exc
        if isinstance(self._index, FetchError):
            raise self._index
        return self._index

    def _read_index(self) -> dict[str, Any]:
        import yaml

        body = http_get(f"{self.url}/index.yaml", limit=MAX_INDEX_BYTES,
                        credentials=self.credentials, what="index.yaml")
        self.downloads += 1
        try:
            data = yaml.load(body, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (yaml.YAMLError, RecursionError) as exc:
            raise FetchError(f"{self.url}/index.yaml is not valid YAML "
                             f"({str(exc).splitlines()[0]})") from None
        if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
            raise FetchError(f"{self.url}/index.yaml is not a chart repository index "
                             "(no entries)")
        return data

    def versions(self, name: str) -> list[IndexEntry]:
        entries = self.index()["entries"].get(name)
        if not isinstance(entries, list) or not entries:
            raise FetchError(f"no chart {name!r} in the index of {self.url}")
        out = []
        for e in entries:
            if isinstance(e, dict) and e.get("version") and isinstance(e.get("urls"), list) \
                    and e["urls"]:
                digest = e.get("digest")
                out.append(IndexEntry(name, str(e["version"]), str(e["urls"][0]),
                                      str(digest) if digest else None))
        return out

    def archive(self, entry: IndexEntry) -> tuple[bytes, str]:
        """The archive of ``entry`` and its digest (``sha256:<hex>``), checked against the index."""
        url = urllib.parse.urljoin(self.url + "/", entry.url)
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(f"the index of {self.url} places {entry.name} {entry.version} at "
                             f"{url}, which is not an http(s) URL")
        data = http_get(url, limit=MAX_ARCHIVE_BYTES, credentials=self.credentials,
                        what="chart archive")
        self.downloads += 1
        actual = hashlib.sha256(data).hexdigest()
        if entry.digest is not None and entry.digest.removeprefix("sha256:").lower() != actual:
            raise FetchError(
                f"digest mismatch: the index of {self.url} gives sha256:{entry.digest} for "
                f"{entry.name} {entry.version}, the archive downloaded is sha256:{actual}: "
                "the repository changed under the index, or the download was altered")
        return data, f"sha256:{actual}"


# --------------------------------------------------------------------------- OCI


class OciRegistry:
    """Charts in an OCI registry (``oci://host/path``), through Helm's registry client.

    A registry on a loopback address is spoken to in plain HTTP (a test or a local
    mirror); every other over HTTPS.
    """

    def __init__(self, url: str, credentials: Credentials | None) -> None:
        self.url = url.rstrip("/")
        self.credentials = credentials
        self.host = urllib.parse.urlsplit(self.url).netloc
        self.plain_http = _is_loopback(urllib.parse.urlsplit(self.url).hostname or "")
        self._client: Any = None
        self._scratch: tempfile.TemporaryDirectory | None = None
        self.downloads = 0

    def _registry(self) -> Any:
        import helm_python as helm

        if self._client is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="fleetform-oci-")
            # Logins are kept in this file, removed with the directory; never Helm's own.
            self._client = helm.RegistryClient(
                plain_http=self.plain_http,
                credentials_file=Path(self._scratch.name) / "config.json")
            if self.credentials is not None:
                try:
                    self._client.login(self.host, self.credentials.username,
                                       self.credentials.password, plain_http=self.plain_http)
                except helm.HelmError as exc:
                    raise self._error(exc, "login") from None
        return self._client

    def _error(self, exc: Exception, what: str) -> FetchError:
        detail = " ".join(str(getattr(exc, "detail", exc)).split())
        lowered = detail.lower()
        if any(w in lowered for w in ("unauthorized", "401", "403", "denied", "forbidden",
                                      "credential")):
            return FetchError(
                f"authentication refused by {self.host} ({what}): "
                + (f"check the credentials in {self.credentials.variables}" if self.credentials
                   else f"set {CHART_CREDENTIALS_ENV}<ID>_URL, _USERNAME and _PASSWORD for it"))
        if any(w in lowered for w in ("connection refused", "no such host", "dial tcp",
                                      "timeout", "i/o timeout")):
            return FetchError(f"registry unreachable: {self.host} ({detail}): check the URL and "
                              "the network, or pass --no-fetch")
        if "not found" in lowered or "manifest unknown" in lowered or "404" in lowered:
            return FetchError(f"not found in {self.url} ({what})", not_found=True)
        return FetchError(f"{self.url}: {what} failed: {detail}")

    def tags(self, name: str) -> list[str]:
        import helm_python as helm

        try:
            return list(self._registry().tags(f"{self.url}/{name}"))
        except helm.HelmError as exc:
            raise self._error(exc, f"listing the tags of {name}") from None

    def archive(self, name: str, version: str) -> tuple[bytes, str]:
        """The chart archive of ``name:version`` and its manifest's digest."""
        import helm_python as helm

        ref = f"{self.url}/{name}"
        client = self._registry()
        assert self._scratch is not None
        try:
            digest = str(client.resolve(f"{ref}:{version.replace('+', '_')}")["digest"])
            target = Path(tempfile.mkdtemp(dir=self._scratch.name))
            client.pull(ref, version=version, destination=target, plain_http=self.plain_http)
        except helm.HelmError as exc:
            raise self._error(exc, f"{name} {version}") from None
        archives = sorted(target.glob("*.tgz"))
        if len(archives) != 1:
            raise FetchError(f"{ref}:{version} did not give one chart archive")
        if archives[0].stat().st_size > MAX_ARCHIVE_BYTES:
            raise FetchError(f"{ref}:{version} is larger than {_mib(MAX_ARCHIVE_BYTES)}, "
                             "the limit")
        self.downloads += 1
        data = archives[0].read_bytes()
        os.unlink(archives[0])
        return data, digest

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None
