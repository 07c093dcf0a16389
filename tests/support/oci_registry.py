"""An OCI registry on loopback: the distribution API's few endpoints Helm pushes and pulls with.

No maintained registry installs on the suite's machines (the registries are Go
programs; CI has Python, Node, git and terraform), so this is a stand-in, like the
Terraform ones: blobs and manifests in memory, content-addressed (a blob is kept
only under the SHA-256 of what was sent), tags listed, optional basic auth. The
charts in it are pushed by Helm's own registry client (``helm push``), so the
manifests and layers are Helm's.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import re
import uuid

from support.loopback import LoopbackServer
from urllib.parse import parse_qs, urlsplit


class OciRegistry(LoopbackServer):
    """Serves ``/v2/`` on 127.0.0.1 while in a ``with`` block; ``requests`` records each."""

    def __init__(self, *, username: str | None = None, password: str | None = None) -> None:
        self.username, self.password = username, password
        self.blobs: dict[str, bytes] = {}
        self.manifests: dict[tuple[str, str], tuple[bytes, str]] = {}  # (repo, ref) -> body, type
        self.uploads: dict[str, bytes] = {}
        self.requests: list[tuple[str, str]] = []

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"oci://{self.host}/charts"

    def blob_downloads(self) -> int:
        return sum(1 for method, path in self.requests if method == "GET" and "/blobs/sha256:" in path)

    def handler(self):
        registry = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _reply(self, status: int, body: bytes = b"", headers=None) -> None:
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _authorized(self) -> bool:
                if registry.username is None:
                    return True
                token = base64.b64encode(
                    f"{registry.username}:{registry.password}".encode()).decode()
                if self.headers.get("Authorization") == f"Basic {token}":
                    return True
                self._body()
                self._reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                            {"WWW-Authenticate": 'Basic realm="registry"',
                             "Content-Type": "application/json"})
                return False

            def _handle(self) -> None:
                registry.requests.append((self.command, self.path))
                if not self._authorized():
                    return
                parts = urlsplit(self.path)
                path, query = parts.path, parse_qs(parts.query)
                if path in ("/v2", "/v2/"):
                    return self._reply(200, b"{}", {"Content-Type": "application/json"})
                m = re.match(r"^/v2/(.+)/(blobs/uploads|blobs|manifests|tags)/?(.*)$", path)
                if not m:
                    return self._reply(404)
                repo, kind, ref = m.groups()
                if kind == "blobs/uploads":
                    return self._upload(repo, ref, query)
                if kind == "blobs":
                    blob = registry.blobs.get(ref)
                    if blob is None:
                        return self._reply(404, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}')
                    return self._reply(200, blob, {"Docker-Content-Digest": ref,
                                                   "Content-Type": "application/octet-stream"})
                if kind == "tags":
                    tags = sorted(r for (name, r) in registry.manifests
                                  if name == repo and not r.startswith("sha256:"))
                    body = ('{"name":"%s","tags":[%s]}' % (
                        repo, ",".join(f'"{t}"' for t in tags))).encode()
                    return self._reply(200, body, {"Content-Type": "application/json"})
                if self.command == "PUT":
                    body = self._body()
                    digest = "sha256:" + hashlib.sha256(body).hexdigest()
                    media = self.headers.get("Content-Type", "")
                    registry.manifests[(repo, ref)] = registry.manifests[(repo, digest)] = \
                        (body, media)
                    return self._reply(201, headers={"Docker-Content-Digest": digest,
                                                     "Location": f"/v2/{repo}/manifests/{digest}"})
                found = registry.manifests.get((repo, ref))
                if found is None:
                    return self._reply(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}',
                                       {"Content-Type": "application/json"})
                body, media = found
                return self._reply(200, body, {
                    "Content-Type": media,
                    "Docker-Content-Digest": "sha256:" + hashlib.sha256(body).hexdigest()})

            def _upload(self, repo: str, session: str, query: dict) -> None:
                body = self._body()
                if self.command == "POST":
                    session = uuid.uuid4().hex
                    registry.uploads[session] = body
                    if "digest" not in query:
                        return self._reply(202, headers={
                            "Location": f"/v2/{repo}/blobs/uploads/{session}",
                            "Range": "0-0"})
                else:
                    registry.uploads[session] = registry.uploads.get(session, b"") + body
                if self.command == "PATCH":
                    return self._reply(202, headers={
                        "Location": f"/v2/{repo}/blobs/uploads/{session}"})
                data = registry.uploads.pop(session, b"")
                digest = query.get("digest", [""])[0]
                if digest != "sha256:" + hashlib.sha256(data).hexdigest():
                    return self._reply(400, b'{"errors":[{"code":"DIGEST_INVALID"}]}')
                registry.blobs[digest] = data
                return self._reply(201, headers={"Docker-Content-Digest": digest,
                                                 "Location": f"/v2/{repo}/blobs/{digest}"})

            do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = _handle

        return Handler
